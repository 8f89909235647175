# Every error is application/problem+json with a stable code, in Chinese by
# default and in English when Accept-Language prefers it.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;

my $srv = start_server();

sub problem_ok {
    my ($r, $status, $code, $what) = @_;
    is($r->{status}, $status, "$what: status $status");
    like($r->{headers}{'content-type'} // '', qr{^application/problem\+json}, "$what: problem+json");
    is($r->{json}{code}, $code, "$what: code $code");
    is($r->{json}{status}, $status, "$what: status in the body");
    ok(defined $r->{json}{title} && defined $r->{json}{detail} && defined $r->{json}{type},
       "$what: title, detail and type");
}

my $r = http($srv, 'GET', '/no/such/thing');
problem_ok($r, 404, 'not_found', 'unknown route');
like($r->{json}{title}, qr/\p{Han}/, 'Chinese by default');

$r = http($srv, 'GET', '/no/such/thing', headers => { 'Accept-Language' => 'en-US,en;q=0.9' });
is($r->{json}{title}, 'Not found', 'English when asked for');
$r = http($srv, 'GET', '/no/such/thing', headers => { 'Accept-Language' => 'zh-CN,zh;q=0.9,en;q=0.8' });
like($r->{json}{title}, qr/\p{Han}/, 'Chinese when preferred over English');

$r = http($srv, 'DELETE', '/healthz');
problem_ok($r, 405, 'method_not_allowed', 'wrong method');
is($r->{headers}{allow}, 'GET, HEAD, OPTIONS', '405 carries Allow');

$r = http($srv, 'OPTIONS', '/v1/regions');
is($r->{status}, 204, 'OPTIONS answers 204');
like($r->{headers}{allow}, qr/GET/, 'with Allow');

$r = http($srv, 'GET', '/v1/regions/999999');
problem_ok($r, 404, 'not_found', 'unknown region');
$r = http($srv, 'GET', '/v1/regions/abc');
problem_ok($r, 404, 'not_found', 'malformed region code');

$r = http($srv, 'GET', '/v1/regions?level=planet');
problem_ok($r, 400, 'invalid_query', 'bad filter value');
is($r->{json}{errors}[0]{field}, 'level', 'the field is named');
is($r->{json}{errors}[0]{code}, 'unknown_value', 'with a field error code');

$r = http($srv, 'GET', '/v1/%2e%2e/etc/passwd');
problem_ok($r, 400, 'bad_request', 'path traversal');
$r = http($srv, 'GET', '/v1/regions/%00');
problem_ok($r, 400, 'bad_request', 'encoded NUL in the path');

# errors the gatekeeper answers before any handler
my $raw = raw_request($srv, "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
like($raw, qr{^HTTP/1.1 411 }, 'chunked request bodies are refused with 411');
is(json_of($raw)->{code}, 'length_required', '411 is problem+json');

$raw = raw_request($srv, "BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
like($raw, qr{^HTTP/1.1 501 }, 'an unknown method gets 501');
$raw = raw_request($srv, "GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n");
like($raw, qr{^HTTP/1.1 501 }, 'an unsupported HTTP version gets 501');
$raw = raw_request($srv, "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx");
like($raw, qr{^HTTP/1.1 400 }, 'two Content-Length headers are refused');
is(json_of($raw)->{code}, 'bad_request', 'as bad_request problem+json');
$raw = raw_request($srv, "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n");
like($raw, qr{^HTTP/1.1 411 }, 'Transfer-Encoding with Content-Length is refused');
unlike($raw, qr{200 OK}, 'and no handler ran');
$raw = raw_request($srv, "GET /healthz HTTP/1.1\r\nHost: x\r\n: empty\r\n\r\n");
like($raw, qr{^HTTP/1.1 400 }, 'an empty header name is refused');
$raw = raw_request($srv, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n");
like($raw, qr{^HTTP/1.1 400 }, 'a NUL inside a header is refused');
$raw = raw_request($srv, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n");
like($raw, qr{^HTTP/1.1 400 }, 'a bare CR inside a header is refused');
$raw = raw_request($srv, "GET /healthz HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n");
like($raw, qr{^HTTP/1.1 400 }, 'obs-fold is refused');

# pipelined requests are answered in order, one handler call each
$raw = raw_request($srv, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/regions/530000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
my @statuses = $raw =~ m{HTTP/1.1 (\d+)}g;
is_deeply(\@statuses, [200, 200], 'two pipelined requests, two answers');

# HTTP/1.0 without keep-alive is answered and closed
$raw = raw_request($srv, "GET /healthz HTTP/1.0\r\n\r\n", timeout => 3);
like($raw, qr{"status":"ok"}, 'HTTP/1.0 is answered in full and the connection closed');

ok($srv->alive, 'the server is still running');
done_testing();
