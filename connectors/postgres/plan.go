package postgres

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5"

	"github.com/tide-sql/tide/executor"
)

// deletedColumn is the reserved boolean column that marks a retraction.
const deletedColumn = executor.DeletedColumn

// plan is what Open works out once: the columns written and the SQL.
type plan struct {
	schema, table string
	target        string   // quoted schema.table
	cols          []string // PostgreSQL column names, unquoted
	types         []string // PostgreSQL types to create them with
	fields        []int    // record column of each of cols
	key           []int    // indexes into cols of the key columns
	deleted       int      // record column of __deleted, or -1
	upsert        bool
	nfields       int
	ftypes        []arrow.DataType

	pgTypes      []string // the existing columns' types (format_type), set by ensureTable
	lastEpochSQL string
	queryIDsSQL  string
	claimSQL     string
	stageName    string // temporary staging table
	stage        string // the same, quoted
	stageSQL     string
	deleteSQL    string
	mergeSQL     string
}

func newPlan(schema, table string, spec executor.SinkSpec) (*plan, error) {
	if spec.Schema == nil {
		return nil, fmt.Errorf("open: no schema")
	}
	if spec.QueryID == "" {
		return nil, fmt.Errorf("open: no query id")
	}
	p := &plan{schema: schema, table: table, deleted: -1, nfields: spec.Schema.NumFields()}
	p.target = pgx.Identifier{schema, table}.Sanitize()
	seen := map[string]bool{}
	toCol := map[int]int{}
	for i, f := range spec.Schema.Fields() {
		p.ftypes = append(p.ftypes, f.Type)
		if f.Name == deletedColumn {
			if f.Type.ID() != arrow.BOOL {
				return nil, fmt.Errorf("open: column %s must be BOOLEAN, it is %s", deletedColumn, f.Type)
			}
			p.deleted = i
			continue
		}
		name := strings.ToLower(f.Name)
		if seen[name] {
			return nil, fmt.Errorf("open: two columns are named %s (column names fold to lower case)", name)
		}
		seen[name] = true
		typ, err := pgTypeFor(f.Type)
		if err != nil {
			return nil, fmt.Errorf("open: column %s: %v", f.Name, err)
		}
		if !f.Nullable {
			typ += " NOT NULL"
		}
		toCol[i] = len(p.cols)
		p.cols = append(p.cols, name)
		p.types = append(p.types, typ)
		p.fields = append(p.fields, i)
	}
	if len(p.cols) == 0 {
		return nil, fmt.Errorf("open: no columns to write")
	}
	for _, k := range spec.PrimaryKey {
		c, ok := toCol[k]
		if !ok {
			return nil, fmt.Errorf("open: primary key column index %d is not a written column", k)
		}
		p.key = append(p.key, c)
	}
	switch spec.Mode {
	case executor.SinkUpsert:
		if len(p.key) == 0 {
			return nil, fmt.Errorf("open: upsert needs a primary key")
		}
		p.upsert = true
	case executor.SinkAppend, 0:
	default:
		return nil, fmt.Errorf("open: unknown sink mode %d", spec.Mode)
	}
	offsets := pgx.Identifier{schema, "tide_offsets"}.Sanitize()
	p.lastEpochSQL = "SELECT epoch FROM " + offsets + " WHERE query_id = $1"
	p.queryIDsSQL = "SELECT query_id FROM " + offsets + " ORDER BY query_id"
	p.claimSQL = "INSERT INTO " + offsets + " AS o (query_id, epoch, updated_at) VALUES ($1, $2, now())" +
		" ON CONFLICT (query_id) DO UPDATE SET epoch = EXCLUDED.epoch, updated_at = EXCLUDED.updated_at" +
		" WHERE o.epoch < EXCLUDED.epoch"
	p.buildSQL()
	return p, nil
}

func (p *plan) buildSQL() {
	h := fnv.New64a()
	h.Write([]byte(p.schema + "\x00" + p.table))
	p.stageName = fmt.Sprintf("tide_stage_%016x", h.Sum64())
	p.stage = pgx.Identifier{p.stageName}.Sanitize()
	cols := p.quotedCols()
	p.stageSQL = "CREATE TEMP TABLE IF NOT EXISTS " + p.stage + " ON COMMIT DELETE ROWS AS SELECT " + cols +
		", false AS __tide_deleted FROM " + p.target + " WITH NO DATA"
	var on []string
	for _, k := range p.key {
		c := pgx.Identifier{p.cols[k]}.Sanitize()
		on = append(on, "t."+c+" = s."+c)
	}
	p.deleteSQL = "DELETE FROM " + p.target + " AS t USING " + p.stage + " AS s WHERE s.__tide_deleted AND " +
		strings.Join(on, " AND ")
	p.mergeSQL = "INSERT INTO " + p.target + " (" + cols + ") SELECT " + cols + " FROM " + p.stage +
		" WHERE NOT __tide_deleted" + p.onConflict()
}

// onConflict is the upsert clause, "" in append mode.
func (p *plan) onConflict() string {
	if !p.upsert {
		return ""
	}
	keys := make([]string, len(p.key))
	isKey := map[int]bool{}
	for i, k := range p.key {
		keys[i] = pgx.Identifier{p.cols[k]}.Sanitize()
		isKey[k] = true
	}
	var set []string
	for i, c := range p.cols {
		if !isKey[i] {
			q := pgx.Identifier{c}.Sanitize()
			set = append(set, q+" = EXCLUDED."+q)
		}
	}
	s := " ON CONFLICT (" + strings.Join(keys, ", ") + ")"
	if len(set) == 0 {
		return s + " DO NOTHING"
	}
	return s + " DO UPDATE SET " + strings.Join(set, ", ")
}

func (p *plan) quotedCols() string {
	q := make([]string, len(p.cols))
	for i, c := range p.cols {
		q[i] = pgx.Identifier{c}.Sanitize()
	}
	return strings.Join(q, ", ")
}

// check reports whether a written record's schema fits the sink's.
func (p *plan) check(s *arrow.Schema) error {
	if s.NumFields() != p.nfields {
		return fmt.Errorf("record has %d columns, the sink was opened with %d", s.NumFields(), p.nfields)
	}
	for i, f := range s.Fields() {
		if !arrow.TypeEqual(f.Type, p.ftypes[i]) {
			return fmt.Errorf("column %d (%s) is %s, the sink was opened with %s", i, f.Name, f.Type, p.ftypes[i])
		}
	}
	return nil
}
