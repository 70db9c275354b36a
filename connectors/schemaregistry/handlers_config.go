package schemaregistry

// configAnswer is a config as GET and DELETE answer it.
type configAnswer struct {
	Level     Level `json:"compatibilityLevel,omitempty"`
	Normalize *bool `json:"normalize,omitempty"`
}

// configUpdate is a config as PUT takes and answers it; compatibilityLevel
// is taken too, as a synonym of compatibility.
type configUpdate struct {
	Compatibility      string `json:"compatibility,omitempty"`
	CompatibilityLevel string `json:"compatibilityLevel,omitempty"`
	Normalize          *bool  `json:"normalize,omitempty"`
}

// GET /config[?defaultToGlobal=true] and GET /config/{subject}: the
// subject's own level (40408 when it has none), or with defaultToGlobal
// the level that applies to it.
func getConfig(r *Registry, c *call) (any, *apiError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c.subject == "" {
		return configAnswer{Level: r.global.level, Normalize: r.global.normalize}, nil
	}
	if c.flag("defaultToGlobal") {
		cfg := r.effective(c.subject)
		return configAnswer{Level: cfg.level, Normalize: cfg.normalize}, nil
	}
	s := r.subjects[c.subject]
	if s == nil || s.config.empty() {
		return nil, errNoSubjectCompatibility(c.subject)
	}
	return configAnswer{Level: s.config.level, Normalize: s.config.normalize}, nil
}

// PUT /config and PUT /config/{subject}: set the global or a subject's
// level (and normalize); the settings now in force there.
func putConfig(r *Registry, c *call) (any, *apiError) {
	var body configUpdate
	if aerr := c.decode(&body); aerr != nil {
		return nil, aerr
	}
	name := body.Compatibility
	if name == "" {
		name = body.CompatibilityLevel
	}
	var level Level
	if name != "" {
		l, ok := parseLevel(name)
		if !ok {
			return nil, errInvalidCompatibility(name)
		}
		level = l
	}
	if c.subject != "" && !validSubject(c.subject) {
		return nil, errInvalidSubject(c.subject)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	cfg := &r.global
	if c.subject != "" {
		s := r.subjects[c.subject]
		if s == nil {
			s = &subject{}
			r.subjects[c.subject] = s
		}
		cfg = &s.config
	}
	if level != "" {
		cfg.level = level
	}
	if body.Normalize != nil {
		cfg.normalize = body.Normalize
	}
	return configUpdate{Compatibility: string(cfg.level), Normalize: cfg.normalize}, nil
}

// DELETE /config and DELETE /config/{subject}: forget the subject's own
// settings (the global ones go back to BACKWARD); the settings forgotten.
func deleteConfig(r *Registry, c *call) (any, *apiError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c.subject == "" {
		old := r.global
		r.global = config{level: DefaultLevel}
		return configAnswer{Level: old.level, Normalize: old.normalize}, nil
	}
	s := r.subjects[c.subject]
	if s == nil || s.config.empty() {
		return nil, errSubjectNotFound(c.subject)
	}
	old := s.config
	s.config = config{}
	if len(s.versions) == 0 {
		delete(r.subjects, c.subject)
	}
	return configAnswer{Level: old.level, Normalize: old.normalize}, nil
}

// modeAnswer is a registry's mode; this one is always READWRITE.
type modeAnswer struct {
	Mode string `json:"mode"`
}

// GET /mode and GET /mode/{subject}[?defaultToGlobal=true]
func getMode(r *Registry, c *call) (any, *apiError) {
	if c.subject != "" && !c.flag("defaultToGlobal") {
		return nil, errNoSubjectMode(c.subject)
	}
	return modeAnswer{Mode: "READWRITE"}, nil
}
