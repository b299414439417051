/* SPDX-License-Identifier: MIT */
/* The inbox (DESIGN 5.1): a directory watched with inotify where an
 * operator drops documents on an air-gapped system; each file is handed in
 * and moved to inbox/processed/ or inbox/rejected/ (with a .reason file). */
#ifndef LICD_INBOX_H
#define LICD_INBOX_H

#include <stddef.h>

#include <systemd/sd-event.h>

#include "lerr.h"

#define INBOX_DIR_PROCESSED	"processed"
#define INBOX_DIR_REJECTED	"rejected"

/* What became of a file. */
enum inbox_outcome {
	INBOX_TAKEN = 0,	/* accepted, pending, superseded or a no-op */
	INBOX_REJECTED,		/* reason says why */
	INBOX_RETRY,		/* could not be stored now: left in place */
};

/*
 * Hand in one file (name, its bytes). On INBOX_REJECTED, write the reason
 * line ("<reason-code>: <message>") into reason (cap bytes).
 */
typedef enum inbox_outcome (*inbox_fn)(void *ctx, const char *name,
    const void *buf, size_t len, char *reason, size_t cap);

struct inbox;

/*
 * Watch dir (which must exist; processed/ and rejected/ are created) for
 * files closed after writing or moved in, and hand in every file already
 * there. Files whose names begin with '.' are ignored (write them under a
 * dot name and rename them in). Errors: LICD_E_IO.
 */
int inbox_open(struct inbox **out, sd_event *ev, const char *dir,
    inbox_fn fn, void *ctx, struct lerr *e);

/* Hand in every file now in the directory (after a queue overflow, and
 * periodically for files left by INBOX_RETRY). */
void inbox_scan(struct inbox *ib);

void inbox_close(struct inbox *ib);

#endif
