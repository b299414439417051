/* SPDX-License-Identifier: MIT */
/* libFuzzer: pl_decode_checkpoint() on raw bytes, with the invariants of a
 * decoded checkpoint checked on every success. */
#include "fuzz_payload.h"

static void
check_checkpoint(const struct checkpoint *cp)
{
	FZ_CHECK(paserk_pid_valid(cp->device, strlen(cp->device)));
	FZ_CHECK(cp->lines <= PL_MAX_INT);
	FZ_CHECK(pl_sha256_valid(cp->audit, strlen(cp->audit)));
	fz_check_time(cp->iat);
}

FZ_HARNESS(struct checkpoint, DOC_CHECKPOINT, pl_decode_checkpoint,
    check_checkpoint)
