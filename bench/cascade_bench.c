/*
 * cascade_bench - time of one cascade suggestion (core/depend.c
 * dep_cascade) on the national interdependency model, in process, on one
 * core (issue 15: <= 1 ms). Not a test: it asserts nothing about speed.
 *
 *   build/bench/cascade_bench MODEL.json [N] [--operators K]
 *
 * Loads the model file (data/dependencies/national.json) with the
 * service's checks, optionally adds K named operators (each depending on
 * three sectors and one other operator, as payment systems between banks
 * do: a bigger graph than the sector model), then times N walks (default
 * 200,000), one per call, cycling over every node as the source and
 * severities 3, 4 and 5, and prints the mean, p50, p99 and max per call
 * in microseconds and the suggestions counted (which proves the walks ran).
 */
#include "common/common.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/util.h"
#include "core/depend.h"
#include "service/dependencies.h"

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr,
                "usage: cascade_bench MODEL.json [N] [--operators K]\n");
        return 2;
    }
    long n = 200000, ops = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--operators") == 0 && i + 1 < argc) {
            if (util_parse_long(argv[++i], 0, 100, &ops)) {
                fprintf(stderr, "cascade_bench: --operators 0..100\n");
                return 2;
            }
        } else if (util_parse_long(argv[i], 1, 100000000L, &n)) {
            fprintf(stderr, "cascade_bench: N must be a positive integer\n");
            return 2;
        }
    }
    json_error_t je;
    json_t *j = json_load_file(argv[1], 0, &je);
    struct dep_model *m = calloc(1, sizeof(*m));
    struct svc_error e = {0};
    if (!j || !m || dependencies_parse(NULL, j, m, &e)) {
        fprintf(stderr, "cascade_bench: %s: %s\n", argv[1],
                j ? e.message : je.text);
        return 1;
    }
    json_decref(j);
    int sectors = m->nnodes;
    for (long k = 0; k < ops && m->nedges + 4 <= DEP_MAX_EDGES; k++) {
        char id[32];
        snprintf(id, sizeof(id), "op-bench-%03ld", k);
        int o = dep_node(m, id, true);
        if (o < 0)
            break;
        for (int s = 0; s < 3; s++)
            m->edge[m->nedges++] =
                (struct dep_edge){.from = (int)((k + s * 5) % sectors),
                                  .to = o,
                                  .strength = 1 + (int)((k + s) % 3),
                                  .lag_min = 10 + (int)((k * 7 + s) % 90)};
        if (k > 0)
            m->edge[m->nedges++] = (struct dep_edge){
                .from = o - 1, .to = o, .strength = 3, .lag_min = 5};
    }
    struct dep_problem p;
    if (!dep_model_check(m, &p)) {
        fprintf(stderr, "cascade_bench: model refused: %s\n", p.code);
        return 1;
    }
    double *t = malloc((size_t)n * sizeof(double));
    struct dep_suggestion *out = calloc(DEP_MAX_NODES, sizeof(*out));
    if (!t || !out)
        return 1;
    long total = 0;
    for (long i = 0; i < n; i++) {
        int src = (int)(i % m->nnodes);
        int sev = 3 + (int)((i / m->nnodes) % 3);
        double t0 = now_us();
        int k = dep_cascade(m, &src, 1, sev, 6, out, DEP_MAX_NODES);
        t[i] = now_us() - t0;
        total += k;
    }
    double sum = 0;
    for (long i = 0; i < n; i++)
        sum += t[i];
    qsort(t, (size_t)n, sizeof(double), cmp);
    printf("model %s: %d nodes (%d sectors, %ld operators), %d edges\n",
           argv[1], m->nnodes, sectors, ops, m->nedges);
    printf("%ld walks: mean %.2f us, p50 %.2f us, p99 %.2f us, max %.2f us; "
           "%ld suggestions\n",
           n, sum / (double)n, t[n / 2], t[(long)((double)n * 0.99)], t[n - 1],
           total);
    free(t);
    free(out);
    free(m);
    return 0;
}
