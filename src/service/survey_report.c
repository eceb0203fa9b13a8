/*
 * survey_report.c - the published results of a closed survey campaign:
 * JSON, CSV and a printable HTML report with charts (see
 * service/surveys.h, docs/rules.md "The annual safety-standards survey").
 *
 * Everything here is computed from the tallies kept by each submission
 * (survey_tally, survey_tally_n): never a scan of the answers.
 */
#include "service/surveys.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/csv.h"
#include "common/html.h"
#include "common/util.h"
#include "core/survey.h"
#include "service/guideline.h"
#include "service/rcache.h"
#include "store/store_survey.h"

/* ---- what may be published ---- */

/* every sector asked, with no respondent yet */
static int sector_one(void *ctx, const struct store_survey_progress *p)
{
    json_object_set_new(
        (json_t *)ctx, p->sector_id,
        json_pack("{s:i,s:{},s:{}}", "respondents", 0, "items", "known"));
    return IS_OK;
}

static int tally_n_one(void *ctx, const char *sector, int64_t n)
{
    json_t *g = json_object_get((json_t *)ctx, sector);
    if (g)
        json_object_set_new(g, "respondents", json_integer(n));
    return IS_OK;
}

/* a secretariat's known respondents of a sector (those sharing with it) */
static int shared_one(void *ctx, const char *sector, const char *ceptoar,
                      int64_t n)
{
    json_t *g = json_object_get((json_t *)ctx, sector);
    if (g)
        json_object_set_new(json_object_get(g, "known"), ceptoar,
                            json_integer(n));
    return IS_OK;
}

static int tally_one(void *ctx, const struct store_survey_tally *t)
{
    json_t *sectors = ctx;
    json_t *g = json_object_get(sectors, t->sector_id);
    if (g)
        json_object_set_new(json_object_get(g, "items"), t->item,
                            json_pack("[I,I,I,I]", (json_int_t)t->adopted,
                                      (json_int_t)t->partly,
                                      (json_int_t)t->not_adopted,
                                      (json_int_t)t->na));
    return IS_OK;
}

/* into the counts of group acc, those of g */
static void pool(json_t *acc, const json_t *g)
{
    json_object_set_new(
        acc, "respondents",
        json_integer(json_integer_value(json_object_get(acc, "respondents")) +
                     json_integer_value(json_object_get(g, "respondents"))));
    json_t *items = json_object_get(acc, "items");
    const char *k;
    json_t *v;
    json_object_foreach (json_object_get(g, "items"), k, v) {
        json_t *have = json_object_get(items, k);
        if (!have) {
            json_object_set_new(items, k, json_deep_copy(v));
            continue;
        }
        for (size_t i = 0; i < 4; i++)
            json_array_set_new(
                have, i,
                json_integer(json_integer_value(json_array_get(have, i)) +
                             json_integer_value(json_array_get(v, i))));
    }
}

int survey_results(struct store_conn *c, const char *id, json_t **out)
{
    /* every sector asked (one with no respondent is hidden as one with
     * four), its respondents, counts and what secretariats know of it */
    json_t *sectors = json_object();
    int rc = store_survey_progress(c, id, sector_one, sectors);
    if (!rc)
        rc = store_survey_tally_n(c, id, tally_n_one, sectors);
    if (!rc)
        rc = store_survey_tally(c, id, tally_one, sectors);
    if (!rc)
        rc = store_survey_shared_counts(c, id, shared_one, sectors);
    /* the secretariats that know someone, numbered */
    json_t *secs = json_object();
    const char *key;
    json_t *g;
    json_object_foreach (sectors, key, g) {
        const char *cep;
        json_t *v;
        json_object_foreach (json_object_get(g, "known"), cep, v)
            if (!json_object_get(secs, cep))
                json_object_set_new(
                    secs, cep,
                    json_integer((json_int_t)json_object_size(secs)));
    }
    size_t k = json_object_size(sectors), nsec = json_object_size(secs);
    int64_t *n = calloc(k + 1, sizeof(*n));
    int64_t *known = calloc(k * nsec + 1, sizeof(*known));
    bool *pub = calloc(k + 1, sizeof(*pub));
    if (!rc && (!n || !known || !pub))
        rc = IS_ERR_NOMEM;
    if (rc) {
        free(n);
        free(known);
        free(pub);
        json_decref(secs);
        json_decref(sectors);
        return rc;
    }
    size_t i = 0;
    json_object_foreach (sectors, key, g) {
        n[i] = json_integer_value(json_object_get(g, "respondents"));
        const char *cep;
        json_t *v;
        json_object_foreach (json_object_get(g, "known"), cep, v)
            known[i * nsec +
                  (size_t)json_integer_value(json_object_get(secs, cep))] =
                json_integer_value(v);
        i++;
    }
    bool other_ok, national_ok;
    sv_publish(n, (int)k, known, (int)nsec, SURVEY_MIN_GROUP, pub, &other_ok,
               &national_ok);
    json_t *published = json_array(), *hidden = json_array();
    json_t *other =
        json_pack("{s:i,s:{},s:i}", "respondents", 0, "items", "sectors", 0);
    json_t *national = json_pack("{s:i,s:{}}", "respondents", 0, "items");
    i = 0;
    json_object_foreach (sectors, key, g) {
        json_object_del(g, "known");
        if (pub[i++]) {
            json_object_set_new(g, "sector", json_string(key));
            json_array_append(published, g);
            pool(national, g);
        } else {
            json_array_append_new(hidden, json_string(key));
            pool(other, g);
        }
    }
    /* the hidden sectors together: one group when it may be published
     * (then in the national figure too); else in no figure, so that the
     * national total minus the published sectors is nothing */
    if (other_ok) {
        pool(national, other);
        json_object_set_new(other, "sectors",
                            json_integer((json_int_t)json_array_size(hidden)));
    }
    free(n);
    free(known);
    free(pub);
    json_decref(secs);
    json_decref(sectors);
    *out = json_pack(
        "{s:i,s:o,s:o,s:o,s:o}", "min_group", SURVEY_MIN_GROUP, "sectors",
        published, "hidden", hidden, "other",
        other_ok ? other : (json_decref(other), json_null()), "national",
        national_ok ? national : (json_decref(national), json_null()));
    return *out ? IS_OK : IS_ERR_NOMEM;
}

/* ---- figures ---- */

static json_t *rate_json(double r)
{
    return r < 0 ? json_null() : json_real(r);
}

/* The rate of item id in a previous group's figures, -1 when none. */
static double prev_item_rate(const json_t *prev, const char *id)
{
    size_t i;
    json_t *it;
    json_array_foreach (prev ? json_object_get(prev, "items") : NULL, i, it)
        if (strcmp(json_string_value(json_object_get(it, "item")), id) == 0)
            return json_is_number(json_object_get(it, "rate"))
                       ? json_number_value(json_object_get(it, "rate"))
                       : -1;
    return -1;
}

/* A published group as the API shows it: counts and rates per item, per
 * PDCA phase (and CP/BCP) and overall, and the change from prev (the same
 * group last time, or NULL). */
static json_t *group_json(const struct gl_edition *ed, const char *key,
                          const char *kind, json_t *name, const json_t *g,
                          const json_t *prev)
{
    static const char *const phases[] = {"plan", "do", "check", "act", "bcp"};
    int64_t ph[5][3] = {{0}}, all[3] = {0};
    json_t *items = json_array();
    const json_t *gi = json_object_get(g, "items");
    if (prev && !json_is_true(json_object_get(prev, "published")))
        prev = NULL;
    for (int i = 0; i < ed->nitems; i++) {
        const struct gl_item *it = &ed->items[i];
        if (!it->answerable)
            continue;
        const json_t *cnt = json_object_get(gi, it->id);
        int64_t v[4];
        for (size_t k = 0; k < 4; k++)
            v[k] = json_integer_value(json_array_get(cnt, k));
        for (size_t p = 0; p < 5; p++)
            if (strcmp(it->pdca, phases[p]) == 0)
                for (int k = 0; k < 3; k++)
                    ph[p][k] += v[k];
        for (int k = 0; k < 3; k++)
            all[k] += v[k];
        double r = sv_rate(v[0], v[1], v[2]);
        double pr = prev_item_rate(prev, it->id);
        json_array_append_new(
            items,
            json_pack("{s:s,s:I,s:I,s:I,s:I,s:o,s:o,s:o}", "item", it->id,
                      "adopted", (json_int_t)v[0], "partly", (json_int_t)v[1],
                      "not", (json_int_t)v[2], "na", (json_int_t)v[3], "rate",
                      rate_json(r), "previous_rate", rate_json(pr), "change",
                      r >= 0 && pr >= 0
                          ? json_real(round(10.0 * (r - pr)) / 10.0)
                          : json_null()));
    }
    json_t *phj = json_object();
    for (size_t p = 0; p < 5; p++)
        json_object_set_new(phj, phases[p],
                            rate_json(sv_rate(ph[p][0], ph[p][1], ph[p][2])));
    double r = sv_rate(all[0], all[1], all[2]);
    double pr = prev && json_is_number(json_object_get(prev, "rate"))
                    ? json_number_value(json_object_get(prev, "rate"))
                    : -1;
    return json_pack("{s:s,s:s,s:o,s:b,s:O,s:o,s:o,s:o,s:o,s:o}", "key", key,
                     "kind", kind, "name", name, "published", 1, "respondents",
                     json_object_get(g, "respondents"), "rate", rate_json(r),
                     "previous_rate", rate_json(pr), "change",
                     r >= 0 && pr >= 0
                         ? json_real(round(10.0 * (r - pr)) / 10.0)
                         : json_null(),
                     "phases", phj, "items", items);
}

/* the rate of every group of a results object, by key, for year on year */
static json_t *groups_of(struct store_conn *c, const struct gl_edition *ed,
                         const json_t *res, const json_t *prev_groups);

static json_t *names(struct store_conn *c, const char *sector)
{
    char ja[601] = "", en[601] = "";
    if (store_names(c, "sector", sector, ja, sizeof(ja), en, sizeof(en)))
        return json_pack("{s:s,s:s}", "ja", sector, "en", sector);
    return json_pack("{s:s,s:s}", "ja", ja, "en", en);
}

static const json_t *prev_of(const json_t *prev_groups, const char *key)
{
    size_t i;
    json_t *g;
    json_array_foreach (prev_groups, i, g)
        if (strcmp(json_string_value(json_object_get(g, "key")), key) == 0)
            return g;
    return NULL;
}

static json_t *groups_of(struct store_conn *c, const struct gl_edition *ed,
                         const json_t *res, const json_t *prev_groups)
{
    json_t *arr = json_array();
    size_t i;
    json_t *g;
    json_array_foreach (json_object_get(res, "sectors"), i, g) {
        const char *sec = json_string_value(json_object_get(g, "sector"));
        json_array_append_new(arr, group_json(ed, sec, "sector", names(c, sec),
                                              g, prev_of(prev_groups, sec)));
    }
    json_array_foreach (json_object_get(res, "hidden"), i, g) {
        const char *sec = json_string_value(g);
        json_array_append_new(arr, json_pack("{s:s,s:s,s:o,s:b,s:s}", "key",
                                             sec, "kind", "sector", "name",
                                             names(c, sec), "published", 0,
                                             "reason", "fewer_than_min_group"));
    }
    /* the pool has no year-on-year change: its sectors may differ from
     * one year to the next */
    const json_t *o = json_object_get(res, "other");
    if (json_is_object(o))
        json_array_append_new(
            arr, group_json(ed, "other", "other",
                            json_pack("{s:s,s:s}", "ja", "その他の分野（合算）",
                                      "en", "Other sectors (pooled)"),
                            o, NULL));
    const json_t *n = json_object_get(res, "national");
    if (json_is_object(n))
        json_array_append_new(arr,
                              group_json(ed, "national", "national",
                                         json_pack("{s:s,s:s}", "ja", "全体",
                                                   "en", "All sectors"),
                                         n, prev_of(prev_groups, "national")));
    return arr;
}

/* ---- the published results ---- */

static int published(struct store_conn *c, const struct store_survey *s,
                     const struct gl_edition *ed, json_t **out,
                     struct svc_error *e)
{
    json_t *res = NULL, *prev_res = NULL, *prev_groups = NULL;
    struct store_survey prev;
    bool have_prev = store_survey_previous(c, s->fy, &prev) == IS_OK;
    int rc = survey_results(c, s->id, &res);
    if (!rc && have_prev)
        rc = survey_results(c, prev.id, &prev_res);
    if (rc) {
        json_decref(res);
        json_decref(prev_res);
        return svc_fail(e, rc, "internal", NULL, "the results cannot be read");
    }
    /* last year's groups, read against this year's items: an item of one
     * edition only has no change */
    if (prev_res)
        prev_groups = groups_of(c, ed, prev_res, NULL);
    json_t *groups = groups_of(c, ed, res, prev_groups);
    json_t *items = json_array();
    for (int i = 0; i < ed->nitems; i++) {
        if (!ed->items[i].answerable)
            continue;
        json_t *title = NULL;
        size_t k;
        json_t *it;
        json_array_foreach (json_object_get(ed->doc, "items"), k, it)
            if (strcmp(json_string_value(json_object_get(it, "id")),
                       ed->items[i].id) == 0)
                title = json_object_get(it, "title");
        json_t *ch;
        json_array_foreach (json_object_get(ed->doc, "bcp"), k, ch) {
            size_t m;
            json_array_foreach (json_object_get(ch, "checks"), m, it)
                if (strcmp(json_string_value(json_object_get(it, "id")),
                           ed->items[i].id) == 0)
                    title = json_object_get(it, "text");
        }
        json_array_append_new(
            items, json_pack("{s:s,s:s,s:s,s:O}", "id", ed->items[i].id, "pdca",
                             ed->items[i].pdca, "parent", ed->items[i].parent,
                             "title", title ? title : json_null()));
    }
    /* last year's rates are in each group; only the rates travel */
    json_decref(prev_groups);
    json_decref(prev_res);
    json_decref(res);
    *out = json_pack(
        "{s:s,s:i,s:s,s:i,s:o,s:o,s:o}", "campaign", s->id, "fy", s->fy,
        "edition", s->edition, "min_group", SURVEY_MIN_GROUP, "previous",
        have_prev ? json_pack("{s:s,s:i}", "campaign", prev.id, "fy", prev.fy)
                  : json_null(),
        "items", items, "groups", groups);
    return *out ? IS_OK
                : svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "out of memory");
}

/* ---- CSV ---- */

static void num_cell(struct buf *b, const json_t *v, bool last)
{
    char t[32] = "";
    if (json_is_integer(v))
        snprintf(t, sizeof(t), "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(t, sizeof(t), "%.1f", json_real_value(v));
    csv_cell(b, t, last);
}

static void csv_of(const json_t *p, struct buf *b)
{
    static const char *const head[] = {
        "fy",   "group", "kind",        "name_ja",       "name_en",
        "item", "pdca",  "respondents", "adopted",       "partly",
        "not",  "na",    "rate",        "previous_rate", "change"};
    for (size_t i = 0; i < IS_ARRAY_LEN(head); i++)
        csv_cell(b, head[i], i + 1 == IS_ARRAY_LEN(head));
    char fy[16];
    snprintf(fy, sizeof(fy), "%lld",
             (long long)json_integer_value(json_object_get(p, "fy")));
    size_t i;
    json_t *g;
    json_array_foreach (json_object_get(p, "groups"), i, g) {
        if (!json_is_true(json_object_get(g, "published")))
            continue;
        const json_t *nm = json_object_get(g, "name");
        /* the group's overall row ("*"), then one per item */
        csv_cell(b, fy, false);
        csv_cell(b, json_string_value(json_object_get(g, "key")), false);
        csv_cell(b, json_string_value(json_object_get(g, "kind")), false);
        csv_cell(b, json_string_value(json_object_get(nm, "ja")), false);
        csv_cell(b, json_string_value(json_object_get(nm, "en")), false);
        csv_cell(b, "*", false);
        csv_cell(b, "", false);
        num_cell(b, json_object_get(g, "respondents"), false);
        for (int k = 0; k < 4; k++)
            csv_cell(b, "", false);
        num_cell(b, json_object_get(g, "rate"), false);
        num_cell(b, json_object_get(g, "previous_rate"), false);
        num_cell(b, json_object_get(g, "change"), true);
        size_t k;
        json_t *it;
        json_array_foreach (json_object_get(g, "items"), k, it) {
            const json_t *meta = json_array_get(json_object_get(p, "items"), k);
            csv_cell(b, fy, false);
            csv_cell(b, json_string_value(json_object_get(g, "key")), false);
            csv_cell(b, json_string_value(json_object_get(g, "kind")), false);
            csv_cell(b, json_string_value(json_object_get(nm, "ja")), false);
            csv_cell(b, json_string_value(json_object_get(nm, "en")), false);
            csv_cell(b, json_string_value(json_object_get(it, "item")), false);
            csv_cell(b, json_string_value(json_object_get(meta, "pdca")),
                     false);
            num_cell(b, json_object_get(g, "respondents"), false);
            num_cell(b, json_object_get(it, "adopted"), false);
            num_cell(b, json_object_get(it, "partly"), false);
            num_cell(b, json_object_get(it, "not"), false);
            num_cell(b, json_object_get(it, "na"), false);
            num_cell(b, json_object_get(it, "rate"), false);
            num_cell(b, json_object_get(it, "previous_rate"), false);
            num_cell(b, json_object_get(it, "change"), true);
        }
    }
}

/* ---- the printable report ---- */

static const char *tr(const json_t *o, const char *lang)
{
    const char *s = json_string_value(json_object_get(o, lang));
    return s ? s : "";
}

static void esc(struct buf *b, const char *s)
{
    html_escape(b, s);
}

static void pct(struct buf *b, const json_t *v)
{
    if (json_is_number(v))
        buf_addf(b, "%.1f", json_number_value(v));
    else
        buf_adds(b, "—");
}

static void signed_pct(struct buf *b, const json_t *v)
{
    if (json_is_number(v))
        buf_addf(b, "%+.1f", json_number_value(v));
    else
        buf_adds(b, "—");
}

static void html_of(const struct store_survey *s, const json_t *p,
                    const char *lang, struct buf *b)
{
    bool ja = strcmp(lang, "ja") == 0;
#define L(j, e) (ja ? (j) : (e))
    buf_addf(b,
             "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
             "<title>",
             lang);
    esc(b, ja ? s->title_ja : s->title_en);
    buf_adds(b,
             "</title><style>body{font-family:sans-serif;margin:2em;"
             "color:#111}table{border-collapse:collapse;margin:1em 0}"
             "td,th{border:1px solid #999;padding:.2em .5em;text-align:right}"
             "td:first-child,th:first-child{text-align:left}"
             "caption{text-align:left;font-weight:bold}"
             "@media print{section{page-break-inside:avoid}}</style></head>"
             "<body><h1>");
    esc(b, ja ? s->title_ja : s->title_en);
    buf_adds(b, "</h1><p>");
    char closed[UTIL_TIME_LEN];
    util_time_rfc3339(s->closed_at, closed);
    buf_addf(b, "%s %d — %s %s — %s %lld</p>", L("年度", "Fiscal year"), s->fy,
             L("締切", "Closed"), closed, L("対象事業者数", "Operators asked"),
             (long long)s->targets);
    buf_addf(b, "<p>%s</p>",
             L("回答者が5者未満の分野、またはセプター事務局が把握していない"
               "（共有されたことのない）回答が1～4者の分野は非公表とし（両者は"
               "区別しない）、その他の分野として合算して同じ条件を満たす場合の"
               "み合算値を公表し、満たさない場合はいずれの集計（全体を含む）に"
               "も含めない。"
               "採用率＝「採用」の回答数÷（採用＋一部採用＋未採用）。",
               "Sectors with fewer than 5 respondents, or with 1 to 4 whose "
               "answers a CEPTOAR secretariat does not know (never shared "
               "with it), are not shown, and the two are not told apart; they "
               "are pooled as \"other sectors\" when the pool passes the same "
               "test, otherwise left out of every figure (the total too). "
               "Adoption rate = adopted / (adopted + partly + not adopted)."));
    /* the summary and its chart */
    buf_addf(b,
             "<section><table><caption>%s</caption><tr><th>%s</th><th>%s</th>"
             "<th>%s</th><th>Plan</th><th>Do</th><th>Check</th><th>Act</th>"
             "<th>CP/BCP</th><th>%s</th></tr>",
             L("分野別の採用率（％）", "Adoption rate by sector (%)"),
             L("分野", "Sector"), L("回答者数", "Respondents"),
             L("採用率", "Rate"), L("前年比（ポイント）", "Change (points)"));
    size_t i, ng = 0;
    json_t *g;
    json_array_foreach (json_object_get(p, "groups"), i, g) {
        buf_adds(b, "<tr><td>");
        esc(b, tr(json_object_get(g, "name"), lang));
        if (!json_is_true(json_object_get(g, "published"))) {
            buf_addf(b, "</td><td colspan=\"8\">%s</td></tr>",
                     L("非公表（回答者5者未満等）",
                       "not shown (fewer than 5, or known to a secretariat)"));
            continue;
        }
        ng++;
        buf_addf(
            b, "</td><td>%lld</td><td>",
            (long long)json_integer_value(json_object_get(g, "respondents")));
        pct(b, json_object_get(g, "rate"));
        static const char *const ph[] = {"plan", "do", "check", "act", "bcp"};
        for (size_t k = 0; k < 5; k++) {
            buf_adds(b, "</td><td>");
            pct(b, json_object_get(json_object_get(g, "phases"), ph[k]));
        }
        buf_adds(b, "</td><td>");
        signed_pct(b, json_object_get(g, "change"));
        buf_adds(b, "</td></tr>");
    }
    buf_adds(b, "</table>");
    /* horizontal bars of the published groups' rates */
    int h = (int)ng * 22 + 10;
    buf_addf(b,
             "<svg role=\"img\" width=\"640\" height=\"%d\" "
             "viewBox=\"0 0 640 %d\" xmlns=\"http://www.w3.org/2000/svg\">"
             "<title>%s</title>",
             h, h, L("分野別の採用率", "Adoption rate by sector"));
    int row = 0;
    json_array_foreach (json_object_get(p, "groups"), i, g) {
        if (!json_is_true(json_object_get(g, "published")))
            continue;
        double r = json_number_value(json_object_get(g, "rate"));
        int y = 5 + row++ * 22;
        buf_addf(b, "<text x=\"0\" y=\"%d\" font-size=\"12\">", y + 14);
        esc(b, tr(json_object_get(g, "name"), lang));
        buf_addf(b,
                 "</text><rect x=\"200\" y=\"%d\" width=\"%d\" height=\"16\" "
                 "fill=\"#2a6fb0\"/><text x=\"%d\" y=\"%d\" "
                 "font-size=\"12\">%.1f%%</text>",
                 y, (int)(r * 3.6), 206 + (int)(r * 3.6), y + 13, r);
    }
    buf_adds(b, "</svg></section>");
    /* the items, nationally */
    const json_t *nat = NULL;
    json_array_foreach (json_object_get(p, "groups"), i, g)
        if (strcmp(json_string_value(json_object_get(g, "key")), "national") ==
            0)
            nat = g;
    if (nat) {
        buf_addf(b,
                 "<section><table><caption>%s</caption><tr><th>%s</th>"
                 "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
                 "<th>%s</th><th>%s</th></tr>",
                 L("対策項目別（全体）", "By item (all sectors)"),
                 L("項目", "Item"), L("採用", "Adopted"),
                 L("一部採用", "Partly"), L("未採用", "Not adopted"),
                 L("対象外", "N/A"), L("採用率", "Rate"),
                 L("前年", "Last year"), L("前年比", "Change"));
        size_t k;
        json_t *it;
        json_array_foreach (json_object_get(nat, "items"), k, it) {
            const json_t *meta = json_array_get(json_object_get(p, "items"), k);
            buf_adds(b, "<tr><td>");
            esc(b, json_string_value(json_object_get(it, "item")));
            buf_adds(b, " ");
            esc(b, tr(json_object_get(meta, "title"), lang));
            buf_addf(
                b,
                "</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld"
                "</td><td>",
                (long long)json_integer_value(json_object_get(it, "adopted")),
                (long long)json_integer_value(json_object_get(it, "partly")),
                (long long)json_integer_value(json_object_get(it, "not")),
                (long long)json_integer_value(json_object_get(it, "na")));
            pct(b, json_object_get(it, "rate"));
            buf_adds(b, "</td><td>");
            pct(b, json_object_get(it, "previous_rate"));
            buf_adds(b, "</td><td>");
            signed_pct(b, json_object_get(it, "change"));
            buf_adds(b, "</td></tr>");
        }
        buf_adds(b, "</table></section>");
    }
    buf_adds(b, "</body></html>\n");
#undef L
}

int survey_aggregates(struct app *a, struct store_conn *c,
                      const struct auth_ctx *who, const char *id,
                      const char *format, const char *lang, struct buf *text,
                      struct svc_error *e)
{
    IS_UNUSED(who);
    struct store_survey s;
    int rc = store_survey_get(c, id, &s);
    if (rc == IS_ERR_NOTFOUND)
        return svc_fail(e, rc, "not_found", "id", "no such survey campaign");
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the campaign cannot be read");
    /* published once closed: a figure that moved while open would tell,
     * between two reads, what the operators who submitted meanwhile
     * answered */
    if (strcmp(s.state, "closed") != 0)
        return svc_fail(e, IS_ERR_CONFLICT, "campaign_open", "id",
                        "the results are published when the campaign closes");
    if (!format)
        format = "json";
    lang = lang && strcmp(lang, "en") == 0 ? "en" : "ja";
    /* the key names all the text depends on: the campaign (closed, at its
     * version) and the previous year's (which a later closing of an
     * earlier year may change) */
    struct store_survey prev;
    bool have_prev = store_survey_previous(c, s.fy, &prev) == IS_OK;
    char key[128];
    snprintf(key, sizeof(key), "%s:%s:%s:%s:%lld", s.id, format, lang,
             have_prev ? prev.id : "-",
             have_prev ? (long long)prev.version : 0LL);
    char *kept = NULL;
    size_t kept_len = 0;
    if (rcache_get(a ? a->survey_cache : NULL, key, s.version, &kept,
                   &kept_len)) {
        buf_add(text, kept, kept_len);
        free(kept);
        return buf_error(text)
                   ? svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "too large")
                   : IS_OK;
    }
    struct gl_edition own = {0};
    const struct gl_edition *ed = guideline_edition_stored(c, s.edition, &own);
    if (!ed)
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the campaign's edition cannot be read");
    json_t *p = NULL;
    rc = published(c, &s, ed, &p, e);
    if (!rc) {
        if (strcmp(format, "csv") == 0)
            csv_of(p, text);
        else if (strcmp(format, "html") == 0)
            html_of(&s, p, lang, text);
        else {
            char *js = json_dumps(p, JSON_COMPACT);
            if (js)
                buf_adds(text, js);
            else
                buf_set_error(text, IS_ERR_NOMEM);
            free(js);
        }
        json_decref(p);
    }
    guideline_release(&own);
    if (rc)
        return rc;
    if (buf_error(text))
        return svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "too large");
    rcache_put(a ? a->survey_cache : NULL, key, s.version, text->data,
               text->len);
    return IS_OK;
}
