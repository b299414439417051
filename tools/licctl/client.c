/* SPDX-License-Identifier: MIT */
/* licctl's side of licd.sock: connect, send one request, read frames with
 * a timeout until its reply, every frame checked by proto_decode(). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <libconfig.h>

#include "licctl.h"

int
client_open(struct client *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "licctl: %s: path too long\n", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((c->buf = malloc(PROTO_MAX_MSG)) == NULL ||
	    (c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "licctl: %s: %s\n", path, strerror(errno));
		client_close(c);
		return -1;
	}
	return 0;
}

void
client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
}

static int
send_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read exactly len bytes, waiting at most LICCTL_TIMEOUT_MS for each. */
static int
recv_all(int fd, uint8_t *p, size_t len)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t n;
	int r;

	while (len > 0) {
		r = poll(&pfd, 1, LICCTL_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 ? -ETIMEDOUT : -errno;
		n = recv(fd, p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? -ECONNRESET : -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
read_frame(struct client *c)
{
	const char *why = "malformed";
	uint32_t total;
	int r;

	if ((r = recv_all(c->fd, c->buf, PROTO_HDR_LEN)) < 0 ||
	    proto_header(c->buf, PROTO_HDR_LEN, PROTO_DIR_CLIENT, &total,
	    &why) < 0 ||
	    (r = recv_all(c->fd, c->buf + PROTO_HDR_LEN, total -
	    PROTO_HDR_LEN)) < 0 ||
	    proto_decode(c->buf, total, PROTO_DIR_CLIENT, &c->reply, &why) <
	    0) {
		fprintf(stderr, "licctl: reading from licd: %s\n", r < 0 ?
		    strerror(-r) : why);
		return -1;
	}
	return 0;
}

int
client_call(struct client *c, struct proto_msg *req)
{
	size_t len;

	req->id = ++c->next_id;
	if (proto_encode(req, c->buf, PROTO_MAX_MSG, &len) != 0) {
		fprintf(stderr, "licctl: request too large\n");
		return -1;
	}
	if (send_all(c->fd, c->buf, len) != 0) {
		fprintf(stderr, "licctl: writing to licd: %s\n",
		    strerror(errno));
		return -1;
	}
	do {
		if (read_frame(c) < 0)
			return -1;
	} while (c->reply.id != req->id && !(c->reply.type == PROTO_R_ERROR &&
	    c->reply.id == 0));
	return 0;
}

void
client_print_error(const struct proto_msg *m, const char *prefix)
{
	fprintf(stderr, "%s: %.*s: %.*s\n", prefix,
	    (int)m->u.error.reason.len, (const char *)m->u.error.reason.p,
	    (int)m->u.error.message.len, (const char *)m->u.error.message.p);
}

const char *
licctl_socket_path(const char *given)
{
	static char path[1100];
	const char *dir = NULL;
	config_t lc;

	if (given != NULL)
		return given;
	snprintf(path, sizeof(path), "/run/licd/licd.sock");
	config_init(&lc);
	if (config_read_file(&lc, "/etc/licd/licd.conf") == CONFIG_TRUE &&
	    config_lookup_string(&lc, "runtime_dir", &dir) == CONFIG_TRUE &&
	    dir[0] == '/')
		snprintf(path, sizeof(path), "%s/licd.sock", dir);
	config_destroy(&lc);
	return path;
}
