/* SPDX-License-Identifier: MIT */
/* What licd tells people: the status of DESIGN 6 (JSON and a readable
 * summary), the one-line sd_notify STATUS=, `licctl explain` and the
 * Prometheus metrics, all from the engine's last evaluation. The formats
 * are documented in doc/licctl-output.md. */
#ifndef LICD_RENDER_H
#define LICD_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "engine.h"
#include "leases.h"

/* Everything a rendering reads. */
struct render_ctx {
	const struct engine *eng;
	const struct leases *leases;
	const char *device;		/* k4.pid */
	bool pinned;
};

/* Extra gauges of the daemon for the metrics. */
struct render_daemon {
	size_t connections;
	uint64_t audit_lines;
	bool store_ok;
	bool audit_ok;
	uint64_t snapshot_generation;
};

/* The reason codes of lv (pol_cause_name() per cause, plus "unverified"
 * for a lid whose stored documents failed at start), comma-separated. */
void render_causes(const struct render_ctx *c,
    const struct pol_licence_view *lv, char *out, size_t cap);

/* The leases in use per feature of lic[i] (0 unless it governs its
 * product), into in_use[PL_MAX_FEATURES]. */
void render_in_use(const struct render_ctx *c, size_t i, uint32_t *in_use);

/* DESIGN 6: the envelope with every licence. New reference or NULL. */
json_t *render_status_json(const struct render_ctx *c);

/* The readable status (malloc'd, NUL-terminated, *len bytes). */
char *render_status_text(const struct render_ctx *c, size_t *len);

/* One line for sd_notify STATUS=, e.g. "IL-2026-0042 restricted by order
 * 7; status fresh until 2026-11-28T10:00:00Z". */
void render_summary(const struct render_ctx *c, char *out, size_t cap);

/*
 * Which documents and rules decide product/feature (malloc'd text).
 * NULL with *code = LICD_E_NOT_FOUND when the product has no licence or
 * the licence no such feature, LICD_E_NOMEM on allocation failure.
 */
char *render_explain(const struct render_ctx *c, const char *product,
    const char *feature, size_t *len, int *code);

/* Prometheus text exposition (malloc'd). */
char *render_metrics(const struct render_ctx *c,
    const struct render_daemon *dm, size_t *len);

#endif
