-- lienthong store, PostgreSQL schema 1: the store's key spaces and its payloads.
--
-- lt_kv holds every key space of the store (messages, queues, inboxes, receipts, history,
-- counters, the compliance record): the same keys and values as the sled engine, the space
-- being sled's tag byte. bytea compares byte by byte, so range scans see sled's order.
CREATE TABLE lt_kv (
    space smallint NOT NULL,
    key bytea NOT NULL,
    value bytea NOT NULL,
    PRIMARY KEY (space, key)
);

-- One row per distinct payload, addressed by its SHA-256 (checked again on every read).
-- Written before any lt_kv row refers to it; `touched` is the last time an accept wrote or
-- claimed it, so that the sweep of unreferenced rows never takes one an accept is using.
CREATE TABLE lt_payload (
    sha256 bytea PRIMARY KEY CHECK (length(sha256) = 32),
    bytes bytea NOT NULL,
    touched timestamptz NOT NULL DEFAULT now()
);

-- Signed XML compresses, but compressing 64 KiB per accept costs more CPU than the disk it saves.
ALTER TABLE lt_payload ALTER COLUMN bytes SET STORAGE EXTERNAL;
