build-asan/server/httpd.o: server/httpd.c server/httpd.h server/config.h \
 lib/problem.h lib/router.h server/clock.h server/auth.h \
 server/principal.h server/bgjob.h lib/httphead.h server/log.h \
 server/metrics.h server/pgpool.h /usr/include/postgresql/libpq-fe.h \
 /usr/include/postgresql/postgres_ext.h \
 /usr/include/postgresql/pg_config_ext.h
server/httpd.h:
server/config.h:
lib/problem.h:
lib/router.h:
server/clock.h:
server/auth.h:
server/principal.h:
server/bgjob.h:
lib/httphead.h:
server/log.h:
server/metrics.h:
server/pgpool.h:
/usr/include/postgresql/libpq-fe.h:
/usr/include/postgresql/postgres_ext.h:
/usr/include/postgresql/pg_config_ext.h:
