/*
 * mode.h - large-scale outage mode (大規模IT障害発生時), as pure rules: which
 * sectors a declaration covers, and what changes for an item in a covered
 * sector while it is active (docs/rules.md, "Large-scale outage mode").
 * No I/O, no clock: the caller passes what it read.
 *
 *  - A declaration covers every sector when it is national, else the
 *    sectors it lists (mode_covers).
 *  - Deadlines shorten: an interval is halved, but never below its floor
 *    (an interval already at or below the floor stays as it is):
 *    mode_shorten. Acknowledgement deadlines use MODE_ACK_FLOOR_S
 *    (mode_ack_s); a report's due times use MODE_FIRST_FLOOR_S,
 *    MODE_FULL_FLOOR_S and MODE_FINAL_FLOOR_S, counted from detection
 *    (mode_report_due).
 *  - The hotline threshold drops from 4 to MODE_HOTLINE_SEVERITY (3)
 *    for warnings (audience_hotline_mode in core/audience.c); a report of
 *    MODE_HOTLINE_SEVERITY or more skips review at every hop
 *    (mode_report_skips_review), as a hop with policy auto would.
 */
#ifndef INFRASHARE_MODE_H
#define INFRASHARE_MODE_H

#include <stdint.h>

#include "common/common.h"
#include "core/deadline.h"

#define MODE_HOTLINE_SEVERITY 3
#define MODE_ACK_FLOOR_S 300     /* 5 minutes */
#define MODE_FIRST_FLOOR_S 1800  /* 30 minutes */
#define MODE_FULL_FLOOR_S 3600   /* 1 hour */
#define MODE_FINAL_FLOOR_S 86400 /* 1 day */

/* Does a declaration (national, or naming the n sectors) cover sector? */
bool mode_covers(bool national, const char *const *sectors, int n,
                 const char *sector);

/* interval_s in outage mode: half of it, but not below floor_s; an
 * interval at or below floor_s (or outage false) is returned as it is. */
int64_t mode_shorten(bool outage, int64_t interval_s, int64_t floor_s);

/* The acknowledgement deadline of an advisory whose normal deadline is
 * normal_s (deadline_ack_s). */
int64_t mode_ack_s(bool outage, int64_t normal_s);

/* A report's due times in outage mode from its normal ones (each interval
 * from detected_at shortened with its floor). */
struct report_deadlines mode_report_due(bool outage, int64_t detected_at,
                                        struct report_deadlines normal);

/* Does a report of this severity pass every reviewing hop at once? */
bool mode_report_skips_review(bool outage, int severity);

#endif
