/* SPDX-License-Identifier: MIT */
/* Enforcement outputs: the state file the privileged enforcer acts on, and
 * the operator's hook, started without a shell and never waited on. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "enforce.h"
#include "log.h"
#include "store.h"

#define HOOK_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:" \
	"/sbin:/bin"

static unsigned running;
static unsigned timeout_s = ENFORCE_HOOK_TIMEOUT;

/* One line of text: printable ASCII, anything else '?'. */
static void
one_line(char *dst, size_t cap, const char *src)
{
	size_t i;

	for (i = 0; src != NULL && src[i] != '\0' && i + 1 < cap; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[i] = '\0';
}

int
enforce_write(const struct cfg *c, bool stop, const char *reason,
    uint64_t generation, struct lerr *e)
{
	char buf[512 + CFG_MAX_LIST * (CFG_UNIT_MAX + 8)];
	char why[ENFORCE_REASON_MAX + 1];
	size_t i, n;
	int dirfd, r;

	one_line(why, sizeof(why), reason);
	n = (size_t)snprintf(buf, sizeof(buf), "version 1\ngeneration %llu\n"
	    "action %s\n", (unsigned long long)generation, stop ? "stop" :
	    "run");
	for (i = 0; stop && i < c->nstop_units; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "unit %s\n",
		    c->stop_units[i]);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "reason %s\n", why);
	if ((dirfd = open(c->runtime_dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		return lerr_set(e, LICD_E_IO, "%s: %s", c->runtime_dir,
		    strerror(errno));
	r = store_write_at(dirfd, c->runtime_dir, ENFORCE_FILE, buf, n, 0644,
	    0, e);
	close(dirfd);
	return r;
}

struct hook {
	pid_t pid;
	sd_event_source *child, *timer;
	char what[128];		/* for messages */
};

static void
hook_free(struct hook *h)
{
	sd_event_source_disable_unref(h->child);
	sd_event_source_disable_unref(h->timer);
	free(h);
	running--;
}

static int
on_hook_exit(sd_event_source *s, const siginfo_t *si, void *arg)
{
	struct hook *h = arg;

	(void)s;
	if (si->si_code == CLD_EXITED && si->si_status == 0)
		log_ev(LOG_INFO, NULL, NULL, "enforce hook for %s done",
		    h->what);
	else if (si->si_code == CLD_EXITED)
		log_warn("enforce hook for %s exited with status %d", h->what,
		    si->si_status);
	else
		log_warn("enforce hook for %s killed by signal %d", h->what,
		    si->si_status);
	hook_free(h);
	return 0;
}

static int
on_hook_timeout(sd_event_source *s, uint64_t usec, void *arg)
{
	struct hook *h = arg;

	(void)s;
	(void)usec;
	log_warn("enforce hook for %s still running after %u s: killed",
	    h->what, timeout_s);
	kill(-h->pid, SIGKILL);	/* its process group: helpers too */
	return 0;
}

/* Start path with env; the child gets default signals, an empty signal
 * mask, its own process group and /dev/null as stdin and stdout. */
static int
spawn(const char *path, char *const env[], pid_t *pid)
{
	char *const argv[] = { (char *)path, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	int r;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
	    O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null",
	    O_WRONLY, 0);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	r = posix_spawn(pid, path, &fa, &at, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return r;
}

static int
watch(sd_event *ev, struct hook *h, struct lerr *e)
{
	if (sd_event_add_child(ev, &h->child, h->pid, WEXITED, on_hook_exit,
	    h) < 0 || sd_event_add_time_relative(ev, &h->timer,
	    CLOCK_MONOTONIC, timeout_s * 1000000ULL, 0,
	    on_hook_timeout, h) < 0) {
		/* Not watched: do not leave it running unbounded. */
		kill(-h->pid, SIGKILL);
		waitpid(h->pid, NULL, 0);
		return lerr_set(e, LICD_E_IO, "enforce hook: cannot watch pid "
		    "%ld (is SIGCHLD blocked?)", (long)h->pid);
	}
	return 0;
}

int
enforce_hook(sd_event *ev, const struct cfg *c,
    const struct enforce_change *ch, struct lerr *e)
{
	char product[80], lid[80], from[40], to[40], reason[300];
	char *env[] = { (char *)HOOK_PATH, product, lid, from, to, reason,
	    NULL };
	struct hook *h;
	int r;

	if (c->on_change[0] == '\0')
		return 0;
	if (running >= ENFORCE_MAX_HOOKS)
		return lerr_set(e, LICD_E_LIMIT, "enforce hook: %d still "
		    "running; not started for %s", ENFORCE_MAX_HOOKS,
		    ch->lid ? ch->lid : "");
	snprintf(product, sizeof(product), "LICD_PRODUCT=%s",
	    ch->product ? ch->product : "");
	snprintf(lid, sizeof(lid), "LICD_LID=%s", ch->lid ? ch->lid : "");
	snprintf(from, sizeof(from), "LICD_OLD_STATE=%s", ch->from ?
	    ch->from : "");
	snprintf(to, sizeof(to), "LICD_NEW_STATE=%s", ch->to ? ch->to : "");
	snprintf(reason, sizeof(reason), "LICD_REASON=");
	one_line(reason + 12, sizeof(reason) - 12, ch->reason);
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	running++;
	snprintf(h->what, sizeof(h->what), "%s %s -> %s", lid + 9, from + 15,
	    to + 15);
	if ((r = spawn(c->on_change, env, &h->pid)) != 0) {
		hook_free(h);
		return lerr_set(e, LICD_E_IO, "enforce hook %s: %s",
		    c->on_change, strerror(r));
	}
	if ((r = watch(ev, h, e)) < 0)
		hook_free(h);
	return r;
}

unsigned
enforce_hooks_running(void)
{
	return running;
}

void
enforce_set_hook_timeout(unsigned seconds)
{
	timeout_s = seconds > 0 ? seconds : 1;
}
