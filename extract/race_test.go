//go:build race

package extract

// raceDetector: the race detector makes sync.Pool drop what is put in it,
// so what a reading allocates is no measure of it then (the regexp package
// allocates its machines again and again).
const raceDetector = true
