// Package parquet is the 'parquet' table connector: an append-only
// directory of Parquet files that queries write into exactly once, and
// that SELECT reads back.
//
// Each epoch's rows go to one file, written under a hidden temporary name
// and then linked to part-<epoch, 20 digits>-<query id>.parquet, a name
// that cannot exist twice. The epoch in the name is the whole exactly-once
// bookkeeping: a file for (query, epoch) exists exactly when that epoch is
// committed, so LastEpoch is the highest epoch among the query's files, a
// replayed epoch finds its file and is dropped, and a crash leaves only a
// temporary file that readers ignore. An epoch without rows writes no file
// (an empty file per idle epoch would litter a directory other tools
// read); replaying such an epoch is a no-op, so LastEpoch lagging behind
// it is harmless.
//
// The connector cannot update rows: a table with a primary key is refused
// at Open; use the delta connector for that.
package parquet
