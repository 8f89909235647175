-- 031_privacy_masks: ID numbers masked to their region and check character,
-- and no birth date in worker answers.
--
-- The mask showed the last four characters (530622********2204); beside a
-- birth date, or even an age and sex, that left tens of candidates for the
-- full number.  It now shows the region and the check character only
-- (530622***********4), and answers carry the age instead of the birth date,
-- which leaves over 10,000 candidates (the arithmetic: docs/privacy.md).
-- The birth date is read, with the full number, through the audited reveal.
-- Both statements can run again without harm.

UPDATE worker
SET id_number_masked = CASE WHEN id_number_masked ~ '^[0-9]{6}.{11}[0-9Xx*]$'
                            THEN left(id_number_masked, 6) || repeat('*', 11)
                                 || upper(right(id_number_masked, 1))
                            ELSE repeat('*', 18) END
WHERE id_number_masked !~ '^[0-9]{6}\*{11}[0-9X*]$';

-- The answer for a worker in lists, from the row, its household, site and
-- county name: the age, not the birth date.  The phone is only ever answered
-- masked (the full number, ID number and birth date: POST
-- /v1/workers/{id}/reveal).
CREATE OR REPLACE FUNCTION worker_json_of(w worker, h household, s site, county_name text)
RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', w.id, 'household_id', w.household_id, 'site_id', h.site_id, 'site_name', s.name,
        'county_code', s.county_code, 'county_name', county_name,
        'name', w.name, 'id_number_masked', w.id_number_masked, 'sex', w.sex,
        'age', extract(year FROM age(placement_today(), w.birth_date))::integer,
        'phone_masked', employer_phone_mask(w.phone),
        'education', w.education, 'mandarin_level', w.mandarin_level,
        'languages', to_jsonb(w.languages), 'employment_status', w.employment_status,
        'max_commute_km', w.max_commute_km, 'willing_outside_county', w.willing_outside_county,
        'willing_outside_province', w.willing_outside_province,
        'needs_accommodation', w.needs_accommodation, 'wage_floor', w.wage_floor,
        'job_kinds_wanted', to_jsonb(w.job_kinds_wanted), 'available_from', w.available_from,
        'disability', w.disability,
        'consent_employers', w.consent_employers, 'consent_brokers', w.consent_brokers,
        'skills', worker_skills_json(w.id),
        'archived', w.archived, 'version', w.version,
        'created_at', w.created_at, 'updated_at', w.updated_at);
$$;
