/* SPDX-License-Identifier: MIT */
/* `licissue status`: build and sign a status (the heartbeat that proves
 * freshness, DESIGN 3.4) from flags. */
#include <getopt.h>
#include <stdlib.h>

#include "licissue.h"

static const char usage_text[] =
    "usage: licissue status --lid LID --device KID|PUBKEY [--seq N]\n"
    "                       [--iat TIME] [--exp TIME | --ttl DURATION]\n"
    "                       --key KEY [--key KEY ...]\n"
    "\n"
    "Build a status and sign it with every --key (the status role). seq is\n"
    "the highest order seq issued for the licence (default 0); iat defaults\n"
    "to now, exp to iat + 24h.\n";

static int
usage(FILE *f, int rc)
{
	fputs(usage_text, f);
	return rc;
}

struct statopts {
	const char *lid, *device, *iat, *exp, *ttl;
	uint64_t seq;
	size_t nkeys;
	char *keys[MAX_SIGNERS];
};

/* The fields in the order of DESIGN 3.4. */
static int
fill(const char *prog, const struct statopts *o, json_t *p)
{
	int64_t iat, exp;
	paserk_kid device;

	if (opt_time(prog, "iat", o->iat, &iat) != 0 ||
	    opt_expiry(prog, o->exp, o->ttl, iat, 86400, &exp) != 0 ||
	    opt_device(prog, o->device, device) != 0)
		return EXIT_USAGE;
	xset(p, "lid", xstring(o->lid));
	xset(p, "device", xstring(device));
	xset(p, "iat", xtime(iat));
	xset(p, "exp", xtime(exp));
	xset(p, "seq", xinteger(o->seq));
	return 0;
}

enum { O_LID = 256, O_DEVICE, O_SEQ, O_IAT, O_EXP, O_TTL, O_KEY };

static int
option(const char *p, int c, char *arg, struct statopts *o)
{
	switch (c) {
	case O_LID: o->lid = arg; return 0;
	case O_DEVICE: o->device = arg; return 0;
	case O_SEQ: return opt_uint(p, "seq", arg, &o->seq);
	case O_IAT: o->iat = arg; return 0;
	case O_EXP: o->exp = arg; return 0;
	case O_TTL: o->ttl = arg; return 0;
	case O_KEY: return add_key(p, o->keys, &o->nkeys, arg);
	default: return usage(stderr, EXIT_USAGE);
	}
}

int
cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lid", required_argument, NULL, O_LID },
		{ "device", required_argument, NULL, O_DEVICE },
		{ "seq", required_argument, NULL, O_SEQ },
		{ "iat", required_argument, NULL, O_IAT },
		{ "exp", required_argument, NULL, O_EXP },
		{ "ttl", required_argument, NULL, O_TTL },
		{ "key", required_argument, NULL, O_KEY },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct statopts o = { .iat = "now" };
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
	if (opt_required(argv[0], "lid", o.lid) != 0 ||
	    opt_required(argv[0], "device", o.device) != 0 ||
	    opt_required(argv[0], "key", o.nkeys > 0 ? &o : NULL) != 0)
		return EXIT_USAGE;
	p = xobject();
	if ((rc = fill(argv[0], &o, p)) == 0)
		rc = issue_json(p, DOC_STATUS, o.keys, o.nkeys, "status");
	json_decref(p);
	return rc;
}
