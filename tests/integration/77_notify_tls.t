# Webhooks and the SMS gateway over https://: a receiver with a certificate
# from a throwaway CA (made here with openssl, trusted through
# LEYE_TLS_CA_FILE) gets the messages, signed as over http://; an address
# whose certificate names another host, or a certificate from no trusted
# CA, fails delivery, which is retried and then dead, never a crash.  Plain
# http:// endpoints are refused unless LEYE_NOTIFY_PLAIN_HTTP.  The suite
# has its own PostgreSQL cluster, so that its delivery thread sends only
# its own messages.
use strict;
use warnings;
use utf8;
use Test::More;
use Digest::SHA qw(hmac_sha256_base64);
use MIME::Base64 qw(decode_base64);
use File::Temp qw(tempdir);
use IO::Socket::INET;
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $bin = $ENV{LEYE_SERVER_BIN};
my $cluster = LeyeTest::new_cluster();
$ENV{LEYE_TEST_DSN} = $cluster->dsn;
is(system("$bin migrate --database-url='" . $cluster->dsn . "' >/dev/null 2>&1"), 0, 'a database of its own, migrated');
my $dir = tempdir(CLEANUP => 1);
my $tag = 'tl' . $$ . int(rand(1e5));
sub cli { local $ENV{LEYE_DATABASE_URL} = $cluster->dsn; my $out = `$bin admin @_ 2>&1`; chomp $out; return $out }

# ---------- a throwaway CA, a certificate for localhost from it, and one from nobody ----------
sub openssl { my $out = `openssl @_ 2>&1`; die "openssl @_: $out" if $?; return $out }
my $ec = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';
openssl("req -x509 $ec -keyout $dir/ca.key -out $dir/ca.pem -days 2 -subj '/CN=Leye test CA'");
openssl("req $ec -keyout $dir/good.key -out $dir/good.csr -subj /CN=localhost");
open(my $ext, '>', "$dir/ext.cnf"); print $ext "subjectAltName=DNS:localhost\n"; close $ext;
openssl("x509 -req -in $dir/good.csr -CA $dir/ca.pem -CAkey $dir/ca.key -CAcreateserial -out $dir/good.pem -days 2 -extfile $dir/ext.cnf");
openssl("req -x509 $ec -keyout $dir/rogue.key -out $dir/rogue.pem -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost");

# each receiver's pipe stays open until the end: closing it would wait for
# the receiver to exit
my (@receivers, @pipes);
sub receiver {
    my ($name, $cert) = @_;
    my $pid = open(my $out, '-|', 'node', "$ENV{LEYE_TEST_ROOT}/tests/lib/https-receiver.mjs", "$dir/$cert.pem", "$dir/$cert.key", $dir, $name)
        // die "node: $!";
    push @receivers, $pid;
    push @pipes, $out;
    my $line = <$out>;
    my ($port) = ($line // '') =~ /^port (\d+)/ or die "the $name receiver did not start";
    return $port;
}
END { local $?; kill 'TERM', @receivers if @receivers }
sub received {
    my ($name) = @_;
    open(my $l, '<', "$dir/$name.log") or return ();
    return map { $JSON->decode($_) } <$l>;
}
my $good = receiver('good', 'good');
my $rogue = receiver('rogue', 'rogue');

my %env = (LEYE_NOTIFY_DELIVERY => 'true', LEYE_TLS_CA_FILE => "$dir/ca.pem", LEYE_NOTIFY_RETRY_BASE_MS => 200,
           LEYE_NOTIFY_RETRY_CAP_MS => 400, LEYE_NOTIFY_MAX_ATTEMPTS => 3, LEYE_NOTIFY_POLL_MS => 100,
           LEYE_NOTIFY_TIMEOUT_MS => 5000, LEYE_NOTIFY_SMS_URL => "https://localhost:$good/sms",
           LEYE_NOTIFY_SMS_ACCOUNT => 'leye-test', LEYE_NOTIFY_SMS_SECRET => 'sms-secret-for-tests');
my $srv = start_server(dsn => $cluster->dsn, env => \%env);

# ---------- a seeker, a vacancy, a broker with endpoints ----------
sub idnum {
    my $body = sprintf('5306211990%04d%03d', 1105, ($$ + int(rand(900))) % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}
my $phone = sprintf('138%08d', ($$ * 7919 + int(rand(1e6))) % 100_000_000);
my $site = http($srv, 'POST', '/v1/sites', body => { name => "$tag 点", county_code => 530621, kind => 'scattered' })->{json}{id};
my $hh = http($srv, 'POST', '/v1/households', body => { site_id => $site, origin_county_code => 530621, members => 2 })->{json}{id};
my $r = http($srv, 'POST', '/v1/workers', body => { household_id => $hh, name => "$tag 李红", id_number => idnum(), phone => $phone,
                                                    consent_brokers => JSON::PP::true, consent_method => 'in_person' });
is($r->{status}, 201, 'a seeker with a phone') or diag explain $r->{json};
my $worker = $r->{json}{id};
my $employer = psql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 建工', "
                          . "'TL' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', 530621) RETURNING id");
my $vac = psql_value("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, headcount, wage_min, wage_max, status) "
                     . "VALUES ($employer, '砌砖工', '6-29-01-01', 'regular', 530621, 27.2, 103.5, 5, 3000, 5000, 'open') RETURNING id");
my ($broker) = cli("create-broker --name=$tag-broker") =~ /(\d+)/;
my (undef, $key) = cli("create-key --broker=$broker --scopes=applications:write") =~ /^key (\d+) (\S+) /;
ok($key, 'a broker key');

$r = http($srv, 'POST', '/v1/broker/webhooks', token => $key, body => { url => "http://localhost:$good/plain" });
is($r->{status}, 422, 'a plain http:// endpoint is refused');
is_deeply([ map { "$_->{field}:$_->{code}" } @{ $r->{json}{errors} } ], ['url:https_required'], 'naming the field and the reason');
is(psql_value("SELECT count(*) FROM notify_endpoint WHERE broker_id = $broker"), 0, 'nothing written');
my %ep;
for ([ ok => "https://localhost:$good/hook" ], [ wrong_host => "https://127.0.0.1:$good/hook" ], [ untrusted => "https://localhost:$rogue/hook" ]) {
    my ($what, $url) = @$_;
    $r = http($srv, 'POST', '/v1/broker/webhooks', token => $key, body => { url => $url });
    is($r->{status}, 201, "an https:// endpoint ($what)") or diag explain $r->{json};
    $ep{$what} = { id => $r->{json}{id}, secret => $r->{json}{secret} };
}
# an http:// endpoint kept from before the rule: its messages are not sent
my $plain = psql_value("INSERT INTO notify_endpoint (broker_id, url) VALUES ($broker, 'http://localhost:$good/plain') RETURNING id");
psql("INSERT INTO notify_endpoint_secret (endpoint_id, secret_enc, prefix) SELECT $plain, secret_enc, prefix FROM notify_endpoint_secret "
     . "WHERE endpoint_id = $ep{ok}{id}");

# secrets are stored sealed with the PII key, never readable
is(psql_value("SELECT count(*) FROM notify_endpoint_secret s JOIN notify_endpoint e ON e.id = s.endpoint_id "
              . "WHERE e.broker_id = $broker AND (s.secret IS NOT NULL OR length(s.secret_enc) <> 153 "
              . "OR position('$ep{ok}{secret}' IN encode(s.secret_enc, 'escape')) > 0)"), 0,
   'every secret is stored only as a padded ciphertext');
is(psql_value("SELECT count(*) FROM audit_log WHERE detail::text LIKE '%$ep{ok}{secret}%'"), 0, 'and never in the audit log');

# ---------- one event, four endpoints ----------
$r = http($srv, 'POST', '/v1/applications', token => $key, body => { worker_id => $worker, vacancy_id => 0 + $vac, source => 'broker' });
is($r->{status}, 201, 'the broker applies for the seeker') or diag explain $r->{json};
my $app = $r->{json}{id};
is(http($srv, 'POST', "/v1/applications/$app/transitions", body => { to => 'shortlisted' })->{status}, 200, 'staff shortlist it');
sub status_of { my ($e) = @_; return psql_value("SELECT status || '/' || attempts FROM notify_outbox WHERE endpoint_id = $e AND event = 'application.shortlisted'") }
ok(wait_until(sub { status_of($ep{ok}{id}) =~ m{^delivered/1$} }, 60), 'delivered over https:// on the first try') or diag status_of($ep{ok}{id});
my @got = received('good');
is(scalar(grep { $_->{path} eq '/hook' } @got), 1, 'one request reached the receiver');
my ($req) = grep { $_->{path} eq '/hook' } @got;
sub verify {
    my ($q, $sec) = @_;
    (my $k = $sec) =~ s/^whsec_//;
    my $mac = hmac_sha256_base64("$q->{headers}{'webhook-id'}.$q->{headers}{'webhook-timestamp'}.$q->{body}", decode_base64($k));
    return scalar grep { $_ eq 'v1,' . $mac . '=' x ((4 - length($mac) % 4) % 4) } split / /, $q->{headers}{'webhook-signature'};
}
ok(verify($req, $ep{ok}{secret}), 'signed as Standard Webhooks asks, with the sealed secret opened');
is(JSON::PP->new->decode($req->{body})->{data}{application_id}, $app, 'with the payload');

for my $what (qw(wrong_host untrusted)) {
    ok(wait_until(sub { status_of($ep{$what}{id}) =~ m{^dead/3$} }, 60), "$what: tried three times, then dead")
        or diag status_of($ep{$what}{id});
}
like(psql_value("SELECT last_error FROM notify_outbox WHERE endpoint_id = $ep{wrong_host}{id}"), qr/certificate is refused: IP address mismatch/,
     'a certificate for another name: refused, saying why');
like(psql_value("SELECT last_error FROM notify_outbox WHERE endpoint_id = $ep{untrusted}{id}"), qr/certificate is refused: self-signed/,
     'a certificate from no trusted CA: refused, saying why');
my @rogue = received('rogue');
is(scalar @rogue, 0, 'the untrusted receiver never got a message');
ok(wait_until(sub { status_of($plain) =~ m{^dead/1$} }, 30), 'the plain http:// endpoint: dead at once, not sent') or diag status_of($plain);
like(psql_value("SELECT last_error FROM notify_outbox WHERE endpoint_id = $plain"), qr/LEYE_NOTIFY_PLAIN_HTTP/, 'saying why');
is(scalar(grep { $_->{path} eq '/plain' } received('good')), 0, 'nothing went out in the clear');
ok($srv->alive, 'the server is still up');

# ---------- the SMS gateway over https:// ----------
psql("INSERT INTO notify_pref (worker_id, sms) VALUES ($worker, true) ON CONFLICT (worker_id) DO UPDATE SET sms = true");
is(http($srv, 'POST', "/v1/applications/$app/transitions", body => { to => 'offered' })->{status}, 200, 'staff make an offer');
ok(wait_until(sub { psql_value("SELECT status FROM notify_outbox WHERE worker_id = $worker AND channel = 'sms'") eq 'delivered' }, 60),
   'the text goes to the gateway over https://');
my ($sms) = grep { $_->{path} eq '/sms' } received('good');
is(JSON::PP->new->decode($sms->{body})->{phone}, $phone, 'with the phone number, encrypted on the wire');

# ---------- secrets of before 048 and a rotation ----------
# a secret stored readable, as before migration 048: it signs at once, and
# the next start seals it
my $legacy = 'whsec_' . MIME::Base64::encode_base64(join('', map { chr(int(rand(256))) } 1 .. 32), '');
my $legacy_id = psql_value("INSERT INTO notify_endpoint_secret (endpoint_id, secret, prefix) VALUES ($ep{ok}{id}, '$legacy', left('$legacy', 12)) RETURNING id");
# a gateway whose certificate is not trusted: the text waits, the server stays up
$srv->stop;
$srv = start_server(dsn => $cluster->dsn, env => { %env, LEYE_NOTIFY_SMS_URL => "https://localhost:$rogue/sms" });
is(psql_value("SELECT concat_ws('/', secret IS NULL, length(secret_enc)) FROM notify_endpoint_secret WHERE id = $legacy_id"), 't/153',
   'a readable secret of before is sealed when the server starts');
like($srv->log_text, qr/sealed 1 readable webhook signing secrets/, 'saying so');
$r = http($srv, 'POST', "/v1/broker/webhooks/$ep{ok}{id}/secrets", token => $key);
is($r->{status}, 200, 'the broker rotates the secret') or diag explain $r->{json};
my $rotated = $r->{json}{secret};
is(http($srv, 'POST', "/v1/applications/$app/transitions", body => { to => 'hired', start_date => days_from_today(-1), wage => 4000 })->{status},
   200, 'staff record the hire');
ok(wait_until(sub { psql_value("SELECT status FROM notify_outbox WHERE endpoint_id = $ep{ok}{id} AND event = 'application.hired'") eq 'delivered' }, 60),
   'the hire reaches the endpoint');
my ($hired) = grep { $_->{path} eq '/hook' && JSON::PP->new->decode($_->{body})->{type} eq 'application.hired' } received('good');
is(scalar(split / /, $hired->{headers}{'webhook-signature'}), 3, 'during the rotation, three signatures');
ok(verify($hired, $ep{ok}{secret}) && verify($hired, $legacy) && verify($hired, $rotated),
   'one for each live secret: the first, the one sealed at start and the new one');
ok(wait_until(sub { psql_value("SELECT attempts FROM notify_outbox WHERE worker_id = $worker AND channel = 'sms' AND event = 'application.hired'") >= 2 }, 60),
   'the text to an untrusted gateway is retried');
like(psql_value("SELECT last_error FROM notify_outbox WHERE worker_id = $worker AND channel = 'sms' AND event = 'application.hired'"),
     qr/certificate is refused/, 'saying why');
ok($srv->alive, 'and the server is still up');
$srv->stop;

# the PII key rotated: the secrets are sealed again under the new key and still sign
my $before = psql_value("SELECT string_agg(encode(secret_enc, 'hex'), ',' ORDER BY id) FROM notify_endpoint_secret");
my $new_key = unpack('H*', join('', map { chr(int(rand(256))) } 1 .. 32));
open(my $kf, '>', "$dir/new.key"); print $kf "$new_key\n"; close $kf;
my $out = cli("rotate-pii-key --new-key-file=$dir/new.key");
like($out, qr/sealed 6 webhook secrets again/, 'rotate-pii-key seals the six secrets again') or diag $out;
isnt(psql_value("SELECT string_agg(encode(secret_enc, 'hex'), ',' ORDER BY id) FROM notify_endpoint_secret"), $before, 'under the new key');
$srv = start_server(dsn => $cluster->dsn, env => { %env, LEYE_PII_KEY => $new_key });
my $replay = psql_value("SELECT msg_id FROM notify_outbox WHERE endpoint_id = $ep{ok}{id} AND event = 'application.hired'");
is(http($srv, 'POST', "/v1/notifications/$replay/replay")->{status}, 202, 'the hire replayed with the new key');
ok(wait_until(sub { scalar(grep { ($_->{headers}{'webhook-id'} // '') eq $replay } received('good')) == 2 }, 60), 'it arrives again');
my ($again) = (grep { ($_->{headers}{'webhook-id'} // '') eq $replay } received('good'))[1];
ok(verify($again, $ep{ok}{secret}) && verify($again, $legacy) && verify($again, $rotated), 'signed with the same three secrets');
$srv->stop;

# a CA file that cannot be read stops the start, rather than sending unchecked
my $bad = start_server(dsn => $cluster->dsn, env => { %env, LEYE_TLS_CA_FILE => "$dir/missing.pem" }, may_fail => 1);
ok(!$bad->{port}, 'a server with an unreadable LEYE_TLS_CA_FILE does not start');
like($bad->log_text, qr/CA file/, 'saying why');

done_testing();
