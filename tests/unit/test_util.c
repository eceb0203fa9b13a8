/*
 * test_util.c - util.h (time, numbers, UTF-8, hex, constant-time compare)
 * and buf.h (capped growable buffer).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/util.h"

/* ---------------------------------------------------------------- time */

static void t_time_format_known(void **state)
{
    (void)state;
    char out[UTIL_TIME_LEN];
    util_time_rfc3339(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00Z");
    util_time_rfc3339(1700000000, out);
    assert_string_equal(out, "2023-11-14T22:13:20Z");
    /* 2024-02-29 is a leap day */
    util_time_rfc3339(1709164800, out);
    assert_string_equal(out, "2024-02-29T00:00:00Z");
    util_time_rfc3339(253402300799LL, out); /* last second of 9999 */
    assert_string_equal(out, "9999-12-31T23:59:59Z");
    /* before 1970 as it is; a stored time before year 0 (a year of five
     * characters would not fit) is clamped like one after 9999, never an
     * abort */
    util_time_rfc3339(-1, out);
    assert_string_equal(out, "1969-12-31T23:59:59Z");
    util_time_rfc3339(-62167219200LL, out); /* 0000-01-01 */
    assert_string_equal(out, "0000-01-01T00:00:00Z");
    util_time_rfc3339(-100000000000LL, out); /* year -1200 */
    assert_string_equal(out, "0000-01-01T00:00:00Z");
    util_time_rfc3339(INT64_MIN, out);
    assert_string_equal(out, "1970-01-01T00:00:00Z"); /* gmtime_r fails */
}

/* The text is that of gmtime_r and strftime (the C library's calendar,
 * independent of util's arithmetic) for times across the whole range of
 * four-digit years: both ends, around every leap rule (4, 100, 400), before
 * 1970, and a spread of pseudo-random seconds. */
static void t_time_matches_gmtime(void **state)
{
    (void)state;
    int64_t lo = -62167219200LL, hi = 253402300799LL;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    int64_t edge[] = {lo,
                      lo + 1,
                      lo + 86399,
                      -1,
                      0,
                      1,
                      hi,
                      hi - 1,
                      951868799LL,
                      951868800LL,
                      951782400LL,   /* 2000-02-29 */
                      -2203891200LL, /* 1900-03-01: 1900 is not leap */
                      4107542400LL /* 2100-03-01 */};
    for (int i = 0; i < 200000 + (int)IS_ARRAY_LEN(edge); i++) {
        int64_t t;
        if (i < (int)IS_ARRAY_LEN(edge)) {
            t = edge[i];
        } else {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            t = lo + (int64_t)(x % (uint64_t)(hi - lo + 1));
        }
        char got[UTIL_TIME_LEN], want[64];
        time_t tt = (time_t)t;
        struct tm tm;
        assert_non_null(gmtime_r(&tt, &tm));
        /* strftime's %Y has no leading zeros for years below 1000 */
        snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02dZ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec);
        util_time_rfc3339(t, got);
        if (strcmp(got, want) != 0)
            fail_msg("%lld: %s, gmtime_r %s", (long long)t, got, want);
    }
}

static void t_time_round_trip(void **state)
{
    (void)state;
    static const int64_t samples[] = {0,
                                      1,
                                      59,
                                      86399,
                                      86400,
                                      951782400 /* 2000-02-29 */,
                                      1709164800,
                                      1700000000,
                                      2147483647,
                                      2147483648LL,
                                      4102444800LL /* 2100-01-01 */,
                                      253402300799LL};
    for (size_t i = 0; i < IS_ARRAY_LEN(samples); i++) {
        char out[UTIL_TIME_LEN];
        int64_t back = -1;
        util_time_rfc3339(samples[i], out);
        assert_int_equal(strlen(out), UTIL_TIME_LEN - 1);
        assert_int_equal(util_time_parse(out, &back), IS_OK);
        assert_int_equal(back, samples[i]);
    }
    /* every day of a leap year and a non-leap year, at a varying time */
    for (int64_t t = 1704067200LL; t < 1704067200LL + 2 * 366 * 86400;
         t += 86400 + 3607) {
        char out[UTIL_TIME_LEN];
        int64_t back = -1;
        util_time_rfc3339(t, out);
        assert_int_equal(util_time_parse(out, &back), IS_OK);
        assert_int_equal(back, t);
    }
}

static void t_time_parse_offsets(void **state)
{
    (void)state;
    int64_t z = 0, t = 0;
    assert_int_equal(util_time_parse("2024-04-01T00:00:00Z", &z), IS_OK);
    assert_int_equal(z, 1711929600);
    /* JST midnight is 15:00 UTC the day before */
    assert_int_equal(util_time_parse("2024-04-01T09:00:00+09:00", &t), IS_OK);
    assert_int_equal(t, z);
    assert_int_equal(util_time_parse("2024-04-01T00:00:00+09:00", &t), IS_OK);
    assert_int_equal(t, z - 9 * 3600);
    assert_int_equal(util_time_parse("2024-03-31T19:30:00-04:30", &t), IS_OK);
    assert_int_equal(t, z);
    assert_int_equal(util_time_parse("2024-04-01T00:00:00+00:00", &t), IS_OK);
    assert_int_equal(t, z);
    assert_int_equal(util_time_parse("2024-04-01T00:00:00-00:00", &t), IS_OK);
    assert_int_equal(t, z);
    /* lower-case separators are allowed by RFC 3339 */
    assert_int_equal(util_time_parse("2024-04-01t00:00:00z", &t), IS_OK);
    assert_int_equal(t, z);
}

/* The range (1970-01-01T00:00:00Z .. 9999-12-31T23:59:59Z) is checked on
 * the instant after the offset is applied, not on the local fields. */
static void t_time_parse_range_after_offset(void **state)
{
    (void)state;
    int64_t t = 12345;
    static const char *const bad[] = {
        "1970-01-01T00:00:00+23:59", /* 1969-12-31T00:01:00Z */
        "1970-01-01T00:00:00+00:01", /* one minute before the epoch */
        "1970-01-01T08:59:59+09:00", /* one second before the epoch */
        "9999-12-31T23:59:59-00:01", /* a minute into year 10000 */
        "9999-12-31T23:00:00-23:59",
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(bad); i++) {
        t = 12345;
        if (util_time_parse(bad[i], &t) != IS_ERR_INVALID)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(t, 12345);
    }
    /* the boundaries themselves are accepted */
    assert_int_equal(util_time_parse("1970-01-01T00:00:00Z", &t), IS_OK);
    assert_int_equal(t, 0);
    assert_int_equal(util_time_parse("1970-01-01T09:00:00+09:00", &t), IS_OK);
    assert_int_equal(t, 0);
    assert_int_equal(util_time_parse("1969-12-31T23:59:59-00:01", &t), IS_OK);
    assert_int_equal(t, 59);
    assert_int_equal(util_time_parse("1969-12-31T00:01:00-23:59", &t), IS_OK);
    assert_int_equal(t, 0);
    assert_int_equal(util_time_parse("9999-12-31T23:59:59Z", &t), IS_OK);
    assert_int_equal(t, 253402300799LL);
    assert_int_equal(util_time_parse("9999-12-31T23:59:59+00:01", &t), IS_OK);
    assert_int_equal(t, 253402300799LL - 60);
    assert_int_equal(util_time_parse("10000-01-01T00:00:00Z", &t),
                     IS_ERR_INVALID);
}

/* IMF-fixdate (RFC 9110 section 5.6.7) both ways. */
static void t_http_date(void **state)
{
    (void)state;
    char out[UTIL_HTTP_DATE_LEN];
    int64_t t = 0;
    util_http_date(784111777, out);
    assert_string_equal(out, "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_int_equal(util_http_date_parse(out, &t), IS_OK);
    assert_int_equal(t, 784111777);
    util_http_date(0, out);
    assert_string_equal(out, "Thu, 01 Jan 1970 00:00:00 GMT");
    assert_int_equal(util_http_date_parse("Mon, 30 Nov 2026 14:29:47 GMT", &t),
                     IS_OK);
    assert_int_equal(t, 1796048987LL);
    static const char *const bad[] = {
        "",
        "Sun, 06 Nov 1994 08:49:37",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        "Sun, 31 Feb 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMTx",
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(bad); i++) {
        t = 5;
        if (util_http_date_parse(bad[i], &t) != IS_ERR_INVALID)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(t, 5);
    }
}

static void t_time_parse_fraction(void **state)
{
    (void)state;
    int64_t t = 0;
    assert_int_equal(util_time_parse("2024-04-01T00:00:01.5Z", &t), IS_OK);
    assert_int_equal(t, 1711929601);
    assert_int_equal(util_time_parse("2024-04-01T00:00:01.999999999Z", &t),
                     IS_OK);
    assert_int_equal(t, 1711929601); /* truncated, not rounded */
    assert_int_equal(util_time_parse("2024-04-01T09:00:00.123+09:00", &t),
                     IS_OK);
    assert_int_equal(t, 1711929600);
    /* a dot needs at least one digit */
    assert_int_equal(util_time_parse("2024-04-01T00:00:01.Z", &t),
                     IS_ERR_INVALID);
    assert_int_equal(util_time_parse("2024-04-01T00:00:01.", &t),
                     IS_ERR_INVALID);
    assert_int_equal(util_time_parse("2024-04-01T00:00:01.5", &t),
                     IS_ERR_INVALID);
}

static void t_time_parse_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "2023-02-29T00:00:00Z", /* not a leap year */
        "1900-02-29T00:00:00Z", /* before 1970 and not leap */
        "2100-02-29T00:00:00Z", /* century, not leap */
        "2024-02-30T00:00:00Z",
        "2024-04-31T00:00:00Z",
        "2024-13-01T00:00:00Z", /* month 13 */
        "2024-00-10T00:00:00Z", /* month 0 */
        "2024-01-00T00:00:00Z", /* day 0 */
        "2024-01-32T00:00:00Z",
        "2024-01-01T24:00:00Z",
        "2024-01-01T23:60:00Z",
        "2024-01-01T23:59:61Z",
        "2024-01-01T00:00:00",       /* missing Z */
        "2024-01-01 00:00:00Z",      /* space instead of T */
        "2024-01-01T00:00:00Zjunk",  /* trailing text */
        "2024-01-01T00:00:00+0900",  /* offset without colon */
        "2024-01-01T00:00:00+24:00", /* offset hour out of range */
        "2024-01-01T00:00:00+09:60",
        "2024-01-01T00:00:00+9:00",
        "2024-1-01T00:00:00Z",
        "24-01-01T00:00:00Z",
        "2024-01-01T00:00Z",
        "2024-01-01",
        "1969-12-31T23:59:59Z", /* before the epoch: rejected */
        "abcd-ef-ghTij:kl:mnZ",
        "+024-01-01T00:00:00Z",
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(bad); i++) {
        int64_t t = 12345;
        int rc = util_time_parse(bad[i], &t);
        if (rc != IS_ERR_INVALID)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(t, 12345); /* untouched on error */
    }
    int64_t t = 0;
    assert_int_equal(util_time_parse(NULL, &t), IS_ERR_INVALID);
    /* the valid neighbours of the rejected dates */
    assert_int_equal(util_time_parse("2024-02-29T00:00:00Z", &t), IS_OK);
    assert_int_equal(util_time_parse("2000-02-29T00:00:00Z", &t), IS_OK);
    assert_int_equal(t, 951782400);
    assert_int_equal(util_time_parse("2023-02-28T23:59:59Z", &t), IS_OK);
    assert_int_equal(util_time_parse("2024-12-31T23:59:59Z", &t), IS_OK);
    /* a leap second is accepted (and folds into the next minute) */
    assert_int_equal(util_time_parse("2016-12-31T23:59:60Z", &t), IS_OK);
    assert_int_equal(t, 1483228800);
}

/* BUG (src/common/util.c util_time_rfc3339): for a time in year >= 10000
 * strftime needs 22 bytes, returns 0 and leaves the 21-byte buffer without
 * a terminating NUL. The output must always be a C string that fits. */
static void t_time_format_far_future_terminated(void **state)
{
    (void)state;
    char big[64];
    memset(big, 'X', sizeof(big));
    util_time_rfc3339(253402300800LL, big); /* 10000-01-01T00:00:00Z */
    assert_non_null(memchr(big, '\0', UTIL_TIME_LEN));
}

/* ---------------------------------------------------------- parse_long */

static void t_parse_long(void **state)
{
    (void)state;
    long v = 0;
    assert_int_equal(util_parse_long("42", 0, 100, &v), IS_OK);
    assert_int_equal(v, 42);
    assert_int_equal(util_parse_long("0", 0, 100, &v), IS_OK);
    assert_int_equal(v, 0);
    assert_int_equal(util_parse_long("100", 0, 100, &v), IS_OK);
    assert_int_equal(v, 100);
    assert_int_equal(util_parse_long("-5", -10, 10, &v), IS_OK);
    assert_int_equal(v, -5);
    assert_int_equal(util_parse_long("007", 0, 100, &v), IS_OK);
    assert_int_equal(v, 7);

    v = 77;
    /* bounds are inclusive, one past either end fails */
    assert_int_equal(util_parse_long("101", 0, 100, &v), IS_ERR_INVALID);
    assert_int_equal(util_parse_long("-1", 0, 100, &v), IS_ERR_INVALID);
    assert_int_equal(util_parse_long("-11", -10, 10, &v), IS_ERR_INVALID);
    /* junk */
    static const char *const junk[] = {"12a", "a12", "",      "-",   "--1",
                                       "+1",  " 1",  "1 ",    "1.0", "0x10",
                                       "1e3", "1-",  "1,000", "\t1"};
    for (size_t i = 0; i < IS_ARRAY_LEN(junk); i++)
        if (util_parse_long(junk[i], LONG_MIN, LONG_MAX, &v) != IS_ERR_INVALID)
            fail_msg("accepted \"%s\"", junk[i]);
    assert_int_equal(util_parse_long(NULL, 0, 1, &v), IS_ERR_INVALID);
    assert_int_equal(v, 77); /* untouched on error */

    /* overflow of long */
    char s[64];
    snprintf(s, sizeof(s), "%ld", LONG_MAX);
    assert_int_equal(util_parse_long_simple(s, &v), IS_OK);
    assert_true(v == LONG_MAX);
    snprintf(s, sizeof(s), "%ld", LONG_MIN);
    assert_int_equal(util_parse_long_simple(s, &v), IS_OK);
    assert_true(v == LONG_MIN);
    assert_int_equal(util_parse_long_simple("9223372036854775808", &v),
                     IS_ERR_INVALID);
    assert_int_equal(util_parse_long_simple("-9223372036854775809", &v),
                     IS_ERR_INVALID);
    assert_int_equal(
        util_parse_long_simple("99999999999999999999999999999", &v),
        IS_ERR_INVALID);
    assert_int_equal(util_parse_long_simple("123", &v), IS_OK);
    assert_int_equal(v, 123);
    assert_int_equal(util_parse_long_simple("12a", &v), IS_ERR_INVALID);
}

/* ------------------------------------------------- word-at-a-time tests */

static bool below_bytewise(uint64_t w, unsigned n)
{
    for (int i = 0; i < 8; i++)
        if (((w >> (8 * i)) & 0xff) < n)
            return true;
    return false;
}

static bool has_bytewise(uint64_t w, unsigned char c)
{
    for (int i = 0; i < 8; i++)
        if (((w >> (8 * i)) & 0xff) == c)
            return true;
    return false;
}

static void w8_same(uint64_t w)
{
    static const unsigned ns[] = {1, 0x20, 0x7f, 0x80};
    static const unsigned char cs[] = {0, '"', '\\', 0x7f, 0x80, 0xff};
    for (size_t i = 0; i < IS_ARRAY_LEN(ns); i++)
        assert_int_equal(util_w8_below(w, ns[i]), below_bytewise(w, ns[i]));
    for (size_t i = 0; i < IS_ARRAY_LEN(cs); i++)
        assert_int_equal(util_w8_has(w, cs[i]), has_bytewise(w, cs[i]));
}

/* util_w8_below / util_w8_has answer exactly what a loop over the 8
 * bytes answers: every byte value at every position of plain and of
 * high-byte filler, neighbours of each special byte, and random words. */
static void t_w8_exact(void **state)
{
    (void)state;
    static const unsigned char fills[] = {'a', 0x20, 0x80, 0xe6, 0xff, 0x21};
    for (size_t f = 0; f < IS_ARRAY_LEN(fills); f++)
        for (int pos = 0; pos < 8; pos++)
            for (unsigned v = 0; v < 256; v++) {
                uint64_t w = UTIL_W8_ONES * fills[f];
                w &= ~(0xffULL << (8 * pos));
                w |= (uint64_t)v << (8 * pos);
                w8_same(w);
                /* the same byte beside a borrow-making neighbour */
                w8_same(w & ~(0xffULL << (8 * ((pos + 1) % 8))));
            }
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        w8_same(x);
        w8_same(x & 0x7f7f7f7f7f7f7f7fULL); /* ASCII only */
    }
    char s[9] = "ab\"cdefg";
    assert_true(util_w8_has(util_w8(s), '"'));
    assert_false(util_w8_below(util_w8(s), 0x20));
}

/* A bad byte at each position of a long string is found (the check reads
 * 8 bytes at a time where it can), and a good multibyte character at each
 * position passes. */
static void t_utf8_every_position(void **state)
{
    (void)state;
    static const char bad[] = {0x01,       0x7f,       0x00, (char)0x80,
                               (char)0xff, (char)0xc0, 0x1b};
    char s[32];
    for (int pos = 0; pos < 24; pos++) {
        for (size_t b = 0; b < sizeof(bad); b++) {
            memset(s, 'x', 24);
            s[pos] = bad[b];
            assert_false(util_utf8_ok(s, 24));
            /* util_utf8_valid allows the controls, not the rest */
            bool control = bad[b] == 0x01 || bad[b] == 0x7f || bad[b] == 0x1b;
            assert_int_equal(util_utf8_valid(s, 24), control);
        }
        memset(s, 'x', 26);
        memcpy(s + pos, "情", 3); /* 3 bytes: still 26 in all */
        assert_true(util_utf8_ok(s, 26));
        assert_false(util_utf8_ok(s, (size_t)pos + 2)); /* cut inside it */
        s[pos + 2] = 'x';                               /* broken */
        assert_false(util_utf8_ok(s, 26));
        memset(s, 'x', 24);
        s[pos] = '\t';
        assert_true(util_utf8_ok(s, 24));
    }
}

/* ----------------------------------------------------------------- UTF-8 */

static bool ok(const char *s)
{
    return util_utf8_ok(s, strlen(s));
}

static void t_utf8_ok(void **state)
{
    (void)state;
    assert_true(ok(""));
    assert_true(ok("plain ASCII"));
    assert_true(ok("情報通信"));
    assert_true(ok("重要インフラ\tタブ\n改行\r"));
    assert_true(ok("\xf0\x9f\x98\x80")); /* U+1F600 emoji */
    assert_true(ok("\xc2\xa9"));         /* U+00A9 (2 bytes) */
    assert_true(ok("\xef\xbf\xbd"));     /* U+FFFD */
    assert_true(ok("\xed\x9f\xbf"));     /* U+D7FF, below surrogates */
    assert_true(ok("\xee\x80\x80"));     /* U+E000, above them */
    assert_true(ok("\xf4\x8f\xbf\xbf")); /* U+10FFFF, the maximum */

    /* overlong encodings */
    assert_false(ok("\xc0\xaf")); /* '/' in 2 bytes */
    assert_false(ok("\xc1\xbf"));
    assert_false(ok("\xe0\x80\xaf"));     /* '/' in 3 bytes */
    assert_false(ok("\xe0\x9f\xbf"));     /* U+07FF in 3 bytes */
    assert_false(ok("\xf0\x80\x80\xaf")); /* '/' in 4 bytes */
    assert_false(ok("\xf0\x8f\xbf\xbf")); /* U+FFFF in 4 bytes */
    assert_false(ok("\xc0\x80"));         /* modified-UTF-8 NUL */
    /* surrogates */
    assert_false(ok("\xed\xa0\x80"));             /* U+D800 */
    assert_false(ok("\xed\xbf\xbf"));             /* U+DFFF */
    assert_false(ok("\xed\xa0\xbd\xed\xb8\x80")); /* CESU-8 pair */
    /* beyond U+10FFFF, and bytes that never start a sequence */
    assert_false(ok("\xf4\x90\x80\x80"));
    assert_false(ok("\xf8\x88\x80\x80\x80"));
    assert_false(ok("\xfe"));
    assert_false(ok("\xff"));
    /* stray continuation and truncated sequences */
    assert_false(ok("\x80"));
    assert_false(ok("a\xbf"));
    assert_false(ok("\xe6\x83")); /* 情 without its last byte */
    assert_false(ok("\xe6\x83"
                    "a"));
    assert_false(ok("\xf0\x9f\x98"));
    /* control characters other than tab, LF, CR; and DEL */
    assert_false(ok("a\x01"
                    "b"));
    assert_false(ok("\x1b[31m"));
    assert_false(ok("bell\a"));
    assert_false(ok("\x7f"));
    assert_false(ok("form\x0c"
                    "feed"));
    /* NUL inside the counted length */
    assert_false(util_utf8_ok("ab\0cd", 5));
    assert_true(util_utf8_ok("ab\0cd", 2));
    /* the length limits what is read: a sequence cut by n is rejected */
    assert_false(util_utf8_ok("情", 2));
    assert_true(util_utf8_ok("情", 3));
    /* util_utf8_valid: the encoding only, controls allowed (what a JSON
     * string may hold); NUL, broken and overlong sequences, surrogates
     * and code points past U+10FFFF are still refused */
    assert_true(util_utf8_valid("a\x01\x1b\x7f情", 7));
    assert_false(util_utf8_valid("ab\0cd", 5));
    assert_false(util_utf8_valid("情", 2));
    assert_false(util_utf8_valid("\xc0\xaf", 2));
    assert_false(util_utf8_valid("\xed\xa0\x80", 3));
    assert_false(util_utf8_valid("\xf4\x90\x80\x80", 4));
    assert_false(util_utf8_valid("\xff", 1));
    assert_true(util_utf8_valid("\xf0\x9f\x98\x80", 4));
}

static void t_utf8_len(void **state)
{
    (void)state;
    assert_int_equal(util_utf8_len(""), 0);
    assert_int_equal(util_utf8_len("abc"), 3);
    assert_int_equal(util_utf8_len("情報通信"), 4);
    assert_int_equal(strlen("情報通信"), 12);
    assert_int_equal(util_utf8_len("\xf0\x9f\x98\x80"), 1);
    assert_int_equal(util_utf8_len("aé情\xf0\x9f\x98\x80"), 4);
    assert_int_equal(util_utf8_len("セプター CEPTOAR"), 12);
}

/* --------------------------------------------------------- hex, compare */

static void t_ct_equal(void **state)
{
    (void)state;
    unsigned char a[32], b[32];
    for (int i = 0; i < 32; i++)
        a[i] = b[i] = (unsigned char)(i * 7 + 1);
    assert_true(util_ct_equal(a, b, sizeof(a)));
    for (int i = 0; i < 32; i++) {
        b[i] ^= 0x01;
        assert_false(util_ct_equal(a, b, sizeof(a)));
        b[i] ^= 0x01;
    }
    b[31] ^= 0x80;
    assert_false(util_ct_equal(a, b, sizeof(a)));
    assert_true(util_ct_equal(a, b, 31)); /* only n bytes are compared */
    assert_true(util_ct_equal("abc", "abd", 2));
    assert_false(util_ct_equal("abc", "abd", 3));
}

static void t_hex(void **state)
{
    (void)state;
    char out[2 * 8 + 1];
    const unsigned char in[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xcd, 0xef, 0xff};
    memset(out, 'X', sizeof(out));
    util_hex(out, in, sizeof(in));
    assert_string_equal(out, "00017f80abcdefff");
    char empty[1] = {'X'};
    util_hex(empty, in, 0);
    assert_string_equal(empty, "");
    char one[3];
    const unsigned char ten = 0x0a;
    util_hex(one, &ten, 1);
    assert_string_equal(one, "0a");
}

static void t_random_hex(void **state)
{
    (void)state;
    char a[33], b[33];
    util_random_hex(a, 16);
    util_random_hex(b, 16);
    assert_int_equal(strlen(a), 32);
    assert_int_equal(strspn(a, "0123456789abcdef"), 32);
    assert_string_not_equal(a, b);
    /* ids: the prefix and 16 hex digits, cut to the buffer */
    char id[18], id2[18], small[5];
    util_random_id(id, sizeof(id), 'R');
    util_random_id(id2, sizeof(id2), 'R');
    assert_int_equal(strlen(id), 17);
    assert_true(id[0] == 'R');
    assert_int_equal(strspn(id + 1, "0123456789abcdef"), 16);
    assert_string_not_equal(id, id2);
    util_random_id(small, sizeof(small), 'A');
    assert_int_equal(strlen(small), 4);
    assert_true(small[0] == 'A');
}

/* ------------------------------------------------------------------ buf */

static void t_buf_basic(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    assert_string_equal(buf_str(&b), "");
    assert_int_equal(b.len, 0);
    assert_int_equal(buf_adds(&b, "情報"), IS_OK);
    assert_int_equal(buf_add(&b, "xyz", 2), IS_OK);
    assert_int_equal(buf_addf(&b, "-%d-%s", 42, "ok"), IS_OK);
    assert_string_equal(buf_str(&b), "情報xy-42-ok");
    assert_int_equal(b.len, strlen("情報xy-42-ok"));
    /* binary data including NUL is kept with its length */
    assert_int_equal(buf_add(&b, "a\0b", 3), IS_OK);
    assert_int_equal(b.len, strlen("情報xy-42-ok") + 3);
    assert_memory_equal(b.data + b.len - 3, "a\0b", 3);
    assert_int_equal(b.data[b.len], '\0');
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_str(&b), "");
    assert_int_equal(buf_adds(&b, "again"), IS_OK);
    assert_string_equal(buf_str(&b), "again");
    buf_release(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void t_buf_cap(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 8);
    assert_int_equal(buf_adds(&b, "12345"), IS_OK);
    /* would make 9 > 8: refused, contents unchanged, the buf failed */
    assert_int_equal(buf_adds(&b, "6789"), IS_ERR_LIMIT);
    assert_string_equal(buf_str(&b), "12345");
    assert_int_equal(b.len, 5);
    assert_int_equal(buf_error(&b), IS_ERR_LIMIT);
    buf_release(&b);

    buf_init(&b, 8);
    assert_int_equal(buf_adds(&b, "12345"), IS_OK);
    assert_int_equal(buf_addf(&b, "%s", "abcd"), IS_ERR_LIMIT);
    assert_string_equal(buf_str(&b), "12345");
    assert_int_equal(b.len, 5);
    buf_release(&b);

    /* exactly up to the cap is allowed, and is no failure */
    buf_init(&b, 8);
    assert_int_equal(buf_adds(&b, "12345678"), IS_OK);
    assert_string_equal(buf_str(&b), "12345678");
    /* an empty append at the cap is fine */
    assert_int_equal(buf_add(&b, "", 0), IS_OK);
    assert_int_equal(buf_error(&b), IS_OK);
    assert_int_equal(buf_add(&b, "9", 1), IS_ERR_LIMIT);
    assert_int_equal(buf_addf(&b, "x"), IS_ERR_LIMIT);
    assert_string_equal(buf_str(&b), "12345678");
    buf_release(&b);

    /* a huge n cannot wrap around the check */
    buf_init(&b, 8);
    assert_int_equal(buf_add(&b, "x", SIZE_MAX), IS_ERR_LIMIT);
    buf_reset(&b);
    assert_int_equal(buf_add(&b, "x", SIZE_MAX - 4), IS_ERR_LIMIT);
    assert_int_equal(b.len, 0);
    buf_release(&b);

    /* a long formatted string (past the 256-byte fast path) past the cap */
    buf_init(&b, 300);
    assert_int_equal(buf_adds(&b, "head"), IS_OK);
    assert_int_equal(buf_addf(&b, "%0300d", 7), IS_ERR_LIMIT);
    assert_string_equal(buf_str(&b), "head");
    assert_int_equal(b.len, 4);
    buf_reset(&b);
    assert_int_equal(buf_adds(&b, "head"), IS_OK);
    assert_int_equal(buf_addf(&b, "%0296d", 7), IS_OK);
    assert_int_equal(b.len, 300);
    assert_int_equal(buf_error(&b), IS_OK);
    buf_release(&b);
}

/* Overflow is sticky (curl's dynbuf): once an append fails, every later
 * append is a no-op that returns the same code, even one that would fit,
 * so a producer that ignores each result cannot hand out a text with a
 * hole in it; the one check at the end (buf_error, buf_detach) sees it. */
static void t_buf_sticky(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 8);
    assert_int_equal(buf_error(&b), IS_OK);
    assert_int_equal(buf_adds(&b, "abc"), IS_OK);
    assert_int_equal(buf_adds(&b, "too long!"), IS_ERR_LIMIT);
    assert_int_equal(buf_error(&b), IS_ERR_LIMIT);
    /* later appends that would fit do not resurrect it */
    assert_int_equal(buf_adds(&b, "d"), IS_ERR_LIMIT);
    assert_int_equal(buf_add(&b, "e", 1), IS_ERR_LIMIT);
    assert_int_equal(buf_addf(&b, "%d", 1), IS_ERR_LIMIT);
    assert_int_equal(buf_add(&b, "", 0), IS_ERR_LIMIT);
    assert_string_equal(buf_str(&b), "abc");
    assert_int_equal(buf_error(&b), IS_ERR_LIMIT);
    /* another code does not replace the first */
    assert_int_equal(buf_set_error(&b, IS_ERR_NOMEM), IS_ERR_LIMIT);
    assert_int_equal(buf_error(&b), IS_ERR_LIMIT);
    /* the finishing accessor hands out nothing, and frees the rest */
    assert_null(buf_detach(&b));
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    /* detach leaves b usable and cleared */
    assert_int_equal(buf_error(&b), IS_OK);
    assert_int_equal(buf_adds(&b, "new"), IS_OK);
    buf_release(&b);

    /* buf_reset clears the error */
    buf_init(&b, 4);
    assert_int_equal(buf_adds(&b, "12345"), IS_ERR_LIMIT);
    buf_reset(&b);
    assert_int_equal(buf_error(&b), IS_OK);
    assert_int_equal(buf_adds(&b, "1234"), IS_OK);
    char *s = buf_detach(&b);
    assert_non_null(s);
    assert_string_equal(s, "1234");
    free(s);

    /* an error set from outside (a nested buf that failed) is sticky too */
    buf_init(&b, 0);
    assert_int_equal(buf_adds(&b, "x"), IS_OK);
    assert_int_equal(buf_set_error(&b, IS_ERR_NOMEM), IS_ERR_NOMEM);
    assert_int_equal(buf_adds(&b, "y"), IS_ERR_NOMEM);
    assert_int_equal(buf_error(&b), IS_ERR_NOMEM);
    assert_null(buf_detach(&b));

    /* BUF_INIT starts with no error */
    struct buf z = BUF_INIT;
    assert_int_equal(buf_error(&z), IS_OK);
}

static void t_buf_addf_long(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    char big[5000];
    for (size_t i = 0; i < sizeof(big) - 1; i++)
        big[i] = (char)('a' + i % 26);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(buf_adds(&b, "<"), IS_OK);
    assert_int_equal(buf_addf(&b, "%s|%d|%s", big, 12345, "end"), IS_OK);
    assert_int_equal(buf_adds(&b, ">"), IS_OK);
    size_t want = 1 + strlen(big) + strlen("|12345|end") + 1;
    assert_int_equal(b.len, want);
    assert_int_equal(strlen(buf_str(&b)), want);
    assert_memory_equal(b.data + 1, big, strlen(big));
    assert_string_equal(b.data + 1 + strlen(big), "|12345|end>");
    /* many small appends grow it correctly */
    buf_reset(&b);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(buf_addf(&b, "%03d,", i), IS_OK);
    assert_int_equal(b.len, 4000);
    assert_memory_equal(b.data, "000,001,002,", 12);
    assert_string_equal(b.data + 3996, "999,");
    buf_release(&b);
}

static void t_buf_detach(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    char *s = buf_detach(&b); /* empty: still a malloc'd "" */
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
    assert_int_equal(buf_adds(&b, "セプター"), IS_OK);
    s = buf_detach(&b);
    assert_string_equal(s, "セプター");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_str(&b), "");
    /* the buf is usable again and independent of the detached string */
    assert_int_equal(buf_adds(&b, "new"), IS_OK);
    assert_string_equal(buf_str(&b), "new");
    assert_string_equal(s, "セプター");
    free(s);
    buf_release(&b);
}

static void t_strerror(void **state)
{
    (void)state;
    assert_string_equal(is_strerror(IS_OK), "ok");
    assert_string_equal(is_strerror(IS_ERR_NOTFOUND), "not found");
    assert_string_equal(is_strerror(IS_ERR_LIMIT), "limit exceeded");
    assert_string_equal(is_strerror(9999), "internal error");
}

/* ------------------------------------------------------- checked copies */

static void t_util_copy(void **state)
{
    (void)state;
    char d[6];
    assert_int_equal(util_copy(d, sizeof(d), "abcde"), IS_OK);
    assert_string_equal(d, "abcde");
    /* one byte too many: an error and "", never the prefix "abcde" */
    assert_int_equal(util_copy(d, sizeof(d), "abcdef"), IS_ERR_TOO_LARGE);
    assert_string_equal(d, "");
    assert_int_equal(util_copy(d, sizeof(d), ""), IS_OK);
    assert_string_equal(d, "");
    assert_int_equal(util_fmt(d, sizeof(d), "%d-%s", 12, "ab"), IS_OK);
    assert_string_equal(d, "12-ab");
    assert_int_equal(util_fmt(d, sizeof(d), "%d-%s", 123, "ab"),
                     IS_ERR_TOO_LARGE);
    assert_string_equal(d, "");
    util_xcopy(d, sizeof(d), "fits!");
    assert_string_equal(d, "fits!");
    util_xsnprintf(d, sizeof(d), "%s%d", "ab", 123);
    assert_string_equal(d, "ab123");
}

/* util_xsnprintf on a result that does not fit is a bug: it aborts (in a
 * child, so that the test can watch) rather than cut the string short. */
static void t_util_xsnprintf_aborts(void **state)
{
    (void)state;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2(devnull, 2); /* the BUG line is expected */
        char d[4];
        util_xcopy(d, sizeof(d), "abcd");
        _exit(0); /* not reached */
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGABRT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_time_format_known),
        cmocka_unit_test(t_time_round_trip),
        cmocka_unit_test(t_time_matches_gmtime),
        cmocka_unit_test(t_time_parse_offsets),
        cmocka_unit_test(t_time_parse_fraction),
        cmocka_unit_test(t_time_parse_invalid),
        cmocka_unit_test(t_time_format_far_future_terminated),
        cmocka_unit_test(t_parse_long),
        cmocka_unit_test(t_w8_exact),
        cmocka_unit_test(t_utf8_every_position),
        cmocka_unit_test(t_utf8_ok),
        cmocka_unit_test(t_utf8_len),
        cmocka_unit_test(t_ct_equal),
        cmocka_unit_test(t_hex),
        cmocka_unit_test(t_random_hex),
        cmocka_unit_test(t_buf_basic),
        cmocka_unit_test(t_buf_cap),
        cmocka_unit_test(t_buf_sticky),
        cmocka_unit_test(t_util_copy),
        cmocka_unit_test(t_util_xsnprintf_aborts),
        cmocka_unit_test(t_buf_addf_long),
        cmocka_unit_test(t_buf_detach),
        cmocka_unit_test(t_strerror),
        cmocka_unit_test(t_time_parse_range_after_offset),
        cmocka_unit_test(t_http_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
