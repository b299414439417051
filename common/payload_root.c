/* SPDX-License-Identifier: MIT */
/* The root payload (DESIGN 3.4): the trust anchor's keys and roles, checked
 * so that a key id can never name another key and a threshold can always
 * be met. */
#include <string.h>

#include "payload_int.h"

static const char *const role_names[ROLE__COUNT] = {
	[ROLE_ROOT] = "root",
	[ROLE_LICENCE] = "licence",
	[ROLE_ORDER] = "order",
	[ROLE_STATUS] = "status",
};

#define F(...) PL_FIELD(struct root, __VA_ARGS__)
static const struct js_field root_fields[] = {
	F("ver", JS_U64, false, ver, 1, NULL, NULL),
	F("iat", JS_TIME, false, iat, 0, NULL, NULL),
	F("exp", JS_TIME, false, exp, 0, NULL, NULL),
	PL_SKIP("keys", false),
	PL_SKIP("roles", false),
};
#undef F

static const struct js_field key_fields[] = {
	PL_SKIP("key", false),
	PL_FIELD(struct root_key, "name", JS_TEXT, false, name, 1, NULL, NULL),
};

static const struct js_field roles_fields[] = {
	PL_SKIP("root", false),
	PL_SKIP("licence", false),
	PL_SKIP("order", false),
	PL_SKIP("status", false),
};

static const struct js_field role_fields[] = {
	PL_SKIP("keys", false),
	PL_FIELD(struct role, "threshold", JS_U32, false, threshold, 1, NULL,
	    NULL),
};

/* "key": a k4.public whose PASERK id is the entry's key id. */
static int
decode_pk(const json_t *v, const char *path, const char *kid,
    struct root_key *k, struct lerr *e)
{
	char sub[JS_PATH_MAX];
	paserk_kid want;
	struct lerr ke;

	js_path_key(sub, path, "key");
	if (!json_is_string(v))
		return js_err(e, LICD_E_PAYLOAD, sub,
		    "expected a k4.public key");
	lerr_clear(&ke);
	if (paserk_public_decode(json_string_value(v), json_string_length(v),
	    k->pk, &ke) != 0)
		return js_err(e, LICD_E_PAYLOAD, sub, "%s",
		    strncmp(ke.msg, "key: ", 5) == 0 ? ke.msg + 5 : ke.msg);
	paserk_pid(k->pk, want);
	if (strcmp(kid, want) != 0)
		return js_err(e, LICD_E_PAYLOAD, path, "key id does not match "
		    "its key (whose id is %s)", want);
	return 0;
}

/* "keys": kid -> {"key", "name"}. */
static int
decode_keys(const json_t *v, struct root *r, struct lerr *e)
{
	char sub[JS_PATH_MAX];
	const char *kid;
	json_t *x;
	int ret;

	if ((ret = js_map(v, "\"keys\"", 1, PL_MAX_ROOT_KEYS,
	    paserk_pid_valid, PL_PID_EXPECT, e)) != 0)
		return ret;
	json_object_foreach((json_t *)v, kid, x) {
		struct root_key *k = &r->keys[r->nkeys];

		js_path_key(sub, "\"keys\"", kid);
		if ((ret = js_fields(x, sub, key_fields,
		    PL_NELEM(key_fields), k, e)) != 0 ||
		    (ret = decode_pk(json_object_get(x, "key"), sub, kid, k,
		    e)) != 0)
			return ret;
		memcpy(k->kid, kid, sizeof(k->kid));	/* exact length */
		r->nkeys++;
	}
	return 0;
}

/* One role: 1..16 distinct listed key ids and 1 <= threshold <= count. */
static int
decode_role(const json_t *v, const char *path, struct root *r,
    struct role *ro, struct lerr *e)
{
	paserk_kid kids[PL_MAX_ROLE_KEYS];
	char sub[JS_PATH_MAX], elem[JS_PATH_MAX];
	size_t i;
	int idx, ret;

	if ((ret = js_fields(v, path, role_fields, PL_NELEM(role_fields), ro,
	    e)) != 0)
		return ret;
	js_path_key(sub, path, "keys");
	if ((ret = js_names(json_object_get(v, "keys"), sub, 1,
	    PL_MAX_ROLE_KEYS, paserk_pid_valid, PL_PID_EXPECT, kids[0],
	    sizeof(kids[0]), &ro->nkeys, e)) != 0)
		return ret;
	for (i = 0; i < ro->nkeys; i++) {
		if ((idx = root_key_index(r, kids[i])) < 0)
			return js_err(e, LICD_E_PAYLOAD, js_path_idx(elem, sub,
			    i), "\"%s\" is not listed in \"keys\"", kids[i]);
		ro->key[i] = (uint8_t)idx;
	}
	if (ro->threshold > ro->nkeys)
		return js_err(e, LICD_E_PAYLOAD, js_path_key(elem, path,
		    "threshold"), "%u exceeds the %zu keys of the role",
		    (unsigned)ro->threshold, ro->nkeys);
	return 0;
}

static int
role_has(const struct role *ro, uint8_t idx)
{
	return memchr(ro->key, idx, ro->nkeys) != NULL;
}

/* The status key is the online one: it must not count for another role. */
static int
check_status_alone(const struct root *r, struct lerr *e)
{
	const struct role *st = &r->roles[ROLE_STATUS];
	char path[JS_PATH_MAX];
	size_t i;
	int j;

	for (i = 0; i < st->nkeys; i++)
		for (j = 0; j < ROLE_STATUS; j++)
			if (role_has(&r->roles[j], st->key[i]))
				return js_err(e, LICD_E_PAYLOAD, js_path_idx(
				    path, "\"roles\".\"status\".\"keys\"", i),
				    "\"%s\" is also in role \"%s\": a status "
				    "key must be in no other role",
				    r->keys[st->key[i]].kid, role_names[j]);
	return 0;
}

static int
decode_roles(const json_t *v, struct root *r, struct lerr *e)
{
	char path[JS_PATH_MAX];
	int i, ret;

	if ((ret = js_fields(v, "\"roles\"", roles_fields,
	    PL_NELEM(roles_fields), NULL, e)) != 0)
		return ret;
	for (i = 0; i < ROLE__COUNT; i++) {
		js_path_key(path, "\"roles\"", role_names[i]);
		if ((ret = decode_role(json_object_get(v, role_names[i]), path,
		    r, &r->roles[i], e)) != 0)
			return ret;
	}
	return check_status_alone(r, e);
}

int
pl_decode_root(const uint8_t *msg, size_t len, struct root *out,
    struct lerr *e)
{
	json_t *top = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = pl_parse(msg, len, root_fields, PL_NELEM(root_fields), out,
	    &top, e)) != 0 ||
	    (r = decode_keys(json_object_get(top, "keys"), out, e)) != 0 ||
	    (r = decode_roles(json_object_get(top, "roles"), out, e)) != 0 ||
	    (r = pl_after(out->exp, out->iat, false, "\"exp\"", "iat", e)) != 0)
		goto out;
	r = 0;
 out:
	json_decref(top);
	return r;
}
