# GET /metrics: Prometheus text that a scraper can parse, with request
# counts by route and status, latency histograms and pool figures; only for
# the bearer token configured in LEYE_METRICS_TOKEN, and off without one.
use strict;
use warnings;
use Test::More;
use LeyeTest;

my $srv = start_server();
http($srv, 'GET', '/healthz') for 1 .. 3;
http($srv, 'GET', '/v1/regions/530102');
http($srv, 'GET', '/no/such');
my $r;
ok(wait_until(sub { $r = http($srv, 'GET', '/metrics'); $r->{content} =~ /route="\/healthz".*status="200"\} [3-9]/ }, 2),
   'metrics count the requests');
is($r->{status}, 200, '/metrics answers 200');
like($r->{headers}{'content-type'}, qr{^text/plain; version=0\.0\.4}, 'in the Prometheus text format');

# parse every line the way a scraper does
my (%type, %samples, $bad);
for my $line (split /\n/, $r->{content}) {
    if ($line =~ /^# TYPE (\w+) (counter|gauge|histogram)$/) { $type{$1} = $2; next }
    next if $line =~ /^# HELP \w+ .+$/;
    if ($line =~ /^(\w+)(\{(?:\w+="(?:[^"\\]|\\.)*"(?:,\w+="(?:[^"\\]|\\.)*")*)\})? (-?[0-9.e+]+|\+Inf|NaN)$/) {
        push @{ $samples{$1} }, [$2 // '', $3];
        next;
    }
    $bad++;
    diag("unparsable line: $line");
}
ok(!$bad, 'every line parses');
for my $name (keys %samples) {
    (my $family = $name) =~ s/_(bucket|sum|count)$//;
    ok($type{$name} || $type{$family}, "$name has a TYPE") or last;
}
my ($healthz) = grep { $_->[0] =~ /route="\/healthz"/ && $_->[0] =~ /status="200"/ } @{ $samples{leye_http_requests_total} };
ok($healthz && $healthz->[1] >= 3, 'requests by route and status');
ok((grep { $_->[0] =~ /route="unmatched".*status="404"/ } @{ $samples{leye_http_requests_total} }), 'unmatched requests are counted');
my @buckets = grep { $_->[0] =~ /route="\/v1\/regions\/\{code\}"/ } @{ $samples{leye_http_request_duration_seconds_bucket} };
ok(@buckets > 5, 'a latency histogram per route');
is($buckets[-1][1], 1, 'whose +Inf bucket holds every request');
ok(defined $samples{leye_db_pool_size}, 'database pool size');
ok(defined $samples{leye_db_pool_waiting}, 'database wait queue');
ok(defined $samples{leye_http_connections}, 'open connections');

# who may scrape
my $none = http($srv, 'GET', '/metrics', anonymous => 1);
is($none->{status}, 401, 'without a token: 401');
like($none->{headers}{'www-authenticate'} // '', qr/^Bearer /, 'asking for a bearer token');
unlike($none->{content}, qr/leye_/, 'and no figures');
is(http($srv, 'GET', '/metrics', token => metrics_token() . 'x')->{status}, 401, 'a wrong token: 401');
is(http($srv, 'GET', '/metrics', token => substr(metrics_token(), 0, -1))->{status}, 401, 'a token cut short: 401');
is(http($srv, 'GET', '/metrics', headers => { Authorization => 'Basic ' . metrics_token() })->{status}, 401,
   'the token in another scheme: 401');
is(http($srv, 'GET', '/metrics', token => $srv->token)->{status}, 401, "an administrator's session token: 401");
my $right = http($srv, 'GET', '/metrics', token => metrics_token());
is($right->{status}, 200, 'the right token: 200');
like($right->{content}, qr/^leye_http_requests_total/m, 'with the figures');

my $off = start_server(env => { LEYE_METRICS_TOKEN => '' });
is(http($off, 'GET', '/metrics', token => metrics_token())->{status}, 404, 'with no token configured /metrics is off: 404');
is(http($off, 'GET', '/metrics', anonymous => 1)->{status}, 404, 'for everyone');
my $short = start_server(env => { LEYE_METRICS_TOKEN => 'too-short' }, may_fail => 1);
ok(!$short->{port}, 'a server with a token under 16 characters does not start');
like($short->log_text, qr/LEYE_METRICS_TOKEN/, 'and says why');
done_testing();
