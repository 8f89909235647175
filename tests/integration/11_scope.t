# Object-level access: county and site staff see and change only their own
# places; anything else answers 404 (existence does not leak).
use strict;
use warnings;
use utf8;
use Test::More;
use LeyeTest;

my $srv = start_server();
my $tag = 'sc' . $$ . int(rand(1e5));
my %site;
for my $c (530621, 530602) {
    $site{$c} = http($srv, 'POST', '/v1/sites', body => { name => "$tag $c", county_code => $c, kind => 'scattered' })->{json}{id};
}
sub user {
    my ($name, %o) = @_;
    local $ENV{LEYE_DATABASE_URL} = dsn();
    local $ENV{PW} = 'scope-test-password';
    my @extra = map { "--$_=$o{$_}" } keys %o;
    system("$ENV{LEYE_SERVER_BIN} admin create-user --username=$tag.$name @extra --password-env=PW >/dev/null") == 0 or die;
    return login($srv, "$tag.$name", 'scope-test-password');
}
my $ludian = user('ludian', role => 'county_staff', counties => 530621);
my $sitestaff = user('site', role => 'site_staff', sites => $site{530602});

my $r = http($srv, 'GET', "/v1/sites?q=$tag", token => $ludian);
is_deeply([map { $_->{county_code} } @{ $r->{json}{items} }], [530621], 'county staff list only their county');
is(http($srv, 'GET', "/v1/sites/$site{530621}", token => $ludian)->{status}, 200, 'and read a site in it');
is(http($srv, 'GET', "/v1/sites/$site{530602}", token => $ludian)->{status}, 404, 'a site in another county is 404, not 403');
$r = http($srv, 'PATCH', "/v1/sites/$site{530602}", token => $ludian, body => { people => 1 }, headers => { 'If-Match' => '"1"' });
is($r->{status}, 404, 'nor can they change it');
is(psql_value("SELECT people FROM site WHERE id = $site{530602}"), 0, 'which stays unchanged');
$r = http($srv, 'POST', '/v1/sites', token => $ludian, body => { name => "$tag x", county_code => 530602, kind => 'scattered' });
is($r->{status}, 403, 'creating a site in another county is refused');
is($r->{json}{errors}[0]{code}, 'outside_scope', 'as outside their scope');
$r = http($srv, 'PATCH', "/v1/sites/$site{530621}", token => $ludian, body => { county_code => 530602 }, headers => { 'If-Match' => '"1"' });
is($r->{status}, 403, 'moving their site to another county is refused');
is(psql_value("SELECT county_code FROM site WHERE id = $site{530621}"), 530621, 'and the site stays');

$r = http($srv, 'GET', "/v1/sites?q=$tag", token => $sitestaff);
is_deeply([map { $_->{id} } @{ $r->{json}{items} }], [$site{530602}], 'site staff see only their site');
is(http($srv, 'GET', "/v1/sites/$site{530621}", token => $sitestaff)->{status}, 404, 'another site is 404');
is(http($srv, 'POST', '/v1/sites', token => $sitestaff, body => { name => "$tag y", county_code => 530602, kind => 'scattered' })->{status},
   403, 'site staff cannot create sites');
$r = http($srv, 'GET', "/v1/sites?q=$tag");
is(scalar @{ $r->{json}{items} }, 2, 'province staff see both');
done_testing();
