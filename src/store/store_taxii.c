/*
 * store_taxii.c - see store/store_taxii.h.
 */
#include "store/store_internal.h"
#include "store/store_taxii.h"

#include <stdlib.h>
#include <string.h>

int store_taxii_last_added(struct store_conn *c, int coll, int64_t *added)
{
    *added = 0;
    return store_get_int64(c, ST_TAXII_LAST_ADDED, "taxii last added", added,
                           "i", coll);
}

struct versions {
    bool any;
    int64_t max, min, same;
    int last_range;
};

static int map_versions(db_stmt *st, void *ctx)
{
    struct versions *v = ctx;
    v->any = db_column_type(st, 0) != DB_NULL;
    v->max = db_column_int64(st, 0);
    v->min = db_column_int64(st, 1);
    v->same = db_column_int64(st, 2);
    v->last_range = db_column_int(st, 3);
    return IS_OK;
}

int store_taxii_put(struct store_conn *c, const struct store_taxii_put *p)
{
    /* the versions of the object's lineage (this poster's) */
    struct versions v = {0};
    int rc = p->fresh ? IS_OK
                      : store_get_row(c, ST_TAXII_VERSIONS_OF, "taxii versions",
                                      map_versions, &v, "itIt", p->coll,
                                      p->stix_id, p->ver_us, p->poster);
    if (rc)
        return rc;
    if (v.same)
        return IS_ERR_CONFLICT;
    bool last = !v.any || p->ver_us > v.max;
    bool first = !v.any || p->ver_us < v.min;
    /* a new last version: the lineage's versions are read as its range
     * allows too (a narrowed object narrows its older versions) */
    if (v.any && last &&
        (rc = store_exec(c, ST_TAXII_CLEAR_LAST, "taxii clear last", "itti",
                         p->coll, p->stix_id, p->poster, p->range)))
        return rc;
    if (v.any && first &&
        (rc = store_exec(c, ST_TAXII_CLEAR_FIRST, "taxii clear first", "itt",
                         p->coll, p->stix_id, p->poster)))
        return rc;
    return store_exec(c, ST_TAXII_INSERT, "taxii insert", "itIttIitttiiti",
                      p->coll, p->stix_id, p->ver_us, p->version, p->type,
                      p->added, p->range, p->poster, p->community, p->src,
                      last ? 1 : 0, first ? 1 : 0, p->body,
                      last ? p->range : v.last_range);
}

static const char *col_text(db_stmt *st, int i)
{
    const unsigned char *s = db_column_text(st, i);
    return s ? (const char *)s : "";
}

/* The current row of a TAXII_PAGE_COLS statement (strings valid until
 * the next step). */
static void row_of(db_stmt *st, struct store_taxii_row *r)
{
    *r = (struct store_taxii_row){
        .seq = db_column_int64(st, 0),
        .stix_id = col_text(st, 1),
        .ver_us = db_column_int64(st, 2),
        .version = col_text(st, 3),
        .type = col_text(st, 4),
        .added = db_column_int64(st, 5),
        .range = db_column_int(st, 6),
        .poster = col_text(st, 7),
        .community = col_text(st, 8),
        .src = db_column_type(st, 9) == DB_NULL ? NULL : col_text(st, 9),
        .body = col_text(st, 10),
        .body_len = (size_t)db_column_bytes(st, 10),
    };
}

int store_taxii_page(struct store_conn *c, const struct store_taxii_query *q,
                     int (*fn)(const struct store_taxii_row *r, void *ctx),
                     void *ctx)
{
    enum store_stmt id = q->ids_json ? ST_TAXII_PAGE_IDS : ST_TAXII_PAGE;
    db_stmt *st = store_stmt(c, id);
    if (!st)
        return IS_ERR_STORE;
    db_bind_int(st, 1, q->coll);
    db_bind_int64(st, 2, q->from_added);
    db_bind_int64(st, 3, q->from_seq);
    db_bind_text(st, 4, q->ids_json);
    db_bind_int(st, 5, q->none ? 1 : 0);
    db_bind_int(st, 6, q->everything ? 1 : 0);
    db_bind_text(st, 7, q->me ? q->me : "");
    db_bind_text(st, 8, q->types_json);
    db_bind_int(st, 9, q->v_all ? 1 : 0);
    db_bind_int(st, 10, q->v_last ? 1 : 0);
    db_bind_int(st, 11, q->v_first ? 1 : 0);
    db_bind_text(st, 12, q->vts_json);
    db_bind_int(st, 13, q->scan);
    db_bind_int(st, 14, q->observer ? 1 : 0);
    db_bind_text(st, 15, q->mine ? q->mine : ",");
    int rc = IS_OK;
    for (;;) {
        int s = db_step(st);
        if (s == DB_DONE)
            break;
        if (s != DB_ROW) {
            rc = store_fail(c, "taxii page");
            break;
        }
        struct store_taxii_row r;
        row_of(st, &r);
        int k = fn(&r, ctx);
        if (k) {
            rc = k == 1 ? IS_OK : k;
            break;
        }
    }
    db_reset(st);
    return rc;
}

int store_taxii_src_seen(struct store_conn *c, int coll, const char *src,
                         bool *seen)
{
    int64_t n = 0;
    int rc = store_get_int64(c, ST_TAXII_SRC_SEEN, "taxii src seen", &n, "it",
                             coll, src);
    *seen = n > 0;
    return rc;
}

int store_taxii_status_put(struct store_conn *c, const char *id,
                           const char *org, int64_t now, const char *body)
{
    return store_exec(c, ST_TAXII_STATUS_PUT, "taxii status", "ttIt", id, org,
                      now, body);
}

static int map_dup(db_stmt *st, void *ctx)
{
    return store_col_dup(st, 0, (char **)ctx);
}

int store_taxii_status_get(struct store_conn *c, const char *id,
                           const char *org, char **body)
{
    *body = NULL;
    return store_get_row(c, ST_TAXII_STATUS_GET, "taxii status", map_dup, body,
                         "tt", id, org);
}

int store_taxii_status_prune(struct store_conn *c, int64_t before)
{
    return store_exec(c, ST_TAXII_STATUS_PRUNE, "taxii status prune", "I",
                      before);
}

struct adv_walk {
    int (*fn)(int64_t seq, const char *id, void *ctx);
    void *ctx;
};

static int map_adv(db_stmt *st, void *ctx)
{
    struct adv_walk *w = ctx;
    return w->fn(db_column_int64(st, 0), col_text(st, 1), w->ctx);
}

int store_taxii_advisories_after(struct store_conn *c, int64_t seq, int max,
                                 int (*fn)(int64_t seq, const char *id,
                                           void *ctx),
                                 void *ctx)
{
    struct adv_walk w = {fn, ctx};
    return store_each(c, ST_TAXII_ADVISORIES_AFTER, "taxii advisories", map_adv,
                      &w, "Ii", seq, max);
}

struct row_walk {
    int (*fn)(const struct store_taxii_row *r, void *ctx);
    void *ctx;
};

static int map_object(db_stmt *st, void *ctx)
{
    struct row_walk *w = ctx;
    struct store_taxii_row r;
    row_of(st, &r);
    return w->fn(&r, w->ctx);
}

int store_taxii_after_seq(struct store_conn *c, int coll, int64_t seq, int max,
                          int (*fn)(const struct store_taxii_row *r, void *ctx),
                          void *ctx)
{
    struct row_walk w = {fn, ctx};
    return store_each(c, ST_TAXII_AFTER_SEQ, "taxii after seq", map_object, &w,
                      "iIi", coll, seq, max);
}

int store_taxii_peer_add(struct store_conn *c, const struct store_taxii_peer *p)
{
    return store_exec(c, ST_TAXII_PEER_ADD, "taxii peer add", "ttttttttiItt",
                      p->id, p->name, p->org, p->api_root, p->collection,
                      p->direction, p->auth_user, p->secret, p->interval_s,
                      p->created_at, p->mapping, p->audience);
}

static int map_peer(db_stmt *st, void *ctx)
{
    struct store_taxii_peer *p = ctx;
    memset(p, 0, sizeof(*p));
    store_col_copy(st, 0, p->id, sizeof(p->id));
    store_col_copy(st, 1, p->name, sizeof(p->name));
    store_col_copy(st, 2, p->org, sizeof(p->org));
    store_col_copy(st, 3, p->api_root, sizeof(p->api_root));
    store_col_copy(st, 4, p->collection, sizeof(p->collection));
    store_col_copy(st, 5, p->direction, sizeof(p->direction));
    store_col_copy(st, 6, p->auth_user, sizeof(p->auth_user));
    store_col_copy(st, 7, p->secret, sizeof(p->secret));
    p->interval_s = db_column_int(st, 8);
    p->created_at = db_column_int64(st, 9);
    store_col_copy(st, 10, p->pull_after, sizeof(p->pull_after));
    p->push_seq = db_column_int64(st, 11);
    p->next_run = db_column_int64(st, 12);
    p->last_run = db_column_int64(st, 13);
    p->last_ok = db_column_int64(st, 14);
    store_col_copy(st, 15, p->last_error, sizeof(p->last_error));
    p->pulled = db_column_int64(st, 16);
    p->added = db_column_int64(st, 17);
    p->duplicates = db_column_int64(st, 18);
    p->quarantined = db_column_int64(st, 19);
    p->pushed = db_column_int64(st, 20);
    p->push_failed = db_column_int64(st, 21);
    store_col_copy(st, 22, p->mapping, sizeof(p->mapping));
    store_col_copy(st, 23, p->audience, sizeof(p->audience));
    store_col_copy(st, 24, p->pull_next, sizeof(p->pull_next));
    return IS_OK;
}

int store_taxii_peer_get(struct store_conn *c, const char *id,
                         struct store_taxii_peer *out)
{
    return store_get_row(c, ST_TAXII_PEER_GET, "taxii peer", map_peer, out, "t",
                         id);
}

struct peer_walk {
    int (*fn)(const struct store_taxii_peer *p, void *ctx);
    void *ctx;
};

static int map_peer_walk(db_stmt *st, void *ctx)
{
    struct peer_walk *w = ctx;
    struct store_taxii_peer p;
    map_peer(st, &p);
    return w->fn(&p, w->ctx);
}

int store_taxii_peers(struct store_conn *c,
                      int (*fn)(const struct store_taxii_peer *p, void *ctx),
                      void *ctx)
{
    struct peer_walk w = {fn, ctx};
    return store_each(c, ST_TAXII_PEERS, "taxii peers", map_peer_walk, &w, "");
}

int store_taxii_peer_delete(struct store_conn *c, const char *id)
{
    return store_exec_changed(c, ST_TAXII_PEER_DELETE, "taxii peer delete", "t",
                              id);
}

int store_taxii_peer_due(struct store_conn *c, int64_t now, char id[24])
{
    return store_get_text(c, ST_TAXII_PEER_DUE, "taxii peer due", id, 24, "I",
                          now);
}

int store_taxii_peer_state(struct store_conn *c, const char *id,
                           const char *pull_after, const char *pull_next,
                           int64_t push_seq, int64_t next_run, int64_t now,
                           const struct store_taxii_run *run)
{
    bool pull = strcmp(run->direction, "pull") == 0;
    int rc = store_exec(
        c, ST_TAXII_PEER_STATE, "taxii peer state", "ttIIIitIIIIIIt", id,
        pull_after, push_seq, next_run, now, run->peer_ok ? 1 : 0,
        run->peer_reason, pull ? run->objects : (int64_t)0,
        pull ? run->added : (int64_t)0, pull ? run->duplicates : (int64_t)0,
        pull ? run->quarantined : (int64_t)0, pull ? (int64_t)0 : run->added,
        pull ? (int64_t)0 : run->failed, pull_next);
    if (rc)
        return rc;
    return store_exec(c, ST_TAXII_RUN_ADD, "taxii run", "tItitIII", id, now,
                      run->direction, run->ok ? 1 : 0, run->reason,
                      run->objects, run->added, run->failed);
}

struct run_walk {
    int (*fn)(int64_t at, const char *direction, bool ok, const char *reason,
              int64_t objects, int64_t added, int64_t failed, void *ctx);
    void *ctx;
};

static int map_run(db_stmt *st, void *ctx)
{
    struct run_walk *w = ctx;
    return w->fn(db_column_int64(st, 0), col_text(st, 1),
                 db_column_int(st, 2) != 0, col_text(st, 3),
                 db_column_int64(st, 4), db_column_int64(st, 5),
                 db_column_int64(st, 6), w->ctx);
}

int store_taxii_runs(struct store_conn *c, const char *peer, int max,
                     int (*fn)(int64_t at, const char *direction, bool ok,
                               const char *reason, int64_t objects,
                               int64_t added, int64_t failed, void *ctx),
                     void *ctx)
{
    struct run_walk w = {fn, ctx};
    return store_each(c, ST_TAXII_RUNS, "taxii runs", map_run, &w, "ti", peer,
                      max);
}

int store_taxii_runs_prune(struct store_conn *c, int64_t before)
{
    return store_exec(c, ST_TAXII_RUNS_PRUNE, "taxii runs prune", "I", before);
}

int store_taxii_quarantine_add(struct store_conn *c, const char *peer,
                               int64_t at, const char *stix_id,
                               const char *reason, const char *body,
                               bool *added)
{
    int64_t held = 0;
    *added = false;
    int rc = store_get_int64(c, ST_TAXII_QUARANTINE_HELD, "taxii quarantined",
                             &held, "tttt", peer, stix_id, reason, body);
    if (rc || held)
        return rc;
    rc = store_exec(c, ST_TAXII_QUARANTINE_ADD, "taxii quarantine", "tIttt",
                    peer, at, stix_id, reason, body);
    *added = rc == IS_OK;
    return rc;
}

struct q_walk {
    int (*fn)(int64_t at, const char *stix_id, const char *reason,
              const char *body, void *ctx);
    void *ctx;
};

static int map_q(db_stmt *st, void *ctx)
{
    struct q_walk *w = ctx;
    return w->fn(db_column_int64(st, 0), col_text(st, 1), col_text(st, 2),
                 col_text(st, 3), w->ctx);
}

int store_taxii_quarantine(struct store_conn *c, const char *peer, int max,
                           int (*fn)(int64_t at, const char *stix_id,
                                     const char *reason, const char *body,
                                     void *ctx),
                           void *ctx)
{
    struct q_walk w = {fn, ctx};
    return store_each(c, ST_TAXII_QUARANTINE, "taxii quarantine", map_q, &w,
                      "ti", peer, max);
}

int store_taxii_map_add(struct store_conn *c, const char *peer,
                        const char *stix_id, int64_t at, const char *body)
{
    return store_exec(c, ST_TAXII_MAP_ADD, "taxii map add", "ttIt", peer,
                      stix_id, at, body);
}

struct map_walk {
    int (*pending)(const char *stix_id, const char *body, void *ctx);
    int (*list)(const char *stix_id, const char *state, const char *advisory,
                const char *reason, int64_t at, void *ctx);
    void *ctx;
};

static int map_pending_row(db_stmt *st, void *ctx)
{
    struct map_walk *w = ctx;
    return w->pending(col_text(st, 0), col_text(st, 1), w->ctx);
}

int store_taxii_map_pending(struct store_conn *c, const char *peer, int max,
                            int (*fn)(const char *stix_id, const char *body,
                                      void *ctx),
                            void *ctx)
{
    struct map_walk w = {.pending = fn, .ctx = ctx};
    return store_each(c, ST_TAXII_MAP_PENDING, "taxii map pending",
                      map_pending_row, &w, "ti", peer, max);
}

int store_taxii_map_set(struct store_conn *c, const char *peer,
                        const char *stix_id, const char *state,
                        const char *advisory, const char *reason)
{
    return store_exec_changed(c, ST_TAXII_MAP_SET, "taxii map set", "ttttt",
                              peer, stix_id, state, advisory, reason);
}

static int map_list_row(db_stmt *st, void *ctx)
{
    struct map_walk *w = ctx;
    return w->list(col_text(st, 0), col_text(st, 1), col_text(st, 2),
                   col_text(st, 3), db_column_int64(st, 4), w->ctx);
}

int store_taxii_map_list(struct store_conn *c, const char *peer, int max,
                         int (*fn)(const char *stix_id, const char *state,
                                   const char *advisory, const char *reason,
                                   int64_t at, void *ctx),
                         void *ctx)
{
    struct map_walk w = {.list = fn, .ctx = ctx};
    return store_each(c, ST_TAXII_MAP_LIST, "taxii map list", map_list_row, &w,
                      "ti", peer, max);
}

int store_taxii_advisories_narrowed(struct store_conn *c, int coll, int max,
                                    int (*fn)(int64_t seq, const char *id,
                                              void *ctx),
                                    void *ctx)
{
    struct adv_walk w = {fn, ctx};
    return store_each(c, ST_TAXII_ADVISORIES_NARROWED, "taxii narrowed",
                      map_adv, &w, "ii", coll, max);
}

int store_taxii_advisories_relayed(struct store_conn *c, int coll, int max,
                                   int (*fn)(int64_t seq, const char *id,
                                             void *ctx),
                                   void *ctx)
{
    struct adv_walk w = {fn, ctx};
    return store_each(c, ST_TAXII_ADVISORIES_RELAYED, "taxii relayed", map_adv,
                      &w, "ii", coll, max);
}

int store_taxii_advisory_hops_set(struct store_conn *c, const char *id)
{
    return store_exec(c, ST_TAXII_ADVISORY_HOPS_SET, "taxii advisory hops", "t",
                      id);
}

int store_taxii_src_delete(struct store_conn *c, int coll, const char *src)
{
    return store_exec(c, ST_TAXII_SRC_DELETE, "taxii src delete", "it", coll,
                      src);
}

struct same_walk {
    int (*fn)(const char *poster, const char *community, int range,
              int own_range, int64_t ver_us, void *ctx);
    void *ctx;
};

static int map_same(db_stmt *st, void *ctx)
{
    struct same_walk *w = ctx;
    return w->fn(col_text(st, 0), col_text(st, 1), db_column_int(st, 2),
                 db_column_int(st, 4), db_column_int64(st, 3), w->ctx);
}

int store_taxii_same_id(struct store_conn *c, int coll, const char *stix_id,
                        int (*fn)(const char *poster, const char *community,
                                  int range, int own_range, int64_t ver_us,
                                  void *ctx),
                        void *ctx)
{
    struct same_walk w = {fn, ctx};
    return store_each(c, ST_TAXII_SAME_ID, "taxii same id", map_same, &w, "it",
                      coll, stix_id);
}

struct src_walk {
    int (*fn)(const char *src, int64_t ver_us, void *ctx);
    void *ctx;
};

static int map_src(db_stmt *st, void *ctx)
{
    struct src_walk *w = ctx;
    return w->fn(col_text(st, 0), db_column_int64(st, 1), w->ctx);
}

int store_taxii_id_src(struct store_conn *c, int coll, const char *stix_id,
                       int (*fn)(const char *src, int64_t ver_us, void *ctx),
                       void *ctx)
{
    struct src_walk w = {fn, ctx};
    return store_each(c, ST_TAXII_ID_SRC, "taxii id src", map_src, &w, "it",
                      coll, stix_id);
}

struct held_walk {
    int (*fn)(const char *stix_id, void *ctx);
    void *ctx;
};

static int map_held(db_stmt *st, void *ctx)
{
    struct held_walk *w = ctx;
    return w->fn(col_text(st, 0), w->ctx);
}

int store_taxii_ids_held(struct store_conn *c, int coll, const char *ids_json,
                         int (*fn)(const char *stix_id, void *ctx), void *ctx)
{
    struct held_walk w = {fn, ctx};
    return store_each(c, ST_TAXII_IDS_HELD, "taxii ids held", map_held, &w,
                      "it", coll, ids_json);
}

struct org_walk {
    int (*fn)(const char *org, void *ctx);
    void *ctx;
};

static int map_org(db_stmt *st, void *ctx)
{
    struct org_walk *w = ctx;
    return w->fn(col_text(st, 0), w->ctx);
}

int store_taxii_org_ids(struct store_conn *c, bool national,
                        int (*fn)(const char *org, void *ctx), void *ctx)
{
    struct org_walk w = {fn, ctx};
    return store_each(c, national ? ST_TAXII_NATIONAL_IDS : ST_TAXII_ORG_IDS,
                      "taxii org ids", map_org, &w, "");
}
