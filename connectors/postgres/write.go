package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// writeMethod is how Commit sends an epoch's rows. writeCopy is the one
// used; writeValues stays for BenchmarkPostgresCommit, which measures both
// (COPY was the faster for 10,000-row epochs: see the package's tests).
type writeMethod uint8

const (
	// writeCopy: binary COPY into the table (append), or into a temporary
	// staging table and then INSERT ... SELECT ... ON CONFLICT (upsert).
	writeCopy writeMethod = iota
	// writeValues: multi-row INSERT ... VALUES statements, pipelined.
	writeValues
)

func (m writeMethod) write(ctx context.Context, tx pgx.Tx, p *plan, er *epochRows) error {
	if len(er.refs) == 0 {
		return nil
	}
	if m == writeValues {
		return writeByValues(ctx, tx, p, er)
	}
	return writeByCopy(ctx, tx, p, er)
}

func writeByCopy(ctx context.Context, tx pgx.Tx, p *plan, er *epochRows) error {
	if !p.upsert {
		src := newCopySource(er, len(p.cols), false, nil)
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{p.schema, p.table}, p.cols, src); err != nil {
			return fmt.Errorf("copy rows: %w", err)
		}
		return nil
	}
	if _, err := tx.Exec(ctx, p.stageSQL); err != nil {
		return fmt.Errorf("create staging table: %w", err)
	}
	cols := append(append([]string(nil), p.cols...), "__tide_deleted")
	src := newCopySource(er, len(p.cols), true, nil)
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{p.stageName}, cols, src); err != nil {
		return fmt.Errorf("copy rows to staging table: %w", err)
	}
	if er.deletes > 0 {
		if _, err := tx.Exec(ctx, p.deleteSQL); err != nil {
			return fmt.Errorf("delete retracted rows: %w", err)
		}
	}
	if er.deletes < len(er.refs) {
		if _, err := tx.Exec(ctx, p.mergeSQL); err != nil {
			return fmt.Errorf("upsert rows: %w", err)
		}
	}
	return nil
}

// writeByValues sends the rows as multi-row statements of at most
// valuesBatch rows, all in one pipelined batch.
func writeByValues(ctx context.Context, tx pgx.Tx, p *plan, er *epochRows) error {
	const valuesBatch = 1000
	batch := &pgx.Batch{}
	row := make([]any, len(p.cols))
	queue := func(prefix, suffix string, width int, keep func(rowRef) bool, pick func([]any) []any, cast bool) {
		var sb strings.Builder
		var args []any
		n := 0
		flush := func() {
			if n == 0 {
				return
			}
			batch.Queue(prefix+sb.String()+suffix, args...)
			sb.Reset()
			args, n = nil, 0
		}
		for _, ref := range er.refs {
			if !keep(ref) {
				continue
			}
			er.values(row, ref)
			if n > 0 {
				sb.WriteString(", ")
			}
			sb.WriteByte('(')
			for i, v := range pick(row) {
				if i > 0 {
					sb.WriteString(", ")
				}
				args = append(args, v)
				sb.WriteString("$" + strconv.Itoa(len(args)))
				if cast {
					sb.WriteString("::" + p.pgTypes[p.key[i]])
				}
			}
			sb.WriteByte(')')
			if n++; n == valuesBatch || len(args)+width > 65535 {
				flush()
			}
		}
		flush()
	}
	if er.deletes > 0 {
		keys := make([]string, len(p.key))
		for i, k := range p.key {
			keys[i] = pgx.Identifier{p.cols[k]}.Sanitize()
		}
		pickKey := func(r []any) []any {
			out := make([]any, len(p.key))
			for i, k := range p.key {
				out[i] = r[k]
			}
			return out
		}
		queue("DELETE FROM "+p.target+" WHERE ("+strings.Join(keys, ", ")+") IN (VALUES ", ")",
			len(p.key), func(r rowRef) bool { return r.del }, pickKey, true)
	}
	queue("INSERT INTO "+p.target+" ("+p.quotedCols()+") VALUES ", p.onConflict(),
		len(p.cols), func(r rowRef) bool { return !r.del }, func(r []any) []any { return r }, false)
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("insert rows: %w", err)
	}
	return nil
}
