/*
 * site_url.h - the URL of a website registered for response observation
 * (docs/rules.md "Registration and visibility"): parsing into a canonical
 * form and the class of a literal address. Pure: no I/O, no name lookup
 * (a host name's addresses are the prober's to check when it resolves
 * them, with site_addr_class_v4/_v6 and site_addr_allowed).
 */
#ifndef INFRASHARE_SITE_URL_H
#define INFRASHARE_SITE_URL_H

#include "common/common.h"

/* bytes of a registered URL (and of its canonical form) */
#define SITE_URL_MAX 2048
#define SITE_HOST_MAX 253

/* What a host is: a name (not resolved here) or a literal address of a
 * class. Every class but NAME and PUBLIC is refused in production mode;
 * test mode (infrashared --test-mode) admits LOOPBACK too. */
enum site_addr_class {
    SITE_ADDR_NAME,       /* a DNS name */
    SITE_ADDR_PUBLIC,     /* a global unicast literal */
    SITE_ADDR_LOOPBACK,   /* 127/8, ::1, "localhost", *.localhost */
    SITE_ADDR_PRIVATE,    /* 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10 */
    SITE_ADDR_LINK_LOCAL, /* 169.254/16, fe80::/10 */
    SITE_ADDR_CGNAT,      /* 100.64/10 (shared address space) */
    SITE_ADDR_MULTICAST,  /* 224/4, ff00::/8 */
    SITE_ADDR_UNSPECIFIED, /* 0/8, :: */
    SITE_ADDR_RESERVED     /* 240/4, broadcast, documentation, benchmarking,
                              192.0.0/24, 2001:db8::/32, 100::/64 */
};

struct site_url {
    char canon[SITE_URL_MAX + 1]; /* scheme://host[:port]/path[?query] */
    char host[SITE_HOST_MAX + 3]; /* lower case; IPv6 without brackets */
    int port;                     /* effective port (80/443 by default) */
    bool https;
    enum site_addr_class cls;
};

/* Parses url into out. NULL on success, else a static English sentence
 * saying what is wrong (the caller names the field). Refused: a scheme
 * other than http/https, user information ("user@"), an empty or malformed
 * host or port, a host that is neither a name nor an address (an
 * all-numeric last label that is no IPv4 address), IPv6 zone ids, spaces,
 * control and non-ASCII bytes, a canonical form longer than SITE_URL_MAX.
 * IPv4 hosts written the way inet_aton reads them (2130706433, 0x7f.1,
 * 0177.0.0.1) are read as the address they name and canonicalised to
 * dotted decimal; IPv6 literals to their RFC 5952 form. The fragment is
 * dropped; an empty path is "/"; the default port is left out. */
const char *site_url_parse(const char *url, struct site_url *out);

/* The class of an IPv4 address (host byte order). */
enum site_addr_class site_addr_class_v4(uint32_t a);
/* The class of an IPv6 address; IPv4-mapped (::ffff:a.b.c.d),
 * IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16)
 * addresses take the class of the IPv4 address they carry. */
enum site_addr_class site_addr_class_v6(const unsigned char a[16]);
/* May a site whose host has class c be registered or probed? */
bool site_addr_allowed(enum site_addr_class c, bool test_mode);
/* "loopback", "private", ... (for messages). */
const char *site_addr_class_name(enum site_addr_class c);

#endif
