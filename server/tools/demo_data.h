/*
 * demo_data: the static tables behind the demo data (server/tools/demo.c).
 *
 * Sizes and proportions follow docs/demo-data.md where a source
 * exists (卯家湾 and 靖安新区 sizes, wages by sector, destinations of labour
 * export, the 30% remuneration rule of work relief).  Site sizes other than
 * those two, the names of employers, villages and people are illustrative.
 * Included by the demo's files through demo_int.h: each table is static, so
 * a file keeps only the tables it uses.
 */
#ifndef LEYE_DEMO_DATA_H
#define LEYE_DEMO_DATA_H

#include <stdbool.h>
#include <stddef.h>

/* a table: static, and no warning in a file that does not use it */
#define DEMO_TABLE __attribute__((unused)) static const

/* clang-format off */

/* ---- sites and where their households come from ---------------------- */

struct demo_site_def {
    const char *name;
    int county;
    const char *kind;
    int households, people; /* the whole site as the resettlement register has it */
    int sample;             /* households generated for the demo */
    const char *ref;        /* prefix of the staff's household numbers */
    int origin[6];          /* origin counties, 0-terminated */
    int weight[6];
};

DEMO_TABLE struct demo_site_def demo_sites[] = {
    /* 云南日报 2020-04-01: 8,322 households, 35,585 people, from 鲁甸 and 巧家 */
    {"鲁甸县卯家湾易地扶贫搬迁安置区", 530621, "urban_centralized", 8322, 35585, 330, "MJW",
     {530622, 530621}, {60, 40}},
    /* Xinhua 2020-09-18: about 40,000 people from 6 counties (households estimated) */
    {"昭阳区靖安新区易地扶贫搬迁安置区", 530602, "urban_centralized", 9500, 40000, 300, "JAX",
     {530602, 530621, 530622, 530624, 530625, 530628}, {15, 15, 20, 15, 15, 20}},
    {"会泽县城易地扶贫搬迁安置区", 530326, "urban_centralized", 3900, 16500, 160, "HZC", {530326}, {1}},
    {"会泽县娜姑镇集中安置点", 530326, "rural_centralized", 260, 1090, 40, "HZN", {530326}, {1}},
    {"宣威市城区易地扶贫搬迁安置区", 530381, "urban_centralized", 2800, 11900, 130, "XWC", {530381}, {1}},
    {"镇雄县城易地扶贫搬迁安置区", 530627, "urban_centralized", 6800, 29000, 200, "ZXC", {530627}, {1}},
    {"镇雄县以勒镇分散安置点", 530627, "scattered", 120, 520, 30, "ZXY", {530627}, {1}},
    {"兰坪县金顶镇集中安置点", 533325, "urban_centralized", 1900, 7300, 90, "LPJ", {533325}, {1}},
    {"澜沧县勐朗镇集中安置点", 530828, "urban_centralized", 1600, 6200, 80, "LCM", {530828}, {1}},
    {"广南县莲城镇集中安置点", 532627, "urban_centralized", 2300, 9800, 100, "GNL", {532627}, {1}},
    {"鲁甸县龙头山镇集中安置点", 530621, "rural_centralized", 420, 1760, 40, "LTS", {530621}, {1}},
};
#define DEMO_NSITES ((int)(sizeof demo_sites / sizeof demo_sites[0]))

/* Staff of each site county: the actor of their records (a username). */
struct demo_staff_def {
    int county;
    const char *username;
    const char *office; /* who trains and follows up */
};

DEMO_TABLE struct demo_staff_def demo_staff[] = {
    {530621, "zhang.li", "鲁甸县公共就业和人才服务中心"},
    {530602, "chen.hua", "昭阳区公共就业和人才服务中心"},
    {530326, "li.qiong", "会泽县公共就业和人才服务中心"},
    {530381, "wang.fang", "宣威市公共就业和人才服务中心"},
    {530627, "liu.yong", "镇雄县公共就业和人才服务中心"},
    {533325, "he.xiuying", "兰坪县公共就业和人才服务中心"},
    {530828, "shi.na", "澜沧县公共就业和人才服务中心"},
    {532627, "nong.li", "广南县公共就业和人才服务中心"},
};
#define DEMO_NSTAFF ((int)(sizeof demo_staff / sizeof demo_staff[0]))

/* Nearby counties where a site's people work outside their county but in Yunnan. */
struct demo_nearby_def {
    int county;
    int nearby[4]; /* 0-terminated */
};

DEMO_TABLE struct demo_nearby_def demo_nearby[] = {
    {530621, {530602, 530111, 530181}}, {530602, {530621, 530111, 530302}},
    {530326, {530302, 530111, 530181}}, {530381, {530302, 530111}},
    {530627, {530602, 530111}},         {533325, {532901, 530111}},
    {530828, {530802, 530111}},         {532627, {532601, 530111}},
};
#define DEMO_NNEARBY ((int)(sizeof demo_nearby / sizeof demo_nearby[0]))

/* ---- people ---------------------------------------------------------- */

enum demo_ethnic {
    DEMO_HAN, DEMO_HUI, DEMO_YI, DEMO_MIAO, DEMO_ZHUANG, DEMO_BAI, DEMO_LISU, DEMO_PUMI,
    DEMO_LAHU, DEMO_HANI, DEMO_WA, DEMO_NETHNIC
};

/* Surnames as a string of characters, most common first; the language a
 * group speaks besides Chinese (ISO 639 code), NULL for none. */
struct demo_ethnic_def {
    const char *surnames;
    const char *language;
};

DEMO_TABLE struct demo_ethnic_def demo_ethnics[DEMO_NETHNIC] = {
    [DEMO_HAN] = {"王李张刘陈杨赵黄周吴朱徐孙马胡郭何罗高林邓唐曾彭肖蔡董袁余潘杜叶程魏苏吕丁沈"
                  "姚卢谢范付冯陶汪雷龚文江毛邱夏钟熊", NULL},
    [DEMO_HUI] = {"马沙纳丁李杨海保虎白哈金", NULL},
    [DEMO_YI] = {"李杨王张陇安禄龙阿沙普者毕罗", "ii"},
    [DEMO_MIAO] = {"王杨陶熊龙马吴张李朱古项侯韩罗", "hmn"},
    [DEMO_ZHUANG] = {"农黄陆王韦陈李侬沈梁罗岑", "za"},
    [DEMO_BAI] = {"和杨李赵段张王", "bca"},
    [DEMO_LISU] = {"和李余胡密熊欧丰", "lis"},
    [DEMO_PUMI] = {"和熊杨胡罗", "pmi"},
    [DEMO_LAHU] = {"李张胡石刘罗", "lhu"},
    [DEMO_HANI] = {"李白车卢张杨马", "hni"},
    [DEMO_WA] = {"李赵陈田", "prk"},
};

/* Townships of each origin county and the mix of its people (percent by group). */
struct demo_origin_def {
    int county;
    const char *towns[12]; /* NULL-terminated */
    int ethnic[DEMO_NETHNIC];
};

DEMO_TABLE struct demo_origin_def demo_origins[] = {
    {530621, {"龙头山镇", "火德红镇", "乐红镇", "梭山镇", "江底镇", "小寨镇", "水磨镇", "龙树镇",
              "新街镇", "桃源回族乡", "茨院回族乡"},
     {[DEMO_HAN] = 75, [DEMO_HUI] = 12, [DEMO_YI] = 8, [DEMO_MIAO] = 5}},
    {530622, {"小河镇", "药山镇", "大寨镇", "蒙姑镇", "老店镇", "炉房镇", "茂租镇", "金塘镇", "红山乡"},
     {[DEMO_HAN] = 85, [DEMO_YI] = 10, [DEMO_MIAO] = 3, [DEMO_HUI] = 2}},
    {530602, {"大山包镇", "田坝乡", "苏甲乡", "盘河镇", "炎山镇", "洒渔镇"},
     {[DEMO_HAN] = 85, [DEMO_HUI] = 5, [DEMO_YI] = 5, [DEMO_MIAO] = 5}},
    {530624, {"天星镇", "木杆镇", "悦乐镇", "寿山镇", "高桥镇"},
     {[DEMO_HAN] = 90, [DEMO_MIAO] = 5, [DEMO_YI] = 5}},
    {530625, {"莲峰镇", "码口镇", "茂林镇", "务基镇", "细沙乡"},
     {[DEMO_HAN] = 85, [DEMO_YI] = 10, [DEMO_MIAO] = 5}},
    {530628, {"洛泽河镇", "小草坝镇", "龙街苗族彝族乡", "柳溪苗族乡", "奎香苗族彝族乡"},
     {[DEMO_HAN] = 80, [DEMO_MIAO] = 12, [DEMO_YI] = 8}},
    {530326, {"大海乡", "娜姑镇", "者海镇", "待补镇", "雨碌乡", "火红乡", "老厂乡", "大井镇", "上村乡"},
     {[DEMO_HAN] = 90, [DEMO_YI] = 5, [DEMO_HUI] = 5}},
    {530381, {"格宜镇", "杨柳镇", "得禄乡", "普立乡", "热水镇", "乐丰乡", "海岱镇", "东山镇"},
     {[DEMO_HAN] = 92, [DEMO_YI] = 5, [DEMO_MIAO] = 3}},
    {530627, {"以勒镇", "泼机镇", "雨河镇", "坡头镇", "果珠彝族乡", "花朗乡", "林口彝族苗族乡",
              "鱼洞乡", "母享镇", "罗坎镇"},
     {[DEMO_HAN] = 88, [DEMO_MIAO] = 7, [DEMO_YI] = 5}},
    {533325, {"中排乡", "石登乡", "兔峨乡", "河西乡", "营盘镇", "通甸镇", "啦井镇"},
     {[DEMO_LISU] = 35, [DEMO_BAI] = 35, [DEMO_PUMI] = 10, [DEMO_HAN] = 15, [DEMO_YI] = 5}},
    {530828, {"糯福乡", "竹塘乡", "酒井哈尼族乡", "雪林佤族乡", "木戛乡", "发展河哈尼族乡",
              "南岭乡", "东回镇"},
     {[DEMO_LAHU] = 60, [DEMO_HAN] = 20, [DEMO_HANI] = 10, [DEMO_WA] = 5, [DEMO_YI] = 5}},
    {532627, {"底圩乡", "者兔乡", "篆角乡", "黑支果乡", "杨柳井乡", "者太乡", "珠琳镇", "曙光乡",
              "董堡乡"},
     {[DEMO_ZHUANG] = 45, [DEMO_HAN] = 30, [DEMO_MIAO] = 15, [DEMO_YI] = 10}},
};
#define DEMO_NORIGINS ((int)(sizeof demo_origins / sizeof demo_origins[0]))

DEMO_TABLE char *const demo_villages[] = {
    "大坪", "小河", "岩脚", "新寨", "河坝", "坪子", "龙洞", "青岗", "核桃", "杉树", "梨园", "大箐",
    "小箐", "沙坝", "火石", "白泥", "石板", "黑山", "团结", "光明", "红旗", "营盘", "凉水", "大水塘",
    "马鞍山", "干沟", "田坝", "岔河", "老林", "双龙", "松林", "羊场", "高桥", "水井", "新田", "箐口",
    "梁子", "大地", "阳坡", "小坪子",
};
#define DEMO_NVILLAGES ((int)(sizeof demo_villages / sizeof demo_villages[0]))

/* Given names: a generation character and a personal one, or one alone.
 * Every character here is three bytes of UTF-8. */
DEMO_TABLE char demo_given_gen[] = "正兴开明家学应绍朝光永德天世国成文志忠发自大";
DEMO_TABLE char demo_given_male[] = "伟强军勇华林平兵海刚福贵发荣俊杰涛龙雄勤富才春东亮江超斌鹏飞洪辉祥顺松";
DEMO_TABLE char demo_given_female[] = "芳丽娟敏艳燕梅琼英霞萍玲兰秀春红花美仙桂菊莲珍凤芬翠慧蓉婷倩丹";
DEMO_TABLE char demo_given_young_male[] = "浩宇轩鑫磊涛俊杰豪博文凯睿航";
DEMO_TABLE char demo_given_young_female[] = "婷雪琳欣颖怡佳悦梦瑶思雨诗涵";
/* Lahu and Wa personal names: a prefix telling man from woman, then a name. */
DEMO_TABLE char demo_lahu_names[] = "约莫迫丕倮努体四发克妥朵";
DEMO_TABLE char demo_wa_names[] = "块嘎门帅不所茸娜";

/* Mobile number prefixes of the three carriers. */
DEMO_TABLE char *const demo_phone_prefixes[] = {
    "138", "139", "137", "136", "135", "134", "150", "151", "152", "157", "158", "159", "182",
    "183", "187", "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "180",
    "181", "189", "177", "199", "166", "198",
};
#define DEMO_NPHONE_PREFIXES ((int)(sizeof demo_phone_prefixes / sizeof demo_phone_prefixes[0]))

/* Telephone area codes by prefecture, for employers' fixed lines. */
DEMO_TABLE struct {
    int prefecture;
    const char *area;
} demo_area_codes[] = {
    {530100, "0871"}, {530300, "0874"}, {530600, "0870"}, {530800, "0879"},
    {532600, "0876"}, {532900, "0872"}, {533300, "0886"},
};
#define DEMO_NAREA_CODES ((int)(sizeof demo_area_codes / sizeof demo_area_codes[0]))

/* ---- skills, trainings, certificates (ids seeded by 003_domain.sql) -- */

/* Skills people bring, skewed to construction, care, catering, sewing,
 * agriculture and delivery.  sexed: 1 mostly men, 2 mostly women. */
struct demo_skill_def {
    int id;
    int weight;
    int sexed;
    const char *training; /* the course that teaches it */
};

DEMO_TABLE struct demo_skill_def demo_skills[] = {
    {1, 6, 1, "建筑施工技能培训"},        {2, 7, 1, "砌筑工职业技能培训"},
    {3, 4, 1, "混凝土工技能培训"},        {4, 4, 1, "钢筋工职业技能培训"},
    {5, 2, 1, "架子工安全技能培训"},      {7, 2, 1, "油漆装饰技能培训"},
    {8, 2, 1, "镶贴工技能培训"},          {56, 2, 1, "道路养护技能培训"},
    {31, 5, 2, "家政服务员培训"},         {33, 5, 2, "养老护理员职业技能培训"},
    {32, 2, 2, "育婴员职业技能培训"},     {34, 4, 0, "保洁员岗前培训"},
    {27, 5, 0, "中式烹调师培训"},         {28, 3, 0, "中式面点师培训"},
    {29, 4, 0, "餐厅服务与厨房帮工培训"}, {36, 8, 2, "缝纫工技能培训"},
    {37, 3, 2, "服装整烫包装培训"},       {39, 6, 0, "农业实用技术培训"},
    {40, 3, 0, "果树栽培技术培训"},       {41, 3, 0, "蔬菜种植技术培训"},
    {42, 2, 0, "茶叶加工技术培训"},       {43, 1, 0, "咖啡种植与初加工培训"},
    {45, 3, 0, "生猪养殖技术培训"},       {46, 2, 1, "牛羊养殖技术培训"},
    {25, 4, 1, "快递员岗前培训"},         {22, 3, 1, "机动车驾驶培训"},
    {23, 1, 1, "货车驾驶员培训"},         {19, 1, 1, "叉车司机培训"},
    {38, 4, 0, "电子装配岗前培训"},       {55, 2, 1, "保安员培训"},
    {57, 2, 0, "绿化养护技能培训"},       {52, 2, 1, "生态护林员业务培训"},
    {48, 1, 0, "电商直播带货培训"},       {50, 1, 2, "营业员岗前培训"},
    {11, 2, 1, "低压电工作业培训"},       {14, 2, 1, "电焊工技能培训"},
};
#define DEMO_NSKILLS ((int)(sizeof demo_skills / sizeof demo_skills[0]))

/* Courses that teach no one skill. */
DEMO_TABLE char *const demo_general_trainings[] = {
    "劳务输出引导性培训", "普通话与务工常识培训", "安全生产与劳动权益保护培训",
};

enum {
    DEMO_CERT_C1 = 2, DEMO_CERT_B2 = 3, DEMO_CERT_ELECTRICIAN = 6, DEMO_CERT_WELDING = 7,
    DEMO_CERT_FORKLIFT = 10, DEMO_CERT_HEALTH = 11, DEMO_CERT_INFANT = 13,
    DEMO_CERT_ELDERLY = 14, DEMO_CERT_COOK = 15, DEMO_CERT_SECURITY = 17,
};

/* ---- jobs ------------------------------------------------------------ */

struct demo_job_def {
    const char *title;
    const char *occupation; /* level-4 code of the 2022 大典 */
    const char *kind;
    int wage_min, wage_max;
    const char *period;
    int age_min, age_max;
    bool accommodation, transport;
    int skill, level; /* first required skill (0: none) and its minimum level */
    bool must;
    int skill2, level2;
    int cert;   /* required certificate type (0: none) */
    int weight; /* how many hires it draws */
    int sexed;  /* who mostly takes it: 1 men, 2 women */
    bool older; /* suits people over 45 */
    const char *description;
};

/* Wages: NBS 2024 migrant-worker survey by sector (construction 5,743,
 * manufacturing 4,978, catering 4,141, resident services 4,023 yuan/month),
 * lower for local jobs; public-welfare posts 800-1,500/month; work relief
 * 120-180/day. */
enum demo_job {
    J_SEW, J_PACK, J_ELEC, J_CONS, J_REBAR, J_COOK, J_WAIT, J_CLEAN, J_SECUR, J_LOAD, J_DELIV,
    J_FORK, J_TRUCK, J_WELD, J_ELECN, J_CARE, J_HOUSE, J_TEA, J_COFFEE, J_FARM_VEG, J_FARM_PEPPER,
    J_FARM_APPLE, J_HERB, J_HERB_PROC, J_PIG, J_HAM, J_RICE, J_ROOM, J_SALES, J_LIVE,
    W_WIG, W_SEW, W_ELEC, W_SHOE, W_EMB,
    P_CLEAN, P_GRID, P_GUARD, P_GREEN, P_ROAD, P_CARE,
    R_RANGER,
    X_ROAD, X_IRRIG, X_FIELD,
    L_ELEC, L_SHOE, L_SEW, L_CONS, L_AUTO, L_LOGI, L_FOOD, L_CARE, L_HOUSE,
    DEMO_NJOBS
};

/* title, occupation, kind, wage_min, wage_max, period, age_min, age_max,
 * accommodation, transport, skill, level, must, skill2, level2, cert,
 * weight, sexed, older, description */
DEMO_TABLE struct demo_job_def demo_jobs[DEMO_NJOBS] = {
    [J_SEW] = {"缝纫工", "6-05-01-03", "regular", 3000, 4500, "month", 18, 50, false, true,
               36, 1, false, 37, 1, 0, 3, 2, false,
               "服装流水线缝纫，计件与保底工资结合，提供岗前培训和班车。"},
    [J_PACK] = {"包装工", "6-31-05-00", "regular", 2800, 3600, "month", 18, 55, false, false,
                0, 0, false, 0, 0, 0, 2, 0, false, "产品分拣、包装、装箱，岗前带教，白班为主。"},
    [J_ELEC] = {"电子装配工", "6-25-04-07", "regular", 3200, 4500, "month", 18, 45, true, true,
                38, 1, false, 0, 0, 0, 3, 0, false,
                "电子元器件插件与组装，两班倒，提供工作餐和宿舍。"},
    [J_CONS] = {"建筑工（砌筑）", "6-29-01-01", "regular", 4800, 6000, "month", 18, 55, false, false,
                2, 1, false, 1, 1, 0, 3, 1, false, "保障性住房项目砌筑、抹灰，按月结算工资。"},
    [J_REBAR] = {"钢筋工", "6-29-01-04", "regular", 5000, 6500, "month", 18, 55, false, false,
                 4, 1, false, 1, 1, 0, 2, 1, false, "钢筋下料、绑扎，熟练工优先安排班组长。"},
    [J_COOK] = {"厨师（中式烹调）", "4-03-02-01", "regular", 3800, 5000, "month", 20, 50, false, false,
                27, 2, true, 0, 0, DEMO_CERT_HEALTH, 1, 0, false,
                "食堂及餐厅后厨，持健康证上岗，包工作餐。"},
    [J_WAIT] = {"餐厅服务员", "4-03-02-05", "regular", 2600, 3400, "month", 18, 45, false, false,
                29, 1, false, 0, 0, DEMO_CERT_HEALTH, 1, 2, false, "前厅服务、传菜与收台，提供岗前培训。"},
    [J_CLEAN] = {"保洁员", "4-09-08-01", "regular", 2200, 2800, "month", 18, 60, false, false,
                 34, 1, false, 0, 0, 0, 1, 0, true, "写字楼和小区日常保洁，白班。"},
    [J_SECUR] = {"保安员", "4-07-05-01", "regular", 2600, 3400, "month", 18, 55, true, false,
                 55, 1, false, 0, 0, 0, 1, 1, false, "酒店安保与巡查，三班倒，提供住宿。"},
    [J_LOAD] = {"装卸搬运工", "4-02-05-01", "regular", 4000, 5500, "month", 18, 50, false, false,
                0, 0, false, 0, 0, 0, 2, 1, false, "物流园区货物装卸，多劳多得。"},
    [J_DELIV] = {"快递员", "4-02-07-08", "regular", 4500, 6500, "month", 18, 45, false, false,
                 25, 1, false, 22, 1, 0, 2, 1, false, "片区快递收派，公司提供电动三轮车。"},
    [J_FORK] = {"叉车司机", "6-30-05-01", "regular", 4500, 5800, "month", 20, 50, false, false,
                19, 2, true, 0, 0, DEMO_CERT_FORKLIFT, 1, 1, false,
                "仓库叉车作业，须持叉车司机（N1）证。"},
    [J_TRUCK] = {"货车司机", "4-02-02-02", "regular", 6000, 8000, "month", 22, 55, false, false,
                 23, 2, true, 0, 0, DEMO_CERT_B2, 1, 1, false, "省内干线运输，须持B2驾驶证。"},
    [J_WELD] = {"电焊工", "6-18-02-04", "regular", 5500, 7500, "month", 20, 50, true, false,
                14, 2, true, 13, 1, DEMO_CERT_WELDING, 1, 1, false,
                "钢结构厂房焊接，须持焊接与热切割作业证。"},
    [J_ELECN] = {"电工", "6-31-01-03", "regular", 5000, 7000, "month", 20, 50, true, false,
                 11, 2, true, 10, 1, DEMO_CERT_ELECTRICIAN, 1, 1, false,
                 "厂区低压配电维护，须持电工作业证。"},
    [J_CARE] = {"养老护理员", "4-10-01-05", "regular", 3200, 4500, "month", 20, 55, true, false,
                33, 1, false, 0, 0, 0, 2, 2, false,
                "养老机构生活照料，包住宿，可参加护理员等级认定。"},
    [J_HOUSE] = {"家政服务员", "4-10-01-06", "regular", 3800, 5500, "month", 20, 55, true, false,
                 31, 1, false, 0, 0, 0, 1, 2, false, "住家或钟点家政，公司统一培训派单。"},
    [J_TEA] = {"茶叶加工工", "6-02-06-10", "regular", 2600, 3600, "month", 18, 55, false, false,
               42, 1, false, 0, 0, 0, 2, 0, true, "鲜叶摊晾、杀青、揉捻，采茶季加班有补贴。"},
    [J_COFFEE] = {"咖啡初加工工", "5-05-06-03", "regular", 2800, 3800, "month", 18, 55, true, false,
                  43, 1, false, 0, 0, 0, 2, 0, true, "咖啡鲜果脱皮、发酵、晾晒，提供住宿。"},
    [J_FARM_VEG] = {"蔬菜种植工", "5-01-02-01", "regular", 100, 130, "day", 18, 60, false, false,
                    41, 1, false, 0, 0, 0, 2, 0, true, "大棚蔬菜种植、采收，日结工资。"},
    [J_FARM_PEPPER] = {"花椒管护采摘工", "5-01-02-01", "regular", 100, 140, "day", 18, 60, false, true,
                       40, 1, false, 0, 0, 0, 2, 0, true, "花椒园修枝、施肥与采摘，专车接送。"},
    [J_FARM_APPLE] = {"苹果园管护工", "5-01-02-02", "regular", 110, 150, "day", 18, 60, false, true,
                      40, 1, false, 0, 0, 0, 2, 0, true, "苹果疏花疏果、套袋与采收，日结工资。"},
    [J_HERB] = {"中药材种植员", "5-01-02-05", "regular", 2200, 3000, "month", 18, 60, false, false,
                39, 1, false, 0, 0, 0, 2, 0, true, "重楼、云木香等中药材种植管护。"},
    [J_HERB_PROC] = {"三七初加工工", "5-05-06-04", "regular", 3000, 4000, "month", 18, 55, true, false,
                     0, 0, false, 0, 0, 0, 2, 0, false, "三七清洗、分拣、晾晒，包吃住。"},
    [J_PIG] = {"生猪饲养员", "5-03-02-01", "regular", 3500, 4500, "month", 20, 55, true, false,
               45, 1, false, 0, 0, 0, 1, 1, true, "规模养殖场饲喂与清洁，场内住宿。"},
    [J_HAM] = {"火腿加工工", "6-01-04-03", "regular", 3000, 4200, "month", 18, 55, false, false,
               0, 0, false, 0, 0, DEMO_CERT_HEALTH, 2, 0, false, "火腿腌制、修割与包装，持健康证上岗。"},
    [J_RICE] = {"大米加工工", "6-01-01-01", "regular", 2800, 3600, "month", 18, 55, false, false,
                0, 0, false, 0, 0, 0, 2, 0, false, "稻谷烘干、碾米与包装，白班。"},
    [J_ROOM] = {"客房服务员", "4-03-01-02", "regular", 3000, 3800, "month", 18, 45, true, false,
                31, 1, false, 0, 0, 0, 2, 2, false, "酒店客房清洁与布草整理，包吃住。"},
    [J_SALES] = {"营业员", "4-01-02-03", "regular", 2600, 3400, "month", 18, 45, false, false,
                 50, 1, false, 0, 0, 0, 1, 2, false, "特产门店销售与理货。"},
    [J_LIVE] = {"直播销售员（农特产品）", "4-01-06-02", "regular", 3000, 5000, "month", 18, 40, false, false,
                48, 1, false, 0, 0, 0, 1, 0, false, "农特产品直播带货，底薪加提成，提供培训。"},
    [W_WIG] = {"假发手工编织（帮扶车间）", "6-05-01-06", "workshop", 1800, 3200, "month", 18, 60, false, false,
               0, 0, false, 0, 0, 0, 4, 2, true,
               "车间就在安置区，可兼顾照顾老人孩子，计件工资，熟练后月收入可达3000元。"},
    [W_SEW] = {"服装缝纫（帮扶车间）", "6-05-01-03", "workshop", 2200, 3500, "month", 18, 55, false, false,
               36, 1, false, 0, 0, 0, 3, 2, false, "安置区帮扶车间，零基础可学，计件工资。"},
    [W_ELEC] = {"电子元件组装（帮扶车间）", "6-25-04-07", "workshop", 2200, 3300, "month", 18, 55, false, false,
                38, 1, false, 0, 0, 0, 3, 0, false, "安置区帮扶车间，弹性上下班，计件工资。"},
    [W_SHOE] = {"鞋帽加工（帮扶车间）", "6-05-04-01", "workshop", 2000, 3200, "month", 18, 55, false, false,
                36, 1, false, 0, 0, 0, 3, 2, false, "鞋面缝制与帽子加工，家门口就业。"},
    [W_EMB] = {"民族刺绣（帮扶车间）", "6-09-03-11", "workshop", 1800, 3000, "month", 18, 60, false, false,
               36, 1, false, 0, 0, 0, 2, 2, true, "民族服饰刺绣，可领料回家加工，按件计酬。"},
    [P_CLEAN] = {"安置区保洁员（公益性岗位）", "4-09-08-01", "public_welfare", 800, 1200, "month", 18, 60,
                 false, false, 34, 1, false, 0, 0, 0, 2, 0, true,
                 "面向搬迁群众中的就业困难人员，每天工作4小时，就近上岗。"},
    [P_GRID] = {"楼栋长（公益性岗位）", "3-01-04-02", "public_welfare", 1000, 1500, "month", 18, 60,
                false, false, 0, 0, false, 0, 0, 0, 1, 0, true,
                "负责楼栋住户走访、信息收集与矛盾调解，优先安置零就业家庭成员。"},
    [P_GUARD] = {"治安巡逻员（公益性岗位）", "4-07-05-01", "public_welfare", 1000, 1500, "month", 20, 60,
                 false, false, 55, 1, false, 0, 0, 0, 1, 1, true, "安置区日常巡逻与消防安全检查。"},
    [P_GREEN] = {"绿化管护员（公益性岗位）", "4-09-10-01", "public_welfare", 900, 1300, "month", 18, 60,
                 false, false, 57, 1, false, 0, 0, 0, 1, 0, true, "安置区绿地浇灌、修剪与养护。"},
    [P_ROAD] = {"乡村道路养护员（公益性岗位）", "6-29-02-04", "public_welfare", 800, 1100, "month", 18, 60,
                false, false, 56, 1, false, 0, 0, 0, 1, 1, true, "负责责任路段清扫与简易养护。"},
    [P_CARE] = {"居家养老服务员（公益性岗位）", "4-10-01-05", "public_welfare", 1000, 1500, "month", 18, 60,
                false, false, 33, 1, false, 0, 0, 0, 1, 2, true, "为安置区独居老人提供上门照料。"},
    [R_RANGER] = {"生态护林员", "5-02-03-01", "forest_ranger", 800, 1000, "month", 18, 60, false, false,
                  52, 1, false, 53, 1, 0, 2, 1, true,
                  "负责责任区森林巡护、防火宣传，年劳务报酬约1万元。"},
    [X_ROAD] = {"产业路建设务工（以工代赈）", "6-29-02-03", "work_relief", 140, 180, "day", 18, 60,
                false, true, 56, 1, false, 1, 1, 0, 3, 1, true,
                "以工代赈项目，优先吸纳搬迁群众务工，劳务报酬按月足额发放。"},
    [X_IRRIG] = {"灌溉渠道建设务工（以工代赈）", "6-29-01-03", "work_relief", 130, 170, "day", 18, 60,
                 false, true, 3, 1, false, 1, 1, 0, 3, 1, true,
                 "以工代赈项目，渠系衬砌与配套建设，劳务报酬按月发放。"},
    [X_FIELD] = {"高标准农田建设务工（以工代赈）", "6-29-01-07", "work_relief", 120, 160, "day", 18, 60,
                 false, true, 39, 1, false, 0, 0, 0, 3, 0, true,
                 "以工代赈项目，土地平整、田间道路与沟渠建设，按日计酬。"},
    [L_ELEC] = {"电子厂普工（劳务输出）", "6-25-04-07", "labor_export", 4800, 6500, "month", 18, 45,
                true, true, 38, 1, false, 0, 0, 0, 6, 0, false,
                "县人社部门组织集中输送，免费乘坐专车，包吃住，缴纳社保，岗前培训。"},
    [L_SHOE] = {"鞋厂普工（劳务输出）", "6-05-04-01", "labor_export", 4500, 6000, "month", 18, 45,
                true, true, 0, 0, false, 0, 0, 0, 3, 0, false, "有组织劳务输出，包住宿，计件加保底。"},
    [L_SEW] = {"服装厂缝纫工（劳务输出）", "6-05-01-03", "labor_export", 5000, 7000, "month", 18, 48,
               true, true, 36, 1, false, 0, 0, 0, 3, 2, false, "有组织劳务输出，熟练工计件收入更高。"},
    [L_CONS] = {"建筑工地普工（劳务输出）", "6-29-01-01", "labor_export", 6000, 8000, "month", 18, 55,
                true, true, 1, 1, false, 2, 1, 0, 5, 1, false,
                "有组织劳务输出，工地包住，工资实名制按月发放。"},
    [L_AUTO] = {"汽车零部件装配工（劳务输出）", "6-20-01-01", "labor_export", 5000, 6500, "month", 18, 45,
                true, true, 38, 1, false, 0, 0, 0, 3, 0, false, "有组织劳务输出，长白班，包住宿。"},
    [L_LOGI] = {"快递分拣员（劳务输出）", "4-02-07-02", "labor_export", 5000, 6800, "month", 18, 45,
                true, true, 0, 0, false, 0, 0, 0, 3, 0, false, "电商物流园分拣打包，旺季加班费另计。"},
    [L_FOOD] = {"食品厂操作工（劳务输出）", "6-02-03-02", "labor_export", 4500, 6000, "month", 18, 48,
                true, true, 0, 0, false, 0, 0, DEMO_CERT_HEALTH, 3, 0, false,
                "有组织劳务输出，持健康证上岗，包吃住。"},
    [L_CARE] = {"养老护理员（沪滇劳务协作）", "4-10-01-05", "labor_export", 5500, 7000, "month", 20, 50,
                true, true, 33, 1, false, 0, 0, 0, 2, 2, false,
                "沪滇劳务协作岗位，上海养老机构，包住宿，提供护理员职业技能培训。"},
    [L_HOUSE] = {"家政服务员（沪滇劳务协作）", "4-10-01-06", "labor_export", 6000, 8500, "month", 22, 50,
                 true, true, 31, 1, false, 0, 0, 0, 1, 2, false,
                 "沪滇劳务协作岗位，上海家政企业统一培训派单。"},
};

/* Where labour export goes: Guangdong, Zhejiang and Jiangsu first (NBS Yunnan
 * survey office, 2021), Shanghai for 沪滇 cooperation. */
struct demo_dest_def {
    int province;
    const char *city;
    double lat, lon;
};

enum {
    D_DONGGUAN, D_SHENZHEN, D_HUIZHOU, D_FOSHAN, D_ZHONGSHAN, D_NINGBO, D_HANGZHOU, D_YIWU,
    D_HUZHOU, D_SUZHOU, D_KUNSHAN, D_WUXI, D_SHANGHAI, DEMO_NDESTS
};

DEMO_TABLE struct demo_dest_def demo_dests[DEMO_NDESTS] = {
    [D_DONGGUAN] = {440000, "东莞市", 23.0207, 113.7518},
    [D_SHENZHEN] = {440000, "深圳市", 22.5431, 114.0579},
    [D_HUIZHOU] = {440000, "惠州市", 23.1115, 114.4162},
    [D_FOSHAN] = {440000, "佛山市", 23.0215, 113.1214},
    [D_ZHONGSHAN] = {440000, "中山市", 22.5176, 113.3926},
    [D_NINGBO] = {330000, "宁波市", 29.8683, 121.5440},
    [D_HANGZHOU] = {330000, "杭州市", 30.2741, 120.1551},
    [D_YIWU] = {330000, "义乌市", 29.3069, 120.0751},
    [D_HUZHOU] = {330000, "湖州市", 30.8943, 120.0868},
    [D_SUZHOU] = {320000, "苏州市", 31.2989, 120.5853},
    [D_KUNSHAN] = {320000, "昆山市", 31.3846, 120.9808},
    [D_WUXI] = {320000, "无锡市", 31.4912, 120.3119},
    [D_SHANGHAI] = {310000, "上海市", 31.2304, 121.4737},
};

/* ---- employers, projects, vacancies ------------------------------------ */

struct demo_employer_def {
    const char *name;
    const char *kind;
    int county;
    int partner;          /* east-west cooperation partner province, 0 none */
    const char *org_type; /* first two characters of the credit code (GB 32100) */
    const char *address;
};

enum demo_employer {
    E_LD_GARMENT, E_LD_WIG, E_LD_PEPPER, E_LD_FOREST, E_LD_SITE, E_LD_LABOUR, E_LD_TRANSPORT,
    E_ZY_ELEC, E_ZY_SHOE, E_ZY_SITE, E_ZY_APPLE, E_ZY_LABOUR, E_ZY_LOGI, E_ZY_BUILD, E_ZY_FOOD,
    E_HZ_WORKSHOP, E_HZ_VEG, E_HZ_FOREST, E_HZ_WATER, E_HZ_LABOUR, E_HZ_SITE,
    E_XW_HAM, E_XW_PIG, E_XW_SITE, E_XW_LABOUR,
    E_ZX_WORKSHOP, E_ZX_SITE, E_ZX_LABOUR,
    E_LP_HERB, E_LP_FOREST, E_LP_TOWN, E_LP_EMB, E_LP_LABOUR,
    E_LC_TEA, E_LC_FOREST, E_LC_TOWN, E_LC_AGRI, E_LC_LABOUR,
    E_GN_RICE, E_GN_TOWN, E_GN_TRANSPORT, E_GN_LABOUR,
    E_KM_LOGI, E_AN_STEEL, E_CG_CARE, E_QJ_BATTERY, E_SM_COFFEE, E_WS_HERB, E_DL_HOTEL,
    DEMO_NEMPLOYERS
};

/* org_type: 91 enterprise, 93 farmers' cooperative, 11 government body, 12 public institution. */
DEMO_TABLE struct demo_employer_def demo_employers[DEMO_NEMPLOYERS] = {
    [E_LD_GARMENT] = {"鲁甸莞鲁服饰有限公司", "enterprise", 530621, 440000, "91", "鲁甸县卯家湾安置区产业园3号厂房"},
    [E_LD_WIG] = {"卯家湾社区假发加工帮扶车间", "assistance_workshop", 530621, 0, "91", "鲁甸县卯家湾安置区社区服务中心一楼"},
    [E_LD_PEPPER] = {"鲁甸县龙头山花椒种植专业合作社", "cooperative", 530621, 0, "93", "鲁甸县龙头山镇"},
    [E_LD_FOREST] = {"鲁甸县林业和草原局", "public_body", 530621, 0, "11", "鲁甸县文屏镇"},
    [E_LD_SITE] = {"卯家湾安置区社区服务中心", "public_body", 530621, 0, "12", "鲁甸县卯家湾安置区"},
    [E_LD_LABOUR] = {"鲁甸县众鑫劳务服务有限公司", "labor_service_company", 530621, 0, "91", "鲁甸县文屏镇"},
    [E_LD_TRANSPORT] = {"鲁甸县交通运输局", "public_body", 530621, 0, "11", "鲁甸县文屏镇"},
    [E_ZY_ELEC] = {"昭通沪滇电子科技有限公司", "enterprise", 530602, 310000, "91", "昭阳区靖安新区产业园"},
    [E_ZY_SHOE] = {"靖安新区鞋帽加工帮扶车间", "assistance_workshop", 530602, 0, "91", "昭阳区靖安新区安置区B区"},
    [E_ZY_SITE] = {"靖安新区安置区社区服务中心", "public_body", 530602, 0, "12", "昭阳区靖安新区"},
    [E_ZY_APPLE] = {"昭通市昭阳区洒渔苹果种植专业合作社", "cooperative", 530602, 0, "93", "昭阳区洒渔镇"},
    [E_ZY_LABOUR] = {"昭通滇沪人力资源服务有限公司", "labor_service_company", 530602, 310000, "91", "昭阳区凤凰街道"},
    [E_ZY_LOGI] = {"昭通靖安物流有限公司", "enterprise", 530602, 0, "91", "昭阳区靖安新区物流园"},
    [E_ZY_BUILD] = {"昭通鑫达建筑工程有限公司", "enterprise", 530602, 0, "91", "昭阳区太平街道"},
    [E_ZY_FOOD] = {"昭通靖安餐饮服务有限公司", "enterprise", 530602, 0, "91", "昭阳区靖安新区商业街"},
    [E_HZ_WORKSHOP] = {"会泽县城安置区电子元件帮扶车间", "assistance_workshop", 530326, 310000, "91", "会泽县城安置区就业创业园"},
    [E_HZ_VEG] = {"会泽县娜姑镇蔬菜种植专业合作社", "cooperative", 530326, 0, "93", "会泽县娜姑镇"},
    [E_HZ_FOREST] = {"会泽县林业和草原局", "public_body", 530326, 0, "11", "会泽县钟屏街道"},
    [E_HZ_WATER] = {"会泽县水务局", "public_body", 530326, 0, "11", "会泽县钟屏街道"},
    [E_HZ_LABOUR] = {"会泽县金钟劳务服务有限公司", "labor_service_company", 530326, 0, "91", "会泽县金钟街道"},
    [E_HZ_SITE] = {"会泽县城安置区社区服务中心", "public_body", 530326, 0, "12", "会泽县城安置区"},
    [E_XW_HAM] = {"宣威市宛水火腿食品有限公司", "enterprise", 530381, 0, "91", "宣威市宛水街道工业园"},
    [E_XW_PIG] = {"宣威市得禄乡生猪养殖专业合作社", "cooperative", 530381, 0, "93", "宣威市得禄乡"},
    [E_XW_SITE] = {"宣威市城区安置区社区服务中心", "public_body", 530381, 0, "12", "宣威市城区安置区"},
    [E_XW_LABOUR] = {"宣威市众兴劳务服务有限公司", "labor_service_company", 530381, 0, "91", "宣威市宛水街道"},
    [E_ZX_WORKSHOP] = {"镇雄县城安置区鞋服加工帮扶车间", "assistance_workshop", 530627, 310000, "91", "镇雄县城安置区就业服务站旁"},
    [E_ZX_SITE] = {"镇雄县城安置区社区服务中心", "public_body", 530627, 0, "12", "镇雄县城安置区"},
    [E_ZX_LABOUR] = {"镇雄县人力资源服务有限公司", "labor_service_company", 530627, 310000, "91", "镇雄县乌峰街道"},
    [E_LP_HERB] = {"兰坪县中排乡中药材种植专业合作社", "cooperative", 533325, 0, "93", "兰坪县中排乡"},
    [E_LP_FOREST] = {"兰坪县林业和草原局", "public_body", 533325, 0, "11", "兰坪县金顶镇"},
    [E_LP_TOWN] = {"兰坪县金顶镇人民政府", "public_body", 533325, 0, "11", "兰坪县金顶镇"},
    [E_LP_EMB] = {"兰坪县民族刺绣帮扶车间", "assistance_workshop", 533325, 310000, "91", "兰坪县金顶镇集中安置点"},
    [E_LP_LABOUR] = {"兰坪县人力资源服务有限公司", "labor_service_company", 533325, 0, "91", "兰坪县金顶镇"},
    [E_LC_TEA] = {"澜沧县竹塘乡茶叶专业合作社", "cooperative", 530828, 0, "93", "澜沧县竹塘乡"},
    [E_LC_FOREST] = {"澜沧县林业和草原局", "public_body", 530828, 0, "11", "澜沧县勐朗镇"},
    [E_LC_TOWN] = {"澜沧县勐朗镇人民政府", "public_body", 530828, 0, "11", "澜沧县勐朗镇"},
    [E_LC_AGRI] = {"澜沧县农业农村局", "public_body", 530828, 0, "11", "澜沧县勐朗镇"},
    [E_LC_LABOUR] = {"澜沧县劳务服务有限公司", "labor_service_company", 530828, 0, "91", "澜沧县勐朗镇"},
    [E_GN_RICE] = {"广南县八宝米业有限公司", "enterprise", 532627, 0, "91", "广南县八宝镇"},
    [E_GN_TOWN] = {"广南县莲城镇人民政府", "public_body", 532627, 0, "11", "广南县莲城镇"},
    [E_GN_TRANSPORT] = {"广南县交通运输局", "public_body", 532627, 0, "11", "广南县莲城镇"},
    [E_GN_LABOUR] = {"广南县劳务服务有限公司", "labor_service_company", 532627, 310000, "91", "广南县莲城镇"},
    [E_KM_LOGI] = {"昆明滇中物流有限公司", "enterprise", 530111, 0, "91", "昆明市官渡区物流园区"},
    [E_AN_STEEL] = {"云南安宁钢构工程有限公司", "enterprise", 530181, 0, "91", "安宁市工业园区"},
    [E_CG_CARE] = {"昆明康乐养老服务有限公司", "enterprise", 530114, 0, "91", "昆明市呈贡区"},
    [E_QJ_BATTERY] = {"曲靖麒麟新能源电池有限公司", "enterprise", 530302, 310000, "91", "曲靖经济技术开发区"},
    [E_SM_COFFEE] = {"普洱思茅咖啡产业有限公司", "enterprise", 530802, 0, "91", "普洱市思茅区"},
    [E_WS_HERB] = {"文山三七药业有限公司", "enterprise", 532601, 0, "91", "文山市三七产业园"},
    [E_DL_HOTEL] = {"大理洱海酒店管理有限公司", "enterprise", 532901, 0, "91", "大理市下关镇"},
};

/* Work-relief projects with central funds: remuneration at least 30% of the
 * investment (NDRC 2022).  Dates are days from today. */
struct demo_project_def {
    int county;
    const char *name;
    long total_investment; /* yuan */
    int share_permille;    /* remuneration budget / investment */
    int planned_jobs, local_hires;
    int start, end;
};

DEMO_TABLE struct demo_project_def demo_projects[] = {
    {530621, "鲁甸县龙头山镇以工代赈产业路建设项目", 6800000, 330, 160, 35, -200, 120},
    {530326, "会泽县娜姑镇灌区配套渠系以工代赈项目", 9500000, 320, 210, 50, -320, -20},
    {530828, "澜沧县竹塘乡高标准农田建设以工代赈项目", 5200000, 320, 120, 20, -150, 180},
    {532627, "广南县者兔乡农村公路以工代赈项目", 7600000, 320, 180, 40, -90, 240},
};
#define DEMO_NPROJECTS ((int)(sizeof demo_projects / sizeof demo_projects[0]))

/* Vacancies: an employer offering a job, in one or more recruiting rounds
 * (the newest first); labour export names its destination, work relief its
 * project (-1: none). */
struct demo_vacancy_def {
    int employer, job, rounds, dest, project;
};

DEMO_TABLE struct demo_vacancy_def demo_vacancies[] = {
    {E_LD_GARMENT, J_SEW, 2, -1, -1},         {E_LD_GARMENT, J_PACK, 1, -1, -1},
    {E_LD_WIG, W_WIG, 2, -1, -1},             {E_LD_WIG, W_SEW, 1, -1, -1},
    {E_LD_PEPPER, J_FARM_PEPPER, 2, -1, -1},  {E_LD_FOREST, R_RANGER, 2, -1, -1},
    {E_LD_SITE, P_CLEAN, 2, -1, -1},          {E_LD_SITE, P_GRID, 1, -1, -1},
    {E_LD_SITE, P_GUARD, 1, -1, -1},          {E_LD_SITE, P_CARE, 1, -1, -1},
    {E_LD_LABOUR, L_ELEC, 2, D_DONGGUAN, -1}, {E_LD_LABOUR, L_CONS, 1, D_NINGBO, -1},
    {E_LD_LABOUR, L_LOGI, 1, D_YIWU, -1},     {E_LD_LABOUR, L_SHOE, 1, D_DONGGUAN, -1},
    {E_LD_TRANSPORT, X_ROAD, 2, -1, 0},

    {E_ZY_ELEC, J_ELEC, 2, -1, -1},           {E_ZY_ELEC, J_PACK, 1, -1, -1},
    {E_ZY_SHOE, W_SHOE, 2, -1, -1},           {E_ZY_SITE, P_CLEAN, 2, -1, -1},
    {E_ZY_SITE, P_GRID, 1, -1, -1},           {E_ZY_SITE, P_GREEN, 1, -1, -1},
    {E_ZY_APPLE, J_FARM_APPLE, 2, -1, -1},    {E_ZY_LABOUR, L_CARE, 2, D_SHANGHAI, -1},
    {E_ZY_LABOUR, L_HOUSE, 1, D_SHANGHAI, -1}, {E_ZY_LABOUR, L_AUTO, 1, D_SUZHOU, -1},
    {E_ZY_LABOUR, L_ELEC, 1, D_HUIZHOU, -1},  {E_ZY_LOGI, J_LOAD, 1, -1, -1},
    {E_ZY_LOGI, J_TRUCK, 1, -1, -1},          {E_ZY_LOGI, J_DELIV, 1, -1, -1},
    {E_ZY_LOGI, J_FORK, 1, -1, -1},           {E_ZY_BUILD, J_CONS, 2, -1, -1},
    {E_ZY_BUILD, J_REBAR, 1, -1, -1},         {E_ZY_BUILD, J_ELECN, 1, -1, -1},
    {E_ZY_FOOD, J_COOK, 1, -1, -1},           {E_ZY_FOOD, J_WAIT, 1, -1, -1},

    {E_HZ_WORKSHOP, W_ELEC, 2, -1, -1},       {E_HZ_VEG, J_FARM_VEG, 2, -1, -1},
    {E_HZ_FOREST, R_RANGER, 2, -1, -1},       {E_HZ_WATER, X_IRRIG, 2, -1, 1},
    {E_HZ_LABOUR, L_SHOE, 1, D_DONGGUAN, -1}, {E_HZ_LABOUR, L_CONS, 2, D_HANGZHOU, -1},
    {E_HZ_LABOUR, L_ELEC, 1, D_SHENZHEN, -1}, {E_HZ_LABOUR, L_FOOD, 1, D_FOSHAN, -1},
    {E_HZ_SITE, P_CLEAN, 1, -1, -1},          {E_HZ_SITE, P_GUARD, 1, -1, -1},
    {E_HZ_SITE, P_ROAD, 1, -1, -1},

    {E_XW_HAM, J_HAM, 2, -1, -1},             {E_XW_HAM, J_PACK, 1, -1, -1},
    {E_XW_HAM, J_SALES, 1, -1, -1},           {E_XW_HAM, J_LIVE, 1, -1, -1},
    {E_XW_PIG, J_PIG, 1, -1, -1},             {E_XW_SITE, P_CLEAN, 1, -1, -1},
    {E_XW_SITE, P_GRID, 1, -1, -1},           {E_XW_LABOUR, L_ELEC, 2, D_HUIZHOU, -1},
    {E_XW_LABOUR, L_AUTO, 1, D_KUNSHAN, -1},  {E_XW_LABOUR, L_CONS, 1, D_WUXI, -1},

    {E_ZX_WORKSHOP, W_SHOE, 2, -1, -1},       {E_ZX_WORKSHOP, W_SEW, 1, -1, -1},
    {E_ZX_SITE, P_CLEAN, 2, -1, -1},          {E_ZX_SITE, P_GUARD, 1, -1, -1},
    {E_ZX_SITE, P_CARE, 1, -1, -1},           {E_ZX_LABOUR, L_ELEC, 2, D_SHENZHEN, -1},
    {E_ZX_LABOUR, L_CONS, 2, D_SUZHOU, -1},   {E_ZX_LABOUR, L_FOOD, 1, D_ZHONGSHAN, -1},
    {E_ZX_LABOUR, L_LOGI, 1, D_HANGZHOU, -1}, {E_ZX_LABOUR, L_SEW, 1, D_HUZHOU, -1},
    {E_ZX_LABOUR, L_CARE, 1, D_SHANGHAI, -1},

    {E_LP_HERB, J_HERB, 2, -1, -1},           {E_LP_FOREST, R_RANGER, 2, -1, -1},
    {E_LP_TOWN, P_CLEAN, 1, -1, -1},          {E_LP_TOWN, P_ROAD, 1, -1, -1},
    {E_LP_EMB, W_EMB, 2, -1, -1},             {E_LP_LABOUR, L_ELEC, 1, D_DONGGUAN, -1},
    {E_LP_LABOUR, L_FOOD, 1, D_FOSHAN, -1},   {E_LP_LABOUR, L_CONS, 1, D_HANGZHOU, -1},

    {E_LC_TEA, J_TEA, 2, -1, -1},             {E_LC_FOREST, R_RANGER, 2, -1, -1},
    {E_LC_TOWN, P_CLEAN, 1, -1, -1},          {E_LC_TOWN, P_GRID, 1, -1, -1},
    {E_LC_AGRI, X_FIELD, 2, -1, 2},           {E_LC_LABOUR, L_ELEC, 2, D_DONGGUAN, -1},
    {E_LC_LABOUR, L_FOOD, 1, D_ZHONGSHAN, -1}, {E_LC_LABOUR, L_SHOE, 1, D_DONGGUAN, -1},

    {E_GN_RICE, J_RICE, 2, -1, -1},           {E_GN_RICE, J_PACK, 1, -1, -1},
    {E_GN_RICE, J_LIVE, 1, -1, -1},           {E_GN_TOWN, P_CLEAN, 1, -1, -1},
    {E_GN_TOWN, P_GRID, 1, -1, -1},           {E_GN_TOWN, P_GREEN, 1, -1, -1},
    {E_GN_TRANSPORT, X_ROAD, 2, -1, 3},       {E_GN_LABOUR, L_ELEC, 2, D_SHENZHEN, -1},
    {E_GN_LABOUR, L_SEW, 1, D_HUZHOU, -1},    {E_GN_LABOUR, L_CONS, 1, D_NINGBO, -1},

    {E_KM_LOGI, J_LOAD, 2, -1, -1},           {E_KM_LOGI, J_DELIV, 2, -1, -1},
    {E_KM_LOGI, J_FORK, 1, -1, -1},           {E_AN_STEEL, J_WELD, 1, -1, -1},
    {E_AN_STEEL, J_ELECN, 1, -1, -1},         {E_AN_STEEL, J_CONS, 2, -1, -1},
    {E_CG_CARE, J_CARE, 2, -1, -1},           {E_CG_CARE, J_HOUSE, 1, -1, -1},
    {E_CG_CARE, J_CLEAN, 1, -1, -1},          {E_QJ_BATTERY, J_ELEC, 2, -1, -1},
    {E_QJ_BATTERY, J_PACK, 1, -1, -1},        {E_SM_COFFEE, J_COFFEE, 2, -1, -1},
    {E_SM_COFFEE, J_TEA, 1, -1, -1},          {E_WS_HERB, J_HERB_PROC, 2, -1, -1},
    {E_WS_HERB, J_PACK, 1, -1, -1},           {E_DL_HOTEL, J_ROOM, 2, -1, -1},
    {E_DL_HOTEL, J_WAIT, 1, -1, -1},          {E_DL_HOTEL, J_COOK, 1, -1, -1},
    {E_DL_HOTEL, J_SECUR, 1, -1, -1},
};
#define DEMO_NVACANCY_DEFS ((int)(sizeof demo_vacancies / sizeof demo_vacancies[0]))

/* ---- what staff write down --------------------------------------------- */

DEMO_TABLE char *const demo_followup_notes[] = {
    "电话回访，本人表示工作稳定", "入户走访，家属反映情况良好", "企业反馈出勤正常",
    "微信视频回访，已适应岗位", "已协调企业解决住宿问题",
};
DEMO_TABLE char *const demo_followup_problems[] = {
    "住宿条件较差", "加班较多", "饮食不习惯", "子女入学需协调", "工资晚发半个月", "通勤时间较长",
};
DEMO_TABLE char *const demo_reject_notes[] = {
    "技能不符合岗位要求", "本人未参加面试", "岗位已招满", "企业未录用",
};
DEMO_TABLE char *const demo_withdraw_notes[] = {
    "本人放弃，家中有事", "已在其他单位就业", "不愿外出务工", "家中老人需要照顾",
};
DEMO_TABLE char *const demo_visit_notes[] = {
    "已入户走访，推荐公益性岗位，等待面试", "已推荐到帮扶车间上岗", "已登记参加劳务输出专场招聘",
    "已纳入防返贫监测，落实临时救助",
};

/* ---- the values the schema's CHECK constraints allow ------------------- */

DEMO_TABLE char *const demo_status_names[] = {
    "seeking", "employed_local", "employed_outside_county", "employed_outside_province",
    "in_training", "not_seeking"};
DEMO_TABLE char *const demo_scope_names[] = {"local", "outside_county", "outside_province"};
DEMO_TABLE char *const demo_vstatus_names[] = {"draft", "open", "closed", "filled"};
DEMO_TABLE char *const demo_astatus_names[] = {
    "applied", "shortlisted", "offered", "hired", "rejected", "withdrawn"};
DEMO_TABLE char *const demo_source_names[] = {"kiosk", "staff", "allocation"};
DEMO_TABLE char *const demo_education_names[] = {
    "none", "primary", "junior_secondary", "senior_secondary", "vocational", "college",
    "bachelor_plus"};
DEMO_TABLE char *const demo_mandarin_names[] = {"none", "basic", "fluent"};
DEMO_TABLE char *const demo_disability_names[] = {"none", "mild", "moderate", "severe"};
DEMO_TABLE char *const demo_monitoring_names[] = {
    "none", "unstable", "marginal", "sudden_hardship"};
DEMO_TABLE char *const demo_found_by_names[] = {
    "self_application", "data_comparison", "cadre_visit"};
DEMO_TABLE char *const demo_kind_names[] = {
    "regular", "work_relief", "public_welfare", "forest_ranger", "workshop", "labor_export"};
DEMO_TABLE char *const demo_consent_methods[] = {"paper_form", "kiosk", "staff_recorded"};
/* end_reason values, each with what staff note down */
DEMO_TABLE char *const demo_end_names[] = {
    "contract_ended", "quit", "dismissed", "project_finished", "health", "moved", "other"};
DEMO_TABLE char *const demo_end_notes[] = {
    "合同期满未续签", "本人辞职，返乡照顾家人", "试用期未通过", "项目完工，务工结束",
    "因病无法继续工作", "随家人迁居外地", "企业停产"};

/* clang-format on */

#endif
