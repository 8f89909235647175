# Programme rules on every path: one public-welfare post per household,
# forest-ranger exclusivity and no double post hold when an application is
# created (staff, kiosk, broker), offered and hired, answered 409
# programme_rule with the rule's code and a message in the caller's language
# naming the post and who holds it, and nothing changed.  Staff with the
# rules:override permission pass with a written reason, which the audit log
# keeps; others get 403, a blank reason 422.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;
use Encode qw(encode_utf8 decode_utf8);
use POSIX ();

binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $srv = start_server();
my $tag = 'pr' . ($$ % 100000) . int(rand(1000));
my $bin = $ENV{LEYE_SERVER_BIN};
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); local $ENV{PW} = 'rules-password-1'; my $o = `$bin admin @_ 2>&1`; chomp $o; $o }
sub sql_value { return decode_utf8(psql_value(encode_utf8($_[0]))) }
sub day { my ($n) = @_; return POSIX::strftime('%Y-%m-%d', gmtime(time + 8 * 3600 + $n * 86400)) }
sub id_number {
    my ($serial) = @_;
    my $body = sprintf('5306211990%04d%03d', 704, $serial % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}

my $site = sql_value("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('$tag 卯家湾', 530621, 27.2, 103.5, "
                     . "'urban_centralized') RETURNING id");
sub household { return sql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, 530621, 4) RETURNING id") }
# a worker who consented to brokers and has a kiosk PIN
my $serial = $$;
my (%token);
sub worker {
    my ($hh, $name) = @_;
    my $idn = id_number($serial++);
    my $hash = cli("id-hash --id-number=$idn");
    my $id = sql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex, "
                       . "consent_brokers) VALUES ($hh, '$tag $name', '$hash', '\\x00', '530621********0000', '1990-07-04', 'F', true) "
                       . "RETURNING id");
    is(http($srv, 'PUT', "/v1/workers/$id/pin", body => { pin => '246135' })->{status}, 200, "PIN for $name");
    my $r = http($srv, 'POST', '/v1/kiosk/login', anonymous => 1, body => { id_number => $idn, pin => '246135' });
    $token{$id} = $r->{json}{token} or diag explain $r;
    return $id;
}
my $employer = sql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 鲁甸县林草局', "
                         . "'PR' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'public_body', 530621) RETURNING id");
sub vacancy {
    my ($title, $kind) = @_;
    return sql_value("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, headcount, "
                     . "wage_min, wage_max, status) VALUES ($employer, '$tag $title', '6-29-01-01', '$kind', 530621, "
                     . "27.3, 103.7, 20, 800, 1200, 'open') RETURNING id");
}
sub apply { my ($w, $v, %o) = @_; return http($srv, 'POST', '/v1/applications', body => { worker_id => $w + 0, vacancy_id => $v + 0, source => 'staff', %o }) }
sub move { my ($ma, $to, %o) = @_; return http($srv, 'POST', "/v1/applications/$ma/transitions", body => { to => $to, %o }) }
sub hire_body { return (start_date => day(-1), wage => 1000) }
sub field_errors { my ($r) = @_; return { map { $_->{field} => $_->{code} } @{ $r->{json}{errors} || [] } } }
# what a refused move must leave as it was
# (this run's workers only: other suites share the database)
sub records { return sql_value("WITH w AS (SELECT id FROM worker WHERE name LIKE '$tag %') "
                               . "SELECT (SELECT count(*) FROM application WHERE worker_id IN (SELECT id FROM w)) || '/' "
                               . "|| (SELECT count(*) FROM placement WHERE worker_id IN (SELECT id FROM w)) || '/' "
                               . "|| (SELECT coalesce(sum(version), 0) FROM application WHERE worker_id IN (SELECT id FROM w)) || '/' "
                               . "|| (SELECT count(*) FROM audit_log WHERE action = 'rule_override' "
                               . "    AND (detail ->> 'worker_id')::bigint IN (SELECT id FROM w))") }

# The posts held: a (household 1) and d hold public-welfare posts, c a
# ranger post; b is a's household member.
my $h1 = household();
my ($ma, $mb) = (worker($h1, '杨甲'), worker($h1, '杨乙'));
my $c = worker(household(), '陈丙');
my $d = worker(household(), '罗丁');
my $pw_a = vacancy('保洁员', 'public_welfare');
my $pw_d = vacancy('护路员', 'public_welfare');
my $fr_c = vacancy('护林员', 'forest_ranger');
my %target = (create => vacancy('公益保安', 'public_welfare'), offer => vacancy('水管员', 'public_welfare'),
              hire => vacancy('公益保洁', 'public_welfare'), ranger => vacancy('巡山员', 'forest_ranger'));

# applications made before anyone held a post, to be offered and hired later
my (%pre, $r);
for my $w ($mb, $c, $d) {
    my $o = apply($w, $target{offer})->{json}{id};
    is(move($o, 'shortlisted')->{status}, 200, "worker $w shortlisted for the offer test");
    my $h = apply($w, $target{hire})->{json}{id};
    is(move($h, $_)->{status}, 200, "worker $w $_ for the hire test") for qw(shortlisted offered);
    $pre{$w} = { offer => $o, hire => $h };
}
my $pre_ranger = apply($d, $target{ranger})->{json}{id};
move($pre_ranger, $_) for qw(shortlisted offered);
sub hire {
    my ($w, $v) = @_;
    my $id = apply($w, $v)->{json}{id};
    move($id, $_) for qw(shortlisted offered);
    my $res = move($id, 'hired', hire_body());
    is($res->{status}, 200, "worker $w takes post $v") or diag explain $res->{json};
    return $res->{json}{placement}{id};
}
my $p_a = hire($ma, $pw_a);
my $p_c = hire($c, $fr_c);
my $p_d = hire($d, $pw_d);

# --- each rule on each path
my @cases = (
    [ $mb, 'public_welfare_one_per_household', $ma, $pw_a, "$tag 杨甲", "$tag 保洁员", qr/公益性岗位每户限一人/, qr/One public-welfare post per household/ ],
    [ $c, 'forest_ranger_exclusive', $c, $fr_c, "$tag 陈丙", "$tag 护林员", qr/生态护林员与公益性岗位不得兼任/, qr/forest ranger holds no public-welfare post/ ],
    [ $d, 'no_double_post', $d, $pw_d, "$tag 罗丁", "$tag 护路员", qr/不得重复安排同类岗位/, qr/No double post/ ],
);
my ($broker) = cli("create-broker --name=$tag-broker") =~ /^broker (\d+)$/;
my ($kid, $bkey) = cli("create-key --broker=$broker --scopes=applications:write --rate=100000") =~ /^key (\d+) (\S+) /;
ok($bkey, 'a broker key');

sub check_rule {
    my ($res, $case, $path, %o) = @_;
    my ($w, $rule, $holder, $post_v, $holder_name, $post_title, $zh, $en) = @$case;
    my $what = "$rule, $path";
    is($res->{status}, 409, "$what: 409") or diag explain $res->{json};
    like($res->{headers}{'content-type'}, qr{^application/problem\+json}, "$what: problem+json");
    is($res->{json}{code}, 'programme_rule', "$what: code programme_rule");
    is($res->{json}{rule}, $rule, "$what: names the rule");
    is_deeply(field_errors($res), { vacancy_id => $rule }, "$what: the field and the rule");
    like($res->{json}{detail}, $o{en} ? $en : $zh, "$what: the message in the caller's language");
    like($res->{json}{detail}, qr/\Q$post_title\E/, "$what: the message names the post");
    is_deeply([ @{ $res->{json}{post} }{qw(worker_id vacancy_id title)} ], [ $holder, $post_v, $post_title ],
              "$what: the post and who holds it");
    if ($o{masked}) {
        isnt($res->{json}{post}{worker_name}, $holder_name, "$what: the holder's name masked for a broker");
        unlike($res->{json}{detail}, qr/\Q$holder_name\E/, "$what: also in the message");
    } else {
        is($res->{json}{post}{worker_name}, $holder_name, "$what: the holder named");
        like($res->{json}{detail}, qr/\Q$holder_name\E/, "$what: in the message too");
    }
}

for my $case (@cases) {
    my ($w, $rule) = @$case;
    my $before = records();
    check_rule(apply($w, $target{create}), $case, 'staff create');
    check_rule(http($srv, 'POST', '/v1/applications', headers => { 'Accept-Language' => 'en' },
                    body => { worker_id => $w + 0, vacancy_id => $target{create} + 0, source => 'staff' }),
               $case, 'staff create in English', en => 1);
    check_rule(http($srv, 'POST', '/v1/kiosk/applications', token => $token{$w}, body => { vacancy_id => $target{create} + 0 }),
               $case, 'kiosk create');
    check_rule(http($srv, 'POST', '/v1/applications', headers => { Authorization => "Bearer $bkey" },
                    body => { worker_id => $w + 0, vacancy_id => $target{create} + 0, source => 'broker' }),
               $case, 'broker create', masked => 1);
    check_rule(move($pre{$w}{offer}, 'offered'), $case, 'offer');
    check_rule(move($pre{$w}{hire}, 'hired', hire_body()), $case, 'hire');
    is(records(), $before, "$rule: no application, placement or version changed");
    is(sql_value("SELECT status FROM application WHERE id = $pre{$w}{offer}") . '/'
       . sql_value("SELECT status FROM application WHERE id = $pre{$w}{hire}"), 'shortlisted/offered', "$rule: the moves were not made");
}
# the other kind: a public-welfare worker takes no ranger post, a ranger no second one
check_rule(move($pre_ranger, 'hired', hire_body()),
           [ $d, 'forest_ranger_exclusive', $d, $pw_d, "$tag 罗丁", "$tag 护路员", qr/不得兼任/, qr/ranger/ ], 'hire into a ranger post');
check_rule(apply($c, $target{ranger}),
           [ $c, 'no_double_post', $c, $fr_c, "$tag 陈丙", "$tag 护林员", qr/不得重复/, qr/double/ ], 'a second ranger post');

# posts of other kinds and other households are not concerned
my $regular = vacancy('装卸工', 'regular');
is(apply($mb, $regular)->{status}, 201, 'a regular post is not concerned');
my $e = worker(household(), '马戊');
is(apply($e, $target{create})->{status}, 201, 'a worker of another household applies for a public-welfare post');

# an ended post no longer counts
my $f_h = household();
my ($f1, $f2) = (worker($f_h, '张一'), worker($f_h, '张二'));
my $p_f1 = hire($f1, $pw_a);
is(apply($f2, $target{create})->{json}{rule}, 'public_welfare_one_per_household', 'while a member holds a post, the other is refused');
is(http($srv, 'POST', "/v1/placements/$p_f1/end", body => { ended_on => day(0), end_reason => 'quit' })->{status}, 200, 'the post ends');
is(apply($f2, $target{create})->{status}, 201, 'then the other member may apply');

# --- the override
my $site_user = "$tag.site";
cli("create-user --username=$site_user --role=site_staff --sites=$site --password-env=PW");
my $site_token = login($srv, $site_user, 'rules-password-1');
ok($site_token, 'a site staff session');
my $reason = '村委会证明该户另一成员已于上月离岗，系统记录未及时更新';
my $before = records();
$r = http($srv, 'POST', '/v1/applications', token => $site_token,
          body => { worker_id => $mb + 0, vacancy_id => $target{create} + 0, source => 'staff', override_reason => $reason });
is($r->{status}, 403, 'site staff without the permission: 403');
is_deeply(field_errors($r), { override_reason => 'not_allowed' }, 'naming override_reason');
$r = http($srv, 'POST', '/v1/applications', token => $site_token,
          body => { worker_id => $mb + 0, vacancy_id => $target{create} + 0, source => 'staff' });
is($r->{json}{rule}, 'public_welfare_one_per_household', 'and without a reason the rule holds for them');
for my $blank ('', '   ') {
    $r = apply($mb, $target{create}, override_reason => $blank);
    is($r->{status}, 422, "a blank reason ('$blank'): 422");
    is_deeply(field_errors($r), { override_reason => 'required' }, 'override_reason required');
}
$r = apply($mb, $target{create}, override_reason => 'x' x 501);
is_deeply(field_errors($r), { override_reason => 'too_long' }, 'a reason over 500 bytes: too_long');
$r = http($srv, 'POST', '/v1/applications', headers => { Authorization => "Bearer $bkey" },
          body => { worker_id => $mb + 0, vacancy_id => $target{create} + 0, source => 'broker', override_reason => $reason });
is($r->{status}, 403, 'a broker may not override: 403');
$r = http($srv, 'POST', '/v1/kiosk/applications', token => $token{$mb}, body => { vacancy_id => $target{create} + 0, override_reason => $reason });
is_deeply(field_errors($r), { override_reason => 'unknown_field' }, 'nor a kiosk (no such field)');
is(records(), $before, 'none of these changed anything');

# granted the permission, the site staff overrides; the audit log keeps it
sql_value("UPDATE staff_account SET permissions = '{rules:override}' WHERE username = '$site_user' RETURNING 1");
# a change of permissions reaches every instance's session cache within a second
ok(wait_until(sub { http($srv, 'GET', '/v1/auth/me', token => $site_token)->{json}{rules_override} }, 2),
   'the grant is seen within a second');
$r = http($srv, 'POST', '/v1/applications', token => $site_token,
          body => { worker_id => $mb + 0, vacancy_id => $target{create} + 0, source => 'staff', override_reason => $reason });
is($r->{status}, 201, 'granted rules:override, site staff override with a reason: 201') or diag explain $r->{json};
my $app = $r->{json}{id};
my $audit = sql_value("SELECT actor_kind || '|' || actor_name || '|' || resource || '|' || (detail ->> 'rule') || '|' "
                      . "|| (detail ->> 'step') || '|' || (detail ->> 'member_id') || '|' || (detail ->> 'override_reason') "
                      . "FROM audit_log WHERE action = 'rule_override' AND resource_id = '$app'");
is($audit, "staff|$site_user|application|public_welfare_one_per_household|create|$ma|$reason", 'the override is in the audit log');
is(http($srv, 'GET', '/v1/auth/me', token => $site_token)->{json}{rules_override}, JSON::PP::true, '/v1/auth/me says so');

# the province overrides a hire: the placement is made, the override audited
$r = move($pre{$mb}{hire}, 'hired', hire_body(), override_reason => $reason);
is($r->{status}, 200, 'admin hires with an override reason') or diag explain $r->{json};
ok($r->{json}{placement}{id}, 'the placement is made');
is(sql_value("SELECT count(*) FROM audit_log WHERE action = 'rule_override' AND resource_id = '$pre{$mb}{hire}' "
             . "AND detail ->> 'step' = 'hired' AND detail ->> 'override_reason' = '$reason'"), 1, 'and audited once');
is(sql_value("SELECT count(*) FROM placement p JOIN worker w ON w.id = p.worker_id JOIN vacancy v ON v.id = p.vacancy_id "
             . "WHERE w.household_id = $h1 AND p.ended_on IS NULL AND v.kind = 'public_welfare'"), 2,
   'household 1 now holds two public-welfare posts, as overridden');
# an override that passes no rule records nothing
my $n_audit = sql_value("SELECT count(*) FROM audit_log WHERE action = 'rule_override' AND detail ->> 'worker_id' = '$e'");
is(apply($e, $regular, override_reason => $reason)->{status}, 201, 'an override reason where no rule applies');
is(sql_value("SELECT count(*) FROM audit_log WHERE action = 'rule_override' AND detail ->> 'worker_id' = '$e'"), $n_audit, 'records no override');

# county staff hold the permission by role; viewers and others do not
my $county_user = "$tag.county";
cli("create-user --username=$county_user --role=county_staff --counties=530621 --password-env=PW");
my $county_token = login($srv, $county_user, 'rules-password-1');
is(http($srv, 'GET', '/v1/auth/me', token => $county_token)->{json}{rules_override}, JSON::PP::true, 'county staff may override');
$r = http($srv, 'POST', '/v1/applications', token => $county_token,
          body => { worker_id => $c + 0, vacancy_id => $target{create} + 0, source => 'staff', override_reason => $reason });
is($r->{status}, 201, 'county staff override forest-ranger exclusivity') or diag explain $r->{json};
is(sql_value("SELECT detail ->> 'rule' FROM audit_log WHERE action = 'rule_override' AND resource_id = '$r->{json}{id}'"),
   'forest_ranger_exclusive', 'audited with its rule');

ok($srv->alive, 'the server is still up');
done_testing();
