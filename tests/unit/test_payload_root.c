/* SPDX-License-Identifier: MIT */
/* Unit tests for the root decoder (common/payload_root.c): DESIGN's example
 * decodes, and every rule of DESIGN 3.4 for roots has a case that breaks
 * exactly that rule and checks the error and the field it names. */
#include <sodium.h>

#include "payload_cases.h"

#define Q(s) "\"" s "\""

#define KEYS_OBJ "{" \
	Q(K1_PID) ":{\"key\":" Q(K1_PUB) ",\"name\":\"MoD export control 1\"}," \
	Q(K2_PID) ":{\"key\":" Q(K2_PUB) ",\"name\":\"MoD export control 2\"}," \
	Q(K3_PID) ":{\"key\":" Q(K3_PUB) ",\"name\":\"Licensing office\"}," \
	Q(K4_PID) ":{\"key\":" Q(K4_PUB) ",\"name\":\"Foreign ministry\"}," \
	Q(K5_PID) ":{\"key\":" Q(K5_PUB) ",\"name\":\"Status service\"}}"

#define JROLE_ROOT "\"root\":{\"keys\":[" Q(K1_PID) "," Q(K2_PID) \
	"],\"threshold\":2}"
#define JROLE_LICENCE "\"licence\":{\"keys\":[" Q(K3_PID) "],\"threshold\":1}"
#define JROLE_ORDER "\"order\":{\"keys\":[" Q(K1_PID) "," Q(K2_PID) "," \
	Q(K4_PID) "],\"threshold\":2}"
#define JROLE_STATUS "\"status\":{\"keys\":[" Q(K5_PID) "],\"threshold\":1}"
#define ROLES_OBJ "{" JROLE_ROOT "," JROLE_LICENCE "," JROLE_ORDER "," \
	JROLE_STATUS "}"

/* DESIGN 3.4's example with A,B = K1,K2, C = K3, D = K4, E = K5. */
static const char root_base[] =
	"{\"ver\":1,\"iat\":\"2026-01-01T00:00:00Z\","
	"\"exp\":\"2027-01-01T00:00:00Z\","
	"\"keys\":" KEYS_OBJ ",\"roles\":" ROLES_OBJ "}";

/* The end of the root role, which no other role shares. */
#define RT Q(K2_PID) "],\"threshold\":2}"
#define K5_ENTRY Q(K5_PID) ":{\"key\":" Q(K5_PUB)
#define K17 "[" Q(K1_PID) "," Q(K1_PID) "," Q(K1_PID) "," Q(K1_PID) "," \
	Q(K1_PID) "," Q(K1_PID) "," Q(K1_PID) "," Q(K1_PID) "," Q(K1_PID) \
	"," Q(K1_PID) "," Q(K1_PID) "," Q(K1_PID) "," Q(K1_PID) "," \
	Q(K1_PID) "," Q(K1_PID) "," Q(K1_PID) "," Q(K1_PID) "]"

static const struct pl_case root_cases[] = {
	/* top level */
	{ "ver zero", "\"ver\":1", "\"ver\":0", LICD_E_PAYLOAD,
	    "field \"ver\": must be at least 1" },
	{ "ver a string", "\"ver\":1", "\"ver\":\"1\"", LICD_E_PAYLOAD,
	    "field \"ver\": expected an integer" },
	{ "ver negative", "\"ver\":1", "\"ver\":-1", LICD_E_PAYLOAD,
	    "a sign is not allowed" },
	{ "ver fraction", "\"ver\":1", "\"ver\":1.0", LICD_E_PAYLOAD,
	    "a fraction or exponent is not allowed" },
	{ "ver above 2^53-1", "\"ver\":1", "\"ver\":9007199254740992",
	    LICD_E_PAYLOAD, "field \"ver\": integer above 2^53-1" },
	{ "ver missing", "\"ver\":1,", "", LICD_E_PAYLOAD,
	    "missing field \"ver\"" },
	{ "iat with offset", "2026-01-01T00:00:00Z",
	    "2026-01-01T00:00:00+00:00", LICD_E_PAYLOAD,
	    "field \"iat\": expected RFC 3339 time ending in Z" },
	{ "exp second 60", "2027-01-01T00:00:00Z", "2026-12-31T23:59:60Z",
	    LICD_E_PAYLOAD,
	    "field \"exp\": expected RFC 3339 time ending in Z" },
	{ "exp equals iat", "2027-01-01T00:00:00Z", "2026-01-01T00:00:00Z",
	    LICD_E_PAYLOAD, "field \"exp\": must be after \"iat\"" },
	{ "exp before iat", "2027-01-01T00:00:00Z", "2025-01-01T00:00:00Z",
	    LICD_E_PAYLOAD, "field \"exp\": must be after \"iat\"" },
	{ "unknown top field", "\"ver\":1", "\"ver\":1,\"foo\":1",
	    LICD_E_PAYLOAD, "unknown field \"foo\"" },
	{ "duplicate top key", "\"ver\":1", "\"ver\":1,\"ver\":1",
	    LICD_E_PAYLOAD, "duplicate key \"ver\"" },
	{ "keys missing", "\"keys\":" KEYS_OBJ ",", "", LICD_E_PAYLOAD,
	    "missing field \"keys\"" },
	{ "roles missing", ",\"roles\":" ROLES_OBJ, "", LICD_E_PAYLOAD,
	    "missing field \"roles\"" },
	/* keys */
	{ "keys not an object", KEYS_OBJ, "[]", LICD_E_PAYLOAD,
	    "field \"keys\": expected an object" },
	{ "keys empty", KEYS_OBJ, "{}", LICD_E_PAYLOAD,
	    "field \"keys\": must not be empty" },
	{ "kid not a k4.pid", K5_ENTRY, "\"k4.pid.short\":{\"key\":"
	    Q(K5_PUB), LICD_E_PAYLOAD,
	    "field \"keys\": key \"k4.pid.short\": expected a key id" },
	{ "kid of another key", K5_PUB, K6_PUB, LICD_E_PAYLOAD,
	    "field \"keys\".\"" K5_PID "\": key id does not match its key "
	    "(whose id is " K6_PID ")" },
	{ "key not k4.public", K5_PUB, "k3.public.bnoc3Smwt4_ROvTFWY_v9O8q"
	    "lxZuPKby5Pv8zYBQW_E", LICD_E_PAYLOAD,
	    "field \"keys\".\"" K5_PID "\".\"key\": " },
	{ "key truncated", K5_PUB, "k4.public.bnoc3Smwt4", LICD_E_PAYLOAD,
	    "field \"keys\".\"" K5_PID "\".\"key\": " },
	{ "key not a string", "\"key\":" Q(K5_PUB), "\"key\":5",
	    LICD_E_PAYLOAD, "field \"keys\".\"" K5_PID "\".\"key\": expected "
	    "a k4.public key" },
	{ "key missing", "\"key\":" Q(K5_PUB) ",", "", LICD_E_PAYLOAD,
	    "missing field \"keys\".\"" K5_PID "\".\"key\"" },
	{ "key name missing", ",\"name\":\"Status service\"", "",
	    LICD_E_PAYLOAD, "missing field \"keys\".\"" K5_PID "\".\"name\"" },
	{ "key name empty", "\"Status service\"", "\"\"", LICD_E_PAYLOAD,
	    "field \"keys\".\"" K5_PID "\".\"name\": must not be empty" },
	{ "key name too long", "\"Status service\"", "\"" A256 "b\"",
	    LICD_E_PAYLOAD, "field \"keys\".\"" K5_PID "\".\"name\": longer "
	    "than 256 bytes" },
	{ "key name control character", "\"Status service\"",
	    "\"Status\\nservice\"", LICD_E_PAYLOAD,
	    "\".\"name\": control characters are not allowed" },
	{ "key name bidi override", "\"Status service\"",
	    "\"Status \\u202eecivres\"", LICD_E_PAYLOAD,
	    "\".\"name\": control characters are not allowed" },
	{ "key entry unknown field", "\"Status service\"",
	    "\"Status service\",\"x\":1", LICD_E_PAYLOAD,
	    "unknown field \"keys\".\"" K5_PID "\".\"x\"" },
	{ "key entry not an object", K5_ENTRY ",\"name\":\"Status service\"}",
	    Q(K5_PID) ":[]", LICD_E_PAYLOAD,
	    "field \"keys\".\"" K5_PID "\": expected an object" },
	/* roles */
	{ "roles not an object", ROLES_OBJ, "[]", LICD_E_PAYLOAD,
	    "field \"roles\": expected an object" },
	{ "unknown role", JROLE_STATUS, JROLE_STATUS ",\"admin\":{}",
	    LICD_E_PAYLOAD, "unknown field \"roles\".\"admin\"" },
	{ "role missing", "," JROLE_STATUS, "", LICD_E_PAYLOAD,
	    "missing field \"roles\".\"status\"" },
	{ "role not an object", JROLE_LICENCE, "\"licence\":[]",
	    LICD_E_PAYLOAD, "field \"roles\".\"licence\": expected an object" },
	{ "role unknown field", RT, Q(K2_PID) "],\"threshold\":2,\"x\":1}",
	    LICD_E_PAYLOAD, "unknown field \"roles\".\"root\".\"x\"" },
	{ "role keys missing", "\"keys\":[" Q(K3_PID) "],", "",
	    LICD_E_PAYLOAD, "missing field \"roles\".\"licence\".\"keys\"" },
	{ "role keys empty", "[" Q(K3_PID) "]", "[]", LICD_E_PAYLOAD,
	    "field \"roles\".\"licence\".\"keys\": must not be empty" },
	{ "role keys not an array", "[" Q(K3_PID) "]", Q(K3_PID),
	    LICD_E_PAYLOAD,
	    "field \"roles\".\"licence\".\"keys\": expected an array" },
	{ "role keys over 16", "[" Q(K3_PID) "]", K17, LICD_E_TOO_LARGE,
	    "field \"roles\".\"licence\".\"keys\": more than 16 entries" },
	{ "role key listed twice", Q(K2_PID) "," Q(K4_PID),
	    Q(K2_PID) "," Q(K1_PID), LICD_E_PAYLOAD,
	    "field \"roles\".\"order\".\"keys\"[2]: duplicate \"" K1_PID "\"" },
	{ "role key not in keys", Q(K2_PID) "," Q(K4_PID),
	    Q(K2_PID) "," Q(K6_PID), LICD_E_PAYLOAD,
	    "field \"roles\".\"order\".\"keys\"[2]: \"" K6_PID "\" is not "
	    "listed in \"keys\"" },
	{ "role key not a k4.pid", "[" Q(K3_PID) "]", "[\"C\"]",
	    LICD_E_PAYLOAD,
	    "field \"roles\".\"licence\".\"keys\"[0]: expected a key id" },
	{ "role key a k4.public", "[" Q(K3_PID) "]", "[" Q(K3_PUB) "]",
	    LICD_E_PAYLOAD,
	    "field \"roles\".\"licence\".\"keys\"[0]: expected a key id" },
	{ "root threshold zero", RT, Q(K2_PID) "],\"threshold\":0}",
	    LICD_E_PAYLOAD,
	    "field \"roles\".\"root\".\"threshold\": must be at least 1" },
	{ "threshold above key count", RT, Q(K2_PID) "],\"threshold\":3}",
	    LICD_E_PAYLOAD,
	    "field \"roles\".\"root\".\"threshold\": 3 exceeds the 2 keys" },
	{ "threshold not an integer", RT,
	    Q(K2_PID) "],\"threshold\":true}", LICD_E_PAYLOAD,
	    "field \"roles\".\"root\".\"threshold\": expected an integer" },
	{ "threshold missing", RT, Q(K2_PID) "]}", LICD_E_PAYLOAD,
	    "missing field \"roles\".\"root\".\"threshold\"" },
	{ "status key also in order", Q(K2_PID) "," Q(K4_PID),
	    Q(K2_PID) "," Q(K5_PID), LICD_E_PAYLOAD,
	    "field \"roles\".\"status\".\"keys\"[0]: \"" K5_PID "\" is also "
	    "in role \"order\"" },
	{ "status key also in root", JROLE_ROOT,
	    "\"root\":{\"keys\":[" Q(K1_PID) "," Q(K5_PID) "],\"threshold\":2}",
	    LICD_E_PAYLOAD, "is also in role \"root\"" },
	{ "status key also in licence", "[" Q(K3_PID) "]",
	    "[" Q(K3_PID) "," Q(K5_PID) "]", LICD_E_PAYLOAD,
	    "is also in role \"licence\"" },
};

static const struct pl_group root_groups[] = {
	{ DOC_ROOT, root_base, root_cases, PL_NCASES(root_cases) },
};

static struct root *
decode(const char *msg, int want)
{
	struct root *r = calloc(1, sizeof(*r));
	struct lerr e;
	int got;

	assert_non_null(r);
	lerr_clear(&e);
	got = pl_decode_root((const uint8_t *)msg, strlen(msg), r, &e);
	if (got != want)
		print_error("pl_decode_root: %d %s\n", got, e.msg);
	assert_int_equal(got, want);
	return r;
}

static void
design_example_decodes(void **state)
{
	static const char *const kids[] = { K1_PID, K2_PID, K3_PID, K4_PID,
	    K5_PID };
	struct root *r = decode(root_base, 0);
	uint8_t pk[32];
	size_t n, i;

	(void)state;
	assert_int_equal(r->ver, 1);
	assert_int_equal(r->iat, 1767225600);
	assert_int_equal(r->exp, 1798761600);
	assert_int_equal(r->nkeys, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(root_key_index(r, kids[i]), (int)i);
	assert_int_equal(root_key_index(r, K6_PID), -1);
	assert_string_equal(r->keys[0].name, "MoD export control 1");
	assert_int_equal(sodium_base642bin(pk, sizeof(pk), K3_PUB + 10, 43,
	    NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
	assert_memory_equal(r->keys[2].pk, pk, 32);
	assert_int_equal(r->roles[ROLE_ROOT].nkeys, 2);
	assert_int_equal(r->roles[ROLE_ROOT].threshold, 2);
	assert_int_equal(r->roles[ROLE_ORDER].nkeys, 3);
	assert_int_equal(r->roles[ROLE_ORDER].key[2], 3);
	assert_int_equal(r->roles[ROLE_LICENCE].key[0], 2);
	assert_int_equal(r->roles[ROLE_STATUS].key[0], 4);
	assert_int_equal(r->roles[ROLE_STATUS].threshold, 1);
	free(r);
}

/* Key order in the JSON does not matter; roles may share non-status
 * keys; threshold may equal the count. */
static void
variants_decode(void **state)
{
	char *m;

	(void)state;
	m = pl_mutate(root_base, "\"ver\":1,\"iat\":\"2026-01-01T00:00:00Z\","
	    "\"exp\":\"2027-01-01T00:00:00Z\",", "");
	assert_non_null(m);
	m[strlen(m) - 1] = '\0';	/* drop the final '}' */
	{
		char buf[4096];

		snprintf(buf, sizeof(buf), "%s,\"exp\":\"2027-01-01T00:00:00Z\","
		    "\"iat\":\"2026-01-01T00:00:00Z\",\"ver\":3}", m);
		pl_expect_ok(DOC_ROOT, buf, "fields in another order");
	}
	free(m);
	m = pl_mutate(root_base, "[" Q(K3_PID) "]", "[" Q(K3_PID) ","
	    Q(K1_PID) "]");
	pl_expect_ok(DOC_ROOT, m, "licence role shares a root key");
	free(m);
}

/* A root with n generated keys, n - 1 of them in the root role (at most
 * 16) and the last one the status role. */
static char *
generated_root(size_t n, size_t nroot)
{
	size_t cap = 256 + n * 160, i, off = 0;
	char *buf = malloc(cap), *kids = calloc(n, PASERK_PID_LEN + 1);

	assert_non_null(buf);
	assert_non_null(kids);
	off += (size_t)snprintf(buf + off, cap - off, "{\"ver\":1,\"iat\":"
	    "\"2026-01-01T00:00:00Z\",\"exp\":\"2027-01-01T00:00:00Z\","
	    "\"keys\":{");
	for (i = 0; i < n; i++) {
		uint8_t seed[32], pk[32], sk[64];
		char pub[PASERK_PUBLIC_LEN + 1];
		char *kid = kids + i * (PASERK_PID_LEN + 1);

		memset(seed, 0, sizeof(seed));
		seed[0] = (uint8_t)i;
		seed[1] = 0x5a;
		crypto_sign_seed_keypair(pk, sk, seed);
		paserk_public_encode(pk, pub);
		paserk_pid(pk, kid);
		off += (size_t)snprintf(buf + off, cap - off, "%s\"%s\":{\"key\":"
		    "\"%s\",\"name\":\"key %zu\"}", i ? "," : "", kid, pub, i);
	}
	off += (size_t)snprintf(buf + off, cap - off, "},\"roles\":{\"root\":"
	    "{\"keys\":[");
	for (i = 0; i < nroot; i++)
		off += (size_t)snprintf(buf + off, cap - off, "%s\"%s\"",
		    i ? "," : "", kids + i * (PASERK_PID_LEN + 1));
	off += (size_t)snprintf(buf + off, cap - off, "],\"threshold\":%zu},"
	    "\"licence\":{\"keys\":[\"%s\"],\"threshold\":1},\"order\":{\"keys\":"
	    "[\"%s\"],\"threshold\":1},\"status\":{\"keys\":[\"%s\"],"
	    "\"threshold\":1}}}", nroot, kids, kids,
	    kids + (n - 1) * (PASERK_PID_LEN + 1));
	assert_true(off < cap);
	free(kids);
	return buf;
}

static void
bounds_accept(void **state)
{
	struct root *r;
	char *m;

	(void)state;
	m = generated_root(PL_MAX_ROOT_KEYS, PL_MAX_ROLE_KEYS);
	r = decode(m, 0);
	assert_int_equal(r->nkeys, PL_MAX_ROOT_KEYS);
	assert_int_equal(r->roles[ROLE_ROOT].nkeys, PL_MAX_ROLE_KEYS);
	assert_int_equal(r->roles[ROLE_ROOT].threshold, PL_MAX_ROLE_KEYS);
	assert_int_equal(r->roles[ROLE_STATUS].key[0], PL_MAX_ROOT_KEYS - 1);
	free(r);
	free(m);
}

static void
too_many_keys(void **state)
{
	char *m;

	(void)state;
	m = generated_root(PL_MAX_ROOT_KEYS + 1, 2);
	pl_expect_fail(DOC_ROOT, m, strlen(m), LICD_E_TOO_LARGE,
	    "field \"keys\": more than 64 entries", "65 keys");
	free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(design_example_decodes),
		cmocka_unit_test(variants_decode),
		cmocka_unit_test(bounds_accept),
		cmocka_unit_test(too_many_keys),
	};
	int r;

	if (sodium_init() < 0)
		return 1;
	r = cmocka_run_group_tests_name("root", tests, NULL, NULL);
	r |= pl_run_groups("root rejections", root_groups,
	    PL_NCASES(root_groups));
	return r != 0;
}
