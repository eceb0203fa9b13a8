/*
 * exercise_debrief.c - an exercise's debrief (see service/exercises.h,
 * exercise_debrief): per participant and sector, the time from each
 * inject to each expected action, the missed ones, the drill steps' reach,
 * the questionnaire's gaps, the discussion notes and the comparison with
 * earlier exercises; as JSON, CSV, HTML with charts, and a management
 * summary page.
 *
 * Who sees what: the controllers everything; a participant its own rows,
 * its own answers, and the figures of groups of at least
 * EX_MIN_GROUP participants (a smaller group's figures would tell one
 * organisation's results to its peers).
 */
#include "service/exercises.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/csv.h"
#include "common/html.h"
#include "common/util.h"
#include "service/exercise_run.h"
#include "store/store_exercise.h"

#define EX_MIN_GROUP 5

/* ---- figures ---- */

struct tally {
    int participants, asked, on_time, late, missed, pending;
    double *minutes;
    size_t nmin, cap;
};

static void tally_add(struct tally *t, const char *outcome, const json_t *min)
{
    t->asked++;
    if (strcmp(outcome, "on_time") == 0)
        t->on_time++;
    else if (strcmp(outcome, "late") == 0)
        t->late++;
    else if (strcmp(outcome, "missed") == 0)
        t->missed++;
    else
        t->pending++;
    if (json_is_number(min)) {
        if (t->nmin == t->cap) {
            size_t cap = t->cap ? t->cap * 2 : 16;
            double *m = realloc(t->minutes, cap * sizeof(*m));
            if (!m)
                return;
            t->minutes = m;
            t->cap = cap;
        }
        t->minutes[t->nmin++] = json_number_value(min);
    }
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static json_t *tally_json(struct tally *t, bool ctl)
{
    json_t *median = json_null();
    /* a participant's view: no median of fewer than EX_MIN_GROUP times
     * (one organisation's time would be the median of one) */
    if (t->nmin && (ctl || t->nmin >= EX_MIN_GROUP)) {
        qsort(t->minutes, t->nmin, sizeof(double), dbl_cmp);
        double m =
            t->nmin % 2
                ? t->minutes[t->nmin / 2]
                : (t->minutes[t->nmin / 2 - 1] + t->minutes[t->nmin / 2]) / 2.0;
        median = json_real(round(m * 10.0) / 10.0);
    }
    double rate = t->asked ? (double)t->on_time / t->asked : 0.0;
    return json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:f,s:o}", "participants",
                     t->participants, "asked", t->asked, "on_time", t->on_time,
                     "late", t->late, "missed", t->missed, "pending",
                     t->pending, "on_time_rate", round(rate * 1000.0) / 1000.0,
                     "median_minutes", median);
}

static void tally_free(struct tally *t)
{
    free(t->minutes);
    memset(t, 0, sizeof(*t));
}

/* Keyed tallies (sectors, actions), in first-seen order. */
struct tallies {
    char (*keys)[64];
    struct tally *t;
    size_t n, cap;
};

static struct tally *tally_of(struct tallies *ts, const char *key)
{
    for (size_t i = 0; i < ts->n; i++)
        if (strcmp(ts->keys[i], key) == 0)
            return &ts->t[i];
    if (ts->n == ts->cap) {
        size_t cap = ts->cap ? ts->cap * 2 : 16;
        char(*k)[64] = realloc(ts->keys, cap * sizeof(*k));
        if (!k)
            return NULL;
        ts->keys = k;
        struct tally *t = realloc(ts->t, cap * sizeof(*t));
        if (!t)
            return NULL;
        ts->t = t;
        ts->cap = cap;
    }
    util_xcopy(ts->keys[ts->n], 64, key);
    memset(&ts->t[ts->n], 0, sizeof(struct tally));
    return &ts->t[ts->n++];
}

static void tallies_free(struct tallies *ts)
{
    for (size_t i = 0; i < ts->n; i++)
        tally_free(&ts->t[i]);
    free(ts->keys);
    free(ts->t);
}

/* Figures of a board (live or as at the end). */
struct figures {
    struct tally all;
    struct tallies sectors, actions, drills;
};

static void figures_of(const json_t *board, const json_t *scenario,
                       struct figures *f)
{
    memset(f, 0, sizeof(*f));
    size_t i, k;
    json_t *p, *a;
    json_array_foreach (json_object_get(board, "participants"), i, p) {
        const char *sector = json_string_value(json_object_get(p, "sector"));
        struct tally *st = tally_of(&f->sectors, sector ? sector : "");
        f->all.participants++;
        if (st)
            st->participants++;
        json_t *seen = json_object();
        json_array_foreach (json_object_get(p, "actions"), k, a) {
            const char *o = json_string_value(json_object_get(a, "outcome"));
            const json_t *m = json_object_get(a, "minutes");
            const char *id = json_string_value(json_object_get(a, "id"));
            tally_add(&f->all, o, m);
            if (st)
                tally_add(st, o, m);
            struct tally *at = tally_of(&f->actions, id ? id : "");
            if (at) {
                if (!json_object_get(seen, id)) {
                    at->participants++;
                    json_object_set_new(seen, id, json_true());
                }
                tally_add(at, o, m);
            }
        }
        json_decref(seen);
        /* drill steps: the injects marked drill that reached it, and
         * their acknowledgement */
        json_t *in;
        size_t j;
        json_array_foreach (json_object_get(scenario, "injects"), j, in) {
            if (!json_is_true(json_object_get(in, "drill")))
                continue;
            const char *iid = json_string_value(json_object_get(in, "id"));
            bool reached = false;
            json_t *r;
            size_t q;
            json_array_foreach (json_object_get(p, "reached"), q, r)
                reached |= strcmp(json_string_value(r), iid) == 0;
            if (!reached)
                continue;
            struct tally *dt = tally_of(&f->drills, iid);
            if (!dt)
                continue;
            dt->participants++;
            json_array_foreach (json_object_get(p, "actions"), k, a) {
                const char *ai =
                    json_string_value(json_object_get(a, "inject"));
                const char *act =
                    json_string_value(json_object_get(a, "action"));
                if (strcmp(ai, iid) == 0 && strcmp(act, "ack") == 0)
                    tally_add(dt,
                              json_string_value(json_object_get(a, "outcome")),
                              json_object_get(a, "minutes"));
            }
        }
    }
}

static void figures_free(struct figures *f)
{
    tally_free(&f->all);
    tallies_free(&f->sectors);
    tallies_free(&f->actions);
    tallies_free(&f->drills);
}

/* A group's figures, or {participants, hidden: true} for a participant's
 * view of a group under EX_MIN_GROUP. */
static json_t *group_json(struct tally *t, bool ctl)
{
    if (!ctl && t->participants < EX_MIN_GROUP)
        return json_pack("{s:b}", "hidden", true);
    json_t *o = tally_json(t, ctl);
    json_object_set_new(o, "hidden", json_false());
    return o;
}

/* The participants of the sectors too small to show add up to 1..4: the
 * figures over every participant (the totals, an action's, a drill
 * step's) less those of the sectors shown would give theirs. */
static bool small_remainder(const struct figures *f)
{
    int hidden = 0;
    for (size_t i = 0; i < f->sectors.n; i++)
        if (f->sectors.t[i].participants < EX_MIN_GROUP)
            hidden += f->sectors.t[i].participants;
    return hidden > 0 && hidden < EX_MIN_GROUP;
}

/* The participants asked an action too small to show (an action group
 * under EX_MIN_GROUP), each counted once, are 1..4: the totals less the
 * actions shown would give the figures of those few (found by an outside
 * review: two operators of one inject group, one of them reading the
 * other's results off the debrief). */
static bool small_hidden_actions(const json_t *board, const struct figures *f)
{
    int few = 0;
    size_t i, k;
    json_t *p, *a;
    json_array_foreach (json_object_get(board, "participants"), i, p) {
        bool in = false;
        json_array_foreach (json_object_get(p, "actions"), k, a) {
            const char *id = json_string_value(json_object_get(a, "id"));
            for (size_t j = 0; !in && id && j < f->actions.n; j++)
                in = strcmp(f->actions.keys[j], id) == 0 &&
                     f->actions.t[j].participants < EX_MIN_GROUP;
        }
        few += in;
    }
    return few > 0 && few < EX_MIN_GROUP;
}

/* The totals: for a participant also hidden when the sectors it cannot
 * see add up to fewer than EX_MIN_GROUP participants, since the totals
 * less the sectors it sees would give their figures; hide: hidden
 * whatever their size (a participant's view before the end). */
static json_t *totals_json(struct figures *f, bool ctl, bool hide)
{
    if (hide || (!ctl && small_remainder(f)))
        return json_pack("{s:b}", "hidden", true);
    return group_json(&f->all, ctl);
}

/* Keyed groups; hide_all: every one hidden (a participant's view of the
 * groups over every participant when small_remainder holds). */
static json_t *keyed_json(struct tallies *ts, const char *key, bool ctl,
                          bool hide_all)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < ts->n; i++) {
        json_t *o = hide_all ? json_pack("{s:b}", "hidden", true)
                             : group_json(&ts->t[i], ctl);
        json_object_set_new(o, key, json_string(ts->keys[i]));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* ---- the debrief as JSON ---- */

struct debrief_src {
    struct store_exercise x;
    json_t *board;    /* every participant's rows */
    json_t *scenario; /* the file */
};

/* The earlier ended exercises (a participant's: those its organisation
 * took part in too), their totals and sectors. */
static json_t *comparison(struct store_conn *c, const struct store_exercise *x,
                          bool ctl, const char *org)
{
    json_t *arr = json_array();
    struct store_exercise *xs = NULL;
    size_t n = 0;
    /* a participant: only the exercises its organisation took part in */
    if (store_exercise_list(c, ctl ? NULL : org, &xs, &n))
        return arr;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(xs[i].state, "ended") != 0 ||
            xs[i].created_at > x->created_at || strcmp(xs[i].id, x->id) == 0)
            continue;
        struct store_exercise full;
        if (store_exercise_get(c, xs[i].id, &full))
            continue;
        json_t *b = full.debrief ? json_loads(full.debrief, 0, NULL) : NULL;
        json_t *sc = full.scenario ? json_loads(full.scenario, 0, NULL) : NULL;
        if (b) {
            struct figures f;
            figures_of(b, sc, &f);
            json_array_append_new(
                arr,
                json_pack("{s:s,s:{s:s,s:s},s:o,s:o,s:o}", "id", full.id,
                          "title", "ja", full.title_ja, "en", full.title_en,
                          "ended_at", svc_time_json(full.ended_at), "totals",
                          totals_json(&f, ctl, false), "sectors",
                          keyed_json(&f.sectors, "sector", ctl, false)));
            figures_free(&f);
        }
        json_decref(b);
        json_decref(sc);
        store_exercise_release(&full);
    }
    store_exercise_list_free(xs, n);
    return arr;
}

static json_t *debrief_json(struct store_conn *c, const struct auth_ctx *who,
                            struct debrief_src *s)
{
    bool ctl = exercise_controller(who);
    /* A participant sees the groups' figures once the exercise has ended,
     * never while they change: each act moves one sector's and one
     * action's figures at once, so that two reads a moment apart would
     * place it in a sector x action cell of as few as one organisation
     * (found by an outside review), whatever the size of each group. */
    bool live = !ctl && strcmp(s->x.state, "ended") != 0;
    struct figures f;
    figures_of(s->board, s->scenario, &f);
    json_t *parts = json_array();
    size_t i;
    json_t *p;
    json_array_foreach (json_object_get(s->board, "participants"), i, p)
        if (ctl || strcmp(json_string_value(json_object_get(p, "org")),
                          who->org.id) == 0)
            json_array_append(parts, p);
    json_t *answers = json_array();
    struct store_ex_text *ts = NULL;
    size_t n = 0;
    if (!store_ex_answers(c, s->x.id, &ts, &n))
        for (size_t k = 0; k < n; k++) {
            if (!ctl && strcmp(ts[k].org_or_group, who->org.id) != 0)
                continue;
            json_t *a = json_loads(ts[k].text, 0, NULL);
            json_array_append_new(
                answers, json_pack("{s:s,s:o,s:o}", "org", ts[k].org_or_group,
                                   "answers", a ? a : json_object(),
                                   "submitted_at", svc_time_json(ts[k].at)));
        }
    store_ex_texts_free(ts, n);
    json_t *notes = json_array();
    if (ctl && !store_ex_notes(c, s->x.id, &ts, &n)) {
        for (size_t k = 0; k < n; k++)
            json_array_append_new(notes, json_pack("{s:s,s:s,s:o}", "group",
                                                   ts[k].org_or_group, "text",
                                                   ts[k].text, "at",
                                                   svc_time_json(ts[k].at)));
        store_ex_texts_free(ts, n);
    }
    json_t *o = json_pack(
        "{s:{s:s,s:{s:s,s:s},s:s,s:s,s:o,s:o},s:o,s:o,s:o,s:o,s:o,s:o,s:o,"
        "s:o}",
        "exercise", "id", s->x.id, "title", "ja", s->x.title_ja, "en",
        s->x.title_en, "state", s->x.state, "report_state", s->x.report_state,
        "started_at", svc_time_json(s->x.started_at), "ended_at",
        svc_time_json(s->x.ended_at), "totals", totals_json(&f, ctl, live),
        "sectors", keyed_json(&f.sectors, "sector", ctl, live), "actions",
        keyed_json(&f.actions, "action", ctl,
                   live || (!ctl && (small_remainder(&f) ||
                                     small_hidden_actions(s->board, &f)))),
        "drills",
        keyed_json(&f.drills, "inject", ctl,
                   live || (!ctl && small_remainder(&f))),
        "participants", parts, "questionnaire", answers, "notes", notes,
        "comparison", comparison(c, &s->x, ctl, who->org.id));
    /* the end on the exercise's own clock (started_at + its time) */
    json_object_set_new(json_object_get(o, "exercise"),
                        "ended_at_exercise_time",
                        svc_time_json(s->x.ended_world));
    if (*s->x.report_state)
        json_object_set_new(
            o, "report",
            json_pack("{s:s,s:s,s:s}", "state", s->x.report_state, "ja",
                      s->x.report_ja ? s->x.report_ja : "", "en",
                      s->x.report_en ? s->x.report_en : ""));
    figures_free(&f);
    return o;
}

/* ---- CSV ---- */

static int debrief_csv(const json_t *d, struct buf *b)
{
    static const char *const head[] = {
        "org",    "name_ja", "name_en",    "sector",  "inject",   "action_id",
        "action", "outcome", "within_min", "minutes", "fired_at", "done_at"};
    for (size_t i = 0; i < IS_ARRAY_LEN(head); i++)
        csv_cell(b, head[i], i + 1 == IS_ARRAY_LEN(head));
    size_t i, k;
    json_t *p, *a;
    json_array_foreach (json_object_get(d, "participants"), i, p) {
        json_t *name = json_object_get(p, "name");
        json_array_foreach (json_object_get(p, "actions"), k, a) {
            char within[16], minutes[32] = "";
            snprintf(within, sizeof(within), "%d",
                     (int)json_integer_value(json_object_get(a, "within_min")));
            if (json_is_number(json_object_get(a, "minutes")))
                snprintf(minutes, sizeof(minutes), "%.1f",
                         json_number_value(json_object_get(a, "minutes")));
            const char *cells[] = {
                json_string_value(json_object_get(p, "org")),
                json_string_value(json_object_get(name, "ja")),
                json_string_value(json_object_get(name, "en")),
                json_string_value(json_object_get(p, "sector")),
                json_string_value(json_object_get(a, "inject")),
                json_string_value(json_object_get(a, "id")),
                json_string_value(json_object_get(a, "action")),
                json_string_value(json_object_get(a, "outcome")),
                within,
                minutes,
                json_string_value(json_object_get(a, "fired_at")),
                json_string_value(json_object_get(a, "done_at"))};
            for (size_t c = 0; c < IS_ARRAY_LEN(cells); c++)
                csv_cell(b, cells[c] ? cells[c] : "",
                         c + 1 == IS_ARRAY_LEN(cells));
        }
    }
    return buf_error(b);
}

/* ---- HTML ---- */

static void esc(struct buf *b, const char *s)
{
    html_escape(b, s ? s : "");
}

/* A stacked bar per group: on time, late, missed, pending. */
static void bars(struct buf *b, const json_t *groups, const char *key,
                 const char *title)
{
    size_t n = json_array_size(groups);
    int h = 26 * (int)n + 40;
    buf_addf(b,
             "<figure><svg role=\"img\" aria-labelledby=\"t-%s\" "
             "width=\"640\" height=\"%d\" viewBox=\"0 0 640 %d\">"
             "<title id=\"t-%s\">",
             key, h, h, key);
    esc(b, title);
    buf_adds(b, "</title>");
    static const char *const parts[] = {"on_time", "late", "missed", "pending"};
    static const char *const colours[] = {"#1b7f3b", "#b8860b", "#b22222",
                                          "#777777"};
    size_t i;
    json_t *g;
    json_array_foreach (groups, i, g) {
        int y = 10 + 26 * (int)i;
        buf_addf(b, "<text x=\"0\" y=\"%d\" font-size=\"12\">", y + 14);
        esc(b, json_string_value(json_object_get(g, key)));
        buf_adds(b, "</text>");
        if (json_is_true(json_object_get(g, "hidden"))) {
            buf_addf(b,
                     "<text x=\"180\" y=\"%d\" font-size=\"12\">（非表示 / "
                     "hidden: fewer than %d）</text>",
                     y + 14, EX_MIN_GROUP);
            continue;
        }
        int asked = (int)json_integer_value(json_object_get(g, "asked"));
        double x = 180;
        for (size_t k = 0; k < IS_ARRAY_LEN(parts) && asked > 0; k++) {
            int v = (int)json_integer_value(json_object_get(g, parts[k]));
            double w = 440.0 * v / asked;
            if (v)
                buf_addf(b,
                         "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
                         "height=\"18\" fill=\"%s\"><title>%s %d</title>"
                         "</rect>",
                         x, y, w, colours[k], parts[k], v);
            x += w;
        }
    }
    buf_addf(b, "<text x=\"180\" y=\"%d\" font-size=\"11\">", h - 8);
    buf_adds(b, "■ 期限内 on time ■ 遅延 late ■ 未実施 missed ■ 未了 "
                "pending</text></svg></figure>\n");
}

static void table(struct buf *b, const json_t *groups, const char *key,
                  const char *label)
{
    buf_adds(b, "<table><thead><tr><th scope=\"col\">");
    esc(b, label);
    buf_adds(b, "</th><th scope=\"col\">参加 / participants</th>"
                "<th scope=\"col\">求めた行動 / asked</th>"
                "<th scope=\"col\">期限内 / on time</th>"
                "<th scope=\"col\">遅延 / late</th>"
                "<th scope=\"col\">未実施 / missed</th>"
                "<th scope=\"col\">中央値（分） / median (min)</th>"
                "</tr></thead><tbody>");
    size_t i;
    json_t *g;
    json_array_foreach (groups, i, g) {
        buf_adds(b, "<tr><th scope=\"row\">");
        esc(b, json_string_value(json_object_get(g, key)));
        if (json_is_true(json_object_get(g, "hidden"))) {
            buf_addf(b,
                     "</th><td colspan=\"6\">5 未満のため非表示 / hidden "
                     "(fewer than %d)</td></tr>",
                     EX_MIN_GROUP);
            continue;
        }
        json_t *med = json_object_get(g, "median_minutes");
        buf_addf(b,
                 "</th><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td>",
                 (int)json_integer_value(json_object_get(g, "participants")),
                 (int)json_integer_value(json_object_get(g, "asked")),
                 (int)json_integer_value(json_object_get(g, "on_time")),
                 (int)json_integer_value(json_object_get(g, "late")),
                 (int)json_integer_value(json_object_get(g, "missed")));
        if (json_is_number(med))
            buf_addf(b, "<td>%.1f</td></tr>", json_number_value(med));
        else
            buf_adds(b, "<td>—</td></tr>");
    }
    buf_adds(b, "</tbody></table>\n");
}

static void headline(struct buf *b, const json_t *d)
{
    json_t *t = json_object_get(d, "totals");
    if (json_is_true(json_object_get(t, "hidden"))) {
        buf_adds(b, "<p>全体の数値は参加者が少ないため非表示です。/ The "
                    "totals are hidden: too few participants.</p>");
        return;
    }
    int asked = (int)json_integer_value(json_object_get(t, "asked"));
    int on = (int)json_integer_value(json_object_get(t, "on_time"));
    int missed = (int)json_integer_value(json_object_get(t, "missed"));
    buf_addf(b,
             "<ul class=\"headline\"><li>参加組織 / participating "
             "organisations: <strong>%d</strong></li>"
             "<li>期限内に行動した割合 / actions on time: "
             "<strong>%.0f%%</strong> (%d / %d)</li>"
             "<li>未実施 / missed: <strong>%d</strong></li></ul>\n",
             (int)json_integer_value(json_object_get(t, "participants")),
             asked ? 100.0 * on / asked : 0.0, on, asked, missed);
}

static void comparison_html(struct buf *b, const json_t *d)
{
    const json_t *cmp = json_object_get(d, "comparison");
    buf_adds(b, "<h2>過去の演習との比較 / Comparison with earlier "
                "exercises</h2>");
    if (json_array_size(cmp) == 0) {
        buf_adds(b, "<p>比較できる過去の演習はありません。/ No earlier "
                    "exercise to compare with.</p>");
        return;
    }
    buf_adds(b, "<table><thead><tr><th scope=\"col\">演習 / exercise</th>"
                "<th scope=\"col\">期限内の割合 / on time</th></tr>"
                "</thead><tbody>");
    json_t *now = json_object_get(d, "totals");
    buf_adds(b, "<tr><th scope=\"row\">");
    esc(b,
        json_string_value(json_object_get(
            json_object_get(json_object_get(d, "exercise"), "title"), "en")));
    if (json_is_true(json_object_get(now, "hidden")))
        buf_adds(b, " (this)</th><td>—</td></tr>");
    else
        buf_addf(b, " (this)</th><td>%.0f%%</td></tr>",
                 100.0 *
                     json_number_value(json_object_get(now, "on_time_rate")));
    size_t i;
    json_t *x;
    json_array_foreach (cmp, i, x) {
        json_t *t = json_object_get(x, "totals");
        buf_adds(b, "<tr><th scope=\"row\">");
        esc(b, json_string_value(
                   json_object_get(json_object_get(x, "title"), "en")));
        if (json_is_true(json_object_get(t, "hidden")))
            buf_adds(b, "</th><td>—</td></tr>");
        else
            buf_addf(b, "</th><td>%.0f%%</td></tr>",
                     100.0 *
                         json_number_value(json_object_get(t, "on_time_rate")));
    }
    buf_adds(b, "</tbody></table>\n");
}

static void gaps_html(struct buf *b, const json_t *d, size_t max)
{
    buf_adds(b, "<h2>内部規程等の課題（アンケート） / Gaps in internal "
                "rules (questionnaire)</h2><ul>");
    size_t i, shown = 0;
    json_t *a;
    json_array_foreach (json_object_get(d, "questionnaire"), i, a) {
        if (shown == max)
            break;
        const char *g = json_string_value(
            json_object_get(json_object_get(a, "answers"), "gaps"));
        if (!g || !*g)
            continue;
        buf_adds(b, "<li><strong>");
        esc(b, json_string_value(json_object_get(a, "org")));
        buf_adds(b, "</strong>: ");
        esc(b, g);
        buf_adds(b, "</li>");
        shown++;
    }
    if (!shown)
        buf_adds(b, "<li>回答はまだありません。/ No answers yet.</li>");
    buf_adds(b, "</ul>\n");
}

static int debrief_html(const json_t *d, bool summary, struct buf *b)
{
    const json_t *x = json_object_get(d, "exercise");
    const json_t *title = json_object_get(x, "title");
    buf_adds(b, "<!DOCTYPE html><html lang=\"ja\"><head><meta "
                "charset=\"utf-8\"><title>");
    esc(b, json_string_value(json_object_get(title, "ja")));
    buf_adds(b, summary ? " 経営層向け要約 / management summary"
                        : " 振り返り / debrief");
    buf_adds(b, "</title><style>body{font-family:sans-serif;max-width:60em;"
                "margin:1em auto;padding:0 1em;color:#111}table{border-"
                "collapse:collapse;margin:1em 0}th,td{border:1px solid #999;"
                "padding:.2em .5em;text-align:left}.headline li{font-size:"
                "1.2em}</style></head><body><main><h1>【演習】[EXERCISE] ");
    esc(b, json_string_value(json_object_get(title, "ja")));
    buf_adds(b, " / ");
    esc(b, json_string_value(json_object_get(title, "en")));
    buf_adds(b, "</h1><p>");
    buf_adds(b, summary ? "経営層向け要約 / Management summary"
                        : "振り返り報告 / Debrief report");
    buf_adds(b, " — ");
    esc(b, json_string_value(json_object_get(x, "state")));
    const json_t *rep = json_object_get(d, "report");
    if (rep) {
        buf_adds(b, " — 報告書 / report: ");
        esc(b, json_string_value(json_object_get(rep, "state")));
    }
    buf_adds(b, "</p>\n");
    headline(b, d);
    if (rep) {
        buf_adds(b, "<h2>総括 / Summary</h2><p lang=\"ja\">");
        esc(b, json_string_value(json_object_get(rep, "ja")));
        buf_adds(b, "</p><p lang=\"en\">");
        esc(b, json_string_value(json_object_get(rep, "en")));
        buf_adds(b, "</p>");
    }
    buf_adds(b, "<h2>分野別 / By sector</h2>");
    bars(b, json_object_get(d, "sectors"), "sector",
         "分野別の行動 / actions by sector");
    if (!summary) {
        table(b, json_object_get(d, "sectors"), "sector", "分野 / sector");
        buf_adds(b, "<h2>求めた行動別 / By expected action</h2>");
        table(b, json_object_get(d, "actions"), "action", "行動 / action");
        if (json_array_size(json_object_get(d, "drills"))) {
            buf_adds(b, "<h2>訓練ステップの到達 / Drill steps' reach</h2>");
            table(b, json_object_get(d, "drills"), "inject",
                  "訓練 / drill step");
        }
    }
    comparison_html(b, d);
    gaps_html(b, d, summary ? 5 : (size_t)-1);
    if (!summary) {
        buf_adds(b, "<h2>討議メモ / Discussion notes</h2><ul>");
        size_t i;
        json_t *n;
        json_array_foreach (json_object_get(d, "notes"), i, n) {
            buf_adds(b, "<li><strong>");
            esc(b, json_string_value(json_object_get(n, "group")));
            buf_adds(b, "</strong>: ");
            esc(b, json_string_value(json_object_get(n, "text")));
            buf_adds(b, "</li>");
        }
        buf_adds(b, "</ul><h2>参加者別 / By participant</h2><table><thead>"
                    "<tr><th scope=\"col\">組織 / organisation</th>"
                    "<th scope=\"col\">行動 / action</th><th scope=\"col\">"
                    "結果 / outcome</th><th scope=\"col\">分 / minutes</th>"
                    "</tr></thead><tbody>");
        json_t *p, *a;
        size_t k;
        json_array_foreach (json_object_get(d, "participants"), i, p) {
            json_array_foreach (json_object_get(p, "actions"), k, a) {
                buf_adds(b, "<tr><td>");
                esc(b, json_string_value(json_object_get(p, "org")));
                buf_adds(b, "</td><td>");
                esc(b, json_string_value(json_object_get(a, "id")));
                buf_adds(b, "</td><td>");
                esc(b, json_string_value(json_object_get(a, "outcome")));
                json_t *m = json_object_get(a, "minutes");
                if (json_is_number(m))
                    buf_addf(b, "</td><td>%.1f</td></tr>",
                             json_number_value(m));
                else
                    buf_adds(b, "</td><td>—</td></tr>");
            }
        }
        buf_adds(b, "</tbody></table>");
    }
    buf_adds(b, "</main></body></html>\n");
    return buf_error(b);
}

/* ---- the call ---- */

int exercise_debrief(struct app *a, struct store_conn *c,
                     const struct auth_ctx *who, const char *id,
                     const char *format, const char *view, json_t **out,
                     struct buf *text, struct svc_error *e)
{
    struct debrief_src s = {0};
    int rc = store_exercise_get(c, id, &s.x);
    struct store_ex_participant me;
    bool part =
        !rc && store_ex_participant_get(c, id, who->org.id, &me) == IS_OK;
    if (rc || (!part && !exercise_controller(who))) {
        if (!rc)
            store_exercise_release(&s.x);
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                        "no such exercise, or it is not yours to see");
    }
    s.scenario = s.x.scenario ? json_loads(s.x.scenario, 0, NULL) : NULL;
    struct ex_run *r =
        strcmp(s.x.state, "running") == 0 ? ex_run_get(a, id) : NULL;
    if (r) {
        s.board = ex_run_board(r, NULL, ex_run_now(r, util_now()));
        ex_run_put(r);
    } else if (s.x.debrief && *s.x.debrief) {
        s.board = json_loads(s.x.debrief, 0, NULL);
    } else {
        s.board = json_pack("{s:[]}", "participants");
    }
    if (!s.board) {
        json_decref(s.scenario);
        store_exercise_release(&s.x);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the exercise's results cannot be read");
    }
    json_t *d = debrief_json(c, who, &s);
    json_decref(s.board);
    json_decref(s.scenario);
    store_exercise_release(&s.x);
    if (!format || strcmp(format, "json") == 0) {
        *out = d;
        return IS_OK;
    }
    rc = strcmp(format, "csv") == 0
             ? debrief_csv(d, text)
             : debrief_html(d, view && strcmp(view, "summary") == 0, text);
    json_decref(d);
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the report is too large");
    return IS_OK;
}
