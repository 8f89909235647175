# Accounts without the command line: administrators create staff accounts
# with a password the server makes and shows once, reset passwords, lock and
# unlock, read sign-in history, reset kiosk PINs, register brokers and their
# keys.  County staff manage only their own sites' staff.  Bad input changes
# nothing.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;
use MIME::Base64 ();

my $srv = start_server();
my $tag = 'ac' . $$ . int(rand(1e5));
my $bin = $ENV{LEYE_SERVER_BIN};
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); my $out = `$bin admin @_ 2>&1`; chomp $out; return $out }
sub accounts { psql_value("SELECT count(*) FROM staff_account WHERE username LIKE '$tag%'") }

my $site = http($srv, 'POST', '/v1/sites', body => { name => "$tag 本县点", county_code => 530621, kind => 'scattered' })->{json}{id};
my $far = http($srv, 'POST', '/v1/sites', body => { name => "$tag 外县点", county_code => 530602, kind => 'scattered' })->{json}{id};
ok($site && $far, 'two sites in two counties');

# --- an administrator creates a county staff account; the password is shown once
my $r = http($srv, 'POST', '/v1/accounts', body => { username => "$tag.c", display_name => '李县', role => 'county_staff',
                                                    county_codes => [530621] });
is($r->{status}, 201, 'an administrator creates a county staff account');
like($r->{headers}{location}, qr{^/v1/accounts/\d+$}, 'with its address');
is($r->{headers}{'cache-control'}, 'no-store', 'the answer with the password is not cached');
my $cpw = $r->{json}{password};
like($cpw, qr/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/, 'a password made by the server');
my $cid = $r->{json}{id};
is(psql_value("SELECT count(*) FROM staff_account WHERE id = $cid AND password_hash LIKE '\$argon2id\$%'"), 1,
   'only its Argon2id hash is kept');
ok(!exists http($srv, 'GET', "/v1/accounts/$cid")->{json}{password}, 'reading the account again does not show it');
my $ctok = login($srv, "$tag.c", $cpw);
ok($ctok, 'the new account signs in with it');

my $a = psql_value("SELECT detail::text FROM audit_log WHERE resource = 'staff_account' AND resource_id = '$cid' AND action = 'insert'");
like($a, qr/password_hash/, 'the creation is audited');
unlike($a, qr/argon2/, 'without the hash');

# --- bad input: refused, naming the field, nothing written
my $before = accounts();
$r = http($srv, 'POST', '/v1/accounts', body => { username => "$tag.C!", role => 'viewer' });
is($r->{status}, 422, 'a user name with capitals and punctuation is refused');
is($r->{json}{errors}[0]{field}, 'username', 'naming the field');
$r = http($srv, 'POST', '/v1/accounts', body => { username => "$tag.c", role => 'viewer' });
is($r->{status}, 409, 'a user name already taken is a conflict');
is_deeply([ $r->{json}{errors}[0]{field}, $r->{json}{errors}[0]{code} ], [ 'username', 'duplicate' ], 'saying which and why');
$r = http($srv, 'POST', '/v1/accounts', body => { username => "$tag.x", role => 'site_staff' });
is_deeply([ $r->{status}, $r->{json}{errors}[0]{field}, $r->{json}{errors}[0]{code} ], [ 422, 'site_ids', 'required' ],
          'site staff need sites');
$r = http($srv, 'POST', '/v1/accounts', body => { username => "$tag.x", role => 'site_staff', site_ids => [999999999] });
is_deeply([ $r->{status}, $r->{json}{errors}[0]{field}, $r->{json}{errors}[0]{code} ], [ 422, 'site_ids', 'not_found' ],
          'that exist');
$r = http($srv, 'POST', '/v1/accounts', body => { username => "$tag.x", role => 'chief' });
is_deeply([ $r->{status}, $r->{json}{errors}[0]{field} ], [ 422, 'role' ], 'an unknown role is refused');
$r = http($srv, 'POST', '/v1/accounts', body => { username => "$tag.x", role => 'viewer', password => 'mine-mine-mine' });
is_deeply([ $r->{status}, $r->{json}{errors}[0]{field} ], [ 422, 'password' ], 'nobody chooses a password here');
$r = http($srv, 'POST', '/v1/accounts', headers => { 'Accept-Language' => 'en' }, body => { username => "$tag.x", role => 'county_staff' });
is($r->{json}{errors}[0]{field}, 'county_codes', 'county staff need counties');
like($r->{json}{errors}[0]{message}, qr/required/, 'in English when asked');
$r = http($srv, 'POST', '/v1/accounts', headers => { 'Accept-Language' => 'zh-CN' }, body => { username => "$tag.x", role => 'county_staff' });
like($r->{json}{errors}[0]{message}, qr/必填/, 'and in Chinese');
is(accounts(), $before, 'none of them wrote anything');

# --- county staff manage their own sites' staff only
$r = http($srv, 'POST', '/v1/accounts', token => $ctok, body => { username => "$tag.s", role => 'site_staff', site_ids => [$site] });
is($r->{status}, 201, 'county staff create a site staff account for a site of their county');
my $sid = $r->{json}{id};
my $spw = $r->{json}{password};
$before = accounts();
$r = http($srv, 'POST', '/v1/accounts', token => $ctok, body => { username => "$tag.f", role => 'site_staff', site_ids => [$far] });
is_deeply([ $r->{status}, $r->{json}{errors}[0]{field}, $r->{json}{errors}[0]{code} ], [ 422, 'site_ids', 'outside_scope' ],
          'not for a site of another county');
$r = http($srv, 'POST', '/v1/accounts', token => $ctok, body => { username => "$tag.f", role => 'county_staff', county_codes => [530621] });
is_deeply([ $r->{status}, $r->{json}{errors}[0]{field}, $r->{json}{errors}[0]{code} ], [ 422, 'role', 'outside_scope' ],
          'nor another county staff account');
$r = http($srv, 'POST', '/v1/accounts', token => $ctok, body => { username => "$tag.f", role => 'admin' });
is_deeply([ $r->{status}, $r->{json}{errors}[0]{field} ], [ 422, 'role' ], 'nor an administrator');
is(accounts(), $before, 'and nothing was written');

my $other = do { local $ENV{PW} = 'other-password-1'; cli("create-user --username=$tag.o --role=site_staff --sites=$far --password-env=PW") };
like($other, qr/^user (\d+)$/, 'site staff of another county');
my ($oid) = $other =~ /(\d+)/;
$r = http($srv, 'GET', "/v1/accounts?q=$tag", token => $ctok);
is_deeply([ sort map { $_->{username} } @{ $r->{json}{items} } ], [ "$tag.s" ], 'county staff list only their sites\' staff');
is(http($srv, 'GET', "/v1/accounts/$oid", token => $ctok)->{status}, 404, 'another county\'s staff are not found');
is(http($srv, 'POST', "/v1/accounts/$oid/lock", token => $ctok)->{status}, 404, 'nor locked');
is(http($srv, 'POST', "/v1/accounts/$cid/password", token => $ctok)->{status}, 404, 'nor is their own county account reset by them');
$r = http($srv, 'GET', "/v1/accounts?q=$tag");
is_deeply([ sort map { $_->{username} } @{ $r->{json}{items} } ], [ "$tag.c", "$tag.o", "$tag.s" ], 'administrators list every account');
my $stok = login($srv, "$tag.s", $spw);
ok($stok, 'the site staff member signs in');
is(http($srv, 'GET', '/v1/accounts', token => $stok)->{status}, 403, 'site staff manage no accounts');

# --- reset a password: the old one and its sessions end
$r = http($srv, 'POST', "/v1/accounts/$sid/password", token => $ctok);
is($r->{status}, 200, 'county staff reset their site staff\'s password');
my $spw2 = $r->{json}{password};
isnt($spw2, $spw, 'to a new one');
is(http($srv, 'GET', '/v1/auth/me', token => $stok)->{status}, 401, 'the old session has ended');
ok(!login($srv, "$tag.s", $spw), 'the old password no longer works');
$stok = login($srv, "$tag.s", $spw2);
ok($stok, 'the new one does');

# --- lock and unlock
$r = http($srv, 'POST', "/v1/accounts/$sid/lock", token => $ctok);
is_deeply([ $r->{status}, $r->{json}{locked} ? 1 : 0, $r->{json}{locked_by_staff} ? 1 : 0 ], [ 200, 1, 1 ], 'locked');
is(http($srv, 'GET', '/v1/auth/me', token => $stok)->{status}, 401, 'its session ends at once');
$r = http($srv, 'POST', '/v1/auth/login', anonymous => 1, body => { username => "$tag.s", password => $spw2 });
is($r->{status}, 401, 'a locked account cannot sign in, even with the right password');
$r = http($srv, 'POST', "/v1/accounts/$sid/password", token => $ctok);
ok(!login($srv, "$tag.s", $r->{json}{password}), 'a new password does not lift the lock');
my $spw3 = $r->{json}{password};
$r = http($srv, 'POST', "/v1/accounts/$sid/unlock", token => $ctok);
is_deeply([ $r->{status}, $r->{json}{locked} ? 1 : 0 ], [ 200, 0 ], 'unlocked');
$stok = login($srv, "$tag.s", $spw3);
ok($stok, 'and signs in again');
my $me = http($srv, 'GET', '/v1/auth/me')->{json};
$r = http($srv, 'POST', "/v1/accounts/$me->{id}/lock");
is_deeply([ $r->{status}, $r->{json}{errors}[0]{field}, $r->{json}{errors}[0]{code} ], [ 422, 'id', 'not_allowed' ],
          'no one locks their own account');
is(psql_value("SELECT locked_at IS NULL FROM staff_account WHERE id = $me->{id}"), 't', 'which stays open');

# --- sign-in history
$r = http($srv, 'GET', "/v1/accounts/$sid/sign-ins");
is($r->{status}, 200, 'sign-in history');
my @h = @{ $r->{json}{items} };
ok(@h >= 4, 'lists the attempts');
is($h[0]{ok}, 1, 'newest first: the last sign-in worked');
ok((grep { !$_->{ok} } @h), 'the refused ones are there');
is($h[0]{peer}, '127.0.0.1', 'from where');
$r = http($srv, 'GET', "/v1/accounts/$sid/sign-ins?limit=1");
ok($r->{json}{next_cursor}, 'pages have a cursor');
{
    my $cur = $r->{json}{next_cursor};
    my $page = http($srv, 'GET', "/v1/accounts/$sid/sign-ins?limit=1&cursor=$cur");
    is_deeply([ $page->{status}, $page->{json}{items}[0]{at} ], [ 200, $h[1]{at} ], 'which leads to the next page');
    my $fault = sub { my ($x) = @_; return join ' ', $x->{status}, map { "$_->{field}:$_->{code}" } @{ $x->{json}{errors} // [] } };
    is($fault->(http($srv, 'GET', "/v1/accounts/$me->{id}/sign-ins?limit=1&cursor=$cur")), '400 cursor:not_this_list',
       "and is refused on another account's history");
    my ($pos, $sig) = split /\./, $cur;
    is($fault->(http($srv, 'GET', "/v1/accounts/$sid/sign-ins?limit=1&cursor=" . MIME::Base64::encode_base64url('1') . ".$sig")),
       '400 cursor:not_this_list', 'so is an altered one');
    is($fault->(http($srv, 'GET', "/v1/accounts/$sid/sign-ins?limit=1&cursor=999999")), '400 cursor:invalid_format', 'and a bare number');
}
is(http($srv, 'GET', "/v1/accounts/$sid/sign-ins?limit=abc")->{status}, 400, 'a bad limit is refused');
is(http($srv, 'GET', "/v1/accounts/$sid/sign-ins?since=1")->{status}, 400, 'so is an unknown parameter');
ok(http($srv, 'GET', "/v1/accounts/$sid")->{json}{last_sign_in_at}, 'the account says when it last signed in');

# --- a kiosk PIN made by the server, shown once
my $id_number = do {
    my $body = sprintf('5306211987%04d%03d', 311, $$ % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    $body . substr('10X98765432', $sum % 11, 1);
};
my $hash = cli("id-hash --id-number=$id_number");
my $hh = psql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, 530621, 3) RETURNING id");
my $worker = psql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex)
    VALUES ($hh, '$tag', '$hash', '\\x00', 'x', '1987-01-01', 'F') RETURNING id");
$r = http($srv, 'POST', "/v1/workers/$worker/pin-reset", token => $stok);
is($r->{status}, 200, 'site staff reset a seeker\'s kiosk PIN');
my $pin = $r->{json}{pin};
like($pin, qr/^\d{6}$/, 'six digits, shown once');
unlike($pin, qr/^(\d)\1{5}$/, 'not all the same digit');
is(psql_value("SELECT set_by FROM worker_pin WHERE worker_id = $worker"), "$tag.s", 'who set it is kept');
$r = http($srv, 'POST', '/v1/kiosk/login', anonymous => 1, body => { id_number => $id_number, pin => $pin });
is($r->{status}, 200, 'the seeker signs in at the kiosk with it');
is(http($srv, 'POST', "/v1/workers/$worker/pin-reset", token => login($srv, "$tag.o", 'other-password-1'))->{status}, 404,
   'staff of another county\'s site cannot reset it');
is(http($srv, 'POST', '/v1/workers/999999999/pin-reset')->{status}, 404, 'an unknown worker is not found');
is(http($srv, 'POST', "/v1/workers/$worker/pin-reset", body => { pin => '123456' })->{status}, 422,
   'nobody chooses the PIN here');

# --- brokers and their keys
$r = http($srv, 'POST', '/v1/brokers', body => { name => "$tag 劳务", contact_name => '王经理' });
is($r->{status}, 201, 'an administrator registers a broker');
my $broker = $r->{json}{id};
is(http($srv, 'POST', '/v1/brokers', body => { name => "$tag 劳务" })->{status}, 409, 'names are unique');
is(http($srv, 'POST', '/v1/brokers', token => $ctok, body => { name => "$tag 县" })->{status}, 403, 'county staff do not');
$r = http($srv, 'POST', "/v1/brokers/$broker/keys", body => { scopes => ['vacancies:read'], rate_per_minute => 600 });
is($r->{status}, 201, 'a key');
my $key = $r->{json}{key};
like($key, qr/^lyb_[A-Za-z0-9_-]{43}$/, 'shown once, in the form the command line makes');
is($r->{json}{prefix}, substr($key, 0, 10), 'with its prefix');
my $kid = $r->{json}{id};
is(http($srv, 'GET', '/v1/vacancies?limit=1', token => $key)->{status}, 200, 'the broker reads vacancies with it');
$r = http($srv, 'GET', "/v1/brokers/$broker/keys");
is(scalar @{ $r->{json}{items} }, 1, 'keys are listed');
ok(!exists $r->{json}{items}[0]{key}, 'never with the key itself');
unlike($r->{content}, qr/\Q$key\E/, 'anywhere in the answer');
$r = http($srv, 'POST', "/v1/brokers/$broker/keys", body => { scopes => [] });
is_deeply([ $r->{status}, $r->{json}{errors}[0]{field} ], [ 422, 'scopes' ], 'a key needs a scope');
$r = http($srv, 'POST', "/v1/brokers/$broker/keys", body => { scopes => ['households:read'] });
is_deeply([ $r->{status}, $r->{json}{errors}[0]{field} ], [ 422, 'scopes' ], 'one of the known ones');
is(psql_value("SELECT count(*) FROM broker_key WHERE broker_id = $broker"), 1, 'and nothing was written');
$r = http($srv, 'POST', "/v1/brokers/$broker/keys/$kid/revoke");
ok($r->{status} == 200 && $r->{json}{revoked_at}, 'revoked');
is(http($srv, 'GET', '/v1/vacancies?limit=1', token => $key)->{status}, 401, 'the key works no more');
is(http($srv, 'POST', "/v1/brokers/$broker/keys/999999999/revoke")->{status}, 404, 'an unknown key is not found');
ok(psql_value("SELECT count(*) FROM audit_log WHERE resource = 'broker_key' AND resource_id = '$kid'") >= 2,
   'creating and revoking keys is audited');

done_testing();
