/* SPDX-License-Identifier: MIT */
/* Shared by the payload fuzz harnesses: the invariants every decoder must
 * keep, checked with abort() so libFuzzer reports a violation as a crash. */
#ifndef LICD_FUZZ_PAYLOAD_H
#define LICD_FUZZ_PAYLOAD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "ltime.h"
#include "payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(c) do { if (!(c)) abort(); } while (0)
/* A char array member holds a NUL-terminated string. */
#define FZ_STR(a) FZ_CHECK(memchr((a), '\0', sizeof(a)) != NULL)
#define FZ_TEXT(a) do { FZ_STR(a); \
	FZ_CHECK(js_text_valid((a), strlen(a))); } while (0)

/* A failure is a payload error with a message, or out of memory. */
static inline void
fz_check_result(int r, const struct lerr *e)
{
	const char *p;

	if (r == 0)
		return;
	FZ_CHECK(r == -LICD_E_PAYLOAD || r == -LICD_E_TOO_LARGE ||
	    r == -LICD_E_NOMEM);
	FZ_CHECK(e->code == -r);
	FZ_CHECK(memchr(e->msg, '\0', sizeof(e->msg)) != NULL);
	FZ_CHECK(e->msg[0] != '\0');
	/* messages quote input only through sanitised paths and checked
	 * names: printable ASCII, safe in logs and JSON output */
	for (p = e->msg; *p != '\0'; p++)
		FZ_CHECK(*p >= 0x20 && *p <= 0x7e);
}

/* A decoded time formats back to a string that parses to it. */
static inline void
fz_check_time(int64_t t)
{
	char s[LTIME_LEN + 1];
	int64_t back;

	ltime_format(t, s);
	FZ_CHECK(ltime_parse(s, LTIME_LEN, &back) == 0 && back == t);
}

/* pl_validate() must agree with the decoder on the same bytes. */
static inline void
fz_check_validate(enum doc_type t, const uint8_t *data, size_t size, int r)
{
	FZ_CHECK(pl_validate(t, data, size, NULL) == r);
}

/* Decode into a heap struct of the type's size, check, free. */
#define FZ_HARNESS(type, tname, decode, check)				\
int									\
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)		\
{									\
	type *out = malloc(sizeof(*out));				\
	struct lerr e;							\
	int r;								\
									\
	if (out == NULL)						\
		return 0;						\
	lerr_clear(&e);							\
	r = decode(data, size, out, &e);				\
	fz_check_result(r, &e);						\
	if (r == 0)							\
		check(out);						\
	fz_check_validate(tname, data, size, r);			\
	free(out);							\
	return 0;							\
}

#endif
