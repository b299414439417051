/* SPDX-License-Identifier: MIT */
/* The two lexical time forms of DESIGN 3.1: RFC 3339 UTC instants and
 * durations. Times are seconds since the Unix epoch, as int64_t. */
#ifndef LICD_LTIME_H
#define LICD_LTIME_H

#include <stddef.h>
#include <stdint.h>

#define LTIME_LEN 20		/* "YYYY-MM-DDTHH:MM:SSZ" */
#define LDUR_MAX_LEN 10		/* 9 digits + unit */

/*
 * Parse exactly "YYYY-MM-DDTHH:MM:SSZ": UTC, no fraction, no offset, a
 * real calendar date (leap years; no second 60), years 1970..9999.
 * Returns 0 or -LICD_E_PAYLOAD.
 */
int ltime_parse(const char *s, size_t len, int64_t *out);

/* Format t (1970..9999) as above into out[LTIME_LEN + 1]. */
void ltime_format(int64_t t, char out[LTIME_LEN + 1]);

/*
 * Parse a duration matching ^(0|[1-9][0-9]{0,8})[smhd]$ into seconds.
 * Returns 0 or -LICD_E_PAYLOAD.
 */
int ldur_parse(const char *s, size_t len, int64_t *secs);

/* Format seconds as the largest exact unit ("3d" for 259200, "90s"; 0 is
 * "0s", a negative value is formatted as 0). The result parses back with
 * ldur_parse() whenever the number fits in 9 digits. */
void ldur_format(int64_t secs, char *out, size_t cap);

#endif
