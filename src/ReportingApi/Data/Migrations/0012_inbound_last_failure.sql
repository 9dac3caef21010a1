-- Why the last attempt at an inbound file failed (the database, the object store ...), for operators: a file that
-- rests between attempts shows what it is waiting out.
ALTER TABLE inbound_files ADD COLUMN last_failure VARCHAR(1000) NULL;
