package pdfproof

import (
	"strconv"
	"strings"
	"time"
)

// labels holds every fixed string printed on the proof. The table lives here rather than in
// internal/locale because the PDF is a self-contained artefact: its wording (and the legal
// statement at the bottom) is reviewed with the layout, and a missing key must be a compile
// error, not a runtime fallback.
type labels struct {
	heading      string // small header above the badge name
	recipient    string
	noRecipient  string
	issuedBy     string
	awardedOn    string
	validFrom    string
	validUntil   string
	noExpiry     string
	status       string
	criteria     string
	evidence     string
	moreEvidence func(n int) string
	verifyAt     string
	badgePage    string
	credentialID string
	scan         string
	authority    string
	title        string // PDF document title prefix
	colon        string // French sets a (narrow no-break) space before the colon
	months       [12]string
}

var labelTable = map[string]*labels{
	"fr": {
		heading:      "Attestation de badge numérique · Open Badges 3.0",
		recipient:    "Décerné à",
		noRecipient:  "—",
		issuedBy:     "Délivré par",
		awardedOn:    "Décerné le",
		validFrom:    "Valide à partir du",
		validUntil:   "Valide jusqu’au",
		noExpiry:     "sans date d’expiration",
		status:       "Statut",
		criteria:     "Critères d’obtention",
		evidence:     "Preuves",
		moreEvidence: func(n int) string { return plural(n, "+ 1 autre preuve", "+ %d autres preuves") },
		verifyAt:     "Vérifier ce badge",
		badgePage:    "Page du badge",
		credentialID: "Identifiant",
		scan:         "Scannez pour vérifier",
		authority: "Ce document est une représentation imprimable. Seul le justificatif numérique signé " +
			"fait foi\u202f: vérifiez-le à l’adresse ci-dessus, elle indique aussi s’il a été révoqué.",
		title: "Attestation",
		colon: "\u202f: ",
		months: [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
			"août", "septembre", "octobre", "novembre", "décembre"},
	},
	"en": {
		heading:      "Digital badge certificate · Open Badges 3.0",
		recipient:    "Awarded to",
		noRecipient:  "—",
		issuedBy:     "Issued by",
		awardedOn:    "Awarded on",
		validFrom:    "Valid from",
		validUntil:   "Valid until",
		noExpiry:     "no expiry date",
		status:       "Status",
		criteria:     "Criteria",
		evidence:     "Evidence",
		moreEvidence: func(n int) string { return plural(n, "+ 1 more item", "+ %d more items") },
		verifyAt:     "Verify this badge",
		badgePage:    "Badge page",
		credentialID: "Credential ID",
		scan:         "Scan to verify",
		authority: "This document is a printable representation. Only the signed digital credential " +
			"is authoritative: verify it at the address above, which also shows whether it was revoked.",
		title: "Certificate",
		colon: ": ",
		months: [12]string{"January", "February", "March", "April", "May", "June", "July",
			"August", "September", "October", "November", "December"},
	},
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return strings.Replace(many, "%d", strconv.Itoa(n), 1)
}

// normLang maps a language tag to one of the table's keys: "fr", "fr-CA", "FR" give French,
// anything else English.
func normLang(tag string) string {
	t := strings.ToLower(strings.TrimSpace(tag))
	if t == "fr" || strings.HasPrefix(t, "fr-") || strings.HasPrefix(t, "fr_") {
		return "fr"
	}
	return "en"
}

// formatDate writes a calendar date the way each language prints it in running text:
// "1er novembre 2026", "23 novembre 2026"; "November 23, 2026". The date is taken in the
// time's own location: the caller decides which time zone the day belongs to.
func (l *labels) formatDate(t time.Time) string {
	y, m, d := t.Date()
	if l == labelTable["fr"] {
		day := strconv.Itoa(d)
		if d == 1 {
			day = "1er"
		}
		return day + " " + l.months[m-1] + " " + strconv.Itoa(y)
	}
	return l.months[m-1] + " " + strconv.Itoa(d) + ", " + strconv.Itoa(y)
}
