/*
 * message.h - what one delivery says, per channel (e-mail, webhook,
 * phone/SMS/FAX gateway).
 *
 * The range rule of DOMAIN.md §3 holds in every body: the content (title,
 * body, hop notes) travels only for Green and White advisories; for Red,
 * Amber and Yellow the message is a notice with a sign-in link, and the
 * title only when the provider allowed it. A drill says 【訓練】/[DRILL] in
 * the subject and on the first line. Every message carries a signed,
 * single-use acknowledgement link.
 */
#ifndef INFRASHARE_MESSAGE_H
#define INFRASHARE_MESSAGE_H

#include "common/buf.h"
#include "store/store.h"

/* Creates a signed, single-use acknowledgement link for org's copy of
 * advisory adv into url (the service layer's advisory_ack_link_new,
 * passed in so that deliver/ does not depend on service/). */
typedef int (*deliver_ack_link_fn)(void *ctx, struct store_conn *c,
                                   const char *adv, const char *org,
                                   int64_t now, char *url, size_t len);

/* What the delivery worker and its messages need of the daemon's
 * settings (filled from infrashared's flags; copied by outbox_start). */
struct deliver_settings {
    struct store *store;  /* borrowed: outlives the worker */
    char public_url[256]; /* base of links in messages */
    char smtp_url[256];   /* smtp://host:port for e-mail */
    char mail_from[128];
    int max_attempts; /* per channel before the next one */
    int retry_base_s; /* backoff: base * 2^(attempt-1), jitter */
    int retry_cap_s;
    int http_timeout_s; /* one webhook or SMTP exchange */
    int max_inflight;   /* deliveries in flight at once */
    deliver_ack_link_fn ack_link_new;
    void *ack_link_ctx; /* borrowed: passed to ack_link_new */
    /* the signed, single-use link that opens (acknowledges) round of
     * org's alert of report (service/alerts.c, alert_link_new); its ctx
     * is ack_link_ctx */
    int (*alert_link_new)(void *ctx, struct store_conn *c, const char *report,
                          const char *org, int round, int64_t now, char *url,
                          size_t len);
    /* issue 14: the outbox of a cross-sector exercise's own database
     * (service/exercise_run.c): every message is marked 【演習】/[EXERCISE]
     * in its subject and first line and carries "exercise": id in its
     * JSON (message_mark_exercise); its deliveries count apart from real
     * ones; time is the exercise's (now(now_ctx)). "" = the hub's own. */
    char exercise_id[40];
    int64_t (*now)(void *ctx);
    void *now_ctx;
};

struct message {
    char channel[16];
    char address[512];
    char secret[80]; /* hex HMAC key of a webhook/gateway contact */
    /* UTF-8. Room for the longest subject whole: the drill prefixes
     * (20 bytes), two titles of 200 characters of up to 4 bytes and " / "
     * (a cut title would lose the English one and end in a partial UTF-8
     * sequence). */
    char subject[2048];
    struct buf text; /* plain text (e-mail) */
    struct buf json; /* webhook / gateway body */
};

/* Frees the buffers of m (not m itself). */
void message_release(struct message *m);
/* Marks a composed message as an exercise's (issue 14): 【演習】[EXERCISE]
 * before the subject and as the first line of the text, and "exercise":
 * exercise_id first in the JSON body. IS_ERR_NOMEM when it does not fit. */
int message_mark_exercise(struct message *m, const char *exercise_id);
/* What message_compose reads once per advisory (the advisory, its roll
 * call form, its hops, the JSON its every message shares) and once per
 * organisation (its recipient row and hop notes), for the jobs of one
 * batch composed in one transaction (nothing it read can change
 * meanwhile). A cache must not outlive that transaction. */
struct message_cache;
/* A new, empty cache; NULL when out of memory. */
struct message_cache *message_cache_new(void);
/* Frees mc (NULL: nothing). */
void message_cache_free(struct message_cache *mc);
/* Composes the message of a claimed delivery (creates its ack link), with
 * cache (NULL: none, everything is read for this job). m is the caller's;
 * its buffers are the caller's to message_release, also after a failure.
 * The plain text is composed for the e-mail channel only. */
int message_compose(const struct deliver_settings *a, struct store_conn *c,
                    struct message_cache *cache, const struct store_delivery *d,
                    int64_t now, struct message *m);
/* Composes a deadline reminder for the reporting organisation (about its
 * own report: the title may travel). d->contact_id names the contact. */
int message_compose_reminder(const struct deliver_settings *a,
                             struct store_conn *c,
                             const struct store_reminder *r,
                             const struct store_delivery *d, int64_t now,
                             struct message *m);
/* Composes an upward alert (or its reminder) of a claimed alert job
 * (d->kind STORE_JOB_ALERT: d->advisory_id is the report) for the hop
 * d->org_id, with a signed single-use link that opens the report for the
 * hop. The range rule holds: the title and what happened travel only for
 * Green and White (range_content_travels), and the reporting organisation
 * is named only then and never for an anonymous report. */
int message_compose_alert(const struct deliver_settings *a,
                          struct store_conn *c, const struct store_delivery *d,
                          int64_t now, struct message *m);
/* Composes the e-mail of a website observation alert (issue 12; d->kind
 * STORE_JOB_OBS: d->advisory_id is the alert's id) for d->org_id: the
 * alert's bilingual reason, condition, site count and since, and the
 * sign-in link to the alert list. It names no site: a site alert goes to
 * the site's own organisation, whose reason names only its own site. */
int message_compose_obs(const struct deliver_settings *a, struct store_conn *c,
                        const struct store_delivery *d, int64_t now,
                        struct message *m);
/* Composes the e-mail of a notice (issue 15; d->kind STORE_JOB_NOTICE:
 * d->advisory_id is the notice's id): its subject and text as queued
 * (store/store_notice.h). */
int message_compose_notice(const struct deliver_settings *a,
                           struct store_conn *c, const struct store_delivery *d,
                           int64_t now, struct message *m);
/* The RFC 5322 e-mail (headers + base64 body) into out. */
int message_email(const struct deliver_settings *a, const struct message *m,
                  const struct store_delivery *d, int64_t now, struct buf *out);
/* "Subject: " and the UTF-8 subject as RFC 2047 encoded words, folded so
 * that every physical line (CRLF included in none) is at most 76
 * characters and every encoded word at most 75; a character is never split
 * between two words. Ends with CRLF. */
void message_subject_header(struct buf *b, const char *subject);
/* The hub's mail domain (default sender, Message-ID): the host of
 * public_url, lower-cased, without port or user; an IP address as a domain
 * literal ("[192.0.2.1]", "[IPv6:2001:db8::1]"); "localhost" only when
 * public_url has no usable host. */
void message_mail_domain(const char *public_url, char *out, size_t len);
/* "t=<unix>,v1=<hex HMAC-SHA256(key, t + "." + body)>" where key is the
 * contact's 64-hex-digit secret DECODED to its 32 bytes. */
void message_signature(const char *secret_hex, int64_t t, const char *body,
                       size_t len, char *out, size_t outlen);

#endif
