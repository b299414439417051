/* SPDX-License-Identifier: MIT */
/* liblicd's insides, shared by its files: the handle, the snapshot view,
 * the name tables and the connection to licd. Nothing here is exported
 * (-fvisibility=hidden and client-lib/licd.map). */
#ifndef LICD_CLIENT_H
#define LICD_CLIENT_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>

#include "licd.h"
#include "proto.h"
#include "snapshot.h"

#define LC_SOCK_MAX	sizeof(((struct sockaddr_un *)0)->sun_path)
#define LC_RX_MAX	1024		/* largest frame we accept (R_ERROR 560) */
#define LC_REOPEN_NS	(100 * 1000000LL)	/* snapshot re-open attempts */
#define LC_CLOCK_SLACK_NS (1000 * 1000000LL)	/* coarse clock vs published */
#define LC_SPINS	256		/* seqlock retries before yielding */
#define LC_BUSY_NS	(250 * 1000000LL)	/* then give up: denied */
#define LC_RECONNECT_MS	1000		/* licd_fd(): retry a lost daemon */
#define LC_EVENTS_MAX	64		/* delivered per licd_dispatch() */
#define LC_SEEN		64		/* names_seen(): a power of two */

/* A name as the snapshot stores it: NUL-terminated and NUL-padded. */
struct lc_name {
	char name[SNAP_NAME_LEN];
	uint32_t len;
};

/*
 * A table of resolved names (features or purposes): entries are only ever
 * added (under the handle's lock) and never change afterwards, so lookups
 * read it without a lock (open addressing, slots published with release).
 */
struct names {
	uint32_t cap;			/* entries */
	uint32_t mask;			/* slots - 1 (a power of two) */
	uint32_t n;			/* (atomic) entries in use */
	struct lc_name *ent;
	uint32_t *slot;			/* (atomic) entry + 1; 0: empty */
	/* Recently checked strings by address: (address << 16) | entry,
	 * verified with strcmp() on use. (atomic) */
	uint64_t seen[LC_SEEN];
};

/* Feature handle 0 is the product's own row (feature ""). */
#define LC_PRODUCT_ROW	0
#define LC_NO_HANDLE	UINT32_MAX	/* a name too many for the table */

/*
 * One mapping of RUNTIME_DIR/snapshot. A replaced mapping is never
 * unmapped while the handle lives, since a thread may still be reading
 * it: it is kept, and the one before it is overlaid with zero pages
 * (which read as "stale") to release the file.
 */
struct lc_map {
	const struct snap_header *hdr;
	size_t len;
	uint32_t cap;			/* entries the mapping holds */
	dev_t dev;
	ino_t ino;
	/* Per handle: where its entry was, tagged with the generation it
	 * was found at (LC_TAG_*); 0: not known. (atomic) */
	uint64_t fcache[LICD_MAX_FEATURES + 1];
	uint64_t pcache[LICD_MAX_PURPOSES];
	uint64_t stuck_seq;		/* (atomic) an odd seq given up on */
	struct lc_map *older;
};

struct lc_lease {
	licd_lease_t id;
	bool ended;			/* revoked or lost, not yet reported */
	licd_reason_t why;
};

/*
 * The connection to licd, and the notification descriptors, of one
 * process: a child after fork() makes a new one (conn_get) and never
 * touches its parent's. lock serialises the socket (held across one
 * request and its reply, at most the timeout).
 */
struct lc_conn {
	pthread_mutex_t lock;
	uint64_t fork_gen;		/* the process it belongs to */
	int fd;				/* the socket; -1: not connected.
					 * Changed only under h->lock too. */
	int epfd, tfd, efd;		/* licd_fd(): epoll, timer, eventfd */
	bool want_sub;			/* licd_fd() was called */
	bool subscribed;
	uint32_t next_id;
	uint8_t rx[LC_RX_MAX];
	size_t rx_len;
	struct lc_lease *leases;
	size_t nleases, leases_cap;
	bool changed;			/* a change to look at (dispatch) */
	bool have_digest;
	uint64_t digest;		/* of what the callback last saw */
	struct lc_conn *older;		/* a parent's, kept until close */
};

struct licd_client {
	struct lc_name product;
	int timeout_ms;
	char snap_path[PATH_MAX];
	char sock_path[LC_SOCK_MAX];
	/* Short critical sections only (never I/O with licd): the name
	 * tables' additions, snapshot re-opening, the callback, conn->fd.
	 * Held by the pthread_atfork prepare handler. */
	pthread_mutex_t lock;
	struct lc_map *map;		/* (atomic) the current mapping */
	struct lc_map *retired;		/* replaced mappings */
	int64_t next_reopen;		/* (atomic) coarse ns */
	struct names features;
	struct names purposes;
	licd_change_cb cb;
	void *cb_data;
	struct lc_conn *conn;		/* (atomic) this process's */
	struct licd_client *reg_next, **reg_pprev;	/* fork registry */
};

/* ---- names.c ---- */
int names_init(struct names *t, uint32_t cap);
void names_free(struct names *t);
/* 1 when s matches [a-z0-9][a-z0-9._-]{0,63}. */
int names_valid(const char *s);
/* The handle of s (adding it under h->lock), -LICD_E_ARGUMENT for a bad
 * name, -LICD_E_TOO_MANY when the table is full. */
int32_t names_resolve(licd_t *h, struct names *t, const char *s);
/* The handle of s when s was looked up recently at the same address and
 * still says the same, else -1. Lock-free, and cheaper than hashing. */
int32_t names_seen(struct names *t, const char *s);
/* The entry of handle i, or NULL. */
const struct lc_name *names_get(const struct names *t, int32_t i);
/* Fill n from s (valid names only). */
void names_set(struct lc_name *n, const char *s);
/* Entry 0 of a fresh table: the name "" (the product's row). */
void names_reserve_empty(struct names *t);

/* ---- view.c: the snapshot ---- */
/* The coarse monotonic clock, ns (vDSO: no system call). */
int64_t view_now(void);
/* Map the snapshot if there is one (licd_open). */
void view_open(licd_t *h);
void view_close(licd_t *h);
/* The decision for a feature (handle, or LC_NO_HANDLE with fname) and a
 * purpose (handle, LC_NO_HANDLE with pname, or LICD_PURPOSE_NONE). */
int view_check(licd_t *h, uint32_t fh, const struct lc_name *fname,
    uint32_t ph, const struct lc_name *pname, licd_reason_t *why);
/* 1 when the steady state (fresh file, cached places, allowed) says
 * allowed; 0: ask view_check(). No system call, lock or allocation. */
int view_fast(const licd_t *h, uint32_t fh, uint32_t ph, bool want_purpose);
/* The product's state, and a digest of everything a check of it could
 * answer (to tell whether a change concerns this product). */
void view_state(licd_t *h, licd_state_t *state, licd_reason_t *why,
    uint64_t *digest);
/* ns until the snapshot goes stale (0 when stale or absent). */
int64_t view_fresh_for(licd_t *h);

/* ---- reasons.c ---- */
licd_reason_t reason_parse(const char *s, size_t len);
licd_reason_t reason_of_state(licd_state_t s);

/* ---- conn.c: the socket ---- */
void conn_atfork_init(void);
void conn_register(licd_t *h);
void conn_unregister(licd_t *h);
/* This process's connection state (a new one after fork()), or NULL. */
struct lc_conn *conn_get(licd_t *h);
void conn_free_all(licd_t *h);
/* CLOCK_MONOTONIC now + the handle's timeout. */
void conn_deadline(const licd_t *h, struct timespec *ts);
/* Lock c->lock before the deadline: 0 or -LICD_E_TIMEOUT. */
int conn_lock(struct lc_conn *c, const struct timespec *deadline);
/* Connected (and subscribed when wanted), or a negative LICD_E_*. */
int conn_ensure(licd_t *h, struct lc_conn *c, const struct timespec *dl);
/* Send req, wait for its reply (copied into buf, decoded into rep).
 * Notifications read meanwhile are recorded for licd_dispatch(). On
 * timeout or a protocol error the connection is closed. */
int conn_call(licd_t *h, struct lc_conn *c, struct proto_msg *req,
    struct proto_msg *rep, uint8_t *buf, const struct timespec *dl);
/* Read what is there without waiting; handle notifications. */
void conn_poll_input(licd_t *h, struct lc_conn *c);
/* The connection is gone: leases end (reported later), events wake. */
void conn_lost(licd_t *h, struct lc_conn *c);
/* Make licd_fd() readable (an event is pending). */
void conn_wake(struct lc_conn *c);

/* ---- lease.c ---- */
struct lc_lease *lease_find(struct lc_conn *c, licd_lease_t id);
void lease_end(struct lc_conn *c, licd_lease_t id, licd_reason_t why);

#endif
