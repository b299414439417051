/* SPDX-License-Identifier: MIT */
/* liblicd: what a vendor's product asks licd, the export-licence agent:
 * may I use this feature for this purpose, take and give back a counted
 * use, and tell me when the answer changes. See liblicd(3). */
#ifndef LIBLICD_H
#define LIBLICD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Overview
 * --------
 * A product opens one handle (licd_open) for its product name and keeps it
 * for its lifetime. Checks (licd_check, licd_check_handle) read the
 * daemon's published decisions from a read-only shared mapping of
 * RUNTIME_DIR/snapshot: no system call, no lock and no allocation in the
 * steady state, safe from any number of threads at once. Counted uses
 * (licd_acquire/licd_release) and change notifications (licd_fd,
 * licd_dispatch, licd_on_change) talk to licd over RUNTIME_DIR/licd.sock.
 *
 * The library never exits, never prints or logs, never raises a signal
 * (sockets are written with MSG_NOSIGNAL) and never waits longer than the
 * handle's timeout (licd_options.timeout_ms) in any call. Every file
 * descriptor it opens is close-on-exec. It uses only libc.
 *
 * Fail closed: whatever goes wrong (no daemon, a snapshot older than the
 * daemon's client_grace, a snapshot being rewritten for too long, a
 * malformed answer), a check says "denied" with a reason; nothing that
 * fails ever makes a check say "allowed".
 *
 * Names: product, feature and purpose names match [a-z0-9][a-z0-9._-]{0,63}
 * (DESIGN 3.4). A name that does not is never licensed.
 *
 * Errors: functions that can fail return 0 (or a non-negative value where
 * stated) on success and a negative -LICD_E_* code on failure;
 * licd_strerror() turns one into a sentence. Checks never fail: they
 * answer 1 (allowed) or 0 (denied, with a reason).
 *
 * Threads: every function may be called from any thread on the same
 * handle at once, except licd_close(), which must be the last call on a
 * handle (no call may run during or after it). Callbacks run only inside
 * licd_dispatch(), in its caller's thread.
 *
 * fork(): a child may keep using a handle it inherited. Checks work
 * unchanged (the mapping is shared). The parent's connection to licd is
 * closed in the child at fork time (pthread_atfork), so the child never
 * speaks on the parent's socket and the parent's leases still end when
 * the parent dies; the child's first licd_acquire() or licd_dispatch()
 * opens a connection of its own. Leases are not inherited: in the child,
 * licd_release() of a parent's lease returns -LICD_E_NO_LEASE. A child
 * that watches for changes must call licd_fd() again: the descriptor
 * number differs from the parent's.
 */

#define LICD_VERSION_MAJOR	1
#define LICD_VERSION_MINOR	0
#define LICD_VERSION_PATCH	0
#define LICD_VERSION_STRING	"1.0.0"

#define LICD_DEFAULT_RUNTIME_DIR	"/run/licd"
#define LICD_RUNTIME_DIR_ENV		"LICD_RUNTIME_DIR"
#define LICD_DEFAULT_TIMEOUT_MS		2000
#define LICD_MAX_TIMEOUT_MS		60000

#define LICD_NAME_MAX		64	/* product, feature, purpose: bytes */
#define LICD_CASE_MAX		256	/* case reference: bytes */
#define LICD_MAX_FEATURES	256	/* feature handles per licd_t */
#define LICD_MAX_PURPOSES	64	/* purpose handles per licd_t */
#define LICD_MAX_LEASES		4096	/* leases held at once per licd_t */

/* The library is built with -fvisibility=hidden: what this header
 * declares is its interface, and only that is exported. */
#if defined(__GNUC__) && __GNUC__ >= 4
#define LICD_PUBLIC	__attribute__((visibility("default")))
#else
#define LICD_PUBLIC
#endif

/* An open handle for one product (opaque). */
typedef struct licd_client licd_t;

/* A feature or purpose pre-resolved for the fast check path: a small
 * non-negative number, valid for the handle that resolved it. */
typedef int32_t licd_feature_t;
typedef int32_t licd_purpose_t;

/* "No purpose": check the feature alone. Negative values (failed
 * resolutions) are not "no purpose": they deny. */
#define LICD_PURPOSE_NONE	((licd_purpose_t)0x7fffffff)

/* A counted, audited use, numbered by licd; never 0. */
typedef uint64_t licd_lease_t;

/* Errors, returned negated. The numbers are part of the ABI. */
enum licd_error {
	LICD_E_ARGUMENT = 1,	/* NULL handle, bad name, unknown handle */
	LICD_E_NO_MEMORY = 2,
	LICD_E_UNAVAILABLE = 3,	/* licd cannot be reached */
	LICD_E_TIMEOUT = 4,	/* licd did not answer within the timeout */
	LICD_E_PROTOCOL = 5,	/* an answer we do not understand */
	LICD_E_DENIED = 6,	/* licd refused: the reason says why */
	LICD_E_NO_LEASE = 7,	/* this handle holds no such lease */
	LICD_E_TOO_MANY = 8,	/* a per-handle limit (LICD_MAX_*) */
	LICD_E_SYSTEM = 9,	/* a system call failed (out of descriptors) */
	LICD_E_NOT_SUPPORTED = 10,	/* this licd does not serve it yet */
};

/*
 * Why a check or an acquisition was denied. The numbers are part of the
 * ABI and the strings (licd_reason_str) are the stable reason codes of
 * doc/PROTOCOL.md and doc/POLICY.md; new reasons are only ever appended.
 */
typedef enum licd_reason {
	LICD_REASON_NONE = 0,		/* "none": allowed */
	LICD_REASON_NOT_LICENSED = 1,	/* "not-licensed": no licence names it */
	LICD_REASON_DISABLED_BY_ORDER = 2,	/* "disabled-by-order" */
	LICD_REASON_SUSPENDED = 3,	/* "suspended": by an order */
	LICD_REASON_REVOKED = 4,	/* "revoked" */
	LICD_REASON_STALE = 5,		/* "stale": the licence is not fresh */
	LICD_REASON_PURPOSE_NOT_PERMITTED = 6,	/* "purpose-not-permitted" */
	LICD_REASON_LIMIT_REACHED = 7,	/* "limit-reached": all seats in use */
	LICD_REASON_DAEMON_UNAVAILABLE = 8,	/* "daemon-unavailable" */
	LICD_REASON_INVALID = 9,	/* "invalid": no valid licence */
	LICD_REASON_EXPIRED = 10,	/* "expired" */
	LICD_REASON_EQUIVOCATION = 11,	/* "equivocation": suspended */
	LICD_REASON_DISABLED_LOCALLY = 12,	/* "disabled-locally" */
	LICD_REASON_OTHER = 13,		/* "other": a code this library does
					 * not know (a newer licd) */
} licd_reason_t;

/* The licence state of the product (DESIGN 4.1), most restrictive first.
 * LICD_STATE_UNKNOWN: licd's answer is not available (daemon-unavailable). */
typedef enum licd_state {
	LICD_STATE_INVALID = 0,
	LICD_STATE_EXPIRED = 1,
	LICD_STATE_REVOKED = 2,
	LICD_STATE_SUSPENDED = 3,
	LICD_STATE_RESTRICTED = 4,
	LICD_STATE_ACTIVE = 5,
	LICD_STATE_UNKNOWN = 6,
} licd_state_t;

/*
 * Options for licd_open(). Initialise with LICD_OPTIONS_INIT (or set
 * .size = sizeof(struct licd_options) and zero the rest): fields added
 * in later versions go at the end, and size tells the library which ones
 * the caller knows.
 */
struct licd_options {
	unsigned int size;	/* sizeof(struct licd_options) */
	unsigned int flags;	/* LICD_OPEN_* */
	/* Directory of licd.sock and snapshot. NULL: $LICD_RUNTIME_DIR
	 * (read with secure_getenv, so never in a setuid program; ignored
	 * with LICD_OPEN_NO_ENV), else LICD_DEFAULT_RUNTIME_DIR. */
	const char *runtime_dir;
	/* The socket. NULL: RUNTIME_DIR/licd.sock. */
	const char *socket_path;
	/* Bound on each call that talks to licd, in ms. 0: the default
	 * LICD_DEFAULT_TIMEOUT_MS; at most LICD_MAX_TIMEOUT_MS. */
	int timeout_ms;
};

#define LICD_OPTIONS_INIT	{ sizeof(struct licd_options), 0, 0, 0, 0 }

/* Ignore $LICD_RUNTIME_DIR: a product that must not be pointed at
 * another directory by its environment sets this. */
#define LICD_OPEN_NO_ENV	0x1u

/*
 * Open a handle for product (copied). opts may be NULL (all defaults).
 * Does not need licd to be running: the snapshot is mapped now if it
 * exists and later (lazily, rate-limited) if not, and the socket is only
 * connected when a call needs it. Never blocks.
 * Returns 0 and *out, or -LICD_E_ARGUMENT (bad product name, bad options,
 * a path too long for a socket), -LICD_E_NO_MEMORY. *out is NULL on
 * failure. The handle owns about 40 KiB and, once used, up to four file
 * descriptors; licd_close() releases them.
 */
LICD_PUBLIC
int licd_open(const char *product, const struct licd_options *opts,
    licd_t **out);

/*
 * Close the handle: the connection to licd ends, and with it every lease
 * still held (licd counts them free at once). No callback runs. NULL is
 * fine. Must not run at the same time as any other call on h, nor from
 * inside a callback of h.
 */
LICD_PUBLIC
void licd_close(licd_t *h);

/*
 * May this product use feature for purpose now? Returns 1 (allowed) or 0
 * (denied); *reason (may be NULL) gets LICD_REASON_NONE or why not.
 * purpose NULL checks the feature alone. Never fails, never blocks: a
 * NULL handle, a bad name or an unusable snapshot deny. No system call,
 * lock or allocation in the steady state; the first check of a name not
 * seen before registers it (a short lock, once per name; see
 * LICD_MAX_FEATURES). A stale snapshot (licd gone for longer than its
 * client_grace) denies with LICD_REASON_DAEMON_UNAVAILABLE; a restarted
 * licd is picked up on the next check. The concurrency limit is not part
 * of a check: licd_acquire() enforces it.
 */
LICD_PUBLIC
int licd_check(licd_t *h, const char *feature, const char *purpose,
    licd_reason_t *reason);

/*
 * Resolve a feature or purpose name once, for licd_check_handle(). The
 * name need not be licensed now (nor licd be running): a handle stands for
 * the name, and each check finds it in the current snapshot (the entry's
 * place is cached and revalidated whenever the snapshot changes).
 * Resolving the same name twice gives the same handle.
 * Returns the handle (>= 0), -LICD_E_ARGUMENT (NULL h, a bad name) or
 * -LICD_E_TOO_MANY (LICD_MAX_FEATURES or LICD_MAX_PURPOSES names already).
 */
LICD_PUBLIC
licd_feature_t licd_feature_resolve(licd_t *h, const char *feature);
LICD_PUBLIC
licd_purpose_t licd_purpose_resolve(licd_t *h, const char *purpose);

/*
 * licd_check() for pre-resolved names: the fast path, with the same
 * answers. purpose LICD_PURPOSE_NONE checks the feature alone. A handle
 * that h did not return (a negative error code included) denies:
 * LICD_REASON_NOT_LICENSED for a feature, LICD_REASON_PURPOSE_NOT_PERMITTED
 * for a purpose.
 */
LICD_PUBLIC
int licd_check_handle(licd_t *h, licd_feature_t feature,
    licd_purpose_t purpose, licd_reason_t *reason);

/*
 * Take a counted, audited use of feature for purpose (both required),
 * recorded by licd with case_ref (NULL or "" for none; at most
 * LICD_CASE_MAX bytes, no control characters) in its audit log. The lease
 * lives until licd_release(), licd_close(), the end of the process or of
 * its connection to licd, or until licd revokes it (a change that
 * disallows the feature or purpose, or lowers the limit below the number
 * in use; the callback is told, LICD_EVENT_LEASE_REVOKED).
 * Returns 0 and *lease (*reason LICD_REASON_NONE), or:
 * -LICD_E_DENIED: *reason says why (e.g. LICD_REASON_LIMIT_REACHED);
 * -LICD_E_UNAVAILABLE, -LICD_E_TIMEOUT, -LICD_E_PROTOCOL,
 * -LICD_E_NOT_SUPPORTED: *reason LICD_REASON_DAEMON_UNAVAILABLE;
 * -LICD_E_ARGUMENT, -LICD_E_TOO_MANY (LICD_MAX_LEASES held),
 * -LICD_E_NO_MEMORY, -LICD_E_SYSTEM: *reason LICD_REASON_OTHER.
 * *lease is 0 on failure; reason may be NULL. A timed-out or garbled
 * exchange closes the connection, so a lease licd granted too late never
 * outlives it (other leases of the handle end with it and are reported).
 * Blocks at most the timeout.
 */
LICD_PUBLIC
int licd_acquire(licd_t *h, const char *feature, const char *purpose,
    const char *case_ref, licd_lease_t *lease, licd_reason_t *reason);

/*
 * Give a lease back. Returns 0 when the lease has ended (licd confirmed,
 * or the connection that held it is gone, which ends it too), or
 * -LICD_E_NO_LEASE (not held by this handle in this process: never
 * acquired, already released, or revoked and reported), -LICD_E_ARGUMENT,
 * -LICD_E_NO_MEMORY, or -LICD_E_TIMEOUT (other threads kept the
 * connection busy for the whole timeout: the lease is still held, try
 * again). Blocks at most the timeout.
 */
LICD_PUBLIC
int licd_release(licd_t *h, licd_lease_t lease);

/*
 * The product's licence state and, when it is not active or restricted,
 * why (LICD_REASON_NONE otherwise). A stale or missing snapshot gives
 * LICD_STATE_UNKNOWN and LICD_REASON_DAEMON_UNAVAILABLE; a product no
 * licence names, LICD_STATE_INVALID and LICD_REASON_NOT_LICENSED.
 * Either pointer may be NULL. Returns 0, or -LICD_E_ARGUMENT (NULL h).
 * No system call in the steady state.
 */
LICD_PUBLIC
int licd_state(licd_t *h, licd_state_t *state, licd_reason_t *reason);

/* ---- change notifications ---- */

enum licd_event_type {
	/* What this product may do has changed (a licence, an order, the
	 * daemon gone or back): check again. state and reason are the
	 * product's, as licd_state() gives them now. */
	LICD_EVENT_CHANGED = 1,
	/* A lease ended without licd_release(): revoked by licd (reason
	 * from licd, e.g. LICD_REASON_DISABLED_BY_ORDER), or lost with the
	 * connection (LICD_REASON_DAEMON_UNAVAILABLE). Stop the use now;
	 * the lease is no longer held (licd_release() is not needed). */
	LICD_EVENT_LEASE_REVOKED = 2,
};

struct licd_event {
	int type;		/* enum licd_event_type */
	licd_lease_t lease;	/* LEASE_REVOKED: which one */
	licd_reason_t reason;
	licd_state_t state;	/* CHANGED: the product's state */
};

/* Called from licd_dispatch(); ev is valid during the call only. The
 * callback may call any function on h except licd_close(). */
typedef void (*licd_change_cb)(licd_t *h, const struct licd_event *ev,
    void *userdata);

/* Set (or, with cb NULL, clear) the callback. Returns 0, or
 * -LICD_E_ARGUMENT. Events that arrive with no callback set are dropped. */
LICD_PUBLIC
int licd_on_change(licd_t *h, licd_change_cb cb, void *userdata);

/*
 * A descriptor to poll for reading (poll, epoll, select, an event loop):
 * readable when licd_dispatch() has work. The first call subscribes to
 * licd's notifications (connecting when licd is up; when it is not, the
 * library keeps retrying from licd_dispatch(), and tells the callback
 * once it is back). The same number is returned until licd_close(), in
 * this process (a forked child gets its own: call it again). Do not read,
 * close or change the descriptor.
 * Returns the descriptor, or -LICD_E_ARGUMENT, -LICD_E_SYSTEM,
 * -LICD_E_NO_MEMORY. Blocks at most the timeout.
 */
LICD_PUBLIC
int licd_fd(licd_t *h);

/*
 * Handle what is ready on licd_fd() without waiting for more: read
 * notifications, notice a lost daemon, reconnect, watch the snapshot
 * going stale; then run the callback once per event. Returns the number
 * of events delivered (>= 0), or -LICD_E_ARGUMENT. Blocks at most the
 * timeout (when it reconnects).
 */
LICD_PUBLIC
int licd_dispatch(licd_t *h);

/* ---- strings ---- */

/* A sentence for an error code (negative or positive); never NULL. */
LICD_PUBLIC
const char *licd_strerror(int code);

/* The stable code of a reason ("disabled-by-order"); "other" for a
 * number this library does not know. Never NULL. */
LICD_PUBLIC
const char *licd_reason_str(licd_reason_t reason);

/* "active", "restricted", ..., "unknown". Never NULL. */
LICD_PUBLIC
const char *licd_state_str(licd_state_t state);

/* The library's version, LICD_VERSION_STRING of the build ("1.0.0"). */
LICD_PUBLIC
const char *licd_version(void);

#ifdef __cplusplus
}
#endif

#endif
