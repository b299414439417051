/* SPDX-License-Identifier: MIT */
/* Error recording: one place that maps codes to stable reason strings. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lerr.h"

static const char *const reasons[LICD_E__MAX] = {
	[LICD_OK] = "ok",
	[LICD_E_INTERNAL] = "internal",
	[LICD_E_NOMEM] = "no-memory",
	[LICD_E_IO] = "io",
	[LICD_E_USAGE] = "usage",
	[LICD_E_TOO_LARGE] = "too-large",
	[LICD_E_MALFORMED] = "malformed",
	[LICD_E_TOKEN] = "bad-token",
	[LICD_E_FOOTER] = "bad-footer",
	[LICD_E_TYPE] = "wrong-type",
	[LICD_E_MISMATCH] = "mismatch",
	[LICD_E_SIGNATURE] = "bad-signature",
	[LICD_E_THRESHOLD] = "threshold",
	[LICD_E_PAYLOAD] = "bad-payload",
	[LICD_E_KEY] = "bad-key",
	[LICD_E_ROOT_VERSION] = "root-version",
	[LICD_E_NOT_YET_VALID] = "not-yet-valid",
	[LICD_E_EXPIRED] = "expired",
	[LICD_E_REPLAY] = "replay",
	[LICD_E_EQUIVOCATION] = "equivocation",
	[LICD_E_PRODUCT_LICENSED] = "product-licensed",
	[LICD_E_REVOKED] = "revoked",
	[LICD_E_WRONG_DEVICE] = "wrong-device",
	[LICD_E_UNKNOWN_PURPOSE] = "unknown-purpose",
	[LICD_E_LIMIT] = "limit",
	[LICD_E_NOT_FOUND] = "not-found",
	[LICD_E_CONFIG] = "config",
};

const char *
lerr_reason(int code)
{
	if (code < 0)
		code = -code;
	if (code >= LICD_E__MAX || reasons[code] == NULL)
		return "internal";
	return reasons[code];
}

int
lerr_set(struct lerr *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (code < 0)
		code = -code;
	if (e != NULL) {
		e->code = code;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
		if (e->msg[0] == '\0')
			snprintf(e->msg, sizeof(e->msg), "%s", lerr_reason(code));
	}
	return -code;
}

void
lerr_prefix(struct lerr *e, const char *fmt, ...)
{
	char head[LERR_MSG_MAX];
	size_t hl, ml;
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	hl = strlen(head);
	if (hl + 3 >= sizeof(e->msg))
		return;		/* no room: keep the more specific message */
	ml = strnlen(e->msg, sizeof(e->msg) - 1);
	if (hl + 2 + ml >= sizeof(e->msg))
		ml = sizeof(e->msg) - 1 - hl - 2;
	memmove(e->msg + hl + 2, e->msg, ml);
	memcpy(e->msg, head, hl);
	e->msg[hl] = ':';
	e->msg[hl + 1] = ' ';
	e->msg[hl + 2 + ml] = '\0';
}

void
lerr_clear(struct lerr *e)
{
	if (e != NULL) {
		e->code = 0;
		e->msg[0] = '\0';
	}
}
