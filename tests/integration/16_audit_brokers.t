# Administrators search the audit log; staff see each broker's applications,
# hires and six-month retention, over the applications in their scope.
use strict;
use warnings;
use utf8;
use Test::More;
use POSIX ();
use LeyeTest;

my $srv = start_server();
my $tag = 'AB' . $$ . int(rand(1e6));
my $bin = $ENV{LEYE_SERVER_BIN};
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); my $out = `$bin admin @_ 2>&1`; chomp $out; return $out }
sub day { my ($n) = @_; return POSIX::strftime('%Y-%m-%d', gmtime(time + 8 * 3600 + $n * 86400)) }

# --- the audit log
my $r = http($srv, 'POST', '/v1/sites', headers => { 'X-Request-Id' => "$tag-a1" },
             body => { name => "$tag 点", county_code => 530621, kind => 'scattered' });
is($r->{status}, 201, 'a write');
my $site = $r->{json}{id};
http($srv, 'PATCH', "/v1/sites/$site", headers => { 'X-Request-Id' => "$tag-a2", 'If-Match' => $r->{headers}{etag} },
     body => { people => 40 });

$r = http($srv, 'GET', "/v1/audit?request_id=$tag-a1");
is($r->{status}, 200, 'administrators search the audit log');
is(scalar @{ $r->{json}{items} }, 1, 'by request id');
my $e = $r->{json}{items}[0];
is_deeply([ @$e{qw(actor_kind actor_name action resource resource_id peer)} ],
          [ 'staff', 'leye-test-admin', 'insert', 'site', "$site", '127.0.0.1' ],
          'who, what, which record and from where');
like($e->{at}, qr/^\d{4}-\d\d-\d\dT/, 'and when');

$r = http($srv, 'GET', "/v1/audit?resource=site&resource_id=$site");
is_deeply([ map { $_->{action} } @{ $r->{json}{items} } ], [ 'update', 'insert' ], 'a record\'s history, newest first');
is_deeply($r->{json}{items}[0]{detail}{fields}, ['people'], 'an update names the fields it changed');

$r = http($srv, 'GET', "/v1/audit?resource=site&resource_id=$site&limit=1");
ok($r->{json}{next_cursor}, 'pages have a cursor');
my $r2 = http($srv, 'GET', "/v1/audit?resource=site&resource_id=$site&limit=1&cursor=$r->{json}{next_cursor}");
is($r2->{json}{items}[0]{action}, 'insert', 'the next page goes on');
is($r2->{json}{next_cursor}, undef, 'to the end');

$r = http($srv, 'GET', "/v1/audit?request_id=$tag-a1&from=" . day(0) . '&to=' . day(0));
is(scalar @{ $r->{json}{items} }, 1, 'a date range including today finds it');
$r = http($srv, 'GET', "/v1/audit?request_id=$tag-a1&to=" . day(-1));
is(scalar @{ $r->{json}{items} }, 0, 'one ending yesterday does not');
$r = http($srv, 'GET', '/v1/audit?from=' . day(0) . '&to=' . day(-2));
is($r->{status}, 422, 'a range ending before it starts is refused');
is($r->{json}{errors}[0]{field}, 'to', 'naming the field');
$r = http($srv, 'GET', '/v1/audit?actor_kind=robot');
is($r->{status}, 400, 'an unknown actor kind is refused');
$r = http($srv, 'GET', '/v1/audit?from=2026-02-30');
is($r->{status}, 400, 'so is a date that does not exist');
$r = http($srv, 'GET', "/v1/audit?request_id=$tag-a1&format=csv");
like($r->{content}, qr/leye-test-admin/, 'the log exports as CSV');

# only administrators
my $county_pw = 'pw-' . $tag . 'x';
{ local $ENV{PW} = $county_pw;
  like(cli("create-user --username=\L$tag\E.c --role=county_staff --counties=530621 --password-env=PW"), qr/^user \d+$/, "county staff"); }
my $ctok = login($srv, lc("$tag.c"), $county_pw);
ok($ctok, 'county staff log in');
is(http($srv, 'GET', '/v1/audit', token => $ctok)->{status}, 403, 'county staff cannot read the audit log');
is(http($srv, 'GET', '/v1/audit', anonymous => 1)->{status}, 401, 'nor can anyone anonymous');

# --- brokers and what their applications achieved
my ($broker) = cli("create-broker --name=$tag-broker") =~ /^broker (\d+)$/;
ok($broker, 'a broker');
my ($kid, $bkey) = cli("create-key --broker=$broker --scopes=applications:write --rate=100000") =~ /^key (\d+) (\S+) /;
my $employer = psql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 厂', "
                          . "'AB' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', 530621) RETURNING id");
sub vacancy {
    my ($county) = @_;
    return psql_value("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, headcount, "
                      . "wage_min, wage_max, status) VALUES ($employer, '$tag 岗', '6-29-01-01', 'regular', $county, 27.2, "
                      . "103.5, 10, 3000, 5000, 'open') RETURNING id");
}
my $hh = psql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, 530621, 6) RETURNING id");
sub worker {
    return psql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, "
                      . "birth_date, sex, consent_brokers) VALUES ($hh, '$tag $_[0]', "
                      . "decode(md5(random()::text || clock_timestamp()::text), 'hex'), '\\x00', "
                      . "'530621********0000', '1990-05-01', 'M', true) RETURNING id");
}
my $v = vacancy(530621);
my @apps;
for my $n (1 .. 4) {
    my $w = worker("w$n");
    $r = http($srv, 'POST', '/v1/applications', token => $bkey,
              body => { worker_id => $w + 0, vacancy_id => $v + 0, source => 'broker' });
    is($r->{status}, 201, "the broker applies for worker $n");
    push @apps, $r->{json}{id};
}
is(http($srv, 'GET', "/v1/applications/$apps[0]")->{json}{broker_name}, "$tag-broker", 'an application names its broker');
# three hired; two of them long enough ago to count for retention, one of those left after a month
for my $i (0 .. 2) {
    my $a = $apps[$i];
    for my $to (qw(shortlisted offered)) {
        is(http($srv, 'POST', "/v1/applications/$a/transitions", body => { to => $to })->{status}, 200, "app $i $to");
    }
    $r = http($srv, 'POST', "/v1/applications/$a/transitions", body => { to => 'hired', start_date => day(-3), wage => 4000 });
    is($r->{status}, 200, "app $i hired");
}
psql("UPDATE placement SET start_date = current_date - 240 WHERE application_id IN ($apps[0], $apps[1])");
psql("UPDATE placement SET ended_on = current_date - 200, end_reason = 'quit' WHERE application_id = $apps[1]");

$r = http($srv, 'GET', "/v1/brokers/$broker");
is($r->{status}, 200, 'staff read a broker');
is_deeply([ @{ $r->{json} }{qw(name applications hires active_placements due_6m retained_6m)} ],
          [ "$tag-broker", 4, 3, 2, 2, 1 ], 'with applications, hires, active placements and six-month retention');
is($r->{json}{retention_6m}, 0.5, 'retention as a share');
is($r->{json}{keys}, 1, 'and its live keys');

$r = http($srv, 'GET', "/v1/brokers?q=$tag");
is_deeply([ map { $_->{id} } @{ $r->{json}{items} } ], [ $broker + 0 ], 'brokers are listed by name');
$r = http($srv, 'GET', "/v1/applications?broker_id=$broker");
is(scalar @{ $r->{json}{items} }, 4, "each broker's applications are listed");
is(http($srv, 'GET', '/v1/applications?broker_id=x')->{status}, 400, 'a bad broker id is refused');

# scope: staff of another county count none of them
my $other_pw = 'pw-' . $tag . 'y';
{ local $ENV{PW} = $other_pw; cli("create-user --username=\L$tag\E.o --role=county_staff --counties=530102 --password-env=PW"); }
my $otok = login($srv, lc("$tag.o"), $other_pw);
ok($otok, 'staff of another county log in');
$r = http($srv, 'GET', "/v1/brokers/$broker", token => $otok);
is($r->{status}, 200, 'staff of another county see the broker');
is($r->{json}{applications}, 0, 'but none of the applications outside their scope');
is(http($srv, 'GET', "/v1/brokers/$broker", token => $ctok)->{json}{applications}, 4, 'staff of the county see all four');
is(http($srv, 'GET', '/v1/brokers', token => $bkey)->{status}, 403, 'brokers cannot list brokers');
is(http($srv, 'GET', '/v1/brokers/999999999')->{status}, 404, 'an unknown broker is 404');
done_testing();
