# A worker's read decides the caller's scope once (migrations/057): the
# worker, its household, site, vacancy and employer are read under the
# caller's row-level security, its skills, trainings, certificates, consent
# events and placements without a second check.  Its answer must be 055's
# for every kind of caller: byte for byte as jsonb, and since 062 built as
# JSON text with the same members in the same order.  055's statement is
# kept below and run as the server's role beside the new functions (and
# the jsonb ones kept for the previous release), for workers in and out
# of each scope, one placed at a vacancy of another county, one whose
# consent to brokers was withdrawn, one archived, and an id that does not
# exist; then the same through GET /v1/workers/{id} for each kind of staff.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;

my $srv = start_server();
my $tag = 'rs' . $$ . int(rand(1e5));
(my $app = dsn()) =~ s/\buser=leye\b/user=leye_app/;
sub v { psql_value(@_) }

# 055's api_worker_get_many, as it was: IDS stands for the array of ids
my $old = <<'SQL';
    SELECT w.id, 200 AS status, w.version, jsonb_build_object(
        'id', w.id, 'household_id', w.household_id, 'site_id', h.site_id, 'site_name', s.name,
        'county_code', s.county_code, 'county_name', c.name,
        'name', w.name, 'id_number_masked', w.id_number_masked, 'sex', w.sex,
        'age', extract(year FROM age(placement_today(), w.birth_date))::integer,
        'phone_masked', w.phone_masked,
        'education', w.education, 'mandarin_level', w.mandarin_level,
        'languages', to_jsonb(w.languages), 'employment_status', w.employment_status,
        'max_commute_km', w.max_commute_km, 'willing_outside_county', w.willing_outside_county,
        'willing_outside_province', w.willing_outside_province,
        'needs_accommodation', w.needs_accommodation, 'wage_floor', w.wage_floor,
        'job_kinds_wanted', to_jsonb(w.job_kinds_wanted), 'available_from', w.available_from,
        'disability', w.disability,
        'consent_employers', w.consent_employers, 'consent_brokers', w.consent_brokers,
        'skills', sk.j, 'archived', w.archived, 'version', w.version,
        'created_at', w.created_at, 'updated_at', w.updated_at,
        'trainings', tr.j, 'certificates', ce.j, 'consent_events', ev.j, 'placement', pl.j) AS body
    FROM worker w
    LEFT JOIN household h ON h.id = w.household_id
    LEFT JOIN site s ON s.id = h.site_id
    LEFT JOIN region c ON c.code = s.county_code
    CROSS JOIN LATERAL (
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'skill_id', ws.skill_id, 'code', k.code, 'name', k.name_zh, 'name_en', k.name_en,
                   'level', ws.level, 'proven', coalesce(ws.level <= ws.proven_level, false),
                   'proven_course_id', CASE WHEN ws.level <= ws.proven_level
                                            THEN ws.proven_course_id END)
                   ORDER BY ws.skill_id), '[]') AS j
        FROM worker_skill ws JOIN skill k ON k.id = ws.skill_id
        WHERE ws.worker_id = w.id) sk
    CROSS JOIN LATERAL (
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'id', t.id, 'name', t.name, 'provider', t.provider,
                   'start_date', t.start_date, 'end_date', t.end_date,
                   'completed', t.completed, 'skill_id', t.skill_id,
                   'skill_name', k.name_zh) ORDER BY t.id), '[]') AS j
        FROM worker_training t LEFT JOIN skill k ON k.id = t.skill_id
        WHERE t.worker_id = w.id) tr
    CROSS JOIN LATERAL (
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'id', ct.id, 'certificate_type_id', ct.certificate_type_id,
                   'code', y.code, 'name', y.name_zh, 'name_en', y.name_en,
                   'number', ct.number, 'issued_on', ct.issued_on, 'expires_on', ct.expires_on,
                   'valid', coalesce(ct.issued_on <= placement_today(), true)
                            AND coalesce(ct.expires_on >= placement_today(), true))
                   ORDER BY ct.id), '[]') AS j
        FROM worker_certificate ct JOIN certificate_type y ON y.id = ct.certificate_type_id
        WHERE ct.worker_id = w.id) ce
    CROSS JOIN LATERAL (
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'kind', e.kind, 'granted', e.granted, 'method', e.method,
                   'given_on', e.given_on, 'recorded_by', e.recorded_by,
                   'at', e.at) ORDER BY e.at, e.id), '[]') AS j
        FROM worker_consent_event e WHERE e.worker_id = w.id) ev
    LEFT JOIN LATERAL (
        SELECT jsonb_build_object(
                   'id', p.id, 'vacancy_id', p.vacancy_id, 'vacancy_title', v.title,
                   'employer_id', v.employer_id, 'employer_name', m.name,
                   'start_date', p.start_date, 'wage', p.wage,
                   'wage_period', v.wage_period, 'location_scope', p.location_scope) AS j
        FROM placement p
        LEFT JOIN vacancy v ON v.id = p.vacancy_id
        LEFT JOIN employer m ON m.id = v.employer_id
        WHERE p.worker_id = w.id AND p.ended_on IS NULL
        ORDER BY p.start_date DESC, p.id DESC LIMIT 1) pl ON true
    WHERE w.id = ANY (IDS)
SQL

# ---------- the records: two counties, three sites ----------
my %site;
for (['a', 530621], ['b', 530602], ['c', 530621]) {
    my ($k, $county) = @$_;
    $site{$k} = http($srv, 'POST', '/v1/sites', body => { name => "$tag $k", county_code => $county, kind => 'scattered' })->{json}{id};
    ok($site{$k}, "site $k in $county");
}
my %hh = map { ($_ => v("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site{$_}, "
                        . ($_ eq 'b' ? 530602 : 530621) . ", 3) RETURNING id")) } qw(a b c);
my $n = 0;
sub worker {
    my ($hh, %o) = @_;
    $n++;
    return v("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex, "
             . "consent_brokers, archived) VALUES ($hh, '$tag $n', decode(md5('$tag $n'), 'hex'), '\\x00', "
             . "'530621********0101', '" . days_from_today(-365 * 30 - $n) . "', 'F', "
             . ($o{brokers} ? 'true' : 'false') . ', ' . ($o{archived} ? 'true' : 'false') . ') RETURNING id');
}
my %w = (
    a_full     => worker($hh{a}, brokers => 1),
    a_placed   => worker($hh{a}, brokers => 1),   # at a vacancy of the other county
    a_archived => worker($hh{a}, brokers => 1, archived => 1),
    a_withdrew => worker($hh{a}),                  # consent to brokers withdrawn
    a_bare     => worker($hh{a}),                  # no child rows at all
    b_placed   => worker($hh{b}, brokers => 1),   # at a vacancy of the first county
    b_full     => worker($hh{b}),
    c_one      => worker($hh{c}, brokers => 1),
);
# text the server escapes when it writes the answer: quote, backslash,
# control characters and characters beyond ASCII
psql("UPDATE worker SET name = name || E' 引\"号\\\\斜\\n行\\t\\u0001\\u001f/', "
     . "available_from = '" . days_from_today(14) . "' WHERE id = $w{a_full}");
for my $k (qw(a_full b_full c_one)) {
    psql("INSERT INTO worker_skill (worker_id, skill_id, level, proven_level) VALUES ($w{$k}, 1, 3, 3), ($w{$k}, 2, 2, NULL)");
    psql("INSERT INTO worker_training (worker_id, name, provider, start_date, end_date, completed, skill_id) VALUES "
         . "($w{$k}, '$tag 焊工', '$tag', '" . days_from_today(-90) . "', '" . days_from_today(-60) . "', true, 1), "
         . "($w{$k}, '$tag 电工', '', '" . days_from_today(-20) . "', NULL, false, NULL)");
    psql("INSERT INTO worker_certificate (worker_id, certificate_type_id, number, issued_on, expires_on) VALUES "
         . "($w{$k}, 1, '$tag-1', '" . days_from_today(-400) . "', '" . days_from_today(-10) . "'), "
         . "($w{$k}, 2, '$tag-2', '" . days_from_today(-30) . "', NULL)");
}
for my $k (qw(a_full a_withdrew a_archived b_full)) {
    psql("INSERT INTO worker_consent_event (worker_id, kind, granted, method, recorded_by, given_on) VALUES "
         . "($w{$k}, 'brokers', true, 'paper_form', '$tag', '" . days_from_today(-50) . "')");
}
psql("INSERT INTO worker_consent_event (worker_id, kind, granted, method, recorded_by, given_on) VALUES "
     . "($w{a_withdrew}, 'brokers', false, 'in_person', '$tag', '" . days_from_today(-5) . "')");
my %emp = map { ($_ => v("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag $_', "
                         . "'RS' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', $_) RETURNING id")) }
          (530621, 530602);
sub placement {
    my ($w, $county, $start, $ended) = @_;
    my $vac = v("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, headcount, "
                . "wage_min, wage_max, status) VALUES ($emp{$county}, '$tag $county', '6-29-01-01', 'regular', $county, "
                . "27.74, 98.67, 10, 2000, 4000, 'open') RETURNING id");
    my $a = v("INSERT INTO application (worker_id, vacancy_id, source, status) VALUES ($w, $vac, 'staff', 'hired') RETURNING id");
    my $end = $ended ? "'" . days_from_today(-1) . "', 'quit'" : 'NULL, NULL';
    return v("INSERT INTO placement (application_id, worker_id, vacancy_id, start_date, wage, location_scope, ended_on, end_reason) "
             . "VALUES ($a, $w, $vac, '" . days_from_today($start) . "', 3000, 'outside_county', $end) RETURNING id");
}
placement($w{a_placed}, 530602, -30);
placement($w{a_placed}, 530621, -100, 1);     # an earlier one, ended
placement($w{b_placed}, 530621, -30);
placement($w{a_full}, 530621, -10);
my $missing = v('SELECT max(id) + 1000 FROM worker');
my @ids = ((sort { $a <=> $b } values %w), $missing);
my $array = 'ARRAY[' . join(',', @ids) . ']::bigint[]';

ok(v("SELECT prosecdef FROM pg_proc WHERE oid = 'api_worker_members_many(bigint[])'::regprocedure") eq 't',
   'the read runs as the schema owner');
is(v("SELECT has_function_privilege('public', 'api_worker_members_many(bigint[])', 'EXECUTE')"), 'f',
   'which PUBLIC may not call');
is(v("SELECT has_function_privilege('public', 'api_worker_read_many(bigint[])', 'EXECUTE')"), 'f',
   'nor the read of the previous release');
is(v("SELECT has_function_privilege('public', 'api_worker_get_many(bigint[])', 'EXECUTE')"), 'f',
   'nor the jsonb read kept for the previous release');
is(v("SELECT count(*) FROM pg_policy WHERE polname = 'owner_read' AND 'leye_app'::regrole = ANY (polroles)"), 0,
   'and the server\'s role reads no table without the scope');

# ---------- 055's statement and the new function, scope by scope ----------
# every row as "id status version body", in id order; a missing row is a 404
sub rows {
    my ($scope, $sql) = @_;
    return psql("SET leye.scope = '$scope'; "
                . "SELECT r.id || ' ' || r.status || ' ' || r.version || ' ' || r.body::jsonb::text FROM ($sql) r ORDER BY r.id",
                dsn => $app);
}
# the top-level members of every answer, in the order of the text
sub keys_of {
    my ($scope, $sql) = @_;
    return psql("SET leye.scope = '$scope'; SELECT r.id || ' ' || (SELECT string_agg(k, ',') FROM "
                . "json_object_keys(r.body::json) k) FROM ($sql) r ORDER BY r.id", dsn => $app);
}
my @scopes = ('*', 'c:530621', 'c:530602', 'c:530621,530602', "s:$site{a}", "s:$site{b}", "s:$site{a},$site{c}",
              "s:$site{c}", "k:$w{a_full}", "k:$w{b_placed}", "k:$missing", 'b:1', 'none');
for my $scope (@scopes) {
    my $before = rows($scope, $old =~ s/IDS/$array/r);
    my $now = rows($scope, "SELECT * FROM api_worker_read_many($array)");
    ok(length $before || $scope =~ /^(none|k:$missing)$/, "scope $scope: 055 sees some of the workers") ;
    is($now, $before, "scope $scope: the batch is 055's answer, byte for byte as jsonb, the same workers missing");
    is(keys_of($scope, "SELECT * FROM api_worker_read_many($array)"), keys_of($scope, $old =~ s/IDS/$array/r),
       "scope $scope: the text has 055's members in 055's order");
    for my $f ('api_worker_read', 'api_worker_get') {
        my $alone = psql("SET leye.scope = '$scope'; SELECT i || ' ' || r.status || ' ' || r.version || ' ' "
                         . "|| r.body::jsonb::text FROM unnest($array) i CROSS JOIN LATERAL $f(i) r ORDER BY i", dsn => $app);
        is($alone, $before, "scope $scope: so is each worker read alone ($f)");
    }
    is(rows($scope, "SELECT * FROM api_worker_get_many($array)"), $before,
       "scope $scope: and the jsonb batch of the previous release");
}

# since 064 the members come as columns, in the order of 055's text
my ($first) = split /\n/, keys_of('*', $old =~ s/IDS/$array/r);
is('row_id,row_status,row_version,' . ($first =~ s/^\d+ //r),
   v("SELECT array_to_string(proargnames[2:], ',') FROM pg_proc WHERE oid = 'api_worker_members_many(bigint[])'::regprocedure"),
   'the members read answers key, status and version, then 055\'s members in 055\'s order');

# what the cases are there for
sub seen { my ($scope, $id) = @_; return scalar grep { /^$id / } split /\n/, rows($scope, $old =~ s/IDS/$array/r) }
sub field {
    my ($scope, $id, $path) = @_;
    return v("SET leye.scope = '$scope'; SELECT coalesce(body #>> '{$path}', 'null') FROM api_worker_read($id)", dsn => $app);
}
is(field('c:530621', $w{a_placed}, 'placement,vacancy_title'), 'null', 'a vacancy of another county stays hidden from county staff');
is(field('c:530621', $w{a_placed}, 'placement,employer_name'), 'null', 'and its employer');
is(field('*', $w{a_placed}, 'placement,vacancy_title'), "$tag 530602", 'but not from the province');
is(field("k:$w{a_full}", $w{a_full}, 'site_name'), 'null', 'a kiosk sees no household or site');
like(field("k:$w{a_full}", $w{a_full}, 'skills,0,code'), qr/./, 'but its own skills');
ok(!seen('b:1', $w{a_withdrew}) && !seen('b:1', $w{a_archived}) && seen('b:1', $w{a_full}),
   'brokers see neither a withdrawn consent nor an archived worker');
ok(!seen("s:$site{c}", $w{a_full}) && seen("s:$site{c}", $w{c_one}), 'site staff see only their site');
is(v("SET leye.scope = 'c:530602'; SELECT count(*) FROM worker_skill WHERE worker_id = $w{a_full}", dsn => $app), 0,
   'the server\'s role still reads skills under the scope');

# ---------- through the API, for each kind of staff ----------
sub user {
    my ($name, %o) = @_;
    local $ENV{LEYE_DATABASE_URL} = dsn();
    local $ENV{PW} = 'read-scope-test-password';
    my @extra = map { "--$_=$o{$_}" } keys %o;
    system("$ENV{LEYE_SERVER_BIN} admin create-user --username=$tag.$name @extra --password-env=PW >/dev/null") == 0 or die;
    return login($srv, "$tag.$name", 'read-scope-test-password');
}
my %caller = (
    '*'               => $srv->token,
    'c:530621'        => user('ludian', role => 'county_staff', counties => 530621),
    'c:530621,530602' => user('both', role => 'county_staff', counties => '530621,530602'),
    "s:$site{b}"      => user('site', role => 'site_staff', sites => $site{b}),
);
for my $scope (sort keys %caller) {
    my %before = map { /^(\d+) \d+ \d+ (.*)$/ ? ($1 => $JSON->decode($2)) : () }
                 split /\n/, rows($scope, $old =~ s/IDS/$array/r);
    for my $id (@ids) {
        my $r = http($srv, 'GET', "/v1/workers/$id", token => $caller{$scope});
        my $b = $before{$id};
        is($r->{status}, $b ? 200 : 404, "$scope, worker $id: " . ($b ? 200 : 404) . ' as under 055');
        next unless $b && $r->{status} == 200;
        # staff get an ID number's mask masked again to its first six and last characters
        my %want = (%$b, id_number_masked => $b->{id_number_masked} =~ s/^(\d{6}).{11}(.)$/$1 . '*' x 11 . $2/er);
        is_deeply($r->{json}, \%want, "$scope, worker $id: the server writes 055's answer from the members");
        is(v("SELECT string_agg(k, ',') FROM json_object_keys(\$b83\$$r->{content}\$b83\$::json) k"),
           $first =~ s/^\d+ //r, "$scope, worker $id: its members in 055's order");
    }
}

# ---------- an instance connected as the owner is never ready ----------
# The owner reads the five child tables without a scope: a server working
# as the owner would show any worker's rows there to any caller.
my $ready = http($srv, 'GET', '/readyz', anonymous => 1);
is($ready->{status}, 200, 'the server working as leye_app is ready') or diag($ready->{content});
my $as_owner = start_server(env => { LEYE_DATABASE_URL => dsn() });
my ($r, $tries) = (undef, 0);
do { $r = http($as_owner, 'GET', '/readyz', anonymous => 1); select(undef, undef, undef, 0.1) }
    until ($r->{json}{database} // '') ne 'unavailable' || ++$tries > 100;
is($r->{status}, 503, 'a server connected as the schema owner is not ready');
like($r->{headers}{'content-type'}, qr{^application/problem\+json}, 'with a problem');
is($r->{json}{database}, 'wrong_role', 'saying its role is the wrong one') or diag($r->{content});
like($r->{json}{detail}, qr/leye_app/, 'and which role to connect as');
$as_owner->stop;
like($as_owner->log_text, qr/connects as the schema's owner/, 'the reason is in its log');
done_testing();
