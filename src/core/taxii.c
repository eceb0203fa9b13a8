/*
 * taxii.c - see core/taxii.h.
 */
#include "core/taxii.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/common.h"
#include "common/jv.h"
#include "common/util.h"
#include "core/stix.h"

/* ---- media types ---- */

/* Skips spaces and tabs. */
static const char *ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Is the media range [s, s+n) (with its parameters) one that admits type
 * (application/taxii+json or application/stix+json) at version 2.1? wild:
 * the wildcard ranges (any type, any application type) admit it too. */
static bool range_admits(const char *s, size_t n, const char *type, bool wild)
{
    char buf[256];
    if (n >= sizeof(buf))
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *semi = strchr(buf, ';');
    char *params = semi ? semi + 1 : NULL;
    if (semi)
        *semi = '\0';
    /* the type, trimmed */
    char *t = (char *)ows(buf);
    size_t tl = strlen(t);
    while (tl && (t[tl - 1] == ' ' || t[tl - 1] == '\t'))
        t[--tl] = '\0';
    bool taxii = strcasecmp(t, type) == 0;
    if (!taxii && (!wild || (strcasecmp(t, "*/*") != 0 &&
                             strcasecmp(t, "application/*") != 0)))
        return false;
    /* parameters: version (for the type itself) must be 2.1; q=0 refuses */
    while (params && *params) {
        char *next = strchr(params, ';');
        if (next)
            *next++ = '\0';
        char *p = (char *)ows(params);
        char *eq = strchr(p, '=');
        if (eq) {
            *eq = '\0';
            char *name = p, *val = (char *)ows(eq + 1);
            size_t nl = strlen(name);
            while (nl && (name[nl - 1] == ' ' || name[nl - 1] == '\t'))
                name[--nl] = '\0';
            size_t vl = strlen(val);
            while (vl && (val[vl - 1] == ' ' || val[vl - 1] == '\t'))
                val[--vl] = '\0';
            if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
                val[vl - 1] = '\0';
                val++;
            }
            if (strcasecmp(name, "version") == 0 && taxii &&
                strcmp(val, "2.1") != 0)
                return false;
            if (strcasecmp(name, "q") == 0 &&
                (strcmp(val, "0") == 0 || strcmp(val, "0.0") == 0 ||
                 strcmp(val, "0.00") == 0 || strcmp(val, "0.000") == 0))
                return false;
        }
        params = next;
    }
    return true;
}

/* Does one of the Accept value's media ranges admit type? */
static bool accept_admits(const char *accept, const char *type, bool wild)
{
    const char *p = accept;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (range_admits(p, n, type, wild))
            return true;
        if (!comma)
            break;
        p = comma + 1;
    }
    return false;
}

bool taxii_accept_ok(const char *accept)
{
    if (!accept || !*ows(accept))
        return true;
    return accept_admits(accept, "application/taxii+json", true);
}

bool stix_accept_named(const char *accept)
{
    return accept && accept_admits(accept, "application/stix+json", false);
}

bool taxii_ctype_ok(const char *ctype)
{
    if (!ctype)
        return false;
    const char *p = ows(ctype);
    size_t n = strlen("application/taxii+json");
    if (strncasecmp(p, "application/taxii+json", n) != 0)
        return false;
    p = ows(p + n);
    if (!*p)
        return true;
    if (*p != ';')
        return false;
    /* the same parameter rules as Accept (no wildcards possible here) */
    return range_admits(ctype, strlen(ctype), "application/taxii+json", true);
}

/* ---- time ---- */

int taxii_time_parse(const char *s, bool strict, int64_t *us)
{
    int64_t secs;
    if (!s || strlen(s) < 20 || util_time_parse(s, &secs))
        return IS_ERR_INVALID;
    /* util_time_parse checked the shape; the fraction is at [19] */
    int64_t frac = 0;
    int digits = 0;
    const char *p = s + 19;
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, digits++)
            if (digits < 6)
                frac = frac * 10 + (*p - '0');
        if (digits > 9 && strict)
            return IS_ERR_INVALID;
        for (int k = digits; k < 6; k++)
            frac *= 10;
    }
    if (strict && !(p[0] == 'Z' && p[1] == '\0'))
        return IS_ERR_INVALID;
    if (s[4] != '-' || s[10] != 'T')
        return IS_ERR_INVALID;
    /* years 1 to 9999 only: the microseconds fit int64 with room */
    if (secs < -62135596800LL || secs > 253402300799LL)
        return IS_ERR_INVALID;
    *us = secs * 1000000 + frac;
    return IS_OK;
}

void taxii_time_format(int64_t us, char out[TAXII_TIME_LEN])
{
    int64_t secs = us / 1000000, frac = us % 1000000;
    if (frac < 0) {
        frac += 1000000;
        secs--;
    }
    time_t t = (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    char tmp[128];
    snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, (int)frac);
    if (util_copy(out, TAXII_TIME_LEN, tmp))
        out[0] = '\0';
}

size_t taxii_json_tokens(const char *s, size_t len)
{
    size_t n = 0;
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = false;
        } else if (ch == '"') {
            in_str = true;
        } else if (ch == '[' || ch == '{' || ch == ',' || ch == ':') {
            n++;
        }
    }
    return n;
}

/* Skips whitespace from i. */
static size_t sp(const char *s, size_t len, size_t i)
{
    while (i < len &&
           (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* The index after the JSON value at i (valid JSON: only its end is
 * found), or len when it runs out. */
static size_t skip_value(const char *s, size_t len, size_t i)
{
    int depth = 0;
    bool in_str = false;
    for (; i < len; i++) {
        char ch = s[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"') {
                in_str = false;
                if (!depth)
                    return i + 1;
            }
            continue;
        }
        if (ch == '"') {
            in_str = true;
        } else if (ch == '{' || ch == '[') {
            depth++;
        } else if (ch == '}' || ch == ']') {
            if (!depth)
                return i; /* the end of the enclosing container */
            if (!--depth)
                return i + 1;
        } else if (!depth && (ch == ',' || ch == ' ' || ch == '\t' ||
                              ch == '\n' || ch == '\r')) {
            return i; /* the end of a number or literal */
        }
    }
    return len;
}

int taxii_envelope_spans(const char *s, size_t len, size_t *starts,
                         size_t *lens, size_t max)
{
    size_t i = 0;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    i = sp(s, len, i);
    if (i >= len || s[i] != '{')
        return -1;
    i++;
    for (;;) {
        i = sp(s, len, i);
        if (i >= len || s[i] != '"')
            return -1;
        size_t k = i;
        i = skip_value(s, len, i);
        bool objects = i - k == 9 && memcmp(s + k, "\"objects\"", 9) == 0;
        i = sp(s, len, i);
        if (i >= len || s[i] != ':')
            return -1;
        i = sp(s, len, i + 1);
        if (!objects) {
            i = skip_value(s, len, i);
        } else {
            if (i >= len || s[i] != '[')
                return -1;
            i = sp(s, len, i + 1);
            int n = 0;
            if (i < len && s[i] == ']')
                return 0;
            for (;;) {
                size_t start = i;
                i = skip_value(s, len, i);
                if ((size_t)n == max || i <= start || i > len)
                    return -1;
                starts[n] = start;
                lens[n] = i - start;
                n++;
                i = sp(s, len, i);
                if (i < len && s[i] == ',') {
                    i = sp(s, len, i + 1);
                    continue;
                }
                return i < len && s[i] == ']' ? n : -1;
            }
        }
        i = sp(s, len, i);
        if (i >= len || s[i] != ',')
            return -1;
        i++;
    }
}

/* ---- filters ---- */

int taxii_list_split(const char *s, char *buf, size_t buflen, const char **out,
                     int max)
{
    if (!s || !*s || util_copy(buf, buflen, s))
        return -1;
    int n = 0;
    char *p = buf;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (!*p || n == max)
            return -1;
        out[n++] = p;
        if (!comma)
            break;
        p = comma + 1;
    }
    return n;
}

int taxii_versions_parse(const char *s, struct taxii_versions *v)
{
    memset(v, 0, sizeof(*v));
    if (!s) {
        v->last = true;
        return IS_OK;
    }
    char buf[TAXII_MAX_MATCH * 40];
    const char *items[TAXII_MAX_MATCH];
    int n = taxii_list_split(s, buf, sizeof(buf), items, TAXII_MAX_MATCH);
    if (n < 0)
        return IS_ERR_INVALID;
    for (int i = 0; i < n; i++) {
        if (strcmp(items[i], "last") == 0)
            v->last = true;
        else if (strcmp(items[i], "first") == 0)
            v->first = true;
        else if (strcmp(items[i], "all") == 0)
            v->all = true;
        else if (taxii_time_parse(items[i], false, &v->ts[v->nts]) == IS_OK)
            v->nts++;
        else
            return IS_ERR_INVALID;
    }
    return IS_OK;
}

/* ---- objects ---- */

static bool type_ok(const char *t)
{
    size_t n = t ? strlen(t) : 0;
    if (n < 3 || n > 250)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = t[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-'))
            return false;
    }
    return t[0] != '-' && t[n - 1] != '-';
}

/* The STIX Cyber-observable object types (STIX 2.1 §6): no created or
 * modified required. */
static bool is_sco(const char *t)
{
    static const char *const sco[] = {"artifact",
                                      "autonomous-system",
                                      "directory",
                                      "domain-name",
                                      "email-addr",
                                      "email-message",
                                      "file",
                                      "ipv4-addr",
                                      "ipv6-addr",
                                      "mac-addr",
                                      "mutex",
                                      "network-traffic",
                                      "process",
                                      "software",
                                      "url",
                                      "user-account",
                                      "windows-registry-key",
                                      "x509-certificate"};
    for (size_t i = 0; i < IS_ARRAY_LEN(sco); i++)
        if (strcmp(t, sco[i]) == 0)
            return true;
    return false;
}

static int why_set(char *why, size_t whylen, const char *msg)
{
    if (util_copy(why, whylen, msg) && whylen)
        why[0] = '\0';
    return IS_ERR_INVALID;
}

/* The TLP 1.0 marking definitions of STIX 2.1 (§7.2.1.4), read as the
 * ranges they are closest to without widening: WHITE White, GREEN Green,
 * AMBER Amber (TLP 1.0 AMBER is read narrowly), RED Red. */
static int tlp1_range(const char *id)
{
    static const struct {
        const char *id;
        int range;
    } t[] = {
        {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
         RANGE_WHITE},
        {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
         RANGE_GREEN},
        {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
         RANGE_AMBER},
        {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", RANGE_RED},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(t); i++)
        if (strcmp(id, t[i].id) == 0)
            return t[i].range;
    return -1;
}

int taxii_tlp_builtin(const char *id)
{
    if (!id)
        return 0;
    return stix_tlp_range(id) >= 0 ? 2 : tlp1_range(id) >= 0 ? 1 : 0;
}

/* A marking reference narrows *range when it is a TLP (2.0 or 1.0) one. */
static int marking_ref(const json_t *ref, int *range, bool *any, char *why,
                       size_t whylen)
{
    const char *id = json_string_value(ref);
    if (!id || !stix_id_ok(id) || strncmp(id, "marking-definition--", 20) != 0)
        return why_set(why, whylen,
                       "a marking reference is not a marking-definition "
                       "identifier");
    int r = stix_tlp_range(id);
    if (r < 0)
        r = tlp1_range(id);
    if (r >= 0 && (!*any || r < *range)) {
        *range = r;
        *any = true;
    }
    return IS_OK;
}

/* A STIX identifier (STIX 2.1 section 2.9: "<type>--<UUID>", the UUID
 * RFC 4122's, whose hexadecimal digits are case-insensitive on input). */
static bool identifier_ok(const char *s)
{
    return s && stix_id_ok(s);
}

int taxii_object_check(const json_t *obj, struct taxii_object *o, char *why,
                       size_t whylen)
{
    memset(o, 0, sizeof(*o));
    if (!json_is_object(obj))
        return why_set(why, whylen, "not a JSON object");
    char at[256];
    if (jv_find_nul(obj, at, sizeof(at))) {
        snprintf(why, whylen,
                 "%.100s: holds U+0000 (NUL), which no text "
                 "of a STIX object may",
                 at);
        return IS_ERR_INVALID;
    }
    o->type = json_string_value(json_object_get(obj, "type"));
    o->id = json_string_value(json_object_get(obj, "id"));
    if (!o->type)
        return why_set(why, whylen, "type: missing");
    if (!type_ok(o->type))
        return why_set(why, whylen,
                       "type: 3 to 250 of a-z, 0-9 and '-', not starting "
                       "or ending with '-'");
    if (strcmp(o->type, "bundle") == 0)
        return why_set(why, whylen,
                       "type: a bundle is not a STIX object (STIX 2.1 "
                       "section 8): post its objects");
    if (!o->id)
        return why_set(why, whylen, "id: missing");
    size_t tl = strlen(o->type);
    if (strncmp(o->id, o->type, tl) != 0 || strncmp(o->id + tl, "--", 2) ||
        !identifier_ok(o->id))
        return why_set(why, whylen, "id: not \"<type>--<UUID>\" of its type");
    /* every *_ref an identifier, every *_refs a list of them (STIX 2.1
     * section 2.9: a consumer resolving them must not meet anything else) */
    const char *key;
    const json_t *val;
    json_object_foreach ((json_t *)obj, key, val) {
        size_t kl = strlen(key);
        bool one = kl > 4 && strcmp(key + kl - 4, "_ref") == 0;
        bool many = kl > 5 && strcmp(key + kl - 5, "_refs") == 0;
        if (!one && !many)
            continue;
        size_t k;
        const json_t *v;
        bool bad =
            one ? !identifier_ok(json_string_value(val)) : !json_is_array(val);
        if (many)
            json_array_foreach (val, k, v)
                bad = bad || !identifier_ok(json_string_value(v));
        if (bad && whylen) {
            snprintf(why, whylen, "%.64s: %s", key,
                     one ? "not an identifier (\"<type>--<UUID>\")"
                         : "not a list of identifiers (\"<type>--<UUID>\")");
        }
        if (bad)
            return IS_ERR_INVALID;
    }
    const json_t *sv = json_object_get(obj, "spec_version");
    if (!sv)
        return why_set(why, whylen, "spec_version: missing");
    if (!json_is_string(sv) || strcmp(json_string_value(sv), "2.1") != 0)
        return why_set(why, whylen, "spec_version: only \"2.1\" is accepted");
    const char *created = json_string_value(json_object_get(obj, "created"));
    const char *modified = json_string_value(json_object_get(obj, "modified"));
    bool sco = is_sco(o->type);
    bool marking = strcmp(o->type, "marking-definition") == 0;
    if (json_object_get(obj, "created") && !created)
        return why_set(why, whylen, "created: not a string");
    if (json_object_get(obj, "modified") && !modified)
        return why_set(why, whylen, "modified: not a string");
    if (!sco && !created)
        return why_set(why, whylen, "created: missing");
    if (!sco && !marking && !modified)
        return why_set(why, whylen, "modified: missing");
    int64_t tc = 0, tm = 0;
    if (created && taxii_time_parse(created, true, &tc))
        return why_set(why, whylen,
                       "created: not a STIX timestamp "
                       "(YYYY-MM-DDTHH:MM:SS[.s+]Z)");
    if (modified && taxii_time_parse(modified, true, &tm))
        return why_set(why, whylen,
                       "modified: not a STIX timestamp "
                       "(YYYY-MM-DDTHH:MM:SS[.s+]Z)");
    if (created && modified && tm < tc)
        return why_set(why, whylen, "modified: before created");
    o->version = modified ? tm : tc;
    o->version_text = modified ? modified : created;
    /* the range: the narrowest TLP 2.0 marking, Red when none; an official
     * TLP 2.0 definition itself is public */
    bool any = false;
    int range = RANGE_RED;
    const json_t *refs = json_object_get(obj, "object_marking_refs");
    if (refs && !json_is_array(refs))
        return why_set(why, whylen, "object_marking_refs: not a list");
    size_t i;
    const json_t *ref;
    json_array_foreach (refs, i, ref)
        if (marking_ref(ref, &range, &any, why, whylen))
            return IS_ERR_INVALID;
    const json_t *gm = json_object_get(obj, "granular_markings");
    if (gm && !json_is_array(gm))
        return why_set(why, whylen, "granular_markings: not a list");
    const json_t *g;
    json_array_foreach (gm, i, g) {
        const json_t *mr = json_object_get(g, "marking_ref");
        if (mr && marking_ref(mr, &range, &any, why, whylen))
            return IS_ERR_INVALID;
    }
    if (marking && stix_tlp_range(o->id) >= 0)
        range = RANGE_WHITE;
    else if (!any)
        range = RANGE_RED;
    o->range = range;
    return IS_OK;
}

/* ---- who may read ---- */

static bool in_csv(const char *csv, const char *id)
{
    size_t n = strlen(id);
    if (!csv || !n)
        return false;
    for (const char *p = strstr(csv, id); p; p = strstr(p + 1, id))
        if (p > csv && p[-1] == ',' && p[n] == ',')
            return true;
    return false;
}

struct range_decision taxii_object_decide(const struct access_org *reader,
                                          int range, const char *poster,
                                          const char *community)
{
    struct range_relation rel = {0};
    if (reader && reader->id[0]) {
        rel.registered = true;
        rel.is_originator = poster && strcmp(poster, reader->id) == 0;
        rel.in_chain = taxii_reads_everything(reader);
        rel.in_community = in_csv(community, reader->id);
        for (int i = 0; i < reader->nceptoars && !rel.in_community; i++)
            rel.in_community = in_csv(community, reader->ceptoars[i]);
        rel.observer = agreement_gives_yellow(reader->agreement);
    }
    if (range < RANGE_RED || range > RANGE_WHITE)
        range = RANGE_RED;
    return range_decide((enum share_range)range, false, &rel);
}

bool taxii_reads_everything(const struct access_org *reader)
{
    return reader && strcmp(reader->kind, "nisc") == 0;
}

void taxii_community(const struct access_org *poster, char *out, size_t len)
{
    size_t n = 0;
    out[0] = '\0';
    n += (size_t)snprintf(out, len, ",");
    for (int i = 0; i < poster->nceptoars && n < len; i++)
        n += (size_t)snprintf(out + n, len - n, "%s,", poster->ceptoars[i]);
    if (strcmp(poster->kind, "ceptoar") == 0 && n < len)
        n += (size_t)snprintf(out + n, len - n, "%s,", poster->id);
    if (n >= len && len >= 2) { /* never cut short: narrower is safe */
        out[0] = ',';
        out[1] = '\0';
    }
}

/* ---- next tokens ---- */

#define NEXT_NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define NEXT_PLAIN 16
#define NEXT_SEALED                                                            \
    (NEXT_NONCE + NEXT_PLAIN + crypto_aead_xchacha20poly1305_ietf_ABYTES)

void taxii_next_make(const unsigned char key[TAXII_KEY_LEN], const char *query,
                     int64_t added, int64_t seq, char out[TAXII_NEXT_LEN])
{
    unsigned char plain[NEXT_PLAIN], sealed[NEXT_SEALED];
    for (int i = 0; i < 8; i++) {
        plain[i] = (unsigned char)((uint64_t)added >> (56 - 8 * i));
        plain[8 + i] = (unsigned char)((uint64_t)seq >> (56 - 8 * i));
    }
    randombytes_buf(sealed, NEXT_NONCE);
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        sealed + NEXT_NONCE, NULL, plain, sizeof(plain),
        (const unsigned char *)query, strlen(query), NULL, sealed, key);
    sodium_bin2base64(out, TAXII_NEXT_LEN, sealed, sizeof(sealed),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int taxii_next_open(const unsigned char key[TAXII_KEY_LEN], const char *query,
                    const char *token, int64_t *added, int64_t *seq)
{
    unsigned char sealed[NEXT_SEALED], plain[NEXT_PLAIN];
    size_t n = 0;
    const char *end = NULL;
    if (!token || strlen(token) >= TAXII_NEXT_LEN ||
        sodium_base642bin(sealed, sizeof(sealed), token, strlen(token), NULL,
                          &n, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
        n != sizeof(sealed) || *end != '\0')
        return IS_ERR_INVALID;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            plain, NULL, NULL, sealed + NEXT_NONCE, sizeof(sealed) - NEXT_NONCE,
            (const unsigned char *)query, strlen(query), sealed, key))
        return IS_ERR_INVALID;
    uint64_t a = 0, s = 0;
    for (int i = 0; i < 8; i++) {
        a = (a << 8) | plain[i];
        s = (s << 8) | plain[8 + i];
    }
    *added = (int64_t)a;
    *seq = (int64_t)s;
    return IS_OK;
}
