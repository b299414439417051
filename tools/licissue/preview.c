/* SPDX-License-Identifier: MIT */
/* `licissue preview`: placeholder until the preview engineer's file lands
 * (it replaces this file and keeps the cmd_preview() contract). */
#include "licissue.h"

int
cmd_preview(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("licissue preview: not yet\n", stderr);
	return EXIT_USAGE;
}
