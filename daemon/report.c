/* SPDX-License-Identifier: MIT */
/* Usage reports: a pass over the audit log's acquire lines, the rows
 * checked by the common report decoder, then signed by the device. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit.h"
#include "ltime.h"
#include "payload.h"
#include "report.h"

struct rows {
	size_t n;
	struct usage_row r[PL_MAX_USAGE];
};

static int
count(struct rows *rs, const char *product, const char *feature,
    const char *purpose)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (strcmp(rs->r[i].feature, feature) == 0 &&
		    strcmp(rs->r[i].purpose, purpose) == 0) {
			rs->r[i].count++;
			return 0;
		}
	if (rs->n >= PL_MAX_USAGE)
		return -LICD_E_TOO_LARGE;
	snprintf(rs->r[rs->n].product, sizeof(rs->r[0].product), "%s", product);
	snprintf(rs->r[rs->n].feature, sizeof(rs->r[0].feature), "%s", feature);
	snprintf(rs->r[rs->n].purpose, sizeof(rs->r[0].purpose), "%s", purpose);
	rs->r[rs->n++].count = 1;
	return 0;
}

static int64_t
line_time(json_t *o)
{
	const char *t = json_string_value(json_object_get(o, "time"));
	int64_t v;

	return t != NULL && ltime_parse(t, strlen(t), &v) == 0 ? v : -1;
}

/* One audit line: an acquire of product within the period counts. */
static int
one_line(const struct report_req *q, int64_t *from, const char *line,
    struct rows *rs)
{
	json_t *o = json_loads(line, 0, NULL);
	const char *ev, *pr, *fe, *pu;
	int64_t t = line_time(o);
	int r = 0;

	if (*from == 0 && t >= 0)
		*from = t;	/* line 1: the log's start */
	ev = json_string_value(json_object_get(o, "event"));
	pr = json_string_value(json_object_get(o, "product"));
	fe = json_string_value(json_object_get(o, "feature"));
	pu = json_string_value(json_object_get(o, "purpose"));
	if (ev != NULL && strcmp(ev, "acquire") == 0 && pr != NULL &&
	    fe != NULL && pu != NULL && strcmp(pr, q->product) == 0 &&
	    t >= *from && t <= (q->to ? q->to : q->iat) &&
	    pl_name_valid(fe, strlen(fe)) && pl_name_valid(pu, strlen(pu)))
		r = count(rs, pr, fe, pu);
	json_decref(o);
	return r;
}

static int
scan(const struct report_req *q, int64_t *from, struct rows *rs,
    struct lerr *e)
{
	char *line = malloc(AUDIT_LINE_MAX + 2);
	FILE *f;
	int r = 0;

	if (line == NULL)
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	if ((f = fopen(q->audit_path, "re")) == NULL) {
		free(line);
		return lerr_set(e, LICD_E_IO, "%s: %s", q->audit_path,
		    strerror(errno));
	}
	while (r == 0 && fgets(line, AUDIT_LINE_MAX + 2, f) != NULL)
		r = one_line(q, from, line, rs);
	fclose(f);
	free(line);
	if (r < 0)
		return lerr_set(e, LICD_E_TOO_LARGE, "more than %d rows of "
		    "usage in the period", PL_MAX_USAGE);
	return 0;
}

static json_t *
jtime(int64_t t)
{
	char b[LTIME_LEN + 1];

	ltime_format(t, b);
	return json_string(b);
}

static char *
message(const struct report_req *q, const struct devkey *k, int64_t from,
    int64_t to, const struct rows *rs)
{
	json_t *o, *usage = json_array();
	char *m = NULL;
	size_t i;

	for (i = 0; usage != NULL && i < rs->n; i++)
		json_array_append_new(usage, json_pack("{s:s, s:s, s:s, s:I}",
		    "product", rs->r[i].product, "feature", rs->r[i].feature,
		    "purpose", rs->r[i].purpose, "count",
		    (json_int_t)rs->r[i].count));
	o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:o}", "device", k->kid,
	    "lid", q->lid, "iat", jtime(q->iat), "from", jtime(from), "to",
	    jtime(to), "audit", q->audit_head, "usage", usage);
	if (o != NULL)
		m = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return m;
}

int
report_build(const struct report_req *q, const struct devkey *k, char **doc,
    size_t *len, struct lerr *e)
{
	struct rows *rs = calloc(1, sizeof(*rs));
	struct report *check = malloc(sizeof(*check));
	int64_t from = q->from, to = q->to ? q->to : q->iat;
	char *msg = NULL;
	int r;

	*doc = NULL;
	if (rs == NULL || check == NULL)
		r = lerr_set(e, LICD_E_NOMEM, "out of memory");
	else if (to > q->iat || (q->from != 0 && q->from > to))
		r = lerr_set(e, LICD_E_USAGE, "report: the period must end "
		    "by now and start before it ends");
	else if ((r = scan(q, &from, rs, e)) == 0 &&
	    (msg = message(q, k, from > to ? to : from, to, rs)) == NULL)
		r = lerr_set(e, LICD_E_NOMEM, "out of memory");
	if (r == 0 && (r = pl_decode_report((const uint8_t *)msg, strlen(msg),
	    check, e)) < 0)
		lerr_prefix(e, "report");
	if (r == 0)
		r = devkey_sign(k, DOC_REPORT, msg, strlen(msg), doc, len, e);
	free(msg);
	free(rs);
	free(check);
	return r;
}
