build-asan/gen/embedded.o: build-asan/gen/embedded.c server/embedded.h
server/embedded.h:
