package ob3

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// SchemaKind names one of the five published OB 3.0 JSON Schemas.
type SchemaKind int

const (
	SchemaAchievementCredential SchemaKind = iota
	SchemaEndorsementCredential
	SchemaProfile
	SchemaGetOpenBadgeCredentialsResponse
	SchemaImsxStatusInfo
)

const schemaBase = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"

var schemaFiles = [...]string{
	SchemaAchievementCredential:           "ob_v3p0_achievementcredential_schema.json",
	SchemaEndorsementCredential:           "ob_v3p0_endorsementcredential_schema.json",
	SchemaProfile:                         "ob_v3p0_profile_schema.json",
	SchemaGetOpenBadgeCredentialsResponse: "ob_v3p0_getopenbadgecredentialsresponse_schema.json",
	SchemaImsxStatusInfo:                  "ob_v3p0_imsx_statusinfo_schema.json",
}

func (k SchemaKind) String() string {
	if k < 0 || int(k) >= len(schemaFiles) {
		return fmt.Sprintf("SchemaKind(%d)", int(k))
	}
	return strings.TrimSuffix(strings.TrimPrefix(schemaFiles[k], "ob_v3p0_"), "_schema.json")
}

// URL is the schema's official $id, the value a credentialSchema entry of
// type 1EdTechJsonSchemaValidator2019 names.
func (k SchemaKind) URL() string {
	if k < 0 || int(k) >= len(schemaFiles) {
		return ""
	}
	return schemaBase + schemaFiles[k]
}

// SchemaKindForURL returns the kind whose official URL is u.
func SchemaKindForURL(u string) (SchemaKind, bool) {
	for k := range schemaFiles {
		if SchemaKind(k).URL() == u {
			return SchemaKind(k), true
		}
	}
	return 0, false
}

//go:embed schema/*.json
var schemaFS embed.FS

var (
	schemaOnce sync.Once
	schemas    [len(schemaFiles)]*jsonschema.Schema
	schemaErr  error
)

// noFetch refuses every URL: the schemas are self-contained and anything
// else they would reference must not be fetched at run time.
type noFetch struct{}

func (noFetch) Load(url string) (any, error) {
	return nil, fmt.Errorf("ob3: schema %s is not bundled (never fetched)", url)
}

func compileSchemas() {
	schemas, schemaErr = compileSchemaSet(true)
	if schemaErr == nil {
		fastSchemas = compileFast(&schemas)
	}
}

// compileSchemaSet compiles the embedded schemas; relax applies
// relaxOneOfs (see schemaopt.go), which the tests turn off to compare.
func compileSchemaSet(relax bool) (set [len(schemaFiles)]*jsonschema.Schema, err error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2019)
	c.UseLoader(noFetch{})
	for _, f := range schemaFiles {
		b, err := schemaFS.ReadFile("schema/" + f)
		if err != nil {
			return set, fmt.Errorf("ob3: read schema %s: %w", f, err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return set, fmt.Errorf("ob3: decode schema %s: %w", f, err)
		}
		if err := c.AddResource(schemaBase+f, doc); err != nil {
			return set, fmt.Errorf("ob3: add schema %s: %w", f, err)
		}
	}
	seen := make(map[*jsonschema.Schema]bool)
	for k, f := range schemaFiles {
		s, err := c.Compile(schemaBase + f)
		if err != nil {
			return set, fmt.Errorf("ob3: compile schema %s: %w", f, err)
		}
		if relax {
			relaxOneOfs(s, seen)
		}
		set[k] = s
	}
	return set, nil
}

// SchemaError is one failed schema assertion: Path is the JSON pointer of
// the offending value in the document ("/credentialSubject/type"), Message
// says what was expected.
type SchemaError struct {
	Path    string
	Message string
}

func (e SchemaError) String() string { return e.Path + ": " + e.Message }

var schemaPrinter = message.NewPrinter(language.English)

// ValidateSchema validates a JSON document against one of the 1EdTech OB
// 3.0 JSON Schemas (draft 2019-09, formats as annotations as that draft
// specifies). The returned slice lists the failed assertions, empty when
// the document conforms; the error is for a document that is not JSON or
// too large, or for a schema that did not compile.
//
// The credential schemas are those of OB 3.0.3 and describe the VC 2.0 form
// only; see SchemaApplies.
func ValidateSchema(data []byte, kind SchemaKind) ([]SchemaError, error) {
	if kind < 0 || int(kind) >= len(schemaFiles) {
		return nil, fmt.Errorf("ob3: unknown schema kind %d", int(kind))
	}
	if len(data) > MaxSize {
		return nil, ErrTooLarge
	}
	if err := scan(data); err != nil && !isTopLevelKindError(err) {
		return nil, err
	}
	schemaOnce.Do(compileSchemas)
	if schemaErr != nil {
		return nil, schemaErr
	}
	// scan has checked the bytes: build the instance in one walk.
	return validateValue(newDecoder(data).decodeAny(data), kind)
}

// ValidateSchemaValue is ValidateSchema on a document already decoded as
// encoding/json decodes into an `any` with UseNumber (map[string]any,
// []any, string, json.Number, bool, nil), so that a caller that needs the
// decoded document anyway (the verifier, for the proof) decodes it once.
// The caller bounds its size and depth (Parse, or the proof package's
// decoding, do).
func ValidateSchemaValue(inst any, kind SchemaKind) ([]SchemaError, error) {
	if kind < 0 || int(kind) >= len(schemaFiles) {
		return nil, fmt.Errorf("ob3: unknown schema kind %d", int(kind))
	}
	schemaOnce.Do(compileSchemas)
	if schemaErr != nil {
		return nil, schemaErr
	}
	return validateValue(inst, kind)
}

// validateValue answers from the fast walk when the instance conforms and
// asks the library, which builds the report, otherwise (schemafast.go).
func validateValue(inst any, kind SchemaKind) ([]SchemaError, error) {
	if fastValid(fastSchemas[kind], inst) {
		return nil, nil
	}
	return validateInstance(&schemas, inst, kind)
}

// validateInstance validates an instance decoded as encoding/json with
// UseNumber would (map[string]any, []any, json.Number…). The report is
// built only when validation fails.
func validateInstance(set *[len(schemaFiles)]*jsonschema.Schema, inst any, kind SchemaKind) ([]SchemaError, error) {
	err := set[kind].Validate(inst)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, fmt.Errorf("ob3: validate: %w", err)
	}
	var out []SchemaError
	collectLeaves(ve, &out)
	slices.SortStableFunc(out, func(a, b SchemaError) int { return strings.Compare(a.Path, b.Path) })
	return slices.Compact(out), nil
}

// isTopLevelKindError: scan insists on an object at top level, which the
// schemas check themselves with a better message.
func isTopLevelKindError(err error) bool {
	var fe *FieldError
	return errors.As(err, &fe) && fe.Path == ""
}

// collectLeaves flattens the error tree to the assertions that actually
// failed. Where a oneOf/anyOf failed, only the alternative that got
// furthest into the document is kept (the best match): the 1EdTech schemas
// allow every string to be a language map and every IRI a string, and the
// errors of those unintended alternatives would drown the real one.
func collectLeaves(e *jsonschema.ValidationError, out *[]SchemaError) {
	for _, l := range leaves(e) {
		*out = append(*out, SchemaError{
			Path:    "/" + strings.Join(escapePointer(l.InstanceLocation), "/"),
			Message: l.ErrorKind.LocalizedString(schemaPrinter),
		})
	}
}

func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	switch e.ErrorKind.(type) {
	case *kind.AnyOf, *kind.OneOf:
		var best []*jsonschema.ValidationError
		bestDepth := -1
		for _, c := range e.Causes {
			ls := leaves(c)
			d := 0
			for _, l := range ls {
				d = max(d, len(l.InstanceLocation))
			}
			if d > bestDepth || d == bestDepth && len(ls) < len(best) {
				best, bestDepth = ls, d
			}
		}
		return best
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

func escapePointer(toks []string) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1")
	}
	return out
}

// SchemaFor returns the schema kind for a credential: EndorsementCredential
// or AchievementCredential.
func SchemaFor(c *Credential) SchemaKind {
	if c.IsEndorsement() && !c.IsOpenBadge() {
		return SchemaEndorsementCredential
	}
	return SchemaAchievementCredential
}

// SchemaApplies reports whether the bundled (OB 3.0.3, VC 2.0) credential
// schemas apply to c: true for the VC 2.0 form (first context
// https://www.w3.org/ns/credentials/v2). A VC 1.1-form badge (OB
// 3.0.0–3.0.2) would fail them for its contexts and for issuanceDate
// instead of validFrom although it was valid when issued; the verifier
// skips the schema for it and relies on Check, which knows both forms.
func SchemaApplies(c *Credential) bool {
	return c.IsVC2()
}
