# The live matching index against the SQL oracle (migrations/027_match_oracle.sql).
#
# A database of its own gets seeded random data (fixed seed): several
# thousand workers in households at resettlement sites of four counties, a
# few hundred vacancies of every kind with skill and certificate
# requirements, posts held, changed weights.  The server loads its index
# from it; then every vacancy's candidates, many workers' jobs, filtered
# queries, broker queries, paging, facets and explained pairs are compared
# with match_oracle_pairs(): the same ids in the same order with the same
# scores (to the hundredth: both compute in single precision, see
# docs/matching.md), and, where the index says its counts are exact, the same
# number of records removed by each filter.  Then the data change through
# the NOTIFY path (skills, statuses, consent, households, vacancies, weights
# through the API, new and archived records) and everything is compared
# again.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $n_workers = $ENV{ORACLE_WORKERS} || 3000;
my $n_vacancies = $ENV{ORACLE_VACANCIES} || 200;
my $bin = $ENV{LEYE_SERVER_BIN};
my $admin = dsn();
$admin =~ s/user=leye/user=postgres/;
$admin =~ s/dbname=leye/dbname=postgres/;
my $db = "leye_oracle_$$";
{ local $ENV{PGOPTIONS} = '-c client_min_messages=warning'; psql("DROP DATABASE IF EXISTS $db WITH (FORCE)", dsn => $admin) }
psql("CREATE DATABASE $db OWNER leye", dsn => $admin);
(my $dsn = dsn()) =~ s/dbname=leye/dbname=$db/;
is(system("$bin migrate --database-url='$dsn' >/dev/null 2>&1"), 0, 'a database of its own, migrated');
sub q_ { my ($sql) = @_; return psql($sql, dsn => $dsn) }
sub rows { return map { [ split /\|/, $_, -1 ] } grep { length } split /\n/, q_($_[0]) }

# ---------- seeded data ----------
q_(<<"SQL");
SELECT setseed(0.20261128);
CREATE TEMP TABLE cty AS SELECT row_number() OVER (ORDER BY code) AS k, code, lat, lon FROM region
    WHERE code IN (530602, 530621, 530622, 530624);
INSERT INTO site (name, county_code, lat, lon, kind)
SELECT '对照点' || g, c.code, c.lat + (random() - 0.5) * 0.4, c.lon + (random() - 0.5) * 0.4, 'urban_centralized'
FROM generate_series(1, 16) g JOIN cty c ON c.k = 1 + g % 4;
INSERT INTO household (site_id, origin_county_code, members, monitoring_status, monitoring_found_by, monitoring_found_on)
SELECT s.id, CASE WHEN x.r2 < 0.8 THEN s.county_code ELSE 530623 END, 1 + floor(x.r2 * 20)::int % 6, x.m,
       CASE WHEN x.m = 'none' THEN NULL ELSE 'cadre_visit' END,
       CASE WHEN x.m = 'none' THEN NULL ELSE DATE '2025-03-01' END
FROM (SELECT g, 1 + floor(random() * 16)::int AS si, random() AS r2,
             CASE WHEN random() < 0.8 THEN 'none'
                  ELSE (ARRAY['unstable', 'marginal', 'sudden_hardship'])[1 + floor(random() * 3)::int] END AS m
      FROM generate_series(1, ($n_workers / 2.4)::int) g) x
JOIN (SELECT row_number() OVER (ORDER BY id) AS k, id, county_code FROM site) s ON s.k = x.si;
INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex,
                    employment_status, consent_brokers, willing_outside_county, willing_outside_province,
                    needs_accommodation, max_commute_km, wage_floor, job_kinds_wanted, available_from)
SELECT h.id, '对照' || g, decode(md5('oracle' || g), 'hex'), '\\x00', '530000********0000',
       DATE '1952-01-01' + floor(random() * 21900)::int, CASE WHEN g % 2 = 0 THEN 'M' ELSE 'F' END,
       CASE WHEN r.s < 0.65 THEN 'seeking' WHEN r.s < 0.8 THEN 'employed_local' WHEN r.s < 0.9 THEN 'not_seeking'
            WHEN r.s < 0.95 THEN 'in_training' ELSE 'employed_outside_county' END,
       random() < 0.5, random() < 0.4, random() < 0.2, random() < 0.15,
       CASE WHEN random() < 0.05 THEN 0 ELSE floor(random() * 80)::int END,
       CASE WHEN random() < 0.3 THEN 0 ELSE 1500 + floor(random() * 55)::int * 100 END,
       CASE WHEN random() < 0.4 THEN '{}'::text[]
            ELSE coalesce((SELECT array_agg(k) FROM unnest(ARRAY['regular', 'work_relief', 'public_welfare',
                                                                  'forest_ranger', 'workshop', 'labor_export']) k
                           WHERE random() < 0.3 + 0 * g), '{}') END,
       CASE WHEN r.a < 0.6 THEN NULL WHEN r.a < 0.7 THEN DATE '1996-01-01' + floor(random() * 11000)::int
            ELSE placement_today() + 1 + floor(random() * 120)::int END
FROM generate_series(1, $n_workers) g
CROSS JOIN LATERAL (SELECT random() + 0 * g AS s, random() + 0 * g AS a, random() + 0 * g AS hh) r
JOIN (SELECT row_number() OVER (ORDER BY id) AS k, id FROM household) h
  ON h.k = 1 + floor(r.hh * ($n_workers / 2.4)::int)::int;
INSERT INTO worker_skill (worker_id, skill_id, level)
SELECT DISTINCT ON (w.id, k.s) w.id, k.s, 1 + floor(random() * 5)::int
FROM worker w, LATERAL (SELECT 1 + floor(power(random(), 2) * 57)::int AS s
                        FROM generate_series(1, floor(random() * 6)::int + 0 * w.id::int)) k
ORDER BY w.id, k.s;
INSERT INTO worker_certificate (worker_id, certificate_type_id, expires_on)
SELECT w.id, 1 + floor(random() * 17)::int,
       CASE WHEN random() < 0.4 THEN NULL ELSE placement_today() - 300 + floor(random() * 700)::int END
FROM worker w, LATERAL generate_series(1, CASE WHEN random() < 0.04 THEN 6 ELSE floor(random() * 3)::int END
                                          + 0 * w.id::int) k;
INSERT INTO employer (name, credit_code, kind, county_code, contact_phone)
VALUES ('对照企业', 'OR0000000000000000', 'enterprise', 530602, '0870-2123456');
INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, dest_province_code,
                     headcount, filled, wage_min, wage_max, wage_period, age_min, age_max, accommodation,
                     transport, start_date, status)
SELECT (SELECT id FROM employer WHERE credit_code = 'OR0000000000000000'), '对照岗位' || g, '6-29-01-01', x.kind,
       c.code,
       CASE WHEN x.kind <> 'labor_export' THEN c.lat + (random() - 0.5) * 0.8
            WHEN x.d < 0.4 THEN 25.04 WHEN x.d < 0.7 THEN 23.13 ELSE 30.57 END,
       CASE WHEN x.kind <> 'labor_export' THEN c.lon + (random() - 0.5) * 0.8
            WHEN x.d < 0.4 THEN 102.71 WHEN x.d < 0.7 THEN 113.26 ELSE 104.07 END,
       CASE WHEN x.kind <> 'labor_export' THEN NULL WHEN x.d < 0.4 THEN 530000 WHEN x.d < 0.7 THEN 440000
            ELSE 510000 END,
       x.hc, CASE WHEN random() < 0.1 THEN x.hc ELSE floor(random() * x.hc)::int END,
       x.wmin, x.wmin + floor(random() * x.wmin * 0.5)::int, x.period,
       16 + floor(random() * 15)::int, 45 + floor(random() * 21)::int, random() < 0.3, random() < 0.3,
       CASE WHEN x.st < 0.4 THEN NULL WHEN x.st < 0.5 THEN placement_today() - floor(random() * 30)::int
            ELSE placement_today() + 1 + floor(random() * 90)::int END,
       CASE WHEN x.o < 0.85 THEN 'open' WHEN x.o < 0.9 THEN 'draft' WHEN x.o < 0.95 THEN 'closed' ELSE 'filled' END
FROM (SELECT g, k.kind, p.period, 1 + floor(random() * 10)::int AS hc, random() AS d, random() AS st,
             random() AS o, 1 + floor(random() * 4)::int AS ck,
             CASE p.period WHEN 'month' THEN 1500 + floor(random() * 55)::int * 100
                           WHEN 'day' THEN 80 + floor(random() * 220)::int
                           WHEN 'hour' THEN 12 + floor(random() * 28)::int
                           ELSE 1 + floor(random() * 50)::int END AS wmin
      FROM generate_series(1, $n_vacancies) g,
           LATERAL (SELECT random() + 0 * g AS r, random() + 0 * g AS r2) rr,
           LATERAL (SELECT CASE WHEN rr.r < 0.4 THEN 'regular' WHEN rr.r < 0.55 THEN 'work_relief'
                                WHEN rr.r < 0.7 THEN 'public_welfare' WHEN rr.r < 0.78 THEN 'forest_ranger'
                                WHEN rr.r < 0.9 THEN 'workshop' ELSE 'labor_export' END AS kind) k,
           LATERAL (SELECT CASE WHEN rr.r2 < 0.7 THEN 'month' WHEN rr.r2 < 0.85 THEN 'day'
                                WHEN rr.r2 < 0.9 THEN 'hour' ELSE 'piece' END AS period) p) x
JOIN cty c ON c.k = x.ck;
INSERT INTO vacancy_skill (vacancy_id, skill_id, min_level, weight, must_have)
SELECT DISTINCT ON (v.id, k.s) v.id, k.s, 1 + floor(random() * 4)::int, round((0.5 + random() * 4.5)::numeric, 1),
       random() < 0.4
FROM vacancy v, LATERAL (SELECT 1 + floor(power(random(), 2) * 57)::int AS s
                         FROM generate_series(1, floor(random() * 5)::int + 0 * v.id::int)) k
ORDER BY v.id, k.s;
INSERT INTO vacancy_certificate (vacancy_id, certificate_type_id)
SELECT DISTINCT v.id, 1 + floor(random() * 17)::int
FROM vacancy v, LATERAL generate_series(1, CASE WHEN random() < 0.2 THEN 1 + floor(random() * 2)::int ELSE 0 END
                                          + 0 * v.id::int) k;
CREATE TEMP TABLE hire AS
SELECT w.id AS worker_id, (SELECT array_agg(id ORDER BY id) FROM vacancy
                           WHERE kind IN ('public_welfare', 'forest_ranger')) AS posts, random() AS r
FROM worker w WHERE random() < 0.06;
WITH a AS (
    INSERT INTO application (worker_id, vacancy_id, source, status)
    SELECT worker_id, posts[1 + floor(r * cardinality(posts))::int], 'staff', 'hired' FROM hire
    RETURNING id, worker_id, vacancy_id)
INSERT INTO placement (application_id, worker_id, vacancy_id, start_date, wage, location_scope, ended_on, end_reason)
SELECT a.id, a.worker_id, a.vacancy_id, DATE '2025-01-01', 1800, 'local',
       CASE WHEN a.id % 4 = 0 THEN DATE '2025-06-30' END, CASE WHEN a.id % 4 = 0 THEN 'quit' END
FROM a;
UPDATE match_kind_weights SET level_step = 0.3, related_credit = 0.5 WHERE kind = 'regular';
UPDATE match_kind_weights SET must_level_slack = 1, transport_factor = 3 WHERE kind = 'workshop';
UPDATE match_kind_weights SET accommodation_km = 80, prio_monitoring = 0.5 WHERE kind = 'work_relief';
SQL
my ($nw, $nv) = @{ (rows('SELECT (SELECT count(*) FROM worker), (SELECT count(*) FROM vacancy)'))[0] };
is($nw, $n_workers, "$n_workers workers");
is($nv, $n_vacancies, "$n_vacancies vacancies");

my $srv = start_server(dsn => $dsn);
ok(wait_until(sub { (http($srv, 'GET', '/readyz', anonymous => 1)->{status} // 0) == 200 }, 60), 'the index loads');
my $key = do {
    local $ENV{LEYE_DATABASE_URL} = $dsn;
    my ($broker) = `$bin admin create-broker --name=oracle-broker 2>&1` =~ /(\d+)/;
    my $out = `$bin admin create-key --broker=$broker --scopes=matches:read --rate=100000 2>&1`;
    $out =~ /^key \d+ (\S+) /m ? $1 : diag($out);
};
ok($key, 'a broker key');

# ---------- the two sides ----------

# The oracle's results by subject (vacancy for 'workers', worker for
# 'vacancies'), best first, and the records removed by first failing filter.
sub oracle {
    my ($target, %o) = @_;
    my $arr = sub { my ($l, $t) = @_; return $l ? "'{" . join(',', @$l) . "}'::$t\[]" : 'NULL' };
    my ($subject, $item) = $target eq 'workers' ? ('vacancy_id', 'worker_id') : ('worker_id', 'vacancy_id');
    my $call = sprintf("match_oracle_pairs('%s', %s, %s, placement_today(), %s, %s, %s, %s, %d)", $target,
                       $arr->($o{workers}, 'bigint'), $arr->($o{vacancies}, 'bigint'), $o{broker} ? 'true' : 'false',
                       $arr->($o{counties}, 'integer'), $o{kinds} ? "'{" . join(',', @{ $o{kinds} }) . "}'" : 'NULL',
                       $o{max_km} // 0, $o{min_score} // 0);
    my (%res, %removed, %seen);
    for my $r (rows("WITH p AS MATERIALIZED (SELECT * FROM $call)
                     SELECT 'r', $subject, ${item}::text, score, $item FROM p WHERE failed = '{}'
                     UNION ALL SELECT 'c', $subject, failed[1], count(*), 0 FROM p WHERE failed <> '{}' GROUP BY 2, 3
                     ORDER BY 1, 2, 4 DESC, 5")) {
        my ($t, $s, $x, $n) = @$r;
        if ($t eq 'r') { push @{ $res{$s} }, "$x:$n" }
        else { $removed{$s}{$x} = $n; $seen{$x} += $n }
    }
    return { res => \%res, removed => \%removed, seen => \%seen };
}

sub hundredths { return sprintf('%.0f', $_[0] * 100) }

# GET path -> {list => ["id:score"...], removed => {filter => n}, exact, json}
sub api {
    my ($path, %o) = @_;
    my $r = http($srv, 'GET', $path, %o);
    return { status => $r->{status}, content => $r->{content} } unless $r->{status} == 200;
    my $j = $r->{json};
    return { status => 200, json => $j, exact => $j->{counts}{exact},
             list => [ map { "$_->{id}:" . hundredths($_->{score}) } @{ $j->{items} } ],
             removed => { map { ($_->{filter} => $_->{count}) } @{ $j->{removed} } } };
}

# Compares pages with the oracle; one ok() per check, the first differences shown.
my %diffs;
sub differ {
    my ($what, $label, $got, $want) = @_;
    my $g = ref $got ? join(' ', @$got) : $got;
    my $w = ref $want ? join(' ', @$want) : $want;
    return if $g eq $w;
    my $at = 0;    # show them from a little before the first difference
    $at++ while $at < length($g) && $at < length($w) && substr($g, $at, 1) eq substr($w, $at, 1);
    $at = $at > 60 ? $at - 60 : 0;
    push @{ $diffs{$what} }, "$label (from character $at)\n  index:  " . substr($g, $at, 300)
                             . "\n  oracle: " . substr($w, $at, 300);
}
sub verdict {
    my ($what, $n, $name) = @_;
    my @d = @{ delete $diffs{$what} || [] };
    ok(!@d, "$name (" . ($n - @d) . " of $n agree)") or diag join("\n", @d[0 .. ($#d < 4 ? $#d : 4)]);
}
sub counts_text { my ($h) = @_; return join(',', map { "$_=$h->{$_}" } sort keys %{ $h || {} }) }
sub top { my ($l, $k) = @_; my @l = @{ $l || [] }; return [ @l[0 .. ($#l < $k - 1 ? $#l : $k - 1)] ] }

my @vacancies = map { $_->[0] } rows('SELECT id FROM vacancy WHERE NOT archived ORDER BY id');
my @workers = map { $_->[0] } rows("SELECT id FROM worker WHERE NOT archived ORDER BY md5(id::text || 'w') LIMIT 250");
sub pairs {
    return rows("SELECT w.id, v.id FROM (SELECT id FROM worker WHERE NOT archived
                                           AND household_id IN (SELECT id FROM household WHERE NOT archived)
                                         ORDER BY md5(id::text || 'p') LIMIT 50) w
                 CROSS JOIN (SELECT id FROM vacancy ORDER BY md5(id::text || 'p') LIMIT 4) v");
}

sub compare_all {
    my ($phase) = @_;
    # every vacancy's candidates, and the filters' counts where the index says they are exact
    my $o = oracle('workers');
    my $exact = 0;
    for my $v (@vacancies) {
        my $a = api("/v1/vacancies/$v/candidates?k=50");
        differ('cand', "vacancy $v", $a->{list} // "HTTP $a->{status}", top($o->{res}{$v}, 50));
        next unless $a->{exact};
        $exact++;
        differ('counts', "vacancy $v", counts_text($a->{removed}), counts_text($o->{removed}{$v}));
    }
    verdict('cand', scalar @vacancies, "$phase: every vacancy's top 50 candidates: ids, order and scores");
    verdict('counts', $exact, "$phase: records removed by each filter");
    cmp_ok($exact, '>=', @vacancies / 4, "$phase: most vacancies have exact counts ($exact)");
    # (vacancy_full is never the first: the database marks a full vacancy 'filled', not open)
    my @f = qw(vacancy_closed must_skill must_cert not_seeking not_available age household_post
               double_post not_resident skill_level cert_expired);
    is_deeply([ grep { !$o->{seen}{$_} } @f ], [], "$phase: the data exercise every hard filter");

    # facets count every result
    my $facets = 0;
    my %card = map { ($_->[0] => $_) } rows('SELECT w.id, s.county_code, w.wage_floor, array_to_string(w.job_kinds_wanted, \',\')
                                             FROM worker w JOIN household h ON h.id = w.household_id JOIN site s ON s.id = h.site_id');
    for my $v (@vacancies[0 .. 39]) {
        my $a = api("/v1/vacancies/$v/candidates?k=5&facets=true");
        my $j = $a->{json} or next;
        my $full = api("/v1/vacancies/$v/candidates?k=200")->{json}{items};
        next if @$full >= 200;
        $facets++;
        my (%kind, %county);
        for my $it (@$full) {
            my $c = $card{ $it->{id} };
            $county{ $c->[1] }++;
            $kind{$_}++ for ($c->[3] ? split(/,/, $c->[3]) : qw(regular work_relief public_welfare forest_ranger workshop labor_export));
        }
        my %fk = %{ $j->{facets}{kind} };
        delete $fk{$_} for grep { !$fk{$_} } keys %fk;
        differ('facets', "vacancy $v", counts_text(\%fk) . ' | ' . counts_text($j->{facets}{county}),
               counts_text(\%kind) . ' | ' . counts_text(\%county));
        differ('facets', "vacancy $v: the count of all results", scalar @$full, scalar @{ $o->{res}{$v} || [] });
    }
    verdict('facets', $facets, "$phase: facets by kind and county count every result");

    # a worker's jobs, also with the kind, county and distance filters
    my $ow = oracle('vacancies', workers => \@workers);
    my $owf = oracle('vacancies', workers => [ @workers[0 .. 79] ], kinds => [qw(regular workshop)], max_km => 40);
    $exact = 0;
    for my $i (0 .. $#workers) {
        my $w = $workers[$i];
        my $a = api("/v1/workers/$w/matches?k=30");
        differ('jobs', "worker $w", $a->{list} // "HTTP $a->{status}", top($ow->{res}{$w}, 30));
        if ($a->{exact}) {
            $exact++;
            differ('jcounts', "worker $w", counts_text($a->{removed}), counts_text($ow->{removed}{$w}));
        }
        next if $i >= 80;
        $a = api("/v1/workers/$w/matches?k=30&kind=regular,workshop&max_km=40");
        differ('jobsf', "worker $w", $a->{list} // "HTTP $a->{status}", top($owf->{res}{$w}, 30));
    }
    verdict('jobs', scalar @workers, "$phase: workers' top 30 jobs");
    verdict('jcounts', $exact, "$phase: vacancies removed by each filter");
    verdict('jobsf', 80, "$phase: workers' jobs filtered by kind and distance");

    # one pair explained: score, parts, distance and every failing filter
    my @pairs = pairs();
    for my $v (@vacancies) {    # and the best and the last candidate of some vacancies
        my @r = @{ $o->{res}{$v} || [] };
        push @pairs, map { [ (split /:/)[0], $v ] } grep { defined } @r[0, -1] if @r && @pairs < 400;
    }
    my %pw = map { ($_->[0] => 1) } @pairs;
    my %pv = map { ($_->[1] => 1) } @pairs;
    my %op = map { ("$_->[0]/$_->[1]" => $_) }
             rows(sprintf("SELECT worker_id, vacancy_id, score, km, array_to_string(parts, ','), array_to_string(failed, ',')
                           FROM match_oracle_pairs('workers', '{%s}', '{%s}')", join(',', keys %pw), join(',', keys %pv)));
    my $eligible = 0;
    for my $p (@pairs) {
        my ($w, $v) = @$p;
        my $r = http($srv, 'GET', "/v1/vacancies/$v/candidates/$w");
        my $it = $r->{json}{items}[0] or do { differ('pair', "$w/$v", "HTTP $r->{status}", 'an answer'); next };
        my $x = $op{"$w/$v"};
        my @parts = map { hundredths($it->{parts}{$_}) } qw(skill certificate distance wage kind availability priority);
        $eligible++ if $it->{eligible};
        differ('pair', "worker $w, vacancy $v",
               join(' ', hundredths($it->{score}), join(',', @parts), join(',', @{ $it->{failed} }), $it->{eligible} ? 1 : 0),
               join(' ', $x->[2], $x->[4], $x->[5], $x->[5] eq '' ? 1 : 0));
        differ('pair', "worker $w, vacancy $v: distance", $it->{distance_km},
               abs($it->{distance_km} - $x->[3]) <= 0.051 ? $it->{distance_km} : $x->[3]);
    }
    verdict('pair', scalar @pairs, "$phase: explained pairs: score, parts, distance and failing filters");
    cmp_ok($eligible, '>', 0, "$phase: some explained pairs are eligible ($eligible)");
    return $o;
}

my $loaded = compare_all('loaded');

# query filters, paging and brokers on the loaded index
my @busy = grep { my $n = @{ $loaded->{res}{$_} || [] }; $n > 25 && $n <= 300 } @vacancies;
splice(@busy, 8);
is(scalar @busy, 8, 'eight vacancies with 26 to 300 candidates');
my @some = @vacancies[0 .. 39];
my $of = oracle('workers', vacancies => \@some, counties => [530602, 530621], max_km => 25, min_score => 3500);
for my $v (@some) {
    my $a = api("/v1/vacancies/$v/candidates?k=50&county=530602,530621&max_km=25&min_score=35");
    differ('filtered', "vacancy $v", $a->{list} // "HTTP $a->{status}", top($of->{res}{$v}, 50));
}
verdict('filtered', scalar @some, 'candidates filtered by county, distance and minimum score');

for my $v (@busy) {
    my ($cursor, @all, $pages) = (undef);
    do {
        my $a = api("/v1/vacancies/$v/candidates?k=7" . ($cursor ? "&cursor=$cursor" : ''));
        push @all, @{ $a->{list} || [] };
        $cursor = $a->{json}{next_cursor};
        $pages++;
    } while ($cursor && $pages < 100);
    differ('paging', "vacancy $v", \@all, $loaded->{res}{$v});
}
verdict('paging', scalar @busy, 'paging seven at a time to the end gives every candidate once, in order');

my $ob = oracle('workers', vacancies => \@some, broker => 1);
for my $v (@some) {
    my $a = api("/v1/vacancies/$v/candidates?k=50", token => $key);
    differ('broker', "vacancy $v", $a->{list} // "HTTP $a->{status}", top($ob->{res}{$v}, 50));
}
verdict('broker', scalar @some, 'a broker\'s candidates: consenting workers only, same order and scores, without the priority part');

# ---------- changes through NOTIFY ----------
my $ws = http($srv, 'GET', '/v1/match/weights')->{json}{items};
my ($fr) = grep { $_->{vacancy_kind} eq 'forest_ranger' } @$ws;
is(http($srv, 'PUT', '/v1/match/weights/forest_ranger', headers => { 'If-Match' => qq("$fr->{version}") },
        body => { distance => 25, priority => 20, related_credit => 0.2 })->{status}, 200, 'weights changed through the API');
q_(<<"SQL");
SELECT setseed(0.5151);
UPDATE worker_skill SET level = 1 + floor(random() * 5)::int WHERE random() < 0.05;
DELETE FROM worker_skill WHERE random() < 0.03;
INSERT INTO worker_skill (worker_id, skill_id, level)
SELECT id, 1 + floor(power(random(), 2) * 57)::int, 1 + floor(random() * 5)::int FROM worker WHERE random() < 0.05
ON CONFLICT DO NOTHING;
UPDATE worker SET employment_status = CASE WHEN employment_status = 'seeking' THEN 'employed_local' ELSE 'seeking' END
WHERE random() < 0.05;
UPDATE worker SET consent_brokers = NOT consent_brokers WHERE random() < 0.05;
UPDATE worker SET archived = true WHERE random() < 0.01;
UPDATE worker_certificate SET expires_on = placement_today() + floor(random() * 60)::int - 30 WHERE random() < 0.1;
UPDATE household SET monitoring_status = 'marginal', monitoring_found_by = 'data_comparison',
                     monitoring_found_on = DATE '2026-01-10'
WHERE monitoring_status = 'none' AND random() < 0.05;
UPDATE vacancy SET status = 'closed' WHERE status = 'open' AND random() < 0.05;
UPDATE vacancy SET status = 'open' WHERE status = 'draft' AND random() < 0.5;
UPDATE vacancy SET headcount = headcount + 2 WHERE filled = headcount AND random() < 0.5;
UPDATE vacancy SET start_date = placement_today() + 20, age_max = 50 WHERE random() < 0.05;
DELETE FROM vacancy_skill WHERE random() < 0.05;
INSERT INTO vacancy_skill (vacancy_id, skill_id, min_level, weight, must_have)
SELECT id, 1 + floor(power(random(), 2) * 57)::int, 2, 1.5, random() < 0.5 FROM vacancy WHERE random() < 0.1
ON CONFLICT DO NOTHING;
INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex,
                    employment_status, consent_brokers, max_commute_km, wage_floor)
SELECT h.id, '新对照' || g, decode(md5('oracle-new' || g), 'hex'), '\\x00', '530000********0000',
       DATE '1985-01-01' + g * 37, 'F', 'seeking', g % 2 = 0, 30, 2500
FROM generate_series(1, 40) g JOIN (SELECT row_number() OVER (ORDER BY id) AS k, id FROM household) h ON h.k = g * 7;
INSERT INTO worker_skill (worker_id, skill_id, level)
SELECT w.id, s.s, 3 FROM worker w, (VALUES (1), (2), (14), (31)) s(s) WHERE w.name LIKE '新对照%';
SQL
# A vacancy made after the changes: once the index has it, it has applied
# every notification committed before (NOTIFY keeps commit order).
sub settle {
    my ($what) = @_;
    my ($id) = map { $_->[0] } rows("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon,
                                                          headcount, wage_min, wage_max, status)
                                     SELECT employer_id, '对照哨兵', occupation_code, 'regular', county_code, lat, lon, 1,
                                            3000, 4000, 'open'
                                     FROM vacancy ORDER BY id LIMIT 1 RETURNING id");
    ok(wait_until(sub { api("/v1/vacancies/$id/candidates?k=1")->{status} == 200 }, 5),
       "$what, and a vacancy made after them, reach the index");
    push @vacancies, $id;
}
settle('the changes');
@workers = map { $_->[0] } rows("SELECT id FROM worker WHERE NOT archived ORDER BY md5(id::text || 'x') LIMIT 250");
compare_all('after changes');

# ---------- households that move or are archived, sites that move, skills that lose their parent ----------
# A household's notification makes the server read its workers again; a
# site's makes it read its households'; a skill's parents are read again,
# none included.
q_(<<'SQL');
UPDATE household SET site_id = (SELECT id FROM site ORDER BY id DESC LIMIT 1)
WHERE id IN (SELECT household_id FROM worker WHERE NOT archived AND employment_status = 'seeking'
             ORDER BY md5(id::text || 'm') LIMIT 30);
UPDATE household SET archived = true
WHERE id IN (SELECT household_id FROM worker WHERE NOT archived AND employment_status = 'seeking'
             ORDER BY md5(id::text || 'a') LIMIT 30);
UPDATE site SET lat = lat + 0.05, lon = lon - 0.05 WHERE id = (SELECT min(id) FROM site);
UPDATE skill SET parent_id = NULL
WHERE parent_id IS NOT NULL AND id IN (SELECT skill_id FROM vacancy_skill GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 4);
SQL
settle('households moved and archived, a site moved, skill parents removed');
@workers = map { $_->[0] } rows("SELECT id FROM worker WHERE NOT archived
                                 AND household_id IN (SELECT id FROM household WHERE NOT archived)
                                 ORDER BY md5(id::text || 'y') LIMIT 250");
compare_all('after moves');

$srv->stop;
psql("DROP DATABASE IF EXISTS $db WITH (FORCE)", dsn => $admin);
done_testing();
