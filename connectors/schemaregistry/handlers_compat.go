package schemaregistry

// compatibilityAnswer says whether a schema may be registered; messages
// (with ?verbose=true) say why not.
type compatibilityAnswer struct {
	IsCompatible bool      `json:"is_compatible"`
	Messages     *[]string `json:"messages,omitempty"`
}

// POST /compatibility/subjects/{subject}/versions/{version}[?verbose=true]
// checks a schema against one version (latest: the latest one, if any)
// under the subject's level; POST /compatibility/subjects/{subject}/versions
// against the versions the level names (the latest, or all of them).
func checkCompatibility(r *Registry, c *call) (any, *apiError) {
	n := 0 // all versions the level names
	if c.version != "" {
		v, aerr := parseVersion(c.version)
		if aerr != nil {
			return nil, aerr
		}
		n = v
	}
	verbose := c.flag("verbose")
	_, s, aerr := readSchema(c)
	if aerr != nil {
		if verbose && aerr.Code == codeInvalidSchema {
			return compatibilityAnswer{Messages: &[]string{aerr.Message}}, nil
		}
		return nil, aerr
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	sub := r.subjects[c.subject]
	olds := r.earlierVersions(sub)
	if n != 0 {
		v := sub.find(n, false)
		switch {
		case v != nil:
			st := r.schemaOf(v)
			olds = []earlier{{version: v.number, text: st.text, schema: st.schema}}
		case n == latest:
			olds = nil
		default:
			return nil, errVersionNotFound(n)
		}
	}
	msgs := compatibilityMessages(r.effective(c.subject).level, s, olds)
	ans := compatibilityAnswer{IsCompatible: len(msgs) == 0}
	if verbose {
		if msgs == nil {
			msgs = []string{}
		}
		ans.Messages = &msgs
	}
	return ans, nil
}
