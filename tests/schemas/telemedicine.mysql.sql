-- The telemedicine back office on MariaDB/MySQL, as the source runs it.
CREATE TABLE specialisations (id int AUTO_INCREMENT PRIMARY KEY, name varchar(80) NOT NULL UNIQUE);
CREATE TABLE doctors (
    id int AUTO_INCREMENT PRIMARY KEY,
    specialisation_id int NOT NULL,
    name varchar(80) NOT NULL,
    str_number varchar(30),
    password_hash varchar(200),
    FOREIGN KEY (specialisation_id) REFERENCES specialisations (id)
);
CREATE TABLE patients (
    id char(36) PRIMARY KEY,
    name varchar(80) NOT NULL,
    phone varchar(20),
    birth_date date,
    allergies json,
    photo blob
);
CREATE TABLE consultations (
    id bigint AUTO_INCREMENT PRIMARY KEY,
    patient_id char(36) NOT NULL,
    doctor_id int NOT NULL,
    status enum('booked', 'done', 'cancelled') NOT NULL DEFAULT 'booked',
    started_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    notes text,
    FOREIGN KEY (patient_id) REFERENCES patients (id),
    FOREIGN KEY (doctor_id) REFERENCES doctors (id)
);
CREATE TABLE activity_log (happened_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP, actor varchar(60), action varchar(40));
CREATE TABLE doctor_schedule (
    doctor_id int, weekday smallint, opens time NOT NULL, closes time NOT NULL,
    PRIMARY KEY (doctor_id, weekday), FOREIGN KEY (doctor_id) REFERENCES doctors (id)
);
CREATE VIEW doctor_load AS
    SELECT d.name, count(c.id) AS consultations FROM doctors d LEFT JOIN consultations c ON c.doctor_id = d.id GROUP BY d.name;

INSERT INTO specialisations (name) VALUES ('Umum'), ('Anak'), ('Kulit');
INSERT INTO doctors (specialisation_id, name, str_number, password_hash) VALUES
    (1, 'dr. Sari', 'STR-001', 'scrypt:secret'), (2, 'dr. Budi, Sp.A', 'STR-002', 'scrypt:secret');
INSERT INTO patients VALUES
    ('7a1f0c4e-0000-4000-8000-000000000001', 'Ani', '081200000001', '1990-01-02', '["penisilin"]', NULL),
    ('7a1f0c4e-0000-4000-8000-000000000002', 'Bayu', '081200000002', '1985-05-06', '[]', NULL);
INSERT INTO consultations (patient_id, doctor_id, status, notes) VALUES
    ('7a1f0c4e-0000-4000-8000-000000000001', 1, 'done', 'Demam'),
    ('7a1f0c4e-0000-4000-8000-000000000002', 2, 'booked', NULL);
INSERT INTO activity_log (actor, action) VALUES ('admin', 'login'), ('admin', 'login');
INSERT INTO doctor_schedule VALUES (1, 1, '08:00', '12:00'), (1, 2, '13:00', '17:00');
