build-asan/tests/test_fuzz_httphead: tests/fuzz/replay.c
