/* SPDX-License-Identifier: MIT */
/* Unit tests for common/paserk.c: one negative test per key rule of
 * DESIGN 3.2 (prefix, exact length, strict base64url, secret halves). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "b64.h"
#include "lerr.h"
#include "paserk.h"

static void
pub_rejects(const char *s, size_t len, const char *what)
{
	uint8_t pk[TOK_PK_LEN];
	struct lerr e = { 0 };

	assert_int_equal(paserk_public_decode(s, len, pk, &e), -LICD_E_KEY);
	assert_int_equal(e.code, LICD_E_KEY);
	if (strstr(e.msg, what) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, what);
}

static void
sec_rejects(const char *s, const char *what)
{
	uint8_t sk[TOK_SK_LEN];
	struct lerr e = { 0 };
	static const uint8_t zero[TOK_SK_LEN];

	memset(sk, 0xa5, sizeof(sk));
	assert_int_equal(paserk_secret_decode(s, strlen(s), sk, &e),
	    -LICD_E_KEY);
	assert_int_equal(e.code, LICD_E_KEY);
	if (strstr(e.msg, what) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, what);
	assert_memory_equal(sk, zero, sizeof(sk));	/* wiped */
}

static void
test_public_roundtrip(void **state)
{
	uint8_t pk[TOK_PK_LEN], back[TOK_PK_LEN];
	char s[PASERK_PUBLIC_LEN + 1];
	int k;

	(void)state;
	for (k = 0; k < 100; k++) {
		randombytes_buf(pk, sizeof(pk));
		paserk_public_encode(pk, s);
		assert_int_equal(strlen(s), PASERK_PUBLIC_LEN);
		assert_int_equal(paserk_public_decode(s, strlen(s), back,
		    NULL), 0);
		assert_memory_equal(back, pk, sizeof(pk));
	}
}

static void
test_public_rejects(void **state)
{
	uint8_t pk[TOK_PK_LEN];
	char s[PASERK_PUBLIC_LEN + 1], bad[PASERK_PUBLIC_LEN + 4];

	(void)state;
	randombytes_buf(pk, sizeof(pk));
	paserk_public_encode(pk, s);
	/* Another version, purpose or case. */
	static const char *const pre[] = { "k3.public.", "k2.public.",
	    "K4.public.", "k4.secret.", "k4.local..", "v4.public." };
	for (size_t j = 0; j < sizeof(pre) / sizeof(pre[0]); j++) {
		memcpy(bad, s, sizeof(s));
		memcpy(bad, pre[j], 10);
		pub_rejects(bad, strlen(bad), "key: expected prefix k4.public.");
	}
	pub_rejects("", 0, "expected prefix k4.public.");
	/* Length: a character short or long (given and via len). */
	pub_rejects(s, PASERK_PUBLIC_LEN - 1, "expected 32-byte k4.public key");
	pub_rejects(s, 10, "expected 32-byte k4.public key");
	snprintf(bad, sizeof(bad), "%sA", s);
	pub_rejects(bad, strlen(bad), "expected 32-byte k4.public key");
	/* Padding: 43 characters + "=" would be standard padded base64. */
	memcpy(bad, s, sizeof(s));
	bad[PASERK_PUBLIC_LEN - 1] = '=';
	pub_rejects(bad, strlen(bad), "key: base64url has '=' padding");
	/* Standard alphabet. */
	memcpy(bad, s, sizeof(s));
	bad[20] = '+';
	pub_rejects(bad, strlen(bad), "outside the URL-safe alphabet");
	bad[20] = '/';
	pub_rejects(bad, strlen(bad), "outside the URL-safe alphabet");
	/* Trailing bits: 32 bytes = 43 characters, 2 unused bits. */
	memcpy(bad, s, sizeof(s));
	pk[31] = 0;
	paserk_public_encode(pk, bad);
	assert_int_equal(bad[PASERK_PUBLIC_LEN - 1], 'A');
	bad[PASERK_PUBLIC_LEN - 1] = 'B';
	pub_rejects(bad, strlen(bad), "key: base64url has non-zero trailing bits");
}

static void
test_secret_roundtrip(void **state)
{
	uint8_t pk[TOK_PK_LEN], *sk, *back;
	char s[PASERK_SECRET_LEN + 1];

	(void)state;
	sk = sodium_malloc(TOK_SK_LEN);
	back = sodium_malloc(TOK_SK_LEN);
	assert_non_null(sk);
	assert_non_null(back);
	crypto_sign_keypair(pk, sk);
	paserk_secret_encode(sk, s);
	assert_int_equal(strlen(s), PASERK_SECRET_LEN);
	assert_int_equal(strncmp(s, "k4.secret.", 10), 0);
	assert_int_equal(paserk_secret_decode(s, strlen(s), back, NULL), 0);
	assert_memory_equal(back, sk, TOK_SK_LEN);
	sodium_memzero(s, sizeof(s));
	sodium_free(sk);
	sodium_free(back);
}

/* The PASETO 4-S secret key in PASERK form (seed || pk, as libsodium). */
static void
test_secret_known(void **state)
{
	static const char seed_hex[] = "b4cbfb43df4ce210727d953e4a713307"
	    "fa19bb7d9f85041438d9e11b942a3774";
	static const char pk_hex[] = "1eb9dbbbbc047c03fd70604e0071f098"
	    "7e16b28b757225c11f00415d0e20b1a2";
	uint8_t seed[32], pk[32], want[64], sk[64], pk2[32];
	char s[PASERK_SECRET_LEN + 1];

	(void)state;
	assert_int_equal(sodium_hex2bin(seed, 32, seed_hex, 64, NULL, NULL,
	    NULL), 0);
	assert_int_equal(sodium_hex2bin(pk, 32, pk_hex, 64, NULL, NULL, NULL),
	    0);
	crypto_sign_seed_keypair(pk2, want, seed);
	assert_memory_equal(pk2, pk, 32);
	paserk_secret_encode(want, s);
	assert_int_equal(paserk_secret_decode(s, strlen(s), sk, NULL), 0);
	assert_memory_equal(sk, want, 64);
	assert_memory_equal(sk + 32, pk, 32);
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(want, sizeof(want));
}

static void
test_secret_rejects(void **state)
{
	uint8_t pk[TOK_PK_LEN], sk[TOK_SK_LEN], other[TOK_SK_LEN];
	uint8_t scratch[TOK_SK_LEN];
	char s[PASERK_SECRET_LEN + 1], bad[PASERK_SECRET_LEN + 2];

	(void)state;
	crypto_sign_keypair(pk, sk);
	paserk_secret_encode(sk, s);
	memcpy(bad, s, sizeof(s));
	memcpy(bad, "k3.secret.", 10);
	sec_rejects(bad, "key: expected prefix k4.secret.");
	memcpy(bad, "k4.public.", 10);
	sec_rejects(bad, "expected prefix k4.secret.");
	paserk_public_encode(pk, bad);
	sec_rejects(bad, "expected prefix k4.secret.");
	/* Only the 32-byte seed: wrong length. */
	memcpy(bad, "k4.secret.", 10);
	assert_int_equal(b64_encode(sk, 32, bad + 10, sizeof(bad) - 10), 0);
	sec_rejects(bad, "key: expected 64-byte k4.secret key");
	snprintf(bad, sizeof(bad), "%sA", s);
	sec_rejects(bad, "expected 64-byte k4.secret key");
	/* 64 bytes = 86 characters, 4 unused bits in the last. */
	memcpy(bad, s, sizeof(s));
	bad[PASERK_SECRET_LEN - 2] = '=';
	bad[PASERK_SECRET_LEN - 1] = '=';
	sec_rejects(bad, "'=' padding");
	memcpy(bad, s, sizeof(s));
	bad[12] = '+';
	sec_rejects(bad, "outside the URL-safe alphabet");
	memcpy(bad, s, sizeof(s));
	{
		static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-_";
		int v = (int)(strchr(alpha, bad[PASERK_SECRET_LEN - 1]) - alpha);

		assert_int_equal(v & 0x0f, 0);
		bad[PASERK_SECRET_LEN - 1] = alpha[v | 1];
	}
	sec_rejects(bad, "non-zero trailing bits");
	/* A public half that is not the seed's: another key's, or flipped. */
	crypto_sign_keypair(pk, scratch);
	memcpy(other, sk, 32);
	memcpy(other + 32, pk, 32);
	paserk_secret_encode(other, bad);
	sec_rejects(bad, "key: k4.secret public half does not match its seed");
	memcpy(other, sk, sizeof(other));
	other[63] ^= 1;
	paserk_secret_encode(other, bad);
	sec_rejects(bad, "does not match its seed");
	sodium_memzero(sk, sizeof(sk));
	sodium_memzero(other, sizeof(other));
	sodium_memzero(scratch, sizeof(scratch));
	sodium_memzero(s, sizeof(s));
	sodium_memzero(bad, sizeof(bad));
}

static void
test_pid_valid(void **state)
{
	uint8_t pk[TOK_PK_LEN];
	paserk_kid kid;
	char bad[PASERK_PID_LEN + 2];

	(void)state;
	randombytes_buf(pk, sizeof(pk));
	paserk_pid(pk, kid);
	assert_true(paserk_pid_valid(kid, strlen(kid)));
	assert_false(paserk_pid_valid(kid, strlen(kid) - 1));
	assert_false(paserk_pid_valid(NULL, 0));
	assert_false(paserk_pid_valid("", 0));
	snprintf(bad, sizeof(bad), "%sA", kid);
	assert_false(paserk_pid_valid(bad, strlen(bad)));
	memcpy(bad, kid, sizeof(kid));
	memcpy(bad, "k3", 2);
	assert_false(paserk_pid_valid(bad, strlen(bad)));
	memcpy(bad, kid, sizeof(kid));
	memcpy(bad, "k4.lid.", 7);
	assert_false(paserk_pid_valid(bad, strlen(bad)));
	memcpy(bad, kid, sizeof(kid));
	bad[20] = '+';
	assert_false(paserk_pid_valid(bad, strlen(bad)));
	bad[20] = '=';
	assert_false(paserk_pid_valid(bad, strlen(bad)));
	bad[20] = '.';
	assert_false(paserk_pid_valid(bad, strlen(bad)));
	bad[20] = '\0';
	assert_false(paserk_pid_valid(bad, PASERK_PID_LEN));
	/* A k4.public text is not a pid, nor is a pid of 32 bytes. */
	char pub[PASERK_PUBLIC_LEN + 1];
	paserk_public_encode(pk, pub);
	assert_false(paserk_pid_valid(pub, strlen(pub)));
	memcpy(bad, "k4.pid.", 7);
	assert_int_equal(b64_encode(pk, 32, bad + 7, sizeof(bad) - 7), 0);
	assert_false(paserk_pid_valid(bad, strlen(bad)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_public_roundtrip),
		cmocka_unit_test(test_public_rejects),
		cmocka_unit_test(test_secret_roundtrip),
		cmocka_unit_test(test_secret_known),
		cmocka_unit_test(test_secret_rejects),
		cmocka_unit_test(test_pid_valid),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
