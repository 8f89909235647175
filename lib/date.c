/* date: day numbers and calendar dates; see date.h. */
#include "date.h"

#include <stdlib.h>

int32_t date_day(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

void date_civil(int32_t day, int *y, int *m, int *d)
{
    int z = day + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

int32_t date_from_ymd(int32_t ymd)
{
    return date_day(ymd / 10000, ymd / 100 % 100, ymd % 100);
}

int32_t date_ymd(int32_t day)
{
    int y, m, d;
    date_civil(day, &y, &m, &d);
    return (int32_t)(y * 10000 + m * 100 + d);
}

int32_t date_text_ymd(const char *s)
{
    return atoi(s) * 10000 + atoi(s + 5) * 100 + atoi(s + 8);
}

bool date_is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_month_days(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && date_is_leap(y) ? 29 : days[m - 1];
}

int32_t date_add_months(int32_t day, int n)
{
    int y, m, d;
    date_civil(day, &y, &m, &d);
    int k = y * 12 + m - 1 + n;
    y = (k >= 0 ? k : k - 11) / 12;
    m = k - y * 12 + 1;
    int last = date_month_days(y, m);
    return date_day(y, m, d > last ? last : d);
}
