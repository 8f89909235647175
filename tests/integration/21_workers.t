# Workers (labour profiles): create, read, update and list with every filter;
# the ID number encrypted (birth date and sex derived from it, never in an
# answer, found through its blind index); skills, trainings and certificates
# replaced as lists; the consent history; the household rollups following
# the worker; idempotent creation; the caller's scope.
use strict;
use warnings;
use utf8;
use Test::More;
use POSIX qw(strftime);
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $srv = start_server();
my $tag = 'w' . $$ . int(rand(1e6));
my $serial = int(rand(1000));
my (@numbers, @bodies);    # every full ID number used; every answer's body

sub field_errors { my ($r) = @_; return { map { $_->{field} => $_->{code} } @{ $r->{json}{errors} || [] } } }
sub call {
    my $r = http($srv, @_);
    push @bodies, $r->{content} // '';
    return $r;
}
sub create { return call('POST', '/v1/workers', body => $_[0], ($_[1] ? (headers => $_[1]) : ())) }
sub patch {
    my ($id, $version, $body, %o) = @_;
    return call('PATCH', "/v1/workers/$id", body => $body, headers => { 'If-Match' => qq("$version") }, %o);
}
sub get_worker { return call('GET', "/v1/workers/$_[0]")->{json} }
sub get_hh { return call('GET', "/v1/households/$_[0]")->{json} }
# China Standard Time, as the server counts days
sub cn_today { return strftime('%Y%m%d', gmtime(time + 8 * 3600)) }
sub cn_date { return strftime('%Y-%m-%d', gmtime(time + 8 * 3600 + $_[0] * 86400)) }

# A valid ID number unique to this run: born on $birth (YYYYMMDD), sex M or F.
sub idnum {
    my ($birth, $sex) = @_;
    $serial = ($serial + 1) % 1000;
    my $seq = $serial - $serial % 2 + ($sex eq 'M' ? 1 : 0);    # the 17th digit is odd for men
    my $body = sprintf('530622%s%03d', $birth, $seq);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0;
    $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    my $id = $body . substr('10X98765432', $sum % 11, 1);
    push @numbers, $id;
    return $id;
}
my $born = 0;
sub next_id { $born++; return idnum(sprintf('19%02d%02d%02d', 70 + $born % 25, 1 + $born % 12, 1 + $born % 28), $born % 2 ? 'M' : 'F') }

# Daguan county: two sites; Yongshan: one.  Households in them, one archived, one monitored.
sub site {
    my ($name, $county) = @_;
    my $r = call('POST', '/v1/sites', body => { name => "$tag $name", county_code => $county, kind => 'scattered' });
    die "cannot create a site: $r->{status}\n" unless $r->{status} == 201;
    return $r->{json}{id};
}
sub household {
    my ($site, %o) = @_;
    my $r = call('POST', '/v1/households', body => { site_id => $site, origin_county_code => 530622, members => 4, %o });
    die "cannot create a household: $r->{status}\n" unless $r->{status} == 201;
    return $r->{json}{id};
}
my ($s1, $s2, $s3) = (site('大关一', 530624), site('大关二', 530624), site('永善', 530625));
my ($h1, $h2, $hb, $hm) = (household($s1), household($s1), household($s1), household($s2));
my $hy = household($s3);
my $hgone = household($s1);
is(call('PATCH', "/v1/households/$hgone", body => { archived => JSON::PP::true }, headers => { 'If-Match' => '"1"' })->{status},
   200, 'an archived household for the checks');
my $ours = join(',', $h1, $h2, $hb, $hm, $hy, $hgone);
my $state_sql = "SELECT concat_ws('/', (SELECT count(*) FROM worker WHERE household_id IN ($ours)), "
              . "(SELECT count(*) FROM worker_skill s JOIN worker w ON w.id = s.worker_id WHERE w.household_id IN ($ours)), "
              . "(SELECT count(*) FROM worker_training s JOIN worker w ON w.id = s.worker_id WHERE w.household_id IN ($ours)), "
              . "(SELECT count(*) FROM worker_certificate s JOIN worker w ON w.id = s.worker_id WHERE w.household_id IN ($ours)), "
              . "(SELECT count(*) FROM worker_consent_event s JOIN worker w ON w.id = s.worker_id WHERE w.household_id IN ($ours)))";

# --- create
my $id1 = idnum('19900501', 'M');
my $full = {
    household_id => $h1, name => "$tag 张三", id_number => $id1, phone => '13812345678',
    education => 'vocational', mandarin_level => 'fluent', languages => ['ii', 'en'],
    employment_status => 'seeking', max_commute_km => 50, willing_outside_county => JSON::PP::true,
    willing_outside_province => JSON::PP::false, needs_accommodation => JSON::PP::true, wage_floor => 3500,
    job_kinds_wanted => ['regular', 'labor_export'], available_from => '2025-03-01', disability => 'mild',
    consent_employers => JSON::PP::true, consent_brokers => JSON::PP::false, consent_method => 'paper_form',
    consent_given_on => '2024-12-30',
    skills => [{ skill_id => 2, level => 3 }, { skill_id => 14, level => 2 }],
    trainings => [{ name => '砌筑工培训', provider => '大关县就业局', start_date => '2024-03-01', end_date => '2024-04-15',
                    completed => JSON::PP::true, skill_id => 2 },
                  { name => '普通话', start_date => '2025-01-10' }],
    certificates => [{ certificate_type_id => 11, number => 'HC-1', issued_on => '2024-01-01', expires_on => '2099-12-31' },
                     { certificate_type_id => 7, number => 'OP-7', issued_on => '2015-01-01', expires_on => '2021-01-01' }],
};
my $r = create($full);
is($r->{status}, 201, 'create answers 201') or diag explain $r->{json};
my $w = $r->{json};
like($r->{headers}{location}, qr{^/v1/workers/$w->{id}$}, 'with Location');
is($r->{headers}{etag}, '"1"', 'with an ETag');
is($r->{headers}{'cache-control'}, 'no-store', 'not to be cached');
is_deeply({ map { $_ => $w->{$_} } qw(household_id site_id county_code county_name name sex
                                      id_number_masked phone_masked education mandarin_level languages
                                      employment_status max_commute_km willing_outside_county
                                      willing_outside_province needs_accommodation wage_floor job_kinds_wanted
                                      available_from disability consent_employers consent_brokers archived version) },
          { household_id => $h1, site_id => $s1, county_code => 530624, county_name => '大关县', name => "$tag 张三",
            sex => 'M', id_number_masked => substr($id1, 0, 6) . ('*' x 11) . substr($id1, 17),
            phone_masked => '138****5678', education => 'vocational', mandarin_level => 'fluent', languages => ['ii', 'en'],
            employment_status => 'seeking', max_commute_km => 50, willing_outside_county => JSON::PP::true,
            willing_outside_province => JSON::PP::false, needs_accommodation => JSON::PP::true, wage_floor => 3500,
            job_kinds_wanted => ['regular', 'labor_export'], available_from => '2025-03-01', disability => 'mild',
            consent_employers => JSON::PP::true, consent_brokers => JSON::PP::false, archived => JSON::PP::false, version => 1 },
          'the answer: every field, the site and county of the household, sex from the ID number');
ok(!exists $w->{birth_date}, 'the birth date is not answered (the age is: docs/privacy.md)');
is(psql_value("SELECT birth_date FROM worker WHERE id = $w->{id}"), '1990-05-01', 'it is stored, from the ID number');
my $age = int((cn_today() - 19900501) / 10000);
is($w->{age}, $age, "age from the birth date ($age)");
ok(!exists $w->{id_number} && !exists $w->{phone}, 'no full ID number or phone field');
is_deeply([map { [$_->{skill_id}, $_->{level}, $_->{name}, $_->{name_en}] } @{ $w->{skills} }],
          [[2, 3, '砌筑', 'Masonry'], [14, 2, '电焊', 'Arc welding']], 'skills with their names and levels');
is_deeply([map { [@$_{qw(name provider start_date end_date completed skill_id skill_name)}] } @{ $w->{trainings} }],
          [['砌筑工培训', '大关县就业局', '2024-03-01', '2024-04-15', JSON::PP::true, 2, '砌筑'],
           ['普通话', '', '2025-01-10', undef, JSON::PP::false, undef, undef]], 'trainings, in the order sent');
is_deeply([map { [@$_{qw(certificate_type_id name number issued_on expires_on valid)}] } @{ $w->{certificates} }],
          [[11, '健康证', 'HC-1', '2024-01-01', '2099-12-31', JSON::PP::true],
           [7, '特种作业操作证（焊接与热切割）', 'OP-7', '2015-01-01', '2021-01-01', JSON::PP::false]],
          'certificates with their names, valid today or not');
is_deeply([map { [@$_{qw(kind granted method given_on recorded_by)}] } @{ $w->{consent_events} }],
          [['employers', JSON::PP::true, 'paper_form', '2024-12-30', 'leye-test-admin']],
          'the consent given is recorded: what, how, when, by whom');
ok($w->{consent_events}[0]{at}, 'with the time it was recorded');
ok(exists $w->{placement} && !defined $w->{placement}, 'no placement');
is(psql_value("SELECT birth_date || '/' || sex || '/' || length(id_number_enc) FROM worker WHERE id = $w->{id}"),
   '1990-05-01/M/59', 'stored: derived birth date and sex, the ID number as ciphertext');
is(psql_value("SELECT count(*) FROM worker t WHERE t::text LIKE '%$id1%'"), 0, 'the plain ID number is nowhere in the row');
is_deeply([@{ get_hh($h1) }{qw(labor_count employed_count zero_employment)}], [1, 0, JSON::PP::true],
          'the household counts its new labour');

my $idf = idnum('19850302', 'F');
$r = create({ household_id => $h1, name => "$tag 李四", id_number => lc($idf) });
is($r->{status}, 201, 'a worker with only the required fields');
my $w2 = $r->{json};
is_deeply([@$w2{qw(age sex education mandarin_level employment_status max_commute_km wage_floor disability
                   consent_employers consent_brokers)}],
          [int((cn_today() - 19850302) / 10000), 'F', 'junior_secondary', 'basic', 'seeking', 20, 0, 'none',
           JSON::PP::false, JSON::PP::false],
          'born 1985-03-02 (answered as an age), female; the defaults');
is_deeply([@$w2{qw(languages job_kinds_wanted skills trainings certificates consent_events)}], [[], [], [], [], [], []],
          'empty lists and no consent events');
ok(exists $w2->{phone_masked} && !defined $w2->{phone_masked}, 'no phone');

# legal working age: 16 today is old enough, a day younger is not
my @t = gmtime(time + 8 * 3600);
my $md = sprintf('%02d%02d', $t[4] + 1, $t[3]);
$md = '0228' if $md eq '0229';
my $sixteen = idnum(($t[5] + 1900 - 16) . $md, 'F');
$r = create({ household_id => $h2, name => "$tag 十六", id_number => $sixteen });
is($r->{status}, 201, 'a worker who is 16 today is registered');
is($r->{json}{age}, 16, 'aged 16');
my $w16 = $r->{json}{id};

# --- every validation rule, with the database unchanged
my $before = psql_value($state_sql);
my $young = idnum(($t[5] + 1900 - 15) . $md, 'M');
(my $bad_check = next_id()) =~ s/(.)$/$1 eq '0' ? '1' : '0'/e;
my %base = (household_id => $h2, name => "$tag 坏", id_number => next_id());
my @bad = (
    [{ name => 'x' }, { household_id => 'required', id_number => 'required' }, 'required fields'],
    [{ %base, name => '' }, { name => 'required' }, 'an empty name'],
    [{ %base, name => '名' x 51 }, { name => 'too_long' }, 'a name over 50 characters'],
    [{ %base, birth_date => '1990-01-01', sex => 'M' }, { birth_date => 'unknown_field', sex => 'unknown_field' },
     'birth date and sex cannot be sent'],
    [{ %base, id_number => $bad_check }, { id_number => 'check_digit' }, 'an ID number with a wrong check character'],
    [{ %base, id_number => substr($base{id_number}, 0, 17) }, { id_number => 'invalid_format' }, 'an ID number of 17 characters'],
    [{ %base, id_number => $young }, { id_number => 'out_of_range' }, 'a worker of 15'],
    [{ %base, id_number => $id1 }, { id_number => 'duplicate' }, 'an ID number already registered', 409],
    [{ %base, id_number => lc($idf) }, { id_number => 'duplicate' }, 'the same number in lower case', 409],
    [{ %base, phone => '12345' }, { phone => 'invalid_format' }, 'a phone that is no phone'],
    [{ %base, household_id => 999999999 }, { household_id => 'not_found' }, 'an unknown household'],
    [{ %base, household_id => $hgone }, { household_id => 'archived' }, 'an archived household'],
    [{ %base, household_id => 0 }, { household_id => 'invalid_format' }, 'a household id that is no id'],
    [{ %base, education => 'phd' }, { education => 'unknown_value' }, 'an unknown education'],
    [{ %base, mandarin_level => 'native' }, { mandarin_level => 'unknown_value' }, 'an unknown Mandarin level'],
    [{ %base, employment_status => 'retired' }, { employment_status => 'unknown_value' }, 'an unknown employment status'],
    [{ %base, disability => 'some' }, { disability => 'unknown_value' }, 'an unknown disability grade'],
    [{ %base, languages => ['xx'] }, { languages => 'unknown_value' }, 'an unknown language'],
    [{ %base, languages => [qw(ii hni bca tdd khb za hmn lis lhu prk nxq)] }, { languages => 'too_long' }, 'eleven languages'],
    [{ %base, job_kinds_wanted => ['office'] }, { job_kinds_wanted => 'unknown_value' }, 'an unknown kind of job'],
    [{ %base, max_commute_km => 3001 }, { max_commute_km => 'out_of_range' }, 'a commute over 3000 km'],
    [{ %base, wage_floor => -1 }, { wage_floor => 'out_of_range' }, 'a negative wage floor'],
    [{ %base, wage_floor => '3000' }, { wage_floor => 'invalid_type' }, 'a wage floor as text'],
    [{ %base, available_from => '2025-02-30' }, { available_from => 'invalid_date' }, 'a day that does not exist'],
    [{ %base, consent_brokers => JSON::PP::true }, { consent_method => 'required' }, 'consent without saying how'],
    [{ %base, consent_brokers => JSON::PP::true, consent_method => 'email' }, { consent_method => 'unknown_value' },
     'an unknown way of consenting'],
    [{ %base, consent_brokers => JSON::PP::true, consent_method => 'kiosk', consent_given_on => cn_date(2) },
     { consent_given_on => 'invalid_date' }, 'consent given in the future'],
    [{ %base, skills => [{ skill_id => 2, level => 6 }] }, { 'skills/0/level' => 'out_of_range' }, 'skill level 6'],
    [{ %base, skills => [{ skill_id => 2, level => 0 }] }, { 'skills/0/level' => 'out_of_range' }, 'skill level 0'],
    [{ %base, skills => [{ skill_id => 2 }] }, { 'skills/0/level' => 'required' }, 'a skill without a level'],
    [{ %base, skills => [{ skill_id => 2, level => 1, note => 'x' }] }, { 'skills/0/note' => 'unknown_field' },
     'an unknown field in a skill'],
    [{ %base, skills => [{ skill_id => 2, level => 1 }, { skill_id => 99999, level => 1 }] },
     { 'skills/1/skill_id' => 'not_found' }, 'an unknown skill'],
    [{ %base, skills => [{ skill_id => 2, level => 1 }, { skill_id => 3, level => 1 }, { skill_id => 2, level => 4 }] },
     { 'skills/2/skill_id' => 'duplicate_item' }, 'a skill twice'],
    [{ %base, skills => [map { +{ skill_id => $_, level => 1 } } 1 .. 51] }, { skills => 'too_long' }, '51 skills'],
    [{ %base, skills => { skill_id => 2, level => 1 } }, { skills => 'invalid_type' }, 'skills that are no list'],
    [{ %base, certificates => [{ certificate_type_id => 9999 }] }, { 'certificates/0/certificate_type_id' => 'not_found' },
     'an unknown certificate type'],
    [{ %base, certificates => [{ certificate_type_id => 11, issued_on => '2024-05-01', expires_on => '2024-04-30' }] },
     { 'certificates/0/expires_on' => 'invalid_range' }, 'a certificate expiring before it was issued'],
    [{ %base, certificates => [{ certificate_type_id => 11, issued_on => cn_date(3) }] },
     { 'certificates/0/issued_on' => 'invalid_date' }, 'a certificate issued in the future'],
    [{ %base, certificates => [{ number => 'x' }] }, { 'certificates/0/certificate_type_id' => 'required' },
     'a certificate without a type'],
    [{ %base, trainings => [{ name => '培训', start_date => '2024-05-01', end_date => '2024-04-01' }] },
     { 'trainings/0/end_date' => 'invalid_range' }, 'a training ending before it starts'],
    [{ %base, trainings => [{ name => '培训', start_date => '2024-05-01', skill_id => 99999 }] },
     { 'trainings/0/skill_id' => 'not_found' }, 'a training in an unknown skill'],
    [{ %base, trainings => [{ name => '培训' }] }, { 'trainings/0/start_date' => 'required' }, 'a training without a start'],
    [{ %base, archived => JSON::PP::true }, { archived => 'unknown_field' }, 'a worker is not created archived'],
    [{ %base, id => 7, version => 3 }, { id => 'unknown_field', version => 'unknown_field' }, 'id and version cannot be set'],
);
for my $case (@bad) {
    my ($body, $want, $what, $status) = @$case;
    $r = create($body);
    is($r->{status}, $status // 422, "$what: " . ($status // 422));
    is_deeply(field_errors($r), $want, "$what: names the field and reason");
}
is(psql_value($state_sql), $before, 'none of the bad requests changed the database');

# --- read
$r = call('GET', "/v1/workers/$w->{id}");
is($r->{status}, 200, 'read answers 200');
is($r->{headers}{etag}, '"1"', 'with the ETag');
is_deeply($r->{json}, $w, 'the same answer as the create');
is(call('GET', '/v1/workers/999999999')->{status}, 404, 'unknown id: 404');
is(call('GET', '/v1/workers/abc')->{status}, 404, 'malformed id: 404');
# the phone at rest: blind index, ciphertext and mask, and the plain number nowhere in the row
is(psql_value("SELECT concat_ws('/', phone IS NULL, length(phone_hash), phone_enc IS NOT NULL, phone_masked) FROM worker WHERE id = $w->{id}"),
   't/32/t/138****5678', 'the phone is stored as blind index, ciphertext and mask');
is(psql_value("SELECT count(*) FROM worker w WHERE id = $w->{id} AND w::text LIKE '%12345678%'"), 0,
   'the stored row holds no plain phone');

# --- update with If-Match
$r = call('PATCH', "/v1/workers/$w->{id}", body => { wage_floor => 4000 });
is($r->{status}, 428, 'an update without If-Match gets 428');
$r = patch($w->{id}, 1, { wage_floor => 4000, phone => '0871-65123456', languages => ['hni'] });
is($r->{status}, 200, 'an update with the current ETag succeeds');
is_deeply([@{ $r->{json} }{qw(wage_floor phone_masked languages version)}], [4000, '0871-****3456', ['hni'], 2],
          'the change is made');
is(psql_value("SELECT concat_ws('/', phone IS NULL, phone_masked) FROM worker w WHERE id = $w->{id} AND w::text NOT LIKE '%65123456%' "
              . "AND w::text NOT LIKE '%12345678%'") =~ s/^$/the plain number is stored/r,
   't/0871-****3456', 'a new phone is stored encrypted too, the plain number nowhere');
is($r->{headers}{etag}, '"2"', 'the ETag moves on');
is_deeply($r->{json}{skills}, $w->{skills}, 'lists not sent are kept');
$r = patch($w->{id}, 1, { wage_floor => 1 });
is($r->{status}, 412, 'a stale If-Match gets 412');
is(psql_value("SELECT wage_floor || '/' || version FROM worker WHERE id = $w->{id}"), '4000/2', 'and changes nothing');

# the lists are replaced
$r = patch($w->{id}, 2, { skills => [{ skill_id => 14, level => 4 }, { skill_id => 19, level => 1 }],
                           trainings => [{ name => '叉车', start_date => '2025-02-01', end_date => '2025-02-20', skill_id => 19 }],
                           certificates => [] });
is($r->{status}, 200, 'skills, trainings and certificates sent');
is_deeply([map { [$_->{skill_id}, $_->{level}] } @{ $r->{json}{skills} }], [[14, 4], [19, 1]], 'replace the skills');
is_deeply([map { $_->{name} } @{ $r->{json}{trainings} }], ['叉车'], 'replace the trainings');
is_deeply($r->{json}{certificates}, [], 'an empty list removes every certificate');
is(psql_value("SELECT string_agg(skill_id || ':' || level, ',' ORDER BY skill_id) FROM worker_skill WHERE worker_id = $w->{id}"),
   '14:4,19:1', 'in the database');

# consent changes are recorded in the same write
$r = patch($w->{id}, 3, { consent_brokers => JSON::PP::true });
is($r->{status}, 422, 'a change of consent without how');
is_deeply(field_errors($r), { consent_method => 'required' }, 'needs consent_method');
$r = patch($w->{id}, 3, { consent_brokers => JSON::PP::true, consent_employers => JSON::PP::false, consent_method => 'phone' });
is($r->{status}, 200, 'brokers granted, employers withdrawn, by phone');
is_deeply([map { [@$_{qw(kind granted method recorded_by)}] } @{ $r->{json}{consent_events} }],
          [['employers', JSON::PP::true, 'paper_form', 'leye-test-admin'], ['employers', JSON::PP::false, 'phone', 'leye-test-admin'],
           ['brokers', JSON::PP::true, 'phone', 'leye-test-admin']], 'both changes join the history');
is($r->{json}{consent_events}[2]{given_on}, cn_date(0), 'given today unless said otherwise');
$r = patch($w->{id}, 4, { consent_brokers => JSON::PP::true, consent_method => 'in_person', wage_floor => 4100 });
is(scalar @{ $r->{json}{consent_events} }, 3, 'a consent sent unchanged records nothing');
$r = patch($w->{id}, 5, { consent_brokers => JSON::PP::false, consent_method => 'kiosk', consent_given_on => '2025-06-01' });
is_deeply([@{ $r->{json}{consent_events}[3] }{qw(kind granted method given_on)}], ['brokers', JSON::PP::false, 'kiosk', '2025-06-01'],
          'a withdrawal on a stated day');
is(psql_value("SELECT count(*) FROM worker_consent_event WHERE worker_id = $w->{id}"), 4, 'four events stored');

# a new ID number re-derives birth date and sex
my $id1b = idnum('19920715', 'F');
$r = patch($w->{id}, 6, { id_number => $id1b });
is($r->{status}, 200, 'the ID number is corrected');
is_deeply([@{ $r->{json} }{qw(age sex id_number_masked)}],
          [int((cn_today() - 19920715) / 10000), 'F', substr($id1b, 0, 6) . ('*' x 11) . substr($id1b, 17)],
          'age, sex and mask follow');
is(psql_value("SELECT birth_date || '/' || sex FROM worker WHERE id = $w->{id}"), '1992-07-15/F', 'in the database');
is_deeply(call('GET', "/v1/workers?id_number=$id1")->{json}{items}, [], 'the old number finds nobody');
is_deeply([map { $_->{id} } @{ call('GET', "/v1/workers?id_number=$id1b")->{json}{items} }], [$w->{id}], 'the new one finds the worker');

my $row_sql = "SELECT concat_ws('/', household_id, name, birth_date, employment_status, consent_brokers, archived, version, "
            . "(SELECT count(*) FROM worker_skill WHERE worker_id = w.id), (SELECT count(*) FROM worker_consent_event WHERE worker_id = w.id)) "
            . "FROM worker w WHERE id = ";
$before = psql_value($row_sql . $w->{id});
my @bad_patch = (
    [{}, { '' => 'required' }, 'an empty update'],
    [{ birth_date => '1990-01-01' }, { birth_date => 'unknown_field' }, 'birth_date cannot be set'],
    [{ sex => 'M' }, { sex => 'unknown_field' }, 'sex cannot be set'],
    [{ age => 30 }, { age => 'unknown_field' }, 'age cannot be set'],
    [{ id_number => undef }, { id_number => 'required' }, 'the ID number cannot be removed'],
    [{ name => undef }, { name => 'required' }, 'nor the name'],
    [{ id_number => $idf }, { id_number => 'duplicate' }, "another worker's ID number", 409],
    [{ id_number => $young }, { id_number => 'out_of_range' }, 'an ID number under 16'],
    [{ household_id => 999999999 }, { household_id => 'not_found' }, 'moving to an unknown household'],
    [{ household_id => $hgone }, { household_id => 'archived' }, 'moving to an archived household'],
    [{ skills => [{ skill_id => 2, level => 6 }] }, { 'skills/0/level' => 'out_of_range' }, 'skill level 6'],
    [{ skills => [{ skill_id => 5, level => 1 }, { skill_id => 5, level => 2 }] }, { 'skills/1/skill_id' => 'duplicate_item' },
     'a skill twice'],
    [{ certificates => [{ certificate_type_id => 3, issued_on => '2020-01-02', expires_on => '2020-01-01' }] },
     { 'certificates/0/expires_on' => 'invalid_range' }, 'a certificate expiring before it was issued'],
    [{ trainings => [{ name => 'x', start_date => '2020-01-02', end_date => '2020-01-01' }] },
     { 'trainings/0/end_date' => 'invalid_range' }, 'a training ending before it starts'],
    [{ consent_brokers => JSON::PP::true, consent_method => 'paper_form', consent_given_on => cn_date(1) },
     { consent_given_on => 'invalid_date' }, 'consent given tomorrow'],
    [{ employment_status => 'seeking', archived => 'no' }, { archived => 'invalid_type' }, 'archived must be a boolean'],
);
for my $case (@bad_patch) {
    my ($body, $want, $what, $status) = @$case;
    $r = patch($w->{id}, 7, $body);
    is($r->{status}, $status // 422, "update, $what: " . ($status // 422));
    is_deeply(field_errors($r), $want, "update, $what: names the field and reason");
}
is(psql_value($row_sql . $w->{id}), $before, 'no refused update changed the worker');

# --- the household rollups follow the worker's writes
sub rollup { my $j = get_hh($_[0]); return [$j->{labor_count}, $j->{employed_count}, $j->{zero_employment} ? 1 : 0] }
is_deeply(rollup($h1), [2, 0, 1], 'two seeking in the first household: labour 2, nobody employed, zero-employment');
$r = patch($w2->{id}, 1, { employment_status => 'employed_local' });
is($r->{status}, 200, 'one of them finds local work');
is_deeply(rollup($h1), [2, 1, 0], 'employed 1: no longer zero-employment');
$r = patch($w2->{id}, 2, { employment_status => 'not_seeking' });
is_deeply(rollup($h1), [1, 0, 1], 'stops seeking: labour 1, employed 0, zero-employment again');
$r = patch($w->{id}, 7, { household_id => $hb, employment_status => 'employed_outside_province' });
is($r->{status}, 200, 'a worker moves to another household, employed');
is_deeply([@{ $r->{json} }{qw(household_id site_id)}], [$hb, $s1], 'the household changes');
is_deeply(rollup($h1), [0, 0, 0], 'the first household has no labour left');
is_deeply(rollup($hb), [1, 1, 0], 'the second counts the employed worker');
$r = patch($w->{id}, 8, { archived => JSON::PP::true });
is($r->{json}{archived}, JSON::PP::true, 'a worker is archived');
is_deeply(rollup($hb), [0, 0, 0], 'and no longer counts');
$r = patch($w->{id}, 9, { archived => JSON::PP::false, employment_status => 'seeking' });
is_deeply(rollup($hb), [1, 0, 1], 'restored and seeking: counted again');
is(call('DELETE', "/v1/workers/$w->{id}")->{status}, 405, 'workers are never deleted');

# --- a worker with a current placement stays employed until it ends
my $employer = psql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 物流', "
                          . "'WK' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', 530624) RETURNING id");
my $vacancy = psql_value("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, headcount, "
                         . "wage_min, wage_max, status) VALUES ($employer, '$tag 搬运工', '6-29-01-01', 'regular', 530624, "
                         . "28.0, 103.9, 3, 3000, 5000, 'open') RETURNING id");
my $app = call('POST', '/v1/applications', body => { worker_id => $w16 + 0, vacancy_id => $vacancy + 0, source => 'staff' })->{json}{id};
call('POST', "/v1/applications/$app/transitions", body => { to => $_ }) for qw(shortlisted offered);
$r = call('POST', "/v1/applications/$app/transitions", body => { to => 'hired', start_date => cn_date(0), wage => 3800 });
is($r->{status}, 200, 'the sixteen-year-old is hired');
my $pw = get_worker($w16);
is($pw->{employment_status}, 'employed_local', 'and employed');
is_deeply([@{ $pw->{placement} }{qw(vacancy_id vacancy_title employer_name start_date wage wage_period location_scope)}],
          [$vacancy, "$tag 搬运工", "$tag 物流", cn_date(0), 3800, 'month', 'local'], 'the read shows the current placement');
$r = patch($w16, $pw->{version}, { employment_status => 'not_seeking' });
is_deeply(field_errors($r), { employment_status => 'not_allowed' }, 'it cannot be set not seeking while placed');
$r = patch($w16, $pw->{version}, { archived => JSON::PP::true });
is_deeply(field_errors($r), { archived => 'not_allowed' }, 'nor archived');
$r = patch($w16, $pw->{version}, { employment_status => 'employed_outside_county', wage_floor => 3000 });
is($r->{status}, 200, 'other changes are made');

# --- Idempotency-Key: 20 concurrent retries make one worker
my $key = "idem-$tag";
my $idem_body = { household_id => $h2, name => "$tag 幂等", id_number => next_id(), consent_brokers => JSON::PP::true,
                  consent_method => 'in_person', skills => [{ skill_id => 26, level => 2 }] };
my @pids;
for my $i (1 .. 20) {
    my $pid = fork() // die "fork: $!";
    if (!$pid) {
        my $res = http($srv, 'POST', '/v1/workers', body => $idem_body, headers => { 'Idempotency-Key' => $key });
        POSIX::_exit($res->{status} == 201 && $res->{json}{id} ? 0 : 1);
    }
    push @pids, $pid;
}
my $ok = 0;
for (@pids) { waitpid($_, 0); $ok++ if $? == 0 }
is($ok, 20, 'twenty concurrent retries all get 201');
is(psql_value("SELECT count(*) FROM worker WHERE name = '$tag 幂等'"), 1, 'and exactly one worker exists');
my $idem_id = psql_value("SELECT id FROM worker WHERE name = '$tag 幂等'");
is(psql_value("SELECT count(*) || '/' || (SELECT count(*) FROM worker_consent_event WHERE worker_id = $idem_id) "
            . "FROM worker_skill WHERE worker_id = $idem_id"), '1/1', 'with one skill and one consent event');
$r = create($idem_body, { 'Idempotency-Key' => $key });
is($r->{status}, 201, 'a later retry answers 201');
is($r->{headers}{'idempotent-replayed'}, 'true', 'marked as a replay');
is($r->{json}{id}, $idem_id, 'with the first worker');
$r = create({ %$idem_body, name => "$tag 幂等二" }, { 'Idempotency-Key' => $key });
is_deeply(field_errors($r), { 'Idempotency-Key' => 'idempotency_mismatch' }, 'the same key with a different body is refused');

# --- list: filters and paging to the end
# households: h1 (site 1, none left), hb (site 1), hm (site 2, monitored), hy (Yongshan)
is(call('PATCH', "/v1/households/$hm", body => { monitoring_status => 'marginal', monitoring_found_by => 'cadre_visit',
                                                 monitoring_found_on => '2024-06-01' }, headers => { 'If-Match' => '"1"' })->{status},
   200, 'a monitored household');
my $L = "${tag}L";
my %spec = (
    '05' => [$hm, 'seeking', [[13, 2]], [], { consent_employers => JSON::PP::true }],
    '02' => [$h1, 'employed_local', [[2, 1]], []],
    '08' => [$hy, 'employed_outside_province', [], [], { consent_employers => JSON::PP::true, consent_brokers => JSON::PP::true }],
    '01' => [$h1, 'seeking', [[2, 3]], [], { consent_brokers => JSON::PP::true }],
    '04' => [$hb, 'not_seeking', [], [[11, '2020-01-01', '2021-01-01']]],
    '07' => [$hy, 'seeking', [], []],
    '03' => [$hb, 'seeking', [[13, 4]], [[11, '2024-01-01', '2099-01-01']]],
    '06' => [$hm, 'in_training', [], []],
    '09' => [$h1, 'seeking', [], []],
);
my (%lid, @created);
for my $n (qw(05 02 08 01 04 07 03 06 09)) {
    my ($hh, $st, $sk, $certs, $extra) = @{ $spec{$n} };
    $r = create({ household_id => $hh, name => "$L$n", id_number => next_id(), employment_status => $st,
                  skills => [map { +{ skill_id => $_->[0], level => $_->[1] } } @$sk],
                  certificates => [map { +{ certificate_type_id => $_->[0], issued_on => $_->[1], expires_on => $_->[2] } } @$certs],
                  %{ $extra || {} }, ($extra ? (consent_method => 'paper_form') : ()) });
    die "cannot create $L$n: $r->{status} " . $JSON->encode($r->{json}) . "\n" unless $r->{status} == 201;
    $lid{$n} = $r->{json}{id};
    push @created, $n;
}
is(patch($lid{'09'}, 1, { archived => JSON::PP::true })->{status}, 200, 'one of them archived');

sub all_pages {
    my ($query) = @_;
    my (@items, $cursor, $pages);
    do {
        my $res = call('GET', "/v1/workers?$query" . ($cursor ? "&cursor=$cursor" : ''));
        die "list $query: $res->{status}\n" unless $res->{status} == 200;
        push @items, @{ $res->{json}{items} };
        $cursor = $res->{json}{next_cursor};
        $pages++;
    } while ($cursor && $pages < 500);
    return (\@items, $pages);
}
sub names_of { my ($q) = @_; my ($it) = all_pages($q); return [map { substr($_->{name}, length $L) } @$it] }
my ($items, $pages) = all_pages("q=$L&sort=name&limit=3");
is_deeply([map { $_->{name} } @$items], [map { "$L$_" } qw(01 02 03 04 05 06 07 08)],
          'q and sort=name, paged by three to the end: every worker once, in name order, the archived one left out');
is($pages, 3, 'in three pages');
ok(!grep({ !exists $_->{id_number_masked} || !exists $_->{skills} || exists $_->{consent_events} } @$items),
   'list items carry the mask and skills, not the history');
($items, $pages) = all_pages("q=$L&limit=2");
is_deeply([map { $_->{id} } @$items], [map { $lid{$_} } grep { $_ ne '09' } @created], 'sort=id: in the order made');
is($pages, 4, 'in four pages of two');
is_deeply(names_of("q=$L&household_id=$h1"), [qw(02 01)], 'household_id');
is_deeply(names_of("q=$L&site_id=$s1&sort=name"), [qw(01 02 03 04)], 'site_id');
is_deeply(names_of("q=$L&county_code=530625"), [qw(08 07)], 'county_code (the site\'s county)');
is_deeply(names_of("q=$L&county_code=530624&sort=name"), [qw(01 02 03 04 05 06)], 'county_code, another county');
is_deeply(names_of("q=$L&employment_status=seeking&sort=name"), [qw(01 03 05 07)], 'employment_status');
is_deeply(names_of("q=$L&skill_id=2&sort=name"), [qw(01 02)], 'skill_id');
is_deeply(names_of("q=$L&skill_id=2&min_level=2"), [qw(01)], 'skill_id with min_level');
is_deeply(names_of("q=$L&skill_id=13&min_level=3"), [qw(03)], 'another skill at level 3 or above');
is_deeply(names_of("q=$L&min_level=3&sort=name"), [qw(01 03)], 'min_level alone: some skill at that level');
is_deeply(names_of("q=$L&certificate_type_id=11"), [qw(03)], 'certificate_type_id: valid today only');
is_deeply(names_of("q=$L&consent_brokers=true&sort=name"), [qw(01 08)], 'consent_brokers');
is_deeply(names_of("q=$L&consent_employers=true&sort=name"), [qw(05 08)], 'consent_employers');
is_deeply(names_of("q=$L&consent_employers=false&consent_brokers=false&sort=name"), [qw(02 03 04 06 07)], 'both consents refused');
is_deeply(names_of("q=$L&zero_employment=true&sort=name"), [qw(03 04 05 06)], 'zero_employment of the household');
is_deeply(names_of("q=$L&zero_employment=false&sort=name"), [qw(01 02 07 08)], 'zero_employment=false');
is_deeply(names_of("q=$L&monitoring_status=marginal&sort=name"), [qw(05 06)], 'monitoring_status of the household');
is_deeply(names_of("q=$L&archived=true"), [qw(09)], 'archived=true');
is_deeply(names_of("q=${L}0&county_code=530625&employment_status=seeking"), [qw(07)], 'filters combine');
is_deeply(names_of("q=%25"), [], 'q is a prefix, wildcards taken literally');

# the ID number lookup: through the blind index, archived or not
my $n09 = $numbers[-1];
is_deeply([map { $_->{id} } @{ call('GET', "/v1/workers?id_number=$n09")->{json}{items} }], [$lid{'09'}],
          'id_number finds the archived worker');
$r = call('GET', "/v1/workers?id_number=" . lc($idf));
is_deeply([map { $_->{id} } @{ $r->{json}{items} }], [$w2->{id}], 'in lower case too');
ok(exists $r->{json}{next_cursor} && !defined $r->{json}{next_cursor}, 'as a list of one');
is_deeply(call('GET', '/v1/workers?id_number=' . next_id())->{json}{items}, [], 'an unregistered number finds nobody');

# bad queries
for my $q (['colour=red', 'colour', 'unknown_field'], ['employment_status=retired', 'employment_status', 'unknown_value'],
           ['min_level=6', 'min_level', 'out_of_range'], ['consent_brokers=yes', 'consent_brokers', 'invalid_format'],
           ['skill_id=x', 'skill_id', 'invalid'], ['county_code=5306', 'county_code', 'invalid_format'],
           ['monitoring_status=rich', 'monitoring_status', 'unknown_value'], ['sort=age', 'sort', 'unknown_value'],
           ['limit=201', 'limit', 'out_of_range'], ['cursor=!!', 'cursor', 'invalid_format'],
           ["id_number=$bad_check", 'id_number', 'check_digit'], ['id_number=1234', 'id_number', 'invalid_format'],
           ["id_number=$id1b&site_id=$s1", 'site_id', 'not_allowed'], ["archived=true&id_number=$id1b", 'archived', 'not_allowed']) {
    $r = call('GET', "/v1/workers?$q->[0]");
    is($r->{status}, 400, "$q->[0] is refused");
    is_deeply(field_errors($r), { $q->[1] => $q->[2] }, "$q->[0]: names the parameter");
}

# --- CSV export of the whole filtered list
$r = call('GET', "/v1/workers?q=$L&format=csv&limit=1");
is($r->{status}, 200, 'CSV export');
like($r->{headers}{'content-type'}, qr{^text/csv}, 'as text/csv');
my @lines = grep { length } split /\r\n/, $r->{content};
is(scalar @lines, 1 + 8, 'a header and every matching row, whatever the page size');
like($lines[0], qr/\bid_number_masked\b/, 'the header has the masked ID number');
unlike($lines[0], qr/(^|,)(id_number|phone)(,|$)/, 'and no full ID number or phone column');

# --- scope: county staff of Yongshan
{
    local $ENV{LEYE_DATABASE_URL} = dsn();
    local $ENV{PW} = 'workers-test-password';
    system("$ENV{LEYE_SERVER_BIN} admin create-user --username=$tag.ys --role=county_staff --counties=530625 --password-env=PW >/dev/null") == 0
        or die "cannot create a county user\n";
}
my $ys = login($srv, "$tag.ys", 'workers-test-password');
ok($ys, 'a Yongshan county user');
is(call('GET', "/v1/workers/$lid{'07'}", token => $ys)->{status}, 200, 'reads a worker of their county');
is(call('GET', "/v1/workers/$lid{'01'}", token => $ys)->{status}, 404, 'one of another county is 404');
$r = call('GET', "/v1/workers?q=$L&sort=name", token => $ys);
is_deeply([map { substr($_->{name}, length $L) } @{ $r->{json}{items} }], [qw(07 08)], 'lists show their county only');
is_deeply(call('GET', "/v1/workers?id_number=$id1b", token => $ys)->{json}{items}, [], 'the ID lookup too');
$before = psql_value($state_sql);
$r = call('POST', '/v1/workers', token => $ys, body => { household_id => $h2, name => "$tag 越界", id_number => next_id() });
is_deeply(field_errors($r), { household_id => 'not_found' }, 'a household outside their county cannot be used');
$r = call('PATCH', "/v1/workers/$lid{'01'}", token => $ys, body => { wage_floor => 1 }, headers => { 'If-Match' => '"1"' });
is($r->{status}, 404, 'a worker outside their county cannot be changed');
$r = call('PATCH', "/v1/workers/$lid{'07'}", token => $ys, body => { household_id => $h1 }, headers => { 'If-Match' => '"1"' });
is_deeply(field_errors($r), { household_id => 'not_found' }, 'nor can one of theirs be moved out of their county');
is(psql_value($state_sql), $before, 'none of that changed anything');
$r = call('POST', '/v1/workers', token => $ys, body => { household_id => $hy, name => "$tag 永善人", id_number => next_id() });
is($r->{status}, 201, 'they register a worker in their county');
$r = call('PATCH', "/v1/workers/$r->{json}{id}", token => $ys, body => { consent_brokers => JSON::PP::true, consent_method => 'in_person' },
          headers => { 'If-Match' => '"1"' });
is($r->{json}{consent_events}[0]{recorded_by}, "$tag.ys", 'their consent record names them');

# --- the full ID number never leaves the server but through a reveal
my $leaks = 0;
for my $b (@bodies) { for my $n (@numbers) { $leaks++ if index(uc $b, $n) >= 0 } }
is($leaks, 0, scalar(@bodies) . ' answers searched: no full ID number in any');
$r = call('POST', "/v1/workers/$w2->{id}/reveal");
is($r->{json}{id_number}, $idf, 'the reveal gives the number that was registered');
my $log = $srv->log_text;
ok(!grep({ index($log, $_) >= 0 } @numbers), 'the server log holds none of the numbers');
for my $table (qw(worker worker_consent_event idempotency_key audit_log)) {
    my $like = join(' OR ', map { "t::text LIKE '%$_%'" } @numbers);
    is(psql_value("SELECT count(*) FROM $table t WHERE $like"), 0, "no ID number in plaintext in $table");
}

done_testing();
