build-asan/server/migrate.o: server/migrate.c server/migrate.h \
 server/embedded.h server/log.h /usr/include/postgresql/libpq-fe.h \
 /usr/include/postgresql/postgres_ext.h \
 /usr/include/postgresql/pg_config_ext.h
server/migrate.h:
server/embedded.h:
server/log.h:
/usr/include/postgresql/libpq-fe.h:
/usr/include/postgresql/postgres_ext.h:
/usr/include/postgresql/pg_config_ext.h:
