#!/usr/bin/perl
# Tries to re-identify people from every answer the integration suites
# received (recorded by tests/lib/LeyeTest.pm under $LEYE_TEST_TMP/answers,
# each with the kind of caller that received it).  tests/run.pl runs it after
# all suites; its checks count in the final "N passed, N failed" line.
#
# 1. For each record (a JSON object, with what its enclosing objects say of
#    the same person; a CSV row), rebuild the ID number from the masked
#    number plus any birth date, birth year, age, sex and region in it: count
#    the 18-character numbers consistent with all of them and with the check
#    digit.  Outside the audited reveal (POST /v1/workers/{id}/reveal) fewer
#    than 1,000 candidates is a failure, for every kind of caller.
# 2. Broker answers: no household fields, no monitoring or zero-employment
#    flags or words (in Chinese or English), no priority part or priority
#    reasons, no birth dates, no ID numbers or phones of any form.
#
# Only answers under /v1/ are people's data; /openapi.json describes fields
# and is not scanned.  Free text that names things (vacancy titles and
# descriptions, reference names) is not scanned for words: a job may well be
# described as "优先安置零就业家庭成员" without saying anything of a person.
use strict;
use warnings;
use utf8;
use JSON::PP;
use Test::More;
use Time::Local qw(timegm);

binmode(STDOUT, ':encoding(UTF-8)');
binmode(STDERR, ':encoding(UTF-8)');
my $builder = Test::More->builder;
binmode($builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $FLOOR = 1000;
my $dir   = shift // "$ENV{LEYE_TEST_TMP}/answers";
my $json  = JSON::PP->new->utf8;
my @W     = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
my @CHECK = split //, '10X98765432';

# ---------- candidates for one record ----------

# days since 1970-01-01 <-> (y, m, d)
sub days_of { my ($y, $m, $d) = @_; return int(timegm(0, 0, 0, $d, $m - 1, $y) / 86400) }
sub ymd_of  { my @t = gmtime($_[0] * 86400); return sprintf('%04d%02d%02d', $t[5] + 1900, $t[4] + 1, $t[3]) }

# The weighted sum (mod 11) of the sequence digits (positions 14..16) for
# each sequence allowed by the visible characters and the sex, as a count
# per residue: hist[r] = how many sequences give r.
sub seq_hist {
    my ($mask, $sex) = @_;
    my @h = (0) x 11;
    for my $seq (0 .. 999) {
        my $s = sprintf('%03d', $seq);
        next if $sex && (($seq % 2 == 1) != ($sex eq 'M'));
        my $ok = 1;
        for my $i (0 .. 2) {
            my $c = substr($mask, 14 + $i, 1);
            $ok = 0 if $c ne '*' && $c ne substr($s, $i, 1);
        }
        next unless $ok;
        my $sum = 0;
        $sum += substr($s, $_, 1) * $W[14 + $_] for 0 .. 2;
        $h[$sum % 11]++;
    }
    return \@h;
}

# Births a record allows: [first, last] day numbers.
sub birth_window {
    my ($rec, $day) = @_;
    if (defined $rec->{birth_date} && $rec->{birth_date} =~ /^(\d{4})-(\d{2})-(\d{2})/) {
        my $d = days_of($1, $2, $3);
        return [$d, $d];
    }
    if (defined $rec->{birth_year} && $rec->{birth_year} =~ /^(\d{4})$/) {
        return [days_of($1, 1, 1), days_of($1, 12, 31)];
    }
    my ($ty, $tm, $td) = $day =~ /^(\d{4})-(\d{2})-(\d{2})$/;
    if (defined $rec->{age} && $rec->{age} =~ /^\d+$/ && $rec->{age} < 130) {
        my $a = $rec->{age};
        # aged a on the day: born after the day a+1 years before, up to a years before
        # (29 February falls back to 28; one day of slack each side for the clock)
        my $lo = days_of($ty - $a - 1, $tm, $tm == 2 && $td == 29 ? 28 : $td) + 1;
        my $hi = days_of($ty - $a, $tm, $tm == 2 && $td == 29 ? 28 : $td);
        return [$lo - 1, $hi + 1];
    }
    return [days_of($ty - 130, 1, 1), days_of($ty, $tm, $td)];
}

my %memo;
# How many ID numbers fit the record (counting stops at the floor).
sub candidates {
    my ($rec, $day) = @_;
    my $mask = $rec->{id_number_masked};
    $mask = '*' x 18 unless defined $mask && length($mask) == 18;
    $mask = uc $mask;
    my $sex = $rec->{sex} // '';
    $sex = $sex =~ /^(M|男)$/ ? 'M' : $sex =~ /^(F|女)$/ ? 'F' : '';
    my $w = birth_window($rec, $day);
    my $key = join '|', $mask, $sex, @$w;
    return $memo{$key} //= do {
        my $hist = seq_hist($mask, $sex);
        # the region: shown in the mask or not, answers carry the county: known
        my $region = substr($mask, 0, 6) =~ /^\d{6}$/ ? substr($mask, 0, 6) : '530102';
        my $rsum = 0;
        $rsum += substr($region, $_, 1) * $W[$_] for 0 .. 5;
        my $last = substr($mask, 17, 1);
        my $n = 0;
        for my $d ($w->[0] .. $w->[1]) {
            my $ymd = ymd_of($d);
            my $fits = 1;
            for my $i (0 .. 7) {
                my $c = substr($mask, 6 + $i, 1);
                if ($c ne '*' && $c ne substr($ymd, $i, 1)) { $fits = 0; last }
            }
            next unless $fits;
            my $sum = $rsum;
            $sum += substr($ymd, $_, 1) * $W[6 + $_] for 0 .. 7;
            for my $r (0 .. 10) {
                next unless $hist->[$r];
                my $check = $CHECK[($sum + $r) % 11];
                $n += $hist->[$r] if $last eq '*' || $last eq $check;
            }
            last if $n >= $FLOOR;
        }
        $n;
    };
}

# ---------- walking the answers ----------

my @PERSON = qw(id_number_masked birth_date birth_year age sex);
my %NAMING = map { $_ => 1 } qw(name name_zh name_en title description requirements address
    employer_name vacancy_title occupation_name skill_name site_name county_name notes);
my $WORDS = qr/防返贫|返贫|脱贫|监测|零就业|贫困|monitor|zero[-_ ]?employ|poverty|unstable after/i;
my $BROKER_KEYS = qr/^(?:household|members$|monitoring|zero_employment|prio|birth|id_number|phone$|phone_masked$)/;

my (%seen, %narrow, %broker);
sub note_narrow {
    my ($a, $rec, $n) = @_;
    my $k = "$a->{caller} $a->{method} $a->{path}";
    $narrow{$a->{caller}}{$k} //= sprintf('%s %s (%s): %d candidates from %s', $a->{method}, $a->{path},
        $a->{suite}, $n, join(', ', map { "$_=" . ($rec->{$_} // 'null') } grep { exists $rec->{$_} } @PERSON));
}
sub note_broker {
    my ($a, $what) = @_;
    my $k = "$a->{method} $a->{path} $what";
    $broker{$k} //= "$a->{method} $a->{path} ($a->{suite}): $what";
}

sub check_record {
    my ($a, $rec) = @_;
    return unless grep { defined $rec->{$_} } qw(id_number_masked birth_date birth_year);
    my $n = candidates($rec, $a->{day});
    note_narrow($a, $rec, $n) if $n < $FLOOR;
}

# Walks a JSON value; inherited holds the person fields of enclosing objects.
sub walk {
    my ($a, $v, $inherited, $key) = @_;
    if (ref $v eq 'HASH') {
        my %rec = %$inherited;
        for my $f (@PERSON) { $rec{$f} = $v->{$f} if exists $v->{$f} }
        check_record($a, \%rec) unless $a->{reveal};
        for my $k (keys %$v) {
            if ($a->{caller} eq 'broker') {
                note_broker($a, "field $k") if $k =~ $BROKER_KEYS;
                note_broker($a, "a reason $v->{code}") if $k eq 'code' && defined $v->{code} && !ref $v->{code} && $v->{code} =~ /^prio/;
            }
            walk($a, $v->{$k}, \%rec, $k);
        }
    } elsif (ref $v eq 'ARRAY') {
        walk($a, $_, $inherited, $key) for @$v;
    } elsif (defined $v && !ref $v && $a->{caller} eq 'broker') {
        note_broker($a, "the words \"$v\"") if !($key && $NAMING{$key}) && $v =~ $WORDS;
        note_broker($a, "a date of birth $v in $key") if $key && $key =~ /birth/;
    }
}

# RFC 4180 rows (quoted fields may hold commas and line ends)
sub csv_rows {
    my ($text) = @_;
    $text =~ s/^\x{FEFF}//;
    my (@rows, @row, $f);
    while (length $text) {
        if ($text =~ s/^"((?:[^"]|"")*)"//) { ($f = $1) =~ s/""/"/g }
        elsif ($text =~ s/^([^,\r\n]*)//) { $f = $1 }
        push @row, $f;
        if ($text =~ s/^,//) { next }
        substr($text, 0, 1) = '' unless $text =~ s/^\r?\n//;
        push @rows, [@row];
        @row = ();
    }
    push @rows, [@row] if @row;
    return @rows;
}

sub scan_csv {
    my ($a) = @_;
    my ($head, @rows) = csv_rows($a->{body});
    return unless $head;
    for my $row (@rows) {
        my %rec;
        @rec{@$head} = @$row;
        walk($a, \%rec, {}, '');
    }
}

# ---------- main ----------

my @files = glob("$dir/*.jsonl");
ok(@files || $ENV{TEST_ONLY}, "answers were recorded ($dir)");
for my $file (@files) {
    open(my $fh, '<', $file) or die "$file: $!";
    while (my $line = <$fh>) {
        my $a = eval { $json->decode($line) } or next;
        next unless ($a->{path} // '') =~ m{^/v1/};
        $seen{$a->{caller}}++;
        $a->{reveal} = $a->{method} eq 'POST' && $a->{path} =~ m{^/v1/workers/\d+/reveal$};
        if (($a->{type} // '') =~ /json/) {
            my $v = eval { JSON::PP->new->decode($a->{body}) };
            walk($a, $v, {}, '') if ref $v;
        } elsif (($a->{type} // '') =~ /csv/) {
            scan_csv($a);
        } elsif ($a->{caller} eq 'broker' && $a->{body} =~ $WORDS) {
            note_broker($a, 'the words of household status in a document');
        }
    }
}
diag(sprintf('answers scanned: %s', join(', ', map { "$_ $seen{$_}" } sort keys %seen)));

for my $caller (qw(staff staff_reveal kiosk broker public)) {
    my @bad = sort values %{ $narrow{$caller} || {} };
    ok(!@bad, "no answer to $caller narrows an ID number below $FLOOR candidates outside a reveal")
        or diag(join("\n", @bad[0 .. ($#bad < 19 ? $#bad : 19)]), @bad > 20 ? "\n... and " . (@bad - 20) . ' more' : '');
}
my @b = sort values %broker;
my @groups = (
    ['household fields',                      qr/field (?:household|members)/],
    ['monitoring or zero-employment status',  qr/field (?:monitoring|zero_employment)|the words/],
    ['priority part or priority reasons',     qr/field prio|a reason prio/],
    ['birth dates',                           qr/birth/],
    ['ID numbers or phones in any form',      qr/field (?:id_number|phone)/],
);
for my $g (@groups) {
    my @hits = grep { $_ =~ $g->[1] } @b;
    ok(!@hits, "broker answers carry no $g->[0]")
        or diag(join("\n", @hits[0 .. ($#hits < 19 ? $#hits : 19)]), @hits > 20 ? "\n... and " . (@hits - 20) . ' more' : '');
}
done_testing();
