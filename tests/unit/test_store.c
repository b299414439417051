/* SPDX-License-Identifier: MIT */
/* The store: atomic writes, crash consistency under kill -9, a full or
 * read-only file system refused without corrupting anything, the layout
 * of stored documents and the signed clock. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "sclock.h"
#include "store.h"

static char dir[64], sdir[96];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_store.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(sdir, sizeof(sdir), "%s/state", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	umount2(sdir, MNT_DETACH);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
open_ok(struct store *s)
{
	struct lerr e = { 0 };

	if (store_open(s, sdir, &e) != 0)
		fail_msg("store_open: %s", e.msg);
}

/* Number of leftover temporary files in path. */
static int
tmp_count(const char *path)
{
	struct dirent *de;
	DIR *d = opendir(path);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, ".#tmp.", 6) == 0)
			n++;
	closedir(d);
	return n;
}

static void
expect_content(struct store *s, const char *name, const char *want)
{
	struct lerr e = { 0 };
	size_t len;
	char *buf;

	if (store_get(s, name, 1 << 20, &buf, &len, &e) != 0)
		fail_msg("store_get %s: %s", name, e.msg);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(buf, want, len);
	free(buf);
}

static void
t_open_layout(void **state)
{
	char p[160];
	struct store s;
	struct stat st;

	(void)state;
	open_ok(&s);
	assert_int_equal(stat(sdir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	snprintf(p, sizeof(p), "%s/docs", sdir);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	snprintf(p, sizeof(p), "%s/root", sdir);
	assert_int_equal(stat(p, &st), 0);
	snprintf(p, sizeof(p), "%s/outbox", sdir);
	assert_int_equal(stat(p, &st), 0);
	store_close(&s);
	/* opening again is fine */
	open_ok(&s);
	store_close(&s);
}

static void
t_open_refuses(void **state)
{
	char want[256], target[160];
	struct lerr e = { 0 };
	struct store s;

	(void)state;
	assert_int_equal(mkdir(sdir, 0700), 0);
	assert_int_equal(chmod(sdir, 0770), 0);
	snprintf(want, sizeof(want), "%s: mode 0770: writable by group or "
	    "others", sdir);
	assert_int_equal(store_open(&s, sdir, &e), -LICD_E_IO);
	assert_string_equal(e.msg, want);
	assert_int_equal(chmod(sdir, 0700), 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(sdir, 65534, 65534), 0);
		snprintf(want, sizeof(want), "%s: owned by uid 65534, not by "
		    "uid 0", sdir);
		assert_int_equal(store_open(&s, sdir, &e), -LICD_E_IO);
		assert_string_equal(e.msg, want);
		assert_int_equal(chown(sdir, 0, 0), 0);
	}
	/* a symlink as state_dir is refused */
	snprintf(target, sizeof(target), "%s/real", dir);
	assert_int_equal(rename(sdir, target), 0);
	assert_int_equal(symlink(target, sdir), 0);
	snprintf(want, sizeof(want), "%s: not a directory (or a symlink)",
	    sdir);
	assert_int_equal(store_open(&s, sdir, &e), -LICD_E_IO);
	assert_string_equal(e.msg, want);
	assert_int_equal(unlink(sdir), 0);
}

/* One licd per state directory. */
static void
t_lock(void **state)
{
	struct store a, b;
	struct lerr e = { 0 };
	char want[200];
	pid_t pid;
	int st;

	(void)state;
	open_ok(&a);
	assert_int_equal(store_lock(&a, &e), 0);
	/* another process cannot take it */
	if ((pid = fork()) == 0) {
		if (store_open(&b, sdir, NULL) != 0)
			_exit(1);
		_exit(store_lock(&b, &e) == -LICD_E_IO &&
		    strstr(e.msg, "another licd uses this state directory") ?
		    0 : 2);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	/* nor another open in this process (flock is per open file) */
	open_ok(&b);
	snprintf(want, sizeof(want), "%s: another licd uses this state "
	    "directory", sdir);
	assert_int_equal(store_lock(&b, &e), -LICD_E_IO);
	assert_string_equal(e.msg, want);
	store_close(&b);
	/* released with the store */
	store_close(&a);
	open_ok(&b);
	assert_int_equal(store_lock(&b, &e), 0);
	store_close(&b);
}

static void
t_atomic_write(void **state)
{
	struct lerr e = { 0 };
	struct store s;
	struct stat st;
	char p[160];

	(void)state;
	open_ok(&s);
	assert_int_equal(store_put(&s, "state", "one", 3, &e), 0);
	expect_content(&s, "state", "one");
	assert_int_equal(store_put(&s, "state", "second", 6, &e), 0);
	expect_content(&s, "state", "second");
	assert_int_equal(store_put(&s, "empty", "", 0, &e), 0);
	expect_content(&s, "empty", "");
	snprintf(p, sizeof(p), "%s/state", sdir);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(tmp_count(sdir), 0);
	/* reserved and bad names */
	assert_int_equal(store_put(&s, "device.key", "x", 1, &e),
	    -LICD_E_USAGE);
	assert_int_equal(store_put(&s, "clock", "x", 1, &e), -LICD_E_USAGE);
	assert_int_equal(store_put(&s, "../x", "x", 1, &e), -LICD_E_USAGE);
	assert_int_equal(store_put(&s, ".hidden", "x", 1, &e), -LICD_E_USAGE);
	assert_int_equal(store_put(&s, "", "x", 1, &e), -LICD_E_USAGE);
	store_close(&s);
}

static void
t_read_bounds(void **state)
{
	struct lerr e = { 0 };
	struct store s;
	char p[160], want[256], *buf;
	size_t len;

	(void)state;
	open_ok(&s);
	assert_int_equal(store_put(&s, "big", "0123456789", 10, &e), 0);
	assert_int_equal(store_get(&s, "big", 9, &buf, &len, &e),
	    -LICD_E_TOO_LARGE);
	assert_null(buf);
	snprintf(want, sizeof(want), "%s/big: larger than 9 bytes", sdir);
	assert_string_equal(e.msg, want);
	assert_int_equal(store_get(&s, "big", 10, &buf, &len, &e), 0);
	free(buf);
	assert_int_equal(store_get(&s, "nothing", 10, &buf, &len, &e),
	    -LICD_E_NOT_FOUND);
	/* a symlink planted in the store is not followed */
	snprintf(p, sizeof(p), "%s/link", sdir);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	assert_int_equal(store_get(&s, "link", 1 << 20, &buf, &len, &e),
	    -LICD_E_IO);
	assert_non_null(strstr(e.msg, "Too many levels of symbolic links"));
	store_close(&s);
}

static void
t_docs(void **state)
{
	char lids[8][PL_LID_MAX + 1], p[200], *buf;
	struct lerr e = { 0 };
	uint64_t nums[8];
	struct store s;
	struct stat st;
	size_t n, len;

	(void)state;
	open_ok(&s);
	assert_int_equal(store_doc_put(&s, STORE_LICENCE, "IL-2", 2, "L2", 2,
	    &e), 0);
	assert_int_equal(store_doc_put(&s, STORE_LICENCE, "IL-2", 10, "L10", 3,
	    &e), 0);
	assert_int_equal(store_doc_put(&s, STORE_ORDER, "IL-2", 1, "O1", 2,
	    &e), 0);
	assert_int_equal(store_doc_put(&s, STORE_STATUS, "IL-2", 0, "S", 1,
	    &e), 0);
	assert_int_equal(store_doc_put(&s, STORE_LICENCE, "A-1", 1, "A", 1,
	    &e), 0);
	assert_int_equal(store_doc_put(&s, STORE_ROOT, NULL, 1, "R1", 2, &e),
	    0);
	assert_int_equal(store_doc_put(&s, STORE_ROOT, NULL, 2, "R2", 2, &e),
	    0);
	/* the lids "." and ".." are valid and must stay inside docs/ */
	assert_int_equal(store_doc_put(&s, STORE_LICENCE, "..", 1, "DD", 2,
	    &e), 0);
	assert_int_equal(store_doc_put(&s, STORE_LICENCE, ".", 1, "D", 1, &e),
	    0);
	snprintf(p, sizeof(p), "%s/docs/%%../licence-1", sdir);
	assert_int_equal(stat(p, &st), 0);
	snprintf(p, sizeof(p), "%s/licence-1", sdir);
	assert_int_not_equal(stat(p, &st), 0);
	/* a bad lid is refused */
	assert_int_equal(store_doc_put(&s, STORE_LICENCE, "a/b", 1, "x", 1,
	    &e), -LICD_E_USAGE);
	assert_int_equal(store_doc_put(&s, STORE_LICENCE, "", 1, "x", 1, &e),
	    -LICD_E_USAGE);
	/* foreign names are ignored by listings */
	snprintf(p, sizeof(p), "%s/docs/IL-2/licence-007", sdir);
	close(open(p, O_CREAT | O_WRONLY, 0600));
	snprintf(p, sizeof(p), "%s/docs/IL-2/notes", sdir);
	close(open(p, O_CREAT | O_WRONLY, 0600));

	assert_int_equal(store_doc_list(&s, STORE_LICENCE, "IL-2", nums, 8,
	    &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(nums[0], 2);
	assert_int_equal(nums[1], 10);
	assert_int_equal(store_doc_list(&s, STORE_LICENCE, "IL-2", nums, 1,
	    &n, &e), -LICD_E_LIMIT);
	assert_int_equal(store_doc_list(&s, STORE_ORDER, "IL-2", nums, 8, &n,
	    &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_doc_list(&s, STORE_STATUS, "IL-2", nums, 8, &n,
	    &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_doc_list(&s, STORE_ROOT, NULL, nums, 8, &n, &e),
	    0);
	assert_int_equal(n, 2);
	assert_int_equal(nums[1], 2);
	assert_int_equal(store_doc_list(&s, STORE_ORDER, "NONE", nums, 8, &n,
	    &e), 0);
	assert_int_equal(n, 0);

	assert_int_equal(store_lid_list(&s, lids, 8, &n, &e), 0);
	assert_int_equal(n, 4);
	assert_string_equal(lids[0], ".");
	assert_string_equal(lids[1], "..");
	assert_string_equal(lids[2], "A-1");
	assert_string_equal(lids[3], "IL-2");
	assert_int_equal(store_lid_list(&s, lids, 3, &n, &e), -LICD_E_LIMIT);

	assert_int_equal(store_doc_get(&s, STORE_LICENCE, "IL-2", 10, &buf,
	    &len, &e), 0);
	assert_string_equal(buf, "L10");
	free(buf);
	assert_int_equal(store_doc_get(&s, STORE_LICENCE, "..", 1, &buf, &len,
	    &e), 0);
	assert_string_equal(buf, "DD");
	free(buf);
	assert_int_equal(store_doc_get(&s, STORE_ORDER, "IL-2", 5, &buf, &len,
	    &e), -LICD_E_NOT_FOUND);
	assert_int_equal(store_doc_get(&s, STORE_ORDER, "NONE", 1, &buf, &len,
	    &e), -LICD_E_NOT_FOUND);
	assert_int_equal(store_doc_del(&s, STORE_LICENCE, "IL-2", 2, &e), 0);
	assert_int_equal(store_doc_del(&s, STORE_LICENCE, "IL-2", 2, &e), 0);
	assert_int_equal(store_doc_list(&s, STORE_LICENCE, "IL-2", nums, 8,
	    &n, &e), 0);
	assert_int_equal(n, 1);
	store_close(&s);
}

static void
t_clock(void **state)
{
	struct lerr e = { 0 };
	struct store s;
	int64_t t = -1;

	(void)state;
	open_ok(&s);
	assert_int_equal(store_clock_load(&s, &t, &e), 0);
	assert_int_equal(t, 0);
	assert_int_equal(store_clock_save(&s, 1767225600, &e), 0);
	assert_int_equal(store_clock_load(&s, &t, &e), 0);
	assert_int_equal(t, 1767225600);
	assert_int_equal(store_clock_save(&s, -1, &e), -LICD_E_USAGE);
	/* a damaged clock file is an error, never "0" */
	assert_int_equal(store_write_at(s.dirfd, sdir, "clock", "12x\n", 4,
	    0600, 0, &e), 0);
	assert_int_equal(store_clock_load(&s, &t, &e), -LICD_E_MALFORMED);
	assert_int_equal(store_write_at(s.dirfd, sdir, "clock", "0123\n", 5,
	    0600, 0, &e), 0);
	assert_int_equal(store_clock_load(&s, &t, &e), -LICD_E_MALFORMED);
	assert_int_equal(store_write_at(s.dirfd, sdir, "clock", "123", 3,
	    0600, 0, &e), 0);
	assert_int_equal(store_clock_load(&s, &t, &e), -LICD_E_MALFORMED);
	store_close(&s);
}

static void
t_outbox_noreplace(void **state)
{
	struct lerr e = { 0 };
	struct store s;
	char p[160], buf[8] = { 0 };
	int fd;

	(void)state;
	open_ok(&s);
	assert_int_equal(store_outbox_put(&s, "r-1.receipt", "first", 5, &e),
	    0);
	assert_int_equal(store_outbox_put(&s, "r-1.receipt", "other", 5, &e),
	    -LICD_E_IO);
	assert_non_null(strstr(e.msg, "File exists"));
	snprintf(p, sizeof(p), "%s/outbox/r-1.receipt", sdir);
	fd = open(p, O_RDONLY);
	assert_int_equal(read(fd, buf, sizeof(buf)), 5);
	close(fd);
	assert_string_equal(buf, "first");
	snprintf(p, sizeof(p), "%s/outbox", sdir);
	assert_int_equal(tmp_count(p), 0);
	store_close(&s);
}

/* Child: rewrite "f" forever with A or B. */
static void
writer_loop(void)
{
	static char a[4096], b[12288];
	struct store s;
	unsigned i;

	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	if (store_open(&s, sdir, NULL) != 0)
		_exit(2);
	for (i = 0;; i++)
		if (store_put(&s, "f", i & 1 ? b : a, i & 1 ? sizeof(b) :
		    sizeof(a), NULL) != 0)
			_exit(3);
}

static void
t_crash(void **state)
{
	struct lerr e = { 0 };
	struct store s;
	size_t len, i;
	char *buf;
	pid_t pid;
	int k, st;

	(void)state;
	open_ok(&s);
	assert_int_equal(store_put(&s, "f", "seed", 4, &e), 0);
	srand((unsigned)time(NULL));
	for (k = 0; k < 60; k++) {
		if ((pid = fork()) == 0)
			writer_loop();
		usleep((useconds_t)(rand() % 20000));
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFSIGNALED(st));
		/* the file is whole: the seed, all a or all b */
		assert_int_equal(store_get(&s, "f", 1 << 20, &buf, &len, &e),
		    0);
		if (len == 4) {
			assert_memory_equal(buf, "seed", 4);
		} else {
			assert_true(len == 4096 || len == 12288);
			for (i = 0; i < len; i++)
				if (buf[i] != (len == 4096 ? 'a' : 'b'))
					fail_msg("torn file at byte %zu", i);
		}
		free(buf);
	}
	store_close(&s);
	/* re-opening removes what the kills left behind */
	open_ok(&s);
	assert_int_equal(tmp_count(sdir), 0);
	store_close(&s);
}

/* A small tmpfs as state_dir; 0 when this process may not mount. */
static int
small_fs(void)
{
	if (geteuid() != 0)
		return 0;
	if (mkdir(sdir, 0700) != 0)
		return 0;
	if (mount("tmpfs", sdir, "tmpfs", 0, "size=64k,mode=0700") != 0)
		return 0;
	return 1;
}

static void
t_full_disk(void **state)
{
	static char big[256 * 1024];
	struct lerr e = { 0 };
	struct store s;

	(void)state;
	if (!small_fs()) {
		print_message("skip: not root or cannot mount a tmpfs: the full "
		    "disk case is not tested\n");
		skip();
	}
	open_ok(&s);
	assert_int_equal(store_put(&s, "state", "precious", 8, &e), 0);
	assert_int_equal(store_doc_put(&s, STORE_ORDER, "IL-1", 1, "order", 5,
	    &e), 0);
	memset(big, 'x', sizeof(big));
	assert_int_equal(store_put(&s, "state", big, sizeof(big), &e),
	    -LICD_E_IO);
	assert_non_null(strstr(e.msg, "No space left on device"));
	assert_int_equal(store_doc_put(&s, STORE_ORDER, "IL-1", 1, big,
	    sizeof(big), &e), -LICD_E_IO);
	assert_int_equal(store_outbox_put(&s, "r.receipt", big, sizeof(big),
	    &e), -LICD_E_IO);
	/* nothing corrupted, nothing left behind, and it still works */
	expect_content(&s, "state", "precious");
	assert_int_equal(tmp_count(sdir), 0);
	assert_int_equal(store_put(&s, "state", "after", 5, &e), 0);
	expect_content(&s, "state", "after");
	store_close(&s);
}

static void
t_read_only(void **state)
{
	struct lerr e = { 0 };
	struct store s;
	int64_t t;

	(void)state;
	if (!small_fs()) {
		print_message("skip: not root or cannot mount a tmpfs: the "
		    "read-only case is not tested\n");
		skip();
	}
	open_ok(&s);
	assert_int_equal(store_put(&s, "state", "precious", 8, &e), 0);
	assert_int_equal(store_clock_save(&s, 1000, &e), 0);
	assert_int_equal(mount(NULL, sdir, NULL, MS_REMOUNT | MS_RDONLY,
	    NULL), 0);
	assert_int_equal(store_put(&s, "state", "changed", 7, &e), -LICD_E_IO);
	assert_non_null(strstr(e.msg, "Read-only file system"));
	assert_int_equal(store_clock_save(&s, 2000, &e), -LICD_E_IO);
	assert_int_equal(store_doc_put(&s, STORE_LICENCE, "NEW", 1, "x", 1,
	    &e), -LICD_E_IO);
	expect_content(&s, "state", "precious");
	assert_int_equal(store_clock_load(&s, &t, &e), 0);
	assert_int_equal(t, 1000);
	store_close(&s);
	/* a read-only store still opens (the daemon keeps serving) */
	open_ok(&s);
	expect_content(&s, "state", "precious");
	store_close(&s);
}

/* DESIGN 4.2: the signed clock runs with boot time, jumps to accepted
 * iats (bounded by wall + 300 s), never goes back, and raises the
 * rollback alarm on transitions only. */
static void
t_signed_clock(void **state)
{
	const int64_t S = 1000000000LL, T = 1767225600;
	struct sclock c;

	(void)state;
	sclock_init(&c, T, 5 * S);
	assert_int_equal(c.signed_time, T);
	sclock_tick(&c, 5 * S + S / 2);		/* half a second: nothing */
	assert_int_equal(c.signed_time, T);
	sclock_tick(&c, 7 * S);			/* the half is not lost */
	assert_int_equal(c.signed_time, T + 2);
	sclock_tick(&c, 6 * S);			/* boot clock back: nothing */
	assert_int_equal(c.signed_time, T + 2);
	/* a document's iat moves it forward, at most to wall + 300 */
	assert_int_equal(sclock_observe(&c, T + 100, T), 1);
	assert_int_equal(c.signed_time, T + 100);
	assert_int_equal(sclock_observe(&c, T + 10000, T), 1);
	assert_int_equal(c.signed_time, T + 300);
	assert_int_equal(sclock_observe(&c, T + 50, T), 0);	/* never back */
	assert_int_equal(c.signed_time, T + 300);
	sclock_raise(&c, T + 10);
	assert_int_equal(c.signed_time, T + 300);
	sclock_raise(&c, T + 400);
	assert_int_equal(c.signed_time, T + 400);
	/* now = max(wall, signed) */
	assert_int_equal(sclock_now(&c, T), T + 400);
	assert_int_equal(sclock_now(&c, T + 500), T + 500);
	/* rollback: raised when wall < signed - 300, once; cleared once */
	assert_int_equal(sclock_check_rollback(&c, T + 100), 0);
	assert_int_equal(sclock_check_rollback(&c, T + 99), 1);
	assert_true(c.rollback);
	assert_int_equal(sclock_check_rollback(&c, T), 0);
	assert_int_equal(sclock_check_rollback(&c, T + 100), -1);
	assert_false(c.rollback);
	/* persisted 0 (first start) */
	sclock_init(&c, 0, 0);
	assert_int_equal(c.signed_time, 0);
	assert_int_equal(sclock_now(&c, T), T);
}

/* The clock survives a restart through the store. */
static void
t_signed_clock_persisted(void **state)
{
	struct lerr e = { 0 };
	struct store s;
	struct sclock c;
	int64_t t;

	(void)state;
	open_ok(&s);
	sclock_init(&c, 0, 0);
	sclock_observe(&c, 1767225600, 1767225600);
	sclock_tick(&c, 61000000000LL);
	assert_int_equal(store_clock_save(&s, c.signed_time, &e), 0);
	store_close(&s);
	open_ok(&s);
	assert_int_equal(store_clock_load(&s, &t, &e), 0);
	sclock_init(&c, t, 0);
	assert_int_equal(c.signed_time, 1767225600 + 61);
	store_close(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_open_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(t_open_refuses, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(t_atomic_write, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_read_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(t_docs, setup, teardown),
		cmocka_unit_test_setup_teardown(t_clock, setup, teardown),
		cmocka_unit_test_setup_teardown(t_outbox_noreplace, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_crash, setup, teardown),
		cmocka_unit_test_setup_teardown(t_signed_clock, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_signed_clock_persisted, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_full_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(t_read_only, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
