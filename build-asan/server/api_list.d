build-asan/server/api_list.o: server/api_list.c server/api.h \
 server/httpd.h server/config.h lib/problem.h lib/router.h lib/jv.h \
 lib/problem.h server/pgpool.h /usr/include/postgresql/libpq-fe.h \
 /usr/include/postgresql/postgres_ext.h \
 /usr/include/postgresql/pg_config_ext.h server/dbreply.h lib/validate.h
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
lib/validate.h:
