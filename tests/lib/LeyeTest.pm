package LeyeTest;
# Helpers for the integration tests: start the real server on a random port
# against the test PostgreSQL, speak HTTP over a socket, query the database.
use strict;
use warnings;
use Exporter 'import';
use IO::Socket::INET;
use HTTP::Tiny;
use JSON::PP;
use POSIX ':sys_wait_h';
use Time::HiRes qw(time sleep);
use File::Temp qw(tempdir);
use File::Temp ();

our @EXPORT = qw(start_server http raw_request json_of psql psql_value new_cluster wait_until
                 $JSON dsn login admin_token ensure_admin browser_tools days_from_today metrics_token);
our $JSON = JSON::PP->new->utf8->canonical;

# The calendar day $n days from today in China (YYYY-MM-DD), by the clock the
# server and PostgreSQL also read (make test-aging moves all three together).
sub days_from_today {
    my ($n) = @_;
    return POSIX::strftime('%Y-%m-%d', gmtime(time + 8 * 3600 + ($n // 0) * 86400));
}

sub dsn { $ENV{LEYE_TEST_DSN} or die "LEYE_TEST_DSN is not set: run the tests with make test\n" }

# start_server(env => {NAME => value}, dsn => ...) -> server object
sub start_server {
    my (%o) = @_;
    my $log = File::Temp->new(TEMPLATE => 'leye-log-XXXXXX', TMPDIR => 1, UNLINK => 1);
    # the server works as leye_app, the role with only what migration 029
    # grants; the schema owner (the tests' own connections) migrates
    my $owner = $o{dsn} // dsn();
    (my $app = $owner) =~ s/\buser=leye\b/user=leye_app/;
    my %env = (
        LEYE_DATABASE_URL      => $app,
        LEYE_DATABASE_OWNER_URL => $owner,
        LEYE_PORT              => 0,
        LEYE_LISTEN            => '127.0.0.1',
        LEYE_MIGRATE_ON_START  => 'false',
        LEYE_DB_POOL_SIZE      => 4,
        LEYE_METRICS_TOKEN     => metrics_token(),
        # the suites share one database: only the notification suite runs a
        # delivery thread, with its own fast retry schedule
        LEYE_NOTIFY_DELIVERY   => 'false',
        %{ $o{env} || {} },
    );
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        $ENV{$_} = $env{$_} for keys %env;
        open STDOUT, '>>', $log->filename or die;
        open STDERR, '>>&', \*STDOUT or die;
        my @wrap = split ' ', ($ENV{LEYE_SERVER_WRAPPER} // '');
        exec(@wrap, $ENV{LEYE_SERVER_BIN}, 'serve', @{ $o{args} || [] }) or die "exec: $!";
    }
    my $self = bless { pid => $pid, log => $log, port => undef, owner => $$, dsn => $env{LEYE_DATABASE_OWNER_URL} },
                     'LeyeTest::Server';
    my $deadline = time + ($ENV{LEYE_SERVER_WRAPPER} ? 120 : 20);
    while (time < $deadline) {
        my $text = $self->log_text;
        if ($text =~ m{listening on http://[^:]+:(\d+)/}) { $self->{port} = $1; last }
        if (waitpid($pid, WNOHANG) == $pid) { $self->{exit} = $? >> 8; last }
        sleep 0.02;
    }
    return $self if $o{may_fail} && !$self->{port};
    die "server did not start:\n" . $self->log_text unless $self->{port};
    return $self;
}

# The test administrator's account exists in each database the tests use.
my %admin_ready;
sub ensure_admin {
    my ($dsn) = @_;
    return if $admin_ready{$dsn}++;
    local $ENV{LEYE_DATABASE_URL} = $dsn;
    local $ENV{LEYE_TEST_ADMIN_PASSWORD} = admin_password();
    my $out = `$ENV{LEYE_SERVER_BIN} admin create-user --username=leye-test-admin --role=admin --password-env=LEYE_TEST_ADMIN_PASSWORD 2>&1`;
    die "cannot create the test administrator: $out" if $?;
}
# The bearer token GET /metrics needs on the servers the suites start; http()
# sends it for /metrics unless told otherwise (token => ..., anonymous => 1).
sub metrics_token { $ENV{LEYE_TEST_METRICS_TOKEN} //= 'metrics-' . join('', map { int(rand(10)) } 1 .. 24) }
sub admin_password { $ENV{LEYE_TEST_ADMIN_PASSWORD} //= 'test-' . join('', map { int(rand(10)) } 1 .. 20) }

# login($server, username, password) -> token (or undef)
sub login {
    my ($srv, $user, $password) = @_;
    my $r = http($srv, 'POST', '/v1/auth/login', anonymous => 1, body => { username => $user, password => $password });
    return $r->{status} == 200 ? $r->{json}{token} : undef;
}

# An administrator's session token for the server's database (made once).
sub admin_token {
    my ($srv) = @_;
    return $srv->{token} if $srv->{token};
    ensure_admin($srv->{dsn});
    $srv->{token} = login($srv, 'leye-test-admin', admin_password()) or die "the test administrator cannot log in\n";
    return $srv->{token};
}

# http($server, METHOD, PATH, headers => {}, body => STRING|REF, anonymous => 1, token => T)
#   -> {status, headers, content, json}
# Calls are made as the test administrator unless anonymous or another token is given.
sub http {
    my ($srv, $method, $path, %o) = @_;
    my $body = $o{body};
    my %h = %{ $o{headers} || {} };
    if (!$o{anonymous} && !exists $h{Authorization}) {
        die "http($method $path): the token given is undefined\n" if exists $o{token} && !defined $o{token};
        my $t = $o{token} // ($path =~ m{^/metrics(?:\?|$)} ? metrics_token()
                              : ($srv->{dsn} || $srv->{token}) ? admin_token($srv) : undef);
        $h{Authorization} = "Bearer $t" if $t;
    }
    if (ref $body) { $body = $JSON->encode($body); $h{'Content-Type'} //= 'application/json' }
    my $ua = HTTP::Tiny->new(timeout => $o{timeout} || 10, keep_alive => 0);
    my $res = $ua->request($method, "http://127.0.0.1:$srv->{port}$path",
        { headers => \%h, (defined $body ? (content => $body) : ()) });
    my $ct = $res->{headers}{'content-type'} // '';
    $res->{json} = eval { $JSON->decode($res->{content}) } if $ct =~ /json/ && length $res->{content};
    check_no_id_numbers($method, $path, $res->{content}) unless $path =~ m{/reveal(?:\?|$)};
    my %req = (defined $body ? (type => $h{'Content-Type'} // '', body => $body) : ());
    # HTTP::Tiny follows redirects: each answer of the chain is recorded at its own path
    my $final = $path;
    for my $hop (@{ $res->{redirects} || [] }, $res) {
        record_answer($srv, $method, $final, $h{Authorization}, $hop->{status},
                      $hop->{headers}{'content-type'} // '', $hop->{content}, \%req);
        last unless ($hop->{headers}{location} // '') =~ m{^(?:https?://[^/]+)?(/[^#]*)};
        $final = $1;
    }
    return $res;
}

# Every answer the suites receive is recorded, with the kind of caller that
# received it, for tests/reidentify.pl and tests/contract/check-answers.mjs
# (run by tests/run.pl after all suites): one file of JSON lines per test
# process under $LEYE_TEST_TMP/answers, so suites running side by side never
# share one.  Text bodies (JSON, CSV, HTML, plain text) are kept; an answer
# with another body or none is kept with its status, type and body_length only.  The
# request's content type and text body go with it (request_type,
# request_body), and raw => 1 marks an answer to bytes sent by raw_request.
my %caller_kind;    # token -> staff | staff_reveal (asked once per token)
sub caller_kind {
    my ($srv, $auth) = @_;
    return 'public' unless defined $auth && $auth =~ /^Bearer\s+(\S+)/;
    my $t = $1;
    return 'broker' if $t =~ /^lyb_/;
    return 'kiosk'  if $t =~ /^lyk_/;
    return 'unknown' unless $t =~ /^lys_/;
    return $caller_kind{$t} //= do {
        my $ua = HTTP::Tiny->new(timeout => 10, keep_alive => 0);
        my $me = $ua->get("http://127.0.0.1:$srv->{port}/v1/auth/me", { headers => { Authorization => "Bearer $t" } });
        my $j = $me->{success} ? eval { $JSON->decode($me->{content}) } : undef;
        # a token no longer valid asked nothing more of the server: counted as
        # staff without the permission, the stricter of the two
        $j && $j->{pii_reveal} ? 'staff_reveal' : 'staff';
    };
}

my ($record_fh, $record_pid);
sub record_answer {
    my ($srv, $method, $path, $auth, $status, $ct, $content, $req) = @_;
    return unless $ENV{LEYE_TEST_TMP};
    # 599 is HTTP::Tiny's own answer when the exchange failed: not the server's
    return if $status == 599 && !($req && $req->{raw});
    $req ||= {};
    my $text = ($ct // '') =~ m{json|csv|html|text/plain}i;
    my $empty = !defined $content || !length $content;
    if (!$record_fh || $record_pid != $$) {
        my $dir = "$ENV{LEYE_TEST_TMP}/answers";
        mkdir $dir;
        (my $suite = $0) =~ s{.*/}{};
        open($record_fh, '>>', "$dir/$suite.$$.jsonl") or return;
        $record_fh->autoflush(1);
        $record_pid = $$;
    }
    my @t = gmtime(time + 8 * 3600);    # the server's day: China Standard Time
    my $body = $text && !$empty ? $content : '';
    utf8::decode($body);
    my $rbody = $req->{body};
    $rbody = undef if defined $rbody && (ref $rbody || length $rbody > 1 << 20 || !utf8::decode($rbody));
    (my $suite = $0) =~ s{.*/}{};
    print $record_fh $JSON->encode({
        suite => $suite, caller => caller_kind($srv, $auth), method => $method, path => $path,
        status => $status, type => $ct // '', day => sprintf('%04d-%02d-%02d', $t[5] + 1900, $t[4] + 1, $t[3]),
        body => $body, body_length => $empty ? 0 : length $content,
        ($empty ? () : (body_kept => $text ? JSON::PP::true : JSON::PP::false)),
        ($req->{raw} ? (raw => JSON::PP::true) : ()),
        (defined $rbody ? (request_type => $req->{type}, request_body => $rbody) : ()),
    }), "\n";
}

# Full ID numbers leave the server only through a reveal: every response the
# suites receive is scanned, and one carrying a valid 18-character ID number
# fails the test that asked for it.
sub idnum_valid {
    my ($id) = @_;
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0;
    $sum += substr($id, $_, 1) * $w[$_] for 0 .. 16;
    return uc(substr($id, 17, 1)) eq substr('10X98765432', $sum % 11, 1);
}
sub check_no_id_numbers {
    my ($method, $path, $content) = @_;
    return unless defined $content;
    while ($content =~ /(?<![0-9A-Za-z])([1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])[0-9]{5}[0-9Xx])(?![0-9A-Za-z])/g) {
        next unless idnum_valid($1);
        Test::More::fail("the answer to $method $path carries a full ID number");
        last;
    }
}

# raw_request($server, BYTES, timeout => s) -> everything the server sent until it closed or timed out
sub raw_request {
    my ($srv, $bytes, %o) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $srv->{port}, Proto => 'tcp')
        or die "connect: $!";
    $s->autoflush(1);
    print $s $bytes if length $bytes;
    shutdown($s, 1) if $o{half_close};
    my $out = '';
    my $deadline = time + ($o{timeout} || 5);
    $s->blocking(0);
    while (time < $deadline) {
        my $n = sysread($s, my $buf, 65536);
        if (defined $n && $n == 0) { last }
        if (defined $n) { $out .= $buf; next }
        sleep 0.01;
    }
    close $s;
    record_raw($srv, $bytes, $out);
    return $out;
}

# The first answer of a raw exchange, recorded as http() records its answers.
sub record_raw {
    my ($srv, $bytes, $out) = @_;
    my ($method, $path) = $bytes =~ m{^([A-Z]+) (\S+) HTTP/} or return;
    $path =~ s/\?.*//s;
    my ($auth) = $bytes =~ m{\r?\nAuthorization:[ \t]*([^\r\n]*)}i;
    my ($head, $body) = split /\r\n\r\n/, $out, 2;
    return unless defined $body && $head =~ m{^HTTP/1\.[01] (\d{3})};
    my $status = $1;
    my ($ct) = $head =~ m{\r\nContent-Type:[ \t]*([^\r\n]*)}i;
    my ($len) = $head =~ m{\r\nContent-Length:[ \t]*(\d+)}i;
    $body = substr($body, 0, $len) if defined $len;
    record_answer($srv, $method, $path, $auth, $status, $ct, $body, { raw => 1 });
}

sub json_of { my ($text) = @_; $text =~ s/^.*?\r\n\r\n//s; return eval { $JSON->decode($text) } }

# psql(SQL) -> output rows as "a|b" lines
sub psql {
    my ($sql, %o) = @_;
    my $d = $o{dsn} // dsn();
    open(my $fh, '-|', 'psql', '-X', '-q', '-tA', '-v', 'ON_ERROR_STOP=1', '-d', $d, '-c', $sql)
        or die "psql: $!";
    local $/; my $out = <$fh>; close $fh;
    die "psql failed: $sql\n" if $? && !$o{may_fail};
    $out //= ''; chomp $out;
    return $out;
}
sub psql_value { my $v = psql(@_); $v =~ s/\n.*//s; return $v }

# browser_tools() -> path of node.  Checks that what the browser tests need is
# installed; nothing is skipped: without the browser or its driver these fail.
sub browser_tools {
    my $chromium = $ENV{CHROMIUM} // '/usr/bin/chromium';
    my $node = `sh -c 'command -v node'`; chomp $node;
    Test::More::ok(-x $chromium, "Chromium is installed ($chromium; make deps installs it)");
    Test::More::ok($node, 'Node.js is installed (make deps installs npm)');
    Test::More::ok(-f "$ENV{LEYE_TEST_ROOT}/tests/browser/node_modules/playwright-core/package.json",
                   'playwright-core is installed in tests/browser (make deps runs npm ci)');
    return $node;
}

# wait_until(sub {...}, seconds) -> true if the condition held before the deadline
sub wait_until {
    my ($cond, $secs) = @_;
    my $deadline = time + $secs;
    while (time < $deadline) { return 1 if $cond->(); sleep 0.05 }
    return $cond->();
}

# A private PostgreSQL cluster (for tests that stop the database).
sub new_cluster {
    my $dir = tempdir('leye-pg-XXXXXX', TMPDIR => 1, CLEANUP => 0);
    chmod 0755, $dir;
    my $c = bless { dir => "$dir/pg", top => $dir, owner => $$ }, 'LeyeTest::Cluster';
    $c->start;
    return $c;
}

package LeyeTest::Cluster;
sub start { my ($c) = @_; system('sh', "$ENV{LEYE_TEST_ROOT}/scripts/pglocal.sh", 'start', $c->{dir}, 'fast') == 0 or die "pg start failed\n" }
sub stop  { my ($c) = @_; system('sh', "$ENV{LEYE_TEST_ROOT}/scripts/pglocal.sh", 'stop', $c->{dir}) }
sub dsn   { my ($c) = @_; return "host=$c->{dir} dbname=leye user=leye" }
sub DESTROY { my ($c) = @_; local $?; return unless $c->{owner} == $$; $c->stop; system('rm', '-rf', $c->{top}) }

package LeyeTest::Server;
use POSIX ':sys_wait_h';
use Time::HiRes qw(time sleep);
sub port { $_[0]{port} }
sub token { LeyeTest::admin_token($_[0]) }
sub log_text { my ($s) = @_; open(my $fh, '<', $s->{log}->filename) or return ''; local $/; my $t = <$fh>; return $t // '' }
sub alive { my ($s) = @_; return 0 if defined $s->{exit}; return waitpid($s->{pid}, WNOHANG) == 0 }
# stop(signal) -> exit status, waiting up to 20 s
sub stop {
    my ($s, $sig) = @_;
    return $s->{exit} if defined $s->{exit};
    kill($sig // 'TERM', $s->{pid});
    my $deadline = time + 20;
    while (time < $deadline) {
        if (waitpid($s->{pid}, WNOHANG) == $s->{pid}) { $s->{exit} = $? ; return $s->{exit} }
        sleep 0.02;
    }
    kill('KILL', $s->{pid}); waitpid($s->{pid}, 0);
    $s->{exit} = -1;
    return -1;
}
# only the process that started the server stops it (not forked test clients)
sub DESTROY { my ($s) = @_; local $?; $s->stop('KILL') if !defined $s->{exit} && $s->{owner} == $$ }

1;
