/* SPDX-License-Identifier: MIT */
/* The socket protocol's one table and the only code that turns frames into
 * messages and back, checking every length against it. */
#include <string.h>

#include "lerr.h"
#include "proto.h"

#define M(f)		offsetof(struct proto_msg, u.f)
#define STR(f, max)	{ PROTO_STR, max, M(f), #f }
#define BLOB(f, max)	{ PROTO_BLOB, max, M(f), #f }
#define U8(f)		{ PROTO_U8, 0, M(f), #f }
#define U32(f)		{ PROTO_U32, 0, M(f), #f }
#define U64(f)		{ PROTO_U64, 0, M(f), #f }
#define NAME		PROTO_NAME_MAX
#define RSN		PROTO_REASON_MAX
#define MSG		PROTO_MSG_MAX
#define REQ		PROTO_DIR_REQUEST
#define REP		PROTO_DIR_REPLY
#define NOT		PROTO_DIR_NOTIFY
#define ANY		PROTO_PERM_ANY
#define ADM		PROTO_PERM_ADMIN
#define NON		PROTO_PERM_NONE

/*
 * Sizes are whole frames: the 12-byte header, then each field (u8 1, u32
 * 4, u64 8, str 2 + up to max, blob 4 + up to max).
 */
static const struct proto_spec table[] = {
	{ PROTO_QUERY, "query", REQ, ANY, 18, 210, 3,
	  { STR(query.product, NAME), STR(query.feature, NAME),
	    STR(query.purpose, NAME) } },
	{ PROTO_ACQUIRE, "acquire", REQ, ANY, 20, 468, 4,
	  { STR(acquire.product, NAME), STR(acquire.feature, NAME),
	    STR(acquire.purpose, NAME),
	    STR(acquire.case_ref, PROTO_CASE_MAX) } },
	{ PROTO_RELEASE, "release", REQ, ANY, 20, 20, 1,
	  { U64(release.lease) } },
	{ PROTO_SUBSCRIBE, "subscribe", REQ, ANY, 12, 12, 0, { { 0 } } },
	{ PROTO_STATUS, "status", REQ, ANY, 16, 16, 1,
	  { U32(status.flags) } },
	{ PROTO_EXPLAIN, "explain", REQ, ANY, 16, 144, 2,
	  { STR(explain.product, NAME), STR(explain.feature, NAME) } },
	{ PROTO_METRICS, "metrics", REQ, ANY, 12, 12, 0, { { 0 } } },
	{ PROTO_IMPORT, "import", REQ, ADM, 18, 65809, 2,
	  { STR(import.name, PROTO_FILE_MAX),
	    BLOB(import.doc, PROTO_DOC_MAX) } },
	{ PROTO_RELOAD, "reload", REQ, ADM, 12, 12, 0, { { 0 } } },
	{ PROTO_REQUEST, "request", REQ, ADM, 12, 12, 0, { { 0 } } },
	{ PROTO_AUDIT_VERIFY, "audit-verify", REQ, ADM, 12, 12, 0, { { 0 } } },
	{ PROTO_REPORT, "report", REQ, ADM, 30, 94, 3,
	  { STR(report.lid, NAME), U64(report.from), U64(report.to) } },
	{ PROTO_CHECKPOINT, "checkpoint", REQ, ADM, 12, 12, 0, { { 0 } } },
	{ PROTO_R_OK, "r-ok", REP, NON, 14, 526, 1,
	  { STR(ok.message, MSG) } },
	{ PROTO_R_ERROR, "r-error", REP, NON, 16, 560, 2,
	  { STR(error.reason, RSN), STR(error.message, MSG) } },
	{ PROTO_R_DECISION, "r-decision", REP, NON, 31, 63, 5,
	  { U8(decision.allowed), STR(decision.reason, RSN),
	    U32(decision.max_concurrent), U32(decision.in_use),
	    U64(decision.generation) } },
	{ PROTO_R_LEASE, "r-lease", REP, NON, 20, 20, 1,
	  { U64(lease.lease) } },
	{ PROTO_R_TEXT, "r-text", REP, NON, 16, PROTO_MAX_MSG, 1,
	  { BLOB(text.text, PROTO_TEXT_MAX) } },
	{ PROTO_R_IMPORT, "r-import", REP, NON, 17, 561, 3,
	  { U8(import_result.outcome), STR(import_result.reason, RSN),
	    STR(import_result.message, MSG) } },
	{ PROTO_N_CHANGED, "n-changed", NOT, NON, 20, 20, 1,
	  { U64(changed.generation) } },
	{ PROTO_N_LEASE_REVOKED, "n-lease-revoked", NOT, NON, 22, 54, 2,
	  { U64(revoked.lease), STR(revoked.reason, RSN) } },
};

#define NTYPES (sizeof(table) / sizeof(table[0]))

const struct proto_spec *
proto_spec(uint8_t type)
{
	size_t i;

	for (i = 0; i < NTYPES; i++)
		if (table[i].type == type)
			return &table[i];
	return NULL;
}

const char *
proto_type_name(uint8_t type)
{
	const struct proto_spec *s = proto_spec(type);

	return s != NULL ? s->name : "unknown";
}

/* Smallest and largest encoding of one field. */
static void
field_size(const struct proto_field *f, uint64_t *lo, uint64_t *hi)
{
	static const uint8_t fixed[] = { [PROTO_U8] = 1, [PROTO_U16] = 2,
	    [PROTO_U32] = 4, [PROTO_U64] = 8, [PROTO_STR] = 2,
	    [PROTO_BLOB] = 4 };

	*lo = f->kind < sizeof(fixed) ? fixed[f->kind] : 0;
	*hi = *lo + (f->kind == PROTO_STR || f->kind == PROTO_BLOB ?
	    f->max : 0);
}

static const char *
check_row(const struct proto_spec *s)
{
	uint64_t lo = PROTO_HDR_LEN, hi = PROTO_HDR_LEN, flo, fhi;
	size_t i;

	if (s->nfields > PROTO_MAX_FIELDS)
		return "too many fields";
	for (i = 0; i < s->nfields; i++) {
		if (s->fields[i].kind < PROTO_U8 ||
		    s->fields[i].kind > PROTO_BLOB)
			return "bad field kind";
		if (s->fields[i].kind == PROTO_STR &&
		    s->fields[i].max > UINT16_MAX)
			return "string max over 65535";
		field_size(&s->fields[i], &flo, &fhi);
		lo += flo;
		hi += fhi;
	}
	if (lo != s->min || hi != s->max)
		return "min/max differ from the fields";
	if (s->max > PROTO_MAX_MSG)
		return "max over PROTO_MAX_MSG";
	if (s->dir == PROTO_DIR_REQUEST && (s->max > PROTO_MAX_REQUEST ||
	    s->perm == PROTO_PERM_NONE))
		return "request over PROTO_MAX_REQUEST or without permission";
	if (s->dir != PROTO_DIR_REQUEST && s->perm != PROTO_PERM_NONE)
		return "a reply or notification with a permission";
	if (s->dir != PROTO_DIR_REQUEST && s->dir != PROTO_DIR_REPLY &&
	    s->dir != PROTO_DIR_NOTIFY)
		return "bad direction";
	return NULL;
}

int
proto_table_check(const char **why)
{
	static char buf[96];
	const char *w;
	size_t i, j;

	for (i = 0; i < NTYPES; i++) {
		w = check_row(&table[i]);
		for (j = 0; w == NULL && j < i; j++)
			if (table[j].type == table[i].type)
				w = "duplicate type";
		if (w != NULL) {
			strcpy(buf, "proto table: ");
			strncat(buf, table[i].name, 24);
			strcat(buf, ": ");
			strncat(buf, w, sizeof(buf) - strlen(buf) - 1);
			if (why != NULL)
				*why = buf;
			return -1;
		}
	}
	return 0;
}

static uint64_t
get_be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static void
put_be(uint8_t *p, uint64_t v, size_t n)
{
	while (n-- > 0) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

static int
fail(const char **why, const char *w, int code)
{
	if (why != NULL)
		*why = w;
	return -code;
}

int
proto_header(const uint8_t *buf, size_t len, unsigned dirs, uint32_t *total,
    const char **why)
{
	const struct proto_spec *s;
	uint32_t n;

	*total = 0;
	if (len < PROTO_HDR_LEN)
		return fail(why, "truncated header", LICD_E_MALFORMED);
	n = (uint32_t)get_be(buf, 4);
	if (buf[4] != PROTO_VERSION)
		return fail(why, "unsupported version", LICD_E_MALFORMED);
	if (get_be(buf + 6, 2) != 0)
		return fail(why, "non-zero flags", LICD_E_MALFORMED);
	if ((s = proto_spec(buf[5])) == NULL)
		return fail(why, "unknown type", LICD_E_MALFORMED);
	if (!(s->dir & dirs))
		return fail(why, "type not allowed in this direction",
		    LICD_E_MALFORMED);
	if (n > s->max)
		return fail(why, "longer than its type allows",
		    LICD_E_TOO_LARGE);
	if (n < s->min)
		return fail(why, "shorter than its type needs",
		    LICD_E_MALFORMED);
	*total = n;
	return 0;
}

/* Decode one field at *pos (end is the frame end). */
static int
get_field(const struct proto_field *f, const uint8_t *buf, size_t end,
    size_t *pos, struct proto_msg *m, const char **why)
{
	static const uint8_t width[] = { [PROTO_U8] = 1, [PROTO_U16] = 2,
	    [PROTO_U32] = 4, [PROTO_U64] = 8, [PROTO_STR] = 2,
	    [PROTO_BLOB] = 4 };
	struct proto_bytes *b;
	size_t w = width[f->kind];
	uint64_t v, n;
	char *dst = (char *)m + f->off;

	if (end - *pos < w)
		return fail(why, "truncated field", LICD_E_MALFORMED);
	v = get_be(buf + *pos, w);
	*pos += w;
	switch (f->kind) {
	case PROTO_U8:
		*(uint8_t *)dst = (uint8_t)v;
		return 0;
	case PROTO_U16:
		*(uint16_t *)(void *)dst = (uint16_t)v;
		return 0;
	case PROTO_U32:
		*(uint32_t *)(void *)dst = (uint32_t)v;
		return 0;
	case PROTO_U64:
		*(uint64_t *)(void *)dst = v;
		return 0;
	}
	n = v;
	if (n > f->max)
		return fail(why, "string longer than its field allows",
		    LICD_E_TOO_LARGE);
	if (end - *pos < n)
		return fail(why, "truncated string", LICD_E_MALFORMED);
	if (memchr(buf + *pos, '\0', (size_t)n) != NULL)
		return fail(why, "NUL byte in a string", LICD_E_MALFORMED);
	b = (struct proto_bytes *)(void *)dst;
	b->p = buf + *pos;
	b->len = (uint32_t)n;
	*pos += (size_t)n;
	return 0;
}

int
proto_decode(const uint8_t *buf, size_t len, unsigned dirs,
    struct proto_msg *m, const char **why)
{
	const struct proto_spec *s;
	uint32_t total;
	size_t pos = PROTO_HDR_LEN, i;
	int r;

	memset(m, 0, sizeof(*m));
	if ((r = proto_header(buf, len, dirs, &total, why)) < 0)
		return r;
	if (len < total)
		return fail(why, "truncated frame", LICD_E_MALFORMED);
	if (len > total)
		return fail(why, "trailing bytes after the frame",
		    LICD_E_MALFORMED);
	s = proto_spec(buf[5]);
	m->type = buf[5];
	m->id = (uint32_t)get_be(buf + 8, 4);
	for (i = 0; i < s->nfields; i++)
		if ((r = get_field(&s->fields[i], buf, total, &pos, m,
		    why)) < 0)
			return r;
	if (pos != total)
		return fail(why, "bytes after the last field",
		    LICD_E_MALFORMED);
	return 0;
}

/* The encoded size of field f of m, or 0 when it cannot be encoded. */
static size_t
put_size(const struct proto_field *f, const struct proto_msg *m)
{
	const struct proto_bytes *b;
	uint64_t lo, hi;

	field_size(f, &lo, &hi);
	if (f->kind != PROTO_STR && f->kind != PROTO_BLOB)
		return (size_t)lo;
	b = (const void *)((const char *)m + f->off);
	if (b->len > f->max || (b->len > 0 && (b->p == NULL ||
	    memchr(b->p, '\0', b->len) != NULL)))
		return 0;
	return (size_t)lo + b->len;
}

size_t
proto_encoded_len(const struct proto_msg *m)
{
	const struct proto_spec *s = proto_spec(m->type);
	size_t n = PROTO_HDR_LEN, i, f;

	if (s == NULL)
		return 0;
	for (i = 0; i < s->nfields; i++) {
		if ((f = put_size(&s->fields[i], m)) == 0)
			return 0;
		n += f;
	}
	return n;
}

static size_t
put_field(const struct proto_field *f, const struct proto_msg *m,
    uint8_t *p)
{
	const char *src = (const char *)m + f->off;
	const struct proto_bytes *b = (const void *)src;

	switch (f->kind) {
	case PROTO_U8:
		*p = *(const uint8_t *)src;
		return 1;
	case PROTO_U16:
		put_be(p, *(const uint16_t *)(const void *)src, 2);
		return 2;
	case PROTO_U32:
		put_be(p, *(const uint32_t *)(const void *)src, 4);
		return 4;
	case PROTO_U64:
		put_be(p, *(const uint64_t *)(const void *)src, 8);
		return 8;
	case PROTO_STR:
		put_be(p, b->len, 2);
		if (b->len > 0)
			memcpy(p + 2, b->p, b->len);
		return 2 + (size_t)b->len;
	default:
		put_be(p, b->len, 4);
		if (b->len > 0)
			memcpy(p + 4, b->p, b->len);
		return 4 + (size_t)b->len;
	}
}

int
proto_encode(const struct proto_msg *m, uint8_t *buf, size_t cap,
    size_t *len)
{
	const struct proto_spec *s = proto_spec(m->type);
	size_t n = proto_encoded_len(m), pos = PROTO_HDR_LEN, i;

	*len = 0;
	if (n == 0)
		return -LICD_E_USAGE;
	if (n > cap)
		return -LICD_E_TOO_LARGE;
	put_be(buf, n, 4);
	buf[4] = PROTO_VERSION;
	buf[5] = m->type;
	put_be(buf + 6, 0, 2);
	put_be(buf + 8, m->id, 4);
	for (i = 0; i < s->nfields; i++)
		pos += put_field(&s->fields[i], m, buf + pos);
	*len = pos;
	return 0;
}

static int
in_group(gid_t g, const struct proto_peer *p)
{
	size_t i;

	if (p->gid == g)
		return 1;
	for (i = 0; i < p->ngroups; i++)
		if (p->groups[i] == g)
			return 1;
	return 0;
}

int
proto_allowed(uint8_t type, const struct proto_peer *peer,
    const struct proto_admin *admin)
{
	const struct proto_spec *s = proto_spec(type);

	if (s == NULL || s->dir != PROTO_DIR_REQUEST)
		return 0;
	if (s->perm == PROTO_PERM_ANY)
		return 1;
	if (s->perm != PROTO_PERM_ADMIN)
		return 0;
	return peer->uid == 0 || peer->uid == admin->daemon_uid ||
	    (admin->has_admin_gid && in_group(admin->admin_gid, peer));
}

int
proto_cstr(struct proto_bytes b, char *out, size_t cap)
{
	if (cap == 0 || b.len >= cap)
		return -LICD_E_TOO_LARGE;
	if (b.len > 0)
		memcpy(out, b.p, b.len);
	out[b.len] = '\0';
	return 0;
}

struct proto_bytes
proto_str(const char *s)
{
	struct proto_bytes b = { (const uint8_t *)s, 0 };

	if (s != NULL)
		b.len = (uint32_t)strnlen(s, PROTO_MAX_MSG);
	return b;
}
