/* One piece of the demo's SQL (demo_sql.h). */
#include "demo_sql.h"
#include "log.h"

bool demo_sql_run(PGconn *conn, const char *what, const char *sql)
{
    PGresult *r = PQexec(conn, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        log_error("demo data (%s): %s", what, PQerrorMessage(conn));
    PQclear(r);
    return ok;
}
