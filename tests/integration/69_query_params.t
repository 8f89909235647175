# Every GET route of the router under /v1/ without a path parameter, called
# with an unknown query parameter, with a documented parameter repeated, and
# (where docs/openapi.json documents a cursor) with a cursor that is not one:
# each is refused with 400 and the parameter named, and nothing else is
# answered.  Routes that still accept one of these are listed in %NOT_YET:
# they run as TODO tests, which report when they start to pass.
use strict;
use warnings;
use Test::More;
use LeyeTest;

my $doc = do { local $/; open my $fh, '<', "$ENV{LEYE_TEST_ROOT}/docs/openapi.json" or die; $JSON->decode(<$fh>) };
my @routes = map { (split / /)[1] } grep { m!^GET /v1/[^{]*\z! } split /\n/, `$ENV{LEYE_SERVER_BIN} routes`;
ok(@routes > 20, scalar(@routes) . ' GET routes under /v1/ without a path parameter');

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

# route => the checks it does not pass yet: these routes ignore an unknown
# parameter, and these use the first of a repeated one
my %NOT_YET;
$NOT_YET{$_}{unknown} = 1 for qw(/v1/reports/dashboard /v1/regions /v1/match/weights /v1/auth/me
                                 /v1/reports/out-of-province);
$NOT_YET{"/v1/$_"}{repeated} = 1
    for qw(accounts allocations applications audit brokers courses early-warning-tasks employers enrolments
           export-trips followups households notifications occupations placements posts regions
           reports/dashboard reports/fairness sites training/gaps vacancies work-relief-projects workers);

my $srv = start_server();
my $own_only = qr{^/v1/(kiosk|broker)/};
for my $path (sort @routes) {
    # a kiosk session's or a broker key's own routes: see 51_kiosk_api.t, 66_notify.t
    next if $path =~ $own_only;
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
        my $r = http($srv, 'GET', "$path?$case{$kind}");
        TODO: {
            local $TODO = $NOT_YET{$path}{$kind} ? "$path does not refuse it yet" : undef;
            is($r->{status}, 400, "GET $path?$case{$kind}: 400 ($kind)")
                or diag("answered $r->{status}");
        }
    }
}
done_testing();
