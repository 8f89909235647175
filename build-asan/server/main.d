build-asan/server/main.o: server/main.c server/config.h server/handlers.h \
 server/httpd.h lib/problem.h lib/router.h server/log.h server/migrate.h
server/config.h:
server/handlers.h:
server/httpd.h:
lib/problem.h:
lib/router.h:
server/log.h:
server/migrate.h:
