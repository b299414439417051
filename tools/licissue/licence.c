/* SPDX-License-Identifier: MIT */
/* `licissue licence`: build and sign a licence (DESIGN 3.4) from flags. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "licissue.h"

static const char usage_text[] =
    "usage: licissue licence --lid LID [--ver N] [--iat TIME] [--nbf TIME]\n"
    "                        [--exp TIME | --ttl DURATION]\n"
    "                        --vendor TEXT --product NAME --country CC\n"
    "                        --agency TEXT --declaration sha256:HEX|FILE\n"
    "                        --device KID|PUBKEY --purpose ID [--purpose ID ...]\n"
    "                        --feature NAME[:MAX] [--feature NAME[:MAX] ...]\n"
    "                        --max-age DURATION\n"
    "                        --ladder AFTER:STATE[:KEEP,...] [--ladder ...]\n"
    "                        --key KEY [--key KEY ...]\n"
    "\n"
    "Build a licence and sign it with every --key (the licence role).\n"
    "ver defaults to 1, iat to now, nbf to iat, exp to iat + 365d.\n"
    "  --declaration  sha256:<64 hex>, or a file whose SHA-256 is taken\n"
    "  --device       the device's k4.pid, or its public key\n"
    "  --feature      MAX is the optional max_concurrent\n"
    "  --ladder       one freshness step, e.g. 0s:restricted:geo.locate\n"
    "                 (\"0s:restricted:\" keeps nothing) or 168h:suspended\n";

static int
usage(FILE *f, int rc)
{
	fputs(usage_text, f);
	return rc;
}

struct licopts {
	const char *lid, *iat, *nbf, *exp, *ttl, *vendor, *product, *country;
	const char *agency, *declaration, *device, *max_age;
	uint64_t ver;
	size_t npurposes, nfeatures, nladder, nkeys;
	char *purposes[PL_MAX_PURPOSES + 1], *features[PL_MAX_FEATURES + 1];
	char *ladder[PL_MAX_LADDER + 1], *keys[MAX_SIGNERS];
};

static int
hash_fd(int fd, uint8_t out[crypto_hash_sha256_BYTES])
{
	crypto_hash_sha256_state st;
	uint8_t buf[16384];
	ssize_t r;

	crypto_hash_sha256_init(&st);
	while ((r = read(fd, buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		crypto_hash_sha256_update(&st, buf, (size_t)r);
	}
	crypto_hash_sha256_final(&st, out);
	return 0;
}

/* "sha256:<hex>" as given, or the SHA-256 of the declaration file. */
static json_t *
declaration(const char *prog, const char *arg)
{
	uint8_t h[crypto_hash_sha256_BYTES];
	char text[8 + 2 * sizeof(h)] = "sha256:";
	int fd, r;

	if (strncmp(arg, "sha256:", 7) == 0)
		return xstring(arg);
	if ((fd = open(arg, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		usage_error(prog, "--declaration %s: %s", arg, strerror(errno));
		return NULL;
	}
	r = hash_fd(fd, h);
	close(fd);
	if (r != 0) {
		usage_error(prog, "--declaration %s: %s", arg, strerror(errno));
		return NULL;
	}
	sodium_bin2hex(text + 7, sizeof(text) - 7, h, sizeof(h));
	return xstring(text);
}

/* NAME[:MAX] -> "NAME": {} or "NAME": {"max_concurrent": MAX}. */
static int
features(const char *prog, char *const *list, size_t n, json_t *out)
{
	json_t *f;
	uint64_t max;
	char *colon;

	for (size_t i = 0; i < n; i++) {
		f = xobject();
		if ((colon = strrchr(list[i], ':')) != NULL) {
			*colon = '\0';
			if (opt_uint(prog, "feature", colon + 1, &max) != 0) {
				json_decref(f);
				return EXIT_USAGE;
			}
			xset(f, "max_concurrent", xinteger(max));
		}
		xset(out, list[i], f);
	}
	return 0;
}

/* AFTER:STATE[:KEEP,...]; "keep" appears exactly when a list is given. */
static int
ladder_step(const char *prog, char *arg, json_t *arr)
{
	char *state = strchr(arg, ':'), *keep = NULL, *save = NULL, *k;
	json_t *step, *kl;
	int64_t secs;

	if (state == NULL)
		return usage_error(prog, "--ladder %s: expected "
		    "AFTER:STATE[:KEEP,...]", arg);
	*state++ = '\0';
	if ((keep = strchr(state, ':')) != NULL)
		*keep++ = '\0';
	if (opt_duration(prog, "ladder", arg, &secs) != 0)
		return EXIT_USAGE;
	step = xobject();
	xset(step, "after", xstring(arg));
	xset(step, "state", xstring(state));
	if (keep != NULL) {
		kl = xarray();
		for (k = strtok_r(keep, ",", &save); k != NULL;
		    k = strtok_r(NULL, ",", &save))
			xappend(kl, xstring(k));
		xset(step, "keep", kl);
	}
	xappend(arr, step);
	return 0;
}

static json_t *
freshness(const char *prog, struct licopts *o)
{
	json_t *fr = xobject(), *ladder = xarray();
	int64_t secs;

	if (opt_duration(prog, "max-age", o->max_age, &secs) != 0)
		goto fail;
	for (size_t i = 0; i < o->nladder; i++)
		if (ladder_step(prog, o->ladder[i], ladder) != 0)
			goto fail;
	xset(fr, "max_age", xstring(o->max_age));
	xset(fr, "ladder", ladder);
	return fr;
 fail:
	json_decref(ladder);
	json_decref(fr);
	return NULL;
}

static json_t *
end_user(const char *prog, const struct licopts *o)
{
	json_t *eu, *decl;

	if ((decl = declaration(prog, o->declaration)) == NULL)
		return NULL;
	eu = xobject();
	xset(eu, "country", xstring(o->country));
	xset(eu, "agency", xstring(o->agency));
	xset(eu, "declaration", decl);
	return eu;
}

/* The fields in the order of DESIGN 3.4. */
static int
fill(const char *prog, struct licopts *o, json_t *p)
{
	json_t *eu = NULL, *fr = NULL, *feat = xobject();
	int64_t iat, nbf = 0, exp;
	paserk_kid device;
	int rc = EXIT_USAGE;

	if (opt_time(prog, "iat", o->iat, &iat) != 0 ||
	    (o->nbf != NULL && opt_time(prog, "nbf", o->nbf, &nbf) != 0) ||
	    opt_expiry(prog, o->exp, o->ttl, iat, 365 * 86400, &exp) != 0 ||
	    opt_device(prog, o->device, device) != 0 ||
	    features(prog, o->features, o->nfeatures, feat) != 0 ||
	    (eu = end_user(prog, o)) == NULL ||
	    (fr = freshness(prog, o)) == NULL)
		goto out;
	xset(p, "lid", xstring(o->lid));
	xset(p, "ver", xinteger(o->ver));
	xset(p, "iat", xtime(iat));
	xset(p, "nbf", xtime(o->nbf != NULL ? nbf : iat));
	xset(p, "exp", xtime(exp));
	xset(p, "vendor", xstring(o->vendor));
	xset(p, "product", xstring(o->product));
	xset(p, "end_user", json_incref(eu));
	xset(p, "device", xstring(device));
	xset(p, "purposes", xstrings(o->purposes, o->npurposes));
	xset(p, "features", json_incref(feat));
	xset(p, "freshness", json_incref(fr));
	rc = 0;
 out:
	json_decref(eu);
	json_decref(fr);
	json_decref(feat);
	return rc;
}

static int
check_required(const char *prog, const struct licopts *o)
{
	return opt_required(prog, "lid", o->lid) ||
	    opt_required(prog, "vendor", o->vendor) ||
	    opt_required(prog, "product", o->product) ||
	    opt_required(prog, "country", o->country) ||
	    opt_required(prog, "agency", o->agency) ||
	    opt_required(prog, "declaration", o->declaration) ||
	    opt_required(prog, "device", o->device) ||
	    opt_required(prog, "max-age", o->max_age) ||
	    opt_required(prog, "key", o->nkeys > 0 ? o : NULL);
}

enum { O_LID = 256, O_VER, O_IAT, O_NBF, O_EXP, O_TTL, O_VENDOR, O_PRODUCT,
	O_COUNTRY, O_AGENCY, O_DECL, O_DEVICE, O_PURPOSE, O_FEATURE,
	O_MAXAGE, O_LADDER, O_KEY };

static int
option(const char *p, int c, char *arg, struct licopts *o)
{
	switch (c) {
	case O_LID: o->lid = arg; return 0;
	case O_VER: return opt_uint(p, "ver", arg, &o->ver);
	case O_IAT: o->iat = arg; return 0;
	case O_NBF: o->nbf = arg; return 0;
	case O_EXP: o->exp = arg; return 0;
	case O_TTL: o->ttl = arg; return 0;
	case O_VENDOR: o->vendor = arg; return 0;
	case O_PRODUCT: o->product = arg; return 0;
	case O_COUNTRY: o->country = arg; return 0;
	case O_AGENCY: o->agency = arg; return 0;
	case O_DECL: o->declaration = arg; return 0;
	case O_DEVICE: o->device = arg; return 0;
	case O_MAXAGE: o->max_age = arg; return 0;
	/* One more than the bound, so that the decoder names the field. */
	case O_PURPOSE: return opt_list(p, "purpose", o->purposes,
	    &o->npurposes, PL_MAX_PURPOSES + 1, arg);
	case O_FEATURE: return opt_list(p, "feature", o->features,
	    &o->nfeatures, PL_MAX_FEATURES + 1, arg);
	case O_LADDER: return opt_list(p, "ladder", o->ladder, &o->nladder,
	    PL_MAX_LADDER + 1, arg);
	case O_KEY: return add_key(p, o->keys, &o->nkeys, arg);
	default: return usage(stderr, EXIT_USAGE);
	}
}

int
cmd_licence(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lid", required_argument, NULL, O_LID },
		{ "ver", required_argument, NULL, O_VER },
		{ "iat", required_argument, NULL, O_IAT },
		{ "nbf", required_argument, NULL, O_NBF },
		{ "exp", required_argument, NULL, O_EXP },
		{ "ttl", required_argument, NULL, O_TTL },
		{ "vendor", required_argument, NULL, O_VENDOR },
		{ "product", required_argument, NULL, O_PRODUCT },
		{ "country", required_argument, NULL, O_COUNTRY },
		{ "agency", required_argument, NULL, O_AGENCY },
		{ "declaration", required_argument, NULL, O_DECL },
		{ "device", required_argument, NULL, O_DEVICE },
		{ "purpose", required_argument, NULL, O_PURPOSE },
		{ "feature", required_argument, NULL, O_FEATURE },
		{ "max-age", required_argument, NULL, O_MAXAGE },
		{ "ladder", required_argument, NULL, O_LADDER },
		{ "key", required_argument, NULL, O_KEY },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct licopts o = { .ver = 1, .iat = "now" };
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
		rc = issue_json(p, DOC_LICENCE, o.keys, o.nkeys, "licence");
	json_decref(p);
	return rc;
}
