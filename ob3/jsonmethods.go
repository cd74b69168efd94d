package ob3

// One pair of boilerplate methods per object type of types.go.

import "reflect"

// encoding/json methods, so the types nest in other JSON structs. They use
// the package codec; Unmarshal* here apply no size or depth limits (the
// enclosing decoder has read the bytes already): use Parse for untrusted input.

// MarshalJSON implements json.Marshaler.
func (x Credential) MarshalJSON() ([]byte, error) { return Marshal(&x) }

// UnmarshalJSON implements json.Unmarshaler.
func (x *Credential) UnmarshalJSON(b []byte) error {
	*x = Credential{}
	return decodeUntrusted(b, reflect.ValueOf(x).Elem())
}

// MarshalJSON implements json.Marshaler.
func (x AchievementSubject) MarshalJSON() ([]byte, error) { return Marshal(&x) }

// UnmarshalJSON implements json.Unmarshaler.
func (x *AchievementSubject) UnmarshalJSON(b []byte) error {
	*x = AchievementSubject{}
	return decodeUntrusted(b, reflect.ValueOf(x).Elem())
}

// MarshalJSON implements json.Marshaler.
func (x Achievement) MarshalJSON() ([]byte, error) { return Marshal(&x) }

// UnmarshalJSON implements json.Unmarshaler.
func (x *Achievement) UnmarshalJSON(b []byte) error {
	*x = Achievement{}
	return decodeUntrusted(b, reflect.ValueOf(x).Elem())
}

// MarshalJSON implements json.Marshaler.
func (x Profile) MarshalJSON() ([]byte, error) { return Marshal(&x) }

// UnmarshalJSON implements json.Unmarshaler.
func (x *Profile) UnmarshalJSON(b []byte) error {
	*x = Profile{}
	return decodeUntrusted(b, reflect.ValueOf(x).Elem())
}

// MarshalJSON implements json.Marshaler.
func (x Image) MarshalJSON() ([]byte, error) { return Marshal(&x) }

// UnmarshalJSON implements json.Unmarshaler.
func (x *Image) UnmarshalJSON(b []byte) error {
	*x = Image{}
	return decodeUntrusted(b, reflect.ValueOf(x).Elem())
}

// MarshalJSON implements json.Marshaler.
func (x IdentityObject) MarshalJSON() ([]byte, error) { return Marshal(&x) }

// UnmarshalJSON implements json.Unmarshaler.
func (x *IdentityObject) UnmarshalJSON(b []byte) error {
	*x = IdentityObject{}
	return decodeUntrusted(b, reflect.ValueOf(x).Elem())
}

// MarshalJSON implements json.Marshaler.
func (x Evidence) MarshalJSON() ([]byte, error) { return Marshal(&x) }

// UnmarshalJSON implements json.Unmarshaler.
func (x *Evidence) UnmarshalJSON(b []byte) error {
	*x = Evidence{}
	return decodeUntrusted(b, reflect.ValueOf(x).Elem())
}

// MarshalJSON implements json.Marshaler.
func (x Alignment) MarshalJSON() ([]byte, error) { return Marshal(&x) }

// UnmarshalJSON implements json.Unmarshaler.
func (x *Alignment) UnmarshalJSON(b []byte) error {
	*x = Alignment{}
	return decodeUntrusted(b, reflect.ValueOf(x).Elem())
}

// MarshalJSON implements json.Marshaler.
func (x Criteria) MarshalJSON() ([]byte, error) { return Marshal(&x) }

// UnmarshalJSON implements json.Unmarshaler.
func (x *Criteria) UnmarshalJSON(b []byte) error {
	*x = Criteria{}
	return decodeUntrusted(b, reflect.ValueOf(x).Elem())
}

// MarshalJSON implements json.Marshaler.
func (x Result) MarshalJSON() ([]byte, error) { return Marshal(&x) }

// UnmarshalJSON implements json.Unmarshaler.
func (x *Result) UnmarshalJSON(b []byte) error {
	*x = Result{}
	return decodeUntrusted(b, reflect.ValueOf(x).Elem())
}

// MarshalJSON implements json.Marshaler.
func (x ResultDescription) MarshalJSON() ([]byte, error) { return Marshal(&x) }

// UnmarshalJSON implements json.Unmarshaler.
func (x *ResultDescription) UnmarshalJSON(b []byte) error {
	*x = ResultDescription{}
	return decodeUntrusted(b, reflect.ValueOf(x).Elem())
}

// MarshalJSON implements json.Marshaler.
func (x RubricCriterionLevel) MarshalJSON() ([]byte, error) { return Marshal(&x) }

// UnmarshalJSON implements json.Unmarshaler.
func (x *RubricCriterionLevel) UnmarshalJSON(b []byte) error {
	*x = RubricCriterionLevel{}
	return decodeUntrusted(b, reflect.ValueOf(x).Elem())
}

// MarshalJSON implements json.Marshaler.
func (x Related) MarshalJSON() ([]byte, error) { return Marshal(&x) }

// UnmarshalJSON implements json.Unmarshaler.
func (x *Related) UnmarshalJSON(b []byte) error {
	*x = Related{}
	return decodeUntrusted(b, reflect.ValueOf(x).Elem())
}

// MarshalJSON implements json.Marshaler.
func (x IdentifierEntry) MarshalJSON() ([]byte, error) { return Marshal(&x) }

// UnmarshalJSON implements json.Unmarshaler.
func (x *IdentifierEntry) UnmarshalJSON(b []byte) error {
	*x = IdentifierEntry{}
	return decodeUntrusted(b, reflect.ValueOf(x).Elem())
}

// MarshalJSON implements json.Marshaler.
func (x Address) MarshalJSON() ([]byte, error) { return Marshal(&x) }

// UnmarshalJSON implements json.Unmarshaler.
func (x *Address) UnmarshalJSON(b []byte) error {
	*x = Address{}
	return decodeUntrusted(b, reflect.ValueOf(x).Elem())
}

// MarshalJSON implements json.Marshaler.
func (x GeoCoordinates) MarshalJSON() ([]byte, error) { return Marshal(&x) }

// UnmarshalJSON implements json.Unmarshaler.
func (x *GeoCoordinates) UnmarshalJSON(b []byte) error {
	*x = GeoCoordinates{}
	return decodeUntrusted(b, reflect.ValueOf(x).Elem())
}

// MarshalJSON implements json.Marshaler.
func (x CredentialStatus) MarshalJSON() ([]byte, error) { return Marshal(&x) }

// UnmarshalJSON implements json.Unmarshaler.
func (x *CredentialStatus) UnmarshalJSON(b []byte) error {
	*x = CredentialStatus{}
	return decodeUntrusted(b, reflect.ValueOf(x).Elem())
}

// MarshalJSON implements json.Marshaler.
func (x CredentialSchema) MarshalJSON() ([]byte, error) { return Marshal(&x) }

// UnmarshalJSON implements json.Unmarshaler.
func (x *CredentialSchema) UnmarshalJSON(b []byte) error {
	*x = CredentialSchema{}
	return decodeUntrusted(b, reflect.ValueOf(x).Elem())
}

// MarshalJSON implements json.Marshaler.
func (x RefreshService) MarshalJSON() ([]byte, error) { return Marshal(&x) }

// UnmarshalJSON implements json.Unmarshaler.
func (x *RefreshService) UnmarshalJSON(b []byte) error {
	*x = RefreshService{}
	return decodeUntrusted(b, reflect.ValueOf(x).Elem())
}

// MarshalJSON implements json.Marshaler.
func (x TermsOfUse) MarshalJSON() ([]byte, error) { return Marshal(&x) }

// UnmarshalJSON implements json.Unmarshaler.
func (x *TermsOfUse) UnmarshalJSON(b []byte) error {
	*x = TermsOfUse{}
	return decodeUntrusted(b, reflect.ValueOf(x).Elem())
}
