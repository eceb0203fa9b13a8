/*
 * store_accounts.c - users, sessions, API tokens.
 */
#include "store/store_internal.h"

#include "common/util.h"

int store_user_insert(struct store_conn *c, const struct store_user *u,
                      int64_t now, int64_t *id)
{
    int rc = store_exec(c, ST_USER_INSERT, "user insert", "ttttitiiI",
                        u->org_id, u->username, u->display_name, u->pw_hash,
                        (int)u->roles, u->lang[0] ? u->lang : "ja",
                        (int)u->disabled, (int)u->demo, now);
    if (!rc && id)
        *id = store_last_id(c);
    return rc;
}

/* Row mapper of ST_USER_BY_*: id, org, username, display_name, pw_hash,
 * roles, lang, disabled, demo. */
static int map_user(db_stmt *st, void *ctx)
{
    struct store_user *out = ctx;
    memset(out, 0, sizeof(*out));
    out->id = db_column_int64(st, 0);
    store_col_copy(st, 1, out->org_id, sizeof(out->org_id));
    store_col_copy(st, 2, out->username, sizeof(out->username));
    store_col_copy(st, 3, out->display_name, sizeof(out->display_name));
    store_col_copy(st, 4, out->pw_hash, sizeof(out->pw_hash));
    out->roles = (unsigned)db_column_int(st, 5);
    store_col_copy(st, 6, out->lang, sizeof(out->lang));
    out->disabled = db_column_int(st, 7) != 0;
    out->demo = db_column_int(st, 8) != 0;
    return IS_OK;
}

int store_user_by_name(struct store_conn *c, const char *username,
                       struct store_user *out)
{
    return store_get_row(c, ST_USER_BY_NAME, "user get", map_user, out, "t",
                         username);
}

int store_user_by_id(struct store_conn *c, int64_t id, struct store_user *out)
{
    return store_get_row(c, ST_USER_BY_ID, "user get", map_user, out, "I", id);
}

int store_user_set_disabled(struct store_conn *c, int64_t id, bool disabled)
{
    return store_exec_changed(c, ST_USER_SET_DISABLED, "user update", "Ii", id,
                              (int)disabled);
}

int store_user_set_password(struct store_conn *c, int64_t id,
                            const char *pw_hash)
{
    return store_exec_changed(c, ST_USER_SET_PASSWORD, "user update", "It", id,
                              pw_hash);
}

int store_user_set_lang(struct store_conn *c, int64_t id, const char *lang)
{
    return store_exec_changed(c, ST_USER_SET_LANG, "user update", "It", id,
                              lang);
}

/* Row mapper of ST_USERS_ORG: id, org, username, display_name, roles,
 * lang, disabled, demo (no password hash). */
static int map_user_listed(db_stmt *st, void *ctx)
{
    struct store_user *u = store_rows_push(ctx);
    if (!u)
        return IS_ERR_NOMEM;
    u->id = db_column_int64(st, 0);
    store_col_copy(st, 1, u->org_id, sizeof(u->org_id));
    store_col_copy(st, 2, u->username, sizeof(u->username));
    store_col_copy(st, 3, u->display_name, sizeof(u->display_name));
    u->roles = (unsigned)db_column_int(st, 4);
    store_col_copy(st, 5, u->lang, sizeof(u->lang));
    u->disabled = db_column_int(st, 6) != 0;
    u->demo = db_column_int(st, 7) != 0;
    return IS_OK;
}

int store_users_list(struct store_conn *c, const char *org_id, bool with_demo,
                     struct store_user **out, size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_user)};
    int rc = store_list(c, ST_USERS_ORG, "users list", map_user_listed, &r,
                        NULL, "ti", org_id, (int)with_demo);
    *out = r.items;
    *n = r.n;
    return rc;
}

int store_session_insert(struct store_conn *c, const unsigned char hash[32],
                         int64_t user_id, const char *csrf, int64_t now,
                         int64_t expires)
{
    /* expired sessions are purged opportunistically at each log-in */
    int rc = store_exec(c, ST_SESSIONS_PURGE, "sessions purge", "I", now);
    if (rc)
        return rc;
    return store_exec(c, ST_SESSION_INSERT, "session insert", "bItII", hash,
                      user_id, csrf, now, expires);
}

struct session_out {
    int64_t *user_id;
    char *csrf;
    size_t csrflen;
};

static int map_session(db_stmt *st, void *ctx)
{
    struct session_out *o = ctx;
    *o->user_id = db_column_int64(st, 0);
    store_col_copy(st, 1, o->csrf, o->csrflen);
    return IS_OK;
}

int store_session_get(struct store_conn *c, const unsigned char hash[32],
                      int64_t now, int64_t *user_id, char *csrf, size_t csrflen)
{
    struct session_out o = {user_id, csrf, csrflen};
    return store_get_row(c, ST_SESSION_GET, "session", map_session, &o, "bI",
                         hash, now);
}

int store_session_delete(struct store_conn *c, const unsigned char hash[32])
{
    return store_exec_changed(c, ST_SESSION_DELETE, "session delete", "b",
                              hash);
}

int store_sessions_delete_user(struct store_conn *c, int64_t user_id)
{
    return store_exec(c, ST_SESSIONS_DELETE_USER, "sessions delete", "I",
                      user_id);
}

int store_token_insert(struct store_conn *c, const char *id, int64_t user_id,
                       const char *name, const unsigned char hash[32],
                       int64_t now, int64_t expires, const char *parent)
{
    return store_exec(c, ST_TOKEN_INSERT, "token insert", "tItbINt", id,
                      user_id, name, hash, now, expires, parent);
}

int store_token_expiry(struct store_conn *c, const char *id, int64_t now,
                       int64_t *expires)
{
    return store_get_int64(c, ST_TOKEN_EXPIRY, "token expiry", expires, "tI",
                           id, now);
}

struct token_out {
    int64_t *user_id;
    unsigned char *hash;
};

/* A hash that is not 32 bytes matches no token. */
static int map_token(db_stmt *st, void *ctx)
{
    struct token_out *o = ctx;
    if (db_column_bytes(st, 1) != 32)
        return IS_ERR_NOTFOUND;
    *o->user_id = db_column_int64(st, 0);
    memcpy(o->hash, db_column_blob(st, 1), 32);
    return IS_OK;
}

int store_token_get(struct store_conn *c, const char *id, int64_t now,
                    int64_t *user_id, unsigned char hash[32])
{
    struct token_out o = {user_id, hash};
    return store_get_row(c, ST_TOKEN_GET, "token", map_token, &o, "tI", id,
                         now);
}

struct owner_out {
    int64_t *user_id;
    bool *revoked;
};

static int map_owner(db_stmt *st, void *ctx)
{
    struct owner_out *o = ctx;
    *o->user_id = db_column_int64(st, 0);
    *o->revoked = db_column_int(st, 1) != 0;
    return IS_OK;
}

int store_token_owner(struct store_conn *c, const char *id, int64_t *user_id,
                      bool *revoked)
{
    struct owner_out o = {user_id, revoked};
    return store_get_row(c, ST_TOKEN_OWNER, "token", map_owner, &o, "t", id);
}

int store_token_revoke(struct store_conn *c, const char *id, int64_t now)
{
    return store_exec_changed(c, ST_TOKEN_REVOKE, "token revoke", "tI", id,
                              now);
}

/* Row mapper of ST_TOKENS_USER: id, name, created_at, expires_at,
 * revoked_at (NULL times read as 0). */
static int map_token_listed(db_stmt *st, void *ctx)
{
    struct store_token *t = store_rows_push(ctx);
    if (!t)
        return IS_ERR_NOMEM;
    store_col_copy(st, 0, t->id, sizeof(t->id));
    const unsigned char *name = db_column_text(st, 1);
    if (name && !(t->name = strdup((const char *)name)))
        return IS_ERR_NOMEM;
    t->created_at = db_column_int64(st, 2);
    t->expires_at = db_column_int64(st, 3);
    t->revoked_at = db_column_int64(st, 4);
    return IS_OK;
}

static void drop_token(void *p)
{
    free(((struct store_token *)p)->name);
}

int store_tokens_list(struct store_conn *c, int64_t user_id,
                      struct store_token **out, size_t *n)
{
    struct store_rows r = {.size = sizeof(struct store_token)};
    int rc = store_list(c, ST_TOKENS_USER, "tokens list", map_token_listed, &r,
                        drop_token, "I", user_id);
    *out = r.items;
    *n = r.n;
    return rc;
}

void store_tokens_free(struct store_token *t, size_t n)
{
    store_rows_free(t, n, sizeof(*t), drop_token);
}

struct limit_row {
    int64_t window_start;
    int failures;
};

static int map_limit(db_stmt *st, void *ctx)
{
    struct limit_row *r = ctx;
    r->window_start = db_column_int64(st, 0);
    r->failures = db_column_int(st, 1);
    return IS_OK;
}

int store_limit(struct store_conn *c, enum store_limit_op op, const char *kind,
                const char *key, int64_t now, int64_t window, int max, bool *ok)
{
    *ok = true;
    if (op == STORE_LIMIT_CLEAR)
        return store_exec(c, ST_LIMIT_DEL, "limit clear", "tt", kind, key);
    int rc = IS_OK;
    if (op == STORE_LIMIT_TAKE)
        rc = store_exec(c, ST_LIMIT_PURGE, "limit purge", "I", now - window);
    struct limit_row r = {0, 0};
    if (!rc)
        rc = store_get_row(c, ST_LIMIT_GET, "limit get", map_limit, &r, "tt",
                           kind, key);
    bool live = rc == IS_OK && now < r.window_start + window;
    if (rc == IS_ERR_NOTFOUND)
        rc = IS_OK;
    if (rc)
        return rc;
    if (op == STORE_LIMIT_GIVE_BACK) {
        if (!live || r.failures <= 0)
            return IS_OK;
        return store_exec(c, ST_LIMIT_PUT, "limit give back", "ttIi", kind, key,
                          r.window_start, r.failures - 1);
    }
    if (live && r.failures >= max) {
        *ok = false;
        return IS_OK;
    }
    return store_exec(c, ST_LIMIT_PUT, "limit take", "ttIi", kind, key,
                      live ? r.window_start : now, live ? r.failures + 1 : 1);
}

struct duty_row {
    char node[64];
    int64_t until;
};

static int map_duty(db_stmt *st, void *ctx)
{
    struct duty_row *r = ctx;
    store_col_copy(st, 0, r->node, sizeof(r->node));
    r->until = db_column_int64(st, 1);
    return IS_OK;
}

int store_duty_hold(struct store_conn *c, const char *duty, int64_t now,
                    int lease, bool *held, int64_t *until)
{
    struct duty_row r = {"", 0};
    *held = false;
    *until = 0;
    int rc = store_exec(c, ST_DUTY_HOLD, "duty hold", "ttIi", duty,
                        store_node(c), now, lease);
    if (!rc)
        rc = store_get_row(c, ST_DUTY_GET, "duty get", map_duty, &r, "t", duty);
    if (rc)
        return rc;
    *held = strcmp(r.node, store_node(c)) == 0;
    *until = r.until;
    return IS_OK;
}
