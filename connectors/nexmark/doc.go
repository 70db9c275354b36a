// Package nexmark is the nexmark connector: a source that generates the
// standard Nexmark benchmark stream of an online auction (persons who sell
// and bid, auctions, bids), as the reference generator of Apache Beam and
// of Flink's nexmark repository makes it, so that query results and
// throughput can be compared with other engines.
//
// The stream is a sequence of events numbered from 0. Event n is a person,
// an auction or a bid by n mod 50 (1 person, then 3 auctions, then 46
// bids); its ids follow from n alone (person ids count from 1000, auction
// ids from 1000; bids go mostly to "hot" auctions and bidders), its other
// fields are drawn from a random stream seeded by the seed and n
// (internal/splitmix), and its event time is base_time + n /
// events_per_second, so that event n is the same whatever generated it
// before, in which batch or on which task. A source reads one of the three
// tables (table = 'bid' | 'auction' | 'person'), the events of its kind;
// events counts the whole stream, all kinds.
//
// The stream is split into partitions (partitions = N): partition p holds
// the events n with n mod N = p, and its offsets number them (offset k of
// partition p is event p + k*N), so a checkpoint resumes exactly, a
// replayed epoch generates the same rows, and the tasks of a parallel
// query (executor.TaskOption) split the partitions among them. Events are
// in event-time order within a partition (the reference generator's
// default, out-of-order group size 1); the source's default watermark is
// dateTime - 4 seconds, as Flink's nexmark DDL declares it.
//
// A query's reader builds only the columns the query reads
// (executor.ColumnPruner); the others are delivered as NULLs.
//
// Differences from the reference: its random draws are not Java's (values
// match the reference's distributions, not its numbers); the generator's
// cached strings (hot URLs, the 10,000 channels, the padding text) depend
// on the seed instead of on the process; a bid's bidder id has
// FIRST_PERSON_ID added once, as in Beam, not twice as in Flink's copy.
package nexmark
