/* SPDX-License-Identifier: MIT */
/* Helpers shared by the benchmark programs (see bench.h). */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "paserk.h"

int64_t
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double
bench_quantile(double *v, size_t n, double q)
{
	size_t k;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	/* nearest rank: the smallest value with at least q of them <= it */
	k = (size_t)(q * (double)n + 0.999999);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

void
bench_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* ---- licd.sock ---- */

int
bench_connect(struct bench_conn *c, const char *sock)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(c, 0, sizeof(*c));
	c->next_id = 1;
	if (strlen(sock) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	if ((c->buf = malloc(PROTO_MAX_MSG)) == NULL)
		return -1;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa,
	    sizeof(sa)) != 0) {
		int err = errno;

		bench_close(c);
		errno = err;
		return -1;
	}
	return 0;
}

void
bench_close(struct bench_conn *c)
{
	if (c->fd > 0)
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

int
bench_send(struct bench_conn *c, struct proto_msg *m)
{
	uint8_t small[1024], *p = small;
	size_t need = proto_encoded_len(m), len;
	int r;

	m->id = c->next_id++;
	if (need == 0)
		return -1;
	if (need > sizeof(small) && (p = malloc(need)) == NULL)
		return -1;
	r = proto_encode(m, p, need, &len) == 0 ? send_all(c->fd, p, len) :
	    -1;
	if (p != small)
		free(p);
	return r;
}

static int
recv_all(int fd, uint8_t *p, size_t len, int timeout_ms)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t n;
	int r;

	while (len > 0) {
		/* Try first: the reply is usually there already. */
		n = recv(fd, p, len, MSG_DONTWAIT);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0)
			return -1;
		if (errno != EAGAIN && errno != EINTR)
			return -1;
		r = poll(&pfd, 1, timeout_ms);
		if (r == 0 || (r < 0 && errno != EINTR))
			return -1;
	}
	return 0;
}

int
bench_recv(struct bench_conn *c, int timeout_ms)
{
	uint32_t total;

	if (recv_all(c->fd, c->buf, PROTO_HDR_LEN, timeout_ms) < 0 ||
	    proto_header(c->buf, PROTO_HDR_LEN, PROTO_DIR_CLIENT, &total,
	    NULL) < 0 ||
	    recv_all(c->fd, c->buf + PROTO_HDR_LEN, total - PROTO_HDR_LEN,
	    timeout_ms) < 0 ||
	    proto_decode(c->buf, total, PROTO_DIR_CLIENT, &c->reply,
	    NULL) < 0)
		return -1;
	return 0;
}

int
bench_rpc(struct bench_conn *c, struct proto_msg *m, int timeout_ms)
{
	uint32_t id;

	if (bench_send(c, m) < 0)
		return -1;
	id = m->id;
	do {
		if (bench_recv(c, timeout_ms) < 0)
			return -1;
	} while (c->reply.id != id);
	return 0;
}

/* ---- keys and documents ---- */

char *
bench_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n)
		bench_die("%s: cannot read: %s", path, strerror(errno));
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

static char *
key_text(const char *path, size_t *len)
{
	char *s = bench_read_file(path, len);

	while (*len > 0 && (s[*len - 1] == '\n' || s[*len - 1] == ' '))
		s[--*len] = '\0';
	return s;
}

void
bench_load_pk(const char *path, uint8_t pk[TOK_PK_LEN])
{
	struct lerr e = { 0 };
	size_t len;
	char *s = key_text(path, &len);

	if (paserk_public_decode(s, len, pk, &e) < 0)
		bench_die("%s: %s", path, e.msg);
	free(s);
}

void
bench_load_sk(const char *path, uint8_t sk[TOK_SK_LEN])
{
	struct lerr e = { 0 };
	size_t len;
	char *s = key_text(path, &len);

	if (paserk_secret_decode(s, len, sk, &e) < 0)
		bench_die("%s: %s", path, e.msg);
	free(s);
}

char *
bench_sign_doc(const uint8_t (*sk)[TOK_SK_LEN], size_t nkeys,
    const char *typ, const char *msg, size_t *len)
{
	char footer[128], implicit[32], *tok, *doc = NULL, *grown;
	paserk_kid kid;
	size_t i, dlen = 0, tlen;

	snprintf(implicit, sizeof(implicit), "licd:v1:%s", typ);
	for (i = 0; i < nkeys; i++) {
		paserk_pid(sk[i] + 32, kid);
		snprintf(footer, sizeof(footer),
		    "{\"kid\":\"%s\",\"typ\":\"%s\"}", kid, typ);
		if (tok_sign(sk[i], (const uint8_t *)msg, strlen(msg),
		    (const uint8_t *)footer, strlen(footer),
		    (const uint8_t *)implicit, strlen(implicit), &tok) < 0)
			bench_die("signing a %s failed", typ);
		tlen = strlen(tok);
		if ((grown = realloc(doc, dlen + tlen + 2)) == NULL)
			bench_die("out of memory");
		doc = grown;
		memcpy(doc + dlen, tok, tlen);
		dlen += tlen;
		doc[dlen++] = '\n';
		doc[dlen] = '\0';
		free(tok);
	}
	*len = dlen;
	return doc;
}

void
bench_time_str(int64_t t, char out[21])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

long
bench_proc_kb(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t flen = strlen(field);
	long kb = -1;
	FILE *f;

	if (pid == 0)
		snprintf(path, sizeof(path), "/proc/self/status");
	else
		snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			kb = strtol(line + flen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}
