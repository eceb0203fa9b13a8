/*
 * client.c - client commands: talk to a running hub over its API with an
 * API token (--url / INFRASHARE_URL, --token / INFRASHARE_TOKEN).
 */
#include "cli/cli.h"

#include <ctype.h>
#include <curl/curl.h>

#include "common/buf.h"
#include "common/util.h"

/* One request of the site command: the answer's JSON into *out (NULL
 * when the body is not JSON) on 2xx; else the error printed. Returns the
 * exit status. */
static int site_call(const char *url, const char *token, const char *method,
                     const char *path, json_t *body, json_t **out)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    struct api_answer ans = {0};
    char err[512];
    int rc =
        cli_api_call(url, token, method, path, text, &ans, err, sizeof(err));
    free(text);
    int exit_code = 0;
    *out = NULL;
    if (rc) {
        fprintf(stderr, "infrashare: cannot reach the hub: %s\n", err);
        exit_code = 1;
    } else if (ans.status < 200 || ans.status > 299) {
        cli_print_api_error(&ans);
        exit_code = 1;
    } else {
        *out = json_loads(buf_str(&ans.body), 0, NULL);
    }
    buf_release(&ans.body);
    return exit_code;
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
        fprintf(stderr, "infrashare: the filter is too long\n");
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
        fprintf(stderr, "infrashare: no token: pass --token or set "
                        "INFRASHARE_TOKEN\n");
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
    int rc = site_call(url, token, method, path, body, &j);
    json_decref(body);
    bool pause = strcmp(sub, "pause") == 0;
    if (!rc && (pause || strcmp(sub, "resume") == 0)) {
        json_t *patch =
            json_pack("{s:O,s:b}", "version", json_object_get(j, "version"),
                      "paused", pause);
        json_decref(j);
        j = NULL;
        rc = patch ? site_call(url, token, "PATCH", path, patch, &j) : 1;
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
        fprintf(stderr, "infrashare: no token: pass --token or set "
                        "INFRASHARE_TOKEN (create one with 'infrashare "
                        "token create USER')\n");
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
        fprintf(stderr, "infrashare: cannot reach the hub: %s\n", err);
        exit_code = 1;
    } else if (ans.status < 200 || ans.status > 299) {
        cli_print_api_error(&ans);
        exit_code = 1;
    } else if (strcmp(cmd, "api") == 0 || cli_flag(&a, "json")) {
        printf("%s\n", buf_str(&ans.body));
    } else {
        print_answer(cmd, &a, buf_str(&ans.body));
    }
    buf_release(&ans.body);
    curl_global_cleanup();
    return exit_code;
}
