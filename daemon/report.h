/* SPDX-License-Identifier: MIT */
/* The usage report (DESIGN 3.4, 5.4): the counted uses of a licence's
 * product per feature and purpose over a period, taken from the audit log
 * (which survives restarts) and signed by the device key. */
#ifndef LICD_REPORT_H
#define LICD_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "devkey.h"
#include "lerr.h"

struct report_req {
	const char *audit_path;		/* state_dir/audit.log */
	const char *audit_head;		/* "sha256:..." the counts end at */
	const char *lid;
	const char *product;		/* the lid's product ("": none) */
	int64_t from, to;		/* 0: the log's start / iat */
	int64_t iat;			/* now (effective time) */
};

/*
 * Count the "acquire" lines of the audit log whose product is q->product
 * and whose time is within [from, to], one row per (product, feature,
 * purpose), and sign {"device","lid","iat","from","to","audit","usage"}
 * as a licd:v1:report document (*doc malloc'd, *len bytes).
 * Errors: LICD_E_USAGE (from > to, to > iat), LICD_E_TOO_LARGE (more
 * than 256 rows), LICD_E_IO (the log cannot be read), LICD_E_NOMEM.
 */
int report_build(const struct report_req *q, const struct devkey *k,
    char **doc, size_t *len, struct lerr *e);

#endif
