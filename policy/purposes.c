/* SPDX-License-Identifier: MIT */
/* The permitted-purpose taxonomy (policy/purposes.conf): loaded strictly,
 * so that a typo in the file a licence depends on is an error, not a
 * silently missing purpose. The one file policy/ reads. */
#include <stdio.h>
#include <string.h>

#include <libconfig.h>

#include "pol_int.h"

static int
fail(struct lerr *e, const char *path, const config_setting_t *s,
    const char *what, const char *name)
{
	return lerr_set(e, LICD_E_CONFIG, "%s:%u: %s%s%s%s", path,
	    s != NULL ? (unsigned)config_setting_source_line(s) : 0u, what,
	    name != NULL ? " \"" : "", name != NULL ? name : "",
	    name != NULL ? "\"" : "");
}

/* A string member of g, 1..max bytes, no control characters. */
static int
text(const char *path, const config_setting_t *g, const char *key,
    char *out, size_t max, struct lerr *e)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	const char *v;
	size_t i, n;

	if (s == NULL)
		return fail(e, path, g, "missing key", key);
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail(e, path, s, "expected a string for", key);
	v = config_setting_get_string(s);
	n = strlen(v);
	if (n == 0 || n > max)
		return fail(e, path, s, "empty or too long:", key);
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return fail(e, path, s, "control character in", key);
	memcpy(out, v, n + 1);
	return 0;
}

static int
only_keys(const char *path, const config_setting_t *g,
    const char *const *keys, size_t nkeys, struct lerr *e)
{
	const config_setting_t *s;
	const char *name;
	int i, n = config_setting_length(g);
	size_t k;

	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(g, (unsigned)i);
		name = config_setting_name(s);
		for (k = 0; k < nkeys; k++)
			if (name != NULL && strcmp(name, keys[k]) == 0)
				break;
		if (k == nkeys)
			return fail(e, path, s, "unknown key", name);
	}
	return 0;
}

static int
entry(const char *path, const config_setting_t *g, struct pol_purposes *out,
    struct lerr *e)
{
	static const char *const keys[] = { "id", "title", "definition" };
	struct pol_purpose *p = &out->p[out->n];
	int r;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return fail(e, path, g, "expected a group { id; title; "
		    "definition; }", NULL);
	if ((r = only_keys(path, g, keys, 3, e)) < 0 ||
	    (r = text(path, g, "id", p->id, PL_NAME_MAX, e)) < 0 ||
	    (r = text(path, g, "title", p->title, POL_PURPOSE_TITLE_MAX,
	    e)) < 0 ||
	    (r = text(path, g, "definition", p->definition,
	    POL_PURPOSE_DEF_MAX, e)) < 0)
		return r;
	if (!pl_name_valid(p->id, strlen(p->id)))
		return fail(e, path, config_setting_get_member(g, "id"),
		    "id must match [a-z0-9][a-z0-9._-]{0,63}:", p->id);
	if (pol_purpose_find(out, p->id) != NULL)
		return fail(e, path, g, "duplicate id", p->id);
	out->n++;
	return 0;
}

static int
top(const char *path, const config_t *cf, struct pol_purposes *out,
    struct lerr *e)
{
	static const char *const keys[] = { "version", "purposes" };
	const config_setting_t *root = config_root_setting(cf), *s, *list;
	int i, n, r;

	if ((r = only_keys(path, root, keys, 2, e)) < 0)
		return r;
	s = config_setting_get_member(root, "version");
	if (s == NULL || config_setting_type(s) != CONFIG_TYPE_INT ||
	    config_setting_get_int(s) != 1)
		return fail(e, path, s, "expected version = 1", NULL);
	list = config_setting_get_member(root, "purposes");
	if (list == NULL || config_setting_type(list) != CONFIG_TYPE_LIST)
		return fail(e, path, list, "expected purposes = ( ... )", NULL);
	n = config_setting_length(list);
	if (n < 1 || n > POL_MAX_TAXONOMY)
		return fail(e, path, list, "expected 1 to 64 purposes", NULL);
	for (i = 0; i < n; i++)
		if ((r = entry(path, config_setting_get_elem(list,
		    (unsigned)i), out, e)) < 0)
			return r;
	return 0;
}

int
pol_purposes_load(const char *path, struct pol_purposes *out,
    struct lerr *e)
{
	config_t cf;
	int r;

	memset(out, 0, sizeof(*out));
	config_init(&cf);
	if (config_read_file(&cf, path) != CONFIG_TRUE) {
		if (config_error_type(&cf) == CONFIG_ERR_FILE_IO)
			r = lerr_set(e, LICD_E_CONFIG, "%s:0: cannot read the "
			    "file", path);
		else
			r = lerr_set(e, LICD_E_CONFIG, "%s:%d: %s", path,
			    config_error_line(&cf), config_error_text(&cf));
		goto out;
	}
	r = top(path, &cf, out, e);
 out:
	config_destroy(&cf);
	if (r < 0)
		memset(out, 0, sizeof(*out));
	return r;
}

const struct pol_purpose *
pol_purpose_find(const struct pol_purposes *p, const char *id)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->p[i].id, id) == 0)
			return &p->p[i];
	return NULL;
}
