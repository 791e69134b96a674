-- agentaudit schema, version 1. Applied once, in one transaction, by the first collector (or auditctl)
-- that connects with a user allowed to create roles and schemas; docs/postgres.md lists the grants.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'agentaudit_writer') THEN CREATE ROLE agentaudit_writer NOLOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'agentaudit_reader') THEN CREATE ROLE agentaudit_reader NOLOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'agentaudit_admin') THEN CREATE ROLE agentaudit_admin NOLOGIN; END IF;
END $$;

CREATE SCHEMA IF NOT EXISTS agentaudit;

-- Every record id ever written: the global uniqueness a partitioned table cannot give (its primary key
-- must include the partition key). A retried batch finds its ids here and inserts nothing twice.
CREATE TABLE agentaudit.record_ids (
  record_id   text PRIMARY KEY,
  "timestamp" timestamptz NOT NULL
);

-- One row per audit record: typed columns for what queries filter and group on, the whole stored
-- record (with its integrity) as jsonb. Monthly range partitions on the record's timestamp.
CREATE TABLE agentaudit.records (
  record_id          text        NOT NULL,
  "timestamp"        timestamptz NOT NULL,
  observed_timestamp timestamptz,
  type               text        NOT NULL,
  session_id         text,
  user_id            text,
  agent              text,
  trace_id           text,
  span_id            text,
  tool_name          text,
  tool_status        text,
  duration_ms        double precision,
  model              text,
  input_tokens       bigint,
  output_tokens      bigint,
  cost_usd           double precision,
  stream             text        NOT NULL,
  seq                bigint      NOT NULL,
  prev_hash          text        NOT NULL,
  hash               text        NOT NULL,
  record             jsonb       NOT NULL,
  PRIMARY KEY (record_id, "timestamp")
) PARTITION BY RANGE ("timestamp");

CREATE INDEX records_session_idx ON agentaudit.records (session_id, "timestamp");
CREATE INDEX records_user_idx    ON agentaudit.records (user_id, "timestamp");
CREATE INDEX records_time_idx    ON agentaudit.records ("timestamp");
CREATE INDEX records_type_idx    ON agentaudit.records (type, "timestamp");
CREATE INDEX records_chain_idx   ON agentaudit.records (stream, seq);

-- One row per written batch: the chain's head per stream, and what verify checks rows against (a
-- deleted last row shows as a seq the batches cover and no row holds).
CREATE TABLE agentaudit.batches (
  stream          text        NOT NULL,
  first_seq       bigint      NOT NULL,
  last_seq        bigint      NOT NULL,
  first_prev_hash text        NOT NULL,
  last_hash       text        NOT NULL,
  record_count    integer     NOT NULL,
  written_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stream, first_seq)
);

-- Chain runs retention dropped with their partition: verify accepts the gap they leave ("expired")
-- because the next kept row must still link to last_hash.
CREATE TABLE agentaudit.expired_ranges (
  stream          text        NOT NULL,
  first_seq       bigint      NOT NULL,
  last_seq        bigint      NOT NULL,
  first_prev_hash text        NOT NULL,
  last_hash       text        NOT NULL,
  partition_name  text        NOT NULL,
  expired_at      timestamptz NOT NULL,
  PRIMARY KEY (stream, first_seq)
);

-- Records replaced by tombstones (auditctl forget): verify accepts their content change ("erased").
CREATE TABLE agentaudit.erasures (
  erasure_id text        NOT NULL,
  stream     text        NOT NULL,
  seq        bigint      NOT NULL,
  record_id  text        NOT NULL,
  requester  text        NOT NULL,
  erased_at  timestamptz NOT NULL,
  PRIMARY KEY (stream, seq)
);

-- Append-only: UPDATE, DELETE and TRUNCATE are refused unless the session is an agentaudit_admin
-- member that announced maintenance (SET LOCAL agentaudit.maintenance = 'on'), which only auditctl's
-- forget and retention do.
CREATE FUNCTION agentaudit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('agentaudit.maintenance', true) = 'on' AND pg_has_role(session_user, 'agentaudit_admin', 'MEMBER') THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'agentaudit: % on %.% refused: the audit trail is append-only (erasure and retention go through auditctl as an agentaudit_admin member)',
    TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['records', 'record_ids', 'batches', 'expired_ranges', 'erasures'] LOOP
    EXECUTE format('CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON agentaudit.%I FOR EACH ROW EXECUTE FUNCTION agentaudit.refuse_change()', t);
    EXECUTE format('CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON agentaudit.%I FOR EACH STATEMENT EXECUTE FUNCTION agentaudit.refuse_change()', t);
  END LOOP;
END $$;

-- Partitions are created ahead by the writer through this function, which runs with the schema
-- owner's rights (the writer may not create tables).
CREATE FUNCTION agentaudit.ensure_partition(month date) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = agentaudit, pg_temp AS $$
DECLARE
  first date := date_trunc('month', month)::date;
  name text := format('records_%s', to_char(first, 'YYYY_MM'));
BEGIN
  IF to_regclass(format('agentaudit.%I', name)) IS NULL THEN
    EXECUTE format('CREATE TABLE IF NOT EXISTS agentaudit.%I PARTITION OF agentaudit.records FOR VALUES FROM (%L) TO (%L)',
      name, first::timestamp AT TIME ZONE 'UTC', (first + interval '1 month')::timestamp AT TIME ZONE 'UTC');
  END IF;
  RETURN name;
END $$;

-- Retention drops whole partitions through this function (only partitions of agentaudit.records).
CREATE FUNCTION agentaudit.drop_partition(name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = agentaudit, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                 WHERE i.inhparent = 'agentaudit.records'::regclass AND c.relname = name) THEN
    RAISE EXCEPTION 'agentaudit: % is not a partition of agentaudit.records', name;
  END IF;
  EXECUTE format('DROP TABLE agentaudit.%I', name);
END $$;

-- The product document's example queries, as views.
CREATE VIEW agentaudit.session_timeline AS
  SELECT session_id, "timestamp", type, agent, tool_name, tool_status, duration_ms, model,
         input_tokens, output_tokens, cost_usd, user_id, trace_id, span_id, record_id, record
  FROM agentaudit.records
  WHERE session_id IS NOT NULL
  ORDER BY session_id, "timestamp", stream, seq;

CREATE VIEW agentaudit.tool_usage AS
  SELECT tool_name,
         count(*)                                      AS call_count,
         count(*) FILTER (WHERE tool_status = 'error') AS error_count,
         avg(duration_ms)                              AS avg_duration_ms,
         percentile_disc(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_duration_ms
  FROM agentaudit.records
  WHERE type = 'tool_call' AND tool_status IS DISTINCT FROM 'requested'
  GROUP BY tool_name
  ORDER BY call_count DESC, tool_name;

CREATE VIEW agentaudit.error_rate_by_day AS
  SELECT ("timestamp" AT TIME ZONE 'UTC')::date                        AS day,
         count(*) FILTER (WHERE type = 'error')                         AS error_count,
         count(*)                                                       AS total_count,
         (count(*) FILTER (WHERE type = 'error'))::float8 / count(*)    AS error_rate
  FROM agentaudit.records
  WHERE type NOT IN ('access', 'erasure', 'tombstone')
  GROUP BY 1
  ORDER BY 1 DESC;

-- Grants. auditctl's reads are themselves logged as access records, so the reader appends too.
GRANT USAGE ON SCHEMA agentaudit TO agentaudit_writer, agentaudit_reader, agentaudit_admin;
GRANT SELECT, INSERT ON agentaudit.records, agentaudit.record_ids, agentaudit.batches TO agentaudit_writer, agentaudit_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA agentaudit TO agentaudit_reader;
GRANT EXECUTE ON FUNCTION agentaudit.ensure_partition(date) TO agentaudit_writer, agentaudit_reader;
REVOKE ALL ON FUNCTION agentaudit.drop_partition(text) FROM PUBLIC;
GRANT agentaudit_reader TO agentaudit_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA agentaudit TO agentaudit_admin;
GRANT EXECUTE ON FUNCTION agentaudit.drop_partition(text) TO agentaudit_admin;
