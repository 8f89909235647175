# In headless Chromium (tests/browser/reach.mjs): an administrator manages
# staff accounts in the console (create with a site, the password shown once
# and working, reset it, lock and unlock, sign-in history), places a vacancy
# from a known site with the nearest sites shown as a check; a job seeker at
# the kiosk has the read-aloud button without asking for it, a large-text
# switch, zoom allowed, the fit in words and stars, and changes their own
# wishes.  What the pages did is checked here in the database.
# Screenshots go to $LEYE_TEST_ARTIFACTS/reach (default tests/screenshots/reach).
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;
use JSON::PP;
use Encode qw(encode_utf8 decode_utf8);
use File::Path qw(make_path);
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $root = $ENV{LEYE_TEST_ROOT};
my $node = browser_tools();
my $srv = start_server();
my $tag = 'rw' . ($$ % 100000) . int(rand(1000));
my $county = 532623;    # 西畴县: no other test writes there
my $bin = $ENV{LEYE_SERVER_BIN};
sub sql_value { return decode_utf8(psql_value(encode_utf8($_[0]))) }
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); my $out = `$bin admin @_ 2>&1`; chomp $out; return $out }
sub id_number {
    my ($serial) = @_;
    my $body = sprintf('5326231988%04d%03d', 1103, $serial % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}

my $site = sql_value("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('西畴${tag}安置区', $county, 23.4412, 104.6735, 'urban_centralized') RETURNING id");
my $hh = http($srv, 'POST', '/v1/households', body => { site_id => 0 + $site, origin_county_code => $county, members => 4 })->{json}{id};
my $idn = id_number($$);
my $w = http($srv, 'POST', '/v1/workers', body => { household_id => $hh, name => "王秀$tag", id_number => $idn,
    job_kinds_wanted => ['regular'], max_commute_km => 30, wage_floor => 2500 });
is($w->{status}, 201, 'a job seeker') or diag($w->{content});
my $worker = $w->{json}{id};
my $pin = http($srv, 'POST', "/v1/workers/$worker/pin-reset")->{json}{pin};
like($pin, qr/^\d{6}$/, 'with a kiosk PIN');
my $credit = sprintf('91532623%010d', ($$ * 1000 + int(rand(1000))) % 10_000_000_000);
my $employer = sql_value("INSERT INTO employer (name, credit_code, kind, county_code, contact_name, address)
    VALUES ('西畴${tag}服装厂', '$credit', 'enterprise', $county, '李经理', '西畴县西洒镇工业园') RETURNING id");
my $v = http($srv, 'POST', '/v1/vacancies', body => { employer_id => 0 + $employer, title => "缝纫工$tag",
    occupation_code => '6-29-01-01', kind => 'regular', county_code => $county, headcount => 5, wage_min => 2800,
    wage_max => 3600, status => 'open', address => '西畴县西洒镇工业园 2 号', lat => 23.4420, lon => 104.6740,
    start_date => days_from_today(-10) });
is($v->{status}, 201, 'a job near the seeker that started ten days ago') or diag($v->{content});

my %fixture = (
    tag => $tag, admin_user => 'leye-test-admin', admin_password => LeyeTest::admin_password(),
    site_id => 0 + $site, site_name => "西畴${tag}安置区", county_code => $county, employer_id => 0 + $employer,
    employer_name => "西畴${tag}服装厂", id_number => $idn, pin => $pin, vacancy_title => "缝纫工$tag",
);
LeyeTest::ensure_admin(dsn());

my $shots = ($ENV{LEYE_TEST_ARTIFACTS} // "$root/tests/screenshots") . '/reach';
make_path($shots);
unlink glob("$shots/*.png");
my ($done, $checks, %got) = (0, 0);
{
    local $ENV{REACH_TEST} = JSON::PP->new->utf8->canonical->encode(\%fixture);
    open(my $from, '-|', $node || 'node', "$root/tests/browser/reach.mjs", 'http://127.0.0.1:' . $srv->port, $shots)
        or die "node: $!";
    while (my $line = <$from>) {
        chomp $line;
        my $m = eval { JSON::PP->new->utf8->decode($line) };
        if (!$m) { diag($line); next }
        if ($m->{done}) { $done = 1; next }
        if ($m->{got}) { %got = (%got, %{ $m->{got} }); next }
        $checks++;
        ok($m->{ok}, $m->{name}) or diag($m->{detail});
    }
    close $from;
    is($? >> 8, 0, 'the browser test exited cleanly');
}
ok($done, 'the browser test ran to the end');
cmp_ok($checks, '>=', 25, 'every step reported');

# --- what the pages did, seen from the database
my $u = "$tag.s";
is(sql_value("SELECT role || ' ' || site_ids::text FROM staff_account WHERE username = '$u'"), "site_staff {$site}",
   'the console made a site staff account for the site');
is(sql_value("SELECT locked_at IS NULL FROM staff_account WHERE username = '$u'"), 't', 'locked and unlocked again');
ok(sql_value("SELECT count(*) FROM audit_log WHERE resource = 'staff_account' AND actor_name = 'leye-test-admin' AND resource_id = (SELECT id::text FROM staff_account WHERE username = '$u')") >= 3,
   'every change to it is audited');
is(sql_value("SELECT address || ' ' || round(lat::numeric, 4) || ' ' || round(lon::numeric, 4) FROM vacancy WHERE title = '${tag}绣花工'"),
   "${tag} 车间 23.4412 104.6735", 'the vacancy was placed at the chosen site, with its address');
is(sql_value("SELECT array_to_string(job_kinds_wanted, ',') || ' ' || wage_floor || ' ' || max_commute_km || ' ' || willing_outside_province || ' ' || to_char(quiet_from, 'HH24:MI') || '-' || to_char(quiet_to, 'HH24:MI') FROM worker WHERE id = $worker"),
   'regular,workshop 2700 10 true 21:00-07:00', 'the seeker\'s wishes changed at the kiosk are stored');
is(sql_value("SELECT actor_kind FROM audit_log WHERE resource = 'worker' AND resource_id = '$worker' ORDER BY id DESC LIMIT 1"), 'kiosk',
   'as the seeker\'s own change');
done_testing();
