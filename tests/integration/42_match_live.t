# The live matching index follows every change without a full load, and the
# matching routes answer archived records and edge cases as docs/matching.md
# says.  A database of its own (the test changes the skill taxonomy):
#
# - a household that moves site, a site that moves, a household archived and
#   restored, a skill that loses its parent: the index follows at once;
# - an archived vacancy, worker or household on the matching routes: 404
#   with the error code "archived", never 503 not_ready while /readyz is 200;
# - a worker who needs accommodation and is reached by the employer's
#   transport gets the full distance part (halved only beyond the effective
#   radius);
# - a worker not available by the start date gets no availability points;
# - counts.candidates leaves out the records min_score removed.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $bin = $ENV{LEYE_SERVER_BIN};
my $admin = dsn();
$admin =~ s/user=leye/user=postgres/;
$admin =~ s/dbname=leye/dbname=postgres/;
my $db = "leye_live_$$";
{ local $ENV{PGOPTIONS} = '-c client_min_messages=warning'; psql("DROP DATABASE IF EXISTS $db WITH (FORCE)", dsn => $admin) }
psql("CREATE DATABASE $db OWNER leye", dsn => $admin);
(my $dsn = dsn()) =~ s/dbname=leye/dbname=$db/;
is(system("$bin migrate --database-url='$dsn' >/dev/null 2>&1"), 0, 'a database of its own, migrated');
sub q_ { my ($sql) = @_; return psql($sql, dsn => $dsn) }
sub v { return psql_value($_[0], dsn => $dsn) }

my $km_lat = 6371.0088 * 3.14159265358979 / 180;    # km per degree of latitude
my ($c1, $c2) = (530924, 530923);                   # 镇康县, 永德县
my ($lat1, $lon1, $lat2, $lon2) = (23.77, 98.83, 24.02, 99.26);
my $site1 = v("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('甲点', $c1, $lat1, $lon1, 'urban_centralized') RETURNING id");
my $site2 = v("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('乙点', $c2, $lat2, $lon2, 'urban_centralized') RETURNING id");
sub household { return v("INSERT INTO household (site_id, origin_county_code, members) VALUES ($_[0], $c1, 3) RETURNING id") }
my $n = 0;
sub worker {
    my ($h, %o) = @_;
    $n++;
    my $avail = $o{avail} // 'NULL';
    return v("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex, "
             . "employment_status, max_commute_km, needs_accommodation, available_from) VALUES ($h, '活$n', "
             . "decode(md5('live$n'), 'hex'), '\\x00', '530000********0000', DATE '1990-05-01', 'M', 'seeking', "
             . ($o{km} // 20) . ', ' . ($o{acc} ? 'true' : 'false') . ", $avail) RETURNING id");
}
my $emp = v("INSERT INTO employer (name, credit_code, kind, county_code, contact_phone) "
            . "VALUES ('活企业', 'LV0000000000000000', 'enterprise', $c1, '0883-1234567') RETURNING id");
sub vacancy {
    my (%o) = @_;
    my $lat = $o{lat} // $lat1;
    my $start = $o{start} // 'NULL';
    return v("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, headcount, wage_min, "
             . "wage_max, accommodation, transport, start_date, status) VALUES ($emp, '活岗位', '6-29-01-01', 'regular', $c1, "
             . "$lat, $lon1, 5, 3000, 4000, " . ($o{acc} ? 'true' : 'false') . ', ' . ($o{transport} ? 'true' : 'false')
             . ", $start, 'open') RETURNING id");
}

my $h_move = household($site1);
my $h_arch = household($site1);
my $w_move = worker($h_move);
my $w_arch = worker($h_arch);
my $v_here = vacancy();

my $srv = start_server(dsn => $dsn);
ok(wait_until(sub { (http($srv, 'GET', '/readyz', anonymous => 1)->{status} // 0) == 200 }, 60), 'the index loads');

sub cands {
    my ($v, $q) = @_;
    my $r = http($srv, 'GET', "/v1/vacancies/$v/candidates?k=50" . ($q ? "&$q" : ''));
    return [ map { $_->{id} } @{ $r->{json}{items} || [] } ];
}
sub has { my ($l, $id) = @_; return scalar grep { $_ == $id } @$l }
sub pair { return http($srv, 'GET', "/v1/vacancies/$_[0]/candidates/$_[1]")->{json}{items}[0] }

# Every notification committed before this one has been applied once the
# index has the vacancy it makes (NOTIFY keeps commit order).
sub settle {
    my ($what) = @_;
    my $id = vacancy();
    ok(wait_until(sub { http($srv, 'GET', "/v1/vacancies/$id/candidates?k=1")->{status} == 200 }, 5),
       "$what reaches the index");
}

ok(has(cands($v_here, "county=$c1"), $w_move), 'a worker of the county is a candidate of its vacancy');
my $km0 = pair($v_here, $w_move)->{distance_km};
cmp_ok($km0, '<', 1, "living next to it ($km0 km)");

# ---------- a household moves site ----------
q_("UPDATE household SET site_id = $site2 WHERE id = $h_move");
settle('the household\'s move');
ok(!has(cands($v_here, "county=$c1"), $w_move), 'a worker whose household moved away is no longer in the old county');
ok(has(cands($v_here, "county=$c2"), $w_move), 'but in the new one');
my $km1 = pair($v_here, $w_move)->{distance_km};
cmp_ok($km1, '>', 40, "and is as far as the new site ($km1 km)");

# ---------- a site moves ----------
q_("UPDATE site SET lat = $lat1 + 10 / $km_lat, lon = $lon1, county_code = $c1 WHERE id = $site2");
settle('the site\'s move');
my $km2 = pair($v_here, $w_move)->{distance_km};
ok(abs($km2 - 10) < 0.5, "a site moved on the map moves its workers ($km2 km, 10 expected)");
ok(has(cands($v_here, "county=$c1"), $w_move), 'and into the county the site now lies in');

# ---------- a household archived, then restored ----------
ok(has(cands($v_here), $w_arch), 'a worker is a candidate');
q_("UPDATE household SET archived = true WHERE id = $h_arch");
settle('archiving the household');
ok(!has(cands($v_here), $w_arch), 'a worker of an archived household is no longer a candidate');
is(http($srv, 'GET', '/readyz', anonymous => 1)->{status}, 200, '/readyz says the index is ready');
for my $path ("/v1/workers/$w_arch/matches", "/v1/workers/$w_arch/matches/$v_here", "/v1/vacancies/$v_here/candidates/$w_arch") {
    my $r = http($srv, 'GET', $path);
    is($r->{status}, 404, "$path: 404, not 503");
    is($r->{json}{errors}[0]{code}, 'archived', 'saying the record is archived') or diag($r->{content});
}
q_("UPDATE household SET archived = false WHERE id = $h_arch");
settle('restoring the household');
ok(has(cands($v_here), $w_arch), 'a worker of a household restored is a candidate again');

# ---------- archived workers and vacancies ----------
my $w_gone = worker($h_arch);
my $v_gone = vacancy();
settle('a new worker and vacancy');
ok(has(cands($v_gone), $w_gone), 'a new worker is a candidate of a new vacancy');
q_("UPDATE worker SET archived = true WHERE id = $w_gone; UPDATE vacancy SET archived = true WHERE id = $v_gone");
settle('archiving them');
for my $path ("/v1/vacancies/$v_gone/candidates", "/v1/workers/$w_move/matches/$v_gone", "/v1/vacancies/$v_gone/candidates/$w_move",
              "/v1/workers/$w_gone/matches/$v_here", "/v1/vacancies/$v_here/candidates/$w_gone") {
    my $r = http($srv, 'GET', $path);
    is($r->{status}, 404, "archived: $path is 404, not 503");
    is($r->{json}{errors}[0]{code}, 'archived', 'saying the record is archived') or diag($r->{content});
}
is(http($srv, 'GET', '/v1/vacancies/999999999/candidates')->{json}{errors}, undef, 'an unknown vacancy is a plain 404');

# ---------- a skill loses its parent ----------
my ($s_asked, $s_held) = split /\|/, v('SELECT a.id || \'|\' || b.id FROM skill a JOIN skill b ON b.parent_id = a.parent_id AND b.id <> a.id
                                         ORDER BY a.id, b.id LIMIT 1');
my $v_skill = vacancy();
q_("INSERT INTO vacancy_skill (vacancy_id, skill_id, min_level, weight, must_have) VALUES ($v_skill, $s_asked, 1, 1, false);
    INSERT INTO worker_skill (worker_id, skill_id, level) VALUES ($w_arch, $s_held, 3)");
settle('a skill asked and a sibling held');
my $p = pair($v_skill, $w_arch);
is($p->{parts}{skill}, 16, 'a sibling skill gets the related credit (0.4 of 40 points)');
q_("UPDATE skill SET parent_id = NULL WHERE id = $s_asked");
settle('a skill losing its parent');
$p = pair($v_skill, $w_arch);
is($p->{parts}{skill}, 0, 'once the skill asked has no parent, the other is no longer related');
ok(!grep({ $_->{code} eq 'skill_related' } @{ $p->{reasons} }), 'and no reason says it is');

# ---------- accommodation and the employer's transport ----------
my $w_acc = worker(household($site1), km => 20, acc => 1);
my $v_bus = vacancy(transport => 1, lat => $lat1 + 30 / $km_lat);
my $v_far = vacancy(transport => 1, lat => $lat1 + 50 / $km_lat);
settle('a worker needing accommodation and two vacancies with transport');
$p = pair($v_bus, $w_acc);
my $want = 20 * (1 - 0.2 * $p->{distance_km} / 40);
ok(abs($p->{parts}{distance} - $want) < 0.02,
   "30 km away, within the 40 km the employer's transport reaches: the full distance part ($p->{parts}{distance}, $want expected)");
my %codes = map { ($_->{code} => 1) } @{ $p->{reasons} };
ok($codes{dist_transport} && !$codes{needs_accommodation}, 'reached by the transport, and not said to need accommodation')
    or diag(join ' ', sort keys %codes);
$p = pair($v_far, $w_acc);
$want = 20 * 0.5 * 0.8 * (2 - $p->{distance_km} / 40);
ok(abs($p->{parts}{distance} - $want) < 0.02, "50 km away, beyond it: halved ($p->{parts}{distance}, $want expected)");
%codes = map { ($_->{code} => 1) } @{ $p->{reasons} };
ok($codes{dist_far} && $codes{needs_accommodation}, 'too far, and needing accommodation') or diag(join ' ', sort keys %codes);

# ---------- availability when the start is today ----------
my $w_later = worker(household($site1), avail => 'placement_today() + 10');
my $v_today = vacancy(start => 'placement_today()');
my $v_asap = vacancy();
my $v_soon = vacancy(start => 'placement_today() + 20');
settle('a worker free in ten days and vacancies starting today, as soon as possible and in twenty days');
for my $v ($v_today, $v_asap) {
    $p = pair($v, $w_later);
    is_deeply($p->{failed}, ['not_available'], "vacancy $v starts today: the worker is not available");
    is($p->{parts}{availability}, 0, 'and gets no availability points');
}
$p = pair($v_soon, $w_later);
is_deeply($p->{failed}, [], 'starting in twenty days: available in time');
ok(abs($p->{parts}{availability} - 5 * 0.75) < 0.011, "and half-way through the wait: 0.75 of the points ($p->{parts}{availability})");

# ---------- min_score and counts.candidates ----------
my $w_low = worker(household($site1));
q_("UPDATE worker SET wage_floor = 9000 WHERE id = $w_low");
settle('a worker whose wage floor no vacancy reaches');
my $all = http($srv, 'GET', "/v1/vacancies/$v_here/candidates?k=50");
my @scores = sort { $a <=> $b } map { $_->{score} } @{ $all->{json}{items} };
cmp_ok(scalar @scores, '>=', 3, 'a vacancy with several candidates');
is($all->{json}{counts}{candidates}, scalar @scores, 'counts.candidates is the number of results');
my $min = $scores[-1];
my $some = http($srv, 'GET', "/v1/vacancies/$v_here/candidates?k=50&min_score=$min");
my %rm = map { ($_->{filter} => $_->{count}) } @{ $some->{json}{removed} };
my $kept = scalar @{ $some->{json}{items} };
ok($some->{json}{counts}{exact}, 'with a minimum score the counts are exact');
cmp_ok($kept, '<', scalar @scores, "the minimum score removes some ($kept left)");
is($rm{min_score}, @scores - $kept, 'and says how many');
is($some->{json}{counts}{candidates}, $kept, 'counts.candidates leaves out the records min_score removed');
$some = http($srv, 'GET', "/v1/workers/$w_arch/matches?k=50&min_score=$min");
%rm = map { ($_->{filter} => $_->{count}) } @{ $some->{json}{removed} };
is($some->{json}{counts}{candidates}, scalar @{ $some->{json}{items} }, 'so does a worker\'s list of jobs')
    or diag($some->{content});

$srv->stop;
psql("DROP DATABASE IF EXISTS $db WITH (FORCE)", dsn => $admin);
done_testing();
