/* SPDX-License-Identifier: MIT */
/* Unit tests for common/json.c: every lexical rule of DESIGN 3.1 with the
 * exact input that breaks it, and the schema helpers' checks and messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "lerr.h"

struct jcase {
	const char *name;
	const char *in;
	size_t len;		/* 0: strlen(in) */
	const char *msg;	/* NULL: must parse */
};

#define OK(n, s) { n, s, 0, NULL }
#define BAD(n, s, m) { n, s, 0, m }
#define BADN(n, s, m) { n, s, sizeof(s) - 1, m }

static const struct jcase parse_cases[] = {
	/* accepted */
	OK("plain object", "{\"a\":1}"),
	OK("empty object", "{}"),
	OK("zero", "{\"a\":0}"),
	OK("2^53-1", "{\"a\":9007199254740991}"),
	OK("16 digits below 2^53", "{\"a\":1000000000000000}"),
	OK("numbers inside strings", "{\"a\":\"-1.5e3 01 +2\"}"),
	OK("escaped quote before digits", "{\"a\":\"\\\"-1\"}"),
	OK("escaped backslash ends string", "{\"a\":\"\\\\\",\"b\":2}"),
	OK("brackets inside strings", "{\"a\":\"[[[[[[[[[[{{{{{{{{{{\"}"),
	OK("depth 8", "{\"a\":[[[[[[[1]]]]]]]}"),
	OK("surrogate pair", "{\"a\":\"\\ud83d\\ude00\"}"),
	OK("UTF-8 text", "{\"a\":\"G\xc3\xa9n\xc3\xa9rale \xf0\x9f\x98\x80\"}"),
	OK("whitespace", " \t\r\n{ \"a\" : [ 1 , 2 ] }\n"),
	OK("literals", "{\"a\":true,\"b\":false,\"c\":null}"),
	OK("escaped key", "{\"\\u0061\":1}"),
	/* not one object */
	BAD("empty input", "", "JSON: empty message"),
	BAD("whitespace only", "  ", "JSON: "),
	BAD("top-level array", "[1]", "JSON: the message must be an object"),
	BAD("top-level string", "\"a\"", "JSON: "),
	BAD("top-level number", "1", "JSON: "),
	BAD("two objects", "{}{}", "JSON: end of file expected"),
	BAD("trailing garbage", "{\"a\":1} x", "JSON: end of file expected"),
	BAD("unterminated", "{\"a\":1", "JSON: "),
	BAD("unterminated string", "{\"a\":\"x}", "JSON: "),
	BAD("byte order mark", "\xef\xbb\xbf{}", "JSON: "),
	BAD("trailing comma", "{\"a\":1,}", "JSON: "),
	BAD("single quotes", "{'a':1}", "JSON: "),
	BAD("comment", "{\"a\":1 // x\n}", "JSON: "),
	BAD("NaN", "{\"a\":NaN}", "JSON: "),
	BAD("Infinity", "{\"a\":Infinity}", "JSON: "),
	/* numbers */
	BAD("minus", "{\"a\":-1}", "a sign is not allowed"),
	BAD("minus zero", "{\"a\":-0}", "a sign is not allowed"),
	BAD("plus", "{\"a\":+1}", "JSON: invalid token"),
	BAD("fraction", "{\"a\":1.0}", "a fraction or exponent is not allowed"),
	BAD("exponent", "{\"a\":1e3}", "a fraction or exponent is not allowed"),
	BAD("capital exponent", "{\"a\":1E3}",
	    "a fraction or exponent is not allowed"),
	BAD("leading zero", "{\"a\":01}", "a leading zero is not allowed"),
	BAD("double zero", "{\"a\":00}", "a leading zero is not allowed"),
	BAD("17 digits", "{\"a\":12345678901234567}", "more than 16 digits"),
	BAD("2^53", "{\"a\":9007199254740992}",
	    "field \"a\": integer above 2^53-1"),
	BAD("16 nines", "{\"a\":{\"b\":[9999999999999999]}}",
	    "field \"a\".\"b\"[0]: integer above 2^53-1"),
	BAD("number in an array", "{\"a\":[1,-2]}", "a sign is not allowed"),
	BAD("number position", "{\"a\":-1}", "number at byte 5"),
	/* structure */
	BAD("depth 9", "{\"a\":[[[[[[[[1]]]]]]]]}", "JSON: nested deeper than 8"),
	BAD("duplicate key", "{\"lid\":\"a\",\"lid\":\"b\"}",
	    "duplicate key \"lid\""),
	BAD("duplicate nested key", "{\"a\":{\"x\":1,\"x\":1}}",
	    "duplicate key \"x\""),
	BAD("duplicate key spelt with an escape", "{\"ab\":1,\"a\\u0062\":1}",
	    "JSON: duplicate key"),
	/* strings */
	BAD("escaped NUL", "{\"a\":\"\\u0000\"}", "JSON: \\u0000 is not allowed"),
	BAD("lone high surrogate", "{\"a\":\"\\ud800\"}",
	    "JSON: invalid Unicode"),
	BAD("lone low surrogate", "{\"a\":\"\\udc00\"}",
	    "JSON: invalid Unicode"),
	BAD("high surrogate then letter", "{\"a\":\"\\ud800x\"}",
	    "JSON: invalid Unicode"),
	BAD("two high surrogates", "{\"a\":\"\\ud800\\ud800\"}",
	    "JSON: invalid Unicode"),
	BAD("surrogate in a key", "{\"\\udfff\":1}", "JSON: invalid Unicode"),
	BAD("raw control character", "{\"a\":\"\x01\"}",
	    "JSON: control character"),
	BAD("raw newline in string", "{\"a\":\"x\ny\"}",
	    "JSON: unexpected newline"),
	BAD("bad escape", "{\"a\":\"\\x41\"}", "JSON: "),
	BAD("short unicode escape", "{\"a\":\"\\u41\"}", "JSON: "),
	BAD("invalid UTF-8 byte", "{\"a\":\"\xff\"}", "JSON: unable to decode"),
	BAD("overlong UTF-8", "{\"a\":\"\xc0\xaf\"}", "JSON: unable to decode"),
	BAD("UTF-8 surrogate", "{\"a\":\"\xed\xa0\x80\"}",
	    "JSON: unable to decode"),
	BAD("UTF-8 above U+10FFFF", "{\"a\":\"\xf4\x90\x80\x80\"}",
	    "JSON: unable to decode"),
	BAD("truncated UTF-8", "{\"a\":\"\xe2\x82\"}", "JSON: unable to decode"),
	BAD("UTF-8 outside strings", "{\"a\":1\xc2\xa0}", "JSON: "),
	BAD("invalid byte outside strings", "{\"a\":\xff}", "JSON: "),
	BAD("duplicate non-ASCII key", "{\"\xc3\xa9\":1,\"\xc3\xa9\":2}",
	    "JSON: duplicate key \"??\""),
	BADN("raw NUL in a string", "{\"a\":\"x\0y\"}", "JSON: NUL byte at byte 7"),
	BADN("raw NUL after the object", "{\"a\":1}\0", "JSON: NUL byte"),
};

/* One case of the table, as its own cmocka test. */
static void
parse_case(void **state)
{
	const struct jcase *c = *state;
	size_t len = c->len ? c->len : strlen(c->in);
	const char *p;
	json_t *j = (json_t *)1;
	struct lerr e;
	int r;

	lerr_clear(&e);
	r = js_parse((const uint8_t *)c->in, len, &j, &e);
	if (c->msg == NULL && (r != 0 || j == NULL))
		fail_msg("\"%s\": rejected: %s", c->name, e.msg);
	if (c->msg != NULL && (r != -LICD_E_PAYLOAD ||
	    e.code != LICD_E_PAYLOAD || j != NULL ||
	    strstr(e.msg, c->msg) == NULL))
		fail_msg("\"%s\": got %d \"%s\", want \"%s\"", c->name, r,
		    e.msg, c->msg);
	for (p = e.msg; c->msg != NULL && *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			fail_msg("\"%s\": unprintable message", c->name);
	json_decref(j);
}

static int
run_parse_cases(void)
{
	const size_t n = sizeof(parse_cases) / sizeof(parse_cases[0]);
	struct CMUnitTest *t = calloc(n, sizeof(*t));
	size_t i;
	int r;

	if (t == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		t[i].name = parse_cases[i].name;
		t[i].test_func = parse_case;
		t[i].initial_state = (void *)&parse_cases[i];
	}
	r = _cmocka_run_group_tests("js_parse", t, n, NULL, NULL);
	free(t);
	return r;
}

static json_t *
parse(const char *s)
{
	struct lerr e;
	json_t *j;

	lerr_clear(&e);
	if (js_parse((const uint8_t *)s, strlen(s), &j, &e) != 0)
		fail_msg("js_parse(%s): %s", s, e.msg);
	return j;
}

/* The message is bounded by len, not by a NUL. */
static void
parse_uses_len(void **state)
{
	const char buf[] = "{\"a\":1}{\"b\":2}";
	struct lerr e;
	json_t *j;

	(void)state;
	assert_int_equal(js_parse((const uint8_t *)buf, 7, &j, &e), 0);
	assert_non_null(json_object_get(j, "a"));
	json_decref(j);
	assert_int_equal(js_parse(NULL, 0, &j, &e), -LICD_E_PAYLOAD);
	assert_null(j);
}

static void
paths(void **state)
{
	char a[JS_PATH_MAX], b[JS_PATH_MAX], lng[JS_PATH_MAX * 2];

	(void)state;
	assert_string_equal(js_path_key(a, "", "lid"), "\"lid\"");
	assert_string_equal(js_path_key(b, a, "x"), "\"lid\".\"x\"");
	assert_string_equal(js_path_idx(a, b, 3), "\"lid\".\"x\"[3]");
	assert_string_equal(js_path_key(a, "", "a\"b\\c\n\xc3\xa9"),
	    "\"a?b?c???\"");
	memset(lng, 'x', sizeof(lng) - 1);
	lng[sizeof(lng) - 1] = '\0';
	js_path_key(a, "", lng);
	assert_int_equal(strlen(a), JS_PATH_MAX - 1);
	assert_int_equal(a[JS_PATH_MAX - 2], '"');
	js_path_key(b, a, "y");	/* parent fills the buffer */
	assert_int_equal(strlen(b), JS_PATH_MAX - 1);
	memset(lng, 'p', JS_PATH_MAX - 3);
	lng[JS_PATH_MAX - 3] = '\0';
	js_path_key(a, lng, "k");	/* exactly full after the quote */
	assert_true(strlen(a) < JS_PATH_MAX);
	js_path_idx(a, lng, 12345);
	assert_true(strlen(a) < JS_PATH_MAX);
}

static void
text_validity(void **state)
{
	static const struct { const char *s; int ok; } t[] = {
		{ "plain text", 1 }, { "", 1 }, { "G\xc3\xa9n\xc3\xa9rale", 1 },
		{ "\xf0\x9f\x98\x80", 1 }, { "\xc2\xa0nbsp", 1 },
		{ "\xe2\x80\x94 dash", 1 }, { "a\tb", 0 }, { "a\nb", 0 },
		{ "\x1b[2J", 0 }, { "del\x7f", 0 }, { "c1 \xc2\x85", 0 },
		{ "c1 \xc2\x9f", 0 }, { "lrm \xe2\x80\x8e", 0 },
		{ "ls \xe2\x80\xa8", 0 }, { "ps \xe2\x80\xa9", 0 },
		{ "rlo \xe2\x80\xae", 0 }, { "lre \xe2\x80\xaa", 0 },
		{ "fsi \xe2\x81\xa8", 0 }, { "pdi \xe2\x81\xa9", 0 },
		{ "word joiner \xe2\x81\xa0", 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (js_text_valid(t[i].s, strlen(t[i].s)) != t[i].ok)
			fail_msg("js_text_valid(\"%s\") != %d", t[i].s, t[i].ok);
}

struct demo {
	char name[9];
	uint64_t n;
	uint32_t small;
	int64_t when, dur;
	char word[5];
};

static int
lower_word(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < 'a' || s[i] > 'z')
			return 0;
	return len >= 1 && len <= 4;
}

#define D(...) { __VA_ARGS__ }
static const struct js_field demo_fields[] = {
	D("name", JS_TEXT, false, JS_MEMBER(struct demo, name), 1, NULL, NULL),
	D("n", JS_U64, false, JS_MEMBER(struct demo, n), 2, NULL, NULL),
	D("small", JS_U32, true, JS_MEMBER(struct demo, small), 0, NULL, NULL),
	D("when", JS_TIME, true, JS_MEMBER(struct demo, when), 0, NULL, NULL),
	D("dur", JS_DUR, true, JS_MEMBER(struct demo, dur), 60, NULL, NULL),
	D("word", JS_STR, true, JS_MEMBER(struct demo, word), 0, lower_word,
	    "a lower-case word"),
	D("other", JS_SKIP, true, 0, 0, 0, NULL, NULL),
};

/* Decode s with the demo table at path "o"; returns the code. */
static int
demo(const char *s, struct demo *d, struct lerr *e)
{
	json_t *j = parse(s);
	int r;

	memset(d, 0, sizeof(*d));
	lerr_clear(e);
	r = js_fields(j, "\"o\"", demo_fields,
	    sizeof(demo_fields) / sizeof(demo_fields[0]), d, e);
	json_decref(j);
	return r;
}

static void
fields_decode(void **state)
{
	struct demo d;
	struct lerr e;

	(void)state;
	assert_int_equal(demo("{\"name\":\"x\",\"n\":2}", &d, &e), 0);
	assert_string_equal(d.name, "x");
	assert_int_equal(d.n, 2);
	assert_int_equal(d.small, 0);
	assert_int_equal(demo("{\"name\":\"12345678\",\"n\":9007199254740991,"
	    "\"small\":4294967295,\"when\":\"1970-01-01T00:01:00Z\","
	    "\"dur\":\"1m\",\"word\":\"abcd\",\"other\":[{}]}", &d, &e), 0);
	assert_int_equal(d.n, 9007199254740991ULL);
	assert_int_equal(d.small, 4294967295U);
	assert_int_equal(d.when, 60);
	assert_int_equal(d.dur, 60);
	assert_string_equal(d.word, "abcd");
}

static void
fields_reject(void **state)
{
	static const struct { const char *in, *msg; } t[] = {
		{ "{\"n\":2}", "missing field \"o\".\"name\"" },
		{ "{\"name\":\"x\"}", "missing field \"o\".\"n\"" },
		{ "{\"name\":\"x\",\"n\":2,\"zz\":1}", "unknown field \"o\".\"zz\"" },
		{ "{\"name\":1,\"n\":2}", "field \"o\".\"name\": expected a string" },
		{ "{\"name\":\"\",\"n\":2}",
		    "field \"o\".\"name\": must not be empty" },
		{ "{\"name\":\"123456789\",\"n\":2}",
		    "field \"o\".\"name\": longer than 8 bytes" },
		{ "{\"name\":\"a\\u0007\",\"n\":2}",
		    "field \"o\".\"name\": control characters are not allowed" },
		{ "{\"name\":\"x\",\"n\":1}", "field \"o\".\"n\": must be at least 2" },
		{ "{\"name\":\"x\",\"n\":null}",
		    "field \"o\".\"n\": expected an integer" },
		{ "{\"name\":\"x\",\"n\":2,\"small\":4294967296}",
		    "field \"o\".\"small\": must be at most 4294967295" },
		{ "{\"name\":\"x\",\"n\":2,\"when\":\"1970-01-01\"}",
		    "field \"o\".\"when\": expected RFC 3339 time ending in Z" },
		{ "{\"name\":\"x\",\"n\":2,\"dur\":\"59s\"}",
		    "field \"o\".\"dur\": must be at least 60s" },
		{ "{\"name\":\"x\",\"n\":2,\"dur\":\"1y\"}",
		    "field \"o\".\"dur\": expected a duration" },
		{ "{\"name\":\"x\",\"n\":2,\"word\":\"abcde\"}",
		    "field \"o\".\"word\": expected a lower-case word" },
		{ "{\"name\":\"x\",\"n\":2,\"word\":\"\"}",
		    "field \"o\".\"word\": expected a lower-case word" },
	};
	struct demo d;
	struct lerr e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (demo(t[i].in, &d, &e) != -LICD_E_PAYLOAD ||
		    strstr(e.msg, t[i].msg) == NULL)
			fail_msg("%s: got \"%s\", want \"%s\"", t[i].in, e.msg,
			    t[i].msg);
	}
}

static void
fields_not_object(void **state)
{
	json_t *j = parse("{\"o\":[]}");
	struct demo d;
	struct lerr e;

	(void)state;
	lerr_clear(&e);
	assert_int_equal(js_fields(json_object_get(j, "o"), "\"o\"",
	    demo_fields, 1, &d, &e), -LICD_E_PAYLOAD);
	assert_string_equal(e.msg, "field \"o\": expected an object");
	json_decref(j);
}

/* A table whose destination size does not fit its kind is our bug. */
static void
fields_bad_schema(void **state)
{
	static const struct js_field bad[] = {
		{ "n", JS_U64, false, 0, sizeof(uint32_t), 0, NULL, NULL },
	};
	json_t *j = parse("{\"n\":1}");
	uint64_t out;
	struct lerr e;

	(void)state;
	assert_int_equal(js_fields(j, "", bad, 1, &out, &e), -LICD_E_INTERNAL);
	json_decref(j);
}

static int
lower_name(const char *s, size_t len)
{
	return lower_word(s, len);
}

static void
names_and_maps(void **state)
{
	char out[4][5];
	struct lerr e;
	size_t n;
	json_t *j;

	(void)state;
	j = parse("{\"a\":[\"x\",\"y\",\"z\"],\"b\":[\"x\",\"x\"],\"c\":[],"
	    "\"d\":[\"x\",\"y\",\"z\",\"w\",\"v\"],\"e\":[\"X\"],"
	    "\"m\":{\"k\":1,\"K\":2},\"m2\":{}}");
	assert_int_equal(js_names(json_object_get(j, "a"), "\"a\"", 1, 4,
	    lower_name, "a word", out[0], sizeof(out[0]), &n, &e), 0);
	assert_int_equal(n, 3);
	assert_string_equal(out[2], "z");
	assert_int_equal(js_names(json_object_get(j, "b"), "\"b\"", 1, 4,
	    lower_name, "a word", out[0], sizeof(out[0]), &n, &e),
	    -LICD_E_PAYLOAD);
	assert_string_equal(e.msg, "field \"b\"[1]: duplicate \"x\"");
	assert_int_equal(js_names(json_object_get(j, "c"), "\"c\"", 1, 4,
	    lower_name, "a word", out[0], sizeof(out[0]), &n, &e),
	    -LICD_E_PAYLOAD);
	assert_string_equal(e.msg, "field \"c\": must not be empty");
	assert_int_equal(js_names(json_object_get(j, "c"), "\"c\"", 0, 4,
	    lower_name, "a word", out[0], sizeof(out[0]), &n, &e), 0);
	assert_int_equal(n, 0);
	assert_int_equal(js_names(json_object_get(j, "d"), "\"d\"", 0, 4,
	    lower_name, "a word", out[0], sizeof(out[0]), &n, &e),
	    -LICD_E_TOO_LARGE);
	assert_string_equal(e.msg, "field \"d\": more than 4 entries");
	assert_int_equal(js_names(json_object_get(j, "e"), "\"e\"", 0, 4,
	    lower_name, "a word", out[0], sizeof(out[0]), &n, &e),
	    -LICD_E_PAYLOAD);
	assert_string_equal(e.msg, "field \"e\"[0]: expected a word");
	assert_int_equal(js_names(json_object_get(j, "m"), "\"m\"", 0, 4,
	    lower_name, "a word", out[0], sizeof(out[0]), &n, &e),
	    -LICD_E_PAYLOAD);
	assert_string_equal(e.msg, "field \"m\": expected an array");
	assert_int_equal(js_map(json_object_get(j, "m"), "\"m\"", 1, 4,
	    lower_name, "a word", &e), -LICD_E_PAYLOAD);
	assert_string_equal(e.msg, "field \"m\": key \"K\": expected a word");
	assert_int_equal(js_map(json_object_get(j, "m"), "\"m\"", 1, 1,
	    lower_name, "a word", &e), -LICD_E_TOO_LARGE);
	assert_int_equal(js_map(json_object_get(j, "m2"), "\"m2\"", 1, 4,
	    lower_name, "a word", &e), -LICD_E_PAYLOAD);
	assert_string_equal(e.msg, "field \"m2\": must not be empty");
	assert_int_equal(js_map(json_object_get(j, "m2"), "\"m2\"", 0, 4,
	    lower_name, "a word", &e), 0);
	assert_int_equal(js_map(json_object_get(j, "a"), "\"a\"", 0, 4,
	    lower_name, "a word", &e), -LICD_E_PAYLOAD);
	assert_string_equal(e.msg, "field \"a\": expected an object");
	json_decref(j);
}

/* Getters on a missing member (NULL) fail like a wrong type. */
static void
getters_on_null(void **state)
{
	char s[8];
	uint64_t u;
	int64_t t;
	struct lerr e;

	(void)state;
	assert_int_equal(js_text(NULL, "\"x\"", 0, s, sizeof(s), &e),
	    -LICD_E_PAYLOAD);
	assert_int_equal(js_str(NULL, "\"x\"", lower_name, "w", s, sizeof(s),
	    &e), -LICD_E_PAYLOAD);
	assert_int_equal(js_uint(NULL, "\"x\"", 0, 1, &u, &e), -LICD_E_PAYLOAD);
	assert_int_equal(js_time(NULL, "\"x\"", &t, &e), -LICD_E_PAYLOAD);
	assert_int_equal(js_dur(NULL, "\"x\"", 0, &t, &e), -LICD_E_PAYLOAD);
	assert_int_equal(js_array(NULL, "\"x\"", 0, 1, &e), -LICD_E_PAYLOAD);
	assert_int_equal(js_map(NULL, "\"x\"", 0, 1, lower_name, "w", &e),
	    -LICD_E_PAYLOAD);
	assert_int_equal(js_err(&e, LICD_E_PAYLOAD, "", "bad %d", 1),
	    -LICD_E_PAYLOAD);
	assert_string_equal(e.msg, "message: bad 1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_uses_len),
		cmocka_unit_test(paths),
		cmocka_unit_test(text_validity),
		cmocka_unit_test(fields_decode),
		cmocka_unit_test(fields_reject),
		cmocka_unit_test(fields_not_object),
		cmocka_unit_test(fields_bad_schema),
		cmocka_unit_test(names_and_maps),
		cmocka_unit_test(getters_on_null),
	};
	int r;

	r = run_parse_cases();
	r |= cmocka_run_group_tests_name("json helpers", tests, NULL, NULL);
	return r != 0;
}
