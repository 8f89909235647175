# Employers: create, read, update, list; the credit code (GB 32100 check
# character, unique), county and partner-province references, the masked
# contact phone, the counts of open vacancies, If-Match, Idempotency-Key,
# keyset paging in both sort orders, and county staff's scope.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;
use Encode qw(decode_utf8);

my $srv = start_server();
my $tag = 'E' . $$ . int(rand(1e6));

sub field_errors { my ($r) = @_; return { map { $_->{field} => $_->{code} } @{ $r->{json}{errors} || [] } } }
sub items { my ($r) = @_; return @{ $r->{json}{items} || [] } }

# Unified social credit codes (GB 32100): 17 characters and a check character.
my @alphabet = split //, '0123456789ABCDEFGHJKLMNPQRTUWXY';
my %value; @value{@alphabet} = 0 .. 30;
my @weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28);
sub check_char {
    my ($body) = @_;
    my $sum = 0;
    $sum += $value{ substr($body, $_, 1) } * $weights[$_] for 0 .. 16;
    return $alphabet[(31 - $sum % 31) % 31];
}
my %issued;
sub credit_code {
    my $body;
    do { $body = '91530621' . join('', map { $alphabet[int rand 31] } 1 .. 9) } while $issued{$body}++;
    return $body . check_char($body);
}

my $mine = "SELECT count(*) FROM employer WHERE name LIKE '$tag%'";

# --- create
my $code = credit_code();
my $r = http($srv, 'POST', '/v1/employers', body => {
    name => "$tag 鲁甸帮扶车间", credit_code => lc $code, kind => 'assistance_workshop', county_code => 530621,
    partner_province_code => 330000, contact_name => '李明', contact_phone => '138 1234 5678', address => '卯家湾安置区' });
is($r->{status}, 201, 'an employer is created');
my $emp = $r->{json};
like($r->{headers}{location}, qr{^/v1/employers/$emp->{id}$}, 'with Location');
is($r->{headers}{etag}, '"1"', 'and an ETag');
is($emp->{credit_code}, $code, 'the credit code is kept upper-case');
is($emp->{county_name}, '鲁甸县', 'the county is named');
is($emp->{partner_province_name}, '浙江省', 'so is the partner province');
is($emp->{contact_phone_masked}, '138****5678', 'the contact phone is answered masked');
ok(!exists $emp->{contact_phone}, 'and never in full');
unlike($r->{content}, qr/13812345678/, 'anywhere in the answer');
is(psql_value("SELECT contact_phone FROM employer WHERE id = $emp->{id}"), '13812345678', 'the full number is stored');
is_deeply([@$emp{qw(open_vacancies open_places archived kind contact_name address)}],
          [0, 0, JSON::PP::false, 'assistance_workshop', '李明', '卯家湾安置区'], 'with the rest of its fields');

$r = http($srv, 'POST', '/v1/employers', body => { name => "$tag 昭通建工", credit_code => credit_code(), kind => 'enterprise',
                                                    county_code => 530602, contact_phone => '0870-2123456' });
is($r->{status}, 201, 'an employer with only the required fields and a fixed line');
my $emp2 = $r->{json};
is_deeply([@$emp2{qw(contact_phone_masked partner_province_code partner_province_name contact_name address)}],
          ['0870-***3456', undef, undef, '', ''], 'masked fixed line, no partner province, empty contact');

# --- every validation rule refused, nothing written
my $before = psql_value($mine);
my $bad_check = substr($code, 0, 17) . $alphabet[($value{ substr($code, 17, 1) } + 1) % 31];
$r = http($srv, 'POST', '/v1/employers', body => { name => "$tag x", credit_code => $bad_check, kind => 'enterprise', county_code => 530621 });
is($r->{status}, 422, 'a wrong check character: 422');
is_deeply(field_errors($r), { credit_code => 'check_digit' }, 'credit_code check_digit');
my $with_i = '91530621MA6KI' . '0000';
$r = http($srv, 'POST', '/v1/employers', body => { name => "$tag x", credit_code => $with_i . check_char('91530621MA6KH0000'), kind => 'enterprise', county_code => 530621 });
is_deeply(field_errors($r), { credit_code => 'invalid_characters' }, 'the letter I is not used in credit codes');
$r = http($srv, 'POST', '/v1/employers', body => { name => "$tag x", credit_code => 'O' . substr(credit_code(), 1), kind => 'enterprise', county_code => 530621 });
is_deeply(field_errors($r), { credit_code => 'invalid_characters' }, 'nor the letter O');
$r = http($srv, 'POST', '/v1/employers', body => { name => "$tag x", credit_code => '9153062112345', kind => 'enterprise', county_code => 530621 });
is_deeply(field_errors($r), { credit_code => 'invalid_format' }, 'a short credit code');
$r = http($srv, 'POST', '/v1/employers', body => { name => "$tag x", credit_code => credit_code(), kind => 'enterprise', county_code => 530600 });
is($r->{status}, 422, 'a prefecture is not a county: 422');
is_deeply(field_errors($r), { county_code => 'not_found' }, 'county_code not_found');
$r = http($srv, 'POST', '/v1/employers', body => { name => "$tag x", credit_code => credit_code(), kind => 'enterprise', county_code => 110101 });
is_deeply(field_errors($r), { county_code => 'not_found' }, 'a county outside Yunnan is unknown');
$r = http($srv, 'POST', '/v1/employers', body => { name => "$tag x", credit_code => credit_code(), kind => 'enterprise', county_code => 530621,
                                                    partner_province_code => 320500 });
is_deeply(field_errors($r), { partner_province_code => 'not_found' }, 'an unknown partner province');
$r = http($srv, 'POST', '/v1/employers', body => { name => "$tag x", credit_code => credit_code(), kind => 'enterprise', county_code => 530621,
                                                    partner_province_code => 990000 });
is_deeply(field_errors($r), { partner_province_code => 'invalid_format' }, 'a province code out of range');
$r = http($srv, 'POST', '/v1/employers', body => { name => '', credit_code => 'x', kind => 'castle', county_code => 'Ludian',
                                                    contact_phone => '12345', address => 'x' x 201, colour => 'red' });
is_deeply(field_errors($r), { name => 'required', credit_code => 'invalid_format', kind => 'unknown_value', county_code => 'invalid_type',
                              contact_phone => 'invalid_format', address => 'too_long', colour => 'unknown_field' },
          'each bad field is named with its reason');
$r = http($srv, 'POST', '/v1/employers', body => { name => "$tag x" });
is_deeply(field_errors($r), { credit_code => 'required', kind => 'required', county_code => 'required' }, 'required fields');
$r = http($srv, 'POST', '/v1/employers', body => { name => "$tag dup", credit_code => lc $code, kind => 'enterprise', county_code => 530602 });
is($r->{status}, 409, 'a credit code already used: 409');
is($r->{json}{code}, 'conflict', 'conflict');
is_deeply(field_errors($r), { credit_code => 'duplicate' }, 'credit_code duplicate');
is(psql_value($mine), $before, 'none of the bad requests wrote anything');

# --- read
$r = http($srv, 'GET', "/v1/employers/$emp->{id}");
is($r->{status}, 200, 'read');
is_deeply($r->{json}, $emp, 'the same as created');
is($r->{headers}{etag}, '"1"', 'with its ETag');
is(http($srv, 'GET', '/v1/employers/999999999')->{status}, 404, 'an unknown employer: 404');
is(http($srv, 'GET', '/v1/employers/x1')->{status}, 404, 'a malformed id: 404');

# --- counts of open vacancies
sub vacancy {
    my ($status, $headcount, $filled, $archived) = @_;
    psql("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, headcount, filled,
                               wage_min, wage_max, status, archived)
          VALUES ($emp->{id}, '$tag v', '6-29-01-01', 'regular', 530621, 27.19, 103.55, $headcount, $filled,
                  3000, 4000, '$status', $archived)");
}
vacancy('open', 10, 3, 'false');
vacancy('open', 5, 0, 'false');
vacancy('draft', 7, 0, 'false');
vacancy('closed', 4, 1, 'false');
vacancy('open', 9, 0, 'true');
$r = http($srv, 'GET', "/v1/employers/$emp->{id}");
is($r->{json}{open_vacancies}, 2, 'open vacancies counts the open, unarchived ones');
is($r->{json}{open_places}, 12, 'open places counts their free places');

# --- update with If-Match
$r = http($srv, 'PATCH', "/v1/employers/$emp->{id}", body => { address => '新址' });
is($r->{status}, 428, 'an update without If-Match: 428');
$r = http($srv, 'PATCH', "/v1/employers/$emp->{id}", body => { address => '新址', contact_phone => undef, partner_province_code => 310000 },
          headers => { 'If-Match' => '"1"' });
is($r->{status}, 200, 'an update with the current ETag');
is_deeply([@{ $r->{json} }{qw(address contact_phone_masked partner_province_name version)}], ['新址', undef, '上海市', 2], 'makes the changes');
is($r->{headers}{etag}, '"2"', 'and moves the ETag on');
$r = http($srv, 'PATCH', "/v1/employers/$emp->{id}", body => { address => 'stale' }, headers => { 'If-Match' => '"1"' });
is($r->{status}, 412, 'a stale ETag: 412');
is(decode_utf8(psql_value("SELECT address FROM employer WHERE id = $emp->{id}")), '新址', 'and changes nothing');
$r = http($srv, 'PATCH', "/v1/employers/$emp->{id}", body => { credit_code => $emp2->{credit_code} }, headers => { 'If-Match' => '"2"' });
is($r->{status}, 409, "taking another employer's credit code: 409");
is_deeply(field_errors($r), { credit_code => 'duplicate' }, 'credit_code duplicate');
$r = http($srv, 'PATCH', "/v1/employers/$emp->{id}", body => { credit_code => $bad_check }, headers => { 'If-Match' => '"2"' });
is_deeply(field_errors($r), { credit_code => 'check_digit' }, 'a wrong check character');
$r = http($srv, 'PATCH', "/v1/employers/$emp->{id}", body => { county_code => 530600 }, headers => { 'If-Match' => '"2"' });
is_deeply(field_errors($r), { county_code => 'not_found' }, 'a prefecture');
$r = http($srv, 'PATCH', "/v1/employers/$emp->{id}", body => { partner_province_code => 530100 }, headers => { 'If-Match' => '"2"' });
is_deeply(field_errors($r), { partner_province_code => 'not_found' }, 'an unknown province');
$r = http($srv, 'PATCH', "/v1/employers/$emp->{id}", body => { name => undef }, headers => { 'If-Match' => '"2"' });
is_deeply(field_errors($r), { name => 'required' }, 'the name cannot be removed');
$r = http($srv, 'PATCH', "/v1/employers/$emp->{id}", body => { open_vacancies => 9 }, headers => { 'If-Match' => '"2"' });
is_deeply(field_errors($r), { open_vacancies => 'unknown_field' }, 'counts cannot be set');
$r = http($srv, 'PATCH', "/v1/employers/$emp->{id}", body => {}, headers => { 'If-Match' => '"2"' });
is($r->{status}, 422, 'an empty update: 422');
is(psql_value("SELECT credit_code || '/' || county_code || '/' || partner_province_code || '/' || version FROM employer WHERE id = $emp->{id}"),
   "$code/530621/310000/2", 'none of the refused updates changed anything');
my $code3 = credit_code();
$r = http($srv, 'PATCH', "/v1/employers/$emp->{id}", body => { credit_code => $code3, county_code => 530602, kind => 'enterprise' },
          headers => { 'If-Match' => '"2"' });
is_deeply([$r->{status}, @{ $r->{json} }{qw(credit_code county_name kind)}], [200, $code3, '昭阳区', 'enterprise'], 'a corrected credit code and a move');
is(http($srv, 'PATCH', '/v1/employers/999999999', body => { address => 'x' }, headers => { 'If-Match' => '"1"' })->{status}, 404,
   'updating an unknown employer: 404');

# --- Idempotency-Key
my $key = "idem-$tag";
my $body = { name => "$tag 幂等合作社", credit_code => credit_code(), kind => 'cooperative', county_code => 530621 };
$r = http($srv, 'POST', '/v1/employers', body => $body, headers => { 'Idempotency-Key' => $key });
is($r->{status}, 201, 'created with a key');
my $again = http($srv, 'POST', '/v1/employers', body => $body, headers => { 'Idempotency-Key' => $key });
is_deeply([$again->{status}, $again->{json}{id}, $again->{headers}{'idempotent-replayed'}], [201, $r->{json}{id}, 'true'],
          'the retry gets the first answer, marked as a replay');
is(psql_value("SELECT count(*) FROM employer WHERE name = '$tag 幂等合作社'"), 1, 'one row');
$r = http($srv, 'POST', '/v1/employers', body => { %$body, kind => 'enterprise' }, headers => { 'Idempotency-Key' => $key });
is_deeply([$r->{status}, field_errors($r)], [422, { 'Idempotency-Key' => 'idempotency_mismatch' }], 'the key with another body is refused');

# --- list: filters, both sorts, paging to the end
my @kinds = qw(enterprise cooperative public_body labor_service_company);
for my $i (1 .. 7) {
    my $res = http($srv, 'POST', '/v1/employers', body => {
        name => sprintf('%s p%02d', $tag, 8 - $i), credit_code => credit_code(), kind => $kinds[$i % 4],
        county_code => $i % 2 ? 530621 : 530602, ($i % 3 ? () : (partner_province_code => 440000)) });
    die "create: $res->{status} $res->{content}\n" unless $res->{status} == 201;
}
my $all_live = psql_value("SELECT count(*) FROM employer WHERE name LIKE '$tag%' AND NOT archived");
for my $sort ('name', 'id') {
    my (@rows, $cursor, $pages);
    do {
        $r = http($srv, 'GET', "/v1/employers?q=$tag&sort=$sort&limit=3" . ($cursor ? "&cursor=$cursor" : ''));
        is($r->{status}, 200, "a page sorted by $sort") if !$pages;
        push @rows, items($r);
        $cursor = $r->{json}{next_cursor};
        $pages++;
    } while ($cursor && $pages < 20);
    is(scalar @rows, $all_live, "paging by $sort to the end returns every row");
    my %seen; $seen{ $_->{id} }++ for @rows;
    is(scalar keys %seen, $all_live, 'each once');
    my @keys = map { $_->{$sort} } @rows;
    is_deeply(\@keys, [$sort eq 'id' ? sort { $a <=> $b } @keys : sort @keys], "in $sort order");
    is($pages, int(($all_live + 2) / 3), "in pages of three ($pages)");
}
$r = http($srv, 'GET', "/v1/employers?q=$tag&county_code=530602&limit=200");
is_deeply([sort map { $_->{id} } items($r)],
          [sort split /\n/, psql("SELECT id FROM employer WHERE name LIKE '$tag%' AND county_code = 530602 AND NOT archived")], 'county filter');
ok(scalar(items($r)) >= 3, 'which finds several');
$r = http($srv, 'GET', "/v1/employers?q=$tag&kind=cooperative");
is_deeply([sort map { $_->{id} } items($r)],
          [sort split /\n/, psql("SELECT id FROM employer WHERE name LIKE '$tag%' AND kind = 'cooperative' AND NOT archived")], 'kind filter');
$r = http($srv, 'GET', "/v1/employers?q=$tag&partner_province_code=440000");
is(scalar(items($r)), 2, 'partner province filter');
ok(!(grep { $_->{partner_province_name} ne '广东省' } items($r)), 'only employers partnered with Guangdong');

$r = http($srv, 'PATCH', "/v1/employers/$emp2->{id}", body => { archived => JSON::PP::true }, headers => { 'If-Match' => '"1"' });
is($r->{json}{archived}, JSON::PP::true, 'an employer is archived');
$r = http($srv, 'GET', "/v1/employers?q=$tag&archived=true");
is_deeply([map { $_->{id} } items($r)], [$emp2->{id}], 'archived filter');
$r = http($srv, 'GET', "/v1/employers?q=$tag&limit=200");
ok(!(grep { $_->{id} == $emp2->{id} } items($r)), 'archived employers are left out by default');
is(http($srv, 'DELETE', "/v1/employers/$emp2->{id}")->{status}, 405, 'employers are never deleted');

$r = http($srv, 'GET', '/v1/employers?colour=red');
is_deeply([$r->{status}, field_errors($r)], [400, { colour => 'unknown_field' }], 'an unknown filter is refused');
is(http($srv, 'GET', '/v1/employers?kind=castle')->{status}, 400, 'an unknown kind is refused');
is(http($srv, 'GET', '/v1/employers?partner_province_code=abc')->{status}, 400, 'a malformed province code is refused');
is(http($srv, 'GET', '/v1/employers?sort=credit_code')->{status}, 400, 'an unknown sort is refused');
is(http($srv, 'GET', '/v1/employers?cursor=%21%21')->{status}, 400, 'a forged cursor is refused');

# --- CSV export
$r = http($srv, 'GET', "/v1/employers?q=$tag&format=csv&sort=name");
is($r->{status}, 200, 'CSV export');
like($r->{headers}{'content-type'}, qr{^text/csv}, 'as text/csv');
my @lines = grep { length } split /\r\n/, $r->{content};
is(scalar @lines, 1 + $all_live - 1, 'a header and every live row');
like($lines[0], qr/\bcontact_phone_masked\b/, 'with the masked phone column');
unlike($lines[0], qr/\bcontact_phone\b(?!_)/, 'and no full phone column');

# --- county staff's scope
{
    local $ENV{LEYE_DATABASE_URL} = dsn();
    local $ENV{PW} = 'employer-test-password';
    system("$ENV{LEYE_SERVER_BIN} admin create-user --username=\L$tag\E.c --role=county_staff --counties=530621 --password-env=PW >/dev/null") == 0
        or die "create-user failed\n";
}
my $ludian = login($srv, lc("$tag") . ".c", 'employer-test-password');
$r = http($srv, 'GET', "/v1/employers?q=$tag&limit=200", token => $ludian);
ok(scalar(items($r)) > 0 && !(grep { $_->{county_code} != 530621 } items($r)), 'county staff list only their county');
is(http($srv, 'GET', "/v1/employers/$emp->{id}", token => $ludian)->{status}, 404, 'an employer in another county is 404 to them');
$before = psql_value($mine);
$r = http($srv, 'POST', '/v1/employers', token => $ludian,
          body => { name => "$tag 越界", credit_code => credit_code(), kind => 'enterprise', county_code => 530602 });
is_deeply([$r->{status}, field_errors($r)], [403, { '' => 'outside_scope' }], 'creating one in another county is refused');
$r = http($srv, 'POST', '/v1/employers', token => $ludian,
          body => { name => "$tag 重码", credit_code => $code3, kind => 'enterprise', county_code => 530621 });
is_deeply([$r->{status}, field_errors($r)], [409, { credit_code => 'duplicate' }], 'credit codes are unique across counties too');
is(psql_value($mine), $before, 'neither wrote anything');

done_testing();
