// Package datagen is the datagen connector: a source that generates rows,
// for demos, tests and benchmarks without Kafka.
//
// Every column has a generator, chosen by fields.<column>.kind (sequence,
// random, choice, timestamp) and tuned by fields.<column>.<setting>, or the
// default for its type. A value depends only on the seed, the row number
// and the column (each cell draws from its own splitmix64 stream), never on
// batch boundaries or on rows generated before it, so the source has one
// partition whose offset is the row number: a checkpointed source resumes
// where it was and generates exactly the rows an uninterrupted run would
// have, and a replayed epoch regenerates the same rows. The exceptions are
// the wall-clock kinds (timestamps without a start, today's date), which
// read the clock. rows_per_second paces generation from the time the
// source opened; rows bounds the source, which is Done after the last row.
//
// The fields.* options are not in Options (their names depend on the
// columns): ValidateFields checks them, and NewSource calls it.
package datagen
