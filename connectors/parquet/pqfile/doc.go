// Package pqfile writes Arrow records to one Parquet file and reads a
// Parquet file back as Arrow records, with pqarrow: the whole file (Read),
// or chosen top-level columns with their field ids (Open, File.Read), as
// table readers need for files other engines wrote. It is the file layer
// shared by the parquet and delta connectors: no naming, no logs, no
// commits, just "these rows in this file".
package pqfile
