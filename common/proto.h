/* SPDX-License-Identifier: MIT */
/* The licd.sock protocol (DESIGN 5.2, doc/PROTOCOL.md "Socket protocol"):
 * one table of message types with sizes and permissions, and length-checked
 * encode/decode. libc only: shared by licd, licctl and liblicd. */
#ifndef LICD_PROTO_H
#define LICD_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Every message is a frame:
 *
 *   offset size  field
 *   0      4     length of the whole frame, header included (big-endian)
 *   4      1     version, PROTO_VERSION
 *   5      1     type (enum proto_type)
 *   6      2     flags, zero
 *   8      4     id: chosen by the client, echoed in the reply; 0 in
 *                notifications (big-endian)
 *   12     ...   the fields of the type, in table order, nothing after:
 *                u8/u16/u32/u64 big-endian; str = u16 length + bytes;
 *                blob = u32 length + bytes. Strings and blobs never
 *                contain a NUL byte and never exceed their field's max.
 *
 * A frame whose length is outside its type's [min, max] is rejected from
 * its 12-byte header, before its body is read.
 */

#define PROTO_VERSION		1
#define PROTO_HDR_LEN		12
#define PROTO_MAX_MSG		(1024 * 1024)	/* hard limit, any frame */
#define PROTO_MAX_REQUEST	65809		/* largest request (IMPORT) */
#define PROTO_NAME_MAX		64	/* product, feature, purpose, lid */
#define PROTO_CASE_MAX		256	/* case reference of a lease */
#define PROTO_FILE_MAX		255	/* file name of an import */
#define PROTO_DOC_MAX		(64 * 1024)	/* a document (DESIGN 3.3) */
#define PROTO_REASON_MAX	32	/* a reason code */
#define PROTO_MSG_MAX		512	/* a human-readable sentence */
#define PROTO_TEXT_MAX		(PROTO_MAX_MSG - PROTO_HDR_LEN - 4)
#define PROTO_MAX_FIELDS	5

enum proto_type {
	/* requests: client -> daemon */
	PROTO_QUERY = 1,	/* may product use feature for purpose? */
	PROTO_ACQUIRE = 2,	/* take a counted, audited lease */
	PROTO_RELEASE = 3,	/* give a lease back */
	PROTO_SUBSCRIBE = 4,	/* send N_CHANGED / N_LEASE_REVOKED */
	PROTO_STATUS = 5,	/* licctl status [--json] */
	PROTO_EXPLAIN = 6,	/* licctl explain */
	PROTO_METRICS = 7,	/* Prometheus text */
	PROTO_IMPORT = 16,	/* a document (admin) */
	PROTO_RELOAD = 17,	/* reload the configuration (admin) */
	PROTO_REQUEST = 18,	/* the signed activation request (admin) */
	PROTO_AUDIT_VERIFY = 19,/* verify the audit log (admin) */
	PROTO_REPORT = 20,	/* signed usage report (admin) */
	PROTO_CHECKPOINT = 21,	/* write an audit checkpoint now (admin) */
	/* replies: daemon -> client, same id as the request */
	PROTO_R_OK = 128,
	PROTO_R_ERROR = 129,
	PROTO_R_DECISION = 130,	/* to QUERY, and to a refused ACQUIRE */
	PROTO_R_LEASE = 131,	/* to a granted ACQUIRE */
	PROTO_R_TEXT = 132,	/* to STATUS, EXPLAIN, METRICS, REQUEST, ... */
	PROTO_R_IMPORT = 133,	/* to IMPORT */
	/* notifications: daemon -> subscribed client, id 0 */
	PROTO_N_CHANGED = 160,	/* the snapshot changed */
	PROTO_N_LEASE_REVOKED = 161,
};

/* Who may send a type (the daemon's dispatch checks it). */
enum proto_perm {
	PROTO_PERM_NONE = 0,	/* never accepted by the daemon */
	PROTO_PERM_ANY,		/* any local peer */
	PROTO_PERM_ADMIN,	/* uid 0, the daemon's uid, or admin_group */
};

/* Directions, as bits: what a decoder accepts. */
#define PROTO_DIR_REQUEST	1u	/* to the daemon */
#define PROTO_DIR_REPLY		2u	/* to a client */
#define PROTO_DIR_NOTIFY	4u	/* to a subscribed client */
#define PROTO_DIR_CLIENT	(PROTO_DIR_REPLY | PROTO_DIR_NOTIFY)

#define PROTO_STATUS_JSON	1u	/* STATUS flags: JSON of DESIGN 6 */

enum proto_outcome {		/* R_IMPORT */
	PROTO_ACCEPTED = 0,
	PROTO_PENDING = 1,	/* stored, takes effect later */
	PROTO_NOOP = 2,		/* identical to one already held */
	PROTO_REJECTED = 3,
	PROTO__OUTCOMES
};

/* A view into a received frame (not NUL-terminated, no NUL inside), or
 * the bytes to send. */
struct proto_bytes {
	const uint8_t *p;
	uint32_t len;
};

struct proto_msg {
	uint8_t type;			/* enum proto_type */
	uint32_t id;
	union {
		struct {
			struct proto_bytes product, feature, purpose;
		} query;
		struct {
			struct proto_bytes product, feature, purpose, case_ref;
		} acquire;
		struct { uint64_t lease; } release;
		struct { uint32_t flags; } status;
		struct { struct proto_bytes product, feature; } explain;
		struct { struct proto_bytes name, doc; } import;
		struct {
			struct proto_bytes lid;
			uint64_t from, to;	/* Unix seconds */
		} report;
		struct { struct proto_bytes message; } ok;
		struct { struct proto_bytes reason, message; } error;
		struct {
			uint8_t allowed;
			struct proto_bytes reason;	/* "" when allowed */
			uint32_t max_concurrent;	/* 0: unlimited */
			uint32_t in_use;
			uint64_t generation;		/* of the snapshot */
		} decision;
		struct { uint64_t lease; } lease;
		struct { struct proto_bytes text; } text;
		struct {
			uint8_t outcome;		/* enum proto_outcome */
			struct proto_bytes reason, message;
		} import_result;
		struct { uint64_t generation; } changed;
		struct {
			uint64_t lease;
			struct proto_bytes reason;
		} revoked;
	} u;
};

enum proto_kind { PROTO_U8 = 1, PROTO_U16, PROTO_U32, PROTO_U64,
	PROTO_STR, PROTO_BLOB };

struct proto_field {
	uint8_t kind;			/* enum proto_kind */
	uint32_t max;			/* STR, BLOB: most bytes */
	size_t off;			/* offsetof(struct proto_msg, ...) */
	const char *name;
};

/* One row of the table (proto.c). min and max are whole frame lengths and
 * are written out, chrony pktlength-style; proto_table_check() proves
 * them from the fields. */
struct proto_spec {
	uint8_t type;
	const char *name;
	uint8_t dir;			/* one PROTO_DIR_* bit */
	uint8_t perm;			/* enum proto_perm */
	uint32_t min, max;
	uint8_t nfields;
	struct proto_field fields[PROTO_MAX_FIELDS];
};

/* The row of a type, or NULL when unknown. */
const struct proto_spec *proto_spec(uint8_t type);
/* "query", "r-error", ...; "unknown" for an unknown type. */
const char *proto_type_name(uint8_t type);

/*
 * Check the table at start-up: types unique and in range, every min/max
 * equal to what the fields give, every max <= PROTO_MAX_MSG, request
 * maxima <= PROTO_MAX_REQUEST, replies and notifications PROTO_PERM_NONE.
 * Returns 0, or -1 with *why naming the first bad row (a bug: licd and
 * the tests abort on it).
 */
int proto_table_check(const char **why);

/*
 * Read a frame header (len >= PROTO_HDR_LEN bytes at buf): version 1,
 * flags 0, a known type of one of the directions in dirs, and a length
 * within the type's [min, max]. *total receives the frame length, so a
 * reader knows how much more to read. Returns 0, -LICD_E_TOO_LARGE (over
 * the type's max), -LICD_E_MALFORMED (anything else; *why says what).
 * len < PROTO_HDR_LEN is -LICD_E_MALFORMED ("truncated").
 */
int proto_header(const uint8_t *buf, size_t len, unsigned dirs,
    uint32_t *total, const char **why);

/*
 * Decode exactly one frame of len bytes (len must equal the frame length:
 * a shorter buffer is "truncated", a longer one "trailing bytes"). Strings
 * and blobs in m point into buf. Returns 0, -LICD_E_TOO_LARGE or
 * -LICD_E_MALFORMED with *why (why may be NULL).
 */
int proto_decode(const uint8_t *buf, size_t len, unsigned dirs,
    struct proto_msg *m, const char **why);

/* The frame length m encodes to, or 0 when m is not encodable (unknown
 * type, a field over its max, a NUL inside a string). */
size_t proto_encoded_len(const struct proto_msg *m);

/*
 * Encode m into buf (cap bytes); *len receives the frame length.
 * -LICD_E_USAGE when m is not encodable, -LICD_E_TOO_LARGE when cap is
 * too small.
 */
int proto_encode(const struct proto_msg *m, uint8_t *buf, size_t cap,
    size_t *len);

/* A peer, from SO_PEERCRED and SO_PEERGROUPS. */
struct proto_peer {
	uid_t uid;
	gid_t gid;
	const gid_t *groups;		/* supplementary groups */
	size_t ngroups;
};

/* Who counts as admin: uid 0, daemon_uid, or a member of admin_gid. */
struct proto_admin {
	uid_t daemon_uid;
	bool has_admin_gid;
	gid_t admin_gid;
};

/* 1 when peer may send a request of this type, else 0 (unknown types,
 * replies and notifications: 0). */
int proto_allowed(uint8_t type, const struct proto_peer *peer,
    const struct proto_admin *admin);

/* Copy b into out (cap bytes, NUL-terminated); -LICD_E_TOO_LARGE when it
 * does not fit. */
int proto_cstr(struct proto_bytes b, char *out, size_t cap);

/* A proto_bytes view of a C string. */
struct proto_bytes proto_str(const char *s);

#endif
