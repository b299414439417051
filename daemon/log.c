/* SPDX-License-Identifier: MIT */
/* Logging: the one place that knows whether licd talks to journald or to a
 * terminal, so that every event keeps its MESSAGE_ID and fields either way. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "log.h"

#define LOG_FIELDS_MAX	16

static int to_journal;
static int to_tty;

/* JOURNAL_STREAM is "<dev>:<ino>" of the stream systemd connected to
 * stderr; only when it still is our stderr do we speak journald. */
static int
stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st) != 0)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_init(void)
{
	to_journal = stderr_is_journal();
	to_tty = isatty(STDERR_FILENO);
}

int
log_to_journal(void)
{
	return to_journal;
}

static void
journal(int prio, const char *msgid, const char *const *fields,
    const char *msg)
{
	struct iovec iov[LOG_FIELDS_MAX + 4];
	char p[16], m[1100], id[48];
	size_t n = 0;

	snprintf(m, sizeof(m), "MESSAGE=%s", msg);
	snprintf(p, sizeof(p), "PRIORITY=%d", prio);
	iov[n++] = (struct iovec){ m, strlen(m) };
	iov[n++] = (struct iovec){ p, strlen(p) };
	iov[n++] = (struct iovec){ (char *)"SYSLOG_IDENTIFIER=licd", 22 };
	if (msgid != NULL) {
		snprintf(id, sizeof(id), "MESSAGE_ID=%s", msgid);
		iov[n++] = (struct iovec){ id, strlen(id) };
	}
	for (; fields != NULL && *fields != NULL && n < LOG_FIELDS_MAX + 4;
	    fields++)
		iov[n++] = (struct iovec){ (char *)*fields, strlen(*fields) };
	sd_journal_sendv(iov, (int)n);
}

static const char *
level(int prio)
{
	static const char *const names[] = { "emergency", "alert",
	    "critical", "error", "warning", "notice", "info", "debug" };

	return prio >= 0 && prio < 8 ? names[prio] : "info";
}

static void
plain(int prio, const char *const *fields, const char *msg)
{
	char line[2048];
	size_t len;

	if (to_tty)
		snprintf(line, sizeof(line), "licd: %s: %s", level(prio), msg);
	else
		snprintf(line, sizeof(line), "<%d>licd: %s", prio, msg);
	for (len = 0; fields != NULL && fields[len] != NULL; len++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
		    "%s%s", len == 0 ? " [" : " ", fields[len]);
	if (len > 0)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "]");
	fprintf(stderr, "%s\n", line);
}

void
log_ev(int prio, const char *msgid, const char *const *fields,
    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (to_journal)
		journal(prio, msgid, fields, msg);
	else
		plain(prio, fields, msg);
}
