/*
 * fuzz_dns.c - fuzz target of the prober's DNS answer parser (probe/dns.c),
 * which reads network input: dns_parse on the whole input, and
 * dns_read_name from every offset. libFuzzer entry point; fuzz/build.sh
 * builds it with clang -fsanitize=fuzzer, or, without libFuzzer, with the
 * replay driver (fuzz/replay.c) that runs the corpus files once.
 */
#include "common/common.h"

#include "probe/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dns_msg msg;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (dns_parse(data, size, &msg) == IS_OK) {
        /* what a caller reads of a parsed message must be terminated */
        if (strlen(msg.qname) >= sizeof msg.qname)
            abort();
        if (msg.n_rr < 0 || msg.n_rr > DNS_MAX_RR || msg.n_rr > msg.ancount)
            abort();
        for (int i = 0; i < msg.n_rr; i++)
            if (strlen(msg.rr[i].name) >= DNS_NAME_LEN ||
                strlen(msg.rr[i].target) >= DNS_NAME_LEN)
                abort();
    }
    char out[DNS_NAME_LEN];
    for (size_t off = 0; off < size && off < 512; off++) {
        size_t o = off;
        if (dns_read_name(data, size, &o, out, sizeof out) == IS_OK &&
            (o <= off || o > size || strlen(out) > 253))
            abort();
    }
    return 0;
}
