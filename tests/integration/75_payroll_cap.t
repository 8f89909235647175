# Work-relief payments are capped by the project's remuneration budget: a
# payment (one by one, from the bank's return file, or a lump sum) or a pay
# sheet's release that would take what is paid and owed past the budget is
# refused 409 with the amounts in the reason, in Chinese and English, and
# nothing is written; the same at the budget exactly is allowed.
use strict;
use warnings;
use utf8;
use Test::More;
use POSIX ();
use Encode qw(encode encode_utf8 decode_utf8);
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $srv = start_server();
my $tag = 'PC' . ($$ % 100000) . int(rand(1000));
my $county = 530624;
sub sql_value { return decode_utf8(psql_value(encode_utf8($_[0]))) }
sub field_errors { my ($r) = @_; return { map { $_->{field} => $_->{code} } @{ $r->{json}{errors} || [] } } }
sub ymd { return POSIX::strftime('%Y-%m-%d', gmtime($_[0])) }
my $now = time + 8 * 3600;
sub day { my ($n) = @_; return ymd($now + $n * 86400) }
# the months two and one back, as 'YYYY-MM'
sub month_back {
    my ($k) = @_;
    my @t = gmtime($now);
    my ($y, $m) = ($t[5] + 1900, $t[4] + 1 - $k);
    if ($m < 1) { $m += 12; $y-- }
    return sprintf('%04d-%02d', $y, $m);
}
my ($M1, $M2) = (month_back(2), month_back(1));

my $site = http($srv, 'POST', '/v1/sites', body => { name => "$tag 安置点", county_code => $county, kind => 'urban_centralized' })->{json}{id};
my $hh = sql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, $county, 5) RETURNING id");
my %name;
sub worker {
    my ($n) = @_;
    my $id = sql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex) "
                       . "VALUES ($hh, '$n', decode(md5(random()::text || clock_timestamp()::text), 'hex'), "
                       . "decode(md5(random()::text), 'hex'), '530624********0000', '1986-03-01', 'F') RETURNING id");
    $name{$id} = $n;
    return $id;
}
my $employer = sql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 施工队', "
                         . "'PC' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', $county) RETURNING id");
my $r = http($srv, 'POST', '/v1/work-relief-projects', body => { county_code => $county, name => "$tag 便道修复",
    funding => 'other', total_investment => 100000, remuneration_budget => 5000, planned_jobs => 4 });
is($r->{status}, 201, 'a project with a remuneration budget of 5,000') or diag explain $r->{json};
my $P = $r->{json}{id};
$r = http($srv, 'POST', '/v1/vacancies', body => { employer_id => $employer + 0, title => "$tag 道路工", occupation_code => '6-29-01-01',
    kind => 'work_relief', project_id => $P + 0, county_code => $county, headcount => 5, wage_min => 200, wage_max => 220,
    wage_period => 'day', status => 'open' });
my $vac = $r->{json}{id};
my ($w1, $w2) = map { worker("$tag$_") } qw(杨甲 李乙);
my %pl;
for my $w ($w1, $w2) {
    my $id = http($srv, 'POST', '/v1/applications', body => { worker_id => $w + 0, vacancy_id => $vac + 0, source => 'staff' })->{json}{id};
    http($srv, 'POST', "/v1/applications/$id/transitions", body => { to => $_ }) for qw(shortlisted offered);
    $r = http($srv, 'POST', "/v1/applications/$id/transitions", body => { to => 'hired', start_date => day(-20), wage => 200 });
    is($r->{status}, 200, "worker $name{$w} hired") or diag explain $r->{json};
    psql("UPDATE placement SET start_date = '" . day(-100) . "' WHERE id = $r->{json}{placement}{id}");
    $pl{$w} = $r->{json}{placement}{id};
}
sub sheet {
    my ($month, %days) = @_;
    for my $w (keys %days) {
        my $a = http($srv, 'POST', "/v1/work-relief-projects/$P/attendance", body => { worker_id => $w + 0, month => $month, days => $days{$w} });
        is($a->{status}, 200, "attendance of $name{$w} in $month") or diag explain $a->{json};
    }
    my $s = http($srv, 'POST', "/v1/work-relief-projects/$P/pay-sheets", body => { month => $month });
    is($s->{status}, 201, "the pay sheet of $month") or diag explain $s->{json};
    is(http($srv, 'POST', "/v1/pay-sheets/$s->{json}{id}/approve")->{status}, 200, 'approved and posted');
    psql("UPDATE pay_sheet SET notice_from = notice_from - 8, notice_until = notice_until - 8 WHERE id = $s->{json}{id}");
    return $s->{json};
}
my $paid_sql = "SELECT count(*) || '/' || coalesce(sum(amount), 0) FROM wage_payment WHERE project_id = $P";
my $lump_sql = "SELECT count(*) || '/' || coalesce(sum(amount), 0) FROM remuneration_payment WHERE project_id = $P";

# ---------- a release at the cap ----------

$r = http($srv, 'POST', "/v1/work-relief-projects/$P/payments", body => { amount => 1000, paid_on => day(-1), note => '旧台账' });
is($r->{status}, 201, 'a lump sum of 1,000 paid before the pay sheets') or diag explain $r->{json};
my $s1 = sheet($M1, $w1 => 10, $w2 => 10);
is($s1->{total}, 4000, 'a sheet of 4,000: with the 1,000 paid, exactly the budget');
$r = http($srv, 'POST', "/v1/pay-sheets/$s1->{id}/release");
is($r->{json}{status}, 'released', 'released at the cap') or diag explain $r->{json};

# ---------- payments ----------

sub pay { my ($w, $amount, %o) = @_;
          return http($srv, 'POST', '/v1/payments', body => { placement_id => $pl{$w} + 0, month => $M1, amount => $amount,
                      account_number => '6217' . sprintf('%015d', $w % 1e12), holder_name => $name{$w}, paid_on => day(0) }, %o) }
is(pay($w1, 2000)->{status}, 201, 'the first worker paid 2,000 (3,000 of 5,000 paid)');
my $before = psql_value($paid_sql);
my $accounts = psql_value("SELECT count(*) FROM pay_account WHERE worker_id = $w2");
$r = pay($w2, 2100);
is($r->{status}, 409, 'the second paid 2,100 would make 5,100 paid: 409');
is_deeply(field_errors($r), { amount => 'over_budget' }, 'naming the amount and the reason');
like($r->{json}{detail}, qr/预算 5000\.00 元，已发放 3000\.00 元，本次发放 2100\.00 元，超出 100\.00 元/, 'the amounts in Chinese')
    or diag explain $r->{json};
is_deeply($r->{json}{budget}, { budget => '5000.00', paid => '3000.00', owed => '0.00', amount => '2100.00', over => '100.00' },
          'and as members of the answer');
$r = pay($w2, 2100, headers => { 'Accept-Language' => 'en' });
like($r->{json}{detail}, qr/budget 5000\.00 yuan, paid 3000\.00 yuan, this payment 2100\.00 yuan, 100\.00 yuan too much/,
     'and in English') or diag explain $r->{json};
like($r->{json}{errors}[0]{message}, qr/remuneration budget/, 'the field\'s message too');
is(psql_value($paid_sql), $before, 'nothing was paid');
is(psql_value("SELECT count(*) FROM pay_account WHERE worker_id = $w2"), $accounts, 'nor an account kept');

# the bank's return file: the row over the budget is named, nothing of the file written
my $head = "类型,就业记录编号,月份,金额,账号,户名,开户行,结果,失败原因,发放日期\n";
$r = http($srv, 'POST', '/v1/payments/bank-returns', headers => { 'Content-Type' => 'text/csv' },
          body => encode('gbk', $head . "工资,$pl{$w2},$M1,2000.01,62170000000000000099,$name{$w2},农业银行,成功,," . day(0) . "\n"));
is($r->{status}, 422, 'a return file paying 2,000.01: 422');
is_deeply([ map { "$_->{line}:$_->{field}:$_->{code}" } @{ $r->{json}{errors} } ], ['2:amount:over_budget'], 'naming the line')
    or diag explain $r->{json};
is(psql_value($paid_sql), $before, 'nothing of the file was paid');

$r = pay($w2, 2000);
is($r->{status}, 201, 'the second paid 2,000: exactly the budget, allowed') or diag explain $r->{json};
is(http($srv, 'GET', "/v1/work-relief-projects/$P")->{json}{remuneration_paid}, 5000, 'the project has paid its whole budget');
my $lumps = psql_value($lump_sql);
$r = http($srv, 'POST', "/v1/work-relief-projects/$P/payments", body => { amount => 0.01, paid_on => day(-1) });
is_deeply([ $r->{status}, field_errors($r) ], [ 409, { amount => 'over_budget' } ], 'a lump sum of 0.01 more: 409');
is(psql_value($lump_sql), $lumps, 'not recorded');
ok(!http($srv, 'GET', "/v1/work-relief-projects/$P/checks")->{json}{share}{over_budget}, 'the checks see no project over its budget');

# ---------- a release above the cap ----------

my $s2 = sheet($M2, $w1 => 5);
$r = http($srv, 'POST', "/v1/pay-sheets/$s2->{id}/release");
is($r->{status}, 409, 'a sheet of 1,000 more than the budget has left: 409');
is_deeply(field_errors($r), { status => 'over_budget' }, 'naming the status and the reason');
like($r->{json}{detail}, qr/预算 5000\.00 元，已发放 5000\.00 元，已发布未发放 0\.00 元，本月工资表 1000\.00 元，超出 1000\.00 元/,
     'with the amounts') or diag explain $r->{json};
is(http($srv, 'GET', "/v1/pay-sheets/$s2->{id}")->{json}{status}, 'notice', 'the sheet stays on notice');
is(psql_value("SELECT count(*) FROM audit_log WHERE resource = 'pay_sheet' AND resource_id = '$s2->{id}' "
              . "AND detail -> 'values' -> 'status' ->> 'to' = 'released'"), 0, 'and no release is in the audit log');

# money released but not yet paid counts too: a budget raised by 1,000
# lets this sheet go, and then nothing more
psql("UPDATE work_relief_project SET remuneration_budget = 6000 WHERE id = $P");
is(http($srv, 'POST', "/v1/pay-sheets/$s2->{id}/release")->{json}{status}, 'released', 'with 1,000 more in the budget: released');
my $s3 = sheet(month_back(3), $w2 => 1);
$r = http($srv, 'POST', "/v1/pay-sheets/$s3->{id}/release");
is_deeply([ $r->{status}, $r->{json}{budget}{owed} ], [ 409, '1000.00' ], 'another sheet: the 1,000 released and unpaid are owed, 409')
    or diag explain $r->{json};

done_testing();
