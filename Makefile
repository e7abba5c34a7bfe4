# hoshu: the two commands a new user needs.
#   make run    installs what is missing, builds, and evaluates the bundled IIJ example
#   make test   builds and runs every test (unit, golden CLI, error goldens) through CTest
BUILD ?= build
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: run test build deps bench bench-memory sanitize fuzz-smoke clean

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) > /dev/null
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/hoshu eval rules/iij --inputs examples/iij/fy2024.toml

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	$(BUILD)/bench/hoshu_bench

bench-memory: build
	bash bench/simulate_memory.sh $(BUILD)/hoshu

# The whole test suite again, built with AddressSanitizer and UndefinedBehaviorSanitizer;
# any report fails a test (CI runs this after `make test`).
sanitize: deps
	@cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DHOSHU_SANITIZE=ON -DHOSHU_BUILD_BENCH=OFF > /dev/null
	@cmake --build build-sanitize -j $(JOBS)
	cd build-sanitize && HOSHU_SANITIZED=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS)

# Each libFuzzer target for a short, bounded time (CI); `bash fuzz/run.sh 3600` for an hour.
FUZZ_SECONDS ?= 30
fuzz-smoke:
	@bash scripts/install-deps.sh fuzz
	bash fuzz/run.sh $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) build-sanitize build-fuzz
