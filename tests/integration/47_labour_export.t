# Organised labour export trips: creating one (headcount within the seats
# and the open posts), sign-up by staff, by the organising broker (consenting
# workers only) and at the kiosk; the roster filled by the allocation engine
# when oversubscribed, households with nobody employed first, then those
# under monitoring; check-in at departure (a waiting person may take a free
# seat, never one over the seats); arrival making the placement out of
# province; follow-ups with what was seen, a return home (返乡) ending the
# placement as a job loss with its early-warning visit; the subsidy list; the
# printable roster with names partly hidden when posted; the dashboard panel
# of workers out of province; bad input refused in both languages with
# nothing written.
use strict;
use warnings;
use utf8;
use Test::More;
use Encode qw(encode_utf8);
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $tag = 'LX' . ($$ % 100000) . int(rand(1000));
my $bin = $ENV{LEYE_SERVER_BIN};
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); my $out = `$bin admin @_ 2>&1`; chomp $out; return $out }
sub sql { return psql(encode_utf8($_[0])) }
sub sql_value { return psql_value(encode_utf8($_[0])) }
sub day { return days_from_today($_[0]) }
sub field_errors { my ($r) = @_; return { map { $_->{field} => $_->{code} } @{ $r->{json}{errors} || [] } } }

my $site = sql_value("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('$tag 卯家湾', 530621, 27.2, 103.5, 'urban_centralized') RETURNING id");
my $serial = 0;
sub worker {
    my ($hh, $name, %o) = @_;
    my $status = $o{status} // 'seeking';
    my $consent = $o{consent} ? 'true' : 'false';
    my $hash = $o{hash} ? "'$o{hash}'" : "decode(md5(random()::text || clock_timestamp()::text), 'hex')";
    return sql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex,
        employment_status, consent_brokers, willing_outside_province) VALUES ($hh, '$name', $hash, '\\x00',
        '530621********000X', '1990-05-0" . (++$serial % 9 + 1) . "', 'M', '$status', $consent, true) RETURNING id");
}
# a household: zero (nobody employed), employed (another member works), monitored
sub household {
    my ($kind) = @_;
    my $mon = $kind eq 'monitored' ? "'unstable', 'cadre_visit', '" . day(-200) . "'" : "'none', NULL, NULL";
    my $hh = sql_value("INSERT INTO household (site_id, origin_county_code, members, monitoring_status, monitoring_found_by, monitoring_found_on)
        VALUES ($site, 530621, 4, $mon) RETURNING id");
    worker($hh, "杨在岗$tag", status => 'employed_local') if $kind ne 'zero';
    return $hh;
}
sub id_number {
    my ($n) = @_;
    my $body = sprintf('5306211990%04d%03d', 505, $n % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}

my %hh = (a => household('zero'), b => household('employed'), c => household('monitored'),
          d => household('employed'), e => household('employed'), k => household('employed'));
my %w = (a => worker($hh{a}, "王阿木$tag"), b => worker($hh{b}, "李本$tag"), c => worker($hh{c}, "张成$tag"),
         d => worker($hh{d}, "赵德$tag"), e => worker($hh{e}, "罗恩$tag", consent => 1),
         x => worker($hh{e}, "罗未同意$tag"));
my $kid = id_number($$);
$w{k} = worker($hh{k}, "马凯$tag", hash => cli("id-hash --id-number=$kid"));
{ local $ENV{PIN} = '246813'; cli("reset-pin --worker=$w{k} --pin-env=PIN") }
is(sql_value("SELECT zero_employment FROM household WHERE id = $hh{a}"), 't', 'household a has nobody employed');
is(sql_value("SELECT zero_employment FROM household WHERE id = $hh{c}"), 'f', 'household c has someone employed, and is monitored');

my $emp = sql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 东莞电子厂',
    'LX' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', 530621) RETURNING id");
sub vacancy {
    my ($title, $headcount, %o) = @_;
    return sql_value("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, dest_province_code, dest_city,
        headcount, wage_min, wage_max, status) VALUES ($emp, '$tag $title', (SELECT min(code) FROM occupation WHERE level = 4),
        'labor_export', 530621, 27.3, 103.7, " . ($o{province} // 440000) . ", '东莞', $headcount, 4800, 6000, 'open') RETURNING id");
}
my $v = vacancy('电子装配工', 10);
my $v_zj = vacancy('纺织工', 10, province => 330000);
my ($broker) = cli("create-broker --name=$tag-broker") =~ /(\d+)/;
my ($bkey) = cli("create-key --broker=$broker --scopes=applications:write,vacancies:read --rate=100000") =~ /^key \d+ (\S+) /m;
ok($bkey, 'a broker key');

my $srv = start_server();
ok(wait_until(sub { (http($srv, 'GET', '/readyz', anonymous => 1)->{status} // 0) == 200 }, 30), 'the matching index loads');

# ---------- creating trips ----------
my %trip = (title => "$tag 东莞专列", employer_id => $emp + 0, dest_province_code => 440000, dest_city => '东莞',
            departure_on => day(0), departure_place => '鲁甸县卯家湾安置点广场', transport => 'chartered_bus',
            seats => 3, headcount => 2, escort => '鲁甸县人社局 李干事', vacancy_ids => [$v + 0]);
my $trips_before = sql_value("SELECT count(*) FROM export_trip WHERE employer_id = $emp");
my $r = http($srv, 'POST', '/v1/export-trips', body => { %trip, headcount => 5 });
is($r->{status}, 422, 'a headcount over the seats is refused');
is(field_errors($r)->{headcount}, 'exceeds_seats', 'naming the field and the reason');
like($r->{json}{errors}[0]{message}, qr/座位/, 'in Chinese');
$r = http($srv, 'POST', '/v1/export-trips', body => { %trip, headcount => 5 }, headers => { 'Accept-Language' => 'en' });
like($r->{json}{errors}[0]{message}, qr/seats/, 'and in English');
$r = http($srv, 'POST', '/v1/export-trips', body => { %trip, seats => 50, headcount => 11 });
is(field_errors($r)->{headcount}, 'exceeds_posts', 'a headcount over the open posts is refused');
is(field_errors(http($srv, 'POST', '/v1/export-trips', body => { %trip, vacancy_ids => [$v_zj + 0] }))->{vacancy_ids}, 'not_allowed',
   'a vacancy in another province is refused');
is(field_errors(http($srv, 'POST', '/v1/export-trips', body => { %trip, departure_on => day(-1) }))->{departure_on}, 'out_of_range',
   'a departure in the past is refused');
is(field_errors(http($srv, 'POST', '/v1/export-trips', body => { %trip, transport => 'horse' }))->{transport}, 'unknown_value',
   'an unknown transport is refused');
is(field_errors(http($srv, 'POST', '/v1/export-trips', body => { %trip, colour => 'red' }))->{colour}, 'unknown_field',
   'an unknown field is refused');
is(sql_value("SELECT count(*) FROM export_trip WHERE employer_id = $emp"), $trips_before, 'no trip was written by bad input');

$r = http($srv, 'POST', '/v1/export-trips', body => { %trip, broker_id => $broker + 0 });
is($r->{status}, 201, 'a trip is created') or diag explain $r->{json};
my $t = $r->{json}{id};
is($r->{json}{dest_province_name}, '广东省', 'with its destination province');
is($r->{json}{vacancies}[0]{open_posts}, 10, 'and its vacancy with the open posts');
my $other = http($srv, 'POST', '/v1/export-trips', body => { %trip, title => "$tag 另一批", departure_on => day(30) })->{json}{id};
ok($other, 'a second trip, not the broker\'s');

# ---------- sign-up ----------
for my $k (qw(a b c d)) {
    $r = http($srv, 'POST', "/v1/export-trips/$t/signups", body => { worker_id => $w{$k} + 0 });
    is($r->{status}, 201, "staff sign worker $k up");
}
is($r->{json}{state}, 'signed_up', 'a sign-up waits for the roster');
is($r->{json}{source}, 'staff', 'made by staff');
my $ours = join(',', values %w);
my $signups_before = sql_value("SELECT count(*) FROM export_signup WHERE worker_id IN ($ours)");
$r = http($srv, 'POST', "/v1/export-trips/$t/signups", body => { worker_id => $w{a} + 0 });
is($r->{status}, 409, 'a double sign-up is refused');
is(field_errors($r)->{worker_id}, 'duplicate', 'worker_id duplicate');
$r = http($srv, 'POST', "/v1/export-trips/$t/signups", body => { worker_id => $w{x} + 0 }, token => $bkey);
is($r->{status}, 422, 'the broker cannot sign up a worker who gave brokers no consent');
is(field_errors($r)->{worker_id}, 'not_found', 'whom it cannot see');
is(http($srv, 'POST', "/v1/export-trips/$other/signups", body => { worker_id => $w{e} + 0 }, token => $bkey)->{status}, 404,
   'nor sign anyone up for a trip it does not organise');
is(sql_value("SELECT count(*) FROM export_signup WHERE worker_id IN ($ours)"), $signups_before, 'nothing written by the refused sign-ups');
$r = http($srv, 'POST', "/v1/export-trips/$t/signups", body => { worker_id => $w{e} + 0 }, token => $bkey);
is($r->{status}, 201, 'the organising broker signs up a consenting worker');
is($r->{json}{source}, 'broker', 'source broker');
unlike($r->{content}, qr/罗恩$tag/, 'the broker sees the name partly hidden');
ok(!exists $r->{json}{household_zero_employment} && !exists $r->{json}{household_monitored}, 'and nothing of the household');
$r = http($srv, 'GET', '/v1/export-trips', token => $bkey);
is_deeply([ map { $_->{id} } @{ $r->{json}{items} } ], [$t], 'the broker lists only the trips it organises');

my $kiosk = http($srv, 'POST', '/v1/kiosk/login', anonymous => 1, body => { id_number => $kid, pin => '246813' })->{json}{token};
ok($kiosk, 'a job seeker signs in at the kiosk');
$r = http($srv, 'GET', '/v1/kiosk/export-trips', token => $kiosk);
ok((grep { $_->{id} == $t } @{ $r->{json}{items} }), 'the kiosk lists the open trip');
$r = http($srv, 'POST', "/v1/kiosk/export-trips/$t/signup", token => $kiosk);
is($r->{status}, 201, 'and the job seeker signs up there');
is($r->{json}{source}, 'kiosk', 'source kiosk');
is($r->{json}{worker_id}, $w{k}, 'for themselves');
is(http($srv, 'POST', "/v1/kiosk/export-trips/$t/signup", token => $kiosk)->{status}, 409, 'once');
$r = http($srv, 'GET', '/v1/kiosk/export-trips', token => $kiosk);
my ($mine) = grep { $_->{id} == $t } @{ $r->{json}{items} };
is($mine->{my_signup}{state}, 'signed_up', 'the kiosk shows the own sign-up');

# ---------- the roster from the allocation engine ----------
$r = http($srv, 'POST', "/v1/export-trips/$t/fill", headers => { 'Idempotency-Key' => "$tag-fill" });
is($r->{status}, 202, 'the roster fill is queued for the solver thread') or diag explain $r->{json};
my $run = $r->{json}{id};
my $fill_first = $r;
ok(wait_until(sub { ($r = http($srv, 'GET', "/v1/export-trips/$t"))->{json}{fill}{id} == $run
                    && $r->{json}{fill}{state} eq 'done' }, 120), 'the roster is filled') or diag explain $r->{json}{fill};
my %state = map { $_->{worker_id} => $_ } @{ $r->{json}{roster} };
is($state{$w{a}}{state}, 'selected', 'the worker of the household with nobody employed goes first');
is_deeply($state{$w{a}}{covers}, ['zero_employment'], 'counted for that household');
is($state{$w{c}}{state}, 'selected', 'then the worker of the monitored household');
is_deeply($state{$w{c}}{covers}, ['monitored'], 'counted for monitoring');
is($state{$w{a}}{vacancy_id}, $v, 'with the post they go to');
is(scalar(grep { $_->{state} eq 'selected' } values %state), 2, 'no more than the headcount');
is(scalar(grep { $_->{state} eq 'waitlisted' && $_->{why} eq 'outscored' } values %state), 4, 'the others wait: outscored');
is($r->{json}{counts}{selected}, 2, 'the counts follow');

# ---------- departure ----------
my %sid = map { $_ => $state{$w{$_}}{id} } keys %w;
delete $sid{x};
is(http($srv, 'POST', "/v1/export-trips/$t/signups/$sid{a}/check-in")->{json}{state}, 'departed', 'a checks in');
is(http($srv, 'POST', "/v1/export-trips/$t/signups/$sid{c}/check-in")->{json}{state}, 'departed', 'c checks in');
is(http($srv, 'POST', "/v1/export-trips/$t/signups/$sid{b}/check-in")->{status}, 200, 'a waiting person takes the third seat');
my $before = sql_value("SELECT state || version FROM export_signup WHERE id = $sid{d}");
$r = http($srv, 'POST', "/v1/export-trips/$t/signups/$sid{d}/check-in", headers => { 'Accept-Language' => 'en' });
is($r->{status}, 409, 'a fourth person over three seats is refused');
is(field_errors($r)->{seats}, 'no_seats', 'seats no_seats');
like($r->{json}{errors}[0]{message}, qr/taken/, 'said in English');
like(http($srv, 'POST', "/v1/export-trips/$t/signups/$sid{d}/check-in")->{json}{errors}[0]{message}, qr/座位已满/, 'and in Chinese');
is(sql_value("SELECT state || version FROM export_signup WHERE id = $sid{d}"), $before, 'nothing changed');
is(http($srv, 'POST', "/v1/export-trips/$t/signups/$sid{a}/check-in")->{status}, 409, 'a second check-in is refused');
$r = http($srv, 'POST', "/v1/export-trips/$t/signups", body => { worker_id => $w{x} + 0 });
is(field_errors($r)->{trip_id}, 'trip_closed', 'no sign-up once the trip has left');
is(sql_value("SELECT status FROM export_trip WHERE id = $t"), 'departed', 'the trip has left');
# a fill now would be refused (the trip is closed): its retry under the key
# is answered from the key, before the trip is looked at
my $runs = sql_value("SELECT count(*) FROM export_fill_run WHERE trip_id = $t");
$r = http($srv, 'POST', "/v1/export-trips/$t/fill", headers => { 'Idempotency-Key' => "$tag-fill" });
is_deeply([ $r->{status}, $r->{headers}{'idempotent-replayed'}, $r->{json}{id} ], [ 202, 'true', $run ],
          'a retry of the fill gets its first answer') or diag explain $r->{json};
is($r->{content}, $fill_first->{content}, 'the same body');
is(sql_value("SELECT count(*) FROM export_fill_run WHERE trip_id = $t"), $runs, 'and queues no second fill');
$r = http($srv, 'POST', "/v1/export-trips/$t/fill", body => {}, headers => { 'Idempotency-Key' => "$tag-fill" });
is_deeply([ $r->{status}, field_errors($r) ], [ 422, { 'Idempotency-Key' => 'idempotency_mismatch' } ],
          'the key with another body is refused');
is(field_errors(http($srv, 'POST', "/v1/export-trips/$t/fill"))->{trip_id}, 'trip_closed', 'as a fill without it is');

# ---------- arrival ----------
$r = http($srv, 'POST', "/v1/export-trips/$t/signups/$sid{d}/arrival", body => { wage => 5000 });
is(field_errors($r)->{state}, 'not_departed', 'no arrival for someone who did not leave');
$r = http($srv, 'POST', "/v1/export-trips/$t/signups/$sid{a}/followups/day7", body => { still_employed => JSON::PP::true });
is(field_errors($r)->{state}, 'not_arrived', 'no follow-up before the arrival');
is(field_errors(http($srv, 'POST', "/v1/export-trips/$t/signups/$sid{a}/arrival", body => { wage => 5200, arrived_on => day(1) }))->{arrived_on},
   'out_of_range', 'an arrival tomorrow is refused');
for my $k (qw(a b c)) {
    $r = http($srv, 'POST', "/v1/export-trips/$t/signups/$sid{$k}/arrival", body => { wage => 5200 });
    is($r->{status}, 200, "$k arrives") or diag explain $r->{json};
}
is($r->{json}{state}, 'arrived', 'the sign-up says arrived');
is(scalar @{ $r->{json}{followups} }, 4, 'with follow-ups at 7 days, 1, 3 and 6 months');
my $pl = $r->{json}{placement_id};
is(sql_value("SELECT location_scope || '/' || wage FROM placement WHERE id = $pl"), 'outside_province/5200', 'a placement out of province');
is(sql_value("SELECT employment_status FROM worker WHERE id = $w{c}"), 'employed_outside_province', 'the worker is employed out of province');
is(sql_value("SELECT string_agg(due_month::text, ',' ORDER BY due_month) FROM followup WHERE placement_id = $pl"), '1,3,6',
   'the placement has its follow-ups');
is(sql_value("SELECT filled FROM vacancy WHERE id = $v"), 3, 'the vacancy took three places');

# ---------- follow-ups, proof and the return home ----------
my $pa = sql_value("SELECT placement_id FROM export_signup WHERE id = $sid{a}");
$r = http($srv, 'POST', "/v1/export-trips/$t/signups/$sid{a}/followups/day7",
          body => { still_employed => JSON::PP::true, wage => 5200, contract_seen => JSON::PP::true, note => '视频回访，合同已拍照' });
is($r->{status}, 200, 'the 7-day follow-up of a');
is(http($srv, 'POST', "/v1/export-trips/$t/signups/$sid{a}/followups/day7", body => { still_employed => JSON::PP::true })->{status}, 409,
   'recorded once');
is(http($srv, 'POST', "/v1/export-trips/$t/signups/$sid{a}/followups/day8", body => { still_employed => JSON::PP::true })->{status}, 404,
   'an unknown point is not found');
is(field_errors(http($srv, 'POST', "/v1/export-trips/$t/signups/$sid{a}/followups/month1",
                     body => { still_employed => JSON::PP::true, returned_on => day(0) }))->{returned_on}, 'not_allowed',
   'a return date with still_employed true is refused');
# three months pass for a: the dates move back as the calendar would have
sql("UPDATE export_followup SET due_on = due_on - 100 WHERE signup_id = $sid{a}");
sql("UPDATE export_signup SET arrived_on = arrived_on - 100 WHERE id = $sid{a}");
for my $p (qw(month1 month3)) {
    $r = http($srv, 'POST', "/v1/export-trips/$t/signups/$sid{a}/followups/$p",
              body => { still_employed => JSON::PP::true, wage => 5300, wage_records_seen => JSON::PP::true });
    is($r->{status}, 200, "the $p follow-up of a");
}
is(sql_value("SELECT count(*) FROM followup WHERE placement_id = $pa AND done_at IS NOT NULL AND due_month IN (1, 3)"), 2,
   'recording the placement\'s follow-ups at 1 and 3 months too');

# c goes home after a week
my $tasks_before = sql_value("SELECT count(*) FROM early_warning_task WHERE household_id = $hh{c}");
$r = http($srv, 'POST', "/v1/export-trips/$t/signups/$sid{c}/followups/day7",
          body => { still_employed => JSON::PP::false, note => '家中老人生病，已返乡' });
is($r->{status}, 200, 'a follow-up finds c gone home') or diag explain $r->{json};
is($r->{json}{state}, 'returned', 'the sign-up says returned');
is($r->{json}{early_warning_task}{reason}, 'job_lost_monitored', 'an early-warning visit for the monitored household');
is(sql_value("SELECT end_reason FROM placement WHERE worker_id = $w{c}"), 'returned_home', 'the placement ended: returned home');
is(sql_value("SELECT employment_status FROM worker WHERE id = $w{c}"), 'seeking', 'c is seeking again');
is(sql_value("SELECT filled FROM vacancy WHERE id = $v"), 2, 'the vacancy has the place back');
is(sql_value("SELECT count(*) FROM early_warning_task WHERE household_id = $hh{c}"), $tasks_before + 1, 'one task opened');
is(http($srv, 'POST', "/v1/export-trips/$t/signups/$sid{c}/followups/month1", body => { still_employed => JSON::PP::true })->{status}, 409,
   'no more follow-ups after the return');

$r = http($srv, 'GET', "/v1/export-trips/$t/subsidies");
is($r->{status}, 200, 'the subsidy list');
my %sub = map { $_->{worker_id} => $_ } @{ $r->{json}{items} };
ok($sub{$w{a}}{travel_subsidy} && $sub{$w{a}}{job_keeping_subsidy}, 'a qualifies for both subsidies: three months proven');
ok(!$sub{$w{c}}{travel_subsidy} && !$sub{$w{c}}{job_keeping_subsidy}, 'c, who went home, for neither');
ok(!$sub{$w{b}}{job_keeping_subsidy}, 'b, not yet followed up, not yet');
is_deeply($sub{$w{b}}{missing}, [qw(day7_at_work month3_at_work contract_or_letter wage_records)], 'with what is missing');
is($r->{json}{job_keeping_qualified}, 1, 'one qualifies for job keeping');

# ---------- the dashboard panel ----------
sql("UPDATE export_followup SET due_on = due_on - 10 WHERE signup_id = $sid{b}");
$r = http($srv, 'GET', '/v1/reports/out-of-province');
is($r->{status}, 200, 'the panel of workers out of province');
my ($g) = grep { $_->{employer_id} == $emp } @{ $r->{json}{groups} };
is($g->{dest_province_name}, '广东省', 'grouped by destination province');
is($g->{working}, 2, 'two still working there');
is($g->{returned}, 1, 'one returned');
is($g->{missed_followup}, 1, 'one with a missed follow-up');
is_deeply([ map { $_->{worker_id} . $_->{risk} } @{ $g->{at_risk} } ], ["$w{c}returned", "$w{b}missed_followup"],
          'those at risk listed, the return first');
is($r->{json}{groups}[0]{employer_id}, $emp, 'groups with people at risk come first') if $r->{json}{groups}[0]{missed_followup} + $r->{json}{groups}[0]{returned} <= 2;

# ---------- the printable roster ----------
$r = http($srv, 'GET', "/v1/export-trips/$t/roster?public=true");
is($r->{status}, 200, 'the printable roster');
like($r->{headers}{'content-type'}, qr{text/html}, 'as HTML');
like($r->{content}, qr/size:A4/, 'for A4');
my $html = Encode::decode_utf8($r->{content});
like($html, qr/王\*+\Q$tag\E|王\*+[^<]/, 'names partly hidden where posted');
unlike($html, qr/王阿木\Q$tag\E/, 'never in full');
unlike($html, qr/赵德/, 'the waiting list left out');
$r = http($srv, 'GET', "/v1/export-trips/$t/roster?format=json");
ok((grep { $_->{name} eq "王阿木$tag" } @{ $r->{json}{items} }), 'the staff roster has the names in full');
$r = http($srv, 'GET', "/v1/export-trips/$t/roster?format=pdf");
is($r->{status}, 400, 'an unknown format is refused');
is(field_errors($r)->{format}, 'unknown_value', 'naming the parameter');

# ---------- audit ----------
ok(sql_value("SELECT count(*) FROM audit_log WHERE resource = 'export_signup' AND resource_id = '$sid{c}'") >= 3,
   'every change of a sign-up is in the audit log');
ok(sql_value("SELECT count(*) FROM audit_log WHERE resource = 'export_trip' AND resource_id = '$t' AND action = 'insert'") == 1,
   'and the trip\'s creation');

done_testing();
