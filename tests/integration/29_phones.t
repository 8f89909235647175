# Workers' phone numbers at rest and exact search by phone: the database
# holds a phone only as blind index, ciphertext and mask after a create, a
# CSV import and a PATCH; staff find a worker by phone written any usual way
# (spaces, hyphens, +86), within their scope; answers (item, list, CSV)
# carry the mask; the full number comes only from the audited reveal.  Plain
# phones left by older releases are converted by the server at start and by
# `admin encrypt-phones`.
use strict;
use warnings;
use utf8;
use Test::More;
use Encode qw(encode);
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $srv = start_server();
my $tag = 'ph' . $$ . int(rand(1e5));
my $bin = $ENV{LEYE_SERVER_BIN};
sub cli { my ($dsn, @args) = @_; local $ENV{LEYE_DATABASE_URL} = $dsn; my $out = `$bin admin @args 2>&1`; chomp $out; return $out }
sub field_errors { my ($r) = @_; return { map { $_->{field} => $_->{code} } @{ $r->{json}{errors} || [] } } }

# valid ID numbers and mobile numbers unique to this run
my $serial = int(rand(500));
sub idnum {
    my $body = sprintf('5306211988%04d%03d', 612, ($$ + $serial++) % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}
my $base = ($$ * 7919 + int(rand(1e6))) % 100_000_000;
sub mobile { return sprintf('139%08d', ($base + $_[0] * 1_000_003) % 100_000_000) }
sub masked { return substr($_[0], 0, 3) . '****' . substr($_[0], 7) }
my @phones;    # every full phone used: none may be in the database

# Tables with a row whose text holds the given digits, over every table of the schema.
sub tables_holding {
    my ($digits) = @_;
    return psql_value("SELECT coalesce(string_agg(table_name, ',' ORDER BY table_name), '') FROM information_schema.tables t "
                . "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' "
                . "AND query_to_xml(format('SELECT 1 AS hit FROM %I x WHERE x::text LIKE %L LIMIT 1', table_name, '%$digits%'), "
                . "true, false, '')::text LIKE '%<hit>%'", %{ $_[1] || {} });
}

my $site = http($srv, 'POST', '/v1/sites', body => { name => "$tag 点", county_code => 530621, kind => 'scattered' })->{json}{id};
my $hh = http($srv, 'POST', '/v1/households', body => { site_id => $site, origin_county_code => 530621, members => 3 })->{json}{id};

# --- create: the phone as sent (+86, spaces), stored encrypted, answered masked
my $p1 = mobile(1);
push @phones, $p1;
my $r = http($srv, 'POST', '/v1/workers', body => { household_id => $hh, name => "$tag 王一", id_number => idnum(),
                                                    phone => '+86 ' . substr($p1, 0, 3) . ' ' . substr($p1, 3, 4) . ' ' . substr($p1, 7) });
is($r->{status}, 201, 'a worker with a phone written +86 139 xxxx xxxx') or diag explain $r->{json};
my $w1 = $r->{json};
is($w1->{phone_masked}, masked($p1), 'the answer carries the mask 139****dddd');
unlike($r->{content}, qr/\Q$p1\E/, 'and not the full phone');
is(psql_value("SELECT concat_ws('/', phone IS NULL, length(phone_hash), length(phone_enc), phone_masked) FROM worker WHERE id = $w1->{id}"),
   't/32/57/' . masked($p1), 'stored: no plain column, a 32-byte blind index, a padded ciphertext, the mask');
is(tables_holding($p1), '', 'no table holds the phone in plain text after a create');
is(tables_holding(substr($p1, 3, 4) . '%' . substr($p1, 7)), '', 'nor its digits apart');

# --- a second worker of the household shares the phone; a third has another
my $w2 = http($srv, 'POST', '/v1/workers', body => { household_id => $hh, name => "$tag 王二", id_number => idnum(), phone => $p1 })->{json};
my $p3 = mobile(3);
push @phones, $p3;
my $w3 = http($srv, 'POST', '/v1/workers', body => { household_id => $hh, name => "$tag 王三", id_number => idnum(), phone => $p3 })->{json};
ok($w2->{id} && $w3->{id}, 'two more workers, one sharing the phone');

# --- search by phone, written every usual way
my @ways = ($p1, '+86' . $p1, '+86 ' . $p1, '86' . $p1, substr($p1, 0, 3) . '-' . substr($p1, 3, 4) . '-' . substr($p1, 7),
            substr($p1, 0, 3) . ' ' . substr($p1, 3, 4) . ' ' . substr($p1, 7));
for my $way (@ways) {
    (my $q = $way) =~ s/\+/%2B/g;
    $q =~ s/ /%20/g;
    $r = http($srv, 'GET', "/v1/workers?phone=$q");
    is($r->{status}, 200, "search by phone \"$way\"");
    is_deeply([map { $_->{id} } @{ $r->{json}{items} || [] }], [$w1->{id}, $w2->{id}], 'finds both workers with that phone, by id');
}
is_deeply([map { $_->{phone_masked} } @{ $r->{json}{items} }], [masked($p1), masked($p1)], 'answered masked');
unlike($r->{content}, qr/\Q$p1\E/, 'the search answer carries no full phone');
is_deeply([map { $_->{id} } @{ http($srv, 'GET', "/v1/workers?phone=$p3")->{json}{items} }], [$w3->{id}], 'another phone finds its worker only');
is_deeply(http($srv, 'GET', '/v1/workers?phone=' . mobile(99))->{json}{items}, [], 'an unknown phone finds nobody');
$r = http($srv, 'GET', '/v1/workers?phone=12345');
is($r->{status}, 400, 'a malformed phone is refused');
is($r->{json}{code}, 'invalid_query', 'as invalid_query');
is_deeply(field_errors($r), { phone => 'invalid_format' }, 'naming the phone and the reason');
$r = http($srv, 'GET', "/v1/workers?phone=$p1&site_id=$site");
is($r->{status}, 400, 'the phone goes alone');
is_deeply(field_errors($r), { site_id => 'not_allowed' }, 'naming the other parameter');

# --- staff of another county do not find the worker
{
    local $ENV{PW} = 'pw-' . $tag . '-Zx9';
    like(cli(dsn(), "create-user --username=$tag.ys --role=county_staff --counties=530625 --password-env=PW"), qr/\S/, 'a county user of Yongshan');
    my $tok = login($srv, "$tag.ys", $ENV{PW});
    $r = http($srv, 'GET', "/v1/workers?phone=$p1", token => $tok);
    is($r->{status}, 200, 'they may search by phone');
    is_deeply($r->{json}{items}, [], 'but find nobody outside their county');
}

# --- item, list and CSV carry the mask only
$r = http($srv, 'GET', "/v1/workers/$w1->{id}");
is($r->{json}{phone_masked}, masked($p1), 'the item: masked');
ok(!exists $r->{json}{phone}, 'no phone field');
$r = http($srv, 'GET', "/v1/workers?q=$tag");
is(scalar @{ $r->{json}{items} }, 3, 'the list');
unlike($r->{content}, qr/\Q$p1\E|\Q$p3\E/, 'carries no full phone');
$r = http($srv, 'GET', "/v1/workers?q=$tag&format=csv");
is($r->{status}, 200, 'the CSV export');
like($r->{content}, qr/\Q${\ masked($p3)}\E/, 'carries the mask');
unlike($r->{content}, qr/\Q$p1\E|\Q$p3\E/, 'and no full phone');

# --- PATCH: a new phone replaces the old; null clears it
my $p4 = mobile(4);
push @phones, $p4;
$r = http($srv, 'PATCH', "/v1/workers/$w3->{id}", body => { phone => substr($p4, 0, 3) . '-' . substr($p4, 3, 4) . '-' . substr($p4, 7) },
          headers => { 'If-Match' => qq("$w3->{version}") });
is($r->{status}, 200, 'a PATCH with a new phone');
is($r->{json}{phone_masked}, masked($p4), 'answered masked');
is(tables_holding($p4), '', 'no table holds the new phone in plain text after a PATCH');
is_deeply([map { $_->{id} } @{ http($srv, 'GET', "/v1/workers?phone=$p4")->{json}{items} }], [$w3->{id}], 'the new phone finds the worker');
is_deeply(http($srv, 'GET', "/v1/workers?phone=$p3")->{json}{items}, [], 'the old one no longer does');
$r = http($srv, 'PATCH', "/v1/workers/$w2->{id}", body => { phone => undef }, headers => { 'If-Match' => qq("$w2->{version}") });
is($r->{status}, 200, 'a PATCH with phone null');
ok(exists $r->{json}{phone_masked} && !defined $r->{json}{phone_masked}, 'clears the phone');
is(psql_value("SELECT concat_ws('/', phone_hash IS NULL, phone_enc IS NULL, phone_masked IS NULL) FROM worker WHERE id = $w2->{id}"),
   't/t/t', 'blind index, ciphertext and mask all gone');
my $before = psql_value("SELECT concat_ws('/', version, encode(phone_hash, 'hex'), phone_masked) FROM worker WHERE id = $w3->{id}");
$r = http($srv, 'PATCH', "/v1/workers/$w3->{id}", body => { phone => '13' }, headers => { 'If-Match' => '"2"' });
is($r->{status}, 422, 'a PATCH with a malformed phone is refused');
is_deeply(field_errors($r), { phone => 'invalid_format' }, 'naming the phone');
is(psql_value("SELECT concat_ws('/', version, encode(phone_hash, 'hex'), phone_masked) FROM worker WHERE id = $w3->{id}"),
   $before, 'and changes nothing');

# --- reveal: the full phone, audited
$r = http($srv, 'POST', "/v1/workers/$w3->{id}/reveal");
is($r->{status}, 200, 'a reveal');
is($r->{json}{phone}, $p4, 'gives the full phone in its normal form');
is(psql_value("SELECT count(*) FROM audit_log WHERE action = 'reveal' AND resource_id = '$w3->{id}' "
              . "AND detail -> 'fields' ? 'phone'"), 1, 'and is audited, naming the phone');
is(http($srv, 'POST', "/v1/workers/$w2->{id}/reveal")->{json}{phone}, undef,
   'a worker without a phone reveals null');

# --- CSV import: stored encrypted, found by phone
my $p5 = mobile(5);
push @phones, $p5;
my $csv = "户编号,安置点ID,迁出县代码,家庭人口\n$tag-1,$site,530621,2\n";
$r = http($srv, 'POST', '/v1/imports/households', body => encode('UTF-8', $csv), headers => { 'Content-Type' => 'text/csv' });
is($r->{status}, 200, 'a household imported') or diag explain $r->{json};
my $idi = idnum();
$csv = "site_id,household_ref,name,id_number,phone\n$site,$tag-1,$tag 赵五,$idi,+86 $p5\n";
$r = http($srv, 'POST', '/v1/imports/workers', body => encode('UTF-8', $csv), headers => { 'Content-Type' => 'text/csv' });
is($r->{status}, 200, 'a worker imported with a phone') or diag explain $r->{json};
is(tables_holding($p5), '', 'no table holds the imported phone in plain text');
my $found = http($srv, 'GET', "/v1/workers?phone=$p5")->{json}{items};
is(scalar @$found, 1, 'search by phone finds the imported worker');
is($found->[0]{phone_masked}, masked($p5), 'masked');
$r = http($srv, 'POST', '/v1/imports/workers', body => encode('UTF-8', $csv), headers => { 'Content-Type' => 'text/csv' });
is_deeply([@{ $r->{json} }{qw(created updated unchanged)}], [0, 0, 1], 'the same phone imported again is no change');
my $p6 = mobile(6);
push @phones, $p6;
$csv = "site_id,household_ref,name,id_number,phone\n$site,$tag-1,$tag 赵五,$idi,$p6\n";
$r = http($srv, 'POST', '/v1/imports/workers', body => encode('UTF-8', $csv), headers => { 'Content-Type' => 'text/csv' });
is_deeply([@{ $r->{json} }{qw(created updated unchanged)}], [0, 1, 0], 'another phone is an update');
is_deeply([map { $_->{id} } @{ http($srv, 'GET', "/v1/workers?phone=$p6")->{json}{items} }], [$found->[0]{id}], 'found by the new phone');
is(tables_holding($p6), '', 'stored encrypted');

# --- the log holds no phone
my $log = $srv->log_text;
ok(!grep({ index($log, $_) >= 0 } @phones), 'the server log holds none of the phones');

# --- plain phones of older releases: converted at start and by admin encrypt-phones
{
    my $pg = new_cluster();
    my $dsn = $pg->dsn;
    is(system($bin, 'migrate', "--database-url=$dsn"), 0, 'a fresh database, migrated');
    my $first = start_server(dsn => $dsn);
    my $s = http($first, 'POST', '/v1/sites', body => { name => "$tag old", county_code => 530621, kind => 'scattered' })->{json}{id};
    my $h = http($first, 'POST', '/v1/households', body => { site_id => $s, origin_county_code => 530621, members => 3 })->{json}{id};
    my @old = map { http($first, 'POST', '/v1/workers', body => { household_id => $h, name => "$tag 旧$_", id_number => idnum() })->{json}{id} } 1 .. 3;
    $first->stop;
    # a phone as a release before migration 032 left it (its constraint spares rows written before)
    my $plain = sub {
        my ($id, $phone) = @_;
        psql("ALTER TABLE worker DROP CONSTRAINT worker_phone_not_plain; "
             . "UPDATE worker SET phone = '$phone' WHERE id = $id; "
             . "ALTER TABLE worker ADD CONSTRAINT worker_phone_not_plain CHECK (phone IS NULL) NOT VALID", dsn => $dsn);
    };
    my ($q1, $q3) = (mobile(7), mobile(8));
    $plain->($old[0], $q1);
    $plain->($old[1], '0871-65123456');
    is(psql_value("SELECT count(*) FROM worker WHERE phone IS NOT NULL", dsn => $dsn), 2, 'two plain phones on record');
    my $srv2 = start_server(dsn => $dsn);
    is(psql_value("SELECT count(*) FROM worker WHERE phone IS NOT NULL", dsn => $dsn), 0, 'the server converted them at start');
    is(psql_value("SELECT string_agg(coalesce(phone_masked, '-'), ',' ORDER BY id) FROM worker", dsn => $dsn),
       masked($q1) . ',0871-****3456,-', 'to their masks');
    is(tables_holding($q1, { dsn => $dsn }) . tables_holding('65123456', { dsn => $dsn }), '', 'no table holds them in plain text');
    is_deeply([map { $_->{id} } @{ http($srv2, 'GET', "/v1/workers?phone=$q1")->{json}{items} }], [$old[0]],
              'a converted phone is found by search');
    is_deeply([map { $_->{id} } @{ http($srv2, 'GET', '/v1/workers?phone=0871%2065123456')->{json}{items} }], [$old[1]],
              'a fixed line too');
    is(http($srv2, 'POST', "/v1/workers/$old[0]/reveal")->{json}{phone}, $q1,
       'and revealed as it was');
    $plain->($old[2], $q3);
    is(cli($dsn, 'encrypt-phones'), 'encrypted 1 phone numbers', 'admin encrypt-phones converts what is left');
    is(psql_value("SELECT count(*) FROM worker WHERE phone IS NOT NULL OR phone_hash IS NULL", dsn => $dsn), 0, 'no plain phone remains');
    is_deeply([map { $_->{id} } @{ http($srv2, 'GET', "/v1/workers?phone=$q3")->{json}{items} }], [$old[2]], 'and it is found by search');
    is(cli($dsn, 'encrypt-phones'), 'encrypted 0 phone numbers', 'run again, it finds nothing to do');
    psql("UPDATE worker SET phone = '13900000000' WHERE id = $old[2]", dsn => $dsn, may_fail => 1);
    is(psql_value("SELECT count(*) FROM worker WHERE phone IS NOT NULL", dsn => $dsn), 0, 'a new plain phone is refused by the schema');
    $srv2->stop;
}

done_testing();
