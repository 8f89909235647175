# A worker's read sees every change at once (migrations/060 gathers the
# child tables of a batch in one pass): after each kind of change through
# the API -- skills, trainings, certificates, a consent given and then
# withdrawn, a placement at a vacancy of another county, archiving -- the
# very next read by county staff shows it under a new ETag, the body equal
# to the update's own answer, and a read of several workers at once (as the
# server batches them) answers each as it is read alone.
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;

my $srv = start_server();
my $tag = 'rc' . $$ . int(rand(1e5));

sub user {
    my ($name, %o) = @_;
    local $ENV{LEYE_DATABASE_URL} = dsn();
    local $ENV{PW} = 'read-change-test-password';
    my @extra = map { "--$_=$o{$_}" } keys %o;
    system("$ENV{LEYE_SERVER_BIN} admin create-user --username=$tag.$name @extra --password-env=PW >/dev/null") == 0 or die;
    return login($srv, "$tag.$name", 'read-change-test-password');
}
my $county = user('ludian', role => 'county_staff', counties => 530621);

my $site = http($srv, 'POST', '/v1/sites', body => { name => "$tag site", county_code => 530621, kind => 'scattered' })->{json}{id};
my $hh = http($srv, 'POST', '/v1/households', body => { site_id => $site, origin_county_code => 530621, members => 3 })->{json}{id};
ok($site && $hh, 'a site and a household of the county');
sub idnum {
    my ($n) = @_;
    my $base = sprintf('5306211987%02d%02d%03d', 1 + $n % 12, 1 + $n % 28, 300 + $n);
    my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
    my $sum = 0;
    $sum += substr($base, $_, 1) * $w[$_] for 0 .. 16;
    return $base . substr('10X98765432', $sum % 11, 1);
}
my @others;
for my $n (1 .. 3) {
    my $r = http($srv, 'POST', '/v1/workers', body => { household_id => $hh, name => "$tag $n", id_number => idnum($n + $$ % 500),
                                                       skills => [{ skill_id => 1, level => $n }] });
    is($r->{status}, 201, "worker $n created") or diag($r->{content});
    push @others, $r->{json}{id};
}
my $w = shift @others;

my %seen;    # every ETag each worker had
sub read_now {
    my ($what, $id) = @_;
    $id //= $w;
    my $r = http($srv, 'GET', "/v1/workers/$id", token => $county);
    is($r->{status}, 200, "$what: county staff read the worker");
    my $etag = $r->{headers}{etag} // '';
    ok($etag && !$seen{"$id $etag"}++, "$what: under a new ETag ($etag)");
    return $r;
}
sub change {
    my ($what, $body, $id) = @_;
    $id //= $w;
    my $before = http($srv, 'GET', "/v1/workers/$id");
    my $u = http($srv, 'PATCH', "/v1/workers/$id", body => $body,
                 headers => { 'If-Match' => $before->{headers}{etag} });
    is($u->{status}, 200, "$what: updated") or diag($u->{content});
    my $r = read_now($what, $id);
    is($r->{headers}{etag}, $u->{headers}{etag}, "$what: the read's ETag is the update's");
    is_deeply($r->{json}, $u->{json}, "$what: the read's body is the update's answer");
    return $r;
}

read_now('as created');
read_now('another, as created', $others[0]);
my $r = change('a skill added', { skills => [{ skill_id => 1, level => 2 }, { skill_id => 2, level => 3 }] });
is(scalar @{ $r->{json}{skills} }, 2, 'both skills are read');
$r = change('a skill removed', { skills => [{ skill_id => 2, level => 4 }] });
is_deeply([ map { "$_->{skill_id}/$_->{level}" } @{ $r->{json}{skills} } ], ['2/4'], 'the one left, at its new level');
$r = change('a training', { trainings => [{ name => "$tag 焊工", provider => $tag, start_date => days_from_today(-40),
                                            end_date => days_from_today(-10), completed => JSON::PP::true, skill_id => 2 }] });
is($r->{json}{trainings}[0]{name}, "$tag 焊工", 'the training is read');
$r = change('a certificate', { certificates => [{ certificate_type_id => 1, number => "$tag-1",
                                                  issued_on => days_from_today(-100), expires_on => days_from_today(100) }] });
is($r->{json}{certificates}[0]{number}, "$tag-1", 'the certificate is read');
ok($r->{json}{certificates}[0]{valid}, 'and valid today');
my $events = scalar @{ $r->{json}{consent_events} };
$r = change('consent given', { consent_brokers => JSON::PP::true, consent_method => 'in_person', consent_given_on => days_from_today(-1) });
ok($r->{json}{consent_brokers} && @{ $r->{json}{consent_events} } == $events + 1, 'the consent and its event are read');
$r = change('consent withdrawn', { consent_brokers => JSON::PP::false, consent_method => 'in_person', consent_given_on => days_from_today(0) });
ok(!$r->{json}{consent_brokers} && @{ $r->{json}{consent_events} } == $events + 2, 'the withdrawal and its event are read');

# a placement at a vacancy of another county: the county's staff see the
# placement, not that county's vacancy or employer
my $emp = psql_value("INSERT INTO employer (name, credit_code, kind, county_code) VALUES ('$tag 彝良', "
                     . "'RC' || lpad((floor(random() * 1e15))::bigint::text, 16, '0'), 'enterprise', 530602) RETURNING id");
my $vac = psql_value("INSERT INTO vacancy (employer_id, title, occupation_code, kind, county_code, lat, lon, headcount, "
                     . "wage_min, wage_max, status) VALUES ($emp, '$tag 彝良', '6-29-01-01', 'regular', 530602, "
                     . "27.6, 104.0, 5, 3000, 5000, 'open') RETURNING id");
my $app = http($srv, 'POST', '/v1/applications', body => { worker_id => $w + 0, vacancy_id => $vac + 0, source => 'staff' })->{json}{id};
http($srv, 'POST', "/v1/applications/$app/transitions", body => { to => $_ }) for qw(shortlisted offered);
my $h = http($srv, 'POST', "/v1/applications/$app/transitions", body => { to => 'hired', start_date => days_from_today(0), wage => 3800 });
is($h->{status}, 200, 'hired at a vacancy of another county') or diag($h->{content});
$r = read_now('placed in another county');
is($r->{json}{placement}{vacancy_id}, $vac, 'the placement is read');
like($r->{json}{employment_status}, qr/^employed/, 'the worker is employed');
ok(!defined $r->{json}{placement}{vacancy_title} && !defined $r->{json}{placement}{employer_name},
   'the other county\'s vacancy and employer stay hidden from county staff');
is(http($srv, 'GET', "/v1/workers/$w")->{json}{placement}{vacancy_title}, "$tag 彝良", 'but not from the province');

# a placed worker cannot be archived: another one is
$r = change('archived', { archived => JSON::PP::true }, $others[0]);
ok($r->{json}{archived}, 'the archiving is read');

# the same workers read together, as the server batches waiting reads,
# answer as each does alone
my @ids = ($w, @others, $others[-1] + 100000);
# an answer as compared: status, ETag and body, less the request's own id
sub answer {
    my ($x) = @_;
    (my $body = $x->{content}) =~ s/"request_id":"[^"]*"//;
    return join("\n", $x->{status}, $x->{headers}{etag} // '', $body);
}
my %alone = map { ($_ => answer(http($srv, 'GET', "/v1/workers/$_", token => $county))) } @ids;
my @kids;
for my $id (@ids) {
    my $pid = fork() // die;
    if (!$pid) {
        exit(answer(http($srv, 'GET', "/v1/workers/$id", token => $county)) eq $alone{$id} ? 0 : 1);
    }
    push @kids, $pid;
}
my $bad = 0;
for (@kids) { waitpid($_, 0); $bad++ if $? }
is($bad, 0, 'reads made together answer as each alone, the missing one 404');
done_testing();
