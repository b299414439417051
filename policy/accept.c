/* SPDX-License-Identifier: MIT */
/* The acceptance decision for a new document (DESIGN 3.4, 4.2, 4.4, 4.5):
 * every check runs before anything is written, so a rejection leaves the
 * state as it was (an equivocation mark being the one thing recorded). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pol_check.h"
#include "pol_int.h"

#define U64(x) ((unsigned long long)(x))

static struct pol_lid *
lid_mut(struct pol_state *st, const char *lid)
{
	return (struct pol_lid *)pol_lid_find(st, lid);
}

/* The lid's entry, created if new (the caller checked there is room). */
static struct pol_lid *
lid_get(struct pol_state *st, const char *lid)
{
	struct pol_lid *L = lid_mut(st, lid);

	if (L != NULL)
		return L;
	L = &st->lids[st->nlids++];
	memset(L, 0, sizeof(*L));
	snprintf(L->lid, sizeof(L->lid), "%s", lid);
	return L;
}

static int
room_for_lid(const struct pol_state *st, const struct pol_lid *L,
    const char *lid, struct lerr *e)
{
	if (L == NULL && st->nlids >= POL_MAX_LIDS)
		return lerr_set(e, LICD_E_LIMIT,
		    "%s: already %d lids stored on this device", lid,
		    POL_MAX_LIDS);
	return 0;
}

/* The signed clock after accepting a document issued at iat (4.2). */
static int64_t
signed_after(const struct pol_state *st, int64_t iat, int64_t wall)
{
	return pol_max64(st->signed_clock,
	    pol_min64(iat, pol_sadd(wall, POL_CLOCK_SKEW)));
}

static int
not_yet_valid(const struct pol_state *st, int64_t iat, int64_t wall,
    const char *what, struct lerr *e)
{
	int64_t now = pol_now(st, wall);

	if (iat > pol_sadd(now, POL_CLOCK_SKEW))
		return lerr_set(e, LICD_E_NOT_YET_VALID,
		    "%s: issued %" PRId64 " s ahead of now", what, iat - now);
	return 0;
}

static bool
hash_eq(const uint8_t a[32], const uint8_t b[32])
{
	return memcmp(a, b, 32) == 0;
}

/* ---- licences ---- */

static const struct pol_seen *
seen_find(const struct pol_lid *L, uint64_t ver)
{
	size_t i;

	for (i = 0; i < L->nseen; i++)
		if (L->seen[i].ver == ver)
			return &L->seen[i];
	return NULL;
}

static void
seen_add(struct pol_lid *L, uint64_t ver, const uint8_t hash[32])
{
	if (L->nseen == POL_MAX_SEEN_VERS) {
		memmove(&L->seen[0], &L->seen[1],
		    (POL_MAX_SEEN_VERS - 1) * sizeof(L->seen[0]));
		L->nseen--;
	}
	L->seen[L->nseen].ver = ver;
	memcpy(L->seen[L->nseen].hash, hash, 32);
	L->nseen++;
}

static bool
has_self_licence(const struct pol_state *st, const struct pol_lid *L)
{
	size_t i;

	for (i = 0; L != NULL && i < L->nlic; i++)
		if (pol_is_self(st, &L->lic[i].l))
			return true;
	return false;
}

/* 4.4: another lid holds this product on this device and has not expired. */
static const struct pol_lid *
product_holder(const struct pol_state *st, const struct licence *l,
    int64_t now)
{
	const struct pol_lid *O;
	const struct licence *x;
	size_t i, j;

	for (i = 0; i < st->nlids; i++) {
		O = &st->lids[i];
		if (pol_streq(O->lid, l->lid))
			continue;
		for (j = 0; j < O->nlic; j++) {
			x = &O->lic[j].l;
			if (pol_streq(x->product, l->product) &&
			    pol_is_self(st, x) && now < x->exp)
				return O;
		}
	}
	return NULL;
}

/* Licence vers that would still be held after accepting l (pruning). */
static size_t
vers_after(const struct pol_lid *L, const struct licence *l, int64_t ns)
{
	const struct pol_lic *eff;

	if (L == NULL || ns >= l->nbf)
		return 0;
	eff = pol_effective(L, ns);
	return eff == NULL ? L->nlic : L->nlic - (size_t)(eff - L->lic);
}

static int
licence_equivocation(struct pol_lid *L, const struct licence *l,
    struct pol_result *res, struct lerr *e)
{
	if (l->ver > L->eq_ver) {
		L->eq_ver = l->ver;
		L->eq_ver_seq = pol_max_held_seq(L);
	}
	res->alarm = true;
	return lerr_set(e, LICD_E_EQUIVOCATION,
	    "licence %s ver %llu: a different message for a ver already held",
	    l->lid, U64(l->ver));
}

static int
licence_rules(const struct pol_state *st, const struct pol_lid *L,
    const struct licence *l, int64_t wall, struct lerr *e)
{
	const struct pol_lid *O;

	if (L != NULL && l->ver <= L->max_ver)
		return lerr_set(e, LICD_E_REPLAY,
		    "licence %s: ver %llu is not above ver %llu already held",
		    l->lid, U64(l->ver), U64(L->max_ver));
	if (not_yet_valid(st, l->iat, wall, "licence", e) < 0)
		return -LICD_E_NOT_YET_VALID;
	if (!pol_is_self(st, l)) {
		if (!has_self_licence(st, L))
			return lerr_set(e, LICD_E_WRONG_DEVICE,
			    "licence %s: bound to device %s, not this one",
			    l->lid, l->device);
		return 0;	/* stored: it makes the lid invalid here */
	}
	if (pol_product_revoked(st, l->product))
		return lerr_set(e, LICD_E_REVOKED,
		    "licence %s: product \"%s\" was revoked on this device",
		    l->lid, l->product);
	O = product_holder(st, l, pol_now(st, wall));
	if (O != NULL)
		return lerr_set(e, LICD_E_PRODUCT_LICENSED,
		    "licence %s: product \"%s\" is licensed by %s", l->lid,
		    l->product, O->lid);
	return 0;
}

static int
accept_licence(struct pol_state *st, const struct pol_doc *doc, int64_t wall,
    struct pol_result *res, struct lerr *e)
{
	const struct licence *l = doc->payload;
	const struct pol_seen *s;
	struct pol_lid *L;
	int64_t ns = signed_after(st, l->iat, wall);
	int r;

	if ((r = pol_check_licence(l, e)) < 0)
		return r;
	L = lid_mut(st, l->lid);
	s = L != NULL ? seen_find(L, l->ver) : NULL;
	if (s != NULL && hash_eq(s->hash, doc->hash)) {
		res->verdict = POL_NOOP;
		return 0;
	}
	if (L != NULL && L->revoked)
		return lerr_set(e, LICD_E_REVOKED, "licence %s: lid revoked",
		    l->lid);
	if (s != NULL)
		return licence_equivocation(L, l, res, e);
	if ((r = licence_rules(st, L, l, wall, e)) < 0 ||
	    (r = room_for_lid(st, L, l->lid, e)) < 0)
		return r;
	if (vers_after(L, l, ns) >= POL_MAX_VERS)
		return lerr_set(e, LICD_E_LIMIT,
		    "licence %s: %d vers already waiting", l->lid,
		    POL_MAX_VERS);
	L = lid_get(st, l->lid);
	pol_clock_advance(st, ns);
	memcpy(L->lic[L->nlic].hash, doc->hash, 32);
	L->lic[L->nlic].l = *l;
	L->nlic++;
	seen_add(L, l->ver, doc->hash);
	L->max_ver = l->ver;
	if (!L->has_first_nbf) {
		L->has_first_nbf = true;
		L->first_nbf = l->nbf;
	}
	pol_prune(L, st->signed_clock);
	res->verdict = st->signed_clock >= l->nbf ? POL_ACCEPTED : POL_PENDING;
	return 0;
}

/* ---- orders ---- */

/* The permanent seq once o is held and the clock is at ns. */
static uint64_t
perm_after(const struct pol_lid *L, const struct order *o, int64_t ns)
{
	uint64_t perm = L != NULL ? pol_perm_seq(L, ns) : 0;

	if ((o->action == ACT_REVOKE || ns >= o->nbf) && o->seq > perm)
		perm = o->seq;
	return perm;
}

static bool
needs_body(const struct pol_lid *L, const struct order *o, int64_t ns)
{
	return o->action == ACT_RESTRICT && o->seq >= perm_after(L, o, ns);
}

static size_t
bodies_after(const struct pol_lid *L, uint64_t perm)
{
	size_t i, n = 0;

	for (i = 0; L != NULL && i < POL_MAX_BODIES; i++)
		if (L->body[i].used && L->body[i].seq >= perm)
			n++;
	return n;
}

/* The oldest record can go when its seq continues the forgotten run and it
 * can never take effect again; it then still counts as held. */
static bool
can_forget_oldest(const struct pol_lid *L, uint64_t perm)
{
	const struct pol_held *h = &L->held[0];

	return L->nheld > 0 && h->seq == L->forgot_through + 1 &&
	    h->seq < perm && h->action != ACT_REVOKE;
}

static int
order_room(const struct pol_state *st, const struct pol_lid *L,
    const struct order *o, int64_t ns, struct lerr *e)
{
	uint64_t perm = perm_after(L, o, ns);
	int r;

	if ((r = room_for_lid(st, L, o->lid, e)) < 0)
		return r;
	if (o->action == ACT_REVOKE)
		return 0;	/* a revoke never needs room */
	if (L != NULL && L->nheld >= POL_MAX_HELD &&
	    !can_forget_oldest(L, perm))
		return lerr_set(e, LICD_E_LIMIT,
		    "order %s seq %llu: %d orders already held", o->lid,
		    U64(o->seq), POL_MAX_HELD);
	if (needs_body(L, o, ns) && bodies_after(L, perm) >= POL_MAX_BODIES)
		return lerr_set(e, LICD_E_LIMIT,
		    "order %s seq %llu: %d restrictions already waiting",
		    o->lid, U64(o->seq), POL_MAX_BODIES);
	return 0;
}

static void
held_insert(struct pol_lid *L, const struct order *o, const uint8_t hash[32])
{
	struct pol_held *h;
	size_t i = L->nheld;

	if (L->nheld >= POL_MAX_HELD) {	/* order_room() made it possible */
		memmove(&L->held[0], &L->held[1],
		    (POL_MAX_HELD - 1) * sizeof(L->held[0]));
		L->forgot_through++;
		L->nheld--;
		i--;
	}
	while (i > 0 && L->held[i - 1].seq > o->seq)
		i--;
	memmove(&L->held[i + 1], &L->held[i],
	    (L->nheld - i) * sizeof(L->held[0]));
	h = &L->held[i];
	memset(h, 0, sizeof(*h));
	h->seq = o->seq;
	memcpy(h->hash, hash, 32);
	h->action = o->action;
	h->iat = o->iat;
	h->nbf = o->nbf;
	snprintf(h->ref, sizeof(h->ref), "%s", o->ref);
	L->nheld++;
}

static void
body_store(struct pol_lid *L, const struct order *o)
{
	size_t i;

	for (i = 0; i < POL_MAX_BODIES; i++)
		if (!L->body[i].used) {
			L->body[i].used = true;
			L->body[i].seq = o->seq;
			L->body[i].o = *o;
			return;
		}
}

static void
revoke_products(struct pol_state *st, const struct pol_lid *L)
{
	size_t i;

	for (i = 0; i < L->nlic; i++) {
		if (pol_product_revoked(st, L->lic[i].l.product) ||
		    st->nrevoked_products >= POL_MAX_REVOKED_PRODUCTS)
			continue;
		snprintf(st->revoked_products[st->nrevoked_products++],
		    PL_NAME_MAX + 1, "%s", L->lic[i].l.product);
	}
}

static enum pol_verdict
order_verdict(const struct pol_state *st, const struct pol_lid *L,
    const struct order *o, int64_t wall)
{
	const struct pol_held *f, *h;
	int64_t now = pol_now(st, wall);

	if (o->action == ACT_REVOKE)
		return POL_ACCEPTED;
	f = pol_in_force(L, now, st->signed_clock);
	if (f != NULL && f->seq > o->seq)
		return POL_SUPERSEDED;
	h = pol_held_find(L, o->seq);
	if (h != NULL && pol_reached(h, now, st->signed_clock))
		return POL_ACCEPTED;
	return POL_PENDING;
}

static int
order_rules(struct pol_state *st, struct pol_lid *L, const struct order *o,
    const struct pol_doc *doc, int64_t wall, struct pol_result *res,
    struct lerr *e)
{
	const struct pol_held *h = L != NULL ? pol_held_find(L, o->seq) : NULL;

	if (h != NULL && hash_eq(h->hash, doc->hash)) {
		res->verdict = POL_NOOP;
		return 1;
	}
	if (L != NULL && L->revoked)
		return lerr_set(e, LICD_E_REVOKED,
		    "order %s seq %llu: lid revoked by order %llu", o->lid,
		    U64(o->seq), U64(L->revoke_seq));
	if (h != NULL) {
		if (o->seq > L->eq_seq)
			L->eq_seq = o->seq;
		res->alarm = true;
		return lerr_set(e, LICD_E_EQUIVOCATION,
		    "order %s seq %llu: a different message for a seq already "
		    "held", o->lid, U64(o->seq));
	}
	if (L != NULL && o->seq <= L->forgot_through &&
	    o->action != ACT_REVOKE) {
		res->verdict = POL_NOOP;	/* long superseded (bounds) */
		return 1;
	}
	/* A sanction is taken whatever its iat (4.2). */
	if (o->action == ACT_REINSTATE &&
	    not_yet_valid(st, o->iat, wall, "order", e) < 0)
		return -LICD_E_NOT_YET_VALID;
	return 0;
}

static int
accept_order(struct pol_state *st, const struct pol_doc *doc, int64_t wall,
    struct pol_result *res, struct lerr *e)
{
	const struct order *o = doc->payload;
	struct pol_lid *L;
	int64_t ns = signed_after(st, o->iat, wall);
	bool body;
	int r;

	if ((r = pol_check_order(o, e)) < 0)
		return r;
	L = lid_mut(st, o->lid);
	if ((r = order_rules(st, L, o, doc, wall, res, e)) != 0)
		return r < 0 ? r : 0;
	if ((r = order_room(st, L, o, ns, e)) < 0)
		return r;
	body = needs_body(L, o, ns);
	L = lid_get(st, o->lid);
	pol_clock_advance(st, ns);
	if (o->seq > L->forgot_through) {
		if (L->nheld < POL_MAX_HELD ||
		    can_forget_oldest(L, perm_after(L, o, ns)))
			held_insert(L, o, doc->hash);
	}
	if (body)
		body_store(L, o);
	if (o->action == ACT_REVOKE) {
		L->revoked = true;
		L->revoke_seq = o->seq;
		revoke_products(st, L);
	}
	pol_prune(L, st->signed_clock);
	res->verdict = order_verdict(st, L, o, wall);
	return 0;
}

/* ---- statuses ---- */

static void
named_update(struct pol_lid *L, const struct status *s)
{
	uint64_t last = L->nnamed > 0 ? L->named[L->nnamed - 1].seq : 0;

	if (s->seq <= last)
		return;
	if (L->nnamed == POL_MAX_NAMED) {
		/* Keep the earlier iat for the higher seq: the loss moment
		 * can only come sooner (fail closed). */
		L->named[L->nnamed - 1].seq = s->seq;
		return;
	}
	L->named[L->nnamed].seq = s->seq;
	L->named[L->nnamed].iat = s->iat;
	L->nnamed++;
}

static int
accept_status(struct pol_state *st, const struct pol_doc *doc, int64_t wall,
    struct pol_result *res, struct lerr *e)
{
	const struct status *s = doc->payload;
	struct pol_lid *L;
	int r;

	if ((r = pol_check_status(s, e)) < 0)
		return r;
	L = lid_mut(st, s->lid);
	if (!pol_streq(s->device, st->device))
		return lerr_set(e, LICD_E_WRONG_DEVICE,
		    "status %s: for device %s, not this one", s->lid,
		    s->device);
	if (L != NULL && L->has_status && hash_eq(L->status_hash, doc->hash)) {
		res->verdict = POL_NOOP;
		return 0;
	}
	if (L != NULL && L->revoked)
		return lerr_set(e, LICD_E_REVOKED, "status %s: lid revoked",
		    s->lid);
	if (L != NULL && L->has_status && s->iat <= L->status.iat)
		return lerr_set(e, LICD_E_REPLAY,
		    "status %s: not newer than the status held", s->lid);
	if ((r = not_yet_valid(st, s->iat, wall, "status", e)) < 0 ||
	    (r = room_for_lid(st, L, s->lid, e)) < 0)
		return r;
	L = lid_get(st, s->lid);
	pol_clock_advance(st, signed_after(st, s->iat, wall));
	L->has_status = true;
	L->status = *s;
	memcpy(L->status_hash, doc->hash, 32);
	named_update(L, s);
	res->verdict = POL_ACCEPTED;
	return 0;
}

/* ---- roots ---- */

static int
accept_root(struct pol_state *st, const struct pol_doc *doc, int64_t wall,
    struct pol_result *res, struct lerr *e)
{
	const struct root *rt = doc->payload;
	int r;

	if ((r = pol_check_root(rt, e)) < 0)
		return r;
	if (st->has_root && rt->ver == st->root.ver) {
		if (hash_eq(st->root_hash, doc->hash)) {
			res->verdict = POL_NOOP;
			return 0;
		}
		res->alarm = true;
		return lerr_set(e, LICD_E_EQUIVOCATION,
		    "root ver %llu: a different message for the ver held",
		    U64(rt->ver));
	}
	if (st->has_root && rt->ver != st->root.ver + 1)
		return lerr_set(e, LICD_E_ROOT_VERSION,
		    "root ver %llu: expected ver %llu", U64(rt->ver),
		    U64(st->root.ver + 1));
	if (st->has_root && doc->reverify == NULL)
		return lerr_set(e, LICD_E_USAGE,
		    "root rotation without a reverify callback");
	if ((r = not_yet_valid(st, rt->iat, wall, "root", e)) < 0)
		return r;
	pol_clock_advance(st, signed_after(st, rt->iat, wall));
	if (st->has_root)
		res->dropped = pol_rotate(st, doc, pol_now(st, wall));
	st->root = *rt;
	memcpy(st->root_hash, doc->hash, 32);
	st->has_root = true;
	res->verdict = POL_ACCEPTED;
	return 0;
}

int
pol_accept(struct pol_state *st, const struct pol_doc *doc, int64_t wall,
    struct pol_result *res, struct lerr *e)
{
	int r;

	memset(res, 0, sizeof(*res));
	if (doc == NULL || doc->payload == NULL)
		r = lerr_set(e, LICD_E_USAGE, "no document");
	else if (doc->type == DOC_ROOT)
		r = accept_root(st, doc, wall, res, e);
	else if (doc->type == DOC_LICENCE)
		r = accept_licence(st, doc, wall, res, e);
	else if (doc->type == DOC_ORDER)
		r = accept_order(st, doc, wall, res, e);
	else if (doc->type == DOC_STATUS)
		r = accept_status(st, doc, wall, res, e);
	else
		r = lerr_set(e, LICD_E_USAGE,
		    "document type %d: not a policy document", (int)doc->type);
	if (r < 0) {
		res->verdict = POL_REJECTED;
		res->reason = -r;
	}
	return r;
}

const char *
pol_verdict_name(enum pol_verdict v)
{
	static const char *const names[] = {
		[POL_ACCEPTED] = "accepted", [POL_PENDING] = "pending",
		[POL_SUPERSEDED] = "superseded", [POL_NOOP] = "no-op",
		[POL_REJECTED] = "rejected",
	};

	if ((unsigned)v >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[v];
}
