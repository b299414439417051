/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the token and key parsers: no crash, no leak, and
 * whatever parses re-encodes to the very same text (one text per value). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "b64.h"
#include "lerr.h"
#include "paserk.h"
#include "tok.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The PASETO 4-S vectors' key, so their tokens reach a valid signature. */
static const uint8_t pk[TOK_PK_LEN] = {
	0x1e, 0xb9, 0xdb, 0xbb, 0xbc, 0x04, 0x7c, 0x03, 0xfd, 0x70, 0x60,
	0x4e, 0x00, 0x71, 0xf0, 0x98, 0x7e, 0x16, 0xb2, 0x8b, 0x75, 0x72,
	0x25, 0xc1, 0x1f, 0x00, 0x41, 0x5d, 0x0e, 0x20, 0xb1, 0xa2
};

static void
fuzz_tok(const char *s, size_t n)
{
	static const char impl[] = "{\"test-vector\":\"4-S-3\"}";
	struct lerr e = { 0 };
	struct tok t;
	char *again = NULL;
	int r;

	if (tok_parse(s, n, &t, &e) != 0) {
		if (e.code == 0 || e.msg[0] == '\0')
			abort();
		return;
	}
	if (tok_encode(t.msg, t.msg_len, t.sig, t.footer, t.footer_len,
	    &again) != 0 || strlen(again) != n || memcmp(again, s, n) != 0)
		abort();	/* a second text for the same token */
	r = tok_verify(&t, pk, NULL, 0);
	if (r != 0 && r != -LICD_E_SIGNATURE)
		abort();
	r = tok_verify(&t, pk, (const uint8_t *)impl, sizeof(impl) - 1);
	if (r != 0 && r != -LICD_E_SIGNATURE)
		abort();
	free(again);
	tok_free(&t);
}

static void
fuzz_b64(const char *s, size_t n)
{
	uint8_t *bin;
	char *again;
	size_t got = 0;

	if ((bin = malloc(n + 1)) == NULL)
		return;
	if (b64_decode(s, n, bin, n, &got) == 0) {
		if ((again = malloc(n + 1)) == NULL)
			abort();
		if (b64_encode(bin, got, again, n + 1) != 0 ||
		    strlen(again) != n || memcmp(again, s, n) != 0)
			abort();
		free(again);
	} else if (b64_invalid(s, n) == NULL && n > 0) {
		abort();	/* the two must agree */
	}
	free(bin);
}

static void
fuzz_keys(const char *s, size_t n)
{
	uint8_t key[TOK_PK_LEN], sk[TOK_SK_LEN];
	char pub[PASERK_PUBLIC_LEN + 1], sec[PASERK_SECRET_LEN + 1];

	if (paserk_public_decode(s, n, key, NULL) == 0) {
		paserk_public_encode(key, pub);
		if (n != PASERK_PUBLIC_LEN || memcmp(pub, s, n) != 0)
			abort();
	}
	if (paserk_secret_decode(s, n, sk, NULL) == 0) {
		paserk_secret_encode(sk, sec);
		if (n != PASERK_SECRET_LEN || memcmp(sec, s, n) != 0)
			abort();
	}
	(void)paserk_pid_valid(s, n);
	sodium_memzero(sk, sizeof(sk));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so ASan sees any read past len. */
	char *s = malloc(size ? size : 1);

	if (s == NULL || sodium_init() < 0)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	fuzz_tok(s, size);
	fuzz_b64(s, size);
	if (size > 0 && size <= PASERK_SECRET_LEN)
		fuzz_keys(s, size);
	free(s);
	return 0;
}
