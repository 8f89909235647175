build-asan/tests/test_fuzz_csv: tests/fuzz/replay.c
