package delta

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

// Config is a delta table's connector options, parsed.
type Config struct {
	Path            string   // table directory
	PartitionBy     []string // partition columns of a new table
	CompactEvery    int      // merge small files every N data commits; 0: never
	CheckpointEvery int      // checkpoint every N versions; 0: never
	// LogRetention and DeletedFileRetention override the table properties
	// delta.logRetentionDuration and delta.deletedFileRetentionDuration
	// ("" = the table's, else Delta's defaults of 30 and 7 days).
	LogRetention, DeletedFileRetention string
}

const (
	defaultCompactEvery    = 10
	defaultCheckpointEvery = 10
)

var options = []executor.Option{
	{Name: "path", Synonyms: []string{"table-path", "location"}, Required: true,
		Help: "directory of the Delta table (created if missing)"},
	{Name: "partition_by", Synonyms: []string{"partitionBy", "partition-by"},
		Check: checkColumnList, Help: "comma-separated partition columns of a new table"},
	{Name: "compact_every", Default: strconv.Itoa(defaultCompactEvery), Check: checkCount,
		Help: "merge the small files of each partition every N commits (0: never)"},
	{Name: "checkpoint_every", Synonyms: []string{"checkpointInterval", "delta.checkpointInterval"},
		Default: strconv.Itoa(defaultCheckpointEvery), Check: checkCount,
		Help: "write a Delta checkpoint every N table versions (0: never)"},
	{Name: "log_retention", Synonyms: []string{"logRetentionDuration", propLogRetention}, Check: checkRetention,
		Help: "how long log entries are kept before the cleanup after a checkpoint (default: the table's " + propLogRetention + ", else 30 days)"},
	{Name: "deleted_file_retention", Synonyms: []string{"deletedFileRetentionDuration", propDeletedFileRetention}, Check: checkRetention,
		Help: "how long data files that no version uses are kept before they are deleted (default: the table's " + propDeletedFileRetention + ", else 7 days)"},
	{Name: "on_lost_checkpoint", Default: "fail", Check: executor.OneOf("fail", "append"),
		Help: "what a query without a checkpoint does when the table holds its epochs from a lost state directory: fail, or append everything again"},
}

func init() {
	executor.Register(&executor.Connector{Name: "delta", Options: options, NewSink: newSink})
}

func newSink(t *catalog.Table, env executor.Env) (executor.Sink, error) {
	cfg, err := ParseConfig(t.Options)
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", t.Name, err)
	}
	if cfg.Path, err = env.Paths.Resolve(cfg.Path); err != nil {
		return nil, fmt.Errorf("table %s: option %w", t.Name, err)
	}
	// A table that exists (another engine's, say) must have the declared
	// columns: say so at CREATE TABLE, not at the first SELECT.
	if err := CheckColumns(context.Background(), cfg.Path, t.Schema(), memory.DefaultAllocator); err != nil {
		return nil, fmt.Errorf("table %s: %w", t.Name, err)
	}
	return New(cfg, t.Schema(), memory.DefaultAllocator), nil
}

// ParseConfig reads options with canonical names; missing optional ones
// take their defaults.
func ParseConfig(opts map[string]string) (Config, error) {
	cfg := Config{CompactEvery: defaultCompactEvery, CheckpointEvery: defaultCheckpointEvery}
	cfg.Path = strings.TrimPrefix(strings.TrimSpace(opts["path"]), "file://")
	if cfg.Path == "" {
		return cfg, fmt.Errorf("connector delta needs option path")
	}
	if v := opts["partition_by"]; v != "" {
		if err := checkColumnList(v); err != nil {
			return cfg, fmt.Errorf("option partition_by = '%s': %v", v, err)
		}
		for _, c := range strings.Split(v, ",") {
			cfg.PartitionBy = append(cfg.PartitionBy, strings.TrimSpace(c))
		}
	}
	for name, dst := range map[string]*int{"compact_every": &cfg.CompactEvery, "checkpoint_every": &cfg.CheckpointEvery} {
		if v, ok := opts[name]; ok && v != "" {
			if err := checkCount(v); err != nil {
				return cfg, fmt.Errorf("option %s = '%s': %v", name, v, err)
			}
			*dst, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	cfg.LogRetention = strings.TrimSpace(opts["log_retention"])
	cfg.DeletedFileRetention = strings.TrimSpace(opts["deleted_file_retention"])
	return cfg, nil
}

func checkCount(v string) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return fmt.Errorf("expected a whole number >= 0")
	}
	return nil
}

func checkColumnList(v string) error {
	seen := map[string]bool{}
	for _, c := range strings.Split(v, ",") {
		c = strings.TrimSpace(c)
		if c == "" {
			return fmt.Errorf("expected column names separated by commas")
		}
		if seen[strings.ToLower(c)] {
			return fmt.Errorf("column %s is listed twice", c)
		}
		seen[strings.ToLower(c)] = true
	}
	return nil
}
