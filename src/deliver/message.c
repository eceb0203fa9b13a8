#include "deliver/message.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sodium.h>

#include "core/obs_correlate.h"
#include "core/range.h"
#include "common/util.h"
#include "store/store_notice.h"
#include "store/store_obs.h"

void message_release(struct message *m)
{
    buf_release(&m->text);
    buf_release(&m->json);
}

/* Marks a text a person reads: a string gets "【演習】[EXERCISE] " in
 * front, a {ja, en} pair "【演習】" and "[EXERCISE] " (a gateway texts,
 * reads out or faxes it as it is). Anything else is left. */
static int mark_text(json_t *v)
{
    static const char both[] = "【演習】[EXERCISE] ";
    if (json_is_string(v)) {
        json_t *s = json_sprintf("%s%s", both, json_string_value(v));
        int rc = s ? json_string_set(v, json_string_value(s)) : -1;
        json_decref(s);
        return rc ? IS_ERR_NOMEM : IS_OK;
    }
    if (!json_is_object(v))
        return IS_OK;
    static const char *const lang[][2] = {{"ja", "【演習】"},
                                          {"en", "[EXERCISE] "}};
    for (size_t i = 0; i < IS_ARRAY_LEN(lang); i++) {
        json_t *t = json_object_get(v, lang[i][0]);
        if (!json_is_string(t))
            continue;
        json_t *s = json_sprintf("%s%s", lang[i][1], json_string_value(t));
        if (!s || json_object_set_new(v, lang[i][0], s))
            return IS_ERR_NOMEM;
    }
    return IS_OK;
}

/* The JSON body of an exercise's message: "exercise" first, then the
 * members as they were, the texts a person reads ("title", "text")
 * marked (mark_text). Into j (capped as the body was). */
static int mark_json(const struct buf *json, const char *exercise_id,
                     struct buf *j)
{
    json_error_t err;
    json_t *o = json_loadb(buf_str(json), json->len, 0, &err);
    if (!json_is_object(o)) { /* not an object: left as it is */
        json_decref(o);
        buf_add(j, buf_str(json), json->len);
        return IS_OK;
    }
    json_t *x = json_object();
    int rc =
        x ? json_object_set_new(x, "exercise", json_string(exercise_id)) : -1;
    const char *k;
    json_t *v;
    json_object_foreach (o, k, v) {
        if (rc)
            break;
        if (strcmp(k, "exercise") == 0)
            continue;
        if (strcmp(k, "title") == 0 || strcmp(k, "text") == 0)
            rc = mark_text(v);
        if (!rc)
            rc = json_object_set(x, k, v);
    }
    char *out = rc ? NULL : json_dumps(x, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(x);
    json_decref(o);
    if (!out)
        return IS_ERR_NOMEM;
    buf_adds(j, out);
    free(out);
    return buf_error(j);
}

int message_mark_exercise(struct message *m, const char *exercise_id)
{
    static const char mark[] = "【演習】[EXERCISE] ";
    size_t n = strlen(m->subject);
    if (n + sizeof(mark) > sizeof(m->subject))
        return IS_ERR_NOMEM;
    memmove(m->subject + sizeof(mark) - 1, m->subject, n + 1);
    memcpy(m->subject, mark, sizeof(mark) - 1);
    struct buf t, j;
    buf_init(&t, m->text.cap);
    buf_addf(&t,
             "【演習】[EXERCISE] これは演習です（%s）。実際の事案ではありま"
             "せん。/ This is an exercise (%s), not a real incident.\n\n",
             exercise_id, exercise_id);
    buf_add(&t, buf_str(&m->text), m->text.len);
    buf_init(&j, m->json.cap);
    int rc = m->json.len ? mark_json(&m->json, exercise_id, &j) : IS_OK;
    if (!rc)
        rc = buf_error(&t) ? buf_error(&t) : buf_error(&j);
    if (rc) {
        buf_release(&t);
        buf_release(&j);
        return rc;
    }
    buf_release(&m->text);
    buf_release(&m->json);
    m->text = t;
    m->json = j;
    return IS_OK;
}

/* Drops a leading drill marker so that it is not said twice. */
static const char *strip_drill(const char *t)
{
    static const char *const marks[] = {"【訓練】", "[DRILL] ", "[DRILL]"};
    for (size_t i = 0; i < IS_ARRAY_LEN(marks); i++)
        if (strncmp(t, marks[i], strlen(marks[i])) == 0)
            return t + strlen(marks[i]);
    return t;
}

/* Starts message m for contact contact_id: m zeroed, its buffers capped at
 * cap each, the contact's channel, address and secret read. m's buffers
 * are the caller's to message_release, also after a failure. */
static int message_start(struct store_conn *c, int64_t contact_id, size_t cap,
                         struct message *m)
{
    memset(m, 0, sizeof(*m));
    buf_init(&m->text, cap);
    buf_init(&m->json, cap);
    char lang[8];
    return store_contact_get(c, contact_id, m->channel, sizeof(m->channel),
                             m->address, sizeof(m->address), m->secret,
                             sizeof(m->secret), lang, sizeof(lang));
}

/* What an advisory's message says, decided once for every channel. */
struct advisory_msg {
    const struct store_advisory *ad;
    bool content;          /* title, body and notes travel (Green, White) */
    bool title;            /* the title travels */
    bool recipient;        /* the organisation acknowledges: ack is its link */
    const char *tja, *ten; /* titles without a drill marker */
    const char *drill_ja, *drill_en; /* "" unless a drill */
    const char *login;               /* the advisory's sign-in link */
    const char *ack;
    json_t *notes; /* [{by, note:{ja, en}}] on the recipient's path */
    bool form;     /* a roll call: the link's page is its answer form */
};

/* What message_compose reads and encodes once per advisory and once per
 * organisation, kept across the jobs of one batch (message.h). The JSON
 * body is put together from values that jansson encoded
 * (JSON_COMPACT | JSON_ENCODE_ANY, as json_dumps encodes them inside the
 * object), so it has the bytes of the object advisory_json_of describes. */
struct message_cache {
    /* the advisory (adv_ok: read for adv) */
    bool adv_ok;
    char adv[40];
    struct store_advisory ad;
    bool form;
    bool hops_ok; /* hops read */
    struct store_hop_list hops;
    char login[400];
    /* its encoded JSON values: "type" .. "hotline" (the members, without
     * braces), login_url, title, body, a gateway's text (NULL: absent) */
    char *j_head, *j_login, *j_title, *j_body, *j_text;
    /* the organisation (org_ok: read for org of adv) */
    bool org_ok;
    char org[IDS_LEN];
    bool recipient;
    json_t *notes;
    char *j_notes;
};

struct message_cache *message_cache_new(void)
{
    return calloc(1, sizeof(struct message_cache));
}

static void cache_org_drop(struct message_cache *mc)
{
    json_decref(mc->notes);
    free(mc->j_notes);
    mc->notes = NULL;
    mc->j_notes = NULL;
    mc->org_ok = false;
}

static void cache_adv_drop(struct message_cache *mc)
{
    cache_org_drop(mc);
    if (mc->adv_ok)
        store_advisory_release(&mc->ad);
    store_hop_list_free(&mc->hops);
    free(mc->j_head);
    free(mc->j_login);
    free(mc->j_title);
    free(mc->j_body);
    free(mc->j_text);
    mc->j_head = mc->j_login = mc->j_title = mc->j_body = mc->j_text = NULL;
    mc->adv_ok = mc->hops_ok = false;
}

void message_cache_free(struct message_cache *mc)
{
    if (!mc)
        return;
    cache_adv_drop(mc);
    free(mc);
}

/* v's json_dumps (compact, any value) and drops v; NULL when v is. */
static char *dump_value(json_t *v)
{
    char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    json_decref(v);
    return s;
}

/* Appends s as a JSON string, as jansson encodes it: printable ASCII other
 * than '"' and '\\' as it is (jansson escapes only those two, control
 * characters, and '/' or non-ASCII on flags never used here), anything
 * else by jansson itself. IS_ERR_INVALID: not UTF-8. */
static int add_json_string(struct buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
        p++;
    if (!*p) {
        buf_adds(b, "\"");
        buf_add(b, s, (size_t)(p - (const unsigned char *)s));
        buf_adds(b, "\"");
        return IS_OK;
    }
    char *q = dump_value(json_string(s));
    if (!q)
        return IS_ERR_INVALID;
    buf_adds(b, q);
    free(q);
    return IS_OK;
}

/* The hop notes on org's path ([{by, note}], content only), a new array:
 * empty when the hops (mc->hops_ok) or the recipient (rcpt NULL) could not
 * be read. */
static json_t *hop_notes(const struct message_cache *mc,
                         const struct store_recipient *rcpt)
{
    json_t *notes = json_array();
    if (!mc->hops_ok || !rcpt)
        return notes;
    for (size_t i = 0; i < mc->hops.n; i++) {
        const struct store_hop_entry *h = &mc->hops.items[i];
        /* on the path: the hop that released it to org (its via), and the
         * hops that one came through; never another branch's ministry,
         * which would tell who else it went to (docs/rules.md "Who may
         * read an advisory") */
        bool on_path = store_hop_list_through(&mc->hops, rcpt->via, h->org);
        if (on_path && (*h->note_ja || *h->note_en))
            json_array_append_new(
                notes, json_pack("{s:s,s:{s:s,s:s}}", "by", h->org, "note",
                                 "ja", h->note_ja, "en", h->note_en));
    }
    return notes;
}

/* Reads advisory adv into mc (once per advisory) and encodes what its
 * every message's JSON shares. */
static int cache_advisory(const struct deliver_settings *a,
                          struct store_conn *c, struct message_cache *mc,
                          const char *adv)
{
    if (mc->adv_ok && strcmp(mc->adv, adv) == 0)
        return IS_OK;
    cache_adv_drop(mc);
    struct store_advisory *ad = &mc->ad;
    int rc = store_advisory_get(c, adv, ad);
    if (rc)
        return rc;
    mc->adv_ok = true;
    if (util_copy(mc->adv, sizeof(mc->adv), adv)) {
        cache_adv_drop(mc);
        return IS_ERR_INVALID;
    }
    snprintf(mc->login, sizeof(mc->login), "%s/#/advisories/%s", a->public_url,
             ad->id);
    mc->form = store_rollcall_form_get(c, ad->id, NULL, 0, NULL) == IS_OK;
    bool content = range_content_travels((enum share_range)ad->range);
    bool title = content || ad->title_in_notice;
    if (content)
        mc->hops_ok = store_hops_list(c, ad->id, &mc->hops) == IS_OK;
    char *head = dump_value(
        json_pack("{s:s,s:s,s:s,s:s,s:i,s:s,s:b,s:b}", "type", "advisory",
                  "advisory", ad->id, "kind", ad->kind, "range",
                  range_name((enum share_range)ad->range), "severity",
                  ad->severity, "tlp", range_tlp((enum share_range)ad->range),
                  "drill", ad->drill, "hotline", ad->hotline));
    size_t hl = head ? strlen(head) : 0;
    if (hl >= 2) { /* the members without the braces */
        memmove(head, head + 1, hl - 2);
        head[hl - 2] = '\0';
    }
    mc->j_head = head;
    mc->j_login = dump_value(json_string(mc->login));
    if (title)
        mc->j_title = dump_value(
            json_pack("{s:s,s:s}", "ja", ad->title_ja, "en", ad->title_en));
    if (content)
        mc->j_body = dump_value(
            json_pack("{s:s,s:s}", "ja", ad->body_ja, "en", ad->body_en));
    /* a gateway reads, texts or faxes a short message; jansson joins the
     * mark and the title (a title is up to 200 characters, 800 bytes: a
     * fixed buffer once cut a Japanese one mid-character, and the whole
     * message failed) */
    mc->j_text = dump_value(
        json_pack("{s:s+,s:s+}", "ja", ad->drill ? "【訓練】" : "",
                  title ? strip_drill(ad->title_ja)
                        : "情報提供があります。ログインして確認してください。",
                  "en", ad->drill ? "[DRILL] " : "",
                  title ? strip_drill(ad->title_en)
                        : "An advisory is waiting; sign in to read it."));
    if (!mc->j_head || hl < 2 || !mc->j_login || !mc->j_text ||
        (title && !mc->j_title) || (content && !mc->j_body)) {
        cache_adv_drop(mc);
        return IS_ERR_NOMEM;
    }
    return IS_OK;
}

/* Reads org's copy of mc's advisory (once per organisation): whether it is
 * a recipient, and its hop notes. */
static int cache_org(struct store_conn *c, struct message_cache *mc,
                     const char *org)
{
    if (mc->org_ok && strcmp(mc->org, org) == 0)
        return IS_OK;
    cache_org_drop(mc);
    if (util_copy(mc->org, sizeof(mc->org), org))
        return IS_ERR_INVALID;
    struct store_recipient me;
    mc->recipient = store_recipient_get(c, mc->ad.id, org, &me) == IS_OK;
    bool content = range_content_travels((enum share_range)mc->ad.range);
    mc->notes =
        content ? hop_notes(mc, mc->recipient ? &me : NULL) : json_array();
    if (!mc->notes)
        return IS_ERR_NOMEM;
    json_incref(mc->notes);
    mc->j_notes = dump_value(mc->notes);
    if (!mc->j_notes) {
        cache_org_drop(mc);
        return IS_ERR_NOMEM;
    }
    mc->org_ok = true;
    return IS_OK;
}

/* The hop notes in Japanese (ja) or English, one line each. */
static void add_notes(struct buf *t, json_t *notes, bool ja)
{
    size_t i;
    json_t *n;
    json_array_foreach (notes, i, n) {
        const char *by = json_string_value(json_object_get(n, "by"));
        const char *text = json_string_value(
            json_object_get(json_object_get(n, "note"), ja ? "ja" : "en"));
        if (ja)
            buf_addf(t, "[%s の注記] %s\n", by, text);
        else
            buf_addf(t, "[Note by %s] %s\n", by, text);
    }
}

/* The plain-text (e-mail) body, Japanese first. */
static void advisory_text(struct buf *t, const struct advisory_msg *v)
{
    const struct store_advisory *ad = v->ad;
    if (ad->drill)
        buf_adds(t, "【訓練】[DRILL] これは訓練です。/ This is a drill.\n\n");
    buf_addf(t,
             "種別 / kind: %s   深刻度 / severity: %d   共有範囲 / range: "
             "%s\n\n",
             ad->kind, ad->severity, range_tlp((enum share_range)ad->range));
    if (v->content) {
        buf_addf(t, "%s\n\n%s\n\n", v->tja, ad->body_ja);
        add_notes(t, v->notes, true);
        buf_addf(t, "\n----\n%s\n\n%s\n\n", v->ten, ad->body_en);
        add_notes(t, v->notes, false);
    } else {
        if (v->title)
            buf_addf(t, "%s / %s\n\n", v->tja, v->ten);
        buf_addf(t,
                 "共有範囲 %s の情報提供があります。内容はログインして確認"
                 "してください。\nAn advisory with range %s is waiting "
                 "for you. Sign in to read it:\n%s\n\n",
                 range_name((enum share_range)ad->range),
                 range_name((enum share_range)ad->range), v->login);
    }
    if (v->recipient && v->form)
        buf_addf(t,
                 "\n回答（安否確認・調査依頼。回答すると受領確認になります）/ "
                 "answer the roll call (the link shows the form; answering "
                 "acknowledges; single use):\n%s\n",
                 v->ack);
    else if (v->recipient)
        buf_addf(t,
                 "\n受領確認 / acknowledge (open the link, then press the "
                 "button; single use):\n%s\n",
                 v->ack);
}

/* The JSON body (webhooks and gateways) of delivery d on channel: the
 * object {id, type, advisory, kind, range, severity, tlp, drill, hotline,
 * org, ack_url (null unless a recipient), sent_at, login_url, title (when
 * it travels), body and notes (content, webhook only), channel and text (a
 * gateway)} in that order, compact. */
static int advisory_json(const struct message_cache *mc,
                         const struct advisory_msg *v,
                         const struct store_delivery *d, const char *channel,
                         int64_t now, struct buf *out)
{
    char sent_at[UTIL_TIME_LEN];
    util_time_rfc3339(now, sent_at);
    bool webhook = strcmp(channel, "webhook") == 0;
    int rc;
    buf_adds(out, "{\"id\":");
    if ((rc = add_json_string(out, d->idem_key)))
        return rc;
    buf_adds(out, ",");
    buf_adds(out, mc->j_head);
    buf_adds(out, ",\"org\":");
    if ((rc = add_json_string(out, d->org_id)))
        return rc;
    buf_adds(out, ",\"ack_url\":");
    if (!v->recipient)
        buf_adds(out, "null");
    else if ((rc = add_json_string(out, v->ack)))
        return rc;
    buf_adds(out, ",\"sent_at\":");
    if ((rc = add_json_string(out, sent_at)))
        return rc;
    buf_adds(out, ",\"login_url\":");
    buf_adds(out, mc->j_login);
    if (v->title) {
        buf_adds(out, ",\"title\":");
        buf_adds(out, mc->j_title);
    }
    if (v->content && webhook) {
        buf_adds(out, ",\"body\":");
        buf_adds(out, mc->j_body);
        buf_adds(out, ",\"notes\":");
        buf_adds(out, mc->j_notes);
    }
    if (!webhook) {
        buf_adds(out, ",\"channel\":");
        if ((rc = add_json_string(out, channel)))
            return rc;
        buf_adds(out, ",\"text\":");
        buf_adds(out, mc->j_text);
    }
    buf_adds(out, "}");
    return buf_error(out);
}

int message_compose(const struct deliver_settings *a, struct store_conn *c,
                    struct message_cache *cache, const struct store_delivery *d,
                    int64_t now, struct message *m)
{
    int rc = message_start(c, d->contact_id, 256 * 1024, m);
    if (rc)
        return rc;
    struct message_cache *mc = cache ? cache : message_cache_new();
    if (!mc)
        return IS_ERR_NOMEM;
    if ((rc = cache_advisory(a, c, mc, d->advisory_id)) ||
        (rc = cache_org(c, mc, d->org_id))) {
        if (!cache)
            message_cache_free(mc);
        return rc;
    }
    const struct store_advisory *ad = &mc->ad;
    /* only recipients acknowledge; a secretariat's emergency contact is
     * told, not asked */
    char ack[512] = "";
    if (mc->recipient &&
        (rc = a->ack_link_new(a->ack_link_ctx, c, ad->id, d->org_id, now, ack,
                              sizeof(ack)))) {
        if (!cache)
            message_cache_free(mc);
        return rc;
    }
    struct advisory_msg v = {
        .ad = ad,
        .content = range_content_travels((enum share_range)ad->range),
        .recipient = mc->recipient,
        .tja = strip_drill(ad->title_ja),
        .ten = strip_drill(ad->title_en),
        .drill_ja = ad->drill ? "【訓練】" : "",
        .drill_en = ad->drill ? "[DRILL] " : "",
        .login = mc->login,
        .ack = ack,
        .notes = mc->notes,
        .form = mc->form,
    };
    v.title = v.content || ad->title_in_notice;
    /* a reminder from the acknowledgement board (issue 11): marked in the
     * subject and the text; the range rule is the same */
    bool remind = strcmp(d->purpose, "reminder") == 0;
    const char *rj = remind ? "【督促】" : "";
    const char *re = remind ? "[REMINDER] " : "";
    if (v.title)
        snprintf(m->subject, sizeof(m->subject), "%s%s%s%s%s / %s", rj,
                 v.drill_ja, re, v.drill_en, v.tja, v.ten);
    else
        snprintf(m->subject, sizeof(m->subject),
                 "%s%s%s%s情報提供のお知らせ（%s） / Advisory notice (%s)", rj,
                 v.drill_ja, re, v.drill_en,
                 range_tlp((enum share_range)ad->range),
                 range_tlp((enum share_range)ad->range));
    /* the plain text is the e-mail's only */
    if (strcmp(m->channel, "email") == 0) {
        if (remind)
            buf_adds(&m->text,
                     "【督促】受領確認がまだです。確認してください。\n"
                     "[REMINDER] Your acknowledgement has not been "
                     "received yet; please acknowledge.\n\n");
        advisory_text(&m->text, &v);
    }
    rc = advisory_json(mc, &v, d, m->channel, now, &m->json);
    if (!cache)
        message_cache_free(mc);
    if (rc)
        return rc;
    /* the one check of both bufs: a cut-short message is never sent */
    if ((rc = buf_error(&m->text)) || (rc = buf_error(&m->json)))
        return rc;
    return IS_OK;
}

/* SHA-256 of OpenSSL's libcrypto, fetched once: it uses the CPU's SHA
 * extensions, several times faster than libsodium's portable code on the
 * bodies every webhook signs (bench/fanout_50k.sh). NULL: not available,
 * libsodium signs. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

/* HMAC-SHA256 (RFC 2104) of ts then body under key[klen <= 64, the block
 * size] with libcrypto's SHA-256 into mac[32]; false on a failure. */
static bool hmac_sha256_evp(const unsigned char *key, size_t klen,
                            const char *ts, const char *body, size_t len,
                            unsigned char mac[32])
{
    pthread_once(&sha256_once, sha256_fetch);
    if (!sha256_md || klen > 64)
        return false;
    unsigned char pad[64], inner[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_MD_CTX *x = EVP_MD_CTX_new();
    bool ok = x != NULL;
    memset(pad, 0x36, sizeof(pad));
    for (size_t i = 0; i < klen; i++)
        pad[i] ^= key[i];
    ok = ok && EVP_DigestInit_ex(x, sha256_md, NULL) == 1 &&
         EVP_DigestUpdate(x, pad, sizeof(pad)) == 1 &&
         EVP_DigestUpdate(x, ts, strlen(ts)) == 1 &&
         EVP_DigestUpdate(x, body, len) == 1 &&
         EVP_DigestFinal_ex(x, inner, &n) == 1 && n == 32;
    memset(pad, 0x5c, sizeof(pad));
    for (size_t i = 0; i < klen; i++)
        pad[i] ^= key[i];
    ok = ok && EVP_DigestInit_ex(x, sha256_md, NULL) == 1 &&
         EVP_DigestUpdate(x, pad, sizeof(pad)) == 1 &&
         EVP_DigestUpdate(x, inner, 32) == 1 &&
         EVP_DigestFinal_ex(x, mac, &n) == 1 && n == 32;
    EVP_MD_CTX_free(x);
    sodium_memzero(pad, sizeof(pad));
    return ok;
}

void message_signature(const char *secret_hex, int64_t t, const char *body,
                       size_t len, char *out, size_t outlen)
{
    unsigned char key[64], mac[crypto_auth_hmacsha256_BYTES];
    size_t klen = 0;
    if (sodium_hex2bin(key, sizeof(key), secret_hex, strlen(secret_hex), NULL,
                       &klen, NULL) != 0)
        klen = 0;
    char ts[24];
    snprintf(ts, sizeof(ts), "%lld.", (long long)t);
    if (!hmac_sha256_evp(key, klen, ts, body, len, mac)) {
        crypto_auth_hmacsha256_state st;
        crypto_auth_hmacsha256_init(&st, key, klen);
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts,
                                      strlen(ts));
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
        crypto_auth_hmacsha256_final(&st, mac);
    }
    sodium_memzero(key, sizeof(key));
    char hex[2 * sizeof(mac) + 1];
    util_hex(hex, mac, sizeof(mac));
    snprintf(out, outlen, "t=%lld,v1=%s", (long long)t, hex);
}

/* RFC 2047 (§2) and RFC 5322: an encoded word is at most 75 characters
 * and a header line that holds one at most 76. Each word carries whole
 * UTF-8 characters only (never a character split across two words) in
 * "=?UTF-8?B?" + base64 + "?=" (12 characters of frame). */
#define EW_LINE 76
#define EW_MAX 75
#define EW_FRAME 12

/* The most UTF-8 bytes whose base64 fits in a word of `room` columns. */
static size_t ew_bytes(size_t room)
{
    if (room > EW_MAX)
        room = EW_MAX;
    return room <= EW_FRAME ? 0 : (room - EW_FRAME) / 4 * 3;
}

void message_subject_header(struct buf *b, const char *subject)
{
    static const char name[] = "Subject: ";
    buf_adds(b, name);
    size_t n = strlen(subject), i = 0;
    size_t room = EW_LINE - (sizeof(name) - 1); /* first line */
    while (i < n) {
        size_t k = ew_bytes(room);
        if (k > n - i)
            k = n - i;
        while (k > 0 && i + k < n &&
               ((unsigned char)subject[i + k] & 0xc0) == 0x80)
            k--; /* back off to a character boundary */
        if (k == 0)
            k = 1; /* not UTF-8: never loop forever */
        char enc[EW_MAX + 1];
        sodium_bin2base64(enc, sizeof(enc), (const unsigned char *)subject + i,
                          k, sodium_base64_VARIANT_ORIGINAL);
        buf_addf(b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", enc);
        i += k;
        room = EW_LINE - 1; /* continuation lines start with a space */
    }
    buf_adds(b, "\r\n");
}

void message_mail_domain(const char *public_url, char *out, size_t len)
{
    const char *p = strstr(public_url, "://");
    p = p ? p + 3 : public_url;
    size_t alen = strcspn(p, "/?#");
    /* drop user information */
    for (size_t j = alen; j > 0; j--)
        if (p[j - 1] == '@') {
            p += j;
            alen -= j;
            break;
        }
    char host[256];
    if (alen && p[0] == '[') {
        const char *e = memchr(p, ']', alen);
        size_t hl = e ? (size_t)(e - p) - 1 : 0;
        struct in6_addr a6;
        if (hl && hl < sizeof(host)) {
            memcpy(host, p + 1, hl);
            host[hl] = '\0';
            if (inet_pton(AF_INET6, host, &a6) == 1) {
                snprintf(out, len, "[IPv6:%s]", host);
                return;
            }
        }
        snprintf(out, len, "localhost");
        return;
    }
    size_t hl = strcspn(p, ":/?#");
    if (hl > alen)
        hl = alen;
    bool ok = hl > 0 && hl < sizeof(host);
    for (size_t j = 0; ok && j < hl; j++) {
        unsigned char ch = (unsigned char)p[j];
        ok = isalnum(ch) || ch == '-' || ch == '.';
        host[j] = (char)tolower(ch);
    }
    if (!ok) {
        snprintf(out, len, "localhost");
        return;
    }
    host[hl] = '\0';
    struct in_addr a4;
    int rc = inet_pton(AF_INET, host, &a4) == 1
                 ? util_fmt(out, len, "[%s]", host)
                 : util_copy(out, len, host);
    if (rc) /* does not fit out: no usable host, never a cut-short one */
        snprintf(out, len, "localhost");
}

int message_email(const struct deliver_settings *a, const struct message *m,
                  const struct store_delivery *d, int64_t now, struct buf *out)
{
    time_t tt = (time_t)now;
    struct tm tm;
    gmtime_r(&tt, &tm);
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed",
                                       "Thu", "Fri", "Sat"};
    static const char *const mons[] = {"Jan", "Feb", "Mar", "Apr",
                                       "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec"};
    char domain[300];
    message_mail_domain(a->public_url, domain, sizeof(domain));
    buf_addf(out, "From: infrashare <%s>\r\nTo: <%s>\r\n", a->mail_from,
             m->address);
    message_subject_header(out, m->subject);
    buf_addf(out,
             "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n"
             "Message-ID: <%s@%s>\r\n"
             "Auto-Submitted: auto-generated\r\n"
             "X-Infrashare-%s: %s\r\n"
             "Idempotency-Key: %s\r\n"
             "MIME-Version: 1.0\r\n"
             "Content-Type: text/plain; charset=UTF-8\r\n"
             "Content-Transfer-Encoding: base64\r\n\r\n",
             days[tm.tm_wday], tm.tm_mday, mons[tm.tm_mon], tm.tm_year + 1900,
             tm.tm_hour, tm.tm_min, tm.tm_sec, d->idem_key, domain,
             d->kind == STORE_JOB_ALERT    ? "Report"
             : d->kind == STORE_JOB_OBS    ? "Observation-Alert"
             : d->kind == STORE_JOB_NOTICE ? "Notice"
                                           : "Advisory",
             d->advisory_id, d->idem_key);
    int rc = buf_error(&m->text); /* never encode a cut-short text */
    if (rc)
        return rc;
    size_t n = m->text.len;
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *enc = malloc(cap);
    if (!enc)
        return IS_ERR_NOMEM;
    sodium_bin2base64(enc, cap, (const unsigned char *)buf_str(&m->text), n,
                      sodium_base64_VARIANT_ORIGINAL);
    size_t len = strlen(enc);
    for (size_t i = 0; i < len; i += 76) {
        buf_add(out, enc + i, len - i < 76 ? len - i : 76);
        buf_adds(out, "\r\n");
    }
    free(enc);
    return buf_error(out); /* the e-mail whole, or its sticky error */
}

int message_compose_reminder(const struct deliver_settings *a,
                             struct store_conn *c,
                             const struct store_reminder *r,
                             const struct store_delivery *d, int64_t now,
                             struct message *m)
{
    int rc = message_start(c, d->contact_id, 64 * 1024, m);
    if (rc)
        return rc;
    struct store_report rep;
    if ((rc = store_report_get(c, r->report_id, &rep)))
        return rc;
    json_t *body = json_loads(rep.body, 0, NULL);
    const char *title = json_string_value(json_object_get(body, "title"));
    bool full = strcmp(r->kind, "full_report") == 0;
    char due[UTIL_TIME_LEN], sent_at[UTIL_TIME_LEN], url[400];
    util_time_rfc3339(full ? rep.full_due : rep.final_due, due);
    util_time_rfc3339(now, sent_at);
    snprintf(url, sizeof(url), "%s/#/reports/%s", a->public_url, rep.id);
    snprintf(
        m->subject, sizeof(m->subject), "%s（%s） / Reminder: %s overdue (%s)",
        full ? "詳細報告の期限を過ぎています" : "最終報告の期限を過ぎています",
        rep.id, full ? "full report" : "final report", rep.id);
    buf_addf(&m->text,
             "報告 %s「%s」の%sの期限（%s）を過ぎています。報告を追加して"
             "ください。\n\nThe %s of report %s (\"%s\") was due at %s. "
             "Please add it.\n\n%s\n",
             rep.id, title ? title : "", full ? "詳細報告" : "最終報告", due,
             full ? "full report" : "final report", rep.id, title ? title : "",
             due, url);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s?,s:s,s:s}", "id",
                          d->idem_key, "type", "reminder", "report", rep.id,
                          "kind", r->kind, "due_at", due, "title", title, "url",
                          url, "sent_at", sent_at);
    char *js = json_dumps(o, JSON_COMPACT);
    if (js)
        buf_adds(&m->json, js);
    free(js);
    json_decref(o);
    json_decref(body);
    store_report_release(&rep);
    if (!js)
        return IS_ERR_NOMEM;
    /* the one check of both bufs: a cut-short message is never sent */
    if ((rc = buf_error(&m->text)) || (rc = buf_error(&m->json)))
        return rc;
    return IS_OK;
}

/* What an alert says, decided once for every channel. */
struct alert_msg {
    const struct store_report *rep;
    const struct store_delivery *d;
    bool content;         /* title and what happened travel (Green, White) */
    bool reminder;        /* not opened in time: the reminder */
    const char *title;    /* NULL unless content */
    const char *what;     /* NULL unless content */
    const char *reporter; /* NULL unless content and not anonymous */
    const char *login, *open;
};

/* The plain-text (e-mail) body, Japanese first. */
static void alert_text(struct buf *t, const struct alert_msg *v)
{
    const struct store_report *r = v->rep;
    enum share_range rg = (enum share_range)r->range;
    if (v->reminder)
        buf_addf(t,
                 "【督促】報告 %s はまだ開封されていません。\n[REMINDER] "
                 "Report %s has not been opened yet.\n\n",
                 r->id, r->id);
    buf_addf(t,
             "報告が届きました / A report arrived: %s\n"
             "深刻度 / severity: %d   共有範囲 / range: %s\n\n",
             r->id, r->severity, range_tlp(rg));
    if (v->content) {
        if (v->reporter)
            buf_addf(t, "報告元 / reporter: %s\n", v->reporter);
        buf_addf(t, "%s\n\n%s\n\n", v->title ? v->title : "",
                 v->what ? v->what : "");
    } else {
        buf_addf(t,
                 "共有範囲 %s の報告です。内容はログインして確認してくだ"
                 "さい。\nA report with range %s is waiting for you. Sign "
                 "in to read it:\n",
                 range_name(rg), range_name(rg));
    }
    buf_addf(t, "%s\n\n", v->login);
    buf_addf(t,
             "開封確認 / mark as opened (open the link, then press the "
             "button; single use):\n%s\n",
             v->open);
}

/* The JSON body (webhooks and gateways), a new object. */
static json_t *alert_json(const struct alert_msg *v, const char *channel,
                          int64_t now)
{
    const struct store_report *r = v->rep;
    enum share_range rg = (enum share_range)r->range;
    char sent_at[UTIL_TIME_LEN];
    util_time_rfc3339(now, sent_at);
    json_t *o =
        json_pack("{s:s,s:s,s:s,s:s,s:i,s:i,s:s,s:s,s:s,s:s,s:s,s:s}", "id",
                  v->d->idem_key, "type", "report_alert", "purpose",
                  v->reminder ? "reminder" : "alert", "report", r->id, "round",
                  v->d->round, "severity", r->severity, "range", range_name(rg),
                  "tlp", range_tlp(rg), "hop", v->d->org_id, "login_url",
                  v->login, "open_url", v->open, "sent_at", sent_at);
    if (v->content) {
        json_object_set_new(o, "title", json_string(v->title ? v->title : ""));
        if (strcmp(channel, "webhook") == 0)
            json_object_set_new(o, "what_happened",
                                json_string(v->what ? v->what : ""));
        if (v->reporter)
            json_object_set_new(o, "reporter", json_string(v->reporter));
    }
    if (strcmp(channel, "webhook") != 0) {
        char sj[1024], se[1024]; /* a title is at most 800 bytes */
        snprintf(sj, sizeof(sj), "%s深刻度%dの報告が届きました。%s",
                 v->reminder ? "【督促】" : "", r->severity,
                 v->content && v->title ? v->title
                                        : "ログインして確認してください。");
        snprintf(se, sizeof(se), "%sA severity %d report arrived. %s",
                 v->reminder ? "[REMINDER] " : "", r->severity,
                 v->content && v->title ? v->title : "Sign in to read it.");
        json_object_set_new(o, "channel", json_string(channel));
        json_object_set_new(o, "text",
                            json_pack("{s:s,s:s}", "ja", sj, "en", se));
    }
    return o;
}

int message_compose_alert(const struct deliver_settings *a,
                          struct store_conn *c, const struct store_delivery *d,
                          int64_t now, struct message *m)
{
    int rc = message_start(c, d->contact_id, 256 * 1024, m);
    if (rc)
        return rc;
    struct store_report rep;
    if ((rc = store_report_get(c, d->advisory_id, &rep)))
        return rc;
    char open[512] = "", login[400];
    if ((rc = a->alert_link_new(a->ack_link_ctx, c, rep.id, d->org_id, d->round,
                                now, open, sizeof(open)))) {
        store_report_release(&rep);
        return rc;
    }
    snprintf(login, sizeof(login), "%s/#/reports/%s", a->public_url, rep.id);
    /* the effective severity: the declared one when higher */
    if (rep.declared > rep.severity)
        rep.severity = rep.declared;
    json_t *body = json_loads(rep.body ? rep.body : "{}", 0, NULL);
    struct alert_msg v = {
        .rep = &rep,
        .d = d,
        .content = range_content_travels((enum share_range)rep.range),
        .reminder = strcmp(d->purpose, "reminder") == 0,
        .login = login,
        .open = open,
    };
    if (v.content) {
        v.title = json_string_value(json_object_get(body, "title"));
        v.what = json_string_value(json_object_get(body, "what_happened"));
        /* an anonymous report never names its reporter in a message */
        if (rep.route != ROUTE_ANONYMOUS)
            v.reporter = rep.originator;
    }
    const char *rj = v.reminder ? "【督促】" : "";
    const char *re = v.reminder ? "[REMINDER] " : "";
    if (v.content && v.title)
        snprintf(m->subject, sizeof(m->subject),
                 "%s%s報告（深刻度%d） / Report (severity %d): %s", rj, re,
                 rep.severity, rep.severity, v.title);
    else
        snprintf(m->subject, sizeof(m->subject),
                 "%s%s報告のお知らせ（深刻度%d、%s） / Report notice "
                 "(severity %d, %s)",
                 rj, re, rep.severity, range_tlp((enum share_range)rep.range),
                 rep.severity, range_tlp((enum share_range)rep.range));
    alert_text(&m->text, &v);
    json_t *o = alert_json(&v, m->channel, now);
    char *js = json_dumps(o, JSON_COMPACT);
    if (js)
        buf_adds(&m->json, js);
    free(js);
    json_decref(o);
    json_decref(body);
    store_report_release(&rep);
    if (!js)
        return IS_ERR_NOMEM;
    if ((rc = buf_error(&m->text)) || (rc = buf_error(&m->json)))
        return rc;
    return IS_OK;
}

int message_compose_obs(const struct deliver_settings *a, struct store_conn *c,
                        const struct store_delivery *d, int64_t now,
                        struct message *m)
{
    IS_UNUSED(now);
    int rc = message_start(c, d->contact_id, 64 * 1024, m);
    if (rc)
        return rc;
    long id = 0;
    if (util_parse_long(d->advisory_id, 1, INT64_MAX, &id))
        return IS_ERR_NOTFOUND;
    struct store_obs_alert al;
    if ((rc = store_obs_alert_get(c, id, &al)))
        return rc;
    bool un = strcmp(al.condition, "unreachable") == 0;
    bool site = strcmp(al.kind, "site") == 0;
    char since[UTIL_TIME_LEN];
    util_time_rfc3339(al.since, since);
    /* the counts as the recipient organisation reads the alert: exact
     * when it sees every site counted (NISC; a secretariat whose members'
     * they all are; a site alert's own organisation), else as GET
     * /observation/alerts gives them: the sites it sees exactly, the
     * others rounded (core obs_count_shown) */
    struct access_org ro;
    struct obs_reader rd;
    struct obs_seen seen = {0};
    if (!(rc = store_org_rel(c, d->org_id, &ro))) {
        store_obs_reader_of(&ro, 0, &rd);
        rc = store_obs_alert_seen(c, &rd, &al, &seen);
    }
    bool sees = seen.exact;
    char nja[32], nen[32], rja[1024], ren[1024];
    if (!rc && (!obs_count_text(al.site_count, seen.members, sees, true, nja,
                                sizeof(nja)) ||
                !obs_count_text(al.site_count, seen.members, sees, false, nen,
                                sizeof(nen))))
        rc = IS_ERR_INTERNAL;
    if (rc) {
        free(al.mem);
        return rc;
    }
    if (sees || site) {
        if (util_copy(rja, sizeof(rja), al.reason_ja ? al.reason_ja : ""))
            rja[0] = 0;
        if (util_copy(ren, sizeof(ren), al.reason_en ? al.reason_en : ""))
            ren[0] = 0;
    } else {
        json_t *ev = json_loads(al.evidence ? al.evidence : "{}", 0, NULL);
        int64_t size = json_integer_value(json_object_get(ev, "group_sites"));
        json_decref(ev);
        if (!obs_alert_reason_shown(al.kind, al.key, al.condition, al.phase,
                                    al.site_count, size, &seen, rja,
                                    sizeof(rja), ren, sizeof(ren)))
            rja[0] = ren[0] = 0;
    }
    int64_t shown = obs_count_shown(al.site_count, seen.members, sees);
    snprintf(m->subject, sizeof(m->subject),
             "HPレスポンス観測アラート（%s、%sサイト） / Website observation "
             "alert (%s, %s site%s)",
             un ? "到達不能" : "遅延", nja, un ? "unreachable" : "slow", nen,
             shown == 1 ? "" : "s");
    buf_addf(&m->text,
             "HPレスポンス観測アラート / Website observation alert\n\n"
             "種別 / kind: %s%s%s\n"
             "状態 / condition: %s\n"
             "サイト数 / sites: %s%s%s\n"
             "開始 / since: %s\n\n"
             "%s\n%s\n\n"
             "詳細はサインインして確認してください / Sign in for the details:\n"
             "%s/#/observation\n",
             al.kind, site ? "" : " ", site ? "" : al.key, al.condition, nja,
             sees ? "" : " / ", sees ? "" : nen, since, rja, ren,
             a->public_url);
    json_t *o =
        json_pack("{s:s,s:s,s:s,s:o,s:s,s:s,s:s}", "type", "observation_alert",
                  "kind", al.kind, "condition", al.condition, "site_count",
                  shown < 0 ? json_string("<5") : json_integer(shown), "since",
                  since, "reason_ja", rja, "reason_en", ren);
    free(al.mem);
    char *js = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!js)
        return IS_ERR_NOMEM;
    buf_adds(&m->json, js);
    free(js);
    if ((rc = buf_error(&m->text)) || (rc = buf_error(&m->json)))
        return rc;
    return IS_OK;
}

int message_compose_notice(const struct deliver_settings *a,
                           struct store_conn *c, const struct store_delivery *d,
                           int64_t now, struct message *m)
{
    IS_UNUSED(a);
    IS_UNUSED(now);
    int rc = message_start(c, d->contact_id, 16 * 1024, m);
    if (rc)
        return rc;
    long id = 0;
    if (util_parse_long(d->advisory_id, 1, INT64_MAX, &id))
        return IS_ERR_NOTFOUND;
    struct store_notice n;
    if ((rc = store_notice_get(c, id, &n)))
        return rc;
    /* the subject is the queuing service's, bounded there */
    if (util_copy(m->subject, sizeof(m->subject), n.subject ? n.subject : "")) {
        store_notice_release(&n);
        return IS_ERR_INVALID;
    }
    buf_adds(&m->text, n.body ? n.body : "");
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", "notice", "kind",
                          n.kind, "ref", n.ref, "subject", m->subject, "body",
                          n.body ? n.body : "");
    store_notice_release(&n);
    char *js = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!js)
        return IS_ERR_NOMEM;
    buf_adds(&m->json, js);
    free(js);
    if ((rc = buf_error(&m->text)) || (rc = buf_error(&m->json)))
        return rc;
    return IS_OK;
}
