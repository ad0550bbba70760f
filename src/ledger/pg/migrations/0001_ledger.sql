-- The ledger and its audit log (issue 13). The rules live in code (src/ledger/invariants.ts),
-- checked on the whole next state before every commit; the database enforces, as a second
-- line, what it can say in SQL: one record per label, one allocated label per commune,
-- labels never deleted nor renamed, tombstones never revived, an append-only audit log,
-- and no change to a label that is not audited in the same transaction.

-- The one row every writer locks (SELECT … FOR UPDATE) for its whole transaction: writers,
-- on any number of machines, run one at a time. `revision` grows by one per committed
-- transaction that changed labels; each ledger row carries the revision that last wrote it,
-- so that a long-running process refreshes only the rows written since it last looked.
CREATE TABLE domaines.ledger_head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  revision bigint NOT NULL DEFAULT 0 CHECK (revision >= 0)
);
INSERT INTO domaines.ledger_head DEFAULT VALUES;

-- One row per label: `entry` is the ledger line (canonical JSON, default-valued fields left
-- out, exactly what the file store writes), the other columns are derived from it for
-- indexes and constraints.
CREATE TABLE domaines.ledger_entries (
  label text COLLATE "C" PRIMARY KEY,
  entry jsonb NOT NULL,
  state text GENERATED ALWAYS AS (entry ->> 'state') STORED,
  key text COLLATE "C" GENERATED ALWAYS AS (entry ->> 'key') STORED,
  alias_of text COLLATE "C" GENERATED ALWAYS AS (entry ->> 'aliasOf') STORED,
  revision bigint NOT NULL,
  CONSTRAINT ledger_entry_label CHECK (jsonb_typeof(entry) = 'object' AND entry ->> 'label' = label),
  CONSTRAINT ledger_label_form CHECK (label ~ '^[a-z0-9-]{1,63}$'),
  CONSTRAINT ledger_entry_state CHECK (entry ->> 'state' IN ('allocated', 'alias', 'reserved', 'tombstone'))
);
-- A commune holds one allocated (primary) label: a partial unique index, written as an
-- exclusion constraint so that it is checked at commit (a transaction that moves a
-- commune's primary label from one row to another passes through both in between).
ALTER TABLE domaines.ledger_entries ADD CONSTRAINT ledger_one_allocated_label_per_commune
  EXCLUDE USING btree (key WITH =) WHERE (state = 'allocated') DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX ledger_entries_key ON domaines.ledger_entries (key);
CREATE INDEX ledger_entries_alias_of ON domaines.ledger_entries (alias_of);
CREATE INDEX ledger_entries_revision ON domaines.ledger_entries (revision);

-- The audit log: one row per changed label (kind 'change': the file store's audit line,
-- tx/seq/of/time/actor/command/label/before/after, and `digest` when the row was copied from
-- a file log that had it), per traced action (kind 'event'), and per aborted transaction
-- (kind 'aborted': only in logs copied from the file store, which records its crashes so).
-- `id` orders the log: every writer inserts while holding the head lock, so ids follow the
-- commit order. `db_xact` ties a row to the database transaction that wrote it.
CREATE TABLE domaines.audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tx text NOT NULL CHECK (tx <> ''),
  kind text NOT NULL CHECK (kind IN ('change', 'event', 'aborted')),
  seq integer,
  "of" integer,
  time text NOT NULL CHECK (time ~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$'),
  actor text NOT NULL,
  command text NOT NULL,
  label text COLLATE "C",
  before jsonb,
  after jsonb,
  digest jsonb,
  -- json, not jsonb: an event's keys keep their order, so that a copy back to files gives the same line.
  event json,
  reason text,
  torn json,
  db_xact xid8 NOT NULL DEFAULT pg_current_xact_id(),
  CONSTRAINT audit_change_fields CHECK ((kind = 'change') = (label IS NOT NULL AND seq IS NOT NULL AND "of" IS NOT NULL)),
  CONSTRAINT audit_change_seq CHECK (seq IS NULL OR (seq >= 0 AND seq < "of")),
  CONSTRAINT audit_event_fields CHECK ((kind = 'event') = (event IS NOT NULL AND json_typeof(event) = 'object')),
  CONSTRAINT audit_aborted_fields CHECK ((kind = 'aborted') = (reason IS NOT NULL)),
  CONSTRAINT audit_change_only_fields CHECK (kind = 'change' OR (before IS NULL AND after IS NULL AND digest IS NULL))
);
CREATE INDEX audit_log_tx ON domaines.audit_log (tx);
CREATE INDEX audit_log_label ON domaines.audit_log (label, id);
CREATE INDEX audit_log_actor ON domaines.audit_log (actor, id);
CREATE INDEX audit_log_xact_label ON domaines.audit_log (db_xact, label);

-- Append-only: no UPDATE, DELETE or TRUNCATE, whoever asks (the contract's traceability).
CREATE FUNCTION domaines.refuse_audit_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % on domaines.audit_log refused', TG_OP
    USING ERRCODE = 'DMA01', HINT = 'audit rows are never changed or removed; record a new event instead';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON domaines.audit_log
  FOR EACH ROW EXECUTE FUNCTION domaines.refuse_audit_rewrite();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON domaines.audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION domaines.refuse_audit_rewrite();

-- Labels are kept forever: never deleted (tombstone instead), never renamed, a tombstone
-- never comes back; and each write carries the head's current revision (bump it first).
CREATE FUNCTION domaines.guard_ledger_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
    RAISE EXCEPTION 'labels are kept forever: % on domaines.ledger_entries refused (tombstone a label instead)', TG_OP
      USING ERRCODE = 'DML01';
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF NEW.label IS DISTINCT FROM OLD.label THEN
      RAISE EXCEPTION 'label "%" cannot be renamed to "%": labels are kept forever', OLD.label, NEW.label USING ERRCODE = 'DML01';
    END IF;
    IF OLD.state = 'tombstone' AND NEW.state IS DISTINCT FROM 'tombstone' THEN
      RAISE EXCEPTION 'label "%" is a tombstone; tombstones are never reused', OLD.label USING ERRCODE = 'DML02';
    END IF;
  END IF;
  IF NEW.revision IS DISTINCT FROM (SELECT revision FROM domaines.ledger_head) OR (TG_OP = 'UPDATE' AND NEW.revision <= OLD.revision) THEN
    RAISE EXCEPTION 'label "%" written with revision %, not a new revision of the ledger head: a writer bumps domaines.ledger_head first', NEW.label, NEW.revision
      USING ERRCODE = 'DML03';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER ledger_entries_guard BEFORE INSERT OR UPDATE OR DELETE ON domaines.ledger_entries
  FOR EACH ROW EXECUTE FUNCTION domaines.guard_ledger_row();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON domaines.ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION domaines.guard_ledger_row();

-- Every label written is audited in the same transaction: at commit, each row inserted or
-- updated must have a 'change' audit row of this transaction whose `after` is the row and
-- whose `before` is what the row was (nothing, for a new label). A whole ledger copied in
-- (`domaines ledger copy`, which sets domaines.copying) inserts each label's last state:
-- its audit row is the log's last change of that label, whatever it started from.
CREATE FUNCTION domaines.require_audited_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM domaines.audit_log a
    WHERE a.db_xact = pg_current_xact_id() AND a.label = NEW.label AND a.kind = 'change' AND a.after = NEW.entry
      AND CASE WHEN TG_OP = 'UPDATE' THEN a.before = OLD.entry
               ELSE a.before IS NULL OR current_setting('domaines.copying', true) = 'on' END
  ) THEN
    RAISE EXCEPTION 'label "%" changed without an audit row of this transaction recording it (before and after): every change goes through domaines', NEW.label
      USING ERRCODE = 'DML04';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_entries_audited AFTER INSERT OR UPDATE ON domaines.ledger_entries
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION domaines.require_audited_change();
