/* SPDX-License-Identifier: MIT */
/* `licissue sign`: a JSON payload file becomes a signed document. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "licissue.h"

static const char usage_text[] =
    "usage: licissue sign --type TYPE --key KEY [--key KEY ...] PAYLOAD.json\n"
    "\n"
    "Validate the payload against the schema of TYPE (root, licence, order,\n"
    "status), re-serialize it compactly (key order kept) and sign it once per\n"
    "KEY (k4.secret or Ed25519 PEM private key). The document goes to stdout.\n"
    "PAYLOAD.json may be - for stdin.\n";

static int
usage(FILE *f, int rc)
{
	fputs(usage_text, f);
	return rc;
}

static size_t
trim_space(const char *s, size_t len)
{
	while (len > 0 && strchr(" \t\r\n", s[len - 1]) != NULL)
		len--;
	return len;
}

/* The decoder judges the file first, so its message (naming the field)
 * is what the user sees; jansson then only re-reads valid JSON. */
static int
sign_file(const char *path, enum doc_type t, char *const *keys, size_t n)
{
	struct lerr e = { 0 };
	json_error_t jerr;
	json_t *payload;
	char *buf;
	size_t len;
	int rc;

	if (read_file(path, PAYLOAD_MAX, 0, &buf, &len, &e) != 0)
		return report(&e);
	len = trim_space(buf, len);
	if (pl_validate(t, (const uint8_t *)buf, len, &e) != 0) {
		lerr_prefix(&e, "%s", path);
		free_file(buf, 0);
		return report(&e);
	}
	payload = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	free_file(buf, 0);
	if (payload == NULL) {
		lerr_set(&e, LICD_E_PAYLOAD, "%s:%d: %s", path, jerr.line,
		    jerr.text);
		return report(&e);
	}
	rc = issue_json(payload, t, keys, n, path);
	json_decref(payload);
	return rc;
}

int
cmd_sign(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *keys[MAX_SIGNERS];
	size_t nkeys = 0;
	enum doc_type t = DOC_ANY;
	int c;

	while ((c = getopt_long(argc, argv, "t:k:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_type(argv[0], optarg, &t) != 0)
				return EXIT_USAGE;
			break;
		case 'k':
			if (add_key(argv[0], keys, &nkeys, optarg) != 0)
				return EXIT_USAGE;
			break;
		case 'h':
			return usage(stdout, EXIT_OK);
		default:
			return usage(stderr, EXIT_USAGE);
		}
	}
	if (t == DOC_ANY || nkeys == 0 || argc - optind != 1)
		return usage(stderr, EXIT_USAGE);
	return sign_file(argv[optind], t, keys, nkeys);
}
