/*
 * test_severity.c - the severity engine (core/severity.h, DOMAIN.md §5)
 * driven by the shipped data files (data/severity/rules.json and
 * maintenance_levels.json).
 *
 * Table-driven: every rule fires at least once, every maintenance-level
 * threshold is tested on both sides, the 10x "severe" boundary on both
 * sides; then the explanation, the compiler's rejections, a randomised
 * cross-check against an oracle written from DOMAIN.md §5, and a
 * 1,000,000-case run whose level histogram must cover 0..5.
 */
#include "common/common.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/severity.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

/* ---------------------------------------------------------------- setup */

static json_t *load(const char *name)
{
    const char *root = getenv("INFRASHARE_SRC");
    char path[1024];
    snprintf(path, sizeof(path), "%s/data/severity/%s", root ? root : ".",
             name);
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr);
    if (!j)
        print_error("cannot load %s: %s (line %d)\n", path, jerr.text,
                    jerr.line);
    return j;
}

struct fixture {
    json_t *rules, *levels;
    struct severity_table t;
};

static int group_setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    if (!fx)
        return -1;
    fx->rules = load("rules.json");
    fx->levels = load("maintenance_levels.json");
    if (!fx->rules || !fx->levels) {
        json_decref(fx->rules);
        json_decref(fx->levels);
        free(fx);
        return -1;
    }
    char err[256] = "";
    int rc = severity_compile(fx->rules, fx->levels, &fx->t, err, sizeof(err));
    if (rc != IS_OK) {
        print_error("severity_compile: %d %s\n", rc, err);
        json_decref(fx->rules);
        json_decref(fx->levels);
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int group_teardown(void **state)
{
    struct fixture *fx = *state;
    if (fx) {
        json_decref(fx->rules);
        json_decref(fx->levels);
        free(fx);
    }
    return 0;
}

/* ---------------------------------------------------------------- facts */

#define FL(f) (1u << ((f)-SEV_NUMERIC_COUNT))
#define STOPPED FL(SEV_SERVICE_STOPPED)
#define DEGRADED FL(SEV_SERVICE_DEGRADED)
#define COMPROMISE FL(SEV_COMPROMISE_CONFIRMED)
#define EMERGENCY FL(SEV_EMERGENCY_SYSTEMS)
#define SAFETY FL(SEV_SAFETY_AFFECTED)
#define CARD_AUTH FL(SEV_CARD_AUTH_AFFECTED)
#define RELAY FL(SEV_RELAY_STATION)
#define BLOCKED FL(SEV_ATTACK_BLOCKED)
#define IMMINENT FL(SEV_IMMINENT_MULTI_SECTOR)
#define K_INCIDENT FL(SEV_KIND_INCIDENT)
#define K_PRECURSOR FL(SEV_KIND_PRECURSOR)
#define K_VULN FL(SEV_KIND_VULNERABILITY)
#define K_INFO FL(SEV_KIND_INFO)
#define NO_SCOPE "(none)" /* facts.scope = -1 */

struct nums {
    double users, dur, kw, households, bstop, ops, sectors;
};

static struct sev_facts facts(const struct severity_table *t, const char *scope,
                              const struct nums *n, unsigned flags)
{
    struct sev_facts f;
    memset(&f, 0, sizeof(f));
    f.scope = strcmp(scope, NO_SCOPE) == 0 ? -1 : severity_scope(t, scope);
    f.num[SEV_USERS_AFFECTED] = n->users;
    f.num[SEV_DURATION_MIN] = n->dur;
    f.num[SEV_KW_LOST] = n->kw;
    f.num[SEV_HOUSEHOLDS] = n->households;
    f.num[SEV_BROADCAST_STOP_MIN] = n->bstop;
    f.num[SEV_OPERATORS_AFFECTED] = n->ops;
    f.num[SEV_SECTORS_EXCEEDED] = n->sectors;
    for (int k = SEV_NUMERIC_COUNT; k < SEV_FACT_COUNT; k++)
        f.flag[k - SEV_NUMERIC_COUNT] =
            (flags & (1u << (k - SEV_NUMERIC_COUNT))) != 0;
    return f;
}

/* ---------------------------------------------------------- the table */

#define NA (-1) /* "exceeded" not checked */

struct sev_case {
    const char *name;
    const char *scope;
    struct nums n;
    unsigned flags;
    int level;
    const char *rule;
    int exceeded; /* 0, 1 or NA */
};

/*                 users    dur  kW  hh  bstop ops sectors */
#define N(u, d, k, h, b, o, s)                                                 \
    {                                                                          \
        u, d, k, h, b, o, s                                                    \
    }
#define Z N(0, 0, 0, 0, 0, 0, 0)

static const struct sev_case cases[] = {
    /* ---- each rule fires */
    {"L5 by sectors_exceeded=2", "telecom", N(0, 0, 0, 0, 0, 0, 2), 0, 5,
     "L5-multi-sector", 0},
    {"L5 by imminent threat", "water", Z, IMMINENT | K_PRECURSOR, 5,
     "L5-multi-sector", 0},
    {"L5 beats L4: severe telecom outage in 2 sectors", "telecom",
     N(500000, 300, 0, 0, 0, 3, 2), EMERGENCY, 5, "L5-multi-sector", 1},
    {"L4 by impact_ratio 10 (telecom 300,000 users 2 h)", "telecom",
     N(300000, 120, 0, 0, 0, 0, 0), STOPPED, 4, "L4-severe", 1},
    {"L4 by operators_affected=2", "telecom", N(30000, 120, 0, 0, 0, 2, 0), 0,
     4, "L4-severe", 1},
    {"L4 by emergency_systems", "electricity", N(0, 10, 100000, 0, 0, 1, 0),
     EMERGENCY, 4, "L4-severe", 1},
    {"L4 by safety_affected", "gas", N(0, 0, 0, 30, 0, 1, 0), SAFETY, 4,
     "L4-severe", 1},
    {"L3 by exceeded (telecom 30,000 users 2 h)", "telecom",
     N(30000, 120, 0, 0, 0, 1, 0), 0, 3, "L3-exceeded", 1},
    {"L3 by service_stopped without exceedance", "telecom",
     N(100, 30, 0, 0, 0, 1, 0), STOPPED | K_INCIDENT, 3, "L3-exceeded", 0},
    {"L2 by degraded", "telecom", N(1000, 60, 0, 0, 0, 1, 0),
     DEGRADED | K_INCIDENT, 2, "L2-degraded", 0},
    {"L2 by compromise_confirmed", "electricity", Z, COMPROMISE | K_INCIDENT, 2,
     "L2-degraded", 0},
    {"L1 by precursor kind", "banking", Z, K_PRECURSOR, 1, "L1-precursor", 0},
    {"L1 by vulnerability kind", "medical", Z, K_VULN, 1, "L1-precursor", 0},
    {"L1 by attack_blocked", "railway", Z, BLOCKED | K_INCIDENT, 1,
     "L1-precursor", 0},
    {"L0 fallback (info)", "aviation", Z, K_INFO, 0, "L0-info", 0},
    {"L0 fallback (nothing at all)", "telecom", Z, 0, 0, "L0-info", 0},
    {"L0 fallback (incident with no impact)", "gas", N(0, 0, 0, 29, 0, 1, 0),
     K_INCIDENT, 0, "L0-info", 0},

    /* ---- L4 needs the maintenance level exceeded */
    {"L4 facts without exceedance: operators=5, degraded -> L2", "telecom",
     N(29999, 120, 0, 0, 0, 5, 0), DEGRADED, 2, "L2-degraded", 0},
    {"L4 facts without exceedance: emergency + stopped -> L3", "telecom",
     N(100, 10, 0, 0, 0, 1, 0), EMERGENCY | STOPPED, 3, "L3-exceeded", 0},
    {"L4 facts without exceedance: safety only -> L0", "electricity",
     N(0, 60, 99999, 0, 0, 1, 0), SAFETY, 0, "L0-info", 0},
    {"operators_affected=1 with exceedance -> L3", "gas",
     N(0, 0, 0, 31, 0, 1, 0), 0, 3, "L3-exceeded", 1},

    /* ---- telecom: >= 30,000 users for >= 2 h */
    {"telecom 29,999 users 120 min", "telecom", N(29999, 120, 0, 0, 0, 1, 0),
     DEGRADED, 2, "L2-degraded", 0},
    {"telecom 30,000 users 120 min", "telecom", N(30000, 120, 0, 0, 0, 1, 0),
     DEGRADED, 3, "L3-exceeded", 1},
    {"telecom 30,000 users 119 min", "telecom", N(30000, 119, 0, 0, 0, 1, 0),
     DEGRADED, 2, "L2-degraded", 0},
    {"telecom 30,000 users 119.9 min", "telecom",
     N(30000, 119.9, 0, 0, 0, 1, 0), DEGRADED, 2, "L2-degraded", 0},
    {"telecom relay flag is ignored (no relay level)", "telecom",
     N(30000, 120, 0, 0, 0, 1, 0), DEGRADED | RELAY, 3, "L3-exceeded", 1},
    /* ---- cable TV: the same thresholds */
    {"cable_tv 29,999 users 120 min", "cable_tv", N(29999, 120, 0, 0, 0, 1, 0),
     DEGRADED, 2, "L2-degraded", 0},
    {"cable_tv 30,000 users 120 min", "cable_tv", N(30000, 120, 0, 0, 0, 1, 0),
     DEGRADED, 3, "L3-exceeded", 1},
    {"cable_tv 30,000 users 119 min", "cable_tv", N(30000, 119, 0, 0, 0, 1, 0),
     DEGRADED, 2, "L2-degraded", 0},
    {"cable_tv 299,999 users 120 min", "cable_tv",
     N(299999, 120, 0, 0, 0, 1, 0), DEGRADED, 3, "L3-exceeded", 1},
    {"cable_tv 300,000 users 120 min", "cable_tv",
     N(300000, 120, 0, 0, 0, 1, 0), DEGRADED, 4, "L4-severe", 1},
    /* ---- broadcasting: stop >= 15 min; relay station >= 2 h */
    {"broadcasting 14 min stop", "broadcasting", N(0, 14, 0, 0, 14, 1, 0),
     DEGRADED, 2, "L2-degraded", 0},
    {"broadcasting 15 min stop", "broadcasting", N(0, 15, 0, 0, 15, 1, 0),
     DEGRADED, 3, "L3-exceeded", 1},
    {"broadcasting relay 15 min stop", "broadcasting", N(0, 15, 0, 0, 15, 1, 0),
     DEGRADED | RELAY, 2, "L2-degraded", 0},
    {"broadcasting relay 119 min stop", "broadcasting",
     N(0, 119, 0, 0, 119, 1, 0), DEGRADED | RELAY, 2, "L2-degraded", 0},
    {"broadcasting relay 120 min stop", "broadcasting",
     N(0, 120, 0, 0, 120, 1, 0), DEGRADED | RELAY, 3, "L3-exceeded", 1},
    {"broadcasting 149 min stop (ratio 9.93)", "broadcasting",
     N(0, 149, 0, 0, 149, 1, 0), DEGRADED, 3, "L3-exceeded", 1},
    {"broadcasting 150 min stop (ratio 10 of 15 min)", "broadcasting",
     N(0, 150, 0, 0, 150, 1, 0), DEGRADED, 4, "L4-severe", 1},
    /* relay station: the threshold is 120 min, so 10x is 1,200 min */
    {"broadcasting relay 150 min stop (ratio 1.25 of 120 min)", "broadcasting",
     N(0, 150, 0, 0, 150, 1, 0), DEGRADED | RELAY, 3, "L3-exceeded", 1},
    {"broadcasting relay 1,199 min stop (ratio 9.99 of 120 min)",
     "broadcasting", N(0, 1199, 0, 0, 1199, 1, 0), DEGRADED | RELAY, 3,
     "L3-exceeded", 1},
    {"broadcasting relay 1,200 min stop (ratio 10 of 120 min)", "broadcasting",
     N(0, 1200, 0, 0, 1200, 1, 0), DEGRADED | RELAY, 4, "L4-severe", 1},
    /* ---- electricity: >= 100,000 kW for >= 10 min */
    {"electricity 99,999 kW 10 min", "electricity", N(0, 10, 99999, 0, 0, 1, 0),
     DEGRADED, 2, "L2-degraded", 0},
    {"electricity 100,000 kW 10 min", "electricity",
     N(0, 10, 100000, 0, 0, 1, 0), DEGRADED, 3, "L3-exceeded", 1},
    {"electricity 100,000 kW 9 min", "electricity", N(0, 9, 100000, 0, 0, 1, 0),
     DEGRADED, 2, "L2-degraded", 0},
    {"electricity 999,999 kW 10 min", "electricity",
     N(0, 10, 999999, 0, 0, 1, 0), DEGRADED, 3, "L3-exceeded", 1},
    {"electricity 1,000,000 kW 10 min", "electricity",
     N(0, 10, 1000000, 0, 0, 1, 0), DEGRADED, 4, "L4-severe", 1},
    {"electricity 1,000,000 kW 9 min (not exceeded, no L4)", "electricity",
     N(0, 9, 1000000, 0, 0, 1, 0), DEGRADED, 2, "L2-degraded", 0},
    /* ---- gas: >= 30 households */
    {"gas 29 households", "gas", N(0, 0, 0, 29, 0, 1, 0), DEGRADED, 2,
     "L2-degraded", 0},
    {"gas 30 households", "gas", N(0, 0, 0, 30, 0, 1, 0), DEGRADED, 3,
     "L3-exceeded", 1},
    {"gas 299 households", "gas", N(0, 0, 0, 299, 0, 1, 0), DEGRADED, 3,
     "L3-exceeded", 1},
    {"gas 300 households", "gas", N(0, 0, 0, 300, 0, 1, 0), DEGRADED, 4,
     "L4-severe", 1},
    /* ---- credit: any card-authorisation delay, stop or fraud */
    {"credit card_auth_affected false", "credit", Z, DEGRADED, 2, "L2-degraded",
     0},
    {"credit card_auth_affected true", "credit", Z, DEGRADED | CARD_AUTH, 3,
     "L3-exceeded", 1},
    {"credit card_auth + operators=2", "credit", N(0, 0, 0, 0, 0, 2, 0),
     CARD_AUTH, 4, "L4-severe", 1},
    {"card_auth_affected means nothing outside credit", "banking", Z,
     DEGRADED | CARD_AUTH, 2, "L2-degraded", 0},
    /* ---- every other scope ("*"): exceeded iff service_stopped */
    {"water, service degraded", "water", N(50000, 600, 0, 0, 0, 1, 0), DEGRADED,
     2, "L2-degraded", 0},
    {"water, service stopped", "water", Z, STOPPED, 3, "L3-exceeded", 1},
    {"banking, service degraded", "banking", N(1000000, 600, 0, 0, 0, 1, 0),
     DEGRADED, 2, "L2-degraded", 0},
    {"banking, service stopped", "banking", Z, STOPPED, 3, "L3-exceeded", 1},
    {"banking, stopped at 2 operators", "banking", N(0, 0, 0, 0, 0, 2, 0),
     STOPPED, 4, "L4-severe", 1},
    {"local_government, stopped, emergency systems", "local_government", Z,
     STOPPED | EMERGENCY, 4, "L4-severe", 1},
    {"no numeric level: huge figures are not a 10x ratio", "water",
     N(10000000, 10000, 10000000, 100000, 10000, 1, 0), STOPPED, 3,
     "L3-exceeded", 1},
    {"no maintenance level at all (scope -1), stopped", NO_SCOPE, Z, STOPPED, 3,
     "L3-exceeded", 0},
    /* ---- the 10x boundary */
    {"telecom 299,999 users 120 min", "telecom", N(299999, 120, 0, 0, 0, 1, 0),
     STOPPED, 3, "L3-exceeded", 1},
    {"telecom 300,000 users 120 min", "telecom", N(300000, 120, 0, 0, 0, 1, 0),
     STOPPED, 4, "L4-severe", 1},
    {"telecom 300,000 users 119 min (not exceeded)", "telecom",
     N(300000, 119, 0, 0, 0, 1, 0), DEGRADED, 2, "L2-degraded", 0},
    /* ---- sectors_exceeded */
    {"sectors_exceeded 1 (telecom exceeded)", "telecom",
     N(30000, 120, 0, 0, 0, 1, 1), 0, 3, "L3-exceeded", 1},
    {"sectors_exceeded 2 (telecom exceeded)", "telecom",
     N(30000, 120, 0, 0, 0, 1, 2), 0, 5, "L5-multi-sector", 1},
    {"sectors_exceeded 1.9", "telecom", N(0, 0, 0, 0, 0, 0, 1.9), 0, 0,
     "L0-info", 0},
};

static void test_table(void **state)
{
    const struct severity_table *t = &((struct fixture *)*state)->t;
    int fired[6] = {0};
    int bad = 0;
    for (size_t i = 0; i < IS_ARRAY_LEN(cases); i++) {
        const struct sev_case *c = &cases[i];
        struct sev_facts f = facts(t, c->scope, &c->n, c->flags);
        if (strcmp(c->scope, NO_SCOPE) != 0 && f.scope < 0) {
            print_error("case \"%s\": scope %s unknown\n", c->name, c->scope);
            bad++;
            continue;
        }
        struct sev_result r = severity_eval(t, &f);
        assert_true(r.rule >= 0 && r.rule < t->nrules);
        const char *rule = t->rules[r.rule].id;
        bool ok = r.level == c->level && strcmp(rule, c->rule) == 0 &&
                  t->rules[r.rule].level == r.level &&
                  (c->exceeded == NA || (int)r.exceeded == c->exceeded);
        if (!ok) {
            print_error("case \"%s\" [%s]: got level %d rule %s exceeded %d "
                        "ratio %g; want level %d rule %s exceeded %d\n",
                        c->name, c->scope, r.level, rule, (int)r.exceeded,
                        r.impact_ratio, c->level, c->rule, c->exceeded);
            bad++;
        }
        fired[r.level]++;
    }
    for (int l = 0; l <= 5; l++)
        assert_true(fired[l] > 0);
    if (bad)
        fail_msg("%d of %zu severity cases wrong (see above)", bad,
                 IS_ARRAY_LEN(cases));
}

/* Every rule of the shipped table is named by at least one case. */
static void test_table_covers_every_rule(void **state)
{
    const struct severity_table *t = &((struct fixture *)*state)->t;
    assert_int_equal(t->nrules, 6);
    for (int r = 0; r < t->nrules; r++) {
        bool named = false;
        for (size_t i = 0; i < IS_ARRAY_LEN(cases) && !named; i++)
            named = strcmp(cases[i].rule, t->rules[r].id) == 0;
        if (!named)
            fail_msg("rule %s has no case", t->rules[r].id);
    }
}

static void test_ratio(void **state)
{
    const struct severity_table *t = &((struct fixture *)*state)->t;
    struct nums n = N(45000, 180, 0, 0, 0, 1, 0);
    struct sev_facts f = facts(t, "telecom", &n, 0);
    struct sev_result r = severity_eval(t, &f);
    assert_true(r.exceeded);
    assert_true(r.impact_ratio > 1.4999 && r.impact_ratio < 1.5001);
    n = (struct nums)N(0, 15, 250000, 0, 0, 1, 0);
    f = facts(t, "electricity", &n, 0);
    r = severity_eval(t, &f);
    assert_true(r.impact_ratio > 2.4999 && r.impact_ratio < 2.5001);
    /* relay station: measured against its own 120-minute threshold */
    n = (struct nums)N(0, 240, 0, 0, 240, 1, 0);
    f = facts(t, "broadcasting", &n, RELAY);
    r = severity_eval(t, &f);
    assert_true(r.exceeded);
    if (!(r.impact_ratio > 1.9999 && r.impact_ratio < 2.0001))
        fail_msg("relay-station stop of 240 min: impact_ratio %g, want 2 "
                 "(240 / 120 min relay threshold)",
                 r.impact_ratio);
}

/* ------------------------------------------------------------- scopes */

static void test_scopes(void **state)
{
    const struct severity_table *t = &((struct fixture *)*state)->t;
    assert_int_equal(t->nlevels, 7);
    static const char *const named[] = {
        "telecom", "cable_tv", "broadcasting", "electricity", "gas", "credit"};
    int star = severity_scope(t, "*");
    assert_true(star >= 0);
    assert_int_equal(star, t->default_level);
    assert_string_equal(t->levels[star].scope, "*");
    for (size_t i = 0; i < IS_ARRAY_LEN(named); i++) {
        int s = severity_scope(t, named[i]);
        assert_true(s >= 0 && s < t->nlevels);
        assert_int_not_equal(s, star);
        assert_string_equal(t->levels[s].scope, named[i]);
        for (size_t j = 0; j < i; j++)
            assert_int_not_equal(s, severity_scope(t, named[j]));
    }
    assert_int_equal(severity_scope(t, "water"), star);
    assert_int_equal(severity_scope(t, "banking"), star);
    assert_int_equal(severity_scope(t, "no-such-scope"), star);
    assert_int_equal(severity_scope(t, "Telecom"), star);
}

/* ----------------------------------------------------------- explain */

static void check_explain(const struct severity_table *t, const char *scope,
                          const struct nums *n, unsigned flags,
                          const char *want_rule, const char *want_ml_scope)
{
    struct sev_facts f = facts(t, scope, n, flags);
    struct sev_result r = severity_eval(t, &f);
    json_t *o = severity_explain(t, &f, &r);
    assert_non_null(o);
    assert_true(json_is_object(o));
    assert_int_equal(json_integer_value(json_object_get(o, "level")), r.level);
    assert_string_equal(json_string_value(json_object_get(o, "rule")),
                        want_rule);
    assert_true(json_is_boolean(json_object_get(o, "exceeded")));
    assert_int_equal(json_is_true(json_object_get(o, "exceeded")), r.exceeded);
    assert_true(json_is_number(json_object_get(o, "impact_ratio")));
    json_t *ex = json_object_get(o, "explanation");
    assert_true(json_is_object(ex));
    const char *ja = json_string_value(json_object_get(ex, "ja"));
    const char *en = json_string_value(json_object_get(ex, "en"));
    assert_non_null(ja);
    assert_non_null(en);
    assert_true(ja[0] != '\0');
    assert_true(en[0] != '\0');
    assert_non_null(strstr(ja, "深刻度"));
    char lv[16];
    snprintf(lv, sizeof(lv), "深刻度%d", r.level);
    assert_non_null(strstr(ja, lv));
    assert_non_null(strstr(ja, severity_level_name(r.level, true)));
    snprintf(lv, sizeof(lv), "Level %d", r.level);
    assert_non_null(strstr(en, lv));
    assert_non_null(strstr(en, severity_level_name(r.level, false)));
    json_t *ml = json_object_get(o, "maintenance_level");
    if (want_ml_scope) {
        assert_true(json_is_object(ml));
        assert_string_equal(json_string_value(json_object_get(ml, "scope")),
                            want_ml_scope);
        const char *mja = json_string_value(json_object_get(ml, "ja"));
        const char *men = json_string_value(json_object_get(ml, "en"));
        assert_non_null(mja);
        assert_non_null(men);
        assert_true(mja[0] != '\0' && men[0] != '\0');
        assert_string_equal(mja, t->levels[f.scope].text_ja);
        assert_string_equal(men, t->levels[f.scope].text_en);
    } else {
        assert_null(ml);
    }
    json_decref(o);
}

static void test_explain(void **state)
{
    const struct severity_table *t = &((struct fixture *)*state)->t;
    struct nums n = N(300000, 180, 0, 0, 0, 1, 0);
    check_explain(t, "telecom", &n, STOPPED, "L4-severe", "telecom");
    n = (struct nums)N(0, 10, 100000, 0, 0, 1, 0);
    check_explain(t, "electricity", &n, 0, "L3-exceeded", "electricity");
    n = (struct nums)Z;
    check_explain(t, "water", &n, STOPPED, "L3-exceeded", "*");
    check_explain(t, "gas", &n, DEGRADED, "L2-degraded", "gas");
    check_explain(t, "credit", &n, K_VULN, "L1-precursor", "credit");
    check_explain(t, "broadcasting", &n, 0, "L0-info", "broadcasting");
    check_explain(t, NO_SCOPE, &n, IMMINENT, "L5-multi-sector", NULL);

    /* the explanation names the matched facts in words of its language,
     * never their codes ("exceeded", "impact_ratio=10 (>= 10)") */
    n = (struct nums)N(300000, 180, 0, 0, 0, 1, 0);
    struct sev_facts f = facts(t, "telecom", &n, 0);
    struct sev_result r = severity_eval(t, &f);
    json_t *o = severity_explain(t, &f, &r);
    assert_non_null(o);
    const char *en = json_string_value(
        json_object_get(json_object_get(o, "explanation"), "en"));
    const char *ja = json_string_value(
        json_object_get(json_object_get(o, "explanation"), "ja"));
    assert_non_null(strstr(en, "Matched: service maintenance level exceeded"));
    assert_non_null(strstr(en, "impact against the threshold (times) 10 "
                               "(at least 10)"));
    assert_null(strstr(en, "Matched: exceeded"));
    assert_null(strstr(ja, "exceeded"));
    assert_non_null(strstr(en, t->rules[r.rule].text_en));
    assert_non_null(strstr(ja, "該当する条件: サービス維持レベルを逸脱、"
                               "影響の基準比（倍） 10（10以上）"));
    for (int k = 0; k < SEV_FACT_COUNT; k++) {
        /* "exceeded" is also an English word: the codes with "_" */
        const char *code = severity_fact_name((enum sev_fact)k);
        if (strchr(code, '_')) {
            assert_null(strstr(en, code));
            assert_null(strstr(ja, code));
        }
        assert_string_not_equal(severity_fact_words((enum sev_fact)k, true),
                                "?");
        assert_string_not_equal(severity_fact_words((enum sev_fact)k, false),
                                "?");
    }
    json_decref(o);
}

static void test_names(void **state)
{
    (void)state;
    for (int k = 0; k < SEV_FACT_COUNT; k++) {
        const char *nm = severity_fact_name((enum sev_fact)k);
        assert_non_null(nm);
        assert_int_equal(severity_fact_parse(nm), k);
    }
    assert_int_equal(severity_fact_parse("users_affected"), SEV_USERS_AFFECTED);
    assert_int_equal(severity_fact_parse("imminent_multi_sector_threat"),
                     SEV_IMMINENT_MULTI_SECTOR);
    assert_int_equal(severity_fact_parse("kind_info"), SEV_KIND_INFO);
    assert_int_equal(severity_fact_parse("moon_phase"), -1);
    assert_int_equal(severity_fact_parse(""), -1);
    assert_int_equal(severity_fact_parse(NULL), -1);
    static const char *const en[] = {"none", "low",    "medium",
                                     "high", "severe", "crisis"};
    for (int l = 0; l <= 5; l++) {
        assert_string_equal(severity_level_name(l, false), en[l]);
        const char *ja = severity_level_name(l, true);
        assert_true(ja[0] != '\0' && strcmp(ja, "?") != 0);
    }
    assert_string_equal(severity_level_name(-1, false), "?");
    assert_string_equal(severity_level_name(6, true), "?");
}

/* ---------------------------------------------------- compile rejects */

#define GOOD_TAIL "{\"id\":\"z\",\"level\":0}"
#define GOOD_LEVELS                                                            \
    "{\"maintenance_levels\":[{\"scope\":\"*\",\"all\":"                       \
    "[{\"fact\":\"service_stopped\"}]}]}"

static json_t *parse(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    if (!j)
        fail_msg("bad test JSON: %s: %s", text, jerr.text);
    return j;
}

/* Compiles; returns the rc; the error text into err. */
static int compile_text(const char *rules, const char *levels, char *err,
                        size_t errlen)
{
    json_t *r = parse(rules);
    json_t *l = parse(levels);
    struct severity_table *t = test_malloc(sizeof(*t));
    err[0] = '\0';
    int rc = severity_compile(r, l, t, err, errlen);
    test_free(t);
    json_decref(r);
    json_decref(l);
    return rc;
}

static void rejects(const char *what, const char *rules, const char *levels,
                    const char *must_name)
{
    char err[256];
    int rc = compile_text(rules, levels, err, sizeof(err));
    if (rc != IS_ERR_INVALID)
        fail_msg("%s: severity_compile returned %d, want IS_ERR_INVALID", what,
                 rc);
    if (err[0] == '\0')
        fail_msg("%s: empty error text", what);
    if (must_name && !strstr(err, must_name))
        fail_msg("%s: error \"%s\" does not name \"%s\"", what, err, must_name);
}

static void test_compile_minimal_ok(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(compile_text("{\"rules\":[" GOOD_TAIL "]}", GOOD_LEVELS,
                                  err, sizeof(err)),
                     IS_OK);
    assert_int_equal(
        compile_text("{\"rules\":[{\"id\":\"a\",\"level\":3,\"all\":"
                     "[{\"fact\":\"users_affected\",\"gte\":1}]}," GOOD_TAIL
                     "]}",
                     "{\"maintenance_levels\":[]}", err, sizeof(err)),
        IS_OK);
}

static void test_compile_rejects(void **state)
{
    (void)state;
    rejects("unknown fact in a rule",
            "{\"rules\":[{\"id\":\"a\",\"level\":5,\"any\":[{\"fact\":"
            "\"moon_phase\",\"gte\":1}]}," GOOD_TAIL "]}",
            GOOD_LEVELS, "moon_phase");
    rejects("unknown fact in a maintenance level",
            "{\"rules\":[" GOOD_TAIL "]}",
            "{\"maintenance_levels\":[{\"scope\":\"gas\",\"all\":"
            "[{\"fact\":\"houses\",\"gte\":30}]}]}",
            "houses");
    rejects("rules not ordered 5..0",
            "{\"rules\":[{\"id\":\"a\",\"level\":3,\"any\":[{\"fact\":"
            "\"exceeded\"}]},{\"id\":\"b\",\"level\":4,\"any\":[{\"fact\":"
            "\"safety_affected\"}]}," GOOD_TAIL "]}",
            GOOD_LEVELS, NULL);
    rejects("level 0 before level 1",
            "{\"rules\":[{\"id\":\"a\",\"level\":0,\"any\":[{\"fact\":"
            "\"kind_info\"}]},{\"id\":\"b\",\"level\":1,\"any\":[{\"fact\":"
            "\"attack_blocked\"}]}," GOOD_TAIL "]}",
            GOOD_LEVELS, NULL);
    rejects("last rule with conditions",
            "{\"rules\":[{\"id\":\"a\",\"level\":1,\"any\":[{\"fact\":"
            "\"attack_blocked\"}]},{\"id\":\"z\",\"level\":0,\"any\":"
            "[{\"fact\":\"kind_info\"}]}]}",
            GOOD_LEVELS, NULL);
    rejects("last rule with an 'all' condition",
            "{\"rules\":[{\"id\":\"z\",\"level\":0,\"all\":"
            "[{\"fact\":\"kind_info\"}]}]}",
            GOOD_LEVELS, NULL);
    rejects("last rule not level 0",
            "{\"rules\":[{\"id\":\"a\",\"level\":2,\"any\":[{\"fact\":"
            "\"service_degraded\"}]},{\"id\":\"b\",\"level\":1}]}",
            GOOD_LEVELS, NULL);
    rejects("numeric fact without gte",
            "{\"rules\":[{\"id\":\"a\",\"level\":4,\"any\":[{\"fact\":"
            "\"users_affected\"}]}," GOOD_TAIL "]}",
            GOOD_LEVELS, "users_affected");
    rejects("numeric fact with a string gte",
            "{\"rules\":[{\"id\":\"a\",\"level\":4,\"any\":[{\"fact\":"
            "\"kw_lost\",\"gte\":\"100000\"}]}," GOOD_TAIL "]}",
            GOOD_LEVELS, "kw_lost");
    rejects("flag with gte",
            "{\"rules\":[{\"id\":\"a\",\"level\":3,\"any\":[{\"fact\":"
            "\"service_stopped\",\"gte\":1}]}," GOOD_TAIL "]}",
            GOOD_LEVELS, "service_stopped");
    rejects("unknown key in a rule",
            "{\"rules\":[{\"id\":\"a\",\"level\":3,\"colour\":\"red\","
            "\"any\":[{\"fact\":\"exceeded\"}]}," GOOD_TAIL "]}",
            GOOD_LEVELS, "colour");
    rejects("unknown key in a condition",
            "{\"rules\":[{\"id\":\"a\",\"level\":3,\"any\":[{\"fact\":"
            "\"exceeded\",\"op\":\"eq\"}]}," GOOD_TAIL "]}",
            GOOD_LEVELS, NULL);
    rejects("unknown key in a maintenance level", "{\"rules\":[" GOOD_TAIL "]}",
            "{\"maintenance_levels\":[{\"scope\":\"gas\",\"all\":"
            "[{\"fact\":\"households\",\"gte\":30}],\"threshold\":30}]}",
            "threshold");
    rejects("duplicate scope", "{\"rules\":[" GOOD_TAIL "]}",
            "{\"maintenance_levels\":["
            "{\"scope\":\"telecom\",\"all\":[{\"fact\":\"users_affected\","
            "\"gte\":30000}]},"
            "{\"scope\":\"telecom\",\"all\":[{\"fact\":\"users_affected\","
            "\"gte\":1}]}]}",
            "telecom");
    rejects("duplicate '*' scope", "{\"rules\":[" GOOD_TAIL "]}",
            "{\"maintenance_levels\":["
            "{\"scope\":\"*\",\"all\":[{\"fact\":\"service_stopped\"}]},"
            "{\"scope\":\"*\",\"all\":[{\"fact\":\"service_degraded\"}]}]}",
            NULL);
    rejects("no rules", "{\"rules\":[]}", GOOD_LEVELS, NULL);
    rejects("rules missing", "{}", GOOD_LEVELS, NULL);
    rejects("maintenance_levels missing", "{\"rules\":[" GOOD_TAIL "]}", "{}",
            NULL);
    rejects("level out of range",
            "{\"rules\":[{\"id\":\"a\",\"level\":6}," GOOD_TAIL "]}",
            GOOD_LEVELS, NULL);
    rejects("rule without id", "{\"rules\":[{\"level\":0}]}", GOOD_LEVELS,
            NULL);
    rejects("maintenance level without conditions",
            "{\"rules\":[" GOOD_TAIL "]}",
            "{\"maintenance_levels\":[{\"scope\":\"gas\"}]}", "gas");
    rejects("impact naming a flag", "{\"rules\":[" GOOD_TAIL "]}",
            "{\"maintenance_levels\":[{\"scope\":\"credit\",\"all\":"
            "[{\"fact\":\"card_auth_affected\"}],\"impact\":"
            "\"card_auth_affected\"}]}",
            "credit");
    rejects("impact with no threshold", "{\"rules\":[" GOOD_TAIL "]}",
            "{\"maintenance_levels\":[{\"scope\":\"gas\",\"all\":"
            "[{\"fact\":\"households\",\"gte\":30}],\"impact\":"
            "\"kw_lost\"}]}",
            "kw_lost");
    rejects("too many conditions",
            "{\"rules\":[{\"id\":\"a\",\"level\":1,\"any\":["
            "{\"fact\":\"kind_info\"},{\"fact\":\"kind_info\"},"
            "{\"fact\":\"kind_info\"},{\"fact\":\"kind_info\"},"
            "{\"fact\":\"kind_info\"},{\"fact\":\"kind_info\"},"
            "{\"fact\":\"kind_info\"},{\"fact\":\"kind_info\"},"
            "{\"fact\":\"kind_info\"}]}," GOOD_TAIL "]}",
            GOOD_LEVELS, NULL);
}

/* ------------------------------------------ oracle (DOMAIN.md §5) */

/* The shipped table, written out by hand from DOMAIN.md §5 and 002 Annex 2
 * (not from severity.c). */
static int oracle_level(const char *scope, const struct nums *n, unsigned fl,
                        bool *exceeded)
{
    bool ex;
    double ratio = 0;
    if (!strcmp(scope, "telecom") || !strcmp(scope, "cable_tv")) {
        ex = n->users >= 30000 && n->dur >= 120;
        ratio = n->users / 30000;
    } else if (!strcmp(scope, "broadcasting")) {
        double thr = (fl & RELAY) ? 120 : 15;
        ex = n->bstop >= thr;
        ratio = n->bstop / thr;
    } else if (!strcmp(scope, "electricity")) {
        ex = n->kw >= 100000 && n->dur >= 10;
        ratio = n->kw / 100000;
    } else if (!strcmp(scope, "gas")) {
        ex = n->households >= 30;
        ratio = n->households / 30;
    } else if (!strcmp(scope, "credit")) {
        ex = (fl & CARD_AUTH) != 0;
    } else if (!strcmp(scope, NO_SCOPE)) {
        ex = false;
    } else {
        ex = (fl & STOPPED) != 0;
    }
    *exceeded = ex;
    if (n->sectors >= 2 || (fl & IMMINENT))
        return 5;
    if (ex && (ratio >= 10 || n->ops >= 2 || (fl & (EMERGENCY | SAFETY))))
        return 4;
    if (ex || (fl & STOPPED))
        return 3;
    if (fl & (DEGRADED | COMPROMISE))
        return 2;
    if (fl & (K_PRECURSOR | K_VULN | BLOCKED))
        return 1;
    return 0;
}

static const char *const rand_scopes[] = {
    "telecom", "cable_tv", "broadcasting", "electricity", "gas",   "credit",
    "water",   "banking",  "medical",      "*",           NO_SCOPE};

static uint64_t rng_next(uint64_t *s)
{
    /* xorshift64* */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static double pick(uint64_t *s, const double *vals, size_t n)
{
    uint64_t r = rng_next(s);
    /* 1 in 4: a uniformly random value up to twice the largest */
    if ((r & 3) == 0)
        return (double)((r >> 8) % (uint64_t)(vals[n - 1] * 2 + 1));
    return vals[(r >> 8) % n];
}

static const double v_users[] = {0,     1,      29999,  30000,
                                 30001, 299999, 300000, 1000000};
static const double v_dur[] = {0, 9, 10, 11, 119, 120, 121, 600};
static const double v_kw[] = {0, 99999, 100000, 999999, 1000000, 2000000};
static const double v_hh[] = {0, 29, 30, 31, 299, 300, 1000};
static const double v_bstop[] = {0,   14,  15,   119,  120,
                                 149, 150, 1199, 1200, 2000};
static const double v_ops[] = {0, 1, 1, 1, 2, 3};
static const double v_sectors[] = {0, 0, 0, 0, 0, 1, 1, 2};

static void random_case(uint64_t *s, const char **scope, struct nums *n,
                        unsigned *flags)
{
    *scope = rand_scopes[rng_next(s) % IS_ARRAY_LEN(rand_scopes)];
    n->users = pick(s, v_users, IS_ARRAY_LEN(v_users));
    n->dur = pick(s, v_dur, IS_ARRAY_LEN(v_dur));
    n->kw = pick(s, v_kw, IS_ARRAY_LEN(v_kw));
    n->households = pick(s, v_hh, IS_ARRAY_LEN(v_hh));
    n->bstop = pick(s, v_bstop, IS_ARRAY_LEN(v_bstop));
    n->ops = pick(s, v_ops, IS_ARRAY_LEN(v_ops));
    n->sectors = v_sectors[rng_next(s) % IS_ARRAY_LEN(v_sectors)];
    /* each flag with probability 1/8, imminent 1/64 */
    unsigned fl = 0;
    for (int k = SEV_NUMERIC_COUNT; k < SEV_FACT_COUNT; k++) {
        if (k == SEV_EXCEEDED)
            continue; /* derived, never an input */
        unsigned bit = 1u << (k - SEV_NUMERIC_COUNT);
        uint64_t r = rng_next(s);
        if (bit == IMMINENT ? (r & 63) == 0 : (r & 7) == 0)
            fl |= bit;
    }
    *flags = fl;
}

static long loop_count(long full)
{
    if (RUNNING_ON_VALGRIND) {
        const char *s = getenv("INFRASHARE_VALGRIND_SEV_CASES");
        char *end = NULL;
        long v = s ? strtol(s, &end, 10) : 0;
        if (s && end && *end == '\0' && v > 0 && v < full)
            return v;
    }
    return full;
}

/* Random inputs around every threshold, checked against the oracle. */
static void test_random_against_oracle(void **state)
{
    const struct severity_table *t = &((struct fixture *)*state)->t;
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    long n_cases = loop_count(200000), bad = 0;
    for (long i = 0; i < n_cases; i++) {
        const char *scope;
        struct nums n;
        unsigned fl;
        random_case(&seed, &scope, &n, &fl);
        struct sev_facts f = facts(t, scope, &n, fl);
        struct sev_result r = severity_eval(t, &f);
        bool ex;
        int want = oracle_level(scope, &n, fl, &ex);
        if (r.level != want || r.exceeded != ex) {
            if (bad < 10)
                print_error("case %ld [%s] users=%g dur=%g kw=%g hh=%g "
                            "bstop=%g ops=%g sectors=%g flags=%#x: got "
                            "level %d (%s) exceeded %d ratio %g; want "
                            "level %d exceeded %d\n",
                            i, scope, n.users, n.dur, n.kw, n.households,
                            n.bstop, n.ops, n.sectors, fl, r.level,
                            t->rules[r.rule].id, (int)r.exceeded,
                            r.impact_ratio, want, (int)ex);
            bad++;
        }
    }
    if (bad)
        fail_msg("%ld of %ld random cases differ from DOMAIN.md §5", bad,
                 n_cases);
}

/* 1,000,000 evaluations (not timed): the histogram covers every level. */
static void test_throughput_sanity(void **state)
{
    const struct severity_table *t = &((struct fixture *)*state)->t;
    long n_cases = loop_count(1000000);
    long hist[6] = {0};
    long bad_rule = 0;
    uint64_t seed = 0xD1B54A32D192ED03ULL;
    /* prebuilt inputs so the loop mostly measures severity_eval */
    enum { POOL = 4096 };
    struct sev_facts *pool = test_malloc(POOL * sizeof(*pool));
    for (int i = 0; i < POOL; i++) {
        const char *scope;
        struct nums n;
        unsigned fl;
        random_case(&seed, &scope, &n, &fl);
        pool[i] = facts(t, scope, &n, fl);
    }
    for (long i = 0; i < n_cases; i++) {
        struct sev_facts *f = &pool[i % POOL];
        /* vary the inputs on every pass over the pool */
        f->num[SEV_USERS_AFFECTED] += (double)(i & 1);
        f->num[SEV_DURATION_MIN] = (double)((i >> 12) % 200);
        struct sev_result r = severity_eval(t, f);
        if (r.level < 0 || r.level > 5 || r.rule < 0 || r.rule >= t->nrules ||
            t->rules[r.rule].level != r.level) {
            bad_rule++;
            continue;
        }
        hist[r.level]++;
    }
    test_free(pool);
    long total = 0;
    for (int l = 0; l <= 5; l++) {
        if (hist[l] == 0)
            fail_msg("level %d never produced in %ld cases", l, n_cases);
        total += hist[l];
    }
    assert_int_equal(bad_rule, 0);
    assert_int_equal(total, n_cases);
    if (!RUNNING_ON_VALGRIND)
        assert_int_equal(n_cases, 1000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_table_covers_every_rule),
        cmocka_unit_test(test_ratio),
        cmocka_unit_test(test_scopes),
        cmocka_unit_test(test_explain),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_compile_minimal_ok),
        cmocka_unit_test(test_compile_rejects),
        cmocka_unit_test(test_random_against_oracle),
        cmocka_unit_test(test_throughput_sanity),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
