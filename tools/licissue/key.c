/* SPDX-License-Identifier: MIT */
/* Signing keys: read a k4.secret or Ed25519 PEM private key file and sign
 * tokens with it through OpenSSL EVP (DESIGN 3.2: the issuer signs with
 * OpenSSL so that a ministry may keep its keys in OpenSSL tooling). */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "licissue.h"
#include "paserk.h"

struct signer {
	EVP_PKEY *pkey;		/* holds the secret; EVP_PKEY_free() wipes it */
	uint8_t pk[TOK_PK_LEN];
	paserk_kid kid;
};

#define FOOTER_MAX 128		/* {"kid":"<51>","typ":"<at most 10>"} */

static int
ossl_error(struct lerr *e, int code, const char *what, const char *path)
{
	char buf[160] = "unknown OpenSSL error";
	unsigned long err = ERR_peek_last_error();

	if (err != 0)
		ERR_error_string_n(err, buf, sizeof(buf));
	ERR_clear_error();
	return lerr_set(e, code, "%s: %s (%s)", path, what, buf);
}

/* Strip the final newline (LF or CRLF) a text editor may have added. */
static size_t
trim_eol(const char *s, size_t len)
{
	if (len > 0 && s[len - 1] == '\n')
		len--;
	if (len > 0 && s[len - 1] == '\r')
		len--;
	return len;
}

static int
load_paserk(const char *path, const char *text, size_t len, EVP_PKEY **pkey,
    struct lerr *e)
{
	uint8_t *sk;
	int r;

	if ((sk = sodium_malloc(TOK_SK_LEN)) == NULL)
		return lerr_set(e, LICD_E_NOMEM, "%s: out of memory", path);
	if ((r = paserk_secret_decode(text, trim_eol(text, len), sk, e)) != 0) {
		lerr_prefix(e, "%s", path);
		goto out;
	}
	/* sk is seed || pk; OpenSSL wants the 32-byte seed. */
	*pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, sk, 32);
	if (*pkey == NULL)
		r = ossl_error(e, LICD_E_KEY, "cannot use the key", path);
 out:
	sodium_free(sk);
	return r;
}

static int
load_pem(const char *path, const char *text, size_t len, EVP_PKEY **pkey,
    struct lerr *e)
{
	BIO *bio;

	/* A read-only BIO over our sodium_malloc()'d buffer: no copy. */
	if ((bio = BIO_new_mem_buf(text, (int)len)) == NULL)
		return lerr_set(e, LICD_E_NOMEM, "%s: out of memory", path);
	*pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (*pkey == NULL)
		return ossl_error(e, LICD_E_KEY,
		    "not a readable PEM private key", path);
	if (EVP_PKEY_get_base_id(*pkey) != EVP_PKEY_ED25519) {
		lerr_set(e, LICD_E_KEY, "%s: a %s key, expected Ed25519", path,
		    EVP_PKEY_get0_type_name(*pkey));
		EVP_PKEY_free(*pkey);
		*pkey = NULL;
		return -LICD_E_KEY;
	}
	return 0;
}

static int
load_pkey(const char *path, EVP_PKEY **pkey, struct lerr *e)
{
	char *text;
	size_t len;
	int r;

	if ((r = read_file(path, KEYFILE_MAX, 1, &text, &len, e)) != 0)
		return r;
	if (strncmp(text, PASERK_SECRET_PREFIX,
	    strlen(PASERK_SECRET_PREFIX)) == 0)
		r = load_paserk(path, text, len, pkey, e);
	else if (strstr(text, "-----BEGIN ") != NULL)
		r = load_pem(path, text, len, pkey, e);
	else
		r = lerr_set(e, LICD_E_KEY, "%s: expected a k4.secret key or "
		    "an Ed25519 PEM private key", path);
	free_file(text, 1);
	return r;
}

int
signer_load(const char *path, struct signer **out, struct lerr *e)
{
	struct signer *s;
	size_t pklen = TOK_PK_LEN;
	int r;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	if ((r = load_pkey(path, &s->pkey, e)) != 0)
		goto fail;
	if (EVP_PKEY_get_raw_public_key(s->pkey, s->pk, &pklen) != 1 ||
	    pklen != TOK_PK_LEN) {
		r = ossl_error(e, LICD_E_KEY, "no Ed25519 public key", path);
		goto fail;
	}
	paserk_pid(s->pk, s->kid);
	*out = s;
	return 0;
 fail:
	signer_free(s);
	return r;
}

void
signer_free(struct signer *s)
{
	if (s == NULL)
		return;
	EVP_PKEY_free(s->pkey);
	free(s);
}

const char *
signer_kid(const struct signer *s)
{
	return s->kid;
}

const uint8_t *
signer_pk(const struct signer *s)
{
	return s->pk;
}

static int
ed25519_sign(EVP_PKEY *pkey, const uint8_t *tbs, size_t len,
    uint8_t sig[TOK_SIG_LEN], struct lerr *e)
{
	EVP_MD_CTX *ctx;
	size_t siglen = TOK_SIG_LEN;
	int ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	/* Ed25519 is one-shot: no digest, EVP_DigestSign() over all bytes. */
	ok = EVP_DigestSignInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
	    EVP_DigestSign(ctx, sig, &siglen, tbs, len) == 1 &&
	    siglen == TOK_SIG_LEN;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return ossl_error(e, LICD_E_INTERNAL, "Ed25519 signing failed",
		    "EVP_DigestSign");
	return 0;
}

int
signer_sign(const struct signer *s, const uint8_t *msg, size_t len,
    enum doc_type t, char **token, struct lerr *e)
{
	char footer[FOOTER_MAX];
	const char *implicit = doc_implicit(t);
	uint8_t *tbs = NULL, sig[TOK_SIG_LEN];
	size_t tbslen, flen;
	int r;

	*token = NULL;
	if (doc_footer(s->kid, t, footer, sizeof(footer)) != 0 ||
	    implicit == NULL)
		return lerr_set(e, LICD_E_INTERNAL, "cannot build the footer");
	flen = strlen(footer);
	if (tok_sig_input(msg, len, (const uint8_t *)footer, flen,
	    (const uint8_t *)implicit, strlen(implicit), &tbs, &tbslen) != 0)
		return lerr_set(e, LICD_E_NOMEM, "cannot build the PAE input");
	if ((r = ed25519_sign(s->pkey, tbs, tbslen, sig, e)) != 0)
		goto out;
	r = tok_encode(msg, len, sig, (const uint8_t *)footer, flen, token);
	if (r == -LICD_E_TOO_LARGE)
		lerr_set(e, r, "the token would exceed %d bytes", TOK_MAX_LEN);
	else if (r != 0)
		lerr_set(e, r, "cannot encode the token");
 out:
	free(tbs);
	return r;
}
