/* SPDX-License-Identifier: MIT */
/* The JSON of DESIGN 6 byte for byte: the example licence object of the
 * design rebuilt from documents, the envelope, and the null cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pol_fixture.h"

static struct pol_state *st;
static struct pol_view *view;
static struct licence lic;
static struct order ord;
static struct status sta;
static struct root rt;

static void
feed(enum doc_type t, const void *p, size_t len, int64_t wall)
{
	struct pol_doc d = { .type = t, .payload = p };
	struct pol_result res;
	struct lerr e = { 0 };

	fx_hash(p, len, d.hash);
	if (pol_accept(st, &d, wall, &res, &e) != 0)
		fail_msg("%s", e.msg);
}

static void
order(uint64_t seq, enum order_action a, int64_t nbf)
{
	memset(&ord, 0, sizeof(ord));
	strcpy(ord.lid, "IL-2026-0042");
	ord.seq = seq;
	ord.iat = T(H(seq));
	ord.nbf = nbf != 0 ? nbf : ord.iat;
	ord.has_nbf = nbf != 0;
	ord.action = a;
	snprintf(ord.ref, sizeof(ord.ref), "%s",
	    seq == 7 ? "DECA-2026-117" : "R");
	if (a == ACT_RESTRICT) {
		ord.has_keep = ord.has_purposes = ord.has_limits = true;
		ord.nkeep = fx_names("geo.locate", ord.keep, PL_MAX_FEATURES);
		ord.npurposes = fx_names("terrorism", ord.purposes,
		    PL_MAX_PURPOSES);
		ord.nlimits = fx_features("geo.locate=2", ord.limits,
		    PL_MAX_FEATURES);
	}
	feed(DOC_ORDER, &ord, sizeof(ord), T(H(seq)));
}

static int
setup(void **unused)
{
	struct pol_purposes *tax = calloc(1, sizeof(*tax));
	uint64_t s;

	(void)unused;
	st = calloc(1, sizeof(*st));
	view = calloc(1, sizeof(*view));
	assert_true(tax && st && view && fx_load_purposes(tax) == 0);
	assert_int_equal(pol_state_init(st, FX_DEV, tax, NULL), 0);
	free(tax);
	rt = (struct root){ .ver = 1, .iat = T0, .exp = T(D(365)) };
	feed(DOC_ROOT, &rt, sizeof(rt), T0);
	strcpy(lic.lid, "IL-2026-0042");
	lic.ver = 1;
	lic.iat = lic.nbf = T0;
	lic.exp = T(D(365));
	strcpy(lic.product, "interceptor");
	strcpy(lic.device, FX_DEV);
	lic.npurposes = fx_names("terrorism,serious-crime", lic.purposes,
	    PL_MAX_PURPOSES);
	lic.nfeatures = fx_features("sms.intercept=10,geo.locate",
	    lic.features, PL_MAX_FEATURES);
	lic.max_age = H(72);
	lic.nladder = fx_ladder(FX_LADDER, lic.ladder);
	feed(DOC_LICENCE, &lic, sizeof(lic), T0);
	for (s = 1; s <= 6; s++)
		order(s, ACT_REINSTATE, 0);
	order(7, ACT_RESTRICT, 0);
	order(8, ACT_SUSPEND, T(D(30)));
	sta = (struct status){ .iat = T(H(9)), .exp = T(H(33)), .seq = 7 };
	strcpy(sta.lid, "IL-2026-0042");
	strcpy(sta.device, FX_DEV);
	feed(DOC_STATUS, &sta, sizeof(sta), T(H(9)));
	return 0;
}

static int
teardown(void **unused)
{
	(void)unused;
	free(st), free(view);
	return 0;
}

static void
dump_equals(json_t *j, const char *want)
{
	char *got;

	assert_non_null(j);
	got = json_dumps(j, JSON_COMPACT);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	json_decref(j);
}

static void
licence_object_matches_design_6(void **unused)
{
	const uint32_t in_use[] = { 0, 1 };

	(void)unused;
	pol_eval(st, T(H(10)), view);
	assert_int_equal(view->nlic, 1);
	dump_equals(pol_licence_json(view, 0, in_use),
	    "{\"lid\":\"IL-2026-0042\",\"ver\":1,\"product\":\"interceptor\","
	    "\"state\":\"restricted\",\"reasons\":[\"order\"],"
	    "\"order\":{\"seq\":7,\"action\":\"restrict\","
	    "\"ref\":\"DECA-2026-117\"},"
	    "\"pending\":[{\"seq\":8,\"action\":\"suspend\","
	    "\"nbf\":\"2026-01-31T00:00:00Z\"}],"
	    "\"status\":{\"fresh\":true,\"iat\":\"2026-01-01T09:00:00Z\","
	    "\"exp\":\"2026-01-02T09:00:00Z\",\"seq\":7},"
	    "\"features\":{\"sms.intercept\":{\"allowed\":false,"
	    "\"reason\":\"disabled-by-order\"},"
	    "\"geo.locate\":{\"allowed\":true,\"purposes\":[\"terrorism\"],"
	    "\"max_concurrent\":2,\"in_use\":1}}}");
}

static void
envelope_matches_design_6(void **unused)
{
	(void)unused;
	pol_eval(st, T(H(10)), view);
	dump_equals(pol_envelope_json(view, FX_DEV, false, NULL),
	    "{\"schema_version\":1,\"device\":\"" FX_DEV "\","
	    "\"time\":{\"wall\":\"2026-01-01T10:00:00Z\","
	    "\"effective\":\"2026-01-01T10:00:00Z\",\"clock_rollback\":false},"
	    "\"root\":{\"ver\":1,\"exp\":\"2027-01-01T00:00:00Z\","
	    "\"pinned\":false},\"licences\":[]}");
}

/* A lid known only from an order: no licence, no status, no order in
 * force yet (nbf to come): null where the schema allows it. */
static void
lid_without_licence_renders_nulls(void **unused)
{
	size_t i;

	(void)unused;
	memset(&ord, 0, sizeof(ord));
	strcpy(ord.lid, "IL-0001");
	ord.seq = 1;
	ord.iat = T(H(10));
	ord.nbf = T(D(9));
	ord.has_nbf = true;
	ord.action = ACT_REINSTATE;
	strcpy(ord.ref, "R");
	feed(DOC_ORDER, &ord, sizeof(ord), T(H(10)));
	pol_eval(st, T(H(10)), view);
	assert_int_equal(view->nlic, 2);
	assert_string_equal(view->lic[0].lid, "IL-0001");	/* sorted */
	for (i = 0; i < 1; i++)
		dump_equals(pol_licence_json(view, i, NULL),
		    "{\"lid\":\"IL-0001\",\"ver\":null,\"product\":null,"
		    "\"state\":\"invalid\",\"reasons\":[\"no-licence\"],"
		    "\"order\":null,\"pending\":[{\"seq\":1,"
		    "\"action\":\"reinstate\",\"nbf\":\"2026-01-10T00:00:00Z\"}],"
		    "\"status\":null,\"features\":{}}");
	assert_null(pol_licence_json(view, 2, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(licence_object_matches_design_6),
		cmocka_unit_test(envelope_matches_design_6),
		cmocka_unit_test(lid_without_licence_renders_nulls),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("policy_json", tests, setup,
	    teardown);
}
