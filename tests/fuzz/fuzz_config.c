/* SPDX-License-Identifier: MIT */
/* libFuzzer: the licd.conf loader on arbitrary files. It never crashes,
 * every rejection says "FILE:LINE: ...", and whatever it accepts obeys
 * the configuration's own rules. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../daemon/config.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libconfig 1.5's scanner leaks the buffer of a string left open by a
 * syntax error (strbuf_append; not licd's code, gone in libconfig 1.7). */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

#define CHECK(x)	do { if (!(x)) abort(); } while (0)

static void
check_cfg(const struct cfg *c)
{
	size_t i;

	CHECK(c->root[0] == '/' && c->state_dir[0] == '/' &&
	    c->runtime_dir[0] == '/');
	CHECK(c->inbox[0] == '\0' || c->inbox[0] == '/');
	CHECK(c->feed_ca[0] == '\0' || c->feed_ca[0] == '/');
	CHECK(c->on_change[0] == '\0' || c->on_change[0] == '/');
	CHECK(c->client_grace >= 1);
	CHECK(c->feed_interval >= CFG_MIN_INTERVAL);
	CHECK(c->has_feed == (strncmp(c->feed_url, "https://", 8) == 0));
	CHECK(c->ndisable <= CFG_MAX_LIST && c->nstop_units <= CFG_MAX_LIST);
	for (i = 0; i < c->ndisable; i++)
		CHECK(pl_name_valid(c->disable[i].feature,
		    strlen(c->disable[i].feature)));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct cfg *c = NULL;
	struct lerr e = { 0 };

	/* A memory file: the loader reads a path, as licd does. */
	if (fd < 0) {
		if ((fd = memfd_create("licd.conf", 0)) < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) !=
	    (ssize_t)size)
		abort();
	if (cfg_load(path, &c, &e) == 0) {
		check_cfg(c);
		cfg_free(c);
		return 0;
	}
	CHECK(c == NULL && e.code == LICD_E_CONFIG);
	CHECK(strncmp(e.msg, path, strlen(path)) == 0 &&
	    e.msg[strlen(path)] == ':');
	return 0;
}
