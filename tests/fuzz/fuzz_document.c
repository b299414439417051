/* SPDX-License-Identifier: MIT */
/* libFuzzer: document parsing and verification against a fixed root. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct root *
fixed_root(void)
{
	static struct root r;
	static const uint8_t seed[32] = { 1 };
	uint8_t sk[TOK_SK_LEN];
	int i;

	if (r.ver != 0)
		return &r;
	if (sodium_init() < 0)
		abort();
	r.ver = 1;
	r.nkeys = 1;
	crypto_sign_seed_keypair(r.keys[0].pk, sk, seed);
	paserk_pid(r.keys[0].pk, r.keys[0].kid);
	for (i = 0; i < ROLE__COUNT; i++) {
		r.roles[i].nkeys = 1;
		r.roles[i].key[0] = 0;
		r.roles[i].threshold = 1;
	}
	sodium_memzero(sk, sizeof(sk));
	return &r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct root *r = fixed_root();
	struct root *next;
	struct doc d;
	struct lerr e;
	int role;

	if (doc_parse((const char *)data, size, DOC_ANY, &d, &e) < 0)
		return 0;
	role = doc_role_for(d.type);
	if (role >= 0)
		(void)doc_verify_role(&d, r, (enum role_id)role, 0, NULL, &e);
	else
		(void)doc_verify_key(&d, r->keys[0].pk, &e);
	if (d.type == DOC_ROOT && (next = malloc(sizeof(*next))) != NULL) {
		(void)root_rotate(r, (const uint8_t *)"x", 1, &d, next, &e);
		free(next);
	}
	doc_free(&d);
	return 0;
}
