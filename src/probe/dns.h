/*
 * dns.h - a small DNS stub resolver's wire format: building a query and a
 * bounds-checked parser of the answer (network input, untrusted).
 *
 * The prober resolves site names itself (libcurl on Debian is built without
 * c-ares, so it cannot be pointed at another resolver) and times the DNS
 * phase itself; probe/engine.c sends the queries over UDP without blocking.
 *
 * Parser contract (dns_parse): reads only pkt[0..len); every length, count
 * and compression pointer is checked; a compression pointer must point
 * strictly before the start of the run of labels it ends (so the runs'
 * starts decrease and no loop is possible) and a name may follow at most
 * DNS_MAX_JUMPS pointers; names longer than 255 wire bytes
 * are refused. Any violation → IS_ERR_INVALID and *msg is unspecified.
 * Records past DNS_MAX_RR in the answer section are counted but not kept.
 */
#ifndef INFRASHARE_PROBE_DNS_H
#define INFRASHARE_PROBE_DNS_H
#include "common/common.h"

/* A name in text form: at most 253 characters + NUL. A label byte that is
 * not a letter, digit, '-', '_' or '*' is written '?' (such names are never
 * queried by the prober, so they can never match a question). */
#define DNS_NAME_LEN 256
#define DNS_MAX_RR 32
#define DNS_MAX_JUMPS 32
#define DNS_PKT_MAX 4096 /* the largest answer read from a UDP socket */
#define DNS_QUERY_MAX 512

enum dns_type {
    DNS_T_A = 1,
    DNS_T_NS = 2,
    DNS_T_CNAME = 5,
    DNS_T_SOA = 6,
    DNS_T_AAAA = 28,
};

enum dns_rcode {
    DNS_RC_NOERROR = 0,
    DNS_RC_FORMERR = 1,
    DNS_RC_SERVFAIL = 2,
    DNS_RC_NXDOMAIN = 3,
    DNS_RC_NOTIMP = 4,
    DNS_RC_REFUSED = 5,
};

struct dns_rr {
    char name[DNS_NAME_LEN];
    uint16_t type;
    uint16_t cls;
    uint32_t ttl;
    uint8_t addr[16];          /* A (4 bytes) or AAAA (16 bytes) */
    char target[DNS_NAME_LEN]; /* NS, CNAME: the name in the rdata */
};

struct dns_msg {
    uint16_t id;
    bool qr; /* a response */
    bool tc; /* truncated */
    int rcode;
    char qname[DNS_NAME_LEN]; /* the question (qdcount must be 1) */
    uint16_t qtype;
    int ancount; /* answers in the packet */
    int n_rr;    /* answers kept in rr[] (≤ DNS_MAX_RR) */
    struct dns_rr rr[DNS_MAX_RR];
};

/* Writes a recursive query (RD set) for name (text, optional trailing dot;
 * labels 1..63 of letters, digits, '-', '_'; ≤ 253 characters) into out.
 * IS_OK with *len set, IS_ERR_INVALID for a bad name, IS_ERR_TOO_LARGE when
 * out is too small. */
int dns_build_query(uint16_t id, const char *name, uint16_t type, uint8_t *out,
                    size_t cap, size_t *len);

/* Parses a message (see the contract above). IS_OK or IS_ERR_INVALID. */
int dns_parse(const uint8_t *pkt, size_t len, struct dns_msg *msg);

/* Reads the (possibly compressed) name at *off into out (text, no trailing
 * dot, "" for the root) and advances *off past it in the packet. IS_OK or
 * IS_ERR_INVALID (bounds, loops, length, out too small). */
int dns_read_name(const uint8_t *pkt, size_t len, size_t *off, char *out,
                  size_t outcap);

/* Case-insensitive equality of two text names, ignoring a trailing dot. */
bool dns_name_eq(const char *a, const char *b);

/* Parses "ADDR:PORT", "[V6]:PORT", "ADDR" (port 53) or "V6" into a socket
 * address. IS_OK or IS_ERR_INVALID. */
struct sockaddr_storage;
int dns_parse_server(const char *s, struct sockaddr_storage *ss, size_t *sslen);

/* The first "nameserver" of a resolv.conf-style file into out ("ADDR" or
 * "[V6]"). IS_OK, IS_ERR_NOTFOUND, IS_ERR_IO. */
int dns_default_server(const char *path, char *out, size_t outcap);

#endif
