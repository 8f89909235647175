build-asan/server/pii.o: server/pii.c server/pii.h server/log.h
server/pii.h:
server/log.h:
