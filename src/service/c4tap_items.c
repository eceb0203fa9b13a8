/*
 * c4tap_items.c - C4TAP's submissions, campaigns, lookups and exports (see
 * service/c4tap.h). Every item a reader gets passes core/c4tap.h's
 * decision per information type here, in one place: view_of.
 */
#include "service/c4tap_internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <libpsl.h>
#include <sodium.h>

#include "common/csv.h"
#include "common/jtext.h"
#include "common/util.h"
#include "core/roles.h"
#include "mail/mail.h"
#include "service/provision.h"

static const char *const range_names[] = {"red",   "amber", "yellow",
                                          "green", "white", NULL};
static const char *const adv_kinds[] = {"warning", "info", NULL};
static const char *const type_names[] = {"original", "sender", "headers",
                                         "received", "urls",   "attachments",
                                         "provider", NULL};

_Static_assert(C4_TYPE_COUNT == 7, "include's max_len names every type");

const struct jv_field c4tap_ranges_update_spec[] = {
    {.name = "version",
     .type = JV_INT,
     .required = true,
     .min = 1,
     .max = 1000000000},
    {.name = "ranges",
     .type = JV_OBJECT,
     .required = true,
     .sub = c4tap_ranges_spec,
     .nsub = C4_TYPE_COUNT},
    {.name = NULL},
};

const struct jv_field c4tap_note_spec[] = {
    {.name = "text", .type = JV_STRING, .max_len = 4000},
    {.name = "range", .type = JV_STRING, .enum_values = range_names},
    {.name = "title", .type = JV_STRING, .max_len = 200},
    {.name = NULL},
};

const struct jv_field c4tap_merge_spec[] = {
    {.name = "from",
     .type = JV_INT_ARRAY,
     .required = true,
     .max_len = 50,
     .min = 1,
     .max = 9007199254740991LL},
    {.name = NULL},
};

const struct jv_field c4tap_split_spec[] = {
    {.name = "submissions",
     .type = JV_INT_ARRAY,
     .required = true,
     .max_len = 1000,
     .min = 1,
     .max = 9007199254740991LL},
    {.name = "title", .type = JV_STRING, .max_len = 200},
    {.name = NULL},
};

const struct jv_field c4tap_advisory_spec[] = {
    {.name = "range",
     .type = JV_STRING,
     .required = true,
     .enum_values = range_names},
    {.name = "severity", .type = JV_INT, .min = 0, .max = 5},
    {.name = "kind", .type = JV_STRING, .enum_values = adv_kinds},
    {.name = "title_ja", .type = JV_STRING, .max_len = 200},
    {.name = "title_en", .type = JV_STRING, .max_len = 200},
    {.name = "all", .type = JV_BOOL},
    {.name = "sectors", .type = JV_STRING_ARRAY, .max_len = 32, .item_len = 63},
    {.name = "ceptoars",
     .type = JV_STRING_ARRAY,
     .max_len = 64,
     .item_len = 63},
    {.name = "include",
     .type = JV_STRING_ARRAY,
     .max_len = 7, /* C4_TYPE_COUNT */
     .item_len = 20,
     .enum_values = type_names},
    {.name = NULL},
};

/* ---- ids ---- */

static int parse_id(const char *s, int64_t *id)
{
    long v;
    if (!s || util_parse_long(s, 1, INT64_MAX, &v))
        return IS_ERR_NOTFOUND;
    *id = v;
    return IS_OK;
}

static int sub_not_found(struct svc_error *e)
{
    return svc_fail(e, IS_ERR_NOTFOUND, "not_found", "id",
                    "no such submission (or you may not see it)");
}

static int campaign_not_found(struct svc_error *e)
{
    return svc_fail(e, IS_ERR_NOTFOUND, "not_found", "id",
                    "no such campaign (or you may not see it)");
}

/* ---- what a reader may read of one submission ---- */

struct view {
    struct c4tap_reader rd;
    enum share_range ranges[C4_TYPE_COUNT];
    bool may[C4_TYPE_COUNT];
    bool any;           /* some type readable */
    bool sees_provider; /* who submitted */
    bool sector_shown;  /* its sector, when the provider is hidden */
};

static void view_of(const struct c4_me *m, const struct store_c4tap_sub *s,
                    struct view *v)
{
    v->rd = c4_reader_for(m, s->org_id);
    c4_ranges_parse(s->ranges, v->ranges);
    for (int t = 0; t < C4_TYPE_COUNT; t++)
        v->may[t] = c4tap_may_read(v->ranges[t], &v->rd);
    v->sees_provider =
        c4tap_sees_provider(v->ranges[C4_PROVIDER], s->anonymous, &v->rd);
    v->sector_shown = c4_sector_shown(m, s->sector_id);
    /* the original names its recipient, which the masks of the other
     * types take out (mask_recipient): it goes no further than who
     * provided it */
    v->may[C4_ORIGINAL] = v->may[C4_ORIGINAL] && v->sees_provider;
    /* the provider type alone is no view of the e-mail */
    v->any = false;
    for (int t = 0; t < C4_TYPE_COUNT; t++)
        if (t != C4_PROVIDER)
            v->any = v->any || v->may[t];
}

static json_t *provider_json(const struct store_c4tap_sub *s,
                             const struct view *v)
{
    if (v->sees_provider)
        return json_pack("{s:b,s:s,s:s,s:s,s:s}", "shown", 1, "org", s->org_id,
                         "name_ja", s->org_name_ja, "name_en", s->org_name_en,
                         "sector", s->sector_id);
    /* the sector only: "an operator in <sector>" (counts allow it), and
     * only where enough participants share it (C4TAP_SECTOR_MIN) */
    return json_pack("{s:b,s:o,s:s,s:s}", "shown", 0, "sector",
                     v->sector_shown ? json_string(s->sector_id) : json_null(),
                     "label_ja", "C4TAP 参加組織", "label_en",
                     "a C4TAP participant");
}

static json_t *hidden_json(const struct view *v)
{
    json_t *a = json_array();
    for (int t = 0; t < C4_TYPE_COUNT; t++)
        if (!v->may[t])
            json_array_append_new(
                a, json_string(c4tap_type_name((enum c4tap_type)t)));
    return a;
}

/* Copies key of src into dst when the reader may read type t. */
static void put_if(json_t *dst, const json_t *src, const char *key,
                   const struct view *v, enum c4tap_type t)
{
    if (!v->may[t])
        return;
    json_t *x = json_object_get(src, key);
    json_object_set(dst, key, x ? x : json_null());
}

static json_t *flags_json(const json_t *parsed, const struct view *v)
{
    json_t *out = json_array();
    size_t i;
    json_t *f;
    json_array_foreach (json_object_get(parsed, "flags"), i, f) {
        enum c4tap_type t =
            c4tap_flag_type(json_string_value(json_object_get(f, "code")));
        if (!v->may[t])
            continue;
        const struct mail_flag_text *x =
            mail_flag_find(json_string_value(json_object_get(f, "code")));
        json_t *c = json_deep_copy(f);
        json_object_set_new(c, "type", json_string(c4tap_type_name(t)));
        json_object_set_new(c, "ja", json_string(x ? x->ja : ""));
        json_object_set_new(c, "en", json_string(x ? x->en : ""));
        json_array_append_new(out, c);
    }
    return out;
}

/* The e-mail's Date is of the headers type: null to a reader who may not
 * read the headers. */
static json_t *mail_date_json(const struct store_c4tap_sub *s,
                              const struct view *v)
{
    return v->may[C4_HEADERS] ? svc_time_json(s->mail_at) : json_null();
}

/* The submission as the reader may read it: full (every readable type's
 * data) or a summary for lists. */
static json_t *sub_json(const struct store_c4tap_sub *s, const json_t *parsed,
                        const struct view *v, bool full)
{
    json_t *o =
        json_pack("{s:I,s:I,s:o,s:o,s:s,s:b,s:I,s:o,s:o,s:o,s:o}", "id",
                  (json_int_t)s->id, "campaign", (json_int_t)s->campaign_id,
                  "received_at", svc_time_json(s->created_at), "mail_date",
                  mail_date_json(s, v), "via", s->via, "anonymous",
                  s->anonymous, "version", (json_int_t)s->version, "ranges",
                  c4_ranges_json(v->ranges, false), "tlp",
                  c4_ranges_json(v->ranges, true), "provider",
                  provider_json(s, v), "hidden", hidden_json(v));
    if (!o)
        return NULL;
    if (v->may[C4_ORIGINAL]) {
        json_object_set_new(o, "sha256", json_string(s->sha256));
        json_object_set_new(o, "size", json_integer((json_int_t)s->size));
        if (v->rd.is_provider || v->sees_provider)
            json_object_set_new(o, "note", json_string(s->note));
    }
    if (!parsed)
        return o;
    if (full) {
        put_if(o, parsed, "from", v, C4_SENDER);
        put_if(o, parsed, "reply_to", v, C4_SENDER);
        put_if(o, parsed, "return_path", v, C4_SENDER);
        put_if(o, parsed, "subject", v, C4_HEADERS);
        put_if(o, parsed, "message_id", v, C4_HEADERS);
        put_if(o, parsed, "date", v, C4_HEADERS);
        put_if(o, parsed, "date_header", v, C4_HEADERS);
        put_if(o, parsed, "x_mailer", v, C4_HEADERS);
        put_if(o, parsed, "auth", v, C4_HEADERS);
        put_if(o, parsed, "warnings", v, C4_HEADERS);
        put_if(o, parsed, "cut", v, C4_HEADERS);
        put_if(o, parsed, "received", v, C4_RECEIVED);
        put_if(o, parsed, "urls", v, C4_URLS);
        put_if(o, parsed, "attachments", v, C4_ATTACHMENTS);
        put_if(o, parsed, "messages", v, C4_ORIGINAL);
    } else {
        if (v->may[C4_HEADERS])
            json_object_set(o, "subject",
                            json_object_get(parsed, "subject")
                                ? json_object_get(parsed, "subject")
                                : json_null());
        if (v->may[C4_SENDER]) {
            json_t *from = json_object_get(parsed, "from");
            json_t *addr = json_object_get(from, "address");
            json_object_set(o, "from", addr ? addr : json_null());
        }
        if (v->may[C4_URLS])
            json_object_set_new(o, "url_count",
                                json_integer((json_int_t)json_array_size(
                                    json_object_get(parsed, "urls"))));
        if (v->may[C4_ATTACHMENTS])
            json_object_set_new(o, "attachment_count",
                                json_integer((json_int_t)json_array_size(
                                    json_object_get(parsed, "attachments"))));
    }
    json_object_set_new(o, "flags", flags_json(parsed, v));
    return o;
}

/* ---- indicators of a parsed e-mail ---- */

struct ind {
    const char *kind;
    char *value;
    enum c4tap_type type;
    bool keyed;
};
struct inds {
    struct ind *v;
    size_t n, cap;
};

static void inds_free(struct inds *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].value);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

/* Adds (kind, value) once; lower: ASCII lower-cased. Values past
 * C4TAP_VALUE_MAX or empty are not indicators. */
/* Every kind inds_add is given (the lookup's kind filter takes these) */
static const char *const ind_kinds[] = {"attachment_name", "attachment_sha256",
                                        "message_id",      "origin_ip",
                                        "received_host",   "received_ip",
                                        "reply_to",        "return_path",
                                        "sender_address",  "sender_domain",
                                        "sender_name",     "subject",
                                        "subject_norm",    "url",
                                        "url_host",        "x_mailer"};

static bool ind_kind_known(const char *kind)
{
    for (size_t i = 0; i < IS_ARRAY_LEN(ind_kinds); i++)
        if (strcmp(ind_kinds[i], kind) == 0)
            return true;
    return false;
}

static int inds_add(struct inds *l, const char *kind, const char *value,
                    enum c4tap_type type, bool keyed, bool lower)
{
    if (!value || !*value || strlen(value) > C4TAP_VALUE_MAX)
        return IS_OK;
    char *v = strdup(value);
    if (!v)
        return IS_ERR_NOMEM;
    if (lower)
        for (char *p = v; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    /* a value with a mask's placeholder (mask_recipient) joins no
     * campaign: https://www.[recipient-domain]/ is every provider's own
     * site, and would join unrelated e-mails into one (found by an
     * outside review); it stays an indicator of its submission */
    if (strstr(v, "[recipient") || strstr(v, "[provider]"))
        keyed = false;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].kind, kind) == 0 && strcmp(l->v[i].value, v) == 0) {
            free(v);
            return IS_OK;
        }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        struct ind *nv = realloc(l->v, cap * sizeof(*nv));
        if (!nv) {
            free(v);
            return IS_ERR_NOMEM;
        }
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = (struct ind){kind, v, type, keyed};
    return IS_OK;
}

static const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int extract(const json_t *p, struct inds *l)
{
    int rc = IS_OK;
    const json_t *from = json_object_get(p, "from");
    const char *addr = jstr(from, "address");
    rc = rc ? rc : inds_add(l, "sender_address", addr, C4_SENDER, true, true);
    rc = rc ? rc
            : inds_add(l, "sender_name", jstr(from, "display_name"), C4_SENDER,
                       false, false);
    const char *at = addr ? strrchr(addr, '@') : NULL;
    rc = rc ? rc
            : inds_add(l, "sender_domain", at ? at + 1 : NULL, C4_SENDER, false,
                       true);
    size_t i;
    json_t *x;
    json_array_foreach (json_object_get(p, "reply_to"), i, x)
        rc = rc ? rc
                : inds_add(l, "reply_to", json_string_value(x), C4_SENDER, true,
                           true);
    rc = rc ? rc
            : inds_add(l, "return_path", jstr(p, "return_path"), C4_SENDER,
                       true, true);
    const char *subject = jstr(p, "subject");
    rc = rc ? rc : inds_add(l, "subject", subject, C4_HEADERS, false, false);
    char norm[512];
    c4tap_subject_norm(subject, norm, sizeof(norm));
    rc = rc ? rc : inds_add(l, "subject_norm", norm, C4_HEADERS, true, false);
    rc = rc ? rc
            : inds_add(l, "message_id", jstr(p, "message_id"), C4_HEADERS,
                       false, false);
    rc = rc ? rc
            : inds_add(l, "x_mailer", jstr(p, "x_mailer"), C4_HEADERS, false,
                       false);
    /* every hop's host and address; the origin (the earliest hop with an
     * address, the last Received field) is the sender's infrastructure */
    const char *origin = NULL;
    json_array_foreach (json_object_get(p, "received"), i, x) {
        const char *ip = jstr(x, "from_ip");
        rc = rc ? rc : inds_add(l, "received_ip", ip, C4_RECEIVED, false, true);
        rc = rc ? rc
                : inds_add(l, "received_host", jstr(x, "from_host"),
                           C4_RECEIVED, false, true);
        if (ip && *ip)
            origin = ip;
    }
    rc = rc ? rc : inds_add(l, "origin_ip", origin, C4_RECEIVED, true, true);
    json_array_foreach (json_object_get(p, "urls"), i, x) {
        rc = rc ? rc : inds_add(l, "url", jstr(x, "url"), C4_URLS, true, false);
        rc = rc ? rc
                : inds_add(l, "url_host", jstr(x, "host"), C4_URLS, true, true);
    }
    json_array_foreach (json_object_get(p, "attachments"), i, x) {
        rc = rc ? rc
                : inds_add(l, "attachment_sha256", jstr(x, "sha256"),
                           C4_ATTACHMENTS, true, true);
        rc = rc ? rc
                : inds_add(l, "attachment_name", jstr(x, "filename"),
                           C4_ATTACHMENTS, false, false);
    }
    return rc;
}

/* ---- the recipient: masked out of what is shared ----
 *
 * The recipient of a suspicious e-mail is the provider (or one of its
 * people): its address in a Received field's "for" clause, its mail
 * servers in the hops, a tracking link's ?u=<address>, the organisation's
 * name in a subject name who provided a submission as surely as the
 * provider field does. So before anything is extracted or stored, the
 * parsed e-mail's every text has the recipients' addresses
 * ("[recipient]"), their organisations' domains and every host under them
 * ("[recipient-domain]"), the addresses of hops sent from such hosts
 * ("[recipient-ip]") and the provider's names ("[provider]") replaced, for
 * every reader: the indicators, lookups, exports, campaigns, STIX and
 * advisories never hold them. The original bytes are kept as sent; they
 * follow the provider's range (view_of). docs/rules.md, C4TAP "The
 * recipient". */

struct mask {
    const char *from, *to;
    enum { M_TEXT, M_NAME, M_DOMAIN, M_IP, M_IP6 } kind;
};
/* every mask mask_recipient can add: per recipient (mail_parse keeps
 * 100) its address, its display name and its domain; the topmost hop's
 * domain or address; per Received hop (100) its address; the provider's
 * three names. A full table refuses the submission (never stored partly
 * masked). */
#define MASK_MAX (100 * 3 + 1 + 100 + 3 + 8)

static bool host_char(unsigned char c)
{
    return isalnum(c) || c == '-' || c >= 0x80;
}

/* Where a mask of kind k matches at p (n bytes) in text: a domain at a
 * label's start and end (the domain or a host under it, never
 * "<domain>.other"), an address not inside a longer number. */
/* Does a percent-encoded byte end just before p ("%40", "%2540": an
 * address's "@" in a URL's query)? */
static bool after_pct(const char *text, const char *p)
{
    return p - text >= 3 && p[-3] == '%' && isxdigit((unsigned char)p[-2]) &&
           isxdigit((unsigned char)p[-1]);
}

/* The length of a percent-encoding of the byte c at p ("%2E", or
 * "%252E" encoded twice; hexadecimal and letters in either case), else 0. */
static size_t pct_of(const char *p, unsigned char c)
{
    size_t k = p[0] == '%' && p[1] == '2' && p[2] == '5' ? 2 : 0;
    if (p[0] != '%' || !isxdigit((unsigned char)p[k + 1]) ||
        !isxdigit((unsigned char)p[k + 2]))
        return 0;
    char hex[3] = {p[k + 1], p[k + 2], '\0'};
    int v = (int)strtol(hex, NULL, 16);
    return tolower(v) == tolower(c) ? k + 3 : 0;
}

/* How many bytes at p spell s: each character as itself (ASCII letters in
 * either case), percent-encoded once or twice, or, a dot or "@", in its
 * full-width or ideographic form ("．", "。", "＠"); 0 when p does not
 * ("taro%2Eyamada%40bank%2Eco%2Ejp" and "bank．co．jp" spell their
 * addresses: found by an outside review). */
static size_t spelled(const char *p, const char *s)
{
    const char *q = p;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        size_t k;
        if (*q && tolower((unsigned char)*q) == tolower(c))
            q++;
        else if ((k = pct_of(q, c)) != 0)
            q += k;
        else if (c == '.' && (strncmp(q, "\xEF\xBC\x8E", 3) == 0 ||
                              strncmp(q, "\xE3\x80\x82", 3) == 0))
            q += 3;
        else if (c == '@' && strncmp(q, "\xEF\xBC\xA0", 3) == 0)
            q += 3;
        else
            return 0;
    }
    return (size_t)(q - p);
}

static bool mask_fits(const char *text, const char *p, size_t n, int k)
{
    unsigned char before =
        p > text && !after_pct(text, p) ? (unsigned char)p[-1] : 0;
    unsigned char after = (unsigned char)p[n];
    unsigned char next = after ? (unsigned char)p[n + 1] : 0;
    if (k == M_NAME) /* a whole word where it is one ("Info", not
                        "Information"); Japanese has no spaces to ask */
        return !(isalnum((unsigned char)p[0]) && isalnum(before)) &&
               !(isalnum((unsigned char)p[n - 1]) && isalnum(after));
    if (k == M_DOMAIN)
        return !host_char(before) && !host_char(after) &&
               !(after == '.' && host_char(next));
    if (k == M_IP)
        return !isdigit(before) && before != '.' && !isdigit(after) &&
               !(after == '.' && isdigit(next));
    if (k == M_IP6) { /* never a part of a longer IPv6 address */
        bool tagged = p - text >= 5 && strncasecmp(p - 5, "IPv6:", 5) == 0;
        return !isxdigit(before) && (before != ':' || tagged) &&
               !isxdigit(after) && after != ':';
    }
    return true;
}

/* text with every mask applied (a new string), NULL when none matched. */
static char *mask_text(const char *text, const struct mask *m, int n)
{
    char *cur = NULL;
    for (int i = 0; i < n; i++) {
        const char *src = cur ? cur : text;
        struct buf b;
        bool hit = false;
        buf_init(&b, 1 << 20);
        for (const char *p = src; *p;) {
            size_t fl = spelled(p, m[i].from);
            if (fl && mask_fits(src, p, fl, m[i].kind)) {
                buf_add(&b, m[i].to, strlen(m[i].to));
                p += fl;
                hit = true;
            } else {
                buf_add(&b, p, 1);
                p++;
            }
        }
        if (hit && !buf_error(&b)) {
            free(cur);
            cur = strdup(buf_str(&b));
        }
        buf_release(&b);
    }
    return cur;
}

static void mask_json(json_t *j, const struct mask *m, int n)
{
    if (json_is_string(j)) {
        char *x = mask_text(json_string_value(j), m, n);
        if (x)
            json_string_set(j, x);
        free(x);
    } else if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach (j, k, v)
            mask_json(v, m, n);
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach (j, i, v)
            mask_json(v, m, n);
    }
}

/* The organisation's domain of a host or address domain: its registrable
 * domain by the Public Suffix List ("mail.bank.co.jp" -> "bank.co.jp",
 * "www.city.shibuya.tokyo.jp" -> "city.shibuya.tokyo.jp", where the last
 * two labels would be the public suffix tokyo.jp and leave the
 * organisation's labels in sight: found by an outside review), a pointer
 * into d. A name that is itself a public suffix, or of one label, is
 * masked whole: d. NULL for an empty name. */
static const char *org_domain(const char *d)
{
    size_t n = d ? strlen(d) : 0;
    if (n == 0 || n > 253)
        return n ? d : NULL;
    char low[254];
    for (size_t i = 0; i <= n; i++) /* the list's names are lower case */
        low[i] = (char)tolower((unsigned char)d[i]);
    while (n && low[n - 1] == '.') /* a fully qualified name's root */
        low[--n] = '\0';
    const psl_ctx_t *psl = psl_builtin();
    const char *r = psl ? psl_registrable_domain(psl, low) : NULL;
    return r ? d + (r - low) : d;
}

static bool mask_has(const struct mask *m, int n, const char *from)
{
    for (int i = 0; i < n; i++)
        if (strcasecmp(m[i].from, from) == 0)
            return true;
    return false;
}

static void mask_add(struct mask *m, int *n, const char *from, const char *to,
                     int kind)
{
    if (from && strlen(from) >= 2 && *n < MASK_MAX && !mask_has(m, *n, from))
        m[(*n)++] = (struct mask){.from = from, .to = to, .kind = kind};
}

/* Mail services that take in the mail of many organisations: a domain of
 * theirs as the last host of an e-mail says nothing of its recipient, and
 * senders use them too. */
static bool shared_mail_domain(const char *d)
{
    static const char *const shared[] = {
        "outlook.com",     "office365.com", "microsoft.com",
        "hotmail.com",     "live.com",      "google.com",
        "googlemail.com",  "gmail.com",     "yahoo.co.jp",
        "yahoo.com",       "icloud.com",    "me.com",
        "amazonaws.com",   "amazonses.com", "ocn.ne.jp",
        "nifty.com",       "biglobe.ne.jp", "so-net.ne.jp",
        "plala.or.jp",     "docomo.ne.jp",  "ezweb.ne.jp",
        "softbank.ne.jp",  "sakura.ne.jp",  "xserver.jp",
        "messagelabs.com", "pphosted.com",  "mimecast.com",
        "secureserver.net"};
    for (size_t i = 0; i < IS_ARRAY_LEN(shared); i++)
        if (strcasecmp(d, shared[i]) == 0)
            return true;
    return false;
}

/* Is host (a hop's "from" name) under one of the masked domains? */
static bool host_masked(const char *host, const struct mask *m, int n)
{
    if (!host)
        return false;
    size_t hl = strlen(host);
    for (int i = 0; i < n; i++) {
        size_t dl = strlen(m[i].from);
        if (m[i].kind == M_DOMAIN && hl >= dl &&
            strcasecmp(host + hl - dl, m[i].from) == 0 &&
            (hl == dl || host[hl - dl - 1] == '.'))
            return true;
    }
    return false;
}

/* Does a hop's "from" clause (its text before " by ") name a host under
 * one of the masked domains, the name it gave (HELO) or the one its
 * address resolved to ("from gw01 (mx1.bank.co.jp [192.0.2.7])")? */
static bool from_clause_masked(const char *text, const struct mask *m, int n)
{
    if (!text)
        return false;
    const char *end = text + strlen(text);
    for (const char *p = text; *p; p++)
        if ((p == text || isspace((unsigned char)p[-1])) &&
            strncasecmp(p, "by", 2) == 0 && isspace((unsigned char)p[2])) {
            end = p;
            break;
        }
    for (const char *p = text; p < end; p++)
        for (int i = 0; i < n; i++) {
            size_t dl = strlen(m[i].from);
            if (m[i].kind == M_DOMAIN && dl <= (size_t)(end - p) &&
                strncasecmp(p, m[i].from, dl) == 0 &&
                mask_fits(text, p, dl, M_DOMAIN))
                return true;
        }
    return false;
}

/* Masks the recipient (and org, the provider) out of parsed, and takes
 * mail_parse's "recipients" out of it. */
static int mask_recipient(struct store_conn *c, const char *org, json_t *parsed)
{
    json_t *rcpt = json_incref(json_object_get(parsed, "recipients"));
    json_t *names = json_incref(json_object_get(parsed, "recipient_names"));
    bool over = json_is_true(json_object_get(parsed, "recipients_over"));
    json_object_del(parsed, "recipients");
    json_object_del(parsed, "recipient_names");
    json_object_del(parsed, "recipients_over");
    if (over) { /* more than could be masked: never shared partly masked */
        json_decref(rcpt);
        json_decref(names);
        return IS_ERR_LIMIT;
    }
    struct store_org_entry *o = NULL;
    int rc = store_org_get(c, org, &o);
    if (rc && rc != IS_ERR_NOTFOUND) {
        json_decref(rcpt);
        json_decref(names);
        return rc;
    }
    struct mask m[MASK_MAX];
    int n = 0;
    size_t i;
    json_t *x;
    /* the address literal of the topmost hop (freed at the end) */
    json_t *pct = json_array();
    if (!pct)
        rc = IS_ERR_NOMEM;
    /* addresses first (spelled also percent-encoded: a tracking link's
     * ?u=taro%40bank.co.jp), then the people's names, then domains: an
     * address is one placeholder */
    json_array_foreach (rcpt, i, x)
        mask_add(m, &n, json_string_value(x), "[recipient]", M_TEXT);
    json_array_foreach (names, i, x)
        mask_add(m, &n, json_string_value(x), "[recipient]", M_NAME);
    json_array_foreach (rcpt, i, x) {
        const char *at = strrchr(json_string_value(x), '@');
        const char *d = at ? org_domain(at + 1) : NULL;
        mask_add(m, &n, d, "[recipient-domain]", M_DOMAIN);
    }
    /* the host that took it in last, the topmost hop's "by", is the
     * recipient's own: whether the e-mail names no recipient (Bcc) or
     * names others only (a decoy in To, the provider in Bcc) */
    const json_t *hops = json_object_get(parsed, "received");
    const char *by = jstr(json_array_get(hops, 0), "by_host");
    /* a host name of two labels or more, never an address literal
     * (whose "domain" would be its last two numbers) */
    struct in6_addr a6;
    bool literal =
        by && (*by == '[' || strspn(by, "0123456789.") == strlen(by) ||
               inet_pton(AF_INET6, by, &a6) == 1);
    const char *bd = by && !literal ? org_domain(by) : NULL;
    /* a mail service taking in many organisations' mail (outlook.com)
     * names no recipient: its one host, not its domain, which a sender
     * may use as well (attacker@outlook.com stays) */
    mask_add(m, &n, bd && shared_mail_domain(bd) ? by : bd,
             "[recipient-domain]", M_DOMAIN);
    if (by && literal && pct) {
        /* an address literal is the recipient's server's address: masked
         * when it is one (by [mx] masks nothing) */
        char a[INET6_ADDRSTRLEN + 8];
        size_t bl = strlen(by);
        bool br = *by == '[' && bl > 2 && by[bl - 1] == ']';
        const char *s0 = br ? by + 1 : by;
        size_t al = br ? bl - 2 : bl;
        if (al > 5 && strncasecmp(s0, "IPv6:", 5) == 0) { /* RFC 5321 */
            s0 += 5;
            al -= 5;
        }
        struct in_addr a4;
        if (al < sizeof(a)) {
            memcpy(a, s0, al);
            a[al] = '\0';
            int v4 = inet_pton(AF_INET, a, &a4) == 1;
            if (v4 || inet_pton(AF_INET6, a, &a6) == 1) {
                if (json_array_append_new(pct, json_string(a)))
                    rc = IS_ERR_NOMEM;
                else
                    mask_add(m, &n,
                             json_string_value(
                                 json_array_get(pct, json_array_size(pct) - 1)),
                             "[recipient-ip]", v4 ? M_IP : M_IP6);
            }
        }
    }
    /* a hop sent from the recipient's own host: its address too */
    json_array_foreach (hops, i, x)
        if (host_masked(jstr(x, "from_host"), m, n) ||
            from_clause_masked(jstr(x, "text"), m, n))
            mask_add(m, &n, jstr(x, "from_ip"), "[recipient-ip]", M_IP);
    if (o) {
        mask_add(m, &n, o->name.ja, "[provider]", M_TEXT);
        mask_add(m, &n, o->name.en, "[provider]", M_TEXT);
        mask_add(m, &n, o->short_en, "[provider]", M_TEXT);
    }
    if (rc == IS_ERR_NOTFOUND)
        rc = IS_OK; /* no such organisation: no names to mask */
    if (n == MASK_MAX && !rc)
        rc = IS_ERR_INTERNAL; /* some mask may be missing: store nothing */
    /* the masks point into rcpt, parsed and o: apply to a copy */
    json_t *copy = rc ? NULL : json_deep_copy(parsed);
    if (copy) {
        mask_json(copy, m, n);
        json_object_clear(parsed);
        json_object_update(parsed, copy);
        json_decref(copy);
    } else if (!rc) {
        rc = IS_ERR_NOMEM;
    }
    if (o)
        store_orgs_free(o, 1);
    json_decref(rcpt);
    json_decref(names);
    json_decref(pct);
    return rc == IS_ERR_NOTFOUND ? IS_OK : rc;
}

/* ---- submitting ---- */

static int decode_b64(const char *text, char **out, size_t *len,
                      struct svc_error *e)
{
    size_t n = strlen(text);
    size_t cap = n / 4 * 3 + 3;
    *out = malloc(cap ? cap : 1);
    if (!*out)
        return IS_ERR_NOMEM;
    const char *end = NULL;
    if (sodium_base642bin((unsigned char *)*out, cap, text, n, " \t\r\n", len,
                          &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        (end && *end)) {
        free(*out);
        *out = NULL;
        return svc_fail(e, IS_ERR_INVALID, "invalid_base64", "eml_base64",
                        "eml_base64: not standard base64 (RFC 4648 section "
                        "4, with padding)");
    }
    return IS_OK;
}

/* The parse's refusal as the API's error. */
static int parse_refused(const char *why, size_t len, struct svc_error *e)
{
    if (len == 0)
        return svc_fail(e, IS_ERR_INVALID, "empty", "eml_base64",
                        "eml_base64: the e-mail is empty");
    if (len > MAIL_MAX_BYTES)
        return svc_fail(e, IS_ERR_TOO_LARGE, "too_large", "eml_base64",
                        "eml_base64: the e-mail is larger than %u bytes",
                        MAIL_MAX_BYTES);
    return svc_fail(e, IS_ERR_INVALID, "not_an_email", "eml_base64",
                    "eml_base64: %s", why);
}

/* A MIME bomb: nesting past MAIL_MAX_DEPTH or parts past MAIL_MAX_PARTS.
 * Hostile MIME below those limits is taken, its warnings kept. */
static bool is_bomb(const json_t *p)
{
    json_int_t parts =
        json_integer_value(json_object_get(json_object_get(p, "cut"), "parts"));
    if (parts > 0)
        return true;
    size_t i;
    json_t *w;
    json_array_foreach (json_object_get(p, "warnings"), i, w) {
        const char *code = jstr(w, "code");
        if (code && strcmp(code, "nesting_too_deep") == 0)
            return true;
    }
    return false;
}

/* Stores s (its campaign chosen here: the lowest of those sharing a
 * keyed indicator of l, else a new one) with its indicators; the caller
 * holds the write transaction. */
static int write_submission(struct store_conn *c, struct store_c4tap_sub *s,
                            const char *sector, const struct inds *l,
                            const void *bytes, size_t nbytes, int64_t now,
                            int64_t *id, int64_t *campaign_out)
{
    int rc = IS_OK;
    int64_t campaign = 0;
    for (size_t i = 0; !rc && i < l->n; i++) {
        if (!l->v[i].keyed)
            continue;
        int64_t shared = 0;
        rc = store_c4tap_campaign_sharing(c, l->v[i].kind, l->v[i].value,
                                          &shared);
        if (!rc && shared > 0 && (!campaign || shared < campaign))
            campaign = shared;
    }
    if (!rc && !campaign)
        rc = store_c4tap_campaign_insert(c, now, &campaign);
    s->campaign_id = campaign;
    if (!rc)
        rc = store_c4tap_sub_insert(c, s, bytes, nbytes, id);
    for (size_t i = 0; !rc && i < l->n; i++)
        rc = store_c4tap_indicator_add(c, *id, l->v[i].kind, l->v[i].value,
                                       (int)l->v[i].type, l->v[i].keyed);
    /* the lookup's counts: once per value, whatever kinds hold it */
    for (size_t i = 0; !rc && i < l->n; i++) {
        bool again = false;
        for (size_t j = 0; j < i && !again; j++)
            again = strcmp(l->v[j].value, l->v[i].value) == 0;
        if (!again)
            rc = store_c4tap_value_add(c, l->v[i].value,
                                       s->anonymous ? NULL : s->org_id, sector,
                                       s->mail_at);
    }
    if (!rc)
        rc = store_c4tap_campaign_touch(c, campaign, now);
    *campaign_out = campaign;
    return rc;
}

/* The e-mail's own date, unless absurd (before 1990, or a day ahead of
 * the hub's clock): else now. */
static int64_t mail_time(const json_t *parsed, int64_t now)
{
    const char *d = jstr(parsed, "date");
    int64_t t;
    if (d && !util_time_parse(d, &t) && t > 631152000 && t <= now + 86400)
        return t;
    return now;
}

int c4tap_demo_submit(struct store_conn *c, const char *org, int64_t user_id,
                      const void *raw, size_t len, const char *ranges,
                      bool anonymous, int64_t now)
{
    struct access_org rel;
    int rrc = store_org_rel(c, org, &rel);
    if (rrc)
        return rrc;
    const char *sector = rel.sector_id;
    json_t *parsed = NULL;
    char why[256];
    int rc = mail_parse(raw, len, &parsed, why, sizeof(why));
    if (rc)
        return rc;
    if ((rc = mask_recipient(c, org, parsed))) {
        json_decref(parsed);
        return rc;
    }
    struct inds l = {0};
    char *text = NULL;
    rc = extract(parsed, &l);
    if (!rc && !(text = jtext_dumps(parsed, NULL)))
        rc = IS_ERR_NOMEM;
    struct store_c4tap_sub s = {0};
    util_xcopy(s.org_id, sizeof(s.org_id), org);
    s.user_id = user_id;
    s.anonymous = anonymous;
    s.demo = true;
    util_xcopy(s.via, sizeof(s.via), "api");
    util_xcopy(s.ranges, sizeof(s.ranges), ranges);
    util_xcopy(s.sha256, sizeof(s.sha256), jstr(parsed, "sha256"));
    s.size = (int64_t)len;
    s.created_at = now;
    s.mail_at = mail_time(parsed, now);
    s.parsed = text;
    int64_t id, campaign;
    if (!rc)
        rc = write_submission(c, &s, sector, &l, raw, len, now, &id, &campaign);
    free(text);
    inds_free(&l);
    json_decref(parsed);
    return rc;
}

struct submit_in {
    const struct auth_ctx *who;
    const char *eml_b64;
    enum share_range ranges[C4_TYPE_COUNT];
    bool anonymous, forwarded;
    const char *note, *via;
};

static int submit(struct store_conn *c, const struct submit_in *in,
                  const struct c4_me *m, int64_t now, json_t **out,
                  struct svc_error *e)
{
    char *raw = NULL, *inner = NULL;
    size_t len = 0, innerlen = 0;
    char why[256] = "";
    int rc = decode_b64(in->eml_b64, &raw, &len, e);
    if (rc)
        return rc;
    if (len > MAIL_MAX_BYTES || len == 0) {
        free(raw);
        return parse_refused("", len, e);
    }
    const char *bytes = raw;
    size_t nbytes = len;
    if (in->forwarded) {
        rc = mail_unwrap(raw, len, &inner, &innerlen, why, sizeof(why));
        if (rc) {
            free(raw);
            if (rc == IS_ERR_NOMEM)
                return rc;
            return svc_fail(e, IS_ERR_INVALID, "no_attached_email",
                            "eml_base64", "eml_base64: %s", why);
        }
        bytes = inner;
        nbytes = innerlen;
    }
    json_t *parsed = NULL;
    rc = mail_parse(bytes, nbytes, &parsed, why, sizeof(why));
    if (rc) {
        free(raw);
        free(inner);
        return rc == IS_ERR_INVALID ? parse_refused(why, nbytes, e) : rc;
    }
    if (is_bomb(parsed)) {
        json_decref(parsed);
        free(raw);
        free(inner);
        return svc_fail(e, IS_ERR_INVALID, "mime_bomb", "eml_base64",
                        "eml_base64: a MIME bomb (nesting deeper than %d or "
                        "more than %d parts): refused, nothing stored",
                        MAIL_MAX_DEPTH, MAIL_MAX_PARTS);
    }
    struct inds l = {0};
    char *text = NULL;
    rc = mask_recipient(c, in->who->org.id, parsed);
    if (rc == IS_ERR_LIMIT) {
        json_decref(parsed);
        free(raw);
        free(inner);
        return svc_fail(e, IS_ERR_INVALID, "too_many_recipients", "eml_base64",
                        "eml_base64: the e-mail names more than %d "
                        "recipients (To, Cc, Bcc, delivery fields), more than "
                        "the hub masks: keep the one that received it and "
                        "submit again; nothing stored",
                        MAIL_MAX_RECIPIENTS);
    }
    if (!rc)
        rc = extract(parsed, &l);
    if (!rc && !(text = jtext_dumps(parsed, NULL)))
        rc = IS_ERR_NOMEM;
    struct store_c4tap_sub s = {0};
    if (!rc) {
        util_xcopy(s.org_id, sizeof(s.org_id), in->who->org.id);
        s.user_id = in->who->user_id;
        s.anonymous = in->anonymous;
        util_xcopy(s.via, sizeof(s.via), in->via);
        c4_ranges_format(in->ranges, s.ranges);
        util_xcopy(s.sha256, sizeof(s.sha256), jstr(parsed, "sha256"));
        s.size = (int64_t)nbytes;
        s.created_at = now;
        s.mail_at = mail_time(parsed, now);
        util_xcopy(s.note, sizeof(s.note), in->note ? in->note : "");
        s.parsed = text;
    }
    int64_t id = 0;
    if (!rc && !(rc = store_begin(c))) {
        int64_t dup;
        rc = store_c4tap_sub_by_hash(c, s.org_id, s.sha256, &dup);
        if (!rc) {
            store_rollback(c);
            json_decref(parsed);
            free(raw);
            free(inner);
            free(text);
            inds_free(&l);
            return svc_fail(e, IS_ERR_CONFLICT, "duplicate", "eml_base64",
                            "your organisation submitted this e-mail already "
                            "(submission %lld)",
                            (long long)dup);
        }
        rc = rc == IS_ERR_NOTFOUND ? IS_OK : rc;
        int64_t campaign = 0;
        if (!rc)
            rc = write_submission(c, &s, in->who->org.sector_id, &l, bytes,
                                  nbytes, now, &id, &campaign);
        char target[40];
        c4_target(target, "c4tap", id);
        json_t *detail = json_pack("{s:s,s:I}", "via", s.via, "campaign",
                                   (json_int_t)campaign);
        /* an anonymous provider's act: its actor enters the chain only as
         * a hiding commitment (DOMAIN §8a) */
        if (!rc)
            rc = in->anonymous
                     ? audit_record_withheld(c, in->who, now, "c4tap.submit",
                                             target, detail)
                     : audit_record(c, in->who, now, "c4tap.submit", target,
                                    detail);
        else
            json_decref(detail);
        rc = c4_write_end(c, rc);
    }
    free(raw);
    free(inner);
    free(text);
    s.parsed = NULL;
    inds_free(&l);
    if (rc) {
        json_decref(parsed);
        return rc;
    }
    struct store_c4tap_sub got;
    rc = store_c4tap_sub_get(c, id, false, &got);
    if (!rc) {
        struct view v;
        view_of(m, &got, &v);
        *out = sub_json(&got, parsed, &v, true);
        rc = *out ? IS_OK : IS_ERR_NOMEM;
    }
    json_decref(parsed);
    return rc;
}

int c4tap_submit(struct app *a, struct store_conn *c,
                 const struct auth_ctx *who, const json_t *body,
                 const char *via, int64_t now, json_t **out,
                 struct svc_error *e)
{
    (void)a;
    struct c4_me m;
    int rc = c4_me_of(c, who, &m);
    if (rc)
        return rc;
    if (!m.rd.handler)
        return c4_not_handler(e);
    if (!c4tap_may_submit(&m.rd))
        return svc_fail(e, IS_ERR_FORBIDDEN, "not_participant", NULL,
                        "only handlers of participating organisations submit "
                        "(your organisation's standing: %s)",
                        c4tap_standing_name(m.rd.standing));
    struct submit_in in = {
        .who = who,
        .eml_b64 = jv_str(body, "eml_base64"),
        .anonymous = jv_bool(body, "anonymous", false),
        .forwarded = jv_bool(body, "forwarded", false),
        .note = jv_str(body, "note"),
        .via = via,
    };
    c4_org_defaults(&m, in.ranges);
    c4_ranges_apply(json_object_get(body, "ranges"), in.ranges);
    return submit(c, &in, &m, now, out, e);
}

int c4tap_intake(struct app *a, struct store_conn *c, const json_t *body,
                 int64_t now, json_t **out, struct svc_error *e)
{
    (void)a;
    /* c4tap+<key>@domain: the key names the handler */
    const char *rcpt = jv_str(body, "recipient");
    const char *plus = strchr(rcpt, '+');
    const char *at = plus ? strchr(plus, '@') : NULL;
    char key[64] = "";
    if (plus && at && at - plus - 1 > 0 && at - plus - 1 < (long)sizeof(key))
        util_xsnprintf(key, sizeof(key), "%.*s", (int)(at - plus - 1),
                       plus + 1);
    struct store_c4tap_handler h;
    int rc = key[0] ? store_c4tap_handler_by_key(c, key, &h) : IS_ERR_NOTFOUND;
    if (rc == IS_ERR_NOTFOUND)
        return svc_fail(e, IS_ERR_INVALID, "unknown_recipient", "recipient",
                        "recipient: not a handler's submission address (the "
                        "address is shown by GET /api/v1/c4tap/me)");
    if (rc)
        return rc;
    struct store_user u;
    struct auth_ctx who;
    if ((rc = store_user_by_id(c, h.user_id, &u)))
        return rc;
    if (u.disabled)
        return svc_fail(e, IS_ERR_FORBIDDEN, "not_a_handler", "recipient",
                        "recipient: the handler's account is disabled");
    if ((rc = auth_ctx_for_user(c, &u, &who)))
        return rc;
    struct c4_me m;
    if ((rc = c4_me_of(c, &who, &m)))
        return rc;
    if (!c4tap_may_submit(&m.rd))
        return svc_fail(e, IS_ERR_FORBIDDEN, "not_participant", "recipient",
                        "the handler's organisation does not take part in "
                        "C4TAP (standing: %s)",
                        c4tap_standing_name(m.rd.standing));
    struct submit_in in = {
        .who = &who,
        .eml_b64 = jv_str(body, "eml_base64"),
        .forwarded = true,
        .note = "",
        .via = "mail",
    };
    c4_org_defaults(&m, in.ranges);
    return submit(c, &in, &m, now, out, e);
}

/* ---- reading ---- */

int c4tap_submission_read(struct store_conn *c, const struct auth_ctx *who,
                          const char *id_text, int64_t now, json_t **out,
                          struct svc_error *e)
{
    struct c4_me m;
    int rc = c4_me_of(c, who, &m);
    if (rc)
        return rc;
    if (!m.rd.handler)
        return c4_not_handler(e);
    int64_t id;
    struct store_c4tap_sub s;
    if (parse_id(id_text, &id))
        return sub_not_found(e);
    rc = store_c4tap_sub_get(c, id, true, &s);
    if (rc == IS_ERR_NOTFOUND)
        return sub_not_found(e);
    if (rc)
        return rc;
    struct view v;
    view_of(&m, &s, &v);
    if (!v.any) {
        store_c4tap_sub_release(&s);
        return sub_not_found(e);
    }
    json_t *parsed = json_loads(s.parsed, 0, NULL);
    store_c4tap_sub_release(&s);
    *out = sub_json(&s, parsed, &v, true);
    json_decref(parsed);
    if (!*out)
        return IS_ERR_NOMEM;
    (void)now;
    return IS_OK;
}

int c4tap_submission_original(struct store_conn *c, const struct auth_ctx *who,
                              const char *id_text, int64_t now, char **raw,
                              size_t *len, bool *hidden, struct svc_error *e)
{
    *hidden = false;
    struct c4_me m;
    int rc = c4_me_of(c, who, &m);
    if (rc)
        return rc;
    if (!m.rd.handler)
        return c4_not_handler(e);
    int64_t id;
    struct store_c4tap_sub s;
    if (parse_id(id_text, &id))
        return sub_not_found(e);
    rc = store_c4tap_sub_get(c, id, false, &s);
    if (rc == IS_ERR_NOTFOUND)
        return sub_not_found(e);
    if (rc)
        return rc;
    struct view v;
    view_of(&m, &s, &v);
    if (!v.any)
        return sub_not_found(e);
    if (!v.may[C4_ORIGINAL] && c4tap_may_read(v.ranges[C4_ORIGINAL], &v.rd))
        return svc_fail(e, IS_ERR_FORBIDDEN, "range_forbids", "id",
                        "the original e-mail names its recipient: it goes "
                        "only to those who may know who provided it");
    if (!v.may[C4_ORIGINAL])
        return svc_fail(e, IS_ERR_FORBIDDEN, "range_forbids", "id",
                        "the provider shares the original e-mail more "
                        "narrowly (%s) than your standing reads",
                        range_name(v.ranges[C4_ORIGINAL]));
    if ((rc = store_c4tap_sub_raw(c, id, raw, len)))
        return rc;
    char target[40];
    c4_target(target, "c4tap", id);
    if ((rc = store_begin(c)) == IS_OK) {
        /* the anonymous provider reading its own: no entry names it */
        *hidden = s.anonymous && v.rd.is_provider;
        rc = *hidden ? audit_record_withheld(c, who, now, "c4tap.original.read",
                                             target, NULL)
                     : audit_record(c, who, now, "c4tap.original.read", target,
                                    NULL);
        rc = c4_write_end(c, rc);
    }
    if (rc) {
        free(*raw);
        *raw = NULL;
    }
    return rc;
}

struct list_ctx {
    struct store_conn *c;
    const struct c4_me *m;
    int64_t campaign;
    int limit;
    json_t *items;
    int64_t last;
    bool more;
};

static int list_one(const struct store_c4tap_sub *s, void *ctx)
{
    struct list_ctx *k = ctx;
    if (k->campaign && s->campaign_id != k->campaign)
        return IS_OK;
    struct view v;
    view_of(k->m, s, &v);
    if (!v.any)
        return IS_OK;
    if ((int)json_array_size(k->items) >= k->limit) {
        k->more = true;
        return STORE_C4_STOP;
    }
    json_t *o = sub_json(s, NULL, &v, false);
    if (!o)
        return IS_ERR_NOMEM;
    json_array_append_new(k->items, o);
    k->last = s->id;
    return IS_OK;
}

/* The summaries' parsed parts, read after the walk (one statement at a
 * time on the connection). */
static int list_fill(struct store_conn *c, const struct c4_me *m, json_t *items)
{
    size_t i;
    json_t *o;
    json_array_foreach (items, i, o) {
        struct store_c4tap_sub s;
        int rc = store_c4tap_sub_get(
            c, json_integer_value(json_object_get(o, "id")), true, &s);
        if (rc)
            return rc;
        json_t *parsed = json_loads(s.parsed, 0, NULL);
        store_c4tap_sub_release(&s);
        struct view v;
        view_of(m, &s, &v);
        json_t *full = sub_json(&s, parsed, &v, false);
        json_decref(parsed);
        if (!full)
            return IS_ERR_NOMEM;
        json_array_set_new(items, i, full);
    }
    return IS_OK;
}

int c4tap_submissions_list(struct store_conn *c, const struct auth_ctx *who,
                           const char *limit, const char *before,
                           const char *campaign, json_t **out,
                           struct svc_error *e)
{
    struct c4_me m;
    int rc = c4_me_of(c, who, &m);
    if (rc)
        return rc;
    if (!m.rd.handler)
        return c4_not_handler(e);
    long lim = 50, bef = 0, camp = 0;
    if ((rc = svc_query_long("limit", limit, 50, 1, C4TAP_LIST_MAX, &lim, e)))
        return rc;
    if (before && util_parse_long(before, 1, INT64_MAX, &bef))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "before",
                        "before: a submission id");
    if (campaign && util_parse_long(campaign, 1, INT64_MAX, &camp))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "campaign",
                        "campaign: a campaign id");
    struct list_ctx k = {.c = c,
                         .m = &m,
                         .campaign = camp,
                         .limit = (int)lim,
                         .items = json_array()};
    if (!k.items)
        return IS_ERR_NOMEM;
    if ((rc = store_read_begin(c))) {
        json_decref(k.items);
        return rc;
    }
    rc = store_c4tap_subs_walk(c, bef, list_one, &k);
    if (!rc)
        rc = list_fill(c, &m, k.items);
    store_read_end(c);
    if (rc) {
        json_decref(k.items);
        return rc;
    }
    *out = json_pack("{s:o,s:o}", "items", k.items, "next_before",
                     k.more ? json_integer((json_int_t)k.last) : json_null());
    return *out ? IS_OK : IS_ERR_NOMEM;
}

int c4tap_set_ranges(struct store_conn *c, const struct auth_ctx *who,
                     const char *id_text, const json_t *body, int64_t now,
                     json_t **out, struct svc_error *e)
{
    struct c4_me m;
    int rc = c4_me_of(c, who, &m);
    if (rc)
        return rc;
    if (!m.rd.handler)
        return c4_not_handler(e);
    int64_t id;
    if (parse_id(id_text, &id))
        return sub_not_found(e);
    if ((rc = store_begin(c)))
        return rc;
    struct store_c4tap_sub s;
    rc = store_c4tap_sub_get(c, id, false, &s);
    struct view v;
    if (!rc)
        view_of(&m, &s, &v);
    if (rc == IS_ERR_NOTFOUND || (!rc && !v.any)) {
        store_rollback(c);
        return sub_not_found(e);
    }
    if (rc) {
        store_rollback(c);
        return rc;
    }
    /* the provider, or a relay: the secretariat and analysts; another
     * participant does not change (even narrow) someone else's sharing */
    if (!v.rd.is_provider && !c4tap_may_analyse(&v.rd)) {
        store_rollback(c);
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", "id",
                        "only the provider, the secretariat and C4TAP "
                        "analysts change a submission's ranges");
    }
    enum share_range next[C4_TYPE_COUNT];
    memcpy(next, v.ranges, sizeof(next));
    c4_ranges_apply(json_object_get(body, "ranges"), next);
    int wide = c4tap_ranges_check(v.ranges, next, &v.rd);
    if (wide >= 0) {
        store_rollback(c);
        char field[64];
        util_xsnprintf(field, sizeof(field), "ranges.%s",
                       c4tap_type_name((enum c4tap_type)wide));
        return svc_fail(e, IS_ERR_CONFLICT, "range_too_wide", field,
                        "%s: wider than the provider's choice (%s); only the "
                        "provider widens a range, a relay or re-share may "
                        "only narrow it",
                        field, range_name(v.ranges[wide]));
    }
    char text[STORE_C4_RANGES];
    c4_ranges_format(next, text);
    rc = store_c4tap_sub_set_ranges(c, id, text, jv_int(body, "version", 0));
    if (rc == IS_ERR_CONFLICT) {
        store_rollback(c);
        return svc_fail(e, IS_ERR_CONFLICT, "conflict", "version",
                        "version: the submission changed meanwhile (now "
                        "version %lld)",
                        (long long)s.version);
    }
    char target[40];
    c4_target(target, "c4tap", id);
    if (!rc) {
        json_t *d = json_pack("{s:o}", "ranges", c4_ranges_json(next, false));
        rc = s.anonymous && v.rd.is_provider
                 ? audit_record_withheld(c, who, now, "c4tap.ranges", target, d)
                 : audit_record(c, who, now, "c4tap.ranges", target, d);
    }
    if ((rc = c4_write_end(c, rc)))
        return rc;
    return c4tap_submission_read(c, who, id_text, now, out, e);
}

/* ---- campaigns ---- */

struct seen {
    int64_t subs;
    int norgs, nsectors;
    char orgs[64][64];
    char sectors[32][64];
    bool orgs_cut;
};

/* Whether a submission's provider counts among a reader's organisations
 * and sectors: named, and shown to this reader (provider.shown). An
 * anonymous submission counts in submissions only: counted as an
 * organisation, a reader who sees the others' providers could tell its
 * provider from the difference; so does a named one whose provider the
 * reader may not see (docs/rules.md "C4TAP: counts, never who"). */
_Static_assert(C4_PROVIDER == 6 && C4_TYPE_COUNT == 7,
               "C4_LOOKUP_PROVIDERS reads the provider's digit of s.ranges "
               "at position 7");

static bool provider_counts(const struct c4_me *m, const char *org,
                            enum share_range provider_range, bool anonymous)
{
    if (anonymous)
        return false;
    struct c4tap_reader rd = c4_reader_for(m, org);
    return c4tap_sees_provider(provider_range, false, &rd);
}

static void seen_add(struct seen *k, const struct c4_me *m,
                     const struct store_c4tap_sub *s)
{
    k->subs++;
    enum share_range r[C4_TYPE_COUNT];
    c4_ranges_parse(s->ranges, r);
    if (!provider_counts(m, s->org_id, r[C4_PROVIDER], s->anonymous))
        return;
    bool found = false;
    for (int i = 0; i < k->norgs && !found; i++)
        found = strcmp(k->orgs[i], s->org_id) == 0;
    if (!found && k->norgs < 64)
        util_xcopy(k->orgs[k->norgs++], sizeof(k->orgs[0]), s->org_id);
    else if (!found)
        k->orgs_cut = true;
    found = !s->sector_id[0];
    for (int i = 0; i < k->nsectors && !found; i++)
        found = strcmp(k->sectors[i], s->sector_id) == 0;
    if (!found && k->nsectors < 32)
        util_xcopy(k->sectors[k->nsectors++], sizeof(k->sectors[0]),
                   s->sector_id);
}

static json_t *seen_json(const struct seen *k)
{
    /* counts, never who: "seen by 4 organisations in 3 sectors" */
    return json_pack("{s:I,s:i,s:i}", "submissions", (json_int_t)k->subs,
                     "organisations", k->norgs, "sectors", k->nsectors);
}

struct shared_ctx {
    const struct c4_me *m;
    json_t *out;
    json_t *cur; /* the entry of the last kind and value seen */
};

static int shared_row(const char *kind, const char *value, int type,
                      const struct store_c4tap_sub *s, void *ctx)
{
    struct shared_ctx *k = ctx;
    struct view v;
    view_of(k->m, s, &v);
    if ((unsigned)type >= C4_TYPE_COUNT || !v.may[type])
        return IS_OK;
    if (k->cur &&
        strcmp(json_string_value(json_object_get(k->cur, "kind")), kind) == 0 &&
        strcmp(json_string_value(json_object_get(k->cur, "value")), value) ==
            0) {
        json_object_set_new(
            k->cur, "count",
            json_integer(json_integer_value(json_object_get(k->cur, "count")) +
                         1));
        return IS_OK;
    }
    k->cur =
        json_pack("{s:s,s:s,s:s,s:i}", "kind", kind, "value", value, "type",
                  c4tap_type_name((enum c4tap_type)type), "count", 1);
    if (!k->cur || json_array_append_new(k->out, k->cur))
        return IS_ERR_NOMEM;
    return IS_OK;
}

/* Campaign lists and reads are for handlers; a campaign is visible when
 * the reader may read something of one of its submissions, or analyses. */
static json_t *campaign_json(struct store_conn *c, const struct c4_me *m,
                             const struct store_c4tap_campaign *k, bool full,
                             int *rc_out)
{
    struct store_c4tap_sub *subs = NULL;
    size_t n = 0;
    *rc_out = store_c4tap_subs_of_campaign(c, k->id, &subs, &n);
    if (*rc_out)
        return NULL;
    struct seen all = {0};
    int64_t *times = calloc(n ? n : 1, sizeof(int64_t));
    int *wave = calloc(n ? n : 1, sizeof(int));
    json_t *visible = json_array();
    json_t *o = NULL;
    if (!times || !wave || !visible) {
        *rc_out = IS_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        seen_add(&all, m, &subs[i]);
        times[i] = subs[i].mail_at;
    }
    int nwaves = c4tap_waves(times, (int)n, C4TAP_WAVE_GAP_S, wave);
    json_t *waves = json_array();
    for (int w = 0; w < nwaves; w++) {
        struct seen ws = {0};
        int64_t first = 0, last = 0;
        for (size_t i = 0; i < n; i++) {
            if (wave[i] != w)
                continue;
            if (!ws.subs)
                first = times[i];
            last = times[i];
            seen_add(&ws, m, &subs[i]);
        }
        json_t *wj = seen_json(&ws);
        json_object_set_new(wj, "wave", json_integer(w + 1));
        json_object_set_new(wj, "first", svc_time_json(first));
        json_object_set_new(wj, "last", svc_time_json(last));
        json_array_append_new(waves, wj);
    }
    int hidden = 0;
    for (size_t i = 0; i < n; i++) {
        struct view v;
        view_of(m, &subs[i], &v);
        if (!v.any) {
            hidden++;
            continue;
        }
        json_array_append_new(visible, json_integer((json_int_t)subs[i].id));
    }
    if (!json_array_size(visible) && !c4tap_may_analyse(&m->rd)) {
        json_decref(waves);
        goto done; /* not visible: NULL with IS_OK */
    }
    o = json_pack("{s:I,s:s,s:o,s:o,s:s?,s:I,s:o,s:o,s:i}", "id",
                  (json_int_t)k->id, "title", k->title, "created_at",
                  svc_time_json(k->created_at), "updated_at",
                  svc_time_json(k->updated_at), "advisory",
                  k->advisory_id[0] ? k->advisory_id : NULL, "version",
                  (json_int_t)k->version, "seen", seen_json(&all), "waves",
                  waves, "hidden_submissions", hidden);
    if (!o) {
        *rc_out = IS_ERR_NOMEM;
        goto done;
    }
    if (!full) {
        json_object_set_new(o, "visible_submissions",
                            json_integer((json_int_t)json_array_size(visible)));
        goto done;
    }
    /* the newest submissions the reader may see (at most
     * C4TAP_CAMPAIGN_SHOWN; the counts above cover all) */
    json_t *items = json_array();
    for (size_t i = n; i-- > 0 && !*rc_out &&
                       json_array_size(items) < C4TAP_CAMPAIGN_SHOWN;) {
        struct view v;
        view_of(m, &subs[i], &v);
        if (!v.any)
            continue;
        struct store_c4tap_sub s;
        if ((*rc_out = store_c4tap_sub_get(c, subs[i].id, true, &s)))
            break;
        json_t *pp = json_loads(s.parsed, 0, NULL);
        store_c4tap_sub_release(&s);
        json_array_append_new(items, sub_json(&s, pp, &v, false));
        json_decref(pp);
    }
    /* the shared indicators, each counted over the submissions whose type
     * of it the reader may read (rows in kind and value order) */
    struct shared_ctx sc = {.m = m, .out = json_array()};
    if (!*rc_out)
        *rc_out = store_c4tap_campaign_keyed(c, k->id, shared_row, &sc);
    json_t *shared = sc.out;
    json_object_set_new(o, "submissions", items);
    json_object_set_new(o, "indicators", shared);
    /* notes, each under its own range */
    struct store_c4tap_note *notes = NULL;
    size_t nn = 0;
    json_t *nj = json_array();
    if (!*rc_out && !(*rc_out = store_c4tap_notes(c, k->id, &notes, &nn)))
        for (size_t i = 0; i < nn; i++) {
            struct c4tap_reader rd = c4_reader_for(m, NULL);
            if (!c4tap_may_read((enum share_range)notes[i].range, &rd))
                continue;
            json_array_append_new(
                nj,
                json_pack("{s:I,s:s,s:s,s:s,s:o}", "id",
                          (json_int_t)notes[i].id, "text", notes[i].text,
                          "range", range_name((enum share_range)notes[i].range),
                          "author", notes[i].author, "created_at",
                          svc_time_json(notes[i].created_at)));
        }
    store_c4tap_notes_free(notes, nn);
    json_object_set_new(o, "notes", nj);
done:
    json_decref(visible);
    free(times);
    free(wave);
    store_c4tap_subs_free(subs, n);
    if (*rc_out) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int c4tap_campaigns_list(struct store_conn *c, const struct auth_ctx *who,
                         json_t **out, struct svc_error *e)
{
    struct c4_me m;
    int rc = c4_me_of(c, who, &m);
    if (rc)
        return rc;
    if (!m.rd.handler)
        return c4_not_handler(e);
    struct store_c4tap_campaign *k = NULL;
    size_t n = 0;
    if ((rc = store_read_begin(c)))
        return rc;
    rc = store_c4tap_campaigns(c, &k, &n);
    json_t *items = json_array();
    for (size_t i = 0;
         !rc && i < n && json_array_size(items) < C4TAP_CAMPAIGNS_MAX; i++) {
        json_t *o = campaign_json(c, &m, &k[i], false, &rc);
        if (o)
            json_array_append_new(items, o);
    }
    store_read_end(c);
    free(k);
    if (rc) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:o}", "items", items);
    return *out ? IS_OK : IS_ERR_NOMEM;
}

static int campaign_get_live(struct store_conn *c, const char *id_text,
                             struct store_c4tap_campaign *k,
                             struct svc_error *e)
{
    int64_t id;
    if (parse_id(id_text, &id))
        return campaign_not_found(e);
    int rc = store_c4tap_campaign_get(c, id, k);
    if (rc == IS_ERR_NOTFOUND || (!rc && k->merged_into))
        return campaign_not_found(e);
    return rc;
}

int c4tap_campaign_read(struct store_conn *c, const struct auth_ctx *who,
                        const char *id, json_t **out, struct svc_error *e)
{
    struct c4_me m;
    int rc = c4_me_of(c, who, &m);
    if (rc)
        return rc;
    if (!m.rd.handler)
        return c4_not_handler(e);
    struct store_c4tap_campaign k;
    if ((rc = store_read_begin(c)))
        return rc;
    rc = campaign_get_live(c, id, &k, e);
    json_t *o = rc ? NULL : campaign_json(c, &m, &k, true, &rc);
    store_read_end(c);
    if (rc)
        return rc;
    if (!o)
        return campaign_not_found(e);
    *out = o;
    return IS_OK;
}

static int analyst_only(const struct c4_me *m, struct svc_error *e)
{
    if (!m->rd.handler)
        return c4_not_handler(e);
    if (!c4tap_may_analyse(&m->rd))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "C4TAP analysts and the Council secretariat work on "
                        "campaigns");
    return IS_OK;
}

static int campaign_reply(struct store_conn *c, const struct auth_ctx *who,
                          int64_t id, json_t **out, struct svc_error *e)
{
    char text[32];
    util_xsnprintf(text, sizeof(text), "%lld", (long long)id);
    return c4tap_campaign_read(c, who, text, out, e);
}

/* Ends an analyst's campaign write: the audit entry of action on campaign
 * (detail stolen), the commit (everything rolled back on an error), then
 * campaign reply_id as the reader now sees it. */
static int campaign_write_end(struct store_conn *c, const struct auth_ctx *who,
                              int64_t now, int rc, const char *action,
                              int64_t campaign, json_t *detail,
                              int64_t reply_id, json_t **out,
                              struct svc_error *e)
{
    char target[40];
    c4_target(target, "c4tap-campaign", campaign);
    if (!rc)
        rc = audit_record(c, who, now, action, target, detail);
    else
        json_decref(detail);
    if ((rc = c4_write_end(c, rc)))
        return rc;
    return campaign_reply(c, who, reply_id, out, e);
}

int c4tap_campaign_note(struct store_conn *c, const struct auth_ctx *who,
                        const char *id, const json_t *body, int64_t now,
                        json_t **out, struct svc_error *e)
{
    struct c4_me m;
    int rc = c4_me_of(c, who, &m);
    if (rc || (rc = analyst_only(&m, e)))
        return rc;
    const char *text = jv_str(body, "text");
    const char *title = jv_str(body, "title");
    if ((!text || !*text) && !title)
        return svc_fail(e, IS_ERR_INVALID, "missing_field", "text",
                        "text: a note (or a title) is required");
    int range = range_parse(jv_str(body, "range"));
    if (range < 0)
        range = RANGE_AMBER;
    if ((rc = store_begin(c)))
        return rc;
    struct store_c4tap_campaign k = {0};
    rc = campaign_get_live(c, id, &k, e);
    if (!rc && text && *text)
        rc = store_c4tap_note_add(c, k.id, who->user_id, who->org.id, range,
                                  text, now, NULL);
    if (!rc && title)
        rc = store_c4tap_campaign_set_title(c, k.id, title, now);
    return campaign_write_end(c, who, now, rc, "c4tap.campaign.note", k.id,
                              NULL, k.id, out, e);
}

int c4tap_campaign_merge(struct store_conn *c, const struct auth_ctx *who,
                         const char *id, const json_t *body, int64_t now,
                         json_t **out, struct svc_error *e)
{
    struct c4_me m;
    int rc = c4_me_of(c, who, &m);
    if (rc || (rc = analyst_only(&m, e)))
        return rc;
    if ((rc = store_begin(c)))
        return rc;
    struct store_c4tap_campaign into = {0};
    rc = campaign_get_live(c, id, &into, e);
    size_t i;
    json_t *x;
    json_array_foreach (json_object_get(body, "from"), i, x) {
        if (rc)
            break;
        int64_t from = json_integer_value(x);
        struct store_c4tap_campaign k;
        if (from == into.id) {
            rc = svc_fail(e, IS_ERR_INVALID, "invalid_value", "from",
                          "from: a campaign is not merged into itself");
            break;
        }
        rc = store_c4tap_campaign_get(c, from, &k);
        if (rc == IS_ERR_NOTFOUND || (!rc && k.merged_into)) {
            rc = svc_fail(e, IS_ERR_INVALID, "invalid_value", "from",
                          "from: no such campaign (%lld)", (long long)from);
            break;
        }
        if (!rc)
            rc = store_c4tap_campaign_merge(c, from, into.id, now);
    }
    return campaign_write_end(
        c, who, now, rc, "c4tap.campaign.merge", into.id,
        json_pack("{s:O}", "from", json_object_get(body, "from")), into.id, out,
        e);
}

int c4tap_campaign_split(struct store_conn *c, const struct auth_ctx *who,
                         const char *id, const json_t *body, int64_t now,
                         json_t **out, struct svc_error *e)
{
    struct c4_me m;
    int rc = c4_me_of(c, who, &m);
    if (rc || (rc = analyst_only(&m, e)))
        return rc;
    if ((rc = store_begin(c)))
        return rc;
    struct store_c4tap_campaign from = {0};
    rc = campaign_get_live(c, id, &from, e);
    const json_t *list = json_object_get(body, "submissions");
    if (!rc && (size_t)from.submissions <= json_array_size(list))
        rc = svc_fail(e, IS_ERR_INVALID, "invalid_value", "submissions",
                      "submissions: a split leaves at least one submission "
                      "in the campaign");
    if (!rc && !json_array_size(list))
        rc = svc_fail(e, IS_ERR_INVALID, "invalid_value", "submissions",
                      "submissions: name at least one submission");
    int64_t nid = 0;
    if (!rc)
        rc = store_c4tap_campaign_insert(c, now, &nid);
    const char *title = jv_str(body, "title");
    if (!rc && title)
        rc = store_c4tap_campaign_set_title(c, nid, title, now);
    size_t i;
    json_t *x;
    json_array_foreach (list, i, x) {
        if (rc)
            break;
        struct store_c4tap_sub s;
        rc = store_c4tap_sub_get(c, json_integer_value(x), false, &s);
        if (rc == IS_ERR_NOTFOUND || (!rc && s.campaign_id != from.id))
            rc = svc_fail(e, IS_ERR_INVALID, "invalid_value", "submissions",
                          "submissions: %lld is not in campaign %lld",
                          (long long)json_integer_value(x), (long long)from.id);
        if (!rc)
            rc = store_c4tap_sub_set_campaign(c, s.id, nid);
    }
    if (!rc)
        rc = store_c4tap_campaign_touch(c, from.id, now);
    return campaign_write_end(
        c, who, now, rc, "c4tap.campaign.split", from.id,
        json_pack("{s:I,s:O}", "into", (json_int_t)nid, "submissions", list),
        nid, out, e);
}

/* ---- the one-step advisory ---- */

struct adv_link {
    int64_t campaign;
    int64_t now;
};

static int link_campaign(struct store_conn *c, const char *adv_id, void *ctx)
{
    struct adv_link *k = ctx;
    return store_c4tap_campaign_set_advisory(c, k->campaign, adv_id, k->now);
}

int c4tap_campaign_advisory(struct app *a, struct store_conn *c,
                            const struct auth_ctx *who, const char *id,
                            const json_t *body, int64_t now, json_t **out,
                            struct svc_error *e)
{
    struct c4_me m;
    int rc = c4_me_of(c, who, &m);
    if (rc || (rc = analyst_only(&m, e)))
        return rc;
    struct store_c4tap_campaign k;
    if ((rc = campaign_get_live(c, id, &k, e)))
        return rc;
    if (k.advisory_id[0])
        return svc_fail(e, IS_ERR_CONFLICT, "conflict", NULL,
                        "this campaign has its advisory already (%s)",
                        k.advisory_id);
    enum share_range adv = (enum share_range)range_parse(jv_str(body, "range"));
    bool include[C4_TYPE_COUNT] = {0}, named = false;
    size_t i;
    json_t *x;
    json_array_foreach (json_object_get(body, "include"), i, x) {
        int t = c4tap_type_parse(json_string_value(x));
        if (t >= 0) {
            include[t] = true;
            named = true;
        }
    }
    if (!named)
        for (int t = 0; t < C4_TYPE_COUNT; t++)
            include[t] = true;
    /* never the original e-mail nor who provided it */
    include[C4_ORIGINAL] = include[C4_PROVIDER] = false;
    struct store_c4tap_sub *subs = NULL;
    size_t n = 0;
    if ((rc = store_c4tap_subs_of_campaign(c, k.id, &subs, &n)))
        return rc;
    struct buf ja, en;
    buf_init(&ja, 19000);
    buf_init(&en, 19000);
    int omitted = 0, carried = 0;
    bool omitted_type[C4_TYPE_COUNT] = {0};
    json_t *seen_vals = json_object();
    for (size_t s = 0; s < n && !rc; s++) {
        enum share_range r[C4_TYPE_COUNT];
        c4_ranges_parse(subs[s].ranges, r);
        /* An advisory's readers are not C4TAP's: its Amber is every user
         * of its audience's organisations and its relay chain, C4TAP's the
         * handlers of participants (Yellow and Green alike). Only White
         * reads the same in both tables, so only White indicators go into
         * an advisory, whatever its range (docs/rules.md, C4TAP
         * "Changing ranges"). */
        for (int t = 0; t < C4_TYPE_COUNT; t++)
            if (named && include[t] && r[t] != RANGE_WHITE) {
                rc = svc_fail(
                    e, IS_ERR_CONFLICT, "range_too_wide", "include",
                    "include: a provider shares %s as %s (submission %lld), "
                    "and an advisory's readers are not C4TAP's: it carries "
                    "only indicators whose range is white; leave %s out",
                    c4tap_type_name((enum c4tap_type)t), range_name(r[t]),
                    (long long)subs[s].id, c4tap_type_name((enum c4tap_type)t));
                break;
            }
        struct store_c4tap_sub full;
        if (rc || (rc = store_c4tap_sub_get(c, subs[s].id, true, &full)))
            break;
        json_t *pp = json_loads(full.parsed, 0, NULL);
        store_c4tap_sub_release(&full);
        struct inds l = {0};
        if (pp && !extract(pp, &l))
            for (size_t j = 0; j < l.n; j++) {
                int t = l.v[j].type;
                if (!include[t] || !l.v[j].keyed ||
                    strcmp(l.v[j].kind, "subject_norm") == 0)
                    continue;
                if (r[t] != RANGE_WHITE) {
                    omitted++;
                    omitted_type[t] = true;
                    continue;
                }
                char key[C4TAP_VALUE_MAX + 64];
                util_xsnprintf(key, sizeof(key), "%s\t%s", l.v[j].kind,
                               l.v[j].value);
                if (json_object_get(seen_vals, key))
                    continue;
                json_object_set_new(seen_vals, key, json_true());
                carried++;
                /* defanged: no live link in a warning (hxxp, [.]) */
                buf_addf(&ja, "- %s: ", l.v[j].kind);
                buf_addf(&en, "- %s: ", l.v[j].kind);
                const char *val = l.v[j].value;
                if (t == C4_URLS && strncasecmp(val, "http", 4) == 0) {
                    buf_adds(&ja, "hxxp");
                    buf_adds(&en, "hxxp");
                    val += 4;
                }
                for (const char *p = val; *p; p++) {
                    if (*p == '.' && (t == C4_URLS || t == C4_SENDER)) {
                        buf_adds(&ja, "[.]");
                        buf_adds(&en, "[.]");
                    } else {
                        buf_add(&ja, p, 1);
                        buf_add(&en, p, 1);
                    }
                }
                buf_adds(&ja, "\n");
                buf_adds(&en, "\n");
            }
        json_decref(pp);
        inds_free(&l);
    }
    json_decref(seen_vals);
    store_c4tap_subs_free(subs, n);
    if (!rc && (buf_error(&ja) || buf_error(&en)))
        rc = svc_fail(e, IS_ERR_TOO_LARGE, "too_large", "include",
                      "the campaign's indicators do not fit one advisory: "
                      "include fewer types");
    if (rc) {
        buf_release(&ja);
        buf_release(&en);
        return rc;
    }
    char tja[256], ten[256];
    util_xsnprintf(tja, sizeof(tja),
                   "標的型攻撃メールの注意喚起（C4TAP キャンペーン %lld）",
                   (long long)k.id);
    util_xsnprintf(ten, sizeof(ten),
                   "Targeted-attack e-mails (C4TAP campaign %lld)",
                   (long long)k.id);
    char *bja = malloc(20000), *ben = malloc(20000);
    if (!bja || !ben) {
        free(bja);
        free(ben);
        buf_release(&ja);
        buf_release(&en);
        return IS_ERR_NOMEM;
    }
    util_xsnprintf(
        bja, 20000,
        "C4TAP で共有された標的型攻撃メールのキャンペーンの指標です（%d 件"
        "）。受信の有無を確認し、該当するメールを開かず、報告してください"
        "。\n\n%s",
        carried, ja.data ? ja.data : "");
    util_xsnprintf(
        ben, 20000,
        "Indicators of a targeted-attack e-mail campaign shared through "
        "C4TAP (%d). Check whether you received such e-mails, do not "
        "open them, and report them.\n\n%s",
        carried, en.data ? en.data : "");
    buf_release(&ja);
    buf_release(&en);
    json_t *aud = json_object();
    const json_t *sectors = json_object_get(body, "sectors");
    const json_t *ceptoars = json_object_get(body, "ceptoars");
    if (sectors && json_array_size(sectors))
        json_object_set(aud, "sectors", (json_t *)sectors);
    if (ceptoars && json_array_size(ceptoars))
        json_object_set(aud, "ceptoars", (json_t *)ceptoars);
    if (jv_bool(body, "all", false) || !json_object_size(aud))
        json_object_set_new(aud, "all", json_true());
    const char *kind = jv_str(body, "kind");
    json_t *req = json_pack(
        "{s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:o}", "kind", kind ? kind : "warning",
        "range", range_name(adv), "severity",
        (json_int_t)jv_int(body, "severity", 2), "title_ja",
        jv_str(body, "title_ja") ? jv_str(body, "title_ja") : tja, "title_en",
        jv_str(body, "title_en") ? jv_str(body, "title_en") : ten, "body_ja",
        bja, "body_en", ben, "audience", aud);
    if (!req) {
        free(bja);
        free(ben);
        return IS_ERR_NOMEM;
    }
    struct adv_link lk = {.campaign = k.id, .now = now};
    json_t *advj = NULL;
    rc = advisory_issue_linked(a, c, who, req, now, link_campaign, &lk, &advj,
                               e);
    json_decref(req);
    free(bja);
    free(ben);
    if (rc)
        return rc;
    /* the types whose indicators were left out (not White) */
    json_t *otypes = json_array();
    for (int t = 0; otypes && t < C4_TYPE_COUNT; t++)
        if (omitted_type[t])
            json_array_append_new(
                otypes, json_string(c4tap_type_name((enum c4tap_type)t)));
    *out = json_pack("{s:o,s:I,s:i,s:i,s:o}", "advisory", advj, "campaign",
                     (json_int_t)k.id, "indicators", carried, "omitted",
                     omitted, "omitted_types", otypes);
    return *out ? IS_OK : IS_ERR_NOMEM;
}

/* ---- "have others seen this?" ---- */

struct lookup_ctx {
    const struct c4_me *m;
    json_t *matches;
    int hidden;
    int64_t last_id;
};

/* One row of the value's newest rows: a match when the reader may read
 * the row's type of its submission, else counted as hidden (a submission
 * once, whichever of its kinds matched). */
static int lookup_row(const char *kind, int type,
                      const struct store_c4tap_sub *s, void *ctx)
{
    struct lookup_ctx *k = ctx;
    if (s->id == k->last_id || (unsigned)type >= C4_TYPE_COUNT)
        return IS_OK;
    k->last_id = s->id;
    struct view v;
    view_of(k->m, s, &v);
    if (!v.may[type]) {
        k->hidden++;
        return IS_OK;
    }
    if (json_array_size(k->matches) >= C4TAP_LOOKUP_SHOWN)
        return IS_OK;
    json_t *o = json_pack(
        "{s:I,s:I,s:s,s:s,s:o,s:o,s:s,s:o}", "submission", (json_int_t)s->id,
        "campaign", (json_int_t)s->campaign_id, "kind", kind, "type",
        c4tap_type_name((enum c4tap_type)type), "mail_date",
        mail_date_json(s, &v), "provider", provider_json(s, &v), "tlp",
        range_tlp(v.ranges[type]), "received_at", svc_time_json(s->created_at));
    return o && !json_array_append_new(k->matches, o) ? IS_OK : IS_ERR_NOMEM;
}

/* A lookup's organisations and sectors as one reader counts them: the
 * value's named providers this reader is shown (provider_counts). */
struct lookup_orgs {
    const struct c4_me *m;
    int64_t orgs;
    int nsectors;
    char sectors[64][64];
};

static int lookup_provider(const char *org, const char *sector,
                           int provider_range, void *ctx)
{
    struct lookup_orgs *k = ctx;
    enum share_range r = provider_range >= 0 && provider_range < RANGE_COUNT
                             ? (enum share_range)provider_range
                             : c4tap_default_range(C4_PROVIDER);
    if (!provider_counts(k->m, org, r, false))
        return IS_OK;
    k->orgs++;
    bool found = !sector[0];
    for (int i = 0; i < k->nsectors && !found; i++)
        found = strcmp(k->sectors[i], sector) == 0;
    if (!found && k->nsectors < (int)IS_ARRAY_LEN(k->sectors))
        util_xcopy(k->sectors[k->nsectors++], sizeof(k->sectors[0]), sector);
    return IS_OK;
}

int c4tap_lookup(struct store_conn *c, const struct auth_ctx *who,
                 const char *value, const char *kind, json_t **out,
                 struct svc_error *e)
{
    struct c4_me m;
    int rc = c4_me_of(c, who, &m);
    if (rc)
        return rc;
    if (!m.rd.handler)
        return c4_not_handler(e);
    if (!value || !*value)
        return svc_fail(e, IS_ERR_INVALID, "missing_field", "value",
                        "value: the indicator to look up (a hash, URL, host, "
                        "address or IP)");
    if (strlen(value) > C4TAP_VALUE_MAX)
        return svc_fail(e, IS_ERR_INVALID, "too_long", "value",
                        "value: longer than %d bytes", C4TAP_VALUE_MAX);
    if (!util_utf8_ok(value, strlen(value)))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "value",
                        "value: not UTF-8");
    if (kind && !ind_kind_known(kind))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "kind",
                        "kind: an indicator kind (attachment_name, "
                        "attachment_sha256, message_id, origin_ip, "
                        "received_host, received_ip, reply_to, return_path, "
                        "sender_address, sender_domain, sender_name, subject, "
                        "subject_norm, url, url_host, x_mailer)");
    /* stored hashes, addresses and hosts are lower-case; URLs as found */
    char lower[C4TAP_VALUE_MAX + 1];
    util_xcopy(lower, sizeof(lower), value);
    for (char *p = lower; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    bool both = strcmp(lower, value) != 0;
    struct store_c4tap_counts cnt, cnt2 = {0};
    struct lookup_ctx k = {.m = &m, .matches = json_array()};
    if (!k.matches)
        return IS_ERR_NOMEM;
    if ((rc = store_read_begin(c))) {
        json_decref(k.matches);
        return rc;
    }
    rc = store_c4tap_lookup_counts(c, value, kind, &cnt);
    if (!rc && both)
        rc = store_c4tap_lookup_counts(c, lower, kind, &cnt2);
    /* the spelling that matched (a value is stored in one of the two) */
    const char *used = value;
    if (!rc && both && cnt2.submissions > cnt.submissions) {
        cnt = cnt2;
        used = lower;
    }
    /* organisations and sectors: the providers this reader is shown; a
     * reader shown every named provider (the secretariat, analysts) has
     * the counts kept per value */
    struct c4tap_reader any = c4_reader_for(&m, NULL);
    if (!rc && cnt.submissions &&
        !c4tap_sees_provider(RANGE_RED, false, &any)) {
        struct lookup_orgs lo = {.m = &m};
        rc = store_c4tap_lookup_providers(c, used, kind, C4TAP_LOOKUP_ORGS,
                                          lookup_provider, &lo);
        cnt.organisations = lo.orgs;
        cnt.sectors = lo.nsectors;
    }
    if (!rc)
        rc = store_c4tap_lookup(c, used, kind, C4TAP_LOOKUP_ROWS, lookup_row,
                                &k);
    store_read_end(c);
    json_t *matches = k.matches;
    int hidden = k.hidden;
    if (rc) {
        json_decref(matches);
        return rc;
    }
    /* counts to every handler; who and what only where the range allows */
    *out = json_pack("{s:s,s:s?,s:{s:I,s:I,s:I,s:o,s:o},s:o,s:i}", "value",
                     used, "kind", kind, "seen", "submissions",
                     (json_int_t)cnt.submissions, "organisations",
                     (json_int_t)cnt.organisations, "sectors",
                     (json_int_t)cnt.sectors, "first",
                     svc_time_json(cnt.submissions ? cnt.first : 0), "last",
                     svc_time_json(cnt.submissions ? cnt.last : 0), "matches",
                     matches, "hidden", hidden);
    return *out ? IS_OK : IS_ERR_NOMEM;
}

/* ---- exports ---- */

struct export_ctx {
    struct store_conn *c;
    const struct c4_me *m;
    int64_t campaign;
    bool csv;
    struct buf b;
    json_t *items;
    long rows;
    /* the rows as a reader of the same standing that provided none of
     * them would have them: the audit entry's count (the provider's own
     * Red rows would tell who provided an anonymous submission) */
    long rows_audited;
    int64_t *ids; /* the submissions to export, newest first */
    size_t nids, cap;
};

static int export_pick(const struct store_c4tap_sub *s, void *ctx)
{
    struct export_ctx *k = ctx;
    if (k->campaign && s->campaign_id != k->campaign)
        return IS_OK;
    struct view v;
    view_of(k->m, s, &v);
    if (!v.any)
        return IS_OK;
    if (k->nids == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 1024;
        int64_t *ids = realloc(k->ids, cap * sizeof(*ids));
        if (!ids)
            return IS_ERR_NOMEM;
        k->ids = ids;
        k->cap = cap;
    }
    k->ids[k->nids++] = s->id;
    return IS_OK;
}

struct export_sub {
    struct export_ctx *k;
    const struct store_c4tap_sub *s;
    const struct view *v;
    const struct view *vo; /* v to a reader that is not the provider */
};

static int export_row(const struct store_c4tap_ind *i, void *ctx)
{
    struct export_sub *x = ctx;
    struct export_ctx *k = x->k;
    if ((unsigned)i->type >= C4_TYPE_COUNT || !x->v->may[i->type])
        return IS_OK;
    if (k->rows >= C4TAP_EXPORT_MAX)
        return STORE_C4_STOP;
    if (x->vo->may[i->type])
        k->rows_audited++;
    enum share_range r = x->v->ranges[i->type];
    char date[UTIL_TIME_LEN] = ""; /* of the headers type */
    if (x->v->may[C4_HEADERS])
        util_time_rfc3339(x->s->mail_at, date);
    k->rows++;
    if (k->csv) {
        char id[24], camp[24];
        util_xsnprintf(id, sizeof(id), "%lld", (long long)x->s->id);
        util_xsnprintf(camp, sizeof(camp), "%lld",
                       (long long)x->s->campaign_id);
        const char *tlp = range_tlp(r);
        csv_cell(&k->b, id, false);
        csv_cell(&k->b, camp, false);
        csv_cell(&k->b, date, false);
        csv_cell(&k->b, c4tap_type_name((enum c4tap_type)i->type), false);
        csv_cell(&k->b, i->kind, false);
        csv_cell(&k->b, i->value, false);
        csv_cell(&k->b, range_name(r), false);
        return csv_cell(&k->b, tlp, true);
    }
    const char *tlp = range_tlp(r);
    json_t *o = json_pack(
        "{s:I,s:I,s:o,s:s,s:s,s:s,s:s,s:s}", "submission", (json_int_t)x->s->id,
        "campaign", (json_int_t)x->s->campaign_id, "mail_date",
        *date ? json_string(date) : json_null(), "type",
        c4tap_type_name((enum c4tap_type)i->type), "kind", i->kind, "value",
        i->value, "range", range_name(r), "tlp", tlp);
    return o ? json_array_append_new(k->items, o) ? IS_ERR_NOMEM : IS_OK
             : IS_ERR_NOMEM;
}

int c4tap_export(struct store_conn *c, const struct auth_ctx *who,
                 const char *format, const char *campaign, int64_t now,
                 char **text, size_t *len, json_t **out, struct svc_error *e)
{
    struct c4_me m;
    int rc = c4_me_of(c, who, &m);
    if (rc)
        return rc;
    if (!m.rd.handler)
        return c4_not_handler(e);
    bool csv = !format || strcmp(format, "csv") == 0;
    if (format && !csv && strcmp(format, "json") != 0)
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "format",
                        "format: csv or json");
    long camp = 0;
    if (campaign && util_parse_long(campaign, 1, INT64_MAX, &camp))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "campaign",
                        "campaign: a campaign id");
    struct export_ctx *k = calloc(1, sizeof(*k));
    if (!k)
        return IS_ERR_NOMEM;
    k->c = c;
    k->m = &m;
    k->campaign = camp;
    k->csv = csv;
    buf_init(&k->b, 64u * 1024 * 1024);
    k->items = json_array();
    if (csv)
        buf_adds(&k->b, "submission,campaign,mail_date,type,kind,value,range,"
                        "tlp\r\n");
    if ((rc = store_read_begin(c)) == IS_OK) {
        rc = store_c4tap_subs_walk(c, 0, export_pick, k);
        for (size_t i = 0; !rc && i < k->nids && k->rows < C4TAP_EXPORT_MAX;
             i++) {
            struct store_c4tap_sub s;
            if ((rc = store_c4tap_sub_get(c, k->ids[i], false, &s)))
                break;
            struct view v;
            view_of(&m, &s, &v);
            /* v as it is to a reader that is not the provider */
            struct view vo = v;
            vo.rd.is_provider = false;
            for (int t = 0; t < C4_TYPE_COUNT; t++)
                vo.may[t] = v.may[t] && c4tap_may_read(v.ranges[t], &vo.rd);
            struct export_sub x = {k, &s, &v, &vo};
            rc = store_c4tap_indicators_of(c, s.id, export_row, &x);
            if (rc == STORE_C4_STOP)
                rc = IS_OK;
        }
        store_read_end(c);
    }
    const char *target = campaign ? campaign : "";
    if (!rc && (rc = store_begin(c)) == IS_OK) {
        rc = audit_record(c, who, now, "c4tap.export", target,
                          json_pack("{s:s,s:I}", "format", csv ? "csv" : "json",
                                    "rows", (json_int_t)k->rows_audited));
        rc = c4_write_end(c, rc);
    }
    if (!rc && csv) {
        if ((rc = buf_error(&k->b)) == IS_OK) {
            *len = k->b.len;
            *text = buf_detach(&k->b);
            rc = *text ? IS_OK : IS_ERR_NOMEM;
        }
    } else if (!rc) {
        *out = json_pack("{s:O,s:I}", "items", k->items, "rows",
                         (json_int_t)k->rows);
        rc = *out ? IS_OK : IS_ERR_NOMEM;
    }
    buf_release(&k->b);
    json_decref(k->items);
    free(k->ids);
    free(k);
    return rc;
}
