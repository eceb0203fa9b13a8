/*
 * store_accounts.c - users, sessions, API tokens.
 */
#include "store/store_internal.h"

#include "core/roles.h"
#include "common/util.h"

int store_user_insert(struct store_conn *c, const struct store_user *u,
                      int64_t now, int64_t *id)
{
    sqlite3_stmt *st = store_stmt(c, ST_USER_INSERT);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, u->org_id);
    store_bind_text(st, 2, u->username);
    store_bind_text(st, 3, u->display_name);
    store_bind_text(st, 4, u->pw_hash);
    sqlite3_bind_int(st, 5, (int)u->roles);
    store_bind_text(st, 6, u->lang[0] ? u->lang : "ja");
    sqlite3_bind_int(st, 7, u->disabled);
    sqlite3_bind_int(st, 8, u->demo);
    sqlite3_bind_int64(st, 9, now);
    int rc = store_step_done(c, st, "user insert");
    if (!rc && id)
        *id = sqlite3_last_insert_rowid(c->db);
    return rc;
}

static int user_fetch(struct store_conn *c, sqlite3_stmt *st,
                      struct store_user *out)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? IS_ERR_NOTFOUND
                                 : store_fail(c, "user get");
    }
    memset(out, 0, sizeof(*out));
    out->id = sqlite3_column_int64(st, 0);
    store_col_copy(st, 1, out->org_id, sizeof(out->org_id));
    store_col_copy(st, 2, out->username, sizeof(out->username));
    store_col_copy(st, 3, out->display_name, sizeof(out->display_name));
    store_col_copy(st, 4, out->pw_hash, sizeof(out->pw_hash));
    out->roles = (unsigned)sqlite3_column_int(st, 5);
    store_col_copy(st, 6, out->lang, sizeof(out->lang));
    out->disabled = sqlite3_column_int(st, 7) != 0;
    out->demo = sqlite3_column_int(st, 8) != 0;
    sqlite3_reset(st);
    return IS_OK;
}

int store_user_by_name(struct store_conn *c, const char *username,
                       struct store_user *out)
{
    sqlite3_stmt *st = store_stmt(c, ST_USER_BY_NAME);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, username);
    return user_fetch(c, st, out);
}

int store_user_by_id(struct store_conn *c, int64_t id,
                     struct store_user *out)
{
    sqlite3_stmt *st = store_stmt(c, ST_USER_BY_ID);
    if (!st)
        return IS_ERR_STORE;
    sqlite3_bind_int64(st, 1, id);
    return user_fetch(c, st, out);
}

static int update_user(struct store_conn *c, enum store_stmt which,
                       int64_t id, const char *text, int ival)
{
    sqlite3_stmt *st = store_stmt(c, which);
    if (!st)
        return IS_ERR_STORE;
    sqlite3_bind_int64(st, 1, id);
    if (text)
        store_bind_text(st, 2, text);
    else
        sqlite3_bind_int(st, 2, ival);
    int rc = store_step_done(c, st, "user update");
    if (!rc && sqlite3_changes(c->db) == 0)
        return IS_ERR_NOTFOUND;
    return rc;
}

int store_user_set_disabled(struct store_conn *c, int64_t id, bool disabled)
{
    return update_user(c, ST_USER_SET_DISABLED, id, NULL, disabled);
}

int store_user_set_password(struct store_conn *c, int64_t id,
                            const char *pw_hash)
{
    return update_user(c, ST_USER_SET_PASSWORD, id, pw_hash, 0);
}

int store_user_set_lang(struct store_conn *c, int64_t id, const char *lang)
{
    return update_user(c, ST_USER_SET_LANG, id, lang, 0);
}

int store_users_json(struct store_conn *c, const char *org_id,
                     bool with_demo, json_t **out)
{
    sqlite3_stmt *st = store_stmt(c, ST_USERS_ORG);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, org_id);
    sqlite3_bind_int(st, 2, with_demo);
    json_t *arr = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char roles[128];
        roles_format((unsigned)sqlite3_column_int(st, 4), roles,
                     sizeof(roles));
        json_array_append_new(
            arr, json_pack("{s:I,s:o,s:o,s:o,s:s,s:o,s:b,s:b}", "id",
                           (json_int_t)sqlite3_column_int64(st, 0), "org",
                           store_col_json_str(st, 1), "username",
                           store_col_json_str(st, 2), "display_name",
                           store_col_json_str(st, 3), "roles", roles, "lang",
                           store_col_json_str(st, 5), "disabled",
                           sqlite3_column_int(st, 6), "demo",
                           sqlite3_column_int(st, 7)));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return store_fail(c, "users list");
    }
    *out = arr;
    return IS_OK;
}

int store_session_insert(struct store_conn *c, const unsigned char hash[32],
                         int64_t user_id, const char *csrf, int64_t now,
                         int64_t expires)
{
    /* expired sessions are purged opportunistically at each log-in */
    sqlite3_stmt *st = store_stmt(c, ST_SESSIONS_PURGE);
    if (!st)
        return IS_ERR_STORE;
    sqlite3_bind_int64(st, 1, now);
    int rc = store_step_done(c, st, "sessions purge");
    if (rc)
        return rc;
    st = store_stmt(c, ST_SESSION_INSERT);
    if (!st)
        return IS_ERR_STORE;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, user_id);
    store_bind_text(st, 3, csrf);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, expires);
    return store_step_done(c, st, "session insert");
}

int store_session_get(struct store_conn *c, const unsigned char hash[32],
                      int64_t now, int64_t *user_id, char *csrf,
                      size_t csrflen)
{
    sqlite3_stmt *st = store_stmt(c, ST_SESSION_GET);
    if (!st)
        return IS_ERR_STORE;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *user_id = sqlite3_column_int64(st, 0);
        store_col_copy(st, 1, csrf, csrflen);
        sqlite3_reset(st);
        return IS_OK;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? IS_ERR_NOTFOUND : store_fail(c, "session");
}

int store_session_delete(struct store_conn *c, const unsigned char hash[32])
{
    sqlite3_stmt *st = store_stmt(c, ST_SESSION_DELETE);
    if (!st)
        return IS_ERR_STORE;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    return store_step_done(c, st, "session delete");
}

int store_sessions_delete_user(struct store_conn *c, int64_t user_id)
{
    sqlite3_stmt *st = store_stmt(c, ST_SESSIONS_DELETE_USER);
    if (!st)
        return IS_ERR_STORE;
    sqlite3_bind_int64(st, 1, user_id);
    return store_step_done(c, st, "sessions delete");
}

int store_token_insert(struct store_conn *c, const char *id, int64_t user_id,
                       const char *name, const unsigned char hash[32],
                       int64_t now, int64_t expires)
{
    sqlite3_stmt *st = store_stmt(c, ST_TOKEN_INSERT);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, id);
    sqlite3_bind_int64(st, 2, user_id);
    store_bind_text(st, 3, name);
    sqlite3_bind_blob(st, 4, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now);
    if (expires)
        sqlite3_bind_int64(st, 6, expires);
    else
        sqlite3_bind_null(st, 6);
    return store_step_done(c, st, "token insert");
}

int store_token_get(struct store_conn *c, const char *id, int64_t now,
                    int64_t *user_id, unsigned char hash[32])
{
    sqlite3_stmt *st = store_stmt(c, ST_TOKEN_GET);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == 32) {
        *user_id = sqlite3_column_int64(st, 0);
        memcpy(hash, sqlite3_column_blob(st, 1), 32);
        sqlite3_reset(st);
        return IS_OK;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? IS_ERR_NOTFOUND
                                                 : store_fail(c, "token");
}

int store_token_owner(struct store_conn *c, const char *id, int64_t *user_id,
                      bool *revoked)
{
    sqlite3_stmt *st = store_stmt(c, ST_TOKEN_OWNER);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *user_id = sqlite3_column_int64(st, 0);
        *revoked = sqlite3_column_int(st, 1) != 0;
        sqlite3_reset(st);
        return IS_OK;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? IS_ERR_NOTFOUND : store_fail(c, "token");
}

int store_token_revoke(struct store_conn *c, const char *id, int64_t now)
{
    sqlite3_stmt *st = store_stmt(c, ST_TOKEN_REVOKE);
    if (!st)
        return IS_ERR_STORE;
    store_bind_text(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    int rc = store_step_done(c, st, "token revoke");
    if (!rc && sqlite3_changes(c->db) == 0)
        return IS_ERR_NOTFOUND;
    return rc;
}

static json_t *time_or_null(sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return json_null();
    char ts[UTIL_TIME_LEN];
    util_time_rfc3339(sqlite3_column_int64(st, i), ts);
    return json_string(ts);
}

int store_tokens_json(struct store_conn *c, int64_t user_id, json_t **out)
{
    sqlite3_stmt *st = store_stmt(c, ST_TOKENS_USER);
    if (!st)
        return IS_ERR_STORE;
    sqlite3_bind_int64(st, 1, user_id);
    json_t *arr = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(
            arr, json_pack("{s:o,s:o,s:o,s:o,s:o}", "id",
                           store_col_json_str(st, 0), "name",
                           store_col_json_str(st, 1), "created_at",
                           time_or_null(st, 2), "expires_at",
                           time_or_null(st, 3), "revoked_at",
                           time_or_null(st, 4)));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return store_fail(c, "tokens list");
    }
    *out = arr;
    return IS_OK;
}
