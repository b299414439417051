/* SPDX-License-Identifier: MIT */
/* Helpers shared by the files of policy/ (not part of the public API). */
#ifndef LICD_POL_INT_H
#define LICD_POL_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "policy.h"

/* Fixed-size, NUL-terminated names compared as strings. */
static inline bool
pol_streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* a + b without overflow (times are far from the limits; fuzz is not). */
static inline int64_t
pol_sadd(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

static inline int64_t
pol_max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static inline int64_t
pol_min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* now = max(wall, signed) (DESIGN 4.2). */
static inline int64_t
pol_now(const struct pol_state *st, int64_t wall)
{
	return pol_max64(wall, st->signed_clock);
}

/* state.c */
const struct pol_lid *pol_lid_find(const struct pol_state *st,
    const char *lid);
bool pol_held_seq(const struct pol_lid *L, uint64_t seq);
const struct pol_held *pol_held_find(const struct pol_lid *L, uint64_t seq);
bool pol_reached(const struct pol_held *h, int64_t now, int64_t signed_clock);
const struct pol_held *pol_in_force(const struct pol_lid *L, int64_t now,
    int64_t signed_clock);
uint64_t pol_perm_seq(const struct pol_lid *L, int64_t signed_clock);
const struct pol_lic *pol_effective(const struct pol_lid *L,
    int64_t signed_clock);
const struct order *pol_body_find(const struct pol_lid *L, uint64_t seq);
bool pol_is_self(const struct pol_state *st, const struct licence *l);
bool pol_product_revoked(const struct pol_state *st, const char *product);
void pol_prune(struct pol_lid *L, int64_t signed_clock);
uint64_t pol_max_held_seq(const struct pol_lid *L);

/* What evaluation works out for one lid before the features (eval.c). */
struct pol_ctx {
	const struct pol_state *st;
	const struct pol_lid *L;
	int64_t now, sig;
	const struct licence *l;	/* in effect, else the first held */
	bool in_effect;			/* l is the ver in effect */
	bool invalid;
	const struct pol_held *f;	/* the order in force */
	const struct order *fbody;	/* its content when it restricts */
	bool equivocation;
	struct pol_src equiv_src;
	bool fresh;
	int64_t loss;
	int step;			/* ladder step reached, -1 none */
	int64_t next;			/* next_change so far */
};

/* eval.c */
void pol_next_at_now(struct pol_ctx *c, int64_t t);
void pol_next_at_signed(struct pol_ctx *c, int64_t t);

/* fresh.c */
bool pol_ladder_valid(const struct licence *l);
void pol_freshness(struct pol_ctx *c, struct pol_licence_view *lv);

/* features.c */
void pol_features(const struct pol_ctx *c, struct pol_licence_view *lv);
bool pol_name_in(const char (*names)[PL_NAME_MAX + 1], size_t n,
    const char *name);

/* rotate.c */
size_t pol_rotate(struct pol_state *st, const struct pol_doc *doc,
    int64_t now);

#endif
