# Size limits, slow and silent clients, and the connection cap.
use strict;
use warnings;
use utf8;
use Test::More;
use IO::Socket::INET;
use Time::HiRes qw(time sleep);
use LeyeTest;

my $srv = start_server(env => {
    LEYE_MAX_BODY_BYTES   => 4096,
    LEYE_MAX_HEADER_BYTES => 2048,
    LEYE_IDLE_TIMEOUT_S   => 2,
    LEYE_HEADER_TIMEOUT_S => 1,
    LEYE_MAX_CONNECTIONS  => 20,
    LEYE_THREADS          => 2,
});

# a body over the limit is refused from its Content-Length, before it is read
my $raw = raw_request($srv, "POST /v1/regions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n");
like($raw, qr{^HTTP/1.1 413 }, 'a body over the limit gets 413');
is(json_of($raw)->{code}, 'payload_too_large', '413 is problem+json');

my $r = http($srv, 'POST', '/v1/regions', body => 'x' x 5000, headers => { 'Content-Type' => 'application/json' });
is($r->{status}, 413, 'a real oversized body gets 413 too');

# headers over the limit
$raw = raw_request($srv, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " . ('a' x 3000) . "\r\n\r\n");
like($raw, qr{^HTTP/1.1 431 }, 'headers over the limit get 431');
is(json_of($raw)->{code}, 'headers_too_large', '431 is problem+json');

$raw = raw_request($srv, "GET /" . ('a' x 9000) . " HTTP/1.1\r\nHost: x\r\n\r\n");
like($raw, qr{^HTTP/1.1 (414|431) }, 'a very long URI is refused');

# a client that connects and sends nothing is timed out; others are served meanwhile
my $silent = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $srv->port) or die;
my $t0 = time;
$r = http($srv, 'GET', '/healthz');
is($r->{status}, 200, 'another client is served while a silent one waits');
ok(time - $t0 < 1, 'and served at once');
$silent->blocking(1);
my $n = sysread($silent, my $buf, 100);
my $held = time - $t0;
ok(defined $n && $n == 0 || !defined $n, 'the silent connection is closed by the server');
ok($held < 6, sprintf('within the idle timeout (%.1f s)', $held));

# a client that sends half a head and stalls gets 408 after the header deadline
my $slow = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $srv->port) or die;
print $slow "GET /healthz HTTP/1.1\r\nHost: x\r\n";
$t0 = time;
my $got = '';
while (time - $t0 < 5) { my $k = sysread($slow, $buf, 4096); last unless $k; $got .= $buf }
like($got, qr{^HTTP/1.1 408 }, 'a stalled request head gets 408');
ok(time - $t0 < 4, 'soon after the header deadline');

# a client trickling a byte at a time is cut off at the same deadline
my $trickle = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $srv->port) or die;
$t0 = time;
my $cut = 0;
for my $ch (split //, "GET /healthz HTTP/1.1\r\nX-Slow: " . ('z' x 40)) {
    local $SIG{PIPE} = 'IGNORE';
    if (!print $trickle $ch) { $cut = 1; last }
    $trickle->flush;
    sleep 0.1;
    last if time - $t0 > 5;
}
$trickle->blocking(0);
my $k = sysread($trickle, $buf, 4096);
ok($cut || (defined $k && ($k == 0 || $buf =~ /408/)), 'a trickling client is cut off');

# the connection cap answers 503 rather than falling over
my @held;
for (1 .. 20) { push @held, IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $srv->port) or die }
sleep 0.2;
$raw = raw_request($srv, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
like($raw, qr{^HTTP/1.1 503 }, 'over the connection cap: 503');
like($raw, qr{Retry-After: 1}, 'with Retry-After');
is(json_of($raw)->{code}, 'too_many_connections', 'as problem+json');
close $_ for @held;
ok(wait_until(sub { http($srv, 'GET', '/healthz')->{status} == 200 }, 5), 'served again once connections close');

ok($srv->alive, 'the server is still running');
done_testing();
