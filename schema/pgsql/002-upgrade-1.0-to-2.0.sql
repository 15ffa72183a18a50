-- dora PostgreSQL schema 1.0 -> 2.0: pool_id, the reclamation index, host
-- reservations and their options.
ALTER TABLE lease4 ADD COLUMN pool_id BIGINT NOT NULL DEFAULT 0;
CREATE INDEX lease4_by_subnet ON lease4 (subnet_id);
CREATE INDEX lease4_by_state_expire ON lease4 (state, expire);

CREATE TABLE hosts (
    host_id               SERIAL PRIMARY KEY,
    dhcp_identifier       BYTEA NOT NULL,
    dhcp_identifier_type  SMALLINT NOT NULL,
    dhcp4_subnet_id       BIGINT NOT NULL DEFAULT 0,
    ipv4_address          BIGINT NULL,
    hostname              VARCHAR(255) NOT NULL DEFAULT '',
    dhcp4_client_classes  VARCHAR(255) NOT NULL DEFAULT '',
    dhcp4_next_server     BIGINT NULL,
    dhcp4_server_hostname VARCHAR(64) NOT NULL DEFAULT '',
    dhcp4_boot_file_name  VARCHAR(128) NOT NULL DEFAULT '',
    UNIQUE (dhcp_identifier, dhcp_identifier_type, dhcp4_subnet_id),
    UNIQUE (ipv4_address, dhcp4_subnet_id)
);

CREATE TABLE dhcp4_options (
    option_id       SERIAL PRIMARY KEY,
    code            SMALLINT NOT NULL,
    value           BYTEA NULL,
    formatted_value TEXT NULL,
    space           VARCHAR(128) NOT NULL DEFAULT 'dhcp4',
    persistent      BOOLEAN NOT NULL DEFAULT false,
    host_id         INT NOT NULL REFERENCES hosts (host_id) ON DELETE CASCADE
);
CREATE INDEX fk_dhcp4_options_host ON dhcp4_options (host_id);

UPDATE schema_version SET version = 2, minor = 0;
