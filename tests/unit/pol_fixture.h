/* SPDX-License-Identifier: MIT */
/* Shared by the policy tests: payload structs built directly in C from a
 * few compact strings, so each test reads as the documents it feeds. */
#ifndef LICD_POL_FIXTURE_H
#define LICD_POL_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "policy.h"

#define T0	((int64_t)1767225600)	/* 2026-01-01T00:00:00Z */
#define T(x)	(T0 + (int64_t)(x))
#define H(n)	((int64_t)(n) * 3600)
#define D(n)	((int64_t)(n) * 86400)

/* Two syntactically valid k4.pid values: this device and another one. */
#define FX_DEV	 "k4.pid.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define FX_OTHER "k4.pid.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"

#define FX_LADDER "0:r:geo.locate;604800:s"

/* Split "a,b,c" into names; returns the count. */
static inline size_t
fx_names(const char *list, char (*out)[PL_NAME_MAX + 1], size_t max)
{
	size_t n = 0, len;
	const char *p = list, *q;

	if (list == NULL || *list == '\0')
		return 0;
	while (n < max) {
		q = strchr(p, ',');
		len = q != NULL ? (size_t)(q - p) : strlen(p);
		snprintf(out[n], PL_NAME_MAX + 1, "%.*s", (int)len, p);
		n++;
		if (q == NULL)
			break;
		p = q + 1;
	}
	return n;
}

/* "sms.intercept=10,geo.locate" */
static inline size_t
fx_features(const char *list, struct feature *out, size_t max)
{
	char names[PL_MAX_FEATURES][PL_NAME_MAX + 1] = { { 0 } };
	size_t n = fx_names(list, names, max), i;
	char *eq;

	for (i = 0; i < n; i++) {
		eq = strchr(names[i], '=');
		out[i].max_concurrent = 0;
		if (eq != NULL) {
			*eq = '\0';
			out[i].max_concurrent = (uint32_t)atoi(eq + 1);
		}
		memcpy(out[i].name, names[i], sizeof(out[i].name));
	}
	return n;
}

/* "0:r:geo.locate|x;604800:s" */
static inline size_t
fx_ladder(const char *spec, struct ladder_step *out)
{
	char buf[1024], *save = NULL, *tok, *a, *s, *k, *p;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", spec);
	for (tok = strtok_r(buf, ";", &save); tok != NULL && n < PL_MAX_LADDER;
	    tok = strtok_r(NULL, ";", &save)) {
		a = tok;
		s = strchr(a, ':');
		*s++ = '\0';
		k = strchr(s, ':');
		if (k != NULL)
			*k++ = '\0';
		out[n].after = atoll(a);
		out[n].state = *s == 'r' ? LSTATE_RESTRICTED :
		    *s == 's' ? LSTATE_SUSPENDED : LSTATE_ACTIVE;
		for (p = k; p != NULL && *p; p++)
			if (*p == '|')
				*p = ',';
		out[n].nkeep = fx_names(k, out[n].keep, PL_MAX_FEATURES);
		n++;
	}
	return n;
}

/* Stands in for the SHA-256 of a signed message: any digest that differs
 * when the payload differs will do (BLAKE2b: the structs are large). */
static inline void
fx_hash(const void *p, size_t len, uint8_t out[32])
{
	crypto_generichash(out, 32, p, len, NULL, 0);
}

static inline int
fx_load_purposes(struct pol_purposes *p)
{
	struct lerr e;

	return pol_purposes_load(LICD_SRCDIR "/policy/purposes.conf", p, &e);
}

#endif
