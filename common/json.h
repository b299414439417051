/* SPDX-License-Identifier: MIT */
/* Strict JSON for token messages (DESIGN 3.1) and the table-driven schema
 * helpers that every payload decoder is built from. */
#ifndef LICD_JSON_H
#define LICD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "lerr.h"

#define JS_MAX_DEPTH	8	/* nested objects and arrays; the top is 1 */
#define JS_MAX_DIGITS	16	/* digits of one integer token */
#define JS_MAX_INT	9007199254740991ULL	/* 2^53 - 1 */
#define JS_PATH_MAX	192	/* a field path in messages (truncated) */

/*
 * Parse a token message: msg (len bytes, need not be NUL-terminated) must be
 * one JSON object and nothing else. Before jansson sees it, a lexical scan
 * rejects NUL bytes, nesting deeper than JS_MAX_DEPTH and every number
 * token that is not plain digits (no sign, fraction, exponent or leading
 * zero; at most JS_MAX_DIGITS digits). jansson then rejects duplicate keys,
 * \u0000, lone surrogates, invalid UTF-8 and trailing bytes; afterwards
 * integers above 2^53-1 are rejected. On success *out holds a new reference
 * (json_decref() it); on failure *out is NULL.
 * Errors: LICD_E_PAYLOAD ("JSON: ..." or `duplicate key "lid"`),
 * LICD_E_NOMEM.
 */
int js_parse(const uint8_t *msg, size_t len, json_t **out, struct lerr *e);

/*
 * Field paths for messages, as `"end_user"."country"` or
 * `"freshness"."ladder"[1]."keep"`. parent is "" at the top level. Bytes of
 * key outside printable ASCII (and '"', '\\') are shown as '?'. The result
 * is truncated to JS_PATH_MAX - 1 bytes; out must not overlap parent.
 * Both return out.
 */
const char *js_path_key(char out[JS_PATH_MAX], const char *parent,
    const char *key);
const char *js_path_idx(char out[JS_PATH_MAX], const char *parent, size_t i);

/* Record "field <path>: <what>" (or "message: <what>" for path "") with
 * code (LICD_E_PAYLOAD, ...) and return -code, like lerr_set(). */
int js_err(struct lerr *e, int code, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* 1 when s has no control characters (C0, DEL, C1, U+2028/9, bidi
 * controls U+200E/F, U+202A..E, U+2066..9); s must be valid UTF-8. */
int js_text_valid(const char *s, size_t len);

/* A predicate on a string (alphabet or shape): 1 when s is acceptable. */
typedef int (*js_valid_fn)(const char *s, size_t len);

/* What one field of an object holds and where it is decoded to. */
enum js_kind {
	JS_SKIP = 0,	/* decoded by the caller; js_fields() checks presence */
	JS_TEXT,	/* string of min..cap-1 bytes, js_text_valid()
			 * -> char[cap] */
	JS_STR,		/* string accepted by valid() -> char[cap] */
	JS_U64,		/* integer min..2^53-1 -> uint64_t */
	JS_U32,		/* integer min..UINT32_MAX -> uint32_t */
	JS_TIME,	/* RFC 3339 UTC time (ltime_parse) -> int64_t */
	JS_DUR,		/* duration (ldur_parse), >= min seconds -> int64_t */
};

/* offsetof() and size of a member, for the off and cap of a js_field. */
#define JS_MEMBER(type, m)	offsetof(type, m), sizeof(((type *)0)->m)

struct js_field {
	const char *name;
	enum js_kind kind;
	bool optional;		/* absent: destination left as it was */
	size_t off;		/* offsetof() the destination in the output */
	size_t cap;		/* size of the destination (checked) */
	uint64_t min;		/* JS_TEXT: min length;
				 * JS_U64, JS_U32, JS_DUR: min value */
	js_valid_fn valid;	/* JS_STR */
	const char *expect;	/* JS_STR: what valid() wants, for messages */
};

/*
 * Check that v (at path) is an object whose keys are exactly among the n
 * fields of f, with every non-optional one present, then decode every
 * present field that is not JS_SKIP into out + f[i].off (out may be NULL
 * when every field is JS_SKIP).
 * Messages: `field "end_user": expected an object`, `unknown field "foo"`,
 * `missing field "end_user"."country"`, and those of the getters below.
 * Errors: LICD_E_PAYLOAD.
 */
int js_fields(const json_t *v, const char *path, const struct js_field *f,
    size_t n, void *out, struct lerr *e);

/*
 * Typed getters: v is the value at path (NULL counts as missing). Strings
 * are copied NUL-terminated into out (cap bytes). Errors: LICD_E_PAYLOAD.
 */
int js_text(const json_t *v, const char *path, size_t min, char *out,
    size_t cap, struct lerr *e);
int js_str(const json_t *v, const char *path, js_valid_fn valid,
    const char *expect, char *out, size_t cap, struct lerr *e);
int js_uint(const json_t *v, const char *path, uint64_t min, uint64_t max,
    uint64_t *out, struct lerr *e);
int js_time(const json_t *v, const char *path, int64_t *out,
    struct lerr *e);
int js_dur(const json_t *v, const char *path, int64_t min, int64_t *out,
    struct lerr *e);

/*
 * An array of min..max elements. Errors: LICD_E_PAYLOAD (not an array,
 * too few), LICD_E_TOO_LARGE (more than max: `field "usage": more than 256
 * entries`).
 */
int js_array(const json_t *v, const char *path, size_t min, size_t max,
    struct lerr *e);

/*
 * An array of min..max distinct strings accepted by valid(), copied into
 * out[i * stride] (each stride bytes) with the count in *n. Messages:
 * `field "purposes"[1]: duplicate "terrorism"`. Errors as js_array().
 */
int js_names(const json_t *v, const char *path, size_t min, size_t max,
    js_valid_fn valid, const char *expect, char *out, size_t stride,
    size_t *n, struct lerr *e);

/*
 * An object used as a map: min..max entries whose keys are accepted by
 * valid(); the caller then walks it with json_object_foreach(). Messages:
 * `field "features": key "Bad": expected <expect>`. Errors as js_array().
 */
int js_map(const json_t *v, const char *path, size_t min, size_t max,
    js_valid_fn valid, const char *expect, struct lerr *e);

#endif
