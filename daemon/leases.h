/* SPDX-License-Identifier: MIT */
/* Leases (DESIGN 5.2): counted uses of a feature for a purpose, each held
 * by one client connection, ended by release, by the connection going away,
 * or revoked newest first when a change leaves fewer allowed than held. */
#ifndef LICD_LEASES_H
#define LICD_LEASES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "payload.h"
#include "proto.h"

#define LEASES_MAX	16384	/* held at once, all peers together */

struct lease {
	uint64_t id;			/* unique for the daemon's life, > 0 */
	const void *owner;		/* the connection that holds it */
	char product[PL_NAME_MAX + 1];
	char feature[PL_NAME_MAX + 1];
	char purpose[PL_NAME_MAX + 1];
	char case_ref[PROTO_CASE_MAX + 1];
	uid_t uid;
	pid_t pid;
};

/* Leases in the order they were granted (ascending id). */
struct leases {
	struct lease *v;
	size_t n, cap;
	uint64_t next_id;
};

void leases_init(struct leases *ls);
void leases_free(struct leases *ls);

/*
 * Add a copy of l with a new id (*id receives it; l->id is ignored).
 * Errors: LICD_E_LIMIT (LEASES_MAX held), LICD_E_NOMEM.
 */
int leases_add(struct leases *ls, const struct lease *l, uint64_t *id);

/*
 * End lease id of owner, copying it to *out (may be NULL). A lease of
 * another owner is LICD_E_NOT_FOUND, as an unknown one: a peer cannot end
 * (or learn of) another's lease.
 */
int leases_remove(struct leases *ls, uint64_t id, const void *owner,
    struct lease *out);

/* Leases held now for product/feature (every purpose). */
uint32_t leases_in_use(const struct leases *ls, const char *product,
    const char *feature);

/* A lease leaving: fn(ctx, l) sees it before it goes. */
typedef void (*lease_fn)(void *ctx, const struct lease *l,
    const char *reason);

/* End every lease of owner (its connection closed); returns how many. */
size_t leases_drop_owner(struct leases *ls, const void *owner, lease_fn fn,
    void *ctx);

/*
 * May l go on? Return 1 with *limit (0: unlimited) when its feature is
 * allowed for its purpose, else 0 with *reason (a reason code).
 */
typedef int (*lease_check_fn)(void *ctx, const struct lease *l,
    uint32_t *limit, const char **reason);

/*
 * After a change (DESIGN 5.2): every lease whose feature or purpose is no
 * longer allowed is revoked with check's reason; then per product/feature
 * the newest leases over the limit are revoked ("limit-reached"). fn sees
 * each revoked lease first. Returns how many were revoked.
 */
size_t leases_enforce(struct leases *ls, lease_check_fn check, void *cctx,
    lease_fn fn, void *fctx);

#endif
