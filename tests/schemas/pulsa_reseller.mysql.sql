-- phpMyAdmin SQL Dump, as the pulsa/PPOB reseller panels sold in Indonesia export their database:
-- keys added after the tables, SET, YEAR, BIT, ENUM and TINYINT(1) columns, FLOAT and DOUBLE prices,
-- an AUTO_INCREMENT column that is not the key, ON UPDATE CURRENT_TIMESTAMP, a trigger that changes
-- a row on update, a table without a key, a view, and secrets under many spellings.
-- Columns whose values are secrets hold 'SECRET-...' markers: no page or export may show one.
/*!40101 SET NAMES utf8mb4 */;
SET time_zone = "+00:00";

CREATE TABLE `reseller` (
  `id` int(11) NOT NULL,
  `kode` varchar(10) NOT NULL,
  `nama` varchar(60) NOT NULL,
  `hp` varchar(15) NOT NULL,
  `saldo` decimal(15,2) NOT NULL DEFAULT 0.00,
  `level` enum('silver','gold','platinum') NOT NULL DEFAULT 'silver',
  `hak_akses` set('topup','transfer','laporan','admin') NOT NULL DEFAULT 'topup',
  `aktif` tinyint(1) NOT NULL DEFAULT 1,
  `flags` bit(8) NOT NULL DEFAULT b'0',
  `tahun_gabung` year(4) DEFAULT NULL,
  `pin` varchar(6) DEFAULT NULL,
  `kata_sandi` varchar(255) DEFAULT NULL,
  `alamat` varchar(255) NOT NULL DEFAULT '',
  `dibuat` timestamp NOT NULL DEFAULT current_timestamp(),
  `diubah` datetime(6) DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `produk` (
  `kode` varchar(20) NOT NULL,
  `nama` varchar(100) NOT NULL,
  `operator` enum('TELKOMSEL','INDOSAT','XL','TRI','SMARTFREN','PLN') NOT NULL,
  `harga_modal` double NOT NULL,
  `harga_jual` float NOT NULL,
  `aktif` bit(1) NOT NULL DEFAULT b'1',
  `urutan` int(11) NOT NULL,
  `diperbarui` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp()
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `transaksi` (
  `id` bigint(20) NOT NULL,
  `reseller_id` int(11) NOT NULL,
  `produk_kode` varchar(20) NOT NULL,
  `tujuan` varchar(20) NOT NULL,
  `harga` decimal(12,2) NOT NULL,
  `status` enum('pending','sukses','gagal') NOT NULL DEFAULT 'pending',
  `sn` varchar(100) NOT NULL DEFAULT '',
  `waktu` datetime NOT NULL DEFAULT current_timestamp()
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `deposit` (
  `id` int(11) NOT NULL,
  `reseller_id` int(11) NOT NULL,
  `nominal` decimal(15,2) NOT NULL,
  `bank` enum('BCA','BRI','BNI','MANDIRI') NOT NULL,
  `status` enum('menunggu','diterima','ditolak') NOT NULL DEFAULT 'menunggu',
  `bukti` mediumblob DEFAULT NULL,
  `dibuat` datetime NOT NULL DEFAULT current_timestamp()
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `api_client` (
  `id` int(11) NOT NULL,
  `reseller_id` int(11) NOT NULL,
  `apiKey` varchar(64) NOT NULL,
  `access_token` varchar(255) DEFAULT NULL,
  `private_key` text DEFAULT NULL,
  `callback_url` varchar(255) DEFAULT NULL,
  `ip_whitelist` varchar(255) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `inbox` (
  `pengirim` varchar(20) NOT NULL,
  `pesan` text NOT NULL,
  `waktu` datetime NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `setting` (
  `nama` varchar(50) NOT NULL,
  `nilai` text NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

ALTER TABLE `reseller`
  ADD PRIMARY KEY (`id`),
  ADD UNIQUE KEY `kode` (`kode`);
ALTER TABLE `produk`
  ADD PRIMARY KEY (`kode`),
  ADD KEY `urutan` (`urutan`);
ALTER TABLE `transaksi`
  ADD PRIMARY KEY (`id`),
  ADD KEY `reseller_id` (`reseller_id`),
  ADD KEY `produk_kode` (`produk_kode`);
ALTER TABLE `deposit`
  ADD PRIMARY KEY (`id`);
ALTER TABLE `api_client`
  ADD PRIMARY KEY (`id`);
ALTER TABLE `setting`
  ADD PRIMARY KEY (`nama`);

ALTER TABLE `reseller`
  MODIFY `id` int(11) NOT NULL AUTO_INCREMENT;
ALTER TABLE `produk`
  MODIFY `urutan` int(11) NOT NULL AUTO_INCREMENT;
ALTER TABLE `transaksi`
  MODIFY `id` bigint(20) NOT NULL AUTO_INCREMENT;
ALTER TABLE `deposit`
  MODIFY `id` int(11) NOT NULL AUTO_INCREMENT;
ALTER TABLE `api_client`
  MODIFY `id` int(11) NOT NULL AUTO_INCREMENT;

ALTER TABLE `transaksi`
  ADD CONSTRAINT `transaksi_ibfk_1` FOREIGN KEY (`reseller_id`) REFERENCES `reseller` (`id`),
  ADD CONSTRAINT `transaksi_ibfk_2` FOREIGN KEY (`produk_kode`) REFERENCES `produk` (`kode`);
ALTER TABLE `deposit`
  ADD CONSTRAINT `deposit_ibfk_1` FOREIGN KEY (`reseller_id`) REFERENCES `reseller` (`id`);
ALTER TABLE `api_client`
  ADD CONSTRAINT `api_client_ibfk_1` FOREIGN KEY (`reseller_id`) REFERENCES `reseller` (`id`);

CREATE TRIGGER `reseller_diubah` BEFORE UPDATE ON `reseller` FOR EACH ROW SET NEW.diubah = NOW(6);

CREATE VIEW `v_omzet_harian` AS
  SELECT CAST(`waktu` AS date) AS `tanggal`, COUNT(*) AS `transaksi`, SUM(`harga`) AS `omzet`,
         GROUP_CONCAT(DISTINCT `produk_kode`) AS `produk`
  FROM `transaksi` WHERE `status` = 'sukses' GROUP BY CAST(`waktu` AS date);

INSERT INTO `reseller` (`id`, `kode`, `nama`, `hp`, `saldo`, `level`, `hak_akses`, `aktif`, `flags`, `tahun_gabung`, `pin`, `kata_sandi`, `alamat`, `dibuat`, `diubah`) VALUES
(1, 'RS0001', 'Cahaya Cell', '081234567801', '1250000.00', 'gold', 'topup,transfer,laporan', 1, b'00000101', 2019, 'SECRET', 'SECRET-sandi-1', 'Jl. Pemuda No. 5, Semarang', '2026-01-05 03:00:00', '2026-11-01 08:00:00.123456'),
(2, 'RS0002', 'Berkah Pulsa', '081234567802', '0.00', 'silver', 'topup', 0, b'0', NULL, NULL, NULL, '', '2026-02-10 04:30:00', NULL),
(3, 'RS0003', 'Mitra Reload 88', '081234567803', '98500.50', 'platinum', 'topup,transfer,laporan,admin', 1, b'11111111', 2024, 'SECRET', 'SECRET-sandi-3', 'Ruko Cempaka Blok B-7, Medan', '2026-03-15 05:00:00', NULL);

INSERT INTO `produk` (`kode`, `nama`, `operator`, `harga_modal`, `harga_jual`, `aktif`, `urutan`, `diperbarui`) VALUES
('S10', 'Telkomsel 10.000', 'TELKOMSEL', 10150.5, 10500, b'1', 1, '2026-11-01 00:00:00'),
('I25', 'Indosat 25.000', 'INDOSAT', 24725.25, 25250.5, b'1', 2, '2026-11-01 00:00:00'),
('PLN50', 'Token PLN 50.000', 'PLN', 50100, 51500, b'0', 3, '2026-11-02 00:00:00');

INSERT INTO `transaksi` (`id`, `reseller_id`, `produk_kode`, `tujuan`, `harga`, `status`, `sn`, `waktu`) VALUES
(1, 1, 'S10', '081311112222', '10500.00', 'sukses', '0412345678901234', '2026-11-20 08:45:35'),
(2, 1, 'PLN50', '32123456789', '51500.00', 'gagal', '', '2026-11-20 09:01:02'),
(3, 3, 'I25', '085612345678', '25250.00', 'pending', '', '2026-11-21 10:00:00');

INSERT INTO `deposit` (`id`, `reseller_id`, `nominal`, `bank`, `status`, `bukti`, `dibuat`) VALUES
(1, 1, '500000.00', 'BCA', 'diterima', 0x89504e47, '2026-11-19 02:00:00'),
(2, 3, '100000.00', 'BRI', 'menunggu', NULL, '2026-11-21 03:00:00');

INSERT INTO `api_client` (`id`, `reseller_id`, `apiKey`, `access_token`, `private_key`, `callback_url`, `ip_whitelist`) VALUES
(1, 3, 'SECRET-apikey-3', 'SECRET-token-3', 'SECRET-private-3', 'https://mitra88.example.id/callback', '');

INSERT INTO `inbox` (`pengirim`, `pesan`, `waktu`) VALUES
('081234567801', 'S10.081311112222.1234', '2026-11-20 08:45:30'),
('081234567801', 'S10.081311112222.1234', '2026-11-20 08:45:30');

INSERT INTO `setting` (`nama`, `nilai`) VALUES
('nama_toko', 'Pulsa Murah Nusantara'),
('footer_struk', '');
