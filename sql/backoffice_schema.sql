-- The back office's own data, in its own schema. Idempotent: `flask init-db` runs it every time.
-- Timestamps here are timestamptz (stored in UTC), unlike the application's tables.

CREATE SCHEMA IF NOT EXISTS backoffice;

CREATE TABLE IF NOT EXISTS backoffice.panel_user (
    id serial PRIMARY KEY,
    username varchar(60) NOT NULL UNIQUE,
    full_name varchar(100),
    password_hash varchar(255) NOT NULL,
    role varchar(40) NOT NULL,
    active boolean NOT NULL DEFAULT true,
    session_version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz
);

-- One record per thing done through the panel (logins, changes, exports). Written in the same
-- transaction as what it records.
CREATE TABLE IF NOT EXISTS backoffice.audit_log (
    id bigserial PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    actor varchar(60),
    actor_role varchar(40),
    source_ip varchar(45),
    user_agent varchar(300),
    action varchar(40) NOT NULL,
    view varchar(80),
    table_name varchar(80),
    record_key varchar(200),
    before jsonb,
    after jsonb,
    detail jsonb
);
CREATE INDEX IF NOT EXISTS audit_log_time_idx ON backoffice.audit_log (occurred_at);
CREATE INDEX IF NOT EXISTS audit_log_actor_idx ON backoffice.audit_log (actor, occurred_at);
CREATE INDEX IF NOT EXISTS audit_log_record_idx ON backoffice.audit_log (table_name, record_key);
CREATE INDEX IF NOT EXISTS audit_log_login_idx ON backoffice.audit_log (action, source_ip, occurred_at);

-- Tamper evidence: each record carries a hash over its content and the previous record's hash.
ALTER TABLE backoffice.audit_log ADD COLUMN IF NOT EXISTS prev_hash char(64);
ALTER TABLE backoffice.audit_log ADD COLUMN IF NOT EXISTS hash char(64);

-- The text a record's hash covers. jsonb's text form is canonical (keys sorted, one spacing).
CREATE OR REPLACE FUNCTION backoffice.audit_hash(r backoffice.audit_log) RETURNS char(64)
LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(concat_ws(E'\x1f',
        r.id, to_char(r.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
        r.actor, r.actor_role, r.source_ip, r.user_agent, r.action, r.view, r.table_name,
        r.record_key, r.before::text, r.after::text, r.detail::text, r.prev_hash), 'UTF8')), 'hex')
$$;

-- Chains each new record to the last one. The transaction-level lock serialises writers, and the
-- id is taken only under it, so ids follow the chain even when transactions interleave.
CREATE OR REPLACE FUNCTION backoffice.audit_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('backoffice.audit_log'));
    NEW.id := nextval(pg_get_serial_sequence('backoffice.audit_log', 'id'));
    NEW.occurred_at := coalesce(NEW.occurred_at, now());
    SELECT hash INTO NEW.prev_hash FROM backoffice.audit_log ORDER BY id DESC LIMIT 1;
    NEW.hash := backoffice.audit_hash(NEW);
    RETURN NEW;
END $$;

-- Append-only: nobody changes or removes a record, except the retention purge, which announces
-- itself in the transaction (backoffice.purge_before) and removes only records older than that.
CREATE OR REPLACE FUNCTION backoffice.audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.occurred_at < nullif(current_setting('backoffice.purge_before', true), '')::timestamptz THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

-- The trigger takes the id (under the lock); a column default would spend a second number.
ALTER TABLE backoffice.audit_log ALTER COLUMN id DROP DEFAULT;
DROP TRIGGER IF EXISTS audit_chain ON backoffice.audit_log;
CREATE TRIGGER audit_chain BEFORE INSERT ON backoffice.audit_log
    FOR EACH ROW EXECUTE FUNCTION backoffice.audit_chain();
DROP TRIGGER IF EXISTS audit_append_only ON backoffice.audit_log;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON backoffice.audit_log
    FOR EACH ROW EXECUTE FUNCTION backoffice.audit_append_only();
DROP TRIGGER IF EXISTS audit_no_truncate ON backoffice.audit_log;
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON backoffice.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION backoffice.audit_append_only();
CREATE INDEX IF NOT EXISTS audit_log_action_idx ON backoffice.audit_log (action, occurred_at);
