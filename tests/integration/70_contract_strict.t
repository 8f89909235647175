# The places where the server once said less or accepted more than its
# contract (issue 18): If-Match by strong comparison and as a list, cursors
# bound to their list, sort and filters, limit=abc, one Idempotency-Key on
# two paths, replayed action POSTs, bodies on body-less POSTs, and the
# names county_code and limit with their deprecated aliases.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;
use MIME::Base64 qw(encode_base64url);

my $srv = start_server();
my $tag = "cs$$";

sub fault {
    my ($r) = @_;
    return join ' ', $r->{status}, map { "$_->{field}:$_->{code}" } @{ $r->{json}{errors} || [] };
}

# ---------- If-Match ----------
my $site = http($srv, 'POST', '/v1/sites', body => { name => "$tag 甲", county_code => 530621, kind => 'urban_centralized' });
is($site->{status}, 201, 'a site') or diag($site->{content});
my ($id, $etag) = ($site->{json}{id}, $site->{headers}{etag});
like($etag, qr/^"\d+"$/, 'with a strong ETag');
(my $weak = $etag) =~ s/^/W\//;
my $r = http($srv, 'PATCH', "/v1/sites/$id", body => { households => 10 }, headers => { 'If-Match' => $weak });
is($r->{status}, 412, 'a weak tag never matches, even of the current version');
is(http($srv, 'GET', "/v1/sites/$id")->{json}{households} // 0, $site->{json}{households} // 0, 'and nothing changed');
$r = http($srv, 'PATCH', "/v1/sites/$id", body => { households => 11 }, headers => { 'If-Match' => qq{"999999", $weak} });
is($r->{status}, 412, 'a list of a stale tag and a weak one does not match');
$r = http($srv, 'PATCH', "/v1/sites/$id", body => { households => 12 }, headers => { 'If-Match' => qq{"999999", $etag} });
is($r->{status}, 200, 'a list holding the current tag matches');
is($r->{json}{households}, 12, 'and the change is made');
$etag = $r->{headers}{etag};
$r = http($srv, 'PATCH', "/v1/sites/$id", body => { households => 13 }, headers => { 'If-Match' => '*' });
is($r->{status}, 200, '* matches an existing record');
is(http($srv, 'PATCH', '/v1/sites/999999999', body => { households => 1 }, headers => { 'If-Match' => '*' })->{status}, 404,
   'and no record that does not exist');
is(http($srv, 'PATCH', "/v1/sites/$id", body => { households => 14 }, headers => { 'If-Match' => $etag })->{status}, 412,
   'a tag of an older version still fails');

# ---------- cursors ----------
for my $n (qw(乙 丙)) {
    is(http($srv, 'POST', '/v1/sites', body => { name => "$tag $n", county_code => 530621, kind => 'urban_centralized' })->{status},
       201, "site $n");
}
$r = http($srv, 'GET', "/v1/sites?q=$tag&limit=1");
my $cursor = $r->{json}{next_cursor};
ok($cursor, 'a first page with a cursor');
$r = http($srv, 'GET', "/v1/sites?q=$tag&limit=1&cursor=$cursor");
is($r->{status}, 200, 'the cursor pages its own list');
isnt($r->{json}{items}[0]{id}, $id, 'to the next record');
is(fault(http($srv, 'GET', "/v1/employers?limit=1&cursor=$cursor")), '400 cursor:not_this_list', 'not another list');
is(fault(http($srv, 'GET', "/v1/sites?q=${tag}x&limit=1&cursor=$cursor")), '400 cursor:not_this_list', 'nor other filters');
is(fault(http($srv, 'GET', "/v1/sites?q=$tag&county_code=530621&limit=1&cursor=$cursor")), '400 cursor:not_this_list',
   'nor one more filter');
is(fault(http($srv, 'GET', "/v1/sites?q=$tag&sort=name&limit=1&cursor=$cursor")), '400 cursor:not_this_list', 'nor another sort');
my ($pos, $mac) = split /\./, $cursor;
my $tampered = encode_base64url('{"id":1}') . ".$mac";
is(fault(http($srv, 'GET', "/v1/sites?q=$tag&limit=1&cursor=$tampered")), '400 cursor:not_this_list', 'nor an altered position');
is(fault(http($srv, 'GET', "/v1/sites?q=$tag&limit=1&cursor=" . encode_base64url('{"id":1}'))), '400 cursor:invalid_format',
   'a position without its signature is not a cursor');
is(fault(http($srv, 'GET', "/v1/sites?q=$tag&limit=1&cursor=${pos}.")), '400 cursor:invalid_format', 'nor one with an empty signature');

# ---------- limit ----------
is(fault(http($srv, 'GET', '/v1/sites?limit=abc')), '400 limit:invalid', 'limit=abc is not a number');
is(fault(http($srv, 'GET', '/v1/sites?limit=0')), '400 limit:out_of_range', 'limit=0 is out of range');
is(fault(http($srv, 'GET', '/v1/sites?limit=10000')), '400 limit:out_of_range', 'limit=10000 is out of range');
is(fault(http($srv, 'GET', '/v1/audit?limit=abc')), '400 limit:invalid', 'on every list');

# ---------- one name for one thing ----------
is(fault(http($srv, 'GET', '/v1/reports/dashboard?county=530621')), '400 county:unknown_field', 'the dashboard names no county');
is(http($srv, 'GET', '/v1/reports/dashboard?county_code=530621')->{status}, 200, 'it takes county_code');
my $year = substr(days_from_today(0), 0, 4);
is(fault(http($srv, 'GET', "/v1/reports/quarterly?year=$year&quarter=1&county_code=abc")), '400 county_code:invalid',
   'the quarterly report knows county_code');
is(fault(http($srv, 'GET', "/v1/reports/quarterly?year=$year&quarter=1&county_code=530621&county=530621")),
   '400 county:not_allowed', 'and not with its deprecated alias');
is(fault(http($srv, 'GET', '/v1/regions?x=1')), '400 x:unknown_field', 'a public list refuses an unknown parameter');
is(fault(http($srv, 'GET', '/v1/auth/me?x=1')), '400 x:unknown_field', 'and so does /v1/auth/me');
is(fault(http($srv, 'GET', "/v1/sites?q=$tag&q=$tag")), '400 q:repeated', 'a parameter given twice');

# ---------- Idempotency-Key ----------
my %skill = (code => "${tag}_k", name_zh => '测试', name_en => 'Test', category => 'services');
$r = http($srv, 'POST', '/v1/skills', body => \%skill, headers => { 'Idempotency-Key' => "$tag-1" });
is($r->{status}, 201, 'a skill under a key');
$r = http($srv, 'POST', '/v1/certificate-types', body => \%skill, headers => { 'Idempotency-Key' => "$tag-1" });
is(fault($r), '422 Idempotency-Key:idempotency_mismatch', 'the same key and body on another path is another request');
is(psql_value("SELECT count(*) FROM certificate_type WHERE code = '${tag}_k'"), 0, 'and nothing is made there');

my %acct;
for my $k (qw(a b)) {
    $r = http($srv, 'POST', '/v1/accounts', body => { username => "$tag.$k", display_name => "测$k", role => 'viewer' });
    is($r->{status}, 201, "account $k");
    $acct{$k} = $r->{json}{id};
}
$r = http($srv, 'POST', "/v1/accounts/$acct{a}/lock", headers => { 'Idempotency-Key' => "$tag-lock" });
is($r->{status}, 200, 'an action under a key');
my $events = psql_value("SELECT count(*) FROM audit_log WHERE resource_id = '$acct{a}' AND resource ~ 'account'");
my $again = http($srv, 'POST', "/v1/accounts/$acct{a}/lock", headers => { 'Idempotency-Key' => "$tag-lock" });
is_deeply([ $again->{status}, $again->{headers}{'idempotent-replayed'} ], [ 200, 'true' ], 'its retry gets the first answer');
is($again->{content}, $r->{content}, 'the same body');
is(psql_value("SELECT count(*) FROM audit_log WHERE resource_id = '$acct{a}' AND resource ~ 'account'"), $events,
   'and does nothing more');
$r = http($srv, 'POST', "/v1/accounts/$acct{b}/lock", headers => { 'Idempotency-Key' => "$tag-lock" });
is(fault($r), '422 Idempotency-Key:idempotency_mismatch', 'the key on another record is refused');
$r = http($srv, 'POST', "/v1/accounts/$acct{a}/unlock", headers => { 'Idempotency-Key' => "$tag-lock" });
is(fault($r), '422 Idempotency-Key:idempotency_mismatch', 'and on another action');
$r = http($srv, 'POST', "/v1/accounts/$acct{a}/lock", body => {}, headers => { 'Idempotency-Key' => "$tag-lock" });
is(fault($r), '422 Idempotency-Key:idempotency_mismatch', 'and with another body');
is(psql_value("SELECT locked_at IS NULL FROM staff_account WHERE id = $acct{b}"), 't', 'account b was not locked');
is(fault(http($srv, 'POST', "/v1/accounts/$acct{b}/lock", headers => { 'Idempotency-Key' => '' })),
   '400 Idempotency-Key:invalid_format', 'an empty key is refused');

# ---------- bodies on body-less POSTs ----------
my $session = login($srv, 'leye-test-admin', $ENV{LEYE_TEST_ADMIN_PASSWORD});
for my $body ('[[[', '{}', 'x') {
    $r = http($srv, 'POST', '/v1/auth/logout', token => $session, body => $body,
              headers => { 'Content-Type' => 'application/json' });
    is(fault($r), '400 body:not_allowed', "logout refuses the body $body");
}
is(http($srv, 'GET', '/v1/auth/me', token => $session)->{status}, 200, 'and the session goes on');
is(http($srv, 'POST', '/v1/auth/logout', token => $session)->{status}, 204, 'logout without a body');
is(http($srv, 'GET', '/v1/auth/me', token => $session)->{status}, 401, 'ends it');
done_testing();
