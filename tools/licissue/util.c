/* SPDX-License-Identifier: MIT */
/* Small helpers every licissue subcommand shares: error reports, bounded
 * file reads and the --key list. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "licissue.h"

int
report(const struct lerr *e)
{
	int code = e->code != 0 ? e->code : LICD_E_INTERNAL;

	fprintf(stderr, "%s: %s\n", lerr_reason(code),
	    e->msg[0] != '\0' ? e->msg : lerr_reason(code));
	if (code == LICD_E_IO || code == LICD_E_USAGE)
		return EXIT_USAGE;
	return EXIT_INVALID;
}

int
usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

static char *
alloc_buf(size_t n, int secret)
{
	return secret ? sodium_malloc(n) : malloc(n);
}

void
free_file(char *buf, int secret)
{
	if (buf == NULL)
		return;
	if (secret)
		sodium_free(buf);	/* wipes */
	else
		free(buf);
}

/* Read up to max + 1 bytes so that a file of max + 1 bytes is refused. */
static int
read_fd(int fd, const char *path, char *buf, size_t max, size_t *len,
    struct lerr *e)
{
	size_t n = 0;
	ssize_t r;

	while (n < max + 1) {
		r = read(fd, buf + n, max + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return lerr_set(e, LICD_E_IO, "%s: %s", path,
			    strerror(errno));
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max)
		return lerr_set(e, LICD_E_TOO_LARGE,
		    "%s: larger than %zu bytes", path, max);
	buf[n] = '\0';
	*len = n;
	return 0;
}

int
read_file(const char *path, size_t max, int secret, char **buf,
    size_t *len, struct lerr *e)
{
	struct stat st;
	char *b = NULL;
	int fd, r;

	*buf = NULL;
	if (strcmp(path, "-") == 0)
		fd = dup(STDIN_FILENO);
	else
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return lerr_set(e, LICD_E_IO, "%s: %s", path, strerror(errno));
	/* Files and pipes; not directories or devices. */
	if (fstat(fd, &st) != 0 ||
	    !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))) {
		r = lerr_set(e, LICD_E_IO, "%s: not a file", path);
		goto out;
	}
	if ((b = alloc_buf(max + 2, secret)) == NULL) {
		r = lerr_set(e, LICD_E_NOMEM, "%s: out of memory", path);
		goto out;
	}
	if ((r = read_fd(fd, path, b, max, len, e)) != 0)
		goto out;
	*buf = b;
	b = NULL;
	r = 0;
 out:
	free_file(b, secret);
	close(fd);
	return r;
}

int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t r;

	while (len > 0) {
		r = write(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int
add_key(const char *prog, char **keys, size_t *nkeys, char *arg)
{
	if (*nkeys >= MAX_SIGNERS)
		return usage_error(prog, "at most %d --key options",
		    MAX_SIGNERS);
	keys[(*nkeys)++] = arg;
	return 0;
}

/* The regulator signs the role-signed types only; devices sign the rest. */
int
parse_type(const char *prog, const char *arg, enum doc_type *t)
{
	int v = doc_type_from_name(arg, strlen(arg));

	if (v < 0 || doc_role_for((enum doc_type)v) < 0)
		return usage_error(prog, "--type %s: expected root, licence, "
		    "order or status", arg);
	*t = (enum doc_type)v;
	return 0;
}
