build-asan/tests/test_fuzz_router: tests/fuzz/replay.c
