# Reads of workers that wait for a database connection together are sent as
# one statement (pgpool_query_batched, migrations/055_read_path.sql): each
# request still gets exactly the answer it gets alone, its own worker as
# its caller's scope and privacy shape it, 404 outside the scope or for no
# such worker, whoever else's read went in the same statement.
# A private cluster: the table lock below would stall the other suites.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;

my $pg = new_cluster();
system($ENV{LEYE_SERVER_BIN}, 'migrate', '--database-url=' . $pg->dsn) == 0 or BAIL_OUT('migrate');
my $srv = start_server(dsn => $pg->dsn, env => { LEYE_THREADS => 1, LEYE_DB_POOL_SIZE => 1 });
ok(wait_until(sub { http($srv, 'GET', '/readyz')->{status} == 200 }, 10), 'ready');
ok($srv->token, 'signed in');

my %site;
for my $c (530621, 530602) {
    $site{$c} = http($srv, 'POST', '/v1/sites', body => { name => "batch $c", county_code => $c, kind => 'scattered' })->{json}{id};
}
sub user {
    my ($name, %o) = @_;
    local $ENV{LEYE_DATABASE_URL} = $pg->dsn;
    local $ENV{PW} = 'batch-test-password';
    my @extra = map { "--$_=$o{$_}" } keys %o;
    system("$ENV{LEYE_SERVER_BIN} admin create-user --username=$name @extra --password-env=PW >/dev/null") == 0 or die;
    return login($srv, $name, 'batch-test-password');
}
my %token = (
    admin => $srv->token,
    ludian => user('ludian', role => 'county_staff', counties => 530621),
    yiliang => user('yiliang', role => 'county_staff', counties => 530602),
    site => user('site', role => 'site_staff', sites => $site{530602}),
);

# an answer as compared: status, ETag and body, less the request's own id
sub answer {
    my ($r) = @_;
    (my $body = $r->{content}) =~ s/"request_id":"[^"]*"//;
    return join("\n", $r->{status}, $r->{headers}{etag} // '', $body);
}

sub idnum {
    my ($county, $n) = @_;
    my $base = sprintf('%d1988%02d%02d%03d', $county, 1 + $n % 12, 1 + $n % 28, 100 + $n);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0;
    $sum += substr($base, $_, 1) * $w[$_] for 0 .. 16;
    return $base . substr('10X98765432', $sum % 11, 1);
}
my @workers;
for my $c (530621, 530602) {
    my $hh = http($srv, 'POST', '/v1/households', body => { site_id => $site{$c}, origin_county_code => $c, members => 3 })->{json}{id};
    for my $n (1 .. 3) {
        my $r = http($srv, 'POST', '/v1/workers', body => {
            household_id => $hh, name => "工人 $c $n", id_number => idnum($c, $n), phone => sprintf('139%08d', $c % 1000 * 10 + $n),
            ($n > 1 ? (skills => [{ skill_id => 1, level => $n }]) : ()),
            ($n == 3 ? (trainings => [{ name => '培训', start_date => days_from_today(-60), end_date => days_from_today(-30) }]) : ()),
        });
        is($r->{status}, 201, "worker $n of $c created") or diag($r->{content});
        push @workers, $r->{json}{id};
    }
}
my @ids = (@workers, $workers[-1] + 1000);

# every caller's answer for every id, one request at a time
my %alone;
for my $who (sort keys %token) {
    for my $id (@ids) {
        my $r = http($srv, 'GET', "/v1/workers/$id", token => $token{$who});
        $alone{"$who $id"} = answer($r);
    }
}
is((grep { /^404/ } map { $alone{"ludian $_"} } @ids), 4, 'county staff see their 3 workers; the others are 404');
is((grep { /^404/ } map { $alone{"admin $_"} } @ids), 1, 'the administrator sees all 6');

# the same requests, twice each, queued behind one that waits on a lock
my $locker = fork() // die;
if (!$locker) {
    exec('psql', '-X', '-q', '-d', $pg->dsn, '-c',
         'BEGIN; LOCK TABLE region IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(2); COMMIT;');
}
ok(wait_until(sub {
    psql_value("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
               . "WHERE c.relname = 'region' AND l.mode = 'AccessExclusiveLock' AND l.granted",
               dsn => $pg->dsn) == 1 }, 5), 'another session holds region locked');
my @asks = map { my $who = $_; map { ["$who $_", $token{$who}, $_] } @ids } sort keys %token;
@asks = (@asks, reverse @asks);
my %pid;
pipe(my $rd, my $wr) or die;
for my $i (0 .. $#asks) {
    my $pid = fork() // die;
    if (!$pid) {
        close $rd;
        my $r = http($srv, 'GET', "/v1/workers/$asks[$i][2]", token => $asks[$i][1]);
        my $text = answer($r);
        utf8::encode($text) if utf8::is_utf8($text);
        syswrite($wr, pack('N N', $i, length $text) . $text);
        exit 0;
    }
    $pid{$pid} = $i;
}
close $wr;
my %got;
while (read($rd, my $head, 8) == 8) {
    my ($i, $len) = unpack('N N', $head);
    read($rd, my $text, $len) == $len or last;
    $got{$i} = $text;
}
waitpid($_, 0) for keys %pid;
waitpid($locker, 0);
is(scalar keys %got, scalar @asks, 'every queued request was answered');
my @differ = grep { ($got{$_} // '') ne $alone{ $asks[$_][0] } } 0 .. $#asks;
is(scalar @differ, 0, 'each answer is the one the same caller gets alone, byte for byte (but the request id)')
    or diag(join("\n---\n", map { "$asks[$_][0]:\n$alone{$asks[$_][0]}\nqueued:\n" . ($got{$_} // '') } @differ[0 .. 1]));
is(http($srv, 'GET', "/v1/workers/$workers[0]", token => $token{ludian})->{status}, 200, 'the server goes on');
done_testing();
