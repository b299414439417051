/* SPDX-License-Identifier: MIT */
/* licd.conf: every key accepted, and every rejection (unknown key, wrong
 * type, missing key, relative path, bad duration, missing file) with its
 * exact "FILE:LINE: message". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

#define BASE \
	"root = \"/etc/licd/root.doc\";\n" \
	"state_dir = \"/var/lib/licd\";\n" \
	"runtime_dir = \"/run/licd\";\n"

static char dir[64], path[128];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_config.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/licd.conf", dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

static void
write_conf(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static struct cfg *
load_ok(const char *text)
{
	struct cfg *c = NULL;
	struct lerr e = { 0 };

	write_conf(text);
	if (cfg_load(path, &c, &e) != 0)
		fail_msg("unexpected rejection: %s", e.msg);
	assert_non_null(c);
	return c;
}

/* text must be refused with exactly "<path>:<line>: <msg>". */
static void
reject(const char *text, unsigned line, const char *msg)
{
	char want[LERR_MSG_MAX];
	struct cfg *c = (struct cfg *)1;
	struct lerr e = { 0 };

	write_conf(text);
	snprintf(want, sizeof(want), "%s:%u: %s", path, line, msg);
	assert_int_equal(cfg_load(path, &c, &e), -LICD_E_CONFIG);
	assert_null(c);
	assert_int_equal(e.code, LICD_E_CONFIG);
	assert_string_equal(e.msg, want);
}

static void
t_minimal(void **state)
{
	struct cfg *c;

	(void)state;
	c = load_ok(BASE);
	assert_string_equal(c->root, "/etc/licd/root.doc");
	assert_string_equal(c->state_dir, "/var/lib/licd");
	assert_string_equal(c->runtime_dir, "/run/licd");
	assert_string_equal(c->inbox, "");
	assert_string_equal(c->admin_group, "");
	assert_int_equal(c->client_grace, 30);
	assert_int_equal(c->ndisable, 0);
	assert_int_equal(c->nstop_units, 0);
	assert_false(c->has_feed);
	assert_string_equal(c->file, path);
	cfg_free(c);
}

static void
t_full(void **state)
{
	struct cfg *c;

	(void)state;
	c = load_ok(BASE
	    "inbox = \"/var/lib/licd/inbox\";\n"
	    "admin_group = \"root\";\n"
	    "client_grace = \"2m\";\n"
	    "local = { disable = [ \"sms.intercept\", \"interceptor:geo.locate\" ]; };\n"
	    "enforce = {\n"
	    "  on_change = \"/bin/true\";\n"
	    "  stop_units = ( \"interceptor.service\", \"probe@eth0.service\" );\n"
	    "};\n"
	    "feed = { url = \"https://feed.example.org/v1\";\n"
	    "  ca = \"/etc/licd/feed-ca.pem\"; interval = \"1h\"; };\n");
	assert_string_equal(c->inbox, "/var/lib/licd/inbox");
	assert_string_equal(c->admin_group, "root");
	assert_int_equal(c->admin_gid, 0);
	assert_int_equal(c->client_grace, 120);
	assert_int_equal(c->ndisable, 2);
	assert_string_equal(c->disable[0].product, "");
	assert_string_equal(c->disable[0].feature, "sms.intercept");
	assert_string_equal(c->disable[1].product, "interceptor");
	assert_string_equal(c->disable[1].feature, "geo.locate");
	assert_true(cfg_disabled(c, "any", "sms.intercept"));
	assert_true(cfg_disabled(c, "interceptor", "geo.locate"));
	assert_false(cfg_disabled(c, "other", "geo.locate"));
	assert_string_equal(c->on_change, "/bin/true");
	assert_int_equal(c->nstop_units, 2);
	assert_string_equal(c->stop_units[1], "probe@eth0.service");
	assert_true(c->has_feed);
	assert_string_equal(c->feed_url, "https://feed.example.org/v1");
	assert_string_equal(c->feed_ca, "/etc/licd/feed-ca.pem");
	assert_int_equal(c->feed_interval, 3600);
	cfg_free(c);
}

static void
t_feed_defaults(void **state)
{
	struct cfg *c;

	(void)state;
	c = load_ok(BASE "feed = { url = \"https://f.example\"; };\n");
	assert_int_equal(c->feed_interval, CFG_DEFAULT_INTERVAL);
	assert_string_equal(c->feed_ca, "");
	cfg_free(c);
}

static void
t_unknown_key(void **state)
{
	(void)state;
	reject(BASE "rooot = \"/x\";\n", 4, "unknown key \"rooot\"");
	reject(BASE "\n\nfeed = {\n url = \"https://f\";\n uri = \"x\";\n};\n",
	    8, "unknown key \"feed.uri\"");
	reject(BASE "local = { enable = [ \"a\" ]; };\n", 4,
	    "unknown key \"local.enable\"");
	reject(BASE "enforce = { stop = [ ]; };\n", 4,
	    "unknown key \"enforce.stop\"");
}

static void
t_wrong_type(void **state)
{
	(void)state;
	reject("root = \"/r\";\nstate_dir = 5;\nruntime_dir = \"/run\";\n", 2,
	    "key \"state_dir\": expected a string");
	reject(BASE "client_grace = 30;\n", 4,
	    "key \"client_grace\": expected a string");
	reject(BASE "local = \"x\";\n", 4, "key \"local\": expected a group");
	reject(BASE "local = { disable = \"x\"; };\n", 4,
	    "key \"local.disable\": expected a list of strings");
	reject(BASE "local = { disable = [ 1, 2 ]; };\n", 4,
	    "key \"local.disable\": expected a list of strings");
	reject(BASE "enforce = { stop_units = ( \"a.service\", 3 ); };\n", 4,
	    "key \"enforce.stop_units\": expected a list of strings");
	reject(BASE "feed = [ \"https://x\" ];\n", 4,
	    "key \"feed\": expected a group");
	reject(BASE "inbox = true;\n", 4, "key \"inbox\": expected a string");
}

static void
t_missing_required(void **state)
{
	(void)state;
	reject("state_dir = \"/s\";\nruntime_dir = \"/r\";\n", 0,
	    "missing required key \"root\"");
	reject("root = \"/r\";\nruntime_dir = \"/r\";\n", 0,
	    "missing required key \"state_dir\"");
	reject("root = \"/r\";\nstate_dir = \"/s\";\n", 0,
	    "missing required key \"runtime_dir\"");
	reject(BASE "feed = {\n  interval = \"1h\";\n};\n", 4,
	    "missing required key \"feed.url\"");
	reject("", 0, "missing required key \"root\"");
}

static void
t_relative_path(void **state)
{
	(void)state;
	reject("root = \"etc/root.doc\";\nstate_dir = \"/s\";\n"
	    "runtime_dir = \"/r\";\n", 1,
	    "key \"root\": \"etc/root.doc\" is not an absolute path");
	reject("root = \"/r\";\nstate_dir = \"var/lib/licd\";\n"
	    "runtime_dir = \"/r\";\n", 2,
	    "key \"state_dir\": \"var/lib/licd\" is not an absolute path");
	reject("root = \"/r\";\nstate_dir = \"/s\";\nruntime_dir = \"\";\n", 3,
	    "key \"runtime_dir\": \"\" is not an absolute path");
	reject(BASE "inbox = \"./inbox\";\n", 4,
	    "key \"inbox\": \"./inbox\" is not an absolute path");
	reject(BASE "feed = { url = \"https://f\"; ca = \"ca.pem\"; };\n", 4,
	    "key \"feed.ca\": \"ca.pem\" is not an absolute path");
	reject(BASE "enforce = { on_change = \"true\"; };\n", 4,
	    "key \"enforce.on_change\": \"true\" is not an absolute path");
}

static void
t_bad_duration(void **state)
{
	static const char *const bad[] = { "30 s", "030s", "30", "1w", "-5s",
	    "1.5h", "s", "", "1234567890s" };
	char text[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), BASE "client_grace = \"%s\";\n",
		    bad[i]);
		reject(text, 4, "key \"client_grace\": expected a duration "
		    "such as \"30s\", \"15m\", \"72h\", \"7d\"");
	}
	reject(BASE "client_grace = \"0s\";\n", 4,
	    "key \"client_grace\": \"0s\" is shorter than 1s");
	reject(BASE "feed = { url = \"https://f\"; interval = \"30s\"; };\n", 4,
	    "key \"feed.interval\": \"30s\" is shorter than 60s");
}

static void
t_missing_file(void **state)
{
	char want[256];
	struct cfg *c = (struct cfg *)1;
	struct lerr e = { 0 };

	(void)state;
	unlink(path);
	snprintf(want, sizeof(want), "%s:0: cannot open: No such file or "
	    "directory", path);
	assert_int_equal(cfg_load(path, &c, &e), -LICD_E_CONFIG);
	assert_null(c);
	assert_string_equal(e.msg, want);
}

static void
t_not_a_file(void **state)
{
	char want[256];
	struct cfg *c = NULL;
	struct lerr e = { 0 };

	(void)state;
	snprintf(want, sizeof(want), "%s:0: not a regular file", dir);
	assert_int_equal(cfg_load(dir, &c, &e), -LICD_E_CONFIG);
	assert_string_equal(e.msg, want);
}

static void
t_syntax(void **state)
{
	(void)state;
	reject(BASE "inbox = ;\n", 4, "syntax error");
	reject(BASE "\nfeed = { url = \"https://x\"\n", 6, "syntax error");
	/* libconfig refuses a key given twice */
	reject(BASE "root = \"/other\";\n", 4, "duplicate setting name");
}

static void
t_values(void **state)
{
	(void)state;
	reject(BASE "admin_group = \"no such\";\n", 4,
	    "key \"admin_group\": \"no such\" is not a group name");
	reject(BASE "admin_group = \"licd-no-such-group-x\";\n", 4,
	    "key \"admin_group\": no group \"licd-no-such-group-x\"");
	reject(BASE "enforce = { on_change = \"/nonexistent/hook\"; };\n", 4,
	    "key \"enforce.on_change\": \"/nonexistent/hook\" is not an "
	    "executable file");
	reject(BASE "enforce = { on_change = \"/etc\"; };\n", 4,
	    "key \"enforce.on_change\": \"/etc\" is not an executable file");
	reject(BASE "enforce = { stop_units = [ \"ok.service\", \"bad\" ]; };\n",
	    4, "key \"enforce.stop_units\"[1]: expected a systemd unit name "
	    "such as \"product.service\"");
	reject(BASE "local = { disable = [ \"Geo\" ]; };\n", 4,
	    "key \"local.disable\"[0]: expected FEATURE or PRODUCT:FEATURE, "
	    "each matching [a-z0-9][a-z0-9._-]{0,63}");
	reject(BASE "local = { disable = [ \"a:\" ]; };\n", 4,
	    "key \"local.disable\"[0]: expected FEATURE or PRODUCT:FEATURE, "
	    "each matching [a-z0-9][a-z0-9._-]{0,63}");
	reject(BASE "feed = { url = \"http://feed\"; };\n", 4,
	    "key \"feed.url\": expected an https:// URL");
	reject(BASE "inbox = \"/a\\nb\";\n", 4,
	    "key \"inbox\": control character, quote or backslash in the "
	    "value");
}

static void
t_list_limit(void **state)
{
	char text[8192];
	int i;

	(void)state;
	snprintf(text, sizeof(text), BASE "local = { disable = [ ");
	for (i = 0; i <= CFG_MAX_LIST; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    "%s\"f%d\"", i ? ", " : "", i);
	snprintf(text + strlen(text), sizeof(text) - strlen(text), " ]; };\n");
	reject(text, 4, "key \"local.disable\": more than 64 entries");
}

static void
t_reload(void **state)
{
	struct cfg *c, *before;
	struct lerr e = { 0 };
	char want[256];

	(void)state;
	c = load_ok(BASE "client_grace = \"10s\";\n");
	before = c;
	/* a bad file: refused, the old configuration kept */
	write_conf(BASE "client_grace = \"ten\";\n");
	assert_int_equal(cfg_reload(&c, &e), -LICD_E_CONFIG);
	assert_ptr_equal(c, before);
	assert_int_equal(c->client_grace, 10);
	/* a key that needs a restart: refused too */
	write_conf("root = \"/etc/licd/root.doc\";\nstate_dir = \"/elsewhere\";\n"
	    "runtime_dir = \"/run/licd\";\n");
	assert_int_equal(cfg_reload(&c, &e), -LICD_E_CONFIG);
	snprintf(want, sizeof(want), "%s:0: key \"state_dir\" changed: it "
	    "takes effect only after a restart; configuration not reloaded",
	    path);
	assert_string_equal(e.msg, want);
	assert_int_equal(c->client_grace, 10);
	/* a good one: swapped whole */
	write_conf(BASE "client_grace = \"20s\";\ninbox = \"/in\";\n");
	assert_int_equal(cfg_reload(&c, &e), 0);
	assert_int_equal(c->client_grace, 20);
	assert_string_equal(c->inbox, "/in");
	cfg_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_minimal, setup, teardown),
		cmocka_unit_test_setup_teardown(t_full, setup, teardown),
		cmocka_unit_test_setup_teardown(t_feed_defaults, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_unknown_key, setup, teardown),
		cmocka_unit_test_setup_teardown(t_wrong_type, setup, teardown),
		cmocka_unit_test_setup_teardown(t_missing_required, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_relative_path, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_bad_duration, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_missing_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_not_a_file, setup, teardown),
		cmocka_unit_test_setup_teardown(t_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(t_values, setup, teardown),
		cmocka_unit_test_setup_teardown(t_list_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(t_reload, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
