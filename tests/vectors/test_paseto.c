/* SPDX-License-Identifier: MIT */
/* PASETO v4 known answers (paseto-standard/test-vectors v4.json): the
 * v4.public cases verify and re-sign byte for byte; the failure cases are
 * rejected by the parser or the verifier as each deserves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "lerr.h"
#include "tok.h"

#define V4_JSON	LICD_SRCDIR "/tests/vectors/data/paseto/v4.json"

static int
load(void **state)
{
	json_error_t err;
	json_t *root = json_load_file(V4_JSON, 0, &err);

	if (root == NULL) {
		print_error("%s:%d: %s\n", V4_JSON, err.line, err.text);
		return -1;
	}
	*state = root;
	return 0;
}

static int
unload(void **state)
{
	json_decref(*state);
	return 0;
}

static json_t *
vector(void **state, const char *name)
{
	json_t *tests = json_object_get(*state, "tests"), *t;
	size_t k;

	json_array_foreach(tests, k, t) {
		if (strcmp(json_string_value(json_object_get(t, "name")),
		    name) == 0)
			return t;
	}
	fail_msg("vector %s not found", name);
	return NULL;
}

static const char *
str(json_t *t, const char *field)
{
	const char *s = json_string_value(json_object_get(t, field));

	assert_non_null(s);
	return s;
}

static void
hex(json_t *t, const char *field, uint8_t *out, size_t len)
{
	const char *h = str(t, field);
	size_t n = 0;

	assert_int_equal(strlen(h), 2 * len);
	assert_int_equal(sodium_hex2bin(out, len, h, strlen(h), NULL, &n,
	    NULL), 0);
	assert_int_equal(n, len);
}

static void
check_sign(void **state, const char *name)
{
	json_t *t = vector(state, name);
	struct tok tk;
	const char *tokstr = str(t, "token"), *payload = str(t, "payload");
	const char *footer = str(t, "footer");
	const char *impl = str(t, "implicit-assertion");
	uint8_t pk[TOK_PK_LEN], sk[TOK_SK_LEN];
	struct lerr e = { 0 };
	char *s = NULL;

	assert_false(json_is_true(json_object_get(t, "expect-fail")));
	hex(t, "public-key", pk, sizeof(pk));
	hex(t, "secret-key", sk, sizeof(sk));
	assert_int_equal(tok_parse(tokstr, strlen(tokstr), &tk, &e), 0);
	assert_int_equal(tk.msg_len, strlen(payload));
	assert_memory_equal(tk.msg, payload, tk.msg_len);
	assert_int_equal(tk.footer_len, strlen(footer));
	if (tk.footer_len > 0)
		assert_memory_equal(tk.footer, footer, tk.footer_len);
	assert_int_equal(tok_verify(&tk, pk, (const uint8_t *)impl,
	    strlen(impl)), 0);
	/* Ed25519 is deterministic: the same inputs give the same token. */
	assert_int_equal(tok_sign(sk, (const uint8_t *)payload,
	    strlen(payload), (const uint8_t *)footer, strlen(footer),
	    (const uint8_t *)impl, strlen(impl), &s), 0);
	assert_string_equal(s, tokstr);
	free(s);
	tok_free(&tk);
	sodium_memzero(sk, sizeof(sk));
}

static void
test_4_S_1(void **state)
{
	check_sign(state, "4-S-1");
}

static void
test_4_S_2(void **state)
{
	check_sign(state, "4-S-2");
}

static void
test_4_S_3(void **state)
{
	check_sign(state, "4-S-3");
}

/* 4-S-3 verifies only with its implicit assertion. */
static void
test_4_S_3_needs_implicit(void **state)
{
	json_t *t = vector(state, "4-S-3");
	const char *tokstr = str(t, "token");
	const char *wrong = "{\"test-vector\":\"4-S-2\"}";
	uint8_t pk[TOK_PK_LEN];
	struct tok tk;

	hex(t, "public-key", pk, sizeof(pk));
	assert_int_equal(tok_parse(tokstr, strlen(tokstr), &tk, NULL), 0);
	assert_int_equal(tok_verify(&tk, pk, NULL, 0), -LICD_E_SIGNATURE);
	assert_int_equal(tok_verify(&tk, pk, (const uint8_t *)wrong,
	    strlen(wrong)), -LICD_E_SIGNATURE);
	tok_free(&tk);
}

/* 4-S-1 and 4-S-2 fail under an implicit assertion they were not signed
 * with, and 4-S-1's signature does not carry over to 4-S-2's footer. */
static void
test_4_S_implicit_and_footer_bound(void **state)
{
	json_t *t1 = vector(state, "4-S-1"), *t2 = vector(state, "4-S-2");
	const char *impl = "licd:v1:licence";
	uint8_t pk[TOK_PK_LEN];
	struct tok a, b;

	hex(t1, "public-key", pk, sizeof(pk));
	assert_int_equal(tok_parse(str(t1, "token"), strlen(str(t1, "token")),
	    &a, NULL), 0);
	assert_int_equal(tok_parse(str(t2, "token"), strlen(str(t2, "token")),
	    &b, NULL), 0);
	assert_int_equal(tok_verify(&a, pk, (const uint8_t *)impl,
	    strlen(impl)), -LICD_E_SIGNATURE);
	memcpy(b.sig, a.sig, TOK_SIG_LEN);
	assert_int_equal(tok_verify(&b, pk, NULL, 0), -LICD_E_SIGNATURE);
	tok_free(&a);
	tok_free(&b);
}

/* A token of another version or purpose never reaches the verifier. */
static void
check_wrong_prefix(void **state, const char *name)
{
	json_t *t = vector(state, name);
	const char *tokstr = str(t, "token");
	struct lerr e = { 0 };
	struct tok tk;

	assert_true(json_is_true(json_object_get(t, "expect-fail")));
	assert_int_equal(tok_parse(tokstr, strlen(tokstr), &tk, &e),
	    -LICD_E_TOKEN);
	assert_string_equal(e.msg, "token: expected prefix v4.public.");
	tok_free(&tk);
}

static void
test_4_F_1(void **state)
{
	check_wrong_prefix(state, "4-F-1");	/* v4.local. */
}

/* 4-F-2 is a well-formed v4.public token whose signature is not the 4-S
 * key's (the vector has no public key: the sign-side key is used). */
static void
test_4_F_2(void **state)
{
	json_t *t = vector(state, "4-F-2"), *s1 = vector(state, "4-S-1");
	const char *tokstr = str(t, "token");
	const char *impl = str(t, "implicit-assertion");
	uint8_t pk[TOK_PK_LEN];
	struct tok tk;

	assert_true(json_is_true(json_object_get(t, "expect-fail")));
	assert_null(json_object_get(t, "public-key"));
	hex(s1, "public-key", pk, sizeof(pk));
	assert_int_equal(tok_parse(tokstr, strlen(tokstr), &tk, NULL), 0);
	assert_memory_equal(tk.footer, str(t, "footer"), tk.footer_len);
	assert_int_equal(tok_verify(&tk, pk, (const uint8_t *)impl,
	    strlen(impl)), -LICD_E_SIGNATURE);
	assert_int_equal(tok_verify(&tk, pk, NULL, 0), -LICD_E_SIGNATURE);
	tok_free(&tk);
}

static void
test_4_F_3(void **state)
{
	check_wrong_prefix(state, "4-F-3");	/* v3.local. */
}

static void
test_4_F_4(void **state)
{
	check_wrong_prefix(state, "4-F-4");	/* v4.local. */
}

/* 4-F-5 also carries "==" padding: rejected for its prefix first, and
 * for the padding if the prefix were ours. */
static void
test_4_F_5(void **state)
{
	json_t *t = vector(state, "4-F-5");
	const char *tokstr = str(t, "token");
	struct lerr e = { 0 };
	struct tok tk;
	char *as_public;

	check_wrong_prefix(state, "4-F-5");
	assert_int_equal(strncmp(tokstr, "v4.local.", 9), 0);
	as_public = malloc(strlen(tokstr) + 2);
	assert_non_null(as_public);
	strcpy(as_public, "v4.public.");
	strcat(as_public, tokstr + 9);
	assert_int_equal(tok_parse(as_public, strlen(as_public), &tk, &e),
	    -LICD_E_TOKEN);
	assert_string_equal(e.msg,
	    "token: base64url has '=' padding in the body");
	free(as_public);
}

/* Every v4.public vector in the file is covered above. */
static void
test_coverage(void **state)
{
	json_t *tests = json_object_get(*state, "tests"), *t;
	size_t k, pub = 0, fail = 0;

	json_array_foreach(tests, k, t) {
		const char *tok = str(t, "token"), *name = str(t, "name");

		if (strncmp(tok, "v4.public.", 10) == 0)
			pub++;
		if (strncmp(name, "4-F-", 4) == 0)
			fail++;
	}
	assert_int_equal(json_array_size(tests), 17);
	assert_int_equal(pub, 4);	/* 4-S-1..3 and 4-F-2 */
	assert_int_equal(fail, 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_4_S_1),
		cmocka_unit_test(test_4_S_2),
		cmocka_unit_test(test_4_S_3),
		cmocka_unit_test(test_4_S_3_needs_implicit),
		cmocka_unit_test(test_4_S_implicit_and_footer_bound),
		cmocka_unit_test(test_4_F_1),
		cmocka_unit_test(test_4_F_2),
		cmocka_unit_test(test_4_F_3),
		cmocka_unit_test(test_4_F_4),
		cmocka_unit_test(test_4_F_5),
		cmocka_unit_test(test_coverage),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, load, unload);
}
