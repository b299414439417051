/* SPDX-License-Identifier: MIT */
/* licd: start-up (configuration, root, state, socket), the sd-event loop
 * with its signals, timers and sd_notify protocol, reload and shutdown. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <systemd/sd-daemon.h>

#include "doc.h"
#include "licd.h"
#include "log.h"
#include "ltime.h"

#define SNAP_START_CAPACITY	64
#define INBOX_RESCAN_EVERY	60	/* s: files left for a retry */

struct opts {
	const char *config;
	int foreground;
	int check_only;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: licd [--config PATH] [--foreground] "
	    "[--check-config]\n"
	    "       licd --help\n");
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	o->config = CFG_DEFAULT_PATH;
	while ((ch = getopt_long(argc, argv, "c:fh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->config = optarg;
			break;
		case 'f':
			o->foreground = 1;
			break;
		case 'C':
			o->check_only = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

int64_t
licd_wall(void)
{
	return (int64_t)time(NULL);
}

int64_t
licd_boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The production pin (make ROOT_PIN=<hex>): SHA-256 of the first root's
 * message. */
static int
check_pin(struct licd *d, const struct doc *doc, struct lerr *e)
{
#ifdef LICD_ROOT_PIN
	uint8_t h[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof(h) + 1];

	crypto_hash_sha256(h, doc->msg, doc->msg_len);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	if (strcmp(hex, LICD_ROOT_PIN) != 0)
		return lerr_set(e, LICD_E_CONFIG, "%s: root message sha256 %s "
		    "is not the one this build pins (%s)", d->cfg->root, hex,
		    LICD_ROOT_PIN);
	d->pinned = true;
#else
	(void)doc;
	d->pinned = false;
	(void)e;
#endif
	return 0;
}

/* The configured first root must verify under itself (and the pin). */
static int
check_root(struct licd *d, struct lerr *e)
{
	struct doc doc;
	int r;

	if ((r = doc_load(d->cfg->root, DOC_ROOT, &doc, e)) < 0)
		return r;
	if ((r = root_from_doc(&doc, &d->root, e)) < 0)
		lerr_prefix(e, "%s", d->cfg->root);
	else
		r = check_pin(d, &doc, e);
	doc_free(&doc);
	return r;
}

/* The purpose taxonomy must load (a typo there would make every licence
 * naming a purpose invalid). */
static int
check_purposes(const struct cfg *c, struct lerr *e)
{
	struct pol_purposes *p = malloc(sizeof(*p));
	int r;

	if (p == NULL)
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	r = pol_purposes_load(c->purposes, p, e);
	free(p);
	return r;
}

static void
notify_status(const struct licd *d, const char *state)
{
	char line[1024];

	licd_summary(d, line, sizeof(line));
	sd_notifyf(0, "%sSTATUS=%s", state, line);
}

static struct proto_admin
admin_of(const struct cfg *c)
{
	struct proto_admin a = { geteuid(), c->admin_group[0] != '\0',
	    c->admin_gid };

	return a;
}

static void
audit_or_log(struct licd *d, int r, struct lerr *e)
{
	if (r < 0 && d->audit_ok)
		log_ev(LOG_ERR, LOG_ID_AUDIT_ERROR, NULL, "audit log: %s",
		    e->msg);
}

/* Watch the configured inbox (none: no watch); the old one goes. */
static void
open_inbox(struct licd *d)
{
	struct lerr e = { 0 };

	inbox_close(d->inbox);
	d->inbox = NULL;
	if (d->cfg->inbox[0] != '\0' && inbox_open(&d->inbox, d->ev,
	    d->cfg->inbox, licd_inbox_file, d, &e) < 0)
		log_ev(LOG_ERR, NULL, NULL, "%s: documents dropped there are "
		    "not seen", e.msg);
}

int
licd_reload(struct licd *d, uid_t uid, struct lerr *e)
{
	char inbox[CFG_PATH_MAX];
	struct proto_admin a;
	struct lerr ae = { 0 };
	struct timespec ts;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000);
	snprintf(inbox, sizeof(inbox), "%s", d->cfg->inbox);
	if ((r = cfg_reload(&d->cfg, e)) < 0) {
		log_ev(LOG_ERR, LOG_ID_CONFIG, NULL, "reload refused, the "
		    "previous configuration stays: %s", e->msg);
		audit_or_log(d, audit_admin(&d->audit, uid, "reload-refused",
		    e->msg, &ae), &ae);
	} else {
		a = admin_of(d->cfg);
		srv_set_admin(d->srv, &a);
		snap_set_grace(&d->snap, d->cfg->client_grace * 1000000000LL);
		if (engine_set_local(&d->eng, d->cfg->disable,
		    d->cfg->ndisable, &ae) < 0)
			log_ev(LOG_ERR, LOG_ID_CONFIG, NULL, "local.disable: %s",
			    ae.msg);
		d->enforce_due = true;	/* stop_units may have changed */
		licd_update(d, NULL);
		if (strcmp(inbox, d->cfg->inbox) != 0)
			open_inbox(d);
		log_ev(LOG_INFO, LOG_ID_RELOAD, NULL, "configuration %s "
		    "reloaded", d->cfg->file);
		audit_or_log(d, audit_admin(&d->audit, uid, "reload", NULL,
		    &ae), &ae);
	}
	notify_status(d, "READY=1\n");
	return r;
}

/* Every second: refresh the snapshot, run the signed clock, persist it
 * every minute, checkpoint the audit log now and then. */
static int
on_tick(sd_event_source *s, uint64_t usec, void *arg)
{
	struct licd *d = arg;
	struct lerr e = { 0 };

	snap_refresh(&d->snap);
	licd_sync_clock(d);
	if (d->clock.signed_time - d->clock_saved >= SCLOCK_PERSIST_EVERY)
		licd_save_clock(d);
	/* The timer at next_change is exact; this catches clock jumps. */
	licd_update(d, NULL);
	if (d->inbox != NULL && ++d->ticks % INBOX_RESCAN_EVERY == 0)
		inbox_scan(d->inbox);
	if (d->audit_ok && d->audit.since_checkpoint >= AUDIT_CHECKPOINT_EVERY)
		audit_or_log(d, audit_checkpoint(&d->audit, d->key,
		    sclock_now(&d->clock, licd_wall()), &e), &e);
	sd_event_source_set_time(s, usec + 1000000);
	return 0;
}

static int
on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *arg)
{
	struct lerr e = { 0 };

	(void)s;
	licd_reload(arg, si->ssi_uid, &e);
	return 0;
}

static int
on_stop(sd_event_source *s, const struct signalfd_siginfo *si, void *arg)
{
	(void)arg;
	(void)si;
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

static int
open_state(struct licd *d, struct lerr *e)
{
	char path[CFG_PATH_MAX + 32];
	struct timespec ts;
	int created, r;
	int64_t t;

	if ((r = store_open(&d->store, d->cfg->state_dir, e)) < 0 ||
	    (r = store_lock(&d->store, e)) < 0 ||
	    (r = devkey_open(d->cfg->state_dir, &d->key, &created, e)) < 0)
		return r;
	if (created)
		log_info("created the device key %s", d->key->kid);
	if ((r = store_clock_load(&d->store, &t, e)) < 0)
		return r;
	clock_gettime(CLOCK_REALTIME, &ts);
	sclock_init(&d->clock, t, licd_boot_ns());
	sclock_align(&d->clock, licd_boot_ns(), (int64_t)ts.tv_sec *
	    1000000000LL + ts.tv_nsec);
	d->clock_saved = t;
	d->store_ok = true;
	snprintf(path, sizeof(path), "%s/%s", d->cfg->state_dir, AUDIT_FILE);
	/* Without its audit log licd still enforces (refusing counted
	 * uses), and says so loudly: stopping would help nobody. */
	if (audit_open(&d->audit, path, NULL, NULL, e) < 0) {
		log_ev(LOG_CRIT, LOG_ID_AUDIT_ERROR, NULL, "audit log "
		    "unusable, leases will be refused: %s", e->msg);
		lerr_clear(e);
	} else {
		d->audit_ok = true;
	}
	return 0;
}

/* The configured root, new to this state directory: recorded like an
 * imported one (audit line, receipt root-applied). */
static void
first_root_applied(struct licd *d)
{
	struct audit_doc a = { "config", d->cfg->root, "root", NULL,
	    d->root.ver, "accepted", NULL, NULL, NULL, 0 };
	struct receipt r;
	struct lerr e = { 0 };

	audit_or_log(d, audit_document(&d->audit, &a, &e), &e);
	memset(&r, 0, sizeof(r));
	snprintf(r.event, sizeof(r.event), "root-applied");
	r.iat = sclock_now(&d->clock, licd_wall());
	r.seq = d->root.ver;
	r.state = LSTATE_ACTIVE;
	licd_receipt(d, &r);
}

/* The decision state: purposes, local tightening, then every stored
 * document verified again from the configured root (engine_start). */
static int
open_engine(struct licd *d, struct lerr *e)
{
	struct eng_start st;
	size_t i;
	int r;

	if ((r = engine_open(&d->eng, &d->store, d->key->kid,
	    d->cfg->purposes, e)) < 0 ||
	    (r = engine_set_local(&d->eng, d->cfg->disable, d->cfg->ndisable,
	    e)) < 0 ||
	    (r = engine_start(&d->eng, d->cfg->root, d->clock.signed_time,
	    licd_wall(), &st, e)) < 0)
		return r;
	licd_sync_clock(d);
	if (st.roots_bad > 0)
		log_ev(LOG_CRIT, LOG_ID_STORE_ERROR, NULL, "%zu stored roots "
		    "do not rotate from root ver %llu: ignored", st.roots_bad,
		    (unsigned long long)st.root_ver);
	for (i = 0; i < st.docs_bad && i < ENG_MAX_BAD; i++)
		log_ev(LOG_CRIT, LOG_ID_STORE_ERROR, NULL, "%s/%s failed "
		    "verification at start, its licence is invalid: %s",
		    d->cfg->state_dir, st.bad[i].what, st.bad[i].why);
	if (st.docs_bad > ENG_MAX_BAD)
		log_ev(LOG_CRIT, LOG_ID_STORE_ERROR, NULL, "%zu stored "
		    "documents failed verification in all: their licences "
		    "are invalid", st.docs_bad);
	log_info("state loaded: root ver %llu, %zu stored documents verified",
	    (unsigned long long)st.root_ver, st.docs);
	if (st.first_stored)
		first_root_applied(d);
	licd_load_applied(d);
	return 0;
}

static int
open_runtime(struct licd *d, struct lerr *e)
{
	char path[CFG_PATH_MAX + 32];

	if (mkdir(d->cfg->runtime_dir, 0755) != 0 && errno != EEXIST)
		return lerr_set(e, LICD_E_IO, "%s: %s", d->cfg->runtime_dir,
		    strerror(errno));
	snprintf(path, sizeof(path), "%s/%s", d->cfg->runtime_dir, SNAP_FILE);
	return snap_create(&d->snap, path, SNAP_START_CAPACITY,
	    d->cfg->client_grace * 1000000000LL, d->key->kid, e);
}

/* The socket systemd passed (socket activation), or -1. */
static int
activated_socket(void)
{
	if (sd_listen_fds(1) == 1 && sd_is_socket_unix(SD_LISTEN_FDS_START,
	    SOCK_STREAM, 1, NULL, 0) > 0)
		return SD_LISTEN_FDS_START;
	return -1;
}

static int
open_loop(struct licd *d, struct lerr *e)
{
	char path[CFG_PATH_MAX + 32];
	struct proto_admin a = admin_of(d->cfg);
	sigset_t ss;

	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	sigaddset(&ss, SIGCHLD);	/* enforce hooks: child event sources */
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &ss, NULL) != 0 ||
	    sd_event_default(&d->ev) < 0 ||
	    sd_event_add_signal(d->ev, NULL, SIGTERM, on_stop, d) < 0 ||
	    sd_event_add_signal(d->ev, NULL, SIGINT, on_stop, d) < 0 ||
	    sd_event_add_signal(d->ev, NULL, SIGHUP, on_sighup, d) < 0 ||
	    sd_event_set_watchdog(d->ev, 1) < 0 ||
	    sd_event_add_time_relative(d->ev, &d->tick, CLOCK_MONOTONIC,
	    1000000, 0, on_tick, d) < 0 ||
	    sd_event_source_set_enabled(d->tick, SD_EVENT_ON) < 0)
		return lerr_set(e, LICD_E_INTERNAL, "cannot set up the event "
		    "loop");
	snprintf(path, sizeof(path), "%s/%s", d->cfg->runtime_dir,
	    SRV_SOCKET);
	return srv_open(&d->srv, d->ev, path, activated_socket(), &a,
	    licd_handlers, licd_nhandlers, licd_conn_closed, d, e);
}

static void
audit_lifecycle(struct licd *d, const char *event)
{
	struct lerr e = { 0 };
	json_t *f = json_pack("{s:s, s:b, s:I}", "device", d->key->kid,
	    "pinned", d->pinned, "root", (json_int_t)d->root.ver);

	if (f != NULL)
		audit_or_log(d, audit_append(&d->audit, event, f, &e), &e);
	json_decref(f);
	if (strcmp(event, "stop") == 0)
		audit_or_log(d, audit_checkpoint(&d->audit, d->key,
		    sclock_now(&d->clock, licd_wall()), &e), &e);
}

/* Room for SRV_MAX_CONNS peers and licd's own files (the hard limit
 * permitting). */
static void
raise_nofile(void)
{
	struct rlimit rl;
	rlim_t want = SRV_MAX_CONNS + SRV_ADMIN_RESERVE + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ?
	    want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		log_warn("cannot raise the file limit: %s", strerror(errno));
}

/* Returns 0, or the exit code. */
static int
start(struct licd *d)
{
	struct lerr e = { 0 };
	int r;

	if (sodium_init() < 0) {
		log_err("libsodium cannot initialise");
		return LICD_EX_FAIL;
	}
	raise_nofile();
	leases_init(&d->leases);
	if ((r = open_state(d, &e)) < 0 || (r = open_engine(d, &e)) < 0 ||
	    (r = open_runtime(d, &e)) < 0 || (r = open_loop(d, &e)) < 0) {
		log_ev(LOG_ERR, r == -LICD_E_CONFIG ? LOG_ID_CONFIG : NULL,
		    NULL, "%s", e.msg);
		return r == -LICD_E_CONFIG ? LICD_EX_CONFIG : LICD_EX_FAIL;
	}
	if (!d->pinned)
		log_ev(LOG_WARNING, LOG_ID_UNPINNED, NULL, "this build pins no "
		    "root: it trusts the configured root %s", d->cfg->root);
	audit_lifecycle(d, "start");
	licd_update(d, NULL);		/* the first evaluation, published */
	open_inbox(d);
	d->ready = true;
	log_ev(LOG_INFO, LOG_ID_START, NULL, "licd started, device %s",
	    d->key->kid);
	return 0;
}

static void
stop(struct licd *d)
{
	sd_notify(0, "STOPPING=1");
	if (d->store_ok || d->clock_saved != d->clock.signed_time)
		licd_save_clock(d);	/* not when the state never opened */
	if (d->key != NULL && d->audit_ok)
		audit_lifecycle(d, "stop");
	log_ev(LOG_INFO, LOG_ID_STOP, NULL, "licd stopped");
	inbox_close(d->inbox);
	srv_close(d->srv);
	sd_event_source_disable_unref(d->next_change);
	sd_event_source_disable_unref(d->tick);
	sd_event_unref(d->ev);
	snap_close(&d->snap);
	audit_close(&d->audit);
	store_close(&d->store);
	devkey_free(d->key);
	engine_close(&d->eng);
	leases_free(&d->leases);
	cfg_free(d->cfg);
}

/*
 * Without --foreground and outside systemd, detach like a classic daemon;
 * the parent exits only once the child is ready (0) or has failed (its
 * exit code), so that scripts can rely on the socket being there.
 */
static int
detach(void)
{
	int p[2], st, null;
	char ok;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0 || (pid = fork()) < 0)
		return -1;
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &ok, 1) == 1)
			_exit(0);
		_exit(waitpid(pid, &st, 0) == pid && WIFEXITED(st) ?
		    WEXITSTATUS(st) : LICD_EX_FAIL);
	}
	close(p[0]);
	setsid();
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	return p[1];
}

int
main(int argc, char **argv)
{
	static struct licd d;
	struct lerr e = { 0 };
	const char *why;
	struct opts o = { 0 };
	int ready_fd = -1, r;

	d.store.dirfd = d.audit.fd = d.snap.fd = -1;
	if (parse_args(argc, argv, &o) < 0)
		return LICD_EX_USAGE;
	log_init();
	if (proto_table_check(&why) != 0) {
		log_err("%s", why);	/* a bug: never ship it */
		abort();
	}
	if (cfg_load(o.config, &d.cfg, &e) < 0 || check_root(&d, &e) < 0 ||
	    check_purposes(d.cfg, &e) < 0) {
		log_ev(LOG_ERR, LOG_ID_CONFIG, NULL, "%s", e.msg);
		cfg_free(d.cfg);
		return LICD_EX_CONFIG;
	}
	if (o.check_only) {
		printf("%s: configuration OK%s\n", o.config, d.pinned ? "" :
		    " (unpinned build: the configured root is trusted)");
		cfg_free(d.cfg);
		return 0;
	}
	if (!o.foreground && getenv("NOTIFY_SOCKET") == NULL &&
	    getenv("INVOCATION_ID") == NULL && (ready_fd = detach()) < 0) {
		log_err("cannot detach: %s", strerror(errno));
		return LICD_EX_FAIL;
	}
	if ((r = start(&d)) != 0) {
		stop(&d);
		return r;
	}
	notify_status(&d, "READY=1\n");
	if (ready_fd >= 0 && (write(ready_fd, "", 1) != 1 ||
	    close(ready_fd) != 0))
		log_warn("cannot tell the parent that licd is ready");
	r = sd_event_loop(d.ev);
	if (r < 0)
		log_err("event loop: %s", strerror(-r));
	stop(&d);
	return r < 0 ? LICD_EX_FAIL : 0;
}
