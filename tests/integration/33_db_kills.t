# Database connections killed under load, 20 times in a row (pg_terminate_backend
# on every pool connection, then pg_ctl restart -m fast): requests end within
# their deadline, service resumes by itself, no file descriptors leak.
use strict;
use warnings;
use utf8;
use Test::More;
use Time::HiRes qw(time sleep);
use LeyeTest;

my $pg = new_cluster();
system($ENV{LEYE_SERVER_BIN}, 'migrate', '--database-url=' . $pg->dsn) == 0 or BAIL_OUT('migrate');
my $srv = start_server(dsn => $pg->dsn, env => { LEYE_DB_POOL_SIZE => 4, LEYE_DB_QUERY_TIMEOUT_MS => 2000 });
my $port = $srv->port;
my $token = $srv->token;
ok(wait_until(sub { http($srv, 'GET', '/readyz')->{status} == 200 }, 5), 'ready');
sub fds { my @f = glob("/proc/$srv->{pid}/fd/*"); scalar @f }
my $fds_before = fds();

my $log = File::Temp->new(TEMPLATE => 'leye-kills-XXXXXX', TMPDIR => 1);
my $stop_file = "$log.stop";
my @pids;
for my $c (1 .. 6) {
    my $pid = fork();
    if (!$pid) {
        open my $out, '>>', $log->filename or die;
        my $i = 0;
        until (-e $stop_file) {
            my $t0 = time;
            my $r = $c % 2
                ? http({ port => $port, token => $token }, 'GET', '/v1/regions/530621', timeout => 10)
                : http({ port => $port, token => $token }, 'POST', '/v1/sites', timeout => 10,
                       body => { name => "kill $$ " . $i++, county_code => 530621, kind => 'scattered' });
            syswrite $out, sprintf("%d %.3f\n", $r->{status}, time - $t0);
            sleep 0.02;
        }
        exit 0;
    }
    push @pids, $pid;
}
my $admin = $pg->dsn; $admin =~ s/user=leye/user=postgres/;
for my $round (1 .. 20) {
    if ($round % 2) {
        psql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename IN ('leye', 'leye_app') AND pid <> pg_backend_pid()",
             dsn => $admin, may_fail => 1);
    } else {
        system("runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D $pg->{dir}/data -m fast -w restart >/dev/null 2>&1");
    }
    sleep 0.3;
}
my $t_back = time;
ok(wait_until(sub { http($srv, 'POST', '/v1/sites', body => { name => "kill after $$", county_code => 530621, kind => 'scattered' })->{status} == 201 }, 10),
   'service resumes by itself');
note(sprintf('back %.2f s after the last kill', time - $t_back));
open my $touch, '>', $stop_file; close $touch;
waitpid($_, 0) for @pids;
unlink $stop_file;

my (%by, $slow);
open my $in, '<', $log->filename or die;
while (<$in>) { my ($s, $t) = split; $by{$s}++; $slow++ if $t > 3 }
note(join ', ', map { "$_: $by{$_}" } sort keys %by);
ok($by{200} && $by{201}, 'requests succeeded between the kills');
is_deeply([sort grep { !/^(200|201|503|504)$/ } keys %by], [], 'the rest got 503/504, nothing else');
ok(!$slow, 'no request took longer than its deadline');
ok(wait_until(sub { fds() <= $fds_before }, 5), sprintf('open files back to where they were (%d, was %d)', fds(), $fds_before));
ok($srv->alive, 'the server did not crash');
done_testing();
