/*
 * c4tap.c - see c4tap.h.
 */
#include "core/c4tap.h"

#include <ctype.h>
#include <string.h>

static const char *const type_names[C4_TYPE_COUNT] = {
    "original", "sender",      "headers", "received",
    "urls",     "attachments", "provider"};

static const enum share_range type_default[C4_TYPE_COUNT] = {
    RANGE_RED,   RANGE_AMBER, RANGE_AMBER, RANGE_AMBER,
    RANGE_AMBER, RANGE_GREEN, RANGE_RED};

const char *c4tap_type_name(enum c4tap_type t)
{
    return (unsigned)t < C4_TYPE_COUNT ? type_names[t] : "unknown";
}

int c4tap_type_parse(const char *s)
{
    for (int i = 0; s && i < C4_TYPE_COUNT; i++)
        if (strcmp(s, type_names[i]) == 0)
            return i;
    return -1;
}

enum share_range c4tap_default_range(enum c4tap_type t)
{
    return (unsigned)t < C4_TYPE_COUNT ? type_default[t] : RANGE_RED;
}

static const char *const standing_names[C4_STANDING_COUNT] = {
    "none", "relation", "observer", "participant"};

const char *c4tap_standing_name(enum c4tap_standing s)
{
    return (unsigned)s < C4_STANDING_COUNT ? standing_names[s] : "none";
}

int c4tap_standing_parse(const char *s)
{
    for (int i = 0; s && i < C4_STANDING_COUNT; i++)
        if (strcmp(s, standing_names[i]) == 0)
            return i;
    return -1;
}

const char *c4tap_handler_name(enum c4tap_handler_kind k)
{
    switch (k) {
    case C4_HANDLER_MEMBER: return "participant";
    case C4_HANDLER_ANALYST: return "analyst";
    default: return "none";
    }
}

int c4tap_handler_parse(const char *s)
{
    if (!s)
        return -1;
    if (strcmp(s, "participant") == 0)
        return C4_HANDLER_MEMBER;
    if (strcmp(s, "analyst") == 0)
        return C4_HANDLER_ANALYST;
    return -1;
}

bool c4tap_may_read(enum share_range r, const struct c4tap_reader *rd)
{
    if (r == RANGE_WHITE)
        return true;
    if (!rd->registered || !rd->handler)
        return false;
    if (rd->is_provider || rd->is_secretariat || rd->is_analyst)
        return true;
    switch (r) {
    case RANGE_AMBER: return rd->standing == C4_STANDING_PARTICIPANT;
    case RANGE_YELLOW:
        return rd->standing == C4_STANDING_PARTICIPANT ||
               rd->standing == C4_STANDING_OBSERVER;
    case RANGE_GREEN: return rd->standing != C4_STANDING_NONE;
    default: /* Red */ return false;
    }
}

bool c4tap_sees_provider(enum share_range provider_range, bool anonymous,
                         const struct c4tap_reader *rd)
{
    if (anonymous)
        return rd->registered && rd->handler &&
               (rd->is_provider || rd->is_secretariat);
    return c4tap_may_read(provider_range, rd);
}

bool c4tap_may_submit(const struct c4tap_reader *rd)
{
    return rd->registered && rd->handler &&
           rd->standing == C4_STANDING_PARTICIPANT;
}

bool c4tap_may_analyse(const struct c4tap_reader *rd)
{
    return rd->registered && rd->handler &&
           (rd->is_analyst || rd->is_secretariat);
}

int c4tap_ranges_check(const enum share_range cur[C4_TYPE_COUNT],
                       const enum share_range next[C4_TYPE_COUNT],
                       const struct c4tap_reader *rd)
{
    if (rd->registered && rd->handler && rd->is_provider)
        return -1;
    for (int t = 0; t < C4_TYPE_COUNT; t++)
        if (!range_within(next[t], cur[t]))
            return t;
    return -1;
}

enum c4tap_type c4tap_flag_type(const char *code)
{
    static const struct {
        const char *code;
        enum c4tap_type type;
    } map[] = {
        {"executable_attachment", C4_ATTACHMENTS},
        {"icon_spoof", C4_ATTACHMENTS},
        {"double_extension", C4_ATTACHMENTS},
        {"padding_spaces", C4_ATTACHMENTS},
        {"archive_attachment", C4_ATTACHMENTS},
        {"archive_password_hint", C4_ATTACHMENTS},
        {"type_mismatch", C4_ATTACHMENTS},
        {"link_text_mismatch", C4_URLS},
        {"display_name_address", C4_SENDER},
        {"reply_to_other_domain", C4_SENDER},
        {"return_path_other_domain", C4_SENDER},
        {"auth_failed", C4_HEADERS},
        /* a flag's evidence is its field's text: it goes with that type */
        {"bidi_control", C4_ATTACHMENTS}, /* a file name */
        {"bidi_control_sender", C4_SENDER},
        {"bidi_control_subject", C4_HEADERS},
    };
    for (size_t i = 0; code && i < IS_ARRAY_LEN(map); i++)
        if (strcmp(code, map[i].code) == 0)
            return map[i].type;
    /* parser warnings and codes not known here describe the message's
     * structure: the headers' type */
    return C4_HEADERS;
}

/* Length of a reply/forward prefix at s (0: none), including the colon
 * (ASCII or full-width) and the space after it. */
static size_t prefix_len(const char *s)
{
    static const char *const prefixes[] = {"re", "fw", "fwd",  "aw",
                                           "wg", "tr", "転送", "返信"};
    for (size_t i = 0; i < IS_ARRAY_LEN(prefixes); i++) {
        size_t n = strlen(prefixes[i]);
        if (strncasecmp(s, prefixes[i], n) != 0)
            continue;
        size_t k = n;
        if (s[k] == ':')
            k++;
        else if (strncmp(s + k, "\xef\xbc\x9a", 3) == 0) /* ： */
            k += 3;
        else
            continue;
        while (s[k] == ' ' || s[k] == '\t')
            k++;
        return k;
    }
    return 0;
}

void c4tap_subject_norm(const char *subject, char *out, size_t outlen)
{
    if (!outlen)
        return;
    out[0] = '\0';
    if (!subject)
        return;
    const char *s = subject;
    while (*s == ' ' || *s == '\t')
        s++;
    for (size_t k; (k = prefix_len(s)) > 0;)
        s += k;
    size_t n = 0;
    bool space = false;
    for (; *s && n + 1 < outlen; s++) {
        unsigned char ch = (unsigned char)*s;
        if (isdigit(ch))
            continue;
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
            space = n > 0;
            continue;
        }
        if (space) {
            if (n + 2 >= outlen)
                break;
            out[n++] = ' ';
            space = false;
        }
        out[n++] = (char)(ch < 0x80 ? tolower(ch) : ch);
    }
    /* never end inside a UTF-8 sequence cut by outlen */
    while (n > 0 && ((unsigned char)out[n - 1] & 0xC0) == 0x80) {
        size_t k = n - 1;
        while (k > 0 && ((unsigned char)out[k] & 0xC0) == 0x80)
            k--;
        unsigned char lead = (unsigned char)out[k];
        size_t want = lead >= 0xF0   ? 4
                      : lead >= 0xE0 ? 3
                      : lead >= 0xC0 ? 2
                                     : 1;
        if (n - k == want)
            break;
        n = k;
    }
    out[n] = '\0';
    if (n < C4TAP_SUBJECT_MIN)
        out[0] = '\0';
}

int c4tap_waves(const int64_t *times, int n, int64_t gap_s, int *wave)
{
    int w = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && times[i] - times[i - 1] > gap_s)
            w++;
        wave[i] = w;
    }
    return n > 0 ? w + 1 : 0;
}
