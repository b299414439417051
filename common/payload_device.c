/* SPDX-License-Identifier: MIT */
/* The payloads a device signs with its own key (DESIGN 3.4, 5.1): receipts,
 * activation requests, audit checkpoints and usage reports. */
#include <string.h>

#include "payload_int.h"

#define EVENT_EXPECT	"a receipt event (root-applied, licence-applied, " \
	"order-applied, order-pending, status-applied, state-changed)"
#define STATE_EXPECT	"a state (invalid, expired, revoked, suspended, " \
	"restricted, active)"

static int
lid_or_empty_valid(const char *s, size_t len)
{
	return len == 0 || pl_lid_valid(s, len);
}

static int
state_valid(const char *s, size_t len)
{
	return lstate_from_name(s, len) >= 0;
}

/* /etc/machine-id: 32 lower-case hex digits, or "" on a machine without
 * one (a bare container): the device key binds the licence, host ids only
 * help the ministry recognise the machine. */
static int
machine_id_valid(const char *s, size_t len)
{
	return len == 0 || (len == 32 && pl_hex_lower(s, len));
}

/* DMI product_uuid as the kernel prints it (8-4-4-4-12 lower-case hex),
 * or "" where the machine has none or it cannot be read. */
static int
product_uuid_valid(const char *s, size_t len)
{
	static const size_t dash[] = { 8, 13, 18, 23 };
	size_t i, start = 0;

	if (len == 0)
		return 1;
	if (len != 36)
		return 0;
	for (i = 0; i < PL_NELEM(dash); i++) {
		if (s[dash[i]] != '-' ||
		    !pl_hex_lower(s + start, dash[i] - start))
			return 0;
		start = dash[i] + 1;
	}
	return pl_hex_lower(s + start, len - start);
}

/* ---- receipt ------------------------------------------------------------ */

#define F(...) PL_FIELD(struct receipt, __VA_ARGS__)
static const struct js_field receipt_fields[] = {
	F("device", JS_STR, false, device, 0, paserk_pid_valid, PL_PID_EXPECT),
	F("lid", JS_STR, false, lid, 0, lid_or_empty_valid,
	    "\"\" or " PL_LID_EXPECT),
	F("iat", JS_TIME, false, iat, 0, NULL, NULL),
	F("event", JS_STR, false, event, 0, pl_event_valid, EVENT_EXPECT),
	F("seq", JS_U64, false, seq, 0, NULL, NULL),
	PL_SKIP("state", false),
	F("audit", JS_STR, false, audit, 0, pl_sha256_valid, PL_SHA256_EXPECT),
};
#undef F

/* A root is device-wide: its receipt, and only its, has lid "". */
static int
check_receipt_lid(const struct receipt *rc, struct lerr *e)
{
	int root = strcmp(rc->event, "root-applied") == 0;

	if (root && rc->lid[0] != '\0')
		return js_err(e, LICD_E_PAYLOAD, "\"lid\"",
		    "must be \"\" for event \"root-applied\"");
	if (!root && rc->lid[0] == '\0')
		return js_err(e, LICD_E_PAYLOAD, "\"lid\"",
		    "may be \"\" only for event \"root-applied\"");
	return 0;
}

int
pl_decode_receipt(const uint8_t *msg, size_t len, struct receipt *out,
    struct lerr *e)
{
	json_t *top = NULL;
	char st[16];
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = pl_parse(msg, len, receipt_fields, PL_NELEM(receipt_fields),
	    out, &top, e)) != 0 ||
	    (r = js_str(json_object_get(top, "state"), "\"state\"",
	    state_valid, STATE_EXPECT, st, sizeof(st), e)) != 0 ||
	    (r = check_receipt_lid(out, e)) != 0)
		goto out;
	out->state = (enum lstate)lstate_from_name(st, strlen(st));
	r = 0;
 out:
	json_decref(top);
	return r;
}

/* ---- request ------------------------------------------------------------ */

#define F(...) PL_FIELD(struct request, __VA_ARGS__)
static const struct js_field request_fields[] = {
	F("device", JS_STR, false, device, 0, paserk_pid_valid, PL_PID_EXPECT),
	PL_SKIP("key", false),
	F("iat", JS_TIME, false, iat, 0, NULL, NULL),
	PL_SKIP("host", false),
};

static const struct js_field host_fields[] = {
	F("machine_id", JS_STR, false, machine_id, 0, machine_id_valid,
	    "\"\" or 32 lower-case hex digits (/etc/machine-id)"),
	F("product_uuid", JS_STR, false, product_uuid, 0, product_uuid_valid,
	    "\"\" or a lower-case UUID (8-4-4-4-12 hex digits)"),
};
#undef F

/* "key" is the device's k4.public and "device" its id. */
static int
decode_request_key(const json_t *v, struct request *rq, struct lerr *e)
{
	paserk_kid want;
	struct lerr ke;

	if (!json_is_string(v))
		return js_err(e, LICD_E_PAYLOAD, "\"key\"",
		    "expected a k4.public key");
	lerr_clear(&ke);
	if (paserk_public_decode(json_string_value(v), json_string_length(v),
	    rq->key, &ke) != 0)
		return js_err(e, LICD_E_PAYLOAD, "\"key\"", "%s",
		    strncmp(ke.msg, "key: ", 5) == 0 ? ke.msg + 5 : ke.msg);
	paserk_pid(rq->key, want);
	if (strcmp(rq->device, want) != 0)
		return js_err(e, LICD_E_PAYLOAD, "\"device\"", "does not match "
		    "\"key\" (whose id is %s)", want);
	return 0;
}

int
pl_decode_request(const uint8_t *msg, size_t len, struct request *out,
    struct lerr *e)
{
	json_t *top = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = pl_parse(msg, len, request_fields, PL_NELEM(request_fields),
	    out, &top, e)) != 0 ||
	    (r = js_fields(json_object_get(top, "host"), "\"host\"",
	    host_fields, PL_NELEM(host_fields), out, e)) != 0 ||
	    (r = decode_request_key(json_object_get(top, "key"), out, e)) != 0)
		goto out;
	r = 0;
 out:
	json_decref(top);
	return r;
}

/* ---- checkpoint --------------------------------------------------------- */

#define F(...) PL_FIELD(struct checkpoint, __VA_ARGS__)
static const struct js_field checkpoint_fields[] = {
	F("device", JS_STR, false, device, 0, paserk_pid_valid, PL_PID_EXPECT),
	F("iat", JS_TIME, false, iat, 0, NULL, NULL),
	F("lines", JS_U64, false, lines, 0, NULL, NULL),
	F("audit", JS_STR, false, audit, 0, pl_sha256_valid, PL_SHA256_EXPECT),
};
#undef F

int
pl_decode_checkpoint(const uint8_t *msg, size_t len, struct checkpoint *out,
    struct lerr *e)
{
	json_t *top = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	r = pl_parse(msg, len, checkpoint_fields, PL_NELEM(checkpoint_fields),
	    out, &top, e);
	json_decref(top);
	return r;
}

/* ---- report ------------------------------------------------------------- */

#define F(...) PL_FIELD(struct report, __VA_ARGS__)
static const struct js_field report_fields[] = {
	F("device", JS_STR, false, device, 0, paserk_pid_valid, PL_PID_EXPECT),
	F("lid", JS_STR, false, lid, 0, pl_lid_valid, PL_LID_EXPECT),
	F("iat", JS_TIME, false, iat, 0, NULL, NULL),
	F("from", JS_TIME, false, from, 0, NULL, NULL),
	F("to", JS_TIME, false, to, 0, NULL, NULL),
	F("audit", JS_STR, false, audit, 0, pl_sha256_valid, PL_SHA256_EXPECT),
	PL_SKIP("usage", false),
};
#undef F

#define F(...) PL_FIELD(struct usage_row, __VA_ARGS__)
static const struct js_field usage_fields[] = {
	F("product", JS_STR, false, product, 0, pl_name_valid,
	    PL_PRODUCT_EXPECT),
	F("feature", JS_STR, false, feature, 0, pl_name_valid,
	    PL_FEATURE_EXPECT),
	F("purpose", JS_STR, false, purpose, 0, pl_name_valid,
	    PL_PURPOSE_EXPECT),
	F("count", JS_U64, false, count, 0, NULL, NULL),
};
#undef F

static int
same_row(const struct usage_row *a, const struct usage_row *b)
{
	return strcmp(a->product, b->product) == 0 &&
	    strcmp(a->feature, b->feature) == 0 &&
	    strcmp(a->purpose, b->purpose) == 0;
}

/* 0..256 rows, one per (product, feature, purpose). */
static int
decode_usage(const json_t *v, struct report *rp, struct lerr *e)
{
	char sub[JS_PATH_MAX];
	size_t i, j;
	int r;

	if ((r = js_array(v, "\"usage\"", 0, PL_MAX_USAGE, e)) != 0)
		return r;
	for (i = 0; i < json_array_size(v); i++) {
		struct usage_row *u = &rp->usage[i];

		js_path_idx(sub, "\"usage\"", i);
		if ((r = js_fields(json_array_get(v, i), sub, usage_fields,
		    PL_NELEM(usage_fields), u, e)) != 0)
			return r;
		for (j = 0; j < i; j++)
			if (same_row(u, &rp->usage[j]))
				return js_err(e, LICD_E_PAYLOAD, sub,
				    "duplicate row for (\"%s\", \"%s\", "
				    "\"%s\")", u->product, u->feature,
				    u->purpose);
		rp->nusage = i + 1;
	}
	return 0;
}

int
pl_decode_report(const uint8_t *msg, size_t len, struct report *out,
    struct lerr *e)
{
	json_t *top = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = pl_parse(msg, len, report_fields, PL_NELEM(report_fields),
	    out, &top, e)) != 0 ||
	    (r = pl_after(out->to, out->from, true, "\"to\"", "from",
	    e)) != 0 ||
	    (r = pl_after(out->iat, out->to, true, "\"iat\"", "to",
	    e)) != 0 ||
	    (r = decode_usage(json_object_get(top, "usage"), out, e)) != 0)
		goto out;
	r = 0;
 out:
	json_decref(top);
	return r;
}
