/*
 * obs_sketch.h - a mergeable quantile sketch of durations in milliseconds
 * (website response observation, docs/rules.md "Website response
 * observation"). Pure: no I/O, no clock, no allocation.
 *
 * Log-bucketed like DDSketch: a value v (ms) in [OBS_SKETCH_MIN_MS,
 * OBS_SKETCH_MAX_MS] falls in bin i = ceil(log(v) / log(gamma)) with
 * gamma = (1 + a) / (1 - a), a = OBS_SKETCH_ALPHA (2 %). Each bin answers
 * 2 gamma^i / (gamma + 1), within a relative error of a of every value in
 * it; so every quantile the sketch answers is within 2 % of the value of
 * that rank (clamped into [min, max], which are exact), as long as no
 * bins were collapsed.
 *
 *  - Values below OBS_SKETCH_MIN_MS (0.01 ms) count in a "zero" bin and
 *    answer 0; values above OBS_SKETCH_MAX_MS (600,000 ms: the longest
 *    probe the hub accepts) count in the top bin. Negative values (-1: the
 *    phase did not happen), NaN and infinities are refused.
 *  - Bounded: at most OBS_SKETCH_MAX_BINS (64) non-empty bins. When a merge
 *    or an add would need more, the LOWEST bins are collapsed into the
 *    lowest kept one (the low quantiles lose accuracy first; p50 and
 *    above stay within 2 % unless the values span more than 64 bins, a
 *    factor of 1.0408^64 = 13x between the p50 and the fastest kept).
 *  - Counts saturate at UINT32_MAX (never reached: 400 days at 1 probe/s
 *    are 3.5e7).
 *  - The encoding is at most OBS_SKETCH_MAX_BYTES (512) bytes, whatever
 *    is in the sketch; decoding treats its input as untrusted (stored
 *    bytes) and checks every bound (see obs_sketch_decode).
 */
#ifndef INFRASHARE_OBS_SKETCH_H
#define INFRASHARE_OBS_SKETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

#define OBS_SKETCH_ALPHA 0.02
#define OBS_SKETCH_MIN_MS 0.01
#define OBS_SKETCH_MAX_MS 600000.0
#define OBS_SKETCH_MAX_BINS 64
#define OBS_SKETCH_MAX_BYTES 512
/* first byte of an encoding and its version */
#define OBS_SKETCH_MAGIC 0xD5
#define OBS_SKETCH_VERSION 1

struct obs_sketch_bin {
    int16_t index;  /* bin index i (see above) */
    uint32_t count; /* > 0 */
};

/* Treat as opaque; zero-initialised (or obs_sketch_init) = empty. */
struct obs_sketch {
    uint32_t count; /* every value added, the zero bin included */
    uint32_t zero;  /* values < OBS_SKETCH_MIN_MS */
    double sum;     /* of the values added (for a mean) */
    double min;     /* exact smallest and largest value (valid if count) */
    double max;
    uint16_t nbins;                                  /* <= MAX_BINS */
    struct obs_sketch_bin bins[OBS_SKETCH_MAX_BINS]; /* ascending index */
};

/* Empties s. */
void obs_sketch_init(struct obs_sketch *s);

/* Adds one value (ms). Returns false (s unchanged) for a negative,
 * NaN or infinite value. */
bool obs_sketch_add(struct obs_sketch *s, double ms);

/* Adds every value of src into dst (dst == src is allowed: doubles the
 * counts). The result is the sketch of the union (up to the collapsing
 * of the lowest bins past OBS_SKETCH_MAX_BINS). */
void obs_sketch_merge(struct obs_sketch *dst, const struct obs_sketch *src);

/* The value of quantile q (0..1, clamped; 0.5 = median) in ms: the value
 * of rank floor(q * (count - 1)) (0-based) in ascending order, within
 * OBS_SKETCH_ALPHA relative error and clamped into [min, max]. -1 when
 * the sketch is empty. The first and the last rank answer min and max
 * exactly. */
double obs_sketch_quantile(const struct obs_sketch *s, double q);

/* Number of values in s. */
uint32_t obs_sketch_count(const struct obs_sketch *s);

/* Writes the encoding of s into out (cap bytes). Returns the number of
 * bytes written (1..OBS_SKETCH_MAX_BYTES), or 0 when cap is too small
 * (cap >= OBS_SKETCH_MAX_BYTES always suffices). Format (all integers
 * unsigned LEB128 varints, doubles IEEE-754 little-endian):
 *   magic, version, count, zero, nbins, sum, min, max,
 *   then per bin: zigzag(first index) or (index - previous index), count.
 */
size_t obs_sketch_encode(const struct obs_sketch *s, uint8_t *out, size_t cap);

/* Reads an encoding made by obs_sketch_encode. The bytes are untrusted:
 * returns false (and leaves s empty) unless the input is exactly one
 * well-formed encoding: right magic and version, len <=
 * OBS_SKETCH_MAX_BYTES, no varint past its 5 bytes or the end, nbins <=
 * OBS_SKETCH_MAX_BINS, indices strictly ascending and within the range of
 * [MIN_MS, MAX_MS], each bin count > 0, zero + the bin counts == count
 * (no overflow), sum/min/max finite and 0 <= min <= max (when count > 0),
 * no trailing bytes. Never reads outside in[0..len). */
bool obs_sketch_decode(struct obs_sketch *s, const uint8_t *in, size_t len);

#endif
