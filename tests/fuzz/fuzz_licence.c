/* SPDX-License-Identifier: MIT */
/* libFuzzer: pl_decode_licence() on raw bytes, with the invariants of a
 * decoded licence and its ladder (DESIGN 3.4) checked on every success. */
#include "fuzz_payload.h"

static int
is_feature(const struct licence *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->nfeatures; i++)
		if (strcmp(l->features[i].name, name) == 0)
			return 1;
	return 0;
}

static void
check_ladder(const struct licence *l)
{
	const struct ladder_step *s, *prev;
	size_t i, j, k;

	FZ_CHECK(l->nladder >= 1 && l->nladder <= PL_MAX_LADDER);
	FZ_CHECK(l->ladder[l->nladder - 1].state == LSTATE_SUSPENDED);
	for (i = 0; i < l->nladder; i++) {
		s = &l->ladder[i];
		FZ_CHECK(s->after >= 0);
		FZ_CHECK(s->state == LSTATE_RESTRICTED ||
		    s->state == LSTATE_SUSPENDED);
		FZ_CHECK(s->state == LSTATE_RESTRICTED || s->nkeep == 0);
		for (j = 0; j < s->nkeep; j++)
			FZ_CHECK(is_feature(l, s->keep[j]));
		if (i == 0)
			continue;
		prev = s - 1;
		FZ_CHECK(s->after > prev->after);
		FZ_CHECK(!(prev->state == LSTATE_SUSPENDED &&
		    s->state == LSTATE_RESTRICTED));
		for (j = 0; j < s->nkeep; j++) {
			for (k = 0; k < prev->nkeep; k++)
				if (strcmp(s->keep[j], prev->keep[k]) == 0)
					break;
			FZ_CHECK(k < prev->nkeep);
		}
	}
}

static void
check_licence(const struct licence *l)
{
	size_t i;

	FZ_CHECK(pl_lid_valid(l->lid, strlen(l->lid)));
	FZ_CHECK(l->ver >= 1 && l->nbf < l->exp && l->iat < l->exp);
	fz_check_time(l->nbf);
	FZ_TEXT(l->vendor);
	FZ_TEXT(l->agency);
	FZ_CHECK(l->vendor[0] != '\0' && l->agency[0] != '\0');
	FZ_CHECK(pl_name_valid(l->product, strlen(l->product)));
	FZ_CHECK(strlen(l->country) == 2);
	FZ_CHECK(pl_sha256_valid(l->declaration, strlen(l->declaration)));
	FZ_CHECK(paserk_pid_valid(l->device, strlen(l->device)));
	FZ_CHECK(l->npurposes >= 1 && l->npurposes <= PL_MAX_PURPOSES);
	for (i = 0; i < l->npurposes; i++)
		FZ_CHECK(pl_name_valid(l->purposes[i], strlen(l->purposes[i])));
	FZ_CHECK(l->nfeatures >= 1 && l->nfeatures <= PL_MAX_FEATURES);
	for (i = 0; i < l->nfeatures; i++)
		FZ_CHECK(pl_name_valid(l->features[i].name,
		    strlen(l->features[i].name)));
	FZ_CHECK(l->max_age > 0);
	check_ladder(l);
}

FZ_HARNESS(struct licence, DOC_LICENCE, pl_decode_licence, check_licence)
