# hoshu: the two commands a new user needs.
#   make run    installs what is missing, builds, and evaluates the bundled IIJ example
#   make test   builds and runs every test (unit, golden CLI, error goldens) through CTest
BUILD ?= build
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo
# Profile-guided optimization (PGO=0 builds without it): hoshu is first built instrumented
# in $(BUILD)-pgo and trained on the bundled IIJ example (a simulation, an evaluation), then
# $(BUILD) is compiled with that profile, so that branches and inlining follow a real
# workload. The results are the same; a simulation is about a tenth faster.
PGO ?= 1
PGO_DIR := $(abspath $(BUILD))-pgo
PROFILE := $(PGO_DIR)/profile

.PHONY: run test build deps bench bench-memory sanitize fuzz-smoke clean

deps:
	@bash scripts/install-deps.sh

build: deps
ifeq ($(PGO),1)
	@cmake -S . -B $(PGO_DIR) $(CMAKE_FLAGS) -DHOSHU_BUILD_TESTS=OFF -DHOSHU_BUILD_BENCH=OFF \
		"-DCMAKE_CXX_FLAGS=-fprofile-generate=$(PROFILE) -fprofile-prefix-path=$(PGO_DIR)" > /dev/null
	@cmake --build $(PGO_DIR) -j $(JOBS) --target hoshu
	@rm -rf $(PROFILE)
	@$(PGO_DIR)/hoshu simulate rules/iij --inputs examples/iij/fy2024.toml --model examples/iij/model.toml \
		--paths 20000 --seed 42 --threads 1 > /dev/null
	@$(PGO_DIR)/hoshu eval rules/iij --inputs examples/iij/fy2024.toml > /dev/null
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) "-DCMAKE_CXX_FLAGS=-fprofile-use=$(PROFILE) \
		-fprofile-prefix-path=$(abspath $(BUILD)) -fprofile-partial-training -fprofile-correction -Wno-missing-profile \
		-Wno-coverage-mismatch" > /dev/null
else
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) -DCMAKE_CXX_FLAGS= > /dev/null
endif
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
	rm -rf $(BUILD) $(PGO_DIR) build-sanitize build-fuzz
