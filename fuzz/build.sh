#!/usr/bin/env bash
# Builds the fuzz targets (not part of the test command).
#   fuzz/build.sh            → fuzz/out/fuzz_<name> (libFuzzer, clang) and
#                              fuzz/out/replay_<name> (any compiler, ASan+UBSan)
#                              for each target: dns, obs_sketch, mail,
#                              scenario, taxii, error_detail
# Run:  mkdir -p fuzz/out/work && fuzz/out/fuzz_dns -max_total_time=60 fuzz/out/work fuzz/corpus/dns
#       fuzz/out/replay_dns fuzz/corpus/dns/*
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p fuzz/out
cc=${CC:-cc}
# target name → the sources it needs besides fuzz/fuzz_<name>.c
declare -A sources=(
    [dns]="src/probe/dns.c src/common/util.c"
    [obs_sketch]="src/core/obs_sketch.c src/common/util.c"
    [mail]="src/mail/mail.c src/common/util.c"
    [scenario]="src/service/exercise_scenario.c src/core/exercise.c src/core/range.c src/core/agreement.c src/service/app.c src/common/util.c"
    [taxii]="src/core/taxii.c src/core/stix.c src/core/site_url.c src/core/access.c src/core/range.c src/core/agreement.c src/common/util.c"
    [error_detail]="src/http/error_detail.c src/http/error_detail_rows.c src/common/buf.c src/common/util.c"
)
# target name → pkg-config packages it needs besides libsodium
declare -A packages=([mail]="gmime-3.0 jansson libcrypto" [scenario]="jansson"
                     [taxii]="jansson libcrypto" [error_detail]="jansson")
for t in dns obs_sketch mail scenario taxii error_detail; do
    read -r -a src <<<"${sources[$t]}"
    libs=($(pkg-config --libs libsodium ${packages[$t]:-}) -lm)
    flags=(-std=c17 -D_GNU_SOURCE -Isrc -g -O1 -fno-omit-frame-pointer
           ${packages[$t]:+$(pkg-config --cflags ${packages[$t]})})
    "$cc" "${flags[@]}" -fsanitize=address,undefined -o "fuzz/out/replay_$t" \
        "fuzz/fuzz_$t.c" fuzz/replay.c "${src[@]}" "${libs[@]}"
    if command -v clang >/dev/null 2>&1; then
        clang "${flags[@]}" -fsanitize=fuzzer,address,undefined \
            -o "fuzz/out/fuzz_$t" "fuzz/fuzz_$t.c" "${src[@]}" "${libs[@]}"
        echo "built fuzz/out/fuzz_$t and fuzz/out/replay_$t"
    else
        echo "built fuzz/out/replay_$t (no clang: no libFuzzer binary)"
    fi
done
