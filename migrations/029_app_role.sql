-- 029_app_role: the role the server works as.
--
-- The schema's owner runs the migrations; the server connects as leye_app
-- (created by whoever administers the cluster: server/pglocal.sh does it for
-- make run and make test, docs/deploy.md says how elsewhere).  leye_app reads
-- and writes the records, and may only add to the audit log: no UPDATE,
-- DELETE or TRUNCATE of it, whatever a query tries.  Row-level security
-- applies to it as to every caller.  Without the role this migration grants
-- nothing and the server keeps working as the owner.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'leye_app') THEN
        RAISE NOTICE 'role leye_app does not exist: the server will work as the schema owner';
        RETURN;
    END IF;
    EXECUTE 'GRANT USAGE ON SCHEMA public TO leye_app';
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO leye_app';
    EXECUTE 'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO leye_app';
    EXECUTE 'REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM leye_app';
    EXECUTE 'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM leye_app';
    -- tables and sequences of later migrations
    EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO leye_app';
    EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO leye_app';
END $$;
