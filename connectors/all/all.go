// Package all registers every connector tide ships with into the registry
// of package executor (executor.Register, from each connector's init). The
// engine imports no connector: the tide binary (cmd/tide) and the engine's
// tests import this package; a program that wants fewer connectors imports
// them one by one.
package all

import (
	_ "github.com/tide-sql/tide/connectors/blackhole" // blackhole sink (discards rows)
	_ "github.com/tide-sql/tide/connectors/console"   // console sink
	_ "github.com/tide-sql/tide/connectors/datagen"   // datagen source
	_ "github.com/tide-sql/tide/connectors/delta"     // Delta Lake sink
	_ "github.com/tide-sql/tide/connectors/kafka"     // Kafka source and sink
	_ "github.com/tide-sql/tide/connectors/memory"    // memory tables
	_ "github.com/tide-sql/tide/connectors/nexmark"   // Nexmark benchmark source
	_ "github.com/tide-sql/tide/connectors/parquet"   // Parquet sink
	_ "github.com/tide-sql/tide/connectors/postgres"  // PostgreSQL sink
)
