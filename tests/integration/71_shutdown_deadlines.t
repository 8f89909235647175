# SIGTERM ends the process within LEYE_SHUTDOWN_TIMEOUT_S even when the
# background threads are stuck in the database: on a table another session
# holds locked (index loader and allocator waiting on the lock), and on a
# PostgreSQL frozen with SIGSTOP.  Each case has a private cluster, so that
# locking and freezing do not touch the other suites.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(time sleep);
use LeyeTest;

my $TIMEOUT = 2;
my $MARGIN = 1.5;

sub private_cluster {
    my $pg = new_cluster();
    system($ENV{LEYE_SERVER_BIN}, 'migrate', '--database-url=' . $pg->dsn) == 0 or BAIL_OUT('migrate');
    return $pg;
}

# SIGTERM, then the seconds until the process is gone and its exit status
sub term_and_time {
    my ($srv) = @_;
    my $t0 = time;
    my $status = $srv->stop('TERM');
    return (time - $t0, $status);
}

# ---- a table held locked by another session ----
{
    my $pg = private_cluster();
    my $locker = fork() // die;
    if (!$locker) {
        exec('psql', '-X', '-q', '-d', $pg->dsn, '-c',
             'BEGIN; LOCK TABLE skill, allocation IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60); COMMIT;');
    }
    ok(wait_until(sub {
        psql_value("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                   . "WHERE c.relname IN ('skill', 'allocation') AND l.mode = 'AccessExclusiveLock' AND l.granted",
                   dsn => $pg->dsn) == 2 }, 10), 'another session holds skill and allocation locked');

    my $srv = start_server(dsn => $pg->dsn, env => { LEYE_SHUTDOWN_TIMEOUT_S => $TIMEOUT });
    my $waiting_sql = "SELECT string_agg(application_name, ',' ORDER BY application_name) FROM pg_stat_activity "
                      . "WHERE application_name IN ('leye-match', 'leye-alloc') AND wait_event_type = 'Lock'";
    ok(wait_until(sub { psql_value($waiting_sql, dsn => $pg->dsn) eq 'leye-alloc,leye-match' }, 10),
       'the allocator and the index loader wait for the lock');
    is(http($srv, 'GET', '/readyz')->{json}{index}, 'loading', 'the index is still loading');

    my ($took, $status) = term_and_time($srv);
    ok($took < $TIMEOUT + $MARGIN, sprintf('SIGTERM: exit in %.2f s (limit %d s + %.1f s)', $took, $TIMEOUT, $MARGIN));
    is($status, 0, 'exit status 0');
    like($srv->log_text, qr/cancelling its query/, 'the log says the stuck queries were cancelled');
    ok(wait_until(sub { psql_value("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'leye%'",
                                   dsn => $pg->dsn) == 0 }, 5),
       'no connection of the server is left waiting in PostgreSQL');
    kill 'TERM', $locker;
    waitpid($locker, 0);
}

# ---- PostgreSQL frozen (SIGSTOP on the postmaster and every backend) ----
{
    my $pg = private_cluster();
    my $srv = start_server(dsn => $pg->dsn, env => { LEYE_SHUTDOWN_TIMEOUT_S => $TIMEOUT });
    ok(wait_until(sub { http($srv, 'GET', '/readyz')->{status} == 200 }, 10), 'ready');

    open(my $fh, '<', "$pg->{dir}/data/postmaster.pid") or die "postmaster.pid: $!";
    my $postmaster = <$fh>;
    chomp $postmaster;
    close $fh;
    my @frozen = ($postmaster, split ' ', `pgrep -P $postmaster`);
    my $thawed = 0;
    my $thaw = sub { kill 'CONT', @frozen unless $thawed++ };
    local $SIG{__DIE__} = sub { $thaw->() };
    kill 'STOP', @frozen;

    # the allocator looks at its queue every 5 s: by then it is blocked in
    # the frozen server, and so is a request in flight
    my $client = fork() // die;
    if (!$client) { http($srv, 'GET', '/v1/regions/530621', timeout => 20); exit 0 }
    sleep 6;
    my ($took, $status) = term_and_time($srv);
    $thaw->();
    waitpid($client, 0);
    ok($took < $TIMEOUT + $MARGIN, sprintf('SIGTERM with PostgreSQL frozen: exit in %.2f s (limit %d s + %.1f s)',
                                           $took, $TIMEOUT, $MARGIN));
    ok(defined $status && $status >= 0, 'the process exited by itself');
}

done_testing();
