/* SPDX-License-Identifier: MIT */
/* Receipts: the payload built in the schema's order, proved decodable by
 * the common decoder, signed by the device key, stored once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ltime.h"
#include "receipt.h"

/* The signed message of r, checked against the schema. */
static int
receipt_msg(const struct devkey *k, const struct receipt *r, char **msg,
    struct lerr *e)
{
	struct receipt *check;
	char t[LTIME_LEN + 1];
	json_t *o;
	int ret;

	*msg = NULL;
	ltime_format(r->iat, t);
	o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "device", k->kid,
	    "lid", r->lid, "iat", t, "event", r->event, "seq",
	    (json_int_t)r->seq, "state", lstate_name(r->state) ?
	    lstate_name(r->state) : "?", "audit", r->audit);
	if (o == NULL || (*msg = json_dumps(o, JSON_COMPACT |
	    JSON_PRESERVE_ORDER)) == NULL) {
		json_decref(o);
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	}
	json_decref(o);
	if ((check = malloc(sizeof(*check))) == NULL)
		ret = lerr_set(e, LICD_E_NOMEM, "out of memory");
	else if ((ret = pl_decode_receipt((const uint8_t *)*msg, strlen(*msg),
	    check, e)) < 0)
		lerr_prefix(e, "receipt");
	free(check);
	if (ret < 0) {
		free(*msg);
		*msg = NULL;
	}
	return ret;
}

int
receipt_issue(struct store *s, const struct devkey *k,
    const struct receipt *r, uint64_t serial, char *name, struct lerr *e)
{
	char fname[STORE_NAME_MAX + 1], *msg = NULL, *doc = NULL;
	size_t len;
	int ret;

	if ((ret = receipt_msg(k, r, &msg, e)) < 0)
		return ret;
	if ((ret = devkey_sign(k, DOC_RECEIPT, msg, strlen(msg), &doc, &len,
	    e)) < 0)
		goto out;
	snprintf(fname, sizeof(fname), "%020llu-%s%s%s.receipt",
	    (unsigned long long)serial, r->event, r->lid[0] ? "-" : "",
	    r->lid);
	if ((ret = store_outbox_put(s, fname, doc, len, e)) < 0)
		goto out;
	if (name != NULL)
		memcpy(name, fname, strlen(fname) + 1);
 out:
	free(doc);
	free(msg);
	return ret;
}
