-- The IT-support store-visit app, beside it in the same MariaDB/MySQL database.
CREATE TABLE branches (id int AUTO_INCREMENT PRIMARY KEY, name varchar(60) NOT NULL, city varchar(40));
CREATE TABLE stores (
    code varchar(10) PRIMARY KEY, branch_id int NOT NULL, name varchar(80) NOT NULL, address varchar(200),
    FOREIGN KEY (branch_id) REFERENCES branches (id)
);
CREATE TABLE it_staff (id int AUTO_INCREMENT PRIMARY KEY, name varchar(60) NOT NULL, phone varchar(20), pin varchar(10));
CREATE TABLE coverage (
    staff_id int, store_code varchar(10), PRIMARY KEY (staff_id, store_code),
    FOREIGN KEY (staff_id) REFERENCES it_staff (id), FOREIGN KEY (store_code) REFERENCES stores (code)
);
CREATE TABLE visit_schedules (
    id int AUTO_INCREMENT PRIMARY KEY, staff_id int NOT NULL, store_code varchar(10) NOT NULL,
    planned_on date NOT NULL, done boolean NOT NULL DEFAULT false, report text,
    FOREIGN KEY (staff_id) REFERENCES it_staff (id), FOREIGN KEY (store_code) REFERENCES stores (code)
);
INSERT INTO branches (name, city) VALUES ('Jakarta Barat', 'Jakarta'), ('Bandung', 'Bandung');
INSERT INTO stores VALUES ('JKB01', 1, 'Toko Grogol', 'Jl. Daan Mogot 1'), ('BDG01', 2, 'Toko Dago', 'Jl. Dago 2');
INSERT INTO it_staff (name, phone, pin) VALUES ('Rudi', '081300000001', '1234');
INSERT INTO coverage VALUES (1, 'JKB01'), (1, 'BDG01');
INSERT INTO visit_schedules (staff_id, store_code, planned_on) VALUES (1, 'JKB01', '2026-11-24');
