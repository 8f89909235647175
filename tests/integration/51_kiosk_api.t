# The kiosk's own API for a signed-in job seeker: /v1/kiosk/me and
# /v1/kiosk/applications.  Own records only (another person's are 404),
# applying (source kiosk, idempotent, 409 for a duplicate, closed or full
# vacancy), withdrawing, the print slip, and bad input refused with
# problem+json and nothing changed.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;
use Encode qw(encode_utf8);
use MIME::Base64 ();

binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $srv = start_server();
my $tag = 'ka' . ($$ % 100000);
my $bin = $ENV{LEYE_SERVER_BIN};
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); my $out = `$bin admin @_ 2>&1`; chomp $out; return $out }
sub sql { return psql(encode_utf8($_[0])) }
sub sql_value { return psql_value(encode_utf8($_[0])) }
sub id_number {
    my ($serial) = @_;
    my $body = sprintf('5329271991%04d%03d', 1103, $serial % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}

# two job seekers at one site, each with a PIN and a kiosk session
my $site_name = "巍山${tag}安置点";
my $site = sql_value("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('$site_name', 532927, 25.23, 100.30, 'rural_centralized') RETURNING id");
my (%worker, %token, %idn);
for my $k (qw(a b)) {
    $idn{$k} = id_number($$ + ($k eq 'a' ? 0 : 500));
    my $hash = cli("id-hash --id-number=$idn{$k}");
    my $hh = sql_value("INSERT INTO household (site_id, origin_county_code, members, monitoring_status, monitoring_found_by, monitoring_found_on)
        VALUES ($site, 532927, 3, 'unstable', 'cadre_visit', '2025-01-01') RETURNING id");
    my $masked = substr($idn{$k}, 0, 6) . ('*' x 8) . substr($idn{$k}, 14);
    $worker{$k} = sql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex,
        phone_hash, phone_enc, phone_masked, consent_brokers, job_kinds_wanted) VALUES ($hh, '张$k$tag', '$hash', '\\x00', '$masked', '1991-11-03', 'M',
        '\\x00', '\\x00', '137****5678', true, '{workshop}') RETURNING id");
    is(http($srv, 'PUT', "/v1/workers/$worker{$k}/pin", body => { pin => '135246' })->{status}, 200, "PIN for worker $k");
    my $r = http($srv, 'POST', '/v1/kiosk/login', anonymous => 1, body => { id_number => $idn{$k}, pin => '135246' });
    is($r->{status}, 200, "worker $k logs in at a kiosk");
    $token{$k} = $r->{json}{token};
}
sql("INSERT INTO worker_skill (worker_id, skill_id, level) VALUES ($worker{a}, 13, 3)");
sql("INSERT INTO worker_certificate (worker_id, certificate_type_id, issued_on, expires_on) VALUES ($worker{a}, 7, '2023-01-01', '2029-01-01')");
my $emp = sql_value("INSERT INTO employer (name, credit_code, kind, county_code, contact_name, contact_phone, address)
    VALUES ('巍山${tag}机械厂', '" . sprintf('91532927%010d', $$ % 10_000_000_000) . "', 'enterprise', 532927, '赵工', '13611112222', '巍山县南诏镇工业园 8 号') RETURNING id");
sub vacancy {
    my ($title, %o) = @_;
    return sql_value("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, headcount, filled,
        wage_min, wage_max, status, archived) VALUES ($emp, '$title $tag', (SELECT min(code) FROM occupation WHERE level = 4),
        'regular', 532927, 25.24, 100.31, $o{headcount}, $o{filled}, 3000, 4000, '$o{status}', " . ($o{archived} ? 'true' : 'false') . ") RETURNING id");
}
my %v = (
    weld  => vacancy('电焊工', headcount => 5, filled => 0, status => 'open'),
    fit   => vacancy('装配工', headcount => 5, filled => 0, status => 'open'),
    pack  => vacancy('包装工', headcount => 5, filled => 0, status => 'open'),
    closed => vacancy('已关闭岗位', headcount => 5, filled => 0, status => 'closed'),
    full  => vacancy('已招满岗位', headcount => 2, filled => 2, status => 'open'),
    gone  => vacancy('已归档岗位', headcount => 5, filled => 0, status => 'open', archived => 1),
);
sql("INSERT INTO vacancy_certificate (vacancy_id, certificate_type_id) VALUES ($v{weld}, 7), ($v{weld}, 11)");

my $count = sub { sql_value("SELECT count(*) FROM application WHERE worker_id = $worker{$_[0]}") };
my $apply = sub {
    my ($k, $body, %o) = @_;
    return http($srv, 'POST', '/v1/kiosk/applications', token => $token{$k}, body => $body, %o);
};
sub field_error {
    my ($r, $status, $field, $code, $what) = @_;
    is($r->{status}, $status, "$what: $status");
    like($r->{headers}{'content-type'} // '', qr{^application/problem\+json}, "$what: problem+json");
    my ($e) = grep { $_->{field} eq $field } @{ $r->{json}{errors} || [] };
    is($e && $e->{code}, $code, "$what: names $field ($code)");
}

# ---------- who may call ----------

is(http($srv, 'GET', '/v1/kiosk/me', anonymous => 1)->{status}, 401, 'anonymous: 401');
is(http($srv, 'GET', '/v1/kiosk/me')->{status}, 403, 'staff: 403 (kiosk sessions only)');
is(http($srv, 'GET', '/v1/kiosk/applications')->{status}, 403, 'staff cannot list kiosk applications');
is(http($srv, 'POST', '/v1/kiosk/applications', body => { vacancy_id => $v{weld} })->{status}, 403, 'nor apply as a kiosk');

# ---------- my details ----------

my $r = http($srv, 'GET', '/v1/kiosk/me', token => $token{a});
is($r->{status}, 200, 'GET /v1/kiosk/me');
my $me = $r->{json};
is($me->{id}, $worker{a}, 'the signed-in worker');
is($me->{name}, "张a$tag", 'with their name');
like($me->{id_number_masked}, qr/^532927\*{11}[0-9X]$/, 'the ID number masked to region and check character');
ok(!exists $me->{birth_date}, 'with the age, not the birth date');
is($me->{phone_masked}, '137****5678', 'the phone masked');
unlike($r->{content}, qr/\Q$idn{a}\E|13712345678/, 'neither in full anywhere');
is($me->{site_name}, $site_name, 'the site');
is($me->{county_name}, '巍山彝族回族自治县', 'the county');
is_deeply([map { [$_->{name}, $_->{name_en}, $_->{level}] } @{ $me->{skills} }], [['焊工', 'Welding', 3]], 'skills with names and levels');
is($me->{certificates}[0]{name}, '特种作业操作证（焊接与热切割）', 'certificates');
ok($me->{certificates}[0]{valid}, 'valid today');
is($me->{employment_status}, 'seeking', 'employment status');
is_deeply($me->{preferences}{job_kinds_wanted}, ['workshop'], 'preferences');
like($me->{service_desk}{name}, qr/^\Q$site_name\E ?服务台$/, 'the service desk to see to change them');
ok(!exists $me->{$_}, "no $_") for qw(household_id monitoring_status zero_employment consent_brokers consent_employers id_number phone);
is($r->{headers}{'cache-control'}, 'no-store', 'Cache-Control: no-store');
is(http($srv, 'GET', '/v1/kiosk/me', token => $token{b})->{json}{id}, $worker{b}, 'the other person sees only themselves');

# ---------- applying ----------

my $before = $count->('a');
$r = $apply->('a', { vacancy_id => 0 + $v{weld} });
is($r->{status}, 201, 'apply: 201');
my $app = $r->{json};
is($r->{headers}{location}, "/v1/kiosk/applications/$app->{id}", 'Location of the new application');
is($app->{source}, 'kiosk', 'source kiosk');
is($app->{status}, 'applied', 'status applied');
ok($app->{live}, 'live');
is($app->{vacancy_title}, "电焊工 $tag", 'with the job');
is($app->{employer_name}, "巍山${tag}机械厂", 'and the employer');
is($count->('a'), $before + 1, 'one application more');
is(sql_value("SELECT source || ' ' || created_by FROM application WHERE id = $app->{id}"), "kiosk kiosk:$worker{a}", 'recorded as made at the kiosk by the worker');
is(sql_value("SELECT count(*) FROM audit_log WHERE resource = 'application' AND resource_id = '$app->{id}' AND actor_kind = 'kiosk' AND actor_id = $worker{a}"),
   1, 'and audited as the kiosk session');

field_error($apply->('a', { vacancy_id => 0 + $v{weld} }), 409, 'vacancy_id', 'duplicate', 'applying twice');
field_error($apply->('a', { vacancy_id => 0 + $v{closed} }), 409, 'vacancy_id', 'not_open', 'a closed vacancy');
field_error($apply->('a', { vacancy_id => 0 + $v{full} }), 409, 'vacancy_id', 'full', 'a full vacancy');
field_error($apply->('a', { vacancy_id => 0 + $v{gone} }), 409, 'vacancy_id', 'archived', 'an archived vacancy');
field_error($apply->('a', { vacancy_id => 999999999 }), 422, 'vacancy_id', 'not_found', 'a vacancy that does not exist');
field_error($apply->('a', {}), 422, 'vacancy_id', 'required', 'no vacancy_id');
field_error($apply->('a', { vacancy_id => 'x' }), 422, 'vacancy_id', 'invalid_type', 'vacancy_id not a number');
field_error($apply->('a', { vacancy_id => 0 }), 422, 'vacancy_id', 'invalid_format', 'vacancy_id 0');
field_error($apply->('a', { vacancy_id => 0 + $v{fit}, worker_id => 0 + $worker{b} }), 422, 'worker_id', 'unknown_field',
            'naming another worker');
field_error($apply->('a', { vacancy_id => 0 + $v{fit}, source => 'staff' }), 422, 'source', 'unknown_field', 'choosing the source');
is($apply->('a', '{"vacancy_id": ', headers => { 'Content-Type' => 'application/json' })->{status}, 400, 'malformed JSON: 400');
is($apply->('a', '{"vacancy_id": 1}', headers => { 'Content-Type' => 'text/plain' })->{status}, 415, 'not JSON: 415');
is($count->('a'), $before + 1, 'none of those changed anything');
is($count->('b'), 0, 'nor made anything for the other person');

# idempotency keys are the person's own
my $key = "key-$tag";
$r = $apply->('a', { vacancy_id => 0 + $v{fit} }, headers => { 'Idempotency-Key' => $key });
is($r->{status}, 201, 'apply with an Idempotency-Key');
my $again = $apply->('a', { vacancy_id => 0 + $v{fit} }, headers => { 'Idempotency-Key' => $key });
is($again->{status}, 201, 'the retry gets the first answer');
is($again->{headers}{'idempotent-replayed'}, 'true', 'marked Idempotent-Replayed');
is($again->{json}{id}, $r->{json}{id}, 'the same application');
is($count->('a'), $before + 2, 'made once');
field_error($apply->('a', { vacancy_id => 0 + $v{pack} }, headers => { 'Idempotency-Key' => $key }), 422,
            'Idempotency-Key', 'idempotency_mismatch', 'the same key for another job');
my $b_app = $apply->('b', { vacancy_id => 0 + $v{fit} }, headers => { 'Idempotency-Key' => $key });
is($b_app->{status}, 201, "another person's same key is theirs: a new application");
isnt($b_app->{headers}{'idempotent-replayed'}, 'true', 'not a replay of the first person\'s');
is($b_app->{json}{vacancy_id}, $v{fit}, 'for their own application');
unlike($b_app->{content}, qr/张a\Q$tag\E/, "with nothing of the first person's");
is($count->('b'), 1, 'the other person has one application');

# ---------- my applications ----------

$r = http($srv, 'GET', '/v1/kiosk/applications', token => $token{a});
is($r->{status}, 200, 'GET /v1/kiosk/applications');
my @ids = map { $_->{id} } @{ $r->{json}{items} };
is_deeply(\@ids, [sort { $b <=> $a } split /\n/, sql("SELECT id FROM application WHERE worker_id = $worker{a}")],
          'exactly my applications, newest first');
ok(!(grep { $_ == $b_app->{json}{id} } @ids), "not the other person's");
is($r->{json}{items}[0]{vacancy_title}, "装配工 $tag", 'with the job title');
is($r->{json}{items}[0]{employer_name}, "巍山${tag}机械厂", 'the employer');
ok($r->{json}{items}[0]{created_at}, 'and the date');
my (@paged, $cursor);
for (1 .. 10) {
    my $p = http($srv, 'GET', '/v1/kiosk/applications?limit=1' . ($cursor ? "&cursor=$cursor" : ''), token => $token{a});
    push @paged, map { $_->{id} } @{ $p->{json}{items} };
    $cursor = $p->{json}{next_cursor} or last;
}
is_deeply(\@paged, \@ids, 'paging one at a time reaches the end with the same list');
{
    my $first = http($srv, 'GET', '/v1/kiosk/applications?limit=1', token => $token{a})->{json}{next_cursor};
    my $fault = sub { my ($x) = @_; return join ' ', $x->{status}, map { "$_->{field}:$_->{code}" } @{ $x->{json}{errors} // [] } };
    is($fault->(http($srv, 'GET', "/v1/kiosk/applications?limit=1&cursor=$first", token => $token{b})),
       '400 cursor:not_this_list', "a cursor of one person's list is refused on another's");
    my ($pos, $sig) = split /\./, $first;
    is($fault->(http($srv, 'GET', "/v1/kiosk/applications?limit=1&cursor=" . MIME::Base64::encode_base64url('999999999') . ".$sig",
                     token => $token{a})), '400 cursor:not_this_list', 'so is an altered one');
    is($fault->(http($srv, 'GET', "/v1/kiosk/applications?limit=1&cursor=$ids[1]", token => $token{a})), '400 cursor:invalid_format',
       'and a bare id');
}
for my $q ('limit=0', 'limit=201', 'limit=abc', 'cursor=-1', 'status=applied') {
    my $x = http($srv, 'GET', "/v1/kiosk/applications?$q", token => $token{a});
    is($x->{status}, 400, "?$q: 400");
    like($x->{headers}{'content-type'} // '', qr{^application/problem\+json}, "?$q: problem+json");
}

$r = http($srv, 'GET', "/v1/kiosk/applications/$app->{id}", token => $token{a});
is($r->{status}, 200, 'GET one of mine');
is_deeply([map { $_->{to} } @{ $r->{json}{events} }], ['applied'], 'with its history');
ok(!exists $r->{json}{events}[0]{actor}, 'without who moved it');
is(http($srv, 'GET', "/v1/kiosk/applications/$b_app->{json}{id}", token => $token{a})->{status}, 404, "another person's: 404");
is(http($srv, 'GET', "/v1/kiosk/applications/$b_app->{json}{id}", token => $token{b})->{status}, 200, 'theirs to see');
is(http($srv, 'GET', '/v1/kiosk/applications/abc', token => $token{a})->{status}, 404, 'a malformed id: 404');

# ---------- the slip ----------

$r = http($srv, 'GET', "/v1/kiosk/applications/$app->{id}/slip", token => $token{a});
is($r->{status}, 200, 'the slip');
my $slip = $r->{json};
is($slip->{employer}{contact_phone}, '13611112222', "the employer's phone to call");
is($slip->{employer}{contact_name}, '赵工', 'and contact');
like($slip->{employer}{address}, qr/南诏镇工业园 8 号/, 'the address');
is_deeply([map { $_->{code} } @{ $slip->{bring} }], ['id_card', 'welding_op', 'health_certificate', 'slip'],
          'what to bring: ID card, the certificates the job asks for, the slip');
is_deeply([map { $_->{held} ? 1 : 0 } @{ $slip->{bring} }[1, 2]], [1, 0], 'saying which certificates are on record');
like($slip->{worker}{id_number_masked}, qr/\*{8}/, 'the ID number masked');
like($slip->{service_desk}{name}, qr/\Q$site_name\E/, 'and where to ask');
is(http($srv, 'GET', "/v1/kiosk/applications/$b_app->{json}{id}/slip", token => $token{a})->{status}, 404, "no slip of another person's");

# ---------- withdrawing ----------

$r = http($srv, 'POST', "/v1/kiosk/applications/$b_app->{json}{id}/withdraw", token => $token{a});
is($r->{status}, 404, "withdrawing another person's: 404");
is(sql_value("SELECT status FROM application WHERE id = $b_app->{json}{id}"), 'applied', 'and theirs is untouched');
field_error(http($srv, 'POST', "/v1/kiosk/applications/$app->{id}/withdraw", token => $token{a}, body => { why => 'x' }),
            422, 'why', 'unknown_field', 'a withdrawal with a body');
$r = http($srv, 'POST', "/v1/kiosk/applications/$app->{id}/withdraw", token => $token{a});
is($r->{status}, 200, 'withdraw my own');
is($r->{json}{status}, 'withdrawn', 'withdrawn');
ok(!$r->{json}{live}, 'no longer live');
is(sql_value("SELECT to_status || ' ' || actor FROM application_event WHERE application_id = $app->{id} ORDER BY id DESC LIMIT 1"),
   "withdrawn kiosk:$worker{a}", 'recorded in its history');
field_error(http($srv, 'POST', "/v1/kiosk/applications/$app->{id}/withdraw", token => $token{a}, body => {}),
            409, 'status', 'illegal_transition', 'withdrawing twice');
my $hired = sql_value("INSERT INTO application (worker_id, vacancy_id, source, status) VALUES ($worker{a}, $v{pack}, 'staff', 'hired') RETURNING id");
field_error(http($srv, 'POST', "/v1/kiosk/applications/$hired/withdraw", token => $token{a}), 409, 'status', 'illegal_transition',
            'withdrawing a hire');
is(sql_value("SELECT status FROM application WHERE id = $hired"), 'hired', 'which stays hired');
is($apply->('a', { vacancy_id => 0 + $v{weld} })->{status}, 201, 'after withdrawing, one may apply again');

# the session ends on logout, and with it the access
is(http($srv, 'POST', '/v1/kiosk/logout', token => $token{a})->{status}, 204, 'logout');
is(http($srv, 'GET', '/v1/kiosk/applications', token => $token{a})->{status}, 401, 'then the token is dead');
done_testing();
