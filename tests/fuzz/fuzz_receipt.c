/* SPDX-License-Identifier: MIT */
/* libFuzzer: pl_decode_receipt() on raw bytes, with the invariants of a
 * decoded receipt checked on every success. */
#include "fuzz_payload.h"

static void
check_receipt(const struct receipt *rc)
{
	int root = strcmp(rc->event, "root-applied") == 0;

	FZ_CHECK(paserk_pid_valid(rc->device, strlen(rc->device)));
	FZ_CHECK(pl_event_valid(rc->event, strlen(rc->event)));
	FZ_CHECK(root ? rc->lid[0] == '\0' :
	    pl_lid_valid(rc->lid, strlen(rc->lid)));
	FZ_CHECK(lstate_name(rc->state) != NULL);
	FZ_CHECK(pl_sha256_valid(rc->audit, strlen(rc->audit)));
	fz_check_time(rc->iat);
}

FZ_HARNESS(struct receipt, DOC_RECEIPT, pl_decode_receipt, check_receipt)
