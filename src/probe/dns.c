/*
 * dns.c - DNS wire format: query builder and bounds-checked answer parser.
 * See dns.h for the contracts. No I/O here except dns_default_server (reads
 * a resolv.conf-style file).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "probe/dns.h"
#include "common/util.h"

static bool label_char_ok(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '*';
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

int dns_build_query(uint16_t id, const char *name, uint16_t type, uint8_t *out,
                    size_t cap, size_t *len)
{
    size_t n = strlen(name);
    if (n > 0 && name[n - 1] == '.')
        n--;
    if (n == 0 || n > 253)
        return IS_ERR_INVALID;
    /* header 12 + name (n + 2) + type/class 4 */
    if (cap < 12 + n + 2 + 4)
        return IS_ERR_TOO_LARGE;
    memset(out, 0, 12);
    out[0] = (uint8_t)(id >> 8);
    out[1] = (uint8_t)(id & 0xff);
    out[2] = 0x01; /* RD */
    out[5] = 1;    /* qdcount */
    size_t o = 12;
    size_t start = 0;
    while (start <= n) {
        size_t end = start;
        while (end < n && name[end] != '.')
            end++;
        size_t l = end - start;
        if (l == 0 || l > 63)
            return IS_ERR_INVALID;
        out[o++] = (uint8_t)l;
        for (size_t i = start; i < end; i++) {
            if (!label_char_ok((unsigned char)name[i]))
                return IS_ERR_INVALID;
            out[o++] = (uint8_t)name[i];
        }
        start = end + 1;
    }
    out[o++] = 0;
    out[o++] = (uint8_t)(type >> 8);
    out[o++] = (uint8_t)(type & 0xff);
    out[o++] = 0;
    out[o++] = 1; /* IN */
    *len = o;
    return IS_OK;
}

int dns_read_name(const uint8_t *pkt, size_t len, size_t *off, char *out,
                  size_t outcap)
{
    size_t pos = *off;
    size_t run_start = pos; /* where the current run of labels began */
    size_t end_after = 0;   /* where *off goes: after the first pointer */
    bool jumped = false;
    int jumps = 0;
    size_t wire = 0; /* wire length of the name so far (≤ 255) */
    size_t o = 0;
    if (outcap == 0)
        return IS_ERR_INVALID;
    for (;;) {
        if (pos >= len)
            return IS_ERR_INVALID;
        uint8_t l = pkt[pos];
        if ((l & 0xc0) == 0xc0) {
            if (pos + 1 >= len)
                return IS_ERR_INVALID;
            size_t target = ((size_t)(l & 0x3f) << 8) | pkt[pos + 1];
            /* before the start of the current run of labels: the runs'
             * starts strictly decrease, so a loop is impossible */
            if (target >= run_start || ++jumps > DNS_MAX_JUMPS)
                return IS_ERR_INVALID;
            if (!jumped) {
                end_after = pos + 2;
                jumped = true;
            }
            pos = target;
            run_start = target;
            continue;
        }
        if (l & 0xc0) /* 0x40, 0x80: extended label types, refused */
            return IS_ERR_INVALID;
        wire += (size_t)l + 1;
        if (wire > 255)
            return IS_ERR_INVALID;
        if (l == 0) {
            pos++;
            break;
        }
        if (pos + 1 + l > len)
            return IS_ERR_INVALID;
        /* room for an optional dot, the label and the final NUL */
        if (o + (o ? 1 : 0) + l + 1 > outcap)
            return IS_ERR_INVALID;
        if (o)
            out[o++] = '.';
        for (size_t i = 0; i < l; i++) {
            unsigned char c = pkt[pos + 1 + i];
            out[o++] = label_char_ok(c) ? (char)c : '?';
        }
        pos += 1 + (size_t)l;
    }
    out[o] = '\0';
    *off = jumped ? end_after : pos;
    return IS_OK;
}

static int parse_rr(const uint8_t *pkt, size_t len, size_t *off,
                    struct dns_rr *rr, bool keep)
{
    char scratch[DNS_NAME_LEN];
    char *name = keep ? rr->name : scratch;
    if (dns_read_name(pkt, len, off, name, DNS_NAME_LEN) != IS_OK)
        return IS_ERR_INVALID;
    if (*off + 10 > len)
        return IS_ERR_INVALID;
    const uint8_t *p = pkt + *off;
    uint16_t type = get16(p);
    uint16_t cls = get16(p + 2);
    uint32_t ttl = get32(p + 4);
    uint16_t rdlen = get16(p + 8);
    *off += 10;
    if (*off + rdlen > len)
        return IS_ERR_INVALID;
    size_t rd = *off;
    if (keep) {
        rr->type = type;
        rr->cls = cls;
        rr->ttl = ttl;
        rr->target[0] = '\0';
        memset(rr->addr, 0, sizeof rr->addr);
        if (type == DNS_T_A) {
            if (rdlen != 4)
                return IS_ERR_INVALID;
            memcpy(rr->addr, pkt + rd, 4);
        } else if (type == DNS_T_AAAA) {
            if (rdlen != 16)
                return IS_ERR_INVALID;
            memcpy(rr->addr, pkt + rd, 16);
        } else if (type == DNS_T_NS || type == DNS_T_CNAME) {
            size_t t = rd;
            if (dns_read_name(pkt, len, &t, rr->target, DNS_NAME_LEN) != IS_OK)
                return IS_ERR_INVALID;
            if (t != rd + rdlen) /* the name must fill the rdata exactly */
                return IS_ERR_INVALID;
        }
    }
    *off = rd + rdlen;
    return IS_OK;
}

int dns_parse(const uint8_t *pkt, size_t len, struct dns_msg *msg)
{
    if (len < 12)
        return IS_ERR_INVALID;
    msg->id = get16(pkt);
    msg->qr = (pkt[2] & 0x80) != 0;
    msg->tc = (pkt[2] & 0x02) != 0;
    msg->rcode = pkt[3] & 0x0f;
    uint16_t qd = get16(pkt + 4);
    uint16_t an = get16(pkt + 6);
    if (qd != 1)
        return IS_ERR_INVALID;
    size_t off = 12;
    if (dns_read_name(pkt, len, &off, msg->qname, sizeof msg->qname) != IS_OK)
        return IS_ERR_INVALID;
    if (off + 4 > len)
        return IS_ERR_INVALID;
    msg->qtype = get16(pkt + off);
    off += 4;
    msg->ancount = an;
    msg->n_rr = 0;
    for (int i = 0; i < an; i++) {
        bool keep = msg->n_rr < DNS_MAX_RR;
        struct dns_rr *rr = keep ? &msg->rr[msg->n_rr] : NULL;
        if (parse_rr(pkt, len, &off, rr, keep) != IS_OK)
            return IS_ERR_INVALID;
        if (keep)
            msg->n_rr++;
    }
    /* authority and additional sections are not read */
    return IS_OK;
}

bool dns_name_eq(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la && a[la - 1] == '.')
        la--;
    if (lb && b[lb - 1] == '.')
        lb--;
    if (la != lb)
        return false;
    return strncasecmp(a, b, la) == 0;
}

int dns_parse_server(const char *s, struct sockaddr_storage *ss, size_t *sslen)
{
    char host[64];
    long port = 53;
    const char *colon = NULL;
    memset(ss, 0, sizeof *ss);
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || (size_t)(close - s - 1) >= sizeof host)
            return IS_ERR_INVALID;
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = '\0';
        if (close[1] == ':')
            colon = close + 1;
        else if (close[1] != '\0')
            return IS_ERR_INVALID;
    } else {
        colon = strchr(s, ':');
        if (colon && strchr(colon + 1, ':')) /* a bare IPv6 address */
            colon = NULL;
        size_t n = colon ? (size_t)(colon - s) : strlen(s);
        if (n == 0 || n >= sizeof host)
            return IS_ERR_INVALID;
        memcpy(host, s, n);
        host[n] = '\0';
    }
    if (colon && util_parse_long(colon + 1, 1, 65535, &port) != IS_OK)
        return IS_ERR_INVALID;
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *sslen = sizeof *v4;
        return IS_OK;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *sslen = sizeof *v6;
        return IS_OK;
    }
    return IS_ERR_INVALID;
}

int dns_default_server(const char *path, char *out, size_t outcap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return IS_ERR_IO;
    char line[512];
    int rc = IS_ERR_NOTFOUND;
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, "nameserver", 10) != 0 ||
            (p[10] != ' ' && p[10] != '\t'))
            continue;
        p += 10;
        while (*p == ' ' || *p == '\t')
            p++;
        size_t n = strcspn(p, " \t\r\n#;%");
        if (n == 0)
            continue;
        p[n] = '\0';
        if (strchr(p, ':'))
            rc = util_fmt(out, outcap, "[%s]", p);
        else
            rc = util_copy(out, outcap, p);
        break;
    }
    fclose(f);
    return rc;
}
