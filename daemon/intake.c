/* SPDX-License-Identifier: MIT */
/* Where documents come in (socket, inbox, later the feed): one function
 * that imports, records what happened and, when the state moved, has it
 * announced; the document is durable before anyone is told. */
#include <stdio.h>
#include <string.h>

#include "licd.h"
#include "log.h"

static const char *
outcome_name(enum pol_verdict v)
{
	switch (v) {
	case POL_ACCEPTED:
		return "accepted";
	case POL_PENDING:
		return "pending";
	case POL_SUPERSEDED:
		return "superseded";
	case POL_NOOP:
		return "noop";
	default:
		return "rejected";
	}
}

static void
record(struct licd *d, const char *source, const char *name,
    const void *buf, size_t len, const struct eng_import *res)
{
	bool rej = res->verdict == POL_REJECTED;
	struct audit_doc a = { source, name[0] ? name : NULL,
	    res->type >= 0 ? doc_type_name((enum doc_type)res->type) : NULL,
	    res->lid[0] ? res->lid : NULL, res->num,
	    outcome_name(res->verdict), rej ? lerr_reason(res->reason) : NULL,
	    rej ? res->err.msg : NULL, buf, len };
	struct lerr e = { 0 };

	if (d->audit_ok && audit_document(&d->audit, &a, &e) < 0)
		log_ev(LOG_ERR, LOG_ID_AUDIT_ERROR, NULL, "audit log: %s",
		    e.msg);
}

static void
journal(const char *source, const char *name, const struct eng_import *res)
{
	char f_lid[96], f_seq[48], f_reason[64], f_type[48];
	const char *fields[] = { f_lid, f_seq, f_reason, f_type, NULL };
	const char *type = res->type >= 0 ?
	    doc_type_name((enum doc_type)res->type) : "document";
	bool rej = res->verdict == POL_REJECTED;

	snprintf(f_lid, sizeof(f_lid), "LICD_LID=%s", res->lid);
	snprintf(f_seq, sizeof(f_seq), "LICD_SEQ=%llu",
	    (unsigned long long)res->num);
	snprintf(f_reason, sizeof(f_reason), "LICD_REASON=%s", rej ?
	    lerr_reason(res->reason) : outcome_name(res->verdict));
	snprintf(f_type, sizeof(f_type), "LICD_TYPE=%s", type);
	if (rej)
		log_ev(res->alarm ? LOG_ALERT : LOG_WARNING,
		    LOG_ID_DOC_REJECTED, fields, "%s %s%s%s from %s rejected: "
		    "%s: %s", type, name, res->lid[0] ? " " : "", res->lid,
		    source, lerr_reason(res->reason), res->err.msg);
	else
		log_ev(LOG_NOTICE, LOG_ID_DOC_ACCEPTED, fields, "%s %s%s%s "
		    "(%llu) from %s: %s", type, name, res->lid[0] ? " " : "",
		    res->lid, (unsigned long long)res->num, source,
		    outcome_name(res->verdict));
}

int
licd_import(struct licd *d, const char *source, const char *name,
    const void *buf, size_t len, struct eng_import *res)
{
	int r;

	licd_sync_clock(d);
	r = engine_import(&d->eng, buf, len, DOC_ANY, licd_wall(), res);
	if (r == -LICD_E_IO) {
		log_ev(LOG_CRIT, LOG_ID_STORE_ERROR, NULL, "cannot store %s "
		    "from %s, the last state stays in force: %s", name,
		    source, res->err.msg);
		d->store_ok = false;
		record(d, source, name, buf, len, res);
		return r;
	}
	if (res->verdict == POL_NOOP)
		return 0;	/* identical to one held: nothing to say */
	record(d, source, name, buf, len, res);
	journal(source, name, res);
	if (res->verdict == POL_REJECTED && !res->alarm)
		return 0;
	if (res->verdict != POL_REJECTED)
		d->store_ok = true;
	licd_sync_clock(d);
	if (d->clock.signed_time > d->clock_saved)
		licd_save_clock(d);
	licd_update(d, res);
	return 0;
}

enum inbox_outcome
licd_inbox_file(void *ctx, const char *name, const void *buf, size_t len,
    char *reason, size_t cap)
{
	struct eng_import res;

	if (licd_import(ctx, "inbox", name, buf, len, &res) < 0)
		return INBOX_RETRY;
	if (res.verdict != POL_REJECTED)
		return INBOX_TAKEN;
	snprintf(reason, cap, "%s: %s", lerr_reason(res.reason), res.err.msg);
	return INBOX_REJECTED;
}
