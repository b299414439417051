/* SPDX-License-Identifier: MIT */
/* Unit tests for the order decoder (common/payload_order.c): DESIGN's
 * example decodes, nbf defaults to iat, and each order rule has a case
 * breaking exactly it. */
#include "payload_cases.h"

#define LIMITS "{\"geo.locate\":{\"max_concurrent\":2}}"

/* DESIGN 3.4's example, with times filled in. */
static const char order_base[] =
	"{\"lid\":\"IL-2026-0042\",\"seq\":7,\"iat\":\"2026-03-01T00:00:00Z\","
	"\"nbf\":\"2026-03-02T00:00:00Z\",\"action\":\"restrict\","
	"\"keep\":[\"geo.locate\"],\"purposes\":[\"terrorism\"],"
	"\"limits\":" LIMITS ","
	"\"reason\":\"Breach of end-use declaration, clause 4\","
	"\"ref\":\"DECA-2026-117\"}";

/* A suspension: no optional field at all. */
static const char suspend_base[] =
	"{\"lid\":\"IL-2026-0042\",\"seq\":8,\"iat\":\"2026-03-01T00:00:00Z\","
	"\"action\":\"suspend\",\"reason\":\"Investigation\",\"ref\":\"\"}";

#define F65 "[\"f1\",\"f2\",\"f3\",\"f4\",\"f5\",\"f6\",\"f7\",\"f8\"," \
	"\"f9\",\"f10\",\"f11\",\"f12\",\"f13\",\"f14\",\"f15\",\"f16\"," \
	"\"f17\",\"f18\",\"f19\",\"f20\",\"f21\",\"f22\",\"f23\",\"f24\"," \
	"\"f25\",\"f26\",\"f27\",\"f28\",\"f29\",\"f30\",\"f31\",\"f32\"," \
	"\"f33\",\"f34\",\"f35\",\"f36\",\"f37\",\"f38\",\"f39\",\"f40\"," \
	"\"f41\",\"f42\",\"f43\",\"f44\",\"f45\",\"f46\",\"f47\",\"f48\"," \
	"\"f49\",\"f50\",\"f51\",\"f52\",\"f53\",\"f54\",\"f55\",\"f56\"," \
	"\"f57\",\"f58\",\"f59\",\"f60\",\"f61\",\"f62\",\"f63\",\"f64\"," \
	"\"f65\"]"
#define P17 "[\"p1\",\"p2\",\"p3\",\"p4\",\"p5\",\"p6\",\"p7\",\"p8\",\"p9\"," \
	"\"p10\",\"p11\",\"p12\",\"p13\",\"p14\",\"p15\",\"p16\",\"p17\"]"

static const struct pl_case order_cases[] = {
	{ "lid bad character", "\"IL-2026-0042\"", "\"IL#42\"",
	    LICD_E_PAYLOAD, "field \"lid\": expected a licence id" },
	{ "lid missing", "\"lid\":\"IL-2026-0042\",", "", LICD_E_PAYLOAD,
	    "missing field \"lid\"" },
	{ "seq zero", "\"seq\":7", "\"seq\":0", LICD_E_PAYLOAD,
	    "field \"seq\": must be at least 1" },
	{ "seq negative", "\"seq\":7", "\"seq\":-7", LICD_E_PAYLOAD,
	    "a sign is not allowed" },
	{ "seq plus sign", "\"seq\":7", "\"seq\":+7", LICD_E_PAYLOAD,
	    "JSON: " },
	{ "seq fraction", "\"seq\":7", "\"seq\":7.0", LICD_E_PAYLOAD,
	    "a fraction or exponent is not allowed" },
	{ "seq 2^53", "\"seq\":7", "\"seq\":9007199254740992", LICD_E_PAYLOAD,
	    "field \"seq\": integer above 2^53-1" },
	{ "seq a string", "\"seq\":7", "\"seq\":\"7\"", LICD_E_PAYLOAD,
	    "field \"seq\": expected an integer" },
	{ "seq missing", "\"seq\":7,", "", LICD_E_PAYLOAD,
	    "missing field \"seq\"" },
	{ "iat not a date", "2026-03-01T00:00:00Z", "2026-13-01T00:00:00Z",
	    LICD_E_PAYLOAD,
	    "field \"iat\": expected RFC 3339 time ending in Z" },
	{ "iat missing", "\"iat\":\"2026-03-01T00:00:00Z\",", "",
	    LICD_E_PAYLOAD, "missing field \"iat\"" },
	{ "nbf with space", "2026-03-02T00:00:00Z", "2026-03-02 00:00:00Z",
	    LICD_E_PAYLOAD,
	    "field \"nbf\": expected RFC 3339 time ending in Z" },
	{ "nbf null", "\"2026-03-02T00:00:00Z\"", "null", LICD_E_PAYLOAD,
	    "field \"nbf\": expected RFC 3339 time ending in Z" },
	{ "action unknown", "\"restrict\"", "\"pause\"", LICD_E_PAYLOAD,
	    "field \"action\": expected \"restrict\", \"suspend\", \"revoke\" "
	    "or \"reinstate\"" },
	{ "action capitalised", "\"restrict\"", "\"Restrict\"",
	    LICD_E_PAYLOAD, "field \"action\": expected" },
	{ "action missing", "\"action\":\"restrict\",", "", LICD_E_PAYLOAD,
	    "missing field \"action\"" },
	{ "keep with suspend", "\"restrict\"", "\"suspend\"", LICD_E_PAYLOAD,
	    "field \"keep\": only allowed with action \"restrict\", not "
	    "\"suspend\"" },
	{ "keep bad name", "[\"geo.locate\"]", "[\"Geo\"]", LICD_E_PAYLOAD,
	    "field \"keep\"[0]: expected a feature name" },
	{ "keep duplicate", "[\"geo.locate\"]",
	    "[\"geo.locate\",\"geo.locate\"]", LICD_E_PAYLOAD,
	    "field \"keep\"[1]: duplicate \"geo.locate\"" },
	{ "keep not an array", "[\"geo.locate\"]", "{}", LICD_E_PAYLOAD,
	    "field \"keep\": expected an array" },
	{ "keep 65", "[\"geo.locate\"]", F65, LICD_E_TOO_LARGE,
	    "field \"keep\": more than 64 entries" },
	{ "purposes bad name", "[\"terrorism\"]", "[\"terror ism\"]",
	    LICD_E_PAYLOAD, "field \"purposes\"[0]: expected a purpose id" },
	{ "purposes duplicate", "[\"terrorism\"]",
	    "[\"terrorism\",\"terrorism\"]", LICD_E_PAYLOAD,
	    "field \"purposes\"[1]: duplicate \"terrorism\"" },
	{ "purposes 17", "[\"terrorism\"]", P17, LICD_E_TOO_LARGE,
	    "field \"purposes\": more than 16 entries" },
	{ "limits zero", "\"max_concurrent\":2", "\"max_concurrent\":0",
	    LICD_E_PAYLOAD, "field \"limits\".\"geo.locate\".\"max_concurrent\": "
	    "must be at least 1" },
	{ "limits without max_concurrent", "{\"max_concurrent\":2}", "{}",
	    LICD_E_PAYLOAD,
	    "missing field \"limits\".\"geo.locate\".\"max_concurrent\"" },
	{ "limits bad feature name", "{\"geo.locate\":", "{\"geo locate\":",
	    LICD_E_PAYLOAD, "field \"limits\": key \"geo locate\": expected a "
	    "feature name" },
	{ "limits unknown field", "\"max_concurrent\":2",
	    "\"max_concurrent\":2,\"min\":1", LICD_E_PAYLOAD,
	    "unknown field \"limits\".\"geo.locate\".\"min\"" },
	{ "limits entry not an object", "{\"max_concurrent\":2}", "2",
	    LICD_E_PAYLOAD, "field \"limits\".\"geo.locate\": expected an "
	    "object" },
	{ "limits not an object", LIMITS, "[]", LICD_E_PAYLOAD,
	    "field \"limits\": expected an object" },
	{ "reason empty", "\"Breach of end-use declaration, clause 4\"",
	    "\"\"", LICD_E_PAYLOAD, "field \"reason\": must not be empty" },
	{ "reason 513 bytes", "\"Breach of end-use declaration, clause 4\"",
	    "\"" A512 "b\"", LICD_E_PAYLOAD,
	    "field \"reason\": longer than 512 bytes" },
	{ "reason line break", "declaration, clause 4",
	    "declaration,\\r\\nclause 4", LICD_E_PAYLOAD,
	    "field \"reason\": control characters are not allowed" },
	{ "reason missing",
	    "\"reason\":\"Breach of end-use declaration, clause 4\",", "",
	    LICD_E_PAYLOAD, "missing field \"reason\"" },
	{ "ref 257 bytes", "\"DECA-2026-117\"", "\"" A256 "b\"",
	    LICD_E_PAYLOAD, "field \"ref\": longer than 256 bytes" },
	{ "ref escape character", "\"DECA-2026-117\"", "\"DECA\\u001b[2J\"",
	    LICD_E_PAYLOAD, "field \"ref\": control characters are not "
	    "allowed" },
	{ "ref missing", ",\"ref\":\"DECA-2026-117\"", "", LICD_E_PAYLOAD,
	    "missing field \"ref\"" },
	{ "unknown field", "\"seq\":7", "\"seq\":7,\"severity\":1",
	    LICD_E_PAYLOAD, "unknown field \"severity\"" },
	{ "duplicate action", "\"action\":\"restrict\"",
	    "\"action\":\"restrict\",\"action\":\"reinstate\"", LICD_E_PAYLOAD,
	    "duplicate key \"action\"" },
};

/* Each narrowing field with each other action, one at a time. */
static const struct pl_case suspend_cases[] = {
	{ "purposes with suspend", "\"ref\":\"\"",
	    "\"ref\":\"\",\"purposes\":[\"terrorism\"]", LICD_E_PAYLOAD,
	    "field \"purposes\": only allowed with action \"restrict\", not "
	    "\"suspend\"" },
	{ "limits with suspend", "\"ref\":\"\"",
	    "\"ref\":\"\",\"limits\":" LIMITS, LICD_E_PAYLOAD,
	    "field \"limits\": only allowed with action \"restrict\", not "
	    "\"suspend\"" },
	{ "keep with revoke", "\"action\":\"suspend\"",
	    "\"action\":\"revoke\",\"keep\":[]", LICD_E_PAYLOAD,
	    "field \"keep\": only allowed with action \"restrict\", not "
	    "\"revoke\"" },
	{ "purposes with reinstate", "\"action\":\"suspend\"",
	    "\"action\":\"reinstate\",\"purposes\":[]", LICD_E_PAYLOAD,
	    "field \"purposes\": only allowed with action \"restrict\", not "
	    "\"reinstate\"" },
	{ "limits with revoke", "\"action\":\"suspend\"",
	    "\"action\":\"revoke\",\"limits\":{}", LICD_E_PAYLOAD,
	    "field \"limits\": only allowed with action \"restrict\", not "
	    "\"revoke\"" },
};

static const struct pl_group order_groups[] = {
	{ DOC_ORDER, order_base, order_cases, PL_NCASES(order_cases) },
	{ DOC_ORDER, suspend_base, suspend_cases, PL_NCASES(suspend_cases) },
};

static struct order *
decode(const char *msg)
{
	struct order *o = calloc(1, sizeof(*o));
	struct lerr e;
	int r;

	assert_non_null(o);
	lerr_clear(&e);
	r = pl_decode_order((const uint8_t *)msg, strlen(msg), o, &e);
	if (r != 0)
		print_error("pl_decode_order: %s\n", e.msg);
	assert_int_equal(r, 0);
	return o;
}

static void
design_example_decodes(void **state)
{
	struct order *o = decode(order_base);

	(void)state;
	assert_string_equal(o->lid, "IL-2026-0042");
	assert_int_equal(o->seq, 7);
	assert_int_equal(o->iat, 1772323200);
	assert_true(o->has_nbf);
	assert_int_equal(o->nbf, 1772323200 + 86400);
	assert_int_equal(o->action, ACT_RESTRICT);
	assert_true(o->has_keep);
	assert_int_equal(o->nkeep, 1);
	assert_string_equal(o->keep[0], "geo.locate");
	assert_true(o->has_purposes);
	assert_int_equal(o->npurposes, 1);
	assert_string_equal(o->purposes[0], "terrorism");
	assert_true(o->has_limits);
	assert_int_equal(o->nlimits, 1);
	assert_string_equal(o->limits[0].name, "geo.locate");
	assert_int_equal(o->limits[0].max_concurrent, 2);
	assert_string_equal(o->reason,
	    "Breach of end-use declaration, clause 4");
	assert_string_equal(o->ref, "DECA-2026-117");
	free(o);
}

static void
nbf_defaults_to_iat(void **state)
{
	struct order *o = decode(suspend_base);

	(void)state;
	assert_int_equal(o->action, ACT_SUSPEND);
	assert_false(o->has_nbf);
	assert_int_equal(o->nbf, o->iat);
	assert_false(o->has_keep);
	assert_false(o->has_purposes);
	assert_false(o->has_limits);
	assert_string_equal(o->ref, "");
	free(o);
}

static void
every_action_decodes(void **state)
{
	static const char *const names[ACT__COUNT] = { "restrict", "suspend",
	    "revoke", "reinstate" };
	char from[] = "\"action\":\"suspend\"", to[64];
	struct order *o;
	char *m;
	int a;

	(void)state;
	for (a = 0; a < ACT__COUNT; a++) {
		snprintf(to, sizeof(to), "\"action\":\"%s\"", names[a]);
		m = pl_mutate(suspend_base, from, to);
		assert_non_null(m);
		o = decode(m);
		assert_int_equal(o->action, a);
		assert_string_equal(order_action_name(o->action), names[a]);
		free(o);
		free(m);
	}
}

/* Empty lists narrow to nothing and are allowed; nbf may precede iat. */
static void
variants_decode(void **state)
{
	static const struct { const char *name, *from, *to; } ok[] = {
		{ "keep nothing", "[\"geo.locate\"]", "[]" },
		{ "no purpose", "[\"terrorism\"]", "[]" },
		{ "no limits", LIMITS, "{}" },
		{ "restrict with no list", ",\"keep\":[\"geo.locate\"],"
		    "\"purposes\":[\"terrorism\"],\"limits\":" LIMITS, "" },
		{ "nbf before iat", "2026-03-02T00:00:00Z",
		    "2026-02-01T00:00:00Z" },
		{ "reason of 512 bytes", "Breach of end-use declaration, "
		    "clause 4", A512 },
		{ "seq 2^53-1", "\"seq\":7", "\"seq\":9007199254740991" },
	};
	struct order *o;
	size_t i;
	char *m;

	(void)state;
	for (i = 0; i < PL_NCASES(ok); i++) {
		m = pl_mutate(order_base, ok[i].from, ok[i].to);
		if (m == NULL)
			fail_msg("%s: bad case", ok[i].name);
		pl_expect_ok(DOC_ORDER, m, ok[i].name);
		free(m);
	}
	m = pl_mutate(order_base, "[\"geo.locate\"]", "[]");
	o = decode(m);
	assert_true(o->has_keep);
	assert_int_equal(o->nkeep, 0);
	free(o);
	free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(design_example_decodes),
		cmocka_unit_test(nbf_defaults_to_iat),
		cmocka_unit_test(every_action_decodes),
		cmocka_unit_test(variants_decode),
	};
	int r;

	r = cmocka_run_group_tests_name("order", tests, NULL, NULL);
	r |= pl_run_groups("order rejections", order_groups,
	    PL_NCASES(order_groups));
	return r != 0;
}
