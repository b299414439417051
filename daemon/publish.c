/* SPDX-License-Identifier: MIT */
/* Turning an evaluation into snapshot entries: the one place that decides
 * which licence a product's rows come from and how purposes are encoded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "publish.h"

uint32_t
publish_purposes(const struct pol_purposes *tax, char (*out)[SNAP_NAME_LEN])
{
	uint32_t i, n = tax->n < SNAP_MAX_PURPOSES ? (uint32_t)tax->n :
	    SNAP_MAX_PURPOSES;

	for (i = 0; i < n; i++) {
		memset(out[i], 0, SNAP_NAME_LEN);
		snprintf(out[i], SNAP_NAME_LEN, "%s", tax->p[i].id);
	}
	return n;
}

uint64_t
publish_mask(const struct pol_licence_view *lv, uint32_t purposes,
    const struct pol_purposes *tax)
{
	uint64_t mask = 0;
	size_t i, t;

	for (i = 0; i < lv->npurposes && i < 32; i++) {
		if (!(purposes & (1u << i)))
			continue;
		for (t = 0; t < tax->n && t < SNAP_MAX_PURPOSES; t++)
			if (strcmp(tax->p[t].id, lv->purposes[i]) == 0)
				mask |= UINT64_C(1) << t;
	}
	return mask;
}

static void
names(struct snap_entry *en, const struct pol_licence_view *lv,
    const char *feature)
{
	memset(en, 0, sizeof(*en));
	snprintf(en->product, sizeof(en->product), "%s", lv->product);
	snprintf(en->feature, sizeof(en->feature), "%s", feature);
	snprintf(en->lid, sizeof(en->lid), "%s", lv->lid);
	en->state = (uint8_t)lv->state;
}

static void
feature_row(struct snap_entry *en, const struct pol_licence_view *lv,
    const struct pol_feature_view *f, const struct pol_purposes *tax,
    const struct leases *ls)
{
	names(en, lv, f->name);
	en->allowed = f->allowed;
	if (!f->allowed)
		snprintf(en->reason, sizeof(en->reason), "%s",
		    pol_reason_name(f->reason));
	else
		en->purposes = publish_mask(lv, f->purposes, tax);
	en->max_concurrent = f->allowed ? f->max_concurrent : 0;
	en->in_use = leases_in_use(ls, lv->product, f->name);
}

static void
product_row(struct snap_entry *en, const struct pol_licence_view *lv,
    const struct snap_entry *features, size_t nf)
{
	size_t i;

	names(en, lv, "");
	en->allowed = lv->state == LSTATE_ACTIVE ||
	    lv->state == LSTATE_RESTRICTED;
	snprintf(en->reason, sizeof(en->reason), "%s",
	    engine_state_reason(lv));
	for (i = 0; i < nf; i++) {
		en->purposes |= features[i].purposes;
		en->in_use += features[i].in_use;
	}
}

/* Is lic[i] the licence that governs its product? */
static int
governs(const struct pol_view *v, size_t i)
{
	return v->lic[i].has_licence &&
	    pol_product_index(v, v->lic[i].product) == (int)i;
}

int
publish_entries(const struct pol_view *v, const struct pol_purposes *tax,
    const struct leases *ls, struct snap_entry **out, uint32_t *n)
{
	const struct pol_licence_view *lv;
	struct snap_entry *en;
	size_t i, j, max = 0, k = 0;

	*out = NULL;
	*n = 0;
	for (i = 0; i < v->nlic; i++)
		if (governs(v, i))
			max += 1 + v->lic[i].nfeatures;
	if (max == 0)
		return 0;
	if ((en = calloc(max, sizeof(*en))) == NULL)
		return -LICD_E_NOMEM;
	for (i = 0; i < v->nlic; i++) {
		if (!governs(v, i))
			continue;
		lv = &v->lic[i];
		for (j = 0; j < lv->nfeatures; j++)
			feature_row(&en[k + 1 + j], lv, &lv->features[j], tax,
			    ls);
		product_row(&en[k], lv, &en[k + 1], lv->nfeatures);
		k += 1 + lv->nfeatures;
	}
	*out = en;
	*n = (uint32_t)k;
	return 0;
}
