#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "whsig.h"

/* the example of the Standard Webhooks specification's reference libraries */
static const char *const spec_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
static const char *const spec_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
static const long long spec_ts = 1614265330;
static const char *const spec_body = "{\"test\": 2432232314}";
static const char *const spec_sig = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

static void test_sign_matches_the_specification(void **state)
{
    (void)state;
    char sig[WHSIG_ONE_MAX];
    assert_int_equal(whsig_sign(spec_secret, spec_id, spec_ts, spec_body, strlen(spec_body), sig),
                     0);
    assert_string_equal(sig, spec_sig);
}

static void test_verify_takes_any_of_several(void **state)
{
    (void)state;
    char header[200];
    snprintf(header, sizeof header, "v1,bm90IHRoaXMgb25l %s", spec_sig);
    assert_true(whsig_verify(spec_secret, spec_id, spec_ts, spec_body, strlen(spec_body), header));
    assert_false(
        whsig_verify(spec_secret, spec_id, spec_ts + 1, spec_body, strlen(spec_body), header));
    assert_false(whsig_verify(spec_secret, spec_id, spec_ts, "{}", 2, header));
    assert_false(whsig_verify(spec_secret, spec_id, spec_ts, spec_body, strlen(spec_body),
                              "v1,bm90IHRoaXMgb25l"));
}

static void test_bad_secrets_are_refused(void **state)
{
    (void)state;
    char sig[WHSIG_ONE_MAX];
    assert_int_equal(whsig_sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", spec_id, 1, "", 0, sig), -1);
    assert_int_equal(whsig_sign("whsec_***", spec_id, 1, "", 0, sig), -1);
    assert_int_equal(whsig_sign("whsec_", spec_id, 1, "", 0, sig), -1);
}

static void test_new_secrets_sign(void **state)
{
    (void)state;
    char a[WHSIG_SECRET_MAX + 1], b[WHSIG_SECRET_MAX + 1], sig[WHSIG_ONE_MAX];
    assert_int_equal(whsig_secret_new(32, a, sizeof a), 0);
    assert_int_equal(whsig_secret_new(32, b, sizeof b), 0);
    assert_string_not_equal(a, b);
    assert_int_equal(strncmp(a, "whsec_", 6), 0);
    assert_int_equal(whsig_sign(a, "msg_1", 1, "x", 1, sig), 0);
    assert_true(whsig_verify(a, "msg_1", 1, "x", 1, sig));
    assert_false(whsig_verify(b, "msg_1", 1, "x", 1, sig));
    assert_int_equal(whsig_secret_new(8, a, sizeof a), -1);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_matches_the_specification),
        cmocka_unit_test(test_verify_takes_any_of_several),
        cmocka_unit_test(test_bad_secrets_are_refused),
        cmocka_unit_test(test_new_secrets_sign),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
