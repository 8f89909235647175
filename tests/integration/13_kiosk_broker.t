# Kiosk sign-in with ID number and PIN, PIN lockout, idle expiry, self-only
# access; broker API keys with scopes, revocation and a rate limit.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;

my $srv = start_server();
my $tag = 'kb' . $$ . int(rand(1e5));
my $bin = $ENV{LEYE_SERVER_BIN};
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); my $out = `$bin admin @_ 2>&1`; chomp $out; return $out }

# a valid ID number unique to this run: region 530621, birth 1990-01-01, serial from the pid
my $body = sprintf('5306211990%04d%03d', 101, $$ % 1000);
my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
my $id_number = $body . substr('10X98765432', $sum % 11, 1);
my $hash = cli("id-hash --id-number=$id_number");
like($hash, qr/^\\x[0-9a-f]{64}$/, 'admin id-hash gives the blind index');

my $site = http($srv, 'POST', '/v1/sites', body => { name => "$tag", county_code => 530621, kind => 'scattered' })->{json}{id};
my $hh = psql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, 530621, 4) RETURNING id");
my $worker = psql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex)
    VALUES ($hh, '$tag', '$hash', '\\x00', '530621********0101', '1990-01-01', 'M') RETURNING id");

my $login = sub { http($srv, 'POST', '/v1/kiosk/login', anonymous => 1, body => { id_number => $id_number, pin => $_[0] }) };
is($login->('123456')->{status}, 401, 'no PIN set yet: 401');
my $r = http($srv, 'PUT', "/v1/workers/$worker/pin", body => { pin => '12345' });
is($r->{status}, 422, 'a PIN must have six digits');
$r = http($srv, 'PUT', "/v1/workers/$worker/pin", body => { pin => '246810' });
is($r->{status}, 200, 'staff set a PIN');
unlike(psql_value("SELECT pin_hash FROM worker_pin WHERE worker_id = $worker"), qr/246810/, 'stored only as a hash');
like(psql_value("SELECT pin_hash FROM worker_pin WHERE worker_id = $worker"), qr/^\$argon2id\$/, 'an Argon2id hash');

$r = $login->('246810');
is($r->{status}, 200, 'the job seeker logs in with ID number and PIN');
my $kiosk = $r->{json}{token};
like($kiosk, qr/^lyk_/, 'a kiosk token');
is($r->{json}{idle_timeout}, 120, 'that ends after 120 s idle');
is(http($srv, 'GET', '/v1/sites', token => $kiosk)->{status}, 403, 'a kiosk session cannot reach staff routes');
is(http($srv, 'POST', '/v1/kiosk/logout', token => $kiosk)->{status}, 204, 'logout');
is(http($srv, 'POST', '/v1/kiosk/logout', token => $kiosk)->{status}, 401, 'then the token is dead');

$r = $login->('246810');
$kiosk = $r->{json}{token};
psql("UPDATE kiosk_session SET last_seen = now() - interval '121 seconds' WHERE worker_id = $worker AND ended_at IS NULL");
is(http($srv, 'POST', '/v1/kiosk/logout', token => $kiosk)->{status}, 401, 'a session idle for 120 s is over');

$r = $login->('000000');
is($r->{status}, 401, 'a wrong PIN gets 401');
is($r->{json}{code}, 'invalid_pin', 'saying plainly the PIN or ID number is wrong');
is($r->{json}{attempts_left}, 4, 'and how many tries are left');
$login->('000000') for 1 .. 3;
$r = $login->('000000');
is($r->{status}, 423, 'the fifth wrong PIN locks it');
is($r->{json}{code}, 'pin_locked', 'pin_locked');
like($r->{json}{detail}, qr/服务台/, 'telling the person to see the service desk');
is($login->('246810')->{status}, 423, 'even the right PIN is refused while locked');
like(cli("reset-pin --worker=$worker --pin-env=PIN", ), qr/needs/, 'reset-pin needs a PIN');
{ local $ENV{PIN} = '135790'; like(cli("reset-pin --worker=$worker --pin-env=PIN"), qr/pin set/, 'staff reset the PIN'); }
is($login->('135790')->{status}, 200, 'and the person can log in again');

# brokers
like(cli("create-broker --name=$tag-broker"), qr/^broker (\d+)$/, 'create a broker');
my ($broker) = cli("create-broker --name=$tag-broker2") =~ /(\d+)/;
my ($kid, $key) = cli("create-key --broker=$broker --scopes=vacancies:read --rate=5") =~ /^key (\d+) (\S+) /;
like($key, qr/^lyb_/, 'an API key, shown once');
is(psql_value("SELECT count(*) FROM broker_key WHERE prefix = left('$key', 10) AND key_hash IS NOT NULL"), 1, 'stored as a hash');
# the window is whole minutes of the clock: start early in one, so that the
# requests below fall in the same window
my $first = http($srv, 'GET', '/v1/vacancies?limit=1', token => $key);
if ($first->{headers}{'ratelimit-reset'} < 15) {
    sleep $first->{headers}{'ratelimit-reset'} + 1;
    $first = http($srv, 'GET', '/v1/vacancies?limit=1', token => $key);
}
is($first->{status}, 200, 'a broker reads vacancies');
is($first->{headers}{'ratelimit-limit'}, 5, 'RateLimit-Limit is the key\'s rate');
is($first->{headers}{'ratelimit-remaining'}, 4, 'RateLimit-Remaining counts this request');
like($first->{headers}{'ratelimit-reset'}, qr/^(?:[1-9]|[1-5][0-9]|60)$/, 'RateLimit-Reset: seconds to the window\'s end');
is($first->{headers}{'ratelimit-policy'}, '5;w=60', 'RateLimit-Policy: 5 per 60 s');
is(http($srv, 'GET', '/v1/sites', token => $key)->{status}, 403, 'a broker cannot reach staff routes');
my @answers = map { http($srv, 'GET', '/v1/sites', token => $key) } 1 .. 4;
my @statuses = map { $_->{status} } @answers;
is_deeply(\@statuses, [403, 403, 403, 429], 'the per-key rate limit answers 429 at the sixth request');
is($answers[0]{headers}{'ratelimit-remaining'}, 2, 'a refused request (403) still counts');
is($answers[2]{headers}{'ratelimit-remaining'}, 0, 'none left after the fifth');
is($answers[3]{headers}{'ratelimit-remaining'}, 0, 'the 429 says none are left');
ok($answers[3]{headers}{'retry-after'} >= 1 && $answers[3]{headers}{'retry-after'} <= 60,
   'with Retry-After until the window ends');
is($answers[3]{headers}{'retry-after'}, $answers[3]{headers}{'ratelimit-reset'}, 'the same as RateLimit-Reset');
is($answers[3]{json}{code}, 'too_many_requests', 'as problem+json too_many_requests');
ok(!defined http($srv, 'GET', '/v1/sites')->{headers}{'ratelimit-limit'}, 'staff answers carry no RateLimit headers');
like(cli("revoke-key --key=$kid"), qr/revoked/, 'revoke the key');
my $dead = http($srv, 'GET', '/v1/sites', token => $key);
is($dead->{status}, 401, 'a revoked key gets 401');
is($dead->{content}, http($srv, 'GET', '/v1/sites', token => 'lyb_' . ('Z' x 43))->{content}, 'the same body as an unknown key');

# the command line says what it did not do, with a non-zero exit status
sub cli_rc { local $ENV{LEYE_DATABASE_URL} = dsn(); my $out = `$bin admin @_ 2>&1`; my $rc = $? >> 8; chomp $out; return ($rc, $out) }
my ($rc, $out) = cli_rc("revoke-key --key=$kid");
isnt($rc, 0, 'revoking an already revoked key exits non-zero');
like($out, qr/broker key $kid was already revoked/, 'and says so');
my $unknown = psql_value('SELECT coalesce(max(id), 0) + 1000000 FROM broker_key');
($rc, $out) = cli_rc("revoke-key --key=$unknown");
isnt($rc, 0, 'revoking an unknown key exits non-zero');
like($out, qr/no broker key $unknown/, 'and says so');
($rc, $out) = cli_rc('revoke-key --key=abc');
is($rc, 2, 'a key id that is not a number: usage error');
like(cli("create-key --broker=$broker --scopes=vacancies:read --rate=7"), qr/^key \d+ \S+ \(rate limit: 7 requests per minute\)$/,
     'create-key prints the rate with its unit');
($rc, $out) = cli_rc("create-key --broker=$broker --scopes=vacancies:read --rate=0");
is($rc, 2, 'a rate of 0 is refused');
like($out, qr/requests per minute/, 'naming the unit');

my $help = `$bin help`;
like($help, qr/^  admin /m, 'help lists admin');
like($help, qr/^  policies /m, 'help lists policies');
like($help, qr/--rate=N\]\s+the key's rate limit in requests per minute/, 'help gives --rate its unit');
# every command the admin tool accepts is in the help, and nothing else
my @listed = $help =~ /^ {19}([a-z][a-z-]+)(?: |$)/mg;
is_deeply([sort @listed], [sort qw(create-user set-password create-broker create-key revoke-key reset-pin id-hash
                                    rotate-pii-key encrypt-phones)], 'help lists every admin sub-command');
for my $cmd (grep { $_ ne 'encrypt-phones' } @listed) {   # that one would run
    my (undef, $o) = cli_rc("$cmd --no-such-flag=1");
    unlike($o, qr/unknown admin command/, "admin $cmd is a command the tool knows");
}
my (undef, $o) = cli_rc('no-such-command');
like($o, qr/unknown admin command.*\n  create-user/s, 'an unknown admin command lists the commands');
{
    local $ENV{LEYE_DATABASE_URL} = '';
    my $text = `$bin admin help`;
    is($? >> 8, 0, 'admin help runs without a database');
    like($text, qr/^  revoke-key --key=/m, 'and lists the sub-commands');
}

done_testing();
