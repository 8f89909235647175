# Demo data of the payroll and the managed posts (server/demo_payroll.c):
# attendance, pay sheets released and on notice, wages paid into encrypted
# cards with one failure and its resubmission, ranger assessments with one
# unsatisfactory month and no subsidy paid for it, the projects' remuneration
# paid agreeing with the payments.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;

my $admin = dsn(); $admin =~ s/user=leye/user=postgres/; $admin =~ s/dbname=leye/dbname=postgres/;
my $db = 'leye_demo_payroll';
psql("DROP DATABASE IF EXISTS $db WITH (FORCE)", dsn => $admin);
psql("CREATE DATABASE $db OWNER leye", dsn => $admin);
(my $d = dsn()) =~ s/dbname=leye/dbname=$db/;
my $bin = $ENV{LEYE_SERVER_BIN};
sub q1 { my ($sql) = @_; return psql_value($sql, dsn => $d) }

is(system("$bin migrate --database-url='$d' 2>/dev/null"), 0, 'migrated');
my $out = `LEYE_DATABASE_URL='$d' $bin demo 2>&1`;
is($? >> 8, 0, 'demo loads') or diag $out;
like($out, qr/demo payroll: \d+ workers with a card/, 'with the payroll');

cmp_ok(q1('SELECT count(*) FROM attendance'), '>', 100, 'attendance of the work-relief workers');
is(q1("SELECT count(DISTINCT month) FROM pay_sheet WHERE status = 'released'"), 2, 'two months of pay sheets released');
is(q1("SELECT count(DISTINCT month) FROM pay_sheet WHERE status = 'notice'"), 1, 'the last one on notice');
is(q1("SELECT count(*) FROM pay_sheet WHERE status = 'notice' AND notice_from > (now() AT TIME ZONE 'Asia/Shanghai')::date"), 0,
   'no notice posted in the future');
is(q1("SELECT count(*) FROM pay_line WHERE adjustment <> 0 AND adjust_reason <> ''"), 1, 'one line adjusted with its reason');
is(q1("SELECT count(*) FROM wage_payment WHERE status = 'failed'"), 1, 'one failed payment');
is(q1("SELECT count(*) FROM wage_payment p JOIN wage_payment f ON f.id = p.resubmission_of "
      . "WHERE p.status = 'paid' AND f.status = 'failed' AND p.account_id <> f.account_id AND p.paid_on > f.paid_on"), 1,
   'resubmitted later to a new card');
is(q1("SELECT count(*) FROM pay_line l JOIN pay_sheet s ON s.id = l.sheet_id WHERE s.status = 'released' AND l.amount > 0 "
      . "AND NOT EXISTS (SELECT 1 FROM wage_payment w WHERE w.pay_line_id = l.id AND w.status = 'paid')"), 0,
   'every released line paid');
is(q1("SELECT count(*) FROM pay_account WHERE account_masked !~ '^[0-9]{4}[*]{11}[0-9]{4}\$' OR length(account_enc) <> 73"), 0,
   'cards stored encrypted and masked');
is(q1("SELECT count(*) FROM post_assessment a JOIN placement p ON p.id = a.placement_id JOIN vacancy v ON v.id = p.vacancy_id "
      . "WHERE NOT a.satisfactory AND v.kind = 'forest_ranger'"), 1, 'one ranger month assessed unsatisfactory');
is(q1("SELECT count(*) FROM wage_payment w JOIN post_assessment a ON a.placement_id = w.placement_id AND a.month = w.month "
      . "WHERE w.kind = 'subsidy' AND NOT a.satisfactory"), 0, 'and no subsidy paid for it');
cmp_ok(q1("SELECT count(*) FROM wage_payment WHERE kind = 'subsidy'"), '>', 50, 'subsidies of satisfactory months paid');
is(q1("SELECT count(DISTINCT funding_source) FROM post_terms"), 3, 'posts funded from three sources');
is(q1("SELECT count(*) FROM post_terms t JOIN placement p ON p.id = t.placement_id JOIN worker w ON w.id = p.worker_id "
      . "JOIN household h ON h.id = w.household_id JOIN site s ON s.id = h.site_id "
      . "WHERE post_km(s.lat, s.lon, t.duty_lat, t.duty_lon) > 30"), 2, 'two rangers on duty far from their site');
is(q1("SELECT count(*) FROM work_relief_project p WHERE remuneration_paid <> "
      . "coalesce((SELECT sum(amount) FROM remuneration_payment r WHERE r.project_id = p.id), 0) "
      . "+ coalesce((SELECT sum(amount) FROM wage_payment w WHERE w.project_id = p.id AND w.status = 'paid'), 0)"), 0,
   'remuneration paid: the lump sums of before and the wages paid');

# rotating the PII key re-encrypts the cards with the ID numbers and phones;
# rotating back (which decrypts every card with the new key) gives the same
# blind indexes as before
my $old_key = $ENV{LEYE_PII_KEY};
my $new_key = join('', map { sprintf('%02x', int(rand(256))) } 1 .. 32);
my $dir = $ENV{LEYE_TEST_TMP} // '/tmp';
for ([ "$dir/payroll-new.key", $new_key ], [ "$dir/payroll-old.key", $old_key ]) {
    open(my $fh, '>', $_->[0]) or die; print $fh $_->[1]; close $fh;
}
my $cards_sql = "SELECT md5(string_agg(encode(account_hash, 'hex') || encode(account_enc, 'hex'), ',' ORDER BY id)) FROM pay_account";
my $hashes_sql = "SELECT md5(string_agg(encode(account_hash, 'hex'), ',' ORDER BY id)) FROM pay_account";
my ($cards, $hashes) = (q1($cards_sql), q1($hashes_sql));
my $n = q1('SELECT count(*) FROM pay_account');
$out = `LEYE_DATABASE_URL='$d' $bin admin rotate-pii-key --new-key-file=$dir/payroll-new.key 2>&1`;
is($? >> 8, 0, 'the key rotated') or diag $out;
like($out, qr/and $n bank accounts/, 'with every bank account');
isnt(q1($hashes_sql), $hashes, 'their blind indexes under the new key');
$out = `LEYE_PII_KEY=$new_key LEYE_DATABASE_URL='$d' $bin admin rotate-pii-key --new-key-file=$dir/payroll-old.key 2>&1`;
is($? >> 8, 0, 'and back: every card decrypts under the new key') or diag $out;
is(q1($hashes_sql), $hashes, 'the blind indexes as they were');
isnt(q1($cards_sql), $cards, 'with fresh ciphertexts');
unlink "$dir/payroll-new.key", "$dir/payroll-old.key";

psql("DROP DATABASE IF EXISTS $db WITH (FORCE)", dsn => $admin);
done_testing();
