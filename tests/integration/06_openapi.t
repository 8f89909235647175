# The OpenAPI document and the router agree: every route is documented and
# every documented operation is routed.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;

my $doc = do { local $/; open my $fh, '<', "$ENV{LEYE_TEST_ROOT}/docs/openapi.json" or die; $JSON->decode(<$fh>) };
is($doc->{openapi}, '3.1.0', 'OpenAPI 3.1');
my $root = $ENV{LEYE_TEST_ROOT};
my $merged = `perl $root/scripts/openapi-merge.pl $root/docs/openapi/*.json`;
is_deeply($JSON->decode($merged), $doc, 'docs/openapi.json is up to date with docs/openapi/*.json');

my %routed;
for (split /\n/, `$ENV{LEYE_SERVER_BIN} routes`) {
    my ($method, $path, $policy) = split / /;
    $routed{"$method $path"} = $policy;
}
ok(scalar keys %routed, 'the server lists its routes');

my %documented;
for my $path (keys %{ $doc->{paths} }) {
    for my $m (keys %{ $doc->{paths}{$path} }) {
        next unless $m =~ /^(get|post|put|patch|delete)$/;
        my $op = $doc->{paths}{$path}{$m};
        $documented{ uc($m) . " $path" } = 1;
        ok($op->{operationId}, "$m $path has an operationId");
        ok($op->{responses} && %{ $op->{responses} }, "$m $path documents its responses");
    }
}
for my $r (sort keys %routed) { ok($documented{$r}, "routed $r is documented") }
for my $d (sort keys %documented) { ok($routed{$d}, "documented $d is routed") }
for my $r (sort keys %routed) { ok($routed{$r}, "$r declares a policy") }

# a live server serves the same document
my $srv = start_server();
is_deeply(http($srv, 'GET', '/openapi.json')->{json}, $doc, 'the server serves docs/openapi.json');
done_testing();
