/* SPDX-License-Identifier: MIT */
/* licctl: the operators' tool; one function per command, one client. */
#ifndef LICCTL_H
#define LICCTL_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define LICCTL_EX_OK		0
#define LICCTL_EX_FAIL		1	/* rejected, denied, refused */
#define LICCTL_EX_UNREACHABLE	2	/* and usage errors */
#define LICCTL_TIMEOUT_MS	30000	/* for one reply */

/* A connection to licd and the last reply (its views point into buf). */
struct client {
	int fd;
	uint32_t next_id;
	uint8_t *buf;
	struct proto_msg reply;
};

/* Connect to path. Returns 0, or -1 with a message on stderr. */
int client_open(struct client *c, const char *path);
void client_close(struct client *c);

/* Send req (its id is set here) and wait for its reply (notifications
 * are skipped). Returns 0, or -1 with a message on stderr. */
int client_call(struct client *c, struct proto_msg *req);

/* Print an R_ERROR reply as "licctl: <reason>: <message>". */
void client_print_error(const struct proto_msg *m, const char *prefix);

/* The socket path: --socket, else runtime_dir/licd.sock of the
 * configuration (/etc/licd/licd.conf), else /run/licd/licd.sock. */
const char *licctl_socket_path(const char *given);

#endif
