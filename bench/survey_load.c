/*
 * survey_load.c - fills a demo hub's database with a closed survey
 * campaign for bench/survey_aggregates.sh (issue 15: "a survey campaign
 * with 5,000 operators x 120 items: sector aggregates for NISC in
 * <= 100 ms").
 *
 *   survey_load DB OPERATORS ITEMS
 *
 * Adds synthetic operators (in the scopes of the demo's, round robin) until
 * the hub has OPERATORS; stores a guideline edition "bench<ITEMS>" of
 * ITEMS answerable items over the four PDCA phases (kept in the database
 * as a campaign's edition is, so the daemon reads it as it reads an
 * edition no longer shipped: parsed on every request); opens campaign
 * SV2099 for every sector and submits every operator's answers through the
 * store's own incremental path (answers, then the sector's tallies: what
 * a submission does), 500 operators per transaction; closes the campaign.
 * Prints the figures stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/util.h"
#include "store/store.h"
#include "store/store_survey.h"

static unsigned long long rng = 88172645463325252ULL;
static unsigned next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 11);
}

static int die(const char *what, int rc)
{
    fprintf(stderr, "survey_load: %s (%d)\n", what, rc);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: survey_load DB OPERATORS ITEMS\n");
        return 2;
    }
    long want = 0, items = 0;
    if (util_parse_long(argv[2], 1, 100000, &want) ||
        util_parse_long(argv[3], 4, 1000, &items))
        return die("OPERATORS 1..100000, ITEMS 4..1000", 0);
    char err[512];
    struct store *st;
    int rc = store_open(argv[1], 0, 2, &st, err, sizeof(err));
    if (rc) {
        fprintf(stderr, "survey_load: %s\n", err);
        return 1;
    }
    struct store_conn *c = store_acquire(st);
    int64_t now = util_now();
    /* the demo's operators, their scopes */
    struct store_org_filter f = {
        .kind = "operator", .limit = 100000, .view = ACCESS_VIEW_ALL};
    struct store_org_entry *orgs = NULL;
    size_t n = 0;
    char *more = NULL;
    if ((rc = store_orgs_list(c, &f, &orgs, &n, &more)))
        return die("orgs", rc);
    free(more);
    if (n == 0)
        return die("no operator in the hub (init --demo first)", 0);
    long have = (long)n;
    if ((rc = store_begin(c)))
        return die("begin", rc);
    for (long k = have; k < want; k++) {
        char id[32], ja[64], en[64];
        snprintf(id, sizeof(id), "op-bench-%06ld", k);
        snprintf(ja, sizeof(ja), "ベンチ事業者%ld", k);
        snprintf(en, sizeof(en), "Bench operator %ld", k);
        struct store_org o = {.id = id,
                              .kind = "operator",
                              .name_ja = ja,
                              .name_en = en,
                              .short_en = "",
                              .scope_id = orgs[k % n].scope_id,
                              .demo = true,
                              .attrs = "{}"};
        if ((rc = store_org_insert(c, &o, now)))
            return die("org insert", rc);
    }
    store_orgs_free(orgs, n);
    /* the edition: ITEMS items in four phases */
    static const char *const phases[] = {"plan", "do", "check", "act"};
    char edition[16];
    snprintf(edition, sizeof(edition), "bench%ld", items);
    struct buf doc;
    buf_init(&doc, 4 << 20);
    buf_addf(
        &doc,
        "{\"edition\":\"%s\",\"title\":{\"ja\":\"ベンチ\",\"en\":\"bench\"},"
        "\"classes\":[],\"items\":[",
        edition);
    for (long i = 0; i < items; i++)
        buf_addf(&doc,
                 "%s{\"id\":\"b%ld\",\"pdca\":\"%s\",\"parent\":null,"
                 "\"title\":{\"ja\":\"項目%ld\",\"en\":\"Item %ld\"},"
                 "\"text\":{\"ja\":\"本文\",\"en\":\"text\"},\"ref\":\"-\","
                 "\"annex\":[],\"answerable\":true}",
                 i ? "," : "", i, phases[i * 4 / items], i, i);
    buf_adds(&doc, "],\"bcp\":[]}");
    if (buf_error(&doc))
        return die("edition", IS_ERR_NOMEM);
    struct store_survey s = {.fy = 2099, .items = (int)items};
    snprintf(s.id, sizeof(s.id), "SV2099");
    util_xcopy(s.edition, sizeof(s.edition), edition);
    util_xcopy(s.title_ja, sizeof(s.title_ja), "ベンチマーク調査");
    util_xcopy(s.title_en, sizeof(s.title_en), "Benchmark survey");
    util_xcopy(s.sectors, sizeof(s.sectors), "[]");
    s.deadline = now + 86400;
    s.opened_by = 1;
    s.opened_at = now;
    int64_t targets = 0;
    if ((rc = store_gl_edition_put(c, edition, buf_str(&doc), now)) ||
        (rc = store_survey_insert(c, &s)) ||
        (rc = store_survey_targets_add(c, s.id, "[]", &targets)) ||
        (rc = store_commit(c)))
        return die("campaign", rc);
    buf_release(&doc);
    /* every operator submits */
    f.limit = 200000;
    if ((rc = store_orgs_list(c, &f, &orgs, &n, &more)))
        return die("orgs", rc);
    free(more);
    static const char *const values[] = {"adopted", "adopted", "partly", "not",
                                         "na"};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t k = 0; k < n; k++) {
        if (k % 500 == 0 && (rc = store_begin(c)))
            return die("begin", rc);
        for (long i = 0; i < items; i++) {
            char item[32];
            snprintf(item, sizeof(item), "b%ld", i);
            if ((rc = store_survey_answer_put(c, s.id, orgs[k].id, item,
                                              values[next() % 5], "")))
                return die("answer", rc);
        }
        if ((rc = store_survey_resp_put(c, s.id, orgs[k].id, "submitted", false,
                                        1, now, now)) ||
            (rc = store_survey_tally_apply(c, s.id, orgs[k].id,
                                           orgs[k].sector_id, 1)))
            return die("submit", rc);
        if ((k % 500 == 499 || k + 1 == n) && (rc = store_commit(c)))
            return die("commit", rc);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) +
                  (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if ((rc = store_begin(c)) ||
        (rc = store_survey_close(c, s.id, 1, 1, now)) || (rc = store_commit(c)))
        return die("close", rc);
    printf("campaign %s\nedition %s\noperators %zu\ntargets %lld\nitems %ld\n"
           "answers %lld\nsubmit_seconds %.2f\nsubmissions_per_s %.0f\n",
           s.id, edition, n, (long long)targets, items, (long long)n * items,
           secs, (double)n / secs);
    store_orgs_free(orgs, n);
    store_put(st, c);
    store_close(st);
    return 0;
}
