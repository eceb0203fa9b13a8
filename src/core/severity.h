/*
 * severity.h - the severity engine (深刻度, DOMAIN.md §5). Pure.
 *
 * Two data files drive it (data/severity/): the rule table (first match
 * wins, levels 5 to 0) and the service maintenance levels per business
 * scope (002 Annex 2). severity_compile turns them into a table once;
 * severity_eval then runs without allocation or I/O (hot path, about
 * 10^7 evaluations per second per core); severity_explain writes the
 * bilingual explanation of a verdict.
 */
#ifndef INFRASHARE_SEVERITY_H
#define INFRASHARE_SEVERITY_H

#include <jansson.h>

#include "common/common.h"

/* Facts a rule or a maintenance level can test. */
enum sev_fact {
    /* numbers */
    SEV_USERS_AFFECTED,
    SEV_DURATION_MIN,
    SEV_KW_LOST,
    SEV_HOUSEHOLDS,
    SEV_BROADCAST_STOP_MIN,
    SEV_RECORDS_LEAKED,
    SEV_OPERATORS_AFFECTED,
    SEV_SECTORS_EXCEEDED,
    SEV_IMPACT_RATIO, /* derived: impact / maintenance threshold */
    SEV_NUMERIC_COUNT,
    /* flags */
    SEV_EXCEEDED = SEV_NUMERIC_COUNT, /* derived: maintenance level exceeded */
    SEV_SERVICE_STOPPED,
    SEV_SERVICE_DEGRADED,
    SEV_COMPROMISE_CONFIRMED,
    SEV_EMERGENCY_SYSTEMS,
    SEV_SAFETY_AFFECTED,
    SEV_CARD_AUTH_AFFECTED,
    SEV_RELAY_STATION,
    SEV_ATTACK_BLOCKED,
    SEV_IMMINENT_MULTI_SECTOR,
    SEV_KIND_INCIDENT,
    SEV_KIND_PRECURSOR,
    SEV_KIND_VULNERABILITY,
    SEV_KIND_INFO,
    SEV_FACT_COUNT
};

/* "users_affected", ... -> enum; -1 when unknown. severity_fact_name and
 * severity_level_name return static strings: never freed. */
int severity_fact_parse(const char *name);
const char *severity_fact_name(enum sev_fact f);
/* The fact in words for people ("サービスが停止" / "service stopped"),
 * as the explanations use it; "?" when out of range. */
const char *severity_fact_words(enum sev_fact f, bool japanese);

struct sev_facts {
    int scope; /* index from severity_scope(); -1 = other */
    double num[SEV_NUMERIC_COUNT];
    bool flag[SEV_FACT_COUNT - SEV_NUMERIC_COUNT];
};
#define SEV_FLAG(facts, f) ((facts)->flag[(f)-SEV_NUMERIC_COUNT])

#define SEV_MAX_CONDS 8
#define SEV_MAX_RULES 32
#define SEV_MAX_SCOPES 64

struct sev_cond {
    enum sev_fact fact;
    double gte; /* numbers: value >= gte; flags: ignored */
};

struct sev_rule {
    char id[48];
    int level;
    int nall, nany; /* all of 'all' and (no 'any' or one of) */
    struct sev_cond all[SEV_MAX_CONDS];
    struct sev_cond any[SEV_MAX_CONDS];
    char text_ja[256], text_en[256];
};

struct sev_level {
    char scope[64]; /* scope id, or "*" for every other */
    int nall;       /* all conditions: exceeded */
    struct sev_cond all[SEV_MAX_CONDS];
    int nrelay; /* when relay_station: these instead */
    struct sev_cond relay[SEV_MAX_CONDS];
    int impact_fact;         /* numeric fact for the 10x ratio, -1 */
    double impact_threshold; /* its threshold in "all" */
    double relay_threshold;  /* its threshold in "relay_station", 0 */
    char text_ja[256], text_en[256];
};

struct severity_table {
    int nrules;
    struct sev_rule rules[SEV_MAX_RULES];
    int nlevels;
    struct sev_level levels[SEV_MAX_SCOPES];
    int default_level; /* index of the "*" level, -1 */
};

struct sev_result {
    int level; /* 0..5 */
    int rule;  /* index of the rule that fired */
    bool exceeded;
    double impact_ratio;
};

/* Compiles {"rules": [...]} and {"maintenance_levels": [...]}. On error
 * returns IS_ERR_INVALID and a sentence naming the item in err. */
int severity_compile(const json_t *rules, const json_t *levels,
                     struct severity_table *t, char *err, size_t errlen);
/* Index of a scope's maintenance level (or the "*" one); -1 if none. */
int severity_scope(const struct severity_table *t, const char *scope);
/* Evaluates. Cannot fail. O(rules x conditions). */
struct sev_result severity_eval(const struct severity_table *t,
                                const struct sev_facts *f);
/* {"level", "rule", "exceeded", "impact_ratio", "explanation": {ja, en},
 *  "maintenance_level": {ja, en}}: a new reference, the caller
 *  json_decref()s it. */
json_t *severity_explain(const struct severity_table *t,
                         const struct sev_facts *f, const struct sev_result *r);
/* Level names: "crisis", "severe", "high", "medium", "low", "none". */
const char *severity_level_name(int level, bool japanese);

#endif
