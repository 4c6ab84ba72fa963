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

-- The interface language each user chose (NULL: the panel's default).
ALTER TABLE backoffice.panel_user ADD COLUMN IF NOT EXISTS language varchar(5);
-- Since when the user has their role: who was given an approving role after a request was made
-- cannot decide it.
ALTER TABLE backoffice.panel_user ADD COLUMN IF NOT EXISTS role_since timestamptz NOT NULL DEFAULT now();
-- A second factor (TOTP, RFC 6238): the shared secret, the last time step used (a code is good
-- once), when it was enrolled, and the digests of the one-time recovery codes (space-separated).
ALTER TABLE backoffice.panel_user ADD COLUMN IF NOT EXISTS totp_secret varchar(64);
ALTER TABLE backoffice.panel_user ADD COLUMN IF NOT EXISTS totp_last_step bigint;
ALTER TABLE backoffice.panel_user ADD COLUMN IF NOT EXISTS totp_enrolled_at timestamptz;
ALTER TABLE backoffice.panel_user ADD COLUMN IF NOT EXISTS recovery_codes text;

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

-- Who acted, by the account's immutable id (a rename does not change it; four eyes compares ids).
-- chain_version says which columns a record's hash covers: 1 before actor_id existed, 2 since.
ALTER TABLE backoffice.audit_log ADD COLUMN IF NOT EXISTS actor_id integer;
ALTER TABLE backoffice.audit_log ADD COLUMN IF NOT EXISTS chain_version smallint NOT NULL DEFAULT 1;

-- The text a record's hash covers. jsonb's text form is canonical (keys sorted, one spacing).
-- Version 1 records keep the hash they were written with; version 2 adds the version and actor_id.
CREATE OR REPLACE FUNCTION backoffice.audit_hash(r backoffice.audit_log) RETURNS char(64)
LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(concat_ws(E'\x1f',
        r.id, to_char(r.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
        r.actor, r.actor_role, r.source_ip, r.user_agent, r.action, r.view, r.table_name,
        r.record_key, r.before::text, r.after::text, r.detail::text, r.prev_hash)
        || CASE WHEN r.chain_version >= 2
                THEN concat_ws(E'\x1f', '', 'v' || r.chain_version, coalesce(r.actor_id::text, '-'))
                ELSE '' END, 'UTF8')), 'hex')
$$;

-- Chains each new record to the last one. The transaction-level lock serialises writers, and the
-- id is taken only under it, so ids follow the chain even when transactions interleave.
CREATE OR REPLACE FUNCTION backoffice.audit_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('backoffice.audit_log'));
    NEW.id := nextval(pg_get_serial_sequence('backoffice.audit_log', 'id'));
    NEW.occurred_at := coalesce(NEW.occurred_at, now());
    NEW.chain_version := 2;
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

-- Billers: what administrators set per biller (the application's tables have no place for it).
-- checkpoint_at/checkpoint_balance: a balance both sides agreed on (after a reconciliation), from
-- which the book balance is counted; without one, the book counts from the first deposit.
CREATE TABLE IF NOT EXISTS backoffice.biller_setting (
    billercode varchar(40) PRIMARY KEY,
    low_balance numeric(15,0) NOT NULL DEFAULT 0 CHECK (low_balance >= 0),
    checkpoint_at timestamp,
    checkpoint_balance numeric(15,2),
    updated_by varchar(60),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((checkpoint_at IS NULL) = (checkpoint_balance IS NULL))
);

-- Deposits and corrections asked for through the panel. Each confirmation form carries a token of
-- its own: a second submit of the same form finds the token taken and runs nothing. A request that
-- needs a second pair of eyes may be decided only by someone else, which the table itself checks.
CREATE TABLE IF NOT EXISTS backoffice.balance_request (
    id serial PRIMARY KEY,
    token uuid NOT NULL UNIQUE,
    kind varchar(20) NOT NULL CHECK (kind IN ('deposit', 'correction')),
    billercode varchar(40) NOT NULL,
    amount bigint NOT NULL CHECK (amount > 0),
    note varchar(200),
    requested_by varchar(60) NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    needs_approval boolean NOT NULL,
    status varchar(20) NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'done', 'refused', 'rejected', 'expired')),
    decided_by varchar(60),
    decided_at timestamptz,
    reason varchar(300),
    result_status varchar(10),
    result_desc varchar(200),
    balance_before numeric(15,2),
    balance_after numeric(15,2),
    CHECK (NOT needs_approval OR decided_by IS NULL OR decided_by <> requested_by),
    CHECK (status <> 'rejected' OR coalesce(reason, '') <> '')
);
CREATE INDEX IF NOT EXISTS balance_request_pending_idx ON backoffice.balance_request (status, requested_at);
-- Four eyes compare accounts by their ids, which never change: a user name can be renamed.
ALTER TABLE backoffice.balance_request ADD COLUMN IF NOT EXISTS requested_by_id integer REFERENCES backoffice.panel_user (id);
ALTER TABLE backoffice.balance_request ADD COLUMN IF NOT EXISTS decided_by_id integer REFERENCES backoffice.panel_user (id);
ALTER TABLE backoffice.balance_request DROP CONSTRAINT IF EXISTS balance_request_four_eyes_by_id;
ALTER TABLE backoffice.balance_request ADD CONSTRAINT balance_request_four_eyes_by_id
    CHECK (NOT needs_approval OR decided_by_id IS NULL OR decided_by_id <> requested_by_id);
-- A biller's deposits of one day, for the daily total above which every deposit waits.
CREATE INDEX IF NOT EXISTS balance_request_biller_day_idx ON backoffice.balance_request (billercode, requested_at);

-- H+1 reconciliations: one per uploaded statement, with every row's outcome so it can be reopened.
CREATE TABLE IF NOT EXISTS backoffice.reconciliation (
    id serial PRIMARY KEY,
    billercode varchar(40) NOT NULL,
    day date NOT NULL,
    file_name varchar(200) NOT NULL,
    file_sha256 char(64) NOT NULL,
    created_by varchar(60) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    matched integer NOT NULL,
    only_ours integer NOT NULL,
    only_theirs integer NOT NULL,
    mismatched integer NOT NULL,
    our_total numeric(18,2) NOT NULL,
    their_total numeric(18,2) NOT NULL
);
CREATE INDEX IF NOT EXISTS reconciliation_day_idx ON backoffice.reconciliation (day, billercode);

CREATE TABLE IF NOT EXISTS backoffice.reconciliation_item (
    reconciliation_id integer NOT NULL REFERENCES backoffice.reconciliation ON DELETE CASCADE,
    outcome varchar(12) NOT NULL CHECK (outcome IN ('matched', 'only_ours', 'only_theirs', 'mismatch')),
    noref varchar(60) NOT NULL,
    our_time timestamp,
    our_amount numeric(15,2),
    their_time timestamp,
    their_amount numeric(15,2)
);
CREATE INDEX IF NOT EXISTS reconciliation_item_idx ON backoffice.reconciliation_item (reconciliation_id, outcome);

-- Changes to accounts that wait for a second administrator: a new role (or a new account with a
-- role), and the reset of a lost second factor. Decided by someone other than who asked, and
-- other than the account concerned.
CREATE TABLE IF NOT EXISTS backoffice.account_request (
    id serial PRIMARY KEY,
    kind varchar(20) NOT NULL CHECK (kind IN ('role', 'reset_second_factor')),
    user_id integer NOT NULL REFERENCES backoffice.panel_user (id) ON DELETE CASCADE,
    role varchar(40),
    requested_by varchar(60) NOT NULL,
    requested_by_id integer NOT NULL REFERENCES backoffice.panel_user (id),
    requested_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    status varchar(20) NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'done', 'rejected', 'expired')),
    decided_by varchar(60),
    decided_by_id integer REFERENCES backoffice.panel_user (id),
    decided_at timestamptz,
    reason varchar(300),
    CHECK (decided_by_id IS NULL OR (decided_by_id <> requested_by_id AND decided_by_id <> user_id))
);
CREATE INDEX IF NOT EXISTS account_request_pending_idx ON backoffice.account_request (status, requested_at);

-- Operations on an agent asked for through the agent desk: a deposit confirmed from a bank transfer
-- (with the transfer the operator typed: the function's ledger has no place for it), points given or
-- spent, new limits. Run at once or after a second person approves (four eyes by account ids).
CREATE TABLE IF NOT EXISTS backoffice.agent_request (
    id serial PRIMARY KEY,
    token uuid NOT NULL UNIQUE,
    kind varchar(20) NOT NULL CHECK (kind IN ('deposit', 'points_add', 'points_spend', 'limits')),
    agent_id varchar(40) NOT NULL,
    amount bigint CHECK (amount > 0),
    bank varchar(40),
    account_no varchar(40),
    transfer_ref varchar(60),
    limits jsonb,
    note varchar(200),
    requested_by varchar(60) NOT NULL,
    requested_by_id integer NOT NULL REFERENCES backoffice.panel_user (id),
    requested_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    needs_approval boolean NOT NULL,
    status varchar(20) NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'done', 'refused', 'rejected', 'expired')),
    decided_by varchar(60),
    decided_by_id integer REFERENCES backoffice.panel_user (id),
    decided_at timestamptz,
    reason varchar(300),
    result_status varchar(10),
    result_desc varchar(200),
    balance_before numeric(15,2),
    balance_after numeric(15,2),
    CHECK (NOT needs_approval OR decided_by_id IS NULL OR decided_by_id <> requested_by_id),
    CHECK (status <> 'rejected' OR coalesce(reason, '') <> ''),
    CHECK (kind = 'limits' OR amount IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS agent_request_pending_idx ON backoffice.agent_request (status, requested_at);
-- An agent's deposits of one day, for the daily total above which every deposit waits.
CREATE INDEX IF NOT EXISTS agent_request_agent_day_idx ON backoffice.agent_request (agent_id, kind, requested_at);
-- A transfer confirmed once: the same bank reference cannot credit an agent twice.
CREATE UNIQUE INDEX IF NOT EXISTS agent_request_transfer_idx ON backoffice.agent_request (bank, transfer_ref)
    WHERE kind = 'deposit' AND status IN ('pending', 'done');

-- Resolutions of stuck transactions asked for at the transaction desk: "success with serial number"
-- or "failed and refunded to the agent", carried out when a second person approves. The request
-- links the transaction (its table and noref), the refund and the mutation the refund made.
CREATE TABLE IF NOT EXISTS backoffice.transaction_request (
    id serial PRIMARY KEY,
    token uuid NOT NULL,
    noref varchar(60) NOT NULL,
    table_name varchar(120) NOT NULL,
    kind_seen varchar(20) NOT NULL CHECK (kind_seen IN ('pending', 'no_response', 'failed_with_serial')),
    outcome varchar(10) NOT NULL CHECK (outcome IN ('success', 'refund')),
    serial varchar(60),
    agent_id varchar(40),
    amount numeric(15,2),
    requested_by varchar(60) NOT NULL,
    requested_by_id integer NOT NULL REFERENCES backoffice.panel_user (id),
    requested_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    status varchar(20) NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'done', 'settled', 'rejected', 'expired')),
    decided_by varchar(60),
    decided_by_id integer REFERENCES backoffice.panel_user (id),
    decided_at timestamptz,
    reason varchar(300),
    result_desc varchar(200),
    balance_before numeric(15,2),
    balance_after numeric(15,2),
    mutation_id bigint,
    CHECK (decided_by_id IS NULL OR decided_by_id <> requested_by_id),
    CHECK (outcome <> 'success' OR coalesce(serial, '') <> ''),
    CHECK (status <> 'rejected' OR coalesce(reason, '') <> ''),
    UNIQUE (token, noref)
);
-- One waiting resolution per transaction: asking twice (or two operators at once) waits once.
CREATE UNIQUE INDEX IF NOT EXISTS transaction_request_waiting_idx
    ON backoffice.transaction_request (table_name, noref) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS transaction_request_pending_idx ON backoffice.transaction_request (status, requested_at);
