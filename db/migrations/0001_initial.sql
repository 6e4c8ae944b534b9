-- Initial schema. Text columns use COLLATE "C", so names compare exactly
-- and sort in byte order. Columns of type timestamp(3) hold UTC wall-clock
-- values with millisecond precision, set by the nodes. Columns of type
-- timestamptz hold instants.

CREATE TABLE accounts (
  id            bigserial PRIMARY KEY,
  username      text COLLATE "C" NOT NULL UNIQUE,
  email         text COLLATE "C" NOT NULL UNIQUE,
  password_hash text NOT NULL,
  created_at    timestamp(3) NOT NULL,
  updated_at    timestamp(3) NOT NULL
);

CREATE TABLE rooms (
  id          bigserial PRIMARY KEY,
  name        text COLLATE "C" NOT NULL UNIQUE,
  owner_id    bigint NOT NULL REFERENCES accounts (id),
  description text COLLATE "C",
  created_at  timestamp(3) NOT NULL,
  updated_at  timestamp(3) NOT NULL
);
CREATE INDEX rooms_owner_id_idx ON rooms (owner_id);

CREATE TABLE room_members (
  room_id    bigint NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  PRIMARY KEY (room_id, account_id)
);
-- Serves "rooms of a member" (getRooms).
CREATE INDEX room_members_account_id_idx ON room_members (account_id, room_id);

CREATE TABLE blocked_members (
  room_id    bigint NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  PRIMARY KEY (room_id, account_id)
);
CREATE INDEX blocked_members_account_id_idx ON blocked_members (account_id);

-- Message ids and timestamps come from the node that accepted the message,
-- so a message is stored with the same id and time that subscribers saw.
CREATE TABLE messages (
  id                bigint PRIMARY KEY,
  room_id           bigint NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  sender_id         bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  message           text COLLATE "C" NOT NULL,
  "timestamp"       timestamp(3) NOT NULL,
  client_message_id text COLLATE "C"
);
CREATE INDEX messages_room_id_id_idx ON messages (room_id, id);
CREATE INDEX messages_room_id_timestamp_idx ON messages (room_id, "timestamp");
CREATE INDEX messages_sender_id_idx ON messages (sender_id);

-- Membership changes, appended in the transaction that made them and
-- published to Kafka in id order by the outbox relay. Rows are kept.
CREATE TABLE outbox_room_events (
  id         bigserial PRIMARY KEY,
  room_id    bigint NOT NULL,
  data       bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The id of the last published outbox row. One row, id = 1.
CREATE TABLE outbox_position (
  id       int PRIMARY KEY CHECK (id = 1),
  position bigint NOT NULL
);
INSERT INTO outbox_position (id, position) VALUES (1, 0);

CREATE FUNCTION notify_outbox_room_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('parley_outbox', NEW.id::text);
  RETURN NEW;
END;
$$;

CREATE TRIGGER outbox_room_events_notify
  AFTER INSERT ON outbox_room_events
  FOR EACH ROW EXECUTE FUNCTION notify_outbox_room_event();

-- Login tokens, stored only as a hash of the token.
CREATE TABLE tokens (
  token_hash bytea PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  revoked    boolean NOT NULL DEFAULT false
);
CREATE INDEX tokens_account_id_idx ON tokens (account_id);
CREATE INDEX tokens_expires_at_idx ON tokens (expires_at);

-- The first message of each (account, clientMessageId), so that a retried
-- send replies with that message instead of creating a second one.
CREATE TABLE client_message_ids (
  account_id        bigint NOT NULL,
  client_message_id text COLLATE "C" NOT NULL,
  message_id        bigint NOT NULL,
  room_id           bigint NOT NULL,
  "timestamp"       timestamp(3) NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, client_message_id)
);
CREATE INDEX client_message_ids_created_at_idx ON client_message_ids (created_at);

-- Node ids of the message-id generator, leased by live nodes.
CREATE TABLE node_leases (
  node_id    int PRIMARY KEY CHECK (node_id BETWEEN 0 AND 1023),
  holder     text NOT NULL,
  expires_at timestamptz NOT NULL
);
