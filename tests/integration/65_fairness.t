# The fairness report: per group (sex, age band, Mandarin, sex x age band,
# ethnicity where recorded and permitted) each stage's n, k, rate, Wilson
# interval, ratio to the best-off group and status (too_few below the
# documented n, below_four_fifths under 0.8).  Ethnicity is optional, read and
# recorded only with the ethnicity permission, never in another answer, and
# matching never reads it.  Staff only; JSON and CSV; bad input refused.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;
use Encode qw(encode_utf8 decode_utf8);

binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $srv = start_server();
my $tag = 'fr' . ($$ % 100000);
my $bin = $ENV{LEYE_SERVER_BIN};
sub sql { return psql(encode_utf8($_[0])) }
sub sql_value { return psql_value(encode_utf8($_[0])) }
sub user {
    my ($name, %o) = @_;
    local $ENV{LEYE_DATABASE_URL} = dsn();
    local $ENV{PW} = 'fairness-test-password';
    my @extra = map { "--$_=$o{$_}" } keys %o;
    system("$bin admin create-user --username=$tag.$name @extra --password-env=PW >/dev/null") == 0 or die;
    return login($srv, "$tag.$name", 'fairness-test-password');
}

# one site: 40 women and 40 men of working age, fluent; 5 more men who speak
# no Mandarin (a group too small to judge).  30 of the men applied, 12 of the
# women; 10 men and 4 women were hired 200 days ago, 8 and 1 of them still
# in the job after six months.
my $site = sql_value("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('鲁甸${tag}安置点', 530621, 27.19, 103.55, 'urban_centralized') RETURNING id");
my $hh = sql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, 530621, 30) RETURNING id");
my $people = sub {
    my ($n, $sex, $mandarin) = @_;
    return [split /\n/, sql("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex,
        phone_hash, phone_enc, phone_masked, mandarin_level)
        SELECT $hh, '$tag' || i, decode(md5('$tag$sex$mandarin' || i), 'hex'), '\\x00', '530621***********1',
               (now() - interval '30 years')::date, '$sex', '\\x00', '\\x00', '137****5678', '$mandarin'
        FROM generate_series(1, $n) i RETURNING id")];
};
my $women = $people->(40, 'F', 'fluent');
my $men = $people->(40, 'M', 'fluent');
my $quiet = $people->(5, 'M', 'none');
my $emp = sql_value("INSERT INTO employer (name, credit_code, kind, county_code, contact_name, contact_phone, address)
    VALUES ('鲁甸${tag}厂', '" . sprintf('91530621%010d', $$ % 10_000_000_000) . "', 'enterprise', 530621, '赵工', '13611112222', '鲁甸县 8 号') RETURNING id");
my $vac = sql_value("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, headcount, filled,
    wage_min, wage_max, status) VALUES ($emp, '包装工 $tag', (SELECT min(code) FROM occupation WHERE level = 4),
    'regular', 530621, 27.2, 103.5, 100, 0, 3000, 4000, 'open') RETURNING id");
sub apply_all {
    my ($ids, $status) = @_;
    sql("INSERT INTO application (worker_id, vacancy_id, source, status) SELECT unnest(ARRAY[" . join(',', @$ids) . "]::bigint[]), $vac, 'staff', '$status'");
}
apply_all([@$men[0 .. 19]], 'applied');
apply_all([@$men[20 .. 29]], 'hired');
apply_all([@$women[0 .. 7]], 'applied');
apply_all([@$women[8 .. 11]], 'hired');
my $start = days_from_today(-200);
sql("INSERT INTO placement (application_id, worker_id, vacancy_id, start_date, wage, location_scope, ended_on, end_reason)
     SELECT a.id, a.worker_id, a.vacancy_id, '$start', 3500, 'local',
            CASE WHEN a.worker_id IN (" . join(',', @$men[28, 29], @$women[9 .. 11]) . ") THEN '$start'::date + 30 END,
            CASE WHEN a.worker_id IN (" . join(',', @$men[28, 29], @$women[9 .. 11]) . ") THEN 'quit' END
     FROM application a WHERE a.vacancy_id = $vac AND a.status = 'hired'");

my $report = sub { http($srv, 'GET', "/v1/reports/fairness?site_id=$site" . ($_[0] // ''), @_[1 .. $#_]) };
my $r = $report->();
is($r->{status}, 200, 'the report for the site');
my $body = $r->{json};
is($body->{people}, 85, 'every person of the site');
is($body->{from}, days_from_today(-365), 'by default the last 365 days');
is($body->{min_n}, 30, 'groups below 30 are too few to judge');
my %sex = map { $_->{group} => $_->{stages} } @{ $body->{dimensions}{sex} };
is_deeply([@{ $sex{F}{applied} }{qw(n k rate)}], [40, 12, 0.3], 'women: 12 of 40 applied');
is_deeply([@{ $sex{M}{applied} }{qw(n k)}], [45, 30], 'men: 30 of 45');
# Wilson interval at 95 %, computed here independently
my ($k, $n, $z) = (12, 40, 1.96);
my $p = $k / $n;
my $c = ($p + $z * $z / (2 * $n)) / (1 + $z * $z / $n);
my $h = $z * sqrt($p * (1 - $p) / $n + $z * $z / (4 * $n * $n)) / (1 + $z * $z / $n);
ok(abs($sex{F}{applied}{ci_low} - ($c - $h)) < 0.0001 && abs($sex{F}{applied}{ci_high} - ($c + $h)) < 0.0001,
   sprintf('with its Wilson interval %.4f-%.4f', $c - $h, $c + $h));
is($sex{M}{applied}{ratio_to_best}, 1, 'men are the best-off group');
ok(abs($sex{F}{applied}{ratio_to_best} - 0.3 / (30 / 45)) < 0.0001, 'women at 0.45 of their rate');
is($sex{F}{applied}{status}, 'below_four_fifths', 'flagged below four fifths');
is($sex{M}{applied}{status}, 'ok', 'the best-off group is not');
is_deeply([@{ $sex{F}{hired} }{qw(n k)}], [40, 4], 'hires: 4 women');
is_deeply([@{ $sex{M}{retained_6m} }{qw(n k)}], [10, 8], 'six-month retention is counted over the hires');
is($sex{M}{retained_6m}{status}, 'too_few', 'and 10 hires are too few to judge');
ok(!defined $sex{M}{retained_6m}{ratio_to_best}, 'so no ratio is given for them');
my %mand = map { $_->{group} => $_->{stages} } @{ $body->{dimensions}{mandarin_level} };
is($mand{none}{applied}{n}, 5, 'five people without Mandarin');
is($mand{none}{applied}{status}, 'too_few', 'too few to judge, whatever their rate');
my %sa = map { $_->{group} => 1 } @{ $body->{dimensions}{sex_age_band} };
ok($sa{'F 25-34'} && $sa{'M 25-34'}, 'sex x age band');
my ($band) = grep { $_->{group} eq '25-34' } @{ $body->{dimensions}{age_band} };
is($band && $band->{people}, 85, 'age bands at the end of the period');
is_deeply($body->{dimensions}{ethnicity}, [], 'no ethnicity groups while none is recorded');

# ---------- ethnicity ----------

my $county = user('county', role => 'county_staff', counties => 530621);
my $granted = user('granted', role => 'county_staff', counties => 530621);
sql("UPDATE staff_account SET permissions = '{fairness:ethnicity}' WHERE username = '$tag.granted'");
$granted = login($srv, "$tag.granted", 'fairness-test-password');
my $viewer = user('viewer', role => 'viewer');

is(http($srv, 'PUT', "/v1/workers/$women->[0]/ethnicity", token => $county, body => { ethnicity => '彝族' })->{status}, 403,
   'county staff without the permission may not record ethnicity');
is(http($srv, 'GET', "/v1/workers/$women->[0]/ethnicity", token => $county)->{status}, 403, 'nor read it');
my $eth = sub { sql_value("SELECT count(*) FROM worker_ethnicity WHERE worker_id IN (" . join(',', @$women, @$men) . ")") };
is($eth->(), 0, 'nothing recorded');
for my $i (0 .. 34) {
    my $w = $i < 20 ? $women->[$i] : $men->[$i];
    $r = http($srv, 'PUT', "/v1/workers/$w/ethnicity", token => $granted, body => { ethnicity => $i % 2 ? '彝族' : '汉族' });
    is($r->{status}, 200, "recorded for worker $i") if $i < 2;
}
$r = http($srv, 'GET', "/v1/workers/$women->[1]/ethnicity", token => $granted);
is($r->{json}{ethnicity}, '彝族', 'staff granted the permission read it back');
my $rv = http($srv, 'PUT', "/v1/workers/$women->[2]/ethnicity", token => $granted, body => { ethnicity => 'x' x 21 });
is($rv->{status}, 422, 'over 20 characters: 422');
is(sql_value("SELECT ethnicity FROM worker_ethnicity WHERE worker_id = $women->[2]"), encode_utf8('汉族'), 'and nothing changed');
is(http($srv, 'PUT', "/v1/workers/$women->[2]/ethnicity", token => $granted, body => {})->{status}, 422, 'no field: 422');
is(http($srv, 'PUT', "/v1/workers/999999999/ethnicity", token => $granted, body => { ethnicity => '汉族' })->{status}, 404,
   'a worker that does not exist: 404');
is($eth->(), 35, 'recorded for 35 people');
is(sql_value("SELECT count(*) FROM audit_log WHERE resource = 'worker_ethnicity' AND resource_id = '$women->[1]'"), 1,
   'each recording audited');

$r = $report->('', token => $granted);
my %e = map { $_->{group} => $_->{stages} } @{ $r->{json}{dimensions}{ethnicity} || [] };
is_deeply([sort keys %e], ['彝族', '汉族'], 'the report shows ethnicity to staff granted the permission');
is($e{'汉族'}{applied}{n}, 18, 'only over the people with it recorded');
is(http($srv, 'GET', "/v1/reports/fairness?site_id=$site", token => $viewer)->{status}, 403, 'report viewers may not read it');
for my $who (['county staff', $county]) {
    $r = $report->('', token => $who->[1]);
    is($r->{status}, 200, "$who->[0] read the report");
    ok(!exists $r->{json}{dimensions}{ethnicity}, "without ethnicity for $who->[0]");
    unlike(decode_utf8($r->{content}), qr/彝族/, "not even a group name");
}
$r = http($srv, 'GET', "/v1/workers/$women->[1]", token => $granted);
is($r->{status}, 200, "the worker's own record");
unlike(decode_utf8($r->{content}), qr/ethnicity|彝族/, 'carries no ethnicity, even for the permission');
$r = http($srv, 'GET', "/v1/audit?resource=worker_ethnicity&resource_id=$women->[1]");
is($r->{status}, 200, 'the audit log of a recording');
unlike(decode_utf8($r->{content}), qr/彝族/, 'shows no ethnicity value');
my @match_src = map { glob("$ENV{LEYE_TEST_ROOT}/$_") } qw(lib/match/*.c lib/match/*.h lib/alloc/*.c server/jobs/match*.c server/jobs/allocator.c);
ok(@match_src >= 4, 'the matching and allocation sources are there to read');
is_deeply([grep { open(my $fh, '<', $_) or die; local $/; <$fh> =~ /ethnic/i } @match_src], [],
          'matching and allocation never read ethnicity');

# ---------- CSV, callers, bad input ----------

$r = $report->('&format=csv');
is($r->{status}, 200, 'as CSV');
like($r->{headers}{'content-type'}, qr{^text/csv}, 'text/csv');
like($r->{content}, qr/^\x{EF}\x{BB}\x{BF}dimension,group,people,stage,n,k,rate,ci_low,ci_high,ratio_to_best,status\r\n/,
     'with a header naming the figures');
like($r->{content}, qr/\r\nsex,"?F"?,40,applied,40,12,0\.3,[0-9.]+,[0-9.]+,0\.45,below_four_fifths\r\n/, 'one line per group and stage');
unlike(decode_utf8($report->('&format=csv', token => $county)->{content}), qr/彝族|\nethnicity/,
       'no ethnicity in the CSV for staff without the permission');
like(decode_utf8($report->('&format=csv', token => $granted)->{content}), qr/\r\nethnicity,"?彝族"?,/, 'with it for the permission');

is(http($srv, 'GET', '/v1/reports/fairness', anonymous => 1)->{status}, 401, 'anonymous: 401');
is($report->('&from=2024-02-30')->{status}, 400, 'an impossible date: 400');
my $bad = $report->('&from=' . days_from_today(0) . '&to=' . days_from_today(-1));
is($bad->{status}, 422, 'from after to: 422');
is($bad->{json}{errors}[0]{field}, 'from', 'names from');
is($report->('&colour=red')->{status}, 400, 'an unknown parameter: 400');
is($report->('&format=pdf')->{status}, 400, 'an unknown format: 400');

done_testing();
