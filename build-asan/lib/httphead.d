build-asan/lib/httphead.o: lib/httphead.c lib/httphead.h
lib/httphead.h:
