/* SPDX-License-Identifier: MIT */
/* The regulator's tool: one cmd_*() per subcommand and the few helpers
 * they share (key files, the sign path, option parsing, errors). */
#ifndef LICISSUE_H
#define LICISSUE_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "doc.h"
#include "lerr.h"
#include "paserk.h"
#include "payload.h"

/* Exit statuses of every subcommand (licissue(1), EXIT STATUS). */
#define EXIT_OK		0
#define EXIT_INVALID	1	/* a document, payload or key was refused */
#define EXIT_USAGE	2	/* bad arguments, or a file could not be read */

/* At most one signature line per signer and DOC_MAX_TOKENS in all. */
#define MAX_SIGNERS	DOC_MAX_TOKENS
/* Key files and payloads are small; refuse anything larger. */
#define KEYFILE_MAX	8192
#define PAYLOAD_MAX	DOC_MAX_BYTES

/* Subcommands (one file each). argv[0] is "licissue NAME". */
int cmd_keygen(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_cosign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_root(int argc, char **argv);
int cmd_licence(int argc, char **argv);
int cmd_order(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_preview(int argc, char **argv);

/*
 * key.c: a signing key read from a k4.secret file or an Ed25519 PEM
 * (PKCS#8) private key. The secret lives in OpenSSL's key object (which
 * wipes it on free) and, while decoding, in sodium_malloc() memory only.
 */
struct signer;
int signer_load(const char *path, struct signer **out, struct lerr *e);
void signer_free(struct signer *s);
/* The k4.pid of the signer's public key (owned by s). */
const char *signer_kid(const struct signer *s);
const uint8_t *signer_pk(const struct signer *s);
/* One token over msg with the footer and implicit assertion of t (Ed25519
 * through OpenSSL EVP). *token is malloc'd. */
int signer_sign(const struct signer *s, const uint8_t *msg, size_t len,
    enum doc_type t, char **token, struct lerr *e);

/*
 * pubkey.c: a public key given as k4.public text, a file holding one
 * (NAME.pub) or a PEM public key (openssl pkey -pubout).
 */
int pubkey_read(const char *arg, uint8_t pk[TOK_PK_LEN], struct lerr *e);

/*
 * issue.c: the one path by which licissue produces a document. The
 * payload is validated (pl_validate), re-serialized compactly with its key
 * order kept, validated again as the exact bytes to be signed, signed once
 * per key file and written to stdout. label names the payload's origin in
 * messages. Returns an exit status and prints any error.
 */
int issue_json(json_t *payload, enum doc_type t, char *const *keys,
    size_t nkeys, const char *label);
/* Sign msg with every key in keys: a malloc'd document in *doc. */
int issue_message(const uint8_t *msg, size_t len, enum doc_type t,
    char *const *keys, size_t nkeys, char **doc, size_t *doclen,
    struct lerr *e);

/* util.c */
/* Print "<reason-code>: <message>" on stderr; return the exit status for
 * it (EXIT_USAGE for I/O and usage errors, else EXIT_INVALID). */
int report(const struct lerr *e);
/* A usage error: "licissue CMD: message" on stderr, returns EXIT_USAGE. */
int usage_error(const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Read a whole file or pipe ("-" is stdin) of at most max bytes into
 * *buf (NUL-terminated; sodium_malloc()'d when secret, else malloc'd).
 * Errors: LICD_E_IO (message starts with the path), LICD_E_TOO_LARGE.
 */
int read_file(const char *path, size_t max, int secret, char **buf,
    size_t *len, struct lerr *e);
void free_file(char *buf, int secret);
/* Write all of buf to fd; 0 or -1 with errno. */
int write_all(int fd, const void *buf, size_t len);
/* A --type argument: root, licence, order or status. */
int parse_type(const char *prog, const char *arg, enum doc_type *t);
/* Append a --key argument to keys[] (at most MAX_SIGNERS). */
int add_key(const char *prog, char **keys, size_t *nkeys, char *arg);

/* build.c: helpers of the builders (root, licence, order, status). */
/* A time argument: "now" or YYYY-MM-DDTHH:MM:SSZ. */
int opt_time(const char *prog, const char *opt, const char *arg,
    int64_t *out);
/* A duration argument (^(0|[1-9][0-9]{0,8})[smhd]$). */
int opt_duration(const char *prog, const char *opt, const char *arg,
    int64_t *out);
/* A plain unsigned integer argument, at most 2^53-1. */
int opt_uint(const char *prog, const char *opt, const char *arg,
    uint64_t *out);
/* Append string arg to list[] (at most max entries). */
int opt_list(const char *prog, const char *opt, char **list, size_t *n,
    size_t max, char *arg);
/* Fail with a usage error when a required option is missing. */
int opt_required(const char *prog, const char *opt, const void *val);
/* Exactly one of --exp/--ttl: exp = exp_arg, or iat + ttl, or iat + dflt. */
int opt_expiry(const char *prog, const char *exp_arg, const char *ttl_arg,
    int64_t iat, int64_t dflt, int64_t *exp);
/* --device: a k4.pid, or a public key accepted by pubkey_read(). */
int opt_device(const char *prog, const char *arg, paserk_kid out);
/* json_object_set_new() that dies on allocation failure; x-helpers are
 * for programs only. */
void xset(json_t *obj, const char *key, json_t *val);
json_t *xstring(const char *s);
json_t *xtime(int64_t t);
json_t *xinteger(uint64_t v);
json_t *xstrings(char *const *list, size_t n);
json_t *xobject(void);
json_t *xarray(void);
void xappend(json_t *arr, json_t *val);

#endif
