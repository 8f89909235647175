build-asan/server/h_health.o: server/h_health.c server/embedded.h \
 server/handlers.h server/httpd.h server/config.h lib/problem.h \
 lib/router.h server/migrate.h server/pgpool.h \
 /usr/include/postgresql/libpq-fe.h \
 /usr/include/postgresql/postgres_ext.h \
 /usr/include/postgresql/pg_config_ext.h
server/embedded.h:
server/handlers.h:
server/httpd.h:
server/config.h:
lib/problem.h:
lib/router.h:
server/migrate.h:
server/pgpool.h:
/usr/include/postgresql/libpq-fe.h:
/usr/include/postgresql/postgres_ext.h:
/usr/include/postgresql/pg_config_ext.h:
