/* SPDX-License-Identifier: MIT */
/* libFuzzer: pl_decode_request() on raw bytes; on success the device id
 * must be the PASERK id of the key. */
#include "fuzz_payload.h"

static void
check_request(const struct request *rq)
{
	paserk_kid kid;

	paserk_pid(rq->key, kid);
	FZ_CHECK(strcmp(kid, rq->device) == 0);
	FZ_STR(rq->machine_id);
	FZ_STR(rq->product_uuid);
	FZ_CHECK(strlen(rq->machine_id) == 32);
	fz_check_time(rq->iat);
}

FZ_HARNESS(struct request, DOC_REQUEST, pl_decode_request, check_request)
