# A worker import large enough that its parameters leave the server in
# pieces (over 1 MB, the size at which the pool raises the connection's send
# buffer): every value arrives intact, and every row the import writes is
# what the slow, general definitions say it must be.  The audit row of each
# new worker equals audit_values() over the whole row with the table's rules
# (migration 036), byte for byte; its history row is the worker's state on
# the day it was created (037); skills, consent events and household counts
# are all there.
use strict;
use warnings;
use utf8;
use Test::More;
use Encode qw(encode);
use Digest::MD5 qw(md5_hex);
use LeyeTest;

my $srv = start_server();
my $tag = 'bk' . $$ . int(rand(1e5));
my $rid = "$tag-import";
my $site = http($srv, 'POST', '/v1/sites', body => { name => $tag, county_code => 530621, kind => 'urban_centralized' })->{json}{id};

my $nh = 400;  # households
my $nw = 4000; # workers, ten a household: about 1.8 MB of parameters
my $r = http($srv, 'POST', '/v1/imports/households?mode=all_or_nothing',
             body => encode('UTF-8', "household_ref,site_id,origin_county_code,members\n"
                                     . join('', map { "$tag-$_,$site,530621,12\n" } 1 .. $nh)),
             headers => { 'Content-Type' => 'text/csv' }, timeout => 60);
is($r->{json}{created}, $nh, 'the households');

sub idnum {
    my ($i) = @_;
    my $body = sprintf('530621%04d%02d%02d%03d', 1970 + $i % 30, 1 + int($i / 1000) % 12, 1 + $i % 28,
                       ($$ + $i) % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}
my @status = ('seeking', 'employed_local', 'not_seeking', 'employed_outside_province', 'in_training');
my @skills = ('焊工:2', '电工:1;砌筑:3', '', '家政服务:2;保洁:1;缝纫:2');
my (@names, @phones);
my $csv = "site_id,household_ref,name,id_number,phone,employment_status,skills,wage_floor,consent_brokers\n";
for my $i (1 .. $nw) {
    my $name = "工人${tag}号$i";
    my $phone = sprintf('139%08d', ($$ * 7919 + $i) % 100000000);
    push @names, $name;
    push @phones, $phone;
    $csv .= join(',', $site, "$tag-" . (1 + int(($i - 1) / 10)), $name, idnum($i), $phone, $status[$i % @status],
                 $skills[$i % @skills], 1000 + $i, $i % 3 ? '是' : '否') . "\n";
}
$r = http($srv, 'POST', '/v1/imports/workers?mode=all_or_nothing', body => encode('UTF-8', $csv),
          headers => { 'Content-Type' => 'text/csv', 'X-Request-Id' => $rid }, timeout => 120);
is($r->{status}, 200, 'the workers imported') or diag($r->{content});
is($r->{json}{created}, $nw, "all $nw created");

my $mine = "w.household_id IN (SELECT id FROM household WHERE ref LIKE '$tag-%')";
is(psql_value("SELECT count(*) FROM worker w WHERE $mine"), $nw, 'every worker is stored');
is(psql_value("SELECT md5(string_agg(name, ',' ORDER BY name COLLATE \"C\")) FROM worker w WHERE $mine"),
   md5_hex(encode('UTF-8', join(',', sort { encode('UTF-8', $a) cmp encode('UTF-8', $b) } @names))),
   'the names arrive intact');
is(psql_value("SELECT md5(string_agg(phone_masked, ',' ORDER BY name COLLATE \"C\")) FROM worker w WHERE $mine"),
   md5_hex(join(',', map { substr($_->[1], 0, 3) . '****' . substr($_->[1], 7) }
                     sort { encode('UTF-8', $a->[0]) cmp encode('UTF-8', $b->[0]) }
                     map { [ $names[$_], $phones[$_] ] } 0 .. $#names)),
   'and the masked phones');
is(psql_value("SELECT count(*) FROM worker w WHERE $mine AND wage_floor = 1000 + "
              . "substring(name FROM '号([0-9]+)\$')::integer"), $nw, 'each row keeps its own values');

# the audit row of each new worker, against the general definition
is(psql_value("SELECT count(*) FROM worker w JOIN audit_log a ON a.resource = 'worker' AND a.action = 'insert' "
              . "AND a.resource_id = w.id::text WHERE $mine"), $nw, 'one audit row per new worker');
is(psql_value("SELECT count(*) FROM worker w JOIN audit_log a ON a.resource = 'worker' AND a.action = 'insert' "
              . "AND a.resource_id = w.id::text WHERE $mine AND a.request_id = '$rid' AND a.actor_kind = 'staff' "
              . "AND a.detail::text = audit_values(to_jsonb(w), audit_rules('worker'))::text"), $nw,
   'each one byte for byte what audit_values() makes of the whole row, in the request that made it');
is(psql_value("SELECT count(*) FROM audit_log WHERE request_id = '$rid' AND resource = 'worker' AND action = 'import' "
              . "AND detail = '{\"created\": $nw, \"updated\": 0, \"unchanged\": 0}'"), 1, 'and one row for the import');
is(psql_value("SELECT count(*) FROM audit_log WHERE request_id = '$rid' AND (detail::text ~ '530621[0-9]{11}' "
              . "OR detail::text ~ '139[0-9]{8}')"), 0, 'no ID number or phone in clear');

# history, skills, consent, counts
is(psql_value("SELECT count(*) FROM worker w JOIN worker_history h ON h.worker_id = w.id "
              . "AND h.valid_from = (w.created_at AT TIME ZONE 'Asia/Shanghai')::date AND h.valid_to IS NULL "
              . "AND h.household_id = w.household_id AND h.employment_status = w.employment_status "
              . "AND NOT h.with_placement AND h.archived = w.archived WHERE $mine"), $nw,
   'each new worker has its history row, its state when created');
is(psql_value("SELECT count(*) FROM worker_history h JOIN worker w ON w.id = h.worker_id WHERE $mine"), $nw,
   'and only that one');
my $nskills = 0;
$nskills += () = $skills[$_ % @skills] =~ /:/g for 1 .. $nw;
is(psql_value("SELECT count(*) FROM worker_skill s JOIN worker w ON w.id = s.worker_id WHERE $mine"), $nskills,
   'every skill');
is(psql_value("SELECT count(*) FROM worker_consent_event e JOIN worker w ON w.id = e.worker_id WHERE $mine "
              . "AND e.kind = 'brokers' AND e.granted AND e.method = 'import'"), scalar(grep { $_ % 3 } 1 .. $nw),
   'a consent event for each worker who gave it');
is(psql_value("SELECT count(*) FROM household h CROSS JOIN LATERAL (SELECT "
              . "count(*) FILTER (WHERE w.employment_status <> 'not_seeking') AS labor, "
              . "count(*) FILTER (WHERE w.employment_status LIKE 'employed%') AS employed "
              . "FROM worker w WHERE w.household_id = h.id) c WHERE h.ref LIKE '$tag-%' "
              . "AND (h.labor_count, h.employed_count) IS DISTINCT FROM (c.labor, c.employed)"),
   0, 'household counts as a recount gives them');

# the same file again changes nothing and writes no audit row per worker
$r = http($srv, 'POST', '/v1/imports/workers?mode=all_or_nothing', body => encode('UTF-8', $csv),
          headers => { 'Content-Type' => 'text/csv', 'X-Request-Id' => "$rid-again" }, timeout => 120);
is($r->{json}{unchanged}, $nw, 'the same file again: all unchanged');
is(psql_value("SELECT count(*) FROM audit_log WHERE request_id = '$rid-again' AND action <> 'import'"), 0,
   'and nothing audited but the import itself');

done_testing();
