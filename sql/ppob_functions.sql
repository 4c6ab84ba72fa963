-- The application's stored functions, with the exact signatures of the source document.
--
-- Every balance, point or limit change happens in one UPDATE ... RETURNING (so two concurrent
-- calls cannot both read the same "before"), is recorded as a mutation row, and answers with a
-- status instead of raising:
--   '00' SUKSES, '13' NOMINAL TIDAK VALID, '14' ... TIDAK DITEMUKAN,
--   '51' SALDO TIDAK CUKUP, '61' MELEBIHI LIMIT.

-- Credit an agent's balance (a top-up received from the agent).
CREATE OR REPLACE FUNCTION am_receivemoneyproc(vi_agentid character varying, vi_amount integer,
    OUT vo_curr numeric, OUT vo_prev numeric, OUT vo_status character varying,
    OUT vo_statusdesc character varying)
LANGUAGE plpgsql AS $$
BEGIN
    IF vi_amount IS NULL OR vi_amount <= 0 THEN
        vo_status := '13'; vo_statusdesc := 'NOMINAL TIDAK VALID'; RETURN;
    END IF;
    UPDATE am_balance SET curr_bal = curr_bal + vi_amount, lastupdate = now()
     WHERE agent_id = vi_agentid
    RETURNING curr_bal - vi_amount, curr_bal INTO vo_prev, vo_curr;
    IF NOT FOUND THEN
        vo_status := '14'; vo_statusdesc := 'AGEN TIDAK DITEMUKAN'; RETURN;
    END IF;
    INSERT INTO am_update_balance (agent_id, amount, before_balance, current_balance,
                                   transfer_date, update_date, process_exe)
    VALUES (vi_agentid, vi_amount, vo_prev, vo_curr, now(), now(), 'TOPUP');
    vo_status := '00'; vo_statusdesc := 'SUKSES';
END $$;

-- Credit loyalty points.
CREATE OR REPLACE FUNCTION am_receivepoinproc(vi_agentid character varying, vi_amount integer,
    OUT vo_curr numeric, OUT vo_prev numeric, OUT vo_status character varying,
    OUT vo_statusdesc character varying)
LANGUAGE plpgsql AS $$
BEGIN
    IF vi_amount IS NULL OR vi_amount <= 0 THEN
        vo_status := '13'; vo_statusdesc := 'NOMINAL TIDAK VALID'; RETURN;
    END IF;
    UPDATE am_balance SET poin_bal = poin_bal + vi_amount, lastupdate = now()
     WHERE agent_id = vi_agentid
    RETURNING poin_bal - vi_amount, poin_bal INTO vo_prev, vo_curr;
    IF NOT FOUND THEN
        vo_status := '14'; vo_statusdesc := 'AGEN TIDAK DITEMUKAN'; RETURN;
    END IF;
    INSERT INTO am_update_poin (agent_id, poin, before_poin, current_poin, description, process_exe)
    VALUES (vi_agentid, vi_amount, vo_prev, vo_curr, 'TAMBAH POIN', 'RECEIVEPOIN');
    vo_status := '00'; vo_statusdesc := 'SUKSES';
END $$;

-- Spend loyalty points (a redemption); refuses to go below zero.
CREATE OR REPLACE FUNCTION am_setpoinproc(vi_agentid character varying, vi_amount integer,
    OUT vo_curr numeric, OUT vo_prev numeric, OUT vo_status character varying,
    OUT vo_statusdesc character varying)
LANGUAGE plpgsql AS $$
BEGIN
    IF vi_amount IS NULL OR vi_amount <= 0 THEN
        vo_status := '13'; vo_statusdesc := 'NOMINAL TIDAK VALID'; RETURN;
    END IF;
    UPDATE am_balance SET poin_bal = poin_bal - vi_amount, lastupdate = now()
     WHERE agent_id = vi_agentid AND poin_bal >= vi_amount
    RETURNING poin_bal + vi_amount, poin_bal INTO vo_prev, vo_curr;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM am_balance WHERE agent_id = vi_agentid) THEN
            vo_status := '51'; vo_statusdesc := 'POIN TIDAK CUKUP';
        ELSE
            vo_status := '14'; vo_statusdesc := 'AGEN TIDAK DITEMUKAN';
        END IF;
        RETURN;
    END IF;
    INSERT INTO am_update_poin (agent_id, poin, before_poin, current_poin, description, process_exe)
    VALUES (vi_agentid, -vi_amount, vo_prev, vo_curr, 'PENUKARAN POIN', 'SETPOIN');
    vo_status := '00'; vo_statusdesc := 'SUKSES';
END $$;

-- Use part of the agent's daily limit (max_bal_day); refuses to pass it.
CREATE OR REPLACE FUNCTION am_setlimitproc(vi_agentid character varying, vi_amount integer,
    OUT vo_curr numeric, OUT vo_prev numeric, OUT vo_status character varying,
    OUT vo_statusdesc character varying)
LANGUAGE plpgsql AS $$
BEGIN
    IF vi_amount IS NULL OR vi_amount <= 0 THEN
        vo_status := '13'; vo_statusdesc := 'NOMINAL TIDAK VALID'; RETURN;
    END IF;
    UPDATE am_balance SET used_bal_day = used_bal_day + vi_amount, lastupdate = now()
     WHERE agent_id = vi_agentid AND used_bal_day + vi_amount <= max_bal_day
    RETURNING used_bal_day - vi_amount, used_bal_day INTO vo_prev, vo_curr;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM am_balance WHERE agent_id = vi_agentid) THEN
            vo_status := '61'; vo_statusdesc := 'MELEBIHI LIMIT HARIAN';
        ELSE
            vo_status := '14'; vo_statusdesc := 'AGEN TIDAK DITEMUKAN';
        END IF;
        RETURN;
    END IF;
    INSERT INTO am_limit_trx_day (agent_id, amount, before_used, current_used, process_exe)
    VALUES (vi_agentid, vi_amount, vo_prev, vo_curr, 'SETLIMIT');
    vo_status := '00'; vo_statusdesc := 'SUKSES';
END $$;

-- Give back part of the daily limit (a reversed transaction); never below zero.
CREATE OR REPLACE FUNCTION am_revlimitproc(vi_agentid character varying, vi_amount integer,
    OUT vo_curr numeric, OUT vo_prev numeric, OUT vo_status character varying,
    OUT vo_statusdesc character varying)
LANGUAGE plpgsql AS $$
BEGIN
    IF vi_amount IS NULL OR vi_amount <= 0 THEN
        vo_status := '13'; vo_statusdesc := 'NOMINAL TIDAK VALID'; RETURN;
    END IF;
    UPDATE am_balance SET used_bal_day = used_bal_day - vi_amount, lastupdate = now()
     WHERE agent_id = vi_agentid AND used_bal_day >= vi_amount
    RETURNING used_bal_day + vi_amount, used_bal_day INTO vo_prev, vo_curr;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM am_balance WHERE agent_id = vi_agentid) THEN
            vo_status := '13'; vo_statusdesc := 'NOMINAL MELEBIHI LIMIT TERPAKAI';
        ELSE
            vo_status := '14'; vo_statusdesc := 'AGEN TIDAK DITEMUKAN';
        END IF;
        RETURN;
    END IF;
    INSERT INTO am_limit_trx_day (agent_id, amount, before_used, current_used, process_exe)
    VALUES (vi_agentid, -vi_amount, vo_prev, vo_curr, 'REVLIMIT');
    vo_status := '00'; vo_statusdesc := 'SUKSES';
END $$;

-- Is this login of the application's own back office usable?
CREATE OR REPLACE FUNCTION checkid(vi_userlogin character varying,
    OUT vo_statusdesc character varying, OUT vo_status character varying)
LANGUAGE plpgsql AS $$
DECLARE
    v_status character varying;
BEGIN
    SELECT status INTO v_status FROM ppob_user WHERE userlogin = vi_userlogin;
    IF NOT FOUND THEN
        vo_status := '14'; vo_statusdesc := 'USER TIDAK DITEMUKAN';
    ELSIF v_status <> '1' THEN
        vo_status := '05'; vo_statusdesc := 'USER TIDAK AKTIF';
    ELSE
        vo_status := '00'; vo_statusdesc := 'SUKSES';
    END IF;
END $$;

-- Record a deposit top-up at a biller.
CREATE OR REPLACE FUNCTION setbalanceusproc(vi_billcode character varying, vi_amount integer,
    OUT vo_status character varying, OUT vo_statusdesc character varying,
    OUT vo_curr numeric, OUT vo_prev numeric)
LANGUAGE plpgsql AS $$
BEGIN
    IF vi_amount IS NULL OR vi_amount <= 0 THEN
        vo_status := '13'; vo_statusdesc := 'NOMINAL TIDAK VALID'; RETURN;
    END IF;
    UPDATE balance_us SET curr_bal = curr_bal + vi_amount, lastupdate = now()
     WHERE billercode = vi_billcode
    RETURNING curr_bal - vi_amount, curr_bal INTO vo_prev, vo_curr;
    IF NOT FOUND THEN
        vo_status := '14'; vo_statusdesc := 'BILLER TIDAK DITEMUKAN'; RETURN;
    END IF;
    INSERT INTO biller_update_balance (billercode, amount, before_balance, current_balance,
                                       transfer_date, keterangan)
    VALUES (vi_billcode, vi_amount, vo_prev, vo_curr, now(), 'DEPOSIT');
    vo_status := '00'; vo_statusdesc := 'SUKSES';
END $$;

-- Correct (reduce) a biller deposit; refuses to go below zero.
CREATE OR REPLACE FUNCTION revbalanceusproc(vi_billcode character varying, vi_amount integer,
    OUT vo_status character varying, OUT vo_statusdesc character varying)
LANGUAGE plpgsql AS $$
DECLARE
    v_prev numeric;
    v_curr numeric;
BEGIN
    IF vi_amount IS NULL OR vi_amount <= 0 THEN
        vo_status := '13'; vo_statusdesc := 'NOMINAL TIDAK VALID'; RETURN;
    END IF;
    UPDATE balance_us SET curr_bal = curr_bal - vi_amount, lastupdate = now()
     WHERE billercode = vi_billcode AND curr_bal >= vi_amount
    RETURNING curr_bal + vi_amount, curr_bal INTO v_prev, v_curr;
    IF NOT FOUND THEN
        IF EXISTS (SELECT 1 FROM balance_us WHERE billercode = vi_billcode) THEN
            vo_status := '51'; vo_statusdesc := 'SALDO TIDAK CUKUP';
        ELSE
            vo_status := '14'; vo_statusdesc := 'BILLER TIDAK DITEMUKAN';
        END IF;
        RETURN;
    END IF;
    INSERT INTO biller_update_balance (billercode, amount, before_balance, current_balance,
                                       transfer_date, keterangan)
    VALUES (vi_billcode, -vi_amount, v_prev, v_curr, now(), 'KOREKSI');
    vo_status := '00'; vo_statusdesc := 'SUKSES';
END $$;
