package ob3

import (
	"testing"

	"github.com/sceau/sceau/internal/benchcpu"
)

func BenchmarkParse(b *testing.B) {
	data := readTypical(b)
	b.SetBytes(int64(len(data)))
	defer benchcpu.Measure(b)()
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
	defer benchcpu.Measure(b)()
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
	defer benchcpu.Measure(b)()
	for b.Loop() {
		_ = c.Check()
	}
}

func BenchmarkValidateSchema(b *testing.B) {
	data := readTypical(b)
	if _, err := ValidateSchema(data, SchemaAchievementCredential); err != nil {
		b.Fatal(err) // compiles the schemas outside the loop
	}
	defer benchcpu.Measure(b)()
	for b.Loop() {
		if _, err := ValidateSchema(data, SchemaAchievementCredential); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScan is the single checking pass Parse and ValidateSchema make.
func BenchmarkScan(b *testing.B) {
	data := readTypical(b)
	b.SetBytes(int64(len(data)))
	defer benchcpu.Measure(b)()
	for b.Loop() {
		if err := scan(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSchemaInstance is the decoding of the instance ValidateSchema
// hands to the schema library.
func BenchmarkSchemaInstance(b *testing.B) {
	data := readTypical(b)
	defer benchcpu.Measure(b)()
	for b.Loop() {
		_ = newDecoder(data).decodeAny(data)
	}
}

// BenchmarkSchemaLibrary is the schema library's own share of
// ValidateSchema: validation of an already decoded instance.
func BenchmarkSchemaLibrary(b *testing.B) {
	data := readTypical(b)
	if _, err := ValidateSchema(data, SchemaAchievementCredential); err != nil {
		b.Fatal(err)
	}
	inst := newDecoder(data).decodeAny(data)
	defer benchcpu.Measure(b)()
	for b.Loop() {
		if errs, err := validateInstance(&schemas, inst, SchemaAchievementCredential); err != nil || len(errs) > 0 {
			b.Fatal(err, errs)
		}
	}
}

// BenchmarkSchemaFast is the fast walk alone (schemafast.go) on a decoded
// instance: what ValidateSchemaValue costs a conforming credential.
func BenchmarkSchemaFast(b *testing.B) {
	data := readTypical(b)
	if _, err := ValidateSchema(data, SchemaAchievementCredential); err != nil {
		b.Fatal(err)
	}
	inst := newDecoder(data).decodeAny(data)
	defer benchcpu.Measure(b)()
	for b.Loop() {
		if !fastValid(fastSchemas[SchemaAchievementCredential], inst) {
			b.Fatal("not valid")
		}
	}
}
