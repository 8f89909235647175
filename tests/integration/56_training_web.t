# Training in the browser (tests/browser/training.mjs, headless Chromium):
# a job seeker at the kiosk sees the courses with the jobs each would open
# in plain words and enrols in one; county staff see the courses and the
# skill gaps in the console and record a pass, which writes the proven skill
# into the profile.  A county no other test writes to (彝良县).
# Screenshots go to $LEYE_TEST_ARTIFACTS/training (default
# tests/screenshots/training).
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;
use JSON::PP;
use Encode qw(encode_utf8);
use File::Path qw(make_path);

binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $root = $ENV{LEYE_TEST_ROOT};
my $node = browser_tools();
my $srv = start_server();
my $bin = $ENV{LEYE_SERVER_BIN};
my $tag = 'tw' . ($$ % 100000) . int(rand(1000));
my $county = 530628;
sub sql { return psql(encode_utf8($_[0])) }
sub sql_value { return psql_value(encode_utf8($_[0])) }
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); my $out = `$bin admin @_ 2>&1`; chomp $out; return $out }
sub id_number {
    my ($serial) = @_;
    my $body = sprintf('5306281992%04d%03d', 307, $serial % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}

# a site, two job seekers with welding at level 1, vacancies asking level 3
my $site = sql_value("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('彝良${tag}安置区', $county, 27.6287, 104.0460, 'urban_centralized') RETURNING id");
my (%w, %idn);
for my $k (qw(kiosk staff)) {
    my $h = sql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, $county, 3) RETURNING id");
    $idn{$k} = id_number($$ + ($k eq 'kiosk' ? 0 : 400));
    my $hash = cli("id-hash --id-number=$idn{$k}");
    $w{$k} = sql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex,
        employment_status, max_commute_km) VALUES ($h, '${k}学员$tag', '$hash', '\\x00', '530628********0000', '1992-03-07', 'F',
        'seeking', 30) RETURNING id");
    sql("INSERT INTO worker_skill (worker_id, skill_id, level) VALUES ($w{$k}, 14, 1)");
}
is(http($srv, 'PUT', "/v1/workers/$w{kiosk}/pin", body => { pin => '246135' })->{status}, 200, 'a PIN for the job seeker');
my $emp = sql_value("INSERT INTO employer (name, credit_code, kind, county_code, contact_phone) VALUES ('彝良${tag}焊接厂', '"
                    . sprintf('91530628%010d', $$ % 10_000_000_000) . "', 'enterprise', $county, '0870-6612345') RETURNING id");
for my $i (1 .. 3) {
    my $v = sql_value("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, headcount, wage_min,
        wage_max, status) VALUES ($emp, '电焊工$i$tag', '6-29-01-01', 'regular', $county, 27.63, 104.05, 2, 4500, 5500, 'open') RETURNING id");
    sql("INSERT INTO vacancy_skill (vacancy_id, skill_id, min_level, must_have, weight) VALUES ($v, 14, 3, true, 5)");
}
my $course = http($srv, 'POST', '/v1/courses', body => {
    title => "电焊高级班", provider => '彝良县职业技能培训中心', skill_id => 14, skill_level => 3, county_code => $county,
    site_id => 0 + $site, place => '安置区就业服务站', starts_on => days_from_today(7), ends_on => days_from_today(37), hours => 120,
    seats => 20, waitlist_max => 5, cost_cny => 2400, subsidy_cny => 2000, language => 'zh' });
is($course->{status}, 201, 'an upcoming welding course') or diag($course->{content});
my $other = http($srv, 'POST', '/v1/courses', body => {
    title => "家政服务班", provider => '彝良县职业技能培训中心', skill_id => 31, skill_level => 1, county_code => $county,
    starts_on => days_from_today(10), ends_on => days_from_today(20), hours => 40, seats => 30, language => 'ii' });
is($other->{status}, 201, 'and another, taught in Yi');
# a course that has started, with the other worker enrolled before its start
my $started = sql_value("INSERT INTO course (title, provider, skill_id, skill_level, county_code, site_id, starts_on, ends_on, hours,
    seats, cost_cny, subsidy_cny) VALUES ('电焊速成班', '彝良县职业技能培训中心', 14, 3, $county, $site, '${\ days_from_today(-20)}',
    '${\ days_from_today(-1)}', 60, 10, 1500, 1500) RETURNING id");
my $enr = sql_value("INSERT INTO course_enrolment (course_id, worker_id, status, source) VALUES ($started, $w{staff}, 'enrolled', 'staff') RETURNING id");

my $pw = "pw-$tag-" . join('', map { int(rand(10)) } 1 .. 12);
{ local $ENV{PW} = $pw;
  like(cli("create-user --username=$tag.c --role=county_staff --counties=$county --password-env=PW"), qr/^user \d+$/, 'county staff account'); }

my %fixture = (
    id_number => $idn{kiosk}, pin => '246135', course_id => $course->{json}{id}, course_title => "电焊高级班", opens => 3,
    user => "$tag.c", password => $pw, started_course_id => 0 + $started, started_enrolment_id => 0 + $enr,
);

my $shots = ($ENV{LEYE_TEST_ARTIFACTS} // "$root/tests/screenshots") . '/training';
make_path($shots);
unlink glob("$shots/*.png");
diag("screenshots: $shots");
my ($done, $checks) = (0, 0);
{
    local $ENV{TRAINING_TEST} = JSON::PP->new->utf8->canonical->encode(\%fixture);
    open(my $from, '-|', $node || 'node', "$root/tests/browser/training.mjs", "http://127.0.0.1:" . $srv->port, $shots)
        or die "node: $!";
    while (my $line = <$from>) {
        chomp $line;
        my $m = eval { JSON::PP->new->utf8->decode($line) };
        if (!$m) { diag($line); next }
        if ($m->{done}) { $done = 1; next }
        $checks++;
        ok($m->{ok}, $m->{name}) or diag($m->{detail});
    }
    close $from;
    is($? >> 8, 0, 'the browser test exited cleanly');
}
ok($done, 'the browser test ran to the end');
cmp_ok($checks, '>=', 13, 'every step reported');
cmp_ok(scalar(() = glob("$shots/*.png")), '>=', 6, 'screenshots of each step');

# ---------- what the browser did, seen from the database ----------
is(sql_value("SELECT status || ' ' || source FROM course_enrolment WHERE course_id = $fixture{course_id} AND worker_id = $w{kiosk}"),
   'enrolled kiosk', 'the kiosk enrolled its job seeker');
is(sql_value("SELECT level || '/' || proven_level || '/' || proven_course_id FROM worker_skill WHERE worker_id = $w{staff} AND skill_id = 14"),
   "3/3/$started", 'the pass recorded in the console wrote the proven skill');
is(sql_value("SELECT amount_cny FROM training_subsidy WHERE enrolment_id = $enr"), 1500, 'and the subsidy record');
like(sql_value("SELECT string_agg(actor_name, ',') FROM audit_log WHERE resource = 'course_enrolment' AND resource_id = '$enr'"),
     qr/\Q$tag.c\E/, 'recorded by the county staff account (audited)');

done_testing();
