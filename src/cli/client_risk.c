/*
 * client_risk.c - infrashare risk: an operator's risk register over the API
 * (issue 15; service/risks.h, http/routes_risks.c, docs/rules.md "Risk
 * register"). A CEPTOAR secretariat reads its members' shared risks with
 * the same list, show, history and heatmap.
 *
 *   risk list [--state open|closed] [--treatment T] [--above] [--json]
 *   risk show ID [--json] | risk history ID [--json] | risk heatmap [--json]
 *   risk add --title T --owner O --impact N --likelihood N
 *            --treatment reduce|avoid|transfer|accept
 *            --review YYYY-MM-DD|RFC3339 [--asset A] [--description D]
 *            [--measures id,id] [--plan P] [--shared]
 *   risk update ID [the same options, each optional] [--close | --reopen]
 *            [--unshare]
 *
 * A review date without a time is the start of that day in Japan
 * (YYYY-MM-DDT00:00:00+09:00). "risk update" reads the risk's version
 * first and changes that version. --measures "" clears the measures.
 * Lists and histories are read page by page to the end.
 *
 * --json prints the API's JSON. An API error is printed with its code,
 * field and message (exit 1); bad usage prints the usage (exit 2).
 */
#include "cli/cli.h"

#include <curl/curl.h>
#include <stdio.h>

#include "common/buf.h"
#include "common/util.h"

#define MAX_PAGES 100 /* of 500 risks or versions */
#define LEVELS 5      /* the most levels of a scale (RISK_MAX_LEVELS) */

static int usage(void)
{
    fprintf(stderr,
            "infrashare: risk list [--state open|closed] [--treatment T] "
            "[--above] [--json]\n"
            "            risk show ID [--json] | risk history ID [--json] | "
            "risk heatmap [--json]\n"
            "            risk add --title T --owner O --impact N "
            "--likelihood N\n"
            "                     --treatment reduce|avoid|transfer|accept "
            "--review YYYY-MM-DD|RFC3339\n"
            "                     [--asset A] [--description D] "
            "[--measures id,id] [--plan P] [--shared]\n"
            "            risk update ID [the same options, each optional] "
            "[--close | --reopen] [--unshare]\n"
            "  (リスク登録簿: a date alone is 00:00 JST of that day)\n");
    return 2;
}

static long long num(const json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

static const char *when(const json_t *o, const char *key)
{
    const char *s = cli_jstr(o, key);
    return *s ? s : "-";
}

/* ---- human output ---- */

static void print_line(const json_t *r)
{
    printf("%6lld %-6s score %2lld%s impact %lld likelihood %lld %-8s "
           "review %s%s",
           num(r, "id"), cli_jstr(r, "state"), num(r, "score"),
           json_is_true(json_object_get(r, "above_appetite")) ? "!" : " ",
           num(r, "impact"), num(r, "likelihood"), cli_jstr(r, "treatment"),
           when(r, "review_at"),
           json_is_true(json_object_get(r, "review_due")) ? " (due / 期日経過)"
                                                          : "");
    if (json_is_true(json_object_get(r, "read_only"))) /* a member's */
        printf("  %s", cli_jstr(json_object_get(r, "org"), "id"));
    printf("  %s\n", cli_jstr(r, "title"));
}

static const char *user_of(const json_t *u)
{
    const char *s = cli_jstr(u, "username");
    return *s ? s : "-";
}

static void print_risk(const json_t *r)
{
    print_line(r);
    const json_t *org = json_object_get(r, "org");
    const json_t *on = json_object_get(org, "name");
    printf("  organisation / 組織: %s (%s / %s)\n", cli_jstr(org, "id"),
           cli_jstr(on, "ja"), cli_jstr(on, "en"));
    printf("  owner / リスク所有者: %s\n", cli_jstr(r, "owner"));
    if (*cli_jstr(r, "asset"))
        printf("  asset / 資産: %s\n", cli_jstr(r, "asset"));
    printf("  score / スコア: %lld (impact %lld x likelihood %lld), threshold "
           "%lld%s\n",
           num(r, "score"), num(r, "impact"), num(r, "likelihood"),
           num(r, "threshold"),
           json_is_true(json_object_get(r, "above_appetite"))
               ? ": above the risk appetite / リスク許容度超過"
               : "");
    printf("  treatment / 対応: %s\n", cli_jstr(r, "treatment"));
    printf("  measures / 対策:");
    size_t i;
    json_t *m;
    if (json_array_size(json_object_get(r, "measures")) == 0)
        printf(" -");
    json_array_foreach (json_object_get(r, "measures"), i, m)
        printf(" %s", json_string_value(m));
    putchar('\n');
    printf("  review / 見直し期日: %s%s\n", when(r, "review_at"),
           json_is_true(json_object_get(r, "review_due")) ? " (due / 期日経過)"
                                                          : "");
    printf("  %s\n", json_is_true(json_object_get(r, "shared"))
                         ? "shared with the secretariats / 事務局と共有"
                         : "not shared / 非共有");
    if (*cli_jstr(r, "description"))
        printf("  description / 説明: %s\n", cli_jstr(r, "description"));
    if (*cli_jstr(r, "plan"))
        printf("  plan / 対応計画: %s\n", cli_jstr(r, "plan"));
    printf("  version %lld, created %s by %s, updated %s by %s\n",
           num(r, "version"), when(r, "created_at"),
           user_of(json_object_get(r, "created_by")), when(r, "updated_at"),
           user_of(json_object_get(r, "updated_by")));
}

static void print_history(const json_t *h)
{
    size_t i, k;
    json_t *v, *c;
    if (json_array_size(json_object_get(h, "items")) == 0)
        printf("no versions / 履歴はありません\n");
    json_array_foreach (json_object_get(h, "items"), i, v) {
        const json_t *r = json_object_get(v, "risk");
        printf("version %lld  %s  by %s  changed:", num(v, "version"),
               when(v, "at"), user_of(json_object_get(v, "by")));
        json_array_foreach (json_object_get(v, "changed"), k, c)
            printf("%s%s", k ? ", " : " ", json_string_value(c));
        printf("\n    %s, impact %lld, likelihood %lld, %s, review %s: %s\n",
               cli_jstr(r, "state"), num(r, "impact"), num(r, "likelihood"),
               cli_jstr(r, "treatment"), when(r, "review_at"),
               cli_jstr(r, "title"));
    }
}

static void print_heatmap(const json_t *h)
{
    bool own = strcmp(cli_jstr(h, "basis"), "own_scale") == 0;
    long long ni = num(h, "impact_levels"), nl = num(h, "likelihood_levels");
    if (ni < 1 || ni > LEVELS || nl < 1 || nl > LEVELS) {
        cli_errf("the heat map has %lld x %lld levels\n",
                 "ヒートマップが %lld × %lld 段階になっています\n", ni, nl);
        return;
    }
    long long count[LEVELS][LEVELS] = {{0}}, above[LEVELS][LEVELS] = {{0}};
    bool hot[LEVELS][LEVELS] = {{false}};
    size_t i;
    json_t *c;
    json_array_foreach (json_object_get(h, "cells"), i, c) {
        long long im = num(c, "impact"), li = num(c, "likelihood");
        if (im < 1 || im > ni || li < 1 || li > nl)
            continue;
        count[im - 1][li - 1] = num(c, "count");
        above[im - 1][li - 1] = num(c, "above");
        hot[im - 1][li - 1] =
            json_is_true(json_object_get(c, "above_appetite"));
    }
    const json_t *sc = json_object_get(h, "scale");
    printf("heat map of the open risks / 未対応リスクのヒートマップ: %lld "
           "risk(s), %lld above the appetite / 許容度超過\n",
           num(h, "total"), num(h, "above_appetite"));
    if (own)
        printf("  on your scale (threshold %lld); * a cell at or above the "
               "appetite\n",
               num(sc, "threshold"));
    else
        printf("  levels of the members' own scales; a cell: risks/above "
               "their operator's appetite\n");
    printf("impact \\ likelihood");
    for (long long l = 1; l <= nl; l++)
        printf(" %7lld", l);
    putchar('\n');
    for (long long im = ni; im >= 1; im--) {
        printf("%19lld", im);
        for (long long l = 1; l <= nl; l++) {
            char cell[48];
            if (own)
                snprintf(cell, sizeof(cell), "%lld%s", count[im - 1][l - 1],
                         hot[im - 1][l - 1] ? "*" : " ");
            else
                snprintf(cell, sizeof(cell), "%lld/%lld", count[im - 1][l - 1],
                         above[im - 1][l - 1]);
            printf(" %7s", cell);
        }
        putchar('\n');
    }
    if (!own)
        return;
    static const char *const axes[] = {"impact", "likelihood"};
    for (size_t a = 0; a < IS_ARRAY_LEN(axes); a++) {
        printf("%s:", axes[a]);
        json_array_foreach (json_object_get(sc, axes[a]), i, c)
            printf("  %lld %s / %s", num(c, "level"), cli_jstr(c, "ja"),
                   cli_jstr(c, "en"));
        putchar('\n');
    }
}

/* ---- the body of add and update ---- */

/* A review date as RFC 3339 into out: YYYY-MM-DD is 00:00 JST of that
 * day. Returns 0, or 2 with the reason printed. */
static int review_time(const char *s, char *out, size_t len)
{
    int64_t t;
    bool date = strlen(s) == 10 && strspn(s, "0123456789-") == 10 &&
                s[4] == '-' && s[7] == '-';
    if (date)
        util_xsnprintf(out, len, "%.10sT00:00:00+09:00", s);
    else if (util_copy(out, len, s))
        out[0] = '\0';
    if (!*out || util_time_parse(out, &t)) {
        cli_errf(
            "--review: a date (2027-03-31, 00:00 JST) or an RFC 3339 time\n",
            "--review: 日付（2027-03-31、日本時間 0:00）または RFC 3339 "
            "の時刻で指定してください\n");
        return 2;
    }
    return 0;
}

/* The fields given on the command line into body. Returns 0, or 2 with
 * the reason printed. */
static int fields(const struct cli_args *a, json_t *body)
{
    static const char *const texts[] = {"title", "owner", "asset",
                                        "description", "plan"};
    for (size_t i = 0; i < IS_ARRAY_LEN(texts); i++)
        if (cli_opt(a, texts[i]))
            json_object_set_new(body, texts[i],
                                json_string(cli_opt(a, texts[i])));
    static const char *const levels[] = {"impact", "likelihood"};
    for (size_t i = 0; i < IS_ARRAY_LEN(levels); i++) {
        long v;
        const char *s = cli_opt(a, levels[i]);
        if (!s)
            continue;
        if (util_parse_long(s, 1, LEVELS, &v)) {
            cli_errf(
                "--%s: a level of your scale, 1 to %d (not \"%.40s\")\n",
                "--%s: 尺度の段階を 1 から %d で指定してください（\"%.40s\" "
                "は使えません）\n",
                levels[i], LEVELS, s);
            return 2;
        }
        json_object_set_new(body, levels[i], json_integer(v));
    }
    const char *t = cli_opt(a, "treatment");
    if (t) {
        if (strcmp(t, "reduce") && strcmp(t, "avoid") &&
            strcmp(t, "transfer") && strcmp(t, "accept")) {
            cli_errf("--treatment: one of reduce, avoid, transfer, accept "
                     "(not \"%.40s\")\n",
                     "--treatment: "
                     "reduce（低減）、avoid（回避）、transfer（移転）、accept（"
                     "受容）のいずれかです（\"%.40s\" は使えません）\n",
                     t);
            return 2;
        }
        json_object_set_new(body, "treatment", json_string(t));
    }
    if (cli_opt(a, "review")) {
        char at[64];
        if (review_time(cli_opt(a, "review"), at, sizeof(at)))
            return 2;
        json_object_set_new(body, "review_at", json_string(at));
    }
    if (cli_opt(a, "measures"))
        json_object_set_new(body, "measures",
                            cli_list_of(cli_opt(a, "measures")));
    if (cli_flag(a, "shared") && cli_flag(a, "unshare")) {
        cli_errf("--shared or --unshare, not both\n",
                 "--shared と --unshare は同時に指定できません\n");
        return 2;
    }
    if (cli_flag(a, "shared") || cli_flag(a, "unshare"))
        json_object_set_new(body, "shared",
                            json_boolean(cli_flag(a, "shared")));
    if (cli_flag(a, "close") && cli_flag(a, "reopen")) {
        cli_errf("--close or --reopen, not both\n",
                 "--close と --reopen は同時に指定できません\n");
        return 2;
    }
    if (cli_flag(a, "close") || cli_flag(a, "reopen"))
        json_object_set_new(
            body, "state",
            json_string(cli_flag(a, "close") ? "closed" : "open"));
    /* a title or text that is not UTF-8 was left out by jansson */
    for (size_t i = 0; i < IS_ARRAY_LEN(texts); i++)
        if (cli_opt(a, texts[i]) && !json_object_get(body, texts[i])) {
            cli_errf("--%s: not UTF-8 text\n",
                     "--%s: UTF-8 のテキストではありません\n", texts[i]);
            return 2;
        }
    return 0;
}

/* ---- commands ---- */

static int add_cmd(const struct cli_conn *k, const struct cli_args *a)
{
    static const char *const needed[] = {"title",      "owner",     "impact",
                                         "likelihood", "treatment", "review"};
    for (size_t i = 0; i < IS_ARRAY_LEN(needed); i++)
        if (!cli_opt(a, needed[i])) {
            cli_errf("risk add: --%s is required\n",
                     "risk add: --%s が必要です\n", needed[i]);
            return usage();
        }
    if (a->npos != 1 || cli_flag(a, "close") || cli_flag(a, "reopen") ||
        cli_flag(a, "unshare"))
        return usage();
    json_t *body = json_object();
    int rc = fields(a, body);
    json_t *r = NULL;
    if (!rc)
        rc = cli_req_json(k, "POST", "/api/v1/risks", body, &r);
    json_decref(body);
    if (rc)
        return rc;
    if (cli_flag(a, "json")) {
        cli_put_json(r);
    } else {
        printf("added / 登録しました:\n");
        print_risk(r);
    }
    json_decref(r);
    return 0;
}

static int update_cmd(const struct cli_conn *k, const struct cli_args *a)
{
    json_t *body = json_object();
    int rc = fields(a, body);
    if (!rc && json_object_size(body) == 0) {
        cli_errf("risk update: nothing to change\n",
                 "risk update: 変更する項目がありません\n");
        rc = usage();
    }
    if (rc) {
        json_decref(body);
        return rc;
    }
    char path[64];
    util_xsnprintf(path, sizeof(path), "/api/v1/risks/%s", a->pos[1]);
    json_t *cur;
    if ((rc = cli_req_json(k, "GET", path, NULL, &cur))) {
        json_decref(body);
        return rc;
    }
    long long before = num(cur, "version");
    json_decref(cur);
    json_object_set_new(body, "version", json_integer(before));
    json_t *r;
    rc = cli_req_json(k, "PUT", path, body, &r);
    json_decref(body);
    if (rc)
        return rc;
    if (cli_flag(a, "json")) {
        cli_put_json(r);
    } else {
        if (num(r, "version") == before)
            printf("nothing changed / 変更はありません (version %lld)\n",
                   before);
        else
            printf("updated / 更新しました (version %lld):\n",
                   num(r, "version"));
        print_risk(r);
    }
    json_decref(r);
    return 0;
}

/* GET base (with a query, or "?") page by page, the items of every page
 * into one answer {items, next_cursor: null}. */
static int all_pages(const struct cli_conn *k, const char *base, json_t **out)
{
    json_t *items = json_array();
    char cursor[24] = "";
    int rc = 0;
    for (int page = 0; page < MAX_PAGES; page++) {
        char path[256];
        util_xsnprintf(path, sizeof(path), "%slimit=500%s%s", base,
                       *cursor ? "&cursor=" : "", cursor);
        json_t *j;
        if ((rc = cli_req_json(k, "GET", path, NULL, &j)))
            break;
        json_array_extend(items, json_object_get(j, "items"));
        const char *next = json_string_value(json_object_get(j, "next_cursor"));
        bool more = next && cli_seg_ok(next, true);
        if (more)
            util_xcopy(cursor, sizeof(cursor), next);
        json_decref(j);
        if (!more)
            break;
    }
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:o,s:n}", "items", items, "next_cursor");
    return 0;
}

static int list_cmd(const struct cli_conn *k, const struct cli_args *a)
{
    const char *state = cli_opt(a, "state"), *t = cli_opt(a, "treatment");
    static const char *const states[] = {"open", "closed", NULL};
    static const char *const treatments[] = {"reduce", "avoid", "transfer",
                                             "accept", NULL};
    if (a->npos != 1)
        return usage();
    if (!cli_enum_opt(a, "state", states) ||
        !cli_enum_opt(a, "treatment", treatments))
        return 2;
    char base[128];
    util_xsnprintf(base, sizeof(base), "/api/v1/risks?%s%s%s%s%s%s",
                   state ? "state=" : "", state ? state : "", state ? "&" : "",
                   t ? "treatment=" : "", t ? t : "", t ? "&" : "");
    if (cli_flag(a, "above")) {
        size_t n = strlen(base);
        util_xcopy(base + n, sizeof(base) - n, "above=true&");
    }
    json_t *j;
    int rc = all_pages(k, base, &j);
    if (rc)
        return rc;
    if (cli_flag(a, "json")) {
        cli_put_json(j);
    } else {
        const json_t *items = json_object_get(j, "items");
        if (json_array_size(items) == 0)
            printf("no risks / リスクはありません\n");
        size_t i;
        json_t *r;
        json_array_foreach (items, i, r)
            print_line(r);
    }
    json_decref(j);
    return 0;
}

static const char *const flags[] = {"json",  "above",  "shared", "unshare",
                                    "close", "reopen", NULL};
static const char *const valued[] = {
    "url",         "token",    "state",      "treatment", "title",
    "owner",       "impact",   "likelihood", "review",    "asset",
    "description", "measures", "plan",       NULL};

int cli_risk(int argc, char **argv)
{
    struct cli_args a;
    if (cli_parse(argc, argv, flags, valued, &a))
        return usage();
    const char *sub = a.npos > 0 ? a.pos[0] : "";
    static const struct {
        const char *name;
        int npos;
    } cmds[] = {{"list", 1},   {"show", 2},    {"add", 1},
                {"update", 2}, {"history", 2}, {"heatmap", 1}};
    int want = -1;
    for (size_t i = 0; i < IS_ARRAY_LEN(cmds); i++)
        if (strcmp(sub, cmds[i].name) == 0)
            want = cmds[i].npos;
    if (want < 0 || a.npos != want || (want > 1 && !cli_seg_ok(a.pos[1], true)))
        return usage();
    struct cli_conn k;
    int rc = cli_conn_of(&a, &k);
    if (rc)
        return rc;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (strcmp(sub, "add") == 0) {
        rc = add_cmd(&k, &a);
    } else if (strcmp(sub, "update") == 0) {
        rc = update_cmd(&k, &a);
    } else if (strcmp(sub, "list") == 0) {
        rc = list_cmd(&k, &a);
    } else {
        char path[96];
        json_t *j = NULL;
        if (strcmp(sub, "history") == 0) {
            util_xsnprintf(path, sizeof(path), "/api/v1/risks/%s/history?",
                           a.pos[1]);
            rc = all_pages(&k, path, &j);
        } else {
            if (strcmp(sub, "show") == 0)
                util_xsnprintf(path, sizeof(path), "/api/v1/risks/%s",
                               a.pos[1]);
            else
                util_xcopy(path, sizeof(path), "/api/v1/risks/heatmap");
            rc = cli_req_json(&k, "GET", path, NULL, &j);
        }
        if (!rc && cli_flag(&a, "json"))
            cli_put_json(j);
        else if (!rc && strcmp(sub, "show") == 0)
            print_risk(j);
        else if (!rc && strcmp(sub, "history") == 0)
            print_history(j);
        else if (!rc)
            print_heatmap(j);
        json_decref(j);
    }
    curl_global_cleanup();
    return rc;
}
