/* SPDX-License-Identifier: MIT */
/* The signed clock: time the owner of the machine cannot set back, made of
 * persisted seconds, running time and the iat of accepted documents. */
#include "sclock.h"

#define NS 1000000000LL

void
sclock_init(struct sclock *c, int64_t persisted, int64_t boot_ns)
{
	c->signed_time = persisted > 0 ? persisted : 0;
	c->boot_ref = boot_ns;
	c->rollback = false;
}

void
sclock_tick(struct sclock *c, int64_t boot_ns)
{
	int64_t secs;

	if (boot_ns <= c->boot_ref)
		return;
	/* Count whole seconds only and keep the remainder for next time,
	 * so that frequent ticks lose nothing. */
	secs = (boot_ns - c->boot_ref) / NS;
	c->signed_time += secs;
	c->boot_ref += secs * NS;
}

int
sclock_observe(struct sclock *c, int64_t iat, int64_t wall)
{
	int64_t t = iat < wall + SCLOCK_SKEW ? iat : wall + SCLOCK_SKEW;

	if (t <= c->signed_time)
		return 0;
	c->signed_time = t;
	return 1;
}

void
sclock_raise(struct sclock *c, int64_t t)
{
	if (t > c->signed_time)
		c->signed_time = t;
}

void
sclock_align(struct sclock *c, int64_t boot_ns, int64_t wall_ns)
{
	sclock_tick(c, boot_ns);
	if (wall_ns >= 0)
		c->boot_ref = boot_ns - wall_ns % NS;
}

int64_t
sclock_now(const struct sclock *c, int64_t wall)
{
	return wall > c->signed_time ? wall : c->signed_time;
}

int
sclock_check_rollback(struct sclock *c, int64_t wall)
{
	bool now = wall < c->signed_time - SCLOCK_SKEW;

	if (now == c->rollback)
		return 0;
	c->rollback = now;
	return now ? 1 : -1;
}
