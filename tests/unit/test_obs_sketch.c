/*
 * test_obs_sketch.c - the mergeable quantile sketch of response times
 * (core/obs_sketch.h): accuracy, bounds, merge, encoding and the checks
 * on untrusted encodings.
 */
#include "common/common.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/obs_sketch.h"

/* a deterministic pseudo-random sequence (xorshift64*) in [0, 1) */
static double rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (double)((*s * UINT64_C(2685821657736338717)) >> 11) /
           9007199254740992.0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* the exact value of quantile q as the sketch defines its rank */
static double exact(const double *sorted, size_t n, double q)
{
    return sorted[(size_t)floor(q * (double)(n - 1))];
}

static const double qs[] = {0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1};

/* Values spanning less than 64 bins (50..500 ms, a factor of 10): every
 * quantile within 2 %. */
static void t_accuracy_narrow(void **state)
{
    (void)state;
    enum { N = 20000 };
    static double v[N];
    uint64_t seed = 42;
    struct obs_sketch s;
    obs_sketch_init(&s);
    for (size_t i = 0; i < N; i++) {
        v[i] = 50.0 * pow(10.0, rnd(&seed));
        assert_true(obs_sketch_add(&s, v[i]));
    }
    qsort(v, N, sizeof *v, cmp_double);
    assert_int_equal(obs_sketch_count(&s), N);
    assert_true(s.nbins <= OBS_SKETCH_MAX_BINS);
    for (size_t k = 0; k < IS_ARRAY_LEN(qs); k++) {
        double want = exact(v, N, qs[k]);
        double got = obs_sketch_quantile(&s, qs[k]);
        assert_true(fabs(got - want) <= OBS_SKETCH_ALPHA * want + 1e-9);
    }
    /* min and max are exact */
    assert_true(obs_sketch_quantile(&s, 0) == v[0]);
    assert_true(obs_sketch_quantile(&s, 1) == v[N - 1]);
}

/* Values spanning far more than 64 bins (1 ms .. 100 s): still at most 64
 * bins; the count is kept and the high quantiles (which the kept top
 * bins cover) stay within 2 %. */
static void t_bounded_wide(void **state)
{
    (void)state;
    enum { N = 20000 };
    static double v[N];
    uint64_t seed = 7;
    struct obs_sketch s;
    obs_sketch_init(&s);
    for (size_t i = 0; i < N; i++) {
        v[i] = pow(10.0, 5.0 * rnd(&seed));
        assert_true(obs_sketch_add(&s, v[i]));
    }
    qsort(v, N, sizeof *v, cmp_double);
    assert_int_equal(s.nbins, OBS_SKETCH_MAX_BINS);
    assert_int_equal(obs_sketch_count(&s), N);
    uint64_t total = s.zero;
    for (size_t k = 0; k < s.nbins; k++)
        total += s.bins[k].count;
    assert_int_equal(total, N);
    static const double high[] = {0.9, 0.95, 0.99, 1};
    for (size_t k = 0; k < IS_ARRAY_LEN(high); k++) {
        double want = exact(v, N, high[k]);
        double got = obs_sketch_quantile(&s, high[k]);
        assert_true(fabs(got - want) <= OBS_SKETCH_ALPHA * want + 1e-9);
    }
}

/* Refused values; zero and tiny values; values past the maximum; an
 * empty sketch. */
static void t_edges(void **state)
{
    (void)state;
    struct obs_sketch s;
    obs_sketch_init(&s);
    assert_true(obs_sketch_quantile(&s, 0.5) == -1);
    assert_false(obs_sketch_add(&s, -1));
    assert_false(obs_sketch_add(&s, NAN));
    assert_false(obs_sketch_add(&s, INFINITY));
    assert_int_equal(obs_sketch_count(&s), 0);
    assert_true(obs_sketch_add(&s, 0));
    assert_true(obs_sketch_add(&s, 0.001));
    assert_int_equal(s.zero, 2);
    assert_true(obs_sketch_quantile(&s, 0.5) == 0);
    assert_true(obs_sketch_add(&s, 5e6)); /* past the maximum */
    assert_int_equal(s.nbins, 1);
    assert_true(obs_sketch_quantile(&s, 1) == 5e6); /* max is exact */
    assert_true(fabs(s.sum - 5000000.001) < 1e-6);
    /* q out of range is clamped */
    assert_true(obs_sketch_quantile(&s, -3) == 0);
    assert_true(obs_sketch_quantile(&s, 7) == 5e6);
}

static bool same(const struct obs_sketch *a, const struct obs_sketch *b)
{
    if (a->count != b->count || a->zero != b->zero || a->nbins != b->nbins ||
        a->min != b->min || a->max != b->max || fabs(a->sum - b->sum) > 1e-6)
        return false;
    for (size_t k = 0; k < a->nbins; k++)
        if (a->bins[k].index != b->bins[k].index ||
            a->bins[k].count != b->bins[k].count)
            return false;
    return true;
}

/* Merging the sketches of two halves gives the sketch of the whole
 * (no collapse), in either order; merging into itself doubles. */
static void t_merge(void **state)
{
    (void)state;
    struct obs_sketch a, b, all, ab, ba;
    obs_sketch_init(&a);
    obs_sketch_init(&b);
    obs_sketch_init(&all);
    uint64_t seed = 3;
    for (int i = 0; i < 1000; i++) {
        double x = 80 + 400 * rnd(&seed);
        obs_sketch_add(i % 3 ? &a : &b, x);
        obs_sketch_add(&all, x);
    }
    ab = a;
    obs_sketch_merge(&ab, &b);
    ba = b;
    obs_sketch_merge(&ba, &a);
    assert_true(same(&ab, &all));
    assert_true(same(&ba, &all));
    /* into an empty one, and from an empty one */
    struct obs_sketch e;
    obs_sketch_init(&e);
    obs_sketch_merge(&e, &all);
    assert_true(same(&e, &all));
    obs_sketch_init(&e);
    ab = all;
    obs_sketch_merge(&ab, &e);
    assert_true(same(&ab, &all));
    /* itself */
    ab = all;
    obs_sketch_merge(&ab, &ab);
    assert_int_equal(ab.count, 2000);
    assert_true(obs_sketch_quantile(&ab, 0.5) ==
                obs_sketch_quantile(&all, 0.5));
    /* a merge past 64 bins stays bounded */
    struct obs_sketch lo, hi;
    obs_sketch_init(&lo);
    obs_sketch_init(&hi);
    for (int i = 0; i < 60; i++) {
        obs_sketch_add(&lo, pow(1.05, i));
        obs_sketch_add(&hi, 1000 * pow(1.05, i));
    }
    obs_sketch_merge(&lo, &hi);
    assert_int_equal(lo.nbins, OBS_SKETCH_MAX_BINS);
    assert_int_equal(lo.count, 120);
    assert_true(lo.min == 1);
}

static void t_encode_round_trip(void **state)
{
    (void)state;
    uint8_t buf[OBS_SKETCH_MAX_BYTES];
    struct obs_sketch s, d;
    obs_sketch_init(&s);
    /* empty */
    size_t n = obs_sketch_encode(&s, buf, sizeof buf);
    assert_true(n > 0);
    assert_true(obs_sketch_decode(&d, buf, n));
    assert_true(same(&s, &d));
    /* a typical 5-minute rollup */
    for (int i = 0; i < 5; i++)
        obs_sketch_add(&s, 118 + i);
    obs_sketch_add(&s, 0);
    n = obs_sketch_encode(&s, buf, sizeof buf);
    assert_true(n > 0 && n < 64);
    assert_true(obs_sketch_decode(&d, buf, n));
    assert_true(same(&s, &d));
    /* too small a buffer */
    assert_int_equal(obs_sketch_encode(&s, buf, n - 1), 0);
    /* the worst case: 64 bins spread over the whole range, large counts */
    obs_sketch_init(&s);
    for (int k = 0; k < OBS_SKETCH_MAX_BINS; k++) {
        double v = OBS_SKETCH_MIN_MS *
                   pow(OBS_SKETCH_MAX_MS / OBS_SKETCH_MIN_MS, k / 63.0);
        obs_sketch_add(&s, v);
    }
    assert_int_equal(s.nbins, OBS_SKETCH_MAX_BINS);
    s.zero = 60000000;
    s.count = s.zero;
    for (int k = 0; k < OBS_SKETCH_MAX_BINS; k++) {
        s.bins[k].count = 66000000;
        s.count += s.bins[k].count;
    }
    n = obs_sketch_encode(&s, buf, sizeof buf);
    assert_true(n > 0 && n <= OBS_SKETCH_MAX_BYTES);
    assert_true(obs_sketch_decode(&d, buf, n));
    assert_true(same(&s, &d));
}

/* Untrusted bytes: every prefix of a valid encoding, every single-byte
 * change that breaks a rule, and trailing bytes are refused and leave
 * the sketch empty. */
static void t_decode_rejects(void **state)
{
    (void)state;
    uint8_t good[OBS_SKETCH_MAX_BYTES], b[OBS_SKETCH_MAX_BYTES + 8];
    struct obs_sketch s, d;
    obs_sketch_init(&s);
    obs_sketch_add(&s, 100);
    obs_sketch_add(&s, 200);
    obs_sketch_add(&s, 200);
    size_t n = obs_sketch_encode(&s, good, sizeof good);
    assert_true(n > 0);
    /* layout: magic, version, count, zero, nbins, 3 doubles, then bins:
     * 100 ms is bin 116 (zigzag 232: 2 bytes), 200 ms bin 133 (+17) */
    const size_t bins_at = 5 + 24;
    assert_int_equal(n, bins_at + 5);
    assert_int_equal(good[2], 3);
    assert_int_equal(good[4], 2);
    assert_int_equal(good[bins_at], 0xE8);
    assert_int_equal(good[bins_at + 3], 17);
    for (size_t len = 0; len < n; len++) {
        assert_false(obs_sketch_decode(&d, good, len));
        assert_int_equal(d.count, 0);
    }
    assert_false(obs_sketch_decode(&d, NULL, 0));
    memcpy(b, good, n);
    b[n] = 0;
    assert_false(obs_sketch_decode(&d, b, n + 1)); /* trailing */
    struct {
        size_t at;
        uint8_t to;
    } bad[] = {
        {0, 0xD4},           /* magic */
        {1, 2},              /* version */
        {2, 4},              /* count != zero + bins */
        {3, 1},              /* zero: sum mismatch */
        {4, 65},             /* nbins > 64 */
        {4, 3},              /* nbins past the end */
        {bins_at + 1, 0x06}, /* first index 436: past the range */
        {bins_at + 2, 0},    /* a bin count of 0 */
        {bins_at + 3, 0},    /* index not ascending (delta 0) */
        {n - 1, 0x80},       /* a varint running past the end */
    };
    for (size_t k = 0; k < IS_ARRAY_LEN(bad); k++) {
        memcpy(b, good, n);
        b[bad[k].at] = bad[k].to;
        assert_false(obs_sketch_decode(&d, b, n));
        assert_int_equal(d.count, 0);
    }
    /* doubles: NaN sum, negative min, min > max */
    double nan = NAN, neg = -1, big = 1e9;
    memcpy(b, good, n);
    memcpy(b + 5, &nan, 8);
    assert_false(obs_sketch_decode(&d, b, n));
    memcpy(b, good, n);
    memcpy(b + 13, &neg, 8);
    assert_false(obs_sketch_decode(&d, b, n));
    memcpy(b, good, n);
    memcpy(b + 13, &big, 8);
    assert_false(obs_sketch_decode(&d, b, n));
    /* a 6-byte varint */
    uint8_t six[] = {OBS_SKETCH_MAGIC,
                     OBS_SKETCH_VERSION,
                     0x80,
                     0x80,
                     0x80,
                     0x80,
                     0x80,
                     0x01};
    assert_false(obs_sketch_decode(&d, six, sizeof six));
    /* a 5-byte varint past UINT32_MAX */
    uint8_t over[] = {
        OBS_SKETCH_MAGIC, OBS_SKETCH_VERSION, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F};
    assert_false(obs_sketch_decode(&d, over, sizeof over));
    /* longer than the maximum */
    static uint8_t long_in[OBS_SKETCH_MAX_BYTES + 1];
    memcpy(long_in, good, n);
    assert_false(obs_sketch_decode(&d, long_in, sizeof long_in));
    /* the good one still decodes */
    assert_true(obs_sketch_decode(&d, good, n));
    assert_true(same(&s, &d));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_accuracy_narrow),
        cmocka_unit_test(t_bounded_wide),
        cmocka_unit_test(t_edges),
        cmocka_unit_test(t_merge),
        cmocka_unit_test(t_encode_round_trip),
        cmocka_unit_test(t_decode_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
