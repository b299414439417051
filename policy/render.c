/* SPDX-License-Identifier: MIT */
/* The JSON of DESIGN 6 for a pol_view: one renderer for `licctl status
 * --json` and `licissue preview --json`, so both say the same thing. */
#include "ltime.h"
#include "pol_int.h"

/* json_object_set_new() steals v even on failure; count failures. */
static int
put(json_t *o, const char *k, json_t *v)
{
	return json_object_set_new(o, k, v) == 0 ? 0 : 1;
}

static json_t *
jtime(int64_t t)
{
	char buf[LTIME_LEN + 1];

	ltime_format(t, buf);
	return json_string(buf);
}

static json_t *
juint(uint64_t n)
{
	return json_integer(n > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)n);
}

static json_t *
jorder(const struct pol_licence_view *lv)
{
	json_t *o;
	int bad = 0;

	if (!lv->has_order)
		return json_null();
	if ((o = json_object()) == NULL)
		return NULL;
	bad |= put(o, "seq", juint(lv->order_seq));
	bad |= put(o, "action", json_string(order_action_name(lv->order_action)));
	bad |= put(o, "ref", json_string(lv->order_ref));
	if (bad)
		json_decref(o), o = NULL;
	return o;
}

static json_t *
jpending(const struct pol_licence_view *lv)
{
	json_t *a = json_array(), *p;
	size_t i;
	int bad = a == NULL;

	for (i = 0; !bad && i < lv->npending; i++) {
		if ((p = json_object()) == NULL) {
			bad = 1;
			break;
		}
		bad |= put(p, "seq", juint(lv->pending[i].seq));
		bad |= put(p, "action",
		    json_string(order_action_name(lv->pending[i].action)));
		bad |= put(p, "nbf", jtime(lv->pending[i].nbf));
		bad |= json_array_append_new(a, p) != 0;
	}
	if (bad)
		json_decref(a), a = NULL;
	return a;
}

static json_t *
jstatus(const struct pol_licence_view *lv)
{
	json_t *o;
	int bad = 0;

	if (!lv->has_status)
		return json_null();
	if ((o = json_object()) == NULL)
		return NULL;
	bad |= put(o, "fresh", json_boolean(lv->fresh));
	bad |= put(o, "iat", jtime(lv->status_iat));
	bad |= put(o, "exp", jtime(lv->status_exp));
	bad |= put(o, "seq", juint(lv->status_seq));
	if (bad)
		json_decref(o), o = NULL;
	return o;
}

static json_t *
jreasons(const struct pol_licence_view *lv)
{
	json_t *a = json_array();
	int c;

	for (c = 0; a != NULL && c < POL_C__COUNT; c++)
		if ((lv->causes & (1u << c)) && json_array_append_new(a,
		    json_string(pol_cause_name((enum pol_cause)c))) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *
jpurposes(const struct pol_licence_view *lv, uint32_t mask)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < lv->npurposes; i++)
		if ((mask & (1u << i)) && json_array_append_new(a,
		    json_string(lv->purposes[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* allowed: purposes, max_concurrent when limited, in_use; else reason. */
static json_t *
jfeature(const struct pol_licence_view *lv, const struct pol_feature_view *f,
    uint32_t in_use)
{
	json_t *o = json_object();
	int bad = o == NULL;

	if (bad)
		return NULL;
	bad |= put(o, "allowed", json_boolean(f->allowed));
	if (!f->allowed) {
		bad |= put(o, "reason", json_string(pol_reason_name(f->reason)));
	} else {
		bad |= put(o, "purposes", jpurposes(lv, f->purposes));
		if (f->max_concurrent != 0)
			bad |= put(o, "max_concurrent",
			    json_integer(f->max_concurrent));
		bad |= put(o, "in_use", json_integer(in_use));
	}
	if (bad)
		json_decref(o), o = NULL;
	return o;
}

static json_t *
jfeatures(const struct pol_licence_view *lv, const uint32_t *in_use)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; o != NULL && i < lv->nfeatures; i++)
		if (put(o, lv->features[i].name, jfeature(lv, &lv->features[i],
		    in_use != NULL ? in_use[i] : 0))) {
			json_decref(o);
			return NULL;
		}
	return o;
}

json_t *
pol_licence_json(const struct pol_view *v, size_t i, const uint32_t *in_use)
{
	const struct pol_licence_view *lv;
	json_t *o;
	int bad = 0;

	if (i >= v->nlic || (o = json_object()) == NULL)
		return NULL;
	lv = &v->lic[i];
	bad |= put(o, "lid", json_string(lv->lid));
	bad |= put(o, "ver", lv->has_licence ? juint(lv->ver) : json_null());
	bad |= put(o, "product",
	    lv->has_licence ? json_string(lv->product) : json_null());
	bad |= put(o, "state", json_string(lstate_name(lv->state)));
	bad |= put(o, "reasons", jreasons(lv));
	bad |= put(o, "order", jorder(lv));
	bad |= put(o, "pending", jpending(lv));
	bad |= put(o, "status", jstatus(lv));
	bad |= put(o, "features", jfeatures(lv, in_use));
	if (bad)
		json_decref(o), o = NULL;
	return o;
}

static json_t *
jtime_block(const struct pol_view *v)
{
	json_t *o = json_object();
	int bad = o == NULL;

	if (bad)
		return NULL;
	bad |= put(o, "wall", jtime(v->wall));
	bad |= put(o, "effective", jtime(v->now));
	bad |= put(o, "clock_rollback", json_boolean(v->clock_rollback));
	if (bad)
		json_decref(o), o = NULL;
	return o;
}

static json_t *
jroot(const struct pol_view *v, bool pinned)
{
	json_t *o;
	int bad = 0;

	if (!v->has_root)
		return json_null();
	if ((o = json_object()) == NULL)
		return NULL;
	bad |= put(o, "ver", juint(v->root_ver));
	bad |= put(o, "exp", jtime(v->root_exp));
	bad |= put(o, "pinned", json_boolean(pinned));
	if (bad)
		json_decref(o), o = NULL;
	return o;
}

json_t *
pol_envelope_json(const struct pol_view *v, const char *device, bool pinned,
    json_t *licences)
{
	json_t *o = json_object();
	int bad = o == NULL;

	if (licences == NULL)
		licences = json_array();
	if (bad || licences == NULL) {
		json_decref(o);
		json_decref(licences);
		return NULL;
	}
	bad |= put(o, "schema_version", json_integer(1));
	bad |= put(o, "device", json_string(device));
	bad |= put(o, "time", jtime_block(v));
	bad |= put(o, "root", jroot(v, pinned));
	bad |= put(o, "licences", licences);
	if (bad)
		json_decref(o), o = NULL;
	return o;
}
