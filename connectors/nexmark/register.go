package nexmark

import "github.com/tide-sql/tide/executor"

func init() {
	executor.Register(&executor.Connector{Name: "nexmark", Options: Options, NewSource: NewSource, Columns: Columns})
}
