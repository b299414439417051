/* SPDX-License-Identifier: MIT */
/* The one path from a payload to a signed document, shared by `sign` and
 * the builders: validate, serialize compactly, sign per key, self-check. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "licissue.h"

struct signers {
	size_t n;
	struct signer *s[MAX_SIGNERS];
	char *tokens[MAX_SIGNERS];
};

static void
signers_free(struct signers *ss)
{
	for (size_t i = 0; i < ss->n; i++) {
		signer_free(ss->s[i]);
		free(ss->tokens[i]);
	}
	ss->n = 0;
}

/* Load every key; two files holding the same key would add a line that
 * can never count (thresholds count distinct keys), so refuse them. */
static int
signers_load(char *const *keys, size_t nkeys, struct signers *ss,
    struct lerr *e)
{
	int r;

	for (size_t i = 0; i < nkeys; i++) {
		if ((r = signer_load(keys[i], &ss->s[i], e)) != 0)
			return r;
		ss->n = i + 1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(signer_kid(ss->s[i]),
			    signer_kid(ss->s[j])) == 0)
				return lerr_set(e, LICD_E_USAGE,
				    "%s and %s hold the same key %s", keys[j],
				    keys[i], signer_kid(ss->s[i]));
	}
	return 0;
}

/* Parse what we produced with the one document parser and verify every
 * line with libsodium: OpenSSL signed it, the verifiers use libsodium. */
static int
self_check(const char *doc, size_t len, enum doc_type t,
    const struct signers *ss, struct lerr *e)
{
	const char *implicit = doc_implicit(t);
	struct doc *d;
	int r;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	if ((r = doc_parse(doc, len, t, d, e)) != 0) {
		lerr_prefix(e, "signed document");
		goto out;
	}
	for (size_t i = 0; i < ss->n && r == 0; i++)
		if (tok_verify(&d->lines[i].tok, signer_pk(ss->s[i]),
		    (const uint8_t *)implicit, strlen(implicit)) != 0)
			r = lerr_set(e, LICD_E_INTERNAL, "the signature made "
			    "with %s does not verify", signer_kid(ss->s[i]));
 out:
	doc_free(d);
	free(d);
	return r;
}

int
issue_message(const uint8_t *msg, size_t len, enum doc_type t,
    char *const *keys, size_t nkeys, char **doc, size_t *doclen,
    struct lerr *e)
{
	struct signers ss = { 0 };
	int r;

	*doc = NULL;
	if (nkeys == 0)
		return lerr_set(e, LICD_E_USAGE, "no --key given");
	if ((r = signers_load(keys, nkeys, &ss, e)) != 0)
		goto out;
	for (size_t i = 0; i < ss.n; i++)
		if ((r = signer_sign(ss.s[i], msg, len, t, &ss.tokens[i],
		    e)) != 0)
			goto out;
	if (doc_join(ss.tokens, ss.n, doc, doclen) != 0) {
		r = lerr_set(e, LICD_E_NOMEM, "cannot assemble the document");
		goto out;
	}
	r = self_check(*doc, *doclen, t, &ss, e);
 out:
	if (r != 0) {
		free(*doc);
		*doc = NULL;
	}
	signers_free(&ss);
	return r;
}

static int
write_stdout(const char *buf, size_t len)
{
	if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
		perror("licissue: stdout");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int
issue_json(json_t *payload, enum doc_type t, char *const *keys,
    size_t nkeys, const char *label)
{
	struct lerr e = { 0 };
	char *msg, *doc = NULL;
	size_t len, doclen;
	int rc;

	/* JSON_COMPACT only: no spaces, key order kept, UTF-8 kept as is
	 * (JSON_ENSURE_ASCII would rewrite it into \u escapes). */
	if ((msg = json_dumps(payload, JSON_COMPACT)) == NULL) {
		lerr_set(&e, LICD_E_NOMEM, "%s: cannot serialize", label);
		return report(&e);
	}
	len = strlen(msg);
	if (pl_validate(t, (const uint8_t *)msg, len, &e) != 0) {
		lerr_prefix(&e, "%s", label);
		rc = report(&e);
	} else if (issue_message((const uint8_t *)msg, len, t, keys, nkeys,
	    &doc, &doclen, &e) != 0) {
		rc = report(&e);
	} else {
		rc = write_stdout(doc, doclen);
	}
	free(doc);
	free(msg);
	return rc;
}
