package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// Branch coverage (migration 0007): port_coverage counts, per flow version,
// the steps that took each (node, port). The recorder adds each commit's
// steps in the transaction that writes them (coverageBatch); deleting runs
// recounts the flow versions they belonged to (recountCoverageTx).

// NodePort names one output port of one node.
type NodePort struct {
	Node, Port string
}

// PortUse is how a port was used by the recorded runs of a flow version.
type PortUse struct {
	// Taken is how many recorded steps left the node by the port.
	Taken int
	// First and Last are when the first and the last of them started.
	First, Last time.Time
}

// coverageFilter keeps the runs coverage counts: runs of a flow, and not
// the one-step runs of a node's Test.
const coverageFilter = `r.flow_id <> '' AND r.trigger_info <> 'test'`

// addCoverageSQL adds the ports a commit's steps took: ? is a JSON array of
// [run id, node, port, times, first start, last start] (starts in Unix
// nanoseconds, 0 when unknown), the run's flow version read from its row.
const addCoverageSQL = `INSERT INTO port_coverage(flow_id, flow_version, node, port, taken, first_at, last_at)
SELECT r.flow_id, r.flow_version, j.value ->> 1, j.value ->> 2, sum(j.value ->> 3),
	min(coalesce(nullif(j.value ->> 4, 0), r.started_at)), max(coalesce(nullif(j.value ->> 5, 0), r.started_at))
FROM json_each(?) j JOIN runs r ON r.id = j.value ->> 0
WHERE ` + coverageFilter + `
GROUP BY 1, 2, 3, 4
ON CONFLICT(flow_id, flow_version, node, port) DO UPDATE SET taken = taken + excluded.taken,
	first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`

// stepCoverageSQL is the coverage the stored steps of the runs selected by
// the condition %s give.
const stepCoverageSQL = `SELECT r.flow_id, r.flow_version, s.value ->> '$.node', s.value ->> '$.port', count(*),
	min(coalesce(nullif(s.value ->> '$.startedAt', 0), r.started_at)),
	max(coalesce(nullif(s.value ->> '$.startedAt', 0), r.started_at))
FROM runs r JOIN step_batches b ON b.run_id = r.id, json_each(b.steps) s
WHERE ` + coverageFilter + ` AND coalesce(s.value ->> '$.port', '') <> '' AND %s
GROUP BY 1, 2, 3, 4`

// addRunCoverageSQL adds the steps already stored for one run (?1): a run
// whose row was a placeholder when they were written, so they were not
// counted then.
var addRunCoverageSQL = `INSERT INTO port_coverage(flow_id, flow_version, node, port, taken, first_at, last_at) ` +
	fmt.Sprintf(stepCoverageSQL, "r.id = ?1") + `
ON CONFLICT(flow_id, flow_version, node, port) DO UPDATE SET taken = taken + excluded.taken,
	first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`

// coverageBatch gathers the ports a commit's steps took, one JSON array
// for addCoverageSQL, reusing its buffer. The zero value is ready to use.
type coverageBatch struct {
	buf  []byte
	n    int
	seen map[NodePort]int // within one run: index into uses
	uses []portUse
}

type portUse struct {
	NodePort
	n           int
	first, last int64
}

// reset starts a new commit.
func (c *coverageBatch) reset() {
	if cap(c.buf) > maxKeptBatchBuffer {
		c.buf = nil
	}
	c.buf = append(c.buf[:0], '[')
	c.n = 0
}

// add gathers the ports that steps, of run runID, took.
func (c *coverageBatch) add(runID string, steps []*flow.Step) {
	if c.seen == nil {
		c.seen = map[NodePort]int{}
	}
	clear(c.seen)
	c.uses = c.uses[:0]
	for _, s := range steps {
		if s.Port == "" {
			continue
		}
		at := unixNano(s.StartedAt)
		k := NodePort{s.Node, s.Port}
		if i, ok := c.seen[k]; ok {
			u := &c.uses[i]
			u.n++
			u.first, u.last = min(u.first, at), max(u.last, at)
			continue
		}
		c.seen[k] = len(c.uses)
		c.uses = append(c.uses, portUse{NodePort: k, n: 1, first: at, last: at})
	}
	for _, u := range c.uses {
		if c.n > 0 {
			c.buf = append(c.buf, ',')
		}
		c.n++
		c.buf = append(c.buf, '[')
		c.buf = appendString(c.buf, runID)
		c.buf = append(c.buf, ',')
		c.buf = appendString(c.buf, u.Node)
		c.buf = append(c.buf, ',')
		c.buf = appendString(c.buf, u.Port)
		c.buf = append(c.buf, ',')
		c.buf = strconv.AppendInt(c.buf, int64(u.n), 10)
		c.buf = append(c.buf, ',')
		c.buf = strconv.AppendInt(c.buf, u.first, 10)
		c.buf = append(c.buf, ',')
		c.buf = strconv.AppendInt(c.buf, u.last, 10)
		c.buf = append(c.buf, ']')
	}
}

// arg is the addCoverageSQL argument, valid until the next reset; ok is
// false when no step took a port.
func (c *coverageBatch) arg() (string, bool) {
	if c.n == 0 {
		return "", false
	}
	c.buf = append(c.buf, ']')
	return bufString(c.buf), true
}

// recountCoverageTx recounts the coverage of the flow versions of the runs
// with the given ids from the steps stored, once the runs are deleted: call
// versionsOfRunsTx before the delete and this after it.
func recountCoverageTx(ctx context.Context, tx *sql.Tx, versions [][2]any) error {
	for _, v := range versions {
		if _, err := tx.ExecContext(ctx, `DELETE FROM port_coverage WHERE flow_id = ?1 AND flow_version = ?2`, v[0], v[1]); err != nil {
			return fmt.Errorf("recount branch coverage: %w", err)
		}
		q := `INSERT INTO port_coverage(flow_id, flow_version, node, port, taken, first_at, last_at) ` +
			fmt.Sprintf(stepCoverageSQL, "r.flow_id = ?1 AND r.flow_version = ?2")
		if _, err := tx.ExecContext(ctx, q, v[0], v[1]); err != nil {
			return fmt.Errorf("recount branch coverage: %w", err)
		}
	}
	return nil
}

// versionsOfRunsTx lists the flow versions (flow id, version) the runs with
// the given ids, in the placeholder list in, belong to.
func versionsOfRunsTx(ctx context.Context, tx *sql.Tx, in string, ids []any) ([][2]any, error) {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT flow_id, flow_version FROM runs r WHERE `+coverageFilter+` AND id IN `+in, ids...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]any
	for rows.Next() {
		var id string
		var v int64
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		out = append(out, [2]any{id, v})
	}
	return out, rows.Err()
}

// PortCoverage returns the ports of version version of flow flowID that its
// recorded runs took, with how often and when; since, when not zero, keeps
// only the ports taken at or after it (with their counts of all time). The
// runs of a node's Test do not count. A port never taken is absent.
func (db *DB) PortCoverage(ctx context.Context, flowID string, version int, since time.Time) (map[NodePort]PortUse, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT node, port, taken, first_at, last_at FROM port_coverage
		WHERE flow_id = ? AND flow_version = ? AND last_at >= ?`, flowID, version, unixNano(since))
	if err != nil {
		return nil, fmt.Errorf("read the branch coverage of flow %q version %d: %w", flowID, version, err)
	}
	defer rows.Close()
	out := map[NodePort]PortUse{}
	for rows.Next() {
		var k NodePort
		var u PortUse
		var first, last int64
		if err := rows.Scan(&k.Node, &k.Port, &u.Taken, &first, &last); err != nil {
			return nil, fmt.Errorf("read the branch coverage of flow %q version %d: %w", flowID, version, err)
		}
		u.First, u.Last = fromUnixNano(first), fromUnixNano(last)
		out[k] = u
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the branch coverage of flow %q version %d: %w", flowID, version, err)
	}
	return out, nil
}
