package planner

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/parser"
)

// DeletedColumn is the last column of a changelog: TRUE marks a row that
// is taken back (Flink's -U and -D), FALSE or NULL a row that is added (+I
// and +U). Sinks with a primary key delete the key of a row marked TRUE;
// within an epoch the last row of a key decides.
const DeletedColumn = "__deleted"

// DeletedField is DeletedColumn's field.
var DeletedField = arrow.Field{Name: DeletedColumn, Type: arrow.FixedWidthTypes.Boolean, Nullable: true}

// ChangelogNormalize keeps the current row of every key of a changelog
// source (Flink's ChangelogNormalize) and turns what the source says into
// full retractions: an update of a key retracts the row it held, a delete
// retracts it whole even when the source sent only the key (PostgreSQL's
// default replica identity), and a delete of a key never seen is counted
// and dropped. Its output is a retract changelog: every row marked deleted
// is a row added before.
type ChangelogNormalize struct {
	Input Node
	Key   []int // the source's PRIMARY KEY columns
}

func (*ChangelogNormalize) node() {}

var _ Node = (*ChangelogNormalize)(nil)

func (n *ChangelogNormalize) Schema() *arrow.Schema { return n.Input.Schema() }
func (n *ChangelogNormalize) Children() []Node      { return []Node{n.Input} }

func (n *ChangelogNormalize) Describe() string {
	keys := make([]string, len(n.Key))
	for i, k := range n.Key {
		keys[i] = n.Input.Schema().Field(k).Name
	}
	return fmt.Sprintf("ChangelogNormalize key=[%s] changes=retract", strings.Join(keys, ", "))
}

// withDeleted returns fields followed by DeletedField.
func withDeleted(fields []arrow.Field) []arrow.Field {
	return append(append([]arrow.Field(nil), fields...), DeletedField)
}

// deletedRef reads the __deleted column of a changelog relation.
func (r *rel) deletedRef() *ColumnRef {
	return &ColumnRef{Index: len(r.cols), Name: DeletedColumn, Typ: DeletedField.Type}
}

// changelogKind names what makes t a changelog, for messages.
func changelogKind(t *catalog.Table) string {
	if f := t.Options["format"]; f != "" && f != "json" {
		return "format " + f
	}
	if m := t.Options["mode"]; m != "" {
		return "mode " + m
	}
	return "a changelog"
}

// refuseChanges is the error for an operator that takes no changelog.
func refuseChanges(q *parser.Query, what string) error {
	return &parser.Error{Pos: q.Pos(), Msg: what + " over a changelog (a source of updates and deletes) is not supported yet",
		Hint: "aggregate the changes without a window (GROUP BY keys), or write them into a table with a PRIMARY KEY and read that"}
}
