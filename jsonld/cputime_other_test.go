//go:build !unix

package jsonld

import "time"

func cpuNow() time.Duration { return 0 }
