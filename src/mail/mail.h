/*
 * mail.h - a suspicious e-mail (the raw bytes of an .eml: RFC 5322 with
 * MIME) parsed into the indicators C4TAP shares (issue 13, docs/rules.md
 * "C4TAP: the e-mail's indicators"). Parsing is GMime 3's, never by hand;
 * this layer walks what GMime built, within limits, and flags the deception
 * techniques of the IPA list the seeds quote (003:427-441): icon-spoofing
 * executables, double extensions, padding spaces before an extension, RLO
 * and other bidirectional controls, link text that names another address.
 *
 * No I/O and no database: bytes in, one JSON object out (the submission's
 * indicators, as stored and as the API shows them). Thread-safe.
 */
#ifndef INFRASHARE_MAIL_H
#define INFRASHARE_MAIL_H

#include <jansson.h>
#include <stddef.h>

/* Limits on what the network controls (each refusal or cut is reported). */
#define MAIL_MAX_BYTES (10u * 1024 * 1024) /* the whole message: refused */
#define MAIL_MAX_PARTS 1000 /* MIME parts walked; the rest: a warning */
#define MAIL_MAX_DEPTH 8    /* nested message/rfc822 and multiparts */
/* distinct recipient addresses (To, Cc, Bcc, delivery fields, Received
 * "for"): more set "recipients_over" (C4TAP then refuses the e-mail) */
#define MAIL_MAX_RECIPIENTS 100
#define MAIL_MAX_URLS 500        /* URLs kept; the rest counted */
#define MAIL_MAX_RECEIVED 100    /* Received hops kept; the rest counted */
#define MAIL_MAX_WARNINGS 100    /* parser warnings kept; the rest counted */
#define MAIL_MAX_TEXT (1u << 20) /* bytes of a text part searched for URLs */

/* Parses raw[0..len) and puts a new JSON object in *out (the caller's):
 *   sha256, size, from {address, display_name}, reply_to [..],
 *   return_path, message_id, date (RFC 3339 UTC or null), date_header,
 *   subject, x_mailer, received [{from_host, from_ip, by_host, date,
 *   text}], auth {spf, dkim, dmarc} (as recorded in the headers), urls
 *   [{url, host, source: text|html, link_text}], attachments [{filename,
 *   declared_type, sniffed_type, size, sha256}], messages [{from, subject,
 *   message_id}] (messages attached as message/rfc822), flags [{code,
 *   evidence}] (their Japanese and English explanations: mail_flag_find),
 * warnings [{code, offset, item}], counts of what the limits cut (cut: {urls,
 * received, parts, warnings}), and for C4TAP's masks the recipients'
 * addresses (recipients, lower case) and display names (recipient_names).
 * Returns IS_OK, or IS_ERR_INVALID with a message
 * in err (empty, larger than MAIL_MAX_BYTES, not an e-mail: no header field of
 * a message). Hostile MIME never fails the parse: GMime's warnings become
 * indicators, and what the limits cut is counted. */
int mail_parse(const void *raw, size_t len, json_t **out, char *err,
               size_t errlen);

/* A participant's forward of a suspicious e-mail: the e-mail attached to
 * raw[0..len) (message/rfc822, or a part named *.eml: the first one, at
 * the top or one level down) into *inner (malloc'd, the caller's, on
 * IS_OK). IS_ERR_INVALID with a sentence in err when none is attached (or
 * raw is empty, too large, not an e-mail). */
int mail_unwrap(const void *raw, size_t len, char **inner, size_t *innerlen,
                char *err, size_t errlen);

/* The flag codes with their explanations (docs and the UI's legend). */
struct mail_flag_text {
    const char *code, *ja, *en;
};
extern const struct mail_flag_text mail_flag_texts[];
extern const size_t mail_flag_count;
/* The explanations of a flag code (the result's flags carry the code and
 * its evidence only), NULL for a code that is not one. */
const struct mail_flag_text *mail_flag_find(const char *code);

#endif
