/* SPDX-License-Identifier: MIT */
/* Documents (DESIGN 3.3): files of one or more tokens over one message,
 * verified against a role of a root by distinct keys and a threshold. */
#ifndef LICD_DOC_H
#define LICD_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "lerr.h"
#include "payload.h"
#include "tok.h"

#define DOC_MAX_BYTES	(64 * 1024)
#define DOC_MAX_TOKENS	16

struct doc_line {
	unsigned lineno;		/* 1-based line in the file */
	paserk_kid kid;			/* from the footer */
	struct tok tok;
};

/*
 * A parsed document: syntax, footers and "same message, same typ on every
 * line" checked; signatures not yet checked. msg points into lines[0].tok.
 */
struct doc {
	enum doc_type type;
	size_t nlines;
	struct doc_line lines[DOC_MAX_TOKENS];
	const uint8_t *msg;
	size_t msg_len;
};

/*
 * Parse a document. expect is a doc_type or DOC_ANY; a different typ is
 * LICD_E_TYPE. Rejects: more than DOC_MAX_BYTES or DOC_MAX_TOKENS
 * (LICD_E_TOO_LARGE), a CR or no token at all (LICD_E_MALFORMED), a bad
 * token (LICD_E_TOKEN), a footer that is not exactly
 * {"kid":"<k4.pid>","typ":"<type>"} (LICD_E_FOOTER), lines whose messages
 * or typ differ (LICD_E_MISMATCH). Messages name the line: "line 2: ...".
 * On failure d is left empty (doc_free() is still safe).
 */
int doc_parse(const char *buf, size_t len, enum doc_type expect,
    struct doc *d, struct lerr *e);
void doc_free(struct doc *d);

/* Read a file (bounded by DOC_MAX_BYTES) and parse it; messages start with
 * the path. */
int doc_load(const char *path, enum doc_type expect, struct doc *d,
    struct lerr *e);

/* The implicit assertion for a type: "licd:v1:<typ>". */
const char *doc_implicit(enum doc_type t);

/* The role of r that signs documents of type t; -1 for device-signed types. */
int doc_role_for(enum doc_type t);

/*
 * Verify d against role `role` of r: lines whose kid is not a key of the
 * role are ignored; a line whose kid is a role key but whose signature does
 * not verify makes the document invalid (LICD_E_SIGNATURE, naming line and
 * kid); the number of distinct public keys (by key bytes) that verified
 * must reach the threshold (LICD_E_THRESHOLD, "2 of 3 needed, 1 valid").
 * *nvalid (may be NULL) receives the number of distinct valid keys.
 * min_threshold overrides the role's threshold when non-zero (preview).
 */
int doc_verify_role(const struct doc *d, const struct root *r,
    enum role_id role, uint32_t min_threshold, size_t *nvalid,
    struct lerr *e);

/* Verify a device-signed document (receipt, request, checkpoint, report):
 * at least one line by pk, no line with the kid of pk failing. */
int doc_verify_key(const struct doc *d, const uint8_t pk[TOK_PK_LEN],
    struct lerr *e);

/*
 * The first root: decode it and verify it under its own root role.
 * Errors as doc_verify_role() and pl_decode_root().
 */
int root_from_doc(const struct doc *d, struct root *out, struct lerr *e);

/*
 * Rotation (DESIGN 3.4): d must be a root document with ver == cur->ver+1
 * (else LICD_E_ROOT_VERSION; an equal ver with the same message is
 * reported by returning 1 and leaving *out = *cur), signed by a threshold
 * of cur's root role AND of the new root's root role. cur's expiry does
 * not matter. cur_msg/cur_len is the message of the current root (to tell
 * a no-op from equivocation).
 */
int root_rotate(const struct root *cur, const uint8_t *cur_msg,
    size_t cur_len, const struct doc *d, struct root *out, struct lerr *e);

/*
 * Build a document: one line per token, each ending in LF. *out is
 * malloc'd and NUL-terminated.
 */
int doc_join(char *const *tokens, size_t n, char **out, size_t *outlen);

/* The exact footer {"kid":"<kid>","typ":"<typ>"} into out (cap bytes). */
int doc_footer(const char *kid, enum doc_type t, char *out, size_t cap);

#endif
