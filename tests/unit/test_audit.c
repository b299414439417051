/* SPDX-License-Identifier: MIT */
/* The audit log: every event kind chains and verifies; an altered,
 * removed or torn line is found and named; a rewritten chain is caught by
 * the signed checkpoint; a failed write leaves the log valid. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "audit.h"
#include "doc.h"

static char dir[64], logpath[128];
static struct devkey *key, *other;

static int64_t
fixed_clock(void *arg)
{
	(void)arg;
	return 1767225600;	/* 2026-01-01T00:00:00Z */
}

static int
setup(void **state)
{
	int created;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_audit.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(logpath, sizeof(logpath), "%s/audit.log", dir);
	if (devkey_open(dir, &key, &created, NULL) != 0)
		return -1;
	unlink(logpath);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[160];

	(void)state;
	devkey_free(key);
	key = NULL;
	umount2(dir, MNT_DETACH);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
open_ok(struct audit *a)
{
	struct lerr e = { 0 };

	if (audit_open(a, logpath, fixed_clock, NULL, &e) != 0)
		fail_msg("audit_open: %s", e.msg);
}

static void
verify_ok(uint64_t lines, uint64_t checkpoints)
{
	struct audit_result res;
	struct lerr e = { 0 };

	if (audit_verify(logpath, key->pk, &res, &e) != 0)
		fail_msg("audit_verify: %s", e.msg);
	assert_int_equal(res.lines, lines);
	assert_int_equal(res.checkpoints, checkpoints);
	assert_int_equal(res.bad_line, 0);
}

/* verify must fail at line bad with a message containing what. */
static void
verify_bad(uint64_t bad, const char *what)
{
	struct audit_result res;
	struct lerr e = { 0 };
	char prefix[200];

	assert_true(audit_verify(logpath, key->pk, &res, &e) < 0);
	assert_int_equal(res.bad_line, bad);
	snprintf(prefix, sizeof(prefix), "%s: line %llu: ", logpath,
	    (unsigned long long)bad);
	assert_memory_equal(e.msg, prefix, strlen(prefix));
	if (strstr(e.msg, what) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", e.msg, what);
}

/* One of each event: lines 2..7. */
static void
fill(struct audit *a)
{
	static const char doc[] = "v4.public.xyz\n";
	struct audit_doc d = { "socket", "order-7.doc", "order", "IL-1", 7,
	    "rejected", "equivocation", "two messages for seq 7", doc,
	    sizeof(doc) - 1 };
	struct audit_usage u = { true, 42, "interceptor", "geo.locate",
	    "terrorism", "CASE-2026-1", NULL, 1000, 4242 };
	struct lerr e = { 0 };

	assert_int_equal(audit_document(a, &d, &e), 0);
	assert_int_equal(audit_state(a, "IL-1", "interceptor", "active",
	    "suspended", "equivocation", &e), 0);
	assert_int_equal(audit_clock(a, "clock-rollback", 1767225000,
	    1767225600, &e), 0);
	assert_int_equal(audit_usage(a, &u, &e), 0);
	u.acquire = false;
	u.why = "released";
	assert_int_equal(audit_usage(a, &u, &e), 0);
	assert_int_equal(audit_admin(a, 0, "reload", NULL, &e), 0);
}

static char *
read_all(size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(logpath, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	buf[st.st_size] = '\0';
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static void
write_all(const char *buf, size_t len)
{
	int fd = open(logpath, O_WRONLY | O_TRUNC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

/* Start of line n (1-based) in buf. */
static char *
line_at(char *buf, unsigned n)
{
	while (--n > 0) {
		buf = strchr(buf, '\n');
		assert_non_null(buf);
		buf++;
	}
	return buf;
}

static void
t_create_and_events(void **state)
{
	struct audit a;
	char *buf, *l;
	size_t len;

	(void)state;
	open_ok(&a);
	assert_int_equal(a.lines, 1);
	fill(&a);
	assert_int_equal(a.lines, 7);
	audit_close(&a);
	verify_ok(7, 0);
	buf = read_all(&len);
	assert_memory_equal(buf, "{\"n\":1,\"time\":\"2026-01-01T00:00:00Z\","
	    "\"event\":\"log-created\",\"version\":1,\"prev\":\"sha256:"
	    "0000000000000000000000000000000000000000000000000000000000000000"
	    "\"}\n", 150);
	l = line_at(buf, 2);
	assert_memory_equal(l, "{\"n\":2,\"time\":\"2026-01-01T00:00:00Z\","
	    "\"event\":\"document\",\"source\":\"socket\",\"name\":"
	    "\"order-7.doc\",\"type\":\"order\",\"lid\":\"IL-1\",\"num\":7,"
	    "\"outcome\":\"rejected\",\"reason\":\"equivocation\",", 173);
	assert_non_null(strstr(line_at(buf, 5), "\"event\":\"acquire\","
	    "\"lease\":42,\"product\":\"interceptor\",\"feature\":"
	    "\"geo.locate\",\"purpose\":\"terrorism\",\"case\":"
	    "\"CASE-2026-1\""));
	assert_non_null(strstr(line_at(buf, 6), "\"why\":\"released\""));
	free(buf);
	/* appending after a reopen continues the chain */
	open_ok(&a);
	assert_int_equal(a.lines, 7);
	assert_int_equal(audit_admin(&a, 0, "checkpoint", "by hand", NULL), 0);
	audit_close(&a);
	verify_ok(8, 0);
}

static void
t_checkpoint(void **state)
{
	struct audit_result res;
	struct lerr e = { 0 };
	struct audit a;

	(void)state;
	open_ok(&a);
	fill(&a);
	assert_int_equal(a.since_checkpoint, 7);
	assert_int_equal(audit_checkpoint(&a, key, 1767225600, &e), 0);
	assert_int_equal(a.since_checkpoint, 0);
	fill(&a);
	assert_int_equal(audit_checkpoint(&a, key, 1767225601, &e), 0);
	audit_close(&a);
	assert_int_equal(audit_verify(logpath, key->pk, &res, &e), 0);
	assert_int_equal(res.lines, 15);
	assert_int_equal(res.checkpoints, 2);
	assert_int_equal(res.last_checkpoint, 15);
	/* under another device's key the first checkpoint fails */
	assert_int_equal(audit_verify(logpath, other->pk, &res, &e),
	    -LICD_E_SIGNATURE);
	assert_non_null(strstr(e.msg, "line 8: checkpoint not signed by"));
	assert_int_equal(res.bad_line, 8);
}

static void
t_tamper_line(void **state)
{
	struct audit a;
	char *buf, *p;
	size_t len;

	(void)state;
	open_ok(&a);
	fill(&a);
	audit_close(&a);
	buf = read_all(&len);
	/* "rejected" -> "accepted" in line 2: line 3 no longer chains */
	p = strstr(buf, "\"rejected\"");
	memcpy(p + 1, "accepted", 8);
	write_all(buf, len);
	verify_bad(3, "\"prev\" is not the hash of line 2");
	free(buf);
}

static void
t_remove_line(void **state)
{
	struct audit a;
	char *buf, *l4, *l5;
	size_t len;

	(void)state;
	open_ok(&a);
	fill(&a);
	audit_close(&a);
	buf = read_all(&len);
	l4 = line_at(buf, 4);
	l5 = line_at(buf, 5);
	memmove(l4, l5, len - (size_t)(l5 - buf));
	write_all(buf, len - (size_t)(l5 - l4));
	verify_bad(4, "\"n\" is not 4");
	free(buf);
}

static void
t_garbage_and_torn(void **state)
{
	static const char junk[] = "not json\n";
	struct lerr e = { 0 };
	struct audit a;
	char *buf;
	size_t len;
	int fd;

	(void)state;
	open_ok(&a);
	fill(&a);
	audit_close(&a);
	buf = read_all(&len);
	/* garbage appended */
	fd = open(logpath, O_WRONLY | O_APPEND);
	assert_int_equal(write(fd, junk, sizeof(junk) - 1),
	    (ssize_t)sizeof(junk) - 1);
	close(fd);
	verify_bad(8, "JSON");
	/* opening refuses to chain onto it */
	assert_int_equal(audit_open(&a, logpath, NULL, NULL, &e), -LICD_E_MALFORMED);
	/* a torn last line (a crash mid-write) */
	write_all(buf, len);
	fd = open(logpath, O_WRONLY | O_APPEND);
	assert_int_equal(write(fd, "{\"n\":8,\"ti", 10), 10);
	close(fd);
	verify_bad(8, "incomplete (no newline at the end)");
	/* opening cuts it off and says so, and the log verifies again */
	open_ok(&a);
	assert_int_equal(a.lines, 8);
	audit_close(&a);
	verify_ok(8, 0);
	free(buf);
	buf = read_all(&len);
	assert_non_null(strstr(line_at(buf, 8), "\"event\":\"audit-recovered\","
	    "\"dropped\":10,"));
	free(buf);
	/* a line 1 that is not log-created, an empty log */
	write_all("", 0);
	verify_bad(1, "empty log");
}

/* Recompute every "prev" from line `from` on, as a forger would. */
static void
rechain(char *buf, unsigned from)
{
	char h[72], *line = line_at(buf, from - 1), *next, *p;
	uint8_t d[32];

	for (; (next = strchr(line, '\n')) != NULL && next[1] != '\0';
	    line = next + 1) {
		crypto_hash_sha256(d, (uint8_t *)line, (size_t)(next - line));
		memcpy(h, "sha256:", 7);
		sodium_bin2hex(h + 7, 65, d, 32);
		p = strstr(next + 1, "\"prev\":\"sha256:");
		assert_non_null(p);
		memcpy(p + 8, h, 71);
	}
}

static void
t_rewritten_chain(void **state)
{
	struct lerr e = { 0 };
	struct audit a;
	char *buf, *p;
	size_t len;

	(void)state;
	open_ok(&a);
	fill(&a);
	assert_int_equal(audit_checkpoint(&a, key, 1767225600, &e), 0);
	fill(&a);
	audit_close(&a);
	buf = read_all(&len);
	p = strstr(buf, "\"rejected\"");
	memcpy(p + 1, "accepted", 8);
	rechain(buf, 3);
	write_all(buf, len);
	/* every link is right again, but the signed checkpoint is not */
	verify_bad(8, "checkpoint covers 7 lines ending sha256:");
	free(buf);
}

/* A checkpoint signed by another key under this device's kid. */
static void
t_forged_checkpoint(void **state)
{
	char footer[128], msg[512], *tok = NULL, *buf, *p, *q, *out;
	const char *ia = doc_implicit(DOC_CHECKPOINT);
	struct lerr e = { 0 };
	struct audit a;
	size_t len;

	(void)state;
	open_ok(&a);
	fill(&a);
	snprintf(msg, sizeof(msg), "{\"device\":\"%s\",\"iat\":"
	    "\"2026-01-01T00:00:00Z\",\"lines\":7,\"audit\":\"%s\"}",
	    key->kid, audit_head(&a));
	assert_int_equal(audit_checkpoint(&a, key, 1767225600, &e), 0);
	audit_close(&a);
	verify_ok(8, 1);
	assert_int_equal(doc_footer(key->kid, DOC_CHECKPOINT, footer,
	    sizeof(footer)), 0);
	assert_int_equal(tok_sign(other->sk, (uint8_t *)msg, strlen(msg),
	    (uint8_t *)footer, strlen(footer), (const uint8_t *)ia,
	    strlen(ia), &tok), 0);
	buf = read_all(&len);
	p = strstr(buf, "\"token\":\"") + 9;
	q = strchr(p, '"');
	out = malloc(len + strlen(tok) + 1);
	memcpy(out, buf, (size_t)(p - buf));
	strcpy(out + (p - buf), tok);
	strcat(out, q);
	write_all(out, strlen(out));
	verify_bad(8, "checkpoint not signed by");
	free(out);
	free(buf);
	free(tok);
}

static void
t_limits(void **state)
{
	static char big[AUDIT_LINE_MAX];
	struct lerr e = { 0 };
	struct audit a;
	json_t *f;

	(void)state;
	open_ok(&a);
	f = json_pack("{s:s}", "prev", "x");
	assert_int_equal(audit_append(&a, "x", f, &e), -LICD_E_USAGE);
	json_decref(f);
	memset(big, 'x', sizeof(big) - 1);
	assert_int_equal(audit_admin(&a, 0, "import", big, &e),
	    -LICD_E_TOO_LARGE);
	assert_int_equal(a.lines, 1);
	/* bytes that are not UTF-8 are recorded, replaced */
	assert_int_equal(audit_admin(&a, 0, "case", "caf\xe9", &e), 0);
	audit_close(&a);
	verify_ok(2, 0);
}

static void
t_full_disk(void **state)
{
	static char big[4096];
	struct lerr e = { 0 };
	struct audit a;
	struct stat st;
	off_t before;
	int i, r = 0, fd;

	(void)state;
	if (geteuid() != 0 || mount("tmpfs", dir, "tmpfs", 0, "size=16k") != 0)
	{
		print_message("skip: not root or cannot mount a tmpfs\n");
		skip();
	}
	open_ok(&a);
	/* fill the rest of the file system */
	fd = open("/dev/zero", O_RDONLY);
	{
		char p[128];
		int out;

		snprintf(p, sizeof(p), "%s/fill", dir);
		out = open(p, O_WRONLY | O_CREAT, 0600);
		while (read(fd, big, sizeof(big)) > 0 &&
		    write(out, big, sizeof(big)) == (ssize_t)sizeof(big))
			;
		close(out);
	}
	close(fd);
	memset(big, 'y', 3000);
	big[3000] = '\0';
	for (i = 0; i < 100 && r == 0; i++) {
		assert_int_equal(fstat(a.fd, &st), 0);
		before = st.st_size;
		r = audit_admin(&a, 0, "fill", big, &e);
	}
	assert_int_equal(r, -LICD_E_IO);
	assert_non_null(strstr(e.msg, "No space left on device"));
	assert_int_equal(fstat(a.fd, &st), 0);
	assert_int_equal(st.st_size, before);
	audit_close(&a);
	verify_ok((uint64_t)i, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_create_and_events, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_checkpoint, setup, teardown),
		cmocka_unit_test_setup_teardown(t_tamper_line, setup, teardown),
		cmocka_unit_test_setup_teardown(t_remove_line, setup, teardown),
		cmocka_unit_test_setup_teardown(t_garbage_and_torn, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_rewritten_chain, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_forged_checkpoint, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(t_full_disk, setup, teardown),
	};
	char odir[] = "/tmp/test_audit_other.XXXXXX";
	int created, r;

	if (sodium_init() < 0 || mkdtemp(odir) == NULL ||
	    devkey_open(odir, &other, &created, NULL) != 0)
		return 1;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	devkey_free(other);
	{
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", odir);
		if (system(cmd) != 0)
			r = 1;
	}
	return r;
}
