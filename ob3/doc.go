// Package ob3 is the Open Badges 3.0 wire model: OpenBadgeCredential /
// AchievementCredential and EndorsementCredential as Verifiable Credentials
// (VC Data Model 2.0, and the VC 1.1 form that OB 3.0.0–3.0.2 issuers used),
// with the JSON rules of the specification and validation against the
// published 1EdTech JSON Schemas.
//
// # Reading and writing
//
// [Parse] reads a credential from bytes with bounded work (size, nesting
// depth, duplicate keys rejected). Every object type keeps the properties
// it does not know in an Extra map and remembers which properties came as a
// single value where JSON-LD also allows an array (and which objects came as
// a bare IRI), so that Parse followed by [Marshal] gives back a JSON document
// equal to the input (key order and insignificant whitespace aside): an
// issuer's credential never loses data. Proofs are kept byte for byte.
//
// Values built in Go are written in the canonical forms of the spec's
// examples: `@context` and `type` as arrays, `image.type` as "Image",
// a single `credentialStatus` as an object. Empty strings, empty arrays and
// nil objects are omitted. Dates are [DateTime] strings; [NewDateTime]
// writes RFC 3339 with "Z" for UTC.
//
// Multilingual text: a credential carries one language (see
// Achievement.InLanguage); this package never writes `{"fr": …}` language
// maps. A language map found in input (the 1EdTech schemas tolerate them)
// is kept untouched in the owning object's Extra map, the typed field
// staying empty, so that it survives a round trip.
//
// # Checks
//
// [Credential.Check] reports the structural MUST rules of VC and OB 3.0
// (contexts, types, issuer, subject, dates…) as [Problem] values with stable
// codes; [Credential.CheckTime] adds the time-dependent ones.
// [ValidateSchema] validates raw JSON against one of the five 1EdTech JSON
// Schemas (draft 2019-09), compiled once from embedded copies; nothing is
// ever fetched. The 3.0.3 schemas describe the VC 2.0 form only: use
// [SchemaApplies] to know whether they apply to a credential (VC 1.1-form
// badges would fail them for `issuanceDate` and their contexts, although
// they were valid when issued; Check covers those badges instead).
package ob3
