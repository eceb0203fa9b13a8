/*
 * test_agreement.c - handling-rule agreements (core/agreement.h) as tables
 * written from DOMAIN.md §6a "Handling rules" and docs/rules.md.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the headers above first */
#include <cmocka.h>

#include "core/agreement.h"
#include "core/roles.h"

static void test_yellow_only_when_active(void **state)
{
    (void)state;
    static const struct {
        enum agreement_state s;
        bool yellow;
        const char *name;
    } rows[] = {
        {AGREEMENT_NONE, false, "none"},
        {AGREEMENT_ACTIVE, true, "active"},
        {AGREEMENT_WITHDRAWN, false, "withdrawn"},
    };
    assert_int_equal(IS_ARRAY_LEN(rows), AGREEMENT_STATE_COUNT);
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        assert_int_equal(agreement_gives_yellow(rows[i].s), rows[i].yellow);
        assert_string_equal(agreement_state_name(rows[i].s), rows[i].name);
    }
    assert_string_equal(agreement_state_name((enum agreement_state)7), "none");
    assert_false(agreement_gives_yellow((enum agreement_state)7));
}

static void test_may_manage_table(void **state)
{
    (void)state;
    static const struct {
        const char *viewer;
        unsigned roles;
        const char *target;
        bool want;
    } rows[] = {
        {"npa", ROLE_ORG_ADMIN, "npa", true},
        {"npa", ROLE_ORG_ADMIN | ROLE_READER, "npa", true},
        {"npa", ROLE_ORG_ADMIN, "jpcert", false}, /* another organisation */
        {"npa", ROLE_READER | ROLE_LIAISON | ROLE_ANALYST, "npa", false},
        {"npa", ROLE_AUDITOR, "npa", false},
        {"hub", ROLE_ADMIN, "npa", true},
        {"nisc", ROLE_ORG_ADMIN | ROLE_ANALYST, "npa", false},
        {NULL, ROLE_ORG_ADMIN, "npa", false},
        {"npa", 0, "npa", false},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++)
        if (agreement_may_manage(rows[i].viewer, rows[i].roles,
                                 rows[i].target) != rows[i].want)
            fail_msg("row %zu: want %d", i, rows[i].want);
}

static void test_may_read_table(void **state)
{
    (void)state;
    static const struct {
        const char *viewer, *kind;
        unsigned roles;
        const char *target;
        bool want;
    } rows[] = {
        {"npa", "agency", ROLE_READER, "npa", true},      /* itself */
        {"npa", "agency", ROLE_READER, "jpcert", false},  /* another */
        {"nisc", "nisc", ROLE_READER, "npa", true},       /* NISC */
        {"hub", "nisc", ROLE_ADMIN, "npa", true},         /* admin */
        {"x", "operator", ROLE_AUDITOR, "npa", false},    /* its auditor */
        {"x", "operator", ROLE_AUDITOR, "x", true},       /* its own */
        {"nisc", "nisc", ROLE_AUDITOR, "npa", true},      /* NISC's */
        {"fsa", "ministry", ROLE_ANALYST, "npa", false},  /* a ministry */
        {"cep", "ceptoar", ROLE_ORG_ADMIN, "npa", false}, /* secretariat */
        {"op", "operator", ROLE_ORG_ADMIN, "npa", false}, /* an operator */
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++)
        if (agreement_may_read(rows[i].viewer, rows[i].kind, rows[i].roles,
                               rows[i].target) != rows[i].want)
            fail_msg("row %zu: want %d", i, rows[i].want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yellow_only_when_active),
        cmocka_unit_test(test_may_manage_table),
        cmocka_unit_test(test_may_read_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
