/*
 * client.c - client commands: talk to a running hub over its API with an
 * API token (--url / INFRASHARE_URL, --token / INFRASHARE_TOKEN).
 */
#include "cli/cli.h"

#include <ctype.h>
#include <curl/curl.h>

#include "common/buf.h"
#include "common/util.h"

static int print_report_line(json_t *r)
{
    json_t *sev = json_object_get(r, "severity");
    json_t *rep = json_object_get(r, "reporter");
    const char *who = json_string_value(json_object_get(rep, "org"));
    /* an anonymous report's label, in the locale's language */
    if (!who)
        who = json_string_value(json_object_get(json_object_get(rep, "label"),
                                                cli_locale_ja() ? "ja" : "en"));
    printf("%-18s L%lld %-6s %-10s %-6s %-28s %s\n",
           json_string_value(json_object_get(r, "id")),
           (long long)json_integer_value(json_object_get(sev, "effective")),
           json_string_value(json_object_get(r, "range")),
           json_string_value(json_object_get(r, "kind")),
           json_string_value(json_object_get(r, "state")), who ? who : "-",
           json_string_value(json_object_get(r, "title")));
    return 0;
}

static void print_report(json_t *r)
{
    json_t *sev = json_object_get(r, "severity");
    print_report_line(r);
    printf("  severity computed %lld (%s), declared %s\n",
           (long long)json_integer_value(json_object_get(sev, "computed")),
           json_string_value(json_object_get(sev, "rule")),
           json_is_integer(json_object_get(sev, "declared")) ? "yes" : "no");
    printf("  route %s, tlp %s, current hop %s, overdue %s\n",
           json_string_value(json_object_get(r, "route")),
           json_string_value(json_object_get(r, "tlp")),
           json_is_string(json_object_get(r, "current_hop"))
               ? json_string_value(json_object_get(r, "current_hop"))
               : "(reached NISC)",
           json_is_true(json_object_get(r, "overdue")) ? "yes" : "no");
    size_t i;
    json_t *ev;
    json_array_foreach (json_object_get(r, "timeline"), i, ev) {
        const char *org = json_string_value(json_object_get(ev, "org"));
        printf("  %s  %-14s %s\n", json_string_value(json_object_get(ev, "at")),
               json_string_value(json_object_get(ev, "type")),
               org ? org : "(reporter)");
    }
    json_array_foreach (json_object_get(r, "warnings"), i, ev)
        printf("  warning: %s\n", json_string_value(json_object_get(ev, "en")));
}

/* The JSON of --data (a file, or "-" for stdin) into *o, or an empty
 * object without --data; *o is the caller's. Returns 0, or 2 with the
 * parse error printed. */
static int data_json(const struct cli_args *a, json_t **o)
{
    const char *data = cli_opt(a, "data");
    if (!data) {
        *o = json_object();
        return 0;
    }
    json_error_t je;
    *o = strcmp(data, "-") == 0 ? json_loadf(stdin, 0, &je)
                                : json_load_file(data, 0, &je);
    if (!*o) {
        cli_json_error(data, &je);
        return 2;
    }
    return 0;
}

/* Builds the JSON body of "report file" / "report update" from --data and
 * flags (flags override the file). */
static int report_body(const struct cli_args *a, bool update, char **out)
{
    json_t *o;
    if (data_json(a, &o))
        return 2;
    static const char *const flags[][2] = {{"title", "title"},
                                           {"kind", "kind"},
                                           {"detected-at", "detected_at"},
                                           {"occurred-at", "occurred_at"},
                                           {"range", "range"},
                                           {"route", "route"},
                                           {"what", "what_happened"},
                                           {"measures", "measures"},
                                           {"via-agency", "via_agency"},
                                           {"via-ceptoar", "via_ceptoar"},
                                           {"cause", "cause"},
                                           {"threat", "threat_type"},
                                           {"text", "text"}};
    for (size_t i = 0; i < IS_ARRAY_LEN(flags); i++) {
        const char *v = cli_opt(a, flags[i][0]);
        if (v)
            json_object_set_new(o, flags[i][1], json_string(v));
    }
    const char *q = cli_opt(a, "question");
    if (q) {
        long n;
        if (util_parse_long(q, 1, 10000, &n)) {
            cli_errf("--question: a question number, 1 to 10000 (not "
                     "\"%.40s\")\n",
                     "--question: 質問の番号（1 から 10000）を指定してください"
                     "（\"%.40s\" は使えません）\n",
                     q);
            json_decref(o);
            return 2;
        }
        json_object_set_new(o, "question", json_integer(n));
    }
    if (!update && !json_object_get(o, "detected_at")) {
        char now[UTIL_TIME_LEN];
        util_time_rfc3339(util_now(), now);
        json_object_set_new(o, "detected_at", json_string(now));
    }
    *out = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return 0;
}

/* "a,b,c" -> ["a","b","c"] */
static json_t *csv_array(const char *s)
{
    json_t *arr = json_array();
    char buf[4096];
    if (util_copy(buf, sizeof(buf), s)) /* never a cut-short list */
        return arr;
    char *p = buf;
    while (*p) {
        char *e = strchr(p, ',');
        if (e)
            *e = '\0';
        if (*p)
            json_array_append_new(arr, json_string(p));
        if (!e)
            break;
        p = e + 1;
    }
    return arr;
}

/* drill start|report|list|summary|confirm: the method, path and body
 * (*o, or NULL) of the request. Returns 0, or 2 with the usage printed. */
static int drill_request(const struct cli_args *a, const char **method,
                         char *path, size_t len, json_t **o)
{
    const char *sub = a->npos ? a->pos[0] : "";
    /* ID and nothing after it: a stray argument is a usage error */
    const char *id = a->npos == 2 ? a->pos[1] : NULL;
    if (strcmp(sub, "start") == 0 && a->npos == 1) {
        const char *tk = cli_opt(a, "target-kind");
        if (!tk) {
            fprintf(stderr, "infrashare: drill start --target-kind "
                            "ceptoar|sector|subgroup|all [--target ID] "
                            "[--kind reach|structure|outage] [--channel "
                            "gateway|email|webhook]\n");
            return 2;
        }
        *method = "POST";
        snprintf(path, len, "/api/v1/drills");
        *o = json_pack("{s:s}", "target_kind", tk);
        static const char *const opts[][2] = {
            {"target", "target"}, {"kind", "kind"}, {"channel", "channel"}};
        for (size_t i = 0; i < IS_ARRAY_LEN(opts); i++)
            if (cli_opt(a, opts[i][0]))
                json_object_set_new(*o, opts[i][1],
                                    json_string(cli_opt(a, opts[i][0])));
    } else if (strcmp(sub, "report") == 0 && id) {
        /* no --format: a summary line; --format: the hub's document */
        const char *fmt = cli_opt(a, "format") ? cli_opt(a, "format") : "json";
        static const char *const fmts[] = {"json", "csv", "html", NULL};
        if (!cli_enum_opt(a, "format", fmts))
            return 2;
        snprintf(path, len, "/api/v1/drills/%s/report?format=%s", id, fmt);
    } else if (strcmp(sub, "confirm") == 0 && id) {
        *method = "POST";
        snprintf(path, len, "/api/v1/drills/%s/confirm", id);
    } else if (strcmp(sub, "list") == 0 && a->npos == 1) {
        long lim, fy;
        const char *cep = cli_opt(a, "ceptoar");
        if (cli_long_opt(a, "limit", 1, 200, 50, &lim) ||
            cli_long_opt(a, "fy", 2000, 2999, 0, &fy))
            return 2;
        bool cep_ok = cep && *cep && strlen(cep) <= 63;
        for (const char *q = cep; cep_ok && *q; q++)
            cep_ok = isalnum((unsigned char)*q) || *q == '-' || *q == '_' ||
                     *q == '.';
        if (cep && !cep_ok) {
            cli_errf("--ceptoar: an organisation id (not \"%.40s\")\n",
                     "--ceptoar: 組織 ID で指定してください（\"%.40s\" は使えま"
                     "せん）\n",
                     cep);
            return 2;
        }
        snprintf(path, len, "/api/v1/drills?limit=%ld", lim);
        size_t n = strlen(path);
        if (fy)
            n += (size_t)snprintf(path + n, len - n, "&fy=%ld", fy);
        if (cep && n < len)
            snprintf(path + n, len - n, "&ceptoar=%s", cep);
    } else if (strcmp(sub, "summary") == 0 && a->npos == 1) {
        long fy;
        if (cli_long_opt(a, "fy", 2000, 2999, 0, &fy))
            return 2;
        snprintf(path, len, "/api/v1/drills/summary");
        if (fy)
            snprintf(path + strlen(path), len - strlen(path), "?fy=%ld", fy);
    } else {
        fprintf(stderr, "infrashare: drill start|list|summary|report "
                        "ID|confirm ID\n");
        return 2;
    }
    return 0;
}

/* A drill answer for people: the list, the national summary. */
static bool print_drill(const char *sub, json_t *j)
{
    size_t i;
    json_t *it;
    if (strcmp(sub, "list") == 0) {
        printf("%-18s %-9s %-7s %-8s %-22s FY%-5s %s\n", "id", "kind",
               "channel", "target", "", "",
               "reach within 1 day / 1日以内到達率");
        json_array_foreach (json_object_get(j, "items"), i, it) {
            json_t *r = json_object_get(it, "reach");
            printf(
                "%-18s %-9s %-7s %-8s %-22s FY%-5lld %.1f%% (%lld / %lld)%s\n",
                json_string_value(json_object_get(it, "id")),
                json_string_value(json_object_get(it, "kind")),
                *json_string_value(json_object_get(it, "channel"))
                    ? json_string_value(json_object_get(it, "channel"))
                    : "-",
                json_string_value(json_object_get(it, "target_kind")),
                json_string_value(json_object_get(it, "target")),
                (long long)json_integer_value(
                    json_object_get(it, "fiscal_year")),
                100.0 * json_real_value(json_object_get(r, "reach_1d")),
                (long long)json_integer_value(
                    json_object_get(r, "acknowledged_1d")),
                (long long)json_integer_value(json_object_get(r, "recipients")),
                json_is_true(json_object_get(it, "window_closed"))
                    ? ""
                    : "  (window open / 集計中)");
        }
        return true;
    }
    if (strcmp(sub, "summary") == 0) {
        json_t *n = json_object_get(j, "national");
        printf(
            "FY%lld national / 全国: drills %lld, recipients %lld, "
            "reach within 1 day %.1f%%, open drills %lld\n",
            (long long)json_integer_value(json_object_get(j, "fiscal_year")),
            (long long)json_integer_value(json_object_get(n, "drills")),
            (long long)json_integer_value(json_object_get(n, "recipients")),
            100.0 * json_real_value(json_object_get(n, "reach_1d")),
            (long long)json_integer_value(json_object_get(j, "open_drills")));
        json_array_foreach (json_object_get(j, "ceptoars"), i, it) {
            json_t *f = json_object_get(it, "figures");
            json_t *t = json_object_get(f, "time_to_acknowledge");
            printf(
                "  %-24s drills %lld, reach %.1f%% (%lld / %lld), "
                "p50 %llds, p90 %llds\n",
                json_string_value(json_object_get(it, "ceptoar")),
                (long long)json_integer_value(json_object_get(f, "drills")),
                100.0 * json_real_value(json_object_get(f, "reach_1d")),
                (long long)json_integer_value(
                    json_object_get(f, "acknowledged_1d")),
                (long long)json_integer_value(json_object_get(f, "recipients")),
                (long long)json_integer_value(json_object_get(t, "p50_s")),
                (long long)json_integer_value(json_object_get(t, "p90_s")));
        }
        return true;
    }
    return false;
}

/* The body of "advisory issue" into *o: --data (a file, or "-" for
 * stdin) with the options laid over it. Returns 0, or 2 with the reason
 * printed. */
static int advisory_issue_body(const struct cli_args *a, json_t **o)
{
    if (data_json(a, o))
        return 2;
    static const char *const map[][2] = {
        {"kind", "kind"},         {"range", "range"},
        {"title-ja", "title_ja"}, {"title-en", "title_en"},
        {"body-ja", "body_ja"},   {"body-en", "body_en"}};
    for (size_t i = 0; i < IS_ARRAY_LEN(map); i++)
        if (cli_opt(a, map[i][0]))
            json_object_set_new(*o, map[i][1],
                                json_string(cli_opt(a, map[i][0])));
    if (cli_opt(a, "severity")) {
        long v;
        if (util_parse_long(cli_opt(a, "severity"), 0, 5, &v)) {
            cli_errf("--severity: 0 to 5 (not \"%.40s\")\n",
                     "--severity: 0 から 5 で指定してください（\"%.40s\" は使え"
                     "ません）\n",
                     cli_opt(a, "severity"));
            json_decref(*o);
            *o = NULL;
            return 2;
        }
        json_object_set_new(*o, "severity", json_integer(v));
    }
    if (cli_flag(a, "title-in-notice"))
        json_object_set_new(*o, "title_in_notice", json_true());
    if (cli_opt(a, "form")) /* a roll call: the standard form by name */
        json_object_set_new(*o, "form",
                            json_pack("{s:s}", "name", cli_opt(a, "form")));
    json_t *aud = json_object_get(*o, "audience");
    if (!aud) {
        aud = json_object();
        json_object_set_new(*o, "audience", aud);
    }
    if (cli_flag(a, "all"))
        json_object_set_new(aud, "all", json_true());
    static const char *const lists[] = {"sectors", "scopes", "ceptoars", "orgs",
                                        "lists"};
    for (size_t i = 0; i < IS_ARRAY_LEN(lists); i++)
        if (cli_opt(a, lists[i]))
            json_object_set_new(aud, lists[i], csv_array(cli_opt(a, lists[i])));
    if (cli_flag(a, "include-lists"))
        json_object_set_new(aud, "include_lists", json_true());
    return 0;
}

/* The body of "advisory answer": every --field QUESTION=VALUE, in order.
 * Returns 0, or 2 with the reason printed. */
static int advisory_answer_body(const struct cli_args *a, json_t **o)
{
    json_t *items = json_array();
    for (int i = 0; i < a->nopt; i++) {
        if (strcmp(a->opt_name[i], "field") != 0)
            continue;
        const char *f = a->opt_val[i], *eq = strchr(f, '=');
        if (!eq || eq == f) {
            fprintf(stderr, "infrashare: --field QUESTION=VALUE "
                            "(質問ID=値)\n");
            json_decref(items);
            return 2;
        }
        json_array_append_new(items,
                              json_pack("{s:s%,s:s}", "question", f,
                                        (size_t)(eq - f), "value", eq + 1));
    }
    if (json_array_size(items) == 0) {
        fprintf(stderr, "infrashare: advisory answer ID --field "
                        "QUESTION=VALUE ... (回答を --field で指定)\n");
        json_decref(items);
        return 2;
    }
    *o = json_pack("{s:o}", "answers", items);
    return 0;
}

/* advisory issue|show|deliveries|ack|relay|list|answer|board,
 * drill start|report */
static int advisory_request(const char *cmd, const struct cli_args *a,
                            const char **method, char *path, size_t len,
                            char **body)
{
    const char *sub = a->npos ? a->pos[0] : "";
    /* ID and nothing after it: a stray argument is a usage error */
    const char *id = a->npos == 2 ? a->pos[1] : NULL;
    json_t *o = NULL;
    int rc = 0;
    if (strcmp(cmd, "drill") == 0) {
        rc = drill_request(a, method, path, len, &o);
    } else if (strcmp(sub, "issue") == 0 && a->npos == 1) {
        *method = "POST";
        snprintf(path, len, "/api/v1/advisories");
        rc = advisory_issue_body(a, &o);
    } else if (strcmp(sub, "show") == 0 && id) {
        snprintf(path, len, "/api/v1/advisories/%s", id);
    } else if (strcmp(sub, "list") == 0 && a->npos == 1) {
        long lim;
        if (cli_long_opt(a, "limit", 1, 200, 50, &lim))
            return 2;
        snprintf(path, len, "/api/v1/advisories?limit=%ld%s", lim,
                 cli_flag(a, "inbox") ? "&inbox=true" : "");
    } else if (strcmp(sub, "deliveries") == 0 && id) {
        snprintf(path, len, "/api/v1/advisories/%s/deliveries?state=%s", id,
                 cli_opt(a, "state") ? cli_opt(a, "state") : "all");
    } else if (strcmp(sub, "ack") == 0 && id) {
        *method = "POST";
        snprintf(path, len, "/api/v1/advisories/%s/ack", id);
    } else if (strcmp(sub, "relay") == 0 && id) {
        *method = "POST";
        snprintf(path, len, "/api/v1/advisories/%s/relay", id);
        o = json_object();
        static const char *const notes[][2] = {
            {"note-ja", "note_ja"}, {"note-en", "note_en"}, {"range", "range"}};
        for (size_t i = 0; i < IS_ARRAY_LEN(notes); i++)
            if (cli_opt(a, notes[i][0]))
                json_object_set_new(o, notes[i][1],
                                    json_string(cli_opt(a, notes[i][0])));
    } else if (strcmp(sub, "withhold") == 0 && id && cli_opt(a, "reason")) {
        *method = "POST";
        snprintf(path, len, "/api/v1/advisories/%s/withhold", id);
        o = json_pack("{s:s}", "reason", cli_opt(a, "reason"));
    } else if (strcmp(sub, "remind") == 0 && id) {
        /* issue 11: every --org (none: all not acknowledged) */
        *method = "POST";
        snprintf(path, len, "/api/v1/advisories/%s/remind", id);
        o = json_object();
        json_t *orgs = json_array();
        for (int i = 0; i < a->nopt; i++)
            if (strcmp(a->opt_name[i], "org") == 0 && a->opt_val[i])
                json_array_append_new(orgs, json_string(a->opt_val[i]));
        if (json_array_size(orgs))
            json_object_set_new(o, "orgs", orgs);
        else
            json_decref(orgs);
    } else if (strcmp(sub, "answer") == 0 && id) {
        *method = "POST";
        snprintf(path, len, "/api/v1/advisories/%s/answers", id);
        rc = advisory_answer_body(a, &o);
    } else if (strcmp(sub, "board") == 0 && id) {
        snprintf(path, len, "/api/v1/advisories/%s/answers?format=%s%s%s", id,
                 cli_flag(a, "csv") ? "csv" : "json",
                 cli_opt(a, "state") ? "&limit=1000&state=" : "&limit=1000",
                 cli_opt(a, "state") ? cli_opt(a, "state") : "");
    } else {
        fprintf(stderr, "infrashare: advisory issue|list|show ID|deliveries "
                        "ID|ack ID|relay ID|withhold ID --reason TEXT|answer "
                        "ID --field Q=V|board ID [--csv]|remind ID [--org "
                        "X]...\n");
        return 2;
    }
    if (rc)
        return rc;
    if (o) {
        *body = json_dumps(o, JSON_COMPACT);
        json_decref(o);
    }
    return 0;
}

/* One line of counts of a roll call's board (a bucket). */
static void print_bucket(const char *name, json_t *b)
{
    printf("%-28s %4lld/%-4lld", name,
           (long long)json_integer_value(json_object_get(b, "answered")),
           (long long)json_integer_value(json_object_get(b, "recipients")));
    const char *q, *v;
    json_t *vals, *n;
    json_object_foreach (json_object_get(b, "values"), q, vals) {
        printf("  %s:", q);
        json_object_foreach (vals, v, n)
            printf(" %s=%lld", v, (long long)json_integer_value(n));
    }
    printf("\n");
}

/* advisory board ID: counts (answered/recipients) in all, per CEPTOAR and
 * sector, then the organisations that have not answered. */
static void print_board(json_t *j)
{
    printf("回答状況 / answers: %s\n",
           json_string_value(json_object_get(j, "advisory")));
    print_bucket("total", json_object_get(j, "totals"));
    const char *k;
    json_t *b;
    json_object_foreach (json_object_get(j, "by_ceptoar"), k, b)
        print_bucket(k, b);
    json_object_foreach (json_object_get(j, "by_sector"), k, b)
        print_bucket(k, b);
    size_t i;
    json_t *it;
    json_array_foreach (json_object_get(j, "items"), i, it)
        printf("%-28s %s\n", json_string_value(json_object_get(it, "org")),
               json_is_true(json_object_get(it, "answered"))
                   ? "answered / 回答済"
                   : "not answered / 未回答");
    if (!json_is_null(json_object_get(j, "next_cursor")))
        printf("(more: use the API's cursor / 続きは API で)\n");
}

/* A bilingual title in the locale's language, else the other one (the
 * list gave the Japanese one alone: found by a review). */
static const char *title_of(const json_t *title)
{
    const char *ja = json_string_value(json_object_get(title, "ja"));
    const char *en = json_string_value(json_object_get(title, "en"));
    const char *want = cli_locale_ja() ? ja : en;
    return want && *want ? want : ja && *ja ? ja : en ? en : "";
}

static void print_advisory(const char *sub, json_t *j)
{
    if (strcmp(sub, "list") == 0) {
        size_t i;
        json_t *it;
        json_array_foreach (json_object_get(j, "items"), i, it) {
            json_t *mine = json_object_get(it, "mine");
            printf(
                "%-18s %-13s L%lld %-6s %-12s %s\n",
                json_string_value(json_object_get(it, "id")),
                json_string_value(json_object_get(it, "kind")),
                (long long)json_integer_value(json_object_get(it, "severity")),
                json_string_value(json_object_get(it, "range")),
                mine ? (json_is_true(json_object_get(mine, "acknowledged"))
                            ? "acknowledged"
                            : "to-ack")
                     : "-",
                title_of(json_object_get(it, "title")));
        }
        if (!json_array_size(json_object_get(j, "items")))
            printf("no advisories / 情報提供はありません\n");
    } else if (strcmp(sub, "deliveries") == 0) {
        size_t i;
        json_t *it;
        json_array_foreach (json_object_get(j, "items"), i, it)
            printf("%-28s %-13s %-8s %s\n",
                   json_string_value(json_object_get(it, "org")),
                   json_string_value(json_object_get(it, "state")),
                   json_string_value(json_object_get(it, "channel")),
                   json_string_value(json_object_get(it, "via")));
        json_t *r = json_object_get(json_object_get(j, "reach"), "advisory");
        printf(
            "recipients %lld, delivered within 1 day %lld, acknowledged "
            "within 1 day %lld\n",
            (long long)json_integer_value(json_object_get(r, "recipients")),
            (long long)json_integer_value(json_object_get(r, "delivered_1d")),
            (long long)json_integer_value(
                json_object_get(r, "acknowledged_1d")));
    } else if (strcmp(sub, "board") == 0) {
        print_board(j);
    } else if (strcmp(sub, "remind") == 0) {
        size_t i;
        json_t *it;
        printf("%s: 督促を送りました / reminder queued: %zu organisation(s), "
               "%lld message(s)\n",
               json_string_value(json_object_get(j, "advisory")),
               json_array_size(json_object_get(j, "reminded")),
               (long long)json_integer_value(json_object_get(j, "messages")));
        json_array_foreach (json_object_get(j, "reminded"), i, it)
            printf("  %s\n", json_string_value(it));
        json_array_foreach (json_object_get(j, "skipped"), i, it)
            printf("  %s: skipped / 送らず (%s)\n",
                   json_string_value(json_object_get(it, "org")),
                   json_string_value(json_object_get(it, "reason")));
    } else if (strcmp(sub, "answer") == 0) {
        printf("%s: %s の回答を記録しました / answer recorded for %s "
               "(revision %lld%s)\n",
               json_string_value(json_object_get(j, "advisory")),
               json_string_value(json_object_get(j, "org")),
               json_string_value(json_object_get(j, "org")),
               (long long)json_integer_value(json_object_get(j, "revision")),
               json_is_true(json_object_get(j, "replaced")) ? ", replaced"
                                                            : "");
    } else if (strcmp(sub, "report") == 0 && json_object_get(j, "reach")) {
        json_t *r = json_object_get(j, "reach");
        printf("drill %s: recipients %lld, acknowledged within 1 day %lld "
               "(%.1f%%), not reached %zu\n",
               json_string_value(json_object_get(j, "drill")),
               (long long)json_integer_value(json_object_get(r, "recipients")),
               (long long)json_integer_value(
                   json_object_get(r, "acknowledged_1d")),
               100.0 * json_real_value(json_object_get(r, "reach_1d")),
               json_array_size(json_object_get(j, "not_reached")));
    } else {
        char *s = json_dumps(j, JSON_INDENT(2));
        printf("%s\n", s ? s : "");
        free(s);
    }
}

/* report file|update ID|show ID|list: the method, path and body of the
 * request. Returns 0, or 2 with the usage printed. */
static int report_request(const struct cli_args *a, const char **method,
                          char *path, size_t len, char **body)
{
    const char *sub = a->npos ? a->pos[0] : "";
    if (strcmp(sub, "file") == 0 && a->npos == 1) {
        *method = "POST";
        snprintf(path, len, "/api/v1/reports");
        return report_body(a, false, body);
    }
    if (strcmp(sub, "update") == 0 && a->npos == 2) {
        *method = "POST";
        snprintf(path, len, "/api/v1/reports/%s/updates", a->pos[1]);
        return report_body(a, true, body);
    }
    if (strcmp(sub, "show") == 0 && a->npos == 2) {
        snprintf(path, len, "/api/v1/reports/%s", a->pos[1]);
        return 0;
    }
    if (strcmp(sub, "list") == 0 && a->npos == 1) {
        long lim, sev;
        if (cli_long_opt(a, "limit", 1, 500, 50, &lim) ||
            cli_long_opt(a, "min-severity", 0, 5, -1, &sev))
            return 2;
        snprintf(path, len, "/api/v1/reports?limit=%ld%s", lim,
                 cli_flag(a, "overdue") ? "&overdue=true" : "");
        if (sev >= 0) {
            size_t n = strlen(path);
            snprintf(path + n, len - n, "&min_severity=%ld", sev);
        }
        return 0;
    }
    if (strcmp(sub, "unopened") == 0 && a->npos == 1) {
        /* the org id percent-encoded (the hub checks it) */
        const char *org = cli_opt(a, "org");
        if (org && strlen(org) > 63) {
            fprintf(stderr, "infrashare: --org: at most 63 bytes / "
                            "組織IDは63バイトまで\n");
            return 2;
        }
        char q[3 * 64 + 8] = "";
        size_t k = 0;
        for (const char *p = org; p && *p && k + 4 < sizeof(q); p++) {
            unsigned char ch = (unsigned char)*p;
            if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.')
                q[k++] = (char)ch;
            else
                k += (size_t)snprintf(q + k, sizeof(q) - k, "%%%02X", ch);
        }
        q[k] = '\0';
        snprintf(path, len, "/api/v1/reports/unopened%s%s", org ? "?org=" : "",
                 q);
        return 0;
    }
    /* what is wrong first, then the usage (a missing id printed the
     * usage alone, in English: found by a review) */
    if ((strcmp(sub, "update") == 0 || strcmp(sub, "show") == 0) && a->npos < 2)
        cli_errf("report %s: the report's ID is missing\n",
                 "report %s: 報告の ID がありません\n", sub);
    cli_errf("report file|update ID|show ID|list|unopened (see --help)\n",
             "report file|update ID|show ID|list|unopened（--help を参照）\n");
    return 2;
}

/* report unopened: the hops and their unopened severe reports. */
static void print_unopened(json_t *j)
{
    printf("未開封の重大な報告 / Unopened severe reports: %lld\n",
           (long long)json_integer_value(json_object_get(j, "total")));
    size_t i, k;
    json_t *g, *it;
    json_array_foreach (json_object_get(j, "hops"), i, g) {
        json_t *n = json_object_get(g, "name");
        printf("%s (%s)  %s / %s\n",
               json_string_value(json_object_get(g, "org")),
               json_string_value(json_object_get(g, "kind")),
               json_string_value(json_object_get(n, "ja")),
               json_string_value(json_object_get(n, "en")));
        json_array_foreach (json_object_get(g, "items"), k, it) {
            json_t *al = json_object_get(it, "alert");
            printf("  ");
            print_report_line(it);
            printf("    待機 / waiting %lld min, round %lld, 督促 / "
                   "reminded: %s\n",
                   (long long)json_integer_value(
                       json_object_get(al, "waiting_s")) /
                       60,
                   (long long)json_integer_value(json_object_get(al, "round")),
                   json_is_string(json_object_get(al, "reminded_at"))
                       ? json_string_value(json_object_get(al, "reminded_at"))
                       : "no / なし");
        }
    }
}

/* declarations list [--active] | show ID | declare --title-ja T
 * --title-en T --reason R (--sectors A,B | --national) | end ID: the
 * method, path and body of the request. Returns 0, or 2 with the usage
 * printed. */
static int declaration_request(const struct cli_args *a, const char **method,
                               char *path, size_t len, char **body)
{
    const char *sub = a->npos ? a->pos[0] : "";
    if (strcmp(sub, "list") == 0 && a->npos == 1) {
        snprintf(path, len, "/api/v1/declarations%s",
                 cli_flag(a, "active") ? "?active=1" : "");
        return 0;
    }
    if (strcmp(sub, "show") == 0 && a->npos == 2) {
        snprintf(path, len, "/api/v1/declarations/%s", a->pos[1]);
        return 0;
    }
    if (strcmp(sub, "end") == 0 && a->npos == 2) {
        *method = "POST";
        snprintf(path, len, "/api/v1/declarations/%s/end", a->pos[1]);
        return 0;
    }
    if (strcmp(sub, "declare") == 0 && a->npos == 1) {
        *method = "POST";
        snprintf(path, len, "/api/v1/declarations");
        json_t *o = json_object();
        static const char *const map[][2] = {{"title-ja", "title_ja"},
                                             {"title-en", "title_en"},
                                             {"reason", "reason"}};
        for (size_t i = 0; i < IS_ARRAY_LEN(map); i++)
            if (cli_opt(a, map[i][0]))
                json_object_set_new(o, map[i][1],
                                    json_string(cli_opt(a, map[i][0])));
        if (cli_flag(a, "national"))
            json_object_set_new(o, "national", json_true());
        if (cli_opt(a, "sectors"))
            json_object_set_new(o, "sectors", csv_array(cli_opt(a, "sectors")));
        *body = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        return 0;
    }
    fprintf(stderr,
            "infrashare: declarations list [--active] | show ID | declare "
            "--title-ja T --title-en T --reason R (--sectors A,B | "
            "--national) | end ID\n"
            "infrashare: 宣言の一覧・表示・宣言・終了（大規模IT障害）\n");
    return 2;
}

/* One declaration in one line: id, state, coverage, titles. */
static void print_declaration_line(json_t *d)
{
    json_t *t = json_object_get(d, "title");
    char cover[512] = "national";
    if (!json_is_true(json_object_get(d, "national"))) {
        struct buf b;
        buf_init(&b, sizeof(cover));
        size_t i;
        json_t *s;
        json_array_foreach (json_object_get(d, "sectors"), i, s)
            (void)buf_addf(&b, "%s%s", i ? "," : "", json_string_value(s));
        if (buf_error(&b) || util_copy(cover, sizeof(cover), buf_str(&b)))
            util_xcopy(cover, sizeof(cover), "(many sectors)");
        buf_release(&b);
    }
    printf("%-18s %-7s %-24s %s / %s\n",
           json_string_value(json_object_get(d, "id")),
           json_is_true(json_object_get(d, "active")) ? "active" : "ended",
           cover, json_string_value(json_object_get(t, "ja")),
           json_string_value(json_object_get(t, "en")));
}

static void print_declarations(const struct cli_args *a, json_t *j)
{
    if (strcmp(a->pos[0], "list") == 0) {
        const char *mode = json_string_value(json_object_get(j, "mode"));
        printf("mode: %s (%s)\n", mode,
               mode && strcmp(mode, "outage") == 0 ? "大規模IT障害発生時"
                                                   : "平時");
        size_t i;
        json_t *it;
        json_array_foreach (json_object_get(j, "items"), i, it)
            print_declaration_line(it);
    } else if (strcmp(a->pos[0], "show") == 0) {
        char *s = json_dumps(j, JSON_INDENT(2));
        printf("%s\n", s ? s : "");
        free(s);
    } else {
        print_declaration_line(j);
    }
}

/* api METHOD /PATH [--data FILE|-]: the request as given (path points
 * into a). Returns 0, 1 when the data cannot be read or 2 with the usage
 * printed. */
static int raw_request(const struct cli_args *a, const char **method,
                       const char **path, char **body)
{
    if (a->npos != 2 || a->pos[1][0] != '/') {
        fprintf(stderr, "infrashare: api METHOD /PATH [--data FILE|-]\n");
        return 2;
    }
    *method = a->pos[0];
    *path = a->pos[1];
    const char *data = cli_opt(a, "data");
    if (data && util_read_file(strcmp(data, "-") == 0 ? "/dev/stdin" : data,
                               16 * 1024 * 1024, body, NULL)) {
        cli_errf("cannot read %s\n", "%s を読めません\n", data);
        return 1;
    }
    return 0;
}

/* "agreements rules | list ORG | sign ORG --rules-version V | withdraw
 * ORG ID" (handling-rule agreements). Returns 0, or 2 with the usage
 * printed. */
static int agreements_request(const struct cli_args *a, const char **method,
                              char *path, size_t len, char **body)
{
    const char *sub = a->npos ? a->pos[0] : "";
    const char *org = a->npos > 1 ? a->pos[1] : NULL;
    if (strcmp(sub, "rules") == 0 && a->npos == 1) {
        snprintf(path, len, "/api/v1/handling-rules");
    } else if (strcmp(sub, "list") == 0 && a->npos == 2) {
        snprintf(path, len, "/api/v1/orgs/%s/agreements", org);
    } else if (strcmp(sub, "sign") == 0 && a->npos == 2 &&
               cli_opt(a, "rules-version")) {
        *method = "POST";
        snprintf(path, len, "/api/v1/orgs/%s/agreements", org);
        json_t *o =
            json_pack("{s:s}", "rules_version", cli_opt(a, "rules-version"));
        *body = o ? json_dumps(o, JSON_COMPACT) : NULL;
        json_decref(o);
        if (!*body)
            return 1;
    } else if (strcmp(sub, "withdraw") == 0 && a->npos == 3) {
        *method = "POST";
        snprintf(path, len, "/api/v1/orgs/%s/agreements/%s/withdraw", org,
                 a->pos[2]);
    } else {
        fprintf(stderr, "infrashare: agreements rules | list ORG | sign ORG "
                        "--rules-version V | withdraw ORG ID\n");
        return 2;
    }
    return 0;
}

/* One agreement as a line: id, version, state, who signed and withdrew. */
static void print_agreement(json_t *g)
{
    json_t *sb = json_object_get(g, "signed_by");
    json_t *wb = json_object_get(g, "withdrawn_by");
    const char *st = json_string_value(json_object_get(g, "state"));
    printf("#%lld  %s  %s (%s)  signed %s by %s",
           (long long)json_integer_value(json_object_get(g, "id")),
           json_string_value(json_object_get(g, "rules_version")), st,
           st && strcmp(st, "active") == 0 ? "同意中" : "撤回済み",
           json_string_value(json_object_get(g, "signed_at")),
           sb && json_is_object(sb)
               ? json_string_value(json_object_get(sb, "username"))
               : "(system)");
    if (json_is_string(json_object_get(g, "withdrawn_at")))
        printf("  withdrawn %s by %s",
               json_string_value(json_object_get(g, "withdrawn_at")),
               wb && json_is_object(wb)
                   ? json_string_value(json_object_get(wb, "username"))
                   : "(system)");
    printf("\n");
}

static void print_agreements(const char *sub, json_t *j)
{
    if (strcmp(sub, "rules") == 0) {
        printf("%s  %s / %s\n",
               json_string_value(json_object_get(j, "version")),
               json_string_value(json_object_get(j, "title_ja")),
               json_string_value(json_object_get(j, "title_en")));
    } else if (strcmp(sub, "list") == 0) {
        static const char *const ja[][2] = {{"none", "未同意"},
                                            {"active", "同意中"},
                                            {"withdrawn", "撤回済み"}};
        const char *st = json_string_value(json_object_get(j, "state"));
        const char *label = "";
        for (size_t i = 0; st && i < IS_ARRAY_LEN(ja); i++)
            if (strcmp(st, ja[i][0]) == 0)
                label = ja[i][1];
        printf("%s: %s (%s)\n", json_string_value(json_object_get(j, "org")),
               st ? st : "?", label);
        size_t i;
        json_t *g;
        json_array_foreach (json_object_get(j, "agreements"), i, g)
            print_agreement(g);
    } else {
        print_agreement(j);
    }
}

/* lists ORG | show ORG LIST | create ORG --name-ja J --name-en E
 * [--members a,b] | set ORG LIST [--name-ja J] [--name-en E] [--members
 * a,b] | delete ORG LIST: distribution lists. Returns 0, or 2 with the
 * usage printed. */
static int lists_request(const struct cli_args *a, const char **method,
                         char *path, size_t len, char **body)
{
    const char *sub = a->npos ? a->pos[0] : "";
    const char *org = a->npos > 1 ? a->pos[1] : NULL;
    const char *list = a->npos > 2 ? a->pos[2] : NULL;
    json_t *o = NULL;
    if (a->npos == 1 && strcmp(sub, "show") && strcmp(sub, "create") &&
        strcmp(sub, "set") && strcmp(sub, "delete")) {
        snprintf(path, len, "/api/v1/orgs/%s/lists", sub);
        return 0;
    }
    if (strcmp(sub, "show") == 0 && list && a->npos == 3) {
        snprintf(path, len, "/api/v1/orgs/%s/lists/%s", org, list);
    } else if (strcmp(sub, "delete") == 0 && list && a->npos == 3) {
        *method = "DELETE";
        snprintf(path, len, "/api/v1/orgs/%s/lists/%s", org, list);
    } else if ((strcmp(sub, "create") == 0 && org && a->npos == 2) ||
               (strcmp(sub, "set") == 0 && list && a->npos == 3)) {
        bool create = strcmp(sub, "create") == 0;
        *method = create ? "POST" : "PUT";
        if (create)
            snprintf(path, len, "/api/v1/orgs/%s/lists", org);
        else
            snprintf(path, len, "/api/v1/orgs/%s/lists/%s", org, list);
        o = json_object();
        if (cli_opt(a, "name-ja"))
            json_object_set_new(o, "name_ja",
                                json_string(cli_opt(a, "name-ja")));
        if (cli_opt(a, "name-en"))
            json_object_set_new(o, "name_en",
                                json_string(cli_opt(a, "name-en")));
        if (cli_opt(a, "members"))
            json_object_set_new(o, "members", csv_array(cli_opt(a, "members")));
    } else {
        fprintf(stderr,
                "infrashare: lists ORG | show ORG LIST | create ORG --name-ja "
                "J --name-en E [--members a,b] | set ORG LIST [--name-ja J] "
                "[--name-en E] [--members a,b] | delete ORG LIST\n");
        return 2;
    }
    if (o) {
        *body = json_dumps(o, JSON_COMPACT);
        json_decref(o);
    }
    return 0;
}

static void print_list_line(json_t *l)
{
    json_t *n = json_object_get(l, "name");
    printf("%-24s %-20s %6lld  %s / %s\n",
           json_string_value(json_object_get(l, "id")),
           json_string_value(json_object_get(l, "owner")),
           (long long)json_integer_value(json_object_get(l, "members_count")),
           json_string_value(json_object_get(n, "ja")),
           json_string_value(json_object_get(n, "en")));
}

static void print_lists(json_t *j)
{
    size_t i;
    json_t *it;
    if (json_object_get(j, "deleted")) {
        printf("deleted %s / 削除しました\n",
               json_string_value(json_object_get(j, "id")));
        return;
    }
    if (json_object_get(j, "items")) {
        json_array_foreach (json_object_get(j, "items"), i, it)
            print_list_line(it);
        return;
    }
    print_list_line(j);
    json_array_foreach (json_object_get(j, "members"), i, it)
        printf("    %-20s %s\n", json_string_value(json_object_get(it, "id")),
               json_string_value(
                   json_object_get(json_object_get(it, "name"), "ja")));
}

/* The request of command cmd: its method, path (in pathbuf, or a
 * constant) and body (the caller frees it). Returns 0 or the exit
 * status. */
static int client_request(const char *cmd, const struct cli_args *a,
                          const char **method, const char **path, char *pathbuf,
                          size_t len, char **body)
{
    if ((strcmp(cmd, "whoami") == 0 || strcmp(cmd, "sectors") == 0) &&
        a->npos) {
        cli_errf("%s takes no argument (%s)\n", "%s に引数は不要です（%s）\n",
                 cmd, a->pos[0]);
        return 2;
    }
    if (strcmp(cmd, "whoami") == 0) {
        *path = "/api/v1/session";
        return 0;
    }
    if (strcmp(cmd, "sectors") == 0) {
        *path = "/api/v1/sectors";
        return 0;
    }
    if (strcmp(cmd, "advisory") == 0 || strcmp(cmd, "drill") == 0) {
        *path = pathbuf;
        return advisory_request(cmd, a, method, pathbuf, len, body);
    }
    if (strcmp(cmd, "report") == 0) {
        *path = pathbuf;
        return report_request(a, method, pathbuf, len, body);
    }
    if (strcmp(cmd, "agreements") == 0) {
        *path = pathbuf;
        return agreements_request(a, method, pathbuf, len, body);
    }
    if (strcmp(cmd, "lists") == 0) {
        *path = pathbuf;
        return lists_request(a, method, pathbuf, len, body);
    }
    if (strcmp(cmd, "declarations") == 0) {
        *path = pathbuf;
        return declaration_request(a, method, pathbuf, len, body);
    }
    return raw_request(a, method, path, body);
}

static void print_sectors(json_t *j)
{
    size_t i, k;
    json_t *s, *sc;
    json_array_foreach (json_object_get(j, "items"), i, s) {
        json_t *n = json_object_get(s, "name");
        printf("%s  %s / %s\n", json_string_value(json_object_get(s, "id")),
               json_string_value(json_object_get(n, "ja")),
               json_string_value(json_object_get(n, "en")));
        json_array_foreach (json_object_get(s, "scopes"), k, sc) {
            json_t *c = json_object_get(sc, "ceptoar");
            printf("    %-20s %s\n",
                   json_string_value(json_object_get(sc, "id")),
                   json_string_value(
                       json_object_get(json_object_get(c, "name"), "ja")));
        }
    }
}

/* A successful answer to command cmd, for people (text is the body). */
static void print_answer(const char *cmd, const struct cli_args *a,
                         const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    if (strcmp(cmd, "lists") == 0) {
        print_lists(j);
    } else if (strcmp(cmd, "advisory") == 0 &&
               strcmp(a->pos[0], "withhold") == 0) {
        printf("withheld %s at %s / 保留しました: %s\n",
               json_string_value(json_object_get(j, "advisory")),
               json_string_value(json_object_get(j, "hop")),
               json_string_value(json_object_get(j, "reason")));
    } else if (strcmp(cmd, "advisory") == 0 || strcmp(cmd, "drill") == 0 ||
               strcmp(cmd, "drills") == 0) {
        bool done = j && strcmp(cmd, "drill") == 0 && print_drill(a->pos[0], j);
        if (!done && j)
            print_advisory(a->pos[0], j);
        else if (!done)
            printf("%s\n", text);
    } else if (strcmp(cmd, "report") == 0) {
        if (strcmp(a->pos[0], "unopened") == 0) {
            print_unopened(j);
        } else if (strcmp(a->pos[0], "list") == 0) {
            size_t i;
            json_t *it;
            json_array_foreach (json_object_get(j, "items"), i, it)
                print_report_line(it);
            /* an empty list says so, as the other lists do */
            if (!json_array_size(json_object_get(j, "items")))
                printf("no reports / 報告はありません\n");
        } else {
            print_report(j);
        }
    } else if (strcmp(cmd, "agreements") == 0) {
        if (j)
            print_agreements(a->pos[0], j);
    } else if (strcmp(cmd, "declarations") == 0) {
        if (j)
            print_declarations(a, j);
        else
            printf("%s\n", text);
    } else if (strcmp(cmd, "whoami") == 0) {
        json_t *u = json_object_get(j, "user");
        printf("%s @ %s (%s)\n",
               json_string_value(json_object_get(u, "username")),
               json_string_value(json_object_get(u, "org")),
               json_string_value(json_object_get(u, "roles")));
    } else {
        print_sectors(j);
    }
    json_decref(j);
}

/* ---- site: website observation (issue 12; service/sites.h) ---- */

/* One site in one line: id, state, organisation, URL, label. */
static void print_site_line(json_t *s)
{
    printf("%-6lld %-11s %-24s %s%s%s\n",
           (long long)json_integer_value(json_object_get(s, "id")),
           json_string_value(json_object_get(s, "state")),
           json_string_value(json_object_get(s, "org")),
           json_string_value(json_object_get(s, "url")),
           json_string_length(json_object_get(s, "label")) ? "  " : "",
           json_string_value(json_object_get(s, "label")));
}

static int site_usage(void)
{
    fprintf(stderr,
            "infrashare: site add URL [--org ORG] [--label L] [--interval S] "
            "[--expected-status N] [--content-match T] [--notify]\n"
            "            site list [--org O] [--sector S] [--state S] [--q "
            "TEXT] [--limit N] [--offset N] [--json]\n"
            "            site show ID [--json] | pause ID | resume ID | rm ID\n"
            "infrashare: 観測サイトの登録・一覧・表示・一時停止・再開・削除"
            "（HPレスポンス観測）\n");
    return 2;
}

/* A site id of the command line (digits only: it goes into a path). */
static bool site_id_ok(const char *id)
{
    if (!id[0] || strlen(id) > 19)
        return false;
    for (const char *p = id; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

/* site list: the query string of the options, escaped. */
static int site_list_path(const struct cli_args *a, char *path, size_t len)
{
    static const char *const opts[] = {"org", "sector", "state",
                                       "q",   "limit",  "offset"};
    struct buf b;
    buf_init(&b, len);
    (void)buf_addf(&b, "/api/v1/sites");
    char sep = '?';
    for (size_t i = 0; i < IS_ARRAY_LEN(opts); i++) {
        const char *v = cli_opt(a, opts[i]);
        if (!v)
            continue;
        char *esc = curl_easy_escape(NULL, v, 0);
        if (!esc) {
            buf_release(&b);
            return 1;
        }
        (void)buf_addf(&b, "%c%s=%s", sep, opts[i], esc);
        curl_free(esc);
        sep = '&';
    }
    int rc = buf_error(&b) || util_copy(path, len, buf_str(&b)) ? 1 : 0;
    buf_release(&b);
    if (rc)
        cli_errf("the filter is too long\n", "絞り込み条件が長すぎます\n");
    return rc;
}

/* site add: the request body from the options. NULL when an option is
 * not a number where one is needed (the message printed). */
static json_t *site_add_body(const struct cli_args *a)
{
    json_t *o = json_pack("{s:s}", "url", a->pos[1]);
    static const char *const text[][2] = {{"org", "org"},
                                          {"label", "label"},
                                          {"content-match", "content_match"},
                                          {"hosting", "hosting"}};
    for (size_t i = 0; o && i < IS_ARRAY_LEN(text); i++)
        if (cli_opt(a, text[i][0]))
            json_object_set_new(o, text[i][1],
                                json_string(cli_opt(a, text[i][0])));
    static const char *const nums[][2] = {
        {"interval", "interval_s"}, {"expected-status", "expected_status"}};
    for (size_t i = 0; o && i < IS_ARRAY_LEN(nums); i++) {
        const char *v = cli_opt(a, nums[i][0]);
        long n;
        if (!v)
            continue;
        if (util_parse_long(v, LONG_MIN, LONG_MAX, &n)) {
            fprintf(stderr,
                    "infrashare: --%s takes a number / --%s は数値です\n",
                    nums[i][0], nums[i][0]);
            json_decref(o);
            return NULL;
        }
        json_object_set_new(o, nums[i][1], json_integer(n));
    }
    if (o && cli_flag(a, "notify"))
        json_object_set_new(o, "notify", json_true());
    return o;
}

/* site add|list|show|pause|resume|rm: pause and resume read the site's
 * version first and name it (a change meanwhile: 409, nothing changed). */
static int site_command(const char *url, const char *token,
                        const struct cli_args *a)
{
    const char *sub = a->npos ? a->pos[0] : "";
    bool one = a->npos == 2;
    if (!token) {
        cli_errf("no token: pass --token or set INFRASHARE_TOKEN\n",
                 "トークンがありません: --token を指定するか INFRASHARE_TOKEN "
                 "を設定してください\n");
        return 2;
    }
    char path[1024];
    json_t *j = NULL, *body = NULL;
    const char *method = "GET";
    if (strcmp(sub, "add") == 0 && one) {
        body = site_add_body(a);
        if (!body)
            return 2;
        method = "POST";
        snprintf(path, sizeof(path), "/api/v1/sites");
    } else if (strcmp(sub, "list") == 0 && a->npos == 1) {
        if (site_list_path(a, path, sizeof(path)))
            return 2;
    } else if ((strcmp(sub, "show") == 0 || strcmp(sub, "pause") == 0 ||
                strcmp(sub, "resume") == 0 || strcmp(sub, "rm") == 0) &&
               one && site_id_ok(a->pos[1])) {
        snprintf(path, sizeof(path), "/api/v1/sites/%s", a->pos[1]);
        if (strcmp(sub, "rm") == 0)
            method = "DELETE";
    } else {
        return site_usage();
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = cli_call(url, token, method, path, body, &j, NULL);
    json_decref(body);
    bool pause = strcmp(sub, "pause") == 0;
    if (!rc && (pause || strcmp(sub, "resume") == 0)) {
        json_t *patch =
            json_pack("{s:O,s:b}", "version", json_object_get(j, "version"),
                      "paused", pause);
        json_decref(j);
        j = NULL;
        rc = patch ? cli_call(url, token, "PATCH", path, patch, &j, NULL) : 1;
        json_decref(patch);
    }
    curl_global_cleanup();
    if (rc || !j) {
        json_decref(j);
        return rc ? rc : 1;
    }
    if (cli_flag(a, "json")) {
        char *s = json_dumps(j, JSON_INDENT(2));
        printf("%s\n", s ? s : "");
        free(s);
    } else if (strcmp(sub, "list") == 0) {
        size_t i;
        json_t *it;
        json_array_foreach (json_object_get(j, "items"), i, it)
            print_site_line(it);
        printf("%lld site(s) / %lld 件\n",
               (long long)json_integer_value(json_object_get(j, "total")),
               (long long)json_integer_value(json_object_get(j, "total")));
    } else if (strcmp(sub, "rm") == 0) {
        printf("deleted site %s / サイト %s の観測を終了しました\n", a->pos[1],
               a->pos[1]);
    } else if (pause) {
        printf("paused site %s / サイト %s の観測を一時停止しました\n",
               a->pos[1], a->pos[1]);
    } else if (strcmp(sub, "resume") == 0) {
        printf("resumed site %s / サイト %s の観測を再開しました\n", a->pos[1],
               a->pos[1]);
    } else if (strcmp(sub, "add") == 0) {
        printf("registered site %lld / サイトを登録しました: %s\n",
               (long long)json_integer_value(json_object_get(j, "id")),
               json_string_value(json_object_get(j, "url")));
    } else {
        print_site_line(j);
        printf("  interval %llds, expected %lld%s%s\n",
               (long long)json_integer_value(json_object_get(j, "interval_s")),
               (long long)json_integer_value(
                   json_object_get(j, "expected_status")),
               json_is_true(json_object_get(j, "notify")) ? ", notify" : "",
               json_is_true(json_object_get(j, "paused")) ? ", paused" : "");
    }
    json_decref(j);
    return 0;
}

int cli_client(const char *cmd, int argc, char **argv)
{
    static const char *const valued[] = {"url",
                                         "token",
                                         "data",
                                         "title",
                                         "kind",
                                         "detected-at",
                                         "occurred-at",
                                         "range",
                                         "route",
                                         "what",
                                         "measures",
                                         "via-agency",
                                         "via-ceptoar",
                                         "cause",
                                         "threat",
                                         "text",
                                         "question",
                                         "limit",
                                         "min-severity",
                                         "severity",
                                         "title-ja",
                                         "title-en",
                                         "body-ja",
                                         "body-en",
                                         "sectors",
                                         "scopes",
                                         "ceptoars",
                                         "orgs",
                                         "state",
                                         "format",
                                         "target-kind",
                                         "target",
                                         "note-ja",
                                         "note-en",
                                         "rules-version",
                                         "org",
                                         "lists",
                                         "reason",
                                         "name-ja",
                                         "name-en",
                                         "members",
                                         "field",
                                         "form",
                                         "channel",
                                         "fy",
                                         "ceptoar",
                                         "label",
                                         "interval",
                                         "expected-status",
                                         "content-match",
                                         "sector",
                                         "q",
                                         "offset",
                                         "hosting",
                                         "ranges",
                                         "note",
                                         "recipient",
                                         "sender",
                                         "intake-token-file",
                                         "campaign",
                                         NULL};
    static const char *const flags[] = {
        "json",          "overdue",   "all",      "inbox",  "title-in-notice",
        "include-lists", "csv",       "national", "active", "notify",
        "anonymous",     "forwarded", NULL};
    struct cli_args a;
    if (cli_parse(argc, argv, flags, valued, &a))
        return 2;
    const char *url =
        cli_opt(&a, "url") ? cli_opt(&a, "url") : getenv("INFRASHARE_URL");
    const char *token = cli_opt(&a, "token") ? cli_opt(&a, "token")
                                             : getenv("INFRASHARE_TOKEN");
    if (!url)
        url = "http://127.0.0.1:8080";
    if (strcmp(cmd, "site") == 0)
        return site_command(url, token, &a);
    if (strcmp(cmd, "c4tap") == 0)
        return cli_c4tap(url, token, &a);
    const char *method = "GET", *path = NULL;
    char *body = NULL;
    char pathbuf[512];
    int rc = client_request(cmd, &a, &method, &path, pathbuf, sizeof(pathbuf),
                            &body);
    if (rc) {
        free(body);
        return rc;
    }
    if (!token && strcmp(path, "/api/v1/sectors") != 0) {
        cli_no_token();
        free(body);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct api_answer ans = {0};
    char err[512];
    rc = cli_api_call(url, token, method, path, body, &ans, err, sizeof(err));
    free(body);
    int exit_code = 0;
    if (rc) {
        cli_errf("cannot reach the hub: %s\n", "ハブに接続できません: %s\n",
                 err);
        exit_code = 1;
    } else if (ans.status < 200 || ans.status > 299) {
        cli_print_api_error(&ans);
        exit_code = 1;
    } else if (strcmp(cmd, "api") == 0 || cli_flag(&a, "json") ||
               (strcmp(cmd, "drill") == 0 && cli_opt(&a, "format"))) {
        /* drill report --format json|csv|html: the hub's own document */
        printf("%s\n", buf_str(&ans.body));
    } else {
        print_answer(cmd, &a, buf_str(&ans.body));
    }
    buf_release(&ans.body);
    curl_global_cleanup();
    return exit_code;
}
