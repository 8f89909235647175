build-asan/server/h_regions.o: server/h_regions.c server/dbreply.h \
 server/httpd.h server/config.h lib/problem.h lib/router.h \
 server/pgpool.h /usr/include/postgresql/libpq-fe.h \
 /usr/include/postgresql/postgres_ext.h \
 /usr/include/postgresql/pg_config_ext.h server/handlers.h \
 server/h_households.h server/h_workers.h server/h_taxonomy.h \
 server/h_employers.h server/h_vacancies.h server/h_projects.h \
 server/h_applications.h server/h_placements.h
server/dbreply.h:
server/httpd.h:
server/config.h:
lib/problem.h:
lib/router.h:
server/pgpool.h:
/usr/include/postgresql/libpq-fe.h:
/usr/include/postgresql/postgres_ext.h:
/usr/include/postgresql/pg_config_ext.h:
server/handlers.h:
server/h_households.h:
server/h_workers.h:
server/h_taxonomy.h:
server/h_employers.h:
server/h_vacancies.h:
server/h_projects.h:
server/h_applications.h:
server/h_placements.h:
