build-asan/lib/router.o: lib/router.c lib/router.h
lib/router.h:
