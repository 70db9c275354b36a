package kafka

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/twmb/franz-go/pkg/kgo"
)

// excerptBytes is how much of a message an error quotes.
const excerptBytes = 120

// RejectRows takes back rows of the last Fetch's record of partition (row
// indexes into that record) as bad records, for a reason found after
// decoding (a row whose event time is NULL). They follow on_error like
// messages that do not decode: 'fail' returns an error naming the first
// one's topic, partition and offset with an excerpt of the message;
// 'table:NAME' adds them to the dead letters with reason; 'skip' does
// nothing more (the caller counts and drops them).
func (r *Reader) RejectRows(partition int32, rows []int, reason string) error {
	origins := r.rowOrigins[partition]
	for _, i := range rows {
		if i < 0 || i >= len(origins) {
			return fmt.Errorf("source %s: topic %s partition %d: row %d is not in the last fetch", r.table, r.cfg.topic, partition, i)
		}
		rec := origins[i]
		switch r.cfg.onError {
		case errorFail:
			return badMessageError(rec, fmt.Errorf("%s", reason))
		case errorTable:
			r.dead.add(rec.Topic, rec.Partition, rec.Offset, rec.Value, reason, rec.Timestamp)
		}
	}
	return nil
}

// badMessageError says where a bad message is, why it is bad and what it
// holds.
func badMessageError(rec *kgo.Record, reason error) error {
	return fmt.Errorf("topic %s partition %d offset %d: %w (message: %s)", rec.Topic, rec.Partition, rec.Offset, reason, excerpt(rec.Value))
}

// excerpt quotes the start of a message value.
func excerpt(v []byte) string {
	if v == nil {
		return "null"
	}
	cut := len(v) > excerptBytes
	if cut {
		v = v[:excerptBytes]
		// Do not end in the middle of a character.
		for i := 0; i < utf8.UTFMax-1 && len(v) > 0; i++ {
			if c, size := utf8.DecodeLastRune(v); c != utf8.RuneError || size != 1 {
				break
			}
			v = v[:len(v)-1]
		}
	}
	s := strings.ToValidUTF8(string(v), "\uFFFD")
	if cut {
		return fmt.Sprintf("%q…", s)
	}
	return fmt.Sprintf("%q", s)
}
