# The work-relief payroll in the console (tests/browser/payroll.mjs): county
# staff record a worker's attendance, compute the month's pay sheet and
# approve it; the database then holds what the browser did, audited under
# the staff account.  Screenshots go to $LEYE_TEST_ARTIFACTS/payroll (default
# tests/screenshots/payroll).
use strict;
use warnings;
use utf8;
use Test::More;
use POSIX ();
use JSON::PP;
use Encode qw(encode_utf8 decode_utf8);
use File::Path qw(make_path);
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $root = $ENV{LEYE_TEST_ROOT};
my $node = browser_tools();
my $srv = start_server();
my $tag = 'pw' . ($$ % 100000) . int(rand(1000));
my $county = 530626;    # 绥江县: no other test writes there
sub sql_value { return decode_utf8(psql_value(encode_utf8($_[0]))) }
my $now = time + 8 * 3600;
sub day { my ($n) = @_; return POSIX::strftime('%Y-%m-%d', gmtime($now + $n * 86400)) }
my @t = gmtime($now);
my ($y, $m) = ($t[5] + 1900, $t[4]);    # last month
if ($m < 1) { $m = 12; $y-- }
my $month = sprintf('%04d-%02d', $y, $m);

my $site = http($srv, 'POST', '/v1/sites', body => { name => "$tag 安置点", county_code => $county, kind => 'urban_centralized' })->{json}{id};
my $hh = sql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, $county, 4) RETURNING id");
my $employer = sql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 施工队', "
                         . "'PW' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', $county) RETURNING id");
my $project = http($srv, 'POST', '/v1/work-relief-projects', body => { county_code => $county, name => "$tag 护岸工程",
    total_investment => 500000, remuneration_budget => 160000, planned_jobs => 5 })->{json}{id};
my $vac = http($srv, 'POST', '/v1/vacancies', body => { employer_id => $employer + 0, title => "$tag 砌石工", occupation_code => '6-29-01-01',
    kind => 'work_relief', project_id => $project + 0, county_code => $county, headcount => 5, wage_min => 160, wage_max => 180,
    wage_period => 'day', status => 'open' })->{json}{id};
ok($project && $vac, 'a project with a work-relief post');
my @w;
for my $n (qw(王一 王二)) {
    my $id = sql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex) "
                       . "VALUES ($hh, '$tag$n', decode(md5(random()::text || clock_timestamp()::text), 'hex'), "
                       . "decode(md5(random()::text), 'hex'), '530626********0000', '1983-05-01', 'M') RETURNING id");
    my $app = http($srv, 'POST', '/v1/applications', body => { worker_id => $id + 0, vacancy_id => $vac + 0, source => 'staff' })->{json}{id};
    http($srv, 'POST', "/v1/applications/$app/transitions", body => { to => $_ }) for qw(shortlisted offered);
    my $r = http($srv, 'POST', "/v1/applications/$app/transitions", body => { to => 'hired', start_date => day(-5), wage => 160 });
    psql("UPDATE placement SET start_date = '" . day(-80) . "' WHERE id = $r->{json}{placement}{id}");
    push @w, $id;
}
is(http($srv, 'POST', "/v1/work-relief-projects/$project/attendance", body => { worker_id => $w[0] + 0, month => $month, days => 20 })->{status},
   200, 'one worker\'s month already recorded');

my $pw = "pw-$tag-" . join('', map { int(rand(10)) } 1 .. 12);
{
    local $ENV{LEYE_DATABASE_URL} = LeyeTest::dsn();
    local $ENV{PW} = $pw;
    system("$ENV{LEYE_SERVER_BIN} admin create-user --username=$tag.c --role=county_staff --counties=$county --password-env=PW >/dev/null") == 0
        or die;
}
my %fixture = (user => "$tag.c", password => $pw, project_id => 0 + $project, month => $month,
               worker_a => 0 + $w[0], worker_b => 0 + $w[1], days_a => 20, days_b => 18, expected_total => (20 + 18) * 160);

my $shots = ($ENV{LEYE_TEST_ARTIFACTS} // "$root/tests/screenshots") . '/payroll';
make_path($shots);
unlink glob("$shots/*.png");
my ($done, $checks) = (0, 0);
{
    local $ENV{PAYROLL_TEST} = JSON::PP->new->utf8->canonical->encode(\%fixture);
    open(my $from, '-|', $node || 'node', "$root/tests/browser/payroll.mjs", "http://127.0.0.1:" . $srv->port, $shots) or die "node: $!";
    while (my $line = <$from>) {
        chomp $line;
        my $msg = eval { JSON::PP->new->utf8->decode($line) };
        if (!$msg) { diag($line); next }
        if ($msg->{done}) { $done = 1; next }
        $checks++;
        ok($msg->{ok}, $msg->{name}) or diag($msg->{detail});
    }
    close $from;
    is($? >> 8, 0, 'the browser test exited cleanly');
}
ok($done, 'the browser test ran to the end');
cmp_ok($checks, '>=', 8, 'every step reported');

# what the browser did, seen from the database
is(sql_value("SELECT days FROM attendance WHERE worker_id = $w[1] AND month = '$month-01'"), '18.00', 'the attendance recorded');
is(sql_value("SELECT status || '/' || approved_by FROM pay_sheet WHERE project_id = $project"), "notice/$tag.c", 'the sheet approved by the staff account');
like(sql_value("SELECT string_agg(DISTINCT actor_name, ',') FROM audit_log WHERE resource = 'attendance' "
               . "AND resource_id IN (SELECT id::text FROM attendance WHERE worker_id = $w[1])"), qr/\Q$tag.c\E/, 'audited under the staff account');
done_testing();
