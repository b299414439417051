/* SPDX-License-Identifier: MIT */
/* Documents: the one place that turns a file of token lines into a message
 * trusted by a role of a root (DESIGN 3.3), and that rotates roots. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doc.h"
#include "paserk.h"

static const char *const implicit[DOC__COUNT] = {
	[DOC_ROOT] = "licd:v1:root",
	[DOC_LICENCE] = "licd:v1:licence",
	[DOC_ORDER] = "licd:v1:order",
	[DOC_STATUS] = "licd:v1:status",
	[DOC_RECEIPT] = "licd:v1:receipt",
	[DOC_REQUEST] = "licd:v1:request",
	[DOC_CHECKPOINT] = "licd:v1:checkpoint",
	[DOC_REPORT] = "licd:v1:report",
};

const char *
doc_implicit(enum doc_type t)
{
	if ((int)t < 0 || t >= DOC__COUNT)
		return NULL;
	return implicit[t];
}

int
doc_role_for(enum doc_type t)
{
	switch (t) {
	case DOC_ROOT:
		return ROLE_ROOT;
	case DOC_LICENCE:
		return ROLE_LICENCE;
	case DOC_ORDER:
		return ROLE_ORDER;
	case DOC_STATUS:
		return ROLE_STATUS;
	default:
		return -1;
	}
}

int
doc_footer(const char *kid, enum doc_type t, char *out, size_t cap)
{
	const char *name = doc_type_name(t);
	int n;

	if (name == NULL || !paserk_pid_valid(kid, strlen(kid)))
		return -LICD_E_USAGE;
	n = snprintf(out, cap, "{\"kid\":\"%s\",\"typ\":\"%s\"}", kid, name);
	if (n < 0 || (size_t)n >= cap)
		return -LICD_E_TOO_LARGE;
	return 0;
}

/*
 * The footer is compared byte for byte with the one form we write, so no
 * JSON parser sees it: {"kid":"<51-char k4.pid>","typ":"<type>"}.
 */
static int
footer_parse(const uint8_t *f, size_t len, paserk_kid kid, int *type)
{
	static const char head[] = "{\"kid\":\"";
	static const char mid[] = "\",\"typ\":\"";
	static const char tail[] = "\"}";
	const size_t hl = sizeof(head) - 1, ml = sizeof(mid) - 1;
	const size_t tl = sizeof(tail) - 1;
	const char *s = (const char *)f;
	size_t tlen;

	if (len < hl + PASERK_PID_LEN + ml + tl + 1 ||
	    memcmp(s, head, hl) != 0 ||
	    !paserk_pid_valid(s + hl, PASERK_PID_LEN) ||
	    memcmp(s + hl + PASERK_PID_LEN, mid, ml) != 0 ||
	    memcmp(s + len - tl, tail, tl) != 0)
		return -1;
	tlen = len - hl - PASERK_PID_LEN - ml - tl;
	*type = doc_type_from_name(s + hl + PASERK_PID_LEN + ml, tlen);
	if (*type < 0)
		return -1;
	memcpy(kid, s + hl, PASERK_PID_LEN);
	kid[PASERK_PID_LEN] = '\0';
	return 0;
}

void
doc_free(struct doc *d)
{
	size_t i;

	for (i = 0; i < d->nlines; i++)
		tok_free(&d->lines[i].tok);
	memset(d, 0, sizeof(*d));
}

static int
is_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

/* Parse one token line into d->lines[d->nlines] and check it against the
 * first line. */
static int
parse_line(struct doc *d, const char *s, size_t len, unsigned lineno,
    enum doc_type expect, struct lerr *e)
{
	struct doc_line *l = &d->lines[d->nlines];
	int type, r;

	if (d->nlines == DOC_MAX_TOKENS)
		return lerr_set(e, LICD_E_TOO_LARGE,
		    "line %u: more than %d tokens", lineno, DOC_MAX_TOKENS);
	if ((r = tok_parse(s, len, &l->tok, e)) < 0) {
		lerr_prefix(e, "line %u", lineno);
		return r;
	}
	l->lineno = lineno;
	d->nlines++;
	if (footer_parse(l->tok.footer, l->tok.footer_len, l->kid, &type) < 0)
		return lerr_set(e, LICD_E_FOOTER, "line %u: footer is not "
		    "exactly {\"kid\":\"<k4.pid>\",\"typ\":\"<type>\"}", lineno);
	if (d->nlines == 1) {
		if (expect != DOC_ANY && type != (int)expect)
			return lerr_set(e, LICD_E_TYPE,
			    "line %u: typ \"%s\" where %s was expected", lineno,
			    doc_type_name(type), doc_type_name(expect));
		d->type = type;
		d->msg = l->tok.msg;
		d->msg_len = l->tok.msg_len;
		return 0;
	}
	if (type != (int)d->type)
		return lerr_set(e, LICD_E_MISMATCH,
		    "line %u: typ \"%s\" differs from line %u (\"%s\")",
		    lineno, doc_type_name(type), d->lines[0].lineno,
		    doc_type_name(d->type));
	if (l->tok.msg_len != d->msg_len ||
	    memcmp(l->tok.msg, d->msg, d->msg_len) != 0)
		return lerr_set(e, LICD_E_MISMATCH,
		    "line %u: message differs from line %u", lineno,
		    d->lines[0].lineno);
	return 0;
}

int
doc_parse(const char *buf, size_t len, enum doc_type expect, struct doc *d,
    struct lerr *e)
{
	const char *p = buf, *end = buf + len, *nl;
	unsigned lineno = 0;
	int r;

	memset(d, 0, sizeof(*d));
	if (len > DOC_MAX_BYTES)
		return lerr_set(e, LICD_E_TOO_LARGE,
		    "%zu bytes, more than %d", len, DOC_MAX_BYTES);
	if ((nl = memchr(buf, '\r', len)) != NULL) {
		for (p = buf, lineno = 1; p < nl; p++)
			lineno += *p == '\n';
		return lerr_set(e, LICD_E_MALFORMED,
		    "line %u: carriage return (lines end in LF only)", lineno);
	}
	for (p = buf; p < end; p = nl + 1) {
		size_t n;

		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (is_blank(p, n) || p[0] == '#')
			continue;
		if ((r = parse_line(d, p, n, lineno, expect, e)) < 0) {
			doc_free(d);
			return r;
		}
	}
	if (d->nlines == 0)
		return lerr_set(e, LICD_E_MALFORMED, "no token in document");
	return 0;
}

int
doc_load(const char *path, enum doc_type expect, struct doc *d,
    struct lerr *e)
{
	char *buf = NULL;
	ssize_t n;
	size_t len = 0;
	int fd, r;

	memset(d, 0, sizeof(*d));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return lerr_set(e, LICD_E_IO, "%s: %s", path, strerror(errno));
	/* One byte more than allowed tells "too large" from "exactly 64 KiB". */
	if ((buf = malloc(DOC_MAX_BYTES + 1)) == NULL) {
		r = lerr_set(e, LICD_E_NOMEM, "%s: out of memory", path);
		goto out;
	}
	while (len < DOC_MAX_BYTES + 1) {
		n = read(fd, buf + len, DOC_MAX_BYTES + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = lerr_set(e, LICD_E_IO, "%s: %s", path,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if ((r = doc_parse(buf, len, expect, d, e)) < 0)
		lerr_prefix(e, "%s", path);
 out:
	free(buf);
	close(fd);
	return r;
}

static int
role_has(const struct role *ro, int idx)
{
	size_t i;

	for (i = 0; i < ro->nkeys; i++)
		if (ro->key[i] == idx)
			return 1;
	return 0;
}

int
doc_verify_role(const struct doc *d, const struct root *r,
    enum role_id role, uint32_t min_threshold, size_t *nvalid,
    struct lerr *e)
{
	const struct role *ro;
	const uint8_t *seen[DOC_MAX_TOKENS];
	const char *ia = doc_implicit(d->type);
	size_t i, j, nseen = 0;
	uint32_t need;

	if (nvalid != NULL)
		*nvalid = 0;
	if ((int)role < 0 || role >= ROLE__COUNT || ia == NULL)
		return lerr_set(e, LICD_E_USAGE, "no such role");
	ro = &r->roles[role];
	need = min_threshold ? min_threshold : ro->threshold;
	for (i = 0; i < d->nlines; i++) {
		const struct doc_line *l = &d->lines[i];
		int idx = root_key_index(r, l->kid);

		if (idx < 0 || !role_has(ro, idx))
			continue;	/* not a key of this role: ignored */
		if (tok_verify(&l->tok, r->keys[idx].pk, (const uint8_t *)ia,
		    strlen(ia)) < 0)
			return lerr_set(e, LICD_E_SIGNATURE,
			    "line %u: signature does not verify for %s",
			    l->lineno, l->kid);
		for (j = 0; j < nseen; j++)
			if (memcmp(seen[j], r->keys[idx].pk, TOK_PK_LEN) == 0)
				break;
		if (j == nseen)
			seen[nseen++] = r->keys[idx].pk;
	}
	if (nvalid != NULL)
		*nvalid = nseen;
	if (nseen < need)
		return lerr_set(e, LICD_E_THRESHOLD, "%u of the %zu keys of "
		    "role %s needed, %zu valid", need, ro->nkeys,
		    doc_type_name((enum doc_type)role),
		    nseen);
	return 0;
}

int
doc_verify_key(const struct doc *d, const uint8_t pk[TOK_PK_LEN],
    struct lerr *e)
{
	const char *ia = doc_implicit(d->type);
	paserk_kid kid;
	size_t i, nvalid = 0;

	if (ia == NULL || doc_role_for(d->type) >= 0)
		return lerr_set(e, LICD_E_TYPE, "%s is not signed by a device",
		    doc_type_name(d->type));
	paserk_pid(pk, kid);
	for (i = 0; i < d->nlines; i++) {
		const struct doc_line *l = &d->lines[i];

		if (strcmp(l->kid, kid) != 0)
			continue;
		if (tok_verify(&l->tok, pk, (const uint8_t *)ia,
		    strlen(ia)) < 0)
			return lerr_set(e, LICD_E_SIGNATURE,
			    "line %u: signature does not verify for %s",
			    l->lineno, kid);
		nvalid++;
	}
	if (nvalid == 0)
		return lerr_set(e, LICD_E_THRESHOLD,
		    "no line is signed by %s", kid);
	return 0;
}

/* The first root is the one exception to "verify before parsing": its keys
 * are in its own message. It is trusted by configuration (and, in a
 * production build, by the compiled-in pin), not by a signature. */
int
root_from_doc(const struct doc *d, struct root *out, struct lerr *e)
{
	int r;

	if (d->type != DOC_ROOT)
		return lerr_set(e, LICD_E_TYPE, "typ \"%s\" where root was "
		    "expected", doc_type_name(d->type));
	if ((r = pl_decode_root(d->msg, d->msg_len, out, e)) < 0)
		return r;
	return doc_verify_role(d, out, ROLE_ROOT, 0, NULL, e);
}

int
root_rotate(const struct root *cur, const uint8_t *cur_msg, size_t cur_len,
    const struct doc *d, struct root *out, struct lerr *e)
{
	struct root *next;
	int r;

	if (d->type != DOC_ROOT)
		return lerr_set(e, LICD_E_TYPE, "typ \"%s\" where root was "
		    "expected", doc_type_name(d->type));
	/* Verify before parsing: a threshold of the root role we trust must
	 * have signed it before its JSON is read at all. */
	if ((r = doc_verify_role(d, cur, ROLE_ROOT, 0, NULL, e)) < 0) {
		lerr_prefix(e, "old root ver %llu",
		    (unsigned long long)cur->ver);
		return r;
	}
	if (d->msg_len == cur_len && memcmp(d->msg, cur_msg, cur_len) == 0) {
		*out = *cur;	/* the root we hold: a no-op */
		return 1;
	}
	if ((next = malloc(sizeof(*next))) == NULL)
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	if ((r = pl_decode_root(d->msg, d->msg_len, next, e)) < 0)
		goto out;
	if (next->ver != cur->ver + 1) {
		r = lerr_set(e, LICD_E_ROOT_VERSION, "root ver %llu cannot "
		    "follow ver %llu (only ver %llu can)",
		    (unsigned long long)next->ver,
		    (unsigned long long)cur->ver,
		    (unsigned long long)cur->ver + 1);
		goto out;
	}
	if ((r = doc_verify_role(d, next, ROLE_ROOT, 0, NULL, e)) < 0) {
		lerr_prefix(e, "new root ver %llu",
		    (unsigned long long)next->ver);
		goto out;
	}
	*out = *next;
	r = 0;
 out:
	free(next);
	return r;
}

int
doc_join(char *const *tokens, size_t n, char **out, size_t *outlen)
{
	size_t i, len = 0, off = 0;
	char *buf;

	if (n == 0 || n > DOC_MAX_TOKENS)
		return -LICD_E_USAGE;
	for (i = 0; i < n; i++)
		len += strlen(tokens[i]) + 1;
	if (len > DOC_MAX_BYTES)
		return -LICD_E_TOO_LARGE;
	if ((buf = malloc(len + 1)) == NULL)
		return -LICD_E_NOMEM;
	for (i = 0; i < n; i++) {
		size_t l = strlen(tokens[i]);

		memcpy(buf + off, tokens[i], l);
		off += l;
		buf[off++] = '\n';
	}
	buf[off] = '\0';
	*out = buf;
	if (outlen != NULL)
		*outlen = off;
	return 0;
}
