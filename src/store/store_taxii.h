/*
 * store_taxii.h - the TAXII 2.1 server's objects and status resources
 * (issue 16; docs/taxii.md, service/taxii.h).
 */
#ifndef INFRASHARE_STORE_TAXII_H
#define INFRASHARE_STORE_TAXII_H

#include "store/store.h"

/* An object version to add (inside a write transaction). */
struct store_taxii_put {
    int coll;
    const char *stix_id, *version, *type, *poster, *src, *body;
    const char *community; /* ",<CEPTOAR>,…," of the poster */
    bool fresh; /* the collection holds no version of the id (known) */
    int64_t ver_us, added;
    int range;
};
/* Adds it and keeps the first/last version flags of its id: IS_OK, or
 * IS_ERR_CONFLICT when the collection holds that version already
 * (nothing changed). */
int store_taxii_put(struct store_conn *c, const struct store_taxii_put *p);
/* Each version of stix_id in coll, whoever posted it (at most 1,000), for
 * fn: its poster, community, range (that of the version and its
 * lineage's last, the narrower), own range (the version's marking alone)
 * and version. */
int store_taxii_same_id(struct store_conn *c, int coll, const char *stix_id,
                        int (*fn)(const char *poster, const char *community,
                                  int range, int own_range, int64_t ver_us,
                                  void *ctx),
                        void *ctx);
/* Calls fn with each row of stix_id in coll: the advisory it came from
 * ("" for one shared by every advisory) and its version. */
int store_taxii_id_src(struct store_conn *c, int coll, const char *stix_id,
                       int (*fn)(const char *src, int64_t ver_us, void *ctx),
                       void *ctx);
/* Calls fn with the id of every organisation of the registry (national:
 * of its national bodies only, every kind but operators and externals). */
int store_taxii_org_ids(struct store_conn *c, bool national,
                        int (*fn)(const char *org, void *ctx), void *ctx);
/* Calls fn once with each id of ids_json (a JSON array of strings) of
 * which coll holds some version, whoever posted it. */
int store_taxii_ids_held(struct store_conn *c, int coll, const char *ids_json,
                         int (*fn)(const char *stix_id, void *ctx), void *ctx);
/* The latest date_added in coll (0 when none). */
int store_taxii_last_added(struct store_conn *c, int coll, int64_t *added);

/* A page's query (store_sql.h TAXII_PAGE). */
struct store_taxii_query {
    int coll;
    int64_t from_added, from_seq; /* after (added, seq) */
    const char *ids_json;         /* JSON array of ids, or NULL */
    bool none;                    /* a filter that matches nothing */
    /* the pre-selection by range (core/taxii.h taxii_object_decide) */
    bool everything;        /* none (NISC, or a collection decided in C) */
    const char *me;         /* the caller's organisation */
    bool observer;          /* it has Yellow standing */
    const char *mine;       /* its CEPTOARs ",a,b," */
    const char *types_json; /* JSON array, or NULL */
    bool v_all, v_last, v_first;
    const char *vts_json; /* JSON array of ver_us, or NULL */
    int scan;             /* rows to read at most */
};
/* One row; its strings live until the callback returns. */
struct store_taxii_row {
    int64_t seq, ver_us, added;
    const char *stix_id, *version, *type, *poster, *community, *src, *body;
    size_t body_len;
    int range;
};
/* Calls fn for each row in order until it returns non-zero (that value is
 * returned; 1 stops with IS_OK). */
int store_taxii_page(struct store_conn *c, const struct store_taxii_query *q,
                     int (*fn)(const struct store_taxii_row *r, void *ctx),
                     void *ctx);
/* Whether a hub item (src) has objects in coll. */
int store_taxii_src_seen(struct store_conn *c, int coll, const char *src,
                         bool *seen);

int store_taxii_status_put(struct store_conn *c, const char *id,
                           const char *org, int64_t now, const char *body);
/* The body (malloc'd) of a status that org made: IS_ERR_NOTFOUND
 * otherwise. */
int store_taxii_status_get(struct store_conn *c, const char *id,
                           const char *org, char **body);
int store_taxii_status_prune(struct store_conn *c, int64_t before);

/* Up to max advisories whose range was narrowed after their objects were
 * added to coll, for fn. */
int store_taxii_advisories_narrowed(struct store_conn *c, int coll, int max,
                                    int (*fn)(int64_t seq, const char *id,
                                              void *ctx),
                                    void *ctx);
/* Up to max advisories in coll relayed by a hop since their objects were
 * added there (store_taxii_advisory_hops_set), for fn. */
int store_taxii_advisories_relayed(struct store_conn *c, int coll, int max,
                                   int (*fn)(int64_t seq, const char *id,
                                             void *ctx),
                                   void *ctx);
/* Records an advisory's relayed hops as its objects are added. */
int store_taxii_advisory_hops_set(struct store_conn *c, const char *id);
/* Removes a hub item's objects from coll. */
int store_taxii_src_delete(struct store_conn *c, int coll, const char *src);
/* Up to max advisories after seq (their seq and id) for fn. */
int store_taxii_advisories_after(struct store_conn *c, int64_t seq, int max,
                                 int (*fn)(int64_t seq, const char *id,
                                           void *ctx),
                                 void *ctx);

/* Objects of coll after seq (at most max), in the order of adding. */
int store_taxii_after_seq(struct store_conn *c, int coll, int64_t seq, int max,
                          int (*fn)(const struct store_taxii_row *r, void *ctx),
                          void *ctx);

/* A peer: a remote TAXII collection (service/taxii_sync.h). */
struct store_taxii_peer {
    char id[24], name[201], org[64], api_root[513], collection[129];
    char direction[8], auth_user[129], secret[257];
    int interval_s;
    int64_t created_at;
    char pull_after[64];
    int64_t push_seq, next_run, last_run, last_ok;
    char last_error[513];
    int64_t pulled, added, duplicates, quarantined, pushed, push_failed;
    char mapping[12];    /* "objects", "advisories" */
    char audience[2048]; /* the advisories' audience (JSON), "" */
    /* the remote's `next` where a pull stopped at its page cap, "" */
    char pull_next[1024];
};
int store_taxii_peer_add(struct store_conn *c,
                         const struct store_taxii_peer *p);
int store_taxii_peer_get(struct store_conn *c, const char *id,
                         struct store_taxii_peer *out);
/* Every peer, by name, for fn. */
int store_taxii_peers(struct store_conn *c,
                      int (*fn)(const struct store_taxii_peer *p, void *ctx),
                      void *ctx);
int store_taxii_peer_delete(struct store_conn *c, const char *id);
/* The id of a peer due at now (IS_ERR_NOTFOUND: none). */
int store_taxii_peer_due(struct store_conn *c, int64_t now, char id[24]);
/* What a run did to a peer. */
struct store_taxii_run {
    const char *direction; /* "pull", "push" */
    bool ok;               /* this run's outcome, and */
    const char *reason;
    bool peer_ok;            /* the peer's after it (a sync's whole) */
    const char *peer_reason; /* its last_error */
    int64_t objects, added, duplicates, quarantined, failed;
};
/* Records a run and the peer's new state (inside a write transaction). */
int store_taxii_peer_state(struct store_conn *c, const char *id,
                           const char *pull_after, const char *pull_next,
                           int64_t push_seq, int64_t next_run, int64_t now,
                           const struct store_taxii_run *run);
int store_taxii_runs(struct store_conn *c, const char *peer, int max,
                     int (*fn)(int64_t at, const char *direction, bool ok,
                               const char *reason, int64_t objects,
                               int64_t added, int64_t failed, void *ctx),
                     void *ctx);
int store_taxii_runs_prune(struct store_conn *c, int64_t before);
/* Quarantines an object a pull refused, unless the peer's quarantine
 * holds it already with that reason (*added tells). */
int store_taxii_quarantine_add(struct store_conn *c, const char *peer,
                               int64_t at, const char *stix_id,
                               const char *reason, const char *body,
                               bool *added);
int store_taxii_quarantine(struct store_conn *c, const char *peer, int max,
                           int (*fn)(int64_t at, const char *stix_id,
                                     const char *reason, const char *body,
                                     void *ctx),
                           void *ctx);

/* Reports a peer brought, to turn into advisories (migration 0030). */
int store_taxii_map_add(struct store_conn *c, const char *peer,
                        const char *stix_id, int64_t at, const char *body);
/* Up to max pending reports of peer for fn (id and the object's JSON). */
int store_taxii_map_pending(struct store_conn *c, const char *peer, int max,
                            int (*fn)(const char *stix_id, const char *body,
                                      void *ctx),
                            void *ctx);
/* Ends a pending report: state "done" (advisory) or "failed" (reason);
 * IS_ERR_NOTFOUND when it is no longer pending. */
int store_taxii_map_set(struct store_conn *c, const char *peer,
                        const char *stix_id, const char *state,
                        const char *advisory, const char *reason);
int store_taxii_map_list(struct store_conn *c, const char *peer, int max,
                         int (*fn)(const char *stix_id, const char *state,
                                   const char *advisory, const char *reason,
                                   int64_t at, void *ctx),
                         void *ctx);

#endif
