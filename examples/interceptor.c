/* SPDX-License-Identifier: MIT */
/* A small vendor product, "interceptor", that embeds liblicd the way a
 * real one would: it checks its features for its purposes, takes a
 * counted lease for the case it works on, and watches for changes,
 * narrating each step; it stops cleanly when its licence is suspended or
 * revoked. Build: cc interceptor.c $(pkg-config --cflags --libs licd) */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <licd.h>

#define PRODUCT "interceptor"
#define NFEAT 3
#define NPURP 2

static const char *const features[NFEAT] = {
	"sms.intercept", "geo.locate", "voice.record",
};
static const char *const purposes[NPURP] = { "terrorism", "serious-crime" };

struct app {
	licd_t *h;
	licd_feature_t fh[NFEAT];
	licd_purpose_t ph[NPURP];
	char said[NFEAT][160];		/* the last line printed per feature */
	licd_state_t state;
	int used;			/* the feature the lease is for, or -1 */
	licd_purpose_t purpose;
	licd_lease_t lease;		/* 0: none held */
	const char *case_ref;
	int stop;			/* the licence says stop */
};

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: interceptor [--once | --watch SECONDS] "
	    "[--runtime-dir DIR] [--purpose PURPOSE] [--case REF]\n");
	exit(2);
}

/* "allowed for terrorism, serious-crime" or "denied (reason)". */
static void
describe(struct app *a, int i, char *out, size_t cap)
{
	licd_reason_t r;
	size_t n;
	int p, any = 0;

	if (!licd_check(a->h, features[i], NULL, &r)) {
		snprintf(out, cap, "denied (%s)", licd_reason_str(r));
		return;
	}
	n = (size_t)snprintf(out, cap, "allowed for");
	for (p = 0; p < NPURP && n < cap; p++)
		if (licd_check_handle(a->h, a->fh[i], a->ph[p], NULL))
			n += (size_t)snprintf(out + n, cap - n, "%s %s",
			    any++ ? "," : "", purposes[p]);
	if (!any)
		snprintf(out, cap, "denied (%s)", licd_reason_str(
		    LICD_REASON_PURPOSE_NOT_PERMITTED));
}

/* Print the licence state and every feature whose answer changed. */
static void
narrate(struct app *a, int all)
{
	licd_state_t st;
	licd_reason_t r;
	char line[160];
	int i;

	licd_state(a->h, &st, &r);
	if (all || st != a->state) {
		if (r == LICD_REASON_NONE)
			printf("licence: %s\n", licd_state_str(st));
		else
			printf("licence: %s (%s)\n", licd_state_str(st),
			    licd_reason_str(r));
	}
	a->state = st;
	for (i = 0; i < NFEAT; i++) {
		describe(a, i, line, sizeof(line));
		if (all || strcmp(line, a->said[i]) != 0)
			printf("%s: %s\n", features[i], line);
		snprintf(a->said[i], sizeof(a->said[i]), "%s", line);
	}
	if (st <= LICD_STATE_SUSPENDED)
		a->stop = 1;	/* invalid, expired, revoked, suspended */
}

static void
take_lease(struct app *a)
{
	licd_reason_t r;
	int i, rc;

	for (i = 0; i < NFEAT; i++)
		if (licd_check_handle(a->h, a->fh[i], a->purpose, NULL))
			break;
	if (i == NFEAT) {
		printf("nothing to intercept for this purpose: no lease\n");
		return;
	}
	rc = licd_acquire(a->h, features[i], purposes[a->purpose],
	    a->case_ref, &a->lease, &r);
	if (rc == 0) {
		a->used = i;
		printf("%s: lease %llu acquired for case %s (%s)\n",
		    features[i], (unsigned long long)a->lease, a->case_ref,
		    purposes[a->purpose]);
	} else {
		printf("%s: lease refused (%s: %s)\n", features[i],
		    licd_reason_str(r), licd_strerror(rc));
	}
}

static void
drop_lease(struct app *a, const char *why)
{
	if (a->lease == 0)
		return;
	licd_release(a->h, a->lease);
	printf("%s: lease %llu released%s%s\n", features[a->used],
	    (unsigned long long)a->lease, why ? ": " : "", why ? why : "");
	a->lease = 0;
}

static void
on_change(licd_t *h, const struct licd_event *ev, void *data)
{
	struct app *a = data;

	(void)h;
	if (ev->type == LICD_EVENT_LEASE_REVOKED && ev->lease == a->lease) {
		printf("%s: lease %llu revoked (%s): interception stopped\n",
		    features[a->used], (unsigned long long)ev->lease,
		    licd_reason_str(ev->reason));
		a->lease = 0;
	} else if (ev->type == LICD_EVENT_CHANGED) {
		narrate(a, 0);
	}
}

/* The work loop: a real product would intercept here, checking its
 * feature before each use (the fast, pre-resolved path). */
static void
work(struct app *a)
{
	licd_reason_t r;

	if (a->lease == 0 || licd_check_handle(a->h, a->fh[a->used],
	    a->purpose, &r))
		return;
	printf("%s: denied (%s): interception stopped\n", features[a->used],
	    licd_reason_str(r));
	drop_lease(a, NULL);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
watch(struct app *a, long seconds)
{
	int64_t end = seconds > 0 ? now_ms() + seconds * 1000 : INT64_MAX;
	struct pollfd p = { -1, POLLIN, 0 };
	int64_t left;

	if ((p.fd = licd_fd(a->h)) < 0) {
		fprintf(stderr, "interceptor: cannot watch licd: %s\n",
		    licd_strerror(p.fd));
		return 1;
	}
	licd_on_change(a->h, on_change, a);
	narrate(a, 0);		/* anything that changed since */
	while (!a->stop && !interrupted && (left = end - now_ms()) > 0) {
		if (poll(&p, 1, left < 1000 ? (int)left : 1000) > 0)
			licd_dispatch(a->h);
		work(a);
	}
	if (a->stop) {
		printf("interceptor: licence %s: stopping\n",
		    licd_state_str(a->state));
		drop_lease(a, "licence no longer allows it");
	} else {
		drop_lease(a, NULL);
		printf("interceptor: %s\n", interrupted ? "interrupted" :
		    "done");
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct licd_options o = LICD_OPTIONS_INIT;
	struct app a = { .used = -1, .case_ref = "CASE-DEMO-0001" };
	const char *purpose = "terrorism";
	struct sigaction sa;
	long seconds = 0;
	int i, rc, once = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--once") == 0)
			once = 1;
		else if (strcmp(argv[i], "--watch") == 0 && i + 1 < argc)
			seconds = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--runtime-dir") == 0 && i + 1 < argc)
			o.runtime_dir = argv[++i];
		else if (strcmp(argv[i], "--purpose") == 0 && i + 1 < argc)
			purpose = argv[++i];
		else if (strcmp(argv[i], "--case") == 0 && i + 1 < argc)
			a.case_ref = argv[++i];
		else
			usage();
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if ((rc = licd_open(PRODUCT, &o, &a.h)) < 0) {
		fprintf(stderr, "interceptor: %s\n", licd_strerror(rc));
		return 1;
	}
	for (i = 0; i < NFEAT; i++)
		a.fh[i] = licd_feature_resolve(a.h, features[i]);
	for (i = 0; i < NPURP; i++)
		a.ph[i] = licd_purpose_resolve(a.h, purposes[i]);
	for (i = 0; i < NPURP && strcmp(purposes[i], purpose) != 0; i++)
		;
	if (i == NPURP)
		usage();
	a.purpose = i;
	printf("interceptor: liblicd %s\n", licd_version());
	narrate(&a, 1);
	if (!once && !a.stop)
		take_lease(&a);
	rc = once || a.stop ? 0 : watch(&a, seconds);
	if (once && a.stop)
		printf("interceptor: licence %s: not starting\n",
		    licd_state_str(a.state));
	licd_close(a.h);
	return rc;
}
