/* SPDX-License-Identifier: MIT */
/* Unit tests for the licence decoder (common/payload_licence.c): DESIGN's
 * example decodes, bounds are accepted at and rejected past the limit, and
 * each licence rule has a case breaking exactly it. */
#include "payload_cases.h"

#define LADDER "[{\"after\":\"0s\",\"state\":\"restricted\"," \
	"\"keep\":[\"geo.locate\"]},{\"after\":\"168h\",\"state\":\"suspended\"}]"
#define STEP2 "{\"after\":\"168h\",\"state\":\"suspended\"}"
#define END_USER "{\"country\":\"XX\"," \
	"\"agency\":\"National Counter-Terrorism Unit\"," \
	"\"declaration\":\"" SHA256 "\"}"
#define FEATURES "{\"sms.intercept\":{\"max_concurrent\":10}," \
	"\"geo.locate\":{}}"

/* DESIGN 3.4's example, with times and the device filled in. */
static const char licence_base[] =
	"{\"lid\":\"IL-2026-0042\",\"ver\":1,"
	"\"iat\":\"2026-01-01T00:00:00Z\",\"nbf\":\"2026-01-02T00:00:00Z\","
	"\"exp\":\"2027-01-01T00:00:00Z\","
	"\"vendor\":\"Example Cyber Ltd\",\"product\":\"interceptor\","
	"\"end_user\":" END_USER ","
	"\"device\":\"" K8_PID "\","
	"\"purposes\":[\"terrorism\",\"serious-crime\"],"
	"\"features\":" FEATURES ","
	"\"freshness\":{\"max_age\":\"72h\",\"ladder\":" LADDER "}}";

#define P17 "[\"p1\",\"p2\",\"p3\",\"p4\",\"p5\",\"p6\",\"p7\",\"p8\",\"p9\"," \
	"\"p10\",\"p11\",\"p12\",\"p13\",\"p14\",\"p15\",\"p16\",\"p17\"]"
#define S9 "[{\"after\":\"0s\",\"state\":\"suspended\"}," \
	"{\"after\":\"1s\",\"state\":\"suspended\"}," \
	"{\"after\":\"2s\",\"state\":\"suspended\"}," \
	"{\"after\":\"3s\",\"state\":\"suspended\"}," \
	"{\"after\":\"4s\",\"state\":\"suspended\"}," \
	"{\"after\":\"5s\",\"state\":\"suspended\"}," \
	"{\"after\":\"6s\",\"state\":\"suspended\"}," \
	"{\"after\":\"7s\",\"state\":\"suspended\"}," \
	"{\"after\":\"8s\",\"state\":\"suspended\"}]"
#define STEP0 "{\"after\":\"0s\",\"state\":\"restricted\",\"keep\":" \
	"[\"geo.locate\"]}"

static const struct pl_case licence_cases[] = {
	/* lid, ver */
	{ "lid with a space", "\"IL-2026-0042\"", "\"IL 2026\"",
	    LICD_E_PAYLOAD, "field \"lid\": expected a licence id" },
	{ "lid with a slash", "\"IL-2026-0042\"", "\"IL/2026\"",
	    LICD_E_PAYLOAD, "field \"lid\": expected a licence id" },
	{ "lid empty", "\"IL-2026-0042\"", "\"\"", LICD_E_PAYLOAD,
	    "field \"lid\": expected a licence id" },
	{ "lid 65 characters", "\"IL-2026-0042\"", "\"" A64 "b\"",
	    LICD_E_PAYLOAD, "field \"lid\": expected a licence id" },
	{ "lid not a string", "\"IL-2026-0042\"", "42", LICD_E_PAYLOAD,
	    "field \"lid\": expected a licence id" },
	{ "lid missing", "\"lid\":\"IL-2026-0042\",", "", LICD_E_PAYLOAD,
	    "missing field \"lid\"" },
	{ "ver zero", "\"ver\":1", "\"ver\":0", LICD_E_PAYLOAD,
	    "field \"ver\": must be at least 1" },
	{ "ver leading zero", "\"ver\":1", "\"ver\":01", LICD_E_PAYLOAD,
	    "a leading zero is not allowed" },
	{ "ver exponent", "\"ver\":1", "\"ver\":1e0", LICD_E_PAYLOAD,
	    "a fraction or exponent is not allowed" },
	{ "ver 17 digits", "\"ver\":1", "\"ver\":10000000000000000",
	    LICD_E_PAYLOAD, "more than 16 digits" },
	/* times */
	{ "iat lower-case z", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00z",
	    LICD_E_PAYLOAD,
	    "field \"iat\": expected RFC 3339 time ending in Z" },
	{ "nbf 30 February", "2026-01-02T00:00:00Z", "2026-02-30T00:00:00Z",
	    LICD_E_PAYLOAD,
	    "field \"nbf\": expected RFC 3339 time ending in Z" },
	{ "exp fraction", "2027-01-01T00:00:00Z", "2027-01-01T00:00:00.5Z",
	    LICD_E_PAYLOAD,
	    "field \"exp\": expected RFC 3339 time ending in Z" },
	{ "exp a number", "\"2027-01-01T00:00:00Z\"", "1798761600",
	    LICD_E_PAYLOAD,
	    "field \"exp\": expected RFC 3339 time ending in Z" },
	{ "nbf missing", "\"nbf\":\"2026-01-02T00:00:00Z\",", "",
	    LICD_E_PAYLOAD, "missing field \"nbf\"" },
	{ "nbf equals exp", "2026-01-02T00:00:00Z", "2027-01-01T00:00:00Z",
	    LICD_E_PAYLOAD, "field \"nbf\": must be before \"exp\"" },
	{ "nbf after exp", "2026-01-02T00:00:00Z", "2028-01-01T00:00:00Z",
	    LICD_E_PAYLOAD, "field \"nbf\": must be before \"exp\"" },
	{ "exp before iat", "\"iat\":\"2026-01-01T00:00:00Z\"",
	    "\"iat\":\"2027-06-01T00:00:00Z\"", LICD_E_PAYLOAD,
	    "field \"exp\": must be after \"iat\"" },
	/* vendor, product */
	{ "vendor empty", "\"Example Cyber Ltd\"", "\"\"", LICD_E_PAYLOAD,
	    "field \"vendor\": must not be empty" },
	{ "vendor 257 bytes", "\"Example Cyber Ltd\"", "\"" A256 "b\"",
	    LICD_E_PAYLOAD, "field \"vendor\": longer than 256 bytes" },
	{ "vendor tab", "\"Example Cyber Ltd\"", "\"Example\\tCyber\"",
	    LICD_E_PAYLOAD,
	    "field \"vendor\": control characters are not allowed" },
	{ "vendor C1 control", "\"Example Cyber Ltd\"",
	    "\"Example\\u0085Cyber\"", LICD_E_PAYLOAD,
	    "field \"vendor\": control characters are not allowed" },
	{ "vendor not a string", "\"Example Cyber Ltd\"", "[]",
	    LICD_E_PAYLOAD, "field \"vendor\": expected a string" },
	{ "product capital", "\"interceptor\"", "\"Interceptor\"",
	    LICD_E_PAYLOAD, "field \"product\": expected a product name" },
	{ "product leading dash", "\"interceptor\"", "\"-interceptor\"",
	    LICD_E_PAYLOAD, "field \"product\": expected a product name" },
	{ "product 65 characters", "\"interceptor\"", "\"" A64 "b\"",
	    LICD_E_PAYLOAD, "field \"product\": expected a product name" },
	{ "product missing", "\"product\":\"interceptor\",", "",
	    LICD_E_PAYLOAD, "missing field \"product\"" },
	/* end_user */
	{ "end_user missing", "\"end_user\":" END_USER ",", "",
	    LICD_E_PAYLOAD, "missing field \"end_user\"" },
	{ "end_user not an object", END_USER, "\"XX\"", LICD_E_PAYLOAD,
	    "field \"end_user\": expected an object" },
	{ "end_user unknown field", "\"country\":\"XX\"",
	    "\"country\":\"XX\",\"city\":\"X\"", LICD_E_PAYLOAD,
	    "unknown field \"end_user\".\"city\"" },
	{ "end_user duplicate key", "\"country\":\"XX\"",
	    "\"country\":\"XX\",\"country\":\"YY\"", LICD_E_PAYLOAD,
	    "duplicate key \"country\"" },
	{ "country lower case", "\"country\":\"XX\"", "\"country\":\"xx\"",
	    LICD_E_PAYLOAD, "field \"end_user\".\"country\": expected two "
	    "capital letters" },
	{ "country three letters", "\"country\":\"XX\"",
	    "\"country\":\"XXX\"", LICD_E_PAYLOAD,
	    "field \"end_user\".\"country\": expected two capital letters" },
	{ "country missing", "\"country\":\"XX\",", "", LICD_E_PAYLOAD,
	    "missing field \"end_user\".\"country\"" },
	{ "agency empty", "\"National Counter-Terrorism Unit\"", "\"\"",
	    LICD_E_PAYLOAD, "field \"end_user\".\"agency\": must not be "
	    "empty" },
	{ "agency 257 bytes", "\"National Counter-Terrorism Unit\"",
	    "\"" A256 "b\"", LICD_E_PAYLOAD,
	    "field \"end_user\".\"agency\": longer than 256 bytes" },
	{ "agency missing", "\"agency\":\"National Counter-Terrorism Unit\",",
	    "", LICD_E_PAYLOAD, "missing field \"end_user\".\"agency\"" },
	{ "declaration upper-case hex", "sha256:0123456789abcdef",
	    "sha256:0123456789ABCDEF", LICD_E_PAYLOAD,
	    "field \"end_user\".\"declaration\": expected \"sha256:\" and 64 "
	    "lower-case hex digits" },
	{ "declaration other hash", "sha256:0123", "sha512:0123",
	    LICD_E_PAYLOAD, "field \"end_user\".\"declaration\": expected" },
	{ "declaration 63 digits", "sha256:0123", "sha256:123",
	    LICD_E_PAYLOAD, "field \"end_user\".\"declaration\": expected" },
	/* device */
	{ "device short", K8_PID, "k4.pid.oGmZsm0JN7f8anNPTDn2bE",
	    LICD_E_PAYLOAD, "field \"device\": expected a key id" },
	{ "device a k4.public", K8_PID, K8_PUB, LICD_E_PAYLOAD,
	    "field \"device\": expected a key id" },
	{ "device bad base64url", K8_PID,
	    "k4.pid.oGmZsm0JN7f8anNPTDn2bE+S5kOJ8TnYv2wBcwzczO7X",
	    LICD_E_PAYLOAD, "field \"device\": expected a key id" },
	/* purposes */
	{ "purposes empty", "[\"terrorism\",\"serious-crime\"]", "[]",
	    LICD_E_PAYLOAD, "field \"purposes\": must not be empty" },
	{ "purposes duplicate", "\"serious-crime\"]", "\"terrorism\"]",
	    LICD_E_PAYLOAD,
	    "field \"purposes\"[1]: duplicate \"terrorism\"" },
	{ "purpose bad name", "\"serious-crime\"]", "\"Serious crime\"]",
	    LICD_E_PAYLOAD, "field \"purposes\"[1]: expected a purpose id" },
	{ "purpose not a string", "\"serious-crime\"]", "7]",
	    LICD_E_PAYLOAD, "field \"purposes\"[1]: expected a purpose id" },
	{ "purposes 17", "[\"terrorism\",\"serious-crime\"]", P17,
	    LICD_E_TOO_LARGE, "field \"purposes\": more than 16 entries" },
	{ "purposes not an array", "[\"terrorism\",\"serious-crime\"]",
	    "\"terrorism\"", LICD_E_PAYLOAD,
	    "field \"purposes\": expected an array" },
	/* features */
	{ "features empty", FEATURES, "{}", LICD_E_PAYLOAD,
	    "field \"features\": must not be empty" },
	{ "features not an object", FEATURES, "[\"geo.locate\"]",
	    LICD_E_PAYLOAD, "field \"features\": expected an object" },
	{ "feature bad name", "\"geo.locate\":{}", "\"Geo\":{}",
	    LICD_E_PAYLOAD,
	    "field \"features\": key \"Geo\": expected a feature name" },
	{ "feature not an object", "\"geo.locate\":{}", "\"geo.locate\":true",
	    LICD_E_PAYLOAD, "field \"features\".\"geo.locate\": expected an "
	    "object" },
	{ "feature unknown field", "\"geo.locate\":{}",
	    "\"geo.locate\":{\"max\":1}", LICD_E_PAYLOAD,
	    "unknown field \"features\".\"geo.locate\".\"max\"" },
	{ "max_concurrent zero", "\"max_concurrent\":10",
	    "\"max_concurrent\":0", LICD_E_PAYLOAD,
	    "field \"features\".\"sms.intercept\".\"max_concurrent\": must be "
	    "at least 1" },
	{ "max_concurrent above 2^32-1", "\"max_concurrent\":10",
	    "\"max_concurrent\":4294967296", LICD_E_PAYLOAD,
	    "field \"features\".\"sms.intercept\".\"max_concurrent\": must be "
	    "at most 4294967295" },
	{ "max_concurrent a string", "\"max_concurrent\":10",
	    "\"max_concurrent\":\"10\"", LICD_E_PAYLOAD,
	    "\"max_concurrent\": expected an integer" },
	{ "feature duplicate key", "\"geo.locate\":{}",
	    "\"geo.locate\":{},\"geo.locate\":{}", LICD_E_PAYLOAD,
	    "duplicate key \"geo.locate\"" },
	/* freshness */
	{ "freshness missing", ",\"freshness\":{\"max_age\":\"72h\","
	    "\"ladder\":" LADDER "}", "", LICD_E_PAYLOAD,
	    "missing field \"freshness\"" },
	{ "freshness unknown field", "\"max_age\":\"72h\"",
	    "\"max_age\":\"72h\",\"grace\":\"1h\"", LICD_E_PAYLOAD,
	    "unknown field \"freshness\".\"grace\"" },
	{ "max_age zero", "\"max_age\":\"72h\"", "\"max_age\":\"0h\"",
	    LICD_E_PAYLOAD,
	    "field \"freshness\".\"max_age\": must be greater than 0" },
	{ "max_age in weeks", "\"max_age\":\"72h\"", "\"max_age\":\"1w\"",
	    LICD_E_PAYLOAD, "field \"freshness\".\"max_age\": expected a "
	    "duration matching" },
	{ "max_age leading zero", "\"max_age\":\"72h\"",
	    "\"max_age\":\"072h\"", LICD_E_PAYLOAD,
	    "field \"freshness\".\"max_age\": expected a duration" },
	{ "max_age a number", "\"max_age\":\"72h\"", "\"max_age\":72",
	    LICD_E_PAYLOAD,
	    "field \"freshness\".\"max_age\": expected a duration" },
	{ "max_age missing", "\"max_age\":\"72h\",", "", LICD_E_PAYLOAD,
	    "missing field \"freshness\".\"max_age\"" },
	{ "ladder missing", ",\"ladder\":" LADDER, "", LICD_E_PAYLOAD,
	    "missing field \"freshness\".\"ladder\"" },
	{ "ladder empty", LADDER, "[]", LICD_E_PAYLOAD,
	    "field \"freshness\".\"ladder\": must not be empty" },
	{ "ladder 9 steps", LADDER, S9, LICD_E_TOO_LARGE,
	    "field \"freshness\".\"ladder\": more than 8 entries" },
	{ "ladder not an array", LADDER, STEP2, LICD_E_PAYLOAD,
	    "field \"freshness\".\"ladder\": expected an array" },
	{ "step not an object", STEP2, "\"suspended\"", LICD_E_PAYLOAD,
	    "field \"freshness\".\"ladder\"[1]: expected an object" },
	{ "step unknown field", STEP2, "{\"after\":\"168h\",\"state\":"
	    "\"suspended\",\"why\":\"x\"}", LICD_E_PAYLOAD,
	    "unknown field \"freshness\".\"ladder\"[1].\"why\"" },
	{ "step after missing", "\"after\":\"168h\",", "", LICD_E_PAYLOAD,
	    "missing field \"freshness\".\"ladder\"[1].\"after\"" },
	{ "step after negative", "\"after\":\"168h\"", "\"after\":\"-1h\"",
	    LICD_E_PAYLOAD,
	    "field \"freshness\".\"ladder\"[1].\"after\": expected a duration" },
	{ "step state missing", ",\"state\":\"suspended\"", "",
	    LICD_E_PAYLOAD,
	    "missing field \"freshness\".\"ladder\"[1].\"state\"" },
	{ "step state active", "\"state\":\"suspended\"",
	    "\"state\":\"active\"", LICD_E_PAYLOAD,
	    "field \"freshness\".\"ladder\"[1].\"state\": expected "
	    "\"restricted\" or \"suspended\"" },
	{ "restricted without keep", ",\"keep\":[\"geo.locate\"]", "",
	    LICD_E_PAYLOAD,
	    "missing field \"freshness\".\"ladder\"[0].\"keep\" (required with "
	    "state \"restricted\")" },
	{ "suspended with keep", STEP2, "{\"after\":\"168h\",\"state\":"
	    "\"suspended\",\"keep\":[]}", LICD_E_PAYLOAD,
	    "field \"freshness\".\"ladder\"[1].\"keep\": not allowed with state "
	    "\"suspended\"" },
	{ "keep not a feature", "\"keep\":[\"geo.locate\"]",
	    "\"keep\":[\"geo.locate\",\"sms.send\"]", LICD_E_PAYLOAD,
	    "field \"freshness\".\"ladder\"[0].\"keep\"[1]: \"sms.send\" is not "
	    "a feature of the licence" },
	{ "keep duplicate", "\"keep\":[\"geo.locate\"]",
	    "\"keep\":[\"geo.locate\",\"geo.locate\"]", LICD_E_PAYLOAD,
	    "field \"freshness\".\"ladder\"[0].\"keep\"[1]: duplicate "
	    "\"geo.locate\"" },
	{ "keep bad name", "\"keep\":[\"geo.locate\"]", "\"keep\":[\"GEO\"]",
	    LICD_E_PAYLOAD,
	    "field \"freshness\".\"ladder\"[0].\"keep\"[0]: expected a feature "
	    "name" },
	{ "keep not an array", "\"keep\":[\"geo.locate\"]",
	    "\"keep\":\"geo.locate\"", LICD_E_PAYLOAD,
	    "field \"freshness\".\"ladder\"[0].\"keep\": expected an array" },
	{ "after equal to previous", "\"after\":\"168h\"", "\"after\":\"0m\"",
	    LICD_E_PAYLOAD,
	    "field \"freshness\".\"ladder\"[1].\"after\": must be greater than "
	    "the previous step's" },
	{ "after below previous", STEP0, "{\"after\":\"200h\",\"state\":"
	    "\"restricted\",\"keep\":[\"geo.locate\"]}", LICD_E_PAYLOAD,
	    "field \"freshness\".\"ladder\"[1].\"after\": must be greater than "
	    "the previous step's" },
	{ "keep grows", STEP2, "{\"after\":\"24h\",\"state\":\"restricted\","
	    "\"keep\":[\"geo.locate\",\"sms.intercept\"]}," STEP2,
	    LICD_E_PAYLOAD,
	    "field \"freshness\".\"ladder\"[1].\"keep\"[1]: \"sms.intercept\" "
	    "is not kept by the previous step" },
	{ "keep swaps", STEP2, "{\"after\":\"24h\",\"state\":\"restricted\","
	    "\"keep\":[\"sms.intercept\"]}," STEP2, LICD_E_PAYLOAD,
	    "field \"freshness\".\"ladder\"[1].\"keep\"[0]: \"sms.intercept\" "
	    "is not kept by the previous step" },
	{ "restricted after suspended", STEP2, STEP2 ",{\"after\":\"200h\","
	    "\"state\":\"restricted\",\"keep\":[]},{\"after\":\"300h\","
	    "\"state\":\"suspended\"}", LICD_E_PAYLOAD,
	    "field \"freshness\".\"ladder\"[2].\"state\": \"restricted\" after "
	    "a \"suspended\" step" },
	{ "last step restricted", STEP2, "{\"after\":\"168h\",\"state\":"
	    "\"restricted\",\"keep\":[]}", LICD_E_PAYLOAD,
	    "field \"freshness\".\"ladder\"[1].\"state\": the last step must "
	    "be \"suspended\"" },
	{ "single restricted step", "," STEP2, "", LICD_E_PAYLOAD,
	    "field \"freshness\".\"ladder\"[0].\"state\": the last step must "
	    "be \"suspended\"" },
	/* whole message */
	{ "unknown top field", "\"ver\":1", "\"ver\":1,\"note\":\"x\"",
	    LICD_E_PAYLOAD, "unknown field \"note\"" },
	{ "trailing garbage", "}]}}", "}]}} ,", LICD_E_PAYLOAD,
	    "JSON: end of file expected" },
};

static const struct pl_group licence_groups[] = {
	{ DOC_LICENCE, licence_base, licence_cases,
	    PL_NCASES(licence_cases) },
};

static struct licence *
decode(const char *msg)
{
	struct licence *l = calloc(1, sizeof(*l));
	struct lerr e;
	int r;

	assert_non_null(l);
	lerr_clear(&e);
	r = pl_decode_licence((const uint8_t *)msg, strlen(msg), l, &e);
	if (r != 0)
		print_error("pl_decode_licence: %s\n", e.msg);
	assert_int_equal(r, 0);
	return l;
}

static void
design_example_decodes(void **state)
{
	struct licence *l = decode(licence_base);

	(void)state;
	assert_string_equal(l->lid, "IL-2026-0042");
	assert_int_equal(l->ver, 1);
	assert_int_equal(l->iat, 1767225600);
	assert_int_equal(l->nbf, 1767225600 + 86400);
	assert_int_equal(l->exp, 1798761600);
	assert_string_equal(l->vendor, "Example Cyber Ltd");
	assert_string_equal(l->product, "interceptor");
	assert_string_equal(l->country, "XX");
	assert_string_equal(l->agency, "National Counter-Terrorism Unit");
	assert_string_equal(l->declaration, SHA256);
	assert_string_equal(l->device, K8_PID);
	assert_int_equal(l->npurposes, 2);
	assert_string_equal(l->purposes[1], "serious-crime");
	assert_int_equal(l->nfeatures, 2);
	assert_string_equal(l->features[0].name, "sms.intercept");
	assert_int_equal(l->features[0].max_concurrent, 10);
	assert_string_equal(l->features[1].name, "geo.locate");
	assert_int_equal(l->features[1].max_concurrent, 0);
	assert_int_equal(l->max_age, 72 * 3600);
	assert_int_equal(l->nladder, 2);
	assert_int_equal(l->ladder[0].after, 0);
	assert_int_equal(l->ladder[0].state, LSTATE_RESTRICTED);
	assert_int_equal(l->ladder[0].nkeep, 1);
	assert_string_equal(l->ladder[0].keep[0], "geo.locate");
	assert_int_equal(l->ladder[1].after, 168 * 3600);
	assert_int_equal(l->ladder[1].state, LSTATE_SUSPENDED);
	assert_int_equal(l->ladder[1].nkeep, 0);
	free(l);
}

/* Accepted variants: each changes one thing of the base. */
static void
variants_decode(void **state)
{
	static const struct { const char *name, *from, *to; } ok[] = {
		{ "only a suspended step", LADDER, "[" STEP2 "]" },
		{ "restricted keeping nothing", "\"keep\":[\"geo.locate\"]",
		    "\"keep\":[]" },
		{ "keep narrows step by step", STEP2, "{\"after\":\"1d\","
		    "\"state\":\"restricted\",\"keep\":[]}," STEP2 },
		{ "nbf before iat", "2026-01-02T00:00:00Z",
		    "2025-12-01T00:00:00Z" },
		{ "lid of every allowed character", "IL-2026-0042",
		    "Az09._-" },
		{ "lid of 64 characters", "IL-2026-0042", A64 },
		{ "product of 64 characters", "\"interceptor\"", "\"" A64 "\"" },
		{ "vendor of 256 bytes", "Example Cyber Ltd", A256 },
		{ "vendor in UTF-8", "Example Cyber Ltd",
		    "Soci\\u00e9t\\u00e9 G\xc3\xa9n\xc3\xa9rale \xe2\x9c\x93" },
		{ "max_concurrent 2^32-1", "\"max_concurrent\":10",
		    "\"max_concurrent\":4294967295" },
		{ "16 purposes", "[\"terrorism\",\"serious-crime\"]",
		    "[\"p1\",\"p2\",\"p3\",\"p4\",\"p5\",\"p6\",\"p7\",\"p8\","
		    "\"p9\",\"p10\",\"p11\",\"p12\",\"p13\",\"p14\",\"p15\","
		    "\"p16\"]" },
		{ "8 steps", LADDER, "[{\"after\":\"0s\",\"state\":"
		    "\"suspended\"},{\"after\":\"1s\",\"state\":\"suspended\"},"
		    "{\"after\":\"2s\",\"state\":\"suspended\"},{\"after\":\"3s\","
		    "\"state\":\"suspended\"},{\"after\":\"4s\",\"state\":"
		    "\"suspended\"},{\"after\":\"5s\",\"state\":\"suspended\"},"
		    "{\"after\":\"6s\",\"state\":\"suspended\"},{\"after\":\"7s\","
		    "\"state\":\"suspended\"}]" },
		{ "whitespace between tokens", "\"ver\":1", " \"ver\" :\n\t1 " },
	};
	size_t i;

	(void)state;
	for (i = 0; i < PL_NCASES(ok); i++) {
		char *m = pl_mutate(licence_base, ok[i].from, ok[i].to);

		if (m == NULL)
			fail_msg("%s: bad case", ok[i].name);
		pl_expect_ok(DOC_LICENCE, m, ok[i].name);
		free(m);
	}
}

/* n features f0..f(n-1), the ladder keeping f0. */
static char *
with_features(size_t n)
{
	size_t cap = 64 + n * 24, off = 0, i;
	char *feat = malloc(cap), *m;

	assert_non_null(feat);
	off += (size_t)snprintf(feat, cap, "{");
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(feat + off, cap - off, "%s\"f%zu\":{}",
		    i ? "," : "", i);
	snprintf(feat + off, cap - off, "}");
	m = pl_mutate(licence_base, FEATURES, feat);
	assert_non_null(m);
	free(feat);
	feat = pl_mutate(m, "\"keep\":[\"geo.locate\"]", "\"keep\":[\"f0\"]");
	free(m);
	assert_non_null(feat);
	return feat;
}

static void
features_bound(void **state)
{
	struct licence *l;
	char *m;

	(void)state;
	m = with_features(PL_MAX_FEATURES);
	l = decode(m);
	assert_int_equal(l->nfeatures, PL_MAX_FEATURES);
	assert_string_equal(l->features[63].name, "f63");
	free(l);
	free(m);
	m = with_features(PL_MAX_FEATURES + 1);
	pl_expect_fail(DOC_LICENCE, m, strlen(m), LICD_E_TOO_LARGE,
	    "field \"features\": more than 64 entries", "65 features");
	free(m);
}

/* A NUL byte inside the message (not a \u0000 escape) is refused before
 * jansson, which would otherwise stop reading at it. */
static void
raw_nul_rejected(void **state)
{
	char buf[sizeof(licence_base)];

	(void)state;
	memcpy(buf, licence_base, sizeof(buf));
	buf[strstr(buf, "Example") - buf + 7] = '\0';
	pl_expect_fail(DOC_LICENCE, buf, sizeof(buf) - 1, LICD_E_PAYLOAD,
	    "JSON: NUL byte", "raw NUL in vendor");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(design_example_decodes),
		cmocka_unit_test(variants_decode),
		cmocka_unit_test(features_bound),
		cmocka_unit_test(raw_nul_rejected),
	};
	int r;

	r = cmocka_run_group_tests_name("licence", tests, NULL, NULL);
	r |= pl_run_groups("licence rejections", licence_groups,
	    PL_NCASES(licence_groups));
	return r != 0;
}
