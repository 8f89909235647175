#!/usr/bin/perl
# Merges docs/openapi/*.json (one fragment per resource: paths and
# components) into one OpenAPI document on standard output.
# Usage: openapi-merge.pl docs/openapi/*.json > docs/openapi.json
use strict;
use warnings;
use JSON::PP;

my $json = JSON::PP->new->utf8->canonical->pretty->indent_length(2);
my $doc;
for my $file (sort @ARGV) {
    open my $fh, '<', $file or die "$file: $!\n";
    my $frag = eval { $json->decode(do { local $/; <$fh> }) } or die "$file: $@";
    if (!$doc) { $doc = $frag; next }
    for my $path (keys %{ $frag->{paths} || {} }) {
        for my $m (keys %{ $frag->{paths}{$path} }) {
            die "$file: $m $path is defined twice\n" if exists $doc->{paths}{$path}{$m};
            $doc->{paths}{$path}{$m} = $frag->{paths}{$path}{$m};
        }
    }
    for my $kind (keys %{ $frag->{components} || {} }) {
        for my $name (keys %{ $frag->{components}{$kind} }) {
            die "$file: components/$kind/$name is defined twice\n" if exists $doc->{components}{$kind}{$name};
            $doc->{components}{$kind}{$name} = $frag->{components}{$kind}{$name};
        }
    }
    push @{ $doc->{tags} }, @{ $frag->{tags} || [] };
}
print $json->encode($doc);
