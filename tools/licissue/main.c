/* SPDX-License-Identifier: MIT */
/* licissue(1): the regulator's tool; main() only dispatches to one
 * subcommand per file, like wireguard-tools' wg.c. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "licissue.h"

static const struct {
	const char *name;
	const char *prog;	/* argv[0] for the subcommand's messages */
	int (*fn)(int argc, char **argv);
	const char *description;
} subcommands[] = {
	{ "keygen", "licissue keygen", cmd_keygen,
	  "create a key pair (NAME.key, NAME.pub)" },
	{ "sign", "licissue sign", cmd_sign,
	  "sign a JSON payload into a document" },
	{ "cosign", "licissue cosign", cmd_cosign,
	  "add a signature line to a document" },
	{ "verify", "licissue verify", cmd_verify,
	  "verify a document under a root" },
	{ "root", "licissue root", cmd_root,
	  "build and sign a root document" },
	{ "licence", "licissue licence", cmd_licence,
	  "build and sign a licence" },
	{ "order", "licissue order", cmd_order,
	  "build and sign an order" },
	{ "status", "licissue status", cmd_status,
	  "build and sign a status (heartbeat)" },
	{ "preview", "licissue preview", cmd_preview,
	  "show the effect of documents on a device" },
};

static int
usage(FILE *f, int rc)
{
	fputs("usage: licissue COMMAND [OPTIONS] [ARGS]\n\n"
	    "Commands:\n", f);
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]);
	    i++)
		fprintf(f, "  %-9s %s\n", subcommands[i].name,
		    subcommands[i].description);
	fputs("\nlicissue COMMAND --help shows the options of COMMAND.\n", f);
	return rc;
}

int
main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fputs("licissue: cannot initialize libsodium\n", stderr);
		return EXIT_INVALID;
	}
	if (argc < 2)
		return usage(stderr, EXIT_USAGE);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return usage(stdout, EXIT_OK);
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]);
	    i++) {
		if (strcmp(argv[1], subcommands[i].name) == 0) {
			argv[1] = (char *)subcommands[i].prog;
			return subcommands[i].fn(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "licissue: unknown command '%s'\n", argv[1]);
	return usage(stderr, EXIT_USAGE);
}
