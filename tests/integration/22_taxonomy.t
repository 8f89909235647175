# Reference taxonomies: skill levels, provinces, occupations (filters, keyset
# paging by code, the parent chain), skills and certificate types (whole
# lists, staff extending them: ids given by the server, unique codes,
# existing parents without cycles, If-Match, Idempotency-Key).
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;

my $srv = start_server();
my $tag = 't' . $$ . int(rand(1e6));

sub field_errors { my ($r) = @_; return { map { $_->{field} => $_->{code} } @{ $r->{json}{errors} || [] } } }
sub items { my ($r) = @_; return @{ $r->{json}{items} || [] } }

# Follows next_cursor from path to the end; returns the items and the number of pages.
sub all_pages {
    my ($path) = @_;
    my (@all, $cursor, $pages);
    do {
        my $r = http($srv, 'GET', $path . ($cursor ? "&cursor=$cursor" : ''));
        die "GET $path: $r->{status}\n" unless $r->{status} == 200;
        push @all, items($r);
        $cursor = $r->{json}{next_cursor};
        $pages++;
    } while ($cursor && $pages < 100);
    return (\@all, $pages);
}

# --- skill levels: the ladder, and which five ranks workers' levels 1..5 are
my $r = http($srv, 'GET', '/v1/skill-levels');
is($r->{status}, 200, 'skill levels');
is_deeply([map { $_->{rank} } items($r)], [1 .. 8], 'eight ranks in order');
is_deeply([map { [$_->{worker_level}, $_->{rank}, $_->{name}, $_->{national_level}] } grep { defined $_->{worker_level} } items($r)],
          [[1, 2, '初级工', '五级'], [2, 3, '中级工', '四级'], [3, 4, '高级工', '三级'], [4, 5, '技师', '二级'], [5, 6, '高级技师', '一级']],
          'worker levels 1..5 are ranks 2..6 (初级工/五级 … 高级技师/一级)');
is_deeply([map { $_->{name} } grep { !defined $_->{worker_level} } items($r)], ['学徒工', '特级技师', '首席技师'],
          'the other ranks have no worker level');
is((items($r))[0]{name_en}, 'apprentice', 'with English names');
$r = http($srv, 'GET', '/v1/skill-levels?rank=2');
is($r->{status}, 400, 'skill levels take no filter');
is_deeply(field_errors($r), { rank => 'unknown_field' }, 'naming it');

# --- provinces
$r = http($srv, 'GET', '/v1/provinces');
is($r->{status}, 200, 'provinces');
is(scalar(items($r)), psql_value('SELECT count(*) FROM province'), 'every province');
is_deeply((items($r))[0], { code => 110000, name => '北京市', name_en => 'Beijing' }, 'in code order, with names');
ok((grep { $_->{code} == 530000 && $_->{name} eq '云南省' } items($r)), 'Yunnan among them');

# --- occupations
$r = http($srv, 'GET', '/v1/occupations?level=1');
is($r->{status}, 200, 'occupations list');
is_deeply([map { $_->{code} } items($r)], [map { "$_-00-00-00" } 1 .. 8], 'the eight 大类 in code order');
is($r->{json}{next_cursor}, undef, 'on one page');
is_deeply([sort keys %{ (items($r))[0] }], [qw(code digital green level name parent_code)], 'each with its fields');

my $db_codes = sub { [split /\n/, psql("SELECT code FROM occupation WHERE $_[0] ORDER BY code COLLATE \"C\"")] };
my ($all, $pages) = all_pages('/v1/occupations?parent=6-29-00-00&limit=2');
is_deeply([map { $_->{code} } @$all], $db_codes->("parent_code = '6-29-00-00'"), 'paging children of a 中类 to the end, each once, in order');
ok($pages >= 2, "in $pages pages");
($all, $pages) = all_pages('/v1/occupations?level=2&limit=17');
is_deeply([map { $_->{code} } @$all], $db_codes->('level = 2'), 'every 中类 by pages of 17');
($all) = all_pages('/v1/occupations?level=4&digital=true&limit=200');
is_deeply([map { $_->{code} } @$all], $db_codes->('level = 4 AND is_digital'), 'digital filter');
ok(@$all > 0 && !(grep { !$_->{digital} } @$all), 'only digital occupations');
($all) = all_pages('/v1/occupations?green=true&limit=200');
is_deeply([map { $_->{code} } @$all], $db_codes->('is_green'), 'green filter');
($all) = all_pages('/v1/occupations?green=false&level=1&limit=200');
is(scalar @$all, 8, 'green=false');
($all) = all_pages('/v1/occupations?q=zzzz&limit=5');
is(scalar @$all, 0, 'a name nothing contains finds nothing');
($all) = all_pages('/v1/occupations?q=%E7%A0%8C%E7%AD%91&limit=200');   # 砌筑
is_deeply([map { $_->{code} } @$all], $db_codes->("name LIKE '%砌筑%'"), 'name filter');
ok(@$all >= 1, 'which finds 砌筑工');
$r = http($srv, 'GET', '/v1/occupations?q=%25&level=1');
is(scalar(items($r)), 0, 'a % in q is taken literally');

$r = http($srv, 'GET', '/v1/occupations?level=5');
is($r->{status}, 400, 'level 5 is refused');
is_deeply(field_errors($r), { level => 'unknown_value' }, 'naming level');
$r = http($srv, 'GET', '/v1/occupations?parent=6-29');
is_deeply(field_errors($r), { parent => 'invalid_format' }, 'a malformed parent code is refused');
is(http($srv, 'GET', '/v1/occupations?digital=yes')->{status}, 400, 'a bad boolean is refused');
is(http($srv, 'GET', '/v1/occupations?sort=name')->{status}, 400, 'occupations sort by code only');
is(http($srv, 'GET', '/v1/occupations?colour=red')->{status}, 400, 'an unknown filter is refused');
is(http($srv, 'GET', '/v1/occupations?cursor=%21%21')->{status}, 400, 'a forged cursor is refused');

$r = http($srv, 'GET', '/v1/occupations?parent=6-29-01-00&format=csv');
like($r->{headers}{'content-type'}, qr{^text/csv}, 'CSV export');
my @lines = grep { length } split /\r\n/, $r->{content};
is(scalar @lines, 1 + psql_value("SELECT count(*) FROM occupation WHERE parent_code = '6-29-01-00'"), 'a header and every row');

$r = http($srv, 'GET', '/v1/occupations/6-29-01-01');
is($r->{status}, 200, 'one occupation');
is($r->{json}{name}, '砌筑工', 'by code');
is_deeply([map { $_->{code} } @{ $r->{json}{parents} }], ['6-00-00-00', '6-29-00-00', '6-29-01-00'], 'with its parents, 大类 first');
is($r->{json}{parents}[0]{name}, '生产制造及有关人员', 'named');
is($r->{json}{children_count}, 0, 'an occupation has no children');
$r = http($srv, 'GET', '/v1/occupations/6-29-00-00');
is($r->{json}{children_count}, psql_value("SELECT count(*) FROM occupation WHERE parent_code = '6-29-00-00'"), 'a 中类 counts its 小类');
is_deeply($r->{json}{parents}, [{ code => '6-00-00-00', level => 1, name => '生产制造及有关人员' }], 'and has one parent');
is(http($srv, 'GET', '/v1/occupations/6-99-99-99')->{status}, 404, 'an unknown code: 404');
is(http($srv, 'GET', '/v1/occupations/nonsense')->{status}, 404, 'a malformed code: 404');

# --- skills: the whole list
my $skills_before = psql_value('SELECT count(*) FROM skill');
$r = http($srv, 'GET', '/v1/skills');
is($r->{status}, 200, 'skills');
is(scalar(items($r)), $skills_before, 'every skill on one answer');
my ($masonry) = grep { $_->{code} eq 'masonry' } items($r);
is($masonry->{category}, 'construction', 'with its category');
is_deeply($masonry->{parent}, { id => 1, code => 'construction', name_zh => '建筑施工', name_en => 'Construction trades' }, 'and its parent');
is($masonry->{occupation_name}, '砌筑工', 'and its occupation');
$r = http($srv, 'GET', '/v1/skills?category=care');
is_deeply([sort { $a <=> $b } map { $_->{id} } items($r)], [split /\n/, psql("SELECT id FROM skill WHERE category = 'care' ORDER BY id")], 'category filter');
$r = http($srv, 'GET', '/v1/skills?q=weld');
is_deeply([map { $_->{code} } items($r)], ['welding', 'welding_arc', 'welding_gas'], 'q finds codes and English names');
$r = http($srv, 'GET', '/v1/skills?q=%E7%84%8A');   # 焊
is_deeply([map { $_->{code} } items($r)], ['welding', 'welding_arc', 'welding_gas'], 'q finds Chinese names');
$r = http($srv, 'GET', '/v1/skills?level=1');
is($r->{status}, 400, 'an unknown skills filter is refused');
is_deeply(field_errors($r), { level => 'unknown_field' }, 'naming it');
is(http($srv, 'GET', '/v1/skills?q=')->{status}, 400, 'an empty q is refused');

# --- skills: create
my $mine = "SELECT count(*) FROM skill WHERE code LIKE '$tag%'";
my $max_id = psql_value('SELECT max(id) FROM skill');
$r = http($srv, 'POST', '/v1/skills', body => { code => "${tag}_tiles", name_zh => '瓷砖铺贴', name_en => 'Tile laying', parent_id => 1 });
is($r->{status}, 201, 'a skill is created');
my $skill = $r->{json};
ok($skill->{id} > $max_id, 'with an id after the highest');
like($r->{headers}{location}, qr{^/v1/skills/$skill->{id}$}, 'with Location');
is($r->{headers}{etag}, '"1"', 'and an ETag');
is($skill->{category}, 'construction', "the category defaults to the parent's");
is($skill->{parent}{code}, 'construction', 'the parent is named');
$r = http($srv, 'GET', "/v1/skills/$skill->{id}");
is($r->{status}, 200, 'read back');
is_deeply($r->{json}, $skill, 'the same');
is($r->{headers}{etag}, '"1"', 'with its ETag');
is(http($srv, 'GET', '/v1/skills/999999')->{status}, 404, 'an unknown skill: 404');
is(http($srv, 'GET', '/v1/skills/abc')->{status}, 404, 'a malformed id: 404');

$r = http($srv, 'POST', '/v1/skills', body => { code => "${tag}_brick", name_zh => '砌砖', name_en => 'Bricklaying',
                                                category => 'construction', occupation_code => '6-29-01-01' });
is($r->{status}, 201, 'a skill with an occupation');
is($r->{json}{occupation_name}, '砌筑工', 'the occupation is named');
is($r->{json}{parent}, undef, 'no parent');
my $brick = $r->{json};

# ids are given one after another even when many are created at once
my @pids;
for my $i (1 .. 8) {
    my $pid = fork();
    if (!$pid) {
        my $res = http($srv, 'POST', '/v1/skills', body => { code => "${tag}_c$i", name_zh => "并发$i", name_en => "Concurrent $i", category => 'services' });
        exit($res->{status} == 201 ? 0 : 1);
    }
    push @pids, $pid;
}
my $ok = 0;
for (@pids) { waitpid($_, 0); $ok++ if $? == 0 }
is($ok, 8, 'eight concurrent creations all succeed');
is(psql_value("SELECT count(DISTINCT id) FROM skill WHERE code LIKE '${tag}_c%'"), 8, 'with eight distinct ids');

# --- skills: every rule refused, nothing written
my $before = psql_value($mine);
$r = http($srv, 'POST', '/v1/skills', body => { code => 'Bad Code', name_zh => 'x', name_en => 'x', category => 'Bad Cat' });
is($r->{status}, 422, 'malformed code and category: 422');
is_deeply(field_errors($r), { code => 'invalid_format', category => 'invalid_format' }, 'both named');
$r = http($srv, 'POST', '/v1/skills', body => { code => "${tag}_x", colour => 'red' });
is_deeply(field_errors($r), { name_zh => 'required', name_en => 'required', colour => 'unknown_field' }, 'missing names and unknown fields');
$r = http($srv, 'POST', '/v1/skills', body => { code => "${tag}_x", name_zh => '', name_en => 'x', category => 'services' });
is_deeply(field_errors($r), { name_zh => 'required' }, 'an empty name');
$r = http($srv, 'POST', '/v1/skills', body => { code => "${tag}_x", name_zh => 'x', name_en => 'x' });
is($r->{status}, 422, 'no category and no parent: 422');
is_deeply(field_errors($r), { category => 'required' }, 'category required');
$r = http($srv, 'POST', '/v1/skills', body => { code => "${tag}_x", name_zh => 'x', name_en => 'x', parent_id => 999999 });
is_deeply(field_errors($r), { parent_id => 'not_found' }, 'an unknown parent');
$r = http($srv, 'POST', '/v1/skills', body => { code => "${tag}_x", name_zh => 'x', name_en => 'x', parent_id => 0 });
is_deeply(field_errors($r), { parent_id => 'out_of_range' }, 'parent id 0');
$r = http($srv, 'POST', '/v1/skills', body => { code => "${tag}_x", name_zh => 'x', name_en => 'x', category => 'services', occupation_code => '6-29' });
is_deeply(field_errors($r), { occupation_code => 'invalid_format' }, 'a malformed occupation code');
$r = http($srv, 'POST', '/v1/skills', body => { code => "${tag}_x", name_zh => 'x', name_en => 'x', category => 'services', occupation_code => '6-99-99-99' });
is_deeply(field_errors($r), { occupation_code => 'not_found' }, 'an unknown occupation');
$r = http($srv, 'POST', '/v1/skills', body => { code => "${tag}_" . ('x' x 60), name_zh => 'x', name_en => 'x', category => 'services' });
is_deeply(field_errors($r), { code => 'too_long' }, 'a code over 64 characters');
is(psql_value($mine), $before, 'none of the bad creations wrote anything');
my $total = psql_value('SELECT count(*) FROM skill');
$r = http($srv, 'POST', '/v1/skills', body => { code => 'masonry', name_zh => '砌筑', name_en => 'Masonry again', category => 'construction' });
is($r->{status}, 409, 'a code already used: 409');
is($r->{json}{code}, 'conflict', 'conflict');
is_deeply(field_errors($r), { code => 'duplicate' }, 'code duplicate');
is(psql_value('SELECT count(*) FROM skill'), $total, 'and nothing written');

# --- skills: update
$r = http($srv, 'PATCH', "/v1/skills/$skill->{id}", body => { name_en => 'Tiling work' });
is($r->{status}, 428, 'an update without If-Match: 428');
$r = http($srv, 'PATCH', "/v1/skills/$skill->{id}", body => { name_en => 'Tiling work' }, headers => { 'If-Match' => '"1"' });
is($r->{status}, 200, 'an update with the current ETag');
is($r->{json}{name_en}, 'Tiling work', 'changes the skill');
is($r->{headers}{etag}, '"2"', 'and moves the ETag on');
$r = http($srv, 'PATCH', "/v1/skills/$skill->{id}", body => { name_en => 'Stale' }, headers => { 'If-Match' => '"1"' });
is($r->{status}, 412, 'a stale ETag: 412');
is(psql_value("SELECT name_en || '/' || version FROM skill WHERE id = $skill->{id}"), 'Tiling work/2', 'and nothing changes');
$r = http($srv, 'PATCH', "/v1/skills/$skill->{id}", body => { parent_id => $skill->{id} }, headers => { 'If-Match' => '"2"' });
is_deeply(field_errors($r), { parent_id => 'not_allowed' }, 'a skill cannot be its own parent');
my $child = http($srv, 'POST', '/v1/skills', body => { code => "${tag}_tiles.floor", name_zh => '地砖', name_en => 'Floor tiles', parent_id => $skill->{id} })->{json};
is($child->{parent}{id}, $skill->{id}, 'a child skill (dots allowed in codes)');
$r = http($srv, 'PATCH', "/v1/skills/$skill->{id}", body => { parent_id => $child->{id} }, headers => { 'If-Match' => '"2"' });
is($r->{status}, 422, 'a skill cannot hang below its own child');
is_deeply(field_errors($r), { parent_id => 'not_allowed' }, 'parent_id not_allowed');
$r = http($srv, 'PATCH', "/v1/skills/$skill->{id}", body => { code => 'masonry' }, headers => { 'If-Match' => '"2"' });
is($r->{status}, 409, 'renaming to a used code: 409');
$r = http($srv, 'PATCH', "/v1/skills/$skill->{id}", body => { parent_id => 999999 }, headers => { 'If-Match' => '"2"' });
is_deeply(field_errors($r), { parent_id => 'not_found' }, 'an unknown parent');
$r = http($srv, 'PATCH', "/v1/skills/$skill->{id}", body => { name_zh => undef }, headers => { 'If-Match' => '"2"' });
is_deeply(field_errors($r), { name_zh => 'required' }, 'a name cannot be removed');
$r = http($srv, 'PATCH', "/v1/skills/$skill->{id}", body => { id => 5 }, headers => { 'If-Match' => '"2"' });
is_deeply(field_errors($r), { id => 'unknown_field' }, 'the id cannot be set');
$r = http($srv, 'PATCH', "/v1/skills/$skill->{id}", body => {}, headers => { 'If-Match' => '"2"' });
is($r->{status}, 422, 'an empty update: 422');
is(psql_value("SELECT code || '/' || parent_id || '/' || version FROM skill WHERE id = $skill->{id}"), "${tag}_tiles/1/2",
   'none of the refused updates changed the skill');
$r = http($srv, 'PATCH', "/v1/skills/$skill->{id}", body => { parent_id => undef, code => "${tag}_tiling", category => 'services' },
          headers => { 'If-Match' => '"2"' });
is($r->{status}, 200, 'the parent is removed, code and category changed');
is_deeply([@{ $r->{json} }{qw(parent_id parent code category version)}], [undef, undef, "${tag}_tiling", 'services', 3], 'as asked');
is(http($srv, 'PATCH', '/v1/skills/999999', body => { name_en => 'x' }, headers => { 'If-Match' => '"1"' })->{status}, 404,
   'updating an unknown skill: 404');

# --- skills: Idempotency-Key
my $key = "idem-$tag";
my $body = { code => "${tag}_idem", name_zh => '幂等', name_en => 'Idempotent', category => 'services' };
$r = http($srv, 'POST', '/v1/skills', body => $body, headers => { 'Idempotency-Key' => $key });
is($r->{status}, 201, 'created with a key');
my $again = http($srv, 'POST', '/v1/skills', body => $body, headers => { 'Idempotency-Key' => $key });
is($again->{status}, 201, 'the retry gets the first answer');
is($again->{json}{id}, $r->{json}{id}, 'the same skill');
is($again->{headers}{'idempotent-replayed'}, 'true', 'marked as a replay');
is(psql_value("SELECT count(*) FROM skill WHERE code = '${tag}_idem'"), 1, 'one row');
$r = http($srv, 'POST', '/v1/skills', body => { %$body, name_en => 'Other' }, headers => { 'Idempotency-Key' => $key });
is_deeply(field_errors($r), { 'Idempotency-Key' => 'idempotency_mismatch' }, 'the key with another body is refused');

# --- certificate types
my $certs_before = psql_value('SELECT count(*) FROM certificate_type');
$r = http($srv, 'GET', '/v1/certificate-types');
is($r->{status}, 200, 'certificate types');
is(scalar(items($r)), $certs_before, 'all of them');
my ($c1) = grep { $_->{code} eq 'driving_c1' } items($r);
is_deeply([$c1->{category}, $c1->{parent}{code}], ['transport', 'driving_licence'], 'with category and parent');
$r = http($srv, 'GET', '/v1/certificate-types?category=safety');
is_deeply([map { $_->{id} } items($r)], [split /\n/, psql("SELECT id FROM certificate_type WHERE category = 'safety' ORDER BY id")], 'category filter');
$r = http($srv, 'GET', '/v1/certificate-types?q=%E9%A9%BE%E9%A9%B6');   # 驾驶
is_deeply([map { $_->{code} } items($r)], [qw(driving_licence driving_c1 driving_b2 driving_a2)], 'q filter');
is(http($srv, 'GET', '/v1/certificate-types?kind=x')->{status}, 400, 'an unknown filter is refused');

my $cmine = "SELECT count(*) FROM certificate_type WHERE code LIKE '$tag%'";
$r = http($srv, 'POST', '/v1/certificate-types', body => { code => "${tag}_hv", name_zh => '特种作业操作证（高压电工）', name_en => 'High-voltage electrician', parent_id => 5 },
          headers => { 'Idempotency-Key' => "c-$key" });
is($r->{status}, 201, 'a certificate type is created');
my $cert = $r->{json};
is($cert->{category}, 'safety', "with its parent's category");
like($r->{headers}{location}, qr{^/v1/certificate-types/$cert->{id}$}, 'and Location');
$again = http($srv, 'POST', '/v1/certificate-types', body => { code => "${tag}_hv", name_zh => '特种作业操作证（高压电工）', name_en => 'High-voltage electrician', parent_id => 5 },
              headers => { 'Idempotency-Key' => "c-$key" });
is_deeply([$again->{json}{id}, $again->{headers}{'idempotent-replayed'}], [$cert->{id}, 'true'], 'a replay answers the same type');
is(psql_value($cmine), 1, 'one row');
$r = http($srv, 'POST', '/v1/certificate-types', body => { code => 'welding_op', name_zh => 'x', name_en => 'x', category => 'safety' });
is_deeply([$r->{status}, field_errors($r)], [409, { code => 'duplicate' }], 'a used code: 409');
$r = http($srv, 'POST', '/v1/certificate-types', body => { code => "${tag}_y", name_zh => 'x', name_en => 'x', parent_id => 999999 });
is_deeply(field_errors($r), { parent_id => 'not_found' }, 'an unknown parent');
$r = http($srv, 'POST', '/v1/certificate-types', body => { code => "${tag}_y", name_zh => 'x', name_en => 'x', category => 'safety', occupation_code => '6-29-01-01' });
is_deeply(field_errors($r), { occupation_code => 'unknown_field' }, 'certificate types have no occupation');
$r = http($srv, 'POST', '/v1/certificate-types', body => { code => "9${tag}", name_zh => 'x', name_en => 'x', category => 'safety' });
is_deeply(field_errors($r), { code => 'invalid_format' }, 'a code must start with a letter');
is(psql_value($cmine), 1, 'nothing else written');

$r = http($srv, 'GET', "/v1/certificate-types/$cert->{id}");
is_deeply([$r->{status}, $r->{headers}{etag}, $r->{json}{code}], [200, '"1"', "${tag}_hv"], 'read back with its ETag');
$r = http($srv, 'PATCH', "/v1/certificate-types/$cert->{id}", body => { name_en => 'HV electrician' }, headers => { 'If-Match' => '"1"' });
is_deeply([$r->{status}, $r->{headers}{etag}, $r->{json}{name_en}], [200, '"2"', 'HV electrician'], 'updated with If-Match');
$r = http($srv, 'PATCH', "/v1/certificate-types/$cert->{id}", body => { name_en => 'Stale' }, headers => { 'If-Match' => '"1"' });
is($r->{status}, 412, 'a stale ETag: 412');
$r = http($srv, 'PATCH', "/v1/certificate-types/5", body => { parent_id => $cert->{id} }, headers => { 'If-Match' => '*' });
is_deeply(field_errors($r), { parent_id => 'not_allowed' }, 'no cycles in certificate types either');
is(psql_value("SELECT name_en || '/' || version FROM certificate_type WHERE id = $cert->{id}"), 'HV electrician/2', 'refused updates change nothing');
is(psql_value('SELECT parent_id IS NULL FROM certificate_type WHERE id = 5'), 't', 'not even the other type');
is(http($srv, 'PATCH', "/v1/certificate-types/$cert->{id}", body => { name_en => 'x' })->{status}, 428, 'If-Match is required');
is(http($srv, 'GET', '/v1/certificate-types/999999')->{status}, 404, 'an unknown type: 404');

done_testing();
