#include "service/auth.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>

#include "core/roles.h"
#include "service/app.h"
#include "common/log.h"
#include "common/util.h"

/* A valid Argon2id hash used to spend the same time on unknown users. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
    auth_hash_password("not-a-real-password-xx", dummy_hash,
                       sizeof(dummy_hash));
}

void auth_limits_init(struct auth_limits *l)
{
    rl_users_init(&l->by_user, AUTH_FAIL_WINDOW, AUTH_USER_FAILS);
    ratelimit_init(&l->by_name, AUTH_FAIL_WINDOW, AUTH_USER_FAILS);
    ratelimit_init(&l->by_addr, AUTH_FAIL_WINDOW, AUTH_ADDR_FAILS);
    ratelimit_init(&l->ack_refusals, AUTH_FAIL_WINDOW, AUTH_ADDR_FAILS);
    l->shared = false; /* the caller sets it for a shared database */
}

void auth_limits_release(struct auth_limits *l)
{
    rl_users_release(&l->by_user);
    ratelimit_release(&l->by_name);
    ratelimit_release(&l->by_addr);
    ratelimit_release(&l->ack_refusals);
}

static const char *const limit_kind[] = {"addr", "name", "user", "ack"};

/* The key of a shared counter: a digest of which and key (any length; a
 * name that is no account may be long). The audit log holds the same
 * addresses and names in clear (login.failed). */
static void limit_key(enum auth_limit which, const char *key, char out[65])
{
    unsigned char h[32];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)limit_kind[which],
                              strlen(limit_kind[which]) + 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)key, strlen(key));
    crypto_hash_sha256_final(&st, h);
    util_hex(out, h, sizeof(h));
}

static struct ratelimit *limit_table(struct auth_limits *l,
                                     enum auth_limit which)
{
    return which == AUTH_LIMIT_ADDR   ? &l->by_addr
           : which == AUTH_LIMIT_NAME ? &l->by_name
                                      : &l->ack_refusals;
}

/* One operation on a shared counter, in c's transaction or one of its
 * own. */
static int limit_shared(struct store_conn *c, enum store_limit_op op,
                        enum auth_limit which, const char *key, int64_t now,
                        bool *ok)
{
    char k[65];
    limit_key(which, key, k);
    int max = which == AUTH_LIMIT_ADDR || which == AUTH_LIMIT_ACK
                  ? AUTH_ADDR_FAILS
                  : AUTH_USER_FAILS;
    bool own = !store_in_tx(c);
    int rc = own ? store_begin(c) : IS_OK;
    if (!rc)
        rc = store_limit(c, op, limit_kind[which], k, now, AUTH_FAIL_WINDOW,
                         max, ok);
    if (own && !rc)
        rc = store_commit(c);
    else if (own)
        store_rollback(c);
    return rc;
}

bool auth_limit_take(struct auth_limits *l, struct store_conn *c,
                     enum auth_limit which, const char *key, int64_t now)
{
    if (l->shared) {
        bool ok = false;
        return !limit_shared(c, STORE_LIMIT_TAKE, which, key, now, &ok) && ok;
    }
    if (which == AUTH_LIMIT_USER) { /* key: the account's id */
        bool ok = false;
        return !rl_users_take(&l->by_user, strtoll(key, NULL, 10), now, &ok) &&
               ok; /* cannot count: refused as limited */
    }
    return ratelimit_take(limit_table(l, which), key, now);
}

/* After a success: one failure taken back (AUTH_LIMIT_ADDR, _NAME, _ACK),
 * or the account's counter cleared (AUTH_LIMIT_USER: key is its id). */
static void limit_give_back(struct auth_limits *l, struct store_conn *c,
                            enum auth_limit which, const char *key, int64_t now)
{
    bool ok;
    if (l->shared)
        limit_shared(c,
                     which == AUTH_LIMIT_USER ? STORE_LIMIT_CLEAR
                                              : STORE_LIMIT_GIVE_BACK,
                     which, key, now, &ok);
    else if (which == AUTH_LIMIT_USER)
        rl_users_clear(&l->by_user, strtoll(key, NULL, 10));
    else
        ratelimit_give_back(limit_table(l, which), key, now);
}

/* The cost of a new hash: libsodium's interactive Argon2id (64 MiB, 2
 * passes), or its minimum in a build made with -Dtest_kdf=true for the
 * test suites (meson_options.txt); verifying reads the cost from the hash. */
#ifdef INFRASHARE_TEST_KDF
#define KDF_OPS crypto_pwhash_OPSLIMIT_MIN
#define KDF_MEM crypto_pwhash_MEMLIMIT_MIN
#else
#define KDF_OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define KDF_MEM crypto_pwhash_MEMLIMIT_INTERACTIVE
#endif

bool auth_test_kdf(void)
{
#ifdef INFRASHARE_TEST_KDF
    return true;
#else
    return false;
#endif
}

int auth_hash_password(const char *pw, char *out, size_t outlen)
{
    if (outlen < crypto_pwhash_STRBYTES)
        return IS_ERR_INVALID;
    if (crypto_pwhash_str(out, pw, strlen(pw), KDF_OPS, KDF_MEM) != 0)
        return IS_ERR_NOMEM;
    return IS_OK;
}

bool auth_username_ok(const char *name)
{
    size_t n = strlen(name);
    if (n < 2 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
        if (!alnum && (i == 0 || (ch != '.' && ch != '_' && ch != '-')))
            return false;
    }
    return true;
}

bool auth_password_ok(const char *pw)
{
    size_t n = strlen(pw);
    return n >= AUTH_PW_MIN && n <= AUTH_PW_MAX;
}

void auth_generate_password(char *out, size_t outlen)
{
    /* no look-alike characters (0/O, 1/l/I) */
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyz"
                                   "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    size_t n = outlen - 1 < 24 ? outlen - 1 : 24;
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
    out[n] = '\0';
}

static void hash32(const void *in, size_t n, unsigned char out[32])
{
    crypto_generichash(out, 32, in, n, NULL, 0);
}

int auth_ctx_for_user(struct store_conn *c, const struct store_user *u,
                      struct auth_ctx *out)
{
    memset(out, 0, sizeof(*out));
    out->user_id = u->id;
    util_xcopy(out->username, sizeof(out->username), u->username);
    util_xcopy(out->display_name, sizeof(out->display_name), u->display_name);
    out->roles = u->roles;
    util_xcopy(out->lang, sizeof(out->lang), u->lang);
    return store_org_rel(c, u->org_id, &out->org);
}

static int record(struct store_conn *c, const struct auth_ctx *who, int64_t now,
                  const char *action, const char *target, json_t *detail,
                  bool withhold, bool read)
{
    char *d = NULL;
    if (detail) {
        d = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(detail);
    }
    struct store_audit_entry e = {
        .at = now,
        .actor_user = who ? who->user_id : 0,
        .actor_org = who ? who->org.id : NULL,
        .action = action,
        .target = target,
        .detail = d ? d : "{}",
        .withhold = withhold,
    };
    int rc = read ? store_audit_append_read(c, &e) : store_audit_append(c, &e);
    free(d);
    return rc;
}

void auth_addr_key(const char *addr, char *out, size_t len)
{
    struct in6_addr a6;
    if (!strchr(addr, ':') || inet_pton(AF_INET6, addr, &a6) != 1) {
        util_xcopy(out, len, addr);
        return;
    }
    char txt[INET6_ADDRSTRLEN];
    if (IN6_IS_ADDR_V4MAPPED(&a6)) {
        if (inet_ntop(AF_INET, &a6.s6_addr[12], txt, sizeof(txt)))
            util_xcopy(out, len, txt);
        else
            util_xcopy(out, len, addr);
        return;
    }
    memset(&a6.s6_addr[8], 0, 8);
    if (inet_ntop(AF_INET6, &a6, txt, sizeof(txt)))
        snprintf(out, len, "%s/64", txt);
    else
        util_xcopy(out, len, addr);
}

int audit_record(struct store_conn *c, const struct auth_ctx *who, int64_t now,
                 const char *action, const char *target, json_t *detail)
{
    return record(c, who, now, action, target, detail, false, false);
}

int audit_record_withheld(struct store_conn *c, const struct auth_ctx *who,
                          int64_t now, const char *action, const char *target,
                          json_t *detail)
{
    return record(c, who, now, action, target, detail, true, false);
}

int audit_record_read(struct store_conn *c, const struct auth_ctx *who,
                      int64_t now, const char *action, json_t *detail,
                      bool withhold)
{
    return record(c, who, now, action, "", detail, withhold, true);
}

int auth_login(struct store_conn *c, struct auth_limits *l,
               const char *username, const char *password, const char *addr,
               int64_t now, char cookie[AUTH_COOKIE_LEN], struct auth_ctx *out)
{
    pthread_once(&dummy_once, make_dummy);
    char akey[INET6_ADDRSTRLEN + 8];
    auth_addr_key(addr, akey, sizeof(akey));
    /* the account (if any) first: its counter is keyed by id, so that no
     * traffic for other names can touch it */
    struct store_user u;
    int rc = store_user_by_name(c, username, &u);
    if (rc && rc != IS_ERR_NOTFOUND)
        return rc;
    bool found = rc == IS_OK;
    /* Check and count in one step, before the slow password check: of
     * attempts that run at the same time, no more than the limit get
     * through. A success takes its count back. */
    char uid[24];
    snprintf(uid, sizeof(uid), "%lld", found ? (long long)u.id : 0LL);
    bool ok = auth_limit_take(l, c, AUTH_LIMIT_ADDR, akey, now);
    if (ok) {
        ok = found ? auth_limit_take(l, c, AUTH_LIMIT_USER, uid, now)
                   : auth_limit_take(l, c, AUTH_LIMIT_NAME, username, now);
        if (!ok)
            limit_give_back(l, c, AUTH_LIMIT_ADDR, akey, now);
    }
    if (!ok) {
        audit_record(c, NULL, now, "login.rate_limited", username,
                     json_pack("{s:s}", "addr", addr));
        return IS_ERR_LIMIT;
    }
    const char *hash = found ? u.pw_hash : dummy_hash;
    ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    if (!found || !ok || u.disabled) {
        /* already counted */
        audit_record(c, NULL, now, "login.failed", username,
                     json_pack("{s:s,s:s}", "addr", addr, "reason",
                               !found ? "unknown user"
                               : !ok  ? "wrong password"
                                      : "disabled"));
        return IS_ERR_AUTH;
    }
    limit_give_back(l, c, AUTH_LIMIT_ADDR, akey, now);
    limit_give_back(l, c, AUTH_LIMIT_USER, uid, now);
    unsigned char raw[32], h[32];
    randombytes_buf(raw, sizeof(raw));
    util_b64url(cookie, AUTH_COOKIE_LEN, raw, sizeof(raw));
    hash32(cookie, strlen(cookie), h);
    rc = auth_ctx_for_user(c, &u, out);
    if (rc)
        return rc;
    unsigned char craw[32];
    randombytes_buf(craw, sizeof(craw));
    util_b64url(out->csrf, sizeof(out->csrf), craw, sizeof(craw));
    out->via_session = true;
    if ((rc = store_begin(c)))
        return rc;
    rc = store_session_insert(c, h, u.id, out->csrf, now,
                              now + AUTH_SESSION_TTL);
    if (!rc)
        rc = audit_record(c, out, now, "login", u.username,
                          json_pack("{s:s}", "addr", addr));
    if (rc) {
        store_rollback(c);
        return rc;
    }
    return store_commit(c);
}

/* The context of user uid for a session or a token: IS_ERR_AUTH when the
 * user is gone or disabled. */
static int ctx_for_active_user(struct store_conn *c, int64_t uid,
                               struct auth_ctx *out)
{
    struct store_user u;
    int rc = store_user_by_id(c, uid, &u);
    if (rc)
        return rc == IS_ERR_NOTFOUND ? IS_ERR_AUTH : rc;
    if (u.disabled)
        return IS_ERR_AUTH;
    return auth_ctx_for_user(c, &u, out);
}

int auth_session(struct store_conn *c, const char *cookie, int64_t now,
                 struct auth_ctx *out)
{
    unsigned char h[32];
    size_t n = strlen(cookie);
    if (n < 20 || n > 64)
        return IS_ERR_AUTH;
    hash32(cookie, n, h);
    int64_t uid;
    char csrf[AUTH_CSRF_LEN];
    int rc = store_session_get(c, h, now, &uid, csrf, sizeof(csrf));
    if (rc)
        return rc == IS_ERR_NOTFOUND ? IS_ERR_AUTH : rc;
    rc = ctx_for_active_user(c, uid, out);
    if (rc)
        return rc;
    out->via_session = true;
    util_xcopy(out->csrf, sizeof(out->csrf), csrf);
    return IS_OK;
}

int auth_logout(struct store_conn *c, const char *cookie,
                const struct auth_ctx *who, int64_t now)
{
    unsigned char h[32];
    hash32(cookie, strlen(cookie), h);
    int rc = store_begin(c);
    if (rc)
        return rc;
    /* deleted under the writer lock: of racing log-outs of one session
     * one ends it (and is audited), the others find none (IS_ERR_AUTH) */
    rc = store_session_delete(c, h);
    if (rc == IS_ERR_NOTFOUND)
        rc = IS_ERR_AUTH;
    if (!rc)
        rc = audit_record(c, who, now, "logout", who->username, NULL);
    if (rc) {
        store_rollback(c);
        return rc;
    }
    return store_commit(c);
}

int auth_read_begin(struct store_conn *c)
{
    return store_read_begin(c);
}

void auth_read_end(struct store_conn *c)
{
    store_read_end(c);
}

/* Splits "ist_<32 hex id>_<secret>" into id and secret. */
static bool token_split(const char *tok, char id[33], const char **secret)
{
    if (strncmp(tok, "ist_", 4) != 0 || strlen(tok) < 4 + 32 + 1 + 20 ||
        strlen(tok) >= AUTH_TOKEN_LEN)
        return false;
    const char *p = tok + 4;
    for (int i = 0; i < 32; i++) {
        char ch = p[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
            return false;
        id[i] = ch;
    }
    id[32] = '\0';
    if (p[32] != '_')
        return false;
    *secret = p + 33;
    return true;
}

int auth_token(struct store_conn *c, const char *token, int64_t now,
               struct auth_ctx *out)
{
    char id[33];
    const char *secret;
    if (!token_split(token, id, &secret))
        return IS_ERR_AUTH;
    int64_t uid;
    unsigned char want[32], got[32];
    int rc = store_token_get(c, id, now, &uid, want);
    if (rc)
        return rc == IS_ERR_NOTFOUND ? IS_ERR_AUTH : rc;
    hash32(secret, strlen(secret), got);
    if (!util_ct_equal(want, got, 32))
        return IS_ERR_AUTH;
    rc = ctx_for_active_user(c, uid, out);
    if (!rc)
        util_xcopy(out->token_id, sizeof(out->token_id), id);
    return rc;
}

static int token_insert(struct store_conn *c, const struct auth_ctx *who,
                        int64_t user_id, const char *name, int64_t expires,
                        int64_t now, const char *parent,
                        char token[AUTH_TOKEN_LEN], char id[33])
{
    unsigned char sraw[32], h[32];
    char secret[48];
    util_random_hex(id, 16);
    randombytes_buf(sraw, sizeof(sraw));
    util_b64url(secret, sizeof(secret), sraw, sizeof(sraw));
    snprintf(token, AUTH_TOKEN_LEN, "ist_%s_%s", id, secret);
    hash32(secret, strlen(secret), h);
    int rc = store_token_insert(c, id, user_id, name, h, now, expires, parent);
    if (!rc)
        rc = audit_record(c, who, now, "token.create", id,
                          json_pack("{s:I,s:s,s:s?}", "user",
                                    (json_int_t)user_id, "name", name,
                                    "made_with", parent));
    return rc;
}

int auth_token_insert(struct store_conn *c, const struct auth_ctx *who,
                      int64_t user_id, const char *name, int64_t expires,
                      int64_t now, char token[AUTH_TOKEN_LEN], char id[33])
{
    return token_insert(c, who, user_id, name, expires, now, NULL, token, id);
}

int auth_token_create(struct store_conn *c, const struct auth_ctx *who,
                      int64_t user_id, const char *name, int64_t *expires,
                      int64_t now, char token[AUTH_TOKEN_LEN], char id[33])
{
    const char *parent = who && who->token_id[0] ? who->token_id : NULL;
    int rc = store_begin(c);
    if (rc)
        return rc;
    /* a token made with a token lives no longer than it. Read under the
     * writer lock, with the request's token checked again there: a
     * revocation that committed since the request was let in leaves
     * nothing to make (IS_ERR_AUTH), and one after this commit revokes
     * the new token with it (found by a race test: 24 tokens made during
     * their parent's revocation stayed valid) */
    int64_t until = 0;
    if (parent &&
        (rc = store_token_expiry(c, parent, now, &until)) == IS_ERR_NOTFOUND)
        rc = IS_ERR_AUTH;
    if (parent && !rc && until && (!*expires || *expires > until))
        *expires = until;
    if (!rc)
        rc = token_insert(c, who, user_id, name, *expires, now, parent, token,
                          id);
    if (rc) {
        store_rollback(c);
        return rc;
    }
    return store_commit(c);
}

int auth_token_revoke(struct store_conn *c, const struct auth_ctx *who,
                      const char *id, int64_t now)
{
    int64_t owner;
    bool revoked;
    /* read and revoked under the writer lock: of racing revocations one
     * succeeds, the others find it revoked (not found) */
    int rc = store_begin(c);
    if (rc)
        return rc;
    rc = store_token_owner(c, id, &owner, &revoked);
    if (!rc && ((who && owner != who->user_id && !(who->roles & ROLE_ADMIN)) ||
                revoked))
        rc = IS_ERR_NOTFOUND; /* not yours: as if it did not exist */
    if (!rc)
        rc = store_token_revoke(c, id, now);
    if (!rc)
        rc = audit_record(c, who, now, "token.revoke", id, NULL);
    if (rc) {
        store_rollback(c);
        return rc;
    }
    return store_commit(c);
}

int auth_users_json(struct store_conn *c, const char *org_id, bool with_demo,
                    json_t **out)
{
    struct store_user *u;
    size_t n;
    int rc = store_users_list(c, org_id, with_demo, &u, &n);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        char roles[128];
        roles_format(u[i].roles, roles, sizeof(roles));
        if (json_array_append_new(
                arr,
                json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:b,s:b}", "id",
                          (json_int_t)u[i].id, "org", u[i].org_id, "username",
                          u[i].username, "display_name", u[i].display_name,
                          "roles", roles, "lang", u[i].lang, "disabled",
                          u[i].disabled, "demo", u[i].demo))) {
            json_decref(arr);
            arr = NULL;
        }
    }
    free(u);
    if (!arr)
        return IS_ERR_NOMEM;
    *out = arr;
    return IS_OK;
}

int auth_tokens_json(struct store_conn *c, int64_t user_id, json_t **out)
{
    struct store_token *t;
    size_t n;
    int rc = store_tokens_list(c, user_id, &t, &n);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        if (json_array_append_new(
                arr, json_pack("{s:s,s:s,s:o,s:o,s:o}", "id", t[i].id, "name",
                               t[i].name ? t[i].name : "", "created_at",
                               svc_time_json(t[i].created_at), "expires_at",
                               svc_time_json(t[i].expires_at), "revoked_at",
                               svc_time_json(t[i].revoked_at)))) {
            json_decref(arr);
            arr = NULL;
        }
    store_tokens_free(t, n);
    if (!arr)
        return IS_ERR_NOMEM;
    *out = arr;
    return IS_OK;
}

int auth_token_json(struct store_conn *c, const struct auth_ctx *who,
                    const char *id, json_t **out)
{
    int64_t owner;
    bool revoked;
    int rc = store_token_owner(c, id, &owner, &revoked);
    if (rc)
        return rc;
    if (owner != who->user_id && !(who->roles & ROLE_ADMIN))
        return IS_ERR_NOTFOUND; /* not yours: as if it did not exist */
    json_t *items;
    if ((rc = auth_tokens_json(c, owner, &items)))
        return rc;
    size_t i;
    json_t *t;
    *out = NULL;
    json_array_foreach (items, i, t) {
        if (!strcmp(json_string_value(json_object_get(t, "id")), id)) {
            *out = json_incref(t);
            break;
        }
    }
    json_decref(items);
    return *out ? IS_OK : IS_ERR_NOTFOUND;
}

int auth_user_id(struct store_conn *c, const char *username, int64_t *id)
{
    struct store_user u;
    int rc = store_user_by_name(c, username, &u);
    if (!rc)
        *id = u.id;
    return rc;
}

int auth_set_lang(struct store_conn *c, struct auth_ctx *who, const char *lang)
{
    int rc = store_user_set_lang(c, who->user_id, lang);
    if (!rc)
        rc = util_copy(who->lang, sizeof(who->lang), lang);
    return rc;
}
