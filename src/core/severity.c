#include "core/severity.h"
#include "common/util.h"

static const char *const fact_names[SEV_FACT_COUNT] = {
    "users_affected",
    "duration_min",
    "kw_lost",
    "households",
    "broadcast_stop_min",
    "records_leaked",
    "operators_affected",
    "sectors_exceeded",
    "impact_ratio",
    "exceeded",
    "service_stopped",
    "service_degraded",
    "compromise_confirmed",
    "emergency_systems",
    "safety_affected",
    "card_auth_affected",
    "relay_station",
    "attack_blocked",
    "imminent_multi_sector_threat",
    "kind_incident",
    "kind_precursor",
    "kind_vulnerability",
    "kind_info"};

/* The facts in words, for the explanations people read (never the codes
 * above): {Japanese, English}, in the order of enum sev_fact. */
static const char *const fact_words[SEV_FACT_COUNT][2] = {
    {"影響利用者数", "users affected"},
    {"継続時間（分）", "duration (min)"},
    {"供給支障電力（kW）", "power lost (kW)"},
    {"影響戸数", "households affected"},
    {"放送停止時間（分）", "broadcast stopped (min)"},
    {"漏えい件数", "records leaked"},
    {"影響を受けた事業者数", "operators affected"},
    {"サービス維持レベルを逸脱した分野数",
     "sectors over their maintenance level"},
    {"影響の基準比（倍）", "impact against the threshold (times)"},
    {"サービス維持レベルを逸脱", "service maintenance level exceeded"},
    {"サービスが停止", "service stopped"},
    {"サービスが低下", "service degraded"},
    {"システムへの侵害を確認", "compromise confirmed"},
    {"非常用・バックアップ系に影響", "emergency or backup systems affected"},
    {"安全に関わるシステムに影響", "safety systems affected"},
    {"カード承認に遅延・停止・不正利用",
     "card authorisation delayed, stopped or misused"},
    {"中継局設備", "relay-station equipment"},
    {"攻撃を防御", "attack blocked"},
    {"複数分野への差し迫った脅威", "imminent threat to several sectors"},
    {"種別がインシデント", "kind: incident"},
    {"種別が予兆・ヒヤリハット", "kind: precursor or near miss"},
    {"種別が脆弱性", "kind: vulnerability"},
    {"種別が情報", "kind: information"}};

const char *severity_fact_words(enum sev_fact f, bool japanese)
{
    return (unsigned)f < SEV_FACT_COUNT ? fact_words[f][japanese ? 0 : 1] : "?";
}

int severity_fact_parse(const char *name)
{
    for (int i = 0; name && i < SEV_FACT_COUNT; i++)
        if (strcmp(name, fact_names[i]) == 0)
            return i;
    return -1;
}

const char *severity_fact_name(enum sev_fact f)
{
    return (unsigned)f < SEV_FACT_COUNT ? fact_names[f] : "?";
}

const char *severity_level_name(int level, bool japanese)
{
    static const char *const en[] = {"none", "low",    "medium",
                                     "high", "severe", "crisis"};
    static const char *const ja[] = {"なし", "低", "中", "高", "重大", "危機"};
    if (level < 0 || level > 5)
        return "?";
    return japanese ? ja[level] : en[level];
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return IS_ERR_INVALID;
}

static int compile_conds(const json_t *arr, struct sev_cond *out, int *n,
                         const char *where, char *err, size_t errlen)
{
    *n = 0;
    if (!arr)
        return IS_OK;
    if (!json_is_array(arr) || json_array_size(arr) > SEV_MAX_CONDS)
        return fail(err, errlen,
                    "%s: conditions must be an array of at "
                    "most %d items",
                    where, SEV_MAX_CONDS);
    size_t i;
    json_t *c;
    json_array_foreach (arr, i, c) {
        const char *fact = json_string_value(json_object_get(c, "fact"));
        json_t *gte = json_object_get(c, "gte");
        int f = severity_fact_parse(fact);
        if (!json_is_object(c) || f < 0)
            return fail(err, errlen, "%s: condition %zu: unknown fact \"%s\"",
                        where, i, fact ? fact : "?");
        if (json_object_size(c) != (gte ? 2u : 1u))
            return fail(err, errlen,
                        "%s: condition %zu: only \"fact\" and "
                        "\"gte\" are allowed",
                        where, i);
        if (f < SEV_NUMERIC_COUNT && !json_is_number(gte))
            return fail(err, errlen,
                        "%s: condition %zu: %s needs a "
                        "numeric \"gte\"",
                        where, i, fact);
        if (f >= SEV_NUMERIC_COUNT && gte)
            return fail(err, errlen,
                        "%s: condition %zu: %s is a flag and "
                        "takes no \"gte\"",
                        where, i, fact);
        out[*n].fact = (enum sev_fact)f;
        out[*n].gte = gte ? json_number_value(gte) : 0;
        (*n)++;
    }
    return IS_OK;
}

/* Copies o's text key into dst[n]; a text that does not fit is an error
 * of the rules file (never a rule text cut short). */
static int copy_text(char *dst, size_t n, const json_t *o, const char *key,
                     const char *where, char *err, size_t errlen)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (util_copy(dst, n, s ? s : ""))
        return fail(err, errlen, "%s: %s is longer than %zu bytes", where, key,
                    n - 1);
    return IS_OK;
}

/* Refuses any key of o that is not in keys (NULL-terminated). */
static int only_keys(const json_t *o, const char *const *keys,
                     const char *where, char *err, size_t errlen)
{
    const char *key;
    json_t *v;
    json_object_foreach ((json_t *)o, key, v) {
        size_t k = 0;
        while (keys[k] && strcmp(key, keys[k]) != 0)
            k++;
        if (!keys[k])
            return fail(err, errlen, "%s: unknown key \"%s\"", where, key);
    }
    return IS_OK;
}

/* Compiles rules[i] (r, one of n) into rule. Levels go from 5 down to 0:
 * *prev_level is the level of the rule before it, updated. Only the last
 * rule may have no conditions. */
static int compile_rule(const json_t *r, size_t i, size_t n, int *prev_level,
                        struct sev_rule *rule, char *err, size_t errlen)
{
    static const char *const keys[] = {"id",      "level",   "all", "any",
                                       "text_ja", "text_en", NULL};
    const char *id = json_string_value(json_object_get(r, "id"));
    json_t *lv = json_object_get(r, "level");
    char where[96];
    snprintf(where, sizeof(where), "rules[%zu] %s", i, id ? id : "");
    if (!id || !json_is_integer(lv) || json_integer_value(lv) < 0 ||
        json_integer_value(lv) > 5)
        return fail(err, errlen, "%s: needs an id and a level 0-5", where);
    int rc = only_keys(r, keys, where, err, errlen);
    if (rc)
        return rc;
    if (util_copy(rule->id, sizeof(rule->id), id))
        return fail(err, errlen, "%s: id is longer than %zu bytes", where,
                    sizeof(rule->id) - 1);
    rule->level = (int)json_integer_value(lv);
    if (rule->level > *prev_level)
        return fail(err, errlen,
                    "%s: rules must go from level 5 down "
                    "to 0 (first match wins)",
                    where);
    *prev_level = rule->level;
    rc = compile_conds(json_object_get(r, "all"), rule->all, &rule->nall, where,
                       err, errlen);
    if (!rc)
        rc = compile_conds(json_object_get(r, "any"), rule->any, &rule->nany,
                           where, err, errlen);
    if (rc)
        return rc;
    if (!rule->nall && !rule->nany && i + 1 < n)
        return fail(err, errlen,
                    "%s: a rule without conditions must be "
                    "the last one (it would hide every rule below it)",
                    where);
    if (copy_text(rule->text_ja, sizeof(rule->text_ja), r, "text_ja", where,
                  err, errlen) ||
        copy_text(rule->text_en, sizeof(rule->text_en), r, "text_en", where,
                  err, errlen))
        return IS_ERR_INVALID;
    return IS_OK;
}

/* The impact fact of level l (impact, a numeric fact named in "all" with a
 * positive threshold) and its relay-station threshold. */
static int level_impact(struct sev_level *l, const char *impact,
                        const char *where, char *err, size_t errlen)
{
    l->impact_fact = -1;
    if (!impact)
        return IS_OK;
    int f = severity_fact_parse(impact);
    if (f < 0 || f >= SEV_NUMERIC_COUNT)
        return fail(err, errlen,
                    "%s: impact must name a numeric "
                    "fact",
                    where);
    for (int k = 0; k < l->nall; k++)
        if ((int)l->all[k].fact == f && l->all[k].gte > 0) {
            l->impact_fact = f;
            l->impact_threshold = l->all[k].gte;
        }
    if (l->impact_fact < 0)
        return fail(err, errlen,
                    "%s: impact fact %s has no positive "
                    "threshold in \"all\"",
                    where, impact);
    for (int k = 0; k < l->nrelay; k++)
        if ((int)l->relay[k].fact == f && l->relay[k].gte > 0)
            l->relay_threshold = l->relay[k].gte;
    return IS_OK;
}

/* Compiles maintenance_levels[i] (r) into t->levels[t->nlevels]; a scope
 * may be listed once, "*" is the default. Does not count it in t. */
static int compile_level(const json_t *r, size_t i, struct severity_table *t,
                         char *err, size_t errlen)
{
    static const char *const keys[] = {"scope",  "all",     "relay_station",
                                       "impact", "text_ja", "text_en",
                                       "source", NULL};
    struct sev_level *l = &t->levels[t->nlevels];
    const char *scope = json_string_value(json_object_get(r, "scope"));
    char where[96];
    snprintf(where, sizeof(where), "maintenance_levels[%zu] %s", i,
             scope ? scope : "");
    if (!scope)
        return fail(err, errlen, "%s: needs a scope", where);
    int rc = only_keys(r, keys, where, err, errlen);
    if (rc)
        return rc;
    for (int k = 0; k < t->nlevels; k++)
        if (strcmp(t->levels[k].scope, scope) == 0)
            return fail(err, errlen, "%s: scope listed twice", where);
    if (util_copy(l->scope, sizeof(l->scope), scope))
        return fail(err, errlen, "%s: scope is longer than %zu bytes", where,
                    sizeof(l->scope) - 1);
    rc = compile_conds(json_object_get(r, "all"), l->all, &l->nall, where, err,
                       errlen);
    if (!rc)
        rc = compile_conds(json_object_get(r, "relay_station"), l->relay,
                           &l->nrelay, where, err, errlen);
    if (rc)
        return rc;
    if (l->nall == 0)
        return fail(err, errlen,
                    "%s: needs at least one condition in "
                    "\"all\"",
                    where);
    rc = level_impact(l, json_string_value(json_object_get(r, "impact")), where,
                      err, errlen);
    if (rc)
        return rc;
    if (copy_text(l->text_ja, sizeof(l->text_ja), r, "text_ja", where, err,
                  errlen) ||
        copy_text(l->text_en, sizeof(l->text_en), r, "text_en", where, err,
                  errlen))
        return IS_ERR_INVALID;
    if (strcmp(scope, "*") == 0)
        t->default_level = t->nlevels;
    return IS_OK;
}

int severity_compile(const json_t *rules, const json_t *levels,
                     struct severity_table *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof(*t));
    t->default_level = -1;
    const json_t *ra = json_object_get(rules, "rules");
    const json_t *la = json_object_get(levels, "maintenance_levels");
    if (!json_is_array(ra) || json_array_size(ra) == 0 ||
        json_array_size(ra) > SEV_MAX_RULES)
        return fail(err, errlen, "rules: need 1 to %d rules", SEV_MAX_RULES);
    if (!json_is_array(la) || json_array_size(la) > SEV_MAX_SCOPES)
        return fail(err, errlen,
                    "maintenance_levels: need an array of at "
                    "most %d items",
                    SEV_MAX_SCOPES);
    size_t i;
    json_t *r;
    int prev_level = 6, rc;
    json_array_foreach (ra, i, r) {
        if ((rc = compile_rule(r, i, json_array_size(ra), &prev_level,
                               &t->rules[t->nrules], err, errlen)))
            return rc;
        t->nrules++;
    }
    struct sev_rule *last = &t->rules[t->nrules - 1];
    if (last->nall || last->nany || last->level != 0)
        return fail(err, errlen,
                    "rules: the last rule must be level 0 with "
                    "no conditions (the fallback)");
    json_array_foreach (la, i, r) {
        if ((rc = compile_level(r, i, t, err, errlen)))
            return rc;
        t->nlevels++;
    }
    return IS_OK;
}

int severity_scope(const struct severity_table *t, const char *scope)
{
    for (int i = 0; scope && i < t->nlevels; i++)
        if (strcmp(t->levels[i].scope, scope) == 0)
            return i;
    return t->default_level;
}

static inline double fact_value(const struct sev_facts *f, enum sev_fact k,
                                bool exceeded, double ratio)
{
    if (k == SEV_EXCEEDED)
        return exceeded;
    if (k == SEV_IMPACT_RATIO)
        return ratio;
    if (k < SEV_NUMERIC_COUNT)
        return f->num[k];
    return f->flag[k - SEV_NUMERIC_COUNT];
}

static inline bool cond_holds(const struct sev_cond *c,
                              const struct sev_facts *f, bool exceeded,
                              double ratio)
{
    double v = fact_value(f, c->fact, exceeded, ratio);
    return c->fact < SEV_NUMERIC_COUNT ? v >= c->gte : v != 0;
}

struct sev_result severity_eval(const struct severity_table *t,
                                const struct sev_facts *f)
{
    struct sev_result res = {0, t->nrules - 1, false, 0};
    const struct sev_level *l =
        f->scope >= 0 && f->scope < t->nlevels ? &t->levels[f->scope] : NULL;
    if (l) {
        bool relay = SEV_FLAG(f, SEV_RELAY_STATION) && l->nrelay;
        const struct sev_cond *cs = relay ? l->relay : l->all;
        int n = relay ? l->nrelay : l->nall;
        bool ex = true;
        for (int i = 0; i < n && ex; i++)
            ex = cond_holds(&cs[i], f, false, 0);
        res.exceeded = ex;
        /* the ratio is taken against the threshold that decided
         * exceedance: the relay-station one for relay equipment */
        double thr = relay && l->relay_threshold > 0 ? l->relay_threshold
                                                     : l->impact_threshold;
        if (l->impact_fact >= 0 && thr > 0)
            res.impact_ratio = f->num[l->impact_fact] / thr;
    }
    for (int r = 0; r < t->nrules; r++) {
        const struct sev_rule *rule = &t->rules[r];
        bool ok = true;
        for (int i = 0; i < rule->nall && ok; i++)
            ok = cond_holds(&rule->all[i], f, res.exceeded, res.impact_ratio);
        if (ok && rule->nany) {
            ok = false;
            for (int i = 0; i < rule->nany && !ok; i++)
                ok = cond_holds(&rule->any[i], f, res.exceeded,
                                res.impact_ratio);
        }
        if (ok) {
            res.level = rule->level;
            res.rule = r;
            return res;
        }
    }
    return res;
}

static bool whole(double v)
{
    return v > -1e15 && v < 1e15 && v == (double)(long long)v;
}

/* Which conditions of the rule held, in words of one language:
 * "影響利用者数 300000（30000以上）、サービスが停止" /
 * "users affected 300000 (at least 30000), service stopped". */
static void matched(const struct sev_rule *rule, const struct sev_facts *f,
                    const struct sev_result *r, bool japanese, char *out,
                    size_t n)
{
    size_t used = 0;
    const char *sep = japanese ? "、" : ", ";
    out[0] = '\0';
    for (int pass = 0; pass < 2; pass++) {
        const struct sev_cond *cs = pass ? rule->any : rule->all;
        int cnt = pass ? rule->nany : rule->nall;
        for (int i = 0; i < cnt; i++) {
            if (!cond_holds(&cs[i], f, r->exceeded, r->impact_ratio))
                continue;
            double v = fact_value(f, cs[i].fact, r->exceeded, r->impact_ratio);
            const char *word = severity_fact_words(cs[i].fact, japanese);
            /* whole numbers as such (300000, never 3e+05), ratios to
             * one decimal */
            int pv = whole(v) ? 0 : 1, pg = whole(cs[i].gte) ? 0 : 1;
            int w;
            if (cs[i].fact < SEV_NUMERIC_COUNT)
                w = snprintf(out + used, n - used,
                             japanese ? "%s%s %.*f（%.*f以上）"
                                      : "%s%s %.*f (at least %.*f)",
                             used ? sep : "", word, pv, v, pg, cs[i].gte);
            else
                w = snprintf(out + used, n - used, "%s%s", used ? sep : "",
                             word);
            if (w < 0 || (size_t)w >= n - used)
                return;
            used += (size_t)w;
        }
    }
}

json_t *severity_explain(const struct severity_table *t,
                         const struct sev_facts *f, const struct sev_result *r)
{
    const struct sev_rule *rule = &t->rules[r->rule];
    const struct sev_level *l =
        f->scope >= 0 && f->scope < t->nlevels ? &t->levels[f->scope] : NULL;
    char why_ja[1024], why_en[768], ja[2048], en[1536];
    matched(rule, f, r, true, why_ja, sizeof(why_ja));
    matched(rule, f, r, false, why_en, sizeof(why_en));
    snprintf(ja, sizeof(ja), "深刻度%d（%s）: %s%s%s", r->level,
             severity_level_name(r->level, true), rule->text_ja,
             why_ja[0] ? "該当する条件: " : "", why_ja);
    snprintf(en, sizeof(en), "Level %d (%s): %s%s%s", r->level,
             severity_level_name(r->level, false), rule->text_en,
             why_en[0] ? " Matched: " : "", why_en);
    json_t *o =
        json_pack("{s:i,s:s,s:s,s:b,s:f,s:{s:s,s:s}}", "level", r->level,
                  "name", severity_level_name(r->level, false), "rule",
                  rule->id, "exceeded", r->exceeded, "impact_ratio",
                  r->impact_ratio, "explanation", "ja", ja, "en", en);
    if (l)
        json_object_set_new(o, "maintenance_level",
                            json_pack("{s:s,s:s,s:s}", "scope", l->scope, "ja",
                                      l->text_ja, "en", l->text_en));
    return o;
}
