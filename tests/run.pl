#!/usr/bin/perl
# Runs every test suite against a throwaway PostgreSQL cluster:
# the C unit tests (cmocka, TAP output) and the integration tests
# (tests/integration/*.t, which start the real server on random ports).
# The last line is "N passed, N failed"; the exit code is non-zero on failure.
use strict;
use warnings;
use File::Temp qw(tempdir);
use File::Basename qw(basename);
use TAP::Harness;

my $build = $ENV{BUILD} || 'build';
my $root  = `pwd`; chomp $root;
my $bin   = ($build =~ m{^/} ? $build : "$root/$build") . "/leye-server";
die "no server binary at $bin: run make build\n" unless -x $bin;

my $tmp = tempdir('leye-test-XXXXXX', TMPDIR => 1, CLEANUP => 0);
chmod 0755, $tmp;
my $pgdir = "$tmp/pg";
system('sh', 'scripts/pglocal.sh', 'start', $pgdir, 'fast') == 0 or die "cannot start PostgreSQL\n";
my $dsn = `sh scripts/pglocal.sh url $pgdir`; chomp $dsn;

$ENV{LEYE_TEST_DSN}    = $dsn;
$ENV{LEYE_TEST_PGDIR}  = $pgdir;
$ENV{LEYE_TEST_TMP}    = $tmp;
$ENV{LEYE_SERVER_BIN}  = $bin;
$ENV{LEYE_TEST_ROOT}   = $root;
# a fresh key for ID numbers at rest, for this run only
$ENV{LEYE_TEST_ADMIN_PASSWORD} = 'test-' . join('', map { int(rand(10)) } 1 .. 24);
$ENV{LEYE_PII_KEY}     = unpack('H*', join('', map { chr(int(rand(256))) } 1 .. 32));
$ENV{CMOCKA_MESSAGE_OUTPUT} = 'TAP';
# sanitizer reports from any process (servers included) land here and fail the run
mkdir "$tmp/sanitizer";
chmod 0777, "$tmp/sanitizer";
$ENV{ASAN_OPTIONS}  = "log_path=$tmp/sanitizer/asan:detect_leaks=1:abort_on_error=0";
$ENV{UBSAN_OPTIONS} = "log_path=$tmp/sanitizer/ubsan:print_stacktrace=1:halt_on_error=1";

my $ok = system($bin, 'migrate', "--database-url=$dsn") == 0;
my ($passed, $failed) = (0, 0);
if (!$ok) {
    print STDERR "migrations failed\n";
    $failed++;
} else {
    my @unit = sort glob("$build/tests/test_*");
    @unit = grep { -x $_ && !/\.d$/ } @unit;
    my @integ = sort glob('tests/integration/*.t');
    @integ = grep { basename($_) =~ /$ENV{TEST_ONLY}/ } @integ if $ENV{TEST_ONLY};
    my $harness = TAP::Harness->new({
        verbosity => $ENV{VERBOSE} ? 1 : 0,
        jobs      => $ENV{TEST_JOBS} || 2,
        lib       => ["$root/tests/lib"],
        exec      => sub {
            my ($h, $file) = @_;
            return [(split ' ', ($ENV{LEYE_SERVER_WRAPPER} // '')), $file] if $file !~ /\.t$/;
            return [$^X, "-I$root/tests/lib", $file];
        },
    });
    my $agg = $harness->runtests(@unit, @integ);
    # then, over every answer those suites received: the re-identification
    # and broker scans (tests/reidentify.pl) and the check of each answer and
    # each request sent as valid against docs/openapi.json
    # (tests/contract/check-answers.mjs), counted like any suite
    my $scan = TAP::Harness->new({
        verbosity => $ENV{VERBOSE} ? 1 : 0,
        exec      => sub { $_[1] =~ /\.mjs$/ ? ['node', $_[1]] : [$^X, "-I$root/tests/lib", $_[1]] },
    })->runtests('tests/reidentify.pl', 'tests/contract/check-answers.mjs');
    for my $desc (map { my $a = $_; map { [$a, $_] } $a->descriptions } $agg, $scan) {
        my ($p) = $desc->[0]->parsers($desc->[1]);
        $passed += scalar $p->passed;
        $failed += scalar $p->failed;
        # a crash, a bad plan or a non-zero exit is a failure of its own
        $failed++ if !scalar($p->failed)
                  && ($p->exit || $p->wait || $p->parse_errors
                      || (defined $p->tests_planned && $p->tests_planned != $p->tests_run));
    }
}

for my $report (glob("$tmp/sanitizer/*")) {
    print STDERR "sanitizer report $report:\n", `cat '$report'`;
    $failed++;
}
system('sh', 'scripts/pglocal.sh', 'stop', $pgdir);
system('rm', '-rf', $tmp) if !$failed || !$ENV{KEEP_TMP};
print "$passed passed, $failed failed\n";
exit($failed ? 1 : 0);
