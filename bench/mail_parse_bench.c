/*
 * mail_parse_bench.c - messages per second of the C4TAP intake's parser
 * (mail/mail.h: GMime, the walk into indicators, the JSON text) on a
 * corpus of e-mail files, on one core. Driven by bench/mail_parse.py,
 * which makes the corpus and runs Python's email package on the same
 * files in the same run.
 *
 *   mail_parse_bench ROUNDS FILE...
 *
 * Reads every file into memory first, then parses all of them ROUNDS
 * times; each parse also serialises its result as the hub stores it
 * (common/jtext.h: what storing it costs).
 * Prints one JSON object: messages, seconds (CLOCK_MONOTONIC), CPU
 * seconds of the process, messages per second, indicators found (so
 * that the two implementations can be compared on what they extracted).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "common/jtext.h"
#include "mail/mail.h"

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu(void)
{
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (double)r.ru_utime.tv_sec + (double)r.ru_utime.tv_usec / 1e6 +
           (double)r.ru_stime.tv_sec + (double)r.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: mail_parse_bench ROUNDS FILE...\n");
        return 2;
    }
    char *end;
    long rounds = strtol(argv[1], &end, 10);
    if (*end || rounds < 1)
        return 2;
    int n = argc - 2;
    char **data = calloc((size_t)n, sizeof(char *));
    size_t *len = calloc((size_t)n, sizeof(size_t));
    if (!data || !len)
        return 1;
    for (int i = 0; i < n; i++) {
        FILE *f = fopen(argv[i + 2], "rb");
        if (!f || fseek(f, 0, SEEK_END) || (len[i] = (size_t)ftell(f)) == 0 ||
            fseek(f, 0, SEEK_SET)) {
            fprintf(stderr, "cannot read %s\n", argv[i + 2]);
            return 1;
        }
        data[i] = malloc(len[i]);
        if (!data[i] || fread(data[i], 1, len[i], f) != len[i])
            return 1;
        fclose(f);
    }
    long refused = 0, urls = 0, atts = 0, hops = 0, flags = 0;
    double t0 = mono(), c0 = cpu();
    for (long r = 0; r < rounds; r++) {
        for (int i = 0; i < n; i++) {
            json_t *j = NULL;
            char err[256];
            if (mail_parse(data[i], len[i], &j, err, sizeof err)) {
                refused++;
                continue;
            }
            /* the text the hub stores (service/c4tap_items.c) */
            char *text = jtext_dumps(j, NULL);
            if (r == 0) {
                urls += (long)json_array_size(json_object_get(j, "urls"));
                atts +=
                    (long)json_array_size(json_object_get(j, "attachments"));
                hops += (long)json_array_size(json_object_get(j, "received"));
                flags += (long)json_array_size(json_object_get(j, "flags"));
            }
            free(text);
            json_decref(j);
        }
    }
    double secs = mono() - t0, cs = cpu() - c0;
    long msgs = rounds * n;
    printf("{\"tool\": \"infrashare mail_parse\", \"messages\": %ld, "
           "\"refused\": %ld, \"seconds\": %.3f, \"cpu_s\": %.3f, "
           "\"messages_per_s\": %.1f, \"urls\": %ld, \"attachments\": %ld, "
           "\"received\": %ld, \"flags\": %ld}\n",
           msgs, refused, secs, cs, (double)msgs / cs, urls, atts, hops, flags);
    for (int i = 0; i < n; i++)
        free(data[i]);
    free(data);
    free(len);
    return 0;
}
