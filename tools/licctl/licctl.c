/* SPDX-License-Identifier: MIT */
/* licctl: a table of commands, each one request to licd and the printing
 * of its reply, with the exit codes of DESIGN 5.4. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

/* The vendor library, by path: daemon/licd.h is the daemon's own header. */
#include "../../client-lib/include/licd.h"
#include "licctl.h"
#include "ltime.h"

struct cmd {
	const char *name;
	int min_args, max_args;		/* after the command name */
	int (*fn)(struct client *c, int argc, char **argv);
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: licctl [--socket PATH] COMMAND [ARGS]\n"
	    "commands:\n"
	    "  status [--json]                 licences, states, freshness\n"
	    "  import FILE...                  hand documents to licd (admin)\n"
	    "  query PRODUCT FEATURE PURPOSE   may the product use it now?\n"
	    "  explain PRODUCT FEATURE         the documents and rules behind "
	    "it\n"
	    "  check                           Nagios plugin: exit 0/1/2/3\n"
	    "  metrics                         Prometheus text exposition\n"
	    "  request                         the signed activation request "
	    "(admin)\n"
	    "  reload                          reload the configuration "
	    "(admin)\n"
	    "  audit verify                    verify the audit log (admin)\n"
	    "  checkpoint                      sign an audit checkpoint now "
	    "(admin)\n"
	    "  report [LID] [--from TIME] [--to TIME]\n"
	    "                                  signed usage report (admin)\n");
}

/* Print a text reply, ending it with a newline. */
static int
print_text(const struct proto_msg *m)
{
	const struct proto_bytes *t = &m->u.text.text;

	fwrite(t->p, 1, t->len, stdout);
	if (t->len == 0 || t->p[t->len - 1] != '\n')
		putchar('\n');
	return LICCTL_EX_OK;
}

/* One request whose answer is R_TEXT or R_OK; anything else fails. */
static int
simple(struct client *c, struct proto_msg *req)
{
	if (client_call(c, req) < 0)
		return LICCTL_EX_UNREACHABLE;
	switch (c->reply.type) {
	case PROTO_R_TEXT:
		return print_text(&c->reply);
	case PROTO_R_OK:
		if (c->reply.u.ok.message.len > 0)
			printf("%.*s\n", (int)c->reply.u.ok.message.len,
			    (const char *)c->reply.u.ok.message.p);
		return LICCTL_EX_OK;
	case PROTO_R_ERROR:
		client_print_error(&c->reply, "licctl");
		return LICCTL_EX_FAIL;
	default:
		fprintf(stderr, "licctl: unexpected %s reply\n",
		    proto_type_name(c->reply.type));
		return LICCTL_EX_FAIL;
	}
}

static int
cmd_status(struct client *c, int argc, char **argv)
{
	struct proto_msg m = { .type = PROTO_STATUS };

	if (argc == 1 && strcmp(argv[0], "--json") != 0) {
		usage(stderr);
		return LICCTL_EX_UNREACHABLE;
	}
	m.u.status.flags = argc == 1 ? PROTO_STATUS_JSON : 0;
	return simple(c, &m);
}

static int
cmd_metrics(struct client *c, int argc, char **argv)
{
	struct proto_msg m = { .type = PROTO_METRICS };

	(void)argc;
	(void)argv;
	return simple(c, &m);
}

static int
cmd_request(struct client *c, int argc, char **argv)
{
	struct proto_msg m = { .type = PROTO_REQUEST };

	(void)argc;
	(void)argv;
	return simple(c, &m);
}

static int
cmd_reload(struct client *c, int argc, char **argv)
{
	struct proto_msg m = { .type = PROTO_RELOAD };

	(void)argc;
	(void)argv;
	return simple(c, &m);
}

static int
cmd_checkpoint(struct client *c, int argc, char **argv)
{
	struct proto_msg m = { .type = PROTO_CHECKPOINT };

	(void)argc;
	(void)argv;
	return simple(c, &m);
}

static int
cmd_audit(struct client *c, int argc, char **argv)
{
	struct proto_msg m = { .type = PROTO_AUDIT_VERIFY };

	(void)argc;
	if (strcmp(argv[0], "verify") != 0) {
		usage(stderr);
		return LICCTL_EX_UNREACHABLE;
	}
	return simple(c, &m);
}

static int
cmd_explain(struct client *c, int argc, char **argv)
{
	struct proto_msg m = { .type = PROTO_EXPLAIN };

	(void)argc;
	m.u.explain.product = proto_str(argv[0]);
	m.u.explain.feature = proto_str(argv[1]);
	return simple(c, &m);
}

/* The socket licctl talks to; query derives the runtime directory (and
 * so the snapshot) from it. */
static const char *socket_path;

/* DESIGN 5.4: "allowed" (0) or "denied <reason>" (1), decided through
 * liblicd exactly as a product would decide it (the snapshot next to the
 * socket); a daemon that is gone is "denied daemon-unavailable". */
static int
cmd_query(struct client *c, int argc, char **argv)
{
	struct licd_options o = LICD_OPTIONS_INIT;
	char dir[1024];
	const char *slash = strrchr(socket_path, '/');
	licd_reason_t why = LICD_REASON_DAEMON_UNAVAILABLE;
	licd_t *h = NULL;
	int ok = 0;

	(void)argc;
	if (c->fd < 0) {	/* DESIGN 5.4: an unreachable daemon denies */
		printf("denied daemon-unavailable\n");
		return LICCTL_EX_FAIL;
	}
	if (slash != NULL && (size_t)(slash - socket_path) < sizeof(dir)) {
		memcpy(dir, socket_path, (size_t)(slash - socket_path));
		dir[slash - socket_path] = '\0';
		o.runtime_dir = dir[0] != '\0' ? dir : "/";
	}
	o.socket_path = socket_path;
	o.flags = LICD_OPEN_NO_ENV;
	if (licd_open(argv[0], &o, &h) == 0)
		ok = licd_check(h, argv[1], argv[2], &why);
	else
		why = LICD_REASON_NOT_LICENSED;	/* not a product name */
	licd_close(h);
	if (ok == 1) {
		printf("allowed\n");
		return LICCTL_EX_OK;
	}
	printf("denied %s\n", licd_reason_str(why));
	return LICCTL_EX_FAIL;
}

/* Read a document to import: at most PROTO_DOC_MAX bytes. */
static int
read_doc(const char *path, char **out, size_t *len)
{
	struct stat st;
	ssize_t n;
	int fd;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (st.st_size > PROTO_DOC_MAX || (*out = malloc((size_t)st.st_size +
	    1)) == NULL) {
		close(fd);
		return st.st_size > PROTO_DOC_MAX ? -EFBIG : -ENOMEM;
	}
	n = read(fd, *out, (size_t)st.st_size + 1);
	close(fd);
	if (n != st.st_size) {
		free(*out);
		*out = NULL;
		return n < 0 ? -errno : -EAGAIN;
	}
	*len = (size_t)n;
	return 0;
}

/* One file: 0 taken (accepted, pending, no-op), 1 rejected, 2 no daemon. */
static int
import_one(struct client *c, const char *path)
{
	struct proto_msg m = { .type = PROTO_IMPORT };
	char *doc, *copy;
	size_t len = 0;
	int r;

	if ((r = read_doc(path, &doc, &len)) < 0) {
		fprintf(stderr, "%s: %s: %s\n", path, r == -EFBIG ?
		    "too-large" : "io", r == -EFBIG ? "larger than 64 KiB" :
		    strerror(-r));
		return LICCTL_EX_FAIL;
	}
	copy = strdup(path);
	m.u.import.name = proto_str(copy != NULL ? basename(copy) : "");
	if (m.u.import.name.len > PROTO_FILE_MAX)
		m.u.import.name.len = PROTO_FILE_MAX;
	m.u.import.doc.p = (const uint8_t *)doc;
	m.u.import.doc.len = (uint32_t)len;
	r = client_call(c, &m);
	free(doc);
	free(copy);
	if (r < 0)
		return LICCTL_EX_UNREACHABLE;
	if (c->reply.type == PROTO_R_IMPORT &&
	    c->reply.u.import_result.outcome != PROTO_REJECTED) {
		printf("%s: %.*s\n", path,
		    (int)c->reply.u.import_result.message.len,
		    (const char *)c->reply.u.import_result.message.p);
		return LICCTL_EX_OK;
	}
	if (c->reply.type == PROTO_R_IMPORT)
		fprintf(stderr, "%s: %.*s: %.*s\n", path,
		    (int)c->reply.u.import_result.reason.len,
		    (const char *)c->reply.u.import_result.reason.p,
		    (int)c->reply.u.import_result.message.len,
		    (const char *)c->reply.u.import_result.message.p);
	else if (c->reply.type == PROTO_R_ERROR)
		client_print_error(&c->reply, path);
	return LICCTL_EX_FAIL;
}

static int
cmd_import(struct client *c, int argc, char **argv)
{
	int i, r, worst = LICCTL_EX_OK;

	for (i = 0; i < argc; i++) {
		r = import_one(c, argv[i]);
		if (r == LICCTL_EX_UNREACHABLE)
			return r;
		if (r > worst)
			worst = r;
	}
	return worst;
}

/* Nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; one line. */
static int
nagios(int code, const char *detail)
{
	static const char *const names[] = { "OK", "WARNING", "CRITICAL",
	    "UNKNOWN" };

	printf("LICD %s - %s\n", names[code], detail);
	return code;
}

/* DESIGN 5.4 check: 0 active and fresh; 1 restricted, or active but not
 * fresh (within the ladder's grace); 2 suspended, revoked, invalid or
 * expired. */
static int
licence_severity(json_t *lic, const char **note)
{
	const char *state = json_string_value(json_object_get(lic, "state"));
	json_t *st = json_object_get(lic, "status");

	*note = "";
	if (state == NULL)
		return 3;
	if (strcmp(state, "active") == 0) {
		if (json_is_true(json_object_get(st, "fresh")))
			return 0;
		*note = " (status not fresh)";
		return 1;
	}
	return strcmp(state, "restricted") == 0 ? 1 : 2;
}

static int
check_licences(json_t *lics, char *line, size_t cap)
{
	const char *note;
	json_t *lic;
	size_t i;
	int worst = 0, s;

	json_array_foreach(lics, i, lic) {
		s = licence_severity(lic, &note);
		worst = s > worst ? s : worst;
		snprintf(line + strlen(line), cap - strlen(line), "%s%s %s%s",
		    i ? ", " : "", json_string_value(json_object_get(lic,
		    "lid")), json_string_value(json_object_get(lic, "state")),
		    note);
	}
	return worst;
}

static int
cmd_check(struct client *c, int argc, char **argv)
{
	struct proto_msg m = { .type = PROTO_STATUS,
	    .u.status.flags = PROTO_STATUS_JSON };
	json_t *top, *lics;
	char line[1024] = "";
	int worst;

	(void)argc;
	(void)argv;
	if (c->fd < 0 || client_call(c, &m) < 0)
		return nagios(3, "licd unreachable");
	if (c->reply.type != PROTO_R_TEXT)
		return nagios(3, "licd did not give its status");
	top = json_loadb((const char *)c->reply.u.text.text.p,
	    c->reply.u.text.text.len, 0, NULL);
	lics = json_object_get(top, "licences");
	if (!json_is_array(lics)) {
		json_decref(top);
		return nagios(3, "unreadable status");
	}
	worst = check_licences(lics, line, sizeof(line));
	if (json_array_size(lics) == 0) {
		worst = 2;	/* nothing may run: invalid */
		snprintf(line, sizeof(line), "no licence installed");
	}
	if (json_is_true(json_object_get(json_object_get(top, "time"),
	    "clock_rollback"))) {
		worst = worst > 1 ? worst : 1;
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
		    "; clock rollback");
	}
	json_decref(top);
	return nagios(worst, line);
}

/* licctl report [LID] [--from TIME] [--to TIME] */
static int
cmd_report(struct client *c, int argc, char **argv)
{
	struct proto_msg m = { .type = PROTO_REPORT };
	int64_t t;
	int i;

	m.u.report.lid = proto_str("");
	for (i = 0; i < argc; i++) {
		if ((strcmp(argv[i], "--from") == 0 ||
		    strcmp(argv[i], "--to") == 0) && i + 1 < argc) {
			if (ltime_parse(argv[i + 1], strlen(argv[i + 1]),
			    &t) != 0) {
				fprintf(stderr, "licctl: %s: expected "
				    "YYYY-MM-DDTHH:MM:SSZ\n", argv[i + 1]);
				return LICCTL_EX_UNREACHABLE;
			}
			if (argv[i][2] == 'f')
				m.u.report.from = (uint64_t)t;
			else
				m.u.report.to = (uint64_t)t;
			i++;
		} else if (argv[i][0] != '-' && m.u.report.lid.len == 0) {
			m.u.report.lid = proto_str(argv[i]);
		} else {
			usage(stderr);
			return LICCTL_EX_UNREACHABLE;
		}
	}
	return simple(c, &m);
}

static const struct cmd cmds[] = {
	{ "status", 0, 1, cmd_status },
	{ "import", 1, 1000, cmd_import },
	{ "query", 3, 3, cmd_query },
	{ "explain", 2, 2, cmd_explain },
	{ "check", 0, 0, cmd_check },
	{ "metrics", 0, 0, cmd_metrics },
	{ "request", 0, 0, cmd_request },
	{ "reload", 0, 0, cmd_reload },
	{ "audit", 1, 1, cmd_audit },
	{ "checkpoint", 0, 0, cmd_checkpoint },
	{ "report", 0, 5, cmd_report },
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = NULL;
	struct client c;
	size_t i;
	int ch, n, r;

	while ((ch = getopt_long(argc, argv, "+s:h", longopts, NULL)) != -1) {
		if (ch == 'h') {
			usage(stdout);
			return 0;
		}
		if (ch != 's') {
			usage(stderr);
			return LICCTL_EX_UNREACHABLE;
		}
		sock = optarg;
	}
	for (i = 0; optind < argc && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[optind], cmds[i].name) == 0)
			break;
	n = argc - optind - 1;
	if (optind >= argc || i == sizeof(cmds) / sizeof(cmds[0]) ||
	    n < cmds[i].min_args || n > cmds[i].max_args) {
		usage(stderr);
		return LICCTL_EX_UNREACHABLE;
	}
	socket_path = licctl_socket_path(sock);
	/* query and check answer even when licd is gone. */
	if (client_open(&c, socket_path) < 0 &&
	    cmds[i].fn != cmd_query && cmds[i].fn != cmd_check)
		return LICCTL_EX_UNREACHABLE;
	r = cmds[i].fn(&c, n, argv + optind + 1);
	client_close(&c);
	return r;
}
