package schemaregistry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The media types of Confluent's API, the preferred first.
const (
	mediaV1      = "application/vnd.schemaregistry.v1+json"
	mediaDefault = "application/vnd.schemaregistry+json"
	mediaJSON    = "application/json"
)

// maxBody bounds a request body.
const maxBody = 16 << 20

// call is one API request, its path's parameters taken out.
type call struct {
	req     *http.Request
	subject string // {subject} in the path
	version string // {version} in the path, as written
	id      int    // {id} in the path
}

// flag reads a boolean query parameter as Confluent's registry does: true
// when it says "true" in any case.
func (c *call) flag(name string) bool { return strings.EqualFold(c.req.URL.Query().Get(name), "true") }

// decode reads the JSON body into v.
func (c *call) decode(v any) *apiError {
	body, err := io.ReadAll(http.MaxBytesReader(nil, c.req.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return errHTTP(http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is over %d bytes", maxBody))
		}
		return errHTTP(http.StatusBadRequest, "reading the request body: "+err.Error())
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return &apiError{http.StatusUnprocessableEntity, http.StatusUnprocessableEntity, "the request body is empty; send a JSON object"}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errHTTP(http.StatusBadRequest, "the request body is not the JSON object expected: "+err.Error())
	}
	return nil
}

// handler answers a call with a value written as JSON, or an error.
type handler func(r *Registry, c *call) (any, *apiError)

// route is a path pattern (segments; {subject}, {version} and {id} are
// parameters) with a handler per method.
type route struct {
	pattern []string
	methods map[string]handler
}

var routes = []route{
	{[]string{}, map[string]handler{"GET": root}},
	{[]string{"subjects"}, map[string]handler{"GET": listSubjects}},
	{[]string{"subjects", "{subject}"}, map[string]handler{"POST": lookupSchema, "DELETE": deleteSubject}},
	{[]string{"subjects", "{subject}", "versions"}, map[string]handler{"GET": listVersions, "POST": registerSchema}},
	{[]string{"subjects", "{subject}", "versions", "{version}"}, map[string]handler{"GET": getVersion, "DELETE": deleteVersion}},
	{[]string{"subjects", "{subject}", "versions", "{version}", "schema"}, map[string]handler{"GET": getVersionSchema}},
	{[]string{"subjects", "{subject}", "versions", "{version}", "referencedby"}, map[string]handler{"GET": referencedBy}},
	{[]string{"schemas"}, map[string]handler{"GET": listSchemas}},
	{[]string{"schemas", "types"}, map[string]handler{"GET": schemaTypes}},
	{[]string{"schemas", "ids", "{id}"}, map[string]handler{"GET": getSchemaByID}},
	{[]string{"schemas", "ids", "{id}", "schema"}, map[string]handler{"GET": getRawSchemaByID}},
	{[]string{"schemas", "ids", "{id}", "subjects"}, map[string]handler{"GET": getSubjectsByID}},
	{[]string{"schemas", "ids", "{id}", "versions"}, map[string]handler{"GET": getVersionsByID}},
	{[]string{"config"}, map[string]handler{"GET": getConfig, "PUT": putConfig, "DELETE": deleteConfig}},
	{[]string{"config", "{subject}"}, map[string]handler{"GET": getConfig, "PUT": putConfig, "DELETE": deleteConfig}},
	{[]string{"compatibility", "subjects", "{subject}", "versions"}, map[string]handler{"POST": checkCompatibility}},
	{[]string{"compatibility", "subjects", "{subject}", "versions", "{version}"}, map[string]handler{"POST": checkCompatibility}},
	{[]string{"mode"}, map[string]handler{"GET": getMode}},
	{[]string{"mode", "{subject}"}, map[string]handler{"GET": getMode}},
}

// ServeHTTP answers Confluent's Schema Registry REST API.
func (r *Registry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	media, ok := responseMedia(req.Header.Get("Accept"))
	if !ok {
		media = mediaV1
		answer(w, media, http.StatusNotAcceptable, errHTTP(http.StatusNotAcceptable, "this registry answers "+mediaV1+" or "+mediaJSON))
		return
	}
	h, c, aerr := match(req)
	if aerr == nil && req.ContentLength != 0 && !requestMediaOK(req.Header.Get("Content-Type")) {
		aerr = errHTTP(http.StatusUnsupportedMediaType, "send Content-Type: "+mediaV1+" (or "+mediaJSON+")")
	}
	if aerr != nil {
		answer(w, media, aerr.Status, aerr)
		return
	}
	v, aerr := h(r, c)
	if aerr != nil {
		answer(w, media, aerr.Status, aerr)
		return
	}
	answer(w, media, http.StatusOK, v)
}

// match finds the handler of a request and takes its path parameters.
func match(req *http.Request) (handler, *call, *apiError) {
	segs := pathSegments(req.URL.EscapedPath())
	for _, rt := range routes {
		c, ok := bind(rt.pattern, segs)
		if !ok {
			continue
		}
		h := rt.methods[req.Method]
		if h == nil {
			return nil, nil, errHTTP(http.StatusMethodNotAllowed, "")
		}
		c.req = req
		return h, c, nil
	}
	return nil, nil, errHTTP(http.StatusNotFound, "")
}

// pathSegments splits an escaped path into its segments, one trailing
// slash ignored.
func pathSegments(p string) []string {
	p = strings.TrimSuffix(strings.TrimPrefix(p, "/"), "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// bind matches escaped segments against a pattern.
func bind(pattern, segs []string) (*call, bool) {
	if len(pattern) != len(segs) {
		return nil, false
	}
	c := &call{}
	for i, p := range pattern {
		s, err := url.PathUnescape(segs[i])
		if err != nil {
			return nil, false
		}
		switch p {
		case "{subject}":
			c.subject = s
		case "{version}":
			c.version = s
		case "{id}":
			id, err := strconv.Atoi(s)
			if err != nil {
				return nil, false // as Confluent's registry: no such resource
			}
			c.id = id
		default:
			if s != p {
				return nil, false
			}
		}
	}
	return c, true
}

// responseMedia picks the media type to answer from an Accept header.
func responseMedia(accept string) (string, bool) {
	if strings.TrimSpace(accept) == "" {
		return mediaV1, true
	}
	best, bestQ := "", 0.0
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				q = f
			}
		}
		for _, offer := range []string{mediaV1, mediaDefault, mediaJSON} {
			if q > bestQ && mediaMatches(mt, offer) {
				best, bestQ = offer, q
				break
			}
		}
	}
	return best, best != ""
}

// mediaMatches: an accepted media range (*/*, application/*, a type)
// covers offer.
func mediaMatches(accepted, offer string) bool {
	switch accepted {
	case "*/*", "application/*":
		return true
	}
	return accepted == offer
}

// requestMediaOK: the body's Content-Type is one the API reads (JSON, or
// none, or the generic octet-stream).
func requestMediaOK(contentType string) bool {
	if strings.TrimSpace(contentType) == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch mt {
	case mediaV1, mediaDefault, mediaJSON, "application/octet-stream":
		return true
	}
	return false
}

// answer writes v as JSON.
func answer(w http.ResponseWriter, media string, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		fmt.Fprintf(&buf, `{"error_code":50001,"message":%q}`, "encoding the answer: "+err.Error())
	}
	w.Header().Set("Content-Type", media)
	w.WriteHeader(status)
	w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))) // a raw schema is answered exactly
}
