package postgres

import (
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

// defaultConnectTimeout bounds connecting when the DSN sets no
// connect_timeout, so that an unreachable server fails within seconds.
const defaultConnectTimeout = 10 * time.Second

// Options are the postgres connector's options.
var Options = []executor.Option{
	{Name: "dsn", Required: true, Check: checkDSN, Synonyms: []string{"url"},
		Help: "libpq connection string or URL, e.g. postgres://user@host:5432/db (a jdbc: prefix is ignored)"},
	{Name: "table", Synonyms: []string{"table-name", "table_name", "dbtable"}, Check: checkIdent,
		Help: "PostgreSQL table to write (default: the tide table's name)"},
	{Name: "schema", Default: "public", Synonyms: []string{"schema-name", "schema_name"}, Check: checkIdent,
		Help: "PostgreSQL schema of the table"},
	{Name: "on_lost_checkpoint", Default: "fail", Check: executor.OneOf("fail", "append"),
		Help: "what a query that lost its checkpoint does when it finds its own epochs in the table: fail, or append it all again"},
}

func init() {
	executor.Register(&executor.Connector{Name: "postgres", Options: Options, NewSink: NewSink})
}

func checkDSN(v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("empty connection string")
	}
	_, err := pgxpool.ParseConfig(trimJDBC(v))
	return err
}

// trimJDBC accepts a JDBC URL (jdbc:postgresql://...) as Flink and Spark
// users write it.
func trimJDBC(dsn string) string {
	dsn = strings.TrimSpace(dsn)
	if len(dsn) > 5 && strings.EqualFold(dsn[:5], "jdbc:") {
		return dsn[5:]
	}
	return dsn
}

func checkIdent(v string) error {
	_, err := parseIdent(v)
	return err
}

// parseIdent folds an unquoted name to lower case, as PostgreSQL does, and
// takes a double-quoted one exactly.
func parseIdent(v string) (string, error) {
	s := strings.TrimSpace(v)
	if s == "" {
		return "", fmt.Errorf("empty name")
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
		if s == "" {
			return "", fmt.Errorf("empty name")
		}
		return s, nil
	}
	if strings.ContainsAny(s, "\"\x00") {
		return "", fmt.Errorf("name %s has a stray double quote", v)
	}
	return strings.ToLower(s), nil
}

// NewSink builds the PostgreSQL sink of table t. It parses the options but
// does not connect; Open (or Scan) does.
func NewSink(t *catalog.Table, env executor.Env) (executor.Sink, error) {
	opts := t.Options
	dsn := opts["dsn"]
	if strings.TrimSpace(dsn) == "" {
		return nil, fmt.Errorf("postgres sink %s: option dsn is required", t.Name)
	}
	cfg, err := pgxpool.ParseConfig(trimJDBC(dsn))
	if err != nil {
		return nil, fmt.Errorf("postgres sink %s: option dsn: %w", t.Name, err)
	}
	hosts := []string{cfg.ConnConfig.Host}
	for _, fb := range cfg.ConnConfig.Fallbacks {
		hosts = append(hosts, fb.Host)
	}
	for _, h := range hosts {
		if strings.HasPrefix(h, "/") {
			continue // a Unix socket: on this machine
		}
		if err := env.Hosts.Check("host", h); err != nil {
			return nil, fmt.Errorf("postgres sink %s: option dsn: %w", t.Name, err)
		}
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	if cfg.MaxConns > 4 {
		cfg.MaxConns = 4 // one for commits, a few for concurrent scans
	}
	table := opts["table"]
	if table == "" {
		table = t.Name
	}
	if table, err = parseIdent(table); err != nil {
		return nil, fmt.Errorf("postgres sink %s: option table: %w", t.Name, err)
	}
	schema := opts["schema"]
	if schema == "" {
		schema = "public"
	}
	if schema, err = parseIdent(schema); err != nil {
		return nil, fmt.Errorf("postgres sink %s: option schema: %w", t.Name, err)
	}
	s := &Sink{
		name:    t.Name,
		cfg:     cfg,
		schema:  schema,
		table:   table,
		tschema: t.Schema(),
	}
	for _, k := range t.PrimaryKeyIndexes() {
		if k < 0 {
			return nil, fmt.Errorf("postgres sink %s: primary key names a column the table lacks", t.Name)
		}
		s.tkey = append(s.tkey, k)
	}
	return s, nil
}
