/*
 * observation.c - website response observation: signed batches, the
 * ingest pipeline, alerts and the read views (service/observation.h).
 */
#include "service/observation.h"

#include <math.h>
#include <sodium.h>
#include <stdlib.h>

#include "common/log.h"
#include "core/roles.h"
#include "common/util.h"
#include "core/obs_correlate.h"
#include "core/obs_sketch.h"
#include "service/obs_rules.h"
#include "service/provision.h"

void obs_reader_of(const struct auth_ctx *who, struct obs_reader *rd)
{
    store_obs_reader_of(&who->org, who->roles, rd);
}

/* ---- the batch ---- */

static const char *const outcomes[] = {"ok",    "dns",     "refused", "timeout",
                                       "tls",   "http5xx", "status",  "content",
                                       "error", NULL};

static bool outcome_known(const char *s)
{
    for (int i = 0; outcomes[i]; i++)
        if (strcmp(s, outcomes[i]) == 0)
            return true;
    return false;
}

/* Fails e naming results[i].field. */
static int rfail(struct svc_error *e, size_t i, const char *field,
                 const char *code, const char *msg)
{
    char f[64];
    snprintf(f, sizeof(f), "results[%zu].%s", i, field);
    return svc_fail(e, IS_ERR_INVALID, code, f, "%s: %s", f, msg);
}

/* Milliseconds after the second of an RFC 3339 time ("...:SS.fff..."). */
static int time_ms(const char *s)
{
    const char *p = strchr(s, '.');
    if (!p || p - s < 19)
        return 0;
    int ms = 0, k = 0;
    for (p++; k < 3 && *p >= '0' && *p <= '9'; p++, k++)
        ms = ms * 10 + (*p - '0');
    for (; k < 3; k++)
        ms *= 10;
    return ms;
}

static int read_ms(const json_t *r, size_t i, const char *name, double *out,
                   struct svc_error *e)
{
    json_t *v = json_object_get(r, name);
    *out = -1;
    if (!v)
        return IS_OK;
    if (!json_is_number(v))
        return rfail(e, i, name, "invalid_type", "must be a number");
    double d = json_number_value(v);
    if (!isfinite(d) || (d != -1 && (d < 0 || d > OBS_MS_MAX)))
        return rfail(e, i, name, "out_of_range",
                     "must be 0..600000 ms, or -1 (phase did not happen)");
    *out = d;
    return IS_OK;
}

static int read_text(const json_t *r, size_t i, const char *name, char *out,
                     size_t cap, struct svc_error *e)
{
    json_t *v = json_object_get(r, name);
    out[0] = 0;
    if (!v)
        return IS_OK;
    if (!json_is_string(v))
        return rfail(e, i, name, "invalid_type", "must be a string");
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n >= cap || strlen(s) != n || !util_utf8_ok(s, n))
        return rfail(e, i, name, "too_long", "too long or not text");
    for (size_t k = 0; k < n; k++)
        if ((unsigned char)s[k] < 0x20)
            return rfail(e, i, name, "invalid_value",
                         "control characters are not allowed");
    memcpy(out, s, n + 1);
    return IS_OK;
}

/* One result item: fields, types and ranges (not yet its assignment). */
static int parse_result(const json_t *r, size_t i, int64_t now, bool test_mode,
                        struct obs_result_in *o, struct svc_error *e)
{
    static const char *const known[] = {
        "site",   "at",      "outcome",  "status", "dns_ms", "connect_ms",
        "tls_ms", "ttfb_ms", "total_ms", "addr",   "ns",     NULL};
    memset(o, 0, sizeof(*o));
    if (!json_is_object(r)) {
        char f[32];
        snprintf(f, sizeof(f), "results[%zu]", i);
        return svc_fail(e, IS_ERR_INVALID, "invalid_type", f,
                        "%s: must be an object", f);
    }
    const char *key;
    json_t *v;
    json_object_foreach ((json_t *)r, key, v) {
        bool ok = false;
        for (int k = 0; known[k]; k++)
            ok = ok || strcmp(key, known[k]) == 0;
        if (!ok) {
            char f[64];
            if (util_fmt(f, sizeof(f), "results[%zu].%s", i, key))
                snprintf(f, sizeof(f), "results[%zu]", i);
            return svc_fail(e, IS_ERR_INVALID, "unknown_field", f,
                            "%s: unknown field", f);
        }
    }
    v = json_object_get(r, "site");
    if (!v)
        return rfail(e, i, "site", "missing_field", "required");
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return rfail(e, i, "site", "invalid_type",
                     "must be a site id (integer >= 1)");
    o->site = json_integer_value(v);
    v = json_object_get(r, "at");
    if (!v)
        return rfail(e, i, "at", "missing_field", "required");
    if (!json_is_string(v) || util_time_parse(json_string_value(v), &o->at))
        return rfail(e, i, "at", "invalid_time", "must be an RFC 3339 time");
    o->at_ms = time_ms(json_string_value(v));
    if (o->at > now + OBS_AT_FUTURE_S)
        return rfail(e, i, "at", "out_of_range",
                     "is more than 60 s in the future");
    int64_t past = test_mode ? OBS_AT_PAST_TEST_S : OBS_AT_PAST_S;
    if (o->at < now - past)
        return rfail(e, i, "at", "out_of_range",
                     test_mode ? "is older than 30 days"
                               : "is older than 48 hours");
    v = json_object_get(r, "outcome");
    if (!v)
        return rfail(e, i, "outcome", "missing_field", "required");
    if (!json_is_string(v) || !outcome_known(json_string_value(v)))
        return rfail(e, i, "outcome", "invalid_value",
                     "must be one of ok, dns, refused, timeout, tls, "
                     "http5xx, status, content, error");
    util_xcopy(o->outcome, sizeof(o->outcome), json_string_value(v));
    v = json_object_get(r, "status");
    if (v && (!json_is_integer(v) || json_integer_value(v) < 0 ||
              json_integer_value(v) > 999))
        return rfail(e, i, "status", "out_of_range",
                     "must be an HTTP status 0..999 (0: none)");
    o->status = v ? (int)json_integer_value(v) : 0;
    int rc = read_ms(r, i, "dns_ms", &o->dns_ms, e);
    if (!rc)
        rc = read_ms(r, i, "connect_ms", &o->connect_ms, e);
    if (!rc)
        rc = read_ms(r, i, "tls_ms", &o->tls_ms, e);
    if (!rc)
        rc = read_ms(r, i, "ttfb_ms", &o->ttfb_ms, e);
    if (!rc)
        rc = read_ms(r, i, "total_ms", &o->total_ms, e);
    if (!rc)
        rc = read_text(r, i, "addr", o->addr, sizeof(o->addr), e);
    if (!rc)
        rc = read_text(r, i, "ns", o->ns, sizeof(o->ns), e);
    if (!rc && strcmp(o->outcome, "ok") == 0 && o->total_ms < 0)
        return rfail(e, i, "total_ms", "missing_field",
                     "an ok result needs its total time");
    return rc;
}

/* The batch's top level: vantage, seq, sent_at, results. */
static int parse_batch(const json_t *j, const char *vantage, int64_t now,
                       bool test_mode, int64_t *seq, struct obs_result_in **rs,
                       size_t *n, struct svc_error *e)
{
    static const char *const known[] = {"vantage", "seq", "sent_at", "results",
                                        NULL};
    *rs = NULL;
    *n = 0;
    if (!json_is_object(j))
        return svc_fail(e, IS_ERR_INVALID, "invalid_type", "body",
                        "body: must be a JSON object");
    const char *key;
    json_t *v;
    json_object_foreach ((json_t *)j, key, v) {
        bool ok = false;
        for (int k = 0; known[k]; k++)
            ok = ok || strcmp(key, known[k]) == 0;
        if (!ok) {
            char f[64];
            if (util_copy(f, sizeof(f), key))
                util_xcopy(f, sizeof(f), "body");
            return svc_fail(e, IS_ERR_INVALID, "unknown_field", f,
                            "%s: unknown field", f);
        }
    }
    v = json_object_get(j, "vantage");
    if (!json_is_string(v))
        return svc_fail(e, IS_ERR_INVALID, v ? "invalid_type" : "missing_field",
                        "vantage", "vantage: required string");
    if (strcmp(json_string_value(v), vantage) != 0)
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "vantage",
                        "vantage: not the vantage point of "
                        "X-Infrashare-Vantage");
    v = json_object_get(j, "seq");
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return svc_fail(e, IS_ERR_INVALID, v ? "invalid_type" : "missing_field",
                        "seq", "seq: required integer >= 1");
    *seq = json_integer_value(v);
    v = json_object_get(j, "sent_at");
    int64_t sent;
    if (!json_is_string(v) || util_time_parse(json_string_value(v), &sent))
        return svc_fail(e, IS_ERR_INVALID, v ? "invalid_time" : "missing_field",
                        "sent_at", "sent_at: required RFC 3339 time");
    if (sent > now + OBS_SENT_AT_SKEW_S || sent < now - OBS_SENT_AT_SKEW_S)
        return svc_fail(e, IS_ERR_INVALID, "stale", "sent_at",
                        "sent_at: more than 300 s from the hub's clock "
                        "(a replayed or delayed batch)");
    v = json_object_get(j, "results");
    if (!json_is_array(v))
        return svc_fail(e, IS_ERR_INVALID, v ? "invalid_type" : "missing_field",
                        "results", "results: required array");
    size_t cnt = json_array_size(v);
    if (cnt > OBS_BATCH_MAX)
        return svc_fail(e, IS_ERR_INVALID, "too_long", "results",
                        "results: more than %d items", OBS_BATCH_MAX);
    struct obs_result_in *out = calloc(cnt ? cnt : 1, sizeof(*out));
    if (!out)
        return svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "out of memory");
    for (size_t i = 0; i < cnt; i++) {
        int rc =
            parse_result(json_array_get(v, i), i, now, test_mode, &out[i], e);
        if (rc) {
            free(out);
            return rc;
        }
    }
    *rs = out;
    *n = cnt;
    return IS_OK;
}

/* Ed25519 signature (base64, standard alphabet) of body with the
 * vantage's public key (base64). */
static bool signature_ok(const char *key_b64, const char *sig_b64,
                         const char *body, size_t len)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
    size_t pkl = 0, sl = 0;
    if (!key_b64 || !sig_b64 || !*key_b64)
        return false;
    if (sodium_base642bin(pk, sizeof(pk), key_b64, strlen(key_b64), NULL, &pkl,
                          NULL, sodium_base64_VARIANT_ORIGINAL) ||
        pkl != sizeof(pk))
        return false;
    if (sodium_base642bin(sig, sizeof(sig), sig_b64, strlen(sig_b64), NULL, &sl,
                          NULL, sodium_base64_VARIANT_ORIGINAL) ||
        sl != sizeof(sig))
        return false;
    return crypto_sign_verify_detached(sig, (const unsigned char *)body, len,
                                       pk) == 0;
}

int obs_push(struct app *a, struct store_conn *c, const char *vantage,
             const char *sig_b64, const char *body, size_t len,
             const json_t *json, int64_t now, json_t **out, struct svc_error *e)
{
    struct store_obs_vantage v;
    if (!vantage || !*vantage)
        return svc_fail(e, IS_ERR_AUTH, "unauthenticated",
                        "X-Infrashare-Vantage",
                        "X-Infrashare-Vantage: the vantage point's id is "
                        "required");
    /* a header's bytes are not text: no id is anything but UTF-8 (and
     * PostgreSQL refuses other bytes in a text parameter) */
    int rc = util_utf8_ok(vantage, strlen(vantage))
                 ? store_obs_vantage_get(c, vantage, &v)
                 : IS_ERR_NOTFOUND;
    if (rc == IS_ERR_NOTFOUND || (!rc && (!v.active || !v.public_key[0])))
        return svc_fail(e, IS_ERR_AUTH, "unauthenticated",
                        "X-Infrashare-Vantage",
                        "X-Infrashare-Vantage: no such active vantage point");
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the hub failed");
    if (!sig_b64 || !*sig_b64 ||
        !signature_ok(v.public_key, sig_b64, body, len))
        return svc_fail(e, IS_ERR_AUTH, "bad_signature",
                        "X-Infrashare-Signature",
                        "X-Infrashare-Signature: not a valid Ed25519 "
                        "signature of the body by this vantage point");
    int64_t seq = 0;
    struct obs_result_in *rs = NULL;
    size_t n = 0;
    rc = parse_batch(json, vantage, now, a && a->test_mode, &seq, &rs, &n, e);
    if (rc)
        return rc;
    rc = store_begin(c);
    if (rc) {
        free(rs);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the hub failed; nothing was stored");
    }
    rc = store_obs_vantage_take_seq(c, vantage, seq);
    if (rc == IS_ERR_CONFLICT) {
        store_rollback(c);
        free(rs);
        return svc_fail(e, IS_ERR_CONFLICT, "replayed", "seq",
                        "seq: not above this vantage point's last batch "
                        "(a replayed batch); nothing was stored");
    }
    for (size_t i = 0; !rc && i < n; i++) {
        bool yes = false;
        rc = store_obs_site_assigned(c, rs[i].site, &yes);
        if (!rc && !yes) {
            store_rollback(c);
            free(rs);
            return rfail(e, i, "site", "not_assigned",
                         "not a site assigned to this vantage point; "
                         "nothing was stored");
        }
    }
    int queued = 0;
    if (!rc)
        rc = obs_ingest_locked(a, c, vantage, rs, n, now, &queued);
    free(rs);
    if (!rc)
        rc = store_commit(c);
    if (rc) {
        store_rollback(c);
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL,
                        "the hub failed; nothing was stored");
    }
    if (queued && a && a->wake_outbox)
        a->wake_outbox(a);
    *out = json_pack("{s:I}", "accepted", (json_int_t)n);
    return *out ? IS_OK : svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "oom");
}

/* ---- read views ---- */

static int parse_id(const char *s, int64_t *id)
{
    long v = 0;
    if (!s || util_parse_long(s, 1, INT64_MAX, &v))
        return IS_ERR_NOTFOUND;
    *id = v;
    return IS_OK;
}

/* from/to query parameters (RFC 3339, or Unix seconds); defaults given. */
static int parse_when(const char *s, const char *field, int64_t dflt,
                      int64_t *out, struct svc_error *e)
{
    if (!s || !*s) {
        *out = dflt;
        return IS_OK;
    }
    long v;
    if (!util_time_parse(s, out))
        return IS_OK;
    if (!util_parse_long(s, 0, 0x7fffffffL, &v)) {
        *out = v;
        return IS_OK;
    }
    return svc_fail(e, IS_ERR_INVALID, "invalid_value", field,
                    "%s: an RFC 3339 time or Unix seconds", field);
}

static json_t *ms_json(double v)
{
    return v < 0 || !isfinite(v) ? json_null() : json_real(round(v * 10) / 10);
}

int obs_site_observations(struct app *a, struct store_conn *c,
                          const struct auth_ctx *who, const char *site_id,
                          const char *from, const char *to, const char *step,
                          int64_t now, json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    struct obs_reader rd;
    obs_reader_of(who, &rd);
    int64_t id;
    bool yes = false;
    if (parse_id(site_id, &id) || store_obs_site_visible(c, &rd, id, &yes) ||
        !yes)
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL, "no such site");
    int st = 300;
    if (!step || strcmp(step, "5m") == 0)
        st = 300;
    else if (strcmp(step, "raw") == 0)
        st = 0;
    else if (strcmp(step, "1h") == 0)
        st = 3600;
    else
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "step",
                        "step: raw, 5m or 1h");
    int64_t t0, t1;
    int rc = parse_when(from, "from", now - 86400, &t0, e);
    if (!rc)
        rc = parse_when(to, "to", now + 1, &t1, e);
    if (rc)
        return rc;
    if (t1 <= t0)
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "to",
                        "to: must be after from");
    int64_t maxspan = st == 0 ? 2 * 86400 : st == 300 ? 8 * 86400 : 400 * 86400;
    if (t1 - t0 > maxspan)
        return svc_fail(e, IS_ERR_INVALID, "out_of_range", "from",
                        "from: the span is longer than this step allows "
                        "(raw: 2 days, 5m: 8 days, 1h: 400 days)");
    struct store_obs_point *pts = NULL;
    size_t n = 0;
    rc = store_obs_points(c, id, st == 0, t0, t1, &pts, &n);
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the hub failed");
    json_t *points = json_array();
    /* rollups merged per step (and across vantages) with the sketches */
    for (size_t i = 0; i < n;) {
        int64_t t = st ? pts[i].t / st * st : pts[i].t;
        struct obs_sketch sk;
        obs_sketch_init(&sk);
        int64_t cnt = 0, errs = 0;
        double ph[4] = {0, 0, 0, 0};
        int phn[4] = {0, 0, 0, 0};
        size_t j = i;
        for (; j < n && (st ? pts[j].t / st * st : pts[j].t) == t &&
               (st || j == i);
             j++) {
            cnt += pts[j].n;
            errs += pts[j].errors;
            if (st) {
                struct obs_sketch one;
                if (pts[j].sketch_len &&
                    obs_sketch_decode(&one, pts[j].sketch, pts[j].sketch_len))
                    obs_sketch_merge(&sk, &one);
            }
            double v[4] = {pts[j].dns, pts[j].connect, pts[j].tls, pts[j].ttfb};
            for (int k = 0; k < 4; k++)
                if (v[k] >= 0) {
                    ph[k] += v[k];
                    phn[k]++;
                }
        }
        double p50 = st ? obs_sketch_quantile(&sk, 0.5) : pts[i].p50;
        double p90 = st ? obs_sketch_quantile(&sk, 0.9) : pts[i].p90;
        double p99 = st ? obs_sketch_quantile(&sk, 0.99) : pts[i].p99;
        if (!st && pts[i].errors)
            p50 = p90 = p99 = -1;
        json_t *p = json_pack("{s:o,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "t",
                              svc_time_json(t), "n", (json_int_t)cnt, "errors",
                              (json_int_t)errs, "p50", ms_json(p50), "p90",
                              ms_json(p90), "p99", ms_json(p99), "dns",
                              ms_json(phn[0] ? ph[0] / phn[0] : -1), "connect",
                              ms_json(phn[1] ? ph[1] / phn[1] : -1), "tls",
                              ms_json(phn[2] ? ph[2] / phn[2] : -1), "ttfb",
                              ms_json(phn[3] ? ph[3] / phn[3] : -1));
        if (!st)
            json_object_set_new(p, "vantage", json_string(pts[i].vantage));
        json_array_append_new(points, p);
        i = j;
    }
    free(pts);
    /* the baseline band over the same span: per hour of the week, the
     * median of the vantages' medians, low/high = median -/+ 3 x 1.4826 MAD */
    struct store_obs_baseline_row *bl = NULL;
    size_t nb = 0;
    rc = store_obs_site_baselines(c, id, &bl, &nb);
    json_t *band = json_array();
    int64_t bstep = 3600;
    for (int64_t t = t0 / bstep * bstep; !rc && t < t1; t += bstep) {
        int how = obs_hour_of_week(t);
        double m = -1, mad = 0;
        for (size_t k = 0; k < nb; k++)
            if (bl[k].how == how && bl[k].n >= 3 &&
                (m < 0 || bl[k].median < m)) {
                m = bl[k].median;
                mad = bl[k].mad;
            }
        if (m < 0)
            continue;
        double w = 3 * 1.4826 * mad;
        json_array_append_new(band,
                              json_pack("{s:o,s:o,s:o,s:o}", "t",
                                        svc_time_json(t), "median", ms_json(m),
                                        "low", ms_json(m - w > 0 ? m - w : 0),
                                        "high", ms_json(m + w)));
    }
    free(bl);
    struct store_id_list vs = {0};
    if (!rc)
        rc = store_obs_site_vantages(c, id, &vs);
    json_t *vj = json_array();
    for (size_t k = 0; !rc && k < vs.n; k++)
        json_array_append_new(vj, json_string(vs.items[k].id));
    store_id_list_free(&vs);
    if (rc) {
        json_decref(points);
        json_decref(band);
        json_decref(vj);
        return svc_fail(e, rc, "internal", NULL, "the hub failed");
    }
    *out = json_pack("{s:I,s:s,s:o,s:o,s:o,s:o,s:o}", "site", (json_int_t)id,
                     "step",
                     st == 0     ? "raw"
                     : st == 300 ? "5m"
                                 : "1h",
                     "from", svc_time_json(t0), "to", svc_time_json(t1),
                     "points", points, "baseline", band, "vantages", vj);
    return *out ? IS_OK : svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "oom");
}

/* A count as a reader gets it (core obs_count_shown): exact to one who
 * sees every site it counts (sees); to any other the seen of them it sees
 * exactly plus the others rounded down to a multiple of 5, "<5" when it
 * sees none and the others are below 5 (0 too) — so that neither a small
 * count nor the difference of two (the sector's sites minus its normal
 * ones, say, or one site's pause), nor the reader's moving its own count
 * to a boundary, tells about one site. */
static json_t *count_json(int64_t v, int64_t seen, bool sees)
{
    int64_t shown = obs_count_shown(v, seen, sees);
    return shown < 0 ? json_string("<5") : json_integer(shown);
}

/* The group's size an alert's evidence records (0: not recorded). */
static int64_t evidence_group_size(const char *evidence)
{
    json_t *ev = json_loads(evidence ? evidence : "{}", 0, NULL);
    int64_t n = json_integer_value(json_object_get(ev, "group_sites"));
    json_decref(ev);
    return n > 0 ? n : 0;
}

void obs_alert_reason_for(const struct store_obs_alert *al,
                          const struct obs_seen *seen, char *ja, size_t ja_cap,
                          char *en, size_t en_cap)
{
    /* a site alert's text names no count of sites: as stored */
    if (!seen->exact && strcmp(al->kind, "site") != 0) {
        if (!obs_alert_reason_shown(al->kind, al->key, al->condition, al->phase,
                                    al->site_count,
                                    evidence_group_size(al->evidence), seen, ja,
                                    ja_cap, en, en_cap))
            ja[0] = en[0] = 0; /* never the exact text to this reader */
        return;
    }
    if (util_copy(ja, ja_cap, al->reason_ja ? al->reason_ja : ""))
        ja[0] = 0;
    if (util_copy(en, en_cap, al->reason_en ? al->reason_en : ""))
        en[0] = 0;
}

static const char *const alert_kinds[] = {"site",    "sector",  "prefix", "dns",
                                          "hosting", "vantage", NULL};

static bool in_list(const char *s, const char *const *l)
{
    for (int i = 0; l[i]; i++)
        if (strcmp(s, l[i]) == 0)
            return true;
    return false;
}

/* The alert as reader rd sees it: sites only those it may see; the
 * evidence's per-site entries likewise. */
static json_t *alert_json(struct store_conn *c, const struct obs_reader *rd,
                          const struct store_obs_alert *al)
{
    struct store_obs_alert_site *ss = NULL;
    size_t ns = 0;
    if (store_obs_alert_sites_visible(c, rd, al->id, &ss, &ns))
        return NULL;
    json_t *sites = json_array();
    for (size_t i = 0; i < ns; i++)
        json_array_append_new(sites, json_pack("{s:I,s:s,s:s,s:s,s:o}", "id",
                                               (json_int_t)ss[i].id, "label",
                                               ss[i].label, "host", ss[i].host,
                                               "org", ss[i].org, "since",
                                               svc_time_json(ss[i].since)));
    json_t *ev = json_loads(al->evidence ? al->evidence : "{}", 0, NULL);
    json_t *evo = json_object();
    json_t *evs = json_array();
    json_t *items = ev ? json_object_get(ev, "sites") : NULL;
    size_t idx;
    json_t *it;
    json_array_foreach (items, idx, it) {
        int64_t sid = json_integer_value(json_object_get(it, "site"));
        for (size_t k = 0; k < ns; k++)
            if (ss[k].id == sid) {
                json_array_append(evs, it);
                break;
            }
    }
    json_object_set_new(evo, "sites", evs);
    json_object_set_new(
        evo, "vantages",
        json_integer(ev ? json_integer_value(json_object_get(ev, "vantages"))
                        : 0));
    json_decref(ev);
    free(ss);
    /* the counts (site_count, those in the reason) exact only to a reader
     * who sees every site counted; to any other the sites it sees exactly
     * and the others rounded (rules.md) */
    struct obs_seen seen;
    if (store_obs_alert_seen(c, rd, al, &seen)) {
        json_decref(sites);
        json_decref(evo);
        return NULL;
    }
    char rja[OBS_SHOWN_REASON_MAX], ren[OBS_SHOWN_REASON_MAX];
    obs_alert_reason_for(al, &seen, rja, sizeof(rja), ren, sizeof(ren));
    /* a site alert's text names nothing more than its site; a correlated
     * alert's names its group (a sector, prefix, provider, network) */
    return json_pack(
        "{s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:s,s:o,s:o,s:s,s:s,s:o,s:o}",
        "id", (json_int_t)al->id, "kind", al->kind, "key",
        strcmp(al->kind, "site") == 0 ? "" : al->key, "sector", al->sector_id,
        "condition", al->condition, "phase", al->phase, "since",
        svc_time_json(al->since), "raised_at", svc_time_json(al->raised_at),
        "closed_at", svc_time_json(al->closed_at), "state", al->state,
        "site_count", count_json(al->site_count, seen.members, seen.exact),
        "sites", sites, "reason_ja", rja, "reason_en", ren, "evidence", evo,
        "advisory_id",
        al->advisory_id[0] ? json_string(al->advisory_id) : json_null());
}

int obs_alerts(struct app *a, struct store_conn *c, const struct auth_ctx *who,
               const char *state, const char *kind, const char *sector,
               int64_t now, json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    IS_UNUSED(now);
    static const char *const states[] = {"open", "closed", NULL};
    if (state && *state && !in_list(state, states))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "state",
                        "state: open or closed");
    if (kind && *kind && !in_list(kind, alert_kinds))
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "kind",
                        "kind: site, sector, prefix, dns, hosting or vantage");
    if (sector && strlen(sector) > 63)
        return svc_fail(e, IS_ERR_INVALID, "too_long", "sector",
                        "sector: at most 63 characters");
    struct obs_reader rd;
    obs_reader_of(who, &rd);
    struct store_obs_alert *al = NULL;
    size_t n = 0;
    int rc = store_obs_alerts_list(c, &rd, state, kind, sector, 500, &al, &n);
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the hub failed");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *j = alert_json(c, &rd, &al[i]);
        if (!j) {
            rc = IS_ERR_STORE;
            break;
        }
        json_array_append_new(items, j);
    }
    store_obs_alerts_free(al, n);
    if (rc) {
        json_decref(items);
        return svc_fail(e, rc, "internal", NULL, "the hub failed");
    }
    *out = json_pack("{s:o}", "items", items);
    return IS_OK;
}

struct alert_link {
    const struct auth_ctx *who;
    int64_t now, id;
    const char *alert_id;
};

/* Inside the advisory's write transaction: the alert still has none
 * (else IS_ERR_CONFLICT) and takes this one; audited. */
static int link_alert(struct store_conn *c, const char *adv_id, void *ctx)
{
    struct alert_link *lk = ctx;
    int rc = store_obs_alert_set_advisory(c, lk->id, adv_id);
    if (!rc)
        rc = audit_record(c, lk->who, lk->now, "observation.advisory",
                          lk->alert_id, json_pack("{s:s}", "advisory", adv_id));
    return rc;
}

int obs_alert_actionable(struct store_conn *c, const struct auth_ctx *who,
                         const char *alert_id, struct store_obs_alert *al,
                         bool *nisc, struct svc_error *e)
{
    struct obs_reader rd;
    obs_reader_of(who, &rd);
    int64_t id;
    memset(al, 0, sizeof(*al));
    if (parse_id(alert_id, &id) || store_obs_alert_get(c, id, al))
        return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL, "no such alert");
    /* NISC, or a secretariat of the alert's sector; a site alert is not
     * an advisory's matter (its organisation was told) */
    *nisc = strcmp(who->org.kind, "nisc") == 0;
    bool secretariat =
        rd.ceptoar && al->sector_id[0] && strcmp(rd.sector, al->sector_id) == 0;
    bool visible = *nisc || secretariat;
    if (!visible || strcmp(al->kind, "site") == 0 ||
        strcmp(al->kind, "vantage") == 0) {
        bool may_see = false;
        struct store_obs_alert *l = NULL;
        size_t ln = 0;
        if (!store_obs_alerts_list(c, &rd, "", "", "", 500, &l, &ln))
            for (size_t i = 0; i < ln; i++)
                may_see = may_see || l[i].id == id;
        store_obs_alerts_free(l, ln);
        free(al->mem);
        al->mem = NULL;
        if (!may_see)
            return svc_fail(e, IS_ERR_NOTFOUND, "not_found", NULL,
                            "no such alert");
        return svc_fail(e, IS_ERR_FORBIDDEN, "forbidden", NULL,
                        "an advisory is made from a sector-wide alert by "
                        "NISC or the sector's CEPTOAR secretariat");
    }
    return IS_OK;
}

int obs_alert_advisory(struct app *a, struct store_conn *c,
                       const struct auth_ctx *who, const char *alert_id,
                       int64_t now, json_t **out, struct svc_error *e)
{
    struct store_obs_alert al;
    bool nisc = false;
    int rc = obs_alert_actionable(c, who, alert_id, &al, &nisc, e);
    if (rc)
        return rc;
    int64_t id = al.id;
    if (al.advisory_id[0]) {
        free(al.mem);
        return svc_fail(e, IS_ERR_CONFLICT, "conflict", NULL,
                        "this alert has its advisory already");
    }
    /* the text: counts, since, phase; no site, no organisation. Its
     * readers (the sector's operators) do not see every site counted: the
     * count rounded as they would read it (core obs_count_shown) */
    char since[UTIL_TIME_LEN];
    util_time_rfc3339(al.since, since);
    bool un = strcmp(al.condition, "unreachable") == 0;
    char tja[200], ten[200], bja[1200], ben[1200], nja[32], nen[32];
    if (!obs_count_text(al.site_count, 0, false, true, nja, sizeof(nja)) ||
        !obs_count_text(al.site_count, 0, false, false, nen, sizeof(nen)))
        nja[0] = nen[0] = 0;
    snprintf(ten, sizeof(ten), "Website responses: %s sites %s at once", nen,
             un ? "unreachable" : "slow");
    snprintf(tja, sizeof(tja), "HPレスポンス観測：%sのサイトが同時に%s", nja,
             un ? "到達不能" : "遅延");
    snprintf(ben, sizeof(ben),
             "The observation programme sees %s registered websites of "
             "this sector %s at once since %s (UTC)%s%s. This can be the "
             "signature of a DDoS campaign. Check your own sites and "
             "upstream providers, and report incidents through the hub.",
             nen, un ? "unreachable" : "responding slowly", since,
             al.phase[0] ? "; the phase that degraded most: " : "", al.phase);
    snprintf(
        bja, sizeof(bja),
        "HPレスポンス観測で、このセクターの登録サイトのうち%sが %s（UTC）から"
        "同時に%sしています%s%s%s。DDoS 攻撃の兆候の可能性があります。自組織"
        "のサイトと上流事業者を確認し、事案はハブから報告してください。",
        nja, since, un ? "到達不能に" : "遅延",
        al.phase[0] ? "（最も悪化した段階：" : "", al.phase,
        al.phase[0] ? "）" : "");
    json_t *aud = nisc ? json_pack("{s:[s]}", "sectors", al.sector_id)
                       : json_pack("{s:[s]}", "ceptoars", who->org.id);
    json_t *body = json_pack("{s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:o}", "kind",
                             "warning", "range", "amber", "severity",
                             un ? 3 : 2, "title_ja", tja, "title_en", ten,
                             "body_ja", bja, "body_en", ben, "audience", aud);
    free(al.mem);
    /* the alert is linked in the advisory's own write transaction: of two
     * racing requests one issues, the other gets 409 and nothing */
    struct alert_link lk = {
        .who = who, .now = now, .id = id, .alert_id = alert_id};
    json_t *adv = NULL;
    rc = advisory_issue_linked(a, c, who, body, now, link_alert, &lk, &adv, e);
    json_decref(body);
    if (rc) {
        if (rc == IS_ERR_CONFLICT)
            return svc_fail(e, IS_ERR_CONFLICT, "conflict", NULL,
                            "this alert has its advisory already");
        return rc;
    }
    const char *adv_id = json_string_value(json_object_get(adv, "id"));
    *out = json_pack("{s:I,s:s,s:o}", "alert", (json_int_t)id, "advisory_id",
                     adv_id ? adv_id : "", "advisory", adv);
    return IS_OK;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int obs_sectors(struct app *a, struct store_conn *c, const struct auth_ctx *who,
                int64_t now, json_t **out, struct svc_error *e)
{
    IS_UNUSED(a);
    IS_UNUSED(now);
    struct obs_reader rd;
    obs_reader_of(who, &rd);
    struct store_obs_sector_count *sc = NULL;
    size_t n = 0;
    int rc = store_obs_sector_counts(c, &rd, &sc, &n);
    if (rc)
        return svc_fail(e, rc, "internal", NULL, "the hub failed");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        /* exact counts only to a reader who sees every site of the
         * sector, paused or not (so a pause never turns them exact);
         * small counts (and their differences) stay hidden */
        bool sees = sc[i].registered_visible == sc[i].registered;
        json_array_append_new(
            items,
            json_pack(
                "{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:I}", "sector", sc[i].id,
                "name_ja", sc[i].name_ja, "name_en", sc[i].name_en, "sites",
                count_json(sc[i].sites, sc[i].visible, sees), "normal",
                count_json(sc[i].normal, sc[i].normal_visible, sees), "slow",
                count_json(sc[i].slow, sc[i].slow_visible, sees), "unreachable",
                count_json(sc[i].unreachable, sc[i].unreachable_visible, sees),
                "other", count_json(sc[i].other, sc[i].other_visible, sees),
                "visible", (json_int_t)sc[i].visible));
    }
    free(sc);
    *out = json_pack("{s:o}", "items", items);
    return IS_OK;
}

int obs_heatmap(struct app *a, struct store_conn *c, const struct auth_ctx *who,
                const char *sector, const char *from, const char *to,
                const char *step, int64_t now, json_t **out,
                struct svc_error *e)
{
    IS_UNUSED(a);
    if (!sector || !*sector)
        return svc_fail(e, IS_ERR_INVALID, "missing_field", "sector",
                        "sector: required");
    if (strlen(sector) > 63)
        return svc_fail(e, IS_ERR_INVALID, "too_long", "sector",
                        "sector: at most 63 characters");
    int st = 300;
    if (step && strcmp(step, "1h") == 0)
        st = 3600;
    else if (step && *step && strcmp(step, "5m") != 0)
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "step",
                        "step: 5m or 1h");
    int64_t t0, t1;
    int rc = parse_when(from, "from", now - (st == 300 ? 6 * 3600 : 7 * 86400),
                        &t0, e);
    if (!rc)
        rc = parse_when(to, "to", now + 1, &t1, e);
    if (rc)
        return rc;
    if (t1 <= t0)
        return svc_fail(e, IS_ERR_INVALID, "invalid_value", "to",
                        "to: must be after from");
    if ((t1 - t0) / st > 2016)
        return svc_fail(e, IS_ERR_INVALID, "out_of_range", "from",
                        "from: at most 2016 columns (7 days of 5 minutes)");
    struct obs_reader rd;
    obs_reader_of(who, &rd);
    int64_t total = 0, total_seen = 0, registered = 0, seen = 0;
    struct store_obs_sector_count *sc = NULL;
    size_t nsc = 0;
    if (store_obs_sector_counts(c, &rd, &sc, &nsc))
        return svc_fail(e, IS_ERR_INTERNAL, "internal", NULL, "the hub failed");
    for (size_t i = 0; i < nsc; i++)
        if (strcmp(sc[i].id, sector) == 0) {
            total = sc[i].sites;
            total_seen = sc[i].visible;
            registered = sc[i].registered;
            seen = sc[i].registered_visible;
        }
    free(sc);
    /* a reader who does not see every site of the sector gets every
     * count of sites as /observation/sectors gives it: the sites it sees
     * exactly, the others "<5" or rounded down to a multiple of 5 — the
     * sector's sites (so one site's pause does not show), and each cell's
     * (also what two cells' difference would tell). Whether it sees them all is
     * decided on the sites the cells count: every registered site of the
     * sector, paused or not (a paused site's rollups from before its pause are
     * in them), so that pausing every site it does not see never turns the
     * cells, nor the sector's count, exact */
    bool sees = seen == registered;
    /* every cell of the sector is read for the aggregate: at most
     * OBS_HEAT_MAX_CELLS (sites x columns), so one request cannot hold
     * gigabytes. Judged on the count as this reader is shown it, so
     * where the answer turns to 400 tells nothing it does not see. */
    int64_t shown = obs_count_shown(total, total_seen, sees);
    int64_t cols = (t1 - t0 + st - 1) / st;
    if ((shown < OBS_COUNT_SMALL ? OBS_COUNT_SMALL : shown) * cols >
        OBS_HEAT_MAX_CELLS)
        return svc_fail(e, IS_ERR_INVALID, "out_of_range", "from",
                        "from: at most %d cells (the sector's sites x "
                        "columns): a later from, or step=1h",
                        OBS_HEAT_MAX_CELLS);
    struct store_obs_heat_site *hs = NULL;
    struct store_obs_heat_cell *cells = NULL;
    size_t nh = 0, ncell = 0;
    int64_t *mine = NULL; /* the sector's sites it sees, paused or not */
    size_t nmine = 0;
    rc = store_obs_heat_sites(c, &rd, sector, &hs, &nh);
    if (!rc)
        rc = store_obs_heat_cells(c, sector, t0 / st * st, t1, st, &cells,
                                  &ncell);
    if (!rc && !sees)
        rc = store_obs_heat_seen(c, &rd, sector, &mine, &nmine);
    if (rc) {
        free(hs);
        free(cells);
        free(mine);
        return svc_fail(e, rc, "internal", NULL, "the hub failed");
    }
    /* both ordered by site id: one walk over the cells, not one per row */
    json_t *rows = json_array();
    size_t k0 = 0;
    for (size_t i = 0; i < nh; i++) {
        json_t *cj = json_array();
        while (k0 < ncell && cells[k0].site < hs[i].id)
            k0++;
        for (size_t k = k0; k < ncell && cells[k].site == hs[i].id; k++) {
            double ratio = cells[k].usual > 0 && cells[k].p50 >= 0
                               ? cells[k].p50 / cells[k].usual
                               : -1;
            const char *cs = cells[k].errors * 2 > cells[k].n ? "unreachable"
                             : ratio >= 3                     ? "slow"
                             : ratio < 0                      ? "learning"
                                                              : "normal";
            json_array_append_new(
                cj, json_pack("{s:o,s:s,s:o,s:I,s:I}", "t",
                              svc_time_json(cells[k].t), "state", cs, "ratio",
                              ratio < 0 ? json_null()
                                        : json_real(round(ratio * 100) / 100),
                              "n", (json_int_t)cells[k].n, "errors",
                              (json_int_t)cells[k].errors));
        }
        json_array_append_new(
            rows,
            json_pack("{s:I,s:s,s:s,s:s,s:s,s:o}", "site", (json_int_t)hs[i].id,
                      "label", hs[i].label, "host", hs[i].host, "org",
                      hs[i].org, "state", hs[i].state, "cells", cj));
    }
    /* the sector's aggregate row: every site of the sector, per cell the
     * share anomalous; shown when the sector has >= 5 sites as this
     * reader is shown its count (so that whether it is there tells no
     * more than the count) */
    json_t *agg = json_null();
    if (shown >= OBS_COUNT_SMALL) {
        agg = json_array();
        int64_t *ts = calloc(ncell ? ncell : 1, sizeof(int64_t));
        if (!ts) {
            json_decref(agg);
            json_decref(rows);
            free(hs);
            free(cells);
            free(mine);
            return svc_fail(e, IS_ERR_NOMEM, "internal", NULL, "oom");
        }
        for (size_t k = 0; k < ncell; k++)
            ts[k] = cells[k].t;
        qsort(ts, ncell, sizeof(int64_t), cmp_i64);
        /* per column: the sites with a cell and the anomalous ones, and
         * how many of each are sites this reader sees (mine: by site id,
         * as the cells; its own paused sites too, whose cells from before
         * their pause are counted) */
        int64_t *sites = calloc(ncell ? ncell : 1, sizeof(int64_t));
        int64_t *bad = calloc(ncell ? ncell : 1, sizeof(int64_t));
        int64_t *sites_seen = calloc(ncell ? ncell : 1, sizeof(int64_t));
        int64_t *bad_seen = calloc(ncell ? ncell : 1, sizeof(int64_t));
        bool counts = sites && bad && sites_seen && bad_seen;
        size_t nt = 0;
        for (size_t k = 0; k < ncell; k++)
            if (!nt || ts[nt - 1] != ts[k])
                ts[nt++] = ts[k];
        size_t h = 0;
        for (size_t m = 0; counts && m < ncell; m++) {
            int64_t *p = bsearch(&cells[m].t, ts, nt, sizeof(int64_t), cmp_i64);
            if (!p)
                continue;
            size_t q = (size_t)(p - ts);
            double ratio = cells[m].usual > 0 && cells[m].p50 >= 0
                               ? cells[m].p50 / cells[m].usual
                               : -1;
            bool anomalous = cells[m].errors * 2 > cells[m].n || ratio >= 3;
            while (h < nmine && mine[h] < cells[m].site)
                h++;
            bool seen_site = h < nmine && mine[h] == cells[m].site;
            sites[q]++;
            bad[q] += anomalous;
            sites_seen[q] += seen_site;
            bad_seen[q] += seen_site && anomalous;
        }
        for (size_t q = 0; counts && q < nt; q++)
            json_array_append_new(
                agg,
                json_pack("{s:o,s:o,s:o}", "t", svc_time_json(ts[q]), "sites",
                          count_json(sites[q], sites_seen[q], sees),
                          "anomalous", count_json(bad[q], bad_seen[q], sees)));
        free(sites_seen);
        free(bad_seen);
        free(ts);
        free(sites);
        free(bad);
    }
    free(hs);
    free(cells);
    free(mine);
    *out = json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:o}", "sector", sector, "step",
                     st == 300 ? "5m" : "1h", "from", svc_time_json(t0), "to",
                     svc_time_json(t1), "rows", rows, "sites",
                     count_json(total, total_seen, sees), "aggregate", agg);
    return IS_OK;
}
