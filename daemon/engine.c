/* SPDX-License-Identifier: MIT */
/* The engine's life and its evaluations: set-up, local tightening, the
 * signed clock, and each new evaluation compared with the last one so that
 * licd can announce exactly what changed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "engine_int.h"

int
engine_open(struct engine *eng, struct store *store, const char *device,
    const char *purposes_path, struct lerr *e)
{
	int r;

	memset(eng, 0, sizeof(*eng));
	eng->store = store;
	snprintf(eng->device, sizeof(eng->device), "%s", device);
	eng->tax = calloc(1, sizeof(*eng->tax));
	eng->st = calloc(1, sizeof(*eng->st));
	eng->scratch = calloc(1, sizeof(*eng->scratch));
	eng->view = calloc(1, sizeof(*eng->view));
	eng->spare = calloc(1, sizeof(*eng->spare));
	if (eng->tax == NULL || eng->st == NULL || eng->scratch == NULL ||
	    eng->view == NULL || eng->spare == NULL)
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	if ((r = pol_purposes_load(purposes_path, eng->tax, e)) < 0)
		return r;
	return pol_state_init(eng->st, device, eng->tax, e);
}

void
engine_close(struct engine *eng)
{
	free(eng->tax);
	free(eng->st);
	free(eng->scratch);
	free(eng->view);
	free(eng->spare);
	free(eng->root_msg);
	memset(eng, 0, sizeof(*eng));
}

int
engine_set_local(struct engine *eng, const struct cfg_disable *d, size_t n,
    struct lerr *e)
{
	const char *global[CFG_MAX_LIST] = { NULL };
	size_t i, ng = 0, np = 0;
	int r;

	if (n > CFG_MAX_LIST)
		return lerr_set(e, LICD_E_LIMIT, "local.disable: more than %d "
		    "entries", CFG_MAX_LIST);
	for (i = 0; i < n; i++)
		if (d[i].product[0] == '\0')
			global[ng++] = d[i].feature;
	if ((r = pol_set_local(eng->st, global, ng, e)) < 0)
		return r;
	for (i = 0; i < n; i++)
		if (d[i].product[0] != '\0')
			eng->local[np++] = d[i];
	eng->nlocal = np;
	return 0;
}

void
engine_clock(struct engine *eng, int64_t signed_clock)
{
	pol_clock_advance(eng->st, signed_clock);
}

int64_t
engine_signed(const struct engine *eng)
{
	return eng->st->signed_clock;
}

const struct pol_view *
engine_view(const struct engine *eng)
{
	return eng->view;
}

const struct pol_state *
engine_state(const struct engine *eng)
{
	return eng->st;
}

int
engine_tainted(const struct engine *eng, const char *lid)
{
	size_t i;

	for (i = 0; i < eng->ntainted; i++)
		if (strcmp(eng->tainted[i], lid) == 0)
			return 1;
	return 0;
}

void
eng_taint(struct engine *eng, const char *lid)
{
	if (engine_tainted(eng, lid) || eng->ntainted >= ENG_MAX_TAINTED)
		return;
	snprintf(eng->tainted[eng->ntainted++], PL_LID_MAX + 1, "%s", lid);
}

/* ---- the overlay: what the engine adds to pol_eval() ---- */

static void
deny(struct pol_feature_view *f, enum pol_reason why, struct pol_src src)
{
	f->allowed = false;
	f->reason = why;
	f->src = src;
	f->purposes = 0;
	f->max_concurrent = 0;
}

/* A lid whose stored documents did not all verify is invalid, whatever
 * the ones that did say (fail closed). */
static void
taint_view(struct pol_licence_view *lv)
{
	struct pol_src src = { POL_SRC_LICENCE, lv->ver };
	size_t i;

	lv->state = LSTATE_INVALID;
	lv->state_src = src;
	for (i = 0; i < lv->nfeatures; i++)
		deny(&lv->features[i], POL_R_INVALID, src);
}

/* A tainted lid none of whose documents could be taken still shows. */
static void
add_tainted(struct pol_view *v, const char *lid)
{
	size_t i, j;

	for (i = 0; i < v->nlic; i++)
		if (strcmp(v->lic[i].lid, lid) == 0)
			return;
	if (v->nlic >= POL_MAX_LIDS)
		return;
	for (j = 0; j < v->nlic && strcmp(v->lic[j].lid, lid) < 0; j++)
		;
	memmove(&v->lic[j + 1], &v->lic[j], (v->nlic - j) *
	    sizeof(v->lic[0]));
	memset(&v->lic[j], 0, sizeof(v->lic[j]));
	snprintf(v->lic[j].lid, sizeof(v->lic[j].lid), "%s", lid);
	v->lic[j].state = LSTATE_INVALID;
	v->lic[j].causes = 1u << POL_C_NO_LICENCE;
	v->nlic++;
}

/* local.disable "PRODUCT:FEATURE": as the policy does for "FEATURE". */
static void
local_view(const struct engine *eng, struct pol_licence_view *lv)
{
	struct pol_src cfg = { POL_SRC_CONFIG, 0 };
	struct pol_feature_view *f;
	bool hit = false;
	size_t i, j;

	for (i = 0; i < lv->nfeatures; i++) {
		f = &lv->features[i];
		for (j = 0; j < eng->nlocal; j++) {
			if (strcmp(eng->local[j].product, lv->product) != 0 ||
			    strcmp(eng->local[j].feature, f->name) != 0)
				continue;
			hit = true;
			if (f->allowed)
				deny(f, POL_R_DISABLED_LOCALLY, cfg);
		}
	}
	if (!hit)
		return;
	lv->causes |= 1u << POL_C_LOCAL;
	if (lv->state == LSTATE_ACTIVE) {
		lv->state = LSTATE_RESTRICTED;
		lv->state_src = cfg;
	}
}

static void
overlay(const struct engine *eng, struct pol_view *v)
{
	size_t i;

	for (i = 0; i < eng->ntainted; i++)
		add_tainted(v, eng->tainted[i]);
	for (i = 0; i < v->nlic; i++) {
		if (v->lic[i].has_licence)
			local_view(eng, &v->lic[i]);
		if (engine_tainted(eng, v->lic[i].lid))
			taint_view(&v->lic[i]);
	}
}

/* ---- comparing two evaluations ---- */

static bool
feature_eq(const struct pol_feature_view *a, const struct pol_feature_view *b)
{
	return strcmp(a->name, b->name) == 0 && a->allowed == b->allowed &&
	    a->reason == b->reason && a->purposes == b->purposes &&
	    a->max_concurrent == b->max_concurrent;
}

static bool
decisions_eq(const struct pol_licence_view *a,
    const struct pol_licence_view *b)
{
	size_t i;

	if (a->has_licence != b->has_licence || a->ver != b->ver ||
	    a->state != b->state || strcmp(a->product, b->product) != 0 ||
	    a->nfeatures != b->nfeatures || a->npurposes != b->npurposes)
		return false;
	for (i = 0; i < a->npurposes; i++)
		if (strcmp(a->purposes[i], b->purposes[i]) != 0)
			return false;
	for (i = 0; i < a->nfeatures; i++)
		if (!feature_eq(&a->features[i], &b->features[i]))
			return false;
	return true;
}

static const struct pol_licence_view *
find_lid(const struct pol_view *v, const char *lid)
{
	size_t i;

	for (i = 0; i < v->nlic; i++)
		if (strcmp(v->lic[i].lid, lid) == 0)
			return &v->lic[i];
	return NULL;
}

static void
compare(const struct pol_view *old, const struct pol_view *cur,
    struct eng_changes *ch)
{
	const struct pol_licence_view *a, *b;
	struct eng_change *c;
	size_t i;

	memset(ch, 0, sizeof(*ch));
	for (i = 0; i < cur->nlic; i++) {
		b = &cur->lic[i];
		a = find_lid(old, b->lid);
		c = &ch->c[ch->n];
		memset(c, 0, sizeof(*c));
		c->is_new = a == NULL;
		c->from = a != NULL ? a->state : LSTATE_INVALID;
		c->to = b->state;
		c->order_from = a != NULL && a->has_order ? a->order_seq : 0;
		c->order_to = b->has_order ? b->order_seq : 0;
		c->decisions = a == NULL || !decisions_eq(a, b);
		if (!c->is_new && c->from == c->to &&
		    c->order_from == c->order_to && !c->decisions)
			continue;
		snprintf(c->lid, sizeof(c->lid), "%s", b->lid);
		snprintf(c->product, sizeof(c->product), "%s", b->product);
		c->index = i;
		ch->any = true;
		ch->n++;
	}
}

void
engine_refresh(struct engine *eng, int64_t wall, struct eng_changes *ch)
{
	struct eng_changes local;
	struct pol_view *t;

	pol_eval(eng->st, wall, eng->spare);
	overlay(eng, eng->spare);
	compare(eng->view, eng->spare, ch != NULL ? ch : &local);
	t = eng->view;
	eng->view = eng->spare;
	eng->spare = t;
}

/* ---- read-outs ---- */

static const struct pol_lid *
lid_of(const struct pol_state *st, const char *lid)
{
	size_t i;

	for (i = 0; i < st->nlids; i++)
		if (strcmp(st->lids[i].lid, lid) == 0)
			return &st->lids[i];
	return NULL;
}

const struct licence *
engine_licence(const struct engine *eng, const struct pol_licence_view *lv)
{
	const struct pol_lid *L = lid_of(eng->st, lv->lid);
	size_t j;

	for (j = 0; L != NULL && lv->has_licence && j < L->nlic; j++)
		if (L->lic[j].l.ver == lv->ver)
			return &L->lic[j].l;
	return NULL;
}

const struct order *
engine_order_body(const struct engine *eng, const char *lid, uint64_t seq)
{
	const struct pol_lid *L = lid_of(eng->st, lid);
	size_t i;

	for (i = 0; L != NULL && i < POL_MAX_BODIES; i++)
		if (L->body[i].used && L->body[i].seq == seq)
			return &L->body[i].o;
	return NULL;
}

void
engine_seed(struct engine *eng, const char *lid, enum lstate state,
    uint64_t order_seq)
{
	struct pol_licence_view *lv;

	if (eng->view->nlic >= POL_MAX_LIDS || find_lid(eng->view, lid))
		return;
	lv = &eng->view->lic[eng->view->nlic++];
	memset(lv, 0, sizeof(*lv));
	snprintf(lv->lid, sizeof(lv->lid), "%s", lid);
	lv->state = state;
	lv->has_order = order_seq != 0;
	lv->order_seq = order_seq;
}

int64_t
engine_fresh_until(const struct engine *eng,
    const struct pol_licence_view *lv)
{
	const struct licence *l;
	int64_t t;

	if (!lv->has_status || !lv->fresh ||
	    (l = engine_licence(eng, lv)) == NULL)
		return 0;
	t = lv->status_exp;
	if (lv->status_iat + l->max_age < t)
		t = lv->status_iat + l->max_age;
	if (eng->st->has_root && eng->st->root.exp < t)
		t = eng->st->root.exp;
	return t;
}

const char *
engine_state_reason(const struct pol_licence_view *lv)
{
	switch (lv->state) {
	case LSTATE_ACTIVE:
	case LSTATE_RESTRICTED:
		return "";
	default:
		break;
	}
	if (lv->nfeatures > 0 && !lv->features[0].allowed)
		return pol_reason_name(lv->features[0].reason);
	return lstate_name(lv->state);
}

/* ---- shared by replay.c and import.c ---- */

int
eng_store_kind(int type)
{
	switch (type) {
	case DOC_ROOT:
		return STORE_ROOT;
	case DOC_LICENCE:
		return STORE_LICENCE;
	case DOC_ORDER:
		return STORE_ORDER;
	case DOC_STATUS:
		return STORE_STATUS;
	default:
		return -1;
	}
}

int
eng_verify(const struct doc *d, const struct root *r, struct lerr *e)
{
	int role = doc_role_for(d->type);

	if (role < 0 || d->type == DOC_ROOT)
		return lerr_set(e, LICD_E_TYPE, "a %s document is not taken "
		    "in by licd", doc_type_name(d->type));
	return doc_verify_role(d, r, (enum role_id)role, 0, NULL, e);
}

int
eng_decode(const struct doc *d, union eng_payload *p, struct lerr *e)
{
	switch (d->type) {
	case DOC_ROOT:
		return pl_decode_root(d->msg, d->msg_len, &p->root, e);
	case DOC_LICENCE:
		return pl_decode_licence(d->msg, d->msg_len, &p->licence, e);
	case DOC_ORDER:
		return pl_decode_order(d->msg, d->msg_len, &p->order, e);
	case DOC_STATUS:
		return pl_decode_status(d->msg, d->msg_len, &p->status, e);
	default:
		return lerr_set(e, LICD_E_TYPE, "a %s document is not taken "
		    "in by licd", doc_type_name(d->type));
	}
}

const char *
eng_lid(int type, const union eng_payload *p)
{
	switch (type) {
	case DOC_LICENCE:
		return p->licence.lid;
	case DOC_ORDER:
		return p->order.lid;
	case DOC_STATUS:
		return p->status.lid;
	default:
		return "";
	}
}

uint64_t
eng_num(int type, const union eng_payload *p)
{
	switch (type) {
	case DOC_ROOT:
		return p->root.ver;
	case DOC_LICENCE:
		return p->licence.ver;
	case DOC_ORDER:
		return p->order.seq;
	case DOC_STATUS:
		return p->status.seq;
	default:
		return 0;
	}
}

void
eng_hash(const struct doc *d, uint8_t out[32])
{
	crypto_hash_sha256(out, d->msg, d->msg_len);
}

int
eng_feed(struct pol_state *st, int type, const union eng_payload *p,
    const uint8_t hash[32], int64_t wall, pol_reverify_fn fn, void *ctx,
    struct pol_result *res, struct lerr *e)
{
	struct pol_doc pd = { .type = (enum doc_type)type, .payload = p,
	    .reverify = fn, .reverify_ctx = ctx };

	memcpy(pd.hash, hash, 32);
	return pol_accept(st, &pd, wall, res, e);
}

int
eng_set_root_msg(struct engine *eng, const struct doc *d)
{
	uint8_t *m = malloc(d->msg_len > 0 ? d->msg_len : 1);

	if (m == NULL)
		return -LICD_E_NOMEM;
	memcpy(m, d->msg, d->msg_len);
	free(eng->root_msg);
	eng->root_msg = m;
	eng->root_len = d->msg_len;
	return 0;
}

uint64_t
eng_max_held(const struct pol_state *st, const char *lid)
{
	const struct pol_lid *L = lid_of(st, lid);

	if (L == NULL)
		return 0;
	return L->nheld > 0 ? L->held[L->nheld - 1].seq : L->forgot_through;
}

uint64_t
eng_last_named(const struct pol_state *st, const char *lid)
{
	const struct pol_lid *L = lid_of(st, lid);

	return L != NULL && L->nnamed > 0 ? L->named[L->nnamed - 1].seq : 0;
}
