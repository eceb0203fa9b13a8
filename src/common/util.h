/*
 * util.h - small helpers with no I/O beyond randomness: time formatting,
 * random identifiers, encodings, strict number parsing.
 */
#ifndef INFRASHARE_UTIL_H
#define INFRASHARE_UTIL_H

#include "common/common.h"

/* RFC 3339 UTC with seconds ("2026-11-22T03:29:38Z"); out >= 21 bytes. */
#define UTIL_TIME_LEN 21
void util_time_rfc3339(int64_t t, char out[UTIL_TIME_LEN]);
/* Last second of 9999 (the largest RFC 3339 instant the hub accepts). */
#define UTIL_TIME_MAX 253402300799LL
/* Parses "YYYY-MM-DDTHH:MM:SS(.frac)?(Z|+hh:mm|-hh:mm)". The instant, after
 * the offset is applied, must lie in [1970-01-01T00:00:00Z, UTIL_TIME_MAX];
 * otherwise IS_ERR_INVALID and *out is untouched. */
int util_time_parse(const char *s, int64_t *out);
/* HTTP-date, IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), RFC 9110. */
#define UTIL_HTTP_DATE_LEN 30
void util_http_date(int64_t t, char out[UTIL_HTTP_DATE_LEN]);
/* Parses IMF-fixdate only (the obsolete forms are refused: the hub never
 * sends them, and a validator it did not send does not match anyway). */
int util_http_date_parse(const char *s, int64_t *out);
/* Seconds since the epoch, from the real-time clock. */
int64_t util_now(void);
/* Monotonic seconds as a double (for latency measurement). */
double util_mono(void);

/* n random bytes as lowercase hex into out (2n+1 bytes). */
void util_random_hex(char *out, size_t nbytes);
/* A new report's or advisory's id: prefix and 16 random hex digits (64
 * bits; an id that counts nothing, docs/rules.md), cut to len. */
void util_random_id(char *out, size_t len, char prefix);
/* Base64url without padding of n bytes; out needs 4*ceil(n/3)+1. */
void util_b64url(char *out, size_t outlen, const unsigned char *in, size_t n);
/* Hex encode; out needs 2n+1. */
void util_hex(char *out, const unsigned char *in, size_t n);

/* Strict decimal parse of a whole string, any long value. */
int util_parse_long_simple(const char *s, long *out);
/* Strict decimal parse of the whole string into [min,max]. IS_ERR_INVALID. */
int util_parse_long(const char *s, long min, long max, long *out);

/* True when s is valid UTF-8 with no NUL and no C0 control other than
 * tab/newline/CR. O(n). */
bool util_utf8_ok(const char *s, size_t n);
/* True when s is valid UTF-8 with no NUL, controls allowed: what
 * jansson's json_string accepts. O(n). */
bool util_utf8_valid(const char *s, size_t n);
/* Number of code points in valid UTF-8. */
size_t util_utf8_len(const char *s);
/* True when s (valid UTF-8) is NULL, empty or shows nothing: only white
 * space (space, tab, CR, LF, the no-break spaces, U+2000-U+200A, the
 * ideographic space U+3000 (全角スペース), every Unicode White_Space) and
 * invisible characters (zero-width spaces and joiners U+200B-U+200D,
 * U+2060, the byte order mark U+FEFF, the soft hyphen, variation
 * selectors (U+FE00-FE0F, U+E0100-E01EF, Mongolian), tag characters,
 * the braille blank U+2800, bidirectional controls) and combining marks
 * with nothing to sit on (a text of marks only). O(n). */
bool util_blank(const char *s);
/* True when s (valid UTF-8) holds a bidirectional control that would show
 * the text after it reordered: U+200E/F, U+202A-E, U+2066-9. O(n). */
bool util_has_bidi_control(const char *s);
/* True when s (valid UTF-8) is one line: no control character at all,
 * neither C0 (tab, CR and LF included) nor DEL nor C1 (U+0080-U+009F),
 * and no line or paragraph separator (U+2028, U+2029). O(n). */
bool util_one_line(const char *s);

/* Word-at-a-time byte tests, for scans that skip 8 plain bytes at once
 * (JSON escaping, UTF-8 checks): util_w8 reads 8 bytes of s (any
 * alignment); util_w8_below(w, n) is whether any byte of w is below n
 * (1 <= n <= 128; a byte >= 0x80 never is), util_w8_has(w, c) whether
 * any byte equals c. Both are exact: a word they pass has no such byte. */
static inline uint64_t util_w8(const char *s)
{
    uint64_t w;
    memcpy(&w, s, sizeof(w));
    return w;
}
#define UTIL_W8_ONES 0x0101010101010101ULL
#define UTIL_W8_HIGHS 0x8080808080808080ULL
static inline bool util_w8_below(uint64_t w, unsigned n)
{
    return ((w - UTIL_W8_ONES * n) & ~w & UTIL_W8_HIGHS) != 0;
}
static inline bool util_w8_has(uint64_t w, unsigned char c)
{
    return util_w8_below(w ^ (UTIL_W8_ONES * c), 1);
}

/* Constant-time equality of two equal-length byte strings. */
bool util_ct_equal(const void *a, const void *b, size_t n);

/* Reads a whole file (bounded by cap) into a malloc'd NUL-terminated
 * string the caller free()s. IS_ERR_IO with errno kept, IS_ERR_LIMIT when
 * larger than cap. */
int util_read_file(const char *path, size_t cap, char **out, size_t *len);

/* Copies and formats into fixed-size arrays, never cut short silently
 * (snprintf truncates without a word).
 *
 * util_xsnprintf (git's xsnprintf): for data the program controls, where a
 * result that does not fit is a bug (the array is sized wrong). It aborts
 * with the call site rather than hand out a cut-short string.
 * util_xcopy(dst, n, src) is util_xsnprintf(dst, n, "%s", src).
 *
 * util_copy / util_fmt: for data the program does not control (the network,
 * the command line, a file): IS_OK, or IS_ERR_TOO_LARGE when the result does
 * not fit (dst is then "", never a prefix), which the caller must answer
 * (a 4xx, an error message). Data from the network should already be
 * length-checked before it gets here. */
#define util_xsnprintf(dst, n, ...)                                            \
    util_xsnprintf_at(__FILE__, __LINE__, (dst), (n), __VA_ARGS__)
#define util_xcopy(dst, n, src) util_xsnprintf((dst), (n), "%s", (src))
void util_xsnprintf_at(const char *file, int line, char *dst, size_t n,
                       const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
int util_copy(char *dst, size_t n, const char *src)
    __attribute__((warn_unused_result));
int util_fmt(char *dst, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), warn_unused_result));

#endif
