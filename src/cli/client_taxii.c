/*
 * client_taxii.c - infrashare taxii: the TAXII client's peers over the API
 * (issue 16; docs/taxii.md "Peers", service/taxii_sync.h). Hub
 * administrators.
 *
 *   taxii peers [--json]
 *   taxii peer-add --name N --org O --api-root URL --collection C
 *                  --direction pull|push|both --token-file F
 *                  [--auth-user U] [--interval S]
 *   taxii sync ID [--json]        (exit 1 when the run failed)
 *   taxii log ID [--json]
 *   taxii peer-remove ID
 *
 * The remote's token is read from a file (its first line), never from the
 * command line, and is never printed. An API error is printed with its
 * code, field and message (exit 1); bad usage prints the usage (exit 2).
 */
#include "cli/cli.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static int usage(void)
{
    fprintf(stderr,
            "usage: infrashare taxii peers [--json]   (TAXII ピア一覧)\n"
            "       infrashare taxii peer-add --name N --org O --api-root URL "
            "--collection C\n"
            "           --direction pull|push|both --token-file F "
            "[--auth-user U] [--interval S]\n"
            "       infrashare taxii sync ID [--json] | log ID [--json] | "
            "peer-remove ID\n");
    return 2;
}

static const char *const flags[] = {"json", NULL};
static const char *const valued[] = {"url",       "token",      "name",
                                     "org",       "api-root",   "collection",
                                     "direction", "token-file", "auth-user",
                                     "interval",  NULL};

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

static long long count_of(const json_t *p, const char *key)
{
    return (long long)json_integer_value(
        json_object_get(json_object_get(p, "counts"), key));
}

static void print_peer(const json_t *p)
{
    printf("%s  %s  [%s]  %s\n", cli_jstr(p, "id"), cli_jstr(p, "name"),
           cli_jstr(p, "state"), cli_jstr(p, "direction"));
    printf("    %scollections/%s/  as %s  (%s, every %lld s)\n",
           cli_jstr(p, "api_root"), cli_jstr(p, "collection"),
           cli_jstr(p, "org"), cli_jstr(p, "auth"),
           (long long)json_integer_value(json_object_get(p, "interval_s")));
    printf("    last run %s, last ok %s, next %s, pull after %s\n",
           or_dash(cli_jstr(p, "last_run")), or_dash(cli_jstr(p, "last_ok")),
           or_dash(cli_jstr(p, "next_run")),
           or_dash(cli_jstr(p, "pull_after")));
    printf("    pulled %lld, added %lld, duplicates %lld, quarantined %lld; "
           "pushed %lld, refused by the peer %lld\n",
           count_of(p, "pulled"), count_of(p, "added"),
           count_of(p, "duplicates"), count_of(p, "quarantined"),
           count_of(p, "pushed"), count_of(p, "push_failed"));
    if (*cli_jstr(p, "last_error"))
        printf("    last error 最終エラー: %s\n", cli_jstr(p, "last_error"));
}

/* The remote's token: the first line of path, without its line end. */
static int read_token(const char *path, char *out, size_t len)
{
    char *text = NULL;
    size_t n = 0;
    int rc = util_read_file(path, 4096, &text, &n);
    if (rc) {
        cli_errf("%s: cannot read the token: %s\n",
                 "%s: トークンを読めません: %s\n", path,
                 rc == IS_ERR_LIMIT ? "larger than 4096 bytes"
                                    : strerror(errno));
        free(text);
        return 1;
    }
    text[strcspn(text, "\r\n")] = '\0';
    rc = util_copy(out, len, text);
    memset(text, 0, n);
    free(text);
    if (rc || !*out) {
        fprintf(stderr, "infrashare: %s: %s\n", path,
                rc ? "the token is too long" : "no token on its first line");
        return 1;
    }
    return 0;
}

static int add_cmd(const struct cli_conn *k, const struct cli_args *a)
{
    static const char *const need[] = {"name",       "org",       "api-root",
                                       "collection", "direction", "token-file"};
    for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
        if (!cli_opt(a, need[i])) {
            cli_errf("taxii peer-add needs --%s\n",
                     "taxii peer-add には --%s が必要です\n", need[i]);
            return usage();
        }
    long long interval = 0;
    const char *iv = cli_opt(a, "interval");
    if (iv) {
        char *end = NULL;
        errno = 0;
        interval = strtoll(iv, &end, 10);
        if (errno || !end || *end || end == iv || interval < 1) {
            cli_errf("--interval: a number of seconds, not '%s'\n",
                     "--interval: 秒数で指定してください（'%s' は不可）\n", iv);
            return 2;
        }
    }
    char token[300];
    if (read_token(cli_opt(a, "token-file"), token, sizeof(token)))
        return 1;
    json_t *body =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "name", cli_opt(a, "name"),
                  "org", cli_opt(a, "org"), "api_root", cli_opt(a, "api-root"),
                  "collection", cli_opt(a, "collection"), "direction",
                  cli_opt(a, "direction"), "token", token);
    memset(token, 0, sizeof(token));
    if (!body) {
        cli_errf("an option is not UTF-8 text\n",
                 "オプションに UTF-8 でないテキストがあります\n");
        return 2;
    }
    if (cli_opt(a, "auth-user"))
        json_object_set_new(body, "auth_user",
                            json_string(cli_opt(a, "auth-user")));
    if (iv)
        json_object_set_new(body, "interval_s", json_integer(interval));
    json_t *p = NULL;
    int rc = cli_req_json(k, "POST", "/api/v1/taxii/peers", body, &p);
    json_decref(body);
    if (!rc) {
        printf("peer %s added (ピアを追加しました); its first run is due now\n",
               cli_jstr(p, "id"));
        print_peer(p);
    }
    json_decref(p);
    return rc;
}

static int list_cmd(const struct cli_conn *k, const struct cli_args *a)
{
    json_t *j = NULL;
    int rc = cli_req_json(k, "GET", "/api/v1/taxii/peers", NULL, &j);
    if (rc)
        return rc;
    if (cli_flag(a, "json")) {
        cli_put_json(j);
    } else {
        const json_t *items = json_object_get(j, "items");
        if (!json_array_size(items))
            printf("no peers (ピアはありません)\n");
        size_t i;
        const json_t *p;
        json_array_foreach (items, i, p)
            print_peer(p);
    }
    json_decref(j);
    return 0;
}

static int sync_cmd(const struct cli_conn *k, const struct cli_args *a,
                    const char *id)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/taxii/peers/%s/sync", id);
    json_t *p = NULL;
    int rc = cli_req_json(k, "POST", path, NULL, &p);
    if (rc)
        return rc;
    if (cli_flag(a, "json"))
        cli_put_json(p);
    else
        print_peer(p);
    if (strcmp(cli_jstr(p, "state"), "failing") == 0) {
        fprintf(stderr, "infrashare: the run failed (同期に失敗しました): %s\n",
                cli_jstr(p, "last_error"));
        rc = 1;
    }
    json_decref(p);
    return rc;
}

static int log_cmd(const struct cli_conn *k, const struct cli_args *a,
                   const char *id)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/taxii/peers/%s/log", id);
    json_t *j = NULL;
    int rc = cli_req_json(k, "GET", path, NULL, &j);
    if (rc)
        return rc;
    if (cli_flag(a, "json")) {
        cli_put_json(j);
        json_decref(j);
        return 0;
    }
    print_peer(json_object_get(j, "peer"));
    const json_t *runs = json_object_get(j, "runs");
    printf("runs 実行履歴 (%zu, the latest first):\n", json_array_size(runs));
    size_t i;
    const json_t *r;
    json_array_foreach (runs, i, r) {
        bool ok = json_is_true(json_object_get(r, "ok"));
        printf("  %s  %-4s  %-6s  objects %lld, added %lld, failed %lld%s%s\n",
               cli_jstr(r, "at"), cli_jstr(r, "direction"),
               ok ? "ok" : "FAILED",
               (long long)json_integer_value(json_object_get(r, "objects")),
               (long long)json_integer_value(json_object_get(r, "added")),
               (long long)json_integer_value(json_object_get(r, "failed")),
               *cli_jstr(r, "reason") ? ": " : "", cli_jstr(r, "reason"));
    }
    const json_t *q = json_object_get(j, "quarantine");
    printf("quarantine 隔離 (%zu):\n", json_array_size(q));
    json_array_foreach (q, i, r)
        printf("  %s  %s: %s\n", cli_jstr(r, "at"),
               *cli_jstr(r, "id") ? cli_jstr(r, "id") : "(no id)",
               cli_jstr(r, "reason"));
    json_decref(j);
    return 0;
}

static int remove_cmd(const struct cli_conn *k, const char *id)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/taxii/peers/%s", id);
    json_t *j = NULL;
    int rc = cli_req_json(k, "DELETE", path, NULL, &j);
    if (!rc)
        printf("peer %s removed (ピアを削除しました); what it brought stays\n",
               id);
    json_decref(j);
    return rc;
}

int cli_taxii(int argc, char **argv)
{
    struct cli_args a;
    if (cli_parse(argc, argv, flags, valued, &a) || a.npos < 1)
        return usage();
    const char *sub = a.pos[0];
    bool with_id = strcmp(sub, "sync") == 0 || strcmp(sub, "log") == 0 ||
                   strcmp(sub, "peer-remove") == 0;
    if (with_id ? a.npos != 2 : a.npos != 1)
        return usage();
    if (with_id && !cli_seg_ok(a.pos[1], false)) {
        cli_errf("%s: not a peer's id\n", "%s: ピアの ID ではありません\n",
                 a.pos[1]);
        return 2;
    }
    if (!with_id && strcmp(sub, "peers") != 0 && strcmp(sub, "peer-add") != 0)
        return usage();
    struct cli_conn k;
    int rc = cli_conn_of(&a, &k);
    if (rc)
        return rc;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (strcmp(sub, "peers") == 0)
        rc = list_cmd(&k, &a);
    else if (strcmp(sub, "peer-add") == 0)
        rc = add_cmd(&k, &a);
    else if (strcmp(sub, "sync") == 0)
        rc = sync_cmd(&k, &a, a.pos[1]);
    else if (strcmp(sub, "log") == 0)
        rc = log_cmd(&k, &a, a.pos[1]);
    else
        rc = remove_cmd(&k, a.pos[1]);
    curl_global_cleanup();
    return rc;
}
