/* SPDX-License-Identifier: MIT */
/* licd.conf (DESIGN 5.1): one struct holding the whole configuration,
 * loaded from libconfig and validated strictly against a table of keys. */
#ifndef LICD_CONFIG_H
#define LICD_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lerr.h"
#include "payload.h"

#define CFG_DEFAULT_PATH	"/etc/licd/licd.conf"
#define CFG_FILE_MAX		(256 * 1024)	/* bytes of licd.conf */
#define CFG_PATH_MAX		1024		/* bytes of a configured path */
#define CFG_GROUP_MAX		32		/* bytes of admin_group */
#define CFG_URL_MAX		2048
#define CFG_UNIT_MAX		255		/* systemd's unit name limit */
#define CFG_MAX_LIST		64		/* entries of any list */
#define CFG_DEFAULT_GRACE	30		/* client_grace, seconds */
#define CFG_DEFAULT_INTERVAL	900		/* feed.interval, seconds */
#define CFG_MIN_INTERVAL	60		/* a fleet must not poll faster */
#ifndef LICD_DATADIR
#define LICD_DATADIR		"/usr/local/share/licd"
#endif
/* The purpose taxonomy when the configuration names none. */
#define CFG_DEFAULT_PURPOSES	LICD_DATADIR "/purposes.conf"

/* One entry of local.disable: "FEATURE" (any product) or
 * "PRODUCT:FEATURE"; product is "" for the first form. */
struct cfg_disable {
	char product[PL_NAME_MAX + 1];
	char feature[PL_NAME_MAX + 1];
};

/*
 * The whole configuration. Strings are NUL-terminated and "" when unset;
 * every path is absolute. The struct owns nothing outside itself, so a
 * loaded configuration is replaced by swapping one pointer.
 */
struct cfg {
	char file[CFG_PATH_MAX];		/* where it was loaded from */
	char root[CFG_PATH_MAX];		/* first root document */
	char state_dir[CFG_PATH_MAX];
	char runtime_dir[CFG_PATH_MAX];
	char inbox[CFG_PATH_MAX];		/* "" when not watched */
	char purposes[CFG_PATH_MAX];		/* purposes.conf (default:
						 * CFG_DEFAULT_PURPOSES) */
	char admin_group[CFG_GROUP_MAX + 1];	/* "" when none */
	gid_t admin_gid;			/* valid when admin_group set */
	int64_t client_grace;			/* seconds */
	size_t ndisable;
	struct cfg_disable disable[CFG_MAX_LIST];
	char on_change[CFG_PATH_MAX];		/* "" when no hook */
	size_t nstop_units;
	char stop_units[CFG_MAX_LIST][CFG_UNIT_MAX + 1];
	bool has_feed;
	char feed_url[CFG_URL_MAX + 1];
	char feed_ca[CFG_PATH_MAX];		/* "" when the system CAs */
	int64_t feed_interval;			/* seconds */
};

/*
 * Load and validate path into a new struct (*out, free with cfg_free()).
 * Every error is LICD_E_CONFIG with a message "FILE:LINE: what", LINE 0
 * when no line is at fault (the file cannot be read, a required top-level
 * key is missing): unknown key, wrong type, missing required key, a path
 * that is not absolute, a bad duration, a syntax error, an unknown group.
 * On failure *out is NULL. LICD_E_NOMEM when out of memory.
 */
int cfg_load(const char *path, struct cfg **out, struct lerr *e);

void cfg_free(struct cfg *c);

/*
 * Reload (*cur)->file: on success *cur is replaced by the new
 * configuration and the old one freed; on failure *cur is untouched and e
 * says why. A change of a key that needs a restart (see cfg_needs_restart)
 * is refused with LICD_E_CONFIG too.
 */
int cfg_reload(struct cfg **cur, struct lerr *e);

/* The name of the first key that differs between a and b and that cannot
 * change without a restart (root, state_dir, runtime_dir, purposes), or
 * NULL. */
const char *cfg_needs_restart(const struct cfg *a, const struct cfg *b);

/* 1 when feature of product is disabled by local.disable, else 0. */
int cfg_disabled(const struct cfg *c, const char *product,
    const char *feature);

#endif
