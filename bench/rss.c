/* SPDX-License-Identifier: MIT */
/*
 * bench/rss LIBLICD RUNTIME_DIR PRODUCT FEATURE PURPOSE
 *
 * What liblicd adds to a product's resident memory. This program links
 * libc only; it reads its own VmRSS (and RssAnon, RssFile) from
 * /proc/self/status at start, after dlopen(LIBLICD), and after
 * licd_open() and a first licd_check() against the running licd (which
 * maps the snapshot and registers the names). Prints "key value" (kB).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <licd.h>

static long
kb(const char *field)
{
	char line[256];
	size_t flen = strlen(field);
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			v = strtol(line + flen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static void
show(const char *when)
{
	printf("%s_rss_kb %ld\n%s_anon_kb %ld\n%s_file_kb %ld\n", when,
	    kb("VmRSS"), when, kb("RssAnon"), when, kb("RssFile"));
}

typedef int (*open_fn)(const char *, const struct licd_options *,
    licd_t **);
typedef int (*check_fn)(licd_t *, const char *, const char *,
    licd_reason_t *);
typedef void (*close_fn)(licd_t *);
typedef const char *(*reason_fn)(licd_reason_t);

int
main(int argc, char **argv)
{
	struct licd_options o = LICD_OPTIONS_INIT;
	licd_reason_t why = LICD_REASON_OTHER;
	open_fn op;
	check_fn ck;
	close_fn cl;
	reason_fn rs;
	licd_t *h;
	void *lib;
	int a;

	if (argc != 6) {
		fprintf(stderr, "usage: %s LIBLICD RUNTIME_DIR PRODUCT FEATURE "
		    "PURPOSE\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	show("start");
	if ((lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL)) == NULL) {
		fprintf(stderr, "rss: %s\n", dlerror());
		return 1;
	}
	show("loaded");
	*(void **)&op = dlsym(lib, "licd_open");
	*(void **)&ck = dlsym(lib, "licd_check");
	*(void **)&cl = dlsym(lib, "licd_close");
	*(void **)&rs = dlsym(lib, "licd_reason_str");
	if (op == NULL || ck == NULL || cl == NULL || rs == NULL) {
		fprintf(stderr, "rss: missing symbols in %s\n", argv[1]);
		return 1;
	}
	o.runtime_dir = argv[2];
	o.flags = LICD_OPEN_NO_ENV;
	if (op(argv[3], &o, &h) < 0) {
		fprintf(stderr, "rss: licd_open failed\n");
		return 1;
	}
	a = ck(h, argv[4], argv[5], &why);
	show("checked");
	printf("answer %s\n", a ? "allowed" : rs(why));
	cl(h);
	return 0;
}
