/*
 * test_drill_html.c - a drill's report rendered by http/drill_html.c.
 *
 * The renderer takes the JSON figures the service returns; every text in
 * them (names, CEPTOAR ids, states) may come from an organisation and must
 * be escaped; the page carries the SVG chart with one line per CEPTOAR.
 */
#include "common/common.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "http/drill_html.h"

#define EVIL "<script>x&\"y</script>"

static json_t *report(void)
{
    json_error_t je;
    json_t *rep = json_pack_ex(
        &je, 0,
        "{s:s,s:s,s:s,s:n,s:s,"
        " s:{s:f,s:i,s:i},"
        " s:{s:{s:i,s:i,s:i,s:i},s:{s:i,s:i,s:i,s:i}},"
        " s:[{s:s,s:{s:s,s:s},s:s,s:s}],"
        " s:{s:s,s:f,s:f,s:f},"
        " s:[{s:s,s:{s:s,s:s},s:s,s:s,s:s,s:n,s:n,s:s},"
        "    {s:s,s:{s:s,s:s},s:s,s:s,s:n,s:n,s:n,s:n}]}",
        "drill", "drl-1", "advisory", "adv-1", "target_kind", "all", "target",
        "started_at", "2026-01-01T00:00:00Z", "reach", "reach_1d", 0.5,
        "acknowledged_1d", 1, "recipients", 2, "by_ceptoar", "cep-a",
        "recipients", 1, "acknowledged_15m", 1, "acknowledged_1h", 1,
        "acknowledged_1d", 1, EVIL, "recipients", 1, "acknowledged_15m", 0,
        "acknowledged_1h", 0, "acknowledged_1d", 0, "not_reached", "org",
        "org-b", "name", "ja", "悪<b>組織</b>", "en", "Bad & <i>Co</i>", "via",
        EVIL, "state", "unreached", "comparison", "previous_drill", "drl-0",
        "previous_reach_1d", 0.25, "reach_1d", 0.5, "change", 0.25,
        "organisations", "org", "org-a", "name", "ja", "甲", "en", "A", "via",
        "cep-a", "state", "acknowledged", "acked_at", "2026-01-01T00:10:00Z",
        "channel", "released_at", "ack_via", "link", "org",
        "=cmd|' /C calc'!A0", "name", "ja", "乙\"", "en", "B", "via", EVIL,
        "state", "unreached", "acked_at", "channel", "released_at", "ack_via");
    if (!rep)
        fail_msg("fixture: %s", je.text);
    return rep;
}

static void html_escapes_every_text(void **state)
{
    (void)state;
    json_t *rep = report();
    size_t len = 0;
    char *html = http_drill_html(rep, HTTP_DRILL_CAP, &len);
    assert_non_null(html);
    assert_int_equal(len, strlen(html));
    /* nothing from the figures reaches the page as markup */
    assert_null(strstr(html, "<script>"));
    assert_null(strstr(html, "<b>"));
    assert_null(strstr(html, "<i>"));
    assert_non_null(strstr(html, "悪&lt;b&gt;組織&lt;/b&gt;"));
    assert_non_null(strstr(html, "Bad &amp; &lt;i&gt;Co&lt;/i&gt;"));
    /* the CEPTOAR table cell escapes quotes too */
    assert_non_null(strstr(html, "<td>&lt;script&gt;x&amp;&quot;y"));
    /* the figures */
    assert_non_null(strstr(html, "drl-1"));
    assert_non_null(strstr(html, "<strong>50.0%</strong> (1 / 2)"));
    assert_non_null(strstr(html, "+25.0 points"));
    free(html);
    json_decref(rep);
}

static void html_has_the_chart(void **state)
{
    (void)state;
    json_t *rep = report();
    size_t len = 0;
    char *html = http_drill_html(rep, HTTP_DRILL_CAP, &len);
    assert_non_null(html);
    const char *svg = strstr(html, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
    assert_non_null(svg);
    assert_non_null(strstr(svg, "</svg>"));
    /* one line per CEPTOAR of the organisations: cep-a and the evil one */
    size_t lines = 0;
    for (const char *p = svg; (p = strstr(p, "<polyline")); p++)
        lines++;
    assert_int_equal(lines, 2);
    /* cep-a's one organisation acknowledged at 10 minutes: the line is at
     * 0% up to 5m and at 100% (y = top 20) from 15m on */
    assert_non_null(strstr(svg, "points=\"50,240 102,240 155,20 "));
    /* the legend escapes the CEPTOAR id */
    assert_non_null(strstr(svg, "&lt;script&gt;x&amp;"));
    free(html);
    json_decref(rep);
}

static void csv_quotes_and_defuses(void **state)
{
    (void)state;
    json_t *rep = report();
    size_t len = 0;
    char *csv = http_drill_csv(rep, HTTP_DRILL_CAP, &len);
    assert_non_null(csv);
    assert_int_equal(len, strlen(csv));
    assert_true(strncmp(csv,
                        "org,name_ja,name_en,ceptoar,state,channel,"
                        "released_at,delivered_at,acked_at,ack_via\r\n",
                        strlen("org,name_ja")) == 0);
    assert_non_null(strstr(csv, "\"org-a\",\"甲\",\"A\",\"cep-a\","
                                "\"acknowledged\""));
    /* a formula is defused, a quote doubled */
    assert_non_null(strstr(csv, "\"'=cmd|' /C calc'!A0\",\"乙\"\"\""));
    free(csv);
    json_decref(rep);
}

/* A cap the text does not fit in fails loudly: NULL, never a page or a
 * CSV cut short at the cap (the daemon answers 500). */
static void tiny_cap_fails_loudly(void **state)
{
    (void)state;
    json_t *rep = report();
    size_t len = 0;
    char *whole = http_drill_html(rep, HTTP_DRILL_CAP, &len);
    assert_non_null(whole);
    size_t full = len;
    free(whole);
    for (size_t cap = 16; cap < full;
         cap = cap * 2 < full ? cap * 2 : full - 1) {
        len = 12345;
        assert_null(http_drill_html(rep, cap, &len));
        assert_int_equal(len, 0);
        if (cap == full - 1)
            break;
    }
    /* exactly its size fits */
    char *html = http_drill_html(rep, full, &len);
    assert_non_null(html);
    assert_int_equal(len, full);
    free(html);

    char *csv = http_drill_csv(rep, HTTP_DRILL_CAP, &len);
    assert_non_null(csv);
    full = len;
    free(csv);
    len = 12345;
    assert_null(http_drill_csv(rep, 64, &len));
    assert_int_equal(len, 0);
    assert_null(http_drill_csv(rep, full - 1, &len));
    csv = http_drill_csv(rep, full, &len);
    assert_non_null(csv);
    assert_int_equal(len, full);
    free(csv);
    json_decref(rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(html_escapes_every_text),
        cmocka_unit_test(html_has_the_chart),
        cmocka_unit_test(csv_quotes_and_defuses),
        cmocka_unit_test(tiny_cap_fails_loudly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
