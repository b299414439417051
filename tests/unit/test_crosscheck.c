/* SPDX-License-Identifier: MIT */
/* Cross-check against OpenSSL (the issuer's signer, DESIGN 3.2): tokens
 * signed with EVP Ed25519 verify with tok_verify() (libsodium), and tokens
 * from tok_sign() verify with EVP_DigestVerify, for random keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "lerr.h"
#include "tok.h"

#define ROUNDS	64

static const char *const types[] = { "licd:v1:root", "licd:v1:licence",
	"licd:v1:order", "licd:v1:status", "" };

/* A random message, footer and implicit assertion of random lengths. */
struct input {
	uint8_t m[600], f[80];
	size_t mlen, flen;
	const char *i;
};

static void
random_input(struct input *in)
{
	in->mlen = randombytes_uniform(sizeof(in->m) + 1);
	in->flen = randombytes_uniform(sizeof(in->f) + 1);
	randombytes_buf(in->m, in->mlen);
	randombytes_buf(in->f, in->flen);
	in->i = types[randombytes_uniform(sizeof(types) / sizeof(types[0]))];
}

static int
evp_sign(const uint8_t seed[32], const uint8_t *msg, size_t len,
    uint8_t sig[TOK_SIG_LEN])
{
	EVP_PKEY *key;
	EVP_MD_CTX *ctx;
	size_t siglen = TOK_SIG_LEN;
	int ok;

	key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	ctx = EVP_MD_CTX_new();
	ok = key != NULL && ctx != NULL &&
	    EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1 &&
	    EVP_DigestSign(ctx, sig, &siglen, msg, len) == 1 &&
	    siglen == TOK_SIG_LEN;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return ok ? 0 : -1;
}

/* 1 valid, 0 invalid, -1 OpenSSL error. */
static int
evp_verify(const uint8_t pk[32], const uint8_t *msg, size_t len,
    const uint8_t sig[TOK_SIG_LEN])
{
	EVP_PKEY *key;
	EVP_MD_CTX *ctx;
	int r = -1;

	key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, 32);
	ctx = EVP_MD_CTX_new();
	if (key != NULL && ctx != NULL &&
	    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1)
		r = EVP_DigestVerify(ctx, sig, TOK_SIG_LEN, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return r;
}

static void
sig_input(const struct input *in, uint8_t **out, size_t *outlen)
{
	assert_int_equal(tok_sig_input(in->m, in->mlen, in->f, in->flen,
	    (const uint8_t *)in->i, strlen(in->i), out, outlen), 0);
}

static void
test_openssl_signs_libsodium_verifies(void **state)
{
	uint8_t seed[32], pk[32], sk[64], sig[TOK_SIG_LEN], ref[TOK_SIG_LEN];
	struct input in;
	struct tok t;
	uint8_t *msg;
	size_t len;
	char *s;
	int k;

	(void)state;
	for (k = 0; k < ROUNDS; k++) {
		randombytes_buf(seed, sizeof(seed));
		crypto_sign_seed_keypair(pk, sk, seed);
		random_input(&in);
		sig_input(&in, &msg, &len);
		assert_int_equal(evp_sign(seed, msg, len, sig), 0);
		/* Same bytes as libsodium's own (deterministic Ed25519). */
		crypto_sign_detached(ref, NULL, msg, len, sk);
		assert_memory_equal(sig, ref, TOK_SIG_LEN);
		assert_int_equal(tok_encode(in.m, in.mlen, sig, in.f, in.flen,
		    &s), 0);
		assert_int_equal(tok_parse(s, strlen(s), &t, NULL), 0);
		assert_int_equal(tok_verify(&t, pk, (const uint8_t *)in.i,
		    strlen(in.i)), 0);
		/* And not under another type. */
		assert_int_equal(tok_verify(&t, pk, (const uint8_t *)"x", 1),
		    -LICD_E_SIGNATURE);
		tok_free(&t);
		free(s);
		free(msg);
	}
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(sk, sizeof(sk));
}

static void
test_libsodium_signs_openssl_verifies(void **state)
{
	uint8_t pk[32], sk[64];
	struct input in;
	struct tok t;
	uint8_t *msg;
	size_t len;
	char *s;
	int k;

	(void)state;
	for (k = 0; k < ROUNDS; k++) {
		crypto_sign_keypair(pk, sk);
		random_input(&in);
		assert_int_equal(tok_sign(sk, in.m, in.mlen, in.f, in.flen,
		    (const uint8_t *)in.i, strlen(in.i), &s), 0);
		assert_int_equal(tok_parse(s, strlen(s), &t, NULL), 0);
		assert_int_equal(t.msg_len, in.mlen);
		assert_int_equal(t.footer_len, in.flen);
		sig_input(&in, &msg, &len);
		assert_int_equal(evp_verify(pk, msg, len, t.sig), 1);
		/* A flipped bit fails for OpenSSL too. */
		t.sig[randombytes_uniform(TOK_SIG_LEN)] ^=
		    (uint8_t)(1u << randombytes_uniform(8));
		assert_int_equal(evp_verify(pk, msg, len, t.sig), 0);
		assert_int_equal(tok_verify(&t, pk, (const uint8_t *)in.i,
		    strlen(in.i)), -LICD_E_SIGNATURE);
		tok_free(&t);
		free(s);
		free(msg);
	}
	sodium_memzero(sk, sizeof(sk));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openssl_signs_libsodium_verifies),
		cmocka_unit_test(test_libsodium_signs_openssl_verifies),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
