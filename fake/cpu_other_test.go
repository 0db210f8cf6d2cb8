//go:build !unix

package fake

import "time"

// processCPU is not measured on this system: the cpu-µs/op metrics read 0.
func processCPU() time.Duration { return 0 }
