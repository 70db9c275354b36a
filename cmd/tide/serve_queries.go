package main

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/tide-sql/tide/executor/engine"
)

// handleQueries answers GET /v1/queries: every continuous query.
func (s *server) handleQueries(w http.ResponseWriter, _ *http.Request) {
	qs := s.eng.Queries()
	if qs == nil {
		qs = []engine.QueryInfo{}
	}
	writeJSON(w, http.StatusOK, qs)
}

// handleQuery answers GET (status and progress) and DELETE (stop) of
// /v1/queries/{id}.
func (s *server) handleQuery(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, ok := s.eng.Query(id); !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no query %s (GET /v1/queries lists them)", id))
		return
	}
	if r.Method == http.MethodDelete {
		if err := s.eng.StopQuery(id); err != nil {
			if errors.Is(err, engine.ErrQueryNotFound) {
				writeError(w, http.StatusNotFound, err.Error())
				return
			}
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
	}
	q, ok := s.eng.Query(id)
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no query %s", id))
		return
	}
	writeJSON(w, http.StatusOK, q)
}
