# migrations/schema.sql is the schema that all migrations leave: a database
# migrated now and dumped the way make migrations/schema.sql dumps it gives
# the committed file, line for line.
use strict;
use warnings;
use Test::More;
use LeyeTest;

my $root = $ENV{LEYE_TEST_ROOT};
my $bin = $ENV{LEYE_SERVER_BIN};
my $admin = dsn(); $admin =~ s/user=leye/user=postgres/; $admin =~ s/dbname=leye/dbname=postgres/;
my $db = 'leye_schema_dump';
psql("DROP DATABASE IF EXISTS $db WITH (FORCE)", dsn => $admin);
psql("CREATE DATABASE $db OWNER leye", dsn => $admin);
(my $url = dsn()) =~ s/dbname=leye/dbname=$db/;

is(system("$bin migrate --database-url='$url' >/dev/null 2>&1"), 0, 'a fresh database migrates');
my $dumped = `sh $root/scripts/schema-dump.sh '$url'`;
is($?, 0, 'the schema dumps');
my $committed = do { local $/; open my $fh, '<', "$root/migrations/schema.sql" or die "migrations/schema.sql: $!"; <$fh> };
like($committed, qr/CREATE TABLE public\.worker \(/, 'migrations/schema.sql holds the tables');
if (!ok($dumped eq $committed, 'migrations/schema.sql is up to date (make migrations/schema.sql)')) {
    my $tmp = "/tmp/leye-schema-$$.sql";
    open my $fh, '>', $tmp or die "$tmp: $!";
    print $fh $dumped;
    close $fh;
    diag(`diff -u $root/migrations/schema.sql $tmp | head -n 40`);
    unlink $tmp;
}

psql("DROP DATABASE IF EXISTS $db WITH (FORCE)", dsn => $admin);
done_testing();
