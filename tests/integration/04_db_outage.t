# PostgreSQL stopped under a running server: 503 at once, no crash; back by itself.
use strict;
use warnings;
use utf8;
use Test::More;
use Time::HiRes qw(time sleep);
use LeyeTest;

my $pg = new_cluster();
system($ENV{LEYE_SERVER_BIN}, 'migrate', '--database-url=' . $pg->dsn) == 0 or BAIL_OUT('migrate');
my $srv = start_server(dsn => $pg->dsn, env => { LEYE_DB_POOL_SIZE => 4 });

ok(wait_until(sub { http($srv, 'GET', '/readyz')->{status} == 200 }, 5), 'ready with the database up');
is(http($srv, 'GET', '/v1/regions/530000')->{status}, 200, 'database-backed read works');

$pg->stop;
my $t0 = time;
my $r = http($srv, 'GET', '/readyz');
my $took = time - $t0;
is($r->{status}, 503, 'readyz is 503 with the database down');
is($r->{json}{code}, 'not_ready', 'as problem+json');
ok($took < 1, sprintf('answered within 1 s (%.3f s)', $took));

$t0 = time;
$r = http($srv, 'GET', '/v1/regions/530000');
$took = time - $t0;
is($r->{status}, 503, 'a database-backed request gets 503');
is($r->{json}{code}, 'database_unavailable', 'database_unavailable problem');
is($r->{headers}{'retry-after'}, '1', 'with Retry-After');
ok($took < 1, sprintf('at once (%.3f s)', $took));

# many requests while down: all 503, none hang
my %seen;
$seen{ http($srv, 'GET', '/v1/regions/530100')->{status} }++ for 1 .. 20;
is_deeply(\%seen, { 503 => 20 }, 'twenty requests while down: all 503');
is(http($srv, 'GET', '/healthz')->{status}, 200, 'liveness is unaffected');

$pg->start;
$t0 = time;
ok(wait_until(sub { http($srv, 'GET', '/readyz')->{status} == 200 }, 5), 'ready again within 5 s');
note(sprintf('recovered in %.2f s', time - $t0));
# every event loop has its own pool, each reconnecting on its own backoff
ok(wait_until(sub { !grep { http($srv, 'GET', '/v1/regions/530000')->{status} != 200 } 1 .. 4 }, 5 - (time - $t0)),
   sprintf('database-backed reads work again on every event loop within 5 s (%.2f s)', time - $t0));

ok($srv->alive, 'the server did not crash');
is($srv->stop('TERM'), 0, 'and stops cleanly');
done_testing();
