/* SPDX-License-Identifier: MIT */
/* The library's stable strings: reason codes (shared with licd's policy
 * and snapshot), licence states, error sentences and the version. */
#include <string.h>

#include "client.h"

/* Indexed by licd_reason_t; the codes of doc/POLICY.md "Features" and
 * doc/PROTOCOL.md, plus the library's own. Append only. */
static const char *const reasons[] = {
	[LICD_REASON_NONE] = "none",
	[LICD_REASON_NOT_LICENSED] = "not-licensed",
	[LICD_REASON_DISABLED_BY_ORDER] = "disabled-by-order",
	[LICD_REASON_SUSPENDED] = "suspended",
	[LICD_REASON_REVOKED] = "revoked",
	[LICD_REASON_STALE] = "stale",
	[LICD_REASON_PURPOSE_NOT_PERMITTED] = "purpose-not-permitted",
	[LICD_REASON_LIMIT_REACHED] = "limit-reached",
	[LICD_REASON_DAEMON_UNAVAILABLE] = "daemon-unavailable",
	[LICD_REASON_INVALID] = "invalid",
	[LICD_REASON_EXPIRED] = "expired",
	[LICD_REASON_EQUIVOCATION] = "equivocation",
	[LICD_REASON_DISABLED_LOCALLY] = "disabled-locally",
	[LICD_REASON_OTHER] = "other",
};
#define NREASONS (sizeof(reasons) / sizeof(reasons[0]))

static const char *const states[] = {
	[LICD_STATE_INVALID] = "invalid",
	[LICD_STATE_EXPIRED] = "expired",
	[LICD_STATE_REVOKED] = "revoked",
	[LICD_STATE_SUSPENDED] = "suspended",
	[LICD_STATE_RESTRICTED] = "restricted",
	[LICD_STATE_ACTIVE] = "active",
	[LICD_STATE_UNKNOWN] = "unknown",
};

static const char *const errors[] = {
	[0] = "success",
	[LICD_E_ARGUMENT] = "invalid argument",
	[LICD_E_NO_MEMORY] = "out of memory",
	[LICD_E_UNAVAILABLE] = "licd cannot be reached",
	[LICD_E_TIMEOUT] = "licd did not answer in time",
	[LICD_E_PROTOCOL] = "unexpected answer from licd",
	[LICD_E_DENIED] = "refused by licd",
	[LICD_E_NO_LEASE] = "no such lease held",
	[LICD_E_TOO_MANY] = "too many names or leases on one handle",
	[LICD_E_SYSTEM] = "a system call failed",
	[LICD_E_NOT_SUPPORTED] = "not supported by this licd",
};

const char *
licd_reason_str(licd_reason_t reason)
{
	if ((unsigned)reason >= NREASONS)
		return "other";
	return reasons[reason];
}

const char *
licd_state_str(licd_state_t state)
{
	if ((unsigned)state >= sizeof(states) / sizeof(states[0]))
		return "unknown";
	return states[state];
}

const char *
licd_strerror(int code)
{
	if (code < 0)
		code = -code;
	if ((size_t)code >= sizeof(errors) / sizeof(errors[0]) ||
	    errors[code] == NULL)
		return "unknown error";
	return errors[code];
}

const char *
licd_version(void)
{
	return LICD_VERSION_STRING;
}

/*
 * A reason code from licd (snapshot entry, R_DECISION, N_LEASE_REVOKED),
 * not NUL-terminated. "" is NONE; a code we do not know is OTHER, which
 * still denies: the daemon's allowed flag decides, never the string.
 */
licd_reason_t
reason_parse(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return LICD_REASON_NONE;
	for (i = 1; i < NREASONS - 1; i++)
		if (strlen(reasons[i]) == len && memcmp(reasons[i], s, len) == 0)
			return (licd_reason_t)i;
	return LICD_REASON_OTHER;
}

/* Why a product in state s cannot use anything (NONE when it can). */
licd_reason_t
reason_of_state(licd_state_t s)
{
	switch (s) {
	case LICD_STATE_INVALID:
		return LICD_REASON_INVALID;
	case LICD_STATE_EXPIRED:
		return LICD_REASON_EXPIRED;
	case LICD_STATE_REVOKED:
		return LICD_REASON_REVOKED;
	case LICD_STATE_SUSPENDED:
		return LICD_REASON_SUSPENDED;
	case LICD_STATE_RESTRICTED:
	case LICD_STATE_ACTIVE:
		return LICD_REASON_NONE;
	default:
		return LICD_REASON_DAEMON_UNAVAILABLE;
	}
}
