/*
 * test_survey.c - what the annual survey publishes (core/survey.h) and the
 * guideline catalogue (service/guideline.h), written from DOMAIN.md §12
 * and issue 15: groups of fewer than five hidden, pooled only when big
 * enough, and no hidden group recomputable from the published figures;
 * the adoption rate; the shipped edition and every bad catalogue refused.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* cmocka needs the headers above first */
#include <cmocka.h>

#include "core/survey.h"
#include "service/app.h"
#include "service/guideline.h"

static void test_publish_examples(void **state)
{
    (void)state;
    bool pub[4], other, national;
    /* 6 and 5 shown; 3 + 1 = 4 hidden and pooled in nothing */
    int64_t a[] = {6, 3, 1, 5};
    assert_int_equal(sv_publish(a, 4, NULL, 0, 5, pub, &other, &national), 11);
    assert_true(pub[0] && !pub[1] && !pub[2] && pub[3]);
    assert_false(other);
    assert_true(national);
    /* 3 + 2 = 5 hidden: pooled, and in the total */
    int64_t b[] = {5, 3, 2, 7};
    assert_int_equal(sv_publish(b, 4, NULL, 0, 5, pub, &other, &national), 17);
    assert_true(other && national);
    /* no sector big enough, but 8 together: one pooled group, the total */
    int64_t c[] = {4, 4};
    assert_int_equal(sv_publish(c, 2, NULL, 0, 5, pub, &other, &national), 8);
    assert_true(!pub[0] && !pub[1]);
    assert_true(other && national);
    int64_t d[] = {2, 2};
    assert_int_equal(sv_publish(d, 2, NULL, 0, 5, pub, &other, &national), 0);
    assert_false(other || national);
}

/* What a secretariat knows (its members' shared answers) counts: a group
 * it knows all but 1-4 of is not published. */
static void test_publish_what_secretariats_know(void **state)
{
    (void)state;
    bool pub[3], other, national;
    /* one secretariat; sector 0: 5 respondents, it knows 4 (the fifth
     * would be the group minus what it knows); sector 1: it knows all 6;
     * sector 2: 9, it knows 5 (4 unknown) */
    int64_t n[] = {5, 6, 9};
    int64_t known[] = {4, 6, 5};
    int64_t total = sv_publish(n, 3, known, 1, 5, pub, &other, &national);
    assert_false(pub[0]);
    assert_true(pub[1]);
    assert_false(pub[2]);
    /* pooled: 14 respondents, 9 known, 5 unknown: published */
    assert_true(other);
    assert_true(national);
    assert_int_equal(total, 20);
    /* two secretariats: each must be checked */
    int64_t n2[] = {10};
    int64_t k2[] = {0, 7}; /* the second knows 7: 3 unknown */
    sv_publish(n2, 1, k2, 2, 5, pub, &other, &national);
    assert_false(pub[0]);
    assert_false(other || national);
    assert_true(sv_group_ok(10, (int64_t[]){0, 5}, 2, 5));
    assert_false(sv_group_ok(4, (int64_t[]){0}, 1, 5));
}

/* For random sectors and secretariats: every published figure counts at
 * least 5; the total is exactly the published groups, disjoint; so the
 * total minus any set of published groups (what a reader can subtract)
 * leaves 0 or at least 5 operators — and, for each secretariat, 0 or at
 * least 5 operators it does not know. */
static void test_publish_nothing_recomputable(void **state)
{
    (void)state;
    unsigned seed = 12345;
#define RND(m) ((int64_t)(((seed = seed * 1103515245u + 12345u) >> 16) % (m)))
    for (int round = 0; round < 3000; round++) {
        int k = 1 + (int)RND(8), nsec = (int)RND(3);
        int64_t n[8], known[8 * 2] = {0};
        bool pub[8], other, national;
        for (int i = 0; i < k; i++) {
            n[i] = RND(12);
            for (int s = 0; s < nsec; s++)
                known[i * nsec + s] = RND(n[i] + 1);
        }
        int64_t total = sv_publish(n, k, nsec ? known : NULL, nsec, 5, pub,
                                   &other, &national);
        /* the published figures: each with its unknown part per
         * secretariat */
        int64_t fig[9], unk[9][2];
        int nf = 0;
        int64_t hidden = 0, hunk[2] = {0, 0};
        for (int i = 0; i < k; i++) {
            if (pub[i]) {
                fig[nf] = n[i];
                for (int s = 0; s < nsec; s++)
                    unk[nf][s] = n[i] - known[i * nsec + s];
                nf++;
            } else {
                hidden += n[i];
                for (int s = 0; s < nsec; s++)
                    hunk[s] += n[i] - known[i * nsec + s];
            }
        }
        if (other) {
            fig[nf] = hidden;
            for (int s = 0; s < nsec; s++)
                unk[nf][s] = hunk[s];
            nf++;
        }
        for (int i = 0; i < nf; i++) {
            assert_true(fig[i] >= 5);
            for (int s = 0; s < nsec; s++)
                assert_true(unk[i][s] == 0 || unk[i][s] >= 5);
        }
        if (!national)
            continue;
        int64_t sum = 0;
        for (int i = 0; i < nf; i++)
            sum += fig[i];
        assert_int_equal(total, sum);
        for (unsigned set = 0; set < (1u << nf); set++) {
            int64_t left = total, lu[2] = {0, 0};
            for (int i = 0; i < nf; i++) {
                if (set & (1u << i))
                    left -= fig[i];
                else
                    for (int s = 0; s < nsec; s++)
                        lu[s] += unk[i][s];
            }
            if (left != 0 && left < 5)
                fail_msg("the total minus published groups leaves %lld",
                         (long long)left);
            for (int s = 0; s < nsec; s++)
                if (lu[s] != 0 && lu[s] < 5)
                    fail_msg("secretariat %d is left %lld unknown", s,
                             (long long)lu[s]);
        }
    }
#undef RND
}

static void test_rate(void **state)
{
    (void)state;
    assert_true(sv_rate(0, 0, 0) < 0);
    assert_true(sv_rate(1, 0, 0) == 100.0);
    assert_true(sv_rate(1, 1, 1) == 33.3);
    assert_true(sv_rate(2, 1, 0) == 66.7);
    assert_true(sv_rate(0, 5, 5) == 0.0);
}

static void test_shipped_edition(void **state)
{
    (void)state;
    char err[512] = "";
    assert_int_equal(guideline_load(err, sizeof(err)), IS_OK);
    const struct gl_edition *ed = guideline_edition(NULL);
    assert_non_null(ed);
    assert_string_equal(ed->edition, "ed5");
    assert_ptr_equal(guideline_edition("ed5"), ed);
    assert_null(guideline_edition("ed4"));
    /* the PDCA items, the controls and their measures, the checks */
    const struct gl_item *it = guideline_item(ed, "4.1.1(1)");
    assert_non_null(it);
    assert_string_equal(it->pdca, "plan");
    assert_true(it->answerable);
    it = guideline_item(ed, "4.1.3(2)(ア)");
    assert_non_null(it);
    assert_false(it->answerable); /* a control with measures: a heading */
    assert_true(guideline_item(ed, "4.1.3(2)(ア)-1")->answerable);
    assert_string_equal(guideline_item(ed, "4.4.1(1)")->pdca, "act");
    assert_false(guideline_item(ed, "bcp1")->answerable);
    assert_string_equal(guideline_item(ed, "bcp1.1")->parent, "bcp1");
    assert_true(guideline_item_known("bcp7.1"));
    assert_false(guideline_item_known("4.9.9(9)"));
    int leaves = 0;
    for (int i = 0; i < ed->nitems; i++) {
        bool parent = false;
        for (int j = 0; j < ed->nitems; j++)
            parent |= strcmp(ed->items[j].parent, ed->items[i].id) == 0;
        assert_int_equal(ed->items[i].answerable, !parent);
        leaves += !parent;
    }
    assert_int_equal(leaves, ed->nanswerable);
    guideline_unload();
    assert_null(guideline_edition(NULL));
}

static int parse(const char *text, char *field, size_t len)
{
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    struct gl_edition ed;
    struct svc_error e = {0};
    int rc = guideline_parse(doc, &ed, &e);
    guideline_release(&ed);
    json_decref(doc);
    snprintf(field, len, "%s", e.field);
    return rc;
}

#define T "\"title\":{\"ja\":\"題\",\"en\":\"t\"}"
#define X "\"text\":{\"ja\":\"文\",\"en\":\"x\"}"
#define ITEM(id, parent)                                                       \
    "{\"id\":\"" id "\",\"pdca\":\"plan\",\"parent\":" parent "," T "," X "}"

static void test_bad_catalogues(void **state)
{
    (void)state;
    char f[128];
    assert_int_equal(parse("{\"edition\":\"e\"," T ",\"items\":[" ITEM(
                               "a", "null") "," ITEM("b", "\"a\"") "]}",
                           f, sizeof(f)),
                     IS_OK);
    static const struct {
        const char *doc, *field;
    } bad[] = {
        {"{" T ",\"items\":[" ITEM("a", "null") "]}", "edition"},
        {"{\"edition\":\"e\",\"items\":[" ITEM("a", "null") "]}", "title"},
        {"{\"edition\":\"e\"," T
         ",\"items\":[" ITEM("a", "null") "," ITEM("a", "null") "]}",
         "items[1]"},
        {"{\"edition\":\"e\"," T
         ",\"items\":[" ITEM("b", "\"a\"") "," ITEM("a", "null") "]}",
         "items[0]"},
        {"{\"edition\":\"e\"," T ",\"items\":[" ITEM("a b", "null") "]}",
         "items[0]"},
        {"{\"edition\":\"e\"," T ",\"items\":[{\"id\":\"a\",\"pdca\":"
         "\"plan\"," T "}]}",
         "items[0]"},
        {"{\"edition\":\"e\"," T ",\"items\":[{\"id\":\"a\",\"pdca\":"
         "\"later\"," T "," X "}]}",
         "items[0]"},
        {"{\"edition\":\"e\"," T ",\"items\":[{\"id\":\"a\",\"pdca\":"
         "\"plan\",\"title\":{\"ja\":\"題\"}," X "}]}",
         "items[0]"},
        {"{\"edition\":\"e\"," T ",\"items\":[]}", "items"},
        {"{\"edition\":\"e\"," T ",\"items\":[" ITEM(
             "a", "null") "],\"bcp\":[{\"id\":\"c\"," T ",\"point\":{\"ja\":"
                          "\"p\",\"en\":\"p\"},\"checks\":[{\"id\":\"a\","
                          "\"text\":{\"ja\":\"q\",\"en\":\"q\"}}]}]}",
         "bcp[0].checks[0]"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(parse(bad[i].doc, f, sizeof(f)), IS_ERR_INVALID);
        assert_string_equal(f, bad[i].field);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_publish_examples),
        cmocka_unit_test(test_publish_what_secretariats_know),
        cmocka_unit_test(test_publish_nothing_recomputable),
        cmocka_unit_test(test_rate),
        cmocka_unit_test(test_shipped_edition),
        cmocka_unit_test(test_bad_catalogues),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
