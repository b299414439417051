/* SPDX-License-Identifier: MIT */
/* The status payload (DESIGN 3.4): the online heartbeat that proves
 * freshness and names the highest order issued, and can loosen nothing. */
#include <string.h>

#include "payload_int.h"

#define F(...) PL_FIELD(struct status, __VA_ARGS__)
static const struct js_field status_fields[] = {
	F("lid", JS_STR, false, lid, 0, pl_lid_valid, PL_LID_EXPECT),
	F("device", JS_STR, false, device, 0, paserk_pid_valid, PL_PID_EXPECT),
	F("iat", JS_TIME, false, iat, 0, NULL, NULL),
	F("exp", JS_TIME, false, exp, 0, NULL, NULL),
	F("seq", JS_U64, false, seq, 0, NULL, NULL),
};
#undef F

int
pl_decode_status(const uint8_t *msg, size_t len, struct status *out,
    struct lerr *e)
{
	json_t *top = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = pl_parse(msg, len, status_fields, PL_NELEM(status_fields),
	    out, &top, e)) != 0 ||
	    (r = pl_after(out->exp, out->iat, false, "\"exp\"", "iat", e)) != 0)
		goto out;
	r = 0;
 out:
	json_decref(top);
	return r;
}
