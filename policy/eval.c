/* SPDX-License-Identifier: MIT */
/* pol_eval(): the effective state of every stored lid (DESIGN 4), the
 * licence-level causes, the orders in force and pending, and next_change. */
#include <stdio.h>
#include <string.h>

#include "pol_int.h"

/* A change due when `now` reaches t. */
void
pol_next_at_now(struct pol_ctx *c, int64_t t)
{
	if (t > c->now && t < c->next)
		c->next = t;
}

/* A change due when the signed clock reaches t; the signed clock runs with
 * the daemon's running time, so that is t - sig seconds from now. */
void
pol_next_at_signed(struct pol_ctx *c, int64_t t)
{
	if (t > c->sig)
		pol_next_at_now(c, pol_sadd(c->now, t - c->sig));
}

static bool
purposes_known(const struct pol_state *st, const struct licence *l)
{
	size_t i;

	for (i = 0; i < l->npurposes; i++)
		if (!pol_name_in(st->taxonomy, st->ntaxonomy, l->purposes[i]))
			return false;
	return true;
}

static void
cause(struct pol_licence_view *lv, enum pol_cause c)
{
	lv->causes |= 1u << c;
}

/* Own validity: which ver is in effect, device, purposes, ladder, expiry. */
static void
validity(struct pol_ctx *c, struct pol_licence_view *lv)
{
	const struct pol_lid *L = c->L;
	const struct pol_lic *eff = pol_effective(L, c->sig);
	size_t i = eff != NULL ? (size_t)(eff - L->lic) + 1 : 0;

	for (; i < L->nlic; i++)	/* vers waiting for their nbf */
		pol_next_at_signed(c, L->lic[i].l.nbf);
	if (L->nlic == 0) {
		cause(lv, POL_C_NO_LICENCE);
		c->invalid = true;
		return;
	}
	c->l = eff != NULL ? &eff->l : &L->lic[0].l;
	c->in_effect = eff != NULL;
	if (eff == NULL)
		cause(lv, POL_C_NOT_YET_VALID);
	if (!pol_is_self(c->st, c->l))
		cause(lv, POL_C_WRONG_DEVICE);
	if (!purposes_known(c->st, c->l))
		cause(lv, POL_C_UNKNOWN_PURPOSE);
	if (!pol_ladder_valid(c->l))
		cause(lv, POL_C_BAD_LADDER);
	c->invalid = (lv->causes & ((1u << POL_C_EXPIRED) - 1)) != 0;
	if (c->now >= c->l->exp)
		cause(lv, POL_C_EXPIRED);
	else
		pol_next_at_now(c, c->l->exp);
}

/* The order in force, the pending ones, and when each takes effect. */
static void
orders(struct pol_ctx *c, struct pol_licence_view *lv)
{
	const struct pol_lid *L = c->L;
	const struct pol_held *h;
	uint64_t floor;
	size_t i;

	c->f = pol_in_force(L, c->now, c->sig);
	floor = c->f != NULL ? c->f->seq : 0;
	for (i = 0; i < L->nheld; i++) {
		h = &L->held[i];
		if (h->seq <= floor || pol_reached(h, c->now, c->sig))
			continue;
		lv->pending[lv->npending].seq = h->seq;
		lv->pending[lv->npending].action = h->action;
		lv->pending[lv->npending].nbf = h->nbf;
		lv->npending++;
		if (h->action == ACT_SUSPEND)
			pol_next_at_now(c, h->nbf);
		else
			pol_next_at_signed(c, h->nbf);
	}
	if (c->f == NULL)
		return;
	lv->has_order = true;
	lv->order_seq = c->f->seq;
	lv->order_action = c->f->action;
	snprintf(lv->order_ref, sizeof(lv->order_ref), "%s", c->f->ref);
	if (c->f->action == ACT_RESTRICT)
		c->fbody = pol_body_find(L, c->f->seq);
	if (c->f->action == ACT_RESTRICT || c->f->action == ACT_SUSPEND)
		cause(lv, POL_C_ORDER);
}

/* 4.5: suspended until a higher seq (or ver) takes effect. */
static void
equivocation(struct pol_ctx *c, struct pol_licence_view *lv)
{
	const struct pol_lid *L = c->L;
	uint64_t seq = c->f != NULL ? c->f->seq : 0;
	uint64_t ver = c->in_effect ? c->l->ver : 0;

	if (L->eq_seq != 0 && seq <= L->eq_seq) {
		c->equivocation = true;
		c->equiv_src = (struct pol_src){ POL_SRC_ORDER, L->eq_seq };
	} else if (L->eq_ver != 0 && ver <= L->eq_ver &&
	    seq <= L->eq_ver_seq) {
		c->equivocation = true;
		c->equiv_src = (struct pol_src){ POL_SRC_LICENCE, L->eq_ver };
	}
	if (c->equivocation)
		cause(lv, POL_C_EQUIVOCATION);
}

static bool
local_applies(const struct pol_ctx *c)
{
	size_t i;

	for (i = 0; c->l != NULL && i < c->l->nfeatures; i++)
		if (pol_name_in(c->st->local, c->st->nlocal,
		    c->l->features[i].name))
			return true;
	return false;
}

static bool
stale_state(const struct pol_ctx *c, enum lstate s)
{
	return c->step >= 0 && c->l->ladder[c->step].state == s;
}

/* Most restrictive wins (4.1); state_src names the decisive document. */
static void
settle(const struct pol_ctx *c, struct pol_licence_view *lv)
{
	struct pol_src lic = { POL_SRC_LICENCE, c->l ? c->l->ver : 0 };
	struct pol_src ord = { POL_SRC_ORDER, c->f ? c->f->seq : 0 };
	struct pol_src sta = { POL_SRC_STATUS, c->L->status.seq };

	if (!c->L->has_status)
		sta = lic;
	lv->state = LSTATE_ACTIVE;
	if (lv->causes & (1u << POL_C_NO_LICENCE)) {
		lv->state = LSTATE_INVALID;
		lv->state_src = (struct pol_src){ POL_SRC_NONE, 0 };
	} else if (c->invalid) {
		lv->state = LSTATE_INVALID, lv->state_src = lic;
	} else if (lv->causes & (1u << POL_C_EXPIRED)) {
		lv->state = LSTATE_EXPIRED, lv->state_src = lic;
	} else if (c->L->revoked) {
		lv->state = LSTATE_REVOKED;
		lv->state_src = (struct pol_src){ POL_SRC_ORDER,
		    c->L->revoke_seq };
	} else if (c->equivocation) {
		lv->state = LSTATE_SUSPENDED, lv->state_src = c->equiv_src;
	} else if (c->f != NULL && c->f->action == ACT_SUSPEND) {
		lv->state = LSTATE_SUSPENDED, lv->state_src = ord;
	} else if (stale_state(c, LSTATE_SUSPENDED)) {
		lv->state = LSTATE_SUSPENDED, lv->state_src = sta;
	} else if (c->f != NULL && c->f->action == ACT_RESTRICT) {
		lv->state = LSTATE_RESTRICTED, lv->state_src = ord;
	} else if (stale_state(c, LSTATE_RESTRICTED)) {
		lv->state = LSTATE_RESTRICTED, lv->state_src = sta;
	} else if (lv->causes & (1u << POL_C_LOCAL)) {
		lv->state = LSTATE_RESTRICTED;
		lv->state_src = (struct pol_src){ POL_SRC_CONFIG, 0 };
	}
}

static void
header(const struct pol_ctx *c, struct pol_licence_view *lv)
{
	size_t i;

	if (c->l == NULL)
		return;
	lv->has_licence = true;
	lv->ver = c->l->ver;
	snprintf(lv->product, sizeof(lv->product), "%s", c->l->product);
	lv->npurposes = c->l->npurposes;
	for (i = 0; i < c->l->npurposes; i++)
		snprintf(lv->purposes[i], sizeof(lv->purposes[i]), "%s",
		    c->l->purposes[i]);
}

static int64_t
eval_lid(const struct pol_state *st, const struct pol_lid *L, int64_t wall,
    struct pol_licence_view *lv)
{
	struct pol_ctx c;

	memset(&c, 0, sizeof(c));
	c.st = st;
	c.L = L;
	c.sig = st->signed_clock;
	c.now = pol_now(st, wall);
	c.next = POL_NEVER;
	c.step = -1;
	snprintf(lv->lid, sizeof(lv->lid), "%s", L->lid);
	validity(&c, lv);
	header(&c, lv);
	if (L->revoked)
		cause(lv, POL_C_REVOKED);
	orders(&c, lv);
	equivocation(&c, lv);
	pol_freshness(&c, lv);
	if (c.step >= 0)
		cause(lv, POL_C_STALE);
	if (local_applies(&c))
		cause(lv, POL_C_LOCAL);
	settle(&c, lv);
	pol_features(&c, lv);
	return c.next;
}

void
pol_eval(const struct pol_state *st, int64_t wall, struct pol_view *out)
{
	size_t idx[POL_MAX_LIDS], i, j, t;
	int64_t next;

	memset(out, 0, sizeof(*out));
	out->wall = wall;
	out->signed_clock = st->signed_clock;
	out->now = pol_now(st, wall);
	out->clock_rollback = wall < pol_sadd(st->signed_clock, -POL_CLOCK_SKEW);
	out->has_root = st->has_root;
	out->root_ver = st->has_root ? st->root.ver : 0;
	out->root_exp = st->has_root ? st->root.exp : 0;
	out->next_change = POL_NEVER;
	for (i = 0; i < st->nlids; i++) {	/* sorted by lid (DESIGN 6) */
		for (j = i; j > 0 && strcmp(st->lids[idx[j - 1]].lid,
		    st->lids[i].lid) > 0; j--)
			idx[j] = idx[j - 1];
		idx[j] = i;
	}
	for (t = 0; t < st->nlids; t++) {
		next = eval_lid(st, &st->lids[idx[t]], wall, &out->lic[t]);
		out->next_change = pol_min64(out->next_change, next);
	}
	out->nlic = st->nlids;
}
