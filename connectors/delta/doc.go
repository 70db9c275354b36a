// Package delta is the 'delta' table connector: an exactly-once sink that
// writes a Delta Lake table in a local directory, and a scanner that reads
// the table back.
//
// The model is the Delta protocol's: a table is a directory of immutable
// Parquet data files plus a transaction log, _delta_log/, of numbered JSON
// commits. Each commit is a set of actions (add a file, remove a file, set
// an application's transaction version, ...) that turns table version N-1
// into version N. The table at version N is the replay of every commit up
// to N: the files added and not removed since. A checkpoint is that replay
// written as one Parquet file, so that a reader starts there instead of at
// version 0.
//
// The sink writes one commit per epoch. Data files are written first, where
// no reader looks at them; the commit then appears atomically, by linking a
// fully written temporary file to the version's name, which fails if the
// name exists. The commit carries a txn action {appId: query id, version:
// epoch}, so the log itself records which epochs of which query it holds:
// LastEpoch reads it back, and a replayed epoch is dropped. A crash at any
// point leaves either the whole commit or none of it; files written for a
// commit that never landed are unreferenced and invisible.
//
// Append mode adds the epoch's rows as new files. Upsert mode merges by
// primary key (copy-on-write): files whose key statistics may hold one of
// the epoch's keys are read, the ones that do are rewritten without those
// rows, and the epoch's rows (last one per key wins) are added, removes and
// adds in the same commit. An epoch with no rows is still committed, with
// only its txn action, so that LastEpoch is exactly the last epoch given to
// Commit. Every compact_every data commits, small files of a partition are
// merged into one (dataChange false); every checkpoint_every versions, a
// checkpoint and _delta_log/_last_checkpoint are written.
//
// The file layout, file names, statistics, partition value encoding and
// checkpoint schema follow the protocol (reader version 1, writer version
// 2), so that Spark, delta-rs and DuckDB read the tables tide writes.
//
// The reader reads tables other engines wrote too: classic, multi-part and
// V2 (UUID-named, with sidecars) checkpoints; partition values of every
// primitive type; column mapping by name or id (colmap.go); deletion
// vectors (dv.go); INT96 timestamps; decimals (as DOUBLE). A scan reads the
// columns a CREATE TABLE declares, matched by name without case. Reader and
// writer features tide does not implement are refused by name
// (features.go): reading never ignores one, and tide appends only to tables
// whose writer features it supports.
package delta
