# A streaming read replica (LEYE_DATABASE_REPLICA_URL): lists are read from
# it, writes and reads by id from the primary; its lag is in /metrics; when
# it goes away, lists fall back to the primary without an error.
use strict;
use warnings;
use utf8;
use Test::More;
use File::Temp qw(tempdir);
use LeyeTest;

my ($primary) = dsn() =~ /host=(\S+)/;
my $top = tempdir('leye-replica-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $top;
my $dir = "$top/pg";
my $pglocal = "$ENV{LEYE_TEST_ROOT}/scripts/pglocal.sh";
is(system("sh $pglocal replica $primary $dir fast >/dev/null"), 0, 'a streaming replica of the test database');
my $replica = "host=$dir dbname=leye user=leye";
is(psql_value('SELECT pg_is_in_recovery()', dsn => $replica), 't', 'it is a standby');

my $srv = start_server(env => { LEYE_DATABASE_REPLICA_URL => $replica });
ok(wait_until(sub { $srv->log_text =~ /matching index loaded from the (\S+ \S+|\S+)/ }, 30), 'the matching index loads');
like($srv->log_text, qr/matching index loaded from the read replica/, 'from the read replica');
my $tag = 'rp' . $$ . int(rand(1e5));

# the list comes from the replica: a row only the replica has shows in lists
# only; the standby cannot be written, so the row is made on the primary and
# replayed, then hidden there by pausing replay while the primary changes it
my $r = http($srv, 'POST', '/v1/sites', body => { name => "$tag a", county_code => 530621, kind => 'scattered' });
is($r->{status}, 201, 'a write goes to the primary');
my $id = $r->{json}{id};
is(http($srv, 'GET', "/v1/sites/$id")->{status}, 200, 'and reads by id see it at once (primary)');
ok(wait_until(sub { psql_value("SELECT count(*) FROM site WHERE id = $id", dsn => $replica) == 1 }, 10),
   'the replica replays it');
ok(wait_until(sub { grep { $_->{id} == $id } @{ http($srv, 'GET', "/v1/sites?q=$tag")->{json}{items} || [] } }, 5),
   'and the list shows it');

psql('SELECT pg_wal_replay_pause()', dsn => "host=$dir dbname=leye user=postgres");
ok(wait_until(sub { psql_value('SELECT pg_get_wal_replay_pause_state()', dsn => $replica) eq 'paused' }, 5), 'replay paused');
$r = http($srv, 'POST', '/v1/sites', body => { name => "$tag b", county_code => 530621, kind => 'scattered' });
my $id2 = $r->{json}{id};
is(http($srv, 'GET', "/v1/sites/$id2")->{status}, 200, 'a new record is read by id from the primary');
my @names = map { $_->{name} } @{ http($srv, 'GET', "/v1/sites?q=$tag")->{json}{items} };
is_deeply(\@names, ["$tag a"], 'while the list, read from the paused replica, does not have it yet');

ok(wait_until(sub { http($srv, 'GET', '/metrics')->{content} =~ /^leye_replica_lag_seconds (\S+)/m && $1 > 0 }, 5),
   'the lag shows in /metrics while replay is paused');
psql('SELECT pg_wal_replay_resume()', dsn => "host=$dir dbname=leye user=postgres");
ok(wait_until(sub { scalar @{ http($srv, 'GET', "/v1/sites?q=$tag")->{json}{items} } == 2 }, 10),
   'after replay resumes the list catches up');
is(http($srv, 'GET', '/v1/reports/dashboard?site_id=' . $id2)->{status}, 200, 'the dashboard reads from the replica too');
ok(wait_until(sub { http($srv, 'GET', '/metrics')->{content} =~ /^leye_replica_lag_seconds 0\b/m }, 5),
   'and the lag is back to 0');
my $lag = http($srv, 'GET', '/readyz', anonymous => 1)->{json}{replica_lag_s};
ok(defined $lag && $lag >= 0 && $lag < 5, '/readyz shows the replica lag too (' . ($lag // 'none') . ' s)');

# the replica goes away: lists still answer, from the primary
system('sh', $pglocal, 'stop', $dir);
my @st = map { http($srv, 'GET', "/v1/sites?q=$tag")->{status} } 1 .. 5;
is_deeply(\@st, [ (200) x 5 ], 'with the replica stopped, lists are answered by the primary');
is(scalar @{ http($srv, 'GET', "/v1/sites?q=$tag")->{json}{items} }, 2, 'with everything in them');
ok(wait_until(sub { http($srv, 'GET', '/metrics')->{content} =~ /^leye_replica_lag_seconds -1\b/m }, 5),
   'and /metrics says the replica is unreachable');
is(http($srv, 'GET', '/readyz')->{status}, 200, 'the server stays ready (the primary is what it needs)');
$srv->stop;
done_testing();
