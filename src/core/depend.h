/*
 * depend.h - interdependency between sectors (and named operators) and
 * the cascade suggestions an incident raises (DOMAIN.md §13, issue 15;
 * docs/rules.md "Interdependency and cascade suggestions"). Pure: no I/O,
 * no clock; the model is read from data by the caller.
 *
 * A model is a directed graph: an edge A -> B says "B depends on A": an
 * outage in A reaches B after about lag_min minutes, with a strength of 1
 * (weak), 2 (medium) or 3 (strong); a regional edge reaches B in the same
 * region only. An edge of a node to itself means the other operators of
 * the same sector (payment systems between banks, 004:451-452).
 */
#ifndef INFRASHARE_DEPEND_H
#define INFRASHARE_DEPEND_H

#include "common/common.h"

#define DEP_MAX_NODES 128
#define DEP_MAX_EDGES 1024
#define DEP_ID_LEN 64
#define DEP_MAX_LAG_MIN (7 * 24 * 60)

struct dep_edge {
    int from, to;  /* node indexes */
    int strength;  /* 1..3 */
    int lag_min;   /* 0..DEP_MAX_LAG_MIN */
    bool regional; /* reaches the same region only */
};

struct dep_model {
    int nnodes;
    char node[DEP_MAX_NODES][DEP_ID_LEN];
    int nedges;
    struct dep_edge edge[DEP_MAX_EDGES];
};

/* The index of node id, adding it when add (-1: unknown, or full). */
int dep_node(struct dep_model *m, const char *id, bool add);
int dep_node_find(const struct dep_model *m, const char *id);

/* The first problem of a model: code (static) and the edge's index. */
struct dep_problem {
    const char *code; /* "invalid_strength", "invalid_lag", "duplicate_edge",
                         "zero_lag_cycle" */
    int edge;
};
/* Checks m: strengths 1..3, lags 0..DEP_MAX_LAG_MIN, no edge twice, and no
 * cycle whose every edge has lag 0 (an outage would reach itself at once:
 * a model error; cycles that take time are allowed, and the walk ends on
 * them). O(nodes + edges). */
bool dep_model_check(const struct dep_model *m, struct dep_problem *p);

/* Does an edge of strength s carry an incident of severity sev (0..5)?
 * Severity 5: every edge; 4: medium and strong; 3: strong only; below 3:
 * none (an incident under the maintenance level warns nobody). */
bool dep_carries(int severity, int strength);

#define DEP_MAX_PATH 16
struct dep_suggestion {
    int node;      /* the dependent to warn */
    int lag_min;   /* the shortest expected lag along its path */
    int strength;  /* the path's weakest edge */
    bool regional; /* some edge of the path is regional: its region only */
    int npath;
    int path[DEP_MAX_PATH]; /* node indexes from a source to node */
};

/* The cascade of an incident of severity sev in the nsrc nodes src: every
 * node it reaches over the edges that carry it (dep_carries), each once,
 * by its shortest lag (ties: the stronger path, then the fewer hops),
 * within max_hops edges (<= DEP_MAX_PATH - 1). A source is itself
 * suggested only through its own self-edge (the other operators of its
 * sector). Ranked: strength descending, lag ascending, hops, node id.
 * Fills out (up to max), returns how many. O(nodes^2 + edges). */
int dep_cascade(const struct dep_model *m, const int *src, int nsrc,
                int severity, int max_hops, struct dep_suggestion *out,
                int max);

#endif
