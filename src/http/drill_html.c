/*
 * drill_html.c - a drill's report as an HTML page (with an SVG chart of the
 * acknowledged share over time per CEPTOAR) and as CSV. The figures come
 * from the service (drill_report in service/drills.c, JSON); this file
 * only presents them.
 */
#include "http/drill_html.h"
#include "common/html.h"

#include "common/buf.h"
#include "common/csv.h"
#include "common/jv.h"
#include "common/util.h"

/* Acknowledged share at elapsed seconds, per bucket key. */
static const int64_t chart_points[] = {0,    300,   900,   1800, 3600,
                                       7200, 14400, 28800, 86400};
static const char *const chart_labels[] = {"0",  "5m", "15m", "30m", "1h",
                                           "2h", "4h", "8h",  "24h"};
#define NPOINTS 9

/* The chart's geometry: the whole picture, and the plot inside it. */
enum {
    CHART_W = 640,
    CHART_H = 300,
    PLOT_X = 50,
    PLOT_Y = 20,
    PLOT_W = 420,
    PLOT_H = 220
};

/* The recipients rcpts grouped by the CEPTOAR they were reached through
 * ("(direct)" for none): a new object of arrays, in first-seen order. */
static json_t *by_ceptoar(const json_t *rcpts)
{
    json_t *groups = json_object();
    size_t i;
    json_t *r;
    json_array_foreach (rcpts, i, r) {
        const char *via = jv_str(r, "via");
        const char *k = via && *via ? via : "(direct)";
        if (!json_object_get(groups, k))
            json_object_set_new(groups, k, json_array());
        json_array_append(json_object_get(groups, k), r);
    }
    return groups;
}

/* The frame, the share axis (0-100 %) and the time axis of a chart of ng
 * series. */
static void chart_axes(struct buf *b, size_t ng)
{
    buf_addf(b,
             "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
             "height=\"%d\" role=\"img\" aria-label=\"acknowledged share over "
             "time per CEPTOAR\">",
             CHART_W, (int)(CHART_H + 16 * (ng > 8 ? ng - 8 : 0)));
    buf_addf(b,
             "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
             "fill=\"none\" stroke=\"#555\"/>",
             PLOT_X, PLOT_Y, PLOT_W, PLOT_H);
    for (int p = 0; p <= 4; p++) {
        int y = PLOT_Y + PLOT_H - PLOT_H * p / 4;
        buf_addf(b,
                 "<text x=\"%d\" y=\"%d\" font-size=\"10\" "
                 "text-anchor=\"end\">%d%%</text>",
                 PLOT_X - 4, y + 3, p * 25);
    }
    for (int p = 0; p < NPOINTS; p++)
        buf_addf(b,
                 "<text x=\"%d\" y=\"%d\" font-size=\"10\" "
                 "text-anchor=\"middle\">%s</text>",
                 PLOT_X + PLOT_W * p / (NPOINTS - 1), PLOT_Y + PLOT_H + 14,
                 chart_labels[p]);
}

/* Series gi (recipients g, named key): a line of the acknowledged share at
 * each chart point after t0, and its legend entry. Colour and dashes
 * differ per series: colour is never the only cue. */
static void chart_series(struct buf *b, const char *key, const json_t *g,
                         int gi, int64_t t0)
{
    static const char *const colours[] = {"#1f77b4", "#d62728", "#2ca02c",
                                          "#9467bd", "#ff7f0e", "#8c564b",
                                          "#e377c2", "#17becf"};
    size_t n = json_array_size(g);
    struct buf pts;
    buf_init(&pts, 4096);
    for (int p = 0; p < NPOINTS; p++) {
        size_t acked = 0, k;
        json_t *x;
        json_array_foreach (g, k, x) {
            int64_t at = json_integer_value(json_object_get(x, "acked_at"));
            if (at && at - t0 <= chart_points[p])
                acked++;
        }
        int px = PLOT_X + PLOT_W * p / (NPOINTS - 1);
        int py = PLOT_Y + PLOT_H -
                 (int)((double)PLOT_H * (double)acked / (double)(n ? n : 1));
        buf_addf(&pts, "%s%d,%d", p ? " " : "", px, py);
    }
    const char *col = colours[gi % 8];
    buf_addf(b,
             "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\""
             " stroke-dasharray=\"%d,%d\" points=\"%s\"/>",
             col, 2 + 2 * (gi % 4), gi % 4 ? 3 : 0, buf_str(&pts));
    if (buf_error(&pts)) /* the points were cut short: so is the page */
        buf_set_error(b, buf_error(&pts));
    buf_release(&pts);
    int ly = PLOT_Y + 10 + 16 * gi;
    buf_addf(b,
             "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
             "stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"%d,%d\"/>"
             "<text x=\"%d\" y=\"%d\" font-size=\"11\">",
             PLOT_X + PLOT_W + 10, ly, PLOT_X + PLOT_W + 30, ly, col,
             2 + 2 * (gi % 4), gi % 4 ? 3 : 0, PLOT_X + PLOT_W + 34, ly + 4);
    html_escape(b, key);
    buf_adds(b, "</text>");
}

/* The acknowledged share over time per CEPTOAR, as SVG. */
static void svg_chart(struct buf *b, const json_t *rcpts, int64_t t0)
{
    json_t *groups = by_ceptoar(rcpts);
    chart_axes(b, json_object_size(groups));
    const char *key;
    json_t *g;
    int gi = 0;
    json_object_foreach (groups, key, g)
        chart_series(b, key, g, gi++, t0);
    buf_adds(b, "</svg>");
    json_decref(groups);
}

char *http_drill_csv(json_t *rep, size_t cap, size_t *len)
{
    json_t *items = json_object_get(rep, "organisations");
    size_t i;
    json_t *r;
    struct buf b;
    buf_init(&b, cap);
    buf_adds(&b, "org,name_ja,name_en,ceptoar,state,channel,"
                 "released_at,delivered_at,acked_at,ack_via\r\n");
    json_array_foreach (items, i, r) {
        json_t *nm = json_object_get(r, "name");
        csv_cell(&b, jv_str(r, "org"), false);
        csv_cell(&b, jv_str(nm, "ja"), false);
        csv_cell(&b, jv_str(nm, "en"), false);
        csv_cell(&b, jv_str(r, "via"), false);
        csv_cell(&b, jv_str(r, "state"), false);
        csv_cell(&b, jv_str(r, "channel"), false);
        csv_cell(&b, jv_str(r, "released_at"), false);
        csv_cell(&b, jv_str(r, "delivered_at"), false);
        csv_cell(&b, jv_str(r, "acked_at"), false);
        csv_cell(&b, jv_str(r, "ack_via"), true);
    }
    *len = b.len;
    char *s = buf_detach(&b); /* NULL when b failed: never cut short */
    if (!s)
        *len = 0;
    return s;
}

char *http_drill_html(json_t *rep, size_t cap, size_t *len)
{
    json_t *items = json_object_get(rep, "organisations");
    json_t *comparison = json_object_get(rep, "comparison");
    json_t *not_reached = json_object_get(rep, "not_reached");
    size_t i;
    json_t *r;
    /* times back to integers for the chart */
    int64_t t0 = 0;
    if (jv_str(rep, "started_at"))
        util_time_parse(jv_str(rep, "started_at"), &t0);
    json_t *rcpts = json_array();
    json_array_foreach (items, i, r) {
        int64_t acked = 0;
        if (jv_str(r, "acked_at"))
            util_time_parse(jv_str(r, "acked_at"), &acked);
        json_array_append_new(rcpts, json_pack("{s:O,s:I}", "via",
                                               json_object_get(r, "via"),
                                               "acked_at", (json_int_t)acked));
    }
    struct buf b;
    buf_init(&b, cap);
    json_t *all = json_object_get(rep, "reach");
    buf_adds(&b, "<!doctype html><html lang=\"ja\"><head><meta "
                 "charset=\"utf-8\"><title>【訓練】訓練結果 / [DRILL] "
                 "drill report</title></head><body>");
    buf_adds(&b, "<h1>【訓練】訓練結果 / [DRILL] Drill report ");
    html_escape(&b, jv_str(rep, "drill"));
    buf_addf(
        &b,
        "</h1><p>1日以内の到達率（受領確認） / reach within 1 "
        "day (acknowledged): <strong>%.1f%%</strong> "
        "(%lld / %lld)</p>",
        100.0 * json_real_value(json_object_get(all, "reach_1d")),
        (long long)json_integer_value(json_object_get(all, "acknowledged_1d")),
        (long long)json_integer_value(json_object_get(all, "recipients")));
    if (json_is_object(comparison))
        buf_addf(&b,
                 "<p>前回の訓練との差 / change against the previous "
                 "drill: %+.1f points</p>",
                 100.0 *
                     json_real_value(json_object_get(comparison, "change")));
    else if (jv_str(rep, "comparison_status") &&
             strcmp(jv_str(rep, "comparison_status"), "pending") == 0)
        buf_adds(&b, "<p>前回の訓練との比較は、両方の訓練の1日の集計期間が"
                     "終わってから表示されます / the comparison with the "
                     "previous drill appears once both drills' 1-day windows "
                     "are closed</p>");
    buf_adds(&b, "<h2>CEPTOAR別 受領確認率の推移 / acknowledged share over "
                 "time per CEPTOAR</h2>");
    svg_chart(&b, rcpts, t0);
    json_decref(rcpts);
    buf_adds(&b, "<h2>CEPTOAR別 / per CEPTOAR</h2><table><tr><th>CEPTOAR"
                 "</th><th>対象 / recipients</th><th>15分 / 15 min</th>"
                 "<th>1時間 / 1 h</th><th>1日 / 1 day</th></tr>");
    const char *key;
    json_t *g;
    json_object_foreach (json_object_get(rep, "by_ceptoar"), key, g) {
        buf_adds(&b, "<tr><td>");
        html_escape(&b, key);
        buf_addf(&b,
                 "</td><td>%lld</td><td>%lld</td><td>%lld</td>"
                 "<td>%lld</td></tr>",
                 (long long)jv_int(g, "recipients", 0),
                 (long long)jv_int(g, "acknowledged_15m", 0),
                 (long long)jv_int(g, "acknowledged_1h", 0),
                 (long long)jv_int(g, "acknowledged_1d", 0));
    }
    buf_adds(&b, "</table><h2>未到達 / not reached</h2><ul>");
    json_array_foreach (not_reached, i, r) {
        buf_adds(&b, "<li>");
        html_escape(&b, jv_str(json_object_get(r, "name"), "ja"));
        buf_adds(&b, " / ");
        html_escape(&b, jv_str(json_object_get(r, "name"), "en"));
        buf_adds(&b, " (");
        html_escape(&b, jv_str(r, "state"));
        buf_adds(&b, ")</li>");
    }
    buf_adds(&b, "</ul></body></html>\n");
    *len = b.len;
    char *s = buf_detach(&b); /* NULL when b failed: never cut short */
    if (!s)
        *len = 0;
    return s;
}
