package schemaregistry

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"
)

// franz-go's pkg/sr, a client we did not write, against Start's server:
// registering, fetching, looking up, checking compatibility, configuring
// and deleting, with the errors it types from Confluent's codes.
func TestFranzGoSchemaRegistryClient(t *testing.T) {
	srv, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cl, err := sr.NewClient(sr.URLs(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	v1, err := cl.CreateSchema(ctx, "orders-value", sr.Schema{Schema: orderV1})
	if err != nil {
		t.Fatal(err)
	}
	if v1.ID != 1 || v1.Version != 1 || v1.Subject != "orders-value" || v1.Schema.Schema != orderV1 || v1.Type != sr.TypeAvro {
		t.Errorf("created %+v", v1)
	}
	id, err := cl.RegisterSchema(ctx, "orders-value", sr.Schema{Schema: orderV1}, -1, -1)
	if err != nil || id != 1 {
		t.Errorf("registering again: id %d, %v", id, err)
	}
	v2, err := cl.CreateSchema(ctx, "orders-value", sr.Schema{Schema: orderV2})
	if err != nil || v2.ID != 2 || v2.Version != 2 {
		t.Fatalf("v2 %+v %v", v2, err)
	}
	if s, err := cl.SchemaByID(ctx, 2); err != nil || s.Schema != orderV2 {
		t.Errorf("schema 2: %+v %v", s, err)
	}
	if text, err := cl.SchemaTextByID(ctx, 1); err != nil || text != orderV1 {
		t.Errorf("schema text 1: %q %v", text, err)
	}
	if latest, err := cl.SchemaByVersion(ctx, "orders-value", -1); err != nil || latest.Version != 2 || latest.ID != 2 {
		t.Errorf("latest %+v %v", latest, err)
	}
	if found, err := cl.LookupSchema(ctx, "orders-value", sr.Schema{Schema: orderV1}); err != nil || found.Version != 1 || found.ID != 1 {
		t.Errorf("lookup %+v %v", found, err)
	}
	if subjects, err := cl.Subjects(ctx); err != nil || !slices.Equal(subjects, []string{"orders-value"}) {
		t.Errorf("subjects %v %v", subjects, err)
	}
	if versions, err := cl.SubjectVersions(ctx, "orders-value"); err != nil || !slices.Equal(versions, []int{1, 2}) {
		t.Errorf("versions %v %v", versions, err)
	}
	if types, err := cl.SupportedTypes(ctx); err != nil || !slices.Equal(types, []sr.SchemaType{sr.TypeAvro}) {
		t.Errorf("types %v %v", types, err)
	}

	// Compatibility: BACKWARD refuses a field without a default, verbosely.
	noDefault := sr.Schema{Schema: `{"type":"record","name":"Order","namespace":"com.example","fields":[{"name":"order_id","type":"string"},{"name":"amount","type":"double"},{"name":"note","type":"string"}]}`}
	res, err := cl.CheckCompatibility(sr.WithParams(ctx, sr.Verbose), "orders-value", -1, noDefault)
	if err != nil || res.Is || len(res.Messages) == 0 {
		t.Errorf("check: %+v %v", res, err)
	}
	_, err = cl.CreateSchema(ctx, "orders-value", noDefault)
	var re *sr.ResponseError
	if !errors.As(err, &re) || re.StatusCode != 409 || re.ErrorCode != 409 {
		t.Errorf("registering an incompatible schema: %v", err)
	}
	set := cl.SetCompatibility(ctx, sr.SetCompatibility{Level: sr.CompatNone}, "orders-value")
	if len(set) != 1 || set[0].Err != nil || set[0].Level != sr.CompatNone {
		t.Errorf("set compatibility %+v", set)
	}
	got := cl.Compatibility(ctx, "orders-value", sr.GlobalSubject)
	if got[0].Err != nil || got[0].Level != sr.CompatNone || got[1].Err != nil || got[1].Level != sr.CompatBackward {
		t.Errorf("compatibility %+v", got)
	}
	if res, err := cl.CheckCompatibility(ctx, "orders-value", -2, noDefault); err != nil || !res.Is {
		t.Errorf("check under NONE: %+v %v", res, err)
	}
	if none := cl.Compatibility(ctx, "users-value"); !errors.As(none[0].Err, &re) || re.SchemaError() != sr.ErrSubjectLevelCompatibilityNotConfigured {
		t.Errorf("compatibility of a subject without one: %+v", none)
	}
	if v3, err := cl.CreateSchema(ctx, "orders-value", noDefault); err != nil || v3.Version != 3 {
		t.Errorf("v3 under NONE: %+v %v", v3, err)
	}

	// Deletion, soft then hard, and the typed errors of what is gone.
	if err := cl.DeleteSchema(ctx, "orders-value", 3, sr.SoftDelete); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.SchemaByVersion(ctx, "orders-value", 3); !errors.As(err, &re) || re.SchemaError() != sr.ErrVersionNotFound {
		t.Errorf("soft-deleted version: %v", err)
	}
	if err := cl.DeleteSchema(ctx, "orders-value", 3, sr.HardDelete); err != nil {
		t.Fatal(err)
	}
	if deleted, err := cl.DeleteSubject(ctx, "orders-value", sr.HardDelete); !errors.As(err, &re) || re.SchemaError() != sr.ErrSubjectNotSoftDeleted {
		t.Errorf("hard delete first: %v %v", deleted, err)
	}
	if deleted, err := cl.DeleteSubject(ctx, "orders-value", sr.SoftDelete); err != nil || !slices.Equal(deleted, []int{1, 2}) {
		t.Errorf("soft delete: %v %v", deleted, err)
	}
	if deleted, err := cl.DeleteSubject(ctx, "orders-value", sr.HardDelete); err != nil || !slices.Equal(deleted, []int{1, 2}) {
		t.Errorf("hard delete: %v %v", deleted, err)
	}
	if _, err := cl.SubjectVersions(ctx, "orders-value"); !errors.As(err, &re) || re.SchemaError() != sr.ErrSubjectNotFound {
		t.Errorf("versions of a deleted subject: %v", err)
	}
	if _, err := cl.SchemaByID(ctx, 1); !errors.As(err, &re) || re.SchemaError() != sr.ErrSchemaNotFound {
		t.Errorf("schema of a deleted subject: %v", err)
	}
	if _, err := cl.CreateSchema(ctx, "bad", sr.Schema{Schema: `{"type":"record"}`}); !errors.As(err, &re) || re.SchemaError() != sr.ErrInvalidSchema {
		t.Errorf("invalid schema: %v", err)
	}
}
