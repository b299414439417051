/* SPDX-License-Identifier: MIT */
/* Feature and purpose handles: each name is resolved once to a small
 * number in a table that only grows, so that checks by name find it
 * again without a lock or an allocation. */
#include <stdlib.h>
#include <string.h>

#include "client.h"

/* Characters of a name: 1 may start one, 2 may follow. */
static const uint8_t name_class[256] = {
	['a'] = 3, ['b'] = 3, ['c'] = 3, ['d'] = 3, ['e'] = 3, ['f'] = 3,
	['g'] = 3, ['h'] = 3, ['i'] = 3, ['j'] = 3, ['k'] = 3, ['l'] = 3,
	['m'] = 3, ['n'] = 3, ['o'] = 3, ['p'] = 3, ['q'] = 3, ['r'] = 3,
	['s'] = 3, ['t'] = 3, ['u'] = 3, ['v'] = 3, ['w'] = 3, ['x'] = 3,
	['y'] = 3, ['z'] = 3, ['0'] = 3, ['1'] = 3, ['2'] = 3, ['3'] = 3,
	['4'] = 3, ['5'] = 3, ['6'] = 3, ['7'] = 3, ['8'] = 3, ['9'] = 3,
	['.'] = 2, ['_'] = 2, ['-'] = 2,
};

int
names_init(struct names *t, uint32_t cap)
{
	uint32_t slots = 8;

	while (slots < cap * 2)
		slots <<= 1;
	t->cap = cap;
	t->mask = slots - 1;
	t->n = 0;
	memset(t->seen, 0, sizeof(t->seen));
	t->ent = calloc(cap, sizeof(*t->ent));
	t->slot = calloc(slots, sizeof(*t->slot));
	if (t->ent == NULL || t->slot == NULL)
		return -LICD_E_NO_MEMORY;
	return 0;
}

void
names_free(struct names *t)
{
	free(t->ent);
	free(t->slot);
	t->ent = NULL;
	t->slot = NULL;
}

/* Validate s while hashing it (FNV-1a); its length, or -1. */
static int
scan_name(const char *s, uint32_t *hash)
{
	uint32_t h = 2166136261u;
	const uint8_t *p = (const uint8_t *)s;
	int i;

	if (p == NULL || !(name_class[p[0]] & 1))
		return -1;
	for (i = 0; p[i] != '\0'; i++) {
		if (i >= LICD_NAME_MAX || !(name_class[p[i]] & 2))
			return -1;
		h = (h ^ p[i]) * 16777619u;
	}
	*hash = h;
	return i;
}

int
names_valid(const char *s)
{
	uint32_t hash;

	return scan_name(s, &hash) > 0;
}

void
names_set(struct lc_name *n, const char *s)
{
	memset(n, 0, sizeof(*n));
	n->len = (uint32_t)strnlen(s, SNAP_NAME_LEN - 1);
	memcpy(n->name, s, n->len);
}

/* The entry holding s, or -1. Lock-free: an entry is complete before
 * the release store of its slot. */
static int32_t
lookup(const struct names *t, const char *s, uint32_t len, uint32_t hash)
{
	uint32_t i = hash & t->mask, k, e;
	const struct lc_name *n;

	for (k = 0; k <= t->mask; k++, i = (i + 1) & t->mask) {
		e = __atomic_load_n(&t->slot[i], __ATOMIC_ACQUIRE);
		if (e == 0)
			return -1;
		n = &t->ent[e - 1];
		if (n->len == len && memcmp(n->name, s, len) == 0)
			return (int32_t)(e - 1);
	}
	return -1;
}

/* Add s (h->lock held; the caller looked it up first). */
static int32_t
add(struct names *t, const char *s, uint32_t hash)
{
	uint32_t i = hash & t->mask, e = t->n;

	if (e >= t->cap)
		return -LICD_E_TOO_MANY;
	names_set(&t->ent[e], s);
	while (t->slot[i] != 0)
		i = (i + 1) & t->mask;	/* slots are twice the entries */
	__atomic_store_n(&t->n, e + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&t->slot[i], e + 1, __ATOMIC_RELEASE);
	return (int32_t)e;
}

/*
 * Most products pass the same string constants on every check: remember
 * which entry a string at an address was, and compare it again on use
 * (strcmp stops at either NUL, so any string is safe to compare).
 */
static uint64_t *
seen_slot(struct names *t, const char *s)
{
	uint64_t a = (uint64_t)(uintptr_t)s;

	return &t->seen[((a >> 3) * UINT64_C(0x9E3779B97F4A7C15)) >> 58 &
	    (LC_SEEN - 1)];
}

int32_t
names_seen(struct names *t, const char *s)
{
	uint64_t w = __atomic_load_n(seen_slot(t, s), __ATOMIC_RELAXED);
	uint32_t i = (uint32_t)(w & 0xffff);

	if (w == 0 || (w >> 16) != (uint64_t)(uintptr_t)s ||
	    i >= __atomic_load_n(&t->n, __ATOMIC_ACQUIRE) ||
	    strcmp(s, t->ent[i].name) != 0)
		return -1;
	return (int32_t)i;
}

static void
remember(struct names *t, const char *s, int32_t i)
{
	uint64_t a = (uint64_t)(uintptr_t)s;

	if (a >> 48 == 0)	/* room for the entry beside it */
		__atomic_store_n(seen_slot(t, s), a << 16 | (uint32_t)i,
		    __ATOMIC_RELAXED);
}

int32_t
names_resolve(licd_t *h, struct names *t, const char *s)
{
	uint32_t hash;
	int len;
	int32_t r;

	if (s != NULL && (r = names_seen(t, s)) >= 0)
		return r;
	if ((len = scan_name(s, &hash)) < 0)
		return -LICD_E_ARGUMENT;
	if ((r = lookup(t, s, (uint32_t)len, hash)) < 0) {
		pthread_mutex_lock(&h->lock);
		if ((r = lookup(t, s, (uint32_t)len, hash)) < 0)
			r = add(t, s, hash);
		pthread_mutex_unlock(&h->lock);
	}
	if (r >= 0)
		remember(t, s, r);
	return r;
}

const struct lc_name *
names_get(const struct names *t, int32_t i)
{
	if (i < 0 || (uint32_t)i >= __atomic_load_n(&t->n, __ATOMIC_ACQUIRE))
		return NULL;
	return &t->ent[i];
}

void
names_reserve_empty(struct names *t)
{
	memset(&t->ent[0], 0, sizeof(t->ent[0]));
	t->n = 1;	/* no slot: "" is never looked up by name */
}
