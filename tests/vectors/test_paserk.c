/* SPDX-License-Identifier: MIT */
/* PASERK known answers (paseto-standard/test-vectors PASERK/k4.public.json
 * and k4.pid.json): valid keys and ids reproduce, failures are bad-key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "b64.h"
#include "lerr.h"
#include "paserk.h"

#define DATA	LICD_SRCDIR "/tests/vectors/data/paseto/"

static json_t *
load(const char *file)
{
	json_error_t err;
	json_t *root = json_load_file(file, 0, &err);

	if (root == NULL)
		fail_msg("%s:%d: %s", file, err.line, err.text);
	return json_object_get(root, "tests") ? root : NULL;
}

/* The key of a vector: hex of any length, decoded into key (cap 64). */
static size_t
key_of(json_t *t, uint8_t key[64])
{
	const char *h = json_string_value(json_object_get(t, "key"));
	size_t n = 0;

	assert_non_null(h);
	assert_int_equal(sodium_hex2bin(key, 64, h, strlen(h), NULL, &n, NULL),
	    0);
	return n;
}

/* "<prefix>" || b64url(key, n): the text a wrong-sized key would have. */
static char *
text_of(const char *prefix, const uint8_t *key, size_t n)
{
	size_t cap = strlen(prefix) + B64_ENCODED_LEN(n) + 1;
	char *s = malloc(cap);

	assert_non_null(s);
	strcpy(s, prefix);
	assert_int_equal(b64_encode(key, n, s + strlen(prefix),
	    cap - strlen(prefix)), 0);
	return s;
}

static void
expect_bad_key(const char *s, const char *what)
{
	uint8_t pk[TOK_PK_LEN];
	struct lerr e = { 0 };

	assert_int_equal(paserk_public_decode(s, strlen(s), pk, &e),
	    -LICD_E_KEY);
	assert_int_equal(e.code, LICD_E_KEY);
	if (strstr(e.msg, what) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, what);
}

/*
 * A failure vector has only a key of the wrong size (31 bytes, or a
 * 49-byte compressed P-384 key of v3): whatever text it would take, as
 * k4.public or as its own version, it is not a k4.public key.
 */
static void
check_fail_key(json_t *t)
{
	uint8_t key[64];
	size_t n = key_of(t, key);
	char *s;

	assert_true(json_is_true(json_object_get(t, "expect-fail")));
	assert_true(json_is_null(json_object_get(t, "paserk")));
	assert_int_not_equal(n, TOK_PK_LEN);
	s = text_of("k4.public.", key, n);
	expect_bad_key(s, "expected 32-byte k4.public key");
	free(s);
	s = text_of("k3.public.", key, n);
	expect_bad_key(s, "expected prefix k4.public.");
	free(s);
}

static void
test_k4_public(void **state)
{
	json_t *root = load(DATA "k4.public.json"), *t;
	size_t k, valid = 0, failed = 0;

	(void)state;
	assert_non_null(root);
	json_array_foreach(json_object_get(root, "tests"), k, t) {
		const char *want = json_string_value(json_object_get(t,
		    "paserk"));
		uint8_t key[64], pk[TOK_PK_LEN];
		char out[PASERK_PUBLIC_LEN + 1];
		struct lerr e = { 0 };

		if (json_is_true(json_object_get(t, "expect-fail"))) {
			check_fail_key(t);
			failed++;
			continue;
		}
		assert_int_equal(key_of(t, key), TOK_PK_LEN);
		paserk_public_encode(key, out);
		assert_string_equal(out, want);
		assert_int_equal(paserk_public_decode(want, strlen(want), pk,
		    &e), 0);
		assert_memory_equal(pk, key, TOK_PK_LEN);
		valid++;
	}
	assert_int_equal(valid, 3);
	assert_int_equal(failed, 1);
	json_decref(root);
}

static void
test_k4_pid(void **state)
{
	json_t *root = load(DATA "k4.pid.json"), *t;
	size_t k, valid = 0, failed = 0;

	(void)state;
	assert_non_null(root);
	json_array_foreach(json_object_get(root, "tests"), k, t) {
		const char *want = json_string_value(json_object_get(t,
		    "paserk"));
		uint8_t key[64];
		paserk_kid kid;

		if (json_is_true(json_object_get(t, "expect-fail"))) {
			/* A pid is only computed from a decoded 32-byte key,
			 * and these keys do not decode. */
			check_fail_key(t);
			failed++;
			continue;
		}
		assert_int_equal(key_of(t, key), TOK_PK_LEN);
		memset(kid, 'x', sizeof(kid));
		paserk_pid(key, kid);
		assert_string_equal(kid, want);
		assert_int_equal(strlen(kid), PASERK_PID_LEN);
		assert_true(paserk_pid_valid(want, strlen(want)));
		valid++;
	}
	assert_int_equal(valid, 3);
	assert_int_equal(failed, 2);
	json_decref(root);
}

/* The pid definition spelled out: BLAKE2b-264 over the two prefixes and
 * the k4.public text, independently of paserk_pid(). */
static void
test_pid_definition(void **state)
{
	uint8_t pk[TOK_PK_LEN], h[33];
	char pub[PASERK_PUBLIC_LEN + 1], in[7 + PASERK_PUBLIC_LEN + 1];
	char want[PASERK_PID_LEN + 1];
	paserk_kid kid;
	int k;

	(void)state;
	for (k = 0; k < 50; k++) {
		randombytes_buf(pk, sizeof(pk));
		paserk_public_encode(pk, pub);
		strcpy(in, "k4.pid.");
		strcat(in, pub);
		crypto_generichash(h, sizeof(h), (const uint8_t *)in,
		    strlen(in), NULL, 0);
		strcpy(want, "k4.pid.");
		sodium_bin2base64(want + 7, sizeof(want) - 7, h, sizeof(h),
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		paserk_pid(pk, kid);
		assert_string_equal(kid, want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_k4_public),
		cmocka_unit_test(test_k4_pid),
		cmocka_unit_test(test_pid_definition),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
