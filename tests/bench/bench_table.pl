#!/usr/bin/perl
# Reads the "BENCH name value unit" lines of make bench on standard input,
# prints one table (figure, Leye, peer or floor, ratio) and writes the
# scaling chart (latency against workers, both directions) to the SVG file
# named on the command line.
use strict;
use warnings;

my $svg = shift // 'docs/img/bench-scaling.svg';
my (%v, %unit);
while (<STDIN>) {
    next unless /^BENCH\s+(\S+)\s+([-0-9.eE+]+)\s+(\S+)/;
    $v{$1} = $2;
    $unit{$1} = $3;
}

sub fig {
    my ($name, $fmt) = @_;
    return defined $v{$name} ? sprintf($fmt, $v{$name}) : 'n/a';
}

sub ratio {
    my ($a, $b) = @_;
    return 'n/a' unless defined $v{$a} && defined $v{$b} && $v{$b} > 0;
    return sprintf('%.2f', $v{$a} / $v{$b});
}

my @rows = (
    [ 'GET /healthz, keep-alive, one core each', fig('http_healthz_keepalive', '%.0f req/s'),
      'nginx, 1 worker, same body: ' . fig('nginx_healthz_keepalive', '%.0f req/s'),
      ratio('http_healthz_keepalive', 'nginx_healthz_keepalive') ],
    [ 'GET /healthz, pipelined, one core each', fig('http_healthz_pipelined', '%.0f req/s'),
      'nginx, 1 worker, same body: ' . fig('nginx_healthz_pipelined', '%.0f req/s'),
      ratio('http_healthz_pipelined', 'nginx_healthz_pipelined') ],
    [ 'GET /healthz, CPU per request (keep-alive)', fig('http_healthz_keepalive_cpu', '%.2f us'),
      'nginx: ' . fig('nginx_healthz_keepalive_cpu', '%.2f us'),
      ratio('nginx_healthz_keepalive_cpu', 'http_healthz_keepalive_cpu') ],
    [ 'a worker by id as county staff', fig('http_worker_read', '%.0f req/s'),
      'pgbench -S -M prepared, same clients: ' . fig('pgbench_select', '%.0f tps'),
      ratio('http_worker_read', 'pgbench_select') ],
    [ 'the same, 100 different workers in random order', fig('http_worker_read_many', '%.0f req/s'),
      'pgbench -S -M prepared, same clients: ' . fig('pgbench_select', '%.0f tps'),
      ratio('http_worker_read_many', 'pgbench_select') ],
);
for my $n ([ 1000000, '1 M' ], [ 10000000, '10 M' ]) {
    push @rows, [ "top-50 workers for a vacancy, $n->[1] workers, 1 thread, p50",
                  fig("match_workers_p50_$n->[0]", '%.2f ms'),
                  'plain sum over 22 B a worker: ' . fig("match_floor_$n->[0]", '%.2f ms'),
                  ratio("match_workers_p50_$n->[0]", "match_floor_$n->[0]") ];
}
push @rows,
    [ 'the same with facets, 1 M, p99', fig('match_facets_p99_1000000', '%.1f ms'), 'target 20 ms',
      defined $v{match_facets_p99_1000000} ? sprintf('%.2f', $v{match_facets_p99_1000000} / 20) : 'n/a' ],
    [ 'top-20 vacancies for a worker, 100 k vacancies, p50', fig('match_vacancies_p50_1000000', '%.3f ms'),
      'target 0.25 ms',
      defined $v{match_vacancies_p50_1000000} ? sprintf('%.2f', $v{match_vacancies_p50_1000000} / 0.25) : 'n/a' ],
    [ 'matching index loaded from PostgreSQL, 1 M workers', fig('match_index_load_1000000', '%.1f s'),
      'target 5 s',
      defined $v{match_index_load_1000000} ? sprintf('%.2f', $v{match_index_load_1000000} / 5) : 'n/a' ],
    [ 'top-50 through the HTTP API, 1 M workers, p50', fig('match_api_p50_1000000', '%.2f ms'),
      'SQL on GIN and GiST: ' . fig('match_sql_p50_1000000', '%.1f ms'),
      ratio('match_api_p50_1000000', 'match_sql_p50_1000000') ],
    [ 'CSV import, 100 k new workers', fig('import_workers_rows_per_s', '%.0f rows/s'),
      'pgbench single-row insert, 8 clients: ' . fig('peer_pgbench_insert_tps', '%.0f tps'),
      ratio('import_workers_rows_per_s', 'peer_pgbench_insert_tps') ],
    [ 'allocation 1 M workers -> 100 k posts, end to end', fig('alloc_1000000_end_to_end', '%.1f s'),
      'gap to the bound: ' . fig('alloc_1000000_gap_pct', '%.4f %%') . ', proven optimal: '
      . (!defined $v{alloc_1000000_proven} ? 'n/a' : $v{alloc_1000000_proven} ? 'yes' : 'no'), '' ],
    [ 'the solve alone (one thread), CPU', fig('alloc_1000000_solve_cpu', '%.1f s'),
      'wall: ' . fig('alloc_1000000_solve', '%.1f s') . '; end to end, CPU: '
      . fig('alloc_1000000_end_to_end_cpu', '%.1f s'), '' ];

my @w = (0, 0, 0, 0);
for my $r ([ 'figure', 'Leye', 'peer or floor, same run', 'ratio' ], @rows) {
    $w[$_] = length($r->[$_]) > $w[$_] ? length($r->[$_]) : $w[$_] for 0 .. 3;
}
my $line = sub { printf "| %-*s | %*s | %-*s | %*s |\n", $w[0], $_[0], $w[1], $_[1], $w[2], $_[2], $w[3], $_[3] };
$line->('figure', 'Leye', 'peer or floor, same run', 'ratio');
printf "|%s|%s|%s|%s|\n", '-' x ($w[0] + 2), '-' x ($w[1] + 2), '-' x ($w[2] + 2), '-' x ($w[3] + 2);
$line->(@$_) for @rows;

# ---- the chart: p50 latency against workers, log-log ----
my @sizes = (100000, 1000000, 10000000);
my @series = (
    [ 'top-50 workers for a vacancy (p50)', 'match_workers_p50', '#c0392b', '' ],
    [ 'memory-bandwidth floor (22 B a worker)', 'match_floor', '#7f8c8d', '6,4' ],
    [ 'top-20 vacancies for a worker, 100 k vacancies (p50)', 'match_vacancies_p50', '#2471a3', '' ],
);
my @all = grep { defined && $_ > 0 } map { my $s = $_->[1]; map { $v{"${s}_$_"} } @sizes } @series;
unless (@all) {
    print "\nno matching figures: $svg not written\n";
    exit 0;
}
my ($lo, $hi) = (10**int(log(min(@all)) / log(10) - ((min(@all) < 1) ? 1 : 0)), 1);
$hi *= 10 while $hi < max(@all);
my ($W, $H, $L, $R, $T, $B) = (640, 400, 70, 20, 40, 110);
my $x = sub { my $i = shift; return $L + $i * ($W - $L - $R) / 2 };
my $y = sub { my $ms = shift; return $T + ($H - $T - $B) * (log($hi) - log($ms)) / (log($hi) - log($lo)) };
open(my $f, '>', "$svg.tmp") or die "cannot write $svg: $!\n";
print $f qq{<svg xmlns="http://www.w3.org/2000/svg" width="$W" height="$H" viewBox="0 0 $W $H" font-family="sans-serif" font-size="12">\n};
print $f qq{<rect width="$W" height="$H" fill="white"/>\n};
print $f qq{<text x="$L" y="22" font-size="14">Matching latency against index size (make bench, one thread)</text>\n};
for (my $t = $lo; $t <= $hi * 1.0001; $t *= 10) {
    my $py = sprintf('%.1f', $y->($t));
    my $label = $t >= 1 ? sprintf('%g ms', $t) : sprintf('%g ms', $t);
    print $f qq{<line x1="$L" y1="$py" x2="@{[$W - $R]}" y2="$py" stroke="#ddd"/>\n};
    print $f qq{<text x="@{[$L - 6]}" y="@{[$py + 4]}" text-anchor="end">$label</text>\n};
}
my @xl = ('100 k', '1 M', '10 M');
for my $i (0 .. 2) {
    my $px = $x->($i);
    print $f qq{<line x1="$px" y1="$T" x2="$px" y2="@{[$H - $B]}" stroke="#eee"/>\n};
    my $anchor = (qw(start middle end))[$i];
    print $f qq{<text x="$px" y="@{[$H - $B + 18]}" text-anchor="$anchor">$xl[$i] workers</text>\n};
}
print $f qq{<rect x="$L" y="$T" width="@{[$W - $L - $R]}" height="@{[$H - $T - $B]}" fill="none" stroke="#444"/>\n};
my $ly = $H - $B + 42;
for my $s (@series) {
    my ($label, $key, $color, $dash) = @$s;
    my @pts;
    for my $i (0 .. 2) {
        my $val = $v{"${key}_$sizes[$i]"};
        next unless defined $val && $val > 0;
        push @pts, [ $x->($i), $y->($val), $val ];
    }
    next unless @pts;
    my $d = $dash ? qq{ stroke-dasharray="$dash"} : '';
    printf $f qq{<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"/>\n}, $color, $d,
        join(' ', map { sprintf('%.1f,%.1f', $_->[0], $_->[1]) } @pts);
    for my $p (@pts) {
        my $last = $p->[0] > $W - $R - 1;    # the label of the rightmost point goes left of it
        printf $f qq{<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>\n}, $p->[0], $p->[1], $color;
        printf $f qq{<text x="%.1f" y="%.1f" fill="%s" font-size="11" text-anchor="%s">%s</text>\n},
            $p->[0] + ($last ? -5 : 5), $p->[1] - 5, $color, $last ? 'end' : 'start',
            $p->[2] < 1 ? sprintf('%.3f', $p->[2]) : sprintf('%.2f', $p->[2]);
    }
    print $f qq{<line x1="$L" y1="$ly" x2="@{[$L + 30]}" y2="$ly" stroke="$color" stroke-width="2"$d/>\n};
    print $f qq{<text x="@{[$L + 38]}" y="@{[$ly + 4]}">$label</text>\n};
    $ly += 18;
}
print $f "</svg>\n";
close $f or die "cannot write $svg: $!\n";
rename("$svg.tmp", $svg) or die "cannot write $svg: $!\n";
print "\nchart: $svg\n";

sub min { my $m = shift; for (@_) { $m = $_ if $_ < $m } return $m }
sub max { my $m = shift; for (@_) { $m = $_ if $_ > $m } return $m }
