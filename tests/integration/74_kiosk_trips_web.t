# Trips at the kiosk and in the console, in headless Chromium
# (tests/browser/kiosk_trips.mjs): a job seeker willing to work in another
# province sees an open trip in plain words, signs up, takes it back and
# signs up again; one who is not sees why instead of a sign-up button;
# county staff change the trip's day and place (a headcount over the seats
# refused) and cancel it, and the person hears of both in the kiosk inbox.
# A county no other browser test writes to (绥江县).  Screenshots go to
# $LEYE_TEST_ARTIFACTS/kiosk_trips (default tests/screenshots/kiosk_trips).
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
my $bin = $ENV{LEYE_SERVER_BIN};
my $tag = 'kt' . ($$ % 100000) . int(rand(1000));
my $county = 530626;
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); local $ENV{PW} = "pw-$tag-123456"; my $o = `$bin admin @_ 2>&1`; chomp $o; $o }
sub sql_value { return decode_utf8(psql_value(encode_utf8($_[0]))) }
sub id_number {
    my ($serial) = @_;
    my $body = sprintf('5306261993%04d%03d', 412, $serial % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}

my $site = sql_value("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('$tag 安置点', $county, 28.6, 103.9, 'urban_centralized') RETURNING id");
my (%w, %idn);
for my $k (qw(willing unwilling other)) {
    my $hh = sql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, $county, 3) RETURNING id");
    $idn{$k} = id_number($$ + { willing => 0, unwilling => 300, other => 600 }->{$k});
    my $hash = $k eq 'other' ? "decode(md5(random()::text), 'hex')" : "'" . cli("id-hash --id-number=$idn{$k}") . "'";
    my $willing = $k eq 'unwilling' ? 'false' : 'true';
    $w{$k} = sql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex,
        employment_status, willing_outside_province) VALUES ($hh, '${k}外出$tag', $hash, '\\x00', '530626********0000', '1993-04-12',
        'M', 'seeking', $willing) RETURNING id");
}
{ local $ENV{PIN} = '135790'; cli("reset-pin --worker=$w{$_} --pin-env=PIN") for qw(willing unwilling) }
my $emp = sql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 宁波服装厂',
    'KT' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', $county) RETURNING id");
my $v = sql_value("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, dest_province_code, dest_city,
    headcount, wage_min, wage_max, status) VALUES ($emp, '缝纫工$tag', (SELECT min(code) FROM occupation WHERE level = 4),
    'labor_export', $county, 28.6, 103.9, 330000, '宁波', 10, 5000, 6500, 'open') RETURNING id");
like(cli("create-user --username=$tag.c --role=county_staff --counties=$county --password-env=PW"), qr/^user \d+$/, 'county staff account');

my $srv = start_server();
ok(wait_until(sub { (http($srv, 'GET', '/readyz', anonymous => 1)->{status} // 0) == 200 }, 30), 'the matching index loads');
my $leave = days_from_today(9);
my $r = http($srv, 'POST', '/v1/export-trips', body => {
    title => "$tag 宁波包车", employer_id => $emp + 0, dest_province_code => 330000, dest_city => '宁波',
    departure_on => $leave, departure_place => '绥江县安置点广场', transport => 'chartered_bus',
    seats => 5, headcount => 4, escort => '绥江县人社局', vacancy_ids => [$v + 0] });
is($r->{status}, 201, 'an upcoming trip') or diag explain $r->{json};
my $trip = $r->{json}{id};
is(http($srv, 'POST', "/v1/export-trips/$trip/signups", body => { worker_id => $w{other} + 0 })->{status}, 201, 'someone signs up');
is(http($srv, 'POST', "/v1/export-trips/$trip/fill")->{status}, 202, 'the roster fill is queued');
ok(wait_until(sub { (http($srv, 'GET', "/v1/export-trips/$trip")->{json}{fill}{state} // '') eq 'done' }, 30),
   'and puts them on the roster');
my ($m, $d) = $leave =~ /^\d{4}-(\d\d)-(\d\d)$/;
my $new_day = days_from_today(11);

my $shots = ($ENV{LEYE_TEST_ARTIFACTS} // "$root/tests/screenshots") . '/kiosk_trips';
make_path($shots);
unlink glob("$shots/*.png");
my %fixture = (
    id_number => $idn{willing}, unwilling_id_number => $idn{unwilling}, pin => '135790', trip_id => $trip + 0,
    province => '浙江省', employer => "$tag 宁波服装厂", job_title => "缝纫工$tag", place => '绥江县安置点广场',
    day_words => (0 + $m) . '月' . (0 + $d) . '日', places => 3, user => "$tag.c", password => "pw-$tag-123456",
    new_day => $new_day, new_place => '绥江县汽车站', seats => 6, headcount => 5, reason => '用工单位推迟开工',
);
my ($done, $checks) = (0, 0);
{
    local $ENV{TRIPS_TEST} = JSON::PP->new->utf8->canonical->encode(\%fixture);
    open(my $from, '-|', $node || 'node', "$root/tests/browser/kiosk_trips.mjs", "http://127.0.0.1:" . $srv->port, $shots)
        or die "node: $!";
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
cmp_ok($checks, '>=', 25, 'every step reported');
cmp_ok(scalar(() = glob("$shots/*.png")), '>=', 7, 'screenshots of each step');

# ---------- what the browser did, seen from the database ----------
is(sql_value("SELECT state || ' ' || source FROM export_signup WHERE trip_id = $trip AND worker_id = $w{willing}"), 'signed_up kiosk',
   'the kiosk signed its job seeker up (after taking it back once)');
is(sql_value("SELECT count(*) FROM audit_log WHERE resource = 'export_signup' AND action = 'delete'
              AND actor_kind = 'kiosk' AND actor_id = $w{willing}"), 1, 'the sign-up taken back is in the audit log');
is(sql_value("SELECT count(*) FROM export_signup WHERE worker_id = $w{unwilling}"), 0, 'nothing signed for the unwilling person');
is(sql_value("SELECT status || '|' || departure_on || '|' || departure_place || '|' || seats || '|' || cancel_reason FROM export_trip WHERE id = $trip"),
   "cancelled|$new_day|绥江县汽车站|6|用工单位推迟开工", 'the console changed the trip, then cancelled it');
is(sql_value("SELECT string_agg(template, ',' ORDER BY id) FROM notify_outbox WHERE worker_id = $w{willing} AND channel = 'kiosk'
              AND event = 'trip.changed'"), 'TRIP_CHANGED,TRIP_CANCELLED', 'the job seeker heard of the change and the cancellation');
like(sql_value("SELECT string_agg(DISTINCT actor_name, ',') FROM audit_log WHERE resource = 'export_trip' AND resource_id = '$trip'
                AND action = 'update'"), qr/\Q$tag.c\E/, 'the county staff account made the changes (audited)');
done_testing();
