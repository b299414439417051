/* SPDX-License-Identifier: MIT */
/* Change notifications: one pollable descriptor (an epoll set of the
 * socket, a timer and an eventfd) and licd_dispatch(), which turns what
 * happened into callbacks, including "your lease was revoked" and "licd
 * is gone" or "back". */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "client.h"

/*
 * Why a set and not the socket itself: the socket changes when licd
 * restarts, and some events come from no socket at all (the snapshot
 * going stale is noticed by the timer; a notification read by another
 * thread's licd_acquire() is passed on through the eventfd). The product
 * keeps polling one descriptor that never changes.
 */

static void
drain(int fd)
{
	uint64_t v;

	while (fd >= 0 && read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
		;
}

static int
watch(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0 || errno == EEXIST)
		return 0;
	return -1;
}

/* Make the set (c->lock held); the descriptors are recorded under
 * h->lock, like the socket, for fork(). */
static int
make_set(licd_t *h, struct lc_conn *c)
{
	int r = 0;

	pthread_mutex_lock(&h->lock);
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	c->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	c->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->epfd < 0 || c->tfd < 0 || c->efd < 0 ||
	    watch(c->epfd, c->tfd) < 0 || watch(c->epfd, c->efd) < 0) {
		r = -LICD_E_SYSTEM;
		if (c->epfd >= 0)
			close(c->epfd);
		if (c->tfd >= 0)
			close(c->tfd);
		if (c->efd >= 0)
			close(c->efd);
		c->epfd = c->tfd = c->efd = -1;
	}
	pthread_mutex_unlock(&h->lock);
	return r;
}

/*
 * Next wake-up: while licd is away, retry every LC_RECONNECT_MS; else
 * just after the snapshot would go stale (licd refreshes it every
 * second, so this fires about once per client_grace and re-arms).
 */
static void
arm(licd_t *h, struct lc_conn *c)
{
	struct itimerspec its;
	int64_t ms = LC_RECONNECT_MS, left;

	if (c->tfd < 0)
		return;
	if (c->fd >= 0 && (left = view_fresh_for(h)) > 0)
		ms = left / 1000000 + 50;
	if (ms > 60000)
		ms = 60000;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = ms / 1000;
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000;
	timerfd_settime(c->tfd, 0, &its, NULL);
}

int
licd_fd(licd_t *h)
{
	licd_state_t st;
	licd_reason_t why;
	struct timespec dl;
	struct lc_conn *c;
	int r;

	if (h == NULL)
		return -LICD_E_ARGUMENT;
	if ((c = conn_get(h)) == NULL)
		return -LICD_E_NO_MEMORY;
	conn_deadline(h, &dl);
	if ((r = conn_lock(c, &dl)) < 0)
		return r;
	if (c->epfd < 0 && (r = make_set(h, c)) < 0)
		goto out;
	if (!c->want_sub) {
		c->want_sub = true;
		view_state(h, &st, &why, &c->digest);
		c->have_digest = true;
	}
	if (c->fd >= 0)
		watch(c->epfd, c->fd);	/* connected before the set existed */
	conn_ensure(h, c, &dl);		/* when licd is away: retried later */
	arm(h, c);
	r = c->epfd;
 out:
	pthread_mutex_unlock(&c->lock);
	return r;
}

int
licd_on_change(licd_t *h, licd_change_cb cb, void *userdata)
{
	if (h == NULL)
		return -LICD_E_ARGUMENT;
	pthread_mutex_lock(&h->lock);
	h->cb = cb;
	h->cb_data = userdata;
	pthread_mutex_unlock(&h->lock);
	return 0;
}

/* Events from ended leases, at most max; more stay for the next call. */
static size_t
take_revoked(struct lc_conn *c, struct licd_event *ev, size_t max)
{
	size_t i = 0, n = 0;

	while (i < c->nleases && n < max) {
		if (!c->leases[i].ended) {
			i++;
			continue;
		}
		memset(&ev[n], 0, sizeof(ev[n]));
		ev[n].type = LICD_EVENT_LEASE_REVOKED;
		ev[n].lease = c->leases[i].id;
		ev[n].reason = c->leases[i].why;
		ev[n].state = LICD_STATE_UNKNOWN;
		n++;
		c->leases[i] = c->leases[--c->nleases];
	}
	for (; i < c->nleases; i++)
		if (c->leases[i].ended) {
			conn_wake(c);	/* the rest next time */
			break;
		}
	return n;
}

/* A CHANGED event when what this product may do differs from what the
 * callback last saw. */
static size_t
take_changed(licd_t *h, struct lc_conn *c, struct licd_event *ev)
{
	licd_state_t st;
	licd_reason_t why;
	uint64_t d;

	view_state(h, &st, &why, &d);
	if (c->have_digest && d == c->digest)
		return 0;
	c->digest = d;
	c->have_digest = true;
	memset(ev, 0, sizeof(*ev));
	ev->type = LICD_EVENT_CHANGED;
	ev->state = st;
	ev->reason = why;
	return 1;
}

int
licd_dispatch(licd_t *h)
{
	struct licd_event ev[LC_EVENTS_MAX];
	struct timespec dl;
	struct lc_conn *c;
	licd_change_cb cb;
	void *data;
	uint64_t ticks = 0;
	size_t n = 0, i;

	if (h == NULL)
		return -LICD_E_ARGUMENT;
	if ((c = conn_get(h)) == NULL)
		return 0;
	conn_deadline(h, &dl);
	if (conn_lock(c, &dl) < 0)
		return 0;	/* another thread holds the socket: later */
	drain(c->efd);
	if (c->tfd >= 0 && read(c->tfd, &ticks, sizeof(ticks)) < 0)
		ticks = 0;
	conn_poll_input(h, c);
	if (c->want_sub && ticks > 0) {
		if (!c->subscribed)
			conn_ensure(h, c, &dl);	/* licd back? */
		c->changed = true;	/* back, or stale now: look again */
	}
	n = take_revoked(c, ev, LC_EVENTS_MAX - 1);
	if (c->want_sub && c->changed) {
		c->changed = false;
		n += take_changed(h, c, &ev[n]);
	}
	arm(h, c);
	pthread_mutex_unlock(&c->lock);

	pthread_mutex_lock(&h->lock);
	cb = h->cb;
	data = h->cb_data;
	pthread_mutex_unlock(&h->lock);
	for (i = 0; cb != NULL && i < n; i++)
		cb(h, &ev[i], data);
	return cb != NULL ? (int)n : 0;
}
