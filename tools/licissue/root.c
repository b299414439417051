/* SPDX-License-Identifier: MIT */
/* `licissue root`: build and sign a root document (the trust anchor of
 * DESIGN 3.4) from command-line flags. */
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "licissue.h"
#include "ltime.h"

static const char usage_text[] =
    "usage: licissue root [--ver N] [--iat TIME] [--exp TIME | --ttl DURATION]\n"
    "                     [--key-entry PUBKEY[:NAME] ...]\n"
    "                     --role ROLE=KEY[,KEY...][:THRESHOLD] ...\n"
    "                     --key KEY [--key KEY ...]\n"
    "\n"
    "Build a root document and sign it with every --key (the signers of the\n"
    "root role). ver defaults to 1, iat to now, exp to iat + 365d.\n"
    "  --key-entry PUBKEY[:NAME]  list a key: a NAME.pub file, a PEM public\n"
    "                             key or k4.public text; NAME defaults to the\n"
    "                             file name without its extension\n"
    "  --role ROLE=KEYS[:T]       ROLE is root, licence, order or status; KEYS\n"
    "                             are .pub/PEM files or k4.public texts (listed\n"
    "                             automatically) or k4.pid of listed keys; the\n"
    "                             threshold T defaults to the number of keys\n"
    "Example: --role root=mod.pub,mofa.pub:2 --role order=mod.pub,mofa.pub,\n"
    "         ops.pub:2\n";

static int
usage(FILE *f, int rc)
{
	fputs(usage_text, f);
	return rc;
}

static const char *const role_names[ROLE__COUNT] = {
	[ROLE_ROOT] = "root", [ROLE_LICENCE] = "licence",
	[ROLE_ORDER] = "order", [ROLE_STATUS] = "status",
};

struct entry {
	paserk_kid kid;
	char public[PASERK_PUBLIC_LEN + 1];
	char name[PL_TEXT_MAX + 1];
};

struct rootspec {
	const char *prog;
	size_t nentries;
	struct entry entries[PL_MAX_ROOT_KEYS];
	json_t *roles[ROLE__COUNT];	/* {"keys":[...],"threshold":N} */
};

/* "dir/mod.pub" -> "mod"; k4.public text -> its kid. */
static void
default_name(const char *arg, const char *kid, char *out, size_t cap)
{
	char *copy, *dot;

	if (strncmp(arg, PASERK_PUBLIC_PREFIX, strlen(PASERK_PUBLIC_PREFIX))
	    == 0 || (copy = strdup(arg)) == NULL) {
		snprintf(out, cap, "%s", kid);
		return;
	}
	snprintf(out, cap, "%s", basename(copy));
	if ((dot = strrchr(out, '.')) != NULL && dot != out)
		*dot = '\0';
	free(copy);
}

static int
find_entry(const struct rootspec *rs, const char *kid)
{
	for (size_t i = 0; i < rs->nentries; i++)
		if (strcmp(rs->entries[i].kid, kid) == 0)
			return (int)i;
	return -1;
}

/* List the key in file or text `key`; returns its index or -1. A key
 * already listed is reused when `reuse`, else refused. */
static int
add_entry(struct rootspec *rs, const char *key, const char *name, int reuse)
{
	struct lerr e = { 0 };
	uint8_t pk[TOK_PK_LEN];
	struct entry *en;
	paserk_kid kid;
	int i;

	if (pubkey_read(key, pk, &e) != 0) {
		report(&e);
		return -1;
	}
	paserk_pid(pk, kid);
	if ((i = find_entry(rs, kid)) >= 0 && !reuse) {
		usage_error(rs->prog, "%s: key %s listed twice", key, kid);
		return -1;
	}
	if (i >= 0)
		return i;
	if (rs->nentries >= PL_MAX_ROOT_KEYS) {
		usage_error(rs->prog, "at most %d keys", PL_MAX_ROOT_KEYS);
		return -1;
	}
	en = &rs->entries[rs->nentries];
	memcpy(en->kid, kid, sizeof(en->kid));
	paserk_public_encode(pk, en->public);
	if (name != NULL)
		snprintf(en->name, sizeof(en->name), "%s", name);
	else
		default_name(key, kid, en->name, sizeof(en->name));
	return (int)rs->nentries++;
}

/* PUBKEY[:NAME]: split at the first ':' unless the whole is a file. */
static int
key_entry(struct rootspec *rs, char *arg)
{
	char *colon = strchr(arg, ':');

	if (colon == NULL || access(arg, F_OK) == 0)
		return add_entry(rs, arg, NULL, 0) < 0 ? -1 : 0;
	*colon = '\0';
	return add_entry(rs, arg, colon + 1, 0) < 0 ? -1 : 0;
}

/* One KEY of a --role: a listed k4.pid, or a key listed on the way. */
static int
role_key(struct rootspec *rs, const char *key, json_t *keys)
{
	int i;

	if (paserk_pid_valid(key, strlen(key))) {
		if ((i = find_entry(rs, key)) < 0)
			return usage_error(rs->prog, "--role: %s is not listed: "
			    "give its public key or a --key-entry", key);
	} else if ((i = add_entry(rs, key, NULL, 1)) < 0) {
		return -1;
	}
	xappend(keys, xstring(rs->entries[i].kid));
	return 0;
}

/* ":T" ends the list when T is all digits; *has_t says whether it did. */
static int
split_threshold(const char *prog, char *list, uint64_t *t, int *has_t)
{
	char *colon = strrchr(list, ':');

	*has_t = 0;
	if (colon == NULL || colon[1] == '\0' ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return 0;
	*colon = '\0';
	*has_t = 1;
	return opt_uint(prog, "role", colon + 1, t);
}

static int
role_index(const char *name, size_t len)
{
	for (int r = 0; r < ROLE__COUNT; r++)
		if (len == strlen(role_names[r]) &&
		    strncmp(name, role_names[r], len) == 0)
			return r;
	return -1;
}

static int
role_spec(struct rootspec *rs, char *arg)
{
	char *eq = strchr(arg, '='), *list, *key, *save = NULL;
	json_t *keys, *role;
	uint64_t t = 0;
	int r, has_t;

	if (eq == NULL || (r = role_index(arg, (size_t)(eq - arg))) < 0)
		return usage_error(rs->prog, "--role %s: expected ROLE=KEYS "
		    "with ROLE root, licence, order or status", arg);
	if (rs->roles[r] != NULL)
		return usage_error(rs->prog, "--role %s given twice",
		    role_names[r]);
	list = eq + 1;
	if (split_threshold(rs->prog, list, &t, &has_t) != 0)
		return -1;
	keys = xarray();
	for (key = strtok_r(list, ",", &save); key != NULL;
	    key = strtok_r(NULL, ",", &save))
		if (role_key(rs, key, keys) != 0) {
			json_decref(keys);
			return -1;
		}
	role = rs->roles[r] = xobject();
	xset(role, "keys", keys);
	xset(role, "threshold", xinteger(has_t ? t : json_array_size(keys)));
	return 0;
}

static json_t *
keys_json(const struct rootspec *rs)
{
	json_t *keys = xobject(), *k;

	for (size_t i = 0; i < rs->nentries; i++) {
		k = xobject();
		xset(k, "key", xstring(rs->entries[i].public));
		xset(k, "name", xstring(rs->entries[i].name));
		xset(keys, rs->entries[i].kid, k);
	}
	return keys;
}

/* The roles in the order of DESIGN 3.4, whatever the command line's. */
static json_t *
roles_json(struct rootspec *rs)
{
	json_t *roles = xobject();

	for (int r = 0; r < ROLE__COUNT; r++)
		if (rs->roles[r] != NULL) {
			xset(roles, role_names[r], rs->roles[r]);
			rs->roles[r] = NULL;
		}
	return roles;
}

struct rootopts {
	uint64_t ver;
	const char *iat, *exp, *ttl;
	size_t nentries, nroles, nkeys;
	char *entries[PL_MAX_ROOT_KEYS], *roles[ROLE__COUNT];
	char *keys[MAX_SIGNERS];
};

static int
build(const struct rootopts *o, struct rootspec *rs)
{
	int64_t iat = 0, exp;
	json_t *p;
	int rc;

	if (opt_time(rs->prog, "iat", o->iat, &iat) != 0 ||
	    opt_expiry(rs->prog, o->exp, o->ttl, iat, 365 * 86400, &exp) != 0)
		return EXIT_USAGE;
	for (size_t i = 0; i < o->nentries; i++)
		if (key_entry(rs, o->entries[i]) != 0)
			return EXIT_USAGE;
	for (size_t i = 0; i < o->nroles; i++)
		if (role_spec(rs, o->roles[i]) != 0)
			return EXIT_USAGE;
	p = xobject();
	xset(p, "ver", xinteger(o->ver));
	xset(p, "iat", xtime(iat));
	xset(p, "exp", xtime(exp));
	xset(p, "keys", keys_json(rs));
	xset(p, "roles", roles_json(rs));
	rc = issue_json(p, DOC_ROOT, o->keys, o->nkeys, "root");
	json_decref(p);
	return rc;
}

static int
parse(int argc, char **argv, struct rootopts *o)
{
	static const struct option opts[] = {
		{ "ver", required_argument, NULL, 'v' },
		{ "iat", required_argument, NULL, 'i' },
		{ "exp", required_argument, NULL, 'e' },
		{ "ttl", required_argument, NULL, 'T' },
		{ "key-entry", required_argument, NULL, 'E' },
		{ "role", required_argument, NULL, 'R' },
		{ "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *p = argv[0];
	int c, r = 0;

	while (r == 0 && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'v': r = opt_uint(p, "ver", optarg, &o->ver); break;
		case 'i': o->iat = optarg; break;
		case 'e': o->exp = optarg; break;
		case 'T': o->ttl = optarg; break;
		case 'E': r = opt_list(p, "key-entry", o->entries,
		    &o->nentries, PL_MAX_ROOT_KEYS, optarg); break;
		case 'R': r = opt_list(p, "role", o->roles, &o->nroles,
		    ROLE__COUNT, optarg); break;
		case 'k': r = add_key(p, o->keys, &o->nkeys, optarg); break;
		case 'h': return usage(stdout, -1);
		default: return usage(stderr, EXIT_USAGE);
		}
	}
	if (r == 0 && (o->nkeys == 0 || o->nroles == 0 || optind != argc))
		r = usage(stderr, EXIT_USAGE);
	return r;
}

int
cmd_root(int argc, char **argv)
{
	struct rootopts o = { .ver = 1, .iat = "now" };
	struct rootspec *rs;
	int rc;

	if ((rc = parse(argc, argv, &o)) != 0)
		return rc < 0 ? EXIT_OK : rc;
	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		return usage_error(argv[0], "out of memory");
	rs->prog = argv[0];
	rc = build(&o, rs);
	for (int r = 0; r < ROLE__COUNT; r++)
		json_decref(rs->roles[r]);
	free(rs);
	return rc;
}
