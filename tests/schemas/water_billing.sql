-- A water utility's billing back office (PDAM), shaped like the real ones: every table in a schema
-- of its own (nothing in public), domains over numbers and codes, float and double readings, enums,
-- arrays, ranges, money, inet, bit strings, a generated column, a partitioned table, a composite
-- foreign key onto a composite key, NOT NULL text holding '', a trigger that changes a row on
-- update, a never-analysed table over the select threshold, views written with an aggregate and
-- with a PL/pgSQL function, and materialized views (one never populated).
-- Columns whose values are secrets hold 'SECRET-...' markers: no page or export may show one.
CREATE SCHEMA pdam;

CREATE DOMAIN pdam.rupiah AS numeric(14, 2) CHECK (VALUE >= 0);
CREATE DOMAIN pdam.no_sambungan AS varchar(10) CHECK (VALUE ~ '^[0-9]+$');
CREATE TYPE pdam.status_pelanggan AS ENUM ('aktif', 'putus_sementara', 'cabut');
CREATE TYPE pdam.kanal AS ENUM ('loket', 'telepon', 'whatsapp', 'aplikasi');

CREATE TABLE pdam.wilayah (
    id smallserial PRIMARY KEY,
    nama varchar(60) NOT NULL,
    kode_pos char(5),
    lokasi point
);
CREATE TABLE pdam.golongan_tarif (
    kode varchar(4) PRIMARY KEY,
    nama varchar(60) NOT NULL,
    tarif_per_m3 pdam.rupiah NOT NULL,
    tarif_lama money,
    berlaku daterange NOT NULL,
    blok_m3 int4range,
    keterangan text NOT NULL DEFAULT ''
);
CREATE TABLE pdam.pelanggan (
    no_sambungan pdam.no_sambungan PRIMARY KEY,
    nama varchar(80) NOT NULL,
    alamat text NOT NULL DEFAULT '',
    kode_tarif varchar(4) NOT NULL REFERENCES pdam.golongan_tarif (kode),
    wilayah_id smallint REFERENCES pdam.wilayah (id),
    status pdam.status_pelanggan NOT NULL DEFAULT 'aktif',
    telepon varchar(20),
    tgl_pasang date,
    diameter_pipa real,
    lat double precision,
    lng double precision,
    label text[] DEFAULT '{}',
    catatan jsonb,
    flags bit(4) NOT NULL DEFAULT B'0000',
    api_key varchar(40),
    kata_sandi varchar(100),
    diubah timestamptz NOT NULL DEFAULT now()
);
CREATE FUNCTION pdam.tandai_diubah() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.diubah := clock_timestamp();
    RETURN NEW;
END $$;
CREATE TRIGGER pelanggan_diubah BEFORE UPDATE ON pdam.pelanggan
    FOR EACH ROW EXECUTE FUNCTION pdam.tandai_diubah();

CREATE TABLE pdam.periode (
    tahun smallint,
    bulan smallint CHECK (bulan BETWEEN 1 AND 12),
    ditutup boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tahun, bulan)
);
CREATE TABLE pdam.tagihan (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    no_sambungan pdam.no_sambungan NOT NULL REFERENCES pdam.pelanggan (no_sambungan),
    tahun smallint NOT NULL,
    bulan smallint NOT NULL,
    pemakaian_m3 numeric(10, 2) NOT NULL,
    biaya_air pdam.rupiah NOT NULL,
    biaya_admin pdam.rupiah NOT NULL DEFAULT 2500,
    total numeric(14, 2) GENERATED ALWAYS AS (biaya_air + biaya_admin) STORED,
    lunas boolean,
    dibayar_pada timestamp,
    FOREIGN KEY (tahun, bulan) REFERENCES pdam.periode (tahun, bulan)
);
CREATE TABLE pdam.baca_meter (
    id bigserial,
    no_sambungan pdam.no_sambungan NOT NULL,
    dibaca_pada date NOT NULL,
    angka_meter double precision NOT NULL,
    foto bytea,
    PRIMARY KEY (id, dibaca_pada)
) PARTITION BY RANGE (dibaca_pada);
CREATE TABLE pdam.baca_meter_2026_10 PARTITION OF pdam.baca_meter FOR VALUES FROM ('2026-10-01') TO ('2026-11-01');
CREATE TABLE pdam.baca_meter_2026_11 PARTITION OF pdam.baca_meter FOR VALUES FROM ('2026-11-01') TO ('2026-12-01');

-- Field officers: more rows than a select offers, and never analysed (autovacuum is off for it),
-- so the planner's estimate is -1.
CREATE TABLE pdam.petugas (
    id serial PRIMARY KEY,
    nip varchar(18) NOT NULL UNIQUE,
    nama varchar(60) NOT NULL,
    pin varchar(6),
    kunci_loker varchar(10)
) WITH (autovacuum_enabled = false);
CREATE TABLE pdam.pengaduan (
    id serial PRIMARY KEY,
    no_sambungan pdam.no_sambungan NOT NULL REFERENCES pdam.pelanggan (no_sambungan),
    petugas_id integer REFERENCES pdam.petugas (id),
    kanal pdam.kanal NOT NULL DEFAULT 'loket',
    isi text NOT NULL,
    dibuat timestamptz NOT NULL DEFAULT now(),
    lama_penanganan interval,
    lampiran bytea,
    cari tsvector
);
CREATE TABLE pdam.sesi_petugas (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    petugas_id integer NOT NULL REFERENCES pdam.petugas (id),
    alamat_ip inet,
    perangkat macaddr,
    izin varbit(16),
    "accessToken" text,
    refresh_token text,
    session_start timestamptz NOT NULL DEFAULT now()
);

CREATE VIEW pdam.pelanggan_per_wilayah AS
    SELECT w.id, w.nama, count(p.no_sambungan) AS pelanggan, string_agg(p.nama, ', ') AS daftar
    FROM pdam.wilayah w LEFT JOIN pdam.pelanggan p ON p.wilayah_id = w.id GROUP BY w.id, w.nama;
CREATE FUNCTION pdam.denda(jatuh_tempo date) RETURNS numeric LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN greatest(current_date - jatuh_tempo, 0) * 1000;
END $$;
-- Overdue bills: their age is computed at every read (now()), so it is never the same twice.
CREATE VIEW pdam.tunggakan AS
    SELECT t.id, t.no_sambungan, t.total, make_date(t.tahun, t.bulan, 20) AS jatuh_tempo,
           pdam.denda(make_date(t.tahun, t.bulan, 20)) AS denda,
           clock_timestamp() - make_date(t.tahun, t.bulan, 20) AS umur, p.catatan
    FROM pdam.tagihan t JOIN pdam.pelanggan p USING (no_sambungan) WHERE t.lunas IS NOT TRUE;
CREATE MATERIALIZED VIEW pdam.rekap_bulanan AS
    SELECT tahun, bulan, count(*) AS tagihan, sum(total) AS nilai FROM pdam.tagihan GROUP BY tahun, bulan;
CREATE MATERIALIZED VIEW pdam.rekap_wilayah AS
    SELECT p.wilayah_id, sum(t.total) AS nilai FROM pdam.tagihan t JOIN pdam.pelanggan p USING (no_sambungan)
    GROUP BY p.wilayah_id WITH NO DATA;

INSERT INTO pdam.wilayah (nama, kode_pos, lokasi) VALUES
    ('Kecamatan Cibeunying', '40122', '(-6.8993, 107.6266)'),
    ('Kecamatan Coblong', '40132', '(-6.8855, 107.6139)'),
    ('Kecamatan Sukajadi', '40162', NULL);
INSERT INTO pdam.golongan_tarif VALUES
    ('R1', 'Rumah Tangga 1', 3500, '3000.00', '[2026-01-01,2027-01-01)', '[0,10)', ''),
    ('R2', 'Rumah Tangga 2', 5200, NULL, '[2026-01-01,)', '[10,20)', 'Tarif progresif blok kedua'),
    ('N1', 'Niaga Kecil', 7800, '6500.00', '[2026-01-01,2027-01-01)', NULL, '');
INSERT INTO pdam.pelanggan (no_sambungan, nama, alamat, kode_tarif, wilayah_id, status, telepon, tgl_pasang,
                            diameter_pipa, lat, lng, label, catatan, flags, api_key, kata_sandi, diubah) VALUES
    ('0101000123', 'Hj. Euis Kurniasih', 'Jl. Cikutra No. 12', 'R1', 1, 'aktif', '081322110001', '2015-03-02',
     0.5, -6.899312345678, 107.626601234567, '{prioritas}', '{"meter": "Linflow"}', B'1010', 'SECRET-api-1', 'SECRET-sandi-1', '2026-11-01 08:00:00.123456+07'),
    ('0101000456', 'Dadang Suhendar', '', 'R2', 1, 'putus_sementara', NULL, NULL,
     0.75, NULL, NULL, '{}', NULL, B'0000', NULL, NULL, '2026-11-02 09:30:00+07'),
    ('0202000789', 'CV Sumber Rejeki', 'Jl. Dago No. 101', 'N1', 2, 'aktif', '0222500789', '2019-07-15',
     1, -6.8855, 107.6139, '{niaga,"dua kata"}', '{"npwp": "01.234.567.8-423.000"}', B'0001', 'SECRET-api-2', NULL, '2026-11-03 10:00:00+07');
INSERT INTO pdam.periode VALUES (2026, 9, true), (2026, 10, true), (2026, 11, false);
INSERT INTO pdam.tagihan (no_sambungan, tahun, bulan, pemakaian_m3, biaya_air, lunas, dibayar_pada) VALUES
    ('0101000123', 2026, 10, 12.5, 52500, true, '2026-11-05 10:11:12.345678'),
    ('0101000123', 2026, 11, 9.25, 32375, NULL, NULL),
    ('0202000789', 2026, 11, 40, 312000, false, NULL);
INSERT INTO pdam.baca_meter (no_sambungan, dibaca_pada, angka_meter, foto) VALUES
    ('0101000123', '2026-10-20', 1203.25, '\xffd8ffe0'),
    ('0101000123', '2026-11-20', 1212.5, NULL),
    ('0202000789', '2026-11-21', 8801.125, NULL);
INSERT INTO pdam.petugas (nip, nama, pin, kunci_loker)
    SELECT '1980' || lpad(g::text, 14, '0'), 'Petugas ' || lpad(g::text, 4, '0'), 'SECRET', 'L-' || mod(g, 40)
    FROM generate_series(1, 1200) AS g;
-- The first complaint in the list refers to an officer past the first 1,000 a select would offer.
INSERT INTO pdam.pengaduan (no_sambungan, petugas_id, kanal, isi, dibuat, lama_penanganan, lampiran, cari) VALUES
    ('0101000123', 3, 'telepon', 'Air keruh sejak pagi', '2026-11-20 07:15:00+07', '02:30:00', NULL, to_tsvector('simple', 'air keruh')),
    ('0202000789', 1150, 'whatsapp', 'Meteran bocor di depan toko', '2026-11-25 13:05:00+07', NULL, '\x25504446', NULL);
INSERT INTO pdam.sesi_petugas (petugas_id, alamat_ip, perangkat, izin, "accessToken", refresh_token, session_start) VALUES
    (3, '10.20.30.40', '08:00:2b:01:02:03', B'101', 'SECRET-access', 'SECRET-refresh', '2026-11-20 07:00:00+07');
REFRESH MATERIALIZED VIEW pdam.rekap_bulanan;
