# Convenience wrappers; the scripts are the source of truth (README).
.PHONY: run test bench build clean format
run:
	./scripts/run-hub.sh
test:
	./scripts/test.sh
bench:
	./bench/run_all.sh
build:
	./scripts/deps.sh && { [ -f build/build.ninja ] || meson setup build -Dtests=false --buildtype=release; } && ninja -C build
format:
	clang-format -i src/*.c src/*/*.c src/*/*.h tools/*.c
clean:
	rm -rf build build-test build-asan build-bench
