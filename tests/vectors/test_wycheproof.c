/* SPDX-License-Identifier: MIT */
/* Wycheproof Ed25519 (C2SP/wycheproof ed25519_test.json): all 151 cases
 * through tok_ed25519_verify(), the wrapper every token check goes through. */
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

#define WP_JSON	LICD_SRCDIR "/tests/vectors/data/wycheproof/ed25519_test.json"
#define MAXBIN	1024

struct bin {
	uint8_t b[MAXBIN];
	size_t n;
};

static int
load(void **state)
{
	json_error_t err;
	json_t *root = json_load_file(WP_JSON, 0, &err);

	if (root == NULL) {
		print_error("%s:%d: %s\n", WP_JSON, err.line, err.text);
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

static void
hex(json_t *v, struct bin *out)
{
	const char *h = json_string_value(v);

	assert_non_null(h);
	assert_true(strlen(h) / 2 <= MAXBIN);
	assert_int_equal(sodium_hex2bin(out->b, MAXBIN, h, strlen(h), NULL,
	    &out->n, NULL), 0);
	assert_int_equal(out->n * 2, strlen(h));
}

/* Calls fn on every case; returns the number of cases. */
static size_t
each_case(json_t *root, void (*fn)(json_t *c, const struct bin *pk,
    void *arg), void *arg)
{
	json_t *g, *c;
	size_t gi, ci, n = 0;
	struct bin pk;

	json_array_foreach(json_object_get(root, "testGroups"), gi, g) {
		hex(json_object_get(json_object_get(g, "publicKey"), "pk"), &pk);
		json_array_foreach(json_object_get(g, "tests"), ci, c) {
			fn(c, &pk, arg);
			n++;
		}
	}
	return n;
}

struct tally {
	size_t match, valid, invalid;
};

static void
check_case(json_t *c, const struct bin *pk, void *arg)
{
	struct tally *t = arg;
	struct bin msg, sig;
	const char *result = json_string_value(json_object_get(c, "result"));
	int want, got;

	hex(json_object_get(c, "msg"), &msg);
	hex(json_object_get(c, "sig"), &sig);
	assert_non_null(result);
	assert_true(strcmp(result, "valid") == 0 ||
	    strcmp(result, "invalid") == 0);
	want = strcmp(result, "valid") == 0;
	got = tok_ed25519_verify(sig.b, sig.n, msg.b, msg.n, pk->b, pk->n);
	assert_true(got == 0 || got == -LICD_E_SIGNATURE);
	if ((got == 0) != want)
		print_error("tcId %d (%s): expected %s\n",
		    (int)json_integer_value(json_object_get(c, "tcId")),
		    json_string_value(json_object_get(c, "comment")), result);
	else
		t->match++;
	*(want ? &t->valid : &t->invalid) += 1;
}

static void
test_all_cases(void **state)
{
	struct tally t = { 0, 0, 0 };
	size_t n;

	n = each_case(*state, check_case, &t);
	assert_int_equal(n, 151);
	assert_int_equal(json_integer_value(json_object_get(*state,
	    "numberOfTests")), 151);
	assert_int_equal(t.valid, 88);
	assert_int_equal(t.invalid, 63);
	assert_int_equal(t.match, 151);
}

/*
 * Why the length check matters: tcId 33, 34 and 37 append bytes to a
 * valid signature. libsodium given the whole buffer reads only 64 bytes
 * and accepts; the wrapper rejects before calling it.
 */
static void
long_sig(json_t *c, const struct bin *pk, void *arg)
{
	size_t *seen = arg;
	json_int_t id = json_integer_value(json_object_get(c, "tcId"));
	struct bin msg, sig;

	if (id != 33 && id != 34 && id != 37)
		return;
	hex(json_object_get(c, "msg"), &msg);
	hex(json_object_get(c, "sig"), &sig);
	assert_true(sig.n > 64);
	assert_int_equal(crypto_sign_verify_detached(sig.b, msg.b, msg.n,
	    pk->b), 0);
	assert_int_equal(tok_ed25519_verify(sig.b, sig.n, msg.b, msg.n,
	    pk->b, pk->n), -LICD_E_SIGNATURE);
	(*seen)++;
}

static void
test_long_signatures(void **state)
{
	size_t seen = 0;

	each_case(*state, long_sig, &seen);
	assert_int_equal(seen, 3);
}

/* RFC 8032 §7.1 TEST 1 (tcId 80) also verifies as a token-level call. */
static void
rfc8032_test1(json_t *c, const struct bin *pk, void *arg)
{
	size_t *seen = arg;
	struct bin msg, sig;

	if (json_integer_value(json_object_get(c, "tcId")) != 80)
		return;
	hex(json_object_get(c, "msg"), &msg);
	hex(json_object_get(c, "sig"), &sig);
	assert_int_equal(msg.n, 0);
	assert_int_equal(tok_ed25519_verify(sig.b, sig.n, NULL, 0, pk->b,
	    pk->n), 0);
	sig.b[0] ^= 1;
	assert_int_equal(tok_ed25519_verify(sig.b, sig.n, NULL, 0, pk->b,
	    pk->n), -LICD_E_SIGNATURE);
	(*seen)++;
}

static void
test_rfc8032_test1(void **state)
{
	size_t seen = 0;

	each_case(*state, rfc8032_test1, &seen);
	assert_int_equal(seen, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_cases),
		cmocka_unit_test(test_long_signatures),
		cmocka_unit_test(test_rfc8032_test1),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, load, unload);
}
