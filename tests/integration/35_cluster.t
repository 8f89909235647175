# The deployment of docs/deploy.md on loopback: the test database as primary,
# a streaming replica made with pg_basebackup, two server instances and
# HAProxy checking /readyz.  A write through one instance is seen by the
# other; an instance killed under load costs only the requests in flight on
# it; the replica's lag is reported.
use strict;
use warnings;
use utf8;
use Test::More;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use POSIX ':sys_wait_h';
use Time::HiRes qw(time sleep);
use LeyeTest;

my $haproxy_bin = -x '/usr/sbin/haproxy' ? '/usr/sbin/haproxy' : undef;
ok($haproxy_bin, 'HAProxy is installed (make deps)') or BAIL_OUT('no haproxy');

my ($primary) = dsn() =~ /host=(\S+)/;
my $top = tempdir('leye-cluster-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $top;
my $pglocal = "$ENV{LEYE_TEST_ROOT}/scripts/pglocal.sh";
is(system("sh $pglocal replica $primary $top/pg fast >/dev/null"), 0, 'a streaming replica');
my $replica = "host=$top/pg dbname=leye user=leye";

my %env = (LEYE_DATABASE_REPLICA_URL => $replica, LEYE_THREADS => 1, LEYE_DB_POOL_SIZE => 3);
my @srv = map { start_server(env => \%env) } 1 .. 2;
ok(wait_until(sub { http($_, 'GET', '/readyz', anonymous => 1)->{status} == 200 }, 30), "instance $_ ready")
    for @srv;

sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1) or die $!;
    my $p = $s->sockport; close $s; return $p;
}
my $port = free_port();
open(my $cfg, '>', "$top/haproxy.cfg") or die;
print $cfg <<"CFG";
global
    maxconn 2000
defaults
    mode http
    timeout connect 1s
    timeout client 10s
    timeout server 10s
    retries 2
    option redispatch
    retry-on conn-failure empty-response
frontend http
    bind 127.0.0.1:$port
    default_backend leye
backend leye
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 300ms fall 2 rise 2 on-marked-down shutdown-sessions
    server s1 127.0.0.1:$srv[0]{port} check
    server s2 127.0.0.1:$srv[1]{port} check
CFG
close $cfg;
my $hpid = fork() // die;
if (!$hpid) { open STDOUT, '>', "$top/haproxy.log"; open STDERR, '>&', \*STDOUT; exec($haproxy_bin, '-db', '-f', "$top/haproxy.cfg") or exit 127 }
my $lb = bless { port => $port, dsn => dsn(), owner => $$, exit => 0 }, 'LeyeTest::Server';
ok(wait_until(sub { (http($lb, 'GET', '/readyz', anonymous => 1)->{status} // 0) == 200 }, 10), 'HAProxy answers');

# both instances serve through the balancer, and see each other's writes
my $tag = 'cl' . $$ . int(rand(1e5));
my %seen;
for (1 .. 6) { my $r = http($lb, 'GET', '/readyz', anonymous => 1); $seen{ ($r->{headers}{'x-request-id'} // '') =~ s/-.*//r }++ }
is(scalar keys %seen, 2, 'the balancer spreads requests over both instances');
my $r = http($srv[0], 'POST', '/v1/sites', body => { name => "$tag a", county_code => 530621, kind => 'scattered' });
is($r->{status}, 201, 'a write through instance 1');
is(http($srv[1], 'GET', "/v1/sites/$r->{json}{id}")->{status}, 200, 'is read by id at once through instance 2');
ok(wait_until(sub { @{ http($srv[1], 'GET', "/v1/sites?q=$tag")->{json}{items} || [] } == 1 }, 2),
   'and is in its lists (from the replica) within 2 s');
ok(wait_until(sub { http($srv[1], 'GET', '/metrics')->{content} =~ /^leye_replica_lag_seconds (\d\S*)/m && $1 < 1 }, 5),
   'instance 2 reports the replica caught up');
like(http($srv[1], 'GET', '/readyz', anonymous => 1)->{content}, qr/"replica_lag_s"/, 'and /readyz shows it');

# a vacancy opened through one instance is in the other's matches within a second
my $hh = psql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($r->{json}{id}, 530621, 3) RETURNING id");
my $w = psql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex) "
                   . "VALUES ($hh, '$tag w', decode(md5(random()::text), 'hex'), '\\x00', '530621********0000', '1990-01-01', 'F') RETURNING id");
my $emp = psql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag e', "
                     . "'CL' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', 530621) RETURNING id");
my $v = http($srv[0], 'POST', '/v1/vacancies', body => { employer_id => $emp + 0, title => "$tag 岗", occupation_code => '6-29-01-01',
             kind => 'regular', county_code => 530621, headcount => 2, wage_min => 3000, wage_max => 4000 });
is($v->{status}, 201, 'a vacancy made through instance 1');
is(http($srv[0], 'PATCH', "/v1/vacancies/$v->{json}{id}", headers => { 'If-Match' => $v->{headers}{etag} },
        body => { status => 'open' })->{status}, 200, 'and opened');
my $t0 = time;
ok(wait_until(sub { grep { $_->{vacancy}{id} == $v->{json}{id} }
                        @{ http($srv[1], 'GET', "/v1/workers/$w/matches?county=530621&k=200")->{json}{items} || [] } }, 1),
   sprintf('is in a worker\'s matches on instance 2 within a second (%.2f s)', time - $t0));

# a broker key's rate holds across both instances: with rate N a key gets N
# requests per one-minute window through the balancer in total, not N per instance
{
    my $bin = $ENV{LEYE_SERVER_BIN};
    my $cli = sub { local $ENV{LEYE_DATABASE_URL} = dsn(); my $out = `$bin admin @_ 2>&1`; chomp $out; $out };
    my ($broker) = $cli->("create-broker --name=$tag-broker") =~ /^broker (\d+)$/;
    my $rate = 12;
    my ($key) = $cli->("create-key --broker=$broker --scopes=vacancies:read --rate=$rate") =~ /^key \d+ (\S+) /m;
    ok($key, 'a broker key with rate 12 per minute');
    my $probe = http($lb, 'GET', '/v1/vacancies?limit=1', token => $key);
    if (($probe->{headers}{'ratelimit-reset'} // 60) < 20) {    # start early in a window
        sleep $probe->{headers}{'ratelimit-reset'} + 1;
        $probe = http($lb, 'GET', '/v1/vacancies?limit=1', token => $key);
    }
    my (%status, %instance, @remaining);
    for my $res ($probe, map { http($lb, 'GET', '/v1/vacancies?limit=1', token => $key) } 1 .. 3 * $rate - 1) {
        $status{ $res->{status} }++;
        $instance{ ($res->{headers}{'x-request-id'} // '') =~ s/-.*//r }++;
        push @remaining, $res->{headers}{'ratelimit-remaining'} if $res->{status} == 200;
    }
    is(scalar keys %instance, 2, 'the key\'s requests went to both instances');
    is($status{200}, $rate, "$rate of " . 3 * $rate . ' requests in one window answered, not ' . 2 * $rate)
        or diag(explain(\%status));
    is($status{429}, 2 * $rate, 'the rest refused with 429');
    is_deeply(\@remaining, [ reverse 0 .. $rate - 1 ], 'RateLimit-Remaining counts down across the instances');
}

# load through the balancer (one session for all clients); instance 2 is killed midway
ok(admin_token($lb), 'a session through the balancer');
my $clients = 8;
my $secs = 4;
my @kids;
for my $c (1 .. $clients) {
    pipe(my $rd, my $wr) or die;
    my $pid = fork() // die;
    if (!$pid) {
        close $rd;
        my ($ok, $bad, $n) = (0, 0, 0);
        my $end = time + $secs;
        while (time < $end) {
            my $res = $n++ % 4 == 0
                ? http($lb, 'POST', '/v1/sites', body => { name => "$tag $c $n", county_code => 530621, kind => 'scattered' },
                       headers => { 'Idempotency-Key' => "$tag-$c-$n" })
                : http($lb, 'GET', "/v1/sites?q=$tag&limit=5");
            ($res->{status} =~ /^2/ ? $ok : $bad)++;
        }
        print $wr "$ok $bad\n";
        close $wr;
        POSIX::_exit(0);
    }
    close $wr;
    push @kids, [$pid, $rd];
}
sleep $secs / 2;
$srv[1]->stop('KILL');
my ($ok, $bad) = (0, 0);
for my $k (@kids) {
    my $fh = $k->[1];
    my $line = <$fh> // '0 999';
    my ($o, $b) = split ' ', $line;
    $ok += $o; $bad += $b;
    waitpid($k->[0], 0);
}
cmp_ok($ok, '>', 100, "$ok requests answered through the balancer");
cmp_ok($bad, '<=', $clients, "failures ($bad) no more than the requests in flight on the killed instance");
my @after = map { http($lb, 'GET', "/v1/sites?q=$tag&limit=1")->{status} } 1 .. 10;
is_deeply(\@after, [ (200) x 10 ], 'afterwards every request is served by the surviving instance');

kill 'TERM', $hpid;
waitpid($hpid, 0);
$srv[0]->stop;
system('sh', $pglocal, 'stop', "$top/pg");
done_testing();
