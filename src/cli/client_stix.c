/*
 * client_stix.c - infrashare stix: STIX 2.1 over the API (issue 16,
 * docs/stix.md).
 *
 *   stix export advisory|report|event|c4tap|alert ID [--out FILE]
 *       the item as a STIX bundle (an advisory, a report, an event, a
 *       C4TAP submission, a website-observation alert)
 *
 * An API error is printed with its code, field and message (exit 1); bad
 * usage prints the usage (exit 2).
 */
#include "cli/cli.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr,
            "infrashare: stix export advisory|report|event|c4tap|alert ID "
            "[--out FILE]   (a STIX 2.1 bundle; STIX 2.1 形式で出力)\n");
    return 2;
}

static const char *const flags[] = {NULL};
static const char *const valued[] = {"url", "token", "out", NULL};

int cli_stix(int argc, char **argv)
{
    struct cli_args a;
    if (cli_parse(argc, argv, flags, valued, &a))
        return usage();
    /* the kinds and their collections in the API */
    static const char *const kinds[][2] = {
        {"advisory", "advisories"},
        {"report", "reports"},
        {"event", "events"},
        {"c4tap", "c4tap/submissions"},
        {"alert", "observation/alerts"},
    };
    const char *coll = NULL;
    for (size_t i = 0; a.npos == 3 && i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(a.pos[1], kinds[i][0]) == 0)
            coll = kinds[i][1];
    if (a.npos != 3 || strcmp(a.pos[0], "export") != 0 || !coll)
        return usage();
    const char *id = a.pos[2];
    if (!cli_seg_ok(id, false)) {
        fprintf(stderr, "infrashare: %s: not an id of the hub\n", id);
        return 2;
    }
    struct cli_conn k;
    int rc = cli_conn_of(&a, &k);
    if (rc)
        return rc;
    char path[192];
    snprintf(path, sizeof(path), "/api/v1/%s/%s/stix", coll, id);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    json_t *b = NULL;
    rc = cli_req_json(&k, "GET", path, NULL, &b);
    if (!rc) {
        const char *out = cli_opt(&a, "out");
        char *text = json_dumps(b, JSON_INDENT(2));
        if (!text) {
            fprintf(stderr, "infrashare: out of memory\n");
            rc = 1;
        } else if (out) {
            rc = cli_save_file(out, text, strlen(text));
            if (!rc)
                printf("%s: %zu objects\n", out,
                       json_array_size(json_object_get(b, "objects")));
        } else {
            printf("%s\n", text);
        }
        free(text);
    }
    json_decref(b);
    curl_global_cleanup();
    return rc;
}
