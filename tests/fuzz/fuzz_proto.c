/* SPDX-License-Identifier: MIT */
/* libFuzzer: the socket frame decoder. Whatever a peer sends, decoding
 * stays inside the frame, and every frame that decodes encodes back to
 * exactly the same bytes (one encoding per message). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lerr.h"
#include "proto.h"	/* common/proto.c is linked in (COMMON_SRC) */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)	do { if (!(x)) abort(); } while (0)

static uint8_t out[PROTO_MAX_MSG];

/* Each field's view lies inside the frame. */
static void
check_views(const struct proto_msg *m, const uint8_t *buf, size_t len)
{
	const struct proto_spec *s = proto_spec(m->type);
	const struct proto_bytes *b;
	size_t i;

	for (i = 0; i < s->nfields; i++) {
		if (s->fields[i].kind != PROTO_STR &&
		    s->fields[i].kind != PROTO_BLOB)
			continue;
		b = (const void *)((const char *)m + s->fields[i].off);
		CHECK(b->len <= s->fields[i].max);
		CHECK(b->len == 0 || (b->p >= buf + PROTO_HDR_LEN &&
		    b->p + b->len <= buf + len));
		CHECK(b->len == 0 || memchr(b->p, '\0', b->len) == NULL);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct proto_peer nobody = { 65534, 65534, NULL, 0 };
	static const struct proto_admin adm = { 990, true, 998 };
	struct proto_msg m;
	const char *why = NULL;
	uint32_t total;
	size_t len;
	int r;

	if (proto_table_check(&why) != 0)
		abort();
	r = proto_header(data, size, PROTO_DIR_REQUEST | PROTO_DIR_CLIENT,
	    &total, &why);
	if (r == 0)
		CHECK(total >= PROTO_HDR_LEN && total <= PROTO_MAX_MSG);
	else
		CHECK(why != NULL && total == 0);
	r = proto_decode(data, size, PROTO_DIR_REQUEST | PROTO_DIR_CLIENT, &m,
	    &why);
	if (r != 0) {
		CHECK(r == -LICD_E_MALFORMED || r == -LICD_E_TOO_LARGE);
		return 0;
	}
	CHECK(size == total);
	check_views(&m, data, size);
	(void)proto_allowed(m.type, &nobody, &adm);
	CHECK(proto_encoded_len(&m) == size);
	CHECK(proto_encode(&m, out, sizeof(out), &len) == 0);
	CHECK(len == size && memcmp(out, data, size) == 0);
	return 0;
}
