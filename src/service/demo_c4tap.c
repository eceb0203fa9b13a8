/*
 * demo_c4tap.c - the C4TAP demo (issue 13; service/demo.h): the Council
 * secretariat's handler (c4tap-secretariat), NISC's analyst, JPCERT/CC as
 * an observer, four demo operators in three sectors as participants, and
 * a campaign in four waves in the pattern of the pension-service case
 * (003:619-625) with one unrelated e-mail. Called by demo_generate inside
 * its transaction; an organisation or user missing from the registry is
 * skipped.
 */
#include "service/demo.h"

#include <sodium.h>

#include "core/c4tap.h"
#include "core/roles.h"
#include "common/util.h"
#include "service/c4tap.h"
#include "store/store_c4tap.h"

struct who {
    const char *org, *user;
    int standing; /* enum c4tap_standing; 0: none (the secretariat) */
    int kind;     /* enum c4tap_handler_kind */
};

static const struct who handlers[] = {
    {C4TAP_SECRETARIAT, "c4tap-secretariat", C4_STANDING_NONE,
     C4_HANDLER_MEMBER},
    {"nisc", "nisc-analyst", C4_STANDING_NONE, C4_HANDLER_ANALYST},
    {"jpcert", "jpcert-desk", C4_STANDING_OBSERVER, C4_HANDLER_MEMBER},
    {"op-banking-0001", "op-banking-0001", C4_STANDING_PARTICIPANT,
     C4_HANDLER_MEMBER},
    {"op-banking-0002", "op-banking-0002", C4_STANDING_PARTICIPANT,
     C4_HANDLER_MEMBER},
    {"op-electricity-0001", "op-electricity-0001", C4_STANDING_PARTICIPANT,
     C4_HANDLER_MEMBER},
    {"op-railway-0001", "op-railway-0001", C4_STANDING_PARTICIPANT,
     C4_HANDLER_MEMBER},
};

/* One e-mail of the demo campaign: a sender posing as the pension
 * service, an executable with padding before ".exe", a link whose text
 * names the real site. */
static int attack_mail(char *out, size_t len, int n, int64_t at,
                       const char *host)
{
    char date[64];
    time_t t = (time_t)at;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return util_fmt(
        out, len,
        "Received: from mail.kikou-info.example (mail.kikou-info.example "
        "[203.0.113.45]) by mx.demo.example.jp; %s\r\n"
        "From: =?UTF-8?B?5pel5pys5bm06YeR5qmf5qeL?= "
        "<nenkin@kikou-info.example>\r\n"
        "Reply-To: reply@other-domain.example\r\n"
        "To: staff%d@demo.example.jp\r\n"
        "Subject: "
        "=?UTF-8?B?44CQ6YeN6KaB44CR5bm06YeR5oOF5aCx44Gu56K66KqN44Gr44Gk"
        "44GE44Gm?=\r\n"
        "Date: %s\r\n"
        "Message-ID: <demo%d@kikou-info.example>\r\n"
        "Authentication-Results: mx.demo.example.jp; spf=fail "
        "smtp.mailfrom=kikou-info.example\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
        "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        "<p><a href=\"https://%s/login?id=%d\">https://www.nenkin.go.jp/</a>"
        "</p>\r\n"
        "--b\r\nContent-Type: application/pdf; "
        "name=\"nenkin_info.pdf          .exe\"\r\n"
        "Content-Disposition: attachment; "
        "filename=\"nenkin_info.pdf          .exe\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n"
        "--b--\r\n",
        date, n, date, n, host, n);
}

static int invoice_mail(char *out, size_t len, int64_t at)
{
    char date[64];
    time_t t = (time_t)at;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return util_fmt(out, len,
                    "From: Accounts <billing@invoice-portal.example>\r\n"
                    "To: keiri@demo.example.jp\r\n"
                    "Subject: Invoice overdue - payment required\r\n"
                    "Date: %s\r\n"
                    "Message-ID: <inv1@invoice-portal.example>\r\n"
                    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                    "Please see the invoice: "
                    "https://invoice-portal.example/view/7731\r\n"
                    "The archive password is 7731.\r\n",
                    date);
}

int demo_c4tap_generate(struct store_conn *c, const char *pw_hash, int64_t now,
                        struct demo_stats *stats)
{
    struct access_org council;
    if (store_org_rel(c, C4TAP_SECRETARIAT, &council))
        return IS_OK; /* no Council in this registry: no C4TAP demo */
    struct store_user u;
    memset(&u, 0, sizeof(u));
    util_xcopy(u.org_id, sizeof(u.org_id), C4TAP_SECRETARIAT);
    util_xcopy(u.username, sizeof(u.username), "c4tap-secretariat");
    util_xcopy(u.display_name, sizeof(u.display_name),
               "C4TAP secretariat (demo)");
    if (util_copy(u.pw_hash, sizeof(u.pw_hash), pw_hash))
        return IS_ERR_TOO_LARGE;
    util_xcopy(u.lang, sizeof(u.lang), "ja");
    u.roles = ROLE_READER | ROLE_LIAISON | ROLE_ANALYST | ROLE_ORG_ADMIN;
    u.demo = true;
    int rc = store_user_insert(c, &u, now, NULL);
    if (rc)
        return rc;
    stats->users++;
    int64_t ids[IS_ARRAY_LEN(handlers)] = {0};
    for (size_t i = 0; !rc && i < IS_ARRAY_LEN(handlers); i++) {
        const struct who *w = &handlers[i];
        struct store_user hu;
        if (store_user_by_name(c, w->user, &hu))
            continue; /* not in this registry or demo */
        ids[i] = hu.id;
        if (w->standing != C4_STANDING_NONE) {
            struct store_c4tap_org o = {0};
            util_xcopy(o.org_id, sizeof(o.org_id), w->org);
            o.standing = w->standing;
            util_xcopy(o.rules_version, sizeof(o.rules_version),
                       C4TAP_RULES_VERSION);
            util_xcopy(o.agreed_by, sizeof(o.agreed_by), "デモ 代表者");
            o.agreed_at = now - 60 * 86400;
            o.recorded_by = hu.id;
            rc = store_c4tap_org_put(c, &o, now);
        }
        struct store_c4tap_handler h = {0};
        h.user_id = hu.id;
        h.kind = w->kind;
        h.registered_by = hu.id;
        h.registered_at = now - 59 * 86400;
        unsigned char key[12];
        randombytes_buf(key, sizeof(key));
        sodium_bin2hex(h.mail_key, sizeof(h.mail_key), key, sizeof(key));
        if (!rc)
            rc = store_c4tap_handler_add(c, &h);
    }
    /* the campaign: four waves, three sectors; the third anonymous */
    static const struct {
        int who; /* index into handlers */
        int days_ago;
        const char *ranges;
        bool anonymous;
    } subs[] = {
        {3, 20, "0111130", false}, {4, 20, "0111130", false},
        {5, 15, "0111131", false}, {6, 9, "0111130", true},
        {3, 2, "0111130", false},
    };
    static char mail[8192];
    for (size_t i = 0; !rc && i < IS_ARRAY_LEN(subs); i++) {
        int k = subs[i].who;
        if (!ids[k])
            continue;
        int64_t at = now - (int64_t)subs[i].days_ago * 86400 + (int64_t)i * 600;
        if (attack_mail(mail, sizeof(mail), (int)i, at,
                        i < 3 ? "kikou-check.example" : "kikou-check2.example"))
            return IS_ERR_TOO_LARGE;
        rc = c4tap_demo_submit(c, handlers[k].org, ids[k], mail, strlen(mail),
                               subs[i].ranges, subs[i].anonymous, at + 300);
        if (!rc)
            stats->c4tap++;
    }
    if (!rc && ids[5] && !invoice_mail(mail, sizeof(mail), now - 4 * 86400)) {
        rc = c4tap_demo_submit(c, handlers[5].org, ids[5], mail, strlen(mail),
                               "0111130", false, now - 4 * 86400 + 300);
        if (!rc)
            stats->c4tap++;
    }
    return rc;
}
