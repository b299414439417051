/* SPDX-License-Identifier: MIT */
/* The client snapshot: layout checks, publish and lookup, growth and
 * replacement, staleness, and reader threads that never see a torn state
 * while the writer publishes as fast as it can. */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lerr.h"
#include "snapshot.h"

#define DEVICE "k4.pid.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define SEC 1000000000LL

static char dir[64], path[128];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_snapshot.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/snapshot", dir);
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

/* A client's read-only mapping of the file at path. */
static const void *
map_reader(size_t *len)
{
	struct stat st;
	void *m;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	assert_true(m != MAP_FAILED);
	*len = (size_t)st.st_size;
	return m;
}

static int64_t
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * SEC + ts.tv_nsec;
}

static void
entry(struct snap_entry *en, const char *product, const char *feature,
    int allowed, uint64_t purposes, uint32_t max)
{
	memset(en, 0, sizeof(*en));
	snprintf(en->product, sizeof(en->product), "%s", product);
	snprintf(en->feature, sizeof(en->feature), "%s", feature);
	snprintf(en->lid, sizeof(en->lid), "IL-2026-0042");
	snprintf(en->reason, sizeof(en->reason), "%s", allowed ? "" :
	    "disabled-by-order");
	en->allowed = (uint8_t)allowed;
	en->purposes = purposes;
	en->max_concurrent = max;
	en->state = 4;
}

static const char purposes[3][SNAP_NAME_LEN] = {
	"terrorism", "serious-crime", "espionage",
};

static void
t_create_publish_lookup(void **state)
{
	struct snap_writer w;
	struct snap_entry en[3];
	struct snap_result res;
	struct lerr e = { 0 };
	const void *m;
	struct stat st;
	size_t len;

	(void)state;
	assert_int_equal(snap_create(&w, path, 4, 30 * SEC, DEVICE, &e), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal((size_t)st.st_size, snap_file_size(4));
	m = map_reader(&len);
	assert_int_equal(snap_check(m, len), SNAP_OK);
	assert_string_equal(((const struct snap_header *)m)->device, DEVICE);
	assert_int_equal(snap_lookup(m, len, "interceptor", "geo.locate",
	    NULL, UINT32_MAX, &res), SNAP_E_NOT_FOUND);

	entry(&en[0], "interceptor", "sms.intercept", 0, 0, 0);
	entry(&en[1], "interceptor", "geo.locate", 1, 1, 2);
	entry(&en[2], "interceptor", "", 1, 3, 0);
	assert_int_equal(snap_publish(&w, en, 3, purposes, 3, &e), 0);
	assert_int_equal(snap_lookup(m, len, "interceptor", "geo.locate",
	    "terrorism", UINT32_MAX, &res), SNAP_OK);
	assert_int_equal(res.index, 1);
	assert_true(res.entry.allowed);
	assert_true(res.purpose_ok);
	assert_int_equal(res.entry.max_concurrent, 2);
	assert_string_equal(res.entry.lid, "IL-2026-0042");
	assert_int_equal(res.generation, 1);
	/* a purpose the feature lacks, one nobody knows, none */
	assert_int_equal(snap_lookup(m, len, "interceptor", "geo.locate",
	    "serious-crime", 1, &res), SNAP_OK);
	assert_false(res.purpose_ok);
	assert_int_equal(snap_lookup(m, len, "interceptor", "geo.locate",
	    "fishing", 1, &res), SNAP_OK);
	assert_false(res.purpose_ok);
	assert_int_equal(snap_lookup(m, len, "interceptor", "geo.locate",
	    NULL, 1, &res), SNAP_OK);
	assert_false(res.purpose_ok);
	/* a wrong hint is only a hint */
	assert_int_equal(snap_lookup(m, len, "interceptor", "sms.intercept",
	    NULL, 2, &res), SNAP_OK);
	assert_int_equal(res.index, 0);
	assert_false(res.entry.allowed);
	assert_string_equal(res.entry.reason, "disabled-by-order");
	assert_int_equal(snap_lookup(m, len, "interceptor", "", "espionage",
	    UINT32_MAX, &res), SNAP_OK);
	assert_true(res.purpose_ok == false);
	assert_int_equal(snap_lookup(m, len, "interceptor", "", "serious-crime",
	    UINT32_MAX, &res), SNAP_OK);
	assert_true(res.purpose_ok);
	assert_int_equal(snap_lookup(m, len, "other", "geo.locate", NULL,
	    UINT32_MAX, &res), SNAP_E_NOT_FOUND);
	/* names longer than a field are simply not found */
	{
		char longname[100];

		memset(longname, 'a', 99);
		longname[99] = '\0';
		assert_int_equal(snap_lookup(m, len, longname, "x", NULL,
		    UINT32_MAX, &res), SNAP_E_NOT_FOUND);
	}
	/* one entry changes: the generation moves */
	en[1].in_use = 2;
	assert_int_equal(snap_update(&w, 1, &en[1], &e), 0);
	assert_int_equal(snap_lookup(m, len, "interceptor", "geo.locate",
	    NULL, 1, &res), SNAP_OK);
	assert_int_equal(res.entry.in_use, 2);
	assert_int_equal(res.generation, 2);
	assert_int_equal(snap_update(&w, 3, &en[1], &e), -LICD_E_USAGE);
	/* fewer entries: the rest disappear */
	assert_int_equal(snap_publish(&w, en, 1, purposes, 3, &e), 0);
	assert_int_equal(snap_lookup(m, len, "interceptor", "geo.locate",
	    NULL, 1, &res), SNAP_E_NOT_FOUND);
	assert_int_equal(snap_publish(&w, en, 3, purposes, SNAP_MAX_PURPOSES +
	    1, &e), -LICD_E_LIMIT);
	munmap((void *)m, len);
	snap_close(&w);
}

static void
t_format(void **state)
{
	static uint8_t buf[8192];
	struct snap_header *h = (struct snap_header *)(void *)buf;
	struct snap_result res;
	struct snap_writer w;
	struct lerr e = { 0 };
	const void *m;
	size_t len;

	(void)state;
	assert_int_equal(snap_create(&w, path, 1, 30 * SEC, DEVICE, &e), 0);
	m = map_reader(&len);
	memcpy(buf, m, len);
	assert_int_equal(snap_check(buf, len), SNAP_OK);
	assert_int_equal(snap_check(buf, len - 1), SNAP_E_FORMAT);
	assert_int_equal(snap_check(buf, 100), SNAP_E_FORMAT);
	assert_int_equal(snap_check(NULL, len), SNAP_E_FORMAT);
	h->version = 2;
	assert_int_equal(snap_check(buf, len), SNAP_E_FORMAT);
	h->version = SNAP_VERSION;
	h->byte_order = 0x04030201u;
	assert_int_equal(snap_check(buf, len), SNAP_E_FORMAT);
	h->byte_order = SNAP_BYTE_ORDER;
	h->magic[0] = 'X';
	assert_int_equal(snap_check(buf, len), SNAP_E_FORMAT);
	assert_int_equal(snap_lookup(buf, len, "a", "b", NULL, 0, &res),
	    SNAP_E_FORMAT);
	h->magic[0] = 'L';
	h->capacity = 1000;
	assert_int_equal(snap_check(buf, len), SNAP_E_FORMAT);
	h->capacity = 1;
	h->entry_size = 100;
	assert_int_equal(snap_check(buf, len), SNAP_E_FORMAT);
	munmap((void *)m, len);
	snap_close(&w);
}

static void
t_fresh(void **state)
{
	struct snap_writer w;
	struct lerr e = { 0 };
	const void *m;
	size_t len;
	int64_t now;

	(void)state;
	assert_int_equal(snap_create(&w, path, 1, 30 * SEC, DEVICE, &e), 0);
	m = map_reader(&len);
	now = mono();
	assert_true(snap_fresh(m, len, now));
	assert_true(snap_fresh(m, len, now + 29 * SEC));
	assert_false(snap_fresh(m, len, now + 31 * SEC));
	snap_set_grace(&w, 60 * SEC);
	assert_true(snap_fresh(m, len, now + 31 * SEC));
	usleep(2000);
	snap_refresh(&w);
	assert_true(((const struct snap_header *)m)->published_mono > now);
	assert_true(((const struct snap_header *)m)->published_wall > 0);
	munmap((void *)m, len);
	snap_close(&w);
	/* the daemon is gone: the file stays and goes stale */
	m = map_reader(&len);
	assert_false(snap_fresh(m, len, mono() + 61 * SEC));
	munmap((void *)m, len);
}

static void
t_grow_and_replace(void **state)
{
	struct snap_entry en[40];
	struct snap_result res;
	struct snap_writer w, w2;
	struct lerr e = { 0 };
	const void *m, *m2;
	size_t len, len2;
	char name[16];
	int i;

	(void)state;
	assert_int_equal(snap_create(&w, path, 2, 30 * SEC, DEVICE, &e), 0);
	m = map_reader(&len);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		entry(&en[i], "p", name, 1, 1, (uint32_t)i);
	}
	assert_int_equal(snap_publish(&w, en, 2, purposes, 3, &e), 0);
	assert_int_equal(snap_lookup(m, len, "p", "f1", NULL, 0, &res),
	    SNAP_OK);
	/* more than fits: a bigger file replaces it */
	assert_int_equal(snap_publish(&w, en, 40, purposes, 3, &e), 0);
	assert_int_equal(snap_lookup(m, len, "p", "f1", NULL, 0, &res),
	    SNAP_E_SUPERSEDED);
	assert_false(snap_fresh(m, len, mono()));
	m2 = map_reader(&len2);
	assert_true(len2 >= snap_file_size(40));
	assert_int_equal(snap_lookup(m2, len2, "p", "f39", NULL, 0, &res),
	    SNAP_OK);
	assert_int_equal(res.entry.max_concurrent, 39);
	assert_int_equal(res.generation, 2);
	/* a restarted daemon replaces the file too */
	assert_int_equal(snap_create(&w2, path, 4, 30 * SEC, DEVICE, &e), 0);
	assert_int_equal(snap_lookup(m2, len2, "p", "f39", NULL, 0, &res),
	    SNAP_E_SUPERSEDED);
	munmap((void *)m, len);
	munmap((void *)m2, len2);
	snap_close(&w);
	snap_close(&w2);
	assert_int_equal(snap_create(&w, "relative", 4, SEC, DEVICE, &e),
	    -LICD_E_USAGE);
	assert_int_equal(snap_create(&w, "/nonexistent-dir/snapshot", 4, SEC,
	    DEVICE, &e), -LICD_E_IO);
}

/* ---- the concurrency test ---- */

#define NFEAT 24

struct reader {
	const void *map;
	size_t len;
	volatile int *stop;
	unsigned long reads, busy;
	int torn;
};

/* Every published state k is self-consistent: every entry carries k in
 * max_concurrent, in_use, its lid and its reason. */
static void
state_k(struct snap_entry *en, uint32_t k)
{
	char name[32];
	int i;

	for (i = 0; i < NFEAT; i++) {
		snprintf(name, sizeof(name), "feature-%d", i);
		entry(&en[i], "interceptor", name, (int)(k & 1),
		    (uint64_t)k * 0x9e3779b97f4a7c15ull, k);
		en[i].in_use = k;
		snprintf(en[i].lid, sizeof(en[i].lid), "LID-%u-%0*u", k,
		    (int)(k % 40), k);
		snprintf(en[i].reason, sizeof(en[i].reason), "r%u", k);
	}
}

static void *
read_loop(void *arg)
{
	struct reader *r = arg;
	struct snap_result res;
	char lid[SNAP_NAME_LEN], reason[SNAP_REASON_LEN], name[32];
	uint64_t last_gen = 0;
	uint32_t k;
	int rc, i = 0;

	while (!*r->stop) {
		snprintf(name, sizeof(name), "feature-%d", i++ % NFEAT);
		rc = snap_lookup(r->map, r->len, "interceptor", name,
		    "terrorism", UINT32_MAX, &res);
		if (rc == SNAP_E_BUSY) {
			r->busy++;
			continue;
		}
		if (rc == SNAP_E_NOT_FOUND)
			continue;	/* before the first publish */
		if (rc != SNAP_OK) {
			r->torn = 1;
			break;
		}
		k = res.entry.max_concurrent;
		snprintf(lid, sizeof(lid), "LID-%u-%0*u", k, (int)(k % 40), k);
		snprintf(reason, sizeof(reason), "r%u", k);
		if (res.entry.in_use != k || res.entry.allowed != (k & 1) ||
		    res.entry.purposes != (uint64_t)k * 0x9e3779b97f4a7c15ull ||
		    strcmp(res.entry.lid, lid) != 0 ||
		    strcmp(res.entry.reason, reason) != 0 ||
		    res.generation < last_gen) {
			r->torn = 1;
			break;
		}
		last_gen = res.generation;
		r->reads++;
	}
	return NULL;
}

static void
t_concurrent(void **state)
{
	static struct snap_entry en[NFEAT];
	struct reader rd[2];
	pthread_t th[2];
	struct snap_writer w;
	struct lerr e = { 0 };
	volatile int stop = 0;
	const void *m;
	size_t len;
	uint32_t k;
	int i;

	(void)state;
	assert_int_equal(snap_create(&w, path, NFEAT, 30 * SEC, DEVICE, &e), 0);
	m = map_reader(&len);
	for (i = 0; i < 2; i++) {
		rd[i] = (struct reader){ m, len, &stop, 0, 0, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, read_loop,
		    &rd[i]), 0);
	}
	for (k = 1; k <= 200000; k++) {
		state_k(en, k);
		assert_int_equal(snap_publish(&w, en, NFEAT, purposes, 3, &e),
		    0);
	}
	stop = 1;
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		assert_false(rd[i].torn);
		assert_true(rd[i].reads > 0);
	}
	print_message("readers: %lu and %lu consistent reads, %lu/%lu "
	    "busy\n", rd[0].reads, rd[1].reads, rd[0].busy, rd[1].busy);
	munmap((void *)m, len);
	snap_close(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_create_publish_lookup, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_format, setup, teardown),
		cmocka_unit_test_setup_teardown(t_fresh, setup, teardown),
		cmocka_unit_test_setup_teardown(t_grow_and_replace, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_concurrent, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
