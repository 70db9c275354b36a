package datagen

import "github.com/tide-sql/tide/executor"

func init() {
	executor.Register(&executor.Connector{Name: "datagen", Options: Options, NewSource: NewSource, Prefixes: []string{FieldPrefix}})
}
