/* SPDX-License-Identifier: MIT */
/* `licctl explain PRODUCT FEATURE`: the answer, the document that decides
 * it, and every rule of DESIGN 4 in the order they are applied, each with
 * the documents it reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ltime.h"
#include "render.h"

struct ex {
	FILE *f;
	const struct render_ctx *c;
	const struct pol_view *v;
	const struct pol_licence_view *lv;
	const struct pol_feature_view *fv;
	const struct licence *l;	/* the ver shown, may be NULL */
	uint32_t in_use;
};

static const char *
tfmt(int64_t t, char buf[LTIME_LEN + 1])
{
	ltime_format(t, buf);
	return buf;
}

static void
purposes(FILE *f, const struct pol_licence_view *lv, uint32_t mask)
{
	size_t i, n = 0;

	for (i = 0; i < lv->npurposes; i++)
		if (mask & (1u << i))
			fprintf(f, "%s%s", n++ ? ", " : "", lv->purposes[i]);
	if (n == 0)
		fprintf(f, "none");
}

static void
src(FILE *f, struct pol_src s)
{
	fprintf(f, "%s", pol_src_name(s.kind));
	if (s.kind == POL_SRC_LICENCE || s.kind == POL_SRC_ROOT)
		fprintf(f, " ver %llu", (unsigned long long)s.num);
	else if (s.kind == POL_SRC_ORDER || s.kind == POL_SRC_STATUS)
		fprintf(f, " seq %llu", (unsigned long long)s.num);
	else if (s.kind == POL_SRC_CONFIG)
		fprintf(f, " local.disable");
}

static void
answer(const struct ex *x)
{
	fprintf(x->f, "%s %s: ", x->lv->product, x->fv->name);
	if (!x->fv->allowed) {
		fprintf(x->f, "denied: %s\ndecided by: ",
		    pol_reason_name(x->fv->reason));
		src(x->f, x->fv->src);
		fprintf(x->f, "\n");
		return;
	}
	fprintf(x->f, "allowed for ");
	purposes(x->f, x->lv, x->fv->purposes);
	if (x->fv->max_concurrent != 0)
		fprintf(x->f, "; at most %u at once", x->fv->max_concurrent);
	fprintf(x->f, "; %u in use\ndecided by: licence ver %llu", x->in_use,
	    (unsigned long long)x->lv->ver);
	if (x->lv->has_order)
		fprintf(x->f, ", order seq %llu",
		    (unsigned long long)x->lv->order_seq);
	fprintf(x->f, "\n");
}

static void
rule_licence(const struct ex *x)
{
	const struct feature *lf = NULL;
	char causes[512];
	size_t i;

	render_causes(x->c, x->lv, causes, sizeof(causes));
	fprintf(x->f, "licence: %s ver %llu, state %s%s%s%s\n", x->lv->lid,
	    (unsigned long long)x->lv->ver, lstate_name(x->lv->state),
	    causes[0] ? " (" : "", causes, causes[0] ? ")" : "");
	for (i = 0; x->l != NULL && i < x->l->nfeatures; i++)
		if (strcmp(x->l->features[i].name, x->fv->name) == 0)
			lf = &x->l->features[i];
	fprintf(x->f, "rules, most restrictive first:\n  grant: licence ver "
	    "%llu grants %s for ", (unsigned long long)x->lv->ver,
	    x->fv->name);
	purposes(x->f, x->lv, (uint32_t)((1ull << x->lv->npurposes) - 1));
	if (lf != NULL && lf->max_concurrent != 0)
		fprintf(x->f, "; at most %u at once", lf->max_concurrent);
	fprintf(x->f, "\n");
}

static void
rule_validity(const struct ex *x)
{
	char t[LTIME_LEN + 1];
	uint32_t bad = x->lv->causes & ((1u << POL_C_EXPIRED) - 1);
	int k, n = 0;

	fprintf(x->f, "  validity: ");
	if (engine_tainted(x->c->eng, x->lv->lid))
		fprintf(x->f, "invalid: unverified (a stored document of this "
		    "lid failed verification at start)"), n++;
	else if (bad == 0)
		fprintf(x->f, "valid on this device");
	for (k = 0; k < POL_C_EXPIRED; k++)
		if (bad & (1u << k))
			fprintf(x->f, "%s%s", n++ ? ", " : "invalid: ",
			    pol_cause_name((enum pol_cause)k));
	fprintf(x->f, "\n  expiry: ");
	if (x->l == NULL)
		fprintf(x->f, "unknown\n");
	else
		fprintf(x->f, "%s %s\n", x->lv->causes & (1u <<
		    POL_C_EXPIRED) ? "expired at" : "valid until",
		    tfmt(x->l->exp, t));
}

static void
rule_sanctions(const struct ex *x)
{
	fprintf(x->f, "  revocation: %s\n", x->lv->causes &
	    (1u << POL_C_REVOKED) ? "revoked" : "none");
	fprintf(x->f, "  equivocation: %s\n", x->lv->causes &
	    (1u << POL_C_EQUIVOCATION) ? "suspended until a higher order "
	    "seq or licence ver takes effect" : "none");
}

static void
order_body(const struct ex *x, const struct order *o)
{
	size_t i;

	if (o->has_keep) {
		fprintf(x->f, "; keeps");
		for (i = 0; i < o->nkeep; i++)
			fprintf(x->f, " %s", o->keep[i]);
		if (o->nkeep == 0)
			fprintf(x->f, " nothing");
	}
	if (o->has_purposes) {
		fprintf(x->f, "; purposes");
		for (i = 0; i < o->npurposes; i++)
			fprintf(x->f, " %s", o->purposes[i]);
	}
	for (i = 0; i < o->nlimits; i++)
		fprintf(x->f, "; limit %s %u", o->limits[i].name,
		    o->limits[i].max_concurrent);
}

static void
rule_orders(const struct ex *x)
{
	const struct order *o;
	char t[LTIME_LEN + 1];
	size_t i;

	fprintf(x->f, "  order in force: ");
	if (!x->lv->has_order) {
		fprintf(x->f, "none\n");
	} else {
		fprintf(x->f, "seq %llu %s, ref %s",
		    (unsigned long long)x->lv->order_seq,
		    order_action_name(x->lv->order_action), x->lv->order_ref);
		o = engine_order_body(x->c->eng, x->lv->lid, x->lv->order_seq);
		if (o != NULL && x->lv->order_action == ACT_RESTRICT)
			order_body(x, o);
		fprintf(x->f, "\n");
	}
	for (i = 0; i < x->lv->npending; i++)
		fprintf(x->f, "  pending: seq %llu %s from %s\n",
		    (unsigned long long)x->lv->pending[i].seq,
		    order_action_name(x->lv->pending[i].action),
		    tfmt(x->lv->pending[i].nbf, t));
}

static void
ladder(const struct ex *x)
{
	const struct ladder_step *s;
	char d[32], t[LTIME_LEN + 1];
	size_t i, k;

	for (i = 0; x->l != NULL && i < x->l->nladder; i++) {
		s = &x->l->ladder[i];
		ldur_format(s->after, d, sizeof(d));
		fprintf(x->f, "    step %zu: %s from %s (%s after the loss)",
		    i + 1, lstate_name(s->state),
		    tfmt(x->lv->loss + s->after, t), d);
		if (s->state == LSTATE_RESTRICTED) {
			fprintf(x->f, ", keeps");
			for (k = 0; k < s->nkeep; k++)
				fprintf(x->f, " %s", s->keep[k]);
		}
		fprintf(x->f, "%s\n", x->v->now >= x->lv->loss + s->after ?
		    " [reached]" : "");
	}
}

static void
rule_freshness(const struct ex *x)
{
	char t[LTIME_LEN + 1];

	fprintf(x->f, "  freshness: ");
	if (x->lv->fresh) {
		fprintf(x->f, "fresh until %s (status seq %llu)\n",
		    tfmt(engine_fresh_until(x->c->eng, x->lv), t),
		    (unsigned long long)x->lv->status_seq);
		return;
	}
	fprintf(x->f, "not fresh since %s (%s)\n", tfmt(x->lv->loss, t),
	    x->lv->has_status ? "status too old, root expired, or an order "
	    "named by a status is missing" : "no status held");
	ladder(x);
}

static void
rule_local(const struct ex *x)
{
	fprintf(x->f, "  local: %s\n", x->fv->reason ==
	    POL_R_DISABLED_LOCALLY ? "disabled by local.disable" :
	    "not disabled locally");
}

static const struct pol_feature_view *
find_feature(const struct pol_licence_view *lv, const char *feature)
{
	size_t i;

	for (i = 0; i < lv->nfeatures; i++)
		if (strcmp(lv->features[i].name, feature) == 0)
			return &lv->features[i];
	return NULL;
}

char *
render_explain(const struct render_ctx *c, const char *product,
    const char *feature, size_t *len, int *code)
{
	uint32_t in_use[PL_MAX_FEATURES];
	struct ex x = { .c = c, .v = engine_view(c->eng) };
	char *buf = NULL;
	int k = pol_product_index(x.v, product);

	*code = LICD_E_NOT_FOUND;
	if (k < 0 || (x.fv = find_feature(&x.v->lic[k], feature)) == NULL)
		return NULL;
	*code = LICD_E_NOMEM;
	x.lv = &x.v->lic[k];
	x.l = engine_licence(c->eng, x.lv);
	render_in_use(c, (size_t)k, in_use);
	x.in_use = in_use[x.fv - x.lv->features];
	if ((x.f = open_memstream(&buf, len)) == NULL)
		return NULL;
	answer(&x);
	rule_licence(&x);
	rule_validity(&x);
	rule_sanctions(&x);
	rule_orders(&x);
	rule_freshness(&x);
	rule_local(&x);
	if (fclose(x.f) != 0) {
		free(buf);
		return NULL;
	}
	*code = 0;
	return buf;
}
