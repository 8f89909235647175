# Notifications that are never lost and never doubled: the outbox written
# with the event, webhooks signed per Standard Webhooks and retried with
# backoff (500 then 200), 410 disabling an endpoint, dead letters and
# replay, the SMS gateway down then up, a SIGKILL between sending and
# recording, counts in /metrics; a seeker's inbox and choices; brokers'
# own applications, keys and endpoints.  The SMS gateway and the webhook
# receivers are small HTTP servers this test starts on 127.0.0.1.
use strict;
use warnings;
use utf8;
use Test::More;
use IO::Socket::INET;
use Digest::SHA qw(hmac_sha256_base64);
use MIME::Base64 qw(decode_base64);
use File::Temp qw(tempdir);
use POSIX ();
use Time::HiRes qw(sleep);
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $tag = 'nt' . $$ . int(rand(1e5));
my $bin = $ENV{LEYE_SERVER_BIN};
my $dir = tempdir(CLEANUP => 1);
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); my $out = `$bin admin @_ 2>&1`; chomp $out; return $out }

# ---------- receivers ----------
# Each logs every request as one JSON line {path, headers, body} to
# $dir/<name>.log and answers with the next status in $dir/<name>.plan
# (one per line; none left: 200).  "hold" reads the request and answers
# nothing until $dir/<name>.release exists, then closes.
my @receivers;
sub receiver {
    my ($name, $port) = @_;
    my $sock = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port // 0, Listen => 16,
                                     ReuseAddr => 1, Proto => 'tcp') or die "listen: $!";
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        while (my $c = $sock->accept) {
            my $buf = '';
            while ($buf !~ /\r\n\r\n/) { my $n = sysread($c, $buf, 65536, length $buf); last unless $n }
            my ($head, $body) = split /\r\n\r\n/, $buf, 2;
            $body //= '';
            my ($len) = $head =~ /^content-length:\s*(\d+)/mi;
            while (length($body) < ($len // 0)) { my $n = sysread($c, $body, 65536, length $body); last unless $n }
            my ($path) = $head =~ m{^POST (\S+)};
            my %h = map { /^([^:]+):\s*(.*)$/ ? (lc $1 => $2) : () } split /\r\n/, $head;
            open(my $log, '>>', "$dir/$name.log"); print $log $JSON->encode({ path => $path, headers => \%h, body => $body }), "\n"; close $log;
            my @plan = -e "$dir/$name.plan" ? do { open(my $p, '<', "$dir/$name.plan"); map { chomp; $_ } <$p> } : ();
            my $answer = shift(@plan) // 200;
            open(my $p, '>', "$dir/$name.plan"); print $p map { "$_\n" } @plan; close $p;
            if ($answer eq 'hold') { sleep 0.05 until -e "$dir/$name.release"; close $c; next }
            print $c "HTTP/1.1 $answer X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            close $c;
        }
        POSIX::_exit(0);
    }
    push @receivers, $pid;
    return $sock->sockport;
}
sub plan_for { my ($name, @s) = @_; open(my $p, '>', "$dir/$name.plan"); print $p map { "$_\n" } @s; close $p }
sub received {
    my ($name) = @_;
    open(my $l, '<', "$dir/$name.log") or return ();
    return map { $JSON->decode($_) } <$l>;
}
END { local $?; kill 'KILL', @receivers if @receivers; waitpid($_, 0) for @receivers }

# a port nothing listens on yet: the SMS gateway is down
my $probe = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1, ReuseAddr => 1);
my $sms_port = $probe->sockport;
close $probe;
my $hook_port = receiver('hook');

my %env = (LEYE_NOTIFY_DELIVERY => 'true', LEYE_NOTIFY_PLAIN_HTTP => 'true', LEYE_NOTIFY_RETRY_BASE_MS => 300, LEYE_NOTIFY_RETRY_CAP_MS => 1000, LEYE_NOTIFY_MAX_ATTEMPTS => 4,
           LEYE_NOTIFY_POLL_MS => 100, LEYE_NOTIFY_LEASE_MS => 8000, LEYE_NOTIFY_TIMEOUT_MS => 5000,
           LEYE_NOTIFY_SMS_URL => "http://127.0.0.1:$sms_port/send", LEYE_NOTIFY_SMS_ACCOUNT => 'leye-test',
           LEYE_NOTIFY_SMS_SECRET => 'sms-secret-for-tests');
my $srv = start_server(env => \%env);

# ---------- a seeker, a vacancy, a broker ----------
sub idnum {
    my $body = sprintf('5306211988%04d%03d', 1203, ($$ + int(rand(900))) % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}
my $phone = sprintf('139%08d', ($$ * 7919 + int(rand(1e6))) % 100_000_000);
my $id_number = idnum();
my $site = http($srv, 'POST', '/v1/sites', body => { name => "$tag 点", county_code => 530621, kind => 'scattered' })->{json}{id};
my $hh = http($srv, 'POST', '/v1/households', body => { site_id => $site, origin_county_code => 530621, members => 3 })->{json}{id};
my $r = http($srv, 'POST', '/v1/workers', body => { household_id => $hh, name => "$tag 王芳", id_number => $id_number,
                                                    phone => $phone, consent_brokers => JSON::PP::true,
                                                    consent_method => 'in_person' });
is($r->{status}, 201, 'a seeker with a phone who consents to brokers') or diag explain $r->{json};
my $worker = $r->{json}{id};
my $employer = psql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 建工', "
                          . "'NT' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', 530621) RETURNING id");
sub vacancy {
    return 0 + psql_value("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, headcount, "
                      . "wage_min, wage_max, status) VALUES ($employer, '$_[0]', '6-29-01-01', 'regular', 530621, 27.2, 103.5, "
                      . "5, 3000, 5000, 'open') RETURNING id");
}
my $vac = vacancy('砌砖工');

my ($broker) = cli("create-broker --name=$tag-broker") =~ /(\d+)/;
my ($kid, $key) = cli("create-key --broker=$broker --scopes=applications:write") =~ /^key (\d+) (\S+) /;
ok($key, 'a broker key');
my ($other) = cli("create-broker --name=$tag-other") =~ /(\d+)/;
my (undef, $other_key) = cli("create-key --broker=$other --scopes=vacancies:read") =~ /^key (\d+) (\S+) /;

# ---------- brokers' webhook endpoints ----------
$r = http($srv, 'POST', '/v1/broker/webhooks', token => $key, body => { url => 'ftp://127.0.0.1/x' });
is($r->{status}, 422, 'an endpoint must be an http(s) address');
is($r->{json}{errors}[0]{field}, 'url', 'the problem names the field');
is(psql_value("SELECT count(*) FROM notify_endpoint WHERE broker_id = $broker"), 0, 'and nothing is written');
$r = http($srv, 'POST', '/v1/broker/webhooks', token => $key, body => { url => "http://127.0.0.1:$hook_port/hook", events => ['application.nope'] });
is($r->{status}, 422, 'an unknown event is refused');

$r = http($srv, 'POST', '/v1/broker/webhooks', token => $key, body => { url => "http://127.0.0.1:$hook_port/hook" });
is($r->{status}, 201, 'a broker adds a webhook endpoint');
my $ep = $r->{json}{id};
my $secret = $r->{json}{secret};
like($secret, qr/^whsec_[A-Za-z0-9+\/]+=*$/, 'with a whsec_ secret, shown once');
$r = http($srv, 'GET', '/v1/broker/webhooks', token => $key);
is(scalar @{ $r->{json}{items} }, 1, 'the broker lists its endpoints');
unlike($r->{content}, qr/\Q$secret\E/, 'never with the secret');
is(http($srv, 'GET', '/v1/broker/webhooks', token => $other_key)->{json}{items}[0], undef, 'another broker sees none of them');
is(http($srv, 'POST', "/v1/broker/webhooks/$ep/secrets", token => $other_key)->{status}, 404, 'nor rotates them');
is(psql_value("SELECT count(*) FROM audit_log WHERE resource = 'notify_endpoint' AND resource_id = '$ep' AND actor_kind = 'broker'"),
   1, 'the endpoint\'s creation is in the audit log');

# ---------- a broker's application moves: webhook 500 then 200 ----------
$r = http($srv, 'POST', '/v1/applications', token => $key, body => { worker_id => $worker, vacancy_id => $vac, source => 'broker' });
is($r->{status}, 201, 'the broker applies for the seeker') or diag explain $r->{json};
my $app = $r->{json}{id};
plan_for('hook', 500, 200);
$r = http($srv, 'POST', "/v1/applications/$app/transitions", body => { to => 'shortlisted' });
is($r->{status}, 200, 'staff shortlist the application');
is(psql_value("SELECT count(*) FROM notify_outbox WHERE endpoint_id = $ep AND event = 'application.shortlisted'"), 1,
   'one webhook message, written with the move');
ok(wait_until(sub { psql_value("SELECT status FROM notify_outbox WHERE endpoint_id = $ep AND event = 'application.shortlisted'") eq 'delivered' }, 60),
   'delivered after the receiver answered 500 then 200');
my @got = received('hook');
is(scalar @got, 2, 'two requests reached the receiver');
is($got[0]{headers}{'webhook-id'}, $got[1]{headers}{'webhook-id'}, 'both with the same webhook-id, so the receiver keeps one');
my $msg = $got[1]{headers}{'webhook-id'};
like($msg, qr/^msg_[0-9a-f]{32}$/, 'a stable message id');
sub verify {
    my ($req, $sec) = @_;
    (my $k = $sec) =~ s/^whsec_//;
    my $mac = hmac_sha256_base64("$req->{headers}{'webhook-id'}.$req->{headers}{'webhook-timestamp'}.$req->{body}", decode_base64($k));
    my $want = 'v1,' . $mac . '=' x ((4 - length($mac) % 4) % 4);
    return scalar grep { $_ eq $want } split / /, $req->{headers}{'webhook-signature'};
}
ok(verify($got[1], $secret), 'webhook-signature verifies with the secret (HMAC-SHA256 of id.timestamp.body)');
like($got[1]{headers}{'webhook-timestamp'}, qr/^\d{10}$/, 'webhook-timestamp in seconds');
my $payload = $JSON->decode($got[1]{body});
is($payload->{type}, 'application.shortlisted', 'the payload says what happened');
is($payload->{data}{application_id}, $app, 'to which application');
unlike($got[1]{body}, qr/\Q$id_number\E|\Q$phone\E|poverty|household/, 'with no ID number, phone or household status');
is(psql_value("SELECT attempts FROM notify_outbox WHERE msg_id = '$msg'"), 2, 'two attempts recorded');

# ---------- kiosk: inbox and choices ----------
is(http($srv, 'PUT', "/v1/workers/$worker/pin", body => { pin => '480264' })->{status}, 200, 'staff set a kiosk PIN');
my $kiosk = http($srv, 'POST', '/v1/kiosk/login', anonymous => 1, body => { id_number => $id_number, pin => '480264' })->{json}{token};
ok($kiosk, 'the seeker signs in at a kiosk');
$r = http($srv, 'GET', '/v1/kiosk/inbox', token => $kiosk);
is($r->{status}, 200, 'the seeker reads the inbox');
like($r->{json}{items}[0]{text}, qr/初选/, 'the shortlist, in short Chinese');
$r = http($srv, 'PUT', '/v1/kiosk/notifications', token => $kiosk, body => { quiet_from => '22:00' });
is($r->{status}, 422, 'quiet hours need both ends');
is($r->{json}{errors}[0]{field}, 'quiet_to', 'naming the missing one');
$r = http($srv, 'PUT', '/v1/kiosk/notifications', token => $kiosk, body => { quiet_from => '25:00', quiet_to => '07:00' });
is($r->{status}, 422, 'a time of day must be one');
is(psql_value("SELECT count(*) FROM notify_pref WHERE worker_id = $worker"), 0, 'nothing written by bad input');
$r = http($srv, 'PUT', '/v1/kiosk/notifications', token => $kiosk, body => { sms => JSON::PP::true });
is($r->{status}, 200, 'the seeker chooses SMS');
ok($r->{json}{sms} && $r->{json}{sms_consent}{granted}, 'and the consent is recorded');
is(psql_value("SELECT method FROM worker_consent_event WHERE worker_id = $worker AND kind = 'sms'"), 'kiosk', 'as given at the kiosk');

# ---------- SMS: the gateway down, then up ----------
$r = http($srv, 'POST', "/v1/applications/$app/transitions", body => { to => 'offered' });
is($r->{status}, 200, 'staff make an offer');
ok(wait_until(sub { (psql_value("SELECT attempts FROM notify_outbox WHERE worker_id = $worker AND channel = 'sms'") || 0) >= 1
                    && psql_value("SELECT status FROM notify_outbox WHERE worker_id = $worker AND channel = 'sms'") eq 'pending' }, 60),
   'the text is tried while the gateway is down, and waits');
like(psql_value("SELECT last_error FROM notify_outbox WHERE worker_id = $worker AND channel = 'sms'"), qr/connect/, 'saying why');
receiver('sms', $sms_port);
ok(wait_until(sub { psql_value("SELECT status FROM notify_outbox WHERE worker_id = $worker AND channel = 'sms'") eq 'delivered' }, 60),
   'and is sent once the gateway is up');
my @sms = received('sms');
is(scalar @sms, 1, 'one request to the gateway');
my $text = $JSON->decode($sms[0]{body});
is($text->{template_id}, 'APP_OFFERED', 'a template code');
is($text->{phone}, $phone, 'to the seeker\'s phone');
is($text->{request_id}, psql_value("SELECT msg_id FROM notify_outbox WHERE worker_id = $worker AND channel = 'sms'"),
   'the message id is the provider\'s request id');
is($sms[0]{headers}{'x-sms-signature'}, do { my $s = hmac_sha256_base64("$sms[0]{headers}{'x-sms-timestamp'}.$sms[0]{body}", 'sms-secret-for-tests'); $s . '=' x ((4 - length($s) % 4) % 4) },
   'signed with the gateway secret');
unlike($sms[0]{body}, qr/\Q$id_number\E/, 'no ID number in a text');

# ---------- SIGKILL between sending and recording ----------
plan_for('hook', 'hold');
unlink "$dir/hook.log";
$r = http($srv, 'POST', "/v1/applications/$app/transitions", body => { to => 'hired', start_date => days_from_today(-1), wage => 4300 });
is($r->{status}, 200, 'staff record the hire');
ok(wait_until(sub { scalar(received('hook')) >= 1 }, 60), 'the hire is being sent');
$srv->stop('KILL');
my $hired = psql_value("SELECT msg_id FROM notify_outbox WHERE endpoint_id = $ep AND event = 'application.hired'");
is(psql_value("SELECT status FROM notify_outbox WHERE msg_id = '$hired'"), 'sending', 'the instance died with the message leased');
open(my $rel, '>', "$dir/hook.release"); close $rel;
$srv = start_server(env => \%env);
ok(wait_until(sub { psql_value("SELECT status FROM notify_outbox WHERE msg_id = '$hired'") eq 'delivered' }, 60),
   'another instance sends it after the lease');
@got = received('hook');
is(scalar @got, 2, 'sent twice in all');
is($got[1]{headers}{'webhook-id'}, $hired, 'with the same id both times');

# ---------- 410 disables; dead letters; rotation and replay ----------
my $v2 = vacancy('钢筋工');
$r = http($srv, 'POST', '/v1/applications', token => $key, body => { worker_id => $worker, vacancy_id => $v2, source => 'broker' });
my $app2 = $r->{json}{id};
plan_for('hook', 410);
http($srv, 'POST', "/v1/applications/$app2/transitions", body => { to => 'rejected' });
ok(wait_until(sub { psql_value("SELECT disabled_at IS NOT NULL FROM notify_endpoint WHERE id = $ep") eq 't' }, 60),
   'an endpoint answering 410 is disabled');
$r = http($srv, 'GET', '/v1/broker/messages?status=dead', token => $key);
is($r->{status}, 200, 'the broker reads its dead letters');
my ($dead) = grep { $_->{event} eq 'application.rejected' } @{ $r->{json}{items} };
ok($dead, 'the rejected message is among them');
is(http($srv, 'POST', "/v1/broker/messages/$dead->{id}/replay", token => $key)->{status}, 409, 'no replay to a disabled endpoint');
$r = http($srv, 'POST', "/v1/broker/webhooks/$ep/secrets", token => $key);
is($r->{status}, 200, 'rotating the secret');
my $secret2 = $r->{json}{secret};
isnt($secret2, $secret, 'gives a new secret');
is(scalar @{ $r->{json}{secrets} }, 2, 'the old one still signs during the rotation');
is($r->{json}{disabled_at}, undef, 'and enables the endpoint again');
unlink "$dir/hook.log";
$r = http($srv, 'POST', "/v1/broker/messages/$dead->{id}/replay", token => $key);
is($r->{status}, 202, 'replay by id');
is(http($srv, 'POST', "/v1/broker/messages/$dead->{id}/replay", token => $other_key)->{status}, 404, 'not by another broker');
ok(wait_until(sub { psql_value("SELECT status FROM notify_outbox WHERE msg_id = '$dead->{id}'") eq 'delivered' }, 60), 'the replay is delivered');
@got = received('hook');
is($got[0]{headers}{'webhook-id'}, $dead->{id}, 'with its first id');
my @sigs = split / /, $got[0]{headers}{'webhook-signature'};
is(scalar @sigs, 2, 'signed with both secrets');
ok(verify($got[0], $secret) && verify($got[0], $secret2), 'each verifies');
is(psql_value("SELECT count(*) FROM audit_log WHERE action = 'replay' AND actor_kind = 'broker'"), 1, 'the replay is audited');

# ---------- dead after the last attempt; /metrics ----------
my $v3 = vacancy('焊工');
$app2 = http($srv, 'POST', '/v1/applications', token => $key, body => { worker_id => $worker, vacancy_id => $v3, source => 'broker' })->{json}{id};
plan_for('hook', 500, 500, 500, 500);
http($srv, 'POST', "/v1/applications/$app2/transitions", body => { to => 'shortlisted' });
my $last = "SELECT status FROM notify_outbox WHERE endpoint_id = $ep AND event = 'application.shortlisted' ORDER BY id DESC LIMIT 1";
ok(wait_until(sub { psql_value($last) eq 'dead' }, 60), 'a message failing every attempt is dead');
is(psql_value("SELECT attempts FROM notify_outbox WHERE endpoint_id = $ep ORDER BY id DESC LIMIT 1"), 4, 'after LEYE_NOTIFY_MAX_ATTEMPTS tries');
my $m = http($srv, 'GET', '/metrics')->{content};
my %count = map { /^leye_notify_(\w+)_total (\S+)/ ? ($1 => $2) : () } split /\n/, $m;
ok($count{delivered} >= 2, "delivered messages counted ($count{delivered})");
ok($count{retried} >= 3, "retries counted ($count{retried})");
ok($count{dead} >= 1, "dead messages counted ($count{dead})");

# ---------- brokers' own applications and keys ----------
$r = http($srv, 'GET', '/v1/broker/applications', token => $key);
is($r->{status}, 200, 'a broker reads its own applications (a key without read scopes)');
my ($mine) = grep { $_->{id} == $app } @{ $r->{json}{items} };
is($mine->{status}, 'hired', 'with what became of them');
ok($mine->{hired}, 'the hire');
is($mine->{start_date}, days_from_today(-1), 'its start');
is($mine->{retained_6m}, undef, 'retention unknown before six months');
is(scalar(@{ http($srv, 'GET', '/v1/broker/applications', token => $other_key)->{json}{items} }), 0, 'another broker sees none');
is(http($srv, 'GET', '/v1/broker/applications')->{status}, 403, 'staff use /v1/applications');

$r = http($srv, 'POST', '/v1/broker/keys', token => $key, body => { scopes => ['applications:write'] });
is($r->{status}, 201, 'a broker makes a new key');
my $key2 = $r->{json}{key};
like($key2, qr/^lyb_/, 'shown once');
is(http($srv, 'POST', '/v1/broker/keys', token => $key, body => { scopes => ['matches:read'] })->{status}, 422,
   'never with scopes beyond the calling key\'s');
$r = http($srv, 'GET', '/v1/broker/keys', token => $key2);
is(scalar @{ $r->{json}{items} }, 2, 'keys listed');
unlike($r->{content}, qr/\Q$key\E|\Q$key2\E|key_hash/, 'without the keys or their hashes');
my $self_revoke = http($srv, 'POST', "/v1/broker/keys/" . $r->{json}{items}[1]{id} . "/revoke", token => $key2);
is($self_revoke->{status}, 409, 'the key making the call cannot revoke itself');
is($self_revoke->{json}{errors}[0]{code}, 'in_use', 'saying it is in use');
like($self_revoke->{json}{errors}[0]{message}, qr/使用/, 'in Chinese by default');
is(http($srv, 'POST', "/v1/broker/keys/$kid/revoke", token => $key2)->{status}, 200, 'the new key revokes the old');
is(http($srv, 'GET', '/v1/broker/keys', token => $key)->{status}, 401, 'which then stops working');
is(psql_value("SELECT count(*) FROM audit_log WHERE resource = 'broker_key' AND actor_kind = 'broker' AND actor_name = '$tag-broker'"),
   2, 'creating and revoking keys is audited');

# ---------- the daily digest: at most one a day ----------
my $v4 = vacancy('装卸工');
psql("INSERT INTO notify_digest_item (worker_id, vacancy_id, score) VALUES ($worker, $v4, 90), ($worker, $v2, 80)");
psql("SELECT notify_daily()");
psql("INSERT INTO notify_digest_item (worker_id, vacancy_id, score) VALUES ($worker, $v3, 85)");
psql("SELECT notify_daily()");
is(psql_value("SELECT count(*) FROM notify_outbox WHERE worker_id = $worker AND event = 'vacancy.digest' AND channel = 'kiosk'"), 1,
   'one digest a day, however many vacancies come');
my $digest = psql_value("SELECT text_zh FROM notify_outbox WHERE worker_id = $worker AND event = 'vacancy.digest' AND channel = 'kiosk'");
utf8::decode($digest);
like($digest, qr/2 个新岗位/, 'naming how many');
is(psql_value("SELECT count(*) FROM notify_digest_item WHERE worker_id = $worker AND sent_on IS NULL"), 1, 'the later one waits for tomorrow');

$srv->stop;
done_testing();
