/* SPDX-License-Identifier: MIT */
/* Unit tests for common/ltime.c: known instants, a calendar sweep checked
 * against libc's timegm(), and one rejection per rule of the two grammars
 * of DESIGN 3.1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "lerr.h"
#include "ltime.h"

static int
tparse(const char *s, int64_t *t)
{
	return ltime_parse(s, strlen(s), t);
}

static void
known_instants(void **state)
{
	static const struct { const char *s; int64_t t; } k[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1970-01-01T00:00:01Z", 1 },
		{ "1999-12-31T23:59:59Z", 946684799 },
		{ "2000-02-29T12:34:56Z", 951827696 },
		{ "2024-02-29T00:00:00Z", 1709164800 },
		{ "2026-01-01T00:00:00Z", 1767225600 },
		{ "2038-01-19T03:14:08Z", 2147483648LL },
		{ "2100-03-01T00:00:00Z", 4107542400LL },
		{ "9999-12-31T23:59:59Z", 253402300799LL },
	};
	char out[LTIME_LEN + 1];
	int64_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		assert_int_equal(tparse(k[i].s, &t), 0);
		assert_int_equal(t, k[i].t);
		ltime_format(k[i].t, out);
		assert_string_equal(out, k[i].s);
	}
}

/* Every day 1970..2200 at a varying time of day, then every 13th day to
 * 9999, against timegm() and back through ltime_format(). */
static void
calendar_sweep(void **state)
{
	char s[64], back[LTIME_LEN + 1];
	int64_t day, t;
	struct tm tm;
	time_t tt;

	(void)state;
	for (day = 0; day <= 2932896; day += day < 84000 ? 1 : 13) {
		tt = (time_t)(day * 86400 + (day * 7919) % 86400);
		assert_non_null(gmtime_r(&tt, &tm));
		snprintf(s, sizeof(s), "%04d-%02d-%02dT%02d:%02d:%02dZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
		assert_int_equal(tparse(s, &t), 0);
		assert_int_equal(t, (int64_t)tt);
		assert_int_equal((int64_t)timegm(&tm), t);
		ltime_format(t, back);
		assert_string_equal(back, s);
	}
}

static void
leap_years(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(tparse("2000-02-29T00:00:00Z", &t), 0);
	assert_int_equal(tparse("2024-02-29T00:00:00Z", &t), 0);
	assert_int_equal(tparse("2400-02-29T00:00:00Z", &t), 0);
	assert_int_equal(tparse("2100-02-29T00:00:00Z", &t), -LICD_E_PAYLOAD);
	assert_int_equal(tparse("2023-02-29T00:00:00Z", &t), -LICD_E_PAYLOAD);
	assert_int_equal(tparse("2200-02-29T00:00:00Z", &t), -LICD_E_PAYLOAD);
}

static void
time_rejects(void **state)
{
	static const char *const bad[] = {
		"", "2026-01-01", "2026-01-01T00:00:00", "2026-01-01T00:00:00ZZ",
		"2026-01-01t00:00:00Z", "2026-01-01T00:00:00z",
		"2026-01-01 00:00:00Z", "2026-01-01T00:00:00+00:00",
		"2026-01-01T00:00:00.0Z", "2026-01-01T00:00Z",
		"26-01-01T00:00:00Z", "+2026-01-01T00:00:00Z",
		"2026-1-01T00:00:00Z", "2026/01/01T00:00:00Z",
		"2026-01-01T00-00-00Z", "1969-12-31T23:59:59Z",
		"0000-01-01T00:00:00Z", "2026-00-01T00:00:00Z",
		"2026-13-01T00:00:00Z", "2026-01-00T00:00:00Z",
		"2026-01-32T00:00:00Z", "2026-04-31T00:00:00Z",
		"2026-06-31T00:00:00Z", "2026-09-31T00:00:00Z",
		"2026-11-31T00:00:00Z", "2026-02-30T00:00:00Z",
		"2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z",
		"2026-01-01T00:00:60Z", "2016-12-31T23:59:60Z",
		"2026-01-01T0a:00:00Z", "2026-01-01T00:00:0 Z",
		"2026-01-01T00:00:-1Z", "2026-0\xef\xbc\x91-01T00:00Z",
		" 2026-01-01T00:00:00", "2026-01-01T00:00:00 ",
	};
	int64_t t = 42;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (tparse(bad[i], &t) != -LICD_E_PAYLOAD)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(t, 42);	/* untouched on failure */
}

/* The length is the caller's; a NUL inside is not the end. */
static void
time_uses_len(void **state)
{
	const char s[] = "2026-01-01T00:00:00Z";
	char nul[] = "2026-01-01T00:00:00Z";
	int64_t t;

	(void)state;
	assert_int_equal(ltime_parse(s, 19, &t), -LICD_E_PAYLOAD);
	nul[5] = '\0';
	assert_int_equal(ltime_parse(nul, 20, &t), -LICD_E_PAYLOAD);
}

static void
format_clamps(void **state)
{
	char out[LTIME_LEN + 1];

	(void)state;
	ltime_format(-1, out);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	ltime_format(INT64_MAX, out);
	assert_string_equal(out, "9999-12-31T23:59:59Z");
}

static int
dparse(const char *s, int64_t *d)
{
	return ldur_parse(s, strlen(s), d);
}

static void
durations(void **state)
{
	static const struct { const char *s; int64_t d; } k[] = {
		{ "0s", 0 }, { "0d", 0 }, { "1s", 1 }, { "90s", 90 },
		{ "59m", 3540 }, { "72h", 259200 }, { "7d", 604800 },
		{ "999999999s", 999999999 },
		{ "999999999d", 999999999LL * 86400 },
	};
	int64_t d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		assert_int_equal(dparse(k[i].s, &d), 0);
		assert_int_equal(d, k[i].d);
	}
}

static void
duration_rejects(void **state)
{
	static const char *const bad[] = {
		"", "s", "0", "72", "00s", "01s", "007h", "1w", "1y", "1S", "1H",
		"1.5h", "-1s", "+1s", " 1s", "1s ", "1 s", "1000000000s",
		"9999999999d", "1h30m", "h1", "1ss", "0x1s", "\xef\xbc\x91s",
	};
	int64_t d = 42;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (dparse(bad[i], &d) != -LICD_E_PAYLOAD)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(d, 42);
}

static void
duration_format(void **state)
{
	static const struct { int64_t d; const char *s; } k[] = {
		{ 0, "0s" }, { 1, "1s" }, { 90, "90s" }, { 120, "2m" },
		{ 3600, "1h" }, { 5400, "90m" }, { 259200, "3d" },
		{ 90000, "25h" }, { 999999999LL * 86400, "999999999d" },
		{ -5, "0s" },
	};
	char out[32];
	int64_t d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		ldur_format(k[i].d, out, sizeof(out));
		assert_string_equal(out, k[i].s);
		assert_int_equal(dparse(out, &d), 0);
		assert_int_equal(d, k[i].d < 0 ? 0 : k[i].d);
	}
	ldur_format(123456, out, 4);	/* truncated, still terminated */
	assert_int_equal(strlen(out), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_instants),
		cmocka_unit_test(calendar_sweep),
		cmocka_unit_test(leap_years),
		cmocka_unit_test(time_rejects),
		cmocka_unit_test(time_uses_len),
		cmocka_unit_test(format_clamps),
		cmocka_unit_test(durations),
		cmocka_unit_test(duration_rejects),
		cmocka_unit_test(duration_format),
	};

	return cmocka_run_group_tests_name("ltime", tests, NULL, NULL);
}
