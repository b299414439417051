/* SPDX-License-Identifier: MIT */
/* `licissue keygen`: a new Ed25519 key pair as NAME.key (k4.secret, 0600)
 * and NAME.pub (k4.public); never overwrites a file. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "licissue.h"
#include "paserk.h"

static const char usage_text[] =
    "usage: licissue keygen --out NAME\n"
    "\n"
    "Create NAME.key (k4.secret, mode 0600) and NAME.pub (k4.public) and\n"
    "print the key id (k4.pid). Existing files are never overwritten.\n";

static int
usage(FILE *f, int rc)
{
	fputs(usage_text, f);
	return rc;
}

/* Create path exclusively, never through a symlink. */
static int
create_excl(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, mode);

	if (fd < 0)
		fprintf(stderr, "io: %s: %s\n", path, strerror(errno));
	return fd;
}

static int
write_close(int fd, const char *path, const char *text)
{
	int ok = write_all(fd, text, strlen(text)) == 0 && fsync(fd) == 0;

	if (close(fd) != 0)
		ok = 0;
	if (!ok)
		fprintf(stderr, "io: %s: %s\n", path, strerror(errno));
	return ok ? 0 : -1;
}

/* Both files are opened before either is written, so a clash on the
 * second leaves nothing behind. */
static int
write_pair(const char *keypath, const char *secret, const char *pubpath,
    const char *public)
{
	int kfd, pfd;

	if ((kfd = create_excl(keypath, 0600)) < 0)
		return EXIT_USAGE;
	if ((pfd = create_excl(pubpath, 0644)) < 0) {
		close(kfd);
		unlink(keypath);
		return EXIT_USAGE;
	}
	if (write_close(kfd, keypath, secret) != 0) {
		close(pfd);
		goto fail;
	}
	if (write_close(pfd, pubpath, public) != 0)
		goto fail;
	return EXIT_OK;
 fail:
	unlink(keypath);
	unlink(pubpath);
	return EXIT_USAGE;
}

static int
keygen(const char *name)
{
	char keypath[PATH_MAX], pubpath[PATH_MAX];
	char public[PASERK_PUBLIC_LEN + 2], *secret = NULL;
	uint8_t pk[TOK_PK_LEN], *sk = NULL;
	paserk_kid kid;
	int rc = EXIT_USAGE;

	if ((size_t)snprintf(keypath, sizeof(keypath), "%s.key", name) >=
	    sizeof(keypath) || (size_t)snprintf(pubpath, sizeof(pubpath),
	    "%s.pub", name) >= sizeof(pubpath))
		return usage_error("licissue keygen", "--out %s: too long",
		    name);
	sk = sodium_malloc(TOK_SK_LEN);
	secret = sodium_malloc(PASERK_SECRET_LEN + 2);
	if (sk == NULL || secret == NULL) {
		fputs("no-memory: out of memory\n", stderr);
		goto out;
	}
	crypto_sign_keypair(pk, sk);
	paserk_secret_encode(sk, secret);
	strcat(secret, "\n");
	paserk_public_encode(pk, public);
	strcat(public, "\n");
	paserk_pid(pk, kid);
	if ((rc = write_pair(keypath, secret, pubpath, public)) == EXIT_OK)
		printf("%s\n", kid);
 out:
	sodium_free(secret);	/* both wipe; NULL is fine */
	sodium_free(sk);
	return rc;
}

int
cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *out = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'h':
			return usage(stdout, EXIT_OK);
		default:
			return usage(stderr, EXIT_USAGE);
		}
	}
	if (out == NULL || *out == '\0' || optind != argc)
		return usage(stderr, EXIT_USAGE);
	return keygen(out);
}
