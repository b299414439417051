/* SPDX-License-Identifier: MIT */
/* The licence payload (DESIGN 3.4): what one device may do, and the
 * freshness ladder that only ever tightens as a licence goes stale. */
#include <string.h>

#include "payload_int.h"

static int
country_valid(const char *s, size_t len)
{
	return len == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' &&
	    s[1] <= 'Z';
}

static int
step_state_valid(const char *s, size_t len)
{
	return (len == 10 && memcmp(s, "restricted", 10) == 0) ||
	    (len == 9 && memcmp(s, "suspended", 9) == 0);
}

#define F(...) PL_FIELD(struct licence, __VA_ARGS__)
static const struct js_field licence_fields[] = {
	F("lid", JS_STR, false, lid, 0, pl_lid_valid, PL_LID_EXPECT),
	F("ver", JS_U64, false, ver, 1, NULL, NULL),
	F("iat", JS_TIME, false, iat, 0, NULL, NULL),
	F("nbf", JS_TIME, false, nbf, 0, NULL, NULL),
	F("exp", JS_TIME, false, exp, 0, NULL, NULL),
	F("vendor", JS_TEXT, false, vendor, 1, NULL, NULL),
	F("product", JS_STR, false, product, 0, pl_name_valid,
	    PL_PRODUCT_EXPECT),
	PL_SKIP("end_user", false),
	F("device", JS_STR, false, device, 0, paserk_pid_valid, PL_PID_EXPECT),
	PL_SKIP("purposes", false),
	PL_SKIP("features", false),
	PL_SKIP("freshness", false),
};

/* end_user's members land in the licence itself. */
static const struct js_field end_user_fields[] = {
	F("country", JS_STR, false, country, 0, country_valid,
	    "two capital letters (ISO 3166-1 alpha-2)"),
	F("agency", JS_TEXT, false, agency, 1, NULL, NULL),
	F("declaration", JS_STR, false, declaration, 0, pl_sha256_valid,
	    PL_SHA256_EXPECT),
};

static const struct js_field freshness_fields[] = {
	F("max_age", JS_DUR, false, max_age, 1, NULL, NULL),
	PL_SKIP("ladder", false),
};
#undef F

static const struct js_field step_fields[] = {
	PL_FIELD(struct ladder_step, "after", JS_DUR, false, after, 0, NULL,
	    NULL),
	PL_SKIP("state", false),
	PL_SKIP("keep", true),
};

static int
has_feature(const struct licence *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->nfeatures; i++)
		if (strcmp(l->features[i].name, name) == 0)
			return 1;
	return 0;
}

/* "state" and "keep" of one step: keep exactly with "restricted", and
 * naming only features of the licence. */
static int
decode_state_keep(const json_t *v, const char *path,
    const struct licence *l, struct ladder_step *s, struct lerr *e)
{
	char sub[JS_PATH_MAX], elem[JS_PATH_MAX], st[16];
	const json_t *keep = json_object_get(v, "keep");
	size_t i;
	int r;

	if ((r = js_str(json_object_get(v, "state"), js_path_key(sub, path,
	    "state"), step_state_valid, "\"restricted\" or \"suspended\"", st,
	    sizeof(st), e)) != 0)
		return r;
	s->state = strcmp(st, "restricted") == 0 ? LSTATE_RESTRICTED :
	    LSTATE_SUSPENDED;
	js_path_key(sub, path, "keep");
	if (s->state == LSTATE_SUSPENDED)
		return keep == NULL ? 0 : js_err(e, LICD_E_PAYLOAD, sub,
		    "not allowed with state \"suspended\"");
	if (keep == NULL)
		return lerr_set(e, LICD_E_PAYLOAD, "missing field %s (required "
		    "with state \"restricted\")", sub);
	if ((r = js_names(keep, sub, 0, PL_MAX_FEATURES, pl_name_valid,
	    PL_FEATURE_EXPECT, s->keep[0], sizeof(s->keep[0]), &s->nkeep,
	    e)) != 0)
		return r;
	for (i = 0; i < s->nkeep; i++)
		if (!has_feature(l, s->keep[i]))
			return js_err(e, LICD_E_PAYLOAD, js_path_idx(elem, sub,
			    i), "\"%s\" is not a feature of the licence",
			    s->keep[i]);
	return 0;
}

static int
kept_by(const struct ladder_step *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nkeep; i++)
		if (strcmp(s->keep[i], name) == 0)
			return 1;
	return 0;
}

/* A step after prev: later, and no looser. */
static int
check_tighter(const struct ladder_step *s, const struct ladder_step *prev,
    const char *path, struct lerr *e)
{
	char sub[JS_PATH_MAX], elem[JS_PATH_MAX];
	size_t i;

	if (s->after <= prev->after)
		return js_err(e, LICD_E_PAYLOAD, js_path_key(sub, path,
		    "after"), "must be greater than the previous step's");
	if (s->state == LSTATE_SUSPENDED)
		return 0;
	if (prev->state == LSTATE_SUSPENDED)
		return js_err(e, LICD_E_PAYLOAD, js_path_key(sub, path,
		    "state"), "\"restricted\" after a \"suspended\" step: a "
		    "step may not be looser than the one before");
	js_path_key(sub, path, "keep");
	for (i = 0; i < s->nkeep; i++)
		if (!kept_by(prev, s->keep[i]))
			return js_err(e, LICD_E_PAYLOAD, js_path_idx(elem, sub,
			    i), "\"%s\" is not kept by the previous step: a "
			    "step may not be looser than the one before",
			    s->keep[i]);
	return 0;
}

static int
decode_ladder(const json_t *v, const char *path, struct licence *l,
    struct lerr *e)
{
	char sub[JS_PATH_MAX], st[JS_PATH_MAX];
	size_t i;
	int r;

	if ((r = js_array(v, path, 1, PL_MAX_LADDER, e)) != 0)
		return r;
	for (i = 0; i < json_array_size(v); i++) {
		struct ladder_step *s = &l->ladder[i];
		const json_t *x = json_array_get(v, i);

		js_path_idx(sub, path, i);
		if ((r = js_fields(x, sub, step_fields, PL_NELEM(step_fields),
		    s, e)) != 0 ||
		    (r = decode_state_keep(x, sub, l, s, e)) != 0 ||
		    (i > 0 && (r = check_tighter(s, s - 1, sub, e)) != 0))
			return r;
		l->nladder = i + 1;
	}
	if (l->ladder[l->nladder - 1].state != LSTATE_SUSPENDED)
		return js_err(e, LICD_E_PAYLOAD, js_path_key(st, sub, "state"),
		    "the last step must be \"suspended\"");
	return 0;
}

static int
decode_freshness(const json_t *v, struct licence *l, struct lerr *e)
{
	int r;

	if ((r = js_fields(v, "\"freshness\"", freshness_fields,
	    PL_NELEM(freshness_fields), l, e)) != 0)
		return r;
	return decode_ladder(json_object_get(v, "ladder"),
	    "\"freshness\".\"ladder\"", l, e);
}

/* nbf < exp (never valid otherwise) and iat < exp; nbf may precede iat. */
static int
check_times(const struct licence *l, struct lerr *e)
{
	if (l->nbf >= l->exp)
		return js_err(e, LICD_E_PAYLOAD, "\"nbf\"",
		    "must be before \"exp\"");
	return pl_after(l->exp, l->iat, false, "\"exp\"", "iat", e);
}

int
pl_decode_licence(const uint8_t *msg, size_t len, struct licence *out,
    struct lerr *e)
{
	json_t *top = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = pl_parse(msg, len, licence_fields, PL_NELEM(licence_fields),
	    out, &top, e)) != 0 ||
	    (r = js_fields(json_object_get(top, "end_user"), "\"end_user\"",
	    end_user_fields, PL_NELEM(end_user_fields), out, e)) != 0 ||
	    (r = js_names(json_object_get(top, "purposes"), "\"purposes\"", 1,
	    PL_MAX_PURPOSES, pl_name_valid, PL_PURPOSE_EXPECT, out->purposes[0],
	    sizeof(out->purposes[0]), &out->npurposes, e)) != 0 ||
	    (r = pl_features(json_object_get(top, "features"), "\"features\"",
	    1, PL_MAX_FEATURES, false, out->features, &out->nfeatures,
	    e)) != 0 ||
	    (r = decode_freshness(json_object_get(top, "freshness"), out,
	    e)) != 0 ||
	    (r = check_times(out, e)) != 0)
		goto out;
	r = 0;
 out:
	json_decref(top);
	return r;
}
