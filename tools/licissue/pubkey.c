/* SPDX-License-Identifier: MIT */
/* Public keys named on the command line (root keys): k4.public text, a
 * NAME.pub file from keygen, or a PEM public key from OpenSSL tooling. */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "licissue.h"
#include "paserk.h"

static int
is_paserk_public(const char *s)
{
	return strncmp(s, PASERK_PUBLIC_PREFIX,
	    strlen(PASERK_PUBLIC_PREFIX)) == 0;
}

static int
pem_public(const char *path, const char *text, size_t len,
    uint8_t pk[TOK_PK_LEN], struct lerr *e)
{
	EVP_PKEY *pkey = NULL;
	BIO *bio;
	size_t pklen = TOK_PK_LEN;
	int r = 0;

	if ((bio = BIO_new_mem_buf(text, (int)len)) == NULL)
		return lerr_set(e, LICD_E_NOMEM, "%s: out of memory", path);
	pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (pkey == NULL)
		return lerr_set(e, LICD_E_KEY, "%s: not a PEM public key", path);
	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_ED25519)
		r = lerr_set(e, LICD_E_KEY, "%s: a %s key, expected Ed25519",
		    path, EVP_PKEY_get0_type_name(pkey));
	else if (EVP_PKEY_get_raw_public_key(pkey, pk, &pklen) != 1 ||
	    pklen != TOK_PK_LEN)
		r = lerr_set(e, LICD_E_KEY, "%s: no Ed25519 public key", path);
	EVP_PKEY_free(pkey);
	return r;
}

static int
file_public(const char *path, uint8_t pk[TOK_PK_LEN], struct lerr *e)
{
	char *text;
	size_t len;
	int r;

	if ((r = read_file(path, KEYFILE_MAX, 0, &text, &len, e)) != 0)
		return r;
	if (is_paserk_public(text)) {
		/* One line, optionally ending in a newline. */
		if (len > 0 && text[len - 1] == '\n')
			len--;
		if ((r = paserk_public_decode(text, len, pk, e)) != 0)
			lerr_prefix(e, "%s", path);
	} else if (strstr(text, "-----BEGIN ") != NULL) {
		r = pem_public(path, text, len, pk, e);
	} else {
		r = lerr_set(e, LICD_E_KEY, "%s: expected a k4.public key or "
		    "a PEM public key", path);
	}
	free_file(text, 0);
	return r;
}

int
pubkey_read(const char *arg, uint8_t pk[TOK_PK_LEN], struct lerr *e)
{
	int r;

	if (!is_paserk_public(arg))
		return file_public(arg, pk, e);
	if ((r = paserk_public_decode(arg, strlen(arg), pk, e)) != 0)
		lerr_prefix(e, "%s", arg);
	return r;
}
