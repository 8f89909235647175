# Looking a person up by ID number or by phone is recorded in the audit log,
# as a reveal is: the masked number with an age and sex still leaves
# thousands of candidates, and trying them one by one through ?id_number=
# must leave a trace.  The audit row names who searched, by which key and
# what was found, never the number searched for.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $srv = start_server();
my $tag = 'sa' . $$ . int(rand(1e5));
my $serial = int(rand(500));
sub idnum {
    my $body = sprintf('5306211979%04d%03d', 1103, ($$ + $serial++) % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}
my $phone = sprintf('137%08d', ($$ * 104729 + int(rand(1e6))) % 100_000_000);

my $site = http($srv, 'POST', '/v1/sites', body => { name => "$tag 点", county_code => 530621, kind => 'scattered' })->{json}{id};
my $hh = http($srv, 'POST', '/v1/households', body => { site_id => $site, origin_county_code => 530621, members => 2 })->{json}{id};
my $id = idnum();
my $r = http($srv, 'POST', '/v1/workers', body => { household_id => $hh, name => "$tag 李四", id_number => $id, phone => $phone });
is($r->{status}, 201, 'a worker with an ID number and a phone');
my $wid = $r->{json}{id};

sub searches { return psql_value("SELECT concat_ws('|', actor_kind, actor_name, resource_id, detail ->> 'by', detail ->> 'found', request_id <> '') "
                           . "FROM audit_log WHERE action = 'search' AND request_id = '$_[0]'") }

$r = http($srv, 'GET', "/v1/workers?id_number=$id");
is($r->{status}, 200, 'found by ID number');
is(scalar @{ $r->{json}{items} }, 1, 'one worker');
is(searches($r->{headers}{'x-request-id'}), "staff|leye-test-admin|$wid|id_number|1|t", 'the search is in the audit log: who, what was found, by which key');

my $other = idnum();
$r = http($srv, 'GET', "/v1/workers?id_number=$other");
is_deeply($r->{json}{items}, [], 'a number nobody has finds nobody');
is(searches($r->{headers}{'x-request-id'}), "staff|leye-test-admin||id_number|0|t", 'and is recorded too (a miss is what trying candidates looks like)');

$r = http($srv, 'GET', '/v1/workers?phone=' . substr($phone, 0, 3) . '-' . substr($phone, 3));
is(scalar @{ $r->{json}{items} }, 1, 'found by phone');
is(searches($r->{headers}{'x-request-id'}), "staff|leye-test-admin|$wid|phone|1|t", 'recorded as a search by phone');

my $rows = psql("SELECT detail::text || resource_id FROM audit_log WHERE action = 'search' AND actor_name = 'leye-test-admin'");
unlike($rows, qr/\Q$id\E|\Q$other\E|\Q$phone\E|\Q${\ substr($id, 6, 8)}\E/, 'no audit row holds the number searched for, nor its birth digits');

$r = http($srv, 'GET', '/v1/workers?id_number=12345');
is($r->{status}, 400, 'a malformed number is refused');
is(psql_value("SELECT count(*) FROM audit_log WHERE action = 'search' AND request_id = '$r->{headers}{'x-request-id'}'"), 0,
   'and searches nothing, so nothing is recorded');

$r = http($srv, 'GET', "/v1/workers/$wid");
is(psql_value("SELECT count(*) FROM audit_log WHERE request_id = '$r->{headers}{'x-request-id'}'"), 0,
   'an ordinary read leaves no audit row');
done_testing();
