-- cinder's volume types, volume transfers and groups, for the embedded profile's own API (issue
-- #11: the routes Horizon and tempest call, and the per-type quota keys cinder derives from the
-- volume types). As in V1 and V2, CREATE TABLE IF NOT EXISTS with cinder's (Zed) columns, so a
-- database made by `cinder-manage db sync` keeps its own tables. cinder's `__DEFAULT__` volume
-- type is inserted by VolumeTypeRepository.ensureDefault at start-up (it needs a fresh uuid).

CREATE TABLE IF NOT EXISTS volume_types (
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  deleted_at datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT NULL,
  id varchar(36) NOT NULL,
  name varchar(255) DEFAULT NULL,
  qos_specs_id varchar(36) DEFAULT NULL,
  is_public tinyint(1) DEFAULT NULL,
  description varchar(255) DEFAULT NULL,
  PRIMARY KEY (id)
) /* [jooq ignore start] */ ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 /* [jooq ignore stop] */;

CREATE TABLE IF NOT EXISTS volume_type_extra_specs (
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  deleted_at datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT NULL,
  id int(11) NOT NULL AUTO_INCREMENT,
  volume_type_id varchar(36) NOT NULL,
  `key` varchar(255) DEFAULT NULL,
  `value` varchar(255) DEFAULT NULL,
  PRIMARY KEY (id)
  /* [jooq ignore start] */, KEY volume_type_extra_specs_volume_type_id_idx (volume_type_id) /* [jooq ignore stop] */
) /* [jooq ignore start] */ ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 /* [jooq ignore stop] */;

CREATE TABLE IF NOT EXISTS transfers (
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  deleted_at datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT NULL,
  id varchar(36) NOT NULL,
  volume_id varchar(36) NOT NULL,
  display_name varchar(255) DEFAULT NULL,
  salt varchar(255) DEFAULT NULL,
  crypt_hash varchar(255) DEFAULT NULL,
  expires_at datetime DEFAULT NULL,
  no_snapshots tinyint(1) DEFAULT NULL,
  source_project_id varchar(255) DEFAULT NULL,
  destination_project_id varchar(255) DEFAULT NULL,
  accepted tinyint(1) DEFAULT NULL,
  PRIMARY KEY (id)
  /* [jooq ignore start] */, KEY transfers_volume_id_fkey (volume_id) /* [jooq ignore stop] */
) /* [jooq ignore start] */ ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 /* [jooq ignore stop] */;

CREATE TABLE IF NOT EXISTS `groups` (
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  deleted_at datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT NULL,
  id varchar(36) NOT NULL,
  user_id varchar(255) DEFAULT NULL,
  project_id varchar(255) DEFAULT NULL,
  cluster_name varchar(255) DEFAULT NULL,
  host varchar(255) DEFAULT NULL,
  availability_zone varchar(255) DEFAULT NULL,
  name varchar(255) DEFAULT NULL,
  description varchar(255) DEFAULT NULL,
  group_type_id varchar(36) DEFAULT NULL,
  status varchar(255) DEFAULT NULL,
  group_snapshot_id varchar(36) DEFAULT NULL,
  source_group_id varchar(36) DEFAULT NULL,
  replication_status varchar(255) DEFAULT NULL,
  PRIMARY KEY (id)
) /* [jooq ignore start] */ ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 /* [jooq ignore stop] */;
