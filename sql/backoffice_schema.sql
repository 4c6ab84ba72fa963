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
