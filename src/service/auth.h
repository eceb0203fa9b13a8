/*
 * auth.h - passwords (Argon2id), sessions, API tokens, and the identity of
 * a request (struct auth_ctx).
 *
 * Sessions: the cookie holds 32 random bytes (base64url); the database keeps
 * only their BLAKE2b hash, with a CSRF token required on state-changing
 * requests made with the cookie. Sessions last AUTH_SESSION_TTL.
 * API tokens: "ist_<id>_<secret>"; only BLAKE2b(secret) is stored; shown
 * once at creation; revocable.
 * Log-in failures are limited per user name and per client address.
 */
#ifndef INFRASHARE_AUTH_H
#define INFRASHARE_AUTH_H

#include "core/access.h"
#include "common/common.h"
#include "service/ratelimit.h"
#include "store/store.h"

#define AUTH_SESSION_TTL (12 * 3600)
#define AUTH_COOKIE_LEN 48 /* base64url of 32 bytes + NUL, rounded */
#define AUTH_CSRF_LEN 48
#define AUTH_TOKEN_LEN 96
#define AUTH_PW_MIN 12
#define AUTH_PW_MAX 256
#define AUTH_USER_FAILS 5  /* per user name per 15 min */
#define AUTH_ADDR_FAILS 20 /* per client address per 15 min */
#define AUTH_FAIL_WINDOW (15 * 60)

struct auth_ctx {
    int64_t user_id;
    char username[65];
    char display_name[201]; /* the user's name to show; may be "" */
    unsigned roles;
    char lang[4];
    bool via_session;
    /* the API token the request came with ("" for a session or the
     * command line): a token made with it goes with it */
    char token_id[33];
    char csrf[AUTH_CSRF_LEN];
    struct access_org org; /* the user's organisation and its relations */
};

/* Log-in limits (docs/rules.md "Log-in limits"): per account by user id
 * (never evicted), per log-in name that is no account and per client
 * address (bounded tables; IPv6 addresses count per /64). */
struct auth_limits {
    struct rl_users by_user;
    struct ratelimit by_name;
    struct ratelimit by_addr;
    /* refused acknowledgement links per client address (each is audited;
     * the link needs no credentials): docs/rules.md "Acknowledgement" */
    struct ratelimit ack_refusals;
    /* issue 17: the nodes of this hub share its database (PostgreSQL):
     * the counters live there (store_limit, table login_limits), so a
     * client or an account limited on one node is limited on every node;
     * the tables above are then unused */
    bool shared;
};

/* Which counter: the kinds of auth_limit_take (the tables above). */
enum auth_limit {
    AUTH_LIMIT_ADDR,
    AUTH_LIMIT_NAME,
    AUTH_LIMIT_USER,
    AUTH_LIMIT_ACK
};
/* Check and count one failure in advance (ratelimit_take; for
 * AUTH_LIMIT_USER, key is the account's id and the counter rl_users_take's)
 * in memory or, when l->shared, in the database (its own write
 * transaction when c has none open). false when the key is blocked, or
 * when the count cannot be made (refused as limited). */
bool auth_limit_take(struct auth_limits *l, struct store_conn *c,
                     enum auth_limit which, const char *key, int64_t now);

void auth_limits_init(struct auth_limits *l);
void auth_limits_release(struct auth_limits *l);

/* Argon2id hash (libsodium string form) into out. IS_ERR_NOMEM. */
int auth_hash_password(const char *pw, char *out, size_t outlen);
/* True in a build made with -Dtest_kdf=true: new hashes at Argon2id's
 * minimum cost, for the test suites only (the daemon warns at start). */
bool auth_test_kdf(void);
/* Password policy: AUTH_PW_MIN..AUTH_PW_MAX bytes. */
bool auth_password_ok(const char *pw);
/* A user name: 2 to 64 of a-z 0-9 . _ -, starting with a letter or digit.
 * Names are shown in audit views, lists and the UI, so no look-alikes
 * (Cyrillic a for a, upper case), invisible or direction-changing
 * characters, or spaces (docs/rules.md "Sign-in, sessions and tokens"). */
bool auth_username_ok(const char *name);
/* Generates a readable random password (24 chars). */
void auth_generate_password(char *out, size_t outlen);

/* The key a client address is counted under: IPv4 as is (also when
 * IPv4-mapped), IPv6 by its /64 prefix ("2001:db8:1:2::/64"). */
void auth_addr_key(const char *addr, char *out, size_t len);
/* Checks user name and password, creates a session. IS_ERR_AUTH on wrong
 * or disabled credentials (one message for all), IS_ERR_LIMIT when rate
 * limited. Audits success and failure. */
int auth_login(struct store_conn *c, struct auth_limits *l,
               const char *username, const char *password, const char *addr,
               int64_t now, char cookie[AUTH_COOKIE_LEN], struct auth_ctx *out);
/* Resolves a session cookie. IS_ERR_AUTH when absent/expired/disabled. */
int auth_session(struct store_conn *c, const char *cookie, int64_t now,
                 struct auth_ctx *out);
int auth_logout(struct store_conn *c, const char *cookie,
                const struct auth_ctx *who, int64_t now);
/* A read transaction on c (which has none open) for a request: its
 * credentials (auth_session/auth_token read four statements) and, for a
 * route that only reads, its handler's reads come from one snapshot,
 * under one lock of the database instead of one per statement
 * (http/server.c). Nothing is cached: each request reads the credentials
 * as they are. auth_read_end ends it whatever happened inside; nothing
 * between may write or begin a transaction. */
int auth_read_begin(struct store_conn *c);
void auth_read_end(struct store_conn *c);
/* Resolves "ist_<id>_<secret>". IS_ERR_AUTH when bad/revoked/expired. */
int auth_token(struct store_conn *c, const char *token, int64_t now,
               struct auth_ctx *out);
/* Creates a token for user_id; writes the full token (shown once) and its
 * id. *expires 0 = never. Audited with actor who. When who came with a
 * token, the new one is made with it (docs/rules.md "Sign-in, sessions
 * and tokens"): revoked with it, and *expires is cut to its expiry. */
int auth_token_create(struct store_conn *c, const struct auth_ctx *who,
                      int64_t user_id, const char *name, int64_t *expires,
                      int64_t now, char token[AUTH_TOKEN_LEN], char id[33]);
/* auth_token_create inside the caller's write transaction. */
int auth_token_insert(struct store_conn *c, const struct auth_ctx *who,
                      int64_t user_id, const char *name, int64_t expires,
                      int64_t now, char token[AUTH_TOKEN_LEN], char id[33]);
/* Revokes; who must own it or be admin, else IS_ERR_NOTFOUND. Audited. */
int auth_token_revoke(struct store_conn *c, const struct auth_ctx *who,
                      const char *id, int64_t now);
/* The users of org_id (all when NULL; demo users only with with_demo) as
 * the API's JSON array of user objects: a new reference the caller
 * json_decref()s, on IS_OK only. */
int auth_users_json(struct store_conn *c, const char *org_id, bool with_demo,
                    json_t **out);
/* The user's API tokens as the API's JSON array (no secrets): a new
 * reference the caller json_decref()s, on IS_OK only. */
int auth_tokens_json(struct store_conn *c, int64_t user_id, json_t **out);
/* One token as auth_tokens_json lists it, for its owner or a hub admin;
 * IS_ERR_NOTFOUND for anyone else, as for an unknown id. */
int auth_token_json(struct store_conn *c, const struct auth_ctx *who,
                    const char *id, json_t **out);
/* The id of the user named username into *id: IS_ERR_NOTFOUND when there
 * is none. */
int auth_user_id(struct store_conn *c, const char *username, int64_t *id);
/* Sets the signed-in user's interface language (lang: "ja" or "en", as the
 * caller's field table checked) in the store and in who->lang. */
int auth_set_lang(struct store_conn *c, struct auth_ctx *who, const char *lang);
/* Fills ctx from a user row (org relations included). */
int auth_ctx_for_user(struct store_conn *c, const struct store_user *u,
                      struct auth_ctx *out);

/* Appends an audit entry for an act of who (NULL = system). detail is a
 * JSON object (reference stolen, may be NULL). */
int audit_record(struct store_conn *c, const struct auth_ctx *who, int64_t now,
                 const char *action, const char *target, json_t *detail);
/* The same for an act whose actor must stay hidden (an anonymous reporter
 * acting on its own report): who enters the chain only as a hiding
 * commitment (DOMAIN §8a, core/audit_chain.h). */
int audit_record_withheld(struct store_conn *c, const struct auth_ctx *who,
                          int64_t now, const char *action, const char *target,
                          json_t *detail);
/* The entry of an audited read that writes nothing else (a page of the
 * report list, an export), withheld when withhold: durable when it
 * returns IS_OK, through the read-audit journal when the hub has one (in
 * the chain after the next store_audit_settle; store.h). */
int audit_record_read(struct store_conn *c, const struct auth_ctx *who,
                      int64_t now, const char *action, json_t *detail,
                      bool withhold);

#endif
