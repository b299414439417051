/* SPDX-License-Identifier: MIT */
/* PASERK k4 keys and key ids: the only text forms of Ed25519 keys, decoded
 * to exact sizes (DESIGN 3.2). */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "b64.h"
#include "lerr.h"
#include "paserk.h"

#define PID_HASH_LEN	33	/* BLAKE2b-264 */

/* One PASERK type: its prefix, text length and key length. */
struct kind {
	const char *name;
	const char *prefix;
	size_t textlen;
	size_t keylen;
};

static const struct kind k4_public = {
	"k4.public", PASERK_PUBLIC_PREFIX, PASERK_PUBLIC_LEN, TOK_PK_LEN
};
static const struct kind k4_secret = {
	"k4.secret", PASERK_SECRET_PREFIX, PASERK_SECRET_LEN, TOK_SK_LEN
};

/* Decode exactly k->keylen bytes into out; out holds garbage on failure. */
static int
key_decode(const struct kind *k, const char *s, size_t len, uint8_t *out,
    struct lerr *e)
{
	size_t plen = strlen(k->prefix), got = 0;
	const char *why;

	if (len < plen || memcmp(s, k->prefix, plen) != 0)
		return lerr_set(e, LICD_E_KEY, "key: expected prefix %s",
		    k->prefix);
	if (len != k->textlen)
		return lerr_set(e, LICD_E_KEY, "key: expected %zu-byte %s key "
		    "(%zu characters), got %zu characters", k->keylen, k->name,
		    k->textlen, len);
	if ((why = b64_invalid(s + plen, len - plen)) != NULL)
		return lerr_set(e, LICD_E_KEY, "key: base64url %s", why);
	if (b64_decode(s + plen, len - plen, out, k->keylen, &got) != 0 ||
	    got != k->keylen)
		return lerr_set(e, LICD_E_KEY, "key: expected %zu-byte %s key",
		    k->keylen, k->name);
	return 0;
}

/* prefix || b64url(key) into out (k->textlen + 1 bytes). */
static void
key_encode(const struct kind *k, const uint8_t *key, char *out)
{
	size_t plen = strlen(k->prefix);

	memcpy(out, k->prefix, plen);
	/* Cannot fail: the sizes are the constants of the header. */
	(void)b64_encode(key, k->keylen, out + plen, k->textlen + 1 - plen);
}

int
paserk_public_decode(const char *s, size_t len, uint8_t pk[TOK_PK_LEN],
    struct lerr *e)
{
	return key_decode(&k4_public, s, len, pk, e);
}

void
paserk_public_encode(const uint8_t pk[TOK_PK_LEN],
    char out[PASERK_PUBLIC_LEN + 1])
{
	key_encode(&k4_public, pk, out);
}

int
paserk_secret_decode(const char *s, size_t len, uint8_t sk[TOK_SK_LEN],
    struct lerr *e)
{
	int r;

	if ((r = key_decode(&k4_secret, s, len, sk, e)) != 0)
		goto out;
	if (tok_sk_check(sk) != 0) {
		r = lerr_set(e, LICD_E_KEY, "key: k4.secret public half does "
		    "not match its seed");
		goto out;
	}
	/* success */
	r = 0;
 out:
	if (r != 0)
		sodium_memzero(sk, TOK_SK_LEN);
	return r;
}

void
paserk_secret_encode(const uint8_t sk[TOK_SK_LEN],
    char out[PASERK_SECRET_LEN + 1])
{
	key_encode(&k4_secret, sk, out);
}

void
paserk_pid(const uint8_t pk[TOK_PK_LEN], paserk_kid out)
{
	const size_t plen = sizeof(PASERK_PID_PREFIX) - 1;
	char pub[PASERK_PUBLIC_LEN + 1];
	uint8_t h[PID_HASH_LEN];
	crypto_generichash_state st;

	paserk_public_encode(pk, pub);
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const uint8_t *)PASERK_PID_PREFIX,
	    plen);
	crypto_generichash_update(&st, (const uint8_t *)pub, PASERK_PUBLIC_LEN);
	crypto_generichash_final(&st, h, sizeof(h));
	memcpy(out, PASERK_PID_PREFIX, plen);
	(void)b64_encode(h, sizeof(h), out + plen, PASERK_PID_LEN + 1 - plen);
}

int
paserk_pid_valid(const char *s, size_t len)
{
	const size_t plen = sizeof(PASERK_PID_PREFIX) - 1;
	uint8_t h[PID_HASH_LEN];
	size_t got = 0;

	if (s == NULL || len != PASERK_PID_LEN ||
	    memcmp(s, PASERK_PID_PREFIX, plen) != 0)
		return 0;
	return b64_decode(s + plen, len - plen, h, sizeof(h), &got) == 0 &&
	    got == sizeof(h);
}
