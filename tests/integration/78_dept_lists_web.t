# Department lists (部门信息比对) in the console, end to end in headless
# Chromium (tests/browser/dept_lists.mjs): county staff upload a file with a
# bad row and see it named, then a GBK list of three people of the county
# (two disagree with Leye, one agrees); the page shows the two with what
# Leye says, what the list says and the date, masked ID numbers and when
# the list will be deleted; a visit is opened for one, then for the other by
# selecting it.  The visits are checked here through the API.  Screenshots go
# to $LEYE_TEST_ARTIFACTS/dept_lists (default tests/screenshots/dept_lists).
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;
use JSON::PP;
use Encode qw(encode encode_utf8);
use File::Path qw(make_path);
use File::Temp qw(tempdir);

binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $root = $ENV{LEYE_TEST_ROOT};
my $node = browser_tools();
my $srv = start_server();
my $tag = 'dl' . ($$ % 100000);
my $county = 532931;    # 剑川县: no other test writes there
my $bin = $ENV{LEYE_SERVER_BIN};
sub sql_value { return psql_value(encode_utf8($_[0])) }
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); my $out = `$bin admin @_ 2>&1`; chomp $out; return $out }

# a valid ID number of the county for someone about 35 years old
my $born = days_from_today(-35 * 365);
(my $ymd = $born) =~ s/-//g;
sub id_number {
    my ($serial) = @_;
    my $body = sprintf('%06d%s%03d', $county, $ymd, $serial % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}

# b is employed here and on a hardship list there; c is seeking here and
# employed there; d is employed both here and there (they agree)
my $site_name = '剑川县金华安置点';
my $site = sql_value("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('$site_name', $county, 26.54, 99.90, 'urban_centralized') RETURNING id");
my %status = (b => 'employed_local', c => 'seeking', d => 'employed_local');
my %name = (b => '和志刚', c => '杨秀英', d => '赵建华');
my (%worker, %hh, %idn);
my $serial = $$ % 900;
for my $k (qw(b c d)) {
    $idn{$k} = id_number($serial++);
    my $hash = cli("id-hash --id-number=$idn{$k}");
    $hh{$k} = sql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, $county, 3) RETURNING id");
    my $masked = substr($idn{$k}, 0, 6) . ('*' x 11) . substr($idn{$k}, 17);
    $worker{$k} = sql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex,
        phone_hash, phone_enc, phone_masked, employment_status) VALUES ($hh{$k}, '$name{$k}', '$hash', '\\x00', '$masked', '$born', 'M',
        '\\x00', '\\x00', '136****2468', '$status{$k}') RETURNING id");
}
my $pw = "dept-web-$$";
{ local $ENV{PW} = $pw;
  like(cli("create-user --username=$tag.c --role=county_staff --counties=$county --password-env=PW"), qr/^user \d+$/, 'county staff account'); }

my $dir = tempdir('leye-deptlist-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my %date = (b => days_from_today(-30), c => days_from_today(-12), d => days_from_today(-12));
my $good = "身份证号,标识,日期\r\n"
         . "$idn{b},低保,$date{b}\r\n"
         . "$idn{c},参保就业,$date{c}\r\n"
         . "$idn{d},就业,$date{d}\r\n";
(my $bad = $good) =~ s/参保就业/富裕/;
for ([good => encode('gbk', $good)], [bad => encode_utf8($bad)]) {
    open(my $fh, '>:raw', "$dir/$_->[0].csv") or die "$dir: $!";
    print $fh $_->[1];
    close $fh;
}

my $name = "民政低保名单（$tag）";
my %fixture = (user => "$tag.c", password => $pw, county_code => $county, name => $name, site_name => $site_name,
               good_csv => "$dir/good.csv", bad_csv => "$dir/bad.csv",
               b => { worker_id => 0 + $worker{b}, date => $date{b}, id_number => $idn{b} },
               c => { worker_id => 0 + $worker{c}, date => $date{c}, id_number => $idn{c} },
               d => { worker_id => 0 + $worker{d} });
my $shots = ($ENV{LEYE_TEST_ARTIFACTS} // "$root/tests/screenshots") . '/dept_lists';
make_path($shots);
unlink glob("$shots/*.png");
my ($done, $checks) = (0, 0);
{
    local $ENV{DEPT_LISTS_TEST} = JSON::PP->new->utf8->canonical->encode(\%fixture);
    open(my $from, '-|', $node || 'node', "$root/tests/browser/dept_lists.mjs", "http://127.0.0.1:" . $srv->port, $shots)
        or die "node: $!";
    while (my $line = <$from>) {
        chomp $line;
        my $m = eval { JSON::PP->new->utf8->decode($line) };
        if (!$m) { diag($line); next }
        if ($m->{done}) { $done = 1; next }
        $checks++;
        ok($m->{ok}, $m->{name}) or diag($m->{detail});
    }
    close $from;
    is($? >> 8, 0, 'the browser test exited cleanly');
}
ok($done, 'the browser test ran to the end');
cmp_ok($checks, '>=', 15, 'every step reported');

# ---------- what the page did, through the API ----------

is(sql_value("SELECT count(*) FROM department_list WHERE name = '$name'"), 1, 'the bad file kept nothing; the good one one list');
my $list_id = sql_value("SELECT id FROM department_list WHERE name = '$name'");
my $r = http($srv, 'GET', "/v1/department-lists/$list_id");
is($r->{status}, 200, 'the list through the API');
is($r->{json}{department}, 'civil_affairs', 'from the department chosen on the page');
is($r->{json}{county_code}, $county, 'for the county chosen');
my %d = map { $_->{worker_id} => $_ } @{ $r->{json}{items} || [] };
is_deeply([sort { $a <=> $b } keys %d], [sort { $a <=> $b } $worker{b}, $worker{c}], 'two disagreements, as the page showed');
ok($d{$worker{$_}} && $d{$worker{$_}}{task_open}, "$_ has an open visit from the list") for qw(b c);
for my $k (qw(b c)) {
    $r = http($srv, 'GET', "/v1/early-warning-tasks?household_id=$hh{$k}&status=open");
    my @t = grep { ($_->{reason} // '') eq 'department_list' } @{ $r->{json}{items} || [] };
    is(scalar @t, 1, "one department_list visit for the household of $k");
    is($t[0] && $t[0]{due_on}, days_from_today(7), "$k: due within 7 days");
}
is($d{$worker{b}} && $d{$worker{b}}{disagreement}, 'employed_here_hardship_there', 'b: employed here, hardship there');
is(sql_value("SELECT count(*) FROM early_warning_task WHERE household_id = $hh{d}"), 0, 'no visit for d, who agrees');
is(sql_value("SELECT count(*) FROM audit_log WHERE resource = 'department_list' AND resource_id = '$list_id' AND action = 'insert'"),
   1, 'the import through the page is audited');

done_testing();
