/* SPDX-License-Identifier: MIT */
/* The lease table: a plain array in the order leases were granted, so that
 * "the newest over the limit" is the last ones of their feature. */
#include <stdlib.h>
#include <string.h>

#include "lerr.h"
#include "leases.h"

#define LEASE_LIMIT_REASON	"limit-reached"

void
leases_init(struct leases *ls)
{
	memset(ls, 0, sizeof(*ls));
}

void
leases_free(struct leases *ls)
{
	free(ls->v);
	memset(ls, 0, sizeof(*ls));
}

int
leases_add(struct leases *ls, const struct lease *l, uint64_t *id)
{
	struct lease *v;
	size_t cap;

	if (ls->n >= LEASES_MAX)
		return -LICD_E_LIMIT;
	if (ls->n == ls->cap) {
		cap = ls->cap ? ls->cap * 2 : 16;
		if ((v = realloc(ls->v, cap * sizeof(*v))) == NULL)
			return -LICD_E_NOMEM;
		ls->v = v;
		ls->cap = cap;
	}
	ls->v[ls->n] = *l;
	ls->v[ls->n].id = ++ls->next_id;
	*id = ls->v[ls->n].id;
	ls->n++;
	return 0;
}

static void
remove_at(struct leases *ls, size_t i)
{
	memmove(&ls->v[i], &ls->v[i + 1], (ls->n - i - 1) * sizeof(ls->v[0]));
	ls->n--;
}

int
leases_remove(struct leases *ls, uint64_t id, const void *owner,
    struct lease *out)
{
	size_t i;

	for (i = 0; i < ls->n; i++) {
		if (ls->v[i].id != id || ls->v[i].owner != owner)
			continue;
		if (out != NULL)
			*out = ls->v[i];
		remove_at(ls, i);
		return 0;
	}
	return -LICD_E_NOT_FOUND;
}

static int
same_feature(const struct lease *l, const char *product, const char *feature)
{
	return strcmp(l->product, product) == 0 &&
	    strcmp(l->feature, feature) == 0;
}

uint32_t
leases_in_use(const struct leases *ls, const char *product,
    const char *feature)
{
	uint32_t n = 0;
	size_t i;

	for (i = 0; i < ls->n; i++)
		if (same_feature(&ls->v[i], product, feature))
			n++;
	return n;
}

size_t
leases_drop_owner(struct leases *ls, const void *owner, lease_fn fn,
    void *ctx)
{
	size_t i = 0, n = 0;

	while (i < ls->n) {
		if (ls->v[i].owner != owner) {
			i++;
			continue;
		}
		if (fn != NULL)
			fn(ctx, &ls->v[i], "disconnected");
		remove_at(ls, i);
		n++;
	}
	return n;
}

/* Marks (id 0) what goes, so that one pass removes it. */
static void
revoke(struct lease *l, lease_fn fn, void *ctx, const char *reason,
    size_t *n)
{
	if (fn != NULL)
		fn(ctx, l, reason);
	l->id = 0;
	(*n)++;
}

/* The newest leases of l's feature over limit go (l is the newest left
 * of its feature: the walk runs from the end). */
static void
over_limit(struct leases *ls, size_t last, uint32_t limit, lease_fn fn,
    void *ctx, size_t *n)
{
	const struct lease *l = &ls->v[last];
	uint32_t held = 0;
	size_t i;

	for (i = 0; i <= last; i++)
		if (ls->v[i].id != 0 && same_feature(&ls->v[i], l->product,
		    l->feature))
			held++;
	for (i = last + 1; held > limit && i-- > 0;)
		if (ls->v[i].id != 0 && same_feature(&ls->v[i],
		    ls->v[last].product, ls->v[last].feature)) {
			revoke(&ls->v[i], fn, ctx, LEASE_LIMIT_REASON, n);
			held--;
		}
}

static void
compact(struct leases *ls)
{
	size_t i, j = 0;

	for (i = 0; i < ls->n; i++)
		if (ls->v[i].id != 0)
			ls->v[j++] = ls->v[i];
	ls->n = j;
}

size_t
leases_enforce(struct leases *ls, lease_check_fn check, void *cctx,
    lease_fn fn, void *fctx)
{
	const char *reason;
	uint32_t limit;
	size_t i, n = 0;

	for (i = 0; i < ls->n; i++) {
		reason = "denied";
		if (!check(cctx, &ls->v[i], &limit, &reason))
			revoke(&ls->v[i], fn, fctx, reason, &n);
	}
	for (i = ls->n; i-- > 0;) {
		if (ls->v[i].id == 0)
			continue;
		reason = "denied";
		if (check(cctx, &ls->v[i], &limit, &reason) && limit > 0)
			over_limit(ls, i, limit, fn, fctx, &n);
	}
	compact(ls);
	return n;
}
