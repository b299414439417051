/* SPDX-License-Identifier: MIT */
/* Strict base64url (RFC 4648 §5, no padding, canonical trailing bits). */
#ifndef LICD_B64_H
#define LICD_B64_H

#include <stddef.h>
#include <stdint.h>

/* Length of the unpadded base64url text for n bytes (without NUL). */
#define B64_ENCODED_LEN(n) ((((n) / 3) * 4) + (((n) % 3) ? ((n) % 3) + 1 : 0))
/* Bytes that len characters of valid unpadded base64url decode to. */
#define B64_DECODED_LEN(len) ((((len) / 4) * 3) + (((len) % 4) ? ((len) % 4) - 1 : 0))

/*
 * NULL when in (len bytes) is canonical unpadded base64url, else what is
 * wrong, for messages such as "token: base64url <why>": "has '=' padding",
 * "has a character outside the URL-safe alphabet", "has an impossible
 * length", "has non-zero trailing bits". Does not branch on valid input.
 */
const char *b64_invalid(const char *in, size_t len);

/*
 * Decode exactly: rejects '=', characters outside the URL-safe alphabet,
 * an impossible length (len % 4 == 1) and non-zero trailing bits. Writes at
 * most maxout bytes to out and the decoded length to *outlen.
 * Returns 0 or -LICD_E_TOKEN (-LICD_E_TOO_LARGE when maxout is too small).
 */
int b64_decode(const char *in, size_t len, uint8_t *out, size_t maxout,
    size_t *outlen);

/*
 * Encode n bytes into out (capacity outcap, including the NUL).
 * Returns 0, or -LICD_E_TOO_LARGE when outcap < B64_ENCODED_LEN(n) + 1.
 */
int b64_encode(const uint8_t *in, size_t n, char *out, size_t outcap);

#endif
