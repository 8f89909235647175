/*
 * admin: account administration from the command line
 * (leye-server admin <command> [--name=value ...]).
 * Uses blocking libpq: command line only.
 */
#ifndef LEYE_ADMIN_H
#define LEYE_ADMIN_H

#include <stdio.h>

/* Runs an admin command; argv[0] is the command.  Returns the exit status. */
int admin_main(const char *conninfo, int argc, char **argv);

/* Prints every admin command with its arguments, each line indented by
 * indent spaces (leye-server help, leye-server admin help). */
void admin_usage(FILE *out, int indent);

#endif
