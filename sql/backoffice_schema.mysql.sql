-- The back office's own data on MySQL/MariaDB: a database of its own beside the application's
-- ({own_database} is <application>_backoffice unless BACKOFFICE_OWN_DATABASE names another).
-- Idempotent. The audit trail here is append-only by convention only: the hash chain and the
-- triggers that refuse changes exist on PostgreSQL (sql/backoffice_schema.sql).
CREATE DATABASE IF NOT EXISTS `{own_database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `{own_database}`.panel_user (
    id int AUTO_INCREMENT PRIMARY KEY,
    username varchar(60) NOT NULL UNIQUE,
    full_name varchar(100),
    password_hash varchar(255) NOT NULL,
    role varchar(40) NOT NULL,
    active boolean NOT NULL DEFAULT true,
    session_version int NOT NULL DEFAULT 1,
    created_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    last_login_at datetime(6),
    language varchar(5),
    role_since datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    totp_secret varchar(64),
    totp_last_step bigint,
    totp_enrolled_at datetime(6),
    recovery_codes text
);

CREATE TABLE IF NOT EXISTS `{own_database}`.audit_log (
    id bigint AUTO_INCREMENT PRIMARY KEY,
    occurred_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    actor varchar(60),
    actor_id int,
    actor_role varchar(40),
    source_ip varchar(45),
    user_agent varchar(300),
    action varchar(40) NOT NULL,
    view varchar(80),
    table_name varchar(80),
    record_key varchar(200),
    `before` json,
    `after` json,
    detail json,
    prev_hash char(64),
    hash char(64),
    chain_version smallint NOT NULL DEFAULT 1,
    INDEX audit_log_time_idx (occurred_at),
    INDEX audit_log_actor_idx (actor, occurred_at),
    INDEX audit_log_record_idx (table_name, record_key),
    INDEX audit_log_login_idx (action, source_ip, occurred_at)
);

CREATE TABLE IF NOT EXISTS `{own_database}`.account_request (
    id int AUTO_INCREMENT PRIMARY KEY,
    kind varchar(20) NOT NULL,
    user_id int NOT NULL,
    role varchar(40),
    requested_by varchar(60) NOT NULL,
    requested_by_id int NOT NULL,
    requested_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    expires_at datetime(6) NOT NULL,
    status varchar(20) NOT NULL DEFAULT 'pending',
    decided_by varchar(60),
    decided_by_id int,
    decided_at datetime(6),
    reason varchar(300),
    INDEX account_request_pending_idx (status, requested_at),
    CONSTRAINT account_request_user FOREIGN KEY (user_id) REFERENCES `{own_database}`.panel_user (id) ON DELETE CASCADE
);
