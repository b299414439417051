/* SPDX-License-Identifier: MIT */
/* Counted, audited uses: acquire and release over licd.sock, and the
 * table of leases this process holds, so that a revocation or a lost
 * connection can be reported for each. */
#include <stdlib.h>
#include <string.h>

#include "client.h"

struct lc_lease *
lease_find(struct lc_conn *c, licd_lease_t id)
{
	size_t i;

	for (i = 0; i < c->nleases; i++)
		if (c->leases[i].id == id)
			return &c->leases[i];
	return NULL;
}

void
lease_end(struct lc_conn *c, licd_lease_t id, licd_reason_t why)
{
	struct lc_lease *l = lease_find(c, id);

	if (l != NULL && !l->ended) {
		l->ended = true;
		/* A revocation always denies, even with a code we lack. */
		l->why = why != LICD_REASON_NONE ? why : LICD_REASON_OTHER;
	}
}

static void
lease_remove(struct lc_conn *c, struct lc_lease *l)
{
	*l = c->leases[--c->nleases];
}

/* Room for one more lease, made before asking, so that a granted lease
 * can always be recorded. */
static int
lease_reserve(struct lc_conn *c)
{
	struct lc_lease *p;
	size_t cap;

	if (c->nleases >= LICD_MAX_LEASES)
		return -LICD_E_TOO_MANY;
	if (c->nleases < c->leases_cap)
		return 0;
	cap = c->leases_cap ? c->leases_cap * 2 : 16;
	if (cap > LICD_MAX_LEASES)
		cap = LICD_MAX_LEASES;
	if ((p = realloc(c->leases, cap * sizeof(*p))) == NULL)
		return -LICD_E_NO_MEMORY;
	c->leases = p;
	c->leases_cap = cap;
	return 0;
}

/* A case reference goes into licd's audit log: bounded, no control
 * characters (no forged log lines). */
static int
case_ok(const char *s)
{
	size_t i;

	if (s == NULL)
		return 1;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= LICD_CASE_MAX || (unsigned char)s[i] < 0x20 ||
		    s[i] == 0x7f)
			return 0;
	return 1;
}

/* The reason that goes with an error from acquire. */
static licd_reason_t
reason_for(int r)
{
	switch (-r) {
	case LICD_E_UNAVAILABLE:
	case LICD_E_TIMEOUT:
	case LICD_E_PROTOCOL:
	case LICD_E_NOT_SUPPORTED:
		return LICD_REASON_DAEMON_UNAVAILABLE;
	default:
		return LICD_REASON_OTHER;
	}
}

/* Interpret licd's answer to ACQUIRE. */
static int
acquired(struct lc_conn *c, const struct proto_msg *rep, licd_lease_t *lease,
    licd_reason_t *why)
{
	const struct proto_bytes *rs;

	switch (rep->type) {
	case PROTO_R_LEASE:
		if (rep->u.lease.lease == 0 ||
		    lease_find(c, rep->u.lease.lease) != NULL)
			return -LICD_E_PROTOCOL;
		c->leases[c->nleases].id = rep->u.lease.lease;
		c->leases[c->nleases].ended = false;
		c->leases[c->nleases].why = LICD_REASON_NONE;
		c->nleases++;
		*lease = rep->u.lease.lease;
		return 0;
	case PROTO_R_DECISION:
		if (rep->u.decision.allowed)
			return -LICD_E_PROTOCOL;	/* allowed, no lease? */
		rs = &rep->u.decision.reason;
		break;
	case PROTO_R_ERROR:
		rs = &rep->u.error.reason;
		if (rs->len == 15 && memcmp(rs->p, "not-implemented", 15) == 0)
			return -LICD_E_NOT_SUPPORTED;
		break;
	default:
		return -LICD_E_PROTOCOL;
	}
	*why = reason_parse((const char *)rs->p, rs->len);
	if (*why == LICD_REASON_NONE)
		*why = LICD_REASON_OTHER;
	return -LICD_E_DENIED;
}

/* One request, on a connection made if needed; a connection that turns
 * out dead (licd restarted since) is replaced once. */
static int
exchange(licd_t *h, struct lc_conn *c, struct proto_msg *req,
    struct proto_msg *rep, uint8_t *buf, const struct timespec *dl)
{
	bool was_connected;
	int r, attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		was_connected = c->fd >= 0;
		if ((r = conn_ensure(h, c, dl)) < 0)
			return r;
		r = conn_call(h, c, req, rep, buf, dl);
		if (r != -LICD_E_UNAVAILABLE || !was_connected)
			return r;
	}
	return r;
}

int
licd_acquire(licd_t *h, const char *feature, const char *purpose,
    const char *case_ref, licd_lease_t *lease, licd_reason_t *reason)
{
	struct proto_msg req = { .type = PROTO_ACQUIRE }, rep;
	licd_reason_t why = LICD_REASON_OTHER;
	uint8_t buf[LC_RX_MAX];
	struct timespec dl;
	struct lc_conn *c;
	int r;

	if (lease != NULL)
		*lease = 0;
	if (h == NULL || lease == NULL || !names_valid(feature) ||
	    !names_valid(purpose) || !case_ok(case_ref)) {
		r = -LICD_E_ARGUMENT;
		goto out;
	}
	if ((c = conn_get(h)) == NULL) {
		r = -LICD_E_NO_MEMORY;
		goto out;
	}
	conn_deadline(h, &dl);
	if ((r = conn_lock(c, &dl)) < 0)
		goto out;
	req.u.acquire.product = proto_str(h->product.name);
	req.u.acquire.feature = proto_str(feature);
	req.u.acquire.purpose = proto_str(purpose);
	req.u.acquire.case_ref = proto_str(case_ref != NULL ? case_ref : "");
	if ((r = lease_reserve(c)) == 0 &&
	    (r = exchange(h, c, &req, &rep, buf, &dl)) == 0)
		r = acquired(c, &rep, lease, &why);
	if (r == -LICD_E_PROTOCOL)
		conn_lost(h, c);	/* an answer that makes no sense */
	if (r < 0 && r != -LICD_E_DENIED)
		why = reason_for(r);
	pthread_mutex_unlock(&c->lock);
 out:
	if (reason != NULL)
		*reason = r == 0 ? LICD_REASON_NONE : why;
	return r;
}

int
licd_release(licd_t *h, licd_lease_t lease)
{
	struct proto_msg req = { .type = PROTO_RELEASE }, rep;
	uint8_t buf[LC_RX_MAX];
	struct timespec dl;
	struct lc_conn *c;
	struct lc_lease *l;
	int r;

	if (h == NULL || lease == 0)
		return -LICD_E_ARGUMENT;
	if ((c = conn_get(h)) == NULL)
		return -LICD_E_NO_MEMORY;
	conn_deadline(h, &dl);
	if ((r = conn_lock(c, &dl)) < 0)
		return r;
	if ((l = lease_find(c, lease)) == NULL) {
		pthread_mutex_unlock(&c->lock);
		return -LICD_E_NO_LEASE;
	}
	/*
	 * Whatever happens now, the lease ends: licd confirms, or says it
	 * was gone already, or the exchange fails and the connection that
	 * held it is closed (which ends it in licd).
	 */
	if (!l->ended && c->fd >= 0) {
		req.u.release.lease = lease;
		conn_call(h, c, &req, &rep, buf, &dl);
	}
	if ((l = lease_find(c, lease)) != NULL)
		lease_remove(c, l);
	pthread_mutex_unlock(&c->lock);
	return 0;
}
