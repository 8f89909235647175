#!/usr/bin/perl
# Writes import CSVs for make bench-import: households.csv and workers.csv in
# the folder given, for N workers (about 2.5 per household) on site 1,
# numbered from FIRST (1) on, so that a later file brings new workers
# (ID numbers stay unique up to number 480,000).
use strict;
use warnings;
my ($dir, $n, $first) = @ARGV;
$n ||= 100000;
$first ||= 1;
my @counties = (530621, 530602, 530326, 530381, 530627, 533325, 530828, 532627);
my @surnames = qw(张 王 李 赵 刘 陈 杨 黄 吴 周 徐 孙 马 朱 胡 郭 何 罗 高 林);
my @given = qw(明 华 红 英 勇 军 芳 丽 强 伟 秀 兰 平 刚 静 燕 梅 杰 涛 超);
my @skills = ('砌筑', '混凝土', '钢筋', '电工', '焊工', '家政服务', '养老护理', '中式烹调', '缝纫', '快递配送', '茶叶加工', '保洁');
my @edu = ('小学', '初中', '初中', '初中', '高中', '中专');
my @status = ('未就业', '本地就业', '本地就业', '县外就业', '省外就业', '省外就业');
my @w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2);
srand(42);
my ($h0, $h1) = (1 + int(($first - 1) / 2.5), 1 + int(($first + $n - 1) / 2.5));
open my $h, '>', "$dir/households.csv" or die;
print $h "户编号,安置点ID,迁出县代码,迁出村,家庭人口,监测类型,发现方式,认定日期\n";
for my $i ($h0 .. $h1) {
    printf $h "H%06d,1,%d,%s村,%d,%s\n", $i, $counties[$i % @counties], $given[$i % @given] . $given[($i / 7) % @given],
        3 + $i % 4, $i % 13 == 0 ? '边缘易致贫户,数据比对,2024-05-01' : '无,,';
}
close $h;
open my $o, '>', "$dir/workers.csv" or die;
print $o "安置点ID,户编号,姓名,身份证号,手机号,文化程度,就业状态,技能,通勤距离,愿意省外就业,同意推荐给劳务经纪人\n";
for my $i ($first .. $first + $n - 1) {
    my $county = $counties[$i % @counties];
    my $birth = sprintf('%04d%02d%02d', 1966 + $i % 40, 1 + $i % 12, 1 + $i % 28);
    my $body = sprintf('%d%s%03d', $county, $birth, $i % 1000);
    # keep the 18-digit numbers unique: vary the birth date with the serial's thousands
    $body = sprintf('%d%04d%02d%02d%03d', $county, 1966 + int($i / 1000) % 40, 1 + int($i / 40000) % 12,
                    1 + $i % 28, $i % 1000);
    my $sum = 0; $sum += substr($body, $_, 1) * $w[$_] for 0 .. 16;
    my $id = $body . substr('10X98765432', $sum % 11, 1);
    my $hh = 1 + int(($i - 1) / 2.5);
    my $sk = join(';', map { $skills[($i * 7 + $_ * 3) % @skills] . ':' . (1 + ($i + $_) % 3) } 0 .. $i % 3);
    printf $o "1,H%06d,%s%s%s,%s,1%d%09d,%s,%s,%s,%d,%s,%s\n", $hh, $surnames[$i % @surnames],
        $given[($i / 3) % @given], $given[($i / 11) % @given], $id, 3 + $i % 7, $i, $edu[$i % @edu],
        $status[$i % @status], $sk, 10 + $i % 50, $i % 2 ? '是' : '否', $i % 10 < 7 ? '是' : '否';
}
close $o;
