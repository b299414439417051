/* SPDX-License-Identifier: MIT */
/* Ed25519 edge cases with no universal answer ("Taming the many EdDSAs"
 * speccheck, and C2SP CCTV): pin the behaviour our verifier relies on,
 * as measured in tests/vectors/data/UPSTREAM-README.md. */
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

#define DATA	LICD_SRCDIR "/tests/vectors/data/"
#define MAXBIN	256

struct bin {
	uint8_t b[MAXBIN];
	size_t n;
};

static json_t *
load(const char *file)
{
	json_error_t err;
	json_t *root = json_load_file(file, 0, &err);

	if (root == NULL)
		fail_msg("%s:%d: %s", file, err.line, err.text);
	assert_true(json_is_array(root));
	return root;
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

/*
 * speccheck cases 0-11. Expected for libsodium 1.0.18: only 3 accepted.
 * 0-2: small-order A and/or R; 6-7: S >= L (malleability); 8-11:
 * non-canonical R or A. 4 and 5 (mixed-order A, cofactored equation) are
 * accepted by newer libsodium, so they are not pinned.
 */
static void
test_speccheck(void **state)
{
	json_t *root = load(DATA "ed25519-speccheck/cases.json"), *c;
	size_t k;
	int got;

	(void)state;
	assert_int_equal(json_array_size(root), 12);
	json_array_foreach(root, k, c) {
		struct bin msg, pk, sig;

		hex(json_object_get(c, "message"), &msg);
		hex(json_object_get(c, "pub_key"), &pk);
		hex(json_object_get(c, "signature"), &sig);
		got = tok_ed25519_verify(sig.b, sig.n, msg.b, msg.n, pk.b,
		    pk.n);
		assert_true(got == 0 || got == -LICD_E_SIGNATURE);
		if (k == 4 || k == 5)
			continue;
		if ((got == 0) != (k == 3))
			fail_msg("speccheck case %zu: %s", k,
			    got == 0 ? "accepted" : "rejected");
	}
	json_decref(root);
}

/* Flags that make libsodium 1.0.18 reject a CCTV vector (its README). */
static int
rejected_by_rule(json_t *flags)
{
	static const char *const reject[] = { "low_order_A", "low_order_R",
	    "non_canonical_A", "non_canonical_R", "low_order_residue" };
	json_t *f;
	size_t k, j;

	json_array_foreach(flags, k, f) {
		for (j = 0; j < sizeof(reject) / sizeof(reject[0]); j++)
			if (strcmp(json_string_value(f), reject[j]) == 0)
				return 1;
	}
	return 0;
}

static void
test_cctv(void **state)
{
	json_t *root = load(DATA "cctv-ed25519/ed25519vectors.json"), *c;
	size_t k, accepted = 0, mismatches = 0;

	(void)state;
	assert_int_equal(json_array_size(root), 914);
	json_array_foreach(root, k, c) {
		const char *msg = json_string_value(json_object_get(c, "msg"));
		struct bin pk, sig;
		int got, want;

		assert_non_null(msg);
		assert_int_equal(json_integer_value(json_object_get(c,
		    "number")), (json_int_t)k);
		hex(json_object_get(c, "key"), &pk);
		hex(json_object_get(c, "sig"), &sig);
		/* msg is text: its UTF-8 bytes are signed, not hex. */
		got = tok_ed25519_verify(sig.b, sig.n, (const uint8_t *)msg,
		    strlen(msg), pk.b, pk.n);
		want = !rejected_by_rule(json_object_get(c, "flags"));
		if ((got == 0) != want) {
			print_error("cctv %zu: %s\n", k,
			    got == 0 ? "accepted" : "rejected");
			mismatches++;
		}
		accepted += got == 0;
	}
	assert_int_equal(mismatches, 0);
	assert_int_equal(accepted, 43);
	json_decref(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_speccheck),
		cmocka_unit_test(test_cctv),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
