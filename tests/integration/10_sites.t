# Resettlement sites: create, read, update, list, and the request rules every
# resource shares (content type, malformed JSON, unknown fields, ETag/If-Match,
# Idempotency-Key, keyset paging, CSV export).
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;

my $srv = start_server();
my $tag = 'S' . $$ . int(rand(1e6));
my $count_sql = "SELECT count(*) FROM site WHERE name LIKE '$tag%'";

# --- create
my $r = http($srv, 'POST', '/v1/sites', body => { name => "$tag 卯家湾", county_code => 530621,
                                                  kind => 'urban_centralized', households => 8322, people => 35585 });
is($r->{status}, 201, 'create answers 201');
my $site = $r->{json};
like($r->{headers}{location}, qr{^/v1/sites/$site->{id}$}, 'with Location');
is($r->{headers}{etag}, '"1"', 'with an ETag');
is($site->{county_name}, '鲁甸县', 'county name resolved');
ok(abs($site->{lat} - 27.19) < 0.1, 'coordinates default to the county centre');

# --- the shared request rules
$r = http($srv, 'POST', '/v1/sites', body => '{"name":"x"}', headers => { 'Content-Type' => 'text/plain' });
is($r->{status}, 415, 'a body that is not JSON by content type gets 415');
is($r->{json}{code}, 'unsupported_media_type', '415 problem code');
$r = http($srv, 'POST', '/v1/sites', body => '{"name": "x",', headers => { 'Content-Type' => 'application/json' });
is($r->{status}, 400, 'malformed JSON gets 400');
is($r->{json}{code}, 'malformed_json', 'malformed_json code');
$r = http($srv, 'POST', '/v1/sites', body => '{"name":"a","name":"b"}', headers => { 'Content-Type' => 'application/json' });
is($r->{status}, 400, 'duplicate keys are malformed JSON');
$r = http($srv, 'POST', '/v1/sites', body => ('[' x 10000) . (']' x 10000), headers => { 'Content-Type' => 'application/json' });
is($r->{status}, 400, 'JSON nested 10,000 deep is refused');
$r = http($srv, 'POST', '/v1/sites', body => "{\"name\":\"a\xff\"}", headers => { 'Content-Type' => 'application/json' });
is($r->{status}, 400, 'invalid UTF-8 is refused');
$r = http($srv, 'POST', '/v1/sites', body => '{"name":"a\u0000b","county_code":530621,"kind":"scattered"}', headers => { 'Content-Type' => 'application/json' });
is($r->{status}, 400, 'a NUL inside a string is refused');
$r = http($srv, 'POST', '/v1/sites', body => '{"name":"x","county_code":530621,"kind":"scattered"}', headers => { 'Content-Type' => 'application/json; charset=gbk' });
is($r->{status}, 415, 'a charset other than UTF-8 gets 415');

sub field_errors { my ($r) = @_; return { map { $_->{field} => $_->{code} } @{ $r->{json}{errors} || [] } } }

$r = http($srv, 'POST', '/v1/sites', body => { name => '', county_code => 999999, kind => 'tent', lat => 'north', extra => 1 });
is($r->{status}, 422, 'invalid fields get 422');
is($r->{json}{code}, 'validation_failed', 'validation_failed');
is_deeply(field_errors($r), { name => 'required', county_code => 'invalid_format', kind => 'unknown_value',
                              lat => 'invalid_type', extra => 'unknown_field' }, 'each bad field is named with its reason');
$r = http($srv, 'POST', '/v1/sites', body => { name => "$tag x", county_code => 530100, kind => 'scattered' });
is($r->{status}, 422, 'a prefecture is not a county');
is_deeply(field_errors($r), { county_code => 'not_found' }, 'county_code not_found');
$r = http($srv, 'POST', '/v1/sites', body => { name => "$tag x", county_code => 530621, kind => 'scattered', households => -1, lat => 40 });
is_deeply(field_errors($r), { households => 'out_of_range', lat => 'out_of_range' }, 'numbers out of range');
$r = http($srv, 'POST', '/v1/sites', body => { name => "$tag x", county_code => 530621, kind => 'scattered', households => 99999999999999999999 });
is($r->{status}, 422, 'a number that overflows is refused');
$r = http($srv, 'POST', '/v1/sites', body => { name => "$tag " . ('长' x 101), county_code => 530621, kind => 'scattered' });
is_deeply(field_errors($r), { name => 'too_long' }, 'a name over 100 characters is too long');
is(psql_value($count_sql), 1, 'none of the bad requests changed the database');

# --- read
$r = http($srv, 'GET', "/v1/sites/$site->{id}");
is($r->{status}, 200, 'read answers 200');
is($r->{json}{name}, "$tag 卯家湾", 'with the data');
is($r->{headers}{etag}, '"1"', 'and the ETag');
is(http($srv, 'GET', '/v1/sites/999999999')->{status}, 404, 'unknown id: 404');
is(http($srv, 'GET', '/v1/sites/abc')->{status}, 404, 'malformed id: 404');
is(http($srv, 'GET', '/v1/sites/99999999999999999999999')->{status}, 404, 'an id that overflows: 404');

# --- update with If-Match
$r = http($srv, 'PATCH', "/v1/sites/$site->{id}", body => { people => 36000 });
is($r->{status}, 428, 'an update without If-Match gets 428');
$r = http($srv, 'PATCH', "/v1/sites/$site->{id}", body => { people => 36000 }, headers => { 'If-Match' => '"1"' });
is($r->{status}, 200, 'an update with the current ETag succeeds');
is($r->{json}{people}, 36000, 'the change is made');
is($r->{headers}{etag}, '"2"', 'the ETag moves on');
$r = http($srv, 'PATCH', "/v1/sites/$site->{id}", body => { people => 1 }, headers => { 'If-Match' => '"1"' });
is($r->{status}, 412, 'a stale If-Match gets 412');
is(psql_value("SELECT people FROM site WHERE id = $site->{id}"), 36000, 'and changes nothing');
$r = http($srv, 'PATCH', "/v1/sites/$site->{id}", body => { kind => 'castle' }, headers => { 'If-Match' => '"2"' });
is($r->{status}, 422, 'an invalid update gets 422');
$r = http($srv, 'PATCH', "/v1/sites/$site->{id}", body => {}, headers => { 'If-Match' => '"2"' });
is($r->{status}, 422, 'an empty update gets 422');
$r = http($srv, 'PATCH', "/v1/sites/$site->{id}", body => { id => 5 }, headers => { 'If-Match' => '"2"' });
is_deeply(field_errors($r), { id => 'unknown_field' }, 'the id cannot be set');

# --- Idempotency-Key: 20 concurrent retries make one row
my $key = "idem-$tag";
my $body = { name => "$tag 靖安", county_code => 530602, kind => 'urban_centralized' };
my @pids;
for my $i (1 .. 20) {
    my $pid = fork();
    if (!$pid) {
        my $res = http($srv, 'POST', '/v1/sites', body => $body, headers => { 'Idempotency-Key' => $key });
        exit($res->{status} == 201 && $res->{json}{id} ? 0 : 1);
    }
    push @pids, $pid;
}
my $ok = 0;
for (@pids) { waitpid($_, 0); $ok++ if $? == 0 }
is($ok, 20, 'twenty concurrent retries all get 201');
is(psql_value("SELECT count(*) FROM site WHERE name = '$tag 靖安'"), 1, 'and exactly one row exists');
$r = http($srv, 'POST', '/v1/sites', body => $body, headers => { 'Idempotency-Key' => $key });
is($r->{headers}{'idempotent-replayed'}, 'true', 'a replay is marked');
$r = http($srv, 'POST', '/v1/sites', body => { %$body, people => 5 }, headers => { 'Idempotency-Key' => $key });
is($r->{status}, 422, 'the same key with a different body is refused');
is_deeply(field_errors($r), { 'Idempotency-Key' => 'idempotency_mismatch' }, 'naming the key');

# --- list, filters, paging to the end
for my $i (1 .. 7) {
    http($srv, 'POST', '/v1/sites', body => { name => sprintf('%s p%02d', $tag, $i), county_code => $i % 2 ? 530621 : 530602,
                                             kind => $i % 3 ? 'scattered' : 'rural_centralized' });
}
my (@names, $cursor, $pages);
do {
    $r = http($srv, 'GET', "/v1/sites?q=$tag&sort=name&limit=3" . ($cursor ? "&cursor=$cursor" : ''));
    is($r->{status}, 200, 'a page') if !$pages;
    push @names, map { $_->{name} } @{ $r->{json}{items} };
    $cursor = $r->{json}{next_cursor};
    $pages++;
} while ($cursor && $pages < 10);
is(scalar @names, 9, 'paging to the end returns every row once');
is_deeply(\@names, [sort @names], 'in name order');
is($pages, 3, 'in three pages of three');
$r = http($srv, 'GET', "/v1/sites?q=$tag&county_code=530602");
is(scalar @{ $r->{json}{items} }, 4, 'county filter');
ok(!(grep { $_->{county_code} != 530602 } @{ $r->{json}{items} }), 'only that county');
$r = http($srv, 'GET', "/v1/sites?q=$tag&kind=rural_centralized");
is(scalar @{ $r->{json}{items} }, 2, 'kind filter');
$r = http($srv, 'GET', "/v1/sites?q=$tag&archived=true");
is(scalar @{ $r->{json}{items} }, 0, 'archived filter');
$r = http($srv, 'GET', '/v1/sites?colour=red');
is($r->{status}, 400, 'an unknown filter is refused');
is($r->{json}{errors}[0]{field}, 'colour', 'naming it');
is(http($srv, 'GET', '/v1/sites?kind=castle')->{status}, 400, 'a bad filter value is refused');
is(http($srv, 'GET', '/v1/sites?limit=500')->{status}, 400, 'limit over 200 is refused');
is(http($srv, 'GET', '/v1/sites?cursor=!!!')->{status}, 400, 'a forged cursor is refused');
is(http($srv, 'GET', '/v1/sites?sort=colour')->{status}, 400, 'an unknown sort is refused');

# --- archive instead of delete
$r = http($srv, 'PATCH', "/v1/sites/$site->{id}", body => { archived => JSON::PP::true }, headers => { 'If-Match' => '"2"' });
is($r->{json}{archived}, JSON::PP::true, 'a site is archived');
is(http($srv, 'DELETE', "/v1/sites/$site->{id}")->{status}, 405, 'sites are never deleted');

# --- CSV export of the whole filtered list
$r = http($srv, 'GET', "/v1/sites?q=$tag&format=csv&sort=name");
is($r->{status}, 200, 'CSV export');
like($r->{headers}{'content-type'}, qr{^text/csv}, 'as text/csv');
my @lines = grep { length } split /\r\n/, $r->{content};
is(scalar @lines, 1 + 8, 'a header and every matching row (the archived one excluded)');
like($lines[0], qr/\bname\b/, 'the header names the columns');

done_testing();
