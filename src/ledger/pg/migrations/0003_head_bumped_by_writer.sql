-- A label is written only by a transaction that bumped the head itself. 0001 required a
-- row's revision to equal the head's, which a hand edit could meet by reusing the current
-- revision without bumping it: a running domaines process that had read that revision
-- (it refreshes only rows newer than the revision it holds) would then never see the change.
-- The head now records which transaction last bumped it, and its revision only grows.
ALTER TABLE domaines.ledger_head ADD COLUMN bumped_by xid8;

CREATE FUNCTION domaines.stamp_ledger_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.revision <= OLD.revision THEN
    RAISE EXCEPTION 'the ledger head''s revision only grows (% to % refused)', OLD.revision, NEW.revision USING ERRCODE = 'DML05';
  END IF;
  NEW.bumped_by := pg_current_xact_id();
  RETURN NEW;
END $$;
CREATE TRIGGER ledger_head_stamp BEFORE UPDATE ON domaines.ledger_head
  FOR EACH ROW EXECUTE FUNCTION domaines.stamp_ledger_head();

CREATE OR REPLACE FUNCTION domaines.guard_ledger_row() RETURNS trigger LANGUAGE plpgsql AS $$
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
  IF (SELECT bumped_by FROM domaines.ledger_head) IS DISTINCT FROM pg_current_xact_id() THEN
    RAISE EXCEPTION 'label "%" written at revision % without bumping domaines.ledger_head in the same transaction: a writer bumps the head first', NEW.label, NEW.revision
      USING ERRCODE = 'DML03';
  END IF;
  RETURN NEW;
END $$;
