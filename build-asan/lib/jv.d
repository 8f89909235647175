build-asan/lib/jv.o: lib/jv.c lib/jv.h lib/problem.h lib/validate.h
lib/jv.h:
lib/problem.h:
lib/validate.h:
