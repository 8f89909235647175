# The rest of issue 18's contract: an Idempotency-Key with an If-Match list
# tries every tag, as without a key; the department-list import and broker
# registration take a key;
# every 503 carries a reason and its detail in both languages, the pool down
# included; answers given after shutdown began say Connection: close.
use strict;
use warnings;
use utf8;
use Test::More;
use IO::Socket::INET;
use Time::HiRes qw(time sleep);
use Encode qw(encode encode_utf8);
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $tag = 'cm' . ($$ % 100000) . int(rand(1000));
sub sql_value { return psql_value(encode_utf8($_[0])) }
sub fault {
    my ($r) = @_;
    return join ' ', $r->{status}, map { "$_->{field}:$_->{code}" } @{ $r->{json}{errors} || [] };
}

my $srv = start_server();

# ---------- Idempotency-Key with an If-Match list ----------
my $emp = sql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 电子厂', "
                    . "'CM' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', 530621) RETURNING id");
my $v = sql_value("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, dest_province_code, dest_city, "
                  . "headcount, wage_min, wage_max, status) VALUES ($emp, '$tag 装配工', (SELECT min(code) FROM occupation WHERE level = 4), "
                  . "'labor_export', 530621, 27.3, 103.7, 320000, '苏州', 8, 4800, 6000, 'open') RETURNING id");
sub trip {
    my ($n) = @_;
    my $r = http($srv, 'POST', '/v1/export-trips', body => {
        title => "$tag 包车$n", employer_id => $emp + 0, dest_province_code => 320000, dest_city => '苏州',
        departure_on => days_from_today(12), departure_place => '砚池山安置点广场', transport => 'chartered_bus',
        seats => 4, headcount => 3, escort => '王干事', vacancy_ids => [ $v + 0 ] });
    is($r->{status}, 201, "trip $n") or diag explain $r->{json};
    return ($r->{json}{id}, $r->{headers}{etag});
}
my ($t1, $etag1) = trip(1);
my $state = sub { sql_value("SELECT status || '/' || version FROM export_trip WHERE id = $_[0]") };
my $before = $state->($t1);
my $r = http($srv, 'POST', "/v1/export-trips/$t1/cancel", body => { reason => '推迟' },
             headers => { 'If-Match' => qq{"999998", "999999"}, 'Idempotency-Key' => "$tag-c1" });
is($r->{status}, 412, 'under a key, a list of stale tags does not match');
is($state->($t1), $before, 'and nothing changes');
$r = http($srv, 'POST', "/v1/export-trips/$t1/cancel", body => { reason => '推迟' },
          headers => { 'If-Match' => qq{"999999", $etag1}, 'Idempotency-Key' => "$tag-c1" });
is($r->{status}, 200, 'a list holding the current tag matches under the key, as without one') or diag explain $r->{json};
is($r->{json}{status}, 'cancelled', 'and the trip is cancelled');
my $after = $state->($t1);
my $again = http($srv, 'POST', "/v1/export-trips/$t1/cancel", body => { reason => '推迟' },
                 headers => { 'If-Match' => qq{"999999", $etag1}, 'Idempotency-Key' => "$tag-c1" });
is_deeply([ $again->{status}, $again->{headers}{'idempotent-replayed'} ], [ 200, 'true' ], 'its retry gets the first answer');
is($again->{content}, $r->{content}, 'the same body');
is($state->($t1), $after, 'and changes nothing');
my ($t2, $etag2) = trip(2);
$r = http($srv, 'POST', "/v1/export-trips/$t2/cancel", body => { reason => '推迟' },
          headers => { 'If-Match' => qq{"999999", $etag2}, 'Idempotency-Key' => "$tag-c1" });
is(fault($r), '422 Idempotency-Key:idempotency_mismatch', 'the key on another trip is refused');
like($state->($t2), qr{^open/}, 'which stays open');

# ---------- the department-list import under a key ----------
sub id_number {
    my ($n) = @_;
    my $body = sprintf('5306211990%04d%03d', 101, $n % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}
my $import = sub {
    my ($csv, $key) = @_;
    return http($srv, 'POST', "/v1/imports/department-list?department=civil_affairs&name=dl$tag&county_code=530621",
                body => encode('gbk', $csv), headers => { 'Content-Type' => 'text/csv', 'Idempotency-Key' => $key });
};
my $lists = sub { sql_value("SELECT count(*) FROM department_list WHERE name = 'dl$tag'") };
my $csv = "身份证号,标识,日期\r\n" . id_number($$) . ",低保," . days_from_today(-3) . "\r\n";
$r = $import->($csv, "$tag-dl");
is($r->{status}, 201, 'a department list under a key') or diag explain $r->{json};
$again = $import->($csv, "$tag-dl");
is_deeply([ $again->{status}, $again->{headers}{'idempotent-replayed'}, $again->{json}{id}, $again->{headers}{location} ],
          [ 201, 'true', $r->{json}{id}, "/v1/department-lists/$r->{json}{id}" ], 'the same file again gets the first answer');
is($lists->(), 1, 'and keeps one list');
$again = $import->($csv . id_number($$ + 1) . ",低保," . days_from_today(-2) . "\r\n", "$tag-dl");
is(fault($again), '422 Idempotency-Key:idempotency_mismatch', 'another file under the key is refused');
is($lists->(), 1, 'and keeps no second list');

# ---------- a broker registered under a key ----------
my $brokers = sub { sql_value("SELECT count(*) FROM broker WHERE name = '$tag 劳务'") };
$r = http($srv, 'POST', '/v1/brokers', body => { name => "$tag 劳务" }, headers => { 'Idempotency-Key' => "$tag-b" });
is($r->{status}, 201, 'a broker under a key') or diag explain $r->{json};
$again = http($srv, 'POST', '/v1/brokers', body => { name => "$tag 劳务" }, headers => { 'Idempotency-Key' => "$tag-b" });
is_deeply([ $again->{status}, $again->{headers}{'idempotent-replayed'}, $again->{json}{id} ], [ 201, 'true', $r->{json}{id} ],
          'its retry gets the first answer, not a conflict');
$again = http($srv, 'POST', '/v1/brokers', body => { name => "$tag 劳务二" }, headers => { 'Idempotency-Key' => "$tag-b" });
is(fault($again), '422 Idempotency-Key:idempotency_mismatch', 'another broker under the key is refused');
is($brokers->() . sql_value("SELECT count(*) FROM broker WHERE name = '$tag 劳务二'"), '10', 'one broker, and not the other');

# ---------- 503: a reason and a detail, the pool down included ----------
my $pg = new_cluster();
system($ENV{LEYE_SERVER_BIN}, 'migrate', '--database-url=' . $pg->dsn) == 0 or BAIL_OUT('migrate');
my $own = start_server(dsn => $pg->dsn, env => { LEYE_DB_POOL_SIZE => 2, LEYE_SHUTDOWN_TIMEOUT_S => 5 });
ok(wait_until(sub { http($own, 'GET', '/readyz')->{status} == 200 }, 10), 'a server on its own PostgreSQL is ready');
$pg->stop;
$r = http($own, 'GET', '/v1/regions/530000');
is_deeply([ $r->{status}, $r->{json}{code}, $r->{json}{reason} ], [ 503, 'database_unavailable', 'database_down' ],
          'with PostgreSQL stopped: 503 database_unavailable, reason database_down');
like($r->{json}{detail} // '', qr/数据库/, 'the detail in Chinese');
like($r->{headers}{'content-type'}, qr{^application/problem\+json}, 'as problem+json');
$r = http($own, 'GET', '/v1/regions/530000', headers => { 'Accept-Language' => 'en' });
like($r->{json}{detail} // '', qr/database/i, 'and in English');
$r = http($own, 'GET', '/readyz');
is_deeply([ $r->{status}, $r->{json}{code}, $r->{json}{reason} ], [ 503, 'not_ready', 'not_ready' ], '/readyz says not_ready with its reason');
ok(length($r->{json}{detail} // ''), 'and a detail');
$pg->start;
ok(wait_until(sub { !grep { http($own, 'GET', '/v1/regions/530000')->{status} != 200 } 1 .. 4 }, 10), 'back when PostgreSQL is');

# ---------- answers after shutdown began say Connection: close ----------
sub read_answer {
    my ($s) = @_;
    my $buf = '';
    my $deadline = time + 10;
    $s->blocking(0);
    while (time < $deadline) {
        my $n = sysread($s, my $chunk, 65536);
        if (defined $n && $n == 0) { last }
        if (defined $n) { $buf .= $chunk } else { sleep 0.01 }
        my $end = index($buf, "\r\n\r\n");
        next if $end < 0;
        my ($len) = substr($buf, 0, $end) =~ /\r\nContent-Length: (\d+)/i;
        last if defined $len && length($buf) >= $end + 4 + $len;
    }
    my ($head) = split /\r\n\r\n/, $buf, 2;
    return $head // '';
}
my $idle = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $own->port) or die "connect: $!";
print $idle "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
my $head = read_answer($idle);
like($head, qr{^HTTP/1\.1 200}, 'a keep-alive connection gets its first answer');
unlike($head, qr/\r\nConnection: close/i, 'without Connection: close before shutdown');

# the table locked long enough for the request below to be in flight at
# SIGTERM however slow the machine, and within the shutdown deadline
my $locker = fork();
if (!$locker) {
    exec('psql', '-X', '-q', '-d', $pg->dsn, '-c', 'BEGIN; LOCK TABLE region IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(3); COMMIT;');
}
ok(wait_until(sub { `psql -X -A -t -d '${\ $pg->dsn}' -c "SELECT count(*) FROM pg_locks WHERE relation = 'region'::regclass AND granted"` =~ /^[1-9]/ }, 5),
   'a table the request needs is locked');
my $busy = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $own->port) or die "connect: $!";
print $busy "GET /v1/regions?level=county HTTP/1.1\r\nHost: x\r\n\r\n";
sleep 0.3;
kill 'TERM', $own->{pid};
sleep 0.3;
print $idle "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
# an event loop with nothing in flight ends at once and closes its idle
# connections; one still running refuses the request
$head = read_answer($idle);
ok($head eq '' || ($head =~ m{^HTTP/1\.1 503} && $head =~ /\r\nConnection: close/i),
   'a new request on an open connection after SIGTERM is refused saying Connection: close, or finds it closed')
    or diag($head);
$head = read_answer($busy);
like($head, qr{^HTTP/1\.1 200}, 'the request in flight at SIGTERM gets its answer');
like($head, qr/\r\nConnection: close/i, 'saying Connection: close');
waitpid($locker, 0);
is($own->stop, 0, 'and the server exits cleanly');

done_testing();
