package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

const produceUsage = `tide produce --topic T [--key FIELD] [FILE]

Sends JSON lines (one JSON value per line, from FILE or standard input) to
topic T, each as one record. With --key, the record key is the JSON
object's field FIELD. Lines that are not valid JSON are reported with their
line number and skipped; the exit code is then 1.`

// maxLine is the longest JSON line produce accepts.
const maxLine = 16 << 20

func (a *app) cmdProduce(g globalOptions, args []string) int {
	var topic, keyField string
	fs := newFlagSet("produce", produceUsage, &g, a.stderr)
	fs.StringVar(&topic, "topic", "", "`topic` to write to (required)")
	fs.StringVar(&keyField, "key", "", "JSON `field` whose value is the record key")
	var files []string
	if err := parseFlags(fs, args, func(s string) { files = append(files, s) }); err != nil {
		return flagExit(err)
	}
	if topic == "" {
		fmt.Fprintln(a.stderr, "tide produce: --topic is required")
		return exitUsage
	}
	if len(files) > 1 {
		fmt.Fprintln(a.stderr, "tide produce: give one FILE (or none for standard input)")
		return exitUsage
	}
	brokers := a.configuredBrokers(g)
	if brokers == "" {
		// An embedded broker would vanish with this process, and the records with it.
		fmt.Fprintln(a.stderr, "tide produce: no broker configured: give --brokers or $TIDE_BROKERS (tide broker starts one)")
		return exitUsage
	}
	in, name := a.stdin, "<stdin>"
	if len(files) == 1 && files[0] != "-" {
		f, err := os.Open(files[0])
		if err != nil {
			return a.fail("produce", err)
		}
		defer f.Close()
		in, name = f, files[0]
	}

	ctx, cancel := a.interruptible()
	defer cancel()
	st, err := produceLines(ctx, produceConfig{brokers: brokers, topic: topic, keyField: keyField}, in, name, a.stderr)
	if err != nil {
		fmt.Fprintf(a.stderr, "tide produce: %v\n", err)
	}
	fmt.Fprintf(a.stdout, "produced %d records to %s", st.produced, topic)
	if st.bad > 0 {
		fmt.Fprintf(a.stdout, " (%d bad lines skipped)", st.bad)
	}
	if st.failed > 0 {
		fmt.Fprintf(a.stdout, " (%d records failed)", st.failed)
	}
	fmt.Fprintln(a.stdout)
	if err != nil || st.bad > 0 || st.failed > 0 {
		return exitFail
	}
	return exitOK
}

type produceConfig struct {
	brokers  string
	topic    string
	keyField string
}

type produceStats struct {
	produced, bad, failed int64
}

// produceLines sends each JSON line of in as a record and waits until every
// record is acknowledged. Bad lines are reported to errw as NAME:LINE.
func produceLines(ctx context.Context, cfg produceConfig, in io.Reader, name string, errw io.Writer) (produceStats, error) {
	var st produceStats
	var batchMax batchLimit
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(splitBrokers(cfg.brokers)...),
		kgo.DefaultProduceTopic(cfg.topic),
		kgo.AllowAutoTopicCreation(),
		kgo.ProducerLinger(5*time.Millisecond),
		// Uncompressed, as the course's Debian kafka-python reads only that
		// without extra libraries (franz-go would pick snappy).
		kgo.ProducerBatchCompression(kgo.NoCompression()),
		kgo.RecordDeliveryTimeout(30*time.Second),
		kgo.ProducerBatchMaxBytesFn(batchMax.forTopic),
	)
	if err != nil {
		return st, err
	}
	defer cl.Close()
	ensureTopic(ctx, cl, cfg.topic)
	// Batches must fit the topic's limit; a record that cannot is refused
	// with MESSAGE_TOO_LARGE before it is sent.
	limit := topicMaxMessageBytes(ctx, cl, cfg.topic)
	batchMax.set(limit)

	var (
		produced, failed, tooLarge atomic.Int64
		firstErr                   error
		mu                         sync.Mutex
	)
	done := func(line int, r *kgo.Record, err error) {
		switch {
		case errors.Is(err, kerr.MessageTooLarge):
			failed.Add(1)
			tooLarge.Add(1)
			mu.Lock()
			fmt.Fprintf(errw, "%s:%d: %s (record skipped)\n", name, line, tooLargeText(len(r.Key)+len(r.Value), cfg.topic, limit))
			mu.Unlock()
		case err != nil:
			failed.Add(1)
			mu.Lock()
			if firstErr == nil {
				firstErr = err
			}
			mu.Unlock()
		default:
			produced.Add(1)
		}
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	line := 0
	for sc.Scan() && ctx.Err() == nil {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		key, err := recordKey(text, cfg.keyField)
		if err != nil {
			st.bad++
			fmt.Fprintf(errw, "%s:%d: %v (line skipped)\n", name, line, err)
			continue
		}
		at := line
		cl.Produce(ctx, &kgo.Record{Key: key, Value: bytes.Clone(text)}, func(r *kgo.Record, err error) { done(at, r, err) })
	}
	scanErr := sc.Err()
	flushErr := cl.Flush(ctx)
	st.produced, st.failed = produced.Load(), failed.Load()
	switch {
	case scanErr != nil:
		return st, fmt.Errorf("%s:%d: %w", name, line+1, scanErr)
	case ctx.Err() != nil:
		return st, errors.New("interrupted")
	case flushErr != nil:
		return st, flushErr
	case firstErr != nil:
		return st, firstErr
	case tooLarge.Load() > 0:
		return st, fmt.Errorf("%d records over the size limit of topic %s (MESSAGE_TOO_LARGE)", tooLarge.Load(), cfg.topic)
	}
	return st, nil
}

// recordKey checks that text is JSON and returns the key: the value of
// field (a string's text, else the JSON of the value), nil without field.
func recordKey(text []byte, field string) ([]byte, error) {
	if field == "" {
		if !json.Valid(text) {
			var v any
			return nil, fmt.Errorf("bad JSON: %v", json.Unmarshal(text, &v))
		}
		return nil, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(text, &obj); err != nil {
		if json.Valid(text) {
			return nil, fmt.Errorf("not a JSON object, so it has no field %q", field)
		}
		return nil, fmt.Errorf("bad JSON: %v", err)
	}
	raw, ok := obj[field]
	if !ok || string(raw) == "null" {
		return nil, nil // no key: the partitioner spreads such records
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return []byte(s), nil
	}
	return bytes.Clone(raw), nil
}

// ensureTopic creates the topic with the broker's defaults if it is
// missing; brokers that create topics on first use need nothing.
func ensureTopic(ctx context.Context, cl *kgo.Client, topic string) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// Errors are not fatal: TopicAlreadyExists is the usual one, and
	// otherwise auto-creation or the produce error itself will tell.
	_, _ = kadm.NewClient(cl).CreateTopic(ctx, -1, -1, nil, topic)
}

// splitBrokers splits a comma-separated bootstrap list.
func splitBrokers(s string) []string {
	var out []string
	for _, b := range bytes.Split([]byte(s), []byte(",")) {
		if b = bytes.TrimSpace(b); len(b) > 0 {
			out = append(out, string(b))
		}
	}
	return out
}
