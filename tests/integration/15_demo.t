# Demo data (`leye-server demo`): loads into an empty database, follows the
# proportions of ../shared/data/facts.md, keeps every rollup consistent, is
# deterministic, and a second run changes nothing.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;

my $admin = dsn(); $admin =~ s/user=leye/user=postgres/; $admin =~ s/dbname=leye/dbname=postgres/;
my @dbs = qw(leye_demo_a leye_demo_b);
my %dsn;
for my $db (@dbs) {
    psql("DROP DATABASE IF EXISTS $db WITH (FORCE)", dsn => $admin);
    psql("CREATE DATABASE $db OWNER leye", dsn => $admin);
    ($dsn{$db} = dsn()) =~ s/dbname=leye/dbname=$db/;
}
my $bin = $ENV{LEYE_SERVER_BIN};
my $a = $dsn{leye_demo_a};
sub q1 { my ($sql, $d) = @_; return psql_value($sql, dsn => $d // $a) }

is(system("$bin migrate --database-url='$a' 2>/dev/null"), 0, 'migrated');
my $out = `LEYE_DATABASE_URL='$a' $bin demo 2>&1`;
is($? >> 8, 0, 'demo loads') or diag $out;
like($out, qr/demo data loaded in [\d.]+ s: \d+ sites/, 'and prints what it loaded');
is(q1("SELECT count(*) FROM worker WHERE phone IS NOT NULL OR (phone_hash IS NULL) <> (phone_masked IS NULL)"), 0,
   'phones stored only as blind index, ciphertext and mask');
cmp_ok(q1("SELECT count(*) FROM worker WHERE phone_masked ~ '^1[3-9][0-9][*]{4}[0-9]{4}\$'"), '>', 100, 'and the masks are of mobile numbers');

# households asking for help and a department list (demo_help.c)
is(q1("SELECT count(*) FROM early_warning_task WHERE reason = 'self_application'"), 2, 'two self-applications');
is(q1("SELECT count(*) FROM department_list"), 1, 'an imported department list');
is(q1("SELECT count(*) FROM department_list_disagreements((SELECT id FROM department_list))"), 2,
   'with two disagreements');
cmp_ok(q1("SELECT count(*) FROM worker_ethnicity"), '>', 100, 'ethnicity recorded for some workers');

# spread over several counties and sites
cmp_ok(q1('SELECT count(DISTINCT county_code) FROM site'), '>=', 5, 'sites in at least 5 counties');
cmp_ok(q1('SELECT count(*) FROM site'), '>=', 8, 'at least 8 resettlement sites');
cmp_ok(q1('SELECT count(*) FROM household'), '>=', 1000, 'at least 1,000 households');
is(q1("SELECT count(*) FROM site WHERE county_code NOT IN (SELECT code FROM region WHERE level = 'county' AND code / 10000 = 53)"),
   0, 'every site is in a Yunnan county');

# proportions from facts.md
my ($labor, $employed, $households) = split /\|/,
    q1('SELECT sum(labor_count), sum(employed_count), count(*) FROM household');
my $rate = $employed / $labor;
cmp_ok($rate, '>', 0.75, sprintf('employment rate %.1f%% is near 79%%', 100 * $rate));
cmp_ok($rate, '<', 0.84, 'and not above it');
my $per = $employed / $households;
cmp_ok($per, '>', 1.1, sprintf('%.2f employed per household (facts: 1.24)', $per));
cmp_ok($per, '<', 1.4, 'within range');
cmp_ok(q1('SELECT count(*) FROM household WHERE zero_employment'), '>', 0,
       'some households with labour have nobody employed');
cmp_ok(q1("SELECT count(*) FROM household WHERE monitoring_status <> 'none'"), '>', 0,
       'some households are under poverty-return monitoring');

my @top = split /\n/, psql(<<'SQL', dsn => $a);
SELECT dest_province_code FROM vacancy WHERE kind = 'labor_export'
GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 3
SQL
is_deeply([sort @top], [sort qw(320000 330000 440000)],
          'labour export goes mostly to Guangdong, Zhejiang and Jiangsu');
is(q1('SELECT count(*) FROM work_relief_project WHERE remuneration_share < 0.30'), 0,
   'every work-relief project meets the 30% labour-remuneration floor');
cmp_ok(q1('SELECT count(*) FROM work_relief_project'), '>', 0, 'work-relief projects exist');
my $regular = q1("SELECT avg(wage) FROM placement p JOIN vacancy v ON v.id = p.vacancy_id
                  WHERE v.kind = 'regular' AND v.wage_period = 'month'");
cmp_ok($regular, '>', 3000, "regular monthly wages average $regular");
cmp_ok($regular, '<', 6500, 'within the range of the NBS surveys');
my $export = q1("SELECT avg(wage) FROM placement p JOIN vacancy v ON v.id = p.vacancy_id
                 WHERE v.kind = 'labor_export' AND v.wage_period = 'month'");
cmp_ok($export, '>', $regular, 'labour export pays more than local work');

# the derived columns are what the rows say
is(q1(<<'SQL'), 0, 'household rollups agree with the workers');
SELECT count(*) FROM household h
LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE employment_status <> 'not_seeking' AND NOT archived) AS l,
                          count(*) FILTER (WHERE employment_status LIKE 'employed%' AND NOT archived) AS e
                   FROM worker w WHERE w.household_id = h.id) s ON true
WHERE (h.labor_count, h.employed_count) IS DISTINCT FROM (s.l, s.e)
SQL
is(q1(<<'SQL'), 0, 'vacancy filled counts agree with active placements');
SELECT count(*) FROM vacancy v
WHERE v.filled <> (SELECT count(*) FROM placement p WHERE p.vacancy_id = v.id AND p.ended_on IS NULL)
SQL
is(q1(<<'SQL'), 0, 'employed workers have exactly one active placement');
SELECT count(*) FROM worker w
WHERE (w.employment_status LIKE 'employed%')
   <> ((SELECT count(*) FROM placement p WHERE p.worker_id = w.id AND p.ended_on IS NULL) = 1)
SQL
is(q1("SELECT count(*) FROM placement p JOIN application a ON a.id = p.application_id WHERE a.status <> 'hired'"),
   0, 'every placement comes from a hired application');
is(q1("SELECT count(*) FROM vacancy WHERE filled > headcount"), 0, 'no vacancy is over-filled');
cmp_ok(q1("SELECT count(*) FROM followup"), '>', 0, 'follow-ups were recorded');
cmp_ok(q1("SELECT count(*) FROM early_warning_task"), '>', 0, 'job losses opened early-warning tasks');
is(q1("SELECT count(*) FROM worker WHERE id_number_masked !~ '^[0-9]{6}\\*{11}[0-9X]\$'"), 0,
   'ID numbers are stored masked to region and check character');
cmp_ok(q1("SELECT count(*) FROM worker_skill"), '>', q1('SELECT count(*) FROM worker') / 2,
       'workers have skills');
# training (server/demo_training.c): courses per county, results, proven skills, subsidies
is(q1("SELECT count(DISTINCT county_code) FROM course"), q1('SELECT count(DISTINCT county_code) FROM site'), 'courses in every county with sites');
my $pass = q1("SELECT round(avg((result = 'passed')::int), 2) FROM course_enrolment WHERE status = 'completed'");
ok($pass > 0.7 && $pass < 0.9, "about 80% of those who finished a course passed ($pass)");
is(q1("SELECT count(*) FROM training_subsidy"), q1("SELECT count(*) FROM course_enrolment WHERE result = 'passed'"),
   'a subsidy record for every pass');
cmp_ok(q1("SELECT count(*) FROM worker_skill WHERE proven_level IS NOT NULL"), '>', 0, 'passes wrote proven skills');
cmp_ok(q1("SELECT count(*) FROM course_enrolment WHERE status = 'waitlisted'"), '>', 0, 'a full course has a waiting list');
cmp_ok(q1("SELECT count(*) FROM course WHERE language <> 'zh'"), '>', 0, 'a course is taught in a minority language');

# a second run changes nothing
my $before = q1('SELECT (SELECT count(*) FROM worker) || \'/\' || (SELECT count(*) FROM application)');
$out = `LEYE_DATABASE_URL='$a' $bin demo 2>&1`;
is($? >> 8, 0, 'a second run succeeds');
like($out, qr/already present/, 'and says the data is there');
is(q1('SELECT (SELECT count(*) FROM worker) || \'/\' || (SELECT count(*) FROM application)'), $before,
   'and adds nothing');

# the same seed gives the same people in another database
my $b = $dsn{leye_demo_b};
is(system("$bin migrate --database-url='$b' 2>/dev/null"), 0, 'second database migrated');
$out = `LEYE_DATABASE_URL='$b' $bin demo 2>&1`;
is($? >> 8, 0, 'demo loads there too') or diag $out;
my $digest = "SELECT md5(string_agg(name || id_number_masked || employment_status, ',' ORDER BY id)) FROM worker";
is(q1($digest, $b), q1($digest, $a), 'and holds the same workers');

# the server answers from the demo data
my $srv = start_server(dsn => $a);
my $r = http($srv, 'GET', '/v1/households?zero_employment=true&limit=5');
is($r->{status}, 200, 'zero-employment households are listed');
cmp_ok(scalar @{ $r->{json}{items} // [] }, '>', 0, 'and there are some');
$srv->stop;

for my $db (@dbs) { psql("DROP DATABASE IF EXISTS $db WITH (FORCE)", dsn => $admin) }
done_testing();
