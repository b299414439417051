/* SPDX-License-Identifier: MIT */
/* The audit log (DESIGN 5.1): append-only, hash-chained JSON lines with
 * checkpoints signed by the device key, and its verifier. */
#ifndef LICD_AUDIT_H
#define LICD_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "devkey.h"
#include "lerr.h"
#include "payload.h"

/*
 * Format (doc/PROTOCOL.md, "Audit log"): one JSON object per line, LF
 * terminated, UTF-8, compact:
 *
 *   {"n":<line number from 1>,"time":"<wall clock, RFC 3339>",
 *    "event":"<name>", <event fields>...,
 *    "prev":"sha256:<hex of SHA-256 of the previous line without its LF>"}
 *
 * Line 1 is always {"n":1,...,"event":"log-created",...} with prev
 * "sha256:" and 64 zeros. A checkpoint line carries "token": a
 * licd:v1:checkpoint token by the device key over {"device","iat",
 * "lines","audit"}, where lines is the number of lines before it and audit
 * the hash of the line just before it (= its own "prev").
 */

#define AUDIT_FILE		"audit.log"
#define AUDIT_LINE_MAX		8192	/* bytes of one line with its LF */
#define AUDIT_HASH_LEN		PL_AUDIT_LEN	/* "sha256:" + 64 hex */
#define AUDIT_CHECKPOINT_EVERY	256	/* lines between checkpoints */

struct audit {
	int fd;				/* O_APPEND; -1 when closed */
	char path[1024];
	uint64_t lines;			/* lines in the file */
	off_t size;			/* bytes in the file */
	char head[AUDIT_HASH_LEN + 1];	/* hash of the last line */
	uint64_t since_checkpoint;	/* lines since the last checkpoint */
	int64_t (*clock)(void *arg);	/* "time" of lines; NULL: time() */
	void *clock_arg;
};

/*
 * Open path for appending, creating it (O_CREAT|O_EXCL|O_NOFOLLOW, 0600)
 * with its "log-created" line when absent. An existing log is never
 * rewritten, with one exception: a last line without its LF (a crash
 * during a write, never acknowledged) is cut off and an "audit-recovered"
 * line records how many bytes were dropped.
 * clock (NULL: time()) gives the "time" of each line.
 * Errors: LICD_E_IO, LICD_E_MALFORMED (the last complete line is not an
 * audit line: the caller decides; the log is not touched).
 */
int audit_open(struct audit *a, const char *path,
    int64_t (*clock)(void *arg), void *clock_arg, struct lerr *e);
void audit_close(struct audit *a);

/*
 * Append one event with fields (an object, borrowed; may be NULL) and
 * fsync it before returning. The names n, time, event, prev are the
 * log's own (LICD_E_USAGE). A line longer than AUDIT_LINE_MAX is
 * LICD_E_TOO_LARGE. On a write error (ENOSPC, EROFS) the file is cut back
 * to its previous length and LICD_E_IO returned: the log stays valid.
 */
int audit_append(struct audit *a, const char *event, json_t *fields,
    struct lerr *e);

/* A document handed in, and what became of it. */
struct audit_doc {
	const char *source;	/* "socket", "inbox", "feed", "store" */
	const char *name;	/* file name given, or NULL */
	const char *type;	/* "licence"...; NULL when not parsed */
	const char *lid;	/* NULL when none */
	uint64_t num;		/* ver or seq; 0 when none */
	const char *outcome;	/* "accepted", "pending", "noop", "rejected" */
	const char *reason;	/* reason code, NULL unless rejected */
	const char *message;	/* NULL or a sentence */
	const void *doc;	/* the bytes, for "sha256" */
	size_t doc_len;
};

/* event "document" */
int audit_document(struct audit *a, const struct audit_doc *d,
    struct lerr *e);
/* event "state": lid (of product) went from -> to, because of reason */
int audit_state(struct audit *a, const char *lid, const char *product,
    const char *from, const char *to, const char *reason, struct lerr *e);
/* event "clock-alarm": alarm is e.g. "clock-rollback" */
int audit_clock(struct audit *a, const char *alarm, int64_t wall,
    int64_t signed_time, struct lerr *e);

/* A counted use (DESIGN 5.2). */
struct audit_usage {
	bool acquire;		/* else release */
	uint64_t lease;
	const char *product, *feature, *purpose;
	const char *case_ref;	/* the caller's case reference */
	const char *why;	/* release: "released", "disconnected",
				 * "revoked: <reason>"; NULL on acquire */
	uid_t uid;
	pid_t pid;
};
/* event "acquire" or "release" */
int audit_usage(struct audit *a, const struct audit_usage *u,
    struct lerr *e);
/* event "admin": who did what (detail may be NULL) */
int audit_admin(struct audit *a, uid_t uid, const char *action,
    const char *detail, struct lerr *e);

/* event "checkpoint", signed by k at iat (the effective time). */
int audit_checkpoint(struct audit *a, const struct devkey *k, int64_t iat,
    struct lerr *e);

/* "sha256:<hex>" of the last line: what receipts and reports carry. */
const char *audit_head(const struct audit *a);

struct audit_result {
	uint64_t lines;			/* lines read (all good when ok) */
	uint64_t checkpoints;		/* valid checkpoints */
	uint64_t last_checkpoint;	/* its line number; 0: none */
	uint64_t bad_line;		/* first bad line; 0 when all good */
};

/*
 * Verify the whole log at path against the device public key pk: every
 * line complete, at most AUDIT_LINE_MAX, a strict JSON object with
 * "n" equal to its line number and "prev" equal to the hash of the line
 * before; line 1 is "log-created" with the zero hash; every checkpoint
 * verifies under pk, names the device and covers exactly the lines
 * before it. Returns 0 when all is good, else LICD_E_MALFORMED (or
 * LICD_E_SIGNATURE for a checkpoint) with "audit.log: line N: why" and
 * res->bad_line = N; LICD_E_IO when the file cannot be read.
 * Lines after the last checkpoint are covered by the chain only (a cut
 * after it cannot be detected): res->last_checkpoint tells.
 */
int audit_verify(const char *path, const uint8_t pk[TOK_PK_LEN],
    struct audit_result *res, struct lerr *e);

#endif
