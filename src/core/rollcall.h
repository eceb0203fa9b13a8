/*
 * rollcall.h - the rules of roll calls and survey requests (docs/rules.md,
 * "Roll calls and survey requests"; DOMAIN.md §6a).
 *
 * A roll call is an advisory that carries a small answer form: at most
 * ROLLCALL_MAX_QUESTIONS questions, each of one type:
 *   yes_no_unknown  the value is "yes", "no" or "unknown";
 *   choice          the value is the id of one of its options (at most
 *                   ROLLCALL_MAX_OPTIONS);
 *   text            free text of at most max_len characters (code points,
 *                   1..ROLLCALL_TEXT_MAX, ROLLCALL_TEXT_DEFAULT when unset).
 * Question and option ids are 1..ROLLCALL_ID_MAX characters of [a-z0-9_].
 * A recipient organisation answers the form; answering acknowledges the
 * advisory, and a plain acknowledgement of a roll call is refused
 * (rollcall_ack_needs_answer), so "acknowledged" means "answered" for a
 * roll call and the acknowledgement escalation (deadline_escalation_due)
 * escalates a recipient that has not answered.
 *
 * Pure: no I/O, no allocation.
 */
#ifndef INFRASHARE_CORE_ROLLCALL_H
#define INFRASHARE_CORE_ROLLCALL_H

#include <stdbool.h>
#include <stddef.h>

#define ROLLCALL_MAX_QUESTIONS 20
#define ROLLCALL_MAX_OPTIONS 10
#define ROLLCALL_ID_MAX 32     /* characters of a question or option id */
#define ROLLCALL_LABEL_MAX 200 /* characters of a label (each language) */
#define ROLLCALL_TEXT_MAX 4000
#define ROLLCALL_TEXT_DEFAULT 2000

enum rollcall_qtype { ROLLCALL_YES_NO_UNKNOWN, ROLLCALL_CHOICE, ROLLCALL_TEXT };

struct rollcall_question {
    char id[ROLLCALL_ID_MAX + 1];
    enum rollcall_qtype type;
    bool required;
    int noptions; /* choice */
    char options[ROLLCALL_MAX_OPTIONS][ROLLCALL_ID_MAX + 1];
    int max_len; /* text: characters; 0 = ROLLCALL_TEXT_DEFAULT */
};

/* "yes_no_unknown", "choice", "text"; false for anything else. */
bool rollcall_qtype_parse(const char *s, enum rollcall_qtype *out);
const char *rollcall_qtype_name(enum rollcall_qtype t);

/* Is s a valid question or option id (1..ROLLCALL_ID_MAX of [a-z0-9_])? */
bool rollcall_id_valid(const char *s);

/* The verdict on one answer value. */
enum rollcall_verdict {
    ROLLCALL_VALUE_OK,
    ROLLCALL_VALUE_EMPTY,      /* "" for a required question */
    ROLLCALL_VALUE_NOT_OPTION, /* not one of the question's values */
    ROLLCALL_VALUE_TOO_LONG    /* text past its max_len */
};
/* Checks value (UTF-8, already checked for control characters) against
 * q. An empty value of a question that is not required is OK (no answer
 * to it). */
enum rollcall_verdict rollcall_check_value(const struct rollcall_question *q,
                                           const char *value);

/* Does the board count q's values (yes_no_unknown and choice; not text)? */
bool rollcall_counted(const struct rollcall_question *q);

/* May a recipient acknowledge without answering? Not when the advisory
 * carries a form: the answer is the acknowledgement. */
bool rollcall_ack_needs_answer(bool has_form);

#endif
