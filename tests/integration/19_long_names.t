# Text longer than the buffer it is copied into is cut between characters,
# never inside one: a broker whose Chinese name is longer than the old 48-byte
# principal name can write, and the audit log names it in full; query
# parameter names, JSON keys, CSV headers and JSON syntax errors that name
# long Chinese text still come back as valid UTF-8, naming the field.
use strict;
use warnings;
use utf8;
use Encode qw(encode decode);
use Test::More;
use LeyeTest;

my $srv = start_server();
my $tag = 'ln' . $$ . int(rand(1e5));
my $bin = $ENV{LEYE_SERVER_BIN};
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); my $out = `$bin admin @_ 2>&1`; chomp $out; return decode('UTF-8', $out) }

my $site = http($srv, 'POST', '/v1/sites', body => { name => "$tag 点", county_code => 530621, kind => 'scattered' })->{json}{id};
my $hh = psql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, 530621, 3) RETURNING id");
my $employer = psql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 厂', "
                          . "'LN' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', 530621) RETURNING id");
my $vacancy = psql_value("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, headcount, "
                         . "wage_min, wage_max, status) VALUES ($employer, '$tag 岗', '6-29-01-01', 'regular', 530621, 27.2, "
                         . "103.5, 10, 3000, 5000, 'open') RETURNING id");
sub worker {
    return psql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, "
                      . "birth_date, sex, consent_brokers) VALUES ($hh, '$tag $_[0]', "
                      . "decode(md5(random()::text || clock_timestamp()::text), 'hex'), '\\x00', "
                      . "'530621********0000', '1990-05-01', 'M', true) RETURNING id");
}

# A broker of that name applies for a worker; the audit row names it.
sub broker_applies {
    my ($name, $what) = @_;
    my $bytes = encode('UTF-8', $name);
    my $out = cli("create-broker '--name=$bytes'");
    my ($broker) = $out =~ /^broker (\d+)$/;
    $broker //= psql_value("SELECT id FROM broker WHERE name = '$name'");
    ok($broker, "a broker named $what");
    my ($key) = cli("create-key --broker=$broker --scopes=applications:write --rate=100000") =~ /^key \d+ (\S+) /m;
    my $w = worker($what);
    my $rid = "$tag-" . length($bytes);
    my $r = http($srv, 'POST', '/v1/applications', token => $key, headers => { 'X-Request-Id' => $rid },
                 body => { worker_id => $w + 0, vacancy_id => $vacancy + 0, source => 'broker' });
    is($r->{status}, 201, "the broker named $what applies for a worker") or diag($r->{content});
    is(http($srv, 'GET', "/v1/applications/$r->{json}{id}")->{json}{broker_name}, $name, 'the application names it')
        if $r->{json}{id};
    my $audit = http($srv, 'GET', "/v1/audit?request_id=$rid")->{json}{items} || [];
    ok(@$audit >= 1, 'the write is audited');
    is($audit->[0]{actor_kind}, 'broker', 'as the broker');
    is($audit->[0]{actor_name}, $name, 'with its whole name');
}

# 19 characters, 57 bytes of UTF-8: the name of the defect
broker_applies('云南省昭通市鲁甸县宏达劳务派遣有限公司', 'with a 57-byte Chinese name');
# the longest name a broker may have: 100 characters of four bytes each
broker_applies("𠀀" x 99 . "司", 'with 100 characters outside the BMP');
# a name ending in 3-byte then 4-byte characters around the old cut at 47 bytes
broker_applies($tag . ('云' x 12) . '𠀀𠀁' . '公司', 'with mixed 3- and 4-byte characters');

# Names given by the caller and echoed in a problem are cut between characters.
# A query parameter's name is echoed as it came; sent as raw UTF-8 bytes, a
# cut at 60 bytes falls inside a character.
my $long = 'a' . ('参' x 40);    # 121 bytes: a cut at 60 or 120 bytes falls inside a character
my $admin = $srv->token;
for my $path ('/v1/sites', '/v1/workers', '/v1/allocations', '/v1/occupations') {
    my $raw = raw_request($srv, "GET $path?" . encode('UTF-8', $long) . "=1 HTTP/1.1\r\nHost: x\r\n"
                          . "Authorization: Bearer $admin\r\nConnection: close\r\n\r\n");
    my ($status) = $raw =~ m{^HTTP/1\.1 (\d+)};
    is($status, 400, "an unknown query parameter with a long Chinese name on $path: 400");
    my $body = json_of($raw);
    my $f = $body ? $body->{errors}[0]{field} // '' : '';
    ok(length $f > 10 && index($long, $f) == 0, "names the parameter, cut between characters ($path)")
        or diag($raw);
}

my $r = http($srv, 'POST', '/v1/sites', body => { name => "$tag x", county_code => 530621, kind => 'scattered', $long x 3 => 1 });
is($r->{status}, 422, 'an unknown JSON key with a long Chinese name: 422');
my $f = $r->{json}{errors}[0]{field} // '';
ok(length $f > 10 && index($long x 3, $f) == 0, 'names the key, cut between characters') or diag($r->{content});
is(psql_value("SELECT count(*) FROM site WHERE name = '$tag x'"), 0, 'and nothing is written');

$r = http($srv, 'POST', '/v1/vacancies', body => { '年龄' . ('参' x 60) => 1 });
ok($r->{status} == 422 && ($r->{json}{errors}[0]{field} // '') ne '', 'a long unknown key on a vacancy is named too')
    or diag($r->{content});

# a CSV header longer than the 64 bytes kept for it
$r = http($srv, 'POST', '/v1/imports/workers', body => encode('UTF-8', "name,$long\nx,y\n"),
          headers => { 'Content-Type' => 'text/csv' });
is($r->{status}, 422, 'an import with a long unknown column: 422');
my ($unknown) = grep { $_->{code} eq 'unknown_field' } @{ $r->{json}{errors} || [] };
ok($unknown && length $unknown->{column} > 10 && index($long, $unknown->{column}) == 0,
   'names the column, cut between characters') or diag($r->{content});

# a syntax error that quotes a long stretch of Chinese text
$r = http($srv, 'POST', '/v1/sites', body => encode('UTF-8', '{"name": "' . ('参' x 100)),
          headers => { 'Content-Type' => 'application/json' });
is($r->{status}, 400, 'unterminated JSON with a long Chinese string: 400');
is($r->{json}{code}, 'malformed_json', 'malformed_json, as valid JSON');
# the request log: one JSON line per request, its path cut between characters
my $rid = "$tag-path";
my $path = '/' . ('云' x 400);    # 1201 bytes of path: the log keeps 1023
raw_request($srv, "GET " . encode('UTF-8', $path) . " HTTP/1.1\r\nHost: x\r\nX-Request-Id: $rid\r\n"
                  . "Connection: close\r\n\r\n");
my $line;
ok(wait_until(sub { ($line) = grep { /\Q$rid\E/ } split /\n/, $srv->log_text; $line }, 3), 'the request is logged');
my $logged = eval { $JSON->decode($line // '') };
ok($logged, 'as a line of valid JSON in UTF-8') or diag($@);
ok($logged && length($logged->{path}) > 300 && index($path, $logged->{path}) == 0, 'whose path is cut between characters');

ok($srv->alive, 'the server is still up');
done_testing();
