build-asan/tests/test_fuzz_json: tests/fuzz/replay.c
