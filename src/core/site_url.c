/*
 * site_url.c - see site_url.h.
 */
#include "core/site_url.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <strings.h>

#include "common/util.h"

/* ---- address classes ---- */

static bool in4(uint32_t a, uint32_t net, int bits)
{
    uint32_t mask = bits ? 0xffffffffu << (32 - bits) : 0;
    return (a & mask) == (net & mask);
}

#define V4(a, b, c, d)                                                         \
    (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) |    \
     (uint32_t)(d))

enum site_addr_class site_addr_class_v4(uint32_t a)
{
    if (in4(a, V4(0, 0, 0, 0), 8))
        return SITE_ADDR_UNSPECIFIED;
    if (in4(a, V4(127, 0, 0, 0), 8))
        return SITE_ADDR_LOOPBACK;
    if (in4(a, V4(10, 0, 0, 0), 8) || in4(a, V4(172, 16, 0, 0), 12) ||
        in4(a, V4(192, 168, 0, 0), 16))
        return SITE_ADDR_PRIVATE;
    if (in4(a, V4(169, 254, 0, 0), 16))
        return SITE_ADDR_LINK_LOCAL;
    if (in4(a, V4(100, 64, 0, 0), 10))
        return SITE_ADDR_CGNAT;
    if (in4(a, V4(224, 0, 0, 0), 4))
        return SITE_ADDR_MULTICAST;
    if (in4(a, V4(240, 0, 0, 0), 4) || in4(a, V4(192, 0, 0, 0), 24) ||
        in4(a, V4(192, 0, 2, 0), 24) || in4(a, V4(198, 18, 0, 0), 15) ||
        in4(a, V4(198, 51, 100, 0), 24) || in4(a, V4(203, 0, 113, 0), 24) ||
        in4(a, V4(192, 88, 99, 0), 24)) /* the 6to4 relays' anycast */
        return SITE_ADDR_RESERVED;
    return SITE_ADDR_PUBLIC;
}

static uint32_t v4_at(const unsigned char *p)
{
    return V4(p[0], p[1], p[2], p[3]);
}

enum site_addr_class site_addr_class_v6(const unsigned char a[16])
{
    static const unsigned char zero[16] = {0};
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0,    0,
                                             0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0,
                                            0, 0,    0,    0,    0, 0};
    /* IPv4-translated (::ffff:0:a.b.c.d, RFC 2765) */
    static const unsigned char translated[12] = {0, 0, 0,    0,    0, 0,
                                                 0, 0, 0xff, 0xff, 0, 0};
    /* the local-use NAT64 prefix 64:ff9b:1::/48 (RFC 8215), whose IPv4
     * address may sit at any of several places */
    static const unsigned char nat64_local[6] = {0, 0x64, 0xff, 0x9b, 0, 1};
    if (memcmp(a, zero, 16) == 0)
        return SITE_ADDR_UNSPECIFIED;
    if (memcmp(a, zero, 15) == 0 && a[15] == 1)
        return SITE_ADDR_LOOPBACK;
    if (memcmp(a, mapped, 12) == 0 || memcmp(a, zero, 12) == 0 ||
        memcmp(a, nat64, 12) == 0 || memcmp(a, translated, 12) == 0)
        return site_addr_class_v4(v4_at(a + 12));
    if (memcmp(a, nat64_local, 6) == 0)
        return SITE_ADDR_RESERVED;
    /* 2001::/23, the IETF protocol assignments: Teredo (2001::/32, an
     * IPv4 address inside), benchmarking, ORCHID; 3fff::/20, the
     * documentation; 5f00::/16, SRv6 segment identifiers */
    if ((a[0] == 0x20 && a[1] == 0x01 && a[2] < 0x02) ||
        (a[0] == 0x3f && (a[1] & 0xf0) == 0xf0) ||
        (a[0] == 0x5f && a[1] == 0x00))
        return SITE_ADDR_RESERVED;
    if (a[0] == 0x20 && a[1] == 0x02) /* 6to4 */
        return site_addr_class_v4(v4_at(a + 2));
    if (a[0] == 0xff)
        return SITE_ADDR_MULTICAST;
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
        return SITE_ADDR_LINK_LOCAL;
    if ((a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0))
        return SITE_ADDR_PRIVATE;
    if ((a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) ||
        (a[0] == 0x01 && memcmp(a + 1, zero, 7) == 0))
        return SITE_ADDR_RESERVED;
    return SITE_ADDR_PUBLIC;
}

bool site_addr_allowed(enum site_addr_class c, bool test_mode)
{
    return c == SITE_ADDR_NAME || c == SITE_ADDR_PUBLIC ||
           (test_mode && c == SITE_ADDR_LOOPBACK);
}

const char *site_addr_class_name(enum site_addr_class c)
{
    switch (c) {
    case SITE_ADDR_NAME: return "name";
    case SITE_ADDR_PUBLIC: return "public";
    case SITE_ADDR_LOOPBACK: return "loopback";
    case SITE_ADDR_PRIVATE: return "private";
    case SITE_ADDR_LINK_LOCAL: return "link-local";
    case SITE_ADDR_CGNAT: return "shared (CGNAT)";
    case SITE_ADDR_MULTICAST: return "multicast";
    case SITE_ADDR_UNSPECIFIED: return "unspecified";
    case SITE_ADDR_RESERVED: return "reserved";
    }
    return "reserved";
}

/* ---- parsing ---- */

/* One part of an inet_aton-style IPv4 host: decimal, 0x hex or 0 octal,
 * at most max. False when it is not a number or too large. */
static bool v4_part(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    int base = 10;
    if (n == 0)
        return false;
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        n -= 2;
    } else if (n >= 2 && s[0] == '0') {
        base = 8;
        s++;
        n--;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        int d;
        char ch = s[i];
        if (ch >= '0' && ch <= '9')
            d = ch - '0';
        else if (ch >= 'a' && ch <= 'f')
            d = ch - 'a' + 10;
        else if (ch >= 'A' && ch <= 'F')
            d = ch - 'A' + 10;
        else
            return false;
        if (d >= base)
            return false;
        v = v * (uint64_t)base + (uint64_t)d;
        if (v > max)
            return false;
    }
    *out = v;
    return true;
}

/* Reads host (n bytes, no trailing dot) as inet_aton does: 1 to 4 parts. */
static bool parse_v4(const char *h, size_t n, uint32_t *out)
{
    uint64_t parts[4];
    int np = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && h[i] != '.')
            continue;
        if (np == 4 || !v4_part(h + start, i - start, 0xffffffffu, &parts[np]))
            return false;
        np++;
        start = i + 1;
    }
    uint64_t v = 0;
    for (int i = 0; i < np - 1; i++) {
        if (parts[i] > 255)
            return false;
        v |= parts[i] << (24 - 8 * i);
    }
    uint64_t last_max = np == 1 ? 0xffffffffu : (1ull << (8 * (5 - np))) - 1;
    if (parts[np - 1] > last_max)
        return false;
    *out = (uint32_t)(v | parts[np - 1]);
    return true;
}

/* Does the last label of host look like a number (decimal or 0x hex)?
 * Such a host must be an IPv4 address (as URL parsers read it). */
static bool ends_in_number(const char *h, size_t n)
{
    size_t s = n;
    while (s > 0 && h[s - 1] != '.')
        s--;
    const char *l = h + s;
    size_t ln = n - s;
    if (ln == 0)
        return false;
    if (ln >= 2 && l[0] == '0' && (l[1] == 'x' || l[1] == 'X')) {
        for (size_t i = 2; i < ln; i++)
            if (!isxdigit((unsigned char)l[i]))
                return false;
        return true;
    }
    for (size_t i = 0; i < ln; i++)
        if (!isdigit((unsigned char)l[i]))
            return false;
    return true;
}

static bool name_ok(const char *h, size_t n)
{
    if (n == 0 || n > SITE_HOST_MAX)
        return false;
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)h[i];
        if (ch == '.') {
            if (label == 0 || h[i - 1] == '-')
                return false;
            label = 0;
            continue;
        }
        if (!(isalnum(ch) || ch == '-') || (label == 0 && ch == '-') ||
            ++label > 63)
            return false;
    }
    return label > 0 && h[n - 1] != '-';
}

static bool is_localhost(const char *h)
{
    size_t n = strlen(h);
    return strcmp(h, "localhost") == 0 ||
           (n > 10 && strcmp(h + n - 10, ".localhost") == 0);
}

/* The characters a URL's path and query may hold (RFC 3986 unreserved,
 * delimiters, percent escapes). */
static bool path_char(unsigned char ch)
{
    return isalnum(ch) || (ch && strchr("-._~:/?@!$&'()*+,;=%", ch));
}

const char *site_url_parse(const char *url, struct site_url *out)
{
    memset(out, 0, sizeof(*out));
    size_t len = strlen(url);
    if (len > SITE_URL_MAX)
        return "longer than 2048 bytes";
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)url[i];
        if (ch <= 0x20 || ch >= 0x7f)
            return "spaces, control and non-ASCII characters must be "
                   "percent-encoded";
        if (ch == '\\')
            return "a backslash is not allowed";
    }
    const char *p;
    if (strncasecmp(url, "https://", 8) == 0) {
        out->https = true;
        p = url + 8;
    } else if (strncasecmp(url, "http://", 7) == 0) {
        p = url + 7;
    } else {
        return "only http:// and https:// URLs can be observed";
    }
    size_t alen = strcspn(p, "/?#");
    const char *rest = p + alen;
    if (memchr(p, '@', alen))
        return "user information (user@ or user:password@) is not allowed";
    /* host and port */
    const char *hs = p, *hend;
    const char *port = NULL;
    size_t plen = 0;
    char host[SITE_HOST_MAX + 3];
    if (alen > 0 && p[0] == '[') {
        const char *close = memchr(p, ']', alen);
        if (!close)
            return "an IPv6 address needs its closing ]";
        size_t hl = (size_t)(close - p - 1);
        if (hl == 0 || hl >= 64 || memchr(p + 1, '%', hl))
            return "not a valid IPv6 address (zone ids are not allowed)";
        char tmp[64];
        memcpy(tmp, p + 1, hl);
        tmp[hl] = '\0';
        unsigned char a6[16];
        if (inet_pton(AF_INET6, tmp, a6) != 1)
            return "not a valid IPv6 address";
        if (!inet_ntop(AF_INET6, a6, host, sizeof(host)))
            return "not a valid IPv6 address";
        out->cls = site_addr_class_v6(a6);
        hend = close + 1;
        if (hend < p + alen) {
            if (*hend != ':')
                return "not a valid host";
            port = hend + 1;
            plen = (size_t)(p + alen - port);
        }
    } else {
        const char *colon = memchr(p, ':', alen);
        hend = colon ? colon : p + alen;
        if (colon) {
            port = colon + 1;
            plen = (size_t)(p + alen - port);
        }
        size_t hl = (size_t)(hend - hs);
        if (hl > 0 && hs[hl - 1] == '.')
            hl--; /* the root's dot: "example.jp." is "example.jp" */
        if (hl == 0)
            return "the host is missing";
        if (hl > SITE_HOST_MAX)
            return "the host is longer than 253 bytes";
        for (size_t i = 0; i < hl; i++)
            host[i] = (char)tolower((unsigned char)hs[i]);
        host[hl] = '\0';
        uint32_t a4;
        if (ends_in_number(host, hl)) {
            if (!parse_v4(host, hl, &a4))
                return "not a valid host (a numeric host must be an IPv4 "
                       "address)";
            struct in_addr ia = {.s_addr = htonl(a4)};
            if (!inet_ntop(AF_INET, &ia, host, sizeof(host)))
                return "not a valid host";
            out->cls = site_addr_class_v4(a4);
        } else if (!name_ok(host, hl)) {
            return "not a valid host name";
        } else {
            out->cls = is_localhost(host) ? SITE_ADDR_LOOPBACK : SITE_ADDR_NAME;
        }
    }
    out->port = out->https ? 443 : 80;
    if (port) {
        uint64_t v = 0;
        if (plen == 0 || plen > 5)
            return "not a valid port (1 to 65535)";
        for (size_t i = 0; i < plen; i++) {
            if (!isdigit((unsigned char)port[i]))
                return "not a valid port (1 to 65535)";
            v = v * 10 + (uint64_t)(port[i] - '0');
        }
        if (v < 1 || v > 65535)
            return "not a valid port (1 to 65535)";
        out->port = (int)v;
    }
    /* path and query, without the fragment */
    size_t rlen = strcspn(rest, "#");
    for (size_t i = 0; i < rlen; i++)
        if (!path_char((unsigned char)rest[i]))
            return "the path holds a character that must be percent-encoded";
    util_xcopy(out->host, sizeof(out->host), host);
    bool v6 = strchr(host, ':') != NULL;
    bool dflt = out->port == (out->https ? 443 : 80);
    char portbuf[8] = "";
    if (!dflt)
        util_xsnprintf(portbuf, sizeof(portbuf), ":%d", out->port);
    if (util_fmt(out->canon, sizeof(out->canon), "%s://%s%s%s%s%s%.*s",
                 out->https ? "https" : "http", v6 ? "[" : "", host,
                 v6 ? "]" : "", portbuf, rlen && rest[0] == '/' ? "" : "/",
                 (int)rlen, rest))
        return "longer than 2048 bytes";
    return NULL;
}
