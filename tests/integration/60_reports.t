# The quarterly report and the monitoring dashboard, on seeded data whose
# figures are worked out by hand: as of the quarter's end (a placement ended
# later changes nothing), in JSON, CSV and printable HTML, and per scope.
use strict;
use warnings;
use utf8;
use Test::More;
use POSIX ();
use Encode ();
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $srv = start_server();
my $tag = 'RP' . $$ . int(rand(1e6));
my $county = 533324;    # 贡山: no other test writes there
my $bin = $ENV{LEYE_SERVER_BIN};
sub day { return days_from_today(@_) }
sub v { return psql_value(@_) }

# The story below runs over eight months, and the report is read for its
# months 4 to 6: the third quarter before this one, so that on any day the
# suite runs every event of the story (which goes on into the following
# quarter) lies in the past, the jobs it ends were left more than 90 days ago,
# and the quarter's last month is among the dashboard's twelve.
# story(4, 1) is the first day of that quarter.
my @today = gmtime(time + 8 * 3600);
my $rq = ($today[5] + 1900) * 4 + int($today[4] / 3) - 3;
my ($RY, $RQ) = (int($rq / 4), $rq % 4 + 1);
sub story {
    my ($month, $mday) = @_;
    my $i = $RY * 12 + ($RQ - 1) * 3 + $month - 4;
    return sprintf('%04d-%02d-%02d', int($i / 12), $i % 12 + 1, $mday);
}
my $q_from = story(4, 1);
my $q_to = do { my @t = gmtime(POSIX::mktime(0, 0, 12, 1, ($RQ * 3) % 12, $RY - 1900 + ($RQ == 4)) - 86400); POSIX::strftime('%Y-%m-%d', @t) };
my $q_after = story(7, 1);
# five working days (Monday to Friday) after the quarter's end
my $q_due = do {
    my $t = POSIX::mktime(0, 0, 12, 1, ($RQ * 3) % 12, $RY - 1900 + ($RQ == 4)) - 86400;
    my $n = 0;
    while ($n < 5) { $t += 86400; my $wd = (gmtime $t)[6]; $n++ if $wd >= 1 && $wd <= 5 }
    POSIX::strftime('%Y-%m-%d', gmtime $t);
};
my $q_month = substr($q_to, 0, 7);
my $q_args = "year=$RY&quarter=$RQ";

# the seeded county: one site, four households, six workers
my $site = v("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('$tag 安置点', $county, 27.74, 98.67, 'urban_centralized') RETURNING id");
sub household {
    my ($mon) = @_;
    my $m = $mon ? "'$mon', 'cadre_visit', '${\ story(1, 5)}'" : "'none', NULL, NULL";
    return v("INSERT INTO household (site_id, origin_county_code, members, monitoring_status, monitoring_found_by, monitoring_found_on, created_at) "
             . "VALUES ($site, $county, 4, $m, '${\ story(1, 5)} 10:00+08') RETURNING id");
}
sub worker {
    my ($hh, $name, $created, $status) = @_;
    return v("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex, "
             . "employment_status, created_at) VALUES ($hh, '$tag $name', decode(md5(random()::text || clock_timestamp()::text), 'hex'), "
             . "'\\x00', '533324********0000', '1990-05-01', 'M', '$status', '$created 10:00+08') RETURNING id");
}
my ($h1, $h2, $h3, $h4) = (household(), household('marginal'), household(), household());
my $w1 = worker($h1, 'w1', story(1, 10), 'employed_local');
my $w2 = worker($h1, 'w2', story(1, 10), 'seeking');
my $w3 = worker($h2, 'w3', story(1, 10), 'seeking');
my $w4 = worker($h2, 'w4', story(1, 10), 'not_seeking');
my $w5 = worker($h3, 'w5', story(5, 15), 'employed_outside_province');
my $w6 = worker($h4, 'w6', story(8, 1), 'seeking');

my $employer = v("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 单位', "
                 . "'RP' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'public_body', $county) RETURNING id");
sub vacancy {
    my ($kind) = @_;
    my $dest = $kind eq 'labor_export' ? 440000 : 'NULL';
    return v("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, dest_province_code, "
             . "headcount, wage_min, wage_max, status) VALUES ($employer, '$tag $kind', '6-29-01-01', '$kind', $county, "
             . "27.74, 98.67, $dest, 10, 2000, 4000, 'open') RETURNING id");
}
sub placement {
    my ($w, $kind, $scope, $start, $end) = @_;
    my $v = vacancy($kind);
    my $a = v("INSERT INTO application (worker_id, vacancy_id, source, status) VALUES ($w, $v, 'staff', 'hired') RETURNING id");
    my $e = $end ? "'$end', 'contract_ended'" : 'NULL, NULL';
    return v("INSERT INTO placement (application_id, worker_id, vacancy_id, start_date, wage, location_scope, ended_on, end_reason) "
             . "VALUES ($a, $w, $v, '$start', 3000, '$scope', $e) RETURNING id");
}
my $p1 = placement($w1, 'regular', 'local', story(2, 1), undef);
my $p2 = placement($w3, 'public_welfare', 'local', story(4, 10), story(7, 20));
my $p3 = placement($w2, 'work_relief', 'local', story(5, 1), story(6, 15));
my $p4 = placement($w5, 'labor_export', 'outside_province', story(6, 1), undef);
my $p5 = placement($w2, 'forest_ranger', 'local', story(7, 10), undef);
my $p6 = placement($w6, 'regular', 'local', day(-40), day(-10));
psql("INSERT INTO worker_training (worker_id, name, start_date, end_date, completed) VALUES "
     . "($w1, '$tag 焊工', '${\ story(5, 1)}', '${\ story(5, 20)}', true), ($w2, '$tag 电工', '${\ story(6, 20)}', '${\ story(7, 5)}', true), "
     . "($w3, '$tag 厨师', '${\ story(4, 1)}', '${\ story(5, 1)}', false)");
psql("INSERT INTO followup (placement_id, due_month, due_on, done_at, still_employed) VALUES "
     . "($p1, 3, '${\ story(5, 1)}', '${\ story(5, 2)} 09:00+08', true), ($p2, 3, '${\ story(7, 10)}', '${\ story(7, 12)} 09:00+08', true)");
psql("INSERT INTO early_warning_task (household_id, placement_id, reason, due_on, assignee, status) "
     . "VALUES ($h2, $p2, 'job_lost_monitored', '${\ day(-3)}', '$tag', 'open')");

# --- the quarterly report, $RY Q$RQ, worked out by hand
my %want = (
    labor_force => 4,                        # w1 w2 w3 w5 (w4 not seeking, w6 registered later)
    employed => 3,                           # w1 (p1), w3 (p2), w5 (p4); w2's p3 ended in June
    employed_local => 2,                     # w1, w3
    employed_outside_county => 0,
    newly_employed => 3,                     # w3, w2, w5 started in the quarter
    employed_outside_province => 1,          # w5
    work_relief_posts => 0,                  # p3 ended before the quarter's end
    public_welfare_posts => 1,               # w3
    forest_ranger_posts => 0,                # p5 started in July
    programme_posts_monitored_households => 1, # w3's household is monitored
    trainings_completed => 1,                # w1's; w2 finished in July, w3 did not finish
    zero_employment_households_start => 1,   # on 31 March only w3's household had labour and no job
    zero_employment_households_end => 0,
    monitored_households => 1,               # w3's and w4's
    followups_done => 1,                     # p1's in May; p2's in July
    trained_persons => 0,                    # no course passed (the courses of 46_training.t)
    course_completions => 0,
    training_subsidy_cny => 0,
);
my $r = http($srv, 'GET', "/v1/reports/quarterly?$q_args&county=$county");
is($r->{status}, 200, 'the quarterly report');
is_deeply($r->{json}{total}, \%want, 'every figure as worked out by hand');
is_deeply([ @{ $r->{json} }{qw(from to due_on complete)} ], [ $q_from, $q_to, $q_due, JSON::PP::true ],
          'the period, and the due date five working days after it');
my ($c) = @{ $r->{json}{counties} };
is($c->{county_code}, $county, 'per county');
is_deeply($c->{figures}, \%want, 'with the same figures');
my ($s) = grep { $_->{site_id} == $site } @{ $c->{sites} };
is_deeply($s->{figures}, \%want, 'and per site');

# independent counts straight from the tables agree
is(v("SELECT count(DISTINCT p.worker_id) FROM placement p JOIN worker w ON w.id = p.worker_id JOIN household h ON h.id = w.household_id
      WHERE h.site_id = $site AND p.start_date <= '$q_to' AND (p.ended_on IS NULL OR p.ended_on > '$q_to')"),
   $want{employed}, 'employed at the quarter end, counted from placements');
is(v("SELECT count(*) FROM followup f JOIN placement p ON p.id = f.placement_id JOIN worker w ON w.id = p.worker_id
      JOIN household h ON h.id = w.household_id WHERE h.site_id = $site AND f.done_at >= '$q_from 00:00+08' AND f.done_at < '$q_after 00:00+08'"),
   $want{followups_done}, 'follow-ups done, counted from follow-ups');

# the past does not change: a placement ended and another started after the quarter
psql("UPDATE placement SET ended_on = '${\ day(-1)}', end_reason = 'quit' WHERE id = $p1");
placement($w3, 'regular', 'local', day(-2), undef);
my $again = http($srv, 'GET', "/v1/reports/quarterly?$q_args&county=$county");
is_deeply($again->{json}{total}, \%want, 'a placement ended after the quarter leaves the report unchanged');

# CSV and printable HTML
$r = http($srv, 'GET', "/v1/reports/quarterly?$q_args&county=$county&format=csv");
is($r->{status}, 200, 'as CSV');
like($r->{headers}{'content-type'}, qr{^text/csv}, 'text/csv');
my @lines = split /\r\n/, Encode::decode('UTF-8', $r->{content});
like($lines[0], qr/^\x{FEFF}层级,县代码,县,安置点ID,安置点,劳动力,已就业,县内就业,县外省内就业,省外就业,本季度新增就业/, 'Chinese headings for spreadsheets');
like($lines[1], qr/^total,,"",,"",4,3,2,0,1,3,0,1,0,1,1,1,0,1,1,0,0,0$/, 'the totals row');
ok((grep { /^site,$county,"贡山独龙族怒族自治县",$site,"$tag 安置点",4,3/ } @lines), 'a row per site');
$r = http($srv, 'GET', "/v1/reports/quarterly?$q_args&county=$county&format=html");
is($r->{status}, 200, 'as printable HTML');
my $html = Encode::decode('UTF-8', $r->{content});
like($html, qr/\@page\{size:A4/, 'laid out for A4');
like($html, qr/${RY}年第${RQ}季度/, 'with Chinese headings');
like($html, qr/<th scope="row">\Q$tag\E 安置点<\/th><td>4<\/td><td>3<\/td>/, 'and the figures');
$r = http($srv, 'GET', "/v1/reports/quarterly?$q_args&county=$county&format=html", headers => { 'Accept-Language' => 'en' });
like($r->{content}, qr/Employment of relocated workers, $RY Q$RQ/, 'or English headings');

# bad parameters
for my $case ([ 'quarter=2', 'year', 'required' ], [ "year=$RY&quarter=5", 'quarter', 'out_of_range' ],
              [ 'year=abc&quarter=1', 'year', 'invalid' ], [ "year=$RY&quarter=1&county=999999", 'county', 'not_found' ],
              [ "year=${\ ($RY + 10)}&quarter=1", 'quarter', 'out_of_range' ], [ "year=$RY&quarter=1&format=pdf", 'format', 'unknown_value' ]) {
    my ($q, $field, $code) = @$case;
    $r = http($srv, 'GET', "/v1/reports/quarterly?$q");
    ok($r->{status} == 400 || $r->{status} == 422, "$q is refused");
    is_deeply([ map { "$_->{field}:$_->{code}" } @{ $r->{json}{errors} || [] } ], ["$field:$code"], "naming $field");
}

# scope: staff of another county see none of it; staff of this county see all of it
sub staff {
    my ($name, $counties) = @_;
    local $ENV{LEYE_DATABASE_URL} = dsn();
    local $ENV{PW} = "pw-$tag-$name";
    system("$bin admin create-user --username=\L$tag\E.$name --role=county_staff --counties=$counties --password-env=PW >/dev/null") == 0 or die;
    return login($srv, lc("$tag.$name"), "pw-$tag-$name");
}
my $here = staff('here', $county);
my $there = staff('there', 530927);
ok($here && $there, 'county staff of two counties');
is_deeply(http($srv, 'GET', "/v1/reports/quarterly?$q_args&county=$county", token => $here)->{json}{total},
          { %want }, 'county staff get their county');
my $other = http($srv, 'GET', "/v1/reports/quarterly?$q_args&county=$county", token => $there)->{json};
is($other->{total}{labor_force}, 0, 'staff of another county see nobody of it');
is_deeply($other->{counties}, [], 'and no county rows');
my $own = http($srv, 'GET', "/v1/reports/quarterly?$q_args", token => $here)->{json};
is_deeply([ map { $_->{county_code} } @{ $own->{counties} } ], [$county], 'without a county, only their own');

# --- the dashboard, today
$r = http($srv, 'GET', "/v1/reports/dashboard?county_code=$county");
is($r->{status}, 200, 'the dashboard');
my $d = $r->{json};
is_deeply($d->{totals}, { labor_force => 5, employed => 3, employed_local => 2, employed_outside_county => 0,
                          employed_outside_province => 1, employment_rate => 0.6 },
          'labour force and employment by where (w1 left yesterday; w2 a ranger, w3 hired, w5 outside the province)');
# w3's household has a job again since the day before yesterday: the cards
# and the list follow the same definition of employed as the totals
is($d->{zero_employment_households}, 1, 'zero-employment households (w6\'s)');
is_deeply([ map { $_->{id} } @{ $d->{zero_employment_list} } ], [$h4], 'listed to act on');
is($d->{monitored_households}, 1, 'monitored households');
is($d->{monitored_nobody_employed}, 0, 'monitored households with nobody employed (w3 works again)');
is($d->{left_job_90d}, 2, 'people who left a job in the last 90 days (w6, and w1 yesterday)');
is_deeply([ @$d{qw(warning_tasks_open warning_tasks_overdue)} ], [ 1, 1 ], 'early-warning tasks open and overdue');
is($d->{warning_tasks_due}[0]{household_id}, $h2, 'with the visits due');
is_deeply($d->{kinds}, { forest_ranger => 1, labor_export => 1, regular => 1 }, 'kinds of work held now');
my ($bs) = grep { $_->{site_id} == $site } @{ $d->{by_site} };
is_deeply([ @$bs{qw(labor_force employed)} ], [ 5, 3 ], 'employment by site');
is(scalar @{ $d->{trend} }, 12, 'a trend over twelve months');
my ($q_last) = grep { $_->{month} eq $q_month } @{ $d->{trend} };
ok($q_last, "the trend has $q_month, the last month of the quarter reported");
is_deeply([ @{ $q_last || {} }{qw(labor_force employed)} ], [ 4, 3 ], 'as the quarterly report saw its end');
is(http($srv, 'GET', '/v1/reports/dashboard?county_code=12')->{status}, 400, 'a bad county code is refused');
is(http($srv, 'GET', "/v1/reports/dashboard?county_code=$county", token => $there)->{json}{totals}{labor_force}, 0,
   'the dashboard follows scope too');
is(http($srv, 'GET', '/v1/reports/dashboard', anonymous => 1)->{status}, 401, 'and needs a login');
done_testing();
