package executor

import (
	"strings"
	"testing"

	"github.com/tide-sql/tide/catalog"
)

// TestCapabilitiesComeFromTheRegistration: the engine asks the registry
// what a connector can do; an unknown name can do nothing.
func TestCapabilitiesComeFromTheRegistration(t *testing.T) {
	var dropped []string
	Register(&Connector{Name: "test-volatile", Volatile: true,
		Drop: func(tbl *catalog.Table, env Env) { dropped = append(dropped, env.Instance+"/"+tbl.Name) }})
	Register(&Connector{Name: "test-changes", ShowsChanges: true})
	Register(&Connector{Name: "test-plain"})

	for _, tc := range []struct {
		name                   string
		volatile, showsChanges bool
	}{
		{"test-volatile", true, false},
		{"TEST-VOLATILE", true, false}, // names are case-insensitive
		{"test-changes", false, true},
		{"test-plain", false, false},
		{"no-such-connector", false, false},
	} {
		if got := Volatile(tc.name); got != tc.volatile {
			t.Errorf("Volatile(%q) = %v, want %v", tc.name, got, tc.volatile)
		}
		if got := ShowsChanges(tc.name); got != tc.showsChanges {
			t.Errorf("ShowsChanges(%q) = %v, want %v", tc.name, got, tc.showsChanges)
		}
	}

	env := Env{Instance: "i1"}
	DropData(&catalog.Table{Name: "a", Connector: "test-volatile"}, env)
	DropData(&catalog.Table{Name: "b", Connector: "test-plain"}, env)
	DropData(&catalog.Table{Name: "c", Connector: "no-such-connector"}, env)
	DropData(&catalog.Table{Name: "v"}, env) // a view has no connector
	if strings.Join(dropped, ",") != "i1/a" {
		t.Errorf("dropped %v, want only i1/a (the connector that declares Drop)", dropped)
	}
}

func TestRegisterRefusesADuplicateName(t *testing.T) {
	Register(&Connector{Name: "test-dup"})
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), "duplicate connector test-dup") {
			t.Fatalf("recovered %v, want a panic naming the duplicate", r)
		}
	}()
	Register(&Connector{Name: "test-dup"})
}

func TestLookupOfAnUnknownConnectorListsTheKnownOnes(t *testing.T) {
	Register(&Connector{Name: "test-known"})
	_, err := Lookup("nope")
	if err == nil || !strings.Contains(err.Error(), `unknown connector "nope"`) || !strings.Contains(err.Error(), "test-known") {
		t.Fatalf("err = %v, want unknown connector \"nope\" listing test-known", err)
	}
}
