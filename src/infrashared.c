/*
 * infrashared - the infrashare hub daemon.
 *
 *   infrashared [--db PATH] [--listen ADDR] [--port N] [--threads N]
 *               [--port-file FILE] [--log-level debug|info|warn|error]
 *               [--cookie-secure]
 *
 * Stops cleanly on SIGINT or SIGTERM.
 */
#include "common.h"

#include <pthread.h>
#include <sodium.h>
#include <signal.h>
#include <sodium.h>
#include <unistd.h>

#include "http/http.h"
#include "log.h"
#include "service/app.h"
#include "service/provision.h"
#include "service/reporting.h"
#include "service/worker.h"
#include "deliver/message.h"
#include "deliver/outbox.h"

#include <curl/curl.h>
#include "store.h"
#include "util.h"

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
            "  --listen takes an IPv4 or IPv6 address (default 127.0.0.1);"
            " :: listens on IPv6 and IPv4\n");
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
    int rc = store_meta_get(c, "ack_key", hex, sizeof(hex));
    if (rc == IS_ERR_NOTFOUND) {
        randombytes_buf(key, 32);
        util_hex(hex, key, 32);
        rc = store_meta_set(c, "ack_key", hex);
    } else if (!rc && sodium_hex2bin(key, 32, hex, strlen(hex), NULL, NULL,
                                     NULL) != 0) {
        rc = IS_ERR_INVALID;
    }
    store_release(st, c);
    return rc;
}

/* The metrics token: the file's first line (at most 256 characters). */
static int load_metrics_token(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return IS_ERR_IO;
    char line[300] = "";
    bool got = fgets(line, sizeof(line), f) != NULL;
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    int rc = got ? metrics_set_token(line) : IS_ERR_INVALID;
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

/* Starts the delivery worker on app's settings and lets the services
 * wake it. */
static int start_outbox(struct app *app, struct outbox **ob)
{
    struct deliver_settings s = {
        .store = app->store,
        .max_attempts = app->max_attempts,
        .retry_base_s = app->retry_base_s,
        .retry_cap_s = app->retry_cap_s,
        .http_timeout_s = app->http_timeout_s,
        .max_inflight = app->max_inflight,
        .ack_link_new = ack_link_new,
        .ack_link_ctx = app,
    };
    _Static_assert(sizeof(s.public_url) == sizeof(app->public_url) &&
                       sizeof(s.smtp_url) == sizeof(app->smtp_url) &&
                       sizeof(s.mail_from) == sizeof(app->mail_from),
                   "deliver_settings holds app's settings whole");
    memcpy(s.public_url, app->public_url, sizeof(s.public_url));
    memcpy(s.smtp_url, app->smtp_url, sizeof(s.smtp_url));
    memcpy(s.mail_from, app->mail_from, sizeof(s.mail_from));
    int rc = outbox_start(&s, ob);
    if (!rc) {
        app->outbox = *ob;
        app->wake_outbox = wake_outbox;
    }
    return rc;
}

/* The services stop waking the worker before it goes. */
static void stop_outbox(struct app *app, struct outbox *ob)
{
    app->wake_outbox = NULL;
    app->outbox = NULL;
    outbox_stop(ob);
}

int main(int argc, char **argv)
{
    const char *db = "var/infrashare.db", *listen = "127.0.0.1";
    const char *port_file = NULL, *metrics_token_file = NULL;
    long port = 8080, threads = 4, tick_ms = 5000;
    bool secure = false;
    const char *public_url = NULL, *smtp_url = "smtp://127.0.0.1:2525";
    const char *mail_from = NULL; /* default: infrashare@<public host> */
    long attempts = 5, retry_base = 5, retry_cap = 600, http_timeout = 10;
    long inflight = 256;
    int ack_deadlines[3] = {900, 3600, 86400};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--cookie-secure") == 0) {
            secure = true;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage();
            return 0;
        }
        if (!v) {
            usage();
            return 2;
        }
        i++;
        if (strcmp(a, "--db") == 0) {
            db = v;
        } else if (strcmp(a, "--listen") == 0) {
            listen = v;
        } else if (strcmp(a, "--port") == 0) {
            if (util_parse_long(v, 0, 65535, &port)) {
                fprintf(stderr, "infrashared: --port: 0 to 65535\n");
                return 2;
            }
        } else if (strcmp(a, "--threads") == 0) {
            if (util_parse_long(v, 1, 256, &threads)) {
                fprintf(stderr, "infrashared: --threads: 1 to 256\n");
                return 2;
            }
        } else if (strcmp(a, "--tick-ms") == 0) {
            if (util_parse_long(v, 10, 3600000, &tick_ms)) {
                fprintf(stderr, "infrashared: --tick-ms: 10 to 3600000\n");
                return 2;
            }
        } else if (strcmp(a, "--port-file") == 0) {
            port_file = v;
        } else if (strcmp(a, "--metrics-token-file") == 0) {
            metrics_token_file = v;
        } else if (strcmp(a, "--public-url") == 0) {
            public_url = v;
        } else if (strcmp(a, "--smtp-url") == 0) {
            smtp_url = v;
        } else if (strcmp(a, "--mail-from") == 0) {
            mail_from = v;
        } else if (strcmp(a, "--delivery-attempts") == 0 ||
                   strcmp(a, "--retry-base-s") == 0 ||
                   strcmp(a, "--retry-cap-s") == 0 ||
                   strcmp(a, "--http-timeout-s") == 0 ||
                   strcmp(a, "--max-inflight") == 0) {
            long *dst = strcmp(a, "--delivery-attempts") == 0 ? &attempts
                        : strcmp(a, "--retry-base-s") == 0    ? &retry_base
                        : strcmp(a, "--retry-cap-s") == 0     ? &retry_cap
                        : strcmp(a, "--http-timeout-s") == 0  ? &http_timeout
                                                              : &inflight;
            if (util_parse_long(v, 1, 100000, dst)) {
                fprintf(stderr, "infrashared: %s: 1 to 100000\n", a);
                return 2;
            }
        } else if (strcmp(a, "--ack-deadlines") == 0) {
            if (parse_three(v, ack_deadlines)) {
                fprintf(stderr, "infrashared: --ack-deadlines: three "
                                "seconds values HIGH,MID,LOW (severity 4-5, "
                                "3, 0-2)\n");
                return 2;
            }
        } else if (strcmp(a, "--log-level") == 0) {
            static const char *const lv[] = {"debug", "info", "warn",
                                             "error"};
            bool ok = false;
            for (int k = 0; k < 4; k++)
                if (strcmp(v, lv[k]) == 0) {
                    log_set_level((enum log_level)k);
                    ok = true;
                }
            if (!ok) {
                fprintf(stderr, "infrashared: --log-level: debug, info, "
                                "warn or error\n");
                return 2;
            }
        } else {
            fprintf(stderr, "infrashared: unknown option %s\n", a);
            usage();
            return 2;
        }
    }
    /* these options are copied into fixed arrays (struct app): one that
     * does not fit is refused here, never cut short */
    if ((public_url && strlen(public_url) >= sizeof(((struct app *)0)
                                                       ->public_url)) ||
        strlen(smtp_url) >= sizeof(((struct app *)0)->smtp_url) ||
        (mail_from && strlen(mail_from) >= sizeof(((struct app *)0)
                                                      ->mail_from))) {
        fprintf(stderr, "infrashared: --public-url and --smtp-url take at "
                        "most %zu bytes, --mail-from %zu\n",
                sizeof(((struct app *)0)->public_url) - 1,
                sizeof(((struct app *)0)->mail_from) - 1);
        return 2;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "infrashared: libsodium failed to initialise\n");
        return 1;
    }
    if (metrics_token_file && load_metrics_token(metrics_token_file)) {
        fprintf(stderr, "infrashared: --metrics-token-file: cannot read a "
                        "token of 32 to 256 printable characters (no "
                        "spaces) from the first line of %s\n",
                metrics_token_file);
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
    memset(&app, 0, sizeof(app));
    app.cookie_secure = secure;
    app.started_at = util_now();
    char err[512];
    int rc = store_open(db, 0, (int)threads + 3, &app.store, err,
                        sizeof(err));
    if (rc) {
        fprintf(stderr, "infrashared: %s\n", err);
        log_event(LOG_ERROR, "cannot open database", "error",
                  json_string(err), NULL);
        return 1;
    }
    struct reporting *rp = calloc(1, sizeof(*rp));
    struct store_conn *c0 = store_acquire(app.store);
    rc = rp ? reporting_load(c0, rp, err, sizeof(err)) : IS_ERR_NOMEM;
    store_release(app.store, c0);
    if (rc) {
        fprintf(stderr, "infrashared: %s\n", err);
        free(rp);
        store_close(app.store);
        return 1;
    }
    app.reporting = rp;
    util_xcopy(app.smtp_url, sizeof(app.smtp_url), smtp_url); /* checked */
    if (mail_from)
        util_xcopy(app.mail_from, sizeof(app.mail_from), mail_from);
    app.max_attempts = (int)attempts;
    app.retry_base_s = (int)retry_base;
    app.retry_cap_s = (int)retry_cap;
    app.http_timeout_s = (int)http_timeout;
    app.max_inflight = (int)inflight;
    memcpy(app.ack_deadline_s, ack_deadlines, sizeof(ack_deadlines));
    if (load_ack_key(app.store, app.ack_key)) {
        fprintf(stderr, "infrashared: cannot read or create the "
                        "acknowledgement key\n");
        free(rp);
        store_close(app.store);
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    auth_limits_init(&app.limits);
    struct worker *wk = NULL;
    if (worker_start(&app, (int)tick_ms, &wk)) {
        fprintf(stderr, "infrashared: cannot start the worker thread\n");
        auth_limits_release(&app.limits);
        free(rp);
        store_close(app.store);
        return 1;
    }
    struct http_server *srv;
    rc = http_start(&app, listen, (int)port, (int)threads, &srv);
    if (rc) {
        fprintf(stderr, "infrashared: cannot listen on %s:%ld\n", listen,
                port);
        worker_stop(wk);
        free(rp);
        auth_limits_release(&app.limits);
        store_close(app.store);
        return 1;
    }
    int bound = http_port(srv);
    char url[128];
    /* an IPv6 literal is written in brackets in a URL (RFC 3986) */
    bool v6 = strchr(listen, ':') && listen[0] != '[';
    snprintf(url, sizeof(url), "http://%s%s%s:%d/", v6 ? "[" : "", listen,
             v6 ? "]" : "", bound);
    if (public_url)
        util_xcopy(app.public_url, sizeof(app.public_url), public_url);
    else
        snprintf(app.public_url, sizeof(app.public_url), "%.*s",
                 (int)strlen(url) - 1, url);
    /* links are public_url + "/path": no trailing slash */
    size_t pl = strlen(app.public_url);
    while (pl > 0 && app.public_url[pl - 1] == '/')
        app.public_url[--pl] = '\0';
    if (!mail_from) {
        char domain[sizeof(app.mail_from) - 12];
        message_mail_domain(app.public_url, domain, sizeof(domain));
        snprintf(app.mail_from, sizeof(app.mail_from), "infrashare@%s",
                 domain);
    }
    struct outbox *ob = NULL;
    if (start_outbox(&app, &ob)) {
        fprintf(stderr, "infrashared: cannot start the delivery worker\n");
        rc = 1;
    }
    log_event(LOG_INFO, "listening", "url", json_string(url), "port",
              json_integer(bound), "db", json_string(db), "threads",
              json_integer(threads), NULL);
    if (rc) {
        /* the outbox failed to start */
    } else if (port_file && write_port_file(port_file, bound)) {
        fprintf(stderr, "infrashared: cannot write %s\n", port_file);
        rc = 1;
    } else {
        int sig = 0;
        sigwait(&set, &sig);
        log_event(LOG_INFO, "stopping", "signal", json_integer(sig), NULL);
    }
    http_stop(srv);
    stop_outbox(&app, ob);
    worker_stop(wk);
    free(rp);
    auth_limits_release(&app.limits);
    store_close(app.store);
    curl_global_cleanup();
    return rc;
}
