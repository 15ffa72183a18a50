-- dora PostgreSQL schema 1.0: leases only (see schema/mysql/001-initial.sql).
-- Integers are BIGINT where MySQL has INT UNSIGNED (PostgreSQL has no
-- unsigned types); binary columns are BYTEA.
CREATE TABLE lease4 (
    address        BIGINT NOT NULL PRIMARY KEY,
    hwaddr         BYTEA NOT NULL DEFAULT '',
    client_id      BYTEA NOT NULL DEFAULT '',
    valid_lifetime BIGINT NOT NULL,
    expire         BIGINT NOT NULL,
    subnet_id      BIGINT NOT NULL,
    fqdn_fwd       BOOLEAN NOT NULL DEFAULT false,
    fqdn_rev       BOOLEAN NOT NULL DEFAULT false,
    hostname       BYTEA NOT NULL DEFAULT '',
    state          SMALLINT NOT NULL DEFAULT 0
);
CREATE INDEX lease4_by_hwaddr_subnet ON lease4 (hwaddr, subnet_id);
CREATE INDEX lease4_by_client_id_subnet ON lease4 (client_id, subnet_id);

CREATE TABLE schema_version (
    version INT NOT NULL PRIMARY KEY,
    minor   INT NOT NULL
);
INSERT INTO schema_version VALUES (1, 0);
