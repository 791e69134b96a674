-- agentaudit schema, version 3: retention markers that keep a stream's tree verifiable after its
-- oldest rows are gone, legal holds and the retention floor (docs/integrity.md).

-- The signed retention marker of the cut a dropped partition made in a stream (objectstore's
-- retention manifest, canonical JSON): the stream's tree frontier after the last dropped row, from
-- which verify --checkpoints rebuilds the tree of the rows kept. NULL on ranges dropped before
-- version 3, or whose tree could not be rebuilt at the cut.
ALTER TABLE agentaudit.expired_ranges ADD COLUMN marker text;

-- auditctl's signed markers, canonical JSON as on the object stores (package evidence/hold): legal
-- holds (kind 'legal_hold', marker_id the hold id) and the retention floor (kind
-- 'retention_policy'). Append-only like the rest: a release is a further row for the same hold,
-- honoured only when signed by a published key; the newest floor row is the floor.
CREATE TABLE agentaudit.markers (
  n          bigserial   PRIMARY KEY,
  kind       text        NOT NULL,
  marker_id  text        NOT NULL,
  marker     text        NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX markers_kind_idx ON agentaudit.markers (kind, marker_id);

CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON agentaudit.markers FOR EACH ROW EXECUTE FUNCTION agentaudit.refuse_change();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON agentaudit.markers FOR EACH STATEMENT EXECUTE FUNCTION agentaudit.refuse_change();

GRANT SELECT ON agentaudit.markers TO agentaudit_writer, agentaudit_reader;
GRANT SELECT, INSERT ON agentaudit.markers TO agentaudit_admin;
GRANT USAGE ON SEQUENCE agentaudit.markers_n_seq TO agentaudit_admin;
