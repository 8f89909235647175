build-asan/tests/test_httphead: tests/unit/test_httphead.c lib/httphead.h
lib/httphead.h:
