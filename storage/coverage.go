package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// Branch coverage (migration 0007): port_coverage holds, per flow version,
// a JSON array of [node, port, taken, first, last]. The recorder merges each
// commit's steps into it in the transaction that writes them (coverageBatch,
// mergeCoverageSQL); deleting runs recounts the flow versions they belonged
// to (recountCoverageTx).

// NodePort names one output port of one node.
type NodePort struct {
	Node, Port string
}

// PortUse is how a port was used by the recorded runs of a flow version.
type PortUse struct {
	// Taken is how many recorded steps left the node by the port (of all
	// time, whatever the since of PortCoverage).
	Taken int
	// First and Last are when the first and the last of them started.
	First, Last time.Time
}

// coverageFilter keeps the runs coverage counts: runs of a flow, and not
// the one-step runs of a node's Test.
const coverageFilter = `r.flow_id <> '' AND r.trigger_info <> 'test'`

// onCoverageConflict merges the ports of a flow version's new row
// (excluded) into its stored ones: counts added, first the earliest, last
// the latest.
const onCoverageConflict = `
ON CONFLICT(flow_id, flow_version) DO UPDATE SET ports = (
	SELECT json_group_array(json_array(n, p, t, f, l)) FROM (
		SELECT n, p, sum(t) AS t, min(f) AS f, max(l) AS l FROM (
			SELECT value ->> 0 AS n, value ->> 1 AS p, value ->> 2 AS t, value ->> 3 AS f, value ->> 4 AS l
				FROM json_each(port_coverage.ports)
			UNION ALL
			SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(excluded.ports))
		GROUP BY n, p))`

// mergeCoverageSQL merges a commit's ports: ? is a JSON array of [flow id,
// flow version, [[node, port, taken, first, last]...]], one per flow
// version, gathered by coverageBatch.
const mergeCoverageSQL = `INSERT INTO port_coverage(flow_id, flow_version, ports)
SELECT value ->> 0, value ->> 1, value -> 2 FROM json_each(?) WHERE true` + onCoverageConflict

// stepCoverageSQL is the coverage row, per flow version, that the stored
// steps of the runs selected by the condition %s give.
const stepCoverageSQL = `SELECT flow_id, flow_version, json_group_array(json_array(node, port, taken, first_at, last_at))
FROM (
	SELECT r.flow_id, r.flow_version, s.value ->> '$.node' AS node, s.value ->> '$.port' AS port, count(*) AS taken,
		min(coalesce(nullif(s.value ->> '$.startedAt', 0), r.started_at)) AS first_at,
		max(coalesce(nullif(s.value ->> '$.startedAt', 0), r.started_at)) AS last_at
	FROM runs r JOIN step_batches b ON b.run_id = r.id, json_each(b.steps) s
	WHERE ` + coverageFilter + ` AND coalesce(s.value ->> '$.port', '') <> '' AND %s
	GROUP BY 1, 2, 3, 4
)
GROUP BY flow_id, flow_version`

// addRunCoverageSQL merges the steps already stored for one run (?1): a
// run whose row was a placeholder when they were written, so they were not
// counted then.
var addRunCoverageSQL = `INSERT INTO port_coverage(flow_id, flow_version, ports) ` +
	fmt.Sprintf(stepCoverageSQL, "r.id = ?1") + onCoverageConflict

// recountCoverageSQL writes the coverage of one flow version (?1, ?2) from
// its stored steps, once its old row is deleted.
var recountCoverageSQL = `INSERT INTO port_coverage(flow_id, flow_version, ports) ` +
	fmt.Sprintf(stepCoverageSQL, "r.flow_id = ?1 AND r.flow_version = ?2")

// flowVersion is a run's flow and version, as coverage counts them.
type flowVersion struct {
	id      string
	version int
}

// coverageBatch gathers the ports a commit's steps took, by flow version,
// into one JSON argument for mergeCoverageSQL, reusing its memory. The zero
// value is ready to use.
type coverageBatch struct {
	buf   []byte
	index map[flowVersion]int // into flows
	flows []flowPorts
}

type flowPorts struct {
	flowVersion
	seen map[NodePort]int // into uses
	uses []portUse
}

type portUse struct {
	NodePort
	n           int
	first, last int64
}

// reset starts a new commit.
func (c *coverageBatch) reset() {
	clear(c.index)
	for i := range c.flows {
		clear(c.flows[i].seen)
		c.flows[i].uses = c.flows[i].uses[:0]
	}
	c.flows = c.flows[:0]
}

// add gathers the ports that steps took, of a run of flow version fv that
// started at start (the time of a step without one).
func (c *coverageBatch) add(fv flowVersion, start int64, steps []*flow.Step) {
	if c.index == nil {
		c.index = map[flowVersion]int{}
	}
	fi, ok := c.index[fv]
	if !ok {
		fi = len(c.flows)
		c.index[fv] = fi
		if fi < cap(c.flows) {
			c.flows = c.flows[:fi+1]
			c.flows[fi].flowVersion = fv
		} else {
			c.flows = append(c.flows, flowPorts{flowVersion: fv, seen: map[NodePort]int{}})
		}
	}
	fp := &c.flows[fi]
	for _, s := range steps {
		if s.Port == "" {
			continue
		}
		at := unixNano(s.StartedAt)
		if at == 0 {
			at = start
		}
		k := NodePort{s.Node, s.Port}
		if i, ok := fp.seen[k]; ok {
			u := &fp.uses[i]
			u.n++
			u.first, u.last = min(u.first, at), max(u.last, at)
			continue
		}
		fp.seen[k] = len(fp.uses)
		fp.uses = append(fp.uses, portUse{NodePort: k, n: 1, first: at, last: at})
	}
}

// arg is the mergeCoverageSQL argument, valid until the next reset; ok is
// false when no step took a port.
func (c *coverageBatch) arg() (string, bool) {
	if cap(c.buf) > maxKeptBatchBuffer {
		c.buf = nil
	}
	b := append(c.buf[:0], '[')
	n := 0
	for i := range c.flows {
		fp := &c.flows[i]
		if len(fp.uses) == 0 {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = append(b, '[')
		b = appendString(b, fp.id)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(fp.version), 10)
		b = append(b, ',', '[')
		for j, u := range fp.uses {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			b = appendString(b, u.Node)
			b = append(b, ',')
			b = appendString(b, u.Port)
			b = append(b, ',')
			b = strconv.AppendInt(b, int64(u.n), 10)
			b = append(b, ',')
			b = strconv.AppendInt(b, u.first, 10)
			b = append(b, ',')
			b = strconv.AppendInt(b, u.last, 10)
			b = append(b, ']')
		}
		b = append(b, ']', ']')
	}
	b = append(b, ']')
	c.buf = b
	if n == 0 {
		return "", false
	}
	return bufString(b), true
}

// runFlowSQL reads what coverage needs of a run the recorder holds no
// snapshot of.
const runFlowSQL = `SELECT flow_id, flow_version, trigger_info, started_at FROM runs WHERE id = ?`

// counted reports the flow version a run's steps count for, and its start:
// ok is false for runs coverage leaves out (see coverageFilter).
func counted(run *flow.Run) (fv flowVersion, start int64, ok bool) {
	if run == nil || run.FlowID == "" || run.Trigger == "test" {
		return fv, 0, false
	}
	return flowVersion{run.FlowID, run.FlowVersion}, unixNano(run.StartedAt), true
}

// recountCoverageTx recounts the coverage of the given flow versions from
// the steps stored: call versionsOfRunsTx before deleting runs and this
// after.
func recountCoverageTx(ctx context.Context, tx *sql.Tx, versions []flowVersion) error {
	for _, v := range versions {
		if _, err := tx.ExecContext(ctx, `DELETE FROM port_coverage WHERE flow_id = ?1 AND flow_version = ?2`, v.id, v.version); err != nil {
			return fmt.Errorf("recount branch coverage: %w", err)
		}
		if _, err := tx.ExecContext(ctx, recountCoverageSQL, v.id, v.version); err != nil {
			return fmt.Errorf("recount branch coverage: %w", err)
		}
	}
	return nil
}

// versionsOfRunsTx lists the flow versions the runs with the given ids, in
// the placeholder list in, count for.
func versionsOfRunsTx(ctx context.Context, tx *sql.Tx, in string, ids []any) ([]flowVersion, error) {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT flow_id, flow_version FROM runs r WHERE `+coverageFilter+` AND id IN `+in, ids...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []flowVersion
	for rows.Next() {
		var v flowVersion
		if err := rows.Scan(&v.id, &v.version); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// PortCoverage returns the ports of version version of flow flowID that its
// recorded runs took, with how often and when; since, when not zero, keeps
// only the ports taken at or after it (with their counts of all time). The
// runs of a node's Test do not count. A port never taken is absent.
func (db *DB) PortCoverage(ctx context.Context, flowID string, version int, since time.Time) (map[NodePort]PortUse, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT p.value ->> 0, p.value ->> 1, p.value ->> 2, p.value ->> 3, p.value ->> 4
		FROM port_coverage c, json_each(c.ports) p
		WHERE c.flow_id = ? AND c.flow_version = ? AND p.value ->> 4 >= ?`, flowID, version, unixNano(since))
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
