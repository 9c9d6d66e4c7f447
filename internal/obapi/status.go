package obapi

import (
	"encoding/json"
	"net/http"
)

// Code major values (OB 3.0 §6.3 "Imsx_CodeMajor").
const (
	CodeMajorSuccess     = "success"
	CodeMajorProcessing  = "processing"
	CodeMajorFailure     = "failure"
	CodeMajorUnsupported = "unsupported"
)

// Severity values (§6.3 "Imsx_Severity").
const (
	SeverityStatus  = "status"
	SeverityWarning = "warning"
	SeverityError   = "error"
)

// Code minor values (§6.3 "Imsx_CodeMinorFieldValue").
const (
	MinorForbidden           = "forbidden"
	MinorFullSuccess         = "fullsuccess"
	MinorInternalServerError = "internal_server_error"
	MinorInvalidData         = "invalid_data"
	MinorInvalidQueryParam   = "invalid_query_parameter"
	MinorMisdirectedRequest  = "misdirected_request"
	MinorNotAcceptable       = "not_acceptable"
	MinorNotAllowed          = "not_allowed"
	MinorNotFound            = "not_found"
	MinorNotModified         = "not_modified"
	MinorServerBusy          = "server_busy"
	MinorUnauthorized        = "unauthorizedrequest"
	MinorUnknown             = "unknown"
)

// StatusInfo is the Imsx_StatusInfo payload every error of the API carries
// (§6.3); its JSON form has exactly the schema's properties.
type StatusInfo struct {
	CodeMajor   string     `json:"imsx_codeMajor"`
	Severity    string     `json:"imsx_severity"`
	Description string     `json:"imsx_description,omitempty"`
	CodeMinor   *CodeMinor `json:"imsx_codeMinor,omitempty"`
}

// CodeMinor holds the code minor fields (at least one).
type CodeMinor struct {
	Fields []CodeMinorField `json:"imsx_codeMinorField"`
}

// CodeMinorField is one code minor value. The field name is, in the spec's
// examples, the name of the thing the value is about; Blason writes
// "sourcedId" as 1EdTech's other REST APIs do when it is about no field.
type CodeMinorField struct {
	Name  string `json:"imsx_codeMinorFieldName"`
	Value string `json:"imsx_codeMinorFieldValue"`
}

// Error is an API failure: the HTTP status and the Imsx_StatusInfo body.
// Handlers return it; the HTTP layer writes it.
type Error struct {
	Status int
	Info   StatusInfo
}

func (e *Error) Error() string {
	if e.Info.Description != "" {
		return e.Info.Description
	}
	return http.StatusText(e.Status)
}

// Fail returns an Error with codeMajor failure, severity error, the code
// minor value and a description for people.
func Fail(status int, minor, description string) *Error {
	return &Error{Status: status, Info: StatusInfo{
		CodeMajor:   CodeMajorFailure,
		Severity:    SeverityError,
		Description: description,
		CodeMinor:   &CodeMinor{Fields: []CodeMinorField{{Name: "sourcedId", Value: minor}}},
	}}
}

// Processing is the 202 body of an accepted putProfile that is not yet
// applied (§6.2.4).
func Processing(description string) StatusInfo {
	return StatusInfo{CodeMajor: CodeMajorProcessing, Severity: SeverityStatus, Description: description,
		CodeMinor: &CodeMinor{Fields: []CodeMinorField{{Name: "sourcedId", Value: MinorFullSuccess}}}}
}

// The failures each endpoint may answer with (the statuses the OpenAPI
// lists for every secured operation).
func BadRequest(minor, desc string) *Error { return Fail(http.StatusBadRequest, minor, desc) }
func Unauthorized(desc string) *Error      { return Fail(http.StatusUnauthorized, MinorUnauthorized, desc) }
func Forbidden(desc string) *Error         { return Fail(http.StatusForbidden, MinorForbidden, desc) }
func NotFound(desc string) *Error          { return Fail(http.StatusNotFound, MinorNotFound, desc) }
func MethodNotAllowed(desc string) *Error {
	return Fail(http.StatusMethodNotAllowed, MinorNotAllowed, desc)
}
func Internal() *Error {
	return Fail(http.StatusInternalServerError, MinorInternalServerError, "The server could not complete the request.")
}

// Busy is a rate-limit refusal. The OpenAPI lists no 429 for these
// operations, so it is written under "default" (any status) with the
// server_busy code minor value.
func Busy() *Error {
	return Fail(http.StatusTooManyRequests, MinorServerBusy, "Too many requests; retry later.")
}

// ParseStatusInfo reads an Imsx_StatusInfo body (a client reading an
// error); it requires the two mandatory fields.
func ParseStatusInfo(b []byte) (StatusInfo, bool) {
	var s StatusInfo
	if err := json.Unmarshal(b, &s); err != nil || s.CodeMajor == "" || s.Severity == "" {
		return StatusInfo{}, false
	}
	return s, true
}
