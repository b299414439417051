/* SPDX-License-Identifier: MIT */
/* Making a decision count: every change the engine reports is recorded
 * (audit, journald, receipts) and enforced (hook, enforcer file, leases,
 * snapshot, subscribers), always in that order and from one function. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "enforce.h"
#include "licd.h"
#include "log.h"
#include "ltime.h"
#include "publish.h"
#include "receipt.h"

#define APPLIED_FILE	"applied"	/* what was last announced */
#define RECEIPT_TRIES	8

struct render_ctx
licd_render_ctx(const struct licd *d)
{
	struct render_ctx c = { &d->eng, &d->leases, d->key->kid, d->pinned };

	return c;
}

void
licd_summary(const struct licd *d, char *out, size_t cap)
{
	struct render_ctx c = licd_render_ctx(d);

	render_summary(&c, out, cap);
}

void
licd_save_clock(struct licd *d)
{
	struct lerr e = { 0 };

	if (store_clock_save(&d->store, d->clock.signed_time, &e) < 0) {
		if (d->store_ok)
			log_ev(LOG_ERR, LOG_ID_STORE_ERROR, NULL, "cannot save "
			    "the signed clock, serving on: %s", e.msg);
		d->store_ok = false;
		return;
	}
	d->clock_saved = d->clock.signed_time;
}

static int64_t
wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void
licd_sync_clock(struct licd *d)
{
	int64_t before;

	sclock_tick(&d->clock, licd_boot_ns());
	engine_clock(&d->eng, d->clock.signed_time);
	before = d->clock.signed_time;
	sclock_raise(&d->clock, engine_signed(&d->eng));
	if (d->clock.signed_time != before)	/* set by a document */
		sclock_align(&d->clock, licd_boot_ns(), wall_ns());
}

static void
audit_or_log(struct licd *d, int r, const struct lerr *e)
{
	if (r < 0 && d->audit_ok)
		log_ev(LOG_ERR, LOG_ID_AUDIT_ERROR, NULL, "audit log: %s",
		    e->msg);
}

/* ---- receipts ---- */

void
licd_receipt(struct licd *d, struct receipt *r)
{
	struct lerr e = { 0 };
	uint64_t serial;
	int i, rc = -1;

	snprintf(r->audit, sizeof(r->audit), "%s", audit_head(&d->audit));
	serial = d->audit.lines > d->receipt_serial ? d->audit.lines :
	    d->receipt_serial + 1;
	for (i = 0; i < RECEIPT_TRIES && rc < 0; i++, serial++)
		rc = receipt_issue(&d->store, d->key, r, serial, NULL, &e);
	if (rc < 0) {
		log_ev(LOG_ERR, LOG_ID_STORE_ERROR, NULL, "receipt %s for %s "
		    "not written: %s", r->event, r->lid[0] ? r->lid : "root",
		    e.msg);
		d->store_ok = false;
		return;
	}
	d->receipt_serial = serial - 1;
}

static const struct pol_licence_view *
view_of(const struct licd *d, const char *lid)
{
	const struct pol_view *v = engine_view(&d->eng);
	size_t i;

	for (i = 0; i < v->nlic; i++)
		if (strcmp(v->lic[i].lid, lid) == 0)
			return &v->lic[i];
	return NULL;
}

/* The receipt of an imported document (doc/PROTOCOL.md, "Receipt"). */
static void
import_receipt(struct licd *d, const struct eng_import *imp)
{
	const struct pol_licence_view *lv = view_of(d, imp->lid);
	struct receipt r;
	const char *ev;

	memset(&r, 0, sizeof(r));
	switch (imp->type) {
	case DOC_ROOT:
		ev = "root-applied";
		break;
	case DOC_LICENCE:
		ev = "licence-applied";
		break;
	case DOC_ORDER:
		/* A superseded order is held (it counts for freshness) but
		 * never in force: it is receipted as applied at its seq. */
		ev = imp->verdict == POL_PENDING ? "order-pending" :
		    "order-applied";
		break;
	default:
		ev = "status-applied";
		break;
	}
	snprintf(r.event, sizeof(r.event), "%s", ev);
	snprintf(r.lid, sizeof(r.lid), "%s", imp->type == DOC_ROOT ? "" :
	    imp->lid);
	r.iat = engine_view(&d->eng)->now;
	r.seq = imp->num;
	r.state = imp->type == DOC_ROOT || lv == NULL ? LSTATE_ACTIVE :
	    lv->state;
	if (imp->type != DOC_ROOT && lv == NULL)
		r.state = LSTATE_INVALID;
	licd_receipt(d, &r);
}

/* ---- one licence's change ---- */

static bool
covered(const struct eng_import *imp, const struct eng_change *c)
{
	return imp != NULL && imp->verdict != POL_REJECTED &&
	    imp->verdict != POL_NOOP && strcmp(imp->lid, c->lid) == 0;
}

static void
journal_state(const struct eng_change *c, const char *from,
    const char *causes)
{
	char f_lid[96], f_prod[96], f_state[48], f_old[48], f_reason[300],
	    f_seq[48];
	const char *fields[] = { f_lid, f_prod, f_state, f_old, f_reason,
	    f_seq, NULL };

	snprintf(f_lid, sizeof(f_lid), "LICD_LID=%s", c->lid);
	snprintf(f_prod, sizeof(f_prod), "LICD_PRODUCT=%s", c->product);
	snprintf(f_state, sizeof(f_state), "LICD_STATE=%s",
	    lstate_name(c->to));
	snprintf(f_old, sizeof(f_old), "LICD_OLD_STATE=%s", from);
	snprintf(f_reason, sizeof(f_reason), "LICD_REASON=%s", causes);
	snprintf(f_seq, sizeof(f_seq), "LICD_SEQ=%llu",
	    (unsigned long long)c->order_to);
	log_ev(c->to < LSTATE_RESTRICTED ? LOG_WARNING : LOG_NOTICE,
	    LOG_ID_STATE, fields, "%s (%s): %s -> %s%s%s%s", c->lid,
	    c->product[0] ? c->product : "no licence", from,
	    lstate_name(c->to), causes[0] ? " (" : "", causes,
	    causes[0] ? ")" : "");
}

static void
hook(struct licd *d, const struct eng_change *c, const char *from,
    const char *causes)
{
	struct enforce_change ch = { c->product, c->lid, from,
	    lstate_name(c->to), causes };
	struct lerr e = { 0 };

	if (enforce_hook(d->ev, d->cfg, &ch, &e) < 0)
		log_ev(LOG_ERR, NULL, NULL, "enforce.on_change for %s: %s",
		    c->lid, e.msg);
}

static void
announce(struct licd *d, const struct eng_change *c,
    const struct eng_import *imp)
{
	const struct pol_licence_view *lv = &engine_view(&d->eng)->lic[c->index];
	struct render_ctx rc = licd_render_ctx(d);
	const char *from = c->is_new ? "none" : lstate_name(c->from);
	struct receipt r;
	struct lerr e = { 0 };
	char causes[256];

	render_causes(&rc, lv, causes, sizeof(causes));
	if (c->is_new || c->from != c->to) {
		audit_or_log(d, audit_state(&d->audit, c->lid, c->product, from,
		    lstate_name(c->to), causes, &e), &e);
		journal_state(c, from, causes);
		hook(d, c, from, causes);
		d->enforce_due = true;
	}
	if (covered(imp, c) || (c->from == c->to && !c->is_new &&
	    c->order_from == c->order_to))
		return;
	memset(&r, 0, sizeof(r));
	snprintf(r.event, sizeof(r.event), "%s", c->order_to != c->order_from &&
	    c->order_to != 0 ? "order-applied" : "state-changed");
	snprintf(r.lid, sizeof(r.lid), "%s", c->lid);
	r.iat = engine_view(&d->eng)->now;
	r.seq = c->order_to;
	r.state = c->to;
	licd_receipt(d, &r);
}

/* ---- enforcement outputs ---- */

/* "stop" while any licence is suspended, revoked or invalid, or none is
 * held at all (DESIGN 4.1: invalid is "no valid licence"). */
static void
write_enforce(struct licd *d)
{
	const struct pol_view *v = engine_view(&d->eng);
	struct render_ctx rc = licd_render_ctx(d);
	char reason[ENFORCE_REASON_MAX + 1] = "no licence installed";
	struct lerr e = { 0 };
	bool stop = v->nlic == 0;
	size_t i;

	for (i = 0; i < v->nlic && !stop; i++) {
		if (v->lic[i].state != LSTATE_SUSPENDED &&
		    v->lic[i].state != LSTATE_REVOKED &&
		    v->lic[i].state != LSTATE_INVALID)
			continue;
		stop = true;
		render_summary(&rc, reason, sizeof(reason));
	}
	if (!stop)
		render_summary(&rc, reason, sizeof(reason));
	if (enforce_write(d->cfg, stop, reason, d->snap.map != NULL ?
	    d->snap.map->generation : 0, &e) < 0)
		log_ev(LOG_ERR, NULL, NULL, "cannot write the enforcement "
		    "state: %s", e.msg);
	d->enforce_due = false;
}

/* What was announced, so that a restart reports what changed while
 * licd was down (and only that). */
static void
save_applied(struct licd *d)
{
	const struct pol_view *v = engine_view(&d->eng);
	char buf[POL_MAX_LIDS * 128 + 1];
	struct lerr e = { 0 };
	size_t i, n = 0;

	for (i = 0; i < v->nlic && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s %s %llu\n",
		    v->lic[i].lid, lstate_name(v->lic[i].state),
		    (unsigned long long)(v->lic[i].has_order ?
		    v->lic[i].order_seq : 0));
	if (n < sizeof(buf) && store_put(&d->store, APPLIED_FILE, buf, n,
	    &e) < 0)
		log_ev(LOG_ERR, LOG_ID_STORE_ERROR, NULL, "%s", e.msg);
}

/* ---- leases ---- */

static int
lease_check(void *ctx, const struct lease *l, uint32_t *limit,
    const char **reason)
{
	const struct licd *d = ctx;
	enum pol_reason why;

	if (pol_check(engine_view(&d->eng), l->product, l->feature,
	    l->purpose, &why, limit))
		return 1;
	*reason = pol_reason_name(why);
	return 0;
}

struct revoked {
	size_t n, cap;
	struct lease *l;
	const char **reason;
	bool lost;			/* out of memory: some not told */
};

static void
on_revoked(void *ctx, const struct lease *l, const char *reason)
{
	struct revoked *rv = ctx;
	struct lease *nl;
	const char **nr;
	size_t cap;

	if (rv->n == rv->cap) {
		cap = rv->cap ? rv->cap * 2 : 16;
		nl = realloc(rv->l, cap * sizeof(*nl));
		if (nl != NULL)
			rv->l = nl;
		nr = realloc(rv->reason, cap * sizeof(*nr));
		if (nr != NULL)
			rv->reason = nr;
		if (nl == NULL || nr == NULL) {
			rv->lost = true;
			return;
		}
		rv->cap = cap;
	}
	rv->l[rv->n] = *l;
	rv->reason[rv->n++] = reason;
}

static void
tell_holder(struct licd *d, const struct lease *l, const char *reason)
{
	struct proto_msg m = { .type = PROTO_N_LEASE_REVOKED };
	struct audit_usage u = { false, l->id, l->product, l->feature,
	    l->purpose, l->case_ref, NULL, l->uid, l->pid };
	char why[64];
	struct lerr e = { 0 };

	snprintf(why, sizeof(why), "revoked: %s", reason);
	u.why = why;
	audit_or_log(d, audit_usage(&d->audit, &u, &e), &e);
	m.u.revoked.lease = l->id;
	m.u.revoked.reason = proto_str(reason);
	srv_reply((struct srv_conn *)(uintptr_t)l->owner, &m);
	log_ev(LOG_NOTICE, NULL, NULL, "lease %llu (%s %s for %s) revoked: %s",
	    (unsigned long long)l->id, l->product, l->feature, l->purpose,
	    reason);
}

/* Revoke what the new evaluation no longer allows; holders are told
 * after the table is consistent (telling one may close its connection). */
static size_t
revoke_leases(struct licd *d)
{
	struct revoked rv = { 0 };
	size_t i, n;

	n = leases_enforce(&d->leases, lease_check, d, on_revoked, &rv);
	for (i = 0; i < rv.n; i++)
		tell_holder(d, &rv.l[i], rv.reason[i]);
	if (rv.lost)
		log_ev(LOG_ERR, NULL, NULL, "out of memory: %zu revoked "
		    "leases could not be told", n - rv.n);
	free(rv.l);
	free(rv.reason);
	return n;
}

/* ---- the snapshot ---- */

void
licd_publish(struct licd *d, bool notify)
{
	static char purposes[SNAP_MAX_PURPOSES][SNAP_NAME_LEN];
	struct proto_msg m = { .type = PROTO_N_CHANGED };
	struct snap_entry *en = NULL;
	struct lerr e = { 0 };
	uint32_t n, np = publish_purposes(d->eng.tax, purposes);

	if (publish_entries(engine_view(&d->eng), d->eng.tax, &d->leases, &en,
	    &n) < 0 || snap_publish(&d->snap, en, n,
	    (const char (*)[SNAP_NAME_LEN])purposes, np, &e) < 0) {
		log_ev(LOG_ERR, NULL, NULL, "cannot publish the snapshot: %s",
		    e.msg[0] ? e.msg : "out of memory");
		free(en);
		return;
	}
	free(en);
	if (!notify || d->srv == NULL)
		return;
	m.u.changed.generation = d->snap.map->generation;
	srv_broadcast(d->srv, &m);
}

/* ---- the timer at next_change ---- */

static int
on_next_change(sd_event_source *s, uint64_t usec, void *arg)
{
	(void)s, (void)usec;
	licd_update(arg, NULL);
	return 0;
}

/*
 * A one-shot timer at next_change, in running time: `now` moves at one
 * second per second (the wall clock, or the signed clock that follows
 * CLOCK_BOOTTIME), so the change is next_change - now seconds away. A
 * relative CLOCK_BOOTTIME timer is immune to the wall clock being set
 * (the tick catches jumps); it fires just after the second boundary.
 */
static void
arm_timer(struct licd *d)
{
	const struct pol_view *v = engine_view(&d->eng);
	struct timespec ts;
	uint64_t delay;

	if (d->ev == NULL)
		return;
	if (v->next_change == POL_NEVER || v->next_change <= v->now) {
		if (d->next_change != NULL)
			sd_event_source_set_enabled(d->next_change,
			    SD_EVENT_OFF);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	delay = (uint64_t)(v->next_change - v->now) * 1000000ULL;
	delay = delay > (uint64_t)ts.tv_nsec / 1000 ? delay -
	    (uint64_t)ts.tv_nsec / 1000 + 1000 : 1000;
	if (d->next_change == NULL) {
		if (sd_event_add_time_relative(d->ev, &d->next_change,
		    CLOCK_BOOTTIME, delay, 1000, on_next_change, d) < 0)
			d->next_change = NULL;	/* the tick still catches it */
		return;
	}
	sd_event_source_set_time_relative(d->next_change, delay);
	sd_event_source_set_enabled(d->next_change, SD_EVENT_ONESHOT);
}

static void
notify_status(struct licd *d)
{
	char s[sizeof(d->summary)];

	licd_summary(d, s, sizeof(s));
	if (strcmp(s, d->summary) == 0)
		return;
	memcpy(d->summary, s, sizeof(s));
	sd_notifyf(0, "STATUS=%s", s);
}

/* The clock-rollback alarm of DESIGN 4.2: logged and audited when it is
 * raised and when it clears (sclock keeps the state). */
static void
check_rollback(struct licd *d, int64_t wall)
{
	struct lerr e = { 0 };
	int r = sclock_check_rollback(&d->clock, wall);

	if (r > 0) {
		log_ev(LOG_ALERT, LOG_ID_CLOCK_ALARM, NULL, "clock-rollback: "
		    "the wall clock is more than %d s behind the signed clock",
		    SCLOCK_SKEW);
		audit_or_log(d, audit_clock(&d->audit, "clock-rollback", wall,
		    d->clock.signed_time, &e), &e);
	} else if (r < 0) {
		log_info("clock-rollback cleared: the wall clock caught up");
		audit_or_log(d, audit_clock(&d->audit, "clock-rollback-cleared",
		    wall, d->clock.signed_time, &e), &e);
	}
}

void
licd_update(struct licd *d, const struct eng_import *imp)
{
	struct eng_changes *ch = &d->changes;
	bool moved = false;
	size_t i, revoked;

	licd_sync_clock(d);
	check_rollback(d, licd_wall());
	engine_refresh(&d->eng, licd_wall(), ch);
	for (i = 0; i < ch->n; i++) {
		announce(d, &ch->c[i], imp);
		moved |= ch->c[i].is_new || ch->c[i].from != ch->c[i].to ||
		    ch->c[i].order_from != ch->c[i].order_to;
	}
	if (imp != NULL && imp->verdict != POL_REJECTED &&
	    imp->verdict != POL_NOOP)
		import_receipt(d, imp);
	revoked = revoke_leases(d);
	if (ch->any || revoked > 0 || !d->ready)
		licd_publish(d, ch->any);
	if (d->enforce_due || !d->ready)
		write_enforce(d);
	if (moved)
		save_applied(d);
	notify_status(d);
	arm_timer(d);
}

void
licd_load_applied(struct licd *d)
{
	char *buf = NULL, *line, *save = NULL, lid[PL_LID_MAX + 2],
	    state[16];
	unsigned long long seq;
	struct lerr e = { 0 };
	size_t len;
	int s;

	if (store_get(&d->store, APPLIED_FILE, POL_MAX_LIDS * 128, &buf, &len,
	    &e) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%65s %15s %llu", lid, state, &seq) == 3 &&
		    pl_lid_valid(lid, strlen(lid)) &&
		    (s = lstate_from_name(state, strlen(state))) >= 0)
			engine_seed(&d->eng, lid, (enum lstate)s, seq);
	free(buf);
}
