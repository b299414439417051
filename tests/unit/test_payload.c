/* SPDX-License-Identifier: MIT */
/* Unit tests for common/payload.c: the name tables and their inverses, the
 * alphabets of DESIGN 3.4, and pl_validate()'s dispatch by type. */
#include "payload_cases.h"

static void
type_names(void **state)
{
	static const char *const want[DOC__COUNT] = { "root", "licence",
	    "order", "status", "receipt", "request", "checkpoint", "report" };
	int t;

	(void)state;
	for (t = 0; t < DOC__COUNT; t++) {
		assert_string_equal(doc_type_name(t), want[t]);
		assert_int_equal(doc_type_from_name(want[t], strlen(want[t])), t);
	}
	assert_null(doc_type_name(DOC_ANY));
	assert_null(doc_type_name(DOC__COUNT));
	assert_int_equal(doc_type_from_name("license", 7), -1);
	assert_int_equal(doc_type_from_name("roots", 5), -1);
	assert_int_equal(doc_type_from_name("roots", 4), DOC_ROOT);
	assert_int_equal(doc_type_from_name("", 0), -1);
}

static void
state_and_action_names(void **state)
{
	static const char *const st[LSTATE__COUNT] = { "invalid", "expired",
	    "revoked", "suspended", "restricted", "active" };
	static const char *const act[ACT__COUNT] = { "restrict", "suspend",
	    "revoke", "reinstate" };
	int i;

	(void)state;
	for (i = 0; i < LSTATE__COUNT; i++) {
		assert_string_equal(lstate_name(i), st[i]);
		assert_int_equal(lstate_from_name(st[i], strlen(st[i])), i);
	}
	for (i = 0; i < ACT__COUNT; i++) {
		assert_string_equal(order_action_name(i), act[i]);
		assert_int_equal(order_action_from_name(act[i], strlen(act[i])),
		    i);
	}
	assert_null(lstate_name(LSTATE__COUNT));
	assert_null(order_action_name(ACT__COUNT));
	assert_int_equal(lstate_from_name("Active", 6), -1);
	assert_int_equal(order_action_from_name("revoked", 7), -1);
}

static void
receipt_events(void **state)
{
	static const char *const ok[] = { "root-applied", "licence-applied",
	    "order-applied", "order-pending", "status-applied",
	    "state-changed" };
	size_t i;

	(void)state;
	for (i = 0; i < PL_NCASES(ok); i++)
		assert_true(pl_event_valid(ok[i], strlen(ok[i])));
	assert_false(pl_event_valid("order-rejected", 14));
	assert_false(pl_event_valid("", 0));
	assert_false(pl_event_valid("root-applied ", 13));
}

static void
name_alphabet(void **state)
{
	static const char *const ok[] = { "a", "0", "geo.locate", "sms_2-x",
	    "a.", "9-", A64 };
	static const char *const bad[] = { "", ".a", "-a", "_a", "A", "aB",
	    "a b", "a/b", "a:b", "\xc3\xa9", A64 "a" };
	size_t i;

	(void)state;
	for (i = 0; i < PL_NCASES(ok); i++)
		if (!pl_name_valid(ok[i], strlen(ok[i])))
			fail_msg("rejected \"%s\"", ok[i]);
	for (i = 0; i < PL_NCASES(bad); i++)
		if (pl_name_valid(bad[i], strlen(bad[i])))
			fail_msg("accepted \"%s\"", bad[i]);
	assert_false(pl_name_valid("ab\0c", 4));
}

static void
lid_alphabet(void **state)
{
	static const char *const ok[] = { "IL-2026-0042", "a", ".", "-", "_",
	    "Az09._-", A64 };
	static const char *const bad[] = { "", "IL 42", "IL/42", "IL:42",
	    "IL+42", "\xc3\x89", A64 "a" };
	size_t i;

	(void)state;
	for (i = 0; i < PL_NCASES(ok); i++)
		if (!pl_lid_valid(ok[i], strlen(ok[i])))
			fail_msg("rejected \"%s\"", ok[i]);
	for (i = 0; i < PL_NCASES(bad); i++)
		if (pl_lid_valid(bad[i], strlen(bad[i])))
			fail_msg("accepted \"%s\"", bad[i]);
}

static void
sha256_shape(void **state)
{
	(void)state;
	assert_true(pl_sha256_valid(SHA256, strlen(SHA256)));
	assert_false(pl_sha256_valid(SHA256, strlen(SHA256) - 1));
	assert_false(pl_sha256_valid("sha256:" HEX64 "0", 72));
	assert_false(pl_sha256_valid("SHA256:" HEX64, 71));
	assert_false(pl_sha256_valid("sha256:" "0123456789abcdeF"
	    "0123456789abcdef0123456789abcdef0123456789abcdef", 71));
	assert_false(pl_sha256_valid("sha256:" "0123456789abcdeg"
	    "0123456789abcdef0123456789abcdef0123456789abcdef", 71));
}

/* pl_validate() picks the decoder by type: a status is not an order. */
static void
validate_dispatch(void **state)
{
	static const char status[] = "{\"lid\":\"L\",\"device\":\"" K8_PID
	    "\",\"iat\":\"2026-03-01T00:00:00Z\",\"exp\":"
	    "\"2026-03-04T00:00:00Z\",\"seq\":0}";
	struct lerr e;

	(void)state;
	pl_expect_ok(DOC_STATUS, status, "status as status");
	pl_expect_fail(DOC_ORDER, status, strlen(status), LICD_E_PAYLOAD,
	    "unknown field \"device\"", "status as order");
	pl_expect_fail(DOC_LICENCE, status, strlen(status), LICD_E_PAYLOAD,
	    "unknown field \"seq\"", "status as licence");
	lerr_clear(&e);
	assert_int_equal(pl_validate(DOC_ANY, (const uint8_t *)status,
	    strlen(status), &e), -LICD_E_USAGE);
	assert_int_equal(pl_validate(DOC__COUNT, (const uint8_t *)status,
	    strlen(status), &e), -LICD_E_USAGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(type_names),
		cmocka_unit_test(state_and_action_names),
		cmocka_unit_test(receipt_events),
		cmocka_unit_test(name_alphabet),
		cmocka_unit_test(lid_alphabet),
		cmocka_unit_test(sha256_shape),
		cmocka_unit_test(validate_dispatch),
	};

	return cmocka_run_group_tests_name("payload", tests, NULL, NULL);
}
