# The access-control matrix: every route, called as anonymous, as each staff
# role, as a kiosk session and as a broker key with and without each scope,
# gets 401/403 exactly when its policy says so.
use strict;
use warnings;
use Test::More;
use LeyeTest;

my $bin = $ENV{LEYE_SERVER_BIN};
my %policy;
for (split /\n/, `$bin policies`) {
    my ($name, $roles, $scope) = split / /;
    $policy{$name} = { roles => { map { $_ => 1 } split /,/, $roles }, scope => $scope };
}
my @routes = map { [split / /] } split /\n/, `$bin routes`;
ok(@routes > 5, scalar(@routes) . ' routes');
for my $r (@routes) {
    ok($policy{ $r->[2] }, "$r->[0] $r->[1] names a policy in the table ($r->[2])");
}

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
for my $scopes ('vacancies:read', 'matches:read', 'applications:write', 'vacancies:read,matches:read,applications:write') {
    my ($key) = cli("create-key --broker=$broker --scopes=$scopes --rate=100000") =~ /^key \d+ (\S+)$/;
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
    [anonymous => undef, undef],
    (map { [$_ => $token{$_}, undef] } qw(admin county_staff site_staff viewer kiosk)),
    (map { ["broker($_)" => $broker_keys{$_}, $_] } sort keys %broker_keys),
);
# logging out ends the caller's session: those routes go last
for my $r ((grep { $_->[1] !~ /logout$/ } @routes), (sort { $b->[1] cmp $a->[1] } grep { $_->[1] =~ /logout$/ } @routes)) {
    my ($method, $pattern, $pname) = @$r;
    my $pol = $policy{$pname} or next;
    (my $path = $pattern) =~ s/\{[^}]+\}/999999/g;
    $path = '/v1/regions/530102' if $pattern eq '/v1/regions/{code}';
    for my $c (@callers) {
        my ($who, $tok, $scope) = @$c;
        my $role = $who =~ /^broker/ ? 'broker' : $who;
        my $allowed = $pol->{roles}{$role} && ($role ne 'broker' || $pol->{scope} eq '-' || $scope =~ /\Q$pol->{scope}\E/);
        # logging out ends the session: do it with a fresh one
        if ($pattern =~ /logout$/ && $tok) {
            $tok = $who eq 'kiosk' ? http($srv, 'POST', '/v1/kiosk/login', anonymous => 1,
                                          body => { id_number => $id_number, pin => '111111' })->{json}{token}
                 : $who eq 'admin' ? login($srv, 'leye-test-admin', $ENV{LEYE_TEST_ADMIN_PASSWORD})
                 : $who =~ /^(county_staff|site_staff|viewer)$/
                     ? login($srv, "$tag." . substr($who, 0, 1), 'matrix-password-1') : $tok;
        }
        my $res = http($srv, $method, $path, ($tok ? (token => $tok) : (anonymous => 1)),
                       ($method =~ /^(POST|PUT|PATCH)$/ ? (body => {}, headers => { 'If-Match' => '"1"' }) : ()));
        my $s = $res->{status};
        if ($allowed) {
            ok($s != 401 && $s != 403 && $s != 429, "$method $pattern as $who: allowed ($s)");
        } else {
            is($s, $tok ? 403 : 401, "$method $pattern as $who: refused");
        }
    }
}
done_testing();
