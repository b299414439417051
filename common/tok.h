/* SPDX-License-Identifier: MIT */
/* PASETO v4.public tokens: parse, PAE, verify (libsodium) and sign. */
#ifndef LICD_TOK_H
#define LICD_TOK_H

#include <stddef.h>
#include <stdint.h>

#include "lerr.h"

#define TOK_PREFIX	"v4.public."
#define TOK_PK_LEN	32
#define TOK_SK_LEN	64	/* libsodium form: seed || public key */
#define TOK_SIG_LEN	64
#define TOK_MAX_LEN	(64 * 1024)	/* a document is at most 64 KiB */

/*
 * A parsed (not yet verified) token. msg and footer are heap copies owned
 * by the struct (freed by tok_free()); msg is NUL-terminated for
 * convenience, msg_len excludes the NUL. A token with no footer section has
 * footer_len 0 (documents require one; doc.c checks that).
 */
struct tok {
	uint8_t *msg;
	size_t msg_len;
	uint8_t sig[TOK_SIG_LEN];
	uint8_t *footer;
	size_t footer_len;
};

/*
 * Parse "v4.public." b64url(m || sig) [ "." b64url(footer) ].
 * Rejects another prefix, bad base64url, a body shorter than 64 bytes,
 * more than two dots after the prefix, an empty footer after a "." (not
 * canonical: tok_encode() writes no "." then), and len > TOK_MAX_LEN.
 * On failure t is left empty (tok_free() is still safe).
 * Errors: LICD_E_TOKEN, LICD_E_TOO_LARGE, LICD_E_NOMEM.
 */
int tok_parse(const char *s, size_t len, struct tok *t, struct lerr *e);
void tok_free(struct tok *t);

/*
 * PAE (PASETO pre-authentication encoding) of n pieces.
 * Writes the encoding to *out (malloc'd, caller frees) and its length.
 */
int tok_pae(const uint8_t *const *pieces, const size_t *lens, size_t n,
    uint8_t **out, size_t *outlen);

/* PAE("v4.public.", m, f, i): the exact bytes Ed25519 signs. */
int tok_sig_input(const uint8_t *m, size_t mlen, const uint8_t *f,
    size_t flen, const uint8_t *i, size_t ilen, uint8_t **out,
    size_t *outlen);

/*
 * Verify a parsed token's signature with pk (exactly 32 bytes) and the
 * implicit assertion i. Returns 0 when valid, -LICD_E_SIGNATURE otherwise
 * (-LICD_E_NOMEM if the signature input cannot be built).
 * Uses crypto_sign_verify_detached() with a 64-byte signature only.
 */
int tok_verify(const struct tok *t, const uint8_t pk[TOK_PK_LEN],
    const uint8_t *i, size_t ilen);

/*
 * Raw Ed25519 verification, the only call to crypto_sign_verify_detached():
 * a signature that is not exactly TOK_SIG_LEN bytes or a key that is not
 * exactly TOK_PK_LEN bytes is rejected before libsodium sees it (libsodium
 * reads only the first 64 bytes of a longer buffer). m may be NULL when
 * mlen is 0. Returns 0 when valid, -LICD_E_SIGNATURE otherwise.
 */
int tok_ed25519_verify(const uint8_t *sig, size_t siglen, const uint8_t *m,
    size_t mlen, const uint8_t *pk, size_t pklen);

/*
 * Assemble a token string from message, a 64-byte signature and footer
 * (no "." section when flen is 0). *out is malloc'd and NUL-terminated.
 * Errors: LICD_E_TOO_LARGE when the token would exceed TOK_MAX_LEN (it
 * could not be parsed back), LICD_E_NOMEM.
 */
int tok_encode(const uint8_t *m, size_t mlen, const uint8_t sig[TOK_SIG_LEN],
    const uint8_t *f, size_t flen, char **out);

/*
 * 0 when the public half of sk (seed || pk) is the key of its seed, else
 * -LICD_E_KEY: signing with a mismatched half would leak the secret key.
 */
int tok_sk_check(const uint8_t sk[TOK_SK_LEN]);

/*
 * Sign with libsodium (the device key); *out as for tok_encode().
 * Errors: LICD_E_KEY (tok_sk_check()), LICD_E_TOO_LARGE, LICD_E_NOMEM.
 */
int tok_sign(const uint8_t sk[TOK_SK_LEN], const uint8_t *m, size_t mlen,
    const uint8_t *f, size_t flen, const uint8_t *i, size_t ilen, char **out);

#endif
