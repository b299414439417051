/* SPDX-License-Identifier: MIT */
/* Documents: every rule of DESIGN 3.3 and root rotation (3.4), each fed
 * exactly the bad input and checked for its specific error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "doc.h"
#include "paserk.h"

enum { A, B, C, D, E, F, G, X, NKEYS };
static uint8_t pk[NKEYS][TOK_PK_LEN], sk[NKEYS][TOK_SK_LEN];
static paserk_kid kid[NKEYS];

static const char order_msg[] =
    "{\"lid\":\"IL-1\",\"seq\":1,\"iat\":\"2026-01-01T00:00:00Z\","
    "\"action\":\"suspend\",\"reason\":\"r\",\"ref\":\"x\"}";

/* Sign msg as typ with key k, optionally lying about the kid or the
 * implicit assertion; returns a malloc'd token. */
static char *
sign_as(int k, const char *kidtext, enum doc_type footer_typ,
    enum doc_type signed_typ, const char *msg)
{
	char footer[128], *tok = NULL;
	const char *ia = doc_implicit(signed_typ);

	assert_int_equal(doc_footer(kidtext, footer_typ, footer,
	    sizeof(footer)), 0);
	assert_int_equal(tok_sign(sk[k], (const uint8_t *)msg, strlen(msg),
	    (const uint8_t *)footer, strlen(footer), (const uint8_t *)ia,
	    strlen(ia), &tok), 0);
	return tok;
}

static char *
sign1(int k, enum doc_type t, const char *msg)
{
	return sign_as(k, kid[k], t, t, msg);
}

/* A document of msg signed by the keys listed (terminated by -1). */
static char *
docv(enum doc_type t, const char *msg, ...)
{
	char *toks[DOC_MAX_TOKENS + 4], *out = NULL;
	size_t n = 0, i, len;
	va_list ap;
	int k;

	va_start(ap, msg);
	while ((k = va_arg(ap, int)) >= 0)
		toks[n++] = sign1(k, t, msg);
	va_end(ap);
	assert_int_equal(doc_join(toks, n, &out, &len), 0);
	for (i = 0; i < n; i++)
		free(toks[i]);
	return out;
}

static void
key_entry(char *buf, size_t cap, int k, const char *name)
{
	char pub[PASERK_PUBLIC_LEN + 1];

	paserk_public_encode(pk[k], pub);
	snprintf(buf + strlen(buf), cap - strlen(buf),
	    "%s\"%s\":{\"key\":\"%s\",\"name\":\"%s\"}",
	    buf[strlen(buf) - 1] == '{' ? "" : ",", kid[k], pub, name);
}

/* A root of version ver: root role {r1,r2} 2-of-2, licence {C},
 * order {A,B,D} 2-of-3, status {E}. */
static char *
root_msg(unsigned ver, int r1, int r2, const char *exp)
{
	static char buf[8192];

	snprintf(buf, sizeof(buf), "{\"ver\":%u,\"iat\":\"2026-01-01T00:00:00Z\","
	    "\"exp\":\"%s\",\"keys\":{", ver, exp);
	key_entry(buf, sizeof(buf), r1, "r1");
	key_entry(buf, sizeof(buf), r2, "r2");
	if (r1 != A && r2 != A)
		key_entry(buf, sizeof(buf), A, "a");
	if (r1 != B && r2 != B)
		key_entry(buf, sizeof(buf), B, "b");
	key_entry(buf, sizeof(buf), C, "c");
	key_entry(buf, sizeof(buf), D, "d");
	key_entry(buf, sizeof(buf), E, "e");
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
	    "},\"roles\":{\"root\":{\"keys\":[\"%s\",\"%s\"],\"threshold\":2},"
	    "\"licence\":{\"keys\":[\"%s\"],\"threshold\":1},"
	    "\"order\":{\"keys\":[\"%s\",\"%s\",\"%s\"],\"threshold\":2},"
	    "\"status\":{\"keys\":[\"%s\"],\"threshold\":1}}}",
	    kid[r1], kid[r2], kid[C], kid[A], kid[B], kid[D], kid[E]);
	return buf;
}

static struct root *
trusted_root(void)
{
	struct root *r = malloc(sizeof(*r));
	char *text = docv(DOC_ROOT, root_msg(1, A, B, "2030-01-01T00:00:00Z"),
	    A, B, -1);
	struct doc d;
	struct lerr e;

	assert_non_null(r);
	assert_int_equal(doc_parse(text, strlen(text), DOC_ROOT, &d, &e), 0);
	assert_int_equal(root_from_doc(&d, r, &e), 0);
	doc_free(&d);
	free(text);
	return r;
}

/* Parse text (expecting type t) and return the error code (0 or -code). */
static int
parse_code(const char *text, enum doc_type t, struct lerr *e)
{
	struct doc d;
	int r = doc_parse(text, strlen(text), t, &d, e);

	doc_free(&d);
	return r;
}

/* Parse and verify against the order role of the trusted root. */
static int
order_code(const char *text, struct lerr *e)
{
	struct root *r = trusted_root();
	struct doc d;
	int rc = doc_parse(text, strlen(text), DOC_ORDER, &d, e);

	if (rc == 0)
		rc = doc_verify_role(&d, r, ROLE_ORDER, 0, NULL, e);
	doc_free(&d);
	free(r);
	return rc;
}

static void
expect(int got, int code, const struct lerr *e, const char *needle)
{
	if (got != -code || strstr(e->msg, needle) == NULL)
		fail_msg("got %d (%s) \"%s\", wanted %s with \"%s\"", got,
		    lerr_reason(got), e->msg, lerr_reason(code), needle);
}

static void
two_of_three_verifies(void **st)
{
	char *t = docv(DOC_ORDER, order_msg, A, D, -1);
	struct lerr e;

	(void)st;
	assert_int_equal(order_code(t, &e), 0);
	free(t);
}

static void
one_of_three_is_below_threshold(void **st)
{
	char *t = docv(DOC_ORDER, order_msg, A, -1);
	struct lerr e;

	(void)st;
	expect(order_code(t, &e), LICD_E_THRESHOLD, &e, "2 of the 3 keys");
	free(t);
}

static void
same_key_twice_counts_once(void **st)
{
	char *t = docv(DOC_ORDER, order_msg, A, A, -1);
	struct lerr e;

	(void)st;
	expect(order_code(t, &e), LICD_E_THRESHOLD, &e, "1 valid");
	free(t);
}

static void
unknown_kid_is_ignored(void **st)
{
	char *t = docv(DOC_ORDER, order_msg, X, A, B, -1);
	struct lerr e;

	(void)st;
	assert_int_equal(order_code(t, &e), 0);
	free(t);
}

static void
key_of_other_role_does_not_count(void **st)
{
	char *t = docv(DOC_ORDER, order_msg, A, C, E, -1);
	struct lerr e;

	(void)st;
	expect(order_code(t, &e), LICD_E_THRESHOLD, &e, "1 valid");
	free(t);
}

static void
failing_role_key_invalidates_document(void **st)
{
	/* A, B valid (threshold met) but line 3 claims D's kid, signed by X. */
	char *toks[3], *t;
	size_t len;
	struct lerr e;

	(void)st;
	toks[0] = sign1(A, DOC_ORDER, order_msg);
	toks[1] = sign1(B, DOC_ORDER, order_msg);
	toks[2] = sign_as(X, kid[D], DOC_ORDER, DOC_ORDER, order_msg);
	assert_int_equal(doc_join(toks, 3, &t, &len), 0);
	expect(order_code(t, &e), LICD_E_SIGNATURE, &e, "line 3");
	assert_non_null(strstr(e.msg, kid[D]));
	free(toks[0]); free(toks[1]); free(toks[2]); free(t);
}

static void
type_confusion_fails_signature(void **st)
{
	/* Signed with the licence implicit assertion, footer claims order. */
	char *toks[2], *t;
	size_t len;
	struct lerr e;

	(void)st;
	toks[0] = sign_as(A, kid[A], DOC_ORDER, DOC_LICENCE, order_msg);
	toks[1] = sign1(B, DOC_ORDER, order_msg);
	assert_int_equal(doc_join(toks, 2, &t, &len), 0);
	expect(order_code(t, &e), LICD_E_SIGNATURE, &e, "line 1");
	free(toks[0]); free(toks[1]); free(t);
}

static void
tampered_message_fails(void **st)
{
	char *t = docv(DOC_ORDER, order_msg, A, B, -1);
	char *tampered = sign1(A, DOC_ORDER, order_msg);
	struct tok tk;
	char footer[128], *forged;
	struct lerr e;

	(void)st;
	/* Re-encode line 1 with one message byte changed, same signature. */
	assert_int_equal(tok_parse(tampered, strlen(tampered), &tk, &e), 0);
	tk.msg[10] ^= 1;
	assert_int_equal(doc_footer(kid[A], DOC_ORDER, footer, sizeof(footer)), 0);
	assert_int_equal(tok_encode(tk.msg, tk.msg_len, tk.sig,
	    (const uint8_t *)footer, strlen(footer), &forged), 0);
	expect(order_code(forged, &e), LICD_E_SIGNATURE, &e, "line 1");
	tok_free(&tk);
	free(forged); free(tampered); free(t);
}

static void
wrong_expected_type_rejected(void **st)
{
	char *t = docv(DOC_ORDER, order_msg, A, B, -1);
	struct lerr e;

	(void)st;
	expect(parse_code(t, DOC_LICENCE, &e), LICD_E_TYPE, &e,
	    "typ \"order\" where licence was expected");
	free(t);
}

static void
mixed_types_rejected(void **st)
{
	char *toks[2], *t;
	size_t len;
	struct lerr e;

	(void)st;
	toks[0] = sign1(A, DOC_ORDER, order_msg);
	toks[1] = sign1(C, DOC_LICENCE, order_msg);
	assert_int_equal(doc_join(toks, 2, &t, &len), 0);
	expect(parse_code(t, DOC_ANY, &e), LICD_E_MISMATCH, &e, "line 2: typ");
	free(toks[0]); free(toks[1]); free(t);
}

static void
different_messages_rejected(void **st)
{
	char *toks[2], *t;
	size_t len;
	struct lerr e;

	(void)st;
	toks[0] = sign1(A, DOC_ORDER, order_msg);
	toks[1] = sign1(B, DOC_ORDER, "{\"lid\":\"IL-2\"}");
	assert_int_equal(doc_join(toks, 2, &t, &len), 0);
	expect(parse_code(t, DOC_ANY, &e), LICD_E_MISMATCH, &e,
	    "line 2: message differs");
	free(toks[0]); free(toks[1]); free(t);
}

static void
carriage_return_rejected(void **st)
{
	char *t = docv(DOC_ORDER, order_msg, A, B, -1);
	char *nl = strchr(t, '\n');
	char *crlf = malloc(strlen(t) + 2);
	struct lerr e;

	(void)st;
	memcpy(crlf, t, (size_t)(nl - t));
	strcpy(crlf + (nl - t), "\r");
	strcat(crlf, nl);
	expect(parse_code(crlf, DOC_ANY, &e), LICD_E_MALFORMED, &e,
	    "line 1: carriage return");
	free(crlf); free(t);
}

static void
comments_blank_lines_and_missing_final_lf(void **st)
{
	char *t1 = sign1(A, DOC_ORDER, order_msg);
	char *t2 = sign1(B, DOC_ORDER, order_msg);
	char *text;
	struct doc d;
	struct lerr e;

	(void)st;
	assert_int_not_equal(asprintf(&text, "# order 1\n\n%s\n  \n"
	    "# second ministry\n%s", t1, t2), -1);
	assert_int_equal(doc_parse(text, strlen(text), DOC_ORDER, &d, &e), 0);
	assert_int_equal(d.nlines, 2);
	assert_int_equal(d.lines[0].lineno, 3);
	assert_int_equal(d.lines[1].lineno, 6);
	assert_int_equal(d.msg_len, strlen(order_msg));
	assert_memory_equal(d.msg, order_msg, d.msg_len);
	doc_free(&d);
	free(text); free(t1); free(t2);
}

static void
only_comments_is_malformed(void **st)
{
	struct lerr e;

	(void)st;
	expect(parse_code("# nothing\n\n", DOC_ANY, &e), LICD_E_MALFORMED, &e,
	    "no token");
	expect(parse_code("", DOC_ANY, &e), LICD_E_MALFORMED, &e, "no token");
}

static void
seventeen_tokens_too_many(void **st)
{
	char *t = sign1(A, DOC_ORDER, order_msg);
	size_t tl = strlen(t), i;
	char *text = malloc((tl + 1) * 17 + 1);
	struct lerr e;

	(void)st;
	for (i = 0; i < 17; i++) {
		memcpy(text + i * (tl + 1), t, tl);
		text[i * (tl + 1) + tl] = '\n';
	}
	text[17 * (tl + 1)] = '\0';
	expect(parse_code(text, DOC_ANY, &e), LICD_E_TOO_LARGE, &e,
	    "line 17: more than 16 tokens");
	text[16 * (tl + 1)] = '\0';	/* exactly 16 is fine */
	assert_int_equal(parse_code(text, DOC_ANY, &e), 0);
	free(text); free(t);
}

static void
over_64k_too_large(void **st)
{
	size_t n = DOC_MAX_BYTES + 1;
	char *text = malloc(n + 1);
	struct lerr e;

	(void)st;
	memset(text, '#', n);
	text[n] = '\0';
	expect(parse_code(text, DOC_ANY, &e), LICD_E_TOO_LARGE, &e,
	    "more than 65536");
	free(text);
}

static void
bad_token_names_line(void **st)
{
	char *t = sign1(A, DOC_ORDER, order_msg);
	char *text;
	struct lerr e;

	(void)st;
	assert_int_not_equal(asprintf(&text, "%s\nv4.local.AAAA\n", t), -1);
	expect(parse_code(text, DOC_ANY, &e), LICD_E_TOKEN, &e, "line 2");
	free(text); free(t);
}

/* Tokens with hand-made footers: each must be refused as bad-footer. */
static void
footer_must_be_exact(void **st)
{
	/* Each footer is HEAD kid TAIL. */
	static const char *const cases[][2] = {
		{ "{\"kid\": \"", "\",\"typ\":\"order\"}" },	/* space */
		{ "{\"typ\":\"order\",\"kid\":\"", "\"}" },	/* key order */
		{ "{\"kid\":\"", "\",\"typ\":\"orders\"}" },	/* unknown typ */
		{ "{\"kid\":\"", "\",\"typ\":\"order\",\"x\":1}" },	/* extra */
		{ "{\"kid\":\"", "A\",\"typ\":\"order\"}" },	/* kid too long */
		{ "", "" },					/* not JSON */
	};
	const char *ia = doc_implicit(DOC_ORDER);
	char footer[256], *tok;
	size_t i;
	struct lerr e;

	(void)st;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(footer, sizeof(footer), "%s%s%s", cases[i][0],
		    kid[A], cases[i][1]);
		assert_int_equal(tok_sign(sk[A], (const uint8_t *)order_msg,
		    strlen(order_msg), (const uint8_t *)footer, strlen(footer),
		    (const uint8_t *)ia, strlen(ia), &tok), 0);
		expect(parse_code(tok, DOC_ANY, &e), LICD_E_FOOTER, &e,
		    "line 1: footer");
		free(tok);
	}
	/* No footer at all. */
	assert_int_equal(tok_sign(sk[A], (const uint8_t *)order_msg,
	    strlen(order_msg), NULL, 0, (const uint8_t *)ia, strlen(ia),
	    &tok), 0);
	expect(parse_code(tok, DOC_ANY, &e), LICD_E_FOOTER, &e, "footer");
	free(tok);
}

static void
first_root_must_meet_own_threshold(void **st)
{
	char *t = docv(DOC_ROOT, root_msg(1, A, B, "2030-01-01T00:00:00Z"),
	    A, -1);
	struct root *r = malloc(sizeof(*r));
	struct doc d;
	struct lerr e;

	(void)st;
	assert_int_equal(doc_parse(t, strlen(t), DOC_ROOT, &d, &e), 0);
	expect(root_from_doc(&d, r, &e), LICD_E_THRESHOLD, &e, "role root");
	doc_free(&d);
	free(r); free(t);
}

/* Rotate the trusted root (ver 1, root role A+B) to text. */
static int
rotate_code(const char *text, struct root *out, struct lerr *e)
{
	struct root *cur = trusted_root();
	const char *m1 = root_msg(1, A, B, "2030-01-01T00:00:00Z");
	char *cur_msg = strdup(m1);
	struct doc d;
	int r = doc_parse(text, strlen(text), DOC_ROOT, &d, e);

	if (r == 0)
		r = root_rotate(cur, (const uint8_t *)cur_msg,
		    strlen(cur_msg), &d, out, e);
	doc_free(&d);
	free(cur_msg);
	free(cur);
	return r;
}

static void
rotation_needs_old_and_new_root_roles(void **st)
{
	char *m2 = strdup(root_msg(2, F, G, "2031-01-01T00:00:00Z"));
	char *ok = docv(DOC_ROOT, m2, A, B, F, G, -1);
	char *old_only = docv(DOC_ROOT, m2, A, B, -1);
	char *new_only = docv(DOC_ROOT, m2, F, G, -1);
	char *m3 = strdup(root_msg(3, F, G, "2031-01-01T00:00:00Z"));
	char *skip = docv(DOC_ROOT, m3, A, B, F, G, -1);
	struct root *out = malloc(sizeof(*out));
	struct lerr e;

	(void)st;
	assert_int_equal(rotate_code(ok, out, &e), 0);
	assert_int_equal(out->ver, 2);
	expect(rotate_code(old_only, out, &e), LICD_E_THRESHOLD, &e,
	    "new root ver 2");
	expect(rotate_code(new_only, out, &e), LICD_E_THRESHOLD, &e,
	    "old root ver 1");
	expect(rotate_code(skip, out, &e), LICD_E_ROOT_VERSION, &e,
	    "root ver 3 cannot follow ver 1");
	free(m2); free(m3); free(ok); free(old_only); free(new_only);
	free(skip); free(out);
}

static void
rotation_from_expired_root_works(void **st)
{
	/* The trusted root expires 2030; a ver 2 is accepted regardless:
	 * root_rotate looks at no clock at all. */
	char *m2 = strdup(root_msg(2, A, B, "2040-01-01T00:00:00Z"));
	char *t = docv(DOC_ROOT, m2, A, B, -1);
	struct root *out = malloc(sizeof(*out));
	struct lerr e;

	(void)st;
	assert_int_equal(rotate_code(t, out, &e), 0);
	free(m2); free(t); free(out);
}

static void
same_root_is_noop_lower_or_equal_different_rejected(void **st)
{
	char *same = docv(DOC_ROOT, root_msg(1, A, B, "2030-01-01T00:00:00Z"),
	    A, B, -1);
	char *m1b = strdup(root_msg(1, A, B, "2031-01-01T00:00:00Z"));
	char *other = docv(DOC_ROOT, m1b, A, B, -1);
	struct root *out = malloc(sizeof(*out));
	struct lerr e;

	(void)st;
	assert_int_equal(rotate_code(same, out, &e), 1);
	assert_int_equal(out->ver, 1);
	expect(rotate_code(other, out, &e), LICD_E_ROOT_VERSION, &e,
	    "root ver 1 cannot follow ver 1");
	free(same); free(m1b); free(other); free(out);
}

static void
device_signed_documents(void **st)
{
	const char *msg = "{\"x\":1}";
	char *t = docv(DOC_RECEIPT, msg, X, -1);
	char *forged = sign_as(A, kid[X], DOC_RECEIPT, DOC_RECEIPT, msg);
	struct doc d;
	struct lerr e;

	(void)st;
	assert_int_equal(doc_parse(t, strlen(t), DOC_RECEIPT, &d, &e), 0);
	assert_int_equal(doc_verify_key(&d, pk[X], &e), 0);
	expect(doc_verify_key(&d, pk[A], &e), LICD_E_THRESHOLD, &e,
	    "no line is signed by");
	doc_free(&d);
	assert_int_equal(doc_parse(forged, strlen(forged), DOC_RECEIPT, &d,
	    &e), 0);
	expect(doc_verify_key(&d, pk[X], &e), LICD_E_SIGNATURE, &e, "line 1");
	doc_free(&d);
	free(t); free(forged);
}

static void
load_reports_path_and_limits(void **st)
{
	char path[] = "/tmp/licd-test-doc-XXXXXX";
	int fd = mkstemp(path);
	char *big = calloc(1, DOC_MAX_BYTES + 10);
	struct doc d;
	struct lerr e;

	(void)st;
	assert_true(fd >= 0);
	memset(big, '#', DOC_MAX_BYTES + 9);
	assert_int_equal(write(fd, big, DOC_MAX_BYTES + 9), DOC_MAX_BYTES + 9);
	close(fd);
	expect(doc_load(path, DOC_ANY, &d, &e), LICD_E_TOO_LARGE, &e, path);
	unlink(path);
	expect(doc_load(path, DOC_ANY, &d, &e), LICD_E_IO, &e, path);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_of_three_verifies),
		cmocka_unit_test(one_of_three_is_below_threshold),
		cmocka_unit_test(same_key_twice_counts_once),
		cmocka_unit_test(unknown_kid_is_ignored),
		cmocka_unit_test(key_of_other_role_does_not_count),
		cmocka_unit_test(failing_role_key_invalidates_document),
		cmocka_unit_test(type_confusion_fails_signature),
		cmocka_unit_test(tampered_message_fails),
		cmocka_unit_test(wrong_expected_type_rejected),
		cmocka_unit_test(mixed_types_rejected),
		cmocka_unit_test(different_messages_rejected),
		cmocka_unit_test(carriage_return_rejected),
		cmocka_unit_test(comments_blank_lines_and_missing_final_lf),
		cmocka_unit_test(only_comments_is_malformed),
		cmocka_unit_test(seventeen_tokens_too_many),
		cmocka_unit_test(over_64k_too_large),
		cmocka_unit_test(bad_token_names_line),
		cmocka_unit_test(footer_must_be_exact),
		cmocka_unit_test(first_root_must_meet_own_threshold),
		cmocka_unit_test(rotation_needs_old_and_new_root_roles),
		cmocka_unit_test(rotation_from_expired_root_works),
		cmocka_unit_test(same_root_is_noop_lower_or_equal_different_rejected),
		cmocka_unit_test(device_signed_documents),
		cmocka_unit_test(load_reports_path_and_limits),
	};
	int i;

	if (sodium_init() < 0)
		return 1;
	for (i = 0; i < NKEYS; i++) {
		crypto_sign_keypair(pk[i], sk[i]);
		paserk_pid(pk[i], kid[i]);
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
