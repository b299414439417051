/* SPDX-License-Identifier: MIT */
/* The durable store under state_dir (DESIGN 5.1): atomic writes, bounded
 * reads, the layout of stored documents and the persisted signed clock. */
#ifndef LICD_STORE_H
#define LICD_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lerr.h"
#include "payload.h"

/*
 * Layout (doc/PROTOCOL.md, "State directory"):
 *
 *   state_dir/                 0700, owned by the daemon's user
 *     device.key               k4.secret, 0600 (devkey.c)
 *     audit.log                hash-chained JSON lines (audit.c)
 *     clock                    the signed clock: decimal seconds and LF
 *     root/<ver>               every accepted root document
 *     docs/<lid>/licence-<ver> every accepted licence version
 *     docs/<lid>/order-<seq>   every held order
 *     docs/<lid>/status        the latest accepted status
 *     docs/<lid>/named-<seq>   the first status that named order seq
 *                              (kept for the loss moment, DESIGN 4.3)
 *     docs/<lid>/conflict-licence-<ver>, conflict-order-<seq>
 *                              the second message of an equivocation
 *                              (evidence: replayed so the mark survives)
 *     outbox/<name>            receipts, never overwritten
 *     <name>                   other top-level state files (store_put)
 *
 * A lid beginning with '.' is stored as "%<lid>" so that "." and ".."
 * (valid lids) stay ordinary directories; '%' is outside the lid alphabet.
 * Temporary files are ".#tmp.<random>" ('#' is outside every alphabet) and
 * are removed by store_open() after a crash.
 */

#define STORE_MAX_FILE	(64 * 1024 + 4096)	/* a document and slack */
#define STORE_MAX_LIDS	1024			/* stored lids */
#define STORE_MAX_NUMS	4096			/* versions/orders per lid */
#define STORE_NAME_MAX	128			/* bytes of a file name */

enum store_kind {
	STORE_ROOT = 0,		/* root/<num>; lid ignored */
	STORE_LICENCE,		/* docs/<lid>/licence-<num> */
	STORE_ORDER,		/* docs/<lid>/order-<num> */
	STORE_STATUS,		/* docs/<lid>/status; num ignored */
	STORE_NAMED,		/* docs/<lid>/named-<num> */
	STORE_CONFLICT_LICENCE,	/* docs/<lid>/conflict-licence-<num> */
	STORE_CONFLICT_ORDER,	/* docs/<lid>/conflict-order-<num> */
	STORE__KINDS
};

struct store {
	int dirfd;		/* state_dir, O_DIRECTORY; -1 when closed */
	char path[1024];	/* for messages */
};

/*
 * Open state_dir, creating it (0700) and root/, docs/, outbox/ when
 * missing. Refuses a state_dir that is a symlink, not a directory, not
 * owned by the effective uid, or writable by group or others
 * (LICD_E_IO with the reason). Removes leftover temporary files.
 */
int store_open(struct store *s, const char *state_dir, struct lerr *e);
void store_close(struct store *s);

/*
 * Take the state directory for this process alone (flock on state_dir,
 * released by store_close() or exit): two licd on one state_dir would
 * interleave the audit chain and replace each other's snapshot. Call it
 * before touching anything else. LICD_E_IO "another licd uses ..." when
 * it is held.
 */
int store_lock(struct store *s, struct lerr *e);

/*
 * Write len bytes of buf to name in dirfd durably and atomically: a
 * temporary file (O_CREAT|O_EXCL|O_NOFOLLOW, mode) in the same directory,
 * all bytes written, fsync, rename over name, fsync of the directory.
 * With noreplace, an existing name is never replaced (link instead of
 * rename; LICD_E_IO "exists" when it is there). On any failure (ENOSPC,
 * EROFS, EIO...) the temporary file is removed, name keeps its old content
 * and -LICD_E_IO is returned with "<dir>/<name>: <strerror>" (dir is for
 * messages). Never leaves a partial name.
 */
int store_write_at(int dirfd, const char *dir, const char *name,
    const void *buf, size_t len, mode_t mode, int noreplace,
    struct lerr *e);

/*
 * Read name in dirfd (a regular file, not a symlink) of at most max bytes
 * into *out (malloc'd, NUL-terminated, caller frees) and *len.
 * LICD_E_NOT_FOUND when absent, LICD_E_TOO_LARGE over max, else LICD_E_IO.
 */
int store_read_at(int dirfd, const char *dir, const char *name, size_t max,
    char **out, size_t *len, struct lerr *e);

/* The file name prefix of kind k ("licence-", "status", ...). */
const char *store_kind_prefix(enum store_kind k);

/* Documents. lid must match the lid alphabet (pl_lid_valid). */
int store_doc_put(struct store *s, enum store_kind k, const char *lid,
    uint64_t num, const void *buf, size_t len, struct lerr *e);
int store_doc_get(struct store *s, enum store_kind k, const char *lid,
    uint64_t num, char **out, size_t *len, struct lerr *e);
/* Remove a stored document (absent: 0). */
int store_doc_del(struct store *s, enum store_kind k, const char *lid,
    uint64_t num, struct lerr *e);

/*
 * The numbers stored for kind k of lid (roots: every ver), ascending, at
 * most max (LICD_E_LIMIT beyond). For STORE_STATUS *n is 0 or 1 and
 * nums[0] is 0. Names that are not the store's own are ignored.
 */
int store_doc_list(struct store *s, enum store_kind k, const char *lid,
    uint64_t *nums, size_t max, size_t *n, struct lerr *e);

/* Every stored lid, sorted by strcmp, at most max (LICD_E_LIMIT). */
int store_lid_list(struct store *s, char (*lids)[PL_LID_MAX + 1],
    size_t max, size_t *n, struct lerr *e);

/*
 * The signed clock (DESIGN 4.2). load: *t = 0 when never saved; a file
 * that is not exactly decimal seconds and LF is LICD_E_MALFORMED (the
 * caller must not start from 0 then: the clock could go back).
 */
int store_clock_load(struct store *s, int64_t *t, struct lerr *e);
int store_clock_save(struct store *s, int64_t t, struct lerr *e);

/* Top-level state files and receipts (outbox, never overwritten). name is
 * one component of [A-Za-z0-9._-], not starting with '.'. */
int store_put(struct store *s, const char *name, const void *buf,
    size_t len, struct lerr *e);
int store_get(struct store *s, const char *name, size_t max, char **out,
    size_t *len, struct lerr *e);
/* Remove a top-level state file (absent: 0), durably. */
int store_del(struct store *s, const char *name, struct lerr *e);
int store_outbox_put(struct store *s, const char *name, const void *buf,
    size_t len, struct lerr *e);

#endif
