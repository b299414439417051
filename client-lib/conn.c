/* SPDX-License-Identifier: MIT */
/* The connection to licd.sock: connect and exchange frames within a
 * deadline, keep the notifications read meanwhile for licd_dispatch(),
 * and make sure a forked child never speaks on its parent's connection. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client.h"

/*
 * Fork safety needs to know every open handle: at fork() the child closes
 * its copies of their sockets at once (so a parent that dies frees its
 * leases even while a child lives on), and every handle's short lock is
 * held across fork() so that no child inherits it locked. This registry
 * is the library's only global state.
 */
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static licd_t *reg_head;
static uint64_t fork_gen;	/* (atomic) +1 in every child */
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void
at_prepare(void)
{
	licd_t *h;

	pthread_mutex_lock(&reg_lock);
	for (h = reg_head; h != NULL; h = h->reg_next)
		pthread_mutex_lock(&h->lock);
}

static void
at_parent(void)
{
	licd_t *h;

	for (h = reg_head; h != NULL; h = h->reg_next)
		pthread_mutex_unlock(&h->lock);
	pthread_mutex_unlock(&reg_lock);
}

/* Only async-signal-safe calls here: close() and plain stores. */
static void
at_child(void)
{
	struct lc_conn *c;
	licd_t *h;

	for (h = reg_head; h != NULL; h = h->reg_next) {
		for (c = h->conn; c != NULL; c = c->older)
			if (c->fd >= 0) {
				close(c->fd);
				c->fd = -1;
			}
		pthread_mutex_unlock(&h->lock);
	}
	__atomic_add_fetch(&fork_gen, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&reg_lock);
}

static void
atfork_register(void)
{
	pthread_atfork(at_prepare, at_parent, at_child);
}

void
conn_atfork_init(void)
{
	pthread_once(&atfork_once, atfork_register);
}

void
conn_register(licd_t *h)
{
	pthread_mutex_lock(&reg_lock);
	h->reg_next = reg_head;
	h->reg_pprev = &reg_head;
	if (reg_head != NULL)
		reg_head->reg_pprev = &h->reg_next;
	reg_head = h;
	pthread_mutex_unlock(&reg_lock);
}

void
conn_unregister(licd_t *h)
{
	pthread_mutex_lock(&reg_lock);
	if (h->reg_pprev != NULL) {
		*h->reg_pprev = h->reg_next;
		if (h->reg_next != NULL)
			h->reg_next->reg_pprev = h->reg_pprev;
	}
	h->reg_pprev = NULL;
	pthread_mutex_unlock(&reg_lock);
}

static struct lc_conn *
conn_new(uint64_t gen)
{
	struct lc_conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return NULL;
	}
	c->fork_gen = gen;
	c->fd = c->epfd = c->tfd = c->efd = -1;
	return c;
}

struct lc_conn *
conn_get(licd_t *h)
{
	uint64_t g = __atomic_load_n(&fork_gen, __ATOMIC_ACQUIRE);
	struct lc_conn *c = __atomic_load_n(&h->conn, __ATOMIC_ACQUIRE), *n;

	if (c != NULL && c->fork_gen == g)
		return c;
	/* First use, or first use in a forked child: a fresh state. The
	 * parent's is kept (its lock may have been held at fork()). */
	pthread_mutex_lock(&h->lock);
	c = h->conn;
	if (c == NULL || c->fork_gen != g) {
		if ((n = conn_new(g)) != NULL) {
			n->older = c;
			__atomic_store_n(&h->conn, n, __ATOMIC_RELEASE);
		}
		c = n;
	}
	pthread_mutex_unlock(&h->lock);
	return c;
}

static void
close_if(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void
conn_free_all(licd_t *h)
{
	struct lc_conn *c = h->conn, *next;

	for (; c != NULL; c = next) {
		next = c->older;
		close_if(&c->fd);
		close_if(&c->epfd);
		close_if(&c->tfd);
		close_if(&c->efd);
		free(c->leases);
		pthread_mutex_destroy(&c->lock);
		free(c);
	}
	h->conn = NULL;
}

/* ---- time ---- */

void
conn_deadline(const licd_t *h, struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += h->timeout_ms / 1000;
	ts->tv_nsec += (long)(h->timeout_ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

/* Milliseconds until dl, rounded up; 0 when past. */
static int
ms_left(const struct timespec *dl)
{
	struct timespec now;
	int64_t ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (int64_t)(dl->tv_sec - now.tv_sec) * 1000000000 +
	    (dl->tv_nsec - now.tv_nsec);
	return ns <= 0 ? 0 : (int)((ns + 999999) / 1000000);
}

int
conn_lock(struct lc_conn *c, const struct timespec *deadline)
{
	return pthread_mutex_clocklock(&c->lock, CLOCK_MONOTONIC, deadline) ==
	    0 ? 0 : -LICD_E_TIMEOUT;
}

/* Wait until fd is ready for ev, or the deadline. */
static int
wait_fd(int fd, short ev, const struct timespec *dl)
{
	struct pollfd p = { fd, ev, 0 };
	int r;

	for (;;) {
		r = poll(&p, 1, ms_left(dl));
		if (r > 0)
			return 0;	/* ready, or HUP/ERR: the I/O says */
		if (r == 0)
			return -LICD_E_TIMEOUT;
		if (errno != EINTR)
			return -LICD_E_SYSTEM;
	}
}

/* ---- connecting ---- */

void
conn_wake(struct lc_conn *c)
{
	uint64_t one = 1;

	if (c->efd >= 0 && write(c->efd, &one, sizeof(one)) < 0) {
		/* the counter is already non-zero: readable anyway */
	}
}

static void
close_socket(licd_t *h, struct lc_conn *c)
{
	pthread_mutex_lock(&h->lock);
	if (c->fd >= 0 && c->epfd >= 0)
		epoll_ctl(c->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close_if(&c->fd);
	pthread_mutex_unlock(&h->lock);
	c->rx_len = 0;
	c->subscribed = false;
}

void
conn_lost(licd_t *h, struct lc_conn *c)
{
	size_t i;

	close_socket(h, c);
	for (i = 0; i < c->nleases; i++)
		if (!c->leases[i].ended) {
			c->leases[i].ended = true;
			c->leases[i].why = LICD_REASON_DAEMON_UNAVAILABLE;
		}
	c->changed = true;
	conn_wake(c);
}

/* connect() on a non-blocking socket: a full listen backlog (EAGAIN)
 * is licd being busy, so wait a little and try again until the deadline. */
static int
try_connect(int fd, const struct sockaddr_un *sa, const struct timespec *dl)
{
	socklen_t len = sizeof(int);
	int err = 0, left;

	for (;;) {
		if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EINPROGRESS) {
			if (wait_fd(fd, POLLOUT, dl) < 0)
				return -LICD_E_TIMEOUT;
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
			    err != 0)
				return -LICD_E_UNAVAILABLE;
			return 0;
		}
		if (errno != EAGAIN)
			return -LICD_E_UNAVAILABLE;	/* no socket, refused */
		if ((left = ms_left(dl)) == 0)
			return -LICD_E_TIMEOUT;
		poll(NULL, 0, left < 10 ? left : 10);
	}
}

static int
do_connect(licd_t *h, struct lc_conn *c, const struct timespec *dl)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN };
	int fd, r;

	memcpy(sa.sun_path, h->sock_path, sizeof(sa.sun_path));
	/* Recorded under h->lock before it is connected, so that a fork()
	 * at any moment closes it in the child. */
	pthread_mutex_lock(&h->lock);
	fd = c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	pthread_mutex_unlock(&h->lock);
	if (fd < 0)
		return -LICD_E_SYSTEM;
	if ((r = try_connect(fd, &sa, dl)) < 0) {
		close_socket(h, c);
		return r;
	}
	c->rx_len = 0;
	c->subscribed = false;
	if (c->epfd >= 0) {
		ev.data.fd = fd;
		epoll_ctl(c->epfd, EPOLL_CTL_ADD, fd, &ev);
	}
	return 0;
}

int
conn_ensure(licd_t *h, struct lc_conn *c, const struct timespec *dl)
{
	struct proto_msg req = { .type = PROTO_SUBSCRIBE }, rep;
	uint8_t buf[LC_RX_MAX];
	int r;

	if (c->fd < 0 && (r = do_connect(h, c, dl)) < 0)
		return r;
	if (!c->want_sub || c->subscribed)
		return 0;
	if ((r = conn_call(h, c, &req, &rep, buf, dl)) < 0)
		return r;
	if (rep.type != PROTO_R_OK) {
		conn_lost(h, c);
		return rep.type == PROTO_R_ERROR ? -LICD_E_NOT_SUPPORTED :
		    -LICD_E_PROTOCOL;
	}
	c->subscribed = true;
	return 0;
}

/* ---- frames ---- */

static void
notification(struct lc_conn *c, const struct proto_msg *m)
{
	if (m->type == PROTO_N_LEASE_REVOKED)
		lease_end(c, m->u.revoked.lease, reason_parse(
		    (const char *)m->u.revoked.reason.p,
		    m->u.revoked.reason.len));
	c->changed = true;
	conn_wake(c);
}

/*
 * Handle the complete frames in c->rx: notifications are recorded, the
 * reply to request want (0: none expected) is copied to buf (*got).
 * Any other frame, or one that fails the protocol table, is
 * -LICD_E_PROTOCOL.
 */
static int
frames(struct lc_conn *c, uint32_t want, uint8_t *buf, size_t *blen,
    bool *got)
{
	struct proto_msg m;
	uint32_t total;

	while (!*got && c->rx_len >= PROTO_HDR_LEN) {
		if (proto_header(c->rx, c->rx_len, PROTO_DIR_CLIENT, &total,
		    NULL) < 0 || total > LC_RX_MAX)
			return -LICD_E_PROTOCOL;
		if (c->rx_len < total)
			break;
		if (proto_decode(c->rx, total, PROTO_DIR_CLIENT, &m, NULL) < 0)
			return -LICD_E_PROTOCOL;
		if (m.type == PROTO_N_CHANGED ||
		    m.type == PROTO_N_LEASE_REVOKED) {
			notification(c, &m);
		} else if (want != 0 && m.id == want) {
			memcpy(buf, c->rx, total);
			*blen = total;
			*got = true;
		} else {
			return -LICD_E_PROTOCOL;	/* unasked for */
		}
		memmove(c->rx, c->rx + total, c->rx_len - total);
		c->rx_len -= total;
	}
	return 0;
}

/* Read what is there: 1 (bytes came), 0 (nothing yet), or
 * -LICD_E_UNAVAILABLE (licd closed the connection). */
static int
recv_some(struct lc_conn *c)
{
	ssize_t n;

	for (;;) {
		n = recv(c->fd, c->rx + c->rx_len, sizeof(c->rx) - c->rx_len,
		    MSG_DONTWAIT);
		if (n > 0) {
			c->rx_len += (size_t)n;
			return 1;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return -LICD_E_UNAVAILABLE;
	}
}

static int
send_all(struct lc_conn *c, const uint8_t *p, size_t len,
    const struct timespec *dl)
{
	ssize_t n;
	int r;

	while (len > 0) {
		n = send(c->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if ((r = wait_fd(c->fd, POLLOUT, dl)) < 0)
				return r;
		} else {
			return -LICD_E_UNAVAILABLE;	/* EPIPE: licd left */
		}
	}
	return 0;
}

int
conn_call(licd_t *h, struct lc_conn *c, struct proto_msg *req,
    struct proto_msg *rep, uint8_t *buf, const struct timespec *dl)
{
	uint8_t out[PROTO_NAME_MAX * 3 + PROTO_CASE_MAX + 64];
	size_t len, blen = 0;
	bool got = false;
	int r;

	if (c->fd < 0)
		return -LICD_E_UNAVAILABLE;
	if (++c->next_id == 0)
		c->next_id = 1;
	req->id = c->next_id;
	if (proto_encode(req, out, sizeof(out), &len) < 0)
		return -LICD_E_ARGUMENT;
	if ((r = send_all(c, out, len, dl)) < 0)
		goto fail;
	for (;;) {
		if ((r = frames(c, req->id, buf, &blen, &got)) < 0)
			goto fail;
		if (got)
			break;
		if ((r = recv_some(c)) < 0)
			goto fail;
		if (r == 0 && (r = wait_fd(c->fd, POLLIN, dl)) < 0)
			goto fail;
	}
	if (proto_decode(buf, blen, PROTO_DIR_REPLY, rep, NULL) < 0) {
		r = -LICD_E_PROTOCOL;
		goto fail;
	}
	return 0;
 fail:
	/* A late reply could grant a lease nobody knows of: a timed-out or
	 * garbled exchange ends the connection, and licd frees its leases. */
	conn_lost(h, c);
	return r;
}

void
conn_poll_input(licd_t *h, struct lc_conn *c)
{
	bool got = false;
	size_t blen;
	int r;

	while (c->fd >= 0) {
		r = frames(c, 0, NULL, &blen, &got);
		if (r == 0)
			r = recv_some(c);
		if (r < 0)
			conn_lost(h, c);
		if (r <= 0)
			return;
	}
}
