# hoshu: the two commands a new user needs.
#   make run    installs what is missing, builds hoshu (only it), and evaluates the bundled IIJ example
#   make test   builds what the tests need (hoshu, the unit tests, the benchmarks' smoke test) and
#               runs every test (unit, layering, golden CLI, error goldens, rule files) through CTest
# And for measuring and shipping:
#   make release  the profile-guided build of hoshu and the benchmarks, in $(RELEASE)
#   make bench    the benchmarks of the release build
BUILD   ?= build
RELEASE ?= build-release
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo
# Profile-guided optimization of the release build (PGO=0 builds it without): hoshu is first
# built instrumented in $(RELEASE)-pgo and trained on the bundled IIJ example (a simulation,
# an evaluation), then $(RELEASE) is compiled with that profile, so that branches and
# inlining follow a real workload. The results are the same; a simulation is about a tenth
# faster. `make run` and `make test` build without it: they build once, not twice.
PGO ?= 1
PGO_DIR := $(abspath $(RELEASE))-pgo
PROFILE := $(PGO_DIR)/profile
configure = cmake -S . -B $(BUILD) $(CMAKE_FLAGS) -DCMAKE_CXX_FLAGS= > /dev/null

.PHONY: run test build release deps bench bench-memory sanitize fuzz-smoke clean

deps:
	@bash scripts/install-deps.sh

run: deps
	@$(configure)
	@cmake --build $(BUILD) -j $(JOBS) --target hoshu
	$(BUILD)/hoshu eval rules/iij --inputs examples/iij/fy2024.toml

# Every target of the build tree: hoshu, the unit tests, the benchmarks (bench.smoke runs them).
build: deps
	@$(configure)
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

release: deps
ifeq ($(PGO),1)
	@cmake -S . -B $(PGO_DIR) $(CMAKE_FLAGS) -DHOSHU_BUILD_TESTS=OFF -DHOSHU_BUILD_BENCH=OFF \
		"-DCMAKE_CXX_FLAGS=-fprofile-generate=$(PROFILE) -fprofile-prefix-path=$(PGO_DIR)" > /dev/null
	@cmake --build $(PGO_DIR) -j $(JOBS) --target hoshu
	@rm -rf $(PROFILE)
	@$(PGO_DIR)/hoshu simulate rules/iij --inputs examples/iij/fy2024.toml --model examples/iij/model.toml \
		--paths 20000 --seed 42 --threads 1 > /dev/null
	@$(PGO_DIR)/hoshu eval rules/iij --inputs examples/iij/fy2024.toml > /dev/null
	@cmake -S . -B $(RELEASE) $(CMAKE_FLAGS) -DHOSHU_BUILD_TESTS=OFF "-DCMAKE_CXX_FLAGS=-fprofile-use=$(PROFILE) \
		-fprofile-prefix-path=$(abspath $(RELEASE)) -fprofile-partial-training -fprofile-correction -Wno-missing-profile \
		-Wno-coverage-mismatch" > /dev/null
else
	@cmake -S . -B $(RELEASE) $(CMAKE_FLAGS) -DHOSHU_BUILD_TESTS=OFF -DCMAKE_CXX_FLAGS= > /dev/null
endif
	@cmake --build $(RELEASE) -j $(JOBS) --target hoshu hoshu_bench

bench: release
	$(RELEASE)/bench/hoshu_bench

bench-memory: release
	bash bench/simulate_memory.sh $(RELEASE)/hoshu

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
	rm -rf $(BUILD) $(RELEASE) $(PGO_DIR) build-sanitize build-fuzz
