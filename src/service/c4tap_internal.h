/*
 * c4tap_internal.h - shared by service/c4tap.c and service/c4tap_items.c
 * only.
 */
#ifndef INFRASHARE_SVC_C4TAP_INTERNAL_H
#define INFRASHARE_SVC_C4TAP_INTERNAL_H

#include "core/c4tap.h"
#include "service/c4tap.h"
#include "store/store_c4tap.h"

/* The caller as C4TAP sees it: its reader flags (is_provider false: set
 * per submission by c4_reader_for), handler kind, organisation row. */
struct c4_me {
    struct c4tap_reader rd;
    int kind; /* enum c4tap_handler_kind */
    char mail_key[33];
    char org_id[64];
    bool org_known;
    struct store_c4tap_org org;
    /* sectors with C4TAP_SECTOR_MIN participants or more (13 sectors) */
    char sectors[16][64];
    int nsectors;
};
/* Whether a hidden provider's sector may be named to this reader. */
bool c4_sector_shown(const struct c4_me *m, const char *sector);
/* who NULL: the public. */
int c4_me_of(struct store_conn *c, const struct auth_ctx *who, struct c4_me *m);
struct c4tap_reader c4_reader_for(const struct c4_me *m, const char *sub_org);
/* The organisation's default ranges (C4TAP's when it set none). */
void c4_org_defaults(const struct c4_me *m, enum share_range r[C4_TYPE_COUNT]);
/* 403 not_a_handler. */
int c4_not_handler(struct svc_error *e);
/* Ends a write begun with store_begin: commits when rc is IS_OK, else (or
 * when the commit fails) rolls back. Returns rc or the commit's error. */
int c4_write_end(struct store_conn *c, int rc);
/* The audit target of a submission ("c4tap:12") or a campaign
 * ("c4tap-campaign:3"). */
void c4_target(char out[40], const char *what, int64_t id);
/* The secretariat's org_admin users and hub admins. */
bool c4_is_manager(const struct auth_ctx *who);

void c4_ranges_default(enum share_range r[C4_TYPE_COUNT]);
/* Stored digits into r (defaults for anything unreadable). */
void c4_ranges_parse(const char *s, enum share_range r[C4_TYPE_COUNT]);
void c4_ranges_format(const enum share_range r[C4_TYPE_COUNT],
                      char out[STORE_C4_RANGES]);
/* The fields of a checked {type: range} object over r. */
void c4_ranges_apply(const json_t *obj, enum share_range r[C4_TYPE_COUNT]);
/* {type: "amber", ...} or, tlp, {type: "TLP:..."}-less labels
 * ("AMBER+STRICT"). */
json_t *c4_ranges_json(const enum share_range r[C4_TYPE_COUNT], bool tlp);

#endif
