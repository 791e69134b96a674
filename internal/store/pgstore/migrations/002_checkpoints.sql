-- agentaudit schema, version 2: the Merkle trees' signed checkpoints (docs/integrity.md) and the
-- public keys they are signed with, kept in the store beside the rows (and sent to the witness).

-- One row per signed checkpoint of a stream's tree: the C2SP signed note, and the tree's frontier
-- at that size (hex, largest subtree first), from which a restarted writer resumes the tree without
-- reading the stream's earlier rows.
CREATE TABLE agentaudit.checkpoints (
  stream      text        NOT NULL,
  tree_size   bigint      NOT NULL,
  checkpoint  text        NOT NULL,
  frontier    text[]      NOT NULL,
  written_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stream, tree_size)
);

-- The Ed25519 public keys (PEM) checkpoints were signed with, by fingerprint: a convenience for
-- verifiers, not a trust anchor (verify --pubkey is).
CREATE TABLE agentaudit.public_keys (
  fingerprint  text        PRIMARY KEY,
  pem          text        NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now()
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['checkpoints', 'public_keys'] LOOP
    EXECUTE format('CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON agentaudit.%I FOR EACH ROW EXECUTE FUNCTION agentaudit.refuse_change()', t);
    EXECUTE format('CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON agentaudit.%I FOR EACH STATEMENT EXECUTE FUNCTION agentaudit.refuse_change()', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT ON agentaudit.checkpoints, agentaudit.public_keys TO agentaudit_writer, agentaudit_reader;
GRANT SELECT, INSERT, UPDATE, DELETE ON agentaudit.checkpoints, agentaudit.public_keys TO agentaudit_admin;
