/*
 * test_site_url.c - the URL of an observed website (core/site_url.h):
 * canonical forms, refused URLs, and the class of every kind of literal
 * address, including the numeric spellings URL parsers accept.
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/site_url.h"

static void t_canonical(void **state)
{
    (void)state;
    static const struct {
        const char *in, *canon, *host;
        int port;
        enum site_addr_class cls;
    } rows[] = {
        {"https://www.Example.JP", "https://www.example.jp/", "www.example.jp",
         443, SITE_ADDR_NAME},
        {"HTTP://www.example.jp:80/a/b?x=1#frag",
         "http://www.example.jp/a/b?x=1", "www.example.jp", 80, SITE_ADDR_NAME},
        {"http://www.example.jp.:8080?q", "http://www.example.jp:8080/?q",
         "www.example.jp", 8080, SITE_ADDR_NAME},
        {"http://203.0.114.7/", "http://203.0.114.7/", "203.0.114.7", 80,
         SITE_ADDR_PUBLIC},
        {"http://2130706433/", "http://127.0.0.1/", "127.0.0.1", 80,
         SITE_ADDR_LOOPBACK},
        {"http://0x7f.1/", "http://127.0.0.1/", "127.0.0.1", 80,
         SITE_ADDR_LOOPBACK},
        {"http://0177.0.0.1/", "http://127.0.0.1/", "127.0.0.1", 80,
         SITE_ADDR_LOOPBACK},
        {"http://127.1/", "http://127.0.0.1/", "127.0.0.1", 80,
         SITE_ADDR_LOOPBACK},
        {"http://0/", "http://0.0.0.0/", "0.0.0.0", 80, SITE_ADDR_UNSPECIFIED},
        {"http://10.1.2.3/", "http://10.1.2.3/", "10.1.2.3", 80,
         SITE_ADDR_PRIVATE},
        {"http://0xa9.0xfe.0.1/", "http://169.254.0.1/", "169.254.0.1", 80,
         SITE_ADDR_LINK_LOCAL},
        {"http://100.64.0.1/", "http://100.64.0.1/", "100.64.0.1", 80,
         SITE_ADDR_CGNAT},
        {"http://224.0.0.1/", "http://224.0.0.1/", "224.0.0.1", 80,
         SITE_ADDR_MULTICAST},
        {"http://[::1]:8443/", "http://[::1]:8443/", "::1", 8443,
         SITE_ADDR_LOOPBACK},
        {"http://[::ffff:127.0.0.1]/", "http://[::ffff:127.0.0.1]/",
         "::ffff:127.0.0.1", 80, SITE_ADDR_LOOPBACK},
        {"http://[::ffff:7f00:1]/", "http://[::ffff:127.0.0.1]/",
         "::ffff:127.0.0.1", 80, SITE_ADDR_LOOPBACK},
        {"http://[::]/", "http://[::]/", "::", 80, SITE_ADDR_UNSPECIFIED},
        {"http://[fe80::1]/", "http://[fe80::1]/", "fe80::1", 80,
         SITE_ADDR_LINK_LOCAL},
        {"http://[fd00::1]/", "http://[fd00::1]/", "fd00::1", 80,
         SITE_ADDR_PRIVATE},
        {"http://[ff02::1]/", "http://[ff02::1]/", "ff02::1", 80,
         SITE_ADDR_MULTICAST},
        {"http://[64:ff9b::a00:1]/", "http://[64:ff9b::a00:1]/",
         "64:ff9b::a00:1", 80, SITE_ADDR_PRIVATE},
        {"http://[2002:7f00:1::]/", "http://[2002:7f00:1::]/",
         "2002:7f00:1::", 80, SITE_ADDR_LOOPBACK},
        {"http://[2001:DB8::1]/", "http://[2001:db8::1]/", "2001:db8::1", 80,
         SITE_ADDR_RESERVED},
        {"https://[2400:cb00::1]/", "https://[2400:cb00::1]/", "2400:cb00::1",
         443, SITE_ADDR_PUBLIC},
        /* special-purpose ranges that carry or hide an address */
        {"http://[::ffff:0:7f00:1]/", "http://[::ffff:0:7f00:1]/",
         "::ffff:0:7f00:1", 80, SITE_ADDR_LOOPBACK},
        {"http://[::ffff:0:808:808]/", "http://[::ffff:0:808:808]/",
         "::ffff:0:808:808", 80, SITE_ADDR_PUBLIC},
        {"http://[64:ff9b:1::a00:1]/", "http://[64:ff9b:1::a00:1]/",
         "64:ff9b:1::a00:1", 80, SITE_ADDR_RESERVED},
        {"http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
         "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
         "2001:0:4136:e378:8000:63bf:3fff:fdd2", 80, SITE_ADDR_RESERVED},
        {"http://[2001:10::1]/", "http://[2001:10::1]/", "2001:10::1", 80,
         SITE_ADDR_RESERVED},
        {"http://[2001:20::1]/", "http://[2001:20::1]/", "2001:20::1", 80,
         SITE_ADDR_RESERVED},
        {"http://[2001:2::1]/", "http://[2001:2::1]/", "2001:2::1", 80,
         SITE_ADDR_RESERVED},
        {"http://[2001:1ff::1]/", "http://[2001:1ff::1]/", "2001:1ff::1", 80,
         SITE_ADDR_RESERVED},
        {"http://[2001:200::1]/", "http://[2001:200::1]/", "2001:200::1", 80,
         SITE_ADDR_PUBLIC},
        {"http://[3fff::1]/", "http://[3fff::1]/", "3fff::1", 80,
         SITE_ADDR_RESERVED},
        {"http://[5f00::1]/", "http://[5f00::1]/", "5f00::1", 80,
         SITE_ADDR_RESERVED},
        {"http://192.88.99.1/", "http://192.88.99.1/", "192.88.99.1", 80,
         SITE_ADDR_RESERVED},
        {"http://192.88.98.1/", "http://192.88.98.1/", "192.88.98.1", 80,
         SITE_ADDR_PUBLIC},
        {"http://localhost:8080/", "http://localhost:8080/", "localhost", 8080,
         SITE_ADDR_LOOPBACK},
        {"http://a.LOCALHOST/", "http://a.localhost/", "a.localhost", 80,
         SITE_ADDR_LOOPBACK},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        struct site_url u;
        const char *why = site_url_parse(rows[i].in, &u);
        if (why)
            fail_msg("%s: %s", rows[i].in, why);
        assert_string_equal(u.canon, rows[i].canon);
        assert_string_equal(u.host, rows[i].host);
        assert_int_equal(u.port, rows[i].port);
        if (u.cls != rows[i].cls)
            fail_msg("%s: class %s", rows[i].in, site_addr_class_name(u.cls));
    }
}

static void t_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "ftp://www.example.jp/",
        "javascript:alert(1)",
        "www.example.jp",
        "http://",
        "http:///path",
        "http://user@www.example.jp/",
        "http://user:pw@www.example.jp/",
        "http://www.example.jp@evil.example/",
        "http://www.exa mple.jp/",
        "http://www.example.jp/a b",
        "http://www.example.jp/\x01",
        "http://www.例え.jp/",
        "http://www.example.jp:0/",
        "http://www.example.jp:65536/",
        "http://www.example.jp:8x/",
        "http://www.example.jp:/",
        "http://[::1/",
        "http://[fe80::1%25eth0]/",
        "http://[not-v6]/",
        "http://1.2.3.256/",
        "http://1.2.3.4.5/",
        "http://0x100000000/",
        "http://08.1.1.1/",
        "http://foo.123/",
        "http://-bad.example.jp/",
        "http://bad-.example.jp/",
        "http://a..b.jp/",
        "http://under_score.jp/",
        "http://www.example.jp\\@evil/",
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(bad); i++) {
        struct site_url u;
        if (!site_url_parse(bad[i], &u))
            fail_msg("accepted %s as %s", bad[i], u.canon);
    }
    /* the length limit */
    char longu[SITE_URL_MAX + 16];
    memset(longu, 'a', sizeof(longu) - 1);
    longu[sizeof(longu) - 1] = '\0';
    memcpy(longu, "http://x.jp/", 12);
    struct site_url u;
    assert_non_null(site_url_parse(longu, &u));
    longu[SITE_URL_MAX] = '\0';
    assert_null(site_url_parse(longu, &u));
}

static void t_allowed(void **state)
{
    (void)state;
    static const struct {
        enum site_addr_class c;
        bool prod, test;
    } rows[] = {
        {SITE_ADDR_NAME, true, true},
        {SITE_ADDR_PUBLIC, true, true},
        {SITE_ADDR_LOOPBACK, false, true},
        {SITE_ADDR_PRIVATE, false, false},
        {SITE_ADDR_LINK_LOCAL, false, false},
        {SITE_ADDR_CGNAT, false, false},
        {SITE_ADDR_MULTICAST, false, false},
        {SITE_ADDR_UNSPECIFIED, false, false},
        {SITE_ADDR_RESERVED, false, false},
    };
    for (size_t i = 0; i < IS_ARRAY_LEN(rows); i++) {
        assert_int_equal(site_addr_allowed(rows[i].c, false), rows[i].prod);
        assert_int_equal(site_addr_allowed(rows[i].c, true), rows[i].test);
        assert_non_null(site_addr_class_name(rows[i].c));
    }
    /* edges of the IPv4 ranges */
    assert_int_equal(site_addr_class_v4(0xAC0FFFFFu), SITE_ADDR_PUBLIC);
    assert_int_equal(site_addr_class_v4(0xAC100000u), SITE_ADDR_PRIVATE);
    assert_int_equal(site_addr_class_v4(0xAC1FFFFFu), SITE_ADDR_PRIVATE);
    assert_int_equal(site_addr_class_v4(0xAC200000u), SITE_ADDR_PUBLIC);
    assert_int_equal(site_addr_class_v4(0x643FFFFFu), SITE_ADDR_PUBLIC);
    assert_int_equal(site_addr_class_v4(0x647FFFFFu), SITE_ADDR_CGNAT);
    assert_int_equal(site_addr_class_v4(0x64800000u), SITE_ADDR_PUBLIC);
    assert_int_equal(site_addr_class_v4(0xFFFFFFFFu), SITE_ADDR_RESERVED);
    assert_int_equal(site_addr_class_v4(0xDFFFFFFFu), SITE_ADDR_PUBLIC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_canonical),
        cmocka_unit_test(t_refused),
        cmocka_unit_test(t_allowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
