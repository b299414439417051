/* SPDX-License-Identifier: MIT */
/* Enforcement outputs (DESIGN 5.1): runtime_dir/enforce, read by the
 * privileged enforcer, and the enforce.on_change hook, bounded in time. */
#ifndef LICD_ENFORCE_H
#define LICD_ENFORCE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "config.h"
#include "lerr.h"

#define ENFORCE_FILE		"enforce"
#define ENFORCE_HOOK_TIMEOUT	30	/* s before the hook is killed */
#define ENFORCE_MAX_HOOKS	8	/* running at once; more are skipped */
#define ENFORCE_REASON_MAX	256

/*
 * Write runtime_dir/enforce atomically (mode 0644), line by line:
 *
 *   version 1
 *   generation <n>
 *   action stop|run
 *   unit <name>          one per enforce.stop_units, only with "stop"
 *   reason <text>        one line, control characters replaced by '?'
 *
 * "stop": some licence is suspended, revoked or invalid; the enforcer
 * stops and masks the units. "run": nothing to stop (the enforcer may
 * unmask them). Errors: LICD_E_IO.
 */
int enforce_write(const struct cfg *c, bool stop, const char *reason,
    uint64_t generation, struct lerr *e);

/* A state change, as the hook sees it in its environment. */
struct enforce_change {
	const char *product;	/* LICD_PRODUCT */
	const char *lid;	/* LICD_LID */
	const char *from;	/* LICD_OLD_STATE */
	const char *to;		/* LICD_NEW_STATE */
	const char *reason;	/* LICD_REASON */
};

/*
 * Run c->on_change (if set) for ch: executed directly (no shell), stdin
 * and stdout on /dev/null, stderr inherited, an environment of only PATH
 * and the LICD_* variables above. It is watched by the event loop and
 * killed after ENFORCE_HOOK_TIMEOUT; its failure is logged, never fatal.
 * SIGCHLD must be blocked (the loop's child sources need it). Returns 0
 * when started (or no hook), -LICD_E_LIMIT when ENFORCE_MAX_HOOKS are
 * still running, -LICD_E_IO when it cannot be started.
 */
int enforce_hook(sd_event *ev, const struct cfg *c,
    const struct enforce_change *ch, struct lerr *e);

/* Hooks running now. */
unsigned enforce_hooks_running(void);

/* Change the time limit (default ENFORCE_HOOK_TIMEOUT; the tests use a
 * short one). */
void enforce_set_hook_timeout(unsigned seconds);

#endif
