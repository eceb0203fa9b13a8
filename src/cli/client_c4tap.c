/*
 * client_c4tap.c - infrashare c4tap: C4TAP over the API (issue 13;
 * service/c4tap.h).
 *
 *   c4tap submit FILE.eml [--ranges T=R,...] [--anonymous] [--forwarded]
 *                         [--note TEXT]
 *   c4tap intake --recipient ADDR [--sender ADDR] --intake-token-file F
 *                (the MTA's pipe: the forward on stdin; exit 0 taken,
 *                 65 refused for good (the MTA bounces it), 75 try later,
 *                 2 a usage error: its message starts with the enhanced
 *                 status code 4.3.5, so Postfix keeps the mail queued)
 *   c4tap show ID | list | campaigns | campaign ID
 *   c4tap lookup VALUE [--kind K]
 *   c4tap export [--format csv|json] [--campaign ID]
 */
#include "cli/cli.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>

#include "common/util.h"
#include "mail/mail.h"

#define EX_DATAERR 65  /* sysexits.h: refused, the MTA bounces */
#define EX_TEMPFAIL 75 /* sysexits.h: the MTA tries again later */

static int usage(void)
{
    fprintf(stderr,
            "infrashare: c4tap submit FILE.eml [--ranges TYPE=RANGE,...] "
            "[--anonymous] [--forwarded] [--note TEXT]\n"
            "            c4tap intake --recipient ADDR [--sender ADDR] "
            "--intake-token-file FILE   (e-mail on stdin)\n"
            "            c4tap show ID | list | campaigns | campaign ID\n"
            "            c4tap lookup VALUE [--kind KIND]\n"
            "            c4tap export [--format csv|json] [--campaign ID]\n"
            "  types: original sender headers received urls attachments "
            "provider; ranges: red amber yellow green white\n");
    return 2;
}

/* Reads all of f up to cap bytes (IS_ERR_TOO_LARGE past it). */
static int read_all(FILE *f, size_t cap, char **out, size_t *len)
{
    struct buf b;
    buf_init(&b, cap);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (buf_add(&b, chunk, n)) {
            buf_release(&b);
            return IS_ERR_TOO_LARGE;
        }
    if (ferror(f)) {
        buf_release(&b);
        return IS_ERR_IO;
    }
    *len = b.len;
    *out = buf_detach(&b);
    if (!*out)
        *out = calloc(1, 1);
    return *out ? IS_OK : IS_ERR_NOMEM;
}

static int read_eml(const char *path, char **out, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        cli_errf("%s: cannot open\n", "%s: 開けません\n", path);
        return 1;
    }
    int rc = read_all(f, MAIL_MAX_BYTES, out, len);
    if (f != stdin)
        fclose(f);
    if (rc == IS_ERR_TOO_LARGE)
        cli_errf("%s: larger than %u bytes\n", "%s: %u バイトを超えています\n",
                 path, MAIL_MAX_BYTES);
    else if (rc)
        cli_errf("%s: cannot read\n", "%s: 読めません\n", path);
    return rc ? 1 : 0;
}

static char *b64(const char *raw, size_t len)
{
    size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *s = malloc(n);
    if (s)
        sodium_bin2base64(s, n, (const unsigned char *)raw, len,
                          sodium_base64_VARIANT_ORIGINAL);
    return s;
}

/* --ranges urls=amber,attachments=green into {urls: amber, ...}. */
static int ranges_json(const char *text, json_t **out)
{
    *out = json_object();
    char buf[512];
    if (util_copy(buf, sizeof(buf), text))
        return IS_ERR_INVALID;
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        if (!eq || eq == t || !eq[1])
            return IS_ERR_INVALID;
        *eq = '\0';
        json_object_set_new(*out, t, json_string(eq + 1));
    }
    return IS_OK;
}

static void print_flags(const json_t *sub)
{
    size_t i;
    json_t *f;
    json_array_foreach (json_object_get(sub, "flags"), i, f)
        printf("  ! %s: %s / %s (%s)\n",
               json_string_value(json_object_get(f, "code")),
               json_string_value(json_object_get(f, "ja")),
               json_string_value(json_object_get(f, "en")),
               json_string_value(json_object_get(f, "evidence")));
}

static void print_sub(const json_t *s)
{
    printf("submission %lld, campaign %lld, %s\n",
           (long long)json_integer_value(json_object_get(s, "id")),
           (long long)json_integer_value(json_object_get(s, "campaign")),
           json_string_value(json_object_get(s, "received_at")));
    const char *subj = json_string_value(json_object_get(s, "subject"));
    json_t *from = json_object_get(s, "from");
    const char *addr =
        json_is_string(from)
            ? json_string_value(from)
            : json_string_value(json_object_get(from, "address"));
    if (subj)
        printf("  subject: %s\n", subj);
    if (addr)
        printf("  from: %s\n", addr);
    print_flags(s);
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    return buf_add(ud, p, size * n) ? 0 : size * n;
}

/* The intake: the forward on stdin to POST /api/v1/c4tap/intake with the
 * intake token. Exit codes for the MTA (sysexits.h). */
static int intake(const char *url, const struct cli_args *a)
{
    const char *rcpt = cli_opt(a, "recipient");
    const char *tokfile = cli_opt(a, "intake-token-file");
    if (!rcpt || !tokfile) {
        /* a usage error (2), made by the MTA's transport: the output's
         * leading enhanced status code (RFC 3463 4.3.5, "system not
         * configured") is what Postfix's pipe(8) acts on before the exit
         * status, so the mail stays queued until the transport is fixed */
        fputs("4.3.5 ", stderr);
        cli_errf("c4tap intake needs --recipient and --intake-token-file\n",
                 "c4tap intake には --recipient と --intake-token-file "
                 "が必要です\n");
        return 2;
    }
    char *tok = NULL;
    size_t toklen = 0;
    if (util_read_file(tokfile, 1024, &tok, &toklen)) {
        cli_errf("%s: cannot read the intake token\n",
                 "%s: 受付トークンを読めません\n", tokfile);
        return EX_TEMPFAIL;
    }
    tok[strcspn(tok, "\r\n")] = '\0';
    char *raw = NULL;
    size_t len = 0;
    int rc = read_all(stdin, MAIL_MAX_BYTES, &raw, &len);
    if (rc) {
        free(tok);
        cli_errf("the e-mail is larger than %u bytes or cannot be read\n",
                 "メールが %u バイトを超えているか、読めません\n",
                 MAIL_MAX_BYTES);
        return rc == IS_ERR_TOO_LARGE ? EX_DATAERR : EX_TEMPFAIL;
    }
    char *enc = b64(raw, len);
    free(raw);
    json_t *body = json_pack("{s:s,s:s,s:s?}", "eml_base64", enc ? enc : "",
                             "recipient", rcpt, "sender", cli_opt(a, "sender"));
    free(enc);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text) {
        free(tok);
        return EX_TEMPFAIL;
    }
    char full[2048], hdr_tok[1100];
    size_t ul = strlen(url);
    int bad =
        util_fmt(full, sizeof(full), "%.*s/api/v1/c4tap/intake",
                 (int)(ul && url[ul - 1] == '/' ? ul - 1 : ul), url) ||
        util_fmt(hdr_tok, sizeof(hdr_tok), "X-C4TAP-Intake-Token: %s", tok);
    sodium_memzero(tok, toklen);
    free(tok);
    if (bad) {
        free(text);
        cli_errf("--url or the token is too long\n",
                 "--url またはトークンが長すぎます\n");
        return EX_TEMPFAIL;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *h = curl_easy_init();
    struct curl_slist *hdr = NULL;
    hdr = curl_slist_append(hdr, hdr_tok);
    hdr = curl_slist_append(hdr, "Content-Type: application/json");
    struct buf ans;
    buf_init(&ans, 1024 * 1024);
    long status = 0;
    CURLcode cc = CURLE_FAILED_INIT;
    if (h) {
        curl_easy_setopt(h, CURLOPT_URL, full);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, text);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(text));
        curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &ans);
        cc = curl_easy_perform(h);
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(h);
    }
    sodium_memzero(hdr_tok, sizeof(hdr_tok));
    curl_slist_free_all(hdr);
    curl_global_cleanup();
    free(text);
    int code;
    if (cc != CURLE_OK) {
        cli_errf("cannot reach the hub: %s\n", "ハブに接続できません: %s\n",
                 curl_easy_strerror(cc));
        code = EX_TEMPFAIL;
    } else if (status >= 200 && status <= 299) {
        code = 0;
    } else {
        struct api_answer aa = {.status = status, .body = ans};
        cli_print_api_error(&aa);
        /* 4xx but 401/408/429: the message is refused for good (bounced with
         * this text); 5xx, 401 (a set-up error), 408, 429: the MTA tries
         * again */
        code = status >= 400 && status < 500 && status != 401 &&
                       status != 408 && status != 429
                   ? EX_DATAERR
                   : EX_TEMPFAIL;
    }
    buf_release(&ans);
    return code;
}

int cli_c4tap(const char *url, const char *token, const struct cli_args *a)
{
    const char *sub = a->npos > 0 ? a->pos[0] : NULL;
    if (!sub)
        return usage();
    if (strcmp(sub, "intake") == 0)
        return intake(url, a);
    if (!token) {
        cli_errf("no token: pass --token or set INFRASHARE_TOKEN\n",
                 "トークンがありません: --token を指定するか INFRASHARE_TOKEN "
                 "を設定してください\n");
        return 2;
    }
    bool as_json = cli_flag(a, "json");
    json_t *j = NULL;
    char path[512];
    int rc;
    if (strcmp(sub, "submit") == 0 && a->npos == 2) {
        char *raw = NULL;
        size_t len = 0;
        if (read_eml(a->pos[1], &raw, &len))
            return 1;
        char *enc = b64(raw, len);
        free(raw);
        json_t *ranges = NULL;
        if (cli_opt(a, "ranges") &&
            ranges_json(cli_opt(a, "ranges"), &ranges)) {
            free(enc);
            json_decref(ranges);
            cli_errf("--ranges: TYPE=RANGE,... (e.g. "
                     "urls=amber,attachments=green; not \"%.40s\")\n",
                     "--ranges: 種別=共有範囲,...（例: "
                     "urls=amber,attachments=green。\"%.40s\" は使えません）\n",
                     cli_opt(a, "ranges"));
            return 2;
        }
        json_t *body =
            json_pack("{s:s,s:b,s:b,s:s?,s:o?}", "eml_base64", enc ? enc : "",
                      "anonymous", cli_flag(a, "anonymous"), "forwarded",
                      cli_flag(a, "forwarded"), "note", cli_opt(a, "note"),
                      "ranges", ranges);
        free(enc);
        rc = cli_call(url, token, "POST", "/api/v1/c4tap/submissions", body, &j,
                      NULL);
        json_decref(body);
        if (rc)
            return rc;
        if (as_json) {
            char *t = json_dumps(j, JSON_INDENT(2));
            printf("%s\n", t ? t : "{}");
            free(t);
        } else {
            printf("submitted / 提供しました: ");
            print_sub(j);
        }
        json_decref(j);
        return 0;
    }
    char *raw = NULL;
    if (strcmp(sub, "show") == 0 && a->npos == 2) {
        if (util_fmt(path, sizeof(path), "/api/v1/c4tap/submissions/%s",
                     a->pos[1]) ||
            strspn(a->pos[1], "0123456789") != strlen(a->pos[1]))
            return usage();
    } else if (strcmp(sub, "list") == 0 && a->npos == 1) {
        util_xcopy(path, sizeof(path), "/api/v1/c4tap/submissions");
    } else if (strcmp(sub, "campaigns") == 0 && a->npos == 1) {
        util_xcopy(path, sizeof(path), "/api/v1/c4tap/campaigns");
    } else if (strcmp(sub, "campaign") == 0 && a->npos == 2) {
        if (util_fmt(path, sizeof(path), "/api/v1/c4tap/campaigns/%s",
                     a->pos[1]) ||
            strspn(a->pos[1], "0123456789") != strlen(a->pos[1]))
            return usage();
    } else if (strcmp(sub, "lookup") == 0 && a->npos == 2) {
        CURL *h = curl_easy_init();
        char *v = h ? curl_easy_escape(h, a->pos[1], 0) : NULL;
        char *k = h && cli_opt(a, "kind")
                      ? curl_easy_escape(h, cli_opt(a, "kind"), 0)
                      : NULL;
        int bad = !v || util_fmt(path, sizeof(path),
                                 "/api/v1/c4tap/lookup?value=%s%s%s", v,
                                 k ? "&kind=" : "", k ? k : "");
        curl_free(v);
        curl_free(k);
        if (h)
            curl_easy_cleanup(h);
        if (bad) {
            cli_errf("the value is too long\n", "値が長すぎます\n");
            return 2;
        }
    } else if (strcmp(sub, "export") == 0 && a->npos == 1) {
        const char *fmt = cli_opt(a, "format");
        if (!fmt)
            fmt = "csv";
        const char *camp = cli_opt(a, "campaign");
        static const char *const fmts[] = {"csv", "json", NULL};
        if (!cli_enum_opt(a, "format", fmts))
            return 2;
        if (camp && (!*camp || strspn(camp, "0123456789") != strlen(camp))) {
            cli_errf(
                "--campaign: a campaign's number (not \"%.40s\")\n",
                "--campaign: キャンペーンの番号で指定してください（\"%.40s\" "
                "は使えません）\n",
                camp);
            return 2;
        }
        util_xsnprintf(path, sizeof(path),
                       "/api/v1/c4tap/export?format=%s%s%.20s", fmt,
                       camp ? "&campaign=" : "", camp ? camp : "");
        if (strcmp(fmt, "csv") == 0) {
            rc = cli_call(url, token, "GET", path, NULL, NULL, &raw);
            if (!rc)
                fputs(raw ? raw : "", stdout);
            free(raw);
            return rc;
        }
        as_json = true;
    } else {
        return usage();
    }
    rc = cli_call(url, token, "GET", path, NULL, &j, NULL);
    if (rc)
        return rc;
    if (as_json || strcmp(sub, "lookup") == 0 || strcmp(sub, "campaign") == 0) {
        char *t = json_dumps(j, JSON_INDENT(2));
        printf("%s\n", t ? t : "{}");
        free(t);
    } else if (strcmp(sub, "show") == 0) {
        print_sub(j);
    } else {
        size_t i;
        json_t *it;
        json_array_foreach (json_object_get(j, "items"), i, it) {
            if (strcmp(sub, "list") == 0) {
                print_sub(it);
                continue;
            }
            json_t *seen = json_object_get(it, "seen");
            printf(
                "campaign %lld %s: %lld submissions, %lld organisations, "
                "%lld sectors, %zu wave(s)\n",
                (long long)json_integer_value(json_object_get(it, "id")),
                json_string_value(json_object_get(it, "title")),
                (long long)json_integer_value(
                    json_object_get(seen, "submissions")),
                (long long)json_integer_value(
                    json_object_get(seen, "organisations")),
                (long long)json_integer_value(json_object_get(seen, "sectors")),
                json_array_size(json_object_get(it, "waves")));
        }
    }
    json_decref(j);
    return 0;
}
