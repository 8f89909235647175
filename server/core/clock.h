/* clock: monotonic time for deadlines, and today's date where Leye works. */
#ifndef LEYE_CLOCK_H
#define LEYE_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Microseconds on the monotonic clock. */
static inline int64_t clock_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Today's date as YYYYMMDD in China Standard Time (UTC+8, no daylight
 * saving), the day every date rule of the service is reckoned in. */
static inline int clock_today(void)
{
    time_t t = time(NULL) + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

#endif
