/* SPDX-License-Identifier: MIT */
/* Enforcement outputs: the exact enforce file, and the on_change hook run
 * with only its documented environment, bounded in time (its helpers
 * killed with it), limited in number, never fatal. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "enforce.h"

static char dir[64];
static struct cfg *cfg;
static sd_event *ev;

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_enforce.XXXXXX");
	if (mkdtemp(dir) == NULL || (cfg = calloc(1, sizeof(*cfg))) == NULL)
		return -1;
	snprintf(cfg->runtime_dir, sizeof(cfg->runtime_dir), "%s", dir);
	return sd_event_new(&ev) < 0 ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	free(cfg);
	ev = sd_event_unref(ev);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *
slurp(const char *name)
{
	static char buf[8192];
	char path[160];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void
t_write(void **state)
{
	struct lerr e = { 0 };
	char path[160];
	struct stat st;

	(void)state;
	cfg->nstop_units = 2;
	snprintf(cfg->stop_units[0], sizeof(cfg->stop_units[0]),
	    "interceptor.service");
	snprintf(cfg->stop_units[1], sizeof(cfg->stop_units[1]),
	    "probe@eth0.service");
	assert_int_equal(enforce_write(cfg, true, "IL-1 suspended\nby order 8",
	    7, &e), 0);
	assert_string_equal(slurp(ENFORCE_FILE), "version 1\ngeneration 7\n"
	    "action stop\nunit interceptor.service\nunit probe@eth0.service\n"
	    "reason IL-1 suspended?by order 8\n");
	snprintf(path, sizeof(path), "%s/%s", dir, ENFORCE_FILE);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(enforce_write(cfg, false, NULL, 8, &e), 0);
	assert_string_equal(slurp(ENFORCE_FILE), "version 1\ngeneration 8\n"
	    "action run\nreason \n");
	snprintf(cfg->runtime_dir, sizeof(cfg->runtime_dir), "/nonexistent");
	assert_int_equal(enforce_write(cfg, true, "x", 9, &e), -LICD_E_IO);
}

static void
script(const char *name, const char *body)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
	snprintf(cfg->on_change, sizeof(cfg->on_change), "%s", path);
}

/* Run the loop until no hook runs (at most secs). */
static void
run_until_idle(int secs)
{
	time_t end = time(NULL) + secs;

	while (enforce_hooks_running() > 0 && time(NULL) < end)
		assert_true(sd_event_run(ev, 200000) >= 0);
	assert_int_equal(enforce_hooks_running(), 0);
}

static const struct enforce_change change = { "interceptor",
    "IL-2026-0042", "active", "suspended", "order 8:\tbreach" };

static void
t_hook_env(void **state)
{
	char body[256], *out;
	struct lerr e = { 0 };

	(void)state;
	snprintf(body, sizeof(body), "env > %s/env.out; read x; "
	    "echo \"stdin:$?\" >> %s/env.out", dir, dir);
	script("hook", body);
	assert_int_equal(enforce_hook(ev, cfg, &change, &e), 0);
	assert_int_equal(enforce_hooks_running(), 1);
	run_until_idle(10);
	out = slurp("env.out");
	assert_non_null(out);
	assert_non_null(strstr(out, "LICD_PRODUCT=interceptor\n"));
	assert_non_null(strstr(out, "LICD_LID=IL-2026-0042\n"));
	assert_non_null(strstr(out, "LICD_OLD_STATE=active\n"));
	assert_non_null(strstr(out, "LICD_NEW_STATE=suspended\n"));
	assert_non_null(strstr(out, "LICD_REASON=order 8:?breach\n"));
	assert_non_null(strstr(out, "PATH=/usr/local/sbin:"));
	/* nothing of licd's own environment leaks in */
	assert_null(strstr(out, "HOME="));
	assert_null(strstr(out, "CMOCKA"));
	/* stdin is /dev/null: read hits EOF */
	assert_non_null(strstr(out, "stdin:1\n"));
}

static void
t_hook_none_and_failing(void **state)
{
	struct lerr e = { 0 };

	(void)state;
	cfg->on_change[0] = '\0';
	assert_int_equal(enforce_hook(ev, cfg, &change, &e), 0);
	assert_int_equal(enforce_hooks_running(), 0);
	script("fail", "exit 3");
	assert_int_equal(enforce_hook(ev, cfg, &change, &e), 0);
	run_until_idle(10);
	/* removed since the configuration was loaded */
	snprintf(cfg->on_change, sizeof(cfg->on_change), "%s/gone", dir);
	assert_int_equal(enforce_hook(ev, cfg, &change, &e), -LICD_E_IO);
	assert_int_equal(enforce_hooks_running(), 0);
}

/* 'Z' (zombie), a state letter, or 0 when the process is gone. */
static char
proc_state(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (p == NULL || (p = strrchr(buf, ')')) == NULL)
		return 0;
	return p[2];
}

static void
t_hook_timeout(void **state)
{
	char body[256], *pidtext;
	struct lerr e = { 0 };
	time_t start;
	pid_t helper;
	char st;

	(void)state;
	enforce_set_hook_timeout(1);
	snprintf(body, sizeof(body), "sleep 100 & echo $! > %s/helper.pid; "
	    "sleep 100", dir);
	script("slow", body);
	start = time(NULL);
	assert_int_equal(enforce_hook(ev, cfg, &change, &e), 0);
	run_until_idle(10);
	assert_true(time(NULL) - start < 5);
	/* its helper went with it (its process group was killed) */
	pidtext = slurp("helper.pid");
	assert_non_null(pidtext);
	helper = (pid_t)atol(pidtext);
	usleep(100000);
	st = proc_state(helper);
	assert_true(st == 0 || st == 'Z');
	enforce_set_hook_timeout(ENFORCE_HOOK_TIMEOUT);
}

static void
t_hook_limit(void **state)
{
	struct lerr e = { 0 };
	int i;

	(void)state;
	enforce_set_hook_timeout(2);
	script("sleeper", "sleep 100");
	for (i = 0; i < ENFORCE_MAX_HOOKS; i++)
		assert_int_equal(enforce_hook(ev, cfg, &change, &e), 0);
	assert_int_equal(enforce_hook(ev, cfg, &change, &e), -LICD_E_LIMIT);
	run_until_idle(10);
	assert_int_equal(enforce_hook(ev, cfg, &change, &e), 0);
	run_until_idle(10);
	enforce_set_hook_timeout(ENFORCE_HOOK_TIMEOUT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_write, setup, teardown),
		cmocka_unit_test_setup_teardown(t_hook_env, setup, teardown),
		cmocka_unit_test_setup_teardown(t_hook_none_and_failing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_hook_timeout, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_hook_limit, setup, teardown),
	};
	sigset_t ss;

	/* as in licd: the loop's child sources need SIGCHLD blocked */
	sigemptyset(&ss);
	sigaddset(&ss, SIGCHLD);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
