/* SPDX-License-Identifier: MIT */
/* The decision function (DESIGN 4): what a device holding a set of signed
 * documents may do at a given time, and whether a new document is taken. */
#ifndef LICD_POLICY_H
#define LICD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "lerr.h"
#include "payload.h"

/*
 * Bounds (doc/POLICY.md, "Bounds"). Everything is held in fixed arrays
 * inside struct pol_state, which the caller allocates (it is about 3.3 MB:
 * allocate it, never put it on a stack) and initialises with
 * pol_state_init(). A document that would exceed a bound is rejected with
 * LICD_E_LIMIT and changes nothing; a revoke order never needs room.
 */
#define POL_MAX_LIDS		16	/* lids stored on one device, revoked ones included */
#define POL_MAX_VERS		3	/* licence vers held per lid: in effect + pending */
#define POL_MAX_SEEN_VERS	16	/* (ver, hash) remembered per lid for no-op/equivocation */
#define POL_MAX_HELD		128	/* order records per lid (seq, hash, action, times, ref) */
#define POL_MAX_BODIES		4	/* restrict orders per lid that can still take effect */
#define POL_MAX_NAMED		16	/* status seq increases remembered per lid */
#define POL_MAX_LOCAL		64	/* features disabled by local configuration */
#define POL_MAX_TAXONOMY	64	/* purposes in purposes.conf */
#define POL_MAX_REVOKED_PRODUCTS (POL_MAX_LIDS * POL_MAX_VERS)

#define POL_CLOCK_SKEW		300	/* seconds: DESIGN 4.2 */
#define POL_NEVER		INT64_MAX	/* next_change when nothing changes */

/* ---- purposes.conf (policy/purposes.c) ---- */

#define POL_PURPOSE_TITLE_MAX	128
#define POL_PURPOSE_DEF_MAX	1024

struct pol_purpose {
	char id[PL_NAME_MAX + 1];
	char title[POL_PURPOSE_TITLE_MAX + 1];
	char definition[POL_PURPOSE_DEF_MAX + 1];
};

struct pol_purposes {
	size_t n;
	struct pol_purpose p[POL_MAX_TAXONOMY];
};

/*
 * Load and strictly validate a purposes.conf (libconfig):
 *   version = 1;
 *   purposes = ( { id = "..."; title = "..."; definition = "..."; }, ... );
 * Unknown or missing keys, wrong types, a bad or duplicate id, an empty or
 * too long title or definition are errors "FILE:LINE: message"
 * (LICD_E_CONFIG); an unreadable file is "FILE:0: message".
 * The only function of policy/ that reads a file.
 */
int pol_purposes_load(const char *path, struct pol_purposes *out,
    struct lerr *e);

/* The entry with this id, or NULL (exact, case-sensitive match). */
const struct pol_purpose *pol_purpose_find(const struct pol_purposes *p,
    const char *id);

/* ---- the state ---- */

/* A restrict order's content, kept while it can still take effect. */
struct pol_body {
	bool used;
	uint64_t seq;
	struct order o;
};

/* What is remembered of every order held for a lid. */
struct pol_held {
	uint64_t seq;
	uint8_t hash[32];
	enum order_action action;
	int64_t iat, nbf;
	char ref[PL_TEXT_MAX + 1];
};

struct pol_lic {
	uint8_t hash[32];
	struct licence l;
};

struct pol_seen {
	uint64_t ver;
	uint8_t hash[32];
};

/* "A status with this seq was first accepted with this iat" (4.3). */
struct pol_named {
	uint64_t seq;
	int64_t iat;
};

struct pol_lid {
	char lid[PL_LID_MAX + 1];
	bool revoked;			/* terminal (3.4) */
	uint64_t revoke_seq;
	bool has_first_nbf;
	int64_t first_nbf;		/* of the first licence ver accepted */
	size_t nlic;			/* sorted by ver, ascending */
	struct pol_lic lic[POL_MAX_VERS];
	size_t nseen;			/* every ver accepted (oldest dropped) */
	struct pol_seen seen[POL_MAX_SEEN_VERS];
	uint64_t max_ver;		/* highest licence ver ever accepted */
	size_t nheld;			/* sorted by seq, ascending */
	struct pol_held held[POL_MAX_HELD];
	uint64_t forgot_through;	/* seqs 1..this were held, records dropped */
	struct pol_body body[POL_MAX_BODIES];
	bool has_status;
	uint8_t status_hash[32];
	struct status status;
	size_t nnamed;			/* increasing seq */
	struct pol_named named[POL_MAX_NAMED];
	uint64_t eq_seq;		/* order equivocation: highest seq, 0 none */
	uint64_t eq_ver;		/* licence equivocation: highest ver, 0 none */
	uint64_t eq_ver_seq;		/* highest seq held when eq_ver was set */
};

/*
 * Everything the decision depends on. Plain data: no pointers, so it can be
 * copied and compared bytewise (the tests do). Only policy/ writes it.
 */
struct pol_state {
	paserk_kid device;		/* this device's key id */
	int64_t signed_clock;		/* DESIGN 4.2: never goes back */
	bool has_root;
	uint8_t root_hash[32];
	struct root root;
	size_t nlids;			/* in order of arrival */
	struct pol_lid lids[POL_MAX_LIDS];
	size_t nrevoked_products;
	char revoked_products[POL_MAX_REVOKED_PRODUCTS][PL_NAME_MAX + 1];
	size_t nlocal;			/* local tightening (config local.disable) */
	char local[POL_MAX_LOCAL][PL_NAME_MAX + 1];
	size_t ntaxonomy;		/* ids of purposes.conf */
	char taxonomy[POL_MAX_TAXONOMY][PL_NAME_MAX + 1];
};

/*
 * Zero st and set the device key id and the purpose taxonomy (tax may be
 * NULL: then every purpose is unknown and every licence invalid).
 * Returns 0, or -LICD_E_USAGE for a device that is not a k4.pid.
 */
int pol_state_init(struct pol_state *st, const char *device,
    const struct pol_purposes *tax, struct lerr *e);

/* Replace the locally disabled features (n <= POL_MAX_LOCAL, names as in
 * DESIGN 3.4). Returns 0, -LICD_E_LIMIT or -LICD_E_USAGE. */
int pol_set_local(struct pol_state *st, const char *const *features,
    size_t n, struct lerr *e);

/*
 * Advance the signed clock to t if t is later (running time, or the value
 * persisted by the daemon); it never goes back. Orders and licence vers
 * that can no longer take effect are forgotten (their records stay).
 */
void pol_clock_advance(struct pol_state *st, int64_t t);

/* ---- acceptance (DESIGN 3.4, 4.2, 4.4, 4.5) ---- */

/*
 * For a root rotation: does the stored document (type, lid, ver for a
 * licence / seq for an order / 0 for a status, hash of its message) still
 * verify under the new root? Return 1 for yes, 0 for no.
 */
typedef int (*pol_reverify_fn)(void *ctx, enum doc_type type,
    const char *lid, uint64_t num, const uint8_t hash[32]);

/* A verified, decoded document. */
struct pol_doc {
	enum doc_type type;		/* DOC_ROOT, _LICENCE, _ORDER, _STATUS */
	const void *payload;		/* struct root / licence / order / status */
	uint8_t hash[32];		/* SHA-256 of the signed message */
	pol_reverify_fn reverify;	/* root rotation only (required then) */
	void *reverify_ctx;
};

enum pol_verdict {
	POL_ACCEPTED = 0,		/* stored and in effect */
	POL_PENDING,			/* stored; takes effect at its nbf */
	POL_SUPERSEDED,			/* stored as held; changes nothing */
	POL_NOOP,			/* identical to a held document */
	POL_REJECTED
};
const char *pol_verdict_name(enum pol_verdict v);

struct pol_result {
	enum pol_verdict verdict;
	int reason;			/* LICD_E_* when rejected, else 0 */
	bool alarm;			/* equivocation: raise an alarm */
	size_t dropped;			/* rotation: stored documents dropped */
};

/*
 * Decide whether doc is taken, and if so store it and advance the signed
 * clock to min(iat, wall + 300 s). The signature (and, for a root, the
 * rotation signatures) must have been verified by common/doc.c already.
 *
 * Returns 0 with res->verdict ACCEPTED, PENDING, SUPERSEDED or NOOP, or a
 * negative LICD_E_* with res->verdict REJECTED and e naming the rule:
 * NOT_YET_VALID, REPLAY, EQUIVOCATION, PRODUCT_LICENSED, REVOKED,
 * WRONG_DEVICE, ROOT_VERSION, LIMIT, PAYLOAD (a struct out of its bounds),
 * USAGE (wrong type, no reverify callback for a rotation).
 * A rejection changes nothing in st, with one exception that the design
 * asks for: an equivocation records its mark (the lid is suspended, 4.5)
 * and sets res->alarm.
 */
int pol_accept(struct pol_state *st, const struct pol_doc *doc, int64_t wall,
    struct pol_result *res, struct lerr *e);

/* ---- evaluation (DESIGN 4) ---- */

/* Why a licence is in its state: a bit per cause, rendered in this order. */
enum pol_cause {
	POL_C_NO_LICENCE = 0,		/* "no-licence": orders/status only */
	POL_C_NOT_YET_VALID,		/* "not-yet-valid": no ver in effect yet */
	POL_C_WRONG_DEVICE,		/* "wrong-device" */
	POL_C_UNKNOWN_PURPOSE,		/* "unknown-purpose" */
	POL_C_BAD_LADDER,		/* "bad-ladder" */
	POL_C_EXPIRED,			/* "expired" */
	POL_C_REVOKED,			/* "revoked" */
	POL_C_EQUIVOCATION,		/* "equivocation" */
	POL_C_ORDER,			/* "order": restrict or suspend in force */
	POL_C_STALE,			/* "stale": a ladder step */
	POL_C_LOCAL,			/* "local": a licence feature disabled locally */
	POL_C__COUNT
};
const char *pol_cause_name(enum pol_cause c);

/* Why a feature is denied (or narrowed): stable codes, doc/POLICY.md. */
enum pol_reason {
	POL_R_NONE = 0,			/* allowed */
	POL_R_INVALID,			/* "invalid" */
	POL_R_EXPIRED,			/* "expired" */
	POL_R_REVOKED,			/* "revoked" */
	POL_R_EQUIVOCATION,		/* "equivocation" */
	POL_R_SUSPENDED,		/* "suspended": by an order */
	POL_R_STALE,			/* "stale": a ladder step */
	POL_R_DISABLED_BY_ORDER,	/* "disabled-by-order": not in keep */
	POL_R_DISABLED_LOCALLY,		/* "disabled-locally" */
	POL_R_PURPOSE,			/* "purpose-not-permitted" */
	POL_R_NOT_LICENSED,		/* "not-licensed": no such feature */
	POL_R__COUNT
};
const char *pol_reason_name(enum pol_reason r);

/* The document behind a decision. */
enum pol_src_kind {
	POL_SRC_NONE = 0,
	POL_SRC_ROOT,			/* num = ver */
	POL_SRC_LICENCE,		/* num = ver */
	POL_SRC_ORDER,			/* num = seq */
	POL_SRC_STATUS,			/* num = seq named by the status */
	POL_SRC_CONFIG			/* local tightening; num = 0 */
};
const char *pol_src_name(enum pol_src_kind k);

struct pol_src {
	enum pol_src_kind kind;
	uint64_t num;
};

struct pol_feature_view {
	char name[PL_NAME_MAX + 1];
	bool allowed;
	enum pol_reason reason;		/* why denied, or the last narrowing */
	struct pol_src src;
	uint32_t purposes;		/* bit i: licence purpose i permitted */
	uint32_t max_concurrent;	/* 0: unlimited */
};

struct pol_pending_view {
	uint64_t seq;
	enum order_action action;
	int64_t nbf;
};

struct pol_licence_view {
	char lid[PL_LID_MAX + 1];
	bool has_licence;		/* false: ver/product/features empty */
	uint64_t ver;
	char product[PL_NAME_MAX + 1];
	enum lstate state;
	uint32_t causes;		/* bits of enum pol_cause */
	struct pol_src state_src;	/* the document of the decisive cause */
	bool has_order;			/* the order in force */
	uint64_t order_seq;
	enum order_action order_action;
	char order_ref[PL_TEXT_MAX + 1];
	size_t npending;		/* sorted by seq */
	struct pol_pending_view pending[POL_MAX_HELD];
	bool has_status;
	bool fresh;
	int64_t status_iat, status_exp;
	uint64_t status_seq;
	int64_t loss;			/* loss moment when not fresh */
	size_t npurposes;		/* the licence's purposes */
	char purposes[PL_MAX_PURPOSES][PL_NAME_MAX + 1];
	size_t nfeatures;		/* the licence's features, in its order */
	struct pol_feature_view features[PL_MAX_FEATURES];
};

struct pol_view {
	int64_t wall, signed_clock, now;	/* now = max(wall, signed) */
	bool clock_rollback;		/* wall more than 300 s behind signed */
	bool has_root;
	uint64_t root_ver;
	int64_t root_exp;
	int64_t next_change;		/* POL_NEVER when nothing is due */
	size_t nlic;			/* every stored lid, sorted by lid */
	struct pol_licence_view lic[POL_MAX_LIDS];
};

/*
 * The effective state at wall-clock time wall (DESIGN 4). Pure: reads st,
 * writes only *out, allocates nothing, same answer for the same inputs.
 * next_change is the earliest `now` after which the result may differ
 * without a new document (see doc/POLICY.md).
 */
void pol_eval(const struct pol_state *st, int64_t wall, struct pol_view *out);

/*
 * The licence that governs product (DESIGN 4.4): a revoked lid first, then
 * one that has not expired, then any; -1 when the product is unknown.
 */
int pol_product_index(const struct pol_view *v, const char *product);

/*
 * May product use feature for purpose now? Returns 1 (allowed) or 0; *why
 * (may be NULL) gets the reason (POL_R_NOT_LICENSED for an unknown product
 * or feature, POL_R_PURPOSE for a purpose not permitted) and *max_concurrent
 * (may be NULL) the limit (0: unlimited).
 */
int pol_check(const struct pol_view *v, const char *product,
    const char *feature, const char *purpose, enum pol_reason *why,
    uint32_t *max_concurrent);

/* ---- JSON (DESIGN 6), shared by licctl status and licissue preview ---- */

/*
 * The licence object of DESIGN 6 for v->lic[i]. in_use (may be NULL: all
 * 0) gives the leases in use per feature, indexed like lv->features.
 * Returns a new reference, NULL on allocation failure.
 */
json_t *pol_licence_json(const struct pol_view *v, size_t i,
    const uint32_t *in_use);

/*
 * The envelope {"schema_version":1, "device", "time", "root", "licences"}
 * around licences (a JSON array, reference stolen; NULL: empty array).
 * Returns a new reference, NULL on allocation failure.
 */
json_t *pol_envelope_json(const struct pol_view *v, const char *device,
    bool pinned, json_t *licences);

#endif
