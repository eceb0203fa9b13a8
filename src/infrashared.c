/*
 * infrashared - the infrashare hub daemon.
 *
 *   infrashared [--db PATH] [--listen ADDR] [--port N] [--threads N]
 *               [--port-file FILE] [--log-level debug|info|warn|error]
 *               [--cookie-secure] [--node-id ID]
 *
 * Stops cleanly on SIGINT or SIGTERM.
 */
#include "common/common.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sodium.h>
#include <signal.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "http/http.h"
#include "common/log.h"
#include "service/guideline.h"
#include "service/app.h"
#include "service/auth.h"
#include "service/alerts.h"
#include "service/exercise_run.h"
#include "service/provision.h"
#include "service/rcache.h"
#include "service/reporting.h"
#include "service/worker.h"
#include "deliver/message.h"
#include "deliver/outbox.h"
#include "service/obs_prober.h"
#include "service/taxii_sync.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include "store/store.h"
#include "common/util.h"

static void usage(void)
{
    fprintf(stderr,
            "usage: infrashared [--db PATH] [--listen ADDR] [--port N] "
            "[--threads N]\n"
            "                   [--port-file FILE] [--log-level LEVEL] "
            "[--cookie-secure]\n"
            "                   [--tick-ms N]   (background work interval, "
            "default 5000)\n"
            "                   [--public-url URL] [--smtp-url smtp://H:P] "
            "[--mail-from ADDR]\n"
            "                   [--delivery-attempts N] [--retry-base-s N] "
            "[--retry-cap-s N]\n"
            "                   [--http-timeout-s N] [--max-inflight N] "
            "[--ack-deadlines H,M,L]\n"
            "                   [--metrics-token-file FILE]   (the bearer "
            "token GET /metrics requires)\n"
            "                   [--test-mode]   (tests only: loopback site "
            "URLs, intervals from 1 s)\n"
            "                   [--probe | --no-probe] [--probe-resolver "
            "ADDR:PORT]   (the hub's own prober; on by default)\n"
            "                   [--c4tap-address ADDR] "
            "[--c4tap-intake-token-file FILE]   (C4TAP mail intake)\n"
            "                   [--node-id ID]   (this hub in GET /readyz "
            "and /metrics; default the host name)\n"
            "                   [--request-head-timeout-s N]   (a request's "
            "head must arrive within N s; default 20)\n"
            "                   [--request-body-timeout-s N]   (its body "
            "within N s + 1 s per 64 KiB; default 30)\n"
            "                   [--max-connections N]   (open at once, 16 "
            "to 65536; default 4096)\n"
            "                   [--trusted-proxies ADDR,...]   (load "
            "balancers: their X-Forwarded-For names the client)\n"
            "                   [--stop-timeout-s N]   (a stop not done "
            "within N s is forced; default 30)\n"
            "                   [-h | --help]\n"
            "  --listen takes an IPv4 or IPv6 address (default 127.0.0.1);"
            " :: listens on IPv6 and IPv4\n"
            "  --test-mode is refused unless --listen is a loopback address\n"
            "  --node-id is 1 to 63 characters of A-Z a-z 0-9 . _ -\n");
}

/* Parses "a,b,c" of three positive integers. */
static int parse_three(const char *s, int out[3])
{
    char buf[64];
    if (util_copy(buf, sizeof(buf), s))
        return IS_ERR_INVALID;
    char *p = buf;
    for (int i = 0; i < 3; i++) {
        char *e = strchr(p, ',');
        if ((i < 2) != (e != NULL))
            return IS_ERR_INVALID;
        if (e)
            *e = '\0';
        long v;
        if (util_parse_long(p, 1, 30L * 86400, &v))
            return IS_ERR_INVALID;
        out[i] = (int)v;
        p = e ? e + 1 : p;
    }
    return IS_OK;
}

/* The key that signs acknowledgement links: made once, kept in meta. */
static int load_ack_key(struct store *st, unsigned char key[32])
{
    struct store_conn *c = store_acquire(st);
    char hex[80];
    /* read and made in one write transaction: nodes starting together
     * on a new database agree on one key */
    int rc = store_begin(c);
    if (!rc)
        rc = store_meta_get(c, "ack_key", hex, sizeof(hex));
    if (rc == IS_ERR_NOTFOUND) {
        randombytes_buf(key, 32);
        util_hex(hex, key, 32);
        rc = store_meta_set(c, "ack_key", hex);
    } else if (!rc && sodium_hex2bin(key, 32, hex, strlen(hex), NULL, NULL,
                                     NULL) != 0) {
        rc = IS_ERR_INVALID;
    }
    if (!rc)
        rc = store_commit(c);
    else if (store_in_tx(c))
        store_rollback(c);
    store_put(st, c);
    return rc;
}

/* A token file's first line (at most 256 characters) into line. */
static int read_token_line(const char *path, char line[300])
{
    FILE *f = fopen(path, "r");
    if (!f)
        return IS_ERR_IO;
    line[0] = '\0';
    bool got = fgets(line, 300, f) != NULL;
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    return got ? IS_OK : IS_ERR_INVALID;
}

/* The metrics token: the file's first line (at most 256 characters). */
static int load_metrics_token(const char *path)
{
    char line[300];
    int rc = read_token_line(path, line);
    if (!rc)
        rc = metrics_set_token(line);
    sodium_memzero(line, sizeof(line));
    return rc;
}

/* C4TAP's mail intake token (32 to 256 printable characters, no spaces):
 * only its hash is kept. */
static int load_intake_token(const char *path, struct app *app)
{
    char line[300];
    int rc = read_token_line(path, line);
    size_t n = rc ? 0 : strlen(line);
    if (!rc && (n < 32 || n > 256))
        rc = IS_ERR_INVALID;
    for (size_t i = 0; !rc && i < n; i++)
        if ((unsigned char)line[i] <= ' ' || (unsigned char)line[i] >= 127)
            rc = IS_ERR_INVALID;
    if (!rc) {
        crypto_generichash(app->c4tap_intake_hash,
                           sizeof(app->c4tap_intake_hash),
                           (const unsigned char *)line, n, NULL, 0);
        app->c4tap_intake_set = true;
    }
    sodium_memzero(line, sizeof(line));
    return rc;
}

static int write_port_file(const char *path, int port)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return IS_ERR_IO;
    fprintf(f, "%d\n", port);
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        return IS_ERR_IO;
    return IS_OK;
}

/* deliver/ knows nothing of service/: the daemon wires the two. */
static int ack_link_new(void *ctx, struct store_conn *c, const char *adv,
                        const char *org, int64_t now, char *url, size_t len)
{
    return advisory_ack_link_new(ctx, c, adv, org, now, url, len);
}

static void wake_outbox(struct app *a)
{
    outbox_wake(a->outbox);
}

/* The services stop waking the worker before it goes. */
static void stop_outbox(struct app *app, struct outbox *ob)
{
    app->wake_outbox = NULL;
    app->outbox = NULL;
    outbox_stop(ob);
}

/* ---- the command line ---- */

/* Is addr (an --listen value) a loopback address? */
static bool listen_is_loopback(const char *addr)
{
    unsigned char a[16];
    if (inet_pton(AF_INET, addr, a) == 1)
        return a[0] == 127;
    if (inet_pton(AF_INET6, addr, a) == 1) {
        static const unsigned char one[16] = {[15] = 1};
        return memcmp(a, one, 16) == 0;
    }
    return false;
}

struct config {
    const char *db, *listen, *port_file, *metrics_token_file;
    const char *public_url, *smtp_url;
    const char *trusted_proxies; /* --trusted-proxies a,b (NULL: none) */
    const char *mail_from;       /* NULL: infrashare@<public host> */
    long port, threads, tick_ms;
    long attempts, retry_base, retry_cap, http_timeout, inflight;
    long head_timeout, body_timeout; /* --request-{head,body}-timeout-s */
    long max_connections;            /* --max-connections */
    long stop_timeout;               /* --stop-timeout-s */
    bool secure, help;
    bool test_mode; /* --test-mode: loopback only (service/sites.h) */
    int ack_deadlines[3];
    long log_level;
    /* issue 12: the in-hub prober (--probe, the default; --no-probe) */
    bool probe, no_probe;
    const char *probe_resolver; /* --probe-resolver ADDR:PORT */
    /* issue 13: C4TAP's submission address and mail intake token */
    const char *c4tap_address, *c4tap_intake_token_file;
    /* issue 17: --node-id (NULL: the host name), and the id in force */
    const char *node_id;
    char node[64];
};

enum opt_kind {
    OPT_FLAG,   /* bool, no value */
    OPT_STRING, /* const char *, points into argv */
    OPT_LONG,   /* long in [min, max] */
    OPT_THREE,  /* int[3]: "a,b,c" (parse_three) */
    OPT_LEVEL   /* long: a log level by name */
};

/* One option: its name without "--", where its value goes, and the text
 * of the message "infrashared: --NAME: BAD" for a value out of range. */
struct option {
    const char *name;
    enum opt_kind kind;
    size_t off; /* offsetof(struct config, member) */
    long min, max;
    const char *bad;
};

#define AT(member) offsetof(struct config, member)
#define DELIVERY(n, member)                                                    \
    {                                                                          \
        .name = n, .kind = OPT_LONG, .off = AT(member), .min = 1,              \
        .max = 100000, .bad = "1 to 100000"                                    \
    }
static const struct option options[] = {
    {.name = "cookie-secure", .kind = OPT_FLAG, .off = AT(secure)},
    {.name = "help", .kind = OPT_FLAG, .off = AT(help)},
    {.name = "probe", .kind = OPT_FLAG, .off = AT(probe)},
    {.name = "no-probe", .kind = OPT_FLAG, .off = AT(no_probe)},
    {.name = "probe-resolver", .kind = OPT_STRING, .off = AT(probe_resolver)},
    {.name = "test-mode", .kind = OPT_FLAG, .off = AT(test_mode)},
    {.name = "db", .kind = OPT_STRING, .off = AT(db)},
    {.name = "node-id", .kind = OPT_STRING, .off = AT(node_id)},
    {.name = "listen", .kind = OPT_STRING, .off = AT(listen)},
    {.name = "port",
     .kind = OPT_LONG,
     .off = AT(port),
     .min = 0,
     .max = 65535,
     .bad = "0 to 65535"},
    {.name = "threads",
     .kind = OPT_LONG,
     .off = AT(threads),
     .min = 1,
     .max = 256,
     .bad = "1 to 256"},
    {.name = "tick-ms",
     .kind = OPT_LONG,
     .off = AT(tick_ms),
     .min = 10,
     .max = 3600000,
     .bad = "10 to 3600000"},
    {.name = "request-head-timeout-s",
     .kind = OPT_LONG,
     .off = AT(head_timeout),
     .min = 1,
     .max = 3600,
     .bad = "1 to 3600"},
    {.name = "request-body-timeout-s",
     .kind = OPT_LONG,
     .off = AT(body_timeout),
     .min = 1,
     .max = 86400,
     .bad = "1 to 86400"},
    {.name = "max-connections",
     .kind = OPT_LONG,
     .off = AT(max_connections),
     .min = HTTP_MIN_CONNECTIONS,
     .max = 65536,
     .bad = "16 to 65536"},
    {.name = "stop-timeout-s",
     .kind = OPT_LONG,
     .off = AT(stop_timeout),
     .min = 1,
     .max = 3600,
     .bad = "1 to 3600"},
    {.name = "port-file", .kind = OPT_STRING, .off = AT(port_file)},
    {.name = "metrics-token-file",
     .kind = OPT_STRING,
     .off = AT(metrics_token_file)},
    {.name = "public-url", .kind = OPT_STRING, .off = AT(public_url)},
    {.name = "trusted-proxies", .kind = OPT_STRING, .off = AT(trusted_proxies)},
    {.name = "c4tap-address", .kind = OPT_STRING, .off = AT(c4tap_address)},
    {.name = "c4tap-intake-token-file",
     .kind = OPT_STRING,
     .off = AT(c4tap_intake_token_file)},
    {.name = "smtp-url", .kind = OPT_STRING, .off = AT(smtp_url)},
    {.name = "mail-from", .kind = OPT_STRING, .off = AT(mail_from)},
    DELIVERY("delivery-attempts", attempts),
    DELIVERY("retry-base-s", retry_base),
    DELIVERY("retry-cap-s", retry_cap),
    DELIVERY("http-timeout-s", http_timeout),
    DELIVERY("max-inflight", inflight),
    {.name = "ack-deadlines",
     .kind = OPT_THREE,
     .off = AT(ack_deadlines),
     .bad = "three seconds values HIGH,MID,LOW (severity 4-5, 3, 0-2)"},
    {.name = "log-level",
     .kind = OPT_LEVEL,
     .off = AT(log_level),
     .bad = "debug, info, warn or error"},
};
#undef DELIVERY
#undef AT

static const struct option *find_option(const char *name)
{
    for (size_t i = 0; i < IS_ARRAY_LEN(options); i++)
        if (strcmp(options[i].name, name) == 0)
            return &options[i];
    return NULL;
}

/* Stores value v of option o in cfg; IS_ERR_INVALID if it is bad. */
static int set_option(struct config *cfg, const struct option *o, const char *v)
{
    static const char *const levels[] = {"debug", "info", "warn", "error"};
    void *dst = (char *)cfg + o->off;
    switch (o->kind) {
    case OPT_FLAG: *(bool *)dst = true; return IS_OK;
    case OPT_STRING: *(const char **)dst = v; return IS_OK;
    case OPT_LONG: return util_parse_long(v, o->min, o->max, (long *)dst);
    case OPT_THREE: return parse_three(v, (int *)dst);
    case OPT_LEVEL:
        for (long k = 0; k < (long)IS_ARRAY_LEN(levels); k++)
            if (strcmp(v, levels[k]) == 0) {
                *(long *)dst = k;
                return IS_OK;
            }
        return IS_ERR_INVALID;
    }
    return IS_ERR_INVALID;
}

/* The node id (issue 17): --node-id, else the host name; checked and
 * given to the metrics (metrics_set_node). IS_ERR_INVALID, with the
 * message on stderr, when it is not 1 to 63 of [A-Za-z0-9._-]. */
static int set_node_id(struct config *cfg)
{
    char host[256] = "";
    const char *id = cfg->node_id;
    if (!id) {
        if (gethostname(host, sizeof(host)) != 0)
            host[0] = '\0';
        host[sizeof(host) - 1] = '\0';
        id = host;
    }
    if (metrics_set_node(id) || util_copy(cfg->node, sizeof(cfg->node), id)) {
        if (cfg->node_id)
            fprintf(stderr, "infrashared: --node-id: 1 to 63 characters of "
                            "A-Z a-z 0-9 . _ -\n");
        else
            fprintf(stderr,
                    "infrashared: the host name is not a valid node id "
                    "(1 to 63 characters of A-Z a-z 0-9 . _ -): give one "
                    "with --node-id\n");
        return IS_ERR_INVALID;
    }
    return IS_OK;
}

/* Fills cfg from argv (options in order; the last of a repeated one wins).
 * Returns -1 to go on, or the exit status: 0 after --help, 2 on a bad
 * command line (with its message on stderr). */
static int parse_options(int argc, char **argv, struct config *cfg)
{
    const char *flags[IS_ARRAY_LEN(options) + 1] = {NULL};
    const char *valued[IS_ARRAY_LEN(options) + 1] = {NULL};
    size_t nf = 0, nv = 0;
    for (size_t i = 0; i < IS_ARRAY_LEN(options); i++) {
        if (options[i].kind == OPT_FLAG)
            flags[nf++] = options[i].name;
        else
            valued[nv++] = options[i].name;
    }
    struct cli_args a;
    enum cli_parse_error why;
    const char *bad;
    if (cli_parse_quiet(argc - 1, argv + 1, flags, valued, &a, &why, &bad)) {
        /* an unknown option last on the line is taken for one that lacks
         * its value: the usage alone */
        if (why == CLI_PARSE_UNKNOWN && bad != argv[argc - 1])
            fprintf(stderr, "infrashared: unknown option %s\n", bad);
        usage();
        return 2;
    }
    for (int i = 0; i < a.npos; i++) {
        if (strcmp(a.pos[i], "-h") == 0) {
            usage();
            return 0;
        }
    }
    if (a.npos > 0) {
        if (a.pos[0] != argv[argc - 1])
            fprintf(stderr, "infrashared: unknown option %s\n", a.pos[0]);
        usage();
        return 2;
    }
    for (int i = 0; i < a.nopt; i++) {
        const struct option *o = find_option(a.opt_name[i]);
        if (strcmp(o->name, "help") == 0) {
            usage();
            return 0;
        }
        if (set_option(cfg, o, a.opt_val[i])) {
            fprintf(stderr, "infrashared: --%s: %s\n", o->name, o->bad);
            return 2;
        }
    }
    /* these options are copied into fixed arrays (struct app, struct
     * deliver_settings): one that does not fit is refused here, never cut
     * short */
    if (cfg->c4tap_address && (strlen(cfg->c4tap_address) >=
                                   sizeof(((struct app *)0)->c4tap_address) ||
                               !strchr(cfg->c4tap_address, '@'))) {
        fprintf(stderr, "infrashared: --c4tap-address: an e-mail address "
                        "(local@domain) of at most 200 bytes\n");
        return 2;
    }
    if ((cfg->public_url &&
         strlen(cfg->public_url) >= sizeof(((struct app *)0)->public_url)) ||
        strlen(cfg->smtp_url) >=
            sizeof(((struct deliver_settings *)0)->smtp_url) ||
        (cfg->mail_from &&
         strlen(cfg->mail_from) >=
             sizeof(((struct deliver_settings *)0)->mail_from))) {
        fprintf(stderr,
                "infrashared: --public-url and --smtp-url take at "
                "most %zu bytes, --mail-from %zu\n",
                sizeof(((struct app *)0)->public_url) - 1,
                sizeof(((struct deliver_settings *)0)->mail_from) - 1);
        return 2;
    }
    if (cfg->trusted_proxies &&
        !http_set_trusted_proxies(cfg->trusted_proxies)) {
        fprintf(stderr,
                "infrashared: --trusted-proxies: 1 to %d IPv4 or "
                "IPv6 addresses, comma-separated\n",
                HTTP_MAX_TRUSTED_PROXIES);
        return 2;
    }
    /* test mode admits loopback site URLs (website observation): never on
     * a hub others can reach */
    if (cfg->test_mode && !listen_is_loopback(cfg->listen)) {
        fprintf(stderr, "infrashared: --test-mode: only with --listen on a "
                        "loopback address (127.0.0.0/8 or ::1)\n");
        return 2;
    }
    if (set_node_id(cfg))
        return 2;
    log_set_level((enum log_level)cfg->log_level);
    return -1;
}

/* ---- start and stop ---- */

/* Descriptors the hub needs besides its HTTP connections: the store's
 * connections (SQLite: the database, WAL and shared memory; PostgreSQL: a
 * socket), the outbox's transfers, the prober's probes, and files. */
static long fd_reserve(const struct config *cfg)
{
    return 256 + cfg->inflight + 512 + 4 * (2 * cfg->threads + 4);
}

/* The connection limit the process can keep: raises the soft limit of
 * open files (RLIMIT_NOFILE; 1024 on a stock Debian login) to what
 * --max-connections needs, up to the hard limit; when the hard limit is
 * lower, lowers the connection limit to fit, and says so. Otherwise the
 * library's accept would fail at about a thousand connections, far below
 * the limit whose pressure rule (http.h) keeps the hub reachable. */
static int fit_connections(const struct config *cfg)
{
    long want = cfg->max_connections, reserve = fd_reserve(cfg);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl))
        return (int)want;
    rlim_t need = (rlim_t)(want + reserve);
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        struct rlimit up = rl;
        up.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need
                          ? need
                          : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &up) == 0)
            rl = up;
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
        return (int)want;
    /* the reserve is the others' most at once; a tight limit is shared
     * half and half rather than leaving the connections nothing */
    long fit = (long)rl.rlim_cur - reserve;
    if (fit < (long)rl.rlim_cur / 2)
        fit = (long)rl.rlim_cur / 2;
    if (fit < HTTP_MIN_CONNECTIONS)
        fit = HTTP_MIN_CONNECTIONS;
    log_event(LOG_WARN,
              "connection limit lowered to fit the limit of open files",
              "max_connections", json_integer(fit), "asked", json_integer(want),
              "open_files_limit", json_integer((json_int_t)rl.rlim_cur),
              "reserved", json_integer(reserve), "fix",
              json_string("raise the hard limit of open files (ulimit -Hn, "
                          "LimitNOFILE= in a systemd unit)"),
              NULL);
    return (int)fit;
}

/* Starts the delivery worker on cfg's delivery settings and app's links'
 * base, and lets the services wake it. The sender: --mail-from, else
 * infrashare@<the links' host>. */
static int start_outbox(struct app *app, const struct config *cfg,
                        struct outbox **ob)
{
    struct deliver_settings s = {
        .store = app->store,
        .max_attempts = (int)cfg->attempts,
        .retry_base_s = (int)cfg->retry_base,
        .retry_cap_s = (int)cfg->retry_cap,
        .http_timeout_s = (int)cfg->http_timeout,
        .max_inflight = (int)cfg->inflight,
        .ack_link_new = ack_link_new,
        .ack_link_ctx = app,
        .alert_link_new = alert_link_new, /* service/alerts.h */
    };
    _Static_assert(sizeof(s.public_url) == sizeof(app->public_url),
                   "deliver_settings holds app's links' base whole");
    memcpy(s.public_url, app->public_url, sizeof(s.public_url));
    /* checked in parse_options */
    util_xcopy(s.smtp_url, sizeof(s.smtp_url), cfg->smtp_url);
    if (cfg->mail_from) {
        util_xcopy(s.mail_from, sizeof(s.mail_from), cfg->mail_from);
    } else {
        char domain[sizeof(s.mail_from) - 12];
        message_mail_domain(app->public_url, domain, sizeof(domain));
        snprintf(s.mail_from, sizeof(s.mail_from), "infrashare@%s", domain);
    }
    int rc = outbox_start(&s, ob);
    if (!rc) {
        app->outbox = *ob;
        app->wake_outbox = wake_outbox;
        /* an exercise's outbox copies these (service/exercise_run.c) */
        static struct deliver_settings copy;
        copy = s;
        app->deliver = &copy;
    }
    return rc;
}

/* The links' base: --public-url, else the listening URL; no trailing "/". */
static void set_public_url(struct app *app, const struct config *cfg,
                           const char *url)
{
    if (cfg->public_url)
        util_xcopy(app->public_url, sizeof(app->public_url),
                   cfg->public_url); /* checked in parse_options */
    else
        snprintf(app->public_url, sizeof(app->public_url), "%.*s",
                 (int)strlen(url) - 1, url);
    size_t pl = strlen(app->public_url);
    while (pl > 0 && app->public_url[pl - 1] == '/')
        app->public_url[--pl] = '\0';
}

/* Opens the store and loads what the app needs before it serves: the
 * reporting catalogue and the acknowledgement key. Returns 0 or 1 (the
 * exit status), with the message on stderr; on failure nothing is left
 * open. */
static int open_app(struct app *app, const struct config *cfg)
{
    memset(app, 0, sizeof(*app));
    /* a hub whose public address is https sits behind TLS: its session
     * cookie is never sent in clear (--cookie-secure says so for a hub
     * whose --public-url is not given) */
    app->cookie_secure =
        cfg->secure ||
        (cfg->public_url && strncasecmp(cfg->public_url, "https://", 8) == 0);
    app->test_mode = cfg->test_mode;
    app->started_at = util_now();
    app->db_path = cfg->db;
    app->on_postgresql = store_is_postgresql(cfg->db);
    util_xcopy(app->node_id, sizeof(app->node_id), cfg->node); /* checked */
    if (cfg->c4tap_address) /* length checked in parse_options */
        util_xcopy(app->c4tap_address, sizeof(app->c4tap_address),
                   cfg->c4tap_address);
    if (cfg->c4tap_intake_token_file &&
        load_intake_token(cfg->c4tap_intake_token_file, app)) {
        fprintf(stderr,
                "infrashared: --c4tap-intake-token-file: cannot read "
                "a token of 32 to 256 printable characters (no "
                "spaces) from the first line of %s\n",
                cfg->c4tap_intake_token_file);
        return 1;
    }
    /* the process list shows the command line to every local user: a
     * password in --db is read there (never logged: the URI is not) */
    if (store_db_has_password(cfg->db))
        log_event(LOG_WARN,
                  "the --db URI carries a password, which every local user "
                  "sees in the process list",
                  "fix",
                  json_string("leave it out of the URI: libpq reads it from "
                              "~/.pgpass (mode 0600; PGPASSFILE names "
                              "another file) or PGPASSWORD "
                              "(docs/postgresql.md)"),
                  NULL);
    char err[512];
    int rc = store_open(cfg->db, 0, 2 * (int)cfg->threads + 4, &app->store, err,
                        sizeof(err));
    if (rc) {
        fprintf(stderr, "infrashared: %s\n", err);
        log_event(LOG_ERROR, "cannot open database", "error", json_string(err),
                  NULL);
        return 1;
    }
    struct stat st; /* a database made before the umask of main() */
    if (!store_is_postgresql(cfg->db) && stat(cfg->db, &st) == 0 &&
        (st.st_mode & 077)) {
        char mode[8];
        snprintf(mode, sizeof(mode), "%04o", (unsigned)(st.st_mode & 0777));
        log_event(LOG_WARN, "the database is readable by others", "path",
                  json_string(cfg->db), "mode", json_string(mode), "fix",
                  json_string("chmod 600 the database and its -wal, -shm "
                              "and .audit-journal files"),
                  NULL);
    }
    store_set_node(app->store, cfg->node);
    if (store_node_claim(app->store, err, sizeof(err))) {
        fprintf(stderr, "infrashared: %s\n", err);
        log_event(LOG_ERROR, "cannot start", "error", json_string(err), NULL);
        store_close(app->store);
        return 1;
    }
    /* the read-audit journal (SQLite): made when missing; the entries a
     * stopped or crashed run left in it go into the chain before the
     * first request (store.h) */
    if (store_journal_attach(app->store, true, err, sizeof(err))) {
        fprintf(stderr, "infrashared: %s\n", err);
        log_event(LOG_ERROR, "cannot start", "error", json_string(err), NULL);
        store_close(app->store);
        return 1;
    }
    struct reporting *rp = calloc(1, sizeof(*rp));
    struct store_conn *c0 = store_acquire(app->store);
    rc = rp ? reporting_load(c0, rp, err, sizeof(err)) : IS_ERR_NOMEM;
    store_put(app->store, c0);
    if (rc) {
        fprintf(stderr, "infrashared: %s\n", err);
        free(rp);
        store_close(app->store);
        return 1;
    }
    app->reporting = rp;
    /* issue 15: the guideline's editions (embedded at build time) */
    if (guideline_load(err, sizeof(err))) {
        fprintf(stderr, "infrashared: guideline: %s\n", err);
        store_close(app->store);
        return 1;
    }
    app->exercises = ex_runs_new();   /* NULL: no exercise can run */
    app->board_cache = rcache_new();  /* NULL: boards are not cached */
    app->dash_cache = rcache_new();   /* NULL: dashboards are not cached */
    app->survey_cache = rcache_new(); /* NULL: results are not cached */
    memcpy(app->ack_deadline_s, cfg->ack_deadlines, sizeof(cfg->ack_deadlines));
    if (load_ack_key(app->store, app->ack_key)) {
        fprintf(stderr, "infrashared: cannot read or create the "
                        "acknowledgement key\n");
        rcache_free(app->board_cache);
        rcache_free(app->dash_cache);
        rcache_free(app->survey_cache);
        free(rp);
        store_close(app->store);
        return 1;
    }
    return 0;
}

/* The stop's watchdog: a stop that is not done within its time (a
 * request or timer waiting on a COMMIT that never ends: a PostgreSQL
 * primary whose synchronous standby is gone, a disk that does not answer)
 * or a SIGINT after the first stop signal (Ctrl-C pressed again) ends
 * the process at once, as kill -9 would: what was not committed is not,
 * and no request that waited gets an answer (never a 2xx for what did not
 * commit). Another SIGTERM does not: a supervisor or a script may send it
 * again while the stop runs its queued writes to their end. */
struct stop_watch {
    pthread_t thread;
    sigset_t set; /* the stop signals, blocked in every thread */
    long timeout_s;
    atomic_bool done; /* the stop finished: the watchdog returns */
};

static void *stop_watch_run(void *arg)
{
    struct stop_watch *w = arg;
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    end.tv_sec += w->timeout_s;
    const char *why = "timeout";
    for (;;) {
        struct timespec now, left;
        clock_gettime(CLOCK_MONOTONIC, &now);
        left.tv_sec = end.tv_sec - now.tv_sec;
        left.tv_nsec = end.tv_nsec - now.tv_nsec;
        if (left.tv_nsec < 0) {
            left.tv_sec--;
            left.tv_nsec += 1000000000L;
        }
        if (left.tv_sec < 0)
            break;
        int sig = sigtimedwait(&w->set, NULL, &left);
        if (atomic_load(&w->done))
            return NULL; /* woken by the main thread (stop_watch_end) */
        if (sig == SIGINT) {
            why = "second signal";
            break;
        }
        if (sig > 0)
            continue; /* another SIGTERM: a supervisor asking again, as
                       * the first (the stop goes on, watched) */
        if (errno == EAGAIN)
            break; /* the time is up */
        /* EINTR: wait again for what is left */
    }
    log_event(LOG_ERROR, "stop forced", "reason", json_string(why), "timeout_s",
              json_integer(w->timeout_s), NULL);
    fflush(NULL);
    _exit(3);
}

/* The process's stop watchdog, from the first stop signal until the end
 * of main (closing the store may wait on the database too). */
static struct stop_watch stop_watch;
static bool stop_watched;

/* Starts the watchdog of a stop (after the first stop signal). */
static int stop_watch_start(struct stop_watch *w, const sigset_t *set,
                            long timeout_s)
{
    w->set = *set;
    w->timeout_s = timeout_s;
    atomic_init(&w->done, false);
    return pthread_create(&w->thread, NULL, stop_watch_run, w) == 0
               ? IS_OK
               : IS_ERR_INTERNAL;
}

/* The stop is done: the watchdog is woken and ends. */
static void stop_watch_end(struct stop_watch *w)
{
    atomic_store(&w->done, true);
    pthread_kill(w->thread, SIGTERM); /* blocked: taken by its sigtimedwait */
    pthread_join(w->thread, NULL);
}

/* Logs that part of the hub has stopped, and how long it took since
 * (util_mono seconds): a stop that takes long says where (--stop-timeout-s
 * forces it). Returns the time now. */
static double stopped(const char *part, double since)
{
    double now = util_mono();
    log_event(LOG_INFO, "stopped", "part", json_string(part), "ms",
              json_real((double)(int64_t)((now - since) * 10000.0) / 10.0),
              NULL);
    return now;
}

/* Serves until SIGINT or SIGTERM (blocked in set) arrives: starts the
 * worker, the HTTP server and the outbox, writes the port file, waits, and
 * stops them. Returns the exit status. */
static int serve(struct app *app, const struct config *cfg, const sigset_t *set)
{
    auth_limits_init(&app->limits);
    app->limits.shared = store_is_postgresql(cfg->db);
    struct worker *wk = NULL;
    if (worker_start(app, (int)cfg->tick_ms, &wk)) {
        fprintf(stderr, "infrashared: cannot start the worker thread\n");
        auth_limits_release(&app->limits);
        return 1;
    }
    struct http_server *srv;
    http_set_request_timeouts((int)cfg->head_timeout, (int)cfg->body_timeout);
    http_set_connection_limit(fit_connections(cfg));
    if (http_start(app, cfg->listen, (int)cfg->port, (int)cfg->threads, &srv)) {
        fprintf(stderr,
                "infrashared: cannot listen on %s:%ld (is another hub "
                "already running on that port? --port chooses another)\n",
                cfg->listen, cfg->port);
        worker_stop(wk);
        auth_limits_release(&app->limits);
        return 1;
    }
    int bound = http_port(srv);
    char url[128];
    /* an IPv6 literal is written in brackets in a URL (RFC 3986) */
    bool v6 = strchr(cfg->listen, ':') && cfg->listen[0] != '[';
    snprintf(url, sizeof(url), "http://%s%s%s:%d/", v6 ? "[" : "", cfg->listen,
             v6 ? "]" : "", bound);
    set_public_url(app, cfg, url);
    int rc = 0;
    struct outbox *ob = NULL;
    if (start_outbox(app, cfg, &ob)) {
        fprintf(stderr, "infrashared: cannot start the delivery worker\n");
        rc = 1;
    }
    /* issue 12: the hub's own prober (vantage point 'hub') */
    struct obs_prober *pr = NULL;
    if (!rc && !cfg->no_probe &&
        obs_prober_start(app, cfg->probe_resolver, &pr)) {
        fprintf(stderr, "infrashared: cannot start the prober (--no-probe "
                        "runs without it)\n");
        rc = 1;
    }
    /* issue 16: the TAXII client's timer (peers' pulls and pushes) */
    struct taxii_syncer *ts = NULL;
    if (!rc && taxii_sync_start(app, &ts)) {
        fprintf(stderr, "infrashared: cannot start the TAXII client\n");
        rc = 1;
    }
    char db_name[512];
    store_redact(cfg->db, db_name, sizeof(db_name));
    log_event(LOG_INFO, "listening", "url", json_string(url), "port",
              json_integer(bound), "db", json_string(db_name), "threads",
              json_integer(cfg->threads), "node", json_string(cfg->node), NULL);
    if (auth_test_kdf())
        log_event(LOG_WARN,
                  "test build (-Dtest_kdf=true): new passwords are hashed "
                  "at Argon2id's minimum cost; never run it with real "
                  "passwords",
                  NULL);
    if (cfg->test_mode)
        log_event(LOG_WARN,
                  "test mode: loopback site URLs and 1 s intervals "
                  "are admitted (website observation)",
                  NULL);
    /* issue 14: the exercises left running go on (their outboxes copy the
     * hub's delivery settings, so after the hub's outbox) */
    if (!rc && app->exercises && ex_runs_resume(app))
        log_event(LOG_ERROR, "running exercises not resumed", NULL);
    if (rc) {
        /* the outbox failed to start */
    } else if (cfg->port_file && write_port_file(cfg->port_file, bound)) {
        fprintf(stderr, "infrashared: cannot write %s\n", cfg->port_file);
        rc = 1;
    } else {
        int sig = 0;
        sigwait(set, &sig);
        log_event(LOG_INFO, "stopping", "signal", json_integer(sig),
                  "timeout_s", json_integer(cfg->stop_timeout), NULL);
        stop_watched =
            stop_watch_start(&stop_watch, set, cfg->stop_timeout) == IS_OK;
        if (!stop_watched)
            log_event(LOG_WARN, "stop not watched (no thread)", NULL);
    }
    double t = util_mono();
    obs_prober_stop(pr);
    t = stopped("prober", t);
    taxii_sync_stop(ts);
    t = stopped("taxii client", t);
    http_stop(srv);
    t = stopped("http", t);
    worker_stop(wk);
    t = stopped("worker", t);
    /* the answered reads' entries into the chain: a stopped hub leaves
     * its journal empty */
    struct store_conn *c = store_acquire(app->store);
    if (store_audit_settle(c, NULL))
        log_event(LOG_ERROR, "audit journal not emptied at stop", NULL);
    store_put(app->store, c);
    t = stopped("audit journal", t);
    ex_runs_free(app->exercises); /* their outboxes, their databases */
    app->exercises = NULL;
    t = stopped("exercises", t);
    stop_outbox(app, ob);
    (void)stopped("outbox", t);
    auth_limits_release(&app->limits);
    return rc;
}

int main(int argc, char **argv)
{
    struct config cfg = {
        .db = "var/infrashare.db",
        .listen = "127.0.0.1",
        .smtp_url = "smtp://127.0.0.1:2525",
        .port = 8080,
        .threads = 4,
        .tick_ms = 5000,
        .attempts = 5,
        .retry_base = 5,
        .retry_cap = 600,
        .http_timeout = 10,
        .inflight = 256,
        .head_timeout = HTTP_HEAD_TIMEOUT_S,
        .body_timeout = HTTP_BODY_TIMEOUT_S,
        .max_connections = HTTP_MAX_CONNECTIONS,
        .stop_timeout = 30,
        .ack_deadlines = {900, 3600, 86400},
        .log_level = LOG_INFO,
    };
    /* every file the hub makes (its database, the WAL and the read-audit
     * journal beside it, exports) is its owner's alone: they hold Red and
     * Amber reports, credentials' hashes and the audit log */
    umask(077);
    int rc = parse_options(argc, argv, &cfg);
    if (rc >= 0)
        return rc;
    if (sodium_init() < 0) {
        fprintf(stderr, "infrashared: libsodium failed to initialise\n");
        return 1;
    }
    if (cfg.metrics_token_file && load_metrics_token(cfg.metrics_token_file)) {
        fprintf(stderr,
                "infrashared: --metrics-token-file: cannot read a "
                "token of 32 to 256 printable characters (no "
                "spaces) from the first line of %s\n",
                cfg.metrics_token_file);
        return 2;
    }
    /* Block the stop signals in every thread; the main thread waits. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct app app;
    if (open_app(&app, &cfg))
        return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = serve(&app, &cfg, &set);
    free(app.reporting);
    rcache_free(app.board_cache);
    rcache_free(app.dash_cache);
    rcache_free(app.survey_cache);
    store_close(app.store);
    curl_global_cleanup();
    if (stop_watched)
        stop_watch_end(&stop_watch);
    return rc;
}
