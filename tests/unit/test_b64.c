/* SPDX-License-Identifier: MIT */
/* Unit tests for common/b64.c: RFC 4648 answers, and one test per rule of
 * strict base64url (DESIGN 3.1), each checking the error it must give. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "b64.h"
#include "lerr.h"

static int
dec(const char *s, uint8_t *out, size_t max, size_t *n)
{
	return b64_decode(s, strlen(s), out, max, n);
}

/* RFC 4648 §10 (these have no '+' or '/', so also base64url), unpadded. */
static void
test_rfc4648(void **state)
{
	static const char *const bin[] = { "", "f", "fo", "foo", "foob",
	    "fooba", "foobar" };
	static const char *const txt[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg",
	    "Zm9vYmE", "Zm9vYmFy" };
	uint8_t out[16];
	char enc[16];
	size_t k, n;

	(void)state;
	for (k = 0; k < 7; k++) {
		assert_int_equal(b64_encode((const uint8_t *)bin[k],
		    strlen(bin[k]), enc, sizeof(enc)), 0);
		assert_string_equal(enc, txt[k]);
		assert_int_equal(strlen(enc), B64_ENCODED_LEN(strlen(bin[k])));
		assert_null(b64_invalid(txt[k], strlen(txt[k])));
		assert_int_equal(dec(txt[k], out, sizeof(out), &n), 0);
		assert_int_equal(n, strlen(bin[k]));
		assert_int_equal(B64_DECODED_LEN(strlen(txt[k])), n);
		assert_memory_equal(out, bin[k], n);
	}
}

/* The two URL-safe characters decode; '+' and '/' (standard) do not. */
static void
test_urlsafe_alphabet(void **state)
{
	const uint8_t bin[3] = { 0xfb, 0xff, 0xbf };
	uint8_t out[3];
	char enc[8];
	size_t n;

	(void)state;
	assert_int_equal(b64_encode(bin, 3, enc, sizeof(enc)), 0);
	assert_string_equal(enc, "-_-_");
	assert_int_equal(dec("-_-_", out, 3, &n), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(out, bin, 3);
	assert_int_equal(dec("+/+/", out, 3, &n), -LICD_E_TOKEN);
	assert_int_equal(n, 0);
	assert_int_equal(dec("-_+_", out, 3, &n), -LICD_E_TOKEN);
	assert_int_equal(dec("-_-/", out, 3, &n), -LICD_E_TOKEN);
	assert_string_equal(b64_invalid("-_+_", 4),
	    "has a character outside the URL-safe alphabet");
}

static void
test_reject_padding(void **state)
{
	uint8_t out[8];
	size_t n;

	(void)state;
	assert_int_equal(dec("Zg==", out, sizeof(out), &n), -LICD_E_TOKEN);
	assert_int_equal(dec("Zm8=", out, sizeof(out), &n), -LICD_E_TOKEN);
	assert_int_equal(dec("Zg=", out, sizeof(out), &n), -LICD_E_TOKEN);
	assert_int_equal(dec("====", out, sizeof(out), &n), -LICD_E_TOKEN);
	assert_int_equal(dec("Zm9v=", out, sizeof(out), &n), -LICD_E_TOKEN);
	assert_string_equal(b64_invalid("Zg==", 4), "has '=' padding");
}

static void
test_reject_other_bytes(void **state)
{
	static const char *const bad[] = { "Zm9 v", "Zm9v\n", " Zm9", "Zm.v",
	    "Zm9v\t", "Zm\xc3\xa9", "Zm9*" };
	const char nul[4] = { 'Z', 'm', '\0', 'v' };
	uint8_t out[8];
	size_t k, n;

	(void)state;
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		assert_int_equal(dec(bad[k], out, sizeof(out), &n),
		    -LICD_E_TOKEN);
		assert_non_null(b64_invalid(bad[k], strlen(bad[k])));
	}
	assert_int_equal(b64_decode(nul, 4, out, sizeof(out), &n),
	    -LICD_E_TOKEN);
}

/* Every byte value: exactly the 64 alphabet characters are accepted. */
static void
test_every_byte(void **state)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	char s[4] = { 'A', 'A', 'A', 'A' };
	uint8_t out[3];
	size_t n;
	int c, accepted = 0;

	(void)state;
	for (c = 0; c < 256; c++) {
		s[2] = (char)c;
		if (b64_decode(s, 4, out, 3, &n) == 0) {
			accepted++;
			assert_non_null(memchr(alpha, c, 64));
			assert_int_equal((out[1] & 0x0f) << 2 | out[2] >> 6,
			    (int)(strchr(alpha, c) - alpha));
		} else {
			assert_true(c == 0 || memchr(alpha, c, 64) == NULL);
		}
	}
	assert_int_equal(accepted, 64);
}

static void
test_reject_len_mod4_1(void **state)
{
	uint8_t out[8];
	size_t n;

	(void)state;
	assert_int_equal(dec("Z", out, sizeof(out), &n), -LICD_E_TOKEN);
	assert_int_equal(dec("Zm9vY", out, sizeof(out), &n), -LICD_E_TOKEN);
	assert_int_equal(dec("Zm9vYmFyZ", out, sizeof(out), &n),
	    -LICD_E_TOKEN);
	assert_string_equal(b64_invalid("Zm9vY", 5), "has an impossible length");
}

/*
 * Non-zero trailing bits: for each of the 64 last characters of a 2- and a
 * 3-character group, accepted iff its unused bits are zero, and then
 * re-encoding gives back the same text (one text per byte string).
 */
static void
test_reject_trailing_bits(void **state)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	char s[4], re[8];
	uint8_t out[4];
	size_t n, len;
	int v, ok2 = 0, ok3 = 0;

	(void)state;
	for (len = 2; len <= 3; len++) {
		for (v = 0; v < 64; v++) {
			memcpy(s, "Zm9", 3);
			s[len - 1] = alpha[v];
			int mask = len == 2 ? 0x0f : 0x03;
			int r = b64_decode(s, len, out, sizeof(out), &n);
			if ((v & mask) != 0) {
				assert_int_equal(r, -LICD_E_TOKEN);
				assert_string_equal(b64_invalid(s, len),
				    "has non-zero trailing bits");
				continue;
			}
			assert_int_equal(r, 0);
			assert_int_equal(n, len - 1);
			assert_int_equal(b64_encode(out, n, re, sizeof(re)), 0);
			assert_memory_equal(re, s, len);
			*(len == 2 ? &ok2 : &ok3) += 1;
		}
	}
	assert_int_equal(ok2, 4);
	assert_int_equal(ok3, 16);
	/* The classic example: "Zh" and "Zm9" differ from "Zg", "Zm8" only
	 * in bits that encode nothing. */
	assert_int_equal(dec("Zh", out, sizeof(out), &n), -LICD_E_TOKEN);
	assert_int_equal(dec("Zm9", out, sizeof(out), &n), -LICD_E_TOKEN);
}

static void
test_output_bound(void **state)
{
	uint8_t out[8];
	size_t n = 99;

	(void)state;
	assert_int_equal(dec("Zm9vYmFy", out, 5, &n), -LICD_E_TOO_LARGE);
	assert_int_equal(n, 0);
	assert_int_equal(dec("Zm9vYmFy", out, 6, &n), 0);
	assert_int_equal(n, 6);
	assert_int_equal(dec("", NULL, 0, &n), 0);
	assert_int_equal(n, 0);
	/* A malformed text is bad-token even with no room at all. */
	assert_int_equal(dec("Zg==", out, 0, &n), -LICD_E_TOKEN);
}

static void
test_encode_capacity(void **state)
{
	const uint8_t bin[4] = { 1, 2, 3, 4 };
	char out[8];

	(void)state;
	memset(out, 'x', sizeof(out));
	assert_int_equal(b64_encode(bin, 4, out, 6), -LICD_E_TOO_LARGE);
	assert_int_equal(out[0], 'x');
	assert_int_equal(b64_encode(bin, 4, out, 7), 0);
	assert_string_equal(out, "AQIDBA");
	assert_int_equal(b64_encode(bin, 0, out, 0), -LICD_E_TOO_LARGE);
	assert_int_equal(b64_encode(bin, SIZE_MAX, out, sizeof(out)),
	    -LICD_E_TOO_LARGE);
}

/* Random round trips, and every decode agrees with libsodium's own. */
static void
test_roundtrip_random(void **state)
{
	uint8_t bin[300], out[300], ref[300];
	char enc[401];
	size_t len, n, refn;
	const char *end;
	int iter;

	(void)state;
	for (iter = 0; iter < 2000; iter++) {
		len = randombytes_uniform(sizeof(bin) + 1);
		randombytes_buf(bin, len);
		assert_int_equal(b64_encode(bin, len, enc, sizeof(enc)), 0);
		assert_int_equal(strlen(enc), B64_ENCODED_LEN(len));
		assert_int_equal(b64_decode(enc, strlen(enc), out, sizeof(out),
		    &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(out, bin, len);
		if (len == 0)
			continue;
		assert_int_equal(sodium_base642bin(ref, sizeof(ref), enc,
		    strlen(enc), NULL, &refn, &end,
		    sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
		assert_int_equal(refn, len);
		assert_memory_equal(ref, bin, len);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648),
		cmocka_unit_test(test_urlsafe_alphabet),
		cmocka_unit_test(test_reject_padding),
		cmocka_unit_test(test_reject_other_bytes),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_reject_len_mod4_1),
		cmocka_unit_test(test_reject_trailing_bits),
		cmocka_unit_test(test_output_bound),
		cmocka_unit_test(test_encode_capacity),
		cmocka_unit_test(test_roundtrip_random),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
