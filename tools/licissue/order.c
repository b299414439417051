/* SPDX-License-Identifier: MIT */
/* `licissue order`: build and sign an order (restrict, suspend, revoke,
 * reinstate; DESIGN 3.4) from flags. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "licissue.h"

static const char usage_text[] =
    "usage: licissue order --lid LID --seq N --action ACTION\n"
    "                      [--iat TIME] [--nbf TIME]\n"
    "                      [--keep FEATURE ... | --keep-none]\n"
    "                      [--purpose ID ...] [--limit FEATURE:MAX ...]\n"
    "                      --reason TEXT --ref TEXT --key KEY [--key KEY ...]\n"
    "\n"
    "Build an order and sign it with every --key (the order role; add the\n"
    "other signatures with licissue cosign). ACTION is restrict, suspend,\n"
    "revoke or reinstate; iat defaults to now; nbf is left out unless given\n"
    "(it then defaults to iat). --keep, --keep-none (keep no feature),\n"
    "--purpose and --limit narrow a restrict order.\n";

static int
usage(FILE *f, int rc)
{
	fputs(usage_text, f);
	return rc;
}

struct ordopts {
	const char *lid, *action, *iat, *nbf, *reason, *ref;
	uint64_t seq;
	int has_seq, keep_none;
	size_t nkeep, npurposes, nlimits, nkeys;
	char *keep[PL_MAX_FEATURES + 1], *purposes[PL_MAX_PURPOSES + 1];
	char *limits[PL_MAX_FEATURES + 1], *keys[MAX_SIGNERS];
};

/* FEATURE:MAX -> "FEATURE": {"max_concurrent": MAX}. */
static json_t *
limits(const char *prog, char *const *list, size_t n)
{
	json_t *out = xobject(), *l;
	char *colon;
	uint64_t max;

	for (size_t i = 0; i < n; i++) {
		if ((colon = strrchr(list[i], ':')) == NULL) {
			usage_error(prog, "--limit %s: expected FEATURE:MAX",
			    list[i]);
			goto fail;
		}
		*colon = '\0';
		if (opt_uint(prog, "limit", colon + 1, &max) != 0)
			goto fail;
		l = xobject();
		xset(l, "max_concurrent", xinteger(max));
		xset(out, list[i], l);
	}
	return out;
 fail:
	json_decref(out);
	return NULL;
}

/* The fields in the order of DESIGN 3.4; optional ones only when given. */
static int
fill(const char *prog, struct ordopts *o, json_t *p)
{
	int64_t iat, nbf;
	json_t *lim = NULL;

	if (opt_time(prog, "iat", o->iat, &iat) != 0 ||
	    (o->nbf != NULL && opt_time(prog, "nbf", o->nbf, &nbf) != 0) ||
	    (o->nlimits > 0 && (lim = limits(prog, o->limits, o->nlimits)) ==
	    NULL))
		return EXIT_USAGE;
	if (o->keep_none && o->nkeep > 0) {
		json_decref(lim);
		return usage_error(prog, "--keep-none and --keep conflict");
	}
	xset(p, "lid", xstring(o->lid));
	xset(p, "seq", xinteger(o->seq));
	xset(p, "iat", xtime(iat));
	if (o->nbf != NULL)
		xset(p, "nbf", xtime(nbf));
	xset(p, "action", xstring(o->action));
	if (o->nkeep > 0 || o->keep_none)
		xset(p, "keep", xstrings(o->keep, o->nkeep));
	if (o->npurposes > 0)
		xset(p, "purposes", xstrings(o->purposes, o->npurposes));
	if (lim != NULL)
		xset(p, "limits", lim);
	xset(p, "reason", xstring(o->reason));
	xset(p, "ref", xstring(o->ref));
	return 0;
}

static int
check_required(const char *prog, const struct ordopts *o)
{
	return opt_required(prog, "lid", o->lid) ||
	    opt_required(prog, "seq", o->has_seq ? o : NULL) ||
	    opt_required(prog, "action", o->action) ||
	    opt_required(prog, "reason", o->reason) ||
	    opt_required(prog, "ref", o->ref) ||
	    opt_required(prog, "key", o->nkeys > 0 ? o : NULL);
}

enum { O_LID = 256, O_SEQ, O_ACTION, O_IAT, O_NBF, O_KEEP, O_KEEPNONE,
	O_PURPOSE, O_LIMIT, O_REASON, O_REF, O_KEY };

static int
option(const char *p, int c, char *arg, struct ordopts *o)
{
	switch (c) {
	case O_LID: o->lid = arg; return 0;
	case O_SEQ: o->has_seq = 1; return opt_uint(p, "seq", arg, &o->seq);
	case O_ACTION: o->action = arg; return 0;
	case O_IAT: o->iat = arg; return 0;
	case O_NBF: o->nbf = arg; return 0;
	case O_KEEPNONE: o->keep_none = 1; return 0;
	case O_REASON: o->reason = arg; return 0;
	case O_REF: o->ref = arg; return 0;
	/* One more than the bound, so that the decoder names the field. */
	case O_KEEP: return opt_list(p, "keep", o->keep, &o->nkeep,
	    PL_MAX_FEATURES + 1, arg);
	case O_PURPOSE: return opt_list(p, "purpose", o->purposes,
	    &o->npurposes, PL_MAX_PURPOSES + 1, arg);
	case O_LIMIT: return opt_list(p, "limit", o->limits, &o->nlimits,
	    PL_MAX_FEATURES + 1, arg);
	case O_KEY: return add_key(p, o->keys, &o->nkeys, arg);
	default: return usage(stderr, EXIT_USAGE);
	}
}

int
cmd_order(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lid", required_argument, NULL, O_LID },
		{ "seq", required_argument, NULL, O_SEQ },
		{ "action", required_argument, NULL, O_ACTION },
		{ "iat", required_argument, NULL, O_IAT },
		{ "nbf", required_argument, NULL, O_NBF },
		{ "keep", required_argument, NULL, O_KEEP },
		{ "keep-none", no_argument, NULL, O_KEEPNONE },
		{ "purpose", required_argument, NULL, O_PURPOSE },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "reason", required_argument, NULL, O_REASON },
		{ "ref", required_argument, NULL, O_REF },
		{ "key", required_argument, NULL, O_KEY },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ordopts o = { .iat = "now" };
	json_t *p;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h')
			return usage(stdout, EXIT_OK);
		if (option(argv[0], c, optarg, &o) != 0)
			return EXIT_USAGE;
	}
	if (optind != argc)
		return usage(stderr, EXIT_USAGE);
	if (check_required(argv[0], &o) != 0)
		return EXIT_USAGE;
	p = xobject();
	if ((rc = fill(argv[0], &o, p)) == 0)
		rc = issue_json(p, DOC_ORDER, o.keys, o.nkeys, "order");
	json_decref(p);
	return rc;
}
