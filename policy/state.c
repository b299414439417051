/* SPDX-License-Identifier: MIT */
/* The policy state: set-up, the signed clock, and the look-ups that
 * acceptance and evaluation share (which order is in force, which licence
 * ver is in effect). */
#include <stdio.h>
#include <string.h>

#include "pol_int.h"

int
pol_state_init(struct pol_state *st, const char *device,
    const struct pol_purposes *tax, struct lerr *e)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	if (device == NULL || !paserk_pid_valid(device, strlen(device)))
		return lerr_set(e, LICD_E_USAGE, "device: expected a k4.pid");
	snprintf(st->device, sizeof(st->device), "%s", device);
	if (tax == NULL)
		return 0;
	if (tax->n > POL_MAX_TAXONOMY)
		return lerr_set(e, LICD_E_USAGE, "purposes: more than %d",
		    POL_MAX_TAXONOMY);
	for (i = 0; i < tax->n; i++)
		snprintf(st->taxonomy[i], sizeof(st->taxonomy[i]), "%s",
		    tax->p[i].id);
	st->ntaxonomy = tax->n;
	return 0;
}

int
pol_set_local(struct pol_state *st, const char *const *features, size_t n,
    struct lerr *e)
{
	size_t i;

	if (n > POL_MAX_LOCAL)
		return lerr_set(e, LICD_E_LIMIT,
		    "local.disable: more than %d features", POL_MAX_LOCAL);
	for (i = 0; i < n; i++)
		if (!pl_name_valid(features[i], strlen(features[i])))
			return lerr_set(e, LICD_E_USAGE,
			    "local.disable: \"%s\" is not a feature name",
			    features[i]);
	memset(st->local, 0, sizeof(st->local));
	for (i = 0; i < n; i++)
		snprintf(st->local[i], sizeof(st->local[i]), "%s",
		    features[i]);
	st->nlocal = n;
	return 0;
}

void
pol_clock_advance(struct pol_state *st, int64_t t)
{
	size_t i;

	if (t <= st->signed_clock)
		return;
	st->signed_clock = t;
	for (i = 0; i < st->nlids; i++)
		pol_prune(&st->lids[i], t);
}

const struct pol_lid *
pol_lid_find(const struct pol_state *st, const char *lid)
{
	size_t i;

	for (i = 0; i < st->nlids; i++)
		if (pol_streq(st->lids[i].lid, lid))
			return &st->lids[i];
	return NULL;
}

const struct pol_held *
pol_held_find(const struct pol_lid *L, uint64_t seq)
{
	size_t i;

	for (i = 0; i < L->nheld; i++)
		if (L->held[i].seq == seq)
			return &L->held[i];
	return NULL;
}

/* Held (4.3): in force, superseded or pending, or forgotten after use. */
bool
pol_held_seq(const struct pol_lid *L, uint64_t seq)
{
	return seq <= L->forgot_through || pol_held_find(L, seq) != NULL;
}

uint64_t
pol_max_held_seq(const struct pol_lid *L)
{
	if (L->nheld > 0)
		return L->held[L->nheld - 1].seq;
	return L->forgot_through;
}

/*
 * Has an order's nbf come (4.2)? Suspend at now (tightening); restrict and
 * reinstate at the signed clock, so a clock set forward cannot end a
 * sanction early; revoke from the moment it is accepted.
 */
bool
pol_reached(const struct pol_held *h, int64_t now, int64_t signed_clock)
{
	switch (h->action) {
	case ACT_REVOKE:
		return true;
	case ACT_SUSPEND:
		return now >= h->nbf;
	default:
		return signed_clock >= h->nbf;
	}
}

/* The order in force: the highest seq whose nbf has come (3.4). */
const struct pol_held *
pol_in_force(const struct pol_lid *L, int64_t now, int64_t signed_clock)
{
	size_t i;

	for (i = L->nheld; i-- > 0;)
		if (pol_reached(&L->held[i], now, signed_clock))
			return &L->held[i];
	return NULL;
}

/* The seq in force whatever the wall clock does later: orders below it can
 * never take effect again. */
uint64_t
pol_perm_seq(const struct pol_lid *L, int64_t signed_clock)
{
	const struct pol_held *h = pol_in_force(L, signed_clock, signed_clock);

	return h != NULL ? h->seq : L->forgot_through;
}

/* The licence ver in effect: the highest whose nbf the signed clock has
 * reached (a new ver may loosen, so it waits for signed time). */
const struct pol_lic *
pol_effective(const struct pol_lid *L, int64_t signed_clock)
{
	size_t i;

	for (i = L->nlic; i-- > 0;)
		if (signed_clock >= L->lic[i].l.nbf)
			return &L->lic[i];
	return NULL;
}

const struct order *
pol_body_find(const struct pol_lid *L, uint64_t seq)
{
	size_t i;

	for (i = 0; i < POL_MAX_BODIES; i++)
		if (L->body[i].used && L->body[i].seq == seq)
			return &L->body[i].o;
	return NULL;
}

bool
pol_is_self(const struct pol_state *st, const struct licence *l)
{
	return pol_streq(l->device, st->device);
}

bool
pol_product_revoked(const struct pol_state *st, const char *product)
{
	size_t i;

	for (i = 0; i < st->nrevoked_products; i++)
		if (pol_streq(st->revoked_products[i], product))
			return true;
	return false;
}

/* Forget what can no longer take effect: restrict bodies below the
 * permanent seq and licence vers below the one in effect. */
void
pol_prune(struct pol_lid *L, int64_t signed_clock)
{
	const struct pol_lic *eff;
	uint64_t perm = pol_perm_seq(L, signed_clock);
	size_t i, skip;

	for (i = 0; i < POL_MAX_BODIES; i++)
		if (L->body[i].used && L->body[i].seq < perm)
			memset(&L->body[i], 0, sizeof(L->body[i]));
	eff = pol_effective(L, signed_clock);
	if (eff == NULL || eff == &L->lic[0])
		return;
	skip = (size_t)(eff - L->lic);
	memmove(&L->lic[0], eff, (L->nlic - skip) * sizeof(L->lic[0]));
	memset(&L->lic[L->nlic - skip], 0, skip * sizeof(L->lic[0]));
	L->nlic -= skip;
}
