# Acknowledged means committed: 200 concurrent creates and updates with
# Idempotency-Keys, the server killed with SIGKILL midway and restarted, every
# unanswered request retried: each 2xx is in the database exactly once.
use strict;
use warnings;
use utf8;
use Test::More;
use Time::HiRes qw(time sleep);
use POSIX ':sys_wait_h';
use LeyeTest;

my $tag = 'K' . $$ . int(rand(1e6));
my $srv = start_server(env => { LEYE_DB_POOL_SIZE => 4 });
my $port = $srv->port;
my $token = $srv->token;

# sites to update concurrently
my @targets;
for my $i (1 .. 10) {
    my $r = http($srv, 'POST', '/v1/sites', body => { name => "$tag u$i", county_code => 530621, kind => 'scattered' });
    push @targets, $r->{json}{id};
}

my $results = File::Temp->new(TEMPLATE => 'leye-crash-XXXXXX', TMPDIR => 1);
my $n = 200;
my @pids;
for my $w (0 .. 7) {
    my $pid = fork();
    if (!$pid) {
        open my $out, '>>', $results->filename or die;
        for (my $i = $w; $i < $n; $i += 8) {
            my $res;
            if ($i % 4 == 3) {   # an update: people = i on one of the targets
                my $id = $targets[$i % 10];
                $res = http({ port => $port, token => $token }, 'PATCH', "/v1/sites/$id", body => { people => $i },
                            headers => { 'If-Match' => '*' }, timeout => 3);
            } else {
                $res = http({ port => $port, token => $token }, 'POST', '/v1/sites',
                            body => { name => "$tag c$i", county_code => 530621, kind => 'scattered' },
                            headers => { 'Idempotency-Key' => "$tag-$i" }, timeout => 3);
            }
            syswrite $out, "$i $res->{status}\n";
            sleep 0.02;
        }
        exit 0;
    }
    push @pids, $pid;
}
sleep 0.3;
kill 'KILL', $srv->{pid};
waitpid($srv->{pid}, 0);
$srv->{exit} = 'killed';
waitpid($_, 0) for @pids;

my %status;
open my $in, '<', $results->filename or die;
while (<$in>) { my ($i, $s) = split; $status{$i} = $s }
my @answered = grep { $status{$_} =~ /^2/ } keys %status;
my @unanswered = grep { !defined $status{$_} || $status{$_} !~ /^2/ } 0 .. $n - 1;
ok(@answered > 0, scalar(@answered) . ' requests were answered 2xx before the kill');
ok(@unanswered > 0, scalar(@unanswered) . ' were not answered (killed midway)');

# every acknowledged create is there exactly once
my $missing = 0;
for my $i (grep { $_ % 4 != 3 } @answered) {
    $missing++ unless psql_value("SELECT count(*) FROM site WHERE name = '$tag c$i'") == 1;
}
is($missing, 0, 'every acknowledged create is in the database exactly once');

# restart and retry everything that got no answer
my $srv2 = start_server(env => { LEYE_DB_POOL_SIZE => 4 });
my $retry_failed = 0;
for my $i (@unanswered) {
    my $res;
    if ($i % 4 == 3) {
        $res = http($srv2, 'PATCH', "/v1/sites/$targets[$i % 10]", body => { people => $i }, headers => { 'If-Match' => '*' });
    } else {
        $res = http($srv2, 'POST', '/v1/sites', body => { name => "$tag c$i", county_code => 530621, kind => 'scattered' },
                    headers => { 'Idempotency-Key' => "$tag-$i" });
    }
    $retry_failed++ unless $res->{status} =~ /^2/;
}
is($retry_failed, 0, 'every retry succeeds');
my $creates = grep { $_ % 4 != 3 } 0 .. $n - 1;
is(psql_value("SELECT count(*) FROM site WHERE name LIKE '$tag c%'"), $creates, 'one row per create request, none lost');
is(psql_value("SELECT count(*) FROM (SELECT name FROM site WHERE name LIKE '$tag c%' GROUP BY name HAVING count(*) > 1) d"), 0,
   'nothing duplicated');
is(psql_value("SELECT count(*) FROM idempotency_key WHERE key LIKE '$tag-%' AND status = 0"), 0,
   'no idempotency record is left half-written');
done_testing();
