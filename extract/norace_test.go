//go:build !race

package extract

// raceDetector: see race_test.go.
const raceDetector = false
