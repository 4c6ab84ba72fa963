-- A telemedicine back office (the source's second system), in public, with the shapes an
-- existing database brings: enums, arrays, json, uuid, bytea, tsvector, a composite key, a table
-- without a key, mixed-case and reserved names, inheritance, partitions, a view, a materialized view.
CREATE TYPE consultation_status AS ENUM ('booked', 'done', 'cancelled');

CREATE TABLE specialisations (
    id serial PRIMARY KEY,
    name varchar(80) NOT NULL UNIQUE
);
CREATE TABLE doctors (
    id serial PRIMARY KEY,
    specialisation_id integer NOT NULL REFERENCES specialisations (id),
    name varchar(80) NOT NULL,
    str_number varchar(30),
    languages text[] DEFAULT '{id}',
    password_hash varchar(200)
);
CREATE TABLE patients (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name varchar(80) NOT NULL,
    phone varchar(20),
    birth_date date,
    allergies jsonb DEFAULT '[]',
    photo bytea,
    search tsvector
);
CREATE TABLE consultations (
    id bigserial PRIMARY KEY,
    patient_id uuid NOT NULL REFERENCES patients (id),
    doctor_id integer NOT NULL REFERENCES doctors (id),
    status consultation_status NOT NULL DEFAULT 'booked',
    started_at timestamp NOT NULL DEFAULT now(),
    duration interval,
    notes text
);
CREATE TABLE activity_log (
    happened_at timestamp NOT NULL DEFAULT now(),
    actor varchar(60),
    action varchar(40)
);
CREATE TABLE doctor_schedule (
    doctor_id integer REFERENCES doctors (id),
    weekday smallint,
    opens time NOT NULL,
    closes time NOT NULL,
    PRIMARY KEY (doctor_id, weekday)
);
CREATE TABLE "Lab Results" ("Result Id" serial PRIMARY KEY, "Patient" uuid REFERENCES patients (id), "Value" numeric(8, 2));
CREATE TABLE "user" (id serial PRIMARY KEY, "select" varchar(20), "order" integer);
CREATE TABLE payments (id serial PRIMARY KEY, amount numeric(12, 2) NOT NULL);
CREATE TABLE insurance_payments (insurer varchar(40)) INHERITS (payments);
CREATE TABLE readings (taken_at date NOT NULL, value numeric, PRIMARY KEY (taken_at)) PARTITION BY RANGE (taken_at);
CREATE TABLE readings_2026 PARTITION OF readings FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE VIEW doctor_load AS
    SELECT d.name, count(c.id) AS consultations FROM doctors d LEFT JOIN consultations c ON c.doctor_id = d.id GROUP BY d.name;
CREATE MATERIALIZED VIEW daily_consultations AS
    SELECT started_at::date AS day, count(*) AS consultations FROM consultations GROUP BY 1;

INSERT INTO specialisations (name) VALUES ('Umum'), ('Anak'), ('Kulit');
INSERT INTO doctors (specialisation_id, name, str_number, languages, password_hash) VALUES
    (1, 'dr. Sari', 'STR-001', '{id,en}', 'scrypt:secret'), (2, 'dr. Budi, Sp.A', 'STR-002', '{id}', 'scrypt:secret');
INSERT INTO patients (id, name, phone, birth_date, allergies, photo, search) VALUES
    ('7a1f0c4e-0000-4000-8000-000000000001', 'Ani', '081200000001', '1990-01-02', '["penisilin"]', '\x89504e47', to_tsvector('simple', 'Ani')),
    ('7a1f0c4e-0000-4000-8000-000000000002', 'Bayu', '081200000002', '1985-05-06', '[]', NULL, NULL);
INSERT INTO consultations (patient_id, doctor_id, status, duration, notes) VALUES
    ('7a1f0c4e-0000-4000-8000-000000000001', 1, 'done', '00:15:00', 'Demam'),
    ('7a1f0c4e-0000-4000-8000-000000000002', 2, 'booked', NULL, NULL);
INSERT INTO activity_log (actor, action) VALUES ('admin', 'login'), ('admin', 'login');
INSERT INTO doctor_schedule VALUES (1, 1, '08:00', '12:00'), (1, 2, '13:00', '17:00');
INSERT INTO "Lab Results" ("Patient", "Value") VALUES ('7a1f0c4e-0000-4000-8000-000000000001', 5.4);
INSERT INTO "user" ("select", "order") VALUES ('a', 1);
INSERT INTO payments (amount) VALUES (150000);
INSERT INTO insurance_payments (amount, insurer) VALUES (250000, 'BPJS');
INSERT INTO readings VALUES ('2026-11-20', 37.5);
REFRESH MATERIALIZED VIEW daily_consultations;
