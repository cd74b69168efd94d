package badge

import "time"

// ApplicationState is where an application for a badge stands.
type ApplicationState string

// The states: submitted (waiting for a reviewer), returned (sent back with
// comments for a new submission), accepted (the badge was awarded, with
// the submission as its evidence) and rejected.
const (
	ApplicationSubmitted ApplicationState = "submitted"
	ApplicationReturned  ApplicationState = "returned"
	ApplicationAccepted  ApplicationState = "accepted"
	ApplicationRejected  ApplicationState = "rejected"
)

// Application is a teacher's request for a badge open to applications,
// with what the criteria ask for.
type Application struct {
	ID       string
	BadgeID  string
	IssuerID string
	UserID   string
	Email    string // the address the badge will be awarded to
	State    ApplicationState
	Text     string
	Links    []string
	Files    []Evidence // uploaded files (blob keys), private until accepted
	History  []ApplicationEvent
	AwardID  string
	Created  time.Time
	Updated  time.Time
}

// ApplicationEvent is one step of an application's history.
type ApplicationEvent struct {
	At       time.Time        `json:"at"`
	State    ApplicationState `json:"state"`
	By       string           `json:"by"` // user id
	Comments string           `json:"comments,omitempty"`
}

// Limits on a submission.
const (
	MaxApplicationLinks = 10
	MaxApplicationFiles = 5
)

// Validate checks a submission.
func (a *Application) Validate() error {
	if err := optionalText("text", "application.text", a.Text, MaxNarrativeLen); err != nil {
		return err
	}
	if len(a.Links) > MaxApplicationLinks {
		return Invalidf("links", "application.links_too_many", "at most %d links", MaxApplicationLinks)
	}
	for _, l := range a.Links {
		if !ValidURL(l) {
			return Invalidf("links", "application.link_invalid", "%q is not a web address (https://…)", l)
		}
	}
	if len(a.Files) > MaxApplicationFiles {
		return Invalidf("files", "application.files_too_many", "at most %d files", MaxApplicationFiles)
	}
	if a.Text == "" && len(a.Links) == 0 && len(a.Files) == 0 {
		return Invalidf("text", "application.empty", "describe what you did, or add a link or a file")
	}
	return nil
}
