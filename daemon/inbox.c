/* SPDX-License-Identifier: MIT */
/* The inbox watch: inotify through sd-event, bounded reads that never
 * follow a symlink, and every file moved out of the way once handled so
 * that nothing is taken twice. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doc.h"
#include "inbox.h"
#include "log.h"

#define INBOX_MAX_FILE	(DOC_MAX_BYTES + 1)	/* more is too large */
#define INBOX_SCAN_MAX	256			/* files per scan */

struct inbox {
	int dirfd;
	char path[1024];
	sd_event_source *watch;
	inbox_fn fn;
	void *ctx;
};

/* Read a regular file of at most DOC_MAX_BYTES (+1 to see "too large"). */
static int
read_file(int dirfd, const char *name, char **buf, size_t *len)
{
	struct stat st;
	ssize_t n;
	int fd;

	*buf = NULL;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if ((*buf = malloc(INBOX_MAX_FILE)) == NULL) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, *buf, INBOX_MAX_FILE);
	close(fd);
	if (n < 0)
		return -errno;
	*len = (size_t)n;
	return 0;
}

/* Move name into sub/, never over an earlier file of the same name. */
static void
move_to(struct inbox *ib, const char *sub, const char *name, char *dst,
    size_t cap)
{
	int i;

	snprintf(dst, cap, "%s/%s", sub, name);
	for (i = 1; i < 1000; i++) {
		if (renameat2(ib->dirfd, name, ib->dirfd, dst,
		    RENAME_NOREPLACE) == 0)
			return;
		if (errno != EEXIST)
			break;
		snprintf(dst, cap, "%s/%s.%d", sub, name, i);
	}
	log_ev(LOG_ERR, LOG_ID_STORE_ERROR, NULL, "inbox %s: cannot move %s "
	    "to %s/: %s", ib->path, name, sub, strerror(errno));
	dst[0] = '\0';
}

static void
write_reason(struct inbox *ib, const char *moved, const char *reason)
{
	char name[640];
	int fd;

	snprintf(name, sizeof(name), "%.600s.reason", moved);
	fd = openat(ib->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC |
	    O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0)
		return;
	if (write(fd, reason, strlen(reason)) < 0 || write(fd, "\n", 1) < 0)
		log_warn("inbox: cannot write %s", name);
	close(fd);
}

static void
handle(struct inbox *ib, const char *name)
{
	char reason[700] = "", dst[600];
	enum inbox_outcome o;
	char *buf = NULL;
	size_t len = 0;
	int r;

	if (name[0] == '.' || strlen(name) > 255)
		return;
	if ((r = read_file(ib->dirfd, name, &buf, &len)) == -EINVAL ||
	    r == -ELOOP)
		return;		/* a directory (ours), a symlink: not ours */
	if (r < 0) {
		log_warn("inbox %s/%s: %s", ib->path, name, strerror(-r));
		free(buf);
		return;
	}
	if (len > DOC_MAX_BYTES) {
		snprintf(reason, sizeof(reason), "too-large: more than %d "
		    "bytes", DOC_MAX_BYTES);
		o = INBOX_REJECTED;
	} else {
		o = ib->fn(ib->ctx, name, buf, len, reason, sizeof(reason));
	}
	free(buf);
	if (o == INBOX_RETRY)
		return;
	move_to(ib, o == INBOX_TAKEN ? INBOX_DIR_PROCESSED :
	    INBOX_DIR_REJECTED, name, dst, sizeof(dst));
	if (o == INBOX_REJECTED && dst[0] != '\0')
		write_reason(ib, dst, reason);
}

void
inbox_scan(struct inbox *ib)
{
	static char names[INBOX_SCAN_MAX][256];
	struct dirent *de;
	size_t i, n = 0;
	DIR *d;
	int fd;

	if ((fd = openat(ib->dirfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	/* Names first, then handling: moving files while reading the
	 * directory could show one twice. More wait for the next scan. */
	while (n < INBOX_SCAN_MAX && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && (de->d_type == DT_REG ||
		    de->d_type == DT_UNKNOWN) && strlen(de->d_name) < 256)
			memcpy(names[n++], de->d_name, strlen(de->d_name) + 1);
	closedir(d);
	for (i = 0; i < n; i++)
		handle(ib, names[i]);
}

static int
on_event(sd_event_source *s, const struct inotify_event *ev, void *arg)
{
	struct inbox *ib = arg;

	(void)s;
	if (ev->mask & IN_Q_OVERFLOW)
		inbox_scan(ib);
	else if (ev->len > 0 && !(ev->mask & IN_ISDIR))
		handle(ib, ev->name);
	return 0;
}

static int
subdirs(struct inbox *ib, struct lerr *e)
{
	static const char *const names[] = { INBOX_DIR_PROCESSED,
	    INBOX_DIR_REJECTED };
	size_t i;

	for (i = 0; i < 2; i++)
		if (mkdirat(ib->dirfd, names[i], 0750) != 0 &&
		    errno != EEXIST)
			return lerr_set(e, LICD_E_IO, "%s/%s: %s", ib->path,
			    names[i], strerror(errno));
	return 0;
}

int
inbox_open(struct inbox **out, sd_event *ev, const char *dir, inbox_fn fn,
    void *ctx, struct lerr *e)
{
	struct inbox *ib = calloc(1, sizeof(*ib));
	int r;

	*out = NULL;
	if (ib == NULL)
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	ib->fn = fn;
	ib->ctx = ctx;
	snprintf(ib->path, sizeof(ib->path), "%s", dir);
	ib->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ib->dirfd < 0) {
		r = lerr_set(e, LICD_E_IO, "inbox %s: %s", dir,
		    strerror(errno));
		free(ib);
		return r;
	}
	if ((r = subdirs(ib, e)) < 0) {
		inbox_close(ib);
		return r;
	}
	if ((r = sd_event_add_inotify(ev, &ib->watch, dir, IN_CLOSE_WRITE |
	    IN_MOVED_TO | IN_ONLYDIR, on_event, ib)) < 0) {
		inbox_close(ib);
		return lerr_set(e, LICD_E_IO, "inbox %s: cannot watch: %s",
		    dir, strerror(-r));
	}
	*out = ib;
	inbox_scan(ib);
	return 0;
}

void
inbox_close(struct inbox *ib)
{
	if (ib == NULL)
		return;
	sd_event_source_disable_unref(ib->watch);
	if (ib->dirfd >= 0)
		close(ib->dirfd);
	free(ib);
}
