/*
 * client_stix.c - infrashare stix: STIX 2.1 over the API (issue 16,
 * docs/stix.md).
 *
 *   stix export advisory|report|event|c4tap|alert ID [--out FILE|-]
 *       the item as a STIX bundle (an advisory, a report, an event, a
 *       C4TAP submission, a website-observation alert)
 *   stix import FILE [--collection shared]
 *       a STIX 2.1 bundle, a TAXII envelope or a JSON array of objects
 *       (FILE "-": standard input; at most 10 MiB) posted to the hub's
 *       TAXII collection (docs/taxii.md "Adding objects"), in envelopes of
 *       at most 1,000 objects; prints what was added, what the hub held
 *       already and each refused object with its reason. Exit 0 when every
 *       object was accepted, 1 when one was refused or on an error.
 *
 * An API error is printed with its code, field and message (exit 1); bad
 * usage prints the usage (exit 2).
 */
#include "cli/cli.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"

#define TAXII_MEDIA_21 "application/taxii+json;version=2.1"
#define IMPORT_MAX (10 * 1024 * 1024) /* the file, and one envelope */
#define IMPORT_BATCH 1000             /* objects in one envelope */

static int usage(void)
{
    fprintf(stderr,
            "infrashare: stix export advisory|report|event|c4tap|alert ID "
            "[--out FILE|-]   (a STIX 2.1 bundle; STIX 2.1 形式で出力)\n"
            "            stix import FILE|- [--collection shared]   (a "
            "bundle, envelope or array of STIX 2.1 objects; 取り込み)\n");
    return 2;
}

static const char *const flags[] = {NULL};
static const char *const valued[] = {"url", "token", "out", "collection", NULL};

/* FILE ("-": standard input), at most IMPORT_MAX bytes, as JSON. NULL
 * with the reason printed. */
static json_t *load_input(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    int rc;
    if (strcmp(path, "-") == 0) {
        struct buf b = BUF_INIT;
        buf_init(&b, IMPORT_MAX + 1);
        char chunk[65536];
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
            if (buf_add(&b, chunk, n))
                break;
        rc = buf_error(&b) ? IS_ERR_LIMIT : ferror(stdin) ? IS_ERR_IO : 0;
        len = b.len;
        text = rc ? NULL : buf_detach(&b);
        buf_release(&b);
        if (!rc && !text)
            rc = IS_ERR_NOMEM;
    } else {
        rc = util_read_file(path, IMPORT_MAX, &text, &len);
    }
    if (rc == IS_ERR_LIMIT) {
        fprintf(stderr,
                "infrashare: %s: larger than %d bytes (10 MiB); split it "
                "(10 MiB を超えています)\n",
                path, IMPORT_MAX);
        return NULL;
    }
    if (rc) {
        cli_errf("%s: cannot read: %s\n", "%s: 読めません: %s\n", path,
                 rc == IS_ERR_IO ? strerror(errno) : "out of memory");
        free(text);
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    free(text);
    if (!j)
        cli_json_error(path, &je);
    return j;
}

/* The objects of a bundle, an envelope or an array; NULL (reason printed)
 * for anything else. */
static json_t *objects_of(const char *path, json_t *doc)
{
    json_t *objs = json_is_array(doc) ? doc : json_object_get(doc, "objects");
    if (!json_is_array(objs)) {
        cli_errf("%s: not a STIX bundle, a TAXII envelope or an array of "
                 "objects (no \"objects\" list)\n",
                 "%s: STIX バンドル、TAXII "
                 "エンベロープ、オブジェクトの配列のいずれでもありません（\"obj"
                 "ects\" の一覧がありません）\n",
                 path);
        return NULL;
    }
    if (!json_array_size(objs)) {
        fprintf(stderr,
                "infrashare: %s: no objects to import (オブジェクトがありませ"
                "ん)\n",
                path);
        return NULL;
    }
    return objs;
}

struct import_tally {
    long long added, held, refused;
};

/* The TAXII error object of an answer, or its status alone, on stderr. */
static void taxii_error(const struct api_answer *ans)
{
    json_t *j = json_loads(buf_str(&ans->body), 0, NULL);
    const char *t = json_string_value(json_object_get(j, "title"));
    const char *d = json_string_value(json_object_get(j, "description"));
    if (t)
        fprintf(stderr, "infrashare: HTTP %ld: %s%s%s\n", ans->status, t,
                d ? ": " : "", d ? d : "");
    else
        fprintf(stderr, "infrashare: HTTP %ld\n", ans->status);
    json_decref(j);
}

/* Reads a status resource into t, printing each refusal (its index in
 * the file: the envelope's plus first). */
static void tally(const json_t *st, size_t first, struct import_tally *t)
{
    size_t i;
    const json_t *x;
    json_array_foreach (json_object_get(st, "successes"), i, x) {
        if (json_object_get(x, "message"))
            t->held++; /* held already (or built in): nothing added */
        else
            t->added++;
    }
    json_array_foreach (json_object_get(st, "failures"), i, x) {
        const char *id = cli_jstr(x, "id");
        const char *m = cli_jstr(x, "message");
        /* "objects[N]: why" names the envelope's index: the file's here */
        const char *why = m;
        long long idx = -1;
        if (strncmp(m, "objects[", 8) == 0) {
            char *end = NULL;
            long long n = strtoll(m + 8, &end, 10);
            if (end && strncmp(end, "]: ", 3) == 0) {
                idx = n + (long long)first;
                why = end + 3;
            }
        }
        if (idx >= 0)
            printf("  refused 拒否: objects[%lld] %s: %s\n", idx,
                   *id ? id : "(no id)", why);
        else
            printf("  refused 拒否: %s: %s\n", *id ? id : "(no id)", why);
        t->refused++;
    }
}

static int import_cmd(const struct cli_args *a)
{
    const char *path = a->pos[1];
    const char *coll = cli_opt(a, "collection");
    if (!coll)
        coll = "shared";
    if (!cli_seg_ok(coll, false)) {
        cli_errf("%s: not a collection's id or alias\n",
                 "%s: コレクションの ID または別名ではありません\n", coll);
        return 2;
    }
    struct cli_conn k;
    int rc = cli_conn_of(a, &k);
    if (rc)
        return rc;
    json_t *doc = load_input(path);
    json_t *objs = doc ? objects_of(path, doc) : NULL;
    if (!objs) {
        json_decref(doc);
        return 1;
    }
    char url_path[160];
    snprintf(url_path, sizeof(url_path),
             "/taxii2/infrashare/collections/%s/objects/", coll);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    size_t total = json_array_size(objs);
    struct import_tally t = {0};
    size_t judged = 0; /* envelopes the hub took and judged (202) */
    rc = 0;
    for (size_t at = 0; at < total && !rc;) {
        size_t n = total - at < IMPORT_BATCH ? total - at : IMPORT_BATCH;
        char *text = NULL;
        for (;;) { /* halved until the envelope fits the hub's limit */
            json_t *part = json_array();
            for (size_t i = 0; i < n; i++)
                json_array_append(part, json_array_get(objs, at + i));
            json_t *env = json_pack("{s:o}", "objects", part);
            text = env ? json_dumps(env, JSON_COMPACT) : NULL;
            json_decref(env);
            if (!text || strlen(text) <= IMPORT_MAX || n == 1)
                break;
            free(text);
            text = NULL;
            n /= 2;
        }
        if (!text) {
            cli_errf("out of memory\n", "メモリが足りません\n");
            rc = 1;
            break;
        }
        struct api_answer ans = {0};
        char err[512];
        int r = cli_api_call_media(k.url, k.token, "POST", url_path, text,
                                   TAXII_MEDIA_21, &ans, err, sizeof(err));
        free(text);
        if (r) {
            cli_errf("cannot reach the hub: %s\n", "ハブに接続できません: %s\n",
                     err);
            rc = 1;
        } else if (ans.status != 202) {
            taxii_error(&ans);
            rc = 1;
        } else {
            json_t *st = json_loads(buf_str(&ans.body), 0, NULL);
            if (!json_is_object(st)) {
                cli_errf("the hub's answer is not a TAXII status\n",
                         "ハブの応答が TAXII のステータスではありません\n");
                rc = 1;
            } else {
                tally(st, at, &t);
                judged++;
            }
            json_decref(st);
        }
        buf_release(&ans.body);
        at += n;
    }
    curl_global_cleanup();
    /* the summary once the hub judged something: a first envelope refused
     * whole (a read-only collection, no such collection) posted nothing,
     * and its error above is all there is to say */
    if (judged)
        printf("%s: %zu objects: added %lld, held already %lld, refused %lld "
               "(追加 %lld / 既存 %lld / 拒否 %lld)\n",
               path, total, t.added, t.held, t.refused, t.added, t.held,
               t.refused);
    json_decref(doc);
    if (!rc && t.refused) {
        fprintf(stderr,
                "infrashare: %lld of %zu objects were refused (see above; "
                "拒否されたオブジェクトがあります)\n",
                t.refused, total);
        rc = 1;
    }
    return rc;
}

int cli_stix(int argc, char **argv)
{
    struct cli_args a;
    if (cli_parse(argc, argv, flags, valued, &a))
        return usage();
    if (a.npos == 2 && strcmp(a.pos[0], "import") == 0)
        return import_cmd(&a);
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
        cli_errf("%s: not an id of the hub\n", "%s: ハブの ID ではありません\n",
                 id);
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
            cli_errf("out of memory\n", "メモリが足りません\n");
            rc = 1;
        } else if (out) {
            rc = cli_save_file(out, text, strlen(text));
            if (!rc && strcmp(out, "-") != 0)
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
