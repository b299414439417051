/* SPDX-License-Identifier: MIT */
/* The one strict JSON reader for signed messages, and the schema helpers
 * the payload decoders share, so every field error reads the same way. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "ltime.h"

int
js_err(struct lerr *e, int code, const char *path, const char *fmt, ...)
{
	char what[LERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (path[0] == '\0')
		return lerr_set(e, code, "message: %s", what);
	return lerr_set(e, code, "field %s: %s", path, what);
}

/* ---- lexical pre-scan --------------------------------------------------- */

/* Skip a string starting at msg[*i] == '"'; leaves *i after the closing
 * quote (or at len: jansson reports the unterminated string). */
static void
skip_string(const uint8_t *msg, size_t len, size_t *i)
{
	size_t j = *i + 1;

	while (j < len && msg[j] != '"')
		j += (msg[j] == '\\') ? 2 : 1;
	*i = j < len ? j + 1 : len;
}

/* Check the number token at msg[*i] (a '-' or a digit); *i moves past it. */
static int
scan_number(const uint8_t *msg, size_t len, size_t *i, struct lerr *e)
{
	size_t start = *i, j = *i;

	if (msg[j] == '-')
		return lerr_set(e, LICD_E_PAYLOAD, "JSON: number at byte %zu: "
		    "a sign is not allowed", start);
	while (j < len && msg[j] >= '0' && msg[j] <= '9')
		j++;
	if (j < len && (msg[j] == '.' || msg[j] == 'e' || msg[j] == 'E'))
		return lerr_set(e, LICD_E_PAYLOAD, "JSON: number at byte %zu: "
		    "a fraction or exponent is not allowed", start);
	if (msg[start] == '0' && j - start > 1)
		return lerr_set(e, LICD_E_PAYLOAD, "JSON: number at byte %zu: "
		    "a leading zero is not allowed", start);
	if (j - start > JS_MAX_DIGITS)
		return lerr_set(e, LICD_E_PAYLOAD, "JSON: number at byte %zu: "
		    "more than %d digits", start, JS_MAX_DIGITS);
	*i = j;
	return 0;
}

/*
 * What jansson cannot be told to refuse: signs, fractions, exponents,
 * leading zeros and long numbers, plus NUL bytes (so msg_len is the whole
 * story) and deep nesting (jansson's own limit is 2048).
 */
static int
prescan(const uint8_t *msg, size_t len, struct lerr *e)
{
	size_t i = 0, depth = 0;
	int r;

	if (msg == NULL || len == 0)
		return lerr_set(e, LICD_E_PAYLOAD, "JSON: empty message");
	if (memchr(msg, '\0', len) != NULL)
		return lerr_set(e, LICD_E_PAYLOAD, "JSON: NUL byte at byte %zu",
		    (size_t)((const uint8_t *)memchr(msg, '\0', len) - msg));
	while (i < len) {
		uint8_t c = msg[i];

		if (c == '"') {
			skip_string(msg, len, &i);
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			if ((r = scan_number(msg, len, &i, e)) != 0)
				return r;
		} else {
			if ((c == '{' || c == '[') && ++depth > JS_MAX_DEPTH)
				return lerr_set(e, LICD_E_PAYLOAD, "JSON: "
				    "nested deeper than %d at byte %zu",
				    JS_MAX_DEPTH, i);
			if ((c == '}' || c == ']') && depth > 0)
				depth--;
			i++;
		}
	}
	return 0;
}

/* ---- parse -------------------------------------------------------------- */

/* Bytes of input quoted by jansson may be anything: keep messages to
 * printable ASCII so they are safe in logs and in JSON output. */
static void
printable(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

/* jansson's error as ours; a duplicate key names the key. */
static int
jansson_err(const json_error_t *je, struct lerr *e)
{
	char text[JSON_ERROR_TEXT_LENGTH];
	const char *near;
	size_t n;

	if (json_error_code(je) == json_error_out_of_memory)
		return lerr_set(e, LICD_E_NOMEM, "JSON: out of memory");
	snprintf(text, sizeof(text), "%s", je->text);
	printable(text);
	if (json_error_code(je) == json_error_duplicate_key &&
	    (near = strstr(text, "near '")) != NULL) {
		near += strlen("near '");
		n = strlen(near);
		if (n > 0 && near[n - 1] == '\'')
			n--;
		return lerr_set(e, LICD_E_PAYLOAD, "JSON: duplicate key %.*s",
		    (int)n, near);
	}
	return lerr_set(e, LICD_E_PAYLOAD, "JSON: %s at byte %d", text,
	    je->position);
}

/* Integers above 2^53-1 anywhere in the tree (depth already bounded). */
static int
check_ints(const json_t *v, const char *path, struct lerr *e)
{
	char sub[JS_PATH_MAX];
	const char *k;
	json_t *x;
	size_t i;
	int r;

	if (json_is_integer(v) && (json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > JS_MAX_INT))
		return js_err(e, LICD_E_PAYLOAD, path,
		    "integer above 2^53-1");
	json_object_foreach((json_t *)v, k, x)
		if ((r = check_ints(x, js_path_key(sub, path, k), e)) != 0)
			return r;
	json_array_foreach(v, i, x)
		if ((r = check_ints(x, js_path_idx(sub, path, i), e)) != 0)
			return r;
	return 0;
}

int
js_parse(const uint8_t *msg, size_t len, json_t **out, struct lerr *e)
{
	json_error_t je;
	json_t *j = NULL;
	int r;

	*out = NULL;
	if ((r = prescan(msg, len, e)) != 0)
		goto out;
	/* no JSON_ALLOW_NUL (\u0000), no JSON_DECODE_ANY, EOF check on */
	if ((j = json_loadb((const char *)msg, len, JSON_REJECT_DUPLICATES,
	    &je)) == NULL) {
		r = jansson_err(&je, e);
		goto out;
	}
	if (!json_is_object(j)) {
		r = lerr_set(e, LICD_E_PAYLOAD, "JSON: the message must be an "
		    "object");
		goto out;
	}
	if ((r = check_ints(j, "", e)) != 0)
		goto out;
	*out = j;
	j = NULL;
	r = 0;
 out:
	json_decref(j);
	return r;
}

/* ---- paths -------------------------------------------------------------- */

const char *
js_path_key(char out[JS_PATH_MAX], const char *parent, const char *key)
{
	int m;
	size_t n;

	m = snprintf(out, JS_PATH_MAX, "%s%s\"", parent,
	    parent[0] != '\0' ? "." : "");
	n = m < 0 ? 0 : (size_t)m;
	if (n + 2 > JS_PATH_MAX)
		return out;	/* parent alone fills it: truncated */
	for (; *key != '\0' && n + 2 < JS_PATH_MAX; key++, n++) {
		unsigned char c = (unsigned char)*key;

		out[n] = (c < 0x20 || c > 0x7e || c == '"' || c == '\\') ?
		    '?' : (char)c;
	}
	out[n++] = '"';
	out[n] = '\0';
	return out;
}

const char *
js_path_idx(char out[JS_PATH_MAX], const char *parent, size_t i)
{
	snprintf(out, JS_PATH_MAX, "%s[%zu]", parent, i);
	return out;
}

/* ---- text --------------------------------------------------------------- */

/* 1 when the UTF-8 sequence at s is a control or bidi character. */
static int
is_control(const unsigned char *s, size_t left)
{
	if (s[0] < 0x20 || s[0] == 0x7f)
		return 1;
	if (s[0] == 0xc2 && left >= 2 && s[1] >= 0x80 && s[1] <= 0x9f)
		return 1;	/* C1 */
	if (s[0] != 0xe2 || left < 3)
		return 0;
	if (s[1] == 0x80)	/* U+200E/F, U+2028/9, U+202A..E */
		return s[2] == 0x8e || s[2] == 0x8f ||
		    (s[2] >= 0xa8 && s[2] <= 0xae);
	return s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9;	/* U+2066..9 */
}

int
js_text_valid(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (is_control((const unsigned char *)s + i, len - i))
			return 0;
	return 1;
}

/* ---- getters ------------------------------------------------------------ */

int
js_text(const json_t *v, const char *path, size_t min, char *out,
    size_t cap, struct lerr *e)
{
	const char *s;
	size_t n;

	if (!json_is_string(v))
		return js_err(e, LICD_E_PAYLOAD, path, "expected a string");
	s = json_string_value(v);
	n = json_string_length(v);
	if (n >= cap)
		return js_err(e, LICD_E_PAYLOAD, path,
		    "longer than %zu bytes", cap - 1);
	if (n < min && min == 1)
		return js_err(e, LICD_E_PAYLOAD, path, "must not be empty");
	if (n < min)
		return js_err(e, LICD_E_PAYLOAD, path,
		    "shorter than %zu bytes", min);
	if (!js_text_valid(s, n))
		return js_err(e, LICD_E_PAYLOAD, path,
		    "control characters are not allowed");
	memcpy(out, s, n + 1);
	return 0;
}

int
js_str(const json_t *v, const char *path, js_valid_fn valid,
    const char *expect, char *out, size_t cap, struct lerr *e)
{
	const char *s;
	size_t n;

	/* valid() bounds the length itself: a long string is just invalid */
	if (!json_is_string(v) || !valid(json_string_value(v),
	    json_string_length(v)))
		return js_err(e, LICD_E_PAYLOAD, path, "expected %s", expect);
	s = json_string_value(v);
	n = json_string_length(v);
	if (n >= cap)
		return js_err(e, LICD_E_PAYLOAD, path,
		    "longer than %zu bytes", cap - 1);
	memcpy(out, s, n + 1);
	return 0;
}

int
js_uint(const json_t *v, const char *path, uint64_t min, uint64_t max,
    uint64_t *out, struct lerr *e)
{
	json_int_t x;

	if (!json_is_integer(v))
		return js_err(e, LICD_E_PAYLOAD, path,
		    "expected an integer");
	x = json_integer_value(v);
	if (x < 0 || (uint64_t)x < min)
		return js_err(e, LICD_E_PAYLOAD, path,
		    "must be at least %llu", (unsigned long long)min);
	if ((uint64_t)x > max)
		return js_err(e, LICD_E_PAYLOAD, path,
		    "must be at most %llu", (unsigned long long)max);
	*out = (uint64_t)x;
	return 0;
}

int
js_time(const json_t *v, const char *path, int64_t *out, struct lerr *e)
{
	if (!json_is_string(v) || ltime_parse(json_string_value(v),
	    json_string_length(v), out) != 0)
		return js_err(e, LICD_E_PAYLOAD, path, "expected RFC 3339 "
		    "time ending in Z (YYYY-MM-DDTHH:MM:SSZ, a real date, "
		    "years 1970..9999)");
	return 0;
}

int
js_dur(const json_t *v, const char *path, int64_t min, int64_t *out,
    struct lerr *e)
{
	if (!json_is_string(v) || ldur_parse(json_string_value(v),
	    json_string_length(v), out) != 0)
		return js_err(e, LICD_E_PAYLOAD, path, "expected a duration "
		    "matching ^(0|[1-9][0-9]{0,8})[smhd]$");
	if (*out < min && min == 1)
		return js_err(e, LICD_E_PAYLOAD, path,
		    "must be greater than 0");
	if (*out < min)
		return js_err(e, LICD_E_PAYLOAD, path,
		    "must be at least %llds", (long long)min);
	return 0;
}

/* ---- containers --------------------------------------------------------- */

static int
check_count(size_t n, const char *path, size_t min, size_t max,
    struct lerr *e)
{
	if (n > max)
		return js_err(e, LICD_E_TOO_LARGE, path,
		    "more than %zu entries", max);
	if (n < min && min == 1)
		return js_err(e, LICD_E_PAYLOAD, path, "must not be empty");
	if (n < min)
		return js_err(e, LICD_E_PAYLOAD, path,
		    "fewer than %zu entries", min);
	return 0;
}

int
js_array(const json_t *v, const char *path, size_t min, size_t max,
    struct lerr *e)
{
	if (!json_is_array(v))
		return js_err(e, LICD_E_PAYLOAD, path, "expected an array");
	return check_count(json_array_size(v), path, min, max, e);
}

int
js_names(const json_t *v, const char *path, size_t min, size_t max,
    js_valid_fn valid, const char *expect, char *out, size_t stride,
    size_t *n, struct lerr *e)
{
	char sub[JS_PATH_MAX];
	size_t i, j;
	int r;

	*n = 0;
	if ((r = js_array(v, path, min, max, e)) != 0)
		return r;
	for (i = 0; i < json_array_size(v); i++) {
		js_path_idx(sub, path, i);
		if ((r = js_str(json_array_get(v, i), sub, valid, expect,
		    out + i * stride, stride, e)) != 0)
			return r;
		for (j = 0; j < i; j++)
			if (strcmp(out + i * stride, out + j * stride) == 0)
				return js_err(e, LICD_E_PAYLOAD, sub,
				    "duplicate \"%s\"", out + i * stride);
		*n = i + 1;
	}
	return 0;
}

int
js_map(const json_t *v, const char *path, size_t min, size_t max,
    js_valid_fn valid, const char *expect, struct lerr *e)
{
	char shown[JS_PATH_MAX];
	const char *k;
	json_t *x;
	int r;

	if (!json_is_object(v))
		return js_err(e, LICD_E_PAYLOAD, path, "expected an object");
	if ((r = check_count(json_object_size(v), path, min, max, e)) != 0)
		return r;
	json_object_foreach((json_t *)v, k, x)
		if (!valid(k, strlen(k)))
			return js_err(e, LICD_E_PAYLOAD, path,
			    "key %s: expected %s", js_path_key(shown, "", k),
			    expect);
	return 0;
}

/* ---- objects ------------------------------------------------------------ */

static const struct js_field *
find_field(const struct js_field *f, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return &f[i];
	return NULL;
}

/* Only the listed keys, and every required one. */
static int
check_keys(const json_t *v, const char *path, const struct js_field *f,
    size_t n, struct lerr *e)
{
	char sub[JS_PATH_MAX];
	const char *k;
	json_t *x;
	size_t i;

	json_object_foreach((json_t *)v, k, x)
		if (find_field(f, n, k) == NULL)
			return lerr_set(e, LICD_E_PAYLOAD, "unknown field %s",
			    js_path_key(sub, path, k));
	for (i = 0; i < n; i++)
		if (!f[i].optional && json_object_get(v, f[i].name) == NULL)
			return lerr_set(e, LICD_E_PAYLOAD, "missing field %s",
			    js_path_key(sub, path, f[i].name));
	return 0;
}

/* The destination size each kind writes (0: any non-zero size). */
static size_t
kind_size(enum js_kind k)
{
	switch (k) {
	case JS_U64:
		return sizeof(uint64_t);
	case JS_U32:
		return sizeof(uint32_t);
	case JS_TIME:
	case JS_DUR:
		return sizeof(int64_t);
	default:
		return 0;
	}
}

static int
decode_field(const json_t *x, const char *path, const struct js_field *f,
    void *out, struct lerr *e)
{
	char *dst;
	uint64_t u;
	int r;

	if (f->kind == JS_SKIP)
		return 0;
	if (out == NULL || f->cap == 0 ||
	    (kind_size(f->kind) != 0 && f->cap != kind_size(f->kind)))
		return lerr_set(e, LICD_E_INTERNAL, "field %s: bad schema",
		    path);
	dst = (char *)out + f->off;
	switch (f->kind) {
	case JS_TEXT:
		return js_text(x, path, f->min, dst, f->cap, e);
	case JS_STR:
		return js_str(x, path, f->valid, f->expect, dst, f->cap, e);
	case JS_U64:
		return js_uint(x, path, f->min, JS_MAX_INT, (uint64_t *)dst, e);
	case JS_U32:
		if ((r = js_uint(x, path, f->min, UINT32_MAX, &u, e)) == 0)
			*(uint32_t *)dst = (uint32_t)u;
		return r;
	case JS_TIME:
		return js_time(x, path, (int64_t *)dst, e);
	case JS_DUR:
		return js_dur(x, path, (int64_t)f->min, (int64_t *)dst, e);
	case JS_SKIP:
		break;
	}
	return lerr_set(e, LICD_E_INTERNAL, "field %s: bad schema", path);
}

int
js_fields(const json_t *v, const char *path, const struct js_field *f,
    size_t n, void *out, struct lerr *e)
{
	char sub[JS_PATH_MAX];
	const json_t *x;
	size_t i;
	int r;

	if (!json_is_object(v))
		return js_err(e, LICD_E_PAYLOAD, path, "expected an object");
	if ((r = check_keys(v, path, f, n, e)) != 0)
		return r;
	for (i = 0; i < n; i++) {
		if ((x = json_object_get(v, f[i].name)) == NULL)
			continue;
		js_path_key(sub, path, f[i].name);
		if ((r = decode_field(x, sub, &f[i], out, e)) != 0)
			return r;
	}
	return 0;
}
