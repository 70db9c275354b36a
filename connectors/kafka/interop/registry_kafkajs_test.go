package interop

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"reflect"
	"testing"

	"github.com/hamba/avro/v2"
)

// kafkajs's @kafkajs/confluent-schema-registry (npm) against `tide
// broker`'s registry: it registers schemas (setting the subject's level
// as it does on first use), refuses an incompatible one with the
// registry's 409, finds ids, and encodes an order in Confluent's wire
// format with the schema it fetched by id; the bytes are checked here
// independently: magic byte 0, the id, then Avro that hamba/avro decodes
// with the registry's schema to the same order.
func TestKafkajsSchemaRegistryClient(t *testing.T) {
	need(t, kafkajsRegistry)
	subject := newTopic(t, "orders-value")
	got := steps(t, runClient(t, "", "node", script("kafkajs_registry.js"), subject))
	step := func(name string) map[string]any {
		t.Helper()
		s, ok := got[name]
		if !ok {
			t.Fatalf("the script did not report %q", name)
		}
		return s
	}
	v1, v2 := subjectVersion(t, subject, 1), subjectVersion(t, subject, 2)
	for name, want := range map[string]int{"register v1": v1.ID, "register v2": v2.ID, "latest id": v2.ID, "version 1 id": v1.ID, "id by schema": v1.ID} {
		if id := num(step(name)["id"]); id != want {
			t.Errorf("%s: id %d, the registry says %d", name, id, want)
		}
	}
	if s := step("register v3"); num(s["status"]) != 409 {
		t.Errorf("register v3: %v", s)
	}
	var versions []int
	if registryGet(t, "/subjects/"+subject+"/versions", &versions); fmt.Sprint(versions) != "[1 2]" {
		t.Errorf("versions %v", versions)
	}
	var cfg map[string]string
	if status := registryGet(t, "/config/"+subject, &cfg); status != 200 || cfg["compatibilityLevel"] != "BACKWARD" {
		t.Errorf("kafkajs set the subject's level: %d %v", status, cfg)
	}
	if s := step("schema"); num(s["id"]) != v2.ID || s["name"] != "com.example.Order" || fmt.Sprint(s["fields"]) != "[order_id amount status items coupon]" {
		t.Errorf("schema: %v", s)
	}
	if s := step("unknown id"); num(s["status"]) != 404 {
		t.Errorf("unknown id: %v", s)
	}

	// The wire format, decoded here with the registry's schema for the id.
	enc := step("encoded")
	raw, err := hex.DecodeString(fmt.Sprint(enc["hex"]))
	if err != nil || len(raw) < 5 {
		t.Fatalf("encoded %v: %v", enc, err)
	}
	if raw[0] != 0 || int(binary.BigEndian.Uint32(raw[1:5])) != v2.ID {
		t.Fatalf("framing % x, want magic 0 and id %d", raw[:5], v2.ID)
	}
	var byID struct {
		Schema string `json:"schema"`
	}
	registryGet(t, fmt.Sprintf("/schemas/ids/%d", v2.ID), &byID)
	schema, err := avro.ParseWithCache(byID.Schema, "", &avro.SchemaCache{})
	if err != nil {
		t.Fatal(err)
	}
	var order struct {
		OrderID string   `avro:"order_id"`
		Amount  float64  `avro:"amount"`
		Status  string   `avro:"status"`
		Items   []string `avro:"items"`
		Coupon  *string  `avro:"coupon"`
	}
	if err := avro.Unmarshal(schema, raw[5:], &order); err != nil {
		t.Fatal(err)
	}
	coupon := "SPRING"
	want := order
	want.OrderID, want.Amount, want.Status, want.Items, want.Coupon = "ORD-0001", 125.5, "COMPLETED", []string{"a", "b"}, &coupon
	if !reflect.DeepEqual(order, want) {
		t.Errorf("decoded %+v, want %+v", order, want)
	}
	if dec := fmt.Sprint(step("decoded")["value"]); dec != fmt.Sprint(enc["payload"]) {
		t.Errorf("kafkajs decoded %s, encoded %s", dec, enc["payload"])
	}
}
