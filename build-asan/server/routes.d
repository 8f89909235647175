build-asan/server/routes.o: server/routes.c server/auth.h server/httpd.h \
 server/config.h lib/problem.h lib/router.h server/principal.h \
 server/handlers.h server/h_households.h server/h_workers.h \
 server/h_taxonomy.h server/h_employers.h server/h_vacancies.h \
 server/h_projects.h server/h_applications.h server/h_placements.h \
 server/routes/households.inc server/routes/workers.inc \
 server/routes/taxonomy.inc server/routes/employers.inc \
 server/routes/vacancies.inc server/routes/projects.inc \
 server/routes/applications.inc server/routes/placements.inc
server/auth.h:
server/httpd.h:
server/config.h:
lib/problem.h:
lib/router.h:
server/principal.h:
server/handlers.h:
server/h_households.h:
server/h_workers.h:
server/h_taxonomy.h:
server/h_employers.h:
server/h_vacancies.h:
server/h_projects.h:
server/h_applications.h:
server/h_placements.h:
server/routes/households.inc:
server/routes/workers.inc:
server/routes/taxonomy.inc:
server/routes/employers.inc:
server/routes/vacancies.inc:
server/routes/projects.inc:
server/routes/applications.inc:
server/routes/placements.inc:
