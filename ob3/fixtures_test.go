package ob3

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// fixtureWant is what this package must say of one 1EdTech validator
// fixture (testdata/validator-ob30/, see SOURCES.md). The validator's own
// expectations are in its OB30Tests.java; the fixtures also fail, for the
// validator, on proofs, dates and status lists, which other packages check.
type fixtureWant struct {
	why string
	// check: "severity CODE path" of every Problem of Check, in order.
	check []string
	// schema: the JSON pointers of the schema errors (SchemaFor kind), in
	// order; nil when the document conforms. Not compared when the schema
	// does not apply (VC 1.1 form): applies says which.
	applies bool
	schema  []string
	// timeCodes: codes of CheckTime at fixtureNow.
	timeCodes []string
}

var fixtureNow = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

const vc1 = "warning VC1_FORM @context"

var fixtures = map[string]fixtureWant{
	"complete.json": {why: "every property of the spec; valid (the validator fails it only for a 404 inline schema)",
		applies: true}, // its endorsements expired in 2020: CheckTime looks at the credential only
	"complete_v1.json": {why: "VC 1.1 complete: endorsements without id (VC 1.1 allowed it) are warnings",
		check: []string{vc1,
			"warning VC1_FORM issuer.endorsement[0].@context", "warning ID_MISSING issuer.endorsement[0].id",
			"warning VC1_FORM credentialSubject.achievement.creator.endorsement[0].@context", "warning ID_MISSING credentialSubject.achievement.creator.endorsement[0].id",
			"warning VC1_FORM credentialSubject.achievement.creator.endorsement[1].@context", "warning ID_MISSING credentialSubject.achievement.creator.endorsement[1].id",
			"warning VC1_FORM credentialSubject.achievement.endorsement[0].@context", "warning ID_MISSING credentialSubject.achievement.endorsement[0].id",
			"warning VC1_FORM endorsement[0].@context", "warning ID_MISSING endorsement[0].id"},
		timeCodes: []string{"EXPIRED"}},
	"credential-status-revoked.json": {why: "valid VC 1.1 badge, revoked by its 1EdTechRevocationList (status package)",
		check: []string{vc1}},
	"endorsement-err-schema-status-refresh.json": {why: "VC 1.1 endorsement; its schema/status/refresh URLs 404 for the validator",
		check: []string{vc1}},
	"endorsement-valid.json":      {why: "valid VC 2.0 endorsement", applies: true},
	"simple-context-alias.json":   {why: "valid; properties in another order", applies: true},
	"simple-context-version.json": {why: "OB context 3.0.2 with VC 2.0: the validator warns", applies: true, check: []string{"warning CONTEXT_OB_OUTDATED @context"}},
	"simple-did-key-method.json":  {why: "valid, did:key proof", applies: true},
	"simple-did-web-method.json":  {why: "valid, did:web proof, single proof object", applies: true},
	"simple-eddsa-2022.json":      {why: "VC 1.1 with the old eddsa-2022 suite: a warning for the validator", check: []string{vc1}},
	"simple-err-context.json": {why: "the VC context is missing (ContextPropertyProbe); also VC 1.1 dates and no achievement",
		applies: false,
		check: []string{"error CONTEXT_FIRST @context", "error DATE_MISSING validFrom",
			"warning DATE_FORM_MISMATCH ", "error ACHIEVEMENT_MISSING credentialSubject.achievement"}},
	"simple-err-credential-subject-achievement-result-description-type.json": {why: "resultDescription[2].type is not ResultDescription (the schema does not say)",
		applies: true, check: []string{"error WRONG_TYPE credentialSubject.achievement.resultDescription[2].type"}},
	"simple-err-credential-subject-identifier-type.json": {why: "identifier type InvalidIdentityObject, and a hash that is no hash",
		applies: true, schema: []string{"/credentialSubject/identifier/0/type"},
		check: []string{"error WRONG_TYPE credentialSubject.identifier[0].type", "error IDENTITY_HASH_FORMAT credentialSubject.identifier[0].identityHash"}},
	"simple-err-credential-subject-profile-type.json": {why: "credentialSubject.source.type is InvalidProfile (a string, so the schema accepts it)",
		applies: true, check: []string{"error WRONG_TYPE credentialSubject.source.type"}},
	"simple-err-credential-subject-result-type.json": {why: "result[1].type is InvalidResult",
		applies: true, schema: []string{"/credentialSubject/result/1/type/0"},
		check: []string{"error WRONG_TYPE credentialSubject.result[1].type"}},
	"simple-err-credential-subject-type.json": {why: "credentialSubject.type is InvalidAchievementSubject",
		applies: true, schema: []string{"/credentialSubject/type/0"},
		check: []string{"error WRONG_TYPE credentialSubject.type"}},
	"simple-err-evidence-type.json": {why: "evidence[1].type is InvalidEvidence (the schema does not say)",
		applies: true, check: []string{"error WRONG_TYPE evidence[1].type"}},
	"simple-err-expired.json": {why: "validUntil in the past: a time rule only", applies: true, timeCodes: []string{"EXPIRED"}},
	"simple-err-issued.json": {why: "validFrom in 2040: a time rule; the fixture also lacks the achievement",
		applies: true, schema: []string{"/credentialSubject"},
		check: []string{"error ACHIEVEMENT_MISSING credentialSubject.achievement"}, timeCodes: []string{"NOT_YET_VALID"}},
	"simple-err-issuer-otheridentifier-type.json": {why: "issuer.otherIdentifier[1].type is InvalidIdentifierEntry",
		applies: true, schema: []string{"/issuer/otherIdentifier/1/type"},
		check: []string{"error WRONG_TYPE issuer.otherIdentifier[1].type"}},
	"simple-err-issuer-parentorg-type.json": {why: "issuer.parentOrg.type is InvalidProfile",
		applies: true, schema: []string{"/issuer/parentOrg/type/0"},
		check: []string{"error WRONG_TYPE issuer.parentOrg.type"}},
	"simple-err-issuer-type.json": {why: "issuer.type is InvalidProfile",
		applies: true, schema: []string{"/issuer/type/0"},
		check: []string{"error WRONG_TYPE issuer.type"}},
	"simple-err-issuer.json": {why: "no issuer (JsonSchemaProbe); also no achievement",
		applies: true, schema: []string{"/", "/credentialSubject"},
		check: []string{"error ISSUER_MISSING issuer", "error ACHIEVEMENT_MISSING credentialSubject.achievement"}},
	"simple-err-proof-method-no-scheme.json":          {why: "bad verificationMethod: for the proof package", applies: true},
	"simple-err-proof-method-unknown-did-method.json": {why: "unknown DID method: for the did package", applies: true},
	"simple-err-proof-method-unknown-scheme.json":     {why: "unknown scheme: for the proof package", applies: true},
	"simple-err-proof-method.json":                    {why: "verification key not found: for the proof package", applies: true},
	"simple-err-proof-value.json":                     {why: "altered proofValue: for the proof package", applies: true},
	"simple-err-type.json": {why: "type OtherCredential instead of OpenBadgeCredential (TypePropertyProbe); no achievement either",
		applies: true, schema: []string{"/credentialSubject", "/type/0", "/type/1"},
		check: []string{"error TYPE_OB_MISSING type", "error ACHIEVEMENT_MISSING credentialSubject.achievement"}},
	"simple-multiple-proofs.json": {why: "valid, two proofs", applies: true},
	"simple-noproof.json": {why: "VC 1.1 without proof, and without achievement",
		check: []string{vc1, "error ACHIEVEMENT_MISSING credentialSubject.achievement"}},
	"simple.json":    {why: "the reference valid badge", applies: true},
	"simple_v1.json": {why: "the reference VC 1.1 badge: a warning", check: []string{vc1}},
	"bit-string-list/credential-status-revoked-blank-nodes.json": {why: "revoked through a BitstringStatusList; statusListIndex written as a number",
		applies: true, check: []string{"warning STATUS_INDEX_FORMAT credentialStatus.statusListIndex"}},
	"bit-string-list/credential-status-revoked.json": {why: "as above",
		applies: true, check: []string{"warning STATUS_INDEX_FORMAT credentialStatus.statusListIndex"}},
	"sd/derivedcredential.json": {why: "a selectively disclosed (ecdsa-sd) derived credential: valid JSON structure", applies: true},
}

func fixtureFiles(t testing.TB) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir("testdata/validator-ob30", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestValidatorFixtures(t *testing.T) {
	files := fixtureFiles(t)
	if len(files) != len(fixtures) {
		t.Errorf("%d fixture files, %d expectations", len(files), len(fixtures))
	}
	for _, path := range files {
		name := strings.TrimPrefix(filepath.ToSlash(path), "testdata/validator-ob30/")
		t.Run(name, func(t *testing.T) {
			want, ok := fixtures[name]
			if !ok {
				t.Fatalf("no expectation for %s", name)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse: %v (%s)", err, want.why)
			}
			var got []string
			for _, p := range c.Check() {
				got = append(got, p.Severity.String()+" "+p.Code+" "+p.Path)
			}
			if !slices.Equal(got, want.check) {
				t.Errorf("Check (%s):\n got %q\nwant %q", want.why, got, want.check)
			}
			if SchemaApplies(c) != want.applies {
				t.Errorf("SchemaApplies = %v, want %v", !want.applies, want.applies)
			}
			if want.applies {
				errs, err := ValidateSchema(data, SchemaFor(c))
				if err != nil {
					t.Fatal(err)
				}
				var paths []string
				for _, e := range errs {
					paths = append(paths, e.Path)
				}
				if !slices.Equal(paths, want.schema) {
					t.Errorf("ValidateSchema (%s): got %v, want paths %q", want.why, errs, want.schema)
				}
			}
			var codes []string
			for _, p := range c.CheckTime(fixtureNow) {
				codes = append(codes, p.Code)
			}
			if !slices.Equal(codes, want.timeCodes) {
				t.Errorf("CheckTime: got %q, want %q", codes, want.timeCodes)
			}
		})
	}
}

// Parse then Marshal must give back the same JSON (key order aside):
// an issuer's credential never loses data, proofs stay byte for byte.
func TestRoundTripFixtures(t *testing.T) {
	files := append(fixtureFiles(t), "testdata/typical-unsigned.json")
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			out, err := Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			var in, back any
			if err := json.Unmarshal(data, &in); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(out, &back); err != nil {
				t.Fatalf("Marshal wrote invalid JSON: %v\n%s", err, out)
			}
			if !reflect.DeepEqual(in, back) {
				t.Errorf("round trip differs:\n in %s\nout %s", data, out)
			}
			// encoding/json entry points give the same document.
			std, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			var viaStd any
			if err := json.Unmarshal(std, &viaStd); err != nil || !reflect.DeepEqual(in, viaStd) {
				t.Errorf("json.Marshal differs (%v):\n%s", err, std)
			}
			var c2 Credential
			if err := json.Unmarshal(data, &c2); err != nil {
				t.Fatalf("json.Unmarshal: %v", err)
			}
			out2, err := Marshal(&c2)
			if err != nil || string(out2) != string(out) {
				t.Errorf("json.Unmarshal then Marshal differs from Parse then Marshal (%v)", err)
			}
		})
	}
}
