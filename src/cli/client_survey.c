/*
 * client_survey.c - infrashare survey and bcp: the annual safety-standards
 * survey and CP/BCP readiness over the API (issue 15; service/surveys.h,
 * http/routes_surveys.c, docs/rules.md "The guideline catalogue and the
 * annual survey"). Also the helpers the issue 15 client commands share
 * (cli.h; cli/client_risk.c).
 *
 *   survey list | show ID                          [--json]
 *   survey open --fy N --deadline RFC3339 [--sectors a,b]
 *               [--title-ja T --title-en T] [--edition E]      (NISC)
 *   survey close ID                                            (NISC)
 *   survey progress ID [--json]       (NISC, ministries, secretariats)
 *   survey remind ID [--orgs a,b]                 (secretariats, NISC)
 *   survey results ID [--format json|csv|html] [--lang ja|en] [--out F]
 *   survey answers ID [--org ORG] [--json]
 *   survey answer ID --file ANSWERS.json [--submit] [--share]
 *   survey attach ID --item ITEM FILE [--type MEDIA]
 *   bcp show [--json] | bcp set --file CHECKS.json
 *
 * ANSWERS.json is {"answers": [{"item", "answer", "evidence"}, ...]} (the
 * output of "survey answers ID --json" too: only those three members of
 * each entry are sent); CHECKS.json is {"answers": [{"check", "answer",
 * "note"}, ...]}. Both are read whole, at most 4 MiB; an entry whose
 * answer is null is left out.
 *
 * --json prints the API's JSON. An API error is printed with its code,
 * field and message (exit 1); bad usage prints the usage (exit 2).
 */
#include "cli/cli.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>

#include "common/buf.h"
#include "common/util.h"
#include "service/surveys.h"

#define FILE_MAX (4 * 1024 * 1024) /* an answers or checks file */

/* ---- shared helpers (cli.h) ---- */

const char *cli_jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

bool cli_seg_ok(const char *id, bool digits_only)
{
    size_t n = strlen(id);
    if (digits_only)
        return n > 0 && n <= 18 && strspn(id, "0123456789") == n;
    return n > 0 && n < 40 &&
           strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                      "0123456789-_") == n;
}

void cli_no_token(void)
{
    cli_errf("no token: pass --token or set INFRASHARE_TOKEN (create one with "
             "'infrashare token create USER')\n",
             "トークンがありません: --token を指定するか INFRASHARE_TOKEN "
             "を設定してください（作成は 'infrashare token create USER'）\n");
}

int cli_conn_of(const struct cli_args *a, struct cli_conn *k)
{
    k->url = cli_opt(a, "url") ? cli_opt(a, "url") : getenv("INFRASHARE_URL");
    k->token =
        cli_opt(a, "token") ? cli_opt(a, "token") : getenv("INFRASHARE_TOKEN");
    if (!k->url)
        k->url = "http://127.0.0.1:8080";
    if (!k->token) {
        cli_no_token();
        return 2;
    }
    return 0;
}

int cli_req(const struct cli_conn *k, const char *method, const char *path,
            json_t *body, struct api_answer *ans)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    memset(ans, 0, sizeof(*ans));
    if (body && !text) {
        cli_errf("out of memory\n", "メモリが足りません\n");
        return 1;
    }
    char err[512];
    int rc = cli_api_call(k->url, k->token, method, path, text, ans, err,
                          sizeof(err));
    free(text);
    if (rc) {
        cli_errf("cannot reach the hub: %s\n", "ハブに接続できません: %s\n",
                 err);
        buf_release(&ans->body);
        return 1;
    }
    if (ans->status < 200 || ans->status > 299) {
        cli_print_api_error_field(ans);
        buf_release(&ans->body);
        return 1;
    }
    return 0;
}

int cli_req_json(const struct cli_conn *k, const char *method, const char *path,
                 json_t *body, json_t **out)
{
    struct api_answer ans;
    *out = NULL;
    int rc = cli_req(k, method, path, body, &ans);
    if (rc)
        return rc;
    *out = json_loads(buf_str(&ans.body), 0, NULL);
    buf_release(&ans.body);
    if (!*out) {
        cli_errf("the hub's answer is not JSON\n",
                 "ハブの応答が JSON ではありません\n");
        return 1;
    }
    return 0;
}

void cli_put_json(const json_t *j)
{
    char *t = json_dumps(j, JSON_INDENT(2));
    printf("%s\n", t ? t : "{}");
    free(t);
}

json_t *cli_list_of(const char *text)
{
    json_t *arr = json_array();
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n)
            json_array_append_new(arr, json_stringn(p, n));
        p += n;
        if (*p == ',')
            p++;
    }
    return arr;
}

int cli_save_file(const char *path, const char *data, size_t n)
{
    /* "-": standard output, as "-" is standard input where a file is
     * read */
    bool out = strcmp(path, "-") == 0;
    FILE *f = out ? stdout : fopen(path, "wb");
    if (!f) {
        cli_errf("%s: cannot open: %s\n", "%s: 開けません: %s\n", path,
                 strerror(errno));
        return 1;
    }
    bool bad = fwrite(data, 1, n, f) != n;
    bad |= (out ? fflush(f) : fclose(f)) != 0;
    if (bad) {
        cli_errf("%s: cannot write\n", "%s: 書き込めません\n", path);
        return 1;
    }
    return 0;
}

json_t *cli_load_json(const char *path, size_t cap)
{
    char *text = NULL;
    size_t len = 0;
    int rc = util_read_file(path, cap, &text, &len);
    if (rc == IS_ERR_LIMIT) {
        cli_errf("%s: larger than %zu bytes\n",
                 "%s: %zu バイトを超えています\n", path, cap);
        return NULL;
    }
    if (rc) {
        cli_errf("%s: cannot read: %s\n", "%s: 読めません: %s\n", path,
                 strerror(errno));
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    free(text);
    if (!j)
        cli_json_error(path, &je);
    return j;
}

/* ---- usage ---- */

static int usage(void)
{
    fprintf(stderr,
            "infrashare: survey list [--json] | survey show ID [--json]\n"
            "            survey open --fy N --deadline RFC3339 [--sectors a,b] "
            "[--title-ja T --title-en T] [--edition E]\n"
            "            survey close ID\n"
            "            survey progress ID [--json]\n"
            "            survey remind ID [--orgs a,b]\n"
            "            survey results ID [--format json|csv|html] "
            "[--lang ja|en] [--out FILE|-]\n"
            "            survey answers ID [--org ORG] [--json]\n"
            "            survey answer ID --file ANSWERS.json [--submit] "
            "[--share]\n"
            "              (ANSWERS.json: {\"answers\": [{\"item\": ..., "
            "\"answer\": adopted|partly|not|na, \"evidence\": ...}]};\n"
            "               without --submit a draft is saved, and a "
            "submitted response goes back to a draft)\n"
            "            survey attach ID --item ITEM FILE [--type MEDIA]   "
            "(at most 2 MiB)\n"
            "            bcp show [--json] | bcp set --file CHECKS.json\n"
            "              (CHECKS.json: {\"answers\": [{\"check\": ..., "
            "\"answer\": ..., \"note\": ...}]})\n"
            "  (安全基準等の浸透状況等に関する調査・CP/BCP準備状況)\n");
    return 2;
}

/* ---- human output ---- */

static long long num(const json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

/* A time member, or "-". */
static const char *when(const json_t *o, const char *key)
{
    const char *s = cli_jstr(o, key);
    return *s ? s : "-";
}

static void print_line(const json_t *s)
{
    const json_t *t = json_object_get(s, "title");
    printf("%-8s FY%lld %-6s deadline %s  %lld operator(s)  %s / %s\n",
           cli_jstr(s, "id"), num(s, "fy"), cli_jstr(s, "state"),
           when(s, "deadline"), num(s, "targets"), cli_jstr(t, "ja"),
           cli_jstr(t, "en"));
}

static void print_mine(const json_t *m)
{
    if (!json_is_object(m))
        return;
    printf("  your response / 自組織の回答: %s, answered %lld",
           cli_jstr(m, "state"), num(m, "answered"));
    if (json_object_get(m, "version"))
        printf(", version %lld%s", num(m, "version"),
               json_is_true(json_object_get(m, "shared"))
                   ? ", shared with the secretariat / 事務局と共有"
                   : "");
    putchar('\n');
}

static void print_campaign(const json_t *s)
{
    print_line(s);
    printf("  edition %s, %lld item(s), version %lld\n", cli_jstr(s, "edition"),
           num(s, "items"), num(s, "version"));
    const json_t *sec = json_object_get(s, "sectors");
    printf("  sectors / 分野: ");
    if (json_array_size(sec) == 0)
        printf("all / 全分野");
    size_t i;
    json_t *v;
    json_array_foreach (sec, i, v)
        printf("%s%s", i ? ", " : "", json_string_value(v));
    putchar('\n');
    printf("  opened %s, closed %s\n", when(s, "opened_at"),
           when(s, "closed_at"));
    print_mine(json_object_get(s, "mine"));
}

static void print_progress(const json_t *p)
{
    printf("campaign %s %s\n", cli_jstr(p, "campaign"), cli_jstr(p, "state"));
    printf("%-16s %7s %9s %6s %5s  %s\n", "sector / 分野", "asked", "submitted",
           "drafts", "none", "name / 名称");
    size_t i;
    json_t *s;
    json_array_foreach (json_object_get(p, "sectors"), i, s) {
        const json_t *n = json_object_get(s, "name");
        printf("%-16s %7lld %9lld %6lld %5lld  %s / %s\n",
               cli_jstr(s, "sector"), num(s, "targets"), num(s, "submitted"),
               num(s, "drafts"), num(s, "none"), cli_jstr(n, "ja"),
               cli_jstr(n, "en"));
    }
    const json_t *m = json_object_get(p, "members");
    if (!json_is_array(m))
        return;
    printf("members / 会員 (%zu):\n", json_array_size(m));
    json_array_foreach (m, i, s) {
        const json_t *n = json_object_get(s, "name");
        printf("  %-24s %-10s %-10s answered %3lld  %-10s reminded %s  "
               "%s / %s\n",
               cli_jstr(s, "org"), cli_jstr(s, "sector"), cli_jstr(s, "state"),
               num(s, "answered"),
               json_is_true(json_object_get(s, "shared")) ? "shared"
                                                          : "not-shared",
               when(s, "last_reminded"), cli_jstr(n, "ja"), cli_jstr(n, "en"));
    }
}

/* The columns a code point takes on a terminal: 2 for East Asian wide
 * and full-width characters (an approximation of Unicode's ranges). */
static int columns(unsigned cp)
{
    return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
                   (cp >= 0xac00 && cp <= 0xd7a3) ||
                   (cp >= 0xf900 && cp <= 0xfaff) ||
                   (cp >= 0xfe30 && cp <= 0xfe4f) ||
                   (cp >= 0xff00 && cp <= 0xff60) ||
                   (cp >= 0xffe0 && cp <= 0xffe6) || cp >= 0x20000
               ? 2
               : 1;
}

/* s, then spaces up to width columns (an item id such as
 * "4.1.3(2)(ア)-1" mixes ASCII and katakana). */
static void put_col(const char *s, int width)
{
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        int n = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
        unsigned cp = n == 1 ? *p : *p & (0x3fu >> (n - 1));
        int k = 1;
        for (; k < n && (p[k] & 0xc0) == 0x80; k++)
            cp = cp << 6 | (p[k] & 0x3fu);
        w += columns(cp);
        p += k;
    }
    fputs(s, stdout);
    for (; w < width; w++)
        putchar(' ');
}

static void print_response(const json_t *r)
{
    const json_t *n = json_object_get(r, "name");
    printf("response of %s (%s / %s), sector %s, campaign %s\n",
           cli_jstr(r, "org"), cli_jstr(n, "ja"), cli_jstr(n, "en"),
           cli_jstr(r, "sector"), cli_jstr(r, "campaign"));
    printf("  state %s, %s, version %lld, %lld of %lld item(s) unanswered\n",
           cli_jstr(r, "state"),
           json_is_true(json_object_get(r, "shared"))
               ? "shared with the secretariat / 事務局と共有"
               : "not shared / 非共有",
           num(r, "version"), num(r, "missing"), num(r, "items"));
    printf("  updated %s, submitted %s\n", when(r, "updated_at"),
           when(r, "submitted_at"));
    size_t i;
    json_t *a;
    json_array_foreach (json_object_get(r, "answers"), i, a) {
        const char *ans = json_string_value(json_object_get(a, "answer"));
        size_t files = json_array_size(json_object_get(a, "attachments"));
        printf("  ");
        put_col(cli_jstr(a, "item"), 22);
        printf(" %s", ans ? ans : "-");
        if (files)
            printf("%*s[%zu file(s)]", ans ? 10 - (int)strlen(ans) : 9, "",
                   files);
        putchar('\n');
        const char *ev = cli_jstr(a, "evidence");
        if (*ev)
            printf("      evidence / 根拠: %s\n", ev);
    }
    size_t sug = json_array_size(json_object_get(r, "suggested"));
    if (sug)
        printf("  %zu answer(s) suggested from CP/BCP readiness / "
               "CP・BCP準備状況からの回答候補\n",
               sug);
}

/* One group of the published results. */
static void print_group(const json_t *g)
{
    const json_t *n = json_object_get(g, "name");
    if (!json_is_true(json_object_get(g, "published"))) {
        printf("  %-16s (not published: fewer than the minimum group / "
               "非公表)  %s / %s\n",
               cli_jstr(g, "key"), cli_jstr(n, "ja"), cli_jstr(n, "en"));
        return;
    }
    const json_t *r = json_object_get(g, "rate");
    const json_t *c = json_object_get(g, "change");
    printf("  %-16s %4lld respondent(s)  rate ", cli_jstr(g, "key"),
           num(g, "respondents"));
    if (json_is_number(r))
        printf("%5.1f%%", json_number_value(r));
    else
        printf("    -");
    if (json_is_number(c))
        printf(" (%+.1f)", json_number_value(c));
    static const char *const phases[] = {"plan", "do", "check", "act", "bcp"};
    const json_t *ph = json_object_get(g, "phases");
    for (size_t i = 0; i < IS_ARRAY_LEN(phases); i++) {
        const json_t *v = json_object_get(ph, phases[i]);
        if (json_is_number(v))
            printf("  %s %.1f%%", phases[i], json_number_value(v));
        else
            printf("  %s -", phases[i]);
    }
    printf("  %s / %s\n", cli_jstr(n, "ja"), cli_jstr(n, "en"));
}

static void print_results(const json_t *p)
{
    printf("results / 集計結果: %s FY%lld, edition %s (groups of fewer than "
           "%lld are not published / %lld未満の集団は非公表)\n",
           cli_jstr(p, "campaign"), num(p, "fy"), cli_jstr(p, "edition"),
           num(p, "min_group"), num(p, "min_group"));
    const json_t *prev = json_object_get(p, "previous");
    if (json_is_object(prev))
        printf("  change from %s (FY%lld) / 前年度比\n",
               cli_jstr(prev, "campaign"), num(prev, "fy"));
    size_t i;
    json_t *g;
    json_array_foreach (json_object_get(p, "groups"), i, g)
        print_group(g);
}

static void print_bcp(const json_t *b)
{
    printf("CP/BCP readiness / CP・BCP準備状況: %s, edition %s, version %lld, "
           "%lld of %lld check(s) answered\n",
           cli_jstr(b, "org"), cli_jstr(b, "edition"), num(b, "version"),
           num(b, "answered"), num(b, "total"));
    size_t i, k;
    json_t *ch, *ck;
    json_array_foreach (json_object_get(b, "characteristics"), i, ch) {
        const json_t *t = json_object_get(ch, "title");
        const json_t *r = json_object_get(ch, "readiness");
        printf("%-6s ", cli_jstr(ch, "id"));
        if (json_is_integer(r))
            printf("readiness %3lld%%", (long long)json_integer_value(r));
        else
            printf("readiness    -");
        printf(" (%lld/%lld)  %s / %s\n", num(ch, "answered"), num(ch, "total"),
               cli_jstr(t, "ja"), cli_jstr(t, "en"));
        json_array_foreach (json_object_get(ch, "checks"), k, ck) {
            const json_t *x = json_object_get(ck, "text");
            const char *ans = json_string_value(json_object_get(ck, "answer"));
            printf("    %-8s %-8s %s\n", cli_jstr(ck, "id"), ans ? ans : "-",
                   cli_jstr(x, "ja"));
            printf("    %-8s %-8s %s\n", "", "", cli_jstr(x, "en"));
            const char *note = cli_jstr(ck, "note");
            if (*note)
                printf("    %-8s %-8s note / メモ: %s\n", "", "", note);
        }
    }
}

/* ---- commands ---- */

static int open_cmd(const struct cli_conn *k, const struct cli_args *a)
{
    const char *fy = cli_opt(a, "fy"), *dl = cli_opt(a, "deadline");
    if (a->npos != 1 || !fy || !dl)
        return usage();
    long year;
    if (util_parse_long(fy, 2000, 2100, &year)) {
        cli_errf(
            "--fy: a fiscal year, 2000 to 2100 (not \"%.40s\")\n",
            "--fy: 年度を 2000 から 2100 で指定してください（\"%.40s\" は使"
            "えません）\n",
            fy);
        return 2;
    }
    int64_t t;
    if (util_time_parse(dl, &t)) {
        cli_errf(
            "--deadline: an RFC 3339 time (2026-12-25T17:00:00+09:00; "
            "not \"%.40s\")\n",
            "--deadline: RFC 3339 "
            "の時刻で指定してください（2026-12-25T17:00:00+09:00。\"%.40s\" "
            "は使えません）\n",
            dl);
        return 2;
    }
    json_t *body =
        json_pack("{s:I,s:s}", "fy", (json_int_t)year, "deadline", dl);
    static const char *const texts[][2] = {{"title-ja", "title_ja"},
                                           {"title-en", "title_en"},
                                           {"edition", "edition"}};
    for (size_t i = 0; body && i < IS_ARRAY_LEN(texts); i++) {
        if (!cli_opt(a, texts[i][0]))
            continue;
        json_t *v = json_string(cli_opt(a, texts[i][0]));
        if (!v) {
            cli_errf("--%s: not UTF-8 text\n",
                     "--%s: UTF-8 のテキストではありません\n", texts[i][0]);
            json_decref(body);
            return 2;
        }
        json_object_set_new(body, texts[i][1], v);
    }
    if (body && cli_opt(a, "sectors"))
        json_object_set_new(body, "sectors",
                            cli_list_of(cli_opt(a, "sectors")));
    json_t *s;
    int rc = cli_req_json(k, "POST", "/api/v1/surveys", body, &s);
    json_decref(body);
    if (rc)
        return rc;
    if (cli_flag(a, "json")) {
        cli_put_json(s);
    } else {
        printf("opened / 開始しました:\n");
        print_campaign(s);
    }
    json_decref(s);
    return 0;
}

static int close_cmd(const struct cli_conn *k, const struct cli_args *a)
{
    char path[128];
    util_xsnprintf(path, sizeof(path), "/api/v1/surveys/%s", a->pos[1]);
    json_t *s;
    int rc = cli_req_json(k, "GET", path, NULL, &s);
    if (rc)
        return rc;
    json_t *body = json_pack("{s:I}", "version",
                             json_integer_value(json_object_get(s, "version")));
    json_decref(s);
    util_xsnprintf(path, sizeof(path), "/api/v1/surveys/%s/close", a->pos[1]);
    rc = cli_req_json(k, "POST", path, body, &s);
    json_decref(body);
    if (rc)
        return rc;
    if (cli_flag(a, "json")) {
        cli_put_json(s);
    } else {
        printf("closed / 締め切りました (the results are published / "
               "集計結果を公表):\n");
        print_line(s);
    }
    json_decref(s);
    return 0;
}

static int remind_cmd(const struct cli_conn *k, const struct cli_args *a)
{
    json_t *body = json_object();
    if (cli_opt(a, "orgs"))
        json_object_set_new(body, "orgs", cli_list_of(cli_opt(a, "orgs")));
    char path[128];
    util_xsnprintf(path, sizeof(path), "/api/v1/surveys/%s/remind", a->pos[1]);
    json_t *r;
    int rc = cli_req_json(k, "POST", path, body, &r);
    json_decref(body);
    if (rc)
        return rc;
    if (cli_flag(a, "json")) {
        cli_put_json(r);
        json_decref(r);
        return 0;
    }
    const json_t *sent = json_object_get(r, "reminded");
    printf("reminded / 督促しました: %zu operator(s), %lld message(s)\n",
           json_array_size(sent), num(r, "messages"));
    size_t i;
    json_t *v;
    json_array_foreach (sent, i, v)
        printf("  %-24s %lld message(s)\n", cli_jstr(v, "org"),
               num(v, "messages"));
    const json_t *skipped = json_object_get(r, "skipped");
    if (json_array_size(skipped))
        printf("skipped / 対象外 (%zu):\n", json_array_size(skipped));
    json_array_foreach (skipped, i, v)
        printf("  %-24s %s\n", cli_jstr(v, "org"), cli_jstr(v, "reason"));
    json_decref(r);
    return 0;
}

static int results_cmd(const struct cli_conn *k, const struct cli_args *a)
{
    const char *fmt = cli_opt(a, "format");
    const char *lang = cli_opt(a, "lang");
    const char *out = cli_opt(a, "out");
    static const char *const fmts[] = {"json", "csv", "html", NULL};
    static const char *const langs[] = {"ja", "en", NULL};
    if (!cli_enum_opt(a, "format", fmts) || !cli_enum_opt(a, "lang", langs))
        return 2;
    /* no --format: a summary on the terminal, the JSON into --out */
    bool human = !fmt && !out && !cli_flag(a, "json");
    char path[160];
    if (fmt && strcmp(fmt, "html") == 0)
        util_xsnprintf(path, sizeof(path), "/api/v1/surveys/%s/report?lang=%s",
                       a->pos[1], lang ? lang : "ja");
    else
        util_xsnprintf(path, sizeof(path),
                       "/api/v1/surveys/%s/aggregates?format=%s%s%s", a->pos[1],
                       fmt ? fmt : "json", lang ? "&lang=" : "",
                       lang ? lang : "");
    struct api_answer ans;
    int rc = cli_req(k, "GET", path, NULL, &ans);
    if (rc)
        return rc;
    if (out) {
        rc = cli_save_file(out, buf_str(&ans.body), ans.body.len);
        if (!rc && strcmp(out, "-") != 0)
            printf("results of %s written to %s (%zu bytes)\n", a->pos[1], out,
                   ans.body.len);
    } else if (human) {
        json_t *p = json_loads(buf_str(&ans.body), 0, NULL);
        if (p)
            print_results(p);
        else
            cli_errf("the hub's answer is not JSON\n",
                     "ハブの応答が JSON ではありません\n");
        rc = p ? 0 : 1;
        json_decref(p);
    } else {
        fwrite(buf_str(&ans.body), 1, ans.body.len, stdout);
        if (ans.body.len && buf_str(&ans.body)[ans.body.len - 1] != '\n')
            putchar('\n');
    }
    buf_release(&ans.body);
    return rc;
}

/* The entries of a file's "answers" array with only the members named
 * (NULL with the reason printed when there is no such array). */
static json_t *entries_of(const char *file, const json_t *doc,
                          const char *const keys[3])
{
    const json_t *arr = json_object_get(doc, "answers");
    if (!json_is_array(arr)) {
        cli_errf("%s: an object with an \"answers\" array expected\n",
                 "%s: \"answers\" 配列を持つオブジェクトが必要です\n", file);
        return NULL;
    }
    json_t *out = json_array();
    size_t i;
    json_t *v;
    json_array_foreach (arr, i, v) {
        /* an item with files and no answer yet (as "survey answers
         * --json" shows it): nothing to send */
        if (json_is_null(json_object_get(v, "answer")))
            continue;
        json_t *e = json_object();
        for (int k = 0; k < 3; k++) {
            json_t *m = json_object_get(v, keys[k]);
            if (m)
                json_object_set(e, keys[k], m);
        }
        json_array_append_new(out, e);
    }
    return out;
}

static int answer_cmd(const struct cli_conn *k, const struct cli_args *a)
{
    const char *file = cli_opt(a, "file");
    if (!file)
        return usage();
    json_t *doc = cli_load_json(file, FILE_MAX);
    if (!doc)
        return 1;
    static const char *const keys[3] = {"item", "answer", "evidence"};
    json_t *answers = entries_of(file, doc, keys);
    json_decref(doc);
    if (!answers)
        return 1;
    /* the response's version first (0 before the first save) */
    char path[128];
    util_xsnprintf(path, sizeof(path), "/api/v1/surveys/%s/answers", a->pos[1]);
    json_t *cur;
    int rc = cli_req_json(k, "GET", path, NULL, &cur);
    if (rc) {
        json_decref(answers);
        return rc;
    }
    json_t *body =
        json_pack("{s:I,s:o,s:b}", "version",
                  json_integer_value(json_object_get(cur, "version")),
                  "answers", answers, "submit", cli_flag(a, "submit"));
    json_decref(cur);
    if (body && cli_flag(a, "share"))
        json_object_set_new(body, "shared", json_true());
    json_t *r;
    rc = cli_req_json(k, "POST", path, body, &r);
    json_decref(body);
    if (rc)
        return rc;
    if (cli_flag(a, "json")) {
        cli_put_json(r);
    } else {
        printf("%s: %s %s, version %lld, %lld of %lld item(s) unanswered\n",
               strcmp(cli_jstr(r, "state"), "submitted") == 0
                   ? "submitted / 提出しました"
                   : "saved as a draft / 下書きを保存しました",
               cli_jstr(r, "campaign"), cli_jstr(r, "org"), num(r, "version"),
               num(r, "missing"), num(r, "items"));
    }
    json_decref(r);
    return 0;
}

/* A media type from a file name's extension (NULL: the hub's default). */
static const char *media_of(const char *name)
{
    static const char *const types[][2] = {
        {".pdf", "application/pdf"},
        {".txt", "text/plain"},
        {".csv", "text/csv"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".json", "application/json"},
        {".xlsx",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        {".docx",
         "application/"
         "vnd.openxmlformats-officedocument.wordprocessingml.document"},
        {".zip", "application/zip"}};
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < IS_ARRAY_LEN(types); i++)
        if (strcasecmp(dot, types[i][0]) == 0)
            return types[i][1];
    return NULL;
}

/* Reads the attachment file (a regular file of at most
 * SURVEY_ATTACHMENT_MAX bytes) into *data. Returns 0, or 1 with the reason
 * printed. */
static int read_attachment(const char *file, unsigned char **data, size_t *n)
{
    *data = NULL;
    *n = 0;
    FILE *f = fopen(file, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        if (f)
            cli_errf("%s: cannot read: not a regular file\n",
                     "%s: 読めません: 通常のファイルではありません\n", file);
        else
            cli_errf("%s: cannot read: %s\n", "%s: 読めません: %s\n", file,
                     strerror(errno));
        if (f)
            fclose(f);
        return 1;
    }
    if (st.st_size > SURVEY_ATTACHMENT_MAX) {
        fprintf(stderr,
                "infrashare: too_large (field content): %s is %lld bytes; "
                "a file is at most %d bytes (2 MiB) / 添付ファイルは2MiBまで\n",
                file, (long long)st.st_size, SURVEY_ATTACHMENT_MAX);
        fclose(f);
        return 1;
    }
    *data = malloc((size_t)st.st_size + 1);
    if (!*data) {
        fclose(f);
        cli_errf("out of memory\n", "メモリが足りません\n");
        return 1;
    }
    /* one byte more than the size read: a file that grew is refused */
    *n = fread(*data, 1, (size_t)st.st_size + 1, f);
    bool bad = ferror(f) || *n != (size_t)st.st_size;
    fclose(f);
    if (bad) {
        cli_errf("%s: changed while read, or unreadable\n",
                 "%s: 読み込み中に変更されたか、読めません\n", file);
        free(*data);
        *data = NULL;
        return 1;
    }
    return 0;
}

static int attach_cmd(const struct cli_conn *k, const struct cli_args *a)
{
    const char *item = cli_opt(a, "item");
    if (a->npos != 3 || !item)
        return usage();
    const char *file = a->pos[2];
    unsigned char *data;
    size_t n;
    if (read_attachment(file, &data, &n))
        return 1;
    size_t blen = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(blen);
    if (!b64) {
        free(data);
        cli_errf("out of memory\n", "メモリが足りません\n");
        return 1;
    }
    sodium_bin2base64(b64, blen, data, n, sodium_base64_VARIANT_ORIGINAL);
    free(data);
    const char *slash = strrchr(file, '/');
    const char *name = slash ? slash + 1 : file;
    const char *type = cli_opt(a, "type") ? cli_opt(a, "type") : media_of(name);
    json_t *body = json_pack("{s:s,s:s,s:s,s:s?}", "item", item, "name", name,
                             "content", b64, "content_type", type);
    free(b64);
    if (!body) {
        cli_errf("%s: the file name or item is not UTF-8 text\n",
                 "%s: ファイル名または項目が UTF-8 のテキストではありません\n",
                 file);
        return 1;
    }
    char path[128];
    util_xsnprintf(path, sizeof(path), "/api/v1/surveys/%s/attachments",
                   a->pos[1]);
    json_t *r;
    int rc = cli_req_json(k, "POST", path, body, &r);
    json_decref(body);
    if (rc)
        return rc;
    if (cli_flag(a, "json"))
        cli_put_json(r);
    else
        printf("attached / 添付しました: id %lld, item %s, %s (%s), %lld "
               "bytes, sha256 %s\n",
               num(r, "id"), cli_jstr(r, "item"), cli_jstr(r, "name"),
               cli_jstr(r, "content_type"), num(r, "size"),
               cli_jstr(r, "sha256"));
    json_decref(r);
    return 0;
}

/* list, show ID, progress ID, answers ID [--org ORG]: a GET and its
 * printing. */
static int read_cmd(const struct cli_conn *k, const struct cli_args *a,
                    const char *sub)
{
    char path[160];
    const char *org = cli_opt(a, "org");
    if (strcmp(sub, "list") == 0)
        util_xcopy(path, sizeof(path), "/api/v1/surveys");
    else if (strcmp(sub, "show") == 0)
        util_xsnprintf(path, sizeof(path), "/api/v1/surveys/%s", a->pos[1]);
    else if (strcmp(sub, "progress") == 0)
        util_xsnprintf(path, sizeof(path), "/api/v1/surveys/%s/progress",
                       a->pos[1]);
    else
        util_xsnprintf(path, sizeof(path), "/api/v1/surveys/%s/answers%s%s",
                       a->pos[1], org ? "?org=" : "", org ? org : "");
    json_t *j;
    int rc = cli_req_json(k, "GET", path, NULL, &j);
    if (rc)
        return rc;
    if (cli_flag(a, "json")) {
        cli_put_json(j);
    } else if (strcmp(sub, "show") == 0) {
        print_campaign(j);
    } else if (strcmp(sub, "progress") == 0) {
        print_progress(j);
    } else if (strcmp(sub, "answers") == 0) {
        print_response(j);
    } else {
        const json_t *xs = json_object_get(j, "items");
        if (json_array_size(xs) == 0)
            printf("no survey campaigns / 調査はありません\n");
        size_t i;
        json_t *x;
        json_array_foreach (xs, i, x) {
            print_line(x);
            print_mine(json_object_get(x, "mine"));
        }
    }
    json_decref(j);
    return 0;
}

static const char *const flags[] = {"json", "submit", "share", NULL};
static const char *const valued[] = {
    "url",      "token",   "fy",   "deadline", "sectors", "title-ja",
    "title-en", "edition", "orgs", "format",   "lang",    "out",
    "org",      "file",    "item", "type",     NULL};

int cli_survey(int argc, char **argv)
{
    struct cli_args a;
    if (cli_parse(argc, argv, flags, valued, &a))
        return usage();
    const char *sub = a.npos > 0 ? a.pos[0] : "";
    /* the commands and their positional arguments (with the subcommand) */
    static const struct {
        const char *name;
        int npos;
    } cmds[] = {{"list", 1},     {"show", 2},   {"open", 1},    {"close", 2},
                {"progress", 2}, {"remind", 2}, {"results", 2}, {"answers", 2},
                {"answer", 2},   {"attach", 3}};
    int want = -1;
    for (size_t i = 0; i < IS_ARRAY_LEN(cmds); i++)
        if (strcmp(sub, cmds[i].name) == 0)
            want = cmds[i].npos;
    if (want < 0 || a.npos != want ||
        (want > 1 && !cli_seg_ok(a.pos[1], false)))
        return usage();
    if (cli_opt(&a, "org") && !cli_seg_ok(cli_opt(&a, "org"), false)) {
        cli_errf("--org: an organisation id (letters, digits, '-' and '_'; "
                 "not \"%.40s\")\n",
                 "--org: 組織 ID（英字、数字、'-'、'_'）で指定してください（"
                 "\"%.40s\" は使えません）\n",
                 cli_opt(&a, "org"));
        return 2;
    }
    struct cli_conn k;
    int rc = cli_conn_of(&a, &k);
    if (rc)
        return rc;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (strcmp(sub, "open") == 0)
        rc = open_cmd(&k, &a);
    else if (strcmp(sub, "close") == 0)
        rc = close_cmd(&k, &a);
    else if (strcmp(sub, "remind") == 0)
        rc = remind_cmd(&k, &a);
    else if (strcmp(sub, "results") == 0)
        rc = results_cmd(&k, &a);
    else if (strcmp(sub, "answer") == 0)
        rc = answer_cmd(&k, &a);
    else if (strcmp(sub, "attach") == 0)
        rc = attach_cmd(&k, &a);
    else
        rc = read_cmd(&k, &a, sub);
    curl_global_cleanup();
    return rc;
}

/* ---- bcp ---- */

static int bcp_set(const struct cli_conn *k, const struct cli_args *a)
{
    const char *file = cli_opt(a, "file");
    if (!file)
        return usage();
    json_t *doc = cli_load_json(file, FILE_MAX);
    if (!doc)
        return 1;
    static const char *const keys[3] = {"check", "answer", "note"};
    json_t *answers = entries_of(file, doc, keys);
    json_decref(doc);
    if (!answers)
        return 1;
    json_t *cur;
    int rc = cli_req_json(k, "GET", "/api/v1/bcp-readiness", NULL, &cur);
    if (rc) {
        json_decref(answers);
        return rc;
    }
    json_t *body =
        json_pack("{s:I,s:o}", "version",
                  json_integer_value(json_object_get(cur, "version")),
                  "answers", answers);
    json_decref(cur);
    json_t *r;
    rc = cli_req_json(k, "PUT", "/api/v1/bcp-readiness", body, &r);
    json_decref(body);
    if (rc)
        return rc;
    if (cli_flag(a, "json"))
        cli_put_json(r);
    else
        printf("saved / 保存しました: version %lld, %lld of %lld check(s) "
               "answered\n",
               num(r, "version"), num(r, "answered"), num(r, "total"));
    json_decref(r);
    return 0;
}

int cli_bcp(int argc, char **argv)
{
    struct cli_args a;
    if (cli_parse(argc, argv, flags, valued, &a))
        return usage();
    const char *sub = a.npos > 0 ? a.pos[0] : "";
    if (a.npos != 1 || (strcmp(sub, "show") && strcmp(sub, "set")))
        return usage();
    struct cli_conn k;
    int rc = cli_conn_of(&a, &k);
    if (rc)
        return rc;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (strcmp(sub, "set") == 0) {
        rc = bcp_set(&k, &a);
    } else {
        json_t *b;
        rc = cli_req_json(&k, "GET", "/api/v1/bcp-readiness", NULL, &b);
        if (!rc && cli_flag(&a, "json"))
            cli_put_json(b);
        else if (!rc)
            print_bcp(b);
        json_decref(b);
    }
    curl_global_cleanup();
    return rc;
}
