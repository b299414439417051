/* SPDX-License-Identifier: MIT */
/* Decoded payloads of every document type (DESIGN 3.4), as fixed-size
 * structs: decoding allocates nothing that outlives the call, and the
 * policy function can work on them without allocating. */
#ifndef LICD_PAYLOAD_H
#define LICD_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lerr.h"
#include "paserk.h"
#include "tok.h"

/* Bounds on what a document may carry (doc/PROTOCOL.md, "Limits"). */
#define PL_NAME_MAX		64	/* product, feature, purpose id */
#define PL_LID_MAX		64
#define PL_TEXT_MAX		256	/* vendor, agency, key name, ref */
#define PL_REASON_MAX		512
#define PL_MAX_ROOT_KEYS	64
#define PL_MAX_ROLE_KEYS	16
#define PL_MAX_FEATURES		64
#define PL_MAX_PURPOSES		16
#define PL_MAX_LADDER		8
#define PL_DECL_LEN		71	/* "sha256:" + 64 lower-case hex */
#define PL_AUDIT_LEN		71	/* "sha256:" + 64 lower-case hex */
#define PL_HOSTID_MAX		64	/* machine_id, product_uuid */
#define PL_EVENT_MAX		32
#define PL_MAX_USAGE		256	/* report rows */
#define PL_MAX_INT		9007199254740991ULL	/* 2^53 - 1 */

enum doc_type {
	DOC_ROOT = 0,
	DOC_LICENCE,
	DOC_ORDER,
	DOC_STATUS,
	DOC_RECEIPT,
	DOC_REQUEST,
	DOC_CHECKPOINT,
	DOC_REPORT,
	DOC__COUNT,
	DOC_ANY = -1		/* for parsers: accept whatever typ says */
};

/* "root", "licence", ... (the footer typ); NULL for an invalid value. */
const char *doc_type_name(enum doc_type t);
/* Inverse of doc_type_name(); -1 when unknown. */
int doc_type_from_name(const char *s, size_t len);

/* Roles of a root; a document type maps to the role that signs it. */
enum role_id {
	ROLE_ROOT = 0,
	ROLE_LICENCE,
	ROLE_ORDER,
	ROLE_STATUS,
	ROLE__COUNT
};

struct root_key {
	paserk_kid kid;
	uint8_t pk[TOK_PK_LEN];
	char name[PL_TEXT_MAX + 1];
};

struct role {
	size_t nkeys;
	uint8_t key[PL_MAX_ROLE_KEYS];	/* indexes into root.keys */
	uint32_t threshold;
};

struct root {
	uint64_t ver;
	int64_t iat, exp;
	size_t nkeys;
	struct root_key keys[PL_MAX_ROOT_KEYS];
	struct role roles[ROLE__COUNT];
};

struct feature {
	char name[PL_NAME_MAX + 1];
	uint32_t max_concurrent;	/* 0: unlimited */
};

enum lstate {			/* most restrictive first (DESIGN 4.1) */
	LSTATE_INVALID = 0,
	LSTATE_EXPIRED,
	LSTATE_REVOKED,
	LSTATE_SUSPENDED,
	LSTATE_RESTRICTED,
	LSTATE_ACTIVE,
	LSTATE__COUNT
};
const char *lstate_name(enum lstate s);

struct ladder_step {
	int64_t after;			/* seconds */
	enum lstate state;		/* LSTATE_RESTRICTED or LSTATE_SUSPENDED */
	size_t nkeep;
	char keep[PL_MAX_FEATURES][PL_NAME_MAX + 1];
};

struct licence {
	char lid[PL_LID_MAX + 1];
	uint64_t ver;
	int64_t iat, nbf, exp;
	char vendor[PL_TEXT_MAX + 1];
	char product[PL_NAME_MAX + 1];
	char country[3];
	char agency[PL_TEXT_MAX + 1];
	char declaration[PL_DECL_LEN + 1];
	paserk_kid device;
	size_t npurposes;
	char purposes[PL_MAX_PURPOSES][PL_NAME_MAX + 1];
	size_t nfeatures;
	struct feature features[PL_MAX_FEATURES];
	int64_t max_age;		/* seconds */
	size_t nladder;
	struct ladder_step ladder[PL_MAX_LADDER];
};

enum order_action {
	ACT_RESTRICT = 0,
	ACT_SUSPEND,
	ACT_REVOKE,
	ACT_REINSTATE,
	ACT__COUNT
};
const char *order_action_name(enum order_action a);

struct order {
	char lid[PL_LID_MAX + 1];
	uint64_t seq;			/* >= 1 */
	int64_t iat;
	int64_t nbf;			/* = iat when absent */
	bool has_nbf;
	enum order_action action;
	bool has_keep, has_purposes, has_limits;	/* restrict only */
	size_t nkeep;
	char keep[PL_MAX_FEATURES][PL_NAME_MAX + 1];
	size_t npurposes;
	char purposes[PL_MAX_PURPOSES][PL_NAME_MAX + 1];
	size_t nlimits;
	struct feature limits[PL_MAX_FEATURES];	/* max_concurrent >= 1 */
	char reason[PL_REASON_MAX + 1];
	char ref[PL_TEXT_MAX + 1];
};

struct status {
	char lid[PL_LID_MAX + 1];
	paserk_kid device;
	int64_t iat, exp;
	uint64_t seq;			/* 0 when no order issued */
};

struct receipt {
	paserk_kid device;
	char lid[PL_LID_MAX + 1];	/* "" for device-wide events (root) */
	int64_t iat;
	char event[PL_EVENT_MAX + 1];	/* e.g. "order-applied" */
	uint64_t seq;
	enum lstate state;
	char audit[PL_AUDIT_LEN + 1];
};

struct request {
	paserk_kid device;
	uint8_t key[TOK_PK_LEN];	/* its k4.public, checked against device */
	int64_t iat;
	char machine_id[PL_HOSTID_MAX + 1];
	char product_uuid[PL_HOSTID_MAX + 1];
};

struct checkpoint {
	paserk_kid device;
	int64_t iat;
	uint64_t lines;			/* audit log lines covered */
	char audit[PL_AUDIT_LEN + 1];	/* hash of the last covered line */
};

struct usage_row {
	char product[PL_NAME_MAX + 1];
	char feature[PL_NAME_MAX + 1];
	char purpose[PL_NAME_MAX + 1];
	uint64_t count;
};

struct report {
	paserk_kid device;
	char lid[PL_LID_MAX + 1];
	int64_t iat, from, to;		/* from <= to <= iat */
	char audit[PL_AUDIT_LEN + 1];
	size_t nusage;
	struct usage_row usage[PL_MAX_USAGE];
};

/*
 * Strict decoders (DESIGN 3.1, 3.4): msg is the verified message of a
 * token (msg_len bytes, need not be NUL-terminated). Each rejects duplicate
 * keys, unknown keys, missing required keys, wrong types, NUL bytes, lone
 * surrogates, numbers that are not plain digits or exceed 2^53-1, bad
 * times and durations, names outside their alphabets, and the type's own
 * rules. Errors: LICD_E_PAYLOAD (LICD_E_TOO_LARGE for a list over its
 * bound), with a message naming the field: `field "exp": expected RFC 3339
 * time ending in Z`. The output struct is zeroed first and is undefined on
 * failure. Structs are large: allocate them, do not put many on a stack.
 */
int pl_decode_root(const uint8_t *msg, size_t len, struct root *out,
    struct lerr *e);
int pl_decode_licence(const uint8_t *msg, size_t len, struct licence *out,
    struct lerr *e);
int pl_decode_order(const uint8_t *msg, size_t len, struct order *out,
    struct lerr *e);
int pl_decode_status(const uint8_t *msg, size_t len, struct status *out,
    struct lerr *e);
int pl_decode_receipt(const uint8_t *msg, size_t len, struct receipt *out,
    struct lerr *e);
int pl_decode_request(const uint8_t *msg, size_t len, struct request *out,
    struct lerr *e);
int pl_decode_checkpoint(const uint8_t *msg, size_t len,
    struct checkpoint *out, struct lerr *e);
int pl_decode_report(const uint8_t *msg, size_t len, struct report *out,
    struct lerr *e);

/*
 * Validate msg as a payload of type t without keeping the result (used by
 * `licissue sign` and `verify`). Same errors as the decoders.
 */
int pl_validate(enum doc_type t, const uint8_t *msg, size_t len,
    struct lerr *e);

/* Name checks (DESIGN 3.4): 1 when s matches, else 0. */
int pl_name_valid(const char *s, size_t len);	/* [a-z0-9][a-z0-9._-]{0,63} */
int pl_lid_valid(const char *s, size_t len);	/* [A-Za-z0-9._-]{1,64} */
/* "sha256:" followed by 64 lower-case hex digits (declaration, audit). */
int pl_sha256_valid(const char *s, size_t len);
/* One of the receipt events of doc/PROTOCOL.md: root-applied,
 * licence-applied, order-applied, order-pending, status-applied,
 * state-changed. */
int pl_event_valid(const char *s, size_t len);

/* Inverses of lstate_name() and order_action_name(); -1 when unknown. */
int lstate_from_name(const char *s, size_t len);
int order_action_from_name(const char *s, size_t len);

/* Index of the key with this kid in r->keys, or -1. */
int root_key_index(const struct root *r, const char *kid);

#endif
