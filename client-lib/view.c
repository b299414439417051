/* SPDX-License-Identifier: MIT */
/* The check path: decisions read from licd's snapshot through a read-only
 * shared mapping and its seqlock, with no system call, lock or allocation
 * in the steady state; and the lazy re-opening of the snapshot when licd
 * restarts or its file is replaced. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client.h"

/*
 * Why not snap_lookup() (daemon/snapshot.c) on this path: it copies the
 * whole 272-byte entry and scans the purpose table on every call. Here the same seqlock protocol (doc/snapshot.md) reads only the
 * fields a decision needs, and remembers where a handle's entry and
 * purpose bit were, tagged with the generation they were found at: while
 * the generation is the same, the entries are the same (licd bumps it on
 * every change, under the seqlock), so the names need not be compared
 * again. A tag lives in the lc_map of one file, since a new file (a
 * restarted licd) numbers its generations afresh.
 */
#define GEN_MASK	((UINT64_C(1) << 47) - 1)
#define TAG(gen, i)	((((gen) & GEN_MASK) << 17) | (UINT64_C(1) << 16) | (i))
#define TAG_OK(c, gen)	(((c) >> 16) == ((((gen) & GEN_MASK) << 1) | 1))
#define TAG_INDEX(c)	((uint32_t)((c) & 0xffff))

/* Largest file we map: SNAP_MAX_ENTRIES entries. */
#define MAP_MAX		(sizeof(struct snap_header) + \
	(size_t)SNAP_MAX_ENTRIES * sizeof(struct snap_entry))

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/*
 * Waiting for the writer. licd holds the seqlock for microseconds, but it
 * can be preempted inside (a loaded machine, or a writer that died there).
 * So spin a little, then yield the CPU (a system call, only under this
 * contention), and give up after LC_BUSY_NS: the check then denies with
 * daemon-unavailable rather than wait any longer. A seq value that timed
 * out once is remembered, so a writer that died inside costs one wait,
 * not one per check until the file goes stale.
 */
struct backoff {
	int spins;
	int64_t start;
};

static bool
backoff(struct backoff *b)
{
	if (++b->spins < LC_SPINS) {
		cpu_relax();
		return true;
	}
	if (b->start == 0)
		b->start = view_now();
	else if (view_now() - b->start > LC_BUSY_NS)
		return false;
	sched_yield();
	return true;
}

/* The writer holds seq odd: wait, unless it was already found stuck at
 * this very value (died inside): then answer at once. */
static bool
wait_writer(struct lc_map *m, uint64_t seq, struct backoff *b)
{
	if (__atomic_load_n(&m->stuck_seq, __ATOMIC_RELAXED) == seq)
		return false;
	if (backoff(b))
		return true;
	__atomic_store_n(&m->stuck_seq, seq, __ATOMIC_RELAXED);
	return false;
}

int64_t
view_now(void)
{
	struct timespec ts;

	/* COARSE is read from the vDSO: no system call, a tick (1-4 ms)
	 * behind CLOCK_MONOTONIC, which LC_CLOCK_SLACK_NS absorbs. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline const struct snap_entry *
entry_at(const struct snap_header *hd, uint32_t i)
{
	return (const struct snap_entry *)(const void *)(hd + 1) + i;
}

/*
 * Fresh: licd refreshed the file within its grace. The published time
 * may be a little ahead of our coarse clock; much ahead is nonsense (or
 * another time namespace) and counts as stale: fail closed.
 */
static bool
fresh(const struct lc_map *m, int64_t now)
{
	int64_t pub = __atomic_load_n(&m->hdr->published_mono,
	    __ATOMIC_ACQUIRE);
	int64_t grace = __atomic_load_n(&m->hdr->grace_ns, __ATOMIC_RELAXED);
	int64_t age = now - pub;

	return pub > 0 && age <= grace && age >= -LC_CLOCK_SLACK_NS;
}

/* ---- mapping and re-opening ---- */

static struct lc_map *
map_file(licd_t *h, const struct lc_map *old)
{
	struct lc_map *m;
	struct stat st;
	void *p;
	int fd;

	/* O_NONBLOCK: a FIFO planted there must not hang the product. */
	fd = open(h->snap_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (old != NULL && st.st_dev == old->dev && st.st_ino == old->ino) ||
	    (size_t)st.st_size < sizeof(struct snap_header) ||
	    (size_t)st.st_size > MAP_MAX) {
		close(fd);
		return NULL;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return NULL;
	if (snap_check(p, (size_t)st.st_size) != SNAP_OK ||
	    (m = calloc(1, sizeof(*m))) == NULL) {
		munmap(p, (size_t)st.st_size);
		return NULL;
	}
	m->hdr = p;
	m->len = (size_t)st.st_size;
	/* Bounds come from here, never from the shared header again. */
	m->cap = m->hdr->capacity;
	m->dev = st.st_dev;
	m->ino = st.st_ino;
	return m;
}

/* Release the file behind m, keeping its addresses valid: zero pages
 * read as a snapshot that is stale. */
static void
overlay(struct lc_map *m)
{
	void *p = mmap((void *)m->hdr, m->len, PROT_READ, MAP_PRIVATE |
	    MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	(void)p;	/* on failure the old file simply stays mapped */
}

/*
 * Replace old by m (h->lock held). Not old but the map replaced the time
 * before is overlaid now: a reader would have to stall across two
 * replacements to meet it, and zeros never read as allowed (nor fresh).
 */
static void
install(licd_t *h, struct lc_map *m, struct lc_map *old)
{
	__atomic_store_n(&h->map, m, __ATOMIC_RELEASE);
	__atomic_store_n(&h->next_reopen, 0, __ATOMIC_RELAXED);
	if (old == NULL)
		return;
	if (h->retired != NULL)
		overlay(h->retired);
	old->older = h->retired;
	h->retired = old;
}

/*
 * The snapshot to read instead of old (superseded, stale or absent), or
 * NULL when there is nothing new. At most one attempt per LC_REOPEN_NS,
 * except the first after a successful one, so a superseded file is
 * followed at once and a missing daemon costs a few system calls a
 * second, not one per check.
 */
static struct lc_map *
reopen(licd_t *h, struct lc_map *old, int64_t now)
{
	struct lc_map *m = NULL, *cur;

	if (now < __atomic_load_n(&h->next_reopen, __ATOMIC_RELAXED))
		return NULL;
	pthread_mutex_lock(&h->lock);
	cur = __atomic_load_n(&h->map, __ATOMIC_ACQUIRE);
	if (cur != old) {
		m = cur;	/* another thread got there first */
	} else if (now >= h->next_reopen) {
		__atomic_store_n(&h->next_reopen, now + LC_REOPEN_NS,
		    __ATOMIC_RELAXED);
		if ((m = map_file(h, old)) != NULL)
			install(h, m, old);
	}
	pthread_mutex_unlock(&h->lock);
	return m;
}

void
view_open(licd_t *h)
{
	struct lc_map *m = map_file(h, NULL);

	if (m != NULL)
		install(h, m, NULL);
}

static void
unmap(struct lc_map *m)
{
	munmap((void *)m->hdr, m->len);
	free(m);
}

void
view_close(licd_t *h)
{
	struct lc_map *m, *next;

	if (h->map != NULL)
		unmap(h->map);
	for (m = h->retired; m != NULL; m = next) {
		next = m->older;
		unmap(m);
	}
	h->map = h->retired = NULL;
}

/* ---- the read section ---- */

/* What one consistent read found. */
struct ans {
	bool found;			/* the feature's entry */
	bool row;			/* else the product's row */
	uint8_t allowed, state;
	int pbit;			/* -1: purpose not in the table */
	uint64_t purposes;
	char reason[SNAP_REASON_LEN];
};

struct want {
	const struct lc_name *product;
	uint32_t fh, ph;		/* handles, or LC_NO_HANDLE */
	const struct lc_name *feature, *purpose;	/* purpose NULL: none */
};

static inline bool
entry_is(const struct snap_entry *e, const struct lc_name *product,
    const struct lc_name *feature)
{
	/* len + 1 <= 65 < SNAP_NAME_LEN: the NUL is compared too. */
	return memcmp(e->feature, feature->name, feature->len + 1) == 0 &&
	    memcmp(e->product, product->name, product->len + 1) == 0;
}

/* The index of the entry, or -1; *tag: what to cache (0: nothing). */
static int64_t
find_entry(const struct lc_map *m, const struct lc_name *product,
    uint32_t fh, const struct lc_name *feature, uint64_t gen, uint32_t n,
    uint64_t *tag)
{
	uint64_t c = fh != LC_NO_HANDLE ?
	    __atomic_load_n(&m->fcache[fh], __ATOMIC_RELAXED) : 0;
	uint32_t i;

	*tag = 0;
	if (c != 0 && TAG_OK(c, gen) && TAG_INDEX(c) < n)
		return TAG_INDEX(c);
	i = TAG_INDEX(c);	/* likely still there */
	if (i >= n || !entry_is(entry_at(m->hdr, i), product, feature))
		for (i = 0; i < n; i++)
			if (entry_is(entry_at(m->hdr, i), product, feature))
				break;
	if (i >= n)
		return -1;
	if (fh != LC_NO_HANDLE)
		*tag = TAG(gen, i);
	return i;
}

static int
find_purpose(const struct lc_map *m, uint32_t ph,
    const struct lc_name *purpose, uint64_t gen, uint64_t *tag)
{
	const struct snap_header *hd = m->hdr;
	uint64_t c = ph != LC_NO_HANDLE ?
	    __atomic_load_n(&m->pcache[ph], __ATOMIC_RELAXED) : 0;
	uint32_t i, np;

	*tag = 0;
	if (c != 0 && TAG_OK(c, gen))
		return (int)TAG_INDEX(c);
	np = __atomic_load_n(&hd->npurposes, __ATOMIC_RELAXED);
	if (np > SNAP_MAX_PURPOSES)
		np = SNAP_MAX_PURPOSES;
	for (i = 0; i < np; i++)
		if (memcmp(hd->purposes[i], purpose->name, purpose->len + 1) ==
		    0) {
			if (ph != LC_NO_HANDLE)
				*tag = TAG(gen, i);
			return (int)i;
		}
	return -1;
}

/* Copy what a decision needs from entry i (inside the section). */
static void
take(const struct snap_entry *e, struct ans *a)
{
	a->allowed = __atomic_load_n(&e->allowed, __ATOMIC_RELAXED);
	a->state = __atomic_load_n(&e->state, __ATOMIC_RELAXED);
	a->purposes = __atomic_load_n(&e->purposes, __ATOMIC_RELAXED);
	if (!a->allowed)
		memcpy(a->reason, e->reason, sizeof(a->reason));
}

static const struct lc_name row_name;	/* "" */

/* One pass inside the seqlock; the caller checks seq afterwards. */
static void
pass(const struct lc_map *m, const struct want *w, uint64_t gen,
    uint32_t n, struct ans *a, uint64_t tags[3])
{
	int64_t i;

	a->found = a->row = false;
	a->pbit = -1;
	tags[1] = tags[2] = 0;
	i = find_entry(m, w->product, w->fh, w->feature, gen, n, &tags[0]);
	if (i >= 0) {
		a->found = true;
		take(entry_at(m->hdr, (uint32_t)i), a);
		if (a->allowed && w->purpose != NULL)
			a->pbit = find_purpose(m, w->ph, w->purpose, gen,
			    &tags[1]);
		return;
	}
	if (w->fh == LC_PRODUCT_ROW)
		return;
	/* No such feature: the product's row may say why (revoked, ...). */
	i = find_entry(m, w->product, LC_PRODUCT_ROW, &row_name, gen, n,
	    &tags[2]);
	if (i >= 0) {
		a->row = true;
		take(entry_at(m->hdr, (uint32_t)i), a);
	}
}

/*
 * The seqlock read side (doc/snapshot.md): seq even and unchanged around
 * the reads. The loads inside race with licd's writes by design; a torn
 * copy is never used because seq then differs.
 */
static int
read_section(struct lc_map *m, const struct want *w, struct ans *a)
{
	const struct snap_header *hd = m->hdr;
	struct backoff b = { 0, 0 };
	uint64_t s1, gen, tags[3];
	uint32_t n;

	for (;;) {
		if (__atomic_load_n(&hd->flags, __ATOMIC_ACQUIRE) &
		    SNAP_F_SUPERSEDED)
			return SNAP_E_SUPERSEDED;
		s1 = __atomic_load_n(&hd->seq, __ATOMIC_ACQUIRE);
		if ((s1 & 1) && !wait_writer(m, s1, &b))
			return SNAP_E_BUSY;
		if (s1 & 1)
			continue;
		gen = __atomic_load_n(&hd->generation, __ATOMIC_RELAXED);
		n = __atomic_load_n(&hd->nentries, __ATOMIC_RELAXED);
		if (n > m->cap)
			n = m->cap;
		pass(m, w, gen, n, a, tags);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&hd->seq, __ATOMIC_RELAXED) != s1) {
			if (!backoff(&b))
				return SNAP_E_BUSY;
			continue;
		}
		/* Consistent: remember where things were. The tag itself
		 * says which generation it is good for, so a race between
		 * two threads storing tags is harmless. */
		if (tags[0] != 0)
			__atomic_store_n(&m->fcache[w->fh], tags[0],
			    __ATOMIC_RELAXED);
		if (tags[1] != 0)
			__atomic_store_n(&m->pcache[w->ph], tags[1],
			    __ATOMIC_RELAXED);
		if (tags[2] != 0)
			__atomic_store_n(&m->fcache[LC_PRODUCT_ROW],
			    tags[2], __ATOMIC_RELAXED);
		return SNAP_OK;
	}
}

static licd_reason_t
denial(const struct ans *a)
{
	licd_reason_t r = reason_parse(a->reason, strnlen(a->reason,
	    sizeof(a->reason)));

	if (r != LICD_REASON_NONE)
		return r;
	r = reason_of_state((licd_state_t)a->state);
	return r != LICD_REASON_NONE ? r : LICD_REASON_OTHER;
}

static licd_reason_t
verdict(const struct ans *a, bool want_purpose)
{
	if (a->row)	/* the feature is not licensed; is anything? */
		return !a->allowed && a->state < LICD_STATE_RESTRICTED ?
		    denial(a) : LICD_REASON_NOT_LICENSED;
	if (!a->found)
		return LICD_REASON_NOT_LICENSED;
	if (!a->allowed)
		return denial(a);
	if (want_purpose && (a->pbit < 0 ||
	    !((a->purposes >> a->pbit) & 1)))
		return LICD_REASON_PURPOSE_NOT_PERMITTED;
	return LICD_REASON_NONE;
}

/*
 * The current, fresh, not superseded mapping, read into a; SNAP_OK or
 * not (then the answer is daemon-unavailable). Two rounds: a superseded
 * or stale file is re-opened once per check at most.
 */
static int
read_current(licd_t *h, const struct want *w, struct ans *a)
{
	struct lc_map *m = __atomic_load_n(&h->map, __ATOMIC_ACQUIRE);
	int64_t now = view_now();
	int round, r;

	for (round = 0; round < 2; round++) {
		if (m == NULL || !fresh(m, now)) {
			if ((m = reopen(h, m, now)) == NULL)
				return SNAP_E_FORMAT;
			continue;
		}
		r = read_section(m, w, a);
		if (r != SNAP_E_SUPERSEDED)
			return r;
		if ((m = reopen(h, m, now)) == NULL)
			return r;
	}
	return SNAP_E_BUSY;
}

/*
 * The steady state, kept small: a fresh current file, the entry and the
 * purpose bit where this handle found them at this generation, and the
 * answer "allowed". Anything else (a denial, a change, a first use) takes
 * the full path below, with the same seqlock protocol.
 */
int
view_fast(const licd_t *h, uint32_t fh, uint32_t ph, bool want_purpose)
{
	const struct lc_map *m = __atomic_load_n(&h->map, __ATOMIC_ACQUIRE);
	const struct snap_header *hd;
	const struct snap_entry *e;
	uint64_t s1, gen, c, bits;
	uint32_t i;

	if (m == NULL || fh == LC_NO_HANDLE ||
	    (want_purpose && ph == LC_NO_HANDLE) || !fresh(m, view_now()))
		return 0;
	hd = m->hdr;
	if (__atomic_load_n(&hd->flags, __ATOMIC_ACQUIRE) & SNAP_F_SUPERSEDED)
		return 0;
	s1 = __atomic_load_n(&hd->seq, __ATOMIC_ACQUIRE);
	gen = __atomic_load_n(&hd->generation, __ATOMIC_RELAXED);
	c = __atomic_load_n(&m->fcache[fh], __ATOMIC_RELAXED);
	if ((s1 & 1) || !TAG_OK(c, gen) || (i = TAG_INDEX(c)) >= m->cap)
		return 0;
	e = entry_at(hd, i);
	if (!__atomic_load_n(&e->allowed, __ATOMIC_RELAXED))
		return 0;
	if (want_purpose) {
		bits = __atomic_load_n(&e->purposes, __ATOMIC_RELAXED);
		c = __atomic_load_n(&m->pcache[ph], __ATOMIC_RELAXED);
		if (!TAG_OK(c, gen) || !((bits >> TAG_INDEX(c)) & 1))
			return 0;
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&hd->seq, __ATOMIC_RELAXED) == s1;
}

int
view_check(licd_t *h, uint32_t fh, const struct lc_name *fname, uint32_t ph,
    const struct lc_name *pname, licd_reason_t *why)
{
	struct want w = { &h->product, fh, ph, fname, pname };
	struct ans a;
	licd_reason_t r;

	if (read_current(h, &w, &a) != SNAP_OK)
		r = LICD_REASON_DAEMON_UNAVAILABLE;
	else
		r = verdict(&a, pname != NULL);
	if (why != NULL)
		*why = r;
	return r == LICD_REASON_NONE;
}

/* ---- the product as a whole ---- */

struct summary {
	bool row, any;
	struct ans first;		/* the row, else the first feature */
	uint64_t digest;
};

static void
mix(uint64_t *d, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		*d = (*d ^ b[i]) * UINT64_C(1099511628211);
}

/* Hash what checks of e could answer; purposes by name, so that a
 * reordered purpose table is no change. */
static void
mix_entry(const struct snap_header *hd, const struct snap_entry *e,
    uint64_t *d)
{
	uint64_t bits = e->purposes;
	uint32_t i;

	mix(d, e->feature, sizeof(e->feature));
	mix(d, &e->allowed, 1);
	mix(d, &e->state, 1);
	mix(d, e->reason, sizeof(e->reason));
	mix(d, &e->max_concurrent, sizeof(e->max_concurrent));
	for (i = 0; i < SNAP_MAX_PURPOSES; i++)
		if ((bits >> i) & 1)
			mix(d, hd->purposes[i], SNAP_NAME_LEN);
}

static int
summarize(licd_t *h, struct lc_map *m, struct summary *s)
{
	const struct snap_header *hd = m->hdr;
	const struct snap_entry *e;
	struct backoff b = { 0, 0 };
	uint64_t s1;
	uint32_t n, i;

	for (;;) {
		if (__atomic_load_n(&hd->flags, __ATOMIC_ACQUIRE) &
		    SNAP_F_SUPERSEDED)
			return SNAP_E_SUPERSEDED;
		s1 = __atomic_load_n(&hd->seq, __ATOMIC_ACQUIRE);
		if ((s1 & 1) && !wait_writer(m, s1, &b))
			return SNAP_E_BUSY;
		if (s1 & 1)
			continue;
		memset(s, 0, sizeof(*s));
		s->digest = UINT64_C(14695981039346656037);
		n = __atomic_load_n(&hd->nentries, __ATOMIC_RELAXED);
		for (i = 0; i < n && i < m->cap; i++) {
			e = entry_at(hd, i);
			if (memcmp(e->product, h->product.name,
			    h->product.len + 1) != 0)
				continue;
			mix_entry(hd, e, &s->digest);
			if (!s->row && (e->feature[0] == '\0' || !s->any)) {
				take(e, &s->first);
				s->row = e->feature[0] == '\0';
			}
			s->any = true;
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&hd->seq, __ATOMIC_RELAXED) == s1)
			return SNAP_OK;
		if (!backoff(&b))
			return SNAP_E_BUSY;
	}
}

void
view_state(licd_t *h, licd_state_t *state, licd_reason_t *why,
    uint64_t *digest)
{
	struct lc_map *m = __atomic_load_n(&h->map, __ATOMIC_ACQUIRE);
	int64_t now = view_now();
	struct summary s;
	int round, r = SNAP_E_FORMAT;

	for (round = 0; round < 2 && r != SNAP_OK; round++) {
		if (m == NULL || !fresh(m, now)) {
			if ((m = reopen(h, m, now)) == NULL)
				break;
			continue;
		}
		if ((r = summarize(h, m, &s)) == SNAP_E_SUPERSEDED &&
		    (m = reopen(h, m, now)) == NULL)
			break;
	}
	if (r != SNAP_OK) {
		*state = LICD_STATE_UNKNOWN;
		*why = LICD_REASON_DAEMON_UNAVAILABLE;
		*digest = 1;
		return;
	}
	*digest = s.digest;
	if (!s.any) {
		*state = LICD_STATE_INVALID;
		*why = LICD_REASON_NOT_LICENSED;
		return;
	}
	*state = s.first.state <= LICD_STATE_ACTIVE ?
	    (licd_state_t)s.first.state : LICD_STATE_INVALID;
	*why = reason_of_state(*state);
	if (*why != LICD_REASON_NONE && s.row && !s.first.allowed)
		*why = denial(&s.first);
}

int64_t
view_fresh_for(licd_t *h)
{
	struct lc_map *m = __atomic_load_n(&h->map, __ATOMIC_ACQUIRE);
	int64_t now = view_now(), left;

	if (m == NULL || !fresh(m, now))
		return 0;
	left = __atomic_load_n(&m->hdr->published_mono, __ATOMIC_ACQUIRE) +
	    __atomic_load_n(&m->hdr->grace_ns, __ATOMIC_RELAXED) - now;
	return left > 0 ? left : 0;
}
