# What each kind of caller receives of a person (docs/privacy.md):
# - the masked ID number cannot be completed without a reveal: answers carry
#   the region and check character and the age, never the birth date (not in
#   items, lists or CSV exports, for staff with or without pii:reveal); the
#   audited reveal is the one answer with the full number and birth date;
#   masks stored in the old shape are re-masked on the way out, and migration
#   031 rewrites them;
# - brokers learn nothing of poverty status: no priority part, no priority
#   reasons, a score and an order computed without it, on candidates, the
#   explained pairs, ad-hoc profiles and the weights;
# - a kiosk reaches only the signed-in person's own data, and its screen does
#   not spell out the household's poverty status.
use strict;
use warnings;
use utf8;
use Test::More;
use POSIX qw(strftime);
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $srv = start_server();
ok(wait_until(sub { (http($srv, 'GET', '/readyz', anonymous => 1)->{status} // 0) == 200 }, 30), 'the index loads');
my $tag = 'pv' . $$ . int(rand(1e5));
my $county = 530923;    # 永德: no other suite uses it
my $bin = $ENV{LEYE_SERVER_BIN};
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); my $out = `$bin admin @_ 2>&1`; chomp $out; return $out }
sub v { psql_value(@_) }

# a day relative to today in China, as YYYY-MM-DD
sub day { strftime('%Y-%m-%d', gmtime(time + 8 * 3600 + 86400 * $_[0])) }
# a valid ID number of $county born $years years and $days days ago, serial $seq
sub id_number {
    my ($years, $days, $seq) = @_;
    my @t = gmtime(time + 8 * 3600 - 86400 * $days);
    my $body = sprintf('%06d%04d%02d%02d%03d', $county, $t[5] + 1900 - $years, $t[4] + 1, $t[3] > 28 ? 28 : $t[3], $seq);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}
sub mask_ok { my ($m, $id) = @_; return defined $m && $m eq substr($id, 0, 6) . ('*' x 11) . substr($id, 17) }

my ($weld) = split /\n/, psql("SELECT id FROM skill ORDER BY id LIMIT 1");
my $site = v("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('$tag 点', $county, 24.03, 99.26, 'urban_centralized') RETURNING id");
# household A under poverty-return monitoring, household B not
my $hha = v("INSERT INTO household (site_id, origin_county_code, members, monitoring_status, monitoring_found_by, monitoring_found_on) "
            . "VALUES ($site, $county, 4, 'unstable', 'cadre_visit', current_date - 30) RETURNING id");
my $hhb = v("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, $county, 3) RETURNING id");

my $serial = 50 + $$ % 400;   # 2 * serial + 3 stays within three digits
my %idn = (a => id_number(31, 40, 2 * $serial + 1), b => id_number(28, 100, 2 * $serial + 3));
sub create_worker {
    my ($hh, $name, $id, $level) = @_;
    my $r = http($srv, 'POST', '/v1/workers', body => {
        household_id => $hh + 0, name => "$tag $name", id_number => $id, phone => '13812345678',
        employment_status => 'seeking', consent_brokers => JSON::PP::true, consent_method => 'in_person',
        max_commute_km => 50, skills => [ { skill_id => $weld + 0, level => $level } ] });
    die "worker: $r->{status} $r->{content}" unless $r->{status} == 201;
    return $r->{json};
}
my $wa = create_worker($hha, '张明', $idn{a}, 3);
my $wb = create_worker($hhb, '李强', $idn{b}, 5);

# ---------- defect 1: the masked number cannot be completed ----------

ok(!exists $wa->{birth_date}, 'a created worker is answered without the birth date');
ok(mask_ok($wa->{id_number_masked}, $idn{a}), "the mask shows the region and check character only ($wa->{id_number_masked})");
is($wa->{age}, 31, 'the age is answered instead');
is(v("SELECT id_number_masked FROM worker WHERE id = $wa->{id}"), $wa->{id_number_masked}, 'and stored so');

local $ENV{PW} = 'privacy-test-password';
{
    local $ENV{LEYE_DATABASE_URL} = dsn();
    system("$bin admin create-user --username=$tag.county --role=county_staff --counties=$county --password-env=PW >/dev/null 2>&1") == 0
        or BAIL_OUT('cannot create the county user');
}
my $staff = login($srv, "$tag.county", 'privacy-test-password');
ok($staff, 'county staff without pii:reveal log in');
ok(!http($srv, 'GET', '/v1/auth/me', token => $staff)->{json}{pii_reveal}, 'and do not hold pii:reveal');

for my $who (['staff without pii:reveal', $staff], ['staff with pii:reveal', undef]) {
    my ($name, $token) = @$who;
    my %t = defined $token ? (token => $token) : ();
    my $r = http($srv, 'GET', "/v1/workers/$wa->{id}", %t);
    is($r->{status}, 200, "$name read the worker");
    ok(!exists $r->{json}{birth_date} && mask_ok($r->{json}{id_number_masked}, $idn{a}) && $r->{json}{age} == 31,
       "$name get age and mask, no birth date");
    $r = http($srv, 'GET', "/v1/workers?county_code=$county", %t);
    my @items = @{ $r->{json}{items} || [] };
    is(scalar @items, 2, "$name list the county's workers");
    ok(!(grep { exists $_->{birth_date} } @items), 'no birth date in the list');
    $r = http($srv, 'GET', "/v1/workers?county_code=$county&format=csv", %t);
    is($r->{status}, 200, "$name export the list as CSV");
    my ($head) = split /\r\n/, $r->{content};
    ok(!(grep { $_ eq 'birth_date' } split /,/, $head), 'without a birth_date column') or diag $head;
    my $masks = () = $r->{content} =~ /,$county\*{11}[0-9X],/g;
    ok($masks == 2 && $r->{content} !~ /\d{6}\*{8}\d/, 'each mask with region and check character only')
        or diag $r->{content};
    $r = http($srv, 'GET', "/v1/vacancies/0/candidates", %t);    # 404 is a problem answer: shaped as well
    is($r->{status}, 404, 'a missing vacancy is 404');
}

is(http($srv, 'POST', "/v1/workers/$wa->{id}/reveal", token => $staff)->{status}, 403, 'staff without pii:reveal cannot reveal');
my $rv = http($srv, 'POST', "/v1/workers/$wa->{id}/reveal");
is($rv->{status}, 200, 'staff with pii:reveal can');
is_deeply([ @{ $rv->{json} }{qw(id_number phone birth_date)} ],
          [ $idn{a}, '13812345678', substr($idn{a}, 6, 4) . '-' . substr($idn{a}, 10, 2) . '-' . substr($idn{a}, 12, 2) ],
          'the reveal carries the full number, phone and birth date');
is(v("SELECT detail->'fields' FROM audit_log WHERE action = 'reveal' AND resource_id = '$wa->{id}' ORDER BY id DESC LIMIT 1"),
   '["id_number", "phone", "birth_date"]', 'and its audit row names all three');

# a mask stored in the old shape (a row written before migration 031) is re-masked on the way out
my $old = v("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex, employment_status) "
            . "VALUES ($hhb, '$tag 旧', decode(md5('$tag old'), 'hex'), '\\x00', '${county}19800101123X', '1980-01-01', 'F', 'not_seeking') RETURNING id");
my $r = http($srv, 'GET', "/v1/workers/$old", token => $staff);
is($r->{json}{id_number_masked}, "$county***********X", 'a stored mask showing more is answered re-masked');
$r = http($srv, 'GET', "/v1/workers?county_code=$county&format=csv&q=$tag%20%E6%97%A7", token => $staff);
unlike($r->{content}, qr/19800101|1980-01-01/, 'in CSV exports as well');
like($r->{content}, qr/\Q$county***********X\E/, 'with the short mask');

# migration 031 rewrites the stored masks
my $admin = dsn(); $admin =~ s/user=leye/user=postgres/; $admin =~ s/dbname=leye/dbname=postgres/;
psql("DROP DATABASE IF EXISTS leye_mig_privacy", dsn => $admin);
psql("CREATE DATABASE leye_mig_privacy OWNER leye", dsn => $admin);
(my $mdsn = dsn()) =~ s/dbname=leye/dbname=leye_mig_privacy/;
is(system("$bin migrate --database-url='$mdsn' >/dev/null 2>&1"), 0, 'a fresh database migrates');
my $ms = v("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('m', $county, 24.03, 99.26, 'scattered') RETURNING id", dsn => $mdsn);
my $mh = v("INSERT INTO household (site_id, origin_county_code, members) VALUES ($ms, $county, 1) RETURNING id", dsn => $mdsn);
psql("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex) VALUES "
     . "($mh, 'a', '\\x01', '\\x00', '530923********2204', '1984-02-29', 'F'), ($mh, 'b', '\\x02', '\\x00', '53092319840229220x', '1984-02-29', 'F'), "
     . "($mh, 'c', '\\x03', '\\x00', 'garbage', '1984-02-29', 'F')", dsn => $mdsn);
psql("DELETE FROM schema_migrations WHERE version = 31", dsn => $mdsn);
is(system("$bin migrate --database-url='$mdsn' >/dev/null 2>&1"), 0, 'migration 031 runs again');
is(v("SELECT string_agg(id_number_masked, ' ' ORDER BY name) FROM worker", dsn => $mdsn),
   '530923***********4 530923***********X ******************', 'and rewrites every stored mask to region and check character');
psql("DROP DATABASE IF EXISTS leye_mig_privacy WITH (FORCE)", dsn => $admin);

# the console's worker page shows the age beside the mask, not the birth date
$r = http($srv, 'GET', '/console/page-workers.js', anonymous => 1);
is($r->{status}, 200, 'the console worker page');
unlike($r->{content}, qr/birth_date/, 'does not show a birth date');

# ---------- defect 2: brokers learn nothing of poverty status ----------

my $emp = v("INSERT INTO employer (name, credit_code, kind, county_code, contact_phone) VALUES ('$tag 社区', "
            . "'91' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'public_body', $county, '0883-1234567') RETURNING id");
$r = http($srv, 'POST', '/v1/vacancies', body => {
    employer_id => $emp + 0, title => "$tag 保洁", occupation_code => '6-29-01-01', kind => 'public_welfare',
    county_code => $county, lat => 24.04, lon => 99.27, headcount => 2, wage_min => 1800, wage_max => 2000,
    required_skills => [ { skill_id => $weld + 0, min_level => 5, weight => 1 } ] });
is($r->{status}, 201, 'a public-welfare post') or diag $r->{content};
my $vac = $r->{json}{id};
$r = http($srv, 'PATCH', "/v1/vacancies/$vac", headers => { 'If-Match' => $r->{headers}{etag} }, body => { status => 'open' });
is($r->{status}, 200, 'opened');

my ($ba) = cli("create-broker --name=$tag-broker") =~ /(\d+)/;
my (undef, $key) = cli("create-key --broker=$ba --scopes=vacancies:read,matches:read --rate=1000") =~ /^key (\d+) (\S+) /;
ok($key, 'a broker key');

sub order { my ($res) = @_; return [ map { $_->{worker}{id} } @{ $res->{json}{items} || [] } ] }
ok(wait_until(sub { @{ order(http($srv, 'GET', "/v1/vacancies/$vac/candidates?county=$county")) } == 2 }, 5),
   'both workers are candidates');
my $st = http($srv, 'GET', "/v1/vacancies/$vac/candidates?county=$county");
my %sp = map { ($_->{worker}{id} => $_) } @{ $st->{json}{items} };
is_deeply(order($st), [ $wa->{id}, $wb->{id} ], 'staff: the monitored household\'s worker first, on the priority part');
cmp_ok($sp{ $wa->{id} }{parts}{priority}, '>', $sp{ $wb->{id} }{parts}{priority}, 'staff see the priority part');
ok((grep { $_->{code} eq 'prio_monitoring' } @{ $sp{ $wa->{id} }{reasons} }), 'and the priority reasons');

my $br = http($srv, 'GET', "/v1/vacancies/$vac/candidates?county=$county", token => $key);
is($br->{status}, 200, 'a broker reads the candidates');
is_deeply(order($br), [ $wb->{id}, $wa->{id} ], 'ranked without the priority part: the better-skilled worker first');
for my $it (@{ $br->{json}{items} }) {
    my $s = $sp{ $it->{worker}{id} };
    ok(abs($it->{score} - ($s->{score} - $s->{parts}{priority})) < 0.03,
       "a broker's score is the score less its priority part ($it->{score})");
}
sub broker_clean {
    my ($res, $what) = @_;
    my $c = $res->{content};
    utf8::decode($c);
    unlike($c, qr/防返贫|监测|零就业|脱贫|monitor|zero_employ|"prio/i, "$what: no priority part, reason or household status");
    unlike($c, qr/"(?:household|members|birth_date|id_number|phone)/, "$what: no household, birth date, ID number or phone");
}
broker_clean($br, 'candidates');
$r = http($srv, 'GET', "/v1/vacancies/$vac/candidates?county=$county&lang=en", token => $key);
broker_clean($r, 'candidates in English');
for my $path ("/v1/workers/$wa->{id}/matches/$vac", "/v1/vacancies/$vac/candidates/$wa->{id}") {
    $r = http($srv, 'GET', $path, token => $key);
    is($r->{status}, 200, "a broker reads the explained pair $path");
    ok(abs($r->{json}{items}[0]{score} - ($sp{ $wa->{id} }{score} - $sp{ $wa->{id} }{parts}{priority})) < 0.03,
       'scored without the priority part');
    broker_clean($r, 'the explained pair');
    my $s = http($srv, 'GET', $path);
    like($s->{content}, qr/prio_monitoring/, 'where staff see the priority reason');
}
$r = http($srv, 'GET', "/v1/workers/$wa->{id}/matches?county=$county", token => $key);
is($r->{status}, 200, 'a broker reads a worker\'s matches');
broker_clean($r, 'the worker\'s matches');
$r = http($srv, 'POST', "/v1/matches/vacancies?county=$county", token => $key,
          body => { county_code => $county, skills => [ { skill_id => $weld + 0, level => 3 } ] });
is($r->{status}, 200, 'a broker matches an ad-hoc profile');
ok((grep { $_->{id} == $vac } @{ $r->{json}{items} }), 'and finds the post');
broker_clean($r, 'the ad-hoc profile');
$r = http($srv, 'GET', '/v1/match/weights', token => $key);
is($r->{status}, 200, 'a broker reads the weights');
broker_clean($r, 'the weights');

# ---------- kiosk: only the signed-in person's own data ----------

is(http($srv, 'PUT', "/v1/workers/$wa->{id}/pin", body => { pin => '258025' })->{status}, 200, 'a PIN for worker A');
my $kiosk = http($srv, 'POST', '/v1/kiosk/login', anonymous => 1, body => { id_number => $idn{a}, pin => '258025' })->{json}{token};
ok($kiosk, 'worker A signs in at a kiosk');
$r = http($srv, 'GET', '/v1/kiosk/me', token => $kiosk);
is($r->{json}{id}, $wa->{id}, 'the kiosk shows A\'s own profile');
ok(mask_ok($r->{json}{id_number_masked}, $idn{a}) && !exists $r->{json}{birth_date}, 'masked, with no birth date');
$r = http($srv, 'GET', "/v1/kiosk/jobs/$vac", token => $kiosk);
is($r->{status}, 200, 'the kiosk explains a job to A');
my $kc = $r->{content}; utf8::decode($kc);
unlike($kc, qr/防返贫|监测|零就业|prio_|monitoring|zero_employment/, 'without spelling out the household\'s status on a public screen');
is(http($srv, 'GET', "/v1/workers/$wb->{id}", token => $kiosk)->{status}, 403, 'not another worker');
is(http($srv, 'GET', "/v1/workers/$wb->{id}/matches", token => $kiosk)->{status}, 403, 'nor their matches');
is(http($srv, 'GET', "/v1/vacancies/$vac/candidates", token => $kiosk)->{status}, 403, 'nor a vacancy\'s candidates');
my $app = http($srv, 'POST', '/v1/applications', body => { worker_id => $wb->{id} + 0, vacancy_id => $vac + 0, source => 'staff' });
is($app->{status}, 201, 'staff apply for worker B') or diag $app->{content};
is(http($srv, 'GET', "/v1/kiosk/applications/$app->{json}{id}", token => $kiosk)->{status}, 404, 'A\'s kiosk cannot read B\'s application');
ok(!(grep { $_->{id} == $app->{json}{id} } @{ http($srv, 'GET', '/v1/kiosk/applications', token => $kiosk)->{json}{items} || [] }),
   'nor list it');

done_testing();
