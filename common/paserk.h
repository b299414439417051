/* SPDX-License-Identifier: MIT */
/* PASERK k4.public, k4.secret and k4.pid for Ed25519 keys. */
#ifndef LICD_PASERK_H
#define LICD_PASERK_H

#include <stddef.h>
#include <stdint.h>

#include "lerr.h"
#include "tok.h"

#define PASERK_PUBLIC_PREFIX	"k4.public."
#define PASERK_SECRET_PREFIX	"k4.secret."
#define PASERK_PID_PREFIX	"k4.pid."
/* "k4.pid." + base64url(33 bytes) = 7 + 44 */
#define PASERK_PID_LEN		51
/* "k4.public." + base64url(32 bytes) = 10 + 43 */
#define PASERK_PUBLIC_LEN	53
/* "k4.secret." + base64url(64 bytes) = 10 + 86 */
#define PASERK_SECRET_LEN	96

/* A key id as text, NUL-terminated. (paserk_pid() computes one.) */
typedef char paserk_kid[PASERK_PID_LEN + 1];

/* Parse "k4.public.<43 chars>" exactly. Errors: LICD_E_KEY. */
int paserk_public_decode(const char *s, size_t len, uint8_t pk[TOK_PK_LEN],
    struct lerr *e);
/* Write the k4.public text of pk into out (PASERK_PUBLIC_LEN + 1 bytes). */
void paserk_public_encode(const uint8_t pk[TOK_PK_LEN],
    char out[PASERK_PUBLIC_LEN + 1]);

/*
 * Parse "k4.secret.<86 chars>" into sk (seed || pk, 64 bytes) and check
 * that the public half matches the seed. sk should live in sodium_malloc()
 * memory; on failure it is wiped. Errors: LICD_E_KEY.
 */
int paserk_secret_decode(const char *s, size_t len, uint8_t sk[TOK_SK_LEN],
    struct lerr *e);
/* out must hold PASERK_SECRET_LEN + 1 bytes; caller wipes it. */
void paserk_secret_encode(const uint8_t sk[TOK_SK_LEN],
    char out[PASERK_SECRET_LEN + 1]);

/* k4.pid of pk: BLAKE2b-264("k4.pid." || "k4.public." || b64url(pk)). */
void paserk_pid(const uint8_t pk[TOK_PK_LEN], paserk_kid out);

/* 1 when s (len bytes) has the exact shape of a k4.pid, else 0. */
int paserk_pid_valid(const char *s, size_t len);

#endif
