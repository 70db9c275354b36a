package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/cmd/tide/internal/render"
)

const consumeUsage = `tide consume --topic T [--group G] [--from-beginning] [--key]
             [--isolation read_uncommitted|read_committed] [--max-messages N] [--timeout D]

The console consumer (kafka-console-consumer --bootstrap-server B --topic T
[--group G] [--from-beginning] [--max-messages N] [--timeout-ms MS]), for
any Kafka (--brokers or $TIDE_BROKERS). Prints each record as it arrives
until Ctrl-C, --max-messages or --timeout without a record:

  by default     PARTITION:OFFSET, a tab, then the value (with --key: the
                 key and a tab before the value)
  --format json  {"topic","partition","offset","timestamp","key","value"}
                 one object per line
  --format csv   the same columns

Without --group it reads every partition from the end (--from-beginning:
from the start) and commits nothing. With --group it joins consumer group
G, starts where G committed (where there is no commit, at the end or
with --from-beginning the start) and commits what it printed. The count
of records printed goes to stderr at the end.`

// consumeOptions are consume's flags.
type consumeOptions struct {
	topic, group  string
	fromBeginning bool
	key           bool
	isolation     string
	maxMessages   int
	timeout       time.Duration
}

func (a *app) cmdConsume(g globalOptions, args []string) int {
	o := consumeOptions{isolation: "read_uncommitted"}
	fs := newFlagSet("consume", consumeUsage, &g, a.stderr)
	fs.StringVar(&o.topic, "topic", "", "`topic` to read (required)")
	fs.StringVar(&o.group, "group", "", "consumer `group` to join and commit to")
	fs.BoolVar(&o.fromBeginning, "from-beginning", false, "start at the earliest record where there is no committed offset")
	fs.BoolVar(&o.key, "key", false, "print each record's key before its value")
	fs.StringVar(&o.isolation, "isolation", o.isolation, "transaction isolation `level`: read_uncommitted, or read_committed to skip aborted and open transactions")
	fs.IntVar(&o.maxMessages, "max-messages", 0, "stop after `N` records (0: no limit)")
	fs.DurationVar(&o.timeout, "timeout", 0, "stop when no record arrives for this long, e.g. 10s (0: wait forever)")
	var extra []string
	if err := parseFlags(fs, args, func(s string) { extra = append(extra, s) }); err != nil {
		return flagExit(err)
	}
	if err := unexpectedArgs("consume", extra); err != nil {
		fmt.Fprintln(a.stderr, "tide", err)
		return exitUsage
	}
	if msg := o.check(); msg != "" {
		fmt.Fprintln(a.stderr, "tide consume: "+msg)
		return exitUsage
	}
	brokers, ok := a.toolBrokers(g, "consume")
	if !ok {
		return exitUsage
	}
	ctx, cancel := a.interruptible()
	defer cancel()
	n, err := consume(ctx, brokers, o, newRecordPrinter(a.stdout, g.format, o.key))
	if err == nil || n > 0 {
		fmt.Fprintf(a.stderr, "tide: consumed %d records from %s\n", n, o.topic)
	}
	if err != nil {
		return a.fail("consume", err)
	}
	return exitOK
}

// check says what is wrong with the options, "" if nothing.
func (o consumeOptions) check() string {
	switch {
	case o.topic == "":
		return "--topic is required"
	case o.isolation != "read_uncommitted" && o.isolation != "read_committed":
		return fmt.Sprintf("--isolation is read_uncommitted or read_committed, not %q", o.isolation)
	case o.maxMessages < 0:
		return fmt.Sprintf("--max-messages must be 0 (no limit) or more, not %d", o.maxMessages)
	case o.timeout < 0:
		return fmt.Sprintf("--timeout must be 0 (none) or more, not %v", o.timeout)
	}
	return ""
}

// consume prints records until ctx is done, the limit or the timeout,
// and returns how many it printed. Stopping is not an error.
func consume(ctx context.Context, brokers string, o consumeOptions, p *recordPrinter) (n int, err error) {
	reset := kgo.NewOffset().AtEnd()
	if o.fromBeginning {
		reset = kgo.NewOffset().AtStart()
	}
	iso := kgo.ReadUncommitted()
	if o.isolation == "read_committed" {
		iso = kgo.ReadCommitted()
	}
	opts := []kgo.Opt{kgo.ConsumeTopics(o.topic), kgo.ConsumeResetOffset(reset), kgo.FetchIsolationLevel(iso)}
	if o.group != "" {
		opts = append(opts, kgo.ConsumerGroup(o.group), kgo.AutoCommitMarks())
	}
	cl, err := dialKafka(ctx, brokers, opts...)
	if err != nil {
		return 0, err
	}
	defer cl.Close()
	// As kafka-console-consumer does: a broker that creates topics on
	// first use creates this one; any other answers that it is missing.
	if err := requireTopic(ctx, cl, brokers, o.topic, true); err != nil {
		return 0, err
	}
	defer func() {
		err = errors.Join(err, p.close())
		if o.group == "" {
			return
		}
		cctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
		defer cancel()
		if cerr := cl.CommitMarkedOffsets(cctx); cerr != nil {
			err = errors.Join(err, fmt.Errorf("commit the offsets of group %s on %s: %w", o.group, brokers, cerr))
		}
	}()
	for {
		pctx, cancel := ctx, context.CancelFunc(func() {})
		if o.timeout > 0 {
			pctx, cancel = context.WithTimeout(ctx, o.timeout)
		}
		fetches := cl.PollRecords(pctx, 10000)
		timedOut := pctx.Err() != nil && ctx.Err() == nil
		cancel()
		if ctx.Err() != nil || fetches.IsClientClosed() {
			return n, nil
		}
		var ferr error
		fetches.EachError(func(t string, part int32, err error) {
			if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) && ferr == nil {
				ferr = fmt.Errorf("fetch %s partition %d from %s: %w", t, part, brokers, err)
			}
		})
		if ferr != nil {
			return n, ferr
		}
		var werr error
		fetches.EachRecord(func(r *kgo.Record) {
			if werr != nil || (o.maxMessages > 0 && n >= o.maxMessages) {
				return
			}
			if werr = p.print(r); werr == nil {
				n++
				if o.group != "" {
					cl.MarkCommitRecords(r)
				}
			}
		})
		if err := errors.Join(werr, p.flush()); err != nil {
			return n, err
		}
		if (o.maxMessages > 0 && n >= o.maxMessages) || (timedOut && fetches.NumRecords() == 0) {
			return n, nil
		}
	}
}

// recordPrinter prints consumed records in the chosen format.
type recordPrinter struct {
	w      io.Writer
	key    bool            // text: print keys
	stream *render.Stream  // json and csv; nil for text
	text   strings.Builder // text lines not yet written
}

var consumeColumns = []string{"topic", "partition", "offset", "timestamp", "key", "value"}

func newRecordPrinter(w io.Writer, f render.Format, key bool) *recordPrinter {
	p := &recordPrinter{w: w, key: key}
	if f != render.Table {
		p.stream = render.NewStream(w, f, consumeColumns, []bool{false, true, true, false, false, false}, render.StreamOptions{})
	}
	return p
}

func (p *recordPrinter) print(r *kgo.Record) error {
	if p.stream != nil {
		var key any
		if r.Key != nil {
			key = string(r.Key)
		}
		var value any
		if r.Value != nil {
			value = string(r.Value)
		}
		return p.stream.Write([][]any{{r.Topic, int64(r.Partition), r.Offset, r.Timestamp, key, value}})
	}
	fmt.Fprintf(&p.text, "%d:%d\t", r.Partition, r.Offset)
	if p.key {
		p.text.Write(r.Key)
		p.text.WriteByte('\t')
	}
	p.text.Write(r.Value)
	p.text.WriteByte('\n')
	return nil
}

// close ends the output (a CSV header if nothing was printed).
func (p *recordPrinter) close() error {
	if p.stream != nil {
		return p.stream.Close("")
	}
	return p.flush()
}

// flush writes the text lines printed since the last flush.
func (p *recordPrinter) flush() error {
	if p.text.Len() == 0 {
		return nil
	}
	_, err := io.WriteString(p.w, p.text.String())
	p.text.Reset()
	return err
}
