/*
 * c4tap_load.c - fills a demo hub's database with C4TAP submissions for
 * bench/c4tap_lookup.sh (issue 13: "campaign lookup by indicator with
 * 100,000 submissions stored").
 *
 *   c4tap_load DB N VALUES_FILE
 *
 * The first 200 demo operators (across sectors) join as participants and
 * their users become handlers; N e-mails are parsed and stored through the
 * service's own path (c4tap_demo_submit: mail_parse, the indicators, the
 * campaign chosen in the transaction), 5,000 per transaction. Campaign
 * sizes are skewed (campaign k of 10,000 gets a share ~ k^-0.6: a few
 * campaigns of thousands, most of a handful); an e-mail shares its
 * campaign's sender, URL host and attachment, and has its own URL path and
 * Message-ID. One in ten is shared with the URLs Red. Writes VALUES_FILE:
 * 2,000 lookup values (URL-encoded; half taken from random submissions,
 * half from random campaigns: hosts, URLs, senders, attachment hashes).
 * Prints what it stored.
 */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/util.h"
#include "core/c4tap.h"
#include "service/c4tap.h"
#include "store/store.h"
#include "store/store_c4tap.h"

#define NCAMP 10000
#define NORGS 200

static unsigned long long rng = 88172645463325252ULL;
static double unit(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* The campaign of one e-mail: skewed toward low numbers. */
static int campaign_of(void)
{
    int k = (int)(NCAMP * pow(unit(), 2.5));
    return k < NCAMP ? k : NCAMP - 1;
}

/* The campaign's attachment (a few hundred bytes, distinct per campaign)
 * in base64, and its SHA-256 in hex. */
static void attachment(int k, char *b64, size_t b64len, char hex[65])
{
    unsigned char bytes[240];
    memset(bytes, 0, sizeof(bytes));
    bytes[0] = 'M';
    bytes[1] = 'Z';
    for (size_t i = 2; i < sizeof(bytes); i++)
        bytes[i] = (unsigned char)((k * 131 + (int)i * 7) & 0xff);
    memcpy(bytes + 64, &k, sizeof(k));
    sodium_bin2base64(b64, b64len, bytes, sizeof(bytes),
                      sodium_base64_VARIANT_ORIGINAL);
    unsigned char h[32];
    crypto_hash_sha256(h, bytes, sizeof(bytes));
    sodium_bin2hex(hex, 65, h, sizeof(h));
}

/* A word naming campaign k (its subject: subjects are matched without
 * their digits, so the number alone would join every campaign). */
static void word(int k, char out[16])
{
    int n = 0;
    do {
        out[n++] = (char)('a' + k % 26);
        k /= 26;
    } while (k && n < 14);
    out[n] = '\0';
}

static int mail(char *out, size_t len, int k, long i, int64_t at)
{
    char b64[400], hex[65], date[64], w[16];
    word(k, w);
    attachment(k, b64, sizeof(b64), hex);
    time_t t = (time_t)at;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return snprintf(
        out, len,
        "Received: from mx%d.sender%d.example ([198.51.%d.%d]) by "
        "mx.op.example; %s\r\n"
        "From: \"Support\" <notice@sender%d.example>\r\n"
        "To: staff%ld@op.example\r\n"
        "Subject: Account notice %s\r\n"
        "Date: %s\r\n"
        "Message-ID: <m%ld@sender%d.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Check https://host%d.phish.example/p/%ld now.\r\n"
        "--b\r\nContent-Type: application/octet-stream; name=\"doc%d.exe\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b--\r\n",
        k % 7, k, k / 250 % 250, k % 250, date, k, i, w, date, i, k, k, i, k,
        b64);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: c4tap_load DB N VALUES_FILE\n");
        return 2;
    }
    long n = strtol(argv[2], NULL, 10);
    if (sodium_init() < 0 || n <= 0)
        return 2;
    char err[512];
    struct store *st;
    if (store_open(argv[1], 0, 1, &st, err, sizeof(err))) {
        fprintf(stderr, "c4tap_load: %s\n", err);
        return 1;
    }
    struct store_conn *c = store_acquire(st);
    struct store_user *users = NULL;
    size_t nu = 0;
    if (store_users_list(c, NULL, true, &users, &nu)) {
        fprintf(stderr, "c4tap_load: cannot list users\n");
        return 1;
    }
    int64_t now = util_now();
    char orgs[NORGS][64];
    int64_t uids[NORGS];
    int no = 0;
    int rc = store_begin(c);
    /* every 20th operator user, to spread the participants over sectors */
    for (size_t i = 0; !rc && i < nu && no < NORGS; i++) {
        if (strncmp(users[i].org_id, "op-", 3) != 0 || users[i].id % 20)
            continue;
        struct store_c4tap_org o = {0};
        util_xcopy(o.org_id, sizeof(o.org_id), users[i].org_id);
        o.standing = C4_STANDING_PARTICIPANT;
        util_xcopy(o.rules_version, sizeof(o.rules_version), "1.0");
        util_xcopy(o.agreed_by, sizeof(o.agreed_by), "bench");
        o.agreed_at = now;
        o.recorded_by = users[i].id;
        rc = store_c4tap_org_put(c, &o, now);
        struct store_c4tap_handler h = {0};
        h.user_id = users[i].id;
        h.kind = C4_HANDLER_MEMBER;
        h.registered_at = now;
        snprintf(h.mail_key, sizeof(h.mail_key), "bench%04d", no);
        if (!rc)
            rc = store_c4tap_handler_add(c, &h);
        util_xcopy(orgs[no], sizeof(orgs[0]), users[i].org_id);
        uids[no++] = users[i].id;
    }
    if (!rc)
        rc = store_commit(c);
    if (rc || no == 0) {
        fprintf(stderr, "c4tap_load: no participants (%d)\n", rc);
        return 1;
    }
    /* the handler whose token the benchmark reads with */
    printf("reader %s\n", orgs[0]);
    FILE *vf = fopen(argv[3], "w");
    if (!vf)
        return 1;
    static char buf[4096];
    int64_t t0 = now - 90 * 86400;
    long stored = 0;
    double w0 = (double)time(NULL);
    for (long i = 0; i < n && !rc; i++) {
        if (i % 5000 == 0 && (rc = store_begin(c)))
            break;
        int k = campaign_of();
        int64_t at = t0 + (int64_t)(unit() * 90 * 86400);
        mail(buf, sizeof(buf), k, i, at);
        int who = (int)(unit() * no);
        const char *ranges = i % 10 == 0 ? "0111030" : "0111130";
        rc = c4tap_demo_submit(c, orgs[who], uids[who], buf, strlen(buf),
                               ranges, i % 7 == 0, now);
        if (rc == IS_ERR_CONFLICT) /* the same bytes twice: skip */
            rc = IS_OK;
        else if (!rc)
            stored++;
        if (!rc && (i % 5000 == 4999 || i == n - 1))
            rc = store_commit(c);
        if (rc)
            store_rollback(c);
        /* lookup values: half from e-mails as submitted */
        if (i % (n / 1000 + 1) == 0) {
            char hex[65], b64[400];
            attachment(k, b64, sizeof(b64), hex);
            switch (i % 4) {
            case 0: fprintf(vf, "host%d.phish.example\n", k); break;
            case 1: fprintf(vf, "%s\n", hex); break;
            case 2: fprintf(vf, "notice%%40sender%d.example\n", k); break;
            default:
                fprintf(vf,
                        "https%%3A%%2F%%2Fhost%d.phish.example%%2Fp%%2F%ld\n",
                        k, i);
            }
        }
    }
    /* the other half: campaigns drawn uniformly */
    for (int j = 0; j < 1000; j++) {
        int k = (int)(unit() * NCAMP);
        if (j % 2)
            fprintf(vf, "host%d.phish.example\n", k);
        else {
            char hex[65], b64[400];
            attachment(k, b64, sizeof(b64), hex);
            fprintf(vf, "%s\n", hex);
        }
    }
    fclose(vf);
    printf("stored %ld submissions by %d participants in %.0f s (rc %d)\n",
           stored, no, (double)time(NULL) - w0, rc);
    free(users);
    store_put(st, c);
    store_close(st);
    return rc ? 1 : 0;
}
