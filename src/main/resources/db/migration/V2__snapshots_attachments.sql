-- Cinder-compatible snapshots and volume attachments, for the standalone volume service of the
-- Ceph profile (cinder snapshots, the 3.27+ attachments API). As in V1, every statement is
-- CREATE TABLE IF NOT EXISTS, so a database created by `cinder-manage db sync` (Zed) is used as
-- it is; column names and types follow cinder's models. Foreign keys are left out: cinder's
-- tables keep theirs when they already exist, and Ember checks the references itself.

CREATE TABLE IF NOT EXISTS snapshots (
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  deleted_at datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT NULL,
  id varchar(36) NOT NULL,
  volume_id varchar(36) NOT NULL,
  user_id varchar(255) DEFAULT NULL,
  project_id varchar(255) DEFAULT NULL,
  status varchar(255) DEFAULT NULL,
  progress varchar(255) DEFAULT NULL,
  volume_size int(11) DEFAULT NULL,
  scheduled_at datetime DEFAULT NULL,
  display_name varchar(255) DEFAULT NULL,
  display_description varchar(255) DEFAULT NULL,
  provider_location varchar(255) DEFAULT NULL,
  encryption_key_id varchar(36) DEFAULT NULL,
  volume_type_id varchar(36) DEFAULT NULL,
  cgsnapshot_id varchar(36) DEFAULT NULL,
  provider_id varchar(255) DEFAULT NULL,
  provider_auth varchar(255) DEFAULT NULL,
  group_snapshot_id varchar(36) DEFAULT NULL,
  use_quota tinyint(1) DEFAULT NULL,
  PRIMARY KEY (id)
  /* [jooq ignore start] */, KEY snapshots_volume_id_idx (volume_id) /* [jooq ignore stop] */
) /* [jooq ignore start] */ ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 /* [jooq ignore stop] */;

CREATE TABLE IF NOT EXISTS volume_attachment (
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  deleted_at datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT NULL,
  id varchar(36) NOT NULL,
  volume_id varchar(36) NOT NULL,
  attached_host varchar(255) DEFAULT NULL,
  instance_uuid varchar(36) DEFAULT NULL,
  mountpoint varchar(255) DEFAULT NULL,
  attach_time datetime DEFAULT NULL,
  detach_time datetime DEFAULT NULL,
  attach_mode varchar(36) DEFAULT NULL,
  attach_status varchar(255) DEFAULT NULL,
  connection_info text DEFAULT NULL,
  connector text DEFAULT NULL,
  PRIMARY KEY (id)
  /* [jooq ignore start] */, KEY volume_attachment_volume_id_idx (volume_id) /* [jooq ignore stop] */
) /* [jooq ignore start] */ ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 /* [jooq ignore stop] */;
