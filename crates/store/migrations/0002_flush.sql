-- lienthong store, PostgreSQL schema 2: durability without holding the write lock.
--
-- A write batch commits with synchronous_commit off, which releases the gateway-wide write
-- lock as soon as its commit record is in the WAL; the node then makes a small write here
-- with the server's synchronous_commit, which returns once the WAL is flushed (and
-- replicated, with synchronous standbys) up to that write, and so past the batch. Only then
-- are the batch's operations acknowledged. Meanwhile the next batch computes under the lock.
-- One row per write connection, so that these writes never wait for each other.
CREATE TABLE lt_flush (
    writer bigint PRIMARY KEY,
    n bigint NOT NULL
);
