/*
 * store_c4tap.h - C4TAP's rows (issue 13; migration 0022; the SQL in
 * store/store_c4tap_sql.h): organisations' standing, handlers,
 * submissions with their indicators, campaigns and notes. Conventions of
 * store/store.h: structs out, malloc'd lists the caller frees with the
 * type's *_free; no range decision here (service/c4tap.c asks core/c4tap.h
 * for every row).
 */
#ifndef INFRASHARE_STORE_C4TAP_H
#define INFRASHARE_STORE_C4TAP_H

#include "store/store.h"

#define STORE_C4_RANGES 8 /* C4_TYPE_COUNT digits and a NUL */

struct store_c4tap_org {
    char org_id[64];
    int standing; /* enum c4tap_standing; 0 = withdrawn */
    char rules_version[129];
    char agreed_by[801];
    int64_t agreed_at, recorded_by, withdrawn_at;
    char ranges[STORE_C4_RANGES]; /* "" = C4TAP's defaults */
    /* joined from orgs */
    char kind[16], name_ja[601], name_en[601], sector_id[64];
};
/* IS_ERR_NOTFOUND when the organisation never joined. */
int store_c4tap_org_get(struct store_conn *c, const char *org,
                        struct store_c4tap_org *out);
/* The sectors (ids, at most max, in id order) with at least min
 * organisations of standing now; *n of them. */
int store_c4tap_sectors_with(struct store_conn *c, int standing, int min,
                             char (*out)[64], int max, int *n);
/* Inserts or replaces the organisation's row and appends to its history
 * (standing 0 records a withdrawal). */
int store_c4tap_org_put(struct store_conn *c, const struct store_c4tap_org *o,
                        int64_t now);
int store_c4tap_org_set_ranges(struct store_conn *c, const char *org,
                               const char *ranges);
int store_c4tap_orgs(struct store_conn *c, struct store_c4tap_org **out,
                     size_t *n);

struct store_c4tap_handler {
    int64_t user_id;
    int kind; /* enum c4tap_handler_kind */
    char mail_key[33];
    int64_t registered_by, registered_at;
    char username[65], display_name[801], org_id[64];
};
int store_c4tap_handler_get(struct store_conn *c, int64_t user_id,
                            struct store_c4tap_handler *out);
int store_c4tap_handler_by_key(struct store_conn *c, const char *key,
                               struct store_c4tap_handler *out);
/* IS_ERR_CONFLICT when the user is a handler already. */
int store_c4tap_handler_add(struct store_conn *c,
                            const struct store_c4tap_handler *h);
int store_c4tap_handler_delete(struct store_conn *c, int64_t user_id);
/* Every handler (org NULL) or those of one organisation. */
int store_c4tap_handlers(struct store_conn *c, const char *org,
                         struct store_c4tap_handler **out, size_t *n);

struct store_c4tap_sub {
    int64_t id, user_id, size, mail_at, created_at, campaign_id, version;
    char org_id[64];
    bool anonymous, demo;
    char via[8];
    char ranges[STORE_C4_RANGES];
    char sha256[65];
    char note[4001];
    char *parsed; /* the indicators' JSON (malloc'd; NULL unless asked) */
    /* joined: the provider's names, scope and sector */
    char org_name_ja[601], org_name_en[601], scope_id[64], sector_id[64];
};
void store_c4tap_sub_release(struct store_c4tap_sub *s);
void store_c4tap_subs_free(struct store_c4tap_sub *s, size_t n);
/* IS_ERR_CONFLICT when the organisation has submitted these bytes
 * (org_id, sha256) already. */
int store_c4tap_sub_insert(struct store_conn *c,
                           const struct store_c4tap_sub *s, const void *raw,
                           size_t rawlen, int64_t *id);
/* with_parsed: also the indicators' JSON into out->parsed. */
int store_c4tap_sub_get(struct store_conn *c, int64_t id, bool with_parsed,
                        struct store_c4tap_sub *out);
/* The id of the organisation's submission of these bytes. */
int store_c4tap_sub_by_hash(struct store_conn *c, const char *org,
                            const char *sha256, int64_t *id);
int store_c4tap_sub_raw(struct store_conn *c, int64_t id, char **raw,
                        size_t *len);
/* The ranges, when the version is expect (else IS_ERR_CONFLICT). */
int store_c4tap_sub_set_ranges(struct store_conn *c, int64_t id,
                               const char *ranges, int64_t expect);
int store_c4tap_sub_set_campaign(struct store_conn *c, int64_t id,
                                 int64_t campaign);
/* The submissions of a campaign by mail_at (without parsed). */
int store_c4tap_subs_of_campaign(struct store_conn *c, int64_t campaign,
                                 struct store_c4tap_sub **out, size_t *n);
/* Walks every submission, newest first, from before (0: the newest):
 * fn gets each (borrowed) and stops the walk by returning STORE_C4_STOP
 * (the walk then returns IS_OK) or an error (returned). */
#define STORE_C4_STOP (-1)
int store_c4tap_subs_walk(struct store_conn *c, int64_t before,
                          int (*fn)(const struct store_c4tap_sub *s, void *ctx),
                          void *ctx);

/* ---- indicators ---- */
int store_c4tap_indicator_add(struct store_conn *c, int64_t sub,
                              const char *kind, const char *value, int type,
                              bool keyed);
/* The lowest campaign of the submissions that share the keyed indicator
 * (kind, value) into *id (0: none). Merged campaigns have no submissions,
 * so the campaign is a live one. */
int store_c4tap_campaign_sharing(struct store_conn *c, const char *kind,
                                 const char *value, int64_t *id);
struct store_c4tap_ind {
    int64_t submission_id;
    const char *kind, *value; /* borrowed for the call */
    int type;
};
/* The newest limit rows of indicator value (of kind, when kind is not
 * NULL), newest submission first: fn per row with the row's kind and type
 * and its submission (all borrowed for the call). */
int store_c4tap_lookup(struct store_conn *c, const char *value,
                       const char *kind, int limit,
                       int (*fn)(const char *kind, int type,
                                 const struct store_c4tap_sub *s, void *ctx),
                       void *ctx);
/* Counts over every submission with the indicator value (of kind unless
 * NULL): submissions, organisations, sectors, first and last mail_at
 * (campaigns: 0, not counted). By value alone they are the counts kept by
 * store_c4tap_value_add; by kind, counted from the rows. All 0 when no
 * submission has it. */
struct store_c4tap_counts {
    int64_t submissions, organisations, sectors, campaigns, first, last;
};
int store_c4tap_lookup_counts(struct store_conn *c, const char *value,
                              const char *kind, struct store_c4tap_counts *out);
/* The named (not anonymous) providers of the submissions holding value
 * (of kind unless NULL), by organisation: fn per organisation (at most
 * limit) with its sector ("" when none) and the widest provider-type
 * range of its submissions holding the value (enum share_range; -1 when
 * the stored digit is unreadable). Strings borrowed for the call. */
int store_c4tap_lookup_providers(struct store_conn *c, const char *value,
                                 const char *kind, int limit,
                                 int (*fn)(const char *org, const char *sector,
                                           int provider_range, void *ctx),
                                 void *ctx);
/* Counts value once more for a submission of org (in sector; org NULL:
 * an anonymous submission, counted in submissions only) with the e-mail's
 * time mail_at: once per submission and value, in its write
 * transaction. */
int store_c4tap_value_add(struct store_conn *c, const char *value,
                          const char *org, const char *sector, int64_t mail_at);
int store_c4tap_indicators_of(struct store_conn *c, int64_t sub,
                              int (*fn)(const struct store_c4tap_ind *i,
                                        void *ctx),
                              void *ctx);

/* Every keyed indicator row of campaign's submissions, by kind and value:
 * fn per row with its submission (borrowed for the call). */
int store_c4tap_campaign_keyed(struct store_conn *c, int64_t campaign,
                               int (*fn)(const char *kind, const char *value,
                                         int type,
                                         const struct store_c4tap_sub *s,
                                         void *ctx),
                               void *ctx);

/* ---- campaigns ---- */
struct store_c4tap_campaign {
    int64_t id, created_at, updated_at, merged_into, version;
    char title[801];
    char advisory_id[64];
    int64_t submissions; /* how many are in it */
};
int store_c4tap_campaign_insert(struct store_conn *c, int64_t now, int64_t *id);
int store_c4tap_campaign_get(struct store_conn *c, int64_t id,
                             struct store_c4tap_campaign *out);
/* Campaigns not merged away, newest activity first. */
int store_c4tap_campaigns(struct store_conn *c,
                          struct store_c4tap_campaign **out, size_t *n);
int store_c4tap_campaign_touch(struct store_conn *c, int64_t id, int64_t now);
int store_c4tap_campaign_set_title(struct store_conn *c, int64_t id,
                                   const char *title, int64_t now);
/* Moves every submission of from into into and marks from merged. */
int store_c4tap_campaign_merge(struct store_conn *c, int64_t from, int64_t into,
                               int64_t now);
/* Links the advisory: IS_ERR_CONFLICT when the campaign has one. */
int store_c4tap_campaign_set_advisory(struct store_conn *c, int64_t id,
                                      const char *adv_id, int64_t now);

struct store_c4tap_note {
    int64_t id, user_id, created_at;
    int range;
    char org_id[64];
    char *text; /* malloc'd */
    char author[801];
};
int store_c4tap_note_add(struct store_conn *c, int64_t campaign,
                         int64_t user_id, const char *org, int range,
                         const char *text, int64_t now, int64_t *id);
void store_c4tap_notes_free(struct store_c4tap_note *n, size_t count);
int store_c4tap_notes(struct store_conn *c, int64_t campaign,
                      struct store_c4tap_note **out, size_t *n);

#endif
