/* SPDX-License-Identifier: MIT */
/* The socket protocol: the table proves itself, every type round-trips at
 * its smallest and largest, and oversized, truncated, unknown, mis-sized,
 * wrong-direction and NUL-carrying frames are rejected; permissions. Then
 * the server (daemon/server.c) on a real socket: hostile, greedy, slow and
 * vanishing peers cost them their connection, never the server's. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#include <cmocka.h>

#include "lerr.h"
#include "proto.h"
#include "server.h"

static const uint8_t all_types[] = {
	PROTO_QUERY, PROTO_ACQUIRE, PROTO_RELEASE, PROTO_SUBSCRIBE,
	PROTO_STATUS, PROTO_EXPLAIN, PROTO_METRICS, PROTO_IMPORT, PROTO_RELOAD,
	PROTO_REQUEST, PROTO_AUDIT_VERIFY, PROTO_REPORT, PROTO_CHECKPOINT,
	PROTO_R_OK, PROTO_R_ERROR, PROTO_R_DECISION, PROTO_R_LEASE,
	PROTO_R_TEXT, PROTO_R_IMPORT, PROTO_N_CHANGED, PROTO_N_LEASE_REVOKED,
};

static uint8_t frame[PROTO_MAX_MSG + 16];
static uint8_t fill[PROTO_MAX_MSG];

/* Fill every field of m: strings of `full` ? max : 0 bytes, integers
 * with a pattern that shows byte order mistakes. */
static void
make(struct proto_msg *m, uint8_t type, int full)
{
	const struct proto_spec *s = proto_spec(type);
	struct proto_bytes *b;
	char *dst;
	size_t i;

	memset(m, 0, sizeof(*m));
	m->type = type;
	m->id = 0x01020304u + type;
	for (i = 0; i < s->nfields; i++) {
		dst = (char *)m + s->fields[i].off;
		switch (s->fields[i].kind) {
		case PROTO_U8:
			*(uint8_t *)dst = (uint8_t)(0xa0 + i);
			break;
		case PROTO_U32:
			*(uint32_t *)(void *)dst = 0xdeadbe00u + (uint32_t)i;
			break;
		case PROTO_U64:
			*(uint64_t *)(void *)dst = 0x0102030405060700ull + i;
			break;
		default:
			b = (struct proto_bytes *)(void *)dst;
			b->p = fill;
			b->len = full ? s->fields[i].max : 0;
		}
	}
}

static void
same(const struct proto_msg *a, const struct proto_msg *b)
{
	const struct proto_spec *s = proto_spec(a->type);
	const struct proto_bytes *x, *y;
	size_t i;

	assert_int_equal(a->type, b->type);
	assert_int_equal(a->id, b->id);
	for (i = 0; i < s->nfields; i++) {
		const char *p = (const char *)a + s->fields[i].off;
		const char *q = (const char *)b + s->fields[i].off;

		switch (s->fields[i].kind) {
		case PROTO_U8:
			assert_int_equal(*(const uint8_t *)p,
			    *(const uint8_t *)q);
			break;
		case PROTO_U32:
			assert_int_equal(*(const uint32_t *)(const void *)p,
			    *(const uint32_t *)(const void *)q);
			break;
		case PROTO_U64:
			assert_int_equal(*(const uint64_t *)(const void *)p,
			    *(const uint64_t *)(const void *)q);
			break;
		default:
			x = (const void *)p;
			y = (const void *)q;
			assert_int_equal(x->len, y->len);
			if (x->len > 0)
				assert_memory_equal(x->p, y->p, x->len);
		}
	}
}

static unsigned
dir_of(uint8_t type)
{
	return proto_spec(type)->dir;
}

static void
t_table(void **state)
{
	const char *why = NULL;
	size_t i;

	(void)state;
	if (proto_table_check(&why) != 0)
		fail_msg("%s", why);
	for (i = 0; i < sizeof(all_types); i++) {
		assert_non_null(proto_spec(all_types[i]));
		assert_string_not_equal(proto_type_name(all_types[i]),
		    "unknown");
	}
	assert_null(proto_spec(0));
	assert_null(proto_spec(255));
	assert_string_equal(proto_type_name(99), "unknown");
	assert_int_equal(proto_spec(PROTO_IMPORT)->max, PROTO_MAX_REQUEST);
	assert_int_equal(proto_spec(PROTO_R_TEXT)->max, PROTO_MAX_MSG);
}

static void
t_roundtrip(void **state)
{
	const struct proto_spec *s;
	struct proto_msg m, d;
	const char *why;
	size_t i, len;
	int full;

	(void)state;
	memset(fill, 'a', sizeof(fill));
	for (i = 0; i < sizeof(all_types); i++) {
		s = proto_spec(all_types[i]);
		for (full = 0; full <= 1; full++) {
			make(&m, all_types[i], full);
			assert_int_equal(proto_encoded_len(&m),
			    full ? s->max : s->min);
			assert_int_equal(proto_encode(&m, frame, sizeof(frame),
			    &len), 0);
			assert_int_equal(len, full ? s->max : s->min);
			if (proto_decode(frame, len, dir_of(m.type), &d,
			    &why) != 0)
				fail_msg("%s: %s", s->name, why);
			same(&m, &d);
		}
	}
}

static void
t_roundtrip_values(void **state)
{
	struct proto_msg m, d;
	char buf[PROTO_NAME_MAX + 1];
	size_t len;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = PROTO_QUERY;
	m.id = 7;
	m.u.query.product = proto_str("interceptor");
	m.u.query.feature = proto_str("geo.locate");
	m.u.query.purpose = proto_str("terrorism");
	assert_int_equal(proto_encode(&m, frame, sizeof(frame), &len), 0);
	assert_int_equal(len, 12 + 2 + 11 + 2 + 10 + 2 + 9);
	/* the header on the wire */
	assert_memory_equal(frame, "\x00\x00\x00\x30\x01\x01\x00\x00"
	    "\x00\x00\x00\x07\x00\x0binterceptor", 25);
	assert_int_equal(proto_decode(frame, len, PROTO_DIR_REQUEST, &d, NULL),
	    0);
	assert_int_equal(proto_cstr(d.u.query.feature, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "geo.locate");
	assert_int_equal(proto_cstr(d.u.query.feature, buf, 10),
	    -LICD_E_TOO_LARGE);
	assert_int_equal(proto_cstr(d.u.query.feature, buf, 11), 0);
}

/* A frame of type t whose header says total and whose body is body. */
static size_t
raw(uint8_t t, uint32_t total, const void *body, size_t blen)
{
	frame[0] = (uint8_t)(total >> 24);
	frame[1] = (uint8_t)(total >> 16);
	frame[2] = (uint8_t)(total >> 8);
	frame[3] = (uint8_t)total;
	frame[4] = PROTO_VERSION;
	frame[5] = t;
	frame[6] = frame[7] = 0;
	memset(frame + 8, 0, 4);
	memcpy(frame + 12, body, blen);
	return 12 + blen;
}

static void
reject(size_t len, unsigned dirs, int code, const char *why_want)
{
	struct proto_msg m;
	const char *why = NULL;

	assert_int_equal(proto_decode(frame, len, dirs, &m, &why), -code);
	assert_non_null(why);
	assert_string_equal(why, why_want);
}

static void
t_oversized(void **state)
{
	static const uint8_t q66[] = { 0, 65 };
	uint32_t total;
	const char *why;
	size_t n;

	(void)state;
	/* the header alone refuses a frame longer than its type */
	n = raw(PROTO_RELEASE, 21, "\0\0\0\0\0\0\0\0\0", 9);
	assert_int_equal(proto_header(frame, 12, PROTO_DIR_REQUEST, &total,
	    &why), -LICD_E_TOO_LARGE);
	assert_string_equal(why, "longer than its type allows");
	reject(n, PROTO_DIR_REQUEST, LICD_E_TOO_LARGE,
	    "longer than its type allows");
	raw(PROTO_IMPORT, PROTO_MAX_REQUEST + 1, "", 0);
	assert_int_equal(proto_header(frame, 12, PROTO_DIR_REQUEST, &total,
	    &why), -LICD_E_TOO_LARGE);
	raw(PROTO_QUERY, 0xffffffffu, "", 0);
	assert_int_equal(proto_header(frame, 12, PROTO_DIR_REQUEST, &total,
	    &why), -LICD_E_TOO_LARGE);
	assert_int_equal(total, 0);
	/* a string longer than its field, inside a frame of legal size */
	n = raw(PROTO_QUERY, 12 + 2 + 65 + 4, q66, 2);
	memset(frame + 14, 'p', 65);
	memset(frame + 79, 0, 4);
	reject(n + 65 + 4, PROTO_DIR_REQUEST, LICD_E_TOO_LARGE,
	    "string longer than its field allows");
	/* a document over 64 KiB */
	{
		struct proto_msg m;
		size_t len;

		memset(&m, 0, sizeof(m));
		m.type = PROTO_IMPORT;
		m.u.import.doc.p = fill;
		m.u.import.doc.len = PROTO_DOC_MAX + 1;
		assert_int_equal(proto_encoded_len(&m), 0);
		assert_int_equal(proto_encode(&m, frame, sizeof(frame), &len),
		    -LICD_E_USAGE);
	}
}

static void
t_truncated(void **state)
{
	struct proto_msg m;
	size_t len;

	(void)state;
	make(&m, PROTO_ACQUIRE, 1);
	assert_int_equal(proto_encode(&m, frame, sizeof(frame), &len), 0);
	reject(len - 1, PROTO_DIR_REQUEST, LICD_E_MALFORMED,
	    "truncated frame");
	reject(11, PROTO_DIR_REQUEST, LICD_E_MALFORMED, "truncated header");
	reject(0, PROTO_DIR_REQUEST, LICD_E_MALFORMED, "truncated header");
	/* a string length pointing past the end of the frame */
	raw(PROTO_EXPLAIN, 16, "\x00\x05\x00\x00", 4);
	reject(16, PROTO_DIR_REQUEST, LICD_E_MALFORMED, "truncated string");
	/* a field cut by the frame's end */
	raw(PROTO_REPORT, 30, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	    "\x00\x00\x00\x00\x00\x00\x00\x00", 18);
	frame[13] = 1;	/* lid of 1 byte: the last u64 lacks one byte */
	frame[14] = 'x';
	reject(30, PROTO_DIR_REQUEST, LICD_E_MALFORMED, "truncated field");
	/* more bytes than the frame */
	make(&m, PROTO_RELEASE, 1);
	assert_int_equal(proto_encode(&m, frame, sizeof(frame), &len), 0);
	reject(len + 1, PROTO_DIR_REQUEST, LICD_E_MALFORMED,
	    "trailing bytes after the frame");
}

static void
t_unknown_type(void **state)
{
	size_t n;

	(void)state;
	n = raw(0, 12, "", 0);
	reject(n, PROTO_DIR_REQUEST, LICD_E_MALFORMED, "unknown type");
	n = raw(99, 12, "", 0);
	reject(n, PROTO_DIR_REQUEST | PROTO_DIR_CLIENT, LICD_E_MALFORMED,
	    "unknown type");
	n = raw(255, 12, "", 0);
	reject(n, PROTO_DIR_CLIENT, LICD_E_MALFORMED, "unknown type");
}

static void
t_wrong_size(void **state)
{
	size_t n;

	(void)state;
	n = raw(PROTO_RELEASE, 19, "\0\0\0\0\0\0\0", 7);
	reject(n, PROTO_DIR_REQUEST, LICD_E_MALFORMED,
	    "shorter than its type needs");
	n = raw(PROTO_SUBSCRIBE, 13, "\0", 1);
	reject(n, PROTO_DIR_REQUEST, LICD_E_TOO_LARGE,
	    "longer than its type allows");
	/* legal length, but the fields end before it */
	n = raw(PROTO_QUERY, 22, "\0\0\0\0\0\0\0\0\0\0", 10);
	reject(n, PROTO_DIR_REQUEST, LICD_E_MALFORMED,
	    "bytes after the last field");
}

static void
t_header_fields(void **state)
{
	size_t n;

	(void)state;
	n = raw(PROTO_SUBSCRIBE, 12, "", 0);
	frame[4] = 2;
	reject(n, PROTO_DIR_REQUEST, LICD_E_MALFORMED, "unsupported version");
	n = raw(PROTO_SUBSCRIBE, 12, "", 0);
	frame[7] = 1;
	reject(n, PROTO_DIR_REQUEST, LICD_E_MALFORMED, "non-zero flags");
	/* a reply sent to the daemon, a request sent to a client */
	n = raw(PROTO_R_LEASE, 20, "\0\0\0\0\0\0\0\1", 8);
	reject(n, PROTO_DIR_REQUEST, LICD_E_MALFORMED,
	    "type not allowed in this direction");
	n = raw(PROTO_RELOAD, 12, "", 0);
	reject(n, PROTO_DIR_CLIENT, LICD_E_MALFORMED,
	    "type not allowed in this direction");
}

static void
t_nul(void **state)
{
	struct proto_msg m;
	size_t n, len;

	(void)state;
	n = raw(PROTO_EXPLAIN, 18, "\x00\x02" "a\0" "\x00\x00", 6);
	reject(n, PROTO_DIR_REQUEST, LICD_E_MALFORMED, "NUL byte in a string");
	memset(&m, 0, sizeof(m));
	m.type = PROTO_EXPLAIN;
	m.u.explain.product.p = (const uint8_t *)"a\0b";
	m.u.explain.product.len = 3;
	assert_int_equal(proto_encode(&m, frame, sizeof(frame), &len),
	    -LICD_E_USAGE);
	/* and a buffer too small to encode into */
	m.u.explain.product.len = 1;
	assert_int_equal(proto_encode(&m, frame, 16, &len), -LICD_E_TOO_LARGE);
	assert_int_equal(proto_encode(&m, frame, 17, &len), 0);
	/* an unknown type cannot be encoded */
	m.type = 77;
	assert_int_equal(proto_encode(&m, frame, sizeof(frame), &len),
	    -LICD_E_USAGE);
}

static void
t_permissions(void **state)
{
	static const gid_t groups[] = { 100, 998 };
	struct proto_admin adm = { 990, true, 998 };
	struct proto_peer root = { 0, 0, NULL, 0 };
	struct proto_peer daemon_user = { 990, 990, NULL, 0 };
	struct proto_peer nobody = { 65534, 65534, NULL, 0 };
	struct proto_peer member = { 1000, 1000, groups, 2 };
	struct proto_peer primary = { 1001, 998, NULL, 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(all_types); i++) {
		const struct proto_spec *s = proto_spec(all_types[i]);
		int want_nobody = s->perm == PROTO_PERM_ANY;
		int want_admin = s->dir == PROTO_DIR_REQUEST;

		assert_int_equal(proto_allowed(s->type, &nobody, &adm),
		    want_nobody);
		assert_int_equal(proto_allowed(s->type, &root, &adm),
		    want_admin);
		assert_int_equal(proto_allowed(s->type, &daemon_user, &adm),
		    want_admin);
		assert_int_equal(proto_allowed(s->type, &member, &adm),
		    want_admin);
		assert_int_equal(proto_allowed(s->type, &primary, &adm),
		    want_admin);
	}
	assert_true(proto_allowed(PROTO_QUERY, &nobody, &adm));
	assert_true(proto_allowed(PROTO_ACQUIRE, &nobody, &adm));
	assert_true(proto_allowed(PROTO_SUBSCRIBE, &nobody, &adm));
	assert_false(proto_allowed(PROTO_IMPORT, &nobody, &adm));
	assert_false(proto_allowed(PROTO_RELOAD, &nobody, &adm));
	/* without admin_group, group membership counts for nothing */
	adm.has_admin_gid = false;
	assert_false(proto_allowed(PROTO_IMPORT, &member, &adm));
	assert_false(proto_allowed(PROTO_IMPORT, &primary, &adm));
	assert_true(proto_allowed(PROTO_IMPORT, &root, &adm));
	assert_false(proto_allowed(99, &root, &adm));
}


/* ---- the server on a real socket ---- */

static char sock_dir[64], sock_path[96];
static pid_t server_pid;

static int
h_query(void *ctx, struct srv_conn *c, const struct proto_msg *req)
{
	struct proto_msg m = { .type = PROTO_R_DECISION, .id = req->id };

	(void)ctx;
	m.u.decision.allowed = 1;
	m.u.decision.reason = req->u.query.product;	/* echo */
	if (m.u.decision.reason.len > PROTO_REASON_MAX)
		m.u.decision.reason.len = PROTO_REASON_MAX;
	m.u.decision.generation = srv_conn_id(c);
	return srv_reply(c, &m);
}

static int
h_metrics(void *ctx, struct srv_conn *c, const struct proto_msg *req)
{
	(void)ctx;
	return srv_reply_text(c, req->id, (const char *)fill, PROTO_TEXT_MAX);
}

static int
h_subscribe(void *ctx, struct srv_conn *c, const struct proto_msg *req)
{
	(void)ctx;
	srv_subscribe(c);
	return srv_reply_ok(c, req->id, NULL);
}

static struct srv *the_srv;

static int
h_reload(void *ctx, struct srv_conn *c, const struct proto_msg *req)
{
	struct proto_msg n = { .type = PROTO_N_CHANGED };

	(void)ctx;
	n.u.changed.generation = 42;
	srv_broadcast(the_srv, &n);
	return srv_reply_ok(c, req->id, "reloaded");
}

static int
h_import(void *ctx, struct srv_conn *c, const struct proto_msg *req)
{
	struct proto_msg m = { .type = PROTO_R_IMPORT, .id = req->id };

	(void)ctx;
	m.u.import_result.outcome = PROTO_ACCEPTED;
	m.u.import_result.reason = proto_str("");
	m.u.import_result.message = proto_str("taken");
	return srv_reply(c, &m);
}

static const struct srv_handler handlers[] = {
	{ PROTO_QUERY, h_query },
	{ PROTO_METRICS, h_metrics },
	{ PROTO_SUBSCRIBE, h_subscribe },
	{ PROTO_RELOAD, h_reload },
	{ PROTO_IMPORT, h_import },
};

static int
on_term(sd_event_source *s, const struct signalfd_siginfo *si, void *arg)
{
	(void)si;
	(void)arg;
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

static void
run_server(void)
{
	struct proto_admin adm = { geteuid(), false, 0 };
	struct lerr e = { 0 };
	sd_event *ev = NULL;
	sigset_t ss;

	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &ss, NULL) != 0 ||
	    sd_event_default(&ev) < 0 ||
	    sd_event_add_signal(ev, NULL, SIGTERM, on_term, NULL) < 0 ||
	    srv_open(&the_srv, ev, sock_path, -1, &adm, handlers,
	    sizeof(handlers) / sizeof(handlers[0]), NULL, NULL, &e) < 0) {
		fprintf(stderr, "server: %s\n", e.msg);
		_exit(1);
	}
	sd_event_loop(ev);
	srv_close(the_srv);
	sd_event_unref(ev);
	_exit(0);
}

static int
dial(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Room for CAP + 20 peers on both sides (Debian's soft limit is 1024);
 * the server, forked from here, inherits it. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 4096) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ||
		    rl.rlim_max > 4096 ? 4096 : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int
server_up(void **state)
{
	int fd, i;

	(void)state;
	raise_nofile();
	memset(fill, 'a', sizeof(fill));
	snprintf(sock_dir, sizeof(sock_dir), "/tmp/test_proto.XXXXXX");
	if (mkdtemp(sock_dir) == NULL || chmod(sock_dir, 0755) != 0)
		return -1;
	snprintf(sock_path, sizeof(sock_path), "%s/licd.sock", sock_dir);
	if ((server_pid = fork()) == 0)
		run_server();
	for (i = 0; i < 500; i++) {
		if ((fd = dial()) >= 0) {
			close(fd);
			return 0;
		}
		usleep(10000);
	}
	return -1;
}

static int
server_down(void **state)
{
	int st;

	(void)state;
	kill(server_pid, SIGTERM);
	waitpid(server_pid, &st, 0);
	unlink(sock_path);
	rmdir(sock_dir);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void
send_bytes(int fd, const void *p, size_t len)
{
	assert_int_equal(send(fd, p, len, MSG_NOSIGNAL), (ssize_t)len);
}

static void
send_msg(int fd, struct proto_msg *m, uint32_t id)
{
	size_t len;

	m->id = id;
	assert_int_equal(proto_encode(m, frame, sizeof(frame), &len), 0);
	send_bytes(fd, frame, len);
}

/* Read one frame into frame[] and decode it; -1 when the server hung up. */
static int
recv_msg(int fd, struct proto_msg *m)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	size_t have = 0, need = PROTO_HDR_LEN;
	uint32_t total;
	ssize_t n;

	while (have < need) {
		assert_int_equal(poll(&pfd, 1, 10000), 1);
		n = recv(fd, frame + have, need - have, 0);
		if (n <= 0)
			return -1;
		have += (size_t)n;
		if (have == PROTO_HDR_LEN) {
			assert_int_equal(proto_header(frame, have,
			    PROTO_DIR_CLIENT, &total, NULL), 0);
			need = total;
		}
	}
	assert_int_equal(proto_decode(frame, have, PROTO_DIR_CLIENT, m, NULL),
	    0);
	return 0;
}

static struct proto_msg
query_msg(const char *product)
{
	struct proto_msg m = { .type = PROTO_QUERY };

	m.u.query.product = proto_str(product);
	m.u.query.feature = proto_str("f");
	m.u.query.purpose = proto_str("p");
	return m;
}

/* The server still answers a fresh peer. */
static void
still_serving(void)
{
	struct proto_msg q = query_msg("alive"), r;
	int fd = dial();

	assert_true(fd >= 0);
	send_msg(fd, &q, 9);
	assert_int_equal(recv_msg(fd, &r), 0);
	assert_int_equal(r.type, PROTO_R_DECISION);
	assert_int_equal(r.id, 9);
	close(fd);
}

static void
expect_error_and_hangup(int fd, const char *reason)
{
	struct proto_msg r;

	assert_int_equal(recv_msg(fd, &r), 0);
	assert_int_equal(r.type, PROTO_R_ERROR);
	assert_int_equal(r.id, 0);
	assert_int_equal(r.u.error.reason.len, strlen(reason));
	assert_memory_equal(r.u.error.reason.p, reason, strlen(reason));
	assert_int_equal(recv_msg(fd, &r), -1);
}

static void
t_srv_query_pipelined(void **state)
{
	struct proto_msg q, r;
	uint8_t three[3 * 64];
	size_t len, off = 0;
	uint32_t id;
	int fd = dial();

	(void)state;
	assert_true(fd >= 0);
	for (id = 1; id <= 3; id++) {
		q = query_msg(id == 2 ? "second" : "other");
		q.id = id;
		assert_int_equal(proto_encode(&q, three + off,
		    sizeof(three) - off, &len), 0);
		off += len;
	}
	/* three requests in one write, and one byte at a time */
	send_bytes(fd, three, off);
	for (id = 1; id <= 3; id++) {
		assert_int_equal(recv_msg(fd, &r), 0);
		assert_int_equal(r.type, PROTO_R_DECISION);
		assert_int_equal(r.id, id);
	}
	for (len = 0; len < off; len++)
		send_bytes(fd, three + len, 1);
	for (id = 1; id <= 3; id++) {
		assert_int_equal(recv_msg(fd, &r), 0);
		assert_int_equal(r.id, id);
		if (id == 2)
			assert_memory_equal(r.u.decision.reason.p, "second", 6);
	}
	close(fd);
}

static void
t_srv_garbage(void **state)
{
	static const char junk[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	uint8_t hdr[12] = { 0, 0, 0, 12, 1, 99, 0, 0, 0, 0, 0, 1 };
	int fd;

	(void)state;
	fd = dial();
	send_bytes(fd, junk, sizeof(junk) - 1);
	expect_error_and_hangup(fd, "malformed");
	close(fd);
	fd = dial();
	send_bytes(fd, hdr, sizeof(hdr));	/* unknown type 99 */
	expect_error_and_hangup(fd, "malformed");
	close(fd);
	/* a reply type sent to the server */
	fd = dial();
	hdr[5] = PROTO_R_OK;
	hdr[3] = 14;
	send_bytes(fd, hdr, sizeof(hdr));
	send_bytes(fd, "\0\0", 2);
	expect_error_and_hangup(fd, "malformed");
	close(fd);
	still_serving();
}

static void
t_srv_oversized(void **state)
{
	uint8_t hdr[12] = { 0x7f, 0xff, 0xff, 0xff, 1, PROTO_IMPORT, 0, 0,
	    0, 0, 0, 1 };
	int fd;

	(void)state;
	/* refused from the header: the body is never read */
	fd = dial();
	send_bytes(fd, hdr, sizeof(hdr));
	expect_error_and_hangup(fd, "too-large");
	close(fd);
	/* a maximal import is fine */
	{
		struct proto_msg m = { .type = PROTO_IMPORT }, r;

		fd = dial();
		m.u.import.name.p = fill;
		m.u.import.name.len = PROTO_FILE_MAX;
		m.u.import.doc.p = fill;
		m.u.import.doc.len = PROTO_DOC_MAX;
		send_msg(fd, &m, 5);
		assert_int_equal(recv_msg(fd, &r), 0);
		assert_int_equal(r.type, PROTO_R_IMPORT);
		close(fd);
	}
	still_serving();
}

static void
t_srv_permissions(void **state)
{
	struct proto_msg m = { .type = PROTO_IMPORT }, r, q;
	pid_t pid;
	int st, fd;

	(void)state;
	if (geteuid() != 0) {
		print_message("skip: not root: cannot become nobody\n");
		skip();
	}
	if ((pid = fork()) == 0) {
		if (setgroups(0, NULL) != 0 || setgid(65534) != 0 ||
		    setuid(65534) != 0 || (fd = dial()) < 0)
			_exit(10);
		m.u.import.doc = proto_str("x");
		send_msg(fd, &m, 1);
		if (recv_msg(fd, &r) != 0 || r.type != PROTO_R_ERROR ||
		    r.u.error.reason.len != 17 || memcmp(r.u.error.reason.p,
		    "permission-denied", 17) != 0)
			_exit(11);
		/* the connection stays: queries are for everyone */
		q = query_msg("x");
		send_msg(fd, &q, 2);
		if (recv_msg(fd, &r) != 0 || r.type != PROTO_R_DECISION)
			_exit(12);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	/* root may */
	fd = dial();
	m.u.import.doc = proto_str("x");
	send_msg(fd, &m, 3);
	assert_int_equal(recv_msg(fd, &r), 0);
	assert_int_equal(r.type, PROTO_R_IMPORT);
	close(fd);
}

static void
t_srv_not_implemented(void **state)
{
	struct proto_msg m = { .type = PROTO_EXPLAIN }, r;
	int fd = dial();

	(void)state;
	m.u.explain.product = proto_str("p");
	send_msg(fd, &m, 4);
	assert_int_equal(recv_msg(fd, &r), 0);
	assert_int_equal(r.type, PROTO_R_ERROR);
	assert_int_equal(r.id, 4);
	assert_memory_equal(r.u.error.reason.p, "not-implemented", 15);
	close(fd);
}

static void
t_srv_big_reply_and_broadcast(void **state)
{
	struct proto_msg m = { .type = PROTO_METRICS }, r;
	int a = dial(), b = dial();

	(void)state;
	send_msg(a, &m, 1);
	assert_int_equal(recv_msg(a, &r), 0);
	assert_int_equal(r.type, PROTO_R_TEXT);
	assert_int_equal(r.u.text.text.len, PROTO_TEXT_MAX);
	m.type = PROTO_SUBSCRIBE;
	send_msg(a, &m, 2);
	assert_int_equal(recv_msg(a, &r), 0);
	assert_int_equal(r.type, PROTO_R_OK);
	m.type = PROTO_RELOAD;
	send_msg(b, &m, 3);
	assert_int_equal(recv_msg(b, &r), 0);
	assert_int_equal(r.type, PROTO_R_OK);
	assert_int_equal(recv_msg(a, &r), 0);
	assert_int_equal(r.type, PROTO_N_CHANGED);
	assert_int_equal(r.id, 0);
	assert_int_equal(r.u.changed.generation, 42);
	close(a);
	close(b);
}

/* Read until the server closes (at most 20 s); the bytes read. */
static size_t
drain(int fd)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	static uint8_t buf[65536];
	size_t total = 0;
	ssize_t n;

	while (poll(&pfd, 1, 20000) == 1) {
		if ((n = recv(fd, buf, sizeof(buf), 0)) <= 0)
			return total;
		total += (size_t)n;
	}
	fail_msg("the server did not close the connection");
	return total;
}

static void
t_srv_vanished_and_greedy(void **state)
{
	struct proto_msg m = { .type = PROTO_METRICS };
	uint8_t req[12];
	size_t len, sent = 0;
	int fd, i;

	(void)state;
	/* half a frame, then gone */
	fd = dial();
	send_bytes(fd, "\0\0\0\x30\x01\x01", 6);
	close(fd);
	/* a request, then gone before the (1 MiB) reply */
	fd = dial();
	send_msg(fd, &m, 1);
	close(fd);
	still_serving();
	/* a peer that asks for 1 MiB replies and never reads them */
	fd = dial();
	m.id = 1;
	assert_int_equal(proto_encode(&m, req, sizeof(req), &len), 0);
	for (i = 0; i < 64; i++) {
		if (send(fd, req, len, MSG_NOSIGNAL | MSG_DONTWAIT) !=
		    (ssize_t)len)
			break;
		sent++;
	}
	usleep(300000);
	still_serving();	/* the server did not block on it */
	assert_true(sent > 4);
	/* and it was cut off: far less than was asked for, then EOF */
	assert_true(drain(fd) < sent * PROTO_MAX_MSG);
	close(fd);
}

/* A peer that starts a frame and stalls is dropped after
 * SRV_FRAME_TIMEOUT; others are served meanwhile. */
static void
t_srv_slow_peer(void **state)
{
	int fd = dial();

	(void)state;
	send_bytes(fd, "\0\0\0\x30\x01", 5);
	still_serving();
	assert_int_equal(drain(fd), 0);	/* EOF, no reply: ~10 s */
	close(fd);
	still_serving();
}

/* These peers are admins (this test runs as root): beyond SRV_MAX_CONNS
 * an admin gets in only while fewer than SRV_ADMIN_RESERVE admins are
 * connected, so they are held to SRV_MAX_CONNS too. The reserve itself
 * (unprivileged peers holding every slot) is tested end to end in
 * tests/integration/daemon-hostile.sh. */
#define CAP	SRV_MAX_CONNS

static void
t_srv_connection_cap(void **state)
{
	int fds[CAP + 20], i, n = 0, closed = 0;
	struct rlimit rl;
	struct proto_msg q = query_msg("x"), r;
	uint8_t req[64];
	size_t len;

	(void)state;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < CAP + 64) {
		fprintf(stderr, "t_srv_connection_cap: RLIMIT_NOFILE %llu is "
		    "below %d: skipped\n", (unsigned long long)rl.rlim_cur,
		    CAP + 64);
		skip();
	}
	for (i = 0; i < CAP + 20; i++)
		if ((fds[n] = dial()) >= 0)
			n++;
	assert_true(n > CAP);
	/* every peer beyond the cap is closed without an answer */
	assert_int_equal(proto_encode(&q, frame, sizeof(frame), &len), 0);
	memcpy(req, frame, len);
	for (i = 0; i < n; i++)
		if (send(fds[i], req, len, MSG_NOSIGNAL) != (ssize_t)len ||
		    recv_msg(fds[i], &r) < 0)
			closed++;
	assert_true(closed >= n - CAP);
	for (i = 0; i < n; i++)
		close(fds[i]);
	usleep(100000);
	still_serving();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_table),
		cmocka_unit_test(t_roundtrip),
		cmocka_unit_test(t_roundtrip_values),
		cmocka_unit_test(t_oversized),
		cmocka_unit_test(t_truncated),
		cmocka_unit_test(t_unknown_type),
		cmocka_unit_test(t_wrong_size),
		cmocka_unit_test(t_header_fields),
		cmocka_unit_test(t_nul),
		cmocka_unit_test(t_permissions),
	};
	const struct CMUnitTest server_tests[] = {
		cmocka_unit_test(t_srv_query_pipelined),
		cmocka_unit_test(t_srv_garbage),
		cmocka_unit_test(t_srv_oversized),
		cmocka_unit_test(t_srv_permissions),
		cmocka_unit_test(t_srv_not_implemented),
		cmocka_unit_test(t_srv_big_reply_and_broadcast),
		cmocka_unit_test(t_srv_vanished_and_greedy),
		cmocka_unit_test(t_srv_connection_cap),
		cmocka_unit_test(t_srv_slow_peer),
	};
	int r;

	r = cmocka_run_group_tests(tests, NULL, NULL);
	r |= cmocka_run_group_tests(server_tests, server_up, server_down);
	return r;
}
