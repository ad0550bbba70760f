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

-- After ledger_entries_guard (triggers fire in name order), whose messages come first.
CREATE FUNCTION domaines.require_head_bumped() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT bumped_by FROM domaines.ledger_head) IS DISTINCT FROM pg_current_xact_id() THEN
    RAISE EXCEPTION 'label "%" written at revision % without bumping domaines.ledger_head in the same transaction: a writer bumps the head first', NEW.label, NEW.revision
      USING ERRCODE = 'DML03';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER ledger_entries_head_bumped BEFORE INSERT OR UPDATE ON domaines.ledger_entries
  FOR EACH ROW EXECUTE FUNCTION domaines.require_head_bumped();
