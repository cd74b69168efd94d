package ob3

import "testing"

func BenchmarkParse(b *testing.B) {
	data := readTypical(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshal(b *testing.B) {
	c, err := Parse(readTypical(b))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Marshal(c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	c, err := Parse(readTypical(b))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		_ = c.Check()
	}
}

func BenchmarkValidateSchema(b *testing.B) {
	data := readTypical(b)
	if _, err := ValidateSchema(data, SchemaAchievementCredential); err != nil {
		b.Fatal(err) // compiles the schemas outside the loop
	}
	for b.Loop() {
		if _, err := ValidateSchema(data, SchemaAchievementCredential); err != nil {
			b.Fatal(err)
		}
	}
}
