# SIGTERM under load: stop accepting, finish what is in flight, exit 0.
use strict;
use warnings;
use Test::More;
use IO::Socket::INET;
use Time::HiRes qw(time sleep);
use LeyeTest;

my $srv = start_server(env => { LEYE_SHUTDOWN_TIMEOUT_S => 5 });

# hold a lock so that database-backed requests stay in flight for a while
my $locker = fork();
if (!$locker) {
    exec('psql', '-X', '-q', '-d', dsn(), '-c',
         'BEGIN; LOCK TABLE region IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(1.5); COMMIT;');
}
sleep 0.3;

# 40 connections, each with a database-backed request the server has read
my @socks;
for (1 .. 40) {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $srv->port) or die;
    print $s "GET /v1/regions?level=county HTTP/1.1\r\nHost: x\r\n\r\n";
    push @socks, $s;
}
sleep 0.3;
my $t0 = time;
kill 'TERM', $srv->{pid};

my ($complete, $bad) = (0, 0);
for my $s (@socks) {
    my $buf = '';
    $s->blocking(1);
    while (my $n = sysread($s, my $chunk, 65536)) {
        $buf .= $chunk;
        last if $buf =~ /\r\n\r\n/ && $buf =~ /Content-Length: (\d+)/ && length($buf) >= index($buf, "\r\n\r\n") + 4 + $1;
    }
    my ($status) = $buf =~ m{^HTTP/1.1 (\d+)};
    my ($len) = $buf =~ /Content-Length: (\d+)/;
    my $body_len = length($buf) - index($buf, "\r\n\r\n") - 4;
    if ($status && $status == 200 && defined $len && $body_len == $len) { $complete++ } else { $bad++; diag("cut short or refused: " . substr($buf, 0, 300)) }
}
waitpid($locker, 0);
is($complete, 40, 'every in-flight request got a whole answer');
is($bad, 0, 'no answer was cut short');
is($srv->stop, 0, 'the server exited with status 0');
ok(time - $t0 < 6, sprintf('within the shutdown deadline (%.2f s)', time - $t0));
my $refused = !IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $srv->port, Timeout => 1);
ok($refused, 'the port is closed afterwards');

done_testing();
