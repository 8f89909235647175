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

# The bounds in lib/fields.h (used by the JSON checks and the CSV import) are
# the bounds of the schema's CHECK constraints, entry by entry.
open my $fh, '<', "$root/lib/fields.h" or die "lib/fields.h: $!";
my @bounds;
while (<$fh>) {
    next unless /^\s*X\((\w+),\s*"[^"]*",\s*(?:"(\w+)"|NULL),\s*(?:"(\w+)"|NULL),\s*FIELDS_(INT|TEXT),\s*(-?\d+),\s*(-?\d+)\)/;
    push @bounds, {id => $1, table => $2, column => $3, kind => $4, min => $5, max => $6} if defined $2;
}
close $fh;
ok(@bounds >= 8, 'lib/fields.h names the schema columns of its bounds (' . scalar(@bounds) . ')');
for my $b (@bounds) {
    my $def = psql_value("SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
                       . "WHERE t.relname = '$b->{table}' AND c.contype = 'c' AND c.conname = '$b->{table}_$b->{column}_check'",
                         dsn => $url);
    my $x = $b->{kind} eq 'TEXT' ? "length\\($b->{column}\\)" : $b->{column};
    my ($min) = $def =~ /\($x >= \(?'?(-?\d+)/;
    my ($max) = $def =~ /\($x <= \(?'?(-?\d+)/;
    $min //= 0 if $b->{kind} eq 'TEXT';
    is(($min // 'none') . '..' . ($max // 'none'), "$b->{min}..$b->{max}",
       "FIELDS_$b->{id}: $b->{table}.$b->{column} is checked for $b->{min}..$b->{max} ($def)");
}

psql("DROP DATABASE IF EXISTS $db WITH (FORCE)", dsn => $admin);
done_testing();
