# HTTP/1.1 framing of the server's own connection layer: HEAD, pipelining
# behind answers that wait for the database, Expect: 100-continue, HTTP/1.0
# keep-alive, half-closed clients, heads and bodies split across writes.
use strict;
use warnings;
use Test::More;
use IO::Socket::INET;
use Time::HiRes qw(time sleep);
use LeyeTest;

my $srv = start_server();

sub connect_srv {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $srv->port, Proto => 'tcp')
        or die "connect: $!";
    $s->autoflush(1);
    return $s;
}

# reads until want matches what came, the server closes, or 5 s pass
sub read_until {
    my ($s, $want) = @_;
    my $out = '';
    my $deadline = time + 5;
    $s->blocking(0);
    while (time < $deadline && $out !~ $want) {
        my $n = sysread($s, my $buf, 65536);
        last if defined $n && $n == 0;
        if (defined $n) { $out .= $buf; next }
        sleep 0.01;
    }
    $s->blocking(1);
    return $out;
}

# HEAD: the head of the GET answer, its Content-Length, and no body
my $raw = raw_request($srv, "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n");
my @answers = split /(?=HTTP\/1\.1 )/, $raw;
is(scalar @answers, 2, 'HEAD then GET: two answers');
like($answers[0], qr{^HTTP/1\.1 200 }, 'HEAD is answered 200');
like($answers[0], qr{\r\nContent-Length: 15\r\n}, 'with the Content-Length of the GET');
like($answers[0], qr{\r\n\r\n\z}, 'and no body');
like($answers[1], qr{\r\n\r\n\{"status":"ok"\}\z}, 'the GET after it has its body');

# pipelined: answers that wait for the database (/readyz asks it) keep their place
$raw = raw_request($srv, "GET /readyz HTTP/1.1\r\nX-Request-Id: p1\r\n\r\nGET /healthz HTTP/1.1\r\nX-Request-Id: p2\r\n\r\n"
                   . "GET /readyz HTTP/1.1\r\nX-Request-Id: p3\r\n\r\n"
                   . "GET /healthz HTTP/1.1\r\nX-Request-Id: p4\r\nConnection: close\r\n\r\n");
my @ids = $raw =~ m{\r\nX-Request-Id: (p\d)\r\n}g;
is_deeply(\@ids, [qw(p1 p2 p3 p4)], 'four pipelined answers, in the order asked');
like($raw, qr{Connection: close\r\n\r\n\{"status":"ok"\}\z}, 'the last says Connection: close');

# header names are matched without regard to case
$raw = raw_request($srv, "GET /healthz HTTP/1.1\r\nx-request-id: framing-80\r\nConnection: close\r\n\r\n");
like($raw, qr{\r\nX-Request-Id: framing-80\r\n}, 'a lower-case X-Request-Id is taken');

# Expect: 100-continue: told to go on, then answered
my $s = connect_srv();
my $body = '{"username":"nobody-80","password":"wrong-password"}';
print $s "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
       . "Content-Length: " . length($body) . "\r\nExpect: 100-continue\r\n\r\n";
my $got = read_until($s, qr{\r\n\r\n});
like($got, qr{^HTTP/1\.1 100 Continue\r\n\r\n\z}, 'Expect: 100-continue gets 100 Continue first');
print $s $body;
$got = read_until($s, qr{"code":"[a-z_]+"});
like($got, qr{^HTTP/1\.1 401 }, 'then the answer to the body');
close $s;

# a head and a body that come in pieces
$s = connect_srv();
for my $piece ("POST /v1/auth/lo", "gin HTTP/1.1\r\nContent-Type: applica", "tion/json\r\nContent-Length: 11\r\n",
               "\r\n{\"user", "name\":1}") {
    print $s $piece;
    sleep 0.05;
}
$got = read_until($s, qr{"code":"[a-z_]+"});
like($got, qr{^HTTP/1\.1 (400|422) }, 'a request in pieces is read whole and answered');
like($got, qr{"code":"(invalid_type|validation_failed|malformed_json|bad_request)"}, 'by its handler');
close $s;

# HTTP/1.0 with keep-alive: the connection stays for a second request
$s = connect_srv();
print $s "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
$got = read_until($s, qr{\{"status":"ok"\}});
like($got, qr{^HTTP/1\.0 200 }, 'HTTP/1.0 is answered as HTTP/1.0');
like($got, qr{\r\nConnection: keep-alive\r\n}, 'keep-alive is confirmed');
print $s "GET /healthz HTTP/1.0\r\n\r\n";
$got = read_until($s, qr{\{"status":"ok"\}});
like($got, qr{^HTTP/1\.0 200 .*Connection: close\r\n}s, 'a second request is answered, and closes');
close $s;

# a client that shuts its side after its requests still gets every answer
$raw = raw_request($srv, "GET /readyz HTTP/1.1\r\nX-Request-Id: h1\r\n\r\nGET /healthz HTTP/1.1\r\nX-Request-Id: h2\r\n\r\n",
                   half_close => 1);
@ids = $raw =~ m{\r\nX-Request-Id: (h\d)\r\n}g;
is_deeply(\@ids, [qw(h1 h2)], 'a half-closed client gets both answers');

# a client that leaves before its body is complete changes nothing and costs nothing
$s = connect_srv();
print $s "POST /v1/auth/login HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\"";
close $s;
ok(wait_until(sub { http($srv, 'GET', '/healthz', anonymous => 1)->{status} == 200 }, 5), 'the server goes on');
ok($srv->alive, 'the server is still running');
done_testing();
