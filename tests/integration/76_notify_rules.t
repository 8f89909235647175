# The rules of sending, on a clock this test moves: an SMS due in the
# person's quiet hours waits until they end while the kiosk inbox has it at
# once; the daily SMS cap per number puts the text after the cap off to
# 08:00 the next day (the kiosk inbox still has it at once); the digest of
# new vacancies that match a seeker well (the matching index, the seeker's
# threshold) is written at most once a day.  The suite has its own
# PostgreSQL cluster; the cluster and the server run under libfaketime with
# the clock set to the hour each step needs (stopped and started again to
# move it), as make test-aging moves the whole suite.
use strict;
use warnings;
use utf8;
use Test::More;
use IO::Socket::INET;
use File::Temp qw(tempdir);
use POSIX ();
use LeyeTest;
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $bin = $ENV{LEYE_SERVER_BIN};
my $tag = 'nr' . $$ . int(rand(1e5));
my $dir = tempdir(CLEANUP => 1);
my $cluster = LeyeTest::new_cluster();
$ENV{LEYE_TEST_DSN} = $cluster->dsn;
is(system("$bin migrate --database-url='" . $cluster->dsn . "' >/dev/null 2>&1"), 0, 'a database of its own, migrated');

# ---------- the clock ----------
(my $arch = `gcc -print-multiarch`) =~ s/\s+//g;
my $faketime = "/usr/lib/$arch/faketime/libfaketimeMT.so.1";
ok(-e $faketime, 'libfaketime is installed');
# make test-aging runs this script itself some days ahead: offsets are
# reckoned from the real clock
my ($aged) = ($ENV{FAKETIME} // '') =~ /^\+(\d+)d$/;
my $real_offset = ($aged // 0) * 86400;
sub clock_env {
    my ($epoch) = @_;
    return (LD_PRELOAD => $faketime, FAKETIME => sprintf('%+d', $epoch - time() + $real_offset), FAKETIME_DONT_FAKE_MONOTONIC => 1,
            # the sanitizer build (make test-asan) must accept a library loaded before its runtime
            ($ENV{ASAN_OPTIONS} ? (ASAN_OPTIONS => "$ENV{ASAN_OPTIONS}:verify_asan_link_order=0") : ()));
}
# China midnight of today, as epoch seconds
my $cn = time() + 8 * 3600;
my $day0 = $cn - $cn % 86400 - 8 * 3600;
sub at { my ($day, $h, $m) = @_; return $day0 + $day * 86400 + $h * 3600 + $m * 60 }
sub cn_date { my ($day) = @_; return POSIX::strftime('%Y-%m-%d', gmtime($day0 + 8 * 3600 + $day * 86400)) }

# ---------- an SMS gateway ----------
my $gw = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 16, ReuseAddr => 1) or die "listen: $!";
my $gw_pid = fork() // die;
if ($gw_pid == 0) {
    while (my $c = $gw->accept) {
        my $buf = '';
        while ($buf !~ /\r\n\r\n/) { my $n = sysread($c, $buf, 65536, length $buf); last unless $n }
        my ($head, $body) = split /\r\n\r\n/, $buf, 2;
        my ($len) = $head =~ /^content-length:\s*(\d+)/mi;
        $body //= '';
        while (length($body) < ($len // 0)) { my $n = sysread($c, $body, 65536, length $body); last unless $n }
        open(my $log, '>>', "$dir/sms.log"); print $log "$body\n"; close $log;
        print $c "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        close $c;
    }
    POSIX::_exit(0);
}
END { local $?; kill 'KILL', $gw_pid if $gw_pid; waitpid($gw_pid, 0) if $gw_pid }
sub texts { open(my $l, '<', "$dir/sms.log") or return (); return map { JSON::PP->new->decode($_) } <$l> }

my %env = (LEYE_NOTIFY_DELIVERY => 'true', LEYE_NOTIFY_POLL_MS => 100, LEYE_NOTIFY_DIGEST_EVERY_S => 1,
           LEYE_NOTIFY_SMS_DAILY_CAP => 2, LEYE_NOTIFY_SMS_URL => 'http://127.0.0.1:' . $gw->sockport . '/send',
           LEYE_NOTIFY_SMS_ACCOUNT => 'leye-test', LEYE_NOTIFY_SMS_SECRET => 'sms-secret-for-tests');
my $srv;
sub clock_to {
    my ($epoch) = @_;
    $srv->stop if $srv;
    $cluster->stop;
    my %clock = clock_env($epoch);
    { local @ENV{ keys %clock } = @clock{ keys %clock }; $cluster->start }
    $srv = start_server(dsn => $cluster->dsn, env => { %env, %clock });
    ok(wait_until(sub { (http($srv, 'GET', '/readyz', anonymous => 1)->{status} // 0) == 200 }, 60), 'the server is ready');
}
sub db_now_cn { return psql_value("SELECT to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI')") }

# ---------- quiet hours ----------
clock_to(at(0, 22, 30));
is(db_now_cn(), cn_date(0) . ' 22:30', 'the database\'s clock reads 22:30 today');
my $site = psql_value("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('$tag 点', 530924, 23.77, 98.83, 'urban_centralized') RETURNING id");
my $hh = psql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, 530924, 4) RETURNING id");
my $phone = sprintf('137%08d', ($$ * 7919 + int(rand(1e6))) % 100_000_000);
sub idnum {
    my $body = sprintf('5309241991%04d%03d', 1203, int(rand(1000)));
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}
my $r = http($srv, 'POST', '/v1/workers', body => { household_id => $hh + 0, name => "$tag 王芳", id_number => idnum(), phone => $phone });
is($r->{status}, 201, 'a seeker with a phone') or diag explain $r->{json};
my $w1 = $r->{json}{id};
psql("INSERT INTO notify_pref (worker_id, sms, kiosk, quiet_from, quiet_to) VALUES ($w1, true, true, '22:00', '07:00')");
sub enqueue { my ($key) = @_; psql("SELECT notify_enqueue('application.offered', $w1, 'APP_OFFERED', '{\"title\": \"砌砖工\"}', '【乐业】你有一个录用通知。', '$key')") }
sub msg { my ($key, $what) = @_; return psql_value("SELECT $what FROM notify_outbox WHERE dedupe_key = '$key'") }
enqueue("q1$tag");
is(msg("kiosk:q1$tag", 'status'), 'delivered', 'at 22:30 the kiosk inbox has the message at once');
ok(wait_until(sub { msg("sms:q1$tag", "to_char(next_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI')") eq cn_date(1) . ' 07:00' }, 30),
   'the text is put off to 07:00 tomorrow, when the quiet hours end');
sleep 2;
is(msg("sms:q1$tag", "status || '/' || attempts"), 'pending/0', 'and not tried');
is(scalar(my @t = texts()), 0, 'nothing reached the gateway');

clock_to(at(1, 7, 1));
ok(wait_until(sub { msg("sms:q1$tag", 'status') eq 'delivered' }, 30), 'at 07:01 the text is sent');
is(scalar(@t = texts()), 1, 'once');

# ---------- the daily cap (2 here) ----------
enqueue("q2$tag");
enqueue("q3$tag");
ok(wait_until(sub { msg("sms:q2$tag", 'status') eq 'delivered' }, 30), 'the second text of the day is sent');
ok(wait_until(sub { msg("sms:q3$tag", "to_char(next_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI')") eq cn_date(2) . ' 08:00' }, 30),
   'the third, over the cap of 2, waits for 08:00 the next day');
sleep 2;
is(msg("sms:q3$tag", "status || '/' || attempts"), 'pending/0', 'unsent, not dropped');
is(msg("kiosk:q3$tag", 'status'), 'delivered', 'while the kiosk inbox has it at once');
is(scalar(@t = texts()), 2, 'two texts reached the gateway today');

clock_to(at(2, 8, 30));
ok(wait_until(sub { msg("sms:q3$tag", 'status') eq 'delivered' }, 30), 'the next morning it is sent');
is(scalar(@t = texts()), 3, 'three texts in all, never two of a message');

# ---------- the daily digest through the matching index ----------
sub worker {
    my ($name, $min) = @_;
    my $id = psql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked, birth_date, sex, "
                        . "employment_status, max_commute_km) VALUES ($hh, '$name', decode(md5(random()::text || clock_timestamp()::text), 'hex'), "
                        . "'\\x00', '530924********0000', DATE '1990-05-01', 'M', 'seeking', 30) RETURNING id");
    psql("INSERT INTO notify_pref (worker_id, sms, kiosk, match_min) VALUES ($id, false, true, $min)");
    return $id;
}
my $keen = worker("$tag 李勇", 1);       # told of anything that matches at all
my $choosy = worker("$tag 赵强", 100);   # only of a perfect match
my $emp = psql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 企业', "
                     . "'NR' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', 530924) RETURNING id");
sub vacancy {
    my ($title) = @_;
    return psql_value("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, headcount, wage_min, wage_max, status) "
                      . "VALUES ($emp, '$title', '6-29-01-01', 'regular', 530924, 23.78, 98.84, 3, 3000, 4000, 'open') RETURNING id");
}
sub digests { my ($w) = @_; return psql_value("SELECT count(*) FROM notify_outbox WHERE worker_id = $w AND event = 'vacancy.digest'") }
my $v1 = vacancy('装卸工');
ok(wait_until(sub { psql_value("SELECT count(*) FROM notify_digest_item WHERE vacancy_id = $v1") > 0 }, 30), 'the new vacancy goes through the index');
my %score = map { $_->{id} => $_->{score} } @{ http($srv, 'GET', "/v1/vacancies/$v1/candidates?k=50")->{json}{items} || [] };
ok(defined $score{$keen} && $score{$keen} >= 1 && $score{$choosy} < 100, "both match it, with $score{$keen} points: above 1, below 100")
    or diag explain \%score;
is(psql_value("SELECT count(*) FROM notify_digest_item WHERE vacancy_id = $v1 AND worker_id = $keen"), 1, 'above the keen seeker\'s threshold: in their digest');
is(psql_value("SELECT count(*) FROM notify_digest_item WHERE vacancy_id = $v1 AND worker_id = $choosy"), 0, 'below the choosy one\'s: not');
ok(wait_until(sub { digests($keen) == 1 }, 30), 'the keen seeker gets the day\'s digest');
is(digests($choosy), 0, 'the choosy one none');
my $v2 = vacancy('搬运工');
ok(wait_until(sub { psql_value("SELECT count(*) FROM notify_digest_item WHERE vacancy_id = $v2 AND worker_id = $keen") == 1 }, 30),
   'a second vacancy the same day joins the keen seeker\'s waiting list');
sleep 3;
is(digests($keen), 1, 'but no second digest that day');
is(psql_value("SELECT count(*) FROM notify_digest_item WHERE worker_id = $keen AND sent_on IS NULL"), 1, 'it waits for tomorrow');

clock_to(at(3, 9, 0));
ok(wait_until(sub { digests($keen) == 2 }, 30), 'the next day, the second digest');
my $text = psql_value("SELECT text_zh FROM notify_outbox WHERE worker_id = $keen AND event = 'vacancy.digest' ORDER BY id DESC LIMIT 1");
utf8::decode($text);
like($text, qr/1 个新岗位.*搬运工/, 'with the vacancy that waited');
is(digests($choosy), 0, 'and still none for the choosy seeker');
$srv->stop;
undef $srv;

done_testing();
