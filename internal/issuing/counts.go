package issuing

import "time"

// ImportCounts reports whether an imported badge counts toward what a
// recipient has achieved (pathway progress, framework coverage): its last
// verification said valid (so it verified, and is neither revoked nor
// suspended) and it has not expired since.
func ImportCounts(state string, validUntil *time.Time, now time.Time) bool {
	return state == ImportValid && (validUntil == nil || now.Before(*validUntil))
}
