package ob3

import (
	"bytes"
	"flag"
	"os"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// typicalCredential builds, field by field, the credential kept in
// testdata/typical-unsigned.json: what Sceau issues for a continuing
// education course, before signing.
func typicalCredential() *Credential {
	const base = "https://badges.exemple.qc.ca"
	awarded := time.Date(2025, 3, 14, 15, 0, 0, 0, time.UTC)
	return &Credential{
		Context:     Contexts(ContextVC2, ContextOB),
		ID:          base + "/credentials/6f1c2a3e-8b7d-4c5e-9a1f-2d3e4f5a6b7c",
		Type:        []string{TypeVerifiableCredential, TypeOpenBadgeCredential},
		Name:        "Secourisme en milieu de travail",
		Description: "Attestation de réussite de la formation Secourisme en milieu de travail (16 heures).",
		Issuer: &Profile{
			ID:    base + "/issuers/formation-continue",
			Type:  []string{"Profile"},
			Name:  "Service de la formation continue — Cégep Exemple",
			URL:   "https://www.cegep-exemple.qc.ca/formation-continue",
			Email: "formation.continue@exemple.qc.ca",
			Image: &Image{ID: base + "/images/issuers/formation-continue.png", Type: "Image"},
		},
		ValidFrom:   NewDateTime(awarded),
		ValidUntil:  NewDateTime(awarded.AddDate(3, 0, 0)),
		AwardedDate: NewDateTime(awarded),
		CredentialSubject: &AchievementSubject{
			Type:       []string{"AchievementSubject"},
			Identifier: []IdentityObject{NewEmailIdentity("Marie.Tremblay@exemple.qc.ca", "9f2c4e1a7b3d5f60a8c2e4b6d8f0a1c3")},
			Achievement: &Achievement{
				ID:              base + "/achievements/secourisme-milieu-travail",
				Type:            []string{"Achievement"},
				AchievementType: "CertificateOfCompletion",
				Name:            "Secourisme en milieu de travail",
				Description: "La personne titulaire sait évaluer une situation d'urgence, " +
					"donner les premiers secours et alerter les services préhospitaliers.",
				Criteria: &Criteria{Narrative: "- Assister aux 16 heures de formation.\n" +
					"- Réussir l'évaluation pratique (réanimation cardiorespiratoire et défibrillation).\n" +
					"- Obtenir au moins 80 % à l'examen écrit."},
				Image: &Image{
					ID:      base + "/images/achievements/secourisme-milieu-travail.png",
					Type:    "Image",
					Caption: "Insigne Secourisme en milieu de travail",
				},
				HumanCode:  "SST-101",
				InLanguage: "fr-CA",
				Tag:        []string{"secourisme", "santé et sécurité au travail", "formation continue"},
				Alignment: []Alignment{{
					Type:              []string{"Alignment"},
					TargetName:        "Intervenir en situation d'urgence",
					TargetURL:         base + "/referentiel/competences/urgence",
					TargetDescription: "Compétence du référentiel de la formation continue.",
					TargetFramework:   "Référentiel de compétences de la formation continue",
					TargetCode:        "FC-URG-01",
					TargetType:        "CFItem",
				}},
			},
		},
		Evidence: []Evidence{{
			ID:          base + "/evidence/6f1c2a3e/evaluation-pratique",
			Type:        []string{"Evidence"},
			Name:        "Évaluation pratique",
			Description: "Grille d'observation remplie par la formatrice le 12 mars 2025.",
			Genre:       "Évaluation",
		}},
		CredentialStatus: []CredentialStatus{{
			ID:                   base + "/status/1#94567",
			Type:                 "BitstringStatusListEntry",
			StatusPurpose:        "revocation",
			StatusListIndex:      "94567",
			StatusListCredential: base + "/status/1",
		}},
	}
}

func TestGoldenTypical(t *testing.T) {
	got, err := MarshalIndent(typicalCredential(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	const path = "testdata/typical-unsigned.json"
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Marshal(typicalCredential()) differs from %s (run with -update after checking):\n%s", path, got)
	}
}

// The typical credential must be a conforming badge: the packages that
// copy it for benchmarks rely on that.
func TestTypicalConforms(t *testing.T) {
	data, err := os.ReadFile("testdata/typical-unsigned.json")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(data); n < 2500 || n > 4000 {
		t.Errorf("typical-unsigned.json is %d bytes, want about 3 KB", n)
	}
	c, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if ps := c.Check(); len(ps) != 0 {
		t.Errorf("Check: %v", ps)
	}
	if !SchemaApplies(c) {
		t.Fatal("SchemaApplies = false for a VC 2.0 credential")
	}
	errs, err := ValidateSchema(data, SchemaFor(c))
	if err != nil || len(errs) != 0 {
		t.Errorf("ValidateSchema: %v, %v", errs, err)
	}
	if ps := c.CheckTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); len(ps) != 0 {
		t.Errorf("CheckTime(2026): %v", ps)
	}
	if !c.CredentialSubject.Identifier[0].Matches("marie.tremblay@exemple.qc.ca") {
		t.Error("the recipient's identity does not match her address")
	}
	if got := c.ContextVersion(); got != "3.0.3" {
		t.Errorf("ContextVersion = %q", got)
	}
}
