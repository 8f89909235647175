# The access-control matrix: every route, called as anonymous, as each staff
# role, as a kiosk session and as a broker key with each scope, answers as
# docs/access.csv says.  That file is written and reviewed as a document, apart
# from the code: a wrong entry in the server's policy table fails here.
#   allowed    neither 401 nor 403 (nor 429)
#   denied     401 without a token; 403 with one (401 on /metrics, which takes
#              only its own token)
#   not_found  404, as if the route did not exist for that caller
use strict;
use warnings;
use Test::More;
use LeyeTest;

my $bin = $ENV{LEYE_SERVER_BIN};
my $csv = "$ENV{LEYE_TEST_ROOT}/docs/access.csv";
open(my $fh, '<', $csv) or die "$csv: $!";
chomp(my $header = <$fh>);
my @cols = split /,/, $header;
is_deeply([ @cols[0, 1] ], [ 'method', 'route' ], 'docs/access.csv: method, route, then one column per kind of caller');
my @kinds = @cols[2 .. $#cols];
is_deeply(\@kinds, [ qw(anonymous admin county_staff site_staff viewer kiosk
                         broker_vacancies_read broker_matches_read broker_applications_write) ],
          'the kinds of caller');
my (%expect, @rows);
while (my $line = <$fh>) {
    chomp $line;
    next if $line eq '';
    my ($method, $route, @v) = split /,/, $line, -1;
    ok(@v == @kinds && !grep({ !/^(allowed|denied|not_found)$/ } @v), "$method $route: one of allowed, denied, not_found per caller")
        or next;
    ok(!$expect{"$method $route"}, "$method $route is listed once");
    $expect{"$method $route"} = { map { $kinds[$_] => $v[$_] } 0 .. $#kinds };
    push @rows, [ $method, $route ];
}
close $fh;

# the router's routes and the document's rows are the same set
my %served = map { my ($m, $p) = split / /; ("$m $p" => 1) } split /\n/, `$bin routes`;
ok(keys(%served) > 5, scalar(keys %served) . ' routes served');
ok($expect{$_}, "$_ is in docs/access.csv") for sort keys %served;
ok($served{$_}, "$_ in docs/access.csv is a route the server serves") for sort keys %expect;

my $srv = start_server();
my $tag = 'mx' . $$ . int(rand(1e5));
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); local $ENV{PW} = 'matrix-password-1'; my $o = `$bin admin @_ 2>&1`; chomp $o; $o }
my $site = http($srv, 'POST', '/v1/sites', body => { name => $tag, county_code => 530621, kind => 'scattered' })->{json}{id};
my %token = (admin => admin_token($srv));
cli("create-user --username=$tag.c --role=county_staff --counties=530621 --password-env=PW");
cli("create-user --username=$tag.s --role=site_staff --sites=$site --password-env=PW");
cli("create-user --username=$tag.v --role=viewer --password-env=PW");
$token{county_staff} = login($srv, "$tag.c", 'matrix-password-1');
$token{site_staff} = login($srv, "$tag.s", 'matrix-password-1');
$token{viewer} = login($srv, "$tag.v", 'matrix-password-1');
my ($broker) = cli("create-broker --name=$tag") =~ /(\d+)/;
my %broker_keys;
for my $scopes ('vacancies:read', 'matches:read', 'applications:write') {
    my ($key) = cli("create-key --broker=$broker --scopes=$scopes --rate=100000") =~ /^key \d+ (\S+) /m;
    $broker_keys{$scopes} = $key;
}
# a kiosk session for a worker with a valid ID number unique to this run
my $body = sprintf('5306211985%04d%03d', 202, $$ % 1000);
my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
my $id_number = $body . substr('10X98765432', $sum % 11, 1);
my $hash = cli("id-hash --id-number=$id_number");
my $hh = psql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, 530621, 3) RETURNING id");
my $worker = psql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex)
    VALUES ($hh, '$tag', '$hash', '\\x00', 'x', '1985-01-01', 'F') RETURNING id");
{ local $ENV{PIN} = '111111'; cli("reset-pin --worker=$worker --pin-env=PIN"); }
$token{kiosk} = http($srv, 'POST', '/v1/kiosk/login', anonymous => 1, body => { id_number => $id_number, pin => '111111' })->{json}{token};
ok($token{kiosk}, 'a kiosk session');

my @callers = (
    [anonymous => undef, 'anonymous'],
    (map { [$_ => $token{$_}, $_] } qw(admin county_staff site_staff viewer kiosk)),
    (map { (my $k = "broker_$_") =~ s/:/_/; ["broker($_)" => $broker_keys{$_}, $k] }
         qw(vacancies:read matches:read applications:write)),
);
# a body goes only to operations that document one (docs/openapi.json)
my $doc = do { local $/; open my $dfh, '<', "$ENV{LEYE_TEST_ROOT}/docs/openapi.json" or die; $JSON->decode(<$dfh>) };
sub takes_body { my ($m, $p) = @_; return $doc->{paths}{$p} && $doc->{paths}{$p}{lc $m}{requestBody} }
# logging out ends the caller's session: those routes go last
for my $r ((grep { $_->[1] !~ /logout$/ } @rows), (sort { $b->[1] cmp $a->[1] } grep { $_->[1] =~ /logout$/ } @rows)) {
    my ($method, $pattern) = @$r;
    next unless $served{"$method $pattern"};
    (my $path = $pattern) =~ s/\{[^}]+\}/999999/g;
    $path = '/v1/regions/530102' if $pattern eq '/v1/regions/{code}';
    for my $c (@callers) {
        my ($who, $tok, $kind) = @$c;
        my $want = $expect{"$method $pattern"}{$kind};
        # logging out ends the session: do it with a fresh one
        if ($pattern =~ /logout$/ && $tok) {
            $tok = $who eq 'kiosk' ? http($srv, 'POST', '/v1/kiosk/login', anonymous => 1,
                                          body => { id_number => $id_number, pin => '111111' })->{json}{token}
                 : $who eq 'admin' ? login($srv, 'leye-test-admin', $ENV{LEYE_TEST_ADMIN_PASSWORD})
                 : $who =~ /^(county_staff|site_staff|viewer)$/
                     ? login($srv, "$tag." . substr($who, 0, 1), 'matrix-password-1') : $tok;
        }
        my $res = http($srv, $method, $path, ($tok ? (token => $tok) : (anonymous => 1)),
                       ($method =~ /^(POST|PUT|PATCH)$/ ? (headers => { 'If-Match' => '"1"' }) : ()),
                       (takes_body($method, $pattern) ? (body => {}) : ()));
        my $s = $res->{status};
        if ($want eq 'allowed') {
            ok($s != 401 && $s != 403 && $s != 429, "$method $pattern as $who: allowed ($s)");
        } elsif ($want eq 'not_found') {
            is($s, 404, "$method $pattern as $who: not found");
        } else {
            is($s, !$tok || $pattern eq '/metrics' ? 401 : 403, "$method $pattern as $who: denied");
        }
    }
}
done_testing();
