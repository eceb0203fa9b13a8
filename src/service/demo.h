/*
 * demo.h - the DEMO data set: synthetic operators, users and contacts.
 *
 * Clearly marked: every generated organisation and user has demo = 1, names
 * come from data/demo/demo.json ("デモ銀行0001" / "Demo Bank 0001"), e-mail
 * addresses are under demo.example.jp and webhooks point at 127.0.0.1.
 * For each CEPTOAR of the registry it creates as many operators as the
 * CEPTOAR's "members" figure, each with a liaison user (roles reader,
 * reporter, liaison, org_admin) and an e-mail and a webhook contact; it also
 * creates staff users for NISC, every ministry, CEPTOAR secretariat and
 * agency, and an auditor. All demo users share one password (hashed once),
 * which is what keeps initialisation to seconds.
 */
#ifndef INFRASHARE_DEMO_H
#define INFRASHARE_DEMO_H

#include "common/common.h"
#include "service/registry.h"
#include "store/store.h"

#define DEMO_PASSWORD "infrashare-demo"

struct demo_stats {
    int operators;
    int users;
    int contacts;
    int externals, lists; /* distribution lists and their members */
    int sites, rollups;   /* website observation (service/demo_obs.c) */
    int c4tap;            /* C4TAP submissions (service/demo_c4tap.c) */
    int survey_answers;   /* survey responses (service/demo_survey.c) */
};

/* Whether the demo set may create a user named name: the names its
 * generators give (demo_staff, demo_operator, demo_c4tap_generate):
 * "nisc-analyst", "auditor", "c4tap-secretariat", "<org>-desk",
 * "<org>-secretariat" and "op-<scope>-<NNNN>". init checks the first
 * admin's name against it before generating anything. */
bool demo_username_reserved(const char *name);

/* Generates the demo set into the store (caller holds a transaction).
 * webhook_base: e.g. "http://127.0.0.1:8090/hooks/". */
int demo_generate(struct store_conn *c, const char *demo_json_path,
                  const struct registry *r, const char *pw_hash,
                  const char *webhook_base, int64_t now,
                  struct demo_stats *stats, char *err, size_t errlen);

/* The website observation demo (issue 12; service/demo_obs.c): every demo
 * CEPTOAR participates; about 3,000 sites of the demo operators, under
 * the reserved .example names (demo = 1: never probed); a synthesized week
 * of history (5-minute rollups with sketches, states, baselines) and one
 * open sector-wide alert. Called by demo_generate after the operators,
 * inside its transaction. */
int demo_obs_generate(struct store_conn *c, int64_t now,
                      struct demo_stats *stats);

/* The C4TAP demo (issue 13; service/demo_c4tap.c): the secretariat's
 * handler c4tap-secretariat, NISC's analyst, JPCERT/CC observing, four
 * demo operators participating, a campaign in four waves across three
 * sectors and one unrelated e-mail. Inside demo_generate's transaction. */
int demo_c4tap_generate(struct store_conn *c, const char *pw_hash, int64_t now,
                        struct demo_stats *stats);

/* The annual survey's demo (issue 15; service/demo_survey.c): last fiscal
 * year's campaign closed with its figures, this year's open with answers
 * and drafts coming in. Inside demo_generate's transaction. */
int demo_survey_generate(struct store_conn *c, int64_t now,
                         struct demo_stats *stats);

#endif
