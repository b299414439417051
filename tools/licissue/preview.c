/* SPDX-License-Identifier: MIT */
/* `licissue preview` (DESIGN 5.4): what a device holding these documents
 * would allow at a given time, decided by the device's own policy function
 * (policy/), so a ministry sees an order's effect before co-signing it. */
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "licissue.h"
#include "ltime.h"
#include "policy.h"

#define MAX_INPUTS	64

static const char usage_text[] =
    "usage: licissue preview --root ROOT --licence L [--order O ...]\n"
    "                        [--status S] [--at TIME] [--json]\n"
    "                        [--purposes FILE]\n"
    "\n"
    "Load the documents, in the order given, into an empty device state on\n"
    "the licence's device with now and the signed clock at TIME (default:\n"
    "now), and show the licence's effective state: its state and reasons,\n"
    "the order in force and pending, freshness, and per feature whether it\n"
    "is allowed, for which purposes, at what limit, or why not. An order\n"
    "needs only one valid order-key signature here; the output says whether\n"
    "its threshold is met. What the orders remove (against the licence and\n"
    "status alone) is listed. --json prints the licence object of\n"
    "`licctl status --json` in the same envelope, plus a \"preview\" member.\n"
    "  --purposes FILE  the purpose taxonomy (default " LICD_DATADIR
    "/purposes.conf)\n"
    "Exit 0; 1 if the licence is invalid or a document does not verify;\n"
    "2 for usage or I/O errors.\n";

struct input {
	enum doc_type type;
	const char *path;
};

/* What became of one document. */
struct outcome {
	int reason;		/* LICD_E_* when the policy rejected it */
	enum pol_verdict verdict;
	size_t nvalid;		/* distinct valid signatures */
	uint32_t threshold;	/* of the role */
};

union payload {
	struct licence l;
	struct order o;
	struct status s;
};

struct preview {
	const char *root_path, *purposes_path;
	int64_t at;
	bool json;
	size_t nin;
	struct input in[MAX_INPUTS];
	struct outcome out[MAX_INPUTS];
	struct doc rootdoc;
	struct root root;
	struct pol_purposes tax;
	union payload u;
	char lid[PL_LID_MAX + 1];
	paserk_kid device;
	struct pol_state st, base;	/* base: without the orders */
	struct pol_view view, bview;
};

static int
usage(FILE *f, int rc)
{
	fputs(usage_text, f);
	return rc;
}

/* Load, verify under the root (an order: one signature suffices) and
 * decode one document; hash is the SHA-256 of its message. */
static int
load_one(struct preview *p, size_t i, uint8_t hash[32], struct lerr *e)
{
	const struct input *in = &p->in[i];
	int role = doc_role_for(in->type), r;
	struct doc *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	if ((r = doc_load(in->path, in->type, d, e)) != 0)
		goto out;
	r = doc_verify_role(d, &p->root, (enum role_id)role,
	    in->type == DOC_ORDER ? 1 : 0, &p->out[i].nvalid, e);
	if (r == 0 && in->type == DOC_LICENCE)
		r = pl_decode_licence(d->msg, d->msg_len, &p->u.l, e);
	else if (r == 0 && in->type == DOC_ORDER)
		r = pl_decode_order(d->msg, d->msg_len, &p->u.o, e);
	else if (r == 0)
		r = pl_decode_status(d->msg, d->msg_len, &p->u.s, e);
	if (r != 0)
		lerr_prefix(e, "%s", in->path);
	p->out[i].threshold = p->root.roles[role].threshold;
	crypto_hash_sha256(hash, d->msg, d->msg_len);
 out:
	doc_free(d);
	free(d);
	return r;
}

static void
accept_into(struct pol_state *st, enum doc_type t, const void *payload,
    const uint8_t hash[32], int64_t at, struct outcome *o)
{
	struct pol_doc d = { .type = t, .payload = payload };
	struct pol_result res;
	int r;

	memcpy(d.hash, hash, 32);
	r = pol_accept(st, &d, at, &res, NULL);
	if (o != NULL) {
		o->verdict = res.verdict;
		o->reason = r < 0 ? -r : 0;
	}
}

/* The licence first: its device is the state's device. */
static int
load_licence(struct preview *p, struct lerr *e)
{
	uint8_t hash[32];
	size_t i;
	int r;

	for (i = 0; i < p->nin && p->in[i].type != DOC_LICENCE; i++)
		;
	if ((r = load_one(p, i, hash, e)) != 0)
		return r;
	memcpy(p->lid, p->u.l.lid, sizeof(p->lid));
	memcpy(p->device, p->u.l.device, sizeof(p->device));
	return 0;
}

static int
set_up(struct preview *p, struct lerr *e)
{
	struct pol_doc d = { .type = DOC_ROOT, .payload = &p->root };
	struct pol_result res;
	int r;

	if ((r = doc_load(p->root_path, DOC_ROOT, &p->rootdoc, e)) != 0)
		return r;
	if ((r = root_from_doc(&p->rootdoc, &p->root, e)) != 0) {
		lerr_prefix(e, "%s", p->root_path);
		return r;
	}
	if ((r = pol_purposes_load(p->purposes_path, &p->tax, e)) != 0 ||
	    (r = load_licence(p, e)) != 0 ||
	    (r = pol_state_init(&p->st, p->device, &p->tax, e)) != 0)
		return r;
	crypto_hash_sha256(d.hash, p->rootdoc.msg, p->rootdoc.msg_len);
	pol_clock_advance(&p->st, p->at);
	if ((r = pol_accept(&p->st, &d, p->at, &res, e)) != 0)
		return r;
	memcpy(&p->base, &p->st, sizeof(p->st));
	return 0;
}

static int
load_all(struct preview *p, struct lerr *e)
{
	uint8_t hash[32];
	size_t i;
	int r;

	for (i = 0; i < p->nin; i++) {
		if ((r = load_one(p, i, hash, e)) != 0)
			return r;
		accept_into(&p->st, p->in[i].type, &p->u, hash, p->at,
		    &p->out[i]);
		/* The base holds no order, so its status must not name one
		 * (that would make it look withheld). */
		if (p->in[i].type == DOC_STATUS)
			p->u.s.seq = 0;
		if (p->in[i].type != DOC_ORDER)
			accept_into(&p->base, p->in[i].type, &p->u, hash,
			    p->at, NULL);
	}
	return 0;
}

static int
lid_index(const struct pol_view *v, const char *lid)
{
	size_t i;

	for (i = 0; i < v->nlic; i++)
		if (strcmp(v->lic[i].lid, lid) == 0)
			return (int)i;
	return -1;
}

static const struct pol_feature_view *
feature_in(const struct pol_licence_view *lv, const char *name)
{
	size_t i;

	for (i = 0; lv != NULL && i < lv->nfeatures; i++)
		if (strcmp(lv->features[i].name, name) == 0)
			return &lv->features[i];
	return NULL;
}

/* Purposes of b (allowed in base) that f no longer has, as a JSON list. */
static json_t *
purposes_removed(const struct pol_licence_view *blv,
    const struct pol_feature_view *b, const struct pol_licence_view *lv,
    const struct pol_feature_view *f)
{
	json_t *a = xarray();
	size_t i, k;

	for (i = 0; i < blv->npurposes; i++) {
		if (!(b->purposes & (1u << i)))
			continue;
		for (k = 0; k < lv->npurposes; k++)
			if (strcmp(lv->purposes[k], blv->purposes[i]) == 0 &&
			    (f->purposes & (1u << k)))
				break;
		if (k == lv->npurposes)
			xappend(a, xstring(blv->purposes[i]));
	}
	return a;
}

/* {"features": [...], "purposes": {"feature": [...]}}: what the orders
 * take away compared with the licence and status alone. */
static json_t *
removed(const struct preview *p, const struct pol_licence_view *lv)
{
	int bi = lid_index(&p->bview, p->lid);
	const struct pol_licence_view *blv = bi >= 0 ? &p->bview.lic[bi] : NULL;
	const struct pol_feature_view *b, *f;
	json_t *o = xobject(), *feats = xarray(), *purps = xobject(), *a;
	size_t i;

	for (i = 0; blv != NULL && i < blv->nfeatures; i++) {
		b = &blv->features[i];
		f = feature_in(lv, b->name);
		if (!b->allowed)
			continue;
		if (f == NULL || !f->allowed) {
			xappend(feats, xstring(b->name));
			continue;
		}
		a = purposes_removed(blv, b, lv, f);
		if (json_array_size(a) > 0)
			xset(purps, b->name, a);
		else
			json_decref(a);
	}
	xset(o, "features", feats);
	xset(o, "purposes", purps);
	return o;
}

static json_t *
documents(const struct preview *p)
{
	const struct outcome *o;
	json_t *a = xarray(), *d;
	size_t i;

	for (i = 0; i < p->nin; i++) {
		o = &p->out[i];
		d = xobject();
		xset(d, "file", xstring(p->in[i].path));
		xset(d, "type", xstring(doc_type_name(p->in[i].type)));
		xset(d, "result", xstring(pol_verdict_name(o->verdict)));
		if (o->reason != 0)
			xset(d, "reason", xstring(lerr_reason(o->reason)));
		xset(d, "signatures", xinteger(o->nvalid));
		xset(d, "threshold", xinteger(o->threshold));
		xset(d, "threshold_met", json_boolean(o->nvalid >=
		    o->threshold));
		xappend(a, d);
	}
	return a;
}

static int
print_json(const struct preview *p, int k)
{
	json_t *lics = xarray(), *env, *pv = xobject(), *lo;

	lo = k >= 0 ? pol_licence_json(&p->view, (size_t)k, NULL) : NULL;
	if (lo != NULL)
		xappend(lics, lo);
	env = pol_envelope_json(&p->view, p->device, false, lics);
	if (env == NULL)
		return -1;
	xset(pv, "at", xtime(p->at));
	xset(pv, "documents", documents(p));
	xset(pv, "removed", k >= 0 ? removed(p, &p->view.lic[k]) :
	    json_null());
	xset(env, "preview", pv);
	if (json_dumpf(env, stdout, JSON_INDENT(2)) != 0 ||
	    putchar('\n') == EOF) {
		json_decref(env);
		return -1;
	}
	json_decref(env);
	return 0;
}

/* The removed features and purposes, one line each. */
static void
print_removed(json_t *rm)
{
	json_t *feats = json_object_get(rm, "features");
	json_t *purps = json_object_get(rm, "purposes"), *a;
	const char *name;
	size_t i;

	printf("removed by the orders:%s\n", json_array_size(feats) +
	    json_object_size(purps) > 0 ? "" : " nothing");
	for (i = 0; i < json_array_size(feats); i++)
		printf("  feature %s\n",
		    json_string_value(json_array_get(feats, i)));
	json_object_foreach(purps, name, a)
		for (i = 0; i < json_array_size(a); i++)
			printf("  purpose %s of %s\n",
			    json_string_value(json_array_get(a, i)), name);
}

static void
print_feature(const struct pol_licence_view *lv,
    const struct pol_feature_view *f)
{
	size_t i, n = 0;

	printf("  %-24s ", f->name);
	if (!f->allowed) {
		printf("denied: %s (%s", pol_reason_name(f->reason),
		    pol_src_name(f->src.kind));
		if (f->src.kind != POL_SRC_CONFIG &&
		    f->src.kind != POL_SRC_NONE)
			printf(" %s %llu", f->src.kind == POL_SRC_LICENCE ?
			    "ver" : "seq", (unsigned long long)f->src.num);
		printf(")\n");
		return;
	}
	printf("allowed for ");
	for (i = 0; i < lv->npurposes; i++)
		if (f->purposes & (1u << i))
			printf("%s%s", n++ ? ", " : "", lv->purposes[i]);
	if (f->max_concurrent != 0)
		printf("; at most %u at once", f->max_concurrent);
	printf("\n");
}

static void
print_head(const struct preview *p, const struct pol_licence_view *lv)
{
	char t[LTIME_LEN + 1];
	size_t i;
	int c;

	ltime_format(p->at, t);
	printf("%s ver %llu, product %s, at %s\nstate: %s", lv->lid,
	    (unsigned long long)lv->ver, lv->product, t,
	    lstate_name(lv->state));
	for (c = 0, i = 0; c < POL_C__COUNT; c++)
		if (lv->causes & (1u << c))
			printf("%s%s", i++ ? ", " : " (",
			    pol_cause_name((enum pol_cause)c));
	printf("%s\n", i ? ")" : "");
	if (lv->has_order)
		printf("order in force: seq %llu %s, ref %s\n",
		    (unsigned long long)lv->order_seq,
		    order_action_name(lv->order_action), lv->order_ref);
	for (i = 0; i < lv->npending; i++) {
		ltime_format(lv->pending[i].nbf, t);
		printf("pending: seq %llu %s from %s\n",
		    (unsigned long long)lv->pending[i].seq,
		    order_action_name(lv->pending[i].action), t);
	}
	printf("status: %s\n", !lv->has_status ? "none" :
	    lv->fresh ? "fresh" : "not fresh");
}

static void
print_documents(const struct preview *p)
{
	const struct outcome *o;
	size_t i;

	printf("documents:\n");
	for (i = 0; i < p->nin; i++) {
		o = &p->out[i];
		printf("  %s %s: %s", doc_type_name(p->in[i].type),
		    p->in[i].path, pol_verdict_name(o->verdict));
		if (o->reason != 0)
			printf(" (%s)", lerr_reason(o->reason));
		printf("; %zu of %u signatures: threshold %s\n", o->nvalid,
		    o->threshold, o->nvalid >= o->threshold ? "met" :
		    "not met");
	}
}

static int
print_text(const struct preview *p, int k)
{
	const struct pol_licence_view *lv;
	json_t *rm;
	size_t i;

	if (k < 0) {
		printf("%s: no licence held (invalid)\n", p->lid);
		print_documents(p);
		return 0;
	}
	lv = &p->view.lic[k];
	print_head(p, lv);
	printf("features:\n");
	for (i = 0; i < lv->nfeatures; i++)
		print_feature(lv, &lv->features[i]);
	rm = removed(p, lv);
	print_removed(rm);
	json_decref(rm);
	print_documents(p);
	return 0;
}

static int
run(struct preview *p)
{
	struct lerr e = { 0 };
	int k, r;

	if ((r = set_up(p, &e)) != 0 || (r = load_all(p, &e)) != 0) {
		doc_free(&p->rootdoc);
		return report(&e);
	}
	doc_free(&p->rootdoc);
	pol_eval(&p->st, p->at, &p->view);
	pol_eval(&p->base, p->at, &p->bview);
	k = lid_index(&p->view, p->lid);
	r = p->json ? print_json(p, k) : print_text(p, k);
	if (r != 0 || fflush(stdout) != 0) {
		fprintf(stderr, "io: stdout: write error\n");
		return EXIT_USAGE;
	}
	return k < 0 || p->view.lic[k].state == LSTATE_INVALID ?
	    EXIT_INVALID : EXIT_OK;
}

static int
add_input(struct preview *p, const char *prog, enum doc_type t,
    const char *path)
{
	if (p->nin >= MAX_INPUTS)
		return usage_error(prog, "at most %d documents", MAX_INPUTS);
	p->in[p->nin].type = t;
	p->in[p->nin++].path = path;
	return 0;
}

static int
count(const struct preview *p, enum doc_type t)
{
	size_t i;
	int n = 0;

	for (i = 0; i < p->nin; i++)
		n += p->in[i].type == t;
	return n;
}

static int
parse(struct preview *p, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "licence", required_argument, NULL, 'l' },
		{ "order", required_argument, NULL, 'o' },
		{ "status", required_argument, NULL, 's' },
		{ "at", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "purposes", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, r = 0;

	while (r == 0 && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': p->root_path = optarg; break;
		case 'l': r = add_input(p, argv[0], DOC_LICENCE, optarg); break;
		case 'o': r = add_input(p, argv[0], DOC_ORDER, optarg); break;
		case 's': r = add_input(p, argv[0], DOC_STATUS, optarg); break;
		case 'a': r = opt_time(argv[0], "at", optarg, &p->at); break;
		case 'j': p->json = true; break;
		case 'p': p->purposes_path = optarg; break;
		case 'h': return usage(stdout, -1);
		default: return usage(stderr, EXIT_USAGE);
		}
	}
	if (r != 0)
		return r;
	if (p->root_path == NULL || count(p, DOC_LICENCE) != 1 ||
	    count(p, DOC_STATUS) > 1 || optind != argc)
		return usage(stderr, EXIT_USAGE);
	return 0;
}

int
cmd_preview(int argc, char **argv)
{
	struct preview *p = calloc(1, sizeof(*p));
	int r;

	if (p == NULL) {
		fprintf(stderr, "no-memory: out of memory\n");
		return EXIT_USAGE;
	}
	p->at = (int64_t)time(NULL);
	p->purposes_path = LICD_DATADIR "/purposes.conf";
	r = parse(p, argc, argv);
	if (r == 0)
		r = run(p);
	else if (r < 0)
		r = EXIT_OK;	/* --help */
	free(p);
	return r;
}
