package main

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/tide-sql/tide/cmd/tide/internal/render"
)

const groupUsage = `tide group list
       tide group describe G

The consumer groups of any Kafka cluster (--brokers or $TIDE_BROKERS), as
kafka-consumer-groups --list and --describe --group G show them. describe
prints, per partition the group has committed or been assigned, the
columns of kafka-consumer-groups: GROUP TOPIC PARTITION CURRENT-OFFSET
LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID ("-" where there is none:
no commit yet, or no member, as for a group that only commits offsets,
like tide's Kafka sources).

  kafka-consumer-groups --describe --bootstrap-server B --group my-consumer-group
  tide group describe my-consumer-group --brokers B`

func (a *app) cmdGroup(g globalOptions, args []string) int {
	fs := newFlagSet("group", groupUsage, &g, a.stderr)
	var pos []string
	if err := parseFlags(fs, args, func(s string) { pos = append(pos, s) }); err != nil {
		return flagExit(err)
	}
	if len(pos) == 0 || (pos[0] != "list" && pos[0] != "describe") {
		fmt.Fprintln(a.stderr, "tide group: give an action: list, or describe G (tide group -h)")
		return exitUsage
	}
	action, rest := pos[0], pos[1:]
	var group string
	if action == "describe" {
		if len(rest) == 0 {
			fmt.Fprintln(a.stderr, "tide group describe: give the group: tide group describe G")
			return exitUsage
		}
		group, rest = rest[0], rest[1:]
	}
	if err := unexpectedArgs("group "+action, rest); err != nil {
		fmt.Fprintln(a.stderr, "tide", err)
		return exitUsage
	}
	return a.withAdmin(g, "group "+action, func(ctx context.Context, adm *kadm.Client, brokers string) error {
		if group == "" {
			return a.groupList(ctx, adm, g.format)
		}
		return a.groupDescribe(ctx, adm, brokers, group, g.format)
	})
}

func (a *app) groupList(ctx context.Context, adm *kadm.Client, f render.Format) error {
	groups, err := adm.ListGroups(ctx)
	if err != nil {
		return kafkaErr("list groups", err)
	}
	grid := render.Grid{Columns: []string{"GROUP", "STATE", "PROTOCOL-TYPE"}}
	names := groups.Groups()
	sort.Strings(names)
	for _, name := range names {
		lg := groups[name]
		grid.Rows = append(grid.Rows, []any{name, lg.State, orDash(lg.ProtocolType, f)})
	}
	return render.Write(a.stdout, f, grid)
}

// groupColumns are kafka-consumer-groups --describe's.
var groupColumns = []string{"GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID"}

func (a *app) groupDescribe(ctx context.Context, adm *kadm.Client, brokers, group string, f render.Format) error {
	lags, err := adm.Lag(ctx, group)
	if err != nil {
		return kafkaErr(fmt.Sprintf("describe group %q on %s", group, brokers), err)
	}
	l, ok := lags[group]
	if !ok {
		return fmt.Errorf("group %q: %s answered nothing about it", group, brokers)
	}
	err = l.Error()
	if errors.Is(err, kerr.GroupIDNotFound) || (err == nil && l.State == "Dead" && len(l.Lag) == 0) {
		return fmt.Errorf("group %q does not exist on %s", group, brokers)
	}
	if err != nil {
		return kafkaErr(fmt.Sprintf("describe group %q on %s", group, brokers), err)
	}
	if f == render.Table && len(l.Members) == 0 {
		fmt.Fprintf(a.stdout, "Consumer group '%s' has no active members.\n", group)
	}
	grid := render.Grid{Columns: groupColumns, Right: []bool{false, false, true, true, true, true, false, false, false}}
	for _, m := range l.Lag.Sorted() {
		if m.Member == nil && m.Commit.At < 0 {
			continue // kadm lists every partition of a committed topic
		}
		if m.Err != nil {
			return kafkaErr(fmt.Sprintf("group %q, topic %s partition %d", group, m.Topic, m.Partition), m.Err)
		}
		current, lag := any(m.Commit.At), any(m.Lag)
		if m.Commit.At < 0 {
			current, lag = orDash("", f), orDash("", f)
		}
		member, host, client := orDash("", f), orDash("", f), orDash("", f)
		if m.Member != nil {
			member, host, client = m.Member.MemberID, m.Member.ClientHost, m.Member.ClientID
		}
		grid.Rows = append(grid.Rows, []any{group, m.Topic, int64(m.Partition), current, m.End.Offset, lag, member, host, client})
	}
	return render.Write(a.stdout, f, grid)
}

// orDash is s, or where s is empty what Kafka's tools print for nothing:
// "-" in a table or CSV, null in JSON.
func orDash(s string, f render.Format) any {
	switch {
	case s != "":
		return s
	case f == render.JSON:
		return nil
	}
	return "-"
}
