-- dora MariaDB/MySQL schema 1.0: leases only.
-- Applied by dora-admin db-init (with every later script) or kept as the
-- starting point of db-upgrade. Times are unix seconds (BIGINT), so the
-- database time zone does not matter and there is no 2038 cap.
CREATE TABLE lease4 (
    address        INT UNSIGNED NOT NULL PRIMARY KEY,   -- the arbiter between servers
    hwaddr         VARBINARY(20) NOT NULL DEFAULT '',
    client_id      VARBINARY(255) NOT NULL DEFAULT '',
    valid_lifetime INT UNSIGNED NOT NULL,                -- 4294967295 = infinite
    expire         BIGINT NOT NULL,                      -- cltt + valid_lifetime
    subnet_id      INT UNSIGNED NOT NULL,
    fqdn_fwd       TINYINT NOT NULL DEFAULT 0,
    fqdn_rev       TINYINT NOT NULL DEFAULT 0,
    hostname       VARBINARY(255) NOT NULL DEFAULT '',
    state          TINYINT UNSIGNED NOT NULL DEFAULT 0,
    INDEX lease4_by_hwaddr_subnet (hwaddr, subnet_id),
    INDEX lease4_by_client_id_subnet (client_id, subnet_id)
) ENGINE = InnoDB;

CREATE TABLE schema_version (
    version INT NOT NULL PRIMARY KEY,
    minor   INT NOT NULL
) ENGINE = InnoDB;
INSERT INTO schema_version VALUES (1, 0);
