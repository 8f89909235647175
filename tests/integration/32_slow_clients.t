# 2,000 idle connections and 200 slowloris clients do not stop a normal client
# being served within 100 ms; past the connection cap the server answers 503.
use strict;
use warnings;
use Test::More;
use IO::Socket::INET;
use Time::HiRes qw(time sleep);
use LeyeTest;

my $srv = start_server(env => { LEYE_MAX_CONNECTIONS => 2300, LEYE_HEADER_TIMEOUT_S => 20, LEYE_IDLE_TIMEOUT_S => 30 });
my $port = $srv->port;
my (@idle, @slow);
for (1 .. 2000) {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Blocking => 1) or last;
    push @idle, $s;
}
is(scalar @idle, 2000, '2,000 idle connections are open');
for (1 .. 200) {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port) or last;
    syswrite $s, "GET /healthz HTTP/1.1\r\n";
    push @slow, $s;
}
is(scalar @slow, 200, '200 slowloris clients are sending headers a byte at a time');

# Normal requests while every slow client keeps trickling.  The client runs
# on the same 2-core machine as the server and as the other suites, whose
# scheduling it shares: a request the server held up behind the slow clients
# would be late every time, one descheduled by the machine only now and then.
# So nine in ten must come within 100 ms, and every one within a second.
my @lat;
my $t_end = time + 3;
my $i = 0;
while (time < $t_end) {
    syswrite $_, "X-Slow-$i: y\r\n" for @slow;   # keep every slow client trickling
    my $t0 = time;
    my $r = http($srv, 'GET', '/healthz', anonymous => 1);
    push @lat, time - $t0 if $r->{status} == 200;
    $i++;
    sleep 0.05;
}
@lat = sort { $a <=> $b } @lat;
ok(@lat >= 10, scalar(@lat) . ' normal requests were served meanwhile');
my $p90 = $lat[int(0.9 * $#lat)];
my $max = $lat[-1];
note(sprintf('normal client: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms', 1000 * $lat[$#lat / 2],
             1000 * $p90, 1000 * $lat[int(0.99 * $#lat)], 1000 * $max));
ok($p90 < 0.1 && $max < 1, sprintf('nine in ten within 100 ms (p90 %.1f ms), every one within a second (max %.1f ms)',
                                   1000 * $p90, 1000 * $max));

# past the cap: 503, not a fall-over
my @more;
for (1 .. 150) { my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port) or last; push @more, $s }
sleep 0.2;
my $raw = raw_request($srv, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
like($raw, qr{^HTTP/1.1 503 }, 'a connection past the cap gets 503');
close $_ for @idle, @slow, @more;
ok(wait_until(sub { http($srv, 'GET', '/healthz', anonymous => 1)->{status} == 200 }, 5), 'and service goes on');
ok($srv->alive, 'the server is still running');
done_testing();
