package schemaregistry

func root(*Registry, *call) (any, *apiError) { return struct{}{}, nil }

// GET /subjects[?deleted=true|deletedOnly=true]: the subjects, with the
// soft-deleted ones, or only those.
func listSubjects(r *Registry, c *call) (any, *apiError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := []string{}
	for _, name := range r.subjectNames(c.flag("deleted") || c.flag("deletedOnly")) {
		if !c.flag("deletedOnly") || !r.subjects[name].live(false) {
			names = append(names, name)
		}
	}
	return names, nil
}

// GET /subjects/{subject}/versions[?deleted=true|deletedOnly=true]: the
// version numbers, with the soft-deleted ones, or only those.
func listVersions(r *Registry, c *call) (any, *apiError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	deletedOnly := c.flag("deletedOnly")
	deleted := c.flag("deleted") || deletedOnly
	s := r.subjects[c.subject]
	if !s.live(deleted) {
		return nil, errSubjectNotFound(c.subject)
	}
	nums := []int{}
	for _, v := range s.visible(deleted) {
		if !deletedOnly || v.deleted {
			nums = append(nums, v.number)
		}
	}
	return nums, nil
}

// versionOf finds the version a call names (soft-deleted ones with
// ?deleted=true).
func (r *Registry) versionOf(c *call) (*version, *apiError) {
	n, aerr := parseVersion(c.version)
	if aerr != nil {
		return nil, aerr
	}
	deleted := c.flag("deleted")
	s := r.subjects[c.subject]
	if v := s.find(n, deleted); v != nil {
		return v, nil
	}
	if !s.live(deleted) {
		return nil, errSubjectNotFound(c.subject)
	}
	return nil, errVersionNotFound(n)
}

// GET /subjects/{subject}/versions/{version}
func getVersion(r *Registry, c *call) (any, *apiError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, aerr := r.versionOf(c)
	if aerr != nil {
		return nil, aerr
	}
	return r.response(c.subject, v), nil
}

// GET /subjects/{subject}/versions/{version}/schema: the schema itself.
func getVersionSchema(r *Registry, c *call) (any, *apiError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, aerr := r.versionOf(c)
	if aerr != nil {
		return nil, aerr
	}
	return rawJSON(r.schemaOf(v).text), nil
}

// GET /subjects/{subject}/versions/{version}/referencedby: no schema
// references another here (references are refused).
func referencedBy(r *Registry, c *call) (any, *apiError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, aerr := r.versionOf(c); aerr != nil {
		return nil, aerr
	}
	return []int{}, nil
}

// POST /subjects/{subject}[?normalize=true&deleted=true]: the version of a
// schema under a subject.
func lookupSchema(r *Registry, c *call) (any, *apiError) {
	_, s, aerr := readSchema(c)
	if aerr != nil {
		return nil, aerr
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	deleted := c.flag("deleted")
	sub := r.subjects[c.subject]
	if !sub.live(deleted) {
		return nil, errSubjectNotFound(c.subject)
	}
	if id := r.ids[s.normalized]; id != 0 {
		vs := sub.visible(deleted)
		for i := len(vs) - 1; i >= 0; i-- {
			if vs[i].id == id {
				return r.response(c.subject, vs[i]), nil
			}
		}
	}
	return nil, errSchemaNotFound()
}

// registered is the answer to a registration: the schema's global id.
type registered struct {
	ID int `json:"id"`
}

// POST /subjects/{subject}/versions[?normalize=true]: register a schema
// under a subject, or find it there already.
func registerSchema(r *Registry, c *call) (any, *apiError) {
	if !validSubject(c.subject) {
		return nil, errInvalidSubject(c.subject)
	}
	body, s, aerr := readSchema(c)
	if aerr != nil {
		return nil, aerr
	}
	if body.ID != nil && *body.ID > 0 {
		return nil, errNotPermitted("Subject %s is not in import mode: a schema id cannot be given", c.subject)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	sub := r.subjects[c.subject]
	if sub == nil {
		sub = &subject{}
	}
	id := r.ids[s.normalized]
	for _, v := range sub.visible(false) {
		if id != 0 && v.id == id && (body.Version == nil || *body.Version <= 0 || *body.Version == v.number) {
			return registered{ID: id}, nil // registered there already
		}
	}
	next := 1
	if n := len(sub.versions); n > 0 {
		next = sub.versions[n-1].number + 1
	}
	if body.Version != nil && *body.Version > 0 && *body.Version != next {
		return nil, errInvalidSchema("Version %d is not one more than the previous version (the next version of subject %s is %d)", *body.Version, c.subject, next)
	}
	cfg := r.effective(c.subject)
	if msgs := compatibilityMessages(cfg.level, s, r.earlierVersions(sub)); len(msgs) > 0 {
		return nil, errIncompatible(c.subject, msgs)
	}
	if id == 0 {
		text := s.compact
		if c.flag("normalize") || (cfg.normalize != nil && *cfg.normalize) {
			text = s.normalized
		}
		id = len(r.schemas) + 1
		r.schemas = append(r.schemas, &stored{id: id, text: text, schema: s})
		r.ids[s.normalized] = id
	}
	// Like Confluent's registry, forget soft-deleted versions of the same
	// schema: registering it again brings it back as the latest version.
	kept := sub.versions[:0]
	for _, v := range sub.versions {
		if !(v.deleted && v.id == id) {
			kept = append(kept, v)
		}
	}
	sub.versions = append(kept, &version{number: next, id: id})
	r.subjects[c.subject] = sub
	return registered{ID: id}, nil
}

// DELETE /subjects/{subject}[?permanent=true]: soft-delete every version,
// or permanently delete a soft-deleted subject; the versions deleted.
func deleteSubject(r *Registry, c *call) (any, *apiError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sub := r.subjects[c.subject]
	if !sub.live(true) {
		return nil, errSubjectNotFound(c.subject)
	}
	permanent := c.flag("permanent")
	nums := []int{}
	if !permanent {
		if !sub.live(false) {
			return nil, errSubjectSoftDeleted(c.subject)
		}
		for _, v := range sub.visible(false) {
			v.deleted = true
			nums = append(nums, v.number)
		}
		return nums, nil
	}
	if sub.live(false) {
		return nil, errSubjectNotSoftDeleted(c.subject)
	}
	for _, v := range sub.versions {
		nums = append(nums, v.number)
	}
	delete(r.subjects, c.subject) // its config too, as Confluent's registry does
	return nums, nil
}

// DELETE /subjects/{subject}/versions/{version}[?permanent=true]: the
// version deleted.
func deleteVersion(r *Registry, c *call) (any, *apiError) {
	n, aerr := parseVersion(c.version)
	if aerr != nil {
		return nil, aerr
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	sub := r.subjects[c.subject]
	v := sub.find(n, true)
	if v == nil {
		if !sub.live(true) {
			return nil, errSubjectNotFound(c.subject)
		}
		return nil, errVersionNotFound(n)
	}
	if !c.flag("permanent") {
		if v.deleted {
			return nil, errVersionSoftDeleted(c.subject, v.number)
		}
		v.deleted = true
		return v.number, nil
	}
	if !v.deleted {
		return nil, errVersionNotSoftDeleted(c.subject, v.number)
	}
	kept := sub.versions[:0]
	for _, x := range sub.versions {
		if x != v {
			kept = append(kept, x)
		}
	}
	sub.versions = kept
	if len(kept) == 0 {
		delete(r.subjects, c.subject)
	}
	return v.number, nil
}

// rawJSON is JSON text answered as it is.
type rawJSON string

func (j rawJSON) MarshalJSON() ([]byte, error) { return []byte(j), nil }
