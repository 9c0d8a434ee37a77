-- Cinder-compatible tables. Every statement is CREATE TABLE IF NOT EXISTS so that Ember can be
-- pointed at an existing cinder database: cinder's own tables are used as they are and never
-- altered. Column names and types follow `cinder-manage db sync` (Zed); Ember reads and writes
-- only a subset of them.

CREATE TABLE IF NOT EXISTS services (
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  deleted_at datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT NULL,
  id int(11) NOT NULL AUTO_INCREMENT,
  host varchar(255) DEFAULT NULL,
  `binary` varchar(255) DEFAULT NULL,
  topic varchar(255) DEFAULT NULL,
  report_count int(11) NOT NULL,
  disabled tinyint(1) DEFAULT NULL,
  availability_zone varchar(255) DEFAULT NULL,
  disabled_reason varchar(255) DEFAULT NULL,
  modified_at datetime DEFAULT NULL,
  rpc_current_version varchar(36) DEFAULT NULL,
  object_current_version varchar(36) DEFAULT NULL,
  replication_status varchar(36) DEFAULT NULL,
  frozen tinyint(1) DEFAULT NULL,
  active_backend_id varchar(255) DEFAULT NULL,
  cluster_name varchar(255) DEFAULT NULL,
  uuid varchar(36) DEFAULT NULL,
  PRIMARY KEY (id)
) /* [jooq ignore start] */ ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 /* [jooq ignore stop] */;

CREATE TABLE IF NOT EXISTS volumes (
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  deleted_at datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT NULL,
  id varchar(36) NOT NULL,
  ec2_id varchar(255) DEFAULT NULL,
  user_id varchar(255) DEFAULT NULL,
  project_id varchar(255) DEFAULT NULL,
  host varchar(255) DEFAULT NULL,
  size int(11) DEFAULT NULL,
  availability_zone varchar(255) DEFAULT NULL,
  status varchar(255) DEFAULT NULL,
  attach_status varchar(255) DEFAULT NULL,
  scheduled_at datetime DEFAULT NULL,
  launched_at datetime DEFAULT NULL,
  terminated_at datetime DEFAULT NULL,
  display_name varchar(255) DEFAULT NULL,
  display_description varchar(255) DEFAULT NULL,
  provider_location varchar(256) DEFAULT NULL,
  provider_auth varchar(256) DEFAULT NULL,
  snapshot_id varchar(36) DEFAULT NULL,
  volume_type_id varchar(36) DEFAULT NULL,
  source_volid varchar(36) DEFAULT NULL,
  bootable tinyint(1) DEFAULT NULL,
  provider_geometry varchar(255) DEFAULT NULL,
  _name_id varchar(36) DEFAULT NULL,
  encryption_key_id varchar(36) DEFAULT NULL,
  migration_status varchar(255) DEFAULT NULL,
  replication_status varchar(255) DEFAULT NULL,
  replication_extended_status varchar(255) DEFAULT NULL,
  replication_driver_data varchar(255) DEFAULT NULL,
  consistencygroup_id varchar(36) DEFAULT NULL,
  provider_id varchar(255) DEFAULT NULL,
  multiattach tinyint(1) DEFAULT NULL,
  previous_status varchar(255) DEFAULT NULL,
  cluster_name varchar(255) DEFAULT NULL,
  group_id varchar(36) DEFAULT NULL,
  service_uuid varchar(36) DEFAULT NULL,
  shared_targets tinyint(1) DEFAULT NULL,
  use_quota tinyint(1) DEFAULT NULL,
  PRIMARY KEY (id)
) /* [jooq ignore start] */ ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 /* [jooq ignore stop] */;

CREATE TABLE IF NOT EXISTS volume_metadata (
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  deleted_at datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT NULL,
  id int(11) NOT NULL AUTO_INCREMENT,
  volume_id varchar(36) NOT NULL,
  `key` varchar(255) DEFAULT NULL,
  `value` varchar(255) DEFAULT NULL,
  PRIMARY KEY (id)
) /* [jooq ignore start] */ ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 /* [jooq ignore stop] */;

CREATE TABLE IF NOT EXISTS backups (
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  deleted_at datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT NULL,
  id varchar(36) NOT NULL,
  volume_id varchar(36) NOT NULL,
  user_id varchar(255) DEFAULT NULL,
  project_id varchar(255) DEFAULT NULL,
  host varchar(255) DEFAULT NULL,
  availability_zone varchar(255) DEFAULT NULL,
  display_name varchar(255) DEFAULT NULL,
  display_description varchar(255) DEFAULT NULL,
  container varchar(255) DEFAULT NULL,
  status varchar(255) DEFAULT NULL,
  fail_reason varchar(255) DEFAULT NULL,
  service_metadata varchar(255) DEFAULT NULL,
  service varchar(255) DEFAULT NULL,
  size int(11) DEFAULT NULL,
  object_count int(11) DEFAULT NULL,
  parent_id varchar(36) DEFAULT NULL,
  temp_volume_id varchar(36) DEFAULT NULL,
  temp_snapshot_id varchar(36) DEFAULT NULL,
  num_dependent_backups int(11) DEFAULT NULL,
  snapshot_id varchar(36) DEFAULT NULL,
  data_timestamp datetime DEFAULT NULL,
  restore_volume_id varchar(36) DEFAULT NULL,
  encryption_key_id varchar(36) DEFAULT NULL,
  PRIMARY KEY (id)
) /* [jooq ignore start] */ ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 /* [jooq ignore stop] */;

CREATE TABLE IF NOT EXISTS backup_metadata (
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  deleted_at datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT NULL,
  id int(11) NOT NULL AUTO_INCREMENT,
  backup_id varchar(36) NOT NULL,
  `key` varchar(255) DEFAULT NULL,
  `value` varchar(255) DEFAULT NULL,
  PRIMARY KEY (id)
) /* [jooq ignore start] */ ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 /* [jooq ignore stop] */;

CREATE TABLE IF NOT EXISTS quotas (
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  deleted_at datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT NULL,
  id int(11) NOT NULL AUTO_INCREMENT,
  project_id varchar(255) DEFAULT NULL,
  resource varchar(255) NOT NULL,
  hard_limit int(11) DEFAULT NULL,
  allocated int(11) DEFAULT NULL,
  PRIMARY KEY (id)
) /* [jooq ignore start] */ ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 /* [jooq ignore stop] */;

CREATE TABLE IF NOT EXISTS quota_classes (
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  deleted_at datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT NULL,
  id int(11) NOT NULL AUTO_INCREMENT,
  class_name varchar(255) DEFAULT NULL,
  resource varchar(255) DEFAULT NULL,
  hard_limit int(11) DEFAULT NULL,
  PRIMARY KEY (id)
) /* [jooq ignore start] */ ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 /* [jooq ignore stop] */;

CREATE TABLE IF NOT EXISTS quota_usages (
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  deleted_at datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT NULL,
  id int(11) NOT NULL AUTO_INCREMENT,
  project_id varchar(255) DEFAULT NULL,
  resource varchar(255) DEFAULT NULL,
  in_use int(11) NOT NULL,
  reserved int(11) NOT NULL,
  until_refresh int(11) DEFAULT NULL,
  race_preventer tinyint(1) DEFAULT NULL,
  PRIMARY KEY (id)
) /* [jooq ignore start] */ ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 /* [jooq ignore stop] */;

CREATE TABLE IF NOT EXISTS reservations (
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  deleted_at datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT NULL,
  id int(11) NOT NULL AUTO_INCREMENT,
  uuid varchar(36) NOT NULL,
  usage_id int(11) DEFAULT NULL,
  project_id varchar(255) DEFAULT NULL,
  resource varchar(255) DEFAULT NULL,
  delta int(11) NOT NULL,
  expire datetime DEFAULT NULL,
  allocated_id int(11) DEFAULT NULL,
  PRIMARY KEY (id)
) /* [jooq ignore start] */ ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 /* [jooq ignore stop] */;
