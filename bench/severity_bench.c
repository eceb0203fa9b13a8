/*
 * severity_bench - evaluations per second of the severity engine, in
 * process, on one core. Not a test: it asserts nothing about speed.
 *
 *   build/bench/severity_bench DATA_DIR [N]
 *
 * Loads data/severity, builds 4096 varied fact sets (scopes, impact figures
 * around every threshold, flags), then evaluates N of them (default 20
 * million) in a loop and prints evaluations per second and the level
 * histogram (which proves the loop ran through the whole table).
 */
#include "common/common.h"

#include <jansson.h>

#include "core/severity.h"
#include "common/util.h"

#define NFACTS 4096

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: severity_bench DATA_DIR [N]\n");
        return 2;
    }
    long n = 20000000;
    if (argc > 2 && util_parse_long(argv[2], 1, 2000000000L, &n)) {
        fprintf(stderr, "severity_bench: N must be a positive integer\n");
        return 2;
    }
    char p1[4096], p2[4096], err[256];
    snprintf(p1, sizeof(p1), "%s/severity/rules.json", argv[1]);
    snprintf(p2, sizeof(p2), "%s/severity/maintenance_levels.json", argv[1]);
    json_t *rules = json_load_file(p1, 0, NULL);
    json_t *levels = json_load_file(p2, 0, NULL);
    static struct severity_table t;
    if (!rules || !levels ||
        severity_compile(rules, levels, &t, err, sizeof(err))) {
        fprintf(stderr, "severity_bench: cannot load %s: %s\n", argv[1],
                rules && levels ? err : "unreadable");
        return 1;
    }
    json_decref(rules);
    json_decref(levels);
    static const char *const scopes[] = {
        "telecom", "cable_tv", "broadcasting", "electricity",
        "gas",     "credit",   "banking",      "water"};
    static struct sev_facts facts[NFACTS];
    uint32_t x = 12345;
    for (int i = 0; i < NFACTS; i++) {
        struct sev_facts *f = &facts[i];
        memset(f, 0, sizeof(*f));
        x = x * 1103515245u + 12345u;
        f->scope = severity_scope(&t, scopes[(x >> 8) % 8]);
        f->num[SEV_USERS_AFFECTED] = (double)((x >> 4) % 400000);
        f->num[SEV_DURATION_MIN] = (double)((x >> 7) % 240);
        f->num[SEV_KW_LOST] = (double)((x >> 3) % 1500000);
        f->num[SEV_HOUSEHOLDS] = (double)((x >> 5) % 500);
        f->num[SEV_BROADCAST_STOP_MIN] = (double)((x >> 6) % 200);
        f->num[SEV_OPERATORS_AFFECTED] = (double)((x >> 9) % 3);
        f->num[SEV_SECTORS_EXCEEDED] = (x >> 11) % 17 == 0 ? 2 : 0;
        SEV_FLAG(f, SEV_SERVICE_STOPPED) = (x >> 12) % 3 == 0;
        SEV_FLAG(f, SEV_SERVICE_DEGRADED) = (x >> 13) % 2 == 0;
        SEV_FLAG(f, SEV_KIND_PRECURSOR) = (x >> 14) % 4 == 0;
        SEV_FLAG(f, SEV_CARD_AUTH_AFFECTED) = (x >> 15) % 5 == 0;
        SEV_FLAG(f, SEV_EMERGENCY_SYSTEMS) = (x >> 16) % 7 == 0;
    }
    long hist[6] = {0};
    double t0 = util_mono();
    for (long i = 0; i < n; i++) {
        struct sev_result r = severity_eval(&t, &facts[i & (NFACTS - 1)]);
        hist[r.level]++;
    }
    double secs = util_mono() - t0;
    printf("evaluations: %ld in %.3f s = %.0f per second (one core)\n", n, secs,
           (double)n / secs);
    printf("levels 0..5: %ld %ld %ld %ld %ld %ld\n", hist[0], hist[1], hist[2],
           hist[3], hist[4], hist[5]);
    return 0;
}
