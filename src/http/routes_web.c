/*
 * routes_web.c - the web UI: its static assets (embedded from web/ at build
 * time by tools/embed.c, table web_assets) and the public page of White
 * advisories with its Atom feed.
 *
 * The UI itself is a set of plain HTML, CSS and JavaScript modules that
 * talk to the public JSON API only. The public page is rendered here
 * because the advisory list of the API requires sign-in: it calls the
 * existing service (advisory_list / advisory_read with who = NULL, which
 * return White items only), so it shows exactly what the range rules give
 * the public and nothing else. Every text is escaped; no script runs on it.
 */
#include "http/http.h"

#include <time.h>

#include "service/provision.h"
#include "common/buf.h"
#include "common/embed.h"
#include "common/html.h"
#include "common/util.h"

extern const struct embed_file web_assets[];
extern const size_t web_assets_count;

#define PUBLIC_PAGE 20 /* advisories per public page */
/* The public page and the feed may be stored by caches and feed readers,
 * which revalidate every time (ETag / Last-Modified, answered 304 by the
 * pipeline when unchanged). */
#define PUBLIC_CACHE "no-cache"
#define FEED_ENTRIES 50 /* entries in the Atom feed */

/* Content type by file extension; NULL for a type the UI never serves. */
static const char *asset_type(const char *name)
{
    static const char *const map[][2] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".json", "application/json; charset=utf-8"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(name, '.');
    if (!dot)
        return NULL;
    for (size_t i = 0; i < IS_ARRAY_LEN(map); i++)
        if (strcmp(dot, map[i][0]) == 0)
            return map[i][1];
    return NULL;
}

/* Copies an embedded file into the response; 404 when absent. */
static int serve_asset(struct http_resp *out, const char *name)
{
    const struct embed_file *f = embed_find(web_assets, web_assets_count, name);
    const char *ctype = f ? asset_type(name) : NULL;
    if (!f || !ctype || !f->len)
        return http_error(out, 404, "not_found", NULL, "no such path");
    out->raw = malloc(f->len);
    if (!out->raw)
        return http_fail(out, IS_ERR_NOMEM);
    memcpy(out->raw, f->data, f->len);
    out->rawlen = f->len;
    out->ctype = ctype;
    out->status = 200;
    return 200;
}

int h_web_index(struct http_req *r, struct http_resp *out)
{
    IS_UNUSED(r);
    return serve_asset(out, "index.html");
}

int h_web_asset(struct http_req *r, struct http_resp *out)
{
    const char *name = r->params[0];
    /* names are flat (embed keeps base names); nothing hidden */
    if (!name || !*name || name[0] == '.' || strlen(name) > 64)
        return http_error(out, 404, "not_found", NULL, "no such path");
    return serve_asset(out, name);
}

/* ---- the public page ---- */

/* "2026/11/22 13:05" (Japanese) or "2026-11-22 13:05" (English), Japan
 * Standard Time, from an RFC 3339 UTC time: the page states the time zone
 * once, in its introduction (docs/ui.md "Times"). */
static void jst(const char *rfc, bool en, char *out, size_t len)
{
    int64_t t;
    struct tm tm;
    if (!rfc || util_time_parse(rfc, &t)) {
        snprintf(out, len, "-");
        return;
    }
    time_t tt = (time_t)(t + 9 * 3600);
    if (!gmtime_r(&tt, &tm)) {
        snprintf(out, len, "-");
        return;
    }
    snprintf(
        out, len, en ? "%04d-%02d-%02d %02d:%02d" : "%04d/%02d/%02d %02d:%02d",
        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

/* Validators of a public body: a hash of the bytes, and the newest time
 * (RFC 3339) the body shows. */
static void public_validators(struct http_resp *out, const char *newest)
{
    int64_t t;
    http_etag_of(out, out->raw, out->rawlen);
    if (newest && !util_time_parse(newest, &t))
        out->last_modified = t;
    out->cache_control = PUBLIC_CACHE;
}

/* "ja" (also when absent) or "en"; anything else is 400 naming lang. */
static const char *lang_of(struct http_req *r, struct http_resp *out)
{
    const char *l = http_query(r, "lang");
    if (!l || strcmp(l, "ja") == 0)
        return "ja";
    if (strcmp(l, "en") == 0)
        return "en";
    http_error(out, 400, "invalid_value", "lang", "lang: ja or en");
    return NULL;
}

static const char *kind_name(const char *kind, bool en)
{
    static const char *const k[][3] = {
        {"warning", "警報情報", "Warning"},
        {"security_info", "セキュリティ情報", "Security information"},
        {"case", "事例", "Case"},
        {"newsletter", "ニュースレター", "Newsletter"},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(k); i++)
        if (kind && strcmp(kind, k[i][0]) == 0)
            return k[i][en ? 2 : 1];
    return kind ? kind : "";
}

static const char *sev_name(long long level, bool en)
{
    static const char *const ja[] = {"なし", "低", "中", "高", "重大", "危機"};
    static const char *const enn[] = {"none", "low",    "medium",
                                      "high", "severe", "crisis"};
    if (level < 0 || level > 5)
        return "";
    return en ? enn[level] : ja[level];
}

/* Appends one advisory (the full read, White only) as an article. */
static void public_item(struct buf *b, const json_t *ad, bool en)
{
    const char *l = en ? "en" : "ja";
    const char *id = jv_str(ad, "id");
    char when[64];
    jst(jv_str(ad, "created_at"), en, when, sizeof(when));
    long long sev = jv_int(ad, "severity", 0);
    buf_adds(b, "<article class=\"card\" id=\"");
    html_escape(b, id);
    buf_adds(b, "\"><h2>");
    html_escape(b, jv_str(json_object_get(ad, "title"), l));
    buf_adds(b, "</h2><p class=\"meta\"><span class=\"badge range-white\">"
                "WHITE · TLP:CLEAR</span> ");
    buf_addf(b, "<span class=\"badge sev sev-%lld\">%s %lld %s</span> ", sev,
             en ? "Severity" : "深刻度", sev, sev_name(sev, en));
    html_escape(b, kind_name(jv_str(ad, "kind"), en));
    buf_adds(b, " · ");
    html_escape(b, jv_str(json_object_get(ad, "author_name"), l));
    buf_adds(b, " · <time datetime=\"");
    html_escape(b, jv_str(ad, "created_at"));
    buf_adds(b, "\">");
    html_escape(b, when);
    buf_adds(b, "</time> · <span class=\"id\">");
    html_escape(b, id);
    buf_adds(b, "</span></p><div class=\"body\">");
    html_escape(b, jv_str(json_object_get(ad, "body"), l));
    buf_adds(b, "</div></article>");
}

/* The full read of advisory id when it is White (the read applies the
 * range decision again, as for the public), else NULL. The caller owns
 * the returned reference. */
static json_t *white_advisory(struct http_req *r, const char *id, int64_t now)
{
    json_t *full = NULL;
    struct svc_error e = {0};
    if (advisory_read(r->app, r->sc, NULL, id, now, &full, &e))
        return NULL;
    if (strcmp(jv_str(full, "range"), "white") != 0) {
        json_decref(full);
        return NULL;
    }
    return full;
}

/* Answers 200 with b's text as ctype and the public validators (newest:
 * the newest time shown, or NULL); 500 when b failed (past its cap or out
 * of memory: never a cut-short page). b is released either way. */
static int public_reply(struct http_resp *out, struct buf *b, const char *ctype,
                        const char *newest)
{
    size_t blen = b->len;
    char *text = buf_detach(b);
    if (!text)
        return http_fail(out, IS_ERR_INTERNAL);
    out->rawlen = blen;
    out->raw = text;
    out->ctype = ctype;
    out->status = 200;
    public_validators(out, newest);
    return 200;
}

/* The public page's head, navigation and introduction. */
static void public_head(struct buf *b, bool en)
{
    buf_addf(b,
             "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width, "
             "initial-scale=1\"><title>%s</title>"
             "<link rel=\"stylesheet\" href=\"/ui/app.css\">"
             "<link rel=\"icon\" href=\"/ui/favicon.svg\" "
             "type=\"image/svg+xml\">"
             "<link rel=\"alternate\" type=\"application/atom+xml\" "
             "title=\"%s\" href=\"/public/feed.atom%s\"></head><body>"
             "<a class=\"skip\" href=\"#main\">%s</a>"
             "<header class=\"top\"><div class=\"brand\">infrashare</div>"
             "<nav aria-label=\"%s\"><a href=\"/public?lang=%s\" "
             "lang=\"%s\">%s</a> <a href=\"/public/feed.atom%s\">%s</a> "
             "<a href=\"/#/login\">%s</a></nav></header>"
             "<main id=\"main\" tabindex=\"-1\"><h1>%s</h1><p>%s</p>",
             en ? "en" : "ja",
             en ? "Public advisories (White) - infrashare"
                : "公開情報（White）- infrashare",
             en ? "infrashare public advisories" : "infrashare 公開情報",
             en ? "?lang=en" : "", en ? "Skip to content" : "本文へ移動",
             en ? "Public page" : "公開ページ", en ? "ja" : "en",
             en ? "ja" : "en", en ? "日本語" : "English", en ? "?lang=en" : "",
             en ? "Atom feed" : "Atomフィード", en ? "Sign in" : "ログイン",
             en ? "Public advisories" : "公開情報",
             en ? "Advisories with the sharing range White (TLP:CLEAR), "
                  "published for everyone. Times are Japan Standard Time "
                  "(JST, UTC+09:00)."
                : "共有範囲がWhite（TLP:CLEAR）の、どなたでも読める情報提供"
                  "です。時刻は日本標準時（JST、UTC+09:00）です。");
}

int h_web_public(struct http_req *r, struct http_resp *out)
{
    const char *l = lang_of(r, out);
    if (!l)
        return out->status;
    bool en = strcmp(l, "en") == 0;
    const char *cur = http_query(r, "cursor");
    int64_t now = app_now(r->app);
    struct svc_error e = {0};
    json_t *list = NULL;
    if (advisory_list(r->app, r->sc, NULL, PUBLIC_PAGE, cur, false, now, &list,
                      &e)) {
        if (e.err == IS_ERR_INVALID)
            return http_error(out, 400, e.code, e.field, "%s", e.message);
        return http_fail(out, IS_ERR_INTERNAL);
    }
    struct buf b;
    buf_init(&b, 8 * 1024 * 1024);
    public_head(&b, en);
    size_t i;
    json_t *it;
    size_t shown = 0;
    char newest[UTIL_TIME_LEN + 8] = "";
    json_array_foreach (json_object_get(list, "items"), i, it) {
        json_t *full = white_advisory(r, jv_str(it, "id"), now);
        if (!full)
            continue;
        public_item(&b, full, en);
        shown++;
        const char *c = jv_str(full, "created_at");
        if (c && strcmp(c, newest) > 0)
            util_xcopy(newest, sizeof(newest), c);
        json_decref(full);
    }
    if (!shown)
        buf_adds(&b, en ? "<p class=\"empty\">No public advisories yet.</p>"
                        : "<p class=\"empty\">公開情報はまだありません。</p>");
    const char *next = jv_str(list, "next_cursor");
    if (next) {
        buf_addf(&b,
                 "<p><a href=\"/public?lang=%s&amp;cursor=", en ? "en" : "ja");
        html_escape(&b, next);
        buf_adds(&b,
                 en ? "\">Older advisories</a></p>" : "\">過去の情報</a></p>");
    }
    buf_adds(&b, "</main></body></html>\n");
    json_decref(list);
    return public_reply(out, &b, "text/html; charset=utf-8",
                        newest[0] ? newest : NULL);
}

/* The feed's head (RFC 4287) in language l; updated is its newest time.
 * Links are absolute (readers resolve relative ones against the feed's
 * own URL, which a proxy or a reader's cache may not keep): base is
 * --public-url. */
static void feed_head(struct buf *b, const char *l, const char *base,
                      const char *updated)
{
    bool en = strcmp(l, "en") == 0;
    buf_addf(b,
             "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
             "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"%s\">"
             "<id>urn:infrashare:public:%s</id><title>%s</title>"
             "<link rel=\"alternate\" type=\"text/html\" href=\"",
             l, l,
             en ? "infrashare public advisories (White)"
                : "infrashare 公開情報（White）");
    html_escape(b, base);
    buf_addf(b,
             "/public?lang=%s\"/><link rel=\"self\" "
             "type=\"application/atom+xml\" href=\"",
             l);
    html_escape(b, base);
    buf_addf(b, "/public/feed.atom%s\"/><updated>", en ? "?lang=en" : "");
    html_escape(b, updated);
    buf_adds(b, "</updated><author><name>infrashare</name></author>\n");
}

/* One White advisory (the full read) as a feed entry in language l. */
static void feed_entry(struct buf *b, const json_t *full, const char *l,
                       const char *base)
{
    buf_adds(b, "<entry><id>urn:infrashare:advisory:");
    html_escape(b, jv_str(full, "id"));
    buf_adds(b, "</id><title>");
    html_escape(b, jv_str(json_object_get(full, "title"), l));
    buf_adds(b, "</title><updated>");
    html_escape(b, jv_str(full, "created_at"));
    buf_adds(b, "</updated><published>");
    html_escape(b, jv_str(full, "created_at"));
    buf_adds(b, "</published><author><name>");
    html_escape(b, jv_str(json_object_get(full, "author_name"), l));
    buf_adds(b, "</name></author><category term=\"");
    html_escape(b, jv_str(full, "kind"));
    buf_adds(b, "\"/><category term=\"TLP:CLEAR\"/><link "
                "rel=\"alternate\" type=\"text/html\" href=\"");
    html_escape(b, base);
    buf_adds(b, "/public");
    buf_addf(b, "?lang=%s#", l);
    html_escape(b, jv_str(full, "id"));
    buf_adds(b, "\"/><content type=\"text\">");
    html_escape(b, jv_str(json_object_get(full, "body"), l));
    buf_adds(b, "</content></entry>\n");
}

int h_web_public_feed(struct http_req *r, struct http_resp *out)
{
    const char *l = lang_of(r, out);
    if (!l)
        return out->status;
    int64_t now = app_now(r->app);
    struct svc_error e = {0};
    json_t *list = NULL;
    if (advisory_list(r->app, r->sc, NULL, FEED_ENTRIES, NULL, false, now,
                      &list, &e))
        return http_fail(out, IS_ERR_INTERNAL);
    json_t *items = json_object_get(list, "items");
    /* a copy: the list is released before the validators are set */
    char updated_buf[UTIL_TIME_LEN + 8] = "";
    const char *first = json_array_size(items)
                            ? jv_str(json_array_get(items, 0), "created_at")
                            : NULL;
    if (first)
        util_xcopy(updated_buf, sizeof(updated_buf), first);
    const char *updated = updated_buf[0] ? updated_buf : NULL;
    char nowbuf[UTIL_TIME_LEN];
    util_time_rfc3339(now, nowbuf);
    const char *base = r->app->public_url;
    struct buf b;
    buf_init(&b, 16 * 1024 * 1024);
    feed_head(&b, l, base, updated ? updated : nowbuf);
    size_t i;
    json_t *it;
    json_array_foreach (items, i, it) {
        json_t *full = white_advisory(r, jv_str(it, "id"), now);
        if (!full)
            continue;
        feed_entry(&b, full, l, base);
        json_decref(full);
    }
    buf_adds(&b, "</feed>\n");
    json_decref(list);
    return public_reply(out, &b, "application/atom+xml; charset=utf-8",
                        updated);
}
