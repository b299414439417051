/* SPDX-License-Identifier: MIT */
/* The licd.sock server (DESIGN 5.2): non-blocking connections on the
 * sd-event loop, frames checked against the protocol table, requests
 * dispatched through a handler table after a permission check. */
#ifndef LICD_SERVER_H
#define LICD_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "lerr.h"
#include "proto.h"

#define SRV_SOCKET		"licd.sock"
#define SRV_MAX_CONNS		1100	/* more are closed at once */
#define SRV_ADMIN_RESERVE	16	/* admins admitted beyond SRV_MAX_CONNS
					 * while fewer are connected */
#define SRV_PAUSE_MS		250	/* no accept() after EMFILE */
#define SRV_MAX_GROUPS		64	/* supplementary groups looked at */
#define SRV_OUT_MAX		(4 * 1024 * 1024)	/* queued per peer */
#define SRV_FRAME_TIMEOUT	10	/* s to finish a started frame */

struct srv;
struct srv_conn;

/*
 * A request handler (OpenSSH monitor-style: one row per type; the
 * permission is the protocol table's, checked before the call). It must
 * answer with srv_reply() or srv_reply_error() using req->id; a negative
 * return closes the connection.
 */
typedef int (*srv_handler_fn)(void *ctx, struct srv_conn *c,
    const struct proto_msg *req);

struct srv_handler {
	uint8_t type;			/* enum proto_type, a request */
	srv_handler_fn fn;
};

/* Called when a connection goes away (leases end with it). */
typedef void (*srv_close_fn)(void *ctx, struct srv_conn *c);

/*
 * Listen on path (a stale socket there is replaced; anything else there is
 * an error), mode 0666: everybody may connect, the table decides what they
 * may ask. With fd >= 0 (socket activation) that socket is used instead.
 * Errors: LICD_E_IO, LICD_E_NOMEM.
 */
int srv_open(struct srv **out, sd_event *ev, const char *path, int fd,
    const struct proto_admin *admin, const struct srv_handler *handlers,
    size_t nhandlers, srv_close_fn on_close, void *ctx, struct lerr *e);

/* Close every connection and the socket (the path is removed when we
 * created it). NULL is fine. */
void srv_close(struct srv *s);

/* Who counts as admin changes on reload. */
void srv_set_admin(struct srv *s, const struct proto_admin *admin);

/* Queue m for the peer. Returns 0, or a negative LICD_E_* when m cannot
 * be encoded or the peer has SRV_OUT_MAX bytes unread (then the
 * connection is dropped). */
int srv_reply(struct srv_conn *c, const struct proto_msg *m);

/* R_ERROR with a reason code and a message. */
int srv_reply_error(struct srv_conn *c, uint32_t id, const char *reason,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* R_OK with an optional message. */
int srv_reply_ok(struct srv_conn *c, uint32_t id, const char *msg);

/* R_TEXT with len bytes (at most PROTO_TEXT_MAX). */
int srv_reply_text(struct srv_conn *c, uint32_t id, const char *text,
    size_t len);

/* Mark c as a subscriber; srv_broadcast() reaches it. */
void srv_subscribe(struct srv_conn *c);

/* Send m (a notification) to every subscriber. */
void srv_broadcast(struct srv *s, const struct proto_msg *m);

/* The peer's credentials (SO_PEERCRED, SO_PEERGROUPS). */
const struct proto_peer *srv_peer(const struct srv_conn *c);
pid_t srv_peer_pid(const struct srv_conn *c);

/* A number unique to the connection for the daemon's lifetime. */
uint64_t srv_conn_id(const struct srv_conn *c);

/* Connections open now. */
size_t srv_nconns(const struct srv *s);

#endif
