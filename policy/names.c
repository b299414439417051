/* SPDX-License-Identifier: MIT */
/* The stable names of the policy's reason codes (doc/POLICY.md): what
 * status output, logs and the client library show. */
#include "policy.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const cause_names[POL_C__COUNT] = {
	[POL_C_NO_LICENCE] = "no-licence",
	[POL_C_NOT_YET_VALID] = "not-yet-valid",
	[POL_C_WRONG_DEVICE] = "wrong-device",
	[POL_C_UNKNOWN_PURPOSE] = "unknown-purpose",
	[POL_C_BAD_LADDER] = "bad-ladder",
	[POL_C_EXPIRED] = "expired",
	[POL_C_REVOKED] = "revoked",
	[POL_C_EQUIVOCATION] = "equivocation",
	[POL_C_ORDER] = "order",
	[POL_C_STALE] = "stale",
	[POL_C_LOCAL] = "local",
};

static const char *const reason_names[POL_R__COUNT] = {
	[POL_R_NONE] = "none",
	[POL_R_INVALID] = "invalid",
	[POL_R_EXPIRED] = "expired",
	[POL_R_REVOKED] = "revoked",
	[POL_R_EQUIVOCATION] = "equivocation",
	[POL_R_SUSPENDED] = "suspended",
	[POL_R_STALE] = "stale",
	[POL_R_DISABLED_BY_ORDER] = "disabled-by-order",
	[POL_R_DISABLED_LOCALLY] = "disabled-locally",
	[POL_R_PURPOSE] = "purpose-not-permitted",
	[POL_R_NOT_LICENSED] = "not-licensed",
};

static const char *const src_names[] = {
	[POL_SRC_NONE] = "none",
	[POL_SRC_ROOT] = "root",
	[POL_SRC_LICENCE] = "licence",
	[POL_SRC_ORDER] = "order",
	[POL_SRC_STATUS] = "status",
	[POL_SRC_CONFIG] = "config",
};

const char *
pol_cause_name(enum pol_cause c)
{
	return (unsigned)c < NELEM(cause_names) ? cause_names[c] : "?";
}

const char *
pol_reason_name(enum pol_reason r)
{
	return (unsigned)r < NELEM(reason_names) ? reason_names[r] : "?";
}

const char *
pol_src_name(enum pol_src_kind k)
{
	return (unsigned)k < NELEM(src_names) ? src_names[k] : "?";
}
