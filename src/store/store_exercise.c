/*
 * store_exercise.c - cross-sector exercises' rows (see
 * store/store_exercise.h; SQL in store/store_exercise_sql.h).
 */
#include "store/store_internal.h"
#include "store/store_exercise.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/util.h"
#include "store/db_pg.h"

/* ---- exercises ---- */

void store_exercise_release(struct store_exercise *x)
{
    if (!x)
        return;
    free(x->scenario);
    free(x->briefing_ja);
    free(x->briefing_en);
    free(x->debrief);
    free(x->report_ja);
    free(x->report_en);
    x->scenario = x->briefing_ja = x->briefing_en = NULL;
    x->debrief = x->report_ja = x->report_en = NULL;
}

static int map_head(db_stmt *st, struct store_exercise *x)
{
    memset(x, 0, sizeof(*x));
    store_col_copy(st, 0, x->id, sizeof(x->id));
    store_col_copy(st, 1, x->title_ja, sizeof(x->title_ja));
    store_col_copy(st, 2, x->title_en, sizeof(x->title_en));
    store_col_copy(st, 3, x->state, sizeof(x->state));
    store_col_copy(st, 4, x->planned_for, sizeof(x->planned_for));
    x->scale = db_column_int(st, 5);
    x->started_at = db_column_int64(st, 6);
    x->paused_since = db_column_int64(st, 7);
    x->paused_total = db_column_int64(st, 8);
    x->shift_s = db_column_int64(st, 9);
    x->advanced_s = db_column_int64(st, 10);
    x->ended_at = db_column_int64(st, 11);
    x->ended_world = db_column_int64(st, 12);
    store_col_copy(st, 13, x->report_state, sizeof(x->report_state));
    x->created_by = db_column_int64(st, 14);
    x->created_at = db_column_int64(st, 15);
    x->version = db_column_int64(st, 16);
    x->participants = db_column_int(st, 17);
    return IS_OK;
}

static int map_full(db_stmt *st, void *ctx)
{
    struct store_exercise *x = ctx;
    map_head(st, x);
    if (store_col_dup(st, 18, &x->scenario) ||
        store_col_dup(st, 19, &x->briefing_ja) ||
        store_col_dup(st, 20, &x->briefing_en) ||
        store_col_dup(st, 21, &x->debrief) ||
        store_col_dup(st, 22, &x->report_ja) ||
        store_col_dup(st, 23, &x->report_en)) {
        store_exercise_release(x);
        return IS_ERR_NOMEM;
    }
    return IS_OK;
}

static int map_listed(db_stmt *st, void *ctx)
{
    struct store_exercise *x = store_rows_push(ctx);
    return x ? map_head(st, x) : IS_ERR_NOMEM;
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

int store_exercise_insert(struct store_conn *c, struct store_exercise *x)
{
    x->version = 1;
    return store_exec(c, ST_EX_INSERT, "exercise insert", "tttttttiII", x->id,
                      x->title_ja, x->title_en, nz(x->scenario), x->planned_for,
                      nz(x->briefing_ja), nz(x->briefing_en), x->scale,
                      x->created_by, x->created_at);
}

int store_exercise_get(struct store_conn *c, const char *id,
                       struct store_exercise *out)
{
    memset(out, 0, sizeof(*out));
    return store_get_row(c, ST_EX_GET, "exercise", map_full, out, "t", id);
}

int store_exercise_update(struct store_conn *c, struct store_exercise *x)
{
    int rc = store_exec_changed(
        c, ST_EX_UPDATE, "exercise update", "tItiIIIIIIItttttt", x->id,
        x->version, x->state, x->scale, x->started_at, x->paused_since,
        x->paused_total, x->shift_s, x->advanced_s, x->ended_at, x->ended_world,
        nz(x->debrief), x->report_state, nz(x->report_ja), nz(x->report_en),
        nz(x->briefing_ja), nz(x->briefing_en));
    if (rc == IS_ERR_NOTFOUND)
        return IS_ERR_CONFLICT;
    if (!rc)
        x->version++;
    return rc;
}

int store_exercise_list(struct store_conn *c, const char *org,
                        struct store_exercise **out, size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_exercise)};
    int rc =
        store_list(c, ST_EX_LIST, "exercises", map_listed, &r, NULL, "t", org);
    *out = r.items;
    *n = r.n;
    return rc;
}

void store_exercise_list_free(struct store_exercise *xs, size_t n)
{
    store_rows_free(xs, n, sizeof(*xs), NULL);
}

struct id_rows {
    char (*ids)[40];
    size_t max, n;
};

static int map_id(db_stmt *st, void *ctx)
{
    struct id_rows *r = ctx;
    if (r->n < r->max)
        store_col_copy(st, 0, r->ids[r->n++], 40);
    return IS_OK;
}

int store_exercise_running(struct store_conn *c, char (*ids)[40], size_t max,
                           size_t *n)
{
    struct id_rows r = {.ids = ids, .max = max};
    int rc = store_each(c, ST_EX_RUNNING, "running exercises", map_id, &r, "");
    *n = r.n;
    return rc;
}

/* ---- participants ---- */

static int map_part(db_stmt *st, void *ctx)
{
    struct store_ex_participant *p = ctx;
    memset(p, 0, sizeof(*p));
    store_col_copy(st, 0, p->org_id, sizeof(p->org_id));
    store_col_copy(st, 1, p->venue, sizeof(p->venue));
    store_col_copy(st, 2, p->theme_ja, sizeof(p->theme_ja));
    store_col_copy(st, 3, p->theme_en, sizeof(p->theme_en));
    store_col_copy(st, 4, p->checklist, sizeof(p->checklist));
    store_col_copy(st, 5, p->kind, sizeof(p->kind));
    store_col_copy(st, 6, p->name_ja, sizeof(p->name_ja));
    store_col_copy(st, 7, p->name_en, sizeof(p->name_en));
    store_col_copy(st, 8, p->sector_id, sizeof(p->sector_id));
    store_col_copy(st, 9, p->scope_id, sizeof(p->scope_id));
    return IS_OK;
}

static int map_part_listed(db_stmt *st, void *ctx)
{
    void *p = store_rows_push(ctx);
    return p ? map_part(st, p) : IS_ERR_NOMEM;
}

int store_ex_participants(struct store_conn *c, const char *exercise,
                          struct store_ex_participant **out, size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_ex_participant)};
    int rc = store_list(c, ST_EX_PARTS, "exercise participants",
                        map_part_listed, &r, NULL, "t", exercise);
    *out = r.items;
    *n = r.n;
    return rc;
}

int store_ex_participant_get(struct store_conn *c, const char *exercise,
                             const char *org, struct store_ex_participant *out)
{
    return store_get_row(c, ST_EX_PART_GET, "exercise participant", map_part,
                         out, "tt", exercise, org);
}

static int add_rows(struct store_conn *c, enum store_stmt id, const char *what,
                    const char *exercise, const char *x, int *added)
{
    int rc = store_exec(c, id, what, "tt", exercise, x);
    if (!rc && added)
        *added += store_changes(c);
    return rc;
}

int store_ex_participant_add(struct store_conn *c, const char *exercise,
                             const char *org, int *added)
{
    return add_rows(c, ST_EX_PART_ADD, "exercise participant add", exercise,
                    org, added);
}

int store_ex_participant_add_sector(struct store_conn *c, const char *exercise,
                                    const char *sector, int *added)
{
    return add_rows(c, ST_EX_PART_ADD_SECTOR, "exercise participants sector",
                    exercise, sector, added);
}

int store_ex_participant_add_ceptoar(struct store_conn *c, const char *exercise,
                                     const char *ceptoar, int *added)
{
    return add_rows(c, ST_EX_PART_ADD_CEPTOAR, "exercise participants ceptoar",
                    exercise, ceptoar, added);
}

int store_ex_participant_remove(struct store_conn *c, const char *exercise,
                                const char *org)
{
    return store_exec_changed(c, ST_EX_PART_REMOVE,
                              "exercise participant remove", "tt", exercise,
                              org);
}

int store_ex_participant_set(struct store_conn *c, const char *exercise,
                             const struct store_ex_participant *p)
{
    return store_exec_changed(c, ST_EX_PART_SET, "exercise participant set",
                              "tttttt", exercise, p->org_id, p->venue,
                              p->theme_ja, p->theme_en, p->checklist);
}

struct busy_row {
    char *org, *other;
    size_t orglen, otherlen;
};

static int map_busy(db_stmt *st, void *ctx)
{
    struct busy_row *b = ctx;
    store_col_copy(st, 0, b->org, b->orglen);
    store_col_copy(st, 1, b->other, b->otherlen);
    return IS_OK;
}

int store_ex_busy(struct store_conn *c, const char *exercise, char *org,
                  size_t orglen, char *other, size_t otherlen)
{
    struct busy_row b = {org, other, orglen, otherlen};
    return store_get_row(c, ST_EX_BUSY, "exercise busy", map_busy, &b, "t",
                         exercise);
}

/* ---- questionnaire and notes ---- */

int store_ex_answer_put(struct store_conn *c, const char *exercise,
                        const char *org, const char *answers, int64_t by,
                        int64_t at)
{
    return store_exec(c, ST_EX_ANSWER_PUT, "exercise answer", "tttII", exercise,
                      org, answers, by, at);
}

static int map_text(db_stmt *st, void *ctx)
{
    struct store_ex_text *t = store_rows_push(ctx);
    if (!t)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, t->org_or_group, sizeof(t->org_or_group));
    t->by = db_column_int64(st, 2);
    t->at = db_column_int64(st, 3);
    return store_col_dup(st, 1, &t->text);
}

static void drop_text(void *item)
{
    free(((struct store_ex_text *)item)->text);
}

static int texts(struct store_conn *c, enum store_stmt id, const char *what,
                 const char *exercise, struct store_ex_text **out, size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_ex_text)};
    int rc = store_list(c, id, what, map_text, &r, drop_text, "t", exercise);
    *out = r.items;
    *n = r.n;
    return rc;
}

int store_ex_answers(struct store_conn *c, const char *exercise,
                     struct store_ex_text **out, size_t *n)
{
    return texts(c, ST_EX_ANSWERS, "exercise answers", exercise, out, n);
}

static int map_text_one(db_stmt *st, void *ctx)
{
    struct store_ex_text *t = ctx;
    store_col_copy(st, 0, t->org_or_group, sizeof(t->org_or_group));
    t->by = db_column_int64(st, 2);
    t->at = db_column_int64(st, 3);
    return store_col_dup(st, 1, &t->text);
}

int store_ex_answer_get(struct store_conn *c, const char *exercise,
                        const char *org, struct store_ex_text *out)
{
    memset(out, 0, sizeof(*out));
    return store_get_row(c, ST_EX_ANSWER_GET, "exercise answer", map_text_one,
                         out, "tt", exercise, org);
}

int store_ex_note_add(struct store_conn *c, const char *exercise,
                      const char *group, const char *text, int64_t by,
                      int64_t at)
{
    return store_exec(c, ST_EX_NOTE_ADD, "exercise note", "tttII", exercise,
                      group, text, by, at);
}

int store_ex_notes(struct store_conn *c, const char *exercise,
                   struct store_ex_text **out, size_t *n)
{
    return texts(c, ST_EX_NOTES, "exercise notes", exercise, out, n);
}

void store_ex_texts_free(struct store_ex_text *t, size_t n)
{
    store_rows_free(t, n, sizeof(*t), drop_text);
}

/* ---- an exercise's own database ---- */

/* The registry's tables copied whole (same schema: the same migrations). */
static const char *const seed_sql[] = {
    "INSERT INTO main.sectors SELECT * FROM real.sectors",
    "INSERT INTO main.scopes SELECT * FROM real.scopes",
    "INSERT INTO main.orgs SELECT * FROM real.orgs",
    "INSERT INTO main.memberships SELECT * FROM real.memberships",
    "INSERT INTO main.subgroups SELECT * FROM real.subgroups",
    "INSERT INTO main.subgroup_members SELECT * FROM real.subgroup_members",
    "INSERT INTO main.catalogue SELECT * FROM real.catalogue",
    "INSERT INTO main.hop_policies SELECT * FROM real.hop_policies",
    "INSERT INTO main.deadlines SELECT * FROM real.deadlines",
    /* the migrations' default handling rules make way for the hub's */
    "DELETE FROM main.handling_rules",
    "INSERT INTO main.handling_rules SELECT * FROM real.handling_rules",
    "INSERT INTO main.agreements SELECT * FROM real.agreements",
    /* the interdependency model: cascade suggestions work in an exercise */
    "INSERT INTO main.dep_models SELECT * FROM real.dep_models",
    /* the board's version (its cache): this is an exercise's database */
    "INSERT OR IGNORE INTO main.ex_board_version(id, version) VALUES (1, 1)",
    /* nobody signs in here: no password hash travels */
    "INSERT INTO main.users(id, org_id, username, display_name, pw_hash, "
    "roles, lang, disabled, demo, created_at) SELECT id, org_id, username, "
    "display_name, '', roles, lang, disabled, demo, created_at FROM "
    "real.users",
};

static int run(struct store_conn *c, const char *sql, const char *what)
{
    char *err = NULL;
    if (sqlite3_exec(c->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        sqlite3_free(err);
        return store_fail(c, what);
    }
    return IS_OK;
}

/* The schema of an exercise's world on PostgreSQL: "ex_" and the id in
 * lower case, any character but a letter or a digit as '_' (ids are "X"
 * and hex digits: the name needs no quoting). */
static void world_schema(const char *exercise, char *out, size_t outlen)
{
    size_t o = 0;
    const char *pre = "ex_";
    for (const char *p = pre; *p && o + 1 < outlen; p++)
        out[o++] = *p;
    for (const char *p = exercise; *p && o + 1 < outlen; p++) {
        char ch = *p;
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        out[o++] =
            (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ? ch : '_';
    }
    out[o] = '\0';
}

int store_ex_world_path(const char *hub, const char *exercise, char *out,
                        size_t outlen)
{
    if (!pg_is_uri(hub)) {
        if (strlen(hub) + strlen(exercise) + 16 > outlen)
            return IS_ERR_TOO_LARGE;
        util_xsnprintf(out, outlen, "%s.exercise-%s.db", hub, exercise);
        return IS_OK;
    }
    /* the hub's URI with the world's schema first on the search path: in
     * libpq's "options" (command-line options of the server's session);
     * an "options" the hub's URI has already keeps what it says, and a
     * search_path in it is overridden by the later -c */
    char schema[64];
    world_schema(exercise, schema, sizeof(schema));
    char opt[96];
    util_xsnprintf(opt, sizeof(opt), "-c%%20search_path%%3D%s", schema);
    const char *q = strchr(hub, '?');
    const char *at = NULL;
    for (const char *p = q; p && *p; p = strchr(p + 1, '&'))
        if (strncmp(p + 1, "options=", 8) == 0) {
            at = p + 9;
            break;
        }
    struct buf b = BUF_INIT;
    if (at) {
        size_t vlen = strcspn(at, "&");
        buf_add(&b, hub, (size_t)(at - hub) + vlen);
        buf_adds(&b, vlen ? "%20" : "");
        buf_adds(&b, opt);
        buf_adds(&b, at + vlen);
    } else {
        buf_adds(&b, hub);
        buf_adds(&b, q ? "&options=" : "?options=");
        buf_adds(&b, opt);
    }
    int rc = buf_error(&b)                   ? IS_ERR_NOMEM
             : strlen(buf_str(&b)) >= outlen ? IS_ERR_TOO_LARGE
                                             : IS_OK;
    if (!rc)
        util_xcopy(out, outlen, buf_str(&b));
    buf_release(&b);
    return rc;
}

int store_ex_world_reset(const char *hub, const char *exercise, char *err,
                         size_t errlen)
{
    char path[4300];
    int rc = store_ex_world_path(hub, exercise, path, sizeof(path));
    if (rc) {
        snprintf(err, errlen, "the exercise's database name is too long");
        return rc;
    }
    if (!pg_is_uri(hub)) {
        static const char *const tails[] = {"", "-wal", "-shm"};
        for (size_t i = 0; i < IS_ARRAY_LEN(tails); i++) {
            char p[4400];
            util_xsnprintf(p, sizeof(p), "%s%s", path, tails[i]);
            unlink(p);
        }
        return IS_OK;
    }
    /* a world left by an earlier start that did not commit goes first */
    char schema[64], sql[256];
    world_schema(exercise, schema, sizeof(schema));
    util_xsnprintf(sql, sizeof(sql),
                   "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema,
                   schema);
    struct pg_conn *pc = NULL;
    rc = pgc_open(hub, &pc, err, errlen);
    if (!rc && pgc_exec(pc, sql)) {
        snprintf(err, errlen, "the exercise's schema: %s", pgc_errmsg(pc));
        rc = IS_ERR_STORE;
    }
    if (pc)
        pgc_close(pc);
    return rc;
}

/* PostgreSQL: the world is a schema of the hub's database; c's session
 * has it first on its search path, the hub's tables are named with
 * theirs (read from hub, a connection of the hub's store). The tables
 * copied whole, as seed_sql's: */
static const char *const seed_pg_tables[] = {
    "sectors",   "scopes",           "orgs",       "memberships",
    "subgroups", "subgroup_members", "catalogue",  "hop_policies",
    "deadlines", "handling_rules",   "agreements", "dep_models",
};

static int seed_pg_exec(struct store_conn *c, struct buf *b, int n,
                        const char *const *vals)
{
    int rc = buf_error(b) ? IS_ERR_NOMEM
             : pgc_exec_params(c->pg, buf_str(b), n, vals, NULL, NULL)
                 ? store_fail(c, "exercise seed")
                 : IS_OK;
    buf_reset(b);
    return rc;
}

static int seed_pg_run(struct store_conn *c, struct store_conn *hub,
                       const char *exercise)
{
    char schema[256];
    if (pgc_query_text(hub->pg, "SELECT quote_ident(current_schema())", schema,
                       sizeof(schema)) ||
        !schema[0])
        return store_fail(hub, "exercise seed: the hub's schema");
    struct buf b = BUF_INIT;
    int rc = store_begin(c);
    /* the migrations' default handling rules make way for the hub's */
    if (!rc && pgc_exec(c->pg, "DELETE FROM handling_rules"))
        rc = store_fail(c, "exercise seed");
    for (size_t i = 0; !rc && i < IS_ARRAY_LEN(seed_pg_tables); i++) {
        buf_addf(&b,
                 "INSERT INTO %s OVERRIDING SYSTEM VALUE SELECT * FROM %s.%s",
                 seed_pg_tables[i], schema, seed_pg_tables[i]);
        rc = seed_pg_exec(c, &b, 0, NULL);
    }
    if (!rc && pgc_exec(c->pg, "INSERT INTO ex_board_version(id, version) "
                               "VALUES (1, 1) ON CONFLICT DO NOTHING"))
        rc = store_fail(c, "exercise seed");
    if (!rc) {
        /* nobody signs in here: no password hash travels */
        buf_addf(&b,
                 "INSERT INTO users(id, org_id, username, display_name, "
                 "pw_hash, roles, lang, disabled, demo, created_at) SELECT "
                 "id, org_id, username, display_name, '', roles, lang, "
                 "disabled, demo, created_at FROM %s.users",
                 schema);
        rc = seed_pg_exec(c, &b, 0, NULL);
    }
    if (!rc) {
        const char *v[1] = {exercise};
        buf_addf(&b,
                 "INSERT INTO contacts OVERRIDING SYSTEM VALUE SELECT k.* FROM "
                 "%s.contacts k JOIN "
                 "%s.exercise_participants p ON p.org_id = k.org_id WHERE "
                 "p.exercise_id = $1",
                 schema, schema);
        rc = seed_pg_exec(c, &b, 1, v);
    }
    if (!rc && store_pg_identities_past(c->pg))
        rc = store_fail(c, "exercise seed identities");
    buf_release(&b);
    if (rc) {
        store_rollback(c);
        return rc;
    }
    return store_commit(c);
}

bool store_ex_advisory_is_inject(struct store_conn *c, const char *adv)
{
    int64_t n = 0;
    return store_get_int64(c, ST_EX_ADV_IS_INJECT, "exercise inject", &n, "t",
                           adv) == IS_OK &&
           n > 0;
}

int store_ex_user_join(struct store_conn *c, struct store_conn *hub, int64_t id,
                       int64_t now)
{
    int64_t n = 0;
    int rc = store_get_int64(c, ST_EX_USER_HAS, "exercise user", &n, "I", id);
    if (rc || n)
        return rc;
    struct store_user u;
    if ((rc = store_user_by_id(hub, id, &u)))
        return rc;
    rc = store_begin(c);
    if (!rc)
        rc = store_exec(c, ST_EX_USER_JOIN, "exercise user join",
                        "Itttitii"
                        "I",
                        id, u.org_id, u.username, u.display_name, (int)u.roles,
                        u.lang[0] ? u.lang : "ja", (int)u.disabled, (int)u.demo,
                        now);
    if (!rc)
        rc = store_commit(c);
    if (rc)
        store_rollback(c);
    return rc;
}

int store_ex_seed(struct store_conn *c, struct store_conn *hub,
                  const char *main_path, const char *exercise)
{
    if (c->pg)
        return seed_pg_run(c, hub, exercise);
    /* SQLite's own: the hub's database attached to the exercise's */
    sqlite3_stmt *raw = NULL;
    if (sqlite3_prepare_v2(c->db, "ATTACH DATABASE ?1 AS real", -1, &raw,
                           NULL) != SQLITE_OK)
        return store_fail(c, "exercise seed attach");
    db_stmt st = {.lite = raw};
    db_bind_text(&st, 1, main_path);
    int src = db_step(&st);
    sqlite3_finalize(raw);
    if (src != DB_DONE)
        return store_fail(c, "exercise seed attach");
    /* a deferred transaction: BEGIN IMMEDIATE would take the write lock
     * of the attached hub's database too, which its writer holds (the
     * exercise starts inside the hub's write) */
    int rc = run(c, "BEGIN", "exercise seed begin");
    for (size_t i = 0; !rc && i < IS_ARRAY_LEN(seed_sql); i++)
        rc = run(c, seed_sql[i], "exercise seed");
    if (!rc) {
        raw = NULL;
        if (sqlite3_prepare_v2(
                c->db,
                "INSERT INTO main.contacts SELECT k.* FROM real.contacts k "
                "JOIN real.exercise_participants p ON p.org_id = k.org_id "
                "WHERE p.exercise_id = ?1",
                -1, &raw, NULL) != SQLITE_OK)
            rc = store_fail(c, "exercise seed contacts");
        else {
            st.lite = raw;
            db_bind_text(&st, 1, exercise);
            rc = store_step_done(c, &st, "exercise seed contacts");
            sqlite3_finalize(raw);
        }
    }
    if (rc)
        run(c, "ROLLBACK", "exercise seed rollback");
    else
        rc = run(c, "COMMIT", "exercise seed commit");
    int drc = run(c, "DETACH DATABASE real", "exercise seed detach");
    return rc ? rc : drc;
}

static int map_inject(db_stmt *st, void *ctx)
{
    struct store_ex_inject *x = store_rows_push(ctx);
    if (!x)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, x->inject_id, sizeof(x->inject_id));
    store_col_copy(st, 1, x->advisory_id, sizeof(x->advisory_id));
    x->fired_at = db_column_int64(st, 2);
    x->by_hand = db_column_int(st, 3) != 0;
    if (db_column_bytes(st, 4) == 0)
        return IS_OK;
    return store_col_dup(st, 4, &x->adhoc);
}

static void drop_inject(void *item)
{
    free(((struct store_ex_inject *)item)->adhoc);
}

int store_ex_injects(struct store_conn *c, struct store_ex_inject **out,
                     size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_ex_inject)};
    int rc = store_list(c, ST_EX_INJECTS, "exercise injects", map_inject, &r,
                        drop_inject, "");
    *out = r.items;
    *n = r.n;
    return rc;
}

void store_ex_injects_free(struct store_ex_inject *x, size_t n)
{
    store_rows_free(x, n, sizeof(*x), drop_inject);
}

int store_ex_inject_fired(struct store_conn *c, const char *inject,
                          const char *advisory, int64_t at, bool by_hand,
                          const char *adhoc)
{
    return store_exec(c, ST_EX_INJECT_FIRED, "exercise inject fired", "ttIit",
                      inject, advisory, at, by_hand ? 1 : 0, nz(adhoc));
}

int store_ex_fired_add(struct store_conn *c, const char *inject,
                       const char *org, const char *advisory)
{
    return store_exec(c, ST_EX_FIRED_ADD, "exercise fired", "ttt", inject, org,
                      advisory);
}

int store_ex_board_version(struct store_conn *c, int64_t *v)
{
    return store_get_int64(c, ST_EX_BOARD_VERSION, "exercise board version", v,
                           "");
}

static int map_event(db_stmt *st, void *ctx)
{
    struct store_ex_event_row *e = store_rows_push(ctx);
    if (!e)
        return IS_ERR_NOMEM;
    e->type = db_column_int(st, 0);
    store_col_copy(st, 1, e->org_id, sizeof(e->org_id));
    store_col_copy(st, 2, e->ref, sizeof(e->ref));
    e->at = db_column_int64(st, 3);
    return IS_OK;
}

int store_ex_events(struct store_conn *c, struct store_ex_event_row **out,
                    size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_ex_event_row)};
    int rc =
        store_list(c, ST_EX_EVENTS, "exercise events", map_event, &r, NULL, "");
    *out = r.items;
    *n = r.n;
    return rc;
}

int store_ex_bcp_count(struct store_conn *c, const char *org, int64_t *n)
{
    return store_get_int64(c, ST_EX_BCP_COUNT, "exercise bcp count", n, "t",
                           org);
}

int store_ex_bcp_last(struct store_conn *c, const char *org, int64_t *at)
{
    return store_get_int64(c, ST_EX_BCP_LAST, "exercise bcp last", at, "t",
                           org);
}

int store_ex_bcp_add(struct store_conn *c, const char *org, int64_t user,
                     const char *note, int64_t at)
{
    return store_exec(c, ST_EX_BCP_ADD, "exercise bcp", "tIIt", org, at, user,
                      note);
}
