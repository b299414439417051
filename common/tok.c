/* SPDX-License-Identifier: MIT */
/* PASETO v4.public: the one token parser and the one place that calls
 * Ed25519, so every length and encoding rule of DESIGN 3.1 is checked here. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "b64.h"
#include "lerr.h"
#include "tok.h"

#define PREFIX_LEN	(sizeof(TOK_PREFIX) - 1)

/* LE64 as PASETO's PAE writes it: the top bit cleared for portability. */
static void
le64(uint8_t p[8], uint64_t n)
{
	int k;

	n &= UINT64_C(0x7fffffffffffffff);
	for (k = 0; k < 8; k++) {
		p[k] = (uint8_t)(n & 0xff);
		n >>= 8;
	}
}

int
tok_pae(const uint8_t *const *pieces, const size_t *lens, size_t n,
    uint8_t **out, size_t *outlen)
{
	size_t total = 8, k;
	uint8_t *p;

	*out = NULL;
	*outlen = 0;
	for (k = 0; k < n; k++) {
		if (total > SIZE_MAX - 8 || lens[k] > SIZE_MAX - 8 - total)
			return -LICD_E_TOO_LARGE;
		total += 8 + lens[k];
	}
	if ((p = malloc(total)) == NULL)
		return -LICD_E_NOMEM;
	*out = p;
	*outlen = total;
	le64(p, n);
	p += 8;
	for (k = 0; k < n; k++) {
		le64(p, lens[k]);
		p += 8;
		if (lens[k] > 0)
			memcpy(p, pieces[k], lens[k]);
		p += lens[k];
	}
	return 0;
}

int
tok_sig_input(const uint8_t *m, size_t mlen, const uint8_t *f, size_t flen,
    const uint8_t *i, size_t ilen, uint8_t **out, size_t *outlen)
{
	const uint8_t *pieces[4] = { (const uint8_t *)TOK_PREFIX, m, f, i };
	const size_t lens[4] = { PREFIX_LEN, mlen, flen, ilen };

	return tok_pae(pieces, lens, 4, out, outlen);
}

/* Decode one base64url section into a fresh buffer with a NUL after it. */
static int
decode_part(const char *in, size_t len, const char *what, uint8_t **out,
    size_t *outlen, struct lerr *e)
{
	const char *why;
	size_t n = B64_DECODED_LEN(len);
	uint8_t *buf;

	if ((why = b64_invalid(in, len)) != NULL)
		return lerr_set(e, LICD_E_TOKEN, "token: base64url %s in the %s",
		    why, what);
	if ((buf = malloc(n + 1)) == NULL)
		return lerr_set(e, LICD_E_NOMEM, "token: out of memory");
	if (b64_decode(in, len, buf, n, outlen) != 0) {
		free(buf);
		return lerr_set(e, LICD_E_TOKEN,
		    "token: base64url does not decode in the %s", what);
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

/* Body = message || 64-byte signature; the message keeps the buffer. */
static int
parse_body(const char *in, size_t len, struct tok *t, struct lerr *e)
{
	uint8_t *raw = NULL;
	size_t rawlen = 0;
	int r;

	if ((r = decode_part(in, len, "body", &raw, &rawlen, e)) != 0)
		return r;
	if (rawlen < TOK_SIG_LEN) {
		free(raw);
		return lerr_set(e, LICD_E_TOKEN, "token: body is %zu bytes, "
		    "shorter than a %d-byte signature", rawlen, TOK_SIG_LEN);
	}
	t->msg = raw;
	t->msg_len = rawlen - TOK_SIG_LEN;
	memcpy(t->sig, raw + t->msg_len, TOK_SIG_LEN);
	raw[t->msg_len] = '\0';
	return 0;
}

int
tok_parse(const char *s, size_t len, struct tok *t, struct lerr *e)
{
	const char *body, *dot, *foot = NULL;
	size_t blen, flen = 0;
	int r;

	memset(t, 0, sizeof(*t));
	if (len > TOK_MAX_LEN)
		return lerr_set(e, LICD_E_TOO_LARGE,
		    "token: longer than %d bytes", TOK_MAX_LEN);
	if (len < PREFIX_LEN || memcmp(s, TOK_PREFIX, PREFIX_LEN) != 0)
		return lerr_set(e, LICD_E_TOKEN,
		    "token: expected prefix " TOK_PREFIX);
	body = s + PREFIX_LEN;
	blen = len - PREFIX_LEN;
	if ((dot = memchr(body, '.', blen)) != NULL) {
		foot = dot + 1;
		flen = (size_t)(s + len - foot);
		blen = (size_t)(dot - body);
		if (memchr(foot, '.', flen) != NULL)
			return lerr_set(e, LICD_E_TOKEN, "token: more than one "
			    "'.' after " TOK_PREFIX);
		if (flen == 0)
			return lerr_set(e, LICD_E_TOKEN,
			    "token: empty footer after '.'");
	}
	if ((r = parse_body(body, blen, t, e)) != 0)
		goto out;
	if (foot != NULL && (r = decode_part(foot, flen, "footer",
	    &t->footer, &t->footer_len, e)) != 0)
		goto out;
	/* success */
	r = 0;
 out:
	if (r != 0)
		tok_free(t);
	return r;
}

void
tok_free(struct tok *t)
{
	if (t == NULL)
		return;
	free(t->msg);
	free(t->footer);
	memset(t, 0, sizeof(*t));
}

int
tok_ed25519_verify(const uint8_t *sig, size_t siglen, const uint8_t *m,
    size_t mlen, const uint8_t *pk, size_t pklen)
{
	static const uint8_t empty[1];

	if (siglen != TOK_SIG_LEN || pklen != TOK_PK_LEN)
		return -LICD_E_SIGNATURE;
	if (mlen == 0)
		m = empty;
	if (crypto_sign_verify_detached(sig, m, mlen, pk) != 0)
		return -LICD_E_SIGNATURE;
	return 0;
}

int
tok_verify(const struct tok *t, const uint8_t pk[TOK_PK_LEN],
    const uint8_t *i, size_t ilen)
{
	uint8_t *in = NULL;
	size_t inlen = 0;
	int r;

	if ((r = tok_sig_input(t->msg, t->msg_len, t->footer, t->footer_len,
	    i, ilen, &in, &inlen)) != 0)
		return r;
	r = tok_ed25519_verify(t->sig, sizeof(t->sig), in, inlen, pk,
	    TOK_PK_LEN);
	free(in);
	return r;
}

int
tok_encode(const uint8_t *m, size_t mlen, const uint8_t sig[TOK_SIG_LEN],
    const uint8_t *f, size_t flen, char **out)
{
	uint8_t *body = NULL;
	size_t blen, bchars, total;
	char *s = NULL, *p;
	int r;

	*out = NULL;
	/* Checked first so that the sums below cannot overflow. */
	if (mlen > TOK_MAX_LEN || flen > TOK_MAX_LEN)
		return -LICD_E_TOO_LARGE;
	blen = mlen + TOK_SIG_LEN;
	bchars = B64_ENCODED_LEN(blen);
	total = PREFIX_LEN + bchars + (flen > 0 ? 1 + B64_ENCODED_LEN(flen) : 0);
	if (total > TOK_MAX_LEN)
		return -LICD_E_TOO_LARGE;
	if ((body = malloc(blen)) == NULL || (s = malloc(total + 1)) == NULL) {
		r = -LICD_E_NOMEM;
		goto out;
	}
	if (mlen > 0)
		memcpy(body, m, mlen);
	memcpy(body + mlen, sig, TOK_SIG_LEN);
	memcpy(s, TOK_PREFIX, PREFIX_LEN);
	p = s + PREFIX_LEN;
	if ((r = b64_encode(body, blen, p, total + 1 - PREFIX_LEN)) != 0)
		goto out;
	p += bchars;
	if (flen > 0) {
		*p++ = '.';
		if ((r = b64_encode(f, flen, p, total + 1 - (size_t)(p - s))) != 0)
			goto out;
	}
	*out = s;
	s = NULL;
	/* success */
	r = 0;
 out:
	free(body);
	free(s);
	return r;
}

int
tok_sk_check(const uint8_t sk[TOK_SK_LEN])
{
	uint8_t pk[TOK_PK_LEN], sk2[TOK_SK_LEN];
	int r = 0;

	crypto_sign_seed_keypair(pk, sk2, sk);
	if (sodium_memcmp(pk, sk + crypto_sign_SEEDBYTES, TOK_PK_LEN) != 0)
		r = -LICD_E_KEY;
	sodium_memzero(sk2, sizeof(sk2));
	return r;
}

int
tok_sign(const uint8_t sk[TOK_SK_LEN], const uint8_t *m, size_t mlen,
    const uint8_t *f, size_t flen, const uint8_t *i, size_t ilen, char **out)
{
	uint8_t sig[TOK_SIG_LEN], *in = NULL;
	size_t inlen = 0;
	int r;

	*out = NULL;
	memset(sig, 0, sizeof(sig));
	if ((r = tok_sk_check(sk)) != 0)
		goto out;
	if (mlen > TOK_MAX_LEN || flen > TOK_MAX_LEN) {
		r = -LICD_E_TOO_LARGE;
		goto out;
	}
	if ((r = tok_sig_input(m, mlen, f, flen, i, ilen, &in, &inlen)) != 0)
		goto out;
	crypto_sign_detached(sig, NULL, in, inlen, sk);
	r = tok_encode(m, mlen, sig, f, flen, out);
 out:
	sodium_memzero(sig, sizeof(sig));
	if (in != NULL)
		sodium_memzero(in, inlen);
	free(in);
	return r;
}
