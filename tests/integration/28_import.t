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
                headers => { 'Content-Type' => 'text/csv', ($o{rid} ? ('X-Request-Id' => $o{rid}) : ()) });
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
$r = import_csv('workers', $workers, gbk => 1, rid => "$tag-first");
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
$r = import_csv('workers', $changed, gbk => 1, rid => "$tag-skills");
is($r->{json}{updated}, 1, 'a changed skill level updates one worker');
my $zhang = psql_value("SELECT id FROM worker WHERE name = '张三' AND household_id = (SELECT id FROM household WHERE ref = '$tag-1')");
is(psql_value("SELECT string_agg(k.code || ':' || ws.level, ',') FROM worker_skill ws JOIN skill k ON k.id = ws.skill_id WHERE ws.worker_id = $zhang"),
   psql_value("SELECT code FROM skill WHERE name_zh = '焊工'") . ':4', 'a skills cell is the whole list: the level follows, a skill left out goes');
is(psql_value("SELECT count(*) FROM audit_log WHERE request_id = '$tag-skills' AND resource = 'worker_skill'"), 2,
   'changes to a recorded worker\'s skills are audited row by row');

# the audit log and consent history of an import
my $rows = psql_value("SELECT string_agg(x, ',' ORDER BY x) FROM (SELECT resource || ':' || action || ':' || count(*) AS x FROM audit_log "
                      . "WHERE request_id = '$tag-first' GROUP BY resource, action) a");
is($rows, "worker:import:1,worker:insert:3", 'an import is audited: each worker created, and the import with its counts');
is(psql_value("SELECT detail ->> 'created' FROM audit_log WHERE request_id = '$tag-first' AND action = 'import'"), 3, 'the counts');
is(psql_value("SELECT string_agg(e.granted || ':' || e.method, ',' ORDER BY w.id) FROM worker_consent_event e "
              . "JOIN worker w ON w.id = e.worker_id WHERE w.household_id IN (SELECT id FROM household WHERE ref LIKE '$tag-%') "
              . "AND w.name IN ('张三', '王五')"),
   "true:import,true:import", 'consent given in the file is recorded as given by import');
is(psql_value("SELECT count(*) FROM worker_consent_event e JOIN worker w ON w.id = e.worker_id "
              . "WHERE w.household_id IN (SELECT id FROM household WHERE ref LIKE '$tag-%')"),
   2, 'and none where it was not given');

# a recorded worker: empty cells and absent columns keep what is on record
my $phone = psql_value("SELECT phone_masked || encode(phone_hash, 'hex') || encode(phone_enc, 'hex') FROM worker WHERE id = $zhang");
ok($phone, 'the phone is on record');
$r = import_csv('workers', "site_id,household_ref,name,id_number,phone,consent_brokers\n"
                . "$site,$tag-1,张三,${\ idnum(1)},,是\n$site,$tag-1,李四,${\ idnum(2)},,是\n", rid => "$tag-consent");
is_deeply([@{ $r->{json} }{qw(created updated unchanged)}], [0, 1, 1], 'one consent changed, the other row equal to the record');
is(psql_value("SELECT phone_masked || encode(phone_hash, 'hex') || encode(phone_enc, 'hex') FROM worker WHERE id = $zhang"),
   $phone, 'an empty cell keeps the phone on record');
is(psql_value("SELECT count(*) FROM worker_skill WHERE worker_id = $zhang"), 1, 'a file without skills keeps the skills');
is(psql_value("SELECT e.granted || ':' || e.method || ':' || e.recorded_by FROM worker_consent_event e JOIN worker w ON w.id = e.worker_id "
              . "WHERE w.name = '李四' AND w.household_id = (SELECT id FROM household WHERE ref = '$tag-1')"),
   'true:import:' . psql_value("SELECT actor_name FROM audit_log WHERE request_id = '$tag-consent' AND action = 'import'"),
   'a change of consent is recorded, with who imported it');
like(psql_value("SELECT detail -> 'fields' FROM audit_log WHERE request_id = '$tag-consent' AND action = 'update'"),
     qr/consent_brokers/, 'and audited as an update of the worker');

# faults the database finds
$r = import_csv('workers', "site_id,household_ref,name,id_number,skills\n"
                . "$site,$tag-2,孙八,${\ idnum(5)},不存在的技能:2\n$site,$tag-2,周九,${\ idnum(6)},焊工:1\n"
                . "$site,$tag-2,吴十,${\ idnum(7)},\n$site,$tag-2,郑一,${\ idnum(7)},\n", mode => 'valid_rows');
my %f = map { ("$_->{line}:$_->{field}" => $_->{code}) } @{ $r->{json}{errors} };
is($f{'2:skills'}, 'not_found', 'an unknown skill is reported');
is((grep { $_->{field} eq 'skills' } @{ $r->{json}{errors} })[0]{value}, '不存在的技能', 'naming it');
is($f{'4:id_number'} . ' ' . $f{'5:id_number'}, 'duplicate_item duplicate_item', 'an ID number twice in the file is reported on both lines');
is($r->{json}{created}, 1, 'and only the good row goes in');
is(psql_value("SELECT count(*) FROM worker WHERE name IN ('孙八', '吴十', '郑一') AND household_id = (SELECT id FROM household WHERE ref = '$tag-2')"),
   0, 'none of the faulty rows');

# the skill taxonomy stays whole
like(`psql -X -q -tA -d '${\ dsn()}' -c "DELETE FROM skill WHERE id = (SELECT max(id) FROM skill)" 2>&1`,
     qr/reference data/, 'a skill is never deleted');
like(`psql -X -q -tA -v VERBOSITY=verbose -d '${\ dsn()}' -c "INSERT INTO worker_skill VALUES ($zhang, 999999, 1)" 2>&1`,
     qr/23503: skill 999999 does not exist/, 'a worker skill must name a skill');

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
