/* SPDX-License-Identifier: MIT */
/* The check path's promises, proved rather than claimed: once warm,
 * checks (by name and by handle, allowed and denied) and licd_state()
 * make no system call -- a seccomp filter kills the process on any call
 * but exit -- and no allocation -- malloc is counted. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "snapshot.h"
#include "../../client-lib/include/licd.h"	/* not daemon/licd.h */

#define SEC 1000000000LL
#define P "interceptor"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZER_SYSCALL __NR_sigaltstack
#else
#define SANITIZER_SYSCALL __NR_exit	/* nothing more */
#endif

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#endif

/*
 * Counting malloc: the test binary's malloc family wins over libc's for
 * the whole process (liblicd included) and forwards to glibc. Not under
 * ASan, which must own malloc itself.
 */
#if !defined(__SANITIZE_ADDRESS__)
#define COUNT_MALLOC 1
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t m);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);
static __thread int counting;
static long allocs;

void *
malloc(size_t n)
{
	if (counting)
		allocs++;
	return __libc_malloc(n);
}

void *
calloc(size_t n, size_t m)
{
	if (counting)
		allocs++;
	return __libc_calloc(n, m);
}

void *
realloc(void *p, size_t n)
{
	if (counting)
		allocs++;
	return __libc_realloc(p, n);
}

void
free(void *p)
{
	__libc_free(p);
}
#endif

static char dir[64], path[128];
static struct snap_writer w;

static int
under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p != NULL && strstr(p, "vgpreload") != NULL;
}

static int
setup(void **state)
{
	char purposes[2][SNAP_NAME_LEN] = { "terrorism", "serious-crime" };
	struct snap_entry e[4];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_liblicd_nosys.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/snapshot", dir);
	memset(e, 0, sizeof(e));
	snprintf(e[0].product, SNAP_NAME_LEN, P);
	snprintf(e[1].product, SNAP_NAME_LEN, P);
	snprintf(e[1].feature, SNAP_NAME_LEN, "sms.intercept");
	snprintf(e[2].product, SNAP_NAME_LEN, P);
	snprintf(e[2].feature, SNAP_NAME_LEN, "voice.record");
	snprintf(e[2].reason, SNAP_REASON_LEN, "disabled-by-order");
	e[0].allowed = e[1].allowed = 1;
	e[0].state = e[1].state = e[2].state = 4;
	e[1].purposes = 1;
	return snap_create(&w, path, 8, 30 * SEC, "k4.pid.x", NULL) == 0 &&
	    snap_publish(&w, e, 3, (const char (*)[SNAP_NAME_LEN])purposes, 2,
	    NULL) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snap_close(&w);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static licd_t *
open_h(void)
{
	struct licd_options o = LICD_OPTIONS_INIT;
	licd_t *h = NULL;

	o.runtime_dir = dir;
	assert_int_equal(licd_open(P, &o, &h), 0);
	return h;
}

/* Every kind of check, n times; the number of wrong answers. */
static long
checks(licd_t *h, long n)
{
	licd_feature_t f = licd_feature_resolve(h, "sms.intercept");
	licd_feature_t v = licd_feature_resolve(h, "voice.record");
	licd_purpose_t t = licd_purpose_resolve(h, "terrorism");
	licd_purpose_t s = licd_purpose_resolve(h, "serious-crime");
	licd_reason_t r;
	licd_state_t st;
	long i, bad = 0;

	for (i = 0; i < n; i++) {
		bad += licd_check(h, "sms.intercept", "terrorism", &r) != 1;
		bad += licd_check(h, "sms.intercept", NULL, &r) != 1;
		bad += licd_check_handle(h, f, t, &r) != 1;
		bad += licd_check_handle(h, f, LICD_PURPOSE_NONE, &r) != 1;
		bad += licd_check_handle(h, f, s, &r) != 0;
		bad += licd_check_handle(h, v, t, &r) != 0 ||
		    r != LICD_REASON_DISABLED_BY_ORDER;
		bad += licd_check(h, "geo.locate", "terrorism", &r) != 0 ||
		    r != LICD_REASON_NOT_LICENSED;
		bad += licd_state(h, &st, &r) != 0 ||
		    st != LICD_STATE_RESTRICTED;
	}
	return bad;
}

static void
test_no_system_call(void **state)
{
#ifdef ARCH
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit_group, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit, 2, 0),
		/* The ASan runtime's own (not liblicd's): it asks for the
		 * signal stack when a thread first enters it. */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SANITIZER_SYSCALL, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	int status;
	licd_t *h;
	pid_t pid;

	(void)state;
	if (under_valgrind())
		skip();		/* valgrind itself makes system calls */
	h = open_h();
	assert_int_equal(checks(h, 10), 0);	/* warm: names, places */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) !=
		    0)
			_exit(2);
		/* From here, any system call kills the child (SIGSYS). */
		_exit(checks(h, 20000) == 0 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("the check path made a system call (signal %d)",
		    WTERMSIG(status));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	licd_close(h);
#else
	(void)state;
	skip();
#endif
}

static void
test_no_allocation(void **state)
{
#ifdef COUNT_MALLOC
	licd_t *h;

	(void)state;
	if (under_valgrind())
		skip();
	h = open_h();
	assert_int_equal(checks(h, 10), 0);
	allocs = 0;
	counting = 1;
	assert_int_equal(checks(h, 20000), 0);
	counting = 0;
	assert_int_equal(allocs, 0);
	/* The counter works: opening allocates. */
	counting = 1;
	licd_close(h);
	h = open_h();
	counting = 0;
	assert_true(allocs > 0);
	licd_close(h);
#else
	(void)state;
	skip();
#endif
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_system_call, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_allocation, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
