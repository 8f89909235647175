# The audit log says what changed: old and new values per field, written in
# the same statement as the change on every path (API, hire, import), with
# personal data masked by one rule on the column's name and ID numbers never
# in clear; a record's history for the staff who may see the record.
use strict;
use warnings;
use utf8;
use Test::More;
use Encode qw(encode);
use POSIX ();
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $srv = start_server();
my $tag = 'av' . $$ . int(rand(1e5));
my $bin = $ENV{LEYE_SERVER_BIN};
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); my $out = `$bin admin @_ 2>&1`; chomp $out; return $out }
sub day { my ($n) = @_; return POSIX::strftime('%Y-%m-%d', gmtime(time + 8 * 3600 + $n * 86400)) }
my $serial = $$ % 500;
sub idnum {
    my ($birth) = @_;
    $serial++;
    my $body = sprintf('530621%s%03d', $birth, $serial % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}
# every audit row a request left, as text
sub audit_text {
    my ($rid) = @_;
    return Encode::decode('UTF-8', psql("SELECT a::text FROM audit_log a WHERE request_id = '$rid' ORDER BY id"));
}
sub audit_detail {
    my ($rid, $resource, $action) = @_;
    my $t = psql_value("SELECT detail FROM audit_log WHERE request_id = '$rid' AND resource = '$resource' "
                       . "AND action = '$action' ORDER BY id LIMIT 1");
    return length $t ? $JSON->decode($t) : undef;
}
sub req { my ($name) = @_; return { 'X-Request-Id' => "$tag-$name" } }

my $site = http($srv, 'POST', '/v1/sites', body => { name => "$tag 点", county_code => 530621, kind => 'scattered' })->{json}{id};
my $other_site = http($srv, 'POST', '/v1/sites', body => { name => "$tag 外", county_code => 530622, kind => 'scattered' })->{json}{id};
# a household by import: created on the bulk path, with its values
my $href = "$tag-h";
sub import_households {
    my ($members, $rid) = @_;
    my $csv = "户编号,安置点ID,迁出县代码,迁出村,家庭人口,监测类型,发现方式,认定日期\n$href,$site,530621,龙树村,$members,无,,\n";
    return http($srv, 'POST', '/v1/imports/households', body => encode('UTF-8', $csv),
                headers => { 'Content-Type' => 'text/csv', %{ req($rid) } });
}
my $r = import_households(4, 'hcreate');
is($r->{status}, 200, 'a household imported');
my $hh = psql_value("SELECT id FROM household WHERE ref = '$href'");
my $d = audit_detail("$tag-hcreate", 'household', 'insert');
is_deeply([ @{ $d->{values} }{qw(id members origin_village)} ], [ $hh, 4, '龙树村' ], 'an import records the values of the rows it creates');

# --- a worker created: the values of the new row, masked
my ($id_a, $id_b) = (idnum('19850304'), idnum('19870506'));
$r = http($srv, 'POST', '/v1/workers', headers => req('create'),
          body => { household_id => $hh + 0, name => '张三明', id_number => $id_a, phone => '13812345678',
                    employment_status => 'seeking', skills => [{ skill_id => 2, level => 3 }] });
is($r->{status}, 201, 'a worker registered') or diag explain $r->{json};
my $w = $r->{json}{id};
$d = audit_detail("$tag-create", 'worker', 'insert');
is($d->{values}{employment_status}, 'seeking', 'a create records the values of the new row');
is($d->{values}{household_id}, $hh, 'each of them');
is($d->{values}{name}, '张*明', 'a person\'s name as public notices show it');
is($d->{values}{phone_masked}, '138****5678', 'the phone as answers mask it');
is($d->{values}{birth_date}, 1985, 'the birth date as its year only');
like($d->{values}{id_number_masked}, qr/^530621\*+/, 'the ID number only in its masked form');
is_deeply($d->{hidden}, ['id_number_enc', 'id_number_hash', 'phone_enc', 'phone_hash'], 'the encrypted number and phone and their hashes named, never recorded');
ok(!exists $d->{values}{version} && !exists $d->{values}{created_at}, 'bookkeeping columns left out');
my $create_rows = audit_text("$tag-create");
unlike($create_rows, qr/\Q$id_a\E/, 'no audit row of the create holds the ID number');
unlike($create_rows, qr/13812345678/, 'nor the phone number');
unlike($create_rows, qr/张三明/, 'nor the full name');
is(psql_value("SELECT count(*) FROM audit_log WHERE request_id = '$tag-create' AND resource = 'worker_skill' AND action = 'insert' "
              . "AND detail -> 'values' ->> 'level' = '3'"), 1, 'the skills of a new worker are recorded with their values');

# --- PATCH of the employment status: from what to what
my $version = http($srv, 'GET', "/v1/workers/$w")->{json}{version};
$r = http($srv, 'PATCH', "/v1/workers/$w", headers => { %{ req('status') }, 'If-Match' => qq("$version") },
          body => { employment_status => 'not_seeking' });
is($r->{status}, 200, 'the employment status changed');
$d = audit_detail("$tag-status", 'worker', 'update');
is_deeply($d->{fields}, ['employment_status'], 'the update names the field');
is_deeply($d->{changes}{employment_status}, { old => 'seeking', new => 'not_seeking' }, 'with its old and new value');
is_deeply($d->{hidden}, [], 'nothing hidden in it');
is(psql_value("SELECT actor_name FROM audit_log WHERE request_id = '$tag-status' AND resource = 'worker'"), 'leye-test-admin',
   'and who changed it');

# --- a change of ID number: neither number in clear, anywhere in the log
$version = $r->{json}{version};
$r = http($srv, 'PATCH', "/v1/workers/$w", headers => { %{ req('idnum') }, 'If-Match' => qq("$version") },
          body => { id_number => $id_b, phone => '13900001111', name => '张四明' });
is($r->{status}, 200, 'the ID number, phone and name corrected') or diag explain $r->{json};
$d = audit_detail("$tag-idnum", 'worker', 'update');
is_deeply($d->{fields}, [sort qw(birth_date id_number_enc id_number_hash id_number_masked name phone_enc phone_hash phone_masked sex)], 'the update names every field');
is_deeply($d->{hidden}, ['id_number_enc', 'id_number_hash', 'phone_enc', 'phone_hash'], 'the encrypted number and phone and their hashes are hidden');
ok(!exists $d->{changes}{id_number_enc} && !exists $d->{changes}{id_number_hash}, 'with no value, old or new');
isnt($d->{changes}{id_number_masked}{old}, $d->{changes}{id_number_masked}{new}, 'the masked number shows that it changed');
like($d->{changes}{id_number_masked}{new}, qr/\*{4}/, 'masked');
is_deeply($d->{changes}{birth_date}, { old => 1985, new => 1987 }, 'the birth date by its year');
is_deeply($d->{changes}{phone_masked}, { old => '138****5678', new => '139****1111' }, 'the phone masked');
is_deeply($d->{changes}{name}, { old => '张*明', new => '张*明' }, 'the name masked');
my $hashes = psql("SELECT encode(id_number_hash, 'hex') || ' ' || encode(id_number_enc, 'hex') FROM worker WHERE id = $w");
my ($hash_b, $enc_b) = split ' ', $hashes;
for my $rid ("$tag-create", "$tag-status", "$tag-idnum") {
    my $text = audit_text($rid);
    for my $n ($id_a, $id_b) {
        unlike($text, qr/\Q$n\E/, "$rid: the ID number " . substr($n, 0, 6) . '… is not in clear');
    }
    unlike($text, qr/\Q$hash_b\E/, "$rid: nor its hash");
    unlike($text, qr/\Q$enc_b\E/, "$rid: nor its encrypted form");
    unlike($text, qr/1390000111|1381234567/, "$rid: nor a phone number");
}
is(psql_value("SELECT count(*) FROM audit_log a WHERE a::text LIKE '%$id_a%' OR a::text LIKE '%$id_b%'"), 0,
   'the whole audit log holds neither number');

# --- a hire changes the status through the placement
my $employer = psql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 厂', "
                          . "'AV' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', 530621) RETURNING id");
my $vac = psql_value("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, headcount, "
                     . "wage_min, wage_max, status) VALUES ($employer, '$tag 岗', '6-29-01-01', 'regular', 530621, 27.2, "
                     . "103.5, 10, 3000, 5000, 'open') RETURNING id");
$version = $r->{json}{version};
http($srv, 'PATCH', "/v1/workers/$w", headers => { 'If-Match' => qq("$version") }, body => { employment_status => 'seeking' });
$r = http($srv, 'POST', '/v1/applications', body => { worker_id => $w + 0, vacancy_id => $vac + 0, source => 'staff' });
is($r->{status}, 201, 'an application') or diag explain $r->{json};
my $app = $r->{json}{id};
http($srv, 'POST', "/v1/applications/$app/transitions", body => { to => $_ }) for qw(shortlisted offered);
$r = http($srv, 'POST', "/v1/applications/$app/transitions", headers => req('hire'),
          body => { to => 'hired', start_date => day(-1), wage => 4000 });
is($r->{status}, 200, 'hired');
$d = audit_detail("$tag-hire", 'worker', 'update');
is_deeply($d->{changes}{employment_status}, { old => 'seeking', new => 'employed_local' },
          'the hire records the worker\'s status from what to what');
$d = audit_detail("$tag-hire", 'vacancy', 'update');
is_deeply($d->{changes}{filled}, { old => 0, new => 1 }, 'and the vacancy\'s places filled');

# --- an import that changes a worker: old and new, on the bulk path
my $placement = psql_value("SELECT id FROM placement WHERE worker_id = $w");
http($srv, 'POST', "/v1/placements/$placement/end", body => { ended_on => day(0), end_reason => 'quit' });
is(psql_value("SELECT employment_status FROM worker WHERE id = $w"), 'seeking', 'the placement ended (status seeking)');
my $csv = "site_id,household_ref,name,id_number,employment_status,wage_floor\n$site,$href,张四明,$id_b,县外就业,3200\n";
$r = http($srv, 'POST', '/v1/imports/workers', body => encode('UTF-8', $csv),
          headers => { 'Content-Type' => 'text/csv', %{ req('import') } });
is($r->{status}, 200, 'an import') or diag explain $r->{json};
is($r->{json}{updated}, 1, 'changes the worker');
$d = audit_detail("$tag-import", 'worker', 'update');
my $new_status = psql_value("SELECT employment_status FROM worker WHERE id = $w");
isnt($new_status, 'seeking', "the status imported ($new_status)");
is_deeply($d->{changes}{employment_status}, { old => 'seeking', new => $new_status }, 'the import records the old and new status');
is_deeply($d->{changes}{wage_floor}, { old => 0, new => 3200 }, 'and every other value it changed');
unlike(audit_text("$tag-import"), qr/\Q$id_b\E/, 'the import\'s rows hold no ID number either');

# --- household imports are the other bulk path
$r = import_households(6, 'himport');
is($r->{status}, 200, 'a household import');
$d = audit_detail("$tag-himport", 'household', 'update');
is_deeply($d->{changes}{members}, { old => 4, new => 6 }, 'records the household\'s old and new size');

# --- the worker's history
$r = http($srv, 'GET', "/v1/workers/$w/history");
is($r->{status}, 200, 'the worker\'s history');
my @items = @{ $r->{json}{items} };
my @ids = map { $_->{id} } @items;
is_deeply(\@ids, [sort { $b <=> $a } @ids], 'newest first');
my ($status_change) = grep { $_->{resource} eq 'worker' && $_->{detail}{changes}{employment_status}
                             && $_->{detail}{changes}{employment_status}{new} eq 'not_seeking' } @items;
ok($status_change, 'it answers who changed the employment status, and from what');
is_deeply([ @{$status_change}{qw(actor_kind actor_name action)}, $status_change->{detail}{changes}{employment_status}{old} ],
          [ 'staff', 'leye-test-admin', 'update', 'seeking' ], 'who, what and from what');
ok(!exists $status_change->{peer}, 'without the address it came from');
my %res = map { $_->{resource} => 1 } @items;
ok($res{worker_skill} && $res{application} && $res{placement}, 'with the worker\'s skills, applications and placements');
is((grep { $_->{action} eq 'insert' && $_->{resource} eq 'worker' } @items)[0]{detail}{values}{name}, '张*明',
   'personal data masked as in the log');
$r = http($srv, 'GET', "/v1/workers/$w/history?limit=2");
is(scalar @{ $r->{json}{items} }, 2, 'pages');
my $r2 = http($srv, 'GET', "/v1/workers/$w/history?limit=2&cursor=$r->{json}{next_cursor}");
ok($r2->{json}{items}[0]{id} < $r->{json}{items}[1]{id}, 'the next page goes on with older rows');
like(http($srv, 'GET', "/v1/workers/$w/history?format=csv")->{content}, qr/employment_status/, 'and exports as CSV');

# a skill removed stays in the history
$version = http($srv, 'GET', "/v1/workers/$w")->{json}{version};
http($srv, 'PATCH', "/v1/workers/$w", headers => { %{ req('skills') }, 'If-Match' => qq("$version") }, body => { skills => [] });
is(psql_value("SELECT count(*) FROM worker_skill WHERE worker_id = $w"), 0, 'the skills removed');
$r = http($srv, 'GET', "/v1/workers/$w/history?limit=5");
ok((grep { $_->{resource} eq 'worker_skill' && $_->{action} eq 'delete' && $_->{detail}{values}{level} == 3 } @{ $r->{json}{items} }),
   'a removed skill is in the history with its level');

# households and vacancies
$r = http($srv, 'GET', "/v1/households/$hh/history");
is($r->{status}, 200, 'a household\'s history');
ok((grep { ($_->{detail}{changes}{members} // {})->{new} // 0 == 6 } @{ $r->{json}{items} }), 'shows its imported change');
$r = http($srv, 'GET', "/v1/vacancies/$vac/history");
is($r->{status}, 200, 'a vacancy\'s history');
ok((grep { ($_->{detail}{changes}{filled} // {})->{new} // -1 == 1 } @{ $r->{json}{items} }), 'shows the places filled');

# --- scope: staff see the history of the records they may see, and no other
my $pw = 'pw-' . $tag . 'x';
{
    local $ENV{PW} = $pw;
    like(cli("create-user --username=$tag.in --role=county_staff --counties=530621 --password-env=PW"), qr/^user \d+$/, 'county staff here');
    like(cli("create-user --username=$tag.out --role=county_staff --counties=530622 --password-env=PW"), qr/^user \d+$/, 'and elsewhere');
    like(cli("create-user --username=$tag.so --role=site_staff --sites=$other_site --password-env=PW"), qr/^user \d+$/, 'site staff elsewhere');
    like(cli("create-user --username=$tag.v --role=viewer --password-env=PW"), qr/^user \d+$/, 'a viewer');
}
my %tok = map { $_ => login($srv, "$tag.$_", $pw) } qw(in out so v);
$r = http($srv, 'GET', "/v1/workers/$w/history", token => $tok{in});
is($r->{status}, 200, 'county staff read the history of a worker of their county');
ok(scalar @{ $r->{json}{items} } > 3, 'all of it');
is(http($srv, 'GET', "/v1/workers/$w/history", token => $tok{out})->{status}, 404, 'staff of another county: 404, as for the worker');
is(http($srv, 'GET', "/v1/workers/$w", token => $tok{out})->{status}, 404, '(the worker itself is 404 to them)');
is(http($srv, 'GET', "/v1/households/$hh/history", token => $tok{out})->{status}, 404, 'the same for a household');
is(http($srv, 'GET', "/v1/vacancies/$vac/history", token => $tok{out})->{status}, 404, 'and a vacancy');
is(http($srv, 'GET', "/v1/workers/$w/history", token => $tok{so})->{status}, 404, 'site staff of another site: 404');
is(http($srv, 'GET', "/v1/workers/$w/history", token => $tok{v})->{status}, 403, 'a viewer may not read histories');
is(http($srv, 'GET', "/v1/workers/$w/history", anonymous => 1)->{status}, 401, 'nor may anyone anonymous');

# --- bad input: answered, nothing changed
my @bad_ids;
for my $case ([ "/v1/workers/abc/history", 404 ], [ "/v1/workers/0/history", 404 ], [ "/v1/workers/99999999999/history", 404 ],
              [ "/v1/workers/1234567890123456789/history", 404 ], [ "/v1/workers/$w/history?limit=0", 400 ],
              [ "/v1/workers/$w/history?limit=201", 400 ], [ "/v1/workers/$w/history?cursor=!!", 400 ],
              [ "/v1/workers/$w/history?id=1", 400 ], [ "/v1/workers/$w/history?sort=id", 400 ],
              [ "/v1/workers/$w/history?format=xml", 400 ]) {
    $r = http($srv, 'GET', $case->[0]);
    push @bad_ids, $r->{headers}{'x-request-id'};
    is($r->{status}, $case->[1], "$case->[0]: $case->[1]");
    like($r->{headers}{'content-type'}, qr{application/problem\+json}, 'as a problem');
}
is(http($srv, 'GET', "/v1/workers/$w/history?sort=id")->{json}{errors}[0]{field}, 'sort', 'naming the field');
ok(@bad_ids == 10 && !grep({ !$_ } @bad_ids), 'each answer names its request');
is(psql_value("SELECT count(*) FROM audit_log WHERE request_id IN (" . join(',', map { "'$_'" } @bad_ids) . ")"), 0,
   'bad requests leave no audit row');
ok($srv->alive, 'the server is still up');

# --- the rule is on the column's name, so columns added later are covered
is(psql_value("SELECT string_agg(c || '=' || audit_field_rule('worker', c), ' ' ORDER BY c) FROM unnest(ARRAY["
        . "'bank_card_no', 'guardian_phone', 'wechat_token', 'api_secret', 'payroll_account', 'spouse_id_number', "
        . "'photo_enc', 'guardian_phone_masked', 'contact_name', 'birth_place', 'employment_status']) c"),
   'api_secret=hidden bank_card_no=hidden birth_place=year contact_name=name employment_status=clear '
   . 'guardian_phone=phone guardian_phone_masked=clear payroll_account=hidden photo_enc=hidden '
   . 'spouse_id_number=hidden wechat_token=hidden', 'one function decides per column name');
my $t = psql(<<"SQL");
CREATE TEMP TABLE later_table (id bigint PRIMARY KEY, bank_card_no text, guardian_phone text, note text);
CREATE TRIGGER audit_insert AFTER INSERT ON later_table REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt('x.id::text');
CREATE TRIGGER audit_update AFTER UPDATE ON later_table REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt('x.id::text');
SELECT set_config('leye.actor', '{"kind":"staff","id":1,"name":"t","peer":"","request_id":"$tag-later"}', false);
INSERT INTO later_table VALUES (1, '6222020200112233445', '13712345678', 'a');
UPDATE later_table SET bank_card_no = '6222020200199887766', guardian_phone = '13798765432', note = 'b';
INSERT INTO later_table VALUES (2, '6222020200155555555', '13755556666', repeat('长', 3000));
UPDATE later_table SET note = repeat('短', 3000) WHERE id = 2;
SQL
my $later = Encode::decode('UTF-8', psql("SELECT detail::text FROM audit_log WHERE request_id = '$tag-later' ORDER BY id"));
$later =~ s/\n//g;
like($later, qr/"note": \{"new": "b", "old": "a"\}/, 'a table added later is audited with old and new values');
unlike($later, qr/622202020/, 'its card numbers never in clear');
unlike($later, qr/137123|137987/, 'its phone numbers masked');
like($later, qr/137\*\*\*\*5678/, '(as 137****5678)');
is(psql_value("SELECT length(detail -> 'values' ->> 'note') || ' ' || (detail -> 'values' ->> 'guardian_phone') || ' ' "
              . "|| (detail -> 'hidden')::text FROM audit_log WHERE request_id = '$tag-later' AND resource_id = '2' AND action = 'insert'"),
   '201 137****6666 ["bank_card_no"]', 'a large row: a value over 2 kB cut to 200 characters, the rest masked as always');
is(psql_value("SELECT length(detail -> 'changes' -> 'note' ->> 'old') || ' ' || length(detail -> 'changes' -> 'note' ->> 'new') "
              . "FROM audit_log WHERE request_id = '$tag-later' AND resource_id = '2' AND action = 'update'"),
   '201 201', 'and so in an update');
unlike($later, qr/6222020200155555555|13755556666/, 'nothing in clear on that path either');

done_testing();
