/* SPDX-License-Identifier: MIT */
/* licd's logging: journald structured events with stable MESSAGE_IDs, or
 * plain stderr lines when not running under journald. */
#ifndef LICD_LOG_H
#define LICD_LOG_H

#include <syslog.h>

/*
 * Stable MESSAGE_IDs, one per event type (doc/OPERATIONS.md lists them;
 * `journalctl MESSAGE_ID=...` finds every occurrence). Never change one.
 */
#define LOG_ID_START		"0b2d591b41a74a9cbe59665ac4f02c9b"
#define LOG_ID_STOP		"42535f9250cc43d69d4628dcff227113"
#define LOG_ID_RELOAD		"5044a00735f54781ad8429e2bce6e260"
#define LOG_ID_CONFIG		"c24576bb642f47bcadbb49b7b6e7d3a8"
#define LOG_ID_DOC_ACCEPTED	"6cc6e5110f6045a1b8090c8e59986d20"
#define LOG_ID_DOC_REJECTED	"aa00a35103ba4dc1bd86001070414630"
#define LOG_ID_STATE		"f2d8210145b84d29ac39333e6cba0f7d"
#define LOG_ID_CLOCK_ALARM	"f42f8f23dfec4d3a901b05709d4f2796"
#define LOG_ID_STORE_ERROR	"38cc137476f74d458b732e5affaac480"
#define LOG_ID_AUDIT_ERROR	"0c5a92651db74e1ca7f72a6605aa4952"
#define LOG_ID_UNPINNED		"358f17a0cecd4057bb62c5a0c6d2f5e5"
#define LOG_ID_PEER		"f2a9c7271332498b921f7fd7c8011e2e"

/*
 * Decide where messages go: journald (native protocol) when stderr is the
 * stream systemd's JOURNAL_STREAM names, else stderr. On stderr a line is
 * "<N>licd: message" when stderr is not a terminal (systemd and most log
 * collectors read the <N> priority prefix), "licd: level: message" on a
 * terminal. Call once at start-up; logging before it goes to stderr.
 */
void log_init(void);

/* 1 when messages go to journald. */
int log_to_journal(void);

/*
 * Log one event. msgid may be NULL; fields is NULL or a NULL-terminated
 * list of "LICD_KEY=value" strings (LICD_LID, LICD_SEQ, LICD_REASON, ...)
 * sent as journal fields, and appended as " [KEY=value ...]" on stderr.
 */
void log_ev(int prio, const char *msgid, const char *const *fields,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define log_err(...)	log_ev(LOG_ERR, NULL, NULL, __VA_ARGS__)
#define log_warn(...)	log_ev(LOG_WARNING, NULL, NULL, __VA_ARGS__)
#define log_info(...)	log_ev(LOG_INFO, NULL, NULL, __VA_ARGS__)

#endif
