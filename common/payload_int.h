/* SPDX-License-Identifier: MIT */
/* Pieces shared by the payload decoders (common/payload*.c); not part of
 * the interface of libcommon: use payload.h. */
#ifndef LICD_PAYLOAD_INT_H
#define LICD_PAYLOAD_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "payload.h"

/* What the alphabets want, as messages say it. */
#define PL_NAME_EXPECT	"a name matching [a-z0-9][a-z0-9._-]{0,63}"
#define PL_PRODUCT_EXPECT "a product name matching [a-z0-9][a-z0-9._-]{0,63}"
#define PL_FEATURE_EXPECT "a feature name matching [a-z0-9][a-z0-9._-]{0,63}"
#define PL_PURPOSE_EXPECT "a purpose id matching [a-z0-9][a-z0-9._-]{0,63}"
#define PL_LID_EXPECT	"a licence id matching [A-Za-z0-9._-]{1,64}"
#define PL_PID_EXPECT	"a key id k4.pid.<44 base64url characters>"
#define PL_SHA256_EXPECT "\"sha256:\" and 64 lower-case hex digits"

#define PL_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* A field of struct `type` decoded into member m (see struct js_field). */
#define PL_FIELD(type, name, kind, optional, m, min, valid, expect) \
	{ name, kind, optional, JS_MEMBER(type, m), min, valid, expect }
/* A field the decoder handles itself. */
#define PL_SKIP(name, optional) \
	{ name, JS_SKIP, optional, 0, 0, 0, NULL, NULL }

/*
 * Parse msg strictly (js_parse()) and decode the top-level fields of f
 * into out. On success *top holds the tree for the caller's JS_SKIP
 * fields (json_decref() it); on failure *top is NULL.
 */
int pl_parse(const uint8_t *msg, size_t len, const struct js_field *f,
    size_t n, void *out, json_t **top, struct lerr *e);

/*
 * A map of feature name -> {"max_concurrent": n >= 1} with min..max
 * entries (licence "features", order "limits"). need_limit makes
 * max_concurrent required (limits); otherwise absent means unlimited (0).
 */
int pl_features(const json_t *v, const char *path, size_t min, size_t max,
    bool need_limit, struct feature *out, size_t *n, struct lerr *e);

/* 1 when all len bytes of s are 0-9 or a-f. */
int pl_hex_lower(const char *s, size_t len);

/* "field <path>: must be after \"<name>\"" unless later > earlier
 * (later >= earlier when equal_ok). */
int pl_after(int64_t later, int64_t earlier, bool equal_ok,
    const char *path, const char *name, struct lerr *e);

#endif
