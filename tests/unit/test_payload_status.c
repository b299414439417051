/* SPDX-License-Identifier: MIT */
/* Unit tests for the status decoder (common/payload_status.c): DESIGN's
 * example decodes, seq may be 0, and each status rule has a case breaking
 * exactly it. */
#include "payload_cases.h"

/* DESIGN 3.4's example, with times and the device filled in. */
static const char status_base[] =
	"{\"lid\":\"IL-2026-0042\",\"device\":\"" K8_PID "\","
	"\"iat\":\"2026-03-01T00:00:00Z\",\"exp\":\"2026-03-04T00:00:00Z\","
	"\"seq\":7}";

static const struct pl_case status_cases[] = {
	{ "lid empty", "\"IL-2026-0042\"", "\"\"", LICD_E_PAYLOAD,
	    "field \"lid\": expected a licence id" },
	{ "lid missing", "\"lid\":\"IL-2026-0042\",", "", LICD_E_PAYLOAD,
	    "missing field \"lid\"" },
	{ "device not a k4.pid", K8_PID, "k4.lid.oGmZsm0JN7f8anNPTDn2bE-S5kOJ"
	    "8TnYv2wBcwzczO7X", LICD_E_PAYLOAD,
	    "field \"device\": expected a key id" },
	{ "device missing", "\"device\":\"" K8_PID "\",", "", LICD_E_PAYLOAD,
	    "missing field \"device\"" },
	{ "iat year 1969", "2026-03-01T00:00:00Z", "1969-12-31T23:59:59Z",
	    LICD_E_PAYLOAD,
	    "field \"iat\": expected RFC 3339 time ending in Z" },
	{ "exp hour 24", "2026-03-04T00:00:00Z", "2026-03-03T24:00:00Z",
	    LICD_E_PAYLOAD,
	    "field \"exp\": expected RFC 3339 time ending in Z" },
	{ "exp equals iat", "2026-03-04T00:00:00Z", "2026-03-01T00:00:00Z",
	    LICD_E_PAYLOAD, "field \"exp\": must be after \"iat\"" },
	{ "exp before iat", "2026-03-04T00:00:00Z", "2026-02-28T00:00:00Z",
	    LICD_E_PAYLOAD, "field \"exp\": must be after \"iat\"" },
	{ "exp missing", "\"exp\":\"2026-03-04T00:00:00Z\",", "",
	    LICD_E_PAYLOAD, "missing field \"exp\"" },
	{ "seq a string", "\"seq\":7", "\"seq\":\"7\"", LICD_E_PAYLOAD,
	    "field \"seq\": expected an integer" },
	{ "seq negative", "\"seq\":7", "\"seq\":-1", LICD_E_PAYLOAD,
	    "a sign is not allowed" },
	{ "seq fraction", "\"seq\":7", "\"seq\":7.5", LICD_E_PAYLOAD,
	    "a fraction or exponent is not allowed" },
	{ "seq true", "\"seq\":7", "\"seq\":true", LICD_E_PAYLOAD,
	    "field \"seq\": expected an integer" },
	{ "seq missing", ",\"seq\":7", "", LICD_E_PAYLOAD,
	    "missing field \"seq\"" },
	{ "unknown field", "\"seq\":7", "\"seq\":7,\"ver\":1", LICD_E_PAYLOAD,
	    "unknown field \"ver\"" },
	{ "duplicate seq", "\"seq\":7", "\"seq\":7,\"seq\":8", LICD_E_PAYLOAD,
	    "duplicate key \"seq\"" },
};

static const struct pl_group status_groups[] = {
	{ DOC_STATUS, status_base, status_cases, PL_NCASES(status_cases) },
};

static void
design_example_decodes(void **state)
{
	struct status s;
	struct lerr e;

	(void)state;
	lerr_clear(&e);
	assert_int_equal(pl_decode_status((const uint8_t *)status_base,
	    strlen(status_base), &s, &e), 0);
	assert_string_equal(s.lid, "IL-2026-0042");
	assert_string_equal(s.device, K8_PID);
	assert_int_equal(s.iat, 1772323200);
	assert_int_equal(s.exp, 1772323200 + 3 * 86400);
	assert_int_equal(s.seq, 7);
}

static void
seq_zero_decodes(void **state)
{
	struct status s;
	struct lerr e;
	char *m;

	(void)state;
	m = pl_mutate(status_base, "\"seq\":7", "\"seq\":0");
	assert_non_null(m);
	lerr_clear(&e);
	assert_int_equal(pl_decode_status((const uint8_t *)m, strlen(m), &s,
	    &e), 0);
	assert_int_equal(s.seq, 0);
	free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(design_example_decodes),
		cmocka_unit_test(seq_zero_decodes),
	};
	int r;

	r = cmocka_run_group_tests_name("status", tests, NULL, NULL);
	r |= pl_run_groups("status rejections", status_groups,
	    PL_NCASES(status_groups));
	return r != 0;
}
