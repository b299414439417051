/* SPDX-License-Identifier: MIT */
/* Per-feature answers (DESIGN 4.1): allowed or not, purposes, limit, and
 * the one reason that decides, checked from the most restrictive cause
 * down; restriction only ever narrows what the licence grants. */
#include <string.h>

#include "pol_int.h"

bool
pol_name_in(const char (*names)[PL_NAME_MAX + 1], size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (pol_streq(names[i], name))
			return true;
	return false;
}

static struct pol_src
src(enum pol_src_kind k, uint64_t num)
{
	return (struct pol_src){ k, num };
}

static struct pol_src
stale_src(const struct pol_ctx *c)
{
	if (c->L->has_status)
		return src(POL_SRC_STATUS, c->L->status.seq);
	return src(POL_SRC_LICENCE, c->l->ver);
}

static bool
stale_is(const struct pol_ctx *c, enum lstate s)
{
	return c->step >= 0 && c->l->ladder[c->step].state == s;
}

/* The first (most restrictive) cause that denies feature `name`. */
static enum pol_reason
denial(const struct pol_ctx *c, const struct pol_licence_view *lv,
    const char *name, struct pol_src *why)
{
	const struct ladder_step *step;
	uint64_t seq = c->f != NULL ? c->f->seq : 0;

	*why = src(POL_SRC_LICENCE, c->l->ver);
	if (c->invalid)
		return POL_R_INVALID;
	if (lv->causes & (1u << POL_C_EXPIRED))
		return POL_R_EXPIRED;
	*why = src(POL_SRC_ORDER, c->L->revoke_seq);
	if (c->L->revoked)
		return POL_R_REVOKED;
	*why = c->equiv_src;
	if (c->equivocation)
		return POL_R_EQUIVOCATION;
	*why = src(POL_SRC_ORDER, seq);
	if (c->f != NULL && c->f->action == ACT_SUSPEND)
		return POL_R_SUSPENDED;
	*why = stale_src(c);
	if (stale_is(c, LSTATE_SUSPENDED))
		return POL_R_STALE;
	*why = src(POL_SRC_ORDER, seq);
	if (c->f != NULL && c->f->action == ACT_RESTRICT && (c->fbody == NULL ||
	    (c->fbody->has_keep &&
	    !pol_name_in(c->fbody->keep, c->fbody->nkeep, name))))
		return POL_R_DISABLED_BY_ORDER;	/* no body: fail closed */
	*why = stale_src(c);
	step = c->step >= 0 ? &c->l->ladder[c->step] : NULL;
	if (stale_is(c, LSTATE_RESTRICTED) &&
	    !pol_name_in(step->keep, step->nkeep, name))
		return POL_R_STALE;
	*why = src(POL_SRC_CONFIG, 0);
	if (pol_name_in(c->st->local, c->st->nlocal, name))
		return POL_R_DISABLED_LOCALLY;
	*why = src(POL_SRC_NONE, 0);
	return POL_R_NONE;
}

/* An order in force with purposes/limits narrows what is left. */
static void
narrow(const struct pol_ctx *c, struct pol_feature_view *fv)
{
	const struct order *o = c->fbody;
	size_t i;

	if (o == NULL || c->f == NULL || c->f->action != ACT_RESTRICT)
		return;
	if (o->has_purposes)
		for (i = 0; i < c->l->npurposes; i++)
			if (!pol_name_in(o->purposes, o->npurposes,
			    c->l->purposes[i]))
				fv->purposes &= ~(1u << i);
	for (i = 0; i < o->nlimits; i++) {
		if (!pol_streq(o->limits[i].name, fv->name) ||
		    o->limits[i].max_concurrent == 0)
			continue;
		if (fv->max_concurrent == 0 ||
		    o->limits[i].max_concurrent < fv->max_concurrent)
			fv->max_concurrent = o->limits[i].max_concurrent;
	}
}

static void
feature(const struct pol_ctx *c, const struct pol_licence_view *lv,
    const struct feature *lf, struct pol_feature_view *fv)
{
	memcpy(fv->name, lf->name, sizeof(fv->name));
	fv->reason = denial(c, lv, lf->name, &fv->src);
	fv->allowed = fv->reason == POL_R_NONE;
	if (!fv->allowed)
		return;
	fv->purposes = (uint32_t)((1ull << c->l->npurposes) - 1);
	fv->max_concurrent = lf->max_concurrent;
	narrow(c, fv);
	if (fv->purposes == 0) {
		fv->allowed = false;
		fv->reason = POL_R_PURPOSE;
		fv->src = c->fbody != NULL && c->fbody->has_purposes ?
		    src(POL_SRC_ORDER, c->f->seq) :
		    src(POL_SRC_LICENCE, c->l->ver);
		fv->max_concurrent = 0;
	}
}

void
pol_features(const struct pol_ctx *c, struct pol_licence_view *lv)
{
	size_t i;

	if (c->l == NULL)
		return;
	for (i = 0; i < c->l->nfeatures; i++)
		feature(c, lv, &c->l->features[i], &lv->features[i]);
	lv->nfeatures = c->l->nfeatures;
}

int
pol_product_index(const struct pol_view *v, const char *product)
{
	int any = -1, live = -1;
	size_t i;

	for (i = 0; i < v->nlic; i++) {
		if (!v->lic[i].has_licence ||
		    !pol_streq(v->lic[i].product, product))
			continue;
		if (v->lic[i].state == LSTATE_REVOKED)
			return (int)i;
		if (live < 0 && v->lic[i].state != LSTATE_EXPIRED)
			live = (int)i;
		if (any < 0)
			any = (int)i;
	}
	return live >= 0 ? live : any;
}

static int
deny(enum pol_reason r, enum pol_reason *why)
{
	if (why != NULL)
		*why = r;
	return 0;
}

int
pol_check(const struct pol_view *v, const char *product, const char *feature,
    const char *purpose, enum pol_reason *why, uint32_t *max_concurrent)
{
	const struct pol_licence_view *lv;
	const struct pol_feature_view *fv = NULL;
	int k = pol_product_index(v, product);
	size_t i;

	if (max_concurrent != NULL)
		*max_concurrent = 0;
	if (k < 0)
		return deny(POL_R_NOT_LICENSED, why);
	lv = &v->lic[k];
	for (i = 0; i < lv->nfeatures && fv == NULL; i++)
		if (pol_streq(lv->features[i].name, feature))
			fv = &lv->features[i];
	if (fv == NULL)
		return deny(POL_R_NOT_LICENSED, why);
	if (!fv->allowed)
		return deny(fv->reason, why);
	for (i = 0; i < lv->npurposes; i++)
		if (pol_streq(lv->purposes[i], purpose))
			break;
	if (i == lv->npurposes || !(fv->purposes & (1u << i)))
		return deny(POL_R_PURPOSE, why);
	if (max_concurrent != NULL)
		*max_concurrent = fv->max_concurrent;
	if (why != NULL)
		*why = POL_R_NONE;
	return 1;
}
