build-asan/server/pgpool.o: server/pgpool.c server/pgpool.h \
 /usr/include/postgresql/libpq-fe.h \
 /usr/include/postgresql/postgres_ext.h \
 /usr/include/postgresql/pg_config_ext.h server/clock.h server/log.h
server/pgpool.h:
/usr/include/postgresql/libpq-fe.h:
/usr/include/postgresql/postgres_ext.h:
/usr/include/postgresql/pg_config_ext.h:
server/clock.h:
server/log.h:
