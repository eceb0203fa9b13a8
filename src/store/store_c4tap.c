/*
 * store_c4tap.c - C4TAP's rows (see store/store_c4tap.h; SQL in
 * store/store_c4tap_sql.h).
 */
#include "store/store_internal.h"
#include "store/store_c4tap.h"

/* ---- organisations ---- */

static int map_org(db_stmt *st, void *ctx)
{
    struct store_c4tap_org *o = ctx;
    memset(o, 0, sizeof(*o));
    store_col_copy(st, 0, o->org_id, sizeof(o->org_id));
    o->standing = db_column_int(st, 1);
    store_col_copy(st, 2, o->rules_version, sizeof(o->rules_version));
    store_col_copy(st, 3, o->agreed_by, sizeof(o->agreed_by));
    o->agreed_at = db_column_int64(st, 4);
    o->recorded_by = db_column_int64(st, 5);
    o->withdrawn_at = db_column_int64(st, 6);
    store_col_copy(st, 7, o->ranges, sizeof(o->ranges));
    store_col_copy(st, 8, o->kind, sizeof(o->kind));
    store_col_copy(st, 9, o->name_ja, sizeof(o->name_ja));
    store_col_copy(st, 10, o->name_en, sizeof(o->name_en));
    store_col_copy(st, 11, o->sector_id, sizeof(o->sector_id));
    return IS_OK;
}

static int map_org_listed(db_stmt *st, void *ctx)
{
    void *o = store_rows_push(ctx);
    return o ? map_org(st, o) : IS_ERR_NOMEM;
}

int store_c4tap_org_get(struct store_conn *c, const char *org,
                        struct store_c4tap_org *out)
{
    return store_get_row(c, ST_C4_ORG_GET, "c4tap org", map_org, out, "t", org);
}

struct sectors_ctx {
    char (*out)[64];
    int max, n;
};

static int map_sector(db_stmt *st, void *ctx)
{
    struct sectors_ctx *k = ctx;
    if (k->n < k->max)
        store_col_copy(st, 0, k->out[k->n++], sizeof(k->out[0]));
    return IS_OK;
}

int store_c4tap_sectors_with(struct store_conn *c, int standing, int min,
                             char (*out)[64], int max, int *n)
{
    struct sectors_ctx k = {out, max, 0};
    int rc = store_each(c, ST_C4_SECTORS_WITH, "c4tap sectors", map_sector, &k,
                        "ii", standing, min);
    *n = rc ? 0 : k.n;
    return rc;
}

int store_c4tap_org_put(struct store_conn *c, const struct store_c4tap_org *o,
                        int64_t now)
{
    int rc = store_exec(c, ST_C4_ORG_PUT, "c4tap org put", "tittIII", o->org_id,
                        o->standing, o->rules_version, o->agreed_by,
                        o->agreed_at, o->recorded_by, o->withdrawn_at);
    if (rc)
        return rc;
    return store_exec(c, ST_C4_ORG_HISTORY, "c4tap org history", "tittII",
                      o->org_id, o->standing, o->rules_version, o->agreed_by,
                      now, o->recorded_by);
}

int store_c4tap_org_set_ranges(struct store_conn *c, const char *org,
                               const char *ranges)
{
    return store_exec_changed(c, ST_C4_ORG_RANGES, "c4tap org ranges", "tt",
                              org, ranges);
}

int store_c4tap_orgs(struct store_conn *c, struct store_c4tap_org **out,
                     size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_c4tap_org)};
    int rc =
        store_list(c, ST_C4_ORGS, "c4tap orgs", map_org_listed, &r, NULL, "");
    *out = r.items;
    *n = r.n;
    return rc;
}

/* ---- handlers ---- */

static int map_handler(db_stmt *st, void *ctx)
{
    struct store_c4tap_handler *h = ctx;
    memset(h, 0, sizeof(*h));
    h->user_id = db_column_int64(st, 0);
    h->kind = db_column_int(st, 1);
    store_col_copy(st, 2, h->mail_key, sizeof(h->mail_key));
    h->registered_by = db_column_int64(st, 3);
    h->registered_at = db_column_int64(st, 4);
    store_col_copy(st, 5, h->username, sizeof(h->username));
    store_col_copy(st, 6, h->display_name, sizeof(h->display_name));
    store_col_copy(st, 7, h->org_id, sizeof(h->org_id));
    return IS_OK;
}

static int map_handler_listed(db_stmt *st, void *ctx)
{
    void *h = store_rows_push(ctx);
    return h ? map_handler(st, h) : IS_ERR_NOMEM;
}

int store_c4tap_handler_get(struct store_conn *c, int64_t user_id,
                            struct store_c4tap_handler *out)
{
    return store_get_row(c, ST_C4_HANDLER_GET, "c4tap handler", map_handler,
                         out, "I", user_id);
}

int store_c4tap_handler_by_key(struct store_conn *c, const char *key,
                               struct store_c4tap_handler *out)
{
    return store_get_row(c, ST_C4_HANDLER_BY_KEY, "c4tap handler key",
                         map_handler, out, "t", key);
}

int store_c4tap_handler_add(struct store_conn *c,
                            const struct store_c4tap_handler *h)
{
    return store_exec(c, ST_C4_HANDLER_ADD, "c4tap handler add", "IitII",
                      h->user_id, h->kind, h->mail_key, h->registered_by,
                      h->registered_at);
}

int store_c4tap_handler_delete(struct store_conn *c, int64_t user_id)
{
    return store_exec_changed(c, ST_C4_HANDLER_DELETE, "c4tap handler delete",
                              "I", user_id);
}

int store_c4tap_handlers(struct store_conn *c, const char *org,
                         struct store_c4tap_handler **out, size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_c4tap_handler)};
    int rc = store_list(c, ST_C4_HANDLERS, "c4tap handlers", map_handler_listed,
                        &r, NULL, "t", org);
    *out = r.items;
    *n = r.n;
    return rc;
}

/* ---- submissions ---- */

void store_c4tap_sub_release(struct store_c4tap_sub *s)
{
    if (s) {
        free(s->parsed);
        s->parsed = NULL;
    }
}

void store_c4tap_subs_free(struct store_c4tap_sub *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        store_c4tap_sub_release(&s[i]);
    free(s);
}

/* The columns of C4_SUB_COLS, starting at column k of st. */
static void read_sub_at(db_stmt *st, int k, struct store_c4tap_sub *s)
{
    memset(s, 0, sizeof(*s));
    s->id = db_column_int64(st, k + 0);
    store_col_copy(st, k + 1, s->org_id, sizeof(s->org_id));
    s->user_id = db_column_int64(st, k + 2);
    s->anonymous = db_column_int(st, k + 3) != 0;
    store_col_copy(st, k + 4, s->via, sizeof(s->via));
    store_col_copy(st, k + 5, s->ranges, sizeof(s->ranges));
    store_col_copy(st, k + 6, s->sha256, sizeof(s->sha256));
    s->size = db_column_int64(st, k + 7);
    s->mail_at = db_column_int64(st, k + 8);
    s->created_at = db_column_int64(st, k + 9);
    s->campaign_id = db_column_int64(st, k + 10);
    store_col_copy(st, k + 11, s->note, sizeof(s->note));
    s->version = db_column_int64(st, k + 12);
    s->demo = db_column_int(st, k + 13) != 0;
    store_col_copy(st, k + 14, s->org_name_ja, sizeof(s->org_name_ja));
    store_col_copy(st, k + 15, s->org_name_en, sizeof(s->org_name_en));
    store_col_copy(st, k + 16, s->scope_id, sizeof(s->scope_id));
    store_col_copy(st, k + 17, s->sector_id, sizeof(s->sector_id));
}

static void read_sub(db_stmt *st, struct store_c4tap_sub *s)
{
    read_sub_at(st, 0, s);
}

static int map_sub_parsed(db_stmt *st, void *ctx)
{
    struct store_c4tap_sub *s = ctx;
    read_sub(st, s);
    return store_col_dup(st, 18, &s->parsed);
}

static int map_sub(db_stmt *st, void *ctx)
{
    read_sub(st, ctx);
    return IS_OK;
}

static int map_sub_listed(db_stmt *st, void *ctx)
{
    void *s = store_rows_push(ctx);
    return s ? map_sub(st, s) : IS_ERR_NOMEM;
}

struct sub_row {
    const struct store_c4tap_sub *s;
    const void *raw;
    size_t rawlen;
};

static int sub_insert_as(struct store_conn *c, void *ctx, int64_t v)
{
    const struct sub_row *x = ctx;
    const struct store_c4tap_sub *s = x->s;
    db_stmt *st = store_stmt(c, ST_C4_SUB_INSERT);
    if (!st)
        return IS_ERR_STORE;
    db_bind_text(st, 1, s->org_id);
    db_bind_int64(st, 2, s->user_id);
    db_bind_int(st, 3, s->anonymous ? 1 : 0);
    db_bind_text(st, 4, s->via);
    db_bind_text(st, 5, s->ranges);
    db_bind_text(st, 6, s->sha256);
    db_bind_int64(st, 7, s->size);
    db_bind_int64(st, 8, s->mail_at);
    db_bind_int64(st, 9, s->created_at);
    db_bind_int64(st, 10, s->campaign_id);
    db_bind_text(st, 11, s->note);
    db_bind_text(st, 12, s->parsed ? s->parsed : "{}");
    db_bind_blob(st, 13, x->raw, x->rawlen);
    db_bind_int(st, 14, s->demo ? 1 : 0);
    db_bind_int64(st, 15, v);
    int rc = store_step_done(c, st, "c4tap submission insert");
    db_reset(st);
    db_clear_bindings(st);
    return !rc && store_changes(c) == 0 ? IS_ERR_NOTFOUND : rc;
}

int store_c4tap_sub_insert(struct store_conn *c,
                           const struct store_c4tap_sub *s, const void *raw,
                           size_t rawlen, int64_t *id)
{
    /* an id that counts nothing (docs/rules.md "Ids that count nothing"):
     * the row counter told a provider how many e-mails others submitted,
     * Red ones included, between two of its own; above its own */
    struct sub_row x = {s, raw, rawlen};
    int64_t floor = 0;
    int rc = store_get_int64(c, ST_C4_SUB_MAX_ID, "c4tap submission max id",
                             &floor, "t", s->org_id);
    if (!rc)
        rc = store_insert_fresh_id(c, s->created_at, floor, sub_insert_as, &x,
                                   id);
    return rc;
}

int store_c4tap_sub_get(struct store_conn *c, int64_t id, bool with_parsed,
                        struct store_c4tap_sub *out)
{
    if (!with_parsed)
        return store_get_row(c, ST_C4_SUB_HEAD, "c4tap submission head",
                             map_sub, out, "I", id);
    return store_get_row(c, ST_C4_SUB_GET, "c4tap submission", map_sub_parsed,
                         out, "I", id);
}

int store_c4tap_sub_by_hash(struct store_conn *c, const char *org,
                            const char *sha256, int64_t *id)
{
    return store_get_int64(c, ST_C4_SUB_BY_HASH, "c4tap submission hash", id,
                           "tt", org, sha256);
}

struct raw_ctx {
    char **raw;
    size_t *len;
};

static int map_raw(db_stmt *st, void *ctx)
{
    struct raw_ctx *r = ctx;
    size_t n = (size_t)db_column_bytes(st, 0);
    const void *b = db_column_blob(st, 0);
    *r->raw = malloc(n ? n : 1);
    if (!*r->raw)
        return IS_ERR_NOMEM;
    if (n)
        memcpy(*r->raw, b, n);
    *r->len = n;
    return IS_OK;
}

int store_c4tap_sub_raw(struct store_conn *c, int64_t id, char **raw,
                        size_t *len)
{
    struct raw_ctx r = {raw, len};
    *raw = NULL;
    *len = 0;
    return store_get_row(c, ST_C4_SUB_RAW, "c4tap raw", map_raw, &r, "I", id);
}

int store_c4tap_sub_set_ranges(struct store_conn *c, int64_t id,
                               const char *ranges, int64_t expect)
{
    int64_t v;
    int rc =
        store_get_int64(c, ST_C4_SUB_VERSION, "c4tap version", &v, "I", id);
    if (rc)
        return rc;
    if (v != expect)
        return IS_ERR_CONFLICT;
    return store_exec_changed(c, ST_C4_SUB_SET_RANGES, "c4tap ranges", "ItI",
                              id, ranges, expect);
}

int store_c4tap_sub_set_campaign(struct store_conn *c, int64_t id,
                                 int64_t campaign)
{
    return store_exec_changed(c, ST_C4_SUB_SET_CAMPAIGN, "c4tap sub campaign",
                              "II", id, campaign);
}

int store_c4tap_subs_of_campaign(struct store_conn *c, int64_t campaign,
                                 struct store_c4tap_sub **out, size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_c4tap_sub)};
    int rc = store_list(c, ST_C4_SUBS_OF_CAMPAIGN, "c4tap campaign subs",
                        map_sub_listed, &r, NULL, "I", campaign);
    *out = r.items;
    *n = r.n;
    return rc;
}

struct walk_ctx {
    int (*fn)(const struct store_c4tap_sub *s, void *ctx);
    void *ctx;
};

static int map_walk(db_stmt *st, void *ctx)
{
    struct walk_ctx *w = ctx;
    struct store_c4tap_sub s;
    read_sub(st, &s);
    return w->fn(&s, w->ctx);
}

int store_c4tap_subs_walk(struct store_conn *c, int64_t before,
                          int (*fn)(const struct store_c4tap_sub *s, void *ctx),
                          void *ctx)
{
    struct walk_ctx w = {fn, ctx};
    int rc =
        store_each(c, ST_C4_SUBS_WALK, "c4tap walk", map_walk, &w, "I", before);
    return rc == STORE_C4_STOP ? IS_OK : rc;
}

/* ---- indicators ---- */

int store_c4tap_indicator_add(struct store_conn *c, int64_t sub,
                              const char *kind, const char *value, int type,
                              bool keyed)
{
    return store_exec(c, ST_C4_IND_ADD, "c4tap indicator", "Ittii", sub, kind,
                      value, type, keyed ? 1 : 0);
}

int store_c4tap_campaign_sharing(struct store_conn *c, const char *kind,
                                 const char *value, int64_t *id)
{
    *id = 0;
    int rc = store_get_int64(c, ST_C4_CAMPAIGNS_SHARING, "c4tap sharing", id,
                             "tt", kind, value);
    return rc == IS_ERR_NOTFOUND ? IS_OK : rc;
}

struct ind_ctx {
    int (*fn)(const struct store_c4tap_ind *i, void *ctx);
    void *ctx;
};

static int map_ind(db_stmt *st, void *ctx)
{
    struct ind_ctx *k = ctx;
    struct store_c4tap_ind i = {
        .submission_id = db_column_int64(st, 0),
        .kind = (const char *)db_column_text(st, 1),
        .value = (const char *)db_column_text(st, 2),
        .type = db_column_int(st, 3),
    };
    if (!i.kind)
        i.kind = "";
    if (!i.value)
        i.value = "";
    return k->fn(&i, k->ctx);
}

struct lookup_ctx {
    int (*fn)(const char *kind, int type, const struct store_c4tap_sub *s,
              void *ctx);
    void *ctx;
};

static int map_lookup(db_stmt *st, void *ctx)
{
    struct lookup_ctx *k = ctx;
    struct store_c4tap_sub s;
    read_sub_at(st, 2, &s);
    const char *kind = (const char *)db_column_text(st, 0);
    return k->fn(kind ? kind : "", db_column_int(st, 1), &s, k->ctx);
}

int store_c4tap_lookup(struct store_conn *c, const char *value,
                       const char *kind, int limit,
                       int (*fn)(const char *kind, int type,
                                 const struct store_c4tap_sub *s, void *ctx),
                       void *ctx)
{
    struct lookup_ctx k = {fn, ctx};
    return store_each(c, ST_C4_LOOKUP, "c4tap lookup", map_lookup, &k, "tti",
                      value, kind, limit);
}

int store_c4tap_indicators_of(struct store_conn *c, int64_t sub,
                              int (*fn)(const struct store_c4tap_ind *i,
                                        void *ctx),
                              void *ctx)
{
    struct ind_ctx k = {fn, ctx};
    return store_each(c, ST_C4_INDICATORS_OF, "c4tap indicators", map_ind, &k,
                      "I", sub);
}

static int map_counts(db_stmt *st, void *ctx)
{
    struct store_c4tap_counts *k = ctx;
    k->submissions = db_column_int64(st, 0);
    k->organisations = db_column_int64(st, 1);
    k->sectors = db_column_int64(st, 2);
    k->campaigns = db_column_int64(st, 3);
    k->first = db_column_int64(st, 4);
    k->last = db_column_int64(st, 5);
    return IS_OK;
}

int store_c4tap_lookup_counts(struct store_conn *c, const char *value,
                              const char *kind, struct store_c4tap_counts *out)
{
    memset(out, 0, sizeof(*out));
    /* by value: the counts kept at each submission; by kind: counted */
    int rc = kind ? store_get_row(c, ST_C4_LOOKUP_COUNTS, "c4tap lookup counts",
                                  map_counts, out, "tt", value, kind)
                  : store_get_row(c, ST_C4_VALUE_COUNTS, "c4tap value counts",
                                  map_counts, out, "t", value);
    return rc == IS_ERR_NOTFOUND ? IS_OK : rc;
}

struct providers_ctx {
    int (*fn)(const char *org, const char *sector, int provider_range,
              void *ctx);
    void *ctx;
};

static int map_provider(db_stmt *st, void *ctx)
{
    struct providers_ctx *k = ctx;
    const char *org = (const char *)db_column_text(st, 0);
    const char *sector = (const char *)db_column_text(st, 1);
    const char *digit = (const char *)db_column_text(st, 2);
    int r = digit && digit[0] >= '0' && digit[0] <= '9' && !digit[1]
                ? digit[0] - '0'
                : -1;
    return k->fn(org ? org : "", sector ? sector : "", r, k->ctx);
}

int store_c4tap_lookup_providers(struct store_conn *c, const char *value,
                                 const char *kind, int limit,
                                 int (*fn)(const char *org, const char *sector,
                                           int provider_range, void *ctx),
                                 void *ctx)
{
    struct providers_ctx k = {fn, ctx};
    return store_each(c, ST_C4_LOOKUP_PROVIDERS, "c4tap lookup providers",
                      map_provider, &k, "tti", value, kind, limit);
}

int store_c4tap_value_add(struct store_conn *c, const char *value,
                          const char *org, const char *sector, int64_t mail_at)
{
    int rc =
        store_exec(c, ST_C4_VALUE_ADD, "c4tap value", "tI", value, mail_at);
    return rc || !org ? rc
                      : store_exec(c, ST_C4_VALUE_ORG_ADD, "c4tap value org",
                                   "ttt", value, org, sector ? sector : "");
}

struct keyed_ctx {
    int (*fn)(const char *kind, const char *value, int type,
              const struct store_c4tap_sub *s, void *ctx);
    void *ctx;
};

static int map_keyed(db_stmt *st, void *ctx)
{
    struct keyed_ctx *k = ctx;
    struct store_c4tap_sub s;
    read_sub_at(st, 3, &s);
    const char *kind = (const char *)db_column_text(st, 0);
    const char *value = (const char *)db_column_text(st, 1);
    return k->fn(kind ? kind : "", value ? value : "", db_column_int(st, 2), &s,
                 k->ctx);
}

int store_c4tap_campaign_keyed(struct store_conn *c, int64_t campaign,
                               int (*fn)(const char *kind, const char *value,
                                         int type,
                                         const struct store_c4tap_sub *s,
                                         void *ctx),
                               void *ctx)
{
    struct keyed_ctx k = {fn, ctx};
    return store_each(c, ST_C4_CAMPAIGN_KEYED, "c4tap campaign keyed",
                      map_keyed, &k, "I", campaign);
}

/* ---- campaigns ---- */

static int map_campaign(db_stmt *st, void *ctx)
{
    struct store_c4tap_campaign *k = ctx;
    memset(k, 0, sizeof(*k));
    k->id = db_column_int64(st, 0);
    k->created_at = db_column_int64(st, 1);
    k->updated_at = db_column_int64(st, 2);
    k->merged_into = db_column_int64(st, 3);
    k->version = db_column_int64(st, 4);
    store_col_copy(st, 5, k->title, sizeof(k->title));
    store_col_copy(st, 6, k->advisory_id, sizeof(k->advisory_id));
    k->submissions = db_column_int64(st, 7);
    return IS_OK;
}

static int map_campaign_listed(db_stmt *st, void *ctx)
{
    void *k = store_rows_push(ctx);
    return k ? map_campaign(st, k) : IS_ERR_NOMEM;
}

static int campaign_insert_as(struct store_conn *c, void *ctx, int64_t v)
{
    return store_exec_changed(c, ST_C4_CAMPAIGN_INSERT, "c4tap campaign", "II",
                              *(const int64_t *)ctx, v);
}

int store_c4tap_campaign_insert(struct store_conn *c, int64_t now, int64_t *id)
{
    /* an id that counts nothing (docs/rules.md "Ids that count nothing"):
     * no owner, so campaigns made in one second come in random order */
    return store_insert_fresh_id(c, now, 0, campaign_insert_as, &now, id);
}

int store_c4tap_campaign_get(struct store_conn *c, int64_t id,
                             struct store_c4tap_campaign *out)
{
    return store_get_row(c, ST_C4_CAMPAIGN_GET, "c4tap campaign get",
                         map_campaign, out, "I", id);
}

int store_c4tap_campaigns(struct store_conn *c,
                          struct store_c4tap_campaign **out, size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_c4tap_campaign)};
    int rc = store_list(c, ST_C4_CAMPAIGNS, "c4tap campaigns",
                        map_campaign_listed, &r, NULL, "");
    *out = r.items;
    *n = r.n;
    return rc;
}

int store_c4tap_campaign_touch(struct store_conn *c, int64_t id, int64_t now)
{
    return store_exec_changed(c, ST_C4_CAMPAIGN_TOUCH, "c4tap touch", "II", id,
                              now);
}

int store_c4tap_campaign_set_title(struct store_conn *c, int64_t id,
                                   const char *title, int64_t now)
{
    return store_exec_changed(c, ST_C4_CAMPAIGN_TITLE, "c4tap title", "ItI", id,
                              title, now);
}

int store_c4tap_campaign_merge(struct store_conn *c, int64_t from, int64_t into,
                               int64_t now)
{
    int rc = store_exec(c, ST_C4_CAMPAIGN_MOVE, "c4tap merge move", "II", from,
                        into);
    if (!rc)
        rc = store_exec_changed(c, ST_C4_CAMPAIGN_MERGED, "c4tap merged", "III",
                                from, into, now);
    if (!rc)
        rc = store_exec(c, ST_C4_CAMPAIGN_MERGED_CHAIN, "c4tap merged chain",
                        "II", from, into);
    if (!rc)
        rc = store_c4tap_campaign_touch(c, into, now);
    return rc;
}

int store_c4tap_campaign_set_advisory(struct store_conn *c, int64_t id,
                                      const char *adv_id, int64_t now)
{
    int rc = store_exec_changed(c, ST_C4_CAMPAIGN_ADVISORY, "c4tap advisory",
                                "ItI", id, adv_id, now);
    return rc == IS_ERR_NOTFOUND ? IS_ERR_CONFLICT : rc;
}

/* ---- notes ---- */

struct note_row {
    int64_t campaign, user_id, now;
    const char *org, *text;
    int range;
};

static int note_insert_as(struct store_conn *c, void *ctx, int64_t v)
{
    const struct note_row *n = ctx;
    return store_exec_changed(c, ST_C4_NOTE_ADD, "c4tap note", "IItitII",
                              n->campaign, n->user_id, n->org, n->range,
                              n->text, n->now, v);
}

int store_c4tap_note_add(struct store_conn *c, int64_t campaign,
                         int64_t user_id, const char *org, int range,
                         const char *text, int64_t now, int64_t *id)
{
    /* an id that counts nothing (docs/rules.md "Ids that count nothing"):
     * a reader sees the notes its range allows, and the row counter's gaps
     * counted the others; above the organisation's own on the campaign */
    struct note_row n = {campaign, user_id, now, org, text, range};
    int64_t floor = 0;
    int rc = store_get_int64(c, ST_C4_NOTE_MAX_ID, "c4tap note max id", &floor,
                             "It", campaign, org);
    if (!rc)
        rc = store_insert_fresh_id(c, now, floor, note_insert_as, &n, id);
    return rc;
}

void store_c4tap_notes_free(struct store_c4tap_note *n, size_t count)
{
    for (size_t i = 0; n && i < count; i++)
        free(n[i].text);
    free(n);
}

static int map_note(db_stmt *st, void *ctx)
{
    struct store_c4tap_note *n = store_rows_push(ctx);
    if (!n)
        return IS_ERR_NOMEM;
    n->id = db_column_int64(st, 0);
    n->user_id = db_column_int64(st, 1);
    n->created_at = db_column_int64(st, 2);
    n->range = db_column_int(st, 3);
    store_col_copy(st, 4, n->org_id, sizeof(n->org_id));
    int rc = store_col_dup(st, 5, &n->text);
    store_col_copy(st, 6, n->author, sizeof(n->author));
    return rc;
}

static void drop_note(void *item)
{
    free(((struct store_c4tap_note *)item)->text);
}

int store_c4tap_notes(struct store_conn *c, int64_t campaign,
                      struct store_c4tap_note **out, size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_c4tap_note)};
    int rc = store_list(c, ST_C4_NOTES, "c4tap notes", map_note, &r, drop_note,
                        "I", campaign);
    *out = r.items;
    *n = r.n;
    return rc;
}
