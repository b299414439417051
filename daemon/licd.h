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
#include "payload.h"
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
	/*
	 * SEAM(policy): the decision state and its last evaluation go here:
	 *	struct pol_state *state;   (allocated: about 2.3 MB)
	 *	struct pol_view *view;
	 *	sd_event_source *next_change;   (timer at view->next_change)
	 */
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

/* Wall clock and the signed clock's view of now. */
int64_t licd_wall(void);
int64_t licd_boot_ns(void);

#endif
