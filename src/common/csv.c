/*
 * csv.c - see csv.h.
 */
#include "common/csv.h"

/* The first characters that make a spreadsheet read a cell as a formula
 * (OWASP "CSV injection"). */
static bool csv_formula_start(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' ||
           c == '\r';
}

/* A plain decimal number ("-30.5", "-4"): read as a number, never as a
 * formula, so it needs no apostrophe (a negative figure stays a number). */
static bool csv_plain_number(const char *p)
{
    if (*p == '-')
        p++;
    if (*p < '0' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0';
}

int csv_cell(struct buf *b, const char *s, bool last)
{
    const char *p = s ? s : "";
    buf_adds(b, "\"");
    if (csv_formula_start(*p) && !csv_plain_number(p))
        buf_adds(b, "'");
    for (; *p; p++) {
        if (*p == '"')
            buf_adds(b, "\"\"");
        else
            buf_add(b, p, 1);
    }
    return buf_adds(b, last ? "\"\r\n" : "\",");
}
