package schemaregistry

import (
	"fmt"
	"net/http"
)

// apiError is an error as Confluent's registry answers it: an HTTP status
// and a body {"error_code": Code, "message": Message}.
type apiError struct {
	Status  int    `json:"-"`
	Code    int    `json:"error_code"`
	Message string `json:"message"`
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.Code, e.Message) }

// Confluent's error codes (an HTTP status, or the status and two digits).
const (
	codeSubjectNotFound           = 40401
	codeVersionNotFound           = 40402
	codeSchemaNotFound            = 40403
	codeSubjectSoftDeleted        = 40404
	codeSubjectNotSoftDeleted     = 40405
	codeVersionSoftDeleted        = 40406
	codeVersionNotSoftDeleted     = 40407
	codeSubjectHasNoCompatibility = 40408
	codeSubjectHasNoMode          = 40409
	codeIncompatibleSchema        = 409
	codeInvalidSchema             = 42201
	codeInvalidVersion            = 42202
	codeInvalidCompatibility      = 42203
	codeOperationNotPermitted     = 42205
	codeInvalidSubject            = 42208
)

func errSubjectNotFound(subject string) *apiError {
	return &apiError{http.StatusNotFound, codeSubjectNotFound, fmt.Sprintf("Subject '%s' not found.", subject)}
}

func errVersionNotFound(version int) *apiError {
	return &apiError{http.StatusNotFound, codeVersionNotFound, fmt.Sprintf("Version %d not found.", version)}
}

func errSchemaNotFound() *apiError {
	return &apiError{http.StatusNotFound, codeSchemaNotFound, "Schema not found"}
}

func errSchemaIDNotFound(id int) *apiError {
	return &apiError{http.StatusNotFound, codeSchemaNotFound, fmt.Sprintf("Schema %d not found", id)}
}

func errSubjectSoftDeleted(subject string) *apiError {
	return &apiError{http.StatusNotFound, codeSubjectSoftDeleted,
		fmt.Sprintf("Subject '%s' was soft deleted. Set permanent=true to delete permanently", subject)}
}

func errSubjectNotSoftDeleted(subject string) *apiError {
	return &apiError{http.StatusNotFound, codeSubjectNotSoftDeleted,
		fmt.Sprintf("Subject '%s' was not deleted first before being permanently deleted", subject)}
}

func errVersionSoftDeleted(subject string, version int) *apiError {
	return &apiError{http.StatusNotFound, codeVersionSoftDeleted,
		fmt.Sprintf("Subject '%s' Version %d was soft deleted. Set permanent=true to delete permanently", subject, version)}
}

func errVersionNotSoftDeleted(subject string, version int) *apiError {
	return &apiError{http.StatusNotFound, codeVersionNotSoftDeleted,
		fmt.Sprintf("Subject '%s' Version %d was not deleted first before being permanently deleted", subject, version)}
}

func errNoSubjectCompatibility(subject string) *apiError {
	return &apiError{http.StatusNotFound, codeSubjectHasNoCompatibility,
		fmt.Sprintf("Subject '%s' does not have subject-level compatibility configured", subject)}
}

func errNoSubjectMode(subject string) *apiError {
	return &apiError{http.StatusNotFound, codeSubjectHasNoMode,
		fmt.Sprintf("Subject '%s' does not have subject-level mode configured", subject)}
}

func errIncompatible(subject string, details []string) *apiError {
	return &apiError{http.StatusConflict, codeIncompatibleSchema,
		fmt.Sprintf("Schema being registered is incompatible with an earlier schema for subject %q, details: %s", subject, listText(details))}
}

func errInvalidSchema(format string, args ...any) *apiError {
	return &apiError{http.StatusUnprocessableEntity, codeInvalidSchema, fmt.Sprintf(format, args...)}
}

func errInvalidVersion(version string) *apiError {
	return &apiError{http.StatusUnprocessableEntity, codeInvalidVersion,
		fmt.Sprintf("The specified version '%s' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"", version)}
}

func errInvalidCompatibility(level string) *apiError {
	return &apiError{http.StatusUnprocessableEntity, codeInvalidCompatibility,
		fmt.Sprintf("Invalid compatibility level %q. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive", level)}
}

func errNotPermitted(format string, args ...any) *apiError {
	return &apiError{http.StatusUnprocessableEntity, codeOperationNotPermitted, fmt.Sprintf(format, args...)}
}

func errInvalidSubject(subject string) *apiError {
	return &apiError{http.StatusUnprocessableEntity, codeInvalidSubject,
		fmt.Sprintf("The specified subject '%s' is not a valid.", subject)}
}

// errHTTP is an error of the HTTP layer (no such path, method, media type),
// whose error_code is the status, as Confluent's registry answers them.
func errHTTP(status int, detail string) *apiError {
	msg := fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))
	if detail != "" {
		msg += ": " + detail
	}
	return &apiError{status, status, msg}
}

// listText is a list of messages as Java prints one: [a, b, c].
func listText(items []string) string {
	s := "["
	for i, it := range items {
		if i > 0 {
			s += ", "
		}
		s += it
	}
	return s + "]"
}
