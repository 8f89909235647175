/* test_date: day numbers against known dates, round trips, leap years, months added. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "date.h"

static void test_known_days(void **state)
{
    (void)state;
    assert_int_equal(date_day(1970, 1, 1), 0);
    assert_int_equal(date_day(2000, 1, 1), 10957);
    assert_int_equal(date_day(1900, 1, 1), -25567);
    assert_int_equal(date_day(1969, 12, 31), -1);
    assert_int_equal(date_day(2024, 2, 29) + 1, date_day(2024, 3, 1));
    assert_int_equal(date_from_ymd(20000101), 10957);
    assert_int_equal(date_ymd(10957), 20000101);
    assert_int_equal(date_ymd(-25567), 19000101);
}

static void test_round_trip(void **state)
{
    (void)state;
    for (int32_t d = -200000; d < 200000; d += 7) {
        int y, m, dd;
        date_civil(d, &y, &m, &dd);
        assert_true(m >= 1 && m <= 12 && dd >= 1 && dd <= date_month_days(y, m));
        assert_int_equal(date_day(y, m, dd), d);
        assert_int_equal(date_from_ymd(date_ymd(d)), d);
    }
}

static void test_leap_and_month_days(void **state)
{
    (void)state;
    assert_true(date_is_leap(2000));
    assert_false(date_is_leap(1900));
    assert_true(date_is_leap(2024));
    assert_false(date_is_leap(2025));
    assert_int_equal(date_month_days(2024, 2), 29);
    assert_int_equal(date_month_days(2100, 2), 28);
    assert_int_equal(date_month_days(2025, 4), 30);
    assert_int_equal(date_month_days(2025, 12), 31);
}

static void test_add_months(void **state)
{
    (void)state;
    assert_int_equal(date_add_months(date_day(2024, 1, 31), 1), date_day(2024, 2, 29));
    assert_int_equal(date_add_months(date_day(2025, 1, 31), 1), date_day(2025, 2, 28));
    assert_int_equal(date_add_months(date_day(2025, 3, 15), 12), date_day(2026, 3, 15));
    assert_int_equal(date_add_months(date_day(2025, 3, 31), -1), date_day(2025, 2, 28));
    assert_int_equal(date_add_months(date_day(2025, 1, 10), -13), date_day(2023, 12, 10));
    assert_int_equal(date_add_months(date_day(2025, 5, 5), 0), date_day(2025, 5, 5));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_days),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_leap_and_month_days),
        cmocka_unit_test(test_add_months),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
