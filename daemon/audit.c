/* SPDX-License-Identifier: MIT */
/* The audit log: each line carries the hash of the one before, every line
 * is on disk before the action it records is acknowledged, and checkpoints
 * signed by the device key pin the chain. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "audit.h"
#include "doc.h"
#include "json.h"
#include "ltime.h"

#define GENESIS \
	"sha256:0000000000000000000000000000000000000000000000000000000000000000"

static const char *const own_keys[] = { "n", "time", "event", "prev" };

static void
hash_line(const char *line, size_t len, char out[AUDIT_HASH_LEN + 1])
{
	uint8_t h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const uint8_t *)line, len);
	memcpy(out, "sha256:", 7);
	sodium_bin2hex(out + 7, AUDIT_HASH_LEN + 1 - 7, h, sizeof(h));
}

static int64_t
audit_now(const struct audit *a)
{
	return a->clock != NULL ? a->clock(a->clock_arg) : (int64_t)time(NULL);
}

/* A JSON string of s; bytes that are not UTF-8 become '?' (a peer's
 * case reference must not make an event impossible to record). */
static json_t *
jstr(const char *s)
{
	json_t *v;
	char *copy;
	size_t i;

	if (s == NULL)
		return json_null();
	if ((v = json_string(s)) != NULL)
		return v;
	if ((copy = strdup(s)) == NULL)
		return NULL;
	for (i = 0; copy[i] != '\0'; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	v = json_string(copy);
	free(copy);
	return v;
}

static int
is_own_key(const char *k)
{
	size_t i;

	for (i = 0; i < sizeof(own_keys) / sizeof(own_keys[0]); i++)
		if (strcmp(k, own_keys[i]) == 0)
			return 1;
	return 0;
}

/* The next line, without its LF: *line is malloc'd. */
static int
build_line(struct audit *a, const char *event, json_t *fields, char **line,
    struct lerr *e)
{
	char t[LTIME_LEN + 1];
	const char *k;
	json_t *o, *v;
	int r = -LICD_E_NOMEM;

	*line = NULL;
	ltime_format(audit_now(a), t);
	o = json_pack("{s:I, s:s, s:s}", "n", (json_int_t)(a->lines + 1),
	    "time", t, "event", event);
	if (o == NULL)
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	json_object_foreach(fields, k, v) {
		if (is_own_key(k)) {
			r = lerr_set(e, LICD_E_USAGE, "audit: field \"%s\" is "
			    "reserved", k);
			goto out;
		}
		if (json_object_set(o, k, v) != 0)
			goto out;
	}
	if (json_object_set_new(o, "prev", json_string(a->head)) != 0 ||
	    (*line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER)) ==
	    NULL)
		goto out;
	r = 0;
 out:
	json_decref(o);
	if (r == -LICD_E_NOMEM)
		lerr_set(e, LICD_E_NOMEM, "out of memory");
	return r;
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Append line and LF durably, or leave the file as it was. */
static int
write_line(struct audit *a, char *line, struct lerr *e)
{
	size_t len = strlen(line);
	int err;

	if (len + 1 > AUDIT_LINE_MAX)
		return lerr_set(e, LICD_E_TOO_LARGE, "%s: event of %zu bytes "
		    "exceeds %d", a->path, len + 1, AUDIT_LINE_MAX);
	line[len] = '\n';	/* json_dumps() left room: it ends in NUL */
	err = write_all(a->fd, line, len + 1);
	line[len] = '\0';
	if (err == 0 && fdatasync(a->fd) != 0)
		err = -errno;
	if (err != 0) {
		/* A partial line would break the chain: cut it off. */
		if (ftruncate(a->fd, a->size) == 0)
			(void)fdatasync(a->fd);
		return lerr_set(e, LICD_E_IO, "%s: %s", a->path,
		    strerror(-err));
	}
	a->size += (off_t)(len + 1);
	a->lines++;
	hash_line(line, len, a->head);
	return 0;
}

int
audit_append(struct audit *a, const char *event, json_t *fields,
    struct lerr *e)
{
	char *line = NULL;
	int r;

	if (a->fd < 0)
		return lerr_set(e, LICD_E_IO, "audit log not open");
	if ((r = build_line(a, event, fields, &line, e)) < 0)
		return r;
	r = write_line(a, line, e);
	free(line);
	if (r == 0 && strcmp(event, "checkpoint") != 0)
		a->since_checkpoint++;
	return r;
}

/* Append an event whose fields are built by json_pack() (NULL: no mem). */
static int
append_new(struct audit *a, const char *event, json_t *fields,
    struct lerr *e)
{
	int r;

	if (fields == NULL)
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	r = audit_append(a, event, fields, e);
	json_decref(fields);
	return r;
}

static int
fsync_parent(const char *path)
{
	char *copy = strdup(path);
	int fd, r = -1;

	if (copy == NULL)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		r = fsync(fd);
		close(fd);
	}
	free(copy);
	return r;
}

static int
create_log(struct audit *a, struct lerr *e)
{
	a->fd = open(a->path, O_RDWR | O_APPEND | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (a->fd < 0)
		return lerr_set(e, LICD_E_IO, "%s: %s", a->path,
		    strerror(errno));
	if (fsync_parent(a->path) != 0)
		return lerr_set(e, LICD_E_IO, "%s: cannot sync its directory: "
		    "%s", a->path, strerror(errno));
	return 0;
}

/* The log's first line. */
static int
start_log(struct audit *a, struct lerr *e)
{
	a->lines = 0;
	a->size = 0;
	memcpy(a->head, GENESIS, sizeof(GENESIS));
	return append_new(a, "log-created", json_pack("{s:i}", "version", 1),
	    e);
}

/* Take n and the hash from the last complete line (start..end). */
static int
adopt_tail(struct audit *a, const char *line, size_t len, struct lerr *e)
{
	json_t *o = NULL, *n;
	int r;

	if (js_parse((const uint8_t *)line, len, &o, NULL) != 0 ||
	    !json_is_integer(n = json_object_get(o, "n")) ||
	    json_integer_value(n) < 1) {
		r = lerr_set(e, LICD_E_MALFORMED, "%s: the last line is not "
		    "an audit line; run licctl audit verify", a->path);
		goto out;
	}
	a->lines = (uint64_t)json_integer_value(n);
	hash_line(line, len, a->head);
	r = 0;
 out:
	json_decref(o);
	return r;
}

/*
 * Find the tail of an existing log: the last complete line, and a torn
 * line after it (cut off; *dropped says how many bytes).
 */
static int
recover(struct audit *a, off_t size, off_t *dropped, struct lerr *e)
{
	static char buf[AUDIT_LINE_MAX + 1];
	off_t off = size > (off_t)sizeof(buf) ? size - (off_t)sizeof(buf) : 0;
	size_t len = (size_t)(size - off), end, start;
	ssize_t n;

	*dropped = 0;
	if ((n = pread(a->fd, buf, len, off)) != (ssize_t)len)
		return lerr_set(e, LICD_E_IO, "%s: cannot read its end",
		    a->path);
	for (end = len; end > 0 && buf[end - 1] != '\n'; end--)
		;
	if (end == 0 && off > 0)
		return lerr_set(e, LICD_E_MALFORMED, "%s: last line longer "
		    "than %d bytes", a->path, AUDIT_LINE_MAX);
	if (end < len) {
		*dropped = (off_t)(len - end);
		if (ftruncate(a->fd, off + (off_t)end) != 0 ||
		    fdatasync(a->fd) != 0)
			return lerr_set(e, LICD_E_IO, "%s: cannot cut a torn "
			    "last line: %s", a->path, strerror(errno));
	}
	a->size = off + (off_t)end;
	if (end == 0)
		return 1;	/* nothing complete: a fresh log */
	for (start = end - 1; start > 0 && buf[start - 1] != '\n'; start--)
		;
	if (start == 0 && off > 0)
		return lerr_set(e, LICD_E_MALFORMED, "%s: last line longer "
		    "than %d bytes", a->path, AUDIT_LINE_MAX);
	return adopt_tail(a, buf + start, end - 1 - start, e);
}

static int
open_existing(struct audit *a, struct lerr *e)
{
	struct stat st;
	off_t dropped = 0;
	int r;

	if (fstat(a->fd, &st) != 0 || !S_ISREG(st.st_mode))
		return lerr_set(e, LICD_E_IO, "%s: not a regular file",
		    a->path);
	if ((r = recover(a, st.st_size, &dropped, e)) < 0)
		return r;
	if (r == 1 && (r = start_log(a, e)) < 0)
		return r;
	if (dropped > 0)
		return append_new(a, "audit-recovered", json_pack("{s:I}",
		    "dropped", (json_int_t)dropped), e);
	return 0;
}

int
audit_open(struct audit *a, const char *path, int64_t (*clock)(void *arg),
    void *clock_arg, struct lerr *e)
{
	int r;

	memset(a, 0, sizeof(*a));
	a->fd = -1;
	a->clock = clock;
	a->clock_arg = clock_arg;
	if (snprintf(a->path, sizeof(a->path), "%s", path) >=
	    (int)sizeof(a->path))
		return lerr_set(e, LICD_E_IO, "audit: path too long");
	if (sodium_init() < 0)
		return lerr_set(e, LICD_E_INTERNAL, "libsodium init failed");
	a->fd = open(path, O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (a->fd < 0 && errno == ENOENT)
		r = create_log(a, e) < 0 ? -LICD_E_IO : start_log(a, e);
	else if (a->fd < 0)
		r = lerr_set(e, LICD_E_IO, "%s: %s", path, strerror(errno));
	else
		r = open_existing(a, e);
	if (r < 0)
		audit_close(a);
	return r;
}

void
audit_close(struct audit *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
}

const char *
audit_head(const struct audit *a)
{
	return a->head;
}

int
audit_document(struct audit *a, const struct audit_doc *d, struct lerr *e)
{
	char h[AUDIT_HASH_LEN + 1];

	hash_line(d->doc != NULL ? d->doc : "", d->doc != NULL ? d->doc_len :
	    0, h);
	return append_new(a, "document", json_pack("{s:o, s:o, s:o, s:o, "
	    "s:I, s:o, s:o, s:o, s:s}", "source", jstr(d->source), "name",
	    jstr(d->name), "type", jstr(d->type), "lid", jstr(d->lid),
	    "num", (json_int_t)d->num, "outcome", jstr(d->outcome),
	    "reason", jstr(d->reason), "message", jstr(d->message),
	    "sha256", h + 7), e);
}

int
audit_state(struct audit *a, const char *lid, const char *product,
    const char *from, const char *to, const char *reason, struct lerr *e)
{
	return append_new(a, "state", json_pack("{s:o, s:o, s:o, s:o, s:o}",
	    "lid", jstr(lid), "product", jstr(product), "from", jstr(from),
	    "to", jstr(to), "reason", jstr(reason)), e);
}

int
audit_clock(struct audit *a, const char *alarm, int64_t wall,
    int64_t signed_time, struct lerr *e)
{
	char w[LTIME_LEN + 1], s[LTIME_LEN + 1];

	ltime_format(wall, w);
	ltime_format(signed_time, s);
	return append_new(a, "clock-alarm", json_pack("{s:o, s:s, s:s}",
	    "alarm", jstr(alarm), "wall", w, "signed", s), e);
}

int
audit_usage(struct audit *a, const struct audit_usage *u, struct lerr *e)
{
	return append_new(a, u->acquire ? "acquire" : "release",
	    json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:I, s:I}", "lease",
	    (json_int_t)u->lease, "product", jstr(u->product), "feature",
	    jstr(u->feature), "purpose", jstr(u->purpose), "case",
	    jstr(u->case_ref), "why", jstr(u->why), "uid",
	    (json_int_t)u->uid, "pid", (json_int_t)u->pid), e);
}

int
audit_admin(struct audit *a, uid_t uid, const char *action,
    const char *detail, struct lerr *e)
{
	return append_new(a, "admin", json_pack("{s:I, s:o, s:o}", "uid",
	    (json_int_t)uid, "action", jstr(action), "detail", jstr(detail)),
	    e);
}

int
audit_checkpoint(struct audit *a, const struct devkey *k, int64_t iat,
    struct lerr *e)
{
	char t[LTIME_LEN + 1], *msg = NULL, *doc = NULL;
	json_t *p;
	size_t len;
	int r;

	ltime_format(iat, t);
	p = json_pack("{s:s, s:s, s:I, s:s}", "device", k->kid, "iat", t,
	    "lines", (json_int_t)a->lines, "audit", a->head);
	if (p == NULL || (msg = json_dumps(p, JSON_COMPACT |
	    JSON_PRESERVE_ORDER)) == NULL) {
		r = lerr_set(e, LICD_E_NOMEM, "out of memory");
		goto out;
	}
	if ((r = devkey_sign(k, DOC_CHECKPOINT, msg, strlen(msg), &doc, &len,
	    e)) < 0)
		goto out;
	doc[len - 1] = '\0';	/* the token without the document's LF */
	if ((r = append_new(a, "checkpoint", json_pack("{s:s}", "token", doc),
	    e)) == 0)
		a->since_checkpoint = 0;
 out:
	free(doc);
	free(msg);
	json_decref(p);
	return r;
}

/* ---- verification ---- */

struct vstate {
	uint64_t n;			/* line being checked */
	char prev[AUDIT_HASH_LEN + 1];	/* hash of line n - 1 */
	const uint8_t *pk;
	paserk_kid kid;
	struct audit_result *res;
	const char *path;
};

static int __attribute__((format(printf, 4, 5)))
bad(struct vstate *v, struct lerr *e, int code, const char *fmt, ...)
{
	char msg[LERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	v->res->bad_line = v->n;
	return lerr_set(e, code, "%s: line %llu: %s", v->path,
	    (unsigned long long)v->n, msg);
}

static int
verify_checkpoint(struct vstate *v, json_t *o, struct lerr *e)
{
	json_t *tokv = json_object_get(o, "token");
	struct checkpoint cp;
	struct lerr te;
	struct doc d;
	int r;

	if (!json_is_string(tokv))
		return bad(v, e, LICD_E_MALFORMED, "checkpoint without token");
	if ((r = doc_parse(json_string_value(tokv), json_string_length(tokv),
	    DOC_CHECKPOINT, &d, &te)) < 0)
		return bad(v, e, -r, "checkpoint: %s", te.msg);
	if ((r = doc_verify_key(&d, v->pk, &te)) < 0) {
		doc_free(&d);
		return bad(v, e, LICD_E_SIGNATURE, "checkpoint not signed by "
		    "%s: %s", v->kid, te.msg);
	}
	if ((r = pl_decode_checkpoint(d.msg, d.msg_len, &cp, &te)) < 0) {
		doc_free(&d);
		return bad(v, e, -r, "checkpoint: %s", te.msg);
	}
	doc_free(&d);
	if (strcmp(cp.device, v->kid) != 0)
		return bad(v, e, LICD_E_MALFORMED, "checkpoint of another "
		    "device %s", cp.device);
	if (cp.lines != v->n - 1 || strcmp(cp.audit, v->prev) != 0)
		return bad(v, e, LICD_E_MALFORMED, "checkpoint covers %llu "
		    "lines ending %s, not the %llu lines before it",
		    (unsigned long long)cp.lines, cp.audit,
		    (unsigned long long)(v->n - 1));
	v->res->checkpoints++;
	v->res->last_checkpoint = v->n;
	return 0;
}

static int
verify_fields(struct vstate *v, json_t *o, struct lerr *e)
{
	json_t *n = json_object_get(o, "n"), *prev = json_object_get(o, "prev");
	json_t *ev = json_object_get(o, "event");
	const char *event;

	if (!json_is_integer(n) || (uint64_t)json_integer_value(n) != v->n)
		return bad(v, e, LICD_E_MALFORMED, "\"n\" is not %llu",
		    (unsigned long long)v->n);
	if (!json_is_string(prev) || strcmp(json_string_value(prev),
	    v->prev) != 0)
		return bad(v, e, LICD_E_MALFORMED, "\"prev\" is not the hash "
		    "of line %llu", (unsigned long long)(v->n - 1));
	if (!json_is_string(ev) || !json_is_string(json_object_get(o, "time")))
		return bad(v, e, LICD_E_MALFORMED, "no \"event\" or \"time\"");
	event = json_string_value(ev);
	if ((v->n == 1) != (strcmp(event, "log-created") == 0))
		return bad(v, e, LICD_E_MALFORMED, "\"log-created\" must be "
		    "line 1 and only line 1");
	if (strcmp(event, "checkpoint") == 0)
		return verify_checkpoint(v, o, e);
	return 0;
}

static int
verify_line(struct vstate *v, const char *line, size_t len, struct lerr *e)
{
	json_t *o = NULL;
	struct lerr je;
	int r;

	if (js_parse((const uint8_t *)line, len, &o, &je) != 0)
		return bad(v, e, LICD_E_MALFORMED, "%s", je.msg);
	r = verify_fields(v, o, e);
	json_decref(o);
	if (r == 0)
		hash_line(line, len, v->prev);
	return r;
}

/* Next line of f into buf (without LF): 1, 0 at EOF, -1 too long, -2 torn. */
static int
next_line(FILE *f, char *buf, size_t cap, size_t *len)
{
	int c;

	*len = 0;
	while ((c = getc_unlocked(f)) != EOF) {
		if (c == '\n')
			return 1;
		if (*len + 1 >= cap)
			return -1;
		buf[(*len)++] = (char)c;
	}
	return *len == 0 ? 0 : -2;
}

static int
verify_stream(struct vstate *v, FILE *f, char *buf, struct lerr *e)
{
	size_t len;
	int r;

	for (;;) {
		v->n = v->res->lines + 1;
		r = next_line(f, buf, AUDIT_LINE_MAX, &len);
		if (r == 0)
			break;
		if (r == -1)
			return bad(v, e, LICD_E_MALFORMED, "longer than %d "
			    "bytes", AUDIT_LINE_MAX);
		if (r == -2)
			return bad(v, e, LICD_E_MALFORMED, "incomplete (no "
			    "newline at the end)");
		if ((r = verify_line(v, buf, len, e)) < 0)
			return r;
		v->res->lines++;
	}
	if (ferror(f))
		return lerr_set(e, LICD_E_IO, "%s: read error", v->path);
	if (v->res->lines == 0) {
		v->n = 1;
		return bad(v, e, LICD_E_MALFORMED, "empty log");
	}
	return 0;
}

int
audit_verify(const char *path, const uint8_t pk[TOK_PK_LEN],
    struct audit_result *res, struct lerr *e)
{
	struct vstate v;
	char *buf;
	FILE *f;
	int r;

	memset(res, 0, sizeof(*res));
	memset(&v, 0, sizeof(v));
	memcpy(v.prev, GENESIS, sizeof(GENESIS));
	v.pk = pk;
	v.res = res;
	v.path = path;
	paserk_pid(pk, v.kid);
	if ((buf = malloc(AUDIT_LINE_MAX)) == NULL)
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	if ((f = fopen(path, "re")) == NULL) {
		free(buf);
		return lerr_set(e, LICD_E_IO, "%s: %s", path, strerror(errno));
	}
	r = verify_stream(&v, f, buf, e);
	fclose(f);
	free(buf);
	return r;
}
