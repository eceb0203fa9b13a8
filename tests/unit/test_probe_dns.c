/*
 * test_probe_dns.c - the prober's DNS wire format (probe/dns.h): queries,
 * answers, and the parser's refusal of malformed packets (truncation,
 * compression loops, overlong names, bad rdata).
 */
#include "common/common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe/dns.h"

/* A builder of test packets. */
struct pkt {
    uint8_t b[DNS_PKT_MAX];
    size_t n;
};

static void put(struct pkt *p, const void *d, size_t n)
{
    assert_true(p->n + n <= sizeof p->b);
    memcpy(p->b + p->n, d, n);
    p->n += n;
}

static void put8(struct pkt *p, unsigned v)
{
    uint8_t c = (uint8_t)v;
    put(p, &c, 1);
}

static void put16(struct pkt *p, unsigned v)
{
    put8(p, v >> 8);
    put8(p, v & 0xff);
}

static void put32(struct pkt *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p, v & 0xffff);
}

static void put_name(struct pkt *p, const char *name)
{
    const char *s = name;
    while (*s) {
        const char *dot = strchr(s, '.');
        size_t l = dot ? (size_t)(dot - s) : strlen(s);
        put8(p, (unsigned)l);
        put(p, s, l);
        s += l + (dot ? 1 : 0);
    }
    put8(p, 0);
}

/* header with qd=1 and an answers, then the question */
static void header(struct pkt *p, uint16_t id, int rcode, unsigned an,
                   const char *qname, uint16_t qtype)
{
    p->n = 0;
    put16(p, id);
    put8(p, 0x81);
    put8(p, 0x80 | (unsigned)rcode);
    put16(p, 1);
    put16(p, an);
    put16(p, 0);
    put16(p, 0);
    put_name(p, qname);
    put16(p, qtype);
    put16(p, 1);
}

static void rr_a(struct pkt *p, unsigned name_ptr, const uint8_t a[4])
{
    put16(p, 0xc000 | name_ptr);
    put16(p, DNS_T_A);
    put16(p, 1);
    put32(p, 300);
    put16(p, 4);
    put(p, a, 4);
}

static struct dns_msg msg; /* large: not on the stack */

static void t_query_roundtrip(void **state)
{
    (void)state;
    uint8_t q[DNS_QUERY_MAX];
    size_t n;
    assert_int_equal(dns_build_query(0xbeef, "www.s042.energy.test.", DNS_T_A,
                                     q, sizeof q, &n),
                     IS_OK);
    /* a query parses as a message: id, question, no answers */
    assert_int_equal(dns_parse(q, n, &msg), IS_OK);
    assert_int_equal(msg.id, 0xbeef);
    assert_false(msg.qr);
    assert_string_equal(msg.qname, "www.s042.energy.test");
    assert_int_equal(msg.qtype, DNS_T_A);
    assert_int_equal(msg.n_rr, 0);
}

static void t_query_bad_names(void **state)
{
    (void)state;
    uint8_t q[DNS_QUERY_MAX];
    size_t n;
    char long_label[80];
    memset(long_label, 'a', 64);
    long_label[64] = '\0';
    char long_name[300];
    memset(long_name, 'a', 254);
    for (int i = 10; i < 254; i += 10)
        long_name[i] = '.';
    long_name[254] = '\0';
    const char *bad[] = {"",        ".",        "a..b",     ".a",    long_label,
                         long_name, "a b.test", "a\\.test", "é.test"};
    for (size_t i = 0; i < IS_ARRAY_LEN(bad); i++)
        assert_int_equal(dns_build_query(1, bad[i], DNS_T_A, q, sizeof q, &n),
                         IS_ERR_INVALID);
    assert_int_equal(dns_build_query(1, "a.test", DNS_T_A, q, 10, &n),
                     IS_ERR_TOO_LARGE);
}

static void t_answer_with_cname_and_compression(void **state)
{
    (void)state;
    struct pkt p;
    header(&p, 7, 0, 2, "www.x.test", DNS_T_A);
    /* www.x.test CNAME edge.cdn.test, edge.cdn.test A 127.3.0.7 */
    put16(&p, 0xc00c);
    put16(&p, DNS_T_CNAME);
    put16(&p, 1);
    put32(&p, 60);
    size_t rdlen_at = p.n;
    put16(&p, 0);
    size_t cname_at = p.n;
    put8(&p, 4);
    put(&p, "edge", 4);
    put8(&p, 3);
    put(&p, "cdn", 3);
    put16(&p, 0xc000 | 18); /* "test" of the question (12 + 1+3 + 1+1) */
    size_t rdlen = p.n - cname_at;
    p.b[rdlen_at] = 0;
    p.b[rdlen_at + 1] = (uint8_t)rdlen;
    const uint8_t a[4] = {127, 3, 0, 7};
    rr_a(&p, (unsigned)cname_at, a);
    assert_int_equal(dns_parse(p.b, p.n, &msg), IS_OK);
    assert_true(msg.qr);
    assert_int_equal(msg.n_rr, 2);
    assert_int_equal(msg.rr[0].type, DNS_T_CNAME);
    assert_string_equal(msg.rr[0].name, "www.x.test");
    assert_string_equal(msg.rr[0].target, "edge.cdn.test");
    assert_string_equal(msg.rr[1].name, "edge.cdn.test");
    assert_memory_equal(msg.rr[1].addr, a, 4);
    assert_true(dns_name_eq(msg.rr[1].name, "EDGE.cdn.test."));
}

static void t_rcode_and_tc(void **state)
{
    (void)state;
    struct pkt p;
    header(&p, 9, DNS_RC_NXDOMAIN, 0, "nope.test", DNS_T_A);
    p.b[2] |= 0x02;
    assert_int_equal(dns_parse(p.b, p.n, &msg), IS_OK);
    assert_int_equal(msg.rcode, DNS_RC_NXDOMAIN);
    assert_true(msg.tc);
}

static void t_every_truncation_refused(void **state)
{
    (void)state;
    struct pkt p;
    header(&p, 7, 0, 2, "www.x.test", DNS_T_A);
    const uint8_t a[4] = {127, 0, 0, 1};
    rr_a(&p, 12, a);
    rr_a(&p, 12, a);
    assert_int_equal(dns_parse(p.b, p.n, &msg), IS_OK);
    /* every shorter prefix lacks part of a record the header announces */
    for (size_t n = 0; n < p.n; n++)
        assert_int_equal(dns_parse(p.b, n, &msg), IS_ERR_INVALID);
}

static void t_compression_loops_refused(void **state)
{
    (void)state;
    struct pkt p;
    header(&p, 1, 0, 1, "a.test", DNS_T_A);
    size_t at = p.n;
    /* a pointer to itself */
    put16(&p, 0xc000 | (unsigned)at);
    put16(&p, DNS_T_A);
    put16(&p, 1);
    put32(&p, 1);
    put16(&p, 4);
    put32(&p, 0x7f000001);
    assert_int_equal(dns_parse(p.b, p.n, &msg), IS_ERR_INVALID);
    /* a pointer forward */
    p.b[at + 1] = (uint8_t)(at + 2);
    assert_int_equal(dns_parse(p.b, p.n, &msg), IS_ERR_INVALID);
    /* two names pointing at each other: label then pointer back to the
     * label's own start */
    header(&p, 1, 0, 1, "a.test", DNS_T_A);
    at = p.n;
    put8(&p, 1);
    put8(&p, 'x');
    put16(&p, 0xc000 | (unsigned)at);
    put16(&p, DNS_T_A);
    put16(&p, 1);
    put32(&p, 1);
    put16(&p, 4);
    put32(&p, 0x7f000001);
    assert_int_equal(dns_parse(p.b, p.n, &msg), IS_ERR_INVALID);
    /* a pointer past the end */
    header(&p, 1, 0, 1, "a.test", DNS_T_A);
    put16(&p, 0xc000 | 0x3fff);
    assert_int_equal(dns_parse(p.b, p.n, &msg), IS_ERR_INVALID);
}

static void t_long_chain_of_pointers_bounded(void **state)
{
    (void)state;
    /* names built of one label and a pointer to the previous name: a
     * legal backwards chain longer than DNS_MAX_JUMPS is refused */
    struct pkt p;
    header(&p, 1, 0, 0, "a", DNS_T_A);
    size_t prev = 12;
    size_t size_t_name_at = 0;
    for (int i = 0; i < DNS_MAX_JUMPS + 2; i++) {
        size_t_name_at = p.n;
        put16(&p, 0xc000 | (unsigned)prev);
        prev = size_t_name_at;
    }
    size_t off = size_t_name_at;
    char out[DNS_NAME_LEN];
    assert_int_equal(dns_read_name(p.b, p.n, &off, out, sizeof out),
                     IS_ERR_INVALID);
    /* a short chain is fine */
    off = 12 + 3 + 4 + 2; /* the first pointer after the question */
    assert_int_equal(dns_read_name(p.b, p.n, &off, out, sizeof out), IS_OK);
    assert_string_equal(out, "a");
}

static void t_overlong_name_refused(void **state)
{
    (void)state;
    struct pkt p;
    p.n = 0;
    put16(&p, 1);
    put16(&p, 0x8180);
    put16(&p, 1);
    put16(&p, 0);
    put16(&p, 0);
    put16(&p, 0);
    for (int i = 0; i < 5; i++) { /* 5 × 64 wire bytes > 255 */
        put8(&p, 63);
        for (int j = 0; j < 63; j++)
            put8(&p, 'a');
    }
    put8(&p, 0);
    put16(&p, 1);
    put16(&p, 1);
    assert_int_equal(dns_parse(p.b, p.n, &msg), IS_ERR_INVALID);
    /* extended label types 0x40 and 0x80 */
    header(&p, 1, 0, 0, "a.test", DNS_T_A);
    p.b[12] = 0x41;
    assert_int_equal(dns_parse(p.b, p.n, &msg), IS_ERR_INVALID);
    p.b[12] = 0x81;
    assert_int_equal(dns_parse(p.b, p.n, &msg), IS_ERR_INVALID);
}

static void t_small_output_refused(void **state)
{
    (void)state;
    struct pkt p;
    header(&p, 1, 0, 0, "www.example.test", DNS_T_A);
    size_t off = 12;
    char out[8];
    assert_int_equal(dns_read_name(p.b, p.n, &off, out, sizeof out),
                     IS_ERR_INVALID);
}

static void t_bad_rdata_refused(void **state)
{
    (void)state;
    struct pkt p;
    /* an A record of 5 bytes */
    header(&p, 1, 0, 1, "a.test", DNS_T_A);
    put16(&p, 0xc00c);
    put16(&p, DNS_T_A);
    put16(&p, 1);
    put32(&p, 1);
    put16(&p, 5);
    put32(&p, 0x7f000001);
    put8(&p, 0);
    assert_int_equal(dns_parse(p.b, p.n, &msg), IS_ERR_INVALID);
    /* an NS whose name does not fill its rdata */
    header(&p, 1, 0, 1, "a.test", DNS_T_NS);
    put16(&p, 0xc00c);
    put16(&p, DNS_T_NS);
    put16(&p, 1);
    put32(&p, 1);
    put16(&p, 4);
    put16(&p, 0xc00c);
    put16(&p, 0);
    assert_int_equal(dns_parse(p.b, p.n, &msg), IS_ERR_INVALID);
    /* rdlength past the end */
    header(&p, 1, 0, 1, "a.test", DNS_T_A);
    put16(&p, 0xc00c);
    put16(&p, DNS_T_A);
    put16(&p, 1);
    put32(&p, 1);
    put16(&p, 400);
    put32(&p, 0x7f000001);
    assert_int_equal(dns_parse(p.b, p.n, &msg), IS_ERR_INVALID);
    /* two questions */
    header(&p, 1, 0, 0, "a.test", DNS_T_A);
    p.b[5] = 2;
    assert_int_equal(dns_parse(p.b, p.n, &msg), IS_ERR_INVALID);
}

static void t_many_answers_kept_bounded(void **state)
{
    (void)state;
    struct pkt p;
    unsigned n = DNS_MAX_RR + 10;
    header(&p, 1, 0, n, "a.test", DNS_T_A);
    for (unsigned i = 0; i < n; i++) {
        const uint8_t a[4] = {127, 0, 0, (uint8_t)i};
        rr_a(&p, 12, a);
    }
    assert_int_equal(dns_parse(p.b, p.n, &msg), IS_OK);
    assert_int_equal(msg.ancount, (int)n);
    assert_int_equal(msg.n_rr, DNS_MAX_RR);
}

static void t_odd_label_bytes_replaced(void **state)
{
    (void)state;
    struct pkt p;
    header(&p, 1, 0, 0, "a.test", DNS_T_A);
    p.b[13] = '.'; /* the label "a" becomes "." */
    assert_int_equal(dns_parse(p.b, p.n, &msg), IS_OK);
    assert_string_equal(msg.qname, "?.test");
    p.b[13] = 0;
    assert_int_equal(dns_parse(p.b, p.n, &msg), IS_OK);
    assert_string_equal(msg.qname, "?.test");
}

static void t_server_addresses(void **state)
{
    (void)state;
    struct sockaddr_storage ss;
    size_t len;
    assert_int_equal(dns_parse_server("127.0.0.1:5353", &ss, &len), IS_OK);
    assert_int_equal(ss.ss_family, AF_INET);
    assert_int_equal(dns_parse_server("127.0.0.1", &ss, &len), IS_OK);
    assert_int_equal(dns_parse_server("[::1]:53", &ss, &len), IS_OK);
    assert_int_equal(ss.ss_family, AF_INET6);
    assert_int_equal(dns_parse_server("::1", &ss, &len), IS_OK);
    const char *bad[] = {
        "",     "host:53", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:x",
        "[::1", "[::1]x",  "1.2.3.4:5:6"};
    for (size_t i = 0; i < IS_ARRAY_LEN(bad); i++)
        assert_int_equal(dns_parse_server(bad[i], &ss, &len), IS_ERR_INVALID);
}

static void t_default_server_from_resolv_conf(void **state)
{
    (void)state;
    char path[] = "/tmp/test_probe_dns_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char text[] = "# comment\nsearch example\n"
                        "nameserver   10.0.0.53  # first\n"
                        "nameserver 10.0.0.54\n";
    assert_int_equal(write(fd, text, sizeof text - 1),
                     (ssize_t)(sizeof text - 1));
    close(fd);
    char out[64];
    assert_int_equal(dns_default_server(path, out, sizeof out), IS_OK);
    assert_string_equal(out, "10.0.0.53");
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "nameserver fe80::1%eth0\n", 24), 24);
    close(fd);
    assert_int_equal(dns_default_server(path, out, sizeof out), IS_OK);
    assert_string_equal(out, "[fe80::1]");
    fd = open(path, O_WRONLY | O_TRUNC);
    close(fd);
    assert_int_equal(dns_default_server(path, out, sizeof out),
                     IS_ERR_NOTFOUND);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_query_roundtrip),
        cmocka_unit_test(t_query_bad_names),
        cmocka_unit_test(t_answer_with_cname_and_compression),
        cmocka_unit_test(t_rcode_and_tc),
        cmocka_unit_test(t_every_truncation_refused),
        cmocka_unit_test(t_compression_loops_refused),
        cmocka_unit_test(t_long_chain_of_pointers_bounded),
        cmocka_unit_test(t_overlong_name_refused),
        cmocka_unit_test(t_small_output_refused),
        cmocka_unit_test(t_bad_rdata_refused),
        cmocka_unit_test(t_many_answers_kept_bounded),
        cmocka_unit_test(t_odd_label_bytes_replaced),
        cmocka_unit_test(t_server_addresses),
        cmocka_unit_test(t_default_server_from_resolv_conf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
