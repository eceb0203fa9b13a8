/*
 * test_taxii.c - the pure parts of the TAXII 2.1 server (core/taxii.h),
 * written from the TAXII 2.1 specification (media types, filters), the
 * STIX 2.1 specification (common properties, timestamps) and
 * docs/taxii.md (ranges of posted objects, next tokens).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
/* cmocka needs the headers above first */
#include <cmocka.h>
#include <sodium.h>

#include "core/taxii.h"

#define RED_ID "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
#define GREEN_ID "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
#define CLEAR_ID "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
#define AMBER_ID "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"

static void test_media_types(void **state)
{
    (void)state;
    assert_true(taxii_accept_ok(NULL));
    assert_true(taxii_accept_ok(""));
    assert_true(taxii_accept_ok("application/taxii+json;version=2.1"));
    assert_true(taxii_accept_ok("application/taxii+json"));
    assert_true(taxii_accept_ok("Application/TAXII+JSON; version=\"2.1\""));
    assert_true(taxii_accept_ok("*/*"));
    assert_true(taxii_accept_ok("text/html, application/*;q=0.5"));
    assert_false(taxii_accept_ok("application/json"));
    assert_false(taxii_accept_ok("application/taxii+json;version=2.0"));
    assert_false(taxii_accept_ok("application/taxii+json;q=0"));
    assert_false(taxii_accept_ok("text/html, application/stix+json"));
    assert_true(taxii_ctype_ok("application/taxii+json;version=2.1"));
    assert_true(taxii_ctype_ok("application/taxii+json"));
    assert_false(taxii_ctype_ok("application/taxii+json;version=2.0"));
    assert_false(taxii_ctype_ok("application/json"));
    assert_false(taxii_ctype_ok("application/taxii+jsonx"));
    assert_false(taxii_ctype_ok(NULL));
    /* a STIX bundle of the API: the STIX type only when named */
    assert_true(stix_accept_named("application/stix+json;version=2.1"));
    assert_true(stix_accept_named("application/stix+json"));
    assert_true(stix_accept_named("text/html, application/stix+json;q=0.1"));
    assert_false(stix_accept_named(NULL));
    assert_false(stix_accept_named(""));
    assert_false(stix_accept_named("*/*"));
    assert_false(stix_accept_named("application/*"));
    assert_false(stix_accept_named("application/json"));
    assert_false(stix_accept_named("application/stix+json;version=2.0"));
    assert_false(stix_accept_named("application/stix+json;q=0"));
    assert_false(stix_accept_named("application/taxii+json;version=2.1"));
}

static void test_times(void **state)
{
    (void)state;
    int64_t us;
    assert_int_equal(taxii_time_parse("2026-12-01T09:30:00Z", true, &us),
                     IS_OK);
    assert_int_equal(us, 1796117400LL * 1000000);
    assert_int_equal(
        taxii_time_parse("2026-12-01T09:30:00.123456789Z", true, &us), IS_OK);
    assert_int_equal(us, 1796117400LL * 1000000 + 123456);
    assert_int_equal(taxii_time_parse("2026-12-01T09:30:00.1Z", true, &us),
                     IS_OK);
    assert_int_equal(us % 1000000, 100000);
    /* an offset is RFC 3339 but not a STIX timestamp */
    assert_int_equal(taxii_time_parse("2026-12-01T18:30:00+09:00", false, &us),
                     IS_OK);
    assert_int_equal(us, 1796117400LL * 1000000);
    assert_int_equal(taxii_time_parse("2026-12-01T18:30:00+09:00", true, &us),
                     IS_ERR_INVALID);
    assert_int_equal(taxii_time_parse("2026-12-01 09:30:00Z", false, &us),
                     IS_ERR_INVALID);
    assert_int_equal(taxii_time_parse("yesterday", false, &us), IS_ERR_INVALID);
    assert_int_equal(taxii_time_parse(NULL, false, &us), IS_ERR_INVALID);
    char out[TAXII_TIME_LEN];
    taxii_time_format(1796117400LL * 1000000 + 42, out);
    assert_string_equal(out, "2026-12-01T09:30:00.000042Z");
}

static void test_versions_and_lists(void **state)
{
    (void)state;
    struct taxii_versions v;
    assert_int_equal(taxii_versions_parse(NULL, &v), IS_OK);
    assert_true(v.last && !v.first && !v.all && v.nts == 0);
    assert_int_equal(taxii_versions_parse("first,2026-01-01T00:00:00.000Z", &v),
                     IS_OK);
    assert_true(v.first && !v.last && v.nts == 1);
    assert_int_equal(v.ts[0], 1767225600LL * 1000000);
    assert_int_equal(taxii_versions_parse("newest", &v), IS_ERR_INVALID);
    assert_int_equal(taxii_versions_parse("last,,all", &v), IS_ERR_INVALID);
    char buf[64];
    const char *items[3];
    assert_int_equal(taxii_list_split("a,b,c", buf, sizeof(buf), items, 3), 3);
    assert_string_equal(items[2], "c");
    assert_int_equal(taxii_list_split("a,b,c,d", buf, sizeof(buf), items, 3),
                     -1);
    assert_int_equal(taxii_list_split("a,", buf, sizeof(buf), items, 3), -1);
    assert_int_equal(taxii_list_split("", buf, sizeof(buf), items, 3), -1);
}

/* The object checked last: o's strings point into it, so it lives until
 * the next check (and the end of the test). */
static json_t *checked;

static int check(const char *text, struct taxii_object *o, char *why)
{
    json_decref(checked);
    checked = json_loads(text, 0, NULL);
    assert_non_null(checked);
    return taxii_object_check(checked, o, why, 160);
}

#define IND(extra)                                                             \
    "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--"    \
    "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f\",\"created\":\"2026-01-01T00:00:"   \
    "00.000Z\",\"modified\":\"2026-02-01T00:00:00.000Z\"" extra "}"

static void test_object_checks(void **state)
{
    (void)state;
    struct taxii_object o;
    char why[160];
    assert_int_equal(check(IND(""), &o, why), IS_OK);
    assert_int_equal(o.range, RANGE_RED); /* unmarked: Red */
    assert_int_equal(o.version, 1769904000LL * 1000000);
    assert_string_equal(o.version_text, "2026-02-01T00:00:00.000Z");
    assert_int_equal(
        check(IND(",\"object_marking_refs\":[\"" GREEN_ID "\"]"), &o, why),
        IS_OK);
    assert_int_equal(o.range, RANGE_GREEN);
    /* the narrowest of several, granular markings included */
    assert_int_equal(check(IND(",\"object_marking_refs\":[\"" CLEAR_ID
                               "\"],\"granular_markings\":[{\"marking_ref\":"
                               "\"" AMBER_ID "\",\"selectors\":[\"name\"]}]"),
                           &o, why),
                     IS_OK);
    assert_int_equal(o.range, RANGE_YELLOW);
    /* the official definition itself is public */
    assert_int_equal(check("{\"type\":\"marking-definition\",\"spec_version\":"
                           "\"2.1\",\"id\":\"" RED_ID "\",\"created\":\"2022-"
                           "10-01T00:00:00.000Z\"}",
                           &o, why),
                     IS_OK);
    assert_int_equal(o.range, RANGE_WHITE);
    /* an SCO needs no created/modified: its version is date_added */
    assert_int_equal(check("{\"type\":\"ipv4-addr\",\"spec_version\":\"2.1\","
                           "\"id\":\"ipv4-addr--ff26c055-6336-5bc5-b98d-"
                           "13d6226742dd\",\"value\":\"10.0.0.1\"}",
                           &o, why),
                     IS_OK);
    assert_null(o.version_text);
    /* refusals, each with its reason */
    assert_int_equal(check("{\"type\":\"indicator\"}", &o, why),
                     IS_ERR_INVALID);
    assert_non_null(strstr(why, "id"));
    assert_int_equal(check("{\"type\":\"indicator\",\"spec_version\":\"2.1\","
                           "\"id\":\"malware--8e2e2d2b-17d4-4cbf-938f-"
                           "98ee46b3cd3f\",\"created\":\"2026-01-01T00:00:"
                           "00Z\",\"modified\":\"2026-01-01T00:00:00Z\"}",
                           &o, why),
                     IS_ERR_INVALID);
    assert_int_equal(check("{\"type\":\"indicator\",\"spec_version\":\"2.0\","
                           "\"id\":\"indicator--8e2e2d2b-17d4-4cbf-938f-"
                           "98ee46b3cd3f\",\"created\":\"2026-01-01T00:00:"
                           "00Z\",\"modified\":\"2026-01-01T00:00:00Z\"}",
                           &o, why),
                     IS_ERR_INVALID);
    assert_non_null(strstr(why, "spec_version"));
    assert_int_equal(check("{\"type\":\"indicator\",\"spec_version\":\"2.1\","
                           "\"id\":\"indicator--8e2e2d2b-17d4-4cbf-938f-"
                           "98ee46b3cd3f\",\"created\":\"2026-01-01T00:00:"
                           "00Z\"}",
                           &o, why),
                     IS_ERR_INVALID);
    assert_non_null(strstr(why, "modified"));
    assert_int_equal(check("{\"type\":\"indicator\",\"spec_version\":\"2.1\","
                           "\"id\":\"indicator--8e2e2d2b-17d4-4cbf-938f-"
                           "98ee46b3cd3f\",\"created\":\"2026-02-01T00:00:"
                           "00Z\",\"modified\":\"2026-01-01T00:00:00Z\"}",
                           &o, why),
                     IS_ERR_INVALID);
    assert_non_null(strstr(why, "before"));
    assert_int_equal(
        check(IND(",\"object_marking_refs\":[\"tlp:red\"]"), &o, why),
        IS_ERR_INVALID);
    assert_int_equal(check("[1]", &o, why), IS_ERR_INVALID);
    json_decref(checked);
    checked = NULL;
}

static void test_tlp1_and_tokens(void **state)
{
    (void)state;
    struct taxii_object o;
    char why[160];
    /* TLP 1.0 (STIX 2.1 §7.2.1.4): read never wider */
    assert_int_equal(
        check(IND(",\"object_marking_refs\":[\"marking-definition--34098fce-"
                  "860f-48ae-8e50-ebd3cc5e41da\"]"),
              &o, why),
        IS_OK);
    assert_int_equal(o.range, RANGE_GREEN);
    assert_int_equal(
        check(IND(",\"object_marking_refs\":[\"" CLEAR_ID
                  "\",\"marking-definition--f88d31f6-486f-44da-b317-"
                  "01333bde0b82\"]"),
              &o, why),
        IS_OK);
    assert_int_equal(o.range, RANGE_AMBER);
    json_decref(checked);
    checked = NULL;
    /* the values an envelope would parse into, strings skipped */
    const char *env = "{\"objects\":[{\"a\":\"x,y:[{\\\"\"},{}]}";
    assert_int_equal(taxii_json_tokens(env, strlen(env)), 7);
    assert_int_equal(taxii_json_tokens("", 0), 0);
}

static void test_envelope_spans(void **state)
{
    (void)state;
    size_t st[4], ln[4];
    const char *e1 = "{\"more\": false, \"objects\" : [ {\"a\":\"}],\\\"\"}"
                     " , {\"b\":[1,{\"c\":2}]},3 ], \"x\": null}";
    assert_int_equal(taxii_envelope_spans(e1, strlen(e1), st, ln, 4), 3);
    assert_memory_equal(e1 + st[0], "{\"a\":\"}],\\\"\"}", ln[0]);
    assert_int_equal(ln[0], strlen("{\"a\":\"}],\\\"\"}"));
    assert_memory_equal(e1 + st[1], "{\"b\":[1,{\"c\":2}]}", ln[1]);
    assert_memory_equal(e1 + st[2], "3", ln[2]);
    /* more than max, an escaped key, no objects: not a shape it knows */
    assert_int_equal(taxii_envelope_spans(e1, strlen(e1), st, ln, 2), -1);
    const char *e2 = "{\"\\u006fbjects\":[{}]}";
    assert_int_equal(taxii_envelope_spans(e2, strlen(e2), st, ln, 4), -1);
    const char *e3 = "{\"objects\":[]}";
    assert_int_equal(taxii_envelope_spans(e3, strlen(e3), st, ln, 4), 0);
}

static struct access_org org(const char *id, const char *kind,
                             const char *ceptoar)
{
    struct access_org o = {0};
    snprintf(o.id, sizeof(o.id), "%s", id);
    snprintf(o.kind, sizeof(o.kind), "%s", kind);
    if (ceptoar) {
        snprintf(o.ceptoars[0], sizeof(o.ceptoars[0]), "%s", ceptoar);
        o.nceptoars = 1;
    }
    return o;
}

static void test_who_reads(void **state)
{
    (void)state;
    struct access_org poster = org("op-a", "operator", "ceptoar-gas");
    char community[128];
    taxii_community(&poster, community, sizeof(community));
    assert_string_equal(community, ",ceptoar-gas,");
    struct access_org sec = org("ceptoar-gas", "ceptoar", NULL);
    char sc[128];
    taxii_community(&sec, sc, sizeof(sc));
    assert_string_equal(sc, ",ceptoar-gas,");
    struct access_org member = org("op-b", "operator", "ceptoar-gas");
    struct access_org other = org("op-c", "operator", "ceptoar-water");
    struct access_org nisc = org("nisc", "nisc", NULL);
    struct access_org observer = other;
    observer.agreement = AGREEMENT_ACTIVE;
    const struct {
        const struct access_org *reader;
        bool may[RANGE_COUNT]; /* red, amber, yellow, green, white */
    } rows[] = {
        {&poster, {true, true, true, true, true}},
        {&nisc, {true, true, true, true, true}},
        {&member, {false, true, true, true, true}},
        {&sec, {false, true, true, true, true}},
        {&observer, {false, false, true, true, true}},
        {&other, {false, false, false, true, true}},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++)
        for (int r = 0; r < RANGE_COUNT; r++)
            assert_int_equal(
                taxii_object_decide(rows[i].reader, r, "op-a", community)
                    .may_read,
                rows[i].may[r]);
    /* nobody signed in: White only (the public's range) */
    assert_true(
        taxii_object_decide(NULL, RANGE_WHITE, "op-a", community).may_read);
    assert_false(
        taxii_object_decide(NULL, RANGE_GREEN, "op-a", community).may_read);
}

static void test_next_tokens(void **state)
{
    (void)state;
    unsigned char key[TAXII_KEY_LEN], other[TAXII_KEY_LEN];
    memset(key, 7, sizeof(key));
    memset(other, 8, sizeof(other));
    char t[TAXII_NEXT_LEN];
    taxii_next_make(key, "1|0|op-a|q", 1796117400000000LL, 12345, t);
    int64_t added = 0, seq = 0;
    assert_int_equal(taxii_next_open(key, "1|0|op-a|q", t, &added, &seq),
                     IS_OK);
    assert_int_equal(added, 1796117400000000LL);
    assert_int_equal(seq, 12345);
    /* another query, another key, a changed character: refused */
    assert_int_equal(taxii_next_open(key, "1|0|op-b|q", t, &added, &seq),
                     IS_ERR_INVALID);
    assert_int_equal(taxii_next_open(other, "1|0|op-a|q", t, &added, &seq),
                     IS_ERR_INVALID);
    t[10] = t[10] == 'A' ? 'B' : 'A';
    assert_int_equal(taxii_next_open(key, "1|0|op-a|q", t, &added, &seq),
                     IS_ERR_INVALID);
    assert_int_equal(taxii_next_open(key, "1|0|op-a|q", "12.34", &added, &seq),
                     IS_ERR_INVALID);
    assert_int_equal(taxii_next_open(key, "1|0|op-a|q", NULL, &added, &seq),
                     IS_ERR_INVALID);
    /* two tokens of one position differ (a fresh nonce): they tell nothing
     * about each other */
    char t1[TAXII_NEXT_LEN], t2[TAXII_NEXT_LEN];
    taxii_next_make(key, "q", 1, 2, t1);
    taxii_next_make(key, "q", 1, 2, t2);
    assert_string_not_equal(t1, t2);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_media_types),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_versions_and_lists),
        cmocka_unit_test(test_object_checks),
        cmocka_unit_test(test_who_reads),
        cmocka_unit_test(test_next_tokens),
        cmocka_unit_test(test_tlp1_and_tokens),
        cmocka_unit_test(test_envelope_spans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
