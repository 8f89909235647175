# Vacancies: create, read, update, list; the rules on references, wages,
# ages, labour-export destinations, skills and certificates; the refusal of
# discriminatory requirements (Employment Promotion Law); the status rules
# and the automatic 'filled'; keyset paging in three sort orders.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $srv = start_server();
my $tag = 'V' . $$ . int(rand(1e6));

# employers have their own API elsewhere; here they are made directly
sub employer {
    my ($name, %o) = @_;
    my $code = sprintf('WA%016d', $$ * 1000000 + int(rand(1e6)));
    my $county = $o{county} // 530621;
    my $archived = $o{archived} ? 'true' : 'false';
    return psql_value("INSERT INTO employer (name, credit_code, kind, county_code, archived) "
                      . "VALUES ('$tag $name', '$code', 'enterprise', $county, $archived) RETURNING id");
}
my $emp = employer('鲁甸建工');
my $emp2 = employer('昭阳劳务', county => 530602);
my $emp_archived = employer('已注销', archived => 1);

sub field_errors { my ($r) = @_; return { map { $_->{field} => $_->{code} } @{ $r->{json}{errors} || [] } } }

my $count_sql = "SELECT count(*) FROM vacancy WHERE employer_id IN ($emp, $emp2, $emp_archived)";
my $skills_sql = "SELECT count(*) FROM vacancy_skill s JOIN vacancy v ON v.id = s.vacancy_id WHERE v.employer_id IN ($emp, $emp2)";

# projects to link work-relief posts to
my $r = http($srv, 'POST', '/v1/work-relief-projects', body => { county_code => 530621, name => "$tag 乡村道路",
    funding => 'central', total_investment => 1000000, remuneration_budget => 350000, planned_jobs => 40 });
is($r->{status}, 201, 'a project to link to');
my $proj = $r->{json}{id};
$r = http($srv, 'POST', '/v1/work-relief-projects', body => { county_code => 530602, name => "$tag 昭阳水渠",
    funding => 'provincial', total_investment => 500000, remuneration_budget => 100000, planned_jobs => 10 });
my $proj_other = $r->{json}{id};

my %base = (employer_id => $emp + 0, title => "$tag 砌筑工", occupation_code => '6-29-01-01', kind => 'regular',
            county_code => 530621, headcount => 5, wage_min => 3500, wage_max => 5000);

# --- create
$r = http($srv, 'POST', '/v1/vacancies', body => { %base, description => '男女不限，不限户籍，包吃住。',
    accommodation => JSON::PP::true, age_min => 18, age_max => 55, start_date => '2025-03-01', end_date => '2025-12-31',
    required_skills => [ { skill_id => 2, min_level => 2, weight => 2.5, must_have => JSON::PP::true }, { skill_id => 3 } ],
    required_certificates => [ 11, 8 ] });
is($r->{status}, 201, 'create answers 201') or diag explain $r->{json};
my $vac = $r->{json};
like($r->{headers}{location}, qr{^/v1/vacancies/$vac->{id}$}, 'with Location');
is($r->{headers}{etag}, '"1"', 'with an ETag');
is($vac->{employer_name}, "$tag 鲁甸建工", 'employer name resolved');
is($vac->{county_name}, '鲁甸县', 'county name resolved');
is($vac->{occupation_name}, '砌筑工', 'occupation name resolved');
is($vac->{status}, 'draft', 'a new vacancy is a draft');
is($vac->{open_places}, 5, 'open places = headcount - filled');
is($vac->{filled}, 0, 'nothing filled yet');
ok(abs($vac->{lat} - 27.19) < 0.1 && abs($vac->{lon} - 103.56) < 0.2, 'position defaults to the county centre');
is_deeply([ map { [ $_->{skill_id}, $_->{name}, $_->{min_level}, $_->{weight}, $_->{must_have} ? 1 : 0 ] } @{ $vac->{required_skills} } ],
          [ [ 2, '砌筑', 2, 2.5, 1 ], [ 3, '混凝土', 1, 1, 0 ] ], 'required skills with names and defaults');
is_deeply([ map { [ $_->{certificate_type_id}, $_->{name} ] } @{ $vac->{required_certificates} } ],
          [ [ 8, '特种作业操作证（高处作业）' ], [ 11, '健康证' ] ], 'required certificates with names');
is($vac->{project_id}, undef, 'no project');
is($vac->{wage_period}, 'month', 'wage period defaults to month');
is(psql_value("SELECT count(*) FROM vacancy_certificate WHERE vacancy_id = $vac->{id}"), 2, 'certificates stored');

$r = http($srv, 'POST', '/v1/vacancies', body => { %base, title => "$tag 道路养护", kind => 'work_relief', project_id => $proj + 0,
    occupation_code => '4-09-01-01', status => 'open' });
is($r->{status}, 201, 'a work-relief post linked to its project');
my $wr = $r->{json};
is($wr->{project_name}, "$tag 乡村道路", 'project name resolved');
is($wr->{status}, 'open', 'created open');

$r = http($srv, 'POST', '/v1/vacancies', body => { %base, title => "$tag 电子厂普工", kind => 'labor_export',
    occupation_code => '6-29-01-03', dest_province_code => 330000, dest_city => '宁波市', transport => JSON::PP::true, lat => 29.87, lon => 121.55 });
is($r->{status}, 201, 'a labour-export post');
my $lx = $r->{json};
is($lx->{dest_province_name}, '浙江省', 'destination province name resolved');
is($lx->{dest_city}, '宁波市', 'destination city');
is($lx->{lat}, 29.87, 'an explicit position is kept');

my $count = psql_value($count_sql);
my $skills = psql_value($skills_sql);

# --- validation: each rule names its field, and nothing changes
sub refused {
    my ($body, $want, $name) = @_;
    my $res = http($srv, 'POST', '/v1/vacancies', body => $body);
    is($res->{status}, 422, "$name: 422");
    is_deeply(field_errors($res), $want, "$name: names the field") or diag explain $res->{json};
}
refused({}, { employer_id => 'required', title => 'required', occupation_code => 'required', kind => 'required',
              county_code => 'required', headcount => 'required', wage_min => 'required', wage_max => 'required' },
        'an empty body');
refused({ %base, employer_id => 999999999 }, { employer_id => 'not_found' }, 'an unknown employer');
refused({ %base, employer_id => $emp_archived + 0 }, { employer_id => 'archived' }, 'an archived employer');
refused({ %base, kind => 'work_relief', project_id => 999999999 }, { project_id => 'not_found' }, 'an unknown project');
refused({ %base, kind => 'work_relief', project_id => $proj_other + 0 }, { project_id => 'not_allowed' }, 'a project in another county');
refused({ %base, project_id => $proj + 0 }, { project_id => 'not_allowed' }, 'a project on a post that is not work relief');
refused({ %base, occupation_code => '6-29-01-00' }, { occupation_code => 'not_found' }, 'an occupation that is not level 4');
refused({ %base, occupation_code => 'bricklayer' }, { occupation_code => 'invalid_format' }, 'a malformed occupation code');
refused({ %base, kind => 'gig' }, { kind => 'unknown_value' }, 'an unknown kind');
refused({ %base, county_code => 530600 }, { county_code => 'not_found' }, 'a prefecture is not a county');
refused({ %base, kind => 'labor_export', dest_city => '宁波市' }, { dest_province_code => 'required' }, 'labour export without a province');
refused({ %base, kind => 'labor_export', dest_province_code => 330000 }, { dest_city => 'required' }, 'labour export without a city');
refused({ %base, kind => 'labor_export', dest_province_code => 530100, dest_city => 'x' }, { dest_province_code => 'not_found' },
        'a destination that is not a province');
refused({ %base, dest_province_code => 330000 }, { dest_province_code => 'not_allowed' }, 'a destination on a local post');
refused({ %base, dest_city => '宁波市' }, { dest_city => 'not_allowed' }, 'a destination city on a local post');
refused({ %base, headcount => 0 }, { headcount => 'out_of_range' }, 'headcount 0');
refused({ %base, wage_min => 6000, wage_max => 5000 }, { wage_max => 'invalid_range' }, 'wage_min above wage_max');
refused({ %base, wage_min => -1 }, { wage_min => 'out_of_range' }, 'a negative wage');
refused({ %base, wage_period => 'year' }, { wage_period => 'unknown_value' }, 'an unknown wage period');
refused({ %base, age_min => 15 }, { age_min => 'out_of_range' }, 'age_min below the legal working age');
refused({ %base, age_max => 66 }, { age_max => 'out_of_range' }, 'age_max above 65');
refused({ %base, age_min => 45, age_max => 30 }, { age_max => 'invalid_range' }, 'age_min above age_max');
refused({ %base, start_date => '2025-06-01', end_date => '2025-05-01' }, { end_date => 'invalid_range' }, 'end before start');
refused({ %base, start_date => '2025-02-30' }, { start_date => 'invalid_date' }, 'an impossible date');
refused({ %base, status => 'closed' }, { status => 'illegal_transition' }, 'created closed');
refused({ %base, status => 'filled' }, { status => 'not_allowed' }, 'created filled');
refused({ %base, filled => 3 }, { filled => 'unknown_field' }, 'filled is kept by the system');
refused({ %base, lat => 80 }, { lat => 'out_of_range' }, 'a position outside China');
refused({ %base, required_skills => [ { skill_id => 9999 } ] }, { 'required_skills/0/skill_id' => 'not_found' }, 'an unknown skill');
refused({ %base, required_skills => [ { skill_id => 2 }, { skill_id => 2, min_level => 3 } ] },
        { 'required_skills/1/skill_id' => 'duplicate_item' }, 'a skill twice');
refused({ %base, required_skills => [ { skill_id => 2, min_level => 6 } ] }, { 'required_skills/0/min_level' => 'out_of_range' }, 'level 6');
refused({ %base, required_skills => [ { skill_id => 2, weight => 0 } ] }, { 'required_skills/0/weight' => 'out_of_range' }, 'weight 0');
refused({ %base, required_skills => [ { skill_id => 2, weight => 10.5 } ] }, { 'required_skills/0/weight' => 'out_of_range' }, 'weight above 10');
refused({ %base, required_skills => [ { level => 2 } ] }, { 'required_skills/0/skill_id' => 'required', 'required_skills/0/level' => 'unknown_field' },
        'a skill item without skill_id');
refused({ %base, required_certificates => [ 999 ] }, { 'required_certificates/0' => 'not_found' }, 'an unknown certificate');
refused({ %base, required_certificates => [ 11, 11 ] }, { 'required_certificates/1' => 'duplicate_item' }, 'a certificate twice');
refused({ %base, required_certificates => [ 'health' ] }, { 'required_certificates/0' => 'invalid_type' }, 'a certificate that is not an id');
refused({ %base, required_certificates => [ 0 ] }, { 'required_certificates/0' => 'invalid_format' }, 'certificate id 0');
refused({ %base, required_certificates => 11 }, { required_certificates => 'invalid_type' }, 'certificates not in an array');

# discrimination: requirement fields and requirement wording
my @fields = qw(sex gender ethnicity nation minzu hukou origin household_registration religion marital_status required_sex);
refused({ %base, map { $_ => 'x' } @fields }, { map { $_ => 'discriminatory' } @fields },
        'fields on sex, ethnicity, origin, religion or marriage');
refused({ %base, sex => 'M', colour => 'red' }, { sex => 'discriminatory', colour => 'unknown_field' },
        'a discriminatory field among other faults');
for my $text ('限男性', '仅限女性', '男性优先', '女士优先', '限汉族', '限本地户口', '限本地户籍', 'men only', 'Women only',
              '只招女工', '不招少数民族', '限未婚') {
    refused({ %base, title => "$tag 普工（$text）" }, { title => 'discriminatory' }, "title \"$text\"");
    refused({ %base, description => "工作认真，$text，月休四天" }, { description => 'discriminatory' }, "description \"$text\"");
}
is(psql_value($count_sql), $count, 'none of the refused requests made a vacancy');
is(psql_value($skills_sql), $skills, 'or a skill requirement');

# --- read
$r = http($srv, 'GET', "/v1/vacancies/$vac->{id}");
is($r->{status}, 200, 'read answers 200');
is($r->{json}{title}, "$tag 砌筑工", 'with the data');
is($r->{headers}{etag}, '"1"', 'and the ETag');
is(http($srv, 'GET', '/v1/vacancies/999999999')->{status}, 404, 'unknown id: 404');
is(http($srv, 'GET', '/v1/vacancies/x1')->{status}, 404, 'malformed id: 404');

# --- update
my $id = $vac->{id};
sub patch { my ($vid, $etag, $body) = @_; return http($srv, 'PATCH', "/v1/vacancies/$vid", body => $body, headers => { 'If-Match' => "\"$etag\"" }) }
$r = http($srv, 'PATCH', "/v1/vacancies/$id", body => { headcount => 6 });
is($r->{status}, 428, 'an update without If-Match gets 428');
$r = patch($id, 1, { headcount => 6, wage_max => 5500 });
is($r->{status}, 200, 'an update with the current ETag succeeds');
is($r->{json}{headcount}, 6, 'the change is made');
is($r->{headers}{etag}, '"2"', 'the ETag moves on');
is_deeply([ map { $_->{skill_id} } @{ $r->{json}{required_skills} } ], [ 2, 3 ], 'skills are kept when not sent');
$r = patch($id, 1, { headcount => 9 });
is($r->{status}, 412, 'a stale If-Match gets 412');
is(psql_value("SELECT headcount FROM vacancy WHERE id = $id"), 6, 'and changes nothing');

sub refused_patch {
    my ($vid, $etag, $body, $want, $name) = @_;
    my $res = patch($vid, $etag, $body);
    is($res->{status}, 422, "$name: 422");
    is_deeply(field_errors($res), $want, "$name: names the field") or diag explain $res->{json};
}
my $before = psql_value("SELECT version || title || status || wage_min || wage_max FROM vacancy WHERE id = $id");
refused_patch($id, 2, { wage_min => 6000 }, { wage_max => 'invalid_range' }, 'a wage_min above the stored wage_max');
refused_patch($id, 2, { age_min => 60 }, { age_max => 'invalid_range' }, 'an age_min above the stored age_max');
refused_patch($id, 2, { end_date => '2025-01-01' }, { end_date => 'invalid_range' }, 'an end before the stored start');
refused_patch($id, 2, { kind => 'labor_export' }, { dest_province_code => 'required' }, 'labour export without a destination');
refused_patch($id, 2, { project_id => $proj + 0 }, { project_id => 'not_allowed' }, 'a project on a regular post');
refused_patch($id, 2, { employer_id => $emp_archived + 0 }, { employer_id => 'archived' }, 'moving to an archived employer');
refused_patch($id, 2, { status => 'closed' }, { status => 'illegal_transition' }, 'draft to closed');
refused_patch($id, 2, { status => 'filled' }, { status => 'not_allowed' }, 'filled by hand');
refused_patch($id, 2, { title => '保安（男性优先）' }, { title => 'discriminatory' }, 'a discriminatory title');
refused_patch($id, 2, { description => 'only men' }, { description => 'discriminatory' }, 'a discriminatory description');
refused_patch($id, 2, { gender => 'F' }, { gender => 'discriminatory' }, 'a discriminatory field');
refused_patch($id, 2, { required_skills => [ { skill_id => 4 }, { skill_id => 4 } ] },
              { 'required_skills/1/skill_id' => 'duplicate_item' }, 'a skill twice');
refused_patch($id, 2, { required_certificates => [ 5, 9999 ] }, { 'required_certificates/1' => 'not_found' }, 'an unknown certificate');
refused_patch($id, 2, { id => 1 }, { id => 'unknown_field' }, 'the id cannot be set');
refused_patch($id, 2, {}, { '' => 'required' }, 'an empty change');
is(psql_value("SELECT version || title || status || wage_min || wage_max FROM vacancy WHERE id = $id"), $before,
   'none of the refused changes was made');
is(psql_value("SELECT string_agg(skill_id::text, ',' ORDER BY skill_id) FROM vacancy_skill WHERE vacancy_id = $id"), '2,3',
   'skills unchanged');
is(psql_value("SELECT string_agg(certificate_type_id::text, ',' ORDER BY certificate_type_id) FROM vacancy_certificate WHERE vacancy_id = $id"),
   '8,11', 'certificates unchanged');

$r = patch($id, 2, { required_skills => [ { skill_id => 4, min_level => 3 } ], required_certificates => [] });
is_deeply([ map { [ $_->{skill_id}, $_->{min_level} ] } @{ $r->{json}{required_skills} } ], [ [ 4, 3 ] ], 'skills are replaced');
is_deeply($r->{json}{required_certificates}, [], 'certificates are cleared');
$r = patch($id, 3, { county_code => 530602 });
is($r->{json}{county_name}, '昭阳区', 'moved to another county');
ok(abs($r->{json}{lat} - 27.32) < 0.1, 'and to its centre');
$r = patch($id, 4, { county_code => 530621, lat => 27.2, lon => 103.5 });
is($r->{json}{lat}, 27.2, 'or to a given position');
$r = patch($id, 5, { kind => 'labor_export', dest_province_code => 440000, dest_city => '东莞市' });
is($r->{json}{dest_province_name}, '广东省', 'turned into a labour-export post');
refused_patch($id, 6, { kind => 'regular' }, { dest_province_code => 'not_allowed' }, 'a local post keeps no destination');
$r = patch($id, 6, { kind => 'regular', dest_province_code => undef, dest_city => undef });
is($r->{status}, 200, 'a destination is cleared with null');
is($r->{json}{dest_city}, '', 'and the city with it');

# status rules
$r = patch($id, 7, { status => 'open' });
is($r->{json}{status}, 'open', 'draft to open');
refused_patch($id, 8, { status => 'draft' }, { status => 'illegal_transition' }, 'open back to draft');
$r = patch($id, 8, { status => 'closed' });
is($r->{json}{status}, 'closed', 'open to closed');
$r = patch($id, 9, { status => 'open' });
is($r->{json}{status}, 'open', 'closed to open');

# filling is automatic: hires raise filled (the placements work does it)
psql("UPDATE vacancy SET filled = 4 WHERE id = $id");
$r = http($srv, 'GET', "/v1/vacancies/$id");
is($r->{json}{open_places}, 2, 'open places follow hires');
is($r->{json}{status}, 'open', 'still open with places left');
refused_patch($id, 10, { headcount => 3 }, { headcount => 'out_of_range' }, 'headcount below filled');
psql("UPDATE vacancy SET filled = 6 WHERE id = $id");
$r = http($srv, 'GET', "/v1/vacancies/$id");
is($r->{json}{status}, 'filled', 'the last hire makes it filled');
is($r->{json}{open_places}, 0, 'with no open places');
refused_patch($id, 10, { status => 'open' }, { status => 'full' }, 'a full vacancy cannot reopen');
$r = patch($id, 10, { headcount => 8 });
is($r->{json}{status}, 'open', 'more places reopen it');
$r = patch($id, 11, { status => 'closed' });
is($r->{json}{status}, 'closed', 'and it can be closed');
psql("UPDATE vacancy SET filled = 8 WHERE id = $id");
is(psql_value("SELECT status FROM vacancy WHERE id = $id"), 'filled', 'a closed vacancy whose last place is taken is filled');

# the project's rollups follow its vacancies' hires
psql("UPDATE vacancy SET filled = 3 WHERE id = $wr->{id}");
$r = http($srv, 'GET', "/v1/work-relief-projects/$proj");
is($r->{json}{filled_by_relocated}, 3, 'project counts the hires of its vacancies');
is_deeply([ map { [ $_->{id}, $_->{filled} ] } @{ $r->{json}{vacancies} } ], [ [ $wr->{id}, 3 ] ], 'and lists them');
$r = patch($wr->{id}, 1, { project_id => undef, kind => 'public_welfare' });
is($r->{json}{project_id}, undef, 'a vacancy is unlinked with null');
is(http($srv, 'GET', "/v1/work-relief-projects/$proj")->{json}{filled_by_relocated}, 0, 'and the project no longer counts it');
$r = patch($wr->{id}, 2, { project_id => $proj + 0, kind => 'work_relief' });
is($r->{json}{project_name}, "$tag 乡村道路", 'and linked again');
is(http($srv, 'GET', "/v1/work-relief-projects/$proj")->{json}{filled_by_relocated}, 3, 'counted again');

# --- Idempotency-Key
my $key = "idem-$tag";
my %ibody = (%base, title => "$tag 幂等");
$r = http($srv, 'POST', '/v1/vacancies', body => \%ibody, headers => { 'Idempotency-Key' => $key });
is($r->{status}, 201, 'a create with a key');
my $first = $r->{json}{id};
$count = psql_value($count_sql);
$r = http($srv, 'POST', '/v1/vacancies', body => \%ibody, headers => { 'Idempotency-Key' => $key });
is($r->{status}, 201, 'the retry answers 201');
is($r->{json}{id}, $first, 'with the same vacancy');
is($r->{headers}{'idempotent-replayed'}, 'true', 'marked as replayed');
$r = http($srv, 'POST', '/v1/vacancies', body => { %ibody, headcount => 9 }, headers => { 'Idempotency-Key' => $key });
is_deeply(field_errors($r), { 'Idempotency-Key' => 'idempotency_mismatch' }, 'the same key with another body is refused');
is(psql_value($count_sql), $count, 'no second vacancy');

# --- lists: a fresh employer so that the rows are ours alone
my $le = employer('列表');
my @made;
my @specs = (
    [ 'regular',      530621, 3000, 1, undef,  '6-29-01-01', 'open' ],
    [ 'workshop',     530621, 2600, 0, 36,     '6-29-01-03', 'open' ],
    [ 'regular',      530602, 4200, 1, 36,     '6-29-01-01', 'draft' ],
    [ 'work_relief',  530621, 2800, 0, 2,      '4-09-01-01', 'open' ],
    [ 'labor_export', 530621, 6000, 1, undef,  '6-29-01-03', 'open' ],
    [ 'regular',      530621, 4200, 0, 2,      '6-29-01-01', 'draft' ],
    [ 'forest_ranger',530621, 1500, 0, 52,     '4-09-05-01', 'open' ],
);
for my $i (0 .. $#specs) {
    my ($kind, $county, $wage, $acc, $skill, $occ, $status) = @{ $specs[$i] };
    my %b = (employer_id => $le + 0, title => sprintf('%s L%02d', $tag, $i), occupation_code => $occ, kind => $kind,
             county_code => $county, headcount => 2, wage_min => 1000, wage_max => $wage, status => $status,
             accommodation => $acc ? JSON::PP::true : JSON::PP::false);
    $b{required_skills} = [ { skill_id => $skill } ] if $skill;
    @b{qw(dest_province_code dest_city)} = (440000, '深圳市') if $kind eq 'labor_export';
    $b{project_id} = $proj + 0 if $kind eq 'work_relief';
    $r = http($srv, 'POST', '/v1/vacancies', body => \%b);
    is($r->{status}, 201, "list row $i") or diag explain $r->{json};
    push @made, $r->{json}{id};
}
sub ids_of { my ($q) = @_; my $res = http($srv, 'GET', "/v1/vacancies?employer_id=$le&$q"); is($res->{status}, 200, "list $q") or diag explain $res->{json}; return [ map { $_->{id} } @{ $res->{json}{items} || [] } ] }
sub pick { return [ map { $made[$_] } @_ ] }
is_deeply(ids_of(''), pick(0 .. 6), 'all of the employer\'s vacancies, in id order');
is_deeply(ids_of('county_code=530602'), pick(2), 'county filter');
is_deeply(ids_of('kind=regular'), pick(0, 2, 5), 'kind filter');
is_deeply(ids_of('status=draft'), pick(2, 5), 'status filter');
is_deeply(ids_of('skill_id=36'), pick(1, 2), 'skill filter');
is_deeply(ids_of('occupation_code=4-09-05-01'), pick(6), 'occupation filter');
is_deeply(ids_of('accommodation=true'), pick(0, 2, 4), 'accommodation filter');
is_deeply(ids_of("project_id=$proj"), pick(3), 'project filter');
is_deeply(ids_of('kind=regular&accommodation=false'), pick(5), 'filters combine');
$r = http($srv, 'GET', "/v1/vacancies?employer_id=$emp&limit=200");
my @other = map { $_->{id} } @{ $r->{json}{items} };
ok(scalar(@other) >= 2 && !(grep { $_->{employer_id} != $emp } @{ $r->{json}{items} }), 'employer filter: only that employer');
ok((grep { $_ == $lx->{id} } @other) && !(grep { my $o = $_; grep { $_ == $o } @made } @other), 'with its rows and no others');
$r = patch($made[6], 1, { archived => JSON::PP::true });
is($r->{json}{archived}, JSON::PP::true, 'a vacancy is archived');
is_deeply(ids_of('archived=true'), pick(6), 'archived filter');
is_deeply(ids_of(''), pick(0 .. 5), 'archived rows are left out by default');

sub walk {
    my ($sort) = @_;
    my (@ids, $cursor, $pages);
    do {
        my $res = http($srv, 'GET', "/v1/vacancies?employer_id=$le&sort=$sort&limit=2" . ($cursor ? "&cursor=$cursor" : ''));
        push @ids, map { $_->{id} } @{ $res->{json}{items} };
        $cursor = $res->{json}{next_cursor};
        $pages++;
    } while ($cursor && $pages < 10);
    return (\@ids, $pages);
}
my ($ids, $pages) = walk('id');
is_deeply($ids, pick(0 .. 5), 'paging by id to the end returns every row once');
is($pages, 3, 'in three pages of two');
($ids, $pages) = walk('-created');
is_deeply($ids, [ reverse @{ pick(0 .. 5) } ], 'newest first, paged to the end');
($ids) = walk('wage');
is_deeply($ids, pick(4, 2, 5, 0, 3, 1), 'highest wage first (ties by id), paged to the end');

$r = http($srv, 'GET', "/v1/vacancies?employer_id=$le&format=csv");
my @lines = grep { length } split /\r\n/, $r->{content};
is(scalar @lines, 7, 'CSV export: a header and every row');
is(http($srv, 'GET', '/v1/vacancies?kind=gig')->{status}, 400, 'an unknown kind filter is refused');
is(http($srv, 'GET', '/v1/vacancies?sex=F')->{status}, 400, 'an unknown filter is refused');
is(http($srv, 'GET', '/v1/vacancies?sort=salary')->{status}, 400, 'an unknown sort is refused');
is(http($srv, 'GET', '/v1/vacancies?skill_id=abc')->{status}, 400, 'a malformed id filter is refused');
is(http($srv, 'GET', '/v1/vacancies?cursor=!!')->{status}, 400, 'a forged cursor is refused');
is(http($srv, 'DELETE', "/v1/vacancies/$id")->{status}, 405, 'vacancies are never deleted');

done_testing();
