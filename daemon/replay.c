/* SPDX-License-Identifier: MIT */
/* Start-up: nothing stored is trusted because it is stored. The root chain
 * is rebuilt from the configured first root, every stored document is
 * verified again and fed to the policy in a fixed order, and a lid with a
 * document that fails is invalid for this run. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine_int.h"

#define REPLAY_MAX_REVOKES	8	/* per lid (more are fed in order) */

struct link {
	struct root root;
	uint8_t hash[32];
	uint8_t *msg;			/* its message (for root_rotate) */
	size_t len;
};

struct replay {
	struct engine *eng;
	struct link *chain;		/* [0] the configured first root */
	size_t nchain;
	int64_t wall;
	struct doc *d;
	union eng_payload *p;
	struct eng_start *out;
};

static int
always(void *ctx, enum doc_type t, const char *lid, uint64_t num,
    const uint8_t hash[32])
{
	(void)ctx, (void)t, (void)lid, (void)num, (void)hash;
	return 1;	/* nothing is stored in the policy yet */
}

/* ---- the root chain ---- */

static int
load_doc(struct engine *eng, enum store_kind k, const char *lid,
    uint64_t num, int type, struct doc *d, struct lerr *e)
{
	char *buf = NULL;
	size_t len;
	int r;

	doc_free(d);
	if ((r = store_doc_get(eng->store, k, lid, num, &buf, &len, e)) == 0)
		r = doc_parse(buf, len, (enum doc_type)type, d, e);
	free(buf);
	return r;
}

static int
keep_msg(struct link *l, const struct doc *d)
{
	if ((l->msg = malloc(d->msg_len > 0 ? d->msg_len : 1)) == NULL)
		return -LICD_E_NOMEM;
	memcpy(l->msg, d->msg, d->msg_len);
	l->len = d->msg_len;
	eng_hash(d, l->hash);
	return 0;
}

/* One stored root above the chain's end: rotate to it, or stop. */
static int
rotate_to(struct replay *rp, uint64_t ver, struct lerr *e)
{
	struct link *cur = &rp->chain[rp->nchain - 1];
	struct link *next = &rp->chain[rp->nchain];
	int r;

	if ((r = load_doc(rp->eng, STORE_ROOT, NULL, ver, DOC_ROOT, rp->d,
	    e)) < 0 || (r = doc_verify_role(rp->d, &cur->root, ROLE_ROOT, 0,
	    NULL, e)) < 0 || (r = root_rotate(&cur->root, cur->msg, cur->len,
	    rp->d, &next->root, e)) < 0)
		return r;
	if (r == 1)
		return 0;	/* the same root again */
	if ((r = keep_msg(next, rp->d)) < 0)
		return r;
	rp->nchain++;
	rp->out->roots++;
	return 0;
}

static int
build_chain(struct replay *rp, const struct doc *first, struct lerr *e)
{
	uint64_t vers[ENG_MAX_CHAIN * 4];
	struct lerr re = { 0 };
	size_t i, n;
	int r;

	if ((r = root_from_doc(first, &rp->chain[0].root, e)) < 0)
		return lerr_set(e, LICD_E_CONFIG, "the configured root: %s",
		    e->msg);
	if ((r = keep_msg(&rp->chain[0], first)) < 0)
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	rp->nchain = 1;
	if ((r = store_doc_list(rp->eng->store, STORE_ROOT, NULL, vers,
	    sizeof(vers) / sizeof(vers[0]), &n, e)) < 0)
		return r;
	for (i = 0; i < n && rp->nchain < ENG_MAX_CHAIN; i++) {
		if (vers[i] <= rp->chain[0].root.ver)
			continue;
		if (rotate_to(rp, vers[i], &re) < 0) {
			rp->out->roots_bad = n - i;	/* the chain ends */
			break;
		}
	}
	return 0;
}

/* The configured root is kept in the store too (receipt root-applied). */
static int
store_first(struct replay *rp, const void *buf, size_t len, struct lerr *e)
{
	uint64_t ver = rp->chain[0].root.ver;
	char *old = NULL;
	size_t olen;
	int r;

	r = store_doc_get(rp->eng->store, STORE_ROOT, NULL, ver, &old, &olen,
	    e);
	free(old);
	if (r != -LICD_E_NOT_FOUND)
		return r;
	rp->out->first_stored = true;
	return store_doc_put(rp->eng->store, STORE_ROOT, NULL, ver, buf, len,
	    e);
}

static int
feed_chain(struct replay *rp, struct lerr *e)
{
	struct pol_result res;
	struct link *l;
	size_t i;
	int r;

	for (i = 0; i < rp->nchain; i++) {
		r = eng_feed(rp->eng->st, DOC_ROOT,
		    (const union eng_payload *)(const void *)&rp->chain[i].root,
		    rp->chain[i].hash, rp->wall, always, NULL, &res, e);
		if (r < 0 && i == 0)
			return lerr_set(e, LICD_E_CONFIG, "the configured root "
			    "cannot be taken now: %s", e->msg);
		if (r < 0) {
			rp->out->roots_bad += rp->nchain - i;
			rp->nchain = i;
			break;
		}
	}
	l = &rp->chain[rp->nchain - 1];
	free(rp->eng->root_msg);
	if ((rp->eng->root_msg = malloc(l->len > 0 ? l->len : 1)) == NULL)
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	memcpy(rp->eng->root_msg, l->msg, l->len);
	rp->eng->root_len = l->len;
	rp->out->root_ver = rp->eng->st->root.ver;
	return 0;
}

/* ---- documents ---- */

/* Verify under the root in force, or (sanctions that rotation keeps)
 * under any root of the chain. */
static int
verify_chain(struct replay *rp, bool any_root, struct lerr *e)
{
	size_t i = rp->nchain;
	int r;

	if ((r = eng_verify(rp->d, &rp->chain[i - 1].root, e)) == 0 ||
	    !any_root)
		return r;
	while (--i > 0)
		if (eng_verify(rp->d, &rp->chain[i - 1].root, NULL) == 0)
			return 0;
	return r;
}

static int
type_of(enum store_kind k)
{
	switch (k) {
	case STORE_LICENCE:
	case STORE_CONFLICT_LICENCE:
		return DOC_LICENCE;
	case STORE_ORDER:
	case STORE_CONFLICT_ORDER:
		return DOC_ORDER;
	default:
		return DOC_STATUS;
	}
}

/* Load, verify and decode one stored document into rp->d, rp->p. */
static int
prepare(struct replay *rp, enum store_kind k, const char *lid, uint64_t num,
    struct lerr *e)
{
	bool any_root = k == STORE_ORDER || k == STORE_CONFLICT_ORDER ||
	    k == STORE_CONFLICT_LICENCE;
	int r;

	if ((r = load_doc(rp->eng, k, lid, num, type_of(k), rp->d, e)) < 0 ||
	    (r = verify_chain(rp, any_root, e)) < 0 ||
	    (r = eng_decode(rp->d, rp->p, e)) < 0)
		return r;
	if (strcmp(eng_lid(rp->d->type, rp->p), lid) != 0 ||
	    (k != STORE_STATUS && k != STORE_NAMED &&
	    eng_num(rp->d->type, rp->p) != num))
		return lerr_set(e, LICD_E_MISMATCH, "stored under another lid "
		    "or number");
	return 0;
}

static void
note_bad(struct replay *rp, enum store_kind k, const char *lid, uint64_t num,
    int code, const struct lerr *e)
{
	struct eng_bad *b;

	if (rp->out->docs_bad++ >= ENG_MAX_BAD)
		return;
	b = &rp->out->bad[rp->out->docs_bad - 1];
	snprintf(b->what, sizeof(b->what), "docs/%s%s/%s", lid[0] == '.' ?
	    "%" : "", lid, store_kind_prefix(k));
	if (k != STORE_STATUS)
		snprintf(b->what + strlen(b->what), sizeof(b->what) -
		    strlen(b->what), "%llu", (unsigned long long)num);
	snprintf(b->why, sizeof(b->why), "%s: %s", lerr_reason(code),
	    e->msg[0] ? e->msg : "rejected");
}

/* Feed one stored document; a failure taints its lid. */
static void
feed(struct replay *rp, enum store_kind k, const char *lid, uint64_t num)
{
	struct pol_result res;
	struct lerr e = { 0 };
	uint8_t hash[32];
	int r;

	r = prepare(rp, k, lid, num, &e);
	if (r == -LICD_E_NOT_FOUND)
		return;
	if (r == 0) {
		eng_hash(rp->d, hash);
		r = eng_feed(rp->eng->st, rp->d->type, rp->p, hash, rp->wall,
		    NULL, NULL, &res, &e);
		/* After a revoke nothing more is taken; a status older than
		 * one that named an order (a crash between writing the two,
		 * import.c put_doc()) is simply older: neither is a failure. */
		if (r == -LICD_E_REVOKED || (r == -LICD_E_REPLAY &&
		    k == STORE_STATUS))
			r = 0;
	}
	if (r < 0) {
		eng_taint(rp->eng, lid);
		note_bad(rp, k, lid, num, -r, &e);
	} else {
		rp->out->docs++;
	}
}

/* Equivocation evidence: only its mark is wanted, so it is tried on a
 * copy and kept only when it is rejected with the alarm again. */
static void
feed_conflict(struct replay *rp, enum store_kind k, const char *lid,
    uint64_t num)
{
	struct engine *eng = rp->eng;
	struct pol_state *t;
	struct pol_result res;
	struct lerr e = { 0 };
	uint8_t hash[32];

	if (prepare(rp, k, lid, num, &e) < 0)
		return;
	eng_hash(rp->d, hash);
	memcpy(eng->scratch, eng->st, sizeof(*eng->st));
	if (eng_feed(eng->scratch, rp->d->type, rp->p, hash, rp->wall, NULL,
	    NULL, &res, &e) < 0 && res.alarm) {
		t = eng->st;
		eng->st = eng->scratch;
		eng->scratch = t;
	}
}

/* The held-seq a licence conflict recorded ("# licd: held-seq N"). */
static uint64_t
conflict_held(struct replay *rp, const char *lid, uint64_t ver)
{
	unsigned long long held;
	char *buf = NULL;
	size_t len;
	uint64_t r = UINT64_MAX;

	if (store_doc_get(rp->eng->store, STORE_CONFLICT_LICENCE, lid, ver,
	    &buf, &len, NULL) == 0 &&
	    sscanf(buf, "# licd: held-seq %llu\n", &held) == 1)
		r = held;
	free(buf);
	return r;
}

struct nums {
	uint64_t v[STORE_MAX_NUMS];
	size_t n;
};

static void
list(struct replay *rp, enum store_kind k, const char *lid, struct nums *ns)
{
	struct lerr e = { 0 };

	if (store_doc_list(rp->eng->store, k, lid, ns->v, STORE_MAX_NUMS,
	    &ns->n, &e) < 0) {
		ns->n = 0;
		eng_taint(rp->eng, lid);	/* cannot see them all */
		note_bad(rp, k, lid, 0, e.code, &e);
	}
}

static bool
is_revoke(struct replay *rp, const char *lid, uint64_t seq)
{
	struct lerr e = { 0 };

	return prepare(rp, STORE_ORDER, lid, seq, &e) == 0 &&
	    rp->p->order.action == ACT_REVOKE;
}

/* Licence conflicts whose held-seq is below seq (all: UINT64_MAX). */
static void
conflicts_before(struct replay *rp, const char *lid, struct nums *lc,
    uint64_t *held, uint64_t seq)
{
	size_t i;

	for (i = 0; i < lc->n; i++)
		if (held[i] != 0 && (held[i] < seq || seq == UINT64_MAX)) {
			feed_conflict(rp, STORE_CONFLICT_LICENCE, lid, lc->v[i]);
			held[i] = 0;
		}
}

/* Orders by seq, licence conflicts where they fell; revokes are left in
 * revoke[] for the very end (a revoke refuses whatever follows it, but
 * what it came after was held). */
static void
replay_orders(struct replay *rp, const char *lid, struct nums *ns,
    uint64_t *revoke, size_t *nrev)
{
	struct nums *lc = malloc(sizeof(*lc));
	uint64_t *held = NULL;
	size_t i;

	if (lc != NULL) {
		list(rp, STORE_CONFLICT_LICENCE, lid, lc);
		held = calloc(lc->n + 1, sizeof(*held));
	}
	if (held == NULL) {		/* out of memory: fail closed */
		free(lc);
		eng_taint(rp->eng, lid);
		return;
	}
	for (i = 0; i < lc->n; i++)
		held[i] = conflict_held(rp, lid, lc->v[i]);
	for (i = 0; i < ns->n; i++) {
		conflicts_before(rp, lid, lc, held, ns->v[i]);
		if (*nrev < REPLAY_MAX_REVOKES && is_revoke(rp, lid, ns->v[i]))
			revoke[(*nrev)++] = ns->v[i];
		else
			feed(rp, STORE_ORDER, lid, ns->v[i]);
	}
	conflicts_before(rp, lid, lc, held, UINT64_MAX);
	free(held);
	free(lc);
}

static void
replay_lid(struct replay *rp, const char *lid, struct nums *ns)
{
	uint64_t revoke[REPLAY_MAX_REVOKES];
	size_t i, nrev = 0;

	list(rp, STORE_LICENCE, lid, ns);
	for (i = 0; i < ns->n; i++)
		feed(rp, STORE_LICENCE, lid, ns->v[i]);
	list(rp, STORE_ORDER, lid, ns);
	replay_orders(rp, lid, ns, revoke, &nrev);
	list(rp, STORE_NAMED, lid, ns);
	for (i = 0; i < ns->n; i++)
		feed(rp, STORE_NAMED, lid, ns->v[i]);
	feed(rp, STORE_STATUS, lid, 0);
	list(rp, STORE_CONFLICT_ORDER, lid, ns);
	for (i = 0; i < ns->n; i++)
		feed_conflict(rp, STORE_CONFLICT_ORDER, lid, ns->v[i]);
	for (i = 0; i < nrev; i++)
		feed(rp, STORE_ORDER, lid, revoke[i]);
}

/* ---- the order of lids ---- */

struct lid_key {
	char lid[PL_LID_MAX + 1];
	int64_t iat;		/* of its first stored licence; max: none */
};

static int
cmp_key(const void *a, const void *b)
{
	const struct lid_key *x = a, *y = b;

	if (x->iat != y->iat)
		return x->iat < y->iat ? -1 : 1;
	return strcmp(x->lid, y->lid);
}

/* Lids in the order they most likely arrived: a licence for a product
 * whose earlier lid expired comes after that lid (DESIGN 4.4). */
static void
first_iat(struct replay *rp, struct lid_key *k, struct nums *ns)
{
	struct lerr e = { 0 };

	k->iat = INT64_MAX;
	if (store_doc_list(rp->eng->store, STORE_LICENCE, k->lid, ns->v,
	    STORE_MAX_NUMS, &ns->n, &e) < 0 || ns->n == 0)
		return;
	if (prepare(rp, STORE_LICENCE, k->lid, ns->v[0], &e) == 0)
		k->iat = rp->p->licence.iat;
}

static int
replay_docs(struct replay *rp, struct lerr *e)
{
	struct lid_key *keys = calloc(STORE_MAX_LIDS, sizeof(*keys));
	char (*lids)[PL_LID_MAX + 1] = calloc(STORE_MAX_LIDS, sizeof(*lids));
	struct nums *ns = malloc(sizeof(*ns));
	size_t i, n = 0;
	int r;

	if (keys == NULL || lids == NULL || ns == NULL)
		r = lerr_set(e, LICD_E_NOMEM, "out of memory");
	else
		r = store_lid_list(rp->eng->store, lids, STORE_MAX_LIDS, &n, e);
	for (i = 0; r == 0 && i < n; i++) {
		memcpy(keys[i].lid, lids[i], sizeof(keys[i].lid));
		first_iat(rp, &keys[i], ns);
	}
	if (r == 0)
		qsort(keys, n, sizeof(*keys), cmp_key);
	for (i = 0; r == 0 && i < n; i++)
		replay_lid(rp, keys[i].lid, ns);
	free(keys);
	free(lids);
	free(ns);
	return r;
}

/* The configured root document, as bytes (it is stored as it is). */
static int
read_root(const char *path, char **out, size_t *len, struct lerr *e)
{
	ssize_t n;
	int fd;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return lerr_set(e, LICD_E_CONFIG, "%s: %s", path,
		    strerror(errno));
	if ((*out = malloc(DOC_MAX_BYTES + 1)) == NULL) {
		close(fd);
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	}
	n = read(fd, *out, DOC_MAX_BYTES + 1);
	close(fd);
	if (n < 0 || n > DOC_MAX_BYTES)
		return lerr_set(e, LICD_E_CONFIG, "%s: %s", path, n < 0 ?
		    strerror(errno) : "larger than 64 KiB");
	*len = (size_t)n;
	return 0;
}

static void
free_chain(struct replay *rp)
{
	size_t i;

	for (i = 0; rp->chain != NULL && i < ENG_MAX_CHAIN; i++)
		free(rp->chain[i].msg);
	free(rp->chain);
}

int
engine_start(struct engine *eng, const char *root_path, int64_t signed_clock,
    int64_t wall, struct eng_start *out, struct lerr *e)
{
	struct replay rp = { .eng = eng, .wall = wall, .out = out };
	struct doc *first = calloc(1, sizeof(*first));
	char *text = NULL;
	size_t len = 0;
	int r;

	memset(out, 0, sizeof(*out));
	rp.chain = calloc(ENG_MAX_CHAIN, sizeof(*rp.chain));
	rp.d = calloc(1, sizeof(*rp.d));
	rp.p = malloc(sizeof(*rp.p));
	if (first == NULL || rp.chain == NULL || rp.d == NULL || rp.p == NULL) {
		r = lerr_set(e, LICD_E_NOMEM, "out of memory");
		goto out;
	}
	pol_clock_advance(eng->st, signed_clock);
	engine_finish_rotation(eng);
	if ((r = read_root(root_path, &text, &len, e)) < 0)
		goto out;
	if ((r = doc_parse(text, len, DOC_ROOT, first, e)) < 0) {
		lerr_prefix(e, "%s", root_path);
		r = -LICD_E_CONFIG;
		goto out;
	}
	if ((r = build_chain(&rp, first, e)) < 0 ||
	    (r = feed_chain(&rp, e)) < 0 ||
	    (r = store_first(&rp, text, len, e)) < 0)
		goto out;
	r = replay_docs(&rp, e);
 out:
	free(text);
	if (first != NULL)
		doc_free(first);
	free(first);
	if (rp.d != NULL)
		doc_free(rp.d);
	free(rp.d);
	free(rp.p);
	free_chain(&rp);
	return r;
}
