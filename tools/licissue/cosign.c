/* SPDX-License-Identifier: MIT */
/* `licissue cosign`: add one signature line to a document, over the same
 * message and typ, keeping the existing lines (and comments) as they are. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "licissue.h"

static const char usage_text[] =
    "usage: licissue cosign --key KEY DOC\n"
    "\n"
    "Print DOC with one more signature line by KEY (k4.secret or Ed25519 PEM\n"
    "private key) over the identical message and typ. A key that already\n"
    "signed DOC is refused.\n";

static int
usage(FILE *f, int rc)
{
	fputs(usage_text, f);
	return rc;
}

/* What cosigning adds must be signable: a regulator type, a valid
 * payload, and a key that has not signed yet. The payload is decoded
 * before any signature is checked (there is no root here): the signer
 * vouches for it, and the decoder is the strict one licd uses. */
static int
check_doc(const char *path, const struct doc *d, const struct signer *s,
    struct lerr *e)
{
	int r;

	if (doc_role_for(d->type) < 0)
		return lerr_set(e, LICD_E_TYPE, "%s: a %s document is signed "
		    "by a device, not cosigned", path,
		    doc_type_name(d->type));
	if ((r = pl_validate(d->type, d->msg, d->msg_len, e)) != 0) {
		lerr_prefix(e, "%s", path);
		return r;
	}
	for (size_t i = 0; i < d->nlines; i++)
		if (strcmp(d->lines[i].kid, signer_kid(s)) == 0)
			return lerr_set(e, LICD_E_USAGE, "%s: line %u: "
			    "already signed by %s", path, d->lines[i].lineno,
			    signer_kid(s));
	return 0;
}

/* The input, an LF if its last line lacks one, the new token and LF. */
static char *
append_line(const char *buf, size_t len, const char *token, size_t *outlen)
{
	size_t tlen = strlen(token), nl = len > 0 && buf[len - 1] != '\n';
	char *out = malloc(len + nl + tlen + 2);

	if (out == NULL)
		return NULL;
	memcpy(out, buf, len);
	if (nl)
		out[len] = '\n';
	memcpy(out + len + nl, token, tlen);
	out[len + nl + tlen] = '\n';
	out[len + nl + tlen + 1] = '\0';
	*outlen = len + nl + tlen + 1;
	return out;
}

/* Re-parse the result (limits: 64 KiB, 16 tokens) and check the new line
 * with libsodium, the verifiers' library. */
static int
check_result(const char *out, size_t len, enum doc_type t,
    const struct signer *s, struct lerr *e)
{
	const char *implicit = doc_implicit(t);
	struct doc *d;
	int r;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	if ((r = doc_parse(out, len, t, d, e)) != 0)
		lerr_prefix(e, "cosigned document");
	else if (tok_verify(&d->lines[d->nlines - 1].tok, signer_pk(s),
	    (const uint8_t *)implicit, strlen(implicit)) != 0)
		r = lerr_set(e, LICD_E_INTERNAL, "the new signature does not "
		    "verify");
	doc_free(d);
	free(d);
	return r;
}

static int
cosign_doc(const char *path, const struct doc *d, const char *buf,
    size_t len, const struct signer *s, struct lerr *e)
{
	char *token = NULL, *out = NULL;
	size_t outlen;
	int r;

	if ((r = check_doc(path, d, s, e)) != 0)
		return r;
	if ((r = signer_sign(s, d->msg, d->msg_len, d->type, &token, e)) != 0)
		return r;
	if ((out = append_line(buf, len, token, &outlen)) == NULL)
		r = lerr_set(e, LICD_E_NOMEM, "out of memory");
	else if ((r = check_result(out, outlen, d->type, s, e)) == 0 &&
	    (fwrite(out, 1, outlen, stdout) != outlen || fflush(stdout) != 0))
		r = lerr_set(e, LICD_E_IO, "stdout: write error");
	free(out);
	free(token);
	return r;
}

static int
cosign(const char *keypath, const char *path)
{
	struct lerr e = { 0 };
	struct signer *s = NULL;
	struct doc *d = NULL;
	char *buf = NULL;
	size_t len;
	int r;

	if ((r = read_file(path, DOC_MAX_BYTES, 0, &buf, &len, &e)) != 0)
		goto out;
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		r = lerr_set(&e, LICD_E_NOMEM, "out of memory");
		goto out;
	}
	if ((r = doc_parse(buf, len, DOC_ANY, d, &e)) != 0) {
		lerr_prefix(&e, "%s", path);
		goto out;
	}
	if ((r = signer_load(keypath, &s, &e)) == 0)
		r = cosign_doc(path, d, buf, len, s, &e);
 out:
	signer_free(s);
	if (d != NULL)
		doc_free(d);
	free(d);
	free_file(buf, 0);
	return r == 0 ? EXIT_OK : report(&e);
}

int
cmd_cosign(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *key = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (key != NULL)
				return usage_error(argv[0], "one --key only");
			key = optarg;
			break;
		case 'h':
			return usage(stdout, EXIT_OK);
		default:
			return usage(stderr, EXIT_USAGE);
		}
	}
	if (key == NULL || argc - optind != 1)
		return usage(stderr, EXIT_USAGE);
	return cosign(key, argv[optind]);
}
