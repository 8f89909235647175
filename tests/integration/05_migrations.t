# Migrations: applied once, recorded with checksums, changed files refused,
# concurrent runners serialised by the advisory lock.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;

my $admin = dsn(); $admin =~ s/user=leye/user=postgres/; $admin =~ s/dbname=leye/dbname=postgres/;
for my $db (qw(leye_mig_a leye_mig_b)) {
    psql("DROP DATABASE IF EXISTS $db", dsn => $admin);
    psql("CREATE DATABASE $db OWNER leye", dsn => $admin);
}
(my $dsn_a = dsn()) =~ s/dbname=leye/dbname=leye_mig_a/;
(my $dsn_b = dsn()) =~ s/dbname=leye/dbname=leye_mig_b/;
my $bin = $ENV{LEYE_SERVER_BIN};

# two runners at once on an empty database
my @pids;
for (1 .. 2) {
    my $pid = fork();
    if (!$pid) { open STDERR, '>', '/dev/null'; exec($bin, 'migrate', "--database-url=$dsn_a") }
    push @pids, $pid;
}
my @codes = map { waitpid($_, 0); $? >> 8 } @pids;
is_deeply(\@codes, [0, 0], 'two migrate runs at once both succeed');
my $files = () = glob("$ENV{LEYE_TEST_ROOT}/migrations/[0-9][0-9][0-9]_*.sql");
is(psql_value('SELECT count(*) FROM schema_migrations', dsn => $dsn_a), $files, 'each migration recorded once');
like(psql_value("SELECT checksum FROM schema_migrations WHERE version = 1", dsn => $dsn_a),
     qr/^[0-9a-f]{64}$/, 'with a SHA-256 checksum');
is(psql_value("SELECT count(*) FROM region WHERE level = 'county'", dsn => $dsn_a), 129, 'reference data loaded');

is(system($bin, 'migrate', "--database-url=$dsn_a"), 0, 'a second run is a no-op');

# an applied migration whose file changed is refused, naming it
psql("UPDATE schema_migrations SET checksum = repeat('0', 64) WHERE version = 1", dsn => $dsn_a);
my $out = `$bin migrate --database-url='$dsn_a' 2>&1`;
isnt($? >> 8, 0, 'a changed migration makes migrate fail');
like($out, qr/001_foundation\.sql was changed/, 'and the error names the file');

# a failing migration leaves nothing behind (each runs in a transaction)
psql("CREATE TABLE idempotency_key (x int)", dsn => $dsn_b);
$out = `$bin migrate --database-url='$dsn_b' 2>&1`;
isnt($? >> 8, 0, 'a migration that fails stops the run');
like($out, qr/migration 001_foundation\.sql/, 'naming the migration');
is(psql_value("SELECT count(*) FROM schema_migrations", dsn => $dsn_b), 0, 'nothing recorded');

# readyz says not ready when the schema is behind
psql("DELETE FROM schema_migrations WHERE version > 1", dsn => $dsn_a);
psql("UPDATE schema_migrations SET checksum = repeat('0', 64)", dsn => $dsn_a);
my $srv = start_server(dsn => $dsn_a);
my $r = http($srv, 'GET', '/readyz');
is($r->{status}, 503, 'readyz is 503 when the schema is behind');
like($r->{json}{detail}, qr/1/, 'and says which version it found');
$srv->stop;

for my $db (qw(leye_mig_a leye_mig_b)) { psql("DROP DATABASE IF EXISTS $db WITH (FORCE)", dsn => $admin) }
done_testing();
