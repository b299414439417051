/* SPDX-License-Identifier: MIT */
/* Unit tests for common/tok.c: PAE, round trips, and one negative test per
 * token rule of DESIGN 3.1, each asserting the exact error code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "b64.h"
#include "lerr.h"
#include "tok.h"

#define IMPL	"licd:v1:licence"
#define MSG	"{\"lid\":\"IL-2026-0042\"}"
#define FOOT	"{\"kid\":\"k4.pid.x\",\"typ\":\"licence\"}"

struct keys {
	uint8_t pk[TOK_PK_LEN];
	uint8_t sk[TOK_SK_LEN];
};

static int
setup(void **state)
{
	struct keys *k = calloc(1, sizeof(*k));

	if (k == NULL)
		return -1;
	crypto_sign_keypair(k->pk, k->sk);
	*state = k;
	return 0;
}

static int
teardown(void **state)
{
	sodium_memzero(*state, sizeof(struct keys));
	free(*state);
	return 0;
}

static char *
sign(const struct keys *k, const char *m, size_t mlen, const char *f,
    const char *i)
{
	char *s = NULL;

	assert_int_equal(tok_sign(k->sk, (const uint8_t *)m, mlen,
	    (const uint8_t *)f, f ? strlen(f) : 0, (const uint8_t *)i,
	    i ? strlen(i) : 0, &s), 0);
	assert_non_null(s);
	return s;
}

/* tok_parse() must fail with code and a message containing what. */
static void
reject(const char *s, size_t len, int code, const char *what)
{
	struct tok t;
	struct lerr e = { 0 };

	assert_int_equal(tok_parse(s, len, &t, &e), -code);
	assert_int_equal(e.code, code);
	if (strstr(e.msg, what) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, what);
	assert_null(t.msg);
	assert_null(t.footer);
	tok_free(&t);
}

static void
reject_str(const char *s, int code, const char *what)
{
	reject(s, strlen(s), code, what);
}

/* "v4.public." + b64url(bin) [+ "." + footer text] */
static char *
assemble(const uint8_t *bin, size_t n, const char *footer_text)
{
	size_t cap = 10 + B64_ENCODED_LEN(n) + 2 +
	    (footer_text ? strlen(footer_text) : 0);
	char *s = malloc(cap);

	assert_non_null(s);
	memcpy(s, "v4.public.", 11);
	assert_int_equal(b64_encode(bin, n, s + 10, cap - 10), 0);
	if (footer_text != NULL) {
		strcat(s, ".");
		strcat(s, footer_text);
	}
	return s;
}

/* PASETO's PAE examples (spec, "Authentication Padding"). */
static void
test_pae_known_answers(void **state)
{
	const uint8_t *p[2] = { (const uint8_t *)"", (const uint8_t *)"test" };
	size_t l[2] = { 0, 4 };
	uint8_t *out;
	size_t n;

	(void)state;
	assert_int_equal(tok_pae(NULL, NULL, 0, &out, &n), 0);
	assert_int_equal(n, 8);
	assert_memory_equal(out, "\0\0\0\0\0\0\0\0", 8);
	free(out);
	assert_int_equal(tok_pae(p, l, 1, &out, &n), 0);
	assert_int_equal(n, 16);
	assert_memory_equal(out, "\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	free(out);
	assert_int_equal(tok_pae(p + 1, l + 1, 1, &out, &n), 0);
	assert_int_equal(n, 20);
	assert_memory_equal(out, "\x01\0\0\0\0\0\0\0\x04\0\0\0\0\0\0\0test",
	    20);
	free(out);
	/* 300 = 0x12c: little-endian. */
	uint8_t big[300] = { 0 };
	const uint8_t *pb[1] = { big };
	size_t lb[1] = { sizeof(big) };
	assert_int_equal(tok_pae(pb, lb, 1, &out, &n), 0);
	assert_int_equal(n, 316);
	assert_memory_equal(out + 8, "\x2c\x01\0\0\0\0\0\0", 8);
	free(out);
	/* Lengths that cannot be added are refused, not wrapped. */
	size_t huge[2] = { SIZE_MAX - 16, 16 };
	const uint8_t *ph[2] = { big, big };
	assert_int_equal(tok_pae(ph, huge, 2, &out, &n), -LICD_E_TOO_LARGE);
	assert_null(out);
}

static void
test_sig_input_layout(void **state)
{
	uint8_t *out;
	size_t n;

	(void)state;
	assert_int_equal(tok_sig_input((const uint8_t *)"m", 1,
	    (const uint8_t *)"ff", 2, (const uint8_t *)"iii", 3, &out, &n), 0);
	assert_int_equal(n, 8 + 4 * 8 + 10 + 1 + 2 + 3);
	assert_memory_equal(out,
	    "\x04\0\0\0\0\0\0\0" "\x0a\0\0\0\0\0\0\0" "v4.public."
	    "\x01\0\0\0\0\0\0\0" "m" "\x02\0\0\0\0\0\0\0" "ff"
	    "\x03\0\0\0\0\0\0\0" "iii", n);
	free(out);
}

static void
test_roundtrip(void **state)
{
	const struct keys *k = *state;
	struct tok t;
	struct lerr e = { 0 };
	char *s;

	s = sign(k, MSG, strlen(MSG), FOOT, IMPL);
	assert_int_equal(strncmp(s, "v4.public.", 10), 0);
	assert_non_null(strchr(s + 10, '.'));
	assert_int_equal(tok_parse(s, strlen(s), &t, &e), 0);
	assert_int_equal(t.msg_len, strlen(MSG));
	assert_string_equal((char *)t.msg, MSG);
	assert_int_equal(t.footer_len, strlen(FOOT));
	assert_memory_equal(t.footer, FOOT, t.footer_len);
	assert_int_equal(tok_verify(&t, k->pk, (const uint8_t *)IMPL,
	    strlen(IMPL)), 0);
	/* Re-encoding gives the same text: there is one form per token. */
	char *again;
	assert_int_equal(tok_encode(t.msg, t.msg_len, t.sig, t.footer,
	    t.footer_len, &again), 0);
	assert_string_equal(again, s);
	free(again);
	tok_free(&t);
	free(s);
}

static void
test_roundtrip_no_footer_empty_message(void **state)
{
	const struct keys *k = *state;
	struct tok t;
	char *s;

	s = sign(k, "", 0, NULL, NULL);
	assert_null(strchr(s + 10, '.'));
	assert_int_equal(strlen(s), 10 + B64_ENCODED_LEN(64));
	assert_int_equal(tok_parse(s, strlen(s), &t, NULL), 0);
	assert_int_equal(t.msg_len, 0);
	assert_int_equal(t.footer_len, 0);
	assert_null(t.footer);
	assert_int_equal(tok_verify(&t, k->pk, NULL, 0), 0);
	assert_int_equal(tok_verify(&t, k->pk, (const uint8_t *)IMPL,
	    strlen(IMPL)), -LICD_E_SIGNATURE);
	tok_free(&t);
	free(s);
}

/* Every length of message from 0 to 70 (all three base64 tails). */
static void
test_roundtrip_lengths(void **state)
{
	const struct keys *k = *state;
	char m[71];
	struct tok t;
	size_t len;
	char *s;

	for (len = 0; len <= 70; len++) {
		randombytes_buf(m, len);
		s = sign(k, m, len, len % 2 ? FOOT : NULL, IMPL);
		assert_int_equal(tok_parse(s, strlen(s), &t, NULL), 0);
		assert_int_equal(t.msg_len, len);
		assert_memory_equal(t.msg, m, len);
		assert_int_equal(t.msg[len], 0);
		assert_int_equal(tok_verify(&t, k->pk, (const uint8_t *)IMPL,
		    strlen(IMPL)), 0);
		tok_free(&t);
		free(s);
	}
}

static void
test_reject_prefix(void **state)
{
	const struct keys *k = *state;
	static const char *const prefixes[] = { "v4.local.", "v3.public.",
	    "V4.public.", "v4.Public.", "v2.public.", "v4.secret.",
	    " v4.public.", "v4.public:", "v4public.", "k4.public." };
	char *s, *bad;
	size_t p;

	s = sign(k, MSG, strlen(MSG), FOOT, IMPL);
	for (p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++) {
		bad = malloc(strlen(s) + 16);
		assert_non_null(bad);
		strcpy(bad, prefixes[p]);
		strcat(bad, s + 10);
		reject_str(bad, LICD_E_TOKEN, "token: expected prefix v4.public.");
		free(bad);
	}
	reject_str("", LICD_E_TOKEN, "expected prefix");
	reject_str("v4.public", LICD_E_TOKEN, "expected prefix");
	/* Only len bytes count: a prefix cut short by len is no prefix. */
	reject(s, 9, LICD_E_TOKEN, "expected prefix");
	free(s);
}

static void
test_reject_padding(void **state)
{
	const struct keys *k = *state;
	const char *dot;
	char *s, *bad;

	/* 64 bytes: 86 characters, which padded base64 would end in "==". */
	s = sign(k, "", 0, FOOT, NULL);
	bad = malloc(strlen(s) + 4);
	assert_non_null(bad);
	dot = strchr(s + 10, '.');
	sprintf(bad, "%.*s==%s", (int)(dot - s), s, dot);
	reject_str(bad, LICD_E_TOKEN,
	    "token: base64url has '=' padding in the body");
	/* Padding on the footer (35 bytes: 47 characters, one "="). */
	sprintf(bad, "%s=", s);
	reject_str(bad, LICD_E_TOKEN, "'=' padding in the footer");
	free(bad);
	free(s);
}

static void
test_reject_standard_alphabet(void **state)
{
	const struct keys *k = *state;
	char *s;
	size_t c, pos;

	s = sign(k, MSG, strlen(MSG), FOOT, IMPL);
	for (c = 0; c < 2; c++) {
		char *bad = strdup(s);

		assert_non_null(bad);
		pos = 12;	/* inside the body */
		bad[pos] = c ? '/' : '+';
		reject_str(bad, LICD_E_TOKEN,
		    "base64url has a character outside the URL-safe alphabet in the body");
		free(bad);
		bad = strdup(s);
		assert_non_null(bad);
		bad[strlen(bad) - 2] = c ? '/' : '+';
		reject_str(bad, LICD_E_TOKEN, "outside the URL-safe alphabet in the footer");
		free(bad);
	}
	free(s);
}

static void
test_reject_other_bytes(void **state)
{
	const struct keys *k = *state;
	char *s, *bad;

	s = sign(k, MSG, strlen(MSG), NULL, IMPL);
	bad = malloc(strlen(s) + 2);
	assert_non_null(bad);
	sprintf(bad, "%s\n", s);
	reject_str(bad, LICD_E_TOKEN, "outside the URL-safe alphabet");
	sprintf(bad, "%s ", s);
	reject_str(bad, LICD_E_TOKEN, "outside the URL-safe alphabet");
	strcpy(bad, s);
	bad[20] = '\0';		/* an embedded NUL counted by len */
	reject(bad, strlen(s), LICD_E_TOKEN, "outside the URL-safe alphabet");
	free(bad);
	free(s);
}

static void
test_reject_len_mod4_1(void **state)
{
	const struct keys *k = *state;
	char *s, *bad;

	/* 2 + 64 bytes: 88 characters; one more is impossible. */
	s = sign(k, "ab", 2, NULL, NULL);
	assert_int_equal((strlen(s) - 10) % 4, 0);
	bad = malloc(strlen(s) + 2);
	assert_non_null(bad);
	sprintf(bad, "%sA", s);
	reject_str(bad, LICD_E_TOKEN, "token: base64url has an impossible length in the body");
	free(bad);
	free(s);
	s = sign(k, "ab", 2, "abc", NULL);	/* footer: 4 characters */
	bad = malloc(strlen(s) + 2);
	assert_non_null(bad);
	sprintf(bad, "%sA", s);
	reject_str(bad, LICD_E_TOKEN, "impossible length in the footer");
	free(bad);
	free(s);
}

/* The 6-bit value of a base64url character. */
static int
val(char c)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";

	return (int)(strchr(alpha, c) - alpha);
}

static char
chr(int v)
{
	return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_"[v];
}

static void
test_reject_trailing_bits(void **state)
{
	const struct keys *k = *state;
	struct tok t;
	char *s;
	const char *dot;
	size_t last;

	/* 64 bytes: 86 characters, the last carries 4 unused bits. */
	s = sign(k, "", 0, "f", NULL);		/* footer "f": "Zg" */
	dot = strchr(s + 10, '.');
	last = (size_t)(dot - s) - 1;
	assert_int_equal((last - 9) % 4, 2);
	assert_int_equal(val(s[last]) & 0x0f, 0);
	s[last] = chr(val(s[last]) | 0x01);
	reject_str(s, LICD_E_TOKEN, "token: base64url has non-zero trailing bits in the body");
	s[last] = chr(val(s[last]) & ~0x0f);
	assert_int_equal(tok_parse(s, strlen(s), &t, NULL), 0);
	tok_free(&t);
	/* Footer "Zg" -> "Zh": same byte if the bits were ignored. */
	assert_int_equal(s[strlen(s) - 1], 'g');
	s[strlen(s) - 1] = 'h';
	reject_str(s, LICD_E_TOKEN, "non-zero trailing bits in the footer");
	free(s);
	/* 65 bytes: 87 characters, 2 unused bits. */
	s = sign(k, "x", 1, NULL, NULL);
	last = strlen(s) - 1;
	assert_int_equal(val(s[last]) & 0x03, 0);
	s[last] = chr(val(s[last]) | 0x02);
	reject_str(s, LICD_E_TOKEN, "non-zero trailing bits in the body");
	free(s);
}

static void
test_reject_short_body(void **state)
{
	uint8_t bin[64];
	char *s;

	(void)state;
	randombytes_buf(bin, sizeof(bin));
	s = assemble(bin, 63, NULL);
	reject_str(s, LICD_E_TOKEN, "token: body is 63 bytes, shorter than a 64-byte signature");
	free(s);
	s = assemble(bin, 63, "e30");
	reject_str(s, LICD_E_TOKEN, "body is 63 bytes");
	free(s);
	reject_str("v4.public.", LICD_E_TOKEN, "body is 0 bytes");
	reject_str("v4.public..e30", LICD_E_TOKEN, "body is 0 bytes");
	/* 64 bytes exactly is a (parseable) empty message. */
	s = assemble(bin, 64, NULL);
	struct tok t;
	assert_int_equal(tok_parse(s, strlen(s), &t, NULL), 0);
	assert_int_equal(t.msg_len, 0);
	assert_memory_equal(t.sig, bin, 64);
	tok_free(&t);
	free(s);
}

static void
test_reject_extra_dots(void **state)
{
	const struct keys *k = *state;
	char *s, *bad;

	s = sign(k, MSG, strlen(MSG), FOOT, IMPL);
	bad = malloc(strlen(s) + 8);
	assert_non_null(bad);
	sprintf(bad, "%s.e30", s);
	reject_str(bad, LICD_E_TOKEN, "token: more than one '.' after v4.public.");
	sprintf(bad, "%s.", s);
	reject_str(bad, LICD_E_TOKEN, "more than one '.'");
	free(bad);
	free(s);
	/* A "." with nothing after it is not the canonical no-footer form. */
	s = sign(k, MSG, strlen(MSG), NULL, IMPL);
	bad = malloc(strlen(s) + 2);
	assert_non_null(bad);
	sprintf(bad, "%s.", s);
	reject_str(bad, LICD_E_TOKEN, "token: empty footer after '.'");
	free(bad);
	free(s);
}

static void
test_reject_oversize(void **state)
{
	const struct keys *k = *state;
	/* 10 + B64(49080 + 64) = 65536 = TOK_MAX_LEN exactly. */
	const size_t fits = 49080;
	char *m, *s, *bad;
	struct tok t;

	m = malloc(fits + 1);
	assert_non_null(m);
	memset(m, 'a', fits + 1);
	s = sign(k, m, fits, NULL, IMPL);
	assert_int_equal(strlen(s), TOK_MAX_LEN);
	assert_int_equal(tok_parse(s, strlen(s), &t, NULL), 0);
	assert_int_equal(tok_verify(&t, k->pk, (const uint8_t *)IMPL,
	    strlen(IMPL)), 0);
	tok_free(&t);
	/* One byte more: refused by the signer and by the parser. */
	char *none = (char *)1;
	assert_int_equal(tok_sign(k->sk, (const uint8_t *)m, fits + 1, NULL,
	    0, NULL, 0, &none), -LICD_E_TOO_LARGE);
	assert_null(none);
	bad = malloc(TOK_MAX_LEN + 5);
	assert_non_null(bad);
	sprintf(bad, "%sAAAA", s);
	reject(bad, TOK_MAX_LEN + 1, LICD_E_TOO_LARGE, "token: longer than 65536 bytes");
	reject(bad, TOK_MAX_LEN + 4, LICD_E_TOO_LARGE, "longer than");
	free(bad);
	free(s);
	free(m);
}

static void
test_implicit_mismatch(void **state)
{
	const struct keys *k = *state;
	static const char *const others[] = { "licd:v1:order",
	    "licd:v1:licencE", "licd:v1:licence ", "licd:v1:licenc", "" };
	struct tok t;
	char *s;
	size_t j;

	s = sign(k, MSG, strlen(MSG), FOOT, IMPL);
	assert_int_equal(tok_parse(s, strlen(s), &t, NULL), 0);
	for (j = 0; j < sizeof(others) / sizeof(others[0]); j++)
		assert_int_equal(tok_verify(&t, k->pk,
		    (const uint8_t *)others[j], strlen(others[j])),
		    -LICD_E_SIGNATURE);
	assert_int_equal(tok_verify(&t, k->pk, NULL, 0), -LICD_E_SIGNATURE);
	assert_int_equal(tok_verify(&t, k->pk, (const uint8_t *)IMPL,
	    strlen(IMPL)), 0);
	tok_free(&t);
	free(s);
}

/* Flip each byte of message, footer and signature in turn. */
static void
test_tampered(void **state)
{
	const struct keys *k = *state;
	uint8_t pk2[TOK_PK_LEN], sk2[TOK_SK_LEN];
	struct tok t;
	size_t j;
	char *s;

	s = sign(k, MSG, strlen(MSG), FOOT, IMPL);
	assert_int_equal(tok_parse(s, strlen(s), &t, NULL), 0);
#define CHECK_FLIPS(buf, n) do {					\
	for (j = 0; j < (n); j++) {					\
		(buf)[j] ^= 0x01;					\
		assert_int_equal(tok_verify(&t, k->pk,			\
		    (const uint8_t *)IMPL, strlen(IMPL)),		\
		    -LICD_E_SIGNATURE);					\
		(buf)[j] ^= 0x01;					\
	}								\
} while (0)
	CHECK_FLIPS(t.msg, t.msg_len);
	CHECK_FLIPS(t.footer, t.footer_len);
	CHECK_FLIPS(t.sig, TOK_SIG_LEN);
	/* Footer removed, message truncated. */
	size_t flen = t.footer_len;
	t.footer_len = 0;
	assert_int_equal(tok_verify(&t, k->pk, (const uint8_t *)IMPL,
	    strlen(IMPL)), -LICD_E_SIGNATURE);
	t.footer_len = flen;
	t.msg_len--;
	assert_int_equal(tok_verify(&t, k->pk, (const uint8_t *)IMPL,
	    strlen(IMPL)), -LICD_E_SIGNATURE);
	t.msg_len++;
	/* Another key. */
	crypto_sign_keypair(pk2, sk2);
	assert_int_equal(tok_verify(&t, pk2, (const uint8_t *)IMPL,
	    strlen(IMPL)), -LICD_E_SIGNATURE);
	assert_int_equal(tok_verify(&t, k->pk, (const uint8_t *)IMPL,
	    strlen(IMPL)), 0);
	sodium_memzero(sk2, sizeof(sk2));
	tok_free(&t);
	free(s);
#undef CHECK_FLIPS
}

/* Tampering with the text: a changed footer section, a swapped footer. */
static void
test_tampered_text(void **state)
{
	const struct keys *k = *state;
	const char *other = "{\"kid\":\"k4.pid.y\",\"typ\":\"licence\"}";
	char *s, *s2, *bad;
	struct tok t;
	size_t cut;

	s = sign(k, MSG, strlen(MSG), FOOT, IMPL);
	s2 = sign(k, MSG, strlen(MSG), other, IMPL);
	cut = (size_t)(strchr(s + 10, '.') - s);
	bad = malloc(strlen(s) + strlen(s2));
	assert_non_null(bad);
	sprintf(bad, "%.*s%s", (int)cut, s, strchr(s2 + 10, '.'));
	assert_int_equal(tok_parse(bad, strlen(bad), &t, NULL), 0);
	assert_int_equal(tok_verify(&t, k->pk, (const uint8_t *)IMPL,
	    strlen(IMPL)), -LICD_E_SIGNATURE);
	tok_free(&t);
	/* The footer dropped. */
	bad[cut] = '\0';
	assert_int_equal(tok_parse(bad, strlen(bad), &t, NULL), 0);
	assert_int_equal(tok_verify(&t, k->pk, (const uint8_t *)IMPL,
	    strlen(IMPL)), -LICD_E_SIGNATURE);
	tok_free(&t);
	free(bad);
	free(s2);
	free(s);
}

/* Exact lengths before libsodium: a valid signature with a byte appended,
 * or a key with one, fails; so does one byte missing. */
static void
test_ed25519_exact_lengths(void **state)
{
	const struct keys *k = *state;
	uint8_t sig[TOK_SIG_LEN + 1], pk[TOK_PK_LEN + 1];
	const uint8_t m[3] = { 'a', 'b', 'c' };

	crypto_sign_detached(sig, NULL, m, 3, k->sk);
	sig[TOK_SIG_LEN] = 0;
	memcpy(pk, k->pk, TOK_PK_LEN);
	pk[TOK_PK_LEN] = 0;
	assert_int_equal(tok_ed25519_verify(sig, 64, m, 3, pk, 32), 0);
	assert_int_equal(tok_ed25519_verify(sig, 65, m, 3, pk, 32),
	    -LICD_E_SIGNATURE);
	assert_int_equal(tok_ed25519_verify(sig, 63, m, 3, pk, 32),
	    -LICD_E_SIGNATURE);
	assert_int_equal(tok_ed25519_verify(sig, 64, m, 3, pk, 33),
	    -LICD_E_SIGNATURE);
	assert_int_equal(tok_ed25519_verify(sig, 64, m, 3, pk, 31),
	    -LICD_E_SIGNATURE);
	assert_int_equal(tok_ed25519_verify(sig, 0, m, 3, pk, 32),
	    -LICD_E_SIGNATURE);
	/* Empty message, NULL pointer. */
	crypto_sign_detached(sig, NULL, m, 0, k->sk);
	assert_int_equal(tok_ed25519_verify(sig, 64, NULL, 0, pk, 32), 0);
}

/* A secret key whose public half is not its seed's is refused: signing
 * with it would leak the key (the "double public key" oracle). */
static void
test_sign_mismatched_key(void **state)
{
	const struct keys *k = *state;
	uint8_t sk[TOK_SK_LEN];
	char *s = (char *)1;

	assert_int_equal(tok_sk_check(k->sk), 0);
	memcpy(sk, k->sk, sizeof(sk));
	sk[40] ^= 0x80;
	assert_int_equal(tok_sk_check(sk), -LICD_E_KEY);
	assert_int_equal(tok_sign(sk, (const uint8_t *)MSG, strlen(MSG), NULL,
	    0, NULL, 0, &s), -LICD_E_KEY);
	assert_null(s);
	sodium_memzero(sk, sizeof(sk));
}

static void
test_encode_forms(void **state)
{
	uint8_t sig[TOK_SIG_LEN];
	char *s;

	(void)state;
	memset(sig, 0, sizeof(sig));
	assert_int_equal(tok_encode((const uint8_t *)"", 0, sig, NULL, 0, &s),
	    0);
	/* 64 zero bytes: 86 'A's, no padding, no '.'. */
	assert_int_equal(strlen(s), 10 + 86);
	assert_int_equal(strncmp(s, "v4.public.", 10), 0);
	assert_int_equal(strspn(s + 10, "A"), 86);
	free(s);
	assert_int_equal(tok_encode((const uint8_t *)"", 0, sig,
	    (const uint8_t *)"{}", 2, &s), 0);
	assert_string_equal(s + strlen(s) - 4, ".e30");
	free(s);
	assert_int_equal(tok_encode(NULL, TOK_MAX_LEN + 1, sig, NULL, 0, &s),
	    -LICD_E_TOO_LARGE);
	assert_null(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pae_known_answers),
		cmocka_unit_test(test_sig_input_layout),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_roundtrip_no_footer_empty_message),
		cmocka_unit_test(test_roundtrip_lengths),
		cmocka_unit_test(test_reject_prefix),
		cmocka_unit_test(test_reject_padding),
		cmocka_unit_test(test_reject_standard_alphabet),
		cmocka_unit_test(test_reject_other_bytes),
		cmocka_unit_test(test_reject_len_mod4_1),
		cmocka_unit_test(test_reject_trailing_bits),
		cmocka_unit_test(test_reject_short_body),
		cmocka_unit_test(test_reject_extra_dots),
		cmocka_unit_test(test_reject_oversize),
		cmocka_unit_test(test_implicit_mismatch),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_tampered_text),
		cmocka_unit_test(test_ed25519_exact_lengths),
		cmocka_unit_test(test_sign_mismatched_key),
		cmocka_unit_test(test_encode_forms),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
