/* SPDX-License-Identifier: MIT */
/* The decision engine inside licd: the policy state rebuilt from the store
 * at start, every document taken in through one pipeline (verify, decide,
 * store), and evaluations compared so that each change can be announced.
 * No event loop and no socket here: the unit tests drive it directly. */
#ifndef LICD_ENGINE_H
#define LICD_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "doc.h"
#include "lerr.h"
#include "payload.h"
#include "policy.h"
#include "store.h"

#define ENG_MAX_TAINTED		64	/* lids remembered as unverifiable */
#define ENG_MAX_CHAIN		256	/* roots replayed at start */

/*
 * The engine. Everything is allocated by engine_open() (the policy state
 * is about 3.3 MB, twice: the state in force and a scratch copy that a
 * document is tried on, so that a document that cannot be stored changes
 * nothing).
 */
struct engine {
	struct store *store;		/* borrowed */
	paserk_kid device;
	struct pol_purposes *tax;
	struct pol_state *st;		/* in force */
	struct pol_state *scratch;	/* a candidate, see engine_import() */
	struct pol_view *view;		/* the last evaluation, overlay applied */
	struct pol_view *spare;		/* the next one is built here */
	uint8_t *root_msg;		/* message of the root in force */
	size_t root_len;
	size_t ntainted;		/* lids with a stored document that
					 * failed at start: invalid */
	char tainted[ENG_MAX_TAINTED][PL_LID_MAX + 1];
	size_t nlocal;			/* local.disable "PRODUCT:FEATURE" */
	struct cfg_disable local[CFG_MAX_LIST];
	uint64_t accepted[DOC__COUNT];	/* since start, for metrics */
	uint64_t rejected[LICD_E__MAX];
};

/*
 * Allocate, load the purpose taxonomy (errors "FILE:LINE: ..." with
 * LICD_E_CONFIG) and initialise the policy state for device. store is
 * borrowed for the engine's life. engine_close() frees (also after a
 * failed open).
 */
int engine_open(struct engine *eng, struct store *store, const char *device,
    const char *purposes_path, struct lerr *e);
void engine_close(struct engine *eng);

/*
 * Local tightening from the configuration: "FEATURE" entries go to the
 * policy (pol_set_local), "PRODUCT:FEATURE" entries are applied to the
 * view by the engine in the same way (the feature is disabled-locally,
 * the licence at most restricted). Takes effect at the next refresh.
 */
int engine_set_local(struct engine *eng, const struct cfg_disable *d,
    size_t n, struct lerr *e);

#define ENG_MAX_BAD		16	/* failures named by engine_start() */

/* A stored document that failed at start, and why. */
struct eng_bad {
	char what[PL_LID_MAX + 64];	/* "docs/<lid>/order-7" */
	char why[LERR_MSG_MAX + 32];	/* "<reason-code>: <message>" */
};

/* What start-up found. */
struct eng_start {
	uint64_t root_ver;		/* the root in force */
	bool first_stored;		/* the configured root was new: stored */
	size_t roots;			/* stored roots applied after the first */
	size_t roots_bad;		/* stored roots that did not rotate */
	size_t docs;			/* stored documents taken */
	size_t docs_bad;		/* stored documents that failed */
	struct eng_bad bad[ENG_MAX_BAD];	/* the first of them */
};

/*
 * Start-up (DESIGN 5.1): the configured first root (the document at
 * root_path, verified under itself), then every stored root/<ver> above it through root_rotate();
 * the signed clock restored to signed_clock; then every stored document
 * re-verified (licences and statuses under the root in force, orders and
 * conflict evidence under any root of the chain, as rotation keeps them)
 * and fed to pol_accept() in a fixed order: lids by the iat of their
 * first stored licence, then by lid; per lid licences by ver, orders by
 * seq, statuses that named orders, the latest status, equivocation
 * evidence. A document that fails makes its lid invalid (tainted), never
 * more permissive. A configured root not yet in the store is stored.
 * Errors: LICD_E_CONFIG (the first root is not acceptable now), LICD_E_IO,
 * LICD_E_NOMEM.
 */
int engine_start(struct engine *eng, const char *root_path,
    int64_t signed_clock, int64_t wall, struct eng_start *out,
    struct lerr *e);

/* The outcome of one import. */
struct eng_import {
	enum pol_verdict verdict;
	int reason;			/* LICD_E_* when rejected, else 0 */
	struct lerr err;		/* the message when rejected */
	int type;			/* enum doc_type, DOC_ANY when unknown */
	char lid[PL_LID_MAX + 1];	/* "" for a root or when unknown */
	uint64_t num;			/* ver (root, licence) or seq */
	bool alarm;			/* equivocation */
	size_t dropped;			/* rotation: documents dropped */
};

/*
 * One document (buf, len bytes; expect a doc_type or DOC_ANY) at wall
 * time: parse, verify against the root in force (a root through
 * root_rotate()), decode, pol_accept() on a scratch copy of the state,
 * and when it is taken (accepted, pending, superseded) write it durably
 * to the store before the copy becomes the state. A no-op changes and
 * writes nothing; a rejection changes nothing but an equivocation's mark
 * (its evidence is stored so that the mark survives a restart).
 * Returns 0 with res filled in (res->verdict may be POL_REJECTED), or
 * -LICD_E_IO when the store could not be written: then nothing changed,
 * res is REJECTED with reason io and the message says why.
 */
int engine_import(struct engine *eng, const void *buf, size_t len,
    int expect, int64_t wall, struct eng_import *res);

/* Move the signed clock forward (running time); never back. */
void engine_clock(struct engine *eng, int64_t signed_clock);
int64_t engine_signed(const struct engine *eng);

/* One licence whose evaluation changed. */
struct eng_change {
	char lid[PL_LID_MAX + 1];
	char product[PL_NAME_MAX + 1];	/* "" when the lid has no licence */
	bool is_new;			/* not in the previous evaluation */
	enum lstate from, to;
	uint64_t order_from, order_to;	/* order in force, 0: none */
	bool decisions;			/* a feature's answer changed */
	size_t index;			/* in the new view */
};

struct eng_changes {
	size_t n;
	struct eng_change c[POL_MAX_LIDS + ENG_MAX_TAINTED];
	bool any;			/* anything a client sees changed */
};

/*
 * Evaluate at wall (pol_eval() and the engine's overlay: tainted lids
 * invalid, product-scoped local disables) and compare with the previous
 * evaluation; the new one becomes engine_view(). ch may be NULL.
 */
void engine_refresh(struct engine *eng, int64_t wall, struct eng_changes *ch);

/* The last evaluation (valid until the next engine_refresh()). */
const struct pol_view *engine_view(const struct engine *eng);
const struct pol_state *engine_state(const struct engine *eng);

/* 1 when a stored document of lid failed at start. */
int engine_tainted(const struct engine *eng, const char *lid);

/* The licence ver lv shows (NULL when none is held). */
const struct licence *engine_licence(const struct engine *eng,
    const struct pol_licence_view *lv);

/* The content of restrict order seq of lid, while it can take effect
 * (NULL otherwise). */
const struct order *engine_order_body(const struct engine *eng,
    const char *lid, uint64_t seq);

/* Seed the previous evaluation with what was last announced (state and
 * order in force of lid), so that the first refresh after a start reports
 * what changed while licd was down. */
void engine_seed(struct engine *eng, const char *lid, enum lstate state,
    uint64_t order_seq);

/* The end of freshness of lv (min of status exp, iat + max_age, root exp)
 * when it is fresh, else 0. */
int64_t engine_fresh_until(const struct engine *eng,
    const struct pol_licence_view *lv);

/* A reason code for a licence state (the snapshot's product row and the
 * audit log): "" for active, else the deciding feature reason or the
 * state name. */
const char *engine_state_reason(const struct pol_licence_view *lv);

#endif
