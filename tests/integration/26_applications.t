# Applications: create, read, list; the rules on workers and vacancies; one
# live application per worker and vacancy; every move of the flow, legal and
# illegal, with its history; the hire, which in one transaction makes the
# placement and its follow-ups, sets the worker's status, takes a place of
# the vacancy and updates the household, and which leaves all of them
# unchanged when it fails on its last step; brokers.
use strict;
use warnings;
use utf8;
use Test::More;
use POSIX ();
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $srv = start_server();
my $tag = 'AP' . $$ . int(rand(1e6));
my $admin = 'leye-test-admin';

# sites, households, workers, employers and vacancies have their own APIs
# elsewhere; here they are made directly
my $site = psql_value("INSERT INTO site (name, county_code, lat, lon, kind) "
                      . "VALUES ('$tag 卯家湾', 530621, 27.2, 103.5, 'urban_centralized') RETURNING id");
sub household {
    return psql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, 530621, 4) RETURNING id");
}
sub worker {
    my ($hh, $name, %o) = @_;
    my $status = $o{status} // 'seeking';
    my $archived = $o{archived} ? 'true' : 'false';
    my $brokers = $o{consent_brokers} ? 'true' : 'false';
    return psql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, "
                      . "birth_date, sex, employment_status, archived, consent_brokers) VALUES ($hh, '$tag $name', "
                      . "decode(md5(random()::text || clock_timestamp()::text), 'hex'), decode(md5(random()::text), 'hex'), "
                      . "'530621********0000', '1990-05-01', 'M', '$status', $archived, $brokers) RETURNING id");
}
my $employer = psql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 鲁甸建工', "
                          . "'AP' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', 530621) RETURNING id");
sub vacancy {
    my (%o) = @_;
    my $kind = $o{kind} // 'regular';
    my $county = $o{county} // 530621;
    my $dest = $kind eq 'labor_export' ? 330000 : 'NULL';
    my $status = $o{status} // 'open';
    my $archived = $o{archived} ? 'true' : 'false';
    my $headcount = $o{headcount} // 5;
    my $filled = $o{filled} // 0;
    return psql_value("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, "
                      . "dest_province_code, headcount, filled, wage_min, wage_max, status, archived) VALUES ($employer, "
                      . "'$tag " . ($o{title} // 'post') . "', '6-29-01-01', '$kind', $county, 27.2, 103.5, $dest, "
                      . "$headcount, $filled, 3000, 5000, '$status', $archived) RETURNING id");
}
sub field_errors { my ($r) = @_; return { map { $_->{field} => $_->{code} } @{ $r->{json}{errors} || [] } } }
# today + n days in China Standard Time, as YYYY-MM-DD
sub day { my ($n) = @_; return POSIX::strftime('%Y-%m-%d', gmtime(time + 8 * 3600 + $n * 86400)) }
sub apply { my (%b) = @_; return http($srv, 'POST', '/v1/applications', body => { source => 'staff', %b }) }
sub move {
    my ($id, $to, %o) = @_;
    my %h = $o{if_match} ? ('If-Match' => $o{if_match}) : ();
    delete $o{if_match};
    return http($srv, 'POST', "/v1/applications/$id/transitions", headers => \%h, body => { to => $to, %o });
}
sub app_state { my ($id) = @_; return psql_value("SELECT status || '/' || version || '/' || "
                                                 . "(SELECT count(*) FROM application_event WHERE application_id = $id) "
                                                 . "FROM application WHERE id = $id") }
sub worker_status { my ($w) = @_; return psql_value("SELECT employment_status FROM worker WHERE id = $w") }
sub vacancy_state { my ($v) = @_; return psql_value("SELECT filled || '/' || status || '/' || version FROM vacancy WHERE id = $v") }
sub household_state { my ($h) = @_; return psql_value("SELECT labor_count || '/' || employed_count || '/' || zero_employment FROM household WHERE id = $h") }
my $hire_body = sub { (start_date => day(-3), wage => 4200) };

my $hh = household();
my $w1 = worker($hh, '张明');
my $w2 = worker($hh, '张丽');
my $hh2 = household();
my $w3 = worker($hh2, '李强');
my $w_archived = worker($hh2, '王归档', archived => 1);
my $w_not = worker($hh2, '王不找', status => 'not_seeking');
my $v1 = vacancy(title => '砌筑工');
my $v_draft = vacancy(status => 'draft');
my $v_closed = vacancy(status => 'closed');
my $v_full = vacancy(headcount => 2, filled => 2);
my $v_archived = vacancy(archived => 1);
my $my_apps = "SELECT count(*) FROM application a JOIN worker w ON w.id = a.worker_id WHERE w.name LIKE '$tag %'";
is(household_state($hh), '2/0/true', 'a household with two seeking workers and nobody employed');

# --- create
my $r = apply(worker_id => $w1 + 0, vacancy_id => $v1 + 0, note => '本人到窗口报名');
is($r->{status}, 201, 'create answers 201') or diag explain $r->{json};
my $a1 = $r->{json};
like($r->{headers}{location}, qr{^/v1/applications/$a1->{id}$}, 'with Location');
is($r->{headers}{etag}, '"1"', 'with an ETag');
is($a1->{status}, 'applied', 'a new application is applied');
is($a1->{worker_name}, "$tag 张明", 'worker name resolved');
is($a1->{vacancy_title}, "$tag 砌筑工", 'vacancy title resolved');
is($a1->{employer_name}, "$tag 鲁甸建工", 'employer name resolved');
is($a1->{created_by}, $admin, 'records who applied it');
is($a1->{placement_id}, undef, 'no placement');
is(scalar @{ $a1->{events} }, 1, 'with one event');
is_deeply([ @{ $a1->{events}[0] }{qw(from to actor note)} ], [ undef, 'applied', $admin, '本人到窗口报名' ],
          'the event: from nothing to applied, by whom');
ok($a1->{events}[0]{at}, 'and when');
is(psql_value("SELECT worker_id || '/' || vacancy_id || '/' || source || '/' || status || '/' || created_by FROM application WHERE id = $a1->{id}"),
   "$w1/$v1/staff/applied/$admin", 'stored');
is(psql_value("SELECT count(*) || '/' || max(to_status) || '/' || bool_and(from_status IS NULL) FROM application_event WHERE application_id = $a1->{id}"),
   '1/applied/true', 'its event stored');

# --- bad input changes nothing
my $before = psql_value($my_apps);
my @bad = (
    [ {}, { worker_id => 'required', vacancy_id => 'required', source => 'required' }, 'empty body' ],
    [ { worker_id => $w2 + 0, vacancy_id => $v1 + 0, source => 'staff', extra => 1 }, { extra => 'unknown_field' }, 'unknown field' ],
    [ { worker_id => $w2 + 0, vacancy_id => $v1 + 0, source => 'fax' }, { source => 'unknown_value' }, 'unknown source' ],
    [ { worker_id => "$w2", vacancy_id => $v1 + 0, source => 'staff' }, { worker_id => 'invalid_type' }, 'id as a string' ],
    [ { worker_id => 0, vacancy_id => $v1 + 0, source => 'staff' }, { worker_id => 'invalid_format' }, 'id zero' ],
    [ { worker_id => $w2 + 0, vacancy_id => $v1 + 0, source => 'staff', note => 'x' x 1001 }, { note => 'too_long' }, 'note too long' ],
    [ { worker_id => 999999999, vacancy_id => $v1 + 0, source => 'staff' }, { worker_id => 'not_found' }, 'unknown worker' ],
    [ { worker_id => $w_archived + 0, vacancy_id => $v1 + 0, source => 'staff' }, { worker_id => 'archived' }, 'archived worker' ],
    [ { worker_id => $w_not + 0, vacancy_id => $v1 + 0, source => 'staff' }, { worker_id => 'not_seeking' }, 'worker not seeking work' ],
    [ { worker_id => $w2 + 0, vacancy_id => 999999999, source => 'staff' }, { vacancy_id => 'not_found' }, 'unknown vacancy' ],
    [ { worker_id => $w2 + 0, vacancy_id => $v_draft + 0, source => 'staff' }, { vacancy_id => 'not_open' }, 'draft vacancy' ],
    [ { worker_id => $w2 + 0, vacancy_id => $v_closed + 0, source => 'staff' }, { vacancy_id => 'not_open' }, 'closed vacancy' ],
    [ { worker_id => $w2 + 0, vacancy_id => $v_full + 0, source => 'staff' }, { vacancy_id => 'full' }, 'full vacancy' ],
    [ { worker_id => $w2 + 0, vacancy_id => $v_archived + 0, source => 'staff' }, { vacancy_id => 'archived' }, 'archived vacancy' ],
);
for my $b (@bad) {
    my ($body, $want, $what) = @$b;
    $r = http($srv, 'POST', '/v1/applications', body => $body);
    is($r->{status}, 422, "$what: 422");
    is($r->{headers}{'content-type'}, 'application/problem+json', "$what: problem+json");
    is_deeply(field_errors($r), $want, "$what: names the field and reason");
}
$r = http($srv, 'POST', '/v1/applications', body => '{"worker_id": ', headers => { 'Content-Type' => 'application/json' });
is($r->{status}, 400, 'malformed JSON: 400');
is(psql_value($my_apps), $before, 'no bad request made an application');

# one live application per worker and vacancy
$r = apply(worker_id => $w1 + 0, vacancy_id => $v1 + 0, source => 'kiosk');
is($r->{status}, 409, 'a second live application: 409');
is($r->{json}{code}, 'conflict', 'conflict');
is_deeply(field_errors($r), { vacancy_id => 'duplicate' }, 'vacancy_id duplicate');
is(psql_value("SELECT count(*) FROM application WHERE worker_id = $w1 AND vacancy_id = $v1"), 1, 'still one');

# Idempotency-Key: a retry gets the first answer
my $key = "idem-$tag";
$r = http($srv, 'POST', '/v1/applications', headers => { 'Idempotency-Key' => $key },
          body => { worker_id => $w2 + 0, vacancy_id => $v1 + 0, source => 'allocation' });
is($r->{status}, 201, 'create with an Idempotency-Key');
my $a2 = $r->{json};
$r = http($srv, 'POST', '/v1/applications', headers => { 'Idempotency-Key' => $key },
          body => { worker_id => $w2 + 0, vacancy_id => $v1 + 0, source => 'allocation' });
is($r->{status}, 201, 'the retry answers 201');
is($r->{headers}{'idempotent-replayed'}, 'true', 'marked as replayed');
is($r->{json}{id}, $a2->{id}, 'with the same application');
is(psql_value("SELECT count(*) FROM application WHERE worker_id = $w2"), 1, 'made once');

# --- read
$r = http($srv, 'GET', "/v1/applications/$a1->{id}");
is($r->{status}, 200, 'get answers 200');
is($r->{headers}{etag}, '"1"', 'with its ETag');
is_deeply($r->{json}, $a1, 'the same as created');
is(http($srv, 'GET', '/v1/applications/999999999')->{status}, 404, 'unknown id: 404');
is(http($srv, 'GET', '/v1/applications/abc')->{status}, 404, 'malformed id: 404');

# --- the flow, step by step, each move recorded
$r = move($a1->{id}, 'shortlisted', note => '初筛通过', if_match => '"9"');
is($r->{status}, 412, 'a stale If-Match: 412');
is(app_state($a1->{id}), 'applied/1/1', 'and nothing moved');
$r = move($a1->{id}, 'shortlisted', if_match => 'bogus');
is($r->{status}, 412, 'a malformed If-Match: 412');
$r = move($a1->{id}, 'shortlisted', note => '初筛通过', if_match => '"1"');
is($r->{status}, 200, 'applied -> shortlisted with the right If-Match') or diag explain $r->{json};
is($r->{json}{status}, 'shortlisted', 'shortlisted');
is($r->{headers}{etag}, '"2"', 'a new version');
is(app_state($a1->{id}), 'shortlisted/2/2', 'stored, with its event');
$r = move($a1->{id}, 'offered');
is($r->{status}, 200, 'shortlisted -> offered without If-Match');
is(app_state($a1->{id}), 'offered/3/3', 'stored, with its event');
is_deeply([ map { [ $_->{from}, $_->{to}, $_->{actor} ] } @{ $r->{json}{events} } ],
          [ [ undef, 'applied', $admin ], [ 'applied', 'shortlisted', $admin ], [ 'shortlisted', 'offered', $admin ] ],
          'the history: every move, who made it');
is($r->{json}{events}[1]{note}, '初筛通过', 'with its note');
is(psql_value("SELECT count(*) FROM application_event WHERE application_id = $a1->{id} AND at IS NOT NULL AND actor = '$admin'"), 3,
   'each move recorded with who and when');

# --- transition input
my @bad_moves = (
    [ {}, { to => 'required' }, 'no to' ],
    [ { to => 'promoted' }, { to => 'unknown_value' }, 'unknown status' ],
    [ { to => 'hired' }, { start_date => 'required', wage => 'required' }, 'a hire without start date and wage' ],
    [ { to => 'hired', start_date => day(-3) }, { wage => 'required' }, 'a hire without wage' ],
    [ { to => 'hired', start_date => day(-32), wage => 4000 }, { start_date => 'out_of_range' }, 'a start 32 days ago' ],
    [ { to => 'hired', start_date => '2025-02-30', wage => 4000 }, { start_date => 'invalid_date' }, 'no such date' ],
    [ { to => 'hired', start_date => day(-3), wage => -1 }, { wage => 'out_of_range' }, 'a negative wage' ],
    [ { to => 'hired', start_date => day(-3), wage => 4000.5 }, { wage => 'invalid_type' }, 'a fractional wage' ],
    [ { to => 'rejected', start_date => day(0) }, { start_date => 'not_allowed' }, 'a start date without a hire' ],
    [ { to => 'rejected', wage => 3000 }, { wage => 'not_allowed' }, 'a wage without a hire' ],
    [ { to => 'rejected', reason => 'x' }, { reason => 'unknown_field' }, 'unknown field' ],
    [ { to => 'rejected', note => 'x' x 1001 }, { note => 'too_long' }, 'note too long' ],
);
for my $b (@bad_moves) {
    my ($body, $want, $what) = @$b;
    $r = http($srv, 'POST', "/v1/applications/$a1->{id}/transitions", body => $body);
    is($r->{status}, 422, "$what: 422");
    is_deeply(field_errors($r), $want, "$what: names the field and reason");
}
is(app_state($a1->{id}), 'offered/3/3', 'no bad move changed anything');
is(worker_status($w1), 'seeking', 'nor the worker');
is(move(999999999, 'rejected')->{status}, 404, 'moving an unknown application: 404');

# --- the hire: local
is(vacancy_state($v1), '0/open/1', 'the vacancy before the hire');
my $start = day(-31);
$r = move($a1->{id}, 'hired', start_date => $start, wage => 4200, note => '签约');
is($r->{status}, 200, 'offered -> hired, starting 31 days ago') or diag explain $r->{json};
my $p1 = $r->{json}{placement};
is($r->{json}{status}, 'hired', 'hired');
is($r->{json}{placement_id}, $p1->{id}, 'the application names its placement');
is($p1->{location_scope}, 'local', 'same county as the site: local');
is_deeply([ @$p1{qw(worker_id vacancy_id start_date wage active)} ], [ $w1, $v1, $start, 4200, JSON::PP::true ],
          'the placement');
is_deeply([ map { [ $_->{due_month}, $_->{due_on}, $_->{done} ? 1 : 0 ] } @{ $p1->{followups} } ],
          [ map { [ $_, psql_value("SELECT (date '$start' + interval '$_ months')::date"), 0 ] } 1, 3, 6 ],
          'follow-ups due 1, 3 and 6 months after the start');
is(app_state($a1->{id}), 'hired/4/4', 'application hired, with its event');
is(psql_value("SELECT application_id || '/' || worker_id || '/' || vacancy_id || '/' || start_date || '/' || wage || '/' || location_scope || '/' || (ended_on IS NULL) FROM placement WHERE id = $p1->{id}"),
   "$a1->{id}/$w1/$v1/$start/4200/local/true", 'placement stored');
is(psql_value("SELECT string_agg(due_month || ':' || due_on || ':' || (done_at IS NULL), ',' ORDER BY due_month) FROM followup WHERE placement_id = $p1->{id}"),
   join(',', map { "$_:" . psql_value("SELECT (date '$start' + interval '$_ months')::date") . ':true' } 1, 3, 6), 'follow-ups stored');
is(worker_status($w1), 'employed_local', 'worker employed locally');
is(vacancy_state($v1), '1/open/2', 'vacancy: one place taken, still open');
is(household_state($hh), '2/1/false', 'household: one employed, no longer zero-employment');

# every illegal move is refused and changes nothing: one application in each state
my $v_moves = vacancy(title => 'moves', headcount => 50);
my @ws = map { worker(household(), "moves$_") } 1 .. 6;
my %path_to = (applied => [], shortlisted => ['shortlisted'], offered => [qw(shortlisted offered)],
               hired => [qw(shortlisted offered hired)], rejected => ['rejected'], withdrawn => ['withdrawn']);
my %in;
for my $i (0 .. 5) {
    my $st = (qw(applied shortlisted offered hired rejected withdrawn))[$i];
    my $id = apply(worker_id => $ws[$i] + 0, vacancy_id => $v_moves + 0)->{json}{id};
    for my $to (@{ $path_to{$st} }) { is(move($id, $to, $to eq 'hired' ? $hire_body->() : ())->{status}, 200, "$st: via $to") }
    $in{$st} = $id;
}
my %legal = map { $_ => 1 } qw(applied:shortlisted shortlisted:offered offered:hired applied:rejected applied:withdrawn
                               shortlisted:rejected shortlisted:withdrawn offered:rejected offered:withdrawn);
my $illegal = 0;
for my $from (qw(applied shortlisted offered hired rejected withdrawn)) {
    my $id = $in{$from};
    my $state = app_state($id);
    like($state, qr{^$from/}, "an application in state $from");
    my $filled = vacancy_state($v_moves);
    for my $to (qw(applied shortlisted offered hired rejected withdrawn)) {
        next if $legal{"$from:$to"};
        $illegal++;
        $r = move($id, $to, $to eq 'hired' ? $hire_body->() : ());
        is($r->{status}, 409, "$from -> $to: 409");
        is_deeply(field_errors($r), { to => 'illegal_transition' }, "$from -> $to: to illegal_transition");
        is(app_state($id), $state, "$from -> $to: nothing changed");
    }
    is(vacancy_state($v_moves), $filled, "$from: the vacancy unchanged by the refused moves");
}
is($illegal, 27, 'all 27 illegal moves tried');
is(psql_value("SELECT count(*) FROM placement WHERE vacancy_id = $v_moves"), 1, 'only the one legal hire made a placement');
# the legal exits from each live state
for my $exit (qw(rejected withdrawn)) {
    for my $from (qw(applied shortlisted offered)) {
        my $w = worker(household(), "exit$exit$from");
        my $id = apply(worker_id => $w + 0, vacancy_id => $v_moves + 0)->{json}{id};
        move($id, $_) for @{ $path_to{$from} };
        $r = move($id, $exit, note => '原因');
        is($r->{status}, 200, "$from -> $exit");
        is($r->{json}{events}[-1]{from} . '>' . $r->{json}{events}[-1]{to}, "$from>$exit", "$from -> $exit recorded");
        is(psql_value("SELECT status FROM application WHERE id = $id"), $exit, "$from -> $exit stored");
    }
}

# an exit frees the worker to apply to the same vacancy again
$r = apply(worker_id => $ws[5] + 0, vacancy_id => $v_moves + 0);
is($r->{status}, 201, 'after withdrawing, the worker may apply again');

# --- hires further away
my $v_county = vacancy(title => '昭阳物流', county => 530602);
my $v_export = vacancy(title => '宁波电子厂', kind => 'labor_export');
for my $case ([ $w2, $v_county, 'outside_county', 'employed_outside_county' ],
              [ $w3, $v_export, 'outside_province', 'employed_outside_province' ]) {
    my ($w, $v, $scope, $status) = @$case;
    my $id = apply(worker_id => $w + 0, vacancy_id => $v + 0)->{json}{id};
    move($id, $_) for qw(shortlisted offered);
    $r = move($id, 'hired', start_date => day(0), wage => 5000);
    is($r->{status}, 200, "hire into $scope");
    is($r->{json}{placement}{location_scope}, $scope, "placement is $scope");
    is(psql_value("SELECT location_scope FROM placement WHERE application_id = $id"), $scope, 'stored');
    is(worker_status($w), $status, "worker $status");
    is(vacancy_state($v), '1/open/2', 'vacancy: one place taken');
}
is(household_state($hh), '2/2/false', 'household: both employed');
is(household_state($hh2), '1/1/false', 'the other household: its one worker who seeks is employed');

# --- the last place fills the vacancy; a hire on a full vacancy fails on its
# last step (taking the place) and leaves everything as it was
my $v_one = vacancy(title => '护林员', kind => 'forest_ranger', headcount => 1);
my $hh3 = household();
my ($w4, $w5) = (worker($hh3, '赵一'), worker($hh3, '赵二'));
my @offered = map { apply(worker_id => $_ + 0, vacancy_id => $v_one + 0)->{json}{id} } $w4, $w5;
for my $id (@offered) { move($id, $_) for qw(shortlisted offered) }
is(app_state($offered[1]), 'offered/3/3', 'two offers for one place');
$r = move($offered[0], 'hired', $hire_body->());
is($r->{status}, 200, 'the first hire takes the only place');
is(vacancy_state($v_one), '1/filled/2', 'the vacancy is filled');
is(household_state($hh3), '2/1/false', 'household: one employed');
my %snap = (app => app_state($offered[1]), worker => worker_status($w5), vacancy => vacancy_state($v_one),
            household => household_state($hh3));
$r = move($offered[1], 'hired', $hire_body->());
is($r->{status}, 409, 'a hire on a full vacancy: 409');
is_deeply(field_errors($r), { vacancy_id => 'full' }, 'vacancy_id full');
is(app_state($offered[1]), $snap{app}, 'application still offered, no event recorded');
is(worker_status($w5), $snap{worker}, 'worker unchanged');
is(vacancy_state($v_one), $snap{vacancy}, 'vacancy unchanged');
is(household_state($hh3), $snap{household}, 'household unchanged');
is(psql_value("SELECT count(*) FROM placement WHERE application_id = $offered[1]"), 0, 'no placement left behind');
is(psql_value("SELECT count(*) FROM followup f JOIN placement p ON p.id = f.placement_id WHERE p.worker_id = $w5"), 0,
   'no follow-ups left behind');
is(psql_value("SELECT count(*) FROM application_event WHERE application_id = $offered[1]"), 3, 'no event left behind');

# at the same time: five hires for two places take exactly two, and five
# identical applications make exactly one
sub at_once {
    my (@calls) = @_;
    my @pids;
    for my $i (0 .. $#calls) {
        my $pid = fork() // die "fork: $!";
        if (!$pid) { my $res = $calls[$i]->(); POSIX::_exit($res->{status} == 200 || $res->{status} == 201 ? 0 : $res->{status} == 409 ? 9 : 1) }
        push @pids, $pid;
    }
    return join ',', sort map { waitpid($_, 0); $? >> 8 } @pids;
}
my $v_two = vacancy(title => '同时录用', headcount => 2);
my $hh4 = household();
my @racers = map { worker($hh4, "抢$_") } 1 .. 5;
my @race_apps = map { apply(worker_id => $_ + 0, vacancy_id => $v_two + 0)->{json}{id} } @racers;
for my $id (@race_apps) { move($id, $_) for qw(shortlisted offered) }
is(at_once(map { my $id = $_; sub { move($id, 'hired', $hire_body->()) } } @race_apps), '0,0,9,9,9',
   'five hires at once for two places: two succeed, three get 409');
is(vacancy_state($v_two), '2/filled/3', 'the vacancy has exactly two places taken');
is(psql_value("SELECT count(*) FROM placement WHERE vacancy_id = $v_two"), 2, 'two placements');
is(psql_value("SELECT count(*) FROM application WHERE vacancy_id = $v_two AND status = 'hired'"), 2, 'two applications hired');
is(psql_value("SELECT count(*) FROM worker WHERE household_id = $hh4 AND employment_status = 'employed_local'"), 2, 'two workers employed');
is(household_state($hh4), '5/2/false', 'and the household counts two');
my $w_dup = worker($hh4, '重复');
my $v_dup = vacancy(title => '重复报名');
is(at_once(map { sub { apply(worker_id => $w_dup + 0, vacancy_id => $v_dup + 0) } } 1 .. 5), '0,9,9,9,9',
   'five identical applications at once: one made, four get 409');
is(psql_value("SELECT count(*) FROM application WHERE worker_id = $w_dup"), 1, 'one application stored');

# a worker already placed, or no longer seeking, cannot be hired
my $v_more = vacancy(title => '第二份工');
my $id_placed = apply(worker_id => $w1 + 0, vacancy_id => $v_more + 0)->{json}{id};
move($id_placed, $_) for qw(shortlisted offered);
$r = move($id_placed, 'hired', $hire_body->());
is($r->{status}, 409, 'a worker with a current placement: 409');
is_deeply(field_errors($r), { worker_id => 'not_allowed' }, 'worker_id not_allowed');
is(app_state($id_placed), 'offered/3/3', 'nothing moved');
is(vacancy_state($v_more), '0/open/1', 'the vacancy unchanged');
my $w6 = worker($hh3, '赵三');
my $id_quit = apply(worker_id => $w6 + 0, vacancy_id => $v_more + 0)->{json}{id};
move($id_quit, $_) for qw(shortlisted offered);
psql("UPDATE worker SET employment_status = 'not_seeking' WHERE id = $w6");
$r = move($id_quit, 'hired', $hire_body->());
is($r->{status}, 409, 'a worker who stopped seeking: 409');
is_deeply(field_errors($r), { worker_id => 'not_seeking' }, 'worker_id not_seeking');
is(worker_status($w6), 'not_seeking', 'worker unchanged');

# --- list
my $id_new = apply(worker_id => $w4 + 0, vacancy_id => $v_more + 0, source => 'kiosk')->{json}{id};
sub list_ids {
    my ($q) = @_;
    my $res = http($srv, 'GET', "/v1/applications?$q");
    is($res->{status}, 200, "list ?$q") or diag explain $res->{json};
    return [ map { $_->{id} } @{ $res->{json}{items} } ];
}
is_deeply(list_ids("worker_id=$w1"), [ sort { $a <=> $b } $a1->{id}, $id_placed ], 'filter worker_id');
is_deeply(list_ids("vacancy_id=$v_more"), [ $id_placed, $id_quit, $id_new ], 'filter vacancy_id');
is_deeply(list_ids("vacancy_id=$v_more&sort=-id"), [ $id_new, $id_quit, $id_placed ], 'sort -id');
is_deeply(list_ids("vacancy_id=$v_more&source=kiosk"), [ $id_new ], 'filter source');
is_deeply(list_ids("vacancy_id=$v_one&status=hired"), [ $offered[0] ], 'filter status');
is_deeply(list_ids("vacancy_id=$v_moves&status=withdrawn&source=staff"),
          [ split /\n/, psql("SELECT id FROM application WHERE vacancy_id = $v_moves AND status = 'withdrawn' ORDER BY id") ],
          'filters combine');
is(scalar @{ list_ids("vacancy_id=$v_moves&status=withdrawn") }, 4, 'four withdrawn from the moves vacancy');
my @all = map { $_->{id} } @{ http($srv, 'GET', "/v1/applications?vacancy_id=$v_moves&limit=200")->{json}{items} };
is(scalar @all, 13, 'thirteen applications to the moves vacancy');
for my $sort ('id', '-id') {
    my (@seen, $cursor);
    my $pages = 0;
    do {
        my $res = http($srv, 'GET', "/v1/applications?vacancy_id=$v_moves&limit=4&sort=$sort" . ($cursor ? "&cursor=$cursor" : ''));
        push @seen, map { $_->{id} } @{ $res->{json}{items} };
        $cursor = $res->{json}{next_cursor};
        $pages++;
    } while ($cursor && $pages < 10);
    is($pages, 4, "sort $sort: four pages of at most four");
    is_deeply(\@seen, [ $sort eq 'id' ? sort { $a <=> $b } @all : sort { $b <=> $a } @all ], "sort $sort: every row once, in order");
}
$r = http($srv, 'GET', "/v1/applications?vacancy_id=$v_more&format=csv");
is($r->{status}, 200, 'CSV export');
like($r->{content}, qr/^\xEF\xBB\xBF/, 'with a byte-order mark');
is(scalar(() = $r->{content} =~ /\r\n/g), 4, 'a header and three rows');
for my $q ('status=promoted', 'worker_id=abc', 'source=fax', 'sort=name', 'colour=red', 'cursor=%%%') {
    $r = http($srv, 'GET', "/v1/applications?$q");
    is($r->{status}, 400, "bad query $q: 400");
    is($r->{json}{code}, 'invalid_query', "bad query $q: invalid_query");
}

# --- brokers apply for workers who consented, as source broker, and may only withdraw
my $bin = $ENV{LEYE_SERVER_BIN};
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); my $o = `$bin admin @_ 2>&1`; chomp $o; $o }
my ($broker) = cli("create-broker --name=$tag-broker") =~ /^broker (\d+)$/;
my ($kid, $bkey) = cli("create-key --broker=$broker --scopes=applications:write --rate=100000") =~ /^key (\d+) (\S+) /;
ok($bkey, 'a broker key with applications:write');
my $w_b = worker(household(), '经纪人推荐', consent_brokers => 1);
$r = http($srv, 'POST', '/v1/applications', token => $bkey,
          body => { worker_id => $w_b + 0, vacancy_id => $v_more + 0, source => 'staff' });
is($r->{status}, 422, 'a broker cannot apply as staff');
is_deeply(field_errors($r), { source => 'not_allowed' }, 'source not_allowed');
$r = http($srv, 'POST', '/v1/applications', token => $bkey,
          body => { worker_id => $w1 + 0, vacancy_id => $v_more + 0, source => 'broker' });
is($r->{status}, 422, 'nor for a worker who did not consent to brokers');
is_deeply(field_errors($r), { worker_id => 'not_found' }, 'whom it cannot see');
$r = http($srv, 'POST', '/v1/applications', token => $bkey,
          body => { worker_id => $w_b + 0, vacancy_id => $v_more + 0, source => 'broker' });
is($r->{status}, 201, 'a broker applies for a consenting worker');
my $id_b = $r->{json}{id};
is(psql_value("SELECT source || '/' || broker_id || '/' || broker_key_id || '/' || created_by FROM application WHERE id = $id_b"),
   "broker/$broker/$kid/$tag-broker", 'recorded with the broker and its key');
$r = http($srv, 'POST', "/v1/applications/$id_b/transitions", token => $bkey, body => { to => 'shortlisted' });
is($r->{status}, 422, 'a broker cannot shortlist');
is_deeply(field_errors($r), { to => 'not_allowed' }, 'to not_allowed');
is(app_state($id_b), 'applied/1/1', 'nothing moved');
my $a2_state = app_state($a2->{id});
$r = http($srv, 'POST', "/v1/applications/$a2->{id}/transitions", token => $bkey, body => { to => 'withdrawn' });
ok($r->{status} == 404 || $r->{status} == 422, "nor withdraw someone else's application ($r->{status})");
is(app_state($a2->{id}), $a2_state, 'which stays as it was');
$r = http($srv, 'POST', "/v1/applications/$id_b/transitions", token => $bkey, body => { to => 'withdrawn', note => '本人放弃' });
is($r->{status}, 200, 'but may withdraw its own');
is(app_state($id_b), 'withdrawn/2/2', 'withdrawn, with its event');
is(psql_value("SELECT actor FROM application_event WHERE application_id = $id_b AND to_status = 'withdrawn'"), "$tag-broker",
   'recorded as the broker');

done_testing();
