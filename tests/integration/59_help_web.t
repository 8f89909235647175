# A household asking for help, end to end in headless Chromium
# (tests/browser/help.mjs): a person signs in at the kiosk and asks for help
# in two taps; county staff find the request among the console's
# early-warning visits and open the fairness page.  Screenshots go to
# $LEYE_TEST_ARTIFACTS/help (default tests/screenshots/help).
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;
use JSON::PP;
use Encode qw(encode_utf8);
use File::Path qw(make_path);

binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $root = $ENV{LEYE_TEST_ROOT};
my $node = browser_tools();
my $srv = start_server();
my $tag = 'hw' . ($$ % 100000);
my $county = 530922;    # 云县: no other test writes there
my $bin = $ENV{LEYE_SERVER_BIN};
sub sql_value { return psql_value(encode_utf8($_[0])) }
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); my $out = `$bin admin @_ 2>&1`; chomp $out; return $out }
my $body = sprintf('5309221987%04d%03d', 612, $$ % 1000);
my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
my $idn = $body . substr('10X98765432', $sum % 11, 1);

my $site = sql_value("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('云县${tag}安置点', $county, 24.44, 100.13, 'urban_centralized') RETURNING id");
my $hh = sql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, $county, 4) RETURNING id");
my $hash = cli("id-hash --id-number=$idn");
my $masked = substr($idn, 0, 6) . ('*' x 11) . substr($idn, 17);
my $worker = sql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex,
    phone_hash, phone_enc, phone_masked) VALUES ($hh, '杨$tag', '$hash', '\\x00', '$masked', '1987-06-12', 'F',
    '\\x00', '\\x00', '139****1234') RETURNING id");
is(http($srv, 'PUT', "/v1/workers/$worker/pin", body => { pin => '975310' })->{status}, 200, 'a PIN for the worker');
my $pw = "help-web-$$";
{ local $ENV{PW} = $pw;
  like(cli("create-user --username=$tag.c --role=county_staff --counties=$county --password-env=PW"), qr/^user \d+$/, 'county staff account'); }

my %fixture = (id_number => [split //, $idn], pin => [split //, '975310'], user => "$tag.c", password => $pw,
               household_id => 0 + $hh, due_on => days_from_today(3));
my $shots = ($ENV{LEYE_TEST_ARTIFACTS} // "$root/tests/screenshots") . '/help';
make_path($shots);
unlink glob("$shots/*.png");
my ($done, $checks) = (0, 0);
{
    local $ENV{HELP_TEST} = JSON::PP->new->utf8->canonical->encode(\%fixture);
    open(my $from, '-|', $node || 'node', "$root/tests/browser/help.mjs", "http://127.0.0.1:" . $srv->port, $shots)
        or die "node: $!";
    while (my $line = <$from>) {
        chomp $line;
        my $m = eval { JSON::PP->new->utf8->decode($line) };
        if (!$m) { diag($line); next }
        if ($m->{done}) { $done = 1; next }
        $checks++;
        ok($m->{ok}, $m->{name}) or diag($m->{detail});
    }
    close $from;
    is($? >> 8, 0, 'the browser test exited cleanly');
}
ok($done, 'the browser test ran to the end');
cmp_ok($checks, '>=', 10, 'every step reported');
is(sql_value("SELECT count(*) FROM early_warning_task WHERE household_id = $hh AND reason = 'self_application' AND help_reason = 'lost_job' AND status = 'open'"),
   1, 'the request is one open task in the database');

done_testing();
