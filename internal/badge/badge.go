package badge

import (
	"strings"
	"time"
)

// Badge is a badge definition: an Open Badges 3.0 Achievement owned by an
// issuer. Its text is in one Language, as one credential carries one language.
type Badge struct {
	ID                 string
	IssuerID           string
	Slug               string
	Name               string
	Description        string
	CriteriaNarrative  string // Markdown
	CriteriaURL        string
	ImageKey           string // blob key, "" for none
	ImageType          string // "image/png" or "image/svg+xml" when ImageKey is set
	AchievementType    string // OB 3.0 vocabulary or "ext:…"; "" means unspecified
	Tags               []string
	Alignments         []Alignment
	Language           string
	ResultDescriptions []ResultDescription
	ValidityDays       int    // 0: awards do not expire
	CreatorIssuerID    string // optional: the issuer on whose behalf this badge is awarded
	ApplicationsOpen   bool   // teachers may apply for it from the catalogue
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Alignment ties a badge to an item of a competency framework.
type Alignment struct {
	Name        string `json:"name"`
	URL         string `json:"url"`
	Code        string `json:"code,omitempty"`
	Framework   string `json:"framework,omitempty"`
	Description string `json:"description,omitempty"`
}

// ResultDescription describes a result an award of the badge may carry
// (OB 3.0 ResultDescription).
type ResultDescription struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	ResultType    string   `json:"resultType"`
	AllowedValues []string `json:"allowedValues,omitempty"`
	RequiredValue string   `json:"requiredValue,omitempty"`
	ValueMin      string   `json:"valueMin,omitempty"`
	ValueMax      string   `json:"valueMax,omitempty"`
}

// AchievementTypes is the OB 3.0 AchievementType vocabulary; values starting
// with "ext:" are allowed too.
var AchievementTypes = []string{
	"Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment", "AssociateDegree",
	"Award", "Badge", "BachelorDegree", "Certificate", "CertificateOfCompletion", "Certification",
	"CommunityService", "Competency", "Course", "CoCurricular", "Degree", "Diploma", "DoctoralDegree",
	"Fieldwork", "GeneralEducationDevelopment", "JourneymanCertificate", "LearningProgram", "License",
	"Membership", "ProfessionalDoctorate", "QualityAssuranceCredential", "MasterCertificate",
	"MasterDegree", "MicroCredential", "ResearchDoctorate", "SecondarySchoolDiploma",
}

// ResultTypes is the OB 3.0 ResultType vocabulary; "ext:…" is allowed too.
var ResultTypes = []string{
	"GradePointAverage", "LetterGrade", "Percent", "PerformanceLevel", "PredictedScore", "RawScore",
	"Result", "RubricCriterion", "RubricCriterionLevel", "RubricScore", "ScaledScore", "Status",
}

func inVocabulary(s string, vocab []string) bool {
	if strings.HasPrefix(s, "ext:") && len(s) > 4 && len(s) <= 100 && !strings.ContainsAny(s, " \t\r\n") {
		return true
	}
	for _, v := range vocab {
		if s == v {
			return true
		}
	}
	return false
}

// Validate checks the definition's invariants.
func (b *Badge) Validate() error {
	if b.IssuerID == "" {
		return Invalidf("issuer_id", "badge.issuer_required", "issuer_id is required")
	}
	if err := checkSlug("slug", "badge.slug", b.Slug); err != nil {
		return err
	}
	if err := requireText("name", "badge.name", b.Name, MaxNameLen); err != nil {
		return err
	}
	if err := requireText("description", "badge.description", b.Description, MaxDescriptionLen); err != nil {
		return err
	}
	if err := optionalText("criteria_narrative", "badge.criteria_narrative", b.CriteriaNarrative, MaxNarrativeLen); err != nil {
		return err
	}
	if err := optionalURL("criteria_url", "badge.criteria_url", b.CriteriaURL); err != nil {
		return err
	}
	// OB 3.0 requires criteria; either form satisfies it.
	if strings.TrimSpace(b.CriteriaNarrative) == "" && b.CriteriaURL == "" {
		return Invalidf("criteria_narrative", "badge.criteria_required", "criteria are required: a narrative, a URL or both")
	}
	if b.ImageKey != "" && b.ImageType != "image/png" && b.ImageType != "image/svg+xml" {
		return Invalidf("image", "badge.image_type_invalid", "the image must be PNG or SVG")
	}
	if b.ImageKey == "" && b.ImageType != "" {
		return Invalidf("image", "badge.image_type_without_image", "an image type was given without an image")
	}
	if b.AchievementType != "" && !inVocabulary(b.AchievementType, AchievementTypes) {
		return Invalidf("achievement_type", "badge.achievement_type_invalid", "unknown achievement type %q", b.AchievementType)
	}
	if len(b.Tags) > MaxTags {
		return Invalidf("tags", "badge.tags_too_many", "at most %d tags", MaxTags)
	}
	seen := make(map[string]bool, len(b.Tags))
	for _, t := range b.Tags {
		if strings.TrimSpace(t) == "" {
			return Invalidf("tags", "badge.tag_empty", "tags must not be empty")
		}
		if err := optionalText("tags", "badge.tag", t, MaxTagLen); err != nil {
			return err
		}
		if seen[t] {
			return Invalidf("tags", "badge.tag_duplicate", "tag %q is given twice", t)
		}
		seen[t] = true
	}
	if len(b.Alignments) > MaxAlignments {
		return Invalidf("alignments", "badge.alignments_too_many", "at most %d alignments", MaxAlignments)
	}
	for _, a := range b.Alignments {
		if err := requireText("alignments", "badge.alignment_name", a.Name, MaxNameLen); err != nil {
			return err
		}
		if a.URL == "" {
			return Invalidf("alignments", "badge.alignment_url_required", "each alignment needs a URL")
		}
		if err := optionalURL("alignments", "badge.alignment_url", a.URL); err != nil {
			return err
		}
		for _, s := range []string{a.Code, a.Framework} {
			if err := optionalText("alignments", "badge.alignment_field", s, MaxNameLen); err != nil {
				return err
			}
		}
		if err := optionalText("alignments", "badge.alignment_description", a.Description, MaxDescriptionLen); err != nil {
			return err
		}
	}
	if !validLanguage(b.Language) {
		return Invalidf("language", "badge.language_invalid", "language must be fr or en")
	}
	if len(b.ResultDescriptions) > MaxResults {
		return Invalidf("result_descriptions", "badge.results_too_many", "at most %d result descriptions", MaxResults)
	}
	for _, r := range b.ResultDescriptions {
		if err := requireText("result_descriptions", "badge.result_name", r.Name, MaxNameLen); err != nil {
			return err
		}
		if !inVocabulary(r.ResultType, ResultTypes) {
			return Invalidf("result_descriptions", "badge.result_type_invalid", "unknown result type %q", r.ResultType)
		}
		if len(r.AllowedValues) > MaxResults {
			return Invalidf("result_descriptions", "badge.result_values_too_many", "at most %d allowed values", MaxResults)
		}
	}
	if b.ValidityDays < 0 || b.ValidityDays > MaxValidityDays {
		return Invalidf("validity_days", "badge.validity_days_invalid", "validity must be between 0 (none) and %d days", MaxValidityDays)
	}
	if b.CreatorIssuerID != "" && b.CreatorIssuerID == b.IssuerID {
		return Invalidf("creator_issuer_id", "badge.creator_is_issuer", "the creator must be another issuer")
	}
	return nil
}
