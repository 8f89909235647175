build-asan/server/dbreply.o: server/dbreply.c server/dbreply.h \
 server/httpd.h server/config.h lib/problem.h lib/router.h \
 server/pgpool.h /usr/include/postgresql/libpq-fe.h \
 /usr/include/postgresql/postgres_ext.h \
 /usr/include/postgresql/pg_config_ext.h server/log.h server/principal.h
server/dbreply.h:
server/httpd.h:
server/config.h:
lib/problem.h:
lib/router.h:
server/pgpool.h:
/usr/include/postgresql/libpq-fe.h:
/usr/include/postgresql/postgres_ext.h:
/usr/include/postgresql/pg_config_ext.h:
server/log.h:
server/principal.h:
