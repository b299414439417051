/* SPDX-License-Identifier: MIT */
/* libFuzzer: pl_decode_report() on raw bytes, with the invariants of a
 * decoded usage report checked on every success. */
#include "fuzz_payload.h"

static void
check_report(const struct report *rp)
{
	size_t i, j;

	FZ_CHECK(paserk_pid_valid(rp->device, strlen(rp->device)));
	FZ_CHECK(pl_lid_valid(rp->lid, strlen(rp->lid)));
	FZ_CHECK(rp->from <= rp->to && rp->to <= rp->iat);
	fz_check_time(rp->from);
	FZ_CHECK(rp->nusage <= PL_MAX_USAGE);
	for (i = 0; i < rp->nusage; i++) {
		const struct usage_row *u = &rp->usage[i];

		FZ_CHECK(pl_name_valid(u->product, strlen(u->product)));
		FZ_CHECK(pl_name_valid(u->feature, strlen(u->feature)));
		FZ_CHECK(pl_name_valid(u->purpose, strlen(u->purpose)));
		for (j = 0; j < i; j++)
			FZ_CHECK(strcmp(u->product, rp->usage[j].product) ||
			    strcmp(u->feature, rp->usage[j].feature) ||
			    strcmp(u->purpose, rp->usage[j].purpose));
	}
}

FZ_HARNESS(struct report, DOC_REPORT, pl_decode_report, check_report)
