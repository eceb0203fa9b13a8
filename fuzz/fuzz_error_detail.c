/*
 * fuzz_error_detail.c - fuzz target of the lookup of an error message's
 * Japanese (http/error_detail.c: http_error_detail_ja reads a message the
 * hub wrote, which quotes the request's own names and values). The first
 * byte is the length of the field, the rest the message, cut as
 * http_error cuts it (511 bytes). A detail, when given, is not empty, is
 * valid UTF-8 when the message is, and is no longer than the longest row
 * with the whole message in each of its (at most 6) holes.
 * libFuzzer entry point; fuzz/build.sh builds it.
 */
#include "common/common.h"

#include "common/util.h"
#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t flen = data[0] % 64;
    data++;
    size--;
    if (flen > size)
        flen = size;
    char field[64], msg[512];
    memcpy(field, data, flen);
    field[flen] = '\0';
    size_t mlen = size - flen < sizeof(msg) - 1 ? size - flen : sizeof(msg) - 1;
    memcpy(msg, data + flen, mlen);
    msg[mlen] = '\0';
    struct buf b;
    buf_init(&b, 0);
    if (http_error_detail_ja(msg, field, &b)) {
        const char *d = buf_str(&b);
        size_t n = strlen(d);
        if (n == 0)
            abort();
        if (util_utf8_ok(msg, strlen(msg)) && !util_utf8_ok(d, n))
            abort();
        /* each row has at most 6 values, each at most the message */
        if (n > 6 * strlen(msg) + 2048)
            abort();
    }
    buf_release(&b);
    return 0;
}
