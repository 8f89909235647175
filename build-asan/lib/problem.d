build-asan/lib/problem.o: lib/problem.c lib/problem.h
lib/problem.h:
