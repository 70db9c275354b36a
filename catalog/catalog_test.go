package catalog

import (
	"errors"
	"testing"
	"time"
)

func TestCatalogSurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	src := &Table{Name: "Clicks", Kind: KindSource, Columns: []Column{
		{Name: "user_id", Type: Int64, SQLType: "BIGINT"},
		{Name: "ts", Type: Timestamp, SQLType: "TIMESTAMP(3)"},
	}, EventTime: "ts", WatermarkDelay: 5 * time.Second, Connector: "kafka", Options: map[string]string{"topic": "clicks"}}
	if err := c.Put(src, false); err != nil {
		t.Fatal(err)
	}
	if err := c.Put(src, false); !errors.Is(err, ErrExists) {
		t.Fatalf("second put: %v, want ErrExists", err)
	}
	c2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c2.Get("clicks")
	if err != nil {
		t.Fatal(err)
	}
	if got.Columns[1].Type != Timestamp || got.WatermarkDelay != 5*time.Second || got.Options["topic"] != "clicks" {
		t.Fatalf("reloaded table differs: %+v", got)
	}
	if err := c2.Delete("CLICKS"); err != nil {
		t.Fatal(err)
	}
	c3, _ := Open(dir)
	if _, err := c3.Get("clicks"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}
