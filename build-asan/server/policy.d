build-asan/server/policy.o: server/policy.c server/policy.h \
 server/principal.h
server/policy.h:
server/principal.h:
