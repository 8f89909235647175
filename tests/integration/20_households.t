# Households: create, read, update, list with every filter, the monitoring
# rules, and the rollups (labor_count, employed_count, zero_employment) that
# follow the household's workers as they change.
use strict;
use warnings;
use utf8;
use Test::More;
use POSIX qw(strftime);
use LeyeTest;

my $srv = start_server();
my $tag = 'h' . $$ . int(rand(1e6));

sub field_errors { my ($r) = @_; return { map { $_->{field} => $_->{code} } @{ $r->{json}{errors} || [] } } }
sub site {
    my ($name, $county) = @_;
    my $r = http($srv, 'POST', '/v1/sites', body => { name => "$tag $name", county_code => $county, kind => 'scattered' });
    die "cannot create a site: $r->{status}\n" unless $r->{status} == 201;
    return $r->{json};
}
sub patch {
    my ($id, $version, $body) = @_;
    return http($srv, 'PATCH', "/v1/households/$id", body => $body, headers => { 'If-Match' => qq("$version") });
}
sub get_hh { return http($srv, 'GET', "/v1/households/$_[0]")->{json} }
# China Standard Time, as the server counts days
sub cn_date { return strftime('%Y-%m-%d', gmtime(time + 8 * 3600 + $_[0] * 86400)) }

# Daguan county holds two of this run's sites, Yongshan one; one more is archived.
my $s1 = site('大关一', 530624);
my $s2 = site('大关二', 530624);
my $s3 = site('永善', 530625);
my $gone = site('已撤', 530624);
is(http($srv, 'PATCH', "/v1/sites/$gone->{id}", body => { archived => JSON::PP::true },
        headers => { 'If-Match' => '"1"' })->{status}, 200, 'an archived site for the checks');
my $ours = join(',', $s1->{id}, $s2->{id}, $s3->{id}, $gone->{id});
my $count_sql = "SELECT count(*) FROM household WHERE site_id IN ($ours)";

# --- create
my $r = http($srv, 'POST', '/v1/households', body => { site_id => $s1->{id}, origin_county_code => 530622,
                                                       origin_village => '小河村', members => 5 });
is($r->{status}, 201, 'create answers 201');
my $h = $r->{json};
like($r->{headers}{location}, qr{^/v1/households/$h->{id}$}, 'with Location');
is($r->{headers}{etag}, '"1"', 'with an ETag');
is_deeply({ map { $_ => $h->{$_} } qw(site_id site_name county_code county_name origin_county_code
                                      origin_county_name origin_village members monitoring_status
                                      labor_count employed_count archived version) },
          { site_id => $s1->{id}, site_name => "$tag 大关一", county_code => 530624, county_name => '大关县',
            origin_county_code => 530622, origin_county_name => '巧家县', origin_village => '小河村',
            members => 5, monitoring_status => 'none', labor_count => 0, employed_count => 0,
            archived => JSON::PP::false, version => 1 }, 'the answer names the site, its county and the origin');
ok(exists $h->{monitoring_found_by} && !defined $h->{monitoring_found_by}, 'monitoring_found_by is null');
ok(exists $h->{monitoring_found_on} && !defined $h->{monitoring_found_on}, 'monitoring_found_on is null');
is($h->{zero_employment}, JSON::PP::false, 'a household without workers is not zero-employment');
ok($h->{created_at} && $h->{updated_at}, 'with timestamps');

$r = http($srv, 'POST', '/v1/households', body => { site_id => $s1->{id}, origin_county_code => 530627, members => 3,
                                                    monitoring_status => 'unstable', monitoring_found_by => 'cadre_visit',
                                                    monitoring_found_on => '2024-03-01' });
is($r->{status}, 201, 'a monitored household');
my $m = $r->{json};
is_deeply([@$m{qw(monitoring_status monitoring_found_by monitoring_found_on origin_village)}],
          ['unstable', 'cadre_visit', '2024-03-01', ''], 'keeps how and when it was found; village defaults to empty');
$r = http($srv, 'POST', '/v1/households', body => { site_id => $s1->{id}, origin_county_code => 530627, members => 1,
                                                    monitoring_status => 'sudden_hardship', monitoring_found_by => 'self_application',
                                                    monitoring_found_on => cn_date(0) });
is($r->{status}, 201, 'found on today is accepted');
is(psql_value($count_sql), 3, 'three households so far');

# --- every validation rule, with the database unchanged
my $base = { site_id => $s1->{id}, origin_county_code => 530622, members => 4 };
my @bad = (
    [{ origin_county_code => 530622 }, { site_id => 'required', members => 'required' }, 'required fields'],
    [{ site_id => $s1->{id}, members => 2 }, { origin_county_code => 'required' }, 'origin is required'],
    [{ %$base, site_id => 999999999 }, { site_id => 'not_found' }, 'an unknown site'],
    [{ %$base, site_id => $gone->{id} }, { site_id => 'archived' }, 'an archived site'],
    [{ %$base, site_id => 0 }, { site_id => 'invalid_format' }, 'a site id that is no id'],
    [{ %$base, origin_county_code => 530600 }, { origin_county_code => 'not_found' }, 'a prefecture is no origin county'],
    [{ %$base, origin_county_code => 530000 }, { origin_county_code => 'not_found' }, 'a province is no origin county'],
    [{ %$base, origin_county_code => 539999 }, { origin_county_code => 'not_found' }, 'an unknown county'],
    [{ %$base, origin_county_code => 99 }, { origin_county_code => 'invalid_format' }, 'not a six-digit code'],
    [{ %$base, members => 0 }, { members => 'out_of_range' }, 'members below 1'],
    [{ %$base, members => 31 }, { members => 'out_of_range' }, 'members above 30'],
    [{ %$base, members => '4' }, { members => 'invalid_type' }, 'members as text'],
    [{ %$base, origin_village => '村' x 101 }, { origin_village => 'too_long' }, 'a village name over 100 characters'],
    [{ %$base, monitoring_status => 'rich' }, { monitoring_status => 'unknown_value' }, 'an unknown monitoring status'],
    [{ %$base, monitoring_status => 'marginal', monitoring_found_by => 'rumour', monitoring_found_on => '2024-01-01' },
     { monitoring_found_by => 'unknown_value' }, 'an unknown way of finding'],
    [{ %$base, monitoring_status => 'marginal', monitoring_found_on => '2024-01-01' },
     { monitoring_found_by => 'required' }, 'monitored without found_by'],
    [{ %$base, monitoring_status => 'marginal', monitoring_found_by => 'data_comparison' },
     { monitoring_found_on => 'required' }, 'monitored without found_on'],
    [{ %$base, monitoring_status => 'marginal', monitoring_found_by => undef, monitoring_found_on => '2024-01-01' },
     { monitoring_found_by => 'required' }, 'monitored with found_by null'],
    [{ %$base, monitoring_status => 'marginal', monitoring_found_by => 'data_comparison', monitoring_found_on => cn_date(2) },
     { monitoring_found_on => 'invalid_date' }, 'found in the future'],
    [{ %$base, monitoring_status => 'marginal', monitoring_found_by => 'data_comparison', monitoring_found_on => '2024-02-30' },
     { monitoring_found_on => 'invalid_date' }, 'a date that does not exist'],
    [{ %$base, monitoring_status => 'marginal', monitoring_found_by => 'data_comparison', monitoring_found_on => '1 March 2024' },
     { monitoring_found_on => 'invalid_date' }, 'a date in another format'],
    [{ %$base, monitoring_status => 'none', monitoring_found_by => 'cadre_visit' },
     { monitoring_found_by => 'not_allowed' }, 'found_by without monitoring'],
    [{ %$base, monitoring_found_on => '2024-01-01' }, { monitoring_found_on => 'not_allowed' }, 'found_on without monitoring'],
    [{ %$base, labor_count => 2, employed_count => 1, zero_employment => JSON::PP::true },
     { labor_count => 'unknown_field', employed_count => 'unknown_field', zero_employment => 'unknown_field' },
     'the rollups cannot be set'],
    [{ %$base, archived => JSON::PP::true }, { archived => 'unknown_field' }, 'a household is not created archived'],
    [{ %$base, id => 7 }, { id => 'unknown_field' }, 'the id cannot be set'],
);
for my $case (@bad) {
    my ($body, $want, $what) = @$case;
    $r = http($srv, 'POST', '/v1/households', body => $body);
    is($r->{status}, 422, "$what: 422");
    is_deeply(field_errors($r), $want, "$what: names the field and reason");
}
$r = http($srv, 'POST', '/v1/households', body => '[1]', headers => { 'Content-Type' => 'application/json' });
is($r->{status}, 422, 'a body that is not an object is refused');
is(psql_value($count_sql), 3, 'none of the bad requests changed the database');

# --- read
$r = http($srv, 'GET', "/v1/households/$h->{id}");
is($r->{status}, 200, 'read answers 200');
is($r->{headers}{etag}, '"1"', 'with the ETag');
is_deeply($r->{json}{workers}, [], 'and its workers (none yet)');
is($r->{json}{site_name}, "$tag 大关一", 'and the data');
is(http($srv, 'GET', '/v1/households/999999999')->{status}, 404, 'unknown id: 404');
is(http($srv, 'GET', '/v1/households/0x1')->{status}, 404, 'malformed id: 404');

# --- update with If-Match
$r = http($srv, 'PATCH', "/v1/households/$h->{id}", body => { members => 6 });
is($r->{status}, 428, 'an update without If-Match gets 428');
$r = patch($h->{id}, 1, { members => 6, origin_village => '大河村' });
is($r->{status}, 200, 'an update with the current ETag succeeds');
is_deeply([@{ $r->{json} }{qw(members origin_village version)}], [6, '大河村', 2], 'the change is made');
is($r->{headers}{etag}, '"2"', 'the ETag moves on');
$r = patch($h->{id}, 1, { members => 2 });
is($r->{status}, 412, 'a stale If-Match gets 412');
is(psql_value("SELECT members || '/' || version FROM household WHERE id = $h->{id}"), '6/2', 'and changes nothing');

my $row_sql = "SELECT concat_ws('/', site_id, origin_county_code, members, monitoring_status, monitoring_found_by, "
            . "monitoring_found_on, archived, version) FROM household WHERE id = ";
my $before = psql_value($row_sql . $h->{id});
my @bad_patch = (
    [{}, { '' => 'required' }, 'an empty update'],
    [{ labor_count => 3 }, { labor_count => 'unknown_field' }, 'labor_count cannot be set'],
    [{ employed_count => 1 }, { employed_count => 'unknown_field' }, 'employed_count cannot be set'],
    [{ zero_employment => JSON::PP::false }, { zero_employment => 'unknown_field' }, 'zero_employment cannot be set'],
    [{ members => 31 }, { members => 'out_of_range' }, 'members above 30'],
    [{ site_id => 999999999 }, { site_id => 'not_found' }, 'moving to an unknown site'],
    [{ site_id => $gone->{id} }, { site_id => 'archived' }, 'moving to an archived site'],
    [{ origin_county_code => 530600 }, { origin_county_code => 'not_found' }, 'a prefecture as origin'],
    [{ monitoring_status => 'unstable' }, { monitoring_found_by => 'required' }, 'monitoring without how it was found'],
    [{ monitoring_status => 'unstable', monitoring_found_by => 'cadre_visit' }, { monitoring_found_on => 'required' },
     'monitoring without when'],
    [{ monitoring_found_on => '2024-01-01' }, { monitoring_found_on => 'not_allowed' }, 'a date on an unmonitored household'],
    [{ monitoring_found_by => 'cadre_visit' }, { monitoring_found_by => 'not_allowed' }, 'found_by on an unmonitored household'],
    [{ monitoring_status => 'unstable', monitoring_found_by => 'cadre_visit', monitoring_found_on => cn_date(3) },
     { monitoring_found_on => 'invalid_date' }, 'monitoring found in the future'],
    [{ archived => 'yes' }, { archived => 'invalid_type' }, 'archived must be a boolean'],
);
for my $case (@bad_patch) {
    my ($body, $want, $what) = @$case;
    $r = patch($h->{id}, 2, $body);
    is($r->{status}, 422, "update, $what: 422");
    is_deeply(field_errors($r), $want, "update, $what: names the field and reason");
}
is(psql_value($row_sql . $h->{id}), $before, 'no refused update changed the household');

# monitoring through updates
$r = patch($m->{id}, 1, { monitoring_status => 'marginal' });
is($r->{status}, 200, 'the kind of monitoring changes, how and when stay');
is_deeply([@{ $r->{json} }{qw(monitoring_status monitoring_found_by monitoring_found_on)}],
          ['marginal', 'cadre_visit', '2024-03-01'], 'as they were');
$r = patch($m->{id}, 2, { monitoring_found_by => undef });
is_deeply(field_errors($r), { monitoring_found_by => 'required' }, 'found_by cannot be cleared while monitored');
$r = patch($m->{id}, 2, { monitoring_found_on => cn_date(1) });
is_deeply(field_errors($r), { monitoring_found_on => 'invalid_date' }, 'nor moved into the future');
$r = patch($m->{id}, 2, { monitoring_found_on => '2024-05-06', monitoring_found_by => 'data_comparison' });
is_deeply([@{ $r->{json} }{qw(monitoring_found_by monitoring_found_on version)}], ['data_comparison', '2024-05-06', 3],
          'how and when can be corrected');
$r = patch($m->{id}, 3, { monitoring_status => 'none', monitoring_found_by => 'cadre_visit' });
is_deeply(field_errors($r), { monitoring_found_by => 'not_allowed' }, 'leaving monitoring cannot keep a way of finding');
$r = patch($m->{id}, 3, { monitoring_status => 'none' });
is($r->{status}, 200, 'a household leaves monitoring');
ok(!defined $r->{json}{monitoring_found_by} && !defined $r->{json}{monitoring_found_on}, 'found_by and found_on are cleared');
is(psql_value("SELECT monitoring_found_by IS NULL AND monitoring_found_on IS NULL FROM household WHERE id = $m->{id}"), 't',
   'in the database too');
$r = patch($m->{id}, 4, { monitoring_status => 'unstable', monitoring_found_by => 'cadre_visit', monitoring_found_on => '2025-01-02' });
is($r->{status}, 200, 'and can come back under monitoring');
$r = patch($m->{id}, 5, { monitoring_status => 'none', monitoring_found_by => undef, monitoring_found_on => undef });
is($r->{status}, 200, 'leaving monitoring with explicit nulls');
is($r->{json}{monitoring_status}, 'none', 'is accepted');

# moving between sites
$r = patch($h->{id}, 2, { site_id => $s3->{id}, origin_county_code => 530627 });
is($r->{status}, 200, 'a household moves to another site');
is_deeply([@{ $r->{json} }{qw(site_id site_name county_code county_name origin_county_name)}],
          [$s3->{id}, "$tag 永善", 530625, '永善县', '镇雄县'], 'the site and its county follow');
$r = patch($h->{id}, 3, { site_id => $s1->{id} });
is($r->{json}{site_id}, $s1->{id}, 'and back');

# --- Idempotency-Key
my $key = "idem-$tag";
my $body = { site_id => $s2->{id}, origin_county_code => 530622, members => 2, origin_village => "$tag idem" };
$r = http($srv, 'POST', '/v1/households', body => $body, headers => { 'Idempotency-Key' => $key });
is($r->{status}, 201, 'a create with an Idempotency-Key');
my $first = $r->{json}{id};
$r = http($srv, 'POST', '/v1/households', body => $body, headers => { 'Idempotency-Key' => $key });
is($r->{status}, 201, 'its retry answers 201');
is($r->{json}{id}, $first, 'with the first household');
is($r->{headers}{'idempotent-replayed'}, 'true', 'marked as a replay');
is($r->{headers}{location}, "/v1/households/$first", 'with its Location');
is(psql_value("SELECT count(*) FROM household WHERE origin_village = '$tag idem'"), 1, 'and exactly one row exists');
$r = http($srv, 'POST', '/v1/households', body => { %$body, members => 3 }, headers => { 'Idempotency-Key' => $key });
is($r->{status}, 422, 'the same key with a different body is refused');
is_deeply(field_errors($r), { 'Idempotency-Key' => 'idempotency_mismatch' }, 'naming the key');

# --- the rollups follow the workers
sub worker {
    my ($hid, $name, $status) = @_;
    return psql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, "
                    . "birth_date, sex, employment_status) VALUES ($hid, '$tag $name', decode(md5(random()::text), 'hex'), "
                    . "decode(md5(random()::text), 'hex'), '530622********001X', '1990-05-01', 'F', '$status') RETURNING id");
}
sub set_worker { my ($id, $set) = @_; psql("UPDATE worker SET $set WHERE id = $id") }
sub rollup {
    my ($hid) = @_;
    my $j = get_hh($hid);
    return [$j->{labor_count}, $j->{employed_count}, $j->{zero_employment} ? 1 : 0];
}
my $ha = http($srv, 'POST', '/v1/households', body => { site_id => $s2->{id}, origin_county_code => 530622, members => 4 })->{json}{id};
my $hb = http($srv, 'POST', '/v1/households', body => { site_id => $s2->{id}, origin_county_code => 530622, members => 3 })->{json}{id};
my $w1 = worker($ha, '甲', 'seeking');
is_deeply(rollup($ha), [1, 0, 1], 'one worker seeking: labour 1, employed 0, zero-employment');
$r = http($srv, 'GET', "/v1/households/$ha");
is_deeply($r->{json}{workers}, [{ id => $w1, name => "$tag 甲", employment_status => 'seeking' }], 'the worker is listed');
$r = http($srv, 'GET', "/v1/households?site_id=$s2->{id}&zero_employment=true");
is_deeply([map { $_->{id} } @{ $r->{json}{items} }], [$ha], 'the zero-employment list shows the household');
set_worker($w1, "employment_status = 'employed_local'");
is_deeply(rollup($ha), [1, 1, 0], 'employed locally: employed 1, no longer zero-employment');
$r = http($srv, 'GET', "/v1/households?site_id=$s2->{id}&zero_employment=true");
is_deeply($r->{json}{items}, [], 'and it leaves the zero-employment list');
my $w2 = worker($ha, '乙', 'seeking');
is_deeply(rollup($ha), [2, 1, 0], 'a second worker seeking: labour 2, employed 1');
set_worker($w1, "employment_status = 'not_seeking'");
is_deeply(rollup($ha), [1, 0, 1], 'the employed one stops seeking: labour 1, employed 0, zero-employment again');
set_worker($w2, "employment_status = 'in_training'");
is_deeply(rollup($ha), [1, 0, 1], 'in training is labour, not employment');
set_worker($w2, "employment_status = 'employed_outside_province'");
is_deeply(rollup($ha), [1, 1, 0], 'employed outside the province counts as employed');
set_worker($w2, "household_id = $hb");
is_deeply(rollup($ha), [0, 0, 0], 'the employed worker moves away: no labour left, not zero-employment');
is_deeply(rollup($hb), [1, 1, 0], 'the other household gains the worker');
is_deeply([map { $_->{id} } @{ get_hh($hb)->{workers} }], [$w2], 'and lists them');
is_deeply([map { $_->{id} } @{ get_hh($ha)->{workers} }], [$w1], 'the first lists only who is left');
set_worker($w1, "employment_status = 'seeking'");
is_deeply(rollup($ha), [1, 0, 1], 'seeking again: zero-employment');
set_worker($w1, 'archived = true');
is_deeply(rollup($ha), [0, 0, 0], 'an archived worker no longer counts');
is_deeply(get_hh($ha)->{workers}, [], 'nor is listed');
set_worker($w1, 'archived = false');
is_deeply(rollup($ha), [1, 0, 1], 'restored, they count again');
set_worker($w2, "household_id = $ha, employment_status = 'employed_outside_county'");
is_deeply(rollup($ha), [2, 1, 0], 'moving back employed in one statement');
is_deeply(rollup($hb), [0, 0, 0], 'leaves the other household empty');
$r = patch($ha, 1, { members => 5 });
is($r->{status}, 200, 'the rollups do not make the ETag stale');
is_deeply([@{ $r->{json} }{qw(labor_count employed_count zero_employment)}], [2, 1, JSON::PP::false],
          'an update answers with the rollups');
set_worker($w2, "employment_status = 'seeking'");

# --- list: filters and paging to the end
# site 1: h, m, today-found; site 2: idem, a (zero-employment), b; site 3: x, y (monitored)
my @more;
for my $i (1 .. 2) {
    push @more, http($srv, 'POST', '/v1/households', body => { site_id => $s3->{id}, origin_county_code => 530627, members => $i,
                                                              monitoring_status => 'marginal', monitoring_found_by => 'data_comparison',
                                                              monitoring_found_on => '2023-11-0' . $i })->{json}{id};
}
my %site_of = map { $_->[0] => $_->[1] }
              map { my $s = $_; map { [$_, $s] } split /\n/, psql("SELECT id FROM household WHERE site_id = $s ORDER BY id") }
              ($s1->{id}, $s2->{id}, $s3->{id});
is(scalar keys %site_of, 8, 'eight households in three sites');

sub all_pages {
    my ($query) = @_;
    my (@items, $cursor, $pages);
    do {
        my $res = http($srv, 'GET', "/v1/households?$query" . ($cursor ? "&cursor=$cursor" : ''));
        die "list $query: $res->{status}\n" unless $res->{status} == 200;
        push @items, @{ $res->{json}{items} };
        $cursor = $res->{json}{next_cursor};
        $pages++;
    } while ($cursor && $pages < 500);
    return (\@items, $pages);
}
my ($items, $pages) = all_pages("site_id=$s1->{id}&limit=1");
is_deeply([map { $_->{id} } @$items], [sort { $a <=> $b } grep { $site_of{$_} == $s1->{id} } keys %site_of],
          'site filter, paged one by one to the end: every household once, in id order');
is($pages, 3, 'in three pages');
ok(!grep({ !exists $_->{labor_count} || !exists $_->{zero_employment} || !exists $_->{site_name} } @$items),
   'list items carry the rollups and names');
ok(!grep({ exists $_->{workers} } @$items), 'but not the workers');

($items, $pages) = all_pages('county_code=530624&sort=site&limit=2');
my @got = grep { $site_of{$_} } map { $_->{id} } @$items;
is_deeply(\@got, [sort { $site_of{$a} <=> $site_of{$b} || $a <=> $b } grep { $site_of{$_} != $s3->{id} } keys %site_of],
          'county filter sorted by site, to the end: this run\'s households of that county, by site then id');
ok(!grep({ $_->{county_code} != 530624 } @$items), 'only households of sites in that county');
my @keys = map { [$_->{site_id}, $_->{id}] } @$items;
ok(!grep({ $keys[$_ - 1][0] > $keys[$_][0] || ($keys[$_ - 1][0] == $keys[$_][0] && $keys[$_ - 1][1] >= $keys[$_][1]) } 1 .. $#keys),
   'strictly ordered by site, then id, across pages');
my %seen; $seen{ $_->{id} }++ for @$items;
ok(!grep({ $_ > 1 } values %seen), 'no household appears twice');

sub ids_of { my ($q) = @_; my ($it) = all_pages($q); return [map { $_->{id} } @$it] }
is_deeply(ids_of("site_id=$s3->{id}&monitoring_status=marginal"), [@more], 'monitoring_status filter');
is_deeply(ids_of("site_id=$s3->{id}&monitoring_status=unstable"), [], 'monitoring_status filter, no match');
is_deeply(ids_of("site_id=$s1->{id}&monitored=true"), [sort { $a <=> $b } grep { $_ != $h->{id} && $_ != $m->{id} } grep { $site_of{$_} == $s1->{id} } keys %site_of],
          'monitored filter: only the one still monitored');
is_deeply(ids_of("site_id=$s1->{id}&monitored=false"), [$h->{id}, $m->{id}], 'monitored=false: the others');
is_deeply(ids_of("site_id=$s2->{id}&zero_employment=false"), [$first, $hb], 'zero_employment=false');
is_deeply(ids_of("site_id=$s2->{id}&zero_employment=true"), [$ha], 'zero_employment=true');
is_deeply(ids_of("site_id=$s3->{id}&origin_county_code=530627&monitored=true"), [@more], 'origin_county_code filter');
is_deeply(ids_of("site_id=$s2->{id}&origin_county_code=530622"), [$first, $ha, $hb], 'origin_county_code filter, another county');
is_deeply(ids_of("site_id=$s2->{id}&origin_county_code=530627"), [], 'origin_county_code filter, no match');
my $z = ids_of('zero_employment=true&county_code=530624');
ok((grep { $_ == $ha } @$z) && !(grep { $site_of{$_} && $_ != $ha } @$z), 'zero-employment households of a county');

# archive instead of delete
$r = patch($hb, 1, { archived => JSON::PP::true });
is($r->{json}{archived}, JSON::PP::true, 'a household is archived');
is_deeply(ids_of("site_id=$s2->{id}"), [$first, $ha], 'lists leave it out by default');
is_deeply(ids_of("site_id=$s2->{id}&archived=true"), [$hb], 'archived=true lists it');
is(http($srv, 'GET', "/v1/households/$hb")->{status}, 200, 'it can still be read');
is(http($srv, 'DELETE', "/v1/households/$hb")->{status}, 405, 'households are never deleted');

# bad queries
for my $q (['colour=red', 'colour', 'unknown_field'], ['monitoring_status=rich', 'monitoring_status', 'unknown_value'],
           ['zero_employment=yes', 'zero_employment', 'invalid_format'], ['monitored=1', 'monitored', 'invalid_format'],
           ['site_id=abc', 'site_id', 'invalid'], ['county_code=5306', 'county_code', 'invalid_format'],
           ['sort=name', 'sort', 'unknown_value'], ['limit=201', 'limit', 'out_of_range'], ['cursor=!!', 'cursor', 'invalid_format']) {
    $r = http($srv, 'GET', "/v1/households?$q->[0]");
    is($r->{status}, 400, "$q->[0] is refused");
    is_deeply(field_errors($r), { $q->[1] => $q->[2] }, "$q->[0]: names the parameter");
}

# --- CSV export of the whole filtered list
$r = http($srv, 'GET', "/v1/households?county_code=530624&site_id=$s1->{id}&format=csv&limit=1");
is($r->{status}, 200, 'CSV export');
like($r->{headers}{'content-type'}, qr{^text/csv}, 'as text/csv');
my @lines = grep { length } split /\r\n/, $r->{content};
is(scalar @lines, 1 + 3, 'a header and every matching row, whatever the page size');
like($lines[0], qr/\blabor_count\b/, 'the header names the rollup columns');
like($lines[0], qr/\bzero_employment\b/, 'zero_employment among them');

# --- scope: county staff see their county's households only
{
    local $ENV{LEYE_DATABASE_URL} = dsn();
    local $ENV{PW} = 'households-test-password';
    system("$ENV{LEYE_SERVER_BIN} admin create-user --username=$tag.ys --role=county_staff --counties=530625 --password-env=PW >/dev/null") == 0
        or die "cannot create a county user\n";
}
my $ys = login($srv, "$tag.ys", 'households-test-password');
ok($ys, 'a Yongshan county user');
is(http($srv, 'GET', "/v1/households/$more[0]", token => $ys)->{status}, 200, 'reads a household of their county');
is(http($srv, 'GET', "/v1/households/$ha", token => $ys)->{status}, 404, 'one of another county is 404');
$r = http($srv, 'GET', "/v1/households?county_code=530624", token => $ys);
is_deeply($r->{json}{items}, [], 'and other counties list empty');
$r = http($srv, 'POST', '/v1/households', token => $ys, body => { site_id => $s1->{id}, origin_county_code => 530622, members => 1 });
is_deeply(field_errors($r), { site_id => 'not_found' }, 'a site outside their county cannot be used');
$r = http($srv, 'PATCH', "/v1/households/$more[0]", token => $ys, body => { site_id => $s1->{id} }, headers => { 'If-Match' => '"1"' });
is_deeply(field_errors($r), { site_id => 'not_found' }, 'nor can they move one out of their county');
is(psql_value("SELECT site_id FROM household WHERE id = $more[0]"), $s3->{id}, 'which stays');
is(psql_value($count_sql), 8, 'eight households in all were made');

done_testing();
