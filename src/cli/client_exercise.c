/*
 * client_exercise.c - infrashare exercise: cross-sector exercises over the
 * API (issue 14; service/exercises.h, http/routes_exercises.c). The
 * offline scenario check (exercise check FILE) stays in cli/infrashare.c.
 *
 *   exercise create --scenario FILE --title-ja T --title-en T
 *                   [--sectors a,b] [--orgs a,b] [--ceptoars a,b]
 *                   [--planned-for YYYY-MM-DD] [--scale N]
 *   exercise list | show ID
 *   exercise start ID [--paused] [--scale N]
 *   exercise brief ID | pause ID | resume ID | end ID
 *   exercise shift ID MINUTES | advance ID MINUTES | fire ID INJECT
 *   exercise board ID
 *   exercise debrief ID [--format json|csv|html] [--view full|summary]
 *                       [--out FILE|-]
 *
 * --json prints the API's JSON. An API error is printed with its code,
 * field and message (exit 1); bad usage prints the usage (exit 2).
 */
#include "cli/cli.h"

#include <curl/curl.h>
#include <stdio.h>

#include "common/buf.h"
#include "common/util.h"

static int usage(void)
{
    fprintf(
        stderr,
        "infrashare: exercise create --scenario FILE --title-ja T "
        "--title-en T\n"
        "              [--sectors a,b] [--orgs a,b] [--ceptoars a,b] "
        "[--planned-for YYYY-MM-DD] [--scale N]\n"
        "            exercise list | show ID   [--json]\n"
        "            exercise start ID [--paused] [--scale N]\n"
        "            exercise brief ID | pause ID | resume ID | end ID\n"
        "            exercise shift ID MINUTES   (-1440..1440: later "
        "positive, earlier negative)\n"
        "            exercise advance ID MINUTES   (1..1440)\n"
        "            exercise fire ID INJECT\n"
        "            exercise board ID [--json]\n"
        "            exercise debrief ID [--format json|csv|html] "
        "[--view full|summary] [--out FILE|-]\n"
        "            exercise check FILE [--registry]   (the scenario, "
        "offline; --registry: its names against the registry of --db)\n"
        "  (分野横断的演習: 作成・一覧・表示・進行・状況ボード・事後報告)\n");
    return 2;
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static long long num(const json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

/* An exercise id as a path segment: letters, digits, '-' and '_'. */
static bool id_ok(const char *id)
{
    size_t n = strlen(id);
    return n > 0 && n < 40 &&
           strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                      "0123456789-_") == n;
}

/* One request with a JSON body (NULL: none); the 2xx answer in *ans (the
 * caller's to buf_release). Returns the exit status: 0, or 1 with the
 * error printed. */
static int call(const char *url, const char *token, const char *method,
                const char *path, json_t *body, struct api_answer *ans)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    if (body && !text) {
        cli_errf("out of memory\n", "メモリが足りません\n");
        return 1;
    }
    char err[512];
    memset(ans, 0, sizeof(*ans));
    int rc =
        cli_api_call(url, token, method, path, text, ans, err, sizeof(err));
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

/* The same with the answer as JSON in *out (the caller's). */
static int call_json(const char *url, const char *token, const char *method,
                     const char *path, json_t *body, json_t **out)
{
    struct api_answer ans;
    *out = NULL;
    int rc = call(url, token, method, path, body, &ans);
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

static void print_json(const json_t *j)
{
    char *t = json_dumps(j, JSON_INDENT(2));
    printf("%s\n", t ? t : "{}");
    free(t);
}

/* "a,b,c" into ["a","b","c"] (empty items left out). */
static json_t *csv_array(const char *text)
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

/* ---- human output ---- */

/* One exercise in one line: id, state, planned date, participants,
 * titles. */
static void print_line(const json_t *x)
{
    const json_t *t = json_object_get(x, "title");
    const char *pf = str(x, "planned_for");
    printf("%-17s %-8s %-10s %3lld participant(s)  %s / %s\n", str(x, "id"),
           str(x, "state"), *pf ? pf : "-", num(x, "participants"),
           str(t, "ja"), str(t, "en"));
}

static void print_clock(const json_t *x)
{
    const json_t *k = json_object_get(x, "clock");
    if (!json_is_string(json_object_get(k, "started_at"))) {
        printf("  clock: not started (scale %lld)\n", num(k, "scale"));
        return;
    }
    printf("  clock: minute %lld%s, scale %lld, shift %+lld min, advanced "
           "%lld min\n"
           "         started %s, exercise time %s\n",
           num(k, "minute"),
           json_is_true(json_object_get(k, "paused")) ? " (paused / 一時停止中)"
                                                      : "",
           num(k, "scale"), num(k, "shift_min"), num(k, "advanced_min"),
           str(k, "started_at"), str(k, "exercise_time"));
}

/* The checklist's ticked items of a participant, as "N/M". */
static void checklist_count(const json_t *p, int *done, int *all)
{
    const char *k;
    json_t *v;
    *done = *all = 0;
    json_object_foreach (json_object_get(p, "checklist"), k, v) {
        (void)k;
        (*all)++;
        *done += json_is_true(v);
    }
}

static void print_participant(const json_t *p)
{
    const json_t *n = json_object_get(p, "name");
    int done, all;
    checklist_count(p, &done, &all);
    printf("    %-24s %-10s %-14s %s / %s", str(p, "org"), str(p, "kind"),
           str(p, "sector"), str(n, "ja"), str(n, "en"));
    if (all)
        printf("  [checklist %d/%d]", done, all);
    const char *venue = str(p, "venue");
    if (*venue)
        printf("  venue: %s", venue);
    putchar('\n');
}

static void print_exercise(const json_t *x)
{
    print_line(x);
    const char *sid = str(x, "scenario_id");
    if (*sid)
        printf("  scenario: %s\n", sid);
    print_clock(x);
    const char *rs = str(x, "report_state");
    if (*rs)
        printf("  report: %s\n", rs);
    const json_t *me = json_object_get(x, "me");
    if (json_is_object(me)) {
        printf("  your organisation takes part / 自組織は参加者です:\n");
        print_participant(me);
    }
    const json_t *list = json_object_get(x, "participant_list");
    if (json_is_array(list)) {
        printf("  participants / 参加者 (%zu):\n", json_array_size(list));
        size_t i;
        json_t *p;
        json_array_foreach (list, i, p)
            print_participant(p);
    }
}

static void print_board(const json_t *b)
{
    const json_t *k = json_object_get(b, "clock");
    printf("exercise %s %s, minute %lld%s\n", str(b, "exercise"),
           str(b, "state"), num(k, "minute"),
           json_is_true(json_object_get(k, "paused")) ? " (paused / 一時停止中)"
                                                      : "");
    const json_t *t = json_object_get(b, "totals");
    if (json_is_object(t))
        printf("totals: asked %lld, on_time %lld, late %lld, missed %lld, "
               "pending %lld\n",
               num(t, "asked"), num(t, "on_time"), num(t, "late"),
               num(t, "missed"), num(t, "pending"));
    const json_t *parts = json_object_get(b, "participants");
    if (json_array_size(parts) == 0) {
        printf("no participants on the board / 参加者の記録はありません\n");
        return;
    }
    size_t i, j;
    json_t *p, *a;
    json_array_foreach (parts, i, p) {
        long long c[4] = {0}; /* on_time, late, missed, pending */
        json_array_foreach (json_object_get(p, "actions"), j, a) {
            const char *o = str(a, "outcome");
            c[strcmp(o, "on_time") == 0  ? 0
              : strcmp(o, "late") == 0   ? 1
              : strcmp(o, "missed") == 0 ? 2
                                         : 3]++;
        }
        const json_t *n = json_object_get(p, "name");
        printf("%-24s %-14s on_time %lld  late %lld  missed %lld  pending "
               "%lld  injects %lld  %s / %s\n",
               str(p, "org"), str(p, "sector"), c[0], c[1], c[2], c[3],
               num(p, "injects_reached"), str(n, "ja"), str(n, "en"));
    }
}

/* One tally of the debrief: "asked N, on_time N, ...", or hidden. */
static void print_tally(const char *label, const json_t *t)
{
    if (json_is_true(json_object_get(t, "hidden"))) {
        printf("  %-24s (hidden: a group under 5 participants / 非表示)\n",
               label);
        return;
    }
    const json_t *m = json_object_get(t, "median_minutes");
    printf("  %-24s asked %lld, on_time %lld, late %lld, missed %lld, pending "
           "%lld, on-time rate %.1f%%",
           label, num(t, "asked"), num(t, "on_time"), num(t, "late"),
           num(t, "missed"), num(t, "pending"),
           100.0 * json_number_value(json_object_get(t, "on_time_rate")));
    if (json_is_number(m))
        printf(", median %.1f min", json_number_value(m));
    putchar('\n');
}

static void print_debrief(const json_t *d)
{
    const json_t *x = json_object_get(d, "exercise");
    const json_t *t = json_object_get(x, "title");
    printf("debrief / 事後報告: %s %s  %s / %s\n", str(x, "id"),
           str(x, "state"), str(t, "ja"), str(t, "en"));
    if (json_is_string(json_object_get(x, "started_at")))
        printf("  started %s%s%s\n", str(x, "started_at"),
               json_is_string(json_object_get(x, "ended_at")) ? ", ended " : "",
               str(x, "ended_at"));
    print_tally("all / 全体", json_object_get(d, "totals"));
    static const char *const groups[][3] = {{"sectors", "sector", "by sector"},
                                            {"actions", "action", "by action"},
                                            {"drills", "inject", "drills"}};
    for (size_t g = 0; g < IS_ARRAY_LEN(groups); g++) {
        const json_t *arr = json_object_get(d, groups[g][0]);
        if (json_array_size(arr) == 0)
            continue;
        printf("%s:\n", groups[g][2]);
        size_t i;
        json_t *it;
        json_array_foreach (arr, i, it)
            print_tally(str(it, groups[g][1]), it);
    }
    printf("questionnaire answers: %zu, notes: %zu\n",
           json_array_size(json_object_get(d, "questionnaire")),
           json_array_size(json_object_get(d, "notes")));
}

/* ---- commands ---- */

static int create(const char *url, const char *token, const struct cli_args *a)
{
    const char *file = cli_opt(a, "scenario");
    const char *tja = cli_opt(a, "title-ja"), *ten = cli_opt(a, "title-en");
    if (a->npos != 1 || !file || !tja || !ten)
        return usage();
    long scale = 0;
    if (cli_opt(a, "scale") &&
        util_parse_long(cli_opt(a, "scale"), 1, 3600, &scale)) {
        cli_errf("--scale: 1 to 3600 (not \"%.40s\")\n",
                 "--scale: 1 から 3600 で指定してください（\"%.40s\" は使えませ"
                 "ん）\n",
                 cli_opt(a, "scale"));
        return 2;
    }
    json_error_t je;
    json_t *sc = json_load_file(file, JSON_REJECT_DUPLICATES, &je);
    if (!sc) {
        cli_json_error(file, &je);
        return 1;
    }
    json_t *who = json_object();
    static const char *const lists[] = {"orgs", "sectors", "ceptoars"};
    for (size_t i = 0; i < IS_ARRAY_LEN(lists); i++)
        if (cli_opt(a, lists[i]))
            json_object_set_new(who, lists[i], csv_array(cli_opt(a, lists[i])));
    json_t *body = json_pack("{s:s,s:s,s:o,s:o,s:s?}", "title_ja", tja,
                             "title_en", ten, "scenario", sc, "participants",
                             who, "planned_for", cli_opt(a, "planned-for"));
    if (body && scale)
        json_object_set_new(body, "scale", json_integer(scale));
    json_t *x;
    int rc = call_json(url, token, "POST", "/api/v1/exercises", body, &x);
    json_decref(body);
    if (rc)
        return rc;
    if (cli_flag(a, "json")) {
        print_json(x);
    } else {
        printf("created / 作成しました:\n");
        print_exercise(x);
    }
    json_decref(x);
    return 0;
}

/* The control actions: the body of POST .../control, or 2 with the
 * reason printed. */
static int control_body(const struct cli_args *a, const char *act,
                        json_t **body)
{
    *body = json_pack("{s:s}", "action", act);
    if (!*body)
        return 1;
    bool minutes = strcmp(act, "shift") == 0 || strcmp(act, "advance") == 0;
    bool fire = strcmp(act, "fire") == 0;
    if (a->npos != (minutes || fire ? 3 : 2))
        return usage();
    long v = 0;
    if (minutes && strcmp(act, "shift") == 0 &&
        (util_parse_long(a->pos[2], -1440, 1440, &v) || v == 0)) {
        cli_errf("exercise shift ID MINUTES: -1440 to 1440, not 0 (later: "
                 "positive, earlier: negative)\n",
                 "exercise shift ID 分: -1440 から 1440、0 以外（遅らせる: "
                 "正、早める: 負）\n");
        return 2;
    }
    if (minutes && strcmp(act, "advance") == 0 &&
        util_parse_long(a->pos[2], 1, 1440, &v)) {
        cli_errf("exercise advance ID MINUTES: 1 to 1440 (the exercise's time "
                 "only goes forward)\n",
                 "exercise advance ID 分: 1 から "
                 "1440（演習の時刻は進めることしかできません）\n");
        return 2;
    }
    if (minutes)
        json_object_set_new(*body, "minutes", json_integer(v));
    if (fire)
        json_object_set_new(*body, "inject", json_string(a->pos[2]));
    if (strcmp(act, "start") == 0) {
        long scale = 0;
        if (cli_opt(a, "scale") &&
            util_parse_long(cli_opt(a, "scale"), 1, 3600, &scale)) {
            cli_errf("--scale: 1 to 3600 (not \"%.40s\")\n",
                     "--scale: 1 から 3600 で指定してください（\"%.40s\" は使え"
                     "ません）\n",
                     cli_opt(a, "scale"));
            return 2;
        }
        if (cli_opt(a, "scale"))
            json_object_set_new(*body, "scale", json_integer(scale));
        if (cli_flag(a, "paused"))
            json_object_set_new(*body, "paused", json_true());
    }
    return 0;
}

static int control(const char *url, const char *token, const struct cli_args *a,
                   const char *act)
{
    static const char *const said[][2] = {
        {"brief", "to the briefing / 説明会へ"},
        {"start", "started / 開始しました"},
        {"pause", "paused / 一時停止しました"},
        {"resume", "resumed / 再開しました"},
        {"shift", "timeline shifted / 時間軸をずらしました"},
        {"advance", "advanced / 時間を進めました"},
        {"fire", "inject fired / 状況を付与しました"},
        {"end", "ended / 終了しました"}};
    json_t *body;
    int rc = control_body(a, act, &body);
    if (rc) {
        json_decref(body);
        return rc;
    }
    char path[128];
    util_xsnprintf(path, sizeof(path), "/api/v1/exercises/%s/control",
                   a->pos[1]);
    json_t *x;
    rc = call_json(url, token, "POST", path, body, &x);
    json_decref(body);
    if (rc)
        return rc;
    if (cli_flag(a, "json")) {
        print_json(x);
    } else {
        for (size_t i = 0; i < IS_ARRAY_LEN(said); i++)
            if (strcmp(said[i][0], act) == 0)
                printf("%s%s%s:\n", said[i][1],
                       strcmp(act, "fire") == 0 ? " " : "",
                       strcmp(act, "fire") == 0 ? a->pos[2] : "");
        print_line(x);
        print_clock(x);
    }
    json_decref(x);
    return 0;
}

static int debrief(const char *url, const char *token, const struct cli_args *a)
{
    const char *fmt = cli_opt(a, "format");
    const char *view = cli_opt(a, "view");
    const char *out = cli_opt(a, "out");
    static const char *const fmts[] = {"json", "csv", "html", NULL};
    static const char *const views[] = {"full", "summary", NULL};
    if (a->npos != 2)
        return usage();
    if (!cli_enum_opt(a, "format", fmts) || !cli_enum_opt(a, "view", views))
        return 2;
    /* the management summary is a page */
    if (!fmt && view && strcmp(view, "summary") == 0)
        fmt = "html";
    /* no --format: a summary on the terminal, the JSON into --out */
    bool human = !fmt && !out && !cli_flag(a, "json");
    char path[160];
    util_xsnprintf(path, sizeof(path),
                   "/api/v1/exercises/%s/debrief?format=%s%s%s", a->pos[1],
                   fmt ? fmt : "json", view ? "&view=" : "", view ? view : "");
    struct api_answer ans;
    int rc = call(url, token, "GET", path, NULL, &ans);
    if (rc)
        return rc;
    if (out) {
        rc = cli_save_file(out, buf_str(&ans.body), ans.body.len);
        if (!rc && strcmp(out, "-") != 0)
            printf("debrief of exercise %s written to %s (%zu bytes)\n",
                   a->pos[1], out, ans.body.len);
    } else if (human) {
        json_t *d = json_loads(buf_str(&ans.body), 0, NULL);
        if (d)
            print_debrief(d);
        else
            cli_errf("the hub's answer is not JSON\n",
                     "ハブの応答が JSON ではありません\n");
        rc = d ? 0 : 1;
        json_decref(d);
    } else {
        fwrite(buf_str(&ans.body), 1, ans.body.len, stdout);
        if (ans.body.len && buf_str(&ans.body)[ans.body.len - 1] != '\n')
            putchar('\n');
    }
    buf_release(&ans.body);
    return rc;
}

/* list, show ID, board ID: a GET and its printing. */
static int read_cmd(const char *url, const char *token,
                    const struct cli_args *a, const char *sub)
{
    char path[128];
    if (strcmp(sub, "list") == 0)
        util_xcopy(path, sizeof(path), "/api/v1/exercises");
    else
        util_xsnprintf(path, sizeof(path), "/api/v1/exercises/%s%s", a->pos[1],
                       strcmp(sub, "board") == 0 ? "/board" : "");
    json_t *j;
    int rc = call_json(url, token, "GET", path, NULL, &j);
    if (rc)
        return rc;
    if (cli_flag(a, "json")) {
        print_json(j);
    } else if (strcmp(sub, "show") == 0) {
        print_exercise(j);
    } else if (strcmp(sub, "board") == 0) {
        print_board(j);
    } else {
        const json_t *xs = json_object_get(j, "exercises");
        if (json_array_size(xs) == 0)
            printf("no exercises / 演習はありません\n");
        size_t i;
        json_t *x;
        json_array_foreach (xs, i, x)
            print_line(x);
    }
    json_decref(j);
    return 0;
}

int cli_exercise(int argc, char **argv)
{
    static const char *const flags[] = {"json", "paused", NULL};
    static const char *const valued[] = {
        "url",     "token", "scenario", "title-ja", "title-en",
        "sectors", "orgs",  "ceptoars", "scale",    "planned-for",
        "format",  "view",  "out",      NULL};
    struct cli_args a;
    if (cli_parse(argc, argv, flags, valued, &a))
        return 2;
    const char *sub = a.npos > 0 ? a.pos[0] : "";
    static const char *const with_id[] = {
        "show",   "board", "debrief", "start",   "brief", "pause",
        "resume", "end",   "shift",   "advance", "fire"};
    bool needs_id = false;
    for (size_t i = 0; i < IS_ARRAY_LEN(with_id); i++)
        needs_id |= strcmp(sub, with_id[i]) == 0;
    bool known =
        needs_id || strcmp(sub, "list") == 0 || strcmp(sub, "create") == 0;
    if (!known || (needs_id && (a.npos < 2 || !id_ok(a.pos[1]))) ||
        ((strcmp(sub, "list") == 0 || strcmp(sub, "show") == 0 ||
          strcmp(sub, "board") == 0) &&
         a.npos != (strcmp(sub, "list") == 0 ? 1 : 2)))
        return usage();
    const char *url =
        cli_opt(&a, "url") ? cli_opt(&a, "url") : getenv("INFRASHARE_URL");
    const char *token = cli_opt(&a, "token") ? cli_opt(&a, "token")
                                             : getenv("INFRASHARE_TOKEN");
    if (!url)
        url = "http://127.0.0.1:8080";
    if (!token) {
        cli_no_token();
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc;
    if (strcmp(sub, "create") == 0)
        rc = create(url, token, &a);
    else if (strcmp(sub, "debrief") == 0)
        rc = debrief(url, token, &a);
    else if (strcmp(sub, "list") == 0 || strcmp(sub, "show") == 0 ||
             strcmp(sub, "board") == 0)
        rc = read_cmd(url, token, &a, sub);
    else
        rc = control(url, token, &a, sub);
    curl_global_cleanup();
    return rc;
}
