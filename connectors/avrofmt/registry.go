package avrofmt

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"
)

// registryTimeout bounds one request to the schema registry.
const registryTimeout = 10 * time.Second

// registry talks to a schema registry (franz-go's client) for one table.
type registry struct {
	url string // the option's value, for messages
	cl  *sr.Client
}

func newRegistry(urls []string) (*registry, error) {
	cl, err := sr.NewClient(sr.URLs(urls...), sr.UserAgent("tide"), sr.HTTPClient(&http.Client{Timeout: registryTimeout}))
	if err != nil {
		return nil, fmt.Errorf("schema registry %s: %v", strings.Join(urls, ","), err)
	}
	return &registry{url: strings.Join(urls, ","), cl: cl}, nil
}

// unavailableError is a registry request that failed for a reason that may
// pass: the registry cannot be reached, or it answered with a server error.
type unavailableError struct {
	url string
	err error
}

func (e *unavailableError) Error() string {
	return fmt.Sprintf("schema registry %s cannot be reached: %v", e.url, e.err)
}

func (e *unavailableError) Unwrap() error { return e.err }

// classify turns a failed request into its registry answer (a
// *sr.ResponseError with a client error status, returned as it is) or an
// *unavailableError.
func (r *registry) classify(err error) error {
	var re *sr.ResponseError
	if errors.As(err, &re) && re.StatusCode >= 400 && re.StatusCode < 500 && re.StatusCode != http.StatusRequestTimeout && re.StatusCode != http.StatusTooManyRequests {
		return re
	}
	return &unavailableError{url: r.url, err: err}
}

// notFound reports whether err is the registry saying that what was asked
// for does not exist.
func notFound(err error) bool {
	var re *sr.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusNotFound
}

// schemaByID fetches and parses the writer schema id. The error is an
// *unavailableError when asking again may succeed; otherwise the id names
// no schema, or no Avro schema, and never will.
func (r *registry) schemaByID(ctx context.Context, id int32) (avro.Schema, error) {
	s, err := r.cl.SchemaByID(ctx, int(id))
	if err != nil {
		err = r.classify(err)
		if notFound(err) {
			return nil, fmt.Errorf("the schema registry %s has no schema with this id (%v)", r.url, err)
		}
		return nil, err
	}
	return r.parse(ctx, s, 0)
}

// latest fetches and parses the latest schema of subject.
func (r *registry) latest(ctx context.Context, subject string) (avro.Schema, int, error) {
	ss, err := r.cl.SchemaByVersion(ctx, subject, -1)
	if err != nil {
		err = r.classify(err)
		if notFound(err) {
			return nil, 0, fmt.Errorf("the schema registry %s has no subject %s (%v)", r.url, subject, err)
		}
		return nil, 0, err
	}
	s, err := r.parse(ctx, ss.Schema, 0)
	return s, ss.ID, err
}

// ping asks the registry for its global configuration: an answer of any
// kind says it can be reached.
func (r *registry) ping(ctx context.Context) error {
	if err := r.cl.Do(ctx, http.MethodGet, "/config", nil, nil); err != nil {
		return r.classify(err)
	}
	return nil
}

// maxReferenceDepth bounds chains of schema references.
const maxReferenceDepth = 32

// parse parses an Avro schema from the registry, with the schemas it
// references (other subjects' named types) parsed first into its cache.
func (r *registry) parse(ctx context.Context, s sr.Schema, depth int) (avro.Schema, error) {
	cache := &avro.SchemaCache{}
	if err := r.parseInto(ctx, s, cache, depth); err != nil {
		return nil, err
	}
	return avro.ParseWithCache(s.Schema, "", cache)
}

func (r *registry) parseInto(ctx context.Context, s sr.Schema, cache *avro.SchemaCache, depth int) error {
	if s.Type != sr.TypeAvro {
		return fmt.Errorf("it is a %s schema, not an Avro one", s.Type)
	}
	if depth > maxReferenceDepth {
		return fmt.Errorf("its references are nested more than %d deep", maxReferenceDepth)
	}
	for _, ref := range s.References {
		ss, err := r.cl.SchemaByVersion(ctx, ref.Subject, ref.Version)
		if err != nil {
			err = r.classify(err)
			if _, ok := err.(*unavailableError); ok {
				return err
			}
			return fmt.Errorf("its reference %s (subject %s version %d): %v", ref.Name, ref.Subject, ref.Version, err)
		}
		if err := r.parseInto(ctx, ss.Schema, cache, depth+1); err != nil {
			return err
		}
		if _, err := avro.ParseWithCache(ss.Schema.Schema, "", cache); err != nil {
			return fmt.Errorf("its reference %s (subject %s version %d) is not a valid Avro schema: %v", ref.Name, ref.Subject, ref.Version, err)
		}
	}
	return nil
}

// register registers schema under subject and returns its id. A registry
// that refuses it (incompatible with the subject's versions, invalid) is
// an error carrying the registry's message.
func (r *registry) register(ctx context.Context, subject, schema string) (int32, error) {
	id, err := r.cl.RegisterSchema(ctx, subject, sr.Schema{Schema: schema, Type: sr.TypeAvro}, -1, -1)
	if err != nil {
		err = r.classify(err)
		var re *sr.ResponseError
		if errors.As(err, &re) {
			return 0, fmt.Errorf("the schema registry %s refuses the schema under subject %s: %s (HTTP %d, error code %d)",
				r.url, subject, re.Message, re.StatusCode, re.ErrorCode)
		}
		return 0, err
	}
	return int32(id), nil
}
