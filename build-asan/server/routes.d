build-asan/server/routes.o: server/routes.c server/handlers.h \
 server/httpd.h server/config.h lib/problem.h lib/router.h
server/handlers.h:
server/httpd.h:
server/config.h:
lib/problem.h:
lib/router.h:
