/*
 * error_detail.c - the Japanese of an error's specific reason (detail_ja
 * of the API's error object, docs/rules.md "Errors in Japanese and
 * English").
 *
 * `message` is the English sentence the service wrote, often naming the
 * value at fault ("detected_at: is in the future", "limit: must be an
 * integer from 1 to 1000"). `message_ja` is only its code's sentence;
 * `detail_ja` says what `message` says, in Japanese: `message` is read as
 * "head: reason" (head the field it names, when it starts with one), the
 * reason is looked up in the table of error_detail_rows.c, whose English
 * patterns hold "{}" where the service put a value, and the Japanese row
 * is written with those values in place of {1}, {2}, ... A reason no row
 * matches gets no detail_ja (the page shows the English then).
 *
 * It is a translation of `message` of the same answer, so it can reveal
 * nothing `message` does not. A message is at most 512 bytes and a
 * pattern has at most HOLES_MAX holes, each matched without
 * backtracking: the lookup is linear in the table and the message.
 */
#include "http/http.h"

#include "common/util.h"

#define HOLES_MAX 6

struct hole {
    const char *at;
    size_t len;
};

/* The first occurrence of lit (len n) in [from, end), or NULL. */
static const char *find(const char *from, const char *end, const char *lit,
                        size_t n)
{
    for (const char *p = from; p + n <= end; p++)
        if (memcmp(p, lit, n) == 0)
            return p;
    return NULL;
}

/* Does s (len slen) match pattern pat? Each "{}" stands for one or more
 * bytes; their texts go to holes (*nholes of them). Literal pieces
 * between holes are matched at their first occurrence, which decides
 * whether a match exists (anchored at both ends) without backtracking. */
static bool match(const char *pat, const char *s, size_t slen,
                  struct hole *holes, int *nholes)
{
    const char *end = s + slen;
    const char *piece = pat;
    *nholes = 0;
    const char *next = strstr(piece, "{}");
    size_t n = next ? (size_t)(next - piece) : strlen(piece);
    if (!next)
        return n == slen && memcmp(s, piece, n) == 0;
    if (n > slen || memcmp(s, piece, n) != 0)
        return false;
    const char *cur = s + n;
    int k = 0;
    for (;;) {
        piece = next + 2;
        next = strstr(piece, "{}");
        if (k >= HOLES_MAX)
            return false;
        if (!next) { /* the last piece ends the message */
            n = strlen(piece);
            if ((size_t)(end - cur) < n + 1 || memcmp(end - n, piece, n) != 0)
                return false;
            holes[k].at = cur;
            holes[k].len = (size_t)(end - n - cur);
            *nholes = k + 1;
            return true;
        }
        n = (size_t)(next - piece);
        if (n == 0) /* "{}{}": no row has it (tests/unit/test_http_status.c) */
            return false;
        const char *at = find(cur + 1, end, piece, n);
        if (!at)
            return false;
        holes[k].at = cur;
        holes[k].len = (size_t)(at - cur);
        k++;
        cur = at + n;
    }
}

/* Writes ja with the holes in place of {1}..{9} into b. */
static void fill(struct buf *b, const char *ja, const struct hole *holes,
                 int nholes)
{
    for (const char *p = ja; *p; p++) {
        if (p[0] == '{' && p[1] >= '1' && p[1] <= '9' && p[2] == '}') {
            int i = p[1] - '1';
            if (i < nholes)
                buf_add(b, holes[i].at, holes[i].len);
            p += 2;
            continue;
        }
        buf_add(b, p, 1);
    }
}

/* A character of a field's name: ASCII letters, digits and "_.[]-". */
static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || (c && strchr("_.[]-", c));
}

/* The length of the head of message ("contacts[2].address" in
 * "contacts[2].address: ..."): the field when message starts with it and
 * ": ", else a run of name characters before ": ", else 0. */
static size_t head_len(const char *message, const char *field)
{
    size_t f = field ? strlen(field) : 0;
    if (f && strncmp(message, field, f) == 0 && message[f] == ':' &&
        message[f + 1] == ' ')
        return f;
    size_t i = 0;
    while (name_char(message[i]))
        i++;
    return i && message[i] == ':' && message[i + 1] == ' ' ? i : 0;
}

bool http_error_detail_ja(const char *message, const char *field,
                          struct buf *out)
{
    if (!message || !*message)
        return false;
    size_t h = head_len(message, field);
    const char *reason = h ? message + h + 2 : message;
    size_t rlen = strlen(reason);
    size_t nrows;
    const struct http_error_detail_row *rows = http_error_detail_rows(&nrows);
    const struct http_error_detail_row *best = NULL;
    struct hole holes[HOLES_MAX], best_holes[HOLES_MAX];
    int nholes = 0, best_n = 0;
    size_t best_lit = 0;
    for (size_t i = 0; i < nrows; i++) {
        if (!match(rows[i].en, reason, rlen, holes, &nholes))
            continue;
        /* the most specific row: the most literal text */
        size_t lit = strlen(rows[i].en) - 2 * (size_t)(nholes);
        if (best && lit <= best_lit)
            continue;
        best = &rows[i];
        best_lit = lit;
        best_n = nholes;
        memcpy(best_holes, holes, sizeof(holes));
    }
    if (!best)
        return false;
    if (h) {
        buf_add(out, message, h);
        buf_add(out, ": ", 2);
    }
    fill(out, best->ja, best_holes, best_n);
    return !buf_error(out);
}
