# The labour export pages of the staff console, in headless Chromium
# (tests/browser/export.mjs), as county staff of a county no other test
# uses: the trips with the panel of workers out of province, a trip's roster
# with more sign-ups than places filled by the allocation engine (the worker
# of the household with nobody employed on it), a check-in, English.
# Screenshots go to $LEYE_TEST_ARTIFACTS/export (default
# tests/screenshots/export).
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
my $bin = $ENV{LEYE_SERVER_BIN};
my $tag = 'xw' . ($$ % 100000) . int(rand(1000));
my $county = 530628;    # 彝良县: no other test writes there
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); local $ENV{PW} = "pw-$tag-123456"; my $o = `$bin admin @_ 2>&1`; chomp $o; $o }
sub sql_value { return psql_value(encode_utf8($_[0])) }

my $site = sql_value("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('$tag 安置点', $county, 27.6, 104.0, 'urban_centralized') RETURNING id");
my $serial = 0;
sub worker {
    my ($hh, $name, $status) = @_;
    return sql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex,
        employment_status) VALUES ($hh, '$name', decode(md5(random()::text || clock_timestamp()::text), 'hex'), '\\x00',
        '530628********000X', '1991-03-1" . (++$serial % 9) . "', 'F', '$status') RETURNING id");
}
my @names;
for my $k (1 .. 5) {
    my $hh = sql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, $county, 3) RETURNING id");
    # the first household has nobody employed, the others someone at work
    worker($hh, "在岗$k$tag", 'employed_local') if $k > 1;
    push @names, "报名$k$tag";
    worker($hh, $names[-1], 'seeking');
}
my $emp = sql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 中山电器厂',
    'XW' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', $county) RETURNING id");
my $v = sql_value("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, dest_province_code, dest_city,
    headcount, wage_min, wage_max, status) VALUES ($emp, '$tag 装配工', (SELECT min(code) FROM occupation WHERE level = 4),
    'labor_export', $county, 27.6, 104.0, 440000, '中山', 20, 4800, 6000, 'open') RETURNING id");
like(cli("create-user --username=$tag.c --role=county_staff --counties=$county --password-env=PW"), qr/^user \d+$/, 'county staff account');

my $srv = start_server();
ok(wait_until(sub { (http($srv, 'GET', '/readyz', anonymous => 1)->{status} // 0) == 200 }, 30), 'the matching index loads');
my $r = http($srv, 'POST', '/v1/export-trips', body => {
    title => "$tag 中山专车", employer_id => $emp + 0, dest_province_code => 440000, dest_city => '中山',
    departure_on => days_from_today(0), departure_place => '彝良县安置点广场', transport => 'chartered_bus',
    seats => 3, headcount => 2, escort => '县人社局', vacancy_ids => [$v + 0] });
is($r->{status}, 201, 'a trip departing today') or diag explain $r->{json};
my $trip = $r->{json}{id};
for my $name (@names) {
    my $w = sql_value("SELECT id FROM worker WHERE name = '$name'");
    is(http($srv, 'POST', "/v1/export-trips/$trip/signups", body => { worker_id => $w + 0 })->{status}, 201, "$name signs up");
}

my $shots = ($ENV{LEYE_TEST_ARTIFACTS} // "$root/tests/screenshots") . '/export';
make_path($shots);
unlink glob("$shots/*.png");
my %fixture = (user => "$tag.c", password => "pw-$tag-123456", trip_id => $trip + 0, signups => 5, headcount => 2,
               zero_name => $names[0]);
my ($done, $checks) = (0, 0);
{
    local $ENV{EXPORT_TEST} = JSON::PP->new->utf8->canonical->encode(\%fixture);
    open(my $from, '-|', $node || 'node', "$root/tests/browser/export.mjs", "http://127.0.0.1:" . $srv->port, $shots)
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
cmp_ok($checks, '>=', 10, 'every step reported');
cmp_ok(scalar(() = glob("$shots/*.png")), '>=', 5, 'screenshots of each step');

# what the browser did, seen from the database
is(sql_value("SELECT string_agg(state, ',' ORDER BY state) FROM export_signup WHERE trip_id = $trip"),
   'departed,selected,waitlisted,waitlisted,waitlisted', 'the roster: two chosen (one boarded), three waiting');
is(sql_value("SELECT s.state FROM export_signup s JOIN worker w ON w.id = s.worker_id WHERE w.name = '$names[0]'") =~ /^(selected|departed)$/ ? 1 : 0,
   1, 'the worker of the household with nobody employed is going');
like(sql_value("SELECT string_agg(DISTINCT actor_name, ',') FROM audit_log WHERE resource = 'export_signup' AND action = 'update'
                AND resource_id IN (SELECT id::text FROM export_signup WHERE trip_id = $trip)"), qr/\Q$tag.c\E/,
     'the county staff account filled the roster (audited)');
done_testing();
