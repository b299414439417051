/* SPDX-License-Identifier: MIT */
/* Freshness and the ladder (DESIGN 4.3): is the licence proven not cut off
 * from new orders, and if not, since when (the loss moment, from signed
 * times only) and which ladder step applies now. */
#include "pol_int.h"

static bool
keep_subset(const struct ladder_step *a, const struct ladder_step *b)
{
	size_t i;

	for (i = 0; i < a->nkeep; i++)
		if (!pol_name_in(b->keep, b->nkeep, a->keep[i]))
			return false;
	return true;
}

/* 3.4: 1..8 steps, after strictly increasing, each no looser than the one
 * before, the last suspended; otherwise the licence is invalid. */
bool
pol_ladder_valid(const struct licence *l)
{
	const struct ladder_step *s, *p;
	size_t i;

	if (l->nladder < 1 || l->nladder > PL_MAX_LADDER || l->max_age < 0)
		return false;
	for (i = 0; i < l->nladder; i++) {
		s = &l->ladder[i];
		if (s->after < 0 || (s->state != LSTATE_RESTRICTED &&
		    s->state != LSTATE_SUSPENDED))
			return false;
		if (i == 0)
			continue;
		p = &l->ladder[i - 1];
		if (s->after <= p->after)
			return false;
		if (p->state == LSTATE_SUSPENDED &&
		    s->state != LSTATE_SUSPENDED)
			return false;
		if (p->state == LSTATE_RESTRICTED &&
		    s->state == LSTATE_RESTRICTED && !keep_subset(s, p))
			return false;
	}
	return l->ladder[l->nladder - 1].state == LSTATE_SUSPENDED;
}

/* The lowest order seq a status named that the device does not hold, or 0. */
static uint64_t
first_missing(const struct pol_lid *L)
{
	uint64_t m = L->forgot_through + 1;
	size_t i;

	if (L->nnamed == 0)
		return 0;
	for (i = 0; i < L->nheld && L->held[i].seq <= m; i++)
		if (L->held[i].seq == m)
			m++;
	return m <= L->named[L->nnamed - 1].seq ? m : 0;
}

/* The iat of the first status that named seq m. */
static int64_t
named_iat(const struct pol_lid *L, uint64_t m)
{
	size_t i;

	for (i = 0; i < L->nnamed; i++)
		if (L->named[i].seq >= m)
			return L->named[i].iat;
	return INT64_MAX;
}

/* Loss moment and fresh flag; next_change when freshness will run out. */
static void
fresh_and_loss(struct pol_ctx *c)
{
	const struct pol_lid *L = c->L;
	const struct status *s = &L->status;
	int64_t root_exp = c->st->has_root ? c->st->root.exp : INT64_MIN;
	int64_t age_end = pol_sadd(s->iat, c->l->max_age);
	uint64_t m = first_missing(L);

	c->loss = m != 0 ? named_iat(L, m) : INT64_MAX;
	c->loss = pol_min64(c->loss, root_exp);
	if (!L->has_status) {
		c->loss = pol_min64(c->loss, L->first_nbf);
		c->fresh = false;
		return;
	}
	c->loss = pol_min64(c->loss, pol_min64(s->exp, age_end));
	c->fresh = m == 0 && c->now < root_exp && c->now < s->exp &&
	    c->now <= age_end;
	if (c->fresh)
		pol_next_at_now(c, pol_min64(pol_min64(s->exp, root_exp),
		    pol_sadd(age_end, 1)));
}

static void
ladder_step(struct pol_ctx *c)
{
	int64_t t;
	size_t i;

	for (i = 0; i < c->l->nladder; i++) {
		t = pol_sadd(c->loss, c->l->ladder[i].after);
		if (c->now < t) {
			pol_next_at_now(c, t);
			return;
		}
		c->step = (int)i;
	}
}

void
pol_freshness(struct pol_ctx *c, struct pol_licence_view *lv)
{
	const struct status *s = &c->L->status;

	lv->has_status = c->L->has_status;
	if (lv->has_status) {
		lv->status_iat = s->iat;
		lv->status_exp = s->exp;
		lv->status_seq = s->seq;
	}
	if (c->l == NULL)
		return;
	fresh_and_loss(c);
	lv->fresh = c->fresh;
	lv->loss = c->fresh ? 0 : c->loss;
	if (!c->fresh && !c->invalid)
		ladder_step(c);
}
