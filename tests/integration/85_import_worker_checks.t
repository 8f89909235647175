# The rules behind a worker import (migration 059): household counts added
# up from the new workers equal a recount; a worker must name a household,
# and a skill, consent event or history row a worker; a worker is held
# against a concurrent delete, and its rows go with it.
use strict;
use warnings;
use utf8;
use Test::More;
use Encode qw(encode);
use File::Temp qw(tempdir);
use POSIX ();
use LeyeTest;

my $srv = start_server();
my $dsn = LeyeTest::dsn();
my $dir = tempdir(CLEANUP => 1);
my $tag = 'ck' . $$ . int(rand(1e5));
my $site = http($srv, 'POST', '/v1/sites', body => { name => $tag, county_code => 530621, kind => 'urban_centralized' })->{json}{id};

sub import_csv {
    my ($what, $text) = @_;
    return http($srv, 'POST', "/v1/imports/$what?mode=all_or_nothing", body => encode('UTF-8', $text),
                headers => { 'Content-Type' => 'text/csv' });
}
sub idnum {
    my ($serial) = @_;
    my $body = sprintf('5306211991%04d%03d', 400 + $serial, $$ % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}
my $recount = "SELECT count(*) FROM household h CROSS JOIN LATERAL "
    . "(SELECT count(*) FILTER (WHERE w.employment_status <> 'not_seeking' AND NOT w.archived) AS labor, "
    . "        count(*) FILTER (WHERE w.employment_status LIKE 'employed%' AND NOT w.archived) AS employed "
    . " FROM worker w WHERE w.household_id = h.id) c "
    . "WHERE h.ref LIKE '$tag-%' AND (h.labor_count, h.employed_count) IS DISTINCT FROM (c.labor, c.employed)";

my $r = import_csv('households', "household_ref,site_id,origin_county_code,members\n"
                   . join('', map { "$tag-$_,$site,530621,4\n" } 1 .. 4));
is($r->{json}{created}, 4, 'four households');
my @status = ('seeking', 'employed_local', 'not_seeking', 'employed_outside_province', 'in_training');
my $n = 0;
sub workers_file {
    my (@hh) = @_;
    return "site_id,household_ref,name,id_number,employment_status,skills,consent_brokers\n"
        . join('', map { $n++; "$site,$tag-$_,工人$n,${\ idnum($n)},$status[$n % @status],焊工:2,是\n" } @hh);
}
$r = import_csv('workers', workers_file(1, 1, 2, 2, 2, 3));
is($r->{json}{created}, 6, 'workers in three of them');
is(psql_value($recount), 0, 'each household counts its workers as a recount does');
is(psql_value("SELECT count(*) FROM household WHERE ref = '$tag-4' AND labor_count = 0 AND version = 1"), 1,
   'a household without new workers is left alone');
$r = import_csv('workers', workers_file(1, 3, 3, 4));
is($r->{json}{created}, 4, 'a second file adds workers to the same households');
is(psql_value($recount), 0, 'and the counts add up');
is(psql_value("SELECT count(*) FROM worker w WHERE w.household_id IN (SELECT id FROM household WHERE ref LIKE '$tag-%') "
              . "AND (SELECT count(*) FROM worker_skill s WHERE s.worker_id = w.id) = 1 "
              . "AND (SELECT count(*) FROM worker_consent_event e WHERE e.worker_id = w.id) = 1 "
              . "AND (SELECT count(*) FROM worker_history x WHERE x.worker_id = w.id) = 1"), 10,
   'every new worker has its skill, consent event and history row');

my $w = psql_value("SELECT min(id) FROM worker WHERE household_id = (SELECT id FROM household WHERE ref = '$tag-1')");
my $skill = psql_value("SELECT id FROM skill WHERE code = 'masonry'");
my $none = psql_value("SELECT max(id) + 1000 FROM worker");
for my $t (["worker_skill (worker_id, skill_id, level) VALUES (%s, $skill, 1)", 'worker_skill'],
           ["worker_consent_event (worker_id, kind, granted, method) VALUES (%s, 'sms', true, 'in_person')",
            'worker_consent_event'],
           ["worker_history (worker_id, valid_from, household_id, employment_status, with_placement, archived) "
            . "VALUES (%s, current_date - 400, 1, 'seeking', false, false)", 'worker_history']) {
    my $sql = 'INSERT INTO ' . sprintf($t->[0], $none);
    like(`psql -X -q -tA -v VERBOSITY=verbose -d '$dsn' -c "$sql" 2>&1`,
         qr/23503: insert or update on table "$t->[1]" violates foreign key constraint "$t->[1]_worker_id_fkey"/,
         "a $t->[1] row must name a worker");
}
like(`psql -X -q -tA -v VERBOSITY=verbose -d '$dsn' -c "UPDATE worker_skill SET worker_id = $none WHERE worker_id = $w" 2>&1`,
     qr/23503: .*worker_skill_worker_id_fkey/, 'and keep naming one');
is(psql_value("SELECT count(*) FROM worker_skill WHERE worker_id = $w"), 1, 'nothing changed');

# a worker names its household
like(`psql -X -q -tA -v VERBOSITY=verbose -d '$dsn' -c "INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex) VALUES ($none, '$tag 0', sha256('$tag 0'::bytea), '\\x00', '530621********0000', current_date - 11000, 'F')" 2>&1`,
     qr/23503: insert or update on table "worker" violates foreign key constraint "worker_household_id_fkey"/,
     'a worker must name a household');
like(`psql -X -q -tA -v VERBOSITY=verbose -d '$dsn' -c "UPDATE worker SET household_id = $none WHERE id = $w" 2>&1`,
     qr/23503: insert or update on table "worker" violates foreign key constraint "worker_household_id_fkey"/,
     'a worker is not moved to a household that does not exist');
like(`psql -X -q -tA -v VERBOSITY=verbose -d '$dsn' -c "DELETE FROM household WHERE ref = '$tag-1'" 2>&1`,
     qr/23503: update or delete on table "household" violates foreign key constraint "worker_household_id_fkey" on table "worker"/,
     'a household with workers is not deleted');
my $empty = psql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, 530621, 2) RETURNING id");
psql("DELETE FROM household WHERE id = $empty");
is(psql_value("SELECT count(*) FROM household WHERE id = $empty"), 0, 'one without is');

# a worker of its own, so that nothing else names it
my $hh = psql_value("SELECT id FROM household WHERE ref = '$tag-4'");
sub new_worker {
    my ($i) = @_;
    my $id = psql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex) "
                        . "VALUES ($hh, '$tag $i', sha256('$tag $i'::bytea), '\\x00', '530621********0000', "
                        . "current_date - 11000, 'F') RETURNING id");
    psql("INSERT INTO worker_skill (worker_id, skill_id, level) VALUES ($id, $skill, 2)");
    psql("INSERT INTO worker_consent_event (worker_id, kind, granted, method) VALUES ($id, 'sms', true, 'in_person')");
    return $id;
}
my $x = new_worker(1);
psql("DELETE FROM worker WHERE id = $x");
is(psql_value("SELECT (SELECT count(*) FROM worker_skill WHERE worker_id = $x) + (SELECT count(*) FROM worker_consent_event WHERE worker_id = $x) "
              . "+ (SELECT count(*) FROM worker_history WHERE worker_id = $x)"), 0,
   'a deleted worker takes its skills, consent events and history with it');

sub session {
    my ($app, $sql) = @_;
    local $ENV{PGAPPNAME} = $app;
    open(my $s, '|-', 'psql', '-X', '-q', '-d', $dsn) or die "psql: $!";
    { my $old = select($s); $| = 1; select($old) }
    print $s $sql;
    return $s;
}
sub waiting {
    my ($app, $what) = @_;
    return wait_until(sub { psql_value("SELECT count(*) FROM pg_stat_activity WHERE application_name = '$app' AND $what") == 1 }, 30);
}
sub background {
    my ($app, $sql, $out) = @_;
    my $pid = fork() // die;
    if ($pid == 0) {
        $ENV{PGAPPNAME} = $app;
        open(STDOUT, '>', $out) or POSIX::_exit(2);
        open(STDERR, '>&', \*STDOUT) or POSIX::_exit(2);
        { exec('psql', '-X', '-q', '-tA', '-v', 'VERBOSITY=verbose', '-d', $dsn, '-c', $sql) }
        POSIX::_exit(2);
    }
    return $pid;
}

# a skill written first holds its worker: the delete waits, then takes the skill too
my $y = new_worker(2);
my $writer = session("$tag-a", "BEGIN; INSERT INTO worker_skill (worker_id, skill_id, level) "
                     . "SELECT $y, id, 1 FROM skill WHERE code = 'concrete';\n");
ok(waiting("$tag-a", "state = 'idle in transaction'"), 'a transaction adds a skill to a worker');
my $pid = background("$tag-b", "DELETE FROM worker WHERE id = $y", "$dir/delete");
ok(waiting("$tag-b", "wait_event_type = 'Lock'"), 'deleting that worker waits for it');
print $writer "COMMIT;\n";
close $writer;
waitpid($pid, 0);
is(psql_value("SELECT count(*) FROM worker_skill WHERE worker_id = $y"), 0, 'and then removes both skills with the worker');

# a delete first: the skill written meanwhile waits for it, and is refused
my $z = new_worker(3);
my $deleter = session("$tag-c", "BEGIN; DELETE FROM worker WHERE id = $z;\n");
ok(waiting("$tag-c", "state = 'idle in transaction'"), 'a transaction deletes a worker');
$pid = background("$tag-d", "INSERT INTO worker_skill (worker_id, skill_id, level) "
                  . "SELECT $z, id, 1 FROM skill WHERE code = 'concrete'", "$dir/insert");
ok(waiting("$tag-d", "wait_event_type = 'Lock'"), 'a skill for that worker waits for it');
print $deleter "COMMIT;\n";
close $deleter;
waitpid($pid, 0);
open(my $fh, '<', "$dir/insert") or die;
my $out = do { local $/; <$fh> };
like($out, qr/23503: .*worker_skill_worker_id_fkey/, 'and is refused once the worker is gone');
is(psql_value("SELECT count(*) FROM worker_skill WHERE worker_id = $z"), 0, 'leaving no skill without its worker');

done_testing();
