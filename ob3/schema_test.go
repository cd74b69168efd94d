package ob3

import (
	"errors"
	"testing"
)

func TestValidateSchemaKinds(t *testing.T) {
	typical := readTypical(t)
	tests := []struct {
		name  string
		data  string
		kind  SchemaKind
		paths []string // JSON pointers of the errors; nil = conforms
	}{
		{"profile", `{"id":"https://exemple.qc.ca","type":["Profile"],"name":"Cégep Exemple","email":"info@exemple.qc.ca"}`, SchemaProfile, nil},
		{"profile without id", `{"type":"Profile","name":"Cégep"}`, SchemaProfile, []string{"/"}},
		{"status info", `{"imsx_codeMajor":"success","imsx_severity":"status"}`, SchemaImsxStatusInfo, nil},
		{"status info with a bad code", `{"imsx_codeMajor":"ok","imsx_severity":"status"}`, SchemaImsxStatusInfo, []string{"/imsx_codeMajor"}},
		{"credentials response", `{"compactJwsString":["a.b.c"],"credential":[` + string(typical) + `]}`, SchemaGetOpenBadgeCredentialsResponse, nil},
		{"endorsement schema on an OB credential", string(typical), SchemaEndorsementCredential, []string{"/credentialSubject", "/credentialSubject/type/0", "/type/0", "/type/1"}},
		{"top-level array", `[]`, SchemaProfile, []string{"/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs, err := ValidateSchema([]byte(tt.data), tt.kind)
			if err != nil {
				t.Fatal(err)
			}
			var paths []string
			for _, e := range errs {
				paths = append(paths, e.Path)
				if e.Message == "" {
					t.Errorf("empty message at %s", e.Path)
				}
			}
			if len(paths) != len(tt.paths) {
				t.Fatalf("got %v, want paths %q", errs, tt.paths)
			}
			for i := range paths {
				if paths[i] != tt.paths[i] {
					t.Errorf("got %v, want paths %q", errs, tt.paths)
				}
			}
		})
	}
}

func TestValidateSchemaErrors(t *testing.T) {
	if _, err := ValidateSchema([]byte(`{"a":`), SchemaProfile); !errors.Is(err, ErrInvalidJSON) {
		t.Errorf("invalid JSON: %v", err)
	}
	if _, err := ValidateSchema([]byte(`{}`), SchemaKind(99)); err == nil {
		t.Error("unknown kind accepted")
	}
	if _, err := ValidateSchema([]byte(`{"a":1,"a":2}`), SchemaProfile); !errors.Is(err, ErrDuplicateKey) {
		t.Errorf("duplicate key: %v", err)
	}
}

func TestSchemaKindURL(t *testing.T) {
	for k := SchemaAchievementCredential; k <= SchemaImsxStatusInfo; k++ {
		got, ok := SchemaKindForURL(k.URL())
		if !ok || got != k {
			t.Errorf("%v: SchemaKindForURL(%s) = %v, %v", k, k.URL(), got, ok)
		}
	}
	if SchemaAchievementCredential.URL() != "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json" {
		t.Error(SchemaAchievementCredential.URL())
	}
	if SchemaProfile.String() != "profile" {
		t.Error(SchemaProfile.String())
	}
}
