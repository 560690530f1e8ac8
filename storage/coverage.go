package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/flowbench/flowbench/flow"
)

// Branch coverage (migration 0007): port_coverage holds, per flow version,
// a JSON array of [node, port, taken, first, last] and a random rev. The
// recorder merges each commit's steps into the rows it holds in memory and
// writes each changed row in the transaction that writes the steps
// (coverageBatch.write); deleting runs recounts the flow versions they
// belonged to (recountCoverageTx).

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
ON CONFLICT(flow_id, flow_version) DO UPDATE SET rev = random(), ports = (
	SELECT json_group_array(json_array(n, p, t, f, l)) FROM (
		SELECT n, p, sum(t) AS t, min(f) AS f, max(l) AS l FROM (
			SELECT value ->> 0 AS n, value ->> 1 AS p, value ->> 2 AS t, value ->> 3 AS f, value ->> 4 AS l
				FROM json_each(port_coverage.ports)
			UNION ALL
			SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(excluded.ports))
		GROUP BY n, p))`

// stepCoverageSQL is the coverage row, per flow version, that the stored
// steps of the runs selected by the condition %s give.
const stepCoverageSQL = `SELECT flow_id, flow_version, json_group_array(json_array(node, port, taken, first_at, last_at)), random()
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
var addRunCoverageSQL = `INSERT INTO port_coverage(flow_id, flow_version, ports, rev) ` +
	fmt.Sprintf(stepCoverageSQL, "r.id = ?1") + onCoverageConflict

// recountCoverageSQL writes the coverage of one flow version (?1, ?2) from
// its stored steps, once its old row is deleted.
var recountCoverageSQL = `INSERT INTO port_coverage(flow_id, flow_version, ports, rev) ` +
	fmt.Sprintf(stepCoverageSQL, "r.flow_id = ?1 AND r.flow_version = ?2")

// flowVersion is a run's flow and version, as coverage counts them.
type flowVersion struct {
	id      string
	version int
}

// The statements of coverageBatch.write: a row the recorder holds is
// replaced only while its rev is the one held; a row it holds none of is
// inserted only when there is none.
const (
	updateCoverageSQL = `UPDATE port_coverage SET ports = ?1, rev = ?2 WHERE flow_id = ?3 AND flow_version = ?4 AND rev = ?5`
	insertCoverageSQL = `INSERT INTO port_coverage(flow_id, flow_version, ports, rev) VALUES(?3, ?4, ?1, ?2)
		ON CONFLICT(flow_id, flow_version) DO NOTHING`
	readCoverageSQL   = `SELECT ports, rev FROM port_coverage WHERE flow_id = ? AND flow_version = ?`
	upsertCoverageSQL = `INSERT INTO port_coverage(flow_id, flow_version, ports, rev) VALUES(?3, ?4, ?1, ?2)
		ON CONFLICT(flow_id, flow_version) DO UPDATE SET ports = excluded.ports, rev = excluded.rev`
)

// maxHeldCoverage bounds the flow versions whose rows a recorder keeps in
// memory; past it they are forgotten and read again when next written.
const maxHeldCoverage = 64

// coverageBatch gathers the ports a commit's steps took, by flow version,
// and merges them into the port_coverage rows it holds (held), reusing its
// memory. The zero value is ready to use; the recorder's writer owns one.
type coverageBatch struct {
	buf   []byte
	index map[flowVersion]int // into flows
	flows []flowPorts
	held  map[flowVersion]*heldCoverage // the rows as last written
}

type flowPorts struct {
	flowVersion
	seen map[NodePort]int // into uses
	uses []portUse
}

type portUse struct {
	NodePort
	n           int64
	first, last int64
}

// heldCoverage is a port_coverage row: its ports in the stored order, and
// its rev.
type heldCoverage struct {
	rev   int64
	index map[NodePort]int
	uses  []portUse
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

// write merges the gathered ports into the rows of their flow versions in
// tx: one statement per flow version when the row is the one held (or
// there is none), else it reads the row first. The rows held change at
// once: when tx does not commit, call forget.
func (c *coverageBatch) write(ctx context.Context, tx *sql.Tx, update, insert *sql.Stmt) error {
	for i := range c.flows {
		fp := &c.flows[i]
		if len(fp.uses) == 0 {
			continue
		}
		row := c.held[fp.flowVersion]
		var res sql.Result
		var err error
		if row != nil {
			was := row.rev
			row.add(fp.uses)
			res, err = update.ExecContext(ctx, c.encode(row), row.rev, fp.id, int64(fp.version), was)
		} else {
			row = &heldCoverage{}
			row.add(fp.uses)
			res, err = insert.ExecContext(ctx, c.encode(row), row.rev, fp.id, int64(fp.version))
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			// Another writer changed the row (or made it): read it and merge
			// into what it holds.
			if row, err = readHeld(ctx, tx, fp.flowVersion); err != nil {
				return err
			}
			if row == nil {
				row = &heldCoverage{}
			}
			row.add(fp.uses)
			if _, err := tx.ExecContext(ctx, upsertCoverageSQL, c.encode(row), row.rev, fp.id, int64(fp.version)); err != nil {
				return err
			}
		}
		if c.held == nil || len(c.held) >= maxHeldCoverage && c.held[fp.flowVersion] == nil {
			c.held = map[flowVersion]*heldCoverage{}
		}
		c.held[fp.flowVersion] = row
	}
	return nil
}

// forget drops the rows held, after a transaction that did not commit.
func (c *coverageBatch) forget() { clear(c.held) }

// add adds uses to h and gives it a new rev.
func (h *heldCoverage) add(uses []portUse) {
	h.rev = rand.Int64()
	if h.index == nil {
		h.index = make(map[NodePort]int, len(uses))
	}
	for _, u := range uses {
		if i, ok := h.index[u.NodePort]; ok {
			o := &h.uses[i]
			o.n += u.n
			o.first, o.last = min(o.first, u.first), max(o.last, u.last)
			continue
		}
		h.index[u.NodePort] = len(h.uses)
		h.uses = append(h.uses, u)
	}
}

// readHeld reads a flow version's row; nil when there is none.
func readHeld(ctx context.Context, tx *sql.Tx, fv flowVersion) (*heldCoverage, error) {
	var ports string
	var rev int64
	err := tx.QueryRowContext(ctx, readCoverageSQL, fv.id, fv.version).Scan(&ports, &rev)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rows [][]any
	dec := json.NewDecoder(strings.NewReader(ports))
	dec.UseNumber()
	if err := dec.Decode(&rows); err != nil {
		return nil, fmt.Errorf("the stored coverage of flow %q version %d is not valid: %w", fv.id, fv.version, err)
	}
	h := &heldCoverage{rev: rev, index: make(map[NodePort]int, len(rows))}
	for _, r := range rows {
		if len(r) != 5 {
			return nil, fmt.Errorf("the stored coverage of flow %q version %d has an entry of %d fields, not 5", fv.id, fv.version, len(r))
		}
		node, _ := r[0].(string)
		port, _ := r[1].(string)
		var nums [3]int64
		for i := range nums {
			n, _ := r[2+i].(json.Number)
			nums[i], _ = n.Int64()
		}
		k := NodePort{node, port}
		h.index[k] = len(h.uses)
		h.uses = append(h.uses, portUse{NodePort: k, n: nums[0], first: nums[1], last: nums[2]})
	}
	return h, nil
}

// encode returns row's ports as JSON, valid until the next call.
func (c *coverageBatch) encode(row *heldCoverage) string {
	if cap(c.buf) > maxKeptBatchBuffer {
		c.buf = nil
	}
	b := append(c.buf[:0], '[')
	for j, u := range row.uses {
		if j > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = appendString(b, u.Node)
		b = append(b, ',')
		b = appendString(b, u.Port)
		b = append(b, ',')
		b = strconv.AppendInt(b, u.n, 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, u.first, 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, u.last, 10)
		b = append(b, ']')
	}
	b = append(b, ']')
	c.buf = b
	return bufString(b)
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
