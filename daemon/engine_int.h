/* SPDX-License-Identifier: MIT */
/* Helpers shared by the engine's files (engine.c, replay.c, import.c):
 * one way to verify, decode and feed a document. Not for other modules. */
#ifndef LICD_ENGINE_INT_H
#define LICD_ENGINE_INT_H

#include "engine.h"

/* Room for any decoded policy payload (they are large: allocate). */
union eng_payload {
	struct root root;
	struct licence licence;
	struct order order;
	struct status status;
};

/* The store kind of a document type (roots, licences, orders, statuses). */
int eng_store_kind(int type);

/* Verify d (type d->type) under r: the role of its type, its threshold. */
int eng_verify(const struct doc *d, const struct root *r, struct lerr *e);

/* Decode d's message into p by its type. */
int eng_decode(const struct doc *d, union eng_payload *p, struct lerr *e);

/* The lid and number (ver, seq) a decoded payload is stored under. */
const char *eng_lid(int type, const union eng_payload *p);
uint64_t eng_num(int type, const union eng_payload *p);

/* SHA-256 of the signed message. */
void eng_hash(const struct doc *d, uint8_t out[32]);

/* pol_accept() of a decoded document. */
int eng_feed(struct pol_state *st, int type, const union eng_payload *p,
    const uint8_t hash[32], int64_t wall, pol_reverify_fn fn, void *ctx,
    struct pol_result *res, struct lerr *e);

/* Keep a copy of the message of the root in force. */
int eng_set_root_msg(struct engine *eng, const struct doc *d);

#define ENG_ROTATION_FILE	"rotation"	/* drops of a rotation */

/* Carry out a journalled rotation's drops when its root is stored (a
 * crash came between), and remove the journal. Best effort: a document
 * left behind fails verification at start and its lid is invalid. */
void engine_finish_rotation(struct engine *eng);

/* Mark lid invalid for this run (a stored document of it failed). */
void eng_taint(struct engine *eng, const char *lid);

/* Highest order seq held for lid in st (0: none): what a licence
 * equivocation is measured against (policy/accept.c). */
uint64_t eng_max_held(const struct pol_state *st, const char *lid);

/* The status seqs named so far for lid (last entry), 0 when none. */
uint64_t eng_last_named(const struct pol_state *st, const char *lid);

#endif
