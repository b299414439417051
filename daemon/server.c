/* SPDX-License-Identifier: MIT */
/* The socket server: every byte a peer sends passes proto_header() before
 * the body is read and proto_decode() before a handler sees it; a peer that
 * is slow, greedy or hostile loses its connection, never the daemon. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "server.h"

#define IN_START	4096	/* receive buffer; grows to one request */
#define READS_PER_WAKE	16	/* fairness between peers */

struct srv_conn {
	struct srv *srv;
	struct srv_conn *next, **pprev;
	int fd;
	sd_event_source *io, *timer;
	uint64_t id;
	pid_t pid;
	struct proto_peer peer;
	gid_t groups[SRV_MAX_GROUPS];
	uint8_t *in;
	size_t in_len, in_cap;
	uint8_t *out;
	size_t out_off, out_len, out_cap;
	bool subscribed;
	bool admin;		/* counted in srv.nadmin */
	bool busy;		/* inside its own callback: free later */
	bool drop;		/* free as soon as possible */
	bool hangup;		/* stop reading, close once flushed */
};

struct srv {
	sd_event *ev;
	int fd;
	bool own_path;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	sd_event_source *listen;
	sd_event_source *pause;		/* re-enables listen after EMFILE */
	struct proto_admin admin;
	const struct srv_handler *handlers;
	size_t nhandlers;
	srv_close_fn on_close;
	void *ctx;
	struct srv_conn *conns;
	size_t nconns;
	size_t nadmin;		/* connections of admin peers */
	uint64_t next_id;
};

static void
conn_free(struct srv_conn *c)
{
	struct srv *s = c->srv;

	/* Unlinked first: a broadcast from on_close must not reach it. */
	c->drop = true;
	*c->pprev = c->next;
	if (c->next != NULL)
		c->next->pprev = c->pprev;
	s->nconns--;
	s->nadmin -= c->admin;
	if (s->on_close != NULL)
		s->on_close(s->ctx, c);
	sd_event_source_disable_unref(c->io);
	sd_event_source_disable_unref(c->timer);
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

/* Drop c now, or when its callback returns. */
static void
conn_drop(struct srv_conn *c)
{
	if (c->busy)
		c->drop = true;
	else
		conn_free(c);
}

static void
conn_events(struct srv_conn *c)
{
	uint32_t ev = c->hangup ? 0 : EPOLLIN;

	if (c->out_len > c->out_off)
		ev |= EPOLLOUT;
	if (sd_event_source_set_io_events(c->io, ev) < 0)
		c->drop = true;
}

static void
flush(struct srv_conn *c)
{
	ssize_t n;

	while (c->out_len > c->out_off) {
		n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			c->drop = true;
			return;
		}
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	if (c->hangup)
		c->drop = true;
}

/* Room for n more bytes of output. */
static int
out_reserve(struct srv_conn *c, size_t n)
{
	size_t want, cap;
	uint8_t *p;

	if (c->out_off > 0 && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_len - c->out_off + n > SRV_OUT_MAX)
		return -LICD_E_TOO_LARGE;
	if (c->out_off > 0) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	want = c->out_len + n;
	if (want <= c->out_cap)
		return 0;
	for (cap = c->out_cap ? c->out_cap : 4096; cap < want; cap *= 2)
		;
	if ((p = realloc(c->out, cap)) == NULL)
		return -LICD_E_NOMEM;
	c->out = p;
	c->out_cap = cap;
	return 0;
}

int
srv_reply(struct srv_conn *c, const struct proto_msg *m)
{
	size_t n = proto_encoded_len(m), len;
	int r;

	if (c->drop)
		return -LICD_E_IO;
	if (n == 0)
		return -LICD_E_USAGE;
	if ((r = out_reserve(c, n)) < 0) {
		/* A peer that does not read its replies is cut off. */
		c->drop = true;
		if (!c->busy)
			conn_free(c);
		return r;
	}
	proto_encode(m, c->out + c->out_len, c->out_cap - c->out_len, &len);
	c->out_len += len;
	if (!c->busy) {
		flush(c);
		if (c->drop)
			conn_free(c);
		else
			conn_events(c);
	}
	return 0;
}

int
srv_reply_error(struct srv_conn *c, uint32_t id, const char *reason,
    const char *fmt, ...)
{
	struct proto_msg m = { .type = PROTO_R_ERROR, .id = id };
	char msg[PROTO_MSG_MAX + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	m.u.error.reason = proto_str(reason);
	if (m.u.error.reason.len > PROTO_REASON_MAX)
		m.u.error.reason.len = PROTO_REASON_MAX;
	m.u.error.message = proto_str(msg);
	return srv_reply(c, &m);
}

int
srv_reply_ok(struct srv_conn *c, uint32_t id, const char *msg)
{
	struct proto_msg m = { .type = PROTO_R_OK, .id = id };

	m.u.ok.message = proto_str(msg != NULL ? msg : "");
	if (m.u.ok.message.len > PROTO_MSG_MAX)
		m.u.ok.message.len = PROTO_MSG_MAX;
	return srv_reply(c, &m);
}

int
srv_reply_text(struct srv_conn *c, uint32_t id, const char *text,
    size_t len)
{
	struct proto_msg m = { .type = PROTO_R_TEXT, .id = id };

	if (len > PROTO_TEXT_MAX)
		return srv_reply_error(c, id, "too-large", "reply too large");
	m.u.text.text.p = (const uint8_t *)text;
	m.u.text.text.len = (uint32_t)len;
	return srv_reply(c, &m);
}

/* A frame we cannot trust: say why (best effort) and hang up. */
static void
protocol_error(struct srv_conn *c, int code, const char *why)
{
	char pid[32];
	const char *fields[] = { pid, NULL };

	snprintf(pid, sizeof(pid), "LICD_PEER_PID=%ld", (long)c->pid);
	log_ev(LOG_NOTICE, LOG_ID_PEER, fields, "peer uid %u: %s; "
	    "disconnected", (unsigned)c->peer.uid, why);
	srv_reply_error(c, 0, lerr_reason(code), "%s", why);
	c->hangup = true;
	c->in_len = 0;
}

static const struct srv_handler *
find_handler(const struct srv *s, uint8_t type)
{
	size_t i;

	for (i = 0; i < s->nhandlers; i++)
		if (s->handlers[i].type == type)
			return &s->handlers[i];
	return NULL;
}

static void
dispatch(struct srv_conn *c, const struct proto_msg *m)
{
	const struct srv_handler *h = find_handler(c->srv, m->type);

	if (!proto_allowed(m->type, &c->peer, &c->srv->admin)) {
		log_ev(LOG_NOTICE, LOG_ID_PEER, NULL, "peer uid %u may not "
		    "send %s", (unsigned)c->peer.uid,
		    proto_type_name(m->type));
		srv_reply_error(c, m->id, "permission-denied", "%s needs uid "
		    "0, the daemon's uid or admin_group",
		    proto_type_name(m->type));
	} else if (h == NULL) {
		srv_reply_error(c, m->id, "not-implemented", "%s is not "
		    "implemented by this licd", proto_type_name(m->type));
	} else if (h->fn(c->srv->ctx, c, m) < 0) {
		c->drop = true;
	}
}

static int
on_frame_timeout(sd_event_source *src, uint64_t usec, void *arg)
{
	struct srv_conn *c = arg;

	(void)src;
	(void)usec;
	log_ev(LOG_NOTICE, LOG_ID_PEER, NULL, "peer uid %u: frame not "
	    "finished within %ds; disconnected", (unsigned)c->peer.uid,
	    SRV_FRAME_TIMEOUT);
	conn_drop(c);
	return 0;
}

/* A started frame must be finished within SRV_FRAME_TIMEOUT. */
static void
frame_timer(struct srv_conn *c, bool partial)
{
	if (!partial) {
		if (c->timer != NULL)
			sd_event_source_set_enabled(c->timer, SD_EVENT_OFF);
		return;
	}
	if (c->timer == NULL) {
		if (sd_event_add_time_relative(c->srv->ev, &c->timer,
		    CLOCK_MONOTONIC, SRV_FRAME_TIMEOUT * 1000000ULL, 0,
		    on_frame_timeout, c) < 0)
			c->drop = true;
		return;
	}
	if (sd_event_source_get_enabled(c->timer, NULL) == 0) {
		sd_event_source_set_time_relative(c->timer,
		    SRV_FRAME_TIMEOUT * 1000000ULL);
		sd_event_source_set_enabled(c->timer, SD_EVENT_ONESHOT);
	}
}

/* Grow the receive buffer to hold a whole frame of total bytes. */
static int
in_reserve(struct srv_conn *c, size_t total)
{
	uint8_t *p;

	if (total <= c->in_cap)
		return 0;
	if ((p = realloc(c->in, total)) == NULL)
		return -1;
	c->in = p;
	c->in_cap = total;
	return 0;
}

static void
process(struct srv_conn *c)
{
	struct proto_msg m;
	const char *why = "malformed";
	uint32_t total;
	int r;

	while (!c->drop && !c->hangup && c->in_len >= PROTO_HDR_LEN) {
		if ((r = proto_header(c->in, c->in_len, PROTO_DIR_REQUEST,
		    &total, &why)) < 0) {
			protocol_error(c, r, why);
			break;
		}
		if (in_reserve(c, total) < 0) {
			c->drop = true;
			break;
		}
		if (c->in_len < total)
			break;
		if ((r = proto_decode(c->in, total, PROTO_DIR_REQUEST, &m,
		    &why)) < 0) {
			protocol_error(c, r, why);
			break;
		}
		dispatch(c, &m);
		memmove(c->in, c->in + total, c->in_len - total);
		c->in_len -= total;
	}
	frame_timer(c, c->in_len > 0 && !c->hangup);
}

static void
do_read(struct srv_conn *c)
{
	ssize_t n;
	int i;

	for (i = 0; i < READS_PER_WAKE && !c->drop && !c->hangup; i++) {
		if (c->in_len == c->in_cap && in_reserve(c, c->in_cap * 2 <
		    PROTO_MAX_REQUEST ? c->in_cap * 2 : PROTO_MAX_REQUEST) < 0) {
			c->drop = true;
			return;
		}
		n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len,
		    MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			c->drop = true;	/* gone, or an error */
			return;
		}
		c->in_len += (size_t)n;
		process(c);
	}
}

static int
on_conn_io(sd_event_source *src, int fd, uint32_t revents, void *arg)
{
	struct srv_conn *c = arg;

	(void)src;
	(void)fd;
	c->busy = true;
	if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
		do_read(c);
	if (!c->drop)
		flush(c);
	c->busy = false;
	if (c->drop)
		conn_free(c);
	else
		conn_events(c);
	return 0;
}

static void
peer_creds(struct srv_conn *c)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);

	c->peer.uid = (uid_t)-1;
	c->peer.gid = (gid_t)-1;
	c->pid = -1;
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == 0) {
		c->peer.uid = uc.uid;
		c->peer.gid = uc.gid;
		c->pid = uc.pid;
	}
	len = sizeof(c->groups);
	/* More groups than we look at: only the primary one counts. */
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERGROUPS, c->groups, &len) == 0)
		c->peer.ngroups = len / sizeof(gid_t);
	c->peer.groups = c->groups;
}

/* Over SRV_MAX_CONNS only an admin gets in, while fewer than
 * SRV_ADMIN_RESERVE admins are connected: unprivileged peers holding every
 * slot must not lock the operator out (and admins cannot take more). */
static bool
room_for(const struct srv *s, const struct srv_conn *c)
{
	if (s->nconns < SRV_MAX_CONNS)
		return true;
	return c->admin && s->nadmin < SRV_ADMIN_RESERVE;
}

static void
conn_new(struct srv *s, int fd)
{
	struct srv_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->srv = s;
	c->fd = fd;
	peer_creds(c);
	c->admin = proto_allowed(PROTO_IMPORT, &c->peer, &s->admin);
	if (!room_for(s, c)) {
		log_ev(LOG_WARNING, LOG_ID_PEER, NULL, "more than %d peers: "
		    "connection of uid %u refused", SRV_MAX_CONNS,
		    (unsigned)c->peer.uid);
		close(fd);
		free(c);
		return;
	}
	c->id = ++s->next_id;
	c->in_cap = IN_START;
	c->in = malloc(c->in_cap);
	c->next = s->conns;
	c->pprev = &s->conns;
	if (s->conns != NULL)
		s->conns->pprev = &c->next;
	s->conns = c;
	s->nconns++;
	s->nadmin += c->admin;
	if (c->in == NULL || sd_event_add_io(s->ev, &c->io, fd, EPOLLIN,
	    on_conn_io, c) < 0)
		conn_free(c);
}

static int
on_listen_again(sd_event_source *src, uint64_t usec, void *arg)
{
	struct srv *s = arg;

	(void)src;
	(void)usec;
	sd_event_source_set_enabled(s->listen, SD_EVENT_ON);
	return 0;
}

/* Out of file descriptors: the listening socket stays readable, so stop
 * watching it for a moment instead of spinning on accept(). */
static void
pause_listening(struct srv *s)
{
	log_ev(LOG_WARNING, LOG_ID_PEER, NULL, "accept: %s: new connections "
	    "wait %d ms", strerror(errno), SRV_PAUSE_MS);
	sd_event_source_set_enabled(s->listen, SD_EVENT_OFF);
	if (s->pause == NULL)
		sd_event_add_time_relative(s->ev, &s->pause, CLOCK_MONOTONIC,
		    SRV_PAUSE_MS * 1000ULL, 0, on_listen_again, s);
	else {
		sd_event_source_set_time_relative(s->pause,
		    SRV_PAUSE_MS * 1000ULL);
		sd_event_source_set_enabled(s->pause, SD_EVENT_ONESHOT);
	}
}

static int
on_listen(sd_event_source *src, int fd, uint32_t revents, void *arg)
{
	struct srv *s = arg;
	int cfd, i;

	(void)src;
	(void)revents;
	for (i = 0; i < 64; i++) {
		cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd >= 0) {
			conn_new(s, cfd);
			continue;
		}
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			pause_listening(s);
		else if (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR && errno != ECONNABORTED)
			log_warn("accept: %s", strerror(errno));
		break;
	}
	return 0;
}

/* Remove a stale socket at path; refuse anything else and a live one. */
static int
clear_path(const struct sockaddr_un *sa, struct lerr *e)
{
	struct stat st;
	int fd, live;

	if (lstat(sa->sun_path, &st) != 0)
		return errno == ENOENT ? 0 : lerr_set(e, LICD_E_IO, "%s: %s",
		    sa->sun_path, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return lerr_set(e, LICD_E_IO, "%s: exists and is not a socket",
		    sa->sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	live = fd >= 0 && connect(fd, (const struct sockaddr *)sa,
	    sizeof(*sa)) == 0;
	if (fd >= 0)
		close(fd);
	if (live)
		return lerr_set(e, LICD_E_IO, "%s: another licd is listening "
		    "there", sa->sun_path);
	if (unlink(sa->sun_path) != 0)
		return lerr_set(e, LICD_E_IO, "%s: %s", sa->sun_path,
		    strerror(errno));
	return 0;
}

static int
listen_path(struct srv *s, const char *path, struct lerr *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return lerr_set(e, LICD_E_IO, "%s: path too long for a socket",
		    path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((r = clear_path(&sa, e)) < 0)
		return r;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		return lerr_set(e, LICD_E_IO, "%s: %s", path, strerror(errno));
	s->own_path = true;
	memcpy(s->path, sa.sun_path, sizeof(s->path));
	if (chmod(path, 0666) != 0 || listen(s->fd, 128) != 0)
		return lerr_set(e, LICD_E_IO, "%s: %s", path, strerror(errno));
	return 0;
}

int
srv_open(struct srv **out, sd_event *ev, const char *path, int fd,
    const struct proto_admin *admin, const struct srv_handler *handlers,
    size_t nhandlers, srv_close_fn on_close, void *ctx, struct lerr *e)
{
	struct srv *s;
	int r;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	s->ev = ev;
	s->fd = fd;
	s->admin = *admin;
	s->handlers = handlers;
	s->nhandlers = nhandlers;
	s->on_close = on_close;
	s->ctx = ctx;
	if (fd < 0 && (r = listen_path(s, path, e)) < 0)
		goto fail;
	if (sd_event_add_io(ev, &s->listen, s->fd, EPOLLIN, on_listen, s) <
	    0) {
		r = lerr_set(e, LICD_E_IO, "%s: cannot watch the socket", path);
		goto fail;
	}
	*out = s;
	return 0;
 fail:
	srv_close(s);
	return r;
}

void
srv_close(struct srv *s)
{
	if (s == NULL)
		return;
	while (s->conns != NULL)
		conn_free(s->conns);
	sd_event_source_disable_unref(s->listen);
	sd_event_source_disable_unref(s->pause);
	if (s->fd >= 0)
		close(s->fd);
	if (s->own_path)
		unlink(s->path);
	free(s);
}

void
srv_set_admin(struct srv *s, const struct proto_admin *admin)
{
	s->admin = *admin;
}

void
srv_subscribe(struct srv_conn *c)
{
	c->subscribed = true;
}

void
srv_broadcast(struct srv *s, const struct proto_msg *m)
{
	struct srv_conn *c, *next;

	for (c = s->conns; c != NULL; c = next) {
		next = c->next;
		if (c->subscribed)
			srv_reply(c, m);
	}
}

const struct proto_peer *
srv_peer(const struct srv_conn *c)
{
	return &c->peer;
}

pid_t
srv_peer_pid(const struct srv_conn *c)
{
	return c->pid;
}

uint64_t
srv_conn_id(const struct srv_conn *c)
{
	return c->id;
}

size_t
srv_nconns(const struct srv *s)
{
	return s->nconns;
}
