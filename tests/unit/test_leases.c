/* SPDX-License-Identifier: MIT */
/* The lease table: ownership, counting, connections going away, and
 * revocation after a change (disallowed first, then the newest over the
 * limit), as DESIGN 5.2 asks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "leases.h"
#include "lerr.h"

static int conn_a, conn_b;	/* two connections: only their address */

static uint64_t
add(struct leases *ls, const void *owner, const char *feature,
    const char *purpose)
{
	struct lease l;
	uint64_t id = 0;

	memset(&l, 0, sizeof(l));
	l.owner = owner;
	snprintf(l.product, sizeof(l.product), "interceptor");
	snprintf(l.feature, sizeof(l.feature), "%s", feature);
	snprintf(l.purpose, sizeof(l.purpose), "%s", purpose);
	assert_int_equal(leases_add(ls, &l, &id), 0);
	return id;
}

/* What the "policy" allows in a test: feature, purpose, limit. */
struct rule {
	const char *feature, *purpose;	/* purpose NULL: any */
	uint32_t limit;
};

struct rules {
	size_t n;
	struct rule r[4];
};

static int
check(void *ctx, const struct lease *l, uint32_t *limit, const char **why)
{
	const struct rules *rs = ctx;
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (strcmp(rs->r[i].feature, l->feature) == 0 &&
		    (rs->r[i].purpose == NULL ||
		    strcmp(rs->r[i].purpose, l->purpose) == 0)) {
			*limit = rs->r[i].limit;
			return 1;
		}
	*why = "disabled-by-order";
	return 0;
}

struct seen {
	size_t n;
	uint64_t id[16];
	char why[16][40];
};

static void
note(void *ctx, const struct lease *l, const char *why)
{
	struct seen *s = ctx;

	s->id[s->n] = l->id;
	snprintf(s->why[s->n++], sizeof(s->why[0]), "%s", why);
}

static void
t_owner_and_count(void **state)
{
	struct leases ls;
	struct lease out;
	uint64_t a1, a2, b1;

	(void)state;
	leases_init(&ls);
	a1 = add(&ls, &conn_a, "geo.locate", "terrorism");
	a2 = add(&ls, &conn_a, "geo.locate", "serious-crime");
	b1 = add(&ls, &conn_b, "sms.intercept", "terrorism");
	assert_true(a1 < a2 && a2 < b1);
	assert_int_equal(leases_in_use(&ls, "interceptor", "geo.locate"), 2);
	assert_int_equal(leases_in_use(&ls, "interceptor", "sms.intercept"), 1);
	assert_int_equal(leases_in_use(&ls, "other", "geo.locate"), 0);
	/* another connection cannot end (or learn of) a lease */
	assert_int_equal(leases_remove(&ls, a1, &conn_b, NULL),
	    -LICD_E_NOT_FOUND);
	assert_int_equal(leases_remove(&ls, 999, &conn_a, NULL),
	    -LICD_E_NOT_FOUND);
	assert_int_equal(leases_remove(&ls, a1, &conn_a, &out), 0);
	assert_int_equal(out.id, a1);
	assert_string_equal(out.purpose, "terrorism");
	assert_int_equal(leases_remove(&ls, a1, &conn_a, NULL),
	    -LICD_E_NOT_FOUND);
	assert_int_equal(leases_in_use(&ls, "interceptor", "geo.locate"), 1);
	leases_free(&ls);
}

static void
t_connection_closes(void **state)
{
	struct seen s = { 0 };
	struct leases ls;

	(void)state;
	leases_init(&ls);
	add(&ls, &conn_a, "geo.locate", "terrorism");
	add(&ls, &conn_b, "geo.locate", "terrorism");
	add(&ls, &conn_a, "sms.intercept", "terrorism");
	assert_int_equal(leases_drop_owner(&ls, &conn_a, note, &s), 2);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.why[0], "disconnected");
	assert_int_equal(ls.n, 1);
	assert_ptr_equal(ls.v[0].owner, &conn_b);
	assert_int_equal(leases_drop_owner(&ls, &conn_a, NULL, NULL), 0);
	leases_free(&ls);
}

/* A feature no longer allowed: every lease of it goes, with the reason. */
static void
t_revoke_disallowed(void **state)
{
	struct rules rs = { 1, { { "geo.locate", NULL, 0 } } };
	struct seen s = { 0 };
	struct leases ls;
	uint64_t sms;

	(void)state;
	leases_init(&ls);
	add(&ls, &conn_a, "geo.locate", "terrorism");
	sms = add(&ls, &conn_b, "sms.intercept", "terrorism");
	assert_int_equal(leases_enforce(&ls, check, &rs, note, &s), 1);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.id[0], sms);
	assert_string_equal(s.why[0], "disabled-by-order");
	assert_int_equal(ls.n, 1);
	assert_string_equal(ls.v[0].feature, "geo.locate");
	leases_free(&ls);
}

/* A purpose no longer permitted: only the leases for that purpose go. */
static void
t_revoke_purpose(void **state)
{
	struct rules rs = { 1, { { "geo.locate", "terrorism", 0 } } };
	struct seen s = { 0 };
	struct leases ls;
	uint64_t crime;

	(void)state;
	leases_init(&ls);
	add(&ls, &conn_a, "geo.locate", "terrorism");
	crime = add(&ls, &conn_a, "geo.locate", "serious-crime");
	add(&ls, &conn_b, "geo.locate", "terrorism");
	assert_int_equal(leases_enforce(&ls, check, &rs, note, &s), 1);
	assert_int_equal(s.id[0], crime);
	assert_int_equal(leases_in_use(&ls, "interceptor", "geo.locate"), 2);
	leases_free(&ls);
}

/* A lower limit: the newest leases over it go, the oldest stay. */
static void
t_revoke_newest_over_limit(void **state)
{
	struct rules rs = { 2, { { "geo.locate", NULL, 2 },
	    { "sms.intercept", NULL, 0 } } };
	struct seen s = { 0 };
	struct leases ls;
	uint64_t id[5];
	int i;

	(void)state;
	leases_init(&ls);
	for (i = 0; i < 5; i++) {
		id[i] = add(&ls, i % 2 ? &conn_b : &conn_a, "geo.locate",
		    "terrorism");
		add(&ls, &conn_a, "sms.intercept", "terrorism");
	}
	assert_int_equal(leases_enforce(&ls, check, &rs, note, &s), 3);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.id[0], id[4]);
	assert_int_equal(s.id[1], id[3]);
	assert_int_equal(s.id[2], id[2]);
	assert_string_equal(s.why[0], "limit-reached");
	assert_int_equal(leases_in_use(&ls, "interceptor", "geo.locate"), 2);
	assert_int_equal(leases_in_use(&ls, "interceptor", "sms.intercept"), 5);
	/* the survivors are the two oldest, in order */
	for (i = 0; i < (int)ls.n && strcmp(ls.v[i].feature, "geo.locate");
	    i++)
		;
	assert_int_equal(ls.v[i].id, id[0]);
	/* nothing more to do the second time */
	s.n = 0;
	assert_int_equal(leases_enforce(&ls, check, &rs, note, &s), 0);
	leases_free(&ls);
}

static void
t_table_is_bounded(void **state)
{
	struct lease l;
	struct leases ls;
	uint64_t id;
	size_t i;

	(void)state;
	leases_init(&ls);
	memset(&l, 0, sizeof(l));
	snprintf(l.feature, sizeof(l.feature), "f");
	for (i = 0; i < LEASES_MAX; i++)
		assert_int_equal(leases_add(&ls, &l, &id), 0);
	assert_int_equal(leases_add(&ls, &l, &id), -LICD_E_LIMIT);
	leases_free(&ls);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_owner_and_count),
		cmocka_unit_test(t_connection_closes),
		cmocka_unit_test(t_revoke_disallowed),
		cmocka_unit_test(t_revoke_purpose),
		cmocka_unit_test(t_revoke_newest_over_limit),
		cmocka_unit_test(t_table_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
