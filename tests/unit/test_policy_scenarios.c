/* SPDX-License-Identifier: MIT */
/* The rules of DESIGN 3.4 and 4 as a table of named scenarios: each is a
 * list of steps (a document fed at a wall-clock time, or an expectation on
 * pol_eval()), and every rejected document is checked to change nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pol_fixture.h"

struct step {
	char op;	/* R root L licence O order S status C clock X local
			 * E expect (pol_eval) Q query (pol_check) */
	int64_t at;	/* wall clock; for C the signed clock */
	/* documents (0 / NULL: the default) */
	const char *lid;
	uint64_t n;	/* licence ver, order seq, status seq, root ver */
	char act;	/* order: r restrict, s suspend, v revoke, i reinstate */
	int64_t iat, nbf, exp;
	const char *product, *purposes, *features, *ladder;
	int64_t max_age;
	const char *keep, *opurp, *limits;	/* order; NULL: absent */
	bool other_device;
	int tweak;	/* a different message, same numbers */
	const char *drop;	/* root rotation: "LOS" types that no longer verify */
	/* what the step must give */
	int err;	/* LICD_E_* or 0 */
	int v;		/* enum pol_verdict when err == 0 */
	/* E: expectations (NULL / 0: not checked) */
	const char *state, *causes, *feat, *why, *fpurp, *lim, *ver;
	char allow, fresh, rollback;	/* 'y' / 'n' */
	int64_t next;
	const char *inforce, *pending;	/* "3" / "-" ; "2,3" / "-" */
};

struct scenario {
	const char *name;
	const struct step *steps;
};

#define END { .op = 0 }
#define CLOCK(t) { .op = 'C', .at = (t) }
#define ROOT(t)	{ .op = 'R', .at = (t) }
#define LIC(t)	{ .op = 'L', .at = (t) }
#define STA(t, s) { .op = 'S', .at = (t), .n = (s) }
#define BASE ROOT(T0), LIC(T0), STA(T0, 0)
/* Fresh for 100 days: time can pass without the ladder interfering. */
#define BASE_LONG ROOT(T0), { 'L', T0, .max_age = D(100) }, \
	{ 'S', T0, .exp = T(D(100)) }
#define NEVER POL_NEVER

struct run {
	struct pol_state *st, *before;
	struct pol_view *view;
	const char *name;
	size_t i;
	const char *drop;
};

static void
fill_licence(const struct step *s, struct licence *l)
{
	memset(l, 0, sizeof(*l));
	snprintf(l->lid, sizeof(l->lid), "%s", s->lid ? s->lid : "IL-1");
	l->ver = s->n ? s->n : 1;
	l->iat = s->iat ? s->iat : s->at;
	l->nbf = s->nbf ? s->nbf : l->iat;
	l->exp = s->exp ? s->exp : T(D(365));
	snprintf(l->vendor, sizeof(l->vendor), "Example Cyber Ltd %d",
	    s->tweak);
	snprintf(l->product, sizeof(l->product), "%s",
	    s->product ? s->product : "interceptor");
	snprintf(l->country, sizeof(l->country), "XX");
	snprintf(l->agency, sizeof(l->agency), "NCTU");
	snprintf(l->device, sizeof(l->device), "%s",
	    s->other_device ? FX_OTHER : FX_DEV);
	l->npurposes = fx_names(s->purposes ? s->purposes :
	    "terrorism,serious-crime", l->purposes, PL_MAX_PURPOSES);
	l->nfeatures = fx_features(s->features ? s->features :
	    "sms.intercept=10,geo.locate", l->features, PL_MAX_FEATURES);
	l->max_age = s->max_age ? s->max_age : H(72);
	l->nladder = fx_ladder(s->ladder ? s->ladder : FX_LADDER, l->ladder);
}

static void
fill_order(const struct step *s, struct order *o)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->lid, sizeof(o->lid), "%s", s->lid ? s->lid : "IL-1");
	o->seq = s->n;
	o->iat = s->iat ? s->iat : s->at;
	o->has_nbf = s->nbf != 0;
	o->nbf = s->nbf ? s->nbf : o->iat;
	o->action = s->act == 's' ? ACT_SUSPEND : s->act == 'v' ? ACT_REVOKE :
	    s->act == 'i' ? ACT_REINSTATE : ACT_RESTRICT;
	o->has_keep = s->keep != NULL;
	o->nkeep = fx_names(s->keep, o->keep, PL_MAX_FEATURES);
	o->has_purposes = s->opurp != NULL;
	o->npurposes = fx_names(s->opurp, o->purposes, PL_MAX_PURPOSES);
	o->has_limits = s->limits != NULL;
	o->nlimits = fx_features(s->limits, o->limits, PL_MAX_FEATURES);
	snprintf(o->reason, sizeof(o->reason), "reason %d", s->tweak);
	snprintf(o->ref, sizeof(o->ref), "REF-%llu", (unsigned long long)s->n);
}

static void
fill_status(const struct step *s, struct status *st)
{
	memset(st, 0, sizeof(*st));
	snprintf(st->lid, sizeof(st->lid), "%s", s->lid ? s->lid : "IL-1");
	snprintf(st->device, sizeof(st->device), "%s",
	    s->other_device ? FX_OTHER : FX_DEV);
	st->iat = (s->iat ? s->iat : s->at) + s->tweak;
	st->exp = s->exp ? s->exp : st->iat + H(24);
	st->seq = s->n;
}

static void
fill_root(const struct step *s, struct root *r)
{
	memset(r, 0, sizeof(*r));
	r->ver = s->n ? s->n : 1;
	r->iat = (s->iat ? s->iat : s->at) - s->tweak;
	r->exp = s->exp ? s->exp : T(D(3650));
}

/* Root rotation: the step's drop letters say which types fail. */
static int
reverify(void *ctx, enum doc_type t, const char *lid, uint64_t num,
    const uint8_t hash[32])
{
	const char *drop = ctx;
	char c = t == DOC_LICENCE ? 'L' : t == DOC_ORDER ? 'O' : 'S';

	(void)lid, (void)num, (void)hash;
	return drop == NULL || strchr(drop, c) == NULL;
}

/* Only the equivocation marks may differ after a rejection. */
static void
check_unchanged(struct run *r, int err)
{
	size_t i;

	if (err == LICD_E_EQUIVOCATION)
		for (i = 0; i < r->st->nlids && i < r->before->nlids; i++) {
			r->before->lids[i].eq_seq = r->st->lids[i].eq_seq;
			r->before->lids[i].eq_ver = r->st->lids[i].eq_ver;
			r->before->lids[i].eq_ver_seq =
			    r->st->lids[i].eq_ver_seq;
		}
	if (memcmp(r->st, r->before, sizeof(*r->st)) != 0)
		fail_msg("%s step %zu: a rejected document changed the state",
		    r->name, r->i);
}

static void
feed(struct run *r, const struct step *s)
{
	static struct licence l;
	static struct order o;
	static struct status st;
	static struct root rt;
	struct pol_doc d = { 0 };
	struct pol_result res;
	struct lerr e = { 0 };
	int rc;

	switch (s->op) {
	case 'L': fill_licence(s, &l); d.type = DOC_LICENCE; d.payload = &l;
		fx_hash(&l, sizeof(l), d.hash); break;
	case 'O': fill_order(s, &o); d.type = DOC_ORDER; d.payload = &o;
		fx_hash(&o, sizeof(o), d.hash); break;
	case 'S': fill_status(s, &st); d.type = DOC_STATUS; d.payload = &st;
		fx_hash(&st, sizeof(st), d.hash); break;
	default: fill_root(s, &rt); d.type = DOC_ROOT; d.payload = &rt;
		fx_hash(&rt, sizeof(rt), d.hash);
		d.reverify = reverify; d.reverify_ctx = (void *)s->drop; break;
	}
	memcpy(r->before, r->st, sizeof(*r->st));
	rc = pol_accept(r->st, &d, s->at, &res, &e);
	if (rc != -s->err)
		fail_msg("%s step %zu (%c): got %s (%s), want %s", r->name,
		    r->i, s->op, rc ? lerr_reason(rc) : "ok", e.msg,
		    s->err ? lerr_reason(s->err) : "ok");
	if (rc < 0) {
		assert_int_equal(res.verdict, POL_REJECTED);
		assert_int_equal(res.alarm, rc == -LICD_E_EQUIVOCATION);
		check_unchanged(r, s->err);
	} else if ((int)res.verdict != s->v) {
		fail_msg("%s step %zu: verdict %s, want %s", r->name, r->i,
		    pol_verdict_name(res.verdict),
		    pol_verdict_name((enum pol_verdict)s->v));
	}
}

static const struct pol_licence_view *
find_lid(const struct pol_view *v, const char *lid)
{
	size_t i;

	for (i = 0; i < v->nlic; i++)
		if (strcmp(v->lic[i].lid, lid) == 0)
			return &v->lic[i];
	return NULL;
}

static void
list_causes(const struct pol_licence_view *lv, char *out, size_t cap)
{
	int c;

	out[0] = '\0';
	for (c = 0; c < POL_C__COUNT; c++)
		if (lv->causes & (1u << c))
			snprintf(out + strlen(out), cap - strlen(out), "%s%s",
			    out[0] ? "," : "", pol_cause_name(c));
}

static void
list_purposes(const struct pol_licence_view *lv, uint32_t mask, char *out,
    size_t cap)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < lv->npurposes; i++)
		if (mask & (1u << i))
			snprintf(out + strlen(out), cap - strlen(out), "%s%s",
			    out[0] ? "," : "", lv->purposes[i]);
}

static void
list_pending(const struct pol_licence_view *lv, char *out, size_t cap)
{
	size_t i;

	snprintf(out, cap, "%s", lv->npending ? "" : "-");
	for (i = 0; i < lv->npending; i++)
		snprintf(out + strlen(out), cap - strlen(out), "%s%llu",
		    i ? "," : "", (unsigned long long)lv->pending[i].seq);
}

#define WANT_STR(what, got, want) do {					\
	if ((want) != NULL && strcmp((got), (want)) != 0)		\
		fail_msg("%s step %zu: %s is \"%s\", want \"%s\"",	\
		    r->name, r->i, (what), (got), (want));		\
} while (0)

#define WANT_YN(what, got, want) do {					\
	if ((want) != 0 && (got) != ((want) == 'y'))			\
		fail_msg("%s step %zu: %s is %d, want %c", r->name,	\
		    r->i, (what), (int)(got), (want));			\
} while (0)

static void
expect_feature(struct run *r, const struct step *s,
    const struct pol_licence_view *lv)
{
	const struct pol_feature_view *f = NULL;
	char buf[512];
	size_t i;

	for (i = 0; i < lv->nfeatures; i++)
		if (strcmp(lv->features[i].name, s->feat) == 0)
			f = &lv->features[i];
	if (f == NULL)
		fail_msg("%s step %zu: no feature %s", r->name, r->i, s->feat);
	WANT_YN("allowed", f->allowed, s->allow);
	WANT_STR("reason", pol_reason_name(f->reason), s->why);
	list_purposes(lv, f->purposes, buf, sizeof(buf));
	WANT_STR("purposes", buf, s->fpurp);
	snprintf(buf, sizeof(buf), "%u", f->max_concurrent);
	WANT_STR("max_concurrent", buf, s->lim);
}

static void
expect(struct run *r, const struct step *s)
{
	const struct pol_licence_view *lv;
	char buf[512];

	pol_eval(r->st, s->at, r->view);
	WANT_YN("clock_rollback", r->view->clock_rollback, s->rollback);
	if (s->next != 0 && r->view->next_change != s->next)
		fail_msg("%s step %zu: next_change T0%+lld, want T0%+lld",
		    r->name, r->i, (long long)(r->view->next_change - T0),
		    (long long)(s->next - T0));
	lv = find_lid(r->view, s->lid ? s->lid : "IL-1");
	if (lv == NULL)
		fail_msg("%s step %zu: lid not listed", r->name, r->i);
	WANT_STR("state", lstate_name(lv->state), s->state);
	list_causes(lv, buf, sizeof(buf));
	WANT_STR("reasons", buf, s->causes);
	WANT_YN("fresh", lv->fresh, s->fresh);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)lv->ver);
	WANT_STR("ver", buf, s->ver);
	if (lv->has_order)
		snprintf(buf, sizeof(buf), "%llu",
		    (unsigned long long)lv->order_seq);
	else
		snprintf(buf, sizeof(buf), "-");
	WANT_STR("order in force", buf, s->inforce);
	list_pending(lv, buf, sizeof(buf));
	WANT_STR("pending", buf, s->pending);
	if (s->feat != NULL)
		expect_feature(r, s, lv);
}

static void
query(struct run *r, const struct step *s)
{
	enum pol_reason why;
	int ok;

	pol_eval(r->st, s->at, r->view);
	ok = pol_check(r->view, s->product ? s->product : "interceptor",
	    s->feat, s->opurp, &why, NULL);
	WANT_YN("check", ok, s->allow);
	WANT_STR("check reason", pol_reason_name(why), s->why);
}

static void
local(struct run *r, const struct step *s)
{
	char names[POL_MAX_LOCAL][PL_NAME_MAX + 1];
	const char *ptr[POL_MAX_LOCAL];
	size_t n = fx_names(s->features, names, POL_MAX_LOCAL), i;

	for (i = 0; i < n; i++)
		ptr[i] = names[i];
	assert_int_equal(pol_set_local(r->st, ptr, n, NULL), 0);
}

static void
run_scenario(void **state)
{
	const struct scenario *sc = *state;
	struct pol_purposes *tax = calloc(1, sizeof(*tax));
	struct run r = { 0 };
	const struct step *s;

	r.st = calloc(1, sizeof(*r.st));
	r.before = calloc(1, sizeof(*r.before));
	r.view = calloc(1, sizeof(*r.view));
	assert_non_null(r.st), assert_non_null(r.before);
	assert_non_null(r.view), assert_non_null(tax);
	assert_int_equal(fx_load_purposes(tax), 0);
	assert_int_equal(pol_state_init(r.st, FX_DEV, tax, NULL), 0);
	r.name = sc->name;
	for (s = sc->steps; s->op != 0; s++, r.i++) {
		if (s->op == 'E')
			expect(&r, s);
		else if (s->op == 'Q')
			query(&r, s);
		else if (s->op == 'C')
			pol_clock_advance(r.st, s->at);
		else if (s->op == 'X')
			local(&r, s);
		else
			feed(&r, s);
	}
	free(r.st), free(r.before), free(r.view), free(tax);
}

#define SC(nm, ...) { #nm, (const struct step[]){ __VA_ARGS__, END } }

static const struct scenario scenarios[] = {
SC(fresh_licence_is_active, BASE,
    { 'E', T(H(1)), .state = "active", .causes = "", .fresh = 'y',
      .inforce = "-", .pending = "-" },
    { 'E', T(H(1)), .feat = "sms.intercept", .allow = 'y',
      .fpurp = "terrorism,serious-crime", .lim = "10" },
    { 'E', T(H(1)), .feat = "geo.locate", .allow = 'y', .lim = "0" }),

SC(licence_without_status_is_stale_from_first_nbf, ROOT(T0), LIC(T0),
    { 'E', T(H(1)), .state = "restricted", .causes = "stale", .fresh = 'n',
      .feat = "sms.intercept", .allow = 'n', .why = "stale" },
    { 'E', T(H(1)), .feat = "geo.locate", .allow = 'y' },
    { 'E', T(D(7)), .state = "suspended", .feat = "geo.locate",
      .allow = 'n', .why = "stale" }),

SC(restrict_keeps_only_listed_features, BASE,
    { 'O', T(H(1)), .n = 1, .act = 'r', .keep = "geo.locate",
      .opurp = "terrorism", .limits = "geo.locate=2" },
    { 'S', T(H(2)), .n = 1 },
    { 'E', T(H(3)), .state = "restricted", .causes = "order",
      .inforce = "1", .fresh = 'y', .feat = "sms.intercept", .allow = 'n',
      .why = "disabled-by-order" },
    { 'E', T(H(3)), .feat = "geo.locate", .allow = 'y',
      .fpurp = "terrorism", .lim = "2" }),

SC(restrict_without_keep_narrows_purposes_only, BASE,
    { 'O', T(H(1)), .n = 1, .act = 'r', .opurp = "terrorism" },
    { 'E', T(H(2)), .state = "restricted", .feat = "sms.intercept",
      .allow = 'y', .fpurp = "terrorism", .lim = "10" }),

SC(restrict_limit_never_raises_licence_limit, BASE,
    { 'O', T(H(1)), .n = 1, .act = 'r',
      .limits = "sms.intercept=50,geo.locate=3" },
    { 'E', T(H(2)), .feat = "sms.intercept", .allow = 'y', .lim = "10" },
    { 'E', T(H(2)), .feat = "geo.locate", .allow = 'y', .lim = "3" }),

SC(order_purposes_outside_licence_leave_nothing, ROOT(T0),
    { 'L', T0, .purposes = "terrorism" }, STA(T0, 0),
    { 'O', T(H(1)), .n = 1, .act = 'r', .opurp = "serious-crime" },
    { 'E', T(H(2)), .state = "restricted", .feat = "geo.locate",
      .allow = 'n', .why = "purpose-not-permitted" }),

SC(suspend_disables_every_feature, BASE,
    { 'O', T(H(1)), .n = 1, .act = 's' },
    { 'E', T(H(2)), .state = "suspended", .causes = "order",
      .inforce = "1", .feat = "geo.locate", .allow = 'n',
      .why = "suspended" }),

SC(reinstate_restores_the_licence, BASE,
    { 'O', T(H(1)), .n = 1, .act = 's' },
    { 'O', T(H(2)), .n = 2, .act = 'i' },
    { 'E', T(H(3)), .state = "active", .causes = "", .inforce = "2" }),

SC(replayed_reinstate_is_rejected, BASE,
    { 'O', T(H(1)), .n = 1, .act = 's' },
    { 'O', T(H(2)), .n = 2, .act = 'i' },
    { 'O', T(H(3)), .n = 3, .act = 'r', .keep = "geo.locate" },
    { 'O', T(H(4)), .n = 2, .act = 'i', .iat = T(H(2)), .v = POL_NOOP },
    { 'E', T(H(5)), .state = "restricted", .inforce = "3",
      .feat = "sms.intercept", .allow = 'n', .why = "disabled-by-order" }),

SC(late_lower_seq_reinstate_is_only_held, BASE,
    { 'O', T(H(1)), .n = 1, .act = 's' },
    { 'O', T(H(3)), .n = 3, .act = 'r', .keep = "geo.locate" },
    { 'O', T(H(4)), .n = 2, .act = 'i', .iat = T(H(2)),
      .v = POL_SUPERSEDED },
    { 'E', T(H(5)), .state = "restricted", .inforce = "3" }),

SC(equivocation_suspends_until_higher_seq, BASE,
    { 'O', T(H(1)), .n = 1, .act = 'r', .keep = "geo.locate" },
    { 'O', T(H(2)), .n = 1, .act = 'r', .keep = "geo.locate", .tweak = 1,
      .err = LICD_E_EQUIVOCATION },
    { 'E', T(H(3)), .state = "suspended", .causes = "equivocation,order",
      .feat = "geo.locate", .allow = 'n', .why = "equivocation" },
    { 'O', T(H(4)), .n = 2, .act = 'i' },
    { 'E', T(H(5)), .state = "active", .inforce = "2" }),

SC(licence_equivocation_suspends_until_higher_ver, BASE,
    { 'L', T(H(1)), .n = 1, .iat = T0, .tweak = 7,
      .err = LICD_E_EQUIVOCATION },
    { 'E', T(H(2)), .state = "suspended", .causes = "equivocation" },
    { 'L', T(H(3)), .n = 2 },
    { 'E', T(H(4)), .state = "active", .ver = "2" }),

SC(licence_equivocation_also_cleared_by_higher_order, BASE,
    { 'L', T(H(1)), .n = 1, .iat = T0, .tweak = 7,
      .err = LICD_E_EQUIVOCATION },
    { 'O', T(H(2)), .n = 1, .act = 'i' },
    { 'E', T(H(3)), .state = "active" }),

SC(revoke_is_terminal_even_with_lower_seq, BASE,
    { 'O', T(H(1)), .n = 1, .act = 'r', .keep = "geo.locate" },
    { 'O', T(H(2)), .n = 3, .act = 'i' },
    { 'O', T(H(3)), .n = 2, .act = 'v' },
    { 'E', T(H(4)), .state = "revoked", .causes = "revoked",
      .feat = "geo.locate", .allow = 'n', .why = "revoked" },
    { 'O', T(H(5)), .n = 4, .act = 'i', .err = LICD_E_REVOKED },
    { 'L', T(H(5)), .n = 2, .err = LICD_E_REVOKED },
    { 'S', T(H(5)), .n = 4, .err = LICD_E_REVOKED },
    { 'O', T(H(6)), .n = 2, .act = 'v', .iat = T(H(3)), .v = POL_NOOP },
    { 'E', T(D(30)), .state = "revoked" }),

SC(revoke_with_future_nbf_is_immediate, BASE,
    { 'O', T(H(1)), .n = 1, .act = 'v', .nbf = T(D(30)) },
    { 'E', T(H(2)), .state = "revoked", .feat = "sms.intercept",
      .allow = 'n', .why = "revoked" }),

SC(revoked_product_stays_revoked, BASE,
    { 'O', T(H(1)), .n = 1, .act = 'v' },
    { 'L', T(H(2)), .lid = "IL-2", .err = LICD_E_REVOKED },
    { 'L', T(D(400)), .lid = "IL-2", .iat = T(D(400)),
      .exp = T(D(800)), .err = LICD_E_REVOKED },
    { 'L', T(H(2)), .lid = "IL-3", .product = "other" },
    { 'Q', T(H(3)), .feat = "geo.locate", .opurp = "terrorism",
      .allow = 'n', .why = "revoked" }),

SC(second_licence_for_product_rejected, BASE,
    { 'L', T(H(1)), .lid = "IL-2", .err = LICD_E_PRODUCT_LICENSED },
    { 'L', T(H(1)), .lid = "IL-3", .product = "other" },
    { 'L', T(H(2)), .lid = "IL-3", .n = 2,
      .err = LICD_E_PRODUCT_LICENSED }),

SC(second_licence_allowed_once_first_expired, ROOT(T0),
    { 'L', T0, .exp = T(D(10)) }, STA(T0, 0),
    { 'L', T(D(11)), .lid = "IL-2" },
    { 'S', T(D(11)), .lid = "IL-2" },
    { 'E', T(D(11)), .state = "expired", .causes = "expired,stale",
      .feat = "geo.locate", .allow = 'n', .why = "expired" },
    { 'E', T(D(11)), .lid = "IL-2", .state = "active" },
    { 'Q', T(D(11)), .feat = "geo.locate", .opurp = "terrorism",
      .allow = 'y', .why = "none" }),

SC(wrong_device_invalid, ROOT(T0),
    { 'L', T0, .other_device = true, .err = LICD_E_WRONG_DEVICE },
    LIC(T0), STA(T0, 0),
    { 'L', T(H(1)), .n = 2, .other_device = true },
    { 'E', T(H(2)), .state = "invalid", .causes = "wrong-device",
      .feat = "geo.locate", .allow = 'n', .why = "invalid" }),

SC(status_for_another_device_rejected, ROOT(T0), LIC(T0),
    { 'S', T0, .other_device = true, .err = LICD_E_WRONG_DEVICE }),

SC(unknown_purpose_invalid, ROOT(T0),
    { 'L', T0, .purposes = "terrorism,tax-evasion" }, STA(T0, 0),
    { 'E', T(H(1)), .state = "invalid", .causes = "unknown-purpose",
      .feat = "geo.locate", .allow = 'n', .why = "invalid" }),

SC(ladder_not_ending_suspended_invalid, ROOT(T0),
    { 'L', T0, .ladder = "0:r:geo.locate" }, STA(T0, 0),
    { 'E', T(H(1)), .state = "invalid", .causes = "bad-ladder" }),

SC(ladder_step_looser_than_previous_invalid, ROOT(T0),
    { 'L', T0, .ladder = "0:r:geo.locate;60:r:geo.locate|sms.intercept;"
      "120:s" }, STA(T0, 0),
    { 'E', T(H(1)), .state = "invalid", .causes = "bad-ladder" }),

SC(ladder_after_not_increasing_invalid, ROOT(T0),
    { 'L', T0, .ladder = "60:r:geo.locate;60:s" }, STA(T0, 0),
    { 'E', T(H(1)), .state = "invalid", .causes = "bad-ladder" }),

SC(iat_too_far_ahead_rejected_except_sanctions, ROOT(T0),
    { 'L', T0, .iat = T(301), .err = LICD_E_NOT_YET_VALID },
    LIC(T0),
    { 'S', T0, .iat = T(301), .err = LICD_E_NOT_YET_VALID },
    { 'O', T0, .n = 1, .act = 'i', .iat = T(301),
      .err = LICD_E_NOT_YET_VALID },
    { 'O', T0, .n = 1, .act = 'r', .iat = T(D(30)), .keep = "geo.locate",
      .v = POL_PENDING },
    { 'O', T0, .n = 2, .act = 's', .iat = T(D(30)), .v = POL_PENDING },
    { 'O', T0, .n = 3, .act = 'v', .iat = T(D(30)) },
    { 'E', T0, .state = "revoked" }),

SC(iat_within_skew_accepted_and_caps_signed_clock, ROOT(T0),
    { 'L', T0, .iat = T(300) },
    { 'O', T0, .n = 1, .act = 'r', .iat = T(D(30)), .keep = "geo.locate",
      .nbf = T(200) },
    { 'E', T0, .state = "restricted", .inforce = "1" },
    { 'E', T(H(2)), .state = "restricted" }),

SC(status_replay_rejected, BASE,
    { 'S', T(H(2)), .n = 0 },
    { 'S', T(H(3)), .n = 0, .iat = T(H(1)), .err = LICD_E_REPLAY },
    { 'S', T(H(3)), .n = 0, .iat = T(H(2)), .exp = T(H(30)),
      .err = LICD_E_REPLAY },
    { 'S', T(H(3)), .n = 0, .iat = T(H(2)), .v = POL_NOOP }),

SC(lower_licence_ver_rejected, ROOT(T0), { 'L', T0, .n = 3 },
    { 'L', T(H(1)), .n = 2, .err = LICD_E_REPLAY },
    { 'L', T(H(1)), .n = 3, .iat = T0, .v = POL_NOOP }),

SC(status_naming_missing_order_is_not_fresh, BASE,
    { 'O', T(H(1)), .n = 1, .act = 'r', .keep = "geo.locate,sms.intercept" },
    { 'S', T(H(2)), .n = 2 },
    { 'E', T(H(3)), .fresh = 'n', .state = "restricted",
      .causes = "order,stale", .feat = "sms.intercept", .allow = 'n',
      .why = "stale" },
    { 'E', T(H(2) + D(7)), .state = "suspended" }),

SC(missing_order_arriving_restores_freshness, BASE,
    { 'S', T(H(2)), .n = 1 },
    { 'E', T(H(3)), .fresh = 'n', .state = "restricted" },
    { 'O', T(H(4)), .n = 1, .act = 'i' },
    { 'E', T(H(5)), .fresh = 'y', .state = "active", .inforce = "1" }),

SC(stale_after_max_age, BASE,
    { 'S', T(H(1)), .n = 0, .exp = T(D(30)) },
    { 'E', T(H(73)), .fresh = 'y', .state = "active" },
    { 'E', T(H(73) + 1), .fresh = 'n', .state = "restricted",
      .causes = "stale" }),

SC(ladder_counts_from_loss, BASE,
    { 'S', T(H(1)), .n = 0, .exp = T(H(25)) },
    { 'E', T(H(25) - 1), .fresh = 'y', .state = "active",
      .next = T(H(25)) },
    { 'E', T(H(25)), .fresh = 'n', .state = "restricted",
      .next = T(H(25) + D(7)) },
    { 'E', T(H(25) + D(7) - 1), .state = "restricted" },
    { 'E', T(H(25) + D(7)), .state = "suspended", .next = T(D(365)) }),

SC(fresh_status_regained_restores_at_once, BASE,
    { 'E', T(D(8)), .state = "suspended", .fresh = 'n' },
    { 'S', T(D(8)), .n = 0 },
    { 'E', T(D(8)), .state = "active", .fresh = 'y' }),

SC(expired_root_makes_status_not_fresh, { 'R', T0, .exp = T(D(2)) },
    LIC(T0), { 'S', T0, .exp = T(D(30)) },
    { 'E', T(D(2) - 1), .fresh = 'y', .next = T(D(2)) },
    { 'E', T(D(2)), .fresh = 'n', .state = "restricted" }),

SC(clock_set_back_uses_signed_time, ROOT(T0),
    { 'L', T0, .exp = T(D(30)) },
    { 'S', T(D(31)), .n = 0 },
    { 'E', T(D(1)), .state = "expired", .rollback = 'y' },
    { 'E', T(D(31)) - 300, .rollback = 'n' },
    { 'E', T(D(31)) - 301, .rollback = 'y' }),

SC(pending_restrict_waits_for_signed_time, BASE_LONG,
    { 'O', T(H(1)), .n = 1, .act = 'r', .keep = "geo.locate",
      .nbf = T(D(5)), .v = POL_PENDING },
    { 'E', T(D(6)), .inforce = "-", .pending = "1", .state = "active" },
    CLOCK(T(D(5))),
    { 'E', T(D(5)), .inforce = "1", .pending = "-",
      .state = "restricted" }),

SC(clock_set_forward_does_not_end_a_sanction_early, BASE_LONG,
    { 'O', T(H(1)), .n = 1, .act = 's' },
    { 'O', T(H(2)), .n = 2, .act = 'i', .nbf = T(D(10)),
      .v = POL_PENDING },
    { 'E', T(D(20)), .state = "suspended", .inforce = "1",
      .pending = "2" }),

SC(pending_suspend_takes_effect_at_wall_now, BASE_LONG,
    { 'O', T(H(1)), .n = 1, .act = 's', .nbf = T(D(2)),
      .v = POL_PENDING },
    { 'E', T(D(2) - 1), .state = "active", .pending = "1",
      .next = T(D(2)) },
    { 'E', T(D(2)), .state = "suspended", .inforce = "1" }),

SC(pending_order_superseded_once_higher_seq_in_force, BASE,
    { 'O', T(H(1)), .n = 1, .act = 's', .nbf = T(D(5)),
      .v = POL_PENDING },
    { 'O', T(H(2)), .n = 2, .act = 'r', .keep = "geo.locate" },
    { 'E', T(D(6)), .inforce = "2", .pending = "-",
      .state = "restricted" }),

SC(next_change_is_earliest_nbf, BASE,
    { 'S', T(H(1)), .n = 0, .exp = T(D(30)), .iat = T(H(1)) },
    { 'O', T(H(1)), .n = 1, .act = 's', .nbf = T(D(2)), .v = POL_PENDING },
    { 'O', T(H(1)), .n = 2, .act = 'r', .keep = "geo.locate",
      .nbf = T(D(1)), .v = POL_PENDING },
    { 'E', T(H(1)), .pending = "1,2", .next = T(D(1)) }),

SC(next_change_is_licence_expiry, ROOT(T0),
    { 'L', T0, .exp = T(H(10)) }, { 'S', T0, .exp = T(D(2)) },
    { 'E', T(H(1)), .next = T(H(10)) },
    { 'E', T(H(10)), .state = "expired" }),

SC(next_change_never_when_all_is_final, BASE,
    { 'O', T(H(1)), .n = 1, .act = 'v' },
    { 'E', T(D(400)), .state = "expired", .next = NEVER }),

SC(keep_is_allow_list_new_ver_feature_stays_disabled, BASE,
    { 'O', T(H(1)), .n = 1, .act = 'r', .keep = "geo.locate" },
    { 'L', T(H(2)), .n = 2,
      .features = "sms.intercept=10,geo.locate,wifi.scan" },
    { 'E', T(H(3)), .ver = "2", .feat = "wifi.scan", .allow = 'n',
      .why = "disabled-by-order" }),

SC(higher_ver_takes_over_from_its_nbf, BASE,
    { 'L', T(H(1)), .n = 2, .nbf = T(D(3)), .features = "geo.locate",
      .v = POL_PENDING },
    CLOCK(T(D(2))),
    { 'E', T(D(2)), .ver = "1", .next = T(D(3)) },
    CLOCK(T(D(3))),
    { 'S', T(D(3)), .n = 0 },
    { 'E', T(D(3)), .ver = "2", .state = "active" },
    { 'Q', T(D(3)), .feat = "sms.intercept", .opurp = "terrorism",
      .allow = 'n', .why = "not-licensed" }),

SC(new_licence_not_yet_valid_is_invalid, ROOT(T0),
    { 'L', T0, .nbf = T(D(2)), .v = POL_PENDING },
    CLOCK(T(D(1))),
    { 'E', T(D(1)), .state = "invalid", .causes = "not-yet-valid",
      .next = T(D(2)) }),

SC(identical_order_is_noop, BASE,
    { 'O', T(H(1)), .n = 1, .act = 's' },
    { 'O', T(H(5)), .n = 1, .act = 's', .iat = T(H(1)), .v = POL_NOOP }),

SC(order_before_licence_is_stored, ROOT(T0),
    { 'O', T0, .n = 1, .act = 'r', .keep = "geo.locate" },
    { 'E', T0, .state = "invalid", .causes = "no-licence,order" },
    LIC(T0), STA(T0, 1),
    { 'E', T(H(1)), .state = "restricted", .inforce = "1",
      .fresh = 'y' }),

SC(root_rotation_keeps_sanctions, BASE,
    { 'O', T(H(1)), .n = 1, .act = 'r', .keep = "geo.locate" },
    { 'O', T(H(1)), .n = 2, .act = 's', .nbf = T(D(9)),
      .v = POL_PENDING },
    { 'R', T(H(2)), .n = 2, .drop = "LOS" },
    { 'E', T(H(3)), .state = "invalid", .causes = "no-licence,order",
      .inforce = "1", .pending = "2" },
    { 'L', T(H(4)), .iat = T0 },
    { 'E', T(H(5)), .state = "restricted", .inforce = "1",
      .fresh = 'n' }),

SC(root_rotation_drops_pending_reinstate, BASE,
    { 'O', T(H(1)), .n = 1, .act = 's' },
    { 'O', T(H(1)), .n = 2, .act = 'i', .nbf = T(D(3)),
      .v = POL_PENDING },
    { 'R', T(H(2)), .n = 2, .drop = "O" },
    { 'E', T(H(3)), .state = "suspended", .pending = "-" },
    { 'O', T(H(4)), .n = 2, .act = 'i', .iat = T(H(1)), .nbf = T(D(3)),
      .v = POL_PENDING }),

SC(root_version_must_be_next, BASE,
    { 'R', T(H(1)), .n = 3, .err = LICD_E_ROOT_VERSION },
    { 'R', T(H(1)), .n = 1, .iat = T0, .v = POL_NOOP },
    { 'R', T(H(1)), .n = 1, .tweak = 5, .err = LICD_E_EQUIVOCATION },
    { 'R', T(H(1)), .n = 2 },
    { 'R', T(H(1)), .n = 1, .err = LICD_E_ROOT_VERSION }),

SC(local_disable_restricts_feature, BASE,
    { 'X', .features = "sms.intercept" },
    { 'E', T(H(1)), .state = "restricted", .causes = "local",
      .feat = "sms.intercept", .allow = 'n', .why = "disabled-locally" },
    { 'E', T(H(1)), .feat = "geo.locate", .allow = 'y' }),

SC(most_restrictive_wins, BASE,
    { 'O', T(H(1)), .n = 1, .act = 'r', .keep = "geo.locate" },
    { 'E', T(D(9)), .state = "suspended", .causes = "order,stale",
      .feat = "geo.locate", .allow = 'n', .why = "stale" }),

SC(check_answers_by_product_feature_purpose, BASE,
    { 'O', T(H(1)), .n = 1, .act = 'r', .opurp = "terrorism" },
    { 'Q', T(H(2)), .feat = "geo.locate", .opurp = "terrorism",
      .allow = 'y', .why = "none" },
    { 'Q', T(H(2)), .feat = "geo.locate", .opurp = "serious-crime",
      .allow = 'n', .why = "purpose-not-permitted" },
    { 'Q', T(H(2)), .feat = "nope", .opurp = "terrorism", .allow = 'n',
      .why = "not-licensed" },
    { 'Q', T(H(2)), .product = "nope", .feat = "geo.locate",
      .opurp = "terrorism", .allow = 'n', .why = "not-licensed" }),

SC(restrict_with_empty_keep_disables_all, BASE,
    { 'O', T(H(1)), .n = 1, .act = 'r', .keep = "" },
    { 'E', T(H(2)), .state = "restricted", .feat = "geo.locate",
      .allow = 'n', .why = "disabled-by-order" }),
};

#define NSC (sizeof(scenarios) / sizeof(scenarios[0]))

/* More lids than the bound: the next one is refused and changes nothing;
 * a revoke for a stored lid still needs no room. */
static void
lid_table_full_rejects_with_limit(void **unused)
{
	struct step steps[POL_MAX_LIDS + 4];
	char lids[POL_MAX_LIDS + 1][16], prods[POL_MAX_LIDS + 1][16];
	struct scenario sc = { "lid_table_full_rejects_with_limit", steps };
	size_t i;
	void *p = &sc;

	(void)unused;
	memset(steps, 0, sizeof(steps));
	steps[0] = (struct step){ .op = 'R', .at = T0 };
	for (i = 0; i <= POL_MAX_LIDS; i++) {
		snprintf(lids[i], sizeof(lids[i]), "IL-%zu", i);
		snprintf(prods[i], sizeof(prods[i]), "p%zu", i);
		steps[i + 1] = (struct step){ 'L', T0, .lid = lids[i],
		    .product = prods[i] };
	}
	steps[POL_MAX_LIDS + 1].err = LICD_E_LIMIT;
	steps[POL_MAX_LIDS + 2] = (struct step){ 'O', T0, .lid = lids[0],
	    .n = 1, .act = 'v' };
	run_scenario(&p);
}

static void
purposes_conf_loads(void **unused)
{
	struct pol_purposes *p = calloc(1, sizeof(*p));
	const struct pol_purpose *t;

	(void)unused;
	assert_int_equal(fx_load_purposes(p), 0);
	t = pol_purpose_find(p, "terrorism");
	assert_non_null(t);
	assert_non_null(strstr(t->definition, "hostage"));
	assert_non_null(pol_purpose_find(p, "serious-crime"));
	assert_null(pol_purpose_find(p, "Terrorism"));
	free(p);
}

int
main(void)
{
	struct CMUnitTest tests[NSC + 2];
	size_t i;

	if (sodium_init() < 0)
		return 1;
	for (i = 0; i < NSC; i++)
		tests[i] = (struct CMUnitTest){ scenarios[i].name, run_scenario,
		    NULL, NULL, (void *)&scenarios[i] };
	tests[NSC] = (struct CMUnitTest)cmocka_unit_test(
	    lid_table_full_rejects_with_limit);
	tests[NSC + 1] = (struct CMUnitTest)cmocka_unit_test(
	    purposes_conf_loads);
	return _cmocka_run_group_tests("policy_scenarios", tests, NSC + 2,
	    NULL, NULL);
}
