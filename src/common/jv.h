/*
 * jv.h - validate a JSON object against a field table.
 *
 * Every request body goes through jv_check: unknown fields, missing required
 * fields, wrong types, over-long strings, out-of-range integers, values
 * outside an enum, blank texts (nonblank) and control characters in
 * one-line texts (one_line) each produce an error naming the field. The first
 * problem found is reported; nothing is modified.
 */
#ifndef INFRASHARE_JV_H
#define INFRASHARE_JV_H

#include <jansson.h>

#include "common/common.h"

enum jv_type {
    JV_STRING, /* UTF-8 text, no control characters but \t \n \r */
    JV_INT,    /* integer in [min,max] */
    JV_NUMBER, /* integer or real in [min,max] */
    JV_BOOL,
    JV_STRING_ARRAY, /* array (max_len items) of strings (each <= item_len) */
    JV_OBJECT,       /* nested object checked against sub/nsub (sub NULL:
                      * any object, the service checks it) */
    JV_TIME,         /* RFC 3339 string */
    JV_OBJECT_ARRAY, /* array (max_len items) of objects checked against sub */
    JV_INT_ARRAY     /* array (max_len items) of integers in [min,max] */
};

struct jv_field {
    const char *name;
    enum jv_type type;
    bool required;
    size_t max_len;                 /* strings: code points; arrays: items */
    const char *const *enum_values; /* NULL-terminated; strings and arrays */
    long long min, max;             /* JV_INT / JV_NUMBER; both 0 = any */
    const struct jv_field *sub;     /* JV_OBJECT */
    size_t nsub;
    size_t item_len; /* JV_STRING_ARRAY item code points */
    /* JV_STRING: not empty nor only white space or invisible characters
     * (space, tab, CR, LF, no-break and ideographic spaces, zero-width
     * characters: util_blank), "invalid_value"; what a required text needs
     * to say anything. White space around or inside is kept. A required
     * title or name also holds no bidirectional control
     * (util_has_bidi_control), "invalid_text": shown in lists, it would
     * show the text after it reordered. */
    bool nonblank;
    /* JV_STRING: one line, no control character at all (tab, CR, LF and
     * C1 too: util_one_line), "invalid_text"; for names and types that
     * end up in headers and lines (an attachment's name and mime). */
    bool one_line;
    /* JV_STRING_ARRAY: no item twice, "invalid_value" (an audience that
     * names an organisation twice would show it back twice) */
    bool unique;
};

struct jv_error {
    char code[32];     /* unknown_field, missing_field, invalid_type, ... */
    char field[128];   /* dotted path: "contacts.address" */
    char message[256]; /* English text for people */
};

/* As n: the table ends with an entry whose name is NULL. */
#define JV_UNTIL_NULL ((size_t)-1)

/* IS_OK, or IS_ERR_INVALID with err filled. O(fields). */
int jv_check(const json_t *obj, const struct jv_field *spec, size_t n,
             struct jv_error *err);

/* Checks one string value as jv_check would; used for query parameters. */
int jv_check_text(const char *field, const char *s, size_t max_len,
                  struct jv_error *err);

/* Finds, depth first, the first value of j that holds U+0000 in a string
 * (decoded with JSON_ALLOW_NUL: valid JSON, but every C string cuts the
 * text there) or, with huge, the first number beyond the 64-bit integers
 * written as one (decoded with JSON_DECODE_INT_AS_REAL after "too big
 * integer"). Writes its path as jv_check names fields ("impact.kw_lost",
 * "objects[3].name"; "body" for j itself) and returns true when found. */
bool jv_find_nul(const json_t *j, char *path, size_t len);
bool jv_find_huge_int(const json_t *j, char *path, size_t len);

/* Convenience getters for checked objects: NULL / dflt when absent.
 * jv_str's result is borrowed from obj: valid while obj lives unchanged. */
const char *jv_str(const json_t *obj, const char *name);
long long jv_int(const json_t *obj, const char *name, long long dflt);
bool jv_bool(const json_t *obj, const char *name, bool dflt);

#endif
