/* SPDX-License-Identifier: MIT */
/* libFuzzer: pl_decode_root() on raw bytes, with the invariants of a
 * decoded root (DESIGN 3.4) checked on every success. */
#include "fuzz_payload.h"

static void
check_root(const struct root *r)
{
	paserk_kid kid;
	size_t i, j;
	int k;

	FZ_CHECK(r->ver >= 1 && r->exp > r->iat);
	fz_check_time(r->iat);
	FZ_CHECK(r->nkeys >= 1 && r->nkeys <= PL_MAX_ROOT_KEYS);
	for (i = 0; i < r->nkeys; i++) {
		FZ_TEXT(r->keys[i].name);
		paserk_pid(r->keys[i].pk, kid);
		FZ_CHECK(strcmp(kid, r->keys[i].kid) == 0);
		FZ_CHECK(root_key_index(r, kid) == (int)i);
	}
	for (k = 0; k < ROLE__COUNT; k++) {
		const struct role *ro = &r->roles[k];

		FZ_CHECK(ro->nkeys >= 1 && ro->nkeys <= PL_MAX_ROLE_KEYS);
		FZ_CHECK(ro->threshold >= 1 && ro->threshold <= ro->nkeys);
		for (i = 0; i < ro->nkeys; i++) {
			FZ_CHECK(ro->key[i] < r->nkeys);
			for (j = 0; j < i; j++)
				FZ_CHECK(ro->key[i] != ro->key[j]);
		}
	}
	for (i = 0; i < r->roles[ROLE_STATUS].nkeys; i++)
		for (k = 0; k < ROLE_STATUS; k++)
			FZ_CHECK(memchr(r->roles[k].key,
			    r->roles[ROLE_STATUS].key[i],
			    r->roles[k].nkeys) == NULL);
}

FZ_HARNESS(struct root, DOC_ROOT, pl_decode_root, check_root)
