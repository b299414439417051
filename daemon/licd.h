/* SPDX-License-Identifier: MIT */
/* The daemon's one context: what main.c sets up and the request handlers
 * (handlers.c) work on. Single-threaded: only the sd-event loop touches it. */
#ifndef LICD_LICD_H
#define LICD_LICD_H

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "audit.h"
#include "config.h"
#include "devkey.h"
#include "engine.h"
#include "inbox.h"
#include "leases.h"
#include "payload.h"
#include "render.h"
#include "sclock.h"
#include "server.h"
#include "snapshot.h"
#include "store.h"

#define LICD_EX_CONFIG	78	/* sysexits EX_CONFIG: bad configuration */
#define LICD_EX_FAIL	1	/* cannot start: state, key, socket */
#define LICD_EX_USAGE	2

struct licd {
	struct cfg *cfg;
	struct store store;
	struct devkey *key;
	struct audit audit;
	bool audit_ok;			/* false: appends fail, usage refused */
	struct snap_writer snap;
	struct sclock clock;
	int64_t clock_saved;		/* signed value last persisted */
	bool store_ok;			/* false after a failed write */
	struct root root;		/* the configured first root */
	bool pinned;			/* built with LICD_ROOT_PIN */
	sd_event *ev;
	struct srv *srv;
	sd_event_source *tick;
	struct engine eng;		/* the decision state (engine.h) */
	struct leases leases;		/* counted uses (leases.h) */
	struct eng_changes changes;	/* of the last update */
	sd_event_source *next_change;	/* timer at the view's next_change */
	struct inbox *inbox;
	bool ready;			/* start-up done */
	bool enforce_due;		/* write runtime_dir/enforce next update */
	uint64_t receipt_serial;	/* last receipt's serial */
	unsigned ticks;
	char summary[1024];		/* the last STATUS= sent */
};

/* The request handlers, one row per request type (handlers.c). */
extern const struct srv_handler licd_handlers[];
extern const size_t licd_nhandlers;

/* A connection went away: its leases end (handlers.c). */
void licd_conn_closed(void *ctx, struct srv_conn *c);

/* Reload the configuration; uid is who asked (for the audit log).
 * Returns 0, or -LICD_E_CONFIG with e saying why (the old one is kept). */
int licd_reload(struct licd *d, uid_t uid, struct lerr *e);

/* The one-line summary for sd_notify STATUS= and licctl. */
void licd_summary(const struct licd *d, char *out, size_t cap);

/* What the renderers read (render.h). */
struct render_ctx licd_render_ctx(const struct licd *d);

/*
 * Hand in a document (apply.c): engine_import(), then the audit line, the
 * journald event and, when the state moved, licd_update() with the
 * document's receipt. source is "socket", "inbox" or "feed"; name the
 * file name (may be ""). Returns 0 (res says what happened) or -LICD_E_IO
 * when the state directory could not be written (nothing changed).
 */
int licd_import(struct licd *d, const char *source, const char *name,
    const void *buf, size_t len, struct eng_import *res);

/*
 * Re-evaluate and announce every change (apply.c): audit "state" lines,
 * journald, receipts (imp's own, when imp is not NULL), the enforce hook
 * and runtime_dir/enforce, leases revoked newest first, the snapshot and
 * N_CHANGED, STATUS=, and the timer at the next change.
 */
void licd_update(struct licd *d, const struct eng_import *imp);

/* Republish the snapshot (in_use changed); notify subscribers when
 * decisions changed. */
void licd_publish(struct licd *d, bool notify);

/* Keep the signed clock of the policy and of running time together. */
void licd_sync_clock(struct licd *d);

/* Persist the signed clock now (loud once when it cannot be). */
void licd_save_clock(struct licd *d);

/* Sign and store a receipt (serial chosen here); logs failures. */
void licd_receipt(struct licd *d, struct receipt *r);

/* Seed the engine with what was announced before the last stop. */
void licd_load_applied(struct licd *d);

/* The inbox hands files in through this (apply.c). */
enum inbox_outcome licd_inbox_file(void *ctx, const char *name,
    const void *buf, size_t len, char *reason, size_t cap);

/* Wall clock and the signed clock's view of now. */
int64_t licd_wall(void);
int64_t licd_boot_ns(void);

#endif
