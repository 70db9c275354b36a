package format

import (
	"strings"
	"testing"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

// Two formats registered by this test: one with an alias and an option of
// its own, one sharing that option.
func init() {
	Register(&Format{Name: "test_a", Aliases: []string{"test-a-alias"}, Options: []executor.Option{{Name: "a.url"}, {Name: "shared"}}})
	Register(&Format{Name: "test_b", Options: []executor.Option{{Name: "shared"}, {Name: "b.only"}}})
}

func TestFormatsAreFoundByNameOrAliasInAnyCase(t *testing.T) {
	for _, name := range []string{"test_a", "TEST_A", " test-a-alias "} {
		f, err := Lookup(name)
		if err != nil || f.Name != "test_a" {
			t.Errorf("Lookup(%q) = %v, %v", name, f, err)
		}
	}
	if _, err := Lookup("xml"); err == nil || !strings.Contains(err.Error(), `unknown format "xml"`) ||
		!strings.Contains(err.Error(), "test-a-alias, test_a, test_b") {
		t.Errorf("unknown format: %v", err)
	}
	if err := CheckName("Test-A-Alias"); err != nil {
		t.Errorf("CheckName of an alias: %v", err)
	}
	if err := CheckName("xml"); err == nil || !strings.HasPrefix(err.Error(), "expected one of ") {
		t.Errorf("CheckName(xml) = %v", err)
	}
}

func TestOptionsListsEveryFormatsOptionsOnce(t *testing.T) {
	var names []string
	for _, o := range Options() {
		names = append(names, o.Name)
	}
	if got := strings.Join(names, ","); got != "a.url,shared,b.only" {
		t.Errorf("Options() = %s", got)
	}
}

func TestBindRefusesTheOptionsOfAnotherFormat(t *testing.T) {
	table := func(opts map[string]string) *catalog.Table { return &catalog.Table{Name: "x", Options: opts} }
	f, cfg, err := Bind(table(map[string]string{"fmt": "test-a-alias", "a.url": "u", "shared": "s"}), "fmt", "test_b", "orders", executor.Env{Registry: "http://r"})
	if err != nil || f.Name != "test_a" || cfg.Name != "test-a-alias" || cfg.Topic != "orders" || cfg.Table.Name != "x" || cfg.Registry != "http://r" {
		t.Fatalf("Bind = %v, %+v, %v", f, cfg, err)
	}
	if f, _, err := Bind(table(map[string]string{"shared": "s"}), "fmt", "test_b", "", executor.Env{}); err != nil || f.Name != "test_b" {
		t.Errorf("the default format: %v, %v", f, err)
	}
	_, _, err = Bind(table(map[string]string{"fmt": "test_b", "a.url": "u"}), "fmt", "test_b", "", executor.Env{})
	if err == nil || err.Error() != "option a.url is not an option of format test_b (it belongs to test_a)" {
		t.Errorf("another format's option: %v", err)
	}
	if _, _, err := Bind(table(map[string]string{"fmt": "xml"}), "fmt", "test_b", "", executor.Env{}); err == nil || !strings.Contains(err.Error(), `unknown format "xml"`) {
		t.Errorf("an unknown format: %v", err)
	}
}
