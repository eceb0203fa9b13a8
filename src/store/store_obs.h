/*
 * store_obs.h - website response observation: results, rollups,
 * baselines, per-vantage and per-site states, alerts and their e-mail jobs
 * (store/store_obs.c; schema 0018 + 0020; docs/rules.md "Website response
 * observation"). Structs only; the rules are core/obs_*.h.
 */
#ifndef INFRASHARE_STORE_OBS_H
#define INFRASHARE_STORE_OBS_H

#include "core/obs_correlate.h"
#include "store/store.h"

#define OBS_ID_LEN 64
#define OBS_RAW_KEEP_S (48 * 3600)        /* raw results: 48 h */
#define OBS_ROLLUP_KEEP_S (400 * 86400LL) /* 5-minute rollups: 400 days */
#define OBS_BUCKET_S 300

/* The reader of site data: visibility is decided in SQL by
 * OBS_VISIBLE_SQL (store/store_obs_sql.h). */
struct obs_reader {
    const char *org;    /* the reader's organisation */
    int scope;          /* enum access_site_scope (core/access.h) */
    bool all;           /* NISC, hub admins: every site */
    bool ceptoar;       /* a CEPTOAR secretariat: its members' sites */
    bool ministry;      /* a ministry: its sectors' aggregates */
    const char *sector; /* a secretariat's sector ("" none) */
};

/* struct store_obs_vantage: store/store.h (registration); this fills
 * id, public_key, last_seq and active. */
int store_obs_vantage_get(struct store_conn *c, const char *id,
                          struct store_obs_vantage *out);
/* Takes seq for vantage id: IS_ERR_CONFLICT unless seq > its last_seq
 * (call inside the batch's write transaction). */
int store_obs_vantage_take_seq(struct store_conn *c, const char *id,
                               int64_t seq);
/* The row of the hub's own prober (vantage 'hub'), made when missing. */
int store_obs_vantage_ensure_hub(struct store_conn *c, int64_t now);

struct store_obs_site {
    int64_t id;
    char org_id[OBS_ID_LEN];
    char sector_id[OBS_ID_LEN];
    char host[256];
    char hosting[128];
    char dns_provider[256];
    int interval_s;
    bool notify, paused, demo;
    int64_t deleted_at;
    char label[256];
    char url[2100];
};
int store_obs_site_get(struct store_conn *c, int64_t id,
                       struct store_obs_site *out);
/* Is site id assigned to the vantage points (registered, not paused, its
 * organisation's CEPTOAR participating)? */
int store_obs_site_assigned(struct store_conn *c, int64_t id, bool *yes);
/* The sites the hub's own prober probes (assigned, not demo): a malloc'd
 * array (free()). */
int store_obs_hub_sites(struct store_conn *c, struct store_obs_site **out,
                        size_t *n);
/* May the reader see site id (registered)? */
int store_obs_site_visible(struct store_conn *c, const struct obs_reader *rd,
                           int64_t id, bool *yes);

/* Is time at inside one of site's maintenance windows? */
int store_obs_in_maintenance(struct store_conn *c, int64_t site, int64_t at,
                             bool *yes);

struct store_obs_result {
    int64_t site_id;
    char vantage_id[OBS_ID_LEN];
    int64_t at;
    int at_ms;
    char outcome[16];
    int status;
    double dns_ms, connect_ms, tls_ms, ttfb_ms, total_ms;
    char addr[64];
    char verdict[16];
    double score;
};
int store_obs_result_insert(struct store_conn *c,
                            const struct store_obs_result *r);

int store_obs_baseline_get(struct store_conn *c, int64_t site,
                           const char *vantage, int how, double *median,
                           double *mad, int *n);
int store_obs_baseline_put(struct store_conn *c, int64_t site,
                           const char *vantage, int how, double median,
                           double mad, int n, int64_t now);
/* The 5-minute p50s of hour-of-week how in the 4 weeks before `before`
 * (rollups with at least one answer): a malloc'd array (free()). */
int store_obs_baseline_source(struct store_conn *c, int64_t site,
                              const char *vantage, int how, int64_t before,
                              double **out, size_t *n);

struct store_obs_rollup {
    int64_t site_id;
    char vantage_id[OBS_ID_LEN];
    int64_t bucket;
    int n, errors;
    double p50, p90, p99, dns_p50, connect_p50, tls_p50, ttfb_p50;
    unsigned char sketch[512];
    size_t sketch_len;
};
/* IS_ERR_NOTFOUND when the bucket has no rollup yet (n, errors, sketch
 * filled otherwise). */
int store_obs_rollup_get(struct store_conn *c, int64_t site,
                         const char *vantage, int64_t bucket,
                         struct store_obs_rollup *out);
int store_obs_rollup_put(struct store_conn *c,
                         const struct store_obs_rollup *r);
/* The phase medians (ms, -1 none) of the bucket's raw answered results. */
int store_obs_bucket_phases(struct store_conn *c, int64_t site,
                            const char *vantage, int64_t bucket, double med[4]);

struct store_obs_vstate {
    char vantage_id[OBS_ID_LEN];
    char state[16];
    int64_t since;
    int64_t window;
    int window_n;
    int64_t first_at, last_at;
    double score, ratio, usual_ms;
    char phase[16];
};
int store_obs_vstate_get(struct store_conn *c, int64_t site,
                         const char *vantage, struct store_obs_vstate *out);
int store_obs_vstate_put(struct store_conn *c, int64_t site,
                         const struct store_obs_vstate *v);
/* The states of site's vantages that reported at or after since. */
int store_obs_vstates_of_site(struct store_conn *c, int64_t site, int64_t since,
                              struct store_obs_vstate **out, size_t *n);

struct store_obs_state {
    int64_t site_id;
    char state[16];
    int64_t since;
    int64_t window;
    int window_n;
    int64_t last_at;
    double last_total;
    char last_outcome[16];
    char addr[64];
    double score;
    char reason_ja[512], reason_en[512];
    char phase[16];
    int64_t first_at;
};
/* state, since and first_at of site; IS_ERR_NOTFOUND when none. */
int store_obs_state_get(struct store_conn *c, int64_t site,
                        struct store_obs_state *out);
int store_obs_state_put(struct store_conn *c, const struct store_obs_state *s);

/* One (site, vantage) state with its site's grouping keys. */
struct store_obs_anomaly_row {
    int64_t site_id;
    char vantage_id[OBS_ID_LEN];
    char vstate[16];
    int64_t vsince;
    double ratio;
    char phase[16];
    char sector[OBS_ID_LEN];
    char addr[64];
    char dns[256];
    char hosting[128];
    char org[OBS_ID_LEN];
    bool notify;
    char state[16]; /* the site's */
    int64_t since;
    char label[256];
    char host[256];
    double usual_ms;
    char reason_ja[512], reason_en[512];
};
/* Every (site, vantage) state taken in the last window_s seconds before
 * now, ordered by site and vantage: malloc'd (free()). */
int store_obs_anomaly_input(struct store_conn *c, int64_t now, int64_t window_s,
                            struct store_obs_anomaly_row **out, size_t *n);
struct store_obs_group_size {
    char kind[16];
    char key[256];
    int64_t sites;
};
int store_obs_group_sizes(struct store_conn *c,
                          struct store_obs_group_size **out, size_t *n);

struct store_obs_alert {
    int64_t id;
    char kind[16];
    char key[256];
    char sector_id[OBS_ID_LEN];
    char org_id[OBS_ID_LEN];
    char state[16];
    char condition[16];
    char phase[16];
    int64_t since, raised_at, closed_at;
    int64_t site_count;
    char *reason_ja, *reason_en, *evidence; /* malloc'd (one block) */
    char *mem;
    char advisory_id[40];
    int64_t version;
};
void store_obs_alerts_free(struct store_obs_alert *a, size_t n);
/* The open alert of kind and key: IS_ERR_NOTFOUND when none; *id, *since,
 * *count filled. */
/* The open alert of a subject: kind and key, and sector for a prefix, DNS
 * or hosting alert. */
int store_obs_alert_open_get(struct store_conn *c, const char *kind,
                             const char *key, const char *sector, int64_t *id,
                             int64_t *since, int64_t *count);
struct store_obs_open_alert {
    int64_t id;
    char kind[16];
    char key[256];
    char sector[OBS_ID_LEN]; /* with kind and key: the alert's subject */
};
int store_obs_alerts_open(struct store_conn *c,
                          struct store_obs_open_alert **out, size_t *n);
int store_obs_alert_insert(struct store_conn *c,
                           const struct store_obs_alert *a, int64_t *id);
int store_obs_alert_extend(struct store_conn *c,
                           const struct store_obs_alert *a);
int store_obs_alert_close(struct store_conn *c, int64_t id, int64_t now);
/* Of alert id's sites: *fresh with a state of some vantage point from the
 * last window seconds before now, *stale still observed (not removed or
 * paused) with none. */
int store_obs_alert_freshness(struct store_conn *c, int64_t id, int64_t now,
                              int64_t window, int64_t *fresh, int64_t *stale);
int store_obs_alert_sites_set(struct store_conn *c, int64_t alert,
                              const int64_t *sites, const int64_t *since,
                              size_t n);
int store_obs_alert_get(struct store_conn *c, int64_t id,
                        struct store_obs_alert *out);
int store_obs_alerts_list(struct store_conn *c, const struct obs_reader *rd,
                          const char *state, const char *kind,
                          const char *sector, int limit,
                          struct store_obs_alert **out, size_t *n);
struct store_obs_alert_site {
    int64_t id;
    char label[256];
    char host[256];
    char org[OBS_ID_LEN];
    int64_t since;
};
int store_obs_alert_sites_visible(struct store_conn *c,
                                  const struct obs_reader *rd, int64_t alert,
                                  struct store_obs_alert_site **out, size_t *n);
/* The reader of site data for organisation o with roles (the rule of
 * core access_site_scope; roles 0 for an organisation's contacts). */
void store_obs_reader_of(const struct access_org *o, unsigned roles,
                         struct obs_reader *rd);
/* What rd sees of the counts of alert al (core struct obs_seen). exact
 * when it sees every site the alert counts (NISC and hub admins always;
 * a secretariat when they are all its members'): its sites and, for a
 * correlated alert, every site of the group its reason counts (the
 * organisations the evidence's group_orgs names; none recorded: no).
 * Else members: how many of the alert's sites it may see; size: how many
 * of its group's (the evidence's group_org_sites; none recorded: 0). The
 * counts are shown as core obs_count_shown gives them with these. */
int store_obs_alert_seen(struct store_conn *c, const struct obs_reader *rd,
                         const struct store_obs_alert *al,
                         struct obs_seen *out);
/* IS_ERR_CONFLICT when the alert has an advisory already. */
int store_obs_alert_set_advisory(struct store_conn *c, int64_t id,
                                 const char *adv);
/* Queues an e-mail job per e-mail contact of org for alert; *queued. */
int store_obs_alert_queue(struct store_conn *c, int64_t alert, const char *org,
                          int64_t now, int *queued);
/* The CEPTOAR secretariats of sector (ids into a malloc'd list). */
int store_obs_sector_ceptoars(struct store_conn *c, const char *sector,
                              struct store_id_list *out);
int store_obs_nisc_orgs(struct store_conn *c, struct store_id_list *out);

/* One point of a site's series (raw result or rollup). */
struct store_obs_point {
    int64_t t;
    int n, errors;
    double p50, p90, p99, dns, connect, tls, ttfb;
    char vantage[OBS_ID_LEN];
    unsigned char sketch[512];
    size_t sketch_len;
};
int store_obs_points(struct store_conn *c, int64_t site, bool raw, int64_t from,
                     int64_t to, struct store_obs_point **out, size_t *n);
struct store_obs_baseline_row {
    char vantage[OBS_ID_LEN];
    int how;
    double median, mad;
    int n;
};
int store_obs_site_baselines(struct store_conn *c, int64_t site,
                             struct store_obs_baseline_row **out, size_t *n);
int store_obs_site_vantages(struct store_conn *c, int64_t site,
                            struct store_id_list *out);

struct store_obs_sector_count {
    char id[OBS_ID_LEN];
    char name_ja[256], name_en[256];
    char ministry[OBS_ID_LEN];
    int64_t sites, normal, slow, unreachable, other;
    /* how many of sites (visible), normal, ... the reader may see */
    int64_t visible, normal_visible, slow_visible, unreachable_visible,
        other_visible;
    /* the sector's registered sites, paused or not (those the heat map's
     * aggregate counts), and how many of them the reader may see: it sees
     * every site of the sector when the two are equal */
    int64_t registered, registered_visible;
};
int store_obs_sector_counts(struct store_conn *c, const struct obs_reader *rd,
                            struct store_obs_sector_count **out, size_t *n);
struct store_obs_heat_site {
    int64_t id;
    char label[256];
    char host[256];
    char org[OBS_ID_LEN];
    char state[16];
};
int store_obs_heat_sites(struct store_conn *c, const struct obs_reader *rd,
                         const char *sector, struct store_obs_heat_site **out,
                         size_t *n);
struct store_obs_heat_cell {
    int64_t site, t;
    int64_t n, errors;
    double p50, usual; /* usual -1: no baseline */
};
/* The ids of the registered sites of sector the reader may see, paused
 * or not (those of the cells it sees), by id. */
int store_obs_heat_seen(struct store_conn *c, const struct obs_reader *rd,
                        const char *sector, int64_t **out, size_t *n);
int store_obs_heat_cells(struct store_conn *c, const char *sector, int64_t from,
                         int64_t to, int step, struct store_obs_heat_cell **out,
                         size_t *n);

/* Deletes raw results older than raw_before and rollups older than
 * rollup_before; *deleted counts both. */
int store_obs_prune(struct store_conn *c, int64_t raw_before,
                    int64_t rollup_before, int64_t *deleted);

#endif
