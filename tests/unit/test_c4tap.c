/*
 * test_c4tap.c - C4TAP's rules (core/c4tap.h) as tables written from
 * DOMAIN.md §10 and §3 (C4TAP's own range table), and a property test over
 * every range x every kind of reader.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the headers above first */
#include <cmocka.h>

#include "core/c4tap.h"

/* The table of the issue, written out independently of c4tap.c: the
 * narrowest range each kind of reader may read. */
enum who {
    W_PUBLIC,      /* not signed in */
    W_USER,        /* signed in, not a handler */
    W_NONE,        /* a handler whose organisation has no standing */
    W_RELATION,    /* handler of a non-participating Council relation */
    W_OBSERVER,    /* handler of an observer that agreed */
    W_PARTICIPANT, /* handler of another participant */
    W_ANALYST,     /* a C4TAP analyst */
    W_SECRETARIAT, /* a handler of the Council secretariat */
    W_PROVIDER,    /* a handler of the submitting organisation */
    W_COUNT
};

static struct c4tap_reader reader_of(enum who w)
{
    struct c4tap_reader r = {.registered = w != W_PUBLIC,
                             .handler = w >= W_NONE};
    switch (w) {
    case W_RELATION: r.standing = C4_STANDING_RELATION; break;
    case W_OBSERVER: r.standing = C4_STANDING_OBSERVER; break;
    case W_PARTICIPANT: r.standing = C4_STANDING_PARTICIPANT; break;
    case W_ANALYST: r.is_analyst = true; break;
    case W_SECRETARIAT: r.is_secretariat = true; break;
    case W_PROVIDER:
        r.is_provider = true;
        r.standing = C4_STANDING_PARTICIPANT;
        break;
    default: break;
    }
    return r;
}

/* The widest range each reader still needs: it reads range r iff r is at
 * least this wide (-1 would be "reads everything"). */
static const enum share_range needs[W_COUNT] = {
    [W_PUBLIC] = RANGE_WHITE,    [W_USER] = RANGE_WHITE,
    [W_NONE] = RANGE_WHITE,      [W_RELATION] = RANGE_GREEN,
    [W_OBSERVER] = RANGE_YELLOW, [W_PARTICIPANT] = RANGE_AMBER,
    [W_ANALYST] = RANGE_RED,     [W_SECRETARIAT] = RANGE_RED,
    [W_PROVIDER] = RANGE_RED,
};

static void test_range_table(void **state)
{
    (void)state;
    for (int w = 0; w < W_COUNT; w++) {
        struct c4tap_reader rd = reader_of((enum who)w);
        for (int r = 0; r < RANGE_COUNT; r++)
            assert_int_equal(c4tap_may_read((enum share_range)r, &rd),
                             r >= (int)needs[w]);
    }
}

/* Property: over every combination of the reader's flags and standing,
 * (1) a wider range never lets fewer readers in (monotone), (2) White is
 * everyone's, (3) a non-handler reads nothing else, (4) Red is exactly
 * provider, secretariat, analysts, (5) the provider's identity of an
 * anonymous submission is seen by the provider and the secretariat only,
 * whatever the provider range, (6) only participants' handlers submit and
 * only analysts and the secretariat analyse. */
static void test_property_every_combination(void **state)
{
    (void)state;
    int combos = 0;
    for (int bits = 0; bits < 32; bits++)
        for (int st = 0; st < C4_STANDING_COUNT; st++) {
            struct c4tap_reader rd = {
                .registered = bits & 1,
                .handler = bits & 2,
                .is_provider = bits & 4,
                .is_secretariat = bits & 8,
                .is_analyst = bits & 16,
                .standing = (enum c4tap_standing)st,
            };
            bool handler = rd.registered && rd.handler;
            bool chain = handler &&
                         (rd.is_provider || rd.is_secretariat || rd.is_analyst);
            bool prev = false;
            for (int r = 0; r < RANGE_COUNT; r++) {
                bool may = c4tap_may_read((enum share_range)r, &rd);
                assert_true(!prev || may); /* monotone */
                prev = may;
                if (r == RANGE_WHITE)
                    assert_true(may);
                else if (!handler)
                    assert_false(may);
                if (r == RANGE_RED)
                    assert_int_equal(may, chain);
                if (r == RANGE_AMBER && handler && !chain)
                    assert_int_equal(may, st == C4_STANDING_PARTICIPANT);
                bool anon_sees =
                    c4tap_sees_provider((enum share_range)r, true, &rd);
                assert_int_equal(anon_sees, handler && (rd.is_provider ||
                                                        rd.is_secretariat));
                assert_int_equal(
                    c4tap_sees_provider((enum share_range)r, false, &rd), may);
            }
            assert_int_equal(c4tap_may_submit(&rd),
                             handler && st == C4_STANDING_PARTICIPANT);
            assert_int_equal(c4tap_may_analyse(&rd),
                             handler && (rd.is_analyst || rd.is_secretariat));
            combos++;
        }
    assert_int_equal(combos, 32 * C4_STANDING_COUNT);
}

static void test_ranges_check(void **state)
{
    (void)state;
    enum share_range cur[C4_TYPE_COUNT], next[C4_TYPE_COUNT];
    for (int t = 0; t < C4_TYPE_COUNT; t++)
        cur[t] = next[t] = c4tap_default_range((enum c4tap_type)t);
    struct c4tap_reader prov = reader_of(W_PROVIDER);
    struct c4tap_reader sec = reader_of(W_SECRETARIAT);
    struct c4tap_reader ana = reader_of(W_ANALYST);
    struct c4tap_reader part = reader_of(W_PARTICIPANT);
    /* the same ranges: anyone */
    assert_int_equal(c4tap_ranges_check(cur, next, &sec), -1);
    /* narrowing: anyone */
    next[C4_URLS] = RANGE_RED;
    assert_int_equal(c4tap_ranges_check(cur, next, &sec), -1);
    assert_int_equal(c4tap_ranges_check(cur, next, &part), -1);
    /* widening: the provider only; others are told which type */
    next[C4_URLS] = RANGE_GREEN;
    assert_int_equal(c4tap_ranges_check(cur, next, &prov), -1);
    assert_int_equal(c4tap_ranges_check(cur, next, &sec), C4_URLS);
    assert_int_equal(c4tap_ranges_check(cur, next, &ana), C4_URLS);
    next[C4_URLS] = cur[C4_URLS];
    next[C4_ORIGINAL] = RANGE_WHITE;
    assert_int_equal(c4tap_ranges_check(cur, next, &part), C4_ORIGINAL);
}

static void test_names_and_defaults(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum share_range dflt;
    } rows[C4_TYPE_COUNT] = {
        {"original", RANGE_RED},  {"sender", RANGE_AMBER},
        {"headers", RANGE_AMBER}, {"received", RANGE_AMBER},
        {"urls", RANGE_AMBER},    {"attachments", RANGE_GREEN},
        {"provider", RANGE_RED},
    };
    for (int t = 0; t < C4_TYPE_COUNT; t++) {
        assert_string_equal(c4tap_type_name((enum c4tap_type)t), rows[t].name);
        assert_int_equal(c4tap_type_parse(rows[t].name), t);
        assert_int_equal(c4tap_default_range((enum c4tap_type)t), rows[t].dflt);
    }
    assert_int_equal(c4tap_type_parse("body"), -1);
    assert_int_equal(c4tap_type_parse(NULL), -1);
    assert_string_equal(c4tap_type_name((enum c4tap_type)99), "unknown");
    assert_int_equal(c4tap_standing_parse("participant"),
                     C4_STANDING_PARTICIPANT);
    assert_int_equal(c4tap_standing_parse("observer"), C4_STANDING_OBSERVER);
    assert_int_equal(c4tap_standing_parse("relation"), C4_STANDING_RELATION);
    assert_int_equal(c4tap_standing_parse("member"), -1);
    assert_string_equal(c4tap_standing_name(C4_STANDING_OBSERVER), "observer");
    assert_int_equal(c4tap_handler_parse("analyst"), C4_HANDLER_ANALYST);
    assert_int_equal(c4tap_handler_parse("participant"), C4_HANDLER_MEMBER);
    assert_int_equal(c4tap_handler_parse("admin"), -1);
    assert_string_equal(c4tap_handler_name(C4_HANDLER_MEMBER), "participant");
}

static void test_flag_types(void **state)
{
    (void)state;
    assert_int_equal(c4tap_flag_type("double_extension"), C4_ATTACHMENTS);
    assert_int_equal(c4tap_flag_type("icon_spoof"), C4_ATTACHMENTS);
    assert_int_equal(c4tap_flag_type("link_text_mismatch"), C4_URLS);
    assert_int_equal(c4tap_flag_type("reply_to_other_domain"), C4_SENDER);
    assert_int_equal(c4tap_flag_type("auth_failed"), C4_HEADERS);
    /* the evidence of a direction control is its field's text */
    assert_int_equal(c4tap_flag_type("bidi_control"), C4_ATTACHMENTS);
    assert_int_equal(c4tap_flag_type("bidi_control_sender"), C4_SENDER);
    assert_int_equal(c4tap_flag_type("bidi_control_subject"), C4_HEADERS);
    assert_int_equal(c4tap_flag_type("parser_warning"), C4_HEADERS);
    assert_int_equal(c4tap_flag_type("something_new"), C4_HEADERS);
    assert_int_equal(c4tap_flag_type(NULL), C4_HEADERS);
}

static void test_subject_norm(void **state)
{
    (void)state;
    char out[128];
    static const struct {
        const char *in, *want;
    } rows[] = {
        {"Re: FW: 年金情報の確認について 2024", "年金情報の確認について"},
        {"転送: 年金情報の確認について 1", "年金情報の確認について"},
        {"Fwd：  Invoice   Overdue 12345", "invoice overdue"},
        {"RE: re: Invoice Overdue 999", "invoice overdue"},
        {"Hi", ""},            /* too short to match */
        {"Re: 12345 678", ""}, /* nothing but digits */
        {"", ""},
        {"  Quarterly report\tQ3  ", "quarterly report q"},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        c4tap_subject_norm(rows[i].in, out, sizeof(out));
        assert_string_equal(out, rows[i].want);
    }
    c4tap_subject_norm(NULL, out, sizeof(out));
    assert_string_equal(out, "");
    /* a small buffer never ends inside a character */
    char small[12];
    c4tap_subject_norm("お知らせお知らせお知らせ", small, sizeof(small));
    assert_int_equal(strlen(small) % 3, 0);
    assert_true(strlen(small) >= 9);
}

static void test_waves(void **state)
{
    (void)state;
    int64_t h = 3600;
    int64_t t[] = {0, h, 2 * h, 30 * h, 31 * h, 100 * h};
    int wave[6];
    assert_int_equal(c4tap_waves(t, 6, C4TAP_WAVE_GAP_S, wave), 3);
    int want[] = {0, 0, 0, 1, 1, 2};
    for (int i = 0; i < 6; i++)
        assert_int_equal(wave[i], want[i]);
    /* exactly the gap: the same wave */
    int64_t u[] = {0, C4TAP_WAVE_GAP_S};
    assert_int_equal(c4tap_waves(u, 2, C4TAP_WAVE_GAP_S, wave), 1);
    assert_int_equal(c4tap_waves(u, 0, C4TAP_WAVE_GAP_S, wave), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_table),
        cmocka_unit_test(test_property_every_combination),
        cmocka_unit_test(test_ranges_check),
        cmocka_unit_test(test_names_and_defaults),
        cmocka_unit_test(test_flag_types),
        cmocka_unit_test(test_subject_norm),
        cmocka_unit_test(test_waves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
