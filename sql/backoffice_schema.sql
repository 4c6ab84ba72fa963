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
