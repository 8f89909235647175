build-asan/tests/test_csv: tests/unit/test_csv.c lib/csv.h
lib/csv.h:
