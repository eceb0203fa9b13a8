/*
 * test_registry_view.c - the API JSON of the registry (service/
 * registry_view.c) from rows built by hand: key order, nulls, which
 * attributes show, where each scope goes.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "service/registry.h"

/* Compact text of o (consumed). */
static char *dump(json_t *o)
{
    assert_non_null(o);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    assert_non_null(s);
    return s;
}

static void expect_json(json_t *o, const char *want)
{
    char *got = dump(o);
    assert_string_equal(got, want);
    free(got);
}

static void t_org_operator(void **state)
{
    (void)state;
    char *groups[] = {"ceptoar-banking", "fin-ceptoar-council"};
    struct store_org_entry e = {
        .id = "op-banking-0001",
        .kind = "operator",
        .name = {"銀行", "Bank"},
        .short_en = "",
        .scope_id = "banking",
        .sector_id = "finance",
        .demo = true,
        .attrs = "{}", /* empty: no "registry" key */
        .member_of = groups,
        .nmember_of = 2,
    };
    expect_json(registry_org_encode(&e),
                "{\"id\":\"op-banking-0001\",\"kind\":\"operator\","
                "\"name\":{\"ja\":\"銀行\",\"en\":\"Bank\"},\"short_en\":\"\","
                "\"scope\":\"banking\",\"sector\":\"finance\","
                "\"observer\":false,\"demo\":true,"
                "\"member_of\":[\"ceptoar-banking\",\"fin-ceptoar-council\"]}");
}

static void t_org_national(void **state)
{
    (void)state;
    /* no scope, no sector: nulls; attributes shown as "registry"; an
     * absent name half is null */
    struct store_org_entry e = {
        .id = "npa",
        .kind = "agency",
        .name = {"警察庁", NULL},
        .short_en = "NPA",
        .observer = true,
        .attrs = "{\"role_en\":\"police\"}",
    };
    expect_json(registry_org_encode(&e),
                "{\"id\":\"npa\",\"kind\":\"agency\","
                "\"name\":{\"ja\":\"警察庁\",\"en\":null},\"short_en\":\"NPA\","
                "\"scope\":null,\"sector\":null,\"observer\":true,"
                "\"demo\":false,\"registry\":{\"role_en\":\"police\"},"
                "\"member_of\":[]}");
    /* attributes that are not a JSON object are left out */
    e.attrs = "[1]";
    char *s = dump(registry_org_encode(&e));
    assert_null(strstr(s, "registry"));
    free(s);
    e.attrs = NULL;
    s = dump(registry_org_encode(&e));
    assert_null(strstr(s, "registry"));
    free(s);
}

static void t_sectors(void **state)
{
    (void)state;
    struct store_sector_entry sectors[] = {
        {.id = "ict",
         .name = {"情報通信", "ICT"},
         .ministry_id = "mic",
         .ministry_name = {"総務省", "MIC"}},
        {.id = "water", .name = {"水道", "Water"}, .ministry_id = "mhlw"},
    };
    struct store_scope_entry scopes[] = {
        /* a CEPTOAR and related scopes */
        {.id = "telecom",
         .sector_id = "ict",
         .name = {"電気通信", "Telecom"},
         .related = "[\"cable_tv\"]",
         .ceptoar_id = "ceptoar-telecom",
         .ceptoar_name = {"T-CEPTOAR", "T-CEPTOAR"},
         .ceptoar_attrs = "{\"secretariat_ja\":\"事務局\","
                          "\"secretariat_en\":\"Office\",\"members\":24,"
                          "\"source\":\"not shown\"}"},
        /* a scope of no listed sector is left out */
        {.id = "orphan", .sector_id = "nowhere", .name = {"孤", "Orphan"}},
        /* no CEPTOAR: null; related that is not JSON: [] */
        {.id = "water",
         .sector_id = "water",
         .name = {"水道", "Water"},
         .related = "not json"},
        /* a CEPTOAR whose attributes lack the secretariat: null */
        {.id = "cable_tv",
         .sector_id = "ict",
         .name = {"ケーブル", "Cable"},
         .related = "[]",
         .ceptoar_id = "ceptoar-cable-tv",
         .ceptoar_name = {"C", "C"},
         .ceptoar_attrs = "{}"},
    };
    struct store_sectors s = {sectors, 2, scopes, 4};
    expect_json(
        registry_sectors_encode(&s),
        "[{\"id\":\"ict\",\"name\":{\"ja\":\"情報通信\",\"en\":\"ICT\"},"
        "\"ministry\":{\"id\":\"mic\",\"name\":{\"ja\":\"総務省\","
        "\"en\":\"MIC\"}},\"scopes\":["
        "{\"id\":\"telecom\",\"name\":{\"ja\":\"電気通信\",\"en\":"
        "\"Telecom\"},\"related_scopes\":[\"cable_tv\"],\"ceptoar\":{"
        "\"id\":\"ceptoar-telecom\",\"name\":{\"ja\":\"T-CEPTOAR\",\"en\":"
        "\"T-CEPTOAR\"},\"secretariat\":{\"ja\":\"事務局\",\"en\":"
        "\"Office\"},\"members\":24}},"
        "{\"id\":\"cable_tv\",\"name\":{\"ja\":\"ケーブル\",\"en\":"
        "\"Cable\"},\"related_scopes\":[],\"ceptoar\":null}]},"
        "{\"id\":\"water\",\"name\":{\"ja\":\"水道\",\"en\":\"Water\"},"
        "\"ministry\":{\"id\":\"mhlw\",\"name\":{\"ja\":null,\"en\":null}},"
        "\"scopes\":[{\"id\":\"water\",\"name\":{\"ja\":\"水道\",\"en\":"
        "\"Water\"},\"related_scopes\":[],\"ceptoar\":null}]}]");
    struct store_sectors none = {0};
    expect_json(registry_sectors_encode(&none), "[]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_org_operator),
        cmocka_unit_test(t_org_national),
        cmocka_unit_test(t_sectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
