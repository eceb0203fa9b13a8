/*
 * stix.c - STIX 2.1 identifiers, TLP 2.0 markings, timestamps (see
 * core/stix.h).
 */
#include "core/stix.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/common.h"

void stix_uuid5(const unsigned char ns[16], const char *name, size_t len,
                char out[STIX_UUID_LEN])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *x = EVP_MD_CTX_new();
    if (!x || !EVP_DigestInit_ex(x, EVP_sha1(), NULL) ||
        !EVP_DigestUpdate(x, ns, 16) || !EVP_DigestUpdate(x, name, len) ||
        !EVP_DigestFinal_ex(x, md, &mdlen) || mdlen < 16)
        memset(md, 0, sizeof(md)); /* never: SHA-1 is always there */
    EVP_MD_CTX_free(x);
    md[6] = (unsigned char)((md[6] & 0x0f) | 0x50); /* version 5 */
    md[8] = (unsigned char)((md[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[md[i] >> 4];
        out[o++] = hex[md[i] & 15];
    }
    out[o] = '\0';
}

static int type_ok(const char *t, size_t n)
{
    if (n < 1 || n > 40)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= '0' && t[i] <= '9') ||
              t[i] == '-'))
            return 0;
    return 1;
}

int stix_id(const unsigned char ns[16], const char *type, const char *key,
            char out[STIX_ID_LEN])
{
    size_t tn = strlen(type);
    if (!type_ok(type, tn))
        return IS_ERR_INVALID;
    size_t kn = key ? strlen(key) : 0;
    if (kn > STIX_KEY_MAX)
        return IS_ERR_INVALID;
    char name[STIX_KEY_MAX + 48];
    memcpy(name, type, tn);
    name[tn] = ':';
    if (kn)
        memcpy(name + tn + 1, key, kn);
    char u[STIX_UUID_LEN];
    stix_uuid5(ns, name, tn + 1 + kn, u);
    int n = snprintf(out, STIX_ID_LEN, "%s--%s", type, u);
    return n < 0 || n >= STIX_ID_LEN ? IS_ERR_INVALID : IS_OK;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

int stix_uuid_parse(const char *s, unsigned char out[16])
{
    if (!s || strlen(s) != 36)
        return IS_ERR_INVALID;
    int k = 0;
    for (int i = 0; i < 36;) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i++] != '-')
                return IS_ERR_INVALID;
            continue;
        }
        int hi = hexval(s[i]), lo = hexval(s[i + 1]);
        if (hi < 0 || lo < 0)
            return IS_ERR_INVALID;
        out[k++] = (unsigned char)(hi << 4 | lo);
        i += 2;
    }
    return IS_OK;
}

int stix_id_ok(const char *s)
{
    const char *sep = s ? strstr(s, "--") : NULL;
    unsigned char u[16];
    return sep && type_ok(s, (size_t)(sep - s)) &&
           stix_uuid_parse(sep + 2, u) == IS_OK;
}

static const struct {
    const char *id, *name, *value;
} tlp[RANGE_COUNT] = {
    [RANGE_RED] = {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
                   "TLP:RED", "red"},
    [RANGE_AMBER] = {"marking-definition--939a9414-2ddd-4d32-a0cd-"
                     "375ea402b003",
                     "TLP:AMBER+STRICT", "amber+strict"},
    [RANGE_YELLOW] = {"marking-definition--55d920b0-5e8b-4f79-9ee9-"
                      "91f868d9b421",
                      "TLP:AMBER", "amber"},
    [RANGE_GREEN] = {"marking-definition--bab4a63c-aed9-4cf5-a766-"
                     "dfca5abac2bb",
                     "TLP:GREEN", "green"},
    [RANGE_WHITE] = {"marking-definition--94868c89-83c2-464b-929b-"
                     "a1a8aa3c8487",
                     "TLP:CLEAR", "clear"},
};

static int in_range(enum share_range r)
{
    return (int)r >= 0 && (int)r < RANGE_COUNT;
}

const char *stix_tlp_id(enum share_range r)
{
    return in_range(r) ? tlp[r].id : tlp[RANGE_RED].id;
}

const char *stix_tlp_name(enum share_range r)
{
    return in_range(r) ? tlp[r].name : tlp[RANGE_RED].name;
}

const char *stix_tlp_value(enum share_range r)
{
    return in_range(r) ? tlp[r].value : tlp[RANGE_RED].value;
}

int stix_tlp_range(const char *marking_id)
{
    for (int r = 0; r < RANGE_COUNT; r++)
        if (marking_id && strcmp(tlp[r].id, marking_id) == 0)
            return r;
    return -1;
}

void stix_time(int64_t seconds, int ms, char out[STIX_TIME_LEN])
{
    time_t t = (time_t)seconds;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, STIX_TIME_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec,
             ms < 0     ? 0
             : ms > 999 ? 999
                        : ms);
}

/* The namespace of STIX 2.1 §2.9 for the ids of cyber-observable objects:
 * 00abedb4-aa42-466c-9c01-fed23315a9b7. */
static const unsigned char sco_ns[16] = {0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42,
                                         0x46, 0x6c, 0x9c, 0x01, 0xfe, 0xd2,
                                         0x33, 0x15, 0xa9, 0xb7};

int stix_sco_id(const char *type, const char *canonical, char out[STIX_ID_LEN])
{
    size_t tn = type ? strlen(type) : 0;
    if (!type_ok(type, tn) || !canonical || !*canonical)
        return IS_ERR_INVALID;
    char u[STIX_UUID_LEN];
    stix_uuid5(sco_ns, canonical, strlen(canonical), u);
    int n = snprintf(out, STIX_ID_LEN, "%s--%s", type, u);
    return n < 0 || n >= STIX_ID_LEN ? IS_ERR_INVALID : IS_OK;
}

int stix_pattern_quote(const char *value, char *out, size_t outlen)
{
    size_t o = 0;
    if (!value || outlen < 3)
        return IS_ERR_LIMIT;
    out[o++] = '\'';
    for (const char *p = value; *p; p++) {
        bool esc = *p == '\'' || *p == '\\';
        if (o + (esc ? 2 : 1) + 2 > outlen) {
            out[0] = '\0';
            return IS_ERR_LIMIT;
        }
        if (esc)
            out[o++] = '\\';
        out[o++] = *p;
    }
    out[o++] = '\'';
    out[o] = '\0';
    return IS_OK;
}

int stix_ipv4_ok(const char *s)
{
    if (!s)
        return 0;
    int parts = 0;
    const char *p = s;
    while (parts < 4) {
        int v = 0, digits = 0;
        while (*p >= '0' && *p <= '9') {
            v = v * 10 + (*p - '0');
            if (++digits > 3 || v > 255)
                return 0;
            p++;
        }
        if (!digits || (digits > 1 && p[-digits] == '0'))
            return 0;
        parts++;
        if (parts < 4) {
            if (*p != '.')
                return 0;
            p++;
        }
    }
    return *p == '\0';
}
