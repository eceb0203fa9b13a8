/*
 * taxii.c - the TAXII 2.1 server (see service/taxii.h, docs/taxii.md).
 */
#include "service/taxii.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/util.h"
#include "core/roles.h"
#include "core/stix.h"
#include "service/auth.h"
#include "service/provision.h"
#include "service/stix.h"
#include "store/store_taxii.h"

static const struct taxii_coll colls[] = {
    {TAXII_COLL_SHARED, "82b8bb8d-f1d4-442b-a7e5-dcf08e8484bd", "shared",
     "共有インテリジェンス / Shared intelligence",
     "What members, agencies and peer hubs post; each object is read as "
     "its TLP 2.0 marking allows (unmarked: TLP:RED).",
     true},
    {TAXII_COLL_ADVISORIES, "f32df133-9fca-4ad2-80d4-7a913841a061",
     "advisories", "情報提供 / Advisories",
     "The hub's advisories (情報提供) as STIX reports, each read as its "
     "sharing range allows.",
     false},
};

const struct taxii_coll *taxii_coll_find(const char *s)
{
    for (size_t i = 0; s && i < IS_ARRAY_LEN(colls); i++)
        if (strcmp(s, colls[i].id) == 0 || strcmp(s, colls[i].alias) == 0)
            return &colls[i];
    return NULL;
}

static bool may_write(const struct taxii_coll *coll, const struct auth_ctx *who)
{
    return coll->writable &&
           (who->roles & (ROLE_REPORTER | ROLE_LIAISON | ROLE_ANALYST));
}

json_t *taxii_discovery_json(const struct app *a)
{
    char root[320];
    snprintf(root, sizeof(root), "%s/taxii2/infrashare/",
             a->public_url[0] ? a->public_url : "");
    /* a public URL ending in '/' gives "//taxii2": drop one */
    size_t n = strlen(a->public_url);
    if (n && a->public_url[n - 1] == '/')
        snprintf(root, sizeof(root), "%staxii2/infrashare/", a->public_url);
    return json_pack("{s:s,s:s,s:s,s:[s]}", "title",
                     "infrashare TAXII 2.1 / 重要インフラ情報共有ハブ",
                     "description",
                     "The critical-infrastructure information-sharing hub: "
                     "advisories and shared intelligence as STIX 2.1, each "
                     "object as its sharing range allows.",
                     "default", root, "api_roots", root);
}

json_t *taxii_api_root_json(void)
{
    return json_pack("{s:s,s:s,s:[s],s:I}", "title", "infrashare",
                     "description",
                     "Collections per audience: shared intelligence and the "
                     "hub's advisories.",
                     "versions", TAXII_MEDIA, "max_content_length",
                     (json_int_t)TAXII_MAX_ENVELOPE);
}

json_t *taxii_collection_json(const struct taxii_coll *coll,
                              const struct auth_ctx *who)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:b,s:b,s:[s]}", "id", coll->id, "title",
                     coll->title, "description", coll->description, "alias",
                     coll->alias, "can_read", 1, "can_write",
                     may_write(coll, who) ? 1 : 0, "media_types", STIX_MEDIA);
}

json_t *taxii_collections_json(const struct auth_ctx *who)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < IS_ARRAY_LEN(colls); i++)
        json_array_append_new(arr, taxii_collection_json(&colls[i], who));
    return json_pack("{s:o}", "collections", arr);
}

/* ---- reading ---- */

/* The next tokens' key: derived from the hub's link-signing key. */
static void next_key(const struct app *a, unsigned char key[TAXII_KEY_LEN])
{
    static const char ctx[] = "infrashare taxii next token";
    crypto_generichash(key, TAXII_KEY_LEN, (const unsigned char *)ctx,
                       sizeof(ctx) - 1, a->ack_key, sizeof(a->ack_key));
}

/* One list of match[...] values as a JSON array text (NULL: no filter);
 * -1 when a value list is malformed. */
static int match_json(const char *s, char **out)
{
    *out = NULL;
    if (!s)
        return 0;
    char buf[TAXII_MAX_MATCH * 260];
    const char *items[TAXII_MAX_MATCH];
    int n = taxii_list_split(s, buf, sizeof(buf), items, TAXII_MAX_MATCH);
    if (n < 0)
        return -1;
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, json_string(items[i]));
    *out = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    return *out ? 0 : -1;
}

struct page_ctx {
    struct app *a;
    struct store_conn *c;
    const struct auth_ctx *who;
    const struct taxii_coll *coll;
    enum taxii_view view;
    int limit, n;
    bool more;
    int scanned;
    int64_t first_added, last_added; /* of the objects the page holds */
    int64_t pos_added, pos_seq;      /* the last row read */
    json_t *audit;                   /* the Red and Amber items shown (ids) */
    struct buf *b;
    /* the advisories' decisions of this page, by id (a page holds each
     * advisory's few objects together) */
    char adv_id[40];
    bool adv_ok;
};

static bool adv_readable(struct page_ctx *x, const char *src)
{
    if (strcmp(x->adv_id, src) != 0) {
        /* an id too long to remember is decided each time */
        bool kept = util_copy(x->adv_id, sizeof(x->adv_id), src) == IS_OK;
        x->adv_ok = advisory_may_read_id(x->c, x->who, src);
        if (!kept)
            return x->adv_ok;
    }
    return x->adv_ok;
}

static int page_row(const struct store_taxii_row *r, void *ctx)
{
    struct page_ctx *x = ctx;
    x->scanned++;
    bool ok = x->coll->n == TAXII_COLL_ADVISORIES
                  ? (!r->src || adv_readable(x, r->src))
                  : taxii_object_decide(&x->who->org, r->range, r->poster,
                                        r->community)
                        .may_read;
    /* the bytes the row adds: its body, or a manifest entry or a version
     * (a few hundred bytes; a page of 1,000 stays far below the cap) */
    size_t adds = x->view == TAXII_VIEW_OBJECTS || x->view == TAXII_VIEW_OBJECT
                      ? r->body_len + 1
                      : 0;
    if (ok && (x->n == x->limit ||
               (x->n && x->b->len + adds > TAXII_PAGE_MAX_BYTES))) {
        /* a readable object past the page (its count, or its bytes): the
         * next page starts at it */
        x->more = true;
        return 1;
    }
    /* the position the next page goes on from: the last row read,
     * returned or not (a page the scan's cap ended goes on past the
     * rows it skipped) */
    x->pos_added = r->added;
    x->pos_seq = r->seq;
    if (!ok)
        return 0;
    /* reads of Red and Amber items are audited (range_read_is_audited):
     * the advisories', or the posted objects' ids, one record a page */
    if (range_read_is_audited((enum share_range)r->range) && x->audit &&
        json_array_size(x->audit) < TAXII_PAGE_MAX)
        json_array_append_new(x->audit,
                              json_string(r->src ? r->src : r->stix_id));
    char added[TAXII_TIME_LEN];
    taxii_time_format(r->added, added);
    struct buf *b = x->b;
    if (x->n)
        buf_adds(b, ",");
    switch (x->view) {
    case TAXII_VIEW_OBJECTS:
    case TAXII_VIEW_OBJECT: buf_add(b, r->body, r->body_len); break;
    case TAXII_VIEW_MANIFEST:
        /* ids and versions were checked when added: no escaping needed */
        buf_addf(b,
                 "{\"id\":\"%s\",\"date_added\":\"%s\",\"version\":\"%s\","
                 "\"media_type\":\"%s\"}",
                 r->stix_id, added, r->version, STIX_MEDIA);
        break;
    case TAXII_VIEW_VERSIONS: buf_addf(b, "\"%s\"", r->version); break;
    }
    if (!x->n)
        x->first_added = r->added;
    x->n++;
    x->last_added = r->added;
    return 0;
}

/* Reads a page's rows in batches, all in the caller's read transaction:
 * first the page and one more (the pre-selection in SQL mostly matches
 * page_row's decision), then, while rows were skipped, four times as
 * many from the last row read, up to TAXII_SCAN rows in all. PostgreSQL
 * sends a statement's whole result at once, so one statement limited to
 * TAXII_SCAN read (and sorted) up to 20,000 rows for a page of 7. */
static int page_read(struct store_conn *c, struct store_taxii_query *sq,
                     struct page_ctx *x)
{
    int batch = x->limit + 1;
    for (;;) {
        int left = TAXII_SCAN - x->scanned;
        sq->scan = batch < left ? batch : left;
        int before = x->scanned;
        int rc = store_taxii_page(c, sq, page_row, x);
        if (rc || x->more || x->scanned - before < sq->scan ||
            x->scanned >= TAXII_SCAN)
            return rc;
        /* every row of the batch read, the page not full: go on after
         * the last one */
        sq->from_added = x->pos_added;
        sq->from_seq = x->pos_seq;
        batch = batch < TAXII_SCAN / 4 ? batch * 4 : TAXII_SCAN;
    }
}

/* The canonical text of a query, bound into its next tokens. */
static void query_text(const struct auth_ctx *who,
                       const struct taxii_coll *coll,
                       const struct taxii_query *q, struct buf *b)
{
    const char *v[] = {q->object_id,  q->added_after,   q->match_id,
                       q->match_type, q->match_version, q->match_spec_version};
    buf_addf(b, "%d|%d|%s", coll->n, (int)q->view, who->org.id);
    for (size_t i = 0; i < IS_ARRAY_LEN(v); i++)
        buf_addf(b, "|%zu:%s", v[i] ? strlen(v[i]) : (size_t)0,
                 v[i] ? v[i] : "-");
}

static int bad(struct svc_error *e, const char *field, const char *msg)
{
    return svc_fail(e, IS_ERR_INVALID, "invalid_value", field, "%s: %s", field,
                    msg);
}

/* limit: a whole number, at least 1; above TAXII_PAGE_MAX, TAXII_PAGE_MAX
 * (TAXII 2.1: a server returns at most its own page size, and the client
 * pages on with next). */
static int page_limit(const char *s, long *limit)
{
    size_t n = strlen(s);
    if (n == 0 || strspn(s, "0123456789") != n)
        return IS_ERR_INVALID;
    while (*s == '0' && s[1])
        s++;
    long v = TAXII_PAGE_MAX;
    if (strlen(s) <= 9 && util_parse_long(s, 0, 999999999L, &v))
        return IS_ERR_INVALID;
    if (v < 1)
        return IS_ERR_INVALID;
    *limit = v > TAXII_PAGE_MAX ? TAXII_PAGE_MAX : v;
    return IS_OK;
}

int taxii_get(struct app *a, struct store_conn *c, const struct auth_ctx *who,
              const struct taxii_coll *coll, const struct taxii_query *q,
              struct taxii_page *out, struct svc_error *e)
{
    buf_init(&out->body, 0);
    out->first[0] = out->last[0] = '\0';
    long limit = TAXII_PAGE_DEFAULT;
    if (q->limit && page_limit(q->limit, &limit))
        return bad(e, "limit",
                   "a whole number, at least 1 (pages hold at "
                   "most 1000)");
    struct store_taxii_query sq = {.coll = coll->n, .scan = TAXII_SCAN};
    int64_t now_us = (int64_t)app_now(a) * 1000000 + 999999;
    if (q->added_after) {
        int64_t t;
        if (taxii_time_parse(q->added_after, false, &t))
            return bad(e, "added_after",
                       "not a UTC timestamp (RFC 3339 with Z or +00:00, "
                       "as TAXII 2.1 gives times)");
        if (t > now_us)
            return bad(e, "added_after", "in the future");
        sq.from_added = t;
        sq.from_seq = INT64_MAX;
    }
    struct taxii_versions ver;
    const char *mv = q->match_version;
    if (q->view == TAXII_VIEW_VERSIONS)
        mv = "all";
    if (taxii_versions_parse(mv, &ver))
        return bad(e, "match[version]",
                   "last, first, all or STIX timestamps, comma-separated");
    sq.v_all = ver.all;
    sq.v_last = ver.last;
    sq.v_first = ver.first;
    char *ids = NULL, *types = NULL, *vts = NULL;
    int rc = IS_OK;
    if (q->object_id) {
        /* an id that is no JSON string (not UTF-8) names no object */
        json_t *one = json_pack("[s]", q->object_id);
        ids = one ? json_dumps(one, JSON_COMPACT) : NULL;
        json_decref(one);
        if (!ids) {
            rc = svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                          "no such object in this collection");
            goto done;
        }
    } else if (match_json(q->match_id, &ids)) {
        rc = bad(e, "match[id]", "a comma-separated list of up to 100 ids");
        goto done;
    }
    if (match_json(q->match_type, &types)) {
        rc = bad(e, "match[type]", "a comma-separated list of up to 100 types");
        goto done;
    }
    if (q->match_spec_version) {
        char buf[TAXII_MAX_MATCH * 8];
        const char *items[TAXII_MAX_MATCH];
        int n = taxii_list_split(q->match_spec_version, buf, sizeof(buf), items,
                                 TAXII_MAX_MATCH);
        if (n < 0) {
            rc = bad(e, "match[spec_version]", "a comma-separated list");
            goto done;
        }
        /* every object held is 2.1 */
        sq.none = true;
        for (int i = 0; i < n; i++)
            if (strcmp(items[i], "2.1") == 0)
                sq.none = false;
    }
    if (ver.nts) {
        json_t *arr = json_array();
        for (int i = 0; i < ver.nts; i++)
            json_array_append_new(arr, json_integer(ver.ts[i]));
        vts = json_dumps(arr, JSON_COMPACT);
        json_decref(arr);
    }
    sq.ids_json = ids;
    sq.types_json = types;
    sq.vts_json = vts;
    /* the pre-selection by range: the same decision as page_row's */
    char mine[ACCESS_MAX_GROUPS * 66 + 2];
    size_t m = 0;
    mine[m++] = ',';
    mine[m] = '\0';
    for (int i = 0; i < who->org.nceptoars; i++)
        m += (size_t)snprintf(mine + m, sizeof(mine) - m, "%s,",
                              who->org.ceptoars[i]);
    sq.everything =
        coll->n == TAXII_COLL_ADVISORIES || taxii_reads_everything(&who->org);
    sq.me = who->org.id;
    sq.observer = agreement_gives_yellow(who->org.agreement);
    sq.mine = mine;
    unsigned char key[TAXII_KEY_LEN];
    next_key(a, key);
    struct buf qt = BUF_INIT;
    query_text(who, coll, q, &qt);
    if (buf_error(&qt)) {
        rc = svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "out of memory");
        buf_release(&qt);
        goto done;
    }
    if (q->next && taxii_next_open(key, buf_str(&qt), q->next, &sq.from_added,
                                   &sq.from_seq)) {
        rc = bad(e, "next",
                 "not a token this server gave for this query (its "
                 "collection, filters and caller)");
        buf_release(&qt);
        goto done;
    }
    struct buf items = BUF_INIT;
    struct page_ctx x = {.a = a,
                         .c = c,
                         .who = who,
                         .coll = coll,
                         .view = q->view,
                         .limit = (int)limit,
                         .b = &items,
                         .audit = json_array()};
    if ((rc = store_read_begin(c)) == IS_OK) {
        rc = page_read(c, &sq, &x);
        store_read_end(c);
    }
    /* the Red and Amber items shown, audited (else nothing is shown) */
    if (!rc && json_array_size(x.audit) &&
        audit_record(c, who, app_now(a), "taxii.read", coll->alias,
                     json_pack("{s:O}", "items", x.audit)))
        rc = IS_ERR_INTERNAL;
    json_decref(x.audit);
    if (rc) {
        buf_release(&items);
        buf_release(&qt);
        rc = svc_fail(e, rc, "internal", NULL, "the objects could not be read");
        goto done;
    }
    /* the scan's cap reached without filling the page: go on from the
     * last row read */
    if (!x.more && x.scanned >= TAXII_SCAN && x.n < x.limit)
        x.more = true;
    if ((q->view == TAXII_VIEW_OBJECT || q->view == TAXII_VIEW_VERSIONS) &&
        x.n == 0 && !q->next) {
        buf_release(&items);
        buf_release(&qt);
        rc = svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                      "no such object in this collection");
        goto done;
    }
    char token[TAXII_NEXT_LEN] = "";
    if (x.more)
        taxii_next_make(key, buf_str(&qt), x.pos_added, x.pos_seq, token);
    buf_release(&qt);
    struct buf *b = &out->body;
    const char *list = q->view == TAXII_VIEW_MANIFEST   ? "objects"
                       : q->view == TAXII_VIEW_VERSIONS ? "versions"
                                                        : "objects";
    if (!x.n && !x.more && q->view != TAXII_VIEW_VERSIONS) {
        buf_adds(b, "{}"); /* the empty envelope (TAXII 2.1 §3.7) */
    } else {
        buf_addf(b, "{\"more\":%s", x.more ? "true" : "false");
        if (x.more)
            buf_addf(b, ",\"next\":\"%s\"", token);
        if (x.n || q->view == TAXII_VIEW_VERSIONS) {
            buf_addf(b, ",\"%s\":[", list);
            buf_add(b, items.data ? items.data : "", items.len);
            buf_adds(b, "]");
        }
        buf_adds(b, "}");
    }
    if (x.n) {
        taxii_time_format(x.first_added, out->first);
        taxii_time_format(x.last_added, out->last);
    }
    rc = buf_error(&items) || buf_error(b)
             ? svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "out of memory")
             : IS_OK;
    buf_release(&items);
done:
    free(ids);
    free(types);
    free(vts);
    if (rc)
        buf_release(&out->body);
    return rc;
}

void taxii_page_release(struct taxii_page *p)
{
    buf_release(&p->body);
}

/* ---- adding ---- */

/* Microseconds now, as the app's clock tells (the real clock's fraction
 * when the app runs on it). */
int64_t taxii_now_micro(const struct app *a)
{
    int64_t s = app_now(a);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t us = s * 1000000;
    if ((int64_t)ts.tv_sec == s)
        us += ts.tv_nsec / 1000;
    return us;
}

static void uuid4(char out[STIX_UUID_LEN])
{
    unsigned char u[16];
    randombytes_buf(u, sizeof(u));
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
    char hex[33];
    util_hex(hex, u, 16);
    snprintf(out, STIX_UUID_LEN, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8,
             hex + 12, hex + 16, hex + 20);
}

static json_t *status_item(const char *id, const char *version, const char *msg)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id ? id : ""));
    if (version)
        json_object_set_new(o, "version", json_string(version));
    if (msg)
        json_object_set_new(o, "message", json_string(msg));
    return o;
}

/* A refused object's version for its status entry (TAXII 2.1 4.3.1: every
 * entry names a version): its modified, else created, as sent when a
 * string; "" when it has neither (as a success without either). */
static const char *sent_version(const json_t *obj)
{
    const char *v = json_string_value(json_object_get(obj, "modified"));
    if (!v)
        v = json_string_value(json_object_get(obj, "created"));
    return v ? v : "";
}

struct known_ctx {
    const struct auth_ctx *who;
    int64_t ver_us; /* < 0: any version */
    bool known, any;
    bool mine;  /* the caller posted a version of it (its own lineage) */
    bool other; /* it may read another organisation's version of it, or
                 * could before that lineage was narrowed */
};

static int known_row(const char *poster, const char *community, int range,
                     int own_range, int64_t ver_us, void *ctx)
{
    struct known_ctx *k = ctx;
    k->any = true;
    bool may =
        taxii_object_decide(&k->who->org, range, poster, community).may_read;
    if ((k->ver_us < 0 || ver_us == k->ver_us) && may)
        k->known = true;
    if (strcmp(poster, k->who->org.id) == 0)
        k->mine = true;
    else if (may ||
             taxii_object_decide(&k->who->org, own_range, poster, community)
                 .may_read)
        k->other = true; /* a version its own marking showed the caller
                          * (then narrowed) is no secret from it: the id
                          * is the poster's, not the caller's to continue */
    return IS_OK;
}

/* The same id in the advisories collection, as the caller may read it. */
struct adv_known_ctx {
    struct store_conn *c;
    const struct auth_ctx *who;
    int64_t ver_us; /* < 0: any version */
    bool known, any;
};

static int adv_known_row(const char *src, int64_t ver_us, void *ctx)
{
    struct adv_known_ctx *k = ctx;
    if (*src && !advisory_may_read_id(k->c, k->who, src))
        return IS_OK;
    k->any = true;
    if (k->ver_us < 0 || ver_us == k->ver_us)
        k->known = true;
    return IS_OK;
}

/* One checked object ready to store. */
struct pending {
    struct taxii_object o;
    char *body;
    /* its created_by_ref names another organisation's identity as the
     * hub makes it (a failure unless this version is held already) */
    bool claims_other;
};

/* One envelope to add: checked outside the write transaction, added in
 * one with others (group commit, below). */
struct add_job {
    struct app *a;
    const struct taxii_coll *coll;
    const struct auth_ctx *who;
    struct pending *p;
    size_t ngood, total;
    size_t refused; /* of the good ones: refused inside the transaction */
    json_t *successes, *failures; /* taken by status once it is made */
    json_t *status;               /* made (it holds successes and failures) */
    char *status_text;            /* as stored, and answered */
};

/* An object of an envelope, by its id (to sort and search). */
struct id_ref {
    const char *id;
    size_t k; /* its index in the envelope's pending objects */
};

static int id_ref_cmp(const void *a, const void *b)
{
    return strcmp(((const struct id_ref *)a)->id,
                  ((const struct id_ref *)b)->id);
}

struct held_ctx {
    struct id_ref *refs; /* sorted by id */
    size_t n;
    bool *look;
};

/* Marks every object of the envelope whose id the collection holds. */
static int held_id(const char *stix_id, void *ctx)
{
    struct held_ctx *h = ctx;
    struct id_ref key = {.id = stix_id};
    struct id_ref *r =
        bsearch(&key, h->refs, h->n, sizeof(*h->refs), id_ref_cmp);
    if (!r)
        return IS_OK;
    size_t i = (size_t)(r - h->refs);
    while (i > 0 && strcmp(h->refs[i - 1].id, stix_id) == 0)
        i--;
    for (; i < h->n && strcmp(h->refs[i].id, stix_id) == 0; i++)
        h->look[h->refs[i].k] = true;
    return IS_OK;
}

/* Which of the n objects must be looked up one by one before they are
 * added (look[k]): those whose id the collection holds already, found
 * with one query for the whole envelope, and those whose id the envelope
 * holds more than once (a later one must see an earlier one added). Any
 * other object is new: no version of it exists in any lineage, which is
 * what its own lookup would find. Inside the write transaction, so
 * nothing else adds these ids meanwhile. */
static int mark_lookups(struct store_conn *c, int coll, const struct pending *p,
                        size_t n, bool *look)
{
    if (n == 0)
        return IS_OK;
    struct id_ref *refs = calloc(n, sizeof(*refs));
    json_t *ids = json_array();
    int rc = refs && ids ? IS_OK : IS_ERR_NOMEM;
    for (size_t k = 0; !rc && k < n; k++) {
        refs[k] = (struct id_ref){.id = p[k].o.id, .k = k};
        look[k] = false;
    }
    if (!rc)
        qsort(refs, n, sizeof(*refs), id_ref_cmp);
    for (size_t i = 0; !rc && i < n; i++) {
        if (i + 1 < n && strcmp(refs[i].id, refs[i + 1].id) == 0)
            look[refs[i].k] = look[refs[i + 1].k] = true;
        if ((i == 0 || strcmp(refs[i - 1].id, refs[i].id) != 0) &&
            json_array_append_new(ids, json_string(refs[i].id)))
            rc = IS_ERR_NOMEM;
    }
    char *text = rc ? NULL : json_dumps(ids, JSON_COMPACT);
    if (!rc && !text)
        rc = IS_ERR_NOMEM;
    struct held_ctx h = {.refs = refs, .n = n, .look = look};
    if (!rc)
        rc = store_taxii_ids_held(c, coll, text, held_id, &h);
    free(text);
    json_decref(ids);
    free(refs);
    return rc;
}

/* Adds j's objects, its status resource and its audit record inside the
 * open write transaction (a group commit's job: store_group_commit). */
static int add_job_run(struct store_conn *c, void *arg)
{
    struct add_job *j = arg;
    const struct auth_ctx *who = j->who;
    const struct taxii_coll *coll = j->coll;
    struct pending *p = j->p;
    json_t *successes = j->successes;
    char community[ACCESS_MAX_GROUPS * 66 + 70];
    taxii_community(&who->org, community, sizeof(community));
    char sid[STIX_UUID_LEN];
    uuid4(sid);
    int64_t now = app_now(j->a);
    int64_t last = 0, added = 0;
    /* date_added never decreases along the order of adding (pages depend
     * on it); the envelope's objects share one instant */
    int rc = store_taxii_last_added(c, coll->n, &last);
    if (!rc) {
        added = taxii_now_micro(j->a);
        if (added <= last)
            added = last + 1;
    }
    bool *look = calloc(j->ngood ? j->ngood : 1, sizeof(*look));
    /* and the ids the advisories collection holds (one query too) */
    bool *look_adv = calloc(j->ngood ? j->ngood : 1, sizeof(*look_adv));
    if (!rc)
        rc = look && look_adv ? mark_lookups(c, coll->n, p, j->ngood, look)
                              : IS_ERR_NOMEM;
    if (!rc && coll->n != TAXII_COLL_ADVISORIES)
        rc = mark_lookups(c, TAXII_COLL_ADVISORIES, p, j->ngood, look_adv);
    size_t nadded = 0;
    for (size_t k = 0; !rc && k < j->ngood; k++) {
        char vtext[TAXII_TIME_LEN];
        const char *vt = p[k].o.version_text;
        int64_t ver = p[k].o.version;
        /* this version (for an object without created or modified — a
         * cyber-observable, named by its id — any version) held already
         * in a lineage the caller may read: held, not copied (a peer
         * pushing back what it pulled adds nothing; one it may not read
         * is never confirmed to exist) */
        struct known_ctx kn = {.who = who, .ver_us = vt ? ver : -1};
        if (look[k] &&
            (rc = store_taxii_same_id(c, coll->n, p[k].o.id, known_row, &kn)))
            break;
        if (kn.known) {
            json_array_append_new(successes,
                                  status_item(p[k].o.id, vt ? vt : "",
                                              "this version is held already"));
            continue;
        }
        int builtin = strcmp(p[k].o.type, "marking-definition") == 0
                          ? taxii_tlp_builtin(p[k].o.id)
                          : 0;
        if (!vt) { /* no created or modified: its version is date_added */
            taxii_time_format(added, vtext);
            vt = vtext;
            ver = added;
        }
        if (builtin) {
            /* the official TLP definitions (2.0, and 1.0 of STIX 2.1
             * §7.2.1.4) are built in: one posted (a copy, or an attempt
             * to redefine one) changes nothing */
            json_array_append_new(
                successes,
                status_item(p[k].o.id, vt,
                            builtin == 2
                                ? "an official TLP 2.0 marking definition: "
                                  "built in, not stored"
                                : "an official TLP 1.0 marking definition "
                                  "(STIX 2.1 7.2.1.4): built in, not "
                                  "stored"));
            continue;
        }
        /* an object of the hub's advisories the caller may read: held
         * already in that version, else a version only the hub makes
         * (one it may not read is never confirmed to exist) */
        struct adv_known_ctx ak = {
            .c = c, .who = who, .ver_us = p[k].o.version_text ? ver : -1};
        if (look_adv[k] &&
            (rc = store_taxii_id_src(c, TAXII_COLL_ADVISORIES, p[k].o.id,
                                     adv_known_row, &ak)))
            break;
        if (ak.known) {
            json_array_append_new(
                successes,
                status_item(p[k].o.id, vt, "this version is held already"));
            continue;
        }
        /* STIX 2.1 3.6: only an object's creator makes new versions of
         * it. A version of an id whose other organisation's version the
         * caller may read (and of which it posted none) is refused: a
         * consumer keeping the latest version of each id would take it
         * for the creator's. */
        if (ak.any || (kn.other && !kn.mine) || p[k].claims_other) {
            json_array_append_new(
                j->failures,
                status_item(p[k].o.id, vt,
                            ak.any ? "an object of the hub's advisories: "
                                     "only the hub makes its versions (STIX "
                                     "2.1 3.6); give a derived object an id "
                                     "of its own"
                            : !p[k].claims_other
                                ? "another organisation's object: only the "
                                  "organisation that posted it makes new "
                                  "versions (STIX 2.1 3.6); give a derived "
                                  "object an id of its own"
                                : "created_by_ref, or the identity the "
                                  "object defines, is another "
                                  "organisation's: an object is created by "
                                  "the organisation that posts it"));
            j->refused++;
            continue;
        }
        struct store_taxii_put put = {.coll = coll->n,
                                      .fresh = !kn.any,
                                      .stix_id = p[k].o.id,
                                      .version = vt,
                                      .type = p[k].o.type,
                                      .poster = who->org.id,
                                      .community = community,
                                      .src = NULL,
                                      .body = p[k].body,
                                      .ver_us = ver,
                                      .added = added,
                                      .range = p[k].o.range};
        int r = store_taxii_put(c, &put);
        if (r == IS_ERR_CONFLICT) {
            json_array_append_new(
                successes,
                status_item(p[k].o.id, vt, "this version is held already"));
        } else if (r == IS_OK) {
            json_array_append_new(successes, status_item(p[k].o.id, vt, NULL));
            nadded++;
        } else {
            rc = r;
        }
    }
    free(look);
    free(look_adv);
    if (rc)
        return rc;
    char when[TAXII_TIME_LEN];
    taxii_time_format(added, when);
    j->status = json_pack(
        "{s:s,s:s,s:s,s:I,s:I,s:o,s:I,s:o,s:I,s:[]}", "id", sid, "status",
        "complete", "request_timestamp", when, "total_count",
        (json_int_t)j->total, "success_count",
        (json_int_t)json_array_size(successes), "successes", successes,
        "failure_count", (json_int_t)json_array_size(j->failures), "failures",
        j->failures, "pending_count", (json_int_t)0, "pendings");
    j->status_text = j->status ? json_dumps(j->status, JSON_COMPACT) : NULL;
    rc = j->status_text
             ? store_taxii_status_put(c, sid, who->org.id, now, j->status_text)
             : IS_ERR_NOMEM;
    if (!rc)
        rc = audit_record(
            c, who, now, "taxii.add", coll->alias,
            json_pack("{s:s,s:I,s:I,s:I}", "status", sid, "total",
                      (json_int_t)j->total, "added", (json_int_t)nadded,
                      "failed",
                      (json_int_t)(j->total - j->ngood + j->refused)));
    return rc;
}

static int org_ident_add(const char *org, void *ctx)
{
    struct taxii_idents *x = ctx;
    if (strcmp(org, x->own) == 0)
        return IS_OK;
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 1024;
        void *m = realloc(x->ids, cap * sizeof(*x->ids));
        if (!m)
            return IS_ERR_NOMEM;
        x->ids = m;
        x->cap = cap;
    }
    char key[128];
    snprintf(key, sizeof(key), "org:%.63s", org);
    if (stix_id(x->ns, "identity", key, x->ids[x->n]) == IS_OK)
        x->n++;
    return IS_OK;
}

static int ident_cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* Does ref name another organisation's identity as the hub makes it?
 * (-1: it could not be decided.) */
static int foreign_identity(struct store_conn *c, struct taxii_idents *x,
                            const char *ref)
{
    if (!ref || strncmp(ref, "identity--", 10) != 0)
        return 0;
    if (!x->ids && !x->rc) {
        x->rc = stix_namespace_load(c, x->ns);
        if (!x->rc)
            x->rc = store_taxii_org_ids(c, false, org_ident_add, x);
        if (!x->rc && !x->ids)
            x->ids = malloc(sizeof(*x->ids)); /* no other organisation */
        if (!x->rc && !x->ids)
            x->rc = IS_ERR_NOMEM;
        if (!x->rc)
            qsort(x->ids, x->n, sizeof(*x->ids), ident_cmp);
    }
    if (x->rc)
        return -1;
    return bsearch(ref, x->ids, x->n, sizeof(*x->ids), ident_cmp) != NULL;
}

int taxii_claims_other(struct store_conn *c, struct taxii_idents *x,
                       const json_t *obj, const struct taxii_object *o)
{
    /* an object may not claim another organisation's identity as the hub
     * makes it (its created_by_ref): readers take it for that
     * organisation's ... */
    int foreign = foreign_identity(
        c, x, json_string_value(json_object_get(obj, "created_by_ref")));
    /* ... nor define it (an identity of that id, or its language content:
     * consumers resolving the organisation's objects would read the
     * poster's words) */
    if (!foreign && strcmp(o->type, "identity") == 0)
        foreign = foreign_identity(c, x, o->id);
    if (!foreign && strcmp(o->type, "language-content") == 0)
        foreign = foreign_identity(
            c, x, json_string_value(json_object_get(obj, "object_ref")));
    return foreign;
}

void taxii_idents_release(struct taxii_idents *x)
{
    free(x->ids);
    x->ids = NULL;
    x->n = x->cap = 0;
}

int taxii_add(struct app *a, struct store_conn *c, const struct auth_ctx *who,
              const struct taxii_coll *coll, const char *body, size_t len,
              char **status, struct svc_error *e)
{
    if (!may_write(coll, who))
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        coll->writable
                            ? "adding objects needs the reporter, liaison "
                              "or analyst role"
                            : "this collection is read-only");
    if (len > TAXII_MAX_ENVELOPE)
        return svc_fail(e, IS_ERR_TOO_LARGE, "body_too_large", "body",
                        "the envelope is larger than %d bytes",
                        TAXII_MAX_ENVELOPE);
    if (taxii_json_tokens(body, len) > TAXII_MAX_TOKENS)
        return svc_fail(e, IS_ERR_TOO_LARGE, "too_large", "objects",
                        "objects: the envelope holds more than %d JSON "
                        "values",
                        TAXII_MAX_TOKENS);
    json_error_t je;
    /* \u0000 is valid JSON: the object holding it fails alone
     * (taxii_object_check), not the envelope */
    json_t *env =
        json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    if (!env)
        return svc_fail(e, IS_ERR_INVALID, "malformed_json", "body",
                        "body: not valid JSON (line %d, column %d): %s",
                        je.line, je.column, je.text);
    json_t *objs = json_object_get(env, "objects");
    if (!json_is_object(env) || !json_is_array(objs)) {
        json_decref(env);
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "objects",
                        "objects: an envelope must hold a list of objects");
    }
    size_t total = json_array_size(objs);
    if (total > TAXII_MAX_OBJECTS) {
        json_decref(env);
        return svc_fail(e, IS_ERR_TOO_LARGE, "too_large", "objects",
                        "objects: at most %d objects in one envelope",
                        TAXII_MAX_OBJECTS);
    }
    struct pending *p = calloc(total ? total : 1, sizeof(*p));
    json_t *successes = json_array(), *failures = json_array();
    /* each object is kept as it was sent (its bytes in the envelope), or
     * serialised again when the envelope's shape is one the scanner does
     * not know */
    size_t *starts = calloc(total ? total : 1, sizeof(size_t));
    size_t *lens = calloc(total ? total : 1, sizeof(size_t));
    if (!p || !starts || !lens) {
        free(p);
        free(starts);
        free(lens);
        json_decref(env);
        json_decref(successes);
        json_decref(failures);
        return svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "out of memory");
    }
    bool raw =
        taxii_envelope_spans(body, len, starts, lens, total) == (int)total;
    size_t i, ngood = 0;
    json_t *obj;
    struct taxii_idents idents = {.own = who->org.id};
    json_array_foreach (objs, i, obj) {
        char why[160];
        struct taxii_object o;
        if (taxii_object_check(obj, &o, why, sizeof(why))) {
            const char *id = json_string_value(json_object_get(obj, "id"));
            char msg[200];
            snprintf(msg, sizeof(msg), "objects[%zu]: %s", i, why);
            json_array_append_new(failures,
                                  status_item(id, sent_version(obj), msg));
            continue;
        }
        int foreign = taxii_claims_other(c, &idents, obj, &o);
        if (foreign < 0) {
            char msg[200];
            snprintf(msg, sizeof(msg),
                     "objects[%zu]: created_by_ref could not be checked now",
                     i);
            json_array_append_new(failures,
                                  status_item(o.id, sent_version(obj), msg));
            continue;
        }
        if (raw && lens[i] > TAXII_MAX_OBJECT) {
            char msg[200];
            snprintf(msg, sizeof(msg), "objects[%zu]: larger than %d bytes", i,
                     TAXII_MAX_OBJECT);
            json_array_append_new(failures,
                                  status_item(o.id, sent_version(obj), msg));
            continue;
        }
        char *text = raw ? strndup(body + starts[i], lens[i])
                         : json_dumps(obj, JSON_COMPACT);
        if (!text || strlen(text) > TAXII_MAX_OBJECT) {
            char msg[200];
            snprintf(msg, sizeof(msg), "objects[%zu]: larger than %d bytes", i,
                     TAXII_MAX_OBJECT);
            json_array_append_new(failures,
                                  status_item(o.id, sent_version(obj), msg));
            free(text);
            continue;
        }
        p[ngood].o = o;
        p[ngood].body = text;
        p[ngood].claims_other = foreign > 0;
        ngood++;
    }
    free(starts);
    free(lens);
    taxii_idents_release(&idents);
    struct add_job j = {.a = a,
                        .coll = coll,
                        .who = who,
                        .p = p,
                        .ngood = ngood,
                        .total = total,
                        .successes = successes,
                        .failures = failures};
    /* envelopes posted at the same time share one durable commit; a 202
     * only once it is durable; one that fails fails alone */
    struct store_job job = {.run = add_job_run, .arg = &j};
    int rc = store_group_commit(c, &job);
    for (size_t k = 0; k < ngood; k++)
        free(p[k].body);
    free(p);
    json_decref(env);
    if (!j.status) { /* never made: its lists are still here */
        json_decref(successes);
        json_decref(failures);
    }
    json_decref(j.status);
    if (rc) {
        free(j.status_text);
        return svc_fail(e, rc, "internal", NULL,
                        "the objects could not be stored: nothing was added");
    }
    *status = j.status_text;
    return IS_OK;
}

int taxii_status(struct store_conn *c, const struct auth_ctx *who,
                 const char *id, char **body, struct svc_error *e)
{
    int rc = store_taxii_status_get(c, id, who->org.id, body);
    if (rc == IS_ERR_NOTFOUND)
        return svc_fail(e, rc, "not_found", NULL, "no such status");
    if (rc)
        return svc_fail(e, rc, "internal", NULL,
                        "the status could not be "
                        "read");
    return IS_OK;
}

/* ---- the advisories collection ---- */

struct tick_ctx {
    struct app *a;
    struct store_conn *c;
    int64_t now, seq;
    char ids[64][40];
    int64_t seqs[64];
    int n;
};

static int collect(int64_t seq, const char *id, void *ctx)
{
    struct tick_ctx *t = ctx;
    if (t->n < (int)IS_ARRAY_LEN(t->ids) &&
        !util_copy(t->ids[t->n], sizeof(t->ids[0]), id))
        t->seqs[t->n++] = seq;
    return IS_OK;
}

/* Stores a checked object o (its text) in the advisories collection at
 * added, from advisory src (NULL: shared by every advisory), read as
 * range; one there already (an identity or a marking another advisory
 * brought) is fine. */
static int put_adv_row(struct store_conn *c, const struct taxii_object *o,
                       char *text, const char *src, int64_t added, int range)
{
    struct store_taxii_put put = {.coll = TAXII_COLL_ADVISORIES,
                                  .stix_id = o->id,
                                  .version =
                                      o->version_text ? o->version_text : "",
                                  .type = o->type,
                                  .poster = "",
                                  .community = ",",
                                  .src = src,
                                  .body = text,
                                  .ver_us = o->version,
                                  .added = added,
                                  .range = range};
    int rc = store_taxii_put(c, &put);
    return rc == IS_ERR_CONFLICT ? IS_OK : rc;
}

/* Adds one advisory's objects (inside the caller's write transaction). */
static int add_advisory(struct app *a, struct store_conn *c, const char *id,
                        int64_t now, int64_t added)
{
    json_t *objs = NULL;
    int range = RANGE_RED;
    int rc = stix_advisory_objects(a, c, id, now, &objs, &range);
    if (rc == IS_ERR_NOTFOUND || rc == IS_ERR_INVALID ||
        rc == IS_ERR_INTERNAL) {
        /* nothing stored of it: one advisory never stalls the others */
        log_event(LOG_WARN, "taxii: an advisory is not in the collection",
                  "advisory", json_string(id), "error", json_integer(rc), NULL);
        return IS_OK;
    }
    if (rc)
        return rc;
    size_t i;
    json_t *obj;
    json_array_foreach (objs, i, obj) {
        char why[160];
        struct taxii_object o;
        if (taxii_object_check(obj, &o, why, sizeof(why))) {
            log_event(LOG_WARN, "taxii: an advisory's object failed its check",
                      "advisory", json_string(id), "why", json_string(why),
                      NULL);
            continue;
        }
        char *text = json_dumps(obj, JSON_COMPACT);
        if (!text) {
            rc = IS_ERR_NOMEM;
            break;
        }
        /* the author's identity (a national body's: TLP:CLEAR, public
         * registry information), its English name and the TLP
         * definitions are shared by every advisory: read by their own
         * marking, so that each reader has what its reports refer to */
        const char *of = json_string_value(json_object_get(obj, "object_ref"));
        bool common = strcmp(o.type, "identity") == 0 ||
                      strcmp(o.type, "marking-definition") == 0 ||
                      (strcmp(o.type, "language-content") == 0 && of &&
                       strncmp(of, "identity--", 10) == 0);
        rc = put_adv_row(c, &o, text, common ? NULL : id, added,
                         common ? o.range : range);
        free(text);
        if (rc)
            break;
    }
    json_decref(objs);
    return rc;
}

/* Puts obj into the advisories collection at at, shared by every
 * advisory (no src; read by its own marking, range), inside the caller's
 * write transaction; one there already is fine. */
static int put_common(struct store_conn *c, const json_t *obj, int64_t at,
                      int range)
{
    struct taxii_object o;
    char why[160];
    char *text = json_dumps(obj, JSON_COMPACT);
    if (!text || taxii_object_check(obj, &o, why, sizeof(why))) {
        free(text);
        return IS_ERR_INTERNAL;
    }
    int rc = put_adv_row(c, &o, text, NULL, at, range < 0 ? o.range : range);
    free(text);
    return rc;
}

/* Seeds the advisories collection once per database (the meta flag
 * names it): fill puts its objects (put_common) at one instant. */
static int seed_once(struct app *a, struct store_conn *c, const char *flag,
                     int (*fill)(struct store_conn *c, int64_t at, void *ctx),
                     void *ctx)
{
    char v[8];
    if (store_meta_get(c, flag, v, sizeof(v)) == IS_OK)
        return IS_OK;
    int rc = store_begin(c);
    if (rc)
        return rc;
    int64_t last = 0;
    rc = store_taxii_last_added(c, TAXII_COLL_ADVISORIES, &last);
    int64_t at = taxii_now_micro(a);
    if (at <= last)
        at = last + 1;
    if (!rc)
        rc = fill(c, at, ctx);
    if (!rc)
        rc = store_meta_set(c, flag, "1");
    if (!rc)
        rc = store_commit(c);
    if (rc)
        store_rollback(c);
    return rc;
}

/* The official TLP 2.0 marking definitions (public: what the advisories'
 * objects refer to). The shared collection holds only what was posted;
 * the definitions posted are built in, never stored. */
static int fill_tlp(struct store_conn *c, int64_t at, void *ctx)
{
    IS_UNUSED(ctx);
    int rc = IS_OK;
    for (int r = 0; !rc && r < RANGE_COUNT; r++) {
        json_t *m = stix_tlp_marking(r);
        rc = m ? put_common(c, m, at, RANGE_WHITE) : IS_ERR_NOMEM;
        json_decref(m);
    }
    return rc;
}

static int org_collect(const char *org, void *ctx)
{
    json_t *ids = ctx;
    return json_array_append_new(ids, json_string(org)) ? IS_ERR_NOMEM : IS_OK;
}

/* The identities of the registry's national bodies (NISC, ministries,
 * CEPTOARs, agencies: public registry information, TLP:CLEAR) and their
 * English names, before any advisory. Added with an advisory instead, an
 * author's identity appeared at the advisory's date_added to every
 * reader, one it may not read included: a Red advisory's existence,
 * author and time (found by an outside review). */
static int fill_identities(struct store_conn *c, int64_t at, void *ctx)
{
    const json_t *orgs = ctx;
    int rc = IS_OK;
    size_t i;
    json_t *org;
    json_array_foreach (orgs, i, org) {
        json_t *objs = NULL;
        int r =
            stix_national_identity_objects(c, json_string_value(org), &objs);
        if (r == IS_ERR_NOTFOUND)
            continue;
        if ((rc = r))
            break;
        size_t k;
        json_t *obj;
        json_array_foreach (objs, k, obj)
            if ((rc = put_common(c, obj, at, -1)))
                break;
        json_decref(objs);
        if (rc)
            break;
    }
    return rc;
}

static int seed_identities(struct app *a, struct store_conn *c)
{
    char v[8];
    if (store_meta_get(c, "taxii_identities_seeded", v, sizeof(v)) == IS_OK)
        return IS_OK;
    /* the namespace and the list before the transaction (the namespace's
     * first use makes it in a transaction of its own) */
    unsigned char ns[16];
    json_t *orgs = json_array();
    int rc = orgs ? stix_namespace_load(c, ns) : IS_ERR_NOMEM;
    if (!rc)
        rc = store_taxii_org_ids(c, true, org_collect, orgs);
    if (!rc)
        rc = seed_once(a, c, "taxii_identities_seeded", fill_identities, orgs);
    json_decref(orgs);
    return rc;
}

int taxii_tick(struct app *a, struct store_conn *c, int64_t now)
{
    char hw[32];
    int64_t from = 0;
    long v;
    if (seed_once(a, c, "taxii_tlp_seeded", fill_tlp, NULL) ||
        seed_identities(a, c))
        return -1;
    if (store_meta_get(c, "taxii_advisory_seq", hw, sizeof(hw)) == IS_OK &&
        !util_parse_long(hw, 0, INT64_MAX, &v))
        from = (int64_t)v;
    struct tick_ctx t = {.a = a, .c = c, .now = now};
    struct tick_ctx narrowed = {.a = a, .c = c, .now = now};
    struct tick_ctx relayed = {.a = a, .c = c, .now = now};
    if (store_taxii_advisories_after(c, from, (int)IS_ARRAY_LEN(t.ids), collect,
                                     &t) ||
        store_taxii_advisories_narrowed(c, TAXII_COLL_ADVISORIES,
                                        (int)IS_ARRAY_LEN(narrowed.ids),
                                        collect, &narrowed) ||
        store_taxii_advisories_relayed(c, TAXII_COLL_ADVISORIES,
                                       (int)IS_ARRAY_LEN(relayed.ids), collect,
                                       &relayed))
        return -1;
    if (store_taxii_status_prune(c, now - TAXII_STATUS_KEEP_S))
        return -1;
    if (!t.n && !narrowed.n && !relayed.n)
        return 0;
    /* the hub's STIX namespace exists before the transaction (its first
     * use makes it in a transaction of its own) */
    unsigned char ns[16];
    if (stix_namespace_load(c, ns))
        return -1;
    int rc = store_begin(c);
    int64_t last = 0;
    if (!rc)
        rc = store_taxii_last_added(c, TAXII_COLL_ADVISORIES, &last);
    int64_t added = taxii_now_micro(a);
    if (added <= last)
        added = last + 1;
    int done = 0;
    for (int k = 0; !rc && k < t.n; k++) {
        /* each advisory at its own instant */
        rc = add_advisory(a, c, t.ids[k], now, added++);
        if (!rc)
            rc = store_taxii_advisory_hops_set(c, t.ids[k]);
        if (!rc) {
            snprintf(hw, sizeof(hw), "%lld", (long long)t.seqs[k]);
            rc = store_meta_set(c, "taxii_advisory_seq", hw);
            done++;
        }
    }
    /* a narrowed advisory: its objects replaced by their new version (with
     * the narrower marking), added anew; the wider version is no longer
     * served */
    for (int k = 0; !rc && k < narrowed.n; k++) {
        rc = store_taxii_src_delete(c, TAXII_COLL_ADVISORIES, narrowed.ids[k]);
        if (!rc)
            rc = add_advisory(a, c, narrowed.ids[k], now, added++);
        if (!rc)
            rc = store_taxii_advisory_hops_set(c, narrowed.ids[k]);
        if (!rc)
            done++;
    }
    /* a relayed advisory: its readers grew, so its objects are added
     * again at a new date_added (a reader polling with added_after, or a
     * peer hub pulling, gets what it may now read; one that had it gets
     * the same version again). One also narrowed was added above. */
    for (int k = 0; !rc && k < relayed.n; k++) {
        bool again = false;
        for (int m = 0; m < narrowed.n; m++)
            again = again || strcmp(narrowed.ids[m], relayed.ids[k]) == 0;
        if (!again)
            rc = store_taxii_src_delete(c, TAXII_COLL_ADVISORIES,
                                        relayed.ids[k]);
        if (!rc && !again)
            rc = add_advisory(a, c, relayed.ids[k], now, added++);
        if (!rc)
            rc = store_taxii_advisory_hops_set(c, relayed.ids[k]);
        if (!rc && !again)
            done++;
    }
    if (!rc)
        rc = store_commit(c);
    if (rc) {
        store_rollback(c);
        log_event(LOG_WARN,
                  "taxii: advisories could not be added to the collection; "
                  "the next turn tries again",
                  "error", json_integer(rc), NULL);
        return -1;
    }
    return done;
}
