/* SPDX-License-Identifier: MIT */
/* licd.conf: a table of every key, its type and its check, walked over the
 * libconfig tree so that nothing unknown or mistyped is ever ignored. */
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libconfig.h>

#include "config.h"
#include "ltime.h"

#define T_STRLIST	(-1)	/* a list or array of strings */
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct key;
typedef int (*set_fn)(const struct key *k, const config_setting_t *s,
    const char *name, struct cfg *c, struct lerr *e);

/* One key: its libconfig type, where it goes and how it is checked. */
struct key {
	const char *name;
	int type;			/* CONFIG_TYPE_* or T_STRLIST */
	bool required;
	set_fn set;			/* NULL for groups */
	size_t off, cap;		/* destination string in struct cfg */
	int64_t min;			/* durations: smallest value, seconds */
	const struct key *sub;		/* groups: their keys */
	size_t nsub;
};

static int set_path(const struct key *, const config_setting_t *,
    const char *, struct cfg *, struct lerr *);
static int set_dur(const struct key *, const config_setting_t *,
    const char *, struct cfg *, struct lerr *);
static int set_group(const struct key *, const config_setting_t *,
    const char *, struct cfg *, struct lerr *);
static int set_url(const struct key *, const config_setting_t *,
    const char *, struct cfg *, struct lerr *);
static int set_cmd(const struct key *, const config_setting_t *,
    const char *, struct cfg *, struct lerr *);
static int set_disable(const struct key *, const config_setting_t *,
    const char *, struct cfg *, struct lerr *);
static int set_units(const struct key *, const config_setting_t *,
    const char *, struct cfg *, struct lerr *);

#define STR(n, req, fn, m) \
	{ n, CONFIG_TYPE_STRING, req, fn, offsetof(struct cfg, m), \
	  sizeof(((struct cfg *)0)->m), 0, NULL, 0 }
#define DUR(n, m, lo) \
	{ n, CONFIG_TYPE_STRING, false, set_dur, offsetof(struct cfg, m), \
	  0, lo, NULL, 0 }
#define LIST(n, fn) { n, T_STRLIST, false, fn, 0, 0, 0, NULL, 0 }
#define GROUP(n, t) { n, CONFIG_TYPE_GROUP, false, NULL, 0, 0, 0, t, NELEM(t) }

static const struct key local_keys[] = {
	LIST("disable", set_disable),
};

static const struct key enforce_keys[] = {
	STR("on_change", false, set_cmd, on_change),
	LIST("stop_units", set_units),
};

static const struct key feed_keys[] = {
	STR("url", true, set_url, feed_url),
	STR("ca", false, set_path, feed_ca),
	DUR("interval", feed_interval, CFG_MIN_INTERVAL),
};

static const struct key top_keys[] = {
	STR("root", true, set_path, root),
	STR("state_dir", true, set_path, state_dir),
	STR("runtime_dir", true, set_path, runtime_dir),
	STR("inbox", false, set_path, inbox),
	STR("purposes", false, set_path, purposes),
	STR("admin_group", false, set_group, admin_group),
	DUR("client_grace", client_grace, 1),
	GROUP("local", local_keys),
	GROUP("enforce", enforce_keys),
	GROUP("feed", feed_keys),
};

/* "FILE:LINE: " + message, FILE being where setting s was read. */
static int __attribute__((format(printf, 4, 5)))
at(struct lerr *e, const struct cfg *c, const config_setting_t *s,
    const char *fmt, ...)
{
	char msg[LERR_MSG_MAX];
	const char *file = s != NULL ? config_setting_source_file(s) : NULL;
	unsigned line = s != NULL ? config_setting_source_line(s) : 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return lerr_set(e, LICD_E_CONFIG, "%s:%u: %s",
	    file != NULL ? file : c->file, line, msg);
}

/* Printable ASCII without quotes or backslashes, so messages and logs
 * show exactly what was configured. */
static int
plain(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\')
			return 0;
	return 1;
}

static const char *
type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_STRING:
		return "a string";
	default:
		return "a list of strings";
	}
}

static int
type_ok(const struct key *k, const config_setting_t *s)
{
	int t = config_setting_type(s), i, n;

	if (k->type != T_STRLIST)
		return t == k->type;
	if (t != CONFIG_TYPE_LIST && t != CONFIG_TYPE_ARRAY)
		return 0;
	n = config_setting_length(s);
	for (i = 0; i < n; i++)
		if (config_setting_type(config_setting_get_elem(s,
		    (unsigned)i)) != CONFIG_TYPE_STRING)
			return 0;
	return 1;
}

/* Copy the string value of s into the key's destination. */
static int
copy_str(const struct key *k, const config_setting_t *s, const char *name,
    struct cfg *c, struct lerr *e)
{
	const char *v = config_setting_get_string(s);
	char *dst = (char *)c + k->off;

	if (strlen(v) >= k->cap)
		return at(e, c, s, "key \"%s\": longer than %zu bytes", name,
		    k->cap - 1);
	if (!plain(v))
		return at(e, c, s, "key \"%s\": control character, quote or "
		    "backslash in the value", name);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int
set_path(const struct key *k, const config_setting_t *s, const char *name,
    struct cfg *c, struct lerr *e)
{
	const char *v = config_setting_get_string(s);
	int r;

	if ((r = copy_str(k, s, name, c, e)) < 0)
		return r;
	if (v[0] != '/')
		return at(e, c, s, "key \"%s\": \"%s\" is not an absolute path",
		    name, v);
	return 0;
}

static int
set_dur(const struct key *k, const config_setting_t *s, const char *name,
    struct cfg *c, struct lerr *e)
{
	const char *v = config_setting_get_string(s);
	int64_t secs;

	if (!plain(v) || ldur_parse(v, strlen(v), &secs) != 0)
		return at(e, c, s, "key \"%s\": expected a duration such as "
		    "\"30s\", \"15m\", \"72h\", \"7d\"", name);
	if (secs < k->min)
		return at(e, c, s, "key \"%s\": \"%s\" is shorter than %llds",
		    name, v, (long long)k->min);
	*(int64_t *)(void *)((char *)c + k->off) = secs;
	return 0;
}

/* A POSIX portable group name, which must exist: a typo must not leave
 * the admin socket open to nobody or to the wrong group silently. */
static int
set_group(const struct key *k, const config_setting_t *s, const char *name,
    struct cfg *c, struct lerr *e)
{
	const char *v = config_setting_get_string(s);
	struct group gr, *res = NULL;
	char buf[4096];
	size_t i;
	int r;

	if ((r = copy_str(k, s, name, c, e)) < 0)
		return r;
	for (i = 0; v[i] != '\0'; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' &&
		    v[i] <= 'Z') || (v[i] >= '0' && v[i] <= '9') ||
		    v[i] == '_' || v[i] == '.' || (v[i] == '-' && i > 0)))
			return at(e, c, s, "key \"%s\": \"%s\" is not a group "
			    "name", name, v);
	if (i == 0)
		return at(e, c, s, "key \"%s\": empty group name", name);
	r = getgrnam_r(v, &gr, buf, sizeof(buf), &res);
	if (r != 0 || res == NULL)
		return at(e, c, s, "key \"%s\": no group \"%s\"%s%s", name, v,
		    r != 0 ? ": " : "", r != 0 ? strerror(r) : "");
	c->admin_gid = gr.gr_gid;
	return 0;
}

static int
set_url(const struct key *k, const config_setting_t *s, const char *name,
    struct cfg *c, struct lerr *e)
{
	const char *v = config_setting_get_string(s);
	int r;

	if ((r = copy_str(k, s, name, c, e)) < 0)
		return r;
	if (strncmp(v, "https://", 8) != 0 || v[8] == '\0' ||
	    strchr(v, ' ') != NULL)
		return at(e, c, s, "key \"%s\": expected an https:// URL",
		    name);
	return 0;
}

/* The hook is run directly, without a shell: an absolute path to an
 * executable file, checked now so that --check-config catches typos. */
static int
set_cmd(const struct key *k, const config_setting_t *s, const char *name,
    struct cfg *c, struct lerr *e)
{
	const char *v = config_setting_get_string(s);
	struct stat st;
	int r;

	if ((r = set_path(k, s, name, c, e)) < 0)
		return r;
	if (stat(v, &st) != 0 || !S_ISREG(st.st_mode) ||
	    access(v, X_OK) != 0)
		return at(e, c, s, "key \"%s\": \"%s\" is not an executable "
		    "file", name, v);
	return 0;
}

static int
set_disable(const struct key *k, const config_setting_t *s,
    const char *name, struct cfg *c, struct lerr *e)
{
	unsigned i, n = (unsigned)config_setting_length(s);
	const config_setting_t *el;
	struct cfg_disable *d;
	const char *v, *colon, *feat;

	(void)k;
	if (n > CFG_MAX_LIST)
		return at(e, c, s, "key \"%s\": more than %d entries", name,
		    CFG_MAX_LIST);
	for (i = 0; i < n; i++) {
		el = config_setting_get_elem(s, i);
		v = config_setting_get_string(el);
		d = &c->disable[i];
		colon = strchr(v, ':');
		feat = colon != NULL ? colon + 1 : v;
		if ((colon != NULL && !pl_name_valid(v, (size_t)(colon - v))) ||
		    !pl_name_valid(feat, strlen(feat)))
			return at(e, c, el, "key \"%s\"[%u]: expected FEATURE "
			    "or PRODUCT:FEATURE, each matching "
			    "[a-z0-9][a-z0-9._-]{0,63}", name, i);
		if (colon != NULL)
			memcpy(d->product, v, (size_t)(colon - v));
		memcpy(d->feature, feat, strlen(feat) + 1);
	}
	c->ndisable = n;
	return 0;
}

/* systemd unit names: its alphabet, at most 255 bytes, a known suffix. */
static int
unit_valid(const char *v)
{
	static const char *const suffix[] = { ".service", ".socket",
	    ".target", ".timer", ".path", ".mount", ".scope", ".slice" };
	const char *dot = strrchr(v, '.');
	size_t i, len = strlen(v);

	if (len == 0 || len > CFG_UNIT_MAX || dot == NULL || dot == v)
		return 0;
	for (i = 0; i < len; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789:-_.\\@", v[i]) == NULL)
			return 0;
	for (i = 0; i < NELEM(suffix); i++)
		if (strcmp(dot, suffix[i]) == 0)
			return 1;
	return 0;
}

static int
set_units(const struct key *k, const config_setting_t *s, const char *name,
    struct cfg *c, struct lerr *e)
{
	unsigned i, n = (unsigned)config_setting_length(s);
	const config_setting_t *el;
	const char *v;

	(void)k;
	if (n > CFG_MAX_LIST)
		return at(e, c, s, "key \"%s\": more than %d entries", name,
		    CFG_MAX_LIST);
	for (i = 0; i < n; i++) {
		el = config_setting_get_elem(s, i);
		v = config_setting_get_string(el);
		if (!unit_valid(v))
			return at(e, c, el, "key \"%s\"[%u]: expected a systemd "
			    "unit name such as \"product.service\"", name, i);
		memcpy(c->stop_units[i], v, strlen(v) + 1);
	}
	c->nstop_units = n;
	return 0;
}

static const struct key *
find_key(const struct key *keys, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int walk(const config_setting_t *g, const char *prefix,
    const struct key *keys, size_t n, struct cfg *c, struct lerr *e);

/* Check one setting against its key and store it. */
static int
one(const config_setting_t *s, const char *prefix, const struct key *keys,
    size_t n, size_t *idx, struct cfg *c, struct lerr *e)
{
	const char *sname = config_setting_name(s);
	const struct key *k;
	char name[128];

	snprintf(name, sizeof(name), "%s%s", prefix,
	    sname != NULL ? sname : "?");
	if (sname == NULL || (k = find_key(keys, n, sname)) == NULL)
		return at(e, c, s, "unknown key \"%s\"", name);
	*idx = (size_t)(k - keys);
	if (!type_ok(k, s))
		return at(e, c, s, "key \"%s\": expected %s", name,
		    type_name(k->type));
	if (k->type == CONFIG_TYPE_GROUP) {
		snprintf(name + strlen(name), sizeof(name) - strlen(name), ".");
		return walk(s, name, k->sub, k->nsub, c, e);
	}
	return k->set(k, s, name, c, e);
}

/* Every setting of group g must be a key of the table; every required
 * key must be there (a missing one is reported at the group's line). */
static int
walk(const config_setting_t *g, const char *prefix, const struct key *keys,
    size_t n, struct cfg *c, struct lerr *e)
{
	unsigned i, count = (unsigned)config_setting_length(g);
	uint64_t seen = 0;
	size_t idx = 0;
	int r;

	for (i = 0; i < count; i++) {
		if ((r = one(config_setting_get_elem(g, i), prefix, keys, n,
		    &idx, c, e)) < 0)
			return r;
		seen |= UINT64_C(1) << idx;
	}
	for (idx = 0; idx < n; idx++)
		if (keys[idx].required && !(seen & (UINT64_C(1) << idx)))
			return at(e, c, g, "missing required key \"%s%s\"",
			    prefix, keys[idx].name);
	return 0;
}

/* Read path into libconfig; a file that cannot be read is FILE:0. */
static int
parse_file(config_t *lc, struct cfg *c, struct lerr *e)
{
	struct stat st;
	FILE *f;
	int r;

	if ((f = fopen(c->file, "re")) == NULL)
		return at(e, c, NULL, "cannot open: %s", strerror(errno));
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		r = at(e, c, NULL, "not a regular file");
		goto out;
	}
	if (st.st_size > CFG_FILE_MAX) {
		r = at(e, c, NULL, "larger than %d bytes", CFG_FILE_MAX);
		goto out;
	}
	if (config_read(lc, f) != CONFIG_TRUE) {
		r = lerr_set(e, LICD_E_CONFIG, "%s:%d: %s",
		    config_error_file(lc) != NULL ? config_error_file(lc) :
		    c->file, config_error_line(lc), config_error_text(lc));
		goto out;
	}
	r = 0;
 out:
	fclose(f);
	return r;
}

int
cfg_load(const char *path, struct cfg **out, struct lerr *e)
{
	struct cfg *c;
	config_t lc;
	int r;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	if (strlen(path) >= sizeof(c->file)) {
		free(c);
		return lerr_set(e, LICD_E_CONFIG, "%.64s...:0: path too long",
		    path);
	}
	memcpy(c->file, path, strlen(path) + 1);
	c->client_grace = CFG_DEFAULT_GRACE;
	snprintf(c->purposes, sizeof(c->purposes), "%s", CFG_DEFAULT_PURPOSES);
	c->feed_interval = CFG_DEFAULT_INTERVAL;
	config_init(&lc);
	if ((r = parse_file(&lc, c, e)) < 0)
		goto out;
	if ((r = walk(config_root_setting(&lc), "", top_keys, NELEM(top_keys),
	    c, e)) < 0)
		goto out;
	c->has_feed = c->feed_url[0] != '\0';
	*out = c;
	c = NULL;
	r = 0;
 out:
	config_destroy(&lc);
	free(c);
	return r;
}

void
cfg_free(struct cfg *c)
{
	free(c);
}

const char *
cfg_needs_restart(const struct cfg *a, const struct cfg *b)
{
	if (strcmp(a->root, b->root) != 0)
		return "root";
	if (strcmp(a->state_dir, b->state_dir) != 0)
		return "state_dir";
	if (strcmp(a->runtime_dir, b->runtime_dir) != 0)
		return "runtime_dir";
	if (strcmp(a->purposes, b->purposes) != 0)
		return "purposes";
	return NULL;
}

int
cfg_reload(struct cfg **cur, struct lerr *e)
{
	struct cfg *next = NULL;
	const char *key;
	int r;

	if ((r = cfg_load((*cur)->file, &next, e)) < 0)
		return r;
	if ((key = cfg_needs_restart(*cur, next)) != NULL) {
		r = lerr_set(e, LICD_E_CONFIG, "%s:0: key \"%s\" changed: it "
		    "takes effect only after a restart; configuration not "
		    "reloaded", next->file, key);
		cfg_free(next);
		return r;
	}
	cfg_free(*cur);
	*cur = next;
	return 0;
}

int
cfg_disabled(const struct cfg *c, const char *product, const char *feature)
{
	size_t i;

	for (i = 0; i < c->ndisable; i++)
		if (strcmp(c->disable[i].feature, feature) == 0 &&
		    (c->disable[i].product[0] == '\0' ||
		    strcmp(c->disable[i].product, product) == 0))
			return 1;
	return 0;
}
