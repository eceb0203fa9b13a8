/*
 * api.c - one request to the hub's API for the client commands
 * (cli/client.c, cli/client_c4tap.c): libcurl, a token, the answer in a
 * capped buffer; the same with JSON in and out (cli_call); and the API's
 * error object in one line.
 */
#include "cli/cli.h"

#include <curl/curl.h>

#include "common/buf.h"
#include "common/util.h"

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    struct buf *b = ud;
    return buf_add(b, p, size * n) ? 0 : size * n;
}

int cli_api_call(const char *url, const char *token, const char *method,
                 const char *path, const char *body, struct api_answer *a,
                 char *err, size_t errlen)
{
    return cli_api_call_media(url, token, method, path, body,
                              "application/json", a, err, errlen);
}

int cli_api_call_media(const char *url, const char *token, const char *method,
                       const char *path, const char *body, const char *media,
                       struct api_answer *a, char *err, size_t errlen)
{
    CURL *h = curl_easy_init();
    if (!h)
        return IS_ERR_NOMEM;
    char full[4096], authz[256];
    size_t ul = strlen(url);
    snprintf(full, sizeof(full), "%.*s%s",
             (int)(ul && url[ul - 1] == '/' ? ul - 1 : ul), url, path);
    struct curl_slist *hdr = NULL;
    if (token) {
        snprintf(authz, sizeof(authz), "Authorization: Bearer %s", token);
        hdr = curl_slist_append(hdr, authz);
    }
    char ctype[160], accept[160];
    snprintf(ctype, sizeof(ctype), "Content-Type: %.120s", media);
    snprintf(accept, sizeof(accept), "Accept: %.120s", media);
    hdr = curl_slist_append(hdr, ctype);
    hdr = curl_slist_append(hdr, accept);
    buf_init(&a->body, 64 * 1024 * 1024);
    curl_easy_setopt(h, CURLOPT_URL, full);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &a->body);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    CURLcode cc = curl_easy_perform(h);
    int rc = IS_OK;
    if (buf_error(&a->body)) { /* the answer was cut short: never used */
        cli_errs(err, errlen,
                 "%.300s: the answer is larger than %zu bytes "
                 "or out of memory",
                 "%.300s: 応答が %zu バイトを超えているか、メモリが"
                 "足りません",
                 full, a->body.cap);
        rc = buf_error(&a->body);
    } else if (cc != CURLE_OK) {
        /* a diagnostic: the URL is cut to fit on purpose */
        snprintf(err, errlen, "%.300s: %s", full, curl_easy_strerror(cc));
        rc = IS_ERR_IO;
    } else {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a->status);
    }
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return rc;
}

const char *cli_error_text(const json_t *e)
{
    /* in Japanese: the reason itself when the hub has words for it
     * (detail_ja), else the code's sentence (message_ja) */
    const char *ja = json_string_value(json_object_get(e, "detail_ja"));
    if (!ja)
        ja = json_string_value(json_object_get(e, "message_ja"));
    const char *en = json_string_value(json_object_get(e, "message"));
    if (ja && cli_locale_ja())
        return ja;
    return en ? en : (ja ? ja : "");
}

void cli_print_api_error(const struct api_answer *a)
{
    json_t *j = json_loads(buf_str(&a->body), 0, NULL);
    json_t *e = json_object_get(j, "error");
    if (e)
        fprintf(stderr, "infrashare: HTTP %ld %s: %s\n", a->status,
                json_string_value(json_object_get(e, "code")),
                cli_error_text(e));
    else
        fprintf(stderr, "infrashare: HTTP %ld\n", a->status);
    json_decref(j);
}

void cli_print_api_error_field(const struct api_answer *a)
{
    json_t *j = json_loads(buf_str(&a->body), 0, NULL);
    json_t *e = json_object_get(j, "error");
    const char *code = json_string_value(json_object_get(e, "code"));
    const char *field = json_string_value(json_object_get(e, "field"));
    if (e)
        fprintf(stderr, "infrashare: HTTP %ld %s%s%s%s: %s\n", a->status,
                code ? code : "", field ? " (field " : "", field ? field : "",
                field ? ")" : "", cli_error_text(e));
    else
        cli_print_api_error(a);
    json_decref(j);
}

int cli_call(const char *url, const char *token, const char *method,
             const char *path, json_t *body, json_t **out, char **raw_out)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    if (body && !text) {
        cli_errf("out of memory\n", "メモリが足りません\n");
        return 1;
    }
    struct api_answer ans = {0};
    char err[512];
    int rc =
        cli_api_call(url, token, method, path, text, &ans, err, sizeof(err));
    free(text);
    int code = 0;
    if (out)
        *out = NULL;
    if (rc) {
        cli_errf("cannot reach the hub: %s\n", "ハブに接続できません: %s\n",
                 err);
        code = 1;
    } else if (ans.status < 200 || ans.status > 299) {
        cli_print_api_error(&ans);
        code = 1;
    } else if (raw_out) {
        *raw_out = strdup(buf_str(&ans.body));
    } else if (out) {
        *out = json_loads(buf_str(&ans.body), 0, NULL);
    }
    buf_release(&ans.body);
    return code;
}
