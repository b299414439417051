/* SPDX-License-Identifier: MIT */
/* Names, alphabets and the small pieces every payload decoder shares, so a
 * name means the same thing in every document type. */
#include <stdlib.h>
#include <string.h>

#include "payload_int.h"

static const char *const type_names[DOC__COUNT] = {
	[DOC_ROOT] = "root",
	[DOC_LICENCE] = "licence",
	[DOC_ORDER] = "order",
	[DOC_STATUS] = "status",
	[DOC_RECEIPT] = "receipt",
	[DOC_REQUEST] = "request",
	[DOC_CHECKPOINT] = "checkpoint",
	[DOC_REPORT] = "report",
};

static const char *const lstate_names[LSTATE__COUNT] = {
	[LSTATE_INVALID] = "invalid",
	[LSTATE_EXPIRED] = "expired",
	[LSTATE_REVOKED] = "revoked",
	[LSTATE_SUSPENDED] = "suspended",
	[LSTATE_RESTRICTED] = "restricted",
	[LSTATE_ACTIVE] = "active",
};

static const char *const action_names[ACT__COUNT] = {
	[ACT_RESTRICT] = "restrict",
	[ACT_SUSPEND] = "suspend",
	[ACT_REVOKE] = "revoke",
	[ACT_REINSTATE] = "reinstate",
};

/* The receipt events (doc/PROTOCOL.md); a new one is a protocol change. */
static const char *const event_names[] = {
	"root-applied", "licence-applied", "order-applied", "order-pending",
	"status-applied", "state-changed",
};

/* Index of s (len bytes) in names[0..n), or -1. */
static int
name_index(const char *const *names, size_t n, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return (int)i;
	return -1;
}

const char *
doc_type_name(enum doc_type t)
{
	return (t >= 0 && t < DOC__COUNT) ? type_names[t] : NULL;
}

int
doc_type_from_name(const char *s, size_t len)
{
	return name_index(type_names, DOC__COUNT, s, len);
}

const char *
lstate_name(enum lstate s)
{
	return ((int)s >= 0 && s < LSTATE__COUNT) ? lstate_names[s] : NULL;
}

int
lstate_from_name(const char *s, size_t len)
{
	return name_index(lstate_names, LSTATE__COUNT, s, len);
}

const char *
order_action_name(enum order_action a)
{
	return ((int)a >= 0 && a < ACT__COUNT) ? action_names[a] : NULL;
}

int
order_action_from_name(const char *s, size_t len)
{
	return name_index(action_names, ACT__COUNT, s, len);
}

int
pl_event_valid(const char *s, size_t len)
{
	return name_index(event_names, PL_NELEM(event_names), s, len) >= 0;
}

static int
is_lower_digit(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int
pl_name_valid(const char *s, size_t len)
{
	size_t i;

	if (len < 1 || len > PL_NAME_MAX || !is_lower_digit(s[0]))
		return 0;
	for (i = 1; i < len; i++)
		if (!is_lower_digit(s[i]) && s[i] != '.' && s[i] != '_' &&
		    s[i] != '-')
			return 0;
	return 1;
}

int
pl_lid_valid(const char *s, size_t len)
{
	size_t i;

	if (len < 1 || len > PL_LID_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!is_lower_digit(s[i]) && !(s[i] >= 'A' && s[i] <= 'Z') &&
		    s[i] != '.' && s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

int
pl_hex_lower(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!(s[i] >= '0' && s[i] <= '9') &&
		    !(s[i] >= 'a' && s[i] <= 'f'))
			return 0;
	return 1;
}

int
pl_sha256_valid(const char *s, size_t len)
{
	return len == PL_AUDIT_LEN && memcmp(s, "sha256:", 7) == 0 &&
	    pl_hex_lower(s + 7, len - 7);
}

int
root_key_index(const struct root *r, const char *kid)
{
	size_t i;

	for (i = 0; i < r->nkeys; i++)
		if (strcmp(r->keys[i].kid, kid) == 0)
			return (int)i;
	return -1;
}

/* One decoder per type, all with the same shape. */
static int
validate_one(enum doc_type t, const uint8_t *msg, size_t len, void *buf,
    struct lerr *e)
{
	switch (t) {
	case DOC_ROOT: return pl_decode_root(msg, len, buf, e);
	case DOC_LICENCE: return pl_decode_licence(msg, len, buf, e);
	case DOC_ORDER: return pl_decode_order(msg, len, buf, e);
	case DOC_STATUS: return pl_decode_status(msg, len, buf, e);
	case DOC_RECEIPT: return pl_decode_receipt(msg, len, buf, e);
	case DOC_REQUEST: return pl_decode_request(msg, len, buf, e);
	case DOC_CHECKPOINT: return pl_decode_checkpoint(msg, len, buf, e);
	case DOC_REPORT: return pl_decode_report(msg, len, buf, e);
	default: break;
	}
	return lerr_set(e, LICD_E_USAGE, "no payload type %d", (int)t);
}

int
pl_validate(enum doc_type t, const uint8_t *msg, size_t len, struct lerr *e)
{
	union {
		struct root root;
		struct licence licence;
		struct order order;
		struct status status;
		struct receipt receipt;
		struct request request;
		struct checkpoint checkpoint;
		struct report report;
	} *buf;
	int r;

	if ((buf = malloc(sizeof(*buf))) == NULL)
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	r = validate_one(t, msg, len, buf, e);
	free(buf);
	return r;
}

/* ---- shared by the decoders --------------------------------------------- */

int
pl_parse(const uint8_t *msg, size_t len, const struct js_field *f, size_t n,
    void *out, json_t **top, struct lerr *e)
{
	json_t *j = NULL;
	int r;

	*top = NULL;
	if ((r = js_parse(msg, len, &j, e)) != 0)
		goto out;
	if ((r = js_fields(j, "", f, n, out, e)) != 0)
		goto out;
	*top = j;
	j = NULL;
 out:
	json_decref(j);
	return r;
}

int
pl_features(const json_t *v, const char *path, size_t min, size_t max,
    bool need_limit, struct feature *out, size_t *n, struct lerr *e)
{
	const struct js_field lim[] = {
		PL_FIELD(struct feature, "max_concurrent", JS_U32, !need_limit,
		    max_concurrent, 1, NULL, NULL),
	};
	char sub[JS_PATH_MAX];
	const char *k;
	json_t *x;
	int r;

	*n = 0;
	if ((r = js_map(v, path, min, max, pl_name_valid, PL_FEATURE_EXPECT,
	    e)) != 0)
		return r;
	json_object_foreach((json_t *)v, k, x) {
		struct feature *f = &out[*n];

		memset(f, 0, sizeof(*f));
		memcpy(f->name, k, strlen(k) + 1);	/* checked by js_map */
		if ((r = js_fields(x, js_path_key(sub, path, k), lim, 1, f,
		    e)) != 0)
			return r;
		(*n)++;
	}
	return 0;
}

int
pl_after(int64_t later, int64_t earlier, bool equal_ok, const char *path,
    const char *name, struct lerr *e)
{
	if (later > earlier || (equal_ok && later == earlier))
		return 0;
	return js_err(e, LICD_E_PAYLOAD, path, "must be %s \"%s\"",
	    equal_ok ? "at or after" : "after", name);
}
