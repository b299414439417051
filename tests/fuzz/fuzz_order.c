/* SPDX-License-Identifier: MIT */
/* libFuzzer: pl_decode_order() on raw bytes, with the invariants of a
 * decoded order (DESIGN 3.4) checked on every success. */
#include "fuzz_payload.h"

static void
check_order(const struct order *o)
{
	size_t i;

	FZ_CHECK(pl_lid_valid(o->lid, strlen(o->lid)));
	FZ_CHECK(o->seq >= 1 && o->seq <= PL_MAX_INT);
	FZ_CHECK(o->has_nbf || o->nbf == o->iat);
	fz_check_time(o->nbf);
	FZ_CHECK(order_action_name(o->action) != NULL);
	if (o->action != ACT_RESTRICT)
		FZ_CHECK(!o->has_keep && !o->has_purposes && !o->has_limits);
	FZ_CHECK(o->nkeep <= PL_MAX_FEATURES && (o->has_keep ||
	    o->nkeep == 0));
	FZ_CHECK(o->npurposes <= PL_MAX_PURPOSES);
	FZ_CHECK(o->nlimits <= PL_MAX_FEATURES);
	for (i = 0; i < o->nlimits; i++)
		FZ_CHECK(o->limits[i].max_concurrent >= 1);
	FZ_TEXT(o->reason);
	FZ_TEXT(o->ref);
	FZ_CHECK(o->reason[0] != '\0');
}

FZ_HARNESS(struct order, DOC_ORDER, pl_decode_order, check_order)
