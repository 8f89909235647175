# Training: courses, enrolment with seats and a waiting list, attendance,
# results, and what a pass changes.  A database of its own, so that the
# vacancies a course opens are the test's own:
#
# - staff post a course; bad courses are refused naming the field;
# - enrolment: a seat, then the waiting list, then 409 course_full; twice
#   for one worker 409 already_enrolled; after the start 409 course_started;
#   each in Chinese and English, nothing written; a withdrawal moves the
#   first of the waiting list up;
# - a result for someone not enrolled is 409 not_enrolled;
# - a pass writes the proven skill into the profile in the same transaction,
#   the subsidy record, and the worker's matches change within a second;
# - the recommendation counts only the jobs whose last failing requirement
#   the course closes, and equals a recount by the SQL oracle over every
#   vacancy with the course's skill added (in a transaction rolled back);
# - the kiosk lists the courses in plain words and enrols its own worker;
# - the skill gaps for staff, the quarterly report's training figures and
#   the audit rows.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;
use Encode qw(encode_utf8);
use Time::HiRes qw(time sleep);
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $bin = $ENV{LEYE_SERVER_BIN};
my $admin = dsn();
$admin =~ s/user=leye/user=postgres/;
$admin =~ s/dbname=leye/dbname=postgres/;
my $db = "leye_training_$$";
{ local $ENV{PGOPTIONS} = '-c client_min_messages=warning'; psql("DROP DATABASE IF EXISTS $db WITH (FORCE)", dsn => $admin) }
psql("CREATE DATABASE $db OWNER leye", dsn => $admin);
(my $dsn = dsn()) =~ s/dbname=leye/dbname=$db/;
is(system("$bin migrate --database-url='$dsn' >/dev/null 2>&1"), 0, 'a database of its own, migrated');
sub q_ { return psql(encode_utf8($_[0]), dsn => $dsn) }
sub v { return psql_value(encode_utf8($_[0]), dsn => $dsn) }
sub cli { local $ENV{LEYE_DATABASE_URL} = $dsn; my $out = `$bin admin @_ 2>&1`; chomp $out; return $out }
sub id_number {
    my ($serial) = @_;
    my $body = sprintf('5329271991%04d%03d', 1103, $serial % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}

my ($county, $lat, $lon) = (532927, 25.23, 100.30);
my $site = v("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('培训安置点', $county, $lat, $lon, 'urban_centralized') RETURNING id");
my (%w, %idn);
for my $k (qw(a b c d)) {
    my $h = v("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, $county, 3) RETURNING id");
    $idn{$k} = id_number($$ + ord($k));
    my $hash = cli("id-hash --id-number=$idn{$k}");
    $w{$k} = v("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex, "
               . "employment_status, max_commute_km) VALUES ($h, '学员$k', '$hash', '\\x00', '532927********0000', "
               . "DATE '1990-05-01', 'M', 'seeking', 30) RETURNING id");
    q_("INSERT INTO worker_skill (worker_id, skill_id, level) VALUES ($w{$k}, 14, 1)");
}
my $emp = v("INSERT INTO employer (name, credit_code, kind, county_code, contact_phone) "
            . "VALUES ('培训企业', 'TR0000000000000000', 'enterprise', $county, '0872-1234567') RETURNING id");
sub vacancy {
    my (%o) = @_;
    my $id = v("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, headcount, wage_min, "
               . "wage_max, status) VALUES ($emp, '$o{title}', '6-29-01-01', 'regular', $county, $lat + 0.01, $lon, 4, 4000, 5000, "
               . "'open') RETURNING id");
    q_("INSERT INTO vacancy_skill (vacancy_id, skill_id, min_level, must_have, weight) VALUES ($id, 14, $o{weld}, true, 5)") if $o{weld};
    q_("INSERT INTO vacancy_certificate (vacancy_id, certificate_type_id) VALUES ($id, $o{cert})") if $o{cert};
    return $id;
}
my %vac = (
    open_now  => vacancy(title => '普工'),
    weld3     => vacancy(title => '电焊工', weld => 3),
    weld_cert => vacancy(title => '持证电焊工', weld => 3, cert => 7),
    weld2     => vacancy(title => '电焊学徒', weld => 2),
);

my $srv = start_server(dsn => $dsn);
ok(wait_until(sub { (http($srv, 'GET', '/readyz', anonymous => 1)->{status} // 0) == 200 }, 60), 'the index loads');

sub day { return days_from_today($_[0]) }
sub course {
    my (%o) = @_;
    return http($srv, 'POST', '/v1/courses', body => {
        title => '电焊培训', provider => '县职业技能培训中心', skill_id => 14, skill_level => 3,
        county_code => $county, site_id => $site + 0, place => '安置点培训室', starts_on => day(10), ends_on => day(20),
        hours => 80, seats => 1, waitlist_max => 1, cost_cny => 1800, subsidy_cny => 1500, language => 'zh', %o });
}
sub field_of { my ($r) = @_; my $e = $r->{json}{errors}[0] // {}; return "$r->{status} " . ($e->{field} // '') . ' ' . ($e->{code} // '') }

# ---------- courses ----------
my $r = course();
is($r->{status}, 201, 'staff post a course');
my $course = $r->{json}{id};
is_deeply([ @{ $r->{json} }{qw(seats enrolled waitlisted skill_name)} ], [ 1, 0, 0, '电焊' ], 'with its seats and skill');
my $n_courses = v('SELECT count(*) FROM course');
is(field_of(course(ends_on => day(5))), '422 ends_on invalid_range', 'a course ending before it starts is refused');
is(field_of(course(skill_id => undef, skill_level => undef)), '422 skill_id required', 'a course teaching nothing is refused');
is(field_of(course(skill_id => 9999)), '422 skill_id not_found', 'an unknown skill is refused');
is(field_of(course(subsidy_cny => 2000)), '422 subsidy_cny out_of_range', 'a subsidy above the cost is refused');
is(field_of(course(language => 'xx')), '422 language unknown_value', 'an unknown language is refused');
is(v('SELECT count(*) FROM course'), $n_courses, 'and nothing was written');

# ---------- enrolment: seats, waiting list, refusals ----------
sub enrol { return http($srv, 'POST', '/v1/enrolments', body => { course_id => $_[0] + 0, worker_id => $_[1] + 0 }, %{ $_[2] || {} }) }
$r = enrol($course, $w{a});
is("$r->{status} $r->{json}{status}", '201 enrolled', 'the first worker takes the seat');
my $enr_a = $r->{json}{id};
$r = enrol($course, $w{b});
is("$r->{status} $r->{json}{status} $r->{json}{waitlist_position}", '201 waitlisted 1', 'the second goes on the waiting list');
my $enr_count = v('SELECT count(*) FROM course_enrolment');
my $audit_count = v('SELECT count(*) FROM audit_log');
$r = enrol($course, $w{c});
is(field_of($r), '409 course_id course_full', 'a third: seats and waiting list full');
like($r->{json}{errors}[0]{message}, qr/名额/, 'said in Chinese');
$r = enrol($course, $w{c}, { headers => { 'Accept-Language' => 'en' } });
like($r->{json}{errors}[0]{message}, qr/no seats/, 'and in English');
$r = enrol($course, $w{a});
is(field_of($r), '409 worker_id already_enrolled', 'enrolling twice is refused');
$r = enrol($course, $w{a}, { headers => { 'Accept-Language' => 'en' } });
like($r->{json}{errors}[0]{message}, qr/already enrolled/, 'in English too');
my $started = v("INSERT INTO course (title, provider, skill_id, skill_level, county_code, starts_on, ends_on, hours, seats) "
                . "VALUES ('已开课', '中心', 14, 2, $county, '" . day(-1) . "', '" . day(5) . "', 40, 10) RETURNING id");
$r = enrol($started, $w{c});
is(field_of($r), '409 course_id course_started', 'enrolment after the start is refused');
like($r->{json}{errors}[0]{message}, qr/开课/, 'said in Chinese');
is(field_of(enrol(999999, $w{c})), '422 course_id not_found', 'an unknown course is refused');
is(field_of(enrol($course, 999999)), '422 worker_id not_found', 'an unknown worker is refused');
is(v('SELECT count(*) FROM course_enrolment'), $enr_count, 'none of these wrote an enrolment');
is(v('SELECT count(*) FROM audit_log'), $audit_count, 'nor an audit row');

# ---------- results: only for someone enrolled ----------
$r = http($srv, 'POST', "/v1/courses/$course/results", body => { worker_id => $w{c} + 0, result => 'passed' });
is(field_of($r), '409 worker_id not_enrolled', 'a result for someone never enrolled is refused');
$r = http($srv, 'POST', "/v1/courses/$course/results", body => { worker_id => $w{b} + 0, result => 'passed' });
is(field_of($r), '409 worker_id not_enrolled', 'and for someone on the waiting list');
like(http($srv, 'POST', "/v1/courses/$course/results", body => { worker_id => $w{b} + 0, result => 'passed' },
          headers => { 'Accept-Language' => 'en' })->{json}{errors}[0]{message}, qr/not enrolled/, 'in English too');
is(v("SELECT count(*) FROM worker_skill WHERE worker_id = $w{b} AND proven_level IS NOT NULL"), 0, 'no skill was written');

# a withdrawal hands the seat to the waiting list
$r = http($srv, 'POST', "/v1/enrolments/$enr_a/withdraw", body => {});
is("$r->{status} $r->{json}{status}", '200 withdrawn', 'the first worker withdraws');
is(v("SELECT status FROM course_enrolment WHERE course_id = $course AND worker_id = $w{b} AND status <> 'withdrawn'"),
   'enrolled', 'the first of the waiting list moves up');
is(field_of(http($srv, 'POST', "/v1/enrolments/$enr_a/withdraw", body => {})), '409 status illegal_transition',
   'a withdrawn enrolment cannot be withdrawn again');

# ---------- recommendations against a recount ----------
my $cert_course = course(title => '焊工证', skill_id => undef, skill_level => undef, certificate_type_id => 7,
                         seats => 20)->{json}{id};
my $weld2_course = course(title => '电焊中级', skill_level => 2, seats => 20)->{json}{id};
my $weld3_course = course(title => '电焊高级', seats => 20)->{json}{id};
$r = http($srv, 'GET', "/v1/workers/$w{d}/course-recommendations");
is($r->{status}, 200, 'recommendations for a worker');
my %opens = map { ($_->{id} => $_->{opens_jobs}) } @{ $r->{json}{items} };
is($opens{$weld3_course}, 2, 'welding level 3 opens the two jobs it alone was missing (not the one needing a certificate too)');
is($opens{$weld2_course}, 1, 'welding level 2 opens one');
is($opens{$cert_course}, 0, 'the certificate alone opens none: those jobs still lack the skill');
ok(!exists $opens{$started}, 'a course that has started is not offered');
is($opens{$course}, 2, 'a course with room on its waiting list is offered');
is($r->{json}{items}[0]{opens_jobs}, 2, 'the courses that open the most come first');
like($r->{json}{items}[0]{text}, qr/^学完电焊三级，能多报 2 个岗位$/, 'in plain words');
is($r->{json}{open_now}, 1, 'one job is open to the worker already');
cmp_ok($r->{json}{query_ms}, '<', 50, "computed in $r->{json}{query_ms} ms");

# the SQL oracle (027, 034) recounts over every vacancy, with the course's
# skill written into the profile in a transaction that is rolled back
sub oracle_open {
    my ($wid, $setup) = @_;
    my $sql = "BEGIN; $setup SELECT count(*) FROM match_oracle_pairs('vacancies', ARRAY[$wid]::bigint[], NULL, "
              . "placement_today(), false, NULL, NULL, 0, 5000) WHERE failed = '{}'; ROLLBACK;";
    my $out = q_($sql);
    my ($n) = $out =~ /^(\d+)$/m;
    return $n;
}
my $base = oracle_open($w{d}, '');
for my $c ([ $weld3_course, 3, undef ], [ $weld2_course, 2, undef ], [ $cert_course, undef, 7 ]) {
    my ($id, $level, $cert) = @$c;
    my $setup = $level ? "UPDATE worker_skill SET level = greatest(level, $level) WHERE worker_id = $w{d} AND skill_id = 14;"
                       : "INSERT INTO worker_certificate (worker_id, certificate_type_id) VALUES ($w{d}, $cert);";
    is($opens{$id}, oracle_open($w{d}, $setup) - $base, "course $id: the count equals the oracle's recount");
}

# ---------- a pass: the profile, the subsidy, the matches ----------
my $past = course(title => '电焊速成', seats => 5, starts_on => day(1), ends_on => day(3))->{json}{id};
$r = enrol($past, $w{d});
is($r->{status}, 201, 'a worker enrols before the start');
my $enr_d = $r->{json}{id};
q_("UPDATE course SET starts_on = '" . day(-3) . "', ends_on = '" . day(-1) . "' WHERE id = $past");    # time passes
$r = http($srv, 'POST', "/v1/enrolments/$enr_d/attendance", body => { day => day(-2), hours => 7.5 });
is("$r->{status} $r->{json}{hours_attended}", '200 7.5', 'attendance is recorded');
is(field_of(http($srv, 'POST', "/v1/enrolments/$enr_d/attendance", body => { day => day(2), hours => 4 })),
   '422 day out_of_range', 'attendance on a day to come is refused');
my @before = map { $_->{id} } @{ http($srv, 'GET', "/v1/workers/$w{d}/matches?k=50")->{json}{items} };
ok(!(grep { $_ == $vac{weld3} } @before), 'before the pass the welding job is not among the worker\'s matches');
my $t0 = time;
$r = http($srv, 'POST', "/v1/courses/$past/results", body => { worker_id => $w{d} + 0, result => 'passed', result_on => day(-1) });
is("$r->{status} $r->{json}{status} $r->{json}{result} $r->{json}{subsidy_cny}", '200 completed passed 1500',
   'a pass is recorded with its subsidy');
is(v("SELECT level || '/' || proven_level FROM worker_skill WHERE worker_id = $w{d} AND skill_id = 14"), '3/3',
   'the skill level is written into the profile, proven');
is(v("SELECT count(*) FROM worker_training WHERE worker_id = $w{d} AND completed"), 1, 'with a completed training');
is(v("SELECT amount_cny || ' ' || site_id FROM training_subsidy WHERE enrolment_id = $enr_d"), "1500 $site",
   'and the subsidy record at the worker\'s site');
my $seen = wait_until(sub {
    grep { $_->{id} == $vac{weld3} } @{ http($srv, 'GET', "/v1/workers/$w{d}/matches?k=50")->{json}{items} || [] } }, 1);
my $dt = time - $t0;
ok($seen, sprintf('the welding job is among the worker\'s matches within a second (%.2f s)', $dt));
my ($pair) = @{ http($srv, 'GET', "/v1/workers/$w{d}/matches/$vac{weld3}")->{json}{items} || [] };
my ($why) = grep { ($_->{skill_id} // 0) == 14 } @{ $pair->{reasons} || [] };
ok($why && $why->{proven} && $why->{text} =~ /培训合格/, 'the reason names the skill as proven by a course: ' . ($why->{text} // ''));
($pair) = @{ http($srv, 'GET', "/v1/workers/$w{a}/matches/$vac{weld2}")->{json}{items} || [] };
($why) = grep { ($_->{skill_id} // 0) == 14 } @{ $pair->{reasons} || [] };
ok($why && !$why->{proven} && $why->{text} !~ /培训合格/, 'a self-declared skill is not: ' . ($why->{text} // ''));
my ($skill) = grep { $_->{skill_id} == 14 } @{ http($srv, 'GET', "/v1/workers/$w{d}")->{json}{skills} };
is_deeply([ $skill->{proven} ? 1 : 0, $skill->{proven_course_id} ], [ 1, $past ], 'the profile marks the skill proven by the course');
my ($self) = grep { $_->{skill_id} == 14 } @{ http($srv, 'GET', "/v1/workers/$w{a}")->{json}{skills} };
ok(!$self->{proven}, 'a self-declared skill is not marked proven');
is(field_of(http($srv, 'POST', "/v1/courses/$past/results", body => { worker_id => $w{d} + 0, result => 'failed' })),
   '409 worker_id already_completed', 'a second result is refused');
is(field_of(http($srv, 'POST', "/v1/courses/$past/results", body => { worker_id => $w{d} + 0, result => 'maybe' })),
   '422 result unknown_value', 'an unknown result is refused');

# ---------- the kiosk ----------
is(http($srv, 'PUT', "/v1/workers/$w{c}/pin", body => { pin => '135246' })->{status}, 200, 'a PIN for a job seeker');
my $kt = http($srv, 'POST', '/v1/kiosk/login', anonymous => 1, body => { id_number => $idn{c}, pin => '135246' })->{json}{token};
ok($kt, 'who signs in at a kiosk');
$r = http($srv, 'GET', '/v1/kiosk/courses', token => $kt);
is($r->{status}, 200, 'the kiosk lists the courses');
like($r->{json}{items}[0]{text}, qr/能多报 \d+ 个岗位/, 'in plain words: ' . ($r->{json}{items}[0]{text} // ''));
$r = http($srv, 'GET', '/v1/kiosk/courses?lang=en', token => $kt);
like($r->{json}{items}[0]{text}, qr/more jobs/, 'and in English: ' . ($r->{json}{items}[0]{text} // ''));
$r = http($srv, 'POST', '/v1/kiosk/enrolments', token => $kt, body => { course_id => $weld3_course + 0 });
is("$r->{status} $r->{json}{source} $r->{json}{worker_id}", "201 kiosk $w{c}", 'the job seeker enrols themselves');
is(field_of(http($srv, 'POST', '/v1/kiosk/enrolments', token => $kt, body => { course_id => $weld3_course + 0 })),
   '409 worker_id already_enrolled', 'not twice');
is(field_of(http($srv, 'POST', '/v1/kiosk/enrolments', token => $kt, body => { course_id => $weld3_course + 0, worker_id => $w{a} + 0 })),
   '422 worker_id unknown_field', 'a kiosk cannot enrol someone else');
$r = http($srv, 'GET', '/v1/kiosk/enrolments', token => $kt);
is(scalar(@{ $r->{json}{items} }), 1, 'the kiosk lists its own enrolments only');
is(http($srv, 'GET', "/v1/enrolments/$enr_d", token => $kt)->{status}, 403, 'and may not read the staff routes');

# ---------- staff: skill gaps, the quarterly report, the audit ----------
$r = http($srv, 'GET', "/v1/training/gaps?site_id=$site");
my ($gap) = grep { $_->{skill_id} == 14 } @{ $r->{json}{items} || [] };
is_deeply([ @{$gap}{qw(vacancies posts_unfilled seekers)} ], [ 3, 12, 4 ], 'the skill gap: three vacancies, twelve posts, four seekers');
ok($gap->{courses_upcoming} >= 3, 'with the upcoming courses that teach it');
is(field_of(http($srv, 'GET', '/v1/training/gaps?site_id=abc')), '400 site_id invalid', 'a bad site is refused');
my @t = localtime;
my ($y, $q) = ($t[5] + 1900, int($t[4] / 3) + 1);
$r = http($srv, 'GET', "/v1/reports/quarterly?year=$y&quarter=$q&county=$county");
my ($cty) = grep { $_->{county_code} == $county } @{ $r->{json}{counties} || [] };
if (day(-1) lt sprintf('%04d-%02d-01', $y, 3 * $q - 2)) {
    pass('the pass fell in the previous quarter');    # the first day of a quarter
} else {
    is_deeply([ @{ $cty->{figures} }{qw(trained_persons course_completions training_subsidy_cny)} ], [ 1, 1, 1500 ],
              'the quarterly report counts the trained person, the completion and the subsidy');
    is($cty->{sites}[0]{figures}{trained_persons}, 1, 'per site too');
}
is(v("SELECT count(*) FROM audit_log WHERE resource IN ('course', 'course_enrolment', 'training_subsidy', 'course_attendance')
      AND actor_kind = 'staff'") > 5 ? 'yes' : 'no', 'yes', 'the writes are audited');

$srv->stop;
{ local $ENV{PGOPTIONS} = '-c client_min_messages=warning'; psql("DROP DATABASE IF EXISTS $db WITH (FORCE)", dsn => $admin) }
done_testing();
