# A job loss from any source: a follow-up that finds the worker gone, a
# worker set to seeking by PATCH or by import while placed, each end the
# placement in the same transaction (worker seeking, the vacancy's place
# back, household rollups) and open the early-warning visit when the
# household is left with nobody employed or is monitored.  A household newly
# put under monitoring against a return to poverty gets a visit task.  The
# tasks are listed where the console reads them (/v1/early-warning-tasks).
use strict;
use warnings;
use utf8;
use Test::More;
use POSIX ();
use Encode qw(encode encode_utf8 decode_utf8);
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $srv = start_server();
my $tag = 'JL' . ($$ % 100000) . int(rand(1000));
sub sql_value { return decode_utf8(psql_value(encode_utf8($_[0]))) }
sub day { my ($n) = @_; return POSIX::strftime('%Y-%m-%d', gmtime(time + 8 * 3600 + $n * 86400)) }
sub field_errors { my ($r) = @_; return { map { $_->{field} => $_->{code} } @{ $r->{json}{errors} || [] } } }

my $site = http($srv, 'POST', '/v1/sites', body => { name => "$tag 卯家湾", county_code => 530621, kind => 'urban_centralized' })->{json}{id};
sub household {
    my (%o) = @_;
    my $mon = $o{monitored} ? "'unstable', 'cadre_visit', current_date - 300" : "'none', NULL, NULL";
    my $ref = $o{ref} ? "'$o{ref}'" : 'NULL';
    return sql_value("INSERT INTO household (site_id, origin_county_code, members, monitoring_status, monitoring_found_by, "
                     . "monitoring_found_on, ref) VALUES ($site, 530621, 4, $mon, $ref) RETURNING id");
}
sub worker {
    my ($hh, $name, %o) = @_;
    my $hash = $o{hash} // "decode(md5(random()::text || clock_timestamp()::text), 'hex')";
    return sql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex) "
                     . "VALUES ($hh, '$tag $name', $hash, decode(md5(random()::text), 'hex'), '530621********0000', "
                     . "'1988-03-01', 'M') RETURNING id");
}
my $employer = sql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 昭通物流', "
                         . "'JL' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', 530621) RETURNING id");
my $vac = sql_value("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, headcount, wage_min, "
                    . "wage_max, status) VALUES ($employer, '$tag 装卸工', '6-29-01-01', 'regular', 530621, 27.3, 103.7, 30, 3000, "
                    . "5000, 'open') RETURNING id");
sub hire {
    my ($w, $start) = @_;
    my $id = http($srv, 'POST', '/v1/applications', body => { worker_id => $w + 0, vacancy_id => $vac + 0, source => 'staff' })->{json}{id};
    http($srv, 'POST', "/v1/applications/$id/transitions", body => { to => $_ }) for qw(shortlisted offered);
    my $r = http($srv, 'POST', "/v1/applications/$id/transitions", body => { to => 'hired', start_date => $start, wage => 3800 });
    is($r->{status}, 200, "worker $w hired, starting $start") or diag explain $r->{json};
    return $r->{json}{placement}{id};
}
sub followup { my ($p, $m, $body) = @_; return http($srv, 'POST', "/v1/placements/$p/followups/$m", body => $body) }
sub placement_state { my ($p) = @_; return sql_value("SELECT coalesce(ended_on::text, 'active') || '/' || coalesce(end_reason, '-') FROM placement WHERE id = $p") }
sub worker_status { my ($w) = @_; return sql_value("SELECT employment_status FROM worker WHERE id = $w") }
sub filled { return sql_value("SELECT filled FROM vacancy WHERE id = $vac") }
sub household_state { my ($h) = @_; return sql_value("SELECT labor_count || '/' || employed_count || '/' || zero_employment FROM household WHERE id = $h") }
sub tasks_of { my ($h) = @_; return sql_value("SELECT coalesce(string_agg(reason || '\@' || due_on || ':' || status, ',' ORDER BY id), '') FROM early_warning_task WHERE household_id = $h") }
sub listed { my ($h) = @_; my $r = http($srv, 'GET', "/v1/early-warning-tasks?household_id=$h&status=open&sort=due_on");
             return join ',', map { "$_->{reason}\@$_->{due_on}" } @{ $r->{json}{items} } }
my $F = JSON::PP::false;

# --- a follow-up that finds the worker gone
my $hA = household();
my $a1 = worker($hA, '杨一');
my $pA = hire($a1, day(-30));
my $filled = filled();
is(household_state($hA), '1/1/false', 'household A: one worker, employed');

# bad input changes nothing
my @bad = (
    [ { still_employed => JSON::PP::true, ended_on => day(-1) }, { ended_on => 'not_allowed' }, 'an end date while still employed' ],
    [ { still_employed => JSON::PP::true, end_reason => 'quit' }, { end_reason => 'not_allowed' }, 'an end reason while still employed' ],
    [ { still_employed => $F, ended_on => day(1) }, { ended_on => 'out_of_range' }, 'an end date in the future' ],
    [ { still_employed => $F, ended_on => day(-31) }, { ended_on => 'out_of_range' }, 'an end date before the start' ],
    [ { still_employed => $F, ended_on => substr(days_from_today(0), 0, 4) . '-02-30' }, { ended_on => 'invalid_date' }, 'not a date' ],
    [ { still_employed => $F, end_reason => 'bored' }, { end_reason => 'unknown_value' }, 'an unknown end reason' ],
);
for my $b (@bad) {
    my ($body, $want, $what) = @$b;
    my $r = followup($pA, 1, $body);
    is($r->{status}, 422, "$what: 422");
    is_deeply(field_errors($r), $want, "$what: names the field and reason");
}
is(placement_state($pA), 'active/-', 'the placement still runs');
is(sql_value("SELECT done_at IS NULL FROM followup WHERE placement_id = $pA AND due_month = 1"), 't', 'the follow-up is not recorded');

my $r = followup($pA, 1, { still_employed => $F, ended_on => day(-3), end_reason => 'quit', note => '电话回访：已回家' });
is($r->{status}, 200, 'a follow-up finding the worker gone: 200') or diag explain $r->{json};
is(placement_state($pA), day(-3) . '/quit', 'the placement ends on the date given, for the reason given');
is(worker_status($a1), 'seeking', 'the worker is seeking again');
is(filled(), $filled - 1, 'the vacancy has its place back');
is(household_state($hA), '1/0/true', 'the household rollups follow: nobody employed');
is(tasks_of($hA), 'job_lost_zero_employment@' . day(4) . ':open', 'an early-warning visit due 7 days after the end');
is($r->{json}{early_warning_task}{reason}, 'job_lost_zero_employment', 'the answer carries the task');
is($r->{json}{placement_active}, $F, 'and shows the placement ended');
is(listed($hA), 'job_lost_zero_employment@' . day(4), 'the task is in the list the console reads');
$r = followup($pA, 3, { still_employed => $F });
is($r->{status}, 200, 'a later follow-up on the ended placement');
is(placement_state($pA), day(-3) . '/quit', 'changes nothing more');
is(tasks_of($hA), 'job_lost_zero_employment@' . day(4) . ':open', 'and opens no second task');

# without a date: the day the follow-up is recorded; another member still
# employed and no monitoring: no task
my $hB = household();
my ($b1, $b2) = (worker($hB, '陈一'), worker($hB, '陈二'));
my ($pB1, $pB2) = (hire($b1, day(-20)), hire($b2, day(-20)));
$r = followup($pB1, 1, { still_employed => $F });
is($r->{status}, 200, 'a follow-up without an end date');
is(placement_state($pB1), day(0) . '/other', 'ends the placement today, reason other');
is(household_state($hB), '2/1/false', 'one member still employed');
is(tasks_of($hB), '', 'so no visit is owed');
ok(!defined $r->{json}{early_warning_task}, 'and the answer says none');
# a monitored household is visited even with someone still employed
my $hC = household(monitored => 1);
my ($c1, $c2) = (worker($hC, '马一'), worker($hC, '马二'));
my ($pC1) = (hire($c1, day(-10)), hire($c2, day(-10)));
is(followup($pC1, 1, { still_employed => $F, ended_on => day(-1) })->{status}, 200, 'a monitored household\'s follow-up');
is(tasks_of($hC), 'job_lost_monitored@' . day(6) . ':open', 'opens a visit for the monitored household');
# still employed: nothing ends
my $hD = household();
my $d1 = worker($hD, '罗一');
my $pD = hire($d1, day(-10));
is(followup($pD, 1, { still_employed => JSON::PP::true, wage => 3900 })->{status}, 200, 'still employed');
is(placement_state($pD) . ' ' . worker_status($d1) . ' ' . tasks_of($hD), 'active/- employed_local ', 'nothing ends');

# --- a worker set to seeking while placed (PATCH)
my $wd = http($srv, 'GET', "/v1/workers/$d1")->{json};
$filled = filled();
$r = http($srv, 'PATCH', "/v1/workers/$d1", body => { employment_status => 'not_seeking' }, headers => { 'If-Match' => qq("$wd->{version}") });
is_deeply(field_errors($r), { employment_status => 'not_allowed' }, 'not_seeking while placed: still refused (end the placement first)');
$r = http($srv, 'PATCH', "/v1/workers/$d1", body => { employment_status => 'in_training' }, headers => { 'If-Match' => qq("$wd->{version}") });
is_deeply(field_errors($r), { employment_status => 'not_allowed' }, 'in_training while placed: refused too');
$r = http($srv, 'PATCH', "/v1/workers/$d1", body => { employment_status => 'seeking' }, headers => { 'If-Match' => qq("$wd->{version}") });
is($r->{status}, 200, 'PATCH seeking while placed: 200') or diag explain $r->{json};
is($r->{json}{employment_status}, 'seeking', 'the worker is seeking');
is(placement_state($pD), day(0) . '/other', 'the placement ends today');
is(filled(), $filled - 1, 'the vacancy has its place back');
is(household_state($hD), '1/0/true', 'the rollups follow');
is(tasks_of($hD), 'job_lost_zero_employment@' . day(7) . ':open', 'and the visit is owed');
is(listed($hD), 'job_lost_zero_employment@' . day(7), 'listed for the console');
is(sql_value("SELECT count(*) FROM audit_log WHERE resource = 'placement' AND resource_id = '$pD' AND action = 'update'"), 1,
   'the placement\'s end is audited with the PATCH');
# a stale PATCH changes nothing
my $hE = household();
my $e1 = worker($hE, '张一');
my $pE = hire($e1, day(-5));
$r = http($srv, 'PATCH', "/v1/workers/$e1", body => { employment_status => 'seeking' }, headers => { 'If-Match' => '"1"' });
is($r->{status}, 412, 'a stale PATCH: 412');
is(placement_state($pE) . ' ' . tasks_of($hE), 'active/- ', 'ends nothing');

# --- a worker set to seeking by import
sub import_csv {
    my ($what, $text) = @_;
    return http($srv, 'POST', "/v1/imports/$what", body => encode('UTF-8', $text), headers => { 'Content-Type' => 'text/csv' });
}
sub idnum {
    my ($serial) = @_;
    my $body = sprintf('5306211991%04d%03d', 500 + $serial, $$ % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}
my $hF = household(ref => "$tag-F");
my $head = "site_id,household_ref,name,id_number,employment_status\n";
$r = import_csv('workers', $head . "$site,$tag-F,$tag 王一,${\ idnum(1)},seeking\n$site,$tag-F,$tag 王二,${\ idnum(2)},seeking\n");
is($r->{json}{created}, 2, 'two workers imported') or diag explain $r->{json};
my ($f1, $f2) = map { sql_value("SELECT id FROM worker WHERE household_id = $hF AND name = '$tag $_'") } '王一', '王二';
my ($pF1, $pF2) = (hire($f1, day(-15)), hire($f2, day(-15)));
$r = import_csv('workers', $head . "$site,$tag-F,$tag 王一,${\ idnum(1)},seeking\n$site,$tag-F,$tag 王二,${\ idnum(2)},本地就业\n");
is($r->{status}, 200, 'an import setting one of them seeking') or diag explain $r->{json};
is(placement_state($pF1), day(0) . '/other', 'ends that placement');
is(placement_state($pF2), 'active/-', 'not the other');
is(household_state($hF), '2/1/false', 'rollups follow');
is(tasks_of($hF), '', 'someone is still employed: no visit');
$r = import_csv('workers', $head . "$site,$tag-F,$tag 王二,${\ idnum(2)},seeking\n");
is(placement_state($pF2), day(0) . '/other', 'a second import ends the other');
is(tasks_of($hF), 'job_lost_zero_employment@' . day(7) . ':open', 'and now the household is owed a visit');

# --- a household newly put under monitoring
my $hG = http($srv, 'POST', '/v1/households', body => { site_id => $site + 0, origin_county_code => 530621, members => 3 })->{json};
is(tasks_of($hG->{id}), '', 'a household without monitoring: no task');
$r = http($srv, 'PATCH', "/v1/households/$hG->{id}", headers => { 'If-Match' => qq("$hG->{version}") },
          body => { monitoring_status => 'sudden_hardship', monitoring_found_by => 'cadre_visit', monitoring_found_on => day(-2) });
is($r->{status}, 200, 'put under monitoring') or diag explain $r->{json};
is(tasks_of($hG->{id}), 'monitoring_started@' . day(7) . ':open', 'a visit task within 7 days');
is(listed($hG->{id}), 'monitoring_started@' . day(7), 'listed for the console');
$r = http($srv, 'PATCH', "/v1/households/$hG->{id}", headers => { 'If-Match' => qq("$r->{json}{version}") },
          body => { monitoring_status => 'marginal' });
is($r->{status}, 200, 'the kind of monitoring changes');
is(tasks_of($hG->{id}), 'monitoring_started@' . day(7) . ':open', 'no second task');
my $hH = http($srv, 'POST', '/v1/households', body => { site_id => $site + 0, origin_county_code => 530621, members => 2,
              monitoring_status => 'unstable', monitoring_found_by => 'self_application', monitoring_found_on => day(0) })->{json};
is(tasks_of($hH->{id}), 'monitoring_started@' . day(7) . ':open', 'a household created under monitoring gets one too');
$r = http($srv, 'PATCH', "/v1/households/$hH->{id}", headers => { 'If-Match' => '"99"' },
          body => { monitoring_status => 'none' });
is($r->{status}, 412, 'a stale change: 412');
my $hI = http($srv, 'POST', '/v1/households', body => { site_id => $site + 0, origin_county_code => 530621, members => 2 })->{json};
$r = http($srv, 'PATCH', "/v1/households/$hI->{id}", headers => { 'If-Match' => qq("$hI->{version}") },
          body => { monitoring_status => 'unstable', monitoring_found_by => 'cadre_visit' });
is($r->{status}, 422, 'monitoring without a date: 422');
is(tasks_of($hI->{id}), '', 'opens nothing');
# by import
my $hh_head = "户编号,安置点ID,迁出县代码,迁出村,家庭人口,监测类型,发现方式,认定日期\n";
$r = import_csv('households', $hh_head . "$tag-J,$site,530621,龙树村,5,无,,\n");
is($r->{json}{created}, 1, 'a household imported without monitoring');
my $hJ = sql_value("SELECT id FROM household WHERE ref = '$tag-J'");
is(tasks_of($hJ), '', 'no task');
$r = import_csv('households', $hh_head . "$tag-J,$site,530621,龙树村,5,边缘易致贫户,数据比对," . day(-1) . "\n");
is($r->{json}{updated}, 1, 'the import puts it under monitoring') or diag explain $r->{json};
is(tasks_of($hJ), 'monitoring_started@' . day(7) . ':open', 'a visit task');

ok($srv->alive, 'the server is still up');
done_testing();
