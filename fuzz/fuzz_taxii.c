/*
 * fuzz_taxii.c - fuzz target of the TAXII server's own parsers of network
 * input (core/taxii.c) and of a registered site's URL (core/site_url.c).
 * The input, as one text, goes to each:
 * - taxii_json_tokens and, when it is JSON, taxii_envelope_spans: every
 *   span the scanner returns must parse to exactly the element of
 *   "objects" that the checks saw (the server stores those bytes: a span
 *   that differs would store an object that was never checked), and
 *   taxii_object_check on each element;
 * - taxii_time_parse (strict and not): an accepted time in years
 *   1970..9999 formats and parses back to the same microsecond;
 * - taxii_versions_parse, taxii_list_split: counts within their limits,
 *   pieces inside the buffer, none empty;
 * - taxii_accept_ok, taxii_ctype_ok, taxii_next_open (a fixed key: a
 *   token the fuzzer did not get from taxii_next_make must not open);
 * - site_url_parse: an accepted URL's canonical form parses again to
 *   itself, with the same host, port and class.
 * libFuzzer entry point; fuzz/build.sh builds it.
 */
#include "common/common.h"

#include <jansson.h>

#include "core/site_url.h"
#include "core/taxii.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SPANS 64

static void envelope(const char *s, size_t len)
{
    (void)taxii_json_tokens(s, len);
    json_t *env = json_loadb(s, len, JSON_REJECT_DUPLICATES, NULL);
    if (!env)
        return;
    json_t *objs = json_object_get(env, "objects");
    size_t total =
        json_is_object(env) && json_is_array(objs) ? json_array_size(objs) : 0;
    size_t starts[MAX_SPANS], lens[MAX_SPANS];
    int n = taxii_envelope_spans(s, len, starts, lens, MAX_SPANS);
    if (n >= 0) {
        /* the scanner found the top-level "objects": the parser must have
         * found the same list, element for element */
        if (!json_is_array(objs) || (size_t)n != total)
            abort();
        for (int i = 0; i < n; i++) {
            if (starts[i] > len || lens[i] > len - starts[i] || lens[i] == 0)
                abort();
            json_t *one =
                json_loadb(s + starts[i], lens[i],
                           JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
            if (!one || !json_equal(one, json_array_get(objs, (size_t)i)))
                abort();
            json_decref(one);
        }
    }
    for (size_t i = 0; i < total && i < MAX_SPANS; i++) {
        struct taxii_object o;
        char why[160];
        if (taxii_object_check(json_array_get(objs, i), &o, why, sizeof(why)) ==
            IS_OK) {
            if (!o.id || !o.type || o.range < 0)
                abort();
        } else if (!why[0]) {
            abort(); /* a refusal says why */
        }
    }
    json_decref(env);
}

static void times(const char *s)
{
    /* 1970-01-01 .. 9999-12-31T23:59:59.999999Z */
    const int64_t top = INT64_C(253402300799999999);
    for (int strict = 0; strict < 2; strict++) {
        int64_t us = 0, back = 0;
        if (taxii_time_parse(s, strict, &us) != IS_OK || us < 0 || us > top)
            continue;
        char out[TAXII_TIME_LEN];
        taxii_time_format(us, out);
        if (taxii_time_parse(out, true, &back) != IS_OK || back != us)
            abort();
    }
}

static void lists(const char *s)
{
    struct taxii_versions v;
    if (taxii_versions_parse(s, &v) == IS_OK &&
        (v.nts < 0 || v.nts > TAXII_MAX_MATCH))
        abort();
    char buf[512];
    const char *out[8];
    int n = taxii_list_split(s, buf, sizeof(buf), out, 8);
    if (n > 8)
        abort();
    for (int i = 0; i < n; i++)
        if (out[i] < buf || out[i] >= buf + sizeof(buf) || !*out[i])
            abort();
    (void)taxii_accept_ok(s);
    (void)taxii_ctype_ok(s);
    static const unsigned char key[TAXII_KEY_LEN] = {1, 2, 3};
    int64_t added = 0, seq = 0;
    if (taxii_next_open(key, "q", s, &added, &seq) == IS_OK)
        abort(); /* nothing the fuzzer writes is sealed with this key */
}

static void url(const char *s)
{
    static struct site_url a, b;
    if (site_url_parse(s, &a))
        return;
    if (site_url_parse(a.canon, &b) || strcmp(a.canon, b.canon) != 0 ||
        strcmp(a.host, b.host) != 0 || a.port != b.port || a.cls != b.cls ||
        a.https != b.https)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    envelope(s, size);
    if (strlen(s) == size) { /* the text parsers read C strings */
        times(s);
        lists(s);
        url(s);
    }
    free(s);
    return 0;
}
