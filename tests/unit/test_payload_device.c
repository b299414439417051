/* SPDX-License-Identifier: MIT */
/* Unit tests for the device-signed payloads (common/payload_device.c):
 * receipt, request, checkpoint and report, each from a valid example with
 * one case per rule that breaks exactly it. */
#include <sodium.h>

#include "payload_cases.h"

static const char receipt_base[] =
	"{\"device\":\"" K8_PID "\",\"lid\":\"IL-2026-0042\","
	"\"iat\":\"2026-03-02T00:00:05Z\",\"event\":\"order-applied\","
	"\"seq\":7,\"state\":\"restricted\",\"audit\":\"" SHA256 "\"}";

#define MACHINE_ID "0123456789abcdef0123456789abcdef"
#define PRODUCT_UUID "4c4c4544-0042-3510-8051-b8c04f4e4d32"
#define HOST "{\"machine_id\":\"" MACHINE_ID "\",\"product_uuid\":\"" \
	PRODUCT_UUID "\"}"
static const char request_base[] =
	"{\"device\":\"" K7_PID "\",\"key\":\"" K7_PUB "\","
	"\"iat\":\"2026-01-01T00:00:00Z\",\"host\":" HOST "}";

static const char checkpoint_base[] =
	"{\"device\":\"" K8_PID "\",\"iat\":\"2026-03-02T00:00:00Z\","
	"\"lines\":1234,\"audit\":\"" SHA256 "\"}";

#define ROW0 "{\"product\":\"interceptor\",\"feature\":\"geo.locate\"," \
	"\"purpose\":\"terrorism\",\"count\":12}"
#define ROW1 "{\"product\":\"interceptor\",\"feature\":\"sms.intercept\"," \
	"\"purpose\":\"serious-crime\",\"count\":3}"
static const char report_base[] =
	"{\"device\":\"" K8_PID "\",\"lid\":\"IL-2026-0042\","
	"\"iat\":\"2026-04-01T00:00:00Z\",\"from\":\"2026-03-01T00:00:00Z\","
	"\"to\":\"2026-03-31T00:00:00Z\",\"audit\":\"" SHA256 "\","
	"\"usage\":[" ROW0 "," ROW1 "]}";

static const struct pl_case receipt_cases[] = {
	{ "device not a k4.pid", "\"device\":\"" K8_PID "\"",
	    "\"device\":\"" K8_PUB "\"", LICD_E_PAYLOAD,
	    "field \"device\": expected a key id" },
	{ "lid bad", "\"IL-2026-0042\"", "\"IL 42\"", LICD_E_PAYLOAD,
	    "field \"lid\": expected \"\" or a licence id" },
	{ "lid empty for an order", "\"IL-2026-0042\"", "\"\"",
	    LICD_E_PAYLOAD,
	    "field \"lid\": may be \"\" only for event \"root-applied\"" },
	{ "lid for a root", "\"order-applied\"", "\"root-applied\"",
	    LICD_E_PAYLOAD,
	    "field \"lid\": must be \"\" for event \"root-applied\"" },
	{ "lid missing", "\"lid\":\"IL-2026-0042\",", "", LICD_E_PAYLOAD,
	    "missing field \"lid\"" },
	{ "iat bad", "2026-03-02T00:00:05Z", "2026-03-02T00:00:05",
	    LICD_E_PAYLOAD,
	    "field \"iat\": expected RFC 3339 time ending in Z" },
	{ "event unknown", "\"order-applied\"", "\"order-rejected\"",
	    LICD_E_PAYLOAD, "field \"event\": expected a receipt event" },
	{ "event upper case", "\"order-applied\"", "\"ORDER-APPLIED\"",
	    LICD_E_PAYLOAD, "field \"event\": expected a receipt event" },
	{ "event missing", "\"event\":\"order-applied\",", "", LICD_E_PAYLOAD,
	    "missing field \"event\"" },
	{ "seq negative", "\"seq\":7", "\"seq\":-7", LICD_E_PAYLOAD,
	    "a sign is not allowed" },
	{ "seq missing", "\"seq\":7,", "", LICD_E_PAYLOAD,
	    "missing field \"seq\"" },
	{ "state unknown", "\"restricted\"", "\"paused\"", LICD_E_PAYLOAD,
	    "field \"state\": expected a state" },
	{ "state a number", "\"restricted\"", "4", LICD_E_PAYLOAD,
	    "field \"state\": expected a state" },
	{ "state missing", "\"state\":\"restricted\",", "", LICD_E_PAYLOAD,
	    "missing field \"state\"" },
	{ "audit upper-case hex", "sha256:0123456789abcdef",
	    "sha256:0123456789ABCDEF", LICD_E_PAYLOAD,
	    "field \"audit\": expected \"sha256:\" and 64 lower-case hex "
	    "digits" },
	{ "audit 65 digits", "\"" SHA256 "\"", "\"" SHA256 "0\"",
	    LICD_E_PAYLOAD, "field \"audit\": expected \"sha256:\"" },
	{ "audit missing", ",\"audit\":\"" SHA256 "\"", "", LICD_E_PAYLOAD,
	    "missing field \"audit\"" },
	{ "unknown field", "\"seq\":7", "\"seq\":7,\"note\":\"\"",
	    LICD_E_PAYLOAD, "unknown field \"note\"" },
};

static const struct pl_case request_cases[] = {
	{ "device of another key", "\"device\":\"" K7_PID "\"",
	    "\"device\":\"" K6_PID "\"", LICD_E_PAYLOAD,
	    "field \"device\": does not match \"key\" (whose id is " K7_PID
	    ")" },
	{ "device not a k4.pid", "\"device\":\"" K7_PID "\"",
	    "\"device\":\"device-7\"", LICD_E_PAYLOAD,
	    "field \"device\": expected a key id" },
	{ "key of another device", "\"key\":\"" K7_PUB "\"",
	    "\"key\":\"" K6_PUB "\"", LICD_E_PAYLOAD,
	    "field \"device\": does not match \"key\" (whose id is " K6_PID
	    ")" },
	{ "key a secret key prefix", "\"key\":\"k4.public.",
	    "\"key\":\"k4.secret.", LICD_E_PAYLOAD, "field \"key\": " },
	{ "key bad base64url", "\"key\":\"" K7_PUB "\"",
	    "\"key\":\"k4.public.6kpsY+KcUgq-9VB7Ey7F-ZVHdq6-vnuSQh7qaRRG0iw\"",
	    LICD_E_PAYLOAD, "field \"key\": " },
	{ "key not a string", "\"key\":\"" K7_PUB "\"", "\"key\":{}",
	    LICD_E_PAYLOAD, "field \"key\": expected a k4.public key" },
	{ "key missing", "\"key\":\"" K7_PUB "\",", "", LICD_E_PAYLOAD,
	    "missing field \"key\"" },
	{ "iat bad", "2026-01-01T00:00:00Z", "2026-01-01", LICD_E_PAYLOAD,
	    "field \"iat\": expected RFC 3339 time ending in Z" },
	{ "host misspelt", ",\"host\":{", ",\"hos\":{", LICD_E_PAYLOAD,
	    "unknown field \"hos\"" },
	{ "host missing", ",\"host\":" HOST, "", LICD_E_PAYLOAD,
	    "missing field \"host\"" },
	{ "host not an object", HOST, "\"" MACHINE_ID "\"", LICD_E_PAYLOAD,
	    "field \"host\": expected an object" },
	{ "host unknown field", "\"machine_id\"", "\"hostname\":\"x\","
	    "\"machine_id\"", LICD_E_PAYLOAD,
	    "unknown field \"host\".\"hostname\"" },
	{ "machine_id upper case", MACHINE_ID,
	    "0123456789ABCDEF0123456789abcdef", LICD_E_PAYLOAD,
	    "field \"host\".\"machine_id\": expected \"\" or 32 lower-case hex digits" },
	{ "machine_id 31 digits", MACHINE_ID,
	    "123456789abcdef0123456789abcdef", LICD_E_PAYLOAD,
	    "field \"host\".\"machine_id\": expected \"\" or 32 lower-case hex digits" },
	{ "machine_id missing", "\"machine_id\":\"" MACHINE_ID "\",", "",
	    LICD_E_PAYLOAD, "missing field \"host\".\"machine_id\"" },
	{ "product_uuid upper case", PRODUCT_UUID,
	    "4C4C4544-0042-3510-8051-B8C04F4E4D32", LICD_E_PAYLOAD,
	    "field \"host\".\"product_uuid\": expected \"\" or a lower-case "
	    "UUID" },
	{ "product_uuid without dashes", PRODUCT_UUID,
	    "4c4c4544004235108051b8c04f4e4d32", LICD_E_PAYLOAD,
	    "field \"host\".\"product_uuid\": expected" },
	{ "product_uuid dash misplaced", PRODUCT_UUID,
	    "4c4c454-40042-3510-8051-b8c04f4e4d32", LICD_E_PAYLOAD,
	    "field \"host\".\"product_uuid\": expected" },
	{ "product_uuid not hex", PRODUCT_UUID,
	    "4c4c4544-0042-3510-8051-b8c04f4e4d3g", LICD_E_PAYLOAD,
	    "field \"host\".\"product_uuid\": expected" },
	{ "product_uuid missing", ",\"product_uuid\":\"" PRODUCT_UUID "\"",
	    "", LICD_E_PAYLOAD, "missing field \"host\".\"product_uuid\"" },
};

static const struct pl_case checkpoint_cases[] = {
	{ "device bad", K8_PID, "k4.pid.", LICD_E_PAYLOAD,
	    "field \"device\": expected a key id" },
	{ "iat bad", "2026-03-02T00:00:00Z", "2026-03-02T00:00Z",
	    LICD_E_PAYLOAD,
	    "field \"iat\": expected RFC 3339 time ending in Z" },
	{ "lines negative", "\"lines\":1234", "\"lines\":-1", LICD_E_PAYLOAD,
	    "a sign is not allowed" },
	{ "lines a string", "\"lines\":1234", "\"lines\":\"1234\"",
	    LICD_E_PAYLOAD, "field \"lines\": expected an integer" },
	{ "lines above 2^53-1", "\"lines\":1234",
	    "\"lines\":9999999999999999", LICD_E_PAYLOAD,
	    "field \"lines\": integer above 2^53-1" },
	{ "lines missing", "\"lines\":1234,", "", LICD_E_PAYLOAD,
	    "missing field \"lines\"" },
	{ "audit bad", "sha256:", "sha-256:", LICD_E_PAYLOAD,
	    "field \"audit\": expected \"sha256:\"" },
	{ "unknown field", "\"lines\":1234", "\"lines\":1234,\"lid\":\"x\"",
	    LICD_E_PAYLOAD, "unknown field \"lid\"" },
};

static const struct pl_case report_cases[] = {
	{ "device bad", K8_PID, "k4.pid.oGmZsm0JN7f8anNPTDn2bE-S5kOJ8TnYv2wBc"
	    "wzczO7", LICD_E_PAYLOAD, "field \"device\": expected a key id" },
	{ "lid empty", "\"IL-2026-0042\"", "\"\"", LICD_E_PAYLOAD,
	    "field \"lid\": expected a licence id" },
	{ "from bad", "2026-03-01T00:00:00Z", "2026-03-01T00:00:00.000Z",
	    LICD_E_PAYLOAD,
	    "field \"from\": expected RFC 3339 time ending in Z" },
	{ "from after to", "2026-03-01T00:00:00Z", "2026-03-31T00:00:01Z",
	    LICD_E_PAYLOAD, "field \"to\": must be at or after \"from\"" },
	{ "to after iat", "2026-03-31T00:00:00Z", "2026-04-01T00:00:01Z",
	    LICD_E_PAYLOAD, "field \"iat\": must be at or after \"to\"" },
	{ "to missing", "\"to\":\"2026-03-31T00:00:00Z\",", "",
	    LICD_E_PAYLOAD, "missing field \"to\"" },
	{ "audit bad", "\"" SHA256 "\"", "\"sha256:\"", LICD_E_PAYLOAD,
	    "field \"audit\": expected" },
	{ "usage not an array", "[" ROW0 "," ROW1 "]", ROW0, LICD_E_PAYLOAD,
	    "field \"usage\": expected an array" },
	{ "usage missing", ",\"usage\":[" ROW0 "," ROW1 "]", "",
	    LICD_E_PAYLOAD, "missing field \"usage\"" },
	{ "row not an object", ROW1, "[]", LICD_E_PAYLOAD,
	    "field \"usage\"[1]: expected an object" },
	{ "row duplicate", ROW1, ROW0, LICD_E_PAYLOAD,
	    "field \"usage\"[1]: duplicate row for (\"interceptor\", "
	    "\"geo.locate\", \"terrorism\")" },
	{ "row product bad", "\"interceptor\",\"feature\":\"sms.intercept\"",
	    "\"Interceptor\",\"feature\":\"sms.intercept\"", LICD_E_PAYLOAD,
	    "field \"usage\"[1].\"product\": expected a product name" },
	{ "row feature bad", "\"sms.intercept\"", "\"SMS\"", LICD_E_PAYLOAD,
	    "field \"usage\"[1].\"feature\": expected a feature name" },
	{ "row purpose bad", "\"serious-crime\"", "\"serious crime\"",
	    LICD_E_PAYLOAD,
	    "field \"usage\"[1].\"purpose\": expected a purpose id" },
	{ "row count negative", "\"count\":3", "\"count\":-3", LICD_E_PAYLOAD,
	    "a sign is not allowed" },
	{ "row count missing", ",\"count\":3", "", LICD_E_PAYLOAD,
	    "missing field \"usage\"[1].\"count\"" },
	{ "row unknown field", "\"count\":3", "\"count\":3,\"case\":\"x\"",
	    LICD_E_PAYLOAD, "unknown field \"usage\"[1].\"case\"" },
};

static const struct pl_group device_groups[] = {
	{ DOC_RECEIPT, receipt_base, receipt_cases,
	    PL_NCASES(receipt_cases) },
	{ DOC_REQUEST, request_base, request_cases,
	    PL_NCASES(request_cases) },
	{ DOC_CHECKPOINT, checkpoint_base, checkpoint_cases,
	    PL_NCASES(checkpoint_cases) },
	{ DOC_REPORT, report_base, report_cases, PL_NCASES(report_cases) },
};

static void
receipt_decodes(void **state)
{
	struct receipt rc;
	struct lerr e;

	(void)state;
	lerr_clear(&e);
	assert_int_equal(pl_decode_receipt((const uint8_t *)receipt_base,
	    strlen(receipt_base), &rc, &e), 0);
	assert_string_equal(rc.device, K8_PID);
	assert_string_equal(rc.lid, "IL-2026-0042");
	assert_int_equal(rc.iat, 1772409605);
	assert_string_equal(rc.event, "order-applied");
	assert_int_equal(rc.seq, 7);
	assert_int_equal(rc.state, LSTATE_RESTRICTED);
	assert_string_equal(rc.audit, SHA256);
}

/* Every event and every state of the lists decodes. */
static void
receipt_lists(void **state)
{
	static const char *const events[] = { "licence-applied",
	    "order-applied", "order-pending", "status-applied",
	    "state-changed" };
	char to[64], *m;
	struct receipt rc;
	struct lerr e;
	size_t i;
	int s;

	(void)state;
	for (i = 0; i < PL_NCASES(events); i++) {
		snprintf(to, sizeof(to), "\"%s\"", events[i]);
		m = pl_mutate(receipt_base, "\"order-applied\"", to);
		pl_expect_ok(DOC_RECEIPT, m, events[i]);
		free(m);
	}
	m = pl_mutate(receipt_base, "\"lid\":\"IL-2026-0042\",\"iat\":"
	    "\"2026-03-02T00:00:05Z\",\"event\":\"order-applied\"",
	    "\"lid\":\"\",\"iat\":\"2026-03-02T00:00:05Z\",\"event\":"
	    "\"root-applied\"");
	pl_expect_ok(DOC_RECEIPT, m, "root-applied with lid \"\"");
	free(m);
	for (s = 0; s < LSTATE__COUNT; s++) {
		snprintf(to, sizeof(to), "\"%s\"", lstate_name(s));
		m = pl_mutate(receipt_base, "\"restricted\"", to);
		lerr_clear(&e);
		assert_int_equal(pl_decode_receipt((const uint8_t *)m,
		    strlen(m), &rc, &e), 0);
		assert_int_equal(rc.state, s);
		free(m);
	}
}

static void
request_decodes(void **state)
{
	struct request rq;
	struct lerr e;
	uint8_t pk[32];
	size_t n;
	char *m;

	(void)state;
	lerr_clear(&e);
	assert_int_equal(pl_decode_request((const uint8_t *)request_base,
	    strlen(request_base), &rq, &e), 0);
	assert_string_equal(rq.device, K7_PID);
	assert_int_equal(sodium_base642bin(pk, sizeof(pk), K7_PUB + 10, 43,
	    NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
	assert_memory_equal(rq.key, pk, 32);
	assert_int_equal(rq.iat, 1767225600);
	assert_string_equal(rq.machine_id, MACHINE_ID);
	assert_string_equal(rq.product_uuid, PRODUCT_UUID);
	m = pl_mutate(request_base, PRODUCT_UUID, "");
	pl_expect_ok(DOC_REQUEST, m, "no product_uuid");
	free(m);
	m = pl_mutate(request_base, MACHINE_ID, "");
	pl_expect_ok(DOC_REQUEST, m, "no machine_id");
	free(m);
}

static void
checkpoint_decodes(void **state)
{
	struct checkpoint cp;
	struct lerr e;
	char *m;

	(void)state;
	lerr_clear(&e);
	assert_int_equal(pl_decode_checkpoint((const uint8_t *)checkpoint_base,
	    strlen(checkpoint_base), &cp, &e), 0);
	assert_string_equal(cp.device, K8_PID);
	assert_int_equal(cp.lines, 1234);
	assert_string_equal(cp.audit, SHA256);
	m = pl_mutate(checkpoint_base, "\"lines\":1234", "\"lines\":0");
	pl_expect_ok(DOC_CHECKPOINT, m, "zero lines");
	free(m);
}

static void
report_decodes(void **state)
{
	struct report *rp = calloc(1, sizeof(*rp));
	struct lerr e;
	char *m;

	(void)state;
	assert_non_null(rp);
	lerr_clear(&e);
	assert_int_equal(pl_decode_report((const uint8_t *)report_base,
	    strlen(report_base), rp, &e), 0);
	assert_string_equal(rp->lid, "IL-2026-0042");
	assert_int_equal(rp->from, 1772323200);
	assert_int_equal(rp->to, 1772323200 + 30 * 86400);
	assert_int_equal(rp->iat, 1772323200 + 31 * 86400);
	assert_int_equal(rp->nusage, 2);
	assert_string_equal(rp->usage[1].feature, "sms.intercept");
	assert_string_equal(rp->usage[1].purpose, "serious-crime");
	assert_int_equal(rp->usage[0].count, 12);
	free(rp);
	m = pl_mutate(report_base, ROW0 "," ROW1, "");
	pl_expect_ok(DOC_REPORT, m, "no usage");
	free(m);
	m = pl_mutate(report_base, "\"from\":\"2026-03-01T00:00:00Z\","
	    "\"to\":\"2026-03-31T00:00:00Z\"", "\"from\":\"2026-04-01T00:00:00Z\","
	    "\"to\":\"2026-04-01T00:00:00Z\"");
	pl_expect_ok(DOC_REPORT, m, "from = to = iat");
	free(m);
}

/* n distinct rows; 256 pass, 257 are too many. */
static char *
report_rows(size_t n)
{
	size_t cap = 512 + n * 96, off = 0, i;
	char *rows = malloc(cap), *m;

	assert_non_null(rows);
	rows[0] = '\0';
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(rows + off, cap - off, "%s{\"product\":"
		    "\"p\",\"feature\":\"f%zu\",\"purpose\":\"x\",\"count\":%zu}",
		    i ? "," : "", i, i);
	m = pl_mutate(report_base, ROW0 "," ROW1, rows);
	free(rows);
	assert_non_null(m);
	return m;
}

static void
report_bound(void **state)
{
	struct report *rp = calloc(1, sizeof(*rp));
	struct lerr e;
	char *m;

	(void)state;
	assert_non_null(rp);
	m = report_rows(PL_MAX_USAGE);
	lerr_clear(&e);
	assert_int_equal(pl_decode_report((const uint8_t *)m, strlen(m), rp,
	    &e), 0);
	assert_int_equal(rp->nusage, PL_MAX_USAGE);
	assert_string_equal(rp->usage[255].feature, "f255");
	free(m);
	free(rp);
	m = report_rows(PL_MAX_USAGE + 1);
	pl_expect_fail(DOC_REPORT, m, strlen(m), LICD_E_TOO_LARGE,
	    "field \"usage\": more than 256 entries", "257 rows");
	free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(receipt_decodes),
		cmocka_unit_test(receipt_lists),
		cmocka_unit_test(request_decodes),
		cmocka_unit_test(checkpoint_decodes),
		cmocka_unit_test(report_decodes),
		cmocka_unit_test(report_bound),
	};
	int r;

	if (sodium_init() < 0)
		return 1;
	r = cmocka_run_group_tests_name("device payloads", tests, NULL, NULL);
	r |= pl_run_groups("device payload rejections", device_groups,
	    PL_NCASES(device_groups));
	return r != 0;
}
