/*
 * test_access.c - registry visibility rules (core/access.h).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/access.h"
#include "core/roles.h"

static struct access_org org(const char *id, const char *kind,
                             const char *scope, const char *sector,
                             const char *ministry)
{
    struct access_org o;
    memset(&o, 0, sizeof(o));
    snprintf(o.id, sizeof(o.id), "%s", id);
    snprintf(o.kind, sizeof(o.kind), "%s", kind);
    snprintf(o.scope_id, sizeof(o.scope_id), "%s", scope ? scope : "");
    snprintf(o.sector_id, sizeof(o.sector_id), "%s", sector ? sector : "");
    snprintf(o.ministry_id, sizeof(o.ministry_id), "%s",
             ministry ? ministry : "");
    return o;
}

static void member_of(struct access_org *o, const char *ceptoar)
{
    assert_true(o->nceptoars < ACCESS_MAX_GROUPS);
    snprintf(o->ceptoars[o->nceptoars], sizeof(o->ceptoars[0]), "%s", ceptoar);
    o->nceptoars++;
}

/* A small registry: a bank (finance, fsa, banking CEPTOAR), a cable-TV
 * operator in two CEPTOARs (ict, mic), a city (government, mic). */
struct world {
    struct access_org nisc, fsa, mic, meti, cep_bank, cep_cable, cep_tele,
        council, agency, bank, bank2, cable, city;
};

static void make(struct world *w)
{
    w->nisc = org("nisc", "nisc", NULL, NULL, NULL);
    w->fsa = org("fsa", "ministry", NULL, NULL, NULL);
    w->mic = org("mic", "ministry", NULL, NULL, NULL);
    w->meti = org("meti", "ministry", NULL, NULL, NULL);
    w->cep_bank =
        org("ceptoar-banking", "ceptoar", "banking", "finance", "fsa");
    w->cep_cable = org("ceptoar-cable-tv", "ceptoar", "cable_tv", "ict", "mic");
    w->cep_tele = org("ceptoar-telecom", "ceptoar", "telecom", "ict", "mic");
    w->council = org("ceptoar-council", "council", NULL, NULL, NULL);
    w->agency = org("jpcert", "agency", NULL, NULL, NULL);
    w->agency.agreement = AGREEMENT_ACTIVE;
    w->bank = org("op-banking-0001", "operator", "banking", "finance", "fsa");
    member_of(&w->bank, "ceptoar-banking");
    w->bank2 = org("op-banking-0002", "operator", "banking", "finance", "fsa");
    member_of(&w->bank2, "ceptoar-banking");
    w->cable = org("op-cable-tv-0001", "operator", "cable_tv", "ict", "mic");
    member_of(&w->cable, "ceptoar-cable-tv");
    member_of(&w->cable, "ceptoar-telecom");
    w->city = org("op-local-government-0001", "operator", "local_government",
                  "government", "mic");
}

static void t_org_view(void **state)
{
    (void)state;
    struct world w;
    make(&w);
    assert_int_equal(access_org_view(&w.nisc, ROLE_READER), ACCESS_VIEW_ALL);
    assert_int_equal(access_org_view(&w.nisc, 0), ACCESS_VIEW_ALL);
    assert_int_equal(access_org_view(&w.fsa, ROLE_READER),
                     ACCESS_VIEW_MINISTRY);
    assert_int_equal(access_org_view(&w.cep_bank, ROLE_READER | ROLE_ANALYST),
                     ACCESS_VIEW_CEPTOAR);
    assert_int_equal(access_org_view(&w.bank, ROLE_ALL & ~ROLE_ADMIN),
                     ACCESS_VIEW_SELF);
    assert_int_equal(access_org_view(&w.agency, ROLE_READER | ROLE_ANALYST),
                     ACCESS_VIEW_SELF);
    assert_int_equal(access_org_view(&w.council, ROLE_READER),
                     ACCESS_VIEW_SELF);
    /* the admin role sees everything, whatever its organisation */
    assert_int_equal(access_org_view(&w.bank, ROLE_ADMIN), ACCESS_VIEW_ALL);
    assert_int_equal(access_org_view(&w.agency, ROLE_READER | ROLE_ADMIN),
                     ACCESS_VIEW_ALL);
    assert_int_equal(access_org_view(&w.fsa, ROLE_ADMIN), ACCESS_VIEW_ALL);
    assert_int_equal(access_org_view(&w.cep_bank, ROLE_ADMIN), ACCESS_VIEW_ALL);
    /* other roles (auditor included) do not widen the view */
    assert_int_equal(access_org_view(&w.bank, ROLE_AUDITOR), ACCESS_VIEW_SELF);
    assert_int_equal(access_org_view(&w.fsa, ROLE_AUDITOR | ROLE_ORG_ADMIN),
                     ACCESS_VIEW_MINISTRY);
    /* an unknown kind is treated as the narrowest view */
    struct access_org odd = org("x", "martian", NULL, NULL, NULL);
    assert_int_equal(access_org_view(&odd, ROLE_READER), ACCESS_VIEW_SELF);
}

static void t_national_bodies_visible_to_all(void **state)
{
    (void)state;
    struct world w;
    make(&w);
    const struct access_org *viewers[] = {
        &w.nisc, &w.fsa, &w.cep_bank, &w.council, &w.agency, &w.bank, &w.city};
    const struct access_org *targets[] = {&w.nisc,    &w.fsa,      &w.mic,
                                          &w.meti,    &w.cep_bank, &w.cep_cable,
                                          &w.council, &w.agency};
    for (size_t i = 0; i < IS_ARRAY_LEN(viewers); i++)
        for (size_t j = 0; j < IS_ARRAY_LEN(targets); j++) {
            if (!access_may_see_org(viewers[i], ROLE_READER, targets[j]))
                fail_msg("%s cannot see %s", viewers[i]->id, targets[j]->id);
            if (!access_may_see_org(viewers[i], 0, targets[j]))
                fail_msg("%s (no roles) cannot see %s", viewers[i]->id,
                         targets[j]->id);
        }
}

static void t_nisc(void **state)
{
    (void)state;
    struct world w;
    make(&w);
    assert_true(access_may_see_org(&w.nisc, ROLE_READER, &w.bank));
    assert_true(access_may_see_org(&w.nisc, ROLE_READER, &w.cable));
    assert_true(access_may_see_org(&w.nisc, ROLE_READER, &w.city));
}

static void t_ministry(void **state)
{
    (void)state;
    struct world w;
    make(&w);
    /* fsa owns finance */
    assert_true(access_may_see_org(&w.fsa, ROLE_READER, &w.bank));
    assert_true(access_may_see_org(&w.fsa, ROLE_READER, &w.bank2));
    assert_false(access_may_see_org(&w.fsa, ROLE_READER, &w.cable));
    assert_false(access_may_see_org(&w.fsa, ROLE_READER, &w.city));
    /* mic owns ict and government */
    assert_true(access_may_see_org(&w.mic, ROLE_READER, &w.cable));
    assert_true(access_may_see_org(&w.mic, ROLE_READER, &w.city));
    assert_false(access_may_see_org(&w.mic, ROLE_READER, &w.bank));
    /* meti owns none of these */
    assert_false(
        access_may_see_org(&w.meti, ROLE_READER | ROLE_ANALYST, &w.bank));
    assert_false(access_may_see_org(&w.meti, ROLE_READER, &w.city));
    /* an operator without a known ministry is not visible to a ministry
     * whose id happens to be empty */
    struct access_org orphan = org("op-x", "operator", NULL, NULL, NULL);
    struct access_org blank = org("", "ministry", NULL, NULL, NULL);
    assert_false(access_may_see_org(&w.fsa, ROLE_READER, &orphan));
    assert_false(access_may_see_org(&blank, ROLE_READER, &orphan));
}

static void t_ceptoar_secretariat(void **state)
{
    (void)state;
    struct world w;
    make(&w);
    assert_true(access_may_see_org(&w.cep_bank, ROLE_READER, &w.bank));
    assert_true(access_may_see_org(&w.cep_bank, ROLE_READER, &w.bank2));
    assert_false(access_may_see_org(&w.cep_bank, ROLE_READER, &w.cable));
    assert_false(access_may_see_org(&w.cep_bank, ROLE_READER, &w.city));
    /* an operator in two CEPTOARs is visible to both secretariats */
    assert_true(access_may_see_org(&w.cep_cable, ROLE_READER, &w.cable));
    assert_true(access_may_see_org(&w.cep_tele, ROLE_READER, &w.cable));
    assert_false(access_may_see_org(&w.cep_tele, ROLE_READER, &w.bank));
    /* membership counts, not the CEPTOAR's sector: telecom's CEPTOAR is in
     * the same sector and ministry as the city's, yet does not see it */
    assert_false(access_may_see_org(&w.cep_tele, ROLE_READER, &w.city));
    /* only the first nceptoars entries count */
    struct access_org t = w.bank;
    snprintf(t.ceptoars[1], sizeof(t.ceptoars[1]), "ceptoar-telecom");
    assert_false(access_may_see_org(&w.cep_tele, ROLE_READER, &t));
    t.nceptoars = 2;
    assert_true(access_may_see_org(&w.cep_tele, ROLE_READER, &t));
    /* the last of ACCESS_MAX_GROUPS memberships counts */
    struct access_org full =
        org("op-full", "operator", "banking", "finance", "fsa");
    for (int i = 0; i < ACCESS_MAX_GROUPS - 1; i++) {
        char id[32];
        snprintf(id, sizeof(id), "ceptoar-other-%d", i);
        member_of(&full, id);
    }
    assert_false(access_may_see_org(&w.cep_bank, ROLE_READER, &full));
    member_of(&full, "ceptoar-banking");
    assert_true(access_may_see_org(&w.cep_bank, ROLE_READER, &full));
}

static void t_operator(void **state)
{
    (void)state;
    struct world w;
    make(&w);
    unsigned all_but_admin = ROLE_ALL & ~ROLE_ADMIN;
    assert_true(access_may_see_org(&w.bank, ROLE_READER, &w.bank));
    assert_true(access_may_see_org(&w.bank, 0, &w.bank));
    /* another operator: invisible, even in the same CEPTOAR and sector,
     * and whatever non-admin roles the viewer has */
    assert_false(access_may_see_org(&w.bank, all_but_admin, &w.bank2));
    assert_false(access_may_see_org(&w.bank2, ROLE_READER, &w.bank));
    assert_false(access_may_see_org(&w.bank, ROLE_READER, &w.cable));
    assert_false(access_may_see_org(&w.city, ROLE_READER, &w.cable));
    /* an operator cannot pose as its CEPTOAR by naming it in its own
     * memberships */
    assert_false(access_may_see_org(&w.cable, ROLE_READER, &w.bank));
}

/* An external organisation (distribution lists): itself, NISC, admins,
 * the ministry of its sector, and the owners of its lists (ceptoars[]
 * holds them); never the owners' CEPTOAR, other operators, agencies. */
static void t_external(void **state)
{
    (void)state;
    struct world w;
    make(&w);
    struct access_org ext =
        org("ext-bank-0001", "external", "banking", "finance", "fsa");
    member_of(&ext, "op-banking-0001"); /* the owner of its list */
    struct {
        const struct access_org *viewer;
        unsigned roles;
        bool sees;
    } rows[] = {
        {&ext, ROLE_READER, true},
        {&w.nisc, ROLE_READER, true},
        {&w.fsa, ROLE_READER, true},
        {&w.mic, ROLE_READER, false},
        {&w.bank, ROLE_READER, true},
        {&w.bank2, ROLE_READER, false},
        {&w.cep_bank, ROLE_ALL & ~ROLE_ADMIN, false},
        {&w.agency, ROLE_READER, false},
        {&w.council, ROLE_READER, false},
        {&w.city, ROLE_ADMIN, true},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        if (access_may_see_org(rows[i].viewer, rows[i].roles, &ext) !=
            rows[i].sees)
            fail_msg("row %zu: %s sees external: want %d", i,
                     rows[i].viewer->id, rows[i].sees);
        assert_int_equal(
            access_may_see_external(rows[i].viewer, rows[i].roles, &ext),
            rows[i].sees);
    }
    /* lists: the owner, NISC, admins, an operator's secretariats and
     * ministry; managed by the owner's org_admin users and hub admins */
    assert_true(access_may_view_lists(&w.bank, ROLE_READER, &w.bank));
    assert_true(access_may_view_lists(&w.nisc, ROLE_READER, &w.bank));
    assert_true(access_may_view_lists(&w.cep_bank, ROLE_READER, &w.bank));
    assert_true(access_may_view_lists(&w.fsa, ROLE_READER, &w.bank));
    assert_false(access_may_view_lists(&w.mic, ROLE_READER, &w.bank));
    assert_false(access_may_view_lists(&w.cep_tele, ROLE_READER, &w.bank));
    assert_false(access_may_view_lists(&w.bank2, ROLE_READER, &w.bank));
    assert_true(access_may_view_lists(&w.bank2, ROLE_ADMIN, &w.bank));
    assert_false(access_may_view_lists(&w.fsa, ROLE_READER, &w.nisc));
    assert_false(access_may_view_lists(&w.cep_bank, ROLE_READER, &w.nisc));
    assert_true(access_may_manage_lists(&w.bank, ROLE_ORG_ADMIN, w.bank.id));
    assert_false(access_may_manage_lists(
        &w.bank, ROLE_ALL & ~ROLE_ADMIN & ~ROLE_ORG_ADMIN, w.bank.id));
    assert_false(
        access_may_manage_lists(&w.cep_bank, ROLE_ORG_ADMIN, w.bank.id));
    assert_true(access_may_manage_lists(&w.bank2, ROLE_ADMIN, w.bank.id));
    assert_true(access_may_own_lists("operator"));
    assert_true(access_may_own_lists("nisc"));
    assert_false(access_may_own_lists("external"));
    assert_false(access_may_own_lists(""));
    /* an external organisation files no reports and authors nothing */
    assert_false(access_may_file_report("external"));
    assert_false(access_may_author_advisory("external"));
}

static void t_agency_and_council(void **state)
{
    (void)state;
    struct world w;
    make(&w);
    unsigned all_but_admin = ROLE_ALL & ~ROLE_ADMIN;
    const struct access_org *ops[] = {&w.bank, &w.bank2, &w.cable, &w.city};
    for (size_t i = 0; i < IS_ARRAY_LEN(ops); i++) {
        if (access_may_see_org(&w.agency, all_but_admin, ops[i]))
            fail_msg("agency sees %s", ops[i]->id);
        if (access_may_see_org(&w.council, all_but_admin, ops[i]))
            fail_msg("council sees %s", ops[i]->id);
    }
}

static void t_admin(void **state)
{
    (void)state;
    struct world w;
    make(&w);
    const struct access_org *viewers[] = {&w.bank, &w.agency, &w.council,
                                          &w.meti, &w.cep_tele};
    const struct access_org *ops[] = {&w.bank, &w.bank2, &w.cable, &w.city};
    for (size_t i = 0; i < IS_ARRAY_LEN(viewers); i++)
        for (size_t j = 0; j < IS_ARRAY_LEN(ops); j++)
            if (!access_may_see_org(viewers[i], ROLE_ADMIN, ops[j]))
                fail_msg("admin at %s cannot see %s", viewers[i]->id,
                         ops[j]->id);
}

/* What each kind of organisation may do, whatever its users' roles: every
 * kind of the registry, plus unknown and empty kinds (never allowed). */
static void t_kind_abilities(void **state)
{
    (void)state;
    static const struct {
        const char *kind;
        bool file, author, overdue;
    } rows[] = {
        {"operator", true, false, false}, {"nisc", false, true, true},
        {"ministry", false, true, true},  {"ceptoar", false, true, false},
        {"council", false, true, false},  {"agency", false, true, false},
        {"", false, false, false},        {"Operator", false, false, false},
        {"nisc ", false, false, false},   {"admin", false, false, false},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        assert_int_equal(access_may_file_report(rows[i].kind), rows[i].file);
        assert_int_equal(access_may_author_advisory(rows[i].kind),
                         rows[i].author);
        assert_int_equal(access_may_view_overdue(rows[i].kind),
                         rows[i].overdue);
    }
}

/* Website observation (issue 12): who sees a site of each organisation.
 * Every viewer × site owner: its own organisation, the secretariat of a
 * CEPTOAR it is a member of, NISC and hub admins; never another operator,
 * another CEPTOAR, a ministry, an agency or the council. */
static void t_site_visibility_table(void **state)
{
    (void)state;
    struct world w;
    make(&w);
    const struct access_org *owners[] = {&w.bank, &w.bank2, &w.cable, &w.city};
    static const struct {
        const char *viewer;
        const char *sees; /* owners seen, by index: "1100" */
    } rows[] = {
        {"nisc", "1111"},
        {"fsa", "0000"},
        {"mic", "0000"},
        {"meti", "0000"},
        {"ceptoar-banking", "1100"},
        {"ceptoar-cable-tv", "0010"},
        {"ceptoar-telecom", "0010"},
        {"ceptoar-council", "0000"},
        {"jpcert", "0000"},
        {"op-banking-0001", "1000"},
        {"op-banking-0002", "0100"},
        {"op-cable-tv-0001", "0010"},
        {"op-local-government-0001", "0001"},
    };
    const struct access_org *viewers[] = {
        &w.nisc,      &w.fsa,      &w.mic,     &w.meti,   &w.cep_bank,
        &w.cep_cable, &w.cep_tele, &w.council, &w.agency, &w.bank,
        &w.bank2,     &w.cable,    &w.city};
    assert_int_equal(IS_ARRAY_LEN(rows), IS_ARRAY_LEN(viewers));
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        assert_string_equal(viewers[i]->id, rows[i].viewer);
        for (size_t j = 0; j < IS_ARRAY_LEN(owners); j++) {
            bool want = rows[i].sees[j] == '1';
            /* every role set but admin: roles give no more */
            if (access_may_see_site(viewers[i], ROLE_ALL & ~ROLE_ADMIN,
                                    owners[j]) != want)
                fail_msg("%s sees site of %s: want %d", rows[i].viewer,
                         owners[j]->id, want);
            /* a hub admin sees every site */
            assert_true(access_may_see_site(viewers[i], ROLE_ADMIN, owners[j]));
            /* the SQL filter's scope agrees with the decision */
            enum access_site_scope sc =
                access_site_scope(viewers[i], ROLE_READER);
            bool by_scope =
                strcmp(viewers[i]->id, owners[j]->id) == 0 ||
                sc == ACCESS_SITES_ALL ||
                (sc == ACCESS_SITES_MEMBERS &&
                 ((owners[j]->nceptoars > 0 &&
                   strcmp(owners[j]->ceptoars[0], viewers[i]->id) == 0) ||
                  (owners[j]->nceptoars > 1 &&
                   strcmp(owners[j]->ceptoars[1], viewers[i]->id) == 0)));
            assert_int_equal(by_scope, want);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_org_view),
        cmocka_unit_test(t_national_bodies_visible_to_all),
        cmocka_unit_test(t_nisc),
        cmocka_unit_test(t_ministry),
        cmocka_unit_test(t_ceptoar_secretariat),
        cmocka_unit_test(t_operator),
        cmocka_unit_test(t_external),
        cmocka_unit_test(t_agency_and_council),
        cmocka_unit_test(t_admin),
        cmocka_unit_test(t_kind_abilities),
        cmocka_unit_test(t_site_visibility_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
