package kafka

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/tide-sql/tide/connectors/format"
	"github.com/tide-sql/tide/executor"
)

// SourceOptions are the options of a Kafka source, with the Spark and Flink
// spellings accepted for them, and those of every format.
var SourceOptions = append(sourceOptions, format.Options()...)

var sourceOptions = []executor.Option{
	{Name: "topic", Required: true, Synonyms: []string{"subscribe"}, Check: checkNotEmpty,
		Help: "topic to read"},
	{Name: "brokers", Synonyms: []string{"properties.bootstrap.servers", "kafka.bootstrap.servers", "bootstrap.servers"},
		Check: checkBrokers,
		Help:  "comma-separated bootstrap brokers host:port (default: --brokers, $TIDE_BROKERS or the embedded broker)"},
	{Name: "format", Default: "json", Synonyms: []string{"value.format"}, Check: format.CheckName,
		Help: "message format: " + strings.Join(format.Names(), ", ")},
	{Name: "start", Default: "earliest", Synonyms: []string{"startingOffsets", "scan.startup.mode"}, Check: checkStart,
		Help: "where partitions without a checkpoint start: earliest, latest, group or timestamp:<RFC3339>"},
	{Name: "start_timestamp", Synonyms: []string{"scan.startup.timestamp-millis", "startingTimestamp"}, Check: checkInstant,
		Help: "start time for start = 'timestamp' (RFC 3339 or epoch milliseconds)"},
	{Name: "stop", Default: "never", Synonyms: []string{"endingOffsets", "scan.bounded.mode"}, Check: checkStop,
		Help: "never, or latest: read up to the end offsets seen at start, then the input is complete"},
	{Name: "group", Synonyms: []string{"properties.group.id", "group.id", "kafka.group.id"}, Check: checkNotEmpty,
		Help: "consumer group whose committed offsets start = 'group' resumes from, and where progress is committed"},
	{Name: "max_batch", Default: "100000", Synonyms: []string{"maxOffsetsPerTrigger"}, Check: checkPositiveInt,
		Help: "most records per micro-batch"},
	{Name: "idle_timeout", Default: "30s", Synonyms: []string{"scan.watermark.idle-timeout"}, Check: checkDuration,
		Help: "a partition without records for this long stops holding the watermark back (0 = never)"},
	{Name: "on_error", Default: "fail", Check: checkOnError,
		Help: "what to do with a message that does not decode: fail, skip or table:NAME"},
	{Name: "late", Default: "drop", Check: checkLate,
		Help: "what to do with rows behind the watermark: drop or table:NAME"},
	{Name: "mode", Default: "append", Check: checkMode,
		Help: "append (every message is a row), or upsert (Flink's upsert-kafka: the latest value per key is the row of the source's PRIMARY KEY, a null value deletes the key)"},
}

// checkMode accepts append and upsert.
func checkMode(v string) error {
	if m := strings.ToLower(strings.TrimSpace(v)); m != "append" && m != "upsert" {
		return fmt.Errorf("expected append or upsert")
	}
	return nil
}

// startMode says where a partition without a checkpointed offset starts.
type startMode uint8

const (
	startEarliest startMode = iota
	startLatest
	startGroup
	startTimestamp
)

// errorMode says what happens to a message that does not decode.
type errorMode uint8

const (
	errorFail errorMode = iota
	errorSkip
	errorTable
)

// sourceConfig is a Kafka source's options, parsed.
type sourceConfig struct {
	topic       string
	brokers     []string
	start       startMode
	startTime   time.Time // startTimestamp only
	stopLatest  bool
	group       string
	maxBatch    int
	idleTimeout time.Duration // 0: never idle
	onError     errorMode
	deadLetters string // errorTable: the table's name
	upsert      bool   // mode = upsert
	// task and tasks: the reader is task `task` of `tasks` of a parallel
	// query and reads the partitions p with p % tasks == task (set by the
	// engine through executor.TaskOption, never by users).
	task, tasks int32
}

// parseSourceConfig reads canonical options (as Normalize returns them;
// missing ones take their defaults). defaultBrokers applies when the table
// has no brokers option.
func parseSourceConfig(opts map[string]string, defaultBrokers string) (sourceConfig, error) {
	get := func(name string) string {
		if v, ok := opts[name]; ok {
			return strings.TrimSpace(v)
		}
		for _, o := range SourceOptions {
			if o.Name == name {
				return o.Default
			}
		}
		return ""
	}
	var c sourceConfig
	// Every value is checked again here: a catalog written by an older
	// version, or a table built in code, has not been through Normalize.
	for _, o := range SourceOptions {
		if v, ok := opts[o.Name]; ok && o.Check != nil {
			if err := o.Check(v); err != nil {
				return c, fmt.Errorf("option %s = '%s': %v", o.Name, v, err)
			}
		}
	}
	c.topic = get("topic")
	if c.topic == "" {
		return c, fmt.Errorf("kafka source needs option topic")
	}
	brokers := get("brokers")
	if brokers == "" {
		brokers = defaultBrokers
	}
	if strings.TrimSpace(brokers) == "" {
		return c, fmt.Errorf("kafka source on topic %q has no brokers: set option brokers, --brokers or $TIDE_BROKERS", c.topic)
	}
	var err error
	if c.brokers, err = splitBrokers(brokers); err != nil {
		return c, fmt.Errorf("brokers '%s': %v", brokers, err)
	}
	if err := c.parseStart(get("start"), get("start_timestamp")); err != nil {
		return c, err
	}
	c.stopLatest = stopIsLatest(get("stop"))
	c.group = get("group")
	if c.start == startGroup && c.group == "" {
		return c, fmt.Errorf("start = 'group' needs option group (the consumer group to resume from)")
	}
	c.maxBatch, _ = strconv.Atoi(get("max_batch"))
	c.idleTimeout, _ = parseDuration(get("idle_timeout"))
	c.onError, c.deadLetters = parseOnError(get("on_error"))
	c.upsert = strings.EqualFold(get("mode"), "upsert")
	task, tasks, err := executor.ParseTask(get(executor.TaskOption))
	if err != nil {
		return c, err
	}
	c.task, c.tasks = int32(task), int32(tasks)
	return c, nil
}

// mine reports whether partition id is this reader's (all are, but in a
// task of a parallel query).
func (c *sourceConfig) mine(id int32) bool { return c.tasks <= 1 || id%c.tasks == c.task }

func (c *sourceConfig) parseStart(start, startTS string) error {
	v := strings.ToLower(start)
	switch {
	case v == "earliest" || v == "earliest-offset":
		c.start = startEarliest
	case v == "latest" || v == "latest-offset":
		c.start = startLatest
	case v == "group" || v == "group-offsets":
		c.start = startGroup
	case strings.HasPrefix(v, "timestamp:"):
		t, err := parseInstant(start[len("timestamp:"):])
		if err != nil {
			return fmt.Errorf("start = '%s': %v", start, err)
		}
		c.start, c.startTime = startTimestamp, t
	case v == "timestamp":
		if startTS == "" {
			return fmt.Errorf("start = 'timestamp' needs option start_timestamp (or write start = 'timestamp:<RFC3339>')")
		}
		t, err := parseInstant(startTS)
		if err != nil {
			return fmt.Errorf("start_timestamp = '%s': %v", startTS, err)
		}
		c.start, c.startTime = startTimestamp, t
	default:
		return fmt.Errorf("start = '%s': %v", start, checkStart(start))
	}
	return nil
}

func checkNotEmpty(v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("empty value")
	}
	return nil
}

func checkBrokers(v string) error {
	_, err := splitBrokers(v)
	return err
}

// splitBrokers splits a comma-separated broker list; a broker without a port
// gets Kafka's 9092.
func splitBrokers(v string) ([]string, error) {
	var out []string
	for _, b := range strings.Split(v, ",") {
		b = strings.TrimSpace(b)
		if b == "" {
			continue
		}
		if _, port, err := net.SplitHostPort(b); err == nil {
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
				return nil, fmt.Errorf("broker %q has a bad port", b)
			}
		} else if strings.Contains(b, ":") && !strings.HasPrefix(b, "[") {
			return nil, fmt.Errorf("broker %q is not host:port", b)
		} else {
			b = net.JoinHostPort(strings.Trim(b, "[]"), "9092")
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no broker given")
	}
	return out, nil
}

func checkStart(v string) error {
	v = strings.TrimSpace(v)
	low := strings.ToLower(v)
	switch {
	case low == "earliest", low == "earliest-offset", low == "latest", low == "latest-offset",
		low == "group", low == "group-offsets", low == "timestamp":
		return nil
	case strings.HasPrefix(low, "timestamp:"):
		_, err := parseInstant(v[len("timestamp:"):])
		return err
	case strings.HasPrefix(low, "{"):
		return fmt.Errorf("per-partition JSON offsets are not supported; use earliest, latest, group or timestamp:<RFC3339>")
	}
	return fmt.Errorf("expected earliest, latest, group or timestamp:<RFC3339>")
}

func checkStop(v string) error {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "never", "unbounded", "latest", "latest-offset":
		return nil
	}
	return fmt.Errorf("expected never or latest")
}

func stopIsLatest(v string) bool {
	v = strings.ToLower(v)
	return v == "latest" || v == "latest-offset"
}

func checkPositiveInt(v string) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return fmt.Errorf("expected a whole number greater than 0")
	}
	return nil
}

func checkDuration(v string) error {
	d, err := parseDuration(v)
	if err != nil {
		return err
	}
	if d < 0 {
		return fmt.Errorf("duration must not be negative")
	}
	return nil
}

func checkInstant(v string) error {
	_, err := parseInstant(v)
	return err
}

// parseInstant reads an RFC 3339 time or epoch milliseconds (Flink's
// scan.startup.timestamp-millis, Spark's startingTimestamp).
func parseInstant(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time (like 2024-05-01T12:00:00Z) nor epoch milliseconds", v)
	}
	return t, nil
}

func checkOnError(v string) error {
	low := strings.ToLower(strings.TrimSpace(v))
	if low == "fail" || low == "skip" {
		return nil
	}
	return checkTableTarget(v, "fail, skip or table:NAME")
}

func checkLate(v string) error {
	if strings.EqualFold(strings.TrimSpace(v), "drop") {
		return nil
	}
	return checkTableTarget(v, "drop or table:NAME")
}

func checkTableTarget(v, expected string) error {
	v = strings.TrimSpace(v)
	if len(v) < len("table:") || !strings.EqualFold(v[:len("table:")], "table:") {
		return fmt.Errorf("expected %s", expected)
	}
	if strings.TrimSpace(v[len("table:"):]) == "" {
		return fmt.Errorf("table: needs a table name, as in table:bad_messages")
	}
	return nil
}

func parseOnError(v string) (errorMode, string) {
	switch strings.ToLower(v) {
	case "fail":
		return errorFail, ""
	case "skip":
		return errorSkip, ""
	}
	return errorTable, strings.TrimSpace(v[len("table:"):])
}

// parseDuration reads a duration as users write it in options: Go syntax
// ('30s', '1m30s') or a number and a unit word ('30 seconds', '2 min').
func parseDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "0" {
		return 0, nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		return d, nil
	}
	f := strings.Fields(v)
	if len(f) == 2 {
		n, err := strconv.ParseFloat(f[0], 64)
		if unit, ok := durationUnits[strings.ToLower(f[1])]; ok && err == nil {
			return time.Duration(n * float64(unit)), nil
		}
	}
	return 0, fmt.Errorf("%q is not a duration (write it like '30s' or '30 seconds')", v)
}

var durationUnits = map[string]time.Duration{
	"ms": time.Millisecond, "millisecond": time.Millisecond, "milliseconds": time.Millisecond,
	"s": time.Second, "sec": time.Second, "secs": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
}

// allowedBrokers refuses brokers the engine's host policy does not allow.
func allowedBrokers(p *executor.HostPolicy, brokers []string) error {
	for _, b := range brokers {
		if err := p.Check("broker", b); err != nil {
			return err
		}
	}
	return nil
}
