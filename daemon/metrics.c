/* SPDX-License-Identifier: MIT */
/* `licctl metrics`: the Prometheus text exposition (version 0.0.4) of the
 * daemon and of every licence and feature, from the last evaluation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

static void
head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
gauge(FILE *f, const char *name, const char *help, long long v)
{
	head(f, name, "gauge", help);
	fprintf(f, "%s %lld\n", name, v);
}

static void
daemon_metrics(FILE *f, const struct render_ctx *c,
    const struct render_daemon *dm)
{
	const struct pol_view *v = engine_view(c->eng);

	gauge(f, "licd_up", "1 while licd runs.", 1);
	gauge(f, "licd_connections", "Peers connected to licd.sock.",
	    (long long)dm->connections);
	head(f, "licd_audit_lines", "counter", "Lines in the audit log.");
	fprintf(f, "licd_audit_lines %llu\n",
	    (unsigned long long)dm->audit_lines);
	gauge(f, "licd_signed_clock_seconds", "The signed clock (DESIGN "
	    "4.2), Unix seconds.", (long long)v->signed_clock);
	gauge(f, "licd_clock_rollback", "1 while the wall clock is more "
	    "than 300 s behind the signed clock.", v->clock_rollback);
	gauge(f, "licd_root_pinned", "1 when this build pins the first "
	    "root.", c->pinned);
	gauge(f, "licd_root_version", "Version of the root in force.",
	    (long long)v->root_ver);
	gauge(f, "licd_root_expiry_seconds", "Expiry of the root in force, "
	    "Unix seconds.", (long long)v->root_exp);
	gauge(f, "licd_store_ok", "0 after a write to state_dir failed.",
	    dm->store_ok);
	gauge(f, "licd_audit_ok", "0 while the audit log cannot be "
	    "written (leases are refused).", dm->audit_ok);
	gauge(f, "licd_snapshot_generation", "Generation of the client "
	    "snapshot.", (long long)dm->snapshot_generation);
}

static void
licence_metrics(FILE *f, const struct pol_view *v)
{
	const struct pol_licence_view *lv;
	size_t i;
	int s;

	head(f, "licd_licence_state", "gauge", "1 for the state each "
	    "licence is in, 0 for the others.");
	for (i = 0; i < v->nlic; i++)
		for (s = 0, lv = &v->lic[i]; s < LSTATE__COUNT; s++)
			fprintf(f, "licd_licence_state{lid=\"%s\",product=\"%s\","
			    "state=\"%s\"} %d\n", lv->lid, lv->product,
			    lstate_name((enum lstate)s), (int)lv->state == s);
	head(f, "licd_status_fresh", "gauge", "1 while the licence's "
	    "status is fresh (DESIGN 4.3).");
	for (i = 0; i < v->nlic; i++)
		fprintf(f, "licd_status_fresh{lid=\"%s\"} %d\n", v->lic[i].lid,
		    v->lic[i].fresh);
}

static void
feature_metrics(FILE *f, const struct render_ctx *c, const struct pol_view *v)
{
	uint32_t in_use[PL_MAX_FEATURES];
	const struct pol_licence_view *lv;
	size_t i, j;

	head(f, "licd_feature_allowed", "gauge", "1 when the feature is "
	    "allowed now (for at least one purpose).");
	for (i = 0; i < v->nlic; i++)
		for (j = 0, lv = &v->lic[i]; j < lv->nfeatures; j++)
			fprintf(f, "licd_feature_allowed{lid=\"%s\",product="
			    "\"%s\",feature=\"%s\"} %d\n", lv->lid, lv->product,
			    lv->features[j].name, lv->features[j].allowed);
	head(f, "licd_leases_in_use", "gauge", "Leases (counted uses) held "
	    "now.");
	for (i = 0; i < v->nlic; i++) {
		render_in_use(c, i, in_use);
		for (j = 0, lv = &v->lic[i]; j < lv->nfeatures; j++)
			if (pol_product_index(v, lv->product) == (int)i)
				fprintf(f, "licd_leases_in_use{product=\"%s\","
				    "feature=\"%s\"} %u\n", lv->product,
				    lv->features[j].name, in_use[j]);
	}
}

static void
document_metrics(FILE *f, const struct engine *eng)
{
	int t;

	head(f, "licd_documents_accepted_total", "counter", "Documents "
	    "taken (accepted, pending or superseded) since start.");
	for (t = 0; t < DOC__COUNT; t++)
		if (t <= DOC_STATUS)
			fprintf(f, "licd_documents_accepted_total{type=\"%s\"} "
			    "%llu\n", doc_type_name((enum doc_type)t),
			    (unsigned long long)eng->accepted[t]);
	head(f, "licd_documents_rejected_total", "counter", "Documents "
	    "rejected since start, by reason code.");
	for (t = 1; t < LICD_E__MAX; t++)
		if (eng->rejected[t] != 0)
			fprintf(f, "licd_documents_rejected_total{reason=\"%s\"} "
			    "%llu\n", lerr_reason(t),
			    (unsigned long long)eng->rejected[t]);
}

char *
render_metrics(const struct render_ctx *c, const struct render_daemon *dm,
    size_t *len)
{
	const struct pol_view *v = engine_view(c->eng);
	char *buf = NULL;
	FILE *f;

	if ((f = open_memstream(&buf, len)) == NULL)
		return NULL;
	daemon_metrics(f, c, dm);
	licence_metrics(f, v);
	feature_metrics(f, c, v);
	document_metrics(f, c->eng);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
