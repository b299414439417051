/* SPDX-License-Identifier: MIT */
/* Strict base64url, the one decoder for tokens and keys: every byte string
 * has exactly one accepted text, so no token or key is malleable. */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "b64.h"
#include "lerr.h"

#define VARIANT	sodium_base64_VARIANT_URLSAFE_NO_PADDING

/*
 * Branch-free comparisons on bytes (as in libsodium's codecs): keys are
 * decoded here, so the time taken must not depend on their characters.
 * Each returns 0xff when true, 0 when false; x and y are below 256.
 */
static unsigned int
ct_lt(unsigned int x, unsigned int y)
{
	return ((x - y) >> 8) & 0xff;
}

static unsigned int
ct_eq(unsigned int x, unsigned int y)
{
	return (((0U - (x ^ y)) >> 8) & 0xff) ^ 0xff;
}

static unsigned int
ct_in(unsigned int c, unsigned int lo, unsigned int hi)
{
	return (ct_lt(c, lo) ^ 0xff) & ct_lt(c, hi + 1);
}

/* The 6-bit value of a URL-safe character, or 0xff for any other byte. */
static unsigned int
b64_val(unsigned char ch)
{
	unsigned int c = ch, up, lo, dig, dash, us;

	up = ct_in(c, 'A', 'Z');
	lo = ct_in(c, 'a', 'z');
	dig = ct_in(c, '0', '9');
	dash = ct_eq(c, '-');
	us = ct_eq(c, '_');
	return (up & (c - 'A')) | (lo & (c - 'a' + 26)) |
	    (dig & (c - '0' + 52)) | (dash & 62) | (us & 63) |
	    ((up | lo | dig | dash | us) ^ 0xff);
}

const char *
b64_invalid(const char *in, size_t len)
{
	unsigned int bad = 0, last;
	size_t i;

	for (i = 0; i < len; i++)
		bad |= b64_val((unsigned char)in[i]) >> 6;
	if (bad != 0)
		return memchr(in, '=', len) != NULL ? "has '=' padding" :
		    "has a character outside the URL-safe alphabet";
	if (len % 4 == 1)
		return "has an impossible length";
	if (len == 0)
		return NULL;
	/* The last character of a 2- or 3-character group carries 4 or 2
	 * bits that encode nothing; they must be zero. */
	last = b64_val((unsigned char)in[len - 1]);
	if ((len % 4 == 2 && (last & 0x0f) != 0) ||
	    (len % 4 == 3 && (last & 0x03) != 0))
		return "has non-zero trailing bits";
	return NULL;
}

int
b64_decode(const char *in, size_t len, uint8_t *out, size_t maxout,
    size_t *outlen)
{
	const char *end = NULL;
	size_t n, got = 0;

	*outlen = 0;
	if (b64_invalid(in, len) != NULL)
		return -LICD_E_TOKEN;
	n = B64_DECODED_LEN(len);
	if (n > maxout)
		return -LICD_E_TOO_LARGE;
	if (n == 0)
		return 0;
	/* libsodium does the decoding; the checks above only make its
	 * acceptance explicit, so both must agree on every input. */
	if (sodium_base642bin(out, maxout, in, len, NULL, &got, &end,
	    VARIANT) != 0 || end != in + len || got != n) {
		sodium_memzero(out, n);
		return -LICD_E_TOKEN;
	}
	*outlen = got;
	return 0;
}

int
b64_encode(const uint8_t *in, size_t n, char *out, size_t outcap)
{
	/* Bound n so that B64_ENCODED_LEN(n) + 1 cannot overflow. */
	if (n > SIZE_MAX / 4 * 3 - 3 || outcap < B64_ENCODED_LEN(n) + 1)
		return -LICD_E_TOO_LARGE;
	if (n == 0) {
		out[0] = '\0';
		return 0;
	}
	sodium_bin2base64(out, outcap, in, n, VARIANT);
	return 0;
}
