build-asan/server/bgjob.o: server/bgjob.c server/bgjob.h
server/bgjob.h:
