# Liveness, readiness, the OpenAPI document, request ids and log lines.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;

my $srv = start_server();

my $r = http($srv, 'GET', '/healthz');
is($r->{status}, 200, 'healthz answers 200');
is($r->{json}{status}, 'ok', 'healthz says ok');
like($r->{headers}{'content-type'}, qr{^application/json; charset=utf-8$}, 'JSON content type with charset');
ok($r->{headers}{'x-request-id'}, 'a request id is returned');
is($r->{headers}{'x-content-type-options'}, 'nosniff', 'nosniff is set');

$r = http($srv, 'GET', '/healthz', headers => { 'X-Request-Id' => 'abc-123' });
is($r->{headers}{'x-request-id'}, 'abc-123', 'a well-formed client request id is kept');
$r = http($srv, 'GET', '/healthz', headers => { 'X-Request-Id' => "bad id\x{7f}" });
isnt($r->{headers}{'x-request-id'}, "bad id\x{7f}", 'a malformed client request id is replaced');

$r = http($srv, 'HEAD', '/healthz');
is($r->{status}, 200, 'HEAD is answered like GET');
ok(!length($r->{content} // ''), 'HEAD has no body');

$r = http($srv, 'GET', '/readyz');
is($r->{status}, 200, 'readyz is 200 with the database up and migrated');
is($r->{json}{status}, 'ready', 'readyz says ready');
is($r->{json}{schema_version}, $r->{json}{schema_required}, 'schema is current');

$r = http($srv, 'GET', '/openapi.json');
is($r->{status}, 200, 'openapi.json is served');
is($r->{json}{openapi}, '3.1.0', 'it is an OpenAPI 3.1 document');

$r = http($srv, 'GET', '/v1/regions/530102');
is($r->{status}, 200, 'a database-backed read works');
is($r->{json}{name}, '五华区', 'with the right data');

# one JSON line per request with id, method, path, status and microseconds
my $line;
ok(wait_until(sub { ($line) = grep { /"request_id":"abc-123"/ } split /\n/, $srv->log_text; $line }, 2),
   'the request was logged (request lines are written in batches, within 0.1 s)');
my $entry = eval { $JSON->decode($line) };
ok($entry, 'the log line is JSON');
is($entry->{method}, 'GET', 'log has the method');
is($entry->{path}, '/healthz', 'log has the path');
is($entry->{status}, 200, 'log has the status');
like($entry->{us}, qr/^\d+$/, 'log has the duration in microseconds');

is($srv->stop('TERM'), 0, 'SIGTERM stops the server with exit status 0');
like($srv->log_text, qr/stopped/, 'the server logs that it stopped');

done_testing();
