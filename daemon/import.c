/* SPDX-License-Identifier: MIT */
/* engine_import(): the one path by which a document reaches the state —
 * parse, verify under the root in force, decode, decide on a scratch copy,
 * write durably, and only then make the copy the state in force. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

/* A stored document a rotation drops (removed from the store after). */
struct dropped {
	int type;
	char lid[PL_LID_MAX + 1];
	uint64_t num;
};

struct rotation {
	struct engine *eng;
	const struct root *next;
	struct dropped *v;
	size_t n, cap;
	bool io;			/* a stored document could not be read */
};

static void
note_drop(struct rotation *rot, int type, const char *lid, uint64_t num)
{
	struct dropped *v;
	size_t cap;

	if (rot->n == rot->cap) {
		cap = rot->cap ? rot->cap * 2 : 16;
		if ((v = realloc(rot->v, cap * sizeof(*v))) == NULL) {
			rot->io = true;	/* cannot keep track: refuse */
			return;
		}
		rot->v = v;
		rot->cap = cap;
	}
	rot->v[rot->n].type = type;
	snprintf(rot->v[rot->n].lid, sizeof(rot->v[0].lid), "%s", lid);
	rot->v[rot->n].num = num;
	rot->n++;
}

/* Does the stored document still verify under the new root? */
static int
still_valid(struct rotation *rot, int type, const char *lid, uint64_t num,
    const uint8_t hash[32])
{
	struct doc *d = calloc(1, sizeof(*d));
	struct lerr e = { 0 };
	uint8_t h[32];
	char *buf = NULL;
	size_t len;
	int r, ok = 0;

	if (d == NULL) {
		rot->io = true;
		return 0;
	}
	r = store_doc_get(rot->eng->store, eng_store_kind(type), lid,
	    type == DOC_STATUS ? 0 : num, &buf, &len, &e);
	if (r < 0 && r != -LICD_E_NOT_FOUND)
		rot->io = true;
	if (r == 0 && doc_parse(buf, len, type, d, &e) == 0) {
		eng_hash(d, h);
		ok = memcmp(h, hash, 32) == 0 &&
		    eng_verify(d, rot->next, &e) == 0;
	}
	doc_free(d);
	free(d);
	free(buf);
	return ok;
}

static int
reverify(void *ctx, enum doc_type type, const char *lid, uint64_t num,
    const uint8_t hash[32])
{
	struct rotation *rot = ctx;

	if (still_valid(rot, type, lid, num, hash))
		return 1;
	note_drop(rot, type, lid, num);
	return 0;
}

/*
 * A rotation's drops are journalled before the new root is stored and
 * carried out after, so that a crash in between cannot bring back a
 * document the rotation dropped (engine_finish_rotation() completes it).
 * Journal: "<root ver>\n", then "<store kind> <lid> <num>\n" per drop.
 */
static int
journal_drops(struct engine *eng, const struct rotation *rot, uint64_t ver,
    struct lerr *e)
{
	char *buf;
	size_t cap = 32 + rot->n * (PL_LID_MAX + 48), i, n;
	int r;

	if ((buf = malloc(cap)) == NULL)
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	n = (size_t)snprintf(buf, cap, "%llu\n", (unsigned long long)ver);
	for (i = 0; i < rot->n; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%d %s %llu\n",
		    eng_store_kind(rot->v[i].type), rot->v[i].lid,
		    (unsigned long long)rot->v[i].num);
	r = store_put(eng->store, ENG_ROTATION_FILE, buf, n, e);
	free(buf);
	return r;
}

static void
drop_named(struct engine *eng, const char *lid)
{
	uint64_t nums[256];
	struct lerr e;
	size_t j, n;

	if (store_doc_list(eng->store, STORE_NAMED, lid, nums, 256, &n,
	    &e) < 0)
		return;
	for (j = 0; j < n; j++)
		store_doc_del(eng->store, STORE_NAMED, lid, nums[j], &e);
}

/* One journal line: "<kind> <lid> <num>". */
static void
drop_line(struct engine *eng, const char *line)
{
	char lid[PL_LID_MAX + 2];
	unsigned long long num;
	struct lerr e;
	int kind;

	if (sscanf(line, "%d %65s %llu", &kind, lid, &num) != 3 ||
	    kind <= STORE_ROOT || kind >= STORE__KINDS ||
	    !pl_lid_valid(lid, strlen(lid)))
		return;
	store_doc_del(eng->store, (enum store_kind)kind, lid, num, &e);
	if (kind == STORE_STATUS)	/* the statuses that named orders go */
		drop_named(eng, lid);
}

void
engine_finish_rotation(struct engine *eng)
{
	char *buf = NULL, *old = NULL, *line, *save = NULL;
	unsigned long long ver;
	size_t len, olen;
	struct lerr e;

	if (store_get(eng->store, ENG_ROTATION_FILE, STORE_MAX_FILE * 4, &buf,
	    &len, &e) < 0)
		return;
	line = strtok_r(buf, "\n", &save);
	if (line != NULL && sscanf(line, "%llu", &ver) == 1 &&
	    store_doc_get(eng->store, STORE_ROOT, NULL, ver, &old, &olen,
	    &e) == 0)
		while ((line = strtok_r(NULL, "\n", &save)) != NULL)
			drop_line(eng, line);
	free(old);
	free(buf);
	store_del(eng->store, ENG_ROTATION_FILE, &e);
}

static void
commit(struct engine *eng)
{
	struct pol_state *t = eng->st;

	eng->st = eng->scratch;
	eng->scratch = t;
}

static int
reject(struct eng_import *res, int r)
{
	res->verdict = POL_REJECTED;
	res->reason = r < 0 ? -r : r;
	return 0;
}

static int
io_fail(struct eng_import *res)
{
	res->verdict = POL_REJECTED;
	res->reason = LICD_E_IO;
	return -LICD_E_IO;
}

static int
import_root(struct engine *eng, const struct doc *d, union eng_payload *p,
    const void *buf, size_t len, int64_t wall, struct eng_import *res)
{
	struct rotation rot = { .eng = eng, .next = &p->root };
	struct pol_result pr;
	uint8_t hash[32];
	int r;

	/* Verify before parsing: whatever else a root must satisfy, it is
	 * signed by a threshold of the root role in force (root_rotate()
	 * decodes the new root to learn its own keys). */
	r = doc_verify_role(d, &eng->st->root, ROLE_ROOT, 0, NULL, &res->err);
	if (r == 0)
		r = root_rotate(&eng->st->root, eng->root_msg, eng->root_len,
		    d, &p->root, &res->err);
	res->num = r >= 0 ? p->root.ver : 0;
	if (r < 0)
		return reject(res, r);
	if (r == 1) {
		res->verdict = POL_NOOP;
		return 0;
	}
	eng_hash(d, hash);
	memcpy(eng->scratch, eng->st, sizeof(*eng->st));
	r = eng_feed(eng->scratch, DOC_ROOT, p, hash, wall, reverify, &rot,
	    &pr, &res->err);
	res->alarm = pr.alarm;
	if (rot.io) {
		lerr_set(&res->err, LICD_E_IO, "root ver %llu: the stored "
		    "documents could not be re-verified; not rotated",
		    (unsigned long long)p->root.ver);
		r = io_fail(res);
	} else if (r < 0) {
		r = reject(res, r);
	} else if ((r = journal_drops(eng, &rot, p->root.ver,
	    &res->err)) < 0 || (r = store_doc_put(eng->store, STORE_ROOT,
	    NULL, p->root.ver, buf, len, &res->err)) < 0 ||
	    (r = eng_set_root_msg(eng, d)) < 0) {
		r = io_fail(res);
	} else {
		engine_finish_rotation(eng);
		commit(eng);
		res->verdict = pr.verdict;
		res->dropped = pr.dropped;
	}
	free(rot.v);
	return r;
}

/* An equivocation's second message, kept as evidence so that the mark it
 * set survives a restart; a licence's records the highest order seq held
 * then (its mark is measured against it, policy/accept.c). */
static void
keep_conflict(struct engine *eng, const struct eng_import *res,
    const void *buf, size_t len, uint64_t held)
{
	char *copy;
	struct lerr e;
	int n;

	if (res->type == DOC_ORDER) {
		store_doc_put(eng->store, STORE_CONFLICT_ORDER, res->lid,
		    res->num, buf, len, &e);
		return;
	}
	if ((copy = malloc(len + 64)) == NULL)
		return;
	n = snprintf(copy, 64, "# licd: held-seq %llu\n",
	    (unsigned long long)held);
	if ((size_t)n + len > DOC_MAX_BYTES)
		n = 0;		/* no room: replayed after every order */
	memcpy(copy + n, buf, len);
	store_doc_put(eng->store, STORE_CONFLICT_LICENCE, res->lid, res->num,
	    copy, (size_t)n + len, &e);
	free(copy);
}

/* Write a taken document; a status that names a new order seq is also
 * kept as named-<seq> (the loss moment counts from it, DESIGN 4.3). */
static int
put_doc(struct engine *eng, const struct eng_import *res,
    const union eng_payload *p, uint64_t named, const void *buf, size_t len,
    struct lerr *e)
{
	int r;

	if (res->type == DOC_STATUS && res->verdict == POL_ACCEPTED &&
	    p->status.seq > named && (r = store_doc_put(eng->store,
	    STORE_NAMED, res->lid, p->status.seq, buf, len, e)) < 0)
		return r;
	return store_doc_put(eng->store, eng_store_kind(res->type), res->lid,
	    res->type == DOC_STATUS ? 0 : res->num, buf, len, e);
}

static int
import_doc(struct engine *eng, const struct doc *d, union eng_payload *p,
    const void *buf, size_t len, int64_t wall, struct eng_import *res)
{
	struct pol_result pr;
	uint64_t held, named;
	uint8_t hash[32];
	int r;

	if ((r = eng_verify(d, &eng->st->root, &res->err)) < 0 ||
	    (r = eng_decode(d, p, &res->err)) < 0)
		return reject(res, r);
	snprintf(res->lid, sizeof(res->lid), "%s", eng_lid(d->type, p));
	res->num = eng_num(d->type, p);
	eng_hash(d, hash);
	held = eng_max_held(eng->st, res->lid);
	named = eng_last_named(eng->st, res->lid);
	memcpy(eng->scratch, eng->st, sizeof(*eng->st));
	r = eng_feed(eng->scratch, d->type, p, hash, wall, NULL, NULL, &pr,
	    &res->err);
	res->verdict = pr.verdict;
	res->alarm = pr.alarm;
	if (r < 0) {
		if (pr.alarm) {		/* the mark is a tightening: keep it */
			keep_conflict(eng, res, buf, len, held);
			commit(eng);
		}
		return reject(res, r);
	}
	if (pr.verdict == POL_NOOP)
		return 0;
	if (put_doc(eng, res, p, named, buf, len, &res->err) < 0)
		return io_fail(res);
	commit(eng);
	return 0;
}

int
engine_import(struct engine *eng, const void *buf, size_t len, int expect,
    int64_t wall, struct eng_import *res)
{
	struct doc *d = calloc(1, sizeof(*d));
	union eng_payload *p = malloc(sizeof(*p));
	int r;

	memset(res, 0, sizeof(*res));
	res->type = DOC_ANY;
	if (d == NULL || p == NULL) {
		r = reject(res, lerr_set(&res->err, LICD_E_NOMEM,
		    "out of memory"));
	} else if ((r = doc_parse(buf, len, (enum doc_type)expect, d,
	    &res->err)) < 0) {
		r = reject(res, r);
	} else {
		res->type = d->type;
		r = d->type == DOC_ROOT ?
		    import_root(eng, d, p, buf, len, wall, res) :
		    import_doc(eng, d, p, buf, len, wall, res);
	}
	if (res->verdict == POL_REJECTED && res->reason < LICD_E__MAX)
		eng->rejected[res->reason]++;
	else if (res->verdict != POL_REJECTED && res->verdict != POL_NOOP &&
	    res->type >= 0 && res->type < DOC__COUNT)
		eng->accepted[res->type]++;
	if (d != NULL)
		doc_free(d);
	free(d);
	free(p);
	return r;
}
