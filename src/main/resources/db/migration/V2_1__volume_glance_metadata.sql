-- cinder's volume_glance_metadata (Zed), where the image properties of a volume created from an
-- image live; a backup keeps them and a restore puts them back (and marks the volume bootable).
-- CREATE TABLE IF NOT EXISTS: a database made by `cinder-manage db sync` keeps its own table.
CREATE TABLE IF NOT EXISTS volume_glance_metadata (
  created_at datetime DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  deleted_at datetime DEFAULT NULL,
  deleted tinyint(1) DEFAULT NULL,
  id int(11) NOT NULL AUTO_INCREMENT,
  volume_id varchar(36) DEFAULT NULL,
  snapshot_id varchar(36) DEFAULT NULL,
  `key` varchar(255) DEFAULT NULL,
  `value` text DEFAULT NULL,
  PRIMARY KEY (id)
  /* [jooq ignore start] */, KEY volume_glance_metadata_volume_id_idx (volume_id) /* [jooq ignore stop] */
) /* [jooq ignore start] */ ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 /* [jooq ignore stop] */;
