-- The API tokens of `domaines serve` and the measured usage history, in the ledger's
-- database when the ledger is there (issue 13): several server instances then share one
-- set of tokens (a revocation stops a token on every instance at its next request), and
-- the usage history an invoice rests on is in the database that is backed up.

-- One row per token: `record` is the token store's record (a SHA-256 hash, never the
-- token). `position` keeps the order of creation, as the file lists them.
CREATE TABLE domaines.api_tokens (
  id text COLLATE "C" PRIMARY KEY CHECK (id ~ '^t[0-9a-f]{12}$'),
  record jsonb NOT NULL,
  position bigint GENERATED ALWAYS AS IDENTITY,
  CONSTRAINT api_token_record CHECK (jsonb_typeof(record) = 'object' AND record ->> 'id' = id AND record ->> 'hash' ~ '^[0-9a-f]{64}$')
);

-- A token is never deleted (its id stays in the audit log) and never changed, except that
-- it is revoked once: revokedAt and revokedBy set, nothing else touched.
CREATE FUNCTION domaines.guard_api_token() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
    RAISE EXCEPTION 'API tokens are kept for the record: % on domaines.api_tokens refused (revoke a token instead)', TG_OP USING ERRCODE = 'DMT01';
  END IF;
  IF (OLD.record - 'revokedAt' - 'revokedBy') IS DISTINCT FROM (NEW.record - 'revokedAt' - 'revokedBy') OR NEW.id IS DISTINCT FROM OLD.id
     OR OLD.record ->> 'revokedAt' IS NOT NULL OR NEW.record ->> 'revokedAt' IS NULL THEN
    RAISE EXCEPTION 'token % may only be revoked, once: no other change to domaines.api_tokens', OLD.id USING ERRCODE = 'DMT02';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER api_tokens_guard BEFORE UPDATE OR DELETE ON domaines.api_tokens
  FOR EACH ROW EXECUTE FUNCTION domaines.guard_api_token();
CREATE TRIGGER api_tokens_no_truncate BEFORE TRUNCATE ON domaines.api_tokens
  FOR EACH STATEMENT EXECUTE FUNCTION domaines.guard_api_token();

-- One sample per commune, service and day (the first one is kept: a second sync the same
-- day inserts nothing); `sample` is the file store's line, keys in order (json, not jsonb).
CREATE TABLE domaines.usage_samples (
  day date NOT NULL,
  service text COLLATE "C" NOT NULL,
  commune text COLLATE "C" NOT NULL,
  sample json NOT NULL,
  position bigint GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (day, service, commune),
  CONSTRAINT usage_sample_fields CHECK (
    json_typeof(sample) = 'object' AND sample ->> 'day' = day::text AND sample ->> 'service' = service AND sample ->> 'commune' = commune)
);

-- Append-only, as the file history is: a sample, once written, is never changed.
CREATE FUNCTION domaines.refuse_usage_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the usage history is append-only: % on domaines.usage_samples refused', TG_OP USING ERRCODE = 'DMU01';
END $$;
CREATE TRIGGER usage_samples_append_only BEFORE UPDATE OR DELETE ON domaines.usage_samples
  FOR EACH ROW EXECUTE FUNCTION domaines.refuse_usage_rewrite();
CREATE TRIGGER usage_samples_no_truncate BEFORE TRUNCATE ON domaines.usage_samples
  FOR EACH STATEMENT EXECUTE FUNCTION domaines.refuse_usage_rewrite();
