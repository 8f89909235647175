# Every write leaves an audit row (who, what, which record, when, from where,
# request id) that cannot be changed or deleted; reads leave none.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;

my $srv = start_server();
my $tag = 'au' . $$ . int(rand(1e5));
my $r = http($srv, 'POST', '/v1/sites', body => { name => "$tag a", county_code => 530621, kind => 'scattered' },
             headers => { 'X-Request-Id' => "$tag-create" });
my $id = $r->{json}{id};
my $row = psql("SELECT actor_kind, actor_name, action, resource, resource_id, peer, request_id FROM audit_log WHERE request_id = '$tag-create' ORDER BY id");
$row =~ s/\s+$//;
is($row, "staff|leye-test-admin|insert|site|$id|127.0.0.1|$tag-create", 'a create is audited with who, what, which record, where and the request id');

http($srv, 'PATCH', "/v1/sites/$id", body => { people => 12 }, headers => { 'If-Match' => '"1"', 'X-Request-Id' => "$tag-update" });
is(psql_value("SELECT action || ' ' || (detail -> 'fields')::text FROM audit_log WHERE request_id = '$tag-update'"),
   'update ["people"]', 'an update is audited with the fields it changed');
http($srv, 'GET', "/v1/sites/$id", headers => { 'X-Request-Id' => "$tag-read" });
is(psql_value("SELECT count(*) FROM audit_log WHERE request_id = '$tag-read'"), 0, 'a plain read leaves no audit row');

my $err = `psql -X -q -tA -d '${\ dsn()}' -c "UPDATE audit_log SET actor_name = 'x' WHERE request_id = '$tag-create'" 2>&1`;
like($err, qr/append-only/, 'audit rows cannot be changed');
$err = `psql -X -q -tA -d '${\ dsn()}' -c "DELETE FROM audit_log WHERE request_id = '$tag-create'" 2>&1`;
like($err, qr/180 days/, 'nor deleted within 180 days');
is(psql_value("SELECT count(*) FROM audit_log WHERE request_id = '$tag-create'"), 1, 'the row is still there');

# the server works as leye_app, whose grants allow adding to the log and nothing more
like(psql("SELECT DISTINCT usename FROM pg_stat_activity WHERE application_name LIKE 'leye%' OR usename LIKE 'leye%'"),
     qr/^leye_app$/m, 'the server is connected as leye_app');
(my $app = dsn()) =~ s/\buser=leye\b/user=leye_app/;
for my $sql ("UPDATE audit_log SET actor_name = 'x' WHERE request_id = '$tag-create'",
             "DELETE FROM audit_log WHERE request_id = '$tag-create'", 'TRUNCATE audit_log') {
    my ($verb) = $sql =~ /^(\w+)/;
    $err = `psql -X -q -tA -d '$app' -c "$sql" 2>&1`;
    like($err, qr/permission denied for table audit_log/, "leye_app may not $verb the audit log (the privilege is not granted)");
}
is(psql_value("SELECT has_table_privilege('leye_app', 'audit_log', 'INSERT')::text || has_table_privilege('leye_app', 'audit_log', 'SELECT')::text"),
   'truetrue', 'it may insert and read');
is(psql_value("SELECT count(*) FROM audit_log WHERE request_id = '$tag-create'"), 1, 'the row is still there');
done_testing();
