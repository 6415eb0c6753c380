-- lienthong store, PostgreSQL schema 3: the generation of lt_kv.
--
-- Every statement that changes lt_kv, whoever runs it (a node's batch, a copy, a restore, a
-- hand-made fix), moves the generation on and gives it a new random stamp. A node that reads
-- (gen, stamp) under the write lock and finds the state its own last batch left knows that
-- nobody else wrote since: what it read before, tagged with the state it was read in, is
-- still true unless the node itself wrote it since. Its operations then compute under the
-- lock from what they read before taking it, without asking the database again.
CREATE TABLE lt_gen (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    gen bigint NOT NULL,
    stamp bigint NOT NULL
);
INSERT INTO lt_gen (gen, stamp) VALUES (0, floor(random() * 9e18)::bigint);

CREATE FUNCTION lt_gen_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE lt_gen SET gen = gen + 1, stamp = floor(random() * 9e18)::bigint;
    RETURN NULL;
END
$$;

CREATE TRIGGER lt_kv_generation
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON lt_kv
    FOR EACH STATEMENT EXECUTE FUNCTION lt_gen_bump();

-- What each batch of a node changed: the keys, from the state the batch found to the one it
-- left. A node that finds another node's batches since its own last one drops only their
-- keys from what it knows. A change made outside the batches moves the generation with no
-- row here, which breaks the chain: the nodes then forget everything they knew. Rows are
-- kept for the last 10,000 generations.
CREATE TABLE lt_changes (
    gen_to bigint PRIMARY KEY,
    stamp_to bigint NOT NULL,
    gen_from bigint NOT NULL,
    stamp_from bigint NOT NULL,
    spaces smallint[] NOT NULL,
    keys bytea[] NOT NULL
);
