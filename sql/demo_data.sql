-- Realistic demo data for the PPOB schema, generated set-based inside PostgreSQL.
--
-- Parameters come from settings made before this script runs (see backoffice/demo.py):
--   demo.transactions  how many transactions, over the last 30 days up to now
--   demo.seed          seed for random(), so a given size always produces the same data
--
-- The money adds up by construction:
--   agent:  am_balance.curr_bal = sum(am_update_balance.amount)
--                                 - sum(hargajual of successful and pending transactions)
--   biller: balance_us.curr_bal = sum(biller_update_balance.amount)
--                                 - sum(hargabeli of successful transactions)
--           except the planted differences: at two billers, three successful transactions each
--           carry no biller response (respbiller '-') and were never debited by the biller; and
--           two of today's failures carry the biller's serial number and were debited by it.
-- Timestamps are Jakarta local time without zone, as the application writes them.

SELECT setseed(current_setting('demo.seed')::float8);

CREATE TEMP TABLE demo_clock AS
SELECT (now() AT TIME ZONE 'Asia/Jakarta')::timestamp(0) AS now_wib,
       date_trunc('day', now() AT TIME ZONE 'Asia/Jakarta') AS today,
       date_trunc('day', now() AT TIME ZONE 'Asia/Jakarta') - interval '29 days' AS start_at;

-- Billers ----------------------------------------------------------------------------------------

INSERT INTO balance_us (billercode, billername, curr_bal, lastupdate) VALUES
    ('DGF', 'Digiflazz', 0, now()), ('BMS', 'Bimasakti Multi Sinergi', 0, now()),
    ('NRS', 'Narindo Solusi', 0, now()), ('IAK', 'IAK Indonesia', 0, now()),
    ('PPM', 'Payment Point Mandiri', 0, now()), ('SPL', 'Sepulsa H2H', 0, now());

INSERT INTO biller_crm (billercode, codecrm, nama, numberphone, email, posisi) VALUES
    ('DGF', 'CRM01', 'Rizky Pratama', '081311220001', 'rizky@digiflazz.example', 'Account Manager'),
    ('BMS', 'CRM02', 'Siti Rahmawati', '081311220002', 'siti@bimasakti.example', 'Key Account'),
    ('NRS', 'CRM03', 'Andreas Halim', '081311220003', 'andreas@narindo.example', 'Sales'),
    ('IAK', 'CRM04', 'Putri Anggraini', '081311220004', 'putri@iak.example', 'Support H2H'),
    ('PPM', 'CRM05', 'Bambang Sutrisno', '081311220005', 'bambang@ppm.example', 'Account Manager'),
    ('SPL', 'CRM06', 'Maya Sari', '081311220006', 'maya@sepulsa.example', 'Finance');

INSERT INTO socketconn (conname, billercode, typeconn, host, seq, packagename, todirect,
                        statusconnect, statusstart) VALUES
    ('H2H_DGF', 'DGF', 'HTTP', 'https://api.digiflazz.example/v1', 1, 'id.ppob.h2h.dgf', '1', '1', '1'),
    ('H2H_BMS', 'BMS', 'SOCKET', '10.20.1.15:7001', 1, 'id.ppob.h2h.bms', '0', '1', '1'),
    ('H2H_NRS', 'NRS', 'SOCKET', '10.20.1.16:7002', 1, 'id.ppob.h2h.nrs', '0', '1', '1'),
    ('H2H_IAK', 'IAK', 'HTTP', 'https://prepaid.iak.example/api', 1, 'id.ppob.h2h.iak', '1', '1', '1'),
    ('H2H_PPM', 'PPM', 'SOCKET', '10.20.1.18:7010', 1, 'id.ppob.h2h.ppm', '0', '0', '1'),
    ('H2H_SPL', 'SPL', 'HTTP', 'https://h2h.sepulsa.example', 2, 'id.ppob.h2h.spl', '1', '1', '0');

-- Products: (code, name, category, provider, biller, nominal, price to agent, cost at biller,
-- points, weight). A nominal of 0 marks a bill whose amount varies; price and cost are then
-- the admin fees on top of the bill.
CREATE TEMP TABLE demo_products (
    trancodeid varchar, trancodename varchar, category varchar, provider varchar,
    billercode varchar, nominal numeric, price numeric, cost numeric, poin int, weight int);
INSERT INTO demo_products VALUES
    ('TSEL5', 'PULSA TELKOMSEL 5K', 'PULSA', 'TELKOMSEL', 'DGF', 5000, 6500, 5650, 0, 4),
    ('TSEL10', 'PULSA TELKOMSEL 10K', 'PULSA', 'TELKOMSEL', 'DGF', 10000, 11500, 10650, 1, 9),
    ('TSEL25', 'PULSA TELKOMSEL 25K', 'PULSA', 'TELKOMSEL', 'DGF', 25000, 26000, 24950, 1, 7),
    ('TSEL50', 'PULSA TELKOMSEL 50K', 'PULSA', 'TELKOMSEL', 'DGF', 50000, 50500, 49300, 2, 4),
    ('TSEL100', 'PULSA TELKOMSEL 100K', 'PULSA', 'TELKOMSEL', 'DGF', 100000, 99000, 97400, 3, 2),
    ('ISAT10', 'PULSA INDOSAT 10K', 'PULSA', 'INDOSAT', 'BMS', 10000, 11200, 10550, 1, 6),
    ('ISAT25', 'PULSA INDOSAT 25K', 'PULSA', 'INDOSAT', 'BMS', 25000, 25800, 25000, 1, 4),
    ('XL10', 'PULSA XL 10K', 'PULSA', 'XL', 'BMS', 10000, 11000, 10400, 1, 5),
    ('XL25', 'E-VOUCHER XL 25K', 'PULSA', 'XL', 'BMS', 25000, 25500, 24700, 1, 5),
    ('TRI10', 'PULSA TRI 10K', 'PULSA', 'TRI', 'NRS', 10000, 10900, 10300, 1, 4),
    ('AXIS10', 'PULSA AXIS 10K', 'PULSA', 'AXIS', 'NRS', 10000, 11000, 10450, 1, 2),
    ('SMART20', 'PULSA SMARTFREN 20K', 'PULSA', 'SMARTFREN', 'NRS', 20000, 20500, 19700, 1, 1),
    ('OMG55', 'PAKET INTERNET BULANAN OMG 55K', 'DATA', 'TELKOMSEL', 'DGF', 55000, 55000, 53200, 2, 8),
    ('TSELD4GB', 'DATA TELKOMSEL 4GB 30 HARI', 'DATA', 'TELKOMSEL', 'DGF', 27500, 27500, 26400, 1, 5),
    ('XLCOMBO10', 'XTRA COMBO 10GB 30 HARI', 'DATA', 'XL', 'BMS', 59000, 59000, 56800, 2, 4),
    ('ISATF5GB', 'FREEDOM INTERNET 5GB 30 HARI', 'DATA', 'INDOSAT', 'BMS', 21500, 21500, 20600, 1, 3),
    ('TRIH3GB', 'TRI HAPPY 3GB 7 HARI', 'DATA', 'TRI', 'NRS', 11000, 11000, 10200, 1, 3),
    ('PLN20', 'TOKEN PLN 20.000', 'PLN', 'PLN', 'PPM', 20000, 21500, 20250, 1, 5),
    ('PLN50', 'TOKEN PLN 50.000', 'PLN', 'PLN', 'PPM', 50000, 51500, 50250, 2, 5),
    ('PLN100', 'TOKEN PLN 100.000', 'PLN', 'PLN', 'PPM', 100000, 101500, 100250, 3, 4),
    ('PLN200', 'TOKEN PLN 200.000', 'PLN', 'PLN', 'PPM', 200000, 201500, 200250, 5, 1),
    ('PLNPASCA', 'TAGIHAN PLN PASCABAYAR', 'PLN', 'PLN', 'PPM', 0, 2500, 1000, 2, 3),
    ('PDAMBDG', 'PDAM TIRTAWENING KOTA BANDUNG', 'PDAM', 'PDAM', 'SPL', 0, 2500, 1200, 1, 1),
    ('PDAMSBY', 'PDAM SURYA SEMBADA SURABAYA', 'PDAM', 'PDAM', 'SPL', 0, 2500, 1200, 1, 1),
    ('PDAMJKT', 'PAM JAYA DKI JAKARTA', 'PDAM', 'PDAM', 'SPL', 0, 2500, 1500, 1, 1),
    ('BPJSKS', 'BPJS KESEHATAN', 'BPJS', 'BPJS', 'SPL', 0, 2500, 1500, 1, 1),
    ('ML86', 'MOBILE LEGENDS 86 DIAMOND', 'GAME', 'MOONTON', 'IAK', 21000, 21000, 19800, 1, 3),
    ('ML172', 'MOBILE LEGENDS 172 DIAMOND', 'GAME', 'MOONTON', 'IAK', 41500, 41500, 39600, 2, 2),
    ('FF100', 'FREE FIRE 100 DIAMOND', 'GAME', 'GARENA', 'IAK', 15000, 15000, 14200, 1, 3),
    ('FF355', 'FREE FIRE 355 DIAMOND', 'GAME', 'GARENA', 'IAK', 50000, 50000, 47800, 2, 1),
    ('PUBG60', 'PUBG MOBILE 60 UC', 'GAME', 'TENCENT', 'DGF', 15500, 15500, 14700, 1, 1),
    ('GPLAY20', 'GOOGLE PLAY 20K', 'GAME', 'GOOGLE', 'DGF', 20000, 21000, 20100, 1, 1),
    ('GOPAY50', 'SALDO GOPAY 50K', 'EWALLET', 'GOPAY', 'DGF', 50000, 51000, 50300, 1, 2),
    ('OVO100', 'SALDO OVO 100K', 'EWALLET', 'OVO', 'DGF', 100000, 101000, 100300, 2, 1),
    ('DANA25', 'SALDO DANA 25K', 'EWALLET', 'DANA', 'NRS', 25000, 26000, 25250, 1, 1);

INSERT INTO trancode (trancodeid, trancodename, category, provider, tctype, billercode, hargajual,
                      feejual, poin, detailproduct, available)
SELECT trancodeid, trancodename, category, provider,
       CASE WHEN nominal = 0 THEN '2' ELSE '1' END, billercode,
       CASE WHEN nominal = 0 THEN 0 ELSE price END, CASE WHEN nominal = 0 THEN price ELSE 0 END,
       poin, 'Produk ' || initcap(lower(trancodename)) || ', proses otomatis 24 jam', '1'
  FROM demo_products;
UPDATE trancode SET available = '0' WHERE trancodeid = 'SMART20';

INSERT INTO trancode_biller (trancodeid, billercode, tcbiller, hargabeli, feebeli, poin, priority)
SELECT trancodeid, billercode, lower(billercode) || '-' || lower(trancodeid),
       CASE WHEN nominal = 0 THEN 0 ELSE cost END, CASE WHEN nominal = 0 THEN cost ELSE 0 END,
       poin, 1
  FROM demo_products;
-- A second route for the big Telkomsel products, as a fallback when DGF is down.
INSERT INTO trancode_biller (trancodeid, billercode, tcbiller, hargabeli, feebeli, poin, priority)
SELECT trancodeid, 'NRS', 'nrs-' || lower(trancodeid), cost + 75, 0, poin, 2
  FROM demo_products WHERE trancodeid IN ('TSEL10', 'TSEL25', 'TSEL50', 'OMG55');

-- One slot per unit of weight, so a uniform pick of a slot is a weighted pick of a product.
CREATE TEMP TABLE demo_slots AS
SELECT (row_number() OVER (ORDER BY p.trancodeid, g) - 1)::int AS slot, p.*
  FROM demo_products p, generate_series(1, p.weight) g;
CREATE UNIQUE INDEX ON demo_slots (slot);
ANALYZE demo_slots;

-- Agents -----------------------------------------------------------------------------------------

CREATE TEMP TABLE demo_names AS SELECT
    '{Budi,Siti,Agus,Dewi,Rudi,Sri,Andi,Rina,Joko,Wati,Eko,Yuni,Hendra,Nur,Bambang,Fitri,Dedi,Lestari,Asep,Ratna,Dayanih,Juni,Slamet,Ika,Wahyu,Maya,Iwan,Putri,Heru,Ani,Yusuf,Indah}'::text[] AS first,
    '{Santoso,Wijaya,Saputra,Hidayat,Kusuma,Pratama,Susanto,Setiawan,Nugroho,Purnomo,Siregar,Nasution,Simanjuntak,Damajanti,Rahayu,Gunawan,Halim,Sitompul,Hasibuan,Wibowo}'::text[] AS last,
    '{"Jakarta Selatan","Jakarta Timur",Bekasi,Depok,Tangerang,Bogor,Bandung,Surabaya,Semarang,Medan,Makassar,Palembang}'::text[] AS city,
    '{Merdeka,Sudirman,"Raya Bogor",Cempaka,Melati,Kenanga,Diponegoro,"Ahmad Yani",Veteran,Mawar}'::text[] AS street,
    '{11,12,13,21,22,52,53,77,78,81,82,95,96,97,98}'::text[] AS prefix;

-- Agent k's id is a phone number computed from k alone, so transactions can name their agent
-- without a join: 104729 is prime, so k * 104729 mod 10^8 never repeats for k < 10^8.
CREATE TEMP TABLE demo_agents AS
SELECT k, '08' || n.prefix[1 + k % 15] || lpad(((k * 104729) % 100000000)::text, 8, '0') AS agent_id,
       n.first[1 + (k * 7) % 32] || CASE WHEN k % 3 = 0 THEN '' ELSE ' ' || n.last[1 + (k * 13) % 20] END AS agent_name,
       n.city[1 + k % 12] AS city, n.street[1 + (k * 3) % 10] AS street
  FROM generate_series(1, greatest(40, current_setting('demo.transactions')::int / 2000)) k, demo_names n;
CREATE UNIQUE INDEX ON demo_agents (k);

INSERT INTO am_user (agent_id, password, status, email, numfaillogin, lastupdate, agent_name,
                     agent_pin, address, userlevel, reference_id, app_id, no_ktp, verified,
                     history_password, numfailpin, img_ktp, img_self, img_profile, history_pin,
                     tgl_register, last_login, otp_pure, otp_lastupdate, otp_used, phonenumber,
                     username, userid, userpassword, usercreate)
SELECT a.agent_id,
       md5('sandi-' || a.agent_id),
       CASE WHEN k % 50 = 0 THEN '0' ELSE '1' END,
       lower(replace(a.agent_name, ' ', '.')) || k || '@gmail.com',
       CASE WHEN k % 37 = 0 THEN 2 ELSE 0 END,
       c.now_wib - (k % 90) * interval '1 day',
       CASE WHEN k % 4 = 0 THEN lower(a.agent_name) ELSE a.agent_name END,
       md5('pin-' || a.agent_id),
       'Jl. ' || a.street || ' No. ' || (1 + k % 120) || ', ' || a.city,
       CASE WHEN k % 25 = 0 THEN 2 ELSE 1 END,
       CASE WHEN k > 10 AND k % 6 = 0 THEN (SELECT agent_id FROM demo_agents r WHERE r.k = 1 + a.k % 10) END,
       'PPOB01',
       '3171' || lpad(((k * 7919) % 100000000)::text, 8, '0') || lpad((k % 10000)::text, 4, '0'),
       CASE WHEN k % 8 = 0 THEN '0' ELSE '1' END,
       md5('sandi-lama-' || a.agent_id),
       0,
       CASE WHEN k % 8 = 0 THEN '-' ELSE 'ktp/' || a.agent_id || '.jpg' END,
       CASE WHEN k % 8 = 0 THEN '-' ELSE 'selfie/' || a.agent_id || '.jpg' END,
       '-',
       md5('pin-lama-' || a.agent_id),
       c.start_at - interval '400 days' + ((k * 397) % 604800) * interval '1 minute',
       c.now_wib - (k % 48) * interval '1 hour',
       lpad(((k * 3571) % 1000000)::text, 6, '0'),
       to_char(c.now_wib - (k % 48) * interval '1 hour', 'YYYY-MM-DD HH24:MI:SS'),
       k % 5 <> 0,
       a.agent_id, lower(split_part(a.agent_name, ' ', 1)) || k, a.agent_id,
       md5('sandi-' || a.agent_id), 'SYSTEM'
  FROM demo_agents a, demo_clock c;
-- Two agents registered today, so today's registrations are not empty.
UPDATE am_user SET tgl_register = (SELECT now_wib FROM demo_clock) - interval '1 hour'
 WHERE agent_id IN (SELECT agent_id FROM demo_agents WHERE k IN (2, 3));

INSERT INTO am_itemlimit (agent_id, max_item_day, max_item_month)
SELECT agent_id, 100 + (k % 5) * 50, 3000 FROM demo_agents;

INSERT INTO am_user_token (agent_id, token, device_id, ip_address, login_time, expired_time, status)
SELECT a.agent_id, md5('token-' || a.agent_id || g), 'android-' || substr(md5(a.agent_id), 1, 12),
       '10.' || (k % 250) || '.' || (g * 7 % 250) || '.' || (k * g % 250),
       c.now_wib - (g * 11 + k % 24) * interval '1 hour',
       c.now_wib - (g * 11 + k % 24) * interval '1 hour' + interval '30 days',
       CASE WHEN g = 1 THEN '1' ELSE '0' END
  FROM demo_agents a, demo_clock c, generate_series(1, 3) g
 WHERE k <= 2000;

INSERT INTO am_virtual_account (va_number, agent_id, bank_name, va_name, status, createtime)
SELECT '988' || substr(agent_id, 3), agent_id, 'BNI', upper(agent_name), '1',
       (SELECT start_at FROM demo_clock) - interval '30 days'
  FROM demo_agents WHERE k % 3 = 0;

INSERT INTO am_crm (agent_id, nama, numberphone, email, posisi, keterangan)
SELECT agent_id, agent_name, agent_id, 'crm' || k || '@ppob.example', 'Pemilik Konter', '-'
  FROM demo_agents WHERE k % 40 = 0;

INSERT INTO profile_corp (cu_id, nama_koperasi, password_corp, alamat, status) VALUES
    ('KSP001', 'Koperasi Sejahtera Bersama', md5('corp-KSP001'), 'Jl. Kenanga No. 4, Bekasi', '1'),
    ('KSP002', 'Koperasi Karyawan Maju Jaya', md5('corp-KSP002'), 'Jl. Veteran No. 18, Bandung', '1'),
    ('KSP003', 'Koperasi Nelayan Mina Bahari', md5('corp-KSP003'), 'Jl. Pelabuhan No. 2, Makassar', '0');
INSERT INTO am_corp (cu_id, no_anggota, phonenumber, status)
SELECT 'KSP00' || (1 + k % 3), 'AGT-' || lpad(k::text, 5, '0'), agent_id, '1'
  FROM demo_agents WHERE k % 20 = 0;

-- Transactions -----------------------------------------------------------------------------------

-- Transactions 1..split happen evenly before today, split+1..N evenly from midnight up to now, so
-- ids follow time as in the real tables and the rows of today are simply the last ones. Today
-- holds its share of the span, but at least 200 rows (a 60th of all, if that is fewer): just after
-- midnight the live table, the report and the stuck queue still have a day to show, whatever the
-- hour the demo or the suite starts. The range of i comes from the settings demo.lo and demo.hi,
-- so each target table generates only its own rows.
SELECT set_config('demo.split', (
    SELECT (n - greatest(ceil(n * extract(epoch FROM now_wib - today) / extract(epoch FROM now_wib - start_at)),
                         least(ceil(n / 60.0), 200)))::bigint::text
      FROM demo_clock, (SELECT current_setting('demo.transactions')::bigint AS n) t), false);

CREATE TEMP VIEW demo_tx AS
WITH params AS (
    SELECT current_setting('demo.transactions')::bigint AS n,
           current_setting('demo.split')::bigint AS split,
           (SELECT count(*) FROM demo_agents) AS agents,
           (SELECT count(*) FROM demo_slots) AS slots,
           c.*
      FROM demo_clock c
), draws AS (
    SELECT i, p.n, p.now_wib,
           CASE WHEN i <= p.split THEN p.start_at + (p.today - p.start_at) * (i::float8 / (p.split + 1))
                ELSE p.today + (p.now_wib - p.today) * ((i - p.split)::float8 / (p.n - p.split + 1)) END AS t,
           1 + floor(random() * p.agents)::int AS agent_k,
           floor(random() * p.slots)::int AS drawn_slot,
           random() AS r_status, random() AS r_amount, random() AS r_cust,
           -- Among the last 30, three stay pending and three fail whatever the draws (those at
           -- BMS and IAK, where the planted differences are): the stuck queue and today's
           -- failures are never empty.
           CASE WHEN i > p.n - 30 AND i % 10 = 3 THEN 'P' WHEN i > p.n - 30 AND i % 10 = 7 THEN 'F' END AS planted
      FROM params p,
           generate_series(current_setting('demo.lo')::bigint, current_setting('demo.hi')::bigint) i
), priced AS (
    SELECT d.*, s.trancodeid, s.category, s.billercode,
           CASE WHEN s.nominal = 0 THEN round((60000 + d.r_amount * 840000) / 100) * 100
                ELSE s.nominal END AS amount,
           s.nominal = 0 AS is_bill, s.price, s.cost,
           coalesce(d.planted,
               CASE WHEN d.r_status < 0.88 OR (d.r_status >= 0.97 AND d.t < d.now_wib - interval '1 day')
                    THEN 'S' WHEN d.r_status < 0.97 THEN 'F' ELSE 'P' END) AS outcome
      FROM draws d
      JOIN demo_slots s ON s.slot = CASE WHEN d.planted = 'F'
           THEN (SELECT min(slot) FROM demo_slots WHERE billercode = (ARRAY['BMS', 'IAK'])[1 + (d.i / 10) % 2])
           ELSE d.drawn_slot END
)
SELECT i AS msgid, i::text AS transactionid, date_trunc('second', t) AS requesttime,
       CASE WHEN outcome = 'P' THEN NULL
            ELSE date_trunc('second', t + (1 + r_amount * 25) * interval '1 second') END AS responsetime,
       a.agent_id AS fromagent, '-'::text AS fromaccount,
       CASE category
            WHEN 'PLN' THEN '5' || lpad(((i * 7907) % 10000000000)::text, 10, '0')
            WHEN 'PDAM' THEN lpad(((i * 3119) % 100000000)::text, 8, '0')
            WHEN 'BPJS' THEN '88888' || lpad(((i * 6151) % 100000000000)::text, 11, '0')
            WHEN 'GAME' THEN (10000000 + (i * 5039) % 90000000)::text
            ELSE '08' || (ARRAY['11','12','13','21','52','77','78','81','96','95'])[1 + (i % 10)::int]
                      || lpad(((i * 10007) % 100000000)::text, 8, '0') END AS custno,
       trancodeid AS productcode, billercode, amount,
       CASE WHEN is_bill THEN amount + price ELSE price END AS hargajual,
       CASE WHEN is_bill THEN amount + cost ELSE cost END AS hargabeli,
       price - cost AS ppob_profit,
       to_char(t, 'MMDDHH24MI') || lpad((i % 1000)::text, 3, '0') AS noref,
       CASE outcome WHEN 'S' THEN '00' WHEN 'P' THEN '68'
            ELSE (ARRAY['14', '05', '13', '51'])[1 + (i % 4)::int] END AS responsecode,
       CASE outcome WHEN 'S' THEN 'SUKSES' WHEN 'P' THEN 'PENDING' ELSE 'GAGAL' END AS statusreply,
       CASE outcome WHEN 'S' THEN '1' ELSE '0' END AS status_bayar,
       trancodeid || '.' || i AS inpmsg,
       CASE outcome WHEN 'S' THEN 'SN:' || lpad(((i * 48271) % 1000000000000)::text, 12, '0')
            WHEN 'F' THEN 'TRANSAKSI GAGAL' ELSE '-' END AS respbiller
  FROM priced JOIN demo_agents a ON a.k = priced.agent_k;

SELECT set_config('demo.lo', '1', false),
       set_config('demo.hi', current_setting('demo.split'), false);
INSERT INTO tempmsg_backup (msgid, transactionid, transactioncode, proccode, requesttime,
    responsetime, fromagent, fromaccount, toaccount, custno, productcode, billercode, amount,
    hargajual, hargabeli, feejual, feebeli, ppob_profit, ref_profit, usr_cashback, noref, refer,
    trxidbackend, responsecode, rcinternal, statusreply, status_bayar, tgl_bayar, inpmsg, reqbiller,
    respbiller)
SELECT msgid, transactionid, 'TRX', '380000', requesttime, responsetime, fromagent, fromaccount,
       custno, custno, productcode, billercode, amount, hargajual, hargabeli, 0, 0, ppob_profit, 0, 0,
       noref, noref, 'BE' || msgid, responsecode, responsecode, statusreply, status_bayar,
       responsetime, inpmsg, '-', respbiller
  FROM demo_tx;

SELECT set_config('demo.lo', (current_setting('demo.split')::bigint + 1)::text, false),
       set_config('demo.hi', current_setting('demo.transactions'), false);
INSERT INTO tempmsg (msgid, transactionid, transactioncode, proccode, requesttime, responsetime,
    fromagent, fromaccount, toaccount, fromsocket, cardno, custno, productcode, billercode, amount,
    hargajual, hargabeli, profit, ppob_profit, noref, refer, trxidbackend, responsecode, rcinternal,
    statusreply, status_bayar, tgl_bayar, inpmsg, reqbiller, respbiller)
SELECT msgid, transactionid, 'TRX', '380000', requesttime, responsetime, fromagent, fromaccount,
       custno, 'APP', custno, custno, productcode, billercode, amount, hargajual, hargabeli,
       ppob_profit, ppob_profit, noref, noref, 'BE' || msgid, responsecode, responsecode,
       statusreply, status_bayar, responsetime, inpmsg, '-', respbiller
  FROM demo_tx;
SELECT setval('tempmsg_msgid_seq', greatest(current_setting('demo.transactions')::bigint, 1));

-- The planted differences: successful at our side, never answered (nor debited) by the biller.
CREATE TEMP TABLE demo_unanswered AS
SELECT noref, billercode, hargabeli FROM (
    SELECT noref, billercode, hargabeli,
           row_number() OVER (PARTITION BY billercode ORDER BY requesttime DESC) AS rn
      FROM tempmsg_backup
     WHERE billercode IN ('BMS', 'IAK') AND responsecode = '00'
       AND requesttime >= (SELECT today - interval '1 day' FROM demo_clock)
) x WHERE rn <= 3;
UPDATE tempmsg_backup t SET respbiller = '-'
  FROM demo_unanswered u WHERE t.noref = u.noref AND t.billercode = u.billercode;
-- And the other way: two of today's failures at the same billers carry the biller's serial number
-- (the biller sold and debited them; the application failed them).
CREATE TEMP TABLE demo_failed_answered AS
SELECT msgid, billercode, hargabeli FROM tempmsg
 WHERE statusreply = 'GAGAL' AND billercode IN ('BMS', 'IAK') ORDER BY requesttime DESC LIMIT 2;
UPDATE tempmsg t SET respbiller = 'SN:' || lpad((t.msgid * 7919 % 1000000000000)::text, 12, '0')
  FROM demo_failed_answered f WHERE t.msgid = f.msgid;

-- Money --------------------------------------------------------------------------------------------

CREATE TEMP TABLE demo_spend AS
SELECT fromagent AS agent_id, to_char(requesttime, 'YYYYMM') AS periode,
       sum(hargajual) AS amount, count(*) AS trx
  FROM (SELECT fromagent, requesttime, hargajual FROM tempmsg_backup WHERE responsecode IN ('00', '68')
        UNION ALL
        SELECT fromagent, requesttime, hargajual FROM tempmsg WHERE responsecode IN ('00', '68')) s
 GROUP BY 1, 2;

-- Each agent tops up whole millions spread over the month, and keeps a remainder as balance.
CREATE TEMP TABLE demo_agent_money AS
SELECT a.agent_id, coalesce(sum(s.amount), 0) AS spent,
       (50000 + floor(random() * 40) * 50000)::numeric AS remainder
  FROM demo_agents a LEFT JOIN demo_spend s USING (agent_id)
 GROUP BY a.agent_id;

INSERT INTO am_update_balance (agent_id, amount, bank_name, acct_no, transfer_date, update_date,
                               process_exe)
SELECT m.agent_id,
       CASE WHEN g < ceil((m.spent + m.remainder) / 1000000)
            THEN 1000000 ELSE (m.spent + m.remainder) - (g - 1) * 1000000::numeric END,
       (ARRAY['BCA', 'BRI', 'MANDIRI', 'BNI'])[1 + g % 4], '-',
       c.start_at + (c.now_wib - c.start_at) * (g::float8 / (ceil((m.spent + m.remainder) / 1000000) + 1)),
       c.start_at + (c.now_wib - c.start_at) * (g::float8 / (ceil((m.spent + m.remainder) / 1000000) + 1)),
       'TOPUP'
  FROM demo_agent_money m, demo_clock c,
       generate_series(1, ceil((m.spent + m.remainder) / 1000000)::int) g;

INSERT INTO am_update_poin (agent_id, poin, before_poin, current_poin, description, noref,
                            product_code, process_exe, update_date)
SELECT a.agent_id, 100 * (1 + (a.k + g) % 5), NULL, NULL, 'POIN TRANSAKSI', NULL, NULL,
       'RECEIVEPOIN', c.start_at + g * interval '9 days' + (a.k % 24) * interval '1 hour'
  FROM demo_agents a, demo_clock c, generate_series(1, 3) g;

INSERT INTO am_balance (agent_id, curr_bal, max_bal_day, max_bal_month, max_curr_bal, used_bal_day,
                        poin_bal, proccode, lastupdate)
SELECT m.agent_id, m.remainder, 5000000, 100000000, 20000000, 0,
       (SELECT coalesce(sum(poin), 0) FROM am_update_poin p WHERE p.agent_id = m.agent_id),
       '380000', (SELECT now_wib FROM demo_clock)
  FROM demo_agent_money m;

INSERT INTO am_limit_trx_month (agent_id, periode, total_amount, total_trx, lastupdate)
SELECT agent_id, periode, amount, trx, (SELECT now_wib FROM demo_clock) FROM demo_spend;

-- Each biller gets deposits in blocks of 50 million and keeps what the month did not spend. The
-- first comes before the first transaction and each later one before the last is spent, so the
-- history never shows a balance below zero.
CREATE TEMP TABLE demo_biller_money AS
SELECT b.billercode,
       coalesce((SELECT sum(hargabeli) FROM tempmsg_backup t
                  WHERE t.billercode = b.billercode AND t.responsecode = '00'), 0)
     + coalesce((SELECT sum(hargabeli) FROM tempmsg t
                  WHERE t.billercode = b.billercode AND t.responsecode = '00'), 0) AS spent,
       CASE b.billercode WHEN 'NRS' THEN 1850000 ELSE (5 + floor(random() * 60)) * 1000000 END AS remainder
  FROM balance_us b;

INSERT INTO biller_update_balance (billercode, amount, bank_name, acct_no, transfer_date, keterangan)
SELECT m.billercode,
       CASE WHEN g < ceil((m.spent + m.remainder) / 50000000)
            THEN 50000000 ELSE (m.spent + m.remainder) - (g - 1) * 50000000::numeric END,
       'BCA', '5270' || lpad(g::text, 6, '0'),
       c.start_at - interval '1 hour'
     + (c.now_wib - c.start_at) * ((g - 1)::float8 / ceil((m.spent + m.remainder) / 50000000)),
       'DEPOSIT'
  FROM demo_biller_money m, demo_clock c,
       generate_series(1, ceil((m.spent + m.remainder) / 50000000)::int) g;

UPDATE balance_us b SET curr_bal = m.remainder
     + coalesce((SELECT sum(hargabeli) FROM demo_unanswered u WHERE u.billercode = b.billercode), 0)
     - coalesce((SELECT sum(hargabeli) FROM demo_failed_answered f WHERE f.billercode = b.billercode), 0),
       lastupdate = (SELECT now_wib FROM demo_clock)
  FROM demo_biller_money m WHERE m.billercode = b.billercode;

-- The balance before and after each deposit, as the deposit function records it: the deposits so
-- far less the cost of every transaction the biller answered until then.
WITH events AS (
    SELECT billercode, transfer_date AS at, id, amount FROM biller_update_balance
    UNION ALL
    SELECT billercode, requesttime, NULL, -hargabeli FROM tempmsg_backup
     WHERE responsecode = '00' AND respbiller <> '-'
    UNION ALL
    SELECT billercode, requesttime, NULL, -hargabeli FROM tempmsg
     WHERE respbiller LIKE 'SN:%'
), running AS (
    SELECT id, amount, sum(amount) OVER (PARTITION BY billercode ORDER BY at, id NULLS FIRST
                                         ROWS UNBOUNDED PRECEDING) AS after
      FROM events
)
UPDATE biller_update_balance u SET before_balance = r.after - r.amount, current_balance = r.after
  FROM running r WHERE r.id = u.id;

-- Everything else the application keeps -----------------------------------------------------------

INSERT INTO configapp (id, eoddone, eoddate, maintenance, min_topup, cs_phone)
SELECT 1, '1', (today - interval '1 day')::date, '0', 10000, '021-50851234' FROM demo_clock;

INSERT INTO stanmanage (standate, stanno)
SELECT d::date, 100000 + (extract(doy FROM d)::int * 37) % 900000
  FROM demo_clock c, generate_series(c.start_at, c.today, interval '1 day') d;

INSERT INTO version (versioncode, versionname, releasedate, mandatory) VALUES
    (41, '3.8.2', now() - interval '200 days', '0'), (42, '3.9.0', now() - interval '90 days', '0'),
    (43, '3.9.1', now() - interval '20 days', '1');
INSERT INTO version_agent (versioncode, versionname, releasedate) VALUES
    (12, '1.4.0', now() - interval '150 days'), (13, '1.5.0', now() - interval '35 days');

INSERT INTO ads_list (url, start_date, end_date, spectator, status)
SELECT 'https://cdn.ppob.example/promo/banner-' || g || '.jpg', c.today - g * interval '7 days',
       c.today + (10 - g) * interval '7 days', 1000 * g + 37, CASE WHEN g < 5 THEN '1' ELSE '0' END
  FROM demo_clock c, generate_series(1, 6) g;

INSERT INTO push_notif (title, body, target, sendtime, status) VALUES
    ('Promo Pulsa Hemat', 'Cashback Rp 500 untuk setiap transaksi pulsa Telkomsel hari ini.', 'ALL', now() - interval '2 days', '1'),
    ('Gangguan PLN', 'Transaksi token PLN sedang gangguan, mohon coba beberapa saat lagi.', 'ALL', now() - interval '5 hours', '1'),
    ('Pembaruan Aplikasi', 'Versi 3.9.1 tersedia, silakan perbarui aplikasi Anda.', 'ALL', now() - interval '20 days', '1'),
    ('Poin Ganda', 'Dapatkan poin ganda untuk paket data sampai akhir bulan.', 'ALL', now() + interval '1 day', '0');

INSERT INTO random_ayat (surah, ayat, isi) VALUES
    ('Al-Baqarah', '2:286', 'Allah tidak membebani seseorang melainkan sesuai dengan kesanggupannya.'),
    ('Al-Insyirah', '94:5', 'Maka sesungguhnya bersama kesulitan ada kemudahan.'),
    ('Ar-Ra''d', '13:11', 'Sesungguhnya Allah tidak akan mengubah keadaan suatu kaum sebelum mereka mengubah keadaan diri mereka sendiri.'),
    ('Al-Muthaffifin', '83:1', 'Celakalah bagi orang-orang yang curang (dalam menakar dan menimbang).');

INSERT INTO redeem_itemlist (item_name, poin, stock, img_item, status) VALUES
    ('Voucher Pulsa 10K', 100, 500, 'redeem/pulsa10.png', '1'),
    ('Kaos Agen PPOB', 400, 80, 'redeem/kaos.png', '1'),
    ('Payung Agen', 700, 30, 'redeem/payung.png', '1'),
    ('Saldo Deposit 100K', 1000, 200, '-', '1');
INSERT INTO redeem_approval (agent_id, item_id, poin, requesttime, status, approveby, approvetime, keterangan)
SELECT a.agent_id, 1 + a.k % 4, (ARRAY[100, 400, 700, 1000])[1 + a.k % 4],
       c.now_wib - (a.k % 72) * interval '1 hour',
       CASE WHEN a.k % 3 = 0 THEN '1' ELSE '0' END,
       CASE WHEN a.k % 3 = 0 THEN 'admin' END,
       CASE WHEN a.k % 3 = 0 THEN c.now_wib - (a.k % 24) * interval '1 hour' END, '-'
  FROM demo_agents a, demo_clock c WHERE a.k % 15 = 1 AND a.k < 200;

INSERT INTO scan_itemlist (barcode, trancodeid, description, status) VALUES
    ('8991234500010', 'TSEL10', 'Kartu perdana Telkomsel 10K', '1'),
    ('8991234500027', 'XL25', 'Voucher fisik XL 25K', '1'),
    ('8991234500034', 'PLN50', 'Kartu token PLN 50K', '0');

INSERT INTO merchant (merchantid, merchantname, alamat, kodepos, email, password, status) VALUES
    ('WQR0001', 'Warung Bu Sri', 'Jl. Melati No. 9, Depok', '16412', 'busri@warung.example', md5('merchant-WQR0001'), '1'),
    ('WQR0002', 'Toko Berkah Jaya', 'Jl. Diponegoro No. 77, Semarang', '50241', 'berkah@warung.example', md5('merchant-WQR0002'), '1'),
    ('WQR0003', 'Kios Pulsa Mandiri', 'Jl. Ahmad Yani No. 3, Surabaya', '60234', 'mandiri@warung.example', md5('merchant-WQR0003'), '0');
INSERT INTO warungqr_list (merchantid, merchantname, biayaadmin, ppob_profit, ppob_profit_noncorp, ref_profit, status)
SELECT merchantid, merchantname, 1000, 400, 500, 100, status FROM merchant;

INSERT INTO am_trancode (agent_id, trancodeid, hargajual, hargajual_noncorp, feejual,
                         feejual_noncorp, poin, poin_noncorp, ppob_profit, ppob_profit_noncorp,
                         ref_profit, sa_commission)
SELECT a.agent_id, p.trancodeid, p.price - 100, p.price, 0, 0, p.poin, p.poin,
       p.price - p.cost - 100, p.price - p.cost, 25, 10
  FROM demo_agents a, demo_products p
 WHERE (a.k % 100 = 0 OR a.k = 7) AND p.category IN ('PULSA', 'DATA');

-- Today's use of the daily limit, as am_setlimitproc records it.
INSERT INTO am_limit_trx_day (agent_id, trx_date, amount, before_used, current_used, process_exe, update_date)
SELECT agent_id, today::date, amount, 0, amount, 'SETLIMIT', now_wib
  FROM (SELECT agent_id, k, (1 + k % 9) * 25000 AS amount FROM demo_agents WHERE k <= 25) a, demo_clock;
UPDATE am_balance b SET used_bal_day = l.current_used
  FROM am_limit_trx_day l WHERE l.agent_id = b.agent_id;

INSERT INTO ppob_user (userlogin, username, userpass, userlevel, status, lastlogin) VALUES
    ('admin', 'Administrator', md5('ppob-admin'), '1', '1', now() - interval '1 hour'),
    ('rina.cs', 'Rina Customer Service', md5('ppob-rina'), '2', '1', now() - interval '3 hours'),
    ('dedi.fin', 'Dedi Finance', md5('ppob-dedi'), '2', '1', now() - interval '1 day'),
    ('joko.ops', 'Joko Operasional', md5('ppob-joko'), '2', '0', now() - interval '60 days');

INSERT INTO ppob_user_activity (username, activityname, ip_address, activitytime)
SELECT (ARRAY['admin', 'rina.cs', 'dedi.fin'])[1 + g % 3],
       (ARRAY['LOGIN', 'LIHAT REPORT TRANSAKSI', 'DOWNLOAD REPORT EXCEL', 'UBAH HARGA PRODUK TSEL10',
              'TAMBAH DEPOSIT BILLER DGF', 'RESET PIN AGEN', 'LOGOUT'])[1 + g % 7],
       '192.168.10.' || (10 + g % 3), c.start_at + g * interval '17 minutes'
  FROM demo_clock c, generate_series(1, 2400) g;

-- H2H traffic: the request to the biller and its answer for each of today's latest transactions and
-- a sample of the history, naming the transaction's reference as the billers' messages do.
INSERT INTO messageout (tosocket, typemsg, message, waktu)
SELECT 'H2H_' || billercode, '0200',
       '{"sku":"' || productcode || '","cust":"' || custno || '","ref":"' || noref || '"}', requesttime
  FROM (SELECT * FROM tempmsg ORDER BY requesttime DESC LIMIT 300) t;
INSERT INTO messagein (fromsocket, packagename, typemsg, message, waktu)
SELECT 'H2H_' || billercode, 'id.ppob.h2h', '0210',
       '{"rc":"' || responsecode || '","ref":"' || noref || '","sn":"' || replace(respbiller, 'SN:', '') || '"}',
       responsetime
  FROM (SELECT * FROM tempmsg ORDER BY requesttime DESC LIMIT 300) t
 WHERE statusreply <> 'PENDING';
INSERT INTO messageout_backup (msgoutid, tosocket, typemsg, message, status, waktu)
SELECT row_number() OVER (ORDER BY requesttime), 'H2H_' || billercode, '0200',
       '{"sku":"' || productcode || '","ref":"' || noref || '"}', '1', requesttime
  FROM tempmsg_backup WHERE msgid % 4 = 0;
INSERT INTO messagein_backup (msginid, fromsocket, typemsg, message, status, waktu)
SELECT row_number() OVER (ORDER BY requesttime), 'H2H_' || billercode, '0210',
       '{"rc":"' || responsecode || '","ref":"' || noref || '"}', '1', responsetime
  FROM tempmsg_backup WHERE msgid % 4 = 0 AND statusreply <> 'PENDING';

INSERT INTO timeoutresp (noref, billercode, requesttime, timeouttime, retry, status)
SELECT noref, billercode, requesttime, requesttime + interval '60 seconds', 1, '0'
  FROM tempmsg_backup WHERE responsecode <> '00' ORDER BY requesttime DESC LIMIT 50;

INSERT INTO tempmsg_va (va_number, agent_id, bank_name, amount, noref, requesttime, responsetime,
                        responsecode, statusreply)
SELECT v.va_number, v.agent_id, 'BNI', 100000 * (1 + g), 'VA' || g || substr(v.va_number, 4, 6),
       c.now_wib - g * interval '2 hours', c.now_wib - g * interval '2 hours' + interval '4 seconds',
       '00', 'SUKSES'
  FROM am_virtual_account v, demo_clock c, generate_series(1, 2) g
 WHERE v.agent_id IN (SELECT agent_id FROM demo_agents WHERE k <= 30);
INSERT INTO tempmsg_va_backup (id, va_number, agent_id, bank_name, amount, noref, requesttime,
                               responsetime, responsecode, statusreply)
SELECT g, v.va_number, v.agent_id, 'BNI', 250000, 'VAB' || g || substr(v.va_number, 4, 6),
       c.start_at + g * interval '5 days', c.start_at + g * interval '5 days' + interval '3 seconds',
       '00', 'SUKSES'
  FROM am_virtual_account v, demo_clock c, generate_series(1, 5) g
 WHERE v.agent_id IN (SELECT agent_id FROM demo_agents WHERE k <= 30);
INSERT INTO am_update_balance_bni_va_billing (trx_id, va_number, agent_id, amount, payment_ntb,
                                              datetime_payment, status)
SELECT 'BNI' || id, va_number, agent_id, amount, 'NTB' || lpad(id::text, 10, '0'), requesttime, '1'
  FROM tempmsg_va;

INSERT INTO emoney (trxcode, fromagent, fromaccount, toaccount, temp_from, amount, createtime,
                    exptime, responsetime, statusreply)
SELECT 'EM' || lpad(a.k::text, 8, '0'), a.agent_id, a.agent_id, '0896' || lpad(a.k::text, 8, '0'),
       '-', 50000, c.now_wib - a.k * interval '1 hour', c.now_wib - a.k * interval '1 hour' + interval '15 minutes',
       c.now_wib - a.k * interval '1 hour' + interval '5 seconds', 'SUKSES'
  FROM demo_agents a, demo_clock c WHERE a.k <= 12;
INSERT INTO emoney_backup (trxcode, fromaccount, toaccount, amount, createtime, exptime,
                           responsetime, statusreply)
SELECT 'EMB' || lpad(g::text, 8, '0'), '0812' || lpad(g::text, 8, '0'), '0896' || lpad(g::text, 8, '0'),
       25000 * (1 + g % 4), c.start_at + g * interval '9 hours', c.start_at + g * interval '9 hours' + interval '15 minutes',
       c.start_at + g * interval '9 hours' + interval '6 seconds', 'SUKSES'
  FROM demo_clock c, generate_series(1, 60) g;

INSERT INTO holding_account (agent_id, amount, reason, status, createtime, releasetime)
SELECT agent_id, 250000, 'Dana ditahan: transaksi mencurigakan', CASE WHEN k % 2 = 0 THEN '1' ELSE '0' END,
       (SELECT now_wib FROM demo_clock) - k * interval '1 day',
       CASE WHEN k % 2 = 0 THEN (SELECT now_wib FROM demo_clock) - k * interval '12 hours' END
  FROM demo_agents WHERE k % 97 = 5;

INSERT INTO blacklist (custno, reason, createby, createtime, status) VALUES
    ('081299990001', 'Penipuan pulsa dilaporkan operator', 'admin', now() - interval '40 days', '1'),
    ('08771464967', 'Chargeback berulang', 'dedi.fin', now() - interval '12 days', '1'),
    ('512345678901', 'Meter PLN diblokir atas permintaan PLN', 'admin', now() - interval '3 days', '0');

INSERT INTO am_user_trash (agent_id, agent_name, email, phonenumber, no_ktp, reason, deleted_by, deleted_date) VALUES
    ('081200000001', 'Agen Uji Coba', 'uji@ppob.example', '081200000001', '3171000000000001', 'Akun uji coba', 'admin', now() - interval '100 days'),
    ('085700000002', 'Hendra Fiktif', 'fiktif@ppob.example', '085700000002', '3171000000000002', 'KTP tidak valid', 'rina.cs', now() - interval '15 days');

INSERT INTO mm_bills (agent_id, trancodeid, custno, custname, periode, amount, due_date, status)
SELECT agent_id, 'PLNPASCA', '5' || lpad((k * 7907 % 10000000000)::text, 10, '0'), upper(agent_name),
       to_char((SELECT today FROM demo_clock), 'YYYYMM'), 150000 + k * 1000,
       ((SELECT today FROM demo_clock) + interval '20 days')::date, '0'
  FROM demo_agents WHERE k <= 15;

INSERT INTO transaction_achievement (periode, transaction, total_amount_transaction, profit, agentactive)
SELECT to_char(requesttime, 'YYYYMM'), count(*), sum(hargajual), sum(hargajual - hargabeli),
       count(DISTINCT fromagent)
  FROM tempmsg_backup WHERE responsecode = '00' GROUP BY 1;

ANALYZE;
