-- The PPOB application's database, as the customer runs it (50 tables in the public schema).
--
-- The back office does not own this schema: it reflects it and never alters it. This file exists
-- so that the demo and the tests run against the same shape as production. It keeps the legacy
-- flavour of a ten-year-old database on purpose: varchar(1) flags, timestamps without time zone
-- holding Jakarta local time, text columns defaulting to '-', history tables without a primary key
-- and foreign keys only where the original developers added them.
--
-- am_user is exactly as the source document gives it (plus the columns the company's own backend
-- writes); every other column named in the domain brief is here under that name.

-- Agents -----------------------------------------------------------------------------------------

CREATE TABLE am_user (
    agent_id character varying(40) NOT NULL,
    password character varying(100),
    status character varying(1),
    email character varying(60),
    numfaillogin smallint DEFAULT 0,
    lastupdate timestamp without time zone,
    agent_name character varying(50),
    agent_pin character varying(100),
    address character varying(100),
    userlevel numeric(2,0) NOT NULL DEFAULT 0,
    reference_id character varying(25),
    app_id character varying(6),
    no_ktp character varying(20),
    verified character varying(1) DEFAULT '0',
    history_password character varying(300),
    numfailpin smallint DEFAULT 0,
    img_ktp text DEFAULT '-'::text,
    img_self text DEFAULT '-'::text,
    img_profile text DEFAULT '-'::text,
    history_pin character varying(300),
    tgl_register timestamp without time zone DEFAULT now(),
    last_login timestamp without time zone DEFAULT now(),
    otp_pure text DEFAULT '-'::text,
    otp_lastupdate text DEFAULT '-'::text,
    otp_used boolean DEFAULT false,
    phonenumber character varying(20),
    username character varying(50),
    userid character varying(40),
    userpassword character varying(100),
    usercreate character varying(40),
    CONSTRAINT am_user_pkey PRIMARY KEY (agent_id),
    CONSTRAINT constr_agent_id UNIQUE (agent_id)
);
CREATE INDEX am_user_phonenumber_idx ON am_user (phonenumber);
CREATE INDEX am_user_tgl_register_idx ON am_user (tgl_register);

CREATE TABLE am_user_token (
    token_id serial PRIMARY KEY,
    agent_id character varying(40) NOT NULL REFERENCES am_user (agent_id),
    token character varying(200) NOT NULL,
    device_id character varying(100),
    ip_address character varying(45),
    login_time timestamp without time zone DEFAULT now(),
    expired_time timestamp without time zone,
    status character varying(1) DEFAULT '1'
);
CREATE INDEX am_user_token_agent_idx ON am_user_token (agent_id, login_time);

CREATE TABLE am_user_trash (
    agent_id character varying(40) PRIMARY KEY,
    agent_name character varying(50),
    email character varying(60),
    phonenumber character varying(20),
    no_ktp character varying(20),
    reason character varying(200),
    deleted_by character varying(40),
    deleted_date timestamp without time zone DEFAULT now()
);

CREATE TABLE am_crm (
    crm_id serial PRIMARY KEY,
    agent_id character varying(40),
    nama character varying(50),
    numberphone character varying(20),
    email character varying(60),
    posisi character varying(30),
    keterangan text DEFAULT '-'::text
);

CREATE TABLE profile_corp (
    cu_id character varying(20) PRIMARY KEY,
    nama_koperasi character varying(100) NOT NULL,
    password_corp character varying(100),
    alamat character varying(150),
    status character varying(1) DEFAULT '1',
    tgl_register timestamp without time zone DEFAULT now()
);

CREATE TABLE am_corp (
    cu_id character varying(20) NOT NULL REFERENCES profile_corp (cu_id),
    no_anggota character varying(30) NOT NULL,
    phonenumber character varying(20),
    status character varying(1) DEFAULT '1',
    PRIMARY KEY (cu_id, no_anggota)
);

CREATE TABLE am_virtual_account (
    va_number character varying(30) PRIMARY KEY,
    agent_id character varying(40) NOT NULL,
    bank_name character varying(30) NOT NULL,
    va_name character varying(60),
    status character varying(1) DEFAULT '1',
    createtime timestamp without time zone DEFAULT now()
);
CREATE INDEX am_virtual_account_agent_idx ON am_virtual_account (agent_id);

CREATE TABLE holding_account (
    holding_id serial PRIMARY KEY,
    agent_id character varying(40) NOT NULL,
    amount numeric(15,2) NOT NULL DEFAULT 0,
    reason character varying(200),
    status character varying(1) DEFAULT '0',
    createtime timestamp without time zone DEFAULT now(),
    releasetime timestamp without time zone
);

CREATE TABLE blacklist (
    blacklist_id serial PRIMARY KEY,
    custno character varying(40) NOT NULL,
    reason character varying(200),
    createby character varying(40),
    createtime timestamp without time zone DEFAULT now(),
    status character varying(1) DEFAULT '1'
);
CREATE INDEX blacklist_custno_idx ON blacklist (custno);

CREATE TABLE merchant (
    merchantid character varying(30) PRIMARY KEY,
    merchantname character varying(100) NOT NULL,
    alamat character varying(150),
    kodepos character varying(10),
    email character varying(60),
    password character varying(100),
    status character varying(1) DEFAULT '1'
);

CREATE TABLE warungqr_list (
    merchantid character varying(30) PRIMARY KEY REFERENCES merchant (merchantid),
    merchantname character varying(100),
    biayaadmin numeric(15,2) DEFAULT 0,
    ppob_profit numeric(15,2) DEFAULT 0,
    ppob_profit_noncorp numeric(15,2) DEFAULT 0,
    ref_profit numeric(15,2) DEFAULT 0,
    status character varying(1) DEFAULT '1'
);

-- Agent money ------------------------------------------------------------------------------------

CREATE TABLE am_balance (
    agent_id character varying(40) PRIMARY KEY REFERENCES am_user (agent_id),
    curr_bal numeric(15,2) NOT NULL DEFAULT 0,
    max_bal_day numeric(15,2) DEFAULT 5000000,
    max_bal_month numeric(15,2) DEFAULT 100000000,
    max_curr_bal numeric(15,2) DEFAULT 20000000,
    used_bal_day numeric(15,2) NOT NULL DEFAULT 0,
    poin_bal numeric(15,0) NOT NULL DEFAULT 0,
    proccode character varying(10),
    lastupdate timestamp without time zone DEFAULT now()
);

CREATE TABLE am_update_balance (
    id bigserial PRIMARY KEY,
    agent_id character varying(40) NOT NULL,
    amount numeric(15,2) NOT NULL,
    before_balance numeric(15,2),
    current_balance numeric(15,2),
    bank_name character varying(30),
    acct_no character varying(30),
    transfer_date timestamp without time zone,
    update_date timestamp without time zone DEFAULT now(),
    process_exe character varying(20)
);
CREATE INDEX am_update_balance_agent_idx ON am_update_balance (agent_id, update_date);
CREATE INDEX am_update_balance_date_idx ON am_update_balance (update_date);

CREATE TABLE am_update_balance_bni_va_billing (
    id serial PRIMARY KEY,
    trx_id character varying(40) NOT NULL UNIQUE,
    va_number character varying(30) NOT NULL,
    agent_id character varying(40),
    amount numeric(15,2) NOT NULL,
    payment_ntb character varying(40),
    datetime_payment timestamp without time zone,
    status character varying(1) DEFAULT '0',
    createtime timestamp without time zone DEFAULT now()
);

CREATE TABLE am_update_poin (
    id bigserial PRIMARY KEY,
    agent_id character varying(40) NOT NULL,
    poin numeric(15,0) NOT NULL,
    before_poin numeric(15,0),
    current_poin numeric(15,0),
    description character varying(200),
    noref character varying(40),
    product_code character varying(20),
    process_exe character varying(20),
    update_date timestamp without time zone DEFAULT now()
);
CREATE INDEX am_update_poin_agent_idx ON am_update_poin (agent_id, update_date);

CREATE TABLE am_limit_trx_day (
    id bigserial PRIMARY KEY,
    agent_id character varying(40) NOT NULL,
    trx_date date NOT NULL DEFAULT current_date,
    amount numeric(15,2) NOT NULL,
    before_used numeric(15,2),
    current_used numeric(15,2),
    process_exe character varying(20),
    update_date timestamp without time zone DEFAULT now()
);
CREATE INDEX am_limit_trx_day_agent_idx ON am_limit_trx_day (agent_id, trx_date);

CREATE TABLE am_limit_trx_month (
    agent_id character varying(40) NOT NULL,
    periode character varying(6) NOT NULL,
    total_amount numeric(15,2) NOT NULL DEFAULT 0,
    total_trx integer NOT NULL DEFAULT 0,
    lastupdate timestamp without time zone DEFAULT now(),
    PRIMARY KEY (agent_id, periode)
);

CREATE TABLE am_itemlimit (
    agent_id character varying(40) PRIMARY KEY,
    max_item_day integer DEFAULT 100,
    max_item_month integer DEFAULT 3000
);

-- Products and billers ---------------------------------------------------------------------------

CREATE TABLE balance_us (
    billercode character varying(10) PRIMARY KEY,
    billername character varying(60),
    curr_bal numeric(15,2) NOT NULL DEFAULT 0,
    lastupdate timestamp without time zone DEFAULT now()
);

CREATE TABLE biller_update_balance (
    id serial PRIMARY KEY,
    billercode character varying(10) NOT NULL REFERENCES balance_us (billercode),
    amount numeric(15,2) NOT NULL,
    before_balance numeric(15,2),
    current_balance numeric(15,2),
    bank_name character varying(30),
    acct_no character varying(30),
    transfer_date timestamp without time zone DEFAULT now(),
    keterangan character varying(200) DEFAULT '-'
);
CREATE INDEX biller_update_balance_biller_idx ON biller_update_balance (billercode, transfer_date);

CREATE TABLE biller_crm (
    id serial PRIMARY KEY,
    billercode character varying(10) NOT NULL,
    codecrm character varying(10),
    nama character varying(50),
    numberphone character varying(20),
    email character varying(60),
    posisi character varying(30)
);

CREATE TABLE trancode (
    trancodeid character varying(20) PRIMARY KEY,
    trancodename character varying(100) NOT NULL,
    category character varying(20),
    provider character varying(30),
    tctype character varying(1) DEFAULT '1',
    billercode character varying(10),
    hargajual numeric(15,2) DEFAULT 0,
    feejual numeric(15,2) DEFAULT 0,
    poin numeric(5,0) DEFAULT 0,
    detailproduct text DEFAULT '-'::text,
    available character varying(1) DEFAULT '1'
);
CREATE INDEX trancode_category_idx ON trancode (category);

CREATE TABLE trancode_biller (
    trancodeid character varying(20) NOT NULL REFERENCES trancode (trancodeid),
    billercode character varying(10) NOT NULL,
    tcbiller character varying(30),
    hargabeli numeric(15,2) DEFAULT 0,
    feebeli numeric(15,2) DEFAULT 0,
    poin numeric(5,0) DEFAULT 0,
    priority smallint DEFAULT 1,
    PRIMARY KEY (trancodeid, billercode)
);

CREATE TABLE am_trancode (
    agent_id character varying(40) NOT NULL,
    trancodeid character varying(20) NOT NULL,
    hargajual numeric(15,2),
    hargajual_noncorp numeric(15,2),
    feejual numeric(15,2) DEFAULT 0,
    feejual_noncorp numeric(15,2) DEFAULT 0,
    poin numeric(5,0) DEFAULT 0,
    poin_noncorp numeric(5,0) DEFAULT 0,
    ppob_profit numeric(15,2) DEFAULT 0,
    ppob_profit_noncorp numeric(15,2) DEFAULT 0,
    ref_profit numeric(15,2) DEFAULT 0,
    sa_commission numeric(15,2) DEFAULT 0,
    PRIMARY KEY (agent_id, trancodeid)
);

CREATE TABLE mm_bills (
    bill_id serial PRIMARY KEY,
    agent_id character varying(40) NOT NULL,
    trancodeid character varying(20) NOT NULL,
    custno character varying(40) NOT NULL,
    custname character varying(60),
    periode character varying(6),
    amount numeric(15,2),
    due_date date,
    status character varying(1) DEFAULT '0'
);

-- Transactions and messages ----------------------------------------------------------------------

-- tempmsg holds today's transactions; the end-of-day job (configapp.eoddone) moves them to
-- tempmsg_backup, which keeps no primary key, as the original developers left it.
CREATE SEQUENCE tempmsg_msgid_seq;

CREATE TABLE tempmsg (
    msgid bigint PRIMARY KEY DEFAULT nextval('tempmsg_msgid_seq'),
    transactionid character varying(40),
    transactioncode character varying(10),
    proccode character varying(10),
    requesttime timestamp without time zone NOT NULL DEFAULT now(),
    responsetime timestamp without time zone,
    fromagent character varying(40),
    fromaccount character varying(40) DEFAULT '-',
    toaccount character varying(40),
    fromsocket character varying(30),
    cardno character varying(40),
    custno character varying(40),
    productcode character varying(20),
    billercode character varying(10),
    amount numeric(15,2),
    hargajual numeric(15,2),
    hargabeli numeric(15,2),
    feejual numeric(15,2) DEFAULT 0,
    feebeli numeric(15,2) DEFAULT 0,
    profit numeric(15,2) DEFAULT 0,
    ppob_profit numeric(15,2) DEFAULT 0,
    ref_profit numeric(15,2) DEFAULT 0,
    sa_commission numeric(15,2) DEFAULT 0,
    usr_cashback numeric(15,2) DEFAULT 0,
    prev_bal numeric(15,2),
    curr_bal numeric(15,2),
    prev_biller_bal numeric(15,2),
    curr_biller_bal numeric(15,2),
    noref character varying(40),
    refer character varying(40),
    trxidbackend character varying(40),
    no_ba character varying(40),
    responsecode character varying(4),
    rcinternal character varying(4),
    statusreply character varying(20),
    status_bayar character varying(1) DEFAULT '0',
    tgl_bayar timestamp without time zone,
    inpmsg text DEFAULT '-'::text,
    reqbiller text DEFAULT '-'::text,
    respbiller text DEFAULT '-'::text
);
CREATE INDEX tempmsg_requesttime_idx ON tempmsg (requesttime);
CREATE INDEX tempmsg_noref_idx ON tempmsg (noref);
CREATE INDEX tempmsg_custno_idx ON tempmsg (custno);
CREATE INDEX tempmsg_fromagent_idx ON tempmsg (fromagent, requesttime);

CREATE TABLE tempmsg_backup (
    msgid bigint,
    transactionid character varying(40),
    transactioncode character varying(10),
    proccode character varying(10),
    requesttime timestamp without time zone,
    responsetime timestamp without time zone,
    fromagent character varying(40),
    fromaccount character varying(40),
    toaccount character varying(40),
    custno character varying(40),
    productcode character varying(20),
    billercode character varying(10),
    amount numeric(15,2),
    hargajual numeric(15,2),
    hargabeli numeric(15,2),
    feejual numeric(15,2),
    feebeli numeric(15,2),
    ppob_profit numeric(15,2),
    ref_profit numeric(15,2),
    usr_cashback numeric(15,2),
    prev_bal numeric(15,2),
    curr_bal numeric(15,2),
    noref character varying(40),
    refer character varying(40),
    trxidbackend character varying(40),
    responsecode character varying(4),
    rcinternal character varying(4),
    statusreply character varying(20),
    status_bayar character varying(1),
    tgl_bayar timestamp without time zone,
    inpmsg text,
    reqbiller text,
    respbiller text
);
CREATE INDEX tempmsg_backup_requesttime_idx ON tempmsg_backup (requesttime);
CREATE INDEX tempmsg_backup_noref_idx ON tempmsg_backup (noref);
CREATE INDEX tempmsg_backup_custno_idx ON tempmsg_backup (custno);
CREATE INDEX tempmsg_backup_fromagent_idx ON tempmsg_backup (fromagent, requesttime);

CREATE TABLE tempmsg_va (
    id serial PRIMARY KEY,
    va_number character varying(30) NOT NULL,
    agent_id character varying(40),
    bank_name character varying(30),
    amount numeric(15,2),
    noref character varying(40),
    requesttime timestamp without time zone DEFAULT now(),
    responsetime timestamp without time zone,
    responsecode character varying(4),
    statusreply character varying(20)
);

CREATE TABLE tempmsg_va_backup (
    id integer,
    va_number character varying(30),
    agent_id character varying(40),
    bank_name character varying(30),
    amount numeric(15,2),
    noref character varying(40),
    requesttime timestamp without time zone,
    responsetime timestamp without time zone,
    responsecode character varying(4),
    statusreply character varying(20)
);

CREATE TABLE messagein (
    trxmsgid bigserial PRIMARY KEY,
    fromsocket character varying(30),
    packagename character varying(60),
    typemsg character varying(10),
    message text,
    waktu timestamp without time zone DEFAULT now()
);

CREATE TABLE messagein_backup (
    msginid bigint,
    fromsocket character varying(30),
    typemsg character varying(10),
    message text,
    status character varying(1),
    waktu timestamp without time zone
);

CREATE TABLE messageout (
    msgoutid bigserial PRIMARY KEY,
    tosocket character varying(30),
    typemsg character varying(10),
    message text,
    waktu timestamp without time zone DEFAULT now()
);

CREATE TABLE messageout_backup (
    msgoutid bigint,
    tosocket character varying(30),
    typemsg character varying(10),
    message text,
    status character varying(1),
    waktu timestamp without time zone
);

CREATE TABLE timeoutresp (
    id serial PRIMARY KEY,
    noref character varying(40),
    billercode character varying(10),
    requesttime timestamp without time zone,
    timeouttime timestamp without time zone DEFAULT now(),
    retry smallint DEFAULT 0,
    status character varying(1) DEFAULT '0'
);

CREATE TABLE stanmanage (
    standate date PRIMARY KEY,
    stanno integer NOT NULL DEFAULT 0
);

CREATE TABLE socketconn (
    conname character varying(30) PRIMARY KEY,
    billercode character varying(10),
    typeconn character varying(10),
    host character varying(100),
    seq smallint DEFAULT 1,
    packagename character varying(60),
    todirect character varying(1) DEFAULT '0',
    statusconnect character varying(1) DEFAULT '0',
    statusstart character varying(1) DEFAULT '0'
);

CREATE TABLE emoney (
    trxcode character varying(40) PRIMARY KEY,
    fromagent character varying(40),
    fromaccount character varying(40),
    toaccount character varying(40),
    temp_from character varying(40),
    amount numeric(15,2),
    createtime timestamp without time zone DEFAULT now(),
    exptime timestamp without time zone,
    responsetime timestamp without time zone,
    statusreply character varying(20)
);

CREATE TABLE emoney_backup (
    trxcode character varying(40),
    fromaccount character varying(40),
    toaccount character varying(40),
    amount numeric(15,2),
    createtime timestamp without time zone,
    exptime timestamp without time zone,
    responsetime timestamp without time zone,
    statusreply character varying(20)
);

-- App content and settings -----------------------------------------------------------------------

CREATE TABLE ads_list (
    ads_id serial PRIMARY KEY,
    url character varying(200) NOT NULL,
    start_date timestamp without time zone,
    end_date timestamp without time zone,
    spectator integer DEFAULT 0,
    status character varying(1) DEFAULT '1'
);

CREATE TABLE push_notif (
    notif_id serial PRIMARY KEY,
    title character varying(100) NOT NULL,
    body text DEFAULT '-'::text,
    target character varying(40) DEFAULT 'ALL',
    sendtime timestamp without time zone DEFAULT now(),
    status character varying(1) DEFAULT '0'
);

CREATE TABLE random_ayat (
    id serial PRIMARY KEY,
    surah character varying(40),
    ayat character varying(10),
    isi text NOT NULL
);

CREATE TABLE configapp (
    id smallint PRIMARY KEY DEFAULT 1,
    eoddone character varying(1) DEFAULT '0',
    eoddate date,
    maintenance character varying(1) DEFAULT '0',
    min_topup numeric(15,2) DEFAULT 10000,
    cs_phone character varying(20)
);

CREATE TABLE version (
    versioncode integer PRIMARY KEY,
    versionname character varying(20) NOT NULL,
    releasedate timestamp without time zone DEFAULT now(),
    mandatory character varying(1) DEFAULT '0'
);

CREATE TABLE version_agent (
    versioncode integer PRIMARY KEY,
    versionname character varying(20) NOT NULL,
    releasedate timestamp without time zone DEFAULT now()
);

CREATE TABLE scan_itemlist (
    item_id serial PRIMARY KEY,
    barcode character varying(40) UNIQUE,
    trancodeid character varying(20),
    description character varying(100),
    status character varying(1) DEFAULT '1'
);

CREATE TABLE transaction_achievement (
    periode character varying(6) PRIMARY KEY,
    transaction integer DEFAULT 0,
    total_amount_transaction numeric(18,2) DEFAULT 0,
    profit numeric(18,2) DEFAULT 0,
    agentactive integer DEFAULT 0
);

-- Approvals --------------------------------------------------------------------------------------

CREATE TABLE redeem_itemlist (
    item_id serial PRIMARY KEY,
    item_name character varying(100) NOT NULL,
    poin numeric(15,0) NOT NULL,
    stock integer DEFAULT 0,
    img_item text DEFAULT '-'::text,
    status character varying(1) DEFAULT '1'
);

CREATE TABLE redeem_approval (
    redeem_id serial PRIMARY KEY,
    agent_id character varying(40) NOT NULL,
    item_id integer REFERENCES redeem_itemlist (item_id),
    poin numeric(15,0) NOT NULL,
    requesttime timestamp without time zone DEFAULT now(),
    status character varying(1) DEFAULT '0',
    approveby character varying(40),
    approvetime timestamp without time zone,
    keterangan character varying(200) DEFAULT '-'
);

-- Activity of the application's own back-office users --------------------------------------------

CREATE TABLE ppob_user (
    userlogin character varying(40) PRIMARY KEY,
    username character varying(60),
    userpass character varying(100),
    userlevel character varying(1) DEFAULT '2',
    status character varying(1) DEFAULT '1',
    lastlogin timestamp without time zone
);

CREATE TABLE ppob_user_activity (
    id bigserial PRIMARY KEY,
    username character varying(40),
    activityname character varying(200),
    ip_address character varying(45),
    activitytime timestamp without time zone DEFAULT now()
);
CREATE INDEX ppob_user_activity_time_idx ON ppob_user_activity (activitytime);
