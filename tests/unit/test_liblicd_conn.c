/* SPDX-License-Identifier: MIT */
/* liblicd's socket side against a fake licd that speaks the real protocol
 * table (common/proto.c): acquire and release, refusals, a daemon that
 * hangs or talks nonsense, notifications through licd_fd() and
 * licd_dispatch(), a lost and returning daemon, fork() (the child never
 * uses its parent's connection), a parent's death freeing its leases while
 * its child lives, and no SIGPIPE. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "proto.h"
#include "snapshot.h"
#include "../../client-lib/include/licd.h"	/* not daemon/licd.h */

#define DEVICE "k4.pid.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define SEC 1000000000LL
#define MAXC 32
#define MAXL 256

/* ---- the fake licd ---- */

struct fconn {
	int fd;
	pid_t pid;
	bool subscribed;
	uint8_t buf[1024];
	size_t len;
};

static struct fake {
	pthread_mutex_t mu;
	pthread_t th;
	int lfd, wake[2];
	bool stop;
	/* behaviour */
	bool silent, garbage, not_impl;
	int limit;			/* 0: none */
	char deny[32];			/* refuse ACQUIRE with this reason */
	/* state */
	struct fconn c[MAXC];
	int nc;
	struct { uint64_t id; int fd; pid_t pid; } lease[MAXL];
	int nlease;
	uint64_t next_lease;
	/* what it saw */
	int accepts, closes, subscribes, acquires, releases;
	pid_t last_pid;
	char last_case[300];
	/* commands */
	bool cmd_changed, cmd_drop;
	uint64_t cmd_revoke;
	char cmd_reason[32];
	uint64_t revoke_before_reply;	/* sent before the next reply */
} F;

static char dir[64], sock[128], snap[128];
static struct snap_writer w;

static void
msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int64_t
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * SEC + ts.tv_nsec;
}

static void
fsend(int fd, struct proto_msg *m)
{
	uint8_t out[1024];
	size_t len;

	if (proto_encode(m, out, sizeof(out), &len) == 0)
		(void)!send(fd, out, len, MSG_NOSIGNAL);
}

static void
notify_revoked(int fd, uint64_t id, const char *reason)
{
	struct proto_msg m = { .type = PROTO_N_LEASE_REVOKED };

	m.u.revoked.lease = id;
	m.u.revoked.reason = proto_str(reason);
	fsend(fd, &m);
}

static void
drop_lease(int i)
{
	F.lease[i] = F.lease[--F.nlease];
}

static void
fclose_conn(int k)
{
	int i;

	for (i = 0; i < F.nlease; )
		if (F.lease[i].fd == F.c[k].fd)
			drop_lease(i);
		else
			i++;
	close(F.c[k].fd);
	F.c[k] = F.c[--F.nc];
	F.closes++;
}

static void
handle(struct fconn *c, const struct proto_msg *q)
{
	struct proto_msg r = { .id = q->id };
	int i;

	if (F.revoke_before_reply != 0) {
		notify_revoked(c->fd, F.revoke_before_reply, "revoked");
		F.revoke_before_reply = 0;
	}
	switch (q->type) {
	case PROTO_SUBSCRIBE:
		c->subscribed = true;
		F.subscribes++;
		r.type = PROTO_R_OK;
		break;
	case PROTO_ACQUIRE:
		F.acquires++;
		F.last_pid = c->pid;
		proto_cstr(q->u.acquire.case_ref, F.last_case,
		    sizeof(F.last_case));
		if (F.not_impl) {
			r.type = PROTO_R_ERROR;
			r.u.error.reason = proto_str("not-implemented");
			r.u.error.message = proto_str("not yet");
		} else if (F.deny[0] != '\0' || (F.limit > 0 &&
		    F.nlease >= F.limit)) {
			r.type = PROTO_R_DECISION;
			r.u.decision.reason = proto_str(F.deny[0] ? F.deny :
			    "limit-reached");
		} else if (F.nlease < MAXL) {
			r.type = PROTO_R_LEASE;
			r.u.lease.lease = ++F.next_lease;
			F.lease[F.nlease].id = F.next_lease;
			F.lease[F.nlease].fd = c->fd;
			F.lease[F.nlease++].pid = c->pid;
		}
		break;
	case PROTO_RELEASE:
		F.releases++;
		F.last_pid = c->pid;
		r.type = PROTO_R_ERROR;
		r.u.error.reason = proto_str("not-found");
		for (i = 0; i < F.nlease; i++)
			if (F.lease[i].id == q->u.release.lease &&
			    F.lease[i].fd == c->fd) {
				drop_lease(i);
				r.type = PROTO_R_OK;
				break;
			}
		break;
	default:
		r.type = PROTO_R_ERROR;
		r.u.error.reason = proto_str("not-implemented");
	}
	if (F.garbage) {
		(void)!send(c->fd, "\0\0\0\x0c\x09\xff\0\0\0\0\0\0", 12,
		    MSG_NOSIGNAL);
		return;
	}
	fsend(c->fd, &r);
}

/* Read from connection k; 0, or -1 when it closed. */
static int
fread_conn(int k)
{
	struct fconn *c = &F.c[k];
	struct proto_msg q;
	uint32_t total;
	ssize_t n;

	n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
	if (n <= 0)
		return -1;
	c->len += (size_t)n;
	while (c->len >= PROTO_HDR_LEN) {
		if (proto_header(c->buf, c->len, PROTO_DIR_REQUEST, &total,
		    NULL) < 0)
			return -1;
		if (c->len < total)
			break;
		if (proto_decode(c->buf, total, PROTO_DIR_REQUEST, &q,
		    NULL) < 0)
			return -1;
		if (!F.silent)
			handle(c, &q);
		memmove(c->buf, c->buf + total, c->len - total);
		c->len -= total;
	}
	return 0;
}

static void
commands(void)
{
	struct proto_msg m = { .type = PROTO_N_CHANGED };
	int i;

	if (F.cmd_changed)
		for (i = 0; i < F.nc; i++)
			if (F.c[i].subscribed)
				fsend(F.c[i].fd, &m);
	F.cmd_changed = false;
	for (i = 0; F.cmd_revoke != 0 && i < F.nlease; i++)
		if (F.lease[i].id == F.cmd_revoke) {
			notify_revoked(F.lease[i].fd, F.cmd_revoke,
			    F.cmd_reason);
			drop_lease(i);
			break;
		}
	F.cmd_revoke = 0;
	while (F.cmd_drop && F.nc > 0)
		fclose_conn(0);
	F.cmd_drop = false;
}

static void
faccept(void)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);
	int fd = accept(F.lfd, NULL, NULL);

	if (fd < 0)
		return;
	if (F.nc >= MAXC) {
		close(fd);
		return;
	}
	memset(&F.c[F.nc], 0, sizeof(F.c[F.nc]));
	F.c[F.nc].fd = fd;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == 0)
		F.c[F.nc].pid = uc.pid;
	F.nc++;
	F.accepts++;
}

static void *
fake_run(void *arg)
{
	struct pollfd p[MAXC + 2];
	int i, n;
	char b[64];

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&F.mu);
		if (F.stop) {
			pthread_mutex_unlock(&F.mu);
			return NULL;
		}
		commands();
		p[0].fd = F.lfd;
		p[1].fd = F.wake[0];
		for (i = 0; i < F.nc; i++)
			p[i + 2].fd = F.c[i].fd;
		n = F.nc + 2;
		for (i = 0; i < n; i++)
			p[i].events = POLLIN;
		pthread_mutex_unlock(&F.mu);
		if (poll(p, (nfds_t)n, 100) <= 0)
			continue;
		pthread_mutex_lock(&F.mu);
		if (p[1].revents & POLLIN)
			(void)!read(F.wake[0], b, sizeof(b));
		/* Back to front: closing swaps the last one in. */
		for (i = n - 1; i >= 2; i--)
			if (i - 2 < F.nc && F.c[i - 2].fd == p[i].fd &&
			    (p[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    fread_conn(i - 2) < 0)
				fclose_conn(i - 2);
		if (p[0].revents & POLLIN)
			faccept();
		pthread_mutex_unlock(&F.mu);
	}
}

/* Change F under its lock and wake the loop. */
#define FAKE(stmt) do { \
		pthread_mutex_lock(&F.mu); \
		stmt; \
		pthread_mutex_unlock(&F.mu); \
		(void)!write(F.wake[1], "w", 1); \
	} while (0)

static int
fget(const int *field)
{
	int v;

	pthread_mutex_lock(&F.mu);
	v = *field;
	pthread_mutex_unlock(&F.mu);
	return v;
}

/* Wait (at most 5 s) until *field reaches at least want. */
static int
fwait(const int *field, int want)
{
	int64_t end = mono() + 5 * SEC;

	while (fget(field) < want)
		if (mono() > end)
			return 0;
		else
			msleep(5);
	return 1;
}

static int
setup(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct snap_entry e[3];
	char purposes[2][SNAP_NAME_LEN] = { "terrorism", "serious-crime" };

	(void)state;
	signal(SIGPIPE, SIG_DFL);	/* a SIGPIPE would kill the test */
	snprintf(dir, sizeof(dir), "/tmp/test_liblicd_conn.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(sock, sizeof(sock), "%s/licd.sock", dir);
	snprintf(snap, sizeof(snap), "%s/snapshot", dir);
	memset(&F, 0, sizeof(F));
	pthread_mutex_init(&F.mu, NULL);
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	if (pipe(F.wake) != 0 ||
	    (F.lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(F.lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(F.lfd, 64) != 0 ||
	    pthread_create(&F.th, NULL, fake_run, NULL) != 0)
		return -1;
	memset(e, 0, sizeof(e));
	snprintf(e[0].product, SNAP_NAME_LEN, "interceptor");
	snprintf(e[1].product, SNAP_NAME_LEN, "interceptor");
	snprintf(e[1].feature, SNAP_NAME_LEN, "sms.intercept");
	e[0].allowed = e[1].allowed = 1;
	e[0].state = e[1].state = 5;
	e[1].purposes = 3;
	if (snap_create(&w, snap, 8, 30 * SEC, DEVICE, NULL) < 0 ||
	    snap_publish(&w, e, 2, (const char (*)[SNAP_NAME_LEN])purposes, 2,
	    NULL) < 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	FAKE(F.stop = true);
	pthread_join(F.th, NULL);
	while (F.nc > 0)
		fclose_conn(0);
	close(F.lfd);
	close(F.wake[0]);
	close(F.wake[1]);
	pthread_mutex_destroy(&F.mu);
	snap_close(&w);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static licd_t *
open_h(int timeout_ms)
{
	struct licd_options o = LICD_OPTIONS_INIT;
	licd_t *h = NULL;

	o.runtime_dir = dir;
	o.timeout_ms = timeout_ms;
	assert_int_equal(licd_open("interceptor", &o, &h), 0);
	return h;
}

/* Publish sms.intercept allowed or denied with a reason. */
static void
republish(int allowed, const char *reason, int state)
{
	struct snap_entry e[2];
	char purposes[1][SNAP_NAME_LEN] = { "terrorism" };

	memset(e, 0, sizeof(e));
	snprintf(e[0].product, SNAP_NAME_LEN, "interceptor");
	snprintf(e[1].product, SNAP_NAME_LEN, "interceptor");
	snprintf(e[1].feature, SNAP_NAME_LEN, "sms.intercept");
	snprintf(e[0].reason, SNAP_REASON_LEN, "%s", reason);
	snprintf(e[1].reason, SNAP_REASON_LEN, "%s", reason);
	e[0].allowed = e[1].allowed = (uint8_t)allowed;
	e[0].state = e[1].state = (uint8_t)state;
	e[1].purposes = 1;
	assert_int_equal(snap_publish(&w, e, 2, purposes, 1, NULL), 0);
}

/* ---- acquire and release ---- */

static void
test_acquire_release(void **state)
{
	licd_lease_t a = 0, b = 0;
	licd_reason_t r = LICD_REASON_OTHER;
	licd_t *h = open_h(1000);

	(void)state;
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism",
	    "CASE-2026-001", &a, &r), 0);
	assert_true(a != 0);
	assert_int_equal(r, LICD_REASON_NONE);
	assert_string_equal(F.last_case, "CASE-2026-001");
	assert_int_equal(F.last_pid, getpid());
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", NULL,
	    &b, NULL), 0);
	assert_true(b != a);
	assert_string_equal(F.last_case, "");
	assert_int_equal(fget(&F.nlease), 2);
	assert_int_equal(licd_release(h, a), 0);
	assert_int_equal(fget(&F.nlease), 1);
	assert_int_equal(licd_release(h, a), -LICD_E_NO_LEASE);
	assert_int_equal(licd_release(h, 999), -LICD_E_NO_LEASE);
	/* One connection for all of it. */
	assert_int_equal(fget(&F.accepts), 1);
	/* Closing ends the rest with the connection. */
	licd_close(h);
	assert_true(fwait(&F.closes, 1));
	assert_int_equal(fget(&F.nlease), 0);
}

static void
test_refusals(void **state)
{
	licd_lease_t a, b, c;
	licd_reason_t r;
	licd_t *h = open_h(1000);

	(void)state;
	FAKE(F.limit = 2);
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", NULL,
	    &a, &r), 0);
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", NULL,
	    &b, &r), 0);
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", NULL,
	    &c, &r), -LICD_E_DENIED);
	assert_int_equal(r, LICD_REASON_LIMIT_REACHED);
	assert_int_equal(c, 0);
	assert_int_equal(licd_release(h, a), 0);
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", NULL,
	    &c, &r), 0);
	FAKE(snprintf(F.deny, sizeof(F.deny), "disabled-by-order"));
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", NULL,
	    &a, &r), -LICD_E_DENIED);
	assert_int_equal(r, LICD_REASON_DISABLED_BY_ORDER);
	FAKE(snprintf(F.deny, sizeof(F.deny), "something-new"));
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", NULL,
	    &a, &r), -LICD_E_DENIED);
	assert_int_equal(r, LICD_REASON_OTHER);
	FAKE(F.deny[0] = '\0'; F.not_impl = true);
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", NULL,
	    &a, &r), -LICD_E_NOT_SUPPORTED);
	assert_int_equal(r, LICD_REASON_DAEMON_UNAVAILABLE);
	licd_close(h);
}

/* A licd that never answers: the timeout, and the connection is closed
 * (a late grant must not outlive it); the next call reconnects. */
static void
test_timeout_closes(void **state)
{
	licd_lease_t a;
	licd_reason_t r;
	int64_t t0;
	licd_t *h = open_h(300);

	(void)state;
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", NULL,
	    &a, &r), 0);
	FAKE(F.silent = true);
	t0 = mono();
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", NULL,
	    &a, &r), -LICD_E_TIMEOUT);
	assert_int_equal(r, LICD_REASON_DAEMON_UNAVAILABLE);
	assert_true(mono() - t0 >= 290 * 1000000LL);
	assert_true(mono() - t0 < 3 * SEC);
	assert_true(fwait(&F.closes, 1));
	assert_int_equal(fget(&F.nlease), 0);
	FAKE(F.silent = false);
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", NULL,
	    &a, &r), 0);
	assert_int_equal(fget(&F.accepts), 2);
	licd_close(h);
}

static void
test_garbage_answer(void **state)
{
	licd_lease_t a;
	licd_reason_t r;
	licd_t *h = open_h(1000);

	(void)state;
	FAKE(F.garbage = true);
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", NULL,
	    &a, &r), -LICD_E_PROTOCOL);
	assert_int_equal(r, LICD_REASON_DAEMON_UNAVAILABLE);
	assert_true(fwait(&F.closes, 1));
	licd_close(h);
}

/* licd went away between two calls: the send meets a closed socket
 * (EPIPE, never SIGPIPE) and the call goes through a new connection. */
static void
test_no_sigpipe_and_retry(void **state)
{
	licd_lease_t a, b;
	licd_t *h = open_h(1000);

	(void)state;
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", NULL,
	    &a, NULL), 0);
	FAKE(F.cmd_drop = true);
	assert_true(fwait(&F.closes, 1));
	msleep(20);
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", NULL,
	    &b, NULL), 0);
	assert_int_equal(fget(&F.accepts), 2);
	/* a died with the old connection. */
	assert_int_equal(licd_release(h, a), 0);
	assert_int_equal(licd_release(h, b), 0);
	licd_close(h);
}

/* ---- notifications ---- */

static struct licd_event evs[16];
static int nev;

static void
on_change(licd_t *h, const struct licd_event *ev, void *data)
{
	(void)h;
	assert_ptr_equal(data, &nev);
	if (nev < 16)
		evs[nev++] = *ev;
}

/* Poll fd and dispatch until n events arrived (at most 5 s). */
static int
pump(licd_t *h, int fd, int n)
{
	struct pollfd p = { fd, POLLIN, 0 };
	int64_t end = mono() + 5 * SEC;

	while (nev < n && mono() < end)
		if (poll(&p, 1, 100) > 0)
			assert_true(licd_dispatch(h) >= 0);
	return nev >= n;
}

static void
test_notifications(void **state)
{
	struct pollfd p;
	licd_lease_t a, b;
	licd_t *h = open_h(1000);
	int fd;

	(void)state;
	nev = 0;
	assert_int_equal(licd_on_change(h, on_change, &nev), 0);
	fd = licd_fd(h);
	assert_true(fd >= 0);
	assert_int_equal(licd_fd(h), fd);
	assert_true(fwait(&F.subscribes, 1));
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", "C1",
	    &a, NULL), 0);
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", "C2",
	    &b, NULL), 0);
	/* licd revokes one lease. */
	FAKE(F.cmd_revoke = a;
	    snprintf(F.cmd_reason, sizeof(F.cmd_reason), "disabled-by-order"));
	assert_true(pump(h, fd, 1));
	assert_int_equal(evs[0].type, LICD_EVENT_LEASE_REVOKED);
	assert_true(evs[0].lease == a);
	assert_int_equal(evs[0].reason, LICD_REASON_DISABLED_BY_ORDER);
	assert_int_equal(licd_release(h, a), -LICD_E_NO_LEASE);
	/* The licence changes: one CHANGED with the new state. */
	republish(0, "suspended", 3);
	FAKE(F.cmd_changed = true);
	assert_true(pump(h, fd, 2));
	assert_int_equal(evs[1].type, LICD_EVENT_CHANGED);
	assert_int_equal(evs[1].state, LICD_STATE_SUSPENDED);
	assert_int_equal(evs[1].reason, LICD_REASON_SUSPENDED);
	assert_int_equal(licd_check(h, "sms.intercept", "terrorism", NULL),
	    0);
	/* A notification for nothing this product cares about: quiet. */
	FAKE(F.cmd_changed = true);
	p.fd = fd;
	p.events = POLLIN;
	assert_int_equal(poll(&p, 1, 2000), 1);
	assert_int_equal(licd_dispatch(h), 0);
	assert_int_equal(nev, 2);
	/* No callback: events are dropped, dispatch still works. */
	assert_int_equal(licd_on_change(h, NULL, NULL), 0);
	assert_int_equal(licd_dispatch(h), 0);
	assert_int_equal(licd_release(h, b), 0);
	licd_close(h);
	assert_int_equal(licd_fd(NULL), -LICD_E_ARGUMENT);
	assert_int_equal(licd_dispatch(NULL), -LICD_E_ARGUMENT);
	assert_int_equal(licd_on_change(NULL, NULL, NULL), -LICD_E_ARGUMENT);
}

/* A notification read while another call waited for its reply is kept,
 * and the descriptor becomes readable for it. */
static void
test_notification_during_call(void **state)
{
	struct pollfd p;
	licd_lease_t a, b;
	licd_t *h = open_h(1000);
	int fd;

	(void)state;
	nev = 0;
	licd_on_change(h, on_change, &nev);
	fd = licd_fd(h);
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", NULL,
	    &a, NULL), 0);
	FAKE(F.revoke_before_reply = a);
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", NULL,
	    &b, NULL), 0);
	p.fd = fd;
	p.events = POLLIN;
	assert_int_equal(poll(&p, 1, 1000), 1);
	assert_true(pump(h, fd, 1));
	assert_int_equal(evs[0].type, LICD_EVENT_LEASE_REVOKED);
	assert_true(evs[0].lease == a);
	assert_int_equal(evs[0].reason, LICD_REASON_REVOKED);
	licd_close(h);
}

/* licd dies: every lease is reported lost; it comes back: the library
 * reconnects and subscribes again by itself. */
static void
test_daemon_lost_and_back(void **state)
{
	struct pollfd p;
	licd_lease_t a, b;
	licd_t *h = open_h(1000);
	int fd, i, lost = 0;
	int64_t end;

	(void)state;
	nev = 0;
	licd_on_change(h, on_change, &nev);
	fd = licd_fd(h);
	assert_true(fwait(&F.subscribes, 1));
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", NULL,
	    &a, NULL), 0);
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", NULL,
	    &b, NULL), 0);
	FAKE(F.cmd_drop = true);
	assert_true(pump(h, fd, 2));
	for (i = 0; i < nev; i++)
		if (evs[i].type == LICD_EVENT_LEASE_REVOKED &&
		    evs[i].reason == LICD_REASON_DAEMON_UNAVAILABLE &&
		    (evs[i].lease == a || evs[i].lease == b))
			lost++;
	assert_int_equal(lost, 2);
	assert_int_equal(licd_release(h, a), -LICD_E_NO_LEASE);
	/* Reconnected within the retry interval, while polling. */
	end = mono() + 5 * SEC;
	p.fd = fd;
	p.events = POLLIN;
	while (fget(&F.subscribes) < 2 && mono() < end)
		if (poll(&p, 1, 100) > 0)
			licd_dispatch(h);
	assert_int_equal(fget(&F.subscribes), 2);
	licd_close(h);
}

/* ---- fork ---- */

static void
test_fork_own_connection(void **state)
{
	licd_lease_t a, b;
	int status, fd;
	licd_t *h = open_h(1000);
	pid_t pid;

	(void)state;
	fd = licd_fd(h);
	assert_true(fd >= 0);
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", NULL,
	    &a, NULL), 0);
	assert_int_equal(fget(&F.accepts), 1);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int ok = 1;

		/* Not the child's lease; a fresh connection for its own. */
		ok &= licd_release(h, a) == -LICD_E_NO_LEASE;
		ok &= licd_acquire(h, "sms.intercept", "terrorism", "child",
		    &b, NULL) == 0;
		ok &= licd_check(h, "sms.intercept", "terrorism", NULL) == 1;
		ok &= licd_fd(h) >= 0;
		ok &= licd_release(h, b) == 0;
		licd_close(h);
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* The child spoke from its own connection, as itself. */
	assert_int_equal(fget(&F.accepts), 2);
	assert_int_equal(F.last_pid, pid);
	/* The parent's connection and lease are intact. */
	assert_int_equal(licd_release(h, a), 0);
	assert_int_equal(F.last_pid, getpid());
	assert_int_equal(fget(&F.nlease), 0);
	licd_close(h);
}

/*
 * A product process P holds a lease and has a forked child G that lives
 * on. When P dies, its connection closes at once and licd frees the
 * lease: G's copy of the socket was closed at fork().
 */
static void
test_parent_death_frees_leases(void **state)
{
	int ready[2], status;
	pid_t p, g = 0;

	(void)state;
	assert_int_equal(pipe(ready), 0);
	p = fork();
	assert_true(p >= 0);
	if (p == 0) {
		licd_lease_t a;
		licd_t *h = open_h(1000);
		pid_t kid;

		if (licd_acquire(h, "sms.intercept", "terrorism", NULL, &a,
		    NULL) != 0)
			_exit(1);
		kid = fork();
		if (kid == 0) {
			sleep(5);	/* holds the inherited handle */
			_exit(0);
		}
		(void)!write(ready[1], &kid, sizeof(kid));
		_exit(0);	/* dies holding the lease */
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &g, sizeof(g)), (int)sizeof(g));
	close(ready[0]);
	assert_int_equal(waitpid(p, &status, 0), p);
	assert_true(fwait(&F.closes, 1));
	assert_int_equal(fget(&F.nlease), 0);
	assert_int_equal(kill(g, 0), 0);	/* G still alive */
	kill(g, SIGKILL);
}

/* ---- threads ---- */

struct worker {
	licd_t *h;
	int fails;
};

static void *
work(void *arg)
{
	struct worker *k = arg;
	licd_lease_t l;
	int i;

	for (i = 0; i < 50; i++)
		if (licd_acquire(k->h, "sms.intercept", "terrorism", "T", &l,
		    NULL) != 0 || licd_release(k->h, l) != 0)
			k->fails++;
	return NULL;
}

static void
test_threads_share_a_handle(void **state)
{
	struct worker k[6];
	pthread_t th[6];
	licd_t *h = open_h(5000);
	int i;

	(void)state;
	for (i = 0; i < 6; i++) {
		k[i].h = h;
		k[i].fails = 0;
		assert_int_equal(pthread_create(&th[i], NULL, work, &k[i]), 0);
	}
	for (i = 0; i < 6; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(k[i].fails, 0);
	}
	assert_int_equal(fget(&F.acquires), 300);
	assert_int_equal(fget(&F.nlease), 0);
	assert_int_equal(fget(&F.accepts), 1);
	licd_close(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_acquire_release, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_timeout_closes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_garbage_answer, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_sigpipe_and_retry,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_notifications, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_notification_during_call,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_daemon_lost_and_back,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_own_connection,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_parent_death_frees_leases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads_share_a_handle,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
