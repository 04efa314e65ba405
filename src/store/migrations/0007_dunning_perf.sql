-- 0007 (dunning, perf): the account-tree walk behind src/store/load-subtree.ts, as a function that goes level by
-- level through accounts_parent_id_idx (down) and the primary key (up), whatever the statistics say.
-- Why: as one recursive CTE the planner sizes each level from parent_id's n_distinct. With a few parents of thousands
-- of children (100 resellers x 2,500 customers) it expects 25,000 rows a level, hash-joins a sequential scan of the
-- whole accounts table, and the inflated cost (>100,000) also switches JIT on: ~200-400 ms a call instead of <1 ms.
-- Here every level is a nested loop over a LATERAL ... OFFSET 0 subquery (which the planner cannot flatten, so it can
-- only be a parameterised index scan), the ROWS estimate keeps the caller's plan small, and `SET jit = off` applies
-- only while the function runs.
-- Returns, for each root that exists: (root, root, 0); its descendants with depth -1, -2, ...; its ancestors with
-- depth 1, 2, ... up to max_depth (a corrupt parent cycle stops when it comes back to the root; an ancestor may then
-- repeat, and may also be a descendant: the caller keeps the nearest and drops those it locked as descendants).
-- Reads only; never locks (the caller locks the rows it returns, FOR UPDATE in id order).
CREATE OR REPLACE FUNCTION account_subtree_ids(roots text[], max_depth int DEFAULT 64)
RETURNS TABLE (root_id text, account_id text, depth int)
LANGUAGE plpgsql STABLE ROWS 100
SET jit = off
AS $fn$
DECLARE
  fr text[];
  fi text[];
  ids text[];
  level int := 0;
BEGIN
  SELECT array_agg(a.id ORDER BY a.id), array_agg(a.id ORDER BY a.id) INTO fr, fi
    FROM (SELECT DISTINCT x.id FROM unnest(roots) AS x(id)) r
    CROSS JOIN LATERAL (SELECT a.id FROM accounts a WHERE a.id = r.id OFFSET 0) a;
  IF fr IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY SELECT f.r, f.r, 0 FROM unnest(fr) AS f(r);
  -- Down: each account has one parent, so only a cycle through the root can come back; it stops there.
  LOOP
    SELECT array_agg(f.r), array_agg(c.id) INTO fr, fi
      FROM unnest(fr, fi) AS f(r, id)
      CROSS JOIN LATERAL (SELECT c.id FROM accounts c WHERE c.parent_id = f.id OFFSET 0) c
     WHERE c.id <> f.r;
    EXIT WHEN fr IS NULL;
    level := level - 1;
    RETURN QUERY SELECT f.r, f.id, level FROM unnest(fr, fi) AS f(r, id);
  END LOOP;
  -- Up: from each root's parent, at most max_depth levels, stopping at the root itself.
  SELECT array_agg(a.id ORDER BY a.id), array_agg(a.parent_id ORDER BY a.id) INTO fr, fi
    FROM (SELECT DISTINCT x.id FROM unnest(roots) AS x(id)) r
    CROSS JOIN LATERAL (SELECT a.id, a.parent_id FROM accounts a WHERE a.id = r.id OFFSET 0) a
   WHERE a.parent_id IS NOT NULL;
  level := 0;
  WHILE fr IS NOT NULL AND level < max_depth LOOP
    level := level + 1;
    SELECT array_agg(f.r), array_agg(p.id), array_agg(p.parent_id) INTO fr, ids, fi
      FROM unnest(fr, fi) AS f(r, pid)
      CROSS JOIN LATERAL (SELECT p.id, p.parent_id FROM accounts p WHERE p.id = f.pid OFFSET 0) p
     WHERE p.id <> f.r;
    EXIT WHEN fr IS NULL;
    RETURN QUERY SELECT f.r, f.id, level FROM unnest(fr, ids) AS f(r, id);
  END LOOP;
END
$fn$;
