/*
 * drills.c - CEPTOAR drills (DOMAIN.md §7): a drill is an advisory marked
 * as a drill (every message says 【訓練】/[DRILL]); its report gives reach
 * per CEPTOAR and organisation, the channel that reached each, those not
 * reached, and the change against the previous drill of the same target.
 */
#include "service/provision.h"

#include "core/roles.h"
#include "common/buf.h"
#include "common/html.h"
#include "common/util.h"


static const char *const targets[] = {"ceptoar", "sector", "all", NULL};

const struct jv_field provision_drill_spec[] = {
    {.name = "target_kind", .type = JV_STRING, .required = true, .max_len = 10,
     .enum_values = targets},
    {.name = "target", .type = JV_STRING, .max_len = 63},
    {.name = "title_ja", .type = JV_STRING, .max_len = 180},
    {.name = "title_en", .type = JV_STRING, .max_len = 180},
    {.name = "body_ja", .type = JV_STRING, .max_len = 10000},
    {.name = "body_en", .type = JV_STRING, .max_len = 10000},
    {.name = NULL},
};

static json_t *tj(int64_t t)
{
    if (!t)
        return json_null();
    char ts[UTIL_TIME_LEN];
    util_time_rfc3339(t, ts);
    return json_string(ts);
}

int drill_start(struct app *a, struct store_conn *c,
                const struct auth_ctx *who, const json_t *body, int64_t now,
                json_t **out, struct svc_error *e)
{
    const char *kind = jv_str(body, "target_kind");
    const char *target = jv_str(body, "target");
    const char *okind = who->org.kind;
    bool nisc = strcmp(okind, "nisc") == 0;
    bool ministry = strcmp(okind, "ministry") == 0;
    bool ceptoar = strcmp(okind, "ceptoar") == 0;
    if (!nisc && !ministry && !ceptoar)
        return svc_fail(e, 403, "forbidden", NULL,
                        "drills are started by NISC, ministries and CEPTOAR "
                        "secretariats");
    if (strcmp(kind, "all") != 0 && !target)
        return svc_fail(e, 400, "missing_field", "target",
                        "target: required unless target_kind is all");
    if (strcmp(kind, "all") == 0 && !nisc)
        return svc_fail(e, 403, "forbidden", "target_kind",
                        "target_kind: only NISC drills every sector");
    if (ceptoar && (strcmp(kind, "ceptoar") || strcmp(target, who->org.id)))
        return svc_fail(e, 403, "forbidden", "target",
                        "target: a secretariat drills its own CEPTOAR");
    char ja[8], en[8];
    struct access_org rel;
    if (strcmp(kind, "sector") == 0 &&
        store_names(c, "sector", target, ja, sizeof(ja), en, sizeof(en)))
        return svc_fail(e, 400, "invalid_value", "target",
                        "target: no such sector");
    if (strcmp(kind, "ceptoar") == 0 &&
        (store_org_rel(c, target, &rel) || strcmp(rel.kind, "ceptoar")))
        return svc_fail(e, 400, "invalid_value", "target",
                        "target: no such CEPTOAR");
    /* a ministry drills the sectors it owns */
    if (ministry) {
        bool own;
        if (strcmp(kind, "ceptoar") == 0) {
            own = strcmp(rel.ministry_id, who->org.id) == 0;
        } else {
            json_t *sectors = NULL;
            own = false;
            if (store_sectors_json(c, &sectors) == IS_OK) {
                size_t i;
                json_t *s;
                json_array_foreach(sectors, i, s) if (
                    strcmp(jv_str(s, "id"), target) == 0 &&
                    strcmp(jv_str(json_object_get(s, "ministry"), "id"),
                           who->org.id) == 0) own = true;
                json_decref(sectors);
            }
        }
        if (!own)
            return svc_fail(e, 403, "forbidden", "target",
                            "target: a ministry drills the sectors it owns");
    }
    char tja[256], ten[256];
    snprintf(tja, sizeof(tja), "【訓練】%s",
             jv_str(body, "title_ja") ? jv_str(body, "title_ja")
                                      : "情報伝達訓練");
    snprintf(ten, sizeof(ten), "[DRILL] %s",
             jv_str(body, "title_en") ? jv_str(body, "title_en")
                                      : "Information-sharing drill");
    json_t *aud = json_object();
    if (strcmp(kind, "all") == 0)
        json_object_set_new(aud, "all", json_true());
    else
        json_object_set_new(aud,
                            strcmp(kind, "sector") == 0 ? "sectors"
                                                        : "ceptoars",
                            json_pack("[s]", target));
    json_t *adv = json_pack(
        "{s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:o}", "kind", "security_info",
        "range", "green", "severity", 0, "title_ja", tja, "title_en", ten,
        "body_ja",
        jv_str(body, "body_ja") ? jv_str(body, "body_ja")
                                : "【訓練】これは訓練です。受領を確認してくだ"
                                  "さい。",
        "body_en",
        jv_str(body, "body_en") ? jv_str(body, "body_en")
                                : "[DRILL] This is a drill. Please "
                                  "acknowledge receipt.",
        "audience", aud);
    char adv_id[40], id[24], hex[17];
    util_random_hex(hex, 8);
    snprintf(id, sizeof(id), "D%s", hex);
    int rc = store_begin(c);
    if (!rc)
        rc = advisory_issue_drill(a, c, who, adv, now, adv_id,
                                  sizeof(adv_id));
    if (!rc)
        rc = store_drill_insert(c, id, adv_id, kind, target ? target : "",
                                who->org.id, now);
    if (!rc)
        rc = audit_record(c, who, now, "drill.start", id,
                          json_pack("{s:s,s:s,s:s}", "advisory", adv_id,
                                    "target_kind", kind, "target",
                                    target ? target : ""));
    json_decref(adv);
    if (rc || (rc = store_commit(c))) {
        store_rollback(c);
        return svc_fail(e, 500, "internal", NULL,
                        "the drill could not be started; nothing was sent");
    }
    *out = json_pack("{s:s,s:s,s:s,s:s,s:o}", "id", id, "advisory", adv_id,
                     "target_kind", kind, "target", target ? target : "",
                     "started_at", tj(now));
    return IS_OK;
}

/* Acknowledged share at elapsed seconds, per bucket key. */
static const int64_t chart_points[] = {0,    300,   900,   1800, 3600,
                                       7200, 14400, 28800, 86400};
static const char *const chart_labels[] = {"0", "5m", "15m", "30m", "1h",
                                           "2h", "4h", "8h", "24h"};
#define NPOINTS 9

static void svg_chart(struct buf *b, const json_t *rcpts, int64_t t0)
{
    static const char *const colours[] = {"#1f77b4", "#d62728", "#2ca02c",
                                          "#9467bd", "#ff7f0e", "#8c564b",
                                          "#e377c2", "#17becf"};
    /* group by CEPTOAR */
    json_t *groups = json_object();
    size_t i;
    json_t *r;
    json_array_foreach(rcpts, i, r) {
        const char *via = jv_str(r, "via");
        const char *k = via && *via ? via : "(direct)";
        if (!json_object_get(groups, k))
            json_object_set_new(groups, k, json_array());
        json_array_append(json_object_get(groups, k), r);
    }
    size_t ng = json_object_size(groups);
    int w = 640, h = 300, left = 50, top = 20, pw = 420, ph = 220;
    buf_addf(b,
             "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
             "height=\"%d\" role=\"img\" aria-label=\"acknowledged share over "
             "time per CEPTOAR\">",
             w, (int)(h + 16 * (ng > 8 ? ng - 8 : 0)));
    buf_addf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                "fill=\"none\" stroke=\"#555\"/>",
             left, top, pw, ph);
    for (int p = 0; p <= 4; p++) {
        int y = top + ph - ph * p / 4;
        buf_addf(b, "<text x=\"%d\" y=\"%d\" font-size=\"10\" "
                    "text-anchor=\"end\">%d%%</text>",
                 left - 4, y + 3, p * 25);
    }
    for (int p = 0; p < NPOINTS; p++)
        buf_addf(b, "<text x=\"%d\" y=\"%d\" font-size=\"10\" "
                    "text-anchor=\"middle\">%s</text>",
                 left + pw * p / (NPOINTS - 1), top + ph + 14,
                 chart_labels[p]);
    const char *key;
    json_t *g;
    int gi = 0;
    json_object_foreach(groups, key, g) {
        size_t n = json_array_size(g);
        struct buf pts;
        buf_init(&pts, 4096);
        for (int p = 0; p < NPOINTS; p++) {
            size_t acked = 0, k;
            json_t *x;
            json_array_foreach(g, k, x) {
                int64_t at = json_integer_value(json_object_get(x,
                                                                "acked_at"));
                if (at && at - t0 <= chart_points[p])
                    acked++;
            }
            int px = left + pw * p / (NPOINTS - 1);
            int py = top + ph - (int)((double)ph * (double)acked /
                                      (double)(n ? n : 1));
            buf_addf(&pts, "%s%d,%d", p ? " " : "", px, py);
        }
        const char *col = colours[gi % 8];
        /* dashes differ too: colour is never the only cue */
        buf_addf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\""
                    " stroke-dasharray=\"%d,%d\" points=\"%s\"/>",
                 col, 2 + 2 * (gi % 4), gi % 4 ? 3 : 0, buf_str(&pts));
        buf_release(&pts);
        int ly = top + 10 + 16 * gi;
        buf_addf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                    "stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"%d,%d\"/>"
                    "<text x=\"%d\" y=\"%d\" font-size=\"11\">",
                 left + pw + 10, ly, left + pw + 30, ly, col,
                 2 + 2 * (gi % 4), gi % 4 ? 3 : 0, left + pw + 34, ly + 4);
        html_escape(b, key);
        buf_adds(b, "</text>");
        gi++;
    }
    buf_adds(b, "</svg>");
    json_decref(groups);
}

static void csv_cell(struct buf *b, const char *s, bool last)
{
    buf_adds(b, "\"");
    if (s && (*s == '=' || *s == '+' || *s == '-' || *s == '@'))
        buf_adds(b, "'");
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '"')
            buf_add(b, "\"", 1); /* a quote is doubled */
        buf_add(b, p, 1);
    }
    buf_adds(b, last ? "\"\r\n" : "\",");
}

int drill_report(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const char *id,
                 const char *format, int64_t now, json_t **out, char **text,
                 size_t *len, struct svc_error *e)
{
    json_t *d = NULL;
    if (strlen(id) > 40 || store_drill_get(c, id, &d))
        return svc_fail(e, 404, "not_found", NULL, "no such drill");
    const char *adv = jv_str(d, "advisory");
    /* who may read the report: those who may see the advisory's
     * deliveries (the author's chain and the secretariats) */
    json_t *dl = NULL;
    int rc = advisory_deliveries(a, c, who, adv, "all", now, &dl, e);
    if (rc) {
        json_decref(d);
        return rc;
    }
    struct store_advisory ad;
    store_advisory_get(c, adv, &ad);
    int64_t t0 = ad.created_at;
    store_advisory_release(&ad);
    json_t *items = json_object_get(dl, "items");
    /* times back to integers for the chart */
    json_t *rcpts = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(items, i, r) {
        int64_t acked = 0;
        if (jv_str(r, "acked_at"))
            util_time_parse(jv_str(r, "acked_at"), &acked);
        json_array_append_new(rcpts,
                              json_pack("{s:O,s:I}", "via",
                                        json_object_get(r, "via"),
                                        "acked_at", (json_int_t)acked));
    }
    json_t *not_reached = json_array();
    json_array_foreach(items, i, r) if (strcmp(jv_str(r, "state"),
                                               "acknowledged"))
        json_array_append_new(
            not_reached, json_pack("{s:O,s:O,s:O,s:O}", "org",
                                   json_object_get(r, "org"), "name",
                                   json_object_get(r, "name"), "via",
                                   json_object_get(r, "via"), "state",
                                   json_object_get(r, "state")));
    json_t *reach = json_object_get(dl, "reach");
    json_t *prev = NULL, *comparison = json_null();
    if (store_drill_prev(c, jv_str(d, "target_kind"), jv_str(d, "target"),
                         jv_int(d, "seq", 0), &prev) == IS_OK) {
        json_t *pdl = NULL;
        struct svc_error pe = {0};
        if (advisory_deliveries(a, c, who, jv_str(prev, "advisory"), "all",
                                now, &pdl, &pe) == IS_OK) {
            double cur = json_real_value(json_object_get(
                json_object_get(reach, "advisory"), "reach_1d"));
            double old = json_real_value(json_object_get(
                json_object_get(json_object_get(pdl, "reach"), "advisory"),
                "reach_1d"));
            comparison = json_pack("{s:O,s:f,s:f,s:f}", "previous_drill",
                                   json_object_get(prev, "id"),
                                   "previous_reach_1d", old, "reach_1d", cur,
                                   "change", cur - old);
            json_decref(pdl);
        }
        json_decref(prev);
    }
    json_t *rep = json_pack(
        "{s:O,s:O,s:O,s:O,s:o,s:O,s:O,s:o,s:o}", "drill", json_object_get(d,
                                                                       "id"),
        "advisory", json_object_get(d, "advisory"), "target_kind",
        json_object_get(d, "target_kind"), "target",
        json_object_get(d, "target"), "started_at", tj(t0), "reach",
        json_object_get(reach, "advisory"), "by_ceptoar",
        json_object_get(reach, "by_ceptoar"), "not_reached", not_reached,
        "comparison", comparison);
    json_object_set(rep, "organisations", items);
    rc = IS_OK;
    if (!format || strcmp(format, "json") == 0) {
        *out = rep;
        rep = NULL;
    } else if (strcmp(format, "csv") == 0) {
        struct buf b;
        buf_init(&b, 32 * 1024 * 1024);
        buf_adds(&b, "org,name_ja,name_en,ceptoar,state,channel,"
                     "released_at,delivered_at,acked_at,ack_via\r\n");
        json_array_foreach(items, i, r) {
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
        *text = buf_detach(&b);
    } else if (strcmp(format, "html") == 0) {
        struct buf b;
        buf_init(&b, 32 * 1024 * 1024);
        json_t *all = json_object_get(reach, "advisory");
        buf_adds(&b, "<!doctype html><html lang=\"ja\"><head><meta "
                     "charset=\"utf-8\"><title>【訓練】訓練結果 / [DRILL] "
                     "drill report</title></head><body>");
        buf_adds(&b, "<h1>【訓練】訓練結果 / [DRILL] Drill report ");
        html_escape(&b, jv_str(d, "id"));
        buf_addf(&b, "</h1><p>1日以内の到達率（受領確認） / reach within 1 "
                     "day (acknowledged): <strong>%.1f%%</strong> "
                     "(%lld / %lld)</p>",
                 100.0 * json_real_value(json_object_get(all, "reach_1d")),
                 (long long)json_integer_value(
                     json_object_get(all, "acknowledged_1d")),
                 (long long)json_integer_value(
                     json_object_get(all, "recipients")));
        if (json_is_object(comparison))
            buf_addf(&b, "<p>前回の訓練との差 / change against the previous "
                         "drill: %+.1f points</p>",
                     100.0 * json_real_value(json_object_get(comparison,
                                                             "change")));
        buf_adds(&b, "<h2>CEPTOAR別 受領確認率の推移 / acknowledged share over "
                     "time per CEPTOAR</h2>");
        svg_chart(&b, rcpts, t0);
        buf_adds(&b, "<h2>CEPTOAR別 / per CEPTOAR</h2><table><tr><th>CEPTOAR"
                     "</th><th>対象 / recipients</th><th>15分 / 15 min</th>"
                     "<th>1時間 / 1 h</th><th>1日 / 1 day</th></tr>");
        const char *key;
        json_t *g;
        json_object_foreach(json_object_get(reach, "by_ceptoar"), key, g) {
            buf_adds(&b, "<tr><td>");
            html_escape(&b, key);
            buf_addf(&b, "</td><td>%lld</td><td>%lld</td><td>%lld</td>"
                         "<td>%lld</td></tr>",
                     (long long)jv_int(g, "recipients", 0),
                     (long long)jv_int(g, "acknowledged_15m", 0),
                     (long long)jv_int(g, "acknowledged_1h", 0),
                     (long long)jv_int(g, "acknowledged_1d", 0));
        }
        buf_adds(&b, "</table><h2>未到達 / not reached</h2><ul>");
        json_array_foreach(not_reached, i, r) {
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
        *text = buf_detach(&b);
    } else {
        rc = svc_fail(e, 400, "invalid_value", "format",
                      "format: json, csv or html");
    }
    json_decref(rep);
    json_decref(rcpts);
    json_decref(dl);
    json_decref(d);
    return rc;
}
