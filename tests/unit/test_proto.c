/* SPDX-License-Identifier: MIT */
/* The socket protocol: the table proves itself, every type round-trips at
 * its smallest and largest, and oversized, truncated, unknown, mis-sized,
 * wrong-direction and NUL-carrying frames are rejected; permissions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lerr.h"
#include "proto.h"

static const uint8_t all_types[] = {
	PROTO_QUERY, PROTO_ACQUIRE, PROTO_RELEASE, PROTO_SUBSCRIBE,
	PROTO_STATUS, PROTO_EXPLAIN, PROTO_METRICS, PROTO_IMPORT, PROTO_RELOAD,
	PROTO_REQUEST, PROTO_AUDIT_VERIFY, PROTO_REPORT, PROTO_CHECKPOINT,
	PROTO_R_OK, PROTO_R_ERROR, PROTO_R_DECISION, PROTO_R_LEASE,
	PROTO_R_TEXT, PROTO_R_IMPORT, PROTO_N_CHANGED, PROTO_N_LEASE_REVOKED,
};

static uint8_t frame[PROTO_MAX_MSG + 16];
static uint8_t fill[PROTO_MAX_MSG];

/* Fill every field of m: strings of `full` ? max : 0 bytes, integers
 * with a pattern that shows byte order mistakes. */
static void
make(struct proto_msg *m, uint8_t type, int full)
{
	const struct proto_spec *s = proto_spec(type);
	struct proto_bytes *b;
	char *dst;
	size_t i;

	memset(m, 0, sizeof(*m));
	m->type = type;
	m->id = 0x01020304u + type;
	for (i = 0; i < s->nfields; i++) {
		dst = (char *)m + s->fields[i].off;
		switch (s->fields[i].kind) {
		case PROTO_U8:
			*(uint8_t *)dst = (uint8_t)(0xa0 + i);
			break;
		case PROTO_U32:
			*(uint32_t *)(void *)dst = 0xdeadbe00u + (uint32_t)i;
			break;
		case PROTO_U64:
			*(uint64_t *)(void *)dst = 0x0102030405060700ull + i;
			break;
		default:
			b = (struct proto_bytes *)(void *)dst;
			b->p = fill;
			b->len = full ? s->fields[i].max : 0;
		}
	}
}

static void
same(const struct proto_msg *a, const struct proto_msg *b)
{
	const struct proto_spec *s = proto_spec(a->type);
	const struct proto_bytes *x, *y;
	size_t i;

	assert_int_equal(a->type, b->type);
	assert_int_equal(a->id, b->id);
	for (i = 0; i < s->nfields; i++) {
		const char *p = (const char *)a + s->fields[i].off;
		const char *q = (const char *)b + s->fields[i].off;

		switch (s->fields[i].kind) {
		case PROTO_U8:
			assert_int_equal(*(const uint8_t *)p,
			    *(const uint8_t *)q);
			break;
		case PROTO_U32:
			assert_int_equal(*(const uint32_t *)(const void *)p,
			    *(const uint32_t *)(const void *)q);
			break;
		case PROTO_U64:
			assert_int_equal(*(const uint64_t *)(const void *)p,
			    *(const uint64_t *)(const void *)q);
			break;
		default:
			x = (const void *)p;
			y = (const void *)q;
			assert_int_equal(x->len, y->len);
			if (x->len > 0)
				assert_memory_equal(x->p, y->p, x->len);
		}
	}
}

static unsigned
dir_of(uint8_t type)
{
	return proto_spec(type)->dir;
}

static void
t_table(void **state)
{
	const char *why = NULL;
	size_t i;

	(void)state;
	if (proto_table_check(&why) != 0)
		fail_msg("%s", why);
	for (i = 0; i < sizeof(all_types); i++) {
		assert_non_null(proto_spec(all_types[i]));
		assert_string_not_equal(proto_type_name(all_types[i]),
		    "unknown");
	}
	assert_null(proto_spec(0));
	assert_null(proto_spec(255));
	assert_string_equal(proto_type_name(99), "unknown");
	assert_int_equal(proto_spec(PROTO_IMPORT)->max, PROTO_MAX_REQUEST);
	assert_int_equal(proto_spec(PROTO_R_TEXT)->max, PROTO_MAX_MSG);
}

static void
t_roundtrip(void **state)
{
	const struct proto_spec *s;
	struct proto_msg m, d;
	const char *why;
	size_t i, len;
	int full;

	(void)state;
	memset(fill, 'a', sizeof(fill));
	for (i = 0; i < sizeof(all_types); i++) {
		s = proto_spec(all_types[i]);
		for (full = 0; full <= 1; full++) {
			make(&m, all_types[i], full);
			assert_int_equal(proto_encoded_len(&m),
			    full ? s->max : s->min);
			assert_int_equal(proto_encode(&m, frame, sizeof(frame),
			    &len), 0);
			assert_int_equal(len, full ? s->max : s->min);
			if (proto_decode(frame, len, dir_of(m.type), &d,
			    &why) != 0)
				fail_msg("%s: %s", s->name, why);
			same(&m, &d);
		}
	}
}

static void
t_roundtrip_values(void **state)
{
	struct proto_msg m, d;
	char buf[PROTO_NAME_MAX + 1];
	size_t len;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = PROTO_QUERY;
	m.id = 7;
	m.u.query.product = proto_str("interceptor");
	m.u.query.feature = proto_str("geo.locate");
	m.u.query.purpose = proto_str("terrorism");
	assert_int_equal(proto_encode(&m, frame, sizeof(frame), &len), 0);
	assert_int_equal(len, 12 + 2 + 11 + 2 + 10 + 2 + 9);
	/* the header on the wire */
	assert_memory_equal(frame, "\x00\x00\x00\x30\x01\x01\x00\x00"
	    "\x00\x00\x00\x07\x00\x0binterceptor", 25);
	assert_int_equal(proto_decode(frame, len, PROTO_DIR_REQUEST, &d, NULL),
	    0);
	assert_int_equal(proto_cstr(d.u.query.feature, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "geo.locate");
	assert_int_equal(proto_cstr(d.u.query.feature, buf, 10),
	    -LICD_E_TOO_LARGE);
	assert_int_equal(proto_cstr(d.u.query.feature, buf, 11), 0);
}

/* A frame of type t whose header says total and whose body is body. */
static size_t
raw(uint8_t t, uint32_t total, const void *body, size_t blen)
{
	frame[0] = (uint8_t)(total >> 24);
	frame[1] = (uint8_t)(total >> 16);
	frame[2] = (uint8_t)(total >> 8);
	frame[3] = (uint8_t)total;
	frame[4] = PROTO_VERSION;
	frame[5] = t;
	frame[6] = frame[7] = 0;
	memset(frame + 8, 0, 4);
	memcpy(frame + 12, body, blen);
	return 12 + blen;
}

static void
reject(size_t len, unsigned dirs, int code, const char *why_want)
{
	struct proto_msg m;
	const char *why = NULL;

	assert_int_equal(proto_decode(frame, len, dirs, &m, &why), -code);
	assert_non_null(why);
	assert_string_equal(why, why_want);
}

static void
t_oversized(void **state)
{
	static const uint8_t q66[] = { 0, 65 };
	uint32_t total;
	const char *why;
	size_t n;

	(void)state;
	/* the header alone refuses a frame longer than its type */
	n = raw(PROTO_RELEASE, 21, "\0\0\0\0\0\0\0\0\0", 9);
	assert_int_equal(proto_header(frame, 12, PROTO_DIR_REQUEST, &total,
	    &why), -LICD_E_TOO_LARGE);
	assert_string_equal(why, "longer than its type allows");
	reject(n, PROTO_DIR_REQUEST, LICD_E_TOO_LARGE,
	    "longer than its type allows");
	raw(PROTO_IMPORT, PROTO_MAX_REQUEST + 1, "", 0);
	assert_int_equal(proto_header(frame, 12, PROTO_DIR_REQUEST, &total,
	    &why), -LICD_E_TOO_LARGE);
	raw(PROTO_QUERY, 0xffffffffu, "", 0);
	assert_int_equal(proto_header(frame, 12, PROTO_DIR_REQUEST, &total,
	    &why), -LICD_E_TOO_LARGE);
	assert_int_equal(total, 0);
	/* a string longer than its field, inside a frame of legal size */
	n = raw(PROTO_QUERY, 12 + 2 + 65 + 4, q66, 2);
	memset(frame + 14, 'p', 65);
	memset(frame + 79, 0, 4);
	reject(n + 65 + 4, PROTO_DIR_REQUEST, LICD_E_TOO_LARGE,
	    "string longer than its field allows");
	/* a document over 64 KiB */
	{
		struct proto_msg m;
		size_t len;

		memset(&m, 0, sizeof(m));
		m.type = PROTO_IMPORT;
		m.u.import.doc.p = fill;
		m.u.import.doc.len = PROTO_DOC_MAX + 1;
		assert_int_equal(proto_encoded_len(&m), 0);
		assert_int_equal(proto_encode(&m, frame, sizeof(frame), &len),
		    -LICD_E_USAGE);
	}
}

static void
t_truncated(void **state)
{
	struct proto_msg m;
	size_t len;

	(void)state;
	make(&m, PROTO_ACQUIRE, 1);
	assert_int_equal(proto_encode(&m, frame, sizeof(frame), &len), 0);
	reject(len - 1, PROTO_DIR_REQUEST, LICD_E_MALFORMED,
	    "truncated frame");
	reject(11, PROTO_DIR_REQUEST, LICD_E_MALFORMED, "truncated header");
	reject(0, PROTO_DIR_REQUEST, LICD_E_MALFORMED, "truncated header");
	/* a string length pointing past the end of the frame */
	raw(PROTO_EXPLAIN, 16, "\x00\x05\x00\x00", 4);
	reject(16, PROTO_DIR_REQUEST, LICD_E_MALFORMED, "truncated string");
	/* a field cut by the frame's end */
	raw(PROTO_REPORT, 30, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
	    "\x00\x00\x00\x00\x00\x00\x00\x00", 18);
	frame[13] = 1;	/* lid of 1 byte: the last u64 lacks one byte */
	frame[14] = 'x';
	reject(30, PROTO_DIR_REQUEST, LICD_E_MALFORMED, "truncated field");
	/* more bytes than the frame */
	make(&m, PROTO_RELEASE, 1);
	assert_int_equal(proto_encode(&m, frame, sizeof(frame), &len), 0);
	reject(len + 1, PROTO_DIR_REQUEST, LICD_E_MALFORMED,
	    "trailing bytes after the frame");
}

static void
t_unknown_type(void **state)
{
	size_t n;

	(void)state;
	n = raw(0, 12, "", 0);
	reject(n, PROTO_DIR_REQUEST, LICD_E_MALFORMED, "unknown type");
	n = raw(99, 12, "", 0);
	reject(n, PROTO_DIR_REQUEST | PROTO_DIR_CLIENT, LICD_E_MALFORMED,
	    "unknown type");
	n = raw(255, 12, "", 0);
	reject(n, PROTO_DIR_CLIENT, LICD_E_MALFORMED, "unknown type");
}

static void
t_wrong_size(void **state)
{
	size_t n;

	(void)state;
	n = raw(PROTO_RELEASE, 19, "\0\0\0\0\0\0\0", 7);
	reject(n, PROTO_DIR_REQUEST, LICD_E_MALFORMED,
	    "shorter than its type needs");
	n = raw(PROTO_SUBSCRIBE, 13, "\0", 1);
	reject(n, PROTO_DIR_REQUEST, LICD_E_TOO_LARGE,
	    "longer than its type allows");
	/* legal length, but the fields end before it */
	n = raw(PROTO_QUERY, 22, "\0\0\0\0\0\0\0\0\0\0", 10);
	reject(n, PROTO_DIR_REQUEST, LICD_E_MALFORMED,
	    "bytes after the last field");
}

static void
t_header_fields(void **state)
{
	size_t n;

	(void)state;
	n = raw(PROTO_SUBSCRIBE, 12, "", 0);
	frame[4] = 2;
	reject(n, PROTO_DIR_REQUEST, LICD_E_MALFORMED, "unsupported version");
	n = raw(PROTO_SUBSCRIBE, 12, "", 0);
	frame[7] = 1;
	reject(n, PROTO_DIR_REQUEST, LICD_E_MALFORMED, "non-zero flags");
	/* a reply sent to the daemon, a request sent to a client */
	n = raw(PROTO_R_LEASE, 20, "\0\0\0\0\0\0\0\1", 8);
	reject(n, PROTO_DIR_REQUEST, LICD_E_MALFORMED,
	    "type not allowed in this direction");
	n = raw(PROTO_RELOAD, 12, "", 0);
	reject(n, PROTO_DIR_CLIENT, LICD_E_MALFORMED,
	    "type not allowed in this direction");
}

static void
t_nul(void **state)
{
	struct proto_msg m;
	size_t n, len;

	(void)state;
	n = raw(PROTO_EXPLAIN, 18, "\x00\x02" "a\0" "\x00\x00", 6);
	reject(n, PROTO_DIR_REQUEST, LICD_E_MALFORMED, "NUL byte in a string");
	memset(&m, 0, sizeof(m));
	m.type = PROTO_EXPLAIN;
	m.u.explain.product.p = (const uint8_t *)"a\0b";
	m.u.explain.product.len = 3;
	assert_int_equal(proto_encode(&m, frame, sizeof(frame), &len),
	    -LICD_E_USAGE);
	/* and a buffer too small to encode into */
	m.u.explain.product.len = 1;
	assert_int_equal(proto_encode(&m, frame, 16, &len), -LICD_E_TOO_LARGE);
	assert_int_equal(proto_encode(&m, frame, 17, &len), 0);
	/* an unknown type cannot be encoded */
	m.type = 77;
	assert_int_equal(proto_encode(&m, frame, sizeof(frame), &len),
	    -LICD_E_USAGE);
}

static void
t_permissions(void **state)
{
	static const gid_t groups[] = { 100, 998 };
	struct proto_admin adm = { 990, true, 998 };
	struct proto_peer root = { 0, 0, NULL, 0 };
	struct proto_peer daemon_user = { 990, 990, NULL, 0 };
	struct proto_peer nobody = { 65534, 65534, NULL, 0 };
	struct proto_peer member = { 1000, 1000, groups, 2 };
	struct proto_peer primary = { 1001, 998, NULL, 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(all_types); i++) {
		const struct proto_spec *s = proto_spec(all_types[i]);
		int want_nobody = s->perm == PROTO_PERM_ANY;
		int want_admin = s->dir == PROTO_DIR_REQUEST;

		assert_int_equal(proto_allowed(s->type, &nobody, &adm),
		    want_nobody);
		assert_int_equal(proto_allowed(s->type, &root, &adm),
		    want_admin);
		assert_int_equal(proto_allowed(s->type, &daemon_user, &adm),
		    want_admin);
		assert_int_equal(proto_allowed(s->type, &member, &adm),
		    want_admin);
		assert_int_equal(proto_allowed(s->type, &primary, &adm),
		    want_admin);
	}
	assert_true(proto_allowed(PROTO_QUERY, &nobody, &adm));
	assert_true(proto_allowed(PROTO_ACQUIRE, &nobody, &adm));
	assert_true(proto_allowed(PROTO_SUBSCRIBE, &nobody, &adm));
	assert_false(proto_allowed(PROTO_IMPORT, &nobody, &adm));
	assert_false(proto_allowed(PROTO_RELOAD, &nobody, &adm));
	/* without admin_group, group membership counts for nothing */
	adm.has_admin_gid = false;
	assert_false(proto_allowed(PROTO_IMPORT, &member, &adm));
	assert_false(proto_allowed(PROTO_IMPORT, &primary, &adm));
	assert_true(proto_allowed(PROTO_IMPORT, &root, &adm));
	assert_false(proto_allowed(99, &root, &adm));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_table),
		cmocka_unit_test(t_roundtrip),
		cmocka_unit_test(t_roundtrip_values),
		cmocka_unit_test(t_oversized),
		cmocka_unit_test(t_truncated),
		cmocka_unit_test(t_unknown_type),
		cmocka_unit_test(t_wrong_size),
		cmocka_unit_test(t_header_fields),
		cmocka_unit_test(t_nul),
		cmocka_unit_test(t_permissions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
