/* SPDX-License-Identifier: MIT */
/* Bounds checks on decoded payloads (policy/check.c). */
#ifndef LICD_POL_CHECK_H
#define LICD_POL_CHECK_H

#include "lerr.h"
#include "payload.h"

/* 0, or -LICD_E_PAYLOAD when a count exceeds its array or a string is not
 * terminated inside its field. */
int pol_check_licence(const struct licence *l, struct lerr *e);
int pol_check_order(const struct order *o, struct lerr *e);
int pol_check_status(const struct status *s, struct lerr *e);
int pol_check_root(const struct root *r, struct lerr *e);

#endif
