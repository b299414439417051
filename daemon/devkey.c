/* SPDX-License-Identifier: MIT */
/* The device key: created with libsodium on first start, stored as a
 * PASERK k4.secret readable by its owner only, held in guarded memory. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "devkey.h"
#include "doc.h"
#include "ltime.h"
#include "store.h"

static struct devkey *
devkey_alloc(void)
{
	struct devkey *k;

	if (sodium_init() < 0 || (k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	if ((k->sk = sodium_malloc(TOK_SK_LEN)) == NULL) {
		free(k);
		return NULL;
	}
	return k;
}

void
devkey_free(struct devkey *k)
{
	if (k == NULL)
		return;
	sodium_free(k->sk);	/* wipes before freeing */
	sodium_memzero(k, sizeof(*k));
	free(k);
}

/* Fill the public parts from sk. */
static void
devkey_derive(struct devkey *k)
{
	memcpy(k->pk, k->sk + 32, TOK_PK_LEN);
	paserk_pid(k->pk, k->kid);
	paserk_public_encode(k->pk, k->pub);
}

/* A key file must be ours and unreadable by anybody else. */
static int
check_key_file(int fd, const char *path, struct lerr *e)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return lerr_set(e, LICD_E_IO, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return lerr_set(e, LICD_E_KEY, "%s: not a regular file", path);
	if (st.st_uid != geteuid())
		return lerr_set(e, LICD_E_KEY, "%s: owned by uid %u, not uid "
		    "%u; refusing", path, (unsigned)st.st_uid,
		    (unsigned)geteuid());
	if (st.st_mode & 077)
		return lerr_set(e, LICD_E_KEY, "%s: mode %04o gives access to "
		    "group or others; refusing (chmod 0600)", path,
		    (unsigned)(st.st_mode & 07777));
	return 0;
}

/* Read at most PASERK_SECRET_LEN + 1 bytes into a guarded buffer. */
static int
read_secret(int fd, char *text, size_t cap, size_t *len)
{
	ssize_t n;

	*len = 0;
	while (*len < cap) {
		n = read(fd, text + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	return 0;
}

static int
load_fd(int fd, const char *path, struct devkey **out, struct lerr *e)
{
	const size_t cap = PASERK_SECRET_LEN + 2;
	struct devkey *k = NULL;
	char *text = NULL;
	size_t len;
	int r;

	if ((r = check_key_file(fd, path, e)) < 0)
		return r;
	if ((k = devkey_alloc()) == NULL || (text = sodium_malloc(cap)) ==
	    NULL) {
		r = lerr_set(e, LICD_E_NOMEM, "out of memory");
		goto out;
	}
	if ((r = read_secret(fd, text, cap, &len)) < 0) {
		r = lerr_set(e, LICD_E_IO, "%s: %s", path, strerror(-r));
		goto out;
	}
	if (len == PASERK_SECRET_LEN + 1 && text[len - 1] == '\n')
		len--;
	if (len != PASERK_SECRET_LEN || paserk_secret_decode(text, len, k->sk,
	    NULL) != 0) {
		r = lerr_set(e, LICD_E_KEY, "%s: not one k4.secret key and an "
		    "optional newline", path);
		goto out;
	}
	devkey_derive(k);
	*out = k;
	k = NULL;
	r = 0;
 out:
	sodium_free(text);
	devkey_free(k);
	return r;
}

int
devkey_load(const char *path, struct devkey **out, struct lerr *e)
{
	int fd, r;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return lerr_set(e, errno == ENOENT ? LICD_E_NOT_FOUND :
		    LICD_E_KEY, "%s: %s", path, strerror(errno));
	r = load_fd(fd, path, out, e);
	close(fd);
	return r;
}

/* Make a new key and write it with store_write_at(noreplace): the
 * temporary file is O_EXCL|O_NOFOLLOW 0600 and link() never overwrites. */
static int
create_key(int dirfd, const char *dir, struct devkey **out, struct lerr *e)
{
	struct devkey *k;
	char *text = NULL;
	int r;

	if ((k = devkey_alloc()) == NULL ||
	    (text = sodium_malloc(PASERK_SECRET_LEN + 2)) == NULL) {
		r = lerr_set(e, LICD_E_NOMEM, "out of memory");
		goto out;
	}
	crypto_sign_keypair(k->pk, k->sk);
	paserk_secret_encode(k->sk, text);
	text[PASERK_SECRET_LEN] = '\n';
	if ((r = store_write_at(dirfd, dir, DEVKEY_FILE, text,
	    PASERK_SECRET_LEN + 1, 0600, 1, e)) < 0)
		goto out;
	devkey_derive(k);
	*out = k;
	k = NULL;
	r = 0;
 out:
	sodium_free(text);
	devkey_free(k);
	return r;
}

int
devkey_open(const char *state_dir, struct devkey **out, int *created,
    struct lerr *e)
{
	char path[1200];
	int dirfd, fd, r;

	*out = NULL;
	*created = 0;
	snprintf(path, sizeof(path), "%s/%s", state_dir, DEVKEY_FILE);
	dirfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (dirfd < 0)
		return lerr_set(e, LICD_E_IO, "%s: %s", state_dir,
		    strerror(errno));
	fd = openat(dirfd, DEVKEY_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		r = create_key(dirfd, state_dir, out, e);
		if (r == 0)
			*created = 1;
		/* Lost a race with another start: use the winner's key. */
		if (r < 0 && (fd = openat(dirfd, DEVKEY_FILE, O_RDONLY |
		    O_NOFOLLOW | O_CLOEXEC)) >= 0) {
			lerr_clear(e);
			r = load_fd(fd, path, out, e);
			close(fd);
		}
	} else if (fd < 0) {
		r = lerr_set(e, LICD_E_KEY, "%s: %s", path, strerror(errno));
	} else {
		r = load_fd(fd, path, out, e);
		close(fd);
	}
	close(dirfd);
	return r;
}

int
devkey_sign(const struct devkey *k, enum doc_type t, const char *msg,
    size_t msglen, char **doc, size_t *len, struct lerr *e)
{
	const char *ia = doc_implicit(t);
	char footer[128], *tok = NULL;
	size_t n;
	int r;

	*doc = NULL;
	*len = 0;
	if (ia == NULL || doc_footer(k->kid, t, footer, sizeof(footer)) != 0)
		return lerr_set(e, LICD_E_USAGE, "devkey: bad document type");
	if ((r = tok_sign(k->sk, (const uint8_t *)msg, msglen,
	    (const uint8_t *)footer, strlen(footer), (const uint8_t *)ia,
	    strlen(ia), &tok)) < 0)
		return lerr_set(e, -r, "devkey: cannot sign: %s",
		    lerr_reason(r));
	n = strlen(tok);
	if ((*doc = realloc(tok, n + 2)) == NULL) {
		free(tok);
		return lerr_set(e, LICD_E_NOMEM, "out of memory");
	}
	(*doc)[n] = '\n';
	(*doc)[n + 1] = '\0';
	*len = n + 1;
	return 0;
}

/* The first line of a small file, without its LF; "" when unreadable. */
static void
read_first_line(const char *path, char out[PL_HOSTID_MAX + 1])
{
	char buf[PL_HOSTID_MAX + 2];
	size_t n;
	FILE *f;

	out[0] = '\0';
	if ((f = fopen(path, "re")) == NULL)
		return;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > PL_HOSTID_MAX || memchr(buf, '\0', n) != NULL)
		return;
	memcpy(out, buf, n);
	out[n] = '\0';
}

/* Lower-case hex digits and dashes exactly where a pattern has them. */
static int
shape_ok(const char *s, const char *pattern)
{
	size_t i;

	if (strlen(s) != strlen(pattern))
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (pattern[i] == '-' ? s[i] != '-' : !((s[i] >= '0' &&
		    s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/*
 * The host ids as the request schema wants them (common/payload_device.c):
 * machine_id is 32 lower-case hex digits and required; product_uuid is
 * 8-4-4-4-12 lower-case hex, or "" when the machine has none or it cannot
 * be read (it is root-only on most systems).
 */
static int
host_ids(const char *mid_path, const char *uuid_path,
    char mid[PL_HOSTID_MAX + 1], char uuid[PL_HOSTID_MAX + 1],
    struct lerr *e)
{
	size_t i;

	read_first_line(mid_path, mid);
	if (!shape_ok(mid, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"))
		return lerr_set(e, LICD_E_IO, "%s: not readable or not 32 "
		    "lower-case hex digits; an activation request needs the "
		    "machine id", mid_path);
	read_first_line(uuid_path, uuid);
	for (i = 0; uuid[i] != '\0'; i++)
		if (uuid[i] >= 'A' && uuid[i] <= 'F')
			uuid[i] = (char)(uuid[i] - 'A' + 'a');
	if (!shape_ok(uuid, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"))
		uuid[0] = '\0';
	return 0;
}

int
devkey_request(const struct devkey *k, int64_t iat,
    const char *machine_id_path, const char *product_uuid_path, char **doc,
    size_t *len, struct lerr *e)
{
	char mid[PL_HOSTID_MAX + 1], uuid[PL_HOSTID_MAX + 1];
	char t[LTIME_LEN + 1], *msg = NULL;
	json_t *o;
	int r;

	*doc = NULL;
	*len = 0;
	if ((r = host_ids(machine_id_path ? machine_id_path :
	    DEVKEY_MACHINE_ID, product_uuid_path ? product_uuid_path :
	    DEVKEY_PRODUCT_UUID, mid, uuid, e)) < 0)
		return r;
	ltime_format(iat, t);
	o = json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "device", k->kid,
	    "key", k->pub, "iat", t, "host", "machine_id", mid,
	    "product_uuid", uuid);
	if (o == NULL || (msg = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL) {
		r = lerr_set(e, LICD_E_NOMEM, "out of memory");
		goto out;
	}
	r = devkey_sign(k, DOC_REQUEST, msg, strlen(msg), doc, len, e);
 out:
	free(msg);
	json_decref(o);
	return r;
}
