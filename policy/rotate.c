/* SPDX-License-Identifier: MIT */
/* Root rotation (DESIGN 3.4): licences, statuses and not-yet-applied
 * loosening orders that no longer verify are dropped; applied orders,
 * pending suspend and revoke orders, revoked lids and equivocation marks
 * are sanctions and stay. */
#include <string.h>

#include "pol_int.h"

static bool
still_valid(const struct pol_doc *doc, enum doc_type t, const char *lid,
    uint64_t num, const uint8_t hash[32])
{
	return doc->reverify(doc->reverify_ctx, t, lid, num, hash) == 1;
}

/* A dropped ver is forgotten entirely, so that the same message signed by
 * the new keys is accepted again rather than seen as a no-op or replay. */
static void
forget_ver(struct pol_lid *L, uint64_t ver)
{
	size_t i;

	for (i = 0; i < L->nseen; i++)
		if (L->seen[i].ver == ver) {
			memmove(&L->seen[i], &L->seen[i + 1],
			    (L->nseen - i - 1) * sizeof(L->seen[0]));
			L->nseen--;
			memset(&L->seen[L->nseen], 0, sizeof(L->seen[0]));
			break;
		}
	L->max_ver = 0;
	for (i = 0; i < L->nseen; i++)
		if (L->seen[i].ver > L->max_ver)
			L->max_ver = L->seen[i].ver;
}

static size_t
drop_licences(struct pol_lid *L, const struct pol_doc *doc)
{
	size_t i = 0, n = 0;

	while (i < L->nlic) {
		if (still_valid(doc, DOC_LICENCE, L->lid, L->lic[i].l.ver,
		    L->lic[i].hash)) {
			i++;
			continue;
		}
		forget_ver(L, L->lic[i].l.ver);
		memmove(&L->lic[i], &L->lic[i + 1],
		    (L->nlic - i - 1) * sizeof(L->lic[0]));
		L->nlic--;
		memset(&L->lic[L->nlic], 0, sizeof(L->lic[0]));
		n++;
	}
	return n;
}

static void
drop_body(struct pol_lid *L, uint64_t seq)
{
	size_t i;

	for (i = 0; i < POL_MAX_BODIES; i++)
		if (L->body[i].used && L->body[i].seq == seq)
			memset(&L->body[i], 0, sizeof(L->body[i]));
}

/* Pending restrict and reinstate orders: not sanctions in force yet. */
static size_t
drop_orders(struct pol_lid *L, const struct pol_doc *doc, int64_t now,
    int64_t signed_clock)
{
	const struct pol_held *f = pol_in_force(L, now, signed_clock);
	uint64_t applied = f != NULL ? f->seq : L->forgot_through;
	size_t i = 0, n = 0;
	struct pol_held *h;

	while (i < L->nheld) {
		h = &L->held[i];
		if (h->seq <= applied || h->action == ACT_SUSPEND ||
		    h->action == ACT_REVOKE ||
		    still_valid(doc, DOC_ORDER, L->lid, h->seq, h->hash)) {
			i++;
			continue;
		}
		drop_body(L, h->seq);
		memmove(&L->held[i], &L->held[i + 1],
		    (L->nheld - i - 1) * sizeof(L->held[0]));
		L->nheld--;
		memset(&L->held[L->nheld], 0, sizeof(L->held[0]));
		n++;
	}
	return n;
}

size_t
pol_rotate(struct pol_state *st, const struct pol_doc *doc, int64_t now)
{
	struct pol_lid *L;
	size_t i, n = 0;

	for (i = 0; i < st->nlids; i++) {
		L = &st->lids[i];
		n += drop_licences(L, doc);
		n += drop_orders(L, doc, now, st->signed_clock);
		if (L->has_status && !still_valid(doc, DOC_STATUS, L->lid, 0,
		    L->status_hash)) {
			L->has_status = false;
			memset(&L->status, 0, sizeof(L->status));
			memset(L->status_hash, 0, sizeof(L->status_hash));
			n++;
		}
	}
	return n;
}
