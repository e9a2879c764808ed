//go:build !race

package ethash

const raceEnabled = false
