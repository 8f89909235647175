# Staff login, sessions, policies, throttling and lockout.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(time sleep);
use LeyeTest;

my $srv = start_server();
my $tag = 'a' . $$ . int(rand(1e5));
sub make_user {
    my ($name, $role, %o) = @_;
    local $ENV{LEYE_DATABASE_URL} = dsn();
    local $ENV{PW} = $o{password} // 'correct horse battery';
    my @extra = map { "--$_=$o{$_}" } grep { $_ ne 'password' } keys %o;
    my $out = `$ENV{LEYE_SERVER_BIN} admin create-user --username=$name --role=$role --password-env=PW @extra 2>&1`;
    is($?, 0, "admin create-user $name ($role)") or diag $out;
}
make_user("$tag.viewer", 'viewer');
make_user("$tag.county", 'county_staff', counties => '530621');
make_user("$tag.lock", 'county_staff', counties => '530621');

# login
my $r = http($srv, 'POST', '/v1/auth/login', anonymous => 1, body => { username => "$tag.county", password => 'correct horse battery' });
is($r->{status}, 200, 'login with the right password');
my $token = $r->{json}{token};
like($token, qr/^lys_[A-Za-z0-9_-]{43}$/, 'an opaque 256-bit token');
is(psql_value("SELECT count(*) FROM staff_session WHERE token_hash = decode('" . unpack('H*', 'x') . "', 'hex')"), 0, 'sanity');
ok(!psql_value("SELECT count(*) FROM staff_session WHERE encode(token_hash, 'escape') LIKE '%" . substr($token, 4, 20) . "%'"),
   'the token itself is not stored');
$r = http($srv, 'GET', '/v1/auth/me', token => $token);
is($r->{json}{role}, 'county_staff', 'the session knows the role');
is_deeply($r->{json}{county_codes}, [530621], 'and the county scope');

# policies
is(http($srv, 'GET', '/v1/sites', anonymous => 1)->{status}, 401, 'no token: 401');
is(http($srv, 'GET', '/v1/sites', token => $token)->{status}, 200, 'county staff may list sites');
my $viewer = login($srv, "$tag.viewer", 'correct horse battery');
is(http($srv, 'GET', '/v1/sites', token => $viewer)->{status}, 403, 'a viewer may not');
is(http($srv, 'GET', '/healthz', anonymous => 1)->{status}, 200, 'public routes need no token');

# 401s are byte-identical for unknown, malformed and revoked tokens
my $unknown = http($srv, 'GET', '/v1/sites', token => 'lys_' . ('A' x 43));
my $garbage = http($srv, 'GET', '/v1/sites', token => 'garbage-token-that-is-long-enough');
is(http($srv, 'POST', '/v1/auth/logout', token => $viewer)->{status}, 204, 'logout');
my $revoked = http($srv, 'GET', '/v1/sites', token => $viewer);
is($revoked->{status}, 401, 'a revoked token gets 401');
is($unknown->{content}, $revoked->{content}, 'unknown and revoked tokens get the same body');
is($garbage->{content}, $revoked->{content}, 'malformed and revoked tokens get the same body');
my $missing = http($srv, 'GET', '/v1/sites', anonymous => 1);
is($missing->{content}, $revoked->{content}, 'no token at all: the same body');
like($revoked->{headers}{'www-authenticate'}, qr/^Bearer/, 'with WWW-Authenticate');
psql("UPDATE staff_session SET expires_at = now() - interval '1 second' WHERE account_id = (SELECT id FROM staff_account WHERE username = '$tag.county')");
# the session cache hears of the change at commit and forgets within a second
my $expired;
wait_until(sub { ($expired = http($srv, 'GET', '/v1/sites', token => $token))->{status} == 401 }, 2);
is($expired->{status}, 401, 'an expired token gets 401');
is($expired->{content}, $revoked->{content}, 'with the same body');

# wrong passwords: slowed after three, locked after ten
my @status;
for my $i (1 .. 4) {
    push @status, http($srv, 'POST', '/v1/auth/login', anonymous => 1, body => { username => "$tag.lock", password => "wrong $i" })->{status};
}
is_deeply([@status[0 .. 2]], [401, 401, 401], 'the first wrong passwords get 401');
$r = http($srv, 'POST', '/v1/auth/login', anonymous => 1, body => { username => "$tag.lock", password => 'correct horse battery' });
is($r->{status}, 429, 'then even the right password must wait');
ok($r->{headers}{'retry-after'} >= 1, 'told how long by Retry-After');
is(http($srv, 'POST', '/v1/auth/login', anonymous => 1, body => { username => "nobody-$tag", password => 'x' })->{status}, 401,
   'an unknown user gets the same 401 as a wrong password');
psql("UPDATE staff_account SET failed_logins = 9 WHERE username = '$tag.lock'");
psql("DELETE FROM login_throttle WHERE key = 'user:$tag.lock'");
http($srv, 'POST', '/v1/auth/login', anonymous => 1, body => { username => "$tag.lock", password => 'wrong 10' });
ok(psql_value("SELECT locked_until > now() + interval '14 minutes' FROM staff_account WHERE username = '$tag.lock'") eq 't',
   'ten failures lock the account for 15 minutes');
psql("DELETE FROM login_throttle WHERE key = 'user:$tag.lock'");
is(http($srv, 'POST', '/v1/auth/login', anonymous => 1, body => { username => "$tag.lock", password => 'correct horse battery' })->{status},
   429, 'a locked account cannot log in');
like(psql_value("SELECT string_agg(DISTINCT action, ',') FROM audit_log WHERE actor_name = '$tag.lock'"), qr/login_failed/,
     'failed logins are audited');
psql("DELETE FROM login_throttle WHERE key LIKE 'addr:%'");
my $passwords_logged = grep { /correct horse|wrong \d/ } split /\n/, $srv->log_text;
is($passwords_logged, 0, 'no password appears in the server log');
# changing the password ends every session of the account
make_user("$tag.pw", 'county_staff', counties => '530621');
my $t1 = login($srv, "$tag.pw", 'correct horse battery');
my $t2 = login($srv, "$tag.pw", 'correct horse battery');
is(http($srv, 'POST', '/v1/auth/password', token => $t1, body => { current_password => 'wrong', new_password => 'a new long password' })->{status},
   422, 'the current password must be right');
is(http($srv, 'POST', '/v1/auth/password', token => $t1, body => { current_password => 'correct horse battery', new_password => 'short' })->{status},
   422, 'the new one must be long enough');
is(http($srv, 'POST', '/v1/auth/password', token => $t1, body => { current_password => 'correct horse battery', new_password => 'a new long password' })->{status},
   204, 'password changed');
is(http($srv, 'GET', '/v1/auth/me', token => $t2)->{status}, 401, 'every session of the account has ended');
ok(login($srv, "$tag.pw", 'a new long password'), 'the new password works');
ok(!login($srv, "$tag.pw", 'correct horse battery'), 'the old one does not');
done_testing();
