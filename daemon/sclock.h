/* SPDX-License-Identifier: MIT */
/* The daemon's side of DESIGN 4.2: the `signed` clock that never goes
 * back, advanced by running time (CLOCK_BOOTTIME) and by accepted
 * documents, and the clock-rollback alarm. Pure arithmetic; the caller
 * reads the clocks and persists (store_clock_save). */
#ifndef LICD_SCLOCK_H
#define LICD_SCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define SCLOCK_SKEW		300	/* s: DESIGN 4.2 */
#define SCLOCK_PERSIST_EVERY	60	/* s between saves */

struct sclock {
	int64_t signed_time;	/* seconds; never decreases */
	int64_t boot_ref;	/* CLOCK_BOOTTIME ns already counted */
	bool rollback;		/* the alarm is raised */
};

/* Start from the persisted value (0 on first start) at boot_ns. */
void sclock_init(struct sclock *c, int64_t persisted, int64_t boot_ns);

/* Add the whole seconds of running time since the last call (a boot
 * clock that went back, impossible, counts as no time). */
void sclock_tick(struct sclock *c, int64_t boot_ns);

/* An accepted document's iat: jump to min(iat, wall + SCLOCK_SKEW) when
 * that is later. Returns 1 when the clock moved. */
int sclock_observe(struct sclock *c, int64_t iat, int64_t wall);

/* Move to t when later (e.g. the policy state's own signed clock). */
void sclock_raise(struct sclock *c, int64_t t);

/*
 * Count the running time so far, then let the next second of running time
 * end when the wall clock's second does (wall_ns: CLOCK_REALTIME in ns):
 * the signed clock then moves in step with the wall clock, so that a
 * signed clock set to wall + SCLOCK_SKEW by a document does not flap the
 * rollback alarm on sub-second phase differences.
 */
void sclock_align(struct sclock *c, int64_t boot_ns, int64_t wall_ns);

/* now = max(wall, signed). */
int64_t sclock_now(const struct sclock *c, int64_t wall);

/*
 * Re-evaluate the clock-rollback alarm (wall more than SCLOCK_SKEW behind
 * signed). Returns 1 when it was just raised, -1 when just cleared, 0 when
 * unchanged, so that the caller logs and audits transitions only.
 */
int sclock_check_rollback(struct sclock *c, int64_t wall);

#endif
