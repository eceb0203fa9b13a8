/*
 * obs_sketch.c - the mergeable log-bucketed quantile sketch (see
 * obs_sketch.h for the contract).
 */
#include "common/common.h"

#include <math.h>

#include "core/obs_sketch.h"

/* gamma = (1 + a) / (1 - a); ln(gamma) */
#define GAMMA ((1.0 + OBS_SKETCH_ALPHA) / (1.0 - OBS_SKETCH_ALPHA))

static double log_gamma(void)
{
    return log(GAMMA);
}

/* The index range of [MIN_MS, MAX_MS]. */
static int index_of(double ms)
{
    double i = ceil(log(ms) / log_gamma());
    return (int)i;
}

static int index_lo(void)
{
    return index_of(OBS_SKETCH_MIN_MS);
}

static int index_hi(void)
{
    return index_of(OBS_SKETCH_MAX_MS);
}

/* The value a bin answers: 2 gamma^i / (gamma + 1). */
static double bin_value(int i)
{
    return 2.0 * exp((double)i * log_gamma()) / (GAMMA + 1.0);
}

static uint32_t sat_add(uint32_t a, uint32_t b)
{
    return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

void obs_sketch_init(struct obs_sketch *s)
{
    memset(s, 0, sizeof *s);
}

uint32_t obs_sketch_count(const struct obs_sketch *s)
{
    return s->count;
}

/* Keeps at most OBS_SKETCH_MAX_BINS bins in (idx, cnt)[0..n) (ascending)
 * by folding the lowest ones into the lowest kept; copies into s. */
static void store_bins(struct obs_sketch *s, const int *idx,
                       const uint32_t *cnt, size_t n)
{
    size_t skip = n > OBS_SKETCH_MAX_BINS ? n - OBS_SKETCH_MAX_BINS : 0;
    uint32_t folded = 0;
    for (size_t i = 0; i < skip; i++)
        folded = sat_add(folded, cnt[i]);
    s->nbins = (uint16_t)(n - skip);
    for (size_t i = skip; i < n; i++) {
        s->bins[i - skip].index = (int16_t)idx[i];
        s->bins[i - skip].count = cnt[i];
    }
    if (skip)
        s->bins[0].count = sat_add(s->bins[0].count, folded);
}

/* Adds count c at bin index i. */
static void add_bin(struct obs_sketch *s, int i, uint32_t c)
{
    int idx[OBS_SKETCH_MAX_BINS + 1];
    uint32_t cnt[OBS_SKETCH_MAX_BINS + 1];
    size_t n = 0;
    bool done = false;
    for (size_t k = 0; k < s->nbins; k++) {
        int bi = s->bins[k].index;
        if (!done && i < bi) {
            idx[n] = i;
            cnt[n++] = c;
            done = true;
        }
        idx[n] = bi;
        cnt[n] = s->bins[k].count;
        if (bi == i) {
            cnt[n] = sat_add(cnt[n], c);
            done = true;
        }
        n++;
    }
    if (!done) {
        idx[n] = i;
        cnt[n++] = c;
    }
    store_bins(s, idx, cnt, n);
}

bool obs_sketch_add(struct obs_sketch *s, double ms)
{
    if (!isfinite(ms) || ms < 0)
        return false;
    if (s->count == 0 || ms < s->min)
        s->min = ms;
    if (s->count == 0 || ms > s->max)
        s->max = ms;
    s->count = sat_add(s->count, 1);
    s->sum += ms;
    if (ms < OBS_SKETCH_MIN_MS) {
        s->zero = sat_add(s->zero, 1);
        return true;
    }
    int i = ms > OBS_SKETCH_MAX_MS ? index_hi() : index_of(ms);
    add_bin(s, i, 1);
    return true;
}

void obs_sketch_merge(struct obs_sketch *dst, const struct obs_sketch *src)
{
    if (src->count == 0)
        return;
    struct obs_sketch a = *dst, b = *src; /* dst == src allowed */
    int idx[2 * OBS_SKETCH_MAX_BINS];
    uint32_t cnt[2 * OBS_SKETCH_MAX_BINS];
    size_t n = 0, i = 0, j = 0;
    while (i < a.nbins || j < b.nbins) {
        if (j >= b.nbins ||
            (i < a.nbins && a.bins[i].index < b.bins[j].index)) {
            idx[n] = a.bins[i].index;
            cnt[n++] = a.bins[i++].count;
        } else if (i >= a.nbins || b.bins[j].index < a.bins[i].index) {
            idx[n] = b.bins[j].index;
            cnt[n++] = b.bins[j++].count;
        } else {
            idx[n] = a.bins[i].index;
            cnt[n++] = sat_add(a.bins[i++].count, b.bins[j++].count);
        }
    }
    if (a.count == 0) {
        dst->min = b.min;
        dst->max = b.max;
    } else {
        dst->min = b.min < a.min ? b.min : a.min;
        dst->max = b.max > a.max ? b.max : a.max;
    }
    dst->count = sat_add(a.count, b.count);
    dst->zero = sat_add(a.zero, b.zero);
    dst->sum = a.sum + b.sum;
    store_bins(dst, idx, cnt, n);
}

double obs_sketch_quantile(const struct obs_sketch *s, double q)
{
    if (s->count == 0)
        return -1;
    if (!(q > 0)) /* NaN too */
        q = 0;
    if (q > 1)
        q = 1;
    /* the count of the bins may be short of count only by saturation */
    uint64_t total = s->zero;
    for (size_t k = 0; k < s->nbins; k++)
        total += s->bins[k].count;
    if (total == 0)
        return -1;
    uint64_t rank = (uint64_t)floor(q * (double)(total - 1));
    double v;
    if (rank == 0)
        return s->min;
    if (rank == total - 1)
        return s->max;
    if (rank < s->zero) {
        v = 0;
    } else {
        uint64_t seen = s->zero;
        v = s->max;
        for (size_t k = 0; k < s->nbins; k++) {
            seen += s->bins[k].count;
            if (rank < seen) {
                v = bin_value(s->bins[k].index);
                break;
            }
        }
    }
    if (v < s->min)
        v = s->min;
    if (v > s->max)
        v = s->max;
    return v;
}

/* ---- encoding ---- */

struct wr {
    uint8_t *p;
    size_t cap, n;
    bool ok;
};

static void put_byte(struct wr *w, uint8_t b)
{
    if (w->n >= w->cap) {
        w->ok = false;
        return;
    }
    w->p[w->n++] = b;
}

static void put_varint(struct wr *w, uint32_t v)
{
    while (v >= 0x80) {
        put_byte(w, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    put_byte(w, (uint8_t)v);
}

static void put_double(struct wr *w, double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    for (int k = 0; k < 8; k++)
        put_byte(w, (uint8_t)(u >> (8 * k)));
}

static uint32_t zigzag(int32_t v)
{
    return v < 0 ? ((uint32_t)(-(v + 1)) << 1) | 1u : (uint32_t)v << 1;
}

static int32_t unzigzag(uint32_t u)
{
    return (u & 1u) ? -(int32_t)(u >> 1) - 1 : (int32_t)(u >> 1);
}

size_t obs_sketch_encode(const struct obs_sketch *s, uint8_t *out, size_t cap)
{
    struct wr w = {out, cap, 0, true};
    put_byte(&w, OBS_SKETCH_MAGIC);
    put_byte(&w, OBS_SKETCH_VERSION);
    put_varint(&w, s->count);
    put_varint(&w, s->zero);
    put_varint(&w, s->nbins);
    put_double(&w, s->count ? s->sum : 0);
    put_double(&w, s->count ? s->min : 0);
    put_double(&w, s->count ? s->max : 0);
    int prev = 0;
    for (size_t k = 0; k < s->nbins; k++) {
        int i = s->bins[k].index;
        put_varint(&w, k == 0 ? zigzag(i) : (uint32_t)(i - prev));
        put_varint(&w, s->bins[k].count);
        prev = i;
    }
    return w.ok ? w.n : 0;
}

struct rd {
    const uint8_t *p;
    size_t len, n;
    bool ok;
};

static uint8_t get_byte(struct rd *r)
{
    if (r->n >= r->len) {
        r->ok = false;
        return 0;
    }
    return r->p[r->n++];
}

/* At most 5 bytes, value <= UINT32_MAX. */
static uint32_t get_varint(struct rd *r)
{
    uint64_t v = 0;
    for (int k = 0; k < 5; k++) {
        uint8_t b = get_byte(r);
        if (!r->ok)
            return 0;
        v |= (uint64_t)(b & 0x7f) << (7 * k);
        if (!(b & 0x80)) {
            if (v > UINT32_MAX)
                r->ok = false;
            return (uint32_t)v;
        }
    }
    r->ok = false;
    return 0;
}

static double get_double(struct rd *r)
{
    uint64_t u = 0;
    for (int k = 0; k < 8; k++)
        u |= (uint64_t)get_byte(r) << (8 * k);
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

bool obs_sketch_decode(struct obs_sketch *s, const uint8_t *in, size_t len)
{
    obs_sketch_init(s);
    if (!in || len > OBS_SKETCH_MAX_BYTES)
        return false;
    struct rd r = {in, len, 0, true};
    struct obs_sketch t;
    obs_sketch_init(&t);
    if (get_byte(&r) != OBS_SKETCH_MAGIC || get_byte(&r) != OBS_SKETCH_VERSION)
        return false;
    t.count = get_varint(&r);
    t.zero = get_varint(&r);
    uint32_t nbins = get_varint(&r);
    t.sum = get_double(&r);
    t.min = get_double(&r);
    t.max = get_double(&r);
    if (!r.ok || nbins > OBS_SKETCH_MAX_BINS)
        return false;
    if (!isfinite(t.sum) || !isfinite(t.min) || !isfinite(t.max))
        return false;
    if (t.count && (t.min < 0 || t.min > t.max || t.sum < 0))
        return false;
    if (!t.count && (t.sum != 0 || t.min != 0 || t.max != 0))
        return false;
    uint64_t total = t.zero;
    int64_t prev = 0;
    for (uint32_t k = 0; k < nbins; k++) {
        uint32_t u = get_varint(&r);
        uint32_t c = get_varint(&r);
        if (!r.ok || c == 0)
            return false;
        int64_t i = k == 0 ? (int64_t)unzigzag(u) : prev + (int64_t)u;
        if ((k > 0 && u == 0) || i < index_lo() || i > index_hi())
            return false;
        t.bins[k].index = (int16_t)i;
        t.bins[k].count = c;
        total += c;
        prev = i;
    }
    if (r.n != len || total != t.count)
        return false;
    t.nbins = (uint16_t)nbins;
    *s = t;
    return true;
}
