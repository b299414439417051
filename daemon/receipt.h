/* SPDX-License-Identifier: MIT */
/* Receipts (DESIGN 3.4): signed proof, by the device key, that this licd
 * applied a document or changed state, kept in state_dir/outbox/. */
#ifndef LICD_RECEIPT_H
#define LICD_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "devkey.h"
#include "lerr.h"
#include "payload.h"
#include "store.h"

/*
 * Sign r (its device is set from k) as a licd:v1:receipt document and
 * store it as outbox/<serial>-<event>[-<lid>].receipt, never replacing a
 * file (serial: a number unique on this device, e.g. the audit line that
 * records the event; 20 digits, so names sort in order). The payload is
 * {"device","lid","iat","event","seq","state","audit"} and is checked
 * with pl_decode_receipt() before it is signed (LICD_E_PAYLOAD: a bug in
 * the caller, e.g. a lid with "root-applied"). *name (may be NULL)
 * receives the file name (STORE_NAME_MAX + 1 bytes).
 * Errors: LICD_E_PAYLOAD, LICD_E_IO (the outbox cannot be written: the
 * caller must not acknowledge), LICD_E_NOMEM.
 */
int receipt_issue(struct store *s, const struct devkey *k,
    const struct receipt *r, uint64_t serial, char *name, struct lerr *e);

#endif
