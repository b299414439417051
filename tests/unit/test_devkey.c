/* SPDX-License-Identifier: MIT */
/* The device key: created 0600 without ever replacing a file, reloaded,
 * refused when others can read it or it is not ours, and what it signs:
 * the activation request and receipts. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "devkey.h"
#include "doc.h"
#include "receipt.h"
#include "store.h"

static char dir[64], keypath[128];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_devkey.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(keypath, sizeof(keypath), "%s/device.key", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct devkey *
open_ok(int want_created)
{
	struct devkey *k = NULL;
	struct lerr e = { 0 };
	int created = -1;

	if (devkey_open(dir, &k, &created, &e) != 0)
		fail_msg("devkey_open: %s", e.msg);
	assert_int_equal(created, want_created);
	return k;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void
t_create_and_load(void **state)
{
	struct devkey *k, *k2;
	paserk_kid kid;
	struct stat st;
	char buf[200];
	int fd;

	(void)state;
	k = open_ok(1);
	assert_int_equal(lstat(keypath, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, PASERK_SECRET_LEN + 1);
	fd = open(keypath, O_RDONLY);
	assert_int_equal(read(fd, buf, sizeof(buf)), PASERK_SECRET_LEN + 1);
	close(fd);
	assert_memory_equal(buf, "k4.secret.", 10);
	assert_int_equal(buf[PASERK_SECRET_LEN], '\n');
	paserk_pid(k->pk, kid);
	assert_string_equal(k->kid, kid);
	assert_memory_equal(k->pub, "k4.public.", 10);
	assert_int_equal(tok_sk_check(k->sk), 0);
	/* the second start loads the same key */
	k2 = open_ok(0);
	assert_memory_equal(k2->pk, k->pk, TOK_PK_LEN);
	assert_string_equal(k2->kid, k->kid);
	devkey_free(k);
	devkey_free(k2);
	devkey_free(NULL);
}

static void
expect_refused(const char *want_suffix)
{
	struct devkey *k = (struct devkey *)1;
	struct lerr e = { 0 };
	char want[300];
	int created;

	snprintf(want, sizeof(want), "%s%s", keypath, want_suffix);
	assert_int_equal(devkey_open(dir, &k, &created, &e), -LICD_E_KEY);
	assert_null(k);
	assert_string_equal(e.msg, want);
}

static void
t_refuse_readable(void **state)
{
	struct devkey *k;

	(void)state;
	k = open_ok(1);
	devkey_free(k);
	assert_int_equal(chmod(keypath, 0644), 0);
	expect_refused(": mode 0644 gives access to group or others; refusing "
	    "(chmod 0600)");
	assert_int_equal(chmod(keypath, 0640), 0);
	expect_refused(": mode 0640 gives access to group or others; refusing "
	    "(chmod 0600)");
	assert_int_equal(chmod(keypath, 0604), 0);
	expect_refused(": mode 0604 gives access to group or others; refusing "
	    "(chmod 0600)");
	assert_int_equal(chmod(keypath, 0400), 0);
	k = open_ok(0);
	devkey_free(k);
}

static void
t_refuse_owner(void **state)
{
	struct devkey *k;

	(void)state;
	if (geteuid() != 0) {
		print_message("skip: not root: cannot chown the key\n");
		skip();
	}
	k = open_ok(1);
	devkey_free(k);
	assert_int_equal(chown(keypath, 65534, 65534), 0);
	expect_refused(": owned by uid 65534, not uid 0; refusing");
}

static void
t_refuse_symlink(void **state)
{
	char target[128];
	struct stat st;

	(void)state;
	/* a dangling symlink: O_NOFOLLOW refuses it, and nothing is created
	 * at its target */
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	assert_int_equal(symlink(target, keypath), 0);
	expect_refused(": Too many levels of symbolic links");
	assert_int_not_equal(lstat(target, &st), 0);
	/* and a symlink to a real key */
	write_file(target, "x", 0600);
	expect_refused(": Too many levels of symbolic links");
}

static void
t_refuse_content(void **state)
{
	static const char *const bad[] = {
		"",
		"k4.secret.\n",
		"k4.public.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
	};
	char text[256];
	struct devkey *k;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(keypath, bad[i], 0600);
		expect_refused(": not one k4.secret key and an optional "
		    "newline");
	}
	/* a valid key followed by anything more */
	unlink(keypath);
	k = open_ok(1);
	devkey_free(k);
	{
		int fd = open(keypath, O_RDONLY);

		assert_int_equal(read(fd, text, PASERK_SECRET_LEN),
		    PASERK_SECRET_LEN);
		close(fd);
	}
	memcpy(text + PASERK_SECRET_LEN, "\n\n", 3);
	write_file(keypath, text, 0600);
	expect_refused(": not one k4.secret key and an optional newline");
	/* without the final newline it is fine */
	text[PASERK_SECRET_LEN] = '\0';
	write_file(keypath, text, 0600);
	k = open_ok(0);
	devkey_free(k);
	/* a public half that does not belong to the seed */
	text[PASERK_SECRET_LEN - 2] = text[PASERK_SECRET_LEN - 2] == 'A' ?
	    'B' : 'A';
	write_file(keypath, text, 0600);
	expect_refused(": not one k4.secret key and an optional newline");
}

/* Eight starts racing on an empty state_dir agree on one key. */
static void
t_race(void **state)
{
	uint8_t pks[8][TOK_PK_LEN];
	int p[2], i, st;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(p), 0);
	for (i = 0; i < 8; i++) {
		if ((pid = fork()) == 0) {
			struct devkey *k = NULL;
			int created;

			if (devkey_open(dir, &k, &created, NULL) != 0)
				_exit(1);
			if (write(p[1], k->pk, TOK_PK_LEN) != TOK_PK_LEN)
				_exit(2);
			_exit(0);
		}
	}
	for (i = 0; i < 8; i++) {
		assert_true(wait(&st) > 0);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	for (i = 0; i < 8; i++)
		assert_int_equal(read(p[0], pks[i], TOK_PK_LEN), TOK_PK_LEN);
	close(p[0]);
	close(p[1]);
	for (i = 1; i < 8; i++)
		assert_memory_equal(pks[i], pks[0], TOK_PK_LEN);
}

static void
t_sign(void **state)
{
	static const char msg[] = "{\"device\":\"x\"}";
	struct lerr e = { 0 };
	struct devkey *k;
	struct doc d;
	size_t len;
	char *out;

	(void)state;
	k = open_ok(1);
	assert_int_equal(devkey_sign(k, DOC_RECEIPT, msg, strlen(msg), &out,
	    &len, &e), 0);
	assert_int_equal(out[len - 1], '\n');
	assert_int_equal(doc_parse(out, len, DOC_RECEIPT, &d, &e), 0);
	assert_int_equal(doc_verify_key(&d, k->pk, &e), 0);
	assert_int_equal(d.msg_len, strlen(msg));
	assert_memory_equal(d.msg, msg, d.msg_len);
	doc_free(&d);
	/* signed as a receipt, it is no checkpoint */
	assert_int_equal(doc_parse(out, len, DOC_CHECKPOINT, &d, &e),
	    -LICD_E_TYPE);
	free(out);
	assert_int_equal(devkey_sign(k, (enum doc_type)99, msg, strlen(msg),
	    &out, &len, &e), -LICD_E_USAGE);
	assert_null(out);
	devkey_free(k);
}

static void
t_request(void **state)
{
	char mid[128], uuid[128], *out;
	struct lerr e = { 0 };
	struct request *rq;
	struct devkey *k;
	struct doc d;
	size_t len;

	(void)state;
	k = open_ok(1);
	snprintf(mid, sizeof(mid), "%s/machine-id", dir);
	snprintf(uuid, sizeof(uuid), "%s/product_uuid", dir);
	write_file(mid, "3d1219c7c4c5404aaa1f6d2a48adfda4\n", 0644);
	write_file(uuid, "4C4C4544-0042-3510-8052-B4C04F4E4E31\n", 0644);
	assert_int_equal(devkey_request(k, 1767225600, mid, uuid, &out, &len,
	    &e), 0);
	assert_int_equal(doc_parse(out, len, DOC_REQUEST, &d, &e), 0);
	assert_int_equal(doc_verify_key(&d, k->pk, &e), 0);
	rq = malloc(sizeof(*rq));
	if (pl_decode_request(d.msg, d.msg_len, rq, &e) != 0)
		fail_msg("request does not decode: %s", e.msg);
	assert_string_equal(rq->device, k->kid);
	assert_memory_equal(rq->key, k->pk, TOK_PK_LEN);
	assert_int_equal(rq->iat, 1767225600);
	assert_string_equal(rq->machine_id, "3d1219c7c4c5404aaa1f6d2a48adfda4");
	assert_string_equal(rq->product_uuid,
	    "4c4c4544-0042-3510-8052-b4c04f4e4e31");
	doc_free(&d);
	free(out);

	/* no DMI uuid (or not readable): "" */
	unlink(uuid);
	assert_int_equal(devkey_request(k, 1767225600, mid, uuid, &out, &len,
	    &e), 0);
	assert_int_equal(doc_parse(out, len, DOC_REQUEST, &d, &e), 0);
	assert_int_equal(pl_decode_request(d.msg, d.msg_len, rq, &e), 0);
	assert_string_equal(rq->product_uuid, "");
	doc_free(&d);
	free(out);

	/* a machine id is required */
	unlink(mid);
	assert_int_equal(devkey_request(k, 1767225600, mid, uuid, &out, &len,
	    &e), -LICD_E_IO);
	assert_null(out);
	write_file(mid, "not-a-machine-id\n", 0644);
	assert_int_equal(devkey_request(k, 1767225600, mid, uuid, &out, &len,
	    &e), -LICD_E_IO);
	free(rq);
	devkey_free(k);
}

#define AUDIT_HEAD \
	"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void
t_receipt(void **state)
{
	struct receipt r = { .iat = 1767225600, .seq = 7,
	    .state = LSTATE_RESTRICTED }, *back;
	char name[STORE_NAME_MAX + 1], path[256], *buf;
	struct lerr e = { 0 };
	struct devkey *k;
	struct store s;
	struct doc d;
	size_t len;

	(void)state;
	k = open_ok(1);
	assert_int_equal(store_open(&s, dir, &e), 0);
	snprintf(r.lid, sizeof(r.lid), "IL-2026-0042");
	snprintf(r.event, sizeof(r.event), "order-applied");
	snprintf(r.audit, sizeof(r.audit), "%s", AUDIT_HEAD);
	if (receipt_issue(&s, k, &r, 42, name, &e) != 0)
		fail_msg("receipt_issue: %s", e.msg);
	assert_string_equal(name,
	    "00000000000000000042-order-applied-IL-2026-0042.receipt");
	snprintf(path, sizeof(path), "%s/outbox/%s", dir, name);
	{
		FILE *f = fopen(path, "r");

		assert_non_null(f);
		buf = calloc(1, 4096);
		len = fread(buf, 1, 4095, f);
		fclose(f);
	}
	assert_int_equal(doc_parse(buf, len, DOC_RECEIPT, &d, &e), 0);
	assert_int_equal(doc_verify_key(&d, k->pk, &e), 0);
	back = malloc(sizeof(*back));
	assert_int_equal(pl_decode_receipt(d.msg, d.msg_len, back, &e), 0);
	assert_string_equal(back->device, k->kid);
	assert_string_equal(back->lid, "IL-2026-0042");
	assert_int_equal(back->iat, 1767225600);
	assert_string_equal(back->event, "order-applied");
	assert_int_equal(back->seq, 7);
	assert_int_equal(back->state, LSTATE_RESTRICTED);
	assert_string_equal(back->audit, AUDIT_HEAD);
	doc_free(&d);
	free(buf);
	/* a receipt is never replaced */
	assert_int_equal(receipt_issue(&s, k, &r, 42, NULL, &e), -LICD_E_IO);
	/* a root receipt has lid "", and only it */
	snprintf(r.event, sizeof(r.event), "root-applied");
	assert_int_equal(receipt_issue(&s, k, &r, 43, name, &e),
	    -LICD_E_PAYLOAD);
	r.lid[0] = '\0';
	assert_int_equal(receipt_issue(&s, k, &r, 43, name, &e), 0);
	assert_string_equal(name, "00000000000000000043-root-applied.receipt");
	snprintf(r.event, sizeof(r.event), "no-such-event");
	snprintf(r.lid, sizeof(r.lid), "IL-1");
	assert_int_equal(receipt_issue(&s, k, &r, 44, name, &e),
	    -LICD_E_PAYLOAD);
	free(back);
	store_close(&s);
	devkey_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_create_and_load, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_refuse_readable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_refuse_owner, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_refuse_symlink, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_refuse_content, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_race, setup, teardown),
		cmocka_unit_test_setup_teardown(t_sign, setup, teardown),
		cmocka_unit_test_setup_teardown(t_request, setup, teardown),
		cmocka_unit_test_setup_teardown(t_receipt, setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
