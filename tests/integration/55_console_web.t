# The staff console: served from the binary at /console/ with its security
# headers, then used end to end in headless Chromium (tests/browser/console.mjs)
# by county staff of a county nobody else uses: log in, the dashboard, post a
# vacancy with skills, close and open it, candidates with reasons (waiting
# while the matching index is not ready), shortlist, offer and hire, the
# dashboard's figures change, run an allocation, cancel it, run it again, drop
# and restore an assignment, confirm it and open its public notice (when the
# server has the allocation API), record a follow-up and an early-warning
# visit, a CSV import with a bad row, edit a worker (a stale edit refused),
# reset a kiosk PIN, the quarterly report (CSV and printable), English, log
# out, a viewer.
# Screenshots of each step go to $LEYE_TEST_ARTIFACTS/console (default
# tests/screenshots/console).
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;
use JSON::PP;
use POSIX ();
use Encode qw(encode_utf8);
use File::Path qw(make_path);

binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $root = $ENV{LEYE_TEST_ROOT};
my $node = browser_tools();

my $srv = start_server();

# ---------- serving the files ----------

my $r = http($srv, 'GET', '/console/', anonymous => 1);
is($r->{status}, 200, 'GET /console/ serves the console');
like($r->{headers}{'content-type'} // '', qr{^text/html; charset=utf-8}, 'as HTML in UTF-8');
like($r->{content}, qr{<script type="module" src="app\.js"></script>}, 'index.html loads app.js as a module');
unlike($r->{content}, qr{<script>|<script type="module">|\son[a-z]+=|\sstyle=|https?://}i,
       'with no inline script, handler, style or outside address');
like($r->{headers}{'content-security-policy'} // '', qr{default-src 'self'}, "Content-Security-Policy default-src 'self'");
is($r->{headers}{'x-content-type-options'}, 'nosniff', 'X-Content-Type-Options: nosniff');
my %type = (html => qr{^text/html}, js => qr{^text/javascript}, css => qr{^text/css}, svg => qr{^image/svg\+xml});
my @files = map { s{^.*/}{}r } sort glob("$root/web/console/*.*");
ok(scalar(@files) >= 10, 'the console has its files in web/console');
my $all = '';
for my $f (@files) {
    my ($ext) = $f =~ /\.(\w+)$/;
    my $x = http($srv, 'GET', "/console/$f", anonymous => 1);
    is($x->{status}, 200, "/console/$f is served");
    like($x->{headers}{'content-type'} // '', $type{$ext} // qr/./, "/console/$f has its content type");
    $all .= $x->{content} // '';
}
sub none_of { my ($re, $name) = @_; my @hit = $all =~ /($re)/g; ok(!@hit, $name) or diag(join ', ', @hit[0 .. ($#hit < 4 ? $#hit : 4)]) }
none_of(qr{https?://(?!www\.w3\.org/2000/svg)[^\s'"]*}, 'no file names an outside host');
none_of(qr{\binnerHTML\b|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function}, 'no HTML or code is built from strings');
none_of(qr{localStorage\.setItem\([^)]*token}i, 'the token is never kept beyond the tab');

# ---------- a county of our own, its people and posts ----------

my $tag = 'cw' . ($$ % 100000) . int(rand(1000));
my $county = 530921;    # 凤庆县: no other test writes there
my $bin = $ENV{LEYE_SERVER_BIN};
sub sql { return psql(encode_utf8($_[0])) }
sub sql_value { return psql_value(encode_utf8($_[0])) }
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); my $out = `$bin admin @_ 2>&1`; chomp $out; return $out }
sub china_day { my ($n) = @_; return POSIX::strftime('%Y-%m-%d', gmtime(time + 8 * 3600 + $n * 86400)) }
sub id_number {
    my ($serial) = @_;
    my $body = sprintf('5309211990%04d%03d', 512, $serial % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}

my $site = sql_value("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('凤庆县${tag}安置区', $county, 24.5836, 99.9276, 'urban_centralized') RETURNING id");
my $h1 = http($srv, 'POST', '/v1/households', body => { site_id => 0 + $site, origin_county_code => $county, members => 3 });
is($h1->{status}, 201, 'a household') or diag($h1->{content});
my $h2 = http($srv, 'POST', '/v1/households', body => { site_id => 0 + $site, origin_county_code => $county, members => 4,
    monitoring_status => 'marginal', monitoring_found_by => 'cadre_visit', monitoring_found_on => china_day(-60) });
is($h2->{status}, 201, 'a monitored household') or diag($h2->{content});
my ($hh1, $hh2) = ($h1->{json}{id}, $h2->{json}{id});
my $monitoring_task = sql_value("SELECT id FROM early_warning_task WHERE household_id = $hh2 AND reason = 'monitoring_started' AND status = 'open'");
ok($monitoring_task, 'the monitored household was given a visit task');

my %skill = map { split /\|/ } split /\n/, sql("SELECT code, id FROM skill WHERE code IN ('welding_arc')");
my $cert = sql_value("SELECT id FROM certificate_type WHERE code = 'driving_licence'");
my $idn = id_number($$);
my $wa = http($srv, 'POST', '/v1/workers', body => { household_id => $hh1, name => "张焊$tag", id_number => $idn,
    skills => [ { skill_id => 0 + $skill{welding_arc}, level => 3 } ], max_commute_km => 30 });
is($wa->{status}, 201, 'a seeking welder') or diag($wa->{content});
my $wc = http($srv, 'POST', '/v1/workers', body => { household_id => $hh2, name => "李公$tag", id_number => id_number($$ + 501),
    job_kinds_wanted => [ 'work_relief', 'public_welfare' ], max_commute_km => 30 });
is($wc->{status}, 201, 'a seeking worker of the monitored household') or diag($wc->{content});

my $credit = sprintf('91530921%010d', ($$ * 1000 + int(rand(1000))) % 10_000_000_000);
my $employer = sql_value("INSERT INTO employer (name, credit_code, kind, county_code, contact_name, address)
    VALUES ('凤庆${tag}机械厂', '$credit', 'enterprise', $county, '王经理', '凤庆县工业园区') RETURNING id");
my $project = sql_value("INSERT INTO work_relief_project (county_code, name, funding, total_investment, remuneration_budget, planned_jobs)
    VALUES ($county, '凤庆${tag}以工代赈农田水利项目', 'central', 2000000, 700000, 10) RETURNING id");
my $pv = http($srv, 'POST', '/v1/vacancies', body => { employer_id => 0 + $employer, project_id => 0 + $project,
    title => "水渠修建工$tag", occupation_code => '6-29-01-01', kind => 'work_relief', county_code => $county,
    headcount => 3, wage_min => 120, wage_max => 150, wage_period => 'day', status => 'open' });
is($pv->{status}, 201, 'a work-relief post of the project') or diag($pv->{content});
my $task = sql_value("INSERT INTO early_warning_task (household_id, reason, due_on, assignee)
    VALUES ($hh2, 'job_lost_monitored', '${\ china_day(3)}', '') RETURNING id");

# staff of this county, and a viewer
my $pw = "pw-$tag-" . join('', map { int(rand(10)) } 1 .. 12);
{ local $ENV{PW} = $pw;
  like(cli("create-user --username=$tag.c --role=county_staff --counties=$county --password-env=PW"), qr/^user \d+$/, 'county staff account');
  like(cli("create-user --username=$tag.v --role=viewer --password-env=PW"), qr/^user \d+$/, 'viewer account'); }

my $paths = http($srv, 'GET', '/openapi.json', anonymous => 1)->{json}{paths} // {};
my %routes = (candidates => $paths->{'/v1/vacancies/{id}/candidates'} ? JSON::PP::true : JSON::PP::false,
              allocations => $paths->{'/v1/allocations'} ? JSON::PP::true : JSON::PP::false);
my ($year, $month) = split /-/, china_day(0);
my %fixture = (
    tag => $tag, user => "$tag.c", password => $pw, viewer_user => "$tag.v", viewer_password => $pw,
    county_code => $county, site_id => 0 + $site, employer_id => 0 + $employer, employer_name => "凤庆${tag}机械厂",
    vacancy_title => "电焊工$tag", skill_id => 0 + $skill{welding_arc}, skill_query => '电焊', skill_name => '电焊',
    cert_id => 0 + $cert, cert_query => '驾驶证', cert_name => '机动车驾驶证',
    worker_id => $wa->{json}{id}, worker_name => "张焊$tag", worker_id_number => $idn, worker_masked => $wa->{json}{id_number_masked},
    alloc_worker_id => $wc->{json}{id}, alloc_worker_name => "李公$tag", alloc_worker_id_number => id_number($$ + 501),
    alloc_vacancy_title => "水渠修建工$tag",
    project_id => 0 + $project, task_id => 0 + $task, monitoring_task_id => 0 + ($monitoring_task || 0),
    labor_force => 2, employed => 0,
    today => china_day(0), hire_start => china_day(-31),
    year => 0 + $year, quarter => int(($month - 1) / 3) + 1, quarter_labor_force => 2,
    routes => \%routes,
);

# ---------- the browser ----------

my $shots = ($ENV{LEYE_TEST_ARTIFACTS} // "$root/tests/screenshots") . '/console';
make_path($shots);
unlink glob("$shots/*.png");
diag("screenshots: $shots");
my ($done, $checks) = (0, 0);
{
    local $ENV{CONSOLE_TEST} = JSON::PP->new->utf8->canonical->encode(\%fixture);
    open(my $from, '-|', $node || 'node', "$root/tests/browser/console.mjs", "http://127.0.0.1:" . $srv->port, $shots)
        or die "node: $!";
    while (my $line = <$from>) {
        chomp $line;
        my $m = eval { JSON::PP->new->utf8->decode($line) };
        if (!$m) { diag($line); next }
        if ($m->{done}) { $done = 1; next }
        $checks++;
        if ($m->{skip}) {
            SKIP: { skip("$m->{name}: $m->{detail}", 1) }
        } else {
            ok($m->{ok}, $m->{name}) or diag($m->{detail});
        }
    }
    close $from;
    is($? >> 8, 0, 'the browser test exited cleanly');
}
ok($done, 'the browser test ran to the end');
cmp_ok($checks, '>=', 30, 'every step reported');
cmp_ok(scalar(() = glob("$shots/*.png")), '>=', 20, 'screenshots of each step');

# ---------- what the browser did, seen from the database ----------

is(sql_value("SELECT count(*) FROM household WHERE origin_village = '${tag}村'"), 0, 'the refused import wrote nothing');
is(sql_value("SELECT count(*) FROM placement WHERE worker_id = $fixture{worker_id} AND ended_on IS NULL"), 1, 'the hire made one placement');
is(sql_value("SELECT status FROM early_warning_task WHERE id = $task"), 'closed', 'the visit closed the task');
like(sql_value("SELECT string_agg(actor_name, ',') FROM audit_log WHERE resource = 'vacancy' AND action = 'insert'
                AND resource_id IN (SELECT id::text FROM vacancy WHERE title = '电焊工$tag')"), qr/\Q$tag.c\E/,
     'the vacancy was posted by the county staff account (audited)');

done_testing();
