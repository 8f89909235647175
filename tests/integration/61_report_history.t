# The reports read history (docs/reports.md): a past quarter's report stays
# byte for byte the same whatever changes later, every figure agrees with a
# query of its own on the history tables, the dashboard's cards, the last
# point of its trend and the running quarter's report agree, a job recorded
# without a placement counts, and a county's staff count their people's jobs
# in other counties.
use strict;
use warnings;
use utf8;
use Test::More;
use POSIX ();
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $srv = start_server();
my $tag = 'RH' . $$ . int(rand(1e6));
my ($A, $B) = (533422, 533423);    # 德钦 (the people), 维西 (a job there): no other test writes there
my $bin = $ENV{LEYE_SERVER_BIN};
sub day { return days_from_today(@_) }
sub v { return psql_value(@_) }

# the last complete quarter, and the running one
my @now = gmtime(time + 8 * 3600);
my ($Y, $M) = ($now[5] + 1900, $now[4] + 1);
my $cq = $Y * 4 + int(($M - 1) / 3);
my $pq = $cq - 1;
sub quarter_bounds {
    my ($i) = @_;
    my ($y, $q) = (int($i / 4), $i % 4 + 1);
    my $from = sprintf('%04d-%02d-01', $y, 3 * $q - 2);
    my @t = gmtime(POSIX::mktime(0, 0, 12, 1, (3 * $q) % 12, $y - 1900 + ($q == 4)) - 86400);
    return ($y, $q, $from, POSIX::strftime('%Y-%m-%d', @t));
}
my ($PY, $PQ, $p_from, $p_to) = quarter_bounds($pq);
my ($CY, $CQ) = quarter_bounds($cq);
my $p_start = do { my ($y, $m, $d) = split /-/, $p_from; POSIX::strftime('%Y-%m-%d', gmtime(POSIX::mktime(0, 0, 12, $d, $m - 1, $y - 1900) + 5 * 86400)) };
my $born = day(-300);    # before the last quarter began, whatever the day

# --- the people of county A: two sites, four households, seven workers
sub site { my ($name) = @_; return v("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('$tag $name', $A, 28.48, 98.91, 'urban_centralized') RETURNING id") }
my ($s1, $s2) = (site('一'), site('二'));
sub household {
    my ($site, $mon) = @_;
    my $m = $mon ? "'$mon', 'cadre_visit', '$born'" : "'none', NULL, NULL";
    return v("INSERT INTO household (site_id, origin_county_code, members, monitoring_status, monitoring_found_by, monitoring_found_on, created_at) "
             . "VALUES ($site, $A, 4, $m, '$born 09:00+08') RETURNING id");
}
sub worker {
    my ($hh, $name, $status) = @_;
    return v("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex, "
             . "employment_status, created_at) VALUES ($hh, '$tag $name', decode(md5(random()::text || clock_timestamp()::text), 'hex'), "
             . "'\\x00', '533422********0000', '1990-05-01', 'M', '$status', '$born 10:00+08') RETURNING id");
}
my ($hA, $hB, $hC, $hD) = (household($s1), household($s1, 'unstable'), household($s2), household($s2));
my $a1 = worker($hA, 'a1', 'seeking');
my $a2 = worker($hA, 'a2', 'seeking');
my $b1 = worker($hB, 'b1', 'seeking');
my $b2 = worker($hB, 'b2', 'not_seeking');
my $c1 = worker($hC, 'c1', 'employed_outside_province');    # a job recorded without a placement
my $c2 = worker($hC, 'c2', 'seeking');
my $d1 = worker($hD, 'd1', 'seeking');

sub employer { my ($county) = @_; return v("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag $county', "
                                           . "'RH' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'public_body', $county) RETURNING id") }
my %emp = ($A => employer($A), $B => employer($B));
sub placement {
    my ($w, $county, $kind, $scope, $start, $end) = @_;
    my $v = v("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, headcount, wage_min, wage_max, status) "
              . "VALUES ($emp{$county}, '$tag $kind', '6-29-01-01', '$kind', $county, 28.48, 98.91, 10, 2000, 4000, 'open') RETURNING id");
    my $a = v("INSERT INTO application (worker_id, vacancy_id, source, status) VALUES ($w, $v, 'staff', 'hired') RETURNING id");
    my $e = $end ? "'$end', 'contract_ended'" : 'NULL, NULL';
    return v("INSERT INTO placement (application_id, worker_id, vacancy_id, start_date, wage, location_scope, ended_on, end_reason) "
             . "VALUES ($a, $w, $v, '$start', 3000, '$scope', $e) RETURNING id");
}
placement($a1, $B, 'public_welfare', 'outside_county', day(-280), undef);    # a job in county B
placement($a2, $A, 'regular', 'local', day(-290), day(-270));
my $pb1 = placement($b1, $A, 'work_relief', 'local', $p_start, undef);     # started in the last quarter

# --- the last quarter, worked out by hand
my %want = (
    labor_force => 6,                          # all but b2 (not seeking)
    employed => 3,                             # a1 (county B), b1, c1 (recorded without a placement)
    employed_local => 1, employed_outside_county => 1, employed_outside_province => 1,
    newly_employed => 1,                       # b1; c1 was registered with the job
    work_relief_posts => 1, public_welfare_posts => 1, forest_ranger_posts => 0,
    programme_posts_monitored_households => 1, # b1's household is monitored
    trainings_completed => 0,
    zero_employment_households_start => 2,     # hB (b1 not yet hired) and hD
    zero_employment_households_end => 1,       # hD
    monitored_households => 1,                 # hB
    followups_done => 0,
    trained_persons => 0, course_completions => 0, training_subsidy_cny => 0,
);
my $pargs = "year=$PY&quarter=$PQ&county=$A";
my $r = http($srv, 'GET', "/v1/reports/quarterly?$pargs");
is($r->{status}, 200, 'the last quarter\'s report');
is_deeply($r->{json}{total}, \%want, 'every figure as worked out by hand');
is($r->{json}{as_of}, $p_to, 'as of the quarter\'s last day');
my ($json_before, $csv_before) = ($r->{content}, http($srv, 'GET', "/v1/reports/quarterly?$pargs&format=csv")->{content});

# each figure from a query of its own on the history tables: who was where
# on day $d, employed by a placement or by a status set without one
sub history_figures {
    my ($d, $where) = @_;
    return v(<<"SQL");
WITH w AS (
    SELECT x.worker_id, x.employment_status, x.with_placement, y.household_id, y.monitoring_status
    FROM worker_history x
    JOIN household_history y ON y.household_id = x.household_id
    JOIN site s ON s.id = y.site_id
    WHERE $where AND '$d' >= x.valid_from AND '$d' < coalesce(x.valid_to, 'infinity')
      AND '$d' >= y.valid_from AND '$d' < coalesce(y.valid_to, 'infinity') AND NOT x.archived AND NOT y.archived),
j AS (
    SELECT w.*, coalesce(
        (SELECT p.location_scope FROM placement p WHERE p.worker_id = w.worker_id AND p.start_date <= '$d'
           AND coalesce(p.ended_on, 'infinity') > '$d' ORDER BY p.start_date DESC, p.id DESC LIMIT 1),
        CASE WHEN w.employment_status LIKE 'employed_%' AND NOT w.with_placement THEN substr(w.employment_status, 10) END) AS job
    FROM w),
lf AS (SELECT * FROM j WHERE employment_status <> 'not_seeking' OR job IS NOT NULL),
hh AS (
    SELECT y.household_id, y.monitoring_status,
           (SELECT count(*) FROM lf WHERE lf.household_id = y.household_id) AS labour,
           (SELECT count(job) FROM lf WHERE lf.household_id = y.household_id) AS jobs
    FROM household_history y JOIN site s ON s.id = y.site_id
    WHERE $where AND '$d' >= y.valid_from AND '$d' < coalesce(y.valid_to, 'infinity') AND NOT y.archived)
SELECT concat_ws(',', (SELECT count(*) FROM lf), (SELECT count(job) FROM lf),
                 (SELECT count(*) FROM lf WHERE job = 'local'), (SELECT count(*) FROM lf WHERE job = 'outside_county'),
                 (SELECT count(*) FROM lf WHERE job = 'outside_province'),
                 (SELECT count(*) FROM hh WHERE labour > 0 AND jobs = 0),
                 (SELECT count(*) FROM hh WHERE monitoring_status <> 'none'))
SQL
}
my @keys = qw(labor_force employed employed_local employed_outside_county employed_outside_province
              zero_employment_households_end monitored_households);
is(history_figures($p_to, "s.county_code = $A"), join(',', @{ $r->{json}{total} }{@keys}),
   'labour force, employed and where, zero-employment and monitored households: as the history says');
is(history_figures(do { my ($y, $m, $dd) = split /-/, $p_from; POSIX::strftime('%Y-%m-%d', gmtime(POSIX::mktime(0, 0, 12, $dd, $m - 1, $y - 1900) - 86400)) },
                   "s.county_code = $A") =~ s/^(?:[^,]*,){5}([^,]*),.*$/$1/r,
   $want{zero_employment_households_start}, 'zero-employment households the day before the quarter, as the history says');
is(v("SELECT count(DISTINCT p.worker_id) FROM placement p JOIN worker_history x ON x.worker_id = p.worker_id
      AND '$p_to' >= x.valid_from AND '$p_to' < coalesce(x.valid_to, 'infinity') AND NOT x.archived
      JOIN household_history y ON y.household_id = x.household_id AND '$p_to' >= y.valid_from
      AND '$p_to' < coalesce(y.valid_to, 'infinity') JOIN site s ON s.id = y.site_id
      WHERE s.county_code = $A AND p.start_date BETWEEN '$p_from' AND '$p_to'"),
   $want{newly_employed}, 'newly employed: placements started in the quarter');

# --- county scope: staff of county A count a1's job in county B
sub staff {
    my ($name, $counties) = @_;
    local $ENV{LEYE_DATABASE_URL} = dsn();
    local $ENV{PW} = "pw-$tag-$name";
    system("$bin admin create-user --username=\L$tag\E.$name --role=county_staff --counties=$counties --password-env=PW >/dev/null") == 0 or die;
    return login($srv, lc("$tag.$name"), "pw-$tag-$name");
}
my ($here, $there) = (staff('a', $A), staff('b', $B));
ok($here && $there, 'staff of county A and of county B');
is(http($srv, 'GET', "/v1/reports/quarterly?$pargs", token => $here)->{content}, $json_before,
   'county A\'s staff get the very report the province gets, a1\'s job in county B included');
my $dash_here = http($srv, 'GET', "/v1/reports/dashboard?county_code=$A", token => $here)->{json};
my $dash_all = http($srv, 'GET', "/v1/reports/dashboard?county_code=$A")->{json};
is($dash_here->{totals}{employed_outside_county}, 1, 'the dashboard of county A\'s staff shows a1 employed outside the county');
is_deeply($dash_here->{totals}, $dash_all->{totals}, 'the same figures as the province sees for county A');
is($dash_here->{kinds}{public_welfare}, 1, 'and the kind of a1\'s job');
is(http($srv, 'GET', "/v1/reports/dashboard?county_code=$A", token => $there)->{json}{totals}{labor_force}, 0,
   'county B\'s staff see none of county A\'s people');
is(http($srv, 'GET', "/v1/workers/$a1", token => $there)->{status}, 404, 'nor their records');

# --- later changes, through the API: none reaches back into the last quarter
my $today = day(0);
sub patch {
    my ($path, $body) = @_;
    my $version = http($srv, 'GET', $path)->{json}{version};
    my $x = http($srv, 'PATCH', $path, body => $body, headers => { 'If-Match' => qq("$version") });
    is($x->{status}, 200, "PATCH $path " . join(',', sort keys %$body)) or diag($x->{content});
}
patch("/v1/workers/$d1", { archived => JSON::PP::true });
patch("/v1/households/$hA", { site_id => $s2 + 0 });
patch("/v1/households/$hB", { monitoring_status => 'none', monitoring_found_by => undef, monitoring_found_on => undef });
patch("/v1/households/$hD", { monitoring_status => 'marginal', monitoring_found_by => 'cadre_visit', monitoring_found_on => $today });
patch("/v1/workers/$c2", { employment_status => 'employed_local' });    # a job recorded without a placement
patch("/v1/workers/$c1", { employment_status => 'seeking' });          # and one lost
$r = http($srv, 'POST', "/v1/placements/$pb1/end", body => { ended_on => $today, end_reason => 'quit' });
is($r->{status}, 200, 'b1\'s placement ended today');
is(v("SELECT count(*) FROM worker_history WHERE worker_id IN ($d1, $c1, $c2) AND valid_to = '$today'"), 3,
   'the history closed the rows the changes replaced today');
is(v("SELECT count(*) FROM household_history WHERE household_id IN ($hA, $hB, $hD) AND valid_from = '$today'"), 3,
   'and opened the households\' new ones');

$r = http($srv, 'GET', "/v1/reports/quarterly?$pargs");
is($r->{content}, $json_before, 'the last quarter\'s report is byte for byte the same (JSON)');
is(http($srv, 'GET', "/v1/reports/quarterly?$pargs&format=csv")->{content}, $csv_before, 'and as CSV');
is(history_figures($p_to, "s.county_code = $A"), join(',', @{ $r->{json}{total} }{@keys}), 'and the history still says so');

# --- today: the cards, the trend's last point and the running quarter's report agree
# a1 (county B), c2 (recorded by PATCH); a2, b1 and c1 seeking; d1 archived, b2 not seeking
my %today = (labor_force => 5, employed => 2, employed_local => 1, employed_outside_county => 1, employed_outside_province => 0,
          employment_rate => 0.4);
sub agree {
    my ($what, $q, $token, $want) = @_;
    my @t = $token ? (token => $token) : ();
    my $d = http($srv, 'GET', "/v1/reports/dashboard?$q", @t)->{json};
    (my $rq = $q) =~ s/county_code=/county=/;
    $rq =~ s/&?site_id=\d+//;
    my $rep = http($srv, 'GET', "/v1/reports/quarterly?year=$CY&quarter=$CQ&$rq", @t)->{json};
    my $row = $rep->{total};
    if ($q =~ /site_id=(\d+)/) {
        my $sid = $1;
        ($row) = map { $_->{figures} } grep { $_->{site_id} == $sid } map { @{ $_->{sites} } } @{ $rep->{counties} };
    }
    my $last = $d->{trend}[-1];
    is_deeply($d->{totals}, $want, "$what: the cards") if $want;
    is_deeply([ @$last{qw(as_of labor_force employed employment_rate)} ],
              [ $today, @{ $d->{totals} }{qw(labor_force employed employment_rate)} ], "$what: the trend's last point is today's cards");
    is_deeply([ $rep->{as_of}, @$row{qw(labor_force employed employed_local employed_outside_county employed_outside_province)} ],
              [ $today, @{ $d->{totals} }{qw(labor_force employed employed_local employed_outside_county employed_outside_province)} ],
              "$what: the running quarter's report, as of today, says the same");
    is_deeply([ @$d{qw(zero_employment_households monitored_households)} ],
              [ @$row{qw(zero_employment_households_end monitored_households)} ], "$what: and the same households");
    return $d;
}
my $d = agree('county A', "county_code=$A", undef, \%today);
agree('county A, its staff', "county_code=$A", $here, \%today);
agree('site 二', "county_code=$A&site_id=$s2", undef, undef);
is(history_figures($today, "s.county_code = $A"),
   join(',', @{ $d->{totals} }{qw(labor_force employed employed_local employed_outside_county employed_outside_province)},
        @$d{qw(zero_employment_households monitored_households)}),
   'today\'s cards as the history says');
is_deeply([ @$d{qw(households zero_employment_households monitored_households monitored_nobody_employed)} ], [ 4, 1, 1, 0 ],
          'households: hB has nobody employed; hD is monitored, with no labour left');
is_deeply([ map { $_->{id} } @{ $d->{zero_employment_list} } ], [$hB],
          'the list to act on follows the same definition');
my ($bs) = grep { $_->{site_id} == $s2 } @{ $d->{by_site} };
is_deeply([ @$bs{qw(labor_force employed)} ], [ 4, 2 ], 'by site: hA moved to site 二 today');
my ($tp) = grep { $_->{month} eq substr($p_to, 0, 7) } @{ $d->{trend} };
ok($tp, 'the trend has the last quarter\'s last month');
is_deeply([ @{ $tp || {} }{qw(as_of labor_force employed)} ], [ $p_to, @want{qw(labor_force employed)} ],
          'the trend\'s point for the last quarter\'s last month is the report\'s figures');
done_testing();
