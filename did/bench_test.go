package did

import (
	"context"
	"testing"
)

func BenchmarkResolveDidKey(b *testing.B) {
	r := &MultiResolver{}
	for b.Loop() {
		if _, err := r.Resolve(context.Background(), "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"); err != nil {
			b.Fatal(err)
		}
	}
}
