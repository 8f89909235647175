-- 003_domain: the data HR staff, kiosks and brokers work with.
-- Every mutable row carries `version` (its ETag) and `updated_at`; rows that
-- other rows reference are archived, never deleted.

-- Provinces of China (GB/T 2260), for labour-export destinations and
-- east-west cooperation partners.  Yunnan's own divisions are in `region`.
CREATE TABLE province (
    code    integer PRIMARY KEY CHECK (code % 10000 = 0 AND code BETWEEN 110000 AND 820000),
    name    text NOT NULL UNIQUE,
    name_en text NOT NULL
);
INSERT INTO province (code, name, name_en) VALUES
 (110000,'北京市','Beijing'),(120000,'天津市','Tianjin'),(130000,'河北省','Hebei'),
 (140000,'山西省','Shanxi'),(150000,'内蒙古自治区','Inner Mongolia'),(210000,'辽宁省','Liaoning'),
 (220000,'吉林省','Jilin'),(230000,'黑龙江省','Heilongjiang'),(310000,'上海市','Shanghai'),
 (320000,'江苏省','Jiangsu'),(330000,'浙江省','Zhejiang'),(340000,'安徽省','Anhui'),
 (350000,'福建省','Fujian'),(360000,'江西省','Jiangxi'),(370000,'山东省','Shandong'),
 (410000,'河南省','Henan'),(420000,'湖北省','Hubei'),(430000,'湖南省','Hunan'),
 (440000,'广东省','Guangdong'),(450000,'广西壮族自治区','Guangxi'),(460000,'海南省','Hainan'),
 (500000,'重庆市','Chongqing'),(510000,'四川省','Sichuan'),(520000,'贵州省','Guizhou'),
 (530000,'云南省','Yunnan'),(540000,'西藏自治区','Tibet'),(610000,'陕西省','Shaanxi'),
 (620000,'甘肃省','Gansu'),(630000,'青海省','Qinghai'),(640000,'宁夏回族自治区','Ningxia'),
 (650000,'新疆维吾尔自治区','Xinjiang'),(710000,'台湾省','Taiwan'),
 (810000,'香港特别行政区','Hong Kong'),(820000,'澳门特别行政区','Macao');

-- Skills and certificates taxonomy.  `parent_id` groups related skills: a
-- worker with a sibling skill earns partial credit in matching.
CREATE TABLE skill (
    id        integer PRIMARY KEY,
    code      text NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9_.]{1,63}$'),
    name_zh   text NOT NULL,
    name_en   text NOT NULL,
    category  text NOT NULL,
    parent_id integer REFERENCES skill (id),
    occupation_code text REFERENCES occupation (code)
);

CREATE TABLE certificate_type (
    id        integer PRIMARY KEY,
    code      text NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9_.]{1,63}$'),
    name_zh   text NOT NULL,
    name_en   text NOT NULL,
    category  text NOT NULL,
    parent_id integer REFERENCES certificate_type (id)
);

INSERT INTO skill (id, code, name_zh, name_en, category, parent_id, occupation_code) VALUES
 (1,  'construction',        '建筑施工',       'Construction trades',        'construction', NULL, NULL),
 (2,  'masonry',             '砌筑',           'Masonry',                    'construction', 1, '6-29-01-01'),
 (3,  'concrete',            '混凝土',         'Concrete work',              'construction', 1, '6-29-01-03'),
 (4,  'rebar',               '钢筋',           'Rebar work',                 'construction', 1, '6-29-01-04'),
 (5,  'scaffolding',         '架子工',         'Scaffolding',                'construction', 1, '6-29-01-05'),
 (6,  'carpentry',           '木工',           'Carpentry',                  'construction', 1, NULL),
 (7,  'painting_decorating', '油漆装饰',       'Painting and decorating',    'construction', 1, NULL),
 (8,  'tiling',              '镶贴',           'Tiling',                     'construction', 1, NULL),
 (9,  'plumbing',            '管道安装',       'Plumbing',                   'construction', 1, NULL),
 (10, 'electrical',          '电工',           'Electrical work',            'electrical',   NULL, NULL),
 (11, 'electrician_lv',      '低压电工',       'Low-voltage electrician',    'electrical',   10, NULL),
 (12, 'electrician_install', '电气安装',       'Electrical installation',    'electrical',   10, NULL),
 (13, 'welding',             '焊工',           'Welding',                    'metalwork',    NULL, NULL),
 (14, 'welding_arc',         '电焊',           'Arc welding',                'metalwork',    13, NULL),
 (15, 'welding_gas',         '气焊',           'Gas welding and cutting',    'metalwork',    13, NULL),
 (16, 'machine_operation',   '机械操作',       'Machine operation',          'machinery',    NULL, NULL),
 (17, 'excavator',           '挖掘机操作',     'Excavator operation',        'machinery',    16, NULL),
 (18, 'loader',              '装载机操作',     'Loader operation',           'machinery',    16, NULL),
 (19, 'forklift',            '叉车驾驶',       'Forklift driving',           'machinery',    16, NULL),
 (20, 'cnc_operation',       '数控机床操作',   'CNC machine operation',      'machinery',    16, NULL),
 (21, 'driving',             '驾驶',           'Driving',                    'transport',    NULL, NULL),
 (22, 'driving_car',         '小型车驾驶',     'Car driving',                'transport',    21, NULL),
 (23, 'driving_truck',       '货车驾驶',       'Truck driving',              'transport',    21, NULL),
 (24, 'driving_bus',         '客车驾驶',       'Bus driving',                'transport',    21, NULL),
 (25, 'delivery',            '快递配送',       'Parcel delivery',            'transport',    21, NULL),
 (26, 'cooking',             '烹饪',           'Cooking',                    'catering',     NULL, NULL),
 (27, 'chinese_cooking',     '中式烹调',       'Chinese cooking',            'catering',     26, NULL),
 (28, 'pastry',              '中式面点',       'Chinese pastry',             'catering',     26, NULL),
 (29, 'kitchen_help',        '厨房帮工',       'Kitchen help',               'catering',     26, NULL),
 (30, 'care',                '家政与照护',     'Domestic work and care',     'care',         NULL, NULL),
 (31, 'housekeeping',        '家政服务',       'Housekeeping',               'care',         30, NULL),
 (32, 'infant_care',         '育婴',           'Infant care (育婴员)',        'care',         30, NULL),
 (33, 'elderly_care',        '养老护理',       'Elderly care (养老护理员)',    'care',         30, NULL),
 (34, 'cleaning',            '保洁',           'Cleaning',                   'care',         30, NULL),
 (35, 'garment',             '服装制作',       'Garment work',               'manufacturing', NULL, NULL),
 (36, 'sewing',              '缝纫',           'Sewing',                     'manufacturing', 35, NULL),
 (37, 'garment_finishing',   '整烫包装',       'Garment finishing',          'manufacturing', 35, NULL),
 (38, 'assembly',            '电子装配',       'Electronics assembly',       'manufacturing', NULL, NULL),
 (39, 'agriculture',         '种植',           'Crop growing',               'agriculture',  NULL, NULL),
 (40, 'fruit_growing',       '果树栽培',       'Fruit growing',              'agriculture',  39, NULL),
 (41, 'vegetable_growing',   '蔬菜种植',       'Vegetable growing',          'agriculture',  39, NULL),
 (42, 'tea_processing',      '茶叶加工',       'Tea processing',             'agriculture',  39, NULL),
 (43, 'coffee_processing',   '咖啡加工',       'Coffee processing',          'agriculture',  39, NULL),
 (44, 'livestock',           '畜牧养殖',       'Livestock rearing',          'agriculture',  NULL, NULL),
 (45, 'pig_rearing',         '生猪养殖',       'Pig rearing',                'agriculture',  44, NULL),
 (46, 'cattle_rearing',      '牛羊养殖',       'Cattle and sheep rearing',   'agriculture',  44, NULL),
 (47, 'ecommerce',           '电子商务',       'E-commerce',                 'commerce',     NULL, NULL),
 (48, 'live_streaming',      '直播销售',       'Live-stream selling',        'commerce',     47, NULL),
 (49, 'online_shop',         '网店运营',       'Online shop operation',      'commerce',     47, NULL),
 (50, 'retail',              '营业员',         'Retail sales',               'commerce',     NULL, NULL),
 (51, 'forestry',            '林业与护林',     'Forestry and patrol',        'forestry',     NULL, NULL),
 (52, 'forest_patrol',       '森林巡护',       'Forest patrol',              'forestry',     51, NULL),
 (53, 'fire_patrol',         '森林防火',       'Forest fire prevention',     'forestry',     51, NULL),
 (54, 'tree_planting',       '造林育苗',       'Tree planting and nursery',  'forestry',     51, NULL),
 (55, 'security',            '保安',           'Security guard',             'services',     NULL, NULL),
 (56, 'road_maintenance',    '道路养护',       'Road maintenance',           'construction', 1, NULL),
 (57, 'greening',            '绿化养护',       'Landscaping upkeep',         'services',     NULL, NULL);

INSERT INTO certificate_type (id, code, name_zh, name_en, category, parent_id) VALUES
 (1,  'driving_licence',     '机动车驾驶证',             'Driving licence',                     'transport',  NULL),
 (2,  'driving_c1',          '驾驶证 C1',                'Driving licence C1 (car)',            'transport',  1),
 (3,  'driving_b2',          '驾驶证 B2',                'Driving licence B2 (truck)',          'transport',  1),
 (4,  'driving_a2',          '驾驶证 A2',                'Driving licence A2 (tractor-trailer)', 'transport', 1),
 (5,  'special_operation',   '特种作业操作证',           'Special operation certificate',       'safety',     NULL),
 (6,  'electrician_op',      '特种作业操作证（电工）',   'Special operation: electrician',      'safety',     5),
 (7,  'welding_op',          '特种作业操作证（焊接与热切割）', 'Special operation: welding and cutting', 'safety', 5),
 (8,  'height_work_op',      '特种作业操作证（高处作业）', 'Special operation: work at height',   'safety',     5),
 (9,  'special_equipment',   '特种设备作业人员证',       'Special equipment operator',          'safety',     NULL),
 (10, 'forklift_n1',         '叉车司机（N1）',           'Forklift operator (N1)',              'safety',     9),
 (11, 'health_certificate',  '健康证',                   'Health certificate',                  'health',     NULL),
 (12, 'skill_certificate',   '职业技能等级证书',         'Vocational skill level certificate',  'skills',     NULL),
 (13, 'infant_care_cert',    '育婴员证书',               'Infant carer certificate',            'skills',     12),
 (14, 'elderly_care_cert',   '养老护理员证书',           'Elderly carer certificate',           'skills',     12),
 (15, 'cook_cert',           '中式烹调师证书',           'Chinese cook certificate',            'skills',     12),
 (16, 'ecommerce_cert',      '电子商务师证书',           'E-commerce certificate',              'skills',     12),
 (17, 'security_guard_cert', '保安员证',                 'Security guard certificate',          'skills',     NULL);

-- Resettlement sites (安置点).
CREATE TABLE site (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    county_code integer NOT NULL REFERENCES region (code),
    lat         double precision NOT NULL CHECK (lat BETWEEN 20 AND 30),
    lon         double precision NOT NULL CHECK (lon BETWEEN 97 AND 107),
    kind        text NOT NULL CHECK (kind IN ('urban_centralized', 'rural_centralized', 'scattered')),
    households  integer NOT NULL DEFAULT 0 CHECK (households >= 0),
    people      integer NOT NULL DEFAULT 0 CHECK (people >= 0),
    archived    boolean NOT NULL DEFAULT false,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX site_county ON site (county_code, id);
CREATE INDEX site_name ON site (name, id);

-- Households: the unit that matters.  labor_count and employed_count are
-- kept by triggers on worker; zero_employment follows from them.
CREATE TABLE household (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id             bigint NOT NULL REFERENCES site (id),
    origin_county_code  integer NOT NULL REFERENCES region (code),
    origin_village      text NOT NULL DEFAULT '' CHECK (length(origin_village) <= 100),
    members             integer NOT NULL CHECK (members BETWEEN 1 AND 30),
    monitoring_status   text NOT NULL DEFAULT 'none'
        CHECK (monitoring_status IN ('none', 'unstable', 'marginal', 'sudden_hardship')),
    monitoring_found_by text CHECK (monitoring_found_by IN ('self_application', 'data_comparison', 'cadre_visit')),
    monitoring_found_on date,
    labor_count         integer NOT NULL DEFAULT 0,
    employed_count      integer NOT NULL DEFAULT 0,
    zero_employment     boolean GENERATED ALWAYS AS (labor_count > 0 AND employed_count = 0) STORED,
    archived            boolean NOT NULL DEFAULT false,
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((monitoring_status = 'none') = (monitoring_found_by IS NULL)),
    CHECK ((monitoring_found_by IS NULL) = (monitoring_found_on IS NULL))
);
CREATE INDEX household_site ON household (site_id, id);
CREATE INDEX household_zero ON household (id) WHERE zero_employment AND NOT archived;
CREATE INDEX household_monitoring ON household (monitoring_status, id) WHERE monitoring_status <> 'none';

-- Workers (labour profiles).  The national ID number is stored encrypted
-- (libsodium secretbox, key outside the database) with a keyed hash for
-- lookup and uniqueness; birth date and sex are derived from it.
CREATE TABLE worker (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    household_id            bigint NOT NULL REFERENCES household (id),
    name                    text NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    id_number_hash          bytea NOT NULL UNIQUE,
    id_number_enc           bytea NOT NULL,
    id_number_masked        text NOT NULL,
    birth_date              date NOT NULL,
    sex                     char(1) NOT NULL CHECK (sex IN ('M', 'F')),
    phone                   text CHECK (phone ~ '^(1[3-9][0-9]{9}|0[0-9]{2,3}-[1-9][0-9]{6,7})$'),
    education               text NOT NULL DEFAULT 'junior_secondary'
        CHECK (education IN ('none', 'primary', 'junior_secondary', 'senior_secondary',
                             'vocational', 'college', 'bachelor_plus')),
    mandarin_level          text NOT NULL DEFAULT 'basic' CHECK (mandarin_level IN ('none', 'basic', 'fluent')),
    languages               text[] NOT NULL DEFAULT '{}',
    employment_status       text NOT NULL DEFAULT 'seeking'
        CHECK (employment_status IN ('seeking', 'employed_local', 'employed_outside_county',
                                     'employed_outside_province', 'in_training', 'not_seeking')),
    max_commute_km          integer NOT NULL DEFAULT 20 CHECK (max_commute_km BETWEEN 0 AND 3000),
    willing_outside_county  boolean NOT NULL DEFAULT false,
    willing_outside_province boolean NOT NULL DEFAULT false,
    needs_accommodation     boolean NOT NULL DEFAULT false,
    wage_floor              integer NOT NULL DEFAULT 0 CHECK (wage_floor BETWEEN 0 AND 100000),
    job_kinds_wanted        text[] NOT NULL DEFAULT '{}',
    available_from          date,
    disability              text NOT NULL DEFAULT 'none' CHECK (disability IN ('none', 'mild', 'moderate', 'severe')),
    consent_employers       boolean NOT NULL DEFAULT false,
    consent_brokers         boolean NOT NULL DEFAULT false,
    archived                boolean NOT NULL DEFAULT false,
    version                 integer NOT NULL DEFAULT 1,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CHECK (job_kinds_wanted <@ ARRAY['regular', 'work_relief', 'public_welfare', 'forest_ranger',
                                     'workshop', 'labor_export']::text[])
);
CREATE INDEX worker_household ON worker (household_id);
CREATE INDEX worker_status ON worker (employment_status, id);
CREATE INDEX worker_name ON worker (name, id);

CREATE TABLE worker_skill (
    worker_id bigint NOT NULL REFERENCES worker (id) ON DELETE CASCADE,
    skill_id  integer NOT NULL REFERENCES skill (id),
    level     smallint NOT NULL CHECK (level BETWEEN 1 AND 5), -- 1 初级工(五级) … 5 高级技师(一级)
    PRIMARY KEY (worker_id, skill_id)
);
CREATE INDEX worker_skill_skill ON worker_skill (skill_id, level);

CREATE TABLE worker_training (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    worker_id  bigint NOT NULL REFERENCES worker (id) ON DELETE CASCADE,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    provider   text NOT NULL DEFAULT '' CHECK (length(provider) <= 100),
    start_date date NOT NULL,
    end_date   date,
    completed  boolean NOT NULL DEFAULT false,
    skill_id   integer REFERENCES skill (id),
    CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX worker_training_worker ON worker_training (worker_id);

CREATE TABLE worker_certificate (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    worker_id           bigint NOT NULL REFERENCES worker (id) ON DELETE CASCADE,
    certificate_type_id integer NOT NULL REFERENCES certificate_type (id),
    number              text NOT NULL DEFAULT '' CHECK (length(number) <= 64),
    issued_on           date,
    expires_on          date,
    CHECK (expires_on IS NULL OR issued_on IS NULL OR expires_on >= issued_on)
);
CREATE INDEX worker_certificate_worker ON worker_certificate (worker_id);

-- Consent is a history: each grant or withdrawal, when and how.
CREATE TABLE worker_consent_event (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    worker_id   bigint NOT NULL REFERENCES worker (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('employers', 'brokers')),
    granted     boolean NOT NULL,
    method      text NOT NULL CHECK (method IN ('paper_form', 'kiosk', 'staff_recorded', 'import')),
    recorded_by text NOT NULL DEFAULT 'system',
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX worker_consent_event_worker ON worker_consent_event (worker_id, at);

-- Employers.
CREATE TABLE employer (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                   text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    credit_code            char(18) NOT NULL UNIQUE,
    kind                   text NOT NULL CHECK (kind IN ('enterprise', 'assistance_workshop', 'cooperative',
                                                         'public_body', 'labor_service_company')),
    county_code            integer NOT NULL REFERENCES region (code),
    partner_province_code  integer REFERENCES province (code),
    contact_name           text NOT NULL DEFAULT '' CHECK (length(contact_name) <= 50),
    contact_phone          text CHECK (contact_phone ~ '^(1[3-9][0-9]{9}|0[0-9]{2,3}-[1-9][0-9]{6,7})$'),
    address                text NOT NULL DEFAULT '' CHECK (length(address) <= 200),
    archived               boolean NOT NULL DEFAULT false,
    version                integer NOT NULL DEFAULT 1,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX employer_county ON employer (county_code, id);

-- Work-relief (以工代赈) projects.
CREATE TABLE work_relief_project (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    county_code          integer NOT NULL REFERENCES region (code),
    name                 text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    funding              text NOT NULL DEFAULT 'central' CHECK (funding IN ('central', 'provincial', 'other')),
    total_investment     numeric(14, 2) NOT NULL CHECK (total_investment > 0),
    remuneration_budget  numeric(14, 2) NOT NULL CHECK (remuneration_budget >= 0),
    remuneration_share   numeric GENERATED ALWAYS AS (remuneration_budget / total_investment) STORED,
    planned_jobs         integer NOT NULL CHECK (planned_jobs >= 0),
    jobs_filled          integer NOT NULL DEFAULT 0,
    filled_by_relocated  integer NOT NULL DEFAULT 0,
    remuneration_paid    numeric(14, 2) NOT NULL DEFAULT 0,
    start_date           date,
    end_date             date,
    archived             boolean NOT NULL DEFAULT false,
    version              integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (remuneration_budget <= total_investment),
    -- central-budget projects pay at least 30% of the money as labour remuneration
    CHECK (funding <> 'central' OR remuneration_budget >= 0.30 * total_investment),
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE INDEX work_relief_project_county ON work_relief_project (county_code, id);

CREATE TABLE remuneration_payment (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id bigint NOT NULL REFERENCES work_relief_project (id),
    amount     numeric(14, 2) NOT NULL CHECK (amount > 0),
    paid_on    date NOT NULL,
    note       text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Vacancies.
CREATE TABLE vacancy (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    employer_id             bigint NOT NULL REFERENCES employer (id),
    project_id              bigint REFERENCES work_relief_project (id),
    title                   text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    description             text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    occupation_code         text NOT NULL REFERENCES occupation (code),
    kind                    text NOT NULL CHECK (kind IN ('regular', 'work_relief', 'public_welfare',
                                                          'forest_ranger', 'workshop', 'labor_export')),
    county_code             integer NOT NULL REFERENCES region (code),
    lat                     double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon                     double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    dest_province_code      integer REFERENCES province (code),
    dest_city               text NOT NULL DEFAULT '' CHECK (length(dest_city) <= 50),
    headcount               integer NOT NULL CHECK (headcount BETWEEN 1 AND 100000),
    filled                  integer NOT NULL DEFAULT 0 CHECK (filled >= 0),
    wage_min                integer NOT NULL CHECK (wage_min >= 0),
    wage_max                integer NOT NULL,
    wage_period             text NOT NULL DEFAULT 'month' CHECK (wage_period IN ('month', 'day', 'hour', 'piece')),
    age_min                 smallint NOT NULL DEFAULT 16,
    age_max                 smallint NOT NULL DEFAULT 60,
    accommodation           boolean NOT NULL DEFAULT false,
    transport               boolean NOT NULL DEFAULT false,
    start_date              date,
    end_date                date,
    status                  text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed', 'filled')),
    archived                boolean NOT NULL DEFAULT false,
    version                 integer NOT NULL DEFAULT 1,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CHECK (wage_max >= wage_min),
    CHECK (age_min >= 16 AND age_max <= 65 AND age_min <= age_max),
    CHECK (filled <= headcount),
    CHECK ((kind = 'labor_export') = (dest_province_code IS NOT NULL)),
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE INDEX vacancy_status ON vacancy (status, id);
CREATE INDEX vacancy_county ON vacancy (county_code, id);
CREATE INDEX vacancy_employer ON vacancy (employer_id);
CREATE INDEX vacancy_project ON vacancy (project_id) WHERE project_id IS NOT NULL;

CREATE TABLE vacancy_skill (
    vacancy_id bigint NOT NULL REFERENCES vacancy (id) ON DELETE CASCADE,
    skill_id   integer NOT NULL REFERENCES skill (id),
    min_level  smallint NOT NULL CHECK (min_level BETWEEN 1 AND 5),
    weight     real NOT NULL DEFAULT 1 CHECK (weight > 0 AND weight <= 10),
    must_have  boolean NOT NULL DEFAULT false,
    PRIMARY KEY (vacancy_id, skill_id)
);

CREATE TABLE vacancy_certificate (
    vacancy_id          bigint NOT NULL REFERENCES vacancy (id) ON DELETE CASCADE,
    certificate_type_id integer NOT NULL REFERENCES certificate_type (id),
    PRIMARY KEY (vacancy_id, certificate_type_id)
);

-- Applications and their history.
CREATE TABLE application (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    worker_id   bigint NOT NULL REFERENCES worker (id),
    vacancy_id  bigint NOT NULL REFERENCES vacancy (id),
    source      text NOT NULL CHECK (source IN ('kiosk', 'staff', 'broker', 'allocation')),
    status      text NOT NULL DEFAULT 'applied'
        CHECK (status IN ('applied', 'shortlisted', 'offered', 'hired', 'rejected', 'withdrawn')),
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    created_by  text NOT NULL DEFAULT 'system',
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
-- one live application per worker and vacancy
CREATE UNIQUE INDEX application_live ON application (worker_id, vacancy_id)
    WHERE status NOT IN ('rejected', 'withdrawn');
CREATE INDEX application_vacancy ON application (vacancy_id, id);
CREATE INDEX application_worker ON application (worker_id, id);

CREATE TABLE application_event (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id bigint NOT NULL REFERENCES application (id),
    from_status    text,
    to_status      text NOT NULL,
    actor          text NOT NULL,
    note           text NOT NULL DEFAULT '',
    at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX application_event_application ON application_event (application_id, id);

-- Placements: made by a hire; followed up at 1, 3 and 6 months.
CREATE TABLE placement (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id bigint NOT NULL UNIQUE REFERENCES application (id),
    worker_id      bigint NOT NULL REFERENCES worker (id),
    vacancy_id     bigint NOT NULL REFERENCES vacancy (id),
    start_date     date NOT NULL,
    wage           integer NOT NULL CHECK (wage >= 0),
    location_scope text NOT NULL CHECK (location_scope IN ('local', 'outside_county', 'outside_province')),
    ended_on       date,
    end_reason     text CHECK (end_reason IN ('contract_ended', 'quit', 'dismissed', 'project_finished',
                                              'health', 'moved', 'other')),
    end_note       text NOT NULL DEFAULT '',
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((ended_on IS NULL) = (end_reason IS NULL)),
    CHECK (ended_on IS NULL OR ended_on >= start_date)
);
CREATE INDEX placement_worker ON placement (worker_id);
CREATE INDEX placement_active ON placement (vacancy_id) WHERE ended_on IS NULL;

CREATE TABLE followup (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    placement_id   bigint NOT NULL REFERENCES placement (id),
    due_month      smallint NOT NULL CHECK (due_month IN (1, 3, 6)),
    due_on         date NOT NULL,
    done_at        timestamptz,
    still_employed boolean,
    wage           integer CHECK (wage >= 0),
    problems       text NOT NULL DEFAULT '' CHECK (length(problems) <= 1000),
    note           text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    recorded_by    text,
    UNIQUE (placement_id, due_month)
);
CREATE INDEX followup_due ON followup (due_on) WHERE done_at IS NULL;

-- Early-warning visits: opened when a household slides back.
CREATE TABLE early_warning_task (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    household_id bigint NOT NULL REFERENCES household (id),
    placement_id bigint REFERENCES placement (id),
    reason       text NOT NULL CHECK (reason IN ('job_lost_zero_employment', 'job_lost_monitored')),
    due_on       date NOT NULL,
    assignee     text NOT NULL DEFAULT '',
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    visit_note   text NOT NULL DEFAULT '',
    closed_at    timestamptz,
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX early_warning_task_open ON early_warning_task (due_on, id) WHERE status = 'open';
CREATE INDEX early_warning_task_household ON early_warning_task (household_id);

-- Household rollups follow every change of a worker's status or household.
CREATE FUNCTION household_recount(hid bigint) RETURNS void LANGUAGE sql AS $$
    UPDATE household h SET
        labor_count = s.labor, employed_count = s.employed
    FROM (SELECT count(*) FILTER (WHERE employment_status <> 'not_seeking') AS labor,
                 count(*) FILTER (WHERE employment_status LIKE 'employed%') AS employed
          FROM worker WHERE household_id = hid AND NOT archived) s
    WHERE h.id = hid AND (h.labor_count, h.employed_count) IS DISTINCT FROM (s.labor, s.employed);
$$;

CREATE FUNCTION worker_household_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM household_recount(OLD.household_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW.household_id <> OLD.household_id) THEN
        PERFORM household_recount(NEW.household_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER worker_household_rollup
    AFTER INSERT OR DELETE OR UPDATE OF employment_status, household_id, archived ON worker
    FOR EACH ROW EXECUTE FUNCTION worker_household_rollup();
