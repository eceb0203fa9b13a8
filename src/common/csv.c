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

int csv_cell(struct buf *b, const char *s, bool last)
{
    const char *p = s ? s : "";
    buf_adds(b, "\"");
    if (csv_formula_start(*p))
        buf_adds(b, "'");
    for (; *p; p++) {
        if (*p == '"')
            buf_adds(b, "\"\"");
        else
            buf_add(b, p, 1);
    }
    return buf_adds(b, last ? "\"\r\n" : "\",");
}
