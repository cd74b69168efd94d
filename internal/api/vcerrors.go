package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/httpx"
)

// Problem types of the VC Data Model 2.0 (§7.2 Problem Details) and VC
// Data Integrity, with the codes the data model gives them.
const (
	problemBase         = "https://www.w3.org/TR/vc-data-model#"
	problemParsing      = problemBase + "PARSING_ERROR"                // -64
	problemCrypto       = problemBase + "CRYPTOGRAPHIC_SECURITY_ERROR" // -65
	problemMalformed    = problemBase + "MALFORMED_VALUE_ERROR"        // -66
	problemRange        = problemBase + "RANGE_ERROR"                  // -67
	problemProofVerify  = "https://w3id.org/security#PROOF_VERIFICATION_ERROR"
	problemProofGen     = "https://w3id.org/security#PROOF_GENERATION_ERROR"
	problemStatus       = "https://www.w3.org/ns/credentials/status#STATUS_VERIFICATION_ERROR"
	problemUnsupported  = problemBase + "UNSUPPORTED"
	problemInternal     = problemBase + "INTERNAL_ERROR"
	problemNotFound     = problemBase + "NOT_FOUND"
	problemMediaType    = problemBase + "UNSUPPORTED_MEDIA_TYPE"
	problemBodyTooLarge = problemBase + "BODY_TOO_LARGE"
)

var problemCodes = map[string]int{problemParsing: -64, problemCrypto: -65, problemMalformed: -66, problemRange: -67}

// ProblemDetail is one problem in a VC API answer (RFC 9457 members, as
// the VC Data Model 2.0 uses them), with the JSON paths at fault when the
// problem is about the input's shape.
type ProblemDetail struct {
	Type     string    `json:"type"`
	Code     int       `json:"code,omitempty"`
	Title    string    `json:"title"`
	Detail   string    `json:"detail,omitempty"`
	Problems []Problem `json:"problems,omitempty"`
}

func newProblem(typ, title, detail string) ProblemDetail {
	return ProblemDetail{Type: typ, Code: problemCodes[typ], Title: title, Detail: detail}
}

// apiError is an error answered with a status and one problem.
type apiError struct {
	status  int
	problem ProblemDetail
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.status, e.problem.Title, e.problem.Detail)
}

func badRequest(typ, title, detail string, problems ...Problem) *apiError {
	p := newProblem(typ, title, detail)
	p.Problems = problems
	return &apiError{status: http.StatusBadRequest, problem: p}
}

// handle adapts h: every error becomes a JSON problem (the VC API speaks
// JSON only, whatever Accept says), and a log line with the cause.
func (s *vcServer) handle(h httpx.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		var ae *apiError
		if !errors.As(err, &ae) {
			ae = fromError(err)
		}
		level := slog.LevelInfo
		if ae.status >= 500 {
			level = slog.LevelError
		}
		s.log.Log(r.Context(), level, "VC API request failed", "method", r.Method, "path", r.URL.Path,
			"status", ae.status, "err", err)
		body := struct {
			ProblemDetail
			Errors []ProblemDetail `json:"errors"`
		}{ae.problem, []ProblemDetail{ae.problem}}
		if werr := writeJSON(w, ae.status, body); werr != nil {
			s.log.Error("write VC API error", "err", werr)
		}
	})
}

// fromError maps other errors: the status from httpx's one table, the
// message of user-facing kinds, nothing of internal causes.
func fromError(err error) *apiError {
	code := httpx.Status(err)
	var be *badge.Error
	switch {
	case code == http.StatusRequestEntityTooLarge:
		return &apiError{code, newProblem(problemBodyTooLarge, "Request body too large", fmt.Sprintf("the body exceeds %d bytes", MaxVCBody))}
	case code >= 500:
		return &apiError{code, newProblem(problemInternal, "Internal error", "")}
	case code == http.StatusNotFound:
		msg := "not found"
		if errors.As(err, &be) {
			msg = be.Message
		}
		return &apiError{code, newProblem(problemNotFound, "Not found", msg)}
	case errors.As(err, &be):
		return &apiError{code, newProblem(problemMalformed, "Request refused", be.Message)}
	}
	return &apiError{code, newProblem(problemMalformed, "Request refused", "")}
}

// decodeBody reads a JSON object request body into v: the media type
// must be JSON, the body at most MaxVCBody bytes, a single value.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return &apiError{http.StatusUnsupportedMediaType, newProblem(problemMediaType, "Unsupported media type",
			fmt.Sprintf("send application/json, not %q", r.Header.Get("Content-Type")))}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxVCBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return err
		}
		return badRequest(problemParsing, "Unreadable body", err.Error())
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return badRequest(problemParsing, "Malformed JSON", err.Error())
	}
	if dec.More() {
		return badRequest(problemParsing, "Malformed JSON", "data after the JSON object")
	}
	return nil
}

// decodeObject decodes a request member that must be a JSON object,
// keeping numbers as written (json.Number).
func decodeObject(raw json.RawMessage, name string) (map[string]any, error) {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, badRequest(problemMalformed, "Missing "+name, name+" is required")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, badRequest(problemMalformed, "Malformed "+name, name+" must be a JSON object")
	}
	return doc, nil
}
