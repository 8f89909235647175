build-asan/lib/csv.o: lib/csv.c lib/csv.h lib/validate.h
lib/csv.h:
lib/validate.h:
