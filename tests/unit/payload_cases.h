/* SPDX-License-Identifier: MIT */
/* Shared by the payload tests: fixed test keys, and table-driven negative
 * cases that start from a valid payload and change exactly one thing. */
#ifndef LICD_TEST_PAYLOAD_CASES_H
#define LICD_TEST_PAYLOAD_CASES_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lerr.h"
#include "payload.h"

/*
 * Ed25519 keys from the seeds 0x01..0x08 repeated 32 times, and their
 * PASERK ids, computed with libsodium independently of common/paserk.c
 * (the same program gives k4.pid.S_XQ... for the all-zero key of the PASERK
 * vector k4.pid-1).
 */
#define K1_PUB "k4.public.iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w"
#define K1_PID "k4.pid.oFk4UuUI-fnuyUmrMhgD5TgCRkmTKHDdm26vS1XN_7qC"
#define K2_PUB "k4.public.gTl3Dqh9F19Wo1Rmw0x-zMuNipG07jeiXfYPW4_Js5Q"
#define K2_PID "k4.pid.ng2_oj3yBeGbd5tUQzXcTjfxn-IzT8KACAUUZysT_d1Q"
#define K3_PUB "k4.public.7UkoxijRwsbq6QM4kFmVYSlZJzpcY_k2NsFGFKyHN9E"
#define K3_PID "k4.pid.DutRYAsvnojo7yMgn6VJO8oUn7jQXxGxFXrEoJAPdewu"
#define K4_PUB "k4.public.ypOsFwUYcHHWe4PH_w7-gQjo7EUwV113JoeTM9vavnw"
#define K4_PID "k4.pid.vECHGvvM3oKXzdcAmxf_klmzcRnWl5-EANB4E_d0tohR"
#define K5_PUB "k4.public.bnoc3Smwt4_ROvTFWY_v9O8qlxZuPKby5Pv8zYBQW_E"
#define K5_PID "k4.pid.PvNVnoIZjf25LsCCdI9Q7n4fN--JMgYfjaxvNSmilgv7"
#define K6_PUB "k4.public.iodf_x6zhFFXes1a_uQFRWVo3XyJ4JCGOgVXvHr0nxc"
#define K6_PID "k4.pid.jvAO4xw4lRZ69vtE_boF55K8dMOLyLeG8wHsEGqfncoz"
#define K7_PUB "k4.public.6kpsY-KcUgq-9VB7Ey7F-ZVHdq6-vnuSQh7qaRRG0iw"
#define K7_PID "k4.pid.TpmKCK_RMK1F8ToC4LD1zuQDsEAWHCfPfArwpHlOWjjP"
#define K8_PUB "k4.public.E5j2LG0aRXxRumpLXz29L2n8qTIWIY3ImX5Ba9F9k8o"
#define K8_PID "k4.pid.oGmZsm0JN7f8anNPTDn2bE-S5kOJ8TnYv2wBcwzczO7X"

#define HEX64 "0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef"
#define SHA256 "sha256:" HEX64

/* Long strings for bounds: 64, 256 and 512 bytes of 'a'. */
#define A16 "aaaaaaaaaaaaaaaa"
#define A64 A16 A16 A16 A16
#define A256 A64 A64 A64 A64
#define A512 A256 A256

/* One negative case: replace `from` (found exactly once in the base) by
 * `to`; the decoder must fail with `code` and a message containing `msg`. */
struct pl_case {
	const char *name;
	const char *from;
	const char *to;
	int code;
	const char *msg;
};

struct pl_group {
	enum doc_type type;
	const char *base;
	const struct pl_case *cases;
	size_t ncases;
};

/* What each generated cmocka test gets as its state. */
struct pl_run {
	const struct pl_group *g;
	const struct pl_case *c;
};

static inline size_t
pl_count(const char *hay, const char *needle)
{
	size_t n = 0;
	const char *p = hay;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* base with its one occurrence of from replaced by to (malloc'd). */
static inline char *
pl_mutate(const char *base, const char *from, const char *to)
{
	const char *at = strstr(base, from);
	size_t head, n;
	char *out;

	if (at == NULL || pl_count(base, from) != 1)
		return NULL;
	head = (size_t)(at - base);
	n = strlen(base) - strlen(from) + strlen(to);
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(out, base, head);
	memcpy(out + head, to, strlen(to));
	strcpy(out + head + strlen(to), at + strlen(from));
	return out;
}

/* Assert that msg fails validation as type t with code and substring. */
static inline void
pl_expect_fail(enum doc_type t, const char *msg, size_t len, int code,
    const char *sub, const char *name)
{
	struct lerr e;
	int r;

	lerr_clear(&e);
	r = pl_validate(t, (const uint8_t *)msg, len, &e);
	if (getenv("PL_SHOW") != NULL)	/* list the messages (doc review) */
		fprintf(stderr, "%-36s %s: %s\n", name, lerr_reason(r), e.msg);
	if (r != -code || e.code != code || strstr(e.msg, sub) == NULL) {
		print_error("case \"%s\": got %d (%s) \"%s\"; want %s with "
		    "\"%s\"\n", name, r, lerr_reason(r), e.msg,
		    lerr_reason(code), sub);
		fail();
	}
}

static inline void
pl_expect_ok(enum doc_type t, const char *msg, const char *name)
{
	struct lerr e;
	int r;

	lerr_clear(&e);
	r = pl_validate(t, (const uint8_t *)msg, strlen(msg), &e);
	if (r != 0) {
		print_error("case \"%s\": rejected: %s: %s\n", name,
		    lerr_reason(r), e.msg);
		fail();
	}
}

static inline void
pl_run_case(void **state)
{
	const struct pl_run *run = *state;
	char *m;

	m = pl_mutate(run->g->base, run->c->from, run->c->to);
	if (m == NULL) {
		print_error("case \"%s\": \"%s\" is not exactly once in the "
		    "base payload\n", run->c->name, run->c->from);
		fail();
	}
	pl_expect_fail(run->g->type, m, strlen(m), run->c->code, run->c->msg,
	    run->c->name);
	free(m);
}

/* Run every case of the groups as its own named cmocka test. */
static inline int
pl_run_groups(const char *title, const struct pl_group *g, size_t ng)
{
	struct CMUnitTest *t;
	struct pl_run *runs;
	size_t i, j, n = 0, k = 0;
	int r;

	for (i = 0; i < ng; i++)
		n += g[i].ncases;
	t = calloc(n, sizeof(*t));
	runs = calloc(n, sizeof(*runs));
	if (t == NULL || runs == NULL)
		return 1;
	for (i = 0; i < ng; i++)
		for (j = 0; j < g[i].ncases; j++, k++) {
			runs[k].g = &g[i];
			runs[k].c = &g[i].cases[j];
			t[k].name = g[i].cases[j].name;
			t[k].test_func = pl_run_case;
			t[k].initial_state = &runs[k];
		}
	r = _cmocka_run_group_tests(title, t, n, NULL, NULL);
	free(t);
	free(runs);
	return r;
}

#define PL_NCASES(a) (sizeof(a) / sizeof((a)[0]))

#endif
