/*
 * test_mail.c - a suspicious e-mail into C4TAP's indicators (mail/mail.h):
 * the header fields and every Received hop, URLs in text and HTML (link
 * text naming another host, cid:, defanged), attachments with their
 * SHA-256 and sniffed type, the deception flags of the IPA list, Japanese
 * (ISO-2022-JP) subjects and bodies, and hostile MIME: broken boundaries,
 * a bad header line, nesting and part bombs, invalid UTF-8, not an e-mail.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"
#include "mail/mail.h"

static json_t *parse_ok(const char *eml)
{
    json_t *j = NULL;
    char err[256] = "";
    int rc = mail_parse(eml, strlen(eml), &j, err, sizeof(err));
    if (rc)
        fail_msg("mail_parse: %d %s", rc, err);
    assert_non_null(j);
    /* whatever came in, what goes out is valid JSON text */
    char *text = json_dumps(j, 0);
    assert_non_null(text);
    free(text);
    return j;
}

static const char *str(json_t *j, const char *path)
{
    /* "a.b" walks objects; "a.0.b" indexes arrays */
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", path);
    json_t *cur = j;
    for (char *save = NULL, *tok = strtok_r(buf, ".", &save); tok && cur;
         tok = strtok_r(NULL, ".", &save)) {
        if (json_is_array(cur))
            cur = json_array_get(cur, (size_t)g_ascii_strtoull(tok, NULL, 10));
        else
            cur = json_object_get(cur, tok);
    }
    return json_string_value(cur);
}

static bool has_flag(json_t *j, const char *code, const char *evidence_part)
{
    size_t i;
    json_t *f;
    json_array_foreach (json_object_get(j, "flags"), i, f) {
        const char *c = json_string_value(json_object_get(f, "code"));
        const char *e = json_string_value(json_object_get(f, "evidence"));
        if (c && strcmp(c, code) == 0 &&
            (!evidence_part || (e && strstr(e, evidence_part)))) {
            /* every flag has both languages' explanation */
            assert_non_null(mail_flag_find(c));
            assert_true(mail_flag_find(c)->ja[0] && mail_flag_find(c)->en[0]);
            return true;
        }
    }
    return false;
}

static const char PLAIN[] =
    "Return-Path: <bounce@mailer.bad.example>\r\n"
    "Received: from mx.victim.example (mx.victim.example [192.0.2.10])\r\n"
    "\tby mail.victim.example with ESMTP id 1234;\r\n"
    "\tTue, 1 Dec 2026 10:00:03 +0900\r\n"
    "Received: from unknown (HELO pc01) (198.51.100.7)\r\n"
    "  by mx.victim.example with SMTP; Tue, 1 Dec 2026 10:00:01 +0900\r\n"
    "Received: from [IPv6:2001:db8::5] (helo=x)\r\n"
    " by relay.bad.example; 1 Dec 2026 00:59:59 -0000\r\n"
    "Authentication-Results: mx.victim.example; spf=fail "
    "smtp.mailfrom=bad.example; dkim=pass header.d=bad.example; "
    "dmarc=fail header.from=pension.example\r\n"
    "From: \"Pension Service support@pension.example\" "
    "<support@pension-secure.example>\r\n"
    "Reply-To: reply@elsewhere.example\r\n"
    "To: staff@victim.example\r\n"
    "Subject: Important notice\r\n"
    "Date: Tue, 1 Dec 2026 10:00:00 +0900\r\n"
    "Message-ID: <abc123@pension-secure.example>\r\n"
    "X-Mailer: Microsoft Outlook 16.0\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=us-ascii\r\n"
    "\r\n"
    "Please log in at https://pension-secure.example/login?id=1, today.\r\n"
    "Or here: hxxp://evil.example/a (defanged) and https://a.example.\r\n";

static void t_headers_and_received(void **state)
{
    IS_UNUSED(state);
    json_t *j = parse_ok(PLAIN);
    assert_string_equal(str(j, "from.address"),
                        "support@pension-secure.example");
    assert_string_equal(str(j, "from.display_name"),
                        "Pension Service support@pension.example");
    assert_string_equal(str(j, "reply_to.0"), "reply@elsewhere.example");
    assert_string_equal(str(j, "return_path"), "bounce@mailer.bad.example");
    assert_string_equal(str(j, "message_id"), "abc123@pension-secure.example");
    assert_string_equal(str(j, "subject"), "Important notice");
    assert_string_equal(str(j, "x_mailer"), "Microsoft Outlook 16.0");
    assert_string_equal(str(j, "date"), "2026-12-01T01:00:00Z");
    /* every hop, newest first, with folded dates read */
    json_t *rec = json_object_get(j, "received");
    assert_int_equal(json_array_size(rec), 3);
    assert_string_equal(str(j, "received.0.from_host"), "mx.victim.example");
    assert_string_equal(str(j, "received.0.from_ip"), "192.0.2.10");
    assert_string_equal(str(j, "received.0.by_host"), "mail.victim.example");
    assert_string_equal(str(j, "received.0.date"), "2026-12-01T01:00:03Z");
    assert_string_equal(str(j, "received.1.from_ip"), "198.51.100.7");
    assert_string_equal(str(j, "received.1.date"), "2026-12-01T01:00:01Z");
    assert_string_equal(str(j, "received.2.from_ip"), "2001:db8::5");
    assert_string_equal(str(j, "received.2.by_host"), "relay.bad.example");
    assert_string_equal(str(j, "received.2.date"), "2026-12-01T00:59:59Z");
    /* authentication results as recorded */
    assert_string_equal(str(j, "auth.spf"), "fail");
    assert_string_equal(str(j, "auth.dkim"), "pass");
    assert_string_equal(str(j, "auth.dmarc"), "fail");
    assert_true(has_flag(j, "auth_failed", "spf=fail"));
    assert_true(has_flag(j, "auth_failed", "dmarc=fail"));
    assert_false(has_flag(j, "auth_failed", "dkim"));
    /* sender deceptions */
    assert_true(has_flag(j, "display_name_address", "support@pension.example"));
    assert_true(has_flag(j, "reply_to_other_domain", "elsewhere.example"));
    assert_true(has_flag(j, "return_path_other_domain", "bad.example"));
    /* URLs of the text, trailing punctuation dropped, defanged kept */
    json_t *urls = json_object_get(j, "urls");
    assert_int_equal(json_array_size(urls), 3);
    assert_string_equal(str(j, "urls.0.url"),
                        "https://pension-secure.example/login?id=1");
    assert_string_equal(str(j, "urls.0.host"), "pension-secure.example");
    assert_string_equal(str(j, "urls.0.source"), "text");
    assert_string_equal(str(j, "urls.1.url"), "hxxp://evil.example/a");
    assert_string_equal(str(j, "urls.2.url"), "https://a.example");
    /* the original's hash and size */
    unsigned char h[32];
    char hex[65];
    crypto_hash_sha256(h, (const unsigned char *)PLAIN, strlen(PLAIN));
    util_hex(hex, h, 32);
    assert_string_equal(str(j, "sha256"), hex);
    assert_int_equal(json_integer_value(json_object_get(j, "size")),
                     strlen(PLAIN));
    assert_int_equal(json_array_size(json_object_get(j, "warnings")), 0);
    json_decref(j);
}

/* Who the e-mail went to: To, Cc, Bcc (groups opened), delivery fields
 * and Received "for" clauses, lower-cased, each once; never the sender
 * side (From, Reply-To, an envelope-from comment). */
static void t_recipients(void **state)
{
    IS_UNUSED(state);
    static const char M[] =
        "Received: from relay.bad.example (relay.bad.example [198.51.100.7])"
        "\r\n by mx.Victim.example (envelope-from <bounce@bad.example>)"
        " with ESMTP id 9 for <Soumu@Victim.example>; Tue, 1 Dec 2026 "
        "10:00:01 +0900\r\n"
        "Delivered-To: soumu@victim.example\r\n"
        "X-Original-To: alias+x@victim.example.\r\n"
        "From: Attacker <a@bad.example>\r\n"
        "Reply-To: r@bad.example\r\n"
        "To: \"Soumu\" <soumu@victim.example>, Staff: s1@victim.example, "
        "s2@branch.victim.example;\r\n"
        "Cc: boss@victim.example\r\n"
        "Subject: x\r\n\r\nbody\r\n";
    json_t *j = parse_ok(M);
    json_t *r = json_object_get(j, "recipients");
    assert_non_null(r);
    /* the delivery fields' first (they name the mailbox that took it in),
     * then the address lists' */
    const char *want[] = {"soumu@victim.example", "alias+x@victim.example",
                          "s1@victim.example", "s2@branch.victim.example",
                          "boss@victim.example"};
    assert_int_equal(json_array_size(r), IS_ARRAY_LEN(want));
    for (size_t i = 0; i < IS_ARRAY_LEN(want); i++)
        assert_string_equal(json_string_value(json_array_get(r, i)), want[i]);
    assert_null(json_object_get(j, "recipients_over"));
    json_decref(j);
}

/* A mail of to_n distinct To addresses (each dup times), a To address
 * after them, and a Received "for" clause naming the real mailbox. */
static json_t *mass_mail(int to_n, int dup, bool received_for)
{
    struct buf b;
    buf_init(&b, 0);
    if (received_for)
        buf_adds(&b, "Received: from x.bad.example by mx.bank.example "
                     "with ESMTP id 1 for <taro@bank.example>; Tue, 1 Dec "
                     "2026 10:00:01 +0900\r\n");
    buf_adds(&b, "From: a@bad.example\r\nTo: ");
    for (int i = 0; i < to_n; i++)
        for (int k = 0; k < dup; k++)
            buf_addf(&b, "u%d@decoy%d.example, ", i, i);
    buf_adds(&b, "last@tail.example\r\nSubject: s\r\n\r\nbody\r\n");
    assert_false(buf_error(&b));
    json_t *j = parse_ok(buf_str(&b));
    buf_release(&b);
    return j;
}

static bool listed(const json_t *j, const char *addr)
{
    size_t i;
    json_t *x;
    json_array_foreach (json_object_get(j, "recipients"), i, x)
        if (strcmp(json_string_value(x), addr) == 0)
            return true;
    return false;
}

/* More distinct recipients than MAIL_MAX_RECIPIENTS is said
 * ("recipients_over"; C4TAP refuses such an e-mail rather than share it
 * partly masked); duplicates do not count; the delivery fields' come
 * first, so they are kept whatever the To list holds. */
static void t_recipients_over(void **state)
{
    IS_UNUSED(state);
    /* 99 + the tail = 100: all kept, not over */
    json_t *j = mass_mail(MAIL_MAX_RECIPIENTS - 1, 1, false);
    assert_null(json_object_get(j, "recipients_over"));
    assert_int_equal(json_array_size(json_object_get(j, "recipients")),
                     MAIL_MAX_RECIPIENTS);
    assert_true(listed(j, "last@tail.example"));
    json_decref(j);
    /* one more (the real mailbox in Received "for"): over, and it is the
     * first kept */
    j = mass_mail(MAIL_MAX_RECIPIENTS - 1, 1, true);
    assert_true(json_is_true(json_object_get(j, "recipients_over")));
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(j, "recipients"), 0)),
        "taro@bank.example");
    json_decref(j);
    /* 150 To addresses: over */
    j = mass_mail(150, 1, false);
    assert_true(json_is_true(json_object_get(j, "recipients_over")));
    json_decref(j);
    /* 3 addresses, each 60 times (180 entries), then the tail: 4, all
     * kept, not over */
    j = mass_mail(3, 60, false);
    assert_null(json_object_get(j, "recipients_over"));
    assert_int_equal(json_array_size(json_object_get(j, "recipients")), 4);
    assert_true(listed(j, "last@tail.example"));
    json_decref(j);
}

static void t_html_links(void **state)
{
    IS_UNUSED(state);
    static const char eml[] =
        "From: a@b.example\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=utf-8\r\n\r\n"
        "<p>Visit <a href=\"https://evil.example/x?a=1&amp;b=2\">"
        "https://www.bank.example/login</a> or "
        "<A HREF='https://ok.example/'>https://ok.example/</a> "
        "<a href=\"https://c.example/\">click here</a>"
        "<img src=\"cid:logo@x\"></p>";
    json_t *j = parse_ok(eml);
    json_t *urls = json_object_get(j, "urls");
    assert_int_equal(json_array_size(urls), 4);
    assert_string_equal(str(j, "urls.0.url"), "https://evil.example/x?a=1&b=2");
    assert_string_equal(str(j, "urls.0.link_text"),
                        "https://www.bank.example/login");
    assert_string_equal(str(j, "urls.0.source"), "html");
    assert_string_equal(str(j, "urls.3.url"), "cid:logo@x");
    assert_true(has_flag(j, "link_text_mismatch", "www.bank.example"));
    /* a link whose text is its own address, or plain words: no flag */
    assert_false(has_flag(j, "link_text_mismatch", "ok.example"));
    assert_false(has_flag(j, "link_text_mismatch", "click here"));
    json_decref(j);
}

/* base64 of bytes, wrapped at 76 */
static char *b64(const unsigned char *d, size_t n)
{
    gchar *s = g_base64_encode(d, n);
    GString *o = g_string_new(NULL);
    for (size_t i = 0, l = strlen(s); i < l; i += 76) {
        g_string_append_len(o, s + i, (gssize)(l - i < 76 ? l - i : 76));
        g_string_append(o, "\r\n");
    }
    g_free(s);
    return g_string_free(o, FALSE);
}

static const unsigned char MZ[] = "MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff";
static const unsigned char ZIP[] = "PK\x03\x04\x14\0\0\0\x08\0hello";

static char *with_attachments(void)
{
    char *mz = b64(MZ, sizeof(MZ) - 1), *zip = b64(ZIP, sizeof(ZIP) - 1);
    /* RFC 2231 names in UTF-8: an RLO, a double extension, padding */
    char *eml = g_strdup_printf(
        "From: hr@corp.example\r\nSubject: =?UTF-8?B?6KuL5rGC5pu4?=\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"BB\"\r\n\r\n"
        "--BB\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "添付の書類をご確認ください。パスワード: 1234\r\n"
        "--BB\r\nContent-Type: application/pdf\r\n"
        "Content-Disposition: attachment; filename=\"document.pdf\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n%s"
        "--BB\r\nContent-Type: application/octet-stream\r\n"
        "Content-Disposition: attachment; "
        "filename*=UTF-8''%%E8%%AB%%8B%%E6%%B1%%82%%E6%%9B%%B8.pdf.exe\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n%s"
        "--BB\r\nContent-Type: application/octet-stream\r\n"
        "Content-Disposition: attachment; "
        "filename*=UTF-8''invoice%%E2%%80%%AEfdp.scr\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n%s"
        "--BB\r\nContent-Type: application/octet-stream\r\n"
        "Content-Disposition: attachment; "
        "filename=\"report.doc                    .exe\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n%s"
        "--BB\r\nContent-Type: application/zip\r\n"
        "Content-Disposition: attachment; filename=\"data.zip\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n%s"
        "--BB--\r\n",
        mz, mz, mz, mz, zip);
    g_free(mz);
    g_free(zip);
    return eml;
}

static void t_attachments_and_flags(void **state)
{
    IS_UNUSED(state);
    char *eml = with_attachments();
    json_t *j = parse_ok(eml);
    g_free(eml);
    assert_string_equal(str(j, "subject"), "請求書");
    json_t *atts = json_object_get(j, "attachments");
    assert_int_equal(json_array_size(atts), 5);
    unsigned char h[32];
    char hex[65];
    crypto_hash_sha256(h, MZ, sizeof(MZ) - 1);
    util_hex(hex, h, 32);
    assert_string_equal(str(j, "attachments.0.filename"), "document.pdf");
    assert_string_equal(str(j, "attachments.0.declared_type"),
                        "application/pdf");
    assert_string_equal(str(j, "attachments.0.sniffed_type"),
                        "application/x-dosexec");
    assert_string_equal(str(j, "attachments.0.sha256"), hex);
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(atts, 0), "size")),
        sizeof(MZ) - 1);
    assert_string_equal(str(j, "attachments.1.filename"), "請求書.pdf.exe");
    assert_string_equal(str(j, "attachments.4.sniffed_type"),
                        "application/zip");
    /* the IPA list: icon spoofing, double extension, RLO, padding */
    assert_true(has_flag(j, "icon_spoof", "document.pdf"));
    assert_true(has_flag(j, "type_mismatch", "document.pdf"));
    assert_true(has_flag(j, "double_extension", "請求書.pdf.exe"));
    assert_true(has_flag(j, "bidi_control", "invoice"));
    assert_true(has_flag(j, "executable_attachment", "fdp.scr"));
    assert_true(has_flag(j, "padding_spaces", "report.doc"));
    assert_true(has_flag(j, "double_extension", "report.doc"));
    assert_true(has_flag(j, "archive_attachment", "data.zip"));
    assert_true(has_flag(j, "archive_password_hint", NULL));
    /* no double extension where there is none */
    assert_false(has_flag(j, "double_extension", "invoice"));
    assert_false(has_flag(j, "padding_spaces", "請求書"));
    json_decref(j);
}

static void t_japanese_iso2022jp(void **state)
{
    IS_UNUSED(state);
    /* Japanese in ISO-2022-JP (what Japanese mailers still send): the
     * sender's name and the subject as encoded words, the body 7-bit */
    static const char eml[] =
        "From: =?ISO-2022-JP?B?GyRCRnxLXEcvNmI1ITk9GyhC?= "
        "<n@pension.example>\r\n"
        "Subject: =?ISO-2022-JP?B?GyRCRy82YjUhOT0bKEI=?=\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=ISO-2022-JP\r\n\r\n"
        "\x1b$BG/6b$N$*CN$i$;\x1b(B https://nenkin.example/\r\n";
    json_t *j = parse_ok(eml);
    assert_string_equal(str(j, "subject"), "年金機構");
    assert_string_equal(str(j, "from.display_name"), "日本年金機構");
    assert_string_equal(str(j, "urls.0.url"), "https://nenkin.example/");
    json_decref(j);
}

static void t_not_an_email(void **state)
{
    IS_UNUSED(state);
    json_t *j = NULL;
    char err[256];
    assert_int_equal(mail_parse("", 0, &j, err, sizeof(err)), IS_ERR_INVALID);
    assert_null(j);
    assert_non_null(strstr(err, "empty"));
    static const char junk[] = "\x89PNG\r\n\x1a\n\0\0\0 not a message";
    assert_int_equal(mail_parse(junk, sizeof(junk) - 1, &j, err, sizeof(err)),
                     IS_ERR_INVALID);
    assert_null(j);
    assert_non_null(strstr(err, "not an e-mail"));
    assert_int_equal(mail_parse("hello world\n", 12, &j, err, sizeof(err)),
                     IS_ERR_INVALID);
    size_t big = MAIL_MAX_BYTES + 1;
    char *b = calloc(1, big);
    assert_non_null(b);
    memcpy(b, "From: a@b.example\r\n\r\n", 21);
    assert_int_equal(mail_parse(b, big, &j, err, sizeof(err)), IS_ERR_INVALID);
    assert_null(j);
    assert_non_null(strstr(err, "larger"));
    free(b);
}

static void t_broken_mime_keeps_the_rest(void **state)
{
    IS_UNUSED(state);
    /* a bad header line in the middle of a part's head, a part after it,
     * and a multipart whose closing boundary never comes */
    char *mz = b64(MZ, sizeof(MZ) - 1);
    char *eml = g_strdup_printf(
        "From: a@b.example\r\nSubject: broken\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n"
        "--XX\r\nContent-Type: text/plain\r\nthis is not a header\r\n"
        "\r\nsee https://first.example/\r\n"
        "--XX\r\nContent-Type: application/octet-stream\r\n"
        "Content-Disposition: attachment; filename=\"setup.exe\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n%s"
        "--XX\r\nContent-Type: multipart/alternative; boundary=\"YY\"\r\n\r\n"
        "--YY\r\nContent-Type: text/plain\r\n\r\nhttps://last.example/\r\n",
        mz);
    g_free(mz);
    json_t *j = parse_ok(eml);
    g_free(eml);
    /* the attachment after the damage is there */
    assert_true(has_flag(j, "executable_attachment", "setup.exe"));
    assert_string_equal(str(j, "urls.0.url"), "https://first.example/");
    bool last = false;
    size_t i;
    json_t *u;
    json_array_foreach (json_object_get(j, "urls"), i, u)
        last |= strcmp(json_string_value(json_object_get(u, "url")),
                       "https://last.example/") == 0;
    assert_true(last);
    /* and the damage is recorded as indicators */
    assert_true(json_array_size(json_object_get(j, "warnings")) > 0);
    assert_true(has_flag(j, "parser_warning", NULL));
    json_decref(j);
}

static void t_nesting_and_part_bombs(void **state)
{
    IS_UNUSED(state);
    /* 60 message/rfc822 inside each other */
    GString *s = g_string_new(NULL);
    for (int i = 0; i < 60; i++)
        g_string_append_printf(s,
                               "From: n%d@x.example\r\nSubject: level %d\r\n"
                               "Content-Type: message/rfc822\r\n\r\n",
                               i, i);
    g_string_append(s, "From: last@x.example\r\n\r\nhttps://deep.example/\r\n");
    json_t *j = parse_ok(s->str);
    g_string_free(s, TRUE);
    assert_true(json_array_size(json_object_get(j, "messages")) <= 50);
    bool deep = false;
    size_t i;
    json_t *w;
    json_array_foreach (json_object_get(j, "warnings"), i, w) {
        const char *c = json_string_value(json_object_get(w, "code"));
        deep |= strcmp(c, "nesting_too_deep") == 0 ||
                strcmp(c, "nesting_overflow") == 0;
    }
    assert_true(deep);
    json_decref(j);
    /* 3,000 parts: the walk stops at the limit and counts the rest */
    s = g_string_new("From: a@b.example\r\nMIME-Version: 1.0\r\n"
                     "Content-Type: multipart/mixed; boundary=\"P\"\r\n\r\n");
    for (int k = 0; k < 3000; k++)
        g_string_append(s, "--P\r\nContent-Type: text/plain\r\n\r\nx\r\n");
    g_string_append(s, "--P--\r\n");
    j = parse_ok(s->str);
    g_string_free(s, TRUE);
    json_t *cut = json_object_get(j, "cut");
    assert_true(json_integer_value(json_object_get(cut, "parts")) > 0);
    json_decref(j);
}

static void t_invalid_bytes_stay_valid_json(void **state)
{
    IS_UNUSED(state);
    static const char eml[] =
        "From: \"\xff\xfe bad\" <x@y.example>\r\n"
        "Subject: =?utf-8?B?//79?= \xc3\x28 \xed\xa0\x80\r\n"
        "X-Mailer: \xf8\x88\x80\x80\x80\r\n"
        "Content-Type: text/plain; charset=x-no-such-charset\r\n\r\n"
        "body \xff https://z.example/\xff\r\n";
    json_t *j = parse_ok(eml);
    const char *sub = str(j, "subject");
    assert_non_null(sub);
    assert_true(g_utf8_validate(sub, -1, NULL));
    assert_true(g_utf8_validate(str(j, "x_mailer"), -1, NULL));
    assert_string_equal(str(j, "urls.0.url"), "https://z.example/");
    json_decref(j);
}

/* Found by fuzz/fuzz_mail.c (corpus file crash-visible-text-terminator):
 * a link text of spaced words whose space fell on the last byte of the
 * 512-byte cap wrote the terminator one past the buffer. The text is
 * now cut before a space and character that do not both fit. */
static void t_long_link_text_is_cut_inside_its_buffer(void **state)
{
    IS_UNUSED(state);
    GString *s = g_string_new("From: a@b.example\r\nContent-Type: text/html"
                              "\r\n\r\n<a href=\"https://x.example/\">");
    for (int i = 0; i < 400; i++)
        g_string_append(s, "a ");
    g_string_append(s, "</a>");
    json_t *j = parse_ok(s->str);
    g_string_free(s, TRUE);
    const char *text = str(j, "urls.0.link_text");
    assert_non_null(text);
    assert_true(strlen(text) <= 512);
    assert_true(strlen(text) >= 510);
    assert_int_equal(text[strlen(text) - 1], 'a');
    json_decref(j);
}

static void t_flag_table(void **state)
{
    IS_UNUSED(state);
    assert_true(mail_flag_count >= 14);
    for (size_t i = 0; i < mail_flag_count; i++) {
        assert_true(strlen(mail_flag_texts[i].code) > 0);
        assert_true(g_utf8_validate(mail_flag_texts[i].ja, -1, NULL));
        assert_true(strlen(mail_flag_texts[i].en) > 0);
        for (size_t k = 0; k < i; k++)
            assert_string_not_equal(mail_flag_texts[i].code,
                                    mail_flag_texts[k].code);
    }
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_headers_and_received),
        cmocka_unit_test(t_recipients),
        cmocka_unit_test(t_recipients_over),
        cmocka_unit_test(t_html_links),
        cmocka_unit_test(t_attachments_and_flags),
        cmocka_unit_test(t_japanese_iso2022jp),
        cmocka_unit_test(t_not_an_email),
        cmocka_unit_test(t_broken_mime_keeps_the_rest),
        cmocka_unit_test(t_nesting_and_part_bombs),
        cmocka_unit_test(t_invalid_bytes_stay_valid_json),
        cmocka_unit_test(t_long_link_text_is_cut_inside_its_buffer),
        cmocka_unit_test(t_flag_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
