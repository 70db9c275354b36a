package parser

import (
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Statement is one parsed statement of the dialect. The set is sealed.
type Statement interface {
	// Text is the statement's original text (without the final ';').
	Text() string
	// Pos is where the statement starts in the script.
	Pos() Pos
	stmt()
}

// base holds what every statement has.
type base struct {
	text string
	pos  Pos
}

func (b *base) Text() string { return b.text }
func (b *base) Pos() Pos     { return b.pos }
func (*base) stmt()          {}

// ColumnDef is a column of CREATE SOURCE / CREATE TABLE.
type ColumnDef struct {
	Name    string
	Type    arrow.DataType
	SQLType string // as written, e.g. "TIMESTAMP(3)"
	NotNull bool
	Pos     Pos
}

// WatermarkDef is `WATERMARK FOR col AS col - INTERVAL n unit`.
type WatermarkDef struct {
	Column string
	Delay  time.Duration
	Pos    Pos
}

// Option is one `key = 'value'` of a WITH clause.
type Option struct {
	Key, Value string
	KeyPos     Pos
	ValuePos   Pos
}

// OptionMap returns the options as a map (keys as written).
func OptionMap(opts []Option) map[string]string {
	m := make(map[string]string, len(opts))
	for _, o := range opts {
		m[o.Key] = o.Value
	}
	return m
}

// CreateSource is CREATE SOURCE name (columns, WATERMARK ...) WITH (...).
type CreateSource struct {
	base
	Name        string
	NamePos     Pos
	IfNotExists bool
	OrReplace   bool
	Columns     []ColumnDef
	// PrimaryKey is the row identity of a changelog source's changes.
	PrimaryKey []string
	Watermark  *WatermarkDef
	Options    []Option
}

// CreateTable is CREATE TABLE name (columns, PRIMARY KEY (...)) [WITH (...)].
type CreateTable struct {
	base
	Name        string
	NamePos     Pos
	IfNotExists bool
	OrReplace   bool
	Columns     []ColumnDef
	PrimaryKey  []string
	Watermark   *WatermarkDef // allowed for symmetry with Flink; tables used as sources
	Options     []Option
	// As is the query of CREATE TABLE ... AS SELECT: the table takes the
	// query's columns and the query starts writing into it.
	As *Query
}

// EmitMode is the EMIT clause of a query.
type EmitMode uint8

const (
	EmitDefault       EmitMode = iota // no EMIT clause
	EmitOnWindowClose                 // EMIT ON WINDOW CLOSE (or EMIT FINAL)
	EmitChanges                       // EMIT CHANGES
)

// Query is a SELECT as TiDB parsed it, with the clauses of ours that TiDB
// does not know.
type Query struct {
	// AST is *ast.SelectStmt (Kind ast.SelectStmtKindValues for a VALUES
	// list, whose rows are Lists) or *ast.SetOprStmt (UNION).
	AST ast.ResultSetNode
	// Emit and EmitPos are the EMIT clause.
	Emit    EmitMode
	EmitPos Pos
	// Watermark is the query-level `WATERMARK FOR` clause after GROUP BY.
	Watermark *WatermarkDef
	// Map turns offsets of the text TiDB parsed into positions of the user's text.
	Map *Mapper
	// Source is the query's original text.
	Source string
	// FullJoins are the joins written FULL [OUTER] JOIN, which TiDB's AST
	// holds as LEFT joins.
	FullJoins map[*ast.Join]bool
	pos       Pos
}

// Pos is where the query starts.
func (q *Query) Pos() Pos { return q.pos }

// Select is a top-level SELECT: a push query (or a snapshot of a table).
type Select struct {
	base
	Query *Query
}

// Insert is INSERT INTO table [(columns)] query: a continuous query, or
// a bounded one (INSERT INTO t VALUES (...), (...)).
type Insert struct {
	base
	Table    string
	TablePos Pos
	Columns  []string
	Query    *Query
}

// CreateView is CREATE VIEW name AS query.
type CreateView struct {
	base
	Name        string
	NamePos     Pos
	IfNotExists bool
	OrReplace   bool
	Query       *Query
}

// Show is SHOW SOURCES | TABLES | VIEWS | QUERIES.
type Show struct {
	base
	What string // upper case
}

// Describe is DESCRIBE name, or DESCRIBE QUERY id.
type Describe struct {
	base
	Name    string
	NamePos Pos
	Query   bool
}

// Explain is EXPLAIN statement.
type Explain struct {
	base
	Stmt Statement
}

// StopQuery is STOP QUERY id.
type StopQuery struct {
	base
	ID    string
	IDPos Pos
}

// Drop is DROP SOURCE | TABLE | VIEW [IF EXISTS] name.
type Drop struct {
	base
	Kind     string // SOURCE, TABLE or VIEW
	Name     string
	NamePos  Pos
	IfExists bool
}

// Set is SET name = value.
type Set struct {
	base
	Name     string
	Value    string
	ValuePos Pos
}

var (
	_ Statement = (*CreateSource)(nil)
	_ Statement = (*CreateTable)(nil)
	_ Statement = (*CreateView)(nil)
	_ Statement = (*Select)(nil)
	_ Statement = (*Insert)(nil)
	_ Statement = (*Show)(nil)
	_ Statement = (*Describe)(nil)
	_ Statement = (*Explain)(nil)
	_ Statement = (*StopQuery)(nil)
	_ Statement = (*Drop)(nil)
	_ Statement = (*Set)(nil)
)

// TablePos is where name stands after FROM or JOIN in the query's text
// (the query's start if it does not), for errors about that table.
func (q *Query) TablePos(name string) Pos {
	toks := scan(q.Source)
	for i := 1; i < len(toks); i++ {
		prev := toks[i-1]
		if (prev.is("FROM") || prev.is("JOIN") || prev.is(",")) && (toks[i].kind == tokIdent || toks[i].kind == tokQIdent) &&
			strings.EqualFold(toks[i].value(), name) {
			return PosAt(q.Map.src, q.pos.Offset+toks[i].start)
		}
	}
	return q.pos
}

// NewInsert builds the INSERT that CREATE TABLE ... AS SELECT runs.
func NewInsert(text string, pos Pos, table string, tablePos Pos, q *Query) *Insert {
	return &Insert{base: base{text: text, pos: pos}, Table: table, TablePos: tablePos, Query: q}
}
