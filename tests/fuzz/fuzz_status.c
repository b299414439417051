/* SPDX-License-Identifier: MIT */
/* libFuzzer: pl_decode_status() on raw bytes, with the invariants of a
 * decoded status (DESIGN 3.4) checked on every success. */
#include "fuzz_payload.h"

static void
check_status(const struct status *s)
{
	FZ_CHECK(pl_lid_valid(s->lid, strlen(s->lid)));
	FZ_CHECK(paserk_pid_valid(s->device, strlen(s->device)));
	FZ_CHECK(s->exp > s->iat && s->seq <= PL_MAX_INT);
	fz_check_time(s->exp);
}

FZ_HARNESS(struct status, DOC_STATUS, pl_decode_status, check_status)
