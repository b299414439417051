/* SPDX-License-Identifier: MIT */
/* The device key (DESIGN 3.4, 5.1): created once, kept in state_dir, used
 * for everything the device signs (requests, receipts, checkpoints). */
#ifndef LICD_DEVKEY_H
#define LICD_DEVKEY_H

#include <stddef.h>
#include <stdint.h>

#include "lerr.h"
#include "paserk.h"
#include "payload.h"

#define DEVKEY_FILE		"device.key"
#define DEVKEY_MACHINE_ID	"/etc/machine-id"
#define DEVKEY_PRODUCT_UUID	"/sys/class/dmi/id/product_uuid"

/*
 * A loaded key. sk lives in sodium_malloc() memory (guarded, locked when
 * possible) and is wiped and freed by devkey_free(); nothing else holds a
 * copy of it.
 */
struct devkey {
	uint8_t *sk;				/* TOK_SK_LEN: seed || pk */
	uint8_t pk[TOK_PK_LEN];
	paserk_kid kid;				/* k4.pid of pk */
	char pub[PASERK_PUBLIC_LEN + 1];	/* k4.public of pk */
};

/*
 * Load state_dir/device.key, or create it when absent (*created = 1).
 * Creation: a fresh Ed25519 key from libsodium, written as
 * "k4.secret.<86 chars>\n" to a temporary file opened
 * O_CREAT|O_EXCL|O_NOFOLLOW with mode 0600, synced, then link()ed to
 * device.key (which never replaces an existing file, so two starts racing
 * agree on one key). Loading refuses a file that is a symlink, not
 * regular, not owned by the effective uid, or has any group/other
 * permission bit (LICD_E_KEY, naming the mode), and a file that is not
 * exactly one k4.secret with an optional LF (LICD_E_KEY).
 * On success *out is a new key (devkey_free()); on failure NULL.
 */
int devkey_open(const char *state_dir, struct devkey **out, int *created,
    struct lerr *e);

/* Load an existing key file (same checks as above). */
int devkey_load(const char *path, struct devkey **out, struct lerr *e);

/* Wipe and free (NULL is fine). */
void devkey_free(struct devkey *k);

/*
 * Sign msg (a JSON payload of type t) with the device key: *doc is a
 * one-line document "<token>\n" (malloc'd, NUL-terminated, length in
 * *len). Errors: LICD_E_USAGE (t), LICD_E_NOMEM, LICD_E_TOO_LARGE.
 */
int devkey_sign(const struct devkey *k, enum doc_type t, const char *msg,
    size_t msglen, char **doc, size_t *len, struct lerr *e);

/*
 * The activation request (licd:v1:request): {"device","key","iat",
 * "host":{"machine_id","product_uuid"}}, signed. The host ids come from
 * machine_id_path and product_uuid_path (NULL: the DEVKEY_* defaults),
 * first line: machine_id must be 32 lower-case hex digits (LICD_E_IO
 * otherwise); product_uuid is lower-cased and "" unless it has the UUID
 * shape (unreadable without root on most machines).
 */
int devkey_request(const struct devkey *k, int64_t iat,
    const char *machine_id_path, const char *product_uuid_path, char **doc,
    size_t *len, struct lerr *e);

#endif
