-- agentaudit schema, version 3: retention markers that keep a stream's tree verifiable after its
-- oldest rows are gone, and legal holds (docs/integrity.md).

-- The signed retention marker of the cut a dropped partition made in a stream (objectstore's
-- retention manifest, canonical JSON): the stream's tree frontier after the last dropped row, from
-- which verify --checkpoints rebuilds the tree of the rows kept. NULL on ranges dropped before
-- version 3, or whose tree could not be rebuilt at the cut.
ALTER TABLE agentaudit.expired_ranges ADD COLUMN marker text;

-- Legal hold markers (auditctl hold), canonical JSON as on the object stores, signed when auditctl
-- had the key. Append-only like the rest: a release is a further row for the same hold id, and
-- counts only when signed by a published key.
CREATE TABLE agentaudit.holds (
  hold_id    text        NOT NULL,
  n          bigserial   PRIMARY KEY,
  marker     text        NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX holds_id_idx ON agentaudit.holds (hold_id);

CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON agentaudit.holds FOR EACH ROW EXECUTE FUNCTION agentaudit.refuse_change();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON agentaudit.holds FOR EACH STATEMENT EXECUTE FUNCTION agentaudit.refuse_change();

GRANT SELECT ON agentaudit.holds TO agentaudit_writer, agentaudit_reader;
GRANT SELECT, INSERT ON agentaudit.holds TO agentaudit_admin;
GRANT USAGE ON SEQUENCE agentaudit.holds_n_seq TO agentaudit_admin;
