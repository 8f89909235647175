/*
 * date: calendar arithmetic on day numbers, the one home for it in Leye.
 *
 * A day number counts days since 1970-01-01 in the proleptic Gregorian
 * calendar (negative before it); H. Hinnant's civil-from-days algorithms,
 * exact for every year an int can hold.  A "ymd" is a date written as the
 * integer YYYYMMDD.  Pure functions: no time zone, no clock, no state.
 */
#ifndef LEYE_DATE_H
#define LEYE_DATE_H

#include <stdbool.h>
#include <stdint.h>

/* The day number of y-m-d (m 1..12, d 1..31; not checked). */
int32_t date_day(int y, int m, int d);

/* The calendar date of a day number, into *y, *m (1..12) and *d (1..31). */
void date_civil(int32_t day, int *y, int *m, int *d);

/* The day number of a YYYYMMDD date (not checked). */
int32_t date_from_ymd(int32_t ymd);

/* A day number as YYYYMMDD. */
int32_t date_ymd(int32_t day);

/* A date already validated as "YYYY-MM-DD" (validate_date) as YYYYMMDD. */
int32_t date_text_ymd(const char *s);

/* True in a Gregorian leap year. */
bool date_is_leap(int y);

/* The number of days of month m (1..12) in year y. */
int date_month_days(int y, int m);

/* day plus n months (n may be negative), the day of the month clamped to the
 * last day of the month reached, as PostgreSQL's date + interval does. */
int32_t date_add_months(int32_t day, int n);

#endif
