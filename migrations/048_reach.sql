-- 048_reach: work-relief payments capped by the project's remuneration
-- budget, and webhook signing secrets kept encrypted.
--
-- The cap.  A project's remuneration_budget is the money it has for labour
-- remuneration.  What it has paid (the lump sums of before and the paid wage
-- payments) may never exceed it, and a pay sheet is released only when the
-- money already paid, the unpaid rest of the sheets released before and the
-- new sheet together fit in it.  Both are checked in triggers, so every path
-- (one payment, a bank return file, a lump sum, a release) is held to them, with the
-- project's row locked so that two concurrent payments cannot both fit.
-- Refusals raise SQLSTATE LYB09 with the field in MESSAGE and the amounts as
-- JSON in DETAIL ({budget, paid, owed, amount, over}); the server words them
-- (lib/problem.c, problem_budget_new).

-- The project's remuneration already paid and still owed on released sheets,
-- without wage payment p_skip (the row being changed).
CREATE FUNCTION payroll_committed(p_project bigint, p_skip bigint, OUT paid numeric, OUT owed numeric)
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT sum(amount) FROM remuneration_payment WHERE project_id = p_project), 0)
           + coalesce((SELECT sum(amount) FROM wage_payment
                       WHERE project_id = p_project AND status = 'paid' AND id IS DISTINCT FROM p_skip), 0),
           coalesce((SELECT sum(greatest(l.amount - coalesce((SELECT sum(x.amount) FROM wage_payment x
                                                              WHERE x.pay_line_id = l.id AND x.status = 'paid'
                                                                AND x.id IS DISTINCT FROM p_skip), 0), 0))
                     FROM pay_line l JOIN pay_sheet s ON s.id = l.sheet_id
                     WHERE s.project_id = p_project AND s.status = 'released'), 0);
$$;

CREATE FUNCTION payroll_over_budget(p_field text, p_budget numeric, p_paid numeric, p_owed numeric,
                                    p_amount numeric) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'LYB09', MESSAGE = p_field,
        DETAIL = jsonb_build_object('budget', p_budget, 'paid', p_paid, 'owed', p_owed, 'amount', p_amount,
                                    'over', p_paid + p_owed + p_amount - p_budget)::text;
END $$;

-- A paid wage payment fits in what the budget has left after the payments
-- before it.
CREATE FUNCTION wage_payment_cap() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    budget numeric;
    c record;
BEGIN
    SELECT p.remuneration_budget INTO budget FROM work_relief_project p WHERE p.id = NEW.project_id FOR UPDATE;
    c := payroll_committed(NEW.project_id, CASE WHEN TG_OP = 'UPDATE' THEN NEW.id END);
    IF c.paid + NEW.amount > budget THEN
        PERFORM payroll_over_budget('amount', budget, c.paid, 0, NEW.amount);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER wage_payment_cap BEFORE INSERT OR UPDATE OF status, amount ON wage_payment
    FOR EACH ROW WHEN (NEW.status = 'paid' AND NEW.kind = 'wage') EXECUTE FUNCTION wage_payment_cap();

-- A lump sum recorded the way of before is a payment like the others.
CREATE FUNCTION remuneration_payment_cap() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    budget numeric;
    c record;
BEGIN
    SELECT p.remuneration_budget INTO budget FROM work_relief_project p WHERE p.id = NEW.project_id FOR UPDATE;
    c := payroll_committed(NEW.project_id, NULL);
    IF c.paid + NEW.amount > budget THEN
        PERFORM payroll_over_budget('amount', budget, c.paid, 0, NEW.amount);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER remuneration_payment_cap BEFORE INSERT ON remuneration_payment
    FOR EACH ROW EXECUTE FUNCTION remuneration_payment_cap();

-- A sheet is released only when it fits beside what is paid and owed.
CREATE FUNCTION pay_sheet_cap() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    budget numeric;
    c record;
    total numeric := coalesce((SELECT sum(l.amount) FROM pay_line l WHERE l.sheet_id = NEW.id), 0);
BEGIN
    SELECT p.remuneration_budget INTO budget FROM work_relief_project p WHERE p.id = NEW.project_id FOR UPDATE;
    c := payroll_committed(NEW.project_id, NULL);
    IF c.paid + c.owed + total > budget THEN
        PERFORM payroll_over_budget('status', budget, c.paid, c.owed, total);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER pay_sheet_cap BEFORE UPDATE OF status ON pay_sheet
    FOR EACH ROW WHEN (NEW.status = 'released' AND OLD.status <> 'released') EXECUTE FUNCTION pay_sheet_cap();

-- POST /v1/payments/bank-returns as in 040, with a row over the budget
-- reported like any other bad row (field amount, code over_budget).
CREATE OR REPLACE FUNCTION api_payment_import(p_rows jsonb, actor text,
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
        EXCEPTION WHEN SQLSTATE 'LY422' OR SQLSTATE 'LY409' OR SQLSTATE 'LYB09' OR SQLSTATE '22007'
                       OR SQLSTATE '22008' OR SQLSTATE '22P02' OR SQLSTATE '23505' OR SQLSTATE '23514' THEN
            DECLARE
                f text;
                c text;
            BEGIN
                GET STACKED DIAGNOSTICS f = MESSAGE_TEXT, c = PG_EXCEPTION_DETAIL;
                IF SQLSTATE = 'LYB09' THEN
                    c := 'over_budget';
                ELSIF SQLSTATE NOT IN ('LY422', 'LY409') THEN
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
