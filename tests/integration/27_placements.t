# Placements: read and list; follow-ups at 1, 3 and 6 months, recorded once
# and listed by due date; ending a placement, which in one transaction sets
# the worker seeking again, gives the vacancy its place back, updates the
# household and opens an early-warning task for a household left with nobody
# employed or under monitoring (and which leaves all of them unchanged when
# it fails on its last step); the early-warning tasks themselves.
use strict;
use warnings;
use utf8;
use Test::More;
use POSIX ();
use Encode ();
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $srv = start_server();
my $tag = 'PL' . $$ . int(rand(1e6));
my $admin = 'leye-test-admin';

# sites, households, workers, employers and vacancies have their own APIs
# elsewhere; here they are made directly
my $site = psql_value("INSERT INTO site (name, county_code, lat, lon, kind) "
                      . "VALUES ('$tag 卯家湾', 530621, 27.2, 103.5, 'urban_centralized') RETURNING id");
sub household {
    my (%o) = @_;
    my $mon = $o{monitored} ? "'unstable', 'cadre_visit', current_date - 300" : "'none', NULL, NULL";
    return psql_value("INSERT INTO household (site_id, origin_county_code, members, monitoring_status, "
                      . "monitoring_found_by, monitoring_found_on) VALUES ($site, 530621, 4, $mon) RETURNING id");
}
sub worker {
    my ($hh, $name) = @_;
    return psql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, "
                      . "birth_date, sex) VALUES ($hh, '$tag $name', decode(md5(random()::text || clock_timestamp()::text), 'hex'), "
                      . "decode(md5(random()::text), 'hex'), '530621********0000', '1988-03-01', 'F') RETURNING id");
}
my $employer = psql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 昭通物流', "
                          . "'PL' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', 530621) RETURNING id");
sub vacancy {
    my ($title, $county, $headcount) = @_;
    return psql_value("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, headcount, "
                      . "wage_min, wage_max, status) VALUES ($employer, '$tag $title', '6-29-01-01', 'regular', $county, "
                      . "27.3, 103.7, $headcount, 3000, 5000, 'open') RETURNING id");
}
sub field_errors { my ($r) = @_; return { map { $_->{field} => $_->{code} } @{ $r->{json}{errors} || [] } } }
# today + n days in China Standard Time, as YYYY-MM-DD
sub day { my ($n) = @_; return POSIX::strftime('%Y-%m-%d', gmtime(time + 8 * 3600 + $n * 86400)) }
sub hire {
    my ($w, $v, $start) = @_;
    my $id = http($srv, 'POST', '/v1/applications', body => { worker_id => $w + 0, vacancy_id => $v + 0, source => 'staff' })->{json}{id};
    http($srv, 'POST', "/v1/applications/$id/transitions", body => { to => $_ }) for qw(shortlisted offered);
    my $r = http($srv, 'POST', "/v1/applications/$id/transitions", body => { to => 'hired', start_date => $start, wage => 3800 });
    is($r->{status}, 200, "worker $w hired, starting $start") or diag explain $r->{json};
    return $r->{json}{placement}{id};
}
sub end_placement {
    my ($id, $body, %h) = @_;
    return http($srv, 'POST', "/v1/placements/$id/end", headers => \%h, body => $body);
}
# the state an end changes, in one line each
sub placement_state { my ($p) = @_; return psql_value("SELECT coalesce(ended_on::text, 'active') || '/' || coalesce(end_reason, '-') || '/' || version FROM placement WHERE id = $p") }
sub worker_status { my ($w) = @_; return psql_value("SELECT employment_status FROM worker WHERE id = $w") }
sub vacancy_state { my ($v) = @_; return psql_value("SELECT filled || '/' || status || '/' || version FROM vacancy WHERE id = $v") }
sub household_state { my ($h) = @_; return psql_value("SELECT labor_count || '/' || employed_count || '/' || zero_employment FROM household WHERE id = $h") }
sub tasks_of { my ($h) = @_; return psql_value("SELECT coalesce(string_agg(reason || '\@' || due_on || ':' || status, ',' ORDER BY id), '') FROM early_warning_task WHERE household_id = $h") }

my $hhA = household();
my ($a1, $a2) = (worker($hhA, '杨一'), worker($hhA, '杨二'));
my $hhB = household(monitored => 1);
my ($b1, $b2) = (worker($hhB, '陈一'), worker($hhB, '陈二'));
my $hhC = household();
my $c1 = worker($hhC, '马一');
my $hhD = household();
my $d1 = worker($hhD, '罗一');
my $v_local = vacancy('鲁甸装卸工', 530621, 2);
my $v_county = vacancy('昭阳分拣员', 530602, 5);

my $pA1 = hire($a1, $v_local, day(-30));
my $pA2 = hire($a2, $v_local, day(-10));
my $pB1 = hire($b1, $v_county, day(-5));
my $pB2 = hire($b2, $v_county, day(-5));
my $pC1 = hire($c1, $v_county, day(-20));
my $pD1 = hire($d1, $v_county, day(-30));
is(vacancy_state($v_local), '2/filled/3', 'the local vacancy is filled by two hires');
is(vacancy_state($v_county), '4/open/5', 'the other has four of five places taken');
is(household_state($hhA), '2/2/false', 'household A: both employed');
is(household_state($hhB), '2/2/false', 'household B: both employed');

# --- read
my $r = http($srv, 'GET', "/v1/placements/$pA1");
is($r->{status}, 200, 'get answers 200');
is($r->{headers}{etag}, '"1"', 'with its ETag');
my $p = $r->{json};
is_deeply([ @$p{qw(worker_id worker_name household_id vacancy_id vacancy_title employer_name county_code start_date wage wage_period location_scope active ended_on)} ],
          [ $a1, "$tag 杨一", $hhA, $v_local, "$tag 鲁甸装卸工", "$tag 昭通物流", 530621, day(-30), 3800, 'month', 'local', JSON::PP::true, undef ],
          'the placement, with names resolved');
is_deeply([ map { [ $_->{due_month}, $_->{due_on}, $_->{done} ? 1 : 0, $_->{recorded_by} ] } @{ $p->{followups} } ],
          [ map { [ $_, psql_value("SELECT (date '" . day(-30) . "' + interval '$_ months')::date"), 0, undef ] } 1, 3, 6 ],
          'its three follow-ups, none done');
is(http($srv, 'GET', '/v1/placements/999999999')->{status}, 404, 'unknown placement: 404');
is(http($srv, 'GET', "/v1/placements/$pB1")->{json}{location_scope}, 'outside_county', 'a job in another county');

# --- follow-ups are recorded once
my $fu_state = "SELECT coalesce(done_at::text, 'open') || '/' || coalesce(still_employed::text, '-') || '/' || coalesce(wage::text, '-') "
             . "|| '/' || coalesce(recorded_by, '-') FROM followup WHERE placement_id = $pA1 AND due_month = 1";
my @bad_fu = (
    [ {}, { still_employed => 'required' }, 'empty body' ],
    [ { still_employed => 'yes' }, { still_employed => 'invalid_type' }, 'not a boolean' ],
    [ { still_employed => JSON::PP::true, wage => -1 }, { wage => 'out_of_range' }, 'negative wage' ],
    [ { still_employed => JSON::PP::true, problems => 'x' x 1001 }, { problems => 'too_long' }, 'problems too long' ],
    [ { still_employed => JSON::PP::true, mood => 'good' }, { mood => 'unknown_field' }, 'unknown field' ],
);
for my $b (@bad_fu) {
    my ($body, $want, $what) = @$b;
    $r = http($srv, 'POST', "/v1/placements/$pA1/followups/1", body => $body);
    is($r->{status}, 422, "follow-up, $what: 422");
    is_deeply(field_errors($r), $want, "follow-up, $what: names the field and reason");
}
is(psql_value($fu_state), 'open/-/-/-', 'no bad follow-up was recorded');
for my $m (2, 12, 'x', 0) {
    is(http($srv, 'POST', "/v1/placements/$pA1/followups/$m", body => { still_employed => JSON::PP::true })->{status}, 404,
       "month $m: 404");
}
is(http($srv, 'POST', '/v1/placements/999999999/followups/1', body => { still_employed => JSON::PP::true })->{status}, 404,
   'unknown placement: 404');
$r = http($srv, 'POST', "/v1/placements/$pA1/followups/1",
          body => { still_employed => JSON::PP::true, wage => 4000, problems => '住宿远', note => '电话回访' });
is($r->{status}, 200, 'the 1-month follow-up recorded') or diag explain $r->{json};
is_deeply([ @{ $r->{json} }{qw(placement_id due_month done still_employed wage problems note recorded_by worker_id)} ],
          [ $pA1, 1, JSON::PP::true, JSON::PP::true, 4000, '住宿远', '电话回访', $admin, $a1 ], 'as sent, with who recorded it');
ok($r->{json}{done_at}, 'and when');
like(psql_value($fu_state), qr{^\d{4}-.*/true/4000/$admin$}, 'stored');
my $fu_done = psql_value($fu_state);
$r = http($srv, 'POST', "/v1/placements/$pA1/followups/1", body => { still_employed => JSON::PP::false });
is($r->{status}, 409, 'recording it twice: 409');
is_deeply(field_errors($r), { month => 'duplicate' }, 'month duplicate');
is(psql_value($fu_state), $fu_done, 'the first record stands');
$r = http($srv, 'POST', "/v1/placements/$pA2/followups/3", body => { still_employed => JSON::PP::true, wage => undef });
is($r->{status}, 200, 'a follow-up without a wage');
is(psql_value("SELECT still_employed || '/' || (wage IS NULL) FROM followup WHERE placement_id = $pA2 AND due_month = 3"),
   'true/true', 'stored');
is(http($srv, 'GET', "/v1/placements/$pA1")->{json}{followups}[0]{done}, JSON::PP::true, 'the placement shows it done');

# --- list placements
sub list_ids {
    my ($path, $q) = @_;
    my $res = http($srv, 'GET', "$path?$q");
    is($res->{status}, 200, "list $path?$q") or diag explain $res->{json};
    return [ map { $_->{id} } @{ $res->{json}{items} } ];
}
is_deeply(list_ids('/v1/placements', "worker_id=$a1"), [ $pA1 ], 'filter worker_id');
is_deeply(list_ids('/v1/placements', "vacancy_id=$v_local"), [ $pA1, $pA2 ], 'filter vacancy_id');
is_deeply(list_ids('/v1/placements', "vacancy_id=$v_local&sort=-id"), [ $pA2, $pA1 ], 'sort -id');
is_deeply(list_ids('/v1/placements', "worker_id=$b1&county_code=530602"), [ $pB1 ], 'filter county_code (the vacancy\'s)');
is_deeply(list_ids('/v1/placements', "worker_id=$b1&county_code=530621"), [], 'not the site\'s county');
# pA1's 1-month follow-up (due about today) is done; its next is due in about two months
is_deeply(list_ids('/v1/placements', "vacancy_id=$v_local&followup_due_before=" . day(40)), [ $pA2 ],
          'filter followup_due_before: only undone follow-ups count');
is_deeply(list_ids('/v1/placements', "vacancy_id=$v_local&followup_due_before=" . day(100)), [ $pA1, $pA2 ],
          'a later date takes in the 3-month follow-up');
my (@seen, $cursor);
do {
    my $res = http($srv, 'GET', "/v1/placements?vacancy_id=$v_county&limit=3" . ($cursor ? "&cursor=$cursor" : ''));
    push @seen, map { $_->{id} } @{ $res->{json}{items} };
    $cursor = $res->{json}{next_cursor};
} while ($cursor && @seen < 20);
is_deeply(\@seen, [ $pB1, $pB2, $pC1, $pD1 ], 'paging to the end: every placement once');
for my $q ('active=maybe', 'followup_due_before=2025-13-01', 'county_code=53', 'sort=wage', 'month=1') {
    $r = http($srv, 'GET', "/v1/placements?$q");
    is($r->{status}, 400, "bad query $q: 400");
}

# --- ending: bad input changes nothing
my %snapA = (p => placement_state($pA1), w => worker_status($a1), v => vacancy_state($v_local), h => household_state($hhA));
my @bad_end = (
    [ {}, { ended_on => 'required', end_reason => 'required' }, 'empty body' ],
    [ { ended_on => day(-1), end_reason => 'fired' }, { end_reason => 'unknown_value' }, 'unknown reason' ],
    [ { ended_on => day(1), end_reason => 'quit' }, { ended_on => 'out_of_range' }, 'an end in the future' ],
    [ { ended_on => day(-31), end_reason => 'quit' }, { ended_on => 'out_of_range' }, 'an end before the start' ],
    [ { ended_on => '2025-02-30', end_reason => 'quit' }, { ended_on => 'invalid_date' }, 'no such date' ],
    [ { ended_on => day(-1), end_reason => 'quit', note => 'x' x 1001 }, { note => 'too_long' }, 'note too long' ],
    [ { ended_on => day(-1), end_reason => 'quit', wage => 1 }, { wage => 'unknown_field' }, 'unknown field' ],
);
for my $b (@bad_end) {
    my ($body, $want, $what) = @$b;
    $r = end_placement($pA1, $body);
    is($r->{status}, 422, "end, $what: 422");
    is_deeply(field_errors($r), $want, "end, $what: names the field and reason");
}
$r = end_placement($pA1, { ended_on => day(-1), end_reason => 'quit' }, 'If-Match' => '"7"');
is($r->{status}, 412, 'end with a stale If-Match: 412');
is(end_placement(999999999, { ended_on => day(-1), end_reason => 'quit' })->{status}, 404, 'ending an unknown placement: 404');
is_deeply({ p => placement_state($pA1), w => worker_status($a1), v => vacancy_state($v_local), h => household_state($hhA) },
          \%snapA, 'placement, worker, vacancy and household unchanged');
is(tasks_of($hhA), '', 'no task');

# --- ending: one of two employed leaves the job
$r = end_placement($pA1, { ended_on => day(-2), end_reason => 'quit', note => '回家照顾老人' }, 'If-Match' => '"1"');
is($r->{status}, 200, 'end a placement') or diag explain $r->{json};
is_deeply([ @{ $r->{json} }{qw(active ended_on end_reason end_note)} ], [ JSON::PP::false, day(-2), 'quit', '回家照顾老人' ], 'ended');
is($r->{headers}{etag}, '"2"', 'a new version');
is($r->{json}{early_warning_task}, undef, 'no task: the household still has someone employed');
is(scalar @{ $r->{json}{followups} }, 3, 'with its follow-ups');
is(placement_state($pA1), day(-2) . '/quit/2', 'placement ended');
is(worker_status($a1), 'seeking', 'worker seeking again');
is(vacancy_state($v_local), '1/open/4', 'the vacancy has its place back and reopens');
is(household_state($hhA), '2/1/false', 'household: one employed');
is(tasks_of($hhA), '', 'no task opened');

$r = end_placement($pA1, { ended_on => day(-1), end_reason => 'other' });
is($r->{status}, 409, 'ending twice: 409');
is_deeply(field_errors($r), { ended_on => 'illegal_transition' }, 'ended_on illegal_transition');
is(placement_state($pA1), day(-2) . '/quit/2', 'the first end stands');
is(vacancy_state($v_local), '1/open/4', 'the vacancy is not given a place twice');

# --- the last employed member leaves: zero employment, a visit within 7 days
$r = end_placement($pA2, { ended_on => day(0), end_reason => 'contract_ended' });
is($r->{status}, 200, 'end the other placement');
my $taskA = $r->{json}{early_warning_task};
is_deeply([ @$taskA{qw(household_id placement_id worker_id reason due_on status county_code overdue)} ],
          [ $hhA, $pA2, $a2, 'job_lost_zero_employment', day(7), 'open', 530621, JSON::PP::false ],
          'a task for the household left with nobody employed, due in 7 days');
is(worker_status($a2), 'seeking', 'worker seeking again');
is(vacancy_state($v_local), '0/open/5', 'vacancy: no place taken');
is(household_state($hhA), '2/0/true', 'household: zero employment');
is(tasks_of($hhA), 'job_lost_zero_employment@' . day(7) . ':open', 'one task stored');

# --- a monitored household: a visit even with someone still employed
$r = end_placement($pB1, { ended_on => day(-1), end_reason => 'health' });
is($r->{status}, 200, 'end a placement in a monitored household');
my $taskB = $r->{json}{early_warning_task};
is($taskB->{reason}, 'job_lost_monitored', 'a task for the monitored household');
is(household_state($hhB), '2/1/false', 'household: one still employed');
is(tasks_of($hhB), 'job_lost_monitored@' . day(6) . ':open', 'stored, due 7 days after the end');
is(vacancy_state($v_county), '3/open/6', 'vacancy: a place freed');

# --- a failure on the last step (opening the task) leaves everything unchanged
my $fn = "test_fail_task_$$";
psql("CREATE FUNCTION $fn() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN "
     . "IF NEW.household_id = $hhC THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END \$\$");
psql("CREATE TRIGGER $fn BEFORE INSERT ON early_warning_task FOR EACH ROW EXECUTE FUNCTION $fn()");
END { psql("DROP TRIGGER IF EXISTS $fn ON early_warning_task; DROP FUNCTION IF EXISTS $fn()", may_fail => 1) if $fn }
my %snapC = (p => placement_state($pC1), w => worker_status($c1), v => vacancy_state($v_county), h => household_state($hhC));
is_deeply(\%snapC, { p => 'active/-/1', w => 'employed_outside_county', v => '3/open/6', h => '1/1/false' }, 'before: employed');
$r = end_placement($pC1, { ended_on => day(-1), end_reason => 'dismissed' });
is($r->{status}, 500, 'an end that fails when it opens the task');
is(placement_state($pC1), $snapC{p}, 'placement still active');
is(worker_status($c1), $snapC{w}, 'worker still employed');
is(vacancy_state($v_county), $snapC{v}, 'vacancy unchanged');
is(household_state($hhC), $snapC{h}, 'household unchanged');
is(tasks_of($hhC), '', 'no task');
psql("DROP TRIGGER $fn ON early_warning_task; DROP FUNCTION $fn()");
$fn = undef;
$r = end_placement($pC1, { ended_on => day(-1), end_reason => 'dismissed' });
is($r->{status}, 200, 'the same end succeeds once the fault is gone');
is(household_state($hhC), '1/0/true', 'household: zero employment');
is(tasks_of($hhC), 'job_lost_zero_employment@' . day(6) . ':open', 'and its task');

# an end long enough ago makes an overdue task
$r = end_placement($pD1, { ended_on => day(-20), end_reason => 'project_finished' });
is($r->{status}, 200, 'end a placement 20 days ago');
my $taskD = $r->{json}{early_warning_task};
is_deeply([ @$taskD{qw(due_on overdue)} ], [ day(-13), JSON::PP::true ], 'its task was due 13 days ago: overdue');
is(vacancy_state($v_county), '1/open/8', 'vacancy: two more places freed');

# --- follow-ups by due date (shared by every test's data: checked on ours)
sub all_items {
    my ($q) = @_;
    my (@items, $cur);
    my $pages = 0;
    do {
        my $res = http($srv, 'GET', "/v1/followups?$q&limit=50" . ($cur ? "&cursor=$cur" : ''));
        is($res->{status}, 200, "follow-ups ?$q page " . ($pages + 1)) if $pages == 0;
        push @items, @{ $res->{json}{items} };
        $cur = $res->{json}{next_cursor};
        $pages++;
    } while ($cur && $pages < 100);
    return \@items;
}
my $mine = "SELECT f.id FROM followup f JOIN placement p ON p.id = f.placement_id JOIN worker w ON w.id = p.worker_id "
         . "WHERE w.name LIKE '$tag %'";
my $due = day(40);
my $items = all_items("done=false&due_before=$due");
my @order = map { "$_->{due_on}/$_->{id}" } @$items;
is_deeply(\@order, [ sort { my @x = split m{/}, $a; my @y = split m{/}, $b; $x[0] cmp $y[0] || $x[1] <=> $y[1] } @order ],
          'sorted by due date, then id, across pages');
ok(!(grep { $_->{done} || $_->{due_on} gt $due } @$items), 'only undone follow-ups due on or before the date');
my %listed = map { $_->{id} => 1 } @$items;
my @want = split /\n/, psql("$mine AND f.done_at IS NULL AND f.due_on <= '$due' ORDER BY f.due_on, f.id");
ok(@want >= 5, scalar(@want) . ' of ours due by then');
is_deeply([ grep { $listed{$_} } @want ], \@want, 'all of ours are listed');
is(scalar(grep { $_->{worker_id} == $a1 } @$items), 0, "the done one is not");
my ($one) = grep { $_->{placement_id} == $pA2 && $_->{due_month} == 1 } @$items;
is_deeply([ @$one{qw(worker_id worker_name vacancy_id county_code placement_active)} ],
          [ $a2, "$tag 杨二", $v_local, 530621, JSON::PP::false ], 'an item names its worker, vacancy and placement');
$items = all_items('done=true&due_before=2100-01-01');
ok(!(grep { !$_->{done} } @$items), 'done=true: only done ones');
is_deeply([ sort { $a <=> $b } map { $_->{placement_id} } grep { $_->{worker_id} == $a1 || $_->{worker_id} == $a2 } @$items ],
          [ $pA1, $pA2 ], 'ours among them');
$items = all_items("county_code=530602&done=false&due_before=$due");
ok(!(grep { $_->{county_code} != 530602 } @$items), 'county_code: only follow-ups of vacancies in that county');
%listed = map { $_->{placement_id} => 1 } @$items;
ok($listed{$pB1} && $listed{$pD1} && !$listed{$pA2}, 'ours in that county, not the others');
for my $q ('done=perhaps', 'due_before=tomorrow', 'county_code=x', 'sort=id', 'worker_id=1') {
    is(http($srv, 'GET', "/v1/followups?$q")->{status}, 400, "bad query $q: 400");
}

# --- early-warning tasks
is_deeply(list_ids('/v1/early-warning-tasks', "household_id=$hhA"), [ $taskA->{id} ], 'tasks: filter household_id');
is_deeply(list_ids('/v1/early-warning-tasks', "household_id=$hhA&status=open"), [ $taskA->{id} ], 'filter status');
is_deeply(list_ids('/v1/early-warning-tasks', "household_id=$hhA&status=closed"), [], 'none closed');
is_deeply(list_ids('/v1/early-warning-tasks', "household_id=$hhD&overdue=true"), [ $taskD->{id} ], 'filter overdue=true');
is_deeply(list_ids('/v1/early-warning-tasks', "household_id=$hhD&overdue=false"), [], 'overdue=false leaves it out');
is_deeply(list_ids('/v1/early-warning-tasks', "household_id=$hhA&overdue=false"), [ $taskA->{id} ], 'a task not yet due');
is_deeply(list_ids('/v1/early-warning-tasks', "household_id=$hhA&county_code=530621"), [ $taskA->{id} ],
          'filter county_code (the site\'s)');
is_deeply(list_ids('/v1/early-warning-tasks', "household_id=$hhA&county_code=530602"), [], 'another county');
my @ours = ($taskA->{id}, $taskB->{id}, $taskD->{id}, psql_value("SELECT id FROM early_warning_task WHERE household_id = $hhC"));
for my $sort ('id', 'due_on') {
    my (@got, $cur);
    my $pages = 0;
    do {
        my $res = http($srv, 'GET', "/v1/early-warning-tasks?county_code=530621&status=open&sort=$sort&limit=2" . ($cur ? "&cursor=$cur" : ''));
        push @got, @{ $res->{json}{items} };
        $cur = $res->{json}{next_cursor};
        $pages++;
    } while ($cur && $pages < 200);
    my %in = map { $_ => 1 } @ours;
    my @ours_got = map { $_->{id} } grep { $in{ $_->{id} } } @got;
    my @by = $sort eq 'id' ? sort { $a <=> $b } @ours
           : map { $_->[1] } sort { $a->[0] cmp $b->[0] || $a->[1] <=> $b->[1] }
             map { [ psql_value("SELECT due_on FROM early_warning_task WHERE id = $_"), $_ ] } @ours;
    is_deeply(\@ours_got, \@by, "sort $sort: ours in order, each once, paging to the end");
}
for my $q ('status=pending', 'overdue=1', 'household_id=-1', 'sort=reason') {
    is(http($srv, 'GET', "/v1/early-warning-tasks?$q")->{status}, 400, "bad query $q: 400");
}

$r = http($srv, 'GET', "/v1/early-warning-tasks/$taskA->{id}");
is($r->{status}, 200, 'get a task');
is($r->{headers}{etag}, '"1"', 'with its ETag');
is_deeply($r->{json}, $taskA, 'as the end reported it');
is($r->{json}{site_id}, $site, 'names the site');
is(http($srv, 'GET', '/v1/early-warning-tasks/999999999')->{status}, 404, 'unknown task: 404');

my $task_state = "SELECT assignee || '/' || visit_note || '/' || status || '/' || (closed_at IS NOT NULL) || '/' || version "
               . "FROM early_warning_task WHERE id = $taskA->{id}";
sub task_state { return Encode::decode('UTF-8', psql_value($task_state)) }
sub patch_task { my ($body, %h) = @_; return http($srv, 'PATCH', "/v1/early-warning-tasks/$taskA->{id}", headers => \%h, body => $body) }
is(patch_task({ assignee => '李干部' })->{status}, 428, 'PATCH without If-Match: 428');
is(patch_task({ assignee => '李干部' }, 'If-Match' => '"5"')->{status}, 412, 'with a stale one: 412');
for my $b ([ {}, { '' => 'required' }, 'empty body' ], [ { assignee => 'x' x 51 }, { assignee => 'too_long' }, 'assignee too long' ],
           [ { status => 'pending' }, { status => 'unknown_value' }, 'unknown status' ],
           [ { reason => 'job_lost_monitored' }, { reason => 'unknown_field' }, 'reason cannot be changed' ]) {
    my ($body, $want, $what) = @$b;
    $r = patch_task($body, 'If-Match' => '"1"');
    is($r->{status}, 422, "task, $what: 422");
    is_deeply(field_errors($r), $want, "task, $what: names the field and reason");
}
is(task_state(), '//open/false/1', 'unchanged');
$r = patch_task({ assignee => '李干部', visit_note => '已电话联系' }, 'If-Match' => '"1"');
is($r->{status}, 200, 'assign it and note the visit');
is($r->{headers}{etag}, '"2"', 'a new version');
is(task_state(), '李干部/已电话联系/open/false/2', 'stored');
$r = patch_task({ status => 'closed', visit_note => '已入户走访，推荐公益性岗位' }, 'If-Match' => '"2"');
is($r->{status}, 200, 'close it');
ok($r->{json}{closed_at}, 'closed_at set');
is($r->{json}{overdue}, JSON::PP::false, 'a closed task is never overdue');
is(task_state(), '李干部/已入户走访，推荐公益性岗位/closed/true/3', 'stored closed');
my $closed_at = psql_value("SELECT closed_at FROM early_warning_task WHERE id = $taskA->{id}");
$r = patch_task({ status => 'open' }, 'If-Match' => '"3"');
is($r->{status}, 409, 'reopening a closed task: 409');
is_deeply(field_errors($r), { status => 'illegal_transition' }, 'status illegal_transition');
is(task_state(), '李干部/已入户走访，推荐公益性岗位/closed/true/3', 'still closed');
$r = patch_task({ status => 'closed', assignee => '王干部' }, 'If-Match' => '"3"');
is($r->{status}, 200, 'a closed task may still be edited');
is(psql_value("SELECT closed_at FROM early_warning_task WHERE id = $taskA->{id}"), $closed_at, 'closing again keeps closed_at');
is_deeply(list_ids('/v1/early-warning-tasks', "household_id=$hhA&status=closed"), [ $taskA->{id} ], 'listed as closed');

# --- county staff work on their own county's households only
sub staff {
    my ($name, $county) = @_;
    local $ENV{LEYE_DATABASE_URL} = dsn();
    local $ENV{PW} = 'placements-test-password';
    system("$ENV{LEYE_SERVER_BIN} admin create-user --username=" . lc("$tag.$name") . " --role=county_staff "
           . "--counties=$county --password-env=PW >/dev/null") == 0 or die "create-user failed\n";
    return login($srv, lc("$tag.$name"), 'placements-test-password');
}
my $ludian = staff('ludian', 530621);
my $zhaoyang = staff('zhaoyang', 530602);
ok($ludian && $zhaoyang, 'two county staff');
is(http($srv, 'GET', "/v1/placements/$pB2", token => $zhaoyang)->{status}, 404,
   "another county's staff cannot see a placement of this site's worker, even at a vacancy in their county");
is(http($srv, 'GET', "/v1/early-warning-tasks/$taskB->{id}", token => $zhaoyang)->{status}, 404, 'nor its household\'s task');
is_deeply(list_ids('/v1/placements', "worker_id=$b2"), [ $pB2 ], 'the administrator lists it');
$r = http($srv, 'GET', "/v1/placements?worker_id=$b2", token => $zhaoyang);
is_deeply($r->{json}{items}, [], 'the other county\'s staff do not');
$r = http($srv, 'POST', "/v1/placements/$pB2/end", token => $zhaoyang, body => { ended_on => day(0), end_reason => 'quit' });
is($r->{status}, 404, 'nor can they end it');
is(placement_state($pB2), 'active/-/1', 'which stays active');
$r = http($srv, 'POST', "/v1/placements/$pB2/followups/1", token => $zhaoyang, body => { still_employed => JSON::PP::true });
is($r->{status}, 404, 'nor record its follow-up');
$r = http($srv, 'POST', "/v1/placements/$pB2/followups/1", token => $ludian, body => { still_employed => JSON::PP::true });
is($r->{status}, 200, 'the home county\'s staff record it');
is($r->{json}{recorded_by}, lc("$tag.ludian"), 'recorded as them');
my $v_home = vacancy('鲁甸保洁', 530621, 3);
my $hhE = household();
my $e1 = worker($hhE, '周一');
my $id = http($srv, 'POST', '/v1/applications', token => $ludian,
              body => { worker_id => $e1 + 0, vacancy_id => $v_home + 0, source => 'staff' })->{json}{id};
ok($id, 'home county staff apply a worker to a vacancy in their county');
http($srv, 'POST', "/v1/applications/$id/transitions", token => $ludian, body => { to => $_ }) for qw(shortlisted offered);
$r = http($srv, 'POST', "/v1/applications/$id/transitions", token => $ludian, body => { to => 'hired', start_date => day(0), wage => 3000 });
is($r->{status}, 200, 'and hire them');
my $pE1 = $r->{json}{placement}{id};
is_deeply([ worker_status($e1), vacancy_state($v_home), household_state($hhE) ], [ 'employed_local', '1/open/2', '1/1/false' ],
          'worker, vacancy and household updated');
$r = http($srv, 'POST', "/v1/placements/$pE1/end", token => $ludian, body => { ended_on => day(0), end_reason => 'moved' });
is($r->{status}, 200, 'and end the placement');
is_deeply([ worker_status($e1), vacancy_state($v_home), household_state($hhE), tasks_of($hhE) ],
          [ 'seeking', '0/open/3', '1/0/true', 'job_lost_zero_employment@' . day(7) . ':open' ],
          'worker, vacancy, household and task updated');
is_deeply(http($srv, 'GET', "/v1/early-warning-tasks?household_id=$hhE", token => $zhaoyang)->{json}{items}, [],
          'the other county\'s staff do not see the task');
is(scalar @{ http($srv, 'GET', "/v1/early-warning-tasks?household_id=$hhE", token => $ludian)->{json}{items} }, 1,
   'the home county\'s staff do');

done_testing();
