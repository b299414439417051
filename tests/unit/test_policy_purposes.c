/* SPDX-License-Identifier: MIT */
/* purposes.conf: the shipped file loads, and every malformed one is
 * refused with FILE:LINE and what was wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "pol_fixture.h"

static char path[64];

static void
expect_error(const char *text, const char *want)
{
	struct pol_purposes *p = calloc(1, sizeof(*p));
	struct lerr e = { 0 };
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/purposes-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0 && p != NULL);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	assert_int_equal(pol_purposes_load(path, p, &e), -LICD_E_CONFIG);
	unlink(path);
	if (strstr(e.msg, want) == NULL || strncmp(e.msg, path,
	    strlen(path)) != 0)
		fail_msg("got \"%s\", want \"%s\" after the path", e.msg, want);
	assert_int_equal(p->n, 0);
	free(p);
}

#define ENTRY "{ id = \"terrorism\"; title = \"T\"; definition = \"D\"; }"

static void
shipped_file_loads(void **unused)
{
	struct pol_purposes *p = calloc(1, sizeof(*p));

	(void)unused;
	assert_int_equal(fx_load_purposes(p), 0);
	assert_int_equal(p->n, 2);
	assert_string_equal(p->p[0].id, "terrorism");
	assert_string_equal(p->p[1].id, "serious-crime");
	assert_non_null(strstr(p->p[0].definition, "death"));
	assert_non_null(strstr(p->p[1].definition, "end-user declaration"));
	free(p);
}

static void
malformed_files_name_the_line(void **unused)
{
	(void)unused;
	expect_error("version = 1;\npurposes = (" ENTRY ");\nextra = 2;\n",
	    ":3: unknown key \"extra\"");
	expect_error("version = 1;\npurposes = (\n{ id = \"x\"; title = \"T\";"
	    " definition = \"D\"; colour = \"red\"; }\n);\n",
	    ":3: unknown key \"colour\"");
	expect_error("version = 2;\npurposes = (" ENTRY ");\n",
	    ":1: expected version = 1");
	expect_error("version = 1;\npurposes = (\n" ENTRY ",\n" ENTRY "\n);\n",
	    ":4: duplicate id \"terrorism\"");
	expect_error("version = 1;\npurposes = (\n{ id = \"Bad Id\"; "
	    "title = \"T\"; definition = \"D\"; }\n);\n", ":3: id must match");
	expect_error("version = 1;\npurposes = (\n{ id = \"x\"; title = 3; "
	    "definition = \"D\"; }\n);\n", ":3: expected a string for \"title\"");
	expect_error("version = 1;\npurposes = (\n{ id = \"x\"; "
	    "definition = \"D\"; }\n);\n", ":3: missing key \"title\"");
	expect_error("version = 1;\npurposes = ();\n",
	    ":2: expected 1 to 64 purposes");
	expect_error("version = 1;\npurposes = (\n  { id = \"x\" ;\n",
	    ": syntax error");
}

static void
missing_file_is_line_0(void **unused)
{
	struct pol_purposes *p = calloc(1, sizeof(*p));
	struct lerr e = { 0 };

	(void)unused;
	assert_int_equal(pol_purposes_load("/nonexistent/purposes.conf", p,
	    &e), -LICD_E_CONFIG);
	assert_non_null(strstr(e.msg, "/nonexistent/purposes.conf:0: "));
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shipped_file_loads),
		cmocka_unit_test(malformed_files_name_the_line),
		cmocka_unit_test(missing_file_is_line_0),
	};

	return cmocka_run_group_tests_name("policy_purposes", tests, NULL,
	    NULL);
}
