/* SPDX-License-Identifier: MIT */
/* Properties of the decision function over random sequences of documents
 * and times: nothing beyond the licences is ever allowed, revoke is
 * terminal, a rejection changes nothing, the answer is deterministic and
 * does not change before next_change. Seeds are fixed; a failure prints
 * the seed and step (POL_PROPS_RUNS and POL_PROPS_SEED override). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pol_fixture.h"

#define NLIDS	3
#define NFEAT	5
#define HIST	32

static const char *const lids[NLIDS] = { "IL-1", "IL-2", "IL-3" };
static const char *const feats[NFEAT] = { "f1", "f2", "f3", "f4", "f5" };
static const char *const purps[] = { "terrorism", "serious-crime",
	"espionage" /* not in purposes.conf */ };

struct doc_any {
	enum doc_type type;
	union {
		struct licence l;
		struct order o;
		struct status s;
		struct root r;
	} u;
};

/* What the licences fed for a lid grant at most (the test's own model). */
struct grant {
	bool feat[NFEAT];
	uint32_t limit[NFEAT];	/* 0: some licence had no limit */
	bool purp[3];
	bool revoked;
};

struct world {
	uint64_t rng, seed;
	int step;
	int64_t wall;
	uint64_t root_ver;
	struct pol_state *a, *b, *c;
	struct pol_view *v1, *v2;
	struct doc_any *hist;
	size_t nhist;
	struct doc_any cur;
	struct grant g[NLIDS];
	struct pol_purposes *tax;
	unsigned long evals, accepted, rejected;
};

static uint64_t
rnd64(struct world *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

static int64_t
rnd(struct world *w, int64_t n)
{
	return n <= 0 ? 0 : (int64_t)(rnd64(w) % (uint64_t)n);
}

#define FAIL(w, ...) do {						\
	print_error("seed %llu step %d: ",				\
	    (unsigned long long)(w)->seed, (w)->step);			\
	fail_msg(__VA_ARGS__);						\
} while (0)

static int
lid_index(const char *lid)
{
	int i;

	for (i = 0; i < NLIDS; i++)
		if (strcmp(lids[i], lid) == 0)
			return i;
	return -1;
}

static int
feat_index(const char *name)
{
	int i;

	for (i = 0; i < NFEAT; i++)
		if (strcmp(feats[i], name) == 0)
			return i;
	return -1;
}

static size_t
subset(struct world *w, const char *const *from, size_t n,
    char (*out)[PL_NAME_MAX + 1])
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (rnd(w, 2))
			snprintf(out[k++], PL_NAME_MAX + 1, "%s", from[i]);
	return k;
}

static int64_t
doc_iat(struct world *w)
{
	if (rnd(w, 20) == 0)
		return w->wall + 301 + rnd(w, D(5));	/* too far ahead */
	return w->wall - rnd(w, D(1));
}

static void
gen_ladder(struct world *w, struct licence *l)
{
	struct ladder_step *s = l->ladder;

	l->nladder = 2;
	s[0].after = rnd(w, D(2));
	s[0].state = LSTATE_RESTRICTED;
	s[0].nkeep = subset(w, feats, NFEAT, s[0].keep);
	s[1].after = s[0].after + 1 + rnd(w, D(5));
	s[1].state = rnd(w, 20) ? LSTATE_SUSPENDED : LSTATE_RESTRICTED;
}

static void
gen_licence(struct world *w, struct licence *l)
{
	int li = (int)rnd(w, NLIDS);
	size_t i;

	snprintf(l->lid, sizeof(l->lid), "%s", lids[li]);
	l->ver = 1 + (uint64_t)rnd(w, 4);
	l->iat = doc_iat(w);
	l->nbf = l->iat + (rnd(w, 3) ? 0 : rnd(w, D(3)));
	l->exp = l->iat + 1 + rnd(w, D(60));
	snprintf(l->vendor, sizeof(l->vendor), "v%lld", (long long)rnd(w, 9));
	snprintf(l->product, sizeof(l->product), "p%d",
	    rnd(w, 5) ? li % 2 : (int)rnd(w, 3));
	snprintf(l->device, sizeof(l->device), "%s",
	    rnd(w, 20) ? FX_DEV : FX_OTHER);
	l->npurposes = subset(w, purps, rnd(w, 20) ? 2 : 3, l->purposes);
	l->nfeatures = 0;
	for (i = 0; i < NFEAT; i++)
		if (rnd(w, 3)) {
			snprintf(l->features[l->nfeatures].name,
			    PL_NAME_MAX + 1, "%s", feats[i]);
			l->features[l->nfeatures++].max_concurrent =
			    (uint32_t)rnd(w, 5);
		}
	l->max_age = 1 + rnd(w, D(4));
	gen_ladder(w, l);
}

static void
gen_order(struct world *w, struct order *o)
{
	static const enum order_action acts[] = { ACT_RESTRICT, ACT_RESTRICT,
		ACT_SUSPEND, ACT_REINSTATE, ACT_REINSTATE, ACT_REVOKE };
	size_t i;

	snprintf(o->lid, sizeof(o->lid), "%s", lids[rnd(w, NLIDS)]);
	o->seq = 1 + (uint64_t)rnd(w, 6);
	o->iat = doc_iat(w);
	o->has_nbf = rnd(w, 3) == 0;
	o->nbf = o->has_nbf ? o->iat - D(1) + rnd(w, D(5)) : o->iat;
	o->action = acts[rnd(w, (int64_t)(sizeof(acts) / sizeof(acts[0])) -
	    (rnd(w, 4) ? 1 : 0))];
	snprintf(o->reason, sizeof(o->reason), "r%lld", (long long)rnd(w, 9));
	snprintf(o->ref, sizeof(o->ref), "REF-%llu",
	    (unsigned long long)o->seq);
	if (o->action != ACT_RESTRICT)
		return;
	if ((o->has_keep = rnd(w, 2)))
		o->nkeep = subset(w, feats, NFEAT, o->keep);
	if ((o->has_purposes = rnd(w, 2)))
		o->npurposes = subset(w, purps, 3, o->purposes);
	if ((o->has_limits = rnd(w, 2)))
		for (i = 0; i < NFEAT; i++)
			if (rnd(w, 2)) {
				snprintf(o->limits[o->nlimits].name,
				    PL_NAME_MAX + 1, "%s", feats[i]);
				o->limits[o->nlimits++].max_concurrent =
				    1 + (uint32_t)rnd(w, 6);
			}
}

static void
gen_status(struct world *w, struct status *s)
{
	snprintf(s->lid, sizeof(s->lid), "%s", lids[rnd(w, NLIDS)]);
	snprintf(s->device, sizeof(s->device), "%s",
	    rnd(w, 20) ? FX_DEV : FX_OTHER);
	s->iat = doc_iat(w);
	s->exp = s->iat + 1 + rnd(w, D(4));
	s->seq = (uint64_t)rnd(w, 7);
}

/* A new document, a replay of an old one, or an old one re-issued with a
 * different message (equivocation). */
static void
gen_doc(struct world *w)
{
	struct doc_any *d = &w->cur;
	int64_t k = rnd(w, 100);

	if (w->nhist > 0 && k < 20) {
		*d = w->hist[rnd(w, (int64_t)w->nhist)];
		if (k < 8 && d->type == DOC_ORDER)
			snprintf(d->u.o.reason, sizeof(d->u.o.reason), "eq%d",
			    w->step);
		else if (k < 8 && d->type == DOC_LICENCE)
			snprintf(d->u.l.vendor, sizeof(d->u.l.vendor), "eq%d",
			    w->step);
		return;
	}
	memset(d, 0, sizeof(*d));
	if (k < 25) {
		d->type = DOC_ROOT;
		d->u.r.ver = w->root_ver + (rnd(w, 5) ? 1 : 0);
		d->u.r.iat = w->wall;
		d->u.r.exp = w->wall + D(30) + rnd(w, D(400));
		return;
	}
	d->type = k < 50 ? DOC_LICENCE : k < 80 ? DOC_ORDER : DOC_STATUS;
	if (d->type == DOC_LICENCE)
		gen_licence(w, &d->u.l);
	else if (d->type == DOC_ORDER)
		gen_order(w, &d->u.o);
	else
		gen_status(w, &d->u.s);
	if (w->nhist < HIST)
		w->hist[w->nhist++] = *d;
	else
		w->hist[rnd(w, HIST)] = *d;
}

static int
reverify(void *ctx, enum doc_type t, const char *lid, uint64_t num,
    const uint8_t hash[32])
{
	(void)ctx, (void)t, (void)lid, (void)num;
	return (hash[0] & 3) != 0;
}

static const char *
doc_lid(const struct doc_any *d)
{
	return d->type == DOC_LICENCE ? d->u.l.lid :
	    d->type == DOC_ORDER ? d->u.o.lid :
	    d->type == DOC_STATUS ? d->u.s.lid : NULL;
}

static void
model_update(struct world *w, const struct pol_result *res, int rc)
{
	const struct doc_any *d = &w->cur;
	const char *lid = doc_lid(d);
	struct grant *g = lid ? &w->g[lid_index(lid)] : NULL;
	uint32_t m;
	size_t i;
	int f, p;

	if (g != NULL && g->revoked && rc == 0 && res->verdict != POL_NOOP)
		FAIL(w, "%s: document taken after revoke", lid);
	if (rc < 0 || res->verdict == POL_NOOP)
		return;
	if (d->type == DOC_ROOT)
		w->root_ver = d->u.r.ver;
	if (d->type == DOC_ORDER && d->u.o.action == ACT_REVOKE)
		g->revoked = true;
	if (d->type != DOC_LICENCE)
		return;
	for (i = 0; i < d->u.l.nfeatures; i++) {
		f = feat_index(d->u.l.features[i].name);
		m = d->u.l.features[i].max_concurrent;
		if (!g->feat[f])
			g->limit[f] = m;
		else if (g->limit[f] == 0 || m == 0)
			g->limit[f] = 0;
		else if (m > g->limit[f])
			g->limit[f] = m;
		g->feat[f] = true;
	}
	for (i = 0; i < d->u.l.npurposes; i++)
		for (p = 0; p < 3; p++)
			if (strcmp(d->u.l.purposes[i], purps[p]) == 0)
				g->purp[p] = true;
}

/* Bytewise equality of two states, skipping the lid slots both leave
 * unused (they are all zero: comparing 2 MB each step is the slow part). */
static int
state_cmp(const struct pol_state *x, const struct pol_state *y)
{
	size_t head = offsetof(struct pol_state, lids);
	size_t tail = offsetof(struct pol_state, nrevoked_products);

	if (x->nlids != y->nlids || memcmp(x, y, head) != 0 ||
	    memcmp(x->lids, y->lids, x->nlids * sizeof(x->lids[0])) != 0)
		return 1;
	return memcmp((const char *)x + tail, (const char *)y + tail,
	    sizeof(*x) - tail);
}

/* Feed the document to a and b; a rejection must leave a as it was. */
static void
feed(struct world *w)
{
	struct pol_doc d = { .type = w->cur.type, .payload = &w->cur.u,
		.reverify = reverify };
	struct pol_result ra, rb;
	size_t i;
	int rc, rc2;

	fx_hash(&w->cur.u, sizeof(w->cur.u), d.hash);
	rc = pol_accept(w->a, &d, w->wall, &ra, NULL);
	if (rc < 0) {
		w->rejected++;
		if (rc == -LICD_E_EQUIVOCATION)
			for (i = 0; i < w->a->nlids; i++) {
				w->b->lids[i].eq_seq = w->a->lids[i].eq_seq;
				w->b->lids[i].eq_ver = w->a->lids[i].eq_ver;
				w->b->lids[i].eq_ver_seq =
				    w->a->lids[i].eq_ver_seq;
			}
		if (state_cmp(w->a, w->b) != 0)
			FAIL(w, "rejected (%s) but the state changed",
			    lerr_reason(rc));
	} else {
		w->accepted++;
	}
	model_update(w, &ra, rc);
	rc2 = pol_accept(w->b, &d, w->wall, &rb, NULL);
	if (rc2 != rc || (rc == 0 && ra.verdict != rb.verdict))
		FAIL(w, "pol_accept is not deterministic");
	if (state_cmp(w->a, w->b) != 0)
		FAIL(w, "pol_accept is not deterministic (state)");
}

static void
check_feature(struct world *w, const struct pol_licence_view *lv,
    const struct grant *g, const struct pol_feature_view *fv)
{
	int f = feat_index(fv->name), p;
	size_t i;

	if (!fv->allowed)
		return;
	if (g->revoked)
		FAIL(w, "%s: %s allowed after revoke", lv->lid, fv->name);
	if (lv->state != LSTATE_ACTIVE && lv->state != LSTATE_RESTRICTED)
		FAIL(w, "%s: %s allowed in state %s", lv->lid, fv->name,
		    lstate_name(lv->state));
	if (f < 0 || !g->feat[f])
		FAIL(w, "%s: %s allowed but never licensed", lv->lid,
		    fv->name);
	if (g->limit[f] != 0 && (fv->max_concurrent == 0 ||
	    fv->max_concurrent > g->limit[f]))
		FAIL(w, "%s: %s limit %u beyond the licences' %u", lv->lid,
		    fv->name, fv->max_concurrent, g->limit[f]);
	for (i = 0; i < lv->npurposes; i++) {
		if (!(fv->purposes & (1u << i)))
			continue;
		for (p = 0; p < 2; p++)	/* known purposes only */
			if (strcmp(lv->purposes[i], purps[p]) == 0)
				break;
		if (p == 2 || !g->purp[p])
			FAIL(w, "%s: %s purpose %s not licensed", lv->lid,
			    fv->name, lv->purposes[i]);
	}
	if (fv->purposes >> lv->npurposes)
		FAIL(w, "%s: purpose bits beyond the licence", lv->lid);
}

static void
check_view(struct world *w, const struct pol_view *v)
{
	const struct pol_licence_view *lv;
	const struct grant *g;
	size_t i, j;

	if (v->next_change <= v->now)
		FAIL(w, "next_change not after now");
	for (i = 0; i < v->nlic; i++) {
		lv = &v->lic[i];
		g = &w->g[lid_index(lv->lid)];
		if ((lv->state == LSTATE_ACTIVE) != (lv->causes == 0))
			FAIL(w, "%s: state %s with causes %#x", lv->lid,
			    lstate_name(lv->state), lv->causes);
		if (g->revoked && lv->state > LSTATE_REVOKED)
			FAIL(w, "%s: state %s after revoke", lv->lid,
			    lstate_name(lv->state));
		for (j = 0; j < lv->nfeatures; j++)
			check_feature(w, lv, g, &lv->features[j]);
	}
}

/* The parts of two views that must agree (not the time fields). */
static void
same_answer(struct world *w, struct pol_view *x, struct pol_view *y,
    const char *what)
{
	x->wall = y->wall, x->now = y->now, x->signed_clock = y->signed_clock;
	x->next_change = y->next_change;
	x->clock_rollback = y->clock_rollback;
	if (memcmp(x, y, sizeof(*x)) != 0)
		FAIL(w, "%s", what);
}

static void
evaluate(struct world *w)
{
	int64_t t = w->wall, later;

	pol_eval(w->a, t, w->v1);
	check_view(w, w->v1);
	pol_eval(w->a, t, w->v2);
	if (memcmp(w->v1, w->v2, sizeof(*w->v1)) != 0)
		FAIL(w, "pol_eval is not deterministic");
	w->evals++;
	if (w->v1->next_change == POL_NEVER || rnd(w, 3) != 0)
		return;
	/* Nothing changes by itself before next_change. */
	later = w->v1->now + rnd(w, w->v1->next_change - w->v1->now);
	pol_eval(w->a, later, w->v2);
	check_view(w, w->v2);
	same_answer(w, w->v2, w->v1, "the answer changed before next_change");
	if (w->a->signed_clock != w->v1->now || rnd(w, 4) != 0)
		return;
	/* Nor when the signed clock runs along with the wall clock. */
	memcpy(w->c, w->a, sizeof(*w->c));
	pol_clock_advance(w->c, later);
	pol_eval(w->c, later, w->v2);
	same_answer(w, w->v2, w->v1,
	    "the answer changed before next_change (signed clock running)");
}

static void
advance_time(struct world *w)
{
	int64_t k = rnd(w, 100);

	if (k < 5)
		w->wall -= rnd(w, D(10));	/* clock set back */
	else if (k < 10)
		w->wall += D(30);		/* clock set forward */
	else
		w->wall += rnd(w, D(2));
	if (rnd(w, 10) == 0) {		/* running time */
		pol_clock_advance(w->a, w->wall);
		pol_clock_advance(w->b, w->wall);
	}
}

static void
one_run(struct world *w, uint64_t seed)
{
	struct pol_result res;
	struct root r0 = { .ver = 1, .iat = T0, .exp = T(D(400)) };
	struct pol_doc d = { .type = DOC_ROOT, .payload = &r0 };

	w->seed = seed;
	w->rng = seed * 0x9E3779B97F4A7C15ull + 1;
	w->wall = T0;
	w->root_ver = 1;
	w->nhist = 0;
	memset(w->g, 0, sizeof(w->g));
	assert_int_equal(pol_state_init(w->a, FX_DEV, w->tax, NULL), 0);
	assert_int_equal(pol_accept(w->a, &d, T0, &res, NULL), 0);
	if (rnd(w, 4) == 0) {
		const char *off[] = { "f2" };
		assert_int_equal(pol_set_local(w->a, off, 1, NULL), 0);
	}
	memcpy(w->b, w->a, sizeof(*w->a));
	for (w->step = 0; w->step < 40; w->step++) {
		gen_doc(w);
		feed(w);
		evaluate(w);
		advance_time(w);
	}
}

static void
random_sequences_keep_every_property(void **unused)
{
	struct world *w = calloc(1, sizeof(*w));
	const char *env = getenv("POL_PROPS_RUNS");
	const char *one = getenv("POL_PROPS_SEED");
	unsigned long runs = env != NULL ? strtoul(env, NULL, 10) : 2000, i;

	(void)unused;
	assert_non_null(w);
	w->a = malloc(sizeof(*w->a));
	w->b = malloc(sizeof(*w->b));
	w->c = malloc(sizeof(*w->c));
	w->v1 = malloc(sizeof(*w->v1));
	w->v2 = malloc(sizeof(*w->v2));
	w->hist = malloc(HIST * sizeof(*w->hist));
	w->tax = calloc(1, sizeof(*w->tax));
	assert_true(w->a && w->b && w->c && w->v1 && w->v2 && w->hist &&
	    w->tax);
	assert_int_equal(fx_load_purposes(w->tax), 0);
	for (i = 0; i < runs; i++)
		one_run(w, one != NULL ? strtoull(one, NULL, 10) : 1000 + i);
	print_message("%lu runs, %lu documents accepted, %lu rejected, "
	    "%lu evaluations\n", runs, w->accepted, w->rejected, w->evals);
	assert_true(w->accepted > runs && w->rejected > runs);
	free(w->a), free(w->b), free(w->c), free(w->v1), free(w->v2);
	free(w->hist), free(w->tax), free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_sequences_keep_every_property),
	};

	return cmocka_run_group_tests_name("policy_props", tests, NULL, NULL);
}
