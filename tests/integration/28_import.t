# CSV import of households and workers: good file, bad rows in both modes,
# GBK input, Chinese and English headers, re-import changes nothing.
use strict;
use warnings;
use utf8;
use Test::More;
use Encode qw(encode);
use LeyeTest;

my $srv = start_server();
my $tag = 'im' . $$ . int(rand(1e5));
my $site = http($srv, 'POST', '/v1/sites', body => { name => $tag, county_code => 530621, kind => 'urban_centralized' })->{json}{id};

sub import_csv {
    my ($what, $text, %o) = @_;
    my $bytes = $o{gbk} ? encode('gbk', $text) : encode('UTF-8', $text);
    return http($srv, 'POST', "/v1/imports/$what" . ($o{mode} ? "?mode=$o{mode}" : ''), body => $bytes,
                headers => { 'Content-Type' => 'text/csv' });
}
sub idnum {
    my ($serial) = @_;
    my $body = sprintf('5306211990%04d%03d', 300 + $serial, $$ % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}

my $households = "户编号,安置点ID,迁出县代码,迁出村,家庭人口,监测类型,发现方式,认定日期\n"
    . "$tag-1,$site,530621,龙树村,5,无,,\n"
    . "$tag-2,$site,530621,新街村,4,边缘易致贫户,数据比对,2024-03-01\n";
my $r = import_csv('households', $households);
is($r->{status}, 200, 'a good household file imports');
is($r->{json}{created}, 2, 'two households created');
is(psql_value("SELECT monitoring_status FROM household WHERE ref = '$tag-2'"), 'marginal', 'values mapped from Chinese');

my $bad = "户编号,安置点ID,迁出县代码,迁出村,家庭人口,监测类型,发现方式,认定日期\n"
    . "$tag-3,$site,530621,甲村,4,无,,\n"
    . "$tag-4,$site,530621,乙村,99,无,,\n"
    . "$tag-5,$site,530621,丙村,4,脱贫不稳定户,,\n";
$r = import_csv('households', $bad);
is($r->{status}, 422, 'all or nothing (the default): a bad row refuses the file');
is(psql_value("SELECT count(*) FROM household WHERE ref IN ('$tag-3', '$tag-4', '$tag-5')"), 0, 'and nothing is written');
my %err = map { ("$_->{line}:$_->{field}" => $_->{code}) } @{ $r->{json}{errors} };
is($err{'3:members'}, 'out_of_range', 'the report names line, field and reason');
is($err{'4:monitoring_found_by'}, 'required', 'monitoring needs how it was found');
ok((grep { $_->{column} eq '家庭人口' } @{ $r->{json}{errors} }), 'and the column as the file names it');
$r = import_csv('households', $bad, mode => 'valid_rows');
is($r->{status}, 200, 'valid rows only: the good rows go in');
is($r->{json}{created}, 1, 'one created');
is(scalar @{ $r->{json}{errors} }, 3, 'three faults reported');

my $workers = "site_id,household_ref,name,id_number,phone,education,employment_status,skills,consent_brokers\n"
    . "$site,$tag-1,张三,${\ idnum(1)},138 1234 5678,初中,未就业,焊工:3;电工:2,是\n"
    . "$site,$tag-1,李四,${\ idnum(2)},,小学,本地就业,砌筑:2,否\n"
    . "$site,$tag-2,王五,${\ idnum(3)},,junior_secondary,seeking,,yes\n";
$r = import_csv('workers', $workers, gbk => 1);
is($r->{status}, 200, 'a GBK worker file with English headers imports');
is($r->{json}{encoding}, 'GB18030', 'read as GBK');
is($r->{json}{created}, 3, 'three workers created');
is(psql_value("SELECT count(*) FROM worker_skill ws JOIN worker w ON w.id = ws.worker_id WHERE w.name = '张三' AND w.household_id = (SELECT id FROM household WHERE ref = '$tag-1')"),
   2, 'skills mapped from Chinese names');
is(psql_value("SELECT labor_count || '/' || employed_count FROM household WHERE ref = '$tag-1'"), '2/1', 'household rollups follow');
is(psql_value("SELECT count(*) FROM worker WHERE id_number_masked LIKE '530621%' AND household_id IN (SELECT id FROM household WHERE ref LIKE '$tag-%')"),
   3, 'ID numbers stored masked and encrypted');
my $plain = idnum(1);
is(psql_value("SELECT count(*) FROM worker WHERE row(worker.*)::text LIKE '%$plain%'"), 0, 'no plaintext ID number in the table');

my $versions = psql("SELECT string_agg(version::text, ',' ORDER BY id) FROM worker WHERE household_id IN (SELECT id FROM household WHERE ref LIKE '$tag-%')");
$r = import_csv('workers', $workers, gbk => 1);
is_deeply([@{ $r->{json} }{qw(created updated unchanged)}], [0, 0, 3], 're-importing the same file changes nothing');
is(psql("SELECT string_agg(version::text, ',' ORDER BY id) FROM worker WHERE household_id IN (SELECT id FROM household WHERE ref LIKE '$tag-%')"),
   $versions, 'not even a version number');

my $changed = $workers =~ s/焊工:3;电工:2/焊工:4/r;
$r = import_csv('workers', $changed, gbk => 1);
is($r->{json}{updated}, 1, 'a changed skill level updates one worker');

$r = import_csv('workers', "site_id,household_ref,name,id_number\n$site,$tag-1,赵六,530621199001011234\n$site,nosuch,钱七,${\ idnum(4)}\n", mode => 'valid_rows');
my %e = map { ("$_->{line}:$_->{field}" => $_->{code}) } @{ $r->{json}{errors} };
is($e{'2:id_number'}, 'check_digit', 'a wrong check digit is reported');
is($e{'3:household_ref'}, 'not_found', 'an unknown household is reported');
$r = import_csv('workers', "name,colour\nx,red\n");
is($r->{status}, 422, 'a file with an unknown column and missing ones is refused');
ok((grep { $_->{code} eq 'unknown_field' } @{ $r->{json}{errors} }), 'naming the unknown column');
$r = http($srv, 'POST', '/v1/imports/workers', body => '{}', headers => { 'Content-Type' => 'application/json' });
is($r->{status}, 415, 'JSON is not a CSV file');
done_testing();
