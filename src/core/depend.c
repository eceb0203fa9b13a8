/*
 * depend.c - interdependency and cascade suggestions (see core/depend.h).
 */
#include "core/depend.h"

#include <limits.h>
#include <string.h>

int dep_node_find(const struct dep_model *m, const char *id)
{
    for (int i = 0; i < m->nnodes; i++)
        if (strcmp(m->node[i], id) == 0)
            return i;
    return -1;
}

int dep_node(struct dep_model *m, const char *id, bool add)
{
    int i = dep_node_find(m, id);
    if (i >= 0 || !add)
        return i;
    size_t n = strlen(id);
    if (m->nnodes >= DEP_MAX_NODES || n == 0 || n >= DEP_ID_LEN)
        return -1;
    memcpy(m->node[m->nnodes], id, n + 1);
    return m->nnodes++;
}

static bool fail(struct dep_problem *p, const char *code, int edge)
{
    p->code = code;
    p->edge = edge;
    return false;
}

bool dep_model_check(const struct dep_model *m, struct dep_problem *p)
{
    for (int i = 0; i < m->nedges; i++) {
        const struct dep_edge *e = &m->edge[i];
        if (e->from < 0 || e->from >= m->nnodes || e->to < 0 ||
            e->to >= m->nnodes)
            return fail(p, "unknown_node", i);
        if (e->strength < 1 || e->strength > 3)
            return fail(p, "invalid_strength", i);
        if (e->lag_min < 0 || e->lag_min > DEP_MAX_LAG_MIN)
            return fail(p, "invalid_lag", i);
        for (int k = 0; k < i; k++)
            if (m->edge[k].from == e->from && m->edge[k].to == e->to)
                return fail(p, "duplicate_edge", i);
    }
    /* a cycle of zero-lag edges: depth-first search over them only,
     * colouring nodes (0 new, 1 on the stack, 2 done) */
    signed char colour[DEP_MAX_NODES] = {0};
    int stack[DEP_MAX_NODES], next[DEP_MAX_NODES];
    for (int s = 0; s < m->nnodes; s++) {
        if (colour[s])
            continue;
        int top = 0;
        stack[top] = s;
        next[top] = 0;
        colour[s] = 1;
        while (top >= 0) {
            int u = stack[top];
            int k = next[top]++;
            if (k >= m->nedges) {
                colour[u] = 2;
                top--;
                continue;
            }
            const struct dep_edge *e = &m->edge[k];
            if (e->from != u || e->lag_min != 0)
                continue;
            if (colour[e->to] == 1)
                return fail(p, "zero_lag_cycle", k);
            if (colour[e->to] == 0) {
                colour[e->to] = 1;
                top++;
                stack[top] = e->to;
                next[top] = 0;
            }
        }
    }
    return true;
}

bool dep_carries(int severity, int strength)
{
    return severity >= 3 && strength >= 1 && severity + strength >= 6;
}

/* Is path a better than b? Shorter lag, then stronger, then fewer hops. */
static bool better(int lag_a, int str_a, int hops_a, int lag_b, int str_b,
                   int hops_b)
{
    if (lag_a != lag_b)
        return lag_a < lag_b;
    if (str_a != str_b)
        return str_a > str_b;
    return hops_a < hops_b;
}

/* The ranking: stronger first, then sooner, then fewer hops, then id. */
static int rank_cmp(const struct dep_model *m, const struct dep_suggestion *x,
                    const struct dep_suggestion *y)
{
    if (x->strength != y->strength)
        return y->strength - x->strength;
    if (x->lag_min != y->lag_min)
        return x->lag_min < y->lag_min ? -1 : 1;
    if (x->npath != y->npath)
        return x->npath - y->npath;
    return strcmp(m->node[x->node], m->node[y->node]);
}

int dep_cascade(const struct dep_model *m, const int *src, int nsrc,
                int severity, int max_hops, struct dep_suggestion *out, int max)
{
    if (max_hops > DEP_MAX_PATH - 1)
        max_hops = DEP_MAX_PATH - 1;
    int lag[DEP_MAX_NODES], str[DEP_MAX_NODES], hops[DEP_MAX_NODES];
    int prev[DEP_MAX_NODES];
    bool reg[DEP_MAX_NODES], done[DEP_MAX_NODES], is_src[DEP_MAX_NODES];
    for (int i = 0; i < m->nnodes; i++) {
        lag[i] = INT_MAX;
        str[i] = 0;
        hops[i] = 0;
        prev[i] = -1;
        reg[i] = done[i] = is_src[i] = false;
    }
    for (int i = 0; i < nsrc; i++)
        if (src[i] >= 0 && src[i] < m->nnodes) {
            is_src[src[i]] = true;
            lag[src[i]] = 0;
            str[src[i]] = 4; /* stronger than any edge: min() keeps edges' */
        }
    /* Dijkstra on the lag: each node settled once, so that cycles end */
    for (;;) {
        int u = -1;
        for (int i = 0; i < m->nnodes; i++)
            if (!done[i] && lag[i] != INT_MAX &&
                (u < 0 ||
                 better(lag[i], str[i], hops[i], lag[u], str[u], hops[u])))
                u = i;
        if (u < 0)
            break;
        done[u] = true;
        if (hops[u] >= max_hops)
            continue;
        for (int k = 0; k < m->nedges; k++) {
            const struct dep_edge *e = &m->edge[k];
            if (e->from != u || e->to == u ||
                !dep_carries(severity, e->strength) || done[e->to] ||
                is_src[e->to])
                continue;
            int l = lag[u] + e->lag_min;
            int s = e->strength < str[u] ? e->strength : str[u];
            if (lag[e->to] == INT_MAX || better(l, s, hops[u] + 1, lag[e->to],
                                                str[e->to], hops[e->to])) {
                lag[e->to] = l;
                str[e->to] = s;
                hops[e->to] = hops[u] + 1;
                prev[e->to] = u;
                reg[e->to] = reg[u] || e->regional;
            }
        }
    }
    int n = 0;
    /* the sources' own sectors (self-edges): the other operators */
    for (int i = 0; i < nsrc && n < max; i++) {
        int s = src[i];
        if (s < 0 || s >= m->nnodes)
            continue;
        bool seen = false;
        for (int j = 0; j < n; j++)
            seen |= out[j].node == s;
        for (int k = 0; k < m->nedges && !seen && n < max; k++) {
            const struct dep_edge *e = &m->edge[k];
            if (e->from != s || e->to != s ||
                !dep_carries(severity, e->strength))
                continue;
            out[n] = (struct dep_suggestion){.node = s,
                                             .lag_min = e->lag_min,
                                             .strength = e->strength,
                                             .regional = e->regional,
                                             .npath = 2,
                                             .path = {s, s}};
            n++;
            seen = true;
        }
    }
    for (int v = 0; v < m->nnodes && n < max; v++) {
        if (is_src[v] || lag[v] == INT_MAX)
            continue;
        struct dep_suggestion *sg = &out[n++];
        memset(sg, 0, sizeof(*sg));
        sg->node = v;
        sg->lag_min = lag[v];
        sg->strength = str[v];
        sg->regional = reg[v];
        int rev[DEP_MAX_PATH], np = 0;
        for (int x = v; x >= 0 && np < DEP_MAX_PATH; x = prev[x])
            rev[np++] = x;
        sg->npath = np;
        for (int i = 0; i < np; i++)
            sg->path[i] = rev[np - 1 - i];
    }
    /* insertion sort: at most DEP_MAX_NODES, and no global for qsort's
     * comparison (callers run on many threads) */
    for (int i = 1; i < n; i++) {
        struct dep_suggestion t = out[i];
        int j = i - 1;
        for (; j >= 0 && rank_cmp(m, &out[j], &t) > 0; j--)
            out[j + 1] = out[j];
        out[j + 1] = t;
    }
    return n;
}
