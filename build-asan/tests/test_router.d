build-asan/tests/test_router: tests/unit/test_router.c lib/router.h
lib/router.h:
