# Bulk allocation over HTTP: the draft is solved in the background and puts a
# household with nobody employed first; capacities and eligibility hold;
# drop, restore and swap; confirm is all or nothing; the public notice hides
# names and personal data, and an objection puts an assignment back to staff;
# cancel stops the work; scope, bad input and the metrics.
use strict;
use warnings;
use utf8;
use Test::More;
use POSIX ();
use LeyeTest;
use POSIX ();
use Encode qw(decode_utf8);
use MIME::Base64 ();
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $srv = start_server();
ok(wait_until(sub { (http($srv, 'GET', '/readyz', anonymous => 1)->{status} // 0) == 200 }, 30), 'the server and its index are ready');

my $tag = 'AL' . $$ . int(rand(1e6));
my $county = 530926;    # 耿马: no other test writes there
sub v { psql_value(@_) }

my ($weld, $cook) = split /\n/, psql('SELECT id FROM skill ORDER BY id DESC LIMIT 2');    # skills no other test uses
my $site = v("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('耿马${tag}安置点', $county, 23.54, 99.40, 'urban_centralized') RETURNING id");
sub household {
    my (%o) = @_;
    my $mon = $o{monitored} ? "'unstable', 'cadre_visit', '${\ days_from_today(-300)}'" : "'none', NULL, NULL";
    return v("INSERT INTO household (site_id, origin_county_code, members, monitoring_status, monitoring_found_by, monitoring_found_on) "
             . "VALUES ($site, $county, 4, $mon) RETURNING id");
}
my $n = 0;
sub worker {
    my ($h, $name, %o) = @_;
    $n++;
    my $id = v("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex, "
               . "employment_status, max_commute_km, phone_hash, phone_enc, phone_masked) VALUES ($h, '$name', decode(md5(random()::text || clock_timestamp()::text), 'hex'), "
               . "'\\x00', '530926********" . sprintf('%04d', $n) . "', '1988-03-0" . (1 + $n % 9) . "', 'M', '" . ($o{status} // 'seeking') . "', 40, "
               . "'\\x00', '\\x00', '138****" . sprintf('%04d', $n) . "') RETURNING id");
    psql("INSERT INTO worker_skill (worker_id, skill_id, level) VALUES ($id, $weld, $o{level})") if $o{level};
    psql("INSERT INTO worker_skill (worker_id, skill_id, level) VALUES ($id, $cook, 3)") if $o{cook};
    return $id;
}
my $emp = v("INSERT INTO employer (name, credit_code, kind, county_code, contact_phone) VALUES ('耿马${tag}建设公司', "
            . "'AL' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', $county, '0883-7654321') RETURNING id");
sub vacancy {
    my (%o) = @_;
    my $r = http($srv, 'POST', '/v1/vacancies', body => {
        employer_id => $emp + 0, title => $o{title}, occupation_code => '6-29-01-01', kind => $o{kind} // 'regular',
        county_code => $county, lat => 23.55, lon => 99.41, headcount => $o{headcount} // 1, wage_min => 2500, wage_max => 3500,
        required_skills => [ { skill_id => $weld + 0, min_level => 2, weight => 2, must_have => JSON::PP::true },
                             { skill_id => $cook + 0, min_level => 1, weight => 2, must_have => JSON::PP::false } ] });
    die "vacancy: $r->{status} $r->{content}" unless $r->{status} == 201;
    my $open = http($srv, 'PATCH', "/v1/vacancies/$r->{json}{id}", headers => { 'If-Match' => $r->{headers}{etag} },
                    body => { status => 'open' });
    die "open: $open->{status} $open->{content}" unless $open->{status} == 200;
    return $r->{json}{id};
}
sub allocate {
    my ($body, %o) = @_;
    my $r = http($srv, 'POST', '/v1/allocations', body => $body, %o);
    return $r unless $r->{status} == 202;
    my $id = $r->{json}{id};
    my $a;
    wait_until(sub { $a = http($srv, 'GET', "/v1/allocations/$id")->{json}; $a && $a->{state} !~ /^(queued|running)$/ }, 30);
    $r->{final} = $a;
    return $r;
}
sub assigned { my ($a) = @_; return { map { ($_->{worker_id} => $_->{vacancy_id}) } grep { $_->{state} ne 'dropped' } @{ $a->{assignments} } } }

# ---------- household first ----------
my $h_busy = household();                   # someone employed already
my $h_zero = household();                   # labour, nobody employed
my $h_mon = household(monitored => 1);
worker($h_busy, '赵大勇', status => 'employed_local');
my $strong = worker($h_busy, '赵小勇', level => 5, cook => 1);
my $weak = worker($h_zero, '钱小明', level => 2);
my $v_one = vacancy(title => "$tag 电焊工");
ok(wait_until(sub { (http($srv, 'GET', "/v1/vacancies/$v_one/candidates?county=$county")->{json}{items} // [])->[1] }, 5),
   'the vacancy and both workers are in the matching index');
my %score = map { ($_->{worker}{id} => $_->{score}) } @{ http($srv, 'GET', "/v1/vacancies/$v_one/candidates?county=$county")->{json}{items} };
cmp_ok($score{$strong}, '>', $score{$weak}, "the worker of a household with someone employed scores higher ($score{$strong} > $score{$weak})");

# (the pool is these two: the vacancy is open to every seeking worker in the
# province, and other suites run beside this one)
my $r = allocate({ vacancy_ids => [ $v_one + 0 ], worker_ids => [ $strong + 0, $weak + 0 ] },
                 headers => { 'Idempotency-Key' => "$tag-1" });
is($r->{status}, 202, 'POST /v1/allocations answers 202: the work runs in the background');
like($r->{headers}{location} // '', qr{^/v1/allocations/\d+$}, 'with its Location');
is($r->{json}{state}, 'queued', 'queued at first');
my $a = $r->{final};
is($a->{state}, 'draft', 'then a draft');
is($a->{progress}, 100, 'at 100 percent');
is_deeply(assigned($a), { $weak => $v_one }, 'the post goes to the household with nobody employed, not the higher score');
is($a->{summary}{zero_employment_covered}, 1, 'the summary counts the zero-employment household covered');
is($a->{assignments}[0]{worker_name}, '钱小明', 'assignments carry the name');
ok(@{ $a->{assignments}[0]{reasons} } > 0 && $a->{assignments}[0]{reasons}[0]{text} =~ /\p{Han}/, 'and the reasons in plain words');
is_deeply($a->{assignments}[0]{covers}, ['zero_employment'], 'and what household it covers');
my ($u) = grep { $_->{worker_id} == $strong } @{ $a->{unassigned} };
is($u->{why}, 'outscored', 'the other eligible worker is listed as unassigned: outscored');
like($u->{why_text} // '', qr/零就业/, 'with the reason in words');
my $again = http($srv, 'POST', '/v1/allocations', body => { vacancy_ids => [ $v_one + 0 ], worker_ids => [ $strong + 0, $weak + 0 ] },
                 headers => { 'Idempotency-Key' => "$tag-1" });
is($again->{json}{id}, $r->{json}{id}, 'the same Idempotency-Key gives the same allocation');
$a = http($srv, 'GET', "/v1/allocations/$r->{json}{id}?lang=en")->{json};
like($a->{assignments}[0]{reasons}[0]{text}, qr/[a-z]{3}/, 'reasons in English when asked');
like($a->{unassigned}[0]{why_text}, qr/[a-z]{3}/, 'and why not too');
my $first = $r->{json}{id};

# ---------- capacity, eligibility, one post each ----------
my $h2 = household();
my $h3 = household();
my @pool = (worker($h2, '孙一', level => 3), worker($h3, '孙二', level => 4), worker($h_mon, '李三', level => 2));
my $not_seeking = worker($h3, '孙四', level => 5, status => 'not_seeking');
my $unskilled = worker($h2, '孙五');
my $v_two = vacancy(title => "$tag 钢筋工", kind => 'work_relief', headcount => 2);
my $v_pw = vacancy(title => "$tag 保洁员", kind => 'public_welfare', headcount => 2);
ok(wait_until(sub { @{ http($srv, 'GET', "/v1/vacancies/$v_pw/candidates?county=$county")->{json}{items} // [] } >= 3 }, 5),
   'the new vacancies are indexed');
$r = allocate({ vacancy_ids => [ $v_two + 0, $v_pw + 0 ], notice_days => 3 });
$a = $r->{final};
is($a->{state}, 'draft', 'a draft for two vacancies');
my $as = assigned($a);
my %per_v;
$per_v{$_}++ for values %$as;
ok(($per_v{$v_two} // 0) <= 2 && ($per_v{$v_pw} // 0) <= 2, 'no vacancy over its headcount');
ok(!exists $as->{$not_seeking} && !exists $as->{$unskilled}, 'nobody ineligible is assigned');
my %hh_pw;
for my $x (grep { $_->{state} eq 'proposed' && $_->{vacancy_id} == $v_pw } @{ $a->{assignments} }) { $hh_pw{$x->{household_id}}++ }
ok(!grep({ $_ > 1 } values %hh_pw), 'public-welfare posts: at most one per household');
is(scalar(keys %$as), scalar(@{ $a->{assignments} }), 'each worker at most one post');
ok($a->{summary}{posts} == 4 && $a->{summary}{assigned} == scalar(keys %$as), "summary: $a->{summary}{assigned} of $a->{summary}{posts} posts");
is($a->{summary}{monitored_covered}, 1, 'the household under monitoring is covered');

# drop, restore, swap
my ($x) = grep { $_->{vacancy_id} == $v_two } @{ $a->{assignments} };
my $base = "/v1/allocations/$a->{id}/assignments/$x->{id}";
$r = http($srv, 'POST', "$base/drop");
is($r->{status}, 200, 'an assignment can be dropped');
is($r->{json}{state}, 'dropped', 'and is dropped');
is(http($srv, 'POST', "$base/drop")->{status}, 409, 'dropping it twice is a conflict');
is(http($srv, 'POST', "$base/restore")->{json}{state}, 'proposed', 'and restored');
my ($free) = grep { !exists $as->{$_} } ($strong, @pool);
$r = http($srv, 'POST', "$base/swap", body => { worker_id => $not_seeking + 0 });
is($r->{status}, 422, 'a swap to a worker not seeking is refused');
is($r->{json}{errors}[0]{code}, 'not_eligible', 'as not eligible');
is($r->{json}{failed}, 'not_seeking', 'naming the filter');
my ($other) = grep { $_->{vacancy_id} == $v_two && $_->{id} != $x->{id} } @{ $a->{assignments} };
if ($other) {
    is(http($srv, 'POST', "$base/swap", body => { worker_id => $other->{worker_id} + 0 })->{status}, 409,
       'a swap to a worker who holds another post of the draft is a conflict');
} else {
    pass('(the draft holds one post of the vacancy)');
}
my $alloc_version = sub { v("SELECT version FROM allocation WHERE id = $a->{id}") };
$r = http($srv, 'POST', "$base/swap", body => { worker_id => $strong + 0 }, headers => { 'Idempotency-Key' => "$tag-swap" });
is($r->{status}, 200, 'a swap to an eligible worker');
is($r->{json}{worker_id}, $strong, 'puts that worker on the post');
ok($r->{json}{swapped} && $r->{json}{proposed_worker_id} == $x->{worker_id}, 'and keeps who the solver proposed');
ok($r->{json}{score} > 0 && @{ $r->{json}{reasons} }, 'with the score and reasons from the index');
# the worker now holds the post, so a second swap would be refused: the
# retry is answered from its key before anything is looked up
my $version_after = $alloc_version->();
my $retry = http($srv, 'POST', "$base/swap", body => { worker_id => $strong + 0 }, headers => { 'Idempotency-Key' => "$tag-swap" });
is_deeply([ $retry->{status}, $retry->{headers}{'idempotent-replayed'} ], [ 200, 'true' ], 'a retry of the swap gets its first answer');
is($retry->{content}, $r->{content}, 'the same body');
is($alloc_version->(), $version_after, 'and changes nothing again');
$retry = http($srv, 'POST', "$base/swap", body => { worker_id => $x->{worker_id} + 0 }, headers => { 'Idempotency-Key' => "$tag-swap" });
is_deeply([ $retry->{status}, map { "$_->{field}:$_->{code}" } @{ $retry->{json}{errors} // [] } ],
          [ 422, 'Idempotency-Key:idempotency_mismatch' ], 'the key with another worker is refused');
is($alloc_version->(), $version_after, 'and swaps nothing');

# confirm is all or nothing
my $apps = sub { v("SELECT count(*) FROM application WHERE source = 'allocation' AND vacancy_id IN ($v_two, $v_pw)") };
psql("UPDATE vacancy SET status = 'closed' WHERE id = $v_pw");
$r = http($srv, 'POST', "/v1/allocations/$a->{id}/confirm");
is($r->{status}, 409, 'confirm answers 409 when a post closed since the draft');
like($r->{headers}{'content-type'}, qr{application/problem\+json}, 'as problem+json');
ok((grep { $_->{reason} eq 'vacancy_not_open' && $_->{vacancy_id} == $v_pw } @{ $r->{json}{conflicts} }), 'listing the conflicts');
is($apps->(), 0, 'and nothing was written');
is(http($srv, 'GET', "/v1/allocations/$a->{id}")->{json}{state}, 'draft', 'the draft stays a draft');
psql("UPDATE vacancy SET status = 'open' WHERE id = $v_pw");
$r = http($srv, 'POST', "/v1/allocations/$a->{id}/confirm");
is($r->{status}, 200, 'confirm once the post is open again');
is($r->{json}{state}, 'confirmed', 'confirmed');
my $live = grep { $_->{state} eq 'confirmed' } @{ $r->{json}{assignments} };
is($apps->(), $live, "one offered application per assignment ($live)");
is(v("SELECT count(*) FROM application WHERE source = 'allocation' AND vacancy_id IN ($v_two, $v_pw) AND status = 'offered'"), $live,
   'all of them offered');
ok($r->{json}{notice_until}, "the notice runs until $r->{json}{notice_until}");
is(http($srv, 'POST', "/v1/allocations/$a->{id}/confirm")->{status}, 409, 'confirming twice is a conflict');
is(http($srv, 'POST', "$base/drop")->{status}, 409, 'a confirmed allocation cannot be changed');

# the public notice
$r = http($srv, 'GET', "/v1/allocations/$a->{id}/notice");
$r->{content} = decode_utf8($r->{content});
is($r->{status}, 200, 'the public notice');
like($r->{headers}{'content-type'}, qr{^text/html}, 'as printable HTML');
like($r->{content}, qr/公示/, 'titled 公示');
my @names = map { $_->{worker_name} } grep { $_->{state} eq 'confirmed' } @{ $r->{json}{assignments} // http($srv, 'GET', "/v1/allocations/$a->{id}")->{json}{assignments} };
for my $name (@names) {
    my $masked = length($name) == 2 ? substr($name, 0, 1) . '*' : substr($name, 0, 1) . ('*' x (length($name) - 2)) . substr($name, -1);
    like($r->{content}, qr/\Q$masked\E/, "shows $masked");
    unlike($r->{content}, qr/\Q$name\E/, 'never the full name');
}
unlike($r->{content}, qr/530926\*|138\*{4}|unstable|监测|零就业/, 'no ID number, phone or household status');
$r = http($srv, 'GET', "/v1/allocations/$a->{id}/notice?format=csv");
$r->{content} = decode_utf8($r->{content});
like($r->{headers}{'content-type'}, qr{^text/csv}, 'and as CSV');
is(scalar(() = $r->{content} =~ /\r\n/g), 1 + scalar(@names), 'a header and one line per name');
unlike($r->{content}, qr/530926\*|138\*{4}/, 'with no ID number or phone either');

# an objection during the window puts the assignment back to staff
my ($pub) = grep { $_->{state} eq 'confirmed' && $_->{public} } @{ http($srv, 'GET', "/v1/allocations/$a->{id}")->{json}{assignments} };
my $obj = "/v1/allocations/$a->{id}/assignments/$pub->{id}";
$r = http($srv, 'POST', "$obj/objections", body => { reason => '该户已有人在公益性岗位就业', objector => '村民' });
is($r->{status}, 201, 'an objection is recorded');
is($r->{json}{state}, 'objected', 'and the assignment goes back to staff');
$r = http($srv, 'POST', "/v1/applications/$pub->{application_id}/transitions",
          body => { to => 'hired', start_date => days_from_today(-7), wage => 2600 });
is($r->{status}, 409, 'its offer cannot be hired while the objection is open');
$r = http($srv, 'POST', "$obj/resolve", body => { decision => 'upheld', note => '核实属实' });
is($r->{json}{state}, 'withdrawn', 'an upheld objection withdraws the assignment');
is(v("SELECT status FROM application WHERE id = $pub->{application_id}"), 'withdrawn', 'and its offer');
is(http($srv, 'POST', "$obj/objections", body => { reason => 'x' })->{status}, 409, 'a withdrawn assignment takes no objection');
$r = http($srv, 'POST', "$obj/objections", body => { reason => 'late', received_on => days_from_today(-60) });
is($r->{status}, 409, 'nor one outside the window');

# ---------- cancel ----------
$r = http($srv, 'POST', '/v1/allocations', body => { vacancy_ids => [ $v_one + 0 ] });
my $c = http($srv, 'POST', "/v1/allocations/$r->{json}{id}/cancel");
is($c->{status}, 200, 'an allocation can be cancelled');
is($c->{json}{state}, 'cancelled', 'and is cancelled');
sleep 1;
$a = http($srv, 'GET', "/v1/allocations/$r->{json}{id}")->{json};
is($a->{state}, 'cancelled', 'the solver does not bring it back');
# a solver (of any instance) running an allocation learns of the cancel at its
# next progress report, and may not store its draft afterwards
my $run = v("INSERT INTO allocation (county_code, vacancy_ids, k, notice_days, created_by, state, runner, heartbeat_at) "
            . "VALUES ($county, ARRAY[$v_one]::bigint[], 50, 5, 'test', 'running', 'other-instance', now()) RETURNING id");
is(v("SELECT allocation_progress($run, 'other-instance', 30)"), 'running', 'a running allocation reports progress');
is(http($srv, 'POST', "/v1/allocations/$run/cancel")->{json}{state}, 'cancelled', 'is cancelled while it runs');
is(v("SELECT allocation_progress($run, 'other-instance', 60)"), 'cancelled', 'its solver hears so at the next report');
is(v("SELECT allocation_store($run, 'other-instance', '{\"summary\": {}, \"assignments\": [{\"v\": $v_one, \"w\": $strong, \"s\": 5000}], \"unassigned\": []}')"),
   'cancelled', 'and cannot store a draft');
is(v("SELECT count(*) FROM allocation_assignment WHERE allocation_id = $run"), 0, 'nothing was stored');
is(v("SELECT allocation_progress($first, 'not-the-runner', 10)"), 'draft', 'an instance that lost its claim is told so');
is(http($srv, 'POST', "/v1/allocations/$r->{json}{id}/cancel")->{status}, 409, 'cancelling twice is a conflict');
is(http($srv, 'POST', "/v1/allocations/$first/cancel")->{json}{state}, 'cancelled', 'a draft can be cancelled too');
is(http($srv, 'POST', "/v1/allocations/$first/confirm")->{status}, 409, 'and then not confirmed');

# ---------- scope ----------
sub user {
    my ($name, %o) = @_;
    local $ENV{LEYE_DATABASE_URL} = dsn();
    local $ENV{PW} = 'alloc-test-password';
    my @extra = map { "--$_=$o{$_}" } keys %o;
    system("$ENV{LEYE_SERVER_BIN} admin create-user --username=\L$tag\E.$name @extra --password-env=PW >/dev/null") == 0 or die;
    return login($srv, lc($tag) . ".$name", 'alloc-test-password');
}
my $mine = user('gengma', role => 'county_staff', counties => $county);
my $elsewhere = user('ludian', role => 'county_staff', counties => 530621);
my $viewer = user('viewer', role => 'viewer');
is(http($srv, 'GET', "/v1/allocations/$a->{id}", token => $mine)->{status}, 200, "the county's staff see its allocations");
is(http($srv, 'GET', "/v1/allocations/$a->{id}", token => $elsewhere)->{status}, 404, "another county's staff get 404");
ok(!grep({ $_->{id} == $a->{id} } @{ http($srv, 'GET', '/v1/allocations', token => $elsewhere)->{json}{items} }), 'and do not see it listed');
is(http($srv, 'POST', '/v1/allocations', token => $elsewhere, body => { vacancy_ids => [ $v_one + 0 ] })->{status}, 422,
   'nor can they allocate its posts');
is(http($srv, 'GET', "/v1/allocations/$a->{id}", token => $viewer)->{status}, 403, 'a viewer may not');
my @mypool = ($strong, $unskilled, $pool[0]);
$r = allocate({ vacancy_ids => [ $v_one + 0 ], worker_ids => [ map { $_ + 0 } @mypool ] }, token => $mine);
is($r->{final}{state}, 'draft', 'county staff run an allocation with a pool of their own');
my $pooled = $r->{json}{id};
is_deeply([ sort { $::a <=> $::b } map({ $_->{worker_id} } @{ $r->{final}{assignments} }, @{ $r->{final}{unassigned} }) ],
          [ sort { $::a <=> $::b } @mypool ], 'only the pool is considered, and every member is accounted for');
is_deeply(assigned($r->{final}), { $pool[0] => $v_one }, 'the zero-employment household of the pool first');
my ($nu) = grep { $_->{worker_id} == $unskilled } @{ $r->{final}{unassigned} };
is($nu->{why}, 'no_eligible_post', 'a pool worker eligible for nothing is said to be so');

# ---------- bad input ----------
for my $case ([ {}, 'vacancy_ids', 'required' ], [ { vacancy_ids => [] }, 'vacancy_ids', 'too_short' ],
              [ { vacancy_ids => ['x'] }, 'vacancy_ids', 'invalid_type' ], [ { vacancy_ids => [ $v_one + 0 ], k => 0 }, 'k', 'out_of_range' ],
              [ { vacancy_ids => [ $v_one + 0 ], project_id => 1 }, 'vacancy_ids', 'conflicts' ],
              [ { vacancy_ids => [ 999999999 ] }, 'vacancy_ids', 'not_found' ],
              [ { vacancy_ids => [ $v_one + 0 ], colour => 'red' }, 'colour', 'unknown_field' ]) {
    my ($body, $field, $code) = @$case;
    my $before = v('SELECT count(*) FROM allocation');
    $r = http($srv, 'POST', '/v1/allocations', body => $body);
    is($r->{status}, 422, "422 for " . JSON::PP->new->canonical->encode($body));
    my ($e) = @{ $r->{json}{errors} // [] };
    is(($e->{field} // '') . '/' . ($e->{code} // ''), "$field/$code", "naming $field: $code");
    is(v('SELECT count(*) FROM allocation'), $before, 'and nothing is queued');
}
is(http($srv, 'GET', '/v1/allocations/abc')->{status}, 404, 'a bad id is 404');
is(http($srv, 'GET', "/v1/allocations/$a->{id}/unassigned?cursor=zz")->{status}, 400, 'a bad cursor is 400');
is(http($srv, 'GET', "/v1/allocations/$a->{id}/notice?format=pdf")->{status}, 400, 'an unknown format is 400');

# ---------- paging the unassigned, metrics ----------
$r = http($srv, 'GET', "/v1/allocations/$pooled/unassigned?limit=1");
is($r->{status}, 200, 'the unassigned workers page by page');
is(scalar @{ $r->{json}{items} }, 1, 'one at a time');
my $next = http($srv, 'GET', "/v1/allocations/$pooled/unassigned?limit=1&cursor=$r->{json}{next_cursor}");
ok($r->{json}{next_cursor} && $next->{json}{items}[0]{worker_id} != $r->{json}{items}[0]{worker_id}, 'and the cursor moves on');
my $cursor_fault = sub {
    my ($q) = @_;
    my $x = http($srv, 'GET', $q);
    return join ' ', $x->{status}, map { "$_->{field}:$_->{code}" } @{ $x->{json}{errors} // [] };
};
is($cursor_fault->("/v1/allocations/$first/unassigned?limit=1&cursor=$r->{json}{next_cursor}"), '400 cursor:not_this_list',
   "the cursor is refused on another allocation's list");
my ($pos, $sig) = split /\./, $r->{json}{next_cursor};
is($cursor_fault->("/v1/allocations/$pooled/unassigned?limit=1&cursor=" . MIME::Base64::encode_base64url('-1.1') . ".$sig"),
   '400 cursor:not_this_list', 'and altered');
my ($score, $wid) = ($r->{json}{items}[0]{best_score} // -1, $r->{json}{items}[0]{worker_id});
is($cursor_fault->("/v1/allocations/$pooled/unassigned?limit=1&cursor=$score.$wid"), '400 cursor:invalid_format',
   'a bare position is not a cursor');
# a retry of the swap is answered from its key before the worker or the
# index is looked at: with the worker archived since, it still gets the
# first answer
psql("UPDATE worker SET archived = true WHERE id = $strong");
$retry = http($srv, 'POST', "$base/swap", body => { worker_id => $strong + 0 }, headers => { 'Idempotency-Key' => "$tag-swap" });
is_deeply([ $retry->{status}, $retry->{headers}{'idempotent-replayed'} ], [ 200, 'true' ],
          'a retry of the swap after its worker was archived still gets the first answer') or diag explain $retry->{json};
psql("UPDATE worker SET archived = false WHERE id = $strong");

my $metrics = http($srv, 'GET', '/metrics')->{content};
like($metrics, qr/^leye_allocations_drafted_total [1-9]/m, '/metrics counts the drafts');
like($metrics, qr/^leye_allocation_running [01]/m, 'and says whether one is running');

done_testing();
