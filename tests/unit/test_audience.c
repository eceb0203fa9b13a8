/*
 * test_audience.c - who an advisory goes to and how it travels
 * (core/audience.h), as tables written from DOMAIN.md §3 and §5.
 *
 * The standing test is exhaustive: every combination of the five facts
 * about a reader and its handling-rule agreement (none, active, withdrawn)
 * times every range, against an oracle written here from
 * the rule (not from audience.c):
 *   may read iff registered and (author, or a hop reached, or a named
 *            recipient) and range >= Red
 *          or registered and recipient and range >= Amber
 *          or registered and an ACTIVE agreement and range >= Yellow
 *          or registered and range >= Green
 *          or range == White
 *   sees identity iff may read and registered (advisories are never
 *            anonymous)
 * where "recipient" means a recipient not withheld (a recipient through a
 * distribution list is a recipient like any other; one whose releasing
 * hop withheld the advisory is none).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the headers above first */
#include <cmocka.h>

#include "core/audience.h"

static bool oracle_may_read(enum share_range r,
                            const struct audience_standing *s)
{
    if (r == RANGE_WHITE)
        return true;
    if (!s->registered)
        return false;
    if (r == RANGE_GREEN)
        return true;
    if (r == RANGE_YELLOW && s->agreement == AGREEMENT_ACTIVE)
        return true;
    bool recipient = s->recipient && !s->withheld;
    if (r >= RANGE_AMBER && recipient)
        return true;
    return s->is_author || s->hop_reached || (recipient && s->named);
}

static void test_standing_every_combination(void **state)
{
    (void)state;
    int n = 0, readable = 0;
    for (unsigned bits = 0; bits < 128 * AGREEMENT_STATE_COUNT; bits++) {
        struct audience_standing s = {
            .registered = bits & 1,
            .is_author = bits & 2,
            .hop_reached = bits & 4,
            .recipient = bits & 8,
            .named = bits & 16,
            .via_list = bits & 32,
            .withheld = bits & 64,
            .agreement = (enum agreement_state)(bits / 128),
        };
        for (int r = 0; r < RANGE_COUNT; r++) {
            struct range_decision d = audience_decide((enum share_range)r, &s);
            bool want = oracle_may_read((enum share_range)r, &s);
            if (d.may_read != want)
                fail_msg("range %s bits %u: may_read %d, want %d",
                         range_name((enum share_range)r), bits, d.may_read,
                         want);
            assert_int_equal(d.sees_identity, want && s.registered);
            n++;
            readable += want;
        }
    }
    assert_int_equal(n, 128 * AGREEMENT_STATE_COUNT * RANGE_COUNT);
    assert_true(readable > 0 && readable < n);
}

static void test_relation_table(void **state)
{
    (void)state;
    static const struct {
        struct audience_standing s;
        struct range_relation rel;
    } rows[] = {
        {{0}, {0}},
        /* the public: nothing else counts */
        {{.is_author = true, .recipient = true, .agreement = AGREEMENT_ACTIVE},
         {0}},
        {{.registered = true}, {.registered = true}},
        {{.registered = true, .is_author = true},
         {.registered = true, .is_originator = true}},
        {{.registered = true, .hop_reached = true},
         {.registered = true, .in_chain = true}},
        {{.registered = true, .recipient = true},
         {.registered = true, .in_community = true}},
        {{.registered = true, .recipient = true, .named = true},
         {.registered = true, .in_chain = true, .in_community = true}},
        /* named without being a recipient means nothing */
        {{.registered = true, .named = true}, {.registered = true}},
        {{.registered = true, .agreement = AGREEMENT_ACTIVE},
         {.registered = true, .observer = true}},
        /* never signed, or withdrawn: no Yellow standing */
        {{.registered = true, .agreement = AGREEMENT_NONE},
         {.registered = true}},
        {{.registered = true, .agreement = AGREEMENT_WITHDRAWN},
         {.registered = true}},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        struct range_relation got = audience_relation(&rows[i].s);
        const struct range_relation *w = &rows[i].rel;
        assert_int_equal(got.registered, w->registered);
        assert_int_equal(got.is_originator, w->is_originator);
        assert_int_equal(got.in_chain, w->in_chain);
        assert_int_equal(got.in_community, w->in_community);
        assert_int_equal(got.observer, w->observer);
        assert_false(got.is_routing_secretariat);
    }
}

/* A recipient through a distribution list reads exactly as any recipient
 * of the audience (Amber and wider, not Red); withheld, it reads only what
 * every registered organisation reads. */
static void test_list_recipient_ranges(void **state)
{
    (void)state;
    struct audience_standing member = {.registered = true, .recipient = true},
                             listed = member, withheld = member;
    listed.via_list = true;
    withheld.via_list = true;
    withheld.withheld = true;
    for (int r = 0; r < RANGE_COUNT; r++) {
        enum share_range rr = (enum share_range)r;
        assert_int_equal(audience_decide(rr, &listed).may_read,
                         audience_decide(rr, &member).may_read);
        assert_int_equal(audience_decide(rr, &listed).may_read,
                         rr >= RANGE_AMBER);
        assert_int_equal(audience_decide(rr, &withheld).may_read,
                         rr >= RANGE_GREEN);
    }
}

static void test_list_parent_table(void **state)
{
    (void)state;
    static const struct {
        bool hop, rcpt;
        const char *via, *want; /* want: "A" author, "V" via, NULL */
    } rows[] = {
        {true, false, "", NULL},   {true, true, "cep", NULL},
        {false, true, "cep", "V"}, {false, true, "", "A"},
        {false, false, "", "A"},   {false, false, "cep", "A"},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        const char *got = audience_list_parent("nisc", rows[i].hop,
                                               rows[i].rcpt, rows[i].via);
        if (!rows[i].want)
            assert_null(got);
        else if (rows[i].want[0] == 'A')
            assert_string_equal(got, "nisc");
        else
            assert_string_equal(got, rows[i].via);
    }
    /* a list names someone; a Red advisory names no group, lists neither */
    struct audience_shape lists = {.lists = 1}, incl = {.include_lists = true};
    assert_true(audience_names_any(&lists));
    assert_false(audience_names_any(&incl));
    assert_true(audience_red_names_group(RANGE_RED, &lists));
    assert_true(audience_red_names_group(RANGE_RED, &incl));
    assert_false(audience_red_names_group(RANGE_AMBER, &lists));
    /* a drill's CEPTOAR sub-groups are a group too (asked of a relay) */
    struct audience_shape sub = {.subgroups = 2};
    assert_true(audience_red_names_group(RANGE_RED, &sub));
    assert_false(audience_red_names_group(RANGE_AMBER, &sub));
    assert_true(audience_may_name_list("op-1", "operator", "op-1"));
    assert_true(audience_may_name_list("nisc", "nisc", "op-1"));
    assert_false(audience_may_name_list("cep", "ceptoar", "op-1"));
    assert_false(audience_may_name_list("mlit", "ministry", "op-1"));
}

static void test_withhold_table(void **state)
{
    (void)state;
    static const char *const kinds[] = {"warning", "security_info", "case",
                                        "newsletter"};
    static const char *const states[] = {"", "pending", "waiting", "relayed",
                                         "withheld"};
    for (size_t k = 0; k < IS_ARRAY_LEN(kinds); k++)
        for (int sev = 0; sev <= 5; sev++)
            for (size_t s = 0; s < IS_ARRAY_LEN(states); s++) {
                enum audience_withhold want;
                if (k == 0 && sev >= 4)
                    want = AUDIENCE_WITHHOLD_SEVERE;
                else if (s == 3)
                    want = AUDIENCE_WITHHOLD_RELAYED;
                else if (s == 4)
                    want = AUDIENCE_WITHHOLD_WITHHELD;
                else if (s == 2)
                    want = AUDIENCE_WITHHOLD_OK;
                else
                    want = AUDIENCE_WITHHOLD_NOT_HOP;
                assert_int_equal(
                    audience_withhold_check(kinds[k], sev, states[s]), want);
            }
}

/* Every shape of audience (each part empty or not) x every range x
 * secretariat or not. */
static void test_shape_every_combination(void **state)
{
    (void)state;
    for (unsigned bits = 0; bits < 32; bits++) {
        struct audience_shape a = {
            .all = bits & 1,
            .sectors = (bits & 2) ? 2 : 0,
            .scopes = (bits & 4) ? 1 : 0,
            .ceptoars = (bits & 8) ? 3 : 0,
            .orgs = (bits & 16) ? 1 : 0,
        };
        bool group = a.all || a.sectors || a.scopes || a.ceptoars;
        assert_int_equal(audience_names_any(&a), bits != 0);
        for (int r = 0; r < RANGE_COUNT; r++)
            assert_int_equal(audience_red_names_group((enum share_range)r, &a),
                             r == RANGE_RED && group);
        assert_int_equal(audience_secretariat_too_wide(&a),
                         a.all || a.sectors || a.scopes);
    }
}

static void test_chain_by_author_kind(void **state)
{
    (void)state;
    static const struct {
        const char *kind;
        bool secretariat, ministries, ceptoars;
    } rows[] = {
        {"nisc", false, true, true},     {"ministry", false, false, true},
        {"ceptoar", true, false, false}, {"council", false, false, true},
        {"agency", false, false, true},  {"operator", false, false, true},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        struct audience_chain ch = audience_chain_of(rows[i].kind);
        assert_int_equal(audience_author_is_secretariat(rows[i].kind),
                         rows[i].secretariat);
        assert_int_equal(ch.ministries, rows[i].ministries);
        assert_int_equal(ch.ceptoars, rows[i].ceptoars);
    }
    assert_true(AUDIENCE_STEP_AUTHOR < AUDIENCE_STEP_MINISTRY &&
                AUDIENCE_STEP_MINISTRY < AUDIENCE_STEP_CEPTOAR);
}

static void test_ceptoar_parent(void **state)
{
    (void)state;
    const char *mins[] = {"meti", "mic"};
    static const struct {
        size_t n;
        const char *ministry, *parent;
    } rows[] = {
        {2, "meti", "meti"}, {2, "mic", "mic"},   {2, "mlit", "nisc"},
        {2, "", "nisc"},     {0, "meti", "nisc"}, {1, "mic", "nisc"},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++)
        assert_string_equal(
            audience_ceptoar_parent("nisc", rows[i].ministry, mins, rows[i].n),
            rows[i].parent);
}

static void test_hotline_and_relay(void **state)
{
    (void)state;
    static const char *const kinds[] = {"warning", "alert", "info"};
    for (int drill = 0; drill < 2; drill++)
        for (size_t k = 0; k < IS_ARRAY_LEN(kinds); k++)
            for (int sev = 0; sev <= 5; sev++)
                assert_int_equal(audience_hotline(drill, kinds[k], sev),
                                 !drill && k == 0 && sev >= 4);
    assert_true(audience_relays_at_once(true, true));
    assert_true(audience_relays_at_once(true, false));
    assert_true(audience_relays_at_once(false, false));
    assert_false(audience_relays_at_once(false, true));
}

/* A waiting hop relays by itself: every hotline x review x time waited
 * around the limit, with two limits (0 = at once). */
static void test_hop_due_table(void **state)
{
    (void)state;
    static const int limits[] = {0, 30};
    static const int64_t deltas[] = {-61, -1, 0, 1, 3600};
    int due = 0, n = 0;
    for (int hotline = 0; hotline <= 1; hotline++)
        for (int review = 0; review <= 1; review++)
            for (size_t l = 0; l < IS_ARRAY_LEN(limits); l++)
                for (size_t d = 0; d < IS_ARRAY_LEN(deltas); d++) {
                    int64_t waited = (int64_t)limits[l] * 60 + deltas[d];
                    if (waited < 0)
                        continue;
                    bool want = hotline || !review || deltas[d] >= 0;
                    assert_int_equal(
                        audience_hop_due(hotline, review, waited, limits[l]),
                        want);
                    due += want;
                    n++;
                }
    /* limit 0 keeps only the 3 non-negative deltas; limit 30 all 5: 8
     * times per (hotline, review); only reviewing hops off the hotline
     * wait, for the 2 negative deltas of limit 30 */
    assert_int_equal(n, 4 * 8);
    assert_int_equal(due, 4 * 8 - 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_standing_every_combination),
        cmocka_unit_test(test_relation_table),
        cmocka_unit_test(test_shape_every_combination),
        cmocka_unit_test(test_chain_by_author_kind),
        cmocka_unit_test(test_ceptoar_parent),
        cmocka_unit_test(test_hotline_and_relay),
        cmocka_unit_test(test_hop_due_table),
        cmocka_unit_test(test_list_recipient_ranges),
        cmocka_unit_test(test_list_parent_table),
        cmocka_unit_test(test_withhold_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
