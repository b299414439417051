/* SPDX-License-Identifier: MIT */
/* liblicd's check path against snapshots made by licd's own writer
 * (snap_create/snap_publish) in a temporary runtime directory: every
 * reason, purposes, handles, staleness, a restarted daemon, a writer stuck
 * mid-update, bad files, fork, threads that never see a torn state, and
 * acquire without a daemon. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lerr.h"
#include "snapshot.h"
/* By path: -Idaemon comes first in the test rule, and daemon/ has a
 * licd.h of its own. This also proves the public header and lerr.h
 * (both LICD_E_*) can be included together. */
#include "../../client-lib/include/licd.h"

#define DEVICE "k4.pid.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define SEC 1000000000LL
#define P "interceptor"

static char dir[64], path[128];
static struct snap_writer w;
static struct snap_entry ents[64];
static uint32_t nents;
static char purposes[4][SNAP_NAME_LEN];
static uint32_t npurposes;

static int
quick(void)
{
	const char *q = getenv("LICD_TEST_QUICK");

	return q != NULL && *q == '1';
}

static int64_t
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * SEC + ts.tv_nsec;
}

static void
msleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_liblicd.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/snapshot", dir);
	memset(&w, 0, sizeof(w));
	w.fd = -1;
	nents = 0;
	npurposes = 0;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snap_close(&w);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
purpose(const char *name)
{
	snprintf(purposes[npurposes++], SNAP_NAME_LEN, "%s", name);
}

/* Add an entry; bits are purpose indices. */
static void
ent(const char *product, const char *feature, int allowed,
    const char *reason, uint64_t bits, int state)
{
	struct snap_entry *e = &ents[nents++];

	memset(e, 0, sizeof(*e));
	snprintf(e->product, sizeof(e->product), "%s", product);
	snprintf(e->feature, sizeof(e->feature), "%s", feature);
	snprintf(e->lid, sizeof(e->lid), "IL-2026-0042");
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
	e->purposes = bits;
	e->allowed = (uint8_t)allowed;
	e->state = (uint8_t)state;
}

static void
publish(void)
{
	if (w.map == NULL)
		assert_int_equal(snap_create(&w, path, 8, 30 * SEC, DEVICE,
		    NULL), 0);
	assert_int_equal(snap_publish(&w, ents, nents,
	    (const char (*)[SNAP_NAME_LEN])purposes, npurposes, NULL), 0);
}

static licd_t *
open_h(void)
{
	struct licd_options o = LICD_OPTIONS_INIT;
	licd_t *h = NULL;

	o.runtime_dir = dir;
	o.timeout_ms = 300;
	assert_int_equal(licd_open(P, &o, &h), 0);
	assert_non_null(h);
	return h;
}

/* The reason of a check by name, "allowed" when allowed; the handle
 * path must agree. */
static const char *
ask(licd_t *h, const char *feature, const char *purp)
{
	licd_reason_t r1 = 99, r2 = 99;
	licd_feature_t f = licd_feature_resolve(h, feature);
	licd_purpose_t p = purp != NULL ? licd_purpose_resolve(h, purp) :
	    LICD_PURPOSE_NONE;
	int a1 = licd_check(h, feature, purp, &r1);
	int a2 = licd_check_handle(h, f, p, &r2);

	assert_int_equal(a1, a2);
	assert_int_equal(r1, r2);
	assert_int_equal(a1, r1 == LICD_REASON_NONE);
	return a1 ? "allowed" : licd_reason_str(r1);
}

/* A standard licence: sms.intercept for both purposes, geo.locate for
 * terrorism only, voice.record disabled by an order. */
static void
standard(void)
{
	nents = npurposes = 0;
	purpose("terrorism");
	purpose("serious-crime");
	ent(P, "", 1, "", 0, 4);
	ent(P, "sms.intercept", 1, "", 3, 4);
	ent(P, "geo.locate", 1, "", 1, 4);
	ent(P, "voice.record", 0, "disabled-by-order", 0, 4);
	ent("other", "mail.read", 1, "", 3, 5);
	publish();
}

static int eventually(licd_t *h, const char *feature, const char *purp,
    const char *want);

/* ---- arguments and strings ---- */

static void
test_open_arguments(void **state)
{
	struct licd_options o = LICD_OPTIONS_INIT;
	unsigned char big[sizeof(o) + 16];
	char longp[300];
	licd_t *h = (licd_t *)1;

	(void)state;
	assert_int_equal(licd_open(P, NULL, NULL), -LICD_E_ARGUMENT);
	assert_int_equal(licd_open(NULL, NULL, &h), -LICD_E_ARGUMENT);
	assert_null(h);
	assert_int_equal(licd_open("Interceptor", NULL, &h), -LICD_E_ARGUMENT);
	assert_int_equal(licd_open("", NULL, &h), -LICD_E_ARGUMENT);
	assert_int_equal(licd_open("-x", NULL, &h), -LICD_E_ARGUMENT);
	memset(longp, 'a', 65);
	longp[65] = '\0';
	assert_int_equal(licd_open(longp, NULL, &h), -LICD_E_ARGUMENT);
	longp[64] = '\0';
	assert_int_equal(licd_open(longp, NULL, &h), 0);
	licd_close(h);
	o.flags = 0x80;
	assert_int_equal(licd_open(P, &o, &h), -LICD_E_ARGUMENT);
	o.flags = 0;
	o.timeout_ms = -1;
	assert_int_equal(licd_open(P, &o, &h), -LICD_E_ARGUMENT);
	o.timeout_ms = LICD_MAX_TIMEOUT_MS + 1;
	assert_int_equal(licd_open(P, &o, &h), -LICD_E_ARGUMENT);
	o.timeout_ms = 0;
	o.size = 0;
	assert_int_equal(licd_open(P, &o, &h), -LICD_E_ARGUMENT);
	/* A socket path longer than sun_path. */
	o.size = sizeof(o);
	memset(longp, 'd', 200);
	longp[0] = '/';
	longp[200] = '\0';
	o.socket_path = longp;
	assert_int_equal(licd_open(P, &o, &h), -LICD_E_ARGUMENT);
	o.socket_path = NULL;
	o.runtime_dir = longp;
	assert_int_equal(licd_open(P, &o, &h), -LICD_E_ARGUMENT);
	/* A newer caller's larger struct: zero tail fine, set tail not. */
	o.runtime_dir = dir;
	memset(big, 0, sizeof(big));
	memcpy(big, &o, sizeof(o));
	((struct licd_options *)(void *)big)->size = sizeof(big);
	assert_int_equal(licd_open(P, (void *)big, &h), 0);
	licd_close(h);
	big[sizeof(o) + 3] = 1;
	assert_int_equal(licd_open(P, (void *)big, &h), -LICD_E_ARGUMENT);
	/* An older caller's smaller struct (size and flags only). */
	o.size = offsetof(struct licd_options, runtime_dir);
	assert_int_equal(licd_open(P, &o, &h), 0);
	licd_close(h);
	licd_close(NULL);
}

static void
test_strings(void **state)
{
	(void)state;
	assert_string_equal(licd_version(), LICD_VERSION_STRING);
	assert_string_equal(licd_reason_str(LICD_REASON_NONE), "none");
	assert_string_equal(licd_reason_str(LICD_REASON_NOT_LICENSED),
	    "not-licensed");
	assert_string_equal(licd_reason_str(LICD_REASON_DISABLED_BY_ORDER),
	    "disabled-by-order");
	assert_string_equal(licd_reason_str(LICD_REASON_SUSPENDED),
	    "suspended");
	assert_string_equal(licd_reason_str(LICD_REASON_REVOKED), "revoked");
	assert_string_equal(licd_reason_str(LICD_REASON_STALE), "stale");
	assert_string_equal(licd_reason_str(
	    LICD_REASON_PURPOSE_NOT_PERMITTED), "purpose-not-permitted");
	assert_string_equal(licd_reason_str(LICD_REASON_LIMIT_REACHED),
	    "limit-reached");
	assert_string_equal(licd_reason_str(LICD_REASON_DAEMON_UNAVAILABLE),
	    "daemon-unavailable");
	assert_string_equal(licd_reason_str(LICD_REASON_INVALID), "invalid");
	assert_string_equal(licd_reason_str(LICD_REASON_EXPIRED), "expired");
	assert_string_equal(licd_reason_str(LICD_REASON_EQUIVOCATION),
	    "equivocation");
	assert_string_equal(licd_reason_str(LICD_REASON_DISABLED_LOCALLY),
	    "disabled-locally");
	assert_string_equal(licd_reason_str(LICD_REASON_OTHER), "other");
	assert_string_equal(licd_reason_str((licd_reason_t)1000), "other");
	assert_string_equal(licd_reason_str((licd_reason_t)-1), "other");
	assert_string_equal(licd_state_str(LICD_STATE_ACTIVE), "active");
	assert_string_equal(licd_state_str(LICD_STATE_RESTRICTED),
	    "restricted");
	assert_string_equal(licd_state_str(LICD_STATE_INVALID), "invalid");
	assert_string_equal(licd_state_str(LICD_STATE_UNKNOWN), "unknown");
	assert_string_equal(licd_state_str((licd_state_t)77), "unknown");
	assert_string_equal(licd_strerror(0), "success");
	assert_string_equal(licd_strerror(-LICD_E_UNAVAILABLE),
	    "licd cannot be reached");
	assert_string_equal(licd_strerror(LICD_E_TIMEOUT),
	    "licd did not answer in time");
	assert_string_equal(licd_strerror(-12345), "unknown error");
	/* lerr.h's codes are another namespace: both compile together. */
	assert_int_not_equal(LICD_E_NOMEM, -1);
}

/* ---- decisions ---- */

static void
test_allowed_and_purposes(void **state)
{
	licd_t *h;

	(void)state;
	standard();
	h = open_h();
	assert_string_equal(ask(h, "sms.intercept", "terrorism"), "allowed");
	assert_string_equal(ask(h, "sms.intercept", "serious-crime"),
	    "allowed");
	assert_string_equal(ask(h, "sms.intercept", NULL), "allowed");
	assert_string_equal(ask(h, "geo.locate", "terrorism"), "allowed");
	assert_string_equal(ask(h, "geo.locate", "serious-crime"),
	    "purpose-not-permitted");
	/* A purpose no table has, and one that is not a name. */
	assert_string_equal(ask(h, "geo.locate", "espionage"),
	    "purpose-not-permitted");
	assert_int_equal(licd_check(h, "geo.locate", "Terrorism", NULL), 0);
	assert_string_equal(ask(h, "voice.record", "terrorism"),
	    "disabled-by-order");
	/* Not in the licence; another product's feature; bad names. */
	assert_string_equal(ask(h, "wifi.crack", "terrorism"),
	    "not-licensed");
	assert_string_equal(ask(h, "mail.read", NULL), "not-licensed");
	assert_int_equal(licd_check(h, "SMS.intercept", NULL, NULL), 0);
	assert_int_equal(licd_check(h, "", NULL, NULL), 0);
	assert_int_equal(licd_check(h, NULL, NULL, NULL), 0);
	assert_int_equal(licd_check(NULL, "sms.intercept", NULL, NULL), 0);
	licd_close(h);
}

/* Every reason licd can publish comes back as itself. */
static void
test_each_reason(void **state)
{
	static const struct {
		const char *code;
		licd_reason_t want;
		int lstate;
	} cases[] = {
		{ "disabled-by-order", LICD_REASON_DISABLED_BY_ORDER, 4 },
		{ "suspended", LICD_REASON_SUSPENDED, 3 },
		{ "revoked", LICD_REASON_REVOKED, 2 },
		{ "stale", LICD_REASON_STALE, 4 },
		{ "purpose-not-permitted", LICD_REASON_PURPOSE_NOT_PERMITTED,
		  4 },
		{ "limit-reached", LICD_REASON_LIMIT_REACHED, 5 },
		{ "invalid", LICD_REASON_INVALID, 0 },
		{ "expired", LICD_REASON_EXPIRED, 1 },
		{ "equivocation", LICD_REASON_EQUIVOCATION, 3 },
		{ "disabled-locally", LICD_REASON_DISABLED_LOCALLY, 4 },
		{ "not-licensed", LICD_REASON_NOT_LICENSED, 5 },
		{ "brand-new-reason", LICD_REASON_OTHER, 4 },
		/* No code: the state says why; active and denied: other. */
		{ "", LICD_REASON_SUSPENDED, 3 },
		{ "", LICD_REASON_OTHER, 5 },
	};
	char name[32];
	licd_reason_t r;
	licd_t *h;
	size_t i;

	(void)state;
	purpose("terrorism");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		ent(P, name, 0, cases[i].code, 1, cases[i].lstate);
	}
	publish();
	h = open_h();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		r = LICD_REASON_NONE;
		assert_int_equal(licd_check(h, name, "terrorism", &r), 0);
		if (r != cases[i].want)
			fail_msg("%s: got %s", cases[i].code,
			    licd_reason_str(r));
		assert_string_equal(ask(h, name, NULL),
		    licd_reason_str(cases[i].want));
	}
	licd_close(h);
}

/* The product's own row: a revoked product with no feature rows. */
static void
test_product_row(void **state)
{
	licd_state_t st;
	licd_reason_t r;
	licd_t *h;

	(void)state;
	purpose("terrorism");
	ent(P, "", 0, "revoked", 0, 2);
	publish();
	h = open_h();
	assert_string_equal(ask(h, "sms.intercept", "terrorism"), "revoked");
	assert_int_equal(licd_state(h, &st, &r), 0);
	assert_int_equal(st, LICD_STATE_REVOKED);
	assert_int_equal(r, LICD_REASON_REVOKED);
	/* An active row does not make an unknown feature anything but
	 * unlicensed. */
	nents = 0;
	ent(P, "", 1, "", 0, 5);
	ent(P, "geo.locate", 1, "", 1, 5);
	publish();
	assert_string_equal(ask(h, "sms.intercept", "terrorism"),
	    "not-licensed");
	assert_string_equal(ask(h, "geo.locate", "terrorism"), "allowed");
	licd_close(h);
}

static void
test_state(void **state)
{
	licd_state_t st;
	licd_reason_t r;
	licd_t *h;

	(void)state;
	standard();
	h = open_h();
	assert_int_equal(licd_state(NULL, &st, &r), -LICD_E_ARGUMENT);
	assert_int_equal(licd_state(h, NULL, NULL), 0);
	assert_int_equal(licd_state(h, &st, &r), 0);
	assert_int_equal(st, LICD_STATE_RESTRICTED);
	assert_int_equal(r, LICD_REASON_NONE);
	/* Suspended by an order: the row says so. */
	nents = 0;
	ent(P, "", 0, "suspended", 0, 3);
	ent(P, "sms.intercept", 0, "suspended", 0, 3);
	publish();
	assert_int_equal(licd_state(h, &st, &r), 0);
	assert_int_equal(st, LICD_STATE_SUSPENDED);
	assert_int_equal(r, LICD_REASON_SUSPENDED);
	/* Without a row, the features' state; an equivocation. */
	nents = 0;
	ent(P, "sms.intercept", 0, "equivocation", 0, 3);
	publish();
	assert_int_equal(licd_state(h, &st, &r), 0);
	assert_int_equal(st, LICD_STATE_SUSPENDED);
	assert_int_equal(r, LICD_REASON_SUSPENDED);
	/* Nothing for this product. */
	nents = 0;
	ent("other", "", 1, "", 0, 5);
	publish();
	assert_int_equal(licd_state(h, &st, &r), 0);
	assert_int_equal(st, LICD_STATE_INVALID);
	assert_int_equal(r, LICD_REASON_NOT_LICENSED);
	/* Stale. */
	__atomic_store_n(&w.map->published_mono, mono() - 60 * SEC,
	    __ATOMIC_RELEASE);
	assert_int_equal(licd_state(h, &st, &r), 0);
	assert_int_equal(st, LICD_STATE_UNKNOWN);
	assert_int_equal(r, LICD_REASON_DAEMON_UNAVAILABLE);
	licd_close(h);
}

/* ---- handles ---- */

static void
test_handles(void **state)
{
	licd_feature_t f, g;
	licd_purpose_t p, q;
	licd_reason_t r;
	licd_t *h;

	(void)state;
	h = open_h();
	/* Resolved before licd publishes anything. */
	f = licd_feature_resolve(h, "sms.intercept");
	p = licd_purpose_resolve(h, "terrorism");
	assert_true(f >= 0);
	assert_true(p >= 0);
	assert_int_equal(licd_check_handle(h, f, p, &r), 0);
	assert_int_equal(r, LICD_REASON_DAEMON_UNAVAILABLE);
	assert_int_equal(licd_feature_resolve(h, "sms.intercept"), f);
	assert_int_equal(licd_purpose_resolve(h, "terrorism"), p);
	g = licd_feature_resolve(h, "geo.locate");
	assert_true(g >= 0 && g != f);
	assert_int_equal(licd_feature_resolve(h, "Bad"), -LICD_E_ARGUMENT);
	assert_int_equal(licd_feature_resolve(h, ""), -LICD_E_ARGUMENT);
	assert_int_equal(licd_feature_resolve(NULL, "x"), -LICD_E_ARGUMENT);
	assert_int_equal(licd_purpose_resolve(h, "a b"), -LICD_E_ARGUMENT);
	assert_int_equal(licd_purpose_resolve(NULL, "x"), -LICD_E_ARGUMENT);
	standard();
	/* Found within the re-open interval, without the product asking. */
	assert_true(eventually(h, "sms.intercept", "terrorism", "allowed"));
	assert_int_equal(licd_check_handle(h, f, p, &r), 1);
	assert_int_equal(r, LICD_REASON_NONE);
	/* Handles h did not give: deny, never allow. */
	assert_int_equal(licd_check_handle(h, -LICD_E_ARGUMENT, p, &r), 0);
	assert_int_equal(r, LICD_REASON_NOT_LICENSED);
	assert_int_equal(licd_check_handle(h, 0, p, &r), 0);
	assert_int_equal(r, LICD_REASON_NOT_LICENSED);
	assert_int_equal(licd_check_handle(h, 9999, p, &r), 0);
	assert_int_equal(licd_check_handle(h, f, -LICD_E_TOO_MANY, &r), 0);
	assert_int_equal(r, LICD_REASON_PURPOSE_NOT_PERMITTED);
	assert_int_equal(licd_check_handle(h, f, 63, &r), 0);
	assert_int_equal(r, LICD_REASON_PURPOSE_NOT_PERMITTED);
	assert_int_equal(licd_check_handle(NULL, f, p, &r), 0);
	assert_int_equal(r, LICD_REASON_DAEMON_UNAVAILABLE);
	assert_int_equal(licd_check_handle(h, f, LICD_PURPOSE_NONE, &r), 1);
	/*
	 * The entries move and the purpose table is reordered: the cached
	 * places must be found again, not reused.
	 */
	q = licd_purpose_resolve(h, "serious-crime");
	assert_int_equal(licd_check_handle(h, g, q, &r), 0);
	assert_int_equal(r, LICD_REASON_PURPOSE_NOT_PERMITTED);
	nents = npurposes = 0;
	purpose("serious-crime");
	purpose("terrorism");
	ent(P, "geo.locate", 1, "", 1, 4);	/* serious-crime only now */
	ent(P, "sms.intercept", 0, "disabled-by-order", 0, 4);
	publish();
	assert_int_equal(licd_check_handle(h, f, p, &r), 0);
	assert_int_equal(r, LICD_REASON_DISABLED_BY_ORDER);
	assert_int_equal(licd_check_handle(h, g, q, &r), 1);
	assert_int_equal(licd_check_handle(h, g, p, &r), 0);
	assert_int_equal(r, LICD_REASON_PURPOSE_NOT_PERMITTED);
	/* The feature disappears. */
	nents = 0;
	ent(P, "geo.locate", 1, "", 1, 4);
	publish();
	assert_int_equal(licd_check_handle(h, f, p, &r), 0);
	assert_int_equal(r, LICD_REASON_NOT_LICENSED);
	licd_close(h);
}

/* LICD_MAX_FEATURES names: then TOO_MANY, and checks by name go on
 * working without a handle. */
static void
test_table_full(void **state)
{
	licd_reason_t r;
	char name[16];
	licd_t *h;
	int i;

	(void)state;
	purpose("terrorism");
	purpose("serious-crime");
	ent(P, "late.feature", 1, "", 3, 5);
	publish();
	h = open_h();
	for (i = 0; i < LICD_MAX_FEATURES; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		assert_true(licd_feature_resolve(h, name) >= 0);
	}
	assert_int_equal(licd_feature_resolve(h, "late.feature"),
	    -LICD_E_TOO_MANY);
	assert_int_equal(licd_check(h, "late.feature", "terrorism", &r), 1);
	assert_int_equal(licd_check(h, "f7", "terrorism", &r), 0);
	assert_int_equal(r, LICD_REASON_NOT_LICENSED);
	/* "terrorism" is one already. */
	for (i = 1; i < LICD_MAX_PURPOSES; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		assert_true(licd_purpose_resolve(h, name) >= 0);
	}
	assert_int_equal(licd_purpose_resolve(h, "serious-crime"),
	    -LICD_E_TOO_MANY);
	assert_int_equal(licd_check(h, "late.feature", "terrorism", &r), 1);
	assert_int_equal(licd_check(h, "late.feature", "serious-crime", &r),
	    1);
	assert_int_equal(licd_check(h, "late.feature", "espionage", &r), 0);
	assert_int_equal(r, LICD_REASON_PURPOSE_NOT_PERMITTED);
	assert_int_equal(licd_check(h, "late.feature", "p1", &r), 0);
	assert_int_equal(r, LICD_REASON_PURPOSE_NOT_PERMITTED);
	licd_close(h);
}

/* ---- staleness, restarts, bad files ---- */

static void
test_stale(void **state)
{
	licd_reason_t r;
	licd_t *h;

	(void)state;
	standard();
	h = open_h();
	assert_string_equal(ask(h, "sms.intercept", "terrorism"), "allowed");
	/* licd stopped refreshing 60 s ago (grace 30 s). */
	__atomic_store_n(&w.map->published_mono, mono() - 60 * SEC,
	    __ATOMIC_RELEASE);
	assert_string_equal(ask(h, "sms.intercept", "terrorism"),
	    "daemon-unavailable");
	/* Just inside the grace. */
	__atomic_store_n(&w.map->published_mono, mono() - 29 * SEC,
	    __ATOMIC_RELEASE);
	assert_string_equal(ask(h, "sms.intercept", "terrorism"), "allowed");
	/* Nonsense from the future is stale too. */
	__atomic_store_n(&w.map->published_mono, mono() + 3600 * SEC,
	    __ATOMIC_RELEASE);
	assert_int_equal(licd_check(h, "sms.intercept", NULL, &r), 0);
	assert_int_equal(r, LICD_REASON_DAEMON_UNAVAILABLE);
	/* A shorter grace set by a reload. */
	snap_refresh(&w);
	assert_int_equal(licd_check(h, "sms.intercept", NULL, &r), 1);
	__atomic_store_n(&w.map->published_mono, mono() - 3 * SEC,
	    __ATOMIC_RELEASE);
	assert_int_equal(licd_check(h, "sms.intercept", NULL, &r), 1);
	snap_set_grace(&w, 2 * SEC);
	assert_int_equal(licd_check(h, "sms.intercept", NULL, &r), 0);
	assert_int_equal(r, LICD_REASON_DAEMON_UNAVAILABLE);
	/* licd comes back to life. */
	snap_refresh(&w);
	assert_int_equal(licd_check(h, "sms.intercept", NULL, &r), 1);
	licd_close(h);
}

/* Wait (bounded) until a check answers want. */
static int
eventually(licd_t *h, const char *feature, const char *purp,
    const char *want)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (strcmp(ask(h, feature, purp), want) == 0)
			return 1;
		msleep(10);
	}
	return 0;
}

/* No snapshot yet: denied, and picked up once licd publishes. */
static void
test_no_snapshot_then_started(void **state)
{
	licd_state_t st;
	licd_reason_t r;
	licd_t *h;

	(void)state;
	h = open_h();
	assert_string_equal(ask(h, "sms.intercept", "terrorism"),
	    "daemon-unavailable");
	assert_int_equal(licd_state(h, &st, &r), 0);
	assert_int_equal(st, LICD_STATE_UNKNOWN);
	assert_int_equal(r, LICD_REASON_DAEMON_UNAVAILABLE);
	standard();
	assert_true(eventually(h, "sms.intercept", "terrorism", "allowed"));
	licd_close(h);
}

/*
 * licd restarts: a new file replaces the old one, which is marked
 * superseded. The product sees the new decisions on its next check,
 * without doing anything, every time.
 */
static void
test_restarts(void **state)
{
	struct snap_writer next;
	licd_feature_t f;
	licd_purpose_t p;
	licd_reason_t r;
	licd_t *h;
	int i;

	(void)state;
	standard();
	h = open_h();
	f = licd_feature_resolve(h, "sms.intercept");
	p = licd_purpose_resolve(h, "terrorism");
	assert_int_equal(licd_check_handle(h, f, p, &r), 1);
	for (i = 0; i < 12; i++) {
		nents = 0;
		ent(P, "sms.intercept", i % 2, i % 2 ? "" : "suspended", 1,
		    i % 2 ? 5 : 3);
		assert_int_equal(snap_create(&next, path, 8, 30 * SEC, DEVICE,
		    NULL), 0);
		assert_int_equal(snap_publish(&next, ents, nents,
		    (const char (*)[SNAP_NAME_LEN])purposes, npurposes, NULL),
		    0);
		snap_close(&w);		/* the old licd is gone */
		w = next;
		assert_int_equal(licd_check_handle(h, f, p, &r), i % 2);
		assert_int_equal(r, i % 2 ? LICD_REASON_NONE :
		    LICD_REASON_SUSPENDED);
		assert_int_equal(licd_check(h, "sms.intercept", "terrorism",
		    &r), i % 2);
	}
	licd_close(h);
}

/* The old file unlinked rather than superseded (a cleaned runtime_dir):
 * found once the old one goes stale. */
static void
test_replaced_silently(void **state)
{
	struct snap_writer old;
	licd_t *h;

	(void)state;
	standard();
	h = open_h();
	assert_string_equal(ask(h, "voice.record", NULL),
	    "disabled-by-order");
	old = w;
	assert_int_equal(unlink(path), 0);
	memset(&w, 0, sizeof(w));
	nents = 0;
	ent(P, "voice.record", 1, "", 1, 5);
	publish();
	/* The old one is still fresh: it still answers. */
	assert_string_equal(ask(h, "voice.record", NULL),
	    "disabled-by-order");
	__atomic_store_n(&old.map->published_mono, mono() - 60 * SEC,
	    __ATOMIC_RELEASE);
	assert_true(eventually(h, "voice.record", NULL, "allowed"));
	snap_close(&old);
	licd_close(h);
}

/* A writer that died inside the seqlock (seq odd): bounded retries, then
 * daemon-unavailable; never a hang, never a half-written answer. */
static void
test_writer_stuck(void **state)
{
	licd_reason_t r;
	int64_t t0;
	licd_t *h;

	(void)state;
	standard();
	h = open_h();
	assert_int_equal(licd_check(h, "sms.intercept", NULL, &r), 1);
	__atomic_add_fetch(&w.map->seq, 1, __ATOMIC_RELEASE);
	t0 = mono();
	assert_int_equal(licd_check(h, "sms.intercept", NULL, &r), 0);
	assert_int_equal(r, LICD_REASON_DAEMON_UNAVAILABLE);
	assert_true(mono() - t0 < 2 * SEC);
	/* Known stuck at this value: the next check does not wait. */
	t0 = mono();
	assert_int_equal(licd_check(h, "sms.intercept", NULL, &r), 0);
	assert_int_equal(r, LICD_REASON_DAEMON_UNAVAILABLE);
	assert_true(mono() - t0 < SEC / 20);
	__atomic_add_fetch(&w.map->seq, 1, __ATOMIC_RELEASE);
	assert_int_equal(licd_check(h, "sms.intercept", NULL, &r), 1);
	licd_close(h);
}

static void
test_bad_files(void **state)
{
	char junk[8192];
	licd_reason_t r;
	licd_t *h;
	int fd;

	(void)state;
	/* Not a snapshot. */
	memset(junk, 'x', sizeof(junk));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, junk, sizeof(junk)), (int)sizeof(junk));
	close(fd);
	h = open_h();
	assert_int_equal(licd_check(h, "sms.intercept", NULL, &r), 0);
	assert_int_equal(r, LICD_REASON_DAEMON_UNAVAILABLE);
	licd_close(h);
	/* Too short to hold its header. */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, SNAP_MAGIC, 8), 8);
	close(fd);
	h = open_h();
	assert_int_equal(licd_check(h, "sms.intercept", NULL, &r), 0);
	assert_int_equal(r, LICD_REASON_DAEMON_UNAVAILABLE);
	licd_close(h);
	/* A FIFO must not hang the product. */
	unlink(path);
	assert_int_equal(mkfifo(path, 0644), 0);
	h = open_h();
	assert_int_equal(licd_check(h, "sms.intercept", NULL, &r), 0);
	assert_int_equal(r, LICD_REASON_DAEMON_UNAVAILABLE);
	licd_close(h);
	unlink(path);
}

/* LICD_RUNTIME_DIR, LICD_OPEN_NO_ENV and the argument. */
static void
test_runtime_dir_env(void **state)
{
	struct licd_options o = LICD_OPTIONS_INIT;
	licd_t *h;

	(void)state;
	standard();
	assert_int_equal(setenv(LICD_RUNTIME_DIR_ENV, dir, 1), 0);
	assert_int_equal(licd_open(P, NULL, &h), 0);
	assert_int_equal(licd_check(h, "sms.intercept", NULL, NULL), 1);
	licd_close(h);
	o.flags = LICD_OPEN_NO_ENV;
	assert_int_equal(licd_open(P, &o, &h), 0);
	/* The default /run/licd has no snapshot of ours. */
	if (access("/run/licd/snapshot", F_OK) != 0)
		assert_int_equal(licd_check(h, "sms.intercept", NULL, NULL),
		    0);
	licd_close(h);
	o.flags = 0;
	o.runtime_dir = "/nonexistent/licd";
	assert_int_equal(licd_open(P, &o, &h), 0);
	assert_int_equal(licd_check(h, "sms.intercept", NULL, NULL), 0);
	licd_close(h);
	unsetenv(LICD_RUNTIME_DIR_ENV);
}

/* ---- fork ---- */

/* A child keeps checking through the inherited handle, and sees
 * changes published after the fork. */
static void
test_fork_checks(void **state)
{
	int status, fds[2], back[2];
	licd_t *h;
	pid_t pid;
	char c;

	(void)state;
	standard();
	h = open_h();
	assert_int_equal(licd_check(h, "sms.intercept", NULL, NULL), 1);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(pipe(back), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int ok = licd_check(h, "sms.intercept", "terrorism", NULL) ==
		    1;

		if (write(back[1], "r", 1) != 1 || read(fds[0], &c, 1) != 1)
			_exit(3);
		ok = ok && licd_check(h, "sms.intercept", NULL, NULL) == 0;
		licd_close(h);
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(read(back[0], &c, 1), 1);
	nents = 0;
	ent(P, "sms.intercept", 0, "suspended", 0, 3);
	publish();
	assert_int_equal(write(fds[1], "x", 1), 1);
	close(fds[0]);
	close(fds[1]);
	close(back[0]);
	close(back[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(licd_check(h, "sms.intercept", NULL, NULL), 0);
	licd_close(h);
}

/* ---- no daemon ---- */

static void
test_acquire_no_daemon(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	licd_lease_t lease = 7;
	licd_reason_t r;
	int64_t t0;
	licd_t *h;
	int fd;

	(void)state;
	standard();
	h = open_h();
	/* No socket at all. */
	t0 = mono();
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism",
	    "CASE-1", &lease, &r), -LICD_E_UNAVAILABLE);
	assert_int_equal(r, LICD_REASON_DAEMON_UNAVAILABLE);
	assert_int_equal(lease, 0);
	assert_true(mono() - t0 < SEC / 2);
	/* A socket nobody listens on any more (licd crashed). */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/licd.sock", dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", NULL,
	    &lease, &r), -LICD_E_UNAVAILABLE);
	assert_int_equal(r, LICD_REASON_DAEMON_UNAVAILABLE);
	unlink(sa.sun_path);
	/* A listener that never answers (licd hung): the timeout. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	t0 = mono();
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", NULL,
	    &lease, &r), -LICD_E_TIMEOUT);
	assert_int_equal(r, LICD_REASON_DAEMON_UNAVAILABLE);
	assert_true(mono() - t0 >= 250 * 1000000LL);
	assert_true(mono() - t0 < 2 * SEC);
	close(fd);
	/* Bad arguments never reach the socket. */
	assert_int_equal(licd_acquire(h, "Bad", "terrorism", NULL, &lease,
	    &r), -LICD_E_ARGUMENT);
	assert_int_equal(licd_acquire(h, "sms.intercept", NULL, NULL, &lease,
	    &r), -LICD_E_ARGUMENT);
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism",
	    "line\nbreak", &lease, &r), -LICD_E_ARGUMENT);
	assert_int_equal(licd_acquire(h, "sms.intercept", "terrorism", NULL,
	    NULL, &r), -LICD_E_ARGUMENT);
	assert_int_equal(licd_acquire(NULL, "sms.intercept", "terrorism",
	    NULL, &lease, NULL), -LICD_E_ARGUMENT);
	assert_int_equal(licd_release(h, 12), -LICD_E_NO_LEASE);
	assert_int_equal(licd_release(h, 0), -LICD_E_ARGUMENT);
	assert_int_equal(licd_release(NULL, 12), -LICD_E_ARGUMENT);
	licd_close(h);
}

/* ---- threads ---- */

/*
 * Two published states, A and B, that differ in every way a torn or
 * misplaced read could show: the entries swap places, the purpose table
 * is reordered, and each feature's answer flips. sms.intercept for
 * terrorism: A allowed, B revoked. geo.locate for serious-crime: A
 * disabled-by-order, B allowed. A read of the wrong entry or the wrong
 * purpose bit gives purpose-not-permitted or not-licensed instead.
 */
static void
state_ab(int b)
{
	nents = npurposes = 0;
	if (!b) {
		purpose("terrorism");
		purpose("serious-crime");
		ent(P, "sms.intercept", 1, "", 1, 5);
		ent(P, "geo.locate", 0, "disabled-by-order", 0, 4);
	} else {
		purpose("serious-crime");
		purpose("terrorism");
		ent(P, "geo.locate", 1, "", 1, 4);
		ent(P, "sms.intercept", 0, "revoked", 0, 2);
	}
}

struct hammer {
	licd_t *h;
	int by_handle;
	volatile int *stop;
	long checks, bad, seen[4];
	int saw[4];			/* (atomic) seen[i] > 0, for the writer */
	int bad_a;
	licd_reason_t bad_r;
	int bad_which;
};

static void *
hammer_run(void *arg)
{
	struct hammer *t = arg;
	licd_feature_t fs = licd_feature_resolve(t->h, "sms.intercept");
	licd_feature_t fg = licd_feature_resolve(t->h, "geo.locate");
	licd_purpose_t pt = licd_purpose_resolve(t->h, "terrorism");
	licd_purpose_t ps = licd_purpose_resolve(t->h, "serious-crime");
	licd_reason_t r;
	int a;

	while (!__atomic_load_n(t->stop, __ATOMIC_RELAXED)) {
		a = t->by_handle ? licd_check_handle(t->h, fs, pt, &r) :
		    licd_check(t->h, "sms.intercept", "terrorism", &r);
		if (a && r == LICD_REASON_NONE)
			t->seen[0]++;
		else if (!a && r == LICD_REASON_REVOKED)
			t->seen[1]++;
		else if (t->bad++ == 0) {
			t->bad_a = a;
			t->bad_r = r;
			t->bad_which = 1;
		}
		a = t->by_handle ? licd_check_handle(t->h, fg, ps, &r) :
		    licd_check(t->h, "geo.locate", "serious-crime", &r);
		if (!a && r == LICD_REASON_DISABLED_BY_ORDER)
			t->seen[2]++;
		else if (a && r == LICD_REASON_NONE)
			t->seen[3]++;
		else if (t->bad++ == 0) {
			t->bad_a = a;
			t->bad_r = r;
			t->bad_which = 2;
		}
		t->checks += 2;
		for (a = 0; a < 4; a++)
			if (t->seen[a] > 0 && !t->saw[a])
				__atomic_store_n(&t->saw[a], 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* Both paths have seen every answer of both states. */
static int
all_seen(struct hammer *t)
{
	int k, j;

	for (k = 0; k < 2; k++)
		for (j = 0; j < 4; j++)
			if (!__atomic_load_n(&t[k].saw[j], __ATOMIC_RELAXED) &&
			    !__atomic_load_n(&t[k + 2].saw[j], __ATOMIC_RELAXED))
				return 0;
	return 1;
}

static void
test_threads_no_torn_read(void **state)
{
	struct hammer t[4];
	pthread_t th[4];
	volatile int stop = 0;
	long i, n = quick() ? 2000 : 100000, total = 0;
	int64_t end;
	licd_t *h;
	int k;

	/* valgrind runs one thread at a time: the race this hunts cannot
	 * happen there, and its timing is meaningless (plain and ASan runs
	 * cover it). */
	if (getenv("LICD_UNDER_VALGRIND") != NULL)
		skip();

	(void)state;
	state_ab(0);
	publish();
	h = open_h();
	for (k = 0; k < 4; k++) {
		memset(&t[k], 0, sizeof(t[k]));
		t[k].h = h;
		t[k].by_handle = k % 2;
		t[k].stop = &stop;
		assert_int_equal(pthread_create(&th[k], NULL, hammer_run,
		    &t[k]), 0);
	}
	/* At least n publications, and on (for at most 60 s: valgrind
	 * runs one thread at a time) until every answer was seen. */
	end = mono() + 60 * SEC;
	for (i = 0; i < n || (!all_seen(t) && mono() < end); i++) {
		state_ab((int)(i & 1));
		publish();
		if (i >= n)
			sched_yield();
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (k = 0; k < 4; k++) {
		pthread_join(th[k], NULL);
		if (t[k].bad != 0)
			fail_msg("thread %d: %ld of %ld answers were neither "
			    "state, the first: %s %d %s", k, t[k].bad,
			    t[k].checks, t[k].bad_which == 1 ? "sms.intercept" :
			    "geo.locate", t[k].bad_a,
			    licd_reason_str(t[k].bad_r));
		total += t[k].checks;
	}
	/* Not vacuous: both states were seen by both paths. */
	for (k = 0; k < 2; k++)
		assert_true(t[k].seen[0] + t[k + 2].seen[0] > 0 &&
		    t[k].seen[1] + t[k + 2].seen[1] > 0 &&
		    t[k].seen[2] + t[k + 2].seen[2] > 0 &&
		    t[k].seen[3] + t[k + 2].seen[3] > 0);
	print_message("%ld checks during %ld publications\n", total, i);
	licd_close(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_arguments, setup,
		    teardown),
		cmocka_unit_test(test_strings),
		cmocka_unit_test_setup_teardown(test_allowed_and_purposes,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_reason, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_product_row, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handles, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_table_full, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_snapshot_then_started,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_restarts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_replaced_silently, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_writer_stuck, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_files, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_runtime_dir_env, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fork_checks, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_acquire_no_daemon, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_threads_no_torn_read,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
