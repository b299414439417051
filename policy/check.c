/* SPDX-License-Identifier: MIT */
/* Bounds checks on decoded payloads before policy/ relies on them: the
 * decoders guarantee these, but the policy is also driven by tests and a
 * fuzzer with hand-made structs, and must not read past an array. */
#include <string.h>

#include "pol_int.h"
#include "pol_check.h"

static bool
terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

#define TERM(field) terminated((field), sizeof(field))

static int
names_ok(const char (*names)[PL_NAME_MAX + 1], size_t n, size_t max)
{
	size_t i;

	if (n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!terminated(names[i], PL_NAME_MAX + 1))
			return 0;
	return 1;
}

static int
features_ok(const struct feature *f, size_t n)
{
	size_t i;

	if (n > PL_MAX_FEATURES)
		return 0;
	for (i = 0; i < n; i++)
		if (!TERM(f[i].name))
			return 0;
	return 1;
}

int
pol_check_licence(const struct licence *l, struct lerr *e)
{
	size_t i;

	if (!TERM(l->lid) || l->lid[0] == '\0' || !TERM(l->product) ||
	    !TERM(l->device) || !TERM(l->vendor) || !TERM(l->agency) ||
	    !TERM(l->country) || !TERM(l->declaration) ||
	    !names_ok(l->purposes, l->npurposes, PL_MAX_PURPOSES) ||
	    !features_ok(l->features, l->nfeatures) ||
	    l->nladder > PL_MAX_LADDER)
		return lerr_set(e, LICD_E_PAYLOAD, "licence: out of bounds");
	for (i = 0; i < l->nladder; i++)
		if (!names_ok(l->ladder[i].keep, l->ladder[i].nkeep,
		    PL_MAX_FEATURES))
			return lerr_set(e, LICD_E_PAYLOAD,
			    "licence: ladder out of bounds");
	return 0;
}

int
pol_check_order(const struct order *o, struct lerr *e)
{
	if (!TERM(o->lid) || o->lid[0] == '\0' || !TERM(o->ref) ||
	    !TERM(o->reason) || o->seq == 0 ||
	    (unsigned)o->action >= ACT__COUNT ||
	    !names_ok(o->keep, o->nkeep, PL_MAX_FEATURES) ||
	    !names_ok(o->purposes, o->npurposes, PL_MAX_PURPOSES) ||
	    !features_ok(o->limits, o->nlimits))
		return lerr_set(e, LICD_E_PAYLOAD, "order: out of bounds");
	return 0;
}

int
pol_check_status(const struct status *s, struct lerr *e)
{
	if (!TERM(s->lid) || s->lid[0] == '\0' || !TERM(s->device))
		return lerr_set(e, LICD_E_PAYLOAD, "status: out of bounds");
	return 0;
}

int
pol_check_root(const struct root *r, struct lerr *e)
{
	if (r->nkeys > PL_MAX_ROOT_KEYS || r->ver == 0)
		return lerr_set(e, LICD_E_PAYLOAD, "root: out of bounds");
	return 0;
}
