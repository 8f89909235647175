# A vacancy has a place: a street address beside its point, and the sites and
# county seats nearest a point as a check.  A job seeker changes their own
# preferences at the kiosk.  Bad input is refused, naming the field, and
# changes nothing.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $srv = start_server();
my $tag = 'pp' . $$ . int(rand(1e5));
my $bin = $ENV{LEYE_SERVER_BIN};
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); my $out = `$bin admin @_ 2>&1`; chomp $out; return $out }

my $emp = psql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 厂', "
                     . "'PP' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', 530621) RETURNING id");
my %base = (employer_id => $emp + 0, title => "$tag 缝纫工", occupation_code => '6-29-01-01', kind => 'regular',
            county_code => 530621, headcount => 5, wage_min => 3500, wage_max => 5000);

# --- a vacancy's address and point
my $r = http($srv, 'POST', '/v1/vacancies', body => { %base, address => '鲁甸县文屏镇卯家湾安置区 3 号厂房',
                                                     lat => 27.1921, lon => 103.5587 });
is($r->{status}, 201, 'a vacancy with an address and a point');
my $vid = $r->{json}{id};
is($r->{json}{address}, '鲁甸县文屏镇卯家湾安置区 3 号厂房', 'the address is kept');
is_deeply([ $r->{json}{lat}, $r->{json}{lon} ], [ 27.1921, 103.5587 ], 'with the point');
my $etag = $r->{headers}{etag};

$r = http($srv, 'PATCH', "/v1/vacancies/$vid", headers => { 'If-Match' => $etag }, body => { address => '鲁甸县砚池街道 8 号' });
is($r->{status}, 200, 'the address alone can change');
is($r->{json}{address}, '鲁甸县砚池街道 8 号', 'to the new one');
isnt($r->{headers}{etag}, $etag, 'with a new version');
$r = http($srv, 'PATCH', "/v1/vacancies/$vid", headers => { 'If-Match' => $etag }, body => { address => '别处' });
is($r->{status}, 412, 'an address change against an old version is refused');
$r = http($srv, 'GET', "/v1/vacancies/$vid");
is($r->{json}{address}, '鲁甸县砚池街道 8 号', 'and changed nothing');
$etag = $r->{headers}{etag};
$r = http($srv, 'PATCH', "/v1/vacancies/$vid", headers => { 'If-Match' => $etag }, body => { title => "$tag 裁剪工", headcount => 6 });
is_deeply([ $r->{status}, $r->{json}{address}, $r->{json}{headcount} ], [ 200, '鲁甸县砚池街道 8 号', 6 ],
          'other changes keep the address');
$etag = $r->{headers}{etag};
$r = http($srv, 'PATCH', "/v1/vacancies/$vid", headers => { 'If-Match' => $etag }, body => { address => 'x' x 201 });
is_deeply([ $r->{status}, $r->{json}{errors}[0]{field}, $r->{json}{errors}[0]{code} ], [ 422, 'address', 'too_long' ],
          'an address over 200 characters is refused');
$r = http($srv, 'PATCH', "/v1/vacancies/$vid", headers => { 'If-Match' => $etag }, body => { address => 12 });
is_deeply([ $r->{status}, $r->{json}{errors}[0]{field} ], [ 422, 'address' ], 'so is one that is not text');
$r = http($srv, 'PATCH', "/v1/vacancies/$vid", headers => { 'If-Match' => $etag }, body => { lat => 80 });
is_deeply([ $r->{status}, $r->{json}{errors}[0]{field} ], [ 422, 'lat' ], 'and a point outside China');
is(http($srv, 'GET', "/v1/vacancies/$vid")->{headers}{etag}, $etag, 'none of them changed the vacancy');
$r = http($srv, 'POST', '/v1/vacancies', body => { %base, title => "$tag 无址" });
is($r->{json}{address}, '', 'a vacancy without an address has an empty one');
ok(abs($r->{json}{lat} - 27.19) < 0.5, 'and sits at the county centre');
my $hist = http($srv, 'GET', "/v1/vacancies/$vid/history")->{json}{items};
ok((grep { ($_->{detail}{fields} // [])->[0] && grep({ $_ eq 'address' } @{ $_->{detail}{fields} }) } @$hist),
   'changes of the address are in the vacancy\'s history');

# --- the places nearest a point
my $site = http($srv, 'POST', '/v1/sites', body => { name => "$tag 卯家湾", county_code => 530621, kind => 'urban_centralized',
                                                    lat => 27.1925, lon => 103.5590 })->{json}{id};
$r = http($srv, 'GET', '/v1/places/nearest?lat=27.1921&lon=103.5587&limit=3');
is($r->{status}, 200, 'the places nearest a point');
is($r->{json}{sites}[0]{id}, $site, 'the nearest site first');
ok($r->{json}{sites}[0]{km} <= 0.1, 'a few metres away');
ok(@{ $r->{json}{sites} } <= 3, 'at most limit of them');
my @km = map { $_->{km} } @{ $r->{json}{sites} };
is_deeply(\@km, [ sort { $a <=> $b } @km ], 'nearest first');
is($r->{json}{counties}[0]{code}, 530621, 'and the nearest county seat is Ludian');
my $far = http($srv, 'GET', '/v1/places/nearest?lat=30.2741&lon=120.1551')->{json};
ok($far->{counties}[0]{km} > 1000, 'a point in Zhejiang is far from every Yunnan county seat');
for my $bad ([ 'lon=103', 'lat', 'required' ], [ 'lat=abc&lon=103', 'lat', 'invalid_format' ],
             [ 'lat=27&lon=200', 'lon', 'out_of_range' ], [ 'lat=27&lon=103&limit=0', 'limit', 'out_of_range' ],
             [ 'lat=27&lon=103&radius=5', 'radius', 'unknown_field' ]) {
    $r = http($srv, 'GET', "/v1/places/nearest?$bad->[0]");
    is_deeply([ $r->{status}, $r->{json}{errors}[0]{field}, $r->{json}{errors}[0]{code} ], [ 400, @$bad[1, 2] ],
              "?$bad->[0] is refused naming $bad->[1]");
}
my $other = http($srv, 'POST', '/v1/sites', body => { name => "$tag 昭阳点", county_code => 530602, kind => 'scattered',
                                                     lat => 27.1926, lon => 103.5591 })->{json}{id};
{ local $ENV{PW} = 'county-password-1'; cli("create-user --username=$tag.c --role=county_staff --counties=530621 --password-env=PW"); }
my $ctok = login($srv, "$tag.c", 'county-password-1');
$r = http($srv, 'GET', '/v1/places/nearest?lat=27.1921&lon=103.5587&limit=20', token => $ctok);
ok(!(grep { $_->{id} == $other } @{ $r->{json}{sites} }), 'county staff see only their own sites among them');

# --- a job seeker's own preferences at the kiosk
my $id_number = do {
    my $body = sprintf('5306211990%04d%03d', 512, $$ % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    $body . substr('10X98765432', $sum % 11, 1);
};
my $hash = cli("id-hash --id-number=$id_number");
my $hh = psql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, 530621, 3) RETURNING id");
my $worker = psql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex)
    VALUES ($hh, '$tag', '$hash', '\\x00', 'x', '1990-05-12', 'M') RETURNING id");
my $pin = http($srv, 'POST', "/v1/workers/$worker/pin-reset")->{json}{pin};
my $k = http($srv, 'POST', '/v1/kiosk/login', anonymous => 1, body => { id_number => $id_number, pin => $pin })->{json}{token};
ok($k, 'a seeker at the kiosk');
$r = http($srv, 'GET', '/v1/kiosk/me', token => $k);
my $me_etag = $r->{headers}{etag};
is($r->{json}{preferences}{quiet_from}, undef, 'no quiet hours yet');
my $version = psql_value("SELECT version FROM worker WHERE id = $worker");

$r = http($srv, 'PATCH', '/v1/kiosk/me/preferences', token => $k, body => { wage_floor => 4000 });
is($r->{status}, 428, 'a change needs If-Match');
my %prefs = (job_kinds_wanted => [ 'workshop', 'regular' ], wage_floor => 3800, max_commute_km => 15,
             willing_outside_province => JSON::PP::true, quiet_from => '21:30', quiet_to => '07:00');
$r = http($srv, 'PATCH', '/v1/kiosk/me/preferences', token => $k, headers => { 'If-Match' => $me_etag }, body => \%prefs);
is($r->{status}, 200, 'the seeker changes their preferences');
my $p = $r->{json}{preferences};
is_deeply([ sort @{ $p->{job_kinds_wanted} } ], [ 'regular', 'workshop' ], 'kinds of work');
is_deeply([ @$p{qw(wage_floor max_commute_km quiet_from quiet_to)} ], [ 3800, 15, '21:30', '07:00' ],
          'wage floor, how far, quiet hours');
ok($p->{willing_outside_province}, 'willing to go out of the province');
is(psql_value("SELECT wage_floor || ' ' || max_commute_km || ' ' || willing_outside_province || ' ' || quiet_from FROM worker WHERE id = $worker"),
   '3800 15 true 21:30:00', 'stored');
is(psql_value("SELECT actor_kind FROM audit_log WHERE resource = 'worker' AND resource_id = '$worker' ORDER BY id DESC LIMIT 1"),
   'kiosk', 'and audited as the seeker\'s own change');
my $new_etag = $r->{headers}{etag};
isnt($new_etag, $me_etag, 'with a new version');

$r = http($srv, 'PATCH', '/v1/kiosk/me/preferences', token => $k, headers => { 'If-Match' => $me_etag }, body => { wage_floor => 1 });
is($r->{status}, 412, 'an old version is refused');
my $before = psql_value("SELECT version::text || ' ' || wage_floor::text || coalesce(quiet_to::text, '') FROM worker WHERE id = $worker");
for my $bad ([ { wage_floor => -1 }, 'wage_floor' ], [ { max_commute_km => 5000 }, 'max_commute_km' ],
             [ { job_kinds_wanted => ['smuggling'] }, 'job_kinds_wanted' ], [ { quiet_from => '25:00', quiet_to => '07:00' }, 'quiet_from' ],
             [ { quiet_from => '7pm', quiet_to => '07:00' }, 'quiet_from' ], [ { quiet_to => '06:00' }, 'quiet_from' ],
             [ { wage_floor => 3000, household_id => 1 }, 'household_id' ], [ { employment_status => 'not_seeking' }, 'employment_status' ]) {
    $r = http($srv, 'PATCH', '/v1/kiosk/me/preferences', token => $k, headers => { 'If-Match' => $new_etag }, body => $bad->[0]);
    is_deeply([ $r->{status}, $r->{json}{errors}[0]{field} ], [ 422, $bad->[1] ], "refused, naming $bad->[1]");
}
is(psql_value("SELECT version::text || ' ' || wage_floor::text || coalesce(quiet_to::text, '') FROM worker WHERE id = $worker"), $before,
   'and nothing changed');
$r = http($srv, 'PATCH', '/v1/kiosk/me/preferences', token => $k, headers => { 'If-Match' => $new_etag },
          body => { quiet_from => undef, quiet_to => undef });
is_deeply([ $r->{status}, $r->{json}{preferences}{quiet_from} ], [ 200, undef ], 'quiet hours can be cleared');
is(http($srv, 'PATCH', '/v1/kiosk/me/preferences', headers => { 'If-Match' => '*' }, body => { wage_floor => 1 })->{status}, 403,
   'staff do not use the seeker\'s own route');

done_testing();
