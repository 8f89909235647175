build-asan/server/demo.o: server/demo.c server/demo.h server/log.h
server/demo.h:
server/log.h:
