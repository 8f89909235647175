build-asan/server/main.o: server/main.c server/config.h server/handlers.h \
 server/httpd.h lib/problem.h lib/router.h server/h_households.h \
 server/h_workers.h server/h_taxonomy.h server/h_employers.h \
 server/h_vacancies.h server/h_projects.h server/h_applications.h \
 server/h_placements.h server/log.h server/migrate.h server/pii.h \
 server/admin.h server/auth.h server/principal.h server/demo.h
server/config.h:
server/handlers.h:
server/httpd.h:
lib/problem.h:
lib/router.h:
server/h_households.h:
server/h_workers.h:
server/h_taxonomy.h:
server/h_employers.h:
server/h_vacancies.h:
server/h_projects.h:
server/h_applications.h:
server/h_placements.h:
server/log.h:
server/migrate.h:
server/pii.h:
server/admin.h:
server/auth.h:
server/principal.h:
server/demo.h:
