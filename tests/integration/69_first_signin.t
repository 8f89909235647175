# A newcomer's first sign-in: what `make run` does after building
# (scripts/run-local.sh, in a fresh folder as on a fresh clone) prints demo
# accounts once with the addresses of the console and the kiosk; with exactly
# what it printed they sign in to both, and the broker's key works.  The same
# text is in var/demo-accounts.txt, readable by its owner only.  A second
# start prints where the file is and makes nothing new; a database that has
# staff accounts already (a real deployment) gets none.
use strict;
use warnings;
use utf8;
use Test::More;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use POSIX ':sys_wait_h';
use Time::HiRes qw(time sleep);
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $root = $ENV{LEYE_TEST_ROOT};
my $bin = $ENV{LEYE_SERVER_BIN};
my $clone = tempdir('leye-newcomer-XXXXXX', TMPDIR => 1, CLEANUP => 0);
chmod 0755, $clone;
symlink("$root/scripts", "$clone/scripts") or die "symlink: $!";

sub free_port { my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0) or die; my $p = $s->sockport; close $s; return $p }
my $port = free_port();

# run-local.sh in the clone, as `make run` runs it, with none of the test
# suite's settings; returns (pid, output so far once it says it is starting)
my ($pid, $out_fh);
sub start_run {
    $pid = open($out_fh, '-|') // die "fork: $!";
    if (!$pid) {
        open(STDERR, '>&', \*STDOUT);
        delete $ENV{$_} for grep { /^LEYE_/ } keys %ENV;
        $ENV{LEYE_PORT} = $port;
        chdir $clone or die;
        POSIX::setsid();
        exec('sh', 'scripts/run-local.sh', $bin) or die "exec: $!";
    }
    my $text = '';
    my $deadline = time + 300;
    while (time < $deadline) {
        my $rin = ''; vec($rin, fileno($out_fh), 1) = 1;
        next unless select(my $rout = $rin, undef, undef, 1);
        my $n = sysread($out_fh, my $buf, 65536);
        last unless $n;
        $text .= $buf;
        last if $text =~ /Leye is starting on/;
    }
    return $text;
}
sub stop_run {
    return unless $pid;
    kill('TERM', -$pid);
    my $deadline = time + 60;
    while (time < $deadline) { last if waitpid($pid, WNOHANG) == $pid; sleep 0.1 }
    close $out_fh;
    $pid = undef;
}
END { stop_run(); system('sh', "$root/scripts/pglocal.sh", 'stop', "$clone/var/pg") if $clone && -d "$clone/var/pg"; system('rm', '-rf', $clone) if $clone }

my $first = start_run();
like($first, qr/Leye is starting on http:\/\/127\.0\.0\.1:$port\//, 'make run starts the server') or diag $first;
my ($console) = $first =~ m{Staff console: (http://\S+/console/)};
my ($kiosk) = $first =~ m{Job seeker kiosk: (http://\S+/kiosk/)};
my ($admin_pw) = $first =~ /user: demo-admin\s+password: (\S+)/;
my ($county_pw) = $first =~ /user: demo-county\s+password: (\S+)/;
my ($id_number, $pin) = $first =~ /ID number: (\S+)\s+PIN: (\d{6})/;
my ($key) = $first =~ /Bearer (lyb_[A-Za-z0-9_-]+)/;
is($console, "http://127.0.0.1:$port/console/", 'it prints the console\'s address');
is($kiosk, "http://127.0.0.1:$port/kiosk/", 'and the kiosk\'s');
ok($admin_pw && $county_pw && $id_number && $pin && $key, 'an administrator, a county staff member, a kiosk person and a broker key')
    or diag $first;
isnt($admin_pw, $county_pw, 'each with its own random password');

my $srv = { port => $port };
ok(wait_until(sub { (http($srv, 'GET', '/readyz', anonymous => 1)->{status} // 0) == 200 }, 60), 'the server is ready');
my $page = http($srv, 'GET', '/console/', anonymous => 1);
like($page->{content}, qr/<html/i, 'the console\'s address opens the console');
my $r = http($srv, 'POST', '/v1/auth/login', anonymous => 1, body => { username => 'demo-admin', password => $admin_pw });
is($r->{status}, 200, 'the administrator signs in to the console with what was printed');
my $atok = $r->{json}{token};
is(http($srv, 'GET', '/v1/auth/me', token => $atok)->{json}{role}, 'admin', 'as an administrator');
ok(@{ http($srv, 'GET', '/v1/accounts', token => $atok)->{json}{items} } >= 2, 'who sees the accounts in the console');
$r = http($srv, 'POST', '/v1/auth/login', anonymous => 1, body => { username => 'demo-county', password => $county_pw });
is($r->{status}, 200, 'so does the county staff member');
my $me = http($srv, 'GET', '/v1/auth/me', token => $r->{json}{token})->{json};
is($me->{role}, 'county_staff', 'as county staff');
like(http($srv, 'GET', '/kiosk/', anonymous => 1)->{content}, qr/<html/i, 'the kiosk\'s address opens the kiosk');
$r = http($srv, 'POST', '/v1/kiosk/login', anonymous => 1, body => { id_number => $id_number, pin => $pin });
is($r->{status}, 200, 'the job seeker signs in at the kiosk with the printed ID number and PIN');
my $k = $r->{json}{token};
is(http($srv, 'GET', '/v1/kiosk/me', token => $k)->{status}, 200, 'and sees their profile');
is(http($srv, 'GET', '/v1/vacancies?limit=1', token => $key)->{status}, 200, 'the broker key reads vacancies');

my $file = "$clone/var/demo-accounts.txt";
ok(-f $file, 'the accounts are kept in var/demo-accounts.txt');
is((stat $file)[2] & 07777, 0600, 'readable by its owner only');
my $kept = do { local $/; open(my $fh, '<:encoding(UTF-8)', $file) or die; <$fh> };
like($kept, qr/password: \Q$admin_pw\E/, 'with the same administrator password');
like($kept, qr/PIN: $pin/, 'and the same PIN');
stop_run();
ok(!-S "$clone/var/pg/.s.PGSQL.5432", 'Ctrl-C stops the server and its PostgreSQL');

# --- a second start: nothing new, the file says where they are
my $second = start_run();
like($second, qr/Demo accounts: \Q$file\E/, 'a second start says where the accounts are');
unlike($second, qr/\Q$admin_pw\E/, 'without printing the passwords again');
my $again = do { local $/; open(my $fh, '<:encoding(UTF-8)', $file) or die; <$fh> };
is($again, $kept, 'the file is unchanged');
ok(wait_until(sub { (http($srv, 'GET', '/readyz', anonymous => 1)->{status} // 0) == 200 }, 60), 'ready again');
is(http($srv, 'POST', '/v1/auth/login', anonymous => 1, body => { username => 'demo-admin', password => $admin_pw })->{status}, 200,
   'the printed password still works');
stop_run();

# --- never where staff accounts exist: the suite's database has some
LeyeTest::ensure_admin(dsn());
my $elsewhere = "$clone/elsewhere.txt";
my $o = `LEYE_DATABASE_URL='${\ dsn()}' $bin demo-accounts --file=$elsewhere --url=http://127.0.0.1:1 2>&1`;
is($? >> 8, 0, 'demo-accounts on a database with staff accounts');
like($o, qr/none made \(staff accounts exist already\)/, 'makes none');
ok(!-e $elsewhere, 'and writes nothing');
like(`$bin help`, qr/demo-accounts.*admin.*create-user.*reset-pin.*routes.*version/s, 'leye-server help lists every command');

done_testing();
