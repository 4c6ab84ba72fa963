-- The IT-support store-visit app (the source's third system), in a schema of its own.
CREATE SCHEMA store_visit;
CREATE TABLE store_visit.branches (id serial PRIMARY KEY, name varchar(60) NOT NULL, city varchar(40));
CREATE TABLE store_visit.stores (
    code varchar(10) PRIMARY KEY,
    branch_id integer NOT NULL REFERENCES store_visit.branches (id),
    name varchar(80) NOT NULL,
    address varchar(200)
);
CREATE TABLE store_visit.it_staff (id serial PRIMARY KEY, name varchar(60) NOT NULL, phone varchar(20), pin varchar(10));
CREATE TABLE store_visit.coverage (
    staff_id integer REFERENCES store_visit.it_staff (id),
    store_code varchar(10) REFERENCES store_visit.stores (code),
    PRIMARY KEY (staff_id, store_code)
);
CREATE TABLE store_visit.visit_schedules (
    id serial PRIMARY KEY,
    staff_id integer NOT NULL REFERENCES store_visit.it_staff (id),
    store_code varchar(10) NOT NULL REFERENCES store_visit.stores (code),
    planned_on date NOT NULL,
    done boolean NOT NULL DEFAULT false,
    report text
);
INSERT INTO store_visit.branches (name, city) VALUES ('Jakarta Barat', 'Jakarta'), ('Bandung', 'Bandung');
INSERT INTO store_visit.stores VALUES ('JKB01', 1, 'Toko Grogol', 'Jl. Daan Mogot 1'), ('BDG01', 2, 'Toko Dago', 'Jl. Dago 2');
INSERT INTO store_visit.it_staff (name, phone, pin) VALUES ('Rudi', '081300000001', '1234');
INSERT INTO store_visit.coverage VALUES (1, 'JKB01'), (1, 'BDG01');
INSERT INTO store_visit.visit_schedules (staff_id, store_code, planned_on) VALUES (1, 'JKB01', '2026-11-24');
