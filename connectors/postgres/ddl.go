package postgres

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tide-sql/tide/catalog"
)

// pgTypeFor is the PostgreSQL type a column of Arrow type t is created with.
func pgTypeFor(t arrow.DataType) (string, error) {
	switch t.ID() {
	case arrow.BOOL:
		return "BOOLEAN", nil
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32:
		return "BIGINT", nil
	case arrow.FLOAT32, arrow.FLOAT64:
		return "DOUBLE PRECISION", nil
	case arrow.STRING, arrow.LARGE_STRING, arrow.NULL:
		return "TEXT", nil
	case arrow.TIMESTAMP:
		return "TIMESTAMPTZ", nil
	case arrow.DATE32, arrow.DATE64:
		return "DATE", nil
	case arrow.STRUCT, arrow.LIST, arrow.MAP:
		return "JSONB", nil // nested values as JSON (executor.AppendJSON)
	}
	return "", fmt.Errorf("type %s cannot be written to PostgreSQL", t)
}

// compatible reports whether values of Arrow type t can be written into a
// PostgreSQL column whose pg_type.typname is typ.
func compatible(t arrow.DataType, typ string) bool {
	ok := func(names ...string) bool {
		for _, n := range names {
			if n == typ {
				return true
			}
		}
		return false
	}
	switch t.ID() {
	case arrow.BOOL:
		return ok("bool")
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32:
		return ok("int8", "int4", "int2", "numeric")
	case arrow.FLOAT32, arrow.FLOAT64:
		return ok("float8", "float4", "numeric")
	case arrow.STRING, arrow.LARGE_STRING:
		return ok("text", "varchar", "bpchar", "json", "jsonb")
	case arrow.TIMESTAMP:
		return ok("timestamptz", "timestamp")
	case arrow.DATE32, arrow.DATE64:
		return ok("date")
	case arrow.NULL:
		return true
	case arrow.STRUCT, arrow.LIST, arrow.MAP:
		return ok("jsonb", "json")
	}
	return false
}

// isRace reports whether err is the error a concurrent CREATE ... IF NOT
// EXISTS can raise (PostgreSQL checks existence before taking its locks).
func isRace(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "42P07" || pe.Code == "42P06")
}

func execRetry(ctx context.Context, pool *pgxpool.Pool, sql string) error {
	_, err := pool.Exec(ctx, sql)
	if isRace(err) {
		_, err = pool.Exec(ctx, sql)
	}
	return err
}

func ensureSchema(ctx context.Context, pool *pgxpool.Pool, schema string) error {
	var exists bool
	if err := pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", schema).Scan(&exists); err != nil {
		return fmt.Errorf("look up schema %s: %w", schema, err)
	}
	if exists {
		return nil
	}
	if err := execRetry(ctx, pool, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return fmt.Errorf("create schema %s: %w", schema, err)
	}
	return nil
}

func ensureOffsets(ctx context.Context, pool *pgxpool.Pool, schema string) error {
	sql := "CREATE TABLE IF NOT EXISTS " + pgx.Identifier{schema, "tide_offsets"}.Sanitize() +
		" (query_id TEXT PRIMARY KEY, epoch BIGINT NOT NULL, updated_at TIMESTAMPTZ)"
	if err := execRetry(ctx, pool, sql); err != nil {
		return fmt.Errorf("create %s.tide_offsets: %w", schema, err)
	}
	return nil
}

type pgColumn struct {
	num    int16
	typ    string // pg_type.typname
	format string // format_type, for casts
}

// ensureTable creates p's table if it is missing, or checks the existing
// one: every column present with a compatible type, and for upserts a unique
// index on exactly the key columns.
func ensureTable(ctx context.Context, pool *pgxpool.Pool, p *plan) error {
	const relSQL = `SELECT c.oid, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = $2`
	var oid uint32
	var kind string
	err := pool.QueryRow(ctx, relSQL, p.schema, p.table).Scan(&oid, &kind)
	if errors.Is(err, pgx.ErrNoRows) {
		if err := execRetry(ctx, pool, p.createSQL()); err != nil {
			return fmt.Errorf("create table %s.%s: %w", p.schema, p.table, err)
		}
		err = pool.QueryRow(ctx, relSQL, p.schema, p.table).Scan(&oid, &kind)
	}
	if err != nil {
		return fmt.Errorf("look up table %s.%s: %w", p.schema, p.table, err)
	}
	if kind != "r" && kind != "p" {
		return fmt.Errorf("%s.%s is not a table (relkind %s)", p.schema, p.table, kind)
	}
	cols := map[string]pgColumn{}
	byNum := map[int16]string{}
	rows, err := pool.Query(ctx, `SELECT a.attname::text, a.attnum, t.typname::text, format_type(a.atttypid, a.atttypmod)
		FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
		WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped`, oid)
	if err != nil {
		return fmt.Errorf("read columns of %s.%s: %w", p.schema, p.table, err)
	}
	for rows.Next() {
		var name string
		var c pgColumn
		if err := rows.Scan(&name, &c.num, &c.typ, &c.format); err != nil {
			rows.Close()
			return fmt.Errorf("read columns of %s.%s: %w", p.schema, p.table, err)
		}
		cols[name] = c
		byNum[c.num] = name
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read columns of %s.%s: %w", p.schema, p.table, err)
	}
	var missing, wrong []string
	p.pgTypes = make([]string, len(p.cols))
	for i, name := range p.cols {
		c, ok := cols[name]
		if !ok {
			missing = append(missing, name)
			continue
		}
		if t := p.ftypes[p.fields[i]]; !compatible(t, c.typ) {
			wrong = append(wrong, fmt.Sprintf("%s is %s, cannot hold %s", name, c.format, catalog.TypeName(t)))
		}
		p.pgTypes[i] = c.format
	}
	if len(missing) > 0 {
		return fmt.Errorf("existing table %s.%s lacks column(s) %s", p.schema, p.table, strings.Join(missing, ", "))
	}
	if len(wrong) > 0 {
		return fmt.Errorf("existing table %s.%s: column %s", p.schema, p.table, strings.Join(wrong, "; "))
	}
	if p.upsert {
		return checkUnique(ctx, pool, p, oid, byNum)
	}
	return nil
}

func checkUnique(ctx context.Context, pool *pgxpool.Pool, p *plan, oid uint32, byNum map[int16]string) error {
	want := make([]string, len(p.key))
	for i, k := range p.key {
		want[i] = p.cols[k]
	}
	sort.Strings(want)
	rows, err := pool.Query(ctx, `SELECT indkey::int2[] FROM pg_index
		WHERE indrelid = $1 AND indisunique AND indpred IS NULL AND indexprs IS NULL`, oid)
	if err != nil {
		return fmt.Errorf("read indexes of %s.%s: %w", p.schema, p.table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var nums []int16
		if err := rows.Scan(&nums); err != nil {
			return fmt.Errorf("read indexes of %s.%s: %w", p.schema, p.table, err)
		}
		got := make([]string, len(nums))
		for i, n := range nums {
			got[i] = byNum[n]
		}
		sort.Strings(got)
		if strings.Join(got, "\x00") == strings.Join(want, "\x00") {
			return nil
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read indexes of %s.%s: %w", p.schema, p.table, err)
	}
	return fmt.Errorf("existing table %s.%s has no primary key or unique index on (%s), which upserts (ON CONFLICT) need",
		p.schema, p.table, strings.Join(want, ", "))
}

func (p *plan) createSQL() string {
	defs := make([]string, 0, len(p.cols)+1)
	for i, c := range p.cols {
		defs = append(defs, pgx.Identifier{c}.Sanitize()+" "+p.types[i])
	}
	if len(p.key) > 0 {
		keys := make([]string, len(p.key))
		for i, k := range p.key {
			keys[i] = pgx.Identifier{p.cols[k]}.Sanitize()
		}
		defs = append(defs, "PRIMARY KEY ("+strings.Join(keys, ", ")+")")
	}
	return "CREATE TABLE IF NOT EXISTS " + p.target + " (" + strings.Join(defs, ", ") + ")"
}
