/*
 * test_route.c - the handling chain of a report (core/route.h) and the id
 * lists it is held in (core/ids.h), as tables written from DOMAIN.md §2:
 *
 *   direct       operator -> ministry -> NISC
 *   via_ceptoar  operator -> secretariat -> ministry -> NISC
 *   anonymous    as via_ceptoar
 *   via_agency   operator -> agency -> NISC
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the headers above first */
#include <cmocka.h>

#include "core/route.h"

static const struct route_hops all_hops = {.ceptoar = "ceptoar-gas",
                                           .ministry = "meti",
                                           .agency = "nict",
                                           .nisc = "nisc"};

static void assert_chain(const struct ids *chain, const char *const *want)
{
    int n = 0;
    while (want[n])
        n++;
    assert_int_equal(chain->n, n);
    for (int i = 0; i < n; i++)
        assert_string_equal(chain->id[i], want[i]);
}

/* Every route: its chain, and the hop after each hop of it. */
static void test_chain_every_route(void **state)
{
    (void)state;
    static const struct {
        enum report_route route;
        const char *chain[5];
    } rows[] = {
        {ROUTE_DIRECT, {"meti", "nisc", NULL}},
        {ROUTE_VIA_CEPTOAR, {"ceptoar-gas", "meti", "nisc", NULL}},
        {ROUTE_ANONYMOUS, {"ceptoar-gas", "meti", "nisc", NULL}},
        {ROUTE_VIA_AGENCY, {"nict", "nisc", NULL}},
    };
    assert_int_equal(IS_ARRAY_LEN(rows), ROUTE_COUNT);
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        struct ids chain;
        assert_int_equal(route_chain(rows[i].route, &all_hops, &chain), IS_OK);
        assert_chain(&chain, rows[i].chain);
        assert_string_equal(route_first_hop(&chain), rows[i].chain[0]);
        int k = 0;
        for (; rows[i].chain[k + 1]; k++)
            assert_string_equal(route_next_hop(&chain, rows[i].chain[k]),
                                rows[i].chain[k + 1]);
        /* the last hop (NISC) is the end */
        assert_string_equal(rows[i].chain[k], "nisc");
        assert_null(route_next_hop(&chain, rows[i].chain[k]));
        /* a hop not on the chain has no next hop */
        assert_null(route_next_hop(&chain, "operator-x"));
        assert_int_equal(route_via_ceptoar(rows[i].route),
                         rows[i].route == ROUTE_VIA_CEPTOAR ||
                             rows[i].route == ROUTE_ANONYMOUS);
    }
    struct ids chain;
    assert_int_equal(
        route_chain((enum report_route)ROUTE_COUNT, &all_hops, &chain),
        IS_ERR_INVALID);
}

/* Missing or repeated hops: skipped, never an empty or a doubled hop. */
static void test_chain_missing_and_repeated(void **state)
{
    (void)state;
    struct ids chain;
    struct route_hops h = {.ministry = "", .nisc = "nisc"};
    assert_int_equal(route_chain(ROUTE_DIRECT, &h, &chain), IS_OK);
    assert_chain(&chain, (const char *const[]){"nisc", NULL});
    h = (struct route_hops){.ministry = "nisc", .nisc = "nisc"};
    assert_int_equal(route_chain(ROUTE_DIRECT, &h, &chain), IS_OK);
    assert_chain(&chain, (const char *const[]){"nisc", NULL});
    h = (struct route_hops){.ceptoar = NULL, .ministry = "mic", .nisc = "nisc"};
    assert_int_equal(route_chain(ROUTE_ANONYMOUS, &h, &chain), IS_OK);
    assert_chain(&chain, (const char *const[]){"mic", "nisc", NULL});
    /* hops that belong to other routes are ignored */
    assert_int_equal(route_chain(ROUTE_VIA_AGENCY, &all_hops, &chain), IS_OK);
    assert_false(ids_has(&chain, "meti"));
    assert_false(ids_has(&chain, "ceptoar-gas"));
    struct ids empty = {0};
    assert_null(route_first_hop(&empty));
    assert_null(route_next_hop(&empty, "nisc"));
}

static void test_choose_ceptoar(void **state)
{
    (void)state;
    struct access_org o;
    memset(&o, 0, sizeof(o));
    assert_null(route_choose_ceptoar(&o, NULL));
    assert_null(route_choose_ceptoar(&o, "ceptoar-gas"));
    snprintf(o.ceptoars[0], sizeof(o.ceptoars[0]), "ceptoar-cable-tv");
    snprintf(o.ceptoars[1], sizeof(o.ceptoars[1]), "ceptoar-telecom");
    o.nceptoars = 2;
    static const struct {
        const char *want, *got;
    } rows[] = {
        {NULL, "ceptoar-cable-tv"},
        {"ceptoar-cable-tv", "ceptoar-cable-tv"},
        {"ceptoar-telecom", "ceptoar-telecom"},
        {"ceptoar-gas", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        const char *got = route_choose_ceptoar(&o, rows[i].want);
        if (rows[i].got)
            assert_string_equal(got, rows[i].got);
        else
            assert_null(got);
    }
}

static void test_ids(void **state)
{
    (void)state;
    struct ids l = {0};
    assert_false(ids_has(&l, "a"));
    assert_int_equal(ids_add(&l, "a"), IS_OK);
    assert_int_equal(ids_add(&l, "a"), IS_OK); /* once */
    assert_int_equal(ids_add(&l, ""), IS_OK);  /* skipped */
    assert_int_equal(l.n, 1);
    assert_true(ids_has(&l, "a"));
    assert_false(ids_has(&l, "ab"));
    char id[IDS_LEN + 1];
    memset(id, 'x', IDS_LEN);
    id[IDS_LEN] = '\0';
    assert_int_equal(ids_add(&l, id), IS_ERR_LIMIT); /* does not fit */
    id[IDS_LEN - 1] = '\0';
    assert_int_equal(ids_add(&l, id), IS_OK); /* the longest that fits */
    for (int i = l.n; i < IDS_MAX; i++) {
        char k[16];
        snprintf(k, sizeof(k), "k%d", i);
        assert_int_equal(ids_add(&l, k), IS_OK);
    }
    assert_int_equal(l.n, IDS_MAX);
    assert_int_equal(ids_add(&l, "one-more"), IS_ERR_LIMIT);
    assert_int_equal(l.n, IDS_MAX);
    assert_false(ids_has(&l, "one-more"));
    assert_true(IDS_MAX >= ACCESS_MAX_GROUPS && IDS_MAX >= RANGE_MAX_CHAIN);
}

/* The walk of an arriving report over a chain ceptoar -> ministry -> NISC,
 * for every combination of the two reviewing/relaying hops and for each
 * first hop: the hops it arrives at, which of them relay it on at once,
 * and where it stays (NULL: it reached NISC). */
static void test_walk_every_policy(void **state)
{
    (void)state;
    struct ids chain;
    assert_int_equal(route_chain(ROUTE_VIA_CEPTOAR, &all_hops, &chain), IS_OK);
    static const struct {
        const char *first;
        bool review[3];
        const char *arrived[4];
        bool relayed[3];
        const char *current;
    } rows[] = {
        {"ceptoar-gas",
         {true, true, true},
         {"ceptoar-gas", NULL},
         {false},
         "ceptoar-gas"},
        {"ceptoar-gas",
         {true, false, true},
         {"ceptoar-gas", NULL},
         {false},
         "ceptoar-gas"},
        {"ceptoar-gas",
         {false, true, true},
         {"ceptoar-gas", "meti", NULL},
         {true, false},
         "meti"},
        {"ceptoar-gas",
         {false, false, true},
         {"ceptoar-gas", "meti", "nisc", NULL},
         {true, true, false},
         NULL},
        /* NISC's own policy is never read: it is the end */
        {"ceptoar-gas",
         {false, false, false},
         {"ceptoar-gas", "meti", "nisc", NULL},
         {true, true, false},
         NULL},
        {"meti", {true, true, true}, {"meti", NULL}, {false}, "meti"},
        {"meti",
         {true, false, true},
         {"meti", "nisc", NULL},
         {true, false},
         NULL},
        {"nisc", {true, true, true}, {"nisc", NULL}, {false}, NULL},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        struct route_walk w;
        assert_int_equal(route_walk(&chain, rows[i].first, rows[i].review, &w),
                         IS_OK);
        int n = 0;
        while (rows[i].arrived[n])
            n++;
        assert_int_equal(w.n, n);
        for (int k = 0; k < n; k++) {
            assert_string_equal(w.arrived[k], rows[i].arrived[k]);
            assert_int_equal(w.relayed[k], rows[i].relayed[k]);
        }
        if (rows[i].current)
            assert_string_equal(w.current, rows[i].current);
        else
            assert_null(w.current);
    }
    /* a first hop outside the chain is refused */
    struct route_walk w;
    bool review[3] = {true, true, true};
    assert_int_equal(route_walk(&chain, "nict", review, &w), IS_ERR_INVALID);
}

/* When a report waiting at a hop moves on by itself: every policy, the
 * severities either side of the threshold, the waits either side of the
 * limit. */
static void test_hop_due_table(void **state)
{
    (void)state;
    static const struct {
        bool review;
        int severity;
        int64_t waited_s;
        int limit_min;
        bool due;
    } rows[] = {
        {false, 0, 0, 30, true},     {false, 5, 0, 30, true},
        {true, 2, 1799, 30, false},  {true, 2, 1800, 30, false},
        {true, 2, 99999, 30, false}, {true, 3, 1799, 30, false},
        {true, 3, 1800, 30, true},   {true, 4, 1800, 30, true},
        {true, 5, 0, 0, true},       {true, 5, 59, 1, false},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++)
        assert_int_equal(route_hop_due(rows[i].review, rows[i].severity,
                                       rows[i].waited_s, rows[i].limit_min),
                         rows[i].due);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_every_route),
        cmocka_unit_test(test_chain_missing_and_repeated),
        cmocka_unit_test(test_choose_ceptoar),
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_walk_every_policy),
        cmocka_unit_test(test_hop_due_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
