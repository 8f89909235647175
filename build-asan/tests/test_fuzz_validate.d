build-asan/tests/test_fuzz_validate: tests/fuzz/replay.c
