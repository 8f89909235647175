#!/usr/bin/perl
# Merges docs/openapi/*.json (one fragment per resource: paths and
# components) into one OpenAPI document on standard output.
# Usage: openapi-merge.pl docs/openapi/*.json > docs/openapi.json
#
# The first fragment may name answers that every operation can get
# (x-every-operation-responses: a malformed or oversized request, a timeout,
# an internal error, an unavailable database, a database past its deadline)
# and answers that every operation secured by a bearer token can get
# (x-every-bearer-operation-responses: 401, 403, 429); each operation gets
# those it does not document itself, and the two lists leave the output.
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
my $every  = delete $doc->{'x-every-operation-responses'} || {};
my $bearer = delete $doc->{'x-every-bearer-operation-responses'} || {};
for my $path (keys %{ $doc->{paths} }) {
    for my $m (grep { /^(get|put|post|delete|patch|head|options|trace)$/ } keys %{ $doc->{paths}{$path} }) {
        my $op = $doc->{paths}{$path}{$m};
        my $security = $op->{security} // $doc->{security} // [];
        my $secured = grep { exists $_->{bearer} } @$security;
        for my $add ($every, $secured ? $bearer : ()) {
            $op->{responses}{$_} //= $add->{$_} for keys %$add;
        }
    }
}
print $json->encode($doc);
