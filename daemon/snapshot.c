/* SPDX-License-Identifier: MIT */
/* The client snapshot: a seqlock-guarded shared mapping that licd writes
 * and every client reads without a system call or a lock. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lerr.h"
#include "snapshot.h"

_Static_assert(sizeof(struct snap_header) == 4800, "snapshot header layout");
_Static_assert(offsetof(struct snap_header, seq) == 32, "seq offset");
_Static_assert(offsetof(struct snap_header, purposes) == 136,
    "purposes offset");
_Static_assert(sizeof(struct snap_entry) == 272, "snapshot entry layout");
_Static_assert(offsetof(struct snap_entry, purposes) == 248,
    "entry purposes offset");
_Static_assert(offsetof(struct snap_entry, allowed) == 264,
    "entry allowed offset");

/* ---- reader: no allocation, no system call ---- */

size_t
snap_file_size(uint32_t capacity)
{
	return sizeof(struct snap_header) +
	    (size_t)capacity * sizeof(struct snap_entry);
}

int
snap_check(const void *map, size_t len)
{
	const struct snap_header *h = map;

	if (map == NULL || len < sizeof(*h) ||
	    memcmp(h->magic, SNAP_MAGIC, 8) != 0 ||
	    h->version != SNAP_VERSION || h->byte_order != SNAP_BYTE_ORDER ||
	    h->header_size != sizeof(*h) ||
	    h->entry_size != sizeof(struct snap_entry) ||
	    h->capacity > SNAP_MAX_ENTRIES ||
	    len < snap_file_size(h->capacity))
		return SNAP_E_FORMAT;
	return SNAP_OK;
}

static const struct snap_entry *
entry_at(const struct snap_header *h, uint32_t i)
{
	return (const struct snap_entry *)(const void *)
	    ((const char *)h + sizeof(*h)) + i;
}

/* A name fits a field and equals it (the field may be torn: bounded). */
static int
name_eq(const char field[SNAP_NAME_LEN], const char *name, size_t len)
{
	return len < SNAP_NAME_LEN && memcmp(field, name, len) == 0 &&
	    field[len] == '\0';
}

static int
entry_is(const struct snap_entry *en, const char *product, size_t plen,
    const char *feature, size_t flen)
{
	return name_eq(en->product, product, plen) &&
	    name_eq(en->feature, feature, flen);
}

static int
purpose_bit(const struct snap_header *h, const char *purpose)
{
	uint32_t i, n = h->npurposes;
	size_t len = strlen(purpose);

	if (n > SNAP_MAX_PURPOSES)
		n = SNAP_MAX_PURPOSES;
	for (i = 0; i < n; i++)
		if (name_eq(h->purposes[i], purpose, len))
			return (int)i;
	return -1;
}

/* One pass inside the read section; the caller checks seq afterwards. */
static int
scan(const struct snap_header *h, const char *product, const char *feature,
    const char *purpose, uint32_t hint, struct snap_result *out)
{
	uint32_t n = h->nentries;
	size_t plen = strlen(product), flen = strlen(feature);
	int bit;

	if (n > h->capacity)
		n = h->capacity;	/* torn read: seq will not match */
	if (hint >= n || !entry_is(entry_at(h, hint), product, plen, feature,
	    flen))
		for (hint = 0; hint < n; hint++)
			if (entry_is(entry_at(h, hint), product, plen,
			    feature, flen))
				break;
	if (hint >= n)
		return SNAP_E_NOT_FOUND;
	memcpy(&out->entry, entry_at(h, hint), sizeof(out->entry));
	out->index = hint;
	out->generation = h->generation;
	bit = purpose != NULL ? purpose_bit(h, purpose) : -1;
	out->purpose_ok = bit >= 0 &&
	    (out->entry.purposes & (UINT64_C(1) << bit)) != 0;
	return SNAP_OK;
}

static void
terminate(struct snap_entry *en)
{
	en->product[SNAP_NAME_LEN - 1] = '\0';
	en->feature[SNAP_NAME_LEN - 1] = '\0';
	en->lid[SNAP_NAME_LEN - 1] = '\0';
	en->reason[SNAP_REASON_LEN - 1] = '\0';
}

/*
 * The seqlock read side: seq is even and unchanged around the copy. The
 * plain loads inside race with the writer by design (the Linux seqcount
 * pattern); a torn copy is never returned because seq then differs.
 */
int
snap_lookup(const void *map, size_t len, const char *product,
    const char *feature, const char *purpose, uint32_t hint,
    struct snap_result *out)
{
	const struct snap_header *h = map;
	uint64_t s1;
	int tries, r;

	if (snap_check(map, len) != SNAP_OK)
		return SNAP_E_FORMAT;
	for (tries = 0; tries < SNAP_READ_TRIES; tries++) {
		if (__atomic_load_n(&h->flags, __ATOMIC_ACQUIRE) &
		    SNAP_F_SUPERSEDED)
			return SNAP_E_SUPERSEDED;
		s1 = __atomic_load_n(&h->seq, __ATOMIC_ACQUIRE);
		if (s1 & 1)
			continue;
		r = scan(h, product, feature, purpose, hint, out);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&h->seq, __ATOMIC_RELAXED) == s1) {
			terminate(&out->entry);
			return r;
		}
	}
	return SNAP_E_BUSY;
}

int
snap_fresh(const void *map, size_t len, int64_t now_mono)
{
	const struct snap_header *h = map;
	int64_t pub;

	if (snap_check(map, len) != SNAP_OK ||
	    (__atomic_load_n(&h->flags, __ATOMIC_ACQUIRE) & SNAP_F_SUPERSEDED))
		return 0;
	pub = __atomic_load_n(&h->published_mono, __ATOMIC_ACQUIRE);
	return now_mono >= pub && now_mono - pub <= h->grace_ns;
}

/* ---- writer ---- */

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
snap_refresh(struct snap_writer *w)
{
	if (w->map == NULL)
		return;
	__atomic_store_n(&w->map->published_wall, (int64_t)time(NULL),
	    __ATOMIC_RELEASE);
	__atomic_store_n(&w->map->published_mono, mono_ns(),
	    __ATOMIC_RELEASE);
}

void
snap_set_grace(struct snap_writer *w, int64_t grace_ns)
{
	w->grace_ns = grace_ns;
	if (w->map != NULL)
		__atomic_store_n(&w->map->grace_ns, grace_ns,
		    __ATOMIC_RELEASE);
}

static void
init_header(struct snap_writer *w)
{
	struct snap_header *h = w->map;

	memcpy(h->magic, SNAP_MAGIC, 8);
	h->version = SNAP_VERSION;
	h->header_size = sizeof(*h);
	h->entry_size = sizeof(struct snap_entry);
	h->capacity = w->capacity;
	h->byte_order = SNAP_BYTE_ORDER;
	h->grace_ns = w->grace_ns;
	snprintf(h->device, sizeof(h->device), "%s", w->device);
	snap_refresh(w);
}

/* Tell clients still mapping the file at path that it is replaced. */
static void
supersede(int fd)
{
	struct snap_header *h;
	struct stat st;

	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && (size_t)st.st_size >= sizeof(*h) &&
	    (h = mmap(NULL, sizeof(*h), PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0)) != MAP_FAILED) {
		if (memcmp(h->magic, SNAP_MAGIC, 8) == 0)
			__atomic_or_fetch(&h->flags, SNAP_F_SUPERSEDED,
			    __ATOMIC_RELEASE);
		munmap(h, sizeof(*h));
	}
	close(fd);
}

/* Make, size and map the temporary file tmp in dirfd. */
static int
map_new(struct snap_writer *w, int dirfd, const char *tmp)
{
	w->len = snap_file_size(w->capacity);
	w->fd = openat(dirfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (w->fd < 0)
		return -errno;
	if (fchmod(w->fd, 0644) != 0 || ftruncate(w->fd, (off_t)w->len) != 0)
		return -errno;
	w->map = mmap(NULL, w->len, PROT_READ | PROT_WRITE, MAP_SHARED, w->fd,
	    0);
	if (w->map == MAP_FAILED) {
		w->map = NULL;
		return -errno;
	}
	init_header(w);
	return 0;
}

static int
split_path(const char *path, char *dir, size_t cap, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL || slash[1] == '\0' || (size_t)(slash - path) >= cap)
		return -1;
	if (slash == path)
		snprintf(dir, cap, "/");
	else
		snprintf(dir, cap, "%.*s", (int)(slash - path), path);
	*base = slash + 1;
	return 0;
}

int
snap_create(struct snap_writer *w, const char *path, uint32_t capacity,
    int64_t grace_ns, const char *device, struct lerr *e)
{
	char dir[1024], tmp[64];
	const char *base;
	int dirfd, old = -1, err;

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->capacity = capacity > 0 ? capacity : 1;
	w->grace_ns = grace_ns;
	snprintf(w->device, sizeof(w->device), "%s", device ? device : "");
	if (capacity > SNAP_MAX_ENTRIES || snprintf(w->path, sizeof(w->path),
	    "%s", path) >= (int)sizeof(w->path) ||
	    split_path(path, dir, sizeof(dir), &base) != 0)
		return lerr_set(e, LICD_E_USAGE, "snapshot: bad path or size");
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return lerr_set(e, LICD_E_IO, "%s: %s", dir, strerror(errno));
	snprintf(tmp, sizeof(tmp), ".#snapshot.%ld", (long)getpid());
	unlinkat(dirfd, tmp, 0);	/* ours, from a crash: same pid */
	err = map_new(w, dirfd, tmp);
	if (err == 0) {
		old = openat(dirfd, base, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		if (renameat(dirfd, tmp, dirfd, base) != 0)
			err = -errno;
	}
	if (err != 0) {
		unlinkat(dirfd, tmp, 0);
		snap_close(w);
		if (old >= 0)
			close(old);
	} else {
		supersede(old);
	}
	close(dirfd);
	if (err != 0)
		return lerr_set(e, LICD_E_IO, "%s: %s", path, strerror(-err));
	return 0;
}

void
snap_close(struct snap_writer *w)
{
	if (w->map != NULL)
		munmap(w->map, w->len);
	if (w->fd >= 0)
		close(w->fd);
	w->map = NULL;
	w->fd = -1;
}

/* Replace the file by one with room for n entries. */
static int
grow(struct snap_writer *w, uint32_t n, struct lerr *e)
{
	struct snap_writer next;
	uint32_t cap = w->capacity;
	int r;

	while (cap < n)
		cap = cap * 2 > SNAP_MAX_ENTRIES ? SNAP_MAX_ENTRIES : cap * 2;
	if ((r = snap_create(&next, w->path, cap, w->grace_ns, w->device,
	    e)) < 0)
		return r;
	next.map->generation = w->map->generation;
	snap_close(w);
	*w = next;
	return 0;
}

/* The write side of the seqlock: seq odd while the data changes. */
static void
write_begin(struct snap_header *h)
{
	uint64_t s = __atomic_load_n(&h->seq, __ATOMIC_RELAXED);

	__atomic_store_n(&h->seq, s + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void
write_end(struct snap_header *h)
{
	h->generation++;
	__atomic_store_n(&h->seq, __atomic_load_n(&h->seq, __ATOMIC_RELAXED) +
	    1, __ATOMIC_RELEASE);
}

int
snap_publish(struct snap_writer *w, const struct snap_entry *entries,
    uint32_t n, const char (*purposes)[SNAP_NAME_LEN], uint32_t npurposes,
    struct lerr *e)
{
	struct snap_header *h;
	int r;

	if (w->map == NULL)
		return lerr_set(e, LICD_E_IO, "snapshot not open");
	if (npurposes > SNAP_MAX_PURPOSES || n > SNAP_MAX_ENTRIES)
		return lerr_set(e, LICD_E_LIMIT, "snapshot: more than %d "
		    "purposes or %d entries", SNAP_MAX_PURPOSES,
		    SNAP_MAX_ENTRIES);
	if (n > w->capacity && (r = grow(w, n, e)) < 0)
		return r;
	h = w->map;
	write_begin(h);
	if (n > 0)
		memcpy((char *)h + sizeof(*h), entries, n * sizeof(*entries));
	if (h->nentries > n)
		memset((char *)h + sizeof(*h) + n * sizeof(*entries), 0,
		    (h->nentries - n) * sizeof(*entries));
	h->nentries = n;
	memset(h->purposes, 0, sizeof(h->purposes));
	if (npurposes > 0)
		memcpy(h->purposes, purposes, npurposes * SNAP_NAME_LEN);
	h->npurposes = npurposes;
	write_end(h);
	snap_refresh(w);
	return 0;
}

int
snap_update(struct snap_writer *w, uint32_t index,
    const struct snap_entry *entry, struct lerr *e)
{
	struct snap_header *h = w->map;

	if (h == NULL || index >= h->nentries)
		return lerr_set(e, LICD_E_USAGE, "snapshot: no entry %u",
		    index);
	write_begin(h);
	memcpy((char *)h + sizeof(*h) + index * sizeof(*entry), entry,
	    sizeof(*entry));
	write_end(h);
	return 0;
}
