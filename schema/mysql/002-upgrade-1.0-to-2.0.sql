-- dora MariaDB/MySQL schema 1.0 -> 2.0: pool_id, the reclamation index,
-- host reservations and their options.
ALTER TABLE lease4
    ADD COLUMN pool_id INT UNSIGNED NOT NULL DEFAULT 0,
    ADD INDEX lease4_by_subnet (subnet_id),
    ADD INDEX lease4_by_state_expire (state, expire);

CREATE TABLE hosts (
    host_id               INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    dhcp_identifier       VARBINARY(128) NOT NULL,
    dhcp_identifier_type  TINYINT UNSIGNED NOT NULL,  -- 0 hw-address, 1 duid, 2 circuit-id, 3 client-id, 4 flex-id
    dhcp4_subnet_id       INT UNSIGNED NOT NULL DEFAULT 0,   -- 0 = global
    ipv4_address          INT UNSIGNED NULL,
    hostname              VARCHAR(255) NOT NULL DEFAULT '',
    dhcp4_client_classes  VARCHAR(255) NOT NULL DEFAULT '',
    dhcp4_next_server     INT UNSIGNED NULL,
    dhcp4_server_hostname VARCHAR(64) NOT NULL DEFAULT '',
    dhcp4_boot_file_name  VARCHAR(128) NOT NULL DEFAULT '',
    UNIQUE KEY key_dhcp4_identifier_subnet_id (dhcp_identifier, dhcp_identifier_type, dhcp4_subnet_id),
    UNIQUE KEY key_dhcp4_ipv4_address_subnet_id (ipv4_address, dhcp4_subnet_id)
) ENGINE = InnoDB;

CREATE TABLE dhcp4_options (
    option_id       INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    code            TINYINT UNSIGNED NOT NULL,
    value           VARBINARY(255) NULL,
    formatted_value TEXT NULL,
    space           VARCHAR(128) NOT NULL DEFAULT 'dhcp4',
    persistent      TINYINT NOT NULL DEFAULT 0,
    host_id         INT UNSIGNED NOT NULL,
    INDEX fk_dhcp4_options_host (host_id),
    CONSTRAINT fk_dhcp4_options_host FOREIGN KEY (host_id) REFERENCES hosts (host_id) ON DELETE CASCADE
) ENGINE = InnoDB;

UPDATE schema_version SET version = 2, minor = 0;
