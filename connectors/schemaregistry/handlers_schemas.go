package schemaregistry

import "strings"

// GET /schemas/types: the schema types this registry holds.
func schemaTypes(*Registry, *call) (any, *apiError) { return []string{"AVRO"}, nil }

// GET /schemas[?subjectPrefix=P&deleted=true&latestOnly=true]: the
// versions of every subject.
func listSchemas(r *Registry, c *call) (any, *apiError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	prefix := c.req.URL.Query().Get("subjectPrefix")
	deleted, latestOnly := c.flag("deleted"), c.flag("latestOnly")
	out := []schemaResponse{}
	for _, name := range r.subjectNames(deleted) {
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		vs := r.subjects[name].visible(deleted)
		if latestOnly {
			vs = vs[len(vs)-1:]
		}
		for _, v := range vs {
			out = append(out, r.response(name, v))
		}
	}
	return out, nil
}

// schemaByID is the schema of id, if a version (soft-deleted or not) of a
// subject still uses it.
func (r *Registry) schemaByID(id int) (*stored, *apiError) {
	if id < 1 || id > len(r.schemas) || len(r.usages(id, true)) == 0 {
		return nil, errSchemaIDNotFound(id)
	}
	return r.schemas[id-1], nil
}

// schemaString is a schema found by its id.
type schemaString struct {
	Schema string `json:"schema"`
}

// GET /schemas/ids/{id}
func getSchemaByID(r *Registry, c *call) (any, *apiError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, aerr := r.schemaByID(c.id)
	if aerr != nil {
		return nil, aerr
	}
	return schemaString{Schema: st.text}, nil
}

// GET /schemas/ids/{id}/schema: the schema itself.
func getRawSchemaByID(r *Registry, c *call) (any, *apiError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, aerr := r.schemaByID(c.id)
	if aerr != nil {
		return nil, aerr
	}
	return rawJSON(st.text), nil
}

// GET /schemas/ids/{id}/subjects[?deleted=true]
func getSubjectsByID(r *Registry, c *call) (any, *apiError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := []string{}
	for _, u := range r.usages(c.id, c.flag("deleted")) {
		if len(names) == 0 || names[len(names)-1] != u.Subject {
			names = append(names, u.Subject)
		}
	}
	if len(names) == 0 {
		return nil, errSchemaNotFound()
	}
	return names, nil
}

// GET /schemas/ids/{id}/versions[?deleted=true]
func getVersionsByID(r *Registry, c *call) (any, *apiError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	us := r.usages(c.id, c.flag("deleted"))
	if len(us) == 0 {
		return nil, errSchemaNotFound()
	}
	return us, nil
}
