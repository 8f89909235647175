# A query past its deadline fails its own request (504) and is cancelled;
# the connection and the requests queued behind it go on.  And the server
# opens the connections it says it does: LEYE_DB_POOL_SIZE for requests plus
# one per background thread, as /metrics and pg_stat_activity show.
# A private cluster: the table lock below would stall the other suites.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(time sleep);
use LeyeTest;

my $pg = new_cluster();
system($ENV{LEYE_SERVER_BIN}, 'migrate', '--database-url=' . $pg->dsn) == 0 or BAIL_OUT('migrate');

sub leye_backends {
    my ($where) = @_;
    return psql_value("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'leye%'"
                      . ($where ? " AND $where" : ''), dsn => $pg->dsn);
}

sub metric {
    my ($srv, $series) = @_;
    my $r = http($srv, 'GET', '/metrics', headers => { Authorization => 'Bearer ' . metrics_token() });
    return undef unless $r->{status} == 200;
    my ($v) = $r->{content} =~ /^\Q$series\E (\S+)$/m;
    return $v;
}

# ---- one slow query on a one-connection pool ----
{
    my $srv = start_server(dsn => $pg->dsn,
                           env => { LEYE_THREADS => 1, LEYE_DB_POOL_SIZE => 1, LEYE_DB_QUERY_TIMEOUT_MS => 1000 });
    ok(wait_until(sub { http($srv, 'GET', '/readyz')->{status} == 200 }, 10), 'ready');
    ok($srv->token, 'signed in (before the lock: the children reuse the token)');

    my $locker = fork() // die;
    if (!$locker) {
        exec('psql', '-X', '-q', '-d', $pg->dsn, '-c',
             'BEGIN; LOCK TABLE region IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(4); COMMIT;');
    }
    ok(wait_until(sub {
        psql_value("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                   . "WHERE c.relname = 'region' AND l.mode = 'AccessExclusiveLock' AND l.granted",
                   dsn => $pg->dsn) == 1 }, 5), 'another session holds region locked');

    # the slow request, then quick ones queued behind it on the same connection
    pipe(my $rd, my $wr) or die;
    my $slow = fork() // die;
    if (!$slow) {
        close $rd;
        my $t0 = time;
        my $r = http($srv, 'GET', '/v1/regions/530621', headers => { 'Accept-Language' => 'en' });
        print $wr join("\t", $r->{status}, $r->{json}{code} // '', $r->{json}{detail} // '',
                       $r->{headers}{'content-type'} // '', sprintf('%.3f', time - $t0)), "\n";
        exit 0;
    }
    close $wr;
    sleep 0.6;
    my @quick;
    for my $i (1 .. 4) {
        my $pid = fork() // die;
        if (!$pid) { exit(http($srv, 'GET', '/readyz')->{status} == 200 ? 0 : 1) }
        push @quick, $pid;
    }
    my $line = <$rd>;
    waitpid($slow, 0);
    chomp(my @f = split /\t/, $line // '');
    is($f[0], 504, 'the request whose query passed its deadline gets 504');
    is($f[1], 'gateway_timeout', 'code gateway_timeout');
    is($f[2], 'The database did not answer in time.', 'reason: the database did not answer in time');
    like($f[3] // '', qr{^application/problem\+json}, 'as problem+json');
    ok($f[4] < 2, "answered at its deadline ($f[4] s)");
    my $ok = 0;
    for (@quick) { waitpid($_, 0); $ok++ if $? == 0 }
    is($ok, 4, 'the four requests queued behind it on the same connection all succeed');
    is(leye_backends("wait_event_type = 'Lock'"), 0,
       'the slow query was cancelled in PostgreSQL (none of the server waits on the lock)');
    is(http($srv, 'GET', '/readyz')->{status}, 200, 'the pool is up while the table is still locked');
    is(metric($srv, 'leye_db_pool_up'), 1, 'its one connection was kept');
    unlike($srv->log_text, qr/database connection lost/, 'no connection was dropped');
    waitpid($locker, 0);
    is(http($srv, 'GET', '/v1/regions/530621')->{status}, 200, 'the route answers once the lock is gone');
    is($srv->stop, 0, 'stops cleanly');
}

# ---- how many connections ----
{
    my $srv = start_server(dsn => $pg->dsn,
                           env => { LEYE_THREADS => 2, LEYE_DB_POOL_SIZE => 3, LEYE_NOTIFY_DELIVERY => 'true' });
    ok(wait_until(sub { http($srv, 'GET', '/readyz')->{status} == 200 }, 10), 'ready');
    my $want = 3 + 1 + 1 + 1 + 1;
    ok(wait_until(sub { leye_backends() == $want }, 5),
       sprintf('pg_stat_activity: %d connections (3 for requests, index, allocator, notify, session cache); saw %s',
               $want, leye_backends()));
    is(leye_backends("application_name = 'leye'"), 3, 'request connections: exactly LEYE_DB_POOL_SIZE');
    my %want = (request => 3, index => 1, allocator => 1, notify => 1, session_cache => 1, replica => 0);
    # the index loader opens a second connection while it loads, none after
    my %most = (%want, index => 2);
    for my $kind (sort keys %want) {
        is(metric($srv, qq{leye_db_connections{kind="$kind",state="configured"}}), $most{$kind},
           "/metrics: $kind configured $most{$kind}");
        is(metric($srv, qq{leye_db_connections{kind="$kind",state="open"}}), $want{$kind},
           "/metrics: $kind open $want{$kind}");
    }
    my $r = http($srv, 'GET', '/metrics', headers => { Authorization => 'Bearer ' . metrics_token() });
    my @help = $r->{content} =~ /^# HELP leye_db_connections /mg;
    is(scalar @help, 1, 'one HELP line for the family');
    is($srv->stop, 0, 'stops cleanly');
    ok(wait_until(sub { leye_backends() == 0 }, 5), 'and closes every connection');

    # fewer connections than threads: refused, not rounded up
    my $bad = start_server(dsn => $pg->dsn, may_fail => 1,
                           env => { LEYE_THREADS => 4, LEYE_DB_POOL_SIZE => 2 });
    ok(!$bad->{port}, 'LEYE_DB_POOL_SIZE below LEYE_THREADS: the server does not start');
    like($bad->log_text, qr/LEYE_DB_POOL_SIZE \(2\) is smaller than LEYE_THREADS \(4\)/, 'and says why');
}

done_testing();
