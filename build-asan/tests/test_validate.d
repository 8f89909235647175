build-asan/tests/test_validate: tests/unit/test_validate.c lib/validate.h
lib/validate.h:
