/*
 * test_probe_engine.c - the probe engine's API (probe/engine.h) without a
 * test bed: sites on IP literals (no DNS) of a loopback port nothing
 * listens on (each probe ends "refused" at once), so rounds, callbacks,
 * the site list's validation and its replacement can be checked quickly.
 * The measurements themselves are tested against the test bed
 * (tests/integration/test_probe.py).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe/engine.h"

struct seen {
    int n;
    int per_site[8];
    int max_round[8];
    bool bad;
};

static void on_result(const struct probe_result *r, void *arg)
{
    struct seen *s = arg;
    s->n++;
    if (r->site < 1 || r->site > 7) {
        s->bad = true;
        return;
    }
    s->per_site[r->site]++;
    if (r->round > s->max_round[r->site])
        s->max_round[r->site] = r->round;
    /* refused at connect: no DNS (a literal), no later phase */
    if (strcmp(r->outcome, "refused") != 0 || r->dns_ms != 0 ||
        r->ttfb_ms != -1 || r->tls_ms != -1 || r->status != 0 ||
        r->lag_ms < 0 || strcmp(r->addr, "127.0.0.1") != 0)
        s->bad = true;
}

/* A loopback port nothing listens on: bound, never listened, kept open. */
static int closed_port(int *fd)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    *fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(*fd >= 0);
    assert_int_equal(bind(*fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
    return ntohs(a.sin_port);
}

static struct probe_engine *make(struct seen *seen, int rounds)
{
    struct probe_settings set;
    memset(&set, 0, sizeof set);
    set.resolver = "127.0.0.1:9";
    set.max_rounds = rounds;
    set.seed = 42;
    set.cb = on_result;
    set.cb_arg = seen;
    const char *why = NULL;
    struct probe_engine *e = probe_engine_create(&set, &why);
    assert_non_null(e);
    return e;
}

static void t_rounds_and_callbacks(void **state)
{
    (void)state;
    int fd;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", closed_port(&fd));
    struct seen seen = {0};
    struct probe_engine *e = make(&seen, 3);
    struct probe_site sites[] = {
        {1, url, 200, NULL, 1}, {2, url, 0, "x", 1}, {3, url, 503, NULL, 1}};
    size_t bad = 99;
    assert_int_equal(probe_engine_set_sites(e, sites, 3, &bad), IS_OK);
    assert_int_equal(probe_engine_run(e, NULL), IS_OK);
    assert_false(seen.bad);
    assert_int_equal(seen.n, 9);
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(seen.per_site[i], 3);
        assert_int_equal(seen.max_round[i], 3);
    }
    struct probe_stats st;
    probe_engine_stats(e, &st);
    assert_int_equal(st.started, 9);
    assert_int_equal(st.finished, 9);
    assert_int_equal(st.in_flight, 0);
    assert_true(st.lag_p50_ms <= st.lag_p99_ms);
    assert_true(st.lag_p99_ms <= st.lag_max_ms + 1);
    /* done: a further step reports no work */
    assert_int_equal(probe_engine_step(e, 0), 0);
    probe_engine_destroy(e);
    close(fd);
}

static void t_bad_sites_refused(void **state)
{
    (void)state;
    struct seen seen = {0};
    struct probe_engine *e = make(&seen, 1);
    struct probe_site ok = {1, "http://127.0.0.1:1/", 200, NULL, 60};
    struct probe_site bad[] = {
        {2, "ftp://127.0.0.1/", 200, NULL, 60},
        {2, "not a url", 200, NULL, 60},
        {2, "http:///path", 200, NULL, 60},
        {2, "http://127.0.0.1/", 99, NULL, 60},
        {2, "http://127.0.0.1/", 600, NULL, 60},
        {2, "http://127.0.0.1/", 200, NULL, 0},
        {2, "http://127.0.0.1/", 200, NULL, 86401},
        {1, "http://127.0.0.2/", 200, NULL, 60}, /* id 1 twice */
        {2, NULL, 200, NULL, 60},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(bad); i++) {
        struct probe_site two[2] = {ok, bad[i]};
        size_t at = 99;
        assert_int_equal(probe_engine_set_sites(e, two, 2, &at),
                         IS_ERR_INVALID);
        assert_int_equal(at, 1);
    }
    probe_engine_destroy(e);
}

static void t_bad_resolver_refused(void **state)
{
    (void)state;
    const char *bad[] = {"", "host:53", "127.0.0.1:0", "127.0.0.1:99999"};
    for (size_t i = 0; i < IS_ARRAY_LEN(bad); i++) {
        struct probe_settings set;
        memset(&set, 0, sizeof set);
        set.resolver = bad[i];
        const char *why = NULL;
        assert_null(probe_engine_create(&set, &why));
        assert_non_null(why);
    }
}

static void t_replace_list_while_running(void **state)
{
    (void)state;
    int fd;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", closed_port(&fd));
    struct seen seen = {0};
    struct probe_engine *e = make(&seen, 2);
    struct probe_site first[] = {{1, url, 200, NULL, 1},
                                 {2, url, 200, NULL, 1}};
    assert_int_equal(probe_engine_set_sites(e, first, 2, NULL), IS_OK);
    /* until site 1 or 2 has been probed once */
    while (seen.n == 0)
        assert_true(probe_engine_step(e, 100) >= 0);
    /* site 2 goes, site 5 comes, site 1 keeps its rounds */
    struct probe_site second[] = {{5, url, 200, NULL, 1},
                                  {1, url, 200, NULL, 1}};
    int before2 = seen.per_site[2];
    assert_int_equal(probe_engine_set_sites(e, second, 2, NULL), IS_OK);
    assert_int_equal(probe_engine_run(e, NULL), IS_OK);
    assert_false(seen.bad);
    assert_int_equal(seen.per_site[1], 2);
    assert_int_equal(seen.per_site[5], 2);
    assert_int_equal(seen.per_site[2], before2); /* not probed again */
    /* an empty list: nothing left to do */
    assert_int_equal(probe_engine_set_sites(e, NULL, 0, NULL), IS_OK);
    assert_int_equal(probe_engine_step(e, 0), 0);
    probe_engine_destroy(e);
    close(fd);
}

static void t_stop_flag(void **state)
{
    (void)state;
    struct seen seen = {0};
    struct probe_engine *e = make(&seen, 0); /* never done by itself */
    struct probe_site s = {1, "http://127.0.0.1:1/", 200, NULL, 3600};
    assert_int_equal(probe_engine_set_sites(e, &s, 1, NULL), IS_OK);
    volatile sig_atomic_t stop = 1;
    assert_int_equal(probe_engine_run(e, &stop), IS_OK);
    probe_engine_destroy(e);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_rounds_and_callbacks),
        cmocka_unit_test(t_bad_sites_refused),
        cmocka_unit_test(t_bad_resolver_refused),
        cmocka_unit_test(t_replace_list_while_running),
        cmocka_unit_test(t_stop_flag),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
