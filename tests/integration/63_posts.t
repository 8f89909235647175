# Public-welfare and forest-ranger posts managed after the hire: the post's
# terms (duties, duty area, funding source, subsidy), the managing unit's
# monthly assessment, a ranger's subsidy paid only after a satisfactory month
# (and no post paid for an unsatisfactory one), a run of three unsatisfactory
# months proposing the end of the post, which is then a job loss with the
# household's early-warning visit, the monthly subsidy roll per funding
# source, and the rangers whose duty area is far from their site.  Bad input
# is refused naming the field and changes nothing.
use strict;
use warnings;
use utf8;
use Test::More;
use POSIX ();
use Encode qw(encode_utf8 decode_utf8);
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $srv = start_server();
my $tag = 'po' . ($$ % 100000) . int(rand(1000));
my $county = 530625;    # 永善县
sub sql_value { return decode_utf8(psql_value(encode_utf8($_[0]))) }
sub field_errors { my ($r) = @_; return { map { $_->{field} => $_->{code} } @{ $r->{json}{errors} || [] } } }
my $now = time + 8 * 3600;
sub day { my ($n) = @_; return POSIX::strftime('%Y-%m-%d', gmtime($now + $n * 86400)) }
# 'YYYY-MM' of n months back
sub month_back {
    my ($n) = @_;
    my @t = gmtime($now);
    my ($y, $m) = ($t[5] + 1900, $t[4] + 1 - $n);
    while ($m < 1) { $m += 12; $y-- }
    while ($m > 12) { $m -= 12; $y++ }
    return sprintf('%04d-%02d', $y, $m);
}
my ($M1, $M2, $M3) = map { month_back($_) } 1, 2, 3;

my $site = sql_value("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('$tag 安置点', $county, 28.05, 103.64, "
                     . "'urban_centralized') RETURNING id");
my $employer = sql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 林草局', "
                         . "'PO' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'public_body', $county) RETURNING id");
sub vacancy {
    my ($kind, $title) = @_;
    return sql_value("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, headcount, wage_min, "
                     . "wage_max, status) VALUES ($employer, '$tag $title', '6-29-01-01', '$kind', $county, 28.1, 103.6, 10, 700, 700, "
                     . "'open') RETURNING id");
}
my %hh;
sub worker {
    my ($n) = @_;
    my $h = sql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, $county, 3) RETURNING id");
    my $w = sql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex) "
                      . "VALUES ($h, '$tag$n', decode(md5(random()::text || clock_timestamp()::text), 'hex'), "
                      . "decode(md5(random()::text), 'hex'), '530625********0000', '1979-05-01', 'M') RETURNING id");
    $hh{$w} = $h;
    return $w;
}
sub hire {
    my ($w, $vac) = @_;
    my $id = http($srv, 'POST', '/v1/applications', body => { worker_id => $w + 0, vacancy_id => $vac + 0, source => 'staff' })->{json}{id};
    http($srv, 'POST', "/v1/applications/$id/transitions", body => { to => $_ }) for qw(shortlisted offered);
    my $r = http($srv, 'POST', "/v1/applications/$id/transitions", body => { to => 'hired', start_date => day(-10), wage => 700 });
    is($r->{status}, 200, "worker $w hired") or diag explain $r->{json};
    psql("UPDATE placement SET start_date = '" . day(-200) . "' WHERE id = $r->{json}{placement}{id}");
    return $r->{json}{placement}{id};
}
my $ranger = vacancy('forest_ranger', '生态护林员');
my $welfare = vacancy('public_welfare', '保洁员');
my $regular = vacancy('regular', '搬运工');
my ($r1, $r2, $g1, $x1) = map { worker($_) } qw(护林甲 护林乙 保洁丙 搬运丁);
my %pl = (r1 => hire($r1, $ranger), r2 => hire($r2, $ranger), g1 => hire($g1, $welfare), x1 => hire($x1, $regular));

# ---------- terms ----------

sub terms { my ($p, $body, %o) = @_; return http($srv, 'PUT', "/v1/placements/$p/post", body => $body, %o) }
my %t1 = (duties => '巡山护林、防火宣传', duty_area => '黄华镇 3 号林班', duty_lat => 28.10, duty_lon => 103.60,
          funding_source => 'central_ranger', monthly_subsidy => 700, managing_unit => '永善县林草局');
my $terms_sql = "SELECT count(*) FROM post_terms WHERE placement_id IN ($pl{r1}, $pl{r2}, $pl{g1}, $pl{x1})";
my @bad = (
    [ $pl{r1}, { %t1, funding_source => 'lottery' }, { funding_source => 'unknown_value' }, 'an unknown funding source' ],
    [ $pl{r1}, { %t1, monthly_subsidy => -1 }, { monthly_subsidy => 'out_of_range' }, 'a negative subsidy' ],
    [ $pl{r1}, { %t1, duty_lon => undef }, { duty_lon => 'required' }, 'a position without its longitude' ],
    [ $pl{r1}, { %t1, duty_lat => 45 }, { duty_lat => 'out_of_range' }, 'a position outside Yunnan' ],
    [ $pl{x1}, \%t1, { placement_id => 'not_a_post' }, 'a regular job is not a post' ],
);
for my $b (@bad) {
    my ($p, $body, $want, $what) = @$b;
    my $r = terms($p, $body);
    is($r->{status}, 422, "$what: 422");
    is_deeply(field_errors($r), $want, "$what: names the field") or diag explain $r->{json};
}
is(psql_value($terms_sql), 0, 'no refused terms were written');
my $r = terms($pl{r1}, \%t1);
is($r->{status}, 200, 'a ranger\'s terms') or diag explain $r->{json};
is($r->{json}{funding_source}, 'central_ranger', 'funded by the central ranger funds');
ok($r->{json}{distance_km} < 10, "duty area near the site ($r->{json}{distance_km} km)");
$r = terms($pl{r2}, { %t1, duty_area => '原籍村 7 号林班', duty_lat => 29.05, duty_lon => 103.64 });
ok($r->{json}{distance_km} > 100, "a ranger whose duty area stayed at the old village ($r->{json}{distance_km} km)");
$r = terms($pl{g1}, { duties => '安置点保洁', funding_source => 'collective_income', monthly_subsidy => 500, managing_unit => '社区居委会' });
is($r->{status}, 200, 'a public-welfare post paid from the site\'s collective income');

# ---------- assessments ----------

sub assess { my ($p, $body, %o) = @_; return http($srv, 'POST', "/v1/placements/$p/assessments", body => $body, %o) }
my $ass_sql = "SELECT count(*) FROM post_assessment WHERE placement_id IN ($pl{r1}, $pl{r2}, $pl{g1})";
for my $b ([ { month => '2025-13', satisfactory => JSON::PP::true }, 422, { month => 'invalid_format' }, 'not a month' ],
           [ { month => month_back(-1), satisfactory => JSON::PP::true }, 422, { month => 'out_of_range' }, 'next month' ],
           [ { month => $M1 }, 422, { satisfactory => 'required' }, 'no finding' ],
           [ { month => $M1, satisfactory => 'yes' }, 422, { satisfactory => 'invalid_type' }, 'a finding that is not true or false' ]) {
    my ($body, $status, $want, $what) = @$b;
    $r = assess($pl{r1}, $body);
    is($r->{status}, $status, "$what: $status");
    is_deeply(field_errors($r), $want, "$what: names the field") or diag explain $r->{json};
}
is(psql_value($ass_sql), 0, 'no refused assessment was written');
$r = assess($pl{r1}, { month => $M3, satisfactory => JSON::PP::false, note => '巡护记录缺失' });
is($r->{status}, 201, 'an unsatisfactory month') or diag explain $r->{json};
is($r->{json}{unsatisfactory_run}, 1, 'a run of one');
$r = assess($pl{r1}, { month => $M3, satisfactory => JSON::PP::true });
is_deeply([ $r->{status}, field_errors($r) ], [ 409, { month => 'duplicate' } ], 'a month is assessed once');
$r = assess($pl{r1}, { month => $M2, satisfactory => JSON::PP::false });
is_deeply([ $r->{json}{unsatisfactory_run}, $r->{json}{end_proposed} ? 1 : 0 ], [ 2, 0 ], 'two in a row: not yet proposed');
$r = http($srv, 'POST', "/v1/placements/$pl{r1}/post/end", body => {});
is_deeply([ $r->{status}, field_errors($r) ], [ 409, { placement_id => 'not_proposed' } ], 'ending it now is refused');
is(sql_value("SELECT ended_on IS NULL FROM placement WHERE id = $pl{r1}"), 't', 'and the post goes on');
$r = assess($pl{r1}, { month => $M1, satisfactory => JSON::PP::false, note => '多次脱岗' });
is_deeply([ $r->{json}{unsatisfactory_run}, $r->{json}{end_proposed} ? 1 : 0 ], [ 3, 1 ], 'three in a row: ending is proposed');
is(assess($pl{r2}, { month => $M2, satisfactory => JSON::PP::false })->{json}{unsatisfactory_run}, 1, 'r2: one unsatisfactory month');
$r = assess($pl{r2}, { month => $M1, satisfactory => JSON::PP::true });
is_deeply([ $r->{json}{unsatisfactory_run}, $r->{json}{end_proposed} ? 1 : 0 ], [ 0, 0 ], 'then a satisfactory one ends the run');

$r = http($srv, 'GET', "/v1/posts?county_code=$county&end_proposed=true");
is_deeply([ map { $_->{placement_id} } @{ $r->{json}{items} } ], [ $pl{r1} + 0 ], 'the posts proposed for ending: r1, not r2 or g1');
$r = http($srv, 'GET', "/v1/posts?county_code=$county&far_from_site=true");
is_deeply([ map { $_->{placement_id} } @{ $r->{json}{items} } ], [ $pl{r2} + 0 ], 'rangers far from their site: r2, not r1');
$r = http($srv, 'GET', "/v1/posts?county_code=$county&kind=public_welfare");
is_deeply([ map { $_->{placement_id} } @{ $r->{json}{items} } ], [ $pl{g1} + 0 ], 'public-welfare posts');
is(http($srv, 'GET', "/v1/posts?kind=regular")->{status}, 400, 'a kind that is not a post: 400');

# ---------- subsidies through the payment records ----------

my $card = '6217' . sprintf('%015d', int(rand(1e12)));
sub subsidy {
    my ($p, $w, $month, $amount) = @_;
    return http($srv, 'POST', '/v1/payments', body => { kind => 'subsidy', placement_id => $p + 0, month => $month, amount => $amount,
        account_number => $card, holder_name => "$tag" . sql_value("SELECT substr(name, length('$tag') + 1) FROM worker WHERE id = $w"),
        paid_on => day(0) });
}
my $pay_sql = "SELECT count(*) FROM wage_payment WHERE placement_id IN ($pl{r1}, $pl{r2}, $pl{g1})";
$r = subsidy($pl{r2}, $r2, $M3, 700);
is_deeply([ $r->{status}, field_errors($r) ], [ 422, { month => 'not_assessed' } ], 'a ranger\'s month not assessed is not paid');
$r = subsidy($pl{r1}, $r1, $M1, 700);
is_deeply([ $r->{status}, field_errors($r) ], [ 422, { month => 'unsatisfactory' } ], 'nor one assessed unsatisfactory');
is(psql_value($pay_sql), 0, 'and nothing was written');
$r = subsidy($pl{r2}, $r2, $M1, 700);
is($r->{status}, 201, 'a satisfactory month is paid') or diag explain $r->{json};
is($r->{json}{kind}, 'subsidy', 'as a subsidy');
$r = subsidy($pl{g1}, $g1, $M1, 500);
is($r->{status}, 201, 'a public-welfare post not assessed unsatisfactory is paid');

$r = http($srv, 'GET', "/v1/post-subsidy-roll?month=$M1&county_code=$county");
is($r->{status}, 200, 'the monthly subsidy roll') or diag explain $r->{json};
my %roll = map { $_->{funding_source} => $_ } @{ $r->{json}{sources} };
is_deeply([ map { $roll{central_ranger}{$_} } qw(posts assessed satisfactory payable_posts payable paid_posts paid) ],
          [ 2, 2, 1, 1, 700, 1, 700 ], 'central ranger funds: two rangers, one satisfactory, 700 payable and paid');
is_deeply([ map { $roll{collective_income}{$_} } qw(posts payable paid) ], [ 1, 500, 500 ], 'the site\'s collective income: one post');
is(http($srv, 'GET', "/v1/post-subsidy-roll")->{status}, 400, 'the roll needs its month');

# ---------- ending the post: a job loss ----------

is(sql_value("SELECT count(*) FROM early_warning_task WHERE household_id = $hh{$r1}"), 0, 'no visit owed yet');
$r = http($srv, 'POST', "/v1/placements/$pl{r1}/post/end", body => { note => '经村民小组评议' });
is($r->{status}, 200, 'the proposed end is carried out') or diag explain $r->{json};
is(sql_value("SELECT ended_on || '/' || end_reason FROM placement WHERE id = $pl{r1}"), day(0) . '/dismissed', 'the placement ended today');
is(sql_value("SELECT employment_status FROM worker WHERE id = $r1"), 'seeking', 'the worker is seeking again');
is(sql_value("SELECT filled FROM vacancy WHERE id = $ranger"), 1, 'the place is given back');
is($r->{json}{early_warning_task}{reason}, 'job_lost_zero_employment', 'and the household, left with nobody employed, gets its visit');
is(sql_value("SELECT reason || '\@' || due_on FROM early_warning_task WHERE household_id = $hh{$r1}"),
   'job_lost_zero_employment@' . day(7), 'within 7 days');
is(http($srv, 'POST', "/v1/placements/$pl{r1}/post/end", body => {})->{status}, 409, 'a post ends once');

# ---------- scope and audit ----------
{
    local $ENV{LEYE_DATABASE_URL} = LeyeTest::dsn();
    local $ENV{PW} = 'posts-test-password';
    system("$ENV{LEYE_SERVER_BIN} admin create-user --username=$tag.other --role=county_staff --counties=530621 --password-env=PW >/dev/null") == 0 or die;
}
my $other = login($srv, "$tag.other", 'posts-test-password');
is(http($srv, 'GET', "/v1/placements/$pl{r2}/post", token => $other)->{status}, 404, 'staff of another county do not see the post');
is(assess($pl{r2}, { month => $M3, satisfactory => JSON::PP::true }, token => $other)->{status}, 404, 'nor assess it');
is(sql_value("SELECT count(*) FROM post_assessment WHERE placement_id = $pl{r2} AND month = '$M3-01'"), 0, 'which changed nothing');
ok(sql_value("SELECT count(*) FROM audit_log WHERE resource = 'post_terms' AND resource_id = '$pl{r1}'") >= 1, 'terms are audited');
is(sql_value("SELECT count(*) FROM audit_log WHERE resource = 'post_assessment' AND action = 'insert'"), 5, 'and every assessment');
done_testing();
