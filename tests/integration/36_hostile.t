# Hostile requests: each is answered with a 4xx problem+json, changes nothing,
# and leaves the server running.
use strict;
use warnings;
use utf8;
use Test::More;
use Encode qw(encode);
use LeyeTest;

my $srv = start_server();
my $token = admin_token($srv);
my $tag = 'ho' . $$ . int(rand(1e5));
my $sites = sub { psql_value("SELECT count(*) FROM site WHERE name LIKE '%$tag%'") };

# raw_body(METHOD, PATH, BYTES, headers) -> response through a real socket
sub raw_body {
    my ($method, $path, $bytes, %h) = @_;
    my $head = "$method $path HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer $token\r\nConnection: close\r\n"
        . "Content-Type: application/json\r\n" . join('', map { "$_: $h{$_}\r\n" } sort keys %h);
    $head .= 'Content-Length: ' . length($bytes) . "\r\n" unless exists $h{'Content-Length'};
    return raw_request($srv, "$head\r\n$bytes", timeout => 5);
}
sub refused {
    my ($raw, $what, $want) = @_;
    my ($status) = $raw =~ m{^HTTP/1\.1 (\d{3})};
    $status //= 0;
    ok($status >= 400 && $status < 500, "$what: refused with 4xx ($status)");
    like($raw, qr{Content-Type: application/problem\+json}i, "$what: problem+json");
    like($status, $want, "$what: $want") if $want;
    return json_of($raw);
}

my $n0 = $sites->();
my $good = qq({"name":"$tag","county_code":530621,"kind":"scattered"});

refused(raw_body('POST', '/v1/sites', ('[' x 10000) . (']' x 10000)), 'JSON nested 10,000 deep', qr/^400$/);
refused(raw_body('POST', '/v1/sites', qq({"name":"${\ ('a' x 1_000_000)}","county_code":530621,"kind":"scattered"})),
        'a 1 MB string', qr/^4(00|13|22)$/);
refused(raw_body('POST', '/v1/sites', qq({"name":"\xff\xfe$tag","county_code":530621,"kind":"scattered"})),
        'invalid UTF-8', qr/^400$/);
my $p = refused(raw_body('POST', '/v1/sites', qq({"name":"a\\u0000b","county_code":530621,"kind":"scattered"})),
                'a NUL inside a string', qr/^4(00|22)$/);
refused(raw_body('POST', '/v1/sites', qq({"name":"$tag","name":"x","county_code":530621,"kind":"scattered"})),
        'duplicate keys', qr/^400$/);
$p = refused(raw_body('POST', '/v1/sites', qq({"name":"$tag","county_code":530621,"kind":"scattered","people":1e400})),
             'a number out of range', qr/^4(00|22)$/);
$p = refused(raw_body('POST', '/v1/sites', qq({"name":"$tag","county_code":530621,"kind":"scattered","households":99999999999999999999999})),
             'an integer that overflows', qr/^4(00|22)$/);
$p = refused(raw_body('POST', '/v1/sites', qq({"name":"$tag","county_code":530621,"kind":"scattered","admin":true})),
             'an unknown field', qr/^422$/);
is($p->{errors}[0]{field}, 'admin', 'naming the unknown field');

# wrong types for every field
my %fields = (name => "$tag", county_code => 530621, kind => 'scattered', lat => 27.1, lon => 103.2, households => 5, people => 20);
for my $f (sort keys %fields) {
    for my $bad (ref(\$fields{$f}) eq 'SCALAR' && $fields{$f} =~ /^[\d.]+$/ ? ('"12"', 'true', '[]', '{}', 'null')
                                                                           : ('12', 'false', '[]', '{}')) {
        next if $bad eq 'null' && $f =~ /^(lat|lon)$/;    # nullable
        my %b = %fields;
        my $json = '{' . join(',', map { $_ eq $f ? qq("$_":$bad) : qq("$_":) . ($b{$_} =~ /^[\d.]+$/ ? $b{$_} : qq("$b{$_}")) } sort keys %b) . '}';
        my $raw = raw_body('POST', '/v1/sites', $json);
        my ($st) = $raw =~ m{^HTTP/1\.1 (\d{3})};
        my $j = json_of($raw) || {};
        ok($st == 422 && grep({ $_->{field} eq $f } @{ $j->{errors} || [] }), "$f as $bad: 422 naming $f");
    }
}

# ids that overflow or are not ids
for my $id ('99999999999999999999', '-1', '0', '1e3', '12abc', '%00', '..%2f..%2fetc%2fpasswd') {
    my $r = http($srv, 'GET', "/v1/sites/$id");
    ok($r->{status} == 404 || $r->{status} == 400, "GET /v1/sites/$id: $r->{status}");
    like($r->{headers}{'content-type'} // '', qr{problem\+json}, '  as problem+json');
}
# path traversal
for my $path ('/../../etc/passwd', '/v1/../../etc/passwd', '/v1/sites/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd',
              '/kiosk/../../etc/passwd', '/kiosk/..%2f..%2fetc%2fpasswd') {
    my $raw = raw_request($srv, "GET $path HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    unlike($raw, qr/root:x?:0:0/, "$path does not reach the file system");
    like($raw, qr{^HTTP/1\.1 4\d\d }, "$path: 4xx");
}
# header injection: CR/LF in a value that could be echoed
my $raw = raw_request($srv, "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Request-Id: abc\rSet-Cookie: x=1\r\nConnection: close\r\n\r\n");
like($raw, qr{^HTTP/1\.1 400 }, 'a bare CR in a header value is refused');
unlike($raw, qr{^Set-Cookie}mi, 'and nothing is injected');
$raw = raw_request($srv, "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Request-Id: abc%0d%0aSet-Cookie:%20x=1\r\nConnection: close\r\n\r\n");
unlike($raw, qr{^Set-Cookie}mi, 'an encoded CR/LF in a request id is not turned into a header');
my ($rid) = $raw =~ /^X-Request-Id: (.*)\r$/mi;
ok(!defined $rid || $rid !~ /[\r\n]/, 'and the echoed request id has no line break');
# a body longer than announced: the rest is not run as a second request
$raw = raw_request($srv, "POST /v1/sites HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer $token\r\nContent-Type: application/json\r\n"
                        . "Content-Length: 5\r\n\r\n{\"a\":1}GET /v1/sites HTTP/1.1\r\nHost: t\r\n\r\n", timeout => 3);
my @answers = $raw =~ m{^HTTP/1\.1 (\d{3})}mg;
ok(!grep({ $_ eq '200' } @answers), 'extra bytes after the announced body never make a successful second request');
# a body shorter than announced times out without effect
$raw = raw_request($srv, "POST /v1/sites HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer $token\r\nContent-Type: application/json\r\n"
                        . "Content-Length: 500\r\n\r\n$good", timeout => 3, half_close => 1);
unlike($raw, qr{^HTTP/1\.1 201 }, 'a body shorter than announced is not taken');
# chunked bodies past the limit
$raw = raw_request($srv, "POST /v1/sites HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                        . sprintf("%x\r\n%s\r\n", 2_000_000, 'a' x 2_000_000) . "0\r\n\r\n", timeout => 5);
like($raw, qr{^HTTP/1\.1 4(11|13) }, 'a chunked body past the limit is refused');
$raw = raw_request($srv, "POST /v1/sites HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 10\r\n\r\n0\r\n\r\n");
like($raw, qr{^HTTP/1\.1 4\d\d }, 'Transfer-Encoding: gzip, chunked with a Content-Length is refused');

is($sites->(), $n0, 'no site was made by any of them');
ok($srv->alive, 'the server is still running');
is(http($srv, 'GET', '/healthz')->{status}, 200, 'and answering');
done_testing();
