# Every GET route of the router without a path parameter, called with an
# unknown query parameter, with a documented parameter repeated, and (where
# docs/openapi.json documents a cursor) with a cursor that is not one: each
# is refused with 400 and the parameter named.  A kiosk session's and a broker
# key's own routes are called with their own credentials.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;

my $doc = do { local $/; open my $fh, '<', "$ENV{LEYE_TEST_ROOT}/docs/openapi.json" or die; $JSON->decode(<$fh>) };
my @routes = map { (split / /)[1] } grep { m!^GET /[^{ ]* ! } split /\n/, `$ENV{LEYE_SERVER_BIN} routes`;
ok(@routes > 40, scalar(@routes) . ' GET routes without a path parameter');

# the query parameters an operation documents (its own and those it refers to)
sub query_params {
    my ($path) = @_;
    my @p;
    for my $p (@{ $doc->{paths}{$path}{get}{parameters} || [] }) {
        if ($p->{'$ref'}) {
            (my $name = $p->{'$ref'}) =~ s{^#/components/parameters/}{};
            $p = $doc->{components}{parameters}{$name};
        }
        push @p, $p if $p->{in} eq 'query';
    }
    return @p;
}

my $srv = start_server();

# a job seeker signed in at a kiosk, and a broker's key
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); my $out = `$ENV{LEYE_SERVER_BIN} admin @_ 2>&1`; chomp $out; return $out }
sub id_number {
    my ($serial) = @_;
    my $body = sprintf('5306211990%04d%03d', 507, $serial % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}
my $tag = "qp$$";
my $site = http($srv, 'POST', '/v1/sites', body => { name => "鲁甸${tag}安置点", county_code => 530621,
                                                     kind => 'urban_centralized' })->{json}{id};
my $hh = http($srv, 'POST', '/v1/households', body => { site_id => $site, origin_county_code => 530621, members => 2 })->{json}{id};
my $idn = id_number($$);
my $made = http($srv, 'POST', '/v1/workers', body => { household_id => $hh, name => "李$tag", id_number => $idn });
my $worker = $made->{json}{id};
ok($worker, 'a job seeker') or diag($made->{content});
is(http($srv, 'PUT', "/v1/workers/$worker/pin", body => { pin => '135246' })->{status}, 200, 'with a PIN');
my $kiosk = http($srv, 'POST', '/v1/kiosk/login', anonymous => 1, body => { id_number => $idn, pin => '135246' })->{json}{token};
ok($kiosk, 'signed in at a kiosk');
my ($broker) = cli("create-broker --name=$tag-broker") =~ /^broker (\d+)$/;
my (undef, $key) = cli("create-key --broker=$broker --scopes=vacancies:read,matches:read,applications:write --rate=1000")
    =~ /^key (\d+) (\S+) /;
like($key // '', qr/^lyb_/, "a broker's key");

for my $path (sort @routes) {
    my %as = $path =~ m{^/v1/kiosk/} ? (token => $kiosk) : $path =~ m{^/v1/broker/} ? (token => $key) : ();
    my @params = query_params($path);
    my %case = (unknown => 'leye_unknown_parameter=1');
    # a parameter given twice with a value that is valid once
    my %by = map { $_->{name} => $_ } @params;
    my @valid = (($by{limit} ? ('limit=5') : ()),
                 (map { "$_->{name}=$_->{schema}{enum}[0]" } grep { $_->{schema}{enum} } @params),
                 (map { "$_=530621" } grep { /^county(_code)?$/ } sort keys %by),
                 ($by{year} ? ('year=' . substr(days_from_today(0), 0, 4)) : ()));
    $case{repeated} = "$valid[0]&$valid[0]" if @valid;
    $case{cursor} = 'cursor=not-a-cursor' if grep { $_->{name} eq 'cursor' } @params;
    for my $kind (sort keys %case) {
        my $r = http($srv, 'GET', "$path?$case{$kind}", %as);
        is($r->{status}, 400, "GET $path?$case{$kind}: 400 ($kind)") or diag("answered $r->{status}");
        my ($name) = $case{$kind} =~ /^([^=]+)/;
        is_deeply([ map { $_->{field} } @{ $r->{json}{errors} || [] } ], [$name], "GET $path?$case{$kind}: names $name");
    }
}
done_testing();
