/* SPDX-License-Identifier: MIT */
/* Error codes and messages shared by every licd component: a stable reason
 * code for machines (doc/PROTOCOL.md) and a sentence for people. */
#ifndef LICD_LERR_H
#define LICD_LERR_H

#include <stddef.h>

/*
 * Every fallible function in common/ and policy/ returns 0 on success or
 * -LICD_E_* on failure and, when given a non-NULL struct lerr, fills it with
 * the same code and a message naming the line, field or key at fault.
 * The numbering is internal; the reason strings (lerr_reason()) are the
 * stable, documented interface.
 */
enum licd_err {
	LICD_OK = 0,
	LICD_E_INTERNAL,	/* "internal": a bug or an impossible state */
	LICD_E_NOMEM,		/* "no-memory" */
	LICD_E_IO,		/* "io": a file could not be read or written */
	LICD_E_USAGE,		/* "usage": bad arguments from a caller */
	LICD_E_TOO_LARGE,	/* "too-large": size, line or count limit */
	LICD_E_MALFORMED,	/* "malformed": document structure (CR, no token) */
	LICD_E_TOKEN,		/* "bad-token": prefix, base64url, lengths */
	LICD_E_FOOTER,		/* "bad-footer": footer not exactly {"kid","typ"} */
	LICD_E_TYPE,		/* "wrong-type": typ not the one expected */
	LICD_E_MISMATCH,	/* "mismatch": lines carry different messages/typ */
	LICD_E_SIGNATURE,	/* "bad-signature": a role key's signature fails */
	LICD_E_THRESHOLD,	/* "threshold": too few distinct role keys */
	LICD_E_PAYLOAD,		/* "bad-payload": JSON or schema violation */
	LICD_E_KEY,		/* "bad-key": PASERK or key file malformed */
	LICD_E_ROOT_VERSION,	/* "root-version": rotation not exactly N+1 */
	LICD_E_NOT_YET_VALID,	/* "not-yet-valid": iat too far ahead of now */
	LICD_E_EXPIRED,		/* "expired" */
	LICD_E_REPLAY,		/* "replay": older status, lower licence ver */
	LICD_E_EQUIVOCATION,	/* "equivocation": two messages, same seq/ver */
	LICD_E_PRODUCT_LICENSED,/* "product-licensed": product has another lid */
	LICD_E_REVOKED,		/* "revoked": lid or product revoked */
	LICD_E_WRONG_DEVICE,	/* "wrong-device": bound to another device */
	LICD_E_UNKNOWN_PURPOSE,	/* "unknown-purpose": not in purposes.conf */
	LICD_E_LIMIT,		/* "limit": storage bound reached */
	LICD_E_NOT_FOUND,	/* "not-found" */
	LICD_E_CONFIG,		/* "config": configuration error */
	LICD_E__MAX
};

#define LERR_MSG_MAX 320

struct lerr {
	int code;			/* enum licd_err, 0 when no error */
	char msg[LERR_MSG_MAX];		/* NUL-terminated, never empty on error */
};

/*
 * Record an error and return -code, so callers can write
 * `return lerr_set(e, LICD_E_PAYLOAD, "field \"%s\": ...", name);`.
 * e may be NULL. If e already holds an error, the new message is prefixed
 * to it only through lerr_prefix(); lerr_set() overwrites.
 */
int lerr_set(struct lerr *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepend "PREFIX: " to the message already in e (e.g. "order: line 2"). */
void lerr_prefix(struct lerr *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Stable reason code for a (positive or negative) error number. */
const char *lerr_reason(int code);

/* Reset to "no error". */
void lerr_clear(struct lerr *e);

#endif
