# Fuzz targets and sanitizer builds of the unit tests, included by the top
# Makefile:
#   make fuzz          build the libFuzzer targets into out/fuzz/
#   make fuzz-smoke    run each briefly on its seed corpus (make check does)
#   make fuzz-long     run each for FUZZ_TIME seconds (600), by hand
#   make asan-tests    unit tests built with ASan+UBSan into out/asan/, run by prove
# FUZZ_TARGETS="cmdline url" picks fuzzers; fuzz/rules.mk has the knobs.
#
# This file is read before the top Makefile sets LIB_SRC, CPPFLAGS and the
# rest, so the rules live in fuzz/rules.mk and run in a sub-make that gets
# those variables (as the top Makefile finally has them) on its command line.

fuzz_saved_goal := $(.DEFAULT_GOAL)

FUZZ_SUBMAKE = $(MAKE) --no-print-directory -f fuzz/rules.mk \
	OUT='$(OUT)' LIB_SRC='$(LIB_SRC)' INIT_SRC='$(INIT_SRC)' TEST_SRC='$(TEST_SRC)' \
	CPPFLAGS='$(CPPFLAGS)' WARN='$(WARN)' LIBS='$(LIBS)'

# The fuzzers and the ASan tests are host programs built with clang against
# glibc: with LIBC=musl (the default) the top Makefile is read again with
# LIBC=glibc, so that LIB_SRC, CPPFLAGS and LIBS are the glibc build's.
.PHONY: fuzz fuzz-smoke fuzz-long fuzz-list asan-tests
fuzz fuzz-smoke fuzz-long fuzz-list asan-tests:
	+@$(if $(filter glibc,$(LIBC)),$(FUZZ_SUBMAKE) $@,$(MAKE) --no-print-directory LIBC=glibc $@)

# Defining targets here must not change what a plain `make` builds.
.DEFAULT_GOAL := $(fuzz_saved_goal)
