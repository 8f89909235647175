# Secrets stay secret: canary passwords, PINs, tokens, API keys and ID numbers
# go through every way in (login, kiosk, broker key, password change, CSV
# import, reveal), with the log at its most talkative; then none of them is in
# the server's log, and no ID number is in plaintext anywhere in the database.
use strict;
use warnings;
use utf8;
use Encode qw(encode);
use Test::More;
use LeyeTest;

my $srv = start_server(env => { LEYE_LOG_LEVEL => 'debug' });
my $tag = 'cn' . $$ . int(rand(1e5));
my $bin = $ENV{LEYE_SERVER_BIN};
my @secrets;    # [what, value]
sub secret { push @secrets, [@_]; return $_[1] }
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); my $out = `$bin admin @_ 2>&1`; chomp $out; return $out }
sub idnum {
    my ($serial) = @_;
    my $body = sprintf('5306211987%04d%03d', 500 + $serial, $$ % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}

# staff: a password, a wrong one, a changed one, the session tokens
my $pw = secret('password', "Canary-$tag-pw1");
my $pw_wrong = secret('wrong password', "Canary-$tag-pw0");
my $pw_new = secret('new password', "Canary-$tag-pw2");
{ local $ENV{PW} = $pw; like(cli("create-user --username=$tag.staff --role=admin --password-env=PW"), qr/^user \d+$/, 'a staff account'); }
is(http($srv, 'POST', '/v1/auth/login', anonymous => 1, body => { username => "$tag.staff", password => $pw_wrong })->{status},
   401, 'a wrong password');
my $tok = secret('session token', login($srv, "$tag.staff", $pw));
ok($tok, 'a login');
is(http($srv, 'POST', '/v1/auth/password', token => $tok, body => { current_password => $pw, new_password => $pw_new })->{status},
   204, 'a password change');
$tok = secret('second session token', login($srv, "$tag.staff", $pw_new));
ok($tok, 'a login with the new password');

# a worker imported from CSV with a canary ID number, another in a bad row
my $site = http($srv, 'POST', '/v1/sites', token => $tok, body => { name => $tag, county_code => 530621, kind => 'scattered' })->{json}{id};
my $id1 = secret('ID number', idnum(1));
my $id2 = secret('ID number in a bad row', idnum(2));
my $phone = secret('phone', '139' . sprintf('%08d', $$ % 100000000));
my $csv = "户编号,安置点ID,迁出县代码,迁出村,家庭人口\n$tag-1,$site,530621,龙树村,4\n";
is(http($srv, 'POST', '/v1/imports/households', token => $tok, body => encode('UTF-8', $csv),
        headers => { 'Content-Type' => 'text/csv' })->{status}, 200, 'a household imported');
$csv = "site_id,household_ref,name,id_number,phone\n$site,$tag-1,张三,$id1,$phone\n$site,no-such-$tag,李四,$id2,\n";
my $r = http($srv, 'POST', '/v1/imports/workers?mode=valid_rows', token => $tok, body => encode('UTF-8', $csv),
             headers => { 'Content-Type' => 'text/csv' });
is($r->{status}, 200, 'workers imported, one row refused');
my $worker = psql_value("SELECT w.id FROM worker w JOIN household h ON h.id = w.household_id WHERE h.ref = '$tag-1'");
ok($worker, 'the worker is there');

# the kiosk: a PIN set by staff, a wrong PIN, a session
my $pin = secret('PIN', sprintf('%06d', 100000 + $$ % 899999));
my $pin_wrong = secret('wrong PIN', sprintf('%06d', 100000 + ($$ + 7) % 899999));
is(http($srv, 'PUT', "/v1/workers/$worker/pin", token => $tok, body => { pin => $pin })->{status}, 200, 'a PIN set');
is(http($srv, 'POST', '/v1/kiosk/login', anonymous => 1, body => { id_number => $id1, pin => $pin_wrong })->{status},
   401, 'a wrong PIN');
$r = http($srv, 'POST', '/v1/kiosk/login', anonymous => 1, body => { id_number => $id1, pin => $pin });
is($r->{status}, 200, 'a kiosk login');
my $ktok = secret('kiosk token', $r->{json}{token});
is(http($srv, 'POST', '/v1/kiosk/logout', token => $ktok)->{status}, 204, 'a kiosk logout');

# a broker key, used and revoked
my ($broker) = cli("create-broker --name=$tag-broker") =~ /(\d+)/;
my ($kid, $key) = cli("create-key --broker=$broker --scopes=vacancies:read") =~ /^key (\d+) (\S+) /;
secret('API key', $key);
is(http($srv, 'GET', '/v1/vacancies?limit=1', token => $key)->{status}, 200, 'a broker call');
cli("revoke-key --key=$kid");
is(http($srv, 'GET', '/v1/vacancies?limit=1', token => $key)->{status}, 401, 'a revoked key');

# a reveal is the one answer that carries the number
$r = http($srv, 'POST', "/v1/workers/$worker/reveal", token => $tok);
is($r->{status}, 200, 'a reveal');
is($r->{json}{id_number}, $id1, 'gives the full number');
is($r->{headers}{'cache-control'}, 'no-store', 'not to be cached');
is(psql_value("SELECT count(*) FROM audit_log WHERE action = 'reveal' AND resource_id = '$worker'"), 1, 'and is audited');

$srv->stop;
my $log = $srv->log_text;
cmp_ok(length $log, '>', 1000, 'the server logged at debug level');
for my $s (@secrets) {
    my ($what, $value) = @$s;
    unlike($log, qr/\Q$value\E/, "the log never shows the $what");
}
unlike($log, qr/ly[skb]_[A-Za-z0-9_-]{20,}/, 'nor anything shaped like a token or key');
unlike($log, qr/Bearer\s+\S/i, 'nor an Authorization header');

# and the database holds no ID number or PIN in plaintext, anywhere it writes for a request
for my $table (qw(worker audit_log idempotency_key worker_pin kiosk_session worker_consent_event)) {
    for my $s (grep { $_->[0] =~ /ID number|PIN|phone/ } @secrets) {
        is(psql_value("SELECT count(*) FROM $table t WHERE t::text LIKE '%$s->[1]%'"), 0,
           "no $s->[0] in plaintext in $table");
    }
}
done_testing();
