-- The public WebSocket URL of the node that holds each lease, so that any
-- node can list the live nodes for clients that need another node to
-- reconnect to (GET /nodes). NULL until the node recorded it.
ALTER TABLE node_leases ADD COLUMN public_url text;
