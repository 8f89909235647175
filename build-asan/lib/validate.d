build-asan/lib/validate.o: lib/validate.c lib/validate.h
lib/validate.h:
