# The compose deployment keeps row-level security on: its servers connect as
# leye_app (neither a superuser nor BYPASSRLS, so county/site scoping and the
# append-only audit log hold), only a one-shot migrate service connects as
# the schema owner, the owner is not the cluster's superuser either, and the
# container's first-start init creates the roles that way.  No container
# engine runs here: the test reads docker/compose.yaml (with YAML::XS, merge
# keys and ${VAR:-default} resolved as compose does) and the init script.
use strict;
use warnings;
use Test::More;
use YAML::XS qw(LoadFile);
use LeyeTest;

my $docker = "$ENV{LEYE_TEST_ROOT}/docker";
my $compose = LoadFile("$docker/compose.yaml");

# YAML merge keys (<<), which YAML::XS leaves as a plain key: the mapping's
# own keys win over merged ones, as in compose
sub merged {
    my ($m) = @_;
    return $m unless ref $m eq 'HASH';
    my %out;
    if (my $base = $m->{'<<'}) {
        for my $b (ref $base eq 'ARRAY' ? reverse @$base : ($base)) {
            my $r = merged($b);
            @out{ keys %$r } = values %$r;
        }
    }
    $out{$_} = $m->{$_} for grep { $_ ne '<<' } keys %$m;
    return \%out;
}
# compose's interpolation with no variables set: ${VAR:-default} and ${VAR-default}
sub value {
    my ($v) = @_;
    return $v unless defined $v && !ref $v;
    $v =~ s/\$\{\w+:?-([^}]*)\}/$1/g;
    $v =~ s/\$\{\w+\}//g;
    return $v;
}
sub env_of {
    my ($svc) = @_;
    my $e = $svc->{environment} // {};
    $e = { map { /^([^=]+)=(.*)$/ ? ($1 => $2) : ($_ => '') } @$e } if ref $e eq 'ARRAY';
    return { map { $_ => value($e->{$_}) } keys %$e };
}
# the user of a libpq URI or key=value connection string
sub db_user {
    my ($url) = @_;
    return $1 if ($url // '') =~ m{^postgres(?:ql)?://([^:@/]+)[:@]};
    return $1 if ($url // '') =~ /(?:^|\s)user=(\S+)/;
    return '';
}
sub command_of {
    my ($svc) = @_;
    my $c = $svc->{command};
    return join ' ', ref $c ? @$c : defined $c ? split(' ', $c) : ();
}

my %svc = map { $_ => merged($compose->{services}{$_}) } keys %{ $compose->{services} };
my @leye = grep { ($svc{$_}{build}{dockerfile} // '') =~ m{docker/Dockerfile$} } sort keys %svc;
my @servers = grep { command_of($svc{$_}) =~ /^(serve)?$/ } @leye;
my @migrate = grep { command_of($svc{$_}) eq 'migrate' } @leye;
ok(@servers >= 2, "the servers: @servers");
is(scalar @migrate, 1, 'one migrate service');
is_deeply([ sort @servers, @migrate ], [ sort @leye ], 'every service of the image serves or migrates');

my ($db) = grep { ($svc{$_}{image} // '') =~ /^postgres:/ && !$svc{$_}{entrypoint} } sort keys %svc;
ok($db, "the primary: $db");
my $dbenv = env_of($svc{$db});
my $superuser = $dbenv->{POSTGRES_USER} // 'postgres';
isnt($superuser, 'leye', 'the superuser the image creates is not the schema owner');
isnt($superuser, 'leye_app', 'nor the servers\' role');

for my $s (@servers) {
    my $e = env_of($svc{$s});
    is(db_user($e->{LEYE_DATABASE_URL}), 'leye_app', "$s connects as leye_app");
    isnt(db_user($e->{LEYE_DATABASE_URL}), $superuser, "$s does not connect as the superuser");
    is(db_user($e->{LEYE_DATABASE_REPLICA_URL}), 'leye_app', "$s reads the replica as leye_app")
        if exists $e->{LEYE_DATABASE_REPLICA_URL};
    ok(!exists $e->{LEYE_DATABASE_OWNER_URL}, "$s has no owner connection");
    is(lc($e->{LEYE_MIGRATE_ON_START} // 'true'), 'false', "$s does not migrate on start");
    ok(!(grep { /^postgres/ && db_user($_) ne 'leye_app' } values %$e), "$s holds no other database credentials");
}
my $m = env_of($svc{ $migrate[0] // '' } // {});
is(db_user($m->{LEYE_DATABASE_OWNER_URL}), 'leye', 'the migrate service connects as the schema owner');
isnt(db_user($m->{LEYE_DATABASE_OWNER_URL}), $superuser, 'which is not the superuser');
ok(!(grep { db_user(env_of($svc{$_})->{LEYE_DATABASE_OWNER_URL}) } grep { $_ ne ($migrate[0] // '') } keys %svc),
   'no other service has the owner connection');
my @after = grep { ($svc{$_}{depends_on}{ $migrate[0] // '' }{condition} // '') eq 'service_completed_successfully' } @servers;
is_deeply(\@after, \@servers, 'the servers start once the migrations are done');

# the init script the primary runs on first start
my ($init) = grep { m{:/docker-entrypoint-initdb\.d/} } @{ $svc{$db}{volumes} || [] };
ok($init, 'the primary runs an init script');
my ($file) = ($init // '') =~ m{^\./([^:]+):};
open(my $fh, '<', "$docker/" . ($file // 'none')) or die "init script $init: $!";
my $sql = do { local $/; <$fh> };
close $fh;
like($sql, qr/CREATE ROLE leye_app LOGIN\b[^;]*\bNOSUPERUSER\b[^;]*\bNOBYPASSRLS\b/, 'it creates leye_app, neither superuser nor BYPASSRLS');
like($sql, qr/CREATE ROLE leye LOGIN\b[^;]*\bNOSUPERUSER\b[^;]*\bNOBYPASSRLS\b/, 'and leye, the owner, likewise');
like($sql, qr/ALTER DATABASE\s+\S+\s+OWNER TO leye;/, 'leye owns the database');
like($sql, qr/GRANT leye_app TO leye;/, 'and may end leye_app\'s sessions');
like($sql, qr/\$LEYE_APP_DB_PASSWORD/, 'with the servers\' password from the environment');
is($dbenv->{LEYE_APP_DB_PASSWORD}, env_of($svc{ $servers[0] })->{LEYE_DATABASE_URL} =~ m{^postgresql://leye_app:([^@]+)@} ? $1 : undef,
   'the same password the servers use');

# nothing the repo ships for deployment turns row-level security off
for my $f (sort glob("$docker/*"), "$ENV{LEYE_TEST_ROOT}/scripts/pglocal.sh") {
    next unless -f $f;
    open(my $h, '<', $f) or die "$f: $!";
    my $text = do { local $/; <$h> };
    (my $name = $f) =~ s{^\Q$ENV{LEYE_TEST_ROOT}\E/}{};
    ok($text !~ /\b(?:CREATE|ALTER)\s+(?:ROLE|USER)\b[^;]*?(?<!NO)\b(?:SUPERUSER|BYPASSRLS)\b/i,
       "$name makes no role SUPERUSER or BYPASSRLS");
    ok($text !~ /row_security\s*[=,]\s*'?off/i, "$name does not turn row_security off");
}

# the test cluster's leye_app, which every suite's server connects as, is the same kind of role
is(psql_value("SELECT rolsuper::text || ' ' || rolbypassrls::text FROM pg_roles WHERE rolname = 'leye_app'"), 'false false',
   'the test cluster\'s leye_app is neither superuser nor BYPASSRLS');
done_testing();
