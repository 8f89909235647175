build-asan/server/auth.o: server/auth.c server/auth.h server/httpd.h \
 server/config.h lib/problem.h lib/router.h server/principal.h \
 server/api.h lib/jv.h lib/problem.h server/pgpool.h \
 /usr/include/postgresql/libpq-fe.h \
 /usr/include/postgresql/postgres_ext.h \
 /usr/include/postgresql/pg_config_ext.h server/bgjob.h server/dbreply.h \
 server/log.h server/policy.h
server/auth.h:
server/httpd.h:
server/config.h:
lib/problem.h:
lib/router.h:
server/principal.h:
server/api.h:
lib/jv.h:
lib/problem.h:
server/pgpool.h:
/usr/include/postgresql/libpq-fe.h:
/usr/include/postgresql/postgres_ext.h:
/usr/include/postgresql/pg_config_ext.h:
server/bgjob.h:
server/dbreply.h:
server/log.h:
server/policy.h:
