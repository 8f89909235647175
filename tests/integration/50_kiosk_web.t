# The kiosk web app: served from the binary at /kiosk/ with its security
# headers, then used end to end in headless Chromium (tests/browser/kiosk.mjs):
# log in, jobs with reasons, filters, detail, apply, applications, print
# slip, profile, language, speech, logout; idle logout; wrong PIN and lockout;
# the server stopped in the middle of a session.  Screenshots of each step go
# to $LEYE_TEST_ARTIFACTS/kiosk (default tests/screenshots/kiosk).
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;
use IPC::Open2;
use HTTP::Tiny;
use JSON::PP;
use Encode qw(encode_utf8);
use File::Path qw(make_path);

binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $root = $ENV{LEYE_TEST_ROOT};
my $node = browser_tools();

my $srv = start_server();
my $port = $srv->port;

# ---------- serving the files ----------

my $r = http($srv, 'GET', '/kiosk/', anonymous => 1);
is($r->{status}, 200, 'GET /kiosk/ serves the app');
like($r->{headers}{'content-type'}, qr{^text/html; charset=utf-8}, 'as HTML in UTF-8');
like($r->{content}, qr{<script type="module" src="app\.js"></script>}, 'index.html loads app.js as a module');
unlike($r->{content}, qr{<script>|<script type="module">|\son[a-z]+=|https?://}i, 'with no inline script, handler or outside address');
like($r->{headers}{'content-security-policy'}, qr{default-src 'self'}, "Content-Security-Policy default-src 'self'");
like($r->{headers}{'content-security-policy'}, qr{frame-ancestors 'none'}, 'and no framing');
is($r->{headers}{'x-frame-options'}, 'DENY', 'X-Frame-Options: DENY');
is($r->{headers}{'x-content-type-options'}, 'nosniff', 'X-Content-Type-Options: nosniff');
is($r->{headers}{'referrer-policy'}, 'no-referrer', 'Referrer-Policy: no-referrer');
is($r->{headers}{'cache-control'}, 'no-cache', 'revalidated on each use');
my $etag = $r->{headers}{etag};
like($etag, qr/^"[0-9a-f]{16}"$/, 'with an ETag');
is(http($srv, 'GET', '/kiosk/', anonymous => 1, headers => { 'If-None-Match' => $etag })->{status}, 304,
   'If-None-Match with it: 304');
is(http($srv, 'GET', '/kiosk/', anonymous => 1, headers => { 'If-None-Match' => '"0000000000000000"' })->{status}, 200,
   'another ETag: 200');
is(http($srv, 'GET', '/kiosk/index.html', anonymous => 1)->{content}, $r->{content}, '/kiosk/index.html is the same file');

my %types = ('app.js' => qr{^text/javascript; charset=utf-8}, 'kiosk.css' => qr{^text/css; charset=utf-8},
             'print.css' => qr{^text/css}, 'icons.svg' => qr{^image/svg\+xml});
for my $f (sort keys %types) {
    my $x = http($srv, 'GET', "/kiosk/$f", anonymous => 1);
    is($x->{status}, 200, "/kiosk/$f is served");
    like($x->{headers}{'content-type'}, $types{$f}, "/kiosk/$f has its content type");
    unlike($x->{content}, qr{https?://(?!www\.w3\.org/2000/svg)}, "/kiosk/$f names no outside host");
}
my $js = join '', map { http($srv, 'GET', "/kiosk/$_", anonymous => 1)->{content} } qw(app.js api.js);
unlike($js, qr/localStorage\.setItem|sessionStorage\.setItem|document\.cookie\s*=|pushState|indexedDB/,
       'the scripts store nothing in the browser or its history');

for my $bad ('/kiosk/nope.js', '/kiosk/..%2f..%2fetc%2fpasswd', '/kiosk/%2e%2e', '/kiosk/..', '/kiosk/app.js%00',
             '/kiosk/sub/app.js', '/kiosk/.%2fapp.js', '/kiosk/APP.JS') {
    my $x = http($srv, 'GET', $bad, anonymous => 1);
    ok($x->{status} == 404 || $x->{status} == 400, "$bad is refused ($x->{status})");
    like($x->{headers}{'content-type'} // '', qr{^application/problem\+json}, "$bad answers problem+json");
    unlike($x->{content}, qr/root:|<html/i, "$bad serves no file");
}
my $head = http($srv, 'HEAD', '/kiosk/app.js', anonymous => 1);
is($head->{status}, 200, 'HEAD works');
is(http($srv, 'POST', '/kiosk/app.js', anonymous => 1, body => {})->{status}, 405, 'POST is not allowed');
my $redir = HTTP::Tiny->new(max_redirect => 0)->get("http://127.0.0.1:$port/kiosk?speech=1&idle=60");
is($redir->{status}, 301, '/kiosk redirects');
is($redir->{headers}{location}, '/kiosk/?speech=1&idle=60', 'to /kiosk/ with the settings kept');

# ---------- people and jobs for the browser ----------

my $tag = 'kw' . ($$ % 100000);
my $bin = $ENV{LEYE_SERVER_BIN};
# SQL text goes to psql as UTF-8 bytes
sub sql { return psql(encode_utf8($_[0])) }
sub sql_value { return psql_value(encode_utf8($_[0])) }
sub cli { local $ENV{LEYE_DATABASE_URL} = dsn(); my $out = `$bin admin @_ 2>&1`; chomp $out; return $out }
sub id_number {
    my ($serial) = @_;
    my $body = sprintf('5304251988%04d%03d', 615, $serial % 1000);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    return $body . substr('10X98765432', $sum % 11, 1);
}
my ($id_a, $id_b) = (id_number($$), id_number($$ + 500));
my $site_name = "易门县龙泉${tag}安置区";
my $site = sql_value("INSERT INTO site (name, county_code, lat, lon, kind) VALUES ('$site_name', 530425, 24.6745, 102.1610, 'urban_centralized') RETURNING id");
my $hh = sql_value("INSERT INTO household (site_id, origin_county_code, members) VALUES ($site, 530425, 4) RETURNING id");
my $name = "李秀$tag";
my %worker;
for my $w ([a => $id_a, $name], [b => $id_b, "王锁$tag"]) {
    my ($k, $idn, $nm) = @$w;
    my $hash = cli("id-hash --id-number=$idn");
    my $masked = substr($idn, 0, 6) . ('*' x 8) . substr($idn, 14);
    $worker{$k} = sql_value("INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked,
        birth_date, sex, phone_hash, phone_enc, phone_masked, max_commute_km, wage_floor, job_kinds_wanted, willing_outside_county)
        VALUES ($hh, '$nm', '$hash', '\\x00', '$masked', '1988-06-15', 'F', '\\x00', '\\x00', '139****5678', 20, 1000,
                '{workshop,work_relief,forest_ranger,public_welfare}', true) RETURNING id");
    is(http($srv, 'PUT', "/v1/workers/$worker{$k}/pin", body => { pin => '246810' })->{status}, 200, "PIN set for worker $k");
}
sql("INSERT INTO worker_skill (worker_id, skill_id, level) VALUES ($worker{a}, 36, 2)");
sql("INSERT INTO worker_certificate (worker_id, certificate_type_id, issued_on) VALUES ($worker{a}, 11, '2024-01-01')");

my $n = 0;
sub employer {
    my ($nm, $kind) = @_;
    my $code = sprintf('91530425%010d', ($$ * 10 + $n++) % 10_000_000_000);
    return sql_value("INSERT INTO employer (name, credit_code, kind, county_code, contact_name, contact_phone, address)
        VALUES ('$nm', '$code', '$kind', 530425, '张师傅', '13800001111', '易门县龙泉街道安置区 3 栋') RETURNING id");
}
my $e_shop = employer("易门${tag}服装帮扶车间", 'assistance_workshop');
my $e_pub = employer("易门县${tag}林业和草原局", 'public_body');
my $e_lab = employer("易门${tag}劳务公司", 'labor_service_company');
sub vacancy {
    my ($emp, $title, $kind, $dlat, $min, $max, %o) = @_;
    my $dest = $kind eq 'labor_export' ? '440000' : 'NULL';
    return sql_value("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon,
        dest_province_code, dest_city, headcount, wage_min, wage_max, accommodation, transport, start_date, status)
        VALUES ($emp, '$title', (SELECT min(code) FROM occupation WHERE level = 4), '$kind', 530425,
                24.6745 + $dlat, 102.1610, $dest, '" . ($o{city} // '') . "', 20, $min, $max,
                " . ($o{housing} ? 'true' : 'false') . ", " . ($o{bus} ? 'true' : 'false') . ",
                (now() AT TIME ZONE 'Asia/Shanghai')::date, 'open') RETURNING id");
}
my %v;
$v{workshop} = vacancy($e_shop, "缝纫工 $tag", 'workshop', 0.010, 2200, 3000);
sql("INSERT INTO vacancy_skill (vacancy_id, skill_id, min_level) VALUES ($v{workshop}, 36, 1)");
sql("INSERT INTO vacancy_certificate (vacancy_id, certificate_type_id) VALUES ($v{workshop}, 11)");
$v{ranger} = vacancy($e_pub, "生态护林员 $tag", 'forest_ranger', 0.020, 1000, 1000);
$v{relief} = vacancy($e_pub, "道路养护 $tag", 'work_relief', 0.015, 3000, 3600, bus => 1);
$v{welfare} = vacancy($e_pub, "保洁员 $tag", 'public_welfare', 0.005, 1500, 1500);
$v{far} = vacancy($e_shop, "服装包装工 $tag", 'workshop', 0.110, 2500, 2800, housing => 1);
$v{export} = vacancy($e_lab, "电子厂普工 $tag", 'labor_export', 0.0, 5000, 6500, housing => 1, bus => 1, city => '东莞市');

# the matching index follows new rows within a second or so
ok(wait_until(sub {
    my $login = http($srv, 'POST', '/v1/kiosk/login', anonymous => 1, body => { id_number => $id_b, pin => '246810' });
    my $tok = $login->{json}{token} or return 0;
    my $jobs = http($srv, 'GET', '/v1/kiosk/jobs?k=50', token => $tok);
    http($srv, 'POST', '/v1/kiosk/logout', token => $tok);
    return grep { ($_->{vacancy}{title} // '') =~ /\Q$tag\E/ } @{ $jobs->{json}{items} || [] };
}, 20), 'the matching index has the new jobs');

# ---------- the browser ----------

my $shots = ($ENV{LEYE_TEST_ARTIFACTS} // "$root/tests/screenshots") . '/kiosk';
make_path($shots);
unlink glob("$shots/*.png"), glob("$shots/*.pdf");
diag("screenshots: $shots");

local $ENV{KIOSK_TEST} = JSON::PP->new->utf8->canonical->encode({
    id => $id_a, pin => '246810', name => $name, tag => $tag, desk => $site_name,
    phone_masked => '139****5678', locked_id => $id_b,
    workshop_id => 0 + $v{workshop}, ranger_id => 0 + $v{ranger},
});
my ($checks, $done) = (0, 0);
my $pid = open2(my $from, my $to, $node || 'node', "$root/tests/browser/kiosk.mjs",
                "http://127.0.0.1:$port", $shots);
$to->autoflush(1);
while (my $line = <$from>) {
    my $m = eval { JSON::PP->new->utf8->decode($line) };
    if (!$m) { diag("browser: $line"); next }
    if ($m->{need}) {
        if ($m->{need} eq 'stop') {
            $srv->stop;
            print $to "stopped\n";
        } elsif ($m->{need} eq 'start') {
            $srv = start_server(env => { LEYE_PORT => $port });
            print $to "started\n";
        }
    } elsif (exists $m->{ok}) {
        $checks++;
        ok($m->{ok}, "browser: $m->{name}") or diag($m->{detail});
    } elsif ($m->{done}) {
        $done = 1;
    }
}
waitpid($pid, 0);
is($? >> 8, 0, 'the browser test exited cleanly');
ok($done, 'the browser test ran to the end');
cmp_ok($checks, '>=', 40, "it made its checks ($checks)");
for my $step (qw(jobs detail slip-print applications profile english countdown locked server-down)) {
    my ($file) = glob("$shots/*-$step.png");
    ok($file && -s $file, "a screenshot of $step");
}
cmp_ok(scalar(() = glob("$shots/*.png")), '>=', 15, 'screenshots of each step');

# ---------- what the database saw ----------

is(sql_value("SELECT string_agg(source || ' ' || status, ',') FROM application WHERE worker_id = $worker{a}
               AND vacancy_id = $v{workshop}"), 'kiosk withdrawn', 'the application was made with source kiosk, then withdrawn');
is(sql_value("SELECT count(*) FROM kiosk_session WHERE worker_id = $worker{a} AND ended_at IS NULL"), 0,
   'every session the page opened was ended (logout, idle)');
cmp_ok(sql_value("SELECT count(*) FROM kiosk_session WHERE worker_id = $worker{a}"), '>=', 3, 'after three logins');
is(sql_value("SELECT locked FROM worker_pin WHERE worker_id = $worker{b}"), 't', 'five wrong PINs locked the PIN');
done_testing();
