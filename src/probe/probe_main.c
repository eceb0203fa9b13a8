/*
 * probe_main.c - infrashare-probe: the website prober as a program.
 *
 *   infrashare-probe --sites FILE --out - [--rounds N] [options]
 *       standalone: sites as JSON lines {id,url,expected_status,
 *       content_match,interval_s}; one JSON line per result on stdout
 *   infrashare-probe --hub URL --vantage ID --key FILE --token TOKEN
 *       a vantage point: its sites from GET /api/v1/observation/assignments,
 *       results pushed in Ed25519-signed batches to POST /api/v1/observations
 *   infrashare-probe --keygen FILE
 *       writes a new secret key (base64, mode 0600), prints the public key
 *   infrashare-probe --verify PUBKEY --sig SIG --body FILE
 *       checks a batch signature (exit 0 valid, 1 not)
 * Options: --resolver ADDR:PORT, --per-host N, --rate N, --timeout-ms N,
 * --dns-timeout-ms N, --cacert FILE, --seed N, --batch-s N, --refresh-s N,
 * --source ADDR (the probes' source address), --stats (engine statistics
 * as one JSON line on stderr at the end).
 * Bad arguments: a message on stderr and exit 2.
 */
#include <curl/curl.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe/engine.h"
#include "common/buf.h"
#include "common/util.h"

#define EXIT_USAGE 2
#define SITES_MAX 200000
#define BATCH_MAX 1000
#define BATCH_BYTES (1024 * 1024)

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    IS_UNUSED(sig);
    stop_flag = 1;
}

/* ---- arguments ---- */

struct opt {
    const char *name;
    bool valued;
    const char *val;
    bool given;
};

static struct opt opts[] = {
    {"sites", true, NULL, false},
    {"out", true, NULL, false},
    {"rounds", true, NULL, false},
    {"hub", true, NULL, false},
    {"vantage", true, NULL, false},
    {"key", true, NULL, false},
    {"token", true, NULL, false},
    {"keygen", true, NULL, false},
    {"resolver", true, NULL, false},
    {"per-host", true, NULL, false},
    {"rate", true, NULL, false},
    {"timeout-ms", true, NULL, false},
    {"dns-timeout-ms", true, NULL, false},
    {"cacert", true, NULL, false},
    {"seed", true, NULL, false},
    {"batch-s", true, NULL, false},
    {"refresh-s", true, NULL, false},
    {"verify", true, NULL, false},
    {"sig", true, NULL, false},
    {"body", true, NULL, false},
    {"stats", false, NULL, false},
    {"source", true, NULL, false},
    {"help", false, NULL, false},
};

static struct opt *opt_get(const char *name)
{
    for (size_t i = 0; i < IS_ARRAY_LEN(opts); i++)
        if (strcmp(opts[i].name, name) == 0)
            return &opts[i];
    return NULL;
}

/* An option the program knows (a name missing from opts[] is a bug). */
static struct opt *opt_known(const char *name)
{
    struct opt *o = opt_get(name);
    if (!o) {
        fprintf(stderr, "infrashare-probe: internal: no option '%s'\n", name);
        abort();
    }
    return o;
}

static const char *ov(const char *name)
{
    return opt_known(name)->val;
}

static bool og(const char *name)
{
    return opt_known(name)->given;
}

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("infrashare-probe: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n(infrashare-probe --help for the usage)\n", stderr);
    return EXIT_USAGE;
}

static const char usage[] =
    "usage: infrashare-probe --sites FILE --out - [--rounds N] [options]\n"
    "       infrashare-probe --hub URL --vantage ID --key FILE --token TOKEN"
    " [--rounds N] [options]\n"
    "       infrashare-probe --keygen FILE\n"
    "       infrashare-probe --verify PUBKEY --sig SIG --body FILE\n"
    "options: --resolver ADDR:PORT  --per-host N (2)  --rate N/s (200)\n"
    "         --timeout-ms N (10000)  --dns-timeout-ms N (2000)\n"
    "         --cacert FILE  --seed N  --batch-s N (10)  --refresh-s N (300)"
    "  --stats\n"
    "         --source ADDR (the probes' source address)\n";

static int parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0)
            return usage_error("unexpected argument '%s'", a);
        struct opt *o = opt_get(a + 2);
        if (!o)
            return usage_error("unknown option '%s'", a);
        if (o->given)
            return usage_error("option '%s' given twice", a);
        o->given = true;
        if (o->valued) {
            if (i + 1 >= argc)
                return usage_error("option '%s' needs a value", a);
            o->val = argv[++i];
        }
    }
    return 0;
}

static int num_opt(const char *name, long min, long max, long def, long *out)
{
    *out = def;
    if (!og(name))
        return 0;
    if (util_parse_long(ov(name), min, max, out) != IS_OK)
        return usage_error("--%s must be a whole number in %ld..%ld, not "
                           "'%s'",
                           name, min, max, ov(name));
    return 0;
}

/* ---- keys ---- */

static int keygen(const char *path)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    char skb[sodium_base64_ENCODED_LEN(crypto_sign_SECRETKEYBYTES,
                                       sodium_base64_VARIANT_ORIGINAL)];
    char pkb[sodium_base64_ENCODED_LEN(crypto_sign_PUBLICKEYBYTES,
                                       sodium_base64_VARIANT_ORIGINAL)];
    crypto_sign_keypair(pk, sk);
    sodium_bin2base64(skb, sizeof skb, sk, sizeof sk,
                      sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(pkb, sizeof pkb, pk, sizeof pk,
                      sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(sk, sizeof sk);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "infrashare-probe: cannot create '%s': %s\n", path,
                strerror(errno));
        return 1;
    }
    size_t n = strlen(skb);
    bool ok = write(fd, skb, n) == (ssize_t)n && write(fd, "\n", 1) == 1;
    ok = close(fd) == 0 && ok;
    sodium_memzero(skb, sizeof skb);
    if (!ok) {
        fprintf(stderr, "infrashare-probe: cannot write '%s'\n", path);
        return 1;
    }
    printf("%s\n", pkb);
    return 0;
}

static int load_key(const char *path,
                    unsigned char sk[crypto_sign_SECRETKEYBYTES])
{
    char *text = NULL;
    size_t len;
    if (util_read_file(path, 4096, &text, &len) != IS_OK) {
        fprintf(stderr, "infrashare-probe: cannot read the key '%s'\n", path);
        return -1;
    }
    size_t bin_len = 0;
    int rc =
        sodium_base642bin(sk, crypto_sign_SECRETKEYBYTES, text, len, " \t\r\n",
                          &bin_len, NULL, sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(text, len);
    free(text);
    if (rc != 0 || bin_len != crypto_sign_SECRETKEYBYTES) {
        fprintf(stderr,
                "infrashare-probe: '%s' is not a key made by --keygen\n", path);
        return -1;
    }
    return 0;
}

static int verify(const char *pkb, const char *sigb, const char *body_path)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sig[crypto_sign_BYTES];
    size_t n1 = 0, n2 = 0;
    if (sodium_base642bin(pk, sizeof pk, pkb, strlen(pkb), NULL, &n1, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n1 != sizeof pk)
        return usage_error("--verify: '%s' is not a base64 public key", pkb);
    if (sodium_base642bin(sig, sizeof sig, sigb, strlen(sigb), NULL, &n2, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n2 != sizeof sig)
        return usage_error("--sig: '%s' is not a base64 signature", sigb);
    char *body = NULL;
    size_t len;
    if (util_read_file(body_path, BATCH_BYTES * 4, &body, &len) != IS_OK)
        return usage_error("--body: cannot read '%s'", body_path);
    int ok =
        crypto_sign_verify_detached(sig, (unsigned char *)body, len, pk) == 0;
    free(body);
    puts(ok ? "valid" : "invalid");
    return ok ? 0 : 1;
}

/* ---- sites ---- */

struct sitelist {
    struct probe_site *v;
    size_t n;
    json_t *keep; /* owns the strings v points into */
};

static void sitelist_free(struct sitelist *l)
{
    free(l->v);
    json_decref(l->keep);
    memset(l, 0, sizeof *l);
}

/* One site object into l (strings stay owned by l->keep). */
static int site_from_json(json_t *o, struct sitelist *l, char *why,
                          size_t whylen)
{
    json_t *id = json_object_get(o, "id");
    json_t *url = json_object_get(o, "url");
    json_t *es = json_object_get(o, "expected_status");
    json_t *cm = json_object_get(o, "content_match");
    json_t *iv = json_object_get(o, "interval_s");
    if (!json_is_object(o) || !json_is_integer(id) || !json_is_string(url)) {
        util_xcopy(why, whylen, "needs an integer id and a string url");
        return -1;
    }
    if ((es && !json_is_null(es) && !json_is_integer(es)) ||
        (cm && !json_is_null(cm) && !json_is_string(cm)) ||
        (iv && !json_is_null(iv) && !json_is_integer(iv))) {
        util_xcopy(why, whylen,
                   "expected_status and interval_s are integers, "
                   "content_match a string");
        return -1;
    }
    struct probe_site *s = &l->v[l->n];
    s->id = json_integer_value(id);
    s->url = json_string_value(url);
    s->expected_status =
        json_is_integer(es) ? (int)json_integer_value(es) : 200;
    s->content_match = json_is_string(cm) ? json_string_value(cm) : NULL;
    long ivl = json_is_integer(iv) ? (long)json_integer_value(iv) : 60;
    if (ivl < 1 || ivl > 86400) {
        util_xcopy(why, whylen, "interval_s must be in 1..86400");
        return -1;
    }
    s->interval_s = (int)ivl;
    l->n++;
    return 0;
}

static int read_sites_file(const char *path, struct sitelist *l)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        fprintf(stderr, "infrashare-probe: cannot open --sites '%s': %s\n",
                path, strerror(errno));
        return EXIT_USAGE;
    }
    l->keep = json_array();
    size_t cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t n;
    long lineno = 0;
    int rc = 0;
    while ((n = getline(&line, &lcap, f)) >= 0) {
        lineno++;
        if (strspn(line, " \t\r\n") == (size_t)n)
            continue;
        json_error_t jerr;
        json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
        char why[160] = "not a JSON object";
        if (l->n >= SITES_MAX) {
            util_xcopy(why, sizeof why, "too many sites");
        } else if (o && l->n == cap) {
            cap = cap ? cap * 2 : 64;
            struct probe_site *g = realloc(l->v, cap * sizeof *g);
            if (!g) {
                json_decref(o);
                rc = 1;
                break;
            }
            l->v = g;
        }
        if (!o || l->n >= SITES_MAX ||
            site_from_json(o, l, why, sizeof why) != 0) {
            fprintf(stderr, "infrashare-probe: %s line %ld: %s\n", path, lineno,
                    why);
            json_decref(o);
            rc = EXIT_USAGE;
            break;
        }
        json_array_append_new(l->keep, o);
    }
    free(line);
    if (f != stdin)
        fclose(f);
    return rc;
}

/* ---- results as JSON ---- */

static void rfc3339_ms(int64_t ms, char *out, size_t n)
{
    char t[UTIL_TIME_LEN];
    util_time_rfc3339(ms / 1000, t);
    /* "YYYY-MM-DDTHH:MM:SSZ" → "YYYY-MM-DDTHH:MM:SS.mmmZ" */
    util_xsnprintf(out, n, "%.19s.%03dZ", t, (int)(ms % 1000));
}

static json_t *ms_value(double v)
{
    if (v < 0)
        return json_integer(-1);
    return json_real((double)((int64_t)(v * 1000.0 + 0.5)) / 1000.0);
}

/* The result object; full adds the standalone-only fields. */
static json_t *result_json(const struct probe_result *r, bool full)
{
    char at[40];
    rfc3339_ms(r->at_ms, at, sizeof at);
    json_t *o = json_object();
    json_object_set_new(o, "site", json_integer(r->site));
    json_object_set_new(o, "at", json_string(at));
    json_object_set_new(o, "outcome", json_string(r->outcome));
    json_object_set_new(o, "status", json_integer(r->status));
    json_object_set_new(o, "dns_ms", ms_value(r->dns_ms));
    json_object_set_new(o, "connect_ms", ms_value(r->connect_ms));
    json_object_set_new(o, "tls_ms", ms_value(r->tls_ms));
    json_object_set_new(o, "ttfb_ms", ms_value(r->ttfb_ms));
    json_object_set_new(o, "total_ms", ms_value(r->total_ms));
    json_object_set_new(o, "addr", json_string(r->addr));
    json_object_set_new(o, "ns", json_string(r->ns));
    if (full) {
        json_object_set_new(o, "at_ms", json_integer(r->at_ms));
        json_object_set_new(o, "round", json_integer(r->round));
        json_object_set_new(o, "lag_ms", ms_value(r->lag_ms));
        json_object_set_new(o, "detail", json_string(r->detail));
    }
    return o;
}

static void print_result(const struct probe_result *r, void *arg)
{
    IS_UNUSED(arg);
    json_t *o = result_json(r, true);
    char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(10));
    if (s) {
        fputs(s, stdout);
        fputc('\n', stdout); /* flushed once per engine step (main) */
    }
    free(s);
    json_decref(o);
}

/* ---- hub mode ---- */

struct hub {
    const char *url;
    const char *vantage;
    const char *token;
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    json_t *pending; /* results not pushed yet */
    int64_t last_seq;
    CURL *curl;
    int failures;
    size_t refused; /* results of batches the hub refused (4xx): lost */
};

static size_t to_buf(char *data, size_t size, size_t nmemb, void *arg)
{
    struct buf *b = arg;
    size_t n = size * nmemb;
    return buf_add(b, data, n) == IS_OK ? n : 0;
}

/* One request to the hub. Returns the HTTP status (0: transport failure);
 * the response body in *resp. */
static long hub_request(struct hub *h, const char *method, const char *path,
                        const char *body, const char *sig, struct buf *resp)
{
    char url[2300], auth[600], hv[300], hs[200];
    if (util_fmt(url, sizeof url, "%s%s", h->url, path) != IS_OK ||
        util_fmt(auth, sizeof auth, "Authorization: Bearer %s", h->token) !=
            IS_OK ||
        util_fmt(hv, sizeof hv, "X-Infrashare-Vantage: %s", h->vantage) !=
            IS_OK)
        return 0;
    struct curl_slist *hdr = curl_slist_append(NULL, auth);
    hdr = curl_slist_append(hdr, hv);
    if (body) {
        hdr = curl_slist_append(hdr, "Content-Type: application/json");
        util_xsnprintf(hs, sizeof hs, "X-Infrashare-Signature: %s", sig);
        hdr = curl_slist_append(hdr, hs);
    }
    CURL *c = h->curl;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_buf);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
    if (body) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    return status;
}

static int fetch_assignments(struct hub *h, struct sitelist *l)
{
    struct buf resp;
    buf_init(&resp, 64 * 1024 * 1024);
    long st = hub_request(h, "GET", "/api/v1/observation/assignments", NULL,
                          NULL, &resp);
    if (st != 200 || buf_error(&resp) != IS_OK) {
        fprintf(stderr,
                "infrashare-probe: GET /api/v1/observation/assignments: "
                "status %ld\n",
                st);
        buf_release(&resp);
        return -1;
    }
    json_error_t jerr;
    json_t *doc = json_loads(buf_str(&resp), 0, &jerr);
    buf_release(&resp);
    json_t *items = json_object_get(doc, "items");
    if (!json_is_array(items)) {
        fprintf(stderr, "infrashare-probe: the assignments are not "
                        "{\"items\":[...]}\n");
        json_decref(doc);
        return -1;
    }
    size_t n = json_array_size(items);
    l->v = calloc(n ? n : 1, sizeof *l->v);
    l->keep = doc;
    if (!l->v)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char why[160];
        if (site_from_json(json_array_get(items, i), l, why, sizeof why) != 0) {
            fprintf(stderr, "infrashare-probe: assignment %zu: %s\n", i, why);
            sitelist_free(l);
            return -1;
        }
    }
    return 0;
}

static void collect(const struct probe_result *r, void *arg)
{
    struct hub *h = arg;
    json_array_append_new(h->pending, result_json(r, false));
}

/* Pushes up to BATCH_MAX pending results in one signed batch. 0 when sent
 * (or nothing to send), -1 when the hub did not take it (the results stay
 * pending and go with the next push). */
static int push_once(struct hub *h)
{
    size_t n = json_array_size(h->pending);
    if (n == 0)
        return 0;
    if (n > BATCH_MAX)
        n = BATCH_MAX;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t seq = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    if (seq <= h->last_seq)
        seq = h->last_seq + 1;
    char sent[UTIL_TIME_LEN];
    util_time_rfc3339(ts.tv_sec, sent);
    json_t *results = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append(results, json_array_get(h->pending, i));
    json_t *batch = json_object();
    json_object_set_new(batch, "vantage", json_string(h->vantage));
    json_object_set_new(batch, "seq", json_integer(seq));
    json_object_set_new(batch, "sent_at", json_string(sent));
    json_object_set_new(batch, "results", results);
    char *body = json_dumps(batch, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(batch);
    if (!body)
        return -1;
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, (unsigned char *)body, strlen(body), h->sk);
    char sigb[sodium_base64_ENCODED_LEN(crypto_sign_BYTES,
                                        sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(sigb, sizeof sigb, sig, sizeof sig,
                      sodium_base64_VARIANT_ORIGINAL);
    struct buf resp;
    buf_init(&resp, 1024 * 1024);
    long st = hub_request(h, "POST", "/api/v1/observations", body, sigb, &resp);
    free(body);
    h->last_seq = seq;
    if (st >= 200 && st < 300) {
        for (size_t i = 0; i < n; i++)
            json_array_remove(h->pending, 0);
        buf_release(&resp);
        return 0;
    }
    fprintf(stderr,
            "infrashare-probe: POST /api/v1/observations: status "
            "%ld %s\n",
            st, buf_error(&resp) == IS_OK ? buf_str(&resp) : "");
    buf_release(&resp);
    if (st >= 400 && st < 500) {
        /* the hub refused the batch: it would refuse it again */
        for (size_t i = 0; i < n; i++)
            json_array_remove(h->pending, 0);
        h->refused += n;
    }
    return -1;
}

static void push_all(struct hub *h)
{
    while (json_array_size(h->pending) > 0)
        if (push_once(h) != 0)
            break;
}

static int run_hub(struct probe_settings *set, long batch_s, long refresh_s)
{
    struct hub h;
    memset(&h, 0, sizeof h);
    h.url = ov("hub");
    h.vantage = ov("vantage");
    h.token = ov("token");
    if (strncmp(h.url, "http://", 7) != 0 && strncmp(h.url, "https://", 8) != 0)
        return usage_error("--hub must be an http(s) URL, not '%s'", h.url);
    if (!h.vantage[0] || strlen(h.vantage) > 64)
        return usage_error("--vantage must be 1..64 characters: '%s'",
                           h.vantage);
    if (!h.token[0] || strlen(h.token) > 512 || strpbrk(h.token, "\r\n"))
        return usage_error("%s", "--token is empty or malformed");
    size_t ul = strlen(h.url);
    char hub_url[2048];
    if (ul >= sizeof hub_url)
        return usage_error("%s", "--hub is too long");
    memcpy(hub_url, h.url, ul + 1);
    while (ul > 0 && hub_url[ul - 1] == '/')
        hub_url[--ul] = '\0';
    h.url = hub_url;
    if (load_key(ov("key"), h.sk) != 0)
        return EXIT_USAGE;
    h.curl = curl_easy_init();
    h.pending = json_array();
    set->cb = collect;
    set->cb_arg = &h;
    int rc = 1;
    const char *why = NULL;
    struct probe_engine *e = probe_engine_create(set, &why);
    struct sitelist l = {0};
    if (!e) {
        fprintf(stderr, "infrashare-probe: %s\n", why);
        rc = EXIT_USAGE;
        goto out;
    }
    if (fetch_assignments(&h, &l) != 0)
        goto out;
    size_t bad;
    if (probe_engine_set_sites(e, l.v, l.n, &bad) != IS_OK) {
        fprintf(stderr,
                "infrashare-probe: assignment %zu is not a site "
                "the prober can probe\n",
                bad);
        goto out;
    }
    int64_t next_push = (int64_t)util_mono() + batch_s;
    int64_t next_refresh = (int64_t)util_mono() + refresh_s;
    rc = 0;
    while (!stop_flag) {
        int st = probe_engine_step(e, 200);
        if (st < 0) {
            rc = 1;
            break;
        }
        double now = util_mono();
        if (st == 0 || now >= (double)next_push ||
            json_array_size(h.pending) >= BATCH_MAX) {
            push_all(&h);
            next_push = (int64_t)now + batch_s;
        }
        if (st == 0)
            break;
        if (now >= (double)next_refresh) {
            struct sitelist nl = {0};
            if (fetch_assignments(&h, &nl) == 0 &&
                probe_engine_set_sites(e, nl.v, nl.n, &bad) == IS_OK) {
                sitelist_free(&l);
                l = nl;
            } else {
                sitelist_free(&nl);
            }
            next_refresh = (int64_t)now + refresh_s;
        }
    }
    push_all(&h);
    /* a run ends in failure when results were not taken: still pending
     * (the hub unreachable) or refused by it (a bad key, not assigned) */
    if (json_array_size(h.pending) > 0 || h.refused > 0)
        rc = 1;
    if (og("stats")) {
        struct probe_stats ps;
        probe_engine_stats(e, &ps);
        fprintf(stderr,
                "{\"started\":%llu,\"finished\":%llu,\"lag_p50_ms\":%.0f,"
                "\"lag_p99_ms\":%.0f,\"lag_max_ms\":%.1f}\n",
                (unsigned long long)ps.started, (unsigned long long)ps.finished,
                ps.lag_p50_ms, ps.lag_p99_ms, ps.lag_max_ms);
    }
out:
    probe_engine_destroy(e);
    sitelist_free(&l);
    json_decref(h.pending);
    if (h.curl)
        curl_easy_cleanup(h.curl);
    sodium_memzero(h.sk, sizeof h.sk);
    return rc;
}

static int run_standalone(struct probe_settings *set)
{
    if (strcmp(ov("out"), "-") != 0)
        return usage_error("--out supports only '-' (stdout), not '%s'",
                           ov("out"));
    struct sitelist l = {0};
    int rc = read_sites_file(ov("sites"), &l);
    if (rc != 0) {
        sitelist_free(&l);
        return rc;
    }
    set->cb = print_result;
    const char *why = NULL;
    struct probe_engine *e = probe_engine_create(set, &why);
    if (!e) {
        sitelist_free(&l);
        return usage_error("%s", why);
    }
    size_t bad;
    rc = probe_engine_set_sites(e, l.v, l.n, &bad);
    if (rc != IS_OK) {
        rc = usage_error("site %zu of --sites (id %lld): %s", bad + 1,
                         (long long)l.v[bad].id,
                         rc == IS_ERR_INVALID
                             ? "not an http(s) URL with a host, "
                               "expected_status out of 100..599, or an "
                               "id given twice"
                             : "out of memory");
        probe_engine_destroy(e);
        sitelist_free(&l);
        return rc;
    }
    /* probe_engine_run's loop, with the results written out after each
     * step (one write for all the probes a wake-up finished, before the
     * engine waits again) */
    rc = 0;
    while (!stop_flag) {
        int st = probe_engine_step(e, 1000);
        fflush(stdout);
        if (st < 0)
            rc = 1;
        if (st <= 0)
            break;
    }
    if (og("stats")) {
        struct probe_stats ps;
        probe_engine_stats(e, &ps);
        fprintf(stderr,
                "{\"started\":%llu,\"finished\":%llu,\"lag_p50_ms\":%.0f,"
                "\"lag_p99_ms\":%.0f,\"lag_max_ms\":%.1f}\n",
                (unsigned long long)ps.started, (unsigned long long)ps.finished,
                ps.lag_p50_ms, ps.lag_p99_ms, ps.lag_max_ms);
    }
    probe_engine_destroy(e);
    sitelist_free(&l);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = parse_args(argc, argv);
    if (rc != 0)
        return rc;
    if (og("help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (sodium_init() < 0) {
        fputs("infrashare-probe: libsodium failed to start\n", stderr);
        return 1;
    }
    if (og("keygen"))
        return keygen(ov("keygen"));
    if (og("verify")) {
        if (!og("sig") || !og("body"))
            return usage_error("%s", "--verify needs --sig and --body");
        return verify(ov("verify"), ov("sig"), ov("body"));
    }
    bool standalone = og("sites") || og("out");
    bool hub = og("hub") || og("vantage") || og("key") || og("token");
    if (standalone && hub)
        return usage_error("%s", "--sites/--out and --hub are two modes: "
                                 "give one");
    if (!standalone && !hub)
        return usage_error("%s", "give --sites FILE --out -, or --hub URL "
                                 "--vantage ID --key FILE --token TOKEN");
    if (standalone && (!og("sites") || !og("out")))
        return usage_error("%s", "standalone mode needs both --sites FILE "
                                 "and --out -");
    if (hub && !(og("hub") && og("vantage") && og("key") && og("token")))
        return usage_error("%s", "hub mode needs --hub, --vantage, --key "
                                 "and --token");
    long rounds, per_host, rate, timeout, dns_timeout, seed, batch_s, refresh_s;
    if ((rc = num_opt("rounds", 1, 1000000, 0, &rounds)) != 0 ||
        (rc = num_opt("per-host", 1, 100, 2, &per_host)) != 0 ||
        (rc = num_opt("rate", 1, 100000, 200, &rate)) != 0 ||
        (rc = num_opt("timeout-ms", 1, 600000, 10000, &timeout)) != 0 ||
        (rc = num_opt("dns-timeout-ms", 1, 60000, 2000, &dns_timeout)) != 0 ||
        (rc = num_opt("seed", 0, LONG_MAX, 0, &seed)) != 0 ||
        (rc = num_opt("batch-s", 1, 3600, 10, &batch_s)) != 0 ||
        (rc = num_opt("refresh-s", 1, 86400, 300, &refresh_s)) != 0)
        return rc;
    if (og("cacert") && access(ov("cacert"), R_OK) != 0)
        return usage_error("--cacert: cannot read '%s'", ov("cacert"));
    struct probe_settings set;
    memset(&set, 0, sizeof set);
    set.resolver = og("resolver") ? ov("resolver") : NULL;
    set.per_host = (int)per_host;
    set.rate_per_s = (double)rate;
    set.timeout_ms = (int)timeout;
    set.dns_timeout_ms = (int)dns_timeout;
    set.max_rounds = (int)rounds;
    set.cacert = og("cacert") ? ov("cacert") : NULL;
    set.seed = (uint64_t)seed;
    set.source = og("source") ? ov("source") : NULL;
    if (set.resolver || set.source) {
        /* checked here for a clear message (the engine checks it too) */
        struct probe_settings t = set;
        const char *why = NULL;
        t.cb = NULL;
        struct probe_engine *e = probe_engine_create(&t, &why);
        if (!e)
            return usage_error("--resolver '%s', --source '%s': %s",
                               set.resolver ? set.resolver : "(default)",
                               set.source ? set.source : "(any)", why);
        probe_engine_destroy(e);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fputs("infrashare-probe: libcurl failed to start\n", stderr);
        return 1;
    }
    rc = standalone ? run_standalone(&set) : run_hub(&set, batch_s, refresh_s);
    curl_global_cleanup();
    return rc;
}
