// Package all registers every connector tide ships with. The engine
// imports it; a program that wants fewer connectors imports them one by one.
package all

import (
	_ "github.com/tide-sql/tide/connectors/console"  // console sink
	_ "github.com/tide-sql/tide/connectors/datagen"  // datagen source
	_ "github.com/tide-sql/tide/connectors/delta"    // Delta Lake sink
	_ "github.com/tide-sql/tide/connectors/kafka"    // Kafka source and sink
	_ "github.com/tide-sql/tide/connectors/memory"   // memory tables
	_ "github.com/tide-sql/tide/connectors/parquet"  // Parquet sink
	_ "github.com/tide-sql/tide/connectors/postgres" // PostgreSQL sink
)
