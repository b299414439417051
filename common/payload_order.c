/* SPDX-License-Identifier: MIT */
/* The order payload (DESIGN 3.4): the whole sanction state of one licence,
 * where only "restrict" may carry the lists that narrow it. */
#include <string.h>

#include "payload_int.h"

static int
action_valid(const char *s, size_t len)
{
	return order_action_from_name(s, len) >= 0;
}

#define F(...) PL_FIELD(struct order, __VA_ARGS__)
static const struct js_field order_fields[] = {
	F("lid", JS_STR, false, lid, 0, pl_lid_valid, PL_LID_EXPECT),
	F("seq", JS_U64, false, seq, 1, NULL, NULL),
	F("iat", JS_TIME, false, iat, 0, NULL, NULL),
	F("nbf", JS_TIME, true, nbf, 0, NULL, NULL),
	PL_SKIP("action", false),
	PL_SKIP("keep", true),
	PL_SKIP("purposes", true),
	PL_SKIP("limits", true),
	F("reason", JS_TEXT, false, reason, 1, NULL, NULL),
	F("ref", JS_TEXT, false, ref, 0, NULL, NULL),
};
#undef F

/* The fields only "restrict" may carry. */
static const char *const narrowing[] = { "keep", "purposes", "limits" };

static int
decode_action(const json_t *top, struct order *o, struct lerr *e)
{
	char name[16];
	size_t i;
	int r;

	if ((r = js_str(json_object_get(top, "action"), "\"action\"",
	    action_valid, "\"restrict\", \"suspend\", \"revoke\" or "
	    "\"reinstate\"", name, sizeof(name), e)) != 0)
		return r;
	o->action = (enum order_action)order_action_from_name(name,
	    strlen(name));
	if (o->action == ACT_RESTRICT)
		return 0;
	for (i = 0; i < PL_NELEM(narrowing); i++)
		if (json_object_get(top, narrowing[i]) != NULL)
			return lerr_set(e, LICD_E_PAYLOAD, "field \"%s\": only "
			    "allowed with action \"restrict\", not \"%s\"",
			    narrowing[i], name);
	return 0;
}

/* keep, purposes and limits: each optional, each may be empty (an empty
 * list narrows to nothing). */
static int
decode_narrowing(const json_t *top, struct order *o, struct lerr *e)
{
	const json_t *v;
	int r;

	if ((v = json_object_get(top, "keep")) != NULL) {
		o->has_keep = true;
		if ((r = js_names(v, "\"keep\"", 0, PL_MAX_FEATURES,
		    pl_name_valid, PL_FEATURE_EXPECT, o->keep[0],
		    sizeof(o->keep[0]), &o->nkeep, e)) != 0)
			return r;
	}
	if ((v = json_object_get(top, "purposes")) != NULL) {
		o->has_purposes = true;
		if ((r = js_names(v, "\"purposes\"", 0, PL_MAX_PURPOSES,
		    pl_name_valid, PL_PURPOSE_EXPECT, o->purposes[0],
		    sizeof(o->purposes[0]), &o->npurposes, e)) != 0)
			return r;
	}
	if ((v = json_object_get(top, "limits")) != NULL) {
		o->has_limits = true;
		if ((r = pl_features(v, "\"limits\"", 0, PL_MAX_FEATURES, true,
		    o->limits, &o->nlimits, e)) != 0)
			return r;
	}
	return 0;
}

int
pl_decode_order(const uint8_t *msg, size_t len, struct order *out,
    struct lerr *e)
{
	json_t *top = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = pl_parse(msg, len, order_fields, PL_NELEM(order_fields), out,
	    &top, e)) != 0 ||
	    (r = decode_action(top, out, e)) != 0 ||
	    (r = decode_narrowing(top, out, e)) != 0)
		goto out;
	/* nbf defaults to iat; any nbf is allowed (one before iat means
	 * "from issue"). */
	out->has_nbf = json_object_get(top, "nbf") != NULL;
	if (!out->has_nbf)
		out->nbf = out->iat;
	r = 0;
 out:
	json_decref(top);
	return r;
}
