# Work-relief (以工代赈) projects: create, read, update, list; the money rules
# (remuneration within the investment, at least 30% for central funding);
# the rollups of hires through linked vacancies plus local hires; labour
# remuneration payments.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $srv = start_server();
my $tag = 'P' . $$ . int(rand(1e6));
my $count_sql = "SELECT count(*) FROM work_relief_project WHERE name LIKE '$tag%'";

sub field_errors { my ($r) = @_; return { map { $_->{field} => $_->{code} } @{ $r->{json}{errors} || [] } } }

my %base = (county_code => 530621, name => "$tag 乡村道路硬化", total_investment => 2000000,
            remuneration_budget => 700000, planned_jobs => 60);

# --- create
my $r = http($srv, 'POST', '/v1/work-relief-projects', body => { %base, start_date => '2025-03-01', end_date => '2025-10-31' });
is($r->{status}, 201, 'create answers 201') or diag explain $r->{json};
my $p = $r->{json};
like($r->{headers}{location}, qr{^/v1/work-relief-projects/$p->{id}$}, 'with Location');
is($r->{headers}{etag}, '"1"', 'with an ETag');
is($p->{funding}, 'central', 'funding defaults to central');
is($p->{county_name}, '鲁甸县', 'county name resolved');
is($p->{remuneration_share}, 0.35, 'remuneration share');
is($p->{jobs_filled}, 0, 'no jobs filled yet');
is($p->{local_hires}, 0, 'no local hires');
is($p->{share_filled_by_relocated}, undef, 'no share while nobody is hired');
is($p->{remuneration_paid}, 0, 'nothing paid');
is_deeply($p->{vacancies}, [], 'no vacancies');

$r = http($srv, 'POST', '/v1/work-relief-projects', body => { %base, name => "$tag 省级水渠", funding => 'provincial',
    remuneration_budget => 200000, local_hires => 4 });
is($r->{status}, 201, 'provincial funding may pay less than 30% as remuneration');
is($r->{json}{jobs_filled}, 4, 'local hires count as jobs filled');
my $prov = $r->{json};

my $count = psql_value($count_sql);
sub refused {
    my ($body, $want, $name) = @_;
    my $res = http($srv, 'POST', '/v1/work-relief-projects', body => $body);
    is($res->{status}, 422, "$name: 422");
    is_deeply(field_errors($res), $want, "$name: names the field") or diag explain $res->{json};
}
refused({}, { county_code => 'required', name => 'required', total_investment => 'required',
              remuneration_budget => 'required', planned_jobs => 'required' }, 'an empty body');
refused({ %base, remuneration_budget => 599999.99 }, { remuneration_budget => 'out_of_range' },
        'central funding paying under 30% as remuneration');
$r = http($srv, 'POST', '/v1/work-relief-projects', body => { %base, name => "$tag 边界", remuneration_budget => 600000 });
is($r->{status}, 201, 'central funding paying exactly 30% as remuneration is enough');
$count++;
refused({ %base, funding => 'other', remuneration_budget => 2000001 }, { remuneration_budget => 'out_of_range' },
        'remuneration above the investment');
refused({ %base, total_investment => 0, remuneration_budget => 0 }, { total_investment => 'out_of_range' }, 'no investment');
refused({ %base, total_investment => -5 }, { total_investment => 'out_of_range' }, 'a negative investment');
refused({ %base, remuneration_budget => 'much' }, { remuneration_budget => 'invalid_type' }, 'money that is not a number');
refused({ %base, funding => 'private' }, { funding => 'unknown_value' }, 'an unknown funding source');
refused({ %base, county_code => 530600 }, { county_code => 'not_found' }, 'a prefecture is not a county');
refused({ %base, planned_jobs => -1 }, { planned_jobs => 'out_of_range' }, 'negative planned jobs');
refused({ %base, local_hires => -1 }, { local_hires => 'out_of_range' }, 'negative local hires');
refused({ %base, start_date => '2025-06-01', end_date => '2025-05-31' }, { end_date => 'invalid_range' }, 'end before start');
refused({ %base, name => '' }, { name => 'required' }, 'an empty name');
refused({ %base, jobs_filled => 3 }, { jobs_filled => 'unknown_field' }, 'jobs_filled is kept by the system');
is(psql_value($count_sql), $count, 'none of the refused requests made a project');

# --- read
$r = http($srv, 'GET', "/v1/work-relief-projects/$p->{id}");
is($r->{status}, 200, 'read answers 200');
is($r->{json}{name}, "$tag 乡村道路硬化", 'with the data');
is($r->{headers}{etag}, '"1"', 'and the ETag');
is(http($srv, 'GET', '/v1/work-relief-projects/999999999')->{status}, 404, 'unknown id: 404');

# --- update
my $id = $p->{id};
sub patch { my ($pid, $etag, $body) = @_; return http($srv, 'PATCH', "/v1/work-relief-projects/$pid", body => $body, headers => { 'If-Match' => "\"$etag\"" }) }
is(http($srv, 'PATCH', "/v1/work-relief-projects/$id", body => { planned_jobs => 70 })->{status}, 428, 'an update without If-Match gets 428');
$r = patch($id, 1, { planned_jobs => 70 });
is($r->{status}, 200, 'an update with the current ETag succeeds');
is($r->{json}{planned_jobs}, 70, 'the change is made');
is($r->{headers}{etag}, '"2"', 'the ETag moves on');
$r = patch($id, 1, { planned_jobs => 80 });
is($r->{status}, 412, 'a stale If-Match gets 412');
is(psql_value("SELECT planned_jobs FROM work_relief_project WHERE id = $id"), 70, 'and changes nothing');
my $before = psql_value("SELECT version || funding || total_investment || remuneration_budget || coalesce(end_date::text, '') FROM work_relief_project WHERE id = $id");
sub refused_patch {
    my ($pid, $etag, $body, $want, $name) = @_;
    my $res = patch($pid, $etag, $body);
    is($res->{status}, 422, "$name: 422");
    is_deeply(field_errors($res), $want, "$name: names the field") or diag explain $res->{json};
}
refused_patch($id, 2, { total_investment => 3000000 }, { remuneration_budget => 'out_of_range' },
              'more investment without more remuneration drops under 30%');
refused_patch($id, 2, { remuneration_budget => 2500000 }, { remuneration_budget => 'out_of_range' }, 'remuneration above the investment');
refused_patch($prov->{id}, 1, { funding => 'central' }, { remuneration_budget => 'out_of_range' },
              'turning a 10% project central');
refused_patch($id, 2, { end_date => '2025-01-01' }, { end_date => 'invalid_range' }, 'an end before the stored start');
refused_patch($id, 2, { remuneration_share => 1 }, { remuneration_share => 'unknown_field' }, 'the share is derived');
is(psql_value("SELECT version || funding || total_investment || remuneration_budget || coalesce(end_date::text, '') FROM work_relief_project WHERE id = $id"),
   $before, 'none of the refused changes was made');
$r = patch($id, 2, { total_investment => 2400000, remuneration_budget => 960000 });
is($r->{json}{remuneration_share}, 0.4, 'money changed together');

# --- linked vacancies and their hires
my $code = sprintf('PA%016d', $$ * 1000000 + int(rand(1e6)));
my $emp = psql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 施工队', '$code', 'enterprise', 530621) RETURNING id");
my @vac;
for my $i (1 .. 2) {
    $r = http($srv, 'POST', '/v1/vacancies', body => { employer_id => $emp + 0, title => "$tag 道路工$i", occupation_code => '6-29-01-01',
        kind => 'work_relief', project_id => $id + 0, county_code => 530621, headcount => 10, wage_min => 150, wage_max => 180,
        wage_period => 'day', status => 'open' });
    is($r->{status}, 201, "linked vacancy $i") or diag explain $r->{json};
    push @vac, $r->{json}{id};
}
psql("UPDATE vacancy SET filled = 6 WHERE id = $vac[0]");
psql("UPDATE vacancy SET filled = 3 WHERE id = $vac[1]");
$r = http($srv, 'GET', "/v1/work-relief-projects/$id");
is($r->{json}{filled_by_relocated}, 9, 'filled by relocated workers: the vacancies\' hires');
is($r->{json}{jobs_filled}, 9, 'jobs filled');
is($r->{json}{share_filled_by_relocated}, 1, 'all by relocated workers');
is_deeply($r->{json}{vacancies}, [ { id => $vac[0], title => "$tag 道路工1", headcount => 10, filled => 6, status => 'open' },
                                   { id => $vac[1], title => "$tag 道路工2", headcount => 10, filled => 3, status => 'open' } ],
          'the linked vacancies');
my $etag = $r->{headers}{etag}; $etag =~ s/"//g;
$r = patch($id, $etag, { local_hires => 3 });
is($r->{json}{jobs_filled}, 12, 'local hires add to jobs filled');
is($r->{json}{share_filled_by_relocated}, 0.75, 'and lower the relocated share');
psql("UPDATE vacancy SET filled = 10 WHERE id = $vac[0]");
$r = http($srv, 'GET', "/v1/work-relief-projects/$id");
is($r->{json}{jobs_filled}, 16, 'more hires follow at once');
is($r->{json}{vacancies}[0]{status}, 'filled', 'and a full vacancy shows as filled');
$etag = $r->{headers}{etag}; $etag =~ s/"//g;
refused_patch($id, $etag, { county_code => 530602 }, { county_code => 'not_allowed' }, 'a project with vacancies keeps its county');

# --- payments
my $pay_sql = "SELECT count(*) || '/' || coalesce(sum(amount), 0) FROM remuneration_payment WHERE project_id = $id";
my $pays = psql_value($pay_sql);
sub pay { my ($pid, $body, %h) = @_; return http($srv, 'POST', "/v1/work-relief-projects/$pid/payments", body => $body, headers => \%h) }
sub refused_pay {
    my ($body, $want, $name) = @_;
    my $res = pay($id, $body);
    is($res->{status}, 422, "$name: 422");
    is_deeply(field_errors($res), $want, "$name: names the field") or diag explain $res->{json};
}
my $tomorrow = do { my @g = gmtime(time + 8 * 3600 + 86400); sprintf('%04d-%02d-%02d', $g[5] + 1900, $g[4] + 1, $g[3]) };
refused_pay({}, { amount => 'required', paid_on => 'required' }, 'an empty payment');
refused_pay({ amount => 0, paid_on => '2025-05-31' }, { amount => 'out_of_range' }, 'a payment of nothing');
refused_pay({ amount => -100, paid_on => '2025-05-31' }, { amount => 'out_of_range' }, 'a negative payment');
refused_pay({ amount => 0.001, paid_on => '2025-05-31' }, { amount => 'out_of_range' }, 'less than a fen');
refused_pay({ amount => 1000, paid_on => $tomorrow }, { paid_on => 'out_of_range' }, 'a payment in the future');
refused_pay({ amount => 1000, paid_on => '2025-13-01' }, { paid_on => 'invalid_date' }, 'an impossible date');
refused_pay({ amount => 1000, paid_on => '2025-05-31', payee => 'x' }, { payee => 'unknown_field' }, 'an unknown field');
is(pay(999999999, { amount => 1000, paid_on => '2025-05-31' })->{status}, 404, 'a payment to an unknown project: 404');
is(psql_value($pay_sql), $pays, 'none of the refused payments was recorded');

$r = pay($id, { amount => 54000.5, paid_on => '2025-05-31', note => '5月劳务报酬' });
is($r->{status}, 201, 'a payment is recorded') or diag explain $r->{json};
is($r->{json}{amount}, 54000.5, 'with its amount');
is($r->{json}{remuneration_paid}, 54000.5, 'and the project\'s total');
my $key = "pay-$tag";
$r = pay($id, { amount => 60000, paid_on => '2025-06-30' }, 'Idempotency-Key' => $key);
is($r->{status}, 201, 'a payment with a key');
my $pay_id = $r->{json}{id};
$r = pay($id, { amount => 60000, paid_on => '2025-06-30' }, 'Idempotency-Key' => $key);
is($r->{json}{id}, $pay_id, 'a retried payment answers the first one');
is($r->{headers}{'idempotent-replayed'}, 'true', 'marked as replayed');
$r = pay($id, { amount => 61000, paid_on => '2025-06-30' }, 'Idempotency-Key' => $key);
is_deeply(field_errors($r), { 'Idempotency-Key' => 'idempotency_mismatch' }, 'the same key with another amount is refused');
$r = pay($prov->{id}, { amount => 60000, paid_on => '2025-06-30' }, 'Idempotency-Key' => $key);
is_deeply(field_errors($r), { 'Idempotency-Key' => 'idempotency_mismatch' }, 'or for another project');
is(psql_value($pay_sql), '2/114000.50', 'two payments, paid once each');
$r = http($srv, 'GET', "/v1/work-relief-projects/$id");
is($r->{json}{remuneration_paid}, 114000.5, 'remuneration paid is the sum of the payments');
is(http($srv, 'GET', "/v1/work-relief-projects/$prov->{id}")->{json}{remuneration_paid}, 0, 'other projects are untouched');

# --- Idempotency-Key on create
my %ibody = (%base, name => "$tag 幂等");
$r = http($srv, 'POST', '/v1/work-relief-projects', body => \%ibody, headers => { 'Idempotency-Key' => "p-$tag" });
my $first = $r->{json}{id};
$r = http($srv, 'POST', '/v1/work-relief-projects', body => \%ibody, headers => { 'Idempotency-Key' => "p-$tag" });
is($r->{json}{id}, $first, 'a retried create answers the first project');
is($r->{headers}{'idempotent-replayed'}, 'true', 'marked as replayed');
is(psql_value("SELECT count(*) FROM work_relief_project WHERE name = '$tag 幂等'"), 1, 'one project');

# --- list, filters, paging to the end
for my $i (1 .. 5) {
    $r = http($srv, 'POST', '/v1/work-relief-projects', body => { %base, name => sprintf('%s L%02d', $tag, $i),
        county_code => $i % 2 ? 530621 : 530602, funding => $i <= 2 ? 'other' : 'central' });
    is($r->{status}, 201, "list row $i");
}
my (@names, $cursor, $pages);
do {
    $r = http($srv, 'GET', "/v1/work-relief-projects?q=$tag&sort=name&limit=3" . ($cursor ? "&cursor=$cursor" : ''));
    push @names, map { $_->{name} } @{ $r->{json}{items} };
    $cursor = $r->{json}{next_cursor};
    $pages++;
} while ($cursor && $pages < 10);
is(scalar @names, 9, 'paging to the end returns every project once');
is_deeply(\@names, [ sort @names ], 'in name order');
is($pages, 3, 'in three pages of three');
my @ids;
($cursor, $pages) = (undef, 0);
do {
    $r = http($srv, 'GET', "/v1/work-relief-projects?q=$tag&limit=5" . ($cursor ? "&cursor=$cursor" : ''));
    push @ids, map { $_->{id} } @{ $r->{json}{items} };
    $cursor = $r->{json}{next_cursor};
    $pages++;
} while ($cursor && $pages < 10);
is_deeply(\@ids, [ sort { $a <=> $b } @ids ], 'in id order by default');
is(scalar @ids, 9, 'every project once');
sub names { my ($q) = @_; return [ sort map { $_->{name} } @{ http($srv, 'GET', "/v1/work-relief-projects?q=$tag&$q")->{json}{items} } ] }
is_deeply(names('county_code=530602'), [ "$tag L02", "$tag L04" ], 'county filter');
is_deeply(names('funding=other'), [ "$tag L01", "$tag L02" ], 'funding filter');
is_deeply(names('funding=provincial'), [ "$tag 省级水渠" ], 'provincial');
$r = patch($prov->{id}, 1, { archived => JSON::PP::true });
is($r->{json}{archived}, JSON::PP::true, 'a project is archived');
is_deeply(names('archived=true'), [ "$tag 省级水渠" ], 'archived filter');
ok(!(grep { $_ eq "$tag 省级水渠" } @{ names('') }), 'archived projects are left out by default');
is(http($srv, 'GET', '/v1/work-relief-projects?funding=private')->{status}, 400, 'an unknown funding filter is refused');
is(http($srv, 'GET', '/v1/work-relief-projects?kind=x')->{status}, 400, 'an unknown filter is refused');
$r = http($srv, 'GET', "/v1/work-relief-projects?q=$tag&format=csv");
like($r->{headers}{'content-type'}, qr{^text/csv}, 'CSV export');
is(scalar(grep { length } split /\r\n/, $r->{content}), 1 + 8, 'a header and every matching row');
is(http($srv, 'DELETE', "/v1/work-relief-projects/$id")->{status}, 405, 'projects are never deleted');

done_testing();
