/* SPDX-License-Identifier: MIT */
/* What licd does for each request on licd.sock: one function per type,
 * listed in one table (the permission check happened in server.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "licd.h"
#include "log.h"

static int
h_subscribe(void *ctx, struct srv_conn *c, const struct proto_msg *req)
{
	(void)ctx;
	srv_subscribe(c);
	return srv_reply_ok(c, req->id, NULL);
}

static int
h_reload(void *ctx, struct srv_conn *c, const struct proto_msg *req)
{
	struct lerr e = { 0 };

	if (licd_reload(ctx, srv_peer(c)->uid, &e) < 0)
		return srv_reply_error(c, req->id, lerr_reason(e.code), "%s",
		    e.msg);
	return srv_reply_ok(c, req->id, "configuration reloaded");
}

static int
h_request(void *ctx, struct srv_conn *c, const struct proto_msg *req)
{
	struct licd *d = ctx;
	struct lerr e = { 0 };
	char *doc = NULL;
	size_t len;
	int r;

	if (devkey_request(d->key, sclock_now(&d->clock, licd_wall()), NULL,
	    NULL, &doc, &len, &e) < 0)
		return srv_reply_error(c, req->id, lerr_reason(e.code), "%s",
		    e.msg);
	if (audit_admin(&d->audit, srv_peer(c)->uid, "request", NULL, &e) < 0)
		log_ev(LOG_ERR, LOG_ID_AUDIT_ERROR, NULL, "%s", e.msg);
	r = srv_reply_text(c, req->id, doc, len);
	free(doc);
	return r;
}

static int
h_audit_verify(void *ctx, struct srv_conn *c, const struct proto_msg *req)
{
	struct licd *d = ctx;
	struct audit_result res;
	struct lerr e = { 0 };
	char text[512];
	int n;

	if (audit_verify(d->audit.path, d->key->pk, &res, &e) < 0)
		return srv_reply_error(c, req->id, lerr_reason(e.code), "%s",
		    e.msg);
	n = snprintf(text, sizeof(text), "%s: %llu lines, %llu checkpoints",
	    d->audit.path, (unsigned long long)res.lines,
	    (unsigned long long)res.checkpoints);
	if (res.last_checkpoint > 0)
		n += snprintf(text + n, sizeof(text) - (size_t)n, ", the last "
		    "at line %llu; %llu lines after it are chained only",
		    (unsigned long long)res.last_checkpoint,
		    (unsigned long long)(res.lines - res.last_checkpoint));
	n += snprintf(text + n, sizeof(text) - (size_t)n, "\n");
	return srv_reply_text(c, req->id, text, (size_t)n);
}

static int
h_checkpoint(void *ctx, struct srv_conn *c, const struct proto_msg *req)
{
	struct licd *d = ctx;
	struct lerr e = { 0 };
	char msg[64];

	if (audit_admin(&d->audit, srv_peer(c)->uid, "checkpoint", NULL,
	    &e) < 0 || audit_checkpoint(&d->audit, d->key,
	    sclock_now(&d->clock, licd_wall()), &e) < 0)
		return srv_reply_error(c, req->id, lerr_reason(e.code), "%s",
		    e.msg);
	snprintf(msg, sizeof(msg), "checkpoint at line %llu",
	    (unsigned long long)d->audit.lines);
	return srv_reply_ok(c, req->id, msg);
}

#define METRIC(buf, n, name, type, help, fmt, ...) \
	((n) += snprintf((buf) + (n), sizeof(buf) - (size_t)(n), \
	    "# HELP " name " " help "\n# TYPE " name " " type "\n" \
	    name " " fmt "\n", __VA_ARGS__))

static int
h_metrics(void *ctx, struct srv_conn *c, const struct proto_msg *req)
{
	struct licd *d = ctx;
	char buf[4096];
	int n = 0;

	METRIC(buf, n, "licd_up", "gauge", "1 while licd runs.", "%d", 1);
	METRIC(buf, n, "licd_connections", "gauge",
	    "Peers connected to licd.sock.", "%zu", srv_nconns(d->srv));
	METRIC(buf, n, "licd_audit_lines", "counter",
	    "Lines in the audit log.", "%llu",
	    (unsigned long long)d->audit.lines);
	METRIC(buf, n, "licd_signed_clock_seconds", "gauge",
	    "The signed clock (DESIGN 4.2), Unix seconds.", "%lld",
	    (long long)d->clock.signed_time);
	METRIC(buf, n, "licd_clock_rollback", "gauge",
	    "1 while the wall clock is more than 300 s behind the signed "
	    "clock.", "%d", d->clock.rollback ? 1 : 0);
	METRIC(buf, n, "licd_root_pinned", "gauge",
	    "1 when this build pins the first root.", "%d", d->pinned ? 1 : 0);
	METRIC(buf, n, "licd_store_ok", "gauge",
	    "0 after a write to state_dir failed.", "%d", d->store_ok ? 1 : 0);
	/* SEAM(policy): per-licence metrics from d->view, e.g.
	 * licd_licence_state{lid,product,state} 1, licd_status_fresh{lid},
	 * licd_feature_in_use{product,feature}. */
	return srv_reply_text(c, req->id, buf, (size_t)n);
}

/*
 * SEAM(policy): these requests need the decision state.
 *  QUERY    pol_check() on d->view -> R_DECISION (snapshot generation).
 *  ACQUIRE  pol_check() + lease count < max_concurrent, audit_usage(),
 *           -> R_LEASE, or R_DECISION allowed=0; refuse when !audit_ok.
 *  RELEASE  end the lease (only the connection that holds it).
 *  STATUS   pol_licence_json() per lid inside pol_envelope_json().
 *  EXPLAIN  the documents and rules behind one feature.
 *  IMPORT   doc_parse(DOC_ANY) -> doc_verify_role()/root_rotate() ->
 *           pl_decode_*() -> pol_accept() -> store_doc_put() ->
 *           audit_document() -> receipt in the outbox -> re-evaluate,
 *           snap_publish(), srv_broadcast(N_CHANGED) -> R_IMPORT.
 *  REPORT   a signed licd:v1:report from the audit log's usage lines.
 */
static int
h_seam(void *ctx, struct srv_conn *c, const struct proto_msg *req)
{
	(void)ctx;
	return srv_reply_error(c, req->id, "not-implemented", "%s: the "
	    "decision engine is not wired into this licd yet",
	    proto_type_name(req->type));
}

const struct srv_handler licd_handlers[] = {
	{ PROTO_QUERY, h_seam },
	{ PROTO_ACQUIRE, h_seam },
	{ PROTO_RELEASE, h_seam },
	{ PROTO_SUBSCRIBE, h_subscribe },
	{ PROTO_STATUS, h_seam },
	{ PROTO_EXPLAIN, h_seam },
	{ PROTO_METRICS, h_metrics },
	{ PROTO_IMPORT, h_seam },
	{ PROTO_RELOAD, h_reload },
	{ PROTO_REQUEST, h_request },
	{ PROTO_AUDIT_VERIFY, h_audit_verify },
	{ PROTO_REPORT, h_seam },
	{ PROTO_CHECKPOINT, h_checkpoint },
};

const size_t licd_nhandlers = sizeof(licd_handlers) /
    sizeof(licd_handlers[0]);

void
licd_conn_closed(void *ctx, struct srv_conn *c)
{
	(void)ctx;
	(void)c;
	/* SEAM(policy): release every lease held by c (audit_usage with
	 * why "disconnected"), update in_use in the snapshot. */
}
