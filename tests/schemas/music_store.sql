-- A classic sample database's shape (a music shop, as Chinook has it): PascalCase quoted names,
-- a self-referencing foreign key, a many-to-many table keyed on both sides, composite foreign keys
-- onto a composite key, float columns, and an ordinary mix of NULLs.
CREATE TABLE "Artist" ("ArtistId" integer PRIMARY KEY, "Name" varchar(120));
CREATE TABLE "Album" (
    "AlbumId" integer PRIMARY KEY,
    "Title" varchar(160) NOT NULL,
    "ArtistId" integer NOT NULL REFERENCES "Artist" ("ArtistId")
);
CREATE TABLE "MediaType" ("MediaTypeId" integer PRIMARY KEY, "Name" varchar(120));
CREATE TABLE "Genre" ("GenreId" integer PRIMARY KEY, "Name" varchar(120));
CREATE TABLE "Track" (
    "TrackId" integer PRIMARY KEY,
    "Name" varchar(200) NOT NULL,
    "AlbumId" integer REFERENCES "Album" ("AlbumId"),
    "MediaTypeId" integer NOT NULL REFERENCES "MediaType" ("MediaTypeId"),
    "GenreId" integer REFERENCES "Genre" ("GenreId"),
    "Composer" varchar(220),
    "Milliseconds" integer NOT NULL,
    "Bytes" integer,
    "UnitPrice" numeric(10, 2) NOT NULL,
    "Rating" double precision
);
CREATE TABLE "Employee" (
    "EmployeeId" integer PRIMARY KEY,
    "LastName" varchar(20) NOT NULL,
    "FirstName" varchar(20) NOT NULL,
    "Title" varchar(30),
    "ReportsTo" integer REFERENCES "Employee" ("EmployeeId"),
    "BirthDate" timestamp,
    "HireDate" timestamp,
    "Email" varchar(60)
);
CREATE TABLE "Customer" (
    "CustomerId" integer PRIMARY KEY,
    "FirstName" varchar(40) NOT NULL,
    "LastName" varchar(20) NOT NULL,
    "Company" varchar(80),
    "City" varchar(40),
    "Country" varchar(40),
    "Email" varchar(60) NOT NULL,
    "SupportRepId" integer REFERENCES "Employee" ("EmployeeId")
);
CREATE TABLE "Invoice" (
    "InvoiceId" integer PRIMARY KEY,
    "CustomerId" integer NOT NULL REFERENCES "Customer" ("CustomerId"),
    "InvoiceDate" timestamp NOT NULL,
    "BillingCity" varchar(40),
    "Total" numeric(10, 2) NOT NULL
);
CREATE TABLE "InvoiceLine" (
    "InvoiceLineId" integer PRIMARY KEY,
    "InvoiceId" integer NOT NULL REFERENCES "Invoice" ("InvoiceId"),
    "TrackId" integer NOT NULL REFERENCES "Track" ("TrackId"),
    "UnitPrice" numeric(10, 2) NOT NULL,
    "Quantity" integer NOT NULL,
    "Discount" real NOT NULL DEFAULT 0
);
CREATE TABLE "Playlist" ("PlaylistId" integer PRIMARY KEY, "Name" varchar(120));
CREATE TABLE "PlaylistTrack" (
    "PlaylistId" integer NOT NULL REFERENCES "Playlist" ("PlaylistId"),
    "TrackId" integer NOT NULL REFERENCES "Track" ("TrackId"),
    PRIMARY KEY ("PlaylistId", "TrackId")
);
-- Plays of a track in a playlist: a composite foreign key onto the composite key above.
CREATE TABLE "PlaylistPlay" (
    "PlayId" bigserial PRIMARY KEY,
    "PlaylistId" integer NOT NULL,
    "TrackId" integer NOT NULL,
    "PlayedAt" timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY ("PlaylistId", "TrackId") REFERENCES "PlaylistTrack" ("PlaylistId", "TrackId")
);

INSERT INTO "Artist" VALUES (1, 'Dewa 19'), (2, 'Iwan Fals'), (3, NULL);
INSERT INTO "Album" VALUES (1, 'Bintang Lima', 1), (2, 'Sarjana Muda', 2);
INSERT INTO "MediaType" VALUES (1, 'MPEG audio file'), (2, 'AAC audio file');
INSERT INTO "Genre" VALUES (1, 'Rock'), (2, 'Pop'), (3, 'Folk');
INSERT INTO "Track" VALUES
    (1, 'Separuh Nafasku', 1, 1, 1, 'Ahmad Dhani', 273000, 8765432, 9900.00, 4.5),
    (2, 'Roman Picisan', 1, 1, 2, 'Ahmad Dhani', 301000, NULL, 9900.00, NULL),
    (3, 'Sarjana Muda', 2, 2, 3, NULL, 259000, 4123456, 7500.00, 4.875);
INSERT INTO "Employee" VALUES
    (1, 'Wijaya', 'Andi', 'General Manager', NULL, '1975-02-18 00:00:00', '2015-08-14 00:00:00', 'andi@toko-musik.id'),
    (2, 'Lestari', 'Putri', 'Sales Support Agent', 1, '1990-08-29 00:00:00', '2019-04-01 00:00:00', 'putri@toko-musik.id');
INSERT INTO "Customer" VALUES
    (1, 'Rina', 'Saputri', NULL, 'Yogyakarta', 'Indonesia', 'rina@example.id', 2),
    (2, 'Joko', 'Santoso', 'PT Nada Abadi', 'Surabaya', 'Indonesia', 'joko@nada-abadi.co.id', 2);
INSERT INTO "Invoice" VALUES (1, 1, '2026-11-01 10:00:00', 'Yogyakarta', 19800.00), (2, 2, '2026-11-02 11:30:00', NULL, 7500.00);
INSERT INTO "InvoiceLine" VALUES (1, 1, 1, 9900.00, 1, 0), (2, 1, 2, 9900.00, 1, 0.1), (3, 2, 3, 7500.00, 1, 0);
INSERT INTO "Playlist" VALUES (1, 'Favorit'), (2, 'Perjalanan');
INSERT INTO "PlaylistTrack" VALUES (1, 1), (1, 3), (2, 2);
INSERT INTO "PlaylistPlay" ("PlaylistId", "TrackId", "PlayedAt") VALUES (1, 1, '2026-11-20 20:00:00+07'), (1, 3, '2026-11-21 06:30:00+07');
