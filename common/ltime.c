/* SPDX-License-Identifier: MIT */
/* The time grammar of DESIGN 3.1, by hand: exactly one spelling per instant
 * and per duration, with no locale, time zone or libc calendar involved. */
#include <stdio.h>

#include "lerr.h"
#include "ltime.h"

#define LTIME_MIN_YEAR	1970
#define LTIME_MAX_YEAR	9999
#define LTIME_MAX	253402300799LL	/* 9999-12-31T23:59:59Z */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil, for years >= 1 only). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Inverse of days_from_civil() for z >= 0. */
static void
civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static unsigned
days_in_month(int64_t y, unsigned m)
{
	static const unsigned char dim[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return dim[m - 1] + (m == 2 && leap);
}

/* n decimal digits at s; -1 if any is not a digit. */
static int64_t
digits(const char *s, size_t n)
{
	int64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
ltime_parse(const char *s, size_t len, int64_t *out)
{
	int64_t y, mo, d, h, mi, se;

	if (len != LTIME_LEN || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return -LICD_E_PAYLOAD;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	se = digits(s + 17, 2);
	if (y < LTIME_MIN_YEAR || mo < 1 || mo > 12 || d < 1 ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59)
		return -LICD_E_PAYLOAD;
	if (d > days_in_month(y, (unsigned)mo))
		return -LICD_E_PAYLOAD;
	*out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + se;
	return 0;
}

/* Two decimal digits of v at s. */
static void
put2(char *s, unsigned v)
{
	s[0] = (char)('0' + v / 10 % 10);
	s[1] = (char)('0' + v % 10);
}

void
ltime_format(int64_t t, char out[LTIME_LEN + 1])
{
	unsigned m, d, secs;
	int y;

	/* Out of range is a caller's bug; clamp rather than print garbage. */
	if (t < 0)
		t = 0;
	if (t > LTIME_MAX)
		t = LTIME_MAX;
	civil_from_days(t / 86400, &y, &m, &d);
	secs = (unsigned)(t % 86400);
	put2(out, (unsigned)y / 100);
	put2(out + 2, (unsigned)y % 100);
	out[4] = '-';
	put2(out + 5, m);
	out[7] = '-';
	put2(out + 8, d);
	out[10] = 'T';
	put2(out + 11, secs / 3600);
	out[13] = ':';
	put2(out + 14, secs / 60 % 60);
	out[16] = ':';
	put2(out + 17, secs % 60);
	out[19] = 'Z';
	out[20] = '\0';
}

int
ldur_parse(const char *s, size_t len, int64_t *secs)
{
	int64_t v, unit;

	if (len < 2 || len > LDUR_MAX_LEN)
		return -LICD_E_PAYLOAD;
	if (s[0] == '0' && len != 2)
		return -LICD_E_PAYLOAD;		/* leading zero */
	if ((v = digits(s, len - 1)) < 0)
		return -LICD_E_PAYLOAD;
	switch (s[len - 1]) {
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: return -LICD_E_PAYLOAD;
	}
	*secs = v * unit;	/* at most 999999999 * 86400: no overflow */
	return 0;
}

void
ldur_format(int64_t secs, char *out, size_t cap)
{
	static const struct { int64_t n; char c; } units[] = {
		{ 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' },
	};
	size_t i;

	if (secs < 0)
		secs = 0;	/* a caller's bug: durations are >= 0 */
	for (i = 0; i < sizeof(units) / sizeof(units[0]) - 1; i++)
		if (secs != 0 && secs % units[i].n == 0)
			break;
	snprintf(out, cap, "%lld%c", (long long)(secs / units[i].n),
	    units[i].c);
}
