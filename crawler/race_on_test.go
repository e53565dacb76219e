//go:build race

package crawler

// raceDetector says the tests run with the race detector, whose shadow
// memory multiplies a process's resident size.
const raceDetector = true
