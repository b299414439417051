/* SPDX-License-Identifier: MIT */
/* Shared by the builders (root, licence, order, status): option values
 * turned into JSON values. They check only the lexical form of an option,
 * so a typo gets a usage message; the payload decoder alone judges the
 * document they produce. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "licissue.h"
#include "ltime.h"
#include "paserk.h"

#define LTIME_MAX 253402300799LL	/* 9999-12-31T23:59:59Z */

int
opt_time(const char *prog, const char *opt, const char *arg, int64_t *out)
{
	if (strcmp(arg, "now") == 0) {
		*out = (int64_t)time(NULL);
		return 0;
	}
	if (ltime_parse(arg, strlen(arg), out) != 0)
		return usage_error(prog, "--%s %s: expected now or "
		    "YYYY-MM-DDTHH:MM:SSZ", opt, arg);
	return 0;
}

int
opt_duration(const char *prog, const char *opt, const char *arg,
    int64_t *out)
{
	if (ldur_parse(arg, strlen(arg), out) != 0)
		return usage_error(prog, "--%s %s: expected a duration such as "
		    "90s, 30m, 72h or 365d", opt, arg);
	return 0;
}

int
opt_uint(const char *prog, const char *opt, const char *arg, uint64_t *out)
{
	char *end;

	errno = 0;
	if (arg[0] < '0' || arg[0] > '9' || (arg[0] == '0' && arg[1] != '\0'))
		goto bad;
	*out = strtoull(arg, &end, 10);
	if (errno != 0 || *end != '\0' || *out > PL_MAX_INT)
		goto bad;
	return 0;
 bad:
	return usage_error(prog, "--%s %s: expected an integer from 0 to "
	    "2^53-1", opt, arg);
}

int
opt_list(const char *prog, const char *opt, char **list, size_t *n,
    size_t max, char *arg)
{
	if (*n >= max)
		return usage_error(prog, "at most %zu --%s options", max, opt);
	list[(*n)++] = arg;
	return 0;
}

int
opt_required(const char *prog, const char *opt, const void *val)
{
	if (val == NULL)
		return usage_error(prog, "--%s is required", opt);
	return 0;
}

int
opt_expiry(const char *prog, const char *exp_arg, const char *ttl_arg,
    int64_t iat, int64_t dflt, int64_t *exp)
{
	int64_t ttl = dflt;

	if (exp_arg != NULL && ttl_arg != NULL)
		return usage_error(prog, "give --exp or --ttl, not both");
	if (exp_arg != NULL)
		return opt_time(prog, "exp", exp_arg, exp);
	if (ttl_arg != NULL && opt_duration(prog, "ttl", ttl_arg, &ttl) != 0)
		return EXIT_USAGE;
	if (iat > LTIME_MAX - ttl)
		return usage_error(prog, "expiry after the year 9999");
	*exp = iat + ttl;
	return 0;
}

int
opt_device(const char *prog, const char *arg, paserk_kid out)
{
	struct lerr e = { 0 };
	uint8_t pk[TOK_PK_LEN];

	if (paserk_pid_valid(arg, strlen(arg))) {
		memcpy(out, arg, PASERK_PID_LEN + 1);
		return 0;
	}
	if (pubkey_read(arg, pk, &e) != 0)
		return usage_error(prog, "--device %s: expected a k4.pid or "
		    "the device's public key (%s)", arg, e.msg);
	paserk_pid(pk, out);
	return 0;
}

static void
oom(void)
{
	fputs("no-memory: out of memory\n", stderr);
	exit(EXIT_INVALID);
}

static json_t *
xcheck(json_t *v)
{
	if (v == NULL)
		oom();
	return v;
}

void
xset(json_t *obj, const char *key, json_t *val)
{
	if (val == NULL || json_object_set_new(obj, key, val) != 0)
		oom();
}

void
xappend(json_t *arr, json_t *val)
{
	if (val == NULL || json_array_append_new(arr, val) != 0)
		oom();
}

json_t *
xstring(const char *s)
{
	/* A string that is not UTF-8 is refused by jansson: say so. */
	json_t *v = json_string(s);

	if (v == NULL) {
		fprintf(stderr, "bad-payload: \"%s\": not valid UTF-8\n", s);
		exit(EXIT_INVALID);
	}
	return v;
}

json_t *
xtime(int64_t t)
{
	char buf[LTIME_LEN + 1];

	ltime_format(t, buf);
	return xstring(buf);
}

json_t *
xinteger(uint64_t v)
{
	return xcheck(json_integer((json_int_t)v));
}

json_t *
xobject(void)
{
	return xcheck(json_object());
}

json_t *
xarray(void)
{
	return xcheck(json_array());
}

json_t *
xstrings(char *const *list, size_t n)
{
	json_t *arr = xarray();

	for (size_t i = 0; i < n; i++)
		xappend(arr, xstring(list[i]));
	return arr;
}
