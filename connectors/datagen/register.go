package datagen

import "github.com/tide-sql/tide/connectors"

func init() {
	connectors.Register(&connectors.Connector{Name: "datagen", Options: Options, NewSource: NewSource, Prefixes: []string{FieldPrefix}})
}
