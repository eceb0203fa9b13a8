/*
 * test_message.c - the e-mail header pieces of deliver/message.c: the
 * folded RFC 2047 Subject and the mail domain taken from --public-url.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>

#include "common/buf.h"
#include "deliver/message.h"

/* True when s[0..n) is whole UTF-8 characters (no cut sequence). */
static bool whole_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t len = s[i] < 0x80             ? 1
                     : (s[i] & 0xe0) == 0xc0 ? 2
                     : (s[i] & 0xf0) == 0xe0 ? 3
                     : (s[i] & 0xf8) == 0xf0 ? 4
                                             : 0;
        if (!len || i + len > n)
            return false;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
        i += len;
    }
    return true;
}

/* Checks the header of subject: line lengths, word lengths, whole
 * characters per word, and that the words decode to the subject. Returns
 * the number of physical lines. */
static int check_subject(const char *subject)
{
    struct buf b;
    buf_init(&b, 64 * 1024);
    message_subject_header(&b, subject);
    const char *h = buf_str(&b);
    assert_true(strncmp(h, "Subject: ", 9) == 0);
    assert_true(b.len >= 2 && strcmp(h + b.len - 2, "\r\n") == 0);
    char decoded[4096];
    size_t dlen = 0;
    int lines = 0;
    const char *p = h;
    while (*p) {
        const char *eol = strstr(p, "\r\n");
        assert_non_null(eol);
        size_t ll = (size_t)(eol - p);
        if (ll > 76)
            fail_msg("line of %zu characters: %.*s", ll, (int)ll, p);
        const char *w = lines == 0 ? p + 9 : p + 1;
        if (lines > 0)
            assert_int_equal(p[0], ' ');
        /* exactly one encoded word per line */
        size_t wl = (size_t)(eol - w);
        assert_true(wl <= 75);
        assert_true(wl > 12);
        assert_memory_equal(w, "=?UTF-8?B?", 10);
        assert_memory_equal(w + wl - 2, "?=", 2);
        unsigned char bin[128];
        size_t bl = 0;
        assert_int_equal(sodium_base642bin(bin, sizeof(bin), w + 10, wl - 12,
                                           NULL, &bl, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        if (!whole_utf8(bin, bl))
            fail_msg("word %d splits a character", lines);
        assert_true(dlen + bl < sizeof(decoded));
        memcpy(decoded + dlen, bin, bl);
        dlen += bl;
        lines++;
        p = eol + 2;
    }
    decoded[dlen] = '\0';
    assert_string_equal(decoded, subject);
    buf_release(&b);
    return lines;
}

static void t_subject_short(void **state)
{
    (void)state;
    assert_int_equal(check_subject("Test"), 1);
    assert_int_equal(check_subject("試験"), 1);
    /* 39 bytes fit the first line, 40 do not */
    assert_int_equal(check_subject("123456789012345678901234567890123456789"),
                     1);
    assert_int_equal(check_subject("1234567890123456789012345678901234567890"),
                     2);
}

static void t_subject_japanese(void **state)
{
    (void)state;
    check_subject("【訓練】[DRILL] 情報提供のお知らせ（TLP:AMBER+STRICT） / "
                  "Advisory notice (TLP:AMBER+STRICT)");
    check_subject("重要インフラ事業者における不正アクセスの兆候と推奨される対策"
                  "について（第二報） / Signs of unauthorised access at "
                  "critical infrastructure operators and recommended "
                  "measures (second report)");
    /* characters of 1, 2, 3 and 4 bytes at every offset */
    char s[600] = "";
    const char *const parts[] = {"a", "é", "試", "😀"};
    for (int shift = 0; shift < 4; shift++) {
        size_t n = 0;
        s[0] = '\0';
        for (int i = 0; n + 8 < sizeof(s) && i < 120; i++) {
            const char *c = parts[(i + shift) % 4];
            memcpy(s + n, c, strlen(c));
            n += strlen(c);
        }
        s[n] = '\0';
        assert_true(check_subject(s) > 5);
    }
}

static void t_subject_long_english(void **state)
{
    (void)state;
    char s[500];
    size_t n = 0;
    while (n + 10 < sizeof(s)) {
        memcpy(s + n, "advisory ", 9);
        n += 9;
    }
    s[n] = '\0';
    int lines = check_subject(s);
    /* 39 bytes on the first line, 45 on each further one */
    assert_int_equal(lines, 1 + (int)((n - 39 + 44) / 45));
}

static void t_mail_domain(void **state)
{
    (void)state;
    char d[300];
    static const char *const cases[][2] = {
        {"https://hub.example.jp", "hub.example.jp"},
        {"https://Hub.Example.JP:8443/base/", "hub.example.jp"},
        {"http://user:pw@share.nisc.go.jp/x?y#z", "share.nisc.go.jp"},
        {"http://127.0.0.1:8080", "[127.0.0.1]"},
        {"http://[::1]:8080", "[IPv6:::1]"},
        {"http://[2001:db8::1]/", "[IPv6:2001:db8::1]"},
        {"hub.example.jp", "hub.example.jp"},
        {"http://", "localhost"},
        {"http://bad_host!/", "localhost"},
        {"http://[not-v6]/", "localhost"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        message_mail_domain(cases[i][0], d, sizeof(d));
        if (strcmp(d, cases[i][1]) != 0)
            fail_msg("%s: got %s, want %s", cases[i][0], d, cases[i][1]);
    }
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_subject_short),
        cmocka_unit_test(t_subject_japanese),
        cmocka_unit_test(t_subject_long_english),
        cmocka_unit_test(t_mail_domain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
