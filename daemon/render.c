/* SPDX-License-Identifier: MIT */
/* The status, as JSON (DESIGN 6, through policy/'s one renderer), as text
 * for people, and as the one line systemd shows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ltime.h"
#include "render.h"

void
render_causes(const struct render_ctx *c, const struct pol_licence_view *lv,
    char *out, size_t cap)
{
	size_t n = 0;
	int k;

	out[0] = '\0';
	for (k = 0; k < POL_C__COUNT; k++)
		if (lv->causes & (1u << k))
			n += (size_t)snprintf(out + n, n < cap ? cap - n : 0,
			    "%s%s", n ? "," : "",
			    pol_cause_name((enum pol_cause)k));
	if (engine_tainted(c->eng, lv->lid))
		snprintf(out + n, n < cap ? cap - n : 0, "%sunverified",
		    n ? "," : "");
}

void
render_in_use(const struct render_ctx *c, size_t i, uint32_t *in_use)
{
	const struct pol_view *v = engine_view(c->eng);
	const struct pol_licence_view *lv = &v->lic[i];
	size_t j;

	memset(in_use, 0, PL_MAX_FEATURES * sizeof(*in_use));
	if (!lv->has_licence || pol_product_index(v, lv->product) != (int)i)
		return;
	for (j = 0; j < lv->nfeatures; j++)
		in_use[j] = leases_in_use(c->leases, lv->product,
		    lv->features[j].name);
}

/* A lid whose stored documents failed says so among its reasons. */
static void
mark_unverified(json_t *lic)
{
	json_t *reasons = json_object_get(lic, "reasons");

	if (json_is_array(reasons))
		json_array_append_new(reasons, json_string("unverified"));
}

json_t *
render_status_json(const struct render_ctx *c)
{
	const struct pol_view *v = engine_view(c->eng);
	uint32_t in_use[PL_MAX_FEATURES];
	json_t *lics = json_array(), *l;
	size_t i;

	for (i = 0; lics != NULL && i < v->nlic; i++) {
		render_in_use(c, i, in_use);
		if ((l = pol_licence_json(v, i, in_use)) == NULL) {
			json_decref(lics);
			return NULL;
		}
		if (engine_tainted(c->eng, v->lic[i].lid))
			mark_unverified(l);
		if (json_array_append_new(lics, l) != 0) {
			json_decref(lics);
			return NULL;
		}
	}
	if (lics == NULL)
		return NULL;
	return pol_envelope_json(v, c->device, c->pinned, lics);
}

/* ---- text ---- */

static const char *
tfmt(int64_t t, char buf[LTIME_LEN + 1])
{
	ltime_format(t, buf);
	return buf;
}

static void
text_feature(FILE *f, const struct pol_licence_view *lv,
    const struct pol_feature_view *fv, uint32_t in_use)
{
	size_t i, n = 0;

	fprintf(f, "    %-24s ", fv->name);
	if (!fv->allowed) {
		fprintf(f, "denied: %s (%s", pol_reason_name(fv->reason),
		    pol_src_name(fv->src.kind));
		if (fv->src.kind != POL_SRC_CONFIG &&
		    fv->src.kind != POL_SRC_NONE)
			fprintf(f, " %s %llu", fv->src.kind == POL_SRC_LICENCE ?
			    "ver" : "seq", (unsigned long long)fv->src.num);
		fprintf(f, ")\n");
		return;
	}
	fprintf(f, "allowed for ");
	for (i = 0; i < lv->npurposes; i++)
		if (fv->purposes & (1u << i))
			fprintf(f, "%s%s", n++ ? ", " : "", lv->purposes[i]);
	if (fv->max_concurrent != 0)
		fprintf(f, "; at most %u at once", fv->max_concurrent);
	fprintf(f, "; %u in use\n", in_use);
}

static void
text_status_line(FILE *f, const struct render_ctx *c,
    const struct pol_licence_view *lv)
{
	char t[LTIME_LEN + 1], t2[LTIME_LEN + 1];
	int64_t until = engine_fresh_until(c->eng, lv);

	if (!lv->has_licence && lv->has_status)
		fprintf(f, "  status: seq %llu, issued %s (no licence to be "
		    "fresh for)\n", (unsigned long long)lv->status_seq,
		    tfmt(lv->status_iat, t2));
	else if (!lv->has_status && lv->has_licence && lv->loss != 0)
		fprintf(f, "  status: none (not fresh since %s)\n",
		    tfmt(lv->loss, t));
	else if (!lv->has_status)
		fprintf(f, "  status: none\n");
	else if (lv->fresh)
		fprintf(f, "  status: fresh until %s (seq %llu, issued %s)\n",
		    tfmt(until, t), (unsigned long long)lv->status_seq,
		    tfmt(lv->status_iat, t2));
	else
		fprintf(f, "  status: not fresh since %s (seq %llu, issued "
		    "%s)\n", tfmt(lv->loss, t),
		    (unsigned long long)lv->status_seq,
		    tfmt(lv->status_iat, t2));
}

static void
text_licence(FILE *f, const struct render_ctx *c, size_t i)
{
	const struct pol_licence_view *lv = &engine_view(c->eng)->lic[i];
	uint32_t in_use[PL_MAX_FEATURES];
	char causes[512], t[LTIME_LEN + 1];
	size_t j;

	if (lv->has_licence)
		fprintf(f, "%s ver %llu, product %s\n", lv->lid,
		    (unsigned long long)lv->ver, lv->product);
	else
		fprintf(f, "%s: no licence held\n", lv->lid);
	render_causes(c, lv, causes, sizeof(causes));
	fprintf(f, "  state: %s%s%s%s\n", lstate_name(lv->state),
	    causes[0] ? " (" : "", causes, causes[0] ? ")" : "");
	if (lv->has_order)
		fprintf(f, "  order in force: seq %llu %s, ref %s\n",
		    (unsigned long long)lv->order_seq,
		    order_action_name(lv->order_action), lv->order_ref);
	for (j = 0; j < lv->npending; j++)
		fprintf(f, "  pending: seq %llu %s from %s\n",
		    (unsigned long long)lv->pending[j].seq,
		    order_action_name(lv->pending[j].action),
		    tfmt(lv->pending[j].nbf, t));
	text_status_line(f, c, lv);
	if (!lv->has_licence)
		return;
	render_in_use(c, i, in_use);
	fprintf(f, "  features:\n");
	for (j = 0; j < lv->nfeatures; j++)
		text_feature(f, lv, &lv->features[j], in_use[j]);
}

char *
render_status_text(const struct render_ctx *c, size_t *len)
{
	const struct pol_view *v = engine_view(c->eng);
	char t1[LTIME_LEN + 1], t2[LTIME_LEN + 1];
	char *buf = NULL;
	FILE *f;
	size_t i;

	if ((f = open_memstream(&buf, len)) == NULL)
		return NULL;
	fprintf(f, "device: %s\n", c->device);
	fprintf(f, "time: wall %s, effective %s%s\n", tfmt(v->wall, t1),
	    tfmt(v->now, t2), v->clock_rollback ? "; CLOCK ROLLBACK: the "
	    "wall clock is more than 300 s behind the signed clock" : "");
	if (v->has_root)
		fprintf(f, "root: ver %llu, expires %s, %s\n",
		    (unsigned long long)v->root_ver, tfmt(v->root_exp, t1),
		    c->pinned ? "pinned" : "not pinned (unpinned build: the "
		    "configured root is trusted)");
	if (v->nlic == 0)
		fprintf(f, "licences: none\n");
	for (i = 0; i < v->nlic; i++)
		text_licence(f, c, i);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* ---- the one line ---- */

static size_t
summary_lid(const struct render_ctx *c, const struct pol_licence_view *lv,
    char *out, size_t cap)
{
	char causes[256], t[LTIME_LEN + 1];
	int64_t until = engine_fresh_until(c->eng, lv);
	size_t n;

	n = (size_t)snprintf(out, cap, "%s %s", lv->lid,
	    lstate_name(lv->state));
	render_causes(c, lv, causes, sizeof(causes));
	if (lv->state_src.kind == POL_SRC_ORDER && lv->state != LSTATE_ACTIVE &&
	    lv->state_src.num != 0 &&
	    !(lv->causes & (1u << POL_C_EQUIVOCATION)))
		n += (size_t)snprintf(out + n, n < cap ? cap - n : 0,
		    " by order %llu", (unsigned long long)lv->state_src.num);
	else if (causes[0] != '\0')
		n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, " (%s)",
		    causes);
	if (!lv->has_licence)
		return n;
	if (lv->fresh)
		n += (size_t)snprintf(out + n, n < cap ? cap - n : 0,
		    "; status fresh until %s", tfmt(until, t));
	else if (lv->has_status)
		n += (size_t)snprintf(out + n, n < cap ? cap - n : 0,
		    "; status not fresh since %s", tfmt(lv->loss, t));
	else
		n += (size_t)snprintf(out + n, n < cap ? cap - n : 0,
		    "; no status");
	return n;
}

void
render_summary(const struct render_ctx *c, char *out, size_t cap)
{
	const struct pol_view *v = engine_view(c->eng);
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < v->nlic && n < cap; i++) {
		if (i > 0)
			n += (size_t)snprintf(out + n, cap - n, " | ");
		if (n < cap)
			n += summary_lid(c, &v->lic[i], out + n, cap - n);
	}
	if (v->nlic == 0)
		n = (size_t)snprintf(out, cap, "no licence installed; root "
		    "v%llu%s", (unsigned long long)v->root_ver, c->pinned ?
		    "" : " (unpinned build)");
	if (v->clock_rollback && n < cap)
		snprintf(out + n, cap - n, "; CLOCK ROLLBACK");
}
