/*
 * infrashare - command-line tool.
 *
 * Admin commands work on the database directly (--db, default
 * var/infrashare.db); client commands talk to a running hub's API with a
 * token (see cli/client.c). Every failure prints a message and exits
 * non-zero; usage errors exit 2.
 */
#include "cli/cli.h"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/roles.h"
#include "service/audit.h"
#include "service/auth.h"
#include "service/demo.h"
#include "service/exercise_scenario.h"
#include "service/registry.h"
#include "service/reporting.h"
#include "service/dependencies.h"
#include "common/log.h"
#include "store/store.h"
#include "common/util.h"

static const char *db_path = "var/infrashare.db";

static const char usage_text[] =
    "usage: infrashare [--db PATH] [--url URL] [--token T] COMMAND ...\n"
    "  (--url and --token may also follow a client command)\n"
    "\n"
    "admin commands (work on the database directly):\n"
    "  init [--data DIR] [--demo] [--admin USER] [--admin-password-file "
    "F]\n"
    "       [--webhook-base URL] [--force]\n"
    "  user add USER --org ORG --roles R1,R2 [--name NAME] [--lang ja|en]\n"
    "       [--password-file F]\n"
    "  user list [--org ORG] [--with-demo]\n"
    "  user disable USER | user enable USER\n"
    "  user passwd USER [--password-file F]\n"
    "  org list [--kind K] [--scope S] [--ceptoar C] [--limit N]\n"
    "  org show ID\n"
    "  org add ID --scope S --name-ja J --name-en E [--ceptoar C]...\n"
    "      [--subgroup SG]...\n"
    "  org contact ORG --channel email|webhook|phone|sms|fax --address A\n"
    "       [--priority N] [--emergency] [--lang ja|en]\n"
    "  token create USER [--name NAME] [--expires-days N]\n"
    "  token list USER\n"
    "  token revoke ID\n"
    "  audit verify\n"
    "  audit list [--after SEQ] [--limit N]\n"
    "  backup FILE\n"
    "  migrate-store --to postgresql://...   (this SQLite database into\n"
    "      an empty PostgreSQL one: docs/postgresql.md)\n"
    "  batch < FILE   (user, org and token commands, one a line, on one\n"
    "      connection; stops at the first that fails)\n"
    "\n"
    "client commands (talk to a hub: --url or INFRASHARE_URL, --token or\n"
    "INFRASHARE_TOKEN):\n"
    "  whoami\n"
    "  sectors\n"
    "  api METHOD PATH [--data FILE|-]\n"
    "  report file [--data FILE|-] [--title T] [--kind K] [--range R]\n"
    "       [--route R] [--detected-at TIME] [--what TEXT] [--via-agency "
    "A]\n"
    "  report update ID --kind update|full|final|answer [--text T]\n"
    "       [--question N] [--data FILE|-]\n"
    "  report show ID [--json]\n"
    "  report list [--overdue] [--min-severity N] [--limit N] [--json]\n"
    "  report unopened [--org HOP] [--json]   (NISC, ministries)\n"
    "  advisory issue [--data FILE|-] [--kind K] [--range R] [--severity "
    "N]\n"
    "       [--title-ja T] [--title-en T] [--body-ja B] [--body-en B]\n"
    "       [--all | --sectors a,b | --scopes a,b | --ceptoars a,b |\n"
    "        --orgs a,b] [--title-in-notice] [--form roll_call]\n"
    "  advisory list [--inbox] [--limit N] | show ID\n"
    "  advisory deliveries ID [--state S]\n"
    "  advisory ack ID | relay ID [--note-ja T] [--note-en T] [--range R]\n"
    "  advisory answer ID --field QUESTION=VALUE [--field ...]\n"
    "  advisory board ID [--state answered|unanswered] [--csv]\n"
    "  advisory remind ID [--org X]... (督促 / remind those not "
    "acknowledged)\n"
    "  agreements rules | list ORG [--json]\n"
    "  agreements sign ORG --rules-version V | withdraw ORG ID\n"
    "  advisory issue ... [--lists L1,L2] [--include-lists]\n"
    "  advisory withhold ID --reason TEXT\n"
    "  lists ORG | lists show ORG LIST | lists delete ORG LIST\n"
    "  lists create ORG --name-ja J --name-en E [--members a,b]\n"
    "  lists set ORG LIST [--name-ja J] [--name-en E] [--members a,b]\n"
    "  declarations list [--active] | show ID | end ID\n"
    "  declarations declare --title-ja T --title-en T --reason R\n"
    "       (--sectors a,b | --national)   (大規模IT障害の宣言)\n"
    "  drill start --target-kind ceptoar|sector|subgroup|all [--target "
    "ID]\n"
    "       [--kind reach|structure|outage] [--channel "
    "gateway|email|webhook]\n"
    "  drill report ID [--format json|csv|html] | confirm ID\n"
    "  drill list [--fy YEAR] [--ceptoar ID] | summary [--fy YEAR]\n"
    "  (drills is the same command as drill)\n"
    "  site add URL [--org ORG] [--label L] [--interval S]\n"
    "       [--expected-status N] [--content-match T] [--notify]\n"
    "  site list [--org O] [--sector S] [--state S] [--q TEXT] [--limit "
    "N]\n"
    "       [--offset N] [--json]\n"
    "  site show ID [--json] | pause ID | resume ID | rm ID   "
    "(HPレスポンス観測)\n"
    "  c4tap submit FILE.eml [--ranges T=R,...] [--anonymous] "
    "[--forwarded]   (C4TAP)\n"
    "  c4tap show ID | list | campaigns | campaign ID | lookup VALUE | "
    "export\n"
    "  c4tap intake --recipient ADDR --intake-token-file F   (the MTA's "
    "pipe; e-mail on stdin)\n"
    "  exercise check FILE [--registry]   (a cross-sector exercise's "
    "scenario)\n"
    "  exercise create --scenario FILE --title-ja T --title-en T\n"
    "       [--sectors a,b] [--orgs a,b] [--ceptoars a,b]\n"
    "       [--planned-for YYYY-MM-DD] [--scale N]   (分野横断的演習)\n"
    "  exercise list [--json] | show ID [--json] | board ID [--json]\n"
    "  exercise start ID [--paused] [--scale N]\n"
    "  exercise brief ID | pause ID | resume ID | end ID\n"
    "  exercise shift ID MINUTES | advance ID MINUTES | fire ID INJECT\n"
    "  exercise debrief ID [--format json|csv|html] [--view summary]\n"
    "       [--out FILE|-]\n"
    "  survey list [--json] | show ID [--json]   (安全基準等の浸透状況等に"
    "関する調査)\n"
    "  survey open --fy N --deadline RFC3339 [--sectors a,b]\n"
    "       [--title-ja T --title-en T] [--edition E] | close ID\n"
    "  survey progress ID [--json] | remind ID [--orgs a,b]\n"
    "  survey results ID [--format json|csv|html] [--lang ja|en] "
    "[--out FILE|-]\n"
    "  survey answers ID [--org ORG] [--json]\n"
    "  survey answer ID --file ANSWERS.json [--submit] [--share]\n"
    "  survey attach ID --item ITEM FILE [--type MEDIA]   (at most 2 "
    "MiB)\n"
    "  bcp show [--json] | bcp set --file CHECKS.json   (CP/BCP準備状況)\n"
    "  stix export advisory|report|event|c4tap|alert ID [--out FILE|-]\n"
    "                                                (a STIX 2.1 bundle)\n"
    "  stix import FILE|- [--collection shared]   (a bundle, envelope or "
    "array;\n"
    "       at most 10 MiB; STIX 2.1 の取り込み)\n"
    "  taxii peers [--json] | sync ID [--json] | log ID [--json] | "
    "peer-remove ID\n"
    "  taxii peer-add --name N --org O --api-root URL --collection C\n"
    "       --direction pull|push|both --token-file F [--auth-user U]\n"
    "       [--interval S]   (TAXII ピア: hub administrators)\n"
    "  risk list [--state open|closed] [--treatment T] [--above] "
    "[--json]\n"
    "  risk show ID [--json] | history ID [--json] | heatmap [--json]   "
    "(リスク登録簿)\n"
    "  risk add --title T --owner O --impact N --likelihood N\n"
    "       --treatment reduce|avoid|transfer|accept --review "
    "YYYY-MM-DD|RFC3339\n"
    "       [--asset A] [--description D] [--measures id,id] [--plan P] "
    "[--shared]\n"
    "  risk update ID [the same options] [--close | --reopen] "
    "[--unshare]\n";

static void usage(FILE *f)
{
    fputs(usage_text, f);
}

/* `infrashare COMMAND --help`: the usage lines of COMMAND (a line "  COMMAND
 * ..." and the more indented lines that continue it); false, printing
 * nothing, when none names it. */
static bool usage_of(const char *cmd)
{
    size_t n = strlen(cmd);
    bool found = false, in = false;
    const char *p = usage_text;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len >= 2 + n && strncmp(p, "  ", 2) == 0 &&
            strncmp(p + 2, cmd, n) == 0 &&
            (p[2 + n] == ' ' || p[2 + n] == '\n'))
            in = true;
        else if (!(len > 3 && strncmp(p, "   ", 3) == 0))
            in = false;
        if (in) {
            if (!found)
                fputs("usage: infrashare [--db PATH] [--url URL] [--token T]\n",
                      stdout);
            found = true;
            fwrite(p, 1, len, stdout);
            fputc('\n', stdout);
        }
        p += len + (e ? 1 : 0);
    }
    return found;
}
/* A PostgreSQL URI given on the command line (option opt) that carries a
 * password: said once, the password never shown. */
static void warn_password_shown(const char *opt)
{
    cli_errf("warning: the %s URI carries a password, which every local "
             "user sees in the process list; leave it out of the URI: "
             "libpq reads it from ~/.pgpass (mode 0600) or PGPASSWORD "
             "(docs/postgresql.md)\n",
             "警告: %s の URI にパスワードが含まれており、ローカルの全ユー"
             "ザーがプロセス一覧で見ることができます。URI から外してくださ"
             "い（libpq は ~/.pgpass（モード 0600）または PGPASSWORD から読"
             "みます。docs/postgresql.md）\n",
             opt);
}

/* `batch`: the store every command of the batch uses, opened once
 * (open_db gives it, close_db leaves it open); NULL otherwise. */
static struct store *batch_store;

static int open_db(struct store **s)
{
    char err[512];
    struct stat sb;
    if (batch_store) {
        *s = batch_store;
        return 0;
    }
    /* the first thing a new user meets: said in the locale's language */
    if (!store_is_postgresql(db_path) && stat(db_path, &sb) != 0) {
        cli_errf("%s: no database here (run 'infrashare init' first)\n",
                 "%s: データベースがありません（先に 'infrashare init' "
                 "を実行してください）\n",
                 db_path);
        return IS_ERR_NOTFOUND;
    }
    int rc = store_open(db_path, 0, 1, s, err, sizeof(err));
    /* entries of reads a stopped hub left in its read-audit journal go
     * into the chain first: every command sees the whole log (store.h) */
    if (!rc && (rc = store_journal_attach(*s, false, err, sizeof(err))) != 0)
        store_close(*s);
    if (rc)
        fprintf(stderr, "infrashare: %s\n", err);
    return rc;
}

/* Ends a command's use of the store open_db gave (a batch keeps it). */
static void close_db(struct store *s)
{
    if (s != batch_store)
        store_close(s);
}

/* Reads the first line of a file (a password); trailing newline removed. */
static int read_secret(const char *path, char *out, size_t outlen)
{
    char *text;
    if (util_read_file(path, 4096, &text, NULL)) {
        cli_errf("cannot read %s\n", "%s を読めません\n", path);
        return IS_ERR_IO;
    }
    text[strcspn(text, "\r\n")] = '\0';
    int rc = util_copy(out, outlen, text);
    sodium_memzero(text, strlen(text));
    free(text);
    if (rc) {
        cli_errf("the secret in %s is longer than %zu bytes\n",
                 "%s の秘密情報が %zu バイトを超えています\n", path,
                 outlen - 1);
        return rc;
    }
    return IS_OK;
}

static int cli_audit(struct store_conn *c, const char *action,
                     const char *target, json_t *detail)
{
    if (!detail)
        detail = json_object();
    json_object_set_new(detail, "via", json_string("cli"));
    return audit_record(c, NULL, util_now(), action, target, detail);
}

/* ---- init ---- */

/* The first admin's password into password: read from pwfile (checked
 * against the length rule) or, without one, generated. Returns 0, or 1
 * with the reason printed. */
static int init_password(const char *pwfile, char *password, size_t len)
{
    if (!pwfile) {
        auth_generate_password(password, len);
        return 0;
    }
    if (read_secret(pwfile, password, len))
        return 1;
    if (!auth_password_ok(password)) {
        cli_errf("the admin password must have %d to %d characters\n",
                 "管理者パスワードは %d から %d 文字にしてください\n",
                 AUTH_PW_MIN, AUTH_PW_MAX);
        return 1;
    }
    return 0;
}

/* What init writes, beside the registry itself. */
struct init_plan {
    const char *data;      /* the data directory */
    const char *demo_path; /* its demo data set, used with demo */
    const char *hook;      /* base of the demo's webhook URLs */
    const char *admin;     /* the first admin's user name */
    const char *password;
    bool demo;
};

/* The first admin's name is a demo user's (init --demo --admin) */
#define ADMIN_IN_DEMO_EN                                                       \
    "user %s exists in the demo data; choose another --admin"
#define ADMIN_IN_DEMO_JA                                                       \
    "利用者 %s はデモデータにあります。別の --admin を指定してください"

/* The first admin (NISC, admin + auditor + reader) with password, inside
 * the open transaction. err says why it is refused. */
static int init_admin(struct store_conn *c, const struct init_plan *p,
                      int64_t now, char *err, size_t errlen)
{
    struct store_user u;
    memset(&u, 0, sizeof(u));
    snprintf(u.org_id, sizeof(u.org_id), "nisc");
    if (util_copy(u.username, sizeof(u.username), p->admin)) {
        cli_errs(err, errlen, "--admin is longer than %zu bytes",
                 "--admin が %zu バイトを超えています", sizeof(u.username) - 1);
        return IS_ERR_TOO_LARGE; /* refused, never cut short */
    }
    snprintf(u.display_name, sizeof(u.display_name), "Hub administrator");
    snprintf(u.lang, sizeof(u.lang), "ja");
    u.roles = ROLE_ADMIN | ROLE_AUDITOR | ROLE_READER;
    int rc = auth_hash_password(p->password, u.pw_hash, sizeof(u.pw_hash));
    if (!rc)
        rc = store_user_insert(c, &u, now, NULL);
    if (rc == IS_ERR_CONFLICT)
        cli_errs(err, errlen, ADMIN_IN_DEMO_EN, ADMIN_IN_DEMO_JA, p->admin);
    return rc;
}

/* Fills the new database behind c in one transaction: the registry, the
 * reporting catalogue, the demo data set (with demo), the first admin and
 * the audit record. Nothing is committed when it fails (err says why, or
 * is ""). */
static int init_fill(struct store_conn *c, const struct registry *reg,
                     const struct init_plan *p, struct demo_stats *ds,
                     char *err, size_t errlen)
{
    int64_t now = util_now();
    int rc = store_begin(c);
    if (!rc)
        rc = registry_import(c, reg, now);
    if (!rc)
        rc = reporting_import(c, p->data, err, errlen);
    if (!rc) /* issue 15: the interdependency model's first version */
        rc = dependencies_import(c, p->data, now, err, errlen);
    if (!rc && p->demo) {
        char demo_hash[crypto_pwhash_STRBYTES];
        rc = auth_hash_password(DEMO_PASSWORD, demo_hash, sizeof(demo_hash));
        if (!rc)
            rc = demo_generate(c, p->demo_path, reg, demo_hash, p->hook, now,
                               ds, err, errlen);
        if (!rc)
            rc = store_meta_set(c, "demo", "1");
    }
    if (!rc)
        rc = init_admin(c, p, now, err, errlen);
    char db_shown[512]; /* the audit's target: never a password */
    store_redact(db_path, db_shown, sizeof(db_shown));
    if (!rc)
        rc = cli_audit(c, "init", db_shown,
                       json_pack("{s:b,s:i,s:s}", "demo", p->demo, "operators",
                                 ds->operators, "admin", p->admin));
    if (!rc)
        rc = store_commit(c);
    else
        store_rollback(c);
    return rc;
}

/* Moves the database built at tmp to db_path. Returns 0, or 1 with the
 * reason printed. */
static int init_install(const char *tmp)
{
    /* A crashed daemon may have left a write-ahead log beside the old
     * database; SQLite would replay it onto the new file. Remove both
     * side files before the new database takes the name. */
    char side[4200];
    snprintf(side, sizeof(side), "%s-wal", db_path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", db_path);
    unlink(side);
    if (rename(tmp, db_path) != 0) {
        cli_errf("cannot move %s to %s: %s\n", "%s を %s に移せません: %s\n",
                 tmp, db_path, strerror(errno));
        return 1;
    }
    return 0;
}

/* Loads and checks the registry of data directory data into reg (the
 * caller's to registry_release). Returns 0, or 1 with the reason printed
 * and reg released. */
static int init_registry(const char *data, struct registry *reg)
{
    char err[1024] = "", regdir[4096];
    snprintf(regdir, sizeof(regdir), "%s/registry", data);
    registry_init(reg);
    if (registry_load(regdir, reg, err, sizeof(err))) {
        fprintf(stderr, "infrashare: %s\n", err);
        struct stat st;
        if (stat(regdir, &st) != 0)
            cli_errf("the registry is read from %s/registry: run this in the "
                     "project's folder, or give --data DIR\n",
                     "登録簿は %s/registry から読み込みます。プロジェクトの"
                     "フォルダで実行するか、--data DIR を指定してください\n",
                     data);
        cli_errf("nothing was written\n", "何も書き込まれていません\n");
        registry_release(reg);
        return 1;
    }
    return 0;
}

/* What init tells its user once the database is in place. */
static void init_summary(const struct init_plan *p, const struct demo_stats *ds,
                         const char *pwfile)
{
    char shown[512];
    store_redact(db_path, shown, sizeof(shown));
    printf("initialised %s (schema %d)\n", shown, store_schema_version());
    /* without --demo there is no demo data, and no demo password */
    if (p->demo) {
        printf("demo data: %d external organisations on %d distribution "
               "lists; %d C4TAP submissions (handler c4tap-secretariat); "
               "%d survey responses\n",
               ds->externals, ds->lists, ds->c4tap, ds->survey_answers);
        printf("demo data: %d operators, %d users, %d contacts "
               "(demo password: %s)\n",
               ds->operators, ds->users, ds->contacts, DEMO_PASSWORD);
    }
    if (!pwfile)
        printf("first admin: user %s  password %s  (shown once: store it "
               "now)\n",
               p->admin, p->password);
    else
        printf("first admin: user %s  (password from %s)\n", p->admin, pwfile);
}

/* init on PostgreSQL: the database must hold no hub yet (an SQLite file
 * is replaced with --force; a PostgreSQL database is dropped and created
 * by its administrator). init_fill runs in one transaction: all or
 * nothing. Releases reg; wipes password. */
static int init_postgresql(struct registry *reg, const char *data,
                           const char *demo_path, const char *hook,
                           const char *admin, char *password,
                           const char *pwfile, bool demo)
{
    char err[1024] = "", shown[512];
    store_redact(db_path, shown, sizeof(shown));
    struct init_plan plan = {.data = data,
                             .demo_path = demo_path,
                             .hook = hook,
                             .admin = admin,
                             .password = password,
                             .demo = demo};
    struct store *s;
    int rc = store_open(db_path, STORE_CREATE, 1, &s, err, sizeof(err));
    if (rc) {
        fprintf(stderr, "infrashare: %s\n", err);
        registry_release(reg);
        sodium_memzero(password, AUTH_PW_MAX + 1);
        return 1;
    }
    struct store_conn *c = store_acquire(s);
    bool held = true;
    struct demo_stats ds = {0};
    int mrc = store_meta_has(c, "severity_rules", &held);
    if (mrc) {
        cli_errf("%s cannot be read\n", "%s を読めません\n", shown);
        rc = mrc;
    } else if (held) {
        cli_errf("a hub exists already in %s; not initialising again (drop and "
                 "create the database to start anew)\n",
                 "%s "
                 "にはハブが既にあります。初期化しません（やり直すにはデータベ"
                 "ースを削除して作り直してください）\n",
                 shown);
        rc = IS_ERR_CONFLICT;
    } else {
        rc = init_fill(c, reg, &plan, &ds, err, sizeof(err));
        if (rc) {
            cli_errf("init failed: %s\n", "init に失敗しました: %s\n",
                     err[0] ? err : is_strerror(rc));
            if (store_is_postgresql(db_path))
                cli_errf("no hub was written to %s (the empty schema stays; "
                         "init may run again)\n",
                         "%s にハブは書き込まれていません（空のスキーマは"
                         "残ります。init はやり直せます）\n",
                         shown);
            else
                cli_errf("nothing was written to %s\n",
                         "%s には何も書き込まれていません\n", shown);
        }
    }
    store_put(s, c);
    store_close(s);
    registry_release(reg);
    if (!rc)
        init_summary(&plan, &ds, pwfile);
    sodium_memzero(password, AUTH_PW_MAX + 1);
    return rc ? 1 : 0;
}

static int cmd_init(int argc, char **argv)
{
    static const char *const flags[] = {"demo", "force", NULL};
    static const char *const valued[] = {"data", "admin", "admin-password-file",
                                         "webhook-base", NULL};
    struct cli_args a;
    if (cli_parse(argc, argv, flags, valued, &a))
        return 2;
    const char *data = cli_opt(&a, "data") ? cli_opt(&a, "data") : "data";
    const char *admin = cli_opt(&a, "admin") ? cli_opt(&a, "admin") : "admin";
    if (!auth_username_ok(admin)) {
        cli_errf("--admin: 2 to 64 of a-z, 0-9, '.', '_' and '-', starting "
                 "with a letter or digit\n",
                 "--admin: a-z、0-9、'.'、'_'、'-' の 2 から 64 "
                 "文字で、英字か数字で始めてください\n");
        return 2;
    }
    if (cli_flag(&a, "demo") && demo_username_reserved(admin)) {
        /* refused before minutes of generating: the demo set has (or may
         * have) a user of this name */
        cli_errf(ADMIN_IN_DEMO_EN "\n", ADMIN_IN_DEMO_JA "\n", admin);
        return 2;
    }
    const char *hook = cli_opt(&a, "webhook-base")
                           ? cli_opt(&a, "webhook-base")
                           : "http://127.0.0.1:8090/hooks/";
    struct stat sb;
    bool pg = store_is_postgresql(db_path);
    if (!pg && stat(db_path, &sb) == 0 && !cli_flag(&a, "force")) {
        cli_errf(
            "%s exists already; not initialising again (--force replaces it)\n",
            "%s は既にあります。初期化しません（置き換えるには --force）\n",
            db_path);
        return 1;
    }
    char err[1024] = "";
    char demo_path[4096];
    snprintf(demo_path, sizeof(demo_path), "%s/demo/demo.json", data);
    /* 1. read and check all data before touching any database */
    struct registry reg;
    if (init_registry(data, &reg))
        return 1;
    char password[AUTH_PW_MAX + 1];
    const char *pwfile = cli_opt(&a, "admin-password-file");
    if (init_password(pwfile, password, sizeof(password))) {
        registry_release(&reg);
        return 1;
    }
    /* 2. PostgreSQL: the schema, then everything in one transaction */
    if (pg)
        return init_postgresql(&reg, data, demo_path, hook, admin, password,
                               pwfile, cli_flag(&a, "demo"));
    /* 2. build into a temporary file, then rename: all or nothing */
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.init-tmp", db_path);
    unlink(tmp);
    struct init_plan plan = {.data = data,
                             .demo_path = demo_path,
                             .hook = hook,
                             .admin = admin,
                             .password = password,
                             .demo = cli_flag(&a, "demo")};
    struct store *s;
    if (store_open(tmp, STORE_CREATE, 1, &s, err, sizeof(err))) {
        fprintf(stderr, "infrashare: %s\n", err);
        registry_release(&reg);
        return 1;
    }
    struct store_conn *c = store_acquire(s);
    struct demo_stats ds = {0};
    int rc = init_fill(c, &reg, &plan, &ds, err, sizeof(err));
    store_put(s, c);
    store_close(s);
    registry_release(&reg);
    if (rc) {
        cli_errf("init failed: %s\n", "init に失敗しました: %s\n",
                 err[0] ? err : is_strerror(rc));
        cli_errf("nothing was written to %s\n",
                 "%s には何も書き込まれていません\n", db_path);
    }
    if (rc || init_install(tmp)) {
        unlink(tmp);
        return 1;
    }
    init_summary(&plan, &ds, pwfile);
    sodium_memzero(password, sizeof(password));
    return 0;
}

/* ---- user ---- */

/* The password of "user add" and "user passwd": read from --password-file
 * (checked against the length rule) or generated (*generated). Returns the
 * exit status: 0, or 1 with err set or read_secret's message printed. */
static int new_password(const struct cli_args *a, char *pw, size_t len,
                        bool *generated, char *err, size_t errlen)
{
    const char *file = cli_opt(a, "password-file");
    *generated = !file;
    if (!file) {
        auth_generate_password(pw, len);
        return 0;
    }
    if (read_secret(file, pw, len))
        return 1;
    if (!auth_password_ok(pw)) {
        cli_errs(err, errlen, "the password must have %d to %d characters",
                 "パスワードは %d から %d 文字にしてください", AUTH_PW_MIN,
                 AUTH_PW_MAX);
        return 1;
    }
    return 0;
}

/* "user add USER --org ORG --roles R,...". Returns the exit status; *rcp is the
 * last store or auth result, err a message for stderr. */
static int user_add(struct store_conn *c, const struct cli_args *a, char *err,
                    size_t errlen, int *rcp)
{
    int rc = 0, exit_code = 0;
    struct store_user u;
    memset(&u, 0, sizeof(u));
    const char *org = cli_opt(a, "org"), *roles = cli_opt(a, "roles");
    const char *lang = cli_opt(a, "lang") ? cli_opt(a, "lang") : "ja";
    struct access_org rel;
    char pw[AUTH_PW_MAX + 1];
    bool generated = false;
    if (a->npos != 1 || !org || !roles) {
        cli_errs(err, errlen, "user add needs USER, --org and --roles",
                 "user add には USER、--org、--roles が必要です");
        exit_code = 2;
    } else if (!auth_username_ok(a->pos[0])) {
        cli_errs(err, errlen,
                 "user name: 2 to 64 of a-z, 0-9, '.', '_' and '-', starting "
                 "with a letter or digit",
                 "利用者名: a-z、0-9、'.'、'_'、'-' の 2 から 64 "
                 "文字で、英字か数字で始めてください");
        exit_code = 2;
    } else if (roles_parse_list(roles, &u.roles)) {
        cli_errs(err, errlen,
                 "--roles: comma-separated from reader, reporter, liaison, "
                 "analyst, org_admin, auditor, admin",
                 "--roles: "
                 "reader、reporter、liaison、analyst、org_"
                 "admin、auditor、admin からカンマ区切りで指定してください");
        exit_code = 2;
    } else if (strcmp(lang, "ja") && strcmp(lang, "en")) {
        cli_errs(err, errlen, "--lang: ja or en", "--lang: ja または en です");
        exit_code = 2;
    } else if (store_org_rel(c, org, &rel)) {
        cli_errs(err, errlen, "--org: no organisation %s",
                 "--org: 組織 %s はありません", org);
        exit_code = 1;
    } else {
        exit_code = new_password(a, pw, sizeof(pw), &generated, err, errlen);
    }
    if (!exit_code) {
        /* command-line texts: one too long is refused, not cut */
        rc = util_copy(u.org_id, sizeof(u.org_id), org);
        if (!rc)
            rc = util_copy(u.username, sizeof(u.username), a->pos[0]);
        if (!rc)
            rc = util_copy(u.display_name, sizeof(u.display_name),
                           cli_opt(a, "name") ? cli_opt(a, "name") : "");
        if (!rc)
            rc = util_copy(u.lang, sizeof(u.lang), lang);
        if (rc)
            cli_errs(err, errlen,
                     "the organisation, user name, display name or language is "
                     "too long",
                     "組織、利用者名、表示名または言語が長すぎます");
        if (!rc)
            rc = auth_hash_password(pw, u.pw_hash, sizeof(u.pw_hash));
        int64_t id = 0;
        if (!rc && !(rc = store_begin(c))) {
            rc = store_user_insert(c, &u, util_now(), &id);
            if (!rc)
                rc = cli_audit(
                    c, "user.add", u.username,
                    json_pack("{s:s,s:s}", "org", org, "roles", roles));
            if (!rc)
                rc = store_commit(c);
            else
                store_rollback(c);
        }
        if (rc == IS_ERR_CONFLICT) {
            cli_errs(err, errlen, "user %s exists already",
                     "利用者 %s は既にいます", u.username);
            exit_code = 1;
        } else if (rc) {
            exit_code = 1;
        } else {
            printf("added user %s (id %lld) in %s\n", u.username, (long long)id,
                   org);
            if (generated)
                printf("password: %s  (shown once)\n", pw);
        }
        sodium_memzero(pw, sizeof(pw));
    }
    *rcp = rc;
    return exit_code;
}

/* "user list [--org ORG] [--with-demo]". Returns the exit status; *rcp is the
 * last store or auth result, err a message for stderr. */
static int user_list(struct store_conn *c, const struct cli_args *a, char *err,
                     size_t errlen, int *rcp)
{
    int rc = 0, exit_code = 0;
    json_t *users;
    rc =
        auth_users_json(c, cli_opt(a, "org"), cli_flag(a, "with-demo"), &users);
    if (!rc) {
        size_t i;
        json_t *u;
        json_array_foreach (users, i, u) {
            printf("%-6lld %-32s %-28s %-40s%s\n",
                   (long long)json_integer_value(json_object_get(u, "id")),
                   json_string_value(json_object_get(u, "username")),
                   json_string_value(json_object_get(u, "org")),
                   json_string_value(json_object_get(u, "roles")),
                   json_is_true(json_object_get(u, "disabled")) ? " DISABLED"
                                                                : "");
        }
        json_decref(users);
    } else {
        exit_code = 1;
    }
    *rcp = rc;
    return exit_code;
}

/* "user disable|enable|passwd USER". Returns the exit status; *rcp is the
 * last store or auth result, err a message for stderr. */
static int user_change(struct store_conn *c, const struct cli_args *a,
                       const char *sub, char *err, size_t errlen, int *rcp)
{
    int rc = 0, exit_code = 0;
    struct store_user u;
    if (a->npos != 1) {
        cli_errs(err, errlen, "user %s needs USER",
                 "user %s には USER が必要です", sub);
        exit_code = 2;
    } else if (store_user_by_name(c, a->pos[0], &u)) {
        cli_errs(err, errlen, "no user %s", "利用者 %s はいません", a->pos[0]);
        exit_code = 1;
    } else if (strcmp(sub, "passwd") == 0) {
        char pw[AUTH_PW_MAX + 1], hash[160];
        bool generated;
        exit_code = new_password(a, pw, sizeof(pw), &generated, err, errlen);
        if (!exit_code && !(rc = auth_hash_password(pw, hash, sizeof(hash))) &&
            !(rc = store_begin(c))) {
            rc = store_user_set_password(c, u.id, hash);
            if (!rc)
                rc = store_sessions_delete_user(c, u.id);
            if (!rc)
                rc = cli_audit(c, "user.passwd", u.username, NULL);
            rc = rc ? (store_rollback(c), rc) : store_commit(c);
            if (!rc) {
                printf("password of %s changed; its sessions ended\n",
                       u.username);
                if (generated)
                    printf("password: %s  (shown once)\n", pw);
            }
        }
        if (rc)
            exit_code = 1;
        sodium_memzero(pw, sizeof(pw));
    } else {
        bool dis = strcmp(sub, "disable") == 0;
        if (!(rc = store_begin(c))) {
            rc = store_user_set_disabled(c, u.id, dis);
            if (!rc && dis)
                rc = store_sessions_delete_user(c, u.id);
            if (!rc)
                rc = cli_audit(c, dis ? "user.disable" : "user.enable",
                               u.username, NULL);
            rc = rc ? (store_rollback(c), rc) : store_commit(c);
        }
        if (rc)
            exit_code = 1;
        else
            printf("user %s %s\n", u.username,
                   dis ? "disabled (sessions ended; tokens refused)"
                       : "enabled");
    }
    *rcp = rc;
    return exit_code;
}

static int cmd_user(int argc, char **argv)
{
    static const char *const flags[] = {"with-demo", NULL};
    static const char *const valued[] = {"org",  "roles",         "name",
                                         "lang", "password-file", NULL};
    struct cli_args a;
    if (argc < 1 || cli_parse(argc - 1, argv + 1, flags, valued, &a)) {
        usage(stderr);
        return 2;
    }
    const char *sub = argv[0];
    struct store *s;
    if (open_db(&s))
        return 1;
    struct store_conn *c = store_acquire(s);
    int rc = 0, exit_code = 0;
    char err[256] = "";
    if (strcmp(sub, "add") == 0) {
        exit_code = user_add(c, &a, err, sizeof(err), &rc);
    } else if (strcmp(sub, "list") == 0) {
        exit_code = user_list(c, &a, err, sizeof(err), &rc);
    } else if (strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0 ||
               strcmp(sub, "passwd") == 0) {
        exit_code = user_change(c, &a, sub, err, sizeof(err), &rc);
    } else {
        cli_errs(err, sizeof(err), "unknown user command '%s'",
                 "'%s' という user コマンドはありません", sub);
        exit_code = 2;
    }
    if (exit_code && err[0])
        fprintf(stderr, "infrashare: %s\n", err);
    else if (exit_code && rc)
        fprintf(stderr, "infrashare: %s\n", is_strerror(rc));
    store_put(s, c);
    close_db(s);
    return exit_code;
}

/* ---- org ---- */

static void print_org_line(json_t *o)
{
    json_t *name = json_object_get(o, "name");
    printf("%-28s %-9s %-20s %s / %s\n",
           json_string_value(json_object_get(o, "id")),
           json_string_value(json_object_get(o, "kind")),
           json_is_string(json_object_get(o, "scope"))
               ? json_string_value(json_object_get(o, "scope"))
               : "-",
           json_string_value(json_object_get(name, "ja")),
           json_string_value(json_object_get(name, "en")));
}

/* org add ID --scope S --name-ja J --name-en E [--ceptoar C]...
 * (operators; national bodies come from data/registry) */
static int org_add(struct store_conn *c, const struct cli_args *a, int argc,
                   char **argv)
{
    const char *scope = cli_opt(a, "scope");
    const char *ja = cli_opt(a, "name-ja"), *en = cli_opt(a, "name-en");
    if (a->npos != 1 || !scope || !ja || !en) {
        fprintf(stderr, "infrashare: org add ID --scope S --name-ja J "
                        "--name-en E [--ceptoar C ...]\n");
        return 2;
    }
    const char *id = a->pos[0];
    size_t n = strlen(id);
    bool ok = n >= 2 && n <= 63;
    for (const char *p = id; *p && ok; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
             *p == '-' || *p == '_';
    if (!ok || util_utf8_len(ja) > 200 || util_utf8_len(en) > 200 ||
        !util_utf8_ok(ja, strlen(ja)) || !util_utf8_ok(en, strlen(en))) {
        cli_errf("id: 2-63 of a-z 0-9 - _; names: up to 200 characters\n",
                 "ID: a-z 0-9 - _ の 2 から 63 文字、名称: 200 文字まで\n");
        return 2;
    }
    if (store_names(c, "scope", scope, NULL, 0, NULL, 0)) {
        cli_errf("--scope: no business scope %s\n",
                 "--scope: 業務範囲 %s はありません\n", scope);
        return 1;
    }
    /* every --ceptoar given (repeatable) must be a CEPTOAR */
    const char *ceps[8];
    int nc = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--ceptoar") || i + 1 >= argc)
            continue;
        struct access_org rel;
        if (store_org_rel(c, argv[i + 1], &rel) ||
            strcmp(rel.kind, "ceptoar") != 0) {
            cli_errf("--ceptoar: %s is not a CEPTOAR\n",
                     "--ceptoar: %s はセプターではありません\n", argv[i + 1]);
            return 1;
        }
        if (nc < 8)
            ceps[nc++] = argv[i + 1];
    }
    /* every --subgroup given (repeatable) must be a sub-group of one of
     * those CEPTOARs */
    const char *sgs[8];
    int ns = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--subgroup") || i + 1 >= argc)
            continue;
        char cep[IDS_LEN];
        bool in = false;
        if (!store_subgroup_ceptoar(c, argv[i + 1], cep, sizeof(cep)))
            for (int k = 0; k < nc; k++)
                in |= strcmp(ceps[k], cep) == 0;
        if (!in) {
            cli_errf(
                "--subgroup: %s is not a sub-group of a --ceptoar given\n",
                "--subgroup: %s は指定した --ceptoar の部会ではありません\n",
                argv[i + 1]);
            return 1;
        }
        if (ns < 8)
            sgs[ns++] = argv[i + 1];
    }
    struct store_org o = {.id = id,
                          .kind = "operator",
                          .name_ja = ja,
                          .name_en = en,
                          .short_en = "",
                          .scope_id = scope,
                          .attrs = "{}"};
    int rc = store_begin(c);
    if (!rc)
        rc = store_org_insert(c, &o, util_now());
    for (int i = 0; !rc && i < nc; i++)
        rc = store_membership_insert(c, id, ceps[i]);
    for (int i = 0; !rc && i < ns; i++)
        rc = store_subgroup_member_add(c, sgs[i], id);
    if (!rc)
        rc = cli_audit(c, "org.add", id,
                       json_pack("{s:s,s:i}", "scope", scope, "ceptoars", nc));
    rc = rc ? (store_rollback(c), rc) : store_commit(c);
    if (rc == IS_ERR_CONFLICT) {
        cli_errf("organisation %s exists already\n", "組織 %s は既にあります\n",
                 id);
        return 1;
    }
    if (rc) {
        fprintf(stderr, "infrashare: %s\n", is_strerror(rc));
        return 1;
    }
    printf("added operator %s (%s) with %d CEPTOAR membership(s)\n", id, scope,
           nc);
    return 0;
}

/* org contact ORG --channel C --address A [--priority N] [--emergency]
 * [--lang ja|en] */
static int org_contact(struct store_conn *c, const struct cli_args *a)
{
    static const char *const channels[] = {"email", "webhook", "phone",
                                           "sms",   "fax",     NULL};
    static const char *const langs[] = {"ja", "en", NULL};
    const char *ch = cli_opt(a, "channel"), *addr = cli_opt(a, "address");
    const char *lang = cli_opt(a, "lang") ? cli_opt(a, "lang") : "ja";
    long prio = 1;
    /* a value outside its set or range: named with the one given */
    if (!cli_enum_opt(a, "channel", channels) ||
        !cli_enum_opt(a, "lang", langs) ||
        cli_long_opt(a, "priority", 1, 99, 1, &prio))
        return 2;
    if (addr && strlen(addr) > 500) {
        cli_errf("--address: at most 500 bytes\n",
                 "--address: 500 バイト以内で指定してください\n");
        return 2;
    }
    if (a->npos != 1 || !ch || !addr) {
        fprintf(stderr, "infrashare: org contact ORG --channel "
                        "email|webhook|phone|sms|fax --address A "
                        "[--priority 1-99] [--emergency] [--lang ja|en]\n");
        return 2;
    }
    bool is_url =
        strncmp(addr, "http://", 7) == 0 || strncmp(addr, "https://", 8) == 0;
    if ((strcmp(ch, "email") == 0) == is_url ||
        (strcmp(ch, "email") == 0 && !strchr(addr, '@'))) {
        cli_errf("--address: an e-mail address for email, an http(s) URL for "
                 "the other channels\n",
                 "--address: email はメールアドレス、その他の経路は http(s) の "
                 "URL で指定してください\n");
        return 2;
    }
    struct access_org rel;
    if (store_org_rel(c, a->pos[0], &rel)) {
        cli_errf("no organisation %s\n", "組織 %s はありません\n", a->pos[0]);
        return 1;
    }
    char secret[65];
    util_random_hex(secret, 32);
    struct store_contact k = {.org_id = a->pos[0],
                              .channel = ch,
                              .address = addr,
                              .secret = strcmp(ch, "email") ? secret : NULL,
                              .lang = lang,
                              .priority = (int)prio,
                              .emergency = cli_flag(a, "emergency")};
    int rc = store_begin(c);
    if (!rc)
        rc = store_contact_insert(c, &k, util_now());
    if (!rc)
        rc = cli_audit(c, "contact.add", a->pos[0],
                       json_pack("{s:s}", "channel", ch));
    rc = rc ? (store_rollback(c), rc) : store_commit(c);
    if (rc) {
        fprintf(stderr, "infrashare: %s\n", is_strerror(rc));
        return 1;
    }
    printf("added %s contact for %s\n", ch, a->pos[0]);
    if (k.secret) {
        printf("signing secret: %s  (shown once: give it to the receiver "
               "to verify X-Infrashare-Signature)\n",
               secret);
        printf("署名の検証 / verifying: X-Infrashare-Signature: "
               "t=<T>,v1=<hex>; v1 = HMAC-SHA256(key, \"<T>.\" + raw "
               "body)\n"
               "  key = this secret decoded from hex to 32 bytes (not the "
               "64 characters as text)\n"
               "  鍵はこの秘密を16進数から復号した32バイト（64文字の文字列"
               "そのものではない）\n"
               "  { printf '%%s.' \"$T\"; cat body.json; } | openssl dgst "
               "-sha256 -mac HMAC -macopt hexkey:%s\n",
               secret);
    }
    return 0;
}

static int cmd_org(int argc, char **argv)
{
    static const char *const flags[] = {"json", "emergency", NULL};
    static const char *const valued[] = {
        "kind",    "scope",   "ceptoar",  "limit", "name-ja",  "name-en",
        "channel", "address", "priority", "lang",  "subgroup", NULL};
    struct cli_args a;
    if (argc < 1 || cli_parse(argc - 1, argv + 1, flags, valued, &a)) {
        usage(stderr);
        return 2;
    }
    struct store *s;
    if (open_db(&s))
        return 1;
    struct store_conn *c = store_acquire(s);
    int exit_code = 0;
    if (strcmp(argv[0], "add") == 0) {
        exit_code = org_add(c, &a, argc, argv);
    } else if (strcmp(argv[0], "contact") == 0) {
        exit_code = org_contact(c, &a);
    } else if (strcmp(argv[0], "list") == 0) {
        long limit = 100000;
        if (cli_opt(&a, "limit") &&
            util_parse_long(cli_opt(&a, "limit"), 1, 100000, &limit)) {
            cli_errf("--limit: 1 to 100000\n",
                     "--limit: 1 から 100000 で指定してください\n");
            exit_code = 2;
        } else if (cli_opt(&a, "kind") &&
                   !org_kind_valid(cli_opt(&a, "kind"))) {
            cli_errf(
                "--kind: nisc, ministry, ceptoar, council, agency or "
                "operator\n",
                "--kind: nisc、ministry、ceptoar、council、agency、operator "
                "のいずれかです\n");
            exit_code = 2;
        } else {
            struct store_org_filter f = {.kind = cli_opt(&a, "kind"),
                                         .scope = cli_opt(&a, "scope"),
                                         .ceptoar = cli_opt(&a, "ceptoar"),
                                         .limit = (int)limit,
                                         .view = ACCESS_VIEW_ALL};
            json_t *items;
            char *next = NULL;
            if (registry_orgs_json(c, &f, &items, &next)) {
                exit_code = 1;
            } else {
                size_t i;
                json_t *o;
                json_array_foreach (items, i, o)
                    print_org_line(o);
                json_decref(items);
                free(next);
            }
        }
    } else if (strcmp(argv[0], "show") == 0 && a.npos == 1) {
        json_t *o;
        int rc = registry_org_json(c, a.pos[0], &o);
        if (rc == IS_ERR_NOTFOUND) {
            cli_errf("no organisation %s\n", "組織 %s はありません\n",
                     a.pos[0]);
            exit_code = 1;
        } else if (rc) {
            exit_code = 1;
        } else {
            json_t *contacts = NULL;
            if (!registry_contacts_json(c, a.pos[0], &contacts))
                json_object_set_new(o, "contacts", contacts);
            json_dumpf(o, stdout, JSON_INDENT(2));
            putchar('\n');
            json_decref(o);
        }
    } else {
        usage(stderr);
        exit_code = 2;
    }
    store_put(s, c);
    close_db(s);
    return exit_code;
}

/* ---- token ---- */

static int cmd_token(int argc, char **argv)
{
    static const char *const valued[] = {"name", "expires-days", NULL};
    struct cli_args a;
    if (argc < 1 || cli_parse(argc - 1, argv + 1, NULL, valued, &a) ||
        a.npos != 1) {
        usage(stderr);
        return 2;
    }
    long days = 0;
    if (cli_opt(&a, "expires-days") &&
        util_parse_long(cli_opt(&a, "expires-days"), 1, 3650, &days)) {
        cli_errf("--expires-days: 1 to 3650\n",
                 "--expires-days: 1 から 3650 で指定してください\n");
        return 2;
    }
    struct store *s;
    if (open_db(&s))
        return 1;
    struct store_conn *c = store_acquire(s);
    int exit_code = 0, rc = 0;
    int64_t now = util_now();
    if (strcmp(argv[0], "create") == 0 || strcmp(argv[0], "list") == 0) {
        struct store_user u;
        if (store_user_by_name(c, a.pos[0], &u)) {
            cli_errf("no user %s\n", "利用者 %s はいません\n", a.pos[0]);
            exit_code = 1;
        } else if (strcmp(argv[0], "list") == 0) {
            json_t *items;
            if (auth_tokens_json(c, u.id, &items)) {
                exit_code = 1;
            } else {
                json_dumpf(items, stdout, JSON_INDENT(2));
                putchar('\n');
                json_decref(items);
            }
        } else {
            char token[AUTH_TOKEN_LEN], id[33];
            const char *name =
                cli_opt(&a, "name") ? cli_opt(&a, "name") : "cli";
            int64_t expires = days ? now + days * 86400 : 0;
            rc = auth_token_create(c, NULL, u.id, name, &expires, now, token,
                                   id);
            if (rc) {
                exit_code = 1;
            } else {
                printf("token id %s for %s\n%s\n(shown once: store it now)\n",
                       id, u.username, token);
            }
        }
    } else if (strcmp(argv[0], "revoke") == 0) {
        rc = auth_token_revoke(c, NULL, a.pos[0], now);
        if (rc == IS_ERR_NOTFOUND) {
            cli_errf("no active token %s\n", "有効なトークン %s はありません\n",
                     a.pos[0]);
            exit_code = 1;
        } else if (rc) {
            exit_code = 1;
        } else {
            printf("token %s revoked\n", a.pos[0]);
        }
    } else {
        usage(stderr);
        exit_code = 2;
    }
    if (exit_code == 1 && rc && rc != IS_ERR_NOTFOUND)
        fprintf(stderr, "infrashare: %s\n", is_strerror(rc));
    store_put(s, c);
    close_db(s);
    return exit_code;
}

/* ---- audit ---- */

static int cmd_audit(int argc, char **argv)
{
    static const char *const valued[] = {"after", "limit", NULL};
    struct cli_args a;
    if (argc < 1 || cli_parse(argc - 1, argv + 1, NULL, valued, &a)) {
        usage(stderr);
        return 2;
    }
    struct store *s;
    if (open_db(&s))
        return 1;
    struct store_conn *c = store_acquire(s);
    int exit_code = 0;
    if (strcmp(argv[0], "verify") == 0) {
        struct store_audit_report r;
        if (store_audit_verify(c, &r)) {
            cli_errf("cannot read the audit log\n", "監査ログを読めません\n");
            exit_code = 1;
        } else if (r.nproblems) {
            printf("audit log: %lld entries, %d problem(s):\n",
                   (long long)r.entries, r.nproblems);
            for (int i = 0; i < r.nproblems; i++)
                printf("  %s entry %lld: %s\n", r.problems[i].kind,
                       (long long)r.problems[i].seq, r.problems[i].message);
            exit_code = 3;
        } else {
            printf("audit log OK: %lld entries, chain intact\n"
                   "withheld actors: %lld, each matches its commitment\n"
                   "head %s\n",
                   (long long)r.entries, (long long)r.withheld,
                   r.head[0] ? r.head : "(empty)");
        }
    } else if (strcmp(argv[0], "list") == 0) {
        long after = 0, limit = 100;
        if ((cli_opt(&a, "after") &&
             util_parse_long(cli_opt(&a, "after"), 0, LONG_MAX, &after)) ||
            (cli_opt(&a, "limit") &&
             util_parse_long(cli_opt(&a, "limit"), 1, 100000, &limit))) {
            cli_errf("--after >= 0, --limit 1..100000\n",
                     "--after は 0 以上、--limit は 1 から 100000 です\n");
            exit_code = 2;
        } else {
            json_t *items;
            struct store_audit_query q = {.after = after, .limit = (int)limit};
            /* the whole log, withheld actors withheld here too */
            if (audit_entries_json(c, NULL, &q, &items)) {
                exit_code = 1;
            } else {
                size_t i;
                json_t *e;
                json_array_foreach (items, i, e) {
                    char *line = json_dumps(e, JSON_COMPACT);
                    printf("%s\n", line ? line : "");
                    free(line);
                }
                json_decref(items);
            }
        }
    } else {
        usage(stderr);
        exit_code = 2;
    }
    store_put(s, c);
    store_close(s);
    return exit_code;
}

/* "migrate-store --to URI": this SQLite database copied into an empty
 * PostgreSQL one (store_copy: one snapshot, one transaction, counts
 * compared), then the audit chain verified on both: same entries, same
 * head. */
static int cmd_migrate_store(int argc, char **argv)
{
    static const char *const flags[] = {NULL};
    static const char *const valued[] = {"to", NULL};
    struct cli_args a;
    if (cli_parse(argc, argv, flags, valued, &a))
        return 2;
    const char *to = cli_opt(&a, "to");
    if (!to || !store_is_postgresql(to)) {
        cli_errf("migrate-store: --to must be a postgresql:// URI\n",
                 "migrate-store: --to には postgresql:// の URI "
                 "を指定してください\n");
        return 2;
    }
    if (store_is_postgresql(db_path)) {
        cli_errf(
            "migrate-store: the source (--db) must be an SQLite database\n",
            "migrate-store: 移行元（--db）は SQLite "
            "のデータベースにしてください\n");
        return 2;
    }
    if (store_db_has_password(to))
        warn_password_shown("--to");
    char shown[512], err[1024] = "";
    store_redact(to, shown, sizeof(shown));
    struct store *src = NULL, *dst = NULL;
    if (open_db(&src))
        return 1;
    if (store_open(to, STORE_CREATE, 1, &dst, err, sizeof(err))) {
        fprintf(stderr, "infrashare: %s\n", err);
        store_close(src);
        return 1;
    }
    struct store_copy_report rep;
    int rc = store_copy(src, dst, &rep, err, sizeof(err));
    if (rc) {
        cli_errf(
            "migrate-store: %s\ninfrashare: nothing was written to %s\n",
            "migrate-store: %s\ninfrashare: %s には何も書き込まれていません\n",
            err, shown);
    } else {
        struct store_audit_report *ra = calloc(2, sizeof(*ra));
        struct store_conn *c = store_acquire(src);
        struct store_conn *d = store_acquire(dst);
        rc = !ra || store_audit_verify(c, &ra[0]) ||
             store_audit_verify(d, &ra[1]);
        store_put(src, c);
        store_put(dst, d);
        if (!rc && (ra[1].nproblems || ra[0].entries != ra[1].entries ||
                    strcmp(ra[0].head, ra[1].head) != 0)) {
            cli_errf("migrate-store: the audit chain differs after the copy: "
                     "%lld entries, head %s in the source; %lld entries, head "
                     "%s, %d problem(s) in %s\n",
                     "migrate-store: 複写後の監査チェーンが一致しません: "
                     "移行元は %lld 件、先頭 %s。移行先は %lld 件、先頭 "
                     "%s、問題 %d 件（%s）\n",
                     (long long)ra[0].entries, ra[0].head,
                     (long long)ra[1].entries, ra[1].head, ra[1].nproblems,
                     shown);
            rc = 1;
        } else if (!rc) {
            printf("copied %s to %s: %d tables, %lld rows, each table's "
                   "count equal\n"
                   "audit chain intact in both: %lld entries, head %s\n",
                   db_path, shown, rep.tables, (long long)rep.rows,
                   (long long)ra[1].entries,
                   ra[1].head[0] ? ra[1].head : "(empty)");
        } else {
            cli_errf("migrate-store: cannot verify the audit chains\n",
                     "migrate-store: 監査チェーンを検証できません\n");
        }
        free(ra);
    }
    store_close(src);
    store_close(dst);
    return rc ? 1 : 0;
}

static int cmd_backup(int argc, char **argv)
{
    if (argc != 1) {
        usage(stderr);
        return 2;
    }
    struct store *s;
    if (open_db(&s))
        return 1;
    char err[512];
    int rc = store_backup(s, argv[0], err, sizeof(err));
    if (rc)
        fprintf(stderr, "infrashare: %s\n", err);
    else
        printf("backed up %s to %s\n", db_path, argv[0]);
    store_close(s);
    return rc ? 1 : 0;
}

/* infrashare exercise check FILE [--registry]: a cross-sector exercise's
 * scenario file checked (issue 14; service/exercise_scenario.h); with
 * --registry, every organisation and sector it names against the
 * database's registry too. Exit 0 and a summary, or 1 and the first
 * problem, named by its field. The other exercise commands are client
 * commands (cli/client_exercise.c). */
static int cmd_exercise(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "check") != 0)
        return cli_exercise(argc, argv);
    bool registry = argc == 3 && strcmp(argv[2], "--registry") == 0;
    if ((argc != 2 && !registry) || strcmp(argv[0], "check") != 0) {
        fprintf(stderr, "infrashare: exercise check FILE [--registry]\n");
        return 2;
    }
    json_error_t je;
    json_t *j = json_load_file(argv[1], JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        cli_json_error(argv[1], &je);
        return 1;
    }
    struct store *st = NULL;
    struct store_conn *c = NULL;
    if (registry) {
        if (open_db(&st)) {
            json_decref(j);
            return 1;
        }
        c = store_acquire(st);
    }
    struct ex_scenario *sc = calloc(1, sizeof(*sc));
    struct svc_error e = {0};
    int rc = sc ? exercise_scenario_load(c, j, sc, &e) : IS_ERR_NOMEM;
    if (rc)
        fprintf(stderr, "infrashare: %s: %s (%s)\n", argv[1],
                e.message[0] ? e.message : is_strerror(rc),
                e.code[0] ? e.code : "error");
    else {
        int nexpect = 0, nbranch = 0;
        for (int i = 0; i < sc->ninjects; i++) {
            nexpect += sc->inject[i].nexpect;
            nbranch += sc->inject[i].when.present;
        }
        printf("%s: %d injects over %d minutes, %d expected actions, %d "
               "branch(es): sound%s\n",
               argv[1], sc->ninjects, sc->inject[sc->ninjects - 1].at_min,
               nexpect, nbranch,
               registry ? " (names checked against the registry)" : "");
    }
    free(sc);
    if (st) {
        store_put(st, c);
        store_close(st);
    }
    json_decref(j);
    return rc ? 1 : 0;
}

/* ---- batch ---- */

/* infrashare batch: the user, org and token commands of standard input,
 * one a line, run in order on one connection to the database (README,
 * "infrashare batch"). Every line is read and checked first: a line that
 * cannot be split, names another command or is too long, and nothing
 * runs (exit 2). Each line then commits as it would alone; the batch
 * stops at the first that fails, says which, and exits with its status:
 * the lines before it stay done, none after it runs. */
#define BATCH_MAX_BYTES (16u << 20)
#define BATCH_MAX_LINE 65536
#define BATCH_MAX_WORDS 64

struct batch_line {
    size_t no; /* 1-based, in the input */
    int argc;
    char **argv; /* into the input's text */
};

static void batch_free(struct batch_line *lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(lines[i].argv);
    free(lines);
}

static int batch_read(char *text, struct batch_line **out, size_t *nout)
{
    struct batch_line *lines = NULL;
    size_t n = 0, cap = 0, no = 0;
    char *p = text;
    while (*p) {
        char *e = strchr(p, '\n');
        if (e)
            *e = '\0';
        no++;
        size_t len = strlen(p);
        char *words[BATCH_MAX_WORDS];
        int nw = 0;
        enum cli_split_error why = CLI_SPLIT_OK;
        const char *bad = NULL, *bad_ja = NULL;
        if (len > BATCH_MAX_LINE) {
            bad = "longer than 65536 bytes";
            bad_ja = "65536 バイトを超えています";
        } else if (cli_split_line(p, words, BATCH_MAX_WORDS, &nw, &why)) {
            bad = why == CLI_SPLIT_OPEN_QUOTE ? "a quote is not closed"
                                              : "more than 64 words";
            bad_ja = why == CLI_SPLIT_OPEN_QUOTE ? "引用符が閉じていません"
                                                 : "64 語を超えています";
        } else if (nw > 0 && strcmp(words[0], "user") != 0 &&
                   strcmp(words[0], "org") != 0 &&
                   strcmp(words[0], "token") != 0) {
            bad = "only user, org and token commands run in a batch";
            bad_ja = "batch で実行できるのは user、org、token コマンドだけです";
        }
        if (bad) {
            cli_errf("batch: line %zu: %s; nothing was run\n",
                     "batch: %zu 行目: %s。何も実行していません\n", no,
                     cli_locale_ja() ? bad_ja : bad);
            batch_free(lines, n);
            return 2;
        }
        if (nw > 0) {
            if (n == cap) {
                size_t nc = cap ? 2 * cap : 64;
                struct batch_line *g = realloc(lines, nc * sizeof(*g));
                if (!g) {
                    batch_free(lines, n);
                    return 1;
                }
                lines = g;
                cap = nc;
            }
            lines[n].no = no;
            lines[n].argc = nw;
            lines[n].argv = malloc((size_t)nw * sizeof(char *));
            if (!lines[n].argv) {
                batch_free(lines, n);
                return 1;
            }
            memcpy(lines[n].argv, words, (size_t)nw * sizeof(char *));
            n++;
        }
        p = e ? e + 1 : p + len;
    }
    *out = lines;
    *nout = n;
    return 0;
}

static int cmd_batch(int argc, char **argv)
{
    (void)argv;
    if (argc != 0) {
        cli_errf("batch takes no arguments: it reads its commands from "
                 "standard input\n",
                 "batch は引数を取りません。コマンドは標準入力から読みます\n");
        return 2;
    }
    char *text = NULL;
    size_t len = 0;
    int rc = util_read_file("/dev/stdin", BATCH_MAX_BYTES, &text, &len);
    if (rc == IS_ERR_LIMIT) {
        cli_errf("batch: standard input is over 16 MiB; nothing was run\n",
                 "batch: 標準入力が 16 MiB を超えています。何も実行していま"
                 "せん\n");
        return 2;
    }
    if (rc) {
        cli_errf("batch: cannot read standard input\n",
                 "batch: 標準入力を読めません\n");
        return 1;
    }
    if (memchr(text, '\0', len)) {
        cli_errf("batch: standard input holds a NUL byte; nothing was run\n",
                 "batch: 標準入力に NUL バイトがあります。何も実行していま"
                 "せん\n");
        free(text);
        return 2;
    }
    struct batch_line *lines = NULL;
    size_t n = 0;
    int exit_code = batch_read(text, &lines, &n);
    if (exit_code == 1)
        cli_errf("out of memory\n", "メモリが足りません\n");
    if (!exit_code && n && open_db(&batch_store))
        exit_code = 1;
    for (size_t i = 0; !exit_code && i < n; i++) {
        const char *cmd = lines[i].argv[0];
        int sub_argc = lines[i].argc - 1;
        char **sub_argv = lines[i].argv + 1;
        int st = strcmp(cmd, "user") == 0  ? cmd_user(sub_argc, sub_argv)
                 : strcmp(cmd, "org") == 0 ? cmd_org(sub_argc, sub_argv)
                                           : cmd_token(sub_argc, sub_argv);
        fflush(stdout);
        if (st) {
            cli_errf("batch: line %zu failed (exit %d): the %zu command(s) "
                     "before it are done, none after it was run\n",
                     "batch: %zu 行目が失敗しました（終了コード %d）。それより"
                     "前の %zu 個のコマンドは実行済み、後ろのコマンドは実行"
                     "していません\n",
                     lines[i].no, st, i);
            exit_code = st;
        }
    }
    if (batch_store)
        store_close(batch_store);
    batch_store = NULL;
    batch_free(lines, n);
    free(text);
    return exit_code;
}

int main(int argc, char **argv)
{
    /* what the command line writes (a new database, a backup, an export,
     * a debrief) is its owner's alone, as the daemon's files */
    umask(077);
    if (sodium_init() < 0) {
        cli_errf("libsodium failed to initialise\n",
                 "libsodium を初期化できません\n");
        return 1;
    }
    log_set_level(LOG_WARN);
    /* the global options, before the command, in any order: --db for the
     * admin commands, --url and --token for the client commands (which
     * also take them after the command, where they win) */
    int i = 1;
    const char *url = NULL, *token = NULL;
    bool db_given = false;
    while (i < argc && strncmp(argv[i], "--", 2) == 0 &&
           strcmp(argv[i], "--help") != 0) {
        const char *o = argv[i] + 2;
        const char **to = strcmp(o, "db") == 0      ? &db_path
                          : strcmp(o, "url") == 0   ? &url
                          : strcmp(o, "token") == 0 ? &token
                                                    : NULL;
        if (!to) {
            cli_errf("unknown option %s before the command: only --db, --url "
                     "and --token go there, a command's options follow it\n",
                     "コマンドの前に置けるオプションは --db、--url、--token "
                     "だけです（%s は置けません）。コマンドのオプションは"
                     "コマンドの後に指定してください\n",
                     argv[i]);
            usage(stderr);
            return 2;
        }
        if (i + 1 >= argc) {
            cli_errf("%s needs a value\n", "%s には値が必要です\n", argv[i]);
            return 2;
        }
        *to = argv[i + 1];
        db_given |= to == &db_path;
        i += 2;
    }
    if (getenv("INFRASHARE_DB") && !db_given)
        db_path = getenv("INFRASHARE_DB");
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[i];
    int sub_argc = argc - i - 1;
    char **sub_argv = argv + i + 1;
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ||
        strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "drills") == 0) /* the same command, either name */
        cmd = "drill";
    for (int k = 0; k < sub_argc; k++)
        if (strcmp(sub_argv[k], "--help") == 0 ||
            strcmp(sub_argv[k], "-h") == 0 ||
            (k == 0 && strcmp(sub_argv[k], "help") == 0)) {
            if (usage_of(cmd))
                return 0;
            break; /* not a command: said below */
        }
    /* the process list shows this command line to every local user */
    if (db_given && store_db_has_password(db_path))
        warn_password_shown("--db");
    static const char *const admin_only[] = {"init",          "user",  "org",
                                             "token",         "audit", "backup",
                                             "migrate-store", "batch"};
    /* given before the command or after it (no admin command has an
     * option of either name) */
    bool client_opt = url || token;
    for (int k = 0; k < sub_argc; k++)
        client_opt |=
            !strcmp(sub_argv[k], "--url") || !strcmp(sub_argv[k], "--token");
    for (size_t k = 0; client_opt && k < IS_ARRAY_LEN(admin_only); k++) {
        if (strcmp(cmd, admin_only[k]) == 0) {
            cli_errf("--url and --token are for the client commands; %s "
                     "works on the database (--db)\n",
                     "--url と --token はクライアントコマンド用です。%s は"
                     "データベースを直接扱います（--db）\n",
                     cmd);
            return 2;
        }
    }
    /* the client commands read them as INFRASHARE_URL / INFRASHARE_TOKEN,
     * below an option after the command */
    if ((url && setenv("INFRASHARE_URL", url, 1)) ||
        (token && setenv("INFRASHARE_TOKEN", token, 1))) {
        cli_errf("out of memory\n", "メモリが足りません\n");
        return 1;
    }
    if (strcmp(cmd, "init") == 0)
        return cmd_init(sub_argc, sub_argv);
    if (strcmp(cmd, "user") == 0)
        return cmd_user(sub_argc, sub_argv);
    if (strcmp(cmd, "org") == 0)
        return cmd_org(sub_argc, sub_argv);
    if (strcmp(cmd, "token") == 0)
        return cmd_token(sub_argc, sub_argv);
    if (strcmp(cmd, "audit") == 0)
        return cmd_audit(sub_argc, sub_argv);
    if (strcmp(cmd, "backup") == 0)
        return cmd_backup(sub_argc, sub_argv);
    if (strcmp(cmd, "migrate-store") == 0)
        return cmd_migrate_store(sub_argc, sub_argv);
    if (strcmp(cmd, "batch") == 0)
        return cmd_batch(sub_argc, sub_argv);
    if (strcmp(cmd, "exercise") == 0)
        return cmd_exercise(sub_argc, sub_argv);
    if (strcmp(cmd, "survey") == 0) /* issue 15: cli/client_survey.c */
        return cli_survey(sub_argc, sub_argv);
    if (strcmp(cmd, "bcp") == 0)
        return cli_bcp(sub_argc, sub_argv);
    if (strcmp(cmd, "risk") == 0) /* cli/client_risk.c */
        return cli_risk(sub_argc, sub_argv);
    if (strcmp(cmd, "stix") == 0) /* issue 16: cli/client_stix.c */
        return cli_stix(sub_argc, sub_argv);
    if (strcmp(cmd, "taxii") == 0) /* issue 16: cli/client_taxii.c */
        return cli_taxii(sub_argc, sub_argv);
    if (strcmp(cmd, "whoami") == 0 || strcmp(cmd, "sectors") == 0 ||
        strcmp(cmd, "api") == 0 || strcmp(cmd, "report") == 0 ||
        strcmp(cmd, "advisory") == 0 || strcmp(cmd, "drill") == 0 ||
        strcmp(cmd, "agreements") == 0 || strcmp(cmd, "lists") == 0 ||
        strcmp(cmd, "declarations") == 0 || strcmp(cmd, "drills") == 0 ||
        strcmp(cmd, "site") == 0 || strcmp(cmd, "c4tap") == 0)
        return cli_client(cmd, sub_argc, sub_argv);
    cli_errf("unknown command '%s'\n", "'%s' というコマンドはありません\n",
             cmd);
    usage(stderr);
    return 2;
}
