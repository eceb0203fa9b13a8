/*
 * fuzz_obs_sketch.c - fuzz target of the decoder of stored quantile
 * sketches (core/obs_sketch.c: obs_sketch_decode reads the bytes of
 * obs_rollups.sketch, untrusted). An accepted input must be canonical
 * (encoding the result gives the same bytes), keep the sketch's bounds,
 * and answer quantiles within [min, max]; merging and adding to it must
 * keep the bounds too. libFuzzer entry point; fuzz/build.sh builds it.
 */
#include "common/common.h"

#include "core/obs_sketch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct obs_sketch s, t;
    uint8_t out[OBS_SKETCH_MAX_BYTES];
    if (!obs_sketch_decode(&s, data, size)) {
        if (obs_sketch_count(&s) != 0 || s.nbins != 0)
            abort(); /* a refused input leaves the sketch empty */
        return 0;
    }
    if (s.nbins > OBS_SKETCH_MAX_BINS)
        abort();
    size_t n = obs_sketch_encode(&s, out, sizeof out);
    if (n != size || memcmp(out, data, size) != 0)
        abort();
    static const double qs[] = {0, 0.01, 0.5, 0.9, 0.99, 1};
    for (size_t i = 0; i < IS_ARRAY_LEN(qs); i++) {
        double v = obs_sketch_quantile(&s, qs[i]);
        if (obs_sketch_count(&s) == 0 ? v != -1 : (v < s.min || v > s.max))
            abort();
    }
    t = s;
    obs_sketch_merge(&t, &s);
    obs_sketch_add(&t, 123.4);
    if (t.nbins > OBS_SKETCH_MAX_BINS ||
        obs_sketch_encode(&t, out, sizeof out) == 0)
        abort();
    return 0;
}
