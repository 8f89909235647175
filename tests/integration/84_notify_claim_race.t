# A text committed while a delivery thread's claim runs still keeps the
# quiet hours.  notify_claim puts off texts in quiet hours with an update,
# then claims the due texts in a later statement; under READ COMMITTED a
# text committed between the two is seen by the claim only, and is due when
# its transaction began before the claim's (an offer made in a longer
# transaction).  Here the update is held on a row lock while such a text
# commits, and the claim must not take it: the next claim puts it off to the
# end of the quiet hours.  The
# quiet hours are set around the moment the test runs, on a database of its
# own (no delivery thread of another test claims these texts).
use strict;
use warnings;
use utf8;
use Test::More;
use File::Temp qw(tempdir);
use Encode ();
use POSIX ();
use Time::HiRes qw(sleep);
use LeyeTest;

my $bin = $ENV{LEYE_SERVER_BIN};
my $dir = tempdir(CLEANUP => 1);
my $cluster = LeyeTest::new_cluster();
my $dsn = $cluster->dsn;
is(system("$bin migrate --database-url='$dsn' >/dev/null 2>&1"), 0, 'a database of its own, migrated');
sub q_ { return LeyeTest::psql($_[0], dsn => $dsn) }
sub qv { return LeyeTest::psql_value($_[0], dsn => $dsn) }
sub waiting {
    my ($app, $what) = @_;
    return wait_until(sub { qv("SELECT count(*) FROM pg_stat_activity WHERE application_name = '$app' AND $what") == 1 }, 30);
}

my $site = qv("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('race 点', 530621, 27.2, 103.5, 'urban_centralized') RETURNING id");
my $hh = qv("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, 530621, 3) RETURNING id");
my $w = qv("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex) "
           . "VALUES ($hh, 'race 李四', sha256(random()::text::bytea), '\\x00', '530621********0000', "
           . "(current_date - interval '30 years')::date, 'M') RETURNING id");
ok($w, 'a seeker');
# quiet from an hour ago to an hour from now, China time
q_("INSERT INTO notify_pref (worker_id, sms, kiosk, quiet_from, quiet_to) SELECT $w, true, true, "
   . "((now() AT TIME ZONE 'Asia/Shanghai') - interval '1 hour')::time, ((now() AT TIME ZONE 'Asia/Shanghai') + interval '1 hour')::time");
sub enqueue { q_("SELECT notify_enqueue('application.offered', $w, 'APP_OFFERED', '{}', '【乐业】你有一个录用通知。', '$_[0]')") }
enqueue('x');
my $x = qv("SELECT id FROM notify_outbox WHERE dedupe_key = 'sms:x'");
ok($x, 'a text due in the quiet hours');

# a transaction that will write the second text begins before the claim
sub session {
    my ($app, $sql) = @_;
    local $ENV{PGAPPNAME} = $app;
    open(my $s, '|-', 'psql', '-X', '-q', '-d', $dsn) or die "psql: $!";
    { my $old = select($s); $| = 1; select($old) }
    print $s $sql;
    return $s;
}
my $writer = session('race-writer', "BEGIN; SELECT 1;\n");
ok(waiting('race-writer', "state = 'idle in transaction'"), 'a transaction begins');
# another session holds the text's row, so the claim's first update waits on it
local $ENV{PGAPPNAME} = 'race-lock';
open(my $lock, '|-', 'psql', '-X', '-q', '-d', $dsn) or die "psql: $!";
{ my $old = select($lock); $| = 1; select($old) }
print $lock "BEGIN; SELECT id FROM notify_outbox WHERE id = $x FOR UPDATE;\n";
ok(waiting('race-lock', "state = 'idle in transaction'"), 'the row is held');

my $pid = fork() // die;
if ($pid == 0) {
    $ENV{PGAPPNAME} = 'race-claim';
    open(STDOUT, '>', "$dir/claimed") or POSIX::_exit(2);
    { exec('psql', '-X', '-q', '-tA', '-d', $dsn, '-c', "SELECT id FROM notify_claim('race', 60000, 10, 5, true)") }
    POSIX::_exit(2);
}
ok(waiting('race-claim', "wait_event_type = 'Lock'"), 'the claim waits on the held row');
delete $ENV{PGAPPNAME};
print $writer Encode::encode_utf8("SELECT notify_enqueue('application.offered', $w, 'APP_OFFERED', '{}', '【乐业】你有一个录用通知。', 'y'); COMMIT;\n");
ok(waiting('race-writer', "state = 'idle'"), 'the earlier transaction writes a second text and commits while the claim waits');
close $writer;
my $y = qv("SELECT id FROM notify_outbox WHERE dedupe_key = 'sms:y'");
ok($y, 'the second text is there');
print $lock "COMMIT;\n";
close $lock;
waitpid($pid, 0);
is($?, 0, 'the claim ended');
open(my $fh, '<', "$dir/claimed") or die;
my @claimed = grep { /\d/ } map { s/\s+//gr } <$fh>;
close $fh;
ok(!grep({ $_ == $y } @claimed), 'the claim did not take the text committed while it ran') or diag "claimed: @claimed";
ok(!grep({ $_ == $x } @claimed), 'nor the one it waited for');
is(qv("SELECT status || '/' || attempts FROM notify_outbox WHERE id = $y"), 'pending/0', 'the second text is pending, never tried');
is(qv("SELECT status || '/' || attempts || '/' || (next_at > now()) FROM notify_outbox WHERE id = $x"), 'pending/0/true',
   'the first is put off');

# the next claim puts the second off to the end of the quiet hours
is(qv("SELECT count(*) FROM notify_claim('race', 60000, 10, 5, true)"), 0, 'the next claim sends nothing');
is(qv("SELECT (next_at AT TIME ZONE 'Asia/Shanghai')::time = p.quiet_to FROM notify_outbox o JOIN notify_pref p ON p.worker_id = o.worker_id WHERE o.id = $y"),
   't', 'and puts the second text off to the end of the quiet hours');

done_testing();
