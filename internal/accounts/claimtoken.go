package accounts

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
)

// ClaimTTL is how long an award's claim link works: recipients find
// announcements months later, and the link only lets the holder of the
// address put the badge in a portfolio (the badge itself is public).
const ClaimTTL = 365 * 24 * time.Hour

// ClaimData is what a claim token carries.
type ClaimData struct {
	AwardID string `json:"award"`
}

// NewClaimToken stores a claim token for an award to an e-mail address,
// inside tx when given (the award's own transaction), and returns the
// secret for the link. It needs no Service: the announcement is made
// where awards are stored.
func NewClaimToken(ctx context.Context, db *store.DB, tx *sql.Tx, a *badge.Award, now time.Time) (string, error) {
	secret, err := badge.NewSecret(nil)
	if err != nil {
		return "", badge.Internalf(err, "new claim token")
	}
	data, err := json.Marshal(ClaimData{AwardID: a.ID})
	if err != nil {
		return "", badge.Internalf(err, "encode claim")
	}
	t := &badge.Token{Hash: badge.HashSecret(secret), Kind: badge.TokenClaim, Email: a.Recipient.Email, Data: string(data),
		ExpiresAt: now.Add(ClaimTTL)}
	if err := db.CreateTokenTx(ctx, tx, t); err != nil {
		return "", err
	}
	return secret, nil
}
