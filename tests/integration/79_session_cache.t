# Staff sessions are kept in memory for at most a second (LEYE_SESSION_CACHE_MS),
# and every change that ends or narrows access reaches every instance at once
# through NOTIFY leye_auth: two servers on one database, a change made through
# one, the other refuses within a second.  The same holds while an
# instance's listener is away, and on the instance that made the change at
# once.  Broker keys are looked up every time and follow the same rule.
use strict;
use warnings;
use utf8;
use Test::More;
use Time::HiRes qw(time sleep);
use LeyeTest;

my $a = start_server();
my $b = start_server();
my $tag = 'sc' . $$ . int(rand(1e5));
sub idnum {
    my $body = sprintf('5306211985%04d%03d', 1204, ($$ + int(rand(1000))) % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}

# polls until a GET of path with token gives the wanted status; returns the seconds it took, or undef
sub refused_within {
    my ($srv, $token, $path, $want, $limit) = @_;
    my $t0 = time;
    while (time - $t0 < $limit) {
        my $s = http($srv, 'GET', $path, token => $token)->{status};
        return time - $t0 if $s == $want;
        sleep 0.02;
    }
    return undef;
}
sub hits {
    my ($srv) = @_;
    my $m = http($srv, 'GET', '/metrics')->{content} // '';
    return $m =~ /^leye_session_cache_hits_total (\S+)/m ? $1 : -1;
}
sub listening {
    my ($srv) = @_;
    return psql_value("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'leye-authcache-$srv->{pid}'") == 1;
}
ok(wait_until(sub { listening($a) && listening($b) }, 10), 'each instance listens on leye_auth');

my $r = http($a, 'POST', '/v1/accounts', body => { username => "$tag.c", role => 'county_staff', county_codes => [530621] });
is($r->{status}, 201, 'a county staff account');
my ($cid, $pw) = ($r->{json}{id}, $r->{json}{password});
my $site = http($a, 'POST', '/v1/sites', body => { name => "$tag 点", county_code => 530621, kind => 'scattered' })->{json}{id};
my $hh = http($a, 'POST', '/v1/households', body => { site_id => $site, origin_county_code => 530621, members => 2 })->{json}{id};
$r = http($a, 'POST', '/v1/workers', body => { household_id => $hh, name => "$tag 张三", id_number => idnum() });
is($r->{status}, 201, 'a worker in that county');
my $worker = "/v1/workers/$r->{json}{id}";

# --- the cache serves: repeated reads on B do not each look the token up
my $tok = login($a, "$tag.c", $pw);
ok($tok, 'signed in through A');
is(http($b, 'GET', $worker, token => $tok)->{status}, 200, 'B reads the worker with it');
ok(wait_until(sub { hits($b) >= 0 }, 2), 'B publishes its cache counts in /metrics');
my $h0 = hits($b);
http($b, 'GET', $worker, token => $tok) for 1 .. 5;
ok(wait_until(sub { hits($b) > $h0 }, 2), 'and serves the session from memory');

# --- logout through A: refused on A at once, on B within a second
my $tok2 = login($a, "$tag.c", $pw);
is(http($a, 'GET', '/v1/auth/me', token => $tok)->{status}, 200, 'A knows the session too');
is(http($a, 'POST', '/v1/auth/logout', token => $tok)->{status}, 204, 'logout through A');
is(http($a, 'GET', '/v1/auth/me', token => $tok)->{status}, 401, 'A refuses the token at once');
my $t = refused_within($b, $tok, $worker, 401, 1.0);
ok(defined $t, sprintf('B refuses it within a second (%.3f s)', $t // -1));
is(http($b, 'GET', $worker, token => $tok2)->{status}, 200, 'the other session of the account still works');

# --- a role or scope change, made in the database by anyone: B follows
is($JSON->decode(http($b, 'GET', '/v1/auth/me', token => $tok2)->{content})->{county_codes}[0], 530621, 'B knows the county');
psql("UPDATE staff_account SET county_codes = '{530622}' WHERE id = $cid");
my $t0 = time;
ok(wait_until(sub { ($JSON->decode(http($b, 'GET', '/v1/auth/me', token => $tok2)->{content})->{county_codes}[0] // 0) == 530622 }, 1.0)
   && time - $t0 <= 1.0, 'B sees a new county within a second');
is(http($b, 'GET', $worker, token => $tok2)->{status}, 404, 'and the worker of the old county is out of its scope');
psql("UPDATE staff_account SET county_codes = '{530621}' WHERE id = $cid");
ok(defined refused_within($b, $tok2, $worker, 200, 1.0), 'given back its county, B lets it read the worker within a second');

# --- locking through A ends the session on B within a second
is(http($a, 'POST', "/v1/accounts/$cid/lock")->{status}, 200, 'an administrator locks the account through A');
$t = refused_within($b, $tok2, $worker, 401, 1.0);
ok(defined $t, sprintf('B refuses its session within a second (%.3f s)', $t // -1));
is(http($a, 'POST', "/v1/accounts/$cid/unlock")->{status}, 200, 'unlocked');

# --- a password reset through A
my $tok3 = login($a, "$tag.c", $pw);
ok($tok3, 'signed in again');
is(http($b, 'GET', $worker, token => $tok3)->{status}, 200, 'B reads with it');
$r = http($a, 'POST', "/v1/accounts/$cid/password");
is($r->{status}, 200, 'an administrator resets the password through A');
$pw = $r->{json}{password};
$t = refused_within($b, $tok3, $worker, 401, 1.0);
ok(defined $t, sprintf('B refuses the old session within a second (%.3f s)', $t // -1));

# --- with B's listener cut off, a session revoked in the database is still refused within a second
my $tok4 = login($a, "$tag.c", $pw);
is(http($b, 'GET', $worker, token => $tok4)->{status}, 200, 'a fourth session read through B');
psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'leye-authcache-$b->{pid}'");
psql("UPDATE staff_session SET revoked_at = now() WHERE account_id = $cid AND revoked_at IS NULL");
$t = refused_within($b, $tok4, $worker, 401, 1.0);
ok(defined $t, sprintf('B refuses it within a second while its listener is away (%.3f s)', $t // -1));
ok(wait_until(sub { listening($b) }, 5), 'B listens again');
my $tok5 = login($a, "$tag.c", $pw);
is(http($b, 'GET', $worker, token => $tok5)->{status}, 200, 'and serves new sessions');
like($b->log_text, qr/session cache: lost its listener/, 'B said it lost its listener');

# --- a broker key revoked through A is refused by B
$r = http($a, 'POST', '/v1/brokers', body => { name => "$tag 劳务" });
my $broker = $r->{json}{id};
$r = http($a, 'POST', "/v1/brokers/$broker/keys", body => { scopes => ['vacancies:read'] });
my ($key, $kid) = ($r->{json}{key}, $r->{json}{id});
is(http($b, 'GET', '/v1/vacancies?limit=1', token => $key)->{status}, 200, 'a broker reads through B');
is(http($a, 'POST', "/v1/brokers/$broker/keys/$kid/revoke")->{status}, 200, 'its key revoked through A');
$t = refused_within($b, $key, '/v1/vacancies?limit=1', 401, 1.0);
ok(defined $t, sprintf('B refuses the key within a second (%.3f s)', $t // -1));

# --- LEYE_SESSION_CACHE_MS=0: no cache, no listener
my $c = start_server(env => { LEYE_SESSION_CACHE_MS => 0 });
my $tok6 = login($a, "$tag.c", $pw);
http($c, 'GET', $worker, token => $tok6) for 1 .. 3;
is(hits($c), 0, 'with the cache off nothing is served from memory');
ok(!listening($c), 'and nothing listens');
is(http($c, 'GET', '/v1/auth/me', token => $tok6)->{status}, 200, 'sessions still work');

$_->stop for $a, $b, $c;
done_testing();
