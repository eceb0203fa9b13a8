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
#include <signal.h>
#include <sodium.h>
#include <unistd.h>

#include "http/http.h"
#include "log.h"
#include "service/app.h"
#include "service/reporting.h"
#include "service/worker.h"
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
            "default 5000)\n");
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

int main(int argc, char **argv)
{
    const char *db = "var/infrashare.db", *listen = "127.0.0.1";
    const char *port_file = NULL;
    long port = 8080, threads = 4, tick_ms = 5000;
    bool secure = false;
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
    if (sodium_init() < 0) {
        fprintf(stderr, "infrashared: libsodium failed to initialise\n");
        return 1;
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
    int rc = store_open(db, 0, (int)threads + 2, &app.store, err,
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
    snprintf(url, sizeof(url), "http://%s:%d/", listen, bound);
    log_event(LOG_INFO, "listening", "url", json_string(url), "port",
              json_integer(bound), "db", json_string(db), "threads",
              json_integer(threads), NULL);
    if (port_file && write_port_file(port_file, bound)) {
        fprintf(stderr, "infrashared: cannot write %s\n", port_file);
        rc = 1;
    } else {
        int sig = 0;
        sigwait(&set, &sig);
        log_event(LOG_INFO, "stopping", "signal", json_integer(sig), NULL);
    }
    http_stop(srv);
    worker_stop(wk);
    free(rp);
    auth_limits_release(&app.limits);
    store_close(app.store);
    return rc;
}
