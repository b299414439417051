/* SPDX-License-Identifier: MIT */
/* The durable store: every byte licd keeps goes through one atomic write
 * (temp, fsync, rename, fsync dir), so a crash or a full disk leaves either
 * the old file or the new one, never a mixture. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"

#define TMP_PREFIX	".#tmp."
#define DIR_MODE	0700
#define FILE_MODE	0600

static const char *const kind_prefix[STORE__KINDS] = {
	[STORE_ROOT] = "",
	[STORE_LICENCE] = "licence-",
	[STORE_ORDER] = "order-",
	[STORE_STATUS] = "status",
	[STORE_NAMED] = "named-",
	[STORE_CONFLICT_LICENCE] = "conflict-licence-",
	[STORE_CONFLICT_ORDER] = "conflict-order-",
};

const char *
store_kind_prefix(enum store_kind k)
{
	return (int)k >= 0 && k < STORE__KINDS ? kind_prefix[k] : "?";
}

/* Names that store_put() must never touch. */
static const char *const reserved[] = {
	"device.key", "audit.log", "clock", "root", "docs", "outbox",
};

static int
io_err(struct lerr *e, const char *dir, const char *name, int err)
{
	return lerr_set(e, LICD_E_IO, "%s%s%s: %s", dir, name[0] ? "/" : "",
	    name, strerror(err));
}

static void
tmp_name(char out[32])
{
	static unsigned long counter;
	uint8_t rnd[8] = { 0 };
	size_t i;

	/* Uniqueness only: O_EXCL catches a collision, so a failing
	 * getrandom() (never on Linux >= 3.17) just falls back to the pid. */
	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
		uint64_t v = ((uint64_t)getpid() << 32) ^ counter++;

		memcpy(rnd, &v, sizeof(rnd));
	}
	memcpy(out, TMP_PREFIX, sizeof(TMP_PREFIX) - 1);
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(out + sizeof(TMP_PREFIX) - 1 + 2 * i, 3, "%02x",
		    rnd[i]);
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Create a temporary file in dirfd holding buf, synced; its name in tmp. */
static int
tmp_write(int dirfd, char tmp[32], const void *buf, size_t len, mode_t mode)
{
	int fd, tries, err;

	for (tries = 0; tries < 8; tries++) {
		tmp_name(tmp);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0)
		return -errno;
	err = write_all(fd, buf, len);
	if (err == 0 && fchmod(fd, mode) != 0)
		err = -errno;
	if (err == 0 && fsync(fd) != 0)
		err = -errno;
	if (close(fd) != 0 && err == 0)
		err = -errno;
	if (err != 0)
		unlinkat(dirfd, tmp, 0);
	return err;
}

int
store_write_at(int dirfd, const char *dir, const char *name, const void *buf,
    size_t len, mode_t mode, int noreplace, struct lerr *e)
{
	char tmp[32];
	int err;

	if ((err = tmp_write(dirfd, tmp, buf, len, mode)) != 0)
		return io_err(e, dir, name, -err);
	if (noreplace) {
		err = linkat(dirfd, tmp, dirfd, name, 0) != 0 ? errno : 0;
		unlinkat(dirfd, tmp, 0);
	} else {
		err = renameat(dirfd, tmp, dirfd, name) != 0 ? errno : 0;
		if (err != 0)
			unlinkat(dirfd, tmp, 0);
	}
	if (err == 0 && fsync(dirfd) != 0)
		err = errno;
	if (err != 0)
		return io_err(e, dir, name, err);
	return 0;
}

static int
read_fd(int fd, size_t max, char **out, size_t *len)
{
	struct stat st;
	char *buf;
	size_t have = 0;
	ssize_t n = 0;

	if (fstat(fd, &st) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((uint64_t)st.st_size > max)
		return -EFBIG;
	if ((buf = malloc((size_t)st.st_size + 2)) == NULL)
		return -ENOMEM;
	/* Read one byte more than stat said, to see a file that grew. */
	while (have < (size_t)st.st_size + 1) {
		n = read(fd, buf + have, (size_t)st.st_size + 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
	}
	if (n < 0 || have != (size_t)st.st_size) {
		free(buf);
		return n < 0 ? -errno : -EAGAIN;
	}
	buf[have] = '\0';
	*out = buf;
	*len = have;
	return 0;
}

int
store_read_at(int dirfd, const char *dir, const char *name, size_t max,
    char **out, size_t *len, struct lerr *e)
{
	int fd, r;

	*out = NULL;
	*len = 0;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return lerr_set(e, LICD_E_NOT_FOUND, "%s/%s: not found", dir,
		    name);
	if (fd < 0)
		return io_err(e, dir, name, errno);
	r = read_fd(fd, max, out, len);
	close(fd);
	if (r == -EFBIG)
		return lerr_set(e, LICD_E_TOO_LARGE, "%s/%s: larger than %zu "
		    "bytes", dir, name, max);
	if (r == -EINVAL)
		return lerr_set(e, LICD_E_IO, "%s/%s: not a regular file", dir,
		    name);
	if (r == -EAGAIN)
		return lerr_set(e, LICD_E_IO, "%s/%s: changed while read", dir,
		    name);
	if (r < 0)
		return io_err(e, dir, name, -r);
	return 0;
}

/* Open (and with create, make durably) the subdirectory name of dirfd. */
static int
subdir(int dirfd, const char *name, int create, int *fd)
{
	if (create && mkdirat(dirfd, name, DIR_MODE) == 0) {
		if (fsync(dirfd) != 0)
			return -errno;
	} else if (create && errno != EEXIST) {
		return -errno;
	}
	*fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	return *fd < 0 ? -errno : 0;
}

/* Remove what a crash left behind: temporary files never renamed. */
static void
sweep(int dirfd)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if ((fd = dup(dirfd)) < 0)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	rewinddir(d);	/* a dup shares the offset of an earlier walk */
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, TMP_PREFIX, sizeof(TMP_PREFIX) - 1) == 0)
			unlinkat(dirfd, de->d_name, 0);
	closedir(d);
}

static void
sweep_docs(int docs)
{
	struct dirent *de;
	DIR *d;
	int fd, sub;

	sweep(docs);
	if ((fd = dup(docs)) < 0)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (subdir(docs, de->d_name, 0, &sub) == 0) {
			sweep(sub);
			close(sub);
		}
	}
	closedir(d);
}

/* The state directory holds the device key: it must be ours alone. */
static int
check_dir(int fd, const char *path, struct lerr *e)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return io_err(e, path, "", errno);
	if (st.st_uid != geteuid())
		return lerr_set(e, LICD_E_IO, "%s: owned by uid %u, not by "
		    "uid %u", path, (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & 022)
		return lerr_set(e, LICD_E_IO, "%s: mode %04o: writable by "
		    "group or others", path, (unsigned)(st.st_mode & 07777));
	return 0;
}

static int
make_layout(struct store *s, struct lerr *e)
{
	static const char *const dirs[] = { "root", "docs", "outbox" };
	size_t i;
	int fd, r;

	sweep(s->dirfd);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if ((r = subdir(s->dirfd, dirs[i], 1, &fd)) < 0)
			return io_err(e, s->path, dirs[i], -r);
		if (i == 1)
			sweep_docs(fd);
		else
			sweep(fd);
		close(fd);
	}
	return 0;
}

int
store_open(struct store *s, const char *state_dir, struct lerr *e)
{
	int r;

	s->dirfd = -1;
	if (snprintf(s->path, sizeof(s->path), "%s", state_dir) >=
	    (int)sizeof(s->path))
		return lerr_set(e, LICD_E_IO, "%.64s...: path too long",
		    state_dir);
	if (mkdir(state_dir, DIR_MODE) != 0 && errno != EEXIST)
		return io_err(e, state_dir, "", errno);
	s->dirfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (s->dirfd < 0) {
		r = errno == ELOOP || errno == ENOTDIR ?
		    lerr_set(e, LICD_E_IO, "%s: not a directory (or a "
		    "symlink)", state_dir) : io_err(e, state_dir, "", errno);
		return r;
	}
	if ((r = check_dir(s->dirfd, state_dir, e)) < 0 ||
	    (r = make_layout(s, e)) < 0) {
		store_close(s);
		return r;
	}
	return 0;
}

int
store_lock(struct store *s, struct lerr *e)
{
	if (flock(s->dirfd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno == EWOULDBLOCK)
		return lerr_set(e, LICD_E_IO, "%s: another licd uses this "
		    "state directory", s->path);
	return io_err(e, s->path, "", errno);
}

void
store_close(struct store *s)
{
	if (s->dirfd >= 0)
		close(s->dirfd);
	s->dirfd = -1;
}

/* The directory name of a lid (see store.h). */
static int
lid_dir(const char *lid, char out[PL_LID_MAX + 2], struct lerr *e)
{
	if (lid == NULL || !pl_lid_valid(lid, strlen(lid)))
		return lerr_set(e, LICD_E_USAGE, "store: invalid lid");
	snprintf(out, PL_LID_MAX + 2, "%s%s", lid[0] == '.' ? "%" : "", lid);
	return 0;
}

/*
 * Open the directory of kind k (and lid) and name the file of num in it;
 * dir (for messages) is "<state_dir>/docs/<lid>". With create, missing
 * directories are made.
 */
static int
locate(struct store *s, enum store_kind k, const char *lid, uint64_t num,
    int create, int *fd, char *dir, size_t dircap, char name[64],
    struct lerr *e)
{
	char ld[PL_LID_MAX + 2];
	int docs, r;

	if ((int)k < 0 || k >= STORE__KINDS)
		return lerr_set(e, LICD_E_USAGE, "store: bad kind");
	snprintf(name, 64, "%s", kind_prefix[k]);
	if (k != STORE_STATUS)
		snprintf(name + strlen(name), 64 - strlen(name), "%llu",
		    (unsigned long long)num);
	if (k == STORE_ROOT) {
		snprintf(dir, dircap, "%s/root", s->path);
		if ((r = subdir(s->dirfd, "root", create, fd)) < 0)
			return io_err(e, dir, "", -r);
		return 0;
	}
	if ((r = lid_dir(lid, ld, e)) < 0)
		return r;
	snprintf(dir, dircap, "%s/docs/%s", s->path, ld);
	if ((r = subdir(s->dirfd, "docs", create, &docs)) < 0)
		return io_err(e, s->path, "docs", -r);
	r = subdir(docs, ld, create, fd);
	close(docs);
	if (r == -ENOENT)
		return lerr_set(e, LICD_E_NOT_FOUND, "%s: not found", dir);
	return r < 0 ? io_err(e, dir, "", -r) : 0;
}

int
store_doc_put(struct store *s, enum store_kind k, const char *lid,
    uint64_t num, const void *buf, size_t len, struct lerr *e)
{
	char dir[1200], name[64];
	int fd, r;

	if ((r = locate(s, k, lid, num, 1, &fd, dir, sizeof(dir), name,
	    e)) < 0)
		return r;
	r = store_write_at(fd, dir, name, buf, len, FILE_MODE, 0, e);
	close(fd);
	return r;
}

int
store_doc_get(struct store *s, enum store_kind k, const char *lid,
    uint64_t num, char **out, size_t *len, struct lerr *e)
{
	char dir[1200], name[64];
	int fd, r;

	*out = NULL;
	*len = 0;
	if ((r = locate(s, k, lid, num, 0, &fd, dir, sizeof(dir), name,
	    e)) < 0)
		return r;
	r = store_read_at(fd, dir, name, STORE_MAX_FILE, out, len, e);
	close(fd);
	return r;
}

int
store_doc_del(struct store *s, enum store_kind k, const char *lid,
    uint64_t num, struct lerr *e)
{
	char dir[1200], name[64];
	int fd, r;

	if ((r = locate(s, k, lid, num, 0, &fd, dir, sizeof(dir), name,
	    e)) < 0)
		return r == -LICD_E_NOT_FOUND ? 0 : r;
	r = 0;
	if (unlinkat(fd, name, 0) != 0 && errno != ENOENT)
		r = io_err(e, dir, name, errno);
	else if (fsync(fd) != 0)
		r = io_err(e, dir, "", errno);
	close(fd);
	return r;
}

/* Strict decimal without leading zeros, as the store writes it. */
static int
parse_num(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0') || strlen(s) > 19)
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One directory entry: a stored number of kind k goes into nums. */
static int
list_one(enum store_kind k, const char *fname, uint64_t *nums, size_t max,
    size_t *n)
{
	const char *p = kind_prefix[k];
	uint64_t v = 0;

	if (k == STORE_STATUS) {
		if (strcmp(fname, p) != 0)
			return 0;
	} else if (strncmp(fname, p, strlen(p)) != 0 ||
	    parse_num(fname + strlen(p), &v) != 0) {
		return 0;
	}
	if (*n >= max)
		return -1;
	nums[(*n)++] = v;
	return 0;
}

int
store_doc_list(struct store *s, enum store_kind k, const char *lid,
    uint64_t *nums, size_t max, size_t *n, struct lerr *e)
{
	char dir[1200], name[64];
	struct dirent *de;
	DIR *d;
	int fd, r = 0;

	*n = 0;
	if ((r = locate(s, k, lid, 0, 0, &fd, dir, sizeof(dir), name, e)) < 0)
		return r == -LICD_E_NOT_FOUND ? 0 : r;
	if ((d = fdopendir(fd)) == NULL) {
		r = io_err(e, dir, "", errno);
		close(fd);
		return r;
	}
	while (r == 0 && (de = readdir(d)) != NULL)
		if (list_one(k, de->d_name, nums, max, n) < 0)
			r = lerr_set(e, LICD_E_LIMIT, "%s: more than %zu "
			    "stored documents", dir, max);
	closedir(d);
	if (r == 0)
		qsort(nums, *n, sizeof(*nums), cmp_u64);
	return r;
}

static int
cmp_lid(const void *a, const void *b)
{
	return strcmp(a, b);
}

int
store_lid_list(struct store *s, char (*lids)[PL_LID_MAX + 1], size_t max,
    size_t *n, struct lerr *e)
{
	struct dirent *de;
	const char *lid;
	DIR *d;
	int fd, r = 0;

	*n = 0;
	if ((r = subdir(s->dirfd, "docs", 0, &fd)) < 0)
		return io_err(e, s->path, "docs", -r);
	if ((d = fdopendir(fd)) == NULL) {
		r = io_err(e, s->path, "docs", errno);
		close(fd);
		return r;
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		lid = de->d_name[0] == '%' ? de->d_name + 1 : de->d_name;
		if ((lid == de->d_name && lid[0] == '.') ||
		    (lid != de->d_name && lid[0] != '.') ||
		    !pl_lid_valid(lid, strlen(lid)))
			continue;
		if (*n >= max)
			r = lerr_set(e, LICD_E_LIMIT, "%s/docs: more than %zu "
			    "lids", s->path, max);
		else
			memcpy(lids[(*n)++], lid, strlen(lid) + 1);	/* valid: <= 64 */
	}
	closedir(d);
	if (r == 0)
		qsort(lids, *n, sizeof(*lids), cmp_lid);
	return r;
}

int
store_clock_load(struct store *s, int64_t *t, struct lerr *e)
{
	uint64_t v;
	size_t len;
	char *buf;
	int r;

	*t = 0;
	r = store_read_at(s->dirfd, s->path, "clock", 64, &buf, &len, e);
	if (r == -LICD_E_NOT_FOUND) {
		lerr_clear(e);
		return 0;
	}
	if (r < 0)
		return r;
	if (len >= 2 && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	if (len < 2 || buf[len - 1] != '\0' || parse_num(buf, &v) != 0 ||
	    v > PL_MAX_INT)
		r = lerr_set(e, LICD_E_MALFORMED, "%s/clock: not decimal "
		    "seconds and a newline", s->path);
	else
		*t = (int64_t)v;
	free(buf);
	return r;
}

int
store_clock_save(struct store *s, int64_t t, struct lerr *e)
{
	char buf[32];
	int n;

	if (t < 0)
		return lerr_set(e, LICD_E_USAGE, "store: negative clock");
	n = snprintf(buf, sizeof(buf), "%lld\n", (long long)t);
	return store_write_at(s->dirfd, s->path, "clock", buf, (size_t)n,
	    FILE_MODE, 0, e);
}

static int
name_ok(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > STORE_NAME_MAX || name[0] == '.')
		return 0;
	for (i = 0; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9') ||
		    name[i] == '.' || name[i] == '_' || name[i] == '-'))
			return 0;
	return 1;
}

static int
top_name_ok(const char *name, struct lerr *e)
{
	size_t i;

	if (!name_ok(name))
		return lerr_set(e, LICD_E_USAGE, "store: bad file name");
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (strcmp(name, reserved[i]) == 0)
			return lerr_set(e, LICD_E_USAGE, "store: \"%s\" is "
			    "reserved", name);
	return 0;
}

int
store_put(struct store *s, const char *name, const void *buf, size_t len,
    struct lerr *e)
{
	int r;

	if ((r = top_name_ok(name, e)) < 0)
		return r;
	return store_write_at(s->dirfd, s->path, name, buf, len, FILE_MODE, 0,
	    e);
}

int
store_del(struct store *s, const char *name, struct lerr *e)
{
	int r;

	if ((r = top_name_ok(name, e)) < 0)
		return r;
	if (unlinkat(s->dirfd, name, 0) != 0 && errno != ENOENT)
		return io_err(e, s->path, name, errno);
	if (fsync(s->dirfd) != 0)
		return io_err(e, s->path, "", errno);
	return 0;
}

int
store_get(struct store *s, const char *name, size_t max, char **out,
    size_t *len, struct lerr *e)
{
	int r;

	*out = NULL;
	*len = 0;
	if ((r = top_name_ok(name, e)) < 0)
		return r;
	return store_read_at(s->dirfd, s->path, name, max, out, len, e);
}

int
store_outbox_put(struct store *s, const char *name, const void *buf,
    size_t len, struct lerr *e)
{
	char dir[1200];
	int fd, r;

	if (!name_ok(name))
		return lerr_set(e, LICD_E_USAGE, "store: bad file name");
	snprintf(dir, sizeof(dir), "%s/outbox", s->path);
	if ((r = subdir(s->dirfd, "outbox", 1, &fd)) < 0)
		return io_err(e, dir, "", -r);
	r = store_write_at(fd, dir, name, buf, len, FILE_MODE, 1, e);
	close(fd);
	return r;
}
