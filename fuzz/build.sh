#!/usr/bin/env bash
# Builds the fuzz targets (not part of the test command).
#   fuzz/build.sh            → fuzz/out/fuzz_dns (libFuzzer, clang) and
#                              fuzz/out/replay_dns (any compiler, ASan+UBSan)
# Run:  mkdir -p fuzz/out/work && fuzz/out/fuzz_dns -max_total_time=60 fuzz/out/work fuzz/corpus/dns
#       fuzz/out/replay_dns fuzz/corpus/dns/*
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p fuzz/out
src=(src/probe/dns.c src/common/util.c)
flags=(-std=c17 -D_GNU_SOURCE -Isrc -g -O1 -fno-omit-frame-pointer)
libs=($(pkg-config --libs libsodium))
cc=${CC:-cc}
"$cc" "${flags[@]}" -fsanitize=address,undefined -o fuzz/out/replay_dns \
    fuzz/fuzz_dns.c fuzz/replay.c "${src[@]}" "${libs[@]}"
if command -v clang >/dev/null 2>&1; then
    clang "${flags[@]}" -fsanitize=fuzzer,address,undefined \
        -o fuzz/out/fuzz_dns fuzz/fuzz_dns.c "${src[@]}" "${libs[@]}"
    echo "built fuzz/out/fuzz_dns and fuzz/out/replay_dns"
else
    echo "built fuzz/out/replay_dns (no clang: no libFuzzer binary)"
fi
