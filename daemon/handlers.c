/* SPDX-License-Identifier: MIT */
/* What licd does for each request on licd.sock: one function per type,
 * listed in one table (the permission check happened in server.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "licd.h"
#include "log.h"
#include "report.h"

#define LIMIT_REASON	"limit-reached"

static uint64_t
generation(const struct licd *d)
{
	return d->snap.map != NULL ? d->snap.map->generation : 0;
}

/* A name from the wire: "" when it is not a valid name (never allowed). */
static void
name_of(struct proto_bytes b, char out[PL_NAME_MAX + 1])
{
	if (proto_cstr(b, out, PL_NAME_MAX + 1) < 0 ||
	    !pl_name_valid(out, strlen(out)))
		out[0] = '\0';
}

static int
reply_text_free(struct srv_conn *c, uint32_t id, char *text, size_t len)
{
	int r;

	if (text == NULL)
		return srv_reply_error(c, id, "no-memory", "out of memory");
	r = srv_reply_text(c, id, text, len);
	free(text);
	return r;
}

static int
decision(struct srv_conn *c, uint32_t id, const struct licd *d, bool allowed,
    const char *reason, uint32_t max, uint32_t in_use)
{
	struct proto_msg m = { .type = PROTO_R_DECISION, .id = id };

	m.u.decision.allowed = allowed;
	m.u.decision.reason = proto_str(allowed ? "" : reason);
	m.u.decision.max_concurrent = allowed ? max : 0;
	m.u.decision.in_use = in_use;
	m.u.decision.generation = generation(d);
	return srv_reply(c, &m);
}

static int
h_query(void *ctx, struct srv_conn *c, const struct proto_msg *req)
{
	struct licd *d = ctx;
	char p[PL_NAME_MAX + 1], f[PL_NAME_MAX + 1], u[PL_NAME_MAX + 1];
	enum pol_reason why = POL_R_NOT_LICENSED;
	uint32_t max = 0;
	int ok;

	name_of(req->u.query.product, p);
	name_of(req->u.query.feature, f);
	name_of(req->u.query.purpose, u);
	ok = p[0] && f[0] && u[0] && pol_check(engine_view(&d->eng), p, f, u,
	    &why, &max);
	return decision(c, req->id, d, ok, pol_reason_name(why), max,
	    leases_in_use(&d->leases, p, f));
}

/* A lease of c from an ACQUIRE request (names checked: "" when bad). */
static void
lease_of(struct srv_conn *c, const struct proto_msg *req, struct lease *l)
{
	memset(l, 0, sizeof(*l));
	l->owner = c;
	l->uid = srv_peer(c)->uid;
	l->pid = srv_peer_pid(c);
	name_of(req->u.acquire.product, l->product);
	name_of(req->u.acquire.feature, l->feature);
	name_of(req->u.acquire.purpose, l->purpose);
	proto_cstr(req->u.acquire.case_ref, l->case_ref, sizeof(l->case_ref));
}

/* Grant: the lease is held only once the audit log has recorded it. */
static int
grant(struct licd *d, struct srv_conn *c, uint32_t id, const struct lease *l)
{
	struct proto_msg m = { .type = PROTO_R_LEASE, .id = id };
	struct audit_usage u;
	struct lerr e = { 0 };

	if (leases_add(&d->leases, l, &m.u.lease.lease) < 0)
		return decision(c, id, d, false, LIMIT_REASON, 0,
		    leases_in_use(&d->leases, l->product, l->feature));
	u = (struct audit_usage){ true, m.u.lease.lease, l->product,
	    l->feature, l->purpose, l->case_ref, NULL, l->uid, l->pid };
	if (audit_usage(&d->audit, &u, &e) < 0) {
		leases_remove(&d->leases, m.u.lease.lease, c, NULL);
		log_ev(LOG_ERR, LOG_ID_AUDIT_ERROR, NULL, "%s", e.msg);
		return srv_reply_error(c, id, "io", "the audit log cannot "
		    "record the use: %s", e.msg);
	}
	licd_publish(d, false);
	return srv_reply(c, &m);
}

static int
h_acquire(void *ctx, struct srv_conn *c, const struct proto_msg *req)
{
	struct licd *d = ctx;
	enum pol_reason why = POL_R_NOT_LICENSED;
	uint32_t max = 0, in_use;
	struct lease l;

	lease_of(c, req, &l);
	in_use = leases_in_use(&d->leases, l.product, l.feature);
	if (!l.product[0] || !l.feature[0] || !l.purpose[0] ||
	    !pol_check(engine_view(&d->eng), l.product, l.feature, l.purpose,
	    &why, &max))
		return decision(c, req->id, d, false, pol_reason_name(why), 0,
		    in_use);
	if (max != 0 && in_use >= max)
		return decision(c, req->id, d, false, LIMIT_REASON, max,
		    in_use);
	if (!d->audit_ok)
		return srv_reply_error(c, req->id, "io", "the audit log cannot "
		    "record the use: counted uses are refused");
	return grant(d, c, req->id, &l);
}

static void
audit_release(struct licd *d, const struct lease *l, const char *why)
{
	struct audit_usage u = { false, l->id, l->product, l->feature,
	    l->purpose, l->case_ref, why, l->uid, l->pid };
	struct lerr e = { 0 };

	if (d->audit_ok && audit_usage(&d->audit, &u, &e) < 0)
		log_ev(LOG_ERR, LOG_ID_AUDIT_ERROR, NULL, "%s", e.msg);
}

static int
h_release(void *ctx, struct srv_conn *c, const struct proto_msg *req)
{
	struct licd *d = ctx;
	struct lease l;

	if (leases_remove(&d->leases, req->u.release.lease, c, &l) < 0)
		return srv_reply_error(c, req->id, "not-found", "lease %llu: "
		    "not held by this connection",
		    (unsigned long long)req->u.release.lease);
	audit_release(d, &l, "released");
	licd_publish(d, false);
	return srv_reply_ok(c, req->id, NULL);
}

static void
on_dropped(void *ctx, const struct lease *l, const char *reason)
{
	audit_release(ctx, l, reason);
}

void
licd_conn_closed(void *ctx, struct srv_conn *c)
{
	struct licd *d = ctx;

	if (leases_drop_owner(&d->leases, c, on_dropped, d) > 0)
		licd_publish(d, false);
}

static int
h_subscribe(void *ctx, struct srv_conn *c, const struct proto_msg *req)
{
	(void)ctx;
	srv_subscribe(c);
	return srv_reply_ok(c, req->id, NULL);
}

static int
h_status(void *ctx, struct srv_conn *c, const struct proto_msg *req)
{
	struct render_ctx rc = licd_render_ctx(ctx);
	size_t len = 0;
	char *text;
	json_t *j;

	if (!(req->u.status.flags & PROTO_STATUS_JSON)) {
		text = render_status_text(&rc, &len);
		return reply_text_free(c, req->id, text, len);
	}
	j = render_status_json(&rc);
	text = j != NULL ? json_dumps(j, JSON_INDENT(2) |
	    JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	if (text == NULL)
		return reply_text_free(c, req->id, NULL, 0);
	return reply_text_free(c, req->id, text, strlen(text));
}

static int
h_explain(void *ctx, struct srv_conn *c, const struct proto_msg *req)
{
	struct render_ctx rc = licd_render_ctx(ctx);
	char p[PL_NAME_MAX + 1], f[PL_NAME_MAX + 1], *text;
	size_t len = 0;
	int code;

	name_of(req->u.explain.product, p);
	name_of(req->u.explain.feature, f);
	text = render_explain(&rc, p, f, &len, &code);
	if (text == NULL && code == LICD_E_NOT_FOUND)
		return srv_reply_error(c, req->id, "not-found", "%.*s %.*s: "
		    "no licence on this device grants this feature",
		    (int)req->u.explain.product.len,
		    (const char *)req->u.explain.product.p,
		    (int)req->u.explain.feature.len,
		    (const char *)req->u.explain.feature.p);
	return reply_text_free(c, req->id, text, len);
}

static int
h_metrics(void *ctx, struct srv_conn *c, const struct proto_msg *req)
{
	struct licd *d = ctx;
	struct render_ctx rc = licd_render_ctx(d);
	struct render_daemon dm = { srv_nconns(d->srv), d->audit.lines,
	    d->store_ok, d->audit_ok, generation(d) };
	size_t len = 0;
	char *text = render_metrics(&rc, &dm, &len);

	return reply_text_free(c, req->id, text, len);
}

static uint8_t
outcome(enum pol_verdict v)
{
	switch (v) {
	case POL_PENDING:
		return PROTO_PENDING;
	case POL_NOOP:
		return PROTO_NOOP;
	case POL_REJECTED:
		return PROTO_REJECTED;
	default:
		return PROTO_ACCEPTED;	/* accepted, superseded */
	}
}

static int
h_import(void *ctx, struct srv_conn *c, const struct proto_msg *req)
{
	struct proto_msg m = { .type = PROTO_R_IMPORT, .id = req->id };
	char name[PROTO_FILE_MAX + 1] = "", msg[PROTO_MSG_MAX + 1];
	struct eng_import res;

	proto_cstr(req->u.import.name, name, sizeof(name));
	licd_import(ctx, "socket", name, req->u.import.doc.p,
	    req->u.import.doc.len, &res);
	m.u.import_result.outcome = outcome(res.verdict);
	if (res.verdict == POL_REJECTED) {
		m.u.import_result.reason = proto_str(lerr_reason(res.reason));
		snprintf(msg, sizeof(msg), "%s", res.err.msg);
	} else {
		snprintf(msg, sizeof(msg), "%s: %s%s%s %s %llu",
		    pol_verdict_name(res.verdict),
		    doc_type_name((enum doc_type)res.type), res.lid[0] ? " " :
		    "", res.lid, res.type == DOC_ROOT || res.type ==
		    DOC_LICENCE ? "ver" : "seq", (unsigned long long)res.num);
	}
	m.u.import_result.message = proto_str(msg);
	return srv_reply(c, &m);
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

/* The lid a report is for: the one named, or the only one held. */
static int
report_lid(const struct licd *d, const struct proto_msg *req, char *lid,
    const char **product)
{
	const struct pol_view *v = engine_view(&d->eng);
	size_t i, n = 0;

	if (proto_cstr(req->u.report.lid, lid, PL_LID_MAX + 1) < 0)
		return -1;
	*product = "";
	for (i = 0; i < v->nlic; i++) {
		if (lid[0] != '\0' && strcmp(v->lic[i].lid, lid) != 0)
			continue;
		if (lid[0] == '\0' && !v->lic[i].has_licence)
			continue;
		snprintf(lid, PL_LID_MAX + 1, "%s", v->lic[i].lid);
		*product = v->lic[i].product;
		n++;
	}
	return n == 1 ? 0 : -1;
}

static int
h_report(void *ctx, struct srv_conn *c, const struct proto_msg *req)
{
	struct licd *d = ctx;
	char lid[PL_LID_MAX + 1], *doc = NULL;
	struct report_req q = { d->audit.path, audit_head(&d->audit), lid,
	    "", (int64_t)req->u.report.from, (int64_t)req->u.report.to,
	    engine_view(&d->eng)->now };
	struct lerr e = { 0 };
	size_t len;
	int r;

	if (report_lid(d, req, lid, &q.product) < 0)
		return srv_reply_error(c, req->id, "not-found", "name one "
		    "licence (lid) held on this device");
	if (report_build(&q, d->key, &doc, &len, &e) < 0)
		return srv_reply_error(c, req->id, lerr_reason(e.code), "%s",
		    e.msg);
	if (audit_admin(&d->audit, srv_peer(c)->uid, "report", lid, &e) < 0)
		log_ev(LOG_ERR, LOG_ID_AUDIT_ERROR, NULL, "%s", e.msg);
	r = srv_reply_text(c, req->id, doc, len);
	free(doc);
	return r;
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

const struct srv_handler licd_handlers[] = {
	{ PROTO_QUERY, h_query },
	{ PROTO_ACQUIRE, h_acquire },
	{ PROTO_RELEASE, h_release },
	{ PROTO_SUBSCRIBE, h_subscribe },
	{ PROTO_STATUS, h_status },
	{ PROTO_EXPLAIN, h_explain },
	{ PROTO_METRICS, h_metrics },
	{ PROTO_IMPORT, h_import },
	{ PROTO_RELOAD, h_reload },
	{ PROTO_REQUEST, h_request },
	{ PROTO_AUDIT_VERIFY, h_audit_verify },
	{ PROTO_REPORT, h_report },
	{ PROTO_CHECKPOINT, h_checkpoint },
};

const size_t licd_nhandlers = sizeof(licd_handlers) /
    sizeof(licd_handlers[0]);
