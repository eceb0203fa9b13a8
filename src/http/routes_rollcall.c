/*
 * routes_rollcall.c - handlers of roll calls and survey requests: the
 * answers (POST), the board (GET, JSON or CSV), and the answer page a
 * roll call's signed link shows (/ack/{token}, see h_ack_link).
 */
#include "http/http.h"

#include "common/html.h"
#include "common/util.h"
#include "service/rollcall.h"

int h_adv_answer(struct http_req *r, struct http_resp *out)
{
    struct svc_error e = {0};
    json_t *o = NULL;
    int rc = rollcall_answer(r->app, r->sc, &r->auth, r->params[0], r->json,
                             app_now(r->app), &o, &e);
    return http_svc_reply(out, rc, &e, o, 200);
}

int h_adv_board(struct http_req *r, struct http_resp *out)
{
    const char *fmt = http_query(r, "format");
    if (fmt && strcmp(fmt, "json") && strcmp(fmt, "csv"))
        return http_error(out, 400, "invalid_value", "format",
                          "format: json or csv");
    const char *st = http_query(r, "state");
    if (st && strcmp(st, "all") && strcmp(st, "answered") &&
        strcmp(st, "unanswered"))
        return http_error(out, 400, "invalid_value", "state",
                          "state: all, answered or unanswered");
    const char *cur = http_query(r, "cursor");
    if (cur && (!*cur || strlen(cur) >= IDS_LEN))
        return http_error(out, 400, "invalid_value", "cursor",
                          "cursor: not a cursor this hub returned");
    int limit;
    if (http_limit(r, out, 100, 1000, &limit))
        return 400;
    struct svc_error e = {0};
    if (fmt && strcmp(fmt, "csv") == 0) {
        char *text = NULL;
        size_t len = 0;
        int rc = rollcall_board_csv(r->app, r->sc, &r->auth, r->params[0], st,
                                    app_now(r->app), &text, &len, &e);
        if (rc)
            return http_svc_fail(out, &e);
        out->raw = text;
        out->rawlen = len;
        out->ctype = "text/csv; charset=utf-8";
        return 200;
    }
    char *text = NULL;
    size_t len = 0;
    int rc = rollcall_board(r->app, r->sc, &r->auth, r->params[0], st, cur,
                            limit, app_now(r->app), &text, &len, &e);
    if (rc)
        return http_svc_fail(out, &e);
    out->raw = text;
    out->rawlen = len;
    out->ctype = "application/json; charset=utf-8";
    return 200;
}

/* ---- the answer page of a roll call's link ---- */

static void label(struct buf *b, const json_t *lab)
{
    html_escape(b, jv_str(lab, "ja") ? jv_str(lab, "ja") : "");
    buf_adds(b, " / <span lang=\"en\">");
    html_escape(b, jv_str(lab, "en") ? jv_str(lab, "en") : "");
    buf_adds(b, "</span>");
}

/* One radio button named q with value id. */
static void radio(struct buf *b, const char *q, const char *id, const char *ja,
                  const char *en)
{
    buf_adds(b, "<label><input type=\"radio\" name=\"");
    html_escape(b, q);
    buf_adds(b, "\" value=\"");
    html_escape(b, id);
    buf_adds(b, "\"> ");
    html_escape(b, ja);
    buf_adds(b, " / ");
    html_escape(b, en);
    buf_adds(b, "</label> ");
}

/* The form as a plain HTML form POSTing to the same URL (no script: the
 * CSP of HTML pages allows none inline). */
static char *form_page(const json_t *form, const json_t *title,
                       const char *error_field)
{
    struct buf b;
    buf_init(&b, 262144);
    buf_adds(&b,
             "<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width\">"
             "<title>回答 / Answer</title></head><body><h1>");
    label(&b, title);
    buf_adds(&b, "</h1><p>回答を送信すると受領確認も記録されます"
                 "（このリンクは一度だけ使えます）。</p><p lang=\"en\">"
                 "Sending your answer also acknowledges the advisory (the "
                 "link works once).</p>");
    if (error_field) {
        buf_adds(&b, "<p role=\"alert\" class=\"error\">入力を確認してください"
                     " / Please check: <code>");
        html_escape(&b, error_field);
        buf_adds(&b, "</code></p>");
    }
    buf_adds(&b, "<form method=\"post\" id=\"rollcall-form\">");
    const json_t *qs = json_object_get(form, "questions");
    for (size_t i = 0; i < json_array_size(qs); i++) {
        const json_t *q = json_array_get(qs, i);
        const char *id = jv_str(q, "id"), *type = jv_str(q, "type");
        buf_adds(&b, "<fieldset><legend>");
        label(&b, json_object_get(q, "label"));
        if (jv_bool(q, "required", false))
            buf_adds(&b, " *");
        buf_adds(&b, "</legend>");
        if (strcmp(type, "yes_no_unknown") == 0) {
            static const char *const ids[] = {"yes", "no", "unknown"};
            for (int k = 0; k < 3; k++)
                radio(&b, id, ids[k], rollcall_ynu_label(k, true),
                      rollcall_ynu_label(k, false));
        } else if (strcmp(type, "choice") == 0) {
            const json_t *opts = json_object_get(q, "options");
            for (size_t k = 0; k < json_array_size(opts); k++) {
                const json_t *o = json_array_get(opts, k);
                const json_t *l = json_object_get(o, "label");
                radio(&b, id, jv_str(o, "id"), jv_str(l, "ja"),
                      jv_str(l, "en"));
            }
        } else {
            buf_addf(&b, "<textarea name=\"");
            html_escape(&b, id);
            buf_addf(&b,
                     "\" rows=\"4\" cols=\"60\" maxlength=\"%lld\">"
                     "</textarea>",
                     (long long)jv_int(q, "max_len", 2000));
        }
        buf_adds(&b, "</fieldset>");
    }
    buf_adds(&b, "<button type=\"submit\">回答する / Answer</button></form>"
                 "</body></html>\n");
    return buf_detach(&b);
}

static char *simple_page(const char *ja, const char *en)
{
    struct buf b;
    buf_init(&b, 65536);
    buf_addf(&b,
             "<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width\">"
             "<title>回答 / Answer</title></head><body><h1>%s</h1>"
             "<h1 lang=\"en\">%s</h1></body></html>\n",
             ja, en);
    return buf_detach(&b);
}

static char *outcome_page(int err)
{
    switch (err) {
    case IS_ERR_CONFLICT:
        return simple_page(
            "このリンクは既に使用されています。ログインして回答を"
            "変更できます。",
            "This link has been used already. Sign in to "
            "change your answer.");
    case IS_ERR_GONE:
        return simple_page("このリンクの有効期限が切れています。ログインして"
                           "回答してください。",
                           "This link has expired. Sign in to answer.");
    case IS_ERR_NOTFOUND:
        return simple_page("このリンクは無効です。", "This link is not valid.");
    case IS_ERR_LIMIT:
        return simple_page("無効なリンクが多すぎます。しばらくしてから"
                           "お試しください。",
                           "Too many links that were not valid. Please try "
                           "again later.");
    default:
        return simple_page("もう一度お試しください。", "Please try again.");
    }
}

bool http_rollcall_link(struct http_req *r, struct http_resp *out)
{
    if (strcmp(r->method, "HEAD") == 0 ||
        !rollcall_link_is_form(r->app, r->sc, r->params[0]))
        return false;
    bool confirm = strcmp(r->method, "POST") == 0;
    struct svc_error e = {0};
    json_t *form = NULL, *title = NULL, *empty = json_object();
    int rc = rollcall_link(r->app, r->sc, r->params[0], r->addr, confirm,
                           r->json ? r->json : empty, app_now(r->app), &form,
                           &title, &e);
    char *page;
    if (!rc)
        page = confirm ? simple_page("回答を記録しました（受領確認も記録"
                                     "されました）。",
                                     "Your answer was recorded (and the "
                                     "advisory acknowledged).")
                       : form_page(form, title, NULL);
    else if (e.err == IS_ERR_INVALID)
        page = form_page(form, title, e.field);
    else
        page = outcome_page(e.err);
    json_decref(form);
    json_decref(title);
    json_decref(empty);
    if (!page) {
        http_fail(out, IS_ERR_INTERNAL);
        return true;
    }
    out->status = rc ? http_status_of(e.err) : 200;
    out->raw = page;
    out->rawlen = strlen(page);
    out->ctype = "text/html; charset=utf-8";
    return true;
}

/* Parses an application/x-www-form-urlencoded body into {name: value}
 * (strings; a repeated name keeps its last value). NULL when a name or
 * value is not valid percent-encoded UTF-8 or memory ran out. */
static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static char *form_decode(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; out && i < n; i++) {
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%') {
            int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                free(out);
                return NULL;
            }
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    if (out)
        out[o] = '\0';
    return out;
}

json_t *http_form_parse(const char *text, size_t len)
{
    json_t *o = json_object();
    size_t i = 0;
    while (o && i < len) {
        size_t end = i;
        while (end < len && text[end] != '&')
            end++;
        size_t eq = i;
        while (eq < end && text[eq] != '=')
            eq++;
        if (end == i) { /* an empty segment ("a=1&&b=2") */
            i = end + 1;
            continue;
        }
        char *name = form_decode(text + i, eq - i);
        char *val =
            eq < end ? form_decode(text + eq + 1, end - eq - 1) : strdup("");
        bool ok = name && val && *name && util_utf8_ok(name, strlen(name)) &&
                  util_utf8_ok(val, strlen(val));
        if (ok)
            json_object_set_new(o, name, json_string(val));
        free(name);
        free(val);
        if (!ok) {
            json_decref(o);
            return NULL;
        }
        i = end + 1;
    }
    return o;
}
