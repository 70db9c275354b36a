// Package postgres is the PostgreSQL sink (connector = 'postgres').
//
// Options: dsn (required; a libpq URL or keyword/value string), table (the
// PostgreSQL table; default the tide table's name) and schema (default
// public). Unquoted table and schema names fold to lower case as they do in
// PostgreSQL; a value in double quotes is used exactly. Column names are the
// tide column names in lower case.
//
// On Open the sink creates the table if it is missing (BOOLEAN, BIGINT,
// DOUBLE PRECISION, TEXT, TIMESTAMPTZ, DATE; PRIMARY KEY from the tide
// table's key) or checks that an existing one has every column with a
// compatible type (and, for upserts, a unique index on the key). It also
// creates the bookkeeping table tide_offsets(query_id, epoch, updated_at) in
// the same schema.
//
// Write only buffers the epoch's Arrow records. Commit writes them in one
// transaction that first claims the epoch in tide_offsets: if the query has
// already committed that epoch or a later one, the transaction is rolled
// back and Commit returns nil, so a replayed epoch is a no-op and a crash at
// any point leaves the table as if the epoch had been written exactly once.
// Rows go through a binary COPY: straight into the table in append mode;
// into a temporary staging table and then INSERT ... SELECT ... ON CONFLICT
// (key) DO UPDATE in upsert mode, with the epoch's rows deduplicated by key
// first (the last row of a key wins), since ON CONFLICT cannot touch one row
// twice in a statement.
//
// A boolean column named __deleted is reserved for retractions: it is not
// written, and in upsert mode a row with __deleted = true deletes its key.
//
// If Commit fails, the epoch's rows stay buffered so that Commit may be
// retried; a driver that replays the epoch instead calls Abort first.
package postgres
