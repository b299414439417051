/* SPDX-License-Identifier: MIT */
/* What clients see (DESIGN 5.2): the snapshot's entries built from an
 * evaluation, one product row and one row per feature of the licence that
 * governs each product. */
#ifndef LICD_PUBLISH_H
#define LICD_PUBLISH_H

#include <stdint.h>

#include "leases.h"
#include "policy.h"
#include "snapshot.h"

/*
 * The purpose table of the snapshot: the taxonomy's ids, in its order
 * (the entries' purpose bits refer to it). At most SNAP_MAX_PURPOSES.
 */
uint32_t publish_purposes(const struct pol_purposes *tax,
    char (*out)[SNAP_NAME_LEN]);

/*
 * The entries for v: per product (the lid pol_product_index() picks), a
 * row with feature "" (the licence state; allowed when active or
 * restricted; reason engine_state_reason(); purposes the union of its
 * features'; in_use their sum), then a row per feature (allowed, reason
 * code, purposes as taxonomy bits, max_concurrent, in_use from ls).
 * *out is malloc'd (free it; NULL when *n is 0). Errors: LICD_E_NOMEM.
 */
int publish_entries(const struct pol_view *v, const struct pol_purposes *tax,
    const struct leases *ls, struct snap_entry **out, uint32_t *n);

/* The taxonomy bits of a feature's purposes (bits over lv->purposes). */
uint64_t publish_mask(const struct pol_licence_view *lv, uint32_t purposes,
    const struct pol_purposes *tax);

#endif
