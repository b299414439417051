/* SPDX-License-Identifier: MIT */
/* The handle: opening for a product, the checks (by name and by
 * pre-resolved handle), the product's state, and closing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

/* The caller's options, from a struct of the size it was built with. */
static int
read_options(const struct licd_options *in, struct licd_options *o)
{
	const unsigned char *extra;
	size_t i;

	memset(o, 0, sizeof(*o));
	if (in != NULL) {
		if (in->size < sizeof(in->size))
			return -LICD_E_ARGUMENT;
		memcpy(o, in, in->size < sizeof(*o) ? in->size : sizeof(*o));
		/* A newer caller's fields must be unset: we cannot honour
		 * what we do not know. */
		extra = (const unsigned char *)in;
		for (i = sizeof(*o); i < in->size; i++)
			if (extra[i] != 0)
				return -LICD_E_ARGUMENT;
	}
	o->size = sizeof(*o);
	if ((o->flags & ~LICD_OPEN_NO_ENV) != 0 || o->timeout_ms < 0 ||
	    o->timeout_ms > LICD_MAX_TIMEOUT_MS)
		return -LICD_E_ARGUMENT;
	if (o->timeout_ms == 0)
		o->timeout_ms = LICD_DEFAULT_TIMEOUT_MS;
	return 0;
}

static int
set_paths(licd_t *h, const struct licd_options *o)
{
	const char *dir = o->runtime_dir;
	int n;

	if (dir == NULL && !(o->flags & LICD_OPEN_NO_ENV))
		dir = secure_getenv(LICD_RUNTIME_DIR_ENV);
	if (dir == NULL || dir[0] == '\0')
		dir = LICD_DEFAULT_RUNTIME_DIR;
	n = snprintf(h->snap_path, sizeof(h->snap_path), "%s/%s", dir,
	    SNAP_FILE);
	if (n < 0 || (size_t)n >= sizeof(h->snap_path))
		return -LICD_E_ARGUMENT;
	if (o->socket_path != NULL)
		n = snprintf(h->sock_path, sizeof(h->sock_path), "%s",
		    o->socket_path);
	else
		n = snprintf(h->sock_path, sizeof(h->sock_path), "%s/licd.sock",
		    dir);
	if (n <= 0 || (size_t)n >= sizeof(h->sock_path))
		return -LICD_E_ARGUMENT;
	return 0;
}

static void
destroy(licd_t *h)
{
	conn_free_all(h);
	view_close(h);
	names_free(&h->features);
	names_free(&h->purposes);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

int
licd_open(const char *product, const struct licd_options *opts,
    licd_t **out)
{
	struct licd_options o;
	licd_t *h;
	int r;

	if (out == NULL)
		return -LICD_E_ARGUMENT;
	*out = NULL;
	if (!names_valid(product) || (r = read_options(opts, &o)) < 0)
		return -LICD_E_ARGUMENT;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return -LICD_E_NO_MEMORY;
	if (pthread_mutex_init(&h->lock, NULL) != 0) {
		free(h);
		return -LICD_E_NO_MEMORY;
	}
	names_set(&h->product, product);
	h->timeout_ms = o.timeout_ms;
	if ((r = set_paths(h, &o)) < 0 ||
	    (r = names_init(&h->features, LICD_MAX_FEATURES + 1)) < 0 ||
	    (r = names_init(&h->purposes, LICD_MAX_PURPOSES)) < 0)
		goto fail;
	names_reserve_empty(&h->features);
	conn_atfork_init();
	if (conn_get(h) == NULL) {
		r = -LICD_E_NO_MEMORY;
		goto fail;
	}
	view_open(h);		/* licd may not be up yet: that is fine */
	conn_register(h);
	*out = h;
	return 0;
 fail:
	destroy(h);
	return r;
}

void
licd_close(licd_t *h)
{
	if (h == NULL)
		return;
	conn_unregister(h);
	destroy(h);
}

static int
allow(licd_reason_t *reason)
{
	if (reason != NULL)
		*reason = LICD_REASON_NONE;
	return 1;
}

static int
deny(licd_reason_t r, licd_reason_t *reason)
{
	if (reason != NULL)
		*reason = r;
	return 0;
}

int
licd_check(licd_t *h, const char *feature, const char *purpose,
    licd_reason_t *reason)
{
	struct lc_name fraw, praw;
	const struct lc_name *fn, *pn = NULL;
	int32_t f, p = (int32_t)LC_NO_HANDLE;

	if (h == NULL)
		return deny(LICD_REASON_DAEMON_UNAVAILABLE, reason);
	f = names_resolve(h, &h->features, feature);
	if (f == -LICD_E_ARGUMENT)
		return deny(LICD_REASON_NOT_LICENSED, reason);
	if (f >= 0) {
		fn = &h->features.ent[f];
	} else {	/* the table is full: look the name up directly */
		names_set(&fraw, feature);
		fn = &fraw;
		f = (int32_t)LC_NO_HANDLE;
	}
	if (purpose != NULL) {
		p = names_resolve(h, &h->purposes, purpose);
		if (p == -LICD_E_ARGUMENT)
			return deny(LICD_REASON_PURPOSE_NOT_PERMITTED, reason);
		if (p >= 0) {
			pn = &h->purposes.ent[p];
		} else {
			names_set(&praw, purpose);
			pn = &praw;
			p = (int32_t)LC_NO_HANDLE;
		}
	}
	if (view_fast(h, (uint32_t)f, (uint32_t)p, pn != NULL))
		return allow(reason);
	return view_check(h, (uint32_t)f, fn, (uint32_t)p, pn, reason);
}

licd_feature_t
licd_feature_resolve(licd_t *h, const char *feature)
{
	if (h == NULL)
		return -LICD_E_ARGUMENT;
	return names_resolve(h, &h->features, feature);
}

licd_purpose_t
licd_purpose_resolve(licd_t *h, const char *purpose)
{
	if (h == NULL)
		return -LICD_E_ARGUMENT;
	return names_resolve(h, &h->purposes, purpose);
}

int
licd_check_handle(licd_t *h, licd_feature_t feature, licd_purpose_t purpose,
    licd_reason_t *reason)
{
	const struct lc_name *fn, *pn = NULL;

	if (h == NULL)
		return deny(LICD_REASON_DAEMON_UNAVAILABLE, reason);
	/* Handles are below the table's count: the cached place says the
	 * rest (a handle never checked has no cached place). */
	if (feature > LC_PRODUCT_ROW && feature <= LICD_MAX_FEATURES &&
	    (purpose == LICD_PURPOSE_NONE ||
	    (purpose >= 0 && purpose < LICD_MAX_PURPOSES)) &&
	    view_fast(h, (uint32_t)feature, (uint32_t)purpose,
	    purpose != LICD_PURPOSE_NONE))
		return allow(reason);
	if (feature == LC_PRODUCT_ROW ||
	    (fn = names_get(&h->features, feature)) == NULL)
		return deny(LICD_REASON_NOT_LICENSED, reason);
	if (purpose != LICD_PURPOSE_NONE &&
	    (pn = names_get(&h->purposes, purpose)) == NULL)
		return deny(LICD_REASON_PURPOSE_NOT_PERMITTED, reason);
	return view_check(h, (uint32_t)feature, fn, (uint32_t)purpose, pn,
	    reason);
}

int
licd_state(licd_t *h, licd_state_t *state, licd_reason_t *reason)
{
	licd_state_t st;
	licd_reason_t why;
	uint64_t digest;

	if (h == NULL)
		return -LICD_E_ARGUMENT;
	view_state(h, &st, &why, &digest);
	if (state != NULL)
		*state = st;
	if (reason != NULL)
		*reason = why;
	return 0;
}
