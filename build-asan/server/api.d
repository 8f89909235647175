build-asan/server/api.o: server/api.c server/api.h server/httpd.h \
 server/config.h lib/problem.h lib/router.h lib/jv.h lib/problem.h \
 server/pgpool.h /usr/include/postgresql/libpq-fe.h \
 /usr/include/postgresql/postgres_ext.h \
 /usr/include/postgresql/pg_config_ext.h server/dbreply.h server/log.h \
 server/principal.h
server/api.h:
server/httpd.h:
server/config.h:
lib/problem.h:
lib/router.h:
lib/jv.h:
lib/problem.h:
server/pgpool.h:
/usr/include/postgresql/libpq-fe.h:
/usr/include/postgresql/postgres_ext.h:
/usr/include/postgresql/pg_config_ext.h:
server/dbreply.h:
server/log.h:
server/principal.h:
