/*
 * replay.c - runs a libFuzzer target once on each file named on the command
 * line (for a compiler without libFuzzer, and to replay a corpus or a crash
 * under AddressSanitizer). Exit 0 when every input ran.
 */
#include "common/common.h"

#include "common/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        char *data = NULL;
        size_t len = 0;
        if (util_read_file(argv[i], 1 << 20, &data, &len) != IS_OK) {
            fprintf(stderr, "replay: cannot read %s\n", argv[i]);
            return 1;
        }
        LLVMFuzzerTestOneInput((const uint8_t *)data, len);
        free(data);
    }
    printf("replay: %d inputs\n", argc - 1);
    return 0;
}
