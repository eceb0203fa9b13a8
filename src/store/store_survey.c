/*
 * store_survey.c - the survey's and CP/BCP readiness's rows (see
 * store/store_survey.h).
 */
#include "store/store_internal.h"
#include "store/store_survey.h"

#include <stdlib.h>

int store_gl_edition_put(struct store_conn *c, const char *edition,
                         const char *catalogue, int64_t now)
{
    return store_exec(c, ST_GL_EDITION_PUT, "edition put", "ttI", edition,
                      catalogue, now);
}

static int map_dup0(db_stmt *st, void *ctx)
{
    return store_col_dup(st, 0, (char **)ctx);
}

int store_gl_edition_get(struct store_conn *c, const char *edition, char **out)
{
    *out = NULL;
    return store_get_row(c, ST_GL_EDITION_GET, "edition", map_dup0, out, "t",
                         edition);
}

/* ---- campaigns ---- */

static void read_survey(db_stmt *st, struct store_survey *s)
{
    memset(s, 0, sizeof(*s));
    store_col_copy(st, 0, s->id, sizeof(s->id));
    s->fy = db_column_int(st, 1);
    store_col_copy(st, 2, s->edition, sizeof(s->edition));
    store_col_copy(st, 3, s->title_ja, sizeof(s->title_ja));
    store_col_copy(st, 4, s->title_en, sizeof(s->title_en));
    store_col_copy(st, 5, s->sectors, sizeof(s->sectors));
    s->items = db_column_int(st, 6);
    store_col_copy(st, 7, s->state, sizeof(s->state));
    s->deadline = db_column_int64(st, 8);
    s->opened_by = db_column_int64(st, 9);
    s->opened_at = db_column_int64(st, 10);
    s->closed_by = db_column_int64(st, 11);
    s->closed_at = db_column_int64(st, 12);
    s->version = db_column_int64(st, 13);
    s->targets = db_column_int64(st, 14);
}

static int map_survey(db_stmt *st, void *ctx)
{
    read_survey(st, ctx);
    return IS_OK;
}

int store_survey_insert(struct store_conn *c, const struct store_survey *s)
{
    return store_exec(c, ST_SV_INSERT, "survey insert", "tittttiIII", s->id,
                      s->fy, s->edition, s->title_ja, s->title_en, s->sectors,
                      s->items, s->deadline, s->opened_by, s->opened_at);
}

int store_survey_get(struct store_conn *c, const char *id,
                     struct store_survey *out)
{
    return store_get_row(c, ST_SV_GET, "survey", map_survey, out, "t", id);
}

struct visit {
    void *fn;
    void *ctx;
};

static int map_survey_each(db_stmt *st, void *ctx)
{
    struct visit *v = ctx;
    struct store_survey s;
    read_survey(st, &s);
    return ((int (*)(void *, const struct store_survey *))v->fn)(v->ctx, &s);
}

int store_survey_list(struct store_conn *c,
                      int (*fn)(void *ctx, const struct store_survey *s),
                      void *ctx)
{
    struct visit v = {(void *)fn, ctx};
    return store_each(c, ST_SV_LIST, "surveys", map_survey_each, &v, "");
}

int store_survey_previous(struct store_conn *c, int fy,
                          struct store_survey *out)
{
    return store_get_row(c, ST_SV_PREVIOUS, "survey previous", map_survey, out,
                         "i", fy);
}

int store_survey_close(struct store_conn *c, const char *id, int64_t version,
                       int64_t by, int64_t at)
{
    int rc = store_exec_changed(c, ST_SV_CLOSE, "survey close", "tIII", id,
                                version, by, at);
    return rc == IS_ERR_NOTFOUND ? IS_ERR_CONFLICT : rc;
}

int store_survey_targets_add(struct store_conn *c, const char *id,
                             const char *sectors, int64_t *n)
{
    int rc =
        store_exec(c, ST_SV_TARGETS_ADD, "survey targets", "tt", id, sectors);
    *n = rc ? 0 : store_changes(c);
    return rc;
}

/* ---- responses ---- */

static void read_resp(db_stmt *st, struct store_survey_resp *r)
{
    memset(r, 0, sizeof(*r));
    store_col_copy(st, 0, r->org_id, sizeof(r->org_id));
    store_col_copy(st, 1, r->sector_id, sizeof(r->sector_id));
    store_col_copy(st, 2, r->state, sizeof(r->state));
    r->shared = db_column_int(st, 3) != 0;
    r->updated_at = db_column_int64(st, 4);
    r->submitted_at = db_column_int64(st, 5);
    r->version = db_column_int64(st, 6);
    r->answered = db_column_int64(st, 7);
    r->last_reminded = db_column_int64(st, 8);
    store_col_copy(st, 9, r->name_ja, sizeof(r->name_ja));
    store_col_copy(st, 10, r->name_en, sizeof(r->name_en));
}

static int map_resp(db_stmt *st, void *ctx)
{
    read_resp(st, ctx);
    return IS_OK;
}

int store_survey_resp_get(struct store_conn *c, const char *id, const char *org,
                          struct store_survey_resp *out)
{
    return store_get_row(c, ST_SV_RESP_GET, "survey response", map_resp, out,
                         "tt", id, org);
}

static int map_resp_each(db_stmt *st, void *ctx)
{
    struct visit *v = ctx;
    struct store_survey_resp r;
    read_resp(st, &r);
    return ((int (*)(void *, const struct store_survey_resp *))v->fn)(v->ctx,
                                                                      &r);
}

int store_survey_resp_of_ceptoar(
    struct store_conn *c, const char *id, const char *ceptoar,
    int (*fn)(void *ctx, const struct store_survey_resp *r), void *ctx)
{
    struct visit v = {(void *)fn, ctx};
    if (!ceptoar)
        return store_each(c, ST_SV_RESP_ALL, "survey operators", map_resp_each,
                          &v, "t", id);
    return store_each(c, ST_SV_RESP_OF_CEPTOAR, "survey members", map_resp_each,
                      &v, "tt", id, ceptoar);
}

int store_survey_resp_put(struct store_conn *c, const char *id, const char *org,
                          const char *state, bool shared, int64_t by,
                          int64_t at, int64_t submitted_at)
{
    return store_exec(c, ST_SV_RESP_PUT, "survey response put", "tttiIII", id,
                      org, state, shared ? 1 : 0, by, at, submitted_at);
}

static int map_progress(db_stmt *st, void *ctx)
{
    struct visit *v = ctx;
    struct store_survey_progress p = {0};
    store_col_copy(st, 0, p.sector_id, sizeof(p.sector_id));
    p.targets = db_column_int64(st, 1);
    p.submitted = db_column_int64(st, 2);
    p.drafts = db_column_int64(st, 3);
    return ((int (*)(void *, const struct store_survey_progress *))v->fn)(
        v->ctx, &p);
}

int store_survey_progress(struct store_conn *c, const char *id,
                          int (*fn)(void *ctx,
                                    const struct store_survey_progress *p),
                          void *ctx)
{
    struct visit v = {(void *)fn, ctx};
    return store_each(c, ST_SV_PROGRESS, "survey progress", map_progress, &v,
                      "t", id);
}

/* ---- answers and tallies ---- */

int store_survey_answer_put(struct store_conn *c, const char *id,
                            const char *org, const char *item,
                            const char *answer, const char *evidence)
{
    return store_exec(c, ST_SV_ANSWER_PUT, "survey answer", "ttttt", id, org,
                      item, answer, evidence ? evidence : "");
}

/* One operator's demo answers, row i = item[i]. */
struct demo_answers {
    const char *id, *org;
    const char *const *item, *const *answer;
};

static void bind_answer(db_stmt *st, int b, size_t i, const void *ctx)
{
    const struct demo_answers *x = ctx;
    db_bind_text(st, b + 1, x->id);
    db_bind_text(st, b + 2, x->org);
    db_bind_text(st, b + 3, x->item[i]);
    db_bind_text(st, b + 4, x->answer[i]);
}

static int put_answer(struct store_conn *c, size_t i, const void *ctx)
{
    const struct demo_answers *x = ctx;
    return store_survey_answer_put(c, x->id, x->org, x->item[i], x->answer[i],
                                   "");
}

int store_survey_demo_answers(struct store_conn *c, const char *id,
                              const char *org, const char *const *item,
                              const char *const *answer, size_t n)
{
    struct demo_answers x = {id, org, item, answer};
    return store_put_rows(c, ST_SV_DEMO_ANSWERS, STORE_DEMO_ANSWERS, 4, n,
                          bind_answer, put_answer, &x, "demo survey answers");
}

int store_survey_answer_clear(struct store_conn *c, const char *id,
                              const char *org, const char *item)
{
    return store_exec(c, ST_SV_ANSWER_CLEAR, "survey answer clear", "ttt", id,
                      org, item);
}

static int map_answer(db_stmt *st, void *ctx)
{
    struct visit *v = ctx;
    struct store_survey_answer a = {0};
    store_col_copy(st, 0, a.item, sizeof(a.item));
    store_col_copy(st, 1, a.answer, sizeof(a.answer));
    const unsigned char *ev = db_column_text(st, 2);
    a.evidence = ev ? (const char *)ev : "";
    return ((int (*)(void *, const struct store_survey_answer *))v->fn)(v->ctx,
                                                                        &a);
}

int store_survey_answers(struct store_conn *c, const char *id, const char *org,
                         int (*fn)(void *ctx,
                                   const struct store_survey_answer *a),
                         void *ctx)
{
    struct visit v = {(void *)fn, ctx};
    return store_each(c, ST_SV_ANSWERS, "survey answers", map_answer, &v, "tt",
                      id, org);
}

int store_survey_tally_apply(struct store_conn *c, const char *id,
                             const char *org, const char *sector, int sign)
{
    int rc =
        store_exec(c, ST_SV_TALLY_ROWS, "tally rows", "ttt", id, org, sector);
    if (!rc)
        rc = store_exec(c, ST_SV_TALLY_ADD, "tally add", "ttti", id, org,
                        sector, sign);
    if (!rc)
        rc = store_exec(c, ST_SV_TALLY_N, "tally n", "tti", id, sector, sign);
    return rc;
}

static int map_tally(db_stmt *st, void *ctx)
{
    struct visit *v = ctx;
    struct store_survey_tally t = {0};
    store_col_copy(st, 0, t.sector_id, sizeof(t.sector_id));
    store_col_copy(st, 1, t.item, sizeof(t.item));
    t.adopted = db_column_int64(st, 2);
    t.partly = db_column_int64(st, 3);
    t.not_adopted = db_column_int64(st, 4);
    t.na = db_column_int64(st, 5);
    return ((int (*)(void *, const struct store_survey_tally *))v->fn)(v->ctx,
                                                                       &t);
}

int store_survey_tally(struct store_conn *c, const char *id,
                       int (*fn)(void *ctx, const struct store_survey_tally *t),
                       void *ctx)
{
    struct visit v = {(void *)fn, ctx};
    return store_each(c, ST_SV_TALLY, "tally", map_tally, &v, "t", id);
}

static int map_tally_n(db_stmt *st, void *ctx)
{
    struct visit *v = ctx;
    char sector[64];
    store_col_copy(st, 0, sector, sizeof(sector));
    return ((int (*)(void *, const char *, int64_t))v->fn)(
        v->ctx, sector, db_column_int64(st, 1));
}

int store_survey_tally_n(struct store_conn *c, const char *id,
                         int (*fn)(void *ctx, const char *sector, int64_t n),
                         void *ctx)
{
    struct visit v = {(void *)fn, ctx};
    return store_each(c, ST_SV_TALLY_NS, "tally n", map_tally_n, &v, "t", id);
}

static int map_shared(db_stmt *st, void *ctx)
{
    struct visit *v = ctx;
    char sector[64], ceptoar[64];
    store_col_copy(st, 0, sector, sizeof(sector));
    store_col_copy(st, 1, ceptoar, sizeof(ceptoar));
    return ((int (*)(void *, const char *, const char *, int64_t))v->fn)(
        v->ctx, sector, ceptoar, db_column_int64(st, 2));
}

int store_survey_shared_counts(struct store_conn *c, const char *id,
                               int (*fn)(void *ctx, const char *sector,
                                         const char *ceptoar, int64_t n),
                               void *ctx)
{
    struct visit v = {(void *)fn, ctx};
    return store_each(c, ST_SV_SHARED_COUNTS, "survey shared", map_shared, &v,
                      "t", id);
}

/* ---- attachments ---- */

static int map_count(db_stmt *st, void *ctx)
{
    int64_t *x = ctx;
    x[0] = db_column_int64(st, 0);
    x[1] = db_column_int64(st, 1);
    return IS_OK;
}

int store_survey_att_count(struct store_conn *c, const char *id,
                           const char *org, int64_t *n, int64_t *bytes)
{
    int64_t x[2] = {0, 0};
    int rc = store_get_row(c, ST_SV_ATT_COUNT, "attachment count", map_count, x,
                           "tt", id, org);
    *n = x[0];
    *bytes = x[1];
    return rc;
}

struct att_row {
    const struct store_survey_att *a;
    const unsigned char *data;
    size_t len;
};

static int att_insert_as(struct store_conn *c, void *ctx, int64_t v)
{
    const struct att_row *x = ctx;
    const struct store_survey_att *a = x->a;
    db_stmt *st = store_stmt(c, ST_SV_ATT_ADD);
    if (!st)
        return IS_ERR_STORE;
    db_bind_text(st, 1, a->campaign_id);
    db_bind_text(st, 2, a->org_id);
    db_bind_text(st, 3, a->item);
    db_bind_text(st, 4, a->name);
    db_bind_text(st, 5, a->ctype);
    db_bind_int64(st, 6, (int64_t)x->len);
    db_bind_text(st, 7, a->sha256);
    db_bind_blob(st, 8, x->data, x->len);
    db_bind_int64(st, 9, a->created_by);
    db_bind_int64(st, 10, a->created_at);
    db_bind_int64(st, 11, v);
    int rc = store_step_done(c, st, "attachment add");
    db_reset(st);
    db_clear_bindings(st);
    return !rc && store_changes(c) == 0 ? IS_ERR_NOTFOUND : rc;
}

int store_survey_att_add(struct store_conn *c, const struct store_survey_att *a,
                         const unsigned char *data, size_t len, int64_t *out)
{
    /* an id that counts nothing (docs/rules.md "Ids that count nothing"),
     * above the operator's own in the campaign: the hub-wide row counter
     * told an operator how many files others gave between two of its own */
    struct att_row x = {a, data, len};
    int64_t floor = 0;
    int rc = store_get_int64(c, ST_SV_ATT_MAX_ID, "attachment max id", &floor,
                             "tt", a->campaign_id, a->org_id);
    if (!rc)
        rc = store_insert_fresh_id(c, a->created_at, floor, att_insert_as, &x,
                                   out);
    return rc;
}

int store_survey_att_delete(struct store_conn *c, int64_t att)
{
    return store_exec_changed(c, ST_SV_ATT_DELETE, "attachment delete", "I",
                              att);
}

static void read_att(db_stmt *st, struct store_survey_att *a)
{
    memset(a, 0, sizeof(*a));
    a->id = db_column_int64(st, 0);
    store_col_copy(st, 1, a->campaign_id, sizeof(a->campaign_id));
    store_col_copy(st, 2, a->org_id, sizeof(a->org_id));
    store_col_copy(st, 3, a->item, sizeof(a->item));
    store_col_copy(st, 4, a->name, sizeof(a->name));
    store_col_copy(st, 5, a->ctype, sizeof(a->ctype));
    a->size = db_column_int64(st, 6);
    store_col_copy(st, 7, a->sha256, sizeof(a->sha256));
    a->created_by = db_column_int64(st, 8);
    a->created_at = db_column_int64(st, 9);
}

static int map_att_data(db_stmt *st, void *ctx)
{
    struct store_survey_att *a = ctx;
    read_att(st, a);
    const void *b = db_column_blob(st, 10);
    int n = db_column_bytes(st, 10);
    a->data = malloc(n > 0 ? (size_t)n : 1);
    if (!a->data)
        return IS_ERR_NOMEM;
    if (n > 0)
        memcpy(a->data, b, (size_t)n);
    a->size = n;
    return IS_OK;
}

int store_survey_att_get(struct store_conn *c, int64_t att,
                         struct store_survey_att *out)
{
    memset(out, 0, sizeof(*out));
    return store_get_row(c, ST_SV_ATT_GET, "attachment", map_att_data, out, "I",
                         att);
}

static int map_att_meta(db_stmt *st, void *ctx)
{
    read_att(st, ctx);
    return IS_OK;
}

int store_survey_att_meta(struct store_conn *c, int64_t att,
                          struct store_survey_att *out)
{
    memset(out, 0, sizeof(*out));
    return store_get_row(c, ST_SV_ATT_META, "attachment", map_att_meta, out,
                         "I", att);
}

static int map_att_each(db_stmt *st, void *ctx)
{
    struct visit *v = ctx;
    struct store_survey_att a;
    read_att(st, &a);
    return ((int (*)(void *, const struct store_survey_att *))v->fn)(v->ctx,
                                                                     &a);
}

int store_survey_atts(struct store_conn *c, const char *id, const char *org,
                      int (*fn)(void *ctx, const struct store_survey_att *a),
                      void *ctx)
{
    struct visit v = {(void *)fn, ctx};
    return store_each(c, ST_SV_ATTS, "attachments", map_att_each, &v, "tt", id,
                      org);
}

int store_survey_reminded(struct store_conn *c, const char *id, const char *org,
                          const char *by_org, int64_t by, int64_t at)
{
    return store_exec(c, ST_SV_REMINDED, "survey reminded", "tttII", id, org,
                      by_org, by, at);
}

/* ---- CP/BCP readiness ---- */

static int map_bcp(db_stmt *st, void *ctx)
{
    struct visit *v = ctx;
    struct store_bcp_answer a = {0};
    store_col_copy(st, 0, a.check, sizeof(a.check));
    store_col_copy(st, 1, a.answer, sizeof(a.answer));
    const unsigned char *n = db_column_text(st, 2);
    a.note = n ? (const char *)n : "";
    a.updated_by = db_column_int64(st, 3);
    a.updated_at = db_column_int64(st, 4);
    return ((int (*)(void *, const struct store_bcp_answer *))v->fn)(v->ctx,
                                                                     &a);
}

int store_bcp_answers(struct store_conn *c, const char *org,
                      const char *edition,
                      int (*fn)(void *ctx, const struct store_bcp_answer *a),
                      void *ctx)
{
    struct visit v = {(void *)fn, ctx};
    return store_each(c, ST_BCP_ANSWERS, "bcp answers", map_bcp, &v, "tt", org,
                      edition);
}

int store_bcp_put(struct store_conn *c, const char *org, const char *edition,
                  const char *check, const char *answer, const char *note,
                  int64_t by, int64_t at)
{
    return store_exec(c, ST_BCP_PUT, "bcp put", "tttttII", org, edition, check,
                      answer, note ? note : "", by, at);
}

int store_bcp_version(struct store_conn *c, const char *org, int64_t *out)
{
    *out = 0;
    int rc = store_get_int64(c, ST_BCP_VERSION, "bcp version", out, "t", org);
    return rc == IS_ERR_NOTFOUND ? IS_OK : rc;
}

int store_bcp_bump(struct store_conn *c, const char *org)
{
    return store_exec(c, ST_BCP_BUMP, "bcp bump", "t", org);
}
