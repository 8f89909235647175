# Households that ask for help, and lists from other departments.
#
# A person signed in at a kiosk asks for help: one self_application visit for
# the household (asked again while it is open: the same one), audited as the
# kiosk session; bad input changes nothing.  Staff import another
# department's list (GBK CSV: ID number, flag, date), all rows or none; Leye
# reports the people of the county whose status there disagrees with Leye's,
# opens visits on request, keeps only the blind index of each number, and
# deletes the list when its retention ends (audited).
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;
use Encode qw(encode encode_utf8);

binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $srv = start_server();
my $tag = 'hp' . ($$ % 100000);
my $bin = $ENV{LEYE_SERVER_BIN};
my $county = 532927;
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); my $out = `$bin admin @_ 2>&1`; chomp $out; return $out }
sub sql { return psql(encode_utf8($_[0])) }
sub sql_value { return psql_value(encode_utf8($_[0])) }
sub id_number {
    my ($serial) = @_;
    my $body = sprintf('5329271988%04d%03d', 1207, $serial % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}
sub field_error {
    my ($r, $status, $field, $code, $what) = @_;
    is($r->{status}, $status, "$what: $status");
    like($r->{headers}{'content-type'} // '', qr{^application/problem\+json}, "$what: problem+json");
    my ($e) = grep { ($_->{field} // '') eq $field } @{ $r->{json}{errors} || [] };
    is($e && $e->{code}, $code, "$what: names $field ($code)");
}

# five people at one site: a asks for help at the kiosk; b is employed here
# and on a hardship list there; c is seeking here and employed there; d is
# employed both here and there (they agree); e is in another county
my $site = sql_value("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('巍山${tag}安置点', $county, 25.23, 100.30, 'rural_centralized') RETURNING id");
my $other_site = sql_value("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('鲁甸${tag}安置点', 530621, 27.19, 103.55, 'urban_centralized') RETURNING id");
my (%worker, %hh, %idn);
my %status = (a => 'seeking', b => 'employed_local', c => 'seeking', d => 'employed_local', e => 'employed_local');
my $serial = $$ % 900;
for my $k (qw(a b c d e)) {
    $idn{$k} = id_number($serial++);
    my $hash = cli("id-hash --id-number=$idn{$k}");
    my $s = $k eq 'e' ? $other_site : $site;
    $hh{$k} = sql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($s, $county, 3) RETURNING id");
    my $masked = substr($idn{$k}, 0, 6) . ('*' x 11) . substr($idn{$k}, 17);
    $worker{$k} = sql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex,
        phone_hash, phone_enc, phone_masked, employment_status) VALUES ($hh{$k}, '李$k$tag', '$hash', '\\x00', '$masked', '1988-12-07', 'F',
        '\\x00', '\\x00', '137****5678', '$status{$k}') RETURNING id");
}
is(http($srv, 'PUT', "/v1/workers/$worker{a}/pin", body => { pin => '246813' })->{status}, 200, 'a PIN for worker a');
my $r = http($srv, 'POST', '/v1/kiosk/login', anonymous => 1, body => { id_number => $idn{a}, pin => '246813' });
is($r->{status}, 200, 'worker a signs in at a kiosk');
my $kiosk = $r->{json}{token};

# ---------- asking for help at the kiosk ----------

my $tasks = sub { sql_value("SELECT count(*) FROM early_warning_task WHERE household_id = $hh{a} AND reason = 'self_application'") };
my $help = sub { http($srv, 'POST', '/v1/kiosk/help', token => $kiosk, body => $_[0], @_[1 .. $#_]) };

is(http($srv, 'POST', '/v1/kiosk/help', anonymous => 1, body => { reason => 'illness' })->{status}, 401, 'anonymous: 401');
is(http($srv, 'POST', '/v1/kiosk/help', body => { reason => 'illness' })->{status}, 403, 'staff: 403 (kiosk sessions only)');
field_error($help->({ reason => 'bored' }), 422, 'reason', 'unknown_value', 'a reason not offered');
field_error($help->({}), 422, 'reason', 'required', 'no reason');
field_error($help->({ reason => 'illness', household_id => 0 + $hh{b} }), 422, 'household_id', 'unknown_field', 'naming a household');
is($help->('{"reason": ', headers => { 'Content-Type' => 'application/json' })->{status}, 400, 'malformed JSON: 400');
is($tasks->(), 0, 'none of those opened a task');

$r = $help->({ reason => 'income_fell' });
is($r->{status}, 201, 'asking for help: 201');
is($r->{json}{reason}, 'income_fell', 'with the reason given');
is($r->{json}{due_on}, days_from_today(3), 'a visit due within 3 days');
ok(!$r->{json}{already_open}, 'a new request');
ok(!exists $r->{json}{$_}, "the kiosk's answer has no $_") for qw(household_id monitoring_status zero_employment);
my $task_id = $r->{json}{id};
is($tasks->(), 1, 'one self_application task for the household');
is(sql_value("SELECT help_reason || ' ' || worker_id || ' ' || status FROM early_warning_task WHERE id = $task_id"),
   "income_fell $worker{a} open", 'recorded with the reason and who asked');
is(sql_value("SELECT count(*) FROM audit_log WHERE resource = 'early_warning_task' AND resource_id = '$task_id'
              AND action = 'insert' AND actor_kind = 'kiosk' AND actor_id = $worker{a}"), 1, 'audited as the kiosk session');

$r = $help->({ reason => 'illness' });
is($r->{status}, 200, 'asking again while the visit is open: 200');
is($r->{json}{id}, $task_id, 'the same request');
ok($r->{json}{already_open}, 'said to be open already');
is($tasks->(), 1, 'still one task');

$r = http($srv, 'GET', "/v1/early-warning-tasks?household_id=$hh{a}");
my ($t) = grep { $_->{id} == $task_id } @{ $r->{json}{items} || [] };
ok($t, 'staff see the request among the early-warning tasks');
is($t && $t->{reason}, 'self_application', 'as a self-application');
is($t && $t->{help_reason}, 'income_fell', 'with its reason');
is($t && $t->{worker_id}, $worker{a}, 'and who asked');

# ---------- a list from another department ----------

my $lists = sub { sql_value("SELECT count(*) FROM department_list WHERE name LIKE '%$tag%'") };
my $import = sub {
    my ($csv, %q) = @_;
    my $token = delete $q{token};
    my $qs = join('&', map { "$_=$q{$_}" } sort keys %q);
    return http($srv, 'POST', "/v1/imports/department-list?$qs", body => encode('gbk', $csv),
                headers => { 'Content-Type' => 'text/csv' }, $token ? (token => $token) : ());
};
my %q = (department => 'civil_affairs', name => "dibao$tag", county_code => $county);
my $not_here = id_number($serial++);
my $csv = "身份证号,标识,日期\r\n"
        . "$idn{b},低保," . days_from_today(-30) . "\r\n"
        . "$idn{c},参保就业," . days_from_today(-10) . "\r\n"
        . "$idn{d},就业," . days_from_today(-10) . "\r\n"
        . "$idn{e},低保," . days_from_today(-5) . "\r\n"
        . "$not_here,困难," . days_from_today(-5) . "\r\n";

my $bad = $csv;
substr($bad, index($bad, $idn{c}) + 17, 1) = (substr($idn{c}, 17, 1) eq '0' ? '1' : '0');
$r = $import->($bad, %q);
is($r->{status}, 422, 'a row with a wrong check character: 422');
my ($e) = grep { $_->{field} eq 'id_number' } @{ $r->{json}{errors} || [] };
is($e && $e->{line}, 3, 'names the line');
is($e && $e->{code}, 'check_digit', 'and the reason');
field_error($import->($csv, %q, department => 'police'), 400, 'department', 'unknown_value', 'an unknown department');
field_error($import->($csv, %q, county_code => 'x'), 400, 'county_code', 'invalid', 'a malformed county');
field_error($import->($csv, department => 'civil_affairs', county_code => $county), 400, 'name', 'required', 'no name');
$r = $import->("身份证号,标识,日期\r\n$idn{b},富裕," . days_from_today(-1) . "\r\n", %q);
($e) = grep { $_->{field} eq 'flag' } @{ $r->{json}{errors} || [] };
is($e && $e->{code}, 'unknown_value', 'an unknown flag is refused');
$r = $import->("身份证号,标识,日期\r\n$idn{b},低保," . days_from_today(2) . "\r\n", %q);
($e) = grep { $_->{field} eq 'flag_date' } @{ $r->{json}{errors} || [] };
is($e && $e->{code}, 'out_of_range', 'a date after today is refused');
{
    local $ENV{PW} = 'help-test-password';
    local $ENV{LEYE_DATABASE_URL} = dsn();
    system("$bin admin create-user --username=$tag.ludian --role=county_staff --counties=530621 --password-env=PW >/dev/null") == 0 or die;
}
my $ludian = login($srv, "$tag.ludian", 'help-test-password');
field_error($import->($csv, %q, token => $ludian), 422, 'county_code', 'outside_scope', "another county's staff");
is($lists->(), 0, 'none of those kept a list');

$r = $import->($csv, %q);
is($r->{status}, 201, 'importing the list (GBK): 201');
my $list = $r->{json};
is($r->{headers}{location}, "/v1/department-lists/$list->{id}", 'Location of the list');
is($list->{rows}, 5, 'five rows');
is($list->{matched}, 3, "three of them people of the county in Leye");
is($list->{disagreements}, 2, 'two disagree with Leye');
my $kept = sql_value("SELECT extract(day FROM expires_at - imported_at) FROM department_list WHERE id = $list->{id}");
is($kept, 90, 'kept 90 days by default');
is(sql_value("SELECT count(*) FROM department_list_entry WHERE list_id = $list->{id}"), 5, 'every row kept');
my $dump = sql("SELECT row_to_json(e) FROM department_list_entry e WHERE list_id = $list->{id}");
unlike($dump, qr/\Q$idn{b}\E|\Q$not_here\E/, 'by the blind index only, never the number');
is(sql_value("SELECT count(*) FROM audit_log WHERE resource = 'department_list' AND resource_id = '$list->{id}' AND action = 'insert'"),
   1, 'the import is audited');

$r = http($srv, 'GET', "/v1/department-lists/$list->{id}");
is($r->{status}, 200, 'the list with its disagreements');
my %d = map { $_->{worker_id} => $_ } @{ $r->{json}{items} || [] };
is_deeply([sort keys %d], [sort { $a <=> $b } $worker{b}, $worker{c}], 'b and c disagree; d agrees; e is in another county');
is($d{$worker{b}}{disagreement}, 'employed_here_hardship_there', 'b: employed here, on a hardship list there');
is($d{$worker{c}}{disagreement}, 'seeking_here_employed_there', 'c: seeking here, employed there');
like($d{$worker{b}}{id_number_masked} // '', qr/^532927\*{11}[0-9X]$/, 'ID numbers masked');
unlike($r->{content}, qr/\Q$idn{b}\E/, 'never in full');
$r = http($srv, 'GET', '/v1/department-lists');
ok((grep { $_->{id} == $list->{id} } @{ $r->{json}{items} || [] }), 'listed among the lists');
$r = http($srv, 'GET', '/v1/department-lists', token => $ludian);
ok(!(grep { $_->{id} == $list->{id} } @{ $r->{json}{items} || [] }), "not among another county's");
is(http($srv, 'GET', "/v1/department-lists/$list->{id}", token => $ludian)->{status}, 404, "another county's staff: 404");

my $dl_tasks = sub { sql_value("SELECT count(*) FROM early_warning_task WHERE department_list_id = $list->{id}") };
field_error(http($srv, 'POST', "/v1/department-lists/$list->{id}/tasks", body => { worker_ids => [0 + $worker{d}] }),
            422, 'worker_ids', 'not_found', 'a visit for someone who agrees');
field_error(http($srv, 'POST', "/v1/department-lists/$list->{id}/tasks", body => { worker_ids => 'all' }),
            422, 'worker_ids', 'invalid_type', 'worker_ids not a list');
is($dl_tasks->(), 0, 'nothing opened');
$r = http($srv, 'POST', "/v1/department-lists/$list->{id}/tasks", body => { worker_ids => [0 + $worker{b}] });
is($r->{status}, 200, 'a visit for b');
is($r->{json}{opened}, 1, 'one opened');
is($r->{json}{items}[0]{disagreement}, 'employed_here_hardship_there', 'saying why');
is($r->{json}{items}[0]{due_on}, days_from_today(7), 'due within 7 days');
$r = http($srv, 'POST', "/v1/department-lists/$list->{id}/tasks", body => {});
is($r->{json}{opened}, 1, 'then all: only c was still without one');
is(http($srv, 'POST', "/v1/department-lists/$list->{id}/tasks")->{json}{opened}, 0, 'and again: none');
is($dl_tasks->(), 2, 'two visits in all');
$r = http($srv, 'GET', "/v1/department-lists/$list->{id}");
ok((!grep { !$_->{task_open} } @{ $r->{json}{items} }), 'each disagreement shows its open visit');

# ---------- retention ----------

my $short = start_server(env => { LEYE_DEPARTMENT_LIST_DAYS => 0 });
$r = http($short, 'POST', "/v1/imports/department-list?department=medical_insurance&name=yibao$tag&county_code=$county",
          body => encode_utf8("id_number,flag,flag_date\n$idn{b},hardship," . days_from_today(-1) . "\n"),
          headers => { 'Content-Type' => 'text/csv' });
is($r->{status}, 201, 'a list kept 0 days: imported');
my $gone_id = $r->{json}{id};
is(http($short, 'GET', "/v1/department-lists/$gone_id")->{status}, 404, 'already out of reach once its retention ended');
http($short, 'POST', "/v1/department-lists/$gone_id/tasks");
ok(wait_until(sub { select(undef, undef, undef, 0.5); sql_value("SELECT count(*) FROM department_list WHERE id = $gone_id") == 0 }, 25),
   'deleted by the background purge');
is(sql_value("SELECT count(*) FROM department_list_entry WHERE list_id = $gone_id"), 0, 'with its rows');
is(sql_value("SELECT count(*) FROM audit_log WHERE resource = 'department_list' AND resource_id = '$gone_id'
              AND action = 'purge' AND actor_kind = 'system'"), 1, 'the deletion is audited');
is(sql_value("SELECT count(*) FROM department_list WHERE id = $list->{id}"), 1, 'a list still in its retention stays');

done_testing();
