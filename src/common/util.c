#include "common/util.h"

#include <sodium.h>
#include <sys/stat.h>

const char *is_strerror(int err)
{
    switch (err) {
    case IS_OK: return "ok";
    case IS_ERR_NOMEM: return "out of memory";
    case IS_ERR_INVALID: return "invalid input";
    case IS_ERR_NOTFOUND: return "not found";
    case IS_ERR_CONFLICT: return "conflict";
    case IS_ERR_FORBIDDEN: return "forbidden";
    case IS_ERR_AUTH: return "authentication required";
    case IS_ERR_LIMIT: return "limit exceeded";
    case IS_ERR_STORE: return "database error";
    case IS_ERR_IO: return "I/O error";
    case IS_ERR_GONE: return "gone";
    case IS_ERR_TOO_LARGE: return "too large";
    default: return "internal error";
    }
}

/* Two digits of v (0..99) at p. */
static void put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

void util_time_rfc3339(int64_t t, char out[UTIL_TIME_LEN])
{
    /* 0000-01-01T00:00:00Z .. 9999-12-31T23:59:59Z by arithmetic (days to
     * the civil date, H. Hinnant's algorithm): gmtime_r takes a lock and
     * snprintf parses a format, per time of every list row; times outside
     * go through gmtime_r as before */
    if (t >= -62167219200LL && t <= 253402300799LL) {
        int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
        int64_t sod = t - days * 86400;
        int64_t z = days + 719468;
        int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        int64_t doe = z - era * 146097;
        int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t y = yoe + era * 400;
        int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int64_t mp = (5 * doy + 2) / 153;
        int d = (int)(doy - (153 * mp + 2) / 5 + 1);
        int m = (int)(mp < 10 ? mp + 3 : mp - 9);
        if (m <= 2)
            y++;
        put2(out, (int)(y / 100));
        put2(out + 2, (int)(y % 100));
        out[4] = '-';
        put2(out + 5, m);
        out[7] = '-';
        put2(out + 8, d);
        out[10] = 'T';
        put2(out + 11, (int)(sod / 3600));
        out[13] = ':';
        put2(out + 14, (int)(sod / 60 % 60));
        out[16] = ':';
        put2(out + 17, (int)(sod % 60));
        out[19] = 'Z';
        out[20] = '\0';
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(out, UTIL_TIME_LEN, "1970-01-01T00:00:00Z");
        return;
    }
    /* RFC 3339 has four-digit years (0000-9999): a stored time outside
     * them is data, clamped rather than overflowing the buffer */
    if (tm.tm_year + 1900 > 9999) {
        snprintf(out, UTIL_TIME_LEN, "9999-12-31T23:59:59Z");
        return;
    }
    if (tm.tm_year + 1900 < 0) {
        snprintf(out, UTIL_TIME_LEN, "0000-01-01T00:00:00Z");
        return;
    }
    /* fits: the year is within four digits here */
    util_xsnprintf(out, UTIL_TIME_LEN, "%04d-%02d-%02dT%02d:%02d:%02dZ",
                   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                   tm.tm_min, tm.tm_sec);
}

static int parse_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return IS_ERR_INVALID;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return IS_OK;
}

int util_time_parse(const char *s, int64_t *out)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *p = s;
    int y, mo, d, h, mi, se;
    if (!s || parse_digits(&p, 4, &y) || *p++ != '-' ||
        parse_digits(&p, 2, &mo) || *p++ != '-' || parse_digits(&p, 2, &d) ||
        (*p != 'T' && *p != 't') || (p++, parse_digits(&p, 2, &h)) ||
        *p++ != ':' || parse_digits(&p, 2, &mi) || *p++ != ':' ||
        parse_digits(&p, 2, &se))
        return IS_ERR_INVALID;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return IS_ERR_INVALID;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    int off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om;
        p++;
        if (parse_digits(&p, 2, &oh) || *p++ != ':' ||
            parse_digits(&p, 2, &om) || oh > 23 || om > 59)
            return IS_ERR_INVALID;
        off = sign * (oh * 3600 + om * 60);
    } else {
        return IS_ERR_INVALID;
    }
    /* fields are checked here; the range of the instant below, after the
     * offset is applied (1970-01-01T00:00:00+23:59 is 1969-12-31) */
    if (*p || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
        mi > 59 || se > 60)
        return IS_ERR_INVALID;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap)
        return IS_ERR_INVALID;
    /* days from civil (Howard Hinnant's algorithm) */
    int yy = y - (mo <= 2);
    int era = yy / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    int64_t t = days * 86400 + h * 3600 + mi * 60 + se - off;
    if (t < 0 || t > UTIL_TIME_MAX)
        return IS_ERR_INVALID;
    *out = t;
    return IS_OK;
}

static const char *const wdays[] = {"Thu", "Fri", "Sat", "Sun",
                                    "Mon", "Tue", "Wed"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void util_http_date(int64_t t, char out[UTIL_HTTP_DATE_LEN])
{
    time_t tt = (time_t)(t < 0 ? 0 : t > UTIL_TIME_MAX ? UTIL_TIME_MAX : t);
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(out, UTIL_HTTP_DATE_LEN, "Thu, 01 Jan 1970 00:00:00 GMT");
        return;
    }
    util_xsnprintf(out, UTIL_HTTP_DATE_LEN,
                   "%s, %02d %s %04d %02d:%02d:%02d GMT",
                   wdays[(tt / 86400) % 7], tm.tm_mday, months[tm.tm_mon],
                   tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int util_http_date_parse(const char *s, int64_t *out)
{
    /* "Sun, 06 Nov 1994 08:49:37 GMT": rebuilt as RFC 3339 and parsed by
     * the one calendar routine above */
    if (!s || strlen(s) != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' ||
        s[11] != ' ' || s[16] != ' ' || strcmp(s + 25, " GMT") != 0)
        return IS_ERR_INVALID;
    int mo = -1;
    for (int i = 0; i < 12; i++)
        if (strncmp(s + 8, months[i], 3) == 0)
            mo = i + 1;
    bool wd = false;
    for (int i = 0; i < 7; i++)
        wd = wd || strncmp(s, wdays[i], 3) == 0;
    if (mo < 0 || !wd)
        return IS_ERR_INVALID;
    char rfc[32];
    snprintf(rfc, sizeof(rfc), "%.4s-%02d-%.2sT%.8sZ", s + 12, mo, s + 5,
             s + 17);
    return util_time_parse(rfc, out);
}

int64_t util_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

double util_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void util_hex(char *out, const unsigned char *in, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[in[i] >> 4];
        out[2 * i + 1] = hx[in[i] & 15];
    }
    out[2 * n] = '\0';
}

void util_random_hex(char *out, size_t nbytes)
{
    unsigned char tmp[64];
    if (nbytes > sizeof(tmp))
        nbytes = sizeof(tmp);
    randombytes_buf(tmp, nbytes);
    util_hex(out, tmp, nbytes);
}

void util_random_id(char *out, size_t len, char prefix)
{
    char hex[17];
    util_random_hex(hex, 8);
    snprintf(out, len, "%c%s", prefix, hex);
}

void util_b64url(char *out, size_t outlen, const unsigned char *in, size_t n)
{
    sodium_bin2base64(out, outlen, in, n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int util_parse_long(const char *s, long min, long max, long *out)
{
    if (!s || !*s)
        return IS_ERR_INVALID;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (p == s && *p == '-')))
            return IS_ERR_INVALID;
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return IS_ERR_INVALID;
    *out = v;
    return IS_OK;
}

int util_parse_long_simple(const char *s, long *out)
{
    return util_parse_long(s, LONG_MIN, LONG_MAX, out);
}

/* Valid UTF-8 (no overlong forms, surrogates or code points past
 * U+10FFFF) with no NUL; text: no control characters but tab, LF, CR. */
static bool utf8_check(const char *s, size_t n, bool text)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (n - i >= 8) { /* 8 printable ASCII bytes: valid either way */
            uint64_t w = util_w8(s + i);
            if (!(w & UTIL_W8_HIGHS) && !util_w8_below(w, 0x20) &&
                !util_w8_has(w, 0x7f)) {
                i += 8;
                continue;
            }
        }
        unsigned c = p[i];
        if (c < 0x80) {
            if (c == 0 ||
                (text && ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
                          c == 0x7f)))
                return false;
            i++;
            continue;
        }
        size_t len;
        unsigned cp;
        if ((c & 0xe0) == 0xc0) {
            len = 2;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
            (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

bool util_utf8_ok(const char *s, size_t n)
{
    return utf8_check(s, n, true);
}

bool util_utf8_valid(const char *s, size_t n)
{
    return utf8_check(s, n, false);
}

/* The code point at s (valid UTF-8 assumed, as checked by the field
 * tables); *len its bytes. */
static uint32_t cp_at(const char *s, int *len)
{
    const unsigned char *p = (const unsigned char *)s;
    if (p[0] < 0x80 || !p[1]) {
        *len = 1;
        return p[0];
    }
    if (p[0] < 0xe0) {
        *len = 2;
        return ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
    }
    if (p[0] < 0xf0 || !p[2]) {
        *len = p[2] ? 3 : 2;
        return ((uint32_t)(p[0] & 0x0f) << 12) |
               ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
    }
    *len = p[3] ? 4 : 3;
    return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) |
           ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
}

static bool cp_bidi_control(uint32_t c)
{
    return c == 0x061c || c == 0x200e || c == 0x200f ||
           (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* White space (Unicode's White_Space) or a character that shows nothing
 * (zero-width spaces and joiners, bidirectional and other invisible format
 * characters, the byte order mark, the soft hyphen, variation selectors
 * (VS1-16, VS17-256, Mongolian), tag characters, the braille blank,
 * Hangul fillers, the Khmer inherent vowels U+17B4/5, interlinear
 * annotation controls). */
static bool cp_invisible(uint32_t c)
{
    if (c == ' ' || (c >= 0x09 && c <= 0x0d) || c == 0x85 || c == 0xa0 ||
        c == 0xad || c == 0x034f || c == 0x061c || c == 0x115f || c == 0x1160 ||
        c == 0x1680 || c == 0x17b4 || c == 0x17b5 || c == 0x180e ||
        c == 0x180f || c == 0x2800 || c == 0x3000 || c == 0x3164 ||
        c == 0xfeff || c == 0xffa0)
        return true;
    return (c >= 0x180b && c <= 0x180d) || (c >= 0x2000 && c <= 0x200f) ||
           (c >= 0x2028 && c <= 0x202f) || (c >= 0x205f && c <= 0x206f) ||
           (c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xfff9 && c <= 0xfffb) ||
           (c >= 0x1d173 && c <= 0x1d17a) || (c >= 0xe0000 && c <= 0xe007f) ||
           (c >= 0xe0100 && c <= 0xe01ef);
}

/* A combining mark of the common blocks (diacritics, the kana voicing
 * marks): shown only on a character before it, so a text of marks alone
 * says nothing. */
static bool cp_combining(uint32_t c)
{
    return (c >= 0x0300 && c <= 0x036f) || (c >= 0x1ab0 && c <= 0x1aff) ||
           (c >= 0x1dc0 && c <= 0x1dff) || (c >= 0x20d0 && c <= 0x20ff) ||
           (c >= 0xfe20 && c <= 0xfe2f) || c == 0x3099 || c == 0x309a;
}

bool util_blank(const char *s)
{
    while (s && *s) {
        int n;
        uint32_t c = cp_at(s, &n);
        if (!cp_invisible(c) && !cp_combining(c))
            return false;
        s += n;
    }
    return true;
}

bool util_has_bidi_control(const char *s)
{
    while (s && *s) {
        int n;
        if (cp_bidi_control(cp_at(s, &n)))
            return true;
        s += n;
    }
    return false;
}

bool util_one_line(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return false;
        if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
            return false; /* C1: U+0080-U+009F, NEL included */
        if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
            return false; /* U+2028 LINE, U+2029 PARAGRAPH SEPARATOR */
    }
    return true;
}

size_t util_utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

bool util_ct_equal(const void *a, const void *b, size_t n)
{
    return sodium_memcmp(a, b, n) == 0;
}

int util_read_file(const char *path, size_t cap, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return IS_ERR_IO;
    size_t alloc = 4096, n = 0;
    char *data = malloc(alloc);
    if (!data) {
        fclose(f);
        return IS_ERR_NOMEM;
    }
    for (;;) {
        if (n + 1 >= alloc) {
            if (alloc > cap) {
                free(data);
                fclose(f);
                return IS_ERR_LIMIT;
            }
            char *p = realloc(data, alloc * 2);
            if (!p) {
                free(data);
                fclose(f);
                return IS_ERR_NOMEM;
            }
            data = p;
            alloc *= 2;
        }
        size_t got = fread(data + n, 1, alloc - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(data);
        return IS_ERR_IO;
    }
    if (n > cap) {
        free(data);
        return IS_ERR_LIMIT;
    }
    data[n] = '\0';
    *out = data;
    if (len)
        *len = n;
    return IS_OK;
}

void util_xsnprintf_at(const char *file, int line, char *dst, size_t n,
                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(dst, n, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= n) {
        fprintf(stderr,
                "infrashare: BUG: %s:%d: util_xsnprintf: %d bytes "
                "do not fit in %zu (aborting rather than cut "
                "short)\n",
                file, line, k, n);
        abort();
    }
}

int util_copy(char *dst, size_t n, const char *src)
{
    size_t k = strlen(src);
    if (k >= n) {
        if (n)
            dst[0] = '\0';
        return IS_ERR_TOO_LARGE;
    }
    memcpy(dst, src, k + 1);
    return IS_OK;
}

int util_fmt(char *dst, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(dst, n, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= n) {
        if (n)
            dst[0] = '\0';
        return k < 0 ? IS_ERR_INVALID : IS_ERR_TOO_LARGE;
    }
    return IS_OK;
}
