/* SPDX-License-Identifier: MIT */
/* `licissue verify`: is a document valid under a root? Syntax, footer,
 * signatures, threshold and payload schema; no time, device or sequence
 * rule (those need a device's state: see `licissue preview`). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "licissue.h"

static const char usage_text[] =
    "usage: licissue verify --root ROOT [--type TYPE] DOC\n"
    "\n"
    "Verify DOC under the root document ROOT: syntax, footer, signatures,\n"
    "the threshold of the role that signs its type, and the payload schema.\n"
    "A root DOC must be ROOT itself or its rotation (ver + 1, signed by both\n"
    "root roles). With --type, a DOC of another type is refused.\n"
    "Valid: the signed message on stdout, exit 0. Invalid: \"REASON: message\"\n"
    "on stderr, exit 1. Usage or I/O error: exit 2.\n";

static int
usage(FILE *f, int rc)
{
	fputs(usage_text, f);
	return rc;
}

struct trust {
	struct doc doc;		/* ROOT as read */
	struct root root;	/* ROOT decoded and self-verified */
};

static int
load_trust(const char *path, struct trust *tr, struct lerr *e)
{
	int r;

	if ((r = doc_load(path, DOC_ROOT, &tr->doc, e)) != 0)
		return r;
	if ((r = root_from_doc(&tr->doc, &tr->root, e)) != 0)
		lerr_prefix(e, "%s", path);
	return r;
}

/* A root document is valid under ROOT if it is ROOT (still verified under
 * its root role, so a forged extra line is caught) or its rotation. */
static int
verify_root(const struct trust *tr, const struct doc *d, struct lerr *e)
{
	struct root *next;
	int r;

	if (d->msg_len == tr->doc.msg_len &&
	    memcmp(d->msg, tr->doc.msg, d->msg_len) == 0)
		return doc_verify_role(d, &tr->root, ROLE_ROOT, 0, NULL, e);
	if ((next = calloc(1, sizeof(*next))) == NULL)
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	r = root_rotate(&tr->root, tr->doc.msg, tr->doc.msg_len, d, next, e);
	free(next);
	return r < 0 ? r : 0;
}

static int
verify_doc(const struct trust *tr, const struct doc *d, struct lerr *e)
{
	int role = doc_role_for(d->type);

	if (d->type == DOC_ROOT)
		return verify_root(tr, d, e);
	if (role < 0)
		return lerr_set(e, LICD_E_TYPE, "a %s document is signed by a "
		    "device, not by a role of the root",
		    doc_type_name(d->type));
	return doc_verify_role(d, &tr->root, (enum role_id)role, 0, NULL, e);
}

static int
verify(const char *rootpath, const char *path, enum doc_type expect)
{
	struct lerr e = { 0 };
	struct trust *tr;
	struct doc *d;
	int r;

	tr = calloc(1, sizeof(*tr));
	d = calloc(1, sizeof(*d));
	if (tr == NULL || d == NULL) {
		r = lerr_set(&e, LICD_E_NOMEM, "out of memory");
		goto out;
	}
	if ((r = load_trust(rootpath, tr, &e)) != 0 ||
	    (r = doc_load(path, expect, d, &e)) != 0)
		goto out;
	if ((r = verify_doc(tr, d, &e)) != 0 ||
	    (r = pl_validate(d->type, d->msg, d->msg_len, &e)) != 0) {
		lerr_prefix(&e, "%s", path);
		goto out;
	}
	if (fwrite(d->msg, 1, d->msg_len, stdout) != d->msg_len ||
	    putchar('\n') == EOF || fflush(stdout) != 0)
		r = lerr_set(&e, LICD_E_IO, "stdout: write error");
 out:
	if (d != NULL)
		doc_free(d);
	if (tr != NULL)
		doc_free(&tr->doc);
	free(d);
	free(tr);
	return r == 0 ? EXIT_OK : report(&e);
}

int
cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "type", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *root = NULL;
	enum doc_type expect = DOC_ANY;
	int c;

	while ((c = getopt_long(argc, argv, "r:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			root = optarg;
			break;
		case 't':
			if (parse_type(argv[0], optarg, &expect) != 0)
				return EXIT_USAGE;
			break;
		case 'h':
			return usage(stdout, EXIT_OK);
		default:
			return usage(stderr, EXIT_USAGE);
		}
	}
	if (root == NULL || argc - optind != 1)
		return usage(stderr, EXIT_USAGE);
	return verify(root, argv[optind], expect);
}
