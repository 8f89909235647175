-- 040_payroll_posts: work-relief payroll (一卡两账三查) and the management of
-- public-welfare and forest-ranger posts.
--
-- Work relief, per project:
--   attendance     the attendance ledger (用工考勤台账): days (and hours) per
--                  worker per day, or a month's total, of the workers on the
--                  project's roster (placements in its vacancies);
--   pay_sheet      the monthly pay sheet (劳务报酬发放明细台账): one line per
--   pay_line       worker, days × the agreed daily rate, adjustable with a
--                  reason while a draft; approval by the project owner posts
--                  it as a public notice for payroll_rules.notice_days days
--                  (names masked); objections; released when the notice is
--                  over and no objection is open;
--   pay_objection  objections to a notice; one upheld returns the sheet to
--                  draft;
-- Payments to the worker's own account ("一卡"), for wages and post subsidies:
--   pay_account    a worker's bank card or account: ciphertext, blind index
--                  and mask (the server encrypts: server/pii.c); the holder's
--                  name as the bank reports it;
--   wage_payment   one per worker per month and try, with the bank's result
--                  (paid, or failed with a reason); a later try of a failed
--                  payment is a resubmission (resubmission_of).
-- The checks ("三查") and the labour-remuneration share from actual payments
-- are computed on request (payroll_checks); the county's spot checks sample
-- pay lines reproducibly (md5 of the seed and the line) and keep the
-- inspector's result.
--
-- Posts (public-welfare, forest ranger), per placement in such a vacancy:
--   post_terms       duties, duty area (with its position), funding source,
--                    monthly subsidy, managing unit;
--   post_assessment  the managing unit's monthly assessment (考核): a
--                    ranger's subsidy is payable for a month only once it is
--                    satisfactory (云林规〔2022〕3号); a run of
--                    payroll_rules.unsatisfactory_run unsatisfactory months
--                    proposes ending the post, which ends the placement as a
--                    job loss (placement_close, 035).
--
-- The lump-sum remuneration_payment rows of before stay as they are and are
-- listed with the per-worker payments; a project's remuneration_paid is now
-- their sum plus the paid wage payments.

CREATE TABLE payroll_rules (
    id                  boolean PRIMARY KEY DEFAULT true CHECK (id),
    late_days           integer NOT NULL DEFAULT 30 CHECK (late_days BETWEEN 0 AND 365),
    notice_days         integer NOT NULL DEFAULT 7 CHECK (notice_days BETWEEN 0 AND 60),
    unsatisfactory_run  integer NOT NULL DEFAULT 3 CHECK (unsatisfactory_run BETWEEN 1 AND 12),
    far_km              numeric NOT NULL DEFAULT 30 CHECK (far_km > 0),
    central_floor       numeric NOT NULL DEFAULT 0.30 CHECK (central_floor BETWEEN 0 AND 1),
    other_floor         numeric NOT NULL DEFAULT 0.20 CHECK (other_floor BETWEEN 0 AND 1)
);
INSERT INTO payroll_rules DEFAULT VALUES;

CREATE FUNCTION payroll_rule() RETURNS payroll_rules LANGUAGE sql STABLE AS $$
    SELECT * FROM payroll_rules LIMIT 1;
$$;

-- Staff of the project's county see and change its payroll; kiosks and
-- brokers never do.
CREATE FUNCTION payroll_scope_ok(p_county integer) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT leye_county_write_ok(p_county);
$$;

CREATE TABLE attendance (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id    bigint NOT NULL REFERENCES work_relief_project (id),
    county_code   integer NOT NULL REFERENCES region (code),
    placement_id  bigint NOT NULL REFERENCES placement (id),
    worker_id     bigint NOT NULL REFERENCES worker (id),
    month         date NOT NULL CHECK (extract(day FROM month) = 1),
    work_date     date,
    days          numeric(5, 2) NOT NULL CHECK (days BETWEEN 0 AND 31),
    hours         numeric(6, 2) CHECK (hours BETWEEN 0 AND 744),
    source        text NOT NULL DEFAULT 'staff' CHECK (source IN ('staff', 'import')),
    note          text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    recorded_by   text NOT NULL DEFAULT '',
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (work_date IS NULL OR (date_trunc('month', work_date)::date = month AND days <= 1
                                 AND (hours IS NULL OR hours <= 24)))
);
CREATE UNIQUE INDEX attendance_day ON attendance (placement_id, work_date) WHERE work_date IS NOT NULL;
CREATE UNIQUE INDEX attendance_month ON attendance (placement_id, month) WHERE work_date IS NULL;
CREATE INDEX attendance_project ON attendance (project_id, month);
CREATE INDEX attendance_worker ON attendance (worker_id, month);

CREATE TABLE pay_sheet (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id    bigint NOT NULL REFERENCES work_relief_project (id),
    county_code   integer NOT NULL REFERENCES region (code),
    month         date NOT NULL CHECK (extract(day FROM month) = 1),
    status        text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'notice', 'released')),
    approved_by   text NOT NULL DEFAULT '',
    approved_at   timestamptz,
    notice_from   date,
    notice_until  date,
    released_by   text NOT NULL DEFAULT '',
    released_at   timestamptz,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project_id, month)
);

CREATE TABLE pay_line (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sheet_id       bigint NOT NULL REFERENCES pay_sheet (id),
    county_code    integer NOT NULL REFERENCES region (code),
    placement_id   bigint NOT NULL REFERENCES placement (id),
    worker_id      bigint NOT NULL REFERENCES worker (id),
    days           numeric(5, 2) NOT NULL CHECK (days >= 0),
    daily_rate     numeric(10, 2) NOT NULL CHECK (daily_rate >= 0),
    computed       numeric(12, 2) NOT NULL,
    adjustment     numeric(12, 2) NOT NULL DEFAULT 0,
    adjust_reason  text NOT NULL DEFAULT '' CHECK (length(adjust_reason) <= 500),
    amount         numeric(12, 2) GENERATED ALWAYS AS (computed + adjustment) STORED,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (sheet_id, placement_id),
    CHECK (computed + adjustment >= 0),
    CHECK (adjustment = 0 OR adjust_reason <> '')
);
CREATE INDEX pay_line_worker ON pay_line (worker_id);

CREATE TABLE pay_objection (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sheet_id         bigint NOT NULL REFERENCES pay_sheet (id),
    county_code      integer NOT NULL REFERENCES region (code),
    pay_line_id      bigint REFERENCES pay_line (id),
    reason           text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    objector         text NOT NULL DEFAULT '' CHECK (length(objector) <= 100),
    received_on      date NOT NULL,
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'dismissed')),
    resolution_note  text NOT NULL DEFAULT '' CHECK (length(resolution_note) <= 2000),
    resolved_by      text NOT NULL DEFAULT '',
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pay_objection_sheet ON pay_objection (sheet_id);

CREATE TABLE pay_account (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    worker_id       bigint NOT NULL REFERENCES worker (id),
    account_hash    bytea NOT NULL,
    account_enc     bytea NOT NULL,
    account_masked  text NOT NULL CHECK (account_masked ~ '^[0-9]{4}\*+[0-9]{4}$'),
    holder_name     text NOT NULL CHECK (length(holder_name) BETWEEN 1 AND 50),
    bank            text NOT NULL DEFAULT '' CHECK (length(bank) <= 50),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (worker_id, account_hash)
);
CREATE INDEX pay_account_hash ON pay_account (account_hash);

CREATE TABLE wage_payment (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('wage', 'subsidy')),
    county_code      integer NOT NULL REFERENCES region (code),
    project_id       bigint REFERENCES work_relief_project (id),
    placement_id     bigint NOT NULL REFERENCES placement (id),
    worker_id        bigint NOT NULL REFERENCES worker (id),
    pay_line_id      bigint REFERENCES pay_line (id),
    month            date NOT NULL CHECK (extract(day FROM month) = 1),
    amount           numeric(12, 2) NOT NULL CHECK (amount > 0),
    account_id       bigint NOT NULL REFERENCES pay_account (id),
    status           text NOT NULL CHECK (status IN ('paid', 'failed')),
    fail_reason      text NOT NULL DEFAULT '' CHECK (length(fail_reason) <= 200),
    paid_on          date NOT NULL,
    resubmission_of  bigint REFERENCES wage_payment (id),
    source           text NOT NULL DEFAULT 'staff' CHECK (source IN ('staff', 'bank_return')),
    recorded_by      text NOT NULL DEFAULT '',
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'wage') = (project_id IS NOT NULL)),
    CHECK (status = 'paid' OR fail_reason <> '')
);
-- one paid payment per worker, post and month
CREATE UNIQUE INDEX wage_payment_paid ON wage_payment (placement_id, month, kind) WHERE status = 'paid';
CREATE INDEX wage_payment_project ON wage_payment (project_id, month);
CREATE INDEX wage_payment_worker ON wage_payment (worker_id, month);

CREATE TABLE pay_spot_check (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    county_code  integer NOT NULL REFERENCES region (code),
    month        date NOT NULL CHECK (extract(day FROM month) = 1),
    seed         text NOT NULL CHECK (length(seed) BETWEEN 1 AND 64),
    size         integer NOT NULL CHECK (size BETWEEN 1 AND 500),
    created_by   text NOT NULL DEFAULT '',
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pay_spot_check_line (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    check_id      bigint NOT NULL REFERENCES pay_spot_check (id),
    county_code   integer NOT NULL REFERENCES region (code),
    pay_line_id   bigint NOT NULL REFERENCES pay_line (id),
    result        text CHECK (result IN ('ok', 'problem')),
    note          text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    inspected_by  text NOT NULL DEFAULT '',
    inspected_at  timestamptz,
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (check_id, pay_line_id)
);

CREATE TABLE post_terms (
    placement_id     bigint PRIMARY KEY REFERENCES placement (id),
    county_code      integer NOT NULL REFERENCES region (code),
    duties           text NOT NULL DEFAULT '' CHECK (length(duties) <= 1000),
    duty_area        text NOT NULL DEFAULT '' CHECK (length(duty_area) <= 100),
    duty_lat         double precision CHECK (duty_lat BETWEEN 20 AND 30),
    duty_lon         double precision CHECK (duty_lon BETWEEN 97 AND 107),
    funding_source   text NOT NULL CHECK (funding_source IN ('central_ranger', 'provincial', 'county_budget',
                                                             'collective_income', 'other')),
    monthly_subsidy  numeric(10, 2) NOT NULL CHECK (monthly_subsidy BETWEEN 0 AND 100000),
    managing_unit    text NOT NULL DEFAULT '' CHECK (length(managing_unit) <= 100),
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((duty_lat IS NULL) = (duty_lon IS NULL))
);

CREATE TABLE post_assessment (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    placement_id  bigint NOT NULL REFERENCES placement (id),
    county_code   integer NOT NULL REFERENCES region (code),
    month         date NOT NULL CHECK (extract(day FROM month) = 1),
    satisfactory  boolean NOT NULL,
    note          text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    assessed_by   text NOT NULL DEFAULT '',
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (placement_id, month)
);

-- ---------- access: the county of the project or the post ----------

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['attendance', 'pay_sheet', 'pay_line', 'pay_objection', 'wage_payment',
                             'pay_spot_check', 'pay_spot_check_line', 'post_terms', 'post_assessment'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        -- the caller's scope read once per query (an InitPlan, as in 019)
        EXECUTE format('CREATE POLICY scope ON %I USING ((SELECT leye_scope()) = ''*'' '
                       'OR (SELECT leye_scope()) NOT LIKE ''k:%%'' AND (SELECT leye_scope()) NOT LIKE ''b:%%'' '
                       'AND leye_county_ok(county_code))', t);
    END LOOP;
END $$;
ALTER TABLE pay_account ENABLE ROW LEVEL SECURITY;
ALTER TABLE pay_account FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON pay_account USING (
    (SELECT leye_scope()) = '*'
    OR (SELECT leye_scope()) NOT LIKE 'k:%' AND (SELECT leye_scope()) NOT LIKE 'b:%'
       AND EXISTS (SELECT 1 FROM worker w WHERE w.id = worker_id));

-- ---------- audit: every write, as the other records ----------

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['attendance', 'pay_sheet', 'pay_line', 'pay_objection', 'pay_account',
                             'wage_payment', 'pay_spot_check', 'pay_spot_check_line',
                             'post_assessment', 'payroll_rules'] LOOP
        EXECUTE format('CREATE TRIGGER audit_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt(%L)', t, 'x.id::text');
        EXECUTE format('CREATE TRIGGER audit_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows '
                       'NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt(%L)',
                       t, 'x.id::text');
        EXECUTE format('CREATE TRIGGER audit_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt(%L)', t, 'x.id::text');
    END LOOP;
END $$;
CREATE TRIGGER audit_insert AFTER INSERT ON post_terms REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt('x.placement_id::text');
CREATE TRIGGER audit_update AFTER UPDATE ON post_terms REFERENCING OLD TABLE AS old_rows
    NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt('x.placement_id::text');
CREATE TRIGGER audit_delete AFTER DELETE ON post_terms REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt('x.placement_id::text');

-- ---------- remuneration paid: lump sums of before plus wages paid ----------

CREATE OR REPLACE FUNCTION project_recount_many(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    saved text := current_setting('leye.scope', true);
BEGIN
    IF coalesce(cardinality(ids), 0) = 0 THEN
        RETURN;
    END IF;
    PERFORM set_config('leye.scope', '*', true);
    UPDATE work_relief_project p SET
        filled_by_relocated = s.filled,
        jobs_filled = s.filled + p.local_hires,
        remuneration_paid = s.paid
    FROM (SELECT pid,
                 coalesce((SELECT sum(filled) FROM vacancy WHERE project_id = pid), 0)::integer AS filled,
                 coalesce((SELECT sum(amount) FROM remuneration_payment WHERE project_id = pid), 0)
                 + coalesce((SELECT sum(amount) FROM wage_payment
                             WHERE project_id = pid AND status = 'paid'), 0) AS paid
          FROM unnest(ids) AS pid) s
    WHERE p.id = s.pid
      AND (p.filled_by_relocated, p.jobs_filled, p.remuneration_paid)
          IS DISTINCT FROM (s.filled, s.filled + p.local_hires, s.paid);
    PERFORM set_config('leye.scope', coalesce(saved, ''), true);
END $$;

CREATE FUNCTION wage_payment_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM project_recount_many(ARRAY(SELECT DISTINCT project_id FROM new_rows WHERE project_id IS NOT NULL));
    RETURN NULL;
END $$;
CREATE TRIGGER project_rollup_insert AFTER INSERT ON wage_payment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION wage_payment_rollup();
CREATE TRIGGER project_rollup_update AFTER UPDATE ON wage_payment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION wage_payment_rollup();

-- A bank holder's name is a person's name: the audit log masks it as it
-- masks the others.
CREATE OR REPLACE FUNCTION audit_field_rule(p_table text, p_column text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN p_column IN ('version', 'created_at', 'updated_at') THEN 'skip'
        WHEN p_column LIKE '%\_masked' THEN 'clear'
        WHEN p_column ~ '(id_number|_enc|_hash|pin|password|token|secret|account|card)' THEN 'hidden'
        WHEN p_column LIKE '%phone%' THEN 'phone'
        WHEN p_column LIKE '%birth%' THEN 'year'
        WHEN p_column ~ '^(contact_name|display_name|full_name|person_name|objector|holder_name)$'
             OR p_column ~ '_(contact|person|full)_name$'
             OR (p_column = 'name' AND p_table ~ '(^|_)(worker|member|person|contact|resident)$')
            THEN 'name'
        ELSE 'clear' END;
$$;

-- ---------- helpers ----------

-- 'YYYY-MM' as the month's first day; fails naming field when it is not one.
CREATE FUNCTION payroll_month(p text, field text) RETURNS date LANGUAGE plpgsql STABLE AS $$
DECLARE
    m date;
BEGIN
    IF p IS NULL THEN
        PERFORM api_fail('LY422', field, 'required');
    ELSIF p !~ '^\d{4}-(0[1-9]|1[0-2])$' THEN
        PERFORM api_fail('LY422', field, 'invalid_format');
    END IF;
    m := (p || '-01')::date;
    IF m < date '2000-01-01' OR m > date_trunc('month', placement_today())::date THEN
        PERFORM api_fail('LY422', field, 'out_of_range');
    END IF;
    RETURN m;
END $$;

CREATE FUNCTION payroll_month_end(m date) RETURNS date LANGUAGE sql IMMUTABLE AS $$
    SELECT (m + interval '1 month' - interval '1 day')::date;
$$;

-- The agreed rate of a placement per day worked: the wage agreed at the
-- hire in the vacancy's period (a month counts 21.75 working days, an hour
-- is an eighth of a day; a piece rate is taken as a day's).
CREATE FUNCTION payroll_daily_rate(p_wage integer, p_period text) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
    SELECT round(CASE p_period WHEN 'month' THEN p_wage / 21.75 WHEN 'hour' THEN p_wage * 8.0
                               ELSE p_wage::numeric END, 2);
$$;

-- The project, for a caller who may work on its payroll (404 otherwise).
CREATE FUNCTION payroll_project(p_id bigint) RETURNS work_relief_project LANGUAGE plpgsql STABLE AS $$
DECLARE
    r work_relief_project;
BEGIN
    SELECT * INTO r FROM work_relief_project x WHERE x.id = p_id AND payroll_scope_ok(x.county_code);
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    RETURN r;
END $$;

-- The placement of worker p_worker on project p_project during month m
-- (the roster), or NULL.
CREATE FUNCTION payroll_roster_placement(p_project bigint, p_worker bigint, m date) RETURNS placement
LANGUAGE sql STABLE AS $$
    SELECT p.* FROM placement p JOIN vacancy v ON v.id = p.vacancy_id
    WHERE v.project_id = p_project AND p.worker_id = p_worker
      AND p.start_date <= payroll_month_end(m) AND (p.ended_on IS NULL OR p.ended_on >= m)
    ORDER BY p.start_date DESC LIMIT 1;
$$;

-- ---------- roster and attendance ----------

-- GET /v1/work-relief-projects/{id}/roster?month=YYYY-MM: the workers on
-- the project that month (placements in its vacancies), each with the
-- agreed daily rate and the attendance recorded.
CREATE FUNCTION api_payroll_roster(p_project bigint, p_month text,
                                   OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    r work_relief_project := payroll_project(p_project);
    m date := payroll_month(coalesce(p_month, to_char(placement_today(), 'YYYY-MM')), 'month');
BEGIN
    status := 200;
    body := jsonb_build_object(
        'project_id', r.id, 'month', to_char(m, 'YYYY-MM'),
        'items', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'placement_id', p.id, 'worker_id', p.worker_id, 'worker_name', w.name,
                       'vacancy_id', v.id, 'vacancy_title', v.title,
                       'start_date', p.start_date, 'ended_on', p.ended_on,
                       'wage', p.wage, 'wage_period', v.wage_period,
                       'daily_rate', payroll_daily_rate(p.wage, v.wage_period),
                       'days', coalesce(a.days, 0), 'hours', a.hours,
                       'entries', coalesce(a.entries, '[]'))
                   ORDER BY w.name, p.id)
            FROM placement p JOIN vacancy v ON v.id = p.vacancy_id
            LEFT JOIN worker w ON w.id = p.worker_id
            LEFT JOIN LATERAL (
                SELECT sum(x.days) AS days, sum(x.hours) AS hours,
                       jsonb_agg(jsonb_build_object('id', x.id, 'work_date', x.work_date, 'days', x.days,
                                                    'hours', x.hours, 'source', x.source, 'note', x.note)
                                 ORDER BY x.work_date NULLS FIRST) AS entries
                FROM attendance x WHERE x.placement_id = p.id AND x.month = m) a ON true
            WHERE v.project_id = r.id AND p.start_date <= payroll_month_end(m)
              AND (p.ended_on IS NULL OR p.ended_on >= m)), '[]'));
END $$;

-- One attendance row from p = {worker_id, month, work_date, days, hours,
-- note} on project r: a day (work_date) or the month's total (no
-- work_date); recording again replaces the row.  Faults name the field.
CREATE FUNCTION payroll_attendance_put(r work_relief_project, p jsonb, p_source text, actor text)
RETURNS attendance LANGUAGE plpgsql AS $$
DECLARE
    wd date;
    m date;
    pl placement;
    a attendance;
    d numeric := round((p ->> 'days')::numeric, 2);
    h numeric := round((p ->> 'hours')::numeric, 2);
BEGIN
    IF p ->> 'work_date' IS NOT NULL THEN
        wd := (p ->> 'work_date')::date;
        m := date_trunc('month', wd)::date;
        IF p ->> 'month' IS NOT NULL AND payroll_month(p ->> 'month', 'month') <> m THEN
            PERFORM api_fail('LY422', 'work_date', 'out_of_range');
        END IF;
        IF wd > placement_today() THEN
            PERFORM api_fail('LY422', 'work_date', 'out_of_range');
        END IF;
    ELSE
        m := payroll_month(p ->> 'month', 'month');
    END IF;
    IF d IS NULL THEN
        PERFORM api_fail('LY422', 'days', 'required');
    ELSIF d < 0 OR (wd IS NOT NULL AND d > 1) OR d > extract(day FROM payroll_month_end(m)) THEN
        PERFORM api_fail('LY422', 'days', 'out_of_range');
    ELSIF h IS NOT NULL AND (h < 0 OR (wd IS NOT NULL AND h > 24) OR h > 744) THEN
        PERFORM api_fail('LY422', 'hours', 'out_of_range');
    END IF;
    pl := payroll_roster_placement(r.id, (p ->> 'worker_id')::bigint, m);
    IF pl.id IS NULL THEN
        PERFORM api_fail('LY422', 'worker_id', 'not_on_roster');
    ELSIF wd IS NOT NULL AND (wd < pl.start_date OR wd > pl.ended_on) THEN
        PERFORM api_fail('LY422', 'work_date', 'not_on_roster');
    END IF;
    IF EXISTS (SELECT 1 FROM pay_sheet s WHERE s.project_id = r.id AND s.month = m AND s.status <> 'draft') THEN
        PERFORM api_fail('LY409', 'month', 'sheet_approved');
    END IF;
    -- a month is kept either day by day or as one total
    IF EXISTS (SELECT 1 FROM attendance x WHERE x.placement_id = pl.id AND x.month = m
                                          AND (x.work_date IS NULL) <> (wd IS NULL)) THEN
        PERFORM api_fail('LY409', 'work_date', 'day_or_month');
    END IF;
    IF wd IS NULL THEN
        UPDATE attendance x SET days = d, hours = h, note = coalesce(p ->> 'note', ''), source = p_source,
            recorded_by = actor, version = x.version + 1, updated_at = now()
        WHERE x.placement_id = pl.id AND x.month = m AND x.work_date IS NULL
        RETURNING * INTO a;
    ELSE
        UPDATE attendance x SET days = d, hours = h, note = coalesce(p ->> 'note', ''), source = p_source,
            recorded_by = actor, version = x.version + 1, updated_at = now()
        WHERE x.placement_id = pl.id AND x.work_date = wd
        RETURNING * INTO a;
    END IF;
    IF a.id IS NULL THEN
        INSERT INTO attendance (project_id, county_code, placement_id, worker_id, month, work_date, days, hours,
                                source, note, recorded_by)
        VALUES (r.id, r.county_code, pl.id, pl.worker_id, m, wd, d, h, p_source, coalesce(p ->> 'note', ''), actor)
        RETURNING * INTO a;
    END IF;
    RETURN a;
END $$;

CREATE FUNCTION attendance_json(a attendance) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', a.id, 'project_id', a.project_id, 'placement_id', a.placement_id,
                              'worker_id', a.worker_id, 'month', to_char(a.month, 'YYYY-MM'),
                              'work_date', a.work_date, 'days', a.days, 'hours', a.hours,
                              'source', a.source, 'note', a.note, 'recorded_by', a.recorded_by,
                              'version', a.version);
$$;

-- POST /v1/work-relief-projects/{id}/attendance {worker_id, month |
-- work_date, days, hours, note}: records (or replaces) one row.
CREATE FUNCTION api_attendance_record(p_project bigint, p jsonb, actor text,
                                      OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    a attendance := payroll_attendance_put(payroll_project(p_project), p, 'staff', actor);
BEGIN
    status := 200;
    version := a.version;
    body := attendance_json(a);
END $$;

-- POST /v1/work-relief-projects/{id}/attendance/import: rows as parsed
-- from the CSV, [{line, worker_id, month, work_date, days, hours, note}].
-- All or nothing: any bad row (with its line, field and reason) and
-- nothing is written (LY423, the faults in the detail).
CREATE FUNCTION api_attendance_import(p_project bigint, p_rows jsonb, actor text,
                                      OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    r work_relief_project := payroll_project(p_project);
    x jsonb;
    errs jsonb := '[]';
    n integer := 0;
BEGIN
    FOR x IN SELECT e FROM jsonb_array_elements(p_rows) e LOOP
        BEGIN
            PERFORM payroll_attendance_put(r, x - 'line', 'import', actor);
            n := n + 1;
        EXCEPTION WHEN SQLSTATE 'LY422' OR SQLSTATE 'LY409' OR SQLSTATE '22007' OR SQLSTATE '22008'
                       OR SQLSTATE '22P02' OR SQLSTATE '23505' THEN
            DECLARE
                f text;
                c text;
            BEGIN
                GET STACKED DIAGNOSTICS f = MESSAGE_TEXT, c = PG_EXCEPTION_DETAIL;
                IF SQLSTATE NOT IN ('LY422', 'LY409') THEN
                    f := '';
                    c := 'invalid_format';
                END IF;
                errs := errs || jsonb_build_object('line', (x ->> 'line')::integer, 'field', f, 'code', c);
            END;
        END;
    END LOOP;
    IF jsonb_array_length(errs) > 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'LY423', MESSAGE = 'rows', DETAIL = errs::text;
    END IF;
    status := 200;
    body := jsonb_build_object('recorded', n, 'errors', '[]'::jsonb);
END $$;

-- ---------- pay sheets ----------

CREATE FUNCTION pay_line_json(l pay_line, p_mask boolean) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', l.id, 'worker_id', CASE WHEN NOT p_mask THEN l.worker_id END,
        'placement_id', CASE WHEN NOT p_mask THEN l.placement_id END,
        'worker_name', CASE WHEN p_mask THEN allocation_mask_name(w.name) ELSE w.name END,
        'days', l.days, 'daily_rate', l.daily_rate, 'computed', l.computed,
        'adjustment', l.adjustment, 'adjust_reason', l.adjust_reason, 'amount', l.amount,
        'version', l.version)
    FROM (SELECT 1) one LEFT JOIN worker w ON w.id = l.worker_id;
$$;

CREATE FUNCTION pay_sheet_json(s pay_sheet, p_lines boolean) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', s.id, 'project_id', s.project_id, 'project_name', pr.name, 'county_code', s.county_code,
        'month', to_char(s.month, 'YYYY-MM'), 'status', s.status,
        'approved_by', s.approved_by, 'approved_at', s.approved_at,
        'notice_from', s.notice_from, 'notice_until', s.notice_until,
        'released_by', s.released_by, 'released_at', s.released_at,
        'workers', (SELECT count(*) FROM pay_line l WHERE l.sheet_id = s.id),
        'total', (SELECT coalesce(sum(l.amount), 0) FROM pay_line l WHERE l.sheet_id = s.id),
        'open_objections', (SELECT count(*) FROM pay_objection o WHERE o.sheet_id = s.id AND o.status = 'open'),
        'version', s.version, 'created_at', s.created_at, 'updated_at', s.updated_at)
        || CASE WHEN p_lines THEN jsonb_build_object(
               'lines', coalesce((SELECT jsonb_agg(pay_line_json(l, false) ORDER BY l.id)
                                  FROM pay_line l WHERE l.sheet_id = s.id), '[]'),
               'objections', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                          'id', o.id, 'pay_line_id', o.pay_line_id, 'reason', o.reason,
                                          'objector', o.objector, 'received_on', o.received_on,
                                          'status', o.status, 'resolution_note', o.resolution_note,
                                          'resolved_by', o.resolved_by) ORDER BY o.id)
                                       FROM pay_objection o WHERE o.sheet_id = s.id), '[]'))
           ELSE '{}' END
    FROM (SELECT 1) one LEFT JOIN work_relief_project pr ON pr.id = s.project_id;
$$;

-- The sheet, for a caller who may work on its project's payroll; locked
-- when p_lock.
CREATE FUNCTION pay_sheet_find(p_id bigint, p_lock boolean) RETURNS pay_sheet LANGUAGE plpgsql AS $$
DECLARE
    s pay_sheet;
BEGIN
    IF p_lock THEN
        SELECT * INTO s FROM pay_sheet x WHERE x.id = p_id FOR UPDATE;
    ELSE
        SELECT * INTO s FROM pay_sheet x WHERE x.id = p_id;
    END IF;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    RETURN s;
END $$;

-- (Re)computes the lines of draft sheet s from the attendance: one line per
-- worker on the roster with days recorded, days × the agreed daily rate;
-- adjustments already made are kept.
CREATE FUNCTION pay_sheet_compute(s pay_sheet) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM pay_line l WHERE l.sheet_id = s.id
      AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.placement_id = l.placement_id AND a.month = s.month);
    INSERT INTO pay_line (sheet_id, county_code, placement_id, worker_id, days, daily_rate, computed)
    SELECT s.id, s.county_code, p.id, p.worker_id, a.days, payroll_daily_rate(p.wage, v.wage_period),
           round(a.days * payroll_daily_rate(p.wage, v.wage_period), 2)
    FROM (SELECT x.placement_id, sum(x.days) AS days FROM attendance x
          WHERE x.project_id = s.project_id AND x.month = s.month GROUP BY x.placement_id) a
    JOIN placement p ON p.id = a.placement_id JOIN vacancy v ON v.id = p.vacancy_id
    ON CONFLICT (sheet_id, placement_id) DO UPDATE
        SET days = excluded.days, daily_rate = excluded.daily_rate, computed = excluded.computed,
            version = pay_line.version + 1, updated_at = now()
        WHERE (pay_line.days, pay_line.daily_rate, pay_line.computed)
              IS DISTINCT FROM (excluded.days, excluded.daily_rate, excluded.computed);
END $$;

-- POST /v1/work-relief-projects/{id}/pay-sheets {month}: the month's sheet
-- computed from the attendance (201); a draft of that month already there
-- is computed again (200).
CREATE FUNCTION api_pay_sheet_create(p_project bigint, p jsonb, actor text,
                                     OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    r work_relief_project := payroll_project(p_project);
    m date := payroll_month(p ->> 'month', 'month');
    s pay_sheet;
BEGIN
    SELECT * INTO s FROM pay_sheet x WHERE x.project_id = r.id AND x.month = m FOR UPDATE;
    IF FOUND AND s.status <> 'draft' THEN
        PERFORM api_fail('LY409', 'month', 'sheet_approved');
    END IF;
    status := CASE WHEN FOUND THEN 200 ELSE 201 END;
    IF NOT FOUND THEN
        INSERT INTO pay_sheet (project_id, county_code, month) VALUES (r.id, r.county_code, m) RETURNING * INTO s;
    END IF;
    PERFORM pay_sheet_compute(s);
    IF NOT EXISTS (SELECT 1 FROM pay_line l WHERE l.sheet_id = s.id) THEN
        PERFORM api_fail('LY422', 'month', 'no_attendance');
    END IF;
    version := s.version;
    body := pay_sheet_json(s, true);
END $$;

-- GET /v1/work-relief-projects/{id}/pay-sheets: the project's sheets, newest month first.
CREATE FUNCTION api_pay_sheet_list(p_project bigint, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    r work_relief_project := payroll_project(p_project);
BEGIN
    status := 200;
    body := jsonb_build_object('items', coalesce((SELECT jsonb_agg(pay_sheet_json(s, false) ORDER BY s.month DESC)
                                                  FROM pay_sheet s WHERE s.project_id = r.id), '[]'));
END $$;

CREATE FUNCTION api_pay_sheet_get(p_id bigint, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    s pay_sheet;
BEGIN
    SELECT * INTO s FROM pay_sheet x WHERE x.id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    status := 200;
    version := s.version;
    body := pay_sheet_json(s, true);
END $$;

-- PATCH /v1/pay-sheets/{id}/lines/{line} {adjustment, adjust_reason}: a
-- draft's line moved from attendance × rate, with the reason (required
-- unless the adjustment is 0; the amount may not go below 0).
CREATE FUNCTION api_pay_line_adjust(p_sheet bigint, p_line bigint, p jsonb, actor text,
                                    OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    s pay_sheet := pay_sheet_find(p_sheet, true);
    l pay_line;
    adj numeric := round((p ->> 'adjustment')::numeric, 2);
    why text := btrim(coalesce(p ->> 'adjust_reason', ''));
BEGIN
    SELECT * INTO l FROM pay_line x WHERE x.id = p_line AND x.sheet_id = s.id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF s.status <> 'draft' THEN
        PERFORM api_fail('LY409', 'status', 'sheet_approved');
    ELSIF adj IS NULL THEN
        PERFORM api_fail('LY422', 'adjustment', 'required');
    ELSIF l.computed + adj < 0 THEN
        PERFORM api_fail('LY422', 'adjustment', 'out_of_range');
    ELSIF adj <> 0 AND why = '' THEN
        PERFORM api_fail('LY422', 'adjust_reason', 'required');
    END IF;
    UPDATE pay_line x SET adjustment = adj, adjust_reason = CASE WHEN adj = 0 THEN '' ELSE why END,
        version = x.version + 1, updated_at = now()
    WHERE x.id = l.id RETURNING * INTO l;
    status := 200;
    version := l.version;
    body := pay_line_json(l, false);
END $$;

-- POST /v1/pay-sheets/{id}/approve: the project owner approves a draft and
-- posts it as a public notice from today for payroll_rules.notice_days.
CREATE FUNCTION api_pay_sheet_approve(p_id bigint, actor text,
                                      OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    s pay_sheet := pay_sheet_find(p_id, true);
BEGIN
    IF s.status <> 'draft' THEN
        PERFORM api_fail('LY409', 'status', 'illegal_transition');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pay_line l WHERE l.sheet_id = s.id) THEN
        PERFORM api_fail('LY422', 'month', 'no_attendance');
    END IF;
    UPDATE pay_sheet x SET status = 'notice', approved_by = actor, approved_at = now(),
        notice_from = placement_today(), notice_until = placement_today() + (payroll_rule()).notice_days,
        version = x.version + 1, updated_at = now()
    WHERE x.id = s.id RETURNING * INTO s;
    status := 200;
    version := s.version;
    body := pay_sheet_json(s, true);
END $$;

-- GET /v1/pay-sheets/{id}/notice: the public notice of an approved sheet,
-- names partly hidden (张*明), no ids.
CREATE FUNCTION api_pay_sheet_notice(p_id bigint, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    s pay_sheet;
BEGIN
    SELECT * INTO s FROM pay_sheet x WHERE x.id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    ELSIF s.status = 'draft' THEN
        PERFORM api_fail('LY409', 'status', 'not_approved');
    END IF;
    status := 200;
    body := jsonb_build_object(
        'project_name', (SELECT name FROM work_relief_project WHERE id = s.project_id),
        'county_name', (SELECT name FROM region WHERE code = s.county_code),
        'month', to_char(s.month, 'YYYY-MM'), 'notice_from', s.notice_from, 'notice_until', s.notice_until,
        'total', (SELECT coalesce(sum(l.amount), 0) FROM pay_line l WHERE l.sheet_id = s.id),
        'lines', coalesce((SELECT jsonb_agg(pay_line_json(l, true) - 'worker_id' - 'placement_id' - 'version'
                                            ORDER BY l.id)
                           FROM pay_line l WHERE l.sheet_id = s.id), '[]'));
END $$;

-- POST /v1/pay-sheets/{id}/objections {reason, objector, received_on,
-- pay_line_id}: an objection to a sheet under notice.
CREATE FUNCTION api_pay_objection_create(p_id bigint, p jsonb, actor text,
                                         OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    s pay_sheet := pay_sheet_find(p_id, true);
    o pay_objection;
    recv date := coalesce((p ->> 'received_on')::date, placement_today());
BEGIN
    IF s.status <> 'notice' THEN
        PERFORM api_fail('LY409', 'status', 'not_on_notice');
    ELSIF recv > placement_today() OR recv < s.notice_from THEN
        PERFORM api_fail('LY422', 'received_on', 'out_of_range');
    ELSIF p ->> 'pay_line_id' IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM pay_line l WHERE l.id = (p ->> 'pay_line_id')::bigint AND l.sheet_id = s.id) THEN
        PERFORM api_fail('LY422', 'pay_line_id', 'not_found');
    END IF;
    INSERT INTO pay_objection (sheet_id, county_code, pay_line_id, reason, objector, received_on)
    VALUES (s.id, s.county_code, (p ->> 'pay_line_id')::bigint, p ->> 'reason', coalesce(p ->> 'objector', ''), recv)
    RETURNING * INTO o;
    status := 201;
    body := pay_sheet_json(s, true);
END $$;

-- POST /v1/pay-sheets/{id}/objections/{oid}/resolve {decision, note}: an
-- upheld objection returns the sheet to draft (corrected, it is approved
-- and posted again); a dismissed one lets the notice run on.
CREATE FUNCTION api_pay_objection_resolve(p_id bigint, p_oid bigint, p jsonb, actor text,
                                          OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    s pay_sheet := pay_sheet_find(p_id, true);
    o pay_objection;
BEGIN
    SELECT * INTO o FROM pay_objection x WHERE x.id = p_oid AND x.sheet_id = s.id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    ELSIF o.status <> 'open' THEN
        PERFORM api_fail('LY409', 'decision', 'illegal_transition');
    END IF;
    UPDATE pay_objection x SET status = p ->> 'decision', resolution_note = coalesce(p ->> 'note', ''),
        resolved_by = actor, version = x.version + 1, updated_at = now()
    WHERE x.id = o.id;
    IF p ->> 'decision' = 'upheld' THEN
        UPDATE pay_sheet x SET status = 'draft', approved_by = '', approved_at = NULL, notice_from = NULL,
            notice_until = NULL, version = x.version + 1, updated_at = now()
        WHERE x.id = s.id RETURNING * INTO s;
        -- the other open objections of that notice are answered by the new one
        UPDATE pay_objection x SET status = 'upheld', resolution_note = 'sheet returned to draft',
            resolved_by = actor, version = x.version + 1, updated_at = now()
        WHERE x.sheet_id = s.id AND x.status = 'open';
    END IF;
    status := 200;
    version := s.version;
    body := pay_sheet_json(s, true);
END $$;

-- POST /v1/pay-sheets/{id}/release: once the notice has run its days with
-- no objection open, the sheet goes to payment.
CREATE FUNCTION api_pay_sheet_release(p_id bigint, actor text,
                                      OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    s pay_sheet := pay_sheet_find(p_id, true);
BEGIN
    IF s.status <> 'notice' THEN
        PERFORM api_fail('LY409', 'status', 'illegal_transition');
    ELSIF placement_today() < s.notice_until THEN
        PERFORM api_fail('LY409', 'notice_until', 'notice_running');
    ELSIF EXISTS (SELECT 1 FROM pay_objection o WHERE o.sheet_id = s.id AND o.status = 'open') THEN
        PERFORM api_fail('LY409', 'objections', 'open_objections');
    END IF;
    UPDATE pay_sheet x SET status = 'released', released_by = actor, released_at = now(),
        version = x.version + 1, updated_at = now()
    WHERE x.id = s.id RETURNING * INTO s;
    status := 200;
    version := s.version;
    body := pay_sheet_json(s, true);
END $$;

-- ---------- payments to the worker's own account ----------

CREATE FUNCTION wage_payment_json(x wage_payment) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', x.id, 'kind', x.kind, 'project_id', x.project_id, 'placement_id', x.placement_id,
        'worker_id', x.worker_id, 'worker_name', w.name, 'pay_line_id', x.pay_line_id,
        'month', to_char(x.month, 'YYYY-MM'), 'amount', x.amount,
        'account_masked', a.account_masked, 'holder_name', a.holder_name, 'bank', a.bank,
        'status', x.status, 'fail_reason', x.fail_reason, 'paid_on', x.paid_on,
        'resubmission_of', x.resubmission_of, 'source', x.source, 'recorded_by', x.recorded_by)
    FROM (SELECT 1) one LEFT JOIN worker w ON w.id = x.worker_id LEFT JOIN pay_account a ON a.id = x.account_id;
$$;

-- One payment as the bank reported it, p = {kind, placement_id, month,
-- amount, account_hash, account_enc, account_masked (the server encrypts
-- the number), holder_name, bank, result, fail_reason, paid_on}:
--   wage     the placement's line on the project's released sheet of that month;
--   subsidy  a public-welfare or ranger post with its terms; a ranger's
--            month must be assessed satisfactory first, and no post is paid
--            for a month assessed unsatisfactory.
-- A paid payment is one per post, month and kind; a try after a failed
-- one is its resubmission.
CREATE FUNCTION payroll_payment_put(p jsonb, p_source text, actor text) RETURNS wage_payment
LANGUAGE plpgsql AS $$
DECLARE
    pl placement;
    v vacancy;
    m date := payroll_month(p ->> 'month', 'month');
    k text := coalesce(p ->> 'kind', 'wage');
    line pay_line;
    t post_terms;
    ass post_assessment;
    acc bigint;
    prev bigint;
    paid date := (p ->> 'paid_on')::date;
    res text := coalesce(p ->> 'result', 'paid');
    x wage_payment;
BEGIN
    SELECT * INTO pl FROM placement y WHERE y.id = (p ->> 'placement_id')::bigint;
    IF NOT FOUND THEN
        PERFORM api_fail('LY422', 'placement_id', 'not_found');
    END IF;
    SELECT * INTO v FROM vacancy y WHERE y.id = pl.vacancy_id;
    IF k NOT IN ('wage', 'subsidy') THEN
        PERFORM api_fail('LY422', 'kind', 'unknown_value');
    ELSIF res NOT IN ('paid', 'failed') THEN
        PERFORM api_fail('LY422', 'result', 'unknown_value');
    ELSIF round((p ->> 'amount')::numeric, 2) IS NULL OR round((p ->> 'amount')::numeric, 2) <= 0 THEN
        PERFORM api_fail('LY422', 'amount', 'out_of_range');
    ELSIF paid IS NULL THEN
        PERFORM api_fail('LY422', 'paid_on', 'required');
    ELSIF paid < m OR paid > placement_today() THEN
        PERFORM api_fail('LY422', 'paid_on', 'out_of_range');
    ELSIF res = 'failed' AND btrim(coalesce(p ->> 'fail_reason', '')) = '' THEN
        PERFORM api_fail('LY422', 'fail_reason', 'required');
    ELSIF coalesce(p ->> 'holder_name', '') = '' THEN
        PERFORM api_fail('LY422', 'holder_name', 'required');
    END IF;
    IF k = 'wage' THEN
        SELECT l.* INTO line FROM pay_line l JOIN pay_sheet s ON s.id = l.sheet_id
        WHERE l.placement_id = pl.id AND s.month = m AND s.project_id = v.project_id;
        IF line.id IS NULL THEN
            PERFORM api_fail('LY422', 'month', 'not_on_sheet');
        ELSIF (SELECT s.status FROM pay_sheet s WHERE s.id = line.sheet_id) <> 'released' THEN
            PERFORM api_fail('LY409', 'month', 'not_released');
        END IF;
    ELSE
        SELECT * INTO t FROM post_terms y WHERE y.placement_id = pl.id;
        IF NOT FOUND OR v.kind NOT IN ('public_welfare', 'forest_ranger') THEN
            PERFORM api_fail('LY422', 'placement_id', 'no_post_terms');
        END IF;
        SELECT * INTO ass FROM post_assessment y WHERE y.placement_id = pl.id AND y.month = m;
        IF ass.id IS NOT NULL AND NOT ass.satisfactory THEN
            PERFORM api_fail('LY422', 'month', 'unsatisfactory');
        ELSIF ass.id IS NULL AND v.kind = 'forest_ranger' THEN
            PERFORM api_fail('LY422', 'month', 'not_assessed');
        END IF;
    END IF;
    IF EXISTS (SELECT 1 FROM wage_payment y WHERE y.placement_id = pl.id AND y.month = m AND y.kind = k
                                            AND y.status = 'paid') THEN
        PERFORM api_fail('LY409', 'month', 'already_paid');
    END IF;
    INSERT INTO pay_account (worker_id, account_hash, account_enc, account_masked, holder_name, bank)
    VALUES (pl.worker_id, decode(substr(p ->> 'account_hash', 3), 'hex'),
            decode(substr(p ->> 'account_enc', 3), 'hex'), p ->> 'account_masked',
            p ->> 'holder_name', coalesce(p ->> 'bank', ''))
    ON CONFLICT (worker_id, account_hash) DO UPDATE
        SET holder_name = excluded.holder_name,
            bank = CASE WHEN excluded.bank = '' THEN pay_account.bank ELSE excluded.bank END
    RETURNING id INTO acc;
    SELECT y.id INTO prev FROM wage_payment y
    WHERE y.placement_id = pl.id AND y.month = m AND y.kind = k AND y.status = 'failed'
    ORDER BY y.id DESC LIMIT 1;
    INSERT INTO wage_payment (kind, county_code, project_id, placement_id, worker_id, pay_line_id, month, amount,
                              account_id, status, fail_reason, paid_on, resubmission_of, source, recorded_by)
    VALUES (k, v.county_code, CASE WHEN k = 'wage' THEN v.project_id END, pl.id, pl.worker_id, line.id, m,
            round((p ->> 'amount')::numeric, 2), acc, res,
            CASE WHEN res = 'failed' THEN btrim(p ->> 'fail_reason') ELSE '' END, paid, prev, p_source, actor)
    RETURNING * INTO x;
    RETURN x;
END $$;

-- POST /v1/payments: one payment, as payroll_payment_put.
CREATE FUNCTION api_payment_record(p jsonb, actor text,
                                   OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    x wage_payment := payroll_payment_put(p, 'staff', actor);
BEGIN
    status := 201;
    version := x.version;
    body := wage_payment_json(x);
END $$;

-- POST /v1/payments/bank-returns: the bank's return file as parsed rows
-- [{line, …as payroll_payment_put}], all or nothing (LY423 with the faults).
CREATE FUNCTION api_payment_import(p_rows jsonb, actor text,
                                   OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    x jsonb;
    errs jsonb := '[]';
    paid integer := 0;
    failed integer := 0;
    w wage_payment;
BEGIN
    FOR x IN SELECT e FROM jsonb_array_elements(p_rows) e LOOP
        BEGIN
            w := payroll_payment_put(x - 'line', 'bank_return', actor);
            IF w.status = 'paid' THEN paid := paid + 1; ELSE failed := failed + 1; END IF;
        EXCEPTION WHEN SQLSTATE 'LY422' OR SQLSTATE 'LY409' OR SQLSTATE '22007' OR SQLSTATE '22008'
                       OR SQLSTATE '22P02' OR SQLSTATE '23505' OR SQLSTATE '23514' THEN
            DECLARE
                f text;
                c text;
            BEGIN
                GET STACKED DIAGNOSTICS f = MESSAGE_TEXT, c = PG_EXCEPTION_DETAIL;
                IF SQLSTATE NOT IN ('LY422', 'LY409') THEN
                    f := '';
                    c := 'invalid_format';
                END IF;
                errs := errs || jsonb_build_object('line', (x ->> 'line')::integer, 'field', f, 'code', c);
            END;
        END;
    END LOOP;
    IF jsonb_array_length(errs) > 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'LY423', MESSAGE = 'rows', DETAIL = errs::text;
    END IF;
    status := 200;
    body := jsonb_build_object('paid', paid, 'failed', failed, 'errors', '[]'::jsonb);
END $$;

-- GET /v1/work-relief-projects/{id}/payments: the lump sums recorded before
-- pay sheets existed (kind lump_sum) and the payments to workers, newest first.
CREATE FUNCTION api_project_payments(p_project bigint, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    r work_relief_project := payroll_project(p_project);
BEGIN
    status := 200;
    body := jsonb_build_object(
        'lump_sums', coalesce((SELECT jsonb_agg(jsonb_build_object('id', x.id, 'kind', 'lump_sum', 'amount', x.amount,
                                                                  'paid_on', x.paid_on, 'note', x.note)
                                                ORDER BY x.paid_on DESC, x.id DESC)
                               FROM remuneration_payment x WHERE x.project_id = r.id), '[]'),
        'items', coalesce((SELECT jsonb_agg(wage_payment_json(x) ORDER BY x.month DESC, x.id DESC)
                           FROM (SELECT * FROM wage_payment y WHERE y.project_id = r.id
                                 ORDER BY y.month DESC, y.id DESC LIMIT 2000) x), '[]'));
END $$;

-- ---------- the checks (三查) ----------

-- The labour-remuneration share of project r from what was actually paid
-- (paid wage payments and the lump sums of before) against its investment:
-- central funds at least payroll_rules.central_floor, other funds at least
-- other_floor; over_budget when more was paid than the project's
-- remuneration budget.
CREATE FUNCTION payroll_share(r work_relief_project) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'funding', r.funding, 'total_investment', r.total_investment,
        'paid_to_workers', s.wages, 'lump_sums', s.lumps, 'paid', s.wages + s.lumps,
        'share', round((s.wages + s.lumps) / r.total_investment, 4),
        'floor', f.floor, 'floor_amount', round(f.floor * r.total_investment, 2),
        'met', s.wages + s.lumps >= f.floor * r.total_investment,
        'remuneration_budget', r.remuneration_budget,
        'over_budget', s.wages + s.lumps > r.remuneration_budget)
    FROM (SELECT coalesce((SELECT sum(amount) FROM wage_payment WHERE project_id = r.id AND status = 'paid'), 0) AS wages,
                 coalesce((SELECT sum(amount) FROM remuneration_payment WHERE project_id = r.id), 0) AS lumps) s,
         (SELECT CASE WHEN r.funding = 'central' THEN (payroll_rule()).central_floor
                      ELSE (payroll_rule()).other_floor END AS floor) f;
$$;

-- GET /v1/work-relief-projects/{id}/checks[?late_days=N]: what staff act on.
--   amount_mismatch  a month paid differently from its attendance × the agreed rate
--   late             a released month paid more than late_days after its end, or
--                    not paid by then
--   holder_mismatch  paid into an account whose holder is not the worker, or
--                    one another worker was paid into too
--   double_paid      paid for days on which another project paid the same worker
--                    (the same day in both, or more days than the month has)
--   share            payroll_share
CREATE FUNCTION api_payroll_checks(p_project bigint, p_late_days integer,
                                   OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    r work_relief_project := payroll_project(p_project);
    late integer := coalesce(p_late_days, (payroll_rule()).late_days);
    saved text := leye_scope();
    dbl jsonb;
BEGIN
    IF late < 0 OR late > 365 THEN
        PERFORM api_fail('LY422', 'late_days', 'out_of_range');
    END IF;
    -- the other projects' payments are looked at whoever runs them
    PERFORM set_config('leye.scope', '*', true);
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'worker_id', x.worker_id, 'worker_name', w.name, 'month', to_char(x.month, 'YYYY-MM'),
               'payment_id', x.id, 'other_project_id', y.project_id,
               'other_project_name', op.name, 'other_payment_id', y.id,
               'days', ad.days, 'other_days', od.days, 'same_dates', sd.n) ORDER BY x.month, x.worker_id), '[]')
    INTO dbl
    FROM wage_payment x
    JOIN wage_payment y ON y.worker_id = x.worker_id AND y.month = x.month AND y.kind = 'wage'
                       AND y.status = 'paid' AND y.project_id <> x.project_id
    JOIN work_relief_project op ON op.id = y.project_id
    LEFT JOIN worker w ON w.id = x.worker_id
    CROSS JOIN LATERAL (SELECT coalesce(sum(a.days), 0) AS days FROM attendance a
                        WHERE a.placement_id = x.placement_id AND a.month = x.month) ad
    CROSS JOIN LATERAL (SELECT coalesce(sum(a.days), 0) AS days FROM attendance a
                        WHERE a.placement_id = y.placement_id AND a.month = y.month) od
    CROSS JOIN LATERAL (SELECT count(*) AS n FROM attendance a JOIN attendance b
                          ON b.placement_id = y.placement_id AND b.work_date = a.work_date
                        WHERE a.placement_id = x.placement_id AND a.month = x.month
                          AND a.days > 0 AND b.days > 0) sd
    WHERE x.project_id = r.id AND x.kind = 'wage' AND x.status = 'paid'
      AND (sd.n > 0 OR ad.days + od.days > extract(day FROM payroll_month_end(x.month)));
    PERFORM set_config('leye.scope', saved, true);
    status := 200;
    body := jsonb_build_object(
        'project_id', r.id, 'late_days', late,
        'amount_mismatch', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'worker_id', l.worker_id, 'worker_name', w.name, 'month', to_char(s.month, 'YYYY-MM'),
                       'pay_line_id', l.id, 'days', att.days, 'daily_rate', l.daily_rate,
                       'expected', round(att.days * l.daily_rate, 2), 'paid', pd.paid,
                       'difference', pd.paid - round(att.days * l.daily_rate, 2),
                       'adjust_reason', l.adjust_reason) ORDER BY s.month, l.id)
            FROM pay_sheet s JOIN pay_line l ON l.sheet_id = s.id
            LEFT JOIN worker w ON w.id = l.worker_id
            CROSS JOIN LATERAL (SELECT coalesce(sum(a.days), 0) AS days FROM attendance a
                                WHERE a.placement_id = l.placement_id AND a.month = s.month) att
            CROSS JOIN LATERAL (SELECT sum(x.amount) AS paid FROM wage_payment x
                                WHERE x.pay_line_id = l.id AND x.status = 'paid') pd
            WHERE s.project_id = r.id AND pd.paid IS NOT NULL
              AND pd.paid <> round(att.days * l.daily_rate, 2)), '[]'),
        'late', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'worker_id', l.worker_id, 'worker_name', w.name, 'month', to_char(s.month, 'YYYY-MM'),
                       'pay_line_id', l.id, 'due_by', payroll_month_end(s.month) + late, 'paid_on', pd.paid_on,
                       'days_late', coalesce(pd.paid_on, placement_today()) - (payroll_month_end(s.month) + late))
                   ORDER BY s.month, l.id)
            FROM pay_sheet s JOIN pay_line l ON l.sheet_id = s.id
            LEFT JOIN worker w ON w.id = l.worker_id
            CROSS JOIN LATERAL (SELECT max(x.paid_on) AS paid_on FROM wage_payment x
                                WHERE x.pay_line_id = l.id AND x.status = 'paid') pd
            WHERE s.project_id = r.id AND s.status = 'released' AND l.amount > 0
              AND coalesce(pd.paid_on, placement_today()) > payroll_month_end(s.month) + late), '[]'),
        'holder_mismatch', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'worker_id', x.worker_id, 'worker_name', w.name, 'month', to_char(x.month, 'YYYY-MM'),
                       'payment_id', x.id, 'account_masked', a.account_masked, 'holder_name', a.holder_name,
                       'reason', CASE WHEN a.holder_name <> w.name THEN 'holder_not_worker'
                                      ELSE 'account_shared' END) ORDER BY x.month, x.id)
            FROM wage_payment x JOIN pay_account a ON a.id = x.account_id
            LEFT JOIN worker w ON w.id = x.worker_id
            WHERE x.project_id = r.id AND x.status = 'paid'
              AND (a.holder_name IS DISTINCT FROM w.name
                   OR EXISTS (SELECT 1 FROM pay_account b WHERE b.account_hash = a.account_hash
                                                            AND b.worker_id <> a.worker_id))), '[]'),
        'double_paid', dbl,
        'share', payroll_share(r));
END $$;

-- ---------- spot checks ----------

CREATE FUNCTION pay_spot_check_json(c pay_spot_check) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', c.id, 'county_code', c.county_code, 'month', to_char(c.month, 'YYYY-MM'), 'seed', c.seed,
        'size', c.size, 'created_by', c.created_by, 'created_at', c.created_at,
        'lines', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                 'pay_line_id', k.pay_line_id, 'project_id', s.project_id,
                                 'project_name', pr.name, 'worker_id', l.worker_id, 'worker_name', w.name,
                                 'days', l.days, 'amount', l.amount,
                                 'paid', (SELECT sum(x.amount) FROM wage_payment x
                                          WHERE x.pay_line_id = l.id AND x.status = 'paid'),
                                 'result', k.result, 'note', k.note, 'inspected_by', k.inspected_by,
                                 'inspected_at', k.inspected_at) ORDER BY k.id)
                           FROM pay_spot_check_line k JOIN pay_line l ON l.id = k.pay_line_id
                           JOIN pay_sheet s ON s.id = l.sheet_id
                           LEFT JOIN work_relief_project pr ON pr.id = s.project_id
                           LEFT JOIN worker w ON w.id = l.worker_id
                           WHERE k.check_id = c.id), '[]'));
$$;

-- POST /v1/payroll-spot-checks {county_code, month, size, seed}: a sample of
-- size pay lines of the county's released sheets of that month, the same
-- for the same seed (default: county and month): the lines in the order of
-- md5(seed || ':' || line id).
CREATE FUNCTION api_spot_check_create(p jsonb, actor text,
                                      OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    c region := api_require_county('county_code', (p ->> 'county_code')::integer);
    m date := payroll_month(p ->> 'month', 'month');
    sd text := coalesce(nullif(p ->> 'seed', ''), c.code || ':' || to_char(m, 'YYYY-MM'));
    k pay_spot_check;
BEGIN
    IF NOT payroll_scope_ok(c.code) THEN
        PERFORM api_fail('LY422', 'county_code', 'outside_scope');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pay_sheet s WHERE s.county_code = c.code AND s.month = m AND s.status = 'released') THEN
        PERFORM api_fail('LY422', 'month', 'nothing_released');
    END IF;
    INSERT INTO pay_spot_check (county_code, month, seed, size, created_by)
    VALUES (c.code, m, sd, coalesce((p ->> 'size')::integer, 10), actor) RETURNING * INTO k;
    INSERT INTO pay_spot_check_line (check_id, county_code, pay_line_id)
    SELECT k.id, c.code, l.id FROM pay_line l JOIN pay_sheet s ON s.id = l.sheet_id
    WHERE s.county_code = c.code AND s.month = m AND s.status = 'released'
    ORDER BY md5(sd || ':' || l.id), l.id LIMIT k.size;
    status := 201;
    version := k.version;
    body := pay_spot_check_json(k);
END $$;

CREATE FUNCTION api_spot_check_get(p_id bigint, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    k pay_spot_check;
BEGIN
    SELECT * INTO k FROM pay_spot_check x WHERE x.id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    status := 200;
    version := k.version;
    body := pay_spot_check_json(k);
END $$;

-- POST /v1/payroll-spot-checks/{id}/results {pay_line_id, result, note}:
-- the inspector's finding on one sampled line.
CREATE FUNCTION api_spot_check_result(p_id bigint, p jsonb, actor text,
                                      OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    k pay_spot_check;
BEGIN
    SELECT * INTO k FROM pay_spot_check x WHERE x.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    UPDATE pay_spot_check_line x SET result = p ->> 'result', note = coalesce(p ->> 'note', ''),
        inspected_by = actor, inspected_at = now(), version = x.version + 1, updated_at = now()
    WHERE x.check_id = k.id AND x.pay_line_id = (p ->> 'pay_line_id')::bigint;
    IF NOT FOUND THEN
        PERFORM api_fail('LY422', 'pay_line_id', 'not_in_sample');
    END IF;
    status := 200;
    version := k.version;
    body := pay_spot_check_json(k);
END $$;

-- ---------- public-welfare and ranger posts ----------

-- Great-circle distance in km.
CREATE FUNCTION post_km(lat1 double precision, lon1 double precision, lat2 double precision,
                        lon2 double precision) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
    SELECT round((2 * 6371 * asin(sqrt(power(sin(radians(lat2 - lat1) / 2), 2)
                  + cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lon2 - lon1) / 2), 2))))::numeric, 1);
$$;

-- Unsatisfactory months in a row, counted back from the latest assessed
-- month of placement p_id (a month not assessed breaks the run).
CREATE FUNCTION post_unsatisfactory_run(p_id bigint) RETURNS integer LANGUAGE plpgsql STABLE AS $$
DECLARE
    a record;
    n integer := 0;
    expect date;
BEGIN
    FOR a IN SELECT x.month, x.satisfactory FROM post_assessment x
             WHERE x.placement_id = p_id ORDER BY x.month DESC LOOP
        EXIT WHEN a.satisfactory OR (expect IS NOT NULL AND a.month <> expect);
        n := n + 1;
        expect := (a.month - interval '1 month')::date;
    END LOOP;
    RETURN n;
END $$;

CREATE FUNCTION post_json(p placement) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'placement_id', p.id, 'worker_id', p.worker_id, 'worker_name', w.name,
        'vacancy_id', v.id, 'vacancy_title', v.title, 'kind', v.kind, 'county_code', v.county_code,
        'start_date', p.start_date, 'active', p.ended_on IS NULL, 'ended_on', p.ended_on,
        'end_reason', p.end_reason,
        'duties', t.duties, 'duty_area', t.duty_area, 'duty_lat', t.duty_lat, 'duty_lon', t.duty_lon,
        'funding_source', t.funding_source, 'monthly_subsidy', t.monthly_subsidy,
        'managing_unit', t.managing_unit,
        'site_id', s.id, 'site_name', s.name,
        'distance_km', CASE WHEN t.duty_lat IS NOT NULL AND s.id IS NOT NULL
                            THEN post_km(s.lat, s.lon, t.duty_lat, t.duty_lon) END,
        'unsatisfactory_run', run.n,
        'end_proposed', p.ended_on IS NULL AND run.n >= (payroll_rule()).unsatisfactory_run,
        'assessments', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                           'month', to_char(a.month, 'YYYY-MM'), 'satisfactory', a.satisfactory,
                                           'note', a.note, 'assessed_by', a.assessed_by) ORDER BY a.month DESC)
                                 FROM (SELECT * FROM post_assessment x WHERE x.placement_id = p.id
                                       ORDER BY x.month DESC LIMIT 12) a), '[]'),
        'version', coalesce(t.version, 0))
    FROM (SELECT 1) one
    LEFT JOIN worker w ON w.id = p.worker_id
    LEFT JOIN household h ON h.id = w.household_id
    LEFT JOIN site s ON s.id = h.site_id
    LEFT JOIN vacancy v ON v.id = p.vacancy_id
    LEFT JOIN post_terms t ON t.placement_id = p.id
    CROSS JOIN LATERAL (SELECT post_unsatisfactory_run(p.id) AS n) run;
$$;

-- A placement in a public-welfare or ranger post, for a caller who sees it
-- and may write in its county.
CREATE FUNCTION post_placement(p_id bigint, p_lock boolean) RETURNS placement LANGUAGE plpgsql AS $$
DECLARE
    pl placement;
    k text;
    c integer;
BEGIN
    IF p_lock THEN
        SELECT * INTO pl FROM placement x WHERE x.id = p_id FOR UPDATE;
    ELSE
        SELECT * INTO pl FROM placement x WHERE x.id = p_id;
    END IF;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    SELECT v.kind, v.county_code INTO k, c FROM vacancy v WHERE v.id = pl.vacancy_id;
    IF NOT payroll_scope_ok(c) THEN
        PERFORM api_fail('LY404', '', 'not_found');
    ELSIF k NOT IN ('public_welfare', 'forest_ranger') THEN
        PERFORM api_fail('LY422', 'placement_id', 'not_a_post');
    END IF;
    RETURN pl;
END $$;

CREATE FUNCTION api_post_get(p_id bigint, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    pl placement := post_placement(p_id, false);
BEGIN
    status := 200;
    body := post_json(pl);
    version := (body ->> 'version')::integer;
END $$;

-- PUT /v1/placements/{id}/post {duties, duty_area, duty_lat, duty_lon,
-- funding_source, monthly_subsidy, managing_unit}: the post's terms.
CREATE FUNCTION api_post_terms_put(p_id bigint, p jsonb, actor text,
                                   OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    pl placement := post_placement(p_id, true);
    c integer := (SELECT v.county_code FROM vacancy v WHERE v.id = pl.vacancy_id);
BEGIN
    IF (p ->> 'duty_lat' IS NULL) <> (p ->> 'duty_lon' IS NULL) THEN
        PERFORM api_fail('LY422', CASE WHEN p ->> 'duty_lat' IS NULL THEN 'duty_lat' ELSE 'duty_lon' END, 'required');
    END IF;
    INSERT INTO post_terms AS t (placement_id, county_code, duties, duty_area, duty_lat, duty_lon, funding_source,
                                 monthly_subsidy, managing_unit)
    VALUES (pl.id, c, coalesce(p ->> 'duties', ''), coalesce(p ->> 'duty_area', ''),
            (p ->> 'duty_lat')::double precision, (p ->> 'duty_lon')::double precision,
            p ->> 'funding_source', round((p ->> 'monthly_subsidy')::numeric, 2), coalesce(p ->> 'managing_unit', ''))
    ON CONFLICT (placement_id) DO UPDATE SET
        duties = excluded.duties, duty_area = excluded.duty_area, duty_lat = excluded.duty_lat,
        duty_lon = excluded.duty_lon, funding_source = excluded.funding_source,
        monthly_subsidy = excluded.monthly_subsidy, managing_unit = excluded.managing_unit,
        version = t.version + 1, updated_at = now();
    status := 200;
    body := post_json(pl);
    version := (body ->> 'version')::integer;
END $$;

-- POST /v1/placements/{id}/assessments {month, satisfactory, note}: the
-- managing unit's assessment of a month already begun, once per month
-- (201).  The answer is the post, with the run of unsatisfactory months and
-- whether ending it is proposed.
CREATE FUNCTION api_post_assess(p_id bigint, p jsonb, actor text,
                                OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    pl placement := post_placement(p_id, true);
    m date := payroll_month(p ->> 'month', 'month');
BEGIN
    IF pl.ended_on IS NOT NULL AND m > pl.ended_on THEN
        PERFORM api_fail('LY422', 'month', 'out_of_range');
    ELSIF m < date_trunc('month', pl.start_date) THEN
        PERFORM api_fail('LY422', 'month', 'out_of_range');
    ELSIF EXISTS (SELECT 1 FROM post_assessment x WHERE x.placement_id = pl.id AND x.month = m) THEN
        PERFORM api_fail('LY409', 'month', 'duplicate');
    END IF;
    INSERT INTO post_assessment (placement_id, county_code, month, satisfactory, note, assessed_by)
    VALUES (pl.id, (SELECT v.county_code FROM vacancy v WHERE v.id = pl.vacancy_id), m,
            (p ->> 'satisfactory')::boolean, coalesce(p ->> 'note', ''), actor);
    status := 201;
    body := post_json(pl);
    version := (body ->> 'version')::integer;
END $$;

-- POST /v1/placements/{id}/post/end {ended_on, note}: ends a post whose
-- unsatisfactory run has reached payroll_rules.unsatisfactory_run, as a job
-- loss (placement_close: the worker seeking again, the place given back,
-- the household's early-warning visit when owed).
CREATE FUNCTION api_post_end(p_id bigint, p jsonb, actor text,
                             OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    pl placement := post_placement(p_id, false);
    ended date := coalesce((p ->> 'ended_on')::date, greatest(placement_today(), pl.start_date));
    run integer := post_unsatisfactory_run(pl.id);
    t early_warning_task;
BEGIN
    IF pl.ended_on IS NOT NULL THEN
        PERFORM api_fail('LY409', 'ended_on', 'illegal_transition');
    ELSIF run < (payroll_rule()).unsatisfactory_run THEN
        PERFORM api_fail('LY409', 'placement_id', 'not_proposed');
    ELSIF ended < pl.start_date OR ended > placement_today() THEN
        PERFORM api_fail('LY422', 'ended_on', 'out_of_range');
    END IF;
    t := placement_close(pl.id, ended, 'dismissed',
                         left(run || ' unsatisfactory monthly assessments in a row'
                              || coalesce(': ' || nullif(p ->> 'note', ''), ''), 1000));
    SELECT * INTO pl FROM placement x WHERE x.id = pl.id;
    status := 200;
    body := post_json(pl) || jsonb_build_object(
        'early_warning_task', CASE WHEN t.id IS NULL THEN NULL ELSE warning_task_json(t) END);
END $$;

-- GET /v1/posts: holders of public-welfare and ranger posts (active unless
-- active=false), filters county_code, kind, funding_source, end_proposed,
-- far_from_site (duty area more than payroll_rules.far_km from the
-- holder's site: the rangers to reassign after a move).  Cursor {"id"}.
CREATE FUNCTION api_post_list(f jsonb, cur jsonb, lim integer, sort text,
                              OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rule payroll_rules := payroll_rule();
    ids bigint[];
BEGIN
    -- the filters on the raw figures; post_json only for the page
    SELECT array_agg(x.id ORDER BY x.id) INTO ids
    FROM (SELECT p.id
          FROM placement p JOIN vacancy v ON v.id = p.vacancy_id
          LEFT JOIN post_terms t ON t.placement_id = p.id
          LEFT JOIN worker w ON w.id = p.worker_id
          LEFT JOIN household h ON h.id = w.household_id
          LEFT JOIN site s ON s.id = h.site_id
          WHERE v.kind IN ('public_welfare', 'forest_ranger') AND payroll_scope_ok(v.county_code)
            AND (p.ended_on IS NULL) = coalesce((f ->> 'active')::boolean, true)
            AND (f ->> 'county_code' IS NULL OR v.county_code = (f ->> 'county_code')::integer)
            AND (f ->> 'kind' IS NULL OR v.kind = f ->> 'kind')
            AND (f ->> 'funding_source' IS NULL OR t.funding_source = f ->> 'funding_source')
            AND (f ->> 'far_from_site' IS NULL
                 OR coalesce(post_km(s.lat, s.lon, t.duty_lat, t.duty_lon) > rule.far_km, false)
                    = (f ->> 'far_from_site')::boolean)
            AND (f ->> 'end_proposed' IS NULL
                 OR (p.ended_on IS NULL AND post_unsatisfactory_run(p.id) >= rule.unsatisfactory_run)
                    = (f ->> 'end_proposed')::boolean)
            AND (cur IS NULL OR p.id > (cur ->> 'id')::bigint)
          ORDER BY p.id LIMIT n + 1) x;
    ids := coalesce(ids, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(post_json(p) ORDER BY p.id) FROM placement p
                           WHERE p.id = ANY (ids[1:n])), '[]'),
        'far_km', rule.far_km,
        'next_cursor', CASE WHEN cardinality(ids) > n THEN jsonb_build_object('id', ids[n]) END);
END $$;

-- GET /v1/post-subsidy-roll?month=YYYY-MM[&county_code=]: per funding
-- source, the posts held that month, their assessments, what is payable (a
-- ranger's month once assessed satisfactory, a public-welfare post's unless
-- assessed unsatisfactory) and what was paid.
CREATE FUNCTION api_post_subsidy_roll(p_month text, p_county integer,
                                      OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    m date := payroll_month(p_month, 'month');
BEGIN
    status := 200;
    body := jsonb_build_object(
        'month', to_char(m, 'YYYY-MM'), 'county_code', p_county,
        'sources', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'funding_source', x.funding_source, 'posts', x.posts,
                       'assessed', x.assessed, 'satisfactory', x.satisfactory,
                       'payable_posts', x.payable_posts, 'payable', x.payable,
                       'paid_posts', x.paid_posts, 'paid', x.paid) ORDER BY x.funding_source)
            FROM (SELECT t.funding_source, count(*) AS posts, count(a.id) AS assessed,
                         count(*) FILTER (WHERE a.satisfactory) AS satisfactory,
                         count(*) FILTER (WHERE y.payable) AS payable_posts,
                         coalesce(sum(t.monthly_subsidy) FILTER (WHERE y.payable), 0) AS payable,
                         count(pd.amount) AS paid_posts, coalesce(sum(pd.amount), 0) AS paid
                  FROM post_terms t JOIN placement p ON p.id = t.placement_id
                  JOIN vacancy v ON v.id = p.vacancy_id
                  LEFT JOIN post_assessment a ON a.placement_id = p.id AND a.month = m
                  LEFT JOIN LATERAL (SELECT sum(w.amount) AS amount FROM wage_payment w
                                     WHERE w.placement_id = p.id AND w.month = m AND w.kind = 'subsidy'
                                       AND w.status = 'paid') pd ON true
                  CROSS JOIN LATERAL (SELECT CASE WHEN v.kind = 'forest_ranger' THEN coalesce(a.satisfactory, false)
                                                  ELSE coalesce(a.satisfactory, true) END AS payable) y
                  WHERE p.start_date <= payroll_month_end(m) AND (p.ended_on IS NULL OR p.ended_on >= m)
                    AND (p_county IS NULL OR t.county_code = p_county)
                  GROUP BY t.funding_source) x), '[]'));
END $$;
