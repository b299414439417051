/* SPDX-License-Identifier: MIT */
/* The daemon's engine end to end without the event loop: real signed
 * documents imported into a real store, evaluations compared, and every
 * restart replaying the store to the same answer — or to a stricter one
 * when something stored was tampered with, never a looser one. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "doc.h"
#include "engine.h"
#include "ltime.h"
#include "store.h"

#define T0	((int64_t)1767225600)	/* 2026-01-01T00:00:00Z */
#define LID	"IL-2026-0042"

/* Keys: 0,1 root (old), 2 licence, 3,4,5 order (2 of 3), 6 status,
 * 7 device, 8 a stranger, 9 root of ver 2, 10 licence of ver 2. */
enum { R0, R1, LK, O1, O2, O3, SK, DEV, EVIL, R2, LK2, NKEYS };
static uint8_t pk[NKEYS][TOK_PK_LEN], sk[NKEYS][TOK_SK_LEN];
static paserk_kid kid[NKEYS];
static char dir[64], sdir[96], rootpath[128];
static struct store store;
static struct engine eng;
static struct eng_start last_start;	/* of the last start() */

static const char *
tm(int64_t t)
{
	static char buf[8][LTIME_LEN + 1];
	static int i;

	i = (i + 1) % 8;
	ltime_format(t, buf[i]);
	return buf[i];
}

static char *
sign(int k, enum doc_type t, const char *msg)
{
	char footer[128], *tok = NULL;
	const char *ia = doc_implicit(t);

	assert_int_equal(doc_footer(kid[k], t, footer, sizeof(footer)), 0);
	assert_int_equal(tok_sign(sk[k], (const uint8_t *)msg, strlen(msg),
	    (const uint8_t *)footer, strlen(footer), (const uint8_t *)ia,
	    strlen(ia), &tok), 0);
	return tok;
}

/* A document of msg signed by the keys listed (ending with -1). */
static char *
docv(enum doc_type t, const char *msg, ...)
{
	char *toks[8], *out = NULL;
	size_t n = 0, i, len;
	va_list ap;
	int k;

	va_start(ap, msg);
	while ((k = va_arg(ap, int)) >= 0)
		toks[n++] = sign(k, t, msg);
	va_end(ap);
	assert_int_equal(doc_join(toks, n, &out, &len), 0);
	for (i = 0; i < n; i++)
		free(toks[i]);
	return out;
}

static void
key_json(char *buf, size_t cap, int k)
{
	char pub[PASERK_PUBLIC_LEN + 1];

	paserk_public_encode(pk[k], pub);
	snprintf(buf + strlen(buf), cap - strlen(buf),
	    "%s\"%s\":{\"key\":\"%s\",\"name\":\"k%d\"}",
	    buf[strlen(buf) - 1] == '{' ? "" : ",", kid[k], pub, k);
}

/* Root ver with root keys ra, rb (threshold 2) and licence key lk. */
static char *
root_msg(unsigned ver, int ra, int rb, int lk)
{
	static char buf[8192];
	int ks[] = { ra, rb, lk, O1, O2, O3, SK };
	size_t i;

	snprintf(buf, sizeof(buf), "{\"ver\":%u,\"iat\":\"%s\",\"exp\":\"%s\","
	    "\"keys\":{", ver, tm(T0 - 86400 + ver), tm(T0 + 365 * 86400));
	for (i = 0; i < sizeof(ks) / sizeof(ks[0]); i++)
		key_json(buf, sizeof(buf), ks[i]);
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
	    "},\"roles\":{\"root\":{\"keys\":[\"%s\",\"%s\"],\"threshold\":2},"
	    "\"licence\":{\"keys\":[\"%s\"],\"threshold\":1},"
	    "\"order\":{\"keys\":[\"%s\",\"%s\",\"%s\"],\"threshold\":2},"
	    "\"status\":{\"keys\":[\"%s\"],\"threshold\":1}}}", kid[ra],
	    kid[rb], kid[lk], kid[O1], kid[O2], kid[O3], kid[SK]);
	return buf;
}

static char *
licence_msg(unsigned ver, int64_t iat, const char *extra_feature)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "{\"lid\":\"" LID "\",\"ver\":%u,"
	    "\"iat\":\"%s\",\"nbf\":\"%s\",\"exp\":\"%s\",\"vendor\":\"V\","
	    "\"product\":\"interceptor\",\"end_user\":{\"country\":\"XX\","
	    "\"agency\":\"A\",\"declaration\":\"sha256:%064d\"},"
	    "\"device\":\"%s\",\"purposes\":[\"terrorism\",\"serious-crime\"],"
	    "\"features\":{\"sms.intercept\":{\"max_concurrent\":10},"
	    "\"geo.locate\":{}%s},\"freshness\":{\"max_age\":\"72h\","
	    "\"ladder\":[{\"after\":\"0s\",\"state\":\"restricted\","
	    "\"keep\":[\"geo.locate\"]},{\"after\":\"168h\",\"state\":"
	    "\"suspended\"}]}}", ver, tm(iat), tm(iat), tm(iat + 365 * 86400),
	    0, kid[DEV], extra_feature);
	return buf;
}

static char *
order_msg(unsigned seq, const char *action, int64_t iat, int64_t nbf,
    const char *extra)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf), "{\"lid\":\"" LID "\",\"seq\":%u,"
	    "\"iat\":\"%s\",\"nbf\":\"%s\",\"action\":\"%s\"%s,"
	    "\"reason\":\"r\",\"ref\":\"REF-%u\"}", seq, tm(iat), tm(nbf),
	    action, extra, seq);
	return buf;
}

static char *
status_msg(unsigned seq, int64_t iat)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "{\"lid\":\"" LID "\",\"device\":\"%s\","
	    "\"iat\":\"%s\",\"exp\":\"%s\",\"seq\":%u}", kid[DEV], tm(iat),
	    tm(iat + 86400), seq);
	return buf;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
start(int64_t wall)
{
	struct lerr e = { 0 };

	if (store_open(&store, sdir, &e) != 0 ||
	    engine_open(&eng, &store, kid[DEV], LICD_SRCDIR
	    "/policy/purposes.conf", &e) != 0 ||
	    engine_start(&eng, rootpath, 0, wall, &last_start, &e) != 0)
		fail_msg("start: %s", e.msg);
	engine_refresh(&eng, wall, NULL);
}

static void
stop(void)
{
	engine_close(&eng);
	store_close(&store);
}

static void
restart(int64_t wall)
{
	stop();
	start(wall);
}

static int
setup(void **state)
{
	char *root;
	int k;

	(void)state;
	if (sodium_init() < 0)
		return -1;
	for (k = 0; k < NKEYS; k++) {
		crypto_sign_keypair(pk[k], sk[k]);
		paserk_pid(pk[k], kid[k]);
	}
	snprintf(dir, sizeof(dir), "/tmp/test_engine.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(sdir, sizeof(sdir), "%s/state", dir);
	snprintf(rootpath, sizeof(rootpath), "%s/root.doc", dir);
	root = docv(DOC_ROOT, root_msg(1, R0, R1, LK), R0, R1, -1);
	write_file(rootpath, root);
	free(root);
	start(T0);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	stop();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Import doc (freed) at wall; the verdict. */
static enum pol_verdict
imp(char *doc, int64_t wall, struct eng_import *res)
{
	struct eng_import local;
	int r;

	if (res == NULL)
		res = &local;
	r = engine_import(&eng, doc, strlen(doc), DOC_ANY, wall, res);
	free(doc);
	assert_true(r == 0 || r == -LICD_E_IO);
	return res->verdict;
}

static const struct pol_licence_view *
lv(void)
{
	const struct pol_view *v = engine_view(&eng);
	size_t i;

	for (i = 0; i < v->nlic; i++)
		if (strcmp(v->lic[i].lid, LID) == 0)
			return &v->lic[i];
	return NULL;
}

static enum lstate
state_at(int64_t wall)
{
	engine_refresh(&eng, wall, NULL);
	assert_non_null(lv());
	return lv()->state;
}

/* The licence and a fresh status: active. */
static void
licensed(int64_t at)
{
	assert_int_equal(imp(docv(DOC_LICENCE, licence_msg(1, at, ""), LK,
	    -1), at, NULL), POL_ACCEPTED);
	assert_int_equal(imp(docv(DOC_STATUS, status_msg(0, at), SK, -1), at,
	    NULL), POL_ACCEPTED);
}

static void
t_import_and_changes(void **state)
{
	struct eng_changes ch;
	struct eng_import res;

	(void)state;
	assert_int_equal(imp(docv(DOC_LICENCE, licence_msg(1, T0, ""), LK,
	    -1), T0, &res), POL_ACCEPTED);
	assert_int_equal(res.type, DOC_LICENCE);
	assert_string_equal(res.lid, LID);
	assert_int_equal(res.num, 1);
	engine_refresh(&eng, T0, &ch);
	assert_int_equal(ch.n, 1);
	assert_true(ch.c[0].is_new);
	assert_int_equal(ch.c[0].to, LSTATE_RESTRICTED);	/* no status */
	assert_int_equal(imp(docv(DOC_STATUS, status_msg(0, T0), SK, -1), T0,
	    NULL), POL_ACCEPTED);
	engine_refresh(&eng, T0, &ch);
	assert_int_equal(ch.n, 1);
	assert_false(ch.c[0].is_new);
	assert_int_equal(ch.c[0].from, LSTATE_RESTRICTED);
	assert_int_equal(ch.c[0].to, LSTATE_ACTIVE);
	assert_true(ch.c[0].decisions);
	/* nothing new: nothing reported */
	engine_refresh(&eng, T0 + 1, &ch);
	assert_int_equal(ch.n, 0);
	assert_false(ch.any);
}

/* A rejection changes nothing in the state, and writes nothing. */
static void
t_rejections_change_nothing(void **state)
{
	struct pol_state *before = malloc(sizeof(*before));
	struct eng_import res;
	uint64_t nums[8];
	struct lerr e;
	size_t n;

	(void)state;
	licensed(T0);
	memcpy(before, engine_state(&eng), sizeof(*before));
	/* one signature where two are needed */
	assert_int_equal(imp(docv(DOC_ORDER, order_msg(1, "suspend", T0, T0,
	    ""), O1, -1), T0, &res), POL_REJECTED);
	assert_int_equal(res.reason, LICD_E_THRESHOLD);
	/* a key of no role */
	assert_int_equal(imp(docv(DOC_LICENCE, licence_msg(2, T0, ""), EVIL,
	    -1), T0, &res), POL_REJECTED);
	assert_int_equal(res.reason, LICD_E_THRESHOLD);
	/* an order relabelled as a root: the root keys did not sign that */
	assert_int_equal(imp(docv(DOC_ORDER, order_msg(1, "suspend", T0, T0,
	    ""), R0, R1, -1), T0, &res), POL_REJECTED);
	/* a receipt is not taken in */
	assert_int_equal(imp(docv(DOC_RECEIPT, "{}", DEV, -1), T0, &res),
	    POL_REJECTED);
	assert_int_equal(res.reason, LICD_E_TYPE);
	/* a status from the future */
	assert_int_equal(imp(docv(DOC_STATUS, status_msg(0, T0 + 3600), SK,
	    -1), T0, &res), POL_REJECTED);
	assert_int_equal(res.reason, LICD_E_NOT_YET_VALID);
	assert_memory_equal(before, engine_state(&eng), sizeof(*before));
	assert_int_equal(store_doc_list(&store, STORE_ORDER, LID, nums, 8, &n,
	    &e), 0);
	assert_int_equal(n, 0);
	free(before);
}

static void
t_noop_writes_nothing(void **state)
{
	char *lic = docv(DOC_LICENCE, licence_msg(1, T0, ""), LK, -1);
	struct stat a, b;
	char path[256];

	(void)state;
	assert_int_equal(imp(strdup(lic), T0, NULL), POL_ACCEPTED);
	snprintf(path, sizeof(path), "%s/docs/" LID "/licence-1", sdir);
	assert_int_equal(stat(path, &a), 0);
	sleep(1);
	assert_int_equal(imp(lic, T0 + 5, NULL), POL_NOOP);
	assert_int_equal(stat(path, &b), 0);
	assert_int_equal(a.st_mtime, b.st_mtime);
	assert_int_equal(a.st_ino, b.st_ino);
}

/* A state directory that cannot be written: io, nothing changes. */
static void
t_store_failure_keeps_state(void **state)
{
	struct pol_state *before = malloc(sizeof(*before));
	struct eng_import res;
	char path[256];
	int r;

	(void)state;
	snprintf(path, sizeof(path), "%s/docs/" LID, sdir);
	write_file(path, "not a directory");
	memcpy(before, engine_state(&eng), sizeof(*before));
	r = engine_import(&eng, "x", 1, DOC_ANY, T0, &res);
	assert_int_equal(r, 0);		/* unparsable: a plain rejection */
	{
		char *lic = docv(DOC_LICENCE, licence_msg(1, T0, ""), LK, -1);

		r = engine_import(&eng, lic, strlen(lic), DOC_ANY, T0, &res);
		free(lic);
	}
	assert_int_equal(r, -LICD_E_IO);
	assert_int_equal(res.verdict, POL_REJECTED);
	assert_int_equal(res.reason, LICD_E_IO);
	assert_memory_equal(before, engine_state(&eng), sizeof(*before));
	unlink(path);
	free(before);
}

/* The same answers after a restart, from the store alone. */
static void
t_restart_replays(void **state)
{
	struct pol_licence_view a;

	(void)state;
	licensed(T0);
	assert_int_equal(imp(docv(DOC_ORDER, order_msg(1, "restrict", T0, T0,
	    ",\"keep\":[\"geo.locate\"],\"purposes\":[\"terrorism\"],"
	    "\"limits\":{\"geo.locate\":{\"max_concurrent\":2}}"), O1, O2, -1),
	    T0, NULL), POL_ACCEPTED);
	assert_int_equal(imp(docv(DOC_ORDER, order_msg(2, "suspend", T0,
	    T0 + 3600, ""), O2, O3, -1), T0, NULL), POL_PENDING);
	assert_int_equal(state_at(T0 + 10), LSTATE_RESTRICTED);
	memcpy(&a, lv(), sizeof(a));
	restart(T0 + 10);
	assert_non_null(lv());
	assert_memory_equal(&a, lv(), sizeof(a));
	assert_int_equal(engine_tainted(&eng, LID), 0);
	/* the pending suspend takes effect at its nbf, after the restart */
	assert_int_equal(state_at(T0 + 3599), LSTATE_RESTRICTED);
	assert_true(engine_view(&eng)->next_change <= T0 + 3600);
	assert_int_equal(state_at(T0 + 3600), LSTATE_SUSPENDED);
}

static void
corrupt(const char *name)
{
	char path[256], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/docs/" LID "/%s", sdir, name);
	assert_non_null(f = fopen(path, "r+"));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	assert_non_null(buf = malloc((size_t)n));
	fseek(f, 0, SEEK_SET);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[20] = buf[20] == 'A' ? 'B' : 'A';	/* inside the payload */
	fseek(f, 0, SEEK_SET);
	fwrite(buf, 1, (size_t)n, f);
	fclose(f);
	free(buf);
}

/* A stored suspend order altered on disk: the lid is invalid after the
 * restart, not active (never more permissive). */
static void
t_tampered_store_invalidates(void **state)
{
	size_t i;

	(void)state;
	licensed(T0);
	assert_int_equal(imp(docv(DOC_ORDER, order_msg(1, "suspend", T0, T0,
	    ""), O1, O2, -1), T0, NULL), POL_ACCEPTED);
	assert_int_equal(state_at(T0), LSTATE_SUSPENDED);
	corrupt("order-1");
	restart(T0 + 5);
	assert_int_equal(engine_tainted(&eng, LID), 1);
	assert_int_equal(last_start.docs_bad, 1);
	assert_string_equal(last_start.bad[0].what, "docs/" LID "/order-1");
	assert_int_equal(lv()->state, LSTATE_INVALID);
	for (i = 0; i < lv()->nfeatures; i++) {
		assert_false(lv()->features[i].allowed);
		assert_int_equal(lv()->features[i].reason, POL_R_INVALID);
	}
}

/* An equivocation suspends the lid, and still does after a restart. */
static void
t_equivocation_survives_restart(void **state)
{
	struct eng_import res;

	(void)state;
	licensed(T0);
	assert_int_equal(imp(docv(DOC_ORDER, order_msg(1, "restrict", T0, T0,
	    ",\"keep\":[\"geo.locate\"]"), O1, O2, -1), T0, NULL),
	    POL_ACCEPTED);
	assert_int_equal(imp(docv(DOC_ORDER, order_msg(1, "restrict", T0, T0,
	    ",\"keep\":[\"sms.intercept\"]"), O1, O3, -1), T0, &res),
	    POL_REJECTED);
	assert_int_equal(res.reason, LICD_E_EQUIVOCATION);
	assert_true(res.alarm);
	assert_int_equal(state_at(T0), LSTATE_SUSPENDED);
	restart(T0 + 5);
	assert_int_equal(engine_tainted(&eng, LID), 0);
	assert_int_equal(lv()->state, LSTATE_SUSPENDED);
	assert_true(lv()->causes & (1u << POL_C_EQUIVOCATION));
	/* a higher order lifts it, before and after a restart */
	assert_int_equal(imp(docv(DOC_ORDER, order_msg(2, "reinstate", T0, T0,
	    ""), O1, O2, -1), T0 + 5, NULL), POL_ACCEPTED);
	assert_int_equal(state_at(T0 + 6), LSTATE_ACTIVE);
	restart(T0 + 7);
	assert_int_equal(lv()->state, LSTATE_ACTIVE);
}

/* Rotation: ver 2 replaces the licence key; the licence signed by the
 * old key is dropped from the state and from the store. */
/* Rotation rules: the root held again is a no-op; a new ver must be
 * signed by both root roles and be exactly the next ver. */
static void
t_root_rotation(void **state)
{
	struct eng_import res;

	(void)state;
	assert_int_equal(imp(docv(DOC_ROOT, root_msg(1, R0, R1, LK), R0, R1,
	    -1), T0, &res), POL_NOOP);
	assert_int_equal(imp(docv(DOC_ROOT, root_msg(2, R2, R1, LK2), R0, R1,
	    -1), T0, &res), POL_REJECTED);
	assert_int_equal(res.reason, LICD_E_THRESHOLD);
	assert_int_equal(imp(docv(DOC_ROOT, root_msg(2, R2, R1, LK2), R2, R1,
	    -1), T0, &res), POL_REJECTED);
	assert_int_equal(res.reason, LICD_E_THRESHOLD);
	assert_int_equal(imp(docv(DOC_ROOT, root_msg(3, R0, R1, LK), R0, R1,
	    -1), T0, &res), POL_REJECTED);
	assert_int_equal(res.reason, LICD_E_ROOT_VERSION);
	assert_int_equal(engine_view(&eng)->root_ver, 1);
}

static void
t_root_rotation_drops(void **state)
{
	char path[256];
	struct eng_import res;

	(void)state;
	licensed(T0);
	assert_int_equal(imp(docv(DOC_ROOT, root_msg(2, R2, R1, LK2), R0, R1,
	    R2, -1), T0, &res), POL_ACCEPTED);
	assert_int_equal(res.num, 2);
	assert_int_equal(res.dropped, 1);	/* the licence */
	snprintf(path, sizeof(path), "%s/docs/" LID "/licence-1", sdir);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/root/2", sdir);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(state_at(T0), LSTATE_INVALID);
	/* the old licence key no longer counts; the new one does */
	assert_int_equal(imp(docv(DOC_LICENCE, licence_msg(2, T0, ""), LK,
	    -1), T0, &res), POL_REJECTED);
	assert_int_equal(imp(docv(DOC_LICENCE, licence_msg(2, T0, ""), LK2,
	    -1), T0, &res), POL_ACCEPTED);
	restart(T0 + 5);
	assert_int_equal(engine_view(&eng)->root_ver, 2);
	assert_int_equal(engine_tainted(&eng, LID), 0);
	assert_int_equal(lv()->state, LSTATE_ACTIVE);
	assert_int_equal(lv()->ver, 2);
}

/* local.disable "PRODUCT:FEATURE" acts like the policy's "FEATURE". */
static void
t_local_product_disable(void **state)
{
	struct cfg_disable d[2] = { { "interceptor", "geo.locate" },
	    { "other", "sms.intercept" } };
	struct lerr e = { 0 };
	size_t i;

	(void)state;
	licensed(T0);
	assert_int_equal(engine_set_local(&eng, d, 2, &e), 0);
	assert_int_equal(state_at(T0), LSTATE_RESTRICTED);
	assert_true(lv()->causes & (1u << POL_C_LOCAL));
	for (i = 0; i < lv()->nfeatures; i++)
		assert_int_equal(lv()->features[i].allowed,
		    strcmp(lv()->features[i].name, "geo.locate") != 0);
	assert_int_equal(pol_check(engine_view(&eng), "interceptor",
	    "geo.locate", "terrorism", NULL, NULL), 0);
	assert_int_equal(engine_set_local(&eng, NULL, 0, &e), 0);
	assert_int_equal(state_at(T0), LSTATE_ACTIVE);
}

/* The previous evaluation can be seeded from what was announced, so the
 * first refresh after a start reports what changed while down. */
static void
t_seeded_changes(void **state)
{
	struct eng_changes ch;

	(void)state;
	licensed(T0);
	assert_int_equal(imp(docv(DOC_ORDER, order_msg(1, "suspend", T0,
	    T0 + 60, ""), O1, O2, -1), T0, NULL), POL_PENDING);
	stop();
	start(T0 + 1);
	stop();
	assert_int_equal(store_open(&store, sdir, NULL), 0);
	{
		struct eng_start st;
		struct lerr e = { 0 };

		assert_int_equal(engine_open(&eng, &store, kid[DEV],
		    LICD_SRCDIR "/policy/purposes.conf", &e), 0);
		assert_int_equal(engine_start(&eng, rootpath, 0, T0 + 120, &st,
		    &e), 0);
	}
	engine_seed(&eng, LID, LSTATE_ACTIVE, 0);
	engine_refresh(&eng, T0 + 120, &ch);
	assert_int_equal(ch.n, 1);
	assert_false(ch.c[0].is_new);
	assert_int_equal(ch.c[0].from, LSTATE_ACTIVE);
	assert_int_equal(ch.c[0].to, LSTATE_SUSPENDED);
	assert_int_equal(ch.c[0].order_to, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_import_and_changes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_rejections_change_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(t_noop_writes_nothing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_store_failure_keeps_state,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(t_restart_replays, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_tampered_store_invalidates,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(t_equivocation_survives_restart,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(t_root_rotation, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_root_rotation_drops, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_local_product_disable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_seeded_changes, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
