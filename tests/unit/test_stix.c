/*
 * test_stix.c - the building blocks of STIX 2.1 (core/stix.h), written from
 * RFC 9562 (UUIDv5), the STIX 2.1 specification (identifiers, timestamps)
 * and DOMAIN.md §14 with the official TLP 2.0 marking definitions.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
/* cmocka needs the headers above first */
#include <cmocka.h>

#include "core/stix.h"

/* the DNS namespace of RFC 9562 appendix: 6ba7b810-9dad-11d1-80b4-... */
static const unsigned char dns_ns[16] = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad,
                                         0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0,
                                         0x4f, 0xd4, 0x30, 0xc8};

static void test_uuid5(void **state)
{
    (void)state;
    char u[STIX_UUID_LEN];
    /* a value any UUIDv5 implementation gives (Python's uuid.uuid5) */
    stix_uuid5(dns_ns, "python.org", 10, u);
    assert_string_equal(u, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    unsigned char back[16];
    assert_int_equal(
        stix_uuid_parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8", back), IS_OK);
    assert_memory_equal(back, dns_ns, 16);
    assert_int_equal(
        stix_uuid_parse("6ba7b810-9dad-11d1-80b4-00c04fd430c", back),
        IS_ERR_INVALID);
    assert_int_equal(
        stix_uuid_parse("6ba7b810x9dad-11d1-80b4-00c04fd430c8", back),
        IS_ERR_INVALID);
    assert_int_equal(
        stix_uuid_parse("6ba7b810-9dad-11d1-80b4-00c04fd430cg", back),
        IS_ERR_INVALID);
}

static void test_ids(void **state)
{
    (void)state;
    char id[STIX_ID_LEN], again[STIX_ID_LEN], u[STIX_UUID_LEN];
    assert_int_equal(stix_id(dns_ns, "report", "advisory:A1", id), IS_OK);
    stix_uuid5(dns_ns, "report:advisory:A1", strlen("report:advisory:A1"), u);
    assert_int_equal(strncmp(id, "report--", 8), 0);
    assert_string_equal(id + 8, u);
    /* stable, and different for another key or type */
    assert_int_equal(stix_id(dns_ns, "report", "advisory:A1", again), IS_OK);
    assert_string_equal(id, again);
    assert_int_equal(stix_id(dns_ns, "report", "advisory:A2", again), IS_OK);
    assert_string_not_equal(id, again);
    assert_int_equal(stix_id(dns_ns, "note", "advisory:A1", again), IS_OK);
    assert_string_not_equal(id + 6, again + 4);
    assert_true(stix_id_ok(id));
    /* the version and variant bits of a UUIDv5 */
    assert_int_equal(id[8 + 14], '5');
    assert_non_null(strchr("89ab", id[8 + 19]));
    assert_int_equal(stix_id(dns_ns, "Report", "x", id), IS_ERR_INVALID);
    assert_int_equal(stix_id(dns_ns, "", "x", id), IS_ERR_INVALID);
    assert_false(stix_id_ok("report-886313e1-3b8a-5372-9b90-0c9aee199e5d"));
    assert_false(stix_id_ok("Report--886313e1-3b8a-5372-9b90-0c9aee199e5d"));
    assert_false(stix_id_ok("report--886313e1"));
    assert_true(stix_id_ok("marking-definition--94868c89-83c2-464b-929b-"
                           "a1a8aa3c8487"));
}

static void test_tlp(void **state)
{
    (void)state;
    static const struct {
        enum share_range r;
        const char *id, *name, *value;
    } want[] = {
        {RANGE_RED, "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
         "TLP:RED", "red"},
        {RANGE_AMBER,
         "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
         "TLP:AMBER+STRICT", "amber+strict"},
        {RANGE_YELLOW,
         "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
         "TLP:AMBER", "amber"},
        {RANGE_GREEN,
         "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
         "TLP:GREEN", "green"},
        {RANGE_WHITE,
         "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
         "TLP:CLEAR", "clear"},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        assert_string_equal(stix_tlp_id(want[i].r), want[i].id);
        assert_string_equal(stix_tlp_name(want[i].r), want[i].name);
        assert_string_equal(stix_tlp_value(want[i].r), want[i].value);
        assert_int_equal(stix_tlp_range(want[i].id), (int)want[i].r);
        assert_true(stix_id_ok(want[i].id));
    }
    assert_int_equal(stix_tlp_range("marking-definition--x"), -1);
    assert_int_equal(stix_tlp_range(NULL), -1);
}

static void test_time(void **state)
{
    (void)state;
    char t[STIX_TIME_LEN];
    stix_time(0, 0, t);
    assert_string_equal(t, "1970-01-01T00:00:00.000Z");
    stix_time(1764581400, 7, t); /* 2025-12-01T09:30:00Z */
    assert_string_equal(t, "2025-12-01T09:30:00.007Z");
    stix_time(1764581400, 5000, t);
    assert_string_equal(t, "2025-12-01T09:30:00.999Z");
}

static void test_pattern_quote(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(stix_pattern_quote("a@b.example", out, sizeof(out)),
                     IS_OK);
    assert_string_equal(out, "'a@b.example'");
    /* the grammar's two escapes: a single quote and a backslash */
    assert_int_equal(stix_pattern_quote("it's a\\b", out, sizeof(out)), IS_OK);
    assert_string_equal(out, "'it\\'s a\\\\b'");
    assert_int_equal(stix_pattern_quote("", out, sizeof(out)), IS_OK);
    assert_string_equal(out, "''");
    /* UTF-8 passes unchanged */
    assert_int_equal(stix_pattern_quote("年金", out, sizeof(out)), IS_OK);
    assert_string_equal(out, "'年金'");
    /* exactly the room: "'" + 4 + "'" + NUL = 7; escapes count double */
    assert_int_equal(stix_pattern_quote("abcd", out, 7), IS_OK);
    assert_int_equal(stix_pattern_quote("abcde", out, 7), IS_ERR_LIMIT);
    assert_string_equal(out, "");
    assert_int_equal(stix_pattern_quote("ab''", out, 7), IS_ERR_LIMIT);
    assert_int_equal(stix_pattern_quote(NULL, out, sizeof(out)), IS_ERR_LIMIT);
}

static void test_sco_id(void **state)
{
    (void)state;
    char id[STIX_ID_LEN];
    /* STIX 2.1 §2.9's namespace; the value Python's
     * uuid.uuid5(UUID("00abedb4-aa42-466c-9c01-fed23315a9b7"),
     * '{"value":"example.com"}') gives */
    assert_int_equal(
        stix_sco_id("domain-name", "{\"value\":\"example.com\"}", id), IS_OK);
    assert_string_equal(id,
                        "domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7");
    assert_int_equal(stix_sco_id("Bad", "{}", id), IS_ERR_INVALID);
    assert_int_equal(stix_sco_id("url", "", id), IS_ERR_INVALID);
}

static void test_ipv4(void **state)
{
    (void)state;
    assert_true(stix_ipv4_ok("203.0.113.45"));
    assert_true(stix_ipv4_ok("0.0.0.0"));
    assert_true(stix_ipv4_ok("255.255.255.255"));
    assert_false(stix_ipv4_ok("256.1.1.1"));
    assert_false(stix_ipv4_ok("1.2.3"));
    assert_false(stix_ipv4_ok("1.2.3.4.5"));
    assert_false(stix_ipv4_ok("01.2.3.4"));
    assert_false(stix_ipv4_ok("1.2.3.4 "));
    assert_false(stix_ipv4_ok("example.com"));
    assert_false(stix_ipv4_ok(""));
    assert_false(stix_ipv4_ok(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uuid5),         cmocka_unit_test(test_ids),
        cmocka_unit_test(test_tlp),           cmocka_unit_test(test_time),
        cmocka_unit_test(test_pattern_quote), cmocka_unit_test(test_sco_id),
        cmocka_unit_test(test_ipv4),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
