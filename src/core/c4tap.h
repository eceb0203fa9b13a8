/*
 * c4tap.h - C4TAP, the CEPTOAR Council's sharing of suspicious targeted-
 * attack e-mails (DOMAIN.md §10, issue 13; docs/rules.md "C4TAP"): the
 * information types a provider sets a range for, C4TAP's own range table,
 * who handles C4TAP, the campaign keys and waves. Pure: no I/O, no clock.
 *
 * C4TAP's range table (each range includes the ranges above it):
 *   Red    - the provider (its handlers), the Council secretariat's
 *            handlers, and C4TAP analysts
 *   Amber  - + every participant (handlers of organisations that agreed to
 *            the operating rules as participants, across sectors)
 *   Yellow - + observers who agreed (handlers of observer organisations)
 *   Green  - + non-participating Council relations (handlers of relation
 *            organisations)
 *   White  - + the public (and every signed-in user)
 * Only handlers submit (participants) or read C4TAP; White is the one range
 * that reaches anyone else. The provider's identity is an information type
 * of its own (default Red); an anonymous submission shows it to the
 * provider and the secretariat only, whatever that range.
 */
#ifndef INFRASHARE_C4TAP_H
#define INFRASHARE_C4TAP_H

#include "common/common.h"
#include "core/range.h"

/* The information types a provider sets a range for, each with its
 * default range (c4tap_default_range). */
enum c4tap_type {
    C4_ORIGINAL = 0, /* the original e-mail (raw bytes), body texts */
    C4_SENDER,       /* From (address, display name), Reply-To, Return-Path */
    C4_HEADERS,      /* Subject, Message-ID, Date, X-Mailer, auth results,
                        parser warnings */
    C4_RECEIVED,     /* every Received hop: hosts, IPs, times */
    C4_URLS,         /* URLs in text and HTML, their hosts */
    C4_ATTACHMENTS,  /* names, declared and sniffed types, sizes, SHA-256 */
    C4_PROVIDER,     /* who submitted: organisation and sector */
    C4_TYPE_COUNT
};

/* "original", "sender", "headers", "received", "urls", "attachments",
 * "provider" (static); c4tap_type_parse: -1 when unknown. */
const char *c4tap_type_name(enum c4tap_type t);
int c4tap_type_parse(const char *s);
/* Defaults: original Red, sender Amber, headers Amber, received Amber,
 * urls Amber, attachments Green, provider Red. O(1). */
enum share_range c4tap_default_range(enum c4tap_type t);

/* An organisation's standing in C4TAP (recorded agreement to the operating
 * rules; C4_STANDING_NONE: none, or withdrawn). */
enum c4tap_standing {
    C4_STANDING_NONE = 0,
    C4_STANDING_RELATION, /* non-participating Council relation: Green */
    C4_STANDING_OBSERVER, /* observer that agreed: Yellow */
    C4_STANDING_PARTICIPANT
};
#define C4_STANDING_COUNT 4
/* "none", "relation", "observer", "participant"; parse: -1 unknown. */
const char *c4tap_standing_name(enum c4tap_standing s);
int c4tap_standing_parse(const char *s);

/* A handler's kind (a registered user of a C4TAP organisation). */
enum c4tap_handler_kind {
    C4_HANDLER_NONE = 0, /* not a handler */
    C4_HANDLER_MEMBER,   /* a handler of its organisation ("participant") */
    C4_HANDLER_ANALYST   /* a C4TAP analyst */
};
const char *c4tap_handler_name(enum c4tap_handler_kind k);
int c4tap_handler_parse(const char *s); /* "participant" | "analyst" */

/* The organisation id of the Council secretariat that runs C4TAP. */
#define C4TAP_SECRETARIAT "ceptoar-council"
/* A provider hidden from a reader is "a C4TAP participant in <sector>"
 * only when the sector has at least this many participants; else no
 * sector (one or two participants would name it). */
#define C4TAP_SECTOR_MIN 3

/* How a reader stands to one submission. */
struct c4tap_reader {
    bool registered;              /* signed in (false: the public) */
    bool handler;                 /* a registered C4TAP handler (any kind) */
    bool is_provider;             /* a handler of the submitting organisation */
    bool is_secretariat;          /* a handler of the Council secretariat */
    bool is_analyst;              /* a handler of kind analyst */
    enum c4tap_standing standing; /* its organisation's standing */
};

/* May the reader read information of range r of a submission? The table
 * above. O(1). */
bool c4tap_may_read(enum share_range r, const struct c4tap_reader *rd);
/* Does the reader see who provided it? provider_range is the range of
 * C4_PROVIDER; anonymous: only the provider and the secretariat. O(1). */
bool c4tap_sees_provider(enum share_range provider_range, bool anonymous,
                         const struct c4tap_reader *rd);
/* May the user submit (a handler of a participant organisation)? */
bool c4tap_may_submit(const struct c4tap_reader *rd);
/* May the user work on campaigns (annotate, merge, split, advisory)?
 * Analysts and the secretariat's handlers. */
bool c4tap_may_analyse(const struct c4tap_reader *rd);
/* A change of a submission's ranges from cur to next by the reader: the
 * provider may set any range; anyone else (the secretariat, analysts, a
 * relay) may only narrow. Returns the first type widened without the
 * right (the field to name), or -1 when the change is allowed. O(types). */
int c4tap_ranges_check(const enum share_range cur[C4_TYPE_COUNT],
                       const enum share_range next[C4_TYPE_COUNT],
                       const struct c4tap_reader *rd);

/* The information type a flag code of mail/mail.h belongs to (its
 * evidence is of that type): attachment flags -> attachments, link flags
 * -> urls, sender flags -> sender; auth, parser warnings and any other
 * code -> headers (the message's structure). */
enum c4tap_type c4tap_flag_type(const char *code);

/* A subject normalised for campaign matching: reply/forward prefixes
 * (Re:, Fwd:, FW:, 転送:, 返信:) removed, ASCII lower-cased, digits
 * dropped, runs of white space as one space, trimmed; out is "" when
 * fewer than C4TAP_SUBJECT_MIN bytes remain (too short to match on). */
#define C4TAP_SUBJECT_MIN 8
void c4tap_subject_norm(const char *subject, char *out, size_t outlen);

/* Waves: times[0..n) sorted ascending; wave[i] is the wave number (0..)
 * of times[i]: a new wave starts after a gap longer than gap_s. Returns
 * the number of waves. */
#define C4TAP_WAVE_GAP_S (24 * 3600)
int c4tap_waves(const int64_t *times, int n, int64_t gap_s, int *wave);

#endif
