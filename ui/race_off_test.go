//go:build !race

package ui

// raceEnabled is true when the tests run under the race detector.
const raceEnabled = false
