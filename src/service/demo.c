#include "service/demo.h"

#include "service/agreements.h"
#include "store/store_exercise.h"

#include "core/roles.h"
#include "common/buf.h"
#include "common/jv.h"
#include "common/util.h"

/* Replaces the single "{n}" in pattern by a 4-digit number. */
static void fill(char *out, size_t outlen, const char *pattern, int n)
{
    const char *p = strstr(pattern, "{n}");
    if (!p) {
        snprintf(out, outlen, "%s %04d", pattern, n);
        return;
    }
    snprintf(out, outlen, "%.*s%04d%s", (int)(p - pattern), pattern, n, p + 3);
}

static void dashed(char *out, size_t outlen, const char *id)
{
    util_xcopy(out, outlen, id);
    for (char *p = out; *p; p++)
        if (*p == '_')
            *p = '-';
}

static int add_user(struct store_conn *c, const char *org, const char *name,
                    const char *display, unsigned roles, const char *lang,
                    const char *pw_hash, int64_t now, struct demo_stats *s)
{
    struct store_user u;
    memset(&u, 0, sizeof(u));
    /* names come from the registry and demo files: one too long for its
     * field stops the load with an error, never an abort */
    if (util_copy(u.org_id, sizeof(u.org_id), org) ||
        util_copy(u.username, sizeof(u.username), name) ||
        util_copy(u.display_name, sizeof(u.display_name), display) ||
        util_copy(u.pw_hash, sizeof(u.pw_hash), pw_hash) ||
        util_copy(u.lang, sizeof(u.lang), lang))
        return IS_ERR_TOO_LARGE;
    u.roles = roles;
    u.demo = true;
    int rc = store_user_insert(c, &u, now, NULL);
    if (!rc)
        s->users++;
    return rc;
}

static int add_contact(struct store_conn *c, const char *org,
                       const char *channel, const char *address, int prio,
                       bool emergency, int64_t now, struct demo_stats *s)
{
    char secret[65];
    util_random_hex(secret, 32);
    struct store_contact k = {
        .org_id = org,
        .channel = channel,
        .address = address,
        .secret = strcmp(channel, "email") ? secret : NULL,
        .lang = "ja",
        .priority = prio,
        .emergency = emergency,
    };
    int rc = store_contact_insert(c, &k, now);
    if (!rc)
        s->contacts++;
    return rc;
}

/* What every step of demo_generate writes with. */
struct demo_run {
    struct store_conn *c;
    const char *pw_hash;
    const char *webhook_base;
    int64_t now;
    struct demo_stats *stats;
};

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n > k && strcmp(s + n - k, tail) == 0;
}

bool demo_username_reserved(const char *name)
{
    return strcmp(name, "nisc-analyst") == 0 || strcmp(name, "auditor") == 0 ||
           strcmp(name, "c4tap-secretariat") == 0 || ends_with(name, "-desk") ||
           ends_with(name, "-secretariat") || strncmp(name, "op-", 3) == 0;
}

/* The staff users of a national body org (NISC, a ministry, an agency,
 * a CEPTOAR secretariat) and a secretariat's contacts. */
static int demo_staff(const struct demo_run *d, const json_t *org)
{
    const char *kind = jv_str(org, "kind");
    const char *oid = jv_str(org, "id");
    const unsigned staff = ROLE_READER | ROLE_LIAISON | ROLE_ANALYST;
    char user[80], addr[256];
    int rc = IS_OK;
    if (strcmp(kind, "nisc") == 0) {
        rc =
            add_user(d->c, oid, "nisc-analyst", "NISC analyst (demo)",
                     staff | ROLE_REPORTER, "ja", d->pw_hash, d->now, d->stats);
        if (!rc)
            rc = add_user(d->c, oid, "auditor", "Auditor (demo)",
                          ROLE_READER | ROLE_AUDITOR, "ja", d->pw_hash, d->now,
                          d->stats);
    } else if (strcmp(kind, "ministry") == 0 || strcmp(kind, "agency") == 0) {
        snprintf(user, sizeof(user), "%s-desk", oid);
        rc = add_user(d->c, oid, user, "Desk (demo)", staff, "ja", d->pw_hash,
                      d->now, d->stats);
    } else if (strcmp(kind, "ceptoar") == 0) {
        snprintf(user, sizeof(user), "%s-secretariat", oid);
        rc = add_user(d->c, oid, user, "Secretariat (demo)",
                      staff | ROLE_ORG_ADMIN, "ja", d->pw_hash, d->now,
                      d->stats);
        /* secretariat contacts, the emergency one first (緊急窓口) */
        snprintf(addr, sizeof(addr), "%s@demo.example.jp", oid);
        if (!rc)
            rc = add_contact(d->c, oid, "email", addr, 1, false, d->now,
                             d->stats);
        snprintf(addr, sizeof(addr), "%sgateway/phone/%s", d->webhook_base,
                 oid);
        if (!rc)
            rc = add_contact(d->c, oid, "phone", addr, 2, true, d->now,
                             d->stats);
    }
    return rc;
}

/* Demo operator n of CEPTOAR ceptoar in scope: the organisation named by
 * the patterns pja/pen, its membership, its user and two contacts. */
static int demo_operator(const struct demo_run *d, const char *ceptoar,
                         const char *scope, const char *sdash, const char *pja,
                         const char *pen, int n, const char *subgroup)
{
    char id[64], name_ja[256], name_en[256], addr[256];
    if (util_fmt(id, sizeof(id), "op-%s-%04d", sdash, n))
        return IS_ERR_TOO_LARGE; /* a scope id too long for operator ids */
    fill(name_ja, sizeof(name_ja), pja, n);
    fill(name_en, sizeof(name_en), pen, n);
    struct store_org o = {.id = id,
                          .kind = "operator",
                          .name_ja = name_ja,
                          .name_en = name_en,
                          .short_en = "",
                          .scope_id = scope,
                          .observer = false,
                          .demo = true,
                          .attrs = "{}"};
    int rc = store_org_insert(d->c, &o, d->now);
    if (!rc)
        rc = store_membership_insert(d->c, id, ceptoar);
    if (!rc && subgroup)
        rc = store_subgroup_member_add(d->c, subgroup, id);
    if (!rc)
        d->stats->operators++;
    if (!rc)
        rc = add_user(d->c, id, id, name_en,
                      ROLE_READER | ROLE_REPORTER | ROLE_LIAISON |
                          ROLE_ORG_ADMIN,
                      "ja", d->pw_hash, d->now, d->stats);
    snprintf(addr, sizeof(addr), "%s@demo.example.jp", id);
    if (!rc)
        rc = add_contact(d->c, id, "email", addr, 1, false, d->now, d->stats);
    snprintf(addr, sizeof(addr), "%s%s", d->webhook_base, id);
    if (!rc)
        rc = add_contact(d->c, id, "webhook", addr, 2, false, d->now, d->stats);
    return rc;
}

/* The demo operators of CEPTOAR org ("members" of them), named by the
 * patterns of its scope in ops. */
static int demo_members(const struct demo_run *d, const json_t *org,
                        const json_t *ops, const char *demo_json_path,
                        char *err, size_t errlen)
{
    const char *scope = jv_str(org, "scope");
    json_t *pat = json_object_get(ops, scope);
    const char *pja = jv_str(pat, "name_ja");
    const char *pen = jv_str(pat, "name_en");
    if (!pja || !pen) {
        snprintf(err, errlen,
                 "%s: operators.%s needs name_ja and name_en patterns",
                 demo_json_path, scope);
        return IS_ERR_INVALID;
    }
    char sdash[64];
    dashed(sdash, sizeof(sdash), scope);
    long long members = jv_int(org, "members", 0);
    int rc = IS_OK;
    /* the members are spread over the CEPTOAR's sub-groups in turn */
    const json_t *sgs = json_object_get(org, "subgroups");
    size_t nsg = json_array_size(sgs);
    for (int n = 1; n <= members && !rc; n++)
        rc = demo_operator(
            d, jv_str(org, "id"), scope, sdash, pja, pen, n,
            nsg ? jv_str(json_array_get(sgs, (size_t)(n - 1) % nsg), "id")
                : NULL);
    return rc;
}

/* The handling-rule agreements of the demo set (demo.json
 * "handling_rule_agreements".orgs): each organisation agrees to the
 * current rules, recorded by the system. */
static int demo_agreements(const struct demo_run *d, const json_t *demo,
                           const char *path, char *err, size_t errlen)
{
    json_t *orgs = json_object_get(
        json_object_get(demo, "handling_rule_agreements"), "orgs");
    if (!orgs)
        return IS_OK;
    if (!json_is_array(orgs)) {
        snprintf(err, errlen, "%s: handling_rule_agreements.orgs: an array",
                 path);
        return IS_ERR_INVALID;
    }
    size_t i;
    json_t *v;
    json_array_foreach (orgs, i, v) {
        const char *id = json_string_value(v);
        struct access_org rel;
        if (!id || strlen(id) > 63 || store_org_rel(d->c, id, &rel)) {
            snprintf(err, errlen,
                     "%s: handling_rule_agreements.orgs[%zu]: no such "
                     "organisation",
                     path, i);
            return IS_ERR_INVALID;
        }
        int rc = agreements_record_system(d->c, id, d->now);
        if (rc)
            return rc;
    }
    return IS_OK;
}

/* ---- distribution lists (docs/rules.md "Distribution lists") ---- */

/* pattern with "{owner}" replaced by owner (once). */
static int with_owner(char *out, size_t outlen, const char *pattern,
                      const char *owner)
{
    const char *p = strstr(pattern, "{owner}");
    if (!p)
        return util_fmt(out, outlen, "%s", pattern);
    return util_fmt(out, outlen, "%.*s%s%s", (int)(p - pattern), pattern, owner,
                    p + 7);
}

/* External organisation n of a list's scope: the organisation, two
 * contacts like a demo operator's, its place on list. */
static int demo_external(const struct demo_run *d, const json_t *spec,
                         const char *list, const char *sdash, int n)
{
    char id[64], name_ja[256], name_en[256], addr[256];
    if (util_fmt(id, sizeof(id), "ext-%s-%04d", sdash, n))
        return IS_ERR_TOO_LARGE;
    fill(name_ja, sizeof(name_ja), jv_str(spec, "member_ja"), n);
    fill(name_en, sizeof(name_en), jv_str(spec, "member_en"), n);
    struct store_org o = {.id = id,
                          .kind = "external",
                          .name_ja = name_ja,
                          .name_en = name_en,
                          .short_en = "",
                          .scope_id = jv_str(spec, "scope"),
                          .demo = true,
                          .attrs = "{}"};
    int rc = store_org_insert(d->c, &o, d->now);
    if (!rc)
        rc = store_dlist_member_add(d->c, list, id);
    snprintf(addr, sizeof(addr), "%s@demo.example.jp", id);
    if (!rc)
        rc = add_contact(d->c, id, "email", addr, 1, false, d->now, d->stats);
    snprintf(addr, sizeof(addr), "%s%s", d->webhook_base, id);
    if (!rc)
        rc = add_contact(d->c, id, "webhook", addr, 2, false, d->now, d->stats);
    if (!rc)
        d->stats->externals++;
    return rc;
}

/* One list of owner holding count externals numbered from *next. */
static int demo_list(const struct demo_run *d, const json_t *spec,
                     const char *owner, const char *sdash, int count, int *next)
{
    struct store_dlist l = {.created_at = d->now};
    if (util_fmt(l.id, sizeof(l.id), "L-demo-%s-%d", sdash, *next) ||
        util_copy(l.owner, sizeof(l.owner), owner) ||
        with_owner(l.name_ja, sizeof(l.name_ja), jv_str(spec, "name_ja"),
                   owner) ||
        with_owner(l.name_en, sizeof(l.name_en), jv_str(spec, "name_en"),
                   owner))
        return IS_ERR_TOO_LARGE;
    int rc = store_dlist_insert(d->c, &l);
    for (int i = 0; !rc && i < count; i++)
        rc = demo_external(d, spec, l.id, sdash, (*next)++);
    if (!rc && jv_str(spec, "hop_policy") &&
        strcmp(jv_str(spec, "hop_policy"), "auto") == 0)
        rc = store_hop_policy_set(d->c, owner, false, 30, d->now);
    if (!rc)
        d->stats->lists++;
    return rc;
}

/* The lists of one entry of "distribution_lists": owned by "owner", or
 * one per demo member of the CEPTOAR "owners_members_of" (its members
 * op-SCOPE-0001.., as demo_members made them), "total" externals split
 * evenly. */
static int demo_lists(const struct demo_run *d, const json_t *spec,
                      const struct registry *r, int *next_of_scope)
{
    const char *scope = jv_str(spec, "scope");
    int total = (int)jv_int(spec, "total", 0);
    if (!scope || !jv_str(spec, "name_ja") || !jv_str(spec, "name_en") ||
        !jv_str(spec, "member_ja") || !jv_str(spec, "member_en") || total < 0 ||
        total > 100000)
        return IS_ERR_INVALID;
    char sdash[64];
    if (util_copy(sdash, sizeof(sdash), scope))
        return IS_ERR_TOO_LARGE;
    dashed(sdash, sizeof(sdash), scope);
    const char *owner = jv_str(spec, "owner");
    if (owner)
        return demo_list(d, spec, owner, sdash, total, next_of_scope);
    const char *cep = jv_str(spec, "owners_members_of");
    long long owners = 0;
    size_t i;
    json_t *org;
    json_array_foreach (r->orgs, i, org)
        if (cep && jv_str(org, "id") && strcmp(jv_str(org, "id"), cep) == 0)
            owners = jv_int(org, "members", 0);
    if (owners <= 0)
        return IS_ERR_INVALID;
    int rc = IS_OK;
    for (int k = 1; !rc && k <= owners; k++) {
        char oid[64];
        if (util_fmt(oid, sizeof(oid), "op-%s-%04d", sdash, k))
            return IS_ERR_TOO_LARGE;
        int count = (int)(total / owners + (k <= total % owners ? 1 : 0));
        rc = demo_list(d, spec, oid, sdash, count, next_of_scope);
    }
    return rc;
}

/* issue 14: a planned cross-sector exercise on the shipped FY2015
 * scenario (exercises/fy2015.json of the data directory), the gas and water
 * operators taking part, for the console's and participants' pages. No
 * scenario file there: no demo exercise. */
static int demo_exercise(struct store_conn *c, const char *demo_json_path,
                         int64_t now)
{
    /* demo_json_path is <data>/demo/demo.json: the scenario is
     * <data>/exercises/fy2015.json */
    char path[4200];
    size_t n = strlen(demo_json_path);
    int cut = 0, dn = 0;
    for (size_t i = n; i > 0 && cut < 2; i--)
        if (demo_json_path[i - 1] == '/' && ++cut == 2)
            dn = (int)(i - 1);
    if (cut < 2)
        snprintf(path, sizeof(path), "exercises/fy2015.json");
    else
        snprintf(path, sizeof(path), "%.*s/exercises/fy2015.json", dn,
                 demo_json_path);
    json_error_t je;
    json_t *sc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!sc)
        return IS_OK;
    struct store_exercise x = {.scale = 1, .created_at = now};
    util_xcopy(x.id, sizeof(x.id), "Xdemo000000000001");
    util_xcopy(x.title_ja, sizeof(x.title_ja),
               "分野横断的演習（デモ・平成27年度シナリオ）");
    util_xcopy(x.title_en, sizeof(x.title_en),
               "Cross-sector exercise (demo, FY2015 scenario)");
    x.briefing_ja =
        "演習は平成27年度のシナリオで行います。事前確認の各項目を"
        "確認してください。演習中の通知には【演習】と表示されます。";
    x.briefing_en = "The exercise follows the FY2015 scenario. Please go "
                    "through the pre-check. Every exercise message is marked "
                    "[EXERCISE].";
    x.scenario = json_dumps(sc, JSON_COMPACT);
    json_decref(sc);
    int rc = x.scenario ? store_exercise_insert(c, &x) : IS_ERR_NOMEM;
    int added = 0;
    if (!rc)
        rc = store_ex_participant_add_sector(c, x.id, "gas", &added);
    if (!rc)
        rc = store_ex_participant_add_sector(c, x.id, "water", &added);
    free(x.scenario);
    return rc;
}

int demo_generate(struct store_conn *c, const char *demo_json_path,
                  const struct registry *r, const char *pw_hash,
                  const char *webhook_base, int64_t now,
                  struct demo_stats *stats, char *err, size_t errlen)
{
    memset(stats, 0, sizeof(*stats));
    json_error_t je;
    json_t *demo = json_load_file(demo_json_path, JSON_REJECT_DUPLICATES, &je);
    if (!demo) {
        snprintf(err, errlen, "%s:%d:%d: %s", demo_json_path, je.line,
                 je.column, je.text);
        return IS_ERR_INVALID;
    }
    json_t *ops = json_object_get(demo, "operators");
    if (!json_is_true(json_object_get(demo, "demo")) || !json_is_object(ops)) {
        snprintf(err, errlen,
                 "%s: must be an object with \"demo\": true and "
                 "\"operators\"",
                 demo_json_path);
        json_decref(demo);
        return IS_ERR_INVALID;
    }
    const struct demo_run d = {.c = c,
                               .pw_hash = pw_hash,
                               .webhook_base = webhook_base,
                               .now = now,
                               .stats = stats};
    int rc = IS_OK;
    size_t i;
    json_t *org;
    json_array_foreach (r->orgs, i, org) {
        rc = demo_staff(&d, org);
        if (!rc && strcmp(jv_str(org, "kind"), "ceptoar") == 0)
            rc = demo_members(&d, org, ops, demo_json_path, err, errlen);
        if (rc)
            break;
    }
    if (!rc)
        rc = demo_agreements(&d, demo, demo_json_path, err, errlen);
    /* distribution lists, after every operator exists; numbering per
     * scope continues across entries of the same scope */
    json_t *lists = json_object_get(demo, "distribution_lists");
    json_t *spec;
    json_array_foreach (lists, i, spec) {
        if (rc)
            break;
        int next = 1;
        for (size_t k = 0; k < i; k++)
            if (jv_str(json_array_get(lists, k), "scope") &&
                jv_str(spec, "scope") &&
                strcmp(jv_str(json_array_get(lists, k), "scope"),
                       jv_str(spec, "scope")) == 0)
                next += (int)jv_int(json_array_get(lists, k), "total", 0);
        rc = demo_lists(&d, spec, r, &next);
        if (rc == IS_ERR_INVALID)
            snprintf(err, errlen,
                     "%s: distribution_lists[%zu] needs scope, total, "
                     "name_ja, name_en, member_ja, member_en and an owner "
                     "or a CEPTOAR with demo members (owners_members_of)",
                     demo_json_path, i);
    }
    if (!rc)
        rc = demo_obs_generate(c, now, stats);
    if (!rc)
        rc = demo_c4tap_generate(c, pw_hash, now, stats);
    if (!rc)
        rc = demo_exercise(c, demo_json_path, now);
    if (!rc)
        rc = demo_survey_generate(c, now, stats);
    if (rc && !err[0])
        snprintf(err, errlen, "demo data: %s", is_strerror(rc));
    json_decref(demo);
    return rc;
}
