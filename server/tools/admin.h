/*
 * admin: account administration from the command line
 * (leye-server admin <command> [--name=value ...]).
 * Uses blocking libpq: command line only.
 */
#ifndef LEYE_ADMIN_H
#define LEYE_ADMIN_H

/* Runs an admin command; argv[0] is the command.  Returns the exit status. */
int admin_main(const char *conninfo, int argc, char **argv);

#endif
