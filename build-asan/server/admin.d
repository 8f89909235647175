build-asan/server/admin.o: server/admin.c server/admin.h server/auth.h \
 server/httpd.h server/config.h lib/problem.h lib/router.h \
 server/principal.h server/log.h /usr/include/postgresql/libpq-fe.h \
 /usr/include/postgresql/postgres_ext.h \
 /usr/include/postgresql/pg_config_ext.h
server/admin.h:
server/auth.h:
server/httpd.h:
server/config.h:
lib/problem.h:
lib/router.h:
server/principal.h:
server/log.h:
/usr/include/postgresql/libpq-fe.h:
/usr/include/postgresql/postgres_ext.h:
/usr/include/postgresql/pg_config_ext.h:
