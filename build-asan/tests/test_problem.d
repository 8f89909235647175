build-asan/tests/test_problem: tests/unit/test_problem.c lib/problem.h
lib/problem.h:
