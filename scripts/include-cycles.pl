#!/usr/bin/perl
# include-cycles.pl: finds include circles between the modules of lib/ and
# server/ (a module is a .c file with its .h: h_workers.c and h_workers.h are
# one; a header <m>_int.h is the inside of module <m>, as alloc_int.h is of
# alloc).  Module A depends on module B when A's .c or .h includes B's .h by a
# quoted name; a circle is a path of such dependencies back to where it began
# (httpd -> auth -> httpd).  It also keeps the folders of server/ in their
# layers (docs/architecture.md): a file includes headers of its own layer or
# of lower ones only, so that no circle can form between folders either.
# Prints each circle and each upward include, and exits 1 if there is any,
# 0 otherwise.  Run by make lint.
#   perl scripts/include-cycles.pl [dir ...]     (default: lib server)
use strict;
use warnings;
use File::Find;
use File::Basename qw(basename dirname);

my @roots = @ARGV ? @ARGV : qw(lib server);
my (@files, %header_at);
find({ no_chdir => 1, wanted => sub { push @files, $File::Find::name if /\.[ch]$/ } }, grep { -d } @roots);
for my $f (@files) { push @{ $header_at{ basename($f) } }, $f if $f =~ /\.h$/ }

sub module_of { my ($f) = @_; (my $m = $f) =~ s/(_int)?\.[ch]$//; $m }

# resolves a quoted include as the compiler does here: beside the including
# file first, then by the name under any root (the Makefile's -I folders)
sub resolve {
    my ($from, $name) = @_;
    my $beside = dirname($from) . "/$name";
    return $beside if -f $beside;
    for my $root (@roots) { return "$root/$name" if -f "$root/$name" }
    my $hits = $header_at{ basename($name) } or return undef;
    my @exact = grep { m{(^|/)\Q$name\E$} } @$hits;
    return $exact[0] // undef;
}

# lowest first; a file in server/ itself (main.c) may include anything
my @layers = qw(lib server/core server/db server/jobs server/http server/handlers server/tools server);
my %rank = map { $layers[$_] => $_ } 0 .. $#layers;
sub layer_of {
    my ($f) = @_;
    my ($best) = sort { length($b) <=> length($a) } grep { index($f, "$_/") == 0 } @layers;
    return defined $best ? $rank{$best} : undef;
}

my (%dep, @upward);
for my $f (@files) {
    open(my $fh, '<', $f) or die "$f: $!";
    my $m = module_of($f);
    while (<$fh>) {
        next unless /^\s*#\s*include\s+"([^"]+)"/;
        my $h = resolve($f, $1) or next;
        next if $h !~ /\.h$/;
        my ($lf, $lh) = (layer_of($f), layer_of($h));
        push @upward, "$f includes $h from a higher layer ($layers[$lh] above $layers[$lf])"
            if defined $lf && defined $lh && $lh > $lf;
        my $to = module_of($h);
        $dep{$m}{$to} = 1 if $to ne $m;
    }
    close $fh;
}

# Tarjan's strongly connected components: every component of two or more
# modules holds at least one circle; one circle through it is printed.
my ($index, @stack, %on, %idx, %low, @sccs) = (0);
sub strong {
    my ($v) = @_;
    $idx{$v} = $low{$v} = $index++;
    push @stack, $v; $on{$v} = 1;
    for my $w (sort keys %{ $dep{$v} || {} }) {
        if (!defined $idx{$w}) { strong($w); $low{$v} = $low{$w} if $low{$w} < $low{$v} }
        elsif ($on{$w}) { $low{$v} = $idx{$w} if $idx{$w} < $low{$v} }
    }
    if ($low{$v} == $idx{$v}) {
        my @c;
        while (1) { my $w = pop @stack; $on{$w} = 0; push @c, $w; last if $w eq $v }
        push @sccs, [ sort @c ] if @c > 1;
    }
}
my %all = map { module_of($_) => 1 } @files;
for my $v (sort keys %all) { strong($v) unless defined $idx{$v} }

# a shortest circle from the first module of a component back to itself
sub circle {
    my ($c) = @_;
    my %in = map { $_ => 1 } @$c;
    my $start = $c->[0];
    my %prev = ($start => undef);
    my @queue = ($start);
    while (defined(my $v = shift @queue)) {
        for my $w (sort keys %{ $dep{$v} || {} }) {
            next unless $in{$w};
            if ($w eq $start) {
                my @path = ($v);
                unshift @path, $prev{ $path[0] } while defined $prev{ $path[0] };
                return join(' -> ', @path, $start);
            }
            next if exists $prev{$w};
            $prev{$w} = $v;
            push @queue, $w;
        }
    }
    return join(' -> ', @$c);
}

for my $c (@sccs) {
    print "include circle among ", scalar(@$c), " modules: ", circle($c), "\n";
}
print "$_\n" for @upward;
exit(@sccs || @upward ? 1 : 0);
