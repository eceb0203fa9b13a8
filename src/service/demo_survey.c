/*
 * demo_survey.c - the annual survey's demo (issue 15; service/demo.h): last
 * fiscal year's campaign closed with its published figures, this year's
 * open with answers coming in, and some operators' CP/BCP readiness.
 *
 * Respondents are drawn per sector (at most 30 last year, 15 this year,
 * deterministically), so that small sectors show as hidden groups; the
 * answers lean as the 4th plan says the operators' PDCA does (Check and
 * Act weaker than Plan and Do: 000:10, 175) and improve a little from one
 * year to the next. The first operator of every sector ("…-0001") is left
 * untouched, for a person trying the demo to answer themselves.
 */
#include "service/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/util.h"
#include "service/guideline.h"
#include "store/store_survey.h"

#define DEMO_LAST_MAX 30
#define DEMO_THIS_MAX 15

static unsigned long long rng = 0x5eed5eedULL;
static unsigned draw(unsigned n)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng >> 33) % n);
}

/* One answer for an item of phase pdca; better by `better` in percent. */
static const char *answer(const char *pdca, int better)
{
    int adopt = strcmp(pdca, "plan") == 0    ? 70
                : strcmp(pdca, "do") == 0    ? 64
                : strcmp(pdca, "check") == 0 ? 42
                : strcmp(pdca, "act") == 0   ? 38
                                             : 50;
    unsigned r = draw(100);
    if (r < 4)
        return "na";
    if (r < 4 + (unsigned)(adopt + better))
        return "adopted";
    if (r < 4 + (unsigned)(adopt + better) + 20)
        return "partly";
    return "not";
}

static bool untouched(const char *org)
{
    size_t n = strlen(org);
    return n >= 5 && strcmp(org + n - 5, "-0001") == 0;
}

struct org_list {
    char (*ids)[64];
    char (*sectors)[64];
    size_t n, cap;
};

/* The operators asked in campaign id, by sector (in id order). The
 * arrays grow by doubling: one more row per realloc copied them all
 * again for each of the ~5,000 operators. */
static int resp_one(void *ctx, const struct store_survey_resp *r)
{
    struct org_list *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        char(*ids)[64] = realloc(l->ids, cap * sizeof(*ids));
        if (!ids)
            return IS_ERR_NOMEM;
        l->ids = ids;
        char(*sec)[64] = realloc(l->sectors, cap * sizeof(*sec));
        if (!sec)
            return IS_ERR_NOMEM;
        l->sectors = sec;
        l->cap = cap;
    }
    util_xcopy(l->ids[l->n], sizeof(l->ids[l->n]), r->org_id);
    util_xcopy(l->sectors[l->n], sizeof(l->sectors[l->n]), r->sector_id);
    l->n++;
    return IS_OK;
}

/* Answers of up to max operators of each sector: submitted (and counted)
 * or, for every fourth of this year's, a draft of about half the items. */
static int respond(struct store_conn *c, const struct gl_edition *ed,
                   const char *id, int max, int better, bool drafts, int64_t at,
                   struct demo_stats *stats)
{
    struct org_list l = {0};
    int rc = store_survey_resp_of_ceptoar(c, id, NULL, resp_one, &l);
    json_t *taken = json_object(); /* sector -> respondents so far */
    for (size_t k = 0; !rc && k < l.n; k++) {
        json_int_t n = json_integer_value(json_object_get(taken, l.sectors[k]));
        if (untouched(l.ids[k]) || n >= max || draw(100) >= 60)
            continue;
        json_object_set_new(taken, l.sectors[k], json_integer(n + 1));
        bool draft = drafts && draw(4) == 0;
        const char **items = calloc((size_t)ed->nitems + 1, sizeof(*items));
        const char **answers = calloc((size_t)ed->nitems + 1, sizeof(*answers));
        size_t na = 0;
        for (int i = 0; items && answers && i < ed->nitems; i++) {
            const struct gl_item *it = &ed->items[i];
            if (!it->answerable || (draft && draw(2)))
                continue;
            items[na] = it->id;
            answers[na++] = answer(it->pdca, better);
        }
        rc = items && answers ? store_survey_demo_answers(c, id, l.ids[k],
                                                          items, answers, na)
                              : IS_ERR_NOMEM;
        free(items);
        free(answers);
        if (!rc)
            rc = store_survey_resp_put(c, id, l.ids[k],
                                       draft ? "draft" : "submitted", false, 0,
                                       at, draft ? 0 : at);
        if (!rc && !draft)
            rc = store_survey_tally_apply(c, id, l.ids[k], l.sectors[k], 1);
        if (!rc)
            stats->survey_answers++;
    }
    json_decref(taken);
    free(l.ids);
    free(l.sectors);
    return rc;
}

static int campaign(struct store_conn *c, const struct gl_edition *ed, int fy,
                    int64_t opened, int64_t deadline, struct store_survey *s)
{
    memset(s, 0, sizeof(*s));
    s->fy = fy;
    snprintf(s->id, sizeof(s->id), "SV%d", fy);
    util_xcopy(s->edition, sizeof(s->edition), ed->edition);
    snprintf(s->title_ja, sizeof(s->title_ja),
             "%d年度 安全基準等の浸透状況等に関する調査", fy);
    snprintf(s->title_en, sizeof(s->title_en),
             "FY%d survey of the safety standards' adoption", fy);
    util_xcopy(s->sectors, sizeof(s->sectors), "[]");
    s->items = ed->nanswerable;
    s->deadline = deadline;
    s->opened_at = opened;
    int64_t n = 0;
    int rc = store_survey_insert(c, s);
    if (!rc)
        rc = store_survey_targets_add(c, s->id, "[]", &n);
    return rc;
}

int demo_survey_generate(struct store_conn *c, int64_t now,
                         struct demo_stats *stats)
{
    char err[256];
    if (!guideline_edition(NULL) && guideline_load(err, sizeof(err)))
        return IS_ERR_INVALID;
    const struct gl_edition *ed = guideline_edition(NULL);
    if (!ed)
        return IS_OK; /* no edition shipped: no survey demo */
    char *doc = json_dumps(ed->doc, JSON_COMPACT);
    if (!doc)
        return IS_ERR_NOMEM;
    int rc = store_gl_edition_put(c, ed->edition, doc, now);
    free(doc);
    /* the fiscal year (April to March) of now, in JST */
    time_t t = (time_t)(now + 9 * 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    int fy = tm.tm_year + 1900 - (tm.tm_mon < 3 ? 1 : 0);
    struct store_survey last, cur;
    const int64_t day = 86400;
    if (!rc)
        rc = campaign(c, ed, fy - 1, now - 300 * day, now - 200 * day, &last);
    if (!rc)
        rc = respond(c, ed, last.id, DEMO_LAST_MAX, 0, false, now - 210 * day,
                     stats);
    if (!rc)
        rc = store_survey_close(c, last.id, 1, 0, now - 190 * day);
    if (!rc)
        rc = campaign(c, ed, fy, now - 20 * day, now + 60 * day, &cur);
    if (!rc)
        rc = respond(c, ed, cur.id, DEMO_THIS_MAX, 6, true, now - 2 * day,
                     stats);
    return rc;
}
