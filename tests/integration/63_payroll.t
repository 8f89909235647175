# Work-relief payroll (一卡两账三查): the roster and attendance ledger (by hand
# and from CSV in GBK), the monthly pay sheet (attendance × the agreed rate,
# an adjustment with its reason, approval posting a 7-day notice with names
# masked, objections, release), payments to each worker's own account (one
# by one and from the bank's return file; a failure and its resubmission;
# the account number encrypted, never answered in full), the checks (each
# with a case that is flagged and one that is not), the labour-remuneration
# share from actual payments against a separate SQL query, the county's
# reproducible spot check, scope and audit.  Bad input is refused naming the
# field and changes nothing.
use strict;
use warnings;
use utf8;
use Test::More;
use POSIX ();
use Encode qw(encode encode_utf8 decode_utf8);
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $srv = start_server();
my $tag = 'PR' . ($$ % 100000) . int(rand(1000));
my $county = 530624;    # 大关县
sub sql_value { return decode_utf8(psql_value(encode_utf8($_[0]))) }
sub field_errors { my ($r) = @_; return { map { $_->{field} => $_->{code} } @{ $r->{json}{errors} || [] } } }
sub ymd { return POSIX::strftime('%Y-%m-%d', gmtime($_[0])) }
my $now = time + 8 * 3600;
sub day { my ($n) = @_; return ymd($now + $n * 86400) }
# the month two months back: its first day (epoch), 'YYYY-MM', its dates and its end
my @t = gmtime($now);
my ($y, $m) = ($t[5] + 1900, $t[4] + 1 - 2);
if ($m < 1) { $m += 12; $y-- }
my $M = sprintf('%04d-%02d', $y, $m);
my $m0 = POSIX::mktime(0, 0, 12, 1, $m - 1, $y - 1900);
sub mday { my ($d) = @_; return sprintf('%s-%02d', $M, $d) }
my ($ny, $nm) = $m == 12 ? ($y + 1, 1) : ($y, $m + 1);
my $mend_epoch = POSIX::mktime(0, 0, 12, 1, $nm - 1, $ny - 1900) - 86400;
sub after_end { my ($n) = @_; return ymd($mend_epoch + $n * 86400) }

# ---------- a county's projects, their posts and workers ----------

my $site = http($srv, 'POST', '/v1/sites', body => { name => "$tag 安置点", county_code => $county, kind => 'urban_centralized' })->{json}{id};
my $hh = sql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, $county, 6) RETURNING id");
my %name;
sub worker {
    my ($n) = @_;
    my $id = sql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex) "
                       . "VALUES ($hh, '$n', decode(md5(random()::text || clock_timestamp()::text), 'hex'), "
                       . "decode(md5(random()::text), 'hex'), '530624********0000', '1985-05-01', 'M') RETURNING id");
    $name{$id} = $n;
    return $id;
}
my $employer = sql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 施工队', "
                         . "'PR' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', $county) RETURNING id");
sub project {
    my (%o) = @_;
    my $r = http($srv, 'POST', '/v1/work-relief-projects', body => { county_code => $county, name => "$tag $o{name}",
        funding => $o{funding}, total_investment => $o{investment}, remuneration_budget => $o{budget}, planned_jobs => 20 });
    is($r->{status}, 201, "project $o{name}") or diag explain $r->{json};
    return $r->{json}{id};
}
sub vacancy {
    my ($project, $wage) = @_;
    my $r = http($srv, 'POST', '/v1/vacancies', body => { employer_id => $employer + 0, title => "$tag 道路工", occupation_code => '6-29-01-01',
        kind => 'work_relief', project_id => $project + 0, county_code => $county, headcount => 10, wage_min => $wage,
        wage_max => $wage + 20, wage_period => 'day', status => 'open' });
    is($r->{status}, 201, 'a work-relief vacancy') or diag explain $r->{json};
    return $r->{json}{id};
}
sub hire {
    my ($w, $vac, $wage) = @_;
    my $id = http($srv, 'POST', '/v1/applications', body => { worker_id => $w + 0, vacancy_id => $vac + 0, source => 'staff' })->{json}{id};
    http($srv, 'POST', "/v1/applications/$id/transitions", body => { to => $_ }) for qw(shortlisted offered);
    my $r = http($srv, 'POST', "/v1/applications/$id/transitions", body => { to => 'hired', start_date => day(-20), wage => $wage });
    is($r->{status}, 200, "worker $w hired") or diag explain $r->{json};
    # hired before the month the payroll is kept for
    psql("UPDATE placement SET start_date = '" . day(-100) . "' WHERE id = $r->{json}{placement}{id}");
    return $r->{json}{placement}{id};
}

my $P = project(name => '村道硬化', funding => 'central', investment => 1000000, budget => 300000);
my $Q = project(name => '水渠修复', funding => 'other', investment => 200000, budget => 50000);
my $vP = vacancy($P, 200);
my $vQ = vacancy($Q, 180);
my ($w1, $w2, $w3, $w4) = map { worker("$tag$_") } qw(杨一 李二 张三 赵四);
my %pl = (w1 => hire($w1, $vP, 200), w2 => hire($w2, $vP, 200), w3 => hire($w3, $vP, 200));
# w1 also on project Q's books that month (a record of two jobs at once, as
# a paper ledger may hold it)
my $app = sql_value("INSERT INTO application (worker_id, vacancy_id, source, status) VALUES ($w1, $vQ, 'staff', 'hired') RETURNING id");
$pl{w1q} = sql_value("INSERT INTO placement (application_id, worker_id, vacancy_id, start_date, wage, location_scope) "
                     . "VALUES ($app, $w1, $vQ, '" . day(-100) . "', 180, 'local') RETURNING id");

# ---------- attendance ----------

sub attend { my ($p, $body, %o) = @_; return http($srv, 'POST', "/v1/work-relief-projects/$p/attendance", body => $body, %o) }
my $att_sql = "SELECT count(*) || '/' || coalesce(sum(days), 0) FROM attendance WHERE project_id IN ($P, $Q)";
for my $d (5, 6, 7) {
    my $r = attend($P, { worker_id => $w1 + 0, work_date => mday($d), days => 1 });
    is($r->{status}, 200, "w1 worked on " . mday($d)) or diag explain $r->{json};
}
is(attend($P, { worker_id => $w2 + 0, month => $M, days => 20, hours => 160 })->{status}, 200, 'w2: a month of 20 days');
my $r = attend($P, { worker_id => $w3 + 0, month => $M, days => 9 });
is($r->{json}{days}, 9, 'w3: 9 days');
$r = attend($P, { worker_id => $w3 + 0, month => $M, days => 10, note => '补登' });
is($r->{json}{days}, 10, 'recording the month again replaces it');
my $att = psql_value($att_sql);
is($att, '5/33.00', 'five attendance rows, 33 days');
my @bad_att = (
    [ { worker_id => $w4 + 0, month => $M, days => 3 }, 422, { worker_id => 'not_on_roster' }, 'a worker not on the roster' ],
    [ { worker_id => $w1 + 0, month => $M, days => 32 }, 422, { days => 'out_of_range' }, 'more days than a month has' ],
    [ { worker_id => $w1 + 0, work_date => mday(8), days => 2 }, 422, { days => 'out_of_range' }, 'two days in one day' ],
    [ { worker_id => $w1 + 0, work_date => day(1), days => 1 }, 422, { work_date => 'out_of_range' }, 'a day in the future' ],
    [ { worker_id => $w1 + 0, month => '2025-13', days => 1 }, 422, { month => 'invalid_format' }, 'not a month' ],
    [ { worker_id => $w1 + 0, month => $M, days => 3 }, 409, { work_date => 'day_or_month' }, 'a month total where days are kept' ],
    [ { worker_id => $w1 + 0, days => 3 }, 422, { month => 'required' }, 'neither month nor day' ],
    [ { worker_id => $w1 + 0, month => $M, days => 'x' }, 422, { days => 'invalid_type' }, 'days not a number' ],
);
for my $b (@bad_att) {
    my ($body, $status, $want, $what) = @$b;
    $r = attend($P, $body);
    is($r->{status}, $status, "$what: $status");
    is_deeply(field_errors($r), $want, "$what: names the field") or diag explain $r->{json};
}
is(psql_value($att_sql), $att, 'no refused attendance was written');

# the ledger of project Q from a spreadsheet saved by Chinese Excel (GBK)
sub import_att {
    my ($p, $csv, %h) = @_;
    return http($srv, 'POST', "/v1/work-relief-projects/$p/attendance/import", body => encode('gbk', $csv),
                headers => { 'Content-Type' => 'text/csv', %h });
}
$r = import_att($Q, "劳动力编号,日期,天数,备注\n$w1," . mday(6) . ",1,\n$w1," . mday(7) . ",1,\n$w2," . mday(6) . ",1,错行\n");
is($r->{status}, 422, 'a file with a worker not on the roster: 422');
is_deeply([ map { "$_->{line}:$_->{field}:$_->{code}" } @{ $r->{json}{errors} } ], ["4:worker_id:not_on_roster"],
          'naming the line, the field and the reason') or diag explain $r->{json};
is(psql_value($att_sql), $att, 'and nothing of the file was recorded');
$r = import_att($Q, "劳动力编号,日期,天数\n$w1,不是日期,1\n");
is_deeply(field_errors($r), { work_date => 'invalid_format' }, 'a bad date in the file is named');
my $att_file = "劳动力编号,日期,天数,备注\n$w1," . mday(6) . ",1,\n$w1," . mday(7) . ",1,夜班\n";
$r = import_att($Q, $att_file, 'Idempotency-Key' => "$tag-att");
is($r->{status}, 200, 'the GBK file is imported') or diag explain $r->{json};
is($r->{json}{recorded}, 2, 'two rows');
{
    my $audit = "SELECT count(*) FROM audit_log WHERE resource = 'attendance' "
                . "AND resource_id IN (SELECT id::text FROM attendance WHERE project_id = $Q)";
    my ($rows, $events) = (psql_value($att_sql), psql_value($audit));
    my $again = import_att($Q, $att_file, 'Idempotency-Key' => "$tag-att");
    is_deeply([ $again->{status}, $again->{headers}{'idempotent-replayed'}, $again->{content} ], [ 200, 'true', $r->{content} ],
              'the same file again under its key gets the first answer');
    is(psql_value($att_sql) . ' ' . psql_value($audit), "$rows $events", 'and records nothing again');
    $again = import_att($Q, "劳动力编号,日期,天数\n$w1," . mday(8) . ",1\n", 'Idempotency-Key' => "$tag-att");
    is_deeply([ $again->{status}, field_errors($again) ], [ 422, { 'Idempotency-Key' => 'idempotency_mismatch' } ],
              'another file under the key is refused');
    is(psql_value($att_sql), $rows, 'and not recorded');
}
is(sql_value("SELECT string_agg(note, ',' ORDER BY work_date) FROM attendance WHERE project_id = $Q"), ',夜班', 'read as GBK');

$r = http($srv, 'GET', "/v1/work-relief-projects/$P/roster?month=$M");
is($r->{status}, 200, 'the roster');
my %roster = map { $_->{worker_id} => $_ } @{ $r->{json}{items} };
is(scalar(keys %roster), 3, 'three workers on project P');
is($roster{$w1}{days}, 3, 'w1: three days');
is(scalar @{ $roster{$w1}{entries} }, 3, 'day by day');
is($roster{$w2}{daily_rate}, 200, 'at the agreed daily rate');
is(http($srv, 'GET', "/v1/work-relief-projects/$P/roster?month=$M&x=1")->{status}, 400, 'an unknown query parameter: 400');

# ---------- the pay sheet ----------

$r = http($srv, 'POST', "/v1/work-relief-projects/$P/pay-sheets", body => { month => $M });
is($r->{status}, 201, 'the month\'s pay sheet') or diag explain $r->{json};
my $sheet = $r->{json};
my %line = map { $_->{worker_id} => $_ } @{ $sheet->{lines} };
is_deeply([ map { $line{$_}{computed} } $w1, $w2, $w3 ], [ 600, 4000, 2000 ], 'days × the agreed rate');
is($sheet->{total}, 6600, 'the total');
is($sheet->{status}, 'draft', 'a draft');
is(http($srv, 'POST', "/v1/work-relief-projects/$P/pay-sheets", body => { month => day(0) })->{status}, 422, 'a date is not a month');
my $sid = $sheet->{id};
sub adjust { my ($l, $body) = @_; return http($srv, 'POST', "/v1/pay-sheets/$sid/lines/$l/adjust", body => $body) }
$r = adjust($line{$w3}{id}, { adjustment => 100 });
is_deeply(field_errors($r), { adjust_reason => 'required' }, 'an adjustment needs its reason');
$r = adjust($line{$w3}{id}, { adjustment => -2500, adjust_reason => 'x' });
is_deeply(field_errors($r), { adjustment => 'out_of_range' }, 'an amount below nothing is refused');
is(sql_value("SELECT amount FROM pay_line WHERE id = $line{$w3}{id}"), '2000.00', 'and neither changed the line');
$r = adjust($line{$w3}{id}, { adjustment => 100, adjust_reason => '高空作业补助' });
is($r->{json}{amount}, 2100, 'adjusted with the reason');

my $site_staff = do {
    local $ENV{LEYE_DATABASE_URL} = LeyeTest::dsn();
    local $ENV{PW} = 'payroll-test-password';
    system("$ENV{LEYE_SERVER_BIN} admin create-user --username=" . lc($tag) . ".site --role=site_staff --sites=$site --password-env=PW >/dev/null") == 0 or die;
    system("$ENV{LEYE_SERVER_BIN} admin create-user --username=" . lc($tag) . ".other --role=county_staff --counties=530621 --password-env=PW >/dev/null") == 0 or die;
    login($srv, lc($tag) . ".site", 'payroll-test-password');
};
my $other_county = login($srv, lc($tag) . ".other", 'payroll-test-password');
is(http($srv, 'POST', "/v1/pay-sheets/$sid/approve", token => $site_staff)->{status}, 403, 'site staff do not approve pay sheets');
is(http($srv, 'GET', "/v1/work-relief-projects/$P/roster?month=$M", token => $other_county)->{status}, 404,
   'staff of another county do not see the roster');
is(http($srv, 'GET', "/v1/pay-sheets/$sid", token => $other_county)->{status}, 404, 'nor the pay sheet');
is(attend($P, { worker_id => $w2 + 0, month => $M, days => 1 }, token => $other_county)->{status}, 404, 'nor record attendance');
is(http($srv, 'GET', "/v1/work-relief-projects/$P/roster?month=$M", token => $site_staff)->{status}, 200, 'site staff of the county do');

$r = http($srv, 'POST', "/v1/pay-sheets/$sid/approve");
is($r->{status}, 200, 'the project owner approves') or diag explain $r->{json};
is($r->{json}{status}, 'notice', 'which posts the notice');
is($r->{json}{notice_until}, day(7), 'for 7 days');
$r = http($srv, 'GET', "/v1/pay-sheets/$sid/notice");
is($r->{status}, 200, 'the public notice');
is_deeply([ sort map { $_->{worker_name} } @{ $r->{json}{lines} } ],
          [ sort map { my $n = $name{$_}; substr($n, 0, 1) . ('*' x (length($n) - 2)) . substr($n, -1) } $w1, $w2, $w3 ],
          'names partly hidden');
ok(!grep({ exists $_->{worker_id} || exists $_->{placement_id} } @{ $r->{json}{lines} }), 'and no ids');
$r = attend($P, { worker_id => $w2 + 0, month => $M, days => 21 });
is_deeply([ $r->{status}, field_errors($r) ], [ 409, { month => 'sheet_approved' } ], 'attendance of an approved month is closed');
$r = adjust($line{$w2}{id}, { adjustment => 1, adjust_reason => 'x' });
is($r->{status}, 409, 'and so are its lines');
$r = http($srv, 'POST', "/v1/pay-sheets/$sid/release");
is_deeply([ $r->{status}, field_errors($r) ], [ 409, { notice_until => 'notice_running' } ], 'no release during the notice');

# objections: one upheld sends the sheet back, one dismissed lets it run
$r = http($srv, 'POST', "/v1/pay-sheets/$sid/objections", body => { reason => '张三实际出勤11天', objector => '村民', pay_line_id => $line{$w3}{id} });
is($r->{status}, 201, 'an objection') or diag explain $r->{json};
is($r->{json}{open_objections}, 1, 'is open');
my $oid = $r->{json}{objections}[0]{id};
is(http($srv, 'POST', "/v1/pay-sheets/$sid/objections/$oid/resolve", token => $site_staff, body => { decision => 'upheld' })->{status},
   403, 'site staff do not resolve objections');
$r = http($srv, 'POST', "/v1/pay-sheets/$sid/objections/$oid/resolve", body => { decision => 'upheld', note => '已核实' });
is($r->{json}{status}, 'draft', 'upheld: back to draft');
is(attend($P, { worker_id => $w3 + 0, month => $M, days => 11 })->{status}, 200, 'the attendance corrected');
$r = http($srv, 'POST', "/v1/work-relief-projects/$P/pay-sheets", body => { month => $M });
is($r->{status}, 200, 'the draft computed again');
%line = map { $_->{worker_id} => $_ } @{ $r->{json}{lines} };
is($line{$w3}{amount}, 2300, 'with the new days and the adjustment kept');
is(http($srv, 'POST', "/v1/pay-sheets/$sid/approve")->{status}, 200, 'approved and posted again');
$r = http($srv, 'POST', "/v1/pay-sheets/$sid/objections", body => { reason => '有疑问' });
$oid = $r->{json}{objections}[-1]{id};
psql("UPDATE pay_sheet SET notice_from = notice_from - 8, notice_until = notice_until - 8 WHERE id = $sid");
$r = http($srv, 'POST', "/v1/pay-sheets/$sid/release");
is_deeply([ $r->{status}, field_errors($r) ], [ 409, { objections => 'open_objections' } ], 'no release with an objection open');
http($srv, 'POST', "/v1/pay-sheets/$sid/objections/$oid/resolve", body => { decision => 'dismissed', note => '无异常' });
$r = http($srv, 'POST', "/v1/pay-sheets/$sid/release");
is($r->{json}{status}, 'released', 'the notice over and no objection open: released') or diag explain $r->{json};

# project Q's sheet, released the same way
$r = http($srv, 'POST', "/v1/work-relief-projects/$Q/pay-sheets", body => { month => $M });
my $qsid = $r->{json}{id};
my $qline = $r->{json}{lines}[0]{id};
http($srv, 'POST', "/v1/pay-sheets/$qsid/approve");
psql("UPDATE pay_sheet SET notice_from = notice_from - 8, notice_until = notice_until - 8 WHERE id = $qsid");
is(http($srv, 'POST', "/v1/pay-sheets/$qsid/release")->{json}{status}, 'released', 'project Q released');

# ---------- payments into the worker's own account ----------

my $card1 = '6217' . sprintf('%015d', int(rand(1e12)));
my $card3 = '6228' . sprintf('%015d', int(rand(1e12)));
sub pay { my ($body, %o) = @_; return http($srv, 'POST', '/v1/payments', body => $body, %o) }
my $pay_sql = "SELECT count(*) || '/' || coalesce(sum(amount), 0) FROM wage_payment WHERE worker_id IN ($w1, $w2, $w3)";
my $pays = psql_value($pay_sql);
my %ok1 = (placement_id => $pl{w1} + 0, month => $M, amount => 600, account_number => $card1, holder_name => $name{$w1},
           bank => '农村信用社', paid_on => after_end(2));
my @bad_pay = (
    [ { %ok1, account_number => '6217-12ab' }, 422, { account_number => 'invalid_format' }, 'a card number with letters' ],
    [ { %ok1, account_number => '12345' }, 422, { account_number => 'invalid_format' }, 'a card number too short' ],
    [ { %ok1, paid_on => day(1) }, 422, { paid_on => 'out_of_range' }, 'paid in the future' ],
    [ { %ok1, paid_on => mday(1) . 'x' }, 422, { paid_on => 'invalid_date' }, 'paid on no date' ],
    [ { %ok1, result => 'failed' }, 422, { fail_reason => 'required' }, 'a failure without its reason' ],
    [ { %ok1, amount => 0 }, 422, { amount => 'out_of_range' }, 'nothing paid' ],
    [ { %ok1, placement_id => $pl{w1} + 0, month => sprintf('%04d-%02d', $ny, $nm) }, 422, { month => 'not_on_sheet' }, 'a month without a sheet' ],
    [ { %ok1, kind => 'subsidy' }, 422, { placement_id => 'no_post_terms' }, 'a subsidy for a work-relief job' ],
);
for my $b (@bad_pay) {
    my ($body, $status, $want, $what) = @$b;
    $r = pay($body);
    is($r->{status}, $status, "$what: $status");
    is_deeply(field_errors($r), $want, "$what: names the field") or diag explain $r->{json};
}
is(psql_value($pay_sql), $pays, 'no refused payment was written');
is(sql_value("SELECT count(*) FROM pay_account WHERE worker_id IN ($w1, $w2, $w3)"), 0, 'nor any account');

$r = pay(\%ok1);
is($r->{status}, 201, 'w1 paid into their own card') or diag explain $r->{json};
is($r->{json}{account_masked}, substr($card1, 0, 4) . ('*' x 11) . substr($card1, -4), 'the card masked to its first and last four digits');
ok(index($r->{content}, substr($card1, 4, 11)) < 0, 'the full number is not in the answer');
is(sql_value("SELECT count(*) FROM pay_account WHERE worker_id = $w1 AND account_masked = '$r->{json}{account_masked}' "
             . "AND position('$card1' IN encode(account_enc, 'escape')) = 0 AND length(account_enc) = 73"), 1,
   'stored encrypted, padded to one length');
is(sql_value("SELECT count(*) FROM audit_log WHERE detail::text LIKE '%$card1%'"), 0, 'the audit log never holds the number');
is(sql_value("SELECT count(*) FROM audit_log WHERE resource = 'pay_account' AND detail -> 'values' ->> 'holder_name' = '$name{$w1}'"),
   0, 'and masks the holder\'s name');
$r = pay(\%ok1);
is_deeply([ $r->{status}, field_errors($r) ], [ 409, { month => 'already_paid' } ], 'paying the same month twice is refused');

# w2: the bank's return file, in GBK: a failure, then its resubmission
my $card2 = '6230' . sprintf('%015d', int(rand(1e12)));
sub bank_return {
    my ($csv, %h) = @_;
    return http($srv, 'POST', '/v1/payments/bank-returns', body => encode('gbk', $csv), headers => { 'Content-Type' => 'text/csv', %h });
}
my $head = "类型,就业记录编号,月份,金额,账号,户名,开户行,结果,失败原因,发放日期\n";
$r = bank_return($head . "工资,$pl{w2},$M,4000,$card2,$name{$w2},农业银行,失败,账户冻结," . after_end(3) . "\n"
                 . "工资,$pl{w3},$M,2300,$card3,王某,农业银行,成功,,未知\n");
is($r->{status}, 422, 'a return file with a bad row: 422');
is_deeply([ map { "$_->{line}:$_->{field}:$_->{code}" } @{ $r->{json}{errors} } ], ['3:paid_on:invalid_format'], 'naming its line and field');
is(sql_value("SELECT count(*) FROM wage_payment WHERE worker_id = $w2"), 0, 'not even the good row');
my $failed_file = $head . "工资,$pl{w2},$M,4000,$card2,$name{$w2},农业银行,失败,账户冻结," . after_end(3) . "\n";
$r = bank_return($failed_file, 'Idempotency-Key' => "$tag-bank");
is_deeply($r->{json}, { paid => 0, failed => 1, errors => [] }, 'the failure recorded') or diag explain $r->{json};
my $payments = sql_value("SELECT count(*) FROM wage_payment WHERE worker_id IN ($w2, $w3)");
my $again = bank_return($failed_file, 'Idempotency-Key' => "$tag-bank");
is_deeply([ $again->{status}, $again->{headers}{'idempotent-replayed'}, $again->{content} ], [ 200, 'true', $r->{content} ],
          'the same return file again under its key gets the first answer');
is(sql_value("SELECT count(*) FROM wage_payment WHERE worker_id IN ($w2, $w3)"), $payments, 'and records the failure once');
$again = bank_return($failed_file . "工资,$pl{w3},$M,2300,$card3,王某,农业银行,失败,账户冻结," . after_end(3) . "\n",
                     'Idempotency-Key' => "$tag-bank");
is_deeply([ $again->{status}, field_errors($again) ], [ 422, { 'Idempotency-Key' => 'idempotency_mismatch' } ],
          'another file under the key is refused');
is(sql_value("SELECT count(*) FROM wage_payment WHERE worker_id IN ($w2, $w3)"), $payments, 'and not recorded');
$r = bank_return($head . "工资,$pl{w2},$M,4000,$card2,$name{$w2},农业银行,成功,," . day(0) . "\n"
                 . "工资,$pl{w3},$M,2300,$card3,王某,农业银行,成功,," . after_end(4) . "\n"
                 . "工资,$pl{w1q},$M,360,$card1,$name{$w1},农村信用社,成功,," . after_end(4) . "\n");
is_deeply($r->{json}, { paid => 3, failed => 0, errors => [] }, 'the resubmission and two more paid') or diag explain $r->{json};
is(sql_value("SELECT (SELECT resubmission_of FROM wage_payment WHERE worker_id = $w2 AND status = 'paid') = "
             . "(SELECT id FROM wage_payment WHERE worker_id = $w2 AND status = 'failed')"), 't', 'the paid try is the failed one\'s resubmission');
$r = http($srv, 'GET', "/v1/work-relief-projects/$P/payments");
is(scalar @{ $r->{json}{items} }, 4, 'the project lists its four payments');
is_deeply([ sort map { "$_->{worker_id}:$_->{status}" } @{ $r->{json}{items} } ],
          [ sort("$w1:paid", "$w2:failed", "$w2:paid", "$w3:paid") ], 'with the bank\'s results');
ok(!grep({ ($_->{account_masked} // '') !~ /^\d{4}\*+\d{4}$/ } @{ $r->{json}{items} }), 'every account masked');

# ---------- the checks ----------

$r = http($srv, 'GET', "/v1/work-relief-projects/$P/checks?late_days=10");
is($r->{status}, 200, 'the checks') or diag explain $r->{json};
my $c = $r->{json};
is_deeply([ map { $_->{worker_id} } @{ $c->{amount_mismatch} } ], [ $w3 + 0 ], 'amount differs from attendance × rate: w3 (adjusted), not w1');
is($c->{amount_mismatch}[0]{difference}, 100, 'by the adjustment');
is_deeply([ map { $_->{worker_id} } @{ $c->{late} } ], [ $w2 + 0 ], 'paid more than 10 days after the month: w2, not w1 or w3');
is_deeply([ map { "$_->{worker_id}:$_->{reason}" } @{ $c->{holder_mismatch} } ], [ "$w3:holder_not_worker" ],
          'an account held by someone else: w3, not w1 or w2');
is_deeply([ map { "$_->{worker_id}:$_->{other_project_id}" } @{ $c->{double_paid} } ], [ "$w1:$Q" ],
          'paid by two projects for the same days: w1, not w2 or w3');
is($c->{double_paid}[0]{same_dates}, 2, 'two dates in both');
$r = http($srv, 'GET', "/v1/work-relief-projects/$P/checks");
is($r->{json}{late_days}, 30, 'the default allowance is 30 days');
is(http($srv, 'GET', "/v1/work-relief-projects/$P/checks?late_days=-1")->{status}, 400, 'a negative allowance: 400');

# the share from actual payments, against a query of its own
http($srv, 'POST', "/v1/work-relief-projects/$P/payments", body => { amount => 1000, paid_on => day(-1), note => '旧台账' });
$c = http($srv, 'GET', "/v1/work-relief-projects/$P/checks")->{json}{share};
my $want = sql_value("SELECT round(((SELECT sum(amount) FROM wage_payment WHERE project_id = $P AND status = 'paid') "
                     . "+ (SELECT sum(amount) FROM remuneration_payment WHERE project_id = $P)) / total_investment, 4) "
                     . "FROM work_relief_project WHERE id = $P");
is($c->{share}, $want + 0, "the share ($want) is what was paid, lump sums included, over the investment");
is($c->{paid}, 600 + 4000 + 2300 + 1000, 'paid: the three paid wages and the lump sum, not the failure');
is($c->{floor}, 0.3, 'central funds: 30%');
ok(!$c->{met}, 'not met');
is(http($srv, 'GET', "/v1/work-relief-projects/$P")->{json}{remuneration_paid}, 7900, 'the project\'s remuneration paid agrees');
my $S = project(name => '小型项目', funding => 'other', investment => 10000, budget => 2500);
is(http($srv, 'POST', "/v1/work-relief-projects/$S/payments", body => { amount => 2500, paid_on => day(-1) })->{status}, 201,
   'a lump sum of the whole budget');
$c = http($srv, 'GET', "/v1/work-relief-projects/$S/checks")->{json}{share};
is_deeply([ $c->{share}, $c->{floor}, $c->{met} ? 1 : 0 ], [ 0.25, 0.2, 1 ], 'other funds: 25% paid meets the 20% floor');
ok(!$c->{over_budget}, 'paid up to the budget is not over it');
# the budget cut after the money was paid (payments themselves cannot pass
# it: 75_payroll_cap.t)
psql("UPDATE work_relief_project SET remuneration_budget = 2000 WHERE id = $S");
$c = http($srv, 'GET', "/v1/work-relief-projects/$S/checks")->{json}{share};
ok($c->{over_budget}, 'and 2,500 paid against a budget cut to 2,000 is flagged over the budget');
ok(!http($srv, 'GET', "/v1/work-relief-projects/$P/checks")->{json}{share}{over_budget}, 'project P is within its budget');
psql("UPDATE work_relief_project SET funding = 'central', remuneration_budget = 3000 WHERE id = $S");
$c = http($srv, 'GET', "/v1/work-relief-projects/$S/checks")->{json}{share};
is_deeply([ $c->{floor}, $c->{met} ? 1 : 0 ], [ 0.3, 0 ], 'central funds: 25% paid does not meet 30%');

# ---------- the county's spot check ----------

sub spot { my ($body, %o) = @_; return http($srv, 'POST', '/v1/payroll-spot-checks', body => $body, %o) }
$r = spot({ county_code => $county, month => $M, size => 2, seed => "$tag" });
is($r->{status}, 201, 'a spot check') or diag explain $r->{json};
my @sample = map { $_->{pay_line_id} } @{ $r->{json}{lines} };
is(scalar @sample, 2, 'of two lines');
my $spot = $r->{json}{id};
is_deeply([ map { $_->{pay_line_id} } @{ spot({ county_code => $county, month => $M, size => 2, seed => "$tag" })->{json}{lines} } ],
          \@sample, 'the same seed draws the same sample');
is(scalar @{ spot({ county_code => $county, month => $M, size => 50 })->{json}{lines} }, 4, 'at most every released line');
is(spot({ county_code => $county, month => $M }, token => $site_staff)->{status}, 403, 'site staff do not run spot checks');
is_deeply(field_errors(spot({ county_code => $county, month => sprintf('%04d-%02d', $ny, $nm) })), { month => 'nothing_released' },
          'a month with nothing released');
my ($out) = grep { my $l = $_; !grep { $_ == $l } @sample } map { $_->{id} } values %line;
$r = http($srv, 'POST', "/v1/payroll-spot-checks/$spot/results", body => { pay_line_id => $out + 0, result => 'ok' });
is_deeply(field_errors($r), { pay_line_id => 'not_in_sample' }, 'a line outside the sample is refused');
$r = http($srv, 'POST', "/v1/payroll-spot-checks/$spot/results", body => { pay_line_id => $sample[0], result => 'problem', note => '签字不符' });
is($r->{status}, 200, 'the inspector\'s result');
is($r->{json}{lines}[0]{result}, 'problem', 'is recorded');

# ---------- audit ----------
for my $t (qw(attendance pay_sheet pay_line pay_objection wage_payment pay_account pay_spot_check_line)) {
    ok(sql_value("SELECT count(*) FROM audit_log WHERE resource = '$t'") > 0, "writes to $t are audited");
}
ok(sql_value("SELECT count(*) FROM audit_log WHERE resource = 'pay_account' AND detail -> 'hidden' ? 'account_enc'") >= 3,
   'with the account hidden');
done_testing();
