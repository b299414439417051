/* SPDX-License-Identifier: MIT */
/* libFuzzer: the decision function driven by documents built from the
 * input bytes (names from small tables so that documents meet, numbers and
 * times raw or near one another, now and then an unterminated string or a
 * count out of bounds), evaluated and rendered as JSON after each one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T0	((int64_t)1767225600)
#define DEV	"k4.pid.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define OTHER	"k4.pid.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"

static const char *const names[] = { "f1", "f2", "geo.locate",
	"terrorism", "serious-crime", "espionage", "p1", "p2" };
static const char *const lids[] = { "IL-1", "IL-2", "IL-3", "X" };

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t
u8(struct in *in)
{
	uint8_t v = 0;

	if (in->n > 0) {
		v = *in->p++;
		in->n--;
	}
	return v;
}

static uint64_t
u64(struct in *in)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | u8(in);
	return v;
}

/* A time near T0 (seconds to weeks apart), or any 64-bit value. */
static int64_t
when(struct in *in)
{
	uint8_t k = u8(in);

	if (k == 0xff)
		return (int64_t)u64(in);
	return T0 + (int64_t)(int8_t)u8(in) * (k & 1 ? 3600 : 86400) +
	    (int64_t)(k >> 1);
}

static uint64_t
num(struct in *in)
{
	uint8_t k = u8(in);

	return k == 0xff ? u64(in) : k & 7;
}

static void
name(struct in *in, char *out, size_t cap)
{
	uint8_t k = u8(in);

	if (k == 0xff)	/* a field with no terminating NUL */
		memset(out, 'a', cap);
	else
		strcpy(out, names[k % (sizeof(names) / sizeof(names[0]))]);
}

static size_t
list(struct in *in, char (*out)[PL_NAME_MAX + 1], size_t max)
{
	size_t n = u8(in) % 5, i;

	if (n == 4 && u8(in) == 0xff)
		return max + 1;		/* out of bounds */
	for (i = 0; i < n; i++)
		name(in, out[i], PL_NAME_MAX + 1);
	return n;
}

static void
lid(struct in *in, char *out)
{
	strcpy(out, lids[u8(in) % 4]);
}

static void
mk_licence(struct in *in, struct licence *l)
{
	size_t i;

	lid(in, l->lid);
	l->ver = num(in);
	l->iat = when(in), l->nbf = when(in), l->exp = when(in);
	name(in, l->product, sizeof(l->product));
	strcpy(l->device, u8(in) & 1 ? OTHER : DEV);
	l->npurposes = list(in, l->purposes, PL_MAX_PURPOSES);
	l->nfeatures = u8(in) % 4;
	for (i = 0; i < l->nfeatures; i++) {
		name(in, l->features[i].name, PL_NAME_MAX + 1);
		l->features[i].max_concurrent = u8(in) % 4;
	}
	l->max_age = (int64_t)(int8_t)u8(in) * 3600;
	l->nladder = u8(in) % 4;
	for (i = 0; i < l->nladder; i++) {
		l->ladder[i].after = (int64_t)u8(in) * 3600;
		l->ladder[i].state = (enum lstate)(u8(in) % LSTATE__COUNT);
		l->ladder[i].nkeep = list(in, l->ladder[i].keep,
		    PL_MAX_FEATURES);
	}
}

static void
mk_order(struct in *in, struct order *o)
{
	size_t i;

	lid(in, o->lid);
	o->seq = num(in);
	o->iat = when(in);
	o->has_nbf = u8(in) & 1;
	o->nbf = o->has_nbf ? when(in) : o->iat;
	o->action = (enum order_action)(u8(in) % (ACT__COUNT + 1));
	o->has_keep = u8(in) & 1;
	o->nkeep = o->has_keep ? list(in, o->keep, PL_MAX_FEATURES) : 0;
	o->has_purposes = u8(in) & 1;
	o->npurposes = o->has_purposes ?
	    list(in, o->purposes, PL_MAX_PURPOSES) : 0;
	o->nlimits = u8(in) % 3;
	o->has_limits = o->nlimits > 0;
	for (i = 0; i < o->nlimits; i++) {
		name(in, o->limits[i].name, PL_NAME_MAX + 1);
		o->limits[i].max_concurrent = u8(in);
	}
	o->reason[0] = (char)('a' + u8(in) % 4);
	strcpy(o->ref, "REF");
}

static void
mk_status(struct in *in, struct status *s)
{
	lid(in, s->lid);
	strcpy(s->device, u8(in) & 7 ? DEV : OTHER);
	s->iat = when(in), s->exp = when(in);
	s->seq = num(in);
}

static int
reverify(void *ctx, enum doc_type t, const char *l, uint64_t n,
    const uint8_t hash[32])
{
	(void)ctx, (void)t, (void)l, (void)n;
	return hash[0] & 1;
}

static void
check(const struct pol_state *st, int64_t wall, struct pol_view *v)
{
	const struct pol_licence_view *lv;
	enum pol_reason why;
	json_t *j;
	char *s;
	size_t i, k;

	pol_eval(st, wall, v);
	if (v->next_change <= v->now)
		abort();
	for (i = 0; i < v->nlic; i++) {
		lv = &v->lic[i];
		for (k = 0; k < lv->nfeatures; k++)
			if (lv->features[k].allowed &&
			    lv->state != LSTATE_ACTIVE &&
			    lv->state != LSTATE_RESTRICTED)
				abort();
		j = pol_licence_json(v, i, NULL);
		s = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
		free(s);
		json_decref(j);
	}
	(void)pol_check(v, "p1", "f1", "terrorism", &why, NULL);
	j = pol_envelope_json(v, DEV, false, NULL);
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pol_state st;
	static struct pol_view view;
	static union {
		struct root r;
		struct licence l;
		struct order o;
		struct status s;
	} u;
	static const char *const off[] = { "f2" };
	struct pol_purposes tax = { .n = 2 };
	struct in in = { data, size };
	struct pol_doc d;
	struct pol_result res;
	int64_t wall = T0;
	uint8_t op;

	strcpy(tax.p[0].id, "terrorism");
	strcpy(tax.p[1].id, "serious-crime");
	if (pol_state_init(&st, DEV, &tax, NULL) != 0)
		abort();
	if (size > 0 && data[0] & 1)
		(void)pol_set_local(&st, off, 1, NULL);
	while (in.n > 0) {
		op = u8(&in);
		memset(&u, 0, sizeof(u));
		memset(&d, 0, sizeof(d));
		d.payload = &u;
		d.reverify = reverify;
		switch (op % 6) {
		case 0:
			d.type = DOC_ROOT;
			u.r.ver = num(&in);
			u.r.iat = when(&in), u.r.exp = when(&in);
			break;
		case 1: d.type = DOC_LICENCE; mk_licence(&in, &u.l); break;
		case 2: d.type = DOC_ORDER; mk_order(&in, &u.o); break;
		case 3: d.type = DOC_STATUS; mk_status(&in, &u.s); break;
		case 4: pol_clock_advance(&st, when(&in)); continue;
		default: wall = when(&in); check(&st, wall, &view); continue;
		}
		crypto_generichash(d.hash, 32, (const uint8_t *)&u, sizeof(u),
		    NULL, 0);
		(void)pol_accept(&st, &d, wall, &res, NULL);
		check(&st, wall, &view);
	}
	return 0;
}
