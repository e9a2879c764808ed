//go:build race

package dag

// raceEnabled skips the tests that generate real-size caches: the race
// detector makes a 16 MB cache take over 20 s.
const raceEnabled = true
