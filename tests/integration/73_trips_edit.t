# Changing and cancelling a labour export trip before it leaves, and the
# kiosk's own sign-ups: PATCH /v1/export-trips/{id} with If-Match (day,
# place, transport, seats, escort, headcount; never after departure; seats
# below the roster refused), POST /v1/export-trips/{id}/cancel with a reason
# (sign-ups closed, everyone signed up told through the outbox), both
# audited; bad input refused in both languages with nothing written.  At
# the kiosk only a person willing to work in another province signs up, and
# may take the sign-up back before the trip leaves.
use strict;
use warnings;
use utf8;
use Test::More;
use Encode qw(encode_utf8 decode_utf8);
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $tag = 'te' . ($$ % 100000) . int(rand(1000));
my $bin = $ENV{LEYE_SERVER_BIN};
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); my $out = `$bin admin @_ 2>&1`; chomp $out; return $out }
sub sql { return psql(encode_utf8($_[0])) }
sub sql_value { return psql_value(encode_utf8($_[0])) }
sub sql_text { return decode_utf8(psql_value(encode_utf8($_[0]))) }
sub day { return days_from_today($_[0]) }
sub field_errors { my ($r) = @_; return { map { $_->{field} => $_->{code} } @{ $r->{json}{errors} || [] } } }
sub id_number {
    my ($n) = @_;
    my $body = sprintf('5306211991%04d%03d', 611, $n % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}

my $site = sql_value("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('$tag 砚池山', 530621, 27.2, 103.5, 'urban_centralized') RETURNING id");
my $serial = 0;
sub worker {
    my (%o) = @_;
    my $hh = sql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, 530621, 3) RETURNING id");
    my $hash = $o{hash} ? "'$o{hash}'" : "decode(md5(random()::text || clock_timestamp()::text), 'hex')";
    my $willing = ($o{willing} // 1) ? 'true' : 'false';
    return sql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex,
        employment_status, willing_outside_province) VALUES ($hh, '$o{name}$tag', $hash, '\\x00', '530621********000X',
        '1991-06-0" . (++$serial % 9 + 1) . "', 'F', 'seeking', $willing) RETURNING id");
}
my @w = map { worker(name => "出行人$_") } 1 .. 3;
my $kid = id_number($$);
my $kw = worker(name => '自助报名', hash => cli("id-hash --id-number=$kid"));
my $nid = id_number($$ + 500);
my $nw = worker(name => '不愿外出', hash => cli("id-hash --id-number=$nid"), willing => 0);
{ local $ENV{PIN} = '358024'; cli("reset-pin --worker=$kw --pin-env=PIN"); cli("reset-pin --worker=$nw --pin-env=PIN") }
my $everyone = join(',', @w, $kw, $nw);

my $emp = sql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 苏州电子厂',
    'TE' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', 530621) RETURNING id");
my $v = sql_value("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, dest_province_code, dest_city,
    headcount, wage_min, wage_max, status) VALUES ($emp, '$tag 装配工', (SELECT min(code) FROM occupation WHERE level = 4),
    'labor_export', 530621, 27.3, 103.7, 320000, '苏州', 8, 4800, 6000, 'open') RETURNING id");

my $pw = "pw-$tag-" . join('', map { int(rand(10)) } 1 .. 12);
{ local $ENV{PW} = $pw;
  like(cli("create-user --username=$tag.c --role=county_staff --counties=530621 --password-env=PW"), qr/^user \d+$/, 'county staff');
  like(cli("create-user --username=$tag.s --role=site_staff --sites=$site --password-env=PW"), qr/^user \d+$/, 'site staff'); }

my $srv = start_server();
ok(wait_until(sub { (http($srv, 'GET', '/readyz', anonymous => 1)->{status} // 0) == 200 }, 30), 'the matching index loads');
my $staff = login($srv, "$tag.c", $pw);
my $site_staff = login($srv, "$tag.s", $pw);
ok($staff && $site_staff, 'staff sign in');

# The roster fill runs on the solver thread: queued, then waited for.
sub fill {
    my ($trip) = @_;
    my $q = http($srv, 'POST', "/v1/export-trips/$trip/fill", token => $staff);
    die "fill: $q->{status}\n" unless $q->{status} == 202;
    my $r;
    wait_until(sub { ($r = http($srv, 'GET', "/v1/export-trips/$trip", token => $staff))->{json}{fill}{id} == $q->{json}{id}
                     && $r->{json}{fill}{state} eq 'done' }, 120) or die "fill: not done\n";
    return $r;
}

my %trip = (title => "$tag 苏州包车", employer_id => $emp + 0, dest_province_code => 320000, dest_city => '苏州',
            departure_on => day(12), departure_place => '鲁甸县砚池山安置点广场', transport => 'chartered_bus',
            seats => 4, headcount => 3, escort => '鲁甸县人社局 王干事', vacancy_ids => [$v + 0]);
my $r = http($srv, 'POST', '/v1/export-trips', body => \%trip, token => $staff);
is($r->{status}, 201, 'a trip') or diag explain $r->{json};
my $t = $r->{json}{id};
is($r->{json}{cancel_reason}, '', 'not cancelled');
for my $x (@w[0, 1]) {
    is(http($srv, 'POST', "/v1/export-trips/$t/signups", body => { worker_id => $x + 0 }, token => $staff)->{status}, 201, 'a sign-up');
}
$r = fill($t);
is(scalar(grep { $_->{state} eq 'selected' } @{ $r->{json}{roster} }), 2, 'two on the roster');
is($r->{json}{fill}{placed} . '/' . $r->{json}{fill}{waiting}, '2/0', 'the solver thread placed both');
like(sql_value("SELECT string_agg(DISTINCT actor_name, ',') FROM audit_log WHERE resource = 'export_signup' AND action = 'update'
                AND resource_id IN (SELECT id::text FROM export_signup WHERE trip_id = $t)"), qr/^\Q$tag.c\E$/,
     'as the staff member who asked (audited)');
is(http($srv, 'POST', "/v1/export-trips/$t/signups", body => { worker_id => $w[2] + 0 }, token => $staff)->{status}, 201,
   'a third waits for the next fill');

# ---------- changing the trip ----------
sub trip_row { return sql_value("SELECT departure_on || '|' || departure_place || '|' || transport || '|' || seats || '|' || headcount
                                 || '|' || escort || '|' || status || '|' || version FROM export_trip WHERE id = $t") }
sub messages { return sql_value("SELECT count(*) FROM notify_outbox WHERE worker_id IN ($everyone) AND event = 'trip.changed'") }
my $get = http($srv, 'GET', "/v1/export-trips/$t", token => $staff);
my $etag = $get->{headers}{etag};
ok($etag, 'the trip has an ETag');
my $row = trip_row();
is(messages(), 0, 'nobody was told anything yet');

$r = http($srv, 'PATCH', "/v1/export-trips/$t", body => { seats => 5 }, token => $staff);
is($r->{status}, 428, 'a change without If-Match is refused');
$r = http($srv, 'PATCH', "/v1/export-trips/$t", body => { seats => 5 }, token => $staff, headers => { 'If-Match' => '"999"' });
is($r->{status}, 412, 'a change of an older version is refused');
$r = http($srv, 'PATCH', "/v1/export-trips/$t", body => { seats => 1, headcount => 1 }, token => $staff, headers => { 'If-Match' => $etag });
is($r->{status}, 409, 'seats below the people on the roster are refused');
is(field_errors($r)->{seats}, 'below_roster', 'naming seats and the reason');
like($r->{json}{errors}[0]{message}, qr/出行名单/, 'in Chinese');
$r = http($srv, 'PATCH', "/v1/export-trips/$t", body => { seats => 1, headcount => 1 }, token => $staff,
          headers => { 'If-Match' => $etag, 'Accept-Language' => 'en' });
like($r->{json}{errors}[0]{message}, qr/roster/, 'and in English');
is(field_errors(http($srv, 'PATCH', "/v1/export-trips/$t", body => { headcount => 1 }, token => $staff,
                     headers => { 'If-Match' => $etag }))->{headcount}, 'below_roster', 'a headcount below the roster too');
$r = http($srv, 'PATCH', "/v1/export-trips/$t", body => { headcount => 5 }, token => $staff, headers => { 'If-Match' => $etag });
is($r->{status}, 422, 'a headcount over the seats is refused');
is(field_errors($r)->{headcount}, 'exceeds_seats', 'exceeds_seats');
$r = http($srv, 'PATCH', "/v1/export-trips/$t", body => { seats => 20, headcount => 9 }, token => $staff, headers => { 'If-Match' => $etag });
is(field_errors($r)->{headcount}, 'exceeds_posts', 'a headcount over the open posts is refused');
$r = http($srv, 'PATCH', "/v1/export-trips/$t", body => { departure_on => day(-1) }, token => $staff, headers => { 'If-Match' => $etag });
is(field_errors($r)->{departure_on}, 'out_of_range', 'a day in the past is refused');
like($r->{json}{errors}[0]{message}, qr/超出允许范围/, 'in Chinese');
is(field_errors(http($srv, 'PATCH', "/v1/export-trips/$t", body => { title => 'x' }, token => $staff,
                     headers => { 'If-Match' => $etag }))->{title}, 'unknown_field', 'the title is not among what may change');
is(field_errors(http($srv, 'PATCH', "/v1/export-trips/$t", body => { transport => 'horse' }, token => $staff,
                     headers => { 'If-Match' => $etag }))->{transport}, 'unknown_value', 'an unknown transport is refused');
is(field_errors(http($srv, 'PATCH', "/v1/export-trips/$t", body => { departure_place => '' }, token => $staff,
                     headers => { 'If-Match' => $etag }))->{departure_place}, 'required', 'an empty place is refused');
is(http($srv, 'PATCH', "/v1/export-trips/$t", body => { seats => 5 }, token => $site_staff, headers => { 'If-Match' => $etag })->{status},
   403, 'site staff may not change a trip');
is(trip_row(), $row, 'nothing written by the refused changes');
is(messages(), 0, 'and nobody told');

$r = http($srv, 'PATCH', "/v1/export-trips/$t", token => $staff, headers => { 'If-Match' => $etag },
          body => { departure_on => day(14), departure_place => '鲁甸县汽车客运站', transport => 'special_train', seats => 6,
                    headcount => 4, escort => '鲁甸县人社局 李干事' });
is($r->{status}, 200, 'the trip changes') or diag explain $r->{json};
is($r->{json}{departure_on}, day(14), 'the new day');
is($r->{json}{transport}, 'special_train', 'the new transport');
is($r->{json}{seats} . '/' . $r->{json}{headcount}, '6/4', 'seats and headcount');
is(scalar @{ $r->{json}{roster} }, 3, 'with its roster');
isnt($r->{headers}{etag}, $etag, 'a new ETag');
is(http($srv, 'PATCH', "/v1/export-trips/$t", body => { seats => 7 }, token => $staff, headers => { 'If-Match' => $etag })->{status},
   412, 'the old ETag no longer fits');
is(sql_value("SELECT count(DISTINCT worker_id) FROM notify_outbox WHERE worker_id IN ($everyone) AND event = 'trip.changed'
              AND channel = 'kiosk' AND template = 'TRIP_CHANGED'"), 3, 'everyone signed up is told of the new day and place');
like(sql_text("SELECT text_zh FROM notify_outbox WHERE worker_id = $w[0] AND event = 'trip.changed'"), qr/鲁甸县汽车客运站出发/,
     'in plain words, with the place');
my $told = messages();
$etag = $r->{headers}{etag};
$r = http($srv, 'PATCH', "/v1/export-trips/$t", body => { escort => '鲁甸县人社局 张干事' }, token => $staff, headers => { 'If-Match' => $etag });
is($r->{status}, 200, 'a new escort');
is(messages(), $told, 'is not worth a message');
like(sql_value("SELECT string_agg(actor_name, ',') FROM audit_log WHERE resource = 'export_trip' AND resource_id = '$t' AND action = 'update'"),
     qr/\Q$tag.c\E/, 'the changes are audited with who made them');

# ---------- the kiosk ----------
my $kiosk = http($srv, 'POST', '/v1/kiosk/login', anonymous => 1, body => { id_number => $kid, pin => '358024' })->{json}{token};
my $unwilling = http($srv, 'POST', '/v1/kiosk/login', anonymous => 1, body => { id_number => $nid, pin => '358024' })->{json}{token};
ok($kiosk && $unwilling, 'two job seekers sign in at the kiosk');
$r = http($srv, 'GET', '/v1/kiosk/export-trips', token => $unwilling);
ok(!$r->{json}{may_sign_up}, 'one who would not work in another province may not sign up');
$r = http($srv, 'POST', "/v1/kiosk/export-trips/$t/signup", token => $unwilling);
is($r->{status}, 409, 'and is refused');
is(field_errors($r)->{willing_outside_province}, 'not_willing', 'naming the wish and the reason');
like($r->{json}{errors}[0]{message}, qr/外省/, 'in Chinese');
like(http($srv, 'POST', "/v1/kiosk/export-trips/$t/signup", token => $unwilling, headers => { 'Accept-Language' => 'en' })
     ->{json}{errors}[0]{message}, qr/another province/, 'and in English');
is(sql_value("SELECT count(*) FROM export_signup WHERE worker_id = $nw"), 0, 'nothing written');

$r = http($srv, 'GET', '/v1/kiosk/export-trips', token => $kiosk);
ok($r->{json}{may_sign_up}, 'a willing job seeker may sign up');
my ($item) = grep { $_->{id} == $t } @{ $r->{json}{items} };
is($item->{places_left}, 2, 'the trip shows the places left on its roster');
ok(!exists $item->{note} && !exists $item->{broker_id}, 'and nothing staff keep for themselves');
is(http($srv, 'POST', "/v1/kiosk/export-trips/$t/withdraw", token => $kiosk)->{status}, 404, 'no sign-up to take back yet');
is(http($srv, 'POST', "/v1/kiosk/export-trips/$t/signup", token => $kiosk)->{status}, 201, 'signs up');
$r = http($srv, 'GET', '/v1/kiosk/export-trips', token => $kiosk);
is(scalar(grep { $_->{trip_id} == $t && $_->{state} eq 'signed_up' } @{ $r->{json}{mine} }), 1, 'and sees the sign-up among their own');
$r = http($srv, 'POST', "/v1/kiosk/export-trips/$t/withdraw", token => $kiosk, headers => { 'Idempotency-Key' => "$tag-wd" });
is($r->{status}, 200, 'takes it back');
is($r->{json}{state}, 'withdrawn', 'withdrawn');
is(sql_value("SELECT count(*) FROM export_signup WHERE worker_id = $kw"), 0, 'the sign-up is gone');
my $wd = http($srv, 'POST', "/v1/kiosk/export-trips/$t/withdraw", token => $kiosk, headers => { 'Idempotency-Key' => "$tag-wd" });
is_deeply([ $wd->{status}, $wd->{headers}{'idempotent-replayed'}, $wd->{content} ], [ 200, 'true', $r->{content} ],
          'a retry under its key gets the first answer, not a 404');
ok(sql_value("SELECT count(*) FROM audit_log WHERE resource = 'export_signup' AND action = 'delete' AND resource_id = '$r->{json}{id}'") >= 1,
   'and the audit log keeps it');
is(http($srv, 'POST', "/v1/kiosk/export-trips/$t/signup", token => $kiosk)->{status}, 201, 'and may sign up again');

# ---------- cancelling ----------
$row = trip_row();
$told = messages();
$r = http($srv, 'POST', "/v1/export-trips/$t/cancel", body => {}, token => $staff);
is($r->{status}, 422, 'a cancellation needs a reason');
is(field_errors($r)->{reason}, 'required', 'reason required');
like($r->{json}{errors}[0]{message}, qr/必填/, 'in Chinese');
like(http($srv, 'POST', "/v1/export-trips/$t/cancel", body => {}, token => $staff, headers => { 'Accept-Language' => 'en' })
     ->{json}{errors}[0]{message}, qr/required/, 'and in English');
is(http($srv, 'POST', "/v1/export-trips/$t/cancel", body => { reason => '用工单位推迟' }, token => $staff,
        headers => { 'If-Match' => '"1"' })->{status}, 412, 'an old version is refused');
is(http($srv, 'POST', "/v1/export-trips/$t/cancel", body => { reason => '用工单位推迟' }, token => $site_staff)->{status}, 403,
   'site staff may not cancel');
is(trip_row(), $row, 'nothing written');
is(messages(), $told, 'nobody told');
$r = http($srv, 'POST', "/v1/export-trips/$t/cancel", body => { reason => '用工单位推迟招工' }, token => $staff);
is($r->{status}, 200, 'the trip is cancelled') or diag explain $r->{json};
is($r->{json}{status}, 'cancelled', 'cancelled');
is($r->{json}{cancel_reason}, '用工单位推迟招工', 'with the reason');
is(sql_value("SELECT count(DISTINCT worker_id) FROM notify_outbox WHERE worker_id IN ($everyone) AND template = 'TRIP_CANCELLED'"), 4,
   'everyone signed up is told');
like(sql_text("SELECT text_zh FROM notify_outbox WHERE worker_id = $kw AND template = 'TRIP_CANCELLED'"), qr/取消了：用工单位推迟招工/,
     'with the reason');
$r = http($srv, 'POST', "/v1/export-trips/$t/signups", body => { worker_id => $nw + 0 }, token => $staff);
is(field_errors($r)->{trip_id}, 'trip_closed', 'sign-ups are closed');
is(field_errors(http($srv, 'POST', "/v1/export-trips/$t/fill", token => $staff))->{trip_id}, 'trip_closed', 'and no roster is filled');
is(field_errors(http($srv, 'POST', "/v1/kiosk/export-trips/$t/withdraw", token => $kiosk))->{trip_id}, 'trip_closed',
   'nor is a sign-up taken back');
$r = http($srv, 'GET', '/v1/kiosk/export-trips', token => $kiosk);
ok(!(grep { $_->{id} == $t } @{ $r->{json}{items} }), 'the kiosk no longer lists the trip');
my ($gone) = grep { $_->{trip_id} == $t } @{ $r->{json}{mine} };
is($gone->{trip_status} . '|' . $gone->{cancel_reason}, 'cancelled|用工单位推迟招工', 'but shows the person their cancelled sign-up and why');
$row = trip_row();
$r = http($srv, 'POST', "/v1/export-trips/$t/cancel", body => { reason => '再取消' }, token => $staff);
is(field_errors($r)->{status}, 'trip_cancelled', 'a second cancellation is refused');
like($r->{json}{errors}[0]{message}, qr/已取消/, 'in Chinese');
$r = http($srv, 'PATCH', "/v1/export-trips/$t", body => { seats => 7 }, token => $staff, headers => { 'If-Match' => '*' });
is(field_errors($r)->{status}, 'trip_cancelled', 'a cancelled trip does not change');
is(trip_row(), $row, 'nothing written');
like(sql_value("SELECT string_agg(actor_name, ',') FROM audit_log WHERE resource = 'export_trip' AND resource_id = '$t' AND action = 'update'
                AND detail -> 'changes' -> 'status' ->> 'new' = 'cancelled'"), qr/\Q$tag.c\E/, 'the cancellation is audited');

# ---------- a trip that has left ----------
my $t2 = http($srv, 'POST', '/v1/export-trips', body => { %trip, title => "$tag 今天出发", departure_on => day(0) }, token => $staff)->{json}{id};
ok($t2, 'a trip leaving today');
my $s2 = http($srv, 'POST', "/v1/export-trips/$t2/signups", body => { worker_id => $w[2] + 0 }, token => $staff)->{json}{id};
fill($t2);
is(http($srv, 'POST', "/v1/export-trips/$t2/signups/$s2/check-in", token => $staff)->{status}, 200, 'someone boards');
my $left = sql_value("SELECT version || status FROM export_trip WHERE id = $t2");
$r = http($srv, 'PATCH', "/v1/export-trips/$t2", body => { departure_place => '别处' }, token => $staff, headers => { 'If-Match' => '*' });
is($r->{status}, 409, 'a trip that has left does not change');
is(field_errors($r)->{departure_on}, 'trip_departed', 'trip_departed');
like($r->{json}{errors}[0]{message}, qr/已出发/, 'in Chinese');
like(http($srv, 'PATCH', "/v1/export-trips/$t2", body => { departure_place => '别处' }, token => $staff,
          headers => { 'If-Match' => '*', 'Accept-Language' => 'en' })->{json}{errors}[0]{message}, qr/has left/, 'and in English');
is(field_errors(http($srv, 'POST', "/v1/export-trips/$t2/cancel", body => { reason => '太晚了' }, token => $staff))->{departure_on},
   'trip_departed', 'nor is it cancelled');
is(sql_value("SELECT version || status FROM export_trip WHERE id = $t2"), $left, 'nothing written');

done_testing();
