/*
 * rollcall.c - see rollcall.h.
 */
#include "core/rollcall.h"

#include <string.h>

static const char *const qtype_names[] = {"yes_no_unknown", "choice", "text"};
static const char *const ynu[] = {"yes", "no", "unknown"};

bool rollcall_qtype_parse(const char *s, enum rollcall_qtype *out)
{
    for (size_t i = 0; s && i < sizeof(qtype_names) / sizeof(*qtype_names); i++)
        if (strcmp(s, qtype_names[i]) == 0) {
            *out = (enum rollcall_qtype)i;
            return true;
        }
    return false;
}

const char *rollcall_qtype_name(enum rollcall_qtype t)
{
    return (unsigned)t < sizeof(qtype_names) / sizeof(*qtype_names)
               ? qtype_names[t]
               : "?";
}

bool rollcall_id_valid(const char *s)
{
    size_t n = 0;
    for (; s && s[n]; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') ||
              s[n] == '_'))
            return false;
    return n >= 1 && n <= ROLLCALL_ID_MAX;
}

/* Code points of UTF-8 text (continuation bytes not counted). */
static size_t code_points(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

enum rollcall_verdict rollcall_check_value(const struct rollcall_question *q,
                                           const char *value)
{
    if (!value || !*value)
        return q->required ? ROLLCALL_VALUE_EMPTY : ROLLCALL_VALUE_OK;
    switch (q->type) {
    case ROLLCALL_YES_NO_UNKNOWN:
        for (size_t i = 0; i < sizeof(ynu) / sizeof(*ynu); i++)
            if (strcmp(value, ynu[i]) == 0)
                return ROLLCALL_VALUE_OK;
        return ROLLCALL_VALUE_NOT_OPTION;
    case ROLLCALL_CHOICE:
        for (int i = 0; i < q->noptions && i < ROLLCALL_MAX_OPTIONS; i++)
            if (strcmp(value, q->options[i]) == 0)
                return ROLLCALL_VALUE_OK;
        return ROLLCALL_VALUE_NOT_OPTION;
    case ROLLCALL_TEXT: {
        size_t max =
            q->max_len > 0 ? (size_t)q->max_len : (size_t)ROLLCALL_TEXT_DEFAULT;
        return code_points(value) > max ? ROLLCALL_VALUE_TOO_LONG
                                        : ROLLCALL_VALUE_OK;
    }
    }
    return ROLLCALL_VALUE_NOT_OPTION;
}

bool rollcall_counted(const struct rollcall_question *q)
{
    return q->type == ROLLCALL_YES_NO_UNKNOWN || q->type == ROLLCALL_CHOICE;
}

bool rollcall_ack_needs_answer(bool has_form)
{
    return has_form;
}
