# A worker import written in chunks (migration 061, LEYE_IMPORT_CHUNK_ROWS):
# here two rows a chunk, so that small files cross chunk boundaries.  The
# answer, the rows written and their audit are those of a file written in one
# statement; a fault in any chunk with all_or_nothing, or a database failure
# in a later chunk, leaves nothing written.
use strict;
use warnings;
use utf8;
use Test::More;
use Encode qw(encode);
use LeyeTest;

my $srv = start_server(env => { LEYE_IMPORT_CHUNK_ROWS => 2 });
my $dsn = LeyeTest::dsn();
my $tag = 'ch' . $$ . int(rand(1e5));
my $site = http($srv, 'POST', '/v1/sites', body => { name => $tag, county_code => 530621, kind => 'urban_centralized' })->{json}{id};

sub import_csv {
    my ($what, $text, %o) = @_;
    return http($srv, 'POST', "/v1/imports/$what?mode=" . ($o{mode} // 'all_or_nothing'), body => encode('UTF-8', $text),
                headers => { 'Content-Type' => 'text/csv', ($o{rid} ? ('X-Request-Id' => $o{rid}) : ()) });
}
sub idnum {
    my ($serial) = @_;
    my $body = sprintf('530621%04d%02d%02d%03d', 1970 + $serial % 20, 1 + $serial % 12, 1 + $serial % 28, $$ % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}
my $head = "site_id,household_ref,name,id_number,phone,skills,consent_brokers\n";
# one row: serial, household (1..3, or a ref not on record), name
sub row { my ($n, $hh, $name) = @_; return "$site,$tag-$hh,$name,${\ idnum($n)},1390000${\ sprintf('%04d', $n)},焊工:2,是\n" }
sub written { my ($like) = @_; return psql_value("SELECT count(*) FROM worker w JOIN household h ON h.id = w.household_id WHERE h.ref LIKE '$tag-%' AND w.name LIKE '$like'") }
sub audited { my ($rid) = @_; return psql_value("SELECT count(*) FROM audit_log WHERE request_id = '$rid'") }

my $r = import_csv('households', "household_ref,site_id,origin_county_code,members\n"
                   . join('', map { "$tag-$_,$site,530621,4\n" } 1 .. 3));
is($r->{json}{created}, 3, 'three households');

# seven rows: chunks of 2, 2, 2 and 1
my $file = $head . join('', map { row($_, 1 + $_ % 3, "甲$_") } 1 .. 7);
$r = import_csv('workers', $file, rid => "$tag-a");
is($r->{status}, 200, 'a file of four chunks imports');
is_deeply([@{ $r->{json} }{qw(rows valid_rows created updated unchanged)}], [7, 7, 7, 0, 0], 'every row, counted once');
is(written('甲%'), 7, 'all seven written');
is(psql_value("SELECT count(*) FROM worker w WHERE w.name LIKE '甲%' AND w.household_id IN (SELECT id FROM household WHERE ref LIKE '$tag-%') "
              . "AND (SELECT count(*) FROM worker_skill s WHERE s.worker_id = w.id) = 1 "
              . "AND (SELECT count(*) FROM worker_consent_event e WHERE e.worker_id = w.id) = 1 "
              . "AND (SELECT count(*) FROM worker_history x WHERE x.worker_id = w.id) = 1"), 7,
   'each with its skill, consent event and history row');
is(psql_value("SELECT string_agg(x, ',' ORDER BY x) FROM (SELECT resource || ':' || action || ':' || count(*) AS x FROM audit_log "
              . "WHERE request_id = '$tag-a' GROUP BY resource, action) a"),
   'worker:import:1,worker:insert:7', 'audited as one import: each worker created, and one import record');
is(psql_value("SELECT detail ->> 'created' FROM audit_log WHERE request_id = '$tag-a' AND action = 'import'"), 7,
   'the import record counts every chunk');
my $audit = http($srv, 'GET', "/v1/audit?request_id=$tag-a&resource=worker&action=insert");
is(scalar @{ $audit->{json}{items} }, 7, 'the audit API shows each created worker');
is_deeply([sort map { $_->{detail}{values}{name} } @{ $audit->{json}{items} }], [('甲*') x 7],
          'with the name masked as before');
is(scalar(grep { $_->{detail}{values}{id_number_masked} && !exists $_->{detail}{values}{id_number_enc} } @{ $audit->{json}{items} }),
   7, 'and the ID number masked, its ciphertext left out');
is(psql_value("SELECT labor_count FROM household WHERE ref = '$tag-2'"), 3, 'household counts add up over the chunks');
is(psql_value("SELECT count(DISTINCT w.id) FROM worker w WHERE w.name LIKE '甲%' AND w.household_id IN (SELECT id FROM household WHERE ref LIKE '$tag-%')"),
   7, 'seven distinct workers');

$r = import_csv('workers', $file, mode => 'valid_rows');
is_deeply([@{ $r->{json} }{qw(created updated unchanged)}], [0, 0, 7], 'the same file again changes nothing');

# four good rows: two full chunks and nothing left over
$r = import_csv('workers', $head . join('', map { row($_, 1, "乙$_") } 11 .. 14));
is_deeply([$r->{status}, @{ $r->{json} }{qw(created unchanged)}], [200, 4, 0], 'a file that ends on a chunk boundary');

# an ID number twice in the file, in the first and the last chunk
$file = $head . row(21, 1, '丙1') . row(22, 1, '丙2') . row(23, 2, '丙3') . row(24, 2, '丙4') . row(21, 3, '丙5');
$r = import_csv('workers', $file, mode => 'valid_rows');
is($r->{status}, 200, 'valid rows only, with a duplicate across chunks');
my %f = map { ("$_->{line}:$_->{field}" => $_->{code}) } @{ $r->{json}{errors} };
is(join(' ', map { $f{"$_:id_number"} // '-' } 2, 6), 'duplicate_item duplicate_item', 'both lines reported');
is($r->{json}{created}, 3, 'the other rows written');
is(written('丙%'), 3, 'and only they');
is(psql_value("SELECT count(*) FROM worker w WHERE w.name IN ('丙1', '丙5') AND w.household_id IN (SELECT id FROM household WHERE ref LIKE '$tag-%')"),
   0, 'neither copy of the duplicate');

# all or nothing: a fault in the last chunk refuses the chunks written before it
$file = $head . join('', map { row($_, 1, "丁$_") } 31 .. 34) . row(35, 'none', '丁35');
$r = import_csv('workers', $file, rid => "$tag-d");
is($r->{status}, 422, 'all or nothing: an unknown household in the last chunk refuses the file');
is_deeply([map { "$_->{line}:$_->{field}:$_->{code}" } @{ $r->{json}{errors} }], ['6:household_ref:not_found'],
          'naming the line');
is(written('丁%'), 0, 'nothing written, not even the chunks before it');
is(audited("$tag-d"), 0, 'nor audited');

# faults in the first and the third chunk are both reported
$file = $head . row(41, 'none', '戊41') . join('', map { row($_, 1, "戊$_") } 42 .. 44) . row(45, 1, '戊45')
    =~ s/焊工:2/no-such-skill:2/r;
$r = import_csv('workers', $file);
is_deeply([sort map { "$_->{line}:$_->{field}" } @{ $r->{json}{errors} }], ['2:household_ref', '6:skills'],
          'a refused file still reports the faults of every chunk');
is(written('戊%'), 0, 'and writes nothing');

# a database failure in the third chunk: nothing of the first two stays
psql("CREATE FUNCTION fail_$tag() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RAISE EXCEPTION 'refused by test'; END \$\$");
psql("CREATE TRIGGER fail_$tag BEFORE INSERT ON worker FOR EACH ROW WHEN (NEW.name = '己$tag') EXECUTE FUNCTION fail_$tag()");
$file = $head . join('', map { row($_, 2, "己$_") } 51 .. 54) . row(55, 2, "己$tag") . row(56, 2, '己56');
$r = import_csv('workers', $file, mode => 'valid_rows', rid => "$tag-f");
psql("DROP TRIGGER fail_$tag ON worker");
psql("DROP FUNCTION fail_$tag()");
is($r->{status}, 500, 'a failure in a later chunk is answered as a failure');
is(written('己%'), 0, 'and the chunks written before it are rolled back');
is(audited("$tag-f"), 0, 'with their audit');
$r = import_csv('workers', $file, mode => 'valid_rows');
is($r->{json}{created}, 6, 'the same file imports once the database takes it');
done_testing();
