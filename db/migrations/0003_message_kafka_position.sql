-- The Kafka partition and offset of the record each message was stored
-- from, so that subscribe with afterMessageId can replay a room in Kafka
-- order. Message ids come from the sending node's clock and node id, so
-- messages from different nodes are not in id order. NULL for rows stored
-- before this migration.
ALTER TABLE messages ADD COLUMN kafka_partition integer;
ALTER TABLE messages ADD COLUMN kafka_offset bigint;
CREATE INDEX messages_room_id_kafka_position_idx
  ON messages (room_id, kafka_partition, kafka_offset);
