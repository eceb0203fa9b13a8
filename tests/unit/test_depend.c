/*
 * test_depend.c - interdependency and cascade suggestions (core/depend.h),
 * written from DOMAIN.md §13 and issue 15: the model's checks (a cycle
 * of zero lag refused, cycles that take time allowed and ending the
 * walk), which edges carry which severity, the ranking and the paths.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
/* cmocka needs the headers above first */
#include <cmocka.h>

#include "core/depend.h"

static void edge(struct dep_model *m, const char *a, const char *b, int s,
                 int lag, bool regional)
{
    struct dep_edge *e = &m->edge[m->nedges++];
    e->from = dep_node(m, a, true);
    e->to = dep_node(m, b, true);
    e->strength = s;
    e->lag_min = lag;
    e->regional = regional;
}

/* electricity -> water (strong, 30), railway (strong, 0), ict (strong, 60);
 * ict -> finance (strong, 0), logistics (medium, 30); finance -> finance
 * (strong, 30: payment systems); water -> medical (weak, 120); logistics
 * -> electricity (weak, 600: a cycle that takes time) */
static struct dep_model *model(void)
{
    struct dep_model *m = calloc(1, sizeof(*m));
    assert_non_null(m);
    edge(m, "electricity", "water", 3, 30, true);
    edge(m, "electricity", "railway", 3, 0, true);
    edge(m, "electricity", "ict", 3, 60, true);
    edge(m, "ict", "finance", 3, 0, false);
    edge(m, "ict", "logistics", 2, 30, false);
    edge(m, "finance", "finance", 3, 30, false);
    edge(m, "water", "medical", 1, 120, true);
    edge(m, "logistics", "electricity", 1, 600, false);
    return m;
}

static const char *name(const struct dep_model *m, int i)
{
    return m->node[i];
}

static void test_check(void **state)
{
    (void)state;
    struct dep_model *m = model();
    struct dep_problem p;
    assert_true(dep_model_check(m, &p)); /* the timed cycle is fine */
    struct dep_model *bad = calloc(1, sizeof(*bad));
    /* a zero-lag cycle of three */
    *bad = *m;
    edge(bad, "railway", "ict", 2, 0, false);
    edge(bad, "ict", "electricity", 2, 0, false);
    assert_false(dep_model_check(bad, &p));
    assert_string_equal(p.code, "zero_lag_cycle");
    /* a self-edge of zero lag is a cycle too */
    *bad = *m;
    edge(bad, "water", "water", 2, 0, false);
    assert_false(dep_model_check(bad, &p));
    assert_string_equal(p.code, "zero_lag_cycle");
    assert_int_equal(p.edge, bad->nedges - 1);
    *bad = *m;
    bad->edge[2].strength = 4;
    assert_false(dep_model_check(bad, &p));
    assert_string_equal(p.code, "invalid_strength");
    assert_int_equal(p.edge, 2);
    *bad = *m;
    bad->edge[0].lag_min = -1;
    assert_false(dep_model_check(bad, &p));
    assert_string_equal(p.code, "invalid_lag");
    *bad = *m;
    edge(bad, "electricity", "water", 1, 10, false);
    assert_false(dep_model_check(bad, &p));
    assert_string_equal(p.code, "duplicate_edge");
    free(bad);
    free(m);
}

static void test_carries(void **state)
{
    (void)state;
    for (int sev = 0; sev <= 5; sev++)
        for (int s = 1; s <= 3; s++) {
            bool want =
                sev == 5 || (sev == 4 && s >= 2) || (sev == 3 && s == 3);
            assert_int_equal(dep_carries(sev, s), want);
        }
    /* monotone: a higher severity carries at least what a lower does */
    for (int sev = 0; sev < 5; sev++)
        for (int s = 1; s <= 3; s++)
            assert_true(!dep_carries(sev, s) || dep_carries(sev + 1, s));
}

static void test_cascade_electricity(void **state)
{
    (void)state;
    struct dep_model *m = model();
    struct dep_suggestion out[DEP_MAX_NODES];
    int src = dep_node_find(m, "electricity");
    /* severity 5: everything reachable, ranked strong first, then sooner */
    int n = dep_cascade(m, &src, 1, 5, 8, out, DEP_MAX_NODES);
    const char *want5[] = {"railway", "water",     "ict",
                           "finance", "logistics", "medical"};
    assert_int_equal(n, 6);
    for (int i = 0; i < n; i++)
        assert_string_equal(name(m, out[i].node), want5[i]);
    /* finance: via ict, 60 + 0 minutes, strong, regional (the first edge) */
    assert_int_equal(out[3].lag_min, 60);
    assert_int_equal(out[3].strength, 3);
    assert_true(out[3].regional);
    assert_int_equal(out[3].npath, 3);
    assert_string_equal(name(m, out[3].path[0]), "electricity");
    assert_string_equal(name(m, out[3].path[1]), "ict");
    assert_string_equal(name(m, out[3].path[2]), "finance");
    /* medical: weak, 150 minutes */
    assert_int_equal(out[5].lag_min, 150);
    assert_int_equal(out[5].strength, 1);
    /* the timed cycle back to electricity ends: electricity is no
     * suggestion of its own outage (it has no self-edge) */
    for (int i = 0; i < n; i++)
        assert_int_not_equal(out[i].node, src);
    /* severity 3: strong edges only */
    n = dep_cascade(m, &src, 1, 3, 8, out, DEP_MAX_NODES);
    const char *want3[] = {"railway", "water", "ict", "finance"};
    assert_int_equal(n, 4);
    for (int i = 0; i < n; i++)
        assert_string_equal(name(m, out[i].node), want3[i]);
    /* severity 2: under the maintenance level: nobody */
    assert_int_equal(dep_cascade(m, &src, 1, 2, 8, out, DEP_MAX_NODES), 0);
    /* one hop only */
    n = dep_cascade(m, &src, 1, 5, 1, out, DEP_MAX_NODES);
    assert_int_equal(n, 3);
    free(m);
}

static void test_cascade_self_and_sources(void **state)
{
    (void)state;
    struct dep_model *m = model();
    struct dep_suggestion out[DEP_MAX_NODES];
    /* finance: its other operators (the self-edge), nothing else */
    int src = dep_node_find(m, "finance");
    int n = dep_cascade(m, &src, 1, 4, 8, out, DEP_MAX_NODES);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].node, src);
    assert_int_equal(out[0].lag_min, 30);
    assert_int_equal(out[0].npath, 2);
    /* two sources: neither suggested for the other's sake; each node once */
    int two[2] = {dep_node_find(m, "ict"), dep_node_find(m, "water")};
    n = dep_cascade(m, two, 2, 5, 8, out, DEP_MAX_NODES);
    bool seen[DEP_MAX_NODES] = {false};
    for (int i = 0; i < n; i++) {
        assert_false(seen[out[i].node]);
        seen[out[i].node] = true;
        assert_true(out[i].node != two[0] && out[i].node != two[1]);
    }
    assert_true(seen[dep_node_find(m, "finance")]);
    assert_true(seen[dep_node_find(m, "medical")]);
    assert_true(seen[dep_node_find(m, "electricity")]); /* logistics -> */
    /* out's room is respected */
    src = dep_node_find(m, "electricity");
    assert_int_equal(dep_cascade(m, &src, 1, 5, 8, out, 2), 2);
    free(m);
}

/* A ring of positive lags and a random dense model: the walk ends and
 * every path is a chain of edges that carry the severity, with the lag
 * the sum of its edges'. */
static void test_cascade_paths_are_edges(void **state)
{
    (void)state;
    struct dep_model *m = calloc(1, sizeof(*m));
    char a[16], b[16];
    unsigned seed = 7;
    for (int i = 0; i < 40; i++) {
        snprintf(a, sizeof(a), "n%d", i);
        snprintf(b, sizeof(b), "n%d", (i + 1) % 40);
        edge(m, a, b, 3, 5, false);
    }
    for (int k = 0; k < 300; k++) {
        seed = seed * 1103515245u + 12345u;
        int x = (int)(seed >> 16) % 40, y = (int)(seed >> 8) % 40;
        snprintf(a, sizeof(a), "n%d", x);
        snprintf(b, sizeof(b), "n%d", y);
        bool dup = x == y;
        for (int j = 0; j < m->nedges && !dup; j++)
            dup = m->edge[j].from == dep_node_find(m, a) &&
                  m->edge[j].to == dep_node_find(m, b);
        if (!dup)
            edge(m, a, b, 1 + (int)(seed % 3), 1 + (int)(seed % 50), false);
    }
    struct dep_problem p;
    assert_true(dep_model_check(m, &p));
    struct dep_suggestion out[DEP_MAX_NODES];
    for (int sev = 3; sev <= 5; sev++) {
        int src = 0;
        int n = dep_cascade(m, &src, 1, sev, 15, out, DEP_MAX_NODES);
        assert_true(n > 0);
        for (int i = 0; i < n; i++) {
            const struct dep_suggestion *s = &out[i];
            assert_int_equal(s->path[0], src);
            assert_int_equal(s->path[s->npath - 1], s->node);
            int lag = 0, str = 4;
            for (int h = 0; h + 1 < s->npath; h++) {
                int found = -1;
                for (int j = 0; j < m->nedges; j++)
                    if (m->edge[j].from == s->path[h] &&
                        m->edge[j].to == s->path[h + 1])
                        found = j;
                assert_true(found >= 0);
                assert_true(dep_carries(sev, m->edge[found].strength));
                lag += m->edge[found].lag_min;
                if (m->edge[found].strength < str)
                    str = m->edge[found].strength;
            }
            assert_int_equal(s->lag_min, lag);
            assert_int_equal(s->strength, str);
            if (i)
                assert_true(out[i - 1].strength > s->strength ||
                            (out[i - 1].strength == s->strength &&
                             out[i - 1].lag_min <= s->lag_min));
        }
    }
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_carries),
        cmocka_unit_test(test_cascade_electricity),
        cmocka_unit_test(test_cascade_self_and_sources),
        cmocka_unit_test(test_cascade_paths_are_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
